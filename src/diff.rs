//! What changed between two snapshots: repos added, removed and changed (which fields), edges
//! added and removed, the findings that appear or go when both are judged under one policy, and
//! the findings where the change itself is the news (a parent relicensed, removed or gated
//! under existing derivatives).
//!
//! A pure comparison of two [`Analysis`] values; reading the snapshots and judging them is the
//! pipeline's, printing is `render::diff`'s.
//!
//! ```
//! use hf_lineage::pipeline::{run, Request, Scope};
//! use hf_lineage::source::SnapshotSource;
//! let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/hub-snapshot"));
//! let whole = |_: ()| {
//!     let mut src = SnapshotSource::open(dir).unwrap();
//!     run(&mut src, &Request { scope: Scope::Whole, judge: true, ..Request::trace(vec![]) }).unwrap()
//! };
//! let (old, new) = (whole(()), whole(()));
//! let old = hf_lineage::diff::Side::of(&old); // what the diff keeps; the analysis may go
//! let d = hf_lineage::diff::compare(&old, &new, None, &Default::default());
//! assert!(d.is_empty()); // a snapshot against itself: nothing changed
//! ```

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use rayon::prelude::*;

use serde::Serialize;
use serde_json::Value;

use crate::check::Sink;
use crate::finding::{Code, Finding};
use crate::graph::RepoRef;
use crate::id::RepoId;
use crate::policy::Policy;
use crate::record::NodeStatus;
use crate::report::Analysis;

/// A repo whose fields differ between the snapshots.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Changed {
    /// The repo's node id.
    pub id: String,
    /// Field name → `[old, new]`.
    pub changes: BTreeMap<&'static str, [Value; 2]>,
}

/// An edge, as the diff names it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Edge {
    /// The parent (or the dataset, or the model a Space uses).
    pub upstream: String,
    /// The child.
    pub downstream: String,
    /// The relation.
    pub relation: &'static str,
}

/// What changed from one snapshot to the other. Every list is sorted.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Diff {
    /// Repos in the new snapshot only.
    pub added: Vec<String>,
    /// Repos in the old snapshot only.
    pub removed: Vec<String>,
    /// Repos in both whose fields differ.
    pub changed: Vec<Changed>,
    /// Edges in the new graph only.
    pub edges_added: Vec<Edge>,
    /// Edges in the old graph only.
    pub edges_removed: Vec<Edge>,
    /// Findings of the new snapshot that the old one did not have, and the findings of the
    /// change itself (`parent-relicensed`, `parent-removed`, `parent-gated`), policy applied.
    pub findings_new: Vec<Finding>,
    /// Findings of the old snapshot that the new one no longer has.
    pub findings_resolved: Vec<Finding>,
}

impl Diff {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.changed.is_empty()
            && self.edges_added.is_empty()
            && self.edges_removed.is_empty()
            && self.findings_new.is_empty()
            && self.findings_resolved.is_empty()
    }

    /// Whether a new finding is at deny level (a scheduled job fails on it).
    pub fn has_new_deny(&self) -> bool {
        self.findings_new
            .iter()
            .any(|f| f.severity == crate::finding::Severity::Deny)
    }
}

/// Whether a node is a repo of the snapshot (read, in whatever state), not a parent it only
/// names.
fn in_snapshot(n: &RepoRef<'_>) -> bool {
    !matches!(n.status(), NodeStatus::NotFound | NodeStatus::Unvisited)
}

/// The fields a diff compares, in this order (`card`: a hash of the README text).
const FIELDS: [&str; 9] = [
    "status",
    "license",
    "license_name",
    "base_models",
    "relation",
    "gated",
    "sha",
    "last_modified",
    "card",
];

/// Which fields are lists (kept joined by `\u{1e}`, shown as JSON arrays).
const LISTS: [&str; 2] = ["base_models", "relation"];

/// A node's fields in one string (`\u{1f}` between fields, `\u{1e}` between list items, `\u{0}`
/// for an absent value): a whole-Hub snapshot's fields in a few hundred megabytes.
fn fields(n: &RepoRef<'_>) -> Box<str> {
    let rec = n.record();
    let meta = &rec.card.meta;
    let detail = rec.detail.get();
    let derivation: Vec<_> = n
        .parents()
        .into_iter()
        .filter(|(_, e)| e.relation.is_derivation())
        .collect();
    let mut bases: Vec<String> = derivation.iter().map(|(p, _)| p.id().node_id()).collect();
    bases.sort();
    let mut relations: Vec<&str> = derivation
        .iter()
        .map(|(_, e)| e.relation.as_str())
        .collect();
    relations.sort();
    relations.dedup();
    let none = || "\u{0}".to_string();
    let values = [
        n.status().as_str().to_string(),
        meta.declared_license().unwrap_or_else(none),
        meta.license_name().map(str::to_string).unwrap_or_else(none),
        bases.join("\u{1e}"),
        relations.join("\u{1e}"),
        detail.gated.clone().unwrap_or_else(none),
        detail.sha.clone().unwrap_or_else(none),
        rec.last_modified
            .map(|t| t.micros().to_string())
            .unwrap_or_else(none),
        match rec.card_hash {
            0 => none(),
            h => format!("{h:016x}"),
        },
    ];
    values.join("\u{1f}").into()
}

/// One field's value as JSON: null when absent, an array for the list fields.
fn value(field: &str, v: &str) -> Value {
    if LISTS.contains(&field) {
        return Value::from(
            v.split('\u{1e}')
                .filter(|x| !x.is_empty())
                .collect::<Vec<_>>(),
        );
    }
    match v {
        "\u{0}" => Value::Null,
        s if field == "last_modified" => match s.parse::<i64>() {
            Ok(us) => Value::String(crate::record::Timestamp::from_micros(us).to_rfc3339()),
            Err(_) => Value::String(s.to_string()),
        },
        s => Value::String(s.to_string()),
    }
}

/// What a diff keeps of the older snapshot once it is read: each repo's fields, the edges and
/// the findings (the analysis itself can then go, before the newer one is built).
#[derive(Debug, Default)]
pub struct Side {
    /// Node id → position in `fields`.
    index: HashMap<String, usize>,
    fields: Vec<Box<str>>,
    edges: Vec<(u64, Edge)>,
    findings: Vec<Finding>,
    /// The findings' identities ([`key`]), hashed.
    keys: HashSet<u64>,
}

impl Side {
    /// Keeps what a diff needs of an analysis (each node on every core).
    pub fn of(a: &Analysis) -> Side {
        let mut side = Side::shape(a);
        side.findings = a.findings().to_vec();
        side.keys = side.findings.par_iter().map(key).collect();
        side
    }

    /// As [`Side::of`], the findings moved out instead of copied; gives back the rest of the
    /// analysis (a whole-Hub graph takes seconds to free: the caller may do it elsewhere).
    pub fn take(a: Analysis) -> (Side, Analysis) {
        let mut side = Side::shape(&a);
        let (graph, mut report) = a.into_parts();
        side.findings = report.take_findings();
        side.keys = side.findings.par_iter().map(key).collect();
        (side, Analysis::new(graph, report))
    }

    /// The fields and edges.
    fn shape(a: &Analysis) -> Side {
        let t = std::time::Instant::now();
        let nodes = snapshot_fields(a, &|_| true);
        let mut index = HashMap::with_capacity(nodes.len());
        let mut fields = Vec::with_capacity(nodes.len());
        for (id, f) in nodes {
            index.insert(id, fields.len());
            fields.push(f);
        }
        let edges = edge_keys(a, &|_| true)
            .par_iter()
            .map(|(k, up, down, rel)| (*k, edge(up, down, *rel)))
            .collect();
        tracing::info!(
            secs = t.elapsed().as_secs_f64(),
            "diff: the older snapshot kept"
        );
        Side {
            index,
            fields,
            edges,
            ..Side::default()
        }
    }
}

/// (node id, fields) of every repo of the snapshot that `keep` accepts, on every core.
fn snapshot_fields(a: &Analysis, keep: &(dyn Fn(&str) -> bool + Sync)) -> Vec<(String, Box<str>)> {
    a.graph()
        .nodes()
        .par_iter()
        .filter(|n| in_snapshot(n))
        .filter_map(|n| {
            let id = n.id().node_id();
            keep(&id).then(|| (id, fields(n)))
        })
        .collect()
}

/// An edge's identity, hashed from its ends' ids and its relation (no strings built).
fn edge_key(up: &RepoId, down: &RepoId, relation: crate::relation::Relation) -> u64 {
    use std::hash::{BuildHasher, Hash, Hasher};
    let mut h = foldhash::quality::FixedState::with_seed(0xed9e).build_hasher();
    for id in [up, down] {
        id.kind().as_str().hash(&mut h);
        id.name().hash(&mut h);
    }
    relation.as_str().hash(&mut h);
    h.finish()
}

/// Every edge `keep` accepts (either end), as (identity, the ends), on every core.
fn edge_keys<'a>(
    a: &'a Analysis,
    keep: &(dyn Fn(&str) -> bool + Sync),
) -> Vec<(u64, RepoRef<'a>, RepoRef<'a>, crate::relation::Relation)> {
    let g = a.graph();
    g.sorted_edges()
        .par_iter()
        .filter_map(|&e| g.edge_view(e))
        .filter(|e| keep(&e.upstream.id().node_id()) || keep(&e.downstream.id().node_id()))
        .map(|e| {
            let k = edge_key(e.upstream.id(), e.downstream.id(), e.data.relation);
            (k, e.upstream, e.downstream, e.data.relation)
        })
        .collect()
}

fn edge(up: &RepoRef<'_>, down: &RepoRef<'_>, relation: crate::relation::Relation) -> Edge {
    Edge {
        upstream: up.id().node_id(),
        downstream: down.id().node_id(),
        relation: relation.as_str(),
    }
}

/// A finding's identity across snapshots — its code, its repos and its message — hashed
/// (64 bits: a collision among a few million findings is about one in a million million).
fn key(f: &Finding) -> u64 {
    use std::hash::{BuildHasher, Hash, Hasher};
    let mut h = foldhash::quality::FixedState::with_seed(0x5eed).build_hasher();
    f.code.as_str().hash(&mut h);
    for n in &f.nodes {
        n.kind().as_str().hash(&mut h);
        n.name().hash(&mut h);
    }
    f.message.hash(&mut h);
    h.finish()
}

/// Compares the older snapshot (kept as a [`Side`]) with the newer analysis. `scope`, when
/// given, keeps only what touches those node ids (a family: a repo and its descendants in
/// either snapshot). `policy` applies to the findings of the change itself (the snapshots' own
/// findings were judged under it already).
pub fn compare(
    old: &Side,
    new: &Analysis,
    scope: Option<&BTreeSet<String>>,
    policy: &Policy,
) -> Diff {
    let keep = |id: &str| scope.is_none_or(|s| s.contains(id));
    let now = snapshot_fields(new, &keep);
    let mut seen = vec![false; old.fields.len()];
    let mut added = Vec::new();
    let mut changed = Vec::new();
    for (id, after) in &now {
        match old.index.get(id) {
            None => added.push(id.clone()),
            Some(&i) => {
                seen[i] = true;
                let before = &old.fields[i];
                if before != after {
                    changed.push((id, before, after));
                }
            }
        }
    }
    let mut removed: Vec<String> = old
        .index
        .iter()
        .filter(|(id, i)| !seen[**i] && keep(id))
        .map(|(id, _)| id.clone())
        .collect();
    added.sort();
    removed.sort();
    let mut d = Diff {
        added,
        removed,
        ..Diff::default()
    };
    for (id, before, after) in changed {
        let changes: BTreeMap<&'static str, [Value; 2]> = FIELDS
            .iter()
            .zip(before.split('\u{1f}').zip(after.split('\u{1f}')))
            .filter(|(_, (b, a))| b != a)
            .map(|(name, (b, a))| (*name, [value(name, b), value(name, a)]))
            .collect();
        d.changed.push(Changed {
            id: id.clone(),
            changes,
        });
    }
    d.changed.sort_by(|a, b| a.id.cmp(&b.id));
    let now_edges = edge_keys(new, &keep);
    let now_keys: HashSet<u64> = now_edges.iter().map(|(k, ..)| *k).collect();
    let was_keys: HashSet<u64> = old.edges.iter().map(|(k, _)| *k).collect();
    let mut edges_added: Vec<Edge> = now_edges
        .par_iter()
        .filter(|(k, ..)| !was_keys.contains(k))
        .map(|(_, up, down, rel)| edge(up, down, *rel))
        .collect();
    let mut edges_removed: Vec<Edge> = old
        .edges
        .par_iter()
        .filter(|(k, e)| !now_keys.contains(k) && (keep(&e.upstream) || keep(&e.downstream)))
        .map(|(_, e)| e.clone())
        .collect();
    edges_added.sort();
    edges_removed.sort();
    d.edges_added = edges_added;
    d.edges_removed = edges_removed;
    let touches = |f: &Finding| scope.is_none() || f.nodes.iter().any(|n| keep(&n.node_id()));
    let new_keys: HashSet<u64> = new.findings().par_iter().map(key).collect();
    d.findings_new = new
        .findings()
        .par_iter()
        .filter(|f| !old.keys.contains(&key(f)) && touches(f))
        .cloned()
        .collect();
    d.findings_resolved = old
        .findings
        .par_iter()
        .filter(|f| !new_keys.contains(&key(f)) && touches(f))
        .cloned()
        .collect();
    let t = std::time::Instant::now();
    let news = news(new, &d, policy);
    tracing::info!(
        secs = t.elapsed().as_secs_f64(),
        n = news.len(),
        "diff: the change's own findings"
    );
    d.findings_new.extend(news);
    d
}

/// The findings where the change is the news: a parent relicensed, removed (or no longer
/// readable) or gated while derivatives of it remain in the new snapshot.
fn news(new: &Analysis, d: &Diff, policy: &Policy) -> Vec<Finding> {
    let mut sink = Sink::new(policy);
    let ng = new.graph();
    let derivatives = |id: &RepoId| -> Vec<RepoId> {
        let Some(n) = ng.get(id) else { return vec![] };
        n.children()
            .iter()
            .filter(|(_, e)| e.relation.is_derivation())
            .map(|(c, _)| c.id().clone())
            .collect()
    };
    let names = |v: &[RepoId]| -> String {
        let shown: Vec<String> = v.iter().take(5).map(RepoId::node_id).collect();
        match v.len() > 5 {
            true => format!("{} and {} more", shown.join(", "), v.len() - 5),
            false => shown.join(", "),
        }
    };
    let parse = |s: &str| RepoId::parse(s, crate::id::RepoKind::Model).ok();
    // Node id → the codes of the new license findings that name it (built once).
    let mut license_news: HashMap<String, Vec<&'static str>> = HashMap::new();
    for f in d
        .findings_new
        .iter()
        .filter(|f| f.code.as_str().starts_with("license-"))
    {
        for n in &f.nodes {
            license_news
                .entry(n.node_id())
                .or_default()
                .push(f.code.as_str());
        }
    }
    for c in &d.changed {
        let Some(id) = parse(&c.id) else { continue };
        let below = derivatives(&id);
        if below.is_empty() {
            continue;
        }
        let text = |v: &Value| {
            v.as_str()
                .map(str::to_string)
                .unwrap_or_else(|| "none".into())
        };
        if let Some([b, a]) = c.changes.get("license") {
            // Which new license findings sit in its family now.
            let mut fallout: Vec<&str> = ng
                .descendants(&id)
                .iter()
                .filter_map(|x| license_news.get(&x.id().node_id()))
                .flatten()
                .copied()
                .collect();
            fallout.sort();
            fallout.dedup();
            let fallout = match fallout.is_empty() {
                true => "no new license finding below it".to_string(),
                false => format!("new below it: {}", fallout.join(", ")),
            };
            let mut nodes = vec![id.clone()];
            nodes.extend(below.iter().cloned());
            sink.push(Finding::of(
                Code::ParentRelicensed,
                nodes,
                format!(
                    "{} was relicensed from {} to {} with {} derivative(s) below it ({}); {fallout}",
                    id.node_id(),
                    text(b),
                    text(a),
                    below.len(),
                    names(&below)
                ),
            ));
        }
        if let Some([b, a]) = c.changes.get("gated") {
            if !a.is_null() && a.as_str() != Some("false") && b != a {
                let mut nodes = vec![id.clone()];
                nodes.extend(below.iter().cloned());
                sink.push(Finding::of(
                    Code::ParentGated,
                    nodes,
                    format!(
                        "{} is now gated ({}, was {}) with {} derivative(s) below it ({}): their users now need its access to rebuild them",
                        id.node_id(),
                        text(a),
                        text(b),
                        below.len(),
                        names(&below)
                    ),
                ));
            }
        }
        if let Some([b, a]) = c.changes.get("status") {
            if b.as_str() == Some("ok") && a.as_str() != Some("ok") {
                sink.push(gone(&id, text(a), &below, &names(&below)));
            }
        }
    }
    // Removed outright: the new snapshot names it only as a parent (or not at all).
    for id in &d.removed {
        let Some(id) = parse(id) else { continue };
        let below = derivatives(&id);
        if !below.is_empty() {
            sink.push(gone(&id, "removed".into(), &below, &names(&below)));
        }
    }
    sink.finish(&|_| true)
}

fn gone(id: &RepoId, how: String, below: &[RepoId], names: &str) -> Finding {
    let mut nodes = vec![id.clone()];
    nodes.extend(below.iter().cloned());
    Finding::of(
        Code::ParentRemoved,
        nodes,
        format!(
            "{} is gone from the new snapshot ({how}) while {} derivative(s) of it remain ({names}): their lineage and license now end at a repo no one can read",
            id.node_id(),
            below.len()
        ),
    )
}

/// The node ids of `roots` and what lies `direction` of them in one analysis: a scoped diff
/// keeps the union of this over both snapshots.
pub fn family(
    a: &Analysis,
    roots: &[RepoId],
    direction: crate::graph::Direction,
) -> BTreeSet<String> {
    use crate::graph::Direction;
    let mut out = BTreeSet::new();
    let g = a.graph();
    for r in roots {
        out.insert(r.node_id());
        if matches!(direction, Direction::Down | Direction::Both) {
            out.extend(g.descendants(r).iter().map(|n| n.id().node_id()));
        }
        if matches!(direction, Direction::Up | Direction::Both) {
            out.extend(g.ancestors(r).iter().map(|n| n.id().node_id()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_values_read_back_as_json() {
        assert_eq!(value("license", "\u{0}"), Value::Null);
        assert_eq!(value("license", "mit"), Value::from("mit"));
        assert_eq!(
            value("base_models", "a/b\u{1e}c/d"),
            serde_json::json!(["a/b", "c/d"])
        );
        assert_eq!(value("base_models", ""), serde_json::json!([]));
        assert_eq!(FIELDS.len(), 9);
        assert!(LISTS.iter().all(|l| FIELDS.contains(l)));
    }

    #[test]
    fn a_new_deny_finding_is_what_fails_a_job() {
        let mut d = Diff::default();
        assert!(d.is_empty() && !d.has_new_deny());
        let id = RepoId::parse("a/b", crate::id::RepoKind::Model).unwrap();
        let mut f = Finding::of(Code::ParentRemoved, vec![id], "gone".to_string());
        d.findings_new.push(f.clone());
        assert!(!d.is_empty() && !d.has_new_deny());
        f.severity = crate::finding::Severity::Deny;
        d.findings_new.push(f);
        assert!(d.has_new_deny());
    }
}
