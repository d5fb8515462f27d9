//! "What changed?": does a derivative's card say what changed relative to its parent?
//!
//! The code follows the rubric (`../shared/reference/what-changed.md`): one extractor per
//! item ([`items`]: data, procedure, method, purpose or data, merge method, merged models,
//! format, precision, source), each reading the card's metadata, cleaned prose, headings,
//! tables and the repo's own name, in any language the vocabularies ([`vocab`], data in
//! `vocab.toml`) cover; the verdict is a pure function of which items were found for the
//! relation ([`verdict`]). The lines an auto-generated template writes when left at its
//! defaults (PEFT, transformers Trainer, Keras, Unsloth, AutoTrain, mergekit) are dropped first.
//!
//! | relation | items | documented | partial |
//! |---|---|---|---|
//! | finetune | data, procedure | both | one |
//! | adapter | method, purpose or data | both | one |
//! | merge | merge method, merged models | both | one |
//! | quantized / converted | format, precision, source | all three | two |
//!
//! A relation that is only the Hub's default (`finetune`, nothing declared) is judged as a
//! quantization when the card or name states a conversion. Each evidence item quotes its line
//! so a person can check the call. [`lineage`] recovers parents that cards name only in their
//! text.

/// A static regex behind a function of that name, compiled on first use (`vis` optional).
macro_rules! pattern {
    ($vis:vis $name:ident, $re:expr) => {
        $vis fn $name() -> &'static regex::Regex {
            static CELL: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
            $crate::docs_check::text::re(&CELL, $re)
        }
    };
}

pub mod items;
pub mod lineage;
pub mod subject;
pub mod text;
pub mod vocab;

use serde::Serialize;
use thin_vec::ThinVec;

use crate::card::CardMeta;
use crate::finding::{Code, Finding};
use crate::graph::{LineageGraph, NodeIx};
use crate::id::RepoId;
use crate::record::{Link, NodeStatus, RepoRecord};
use crate::relation::{Relation, RelationSource};
use items::Card;
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

/// Judges a card for one relation, on its own (a draft, or a card whose repo is unknown).
pub fn assess(relation: Relation, meta: &CardMeta, body: &str) -> DocReport {
    assess_repo(relation, meta, body, RepoFacts::default())
}

/// Drops the placeholders of every template the card was made from.
fn without_placeholders(meta: &CardMeta, body: &str, lines: &mut Vec<Line>) {
    if lines.is_empty() {
        return;
    }
    let mut probe: String = meta.tags.iter().map(|t| format!("tag: {t}\n")).collect();
    if let Some(lib) = &meta.library_name {
        probe.push_str(&format!("library_name: {lib}\n"));
    }
    let made_from: Vec<&vocab::Template> = vocab::templates()
        .iter()
        .filter(|t| t.matches(&probe) || t.matches(body))
        .collect();
    if !made_from.is_empty() {
        lines.retain(|l| !made_from.iter().any(|t| t.is_placeholder(&l.text)));
    }
}

/// The verdict for what was found, one flag per item of the relation, as the rubric has it:
/// a quantization or conversion is documented with all three items, partial with two; any
/// other derivative documented with both, partial with one; else undocumented.
pub fn verdict(relation: Relation, found: &[bool]) -> Verdict {
    let n = found.iter().filter(|f| **f).count();
    let partial_from = if relation == Relation::Quantized {
        2
    } else {
        1
    };
    if n == found.len() && n > 0 {
        Verdict::Documented
    } else if n >= partial_from {
        Verdict::Partial
    } else {
        Verdict::Undocumented
    }
}

/// Every item of a relation, with the evidence found for it.
fn items(relation: Relation, c: &Card<'_>) -> Vec<(&'static str, Option<Evidence>)> {
    match relation {
        Relation::Quantized => {
            let said = items::format_in_body(c).is_some();
            vec![
                ("format", items::format(c)),
                ("precision", items::precision(c, said)),
                ("source", items::source(c, said)),
            ]
        }
        Relation::Finetune => vec![("data", items::data(c)), ("procedure", items::procedure(c))],
        Relation::Adapter => vec![
            ("method", items::method(c)),
            ("purpose or data", items::purpose_or_data(c)),
        ],
        Relation::Merge => vec![
            ("merge method", items::merge_method(c)),
            ("merged models", items::merged_models(c)),
        ],
        _ => vec![],
    }
}

/// Judges a card for one relation, knowing the repo's id and files.
///
/// When the relation is only the Hub's default (`facts.default_relation`: `finetune` with no
/// declared relation and nothing in the files) and the card or the repo name states a
/// conversion, the card is judged as a quantization; the report's first evidence says so
/// (item `relation`).
///
/// ```
/// use hf_lineage::card::parse_card;
/// use hf_lineage::docs_check::{assess_repo, RepoFacts, Verdict};
/// use hf_lineage::{Relation, RepoId, RepoKind};
/// let card = parse_card("---\nbase_model: org/Foo-7B\n---\nGGUF files made with llama.cpp.\n", RepoKind::Model);
/// let id = RepoId::parse("me/Foo-7B-Q4_K_M-GGUF", RepoKind::Model).unwrap();
/// let facts = RepoFacts { id: Some(&id), files: &[], default_relation: false };
/// let r = assess_repo(Relation::Quantized, &card.meta, &card.body, facts);
/// assert_eq!(r.verdict, Verdict::Documented); // format, precision (from the name), source
/// ```
pub fn assess_repo(
    relation: Relation,
    meta: &CardMeta,
    body: &str,
    facts: RepoFacts<'_>,
) -> DocReport {
    let mut lines = text::clean(body);
    // A default relation is what the Hub calls a repo it knows nothing about: a conversion
    // the card or name states is judged as one.
    let mut evidence: Vec<Evidence> = Vec::new();
    let relation = match (relation, facts.default_relation) {
        (Relation::Finetune, true) => match items::conversion(&Card {
            lines: &lines,
            meta,
            facts,
            borrowed: false,
        }) {
            Some(why) => {
                evidence.push(Evidence {
                    item: "relation",
                    quote: format!("judged as quantized, not the Hub's default finetune: {why}"),
                });
                Relation::Quantized
            }
            None => relation,
        },
        _ => relation,
    };
    // A body copied from the parent (or a training template in a quantized repo) documents the
    // parent: none of it counts for this repo — unless, in a quantization, it states its own
    // format, whatever its title.
    let borrowed = subject::borrowed_body(facts, meta, &lines, relation)
        && !(relation == Relation::Quantized && lines.iter().any(items::states_format));
    if borrowed {
        lines.clear();
    }
    without_placeholders(meta, body, &mut lines);
    let lines: &[Line] = &lines;
    let found = items(
        relation,
        &Card {
            lines,
            meta,
            facts,
            borrowed,
        },
    );
    let flags: Vec<bool> = found.iter().map(|(_, e)| e.is_some()).collect();
    let missing: Vec<&'static str> = found
        .iter()
        .filter(|(_, e)| e.is_none())
        .map(|(n, _)| *n)
        .collect();
    evidence.extend(found.into_iter().filter_map(|(_, e)| e));
    let files = match relation {
        Relation::Quantized | Relation::Adapter => subject::file_notes(facts.files),
        _ => vec![],
    };
    // Exactly sized lists of 8 bytes each: a whole-Hub run keeps a report per derivative.
    DocReport {
        relation,
        verdict: verdict(relation, &flags),
        evidence: evidence.into(),
        missing: missing.into(),
        files: files.into(),
    }
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
    // Which relation it was judged by, when that was not the Hub's: said first.
    let why = r
        .evidence
        .iter()
        .find(|e| e.item == "relation")
        .map(|e| format!(" ({})", e.quote))
        .unwrap_or_default();
    let items: Vec<String> = r
        .evidence
        .iter()
        .filter(|e| e.item != "relation")
        .map(|e| format!("{}: \"{}\"", e.item, e.quote))
        .collect();
    let found = if items.is_empty() {
        "nothing".to_string()
    } else {
        items.join("; ")
    };
    let files = if r.files.is_empty() {
        String::new()
    } else {
        format!(
            ". Its files show {} (what exists, not what the card explains)",
            r.files.join("; ")
        )
    };
    let missing = r.missing.join(", ");
    match r.verdict {
        Verdict::Documented => None,
        Verdict::Undocumented => Some(Finding::of(Code::UndocumentedChange,
            subject.cloned().into_iter().collect(),
            format!("{node} is a {rel} derivative{why} whose card does not say what changed: missing {missing}. Found {found}{files}"),
        )),
        Verdict::Partial => Some(Finding::of(Code::PartiallyDocumentedChange,
            subject.cloned().into_iter().collect(),
            format!("{node} ({rel}){why} documents its change partially: missing {missing}. Found {found}{files}"),
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
    let own: Vec<&Link> = links.iter().filter(|l| l.downstream == rec.id).collect();
    let rel = node_relation(own.iter().map(|l| l.relation))?;
    let sources = own
        .iter()
        .filter(|l| l.relation.is_derivation())
        .map(|l| l.source);
    Some(assess_record(rec, rel, sources))
}

/// Whether a record's relation `rel` is only the Hub's default: `finetune`, decided by the
/// Hub's tags or by inference, with no relation declared in the card and none from its files.
pub fn is_default_relation(
    rec: &RepoRecord,
    rel: Relation,
    sources: impl IntoIterator<Item = RelationSource>,
) -> bool {
    rel == Relation::Finetune
        && rec.card.meta.base_model_relation.is_none()
        && rec.file_relation().is_none()
        && sources.into_iter().all(|s| {
            matches!(
                s,
                RelationSource::Hub | RelationSource::Inferred | RelationSource::CardText
            )
        })
}

fn assess_record(
    rec: &RepoRecord,
    rel: Relation,
    sources: impl IntoIterator<Item = RelationSource>,
) -> DocReport {
    let facts = RepoFacts {
        id: Some(&rec.id),
        files: &rec.siblings,
        default_relation: is_default_relation(rec, rel, sources),
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
            let r = assess_record(
                n.record(),
                rel,
                n.parents()
                    .iter()
                    .filter(|(_, e)| e.relation.is_derivation())
                    .map(|(_, e)| e.source),
            );
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
