//! LineageGraph: cycles, placeholders, aliases, roots and paths.

use super::*;
use crate::finding::Code;
use crate::id::RepoKind;

fn id(s: &str) -> RepoId {
    RepoId::parse(s, RepoKind::Model).unwrap()
}
fn rec(name: &str, card: &str) -> RepoRecord {
    RepoRecord::from_parts(&id(name), None, Some(card.as_bytes()))
}

#[test]
fn cycles_are_kept_reported_and_traversals_terminate() {
    let built = LineageGraph::from_records(
        vec![
            rec("a/x", "---\nbase_model: a/y\n---\n"),
            rec("a/y", "---\nbase_model: a/x\n---\n"),
            rec("a/z", "---\nbase_model: a/z\n---\n"),
        ],
        vec![id("a/x")],
    );
    let (g, findings) = (&built.graph, &built.findings);
    assert_eq!(g.edge_count(), 3);
    let cycles: Vec<_> = findings
        .iter()
        .filter(|f| f.code == Code::LineageCycle)
        .collect();
    assert_eq!(cycles.len(), 2);
    assert_eq!(g.ancestors(&id("a/x")).len(), 1);
    assert_eq!(g.descendants(&id("a/z")).len(), 0);
    assert!(cycles.iter().any(|f| f.nodes.iter().any(|n| n == "a/x")));
}

#[test]
fn missing_parents_become_placeholder_nodes() {
    let g = LineageGraph::from_records(
        vec![rec("a/child", "---\nbase_model: gone/parent\n---\n")],
        vec![],
    )
    .graph;
    let p = g.get(&id("gone/parent")).unwrap();
    assert_eq!(p.status(), NodeStatus::Unvisited);
    assert_eq!(p.children()[0].0.id(), &id("a/child"));
}

#[test]
fn aliases_route_edges_to_the_renamed_node() {
    let renamed = RepoRecord::from_parts(&id("old/m"), Some(br#"{"id":"new/m"}"#), None);
    let Built { graph: g, findings } = LineageGraph::from_records(
        vec![renamed, rec("c/d", "---\nbase_model: old/m\n---\n")],
        vec![],
    );
    assert_eq!(g.node_count(), 2);
    assert_eq!(
        g.get(&id("c/d")).unwrap().parents()[0].0.id().name(),
        "new/m"
    );
    assert!(findings.iter().any(|f| f.code == Code::RenamedRepo));
}

#[test]
fn derivation_roots_and_paths() {
    let g = LineageGraph::from_records(
        vec![
            rec("r/base", "---\nlicense: mit\n---\n"),
            rec("f/tune", "---\nbase_model: r/base\n---\n"),
            rec(
                "q/tune-GGUF",
                "---\nbase_model: f/tune\nbase_model_relation: quantized\n---\n",
            ),
        ],
        vec![],
    )
    .graph;
    let roots: Vec<_> = g
        .derivation_roots(&id("q/tune-GGUF"))
        .iter()
        .map(|r| r.id().node_id())
        .collect();
    assert_eq!(roots, vec!["r/base"]);
    let path: Vec<_> = g
        .shortest_path(&id("r/base"), &id("q/tune-GGUF"))
        .unwrap()
        .iter()
        .map(|r| r.id().node_id())
        .collect();
    assert_eq!(path, vec!["r/base", "f/tune", "q/tune-GGUF"]);
}
