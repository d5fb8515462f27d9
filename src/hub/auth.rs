//! The Hub token: found the way the official client finds it, and never shown.
//!
//! Order: `HF_TOKEN`, legacy `HUGGING_FACE_HUB_TOKEN`, the file `$HF_TOKEN_PATH`, the file
//! `$HF_HOME/token` (`HF_HOME` defaults to `~/.cache/huggingface`). [`Token`] has no `Display`
//! and its `Debug` prints `Token(***)`, so it cannot end up in a log line or an error message.

use std::fmt;
use std::path::PathBuf;

/// A Hub access token. Deliberately not `Display`; `Debug` is redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// Wraps a token value; `None` when empty.
    pub fn new(value: &str) -> Option<Token> {
        let v = value.trim();
        (!v.is_empty()).then(|| Token(v.to_string()))
    }

    /// The `Authorization` header value. Only the HTTP client calls this.
    pub(crate) fn bearer(&self) -> String {
        format!("Bearer {}", self.0)
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(***)")
    }
}

/// Where environment lookups come from (the process environment, or a map in tests).
pub trait Env {
    /// The value of a variable, if set.
    fn var(&self, name: &str) -> Option<String>;
}

/// The process environment.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }
}

impl<F: Fn(&str) -> Option<String>> Env for F {
    fn var(&self, name: &str) -> Option<String> {
        self(name)
    }
}

/// `HF_HOME`, defaulting to `~/.cache/huggingface`.
pub fn hf_home(env: &dyn Env) -> PathBuf {
    if let Some(h) = env.var("HF_HOME").filter(|h| !h.is_empty()) {
        return PathBuf::from(h);
    }
    let home = env.var("HOME").unwrap_or_else(|| ".".into());
    let cache = env
        .var("XDG_CACHE_HOME")
        .filter(|x| !x.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(home).join(".cache"));
    cache.join("huggingface")
}

/// Finds the token, if any.
pub fn find_token(env: &dyn Env) -> Option<Token> {
    for var in ["HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"] {
        if let Some(t) = env.var(var).and_then(|v| Token::new(&v)) {
            return Some(t);
        }
    }
    let path = env
        .var("HF_TOKEN_PATH")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| hf_home(env).join("token"));
    std::fs::read_to_string(path)
        .ok()
        .and_then(|s| Token::new(&s))
}

/// Whether `HF_HUB_OFFLINE` asks for no network (`1`, `ON`, `YES`, `TRUE`).
pub fn offline(env: &dyn Env) -> bool {
    env.var("HF_HUB_OFFLINE").is_some_and(|v| {
        matches!(
            v.trim().to_ascii_uppercase().as_str(),
            "1" | "ON" | "YES" | "TRUE"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let m: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k: &str| m.get(k).cloned()
    }

    #[test]
    fn token_lookup_order() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("token"), "hf_file\n").unwrap();
        let home = dir.path().to_str().unwrap();
        assert_eq!(
            find_token(&env(&[
                ("HF_TOKEN", "hf_a"),
                ("HUGGING_FACE_HUB_TOKEN", "hf_b")
            ])),
            Token::new("hf_a")
        );
        assert_eq!(
            find_token(&env(&[("HUGGING_FACE_HUB_TOKEN", "hf_b")])),
            Token::new("hf_b")
        );
        assert_eq!(
            find_token(&env(&[("HF_HOME", home)])),
            Token::new("hf_file")
        );
        let p = dir.path().join("token");
        assert_eq!(
            find_token(&env(&[("HF_TOKEN_PATH", p.to_str().unwrap())])),
            Token::new("hf_file")
        );
        assert_eq!(find_token(&env(&[("HF_HOME", "/nonexistent")])), None);
    }

    #[test]
    fn debug_never_shows_the_token() {
        let t = Token::new("hf_secret").unwrap();
        assert_eq!(format!("{t:?}"), "Token(***)");
        assert!(!format!("{:?}", Some(t)).contains("secret"));
    }

    #[test]
    fn offline_values() {
        for v in ["1", "ON", "yes", "True"] {
            assert!(offline(&env(&[("HF_HUB_OFFLINE", v)])));
        }
        assert!(!offline(&env(&[("HF_HUB_OFFLINE", "0")])));
        assert!(!offline(&env(&[])));
    }
}
