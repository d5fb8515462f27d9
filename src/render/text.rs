//! The text tree, in the manner of `cargo tree`.
//!
//! Each root prints its upstream tree (parents, their parents…) and/or its downstream tree.
//! A line shows the relation that links it to the line above, the repo, its declared license,
//! its status when not `ok`, and the codes of its findings. A repo seen earlier in the same
//! tree prints once more with `(*)` and is not expanded again, which also stops cycles.

use crate::id::RepoId;
use std::collections::HashSet;
use std::fmt::Write;

use crate::graph::Direction;
use crate::graph::{EdgeData, RepoRef, Way};
use crate::record::NodeStatus;
use crate::render::escape::line;
use crate::report::Analysis;

/// Options for the text tree.
#[derive(Debug, Clone, Copy)]
pub struct TextOptions {
    /// Which trees to print.
    pub direction: Direction,
    /// ANSI colour.
    pub color: bool,
}

/// What every line is drawn with: the colours, and the analysis the flags come from.
struct Painter<'a> {
    color: bool,
    analysis: &'a Analysis,
}

impl Painter<'_> {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
}

/// Renders the trees and then the findings.
pub fn render_text(a: &Analysis, opts: TextOptions) -> String {
    let g = a.graph();
    let p = Painter {
        color: opts.color,
        analysis: a,
    };
    let mut out = String::new();
    for root in g.roots() {
        let Some(node) = g.get(root) else { continue };
        let _ = writeln!(out, "{}", node_line(&node, None, &p));
        if matches!(opts.direction, Direction::Up | Direction::Both) {
            let mut seen = HashSet::from([node.id().node_id()]);
            let parents = node.parents();
            if opts.direction == Direction::Both && !parents.is_empty() {
                let _ = writeln!(out, "{}", p.paint("2", "[upstream]"));
            }
            tree(&mut out, &parents, "", Way::Up, &mut seen, &p);
        }
        if matches!(opts.direction, Direction::Down | Direction::Both) {
            let mut seen = HashSet::from([node.id().node_id()]);
            let children = node.children();
            if opts.direction == Direction::Both && !children.is_empty() {
                let _ = writeln!(out, "{}", p.paint("2", "[downstream]"));
            }
            tree(&mut out, &children, "", Way::Down, &mut seen, &p);
        }
        out.push('\n');
    }
    let findings = a.findings();
    if findings.is_empty() {
        let _ = writeln!(out, "no findings");
    } else {
        let _ = writeln!(out, "findings ({}):", findings.len());
        for f in findings {
            let sev = match f.severity {
                crate::finding::Severity::Deny => p.paint("1;31", "deny"),
                crate::finding::Severity::Warn => p.paint("33", "warn"),
                crate::finding::Severity::Info => p.paint("36", "info"),
            };
            let subject = f.subject().map_or_else(|| "-".to_string(), RepoId::node_id);
            let _ = writeln!(out, "  {sev} [{}] {subject}: {}", f.code, line(&f.message));
        }
    }
    out
}

fn tree(
    out: &mut String,
    items: &[(RepoRef<'_>, EdgeData)],
    prefix: &str,
    way: Way,
    seen: &mut HashSet<String>,
    p: &Painter,
) {
    for (i, (node, edge)) in items.iter().enumerate() {
        let last = i + 1 == items.len();
        let branch = if last { "└── " } else { "├── " };
        let again = !seen.insert(node.id().node_id());
        let mut line = node_line(node, Some(edge), p);
        if again {
            line.push_str(" (*)");
        }
        let _ = writeln!(out, "{prefix}{branch}{line}");
        if again {
            continue;
        }
        let next = match way {
            Way::Up => node.parents(),
            Way::Down => node.children(),
        };
        let child_prefix = format!("{prefix}{}", if last { "    " } else { "│   " });
        tree(out, &next, &child_prefix, way, seen, p);
    }
}

fn node_line(node: &RepoRef<'_>, edge: Option<&EdgeData>, p: &Painter) -> String {
    let rec = node.record();
    let mut s = String::new();
    if let Some(e) = edge {
        let rel = if e.is_suggested() {
            format!("{}?", e.relation.as_str())
        } else {
            e.relation.as_str().to_string()
        };
        s.push_str(&p.paint("35", &rel));
        s.push(' ');
    }
    let name = node.id().node_id();
    s.push_str(&if node.is_root() {
        p.paint("1", &name)
    } else {
        name
    });
    match rec.card.meta.declared_license() {
        Some(l) if l == "other" => {
            let detail = rec.card.meta.license_name().unwrap_or("unnamed");
            s.push_str(&format!(" (other: {})", line(detail)));
        }
        Some(l) => s.push_str(&format!(" ({})", line(&l))),
        None if rec.status == NodeStatus::Ok => s.push_str(" (no license)"),
        None => {}
    }
    if rec.status != NodeStatus::Ok {
        s.push(' ');
        s.push_str(&p.paint("2", &format!("[{}]", rec.status.as_str())));
    }
    if let Some(g) = rec.gated() {
        s.push_str(&p.paint("2", &format!(" [gated: {}]", line(g))));
    }
    if let Some(e) = edge {
        if e.is_suggested() {
            s.push_str(&p.paint("2", " [suggested from card text]"));
        }
    }
    let flags = p.analysis.flags(node);
    if !flags.is_empty() {
        s.push(' ');
        s.push_str(&p.paint("33", &format!("⚑ {}", flags.join(", "))));
    }
    s
}
