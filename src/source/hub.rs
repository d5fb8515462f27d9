//! The live Hub as a [`Source`]: one API call per repo, children from tag-filtered listings.
//!
//! A repo is `GET /api/{kind}/{id}?expand=…` (plus its README through the resolver when
//! README bodies are wanted); its children are `GET /api/models?filter=base_model:<id>&expand=…`
//! pages, so children arrive with their metadata and cost no call of their own. A model whose
//! `childrenModelCount` is 0 is not listed at all. Every status becomes a record status; nothing
//! here fails a crawl. All responses of one repo (or one listing) are committed to the cache in
//! one transaction.

use std::collections::BTreeMap;
use std::sync::Arc;

use tokio::sync::Semaphore;

use super::{Child, Source};
use crate::finding::{Finding, Severity};
use crate::hub::cache::CachedResponse;
use crate::hub::client::{FetchError, HubClient, Stats};
use crate::hub::ratelimit::BucketKind;
use crate::hub::{info_path, listing_path, readme_path, HubConfig, HubError};
use crate::id::{RepoId, RepoKind};
use crate::record::{NodeStatus, RepoRecord};

/// Finding code: a listing's `Link` header pointed at another host.
pub const FOREIGN_LINK: &str = "crawl-foreign-link";
/// Finding code: a listing could not be completed.
pub const LISTING_FAILED: &str = "crawl-listing-incomplete";

/// Raw bodies of what was read, for writing a snapshot.
#[derive(Debug, Clone, Default)]
pub struct RawRepo {
    /// The API body (or the listing item) for the repo.
    pub info: Option<Vec<u8>>,
    /// The README, when fetched.
    pub readme: Option<Vec<u8>>,
}

/// The live Hub (or a mirror, or a mock) as a source of records.
#[derive(Debug)]
pub struct HubSource {
    rt: tokio::runtime::Runtime,
    client: Arc<HubClient>,
    archive: BTreeMap<RepoId, RawRepo>,
    findings: Vec<Finding>,
}

impl HubSource {
    /// A source for `cfg`.
    pub fn new(cfg: HubConfig) -> Result<HubSource, HubError> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| HubError::Runtime(e.to_string()))?;
        let client = Arc::new(HubClient::new(cfg)?);
        Ok(HubSource {
            rt,
            client,
            archive: BTreeMap::new(),
            findings: vec![],
        })
    }

    /// Live counters (requests, waits, repos) for a progress display.
    pub fn stats(&self) -> Arc<Stats> {
        self.client.stats()
    }

    /// Everything read so far, by canonical id (for `snapshot`).
    pub fn archive(&self) -> &BTreeMap<RepoId, RawRepo> {
        &self.archive
    }

    fn jobs(&self) -> usize {
        self.client.config().jobs.max(1)
    }
}

fn unavailable_from(id: &RepoId, r: &CachedResponse) -> RepoRecord {
    let code = r.error_code.as_deref().unwrap_or("");
    let (status, why) = match r.status {
        404 => (
            NodeStatus::NotFound,
            "404 not found (missing, or private and not visible with this token)",
        ),
        401 => (
            NodeStatus::Unauthorized,
            "401 unauthorized (private or gated; send a token that can see it)",
        ),
        403 => (NodeStatus::Disabled, "403 forbidden (the repo is disabled)"),
        _ => (NodeStatus::Error, "unexpected HTTP status"),
    };
    let reason = if code.is_empty() {
        why.to_string()
    } else {
        format!("{why}; X-Error-Code: {code}")
    };
    let reason = if status == NodeStatus::Error {
        format!("HTTP {}: {reason}", r.status)
    } else {
        reason
    };
    RepoRecord::unavailable(id.clone(), status, reason)
}

async fn fetch_repo(
    client: Arc<HubClient>,
    id: RepoId,
    sem: Arc<Semaphore>,
) -> (RepoRecord, Option<RawRepo>) {
    let _permit = sem.acquire_owned().await.ok();
    let api = info_path(&id);
    let info = match client.get(&api, BucketKind::Api).await {
        Ok(f) => f,
        Err(e) => {
            return (
                RepoRecord::unavailable(id, NodeStatus::Error, e.to_string()),
                None,
            )
        }
    };
    let mut commit = Vec::new();
    if info.fresh {
        commit.push((api.clone(), info.response.clone()));
    }
    if info.response.status != 200 {
        client.commit(&commit);
        return (unavailable_from(&id, &info.response), None);
    }
    let canonical = serde_json::from_slice::<serde_json::Value>(&info.response.body)
        .ok()
        .and_then(|v| v.get("id").and_then(|i| i.as_str()).map(str::to_string))
        .and_then(|s| RepoId::parse(&s, id.kind()).ok())
        .unwrap_or_else(|| id.clone());
    let mut readme = None;
    let mut readme_problem = None;
    if client.config().want_readme {
        let path = readme_path(&canonical);
        match client.get(&path, BucketKind::Resolvers).await {
            Ok(f) => {
                if f.fresh {
                    commit.push((path, f.response.clone()));
                }
                if f.response.status == 200 {
                    readme = Some(f.response.body.clone());
                }
            }
            Err(e) => readme_problem = Some(e),
        }
    }
    client.commit(&commit);
    let mut rec = RepoRecord::from_parts(&id, Some(&info.response.body), readme.as_deref());
    if let Some(e) = readme_problem {
        rec.findings.push(Finding::new(
            LISTING_FAILED,
            Severity::Warn,
            vec![rec.id.node_id()],
            format!("README of {} could not be read: {e}", rec.id.node_id()),
        ));
    }
    let raw = RawRepo {
        info: Some(info.response.body.clone()),
        readme,
    };
    (rec, Some(raw))
}

struct Listing {
    children: Vec<(RepoRecord, RawRepo)>,
    findings: Vec<Finding>,
}

async fn list_children(client: Arc<HubClient>, parent: RepoRecord, sem: Arc<Semaphore>) -> Listing {
    let mut out = Listing {
        children: vec![],
        findings: vec![],
    };
    let filter = match parent.id.kind() {
        RepoKind::Model if parent.children_count == Some(0) => return out,
        RepoKind::Model => format!("base_model:{}", parent.id.name()),
        RepoKind::Dataset => format!("dataset:{}", parent.id.name()),
        RepoKind::Space => return out,
    };
    let node = parent.id.node_id();
    let mut path = listing_path(&filter);
    let mut commit = Vec::new();
    let mut pages = 0usize;
    loop {
        pages += 1;
        if pages > 10_000 {
            break;
        }
        let fetched = {
            let _permit = sem.acquire().await.ok();
            client.get(&path, BucketKind::Api).await
        };
        let f = match fetched {
            Ok(f) => f,
            Err(e) => {
                out.findings.push(listing_failed(&node, &e.to_string()));
                break;
            }
        };
        if f.fresh {
            commit.push((path.clone(), f.response.clone()));
        }
        if f.response.status != 200 {
            out.findings.push(listing_failed(
                &node,
                &format!("HTTP {}", f.response.status),
            ));
            break;
        }
        match serde_json::from_slice::<serde_json::Value>(&f.response.body) {
            Ok(serde_json::Value::Array(items)) => {
                for item in items {
                    let Some(id) = item
                        .get("id")
                        .and_then(|i| i.as_str())
                        .and_then(|s| RepoId::parse(s, RepoKind::Model).ok())
                    else {
                        continue;
                    };
                    let bytes = serde_json::to_vec(&item).unwrap_or_default();
                    let rec = RepoRecord::from_parts(&id, Some(&bytes), None);
                    out.children.push((
                        rec,
                        RawRepo {
                            info: Some(bytes),
                            readme: None,
                        },
                    ));
                }
            }
            _ => {
                out.findings.push(listing_failed(
                    &node,
                    "the listing body is not a JSON array",
                ));
                break;
            }
        }
        let Some(next) = f.response.next.clone() else {
            break;
        };
        match client.same_origin_path(&next) {
            Some(p) => path = p,
            None => {
                out.findings.push(Finding::new(
                    FOREIGN_LINK,
                    Severity::Warn,
                    vec![node.clone()],
                    format!("children listing of {node}: the Link header points at another host ({next}); not followed, list may be incomplete"),
                ));
                break;
            }
        }
    }
    client.commit(&commit);
    out
}

fn listing_failed(node: &str, why: &str) -> Finding {
    Finding::new(
        LISTING_FAILED,
        Severity::Warn,
        vec![node.to_string()],
        format!("children of {node} could not be listed completely: {why}"),
    )
}

impl Source for HubSource {
    fn fetch(&mut self, ids: &[RepoId]) -> Vec<RepoRecord> {
        let client = self.client.clone();
        let sem = Arc::new(Semaphore::new(self.jobs()));
        let stats = client.stats();
        stats
            .repos_queued
            .fetch_add(ids.len() as u64, std::sync::atomic::Ordering::Relaxed);
        let results: Vec<(RepoRecord, Option<RawRepo>)> = self.rt.block_on(async {
            let handles: Vec<_> = ids
                .iter()
                .map(|id| tokio::spawn(fetch_repo(client.clone(), id.clone(), sem.clone())))
                .collect();
            let mut out = Vec::with_capacity(handles.len());
            for (h, id) in handles.into_iter().zip(ids) {
                out.push(h.await.unwrap_or_else(|e| {
                    (
                        RepoRecord::unavailable(
                            id.clone(),
                            NodeStatus::Error,
                            format!("internal error: {e}"),
                        ),
                        None,
                    )
                }));
                stats
                    .repos_done
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            out
        });
        results
            .into_iter()
            .map(|(rec, raw)| {
                if let Some(raw) = raw {
                    self.archive.insert(rec.id.clone(), raw);
                }
                rec
            })
            .collect()
    }

    fn children(&mut self, parents: &[RepoRecord]) -> Vec<Vec<Child>> {
        let client = self.client.clone();
        let sem = Arc::new(Semaphore::new(self.jobs()));
        let want_readme = client.config().want_readme;
        let listings: Vec<Listing> = self.rt.block_on(async {
            let handles: Vec<_> = parents
                .iter()
                .map(|p| tokio::spawn(list_children(client.clone(), p.clone(), sem.clone())))
                .collect();
            let mut out = Vec::new();
            for h in handles {
                out.push(h.await.unwrap_or(Listing {
                    children: vec![],
                    findings: vec![],
                }));
            }
            out
        });
        let mut result = Vec::with_capacity(parents.len());
        for (parent, listing) in parents.iter().zip(listings) {
            self.findings.extend(listing.findings);
            let mut kids: Vec<Child> = Vec::new();
            let mut need_readme: Vec<RepoId> = Vec::new();
            for (rec, raw) in listing.children {
                if want_readme && !self.archive.contains_key(&rec.id) {
                    need_readme.push(rec.id.clone());
                }
                self.archive.entry(rec.id.clone()).or_insert(raw);
                kids.push(Child::Record(Box::new(rec)));
            }
            if !need_readme.is_empty() {
                // Snapshots and text analyses want the card bodies of listed children too.
                let bodies = self.readmes(&need_readme);
                for kid in kids.iter_mut() {
                    if let Child::Record(rec) = kid {
                        if let Some(Some(body)) = bodies.get(&rec.id) {
                            let info = self.archive.get(&rec.id).and_then(|r| r.info.clone());
                            **rec = RepoRecord::from_parts(&rec.id, info.as_deref(), Some(body));
                            if let Some(raw) = self.archive.get_mut(&rec.id) {
                                raw.readme = Some(body.clone());
                            }
                        }
                    }
                }
            }
            for s in &parent.api_spaces {
                kids.push(Child::Id(s.clone()));
            }
            result.push(kids);
        }
        result
    }

    fn take_findings(&mut self) -> Vec<Finding> {
        std::mem::take(&mut self.findings)
    }
}

impl HubSource {
    /// README bodies for some repos (resolver bucket), each committed on its own.
    fn readmes(&mut self, ids: &[RepoId]) -> BTreeMap<RepoId, Option<Vec<u8>>> {
        let client = self.client.clone();
        let sem = Arc::new(Semaphore::new(self.jobs()));
        self.rt.block_on(async {
            let handles: Vec<_> = ids
                .iter()
                .map(|id| {
                    let (client, sem, id) = (client.clone(), sem.clone(), id.clone());
                    tokio::spawn(async move {
                        let _p = sem.acquire_owned().await.ok();
                        let path = readme_path(&id);
                        let r: Result<_, FetchError> =
                            client.get(&path, BucketKind::Resolvers).await;
                        let body = match r {
                            Ok(f) => {
                                if f.fresh {
                                    client.commit(&[(path, f.response.clone())]);
                                }
                                (f.response.status == 200).then(|| f.response.body.clone())
                            }
                            Err(_) => None,
                        };
                        (id, body)
                    })
                })
                .collect();
            let mut out = BTreeMap::new();
            for h in handles {
                if let Ok((id, body)) = h.await {
                    out.insert(id, body);
                }
            }
            out
        })
    }
}
