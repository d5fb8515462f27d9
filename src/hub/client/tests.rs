//! Unit tests.
use super::*;

#[test]
fn link_header_next() {
    assert_eq!(
        next_link("<https://huggingface.co/api/models?cursor=abc&filter=x>; rel=\"next\""),
        Some("https://huggingface.co/api/models?cursor=abc&filter=x".into())
    );
    assert_eq!(
        next_link("<a>; rel=\"prev\", <b>; rel=\"next\""),
        Some("b".into())
    );
    assert_eq!(next_link("<a>; rel=\"prev\""), None);
}

#[test]
fn backoff_grows_and_is_capped() {
    let p = RetryPolicy {
        base: Duration::from_millis(100),
        cap: Duration::from_secs(1),
        ..Default::default()
    };
    for n in 1..10 {
        let b = p.backoff(n);
        let exp = (Duration::from_millis(100) * (1 << (n - 1))).min(Duration::from_secs(1));
        assert!(b >= exp / 2 && b <= exp, "{n}: {b:?}");
    }
}
