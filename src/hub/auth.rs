//! The Hub token: found the way the official client finds it, and never shown.
//!
//! Order: `HF_TOKEN`, legacy `HUGGING_FACE_HUB_TOKEN`, the file `$HF_TOKEN_PATH`, the file
//! `$HF_HOME/token` (`HF_HOME` defaults to `~/.cache/huggingface`); `~` and `$VAR` are expanded
//! in both paths, and `HF_HUB_DISABLE_IMPLICIT_TOKEN` turns the lookup off (a command-line tool
//! has no explicit token). Values are cleaned as huggingface_hub cleans them (`\r` and `\n`
//! removed anywhere, then trimmed). [`Token`] has no `Display` and its `Debug` prints
//! `Token(***)`, so it cannot end up in a log line or an error message.

use std::fmt;
use std::path::PathBuf;

use sha2::{Digest, Sha256};

/// A Hub access token. Deliberately not `Display`; `Debug` is redacted.
#[derive(Clone)]
pub struct Token {
    value: String,
    origin: &'static str,
}

impl PartialEq for Token {
    fn eq(&self, other: &Token) -> bool {
        self.value == other.value
    }
}
impl Eq for Token {}

impl Token {
    /// Wraps a token value (cleaned of `\r`/`\n` anywhere, trimmed); `None` when empty.
    pub fn new(value: &str) -> Option<Token> {
        Token::from_origin(value, "given")
    }

    fn from_origin(value: &str, origin: &'static str) -> Option<Token> {
        let v: String = value.chars().filter(|c| *c != '\r' && *c != '\n').collect();
        let v = v.trim();
        (!v.is_empty()).then(|| Token {
            value: v.to_string(),
            origin,
        })
    }

    /// The `Authorization` header value. Only the HTTP client calls this.
    pub(crate) fn bearer(&self) -> String {
        format!("Bearer {}", self.value)
    }

    /// Where the token came from, for error messages (`HF_TOKEN`, the token file…).
    pub fn origin(&self) -> &'static str {
        self.origin
    }

    /// A fingerprint that tells tokens apart without revealing them: the first 16 hex digits of
    /// the token's SHA-256. Used in cache keys; the token itself is never stored.
    pub fn fingerprint(&self) -> String {
        let digest = Sha256::digest(self.value.as_bytes());
        let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
        format!("sha256:{hex}")
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

/// Expands `$VAR` and `${VAR}` (unset variables stay as written), then a leading `~`, the way
/// Python's `os.path.expanduser(os.path.expandvars(p))` does for the official client.
pub fn expand_path(p: &str, env: &dyn Env) -> PathBuf {
    let mut out = String::new();
    let mut rest = p;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let (name, len) = if let Some(inner) = after.strip_prefix('{') {
            match inner.find('}') {
                Some(end) => (&inner[..end], end + 2),
                None => ("", 0),
            }
        } else {
            let end = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            (&after[..end], end)
        };
        match (name.is_empty(), env.var(name)) {
            (false, Some(v)) => out.push_str(&v),
            _ => out.push_str(&rest[at..at + 1 + len]),
        }
        rest = &rest[at + 1 + len..];
    }
    out.push_str(rest);
    if out == "~" || out.starts_with("~/") {
        if let Some(home) = env.var("HOME").filter(|h| !h.is_empty()) {
            out = format!("{home}{}", &out[1..]);
        }
    }
    PathBuf::from(out)
}

/// `HF_HOME`, defaulting to `~/.cache/huggingface` (or `$XDG_CACHE_HOME/huggingface`).
pub fn hf_home(env: &dyn Env) -> PathBuf {
    if let Some(h) = env.var("HF_HOME").filter(|h| !h.is_empty()) {
        return expand_path(&h, env);
    }
    let home = env.var("HOME").unwrap_or_else(|| ".".into());
    let cache = env
        .var("XDG_CACHE_HOME")
        .filter(|x| !x.is_empty())
        .map(|x| expand_path(&x, env))
        .unwrap_or_else(|| PathBuf::from(home).join(".cache"));
    cache.join("huggingface")
}

fn truthy(env: &dyn Env, name: &str) -> bool {
    env.var(name).is_some_and(|v| {
        matches!(
            v.trim().to_ascii_uppercase().as_str(),
            "1" | "ON" | "YES" | "TRUE"
        )
    })
}

/// Finds the token, if any (none at all with `HF_HUB_DISABLE_IMPLICIT_TOKEN`).
pub fn find_token(env: &dyn Env) -> Option<Token> {
    if truthy(env, "HF_HUB_DISABLE_IMPLICIT_TOKEN") {
        return None;
    }
    for (var, origin) in [
        ("HF_TOKEN", "from HF_TOKEN"),
        ("HUGGING_FACE_HUB_TOKEN", "from HUGGING_FACE_HUB_TOKEN"),
    ] {
        if let Some(t) = env.var(var).and_then(|v| Token::from_origin(&v, origin)) {
            return Some(t);
        }
    }
    let (path, origin) = match env.var("HF_TOKEN_PATH").filter(|p| !p.is_empty()) {
        Some(p) => (expand_path(&p, env), "from the file $HF_TOKEN_PATH"),
        None => (hf_home(env).join("token"), "from the file $HF_HOME/token"),
    };
    std::fs::read_to_string(path)
        .ok()
        .and_then(|s| Token::from_origin(&s, origin))
}

/// Whether the environment asks for no network: `HF_HUB_OFFLINE` or `TRANSFORMERS_OFFLINE`
/// set to `1`, `ON`, `YES` or `TRUE`.
pub fn offline(env: &dyn Env) -> bool {
    truthy(env, "HF_HUB_OFFLINE") || truthy(env, "TRANSFORMERS_OFFLINE")
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
    fn token_cleaning_and_fingerprints() {
        let t = Token::new("hf_ab\r\ncd\n").unwrap();
        assert_eq!(t, Token::new("hf_abcd").unwrap());
        assert_eq!(Token::new("\r\n"), None);
        let f = t.fingerprint();
        assert!(f.starts_with("sha256:") && f.len() == 7 + 16, "{f}");
        assert!(!f.contains("abcd"));
        assert_ne!(f, Token::new("hf_other").unwrap().fingerprint());
    }

    #[test]
    fn paths_expand_like_the_official_client() {
        let e = env(&[("HOME", "/home/u"), ("BASE", "/data")]);
        assert_eq!(expand_path("~/hf", &e), PathBuf::from("/home/u/hf"));
        assert_eq!(expand_path("$BASE/hf", &e), PathBuf::from("/data/hf"));
        assert_eq!(
            expand_path("${BASE}x/$NOPE/y", &e),
            PathBuf::from("/datax/$NOPE/y")
        );
        assert_eq!(expand_path("a~b", &e), PathBuf::from("a~b"));
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("token"), "hf_tilde\n").unwrap();
        let home = dir.path().parent().unwrap().to_str().unwrap().to_string();
        let name = dir
            .path()
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        let e = env(&[("HOME", &home), ("HF_HOME", &format!("~/{name}"))]);
        assert_eq!(find_token(&e), Token::new("hf_tilde"));
        let e = env(&[
            ("D", dir.path().to_str().unwrap()),
            ("HF_TOKEN_PATH", "$D/token"),
        ]);
        assert_eq!(find_token(&e), Token::new("hf_tilde"));
        let e = env(&[("HF_TOKEN", "hf_x"), ("HF_HUB_DISABLE_IMPLICIT_TOKEN", "1")]);
        assert_eq!(find_token(&e), None);
    }

    #[test]
    fn offline_values() {
        assert!(offline(&env(&[("TRANSFORMERS_OFFLINE", "1")])));
        for v in ["1", "ON", "yes", "True"] {
            assert!(offline(&env(&[("HF_HUB_OFFLINE", v)])));
        }
        assert!(!offline(&env(&[("HF_HUB_OFFLINE", "0")])));
        assert!(!offline(&env(&[])));
    }
}
