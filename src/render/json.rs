//! The JSON graph: the stable contract `hf-lineage/graph@1`.
//!
//! Keys and their meaning are documented in the README. Nodes, edges and findings are sorted,
//! so two runs over the same input print the same bytes.

use serde::Serialize;

use crate::finding::Finding;
use crate::report::Analysis;

/// The schema id of the JSON graph.
pub const SCHEMA: &str = "hf-lineage/graph@1";

#[derive(Serialize)]
struct JsonGraph<'a> {
    schema: &'static str,
    roots: Vec<String>,
    nodes: Vec<JsonNode<'a>>,
    edges: Vec<JsonEdge>,
    findings: &'a [Finding],
}

#[derive(Serialize)]
struct JsonNode<'a> {
    id: String,
    kind: &'static str,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
    license: Option<String>,
    license_name: Option<&'a str>,
    license_link: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    aliases: Vec<String>,
    /// Present for gated repos (`auto`/`manual`): metadata readable, files need approval.
    #[serde(skip_serializing_if = "Option::is_none")]
    gated: Option<&'a str>,
    flags: Vec<String>,
    /// Present after `audit`: what the ancestors' licenses require of this node.
    #[serde(skip_serializing_if = "Option::is_none")]
    obligations: Option<Vec<String>>,
    /// Present after `audit` for derivatives: what the card says changed, with quotes.
    #[serde(skip_serializing_if = "Option::is_none")]
    documentation: Option<serde_json::Value>,
}

#[derive(Serialize)]
struct JsonEdge {
    upstream: String,
    downstream: String,
    relation: &'static str,
    relation_source: &'static str,
}

/// Renders the graph as pretty JSON (with a trailing newline).
///
/// ```
/// use hf_lineage::record::RepoRecord;
/// use hf_lineage::{Analysis, LineageGraph, RepoId, RepoKind};
/// let id = RepoId::parse("a/b", RepoKind::Model).unwrap();
/// let rec = RepoRecord::from_parts(&id, None, Some(b"---\nlicense: mit\n---\n"));
/// let built = LineageGraph::from_records(vec![rec], vec![id]);
/// let json = hf_lineage::render::render_json(&Analysis::from(built));
/// let v: serde_json::Value = serde_json::from_str(&json).unwrap();
/// assert_eq!(v["schema"], "hf-lineage/graph@1");
/// assert_eq!(v["nodes"][0]["license"], "mit");
/// ```
pub fn render_json(a: &Analysis) -> String {
    let g = a.graph();
    let nodes = g
        .nodes()
        .into_iter()
        .map(|n| {
            let rec = n.record();
            let mut aliases: Vec<String> = rec.aliases.iter().map(|a| a.node_id()).collect();
            aliases.sort();
            JsonNode {
                id: n.id().node_id(),
                kind: n.id().kind().as_str(),
                status: n.status().as_str(),
                reason: rec.reason(),
                license: rec.card.meta.declared_license(),
                license_name: rec.card.meta.license_name(),
                license_link: rec.card.meta.license_link(),
                aliases,
                gated: rec.gated(),
                flags: a.flags(&n),
                obligations: a.has_obligations().then(|| {
                    a.obligations_of(&n)
                        .map(<[String]>::to_vec)
                        .unwrap_or_default()
                }),
                documentation: a.documentation(&n),
            }
        })
        .collect();
    let edges = g
        .edges()
        .into_iter()
        .map(|e| JsonEdge {
            upstream: e.upstream.id().node_id(),
            downstream: e.downstream.id().node_id(),
            relation: e.data.relation.as_str(),
            relation_source: e.data.source.as_str(),
        })
        .collect();
    let doc = JsonGraph {
        schema: SCHEMA,
        roots: g.roots().iter().map(|r| r.node_id()).collect(),
        nodes,
        edges,
        findings: a.findings(),
    };
    let s =
        serde_json::to_string_pretty(&doc).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    let mut s = super::escape::json(s);
    s.push('\n');
    s
}
