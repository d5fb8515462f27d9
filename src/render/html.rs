//! A self-contained HTML report: the SVG inline, the findings as a table, a node's details on
//! click. No network fetches, no external scripts or styles.

use serde_json::json;

use super::dot::{render_svg, SvgError};
use super::view::View;
use crate::graph::LineageGraph;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Renders the report. Needs Graphviz for the picture.
pub fn render_html(g: &LineageGraph, view: &View, title: &str) -> Result<String, SvgError> {
    let svg = render_svg(view)?;
    let svg = match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => svg.as_str(),
    };
    let mut details = serde_json::Map::new();
    for n in &view.nodes {
        let node = g.get_by_node_id(&n.id);
        let findings: Vec<_> = g
            .findings()
            .iter()
            .filter(|f| f.nodes.first() == Some(&n.id))
            .collect();
        details.insert(
            format!("node-{}", n.key),
            json!({
                "id": n.id,
                "kind": n.kind.map(|k| k.as_str()),
                "status": n.status.as_str(),
                "reason": node.and_then(|x| x.record().reason.clone()),
                "license": n.license,
                "flags": n.flags,
                "folded": n.folded,
                "findings": findings,
                "obligations": g.obligations(&n.id),
                "documentation": g.documentation(&n.id),
                "url": n.kind.map(|k| format!("https://huggingface.co/{}{}", k.url_prefix(), n.id.trim_start_matches(k.url_prefix()))),
            }),
        );
    }
    // `</` cannot appear inside the script element.
    let data = serde_json::Value::Object(details)
        .to_string()
        .replace("</", "<\\/");
    let mut rows = String::new();
    for f in g.findings() {
        rows.push_str(&format!(
            "<tr class=\"{sev}\"><td>{sev}</td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>\n",
            esc(f.code.as_str()),
            esc(f.nodes.first().map(String::as_str).unwrap_or("")),
            esc(&f.message),
            sev = f.severity.as_str()
        ));
    }
    if rows.is_empty() {
        rows.push_str("<tr><td colspan=\"4\">no findings</td></tr>");
    }
    let roots: Vec<String> = g.roots().iter().map(|r| esc(&r.node_id())).collect();
    Ok(format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 1.5rem; color: #222; }}
h1 {{ font-size: 1.3rem; margin: 0 0 .3rem; }}
.sub {{ color: #666; margin-bottom: 1rem; }}
.layout {{ display: flex; gap: 1.5rem; align-items: flex-start; }}
.diagram {{ flex: 4; overflow: auto; border: 1px solid #ddd; border-radius: 6px; padding: .5rem; }}
.diagram svg {{ max-width: 100%; height: auto; }}
.diagram g.node {{ cursor: pointer; }}
.diagram g.node.selected polygon, .diagram g.node.selected path {{ stroke: #0366d6; stroke-width: 4; }}
#details {{ flex: 1; min-width: 16rem; border: 1px solid #ddd; border-radius: 6px; padding: .8rem; min-height: 8rem; font-size: .9rem; }}
#details h2 {{ font-size: 1rem; margin: 0 0 .5rem; word-break: break-all; }}
#details ul {{ padding-left: 1.1rem; }}
table {{ border-collapse: collapse; width: 100%; margin-top: 1.5rem; font-size: .85rem; }}
th, td {{ border: 1px solid #ddd; padding: .35rem .5rem; text-align: left; vertical-align: top; }}
tr.deny td:first-child {{ color: #d32f2f; font-weight: bold; }}
tr.warn td:first-child {{ color: #f57c00; font-weight: bold; }}
tr.info td:first-child {{ color: #1565c0; }}
</style>
</head>
<body>
<h1>{title}</h1>
<div class="sub">Traced: {roots} — {n} nodes, {e} edges, {f} findings. Click a node for its details.</div>
<div class="layout">
<div class="diagram">
{svg}
</div>
<div id="details"><em>Click a node in the diagram.</em></div>
</div>
<table>
<thead><tr><th>severity</th><th>code</th><th>repo</th><th>finding</th></tr></thead>
<tbody>
{rows}</tbody>
</table>
<script type="application/json" id="node-data">{data}</script>
<script>
(function () {{
  var data = JSON.parse(document.getElementById('node-data').textContent);
  var panel = document.getElementById('details');
  function text(s) {{ var d = document.createElement('div'); d.textContent = s == null ? '' : String(s); return d.innerHTML; }}
  function list(title, items) {{
    if (!items || !items.length) return '';
    return '<h3>' + text(title) + '</h3><ul>' + items.map(function (i) {{ return '<li>' + text(i) + '</li>'; }}).join('') + '</ul>';
  }}
  function show(id, el) {{
    var d = data[id];
    if (!d) return;
    document.querySelectorAll('g.node.selected').forEach(function (x) {{ x.classList.remove('selected'); }});
    el.classList.add('selected');
    var html = '<h2>' + text(d.id) + '</h2>';
    html += '<div>kind: ' + text(d.kind || 'folded group') + ' · status: ' + text(d.status) + (d.reason ? ' (' + text(d.reason) + ')' : '') + '</div>';
    html += '<div>license: ' + text(d.license || 'none declared') + '</div>';
    if (d.url) html += '<div>on the Hub: <code>' + text(d.url) + '</code></div>';
    html += list('findings', (d.findings || []).map(function (f) {{ return f.severity + ' [' + f.code + '] ' + f.message; }}));
    html += list('obligations from ancestors', d.obligations);
    if (d.documentation) html += list('what changed: ' + d.documentation.verdict, d.documentation.evidence.map(function (e) {{ return e.item + ': "' + e.quote + '"'; }}));
    html += list('folded repos', d.folded);
    panel.innerHTML = html;
  }}
  var nodes = document.querySelectorAll('g.node');
  nodes.forEach(function (el) {{
    el.addEventListener('click', function () {{ show(el.id, el); }});
  }});
  document.body.setAttribute('data-rendered-nodes', String(nodes.length));
}})();
</script>
</body>
</html>
"#,
        title = esc(title),
        roots = roots.join(", "),
        n = view.nodes.len(),
        e = view.edges.len(),
        f = g.findings().len(),
    ))
}
