//! Walking a license lineage: the derivation ancestors of a node with their distance, and the
//! path text (`A →finetune→ B →quantized→ C`) that explains a finding.

use crate::graph::walk::walk;
use crate::graph::{LineageGraph, NodeIx, RepoRef, Way};
use crate::id::RepoId;
use crate::relation::RelationSource;

pub(super) struct Ancestor<'g> {
    pub(super) node: RepoRef<'g>,
    pub(super) distance: usize,
}

pub(super) fn derivation_ancestors<'g>(g: &'g LineageGraph, start: NodeIx) -> Vec<Ancestor<'g>> {
    let w = walk(
        g,
        &[start],
        Way::Up,
        |e| e.relation.is_derivation(),
        false,
        |_| false,
    );
    let mut out: Vec<Ancestor<'g>> = w
        .reached()
        .iter()
        .map(|&n| Ancestor {
            node: g.at(n),
            distance: w.distance(n).unwrap_or(0),
        })
        .collect();
    // Stable order: by distance, then id.
    out.sort_by(|a, b| (a.distance, a.node.id()).cmp(&(b.distance, b.node.id())));
    out
}

/// `A →finetune→ B →quantized→ C`, the lineage path that explains a finding: the shortest
/// path from the ancestor down to the node, found by walking up from the node (upward
/// neighbourhoods are small; downward ones can be the whole family).
pub fn path_text(g: &LineageGraph, from: &RepoId, to: &RepoId) -> String {
    let (Some(a), Some(b)) = (g.get(from), g.get(to)) else {
        return format!("{} … {}", from.node_id(), to.node_id());
    };
    let (a, b) = (g.position(&a), g.position(&b));
    let w = walk(g, &[b], Way::Up, |_| true, true, |n| n == a);
    if w.hit().is_none() {
        return format!("{} … {}", from.node_id(), to.node_id());
    }
    // The walk went up from the node; print the path back down from the ancestor. Each step's
    // edge is the one from that step's node (a parent) down to the node before it.
    let up = w.path_to(a);
    let mut s = g.at(a).id().node_id();
    for i in (1..up.len()).rev() {
        let (child, _) = up[i - 1];
        let Some(e) = up[i].1 else { break };
        let mark = if e.is_suggested() { "?" } else { "" };
        // Parents that are not the metadata's say where they were taken from.
        let taken = match e.source {
            RelationSource::File => " (parent taken from a file the tools wrote)",
            RelationSource::CardConfig => " (parent taken from the card's merge configuration)",
            RelationSource::CardStatement => " (parent taken from the card's source line)",
            _ => "",
        };
        s.push_str(&format!(
            " →{}{mark}{taken}→ {}",
            e.relation,
            g.at(child).id().node_id()
        ));
    }
    s
}
