//! `LineageGraph`: the provenance graph, with petgraph kept inside.
//!
//! Nodes are repos (their [`RepoRecord`]); edges point upstream → downstream and carry a
//! [`Relation`] and its [`RelationSource`]. A parent that could not be read is a node with a
//! status, never an error. Cycles and self-references are kept and reported as findings; every
//! traversal here carries a visited set, so none of them can loop. Everything that produces
//! output iterates in sorted order.

mod builder;
mod flags;
mod id_index;
pub mod walk;

use petgraph::graph::{DiGraph, EdgeIndex, NodeIndex};
use petgraph::visit::EdgeRef;
use petgraph::Direction as EdgeDir;

use crate::finding::Finding;
use crate::id::RepoId;
use crate::record::{Link, NodeStatus, RepoRecord};
use crate::relation::{Relation, RelationSource};
pub use builder::GraphBuilder;
pub use walk::{NodeIx, NodeSet, Way};

/// Which way to walk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Direction {
    /// Base models, training data and sources, up to the roots.
    #[default]
    Up,
    /// Derived models and the Spaces that use them.
    Down,
    /// Both, from the given repos.
    Both,
}

/// What an edge carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct EdgeData {
    /// The relation.
    pub relation: Relation,
    /// What decided it.
    pub source: RelationSource,
}

impl EdgeData {
    /// Whether the edge is a suggestion from card text rather than declared metadata.
    pub fn is_suggested(&self) -> bool {
        self.source == RelationSource::CardText
    }
}

/// The lineage graph.
#[derive(Debug, Clone, Default)]
pub struct LineageGraph {
    graph: DiGraph<RepoRecord, EdgeData>,
    /// Ids and aliases → nodes (own ids through the nodes themselves: no copy of every id).
    index: id_index::IdIndex,
    roots: Vec<RepoId>,
    findings: Vec<Finding>,
    /// Finding codes by node id (see [`LineageGraph::reindex_findings`]).
    /// Built on first use after the findings change: an analysis that replaces them all never
    /// pays for an index nobody read.
    flags: std::sync::OnceLock<FlagIndex>,
    /// Concluded obligations by node position (empty until an analysis sets them); nodes
    /// with the same lines share them.
    obligations: Vec<Option<std::sync::Arc<[String]>>>,
    /// The documentation check's reports by node position, sorted.
    documentation: Vec<(u32, crate::docs_check::DocReport)>,
    /// Documentation reports of records judged as they were read, whose card text was then
    /// let go (a whole-snapshot build: see [`crate::audit::whole_graph`]).
    judged_at_read: crate::docs_check::JudgedAtRead,
    /// Whether the records' card text was let go after they were judged.
    card_text_dropped: bool,
    /// Node indices sorted by id, computed on first use (reset when a node is added).
    order: std::sync::OnceLock<Vec<NodeIndex>>,
}

/// Sorts items by an id (then `full`, which must order by that id first), on every core. Each
/// item is sorted beside its id's kind and name prefix, so most comparisons never read the ids
/// themselves (millions of them, scattered in memory); `full` decides only between equal
/// prefixes.
fn sort_by_id<'a, T: Send>(
    items: Vec<T>,
    id: impl Fn(&T) -> &'a RepoId + Sync,
    full: impl Fn(&T, &T) -> std::cmp::Ordering + Sync,
) -> Vec<T> {
    use rayon::prelude::*;
    let mut keyed: Vec<(crate::id::RepoKind, u64, T)> = items
        .into_iter()
        .map(|x| {
            let i = id(&x);
            (i.kind(), i.sort_prefix(), x)
        })
        .collect();
    keyed.par_sort_unstable_by(|(ka, pa, a), (kb, pb, b)| {
        (ka, pa).cmp(&(kb, pb)).then_with(|| full(a, b))
    });
    keyed.into_iter().map(|(_, _, x)| x).collect()
}

/// Obligations concluded per node of one graph, by node position (see
/// [`crate::license::check_licenses`]).
#[derive(Debug, Clone, Default)]
pub struct Obligations(pub(crate) Vec<Option<std::sync::Arc<[String]>>>);

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

use flags::FlagIndex;

/// A borrowed view of one node.
#[derive(Debug, Clone, Copy)]
pub struct RepoRef<'g> {
    graph: &'g LineageGraph,
    idx: NodeIndex,
}

/// A borrowed view of one edge.
#[derive(Debug, Clone, Copy)]
pub struct EdgeRefView<'g> {
    /// The upstream node.
    pub upstream: RepoRef<'g>,
    /// The downstream node.
    pub downstream: RepoRef<'g>,
    /// The edge's data.
    pub data: EdgeData,
}

impl<'g> RepoRef<'g> {
    /// The node's record.
    pub fn record(&self) -> &'g RepoRecord {
        &self.graph.graph[self.idx]
    }
    /// The canonical id.
    pub fn id(&self) -> &'g RepoId {
        &self.record().id
    }
    /// The status.
    pub fn status(&self) -> NodeStatus {
        self.record().status
    }
    /// Direct parents with the edge to each, sorted by parent id.
    pub fn parents(&self) -> Vec<(RepoRef<'g>, EdgeData)> {
        self.graph.neighbours(self.idx, EdgeDir::Incoming)
    }
    /// Direct children with the edge to each, sorted by child id.
    pub fn children(&self) -> Vec<(RepoRef<'g>, EdgeData)> {
        self.graph.neighbours(self.idx, EdgeDir::Outgoing)
    }
    /// Codes of the findings whose subject is this node (and of the cycles it is on), sorted
    /// and deduplicated. Read from the graph's index of findings by node, built once.
    pub fn flags(&self) -> Vec<String> {
        self.flag_codes().map(|c| c.as_str().to_string()).collect()
    }
    /// The codes of [`RepoRef::flags`], without copying them.
    pub fn flag_codes(&self) -> impl Iterator<Item = crate::finding::Code> + 'g {
        self.graph.flag_index().codes(self.idx).iter()
    }
    /// The node's position in its graph.
    pub fn ix(&self) -> NodeIx {
        NodeIx::new(self.idx.index())
    }
    /// Whether this node is one of the traced roots.
    pub fn is_root(&self) -> bool {
        self.graph.roots.contains(self.id())
    }
}

impl PartialEq for RepoRef<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.idx == other.idx
    }
}

impl LineageGraph {
    /// Builds a graph from records, adding every link they declare (used for whole snapshots).
    pub fn from_records(records: Vec<RepoRecord>, roots: Vec<RepoId>) -> LineageGraph {
        let links = records.iter().flat_map(RepoRecord::links).collect();
        LineageGraph::from_records_and_links(records, links, roots)
    }

    /// Builds a graph from records and the links already computed from them
    /// ([`RepoRecord::links`]), so a whole snapshot decides each record's links once.
    pub fn from_records_and_links(
        records: Vec<RepoRecord>,
        links: Vec<Link>,
        roots: Vec<RepoId>,
    ) -> LineageGraph {
        let mut b = GraphBuilder::with_capacity(records.len(), links.len());
        for r in records {
            b.add_record(r);
        }
        b.add_links(links);
        b.finish(roots)
    }

    fn neighbours(&self, idx: NodeIndex, dir: EdgeDir) -> Vec<(RepoRef<'_>, EdgeData)> {
        let mut v: Vec<(RepoRef<'_>, EdgeData)> = self
            .graph
            .edges_directed(idx, dir)
            .map(|e| {
                let other = if dir == EdgeDir::Incoming {
                    e.source()
                } else {
                    e.target()
                };
                (
                    RepoRef {
                        graph: self,
                        idx: other,
                    },
                    *e.weight(),
                )
            })
            .collect();
        v.sort_by(|a, b| (a.0.id(), a.1).cmp(&(b.0.id(), b.1)));
        v
    }

    /// The node for an id or alias.
    pub fn get(&self, id: &RepoId) -> Option<RepoRef<'_>> {
        self.index
            .get(&self.graph, id)
            .map(|idx| RepoRef { graph: self, idx })
    }

    /// The node with this node id string (`owner/name`, `datasets/…`, `spaces/…`).
    pub fn get_by_node_id(&self, node_id: &str) -> Option<RepoRef<'_>> {
        let id = RepoId::parse(node_id, crate::id::RepoKind::Model).ok()?;
        self.get(&id)
    }

    /// All nodes, sorted by id.
    pub fn nodes(&self) -> Vec<RepoRef<'_>> {
        self.order
            .get_or_init(|| {
                let t = std::time::Instant::now();
                let v = sort_by_id(
                    self.graph.node_indices().collect(),
                    |i| &self.graph[*i].id,
                    |a, b| self.graph[*a].id.cmp(&self.graph[*b].id),
                );
                tracing::debug!(secs = t.elapsed().as_secs_f64(), "nodes sorted by id");
                v
            })
            .iter()
            .map(|&idx| RepoRef { graph: self, idx })
            .collect()
    }

    /// All edges, sorted by (upstream, downstream, relation).
    pub fn edges(&self) -> Vec<EdgeRefView<'_>> {
        self.sorted_edges()
            .into_iter()
            .filter_map(|e| self.edge_view(e))
            .collect()
    }

    /// Every edge's index, in the order of [`LineageGraph::edges`]: 4 bytes an edge, for
    /// writers of millions of them that take views a slice at a time.
    pub(crate) fn sorted_edges(&self) -> Vec<EdgeIndex> {
        let ends: Vec<(EdgeIndex, NodeIndex, NodeIndex)> = self
            .graph
            .edge_references()
            .map(|e| (e.id(), e.source(), e.target()))
            .collect();
        let id = |n: NodeIndex| &self.graph[n].id;
        sort_by_id(
            ends,
            |&(_, up, _)| id(up),
            |&(ea, ua, da), &(eb, ub, db)| {
                (id(ua), id(da), self.graph[ea]).cmp(&(id(ub), id(db), self.graph[eb]))
            },
        )
        .into_iter()
        .map(|(e, _, _)| e)
        .collect()
    }

    /// The view of one edge (`None` for an index that is no edge of this graph).
    pub(crate) fn edge_view(&self, e: EdgeIndex) -> Option<EdgeRefView<'_>> {
        let (a, b) = self.graph.edge_endpoints(e)?;
        Some(EdgeRefView {
            upstream: RepoRef {
                graph: self,
                idx: a,
            },
            downstream: RepoRef {
                graph: self,
                idx: b,
            },
            data: self.graph[e],
        })
    }

    /// Number of node slots, for index-based algorithms in this crate.
    pub(crate) fn len(&self) -> usize {
        self.graph.node_count()
    }

    /// Every node's position.
    pub fn positions(&self) -> impl Iterator<Item = NodeIx> + '_ {
        self.graph.node_indices().map(|i| NodeIx::new(i.index()))
    }

    /// The node at a position.
    pub fn at(&self, i: NodeIx) -> RepoRef<'_> {
        RepoRef {
            graph: self,
            idx: NodeIndex::new(i.index()),
        }
    }

    /// The position of a node.
    pub fn position(&self, r: &RepoRef<'_>) -> NodeIx {
        NodeIx::new(r.idx.index())
    }

    /// Neighbours (unsorted) with the edge, upstream (`up`) or downstream.
    pub(crate) fn neighbour_indices(
        &self,
        i: NodeIx,
        up: bool,
    ) -> impl Iterator<Item = (NodeIx, EdgeData)> + '_ {
        let dir = if up {
            EdgeDir::Incoming
        } else {
            EdgeDir::Outgoing
        };
        self.graph
            .edges_directed(NodeIndex::new(i.index()), dir)
            .map(move |e| {
                let other = if up { e.source() } else { e.target() };
                (NodeIx::new(other.index()), *e.weight())
            })
    }

    /// The subgraph induced by some nodes: their records, the edges among them, the findings
    /// whose subject is one of them, and the roots among them.
    pub fn induced(&self, keep: &[RepoId]) -> LineageGraph {
        let mut b = GraphBuilder::new();
        let set: std::collections::HashSet<RepoId> = keep
            .iter()
            .filter_map(|k| self.get(k).map(|n| n.id().clone()))
            .collect();
        for id in &set {
            if let Some(n) = self.get(id) {
                let mut rec = n.record().clone();
                rec.findings.clear();
                b.add_record(rec);
            }
        }
        for e in self.edges() {
            if set.contains(e.upstream.id()) && set.contains(e.downstream.id()) {
                b.add_link(Link {
                    upstream: e.upstream.id().clone(),
                    downstream: e.downstream.id().clone(),
                    relation: e.data.relation,
                    source: e.data.source,
                });
            }
        }
        let roots: Vec<RepoId> = self
            .roots
            .iter()
            .filter(|r| set.contains(*r))
            .cloned()
            .collect();
        let mut g = b.finish(roots);
        g.judged_at_read = set
            .iter()
            .filter_map(|id| Some((id.clone(), self.judged_at_read.get(id)?.clone())))
            .collect();
        g.card_text_dropped = self.card_text_dropped;
        g.findings = self
            .findings
            .iter()
            .filter(|f| {
                f.nodes
                    .first()
                    .and_then(|s| RepoId::parse(s, crate::id::RepoKind::Model).ok())
                    .is_some_and(|s| set.contains(&s))
            })
            .cloned()
            .collect();
        g.reindex_findings();
        let kept: std::collections::HashSet<&RepoId> = keep.iter().collect();
        if self.has_obligations() {
            let mut obligations = vec![None; g.len()];
            for n in g.nodes() {
                if let Some(o) = self.get(n.id()).and_then(|old| self.obligations_of(&old)) {
                    obligations[n.idx.index()] = Some(o.into());
                }
            }
            g.set_obligations(Obligations(obligations));
        }
        g.documentation = g
            .positions()
            .filter_map(|ix| {
                let n = g.at(ix);
                if !kept.contains(n.id()) {
                    return None;
                }
                let old = self.get(n.id())?;
                Some((ix.index() as u32, self.doc_report_of(&old)?.clone()))
            })
            .collect();
        g
    }

    /// Replaces the roots (ids or aliases of nodes in the graph; others are ignored).
    pub fn set_roots(&mut self, roots: &[RepoId]) {
        let mut v: Vec<RepoId> = roots
            .iter()
            .filter_map(|r| self.get(r).map(|n| n.id().clone()))
            .collect();
        v.sort();
        v.dedup();
        self.roots = v;
    }

    /// The traced roots, sorted.
    pub fn roots(&self) -> &[RepoId] {
        &self.roots
    }

    /// Number of nodes.
    pub fn node_count(&self) -> usize {
        self.graph.node_count()
    }

    /// Number of edges.
    pub fn edge_count(&self) -> usize {
        self.graph.edge_count()
    }

    /// All findings, sorted.
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    /// Records the obligations an analysis concluded for this graph's nodes.
    pub fn set_obligations(&mut self, obligations: Obligations) {
        self.obligations = if obligations.0.iter().any(Option::is_some) {
            obligations.0
        } else {
            Vec::new()
        };
    }

    /// The concluded obligations of a node (by node id), when an analysis set them.
    pub fn obligations(&self, node_id: &str) -> Option<&[String]> {
        self.obligations_of(&self.get_by_node_id(node_id)?)
    }

    /// The concluded obligations of a node, when an analysis set them.
    pub fn obligations_of(&self, n: &RepoRef<'_>) -> Option<&[String]> {
        self.obligations.get(n.idx.index())?.as_deref()
    }

    /// Records what the documentation check found per node.
    pub fn set_documentation(&mut self, docs: Vec<(NodeIx, crate::docs_check::DocReport)>) {
        let mut docs: Vec<(u32, crate::docs_check::DocReport)> = docs
            .into_iter()
            .map(|(ix, r)| (ix.index() as u32, r))
            .collect();
        docs.sort_unstable_by_key(|(ix, _)| *ix);
        self.documentation = docs;
    }

    /// Takes the documentation reports of records judged as they were read (their card text
    /// then let go), for the documentation check to keep.
    pub fn take_judged_at_read(&mut self) -> crate::docs_check::JudgedAtRead {
        std::mem::take(&mut self.judged_at_read)
    }

    /// Whether the records' card text was let go once judged (a whole-snapshot build): the
    /// documentation check then keeps its earlier reports instead of judging empty text.
    pub fn card_text_dropped(&self) -> bool {
        self.card_text_dropped
    }

    /// The documentation check's report for a node, when it ran.
    pub fn doc_report(&self, node_id: &str) -> Option<&crate::docs_check::DocReport> {
        self.doc_report_of(&self.get_by_node_id(node_id)?)
    }

    /// The documentation check's report for a node, when it ran.
    pub fn doc_report_of(&self, n: &RepoRef<'_>) -> Option<&crate::docs_check::DocReport> {
        let at = n.idx.index() as u32;
        let i = self
            .documentation
            .binary_search_by_key(&at, |(ix, _)| *ix)
            .ok()?;
        Some(&self.documentation[i].1)
    }

    /// The documentation check's report for a node as JSON (keys sorted), when it ran.
    pub fn documentation(&self, node_id: &str) -> Option<serde_json::Value> {
        self.doc_report(node_id)
            .and_then(|r| serde_json::to_value(r).ok())
    }

    /// Whether a license analysis ran (obligations are then reported for every node).
    pub fn has_obligations(&self) -> bool {
        !self.obligations.is_empty()
    }

    /// Adds findings from an analysis (licenses, documentation); keeps them sorted.
    pub fn add_findings(&mut self, more: impl IntoIterator<Item = Finding>) {
        let before = self.findings.len();
        self.findings.extend(more);
        if self.findings.len() != before {
            self.reindex_findings();
        }
    }

    /// Takes every finding out of the graph (to judge them and put them back with
    /// [`LineageGraph::replace_findings`]); until then no node is flagged.
    pub fn take_findings(&mut self) -> Vec<Finding> {
        self.flags = std::sync::OnceLock::new();
        std::mem::take(&mut self.findings)
    }

    /// Replaces every finding (after the policy step has judged them).
    pub fn replace_findings(&mut self, findings: Vec<Finding>) {
        self.findings = findings;
        self.reindex_findings();
    }

    /// Sorts the findings and indexes their codes by node: subject nodes, and every node of a
    /// cycle.
    pub(crate) fn reindex_findings(&mut self) {
        {
            use rayon::prelude::*;
            self.findings.par_sort_unstable();
        }
        self.findings.dedup();
        self.flags = std::sync::OnceLock::new();
    }

    /// Finding codes, subjects and worst severity by node, built once per change of the
    /// findings.
    fn flag_index(&self) -> &FlagIndex {
        self.flags.get_or_init(|| {
            FlagIndex::build(&self.findings, |n| self.get_by_node_id(n).map(|r| r.idx))
        })
    }

    /// The findings whose subject (first node) is this node, in the graph's order.
    pub fn findings_of(&self, node_id: &str) -> impl Iterator<Item = &Finding> + '_ {
        let index = self.flag_index();
        self.get_by_node_id(node_id)
            .into_iter()
            .flat_map(move |n| index.subjects(n.idx))
            .filter_map(|i| self.findings.get(i))
    }

    /// The worst severity among the findings whose subject is this node.
    pub fn worst_severity(&self, node_id: &str) -> Option<crate::finding::Severity> {
        let n = self.get_by_node_id(node_id)?;
        self.flag_index().worst(n.idx)
    }

    /// Adds a suggested edge (from card text). Endpoints missing from the graph are added as
    /// `unvisited` placeholders. Returns false when an edge of that relation already exists.
    pub fn add_suggested_edge(&mut self, link: &Link) -> bool {
        let Some(down) = self.index.get(&self.graph, &link.downstream) else {
            return false;
        };
        let up = match self.index.get(&self.graph, &link.upstream) {
            Some(i) => i,
            None => {
                self.order = std::sync::OnceLock::new();
                let i = self.graph.add_node(RepoRecord::unavailable(
                    link.upstream.clone(),
                    NodeStatus::Unvisited,
                    "suggested from card text; not read",
                ));
                self.index.insert(&self.graph, &link.upstream, i);
                i
            }
        };
        if self.graph.edges_connecting(up, down).next().is_some() {
            return false;
        }
        self.graph.add_edge(
            up,
            down,
            EdgeData {
                relation: link.relation,
                source: link.source,
            },
        );
        true
    }

    /// Every node reachable against edge direction (ancestors), excluding the start, sorted.
    pub fn ancestors(&self, id: &RepoId) -> Vec<RepoRef<'_>> {
        self.reach(id, EdgeDir::Incoming, |_| true)
    }

    /// Every node reachable along edges (descendants), excluding the start, sorted.
    pub fn descendants(&self, id: &RepoId) -> Vec<RepoRef<'_>> {
        self.reach(id, EdgeDir::Outgoing, |_| true)
    }

    /// Ancestors through derivation edges only (finetune, adapter, merge, quantized).
    pub fn derivation_ancestors(&self, id: &RepoId) -> Vec<RepoRef<'_>> {
        self.reach(id, EdgeDir::Incoming, |e| e.relation.is_derivation())
    }

    fn reach(
        &self,
        id: &RepoId,
        dir: EdgeDir,
        follow: impl Fn(&EdgeData) -> bool,
    ) -> Vec<RepoRef<'_>> {
        let Some(start) = self.index.get(&self.graph, id) else {
            return vec![];
        };
        let way = if dir == EdgeDir::Incoming {
            Way::Up
        } else {
            Way::Down
        };
        let w = walk::walk(
            self,
            &[NodeIx::new(start.index())],
            way,
            follow,
            false,
            |_| false,
        );
        let mut out: Vec<RepoRef<'_>> = w.reached().iter().map(|n| self.at(*n)).collect();
        out.sort_by(|a, b| a.id().cmp(b.id()));
        out
    }

    /// The roots of `id`'s derivation lineage: ancestors (or itself) with no derivation parent.
    pub fn derivation_roots(&self, id: &RepoId) -> Vec<RepoRef<'_>> {
        let mut all = self.derivation_ancestors(id);
        if let Some(me) = self.get(id) {
            all.push(me);
        }
        let mut v: Vec<RepoRef<'_>> = all
            .into_iter()
            .filter(|n| !n.parents().iter().any(|(_, e)| e.relation.is_derivation()))
            .collect();
        v.sort_by(|a, b| a.id().cmp(b.id()));
        v.dedup();
        v
    }

    /// A shortest path from `from` to `to` following edges downstream, if any.
    pub fn shortest_path(&self, from: &RepoId, to: &RepoId) -> Option<Vec<RepoRef<'_>>> {
        let (a, b) = (
            self.index.get(&self.graph, from)?,
            self.index.get(&self.graph, to)?,
        );
        let target = NodeIx::new(b.index());
        let w = walk::walk(
            self,
            &[NodeIx::new(a.index())],
            Way::Down,
            |_| true,
            true,
            |n| n == target,
        );
        w.hit()?;
        Some(
            w.path_to(target)
                .into_iter()
                .map(|(n, _)| self.at(n))
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests;
