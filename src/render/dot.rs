//! DOT (built as a graphviz-rust AST, printed deterministically) and SVG (through Graphviz `dot`).

use graphviz_rust::cmd::{CommandArg, Format};
use graphviz_rust::dot_structures::{
    Attribute, Edge, EdgeTy, Graph, GraphAttributes, Id, Node, NodeId, Stmt, Subgraph, Vertex,
};
use graphviz_rust::printer::PrinterContext;

use super::view::{edge_style, Family, View, ViewNode};
use crate::finding::Severity;
use crate::id::RepoKind;
use crate::record::NodeStatus;
use crate::relation::Relation;

/// Escapes text for a quoted DOT string: backslashes, quotes, newlines; unicode passes through.
pub fn escape(s: &str) -> String {
    // Terminal controls from cards are written out first (a .dot file is also read with `cat`).
    let s = super::escape::block(s);
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn esc(s: &str) -> Id {
    Id::Escaped(escape(s))
}

fn attr(k: &str, v: &str) -> Attribute {
    Attribute(Id::Plain(k.to_string()), esc(v))
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn node_attrs(n: &ViewNode) -> Vec<Attribute> {
    let mut a = Vec::new();
    let shape = match n.kind {
        Some(RepoKind::Model) => "box",
        Some(RepoKind::Dataset) => "cylinder",
        Some(RepoKind::Space) => "hexagon",
        None => "note",
    };
    let mut label = n.id.clone();
    if let Some(l) = &n.license {
        label.push_str(&format!("\n{l}"));
    }
    if n.status != NodeStatus::Ok {
        label.push_str(&format!("\n[{}]", n.status.as_str()));
    }
    a.push(attr("id", &format!("node-{}", n.key)));
    a.push(attr("label", &label));
    a.push(attr("shape", shape));
    let mut style = vec!["filled"];
    if n.kind == Some(RepoKind::Model) {
        style.push("rounded");
    }
    let (fill, font) = if matches!(n.status, NodeStatus::Ok | NodeStatus::Unvisited) {
        (n.family.color(), "#000000")
    } else {
        ("#d0d0d0", "#666666")
    };
    if n.status != NodeStatus::Ok {
        style.push("dashed");
    }
    a.push(attr("style", &style.join(",")));
    a.push(attr("fillcolor", fill));
    a.push(attr("fontcolor", font));
    let (color, width) = match n.worst {
        Some(Severity::Deny) => ("#d32f2f", "3"),
        Some(Severity::Warn) => ("#f57c00", "2"),
        _ => ("#555555", "1"),
    };
    a.push(attr("color", color));
    a.push(attr("penwidth", if n.root { "3" } else { width }));
    if n.root {
        a.push(attr("peripheries", "2"));
        a.push(attr("fontname", "Helvetica-Bold"));
    }
    if !n.flags.is_empty() {
        a.push(attr(
            "tooltip",
            &format!("{}: {}", n.id, n.flags.join(", ")),
        ));
    } else {
        a.push(attr("tooltip", &n.id));
    }
    a
}

fn legend() -> Stmt {
    let mut rows =
        String::from("<TABLE BORDER=\"0\" CELLBORDER=\"1\" CELLSPACING=\"0\" CELLPADDING=\"3\">");
    rows.push_str("<TR><TD COLSPAN=\"2\"><B>Legend</B></TD></TR>");
    rows.push_str("<TR><TD>box</TD><TD>model</TD></TR><TR><TD>cylinder</TD><TD>dataset</TD></TR><TR><TD>hexagon</TD><TD>Space</TD></TR>");
    for f in Family::ALL {
        rows.push_str(&format!(
            "<TR><TD BGCOLOR=\"{}\"> </TD><TD>{}</TD></TR>",
            f.color(),
            html_escape(f.label())
        ));
    }
    for r in Relation::ALL {
        let (color, style, arrow) = edge_style(r);
        rows.push_str(&format!(
            "<TR><TD><FONT COLOR=\"{color}\">{style} → {arrow}</FONT></TD><TD>{}</TD></TR>",
            r.as_str()
        ));
    }
    rows.push_str("<TR><TD>dashed, “suggested”</TD><TD>parent named only in card text</TD></TR>");
    rows.push_str(
        "<TR><TD><FONT COLOR=\"#d32f2f\">red outline</FONT></TD><TD>deny-level finding</TD></TR>",
    );
    rows.push_str("<TR><TD><FONT COLOR=\"#f57c00\">orange outline</FONT></TD><TD>warn-level finding</TD></TR>");
    rows.push_str("<TR><TD BGCOLOR=\"#d0d0d0\">grey, dashed</TD><TD>not found / unauthorized / error</TD></TR>");
    rows.push_str("<TR><TD>double outline</TD><TD>traced repo</TD></TR></TABLE>");
    Stmt::Subgraph(Subgraph {
        id: Id::Plain("cluster_legend".into()),
        stmts: vec![
            Stmt::Attribute(attr("label", "")),
            Stmt::Attribute(attr("color", "#bbbbbb")),
            Stmt::Node(Node::new(
                NodeId(Id::Plain("legend".into()), None),
                vec![
                    Attribute(Id::Plain("shape".into()), Id::Plain("plaintext".into())),
                    Attribute(Id::Plain("label".into()), Id::Html(format!("<{rows}>"))),
                ],
            )),
        ],
    })
}

/// The DOT AST for a view.
pub fn dot_graph(view: &View, with_legend: bool) -> Graph {
    let mut stmts: Vec<Stmt> = vec![
        Stmt::GAttribute(GraphAttributes::Graph(vec![
            attr("rankdir", "TB"),
            attr("fontname", "Helvetica"),
            attr("bgcolor", "white"),
        ])),
        Stmt::GAttribute(GraphAttributes::Node(vec![
            attr("fontname", "Helvetica"),
            attr("fontsize", "11"),
        ])),
        Stmt::GAttribute(GraphAttributes::Edge(vec![
            attr("fontname", "Helvetica"),
            attr("fontsize", "9"),
        ])),
    ];
    for n in &view.nodes {
        stmts.push(Stmt::Node(Node::new(
            NodeId(Id::Plain(n.key.clone()), None),
            node_attrs(n),
        )));
    }
    for e in &view.edges {
        let (color, style, arrow) = edge_style(e.relation);
        let mut a = vec![attr("color", color), attr("arrowhead", arrow)];
        if e.suggested {
            a.push(attr("style", "dashed"));
            a.push(attr("label", &format!("suggested: {}", e.relation)));
        } else {
            a.push(attr("style", style));
            a.push(attr("label", e.relation.as_str()));
        }
        a.push(attr("fontcolor", color));
        stmts.push(Stmt::Edge(Edge {
            ty: EdgeTy::Pair(
                Vertex::N(NodeId(Id::Plain(e.from.clone()), None)),
                Vertex::N(NodeId(Id::Plain(e.to.clone()), None)),
            ),
            attributes: a,
        }));
    }
    if with_legend {
        stmts.push(legend());
    }
    Graph::DiGraph {
        id: Id::Plain("lineage".into()),
        strict: false,
        stmts,
    }
}

/// DOT text for a view.
pub fn render_dot(view: &View) -> String {
    let mut ctx = PrinterContext::default();
    let mut s = graphviz_rust::print(dot_graph(view, true), &mut ctx);
    s.push('\n');
    s
}

/// Why SVG rendering failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SvgError {
    /// Graphviz is not installed.
    #[error("the Graphviz `dot` program was not found; install it (Debian/Ubuntu: `apt-get install graphviz`, macOS: `brew install graphviz`)")]
    NoDot,
    /// `dot` failed.
    #[error("Graphviz `dot` failed: {0}")]
    Dot(String),
}

/// SVG through Graphviz `dot`.
pub fn render_svg(view: &View) -> Result<String, SvgError> {
    let dot = render_dot(view);
    match graphviz_rust::exec_dot(dot, vec![CommandArg::Format(Format::Svg)]) {
        Ok(bytes) => Ok(String::from_utf8_lossy(&bytes).into_owned()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(SvgError::NoDot),
        Err(e) => Err(SvgError::Dot(e.to_string())),
    }
}
