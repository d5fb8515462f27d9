//! The findings indexed by node: the codes that flag a node (its own findings' and those of
//! the cycles it is on), the findings it is the subject of, and their worst severity.
//!
//! Whole-Hub graphs carry a million findings; the index names nodes by position and codes by
//! one bit each, so it costs ~16 bytes per flagged node and 8 per finding, and no copy of any
//! id.

use std::sync::OnceLock;

use crate::graph::NodeIx;

use crate::finding::{Code, Finding, Severity};
use crate::id::RepoId;

/// A set of finding codes: one bit per code, in registry order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct CodeSet(u64);

const _: () = assert!(Code::ALL.len() <= 64, "a CodeSet has one bit per code");

impl CodeSet {
    fn bit(c: Code) -> u64 {
        1 << (c as usize)
    }

    fn insert(&mut self, c: Code) {
        self.0 |= Self::bit(c);
    }

    /// The codes, sorted by name (the order of [`Code`]'s `Ord`).
    pub(crate) fn iter(self) -> impl Iterator<Item = Code> {
        static BY_NAME: OnceLock<Vec<Code>> = OnceLock::new();
        BY_NAME
            .get_or_init(|| {
                let mut all = Code::ALL.to_vec();
                all.sort();
                all
            })
            .iter()
            .copied()
            .filter(move |&c| self.0 & Self::bit(c) != 0)
    }
}

/// What the findings say of each node, by node position.
#[derive(Debug, Clone, Default)]
pub(crate) struct FlagIndex {
    /// Flagged nodes, sorted: their codes, and the worst severity of the findings whose subject
    /// they are.
    nodes: Vec<(u32, CodeSet, Option<Severity>)>,
    /// (subject node, position of the finding), sorted.
    subjects: Vec<(u32, u32)>,
}

impl FlagIndex {
    /// Indexes `findings` (in their order); `node_of` finds the node a finding names, and a
    /// name that is no node of the graph flags nothing.
    pub(crate) fn build(
        findings: &[Finding],
        node_of: impl Fn(&RepoId) -> Option<NodeIx> + Sync,
    ) -> FlagIndex {
        use rayon::prelude::*;
        // (node, finding, whether the node is the finding's subject)
        let mut hits: Vec<(u32, u32, bool)> = findings
            .par_iter()
            .enumerate()
            .flat_map_iter(|(i, f)| {
                let named: &[RepoId] = if f.code == Code::LineageCycle {
                    &f.nodes
                } else {
                    f.nodes.get(..1).unwrap_or(&[])
                };
                let node_of = &node_of;
                named.iter().enumerate().filter_map(move |(k, n)| {
                    node_of(n).map(|ix| (ix.index() as u32, i as u32, k == 0))
                })
            })
            .collect();
        hits.par_sort_unstable();
        let mut out = FlagIndex::default();
        for (node, i, subject) in hits {
            let f = &findings[i as usize];
            match out.nodes.last_mut() {
                Some(e) if e.0 == node => e.1.insert(f.code),
                _ => {
                    let mut set = CodeSet::default();
                    set.insert(f.code);
                    out.nodes.push((node, set, None));
                }
            }
            if subject {
                out.subjects.push((node, i));
                if let Some(e) = out.nodes.last_mut() {
                    e.2 = e.2.max(Some(f.severity));
                }
            }
        }
        out.nodes.shrink_to_fit();
        out.subjects.shrink_to_fit();
        out
    }

    fn entry(&self, node: NodeIx) -> Option<&(u32, CodeSet, Option<Severity>)> {
        let n = node.index() as u32;
        let at = self.nodes.partition_point(|e| e.0 < n);
        self.nodes.get(at).filter(|e| e.0 == n)
    }

    /// The codes that flag a node.
    pub(crate) fn codes(&self, node: NodeIx) -> CodeSet {
        self.entry(node).map(|e| e.1).unwrap_or_default()
    }

    /// The worst severity among the findings whose subject is the node.
    pub(crate) fn worst(&self, node: NodeIx) -> Option<Severity> {
        self.entry(node).and_then(|e| e.2)
    }

    /// Positions of the findings whose subject is the node, in the findings' order.
    pub(crate) fn subjects(&self, node: NodeIx) -> impl Iterator<Item = usize> + '_ {
        let n = node.index() as u32;
        let from = self.subjects.partition_point(|e| e.0 < n);
        self.subjects[from..]
            .iter()
            .take_while(move |e| e.0 == n)
            .map(|e| e.1 as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_set_has_every_code_once_and_lists_them_by_name() {
        for (i, c) in Code::ALL.iter().enumerate() {
            assert_eq!(*c as usize, i, "{c:?}: bits follow the registry order");
        }
        let mut all = CodeSet::default();
        for c in Code::ALL.iter().rev() {
            all.insert(*c);
            all.insert(*c);
        }
        let listed: Vec<Code> = all.iter().collect();
        let mut want = Code::ALL.to_vec();
        want.sort();
        assert_eq!(listed, want);
        assert_eq!(CodeSet::default().iter().count(), 0);
    }

    #[test]
    fn nodes_are_flagged_by_their_own_findings_and_the_cycles_they_are_on() {
        let f = |code, sev, nodes: &[&str]| {
            Finding::new(
                code,
                sev,
                nodes
                    .iter()
                    .map(|s| RepoId::parse(s, crate::id::RepoKind::Model).unwrap())
                    .collect(),
                "m",
            )
        };
        let findings = vec![
            f(Code::LineageCycle, Severity::Warn, &["a", "b", "a"]),
            f(Code::RenamedRepo, Severity::Warn, &["b", "a"]),
            f(Code::RepoDataInvalid, Severity::Info, &["b"]),
            f(Code::RepoDataInvalid, Severity::Deny, &["nowhere"]),
        ];
        let node = |s: &RepoId| match s.name() {
            "a" => Some(NodeIx::new(0)),
            "b" => Some(NodeIx::new(7)),
            _ => None,
        };
        let ix = FlagIndex::build(&findings, node);
        let (a, b, c) = (NodeIx::new(0), NodeIx::new(7), NodeIx::new(3));
        assert_eq!(
            ix.codes(a).iter().collect::<Vec<_>>(),
            vec![Code::LineageCycle]
        );
        let mut want_b = vec![Code::LineageCycle, Code::RenamedRepo, Code::RepoDataInvalid];
        want_b.sort();
        assert_eq!(ix.codes(b).iter().collect::<Vec<_>>(), want_b);
        assert_eq!(ix.subjects(a).collect::<Vec<_>>(), vec![0]);
        assert_eq!(ix.subjects(b).collect::<Vec<_>>(), vec![1, 2]);
        assert_eq!(
            (ix.worst(a), ix.worst(b)),
            (Some(Severity::Warn), Some(Severity::Warn))
        );
        assert_eq!(
            (ix.codes(c), ix.worst(c), ix.subjects(c).count()),
            (CodeSet::default(), None, 0)
        );
    }
}
