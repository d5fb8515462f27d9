//! A [`Diff`] printed: text for a person, JSON for a job (`hf-lineage/diff@1`), SARIF of the
//! new findings for code scanning. Every string from a card or a server is escaped.

use serde::Serialize;

use super::escape;
use crate::diff::Diff;

/// The JSON document: the diff's lists under the keys the README documents.
#[derive(Serialize)]
struct Document<'a> {
    schema: &'static str,
    old: &'a str,
    new: &'a str,
    #[serde(flatten)]
    diff: &'a Diff,
}

/// `--format json`: `schema`, `old`, `new`, `added`, `removed`, `changed` (`{id, changes:
/// {field: [old, new]}}`), `edges_added`, `edges_removed`, `findings_new`,
/// `findings_resolved` (finding objects as `audit` writes them).
pub fn render_diff_json(d: &Diff, old: &str, new: &str) -> String {
    let doc = Document {
        schema: "hf-lineage/diff@1",
        old,
        new,
        diff: d,
    };
    escape::json(
        serde_json::to_string_pretty(&doc).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}")),
    )
}

/// `--format sarif`: the new findings (those of the change itself included).
pub fn render_diff_sarif(d: &Diff, endpoint: &str) -> String {
    super::sarif::render_sarif(&d.findings_new, endpoint)
}

/// The text report: counts, then each list.
pub fn render_diff_text(d: &Diff, old: &str, new: &str) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let e = |s: &str| escape::line(s).into_owned();
    let _ = writeln!(out, "{} → {}", e(old), e(new));
    if d.is_empty() {
        out.push_str("nothing changed\n");
        return out;
    }
    let list = |out: &mut String, title: &str, items: &[String]| {
        if items.is_empty() {
            return;
        }
        let _ = writeln!(out, "\n{title} ({}):", items.len());
        for i in items {
            let _ = writeln!(out, "  {}", e(i));
        }
    };
    list(&mut out, "added", &d.added);
    list(&mut out, "removed", &d.removed);
    if !d.changed.is_empty() {
        let _ = writeln!(out, "\nchanged ({}):", d.changed.len());
        for c in &d.changed {
            let fields: Vec<String> = c
                .changes
                .iter()
                .map(|(k, [b, a])| format!("{k} {} → {}", e(&b.to_string()), e(&a.to_string())))
                .collect();
            let _ = writeln!(out, "  {}: {}", e(&c.id), fields.join("; "));
        }
    }
    let edges = |out: &mut String, title: &str, v: &[crate::diff::Edge]| {
        if v.is_empty() {
            return;
        }
        let _ = writeln!(out, "\n{title} ({}):", v.len());
        for x in v {
            let _ = writeln!(
                out,
                "  {} ─{}→ {}",
                e(&x.upstream),
                x.relation,
                e(&x.downstream)
            );
        }
    };
    edges(&mut out, "edges added", &d.edges_added);
    edges(&mut out, "edges removed", &d.edges_removed);
    let findings = |out: &mut String, title: &str, v: &[crate::finding::Finding]| {
        if v.is_empty() {
            return;
        }
        let _ = writeln!(out, "\n{title} ({}):", v.len());
        for f in v {
            let _ = writeln!(
                out,
                "  {:4} [{}] {}",
                f.severity.as_str(),
                f.code.as_str(),
                e(&f.message)
            );
        }
    };
    findings(&mut out, "findings new", &d.findings_new);
    findings(&mut out, "findings resolved", &d.findings_resolved);
    out
}
