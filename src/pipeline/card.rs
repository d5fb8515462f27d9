//! One card on its own (`hf-lineage card`, a publisher's draft): its metadata as the tool reads
//! it, and what its text says changed, judged as the derivative it declares (or is said to be).

use serde::Serialize;

use crate::docs_check::{assess_repo, finding_for, DocReport, RepoFacts, Verdict};
use crate::files::license::LicenseFile;
use crate::files::Statement;
use crate::finding::Finding;
use crate::id::{RepoId, RepoKind};
use crate::record::{FileSignals, RepoRecord};
use crate::relation::{Relation, RelationSource};

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
    /// The license file beside the card and the license its title names.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub license_file: Option<LicenseFile>,
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

impl FileStatement {
    fn of(s: &Statement) -> FileStatement {
        FileStatement {
            file: s.file.clone(),
            base_models: s.parents.iter().map(|p| p.display()).collect(),
            relation: s.relation.map(Relation::as_str),
            detail: s.detail.clone(),
        }
    }
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
        // The record's own reading of the files, its findings named as the card is.
        let before = rec.findings.len();
        rec.attach_files_as(cx.file_bytes, cx.label);
        let mut found: Vec<Finding> = rec.findings.drain(before..).collect();
        if cx.repo.is_none() {
            found
                .iter_mut()
                .for_each(|f| f.nodes.retain(|n| *n != rec.id));
        }
        r.findings.extend(found);
        r.files = rec
            .file_statements()
            .iter()
            .filter(|s| s.source == RelationSource::File)
            .map(FileStatement::of)
            .collect();
        r.license_file = rec.license_file().cloned();
    }
    // The relation: as asked, else the card's, else what a file beside it makes the repo.
    let from_files = || {
        rec.file_statements()
            .iter()
            .any(|s| !s.parents.is_empty())
            .then(|| rec.file_relation())
            .flatten()
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
        // Asked for or declared is no default; else what the card infers may be.
        default_relation: cx.relation.is_none()
            && r.relation_source == Some(RelationSource::Inferred.as_str())
            && rel == Relation::Finetune,
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
    let placeholder = format!("{} ", rec.id.node_id());
    for f in &mut findings {
        f.nodes.clear();
        // Findings the record raised name the placeholder id; a card on its own is "the card".
        if let Some(rest) = f.message.strip_prefix(placeholder.as_str()) {
            f.message = format!("the card {rest}").into();
        }
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
        license_file: None,
    }
}
