//! Building a [`LineageGraph`]: records, links, placeholders, and the structural findings
//! (cycles, unreadable parents, renamed parents) computed once the graph is complete.

use std::collections::HashSet;

use rayon::prelude::*;

use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use petgraph::Direction;

use super::{Built, EdgeData, LineageGraph};
use crate::finding::{Code, Finding};
use crate::id::RepoId;
use crate::record::{Link, NodeStatus, RepoRecord};
use crate::relation::Relation;

/// Builds a [`LineageGraph`] from records and links.
#[derive(Debug, Default)]
pub struct GraphBuilder {
    g: LineageGraph,
    /// Links as added; sorted and deduplicated at `finish` (the order edges are added in).
    links: Vec<Link>,
    /// Findings raised so far (the source's, renamed parents).
    findings: Vec<Finding>,
}

impl GraphBuilder {
    /// An empty builder.
    pub fn new() -> GraphBuilder {
        GraphBuilder::default()
    }

    /// An empty builder with room for this many records and links.
    pub fn with_capacity(records: usize, links: usize) -> GraphBuilder {
        let mut b = GraphBuilder::default();
        b.g.graph.reserve_nodes(records);
        b.g.graph.reserve_edges(links);
        b.g.index.reserve(&b.g.graph, records);
        b.links.reserve(links);
        b
    }

    /// Adds (or replaces a placeholder with) a record. Its aliases resolve to it.
    pub fn add_record(&mut self, rec: RepoRecord) {
        let existing = std::iter::once(&rec.id)
            .chain(rec.aliases.iter())
            .find_map(|id| self.g.index.get(&self.g.graph, id));
        let keys: Vec<RepoId> = std::iter::once(rec.id.clone())
            .chain(rec.aliases.iter().cloned())
            .collect();
        let idx = match existing {
            Some(idx) => {
                let old = &mut self.g.graph[idx];
                // A real record replaces a placeholder; a second real record adds aliases only.
                if old.status == NodeStatus::Unvisited
                    || (old.status != NodeStatus::Ok && rec.status == NodeStatus::Ok)
                {
                    self.g.index.before_replacing(&self.g.graph, idx, &rec.id);
                    let old = &mut self.g.graph[idx];
                    let mut aliases = std::mem::take(&mut old.aliases);
                    *old = rec;
                    for a in aliases.drain(..) {
                        if !old.aliases.contains(&a) && a != old.id {
                            old.aliases.push(a);
                        }
                    }
                } else {
                    for a in rec.aliases {
                        if !old.aliases.contains(&a) && a != old.id {
                            old.aliases.push(a);
                        }
                    }
                }
                idx
            }
            None => self.g.graph.add_node(rec),
        };
        for k in &keys {
            self.g.index.insert(&self.g.graph, k, idx);
        }
    }

    /// Whether a node (by id or alias) is present.
    pub fn contains(&self, id: &RepoId) -> bool {
        self.g.index.contains(&self.g.graph, id)
    }

    /// Records a link; endpoints not (yet) added become `unvisited` placeholders at `finish`.
    pub fn add_link(&mut self, link: Link) {
        self.links.push(link);
    }

    /// Records many links at once.
    pub fn add_links(&mut self, links: impl IntoIterator<Item = Link>) {
        self.links.extend(links);
    }

    fn node_for(&mut self, id: &RepoId) -> NodeIndex {
        if let Some(idx) = self.g.index.get(&self.g.graph, id) {
            return idx;
        }
        let idx = self.g.graph.add_node(RepoRecord::unavailable(
            id.clone(),
            NodeStatus::Unvisited,
            "not read (beyond --depth or direction)",
        ));
        self.g.index.insert(&self.g.graph, id, idx);
        idx
    }

    /// Adds a graph-level finding.
    pub fn add_finding(&mut self, f: Finding) {
        self.findings.push(f);
    }

    /// Finishes the graph: edges, placeholders, and the graph's structural findings.
    pub fn finish(mut self, roots: Vec<RepoId>) -> Built {
        let mut links = std::mem::take(&mut self.links);
        links.par_sort_unstable();
        links.dedup();
        let mut seen: HashSet<(NodeIndex, NodeIndex, Relation), foldhash::fast::RandomState> =
            HashSet::with_capacity_and_hasher(links.len(), Default::default());
        // Both ends looked up on every core first; only ends not yet in the graph (placeholders)
        // need the builder itself.
        let found: Vec<(Option<NodeIndex>, Option<NodeIndex>)> = links
            .par_iter()
            .map(|l| {
                let get = |id: &RepoId| self.g.index.get(&self.g.graph, id);
                (get(&l.upstream), get(&l.downstream))
            })
            .collect();
        for (link, (up, down)) in links.into_iter().zip(found) {
            let up = up.unwrap_or_else(|| self.node_for(&link.upstream));
            let down = down.unwrap_or_else(|| self.node_for(&link.downstream));
            if !seen.insert((up, down, link.relation)) {
                continue;
            }
            let up_rec = &self.g.graph[up];
            if up_rec.id != link.upstream && up_rec.aliases.contains(&link.upstream) {
                let msg = format!(
                    "card names its parent by the old id {}; the repo is now {}",
                    link.upstream.node_id(),
                    up_rec.id.node_id()
                );
                let nodes = vec![self.g.graph[down].id.clone(), up_rec.id.clone()];
                self.findings
                    .push(Finding::of(Code::RenamedRepo, nodes, msg));
            }
            self.g.graph.add_edge(
                up,
                down,
                EdgeData {
                    relation: link.relation,
                    source: link.source,
                },
            );
        }
        self.g.roots = roots
            .into_iter()
            .map(|r| {
                self.g
                    .index
                    .get(&self.g.graph, &r)
                    .map(|i| self.g.graph[i].id.clone())
                    .unwrap_or(r)
            })
            .collect();
        self.g.roots.sort();
        self.g.roots.dedup();
        let mut findings: Vec<Finding> = self
            .g
            .graph
            .node_weights()
            .flat_map(|r| r.findings.iter().cloned())
            .collect();
        findings.append(&mut self.findings);
        findings.extend(self.structural_findings());
        Built {
            graph: self.g,
            findings,
        }
    }

    fn structural_findings(&self) -> Vec<Finding> {
        let g = &self.g.graph;
        let mut out = Vec::new();
        for scc in petgraph::algo::tarjan_scc(g) {
            let looped = scc.len() > 1 || g.find_edge(scc[0], scc[0]).is_some();
            if !looped {
                continue;
            }
            let mut ids: Vec<(String, RepoId)> = scc
                .iter()
                .map(|i| (g[*i].id.node_id(), g[*i].id.clone()))
                .collect();
            ids.sort();
            let names: Vec<String> = ids.iter().map(|(n, _)| n.clone()).collect();
            let ids: Vec<RepoId> = ids.into_iter().map(|(_, id)| id).collect();
            let msg = if names.len() == 1 {
                format!(
                    "{} names itself as its own parent; the self-edge is kept and not followed",
                    names[0]
                )
            } else {
                format!(
                    "lineage cycle through {}; kept, and traversals stop where it closes",
                    names.join(" → ")
                )
            };
            out.push(Finding::of(Code::LineageCycle, ids, msg));
        }
        for idx in g.node_indices() {
            let rec = &g[idx];
            if matches!(rec.status, NodeStatus::Ok | NodeStatus::Unvisited) {
                continue;
            }
            let mut children: Vec<(String, Relation, &RepoId)> = g
                .edges_directed(idx, Direction::Outgoing)
                .map(|e| {
                    let child = &g[e.target()].id;
                    (child.node_id(), e.weight().relation, child)
                })
                .collect();
            children.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
            children.dedup_by(|a, b| (&a.0, a.1) == (&b.0, b.1));
            for (_, rel, child) in children {
                out.push(Finding::of(
                    Code::ParentUnavailable,
                    vec![child.clone(), rec.id.clone()],
                    format!(
                        "{rel} parent {} could not be read: {} ({})",
                        rec.id.node_id(),
                        rec.status.as_str(),
                        rec.reason().unwrap_or("no reason given")
                    ),
                ));
            }
        }
        out
    }
}
