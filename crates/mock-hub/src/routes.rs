//! The routes: detail and listing endpoints with per-route `expand`, the resolver and its
//! cache, the CDN, and the Hub's errors.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Response, StatusCode};
use futures_util::StreamExt;
use serde_json::Value;

use crate::{error, MockConfig, MockRepo, State, INVALID_TOKEN_MESSAGE};

/// `expand` values the Hub accepts on a model's detail route (`/api/models/{id}`).
pub const MODEL_DETAIL_EXPAND: &[&str] = &[
    "author",
    "baseModels",
    "cardData",
    "childrenModelCount",
    "config",
    "createdAt",
    "disabled",
    "downloads",
    "downloadsAllTime",
    "evalResults",
    "gated",
    "gguf",
    "inference",
    "inferenceProviderMapping",
    "lastModified",
    "library_name",
    "likes",
    "mask_token",
    "model-index",
    "pipeline_tag",
    "private",
    "resourceGroup",
    "safetensors",
    "sha",
    "siblings",
    "spaces",
    "tags",
    "transformersInfo",
    "trendingScore",
    "usedStorage",
    "widgetData",
];
/// What the models listing refuses although the detail route accepts it.
pub const MODEL_DETAIL_ONLY: &[&str] = &["baseModels", "childrenModelCount", "usedStorage"];
/// `expand` values for datasets (both routes).
pub const DATASET_EXPAND: &[&str] = &[
    "author",
    "cardData",
    "citation",
    "createdAt",
    "description",
    "disabled",
    "downloads",
    "downloadsAllTime",
    "gated",
    "lastModified",
    "likes",
    "mainSize",
    "paperswithcode_id",
    "private",
    "resourceGroup",
    "sha",
    "siblings",
    "tags",
    "trendingScore",
    "usedStorage",
];
/// `expand` values for Spaces (both routes).
pub const SPACE_EXPAND: &[&str] = &[
    "author",
    "cardData",
    "createdAt",
    "datasets",
    "disabled",
    "lastModified",
    "likes",
    "models",
    "private",
    "region",
    "resourceGroup",
    "runtime",
    "sdk",
    "sha",
    "siblings",
    "subdomain",
    "tags",
    "trendingScore",
    "usedStorage",
];
/// Fields a listing item has when no `expand` is given.
const LISTING_DEFAULT: &[&str] = &[
    "likes",
    "downloads",
    "trendingScore",
    "private",
    "tags",
    "pipeline_tag",
    "library_name",
    "createdAt",
    "sdk",
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Route {
    Detail,
    Listing,
}

fn query_pairs(q: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(q.as_bytes())
        .into_owned()
        .collect()
}

fn param<'a>(q: &'a [(String, String)], key: &str) -> Option<&'a str> {
    q.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

fn etag_of(body: &[u8]) -> String {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    body.hash(&mut h);
    format!("\"{:016x}\"", h.finish())
}

/// The `expand` values of a request, or the Hub's 400 naming the first one it refuses.
fn expand_fields(
    cfg: &MockConfig,
    kind: &str,
    route: Route,
    q: &[(String, String)],
) -> Result<Vec<String>, Response<Body>> {
    let fields: Vec<String> = q
        .iter()
        .filter(|(k, _)| k == "expand" || k == "expand[]")
        .map(|(_, v)| v.clone())
        .collect();
    if fields.is_empty() {
        return Ok(fields);
    }
    for conflicting in ["full", "cardData", "config"] {
        if param(q, conflicting).is_some() {
            return Err(error(
                400,
                "",
                &format!("Cannot use expand together with {conflicting}"),
            ));
        }
    }
    let allowed: Vec<&str> = match kind {
        "models" => MODEL_DETAIL_EXPAND
            .iter()
            .copied()
            .filter(|f| route == Route::Detail || !MODEL_DETAIL_ONLY.contains(f))
            .collect(),
        "datasets" => DATASET_EXPAND.to_vec(),
        _ => SPACE_EXPAND.to_vec(),
    };
    let allowed: Vec<&str> = allowed
        .into_iter()
        .filter(|a| !cfg.refuse_expand.iter().any(|r| r == a))
        .collect();
    for f in &fields {
        if !allowed.contains(&f.as_str()) {
            let list = allowed
                .iter()
                .map(|a| format!("\"{a}\""))
                .collect::<Vec<_>>()
                .join(" | ");
            return Err(error(
                400,
                "",
                &format!("Invalid option \"{f}\" in expand: expected {list}"),
            ));
        }
    }
    Ok(fields)
}

/// The body as the route shows it: with `expand`, ids plus the named fields; without, the
/// route's default fields (the detail route hides the expand-only ones).
fn project(info: &Value, fields: &[String], route: Route) -> Value {
    let Some(obj) = info.as_object() else {
        return info.clone();
    };
    let mut out = serde_json::Map::new();
    for (k, v) in obj {
        let keep = if k == "_id" || k == "id" {
            true
        } else if !fields.is_empty() {
            fields.iter().any(|f| f == k)
        } else {
            match route {
                Route::Detail => !MODEL_DETAIL_ONLY.contains(&k.as_str()),
                Route::Listing => LISTING_DEFAULT.contains(&k.as_str()),
            }
        };
        if keep {
            out.insert(k.clone(), v.clone());
        }
    }
    Value::Object(out)
}

fn json_response(v: &Value, headers: &HeaderMap) -> Response<Body> {
    let body = serde_json::to_vec(v).unwrap_or_default();
    let etag = etag_of(&body);
    if headers.get("if-none-match").and_then(|h| h.to_str().ok()) == Some(etag.as_str()) {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        return r;
    }
    let mut r = Response::new(Body::from(body));
    r.headers_mut()
        .insert("content-type", HeaderValue::from_static("application/json"));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        r.headers_mut().insert("etag", v);
    }
    r
}

fn redirect(status: u16, to: &str) -> Response<Body> {
    let mut r = Response::new(Body::empty());
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::TEMPORARY_REDIRECT);
    if let Ok(v) = HeaderValue::from_str(to) {
        r.headers_mut().insert("location", v);
    }
    r
}

/// The caller's token: `None` anonymous, `Some(Ok(t))` a token the Hub knows, `Some(Err(()))`
/// one it does not.
fn caller(st: &State, cfg: &MockConfig, auth: Option<&str>) -> Option<Result<String, ()>> {
    let auth = auth?;
    let token = auth.strip_prefix("Bearer ").unwrap_or("").trim();
    Some(if st.token_known(cfg, token) {
        Ok(token.to_string())
    } else {
        Err(())
    })
}

fn not_found(token: Option<&str>) -> Response<Body> {
    // Anonymous callers cannot tell missing from private: 401; with a token, 404.
    error(
        if token.is_some() { 404 } else { 401 },
        "RepoNotFound",
        "Repository not found",
    )
}

/// Whether the caller may see the repo, and the Hub's answer when not.
fn access(repo: &MockRepo, token: Option<&str>) -> Result<(), Response<Body>> {
    if let Some(t) = &repo.private_token {
        if token != Some(t.as_str()) {
            return Err(not_found(token));
        }
    }
    if let Some(msg) = &repo.forbidden {
        return Err(error(403, "", msg));
    }
    Ok(())
}

pub(crate) fn route(
    st: &State,
    cfg: &MockConfig,
    path: &str,
    query: &str,
    headers: &HeaderMap,
    auth: Option<&str>,
) -> Response<Body> {
    if let Some(rest) = path.strip_prefix("/cdn/") {
        // Another host: it never checks tokens (and must never be sent one).
        return file_body(st, cfg, rest, headers);
    }
    let token = match caller(st, cfg, auth) {
        Some(Err(())) => return error(401, "", INVALID_TOKEN_MESSAGE),
        Some(Ok(t)) => Some(t),
        None => None,
    };
    let token = token.as_deref();
    let q = query_pairs(query);
    let with_query = |p: String| {
        if query.is_empty() {
            p
        } else {
            format!("{p}?{query}")
        }
    };
    if let Some(rest) = path.strip_prefix("/api/resolve-cache/") {
        return resolve_cache(st, cfg, rest, headers, token);
    }
    for kind in ["models", "datasets", "spaces"] {
        if path == format!("/api/{kind}") {
            return listing(st, cfg, kind, &q, token);
        }
    }
    if let Some(rest) = path.strip_prefix("/api/") {
        let Some((kind, id)) = rest.split_once('/') else {
            return error(
                404,
                "",
                "Sorry, we can't find the page you are looking for.",
            );
        };
        let kind: &'static str = match kind {
            "models" => "models",
            "datasets" => "datasets",
            "spaces" => "spaces",
            _ => {
                return error(
                    404,
                    "",
                    "Sorry, we can't find the page you are looking for.",
                )
            }
        };
        let id = id.split("/revision/").next().unwrap_or(id);
        let key = (kind.to_string(), id.to_ascii_lowercase());
        if st.loops.contains(&key) {
            return redirect(307, &with_query(format!("/api/{kind}/{id}-loop")));
        }
        if let Some(stripped) = id.strip_suffix("-loop") {
            return redirect(307, &with_query(format!("/api/{kind}/{stripped}")));
        }
        if let Some(new) = st.renames.get(&key) {
            return redirect(307, &with_query(format!("/api/{kind}/{new}")));
        }
        let Some(repo) = st.get(kind, id) else {
            return not_found(token);
        };
        if let Err(r) = access(repo, token) {
            return r;
        }
        let fields = match expand_fields(cfg, kind, Route::Detail, &q) {
            Ok(f) => f,
            Err(r) => return r,
        };
        return json_response(&project(&repo.info, &fields, Route::Detail), headers);
    }
    resolve(st, path, token)
}

/// `/{prefix}{id}/resolve/{rev}/{file}`: a 307 into the resolve cache on the same host.
fn resolve(st: &State, path: &str, token: Option<&str>) -> Response<Body> {
    let Some(at) = path.find("/resolve/") else {
        return error(
            404,
            "",
            "Sorry, we can't find the page you are looking for.",
        );
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
        return redirect(307, &format!("/{prefix}{new}/resolve/{file_part}"));
    }
    let Some(repo) = st.get(kind, id) else {
        return not_found(token);
    };
    if let Err(r) = access(repo, token) {
        return r;
    }
    let Some(bytes) = file_of(repo, file) else {
        return error(404, "EntryNotFound", "Entry not found");
    };
    let sha = repo.info["sha"]
        .as_str()
        .unwrap_or("0000000000000000000000000000000000000000");
    let mut r = redirect(
        307,
        &format!(
            "/api/resolve-cache/{kind}/{}/{sha}/{file}?%2F{}%2Fresolve%2Fmain%2F{file}=&etag={}",
            repo.id,
            repo.id.replace('/', "%2F"),
            etag_of(bytes).trim_matches('"')
        ),
    );
    if let Ok(v) = HeaderValue::from_str(sha) {
        r.headers_mut().insert("x-repo-commit", v);
    }
    r
}

/// Splits `{kind}/{id…}/{sha}/{file}` (ids have one or two segments).
fn split_file_path(rest: &str) -> Option<(&str, String, &str)> {
    let parts: Vec<&str> = rest.split('/').collect();
    if parts.len() < 4 {
        return None;
    }
    let kind = parts[0];
    let file = parts[parts.len() - 1];
    let id = parts[1..parts.len() - 2].join("/");
    Some((kind, id, file))
}

/// `/api/resolve-cache/{kind}/{id}/{sha}/{file}`: the body, or a hop to the CDN for big files.
fn resolve_cache(
    st: &State,
    cfg: &MockConfig,
    rest: &str,
    headers: &HeaderMap,
    token: Option<&str>,
) -> Response<Body> {
    let Some((kind, id, _file)) = split_file_path(rest) else {
        return error(404, "EntryNotFound", "Entry not found");
    };
    let Some(repo) = st.get(kind, &id) else {
        return not_found(token);
    };
    if let Err(r) = access(repo, token) {
        return r;
    }
    let size = split_file_path(rest)
        .and_then(|(_, _, file)| file_of(repo, file))
        .map_or(0, <[u8]>::len);
    if let Some(cdn) = &cfg.cdn {
        if size >= cfg.cdn_min_bytes {
            return redirect(
                302,
                &format!("{cdn}/cdn/{rest}?Expires=9999999999&Signature=x"),
            );
        }
    }
    file_body(st, cfg, rest, headers)
}

/// A repo's file by path: README.md or one of its other files.
fn file_of<'a>(repo: &'a MockRepo, file: &str) -> Option<&'a [u8]> {
    if file == "README.md" {
        repo.readme.as_deref().map(str::as_bytes)
    } else {
        repo.files.get(file).map(Vec::as_slice)
    }
}

/// `bytes=START-END` or `bytes=START-` (one range; what a client reading a header sends).
fn byte_range(headers: &HeaderMap, len: usize) -> Option<(usize, usize)> {
    let spec = headers
        .get("range")?
        .to_str()
        .ok()?
        .trim()
        .strip_prefix("bytes=")?;
    let (a, b) = spec.split_once('-')?;
    let start: usize = a.trim().parse().ok()?;
    let end: usize = match b.trim() {
        "" => len.checked_sub(1)?,
        e => e.parse::<usize>().ok()?.min(len.checked_sub(1)?),
    };
    (start <= end).then_some((start, end))
}

fn file_body(st: &State, cfg: &MockConfig, rest: &str, headers: &HeaderMap) -> Response<Body> {
    let Some((kind, id, file)) = split_file_path(rest) else {
        return error(404, "EntryNotFound", "Entry not found");
    };
    let Some(bytes) = st.get(kind, &id).and_then(|r| file_of(r, file)) else {
        return error(404, "EntryNotFound", "Entry not found");
    };
    let etag = etag_of(bytes);
    if headers.get("if-none-match").and_then(|h| h.to_str().ok()) == Some(etag.as_str()) {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        return r;
    }
    let range = if cfg.ignore_range {
        None
    } else {
        byte_range(headers, bytes.len())
    };
    let (part, status) = match range {
        Some((a, b)) => (bytes[a..=b].to_vec(), StatusCode::PARTIAL_CONTENT),
        None => (bytes.to_vec(), StatusCode::OK),
    };
    let mut r = Response::new(Body::from_stream(counted(part, st.body_bytes.clone())));
    *r.status_mut() = status;
    if let Some((a, b)) = range {
        if let Ok(v) = HeaderValue::from_str(&format!("bytes {a}-{b}/{}", bytes.len())) {
            r.headers_mut().insert("content-range", v);
        }
    }
    if let Ok(v) = HeaderValue::from_str(&etag) {
        r.headers_mut().insert("etag", v);
    }
    r
}

/// The body in 16 KiB chunks, each counted when the connection takes it.
fn counted(
    body: Vec<u8>,
    count: std::sync::Arc<std::sync::atomic::AtomicU64>,
) -> impl futures_util::Stream<Item = Result<Vec<u8>, std::io::Error>> + Send + 'static {
    let chunks: Vec<Vec<u8>> = body.chunks(16 * 1024).map(<[u8]>::to_vec).collect();
    futures_util::stream::iter(chunks).map(move |c| {
        count.fetch_add(c.len() as u64, std::sync::atomic::Ordering::SeqCst);
        Ok(c)
    })
}

fn listing(
    st: &State,
    cfg: &MockConfig,
    kind: &'static str,
    q: &[(String, String)],
    token: Option<&str>,
) -> Response<Body> {
    let fields = match expand_fields(cfg, kind, Route::Listing, q) {
        Ok(f) => f,
        Err(r) => return r,
    };
    // Tag filters are ANDed and matched exactly (case-sensitivity is unverified: stricter).
    let filters: Vec<&str> = q
        .iter()
        .filter(|(k, _)| k == "filter")
        .map(|(_, v)| v.as_str())
        .collect();
    let author = param(q, "author").map(str::to_ascii_lowercase);
    let search = param(q, "search").map(str::to_ascii_lowercase);
    let uses = |field: &str| param(q, field).map(str::to_ascii_lowercase);
    let (uses_model, uses_dataset) = (uses("models"), uses("datasets"));
    let mut matching: Vec<&MockRepo> = st
        .repos
        .values()
        .filter(|r| r.kind == kind && access(r, token).is_ok())
        .filter(|r| {
            let tags: Vec<&str> = r.info["tags"]
                .as_array()
                .map(|a| a.iter().filter_map(|t| t.as_str()).collect())
                .unwrap_or_default();
            let lower = r.id.to_ascii_lowercase();
            let listed = |field: &str, want: &Option<String>| {
                want.as_ref().is_none_or(|w| {
                    r.info[field].as_array().is_some_and(|a| {
                        a.iter()
                            .filter_map(|x| x.as_str())
                            .any(|x| x.eq_ignore_ascii_case(w))
                    })
                })
            };
            filters.iter().all(|f| tags.contains(f))
                && author
                    .as_ref()
                    .is_none_or(|a| lower.split('/').next() == Some(a.as_str()))
                && search.as_ref().is_none_or(|s| lower.contains(s.as_str()))
                && listed("models", &uses_model)
                && listed("datasets", &uses_dataset)
        })
        .collect();
    matching.sort_by_key(|r| r.id.to_ascii_lowercase());
    // `sort=<field>` orders by that field, ascending unless `direction=-1` (the official client
    // always sends `direction=-1` for newest first; the mock does not assume a default order
    // beyond that: stricter). A field the listing cannot sort by is a 400.
    if let Some(field) = param(q, "sort") {
        let key = match field {
            "lastModified" | "createdAt" | "downloads" | "likes" | "id" => field.to_string(),
            other => {
                return error(400, "", &format!("Invalid sort option \"{other}\""));
            }
        };
        let descending = match param(q, "direction") {
            None | Some("1") => false,
            Some("-1") => true,
            Some(other) => {
                return error(
                    400,
                    "",
                    &format!("Invalid direction \"{other}\": expected 1 or -1"),
                );
            }
        };
        let value = |r: &MockRepo| -> (String, i64) {
            match &r.info[key.as_str()] {
                Value::String(s) if key != "id" => (s.clone(), 0),
                Value::Number(n) => (String::new(), n.as_i64().unwrap_or(0)),
                _ if key == "id" => (r.id.to_ascii_lowercase(), 0),
                _ => (String::new(), 0),
            }
        };
        // Stable: ties keep the id order.
        matching.sort_by(|a, b| {
            let ord = value(a).cmp(&value(b));
            if descending {
                ord.reverse()
            } else {
                ord
            }
        });
    }
    let page = cfg.page_size.clamp(1, 1000);
    let limit: usize = param(q, "limit")
        .and_then(|v| v.parse().ok())
        .unwrap_or(page)
        .clamp(1, page);
    let cursor: usize = param(q, "cursor").and_then(|v| v.parse().ok()).unwrap_or(0);
    let full = param(q, "full").is_some_and(|v| v == "true" || v == "True" || v == "1");
    let items: Vec<Value> = matching
        .iter()
        .skip(cursor)
        .take(limit)
        .map(|r| {
            if full && fields.is_empty() {
                project(&r.info, &[], Route::Detail)
            } else {
                project(&r.info, &fields, Route::Listing)
            }
        })
        .map(|mut v| {
            // The listing never carries what only the detail route computes.
            if let Some(o) = v.as_object_mut() {
                for f in crate::routes::MODEL_DETAIL_ONLY {
                    o.remove(*f);
                }
            }
            v
        })
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
        let base = cfg.foreign_next.clone().unwrap_or_else(|| st.base());
        if let Ok(v) = HeaderValue::from_str(&format!("<{base}/api/{kind}?{qs}>; rel=\"next\"")) {
            r.headers_mut().insert("link", v);
        }
    }
    r
}
