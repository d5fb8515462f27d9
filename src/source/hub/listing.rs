//! Listings: a model's derived models (checked against the Hub's per-relation counts, with the
//! relation-prefixed filter for relations that fall short), the Spaces using a model or a
//! dataset, the models trained on a dataset; every page of each, committed in one transaction.

use std::collections::HashSet;
use std::sync::Arc;

use tokio::sync::Semaphore;

use super::RawRepo;
use crate::finding::{Code, Finding, Severity};
use crate::hub::client::HubClient;
use crate::hub::ratelimit::BucketKind;
use crate::hub::{listing_path, spaces_listing_path};
use crate::id::{RepoId, RepoKind};
use crate::record::{ChildrenCount, RepoRecord};
use crate::relation::Relation;

#[derive(Default)]
pub(super) struct Listing {
    pub(super) children: Vec<(RepoRecord, RawRepo)>,
    pub(super) findings: Vec<Finding>,
}

impl Listing {
    /// Adds the records of `other` not already present.
    fn absorb(&mut self, other: Listing, seen: &mut HashSet<RepoId>) -> usize {
        let mut added = 0;
        for (rec, raw) in other.children {
            if seen.insert(rec.id.clone()) {
                self.children.push((rec, raw));
                added += 1;
            }
        }
        self.findings.extend(other.findings);
        added
    }
}

/// Every page of one listing (`Link: rel="next"`), committed in one transaction.
async fn list_pages(
    client: &HubClient,
    sem: &Semaphore,
    first: String,
    kind: RepoKind,
    node: &RepoId,
    what: &str,
) -> Listing {
    let mut out = Listing::default();
    let mut path = first;
    let mut commit = Vec::new();
    for _page in 0..10_000 {
        let fetched = {
            let _permit = sem.acquire().await.ok();
            client.get(&path, BucketKind::Api).await
        };
        let f = match fetched {
            Ok(f) => f,
            Err(e) => {
                out.findings
                    .push(listing_failed(Some(node), what, &e.to_string()));
                break;
            }
        };
        if f.fresh {
            commit.push((path.clone(), f.response.clone()));
        }
        if f.response.status != 200 {
            out.findings.push(listing_failed(
                Some(node),
                what,
                &format!("HTTP {}", f.response.status),
            ));
            break;
        }
        match page_items(&f.response.body, kind) {
            Some(items) => {
                for (id, bytes) in items {
                    let rec = RepoRecord::from_parts(&id, Some(&bytes), None);
                    out.children.push((
                        rec,
                        RawRepo {
                            info: Some(bytes),
                            ..RawRepo::default()
                        },
                    ));
                }
            }
            None => {
                out.findings.push(listing_failed(
                    Some(node),
                    what,
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
                out.findings.push(Finding::of(Code::CrawlForeignLink,
                    vec![node.clone()],
                    format!("{what} of {node}: the Link header points at another host ({next}); not followed, list may be incomplete"),
                ));
                break;
            }
        }
    }
    client.commit(&commit);
    out
}

/// The repos of one listing page, each with its item's JSON; `None` when the page is not a
/// JSON array. Items without a valid id are skipped.
pub(super) fn page_items(body: &[u8], kind: RepoKind) -> Option<Vec<(RepoId, Vec<u8>)>> {
    let serde_json::Value::Array(items) = serde_json::from_slice(body).ok()? else {
        return None;
    };
    Some(
        items
            .into_iter()
            .filter_map(|item| {
                let id = item
                    .get("id")
                    .and_then(|i| i.as_str())
                    .and_then(|s| RepoId::parse(s, kind).ok())?;
                Some((id, serde_json::to_vec(&item).unwrap_or_default()))
            })
            .collect(),
    )
}

/// Every spelling's listing under one filter (`base_model:<id>`, `base_model:adapter:<id>` …),
/// added to `out`; returns how many repos were new.
async fn list_spellings(
    client: &HubClient,
    sem: &Semaphore,
    names: &[RepoId],
    filter: impl Fn(&RepoId) -> String,
    node: &RepoId,
    out: &mut Listing,
    seen: &mut HashSet<RepoId>,
) -> usize {
    let mut added = 0;
    for n in names {
        let path = listing_path(&filter(n));
        let l = list_pages(client, sem, path, RepoKind::Model, node, "children listing").await;
        added += out.absorb(l, seen);
    }
    added
}

/// The ids a parent is known by: its canonical id, then the spellings it was asked by.
fn spellings(parent: &RepoRecord) -> Vec<RepoId> {
    let mut out = vec![parent.id.clone()];
    for a in &parent.aliases {
        if !out.iter().any(|o| o.name() == a.name()) {
            out.push(a.clone());
        }
    }
    out
}

/// The relation a listed child has to `parent` (under any of its spellings), as the Hub says.
fn relation_to_parent(child: &RepoRecord, parent: &[RepoId]) -> Relation {
    for p in parent {
        if let Some(r) = child.hub_relation(p) {
            return r;
        }
    }
    let n = child.base_models().len().max(1);
    child.relation_to(&parent[0], n).0
}

/// The models derived from a model: listings under each spelling, checked against the Hub's
/// per-relation counts, with the relation-prefixed filter for relations that fall short.
async fn derived_models(client: &HubClient, sem: &Semaphore, parent: &RepoRecord) -> Listing {
    let mut out = Listing::default();
    let counts = parent.detail.get().children_count.as_deref().copied();
    if counts.is_some_and(|c| c.total == 0) {
        return out;
    }
    let node = &parent.id;
    let names = spellings(parent);
    let mut seen: HashSet<RepoId> = HashSet::new();
    let plain = |n: &RepoId| format!("base_model:{}", n.name());
    list_spellings(client, sem, &names, plain, node, &mut out, &mut seen).await;
    let Some(counts) = counts else {
        return out;
    };
    let tally = |out: &Listing, rel: Relation| {
        out.children
            .iter()
            .filter(|(c, _)| relation_to_parent(c, &names) == rel)
            .count() as u64
    };
    match counts.per_relation {
        Some(_) => {
            for rel in ChildrenCount::RELATIONS {
                let want = counts.of(rel).unwrap_or(0);
                let listed = tally(&out, rel);
                if listed >= want {
                    continue;
                }
                let prefixed = |n: &RepoId| format!("base_model:{}:{}", rel.as_str(), n.name());
                let added =
                    list_spellings(client, sem, &names, prefixed, node, &mut out, &mut seen).await;
                let now = tally(&out, rel);
                let (severity, outcome) = if now >= want {
                    (
                        Severity::Info,
                        format!("the filter base_model:{rel}:<id> found the other {added}"),
                    )
                } else {
                    (Severity::Warn, format!("the filter base_model:{rel}:<id> found {added} more; {} still missing (their tags may name {node} by another spelling)", want - now))
                };
                out.findings.push(Finding::new(
                    Code::CrawlChildrenMissing,
                    severity,
                    vec![node.clone()],
                    format!("the Hub counts {want} {rel} children of {node}, its listing by base_model:<id> returned {listed}; {outcome}"),
                ));
            }
        }
        None => {
            let listed = out.children.len() as u64;
            if listed < counts.total {
                out.findings.push(Finding::of(
                    Code::CrawlChildrenMissing,
                    vec![node.clone()],
                    format!(
                        "the Hub counts {} children of {node}, its listings returned {listed}",
                        counts.total
                    ),
                ));
            }
        }
    }
    out
}

pub(super) async fn list_children(
    client: Arc<HubClient>,
    parent: RepoRecord,
    sem: Arc<Semaphore>,
) -> Listing {
    let mut out = Listing::default();
    let mut seen: HashSet<RepoId> = HashSet::new();
    let node = &parent.id;
    // What to list besides a model's derived models: (path, kind listed, what it is).
    let mut listings: Vec<(String, RepoKind, &str)> = Vec::new();
    match parent.id.kind() {
        RepoKind::Model => {
            let models = derived_models(&client, &sem, &parent).await;
            out.absorb(models, &mut seen);
            // An empty `spaces` field means no Space uses the model; absent means unknown.
            if !parent.detail.get().spaces_known || !parent.detail.get().api_spaces.is_empty() {
                listings.push((
                    spaces_listing_path(&parent.id),
                    RepoKind::Space,
                    "Spaces listing",
                ));
            }
        }
        RepoKind::Dataset => {
            for n in spellings(&parent) {
                let path = listing_path(&format!("dataset:{}", n.name()));
                listings.push((path, RepoKind::Model, "models listing"));
            }
            listings.push((
                spaces_listing_path(&parent.id),
                RepoKind::Space,
                "Spaces listing",
            ));
        }
        RepoKind::Space => {}
    }
    for (path, kind, what) in listings {
        let l = list_pages(&client, &sem, path, kind, node, what).await;
        out.absorb(l, &mut seen);
    }
    out
}

/// A listing that could not be completed: of a repo's children (`node`), or of the whole Hub.
pub(super) fn listing_failed(node: Option<&RepoId>, what: &str, why: &str) -> Finding {
    let label = node.map_or_else(|| "the Hub".to_string(), RepoId::node_id);
    Finding::of(
        Code::CrawlListingIncomplete,
        node.cloned().into_iter().collect(),
        format!("{what} of {label} could not be completed: {why}"),
    )
}
