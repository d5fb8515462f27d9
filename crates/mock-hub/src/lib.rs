//! A local Hugging Face Hub on 127.0.0.1 that answers the way the production Hub does, as
//! recorded in `../shared/reference/hub-api.md` ("Production behaviour"), not the way our
//! crawler would like it to. Where the facts are unsure, it takes the stricter reading.
//!
//! What it reproduces:
//! - `GET /api/{models,datasets,spaces}/{id}` and the listings `GET /api/{models,datasets,spaces}`,
//!   with `expand` validated **per kind and per route** (the models listing refuses `baseModels`,
//!   `childrenModelCount`, `usedStorage`) and refused next to `full`/`cardData`/`config`: a 400
//!   `Invalid option "X" in expand: …`;
//! - `childrenModelCount` as an object per relation, `baseModels` (detail route only), a model's
//!   `spaces` capped at 100, and `GET /api/spaces?models=<id>` / `?datasets=<id>`;
//! - tags `base_model:<id>` and `base_model:<relation>:<id>` written with the card's spelling
//!   (unverified which spelling the Hub keeps after a rename: the stricter choice), tag filters
//!   matched case-sensitively (also unverified: stricter);
//! - errors: an anonymous request for a missing or private repo is 401 `RepoNotFound` (404 with
//!   a token); a token it does not know is 401 `Invalid credentials in Authorization header` on
//!   every route; a disabled repo is 403 `Access to this resource is disabled.`; other 403s carry
//!   their own message;
//! - `/{prefix}{id}/resolve/{rev}/README.md` answers 307 into `/api/resolve-cache/…` on the same
//!   host, and large files redirect to another host (a CDN) when one is configured;
//! - `RateLimit` / `RateLimit-Policy` on **every** response (a switch turns them off), fixed
//!   windows per bucket with the anonymous quotas by default, 429 with `Retry-After`;
//! - renames (307), a redirect loop, ETags and 304s, and injected faults (random 5xx, latency,
//!   slow responses, connection resets, a `Link` header pointing at another host).
//!
//! Every request is logged with its path, query, `Authorization` header and status.
#![allow(clippy::result_large_err)]

mod data;
mod routes;

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{HeaderValue, Request, Response, StatusCode};
use serde_json::{json, Value};

pub use data::{card_data, family, finish, from_snapshot, gguf_header};

/// One repo the mock serves.
#[derive(Debug, Clone, Default)]
pub struct MockRepo {
    /// `models`, `datasets` or `spaces`.
    pub kind: &'static str,
    /// The canonical id.
    pub id: String,
    /// The full API body (every field the Hub could return).
    pub info: Value,
    /// The README text.
    pub readme: Option<String>,
    /// When set, the repo is private: only this token sees it.
    pub private_token: Option<String>,
    /// When set, every request for the repo is a 403 with this `X-Error-Message`
    /// (`Access to this resource is disabled.` for a disabled repo).
    pub forbidden: Option<String>,
    /// Files besides README.md (path → bytes), served by the resolver (and the CDN from
    /// `cdn_min_bytes`); their names are added to `siblings` when missing.
    pub files: std::collections::BTreeMap<String, Vec<u8>>,
}

impl MockRepo {
    /// A public model with this API body (its `id` is set from `id`).
    pub fn model(id: &str, mut info: Value, readme: Option<&str>) -> MockRepo {
        if info.is_object() {
            info["id"] = json!(id);
        }
        MockRepo {
            kind: "models",
            id: id.to_string(),
            info,
            readme: readme.map(str::to_string),
            ..Default::default()
        }
    }
}

/// The message of a 403 for a disabled repo.
pub const DISABLED_MESSAGE: &str = "Access to this resource is disabled.";
/// The message of a 401 for a token the Hub does not accept.
pub const INVALID_TOKEN_MESSAGE: &str = "Invalid credentials in Authorization header";

/// Faults and limits.
#[derive(Debug, Clone)]
pub struct MockConfig {
    /// How `t` (seconds to the window's reset) is made whole: the Hub's own rounding is not
    /// documented, so the default is the strictest, `Floor` (the window ends up to a second
    /// after `t` says).
    pub reset_rounding: Rounding,
    /// Added to every response.
    pub latency: Duration,
    /// Probability of a 5xx on any request (seeded, reproducible).
    pub error_rate: f64,
    /// RNG seed for faults.
    pub seed: u64,
    /// `(quota, window seconds)` of the `api` bucket (default: anonymous, 500 per 300 s).
    pub api_quota: (u64, u64),
    /// `(quota, window seconds)` of the `resolvers` bucket (default: anonymous, 3,000 per 300 s).
    pub resolver_quota: (u64, u64),
    /// Whether responses carry `RateLimit`/`RateLimit-Policy` (the Hub always sends them; turn
    /// off to play a mirror that announces nothing). Quotas are enforced either way.
    pub announce_limits: bool,
    /// Largest listing page (the Hub pages at up to 1,000; small pages exercise pagination).
    pub page_size: usize,
    /// Tokens the Hub accepts besides the private repos' own (any other token is invalid).
    pub valid_tokens: Vec<String>,
    /// Paths (without query) answered after this delay, once each.
    pub slow_once: HashMap<String, Duration>,
    /// Paths (without query) whose first response is cut off mid-body (a reset).
    pub reset_once: HashSet<String>,
    /// Paths (without query) whose first request gets a 429 although the window's budget is not
    /// spent (`r > 0`), with `Retry-After: 1` (a per-request throttle).
    pub throttle_once: HashSet<String>,
    /// When set, listing pages link their next page on this origin (another host).
    pub foreign_next: Option<String>,
    /// When set, files of at least `cdn_min_bytes` redirect from the resolve cache to this
    /// origin (another host, playing the CDN: serve it with [`MockHub::start_cdn`]).
    pub cdn: Option<String>,
    /// Size from which files go to the CDN.
    pub cdn_min_bytes: usize,
    /// Answer `Range` requests with the whole file (200), as a server that ignores them.
    pub ignore_range: bool,
    /// `expand` values refused on every route besides the Hub's own rules (plays a Hub whose
    /// accepted set changed under us).
    pub refuse_expand: Vec<String>,
}

/// How the mock makes `t` in `RateLimit` a whole number of seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Rounding {
    /// Down: the window ends up to a second after `t` says (the strictest for a client).
    #[default]
    Floor,
    /// To the nearest second.
    Nearest,
    /// Up: the window ends before `t` says.
    Ceil,
}

impl Default for MockConfig {
    fn default() -> Self {
        MockConfig {
            reset_rounding: Rounding::Floor,
            latency: Duration::ZERO,
            error_rate: 0.0,
            seed: 1,
            api_quota: (500, 300),
            resolver_quota: (3000, 300),
            announce_limits: true,
            page_size: 1000,
            valid_tokens: vec![],
            slow_once: HashMap::new(),
            reset_once: HashSet::new(),
            throttle_once: HashSet::new(),
            foreign_next: None,
            cdn: None,
            cdn_min_bytes: 64 * 1024,
            ignore_range: false,
            refuse_expand: vec![],
        }
    }
}

/// One logged request.
#[derive(Debug, Clone)]
pub struct Logged {
    /// The path.
    pub path: String,
    /// The raw query string.
    pub query: String,
    /// The `Authorization` header, when sent.
    pub auth: Option<String>,
    /// The status answered.
    pub status: u16,
    /// The `Range` header, when sent.
    pub range: Option<String>,
}

impl Logged {
    /// Whether the request counted against the `api` bucket (not a file through the resolver).
    pub fn is_api(&self) -> bool {
        bucket_of(&self.path) == "api"
    }
}

struct Window {
    start: Instant,
    count: u64,
}

/// The server's state (shared with its handlers).
pub struct State {
    repos: HashMap<(String, String), MockRepo>,
    renames: HashMap<(String, String), String>,
    loops: HashSet<(String, String)>,
    /// Faults and limits, changeable while running.
    pub config: Mutex<MockConfig>,
    /// Every request.
    pub log: Mutex<Vec<Logged>>,
    windows: Mutex<HashMap<&'static str, Window>>,
    rng: Mutex<u64>,
    /// Requests counted against `api`.
    pub api_requests: AtomicU64,
    /// Requests counted against `resolvers`.
    pub resolver_requests: AtomicU64,
    /// 429s answered.
    pub too_many: AtomicU64,
    /// File body bytes handed to the connection (counted as the client reads them, in chunks
    /// of 16 KiB: a client that stops reading stops the count).
    pub body_bytes: Arc<AtomicU64>,
    base: Mutex<String>,
}

impl State {
    fn new(
        repos: Vec<MockRepo>,
        renames: &[(&str, &str, &str)],
        loops: &[(&str, &str)],
        config: MockConfig,
    ) -> State {
        let mut map = HashMap::new();
        for mut r in repos {
            data::list_files(&mut r);
            map.insert((r.kind.to_string(), r.id.to_ascii_lowercase()), r);
        }
        let renames: HashMap<(String, String), String> = renames
            .iter()
            .map(|(k, o, n)| ((k.to_string(), o.to_ascii_lowercase()), n.to_string()))
            .collect();
        data::derive(&mut map, &renames);
        State {
            repos: map,
            renames,
            loops: loops
                .iter()
                .map(|(k, i)| (k.to_string(), i.to_ascii_lowercase()))
                .collect(),
            rng: Mutex::new(config.seed),
            config: Mutex::new(config),
            log: Mutex::new(vec![]),
            windows: Mutex::new(HashMap::new()),
            api_requests: AtomicU64::new(0),
            resolver_requests: AtomicU64::new(0),
            too_many: AtomicU64::new(0),
            body_bytes: Arc::new(AtomicU64::new(0)),
            base: Mutex::new(String::new()),
        }
    }

    fn get(&self, kind: &str, id: &str) -> Option<&MockRepo> {
        self.repos.get(&(kind.to_string(), id.to_ascii_lowercase()))
    }

    fn base(&self) -> String {
        self.base.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Whether a token is one the Hub accepts.
    fn token_known(&self, cfg: &MockConfig, token: &str) -> bool {
        cfg.valid_tokens.iter().any(|t| t == token)
            || self
                .repos
                .values()
                .any(|r| r.private_token.as_deref() == Some(token))
    }
}

/// A running mock.
pub struct MockHub {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its state.
    pub state: Arc<State>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl MockHub {
    /// Serves `repos` on 127.0.0.1 (a free port).
    pub fn start(repos: Vec<MockRepo>, config: MockConfig) -> MockHub {
        Self::start_on("127.0.0.1:0", repos, config)
    }

    /// Serves on the given address.
    pub fn start_on(bind: &str, repos: Vec<MockRepo>, config: MockConfig) -> MockHub {
        Self::serve(bind, State::new(repos, &[], &[], config))
    }

    /// A second host playing the CDN for `hub`'s large files (serves `/cdn/…` from the same
    /// repos); bind it on another loopback address, e.g. `127.0.0.2:0`.
    pub fn start_cdn(bind: &str, repos: Vec<MockRepo>) -> MockHub {
        Self::start_on(bind, repos, MockConfig::default())
    }

    /// Serves `repos` with renames (`(kind, old, new)`: requests for `old` redirect with a 307)
    /// and redirect loops (`(kind, id)`).
    pub fn with_rename(
        repos: Vec<MockRepo>,
        renames: &[(&str, &str, &str)],
        loops: &[(&str, &str)],
        config: MockConfig,
    ) -> MockHub {
        Self::serve("127.0.0.1:0", State::new(repos, renames, loops, config))
    }

    fn serve(bind: &str, state: State) -> MockHub {
        let state = Arc::new(state);
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let st = state.clone();
        let bind = bind.to_string();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("tokio runtime");
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind(&bind)
                    .await
                    .expect("bind the mock's address");
                let addr = listener.local_addr().expect("local address");
                *st.base.lock().unwrap_or_else(|e| e.into_inner()) = format!("http://{addr}");
                let _ = addr_tx.send(addr);
                let app = axum::Router::new().fallback(move |req: Request<Body>| {
                    let st = st.clone();
                    async move { handle(st, req).await }
                });
                let _ = axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = rx.await;
                    })
                    .await;
            });
        });
        let addr = addr_rx.recv().expect("the mock started");
        MockHub {
            addr,
            state,
            shutdown: Some(tx),
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The request log so far.
    pub fn requests(&self) -> Vec<Logged> {
        self.state
            .log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Clears the log and counters.
    pub fn reset_log(&self) {
        self.state
            .log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
        self.state.api_requests.store(0, Ordering::SeqCst);
        self.state.resolver_requests.store(0, Ordering::SeqCst);
        self.state.too_many.store(0, Ordering::SeqCst);
        self.state.body_bytes.store(0, Ordering::SeqCst);
    }

    /// Changes faults and limits.
    pub fn configure(&self, f: impl FnOnce(&mut MockConfig)) {
        f(&mut self.state.config.lock().unwrap_or_else(|e| e.into_inner()));
    }
}

impl Drop for MockHub {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn next_random(st: &State) -> f64 {
    // splitmix64: well mixed from the first draw, reproducible from the seed.
    let mut s = st.rng.lock().unwrap_or_else(|e| e.into_inner());
    *s = s.wrapping_add(0x9E3779B97F4A7C15);
    let mut z = *s;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D049BB133111EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

/// Which bucket a path counts against: file downloads and the resolve cache are `resolvers`.
fn bucket_of(path: &str) -> &'static str {
    if path.starts_with("/api/resolve-cache/") || path.contains("/resolve/") {
        "resolvers"
    } else {
        "api"
    }
}

async fn handle(st: Arc<State>, req: Request<Body>) -> Response<Body> {
    let path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or("").to_string();
    let headers = req.headers().clone();
    if path == "/_mock/stats" {
        let body = json!({
            "api_requests": st.api_requests.load(Ordering::SeqCst),
            "resolver_requests": st.resolver_requests.load(Ordering::SeqCst),
            "too_many_requests": st.too_many.load(Ordering::SeqCst),
            "body_bytes": st.body_bytes.load(Ordering::SeqCst),
        });
        return Response::new(Body::from(body.to_string()));
    }
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let bucket = bucket_of(&path);
    match bucket {
        "api" => st.api_requests.fetch_add(1, Ordering::SeqCst),
        _ => st.resolver_requests.fetch_add(1, Ordering::SeqCst),
    };
    let cfg = st.config.lock().unwrap_or_else(|e| e.into_inner()).clone();
    if !cfg.latency.is_zero() {
        tokio::time::sleep(cfg.latency).await;
    }
    let slow = st
        .config
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .slow_once
        .remove(&path);
    if let Some(d) = slow {
        tokio::time::sleep(d).await;
    }
    // Fixed windows per bucket; the request counts whether or not it succeeds.
    let (q, w) = if bucket == "api" {
        cfg.api_quota
    } else {
        cfg.resolver_quota
    };
    let (remaining, reset, over) = {
        let mut windows = st.windows.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        let win = windows.entry(bucket).or_insert(Window {
            start: now,
            count: 0,
        });
        if now.duration_since(win.start) >= Duration::from_secs(w) {
            win.start = now;
            win.count = 0;
        }
        let over = win.count >= q;
        if !over {
            win.count += 1;
        }
        let left = Duration::from_secs(w).saturating_sub(now.duration_since(win.start));
        let secs = left.as_secs_f64();
        let t = match cfg.reset_rounding {
            Rounding::Ceil => secs.ceil(),
            Rounding::Floor => secs.floor(),
            Rounding::Nearest => secs.round(),
        };
        (q.saturating_sub(win.count), t as u64, over)
    };
    let throttled = st
        .config
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .throttle_once
        .remove(&path);
    let mut resp = if throttled {
        st.too_many.fetch_add(1, Ordering::SeqCst);
        let mut r = error(429, "", "Too many requests for this resource; retry later");
        r.headers_mut()
            .insert("retry-after", HeaderValue::from(1u64));
        r
    } else if over {
        st.too_many.fetch_add(1, Ordering::SeqCst);
        let mut r = error(429, "", "You have been rate-limited; retry later");
        r.headers_mut()
            .insert("retry-after", HeaderValue::from(reset));
        r
    } else {
        routes::route(&st, &cfg, &path, &query, &headers, auth.as_deref())
    };
    if cfg.announce_limits {
        let h = resp.headers_mut();
        if let Ok(v) = HeaderValue::from_str(&format!("\"{bucket}\";r={remaining};t={reset}")) {
            h.insert("ratelimit", v);
        }
        if let Ok(v) = HeaderValue::from_str(&format!("\"fixed window\";\"{bucket}\";q={q};w={w}"))
        {
            h.insert("ratelimit-policy", v);
        }
    }
    // Faults: random 5xx (after the quota, so a 5xx still counts), cut-off bodies.
    if resp.status() != StatusCode::TOO_MANY_REQUESTS
        && cfg.error_rate > 0.0
        && next_random(&st) < cfg.error_rate
    {
        let code = [500u16, 502, 503][(next_random(&st) * 3.0) as usize % 3];
        let keep = resp.headers().clone();
        resp = error(code, "", "injected fault");
        for k in ["ratelimit", "ratelimit-policy"] {
            if let Some(v) = keep.get(k) {
                resp.headers_mut().insert(k, v.clone());
            }
        }
    }
    let reset_now = st
        .config
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .reset_once
        .remove(&path);
    if reset_now {
        let mut r = Response::new(Body::from_stream(cut_off_stream()));
        *r.headers_mut() = resp.headers().clone();
        r.headers_mut().remove("content-length");
        resp = r;
    }
    st.log
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(Logged {
            path,
            query,
            auth,
            status: resp.status().as_u16(),
            range: headers
                .get("range")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
        });
    resp
}

/// A body that sends a few bytes and then fails: the connection is cut mid-response.
fn cut_off_stream(
) -> impl futures_util::Stream<Item = Result<Vec<u8>, std::io::Error>> + Send + 'static {
    futures_util::stream::iter(vec![
        Ok(b"{\"id\": \"trunc".to_vec()),
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "reset",
        )),
    ])
}

/// A JSON error the way the Hub sends one: `{"error": msg}`, `X-Error-Code`, `X-Error-Message`.
fn error(status: u16, code: &str, msg: &str) -> Response<Body> {
    let mut r = Response::new(Body::from(json!({ "error": msg }).to_string()));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let h = r.headers_mut();
    if !code.is_empty() {
        if let Ok(v) = HeaderValue::from_str(code) {
            h.insert("x-error-code", v);
        }
    }
    if let Ok(v) = HeaderValue::from_str(msg) {
        h.insert("x-error-message", v);
    }
    h.insert("content-type", HeaderValue::from_static("application/json"));
    r
}
