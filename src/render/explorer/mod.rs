//! The HTML explorer: one self-contained file that lets a person find their way through a
//! family of thousands of repos, offline. The graph goes in as JSON; the page's own script
//! (`explorer.js`, written for this project, no third-party code) lays it out as a tree in the
//! browser, with pan and zoom, search, collapsing, filters, a details panel and the findings
//! table. Nothing is fetched at view time; links to the Hub point at the configured endpoint.
//!
//! The contract for anyone driving the page (our browser test does): every drawn node is an
//! element with `data-node-id="<repo id>"`, the search box is the page's `<input
//! type="search">`, and `<body data-ready="…">` is set once the first picture is drawn.

use crate::id::RepoId;
use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::json;

use crate::kb::KnowledgeBase;
use crate::record::NodeStatus;
use crate::relation::Relation;
use crate::report::Analysis;

use super::view::{edge_style, family, Family};

/// How the explorer opens.
#[derive(Debug, Clone)]
pub struct ExplorerOptions {
    /// The page title.
    pub title: String,
    /// The Hub endpoint nodes link to (`https://huggingface.co`, a mirror…).
    pub endpoint: String,
    /// At most this many nodes show when the page opens: the tree is expanded breadth-first
    /// while it fits, and larger families start collapsed (the page can change it).
    pub open_nodes: usize,
}

impl Default for ExplorerOptions {
    fn default() -> Self {
        ExplorerOptions {
            title: "Lineage".into(),
            endpoint: "https://huggingface.co".into(),
            open_nodes: 200,
        }
    }
}

#[derive(Serialize)]
struct NodeData<'a> {
    id: String,
    kind: &'static str,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    license: Option<String>,
    family: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    worst: Option<&'static str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    root: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    obligations: Option<&'a [String]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    documentation: Option<&'a crate::docs_check::DocReport>,
}

/// A short text tag per license family, so the picture never says it by colour alone.
fn family_tag(f: Family) -> &'static str {
    match f {
        Family::Permissive => "P",
        Family::ShareAlike => "SA",
        Family::NonCommercial => "NC",
        Family::NoDerivatives => "ND",
        Family::Rail => "R",
        Family::Community => "C",
        Family::Unresolved => "?",
        Family::None => "–",
    }
}

/// SVG dash pattern per relation (colour is never the only cue).
fn dash(rel: Relation) -> &'static str {
    match rel {
        Relation::Finetune => "",
        Relation::Adapter => "7 3",
        Relation::Merge => "",
        Relation::Quantized => "2 3",
        Relation::TrainedOn => "1 4",
        Relation::SourceOf => "4 2 1 2",
        Relation::UsedBy => "9 3 2 3",
        Relation::DuplicatedFrom => "12 4",
    }
}

/// The data the page draws: nodes (sorted by id), edges and findings by node position, the
/// registry's text for each code present, and the legend's vocabulary.
pub fn explorer_data(
    a: &Analysis,
    kb: &KnowledgeBase,
    opts: &ExplorerOptions,
) -> serde_json::Value {
    let g = a.graph();
    let nodes = g.nodes();
    let mut pos = vec![u32::MAX; g.node_count()];
    for (i, n) in nodes.iter().enumerate() {
        if let Some(p) = pos.get_mut(n.ix().index()) {
            *p = i as u32;
        }
    }
    let ids: Vec<String> = nodes.iter().map(|n| n.id().node_id()).collect();
    let node_data: Vec<NodeData<'_>> = nodes
        .iter()
        .zip(&ids)
        .map(|(n, id)| {
            let rec = n.record();
            let fam = if n.status() == NodeStatus::Ok {
                family(kb, &rec.card.meta)
            } else {
                Family::None
            };
            NodeData {
                id: id.clone(),
                kind: n.id().kind().as_str(),
                status: n.status().as_str(),
                reason: rec.reason(),
                license: rec.card.meta.declared_license(),
                family: fam.class(),
                worst: a.worst_severity(n).map(|s| s.as_str()),
                root: n.is_root(),
                obligations: a.obligations_of(n),
                documentation: a.doc_report_of(n),
            }
        })
        .collect();
    let edges: Vec<serde_json::Value> = g
        .edges()
        .iter()
        .map(|e| {
            json!([
                pos[e.upstream.ix().index()],
                pos[e.downstream.ix().index()],
                e.data.relation.as_str(),
                e.data.source.as_str(),
            ])
        })
        .collect();
    let index: std::collections::HashMap<&str, usize> = ids
        .iter()
        .enumerate()
        .map(|(i, s)| (s.as_str(), i))
        .collect();
    let mut codes: BTreeMap<&'static str, serde_json::Value> = BTreeMap::new();
    let findings: Vec<serde_json::Value> = a
        .findings()
        .iter()
        .map(|f| {
            let info = f.code.info();
            codes.entry(info.name).or_insert_with(|| {
                json!({"summary": info.summary, "explanation": info.explanation, "resolve": info.resolve})
            });
            let subject = f
                .nodes
                .first()
                .and_then(|s| index.get(s.node_id().as_str()))
                .map_or(-1, |&i| i as i64);
            let others: Vec<String> = f.nodes.iter().skip(1).map(RepoId::node_id).collect();
            json!([f.code.as_str(), f.severity.as_str(), subject, others, f.message])
        })
        .collect();
    let families: Vec<serde_json::Value> = Family::ALL
        .iter()
        .map(|f| json!({"class": f.class(), "label": f.label(), "color": f.color(), "tag": family_tag(*f)}))
        .collect();
    let relations: Vec<serde_json::Value> = Relation::ALL
        .iter()
        .map(|r| {
            let (color, _, _) = edge_style(*r);
            json!({"name": r.as_str(), "color": color, "dash": dash(*r), "width": if *r == Relation::Merge { 2.4 } else { 1.4 }})
        })
        .collect();
    json!({
        "title": opts.title,
        "endpoint": opts.endpoint.trim_end_matches('/'),
        "open": opts.open_nodes,
        "nodes": node_data,
        "edges": edges,
        "findings": findings,
        "codes": codes,
        "families": families,
        "relations": relations,
    })
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const SCRIPT: &str = include_str!("explorer.js");
const STYLE: &str = include_str!("explorer.css");

/// Renders the explorer page.
pub fn render_explorer(a: &Analysis, kb: &KnowledgeBase, opts: &ExplorerOptions) -> String {
    // No `<` in the script element at all (`</script>`, `<!--`): JSON's own escape for it.
    let data = explorer_data(a, kb, opts)
        .to_string()
        .replace('<', "\\u003c");
    let title = esc(&opts.title);
    let mut page = String::with_capacity(data.len() + SCRIPT.len() + STYLE.len() + 4096);
    page.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    page.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    page.push_str("<!-- hf-lineage explorer. Its script and styles are hf-lineage's own (Apache-2.0); no third-party code is included. Nothing is fetched when the page is viewed. -->\n");
    page.push_str(&format!(
        "<title>{title}</title>\n<style>\n{STYLE}</style>\n</head>\n"
    ));
    page.push_str(&format!(
        r#"<body>
<header>
<h1>{title}</h1>
<div class="summary" id="summary"></div>
</header>
<div class="app">
<aside class="side" aria-label="Search, filters and legend">
<form class="search" role="search" onsubmit="return false">
<label for="search">Find a repo</label>
<input type="search" id="search" placeholder="repo id, or part of it (press /)" autocomplete="off" aria-describedby="search-status">
<div id="search-status" class="hint" aria-live="polite"></div>
</form>
<div class="buttons">
<button type="button" id="expand-all">Expand all</button>
<button type="button" id="collapse-all">Collapse all</button>
<button type="button" id="fit">Fit</button>
</div>
<label class="open-size">Open at most <input type="number" id="open-size" min="1" step="50"> nodes <button type="button" id="reopen">Apply</button></label>
<details open class="filters"><summary>Filters</summary><div id="filters"></div></details>
<details open class="legend"><summary>Legend</summary><div id="legend"></div></details>
</aside>
<main class="canvas" aria-label="Lineage diagram">
<div class="zoom" role="group" aria-label="Zoom">
<button type="button" id="zoom-in" aria-label="Zoom in">+</button>
<button type="button" id="zoom-out" aria-label="Zoom out">−</button>
</div>
<svg id="graph" role="tree" aria-label="Lineage tree: Tab to move between repos, Enter for details, Space to collapse or expand" tabindex="-1"><g id="viewport"><g id="edges"></g><g id="nodes"></g></g></svg>
</main>
<aside class="details" id="details" tabindex="-1" aria-live="polite" aria-label="Details"><p class="hint">Click a repo (or Tab to it and press Enter) for its details.</p></aside>
</div>
<section class="table" aria-label="Findings">
<h2 id="findings-title">Findings</h2>
<table><thead><tr><th scope="col">severity</th><th scope="col">code</th><th scope="col">repo</th><th scope="col">finding</th></tr></thead><tbody id="findings"></tbody></table>
<p id="findings-more" class="hint"></p>
</section>
<script type="application/json" id="lineage-data">{data}</script>
<script>
{SCRIPT}</script>
</body>
</html>
"#
    ));
    page
}
