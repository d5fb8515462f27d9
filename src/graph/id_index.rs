//! Ids and aliases → nodes, without a second copy of every id. A node's own id is looked up
//! through the node itself (a table of node indices hashed by the id their record holds: four
//! bytes a node instead of a cloned id and its string); only aliases, a few per thousand
//! nodes, are kept as keys. Lookups behave as one map from id to node: the last insert of an id
//! wins, whichever structure held it before.

use foldhash::fast::RandomState;
use hashbrown::HashTable;
use petgraph::graph::{DiGraph, NodeIndex};
use std::collections::HashMap;
use std::hash::BuildHasher;

use super::EdgeData;
use crate::id::RepoId;
use crate::record::RepoRecord;

type Nodes = DiGraph<RepoRecord, EdgeData>;

/// The index. Every node in `own` holds, as its record's id, the key it was found by: a
/// record's id must not change while its node is in `own` (see [`IdIndex::before_replacing`]).
#[derive(Debug, Clone, Default)]
pub(crate) struct IdIndex {
    state: RandomState,
    own: HashTable<NodeIndex>,
    aliases: HashMap<RepoId, NodeIndex, RandomState>,
}

impl IdIndex {
    /// Makes room for `n` more nodes' own ids.
    pub(crate) fn reserve(&mut self, nodes: &Nodes, n: usize) {
        let state = &self.state;
        self.own.reserve(n, |&i| state.hash_one(&nodes[i].id));
    }

    /// The node `id` names (its own id or an alias).
    pub(crate) fn get(&self, nodes: &Nodes, id: &RepoId) -> Option<NodeIndex> {
        self.own
            .find(self.state.hash_one(id), |&i| nodes[i].id == *id)
            .copied()
            .or_else(|| self.aliases.get(id).copied())
    }

    /// Whether `id` names a node.
    pub(crate) fn contains(&self, nodes: &Nodes, id: &RepoId) -> bool {
        self.get(nodes, id).is_some()
    }

    /// Makes `id` name `idx` (whose record must already be in place).
    pub(crate) fn insert(&mut self, nodes: &Nodes, id: &RepoId, idx: NodeIndex) {
        let state = &self.state;
        let hash = state.hash_one(id);
        if nodes[idx].id == *id {
            self.aliases.remove(id);
            match self.own.entry(
                hash,
                |&i| nodes[i].id == *id,
                |&i| state.hash_one(&nodes[i].id),
            ) {
                hashbrown::hash_table::Entry::Occupied(mut e) => *e.get_mut() = idx,
                hashbrown::hash_table::Entry::Vacant(e) => {
                    e.insert(idx);
                }
            }
        } else {
            if let Ok(e) = self.own.find_entry(hash, |&i| nodes[i].id == *id) {
                e.remove();
            }
            self.aliases.insert(id.clone(), idx);
        }
    }

    /// Call before the record at `idx` is replaced by one with the id `new_id`: when the ids
    /// differ, the old id stays a name of the node, as an alias.
    pub(crate) fn before_replacing(&mut self, nodes: &Nodes, idx: NodeIndex, new_id: &RepoId) {
        let old = &nodes[idx].id;
        if old == new_id {
            return;
        }
        let hash = self.state.hash_one(old);
        if let Ok(e) = self.own.find_entry(hash, |&i| i == idx) {
            e.remove();
            self.aliases.insert(old.clone(), idx);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::RepoKind;
    use crate::record::NodeStatus;

    fn id(s: &str) -> RepoId {
        RepoId::parse(s, RepoKind::Model).unwrap()
    }

    fn node(g: &mut Nodes, s: &str) -> NodeIndex {
        g.add_node(RepoRecord::unavailable(
            id(s),
            NodeStatus::Unvisited,
            "test",
        ))
    }

    #[test]
    fn answers_as_one_map_from_id_to_node() {
        let mut g = Nodes::default();
        let mut ix = IdIndex::default();
        let a = node(&mut g, "org/a");
        let b = node(&mut g, "org/b");
        ix.insert(&g, &id("org/a"), a);
        ix.insert(&g, &id("org/b"), b);
        ix.insert(&g, &id("org/old-b"), b);
        assert_eq!(
            ix.get(&g, &id("ORG/A")),
            Some(a),
            "ids compare without case"
        );
        assert_eq!(ix.get(&g, &id("org/old-b")), Some(b));
        assert_eq!(ix.get(&g, &id("org/c")), None);
        // The last insert wins: an own id re-pointed as another node's alias, and back.
        ix.insert(&g, &id("org/a"), b);
        assert_eq!(ix.get(&g, &id("org/a")), Some(b));
        ix.insert(&g, &id("org/a"), a);
        assert_eq!(ix.get(&g, &id("org/a")), Some(a));
        // A placeholder replaced by the renamed repo's record keeps answering for its old id.
        let new = RepoRecord::unavailable(id("org/renamed"), NodeStatus::Ok, "test");
        ix.before_replacing(&g, a, &new.id);
        g[a] = new;
        ix.insert(&g, &id("org/renamed"), a);
        assert_eq!(ix.get(&g, &id("org/a")), Some(a));
        assert_eq!(ix.get(&g, &id("org/renamed")), Some(a));
        // Growing the table rehashes by the records' ids: everything is still found.
        let many: Vec<NodeIndex> = (0..5000)
            .map(|i| node(&mut g, &format!("u/m-{i}")))
            .collect();
        ix.reserve(&g, 10);
        for (i, &n) in many.iter().enumerate() {
            ix.insert(&g, &id(&format!("u/m-{i}")), n);
        }
        for (i, &n) in many.iter().enumerate() {
            assert_eq!(ix.get(&g, &id(&format!("U/M-{i}"))), Some(n));
        }
        assert_eq!(ix.get(&g, &id("org/renamed")), Some(a));
        assert_eq!(ix.get(&g, &id("org/b")), Some(b));
        assert!(ix.contains(&g, &id("org/old-b")));
    }
}
