//! Licenses down a lineage: knowledge base, inheritance, conflict rules and the policy file.
//!
//! [`check_licenses`] walks every node's derivation ancestors (finetune, adapter, merge,
//! quantized edges), resolves each declared license against the [`kb::KnowledgeBase`], and
//! compares what the node declares with what its ancestors require of it (rules 1–8 of
//! ../shared/reference/licenses.md). Training data (`trained_on`) is reported separately, at
//! info/warn level, because whether data terms bind a model is contested. Every finding names
//! the ancestor, its license, the rule that fired and the lineage path, so a person can check it.

mod paths;
mod rules;

pub use paths::path_text;
use paths::{derivation_ancestors, Ancestor};
use rules::{collect_obligations, judge, names, own_release, Violation};

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::Arc;

use rayon::prelude::*;

use crate::card::CardMeta;
use crate::finding::{Code, Finding, Severity};
use crate::graph::{LineageGraph, NodeIx, RepoRef, Way};
use crate::id::{RepoId, RepoKind};
use crate::kb::{KnowledgeBase, LicenseInfo, Resolved};
use crate::policy::Policy;
use crate::record::{NodeStatus, RepoRecord};
use crate::relation::Relation;

/// Obligations concluded per node of one graph, by node position (see [`check_licenses`]).
#[derive(Debug, Clone, Default)]
pub struct Obligations(pub(crate) Vec<Option<Arc<[String]>>>);

impl Obligations {
    /// Nodes with obligations.
    pub fn len(&self) -> usize {
        self.0.iter().filter(|o| o.is_some()).count()
    }

    /// Whether no node has obligations.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The license check, in the shape every check has; it keeps the obligations it concludes.
#[derive(Debug, Clone, Default)]
pub struct Licenses {
    /// Per node: the obligations its ancestors' licenses put on it.
    pub obligations: Obligations,
}

impl crate::check::Check for Licenses {
    fn name(&self) -> &'static str {
        "licenses"
    }

    fn run(&mut self, cx: &crate::check::CheckContext<'_>, sink: &mut crate::check::Sink<'_>) {
        let report = check_licenses(cx.graph, cx.kb, cx.policy);
        sink.extend(report.findings);
        self.obligations = report.obligations;
    }
}

/// The result of the analysis.
#[derive(Debug, Clone, Default)]
pub struct LicenseReport {
    /// Findings, after policy levels and exceptions.
    pub findings: Vec<Finding>,
    /// Per node: the obligations its ancestors' licenses put on it.
    pub obligations: Obligations,
}

/// The license each node effectively declares: its card's, or a policy clarification pinned to
/// the sha the node is at.
fn effective_meta(n: &RepoRef<'_>, policy: &Policy, findings: &mut Vec<Finding>) -> CardMeta {
    let rec = n.record();
    let mut meta = rec.card.meta.clone();
    for c in policy.clarify.iter().filter(|c| &c.repo == n.id()) {
        let at = rec.sha().unwrap_or("");
        if !at.is_empty()
            && at
                .to_ascii_lowercase()
                .starts_with(&c.sha.to_ascii_lowercase())
        {
            meta.licenses = vec![c.license.to_ascii_lowercase()].into();
            meta.extra.update(|e| e.license_name = None);
        } else {
            let why = if at.is_empty() {
                "its commit is not known here".to_string()
            } else {
                format!("it is now at {at}")
            };
            findings.push(Finding::of(Code::ClarifyStale,
                vec![n.id().clone()],
                format!(
                    "the policy clarifies {} as {} at commit {}, but {why}; the clarification is not applied (check the card again and update the sha)",
                    n.id().node_id(),
                    c.license,
                    c.sha
                ),
            ));
        }
    }
    meta
}

/// Runs every license rule over the graph. The policy's `[licenses]`, `[[clarify]]` and
/// `[[license]]` shape the analysis; its `[levels]` and `[[exceptions]]` are applied later, to
/// every finding at once ([`crate::pipeline::apply_policy`]).
///
/// Every node is resolved, then judged, on its own, on every core; the result is in node
/// positions, so gathering it back costs no lookups by id.
pub fn check_licenses(g: &LineageGraph, kb: &KnowledgeBase, policy: &Policy) -> LicenseReport {
    let mut findings = Vec::new();
    // Effective declarations, resolved once per node.
    let resolved = if policy.clarify.is_empty() {
        Resolutions(
            (0..g.len())
                .into_par_iter()
                .map(|i| {
                    let n = g.at(NodeIx::new(i));
                    (n.status() == NodeStatus::Ok).then(|| resolve_node(kb, n.record(), None))
                })
                .collect(),
        )
    } else {
        let mut r = Resolutions(vec![None; g.len()]);
        for i in 0..g.len() {
            let n = g.at(NodeIx::new(i));
            if n.status() == NodeStatus::Ok {
                let meta = effective_meta(&n, policy, &mut findings);
                r.0[i] = Some(resolve_node(kb, n.record(), Some(&meta)));
            }
        }
        r
    };
    let judged: Vec<NodeJudgement> = (0..g.len())
        .into_par_iter()
        .map(|i| judge_node(g, &g.at(NodeIx::new(i)), &resolved))
        .collect();
    let mut obligations = Vec::with_capacity(judged.len());
    // Siblings under the same ancestors conclude the same lines (every quantization of one
    // fine-tune): each distinct set is kept once.
    let mut distinct: HashSet<Arc<[String]>, foldhash::fast::RandomState> = HashSet::default();
    for j in judged {
        findings.extend(j.findings);
        obligations.push(j.obligations.map(|lines| match distinct.get(&*lines) {
            Some(shared) => shared.clone(),
            None => {
                let shared: Arc<[String]> = Arc::from(lines);
                distinct.insert(shared.clone());
                shared
            }
        }));
    }
    findings.extend(policy_findings(g, policy, &resolved));
    LicenseReport {
        findings,
        obligations: Obligations(obligations),
    }
}

/// A node's license: what its card (or `meta`, a policy's clarification of it) declares, and
/// for a bare `license: other` the license its LICENSE file holds.
fn resolve_node(kb: &KnowledgeBase, rec: &RepoRecord, meta: Option<&CardMeta>) -> Resolved {
    let file = rec.license_file().and_then(|f| f.license.as_deref());
    kb.resolve_with_file(meta.unwrap_or(&rec.card.meta), file)
}

/// Each node's effective license, resolved once, by node position.
struct Resolutions(Vec<Option<Resolved>>);

impl Resolutions {
    fn of(&self, n: &RepoRef<'_>) -> Option<&Resolved> {
        self.0.get(n.ix().index()).and_then(Option::as_ref)
    }
}

/// What judging one node gave: its findings, and its concluded obligations.
#[derive(Default)]
struct NodeJudgement {
    findings: Vec<Finding>,
    obligations: Option<Box<[String]>>,
}

fn judge_node(g: &LineageGraph, n: &RepoRef<'_>, resolved: &Resolutions) -> NodeJudgement {
    let mut out = NodeJudgement::default();
    let Some(mine) = resolved.of(n) else {
        return out;
    };
    if let Resolved::Unresolved(why) = mine {
        let node = n.id().node_id();
        out.findings.push(Finding::of(
            Code::LicenseUnresolved,
            vec![n.id().clone()],
            format!("{node}: {why}; its terms cannot be checked (NOASSERTION)"),
        ));
    }
    if n.id().kind() != RepoKind::Model {
        return out;
    }
    // Most models derive from nothing and were trained on nothing named: nothing to judge.
    let mut derived = false;
    let mut trained = false;
    let mut merge = false;
    for (_, e) in g.neighbour_indices(n.ix(), Way::Up) {
        derived |= e.relation.is_derivation();
        merge |= e.relation == Relation::Merge && !e.is_suggested();
        trained |= e.relation == Relation::TrainedOn;
    }
    if trained {
        out.findings.extend(data_terms(n, mine, resolved));
    }
    if !derived {
        return out;
    }
    let ancestors = derivation_ancestors(g, n.ix());
    let mut violations: Vec<Violation> = Vec::new();
    // Ancestors grouped by license: the texts are built once per license, not per ancestor.
    let mut by_license: BTreeMap<&str, (&LicenseInfo, Vec<&Ancestor<'_>>)> = BTreeMap::new();
    let mut nearest_known: Option<(&LicenseInfo, &Ancestor<'_>)> = None;
    for a in &ancestors {
        let Some(Resolved::Known(theirs)) = resolved.of(&a.node) else {
            continue;
        };
        for l in theirs {
            if own_release(a.node.id(), n.id(), l) {
                continue; // the licensor's own release is not a licensee's derivative
            }
            nearest_known.get_or_insert((l, a));
            by_license
                .entry(l.id.as_str())
                .or_insert((l, vec![]))
                .1
                .push(a);
            judge(n, merge, mine, l, a, &mut violations);
        }
    }
    if let (Resolved::Missing, None) = (mine, nearest_known) {
        out.findings.push(Finding::new(
            Code::LicenseMissing,
            Severity::Info,
            vec![n.id().clone()],
            format!(
                "{} is a derivative and declares no license, and its ancestors' terms cannot be read either: which terms apply cannot be concluded (rule 8)",
                n.id().node_id()
            ),
        ));
    }
    if let (Resolved::Missing, Some((l, a))) = (mine, nearest_known) {
        // Rule 8: a derivative that declares no license; warn when its ancestors' terms bind
        // it, info when they ask only for notices.
        let obliged = by_license.values().any(|(l, _)| l.has_obligations());
        let severity = if obliged {
            Severity::Warn
        } else {
            Severity::Info
        };
        out.findings.push(Finding::new(
            Code::LicenseMissing,
            severity,
            vec![n.id().clone(), a.node.id().clone()],
            format!(
                "{} derives from {} ({}) and declares no license: which terms apply cannot be concluded (rule 8){}. Path: {}",
                n.id().node_id(),
                a.node.id().node_id(),
                l.id,
                if obliged { "; its ancestors' terms bind derivatives" } else { "" },
                path_text(g, a.node.id(), n.id())
            ),
        ));
    }
    let mut obligations: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (l, sources) in by_license.values() {
        collect_obligations(l, sources, &mut obligations);
    }
    if !obligations.is_empty() {
        let lines: Vec<String> = obligations
            .into_iter()
            .map(|(text, from)| {
                format!(
                    "{text} (from {})",
                    from.into_iter().collect::<Vec<_>>().join(", ")
                )
            })
            .collect();
        out.obligations = Some(lines.into_boxed_slice());
    }
    out.findings.extend(summarize(g, n, violations));
    out.findings.extend(merge_conflicts(g, n, resolved));
    out
}

/// One finding per code: the nearest ancestor that triggers it, all its rules, and the path.
fn summarize(g: &LineageGraph, n: &RepoRef<'_>, mut violations: Vec<Violation>) -> Vec<Finding> {
    violations
        .sort_by(|a, b| (a.code, a.distance, &a.ancestor).cmp(&(b.code, b.distance, &b.ancestor)));
    let mut out = Vec::new();
    let node = n.id().node_id();
    let mut by_code: BTreeMap<crate::finding::Code, Vec<&Violation>> = BTreeMap::new();
    for v in &violations {
        by_code.entry(v.code).or_default().push(v);
    }
    for (code, vs) in by_code {
        let first = vs[0];
        let mut rules: Vec<&str> = vs
            .iter()
            .filter(|v| v.ancestor == first.ancestor)
            .map(|v| v.rule.as_str())
            .collect();
        rules.dedup();
        let others: BTreeSet<String> = vs
            .iter()
            .filter(|v| v.ancestor != first.ancestor)
            .map(|v| v.ancestor.node_id())
            .collect();
        let declared = n
            .record()
            .card
            .meta
            .declared_license()
            .unwrap_or_else(|| "no license".into());
        let mut msg = format!(
            "{node} ({declared}) derives from {} ({}): {}. Path: {}",
            first.ancestor.node_id(),
            first.license,
            rules.join("; "),
            path_text(g, &first.ancestor, n.id())
        );
        if !others.is_empty() {
            msg.push_str(&format!(
                ". Also from {}",
                others.into_iter().collect::<Vec<_>>().join(", ")
            ));
        }
        out.push(Finding::of(
            code,
            vec![n.id().clone(), first.ancestor.clone()],
            msg,
        ));
    }
    out
}

/// A merge's parents judged jointly: terms that each demand their own license cannot all be met.
fn merge_conflicts(g: &LineageGraph, n: &RepoRef<'_>, resolved: &Resolutions) -> Vec<Finding> {
    let merge_parents: Vec<RepoRef<'_>> = n
        .parents()
        .into_iter()
        .filter(|(_, e)| e.relation == Relation::Merge)
        .map(|(p, _)| p)
        .collect();
    if merge_parents.len() < 2 {
        return vec![];
    }
    // family → (ancestor, license) demanding it, per merge parent's lineage.
    let mut demands: BTreeMap<String, (RepoId, String)> = BTreeMap::new();
    for p in &merge_parents {
        let mut lineage = vec![*p];
        lineage.extend(derivation_ancestors(g, p.ix()).into_iter().map(|a| a.node));
        for anc in lineage {
            if let Some(Resolved::Known(ls)) = resolved.of(&anc) {
                for l in ls.iter().filter(|l| l.keep_license || l.share_alike) {
                    demands
                        .entry(l.family.clone())
                        .or_insert((anc.id().clone(), l.id.clone()));
                }
            }
        }
    }
    if demands.len() < 2 {
        return vec![];
    }
    let node = n.id().node_id();
    let parts: Vec<String> = demands
        .values()
        .map(|(id, l)| format!("{} ({l})", id.node_id()))
        .collect();
    let mut nodes = vec![n.id().clone()];
    nodes.extend(demands.values().map(|(id, _)| id.clone()));
    vec![Finding::of(Code::LicenseConflict,
        nodes,
        format!(
            "{node} merges lineages whose licenses each demand that derivatives carry their own terms: {}; no single license can meet them all (rule 7: merges combine obligations; rule 2)",
            parts.join(" and ")
        ),
    )]
}

fn data_terms(n: &RepoRef<'_>, mine: &Resolved, resolved: &Resolutions) -> Vec<Finding> {
    let mut out = Vec::new();
    let node = n.id().node_id();
    for (p, e) in n.parents() {
        if e.relation != Relation::TrainedOn {
            continue;
        }
        let Some(Resolved::Known(ls)) = resolved.of(&p) else {
            continue;
        };
        for l in ls {
            let mut terms = Vec::new();
            if !l.commercial {
                terms.push("non-commercial");
            }
            if l.share_alike {
                terms.push("share-alike");
            }
            if l.no_derivatives {
                terms.push("no-derivatives");
            }
            if terms.is_empty() {
                continue;
            }
            let commercial_model =
                matches!(mine, Resolved::Known(d) if d.iter().all(|d| d.commercial));
            let severity = if !l.commercial && commercial_model {
                Severity::Warn
            } else {
                Severity::Info
            };
            out.push(Finding::new(
                Code::TrainingDataLicense,
                severity,
                vec![n.id().clone(), p.id().clone()],
                format!(
                    "{node} was trained on {} ({}: {}); whether a dataset's terms bind a model trained on it is contested, so this is reported, not judged",
                    p.id().node_id(),
                    l.id,
                    terms.join(", ")
                ),
            ));
        }
    }
    out
}

fn policy_findings(g: &LineageGraph, policy: &Policy, resolved: &Resolutions) -> Vec<Finding> {
    let mut out = Vec::new();
    if policy.licenses.allow.is_empty()
        && policy.licenses.deny.is_empty()
        && !policy.licenses.commercial_use
    {
        return out;
    }
    let allow: BTreeSet<String> = policy
        .licenses
        .allow
        .iter()
        .map(|s| s.to_ascii_lowercase())
        .collect();
    let deny: BTreeSet<String> = policy
        .licenses
        .deny
        .iter()
        .map(|s| s.to_ascii_lowercase())
        .collect();
    for n in g.nodes() {
        let Some(Resolved::Known(ls)) = resolved.of(&n) else {
            continue;
        };
        let node = n.id().node_id();
        for l in ls {
            if !allow.is_empty() && !allow.contains(&l.id) {
                out.push(Finding::of(
                    Code::LicenseNotAllowed,
                    vec![n.id().clone()],
                    format!(
                        "{node} is under {}, which is not in the policy's allow list",
                        l.id
                    ),
                ));
            }
            if deny.contains(&l.id) {
                out.push(Finding::of(
                    Code::LicenseDenied,
                    vec![n.id().clone()],
                    format!("{node} is under {}, which the policy denies", l.id),
                ));
            }
        }
        if policy.licenses.commercial_use && n.id().kind() == RepoKind::Model {
            let mut sources: Vec<(usize, RepoId, String)> = Vec::new();
            if ls.iter().any(|l| !l.commercial) {
                sources.push((0, n.id().clone(), names(ls)));
            }
            for a in derivation_ancestors(g, n.ix()) {
                if let Some(Resolved::Known(al)) = resolved.of(&a.node) {
                    if al.iter().any(|l| !l.commercial) {
                        sources.push((a.distance, a.node.id().clone(), names(al)));
                    }
                }
            }
            sources.sort();
            if let Some((_, src, lic)) = sources.first() {
                let how = if src == n.id() {
                    "it is".to_string()
                } else {
                    format!(
                        "its ancestor {} is ({})",
                        src.node_id(),
                        path_text(g, src, n.id())
                    )
                };
                out.push(Finding::of(Code::NonCommercialAncestry,
                    vec![n.id().clone(), src.clone()],
                    format!("the policy requires commercial use, but {how} under non-commercial terms ({lic})"),
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
