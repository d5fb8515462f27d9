//! "What changed?": does a derivative's card say what changed relative to its parent?
//!
//! For each derivative node, [`assess`] collects evidence from the card (metadata and cleaned
//! body), per relation, following the rubric of the issue:
//! - quantized: the format or method, the precision, the source model;
//! - finetune: the training data and the procedure;
//! - adapter: the adapter detail (rank, alpha, target modules) and what it was trained on or for;
//! - merge: the merge method and the merged models.
//!
//! What the relation itself implies says nothing: every adapter is "a LoRA/PEFT adapter", every
//! GGUF repo is "GGUF". The verdict is `documented` (all core items), `undocumented` (the core
//! evidence is missing entirely) or `partial`; each evidence item quotes its line so a person can
//! check the call. [`lineage`] recovers parents that cards name only in their text.

pub mod lineage;
pub mod text;

use serde::Serialize;

use crate::card::CardMeta;
use crate::finding::{Finding, Severity};
use crate::graph::LineageGraph;
use crate::record::NodeStatus;
use crate::relation::Relation;
use text::Line;

/// Finding code.
pub const UNDOCUMENTED: &str = "undocumented-change";

/// The verdict for one card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Every core item is there.
    Documented,
    /// Some is there.
    Partial,
    /// Nothing that says what changed.
    Undocumented,
}

/// One piece of evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// What it shows (`method`, `precision`, `source`, `data`, `procedure`, `merged models`…).
    pub item: &'static str,
    /// The line (or metadata field) it came from.
    pub quote: String,
}

/// What the card says, for one relation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocReport {
    /// The relation judged.
    pub relation: Relation,
    /// The verdict.
    pub verdict: Verdict,
    /// Evidence found.
    pub evidence: Vec<Evidence>,
    /// Items not found.
    pub missing: Vec<&'static str>,
}

struct Collector<'a> {
    lines: &'a [Line],
    found: Vec<Evidence>,
}

impl Collector<'_> {
    fn first(&mut self, item: &'static str, f: impl Fn(&Line) -> bool) -> bool {
        match self.lines.iter().find(|l| f(l)) {
            Some(l) => {
                self.found.push(Evidence {
                    item,
                    quote: text::quote(&l.text),
                });
                true
            }
            None => false,
        }
    }

    fn meta(&mut self, item: &'static str, quote: String) -> bool {
        self.found.push(Evidence { item, quote });
        true
    }

    /// A heading matching `heading` followed by a content line before the next heading.
    fn section(&mut self, item: &'static str, heading: &regex::Regex) -> bool {
        for (i, l) in self.lines.iter().enumerate() {
            if l.heading && heading.is_match(&l.text) {
                if let Some(next) = self.lines[i + 1..]
                    .iter()
                    .take_while(|x| !x.heading)
                    .find(|x| x.text.len() > 12)
                {
                    self.found.push(Evidence {
                        item,
                        quote: text::quote(&format!("{} — {}", l.text, next.text)),
                    });
                    return true;
                }
            }
        }
        false
    }
}

fn prose(l: &Line) -> bool {
    !l.heading
}

/// Evidence items and whether each was found.
type Items = Vec<(&'static str, bool)>;

/// Judges a card for one relation.
pub fn assess(relation: Relation, meta: &CardMeta, body: &str) -> DocReport {
    let lines = text::clean(body);
    let mut c = Collector {
        lines: &lines,
        found: vec![],
    };
    let tags = meta.tags.join(", ");
    let (core, all): (Items, Items) = match relation {
        Relation::Quantized => {
            // A format named in a statement about this repo's files ("converted to GGUF",
            // "contains 4bit GPTQ model files"), not in usage notes ("regenerate the GGUF file").
            let method = c.first("method", |l| {
                prose(l)
                    && !l.code
                    && ((text::quant_method().is_match(&l.text)
                        && text::quant_statement().is_match(&l.text))
                        || text::llamacpp_statement().is_match(&l.text))
            }) || (text::quant_method().is_match(&tags)
                && c.meta("method", format!("tags: {tags}")))
                || (meta
                    .library_name
                    .as_deref()
                    .is_some_and(|l| text::quant_method().is_match(l))
                    && c.meta(
                        "method",
                        format!(
                            "library_name: {}",
                            meta.library_name.clone().unwrap_or_default()
                        ),
                    ));
            let precision = c.first("precision", |l| {
                prose(l) && text::precision().is_match(&l.text)
            }) || (text::precision().is_match(&tags)
                && c.meta("precision", format!("tags: {tags}")));
            let named = lineage::suggest(&self_id(), body);
            let source = (!meta.base_models.is_empty()
                && c.meta("source model", format!("base_model: {}", ids(meta))))
                || named
                    .first()
                    .is_some_and(|s| c.meta("source model", s.quote.clone()));
            (
                vec![("method", method), ("precision", precision)],
                vec![
                    ("method", method),
                    ("precision", precision),
                    ("source model", source),
                ],
            )
        }
        Relation::Finetune => {
            let data = (!meta.datasets.is_empty()
                && c.meta(
                    "data",
                    format!(
                        "datasets: {}",
                        meta.datasets
                            .iter()
                            .map(|d| d.name().to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ))
                || c.first("data", |l| {
                    prose(l) && text::finetune_data().is_match(&l.text)
                })
                || c.section("data", text::data_heading());
            let procedure = c.first("procedure", |l| {
                prose(l) && !l.code && text::procedure().is_match(&l.text)
            }) || c.section("procedure", text::procedure_heading());
            (
                vec![("data", data), ("procedure", procedure)],
                vec![("data", data), ("procedure", procedure)],
            )
        }
        Relation::Adapter => {
            let detail = c.first("adapter detail", |l| {
                prose(l) && text::adapter_detail().is_match(&l.text)
            });
            let data = (!meta.datasets.is_empty()
                && c.meta(
                    "trained on",
                    format!("datasets: {}", ids_of(&meta.datasets)),
                ))
                || c.first("trained on", |l| {
                    prose(l)
                        && (text::finetune_data().is_match(&l.text)
                            || text::purpose().is_match(&l.text))
                })
                || c.section("trained on", text::data_heading());
            (
                vec![("trained on / for", data)],
                vec![("adapter detail", detail), ("trained on / for", data)],
            )
        }
        Relation::Merge => {
            let method = c.first("merge method", |l| text::merge_method().is_match(&l.text));
            let models = (meta.base_models.len() >= 2
                && c.meta("merged models", format!("base_model: {}", ids(meta))))
                || c.first("merged models", |l| {
                    l.code && text::yaml_model().is_match(&l.text)
                })
                || merged_models_listed(&mut c);
            (
                vec![("merge method", method), ("merged models", models)],
                vec![("merge method", method), ("merged models", models)],
            )
        }
        _ => (vec![], vec![]),
    };
    let missing: Vec<&'static str> = all.iter().filter(|(_, ok)| !ok).map(|(n, _)| *n).collect();
    let verdict = if missing.is_empty() {
        Verdict::Documented
    } else if core.iter().all(|(_, ok)| !ok) {
        Verdict::Undocumented
    } else {
        Verdict::Partial
    };
    DocReport {
        relation,
        verdict,
        evidence: c.found,
        missing,
    }
}

fn self_id() -> crate::id::RepoId {
    match crate::id::RepoId::parse("self/self", crate::id::RepoKind::Model) {
        Ok(id) => id,
        Err(_) => unreachable!("a static, valid id"),
    }
}

fn merged_models_listed(c: &mut Collector<'_>) -> bool {
    for (i, l) in c.lines.iter().enumerate() {
        if !text::models_context().is_match(&l.text) {
            continue;
        }
        let items: Vec<&Line> = c.lines[i + 1..]
            .iter()
            .take(12)
            .filter(|x| {
                (x.text.starts_with('-') || x.text.starts_with('*'))
                    && text::repo_like().is_match(&x.text)
            })
            .collect();
        if !items.is_empty() {
            let q = format!(
                "{} — {}",
                l.text,
                items
                    .iter()
                    .map(|x| x.text.trim_start_matches(['-', '*', ' ']))
                    .collect::<Vec<_>>()
                    .join("; ")
            );
            c.found.push(Evidence {
                item: "merged models",
                quote: text::quote(&q),
            });
            return true;
        }
    }
    false
}

fn ids(meta: &CardMeta) -> String {
    ids_of(&meta.base_models)
}

fn ids_of(v: &[crate::id::RepoId]) -> String {
    v.iter()
        .map(|b| b.name().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The relation a node is judged under: of its derivation parent edges, the most specific.
pub fn node_relation(rels: impl IntoIterator<Item = Relation>) -> Option<Relation> {
    let mut best = None;
    for r in rels {
        let rank = |r: Relation| match r {
            Relation::Merge => 4,
            Relation::Quantized => 3,
            Relation::Adapter => 2,
            Relation::Finetune => 1,
            _ => 0,
        };
        if rank(r) > 0 && best.is_none_or(|b| rank(r) > rank(b)) {
            best = Some(r);
        }
    }
    best
}

/// Judges every readable derivative in the graph; returns findings and per-node reports.
pub fn check_docs(g: &LineageGraph) -> (Vec<Finding>, Vec<(String, DocReport)>) {
    let mut findings = Vec::new();
    let mut reports = Vec::new();
    for n in g.nodes() {
        if n.status() != NodeStatus::Ok || n.id().kind() != crate::id::RepoKind::Model {
            continue;
        }
        let Some(rel) = node_relation(n.parents().iter().map(|(_, e)| e.relation)) else {
            continue;
        };
        let rec = n.record();
        let r = assess(rel, &rec.card.meta, &rec.card.body);
        let node = n.id().node_id();
        let found = if r.evidence.is_empty() {
            "nothing".to_string()
        } else {
            r.evidence
                .iter()
                .map(|e| format!("{}: \"{}\"", e.item, e.quote))
                .collect::<Vec<_>>()
                .join("; ")
        };
        match r.verdict {
            Verdict::Documented => {}
            Verdict::Undocumented => findings.push(Finding::new(
                UNDOCUMENTED,
                Severity::Warn,
                vec![node.clone()],
                format!("{node} is a {rel} derivative whose card does not say what changed: missing {}. Found {found}", r.missing.join(", ")),
            )),
            Verdict::Partial => findings.push(Finding::new(
                UNDOCUMENTED,
                Severity::Info,
                vec![node.clone()],
                format!("{node} ({rel}) documents its change partially: missing {}. Found {found}", r.missing.join(", ")),
            )),
        }
        reports.push((node, r));
    }
    (findings, reports)
}

#[cfg(test)]
mod tests;
