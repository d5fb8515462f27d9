//! `audit`'s text report: the traced repos with what they declare and what their lineage
//! concludes, then findings grouped by repo, worst first.

use crate::id::RepoId;
use std::collections::BTreeMap;

use crate::finding::{Finding, Severity};
use crate::render::escape::line;
use crate::report::Analysis;

fn paint(color: bool, code: &str, s: &str) -> String {
    if color {
        format!("\x1b[{code}m{s}\x1b[0m")
    } else {
        s.to_string()
    }
}

/// Findings grouped by repo; the traced repos first with what they declare and what their
/// lineage concludes.
pub fn render_audit_text(a: &Analysis, color: bool) -> String {
    let g = a.graph();
    let mut out = String::new();
    let count = |s: Severity| a.findings().iter().filter(|f| f.severity == s).count();
    out.push_str(&format!(
        "audited {} repo(s), {} nodes in the lineage: {} deny, {} warn, {} info\n\n",
        g.roots().len(),
        g.node_count(),
        count(Severity::Deny),
        count(Severity::Warn),
        count(Severity::Info)
    ));
    for r in g.roots() {
        let Some(n) = g.get(r) else { continue };
        let declared = n
            .record()
            .card
            .meta
            .declared_license()
            .map(|l| line(&l).into_owned())
            .unwrap_or_else(|| "none".into());
        out.push_str(&format!(
            "{}\n  declared license: {declared}\n",
            paint(color, "1", &n.id().node_id())
        ));
        match a.obligations_of(&n) {
            Some(obs) if !obs.is_empty() => {
                out.push_str("  concluded obligations (from its ancestors' licenses):\n");
                for o in obs {
                    out.push_str(&format!("    - {}\n", line(o)));
                }
            }
            _ => out.push_str("  concluded obligations: none beyond its own license\n"),
        }
        out.push('\n');
    }
    let mut by_subject: BTreeMap<String, Vec<&Finding>> = BTreeMap::new();
    for f in a.findings() {
        by_subject
            .entry(f.subject().map(RepoId::node_id).unwrap_or_default())
            .or_default()
            .push(f);
    }
    let mut subjects: Vec<(Severity, String)> = by_subject
        .iter()
        .map(|(s, fs)| {
            (
                fs.iter()
                    .map(|f| f.severity)
                    .max()
                    .unwrap_or(Severity::Info),
                s.clone(),
            )
        })
        .collect();
    subjects.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then_with(|| a.1.to_ascii_lowercase().cmp(&b.1.to_ascii_lowercase()))
    });
    if subjects.is_empty() {
        out.push_str("no findings\n");
    }
    for (_, subject) in subjects {
        let declared = by_subject[&subject]
            .first()
            .and_then(|f| f.subject())
            .and_then(|id| g.get(id))
            .and_then(|n| n.record().card.meta.declared_license())
            .map(|l| line(&l).into_owned())
            .unwrap_or_else(|| "no license".into());
        out.push_str(&format!("{} ({declared})\n", paint(color, "1", &subject)));
        let mut fs = by_subject[&subject].clone();
        fs.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then_with(|| a.code.cmp(&b.code))
        });
        for f in fs {
            let sev = match f.severity {
                Severity::Deny => paint(color, "1;31", "deny"),
                Severity::Warn => paint(color, "33", "warn"),
                Severity::Info => paint(color, "36", "info"),
            };
            out.push_str(&format!("  {sev} [{}] {}\n", f.code, line(&f.message)));
        }
        out.push('\n');
    }
    out
}
