//! Repository ids: parsing, normalisation and identity.
//!
//! Cards name their parents in many spellings: `owner/name`, legacy owner-less ids (`gpt2`),
//! `datasets/…` and `spaces/…` prefixes, full Hub URLs with `/tree/main` suffixes, and sometimes
//! values that are no id at all (local paths, other hosts, prose). [`RepoId::parse`] turns the
//! first group into a [`RepoId`] and the second into an [`IdError`] that quotes the value, so the
//! caller can report it as a finding. Identity is case-insensitive (as on the Hub); the spelling
//! first seen is kept for display.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

use serde::{Serialize, Serializer};

/// The three kinds of Hub repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum RepoKind {
    /// A model repository (no URL prefix).
    Model,
    /// A dataset repository (`datasets/` prefix).
    Dataset,
    /// A Space (`spaces/` prefix).
    Space,
}

impl RepoKind {
    /// The URL prefix of this kind on the Hub (`""`, `datasets/`, `spaces/`).
    pub fn url_prefix(self) -> &'static str {
        match self {
            RepoKind::Model => "",
            RepoKind::Dataset => "datasets/",
            RepoKind::Space => "spaces/",
        }
    }

    /// The plural used in API paths and snapshot directories (`models`, `datasets`, `spaces`).
    pub fn plural(self) -> &'static str {
        match self {
            RepoKind::Model => "models",
            RepoKind::Dataset => "datasets",
            RepoKind::Space => "spaces",
        }
    }

    /// The lowercase singular name (`model`, `dataset`, `space`).
    pub fn as_str(self) -> &'static str {
        match self {
            RepoKind::Model => "model",
            RepoKind::Dataset => "dataset",
            RepoKind::Space => "space",
        }
    }

    /// Parses `model`, `dataset`, `space` (and their plurals).
    pub fn from_name(s: &str) -> Option<RepoKind> {
        match s.to_ascii_lowercase().as_str() {
            "model" | "models" => Some(RepoKind::Model),
            "dataset" | "datasets" => Some(RepoKind::Dataset),
            "space" | "spaces" => Some(RepoKind::Space),
            _ => None,
        }
    }

    /// All kinds, in display order.
    pub const ALL: [RepoKind; 3] = [RepoKind::Model, RepoKind::Dataset, RepoKind::Space];
}

impl fmt::Display for RepoKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a value is not a repository id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdError {
    /// The value is empty or only whitespace.
    #[error("empty repository id")]
    Empty,
    /// The value looks like a path on somebody's disk.
    #[error("{value:?} is a local path, not a Hub repository id")]
    LocalPath {
        /// The value as written.
        value: String,
    },
    /// The value is a URL of a host other than the Hub.
    #[error("{value:?} is a URL on another host, not a Hub repository")]
    OtherHost {
        /// The value as written.
        value: String,
    },
    /// The value does not have the shape of an id.
    #[error("{value:?} is not a valid repository id ({reason})")]
    Malformed {
        /// The value as written.
        value: String,
        /// What is wrong with it.
        reason: &'static str,
    },
}

/// A Hub repository id: kind plus `owner/name` (or a legacy owner-less name).
///
/// Equality, ordering and hashing ignore ASCII case; [`RepoId::name`] keeps the spelling given.
/// Only the spelling is stored (24 bytes and one allocation per id: a whole-Hub graph holds
/// millions); the case-folded identity is computed as it is compared or hashed.
#[derive(Debug, Clone)]
pub struct RepoId {
    kind: RepoKind,
    /// No ASCII capitals in `name`: compared and hashed as it is (the common case).
    folded: bool,
    name: Box<str>,
}

const MAX_PART: usize = 96;

impl RepoId {
    /// Builds an id from a kind and an already validated `owner/name`.
    fn new_unchecked(kind: RepoKind, name: &str) -> RepoId {
        RepoId {
            kind,
            folded: !name.bytes().any(|b| b.is_ascii_uppercase()),
            name: name.into(),
        }
    }

    /// Parses a value as written in a card, on a command line or in API data.
    ///
    /// `default_kind` applies when the value carries no `datasets/`/`spaces/` prefix or URL
    /// path that says otherwise (a Space card's `datasets:` list holds bare dataset ids).
    ///
    /// ```
    /// use hf_lineage::{RepoId, RepoKind};
    /// let id = RepoId::parse("https://huggingface.co/TheBloke/Llama-2-7B-GGUF/tree/main", RepoKind::Model).unwrap();
    /// assert_eq!(id.node_id(), "TheBloke/Llama-2-7B-GGUF");
    /// assert_eq!(RepoId::parse("datasets/squad", RepoKind::Model).unwrap().kind(), RepoKind::Dataset);
    /// assert!(RepoId::parse("/root/models/llama", RepoKind::Model).is_err());
    /// ```
    pub fn parse(value: &str, default_kind: RepoKind) -> Result<RepoId, IdError> {
        let v = value.trim();
        if v.is_empty() {
            return Err(IdError::Empty);
        }
        if looks_like_local_path(v) {
            return Err(IdError::LocalPath { value: v.into() });
        }
        let (path, from_url) = match strip_url(v) {
            UrlKind::Hub(rest) => (rest, true),
            UrlKind::Other => return Err(IdError::OtherHost { value: v.into() }),
            UrlKind::NotUrl => (v.to_string(), false),
        };
        let mut path = path.as_str();
        let mut kind = default_kind;
        for k in [RepoKind::Dataset, RepoKind::Space] {
            if let Some(rest) = strip_prefix_ci(path, k.url_prefix()) {
                kind = k;
                path = rest;
                break;
            }
        }
        if from_url {
            if let Some(rest) = strip_prefix_ci(path, "models/") {
                path = rest;
                kind = RepoKind::Model;
            }
        }
        let path = path.trim_end_matches('/');
        let path = path.strip_suffix(".git").unwrap_or(path);
        let segments: Vec<&str> = path.split('/').collect();
        // Drop `/tree/…`, `/blob/…`, `/resolve/…`, `/raw/…`, `/commit/…` suffixes.
        let cut = segments
            .iter()
            .enumerate()
            .skip(1)
            .find(|(_, s)| {
                matches!(
                    **s,
                    "tree" | "blob" | "resolve" | "raw" | "commit" | "discussions" | "edit"
                )
            })
            .map(|(i, _)| i)
            .unwrap_or(segments.len());
        let segments = &segments[..cut];
        let name = match segments {
            [one] => one.to_string(),
            [owner, name] => format!("{owner}/{name}"),
            _ => {
                return Err(IdError::Malformed {
                    value: v.into(),
                    reason: "too many path segments",
                })
            }
        };
        for part in name.split('/') {
            validate_part(part).map_err(|reason| IdError::Malformed {
                value: v.into(),
                reason,
            })?;
        }
        Ok(RepoId::new_unchecked(kind, &name))
    }

    /// The kind of repository.
    pub fn kind(&self) -> RepoKind {
        self.kind
    }

    /// The first eight bytes of the case-folded name as a big-endian number (zero-padded): ids
    /// whose prefixes differ order as their prefixes do, so sorting millions of ids compares
    /// most pairs without reading their names.
    pub(crate) fn sort_prefix(&self) -> u64 {
        let mut b = [0u8; 8];
        for (o, c) in b.iter_mut().zip(self.name.bytes()) {
            *o = c.to_ascii_lowercase();
        }
        u64::from_be_bytes(b)
    }

    /// `owner/name` (or the legacy name) as first spelled.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The owner, when the id has one.
    pub fn owner(&self) -> Option<&str> {
        self.name.split_once('/').map(|(o, _)| o)
    }

    /// The repository name without its owner.
    pub fn short_name(&self) -> &str {
        self.name.rsplit('/').next().unwrap_or(&self.name)
    }

    /// The graph node id: `owner/name` for models, `datasets/<id>` and `spaces/<id>` otherwise.
    pub fn node_id(&self) -> String {
        format!("{}{}", self.kind.url_prefix(), self.name)
    }

    /// The case-folded identity key, including the kind prefix.
    pub fn key(&self) -> String {
        format!(
            "{}{}",
            self.kind.url_prefix(),
            self.name.to_ascii_lowercase()
        )
    }

    /// Whether two ids name the same repo but differ in spelling.
    pub fn same_repo(&self, other: &RepoId) -> bool {
        self == other
    }
}

impl PartialEq for RepoId {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind
            && if self.folded && other.folded {
                self.name == other.name
            } else {
                self.name.eq_ignore_ascii_case(&other.name)
            }
    }
}
impl Eq for RepoId {}
impl Hash for RepoId {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.kind.hash(state);
        // The case-folded bytes in chunks of 64 (the same calls whatever the spelling, so equal
        // ids hash equal), then a terminator (as `str` hashes).
        let mut buf = [0u8; 64];
        for chunk in self.name.as_bytes().chunks(buf.len()) {
            if self.folded {
                state.write(chunk);
            } else {
                let out = &mut buf[..chunk.len()];
                out.copy_from_slice(chunk);
                out.make_ascii_lowercase();
                state.write(out);
            }
        }
        state.write_u8(0xff);
    }
}
/// Orders two names as their ASCII-lowercased bytes would order.
fn cmp_folded(a: &[u8], b: &[u8]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        let (x, y) = (x.to_ascii_lowercase(), y.to_ascii_lowercase());
        if x != y {
            return x.cmp(&y);
        }
    }
    a.len().cmp(&b.len())
}

impl PartialOrd for RepoId {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for RepoId {
    fn cmp(&self, other: &Self) -> Ordering {
        self.kind.cmp(&other.kind).then_with(|| {
            if self.folded && other.folded {
                self.name.cmp(&other.name)
            } else {
                cmp_folded(self.name.as_bytes(), other.name.as_bytes())
            }
        })
    }
}
impl fmt::Display for RepoId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.kind.url_prefix(), self.name)
    }
}
/// A repo id equals the text of its node id (`owner/name`, `datasets/…`), as written.
impl PartialEq<str> for RepoId {
    fn eq(&self, other: &str) -> bool {
        let prefix = self.kind.url_prefix();
        other.len() == prefix.len() + self.name.len()
            && other.starts_with(prefix)
            && other[prefix.len()..] == *self.name
    }
}

impl PartialEq<&str> for RepoId {
    fn eq(&self, other: &&str) -> bool {
        self == *other
    }
}

impl Serialize for RepoId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.node_id())
    }
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    if prefix.is_empty() || s.len() < prefix.len() || !s.is_char_boundary(prefix.len()) {
        return None;
    }
    let (head, tail) = s.split_at(prefix.len());
    head.eq_ignore_ascii_case(prefix).then_some(tail)
}

fn looks_like_local_path(v: &str) -> bool {
    v.starts_with('/')
        || v.starts_with("./")
        || v.starts_with("../")
        || v.starts_with('~')
        || v.contains('\\')
        || v.starts_with("file:")
        || (v.len() > 2 && v.as_bytes()[1] == b':' && v.as_bytes()[0].is_ascii_alphabetic())
}

enum UrlKind {
    Hub(String),
    Other,
    NotUrl,
}

/// The public Hub.
pub const DEFAULT_ENDPOINT: &str = "https://huggingface.co";

const HUB_HOSTS: [&str; 4] = ["huggingface.co", "www.huggingface.co", "hf.co", "www.hf.co"];

fn strip_url(v: &str) -> UrlKind {
    let (had_scheme, rest) = match v.find("://") {
        Some(i) => {
            let scheme = &v[..i];
            if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
                return UrlKind::Other;
            }
            (true, &v[i + 3..])
        }
        None => (false, v),
    };
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let host_lc = host.to_ascii_lowercase();
    let host_lc = host_lc.split(':').next().unwrap_or("");
    if HUB_HOSTS.contains(&host_lc) {
        let path = path.split(['?', '#']).next().unwrap_or("");
        return UrlKind::Hub(path.to_string());
    }
    if had_scheme
        || (host.contains('.')
            && looks_like_hostname(host)
            && !path.is_empty()
            && path.contains('/'))
    {
        // `github.com/org/repo` without a scheme is still another host; `org.x/name` is not.
        if had_scheme || known_other_host(host_lc) {
            return UrlKind::Other;
        }
    }
    UrlKind::NotUrl
}

fn looks_like_hostname(h: &str) -> bool {
    h.chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
}

fn known_other_host(h: &str) -> bool {
    h.starts_with("www.")
        || h.ends_with(".com")
        || h.ends_with(".org")
        || h.ends_with(".io")
        || h.ends_with(".net")
}

fn validate_part(part: &str) -> Result<(), &'static str> {
    if part.is_empty() {
        return Err("empty owner or name");
    }
    if part.len() > MAX_PART {
        return Err("name longer than 96 characters");
    }
    if !part
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
    {
        return Err("only letters, digits, '-', '_' and '.' are allowed");
    }
    let first = part.as_bytes()[0];
    if first == b'-' || first == b'.' {
        return Err("must not start with '-' or '.'");
    }
    if part.ends_with('.') || part.ends_with('-') {
        return Err("must not end with '-' or '.'");
    }
    if part.contains("--") || part.contains("..") {
        return Err("'--' and '..' are not allowed");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Result<RepoId, IdError> {
        RepoId::parse(s, RepoKind::Model)
    }

    #[test]
    fn sort_prefix_orders_as_ids_do() {
        let ids: Vec<RepoId> = [
            "a/b",
            "A/b",
            "a/bc",
            "ab/c",
            "Zed/x",
            "zed/X",
            "user1234/model-1",
            "user1234/model-10",
            "user12/z",
            "gpt2",
            "gpt",
            "x/a.b",
            "x/a-b_c",
            "X/A_B",
        ]
        .iter()
        .map(|s| m(s).unwrap())
        .collect();
        for a in &ids {
            for b in &ids {
                if a.sort_prefix() != b.sort_prefix() {
                    assert_eq!(
                        a.sort_prefix().cmp(&b.sort_prefix()),
                        a.cmp(b),
                        "{a} vs {b}"
                    );
                }
            }
        }
    }

    #[test]
    fn plain_and_legacy_ids_parse() {
        assert_eq!(
            m("meta-llama/Llama-2-7b-hf").unwrap().node_id(),
            "meta-llama/Llama-2-7b-hf"
        );
        let g = m("gpt2").unwrap();
        assert_eq!(g.owner(), None);
        assert_eq!(g.node_id(), "gpt2");
        let d = RepoId::parse("squad", RepoKind::Dataset).unwrap();
        assert_eq!(d.node_id(), "datasets/squad");
    }

    #[test]
    fn prefixes_set_the_kind() {
        assert_eq!(
            m("datasets/tatsu-lab/alpaca").unwrap().kind(),
            RepoKind::Dataset
        );
        assert_eq!(m("spaces/org/demo").unwrap().node_id(), "spaces/org/demo");
    }

    #[test]
    fn hub_urls_reduce_to_ids() {
        for url in [
            "https://huggingface.co/TheBloke/Llama-2-7B-GGUF",
            "https://huggingface.co/TheBloke/Llama-2-7B-GGUF/",
            "http://huggingface.co/TheBloke/Llama-2-7B-GGUF/tree/main",
            "huggingface.co/TheBloke/Llama-2-7B-GGUF/blob/main/README.md",
            "hf.co/TheBloke/Llama-2-7B-GGUF/resolve/main/x.gguf?download=true",
            "https://www.huggingface.co/TheBloke/Llama-2-7B-GGUF#files",
        ] {
            assert_eq!(
                m(url).unwrap().node_id(),
                "TheBloke/Llama-2-7B-GGUF",
                "{url}"
            );
        }
        let d = m("https://huggingface.co/datasets/tatsu-lab/alpaca/viewer").unwrap_err();
        assert!(matches!(d, IdError::Malformed { .. }));
        let d = m("https://huggingface.co/datasets/tatsu-lab/alpaca/tree/main/data").unwrap();
        assert_eq!(d.node_id(), "datasets/tatsu-lab/alpaca");
    }

    #[test]
    fn local_paths_and_other_hosts_are_rejected_with_the_value() {
        let e = m("/root/models/llama").unwrap_err();
        assert_eq!(
            e,
            IdError::LocalPath {
                value: "/root/models/llama".into()
            }
        );
        assert!(e.to_string().contains("/root/models/llama"));
        assert!(matches!(
            m("./out/checkpoint-500"),
            Err(IdError::LocalPath { .. })
        ));
        assert!(matches!(m("C:\\models\\x"), Err(IdError::LocalPath { .. })));
        assert!(matches!(
            m("https://github.com/org/repo"),
            Err(IdError::OtherHost { .. })
        ));
        assert!(matches!(
            m("github.com/org/repo"),
            Err(IdError::OtherHost { .. })
        ));
        assert!(matches!(m("ftp://x/y"), Err(IdError::OtherHost { .. })));
        assert!(matches!(m("a/b/c"), Err(IdError::Malformed { .. })));
        assert!(matches!(m("Llama 2 7B"), Err(IdError::Malformed { .. })));
        assert!(matches!(m("   "), Err(IdError::Empty)));
        assert!(matches!(m("org/--x"), Err(IdError::Malformed { .. })));
    }

    #[test]
    fn identity_ignores_case_but_keeps_spelling() {
        let a = m("Meta-Llama/LLAMA-2-7b-hf").unwrap();
        let b = m("meta-llama/llama-2-7b-hf").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.name(), "Meta-Llama/LLAMA-2-7b-hf");
        let d = RepoId::parse("meta-llama/llama-2-7b-hf", RepoKind::Dataset).unwrap();
        assert_ne!(a, d);
    }

    #[test]
    fn dotted_owner_without_scheme_is_an_id() {
        assert_eq!(m("01-ai/Yi-1.5-6B").unwrap().name(), "01-ai/Yi-1.5-6B");
        assert_eq!(
            m("jondurbin/airoboros-l2-70b-gpt4-1.4.1")
                .unwrap()
                .short_name(),
            "airoboros-l2-70b-gpt4-1.4.1"
        );
    }
}
