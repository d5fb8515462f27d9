//! `LineageGraph`: the provenance graph, with petgraph kept inside.
//!
//! Nodes are repos (their [`RepoRecord`]); edges point upstream → downstream and carry a
//! [`Relation`] and its [`RelationSource`]. A parent that could not be read is a node with a
//! status, never an error. Cycles and self-references are kept and reported as findings; every
//! traversal here carries a visited set, so none of them can loop. Everything that produces
//! output iterates in sorted order.

mod builder;
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

impl Direction {
    /// Down when `down`, else up (a command's `--down` flag).
    pub fn down_if(down: bool) -> Direction {
        match down {
            true => Direction::Down,
            false => Direction::Up,
        }
    }
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

/// A graph just built, with the findings its building raised (the records' own, renamed
/// parents, cycles, unreadable parents, and the source's).
#[derive(Debug, Clone, Default)]
pub struct Built {
    /// The graph.
    pub graph: LineageGraph,
    /// The findings raised while building it, unsorted.
    pub findings: Vec<Finding>,
}

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
    pub fn from_records(records: Vec<RepoRecord>, roots: Vec<RepoId>) -> Built {
        let links = records.iter().flat_map(RepoRecord::links).collect();
        LineageGraph::from_records_and_links(records, links, roots)
    }

    /// Builds a graph from records and the links already computed from them
    /// ([`RepoRecord::links`]), so a whole snapshot decides each record's links once.
    pub fn from_records_and_links(
        records: Vec<RepoRecord>,
        links: Vec<Link>,
        roots: Vec<RepoId>,
    ) -> Built {
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
        way: Way,
    ) -> impl Iterator<Item = (NodeIx, EdgeData)> + '_ {
        let up = way == Way::Up;
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

    /// The subgraph induced by some nodes: their records, the edges among them, and the roots
    /// among them.
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
        b.finish(roots).graph
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

    /// Adds a suggested edge (from card text). Endpoints missing from the graph are added as
    /// `unvisited` placeholders. Returns false when an edge of that relation already exists.
    pub(crate) fn add_suggested_edge(&mut self, link: &Link) -> bool {
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
