//! What is judged, kept apart from what is known.
//!
//! A [`LineageGraph`] holds what the sources said (records, edges, ids) and does not change once
//! built. A [`Report`] holds what the checks concluded about it: findings, the obligations each
//! node inherits, and the documentation reports, each keyed by node position in that graph. An
//! [`Analysis`] is the two together, the value every pipeline run returns and every renderer
//! reads.

mod flags;

use std::sync::{Arc, OnceLock};

use crate::docs_check::DocReport;
pub use crate::docs_check::DocReports;
use crate::finding::{Code, Finding, Severity};
use crate::graph::{Built, LineageGraph, NodeIx, RepoRef};
use crate::id::RepoId;
use crate::license::Obligations;
use flags::FlagIndex;

/// The judgements about one graph.
#[derive(Debug, Clone, Default)]
pub struct Report {
    findings: Vec<Finding>,
    /// Finding codes, subjects and worst severity by node, built on first use after the
    /// findings change: an analysis that replaces them all never pays for an index nobody read.
    flags: OnceLock<FlagIndex>,
    /// Concluded obligations by node position (empty until the license check ran); nodes with
    /// the same lines share them.
    obligations: Vec<Option<Arc<[String]>>>,
    /// The documentation check's reports by node position, sorted.
    documentation: DocReports,
}

impl Report {
    /// A report of these findings (sorted and deduplicated here).
    pub fn with_findings(findings: Vec<Finding>) -> Report {
        let mut r = Report::default();
        r.replace_findings(findings);
        r
    }

    /// All findings, sorted.
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    /// Whether a finding is at deny level (a command then exits 2).
    pub fn has_deny(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Deny)
    }

    /// Adds findings; keeps them sorted.
    pub fn add_findings(&mut self, more: impl IntoIterator<Item = Finding>) {
        let before = self.findings.len();
        self.findings.extend(more);
        if self.findings.len() != before {
            self.reindex();
        }
    }

    /// Takes every finding out (to judge them and put them back with
    /// [`Report::replace_findings`]); until then no node is flagged.
    pub fn take_findings(&mut self) -> Vec<Finding> {
        self.flags = OnceLock::new();
        std::mem::take(&mut self.findings)
    }

    /// Replaces every finding.
    pub fn replace_findings(&mut self, findings: Vec<Finding>) {
        self.findings = findings;
        self.reindex();
    }

    fn reindex(&mut self) {
        {
            use rayon::prelude::*;
            self.findings.par_sort_unstable();
        }
        self.findings.dedup();
        self.flags = OnceLock::new();
    }

    /// Records the obligations the license check concluded.
    pub fn set_obligations(&mut self, obligations: Obligations) {
        self.obligations = if obligations.0.iter().any(Option::is_some) {
            obligations.0
        } else {
            Vec::new()
        };
    }

    /// Records the documentation check's reports.
    pub fn set_documentation(&mut self, docs: Vec<(NodeIx, DocReport)>) {
        let mut docs: DocReports = docs
            .into_iter()
            .map(|(ix, r)| (ix.index() as u32, r))
            .collect();
        docs.sort_unstable_by_key(|(ix, _)| *ix);
        self.documentation = docs;
    }

    /// Takes the documentation reports out (for the documentation check to keep the ones it
    /// does not judge again).
    pub fn take_documentation(&mut self) -> DocReports {
        std::mem::take(&mut self.documentation)
    }

    /// Whether the license check ran (obligations are then reported for every node).
    pub fn has_obligations(&self) -> bool {
        !self.obligations.is_empty()
    }

    fn obligations_at(&self, ix: NodeIx) -> Option<&[String]> {
        self.obligations.get(ix.index())?.as_deref()
    }

    fn doc_report_at(&self, ix: NodeIx) -> Option<&DocReport> {
        let at = ix.index() as u32;
        let i = self
            .documentation
            .binary_search_by_key(&at, |(ix, _)| *ix)
            .ok()?;
        Some(&self.documentation[i].1)
    }

    fn flag_index(&self, g: &LineageGraph) -> &FlagIndex {
        self.flags
            .get_or_init(|| FlagIndex::build(&self.findings, |n| g.get(n).map(|r| g.position(&r))))
    }
}

/// A graph and what was judged about it: what a pipeline run returns, what renderers read.
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    graph: LineageGraph,
    report: Report,
}

impl From<Built> for Analysis {
    fn from(b: Built) -> Analysis {
        Analysis::new(b.graph, Report::with_findings(b.findings))
    }
}

impl Analysis {
    /// Pairs a graph with a report about it (whose node positions are that graph's).
    pub fn new(graph: LineageGraph, report: Report) -> Analysis {
        Analysis { graph, report }
    }

    /// The graph: what is known.
    pub fn graph(&self) -> &LineageGraph {
        &self.graph
    }

    /// The report: what is judged.
    pub fn report(&self) -> &Report {
        &self.report
    }

    /// Both halves, for a step that reads the graph while it changes the report.
    pub(crate) fn parts_mut(&mut self) -> (&mut LineageGraph, &mut Report) {
        (&mut self.graph, &mut self.report)
    }

    /// Splits the analysis into its graph and report.
    pub fn into_parts(self) -> (LineageGraph, Report) {
        (self.graph, self.report)
    }

    /// All findings, sorted.
    pub fn findings(&self) -> &[Finding] {
        self.report.findings()
    }

    /// Codes of the findings whose subject is this node (and of the cycles it is on), sorted
    /// by name and deduplicated.
    pub fn flags(&self, n: &RepoRef<'_>) -> Vec<String> {
        self.flag_codes(n).map(|c| c.as_str().to_string()).collect()
    }

    /// The codes of [`Analysis::flags`], without copying them.
    pub fn flag_codes(&self, n: &RepoRef<'_>) -> impl Iterator<Item = Code> + '_ {
        self.report
            .flag_index(&self.graph)
            .codes(self.graph.position(n))
            .iter()
    }

    /// The findings whose subject (first node) is this node, in the report's order.
    pub fn findings_of(&self, n: &RepoRef<'_>) -> impl Iterator<Item = &Finding> + '_ {
        self.report
            .flag_index(&self.graph)
            .subjects(self.graph.position(n))
            .filter_map(|i| self.report.findings.get(i))
    }

    /// The worst severity among the findings whose subject is this node.
    pub fn worst_severity(&self, n: &RepoRef<'_>) -> Option<Severity> {
        self.report
            .flag_index(&self.graph)
            .worst(self.graph.position(n))
    }

    /// Whether the license check ran.
    pub fn has_obligations(&self) -> bool {
        self.report.has_obligations()
    }

    /// The concluded obligations of a node, when the license check ran.
    pub fn obligations_of(&self, n: &RepoRef<'_>) -> Option<&[String]> {
        self.report.obligations_at(self.graph.position(n))
    }

    /// The documentation check's report for a node, when it ran.
    pub fn doc_report_of(&self, n: &RepoRef<'_>) -> Option<&DocReport> {
        self.report.doc_report_at(self.graph.position(n))
    }

    /// The documentation check's report for a node as JSON (keys sorted), when it ran.
    pub fn documentation(&self, n: &RepoRef<'_>) -> Option<serde_json::Value> {
        self.doc_report_of(n)
            .and_then(|r| serde_json::to_value(r).ok())
    }

    /// The part of the analysis about some nodes: the subgraph they induce, the findings whose
    /// subject is one of them, their obligations, and the documentation reports of the nodes
    /// named in `keep` (node positions are the new graph's).
    pub fn induced(&self, keep: &[RepoId]) -> Analysis {
        let graph = self.graph.induced(keep);
        let inside = |s: &RepoId| graph.get(s).is_some();
        let findings: Vec<Finding> = self
            .findings()
            .iter()
            .filter(|f| f.nodes.first().is_some_and(inside))
            .cloned()
            .collect();
        let mut report = Report::with_findings(findings);
        if self.has_obligations() {
            let obligations = graph
                .positions()
                .map(|ix| {
                    let old = self.graph.get(graph.at(ix).id())?;
                    self.obligations_of(&old).map(Arc::from)
                })
                .collect();
            report.set_obligations(Obligations(obligations));
        }
        let kept: std::collections::HashSet<&RepoId> = keep.iter().collect();
        report.documentation = graph
            .positions()
            .filter_map(|ix| {
                let n = graph.at(ix);
                if !kept.contains(n.id()) {
                    return None;
                }
                let old = self.graph.get(n.id())?;
                Some((ix.index() as u32, self.doc_report_of(&old)?.clone()))
            })
            .collect();
        Analysis { graph, report }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Code;
    use crate::id::RepoKind;
    use crate::record::RepoRecord;

    fn id(s: &str) -> RepoId {
        RepoId::parse(s, RepoKind::Model).unwrap()
    }

    fn analysis() -> Analysis {
        let rec =
            |name: &str, card: &str| RepoRecord::from_parts(&id(name), None, Some(card.as_bytes()));
        Analysis::from(LineageGraph::from_records(
            vec![
                rec("a/x", "---\nbase_model: a/y\n---\n"),
                rec("a/y", "---\nbase_model: a/x\n---\n"),
                rec("b/z", "---\nlicense: mit\n---\n"),
            ],
            vec![id("a/x")],
        ))
    }

    #[test]
    fn every_node_of_a_cycle_is_flagged_and_only_subjects_carry_findings() {
        let a = analysis();
        let g = a.graph();
        for n in ["a/x", "a/y"] {
            let node = g.get(&id(n)).unwrap();
            assert_eq!(a.flags(&node), vec![Code::LineageCycle.to_string()]);
        }
        assert!(a.flags(&g.get(&id("b/z")).unwrap()).is_empty());
        let (x, y) = (g.get(&id("a/x")).unwrap(), g.get(&id("a/y")).unwrap());
        assert_eq!(a.findings_of(&x).count(), 1);
        assert_eq!(a.findings_of(&y).count(), 0, "a/x is the cycle's subject");
        assert_eq!(a.worst_severity(&x), Some(Severity::Warn));
    }

    #[test]
    fn the_induced_part_keeps_the_findings_about_its_nodes_only() {
        let a = analysis();
        let part = a.induced(&[id("b/z")]);
        assert_eq!(part.graph().node_count(), 1);
        assert!(part.findings().is_empty());
        let both = a.induced(&[id("a/x"), id("a/y")]);
        assert_eq!(both.findings().len(), 1);
        assert_eq!(both.graph().edge_count(), 2);
    }
}
