//! The HTTP client: the only code that talks to the Hub.
//!
//! One [`HubClient::get`] call goes: memo (never the same URL twice in a run) → cache (fresh hit:
//! no request; stale: revalidate with the ETag) → bucket (the server's announced window, or our
//! governor ceiling where nothing is announced) → request → redirects, hop by hop, each hop
//! counted in the bucket → retry decision (a 429 with the window spent waits for its reset; a 429
//! with budget left, 408, 5xx, timeouts and resets back off that request alone, exponentially
//! with jitter, capped).
//!
//! The token goes only to the configured endpoint: URLs are built from it, same-host redirects
//! (renames, the resolver's 307 into its cache) keep it, and a file download redirected to
//! another host (a CDN) is followed **without** it; API redirects to another host are refused.
//! Two answers stop the whole crawl instead of becoming node statuses ([`FetchError::is_fatal`]):
//! a 401 saying the token itself is invalid, and a 400 (a request the Hub refuses is our bug).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Mutex as AsyncMutex;

use super::cache::{now_secs, Cache, CachedResponse};
use super::ratelimit::{Bucket, BucketKind};
use super::HubConfig;

mod answer;
mod hop;
mod http;

use answer::Attempt;
pub use http::{next_link, RetryPolicy};

/// Largest body accepted (a 10 MB card fits; a runaway response does not).
pub const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

/// Counters a progress display can read while a crawl runs.
#[derive(Debug, Default)]
pub struct Stats {
    /// Requests sent to `/api/`.
    pub api_requests: AtomicU64,
    /// Requests sent to `/resolve/`.
    pub resolver_requests: AtomicU64,
    /// Answers taken from the cache without a request.
    pub cache_hits: AtomicU64,
    /// Retries after 408, 5xx, timeouts and resets.
    pub retries: AtomicU64,
    /// 429 responses received.
    pub too_many_requests: AtomicU64,
    /// Milliseconds spent waiting on rate limits.
    pub wait_ms: AtomicU64,
    /// Repos read.
    pub repos_done: AtomicU64,
    /// Repos asked for.
    pub repos_queued: AtomicU64,
}

impl Stats {
    fn add(c: &AtomicU64, n: u64) {
        c.fetch_add(n, Ordering::Relaxed);
    }
    /// Reads a counter.
    pub fn get(c: &AtomicU64) -> u64 {
        c.load(Ordering::Relaxed)
    }
}

/// Why a URL could not be fetched at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// `HF_HUB_OFFLINE` is set and the URL is not cached.
    #[error("offline (HF_HUB_OFFLINE or TRANSFORMERS_OFFLINE is set) and not in the cache")]
    Offline,
    /// Retries ran out.
    #[error("gave up after {attempts} attempts: {last}")]
    GaveUp {
        /// Attempts made.
        attempts: u32,
        /// The last problem.
        last: String,
    },
    /// A redirect to another host, or a redirect loop.
    #[error("{0}")]
    Redirect(String),
    /// The body was larger than [`MAX_BODY_BYTES`].
    #[error("response body over {MAX_BODY_BYTES} bytes; not read")]
    TooLarge,
    /// The Hub refused the token itself (401 `Invalid credentials in Authorization header`).
    #[error("the Hub refused the token: {message} ({source_hint}). Fix it by logging in again (`hf auth login`) or unsetting HF_TOKEN; HF_HUB_DISABLE_IMPLICIT_TOKEN=1 crawls anonymously")]
    InvalidToken {
        /// The Hub's message.
        message: String,
        /// Where the token came from (never the token).
        source_hint: String,
    },
    /// The Hub answered 400: a request it does not accept, which is a bug in this tool.
    #[error("the Hub rejected a request as invalid (HTTP 400) at {path}: {message}. This is a bug in hf-lineage; please report it with this line")]
    BadRequest {
        /// The path and query sent.
        path: String,
        /// The Hub's message (it names the field it refuses).
        message: String,
    },
}

impl FetchError {
    /// Whether this error stops the whole crawl (every later request would fail the same way).
    pub fn is_fatal(&self) -> bool {
        matches!(
            self,
            FetchError::InvalidToken { .. } | FetchError::BadRequest { .. }
        )
    }
}

/// A response, and whether it came from the network (and so still needs committing).
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The response.
    pub response: Arc<CachedResponse>,
    /// True when it was fetched in this run (not from the cache).
    pub fresh: bool,
}

/// The Hub client.
#[derive(Debug)]
pub struct HubClient {
    http: reqwest::Client,
    cfg: HubConfig,
    origin: url::Url,
    api: Bucket,
    resolvers: Bucket,
    cache: Option<Cache>,
    memo: Mutex<HashMap<String, Arc<AsyncMutex<Option<Fetched>>>>>,
    stats: Arc<Stats>,
    fatal: Mutex<Option<FetchError>>,
    cache_key: String,
}

/// Hops followed at most for one request (renames, the resolver's cache, a CDN).
const MAX_HOPS: usize = 5;

impl HubClient {
    /// A client for `cfg` (opens the cache when one is configured).
    pub fn new(cfg: HubConfig) -> Result<HubClient, super::HubError> {
        let origin =
            url::Url::parse(&cfg.endpoint).map_err(|source| super::HubError::Endpoint {
                endpoint: cfg.endpoint.clone(),
                source,
            })?;
        if !matches!(origin.scheme(), "http" | "https") || origin.host_str().is_none() {
            return Err(super::HubError::NotHttp {
                endpoint: cfg.endpoint.clone(),
            });
        }
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(cfg.timeout)
            .connect_timeout(cfg.timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("hf-lineage/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(super::HubError::Http)?;
        let cache = match &cfg.cache_path {
            Some(p) => Some(Cache::open(p)?),
            None => None,
        };
        let cache_key = match &cfg.token {
            Some(t) => format!("{} (token {})", cfg.endpoint, t.fingerprint()),
            None => cfg.endpoint.clone(),
        };
        Ok(HubClient {
            http,
            api: Bucket::new(BucketKind::Api, cfg.api_rate, cfg.explicit_rate),
            resolvers: Bucket::new(BucketKind::Resolvers, cfg.resolver_rate, cfg.explicit_rate),
            origin,
            cache,
            memo: Mutex::new(HashMap::new()),
            stats: Arc::new(Stats::default()),
            fatal: Mutex::new(None),
            cache_key,
            cfg,
        })
    }

    /// The counters.
    pub fn stats(&self) -> Arc<Stats> {
        self.stats.clone()
    }

    /// The configuration.
    pub fn config(&self) -> &HubConfig {
        &self.cfg
    }

    /// The cache key's first half: the endpoint, and which token is sent, told apart by a
    /// fingerprint (a truncated SHA-256, never the token). Answers fetched with one token
    /// (private repos) are never served to a run without it or with another.
    fn endpoint(&self) -> String {
        self.cache_key.clone()
    }

    /// The error that stopped the crawl, if one did (a refused token, a 400).
    pub fn fatal(&self) -> Option<FetchError> {
        self.fatal.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn set_fatal(&self, e: &FetchError) {
        let mut f = self.fatal.lock().unwrap_or_else(|e| e.into_inner());
        if f.is_none() {
            tracing::error!(error = %e, "stopping the crawl");
            *f = Some(e.clone());
        }
    }

    /// Turns an absolute URL into a path on the endpoint, or `None` if it is another origin.
    pub fn same_origin_path(&self, absolute: &str) -> Option<String> {
        let u = self.origin.join(absolute).ok()?;
        let same = u.scheme() == self.origin.scheme()
            && u.host_str() == self.origin.host_str()
            && u.port_or_known_default() == self.origin.port_or_known_default();
        if !same {
            return None;
        }
        let base = self.origin.path().trim_end_matches('/');
        let path = u.path();
        let rel = path.strip_prefix(base).unwrap_or(path);
        Some(match u.query() {
            Some(q) => format!("{rel}?{q}"),
            None => rel.to_string(),
        })
    }

    /// Commits responses of one unit (a repo, a listing) in one transaction.
    pub fn commit(&self, entries: &[(String, Arc<CachedResponse>)]) {
        let Some(cache) = &self.cache else { return };
        let rows: Vec<(String, CachedResponse)> = entries
            .iter()
            .map(|(u, r)| (u.clone(), (**r).clone()))
            .collect();
        if let Err(e) = cache.commit(&self.endpoint(), &rows) {
            tracing::warn!(error = %e, "cache write failed; continuing without caching this repo");
        }
    }

    /// Fetches a path on the endpoint (e.g. `/api/models/a/b?expand=tags`).
    pub async fn get(&self, path: &str, bucket: BucketKind) -> Result<Fetched, FetchError> {
        self.get_limited(path, bucket, None).await
    }

    /// The first `limit` bytes of a file (`/{repo}/resolve/main/x.gguf`): asked for with
    /// `Range: bytes=0-{limit-1}` on every hop (the CDN's too), and never read past `limit`
    /// even when a server ignores the range. Answers are `200` or `206`; cached apart from a
    /// whole read of the same path.
    pub async fn get_prefix(&self, path: &str, limit: usize) -> Result<Fetched, FetchError> {
        self.get_limited(path, BucketKind::Resolvers, Some(limit.max(1)))
            .await
    }

    async fn get_limited(
        &self,
        path: &str,
        bucket: BucketKind,
        limit: Option<usize>,
    ) -> Result<Fetched, FetchError> {
        if let Some(e) = self.fatal() {
            return Err(e);
        }
        let key = cache_key(path, limit);
        let slot = {
            let mut memo = self.memo.lock().unwrap_or_else(|e| e.into_inner());
            memo.entry(key).or_default().clone()
        };
        // Holding the slot's lock while fetching makes a second caller wait for the first.
        let mut slot = slot.lock().await;
        if let Some(done) = slot.as_ref() {
            return Ok(Fetched {
                response: done.response.clone(),
                fresh: false,
            });
        }
        let result = match self.get_uncached(path, bucket, limit).await {
            Ok(r) => r,
            Err(e) => {
                if e.is_fatal() {
                    self.set_fatal(&e);
                }
                return Err(e);
            }
        };
        *slot = Some(result.clone());
        Ok(result)
    }

    async fn get_uncached(
        &self,
        path: &str,
        bucket: BucketKind,
        limit: Option<usize>,
    ) -> Result<Fetched, FetchError> {
        let key = cache_key(path, limit);
        let cached = match self.cache_answer(&key)? {
            FromCache::Answer(f) => return Ok(f),
            FromCache::Stale(c) => c,
        };
        let bucket_ref = match bucket {
            BucketKind::Api => &self.api,
            BucketKind::Resolvers => &self.resolvers,
        };
        let etag = cached
            .as_ref()
            .and_then(|c| c.etag.clone())
            .filter(|_| !self.cfg.refresh);
        let retry = self.cfg.retry;
        let mut failures = 0u32;
        let mut limited = 0u32;
        let mut url = format!("{}{}", self.cfg.endpoint, path);
        let mut hops: Vec<String> = Vec::new();
        loop {
            if let Some(e) = self.fatal() {
                return Err(e);
            }
            let waited = bucket_ref.acquire().await;
            Stats::add(&self.stats.wait_ms, waited.as_millis() as u64);
            match bucket {
                BucketKind::Api => Stats::add(&self.stats.api_requests, 1),
                BucketKind::Resolvers => Stats::add(&self.stats.resolver_requests, 1),
            }
            match self
                .attempt(path, &url, bucket_ref, etag.as_deref(), limit)
                .await
            {
                Attempt::Done(r) => {
                    return Ok(Fetched {
                        response: Arc::new(r),
                        fresh: true,
                    })
                }
                Attempt::NotModified => {
                    if let (Some(cache), Some(mut c)) = (&self.cache, cached.clone()) {
                        let _ = cache.touch(&self.endpoint(), &key);
                        c.fetched_at = now_secs();
                        return Ok(Fetched {
                            response: Arc::new(c),
                            fresh: false,
                        });
                    }
                    return Err(FetchError::GaveUp {
                        attempts: failures + 1,
                        last: "304 without a cached copy".into(),
                    });
                }
                Attempt::Redirect(next) => {
                    hops.push(url.clone());
                    url = self.next_hop(path, &url, &next, bucket, &hops)?;
                }
                Attempt::Fatal(e) => return Err(e),
                Attempt::RateLimited(window_spent, retry_after) => {
                    Stats::add(&self.stats.too_many_requests, 1);
                    limited += 1;
                    if limited > retry.max_rate_limited {
                        return Err(FetchError::GaveUp {
                            attempts: failures + limited,
                            last: "429 Too Many Requests, repeatedly".into(),
                        });
                    }
                    Self::wait_out_429(path, bucket_ref, window_spent, retry_after, limited, retry)
                        .await;
                }
                Attempt::Retry(why) => {
                    failures += 1;
                    if failures >= retry.max_attempts {
                        return Err(FetchError::GaveUp {
                            attempts: failures,
                            last: why,
                        });
                    }
                    Stats::add(&self.stats.retries, 1);
                    let backoff = retry.backoff(failures);
                    tracing::info!(path, attempt = failures, backoff_ms = backoff.as_millis() as u64, reason = %why, "retrying");
                    tokio::time::sleep(backoff).await;
                }
            }
        }
    }

    /// What the cache can answer for a path without a request: its copy when offline (or an
    /// error when it has none), or when the copy is younger than `--max-age` (unless
    /// `--refresh`); otherwise the stale copy, if any, for a conditional request.
    fn cache_answer(&self, path: &str) -> Result<FromCache, FetchError> {
        let cached = self
            .cache
            .as_ref()
            .and_then(|c| c.get(&self.endpoint(), path).ok().flatten());
        if self.cfg.offline {
            return match cached {
                Some(c) => {
                    Stats::add(&self.stats.cache_hits, 1);
                    Ok(FromCache::Answer(Fetched {
                        response: Arc::new(c),
                        fresh: false,
                    }))
                }
                None => Err(FetchError::Offline),
            };
        }
        if let Some(c) = &cached {
            let age = now_secs().saturating_sub(c.fetched_at);
            if !self.cfg.refresh && age < self.cfg.max_age.as_secs() {
                Stats::add(&self.stats.cache_hits, 1);
                tracing::debug!(path, "cache hit");
                return Ok(FromCache::Answer(Fetched {
                    response: Arc::new(c.clone()),
                    fresh: false,
                }));
            }
        }
        Ok(FromCache::Stale(cached))
    }

    /// After a 429: when the window is spent, the whole bucket waits for its reset; with
    /// budget left, only this request backs off (`Retry-After`, else the retry backoff).
    async fn wait_out_429(
        path: &str,
        bucket: &Bucket,
        window_spent: Option<Duration>,
        retry_after: Option<Duration>,
        limited: u32,
        retry: RetryPolicy,
    ) {
        match window_spent {
            Some(wait) => {
                tracing::warn!(
                    path,
                    wait_s = wait.as_secs_f64(),
                    "429 Too Many Requests, window spent; waiting for its reset"
                );
                bucket.exhausted(wait);
            }
            None => {
                let wait = retry_after.unwrap_or_else(|| retry.backoff(limited));
                tracing::info!(
                    path,
                    wait_ms = wait.as_millis() as u64,
                    "429 Too Many Requests with budget left; backing off this request"
                );
                tokio::time::sleep(wait).await;
            }
        }
    }
}

/// What the cache gives a request.
enum FromCache {
    /// The answer, with no request.
    Answer(Fetched),
    /// A request is needed; the stale copy, if any, for `If-None-Match`.
    Stale(Option<CachedResponse>),
}

/// What the memo and the cache keep an answer under: the path, and for a prefix read the range
/// after a `#` (never sent: only the path is).
pub fn cache_key(path: &str, limit: Option<usize>) -> String {
    match limit {
        Some(n) => format!("{path}#bytes=0-{}", n - 1),
        None => path.to_string(),
    }
}

#[cfg(test)]
mod tests;
