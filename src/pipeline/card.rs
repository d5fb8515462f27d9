//! One card on its own (`hf-lineage card`, a publisher's draft): its metadata as the tool reads
//! it, and what its text says changed, judged as the derivative it declares (or is said to be).

use serde::Serialize;

use crate::docs_check::{assess_repo, finding_for, DocReport, RepoFacts, Verdict};
use crate::finding::{Code, Finding};
use crate::id::{RepoId, RepoKind};
use crate::record::{FileSignals, RepoRecord};
use crate::relation::Relation;

/// The JSON document `card --format json` prints.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct CardReport {
    /// Direct parents (`owner/name`).
    pub base_models: Vec<String>,
    /// The relation to the parents, when there are any.
    pub relation: Option<&'static str>,
    /// What decided the relation (`declared`, `inferred`).
    pub relation_source: Option<&'static str>,
    /// The declared license (several joined by `", "`).
    pub license: Option<String>,
    /// `license_name`.
    pub license_name: Option<String>,
    /// `license_link`.
    pub license_link: Option<String>,
    /// Datasets (`datasets:`), as ids without prefix.
    pub datasets: Vec<String>,
    /// Models a Space uses (`models:` and `preload_from_hub`).
    pub models: Vec<String>,
    /// Dataset cards' `source_datasets` that are Hub ids.
    pub source_datasets: Vec<String>,
    /// Findings about the card (the documentation finding last).
    pub findings: Vec<Finding>,
    /// What the card says changed, when it is judged as a derivative model.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub documentation: Option<DocReport>,
    /// What the files beside the card say, one entry per file read.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<FileStatement>,
}

/// What one tool-written file beside a card says.
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct FileStatement {
    /// The file's name.
    pub file: String,
    /// The parents it names (Hub ids, `@revision` when it pins one).
    pub base_models: Vec<String>,
    /// What it makes the repo: `adapter`, `merge`, `quantized`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relation: Option<&'static str>,
    /// What else it states (adapter type and rank, merge method, quantization, license).
    pub detail: Vec<String>,
}

/// What the tool-written files among `files` (name, bytes) say: `adapter_config.json`,
/// `mergekit_config.yml`, `config.json`, and GGUF headers (a prefix of the file is enough).
pub fn file_statements(files: &[(String, Vec<u8>)]) -> Vec<FileStatement> {
    use crate::files;
    let show = |r: &files::FileRef| match &r.revision {
        Some(rev) => format!("{}@{rev}", r.id.node_id()),
        None => r.id.node_id(),
    };
    let mut out = Vec::new();
    for (name, bytes) in files {
        let lower = name.to_ascii_lowercase();
        let st = |bases: Vec<String>, relation, detail| FileStatement {
            file: name.clone(),
            base_models: bases,
            relation,
            detail,
        };
        let statement = if lower == "adapter_config.json" {
            files::adapter_config(bytes).map(|a| {
                let mut detail: Vec<String> = a.peft_type.into_iter().collect();
                detail.extend(a.rank.map(|r| format!("r={r}")));
                st(a.base.iter().map(show).collect(), Some("adapter"), detail)
            })
        } else if lower == "mergekit_config.yml" || lower == "mergekit_config.yaml" {
            files::merge_config(&String::from_utf8_lossy(bytes)).map(|m| {
                let mut detail: Vec<String> = m.method.into_iter().collect();
                detail.extend(m.base.as_ref().map(|b| format!("base {}", show(b))));
                st(m.models.iter().map(show).collect(), Some("merge"), detail)
            })
        } else if lower == "config.json" {
            files::model_config(bytes)
                .filter(|c| c.source.is_some() || c.quant_method.is_some() || c.bits.is_some())
                .map(|c| {
                    let mut detail: Vec<String> = c.quant_method.into_iter().collect();
                    detail.extend(c.bits.map(|b| format!("{b}-bit")));
                    let rel = (!detail.is_empty()).then_some("quantized");
                    st(c.source.iter().map(show).collect(), rel, detail)
                })
        } else if lower.ends_with(".gguf") {
            files::gguf::read_header(bytes).map(|h| {
                let mut bases: Vec<String> = h
                    .base_models()
                    .iter()
                    .filter_map(|b| b.hub())
                    .map(|r| show(&r))
                    .collect();
                bases.extend(h.source().map(|r| show(&r)));
                let mut detail: Vec<String> =
                    h.file_type().map(str::to_string).into_iter().collect();
                detail.extend(h.license().map(|l| format!("license {l}")));
                st(bases, Some("quantized"), detail)
            })
        } else {
            None
        };
        out.extend(statement);
    }
    out
}

/// Findings from comparing the card's declared parents with the files': a parent the files name
/// that the card does not (`base-model-mismatch` when the card names others,
/// `undeclared-base-model` when it names none).
fn file_findings(
    declared: &[RepoId],
    files: &[FileStatement],
    subject: Option<&RepoId>,
    label: &str,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for f in files {
        for b in &f.base_models {
            let id_text = b.split('@').next().unwrap_or(b);
            let Ok(id) = RepoId::parse(id_text, RepoKind::Model) else {
                continue;
            };
            if declared.contains(&id) {
                continue;
            }
            let nodes = subject.cloned().into_iter().chain([id.clone()]).collect();
            out.push(match declared.is_empty() {
                true => Finding::of(
                    Code::UndeclaredBaseModel,
                    nodes,
                    format!("{label} declares no base_model, but {} names {b}; declare it in base_model", f.file),
                ),
                false => Finding::of(
                    Code::BaseModelMismatch,
                    nodes,
                    format!(
                        "{label}'s card declares base_model {}, but {} names {b}",
                        declared.iter().map(RepoId::node_id).collect::<Vec<_>>().join(", "),
                        f.file
                    ),
                ),
            });
        }
    }
    out
}

/// What to judge a card as.
#[derive(Debug, Clone, Default)]
pub struct CardContext<'a> {
    /// The repo it is for: its name is part of what the publisher states (`-GGUF`, `-4bit`).
    pub repo: Option<&'a RepoId>,
    /// The kind of derivative to judge it as (a draft that declares no base model); else the
    /// card's own relation, declared or inferred from the files beside it.
    pub relation: Option<Relation>,
    /// The names of the files beside it.
    pub files: &'a [String],
    /// What findings name it by when there is no repo (the file's path).
    pub label: &'a str,
    /// The tool-written files beside it, read: (name, bytes; a GGUF file's first bytes).
    pub file_bytes: &'a [(String, Vec<u8>)],
}

/// The card's metadata report, with what changed judged when it is a derivative model.
pub fn check_card(
    text: &[u8],
    kind: RepoKind,
    signals: FileSignals,
    cx: &CardContext<'_>,
) -> CardReport {
    let mut r = card_report(text, kind, signals.clone());
    let placeholder = cx.repo.cloned().unwrap_or_else(|| local(kind));
    let mut rec = RepoRecord::from_parts(&placeholder, None, Some(text));
    rec.files = signals;
    if kind == RepoKind::Model {
        r.files = file_statements(cx.file_bytes);
        r.findings.extend(file_findings(
            &rec.card.meta.base_models,
            &r.files,
            cx.repo,
            cx.label,
        ));
    }
    // The relation: as asked, else the card's, else what a file beside it makes the repo.
    let from_files = || {
        r.files
            .iter()
            .find(|f| !f.base_models.is_empty())
            .and_then(|f| f.relation)
            .and_then(Relation::from_name)
    };
    let relation = cx
        .relation
        .or_else(|| r.relation.and_then(Relation::from_name))
        .or_else(from_files);
    let Some(rel) = relation.filter(|_| kind == RepoKind::Model) else {
        return r;
    };
    let facts = RepoFacts {
        id: cx.repo,
        files: cx.files,
    };
    let doc = assess_repo(rel, &rec.card.meta, &rec.card.body, facts);
    let node = cx
        .repo
        .map(RepoId::node_id)
        .unwrap_or_else(|| cx.label.to_string());
    r.findings.extend(finding_for(cx.repo, &node, &doc));
    r.documentation = Some(doc);
    r
}

impl CardReport {
    /// Whether what changed is documented no better than `verdict` (a CI gate).
    pub fn documented_no_better_than(&self, verdict: Verdict) -> bool {
        let rank = |v: Verdict| match v {
            Verdict::Undocumented => 0,
            Verdict::Partial => 1,
            _ => 2,
        };
        self.documentation
            .as_ref()
            .is_some_and(|d| rank(d.verdict) <= rank(verdict))
    }
}

fn local(kind: RepoKind) -> RepoId {
    match RepoId::parse("local/card", kind) {
        Ok(id) => id,
        Err(_) => unreachable!("a static, valid id"),
    }
}

/// Builds the report for a card's raw text; `files` are the signals of the files beside it.
pub fn card_report(text: &[u8], kind: RepoKind, files: FileSignals) -> CardReport {
    let mut rec = RepoRecord::from_parts(&local(kind), None, Some(text));
    rec.files = files;
    let meta = &rec.card.meta;
    let bases = rec.base_models();
    let rel = bases.first().map(|b| rec.relation_to(b, bases.len()));
    let ids = |v: &[RepoId]| v.iter().map(|i| i.name().to_string()).collect::<Vec<_>>();
    let mut findings = rec.findings.clone();
    for f in &mut findings {
        f.nodes.clear();
    }
    CardReport {
        base_models: ids(&bases),
        relation: rel.map(|r| r.0.as_str()),
        relation_source: rel.map(|r| r.1.as_str()),
        license: meta.declared_license(),
        license_name: meta.license_name().map(str::to_string),
        license_link: meta.license_link().map(str::to_string),
        datasets: ids(&meta.datasets),
        models: {
            let mut used: Vec<RepoId> = Vec::new();
            for m in meta.models.iter().chain(&meta.extra.get().preload_from_hub) {
                if !used.contains(m) {
                    used.push(m.clone());
                }
            }
            ids(&used)
        },
        source_datasets: ids(&meta.extra.get().source_datasets),
        findings: findings.into(),
        documentation: None,
        files: Vec::new(),
    }
}
