//! The one graph walk: breadth-first from a set of nodes, up or down, through the edges a filter
//! accepts, with each reached node's distance and the edge it was reached by. Reach (ancestors,
//! descendants), shortest paths and "the nearest ancestor that …" are all views of one [`Walk`].
//! Cycles are harmless: a node is reached once.

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};

use super::{EdgeData, LineageGraph};

/// A node's position in the [`LineageGraph`] it came from (meaningless in another graph).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeIx(usize);

impl NodeIx {
    pub(crate) fn new(i: usize) -> NodeIx {
        NodeIx(i)
    }

    pub(crate) fn index(self) -> usize {
        self.0
    }
}

/// A set of nodes of one graph.
pub type NodeSet = BTreeSet<NodeIx>;

/// Which way a walk follows edges (edges point upstream → downstream).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Way {
    /// Toward parents: base models, training data, sources.
    Up,
    /// Toward children: derivatives, the Spaces that use a repo.
    Down,
}

impl Way {
    /// The other way.
    pub fn reverse(self) -> Way {
        match self {
            Way::Up => Way::Down,
            Way::Down => Way::Up,
        }
    }
}

/// How a node was reached: its distance, and the node and edge it was reached from.
type Reached = (usize, Option<(NodeIx, EdgeData)>);

/// What one walk found.
#[derive(Debug, Clone, Default)]
pub struct Walk {
    starts: Vec<NodeIx>,
    order: Vec<NodeIx>,
    reached: HashMap<NodeIx, Reached, foldhash::fast::RandomState>,
    hit: Option<NodeIx>,
}

/// Walks `g` from `starts`, following the edges `follow` accepts, stopping at the first node
/// (starts included) for which `until` holds. With `ordered`, neighbours are visited by id, so
/// which of several shortest paths is found does not depend on insertion order.
pub fn walk(
    g: &LineageGraph,
    starts: &[NodeIx],
    way: Way,
    follow: impl Fn(&EdgeData) -> bool,
    ordered: bool,
    until: impl Fn(NodeIx) -> bool,
) -> Walk {
    let mut w = Walk {
        starts: starts.to_vec(),
        ..Walk::default()
    };
    // A set, not a bitmap of the whole graph: a walk costs what it visits, so one walk per node
    // over a graph of millions stays linear overall.
    let mut seen: HashSet<NodeIx, foldhash::fast::RandomState> = HashSet::default();
    let mut queue: VecDeque<(NodeIx, usize)> = VecDeque::new();
    for &s in starts {
        if s.0 < g.len() && seen.insert(s) {
            queue.push_back((s, 0));
        }
    }
    while let Some((n, d)) = queue.pop_front() {
        if until(n) {
            w.hit = Some(n);
            break;
        }
        let mut next: Vec<(NodeIx, EdgeData)> = g
            .neighbour_indices(n, way)
            .filter(|(_, e)| follow(e))
            .collect();
        if ordered {
            next.sort_by(|a, b| g.at(a.0).id().cmp(g.at(b.0).id()));
        }
        for (m, e) in next {
            if seen.insert(m) {
                w.order.push(m);
                w.reached.insert(m, (d + 1, Some((n, e))));
                queue.push_back((m, d + 1));
            }
        }
    }
    w
}

impl Walk {
    /// Nodes reached (the starts excluded), in the order they were reached.
    pub fn reached(&self) -> &[NodeIx] {
        &self.order
    }

    /// The nodes reached, as a set (the starts excluded).
    pub fn set(&self) -> NodeSet {
        self.order.iter().copied().collect()
    }

    /// Hops from the nearest start (0 for a start), when reached.
    pub fn distance(&self, n: NodeIx) -> Option<usize> {
        if self.starts.contains(&n) {
            return Some(0);
        }
        self.reached.get(&n).map(|(d, _)| *d)
    }

    /// The node `until` stopped at, if any.
    pub fn hit(&self) -> Option<NodeIx> {
        self.hit
    }

    /// The path from a start to `n`: each node with the edge that led to it (`None` for the
    /// start). Empty when `n` was not reached.
    pub fn path_to(&self, n: NodeIx) -> Vec<(NodeIx, Option<EdgeData>)> {
        if !self.starts.contains(&n) && !self.reached.contains_key(&n) {
            return vec![];
        }
        let mut path = vec![];
        let mut cur = n;
        loop {
            match self.reached.get(&cur) {
                Some((_, Some((prev, e)))) => {
                    path.push((cur, Some(*e)));
                    cur = *prev;
                }
                _ => {
                    path.push((cur, None));
                    break;
                }
            }
        }
        path.reverse();
        path
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::{RepoId, RepoKind};
    use crate::record::RepoRecord;

    fn graph(cards: &[(&str, &str)]) -> LineageGraph {
        let recs = cards
            .iter()
            .map(|(id, card)| {
                let rid = RepoId::parse(id, RepoKind::Model).unwrap();
                RepoRecord::from_parts(&rid, None, Some(format!("---\n{card}\n---\n").as_bytes()))
            })
            .collect();
        LineageGraph::from_records(recs, vec![]).graph
    }

    fn pos(g: &LineageGraph, id: &str) -> NodeIx {
        g.position(&g.get(&RepoId::parse(id, RepoKind::Model).unwrap()).unwrap())
    }

    #[test]
    fn distances_paths_filters_and_cycles() {
        // a → b → c, a → c (shortcut), c → d (a cycle back to b through d).
        let g = graph(&[
            ("x/a", "license: mit"),
            ("x/b", "base_model: x/a"),
            ("x/c", "base_model: [x/b, x/a]"),
            ("x/d", "base_model: x/c\ndatasets: [x/data]"),
            ("x/e", "base_model: x/d"),
        ]);
        let (a, c, d, e) = (
            pos(&g, "x/a"),
            pos(&g, "x/c"),
            pos(&g, "x/d"),
            pos(&g, "x/e"),
        );
        let w = walk(&g, &[e], Way::Up, |_| true, true, |_| false);
        assert_eq!(w.distance(e), Some(0));
        assert_eq!(w.distance(d), Some(1));
        assert_eq!(w.distance(a), Some(3), "the shortcut a → c counts");
        let path: Vec<NodeIx> = w.path_to(a).into_iter().map(|(n, _)| n).collect();
        assert_eq!(path, vec![e, d, c, a]);
        // Only derivation edges: the dataset is not reached.
        let w = walk(
            &g,
            &[e],
            Way::Up,
            |x| x.relation.is_derivation(),
            false,
            |_| false,
        );
        assert!(w
            .reached()
            .iter()
            .all(|n| g.at(*n).id().kind() == RepoKind::Model));
        // Stopping early.
        let w = walk(&g, &[a], Way::Down, |_| true, true, |n| n == d);
        assert_eq!(w.hit(), Some(d));
        assert_eq!(w.path_to(d).len(), 3);
        assert!(w.path_to(e).is_empty(), "not reached before stopping");
    }

    #[test]
    fn cycles_end() {
        let g = graph(&[("x/a", "base_model: x/b"), ("x/b", "base_model: x/a")]);
        let a = pos(&g, "x/a");
        let w = walk(&g, &[a], Way::Up, |_| true, false, |_| false);
        assert_eq!(w.reached().len(), 1);
    }
}
