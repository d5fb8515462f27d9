//! The live Hub as a [`Source`]: one API call per repo asked for, children from listings.
//!
//! A repo is `GET /api/{kind}/{id}?expand=…` with the detail route's fields (the Hub's resolved
//! parents `baseModels` and its per-relation `childrenModelCount` exist only there), plus its
//! README through the resolver when README bodies are wanted. Downstream of a model:
//! - its derived models are `GET /api/models?filter=base_model:<id>&expand=…` pages (listing
//!   fields only), under the API's id and the asked spelling when they differ. A model the Hub
//!   counts no children for is not listed. When a listing returns fewer children of a relation
//!   than the Hub counts, that is a finding, and the relation-prefixed filter
//!   (`base_model:adapter:<id>` …) is tried for the relations that fall short;
//! - the Spaces that use it are `GET /api/spaces?models=<id>&expand=…` pages (the `spaces`
//!   field is capped at 100 and would cost a call per Space); skipped when `spaces` is empty.
//!
//! Downstream of a dataset: `filter=dataset:<id>` models and `GET /api/spaces?datasets=<id>`.
//! Every per-repo status becomes a record status; the two answers that make every later request
//! fail the same way (a refused token, a 400) stop the crawl and are reported by
//! [`Source::fatal`]. All responses of one repo (or one listing) are committed to the cache in
//! one transaction.

use std::collections::BTreeMap;
use std::sync::Arc;

use tokio::sync::Semaphore;

mod files;
mod listing;
mod whole;
pub use whole::Listed;

use super::{Child, Source};
use crate::finding::{Finding, Severity};
use crate::hub::cache::CachedResponse;
use crate::hub::client::{FetchError, HubClient, Stats};
use crate::hub::ratelimit::BucketKind;
use crate::hub::{info_path, readme_path, HubConfig, HubError};
use crate::id::RepoId;
use crate::record::{NodeStatus, RepoRecord};
use listing::{list_children, Listing};

use crate::finding::Code;

/// The `X-Error-Message` of a disabled repo.
const DISABLED_MESSAGE: &str = "Access to this resource is disabled.";

/// Raw bodies of what was read, for writing a snapshot.
#[derive(Debug, Clone, Default)]
pub struct RawRepo {
    /// The API body (or the listing item) for the repo.
    pub info: Option<Vec<u8>>,
    /// The README, when fetched.
    pub readme: Option<Vec<u8>>,
    /// The files tools wrote beside the card, when read (name, bytes; a GGUF file's first
    /// bytes only).
    pub files: Vec<(String, Vec<u8>)>,
}

/// The live Hub (or a mirror, or a mock) as a source of records.
#[derive(Debug)]
pub struct HubSource {
    rt: tokio::runtime::Runtime,
    client: Arc<HubClient>,
    archive: BTreeMap<RepoId, RawRepo>,
    findings: Vec<Finding>,
    offline_misses: std::collections::BTreeSet<RepoId>,
}

impl HubSource {
    /// A source for `cfg`.
    pub fn new(cfg: HubConfig) -> Result<HubSource, HubError> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(HubError::Runtime)?;
        let client = Arc::new(HubClient::new(cfg)?);
        Ok(HubSource {
            rt,
            client,
            archive: BTreeMap::new(),
            findings: vec![],
            offline_misses: Default::default(),
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

/// The record of a repo the Hub would not give us, with the status its answer means.
fn unavailable_from(id: &RepoId, r: &CachedResponse) -> RepoRecord {
    let code = r.error_code.as_deref().unwrap_or("");
    let message = r.error_message.as_deref().unwrap_or("");
    let (status, why) = match (r.status, code) {
        (404, _) => (
            NodeStatus::NotFound,
            "404 not found: missing, or private and not visible with this token".to_string(),
        ),
        (401, "RepoNotFound") => (
            NodeStatus::NotFound,
            "401 RepoNotFound without a token: missing, or private (send a token that can see it)"
                .to_string(),
        ),
        (401, _) => (
            NodeStatus::Unauthorized,
            "401 unauthorized: the Hub wants credentials that can see it".to_string(),
        ),
        (403, _) if message.trim() == DISABLED_MESSAGE => (
            NodeStatus::Disabled,
            format!("403 disabled: \"{DISABLED_MESSAGE}\""),
        ),
        (403, _) => (
            NodeStatus::Unauthorized,
            format!(
                "403 permission denied: \"{}\"",
                if message.is_empty() {
                    "no message"
                } else {
                    message
                }
            ),
        ),
        (status, _) => (
            NodeStatus::Error,
            format!("HTTP {status}: unexpected status"),
        ),
    };
    let mut reason = why;
    if !code.is_empty() && !reason.contains(code) {
        reason.push_str(&format!("; X-Error-Code: {code}"));
    }
    RepoRecord::unavailable(id.clone(), status, reason)
}

fn readme_finding(node: &RepoId, why: &str) -> Finding {
    if why.contains("EntryNotFound") {
        return Finding::new(
            Code::ReadmeUnavailable,
            Severity::Info,
            vec![node.clone()],
            format!("{node} has no README.md ({why}): there is no card text to analyse"),
        );
    }
    Finding::of(
        Code::ReadmeUnavailable,
        vec![node.clone()],
        format!("README of {node} could not be read: {why}; its card text is not analysed"),
    )
}

/// A README through the resolver: the body, or the problem as a finding's text.
async fn fetch_readme(
    client: &HubClient,
    id: &RepoId,
    commit: &mut Vec<(String, Arc<CachedResponse>)>,
) -> Result<Vec<u8>, String> {
    let path = readme_path(id);
    match client.get(&path, BucketKind::Resolvers).await {
        Ok(f) => {
            if f.fresh {
                commit.push((path, f.response.clone()));
            }
            match f.response.status {
                200 => Ok(f.response.body.clone()),
                s => Err(format!(
                    "HTTP {s}{}",
                    f.response
                        .error_code
                        .as_deref()
                        .map(|c| format!(" ({c})"))
                        .unwrap_or_default()
                )),
            }
        }
        Err(e) => Err(e.to_string()),
    }
}

/// What reading a listed child's extras gave: its README (or why not; `None` when not asked
/// for) and the files beside its card.
type Extras = (Result<Vec<u8>, Option<String>>, Vec<(String, Vec<u8>)>);

/// What fetching one repo gave: its record, the raw bodies, and whether it failed only because
/// `HF_HUB_OFFLINE` is set and it is not cached.
type FetchedRepo = (RepoRecord, Option<RawRepo>, bool);

async fn fetch_repo(client: Arc<HubClient>, id: RepoId, sem: Arc<Semaphore>) -> FetchedRepo {
    let _permit = sem.acquire_owned().await.ok();
    let api = info_path(&id);
    let info = match client.get(&api, BucketKind::Api).await {
        Ok(f) => f,
        Err(e) => {
            let offline = e == FetchError::Offline;
            return (
                RepoRecord::unavailable(id, NodeStatus::Error, e.to_string()),
                None,
                offline,
            );
        }
    };
    let mut commit = Vec::new();
    if info.fresh {
        commit.push((api.clone(), info.response.clone()));
    }
    if info.response.status != 200 {
        client.commit(&commit);
        return (unavailable_from(&id, &info.response), None, false);
    }
    let canonical = serde_json::from_slice::<serde_json::Value>(&info.response.body)
        .ok()
        .and_then(|v| v.get("id").and_then(|i| i.as_str()).map(str::to_string))
        .and_then(|s| RepoId::parse(&s, id.kind()).ok())
        .unwrap_or_else(|| id.clone());
    let mut readme = None;
    let mut readme_problem = None;
    if client.config().want_readme {
        match fetch_readme(&client, &canonical, &mut commit).await {
            Ok(body) => readme = Some(body),
            Err(why) => readme_problem = Some(why),
        }
    }
    let mut rec = RepoRecord::from_parts(&id, Some(&info.response.body), readme.as_deref());
    let mut files = Vec::new();
    if client.config().want_files {
        let siblings = rec.siblings.to_vec();
        files = files::fetch_files(&client, &canonical, &siblings, &mut commit).await;
        if !files.is_empty() {
            rec.attach_files(&files);
        }
    }
    client.commit(&commit);
    if let Some(why) = readme_problem {
        rec.findings.push(readme_finding(&rec.id, &why));
    }
    let raw = RawRepo {
        info: Some(info.response.body.clone()),
        readme,
        files,
    };
    (rec, Some(raw), false)
}

impl Source for HubSource {
    fn fetch(&mut self, ids: &[RepoId]) -> Vec<RepoRecord> {
        let client = self.client.clone();
        let sem = Arc::new(Semaphore::new(self.jobs()));
        let stats = client.stats();
        stats
            .repos_queued
            .fetch_add(ids.len() as u64, std::sync::atomic::Ordering::Relaxed);
        let results: Vec<FetchedRepo> = self.rt.block_on(async {
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
                        false,
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
            .map(|(rec, raw, offline)| {
                if let Some(raw) = raw {
                    self.archive.insert(rec.id.clone(), raw);
                }
                if offline {
                    self.offline_misses.insert(rec.id.clone());
                }
                rec
            })
            .collect()
    }

    fn children(&mut self, parents: &[RepoRecord]) -> Vec<Vec<Child>> {
        let client = self.client.clone();
        let sem = Arc::new(Semaphore::new(self.jobs()));
        let want_readme = client.config().want_readme;
        let want_files = client.config().want_files;
        let listings: Vec<Listing> = self.rt.block_on(async {
            let handles: Vec<_> = parents
                .iter()
                .map(|p| tokio::spawn(list_children(client.clone(), p.clone(), sem.clone())))
                .collect();
            let mut out = Vec::new();
            for h in handles {
                out.push(h.await.unwrap_or_default());
            }
            out
        });
        // Every listing's children first, then the READMEs and files of all of them in one
        // concurrent batch (per listing, the batches would run one after another).
        let mut result: Vec<Vec<Child>> = Vec::with_capacity(parents.len());
        let mut need: Vec<(RepoId, Vec<String>)> = Vec::new();
        let mut needed: std::collections::BTreeSet<RepoId> = Default::default();
        for listing in listings {
            self.findings.extend(listing.findings);
            let mut kids: Vec<Child> = Vec::new();
            for (rec, raw) in listing.children {
                let files_wanted = want_files && !crate::files::wanted(&rec.siblings).is_empty();
                let fresh = !self.archive.contains_key(&rec.id);
                if (want_readme || files_wanted) && fresh && needed.insert(rec.id.clone()) {
                    let siblings = if want_files {
                        rec.siblings.to_vec()
                    } else {
                        Vec::new()
                    };
                    need.push((rec.id.clone(), siblings));
                }
                self.archive.entry(rec.id.clone()).or_insert(raw);
                kids.push(Child::Record(Box::new(rec)));
            }
            result.push(kids);
        }
        if need.is_empty() {
            return result;
        }
        // Snapshots and text analyses want the card bodies of listed children too, and every
        // judgement the files beside their cards.
        let extras = self.extras(&need, want_readme);
        for kid in result.iter_mut().flatten() {
            let Child::Record(rec) = kid else { continue };
            let Some((body, files)) = extras.get(&rec.id) else {
                continue;
            };
            if let Ok(body) = body {
                let info = self.archive.get(&rec.id).and_then(|r| r.info.clone());
                **rec = RepoRecord::from_parts(&rec.id, info.as_deref(), Some(body));
            }
            if !files.is_empty() {
                rec.attach_files(files);
            }
            if let Err(Some(why)) = body.as_ref().map_err(Option::as_ref) {
                let f = readme_finding(&rec.id, why);
                rec.findings.push(f);
            }
            if let Some(raw) = self.archive.get_mut(&rec.id) {
                if let Ok(body) = body {
                    raw.readme = Some(body.clone());
                }
                raw.files = files.clone();
            }
        }
        result
    }

    fn take_findings(&mut self) -> Vec<Finding> {
        std::mem::take(&mut self.findings)
    }

    fn fatal(&self) -> Option<Box<dyn std::error::Error + Send + Sync>> {
        self.client
            .fatal()
            .map(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)
    }

    fn offline_misses(&self) -> Vec<RepoId> {
        self.offline_misses.iter().cloned().collect()
    }
}

impl HubSource {
    /// README bodies (when `readme`) and the files beside the cards (the siblings given; none
    /// for an empty list) for some repos, through the resolver, each repo committed on its own.
    /// A README not asked for is `Err(None)`.
    fn extras(
        &mut self,
        repos: &[(RepoId, Vec<String>)],
        readme: bool,
    ) -> BTreeMap<RepoId, Extras> {
        let client = self.client.clone();
        let sem = Arc::new(Semaphore::new(self.jobs()));
        self.rt.block_on(async {
            let handles: Vec<_> = repos
                .iter()
                .map(|(id, siblings)| {
                    let (client, sem) = (client.clone(), sem.clone());
                    let (id, siblings) = (id.clone(), siblings.clone());
                    tokio::spawn(async move {
                        let _p = sem.acquire_owned().await.ok();
                        let mut commit = Vec::new();
                        let body = match readme {
                            true => fetch_readme(&client, &id, &mut commit).await.map_err(Some),
                            false => Err(None),
                        };
                        let files = files::fetch_files(&client, &id, &siblings, &mut commit).await;
                        client.commit(&commit);
                        (id, (body, files))
                    })
                })
                .collect();
            let mut out = BTreeMap::new();
            for h in handles {
                if let Ok((id, extra)) = h.await {
                    out.insert(id, extra);
                }
            }
            out
        })
    }
}
