//! Mermaid `flowchart` output, for pasting into a GitHub README or issue.

use std::fmt::Write;

use super::view::{edge_style, Family, View};
use crate::finding::Severity;
use crate::id::RepoKind;
use crate::record::NodeStatus;

/// Escapes label text with Mermaid's entity codes (quotes, angle brackets, `#`).
pub fn escape(s: &str) -> String {
    // Terminal controls from cards are written out first (Mermaid is also read as plain text).
    let s = super::escape::block(s);
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '#' => out.push_str("#35;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Renders a view as a Mermaid flowchart, upstream at the top.
pub fn render_mermaid(view: &View) -> String {
    let mut s = String::from("flowchart TD\n");
    for n in &view.nodes {
        let mut label = escape(&n.id);
        if let Some(l) = &n.license {
            label.push_str(&format!("<br/>{}", escape(l)));
        }
        if n.status != NodeStatus::Ok {
            label.push_str(&format!("<br/>[{}]", n.status.as_str()));
        }
        let (open, close) = match n.kind {
            Some(RepoKind::Model) => ("(\"", "\")"),
            Some(RepoKind::Dataset) => ("[(\"", "\")]"),
            Some(RepoKind::Space) => ("{{\"", "\"}}"),
            None => (">\"", "\"]"),
        };
        let _ = writeln!(s, "    {}{open}{label}{close}", n.key);
    }
    for (i, e) in view.edges.iter().enumerate() {
        let arrow = if e.suggested {
            "-.->"
        } else if e.relation == crate::relation::Relation::Merge {
            "==>"
        } else {
            "-->"
        };
        let label = if e.suggested {
            format!("suggested: {}", e.relation)
        } else {
            e.relation.to_string()
        };
        let _ = writeln!(s, "    {} {arrow}|{label}| {}", e.from, e.to);
        let _ = i;
    }
    for (i, e) in view.edges.iter().enumerate() {
        let (color, _, _) = edge_style(e.relation);
        let _ = writeln!(s, "    linkStyle {i} stroke:{color},color:{color}");
    }
    // The legend: the license families present, as coloured nodes.
    let present: Vec<Family> = Family::ALL
        .into_iter()
        .filter(|f| {
            view.nodes
                .iter()
                .any(|n| n.family == *f && n.kind.is_some() && n.status == NodeStatus::Ok)
        })
        .collect();
    if !present.is_empty() {
        s.push_str("    subgraph legend [\"Legend: fill = license family; red/orange outline = deny/warn finding; thick = traced repo; dotted arrow = suggested from card text\"]\n");
        for f in &present {
            let _ = writeln!(s, "        legend_{}[\"{}\"]", f.class(), escape(f.label()));
        }
        s.push_str("    end\n");
    }
    for f in Family::ALL {
        let members: Vec<&str> = view
            .nodes
            .iter()
            .filter(|n| n.family == f && n.status == NodeStatus::Ok && n.kind.is_some())
            .map(|n| n.key.as_str())
            .collect();
        if !members.is_empty() {
            let _ = writeln!(
                s,
                "    classDef {} fill:{},stroke:#555555",
                f.class(),
                f.color()
            );
            let _ = writeln!(
                s,
                "    class {},legend_{} {}",
                members.join(","),
                f.class(),
                f.class()
            );
        }
    }
    let grey: Vec<&str> = view
        .nodes
        .iter()
        .filter(|n| !matches!(n.status, NodeStatus::Ok | NodeStatus::Unvisited))
        .map(|n| n.key.as_str())
        .collect();
    if !grey.is_empty() {
        let _ = writeln!(
            s,
            "    classDef unavailable fill:#d0d0d0,color:#666666,stroke-dasharray:4 3"
        );
        let _ = writeln!(s, "    class {} unavailable", grey.join(","));
    }
    for n in &view.nodes {
        let stroke = match n.worst {
            Some(Severity::Deny) => Some(("#d32f2f", 3)),
            Some(Severity::Warn) => Some(("#f57c00", 2)),
            _ => None,
        };
        let width = if n.root { 4 } else { stroke.map_or(1, |x| x.1) };
        if stroke.is_some() || n.root {
            let color = stroke.map_or("#000000", |x| x.0);
            let _ = writeln!(
                s,
                "    style {} stroke:{color},stroke-width:{width}px",
                n.key
            );
        }
    }
    s
}
