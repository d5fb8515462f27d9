//! Reading one answer of the Hub: what a 429 or a 400 means, the rate-limit state its headers
//! announce, and the parts of a response the cache keeps.

use std::time::Duration;

use reqwest::header::{HeaderMap, ETAG, LINK};

use super::super::cache::{now_secs, CachedResponse};
use super::super::ratelimit::{parse_policy, parse_ratelimit, Bucket, ServerState, RESET_MARGIN};
use super::http::next_link;
use super::FetchError;

/// What one attempt gave.
pub(super) enum Attempt {
    Done(CachedResponse),
    NotModified,
    Redirect(String),
    Retry(String),
    /// A 429. `Some(wait)`: the window is spent (r=0), nothing goes out until it resets;
    /// `None`: the budget is not spent, back off this request alone.
    RateLimited(Option<Duration>, Option<Duration>),
    Fatal(FetchError),
}

/// A 429: how long until the window resets (from the `RateLimit` state when the server spent
/// it; else `Retry-After`, or 5 s, when the server sent no `RateLimit` at all), and the
/// `Retry-After` it asked for.
pub(super) fn rate_limited(state: Option<ServerState>, retry_after: Option<String>) -> Attempt {
    let spent = state
        .filter(|s| s.remaining == 0)
        .map(|s| Duration::from_secs(s.reset_secs.min(600)) + RESET_MARGIN);
    let retry_after = retry_after
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(|s| Duration::from_secs(s.min(600)));
    let spent = match (spent, state) {
        (Some(w), _) => Some(w),
        (None, None) => Some(retry_after.unwrap_or(Duration::from_secs(5))),
        (None, Some(_)) => None,
    };
    Attempt::RateLimited(spent, retry_after)
}

/// A 400: the request itself is wrong and will fail every time; the server's reason, from
/// `X-Error-Message`, the body's `error`, or the body's start.
pub(super) fn bad_request(path: &str, error_message: Option<String>, body: &[u8]) -> Attempt {
    let message = error_message
        .or_else(|| {
            serde_json::from_slice::<serde_json::Value>(body)
                .ok()
                .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_string))
        })
        .unwrap_or_else(|| String::from_utf8_lossy(body).chars().take(300).collect());
    Attempt::Fatal(FetchError::BadRequest {
        path: path.to_string(),
        message,
    })
}

/// An answer as the cache keeps it: status, body, and the headers the crawl reads.
pub(super) fn cached_response(
    status: u16,
    body: Vec<u8>,
    headers: &HeaderMap,
    final_url: String,
) -> CachedResponse {
    let header = |h: &str| {
        headers
            .get(h)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    CachedResponse {
        status,
        body,
        etag: header(ETAG.as_str()),
        sha: header("x-repo-commit"),
        final_url,
        error_code: header("x-error-code"),
        error_message: header("x-error-message"),
        total: header("x-total-count").and_then(|t| t.trim().parse().ok()),
        next: header(LINK.as_str()).as_deref().and_then(next_link),
        fetched_at: now_secs(),
    }
}

/// The rate-limit state a same-origin answer announces for the bucket it was made from.
pub(super) fn server_state(bucket: &Bucket, headers: &HeaderMap) -> Option<ServerState> {
    let name = bucket.kind().name();
    let (remaining, reset_secs) = headers
        .get_all("ratelimit")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| parse_ratelimit(v, name))?;
    let quota = headers
        .get_all("ratelimit-policy")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| parse_policy(v, name))
        .map(|(q, _)| q);
    Some(ServerState {
        remaining,
        reset_secs,
        quota,
    })
}
