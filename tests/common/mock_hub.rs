//! A mock Hugging Face Hub on 127.0.0.1 that answers like the documented API
//! (../shared/reference/hub-api.md): `/api/{models,datasets,spaces}/{id}` with `expand`,
//! `/api/models?filter=…` listings with `Link: rel="next"` pagination and `X-Total-Count`,
//! `/{prefix}{id}/resolve/{rev}/README.md`, `RateLimit`/`RateLimit-Policy` headers on every
//! response in fixed windows per bucket, 429 with `Retry-After`, 307 for renamed repos,
//! 401/404 with `X-Error-Code` for private and missing repos, ETags and 304s.
//! Faults can be injected: random 5xx, latency, slow responses, connection resets, a redirect
//! loop, and a `Link` header that points at another host. Every request is logged.
//!
//! Used by the integration tests and, through `examples/mock_hub.rs`, by the crawl benchmark.
#![allow(dead_code, clippy::result_large_err)]

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Request, Response, StatusCode};
use serde_json::{json, Value};

/// One repo the mock serves.
#[derive(Debug, Clone)]
pub struct MockRepo {
    /// `models`, `datasets` or `spaces`.
    pub kind: &'static str,
    /// The canonical id.
    pub id: String,
    /// The full API body (all fields).
    pub info: Value,
    /// The README text.
    pub readme: Option<String>,
    /// When set, the repo is private: only this token sees it.
    pub private_token: Option<String>,
}

/// Faults and limits.
#[derive(Debug, Clone, Default)]
pub struct MockConfig {
    /// Added to every response.
    pub latency: Duration,
    /// Probability of a 5xx on any request (seeded, reproducible).
    pub error_rate: f64,
    /// RNG seed for faults.
    pub seed: u64,
    /// `(quota, window seconds)` for the api bucket.
    pub api_quota: Option<(u64, u64)>,
    /// `(quota, window seconds)` for the resolvers bucket.
    pub resolver_quota: Option<(u64, u64)>,
    /// Listing page size (the real Hub uses 500–1000; small pages exercise pagination).
    pub page_size: usize,
    /// Paths (without query) answered after this delay, once each.
    pub slow_once: HashMap<String, Duration>,
    /// Paths (without query) whose first response is cut off mid-body (a reset).
    pub reset_once: HashSet<String>,
    /// When set, listing pages link their next page on this origin (another host).
    pub foreign_next: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Logged {
    pub path: String,
    pub query: String,
    pub auth: Option<String>,
    pub status: u16,
}

struct Window {
    start: Instant,
    count: u64,
}

pub struct State {
    repos: HashMap<(String, String), MockRepo>,
    renames: HashMap<(String, String), String>,
    loops: HashSet<(String, String)>,
    pub config: Mutex<MockConfig>,
    pub log: Mutex<Vec<Logged>>,
    windows: Mutex<HashMap<&'static str, Window>>,
    rng: Mutex<u64>,
    pub api_requests: AtomicU64,
    pub resolver_requests: AtomicU64,
    pub too_many: AtomicU64,
    base: Mutex<String>,
}

/// A running mock.
pub struct MockHub {
    pub addr: SocketAddr,
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
        let mut map = HashMap::new();
        for r in repos {
            map.insert((r.kind.to_string(), r.id.to_ascii_lowercase()), r);
        }
        let state = Arc::new(State {
            repos: map,
            renames: HashMap::new(),
            loops: HashSet::new(),
            rng: Mutex::new(
                config
                    .seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407)
                    | 1,
            ),
            config: Mutex::new(config),
            log: Mutex::new(vec![]),
            windows: Mutex::new(HashMap::new()),
            api_requests: AtomicU64::new(0),
            resolver_requests: AtomicU64::new(0),
            too_many: AtomicU64::new(0),
            base: Mutex::new(String::new()),
        });
        Self::serve(bind, state)
    }

    fn serve(bind: &str, state: Arc<State>) -> MockHub {
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let st = state.clone();
        let bind = bind.to_string();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind(&bind).await.unwrap();
                let addr = listener.local_addr().unwrap();
                *st.base.lock().unwrap() = format!("http://{addr}");
                addr_tx.send(addr).unwrap();
                let app = axum::Router::new().fallback(move |req: Request<Body>| {
                    let st = st.clone();
                    async move { handle(st, req).await }
                });
                axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = rx.await;
                    })
                    .await
                    .unwrap();
            });
        });
        let addr = addr_rx.recv().unwrap();
        MockHub {
            addr,
            state,
            shutdown: Some(tx),
            thread: Some(thread),
        }
    }

    /// Adds a rename: requests for `old` redirect (307) to `new`.
    pub fn with_rename(
        repos: Vec<MockRepo>,
        renames: &[(&str, &str, &str)],
        loops: &[(&str, &str)],
        config: MockConfig,
    ) -> MockHub {
        let mut map = HashMap::new();
        for r in repos {
            map.insert((r.kind.to_string(), r.id.to_ascii_lowercase()), r);
        }
        let state = Arc::new(State {
            repos: map,
            renames: renames
                .iter()
                .map(|(k, o, n)| ((k.to_string(), o.to_ascii_lowercase()), n.to_string()))
                .collect(),
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
            base: Mutex::new(String::new()),
        });
        Self::serve("127.0.0.1:0", state)
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The request log so far.
    pub fn requests(&self) -> Vec<Logged> {
        self.state.log.lock().unwrap().clone()
    }

    /// Clears the log and counters.
    pub fn reset_log(&self) {
        self.state.log.lock().unwrap().clear();
        self.state.api_requests.store(0, Ordering::SeqCst);
        self.state.resolver_requests.store(0, Ordering::SeqCst);
        self.state.too_many.store(0, Ordering::SeqCst);
    }

    /// Changes faults and limits.
    pub fn configure(&self, f: impl FnOnce(&mut MockConfig)) {
        f(&mut self.state.config.lock().unwrap());
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
    let mut s = st.rng.lock().unwrap();
    *s = s.wrapping_add(0x9E3779B97F4A7C15);
    let mut z = *s;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D049BB133111EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

fn query_pairs(q: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(q.as_bytes())
        .into_owned()
        .collect()
}

fn etag_of(body: &[u8]) -> String {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    body.hash(&mut h);
    format!("\"{:016x}\"", h.finish())
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
        });
        return Response::new(Body::from(body.to_string()));
    }
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let bucket: &'static str = if path.starts_with("/api/") {
        "api"
    } else {
        "resolvers"
    };
    match bucket {
        "api" => st.api_requests.fetch_add(1, Ordering::SeqCst),
        _ => st.resolver_requests.fetch_add(1, Ordering::SeqCst),
    };
    let cfg = st.config.lock().unwrap().clone();
    if !cfg.latency.is_zero() {
        tokio::time::sleep(cfg.latency).await;
    }
    let slow = st.config.lock().unwrap().slow_once.remove(&path);
    if let Some(d) = slow {
        tokio::time::sleep(d).await;
    }
    let (mut resp, count_it) = route(&st, &cfg, &path, &query, &headers, auth.as_deref(), bucket);
    // Rate limit accounting (fixed windows) and headers on every response.
    let quota = if bucket == "api" {
        cfg.api_quota
    } else {
        cfg.resolver_quota
    };
    if let Some((q, w)) = quota {
        let (remaining, reset, over) = {
            let mut windows = st.windows.lock().unwrap();
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
            if !over && count_it {
                win.count += 1;
            }
            let left = Duration::from_secs(w).saturating_sub(now.duration_since(win.start));
            (
                q.saturating_sub(win.count),
                left.as_secs_f64().ceil() as u64,
                over,
            )
        };
        if over {
            st.too_many.fetch_add(1, Ordering::SeqCst);
            resp = error(
                429,
                "RateLimited",
                "You have been rate-limited; retry later",
            );
            resp.headers_mut()
                .insert("retry-after", HeaderValue::from(reset));
        }
        let h = resp.headers_mut();
        h.insert(
            "ratelimit",
            HeaderValue::from_str(&format!("\"{bucket}\";r={remaining};t={reset}")).unwrap(),
        );
        h.insert(
            "ratelimit-policy",
            HeaderValue::from_str(&format!("\"fixed window\";\"{bucket}\";q={q};w={w}")).unwrap(),
        );
    }
    // Faults: random 5xx (after the quota, so a 5xx still counts), cut-off bodies.
    if resp.status() != StatusCode::TOO_MANY_REQUESTS
        && cfg.error_rate > 0.0
        && next_random(&st) < cfg.error_rate
    {
        let code = [500u16, 502, 503][(next_random(&st) * 3.0) as usize % 3];
        resp = error(code, "", "injected fault");
    }
    let reset_now = st.config.lock().unwrap().reset_once.remove(&path);
    if reset_now {
        let stream = cut_off_stream();
        let mut r = Response::new(Body::from_stream(stream));
        *r.headers_mut() = resp.headers().clone();
        r.headers_mut().remove("content-length");
        resp = r;
    }
    st.log.lock().unwrap().push(Logged {
        path,
        query,
        auth,
        status: resp.status().as_u16(),
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

fn error(status: u16, code: &str, msg: &str) -> Response<Body> {
    let mut r = Response::new(Body::from(json!({ "error": msg }).to_string()));
    *r.status_mut() = StatusCode::from_u16(status).unwrap();
    if !code.is_empty() {
        r.headers_mut()
            .insert("x-error-code", HeaderValue::from_str(code).unwrap());
        r.headers_mut()
            .insert("x-error-message", HeaderValue::from_str(msg).unwrap());
    }
    r.headers_mut()
        .insert("content-type", HeaderValue::from_static("application/json"));
    r
}

fn json_response(v: &Value, headers: &HeaderMap) -> Response<Body> {
    let body = serde_json::to_vec(v).unwrap();
    let etag = etag_of(&body);
    if headers.get("if-none-match").and_then(|h| h.to_str().ok()) == Some(etag.as_str()) {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        return r;
    }
    let mut r = Response::new(Body::from(body));
    r.headers_mut()
        .insert("content-type", HeaderValue::from_static("application/json"));
    r.headers_mut()
        .insert("etag", HeaderValue::from_str(&etag).unwrap());
    r
}

fn redirect(to: &str) -> Response<Body> {
    let mut r = Response::new(Body::empty());
    *r.status_mut() = StatusCode::TEMPORARY_REDIRECT;
    r.headers_mut()
        .insert("location", HeaderValue::from_str(to).unwrap());
    r
}

fn visible(repo: &MockRepo, auth: Option<&str>) -> Result<(), Response<Body>> {
    match (&repo.private_token, auth) {
        (None, _) => Ok(()),
        (Some(_), None) => Err(error(401, "RepoNotFound", "Repository not found")),
        (Some(t), Some(a)) if a == format!("Bearer {t}") => Ok(()),
        (Some(_), Some(_)) => Err(error(404, "RepoNotFound", "Repository not found")),
    }
}

fn expand(info: &Value, fields: &[String]) -> Value {
    if fields.is_empty() || !info.is_object() {
        return info.clone();
    }
    let mut out = serde_json::Map::new();
    for k in ["_id", "id"] {
        if let Some(v) = info.get(k) {
            out.insert(k.to_string(), v.clone());
        }
    }
    for f in fields {
        if let Some(v) = info.get(f) {
            out.insert(f.clone(), v.clone());
        }
    }
    Value::Object(out)
}

fn route(
    st: &State,
    cfg: &MockConfig,
    path: &str,
    query: &str,
    headers: &HeaderMap,
    auth: Option<&str>,
    _bucket: &str,
) -> (Response<Body>, bool) {
    let q = query_pairs(query);
    let expand_fields: Vec<String> = q
        .iter()
        .filter(|(k, _)| k == "expand" || k == "expand[]")
        .map(|(_, v)| v.clone())
        .collect();
    if path == "/api/models" {
        return (listing(st, cfg, &q, &expand_fields, auth), true);
    }
    if let Some(rest) = path.strip_prefix("/api/") {
        let Some((kind, id)) = rest.split_once('/') else {
            return (error(404, "", "not found"), true);
        };
        let kind: &'static str = match kind {
            "models" => "models",
            "datasets" => "datasets",
            "spaces" => "spaces",
            _ => return (error(404, "", "not found"), true),
        };
        let key = (kind.to_string(), id.to_ascii_lowercase());
        if st.loops.contains(&key) {
            return (
                redirect(&format!(
                    "/api/{kind}/{id}-loop{}",
                    if query.is_empty() {
                        String::new()
                    } else {
                        format!("?{query}")
                    }
                )),
                true,
            );
        }
        if let Some(stripped) = id.strip_suffix("-loop") {
            return (
                redirect(&format!(
                    "/api/{kind}/{stripped}{}",
                    if query.is_empty() {
                        String::new()
                    } else {
                        format!("?{query}")
                    }
                )),
                true,
            );
        }
        if let Some(new) = st.renames.get(&key) {
            let q = if query.is_empty() {
                String::new()
            } else {
                format!("?{query}")
            };
            return (redirect(&format!("/api/{kind}/{new}{q}")), true);
        }
        let Some(repo) = st.repos.get(&key) else {
            return (
                error(
                    if auth.is_some() { 404 } else { 401 },
                    "RepoNotFound",
                    "Repository not found",
                ),
                true,
            );
        };
        if let Err(r) = visible(repo, auth) {
            return (r, true);
        }
        return (
            json_response(&expand(&repo.info, &expand_fields), headers),
            true,
        );
    }
    // /{prefix}{id}/resolve/{rev}/{file}
    let Some(at) = path.find("/resolve/") else {
        return (error(404, "", "not found"), true);
    };
    let (repo_part, file_part) = (&path[1..at], &path[at + "/resolve/".len()..]);
    let (kind, id) = if let Some(r) = repo_part.strip_prefix("datasets/") {
        ("datasets", r)
    } else if let Some(r) = repo_part.strip_prefix("spaces/") {
        ("spaces", r)
    } else {
        ("models", repo_part)
    };
    let file = file_part.split_once('/').map(|(_, f)| f).unwrap_or("");
    let key = (kind.to_string(), id.to_ascii_lowercase());
    if let Some(new) = st.renames.get(&key) {
        let prefix = if kind == "models" {
            String::new()
        } else {
            format!("{kind}/")
        };
        return (
            redirect(&format!("/{prefix}{new}/resolve/{file_part}")),
            true,
        );
    }
    let Some(repo) = st.repos.get(&key) else {
        return (error(404, "RepoNotFound", "Repository not found"), true);
    };
    if let Err(r) = visible(repo, auth) {
        return (r, true);
    }
    match (&repo.readme, file) {
        (Some(text), "README.md") => {
            let body = text.clone().into_bytes();
            let mut r = Response::new(Body::from(body.clone()));
            r.headers_mut()
                .insert("etag", HeaderValue::from_str(&etag_of(&body)).unwrap());
            r.headers_mut().insert(
                "x-repo-commit",
                HeaderValue::from_static("0123456789abcdef0123456789abcdef01234567"),
            );
            (r, true)
        }
        _ => (error(404, "EntryNotFound", "Entry not found"), true),
    }
}

fn listing(
    st: &State,
    cfg: &MockConfig,
    q: &[(String, String)],
    expand_fields: &[String],
    auth: Option<&str>,
) -> Response<Body> {
    let filters: Vec<String> = q
        .iter()
        .filter(|(k, _)| k == "filter")
        .map(|(_, v)| v.to_ascii_lowercase())
        .collect();
    let mut matching: Vec<&MockRepo> = st
        .repos
        .values()
        .filter(|r| r.kind == "models" && visible(r, auth).is_ok())
        .filter(|r| {
            let tags: Vec<String> = r.info["tags"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|t| t.as_str())
                        .map(|t| t.to_ascii_lowercase())
                        .collect()
                })
                .unwrap_or_default();
            filters.iter().all(|f| tags.contains(f))
        })
        .collect();
    matching.sort_by_key(|r| r.id.to_ascii_lowercase());
    let page = cfg.page_size.max(1);
    let limit: usize = q
        .iter()
        .find(|(k, _)| k == "limit")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(page)
        .min(page);
    let cursor: usize = q
        .iter()
        .find(|(k, _)| k == "cursor")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let items: Vec<Value> = matching
        .iter()
        .skip(cursor)
        .take(limit)
        .map(|r| expand(&r.info, expand_fields))
        .collect();
    let mut r = Response::new(Body::from(Value::Array(items).to_string()));
    r.headers_mut()
        .insert("content-type", HeaderValue::from_static("application/json"));
    r.headers_mut()
        .insert("x-total-count", HeaderValue::from(matching.len()));
    if cursor + limit < matching.len() {
        let mut params: Vec<(String, String)> =
            q.iter().filter(|(k, _)| k != "cursor").cloned().collect();
        params.push(("cursor".into(), (cursor + limit).to_string()));
        let qs: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(params)
            .finish();
        let base = cfg
            .foreign_next
            .clone()
            .unwrap_or_else(|| st.base.lock().unwrap().clone());
        r.headers_mut().insert(
            "link",
            HeaderValue::from_str(&format!("<{base}/api/models?{qs}>; rel=\"next\"")).unwrap(),
        );
    }
    r
}

// ---------------------------------------------------------------------------------------------
// Data: from a snapshot directory, or a generated family.

fn yaml_to_json(y: &yaml_rust2::Yaml) -> Value {
    use yaml_rust2::Yaml;
    match y {
        Yaml::Real(s) => s
            .parse::<f64>()
            .map(|f| json!(f))
            .unwrap_or(Value::String(s.clone())),
        Yaml::Integer(i) => json!(i),
        Yaml::String(s) => json!(s),
        Yaml::Boolean(b) => json!(b),
        Yaml::Array(a) => Value::Array(a.iter().map(yaml_to_json).collect()),
        Yaml::Hash(h) => Value::Object(
            h.iter()
                .map(|(k, v)| {
                    let key = match k {
                        Yaml::String(s) => s.clone(),
                        other => format!("{other:?}"),
                    };
                    (key, yaml_to_json(v))
                })
                .collect(),
        ),
        _ => Value::Null,
    }
}

/// The Hub's parse of a README's metadata: `cardData`, or `None` if there is none or it is bad.
pub fn card_data(readme: &str) -> Option<Value> {
    let re = regex::Regex::new(
        r"\A(\s*---(?:\r\n|\r|\n))([\S\s]*?)((?:\r\n|\r|\n)---[ \t]*(?:\r\n|\n|\z))",
    )
    .unwrap();
    let caps = re.captures(readme)?;
    let docs = yaml_rust2::YamlLoader::load_from_str(caps.get(2)?.as_str()).ok()?;
    let v = docs.first().map(yaml_to_json).unwrap_or(Value::Null);
    v.is_object().then_some(v)
}

fn as_list(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect(),
        _ => vec![],
    }
}

/// Completes API bodies the way the Hub does: tags from the card, `childrenModelCount` and
/// `spaces` from the other repos.
pub fn finish(repos: &mut [MockRepo]) {
    let norm = |s: &str| {
        let s = s
            .trim()
            .trim_start_matches("https://huggingface.co/")
            .trim_start_matches("hf.co/");
        s.split("/tree/")
            .next()
            .unwrap_or(s)
            .trim_end_matches('/')
            .to_string()
    };
    for r in repos.iter_mut() {
        let card = r.info.get("cardData").cloned().unwrap_or(Value::Null);
        let mut tags: Vec<String> = as_list(&r.info["tags"]);
        for t in as_list(&card["tags"]) {
            if !tags.contains(&t) {
                tags.push(t);
            }
        }
        if r.kind == "models" {
            let rel = card["base_model_relation"].as_str().map(str::to_string);
            for b in as_list(&card["base_model"]).iter().map(|b| norm(b)) {
                let t = format!("base_model:{b}");
                if !tags.contains(&t) {
                    tags.push(t);
                }
                if let Some(rel) = &rel {
                    let t = format!("base_model:{rel}:{b}");
                    if !tags.iter().any(|x| {
                        x.starts_with("base_model:")
                            && x.ends_with(&format!(":{b}"))
                            && x.matches(':').count() == 2
                    }) {
                        tags.push(t);
                    }
                }
            }
            for d in as_list(&card["datasets"]) {
                tags.push(format!("dataset:{d}"));
            }
        }
        for l in as_list(&card["license"]) {
            tags.push(format!("license:{l}"));
        }
        r.info["tags"] = json!(tags);
    }
    let mut children: HashMap<String, u64> = HashMap::new();
    let mut spaces: HashMap<String, Vec<String>> = HashMap::new();
    for r in repos.iter() {
        for t in as_list(&r.info["tags"]) {
            if let Some(rest) = t.strip_prefix("base_model:") {
                if rest.matches(':').count() == 0 {
                    *children.entry(rest.to_ascii_lowercase()).or_default() += 1;
                }
            }
        }
        if r.kind == "spaces" {
            let card = r.info.get("cardData").cloned().unwrap_or(Value::Null);
            for m in as_list(&card["models"]) {
                spaces
                    .entry(m.to_ascii_lowercase())
                    .or_default()
                    .push(r.id.clone());
            }
            if r.info.get("models").is_none() {
                r.info.get("cardData");
            }
        }
    }
    for r in repos.iter_mut() {
        if r.kind == "models" {
            let key = r.id.to_ascii_lowercase();
            r.info["childrenModelCount"] = json!(children.get(&key).copied().unwrap_or(0));
            let mut s = spaces.get(&key).cloned().unwrap_or_default();
            s.sort();
            r.info["spaces"] = json!(s);
        }
        if r.kind == "spaces" {
            let card = r.info.get("cardData").cloned().unwrap_or(Value::Null);
            if r.info.get("models").is_none() {
                r.info["models"] = json!(as_list(&card["models"]));
            }
            if r.info.get("datasets").is_none() {
                r.info["datasets"] = json!(as_list(&card["datasets"]));
            }
        }
    }
}

/// Loads a snapshot directory (the project's own layout) as mock repos.
pub fn from_snapshot(dir: &Path) -> Vec<MockRepo> {
    let mut out = Vec::new();
    for kind in ["models", "datasets", "spaces"] {
        let base = dir.join(kind);
        let Ok(rd) = std::fs::read_dir(&base) else {
            continue;
        };
        let mut entries: Vec<(String, std::path::PathBuf)> = Vec::new();
        for owner in rd.flatten() {
            let o = owner.file_name().to_string_lossy().into_owned();
            let op = owner.path();
            if op.join("README.md").exists() || op.join("info.json").exists() {
                entries.push((o.clone(), op.clone()));
            }
            if let Ok(rd2) = std::fs::read_dir(&op) {
                for n in rd2.flatten() {
                    if n.path().is_dir() {
                        entries
                            .push((format!("{o}/{}", n.file_name().to_string_lossy()), n.path()));
                    }
                }
            }
        }
        for (name, p) in entries {
            let readme = std::fs::read(p.join("README.md"))
                .ok()
                .map(|b| String::from_utf8_lossy(&b).into_owned());
            let mut info: Value = std::fs::read(p.join("info.json"))
                .ok()
                .and_then(|b| serde_json::from_slice(&b).ok())
                .unwrap_or_else(|| json!({}));
            if !info.is_object() {
                info = json!({});
            }
            let id = info["id"].as_str().map(str::to_string).unwrap_or(name);
            info["id"] = json!(id.clone());
            info["_id"] = json!(format!("{:024x}", id.len() * 7919));
            if info.get("cardData").is_none() {
                if let Some(cd) = readme.as_deref().and_then(card_data) {
                    info["cardData"] = cd;
                }
            }
            if info.get("sha").is_none() {
                info["sha"] = json!("0123456789abcdef0123456789abcdef01234567");
            }
            if info.get("siblings").is_none() {
                info["siblings"] = json!([{"rfilename": "README.md"}]);
            }
            out.push(MockRepo {
                kind,
                id,
                info,
                readme,
                private_token: None,
            });
        }
    }
    finish(&mut out);
    out
}

/// A synthetic family of about `target` models under `roots` roots: fine-tunes and fine-tunes
/// of fine-tunes, quantizations (GGUF, GPTQ) of most models, LoRA adapters, merges across
/// families. Deterministic.
pub fn family(roots: usize, target: usize) -> Vec<MockRepo> {
    let mut repos: Vec<MockRepo> = Vec::new();
    let model = |id: String, card: Value, siblings: Vec<&str>, repos: &mut Vec<MockRepo>| {
        let mut yaml = String::from("---\n");
        if let Value::Object(m) = &card {
            for (k, v) in m {
                yaml.push_str(&format!("{k}: {v}\n"));
            }
        }
        yaml.push_str("---\n\n# ");
        yaml.push_str(&id);
        yaml.push('\n');
        repos.push(MockRepo {
            kind: "models",
            info: json!({
                "_id": format!("{:024x}", repos.len()),
                "id": id,
                "sha": format!("{:040x}", repos.len()),
                "private": false,
                "gated": false,
                "lastModified": "2025-01-01T00:00:00.000Z",
                "cardData": card,
                "tags": [],
                "siblings": siblings.iter().map(|s| json!({"rfilename": s})).collect::<Vec<_>>(),
            }),
            id,
            readme: Some(yaml),
            private_token: None,
        });
    };
    let licenses = ["llama2", "apache-2.0", "gemma", "mit", "cc-by-nc-4.0"];
    let per_root = target / roots.max(1);
    let mut all_ft: Vec<String> = Vec::new();
    for r in 0..roots {
        let lic = licenses[r % licenses.len()];
        let root = format!("family{r}/base-{r}");
        model(
            root.clone(),
            json!({"license": lic}),
            vec!["config.json", "model.safetensors"],
            &mut repos,
        );
        let start = repos.len();
        let mut level: Vec<String> = vec![root.clone()];
        let mut i = 0usize;
        'grow: while repos.len() - start + 1 < per_root {
            let mut next = Vec::new();
            for parent in level.clone() {
                for k in 0..3 {
                    if repos.len() - start + 1 >= per_root {
                        break 'grow;
                    }
                    let ft = format!("tuner{}/ft-{r}-{i}-{k}", i % 17);
                    model(
                        ft.clone(),
                        json!({"license": lic, "base_model": parent.clone(), "datasets": [format!("data/set-{}", i % 9)]}),
                        vec!["model.safetensors"],
                        &mut repos,
                    );
                    all_ft.push(ft.clone());
                    next.push(ft.clone());
                    if i % 5 != 4 {
                        model(
                            format!("quant{}/ft-{r}-{i}-{k}-GGUF", i % 7),
                            json!({"license": lic, "base_model": ft.clone()}),
                            vec!["m.Q4_K_M.gguf"],
                            &mut repos,
                        );
                    }
                    if i % 3 == 0 {
                        model(
                            format!("quant{}/ft-{r}-{i}-{k}-GPTQ", i % 5),
                            json!({"license": lic, "base_model": ft.clone()}),
                            vec!["quantize_config.json"],
                            &mut repos,
                        );
                    }
                    if i % 4 == 1 {
                        model(
                            format!("lora{}/ft-{r}-{i}-{k}-lora", i % 3),
                            json!({"license": lic, "base_model": ft.clone(), "library_name": "peft"}),
                            vec!["adapter_config.json"],
                            &mut repos,
                        );
                    }
                    i += 1;
                }
            }
            level = next;
        }
    }
    // Merges across families.
    let n = all_ft.len();
    for m in 0..(target / 40).max(1) {
        if n < 2 {
            break;
        }
        let a = all_ft[(m * 7) % n].clone();
        let b = all_ft[(m * 13 + n / 2) % n].clone();
        model(
            format!("merger/merge-{m}"),
            json!({"license": "apache-2.0", "base_model": [a, b], "tags": ["merge"]}),
            vec!["mergekit_config.yml"],
            &mut repos,
        );
    }
    finish(&mut repos);
    repos
}
