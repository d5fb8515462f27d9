//! The HTTP client: the only code that talks to the Hub.
//!
//! One [`HubClient::get`] call goes: memo (never the same URL twice in a run) → cache (fresh hit:
//! no request; stale: revalidate with the ETag) → bucket (governor + the server's window) →
//! request → retry decision (429 waits as the server says; 408, 5xx, timeouts and resets back
//! off exponentially with jitter, capped). The token goes only to the configured endpoint: URLs
//! are always built from it, and redirects to any other host are refused, not followed.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::Rng;
use reqwest::header::{HeaderMap, AUTHORIZATION, ETAG, IF_NONE_MATCH, LINK, RETRY_AFTER};
use tokio::sync::Mutex as AsyncMutex;

use super::cache::{now_secs, Cache, CachedResponse};
use super::ratelimit::{parse_policy, parse_ratelimit, Bucket, BucketKind, ServerState};
use super::HubConfig;

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
pub enum FetchError {
    /// `HF_HUB_OFFLINE` is set and the URL is not cached.
    #[error("offline (HF_HUB_OFFLINE is set) and not in the cache")]
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
}

enum Attempt {
    Done(CachedResponse),
    NotModified,
    Retry(String),
    RateLimited(Duration),
    Fatal(FetchError),
}

impl HubClient {
    /// A client for `cfg` (opens the cache when one is configured).
    pub fn new(cfg: HubConfig) -> Result<HubClient, super::HubError> {
        let origin = url::Url::parse(&cfg.endpoint).map_err(|e| super::HubError::Endpoint {
            endpoint: cfg.endpoint.clone(),
            reason: e.to_string(),
        })?;
        if !matches!(origin.scheme(), "http" | "https") || origin.host_str().is_none() {
            return Err(super::HubError::Endpoint {
                endpoint: cfg.endpoint.clone(),
                reason: "must be an http(s) URL with a host".into(),
            });
        }
        let allowed = origin.clone();
        let policy = reqwest::redirect::Policy::custom(move |attempt| {
            let same = attempt.url().scheme() == allowed.scheme()
                && attempt.url().host_str() == allowed.host_str()
                && attempt.url().port_or_known_default() == allowed.port_or_known_default();
            if !same {
                attempt.stop()
            } else if attempt.previous().len() >= 5 || attempt.previous().contains(attempt.url()) {
                attempt.error("redirect loop")
            } else {
                attempt.follow()
            }
        });
        let http = reqwest::Client::builder()
            .redirect(policy)
            .timeout(cfg.timeout)
            .connect_timeout(cfg.timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("hf-lineage/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| super::HubError::Endpoint {
                endpoint: cfg.endpoint.clone(),
                reason: e.to_string(),
            })?;
        let cache = match &cfg.cache_path {
            Some(p) => Some(Cache::open(p)?),
            None => None,
        };
        Ok(HubClient {
            http,
            api: Bucket::new(BucketKind::Api, cfg.api_rate),
            resolvers: Bucket::new(BucketKind::Resolvers, cfg.resolver_rate),
            origin,
            cache,
            memo: Mutex::new(HashMap::new()),
            stats: Arc::new(Stats::default()),
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

    /// The cache key's first half: the endpoint, and whether a token is sent. Answers fetched
    /// with a token (private repos) are never served to a run without one. The token itself is
    /// not part of the key, and is never stored.
    fn endpoint(&self) -> String {
        match self.cfg.token {
            Some(_) => format!("{} (authenticated)", self.cfg.endpoint),
            None => self.cfg.endpoint.clone(),
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
        let slot = {
            let mut memo = self.memo.lock().unwrap_or_else(|e| e.into_inner());
            memo.entry(path.to_string()).or_default().clone()
        };
        // Holding the slot's lock while fetching makes a second caller wait for the first.
        let mut slot = slot.lock().await;
        if let Some(done) = slot.as_ref() {
            return Ok(Fetched {
                response: done.response.clone(),
                fresh: false,
            });
        }
        let result = self.get_uncached(path, bucket).await?;
        *slot = Some(result.clone());
        Ok(result)
    }

    async fn get_uncached(&self, path: &str, bucket: BucketKind) -> Result<Fetched, FetchError> {
        let cached = self
            .cache
            .as_ref()
            .and_then(|c| c.get(&self.endpoint(), path).ok().flatten());
        if self.cfg.offline {
            return match cached {
                Some(c) => {
                    Stats::add(&self.stats.cache_hits, 1);
                    Ok(Fetched {
                        response: Arc::new(c),
                        fresh: false,
                    })
                }
                None => Err(FetchError::Offline),
            };
        }
        if let Some(c) = &cached {
            let age = now_secs().saturating_sub(c.fetched_at);
            if !self.cfg.refresh && age < self.cfg.max_age.as_secs() {
                Stats::add(&self.stats.cache_hits, 1);
                tracing::debug!(path, "cache hit");
                return Ok(Fetched {
                    response: Arc::new(c.clone()),
                    fresh: false,
                });
            }
        }
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
        loop {
            let waited = bucket_ref.acquire().await;
            Stats::add(&self.stats.wait_ms, waited.as_millis() as u64);
            match bucket {
                BucketKind::Api => Stats::add(&self.stats.api_requests, 1),
                BucketKind::Resolvers => Stats::add(&self.stats.resolver_requests, 1),
            }
            match self.attempt(path, bucket_ref, etag.as_deref()).await {
                Attempt::Done(r) => {
                    return Ok(Fetched {
                        response: Arc::new(r),
                        fresh: true,
                    })
                }
                Attempt::NotModified => {
                    if let (Some(cache), Some(mut c)) = (&self.cache, cached.clone()) {
                        let _ = cache.touch(&self.endpoint(), path);
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
                Attempt::Fatal(e) => return Err(e),
                Attempt::RateLimited(wait) => {
                    Stats::add(&self.stats.too_many_requests, 1);
                    limited += 1;
                    if limited > retry.max_rate_limited {
                        return Err(FetchError::GaveUp {
                            attempts: failures + limited,
                            last: "429 Too Many Requests, repeatedly".into(),
                        });
                    }
                    tracing::warn!(
                        path,
                        wait_s = wait.as_secs_f64(),
                        "429 Too Many Requests; waiting as the server asks"
                    );
                    bucket_ref.exhausted(wait);
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

    async fn attempt(&self, path: &str, bucket: &Bucket, etag: Option<&str>) -> Attempt {
        let url = format!("{}{}", self.cfg.endpoint, path);
        let mut req = self.http.get(&url);
        if let Some(token) = &self.cfg.token {
            // URLs are built from the endpoint, so the token only ever goes to its host.
            req = req.header(AUTHORIZATION, token.bearer());
        }
        if let Some(e) = etag {
            req = req.header(IF_NONE_MATCH, e);
        }
        tracing::debug!(path, "GET");
        let started = Instant::now();
        let resp = match req.send().await {
            Ok(r) => r,
            Err(e) => {
                bucket.finish(None);
                if e.is_redirect() {
                    return Attempt::Fatal(FetchError::Redirect(format!(
                        "redirect loop at {path}"
                    )));
                }
                return Attempt::Retry(describe(&e));
            }
        };
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        bucket.finish(server_state(bucket, &headers));
        if status == 429 {
            return Attempt::RateLimited(retry_wait(bucket, &headers));
        }
        if status == 304 {
            return Attempt::NotModified;
        }
        if (300..400).contains(&status) {
            let to = headers
                .get("location")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("?");
            return Attempt::Fatal(FetchError::Redirect(format!(
                "redirect to another host ({to}) refused"
            )));
        }
        if status == 408 || status >= 500 {
            return Attempt::Retry(format!("HTTP {status}"));
        }
        let final_url = self
            .same_origin_path(resp.url().as_str())
            .unwrap_or_else(|| path.to_string());
        let body = match read_body(resp).await {
            Ok(b) => b,
            Err(BodyError::TooLarge) => return Attempt::Fatal(FetchError::TooLarge),
            Err(BodyError::Io(e)) => return Attempt::Retry(e),
        };
        tracing::debug!(
            path,
            status,
            ms = started.elapsed().as_millis() as u64,
            bytes = body.len(),
            "response"
        );
        let header = |h: &str| {
            headers
                .get(h)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        Attempt::Done(CachedResponse {
            status,
            body,
            etag: headers
                .get(ETAG)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
            sha: header("x-repo-commit"),
            final_url,
            error_code: header("x-error-code"),
            next: headers
                .get(LINK)
                .and_then(|v| v.to_str().ok())
                .and_then(next_link),
            fetched_at: now_secs(),
        })
    }
}

fn describe(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timeout"
    } else if e.is_connect() {
        "connection failed"
    } else if e.is_body() || e.is_decode() {
        "body interrupted"
    } else {
        "request failed"
    };
    let mut msg = String::new();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        if !msg.is_empty() {
            msg.push_str(": ");
        }
        msg.push_str(&s.to_string());
        src = s.source();
    }
    format!("{kind} ({msg})")
}

enum BodyError {
    TooLarge,
    Io(String),
}

async fn read_body(mut resp: reqwest::Response) -> Result<Vec<u8>, BodyError> {
    if resp
        .content_length()
        .is_some_and(|n| n as usize > MAX_BODY_BYTES)
    {
        return Err(BodyError::TooLarge);
    }
    let mut body = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > MAX_BODY_BYTES {
                    return Err(BodyError::TooLarge);
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(body),
            Err(e) => return Err(BodyError::Io(describe(&e))),
        }
    }
}

fn server_state(bucket: &Bucket, headers: &HeaderMap) -> Option<ServerState> {
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

/// How long a 429 asks us to wait: `Retry-After`, else the bucket's reset, else 5 seconds.
fn retry_wait(bucket: &Bucket, headers: &HeaderMap) -> Duration {
    let retry_after = headers
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let reset = headers
        .get_all("ratelimit")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| parse_ratelimit(v, bucket.kind().name()))
        .map(|(_, t)| t);
    let secs = retry_after.or(reset).unwrap_or(5).min(600);
    Duration::from_secs(secs) + Duration::from_millis(250)
}

/// The `rel="next"` target of a `Link` header.
pub fn next_link(value: &str) -> Option<String> {
    for part in value.split(',') {
        let mut pieces = part.split(';');
        let target = pieces.next()?.trim();
        let is_next = pieces.any(|p| {
            let p = p.trim().replace(' ', "");
            p == "rel=\"next\"" || p == "rel=next"
        });
        if is_next {
            return Some(
                target
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_string(),
            );
        }
    }
    None
}

/// Retry policy: attempts and capped, jittered exponential backoff.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts before giving up on 408/5xx/timeouts/resets.
    pub max_attempts: u32,
    /// 429s tolerated for one URL before giving up.
    pub max_rate_limited: u32,
    /// The first backoff.
    pub base: Duration,
    /// The longest backoff.
    pub cap: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 6,
            max_rate_limited: 20,
            base: Duration::from_millis(500),
            cap: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// The backoff before retry number `n` (1-based): base·2^(n-1), capped, with "equal jitter".
    pub fn backoff(&self, n: u32) -> Duration {
        let exp = self
            .base
            .saturating_mul(1u32 << n.saturating_sub(1).min(16))
            .min(self.cap);
        let half = exp / 2;
        half + half.mul_f64(rand::rng().random::<f64>())
    }
}

#[cfg(test)]
mod tests {
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
}
