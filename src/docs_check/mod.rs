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
pub mod subject;
pub mod text;

use serde::Serialize;
use thin_vec::ThinVec;

use crate::card::CardMeta;
use crate::finding::{Code, Finding};
use crate::graph::{LineageGraph, NodeIx};
use crate::id::RepoId;
use crate::record::{Link, NodeStatus, RepoRecord};
use crate::relation::Relation;
pub use subject::RepoFacts;
use text::Line;

/// The verdict for one card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
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
    pub evidence: ThinVec<Evidence>,
    /// Items not found.
    pub missing: ThinVec<&'static str>,
    /// What the repo's files show (never part of the verdict: files are evidence of what
    /// exists, not of what the card explains).
    #[serde(skip_serializing_if = "ThinVec::is_empty")]
    pub files: ThinVec<String>,
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

/// Judges a card for one relation, on its own (a draft, or a card whose repo is unknown).
pub fn assess(relation: Relation, meta: &CardMeta, body: &str) -> DocReport {
    assess_repo(relation, meta, body, RepoFacts::default())
}

/// Text of a line as a statement: repo ids and paths removed (a `…-4bit` parent id says
/// nothing about this repo's precision).
fn statement(l: &Line) -> String {
    text::id_token().replace_all(&l.text, " ").into_owned()
}

/// Judges a card for one relation, knowing the repo's id and files.
///
/// ```
/// use hf_lineage::card::parse_card;
/// use hf_lineage::docs_check::{assess_repo, RepoFacts, Verdict};
/// use hf_lineage::{Relation, RepoId, RepoKind};
/// let card = parse_card("---\nbase_model: org/Foo-7B\n---\nGGUF files made with llama.cpp.\n", RepoKind::Model);
/// let id = RepoId::parse("me/Foo-7B-Q4_K_M-GGUF", RepoKind::Model).unwrap();
/// let facts = RepoFacts { id: Some(&id), files: &[] };
/// let r = assess_repo(Relation::Quantized, &card.meta, &card.body, facts);
/// assert_eq!(r.verdict, Verdict::Documented); // format, precision (from the name), source
/// ```
pub fn assess_repo(
    relation: Relation,
    meta: &CardMeta,
    body: &str,
    facts: RepoFacts<'_>,
) -> DocReport {
    let all_lines = text::clean(body);
    // A body copied from the parent (or a training template in a quantized repo) documents the
    // parent: none of it counts for this repo.
    let borrowed = subject::borrowed_body(facts, meta, &all_lines, relation);
    let lines: &[Line] = if borrowed { &[] } else { &all_lines };
    let mut c = Collector {
        lines,
        found: vec![],
    };
    let (core, all): (Items, Items) = match relation {
        Relation::Quantized => quantized_items(&mut c, meta, body, facts, borrowed),
        Relation::Finetune => finetune_items(&mut c, meta),
        Relation::Adapter => adapter_items(&mut c, meta),
        Relation::Merge => merge_items(&mut c, meta),
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
    let files = match relation {
        Relation::Quantized | Relation::Adapter => subject::file_notes(facts.files),
        _ => vec![],
    };
    // Exactly sized lists of 8 bytes each: a whole-Hub run keeps a report per derivative.
    DocReport {
        relation,
        verdict,
        evidence: c.found.into(),
        missing: missing.into(),
        files: files.into(),
    }
}

/// A quantization states its method (format), its precision and its source model; two of
/// three make it partial.
fn quantized_items(
    c: &mut Collector<'_>,
    meta: &CardMeta,
    body: &str,
    facts: RepoFacts<'_>,
    borrowed: bool,
) -> (Items, Items) {
    let lines = c.lines;
    let tags = meta.tags.join(", ");
    let repo_name = facts.id.map(|i| i.name().to_string()).unwrap_or_default();
    let (name_format, name_precision) = facts.id.map(subject::name_statements).unwrap_or_default();
    // A format named in a statement about this repo's files ("converted to GGUF",
    // "contains 4bit GPTQ model files"), not in usage notes ("regenerate the GGUF file").
    let said = |l: &Line| {
        let t = statement(l);
        prose(l)
            && !l.code
            && !text::usage().is_match(&l.text)
            && ((text::quant_method().is_match(&t) && text::quant_statement().is_match(&t))
                || text::llamacpp_statement().is_match(&t))
    };
    let method_in_body = c.first("method", said);
    let method = method_in_body
        || (text::quant_method().is_match(&tags) && c.meta("method", format!("tags: {tags}")))
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
            ))
        || name_format
            .as_ref()
            .is_some_and(|f| c.meta("method", format!("repo name {repo_name} ({f})")));
    // Precision: a statement or a table of the provided files' types; usage examples
    // ("download the Q4_K_M file") count only beside a statement about the repo.
    let precision = c.first("precision", |l| {
        prose(l)
            && !l.code
            && !text::usage().is_match(&l.text)
            && text::precision().is_match(&statement(l))
    }) || (text::precision().is_match(&tags)
        && c.meta("precision", format!("tags: {tags}")))
        || name_precision
            .as_ref()
            .is_some_and(|p| c.meta("precision", format!("repo name {repo_name} ({p})")))
        || (method_in_body && c.first("precision", |l| text::precision().is_match(&statement(l))));
    let named = lineage::suggest(&self_id(), body);
    let declared: Vec<&crate::id::RepoId> = meta
        .base_models
        .iter()
        .filter(|b| !borrowed || subject::source_matches_name(facts, b))
        .collect();
    let source = (!declared.is_empty()
        && c.meta("source model", format!("base_model: {}", ids(meta))))
        || (!borrowed
            && named
                .first()
                .is_some_and(|s| c.meta("source model", s.quote.clone())))
        || (method_in_body
            && subject::title_names_source(facts, lines)
                .is_some_and(|t| c.meta("source model", format!("title: {t}"))));
    let items = vec![
        ("method", method),
        ("precision", precision),
        ("source model", source),
    ];
    // Documented: all three; partial: two; undocumented: one or none.
    let core = if items.iter().filter(|(_, ok)| *ok).count() >= 2 {
        items.clone()
    } else {
        vec![("method or precision", false)]
    };
    (core, items)
}

/// A fine-tune states its data and its procedure.
fn finetune_items(c: &mut Collector<'_>, meta: &CardMeta) -> (Items, Items) {
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
            prose(l)
                && text::finetune_data().is_match(&l.text)
                && !text::opaque_data().is_match(&l.text)
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

/// An adapter states what it was trained on or for (and, besides, its adapter's detail).
fn adapter_items(c: &mut Collector<'_>, meta: &CardMeta) -> (Items, Items) {
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
                && ((text::finetune_data().is_match(&l.text)
                    && !text::opaque_data().is_match(&l.text))
                    || text::purpose().is_match(&l.text))
        })
        || c.section("trained on", text::data_heading());
    (
        vec![("trained on / for", data)],
        vec![("adapter detail", detail), ("trained on / for", data)],
    )
}

/// A merge states its method and the models it merges.
fn merge_items(c: &mut Collector<'_>, meta: &CardMeta) -> (Items, Items) {
    let method = c.first("merge method", |l| {
        text::merge_method().is_match(&l.text)
            || (text::merge_word().is_match(&l.text)
                && (text::merge_line_method().is_match(&l.text)
                    || text::merge_tool().is_match(&l.text)))
    });
    let models = (meta.base_models.len() >= 2
        && c.meta("merged models", format!("base_model: {}", ids(meta))))
        || c.first("merged models", |l| {
            l.code && text::yaml_model().is_match(&l.text)
        })
        || c.first("merged models", |l| {
            !l.code
                && (text::merge_between().is_match(&l.text)
                    || (text::merge_word().is_match(&l.text)
                        && text::merge_weights().is_match(&l.text)))
        })
        || merged_models_listed(c);
    (
        vec![("merge method", method), ("merged models", models)],
        vec![("merge method", method), ("merged models", models)],
    )
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

/// The finding a report gives, if any: `undocumented-change` (warn) or
/// `partially-documented-change` (info), naming what was found, what is missing and what the
/// repo's files show. The finding is about `subject` (none for a card read on its own) and
/// names it as `node` in its message.
pub fn finding_for(subject: Option<&RepoId>, node: &str, r: &DocReport) -> Option<Finding> {
    let rel = r.relation;
    let found = if r.evidence.is_empty() {
        "nothing".to_string()
    } else {
        r.evidence
            .iter()
            .map(|e| format!("{}: \"{}\"", e.item, e.quote))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let files = if r.files.is_empty() {
        String::new()
    } else {
        format!(
            ". Its files show {} (what exists, not what the card explains)",
            r.files.join("; ")
        )
    };
    match r.verdict {
        Verdict::Documented => None,
        Verdict::Undocumented => Some(Finding::of(Code::UndocumentedChange,
            subject.cloned().into_iter().collect(),
            format!("{node} is a {rel} derivative whose card does not say what changed: missing {}. Found {found}{files}", r.missing.join(", ")),
        )),
        Verdict::Partial => Some(Finding::of(Code::PartiallyDocumentedChange,
            subject.cloned().into_iter().collect(),
            format!("{node} ({rel}) documents its change partially: missing {}. Found {found}{files}", r.missing.join(", ")),
        )),
    }
}

/// The documentation report of a record whose derivation parents come from its own links
/// (`links`, as [`RepoRecord::links`] gives them): what [`check_docs`] would conclude for it in
/// any graph where those links are its parents. `None` when it is no readable derivative model.
/// Lets a whole-snapshot build judge each card as it is read and then let its text go.
pub fn judge_record(rec: &RepoRecord, links: &[Link]) -> Option<DocReport> {
    if rec.status != NodeStatus::Ok || rec.id.kind() != crate::id::RepoKind::Model {
        return None;
    }
    let own = links.iter().filter(|l| l.downstream == rec.id);
    let rel = node_relation(own.map(|l| l.relation))?;
    Some(assess_record(rec, rel))
}

fn assess_record(rec: &RepoRecord, rel: Relation) -> DocReport {
    let facts = RepoFacts {
        id: Some(&rec.id),
        files: &rec.siblings,
    };
    assess_repo(rel, &rec.card.meta, &rec.card.body, facts)
}

/// Judges every readable derivative in the graph; returns findings and per-node reports.
/// A node that already has a report in `prior` (judged when its record was read, its card text
/// then let go: see [`judge_record`]) keeps it, moved, not copied, and is not judged again.
pub fn check_docs(g: &LineageGraph, prior: DocReports) -> (Vec<Finding>, Vec<(NodeIx, DocReport)>) {
    use rayon::prelude::*;
    let earlier = |ix: NodeIx| {
        let at = ix.index() as u32;
        prior
            .binary_search_by_key(&at, |(i, _)| *i)
            .ok()
            .map(|i| &prior[i].1)
    };
    // Each card is judged on its own: on every core, gathered back in node order.
    let found: Vec<(NodeIx, Option<Finding>, Option<DocReport>)> = g
        .nodes()
        .par_iter()
        .filter_map(|n| {
            if n.status() != NodeStatus::Ok || n.id().kind() != crate::id::RepoKind::Model {
                return None;
            }
            let rel = node_relation(n.parents().iter().map(|(_, e)| e.relation))?;
            let node = n.id().node_id();
            if let Some(r) = earlier(n.ix()) {
                return Some((n.ix(), finding_for(Some(n.id()), &node, r), None));
            }
            let r = assess_record(n.record(), rel);
            Some((n.ix(), finding_for(Some(n.id()), &node, &r), Some(r)))
        })
        .collect();
    let mut findings = Vec::new();
    let mut kept = vec![false; prior.len()];
    let mut reports = Vec::with_capacity(found.len());
    for (ix, f, r) in found {
        findings.extend(f);
        match r {
            Some(r) => reports.push((ix, r)),
            None => {
                let at = ix.index() as u32;
                if let Ok(i) = prior.binary_search_by_key(&at, |(i, _)| *i) {
                    kept[i] = true;
                }
            }
        }
    }
    reports.extend(
        prior
            .into_iter()
            .zip(kept)
            .filter(|(_, k)| *k)
            .map(|((ix, r), _)| (NodeIx::new(ix as usize), r)),
    );
    (findings, reports)
}

/// The documentation check, in the shape every check has; it keeps the reports it concludes.
#[derive(Debug, Clone, Default)]
pub struct Documentation {
    prior: DocReports,
    /// Per node judged: what its card says changed.
    pub reports: Vec<(NodeIx, DocReport)>,
}

impl Documentation {
    /// The check, keeping these reports (judged as the records were read) instead of judging
    /// those nodes again.
    pub fn keeping(prior: DocReports) -> Documentation {
        Documentation {
            prior,
            reports: Vec::new(),
        }
    }
}

impl crate::check::Check for Documentation {
    fn name(&self) -> &'static str {
        "documentation"
    }

    fn run(&mut self, cx: &crate::check::CheckContext<'_>, sink: &mut crate::check::Sink<'_>) {
        let (findings, reports) = check_docs(cx.graph, std::mem::take(&mut self.prior));
        sink.extend(findings);
        self.reports = reports;
    }
}

/// Documentation reports by node position, sorted by position.
pub type DocReports = Vec<(u32, DocReport)>;

#[cfg(test)]
mod tests;
