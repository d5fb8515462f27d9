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

use std::collections::{BTreeMap, BTreeSet, HashMap};

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

/// The fields a diff compares, in this order.
const FIELDS: [&str; 8] = [
    "status",
    "license",
    "license_name",
    "base_models",
    "relation",
    "gated",
    "sha",
    "last_modified",
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
            .map(|t| t.to_rfc3339())
            .unwrap_or_else(none),
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
        s => Value::String(s.to_string()),
    }
}

/// What a diff keeps of the older snapshot once it is read: each repo's fields, the edges and
/// the findings (the analysis itself can then go, before the newer one is built).
#[derive(Debug, Default)]
pub struct Side {
    nodes: HashMap<String, Box<str>>,
    edges: BTreeSet<Edge>,
    findings: Vec<Finding>,
}

impl Side {
    /// Keeps what a diff needs of an analysis.
    pub fn of(a: &Analysis) -> Side {
        Side {
            nodes: a
                .graph()
                .nodes()
                .iter()
                .filter(|n| in_snapshot(n))
                .map(|n| (n.id().node_id(), fields(n)))
                .collect(),
            edges: edges(a, &|_| true),
            findings: a.findings().to_vec(),
        }
    }
}

fn edges(a: &Analysis, keep: &dyn Fn(&str) -> bool) -> BTreeSet<Edge> {
    let g = a.graph();
    g.sorted_edges()
        .into_iter()
        .filter_map(|e| g.edge_view(e))
        .map(|e| Edge {
            upstream: e.upstream.id().node_id(),
            downstream: e.downstream.id().node_id(),
            relation: e.data.relation.as_str(),
        })
        .filter(|e| keep(&e.upstream) || keep(&e.downstream))
        .collect()
}

/// A finding's identity across snapshots: its code, its repos and its message.
fn key(f: &Finding) -> (Code, Vec<String>, &str) {
    (
        f.code,
        f.nodes.iter().map(RepoId::node_id).collect(),
        &f.message,
    )
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
    let is: HashMap<String, Box<str>> = new
        .graph()
        .nodes()
        .iter()
        .filter(|n| in_snapshot(n))
        .map(|n| (n.id().node_id(), n))
        .filter(|(id, _)| keep(id))
        .map(|(id, n)| (id, fields(n)))
        .collect();
    let mut added: Vec<String> = is
        .keys()
        .filter(|k| !old.nodes.contains_key(*k))
        .cloned()
        .collect();
    let mut removed: Vec<String> = old
        .nodes
        .keys()
        .filter(|k| keep(k) && !is.contains_key(*k))
        .cloned()
        .collect();
    added.sort();
    removed.sort();
    let mut d = Diff {
        added,
        removed,
        ..Diff::default()
    };
    for (id, after) in &is {
        let Some(before) = old.nodes.get(id) else {
            continue;
        };
        if before == after {
            continue;
        }
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
    let en = edges(new, &keep);
    let eo: BTreeSet<&Edge> = old
        .edges
        .iter()
        .filter(|e| keep(&e.upstream) || keep(&e.downstream))
        .collect();
    d.edges_added = en.iter().filter(|e| !eo.contains(e)).cloned().collect();
    d.edges_removed = eo
        .iter()
        .filter(|e| !en.contains(**e))
        .map(|e| (*e).clone())
        .collect();
    let touches = |f: &Finding| scope.is_none() || f.nodes.iter().any(|n| keep(&n.node_id()));
    let old_keys: BTreeSet<_> = old
        .findings
        .iter()
        .filter(|f| touches(f))
        .map(key)
        .collect();
    let new_keys: BTreeSet<_> = new
        .findings()
        .iter()
        .filter(|f| touches(f))
        .map(key)
        .collect();
    d.findings_new = new
        .findings()
        .iter()
        .filter(|f| touches(f) && !old_keys.contains(&key(f)))
        .cloned()
        .collect();
    d.findings_resolved = old
        .findings
        .iter()
        .filter(|f| touches(f) && !new_keys.contains(&key(f)))
        .cloned()
        .collect();
    let news = news(new, &d, policy);
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
            let family: BTreeSet<String> = ng
                .descendants(&id)
                .iter()
                .map(|x| x.id().node_id())
                .collect();
            let mut fallout: Vec<&str> = d
                .findings_new
                .iter()
                .filter(|f| f.code.as_str().starts_with("license-"))
                .filter(|f| f.nodes.iter().any(|x| family.contains(&x.node_id())))
                .map(|f| f.code.as_str())
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
        assert_eq!(FIELDS.len(), 8);
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
