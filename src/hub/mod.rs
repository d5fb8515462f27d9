//! The Hub: the only network code (client, rate limits, retry, cache, auth).
//!
//! [`HubConfig`] gathers what the command line and the environment say; [`client::HubClient`]
//! does the polite fetching; [`crate::source::HubSource`] turns responses into records.

pub mod auth;
pub mod cache;
pub mod client;
pub mod ratelimit;

use std::path::PathBuf;
use std::time::Duration;

pub use auth::Token;
pub use client::{HubClient, RetryPolicy, Stats};
pub use ratelimit::Rate;

use crate::id::{RepoId, RepoKind};

pub use crate::id::DEFAULT_ENDPOINT;

/// Everything the crawler needs to know.
#[derive(Debug, Clone)]
pub struct HubConfig {
    /// Base URL (no trailing slash): `https://huggingface.co` or a mirror.
    pub endpoint: String,
    /// The token, sent only to `endpoint`.
    pub token: Option<Token>,
    /// Our ceiling for the `api` bucket.
    pub api_rate: Rate,
    /// Our ceiling for the `resolvers` bucket.
    pub resolver_rate: Rate,
    /// Whether the ceilings were asked for (`--rate`). When not, they hold only until the
    /// server announces its own policy (`RateLimit-Policy`), which is then the only limit.
    pub explicit_rate: bool,
    /// Requests in flight at most.
    pub jobs: usize,
    /// Cache entries younger than this are used without a request.
    pub max_age: Duration,
    /// Ignore cached entries (revalidate everything).
    pub refresh: bool,
    /// No network at all (`HF_HUB_OFFLINE`).
    pub offline: bool,
    /// The cache database; `None` for no persistent cache.
    pub cache_path: Option<PathBuf>,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Retry policy.
    pub retry: RetryPolicy,
    /// Fetch README bodies too (for snapshots and card-text analyses).
    pub want_readme: bool,
    /// Read the small files tools write beside a card (adapter and mergekit configs,
    /// `config.json`, LICENSE) and the first 256 KiB of one GGUF file, when the repo's file
    /// list has them (`--files none` turns it off).
    pub want_files: bool,
}

impl HubConfig {
    /// Defaults for an endpoint: the Hub's documented limits, eight jobs, a day's cache.
    pub fn new(endpoint: &str, token: Option<Token>) -> HubConfig {
        let with_token = token.is_some();
        HubConfig {
            endpoint: endpoint.trim_end_matches('/').to_string(),
            token,
            api_rate: Rate::hub_default(ratelimit::BucketKind::Api, with_token),
            resolver_rate: Rate::hub_default(ratelimit::BucketKind::Resolvers, with_token),
            explicit_rate: false,
            jobs: 8,
            max_age: Duration::from_secs(24 * 3600),
            refresh: false,
            offline: false,
            cache_path: None,
            timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
            want_readme: false,
            want_files: true,
        }
    }
}

/// Errors that stop the crawler from starting.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HubError {
    /// The endpoint is not a URL.
    #[error("invalid endpoint {endpoint:?}")]
    Endpoint {
        /// The endpoint as given.
        endpoint: String,
        /// Why it does not parse.
        #[source]
        source: url::ParseError,
    },
    /// The endpoint is a URL, but not an http(s) one with a host.
    #[error("invalid endpoint {endpoint:?}: must be an http(s) URL with a host")]
    NotHttp {
        /// The endpoint as given.
        endpoint: String,
    },
    /// The HTTP client could not be built (TLS setup).
    #[error("cannot set up the HTTP client")]
    Http(#[source] reqwest::Error),
    /// The cache could not be opened.
    #[error(transparent)]
    Cache(#[from] cache::CacheError),
    /// The async runtime could not start.
    #[error("cannot start the async runtime")]
    Runtime(#[source] std::io::Error),
}

/// Which route a request goes to: the Hub accepts different `expand` values on each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Route {
    /// `/api/{kind}/{id}`.
    Detail,
    /// `/api/{kind}?…` listings.
    Listing,
}

/// Model fields the crawler reads on the detail route besides the listing's: the Hub's resolved
/// parents (`baseModels`) and children per relation (`childrenModelCount`) exist only there.
pub const MODEL_DETAIL_ONLY_EXPAND: [&str; 2] = ["baseModels", "childrenModelCount"];
/// Model fields the crawler reads from listings: the detail set less what the models listing
/// refuses with a 400 (`baseModels`, `childrenModelCount`, `usedStorage`).
pub const MODEL_LISTING_EXPAND: [&str; 9] = [
    "cardData",
    "tags",
    "siblings",
    "sha",
    "gated",
    "private",
    "lastModified",
    "config",
    "spaces",
];
/// Dataset fields the crawler reads (both routes).
pub const DATASET_EXPAND: [&str; 6] = [
    "cardData",
    "tags",
    "sha",
    "gated",
    "private",
    "lastModified",
];
/// Space fields the crawler reads (both routes).
pub const SPACE_EXPAND: [&str; 7] = [
    "cardData",
    "tags",
    "sha",
    "private",
    "lastModified",
    "models",
    "datasets",
];

/// The `expand` values the crawler sends for a kind on a route.
pub fn expand_fields(kind: RepoKind, route: Route) -> Vec<&'static str> {
    match (kind, route) {
        (RepoKind::Model, Route::Detail) => MODEL_LISTING_EXPAND
            .iter()
            .chain(&MODEL_DETAIL_ONLY_EXPAND)
            .copied()
            .collect(),
        (RepoKind::Model, Route::Listing) => MODEL_LISTING_EXPAND.to_vec(),
        (RepoKind::Dataset, _) => DATASET_EXPAND.to_vec(),
        (RepoKind::Space, _) => SPACE_EXPAND.to_vec(),
    }
}

fn expand_query(kind: RepoKind, route: Route) -> String {
    expand_fields(kind, route)
        .iter()
        .map(|f| format!("expand={f}"))
        .collect::<Vec<_>>()
        .join("&")
}

fn encode(v: &str) -> String {
    url::form_urlencoded::byte_serialize(v.as_bytes()).collect()
}

/// `/api/{models,datasets,spaces}/{id}?expand=…`.
pub fn info_path(id: &RepoId) -> String {
    format!(
        "/api/{}/{}?{}",
        id.kind().plural(),
        id.name(),
        expand_query(id.kind(), Route::Detail)
    )
}

/// `/{prefix}{id}/resolve/main/README.md`.
pub fn readme_path(id: &RepoId) -> String {
    format!(
        "/{}{}/resolve/main/README.md",
        id.kind().url_prefix(),
        id.name()
    )
}

/// `/{prefix}{id}/resolve/main/{file}`, each segment of the file's path encoded.
pub fn file_path(id: &RepoId, file: &str) -> String {
    let encoded: Vec<String> = file
        .split('/')
        .map(|seg| {
            url::form_urlencoded::byte_serialize(seg.as_bytes())
                .collect::<String>()
                .replace('+', "%20")
        })
        .collect();
    format!(
        "/{}{}/resolve/main/{}",
        id.kind().url_prefix(),
        id.name(),
        encoded.join("/")
    )
}

/// Models listing filtered by a tag (`base_model:<id>`, `base_model:adapter:<id>`,
/// `dataset:<id>`), with metadata, 1,000 per page.
pub fn listing_path(filter: &str) -> String {
    format!(
        "/api/models?filter={}&{}&limit=1000",
        encode(filter),
        expand_query(RepoKind::Model, Route::Listing)
    )
}

/// The whole listing of a kind (`/api/models?expand=…&limit=1000`), for bulk snapshots.
pub fn all_listing_path(kind: RepoKind) -> String {
    format!(
        "/api/{}?{}&limit=1000",
        kind.plural(),
        expand_query(kind, Route::Listing)
    )
}

/// Spaces listing of the Spaces that use a model (`models=<id>`) or a dataset
/// (`datasets=<id>`), with metadata, 1,000 per page.
pub fn spaces_listing_path(used: &RepoId) -> String {
    let param = match used.kind() {
        RepoKind::Dataset => "datasets",
        _ => "models",
    };
    format!(
        "/api/spaces?{param}={}&{}&limit=1000",
        encode(used.name()),
        expand_query(RepoKind::Space, Route::Listing)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_follow_the_api() {
        let m = RepoId::parse("TheBloke/Llama-2-7B-GGUF", RepoKind::Model).unwrap();
        assert!(info_path(&m)
            .starts_with("/api/models/TheBloke/Llama-2-7B-GGUF?expand=cardData&expand=tags"));
        let d = RepoId::parse("datasets/squad", RepoKind::Model).unwrap();
        assert_eq!(readme_path(&d), "/datasets/squad/resolve/main/README.md");
        assert!(listing_path("base_model:a/b")
            .starts_with("/api/models?filter=base_model%3Aa%2Fb&expand="));
        // The models listing refuses what only the detail route computes.
        for only_detail in ["baseModels", "childrenModelCount", "usedStorage"] {
            assert!(!listing_path("x").contains(only_detail));
            assert!(!spaces_listing_path(&m).contains(only_detail));
        }
        assert!(info_path(&m).contains("expand=baseModels"));
        assert!(info_path(&m).contains("expand=childrenModelCount"));
        assert!(spaces_listing_path(&m)
            .starts_with("/api/spaces?models=TheBloke%2FLlama-2-7B-GGUF&expand="));
        assert!(spaces_listing_path(&d).starts_with("/api/spaces?datasets=squad&"));
    }
}
