//! What a repo's files say about its relation to its parents, and the rules that decide a
//! relation when neither the Hub nor the card does.

use super::RepoRecord;
use crate::card::CardMeta;
use crate::files::license::{self, LicenseFile};
use crate::files::{FileRef, Statement};
use crate::finding::{Code, Finding};
use crate::id::{RepoId, RepoKind};
use crate::kb::{KnowledgeBase, LicenseInfo, Resolved};
use crate::relation::{Relation, RelationSource};

/// Facts about a repo's files that decide a relation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileSignals {
    /// The repo has `.gguf` files.
    pub gguf: bool,
    /// The repo has a quantization config (`quantize_config.json`, `quantization_config`).
    pub quant_config: bool,
    /// The repo has `adapter_config.json`.
    pub adapter_config: bool,
}

impl FileSignals {
    /// Signals from file names and, when known, the parsed `config.json`.
    pub fn from_files<'a>(
        names: impl IntoIterator<Item = &'a str>,
        config: Option<&serde_json::Value>,
    ) -> FileSignals {
        let mut s = FileSignals::default();
        for name in names {
            let lower = name.to_ascii_lowercase();
            let base = lower.rsplit('/').next().unwrap_or(&lower);
            if base.ends_with(".gguf") {
                s.gguf = true;
            }
            if base == "quantize_config.json" || base == "quant_config.json" {
                s.quant_config = true;
            }
            if base == "adapter_config.json" {
                s.adapter_config = true;
            }
        }
        if let Some(cfg) = config {
            if cfg.get("quantization_config").is_some() || cfg.get("quantization").is_some() {
                s.quant_config = true;
            }
        }
        s
    }
}

/// The inference rules for a relation when neither the Hub nor the card says.
pub fn infer_relation(meta: &CardMeta, files: &FileSignals, base_count: usize) -> Relation {
    if files.gguf || files.quant_config || meta.tags.iter().any(|t| is_quantization_tag(t)) {
        Relation::Quantized
    } else if files.adapter_config
        || meta
            .library_name
            .as_deref()
            .is_some_and(|l| l.eq_ignore_ascii_case("peft"))
    {
        Relation::Adapter
    } else if base_count >= 2 {
        Relation::Merge
    } else {
        Relation::Finetune
    }
}

/// Tags that mark a quantized repo: a format name as a tag or as a word of one (`gguf-my-repo`).
fn is_quantization_tag(tag: &str) -> bool {
    const FORMATS: [&str; 4] = ["gguf", "gptq", "awq", "exl2"];
    let lower = tag.to_ascii_lowercase();
    FORMATS.contains(&lower.as_str())
        || lower
            .split(['-', '_', ':'])
            .next()
            .is_some_and(|w| w == "gguf")
}

impl RepoRecord {
    /// Takes what the files beside the card say (name, bytes; a GGUF file's first bytes): the
    /// tool files' statements, the license file's license, and the findings from comparing
    /// them with the card. Parents only the files name become edges of their own
    /// ([`RepoRecord::links`], `relation_source: file`).
    pub fn attach_files(&mut self, files: &[(String, Vec<u8>)]) {
        let label = self.id.node_id();
        self.attach_files_as(files, &label);
    }

    /// [`RepoRecord::attach_files`], the findings' messages naming the repo `label` (a draft
    /// card's path, for a card that is no repo yet).
    pub fn attach_files_as(&mut self, files: &[(String, Vec<u8>)], label: &str) {
        let statements = crate::files::statements(files);
        let kb = KnowledgeBase::shared();
        let license_file = license::license_file(files, kb);
        let findings = file_findings(self, label, &statements, license_file.as_ref(), kb);
        self.findings.extend(findings);
        self.detail.update(|d| {
            // The files' statements first, then what the card itself declares.
            let card: Vec<Statement> = d.files.drain(..).collect();
            d.files = statements.into_iter().chain(card).collect();
            d.license_file = license_file.map(Box::new);
        });
    }

    /// What the files beside the card state (empty when none was read).
    pub fn file_statements(&self) -> &[Statement] {
        &self.detail.get().files
    }

    /// The license file beside the card, when one was read.
    pub fn license_file(&self) -> Option<&LicenseFile> {
        self.detail.get().license_file.as_deref()
    }

    /// The relation the files make the repo, when one of them says: a quantization (GGUF
    /// header, `quantization_config`) before an adapter before a merge, as the relation rules
    /// order them.
    pub fn file_relation(&self) -> Option<Relation> {
        [Relation::Quantized, Relation::Adapter, Relation::Merge]
            .into_iter()
            .find(|r| {
                self.file_statements()
                    .iter()
                    .any(|s| s.relation == Some(*r))
            })
    }

    /// Parents only the files (or the card's configuration block or source lines) name, for a
    /// record that declares none (card and Hub): each once, never the repo itself, with what
    /// names it (files first).
    pub fn file_parents(&self) -> Vec<(RepoId, RelationSource)> {
        let mut out: Vec<(RepoId, RelationSource)> = Vec::new();
        for s in self.file_statements() {
            for p in &s.parents {
                if p.id != self.id && !out.iter().any(|(id, _)| *id == p.id) {
                    out.push((p.id.clone(), s.source));
                }
            }
        }
        out.sort_by_key(|(_, s)| *s);
        out
    }

    /// Reads what a model's card body declares in its own forms (a merge configuration block,
    /// a source line) when its metadata names no parent; kept as statements beside the files'.
    pub(super) fn read_card_statements(&mut self) {
        if self.id.kind() != RepoKind::Model
            || self.card.body.is_empty()
            || !self.base_models().is_empty()
        {
            return;
        }
        let statements = crate::files::card_statements(&self.card.body);
        if statements.is_empty() {
            return;
        }
        let label = self.id.node_id();
        let found = file_findings(self, &label, &statements, None, KnowledgeBase::shared());
        self.findings.extend(found);
        self.detail.update(|d| d.files.extend(statements));
    }
}

/// Findings from comparing a card with the files beside it: a parent only the files name
/// (`undeclared-base-model`), a parent the files name that the card's bases do not include
/// while it names others (`base-model-mismatch`: only files that record the model the tool
/// started from — adapter configs, mergekit configurations, a GGUF header's source — since
/// `config.json` and a GGUF's `general.base_model` carry ancestors further up), and a license
/// file holding another license than the metadata (`license-file-mismatch`). `label` is what
/// the messages call the repo (its id, or a draft card's path).
fn file_findings(
    rec: &RepoRecord,
    label: &str,
    statements: &[Statement],
    license_file: Option<&LicenseFile>,
    kb: &KnowledgeBase,
) -> Vec<Finding> {
    let me = &rec.id;
    let node = label;
    let declared = rec.base_models();
    let mut out = Vec::new();
    let mut named: Vec<&RepoId> = Vec::new();
    for s in statements {
        // One finding per file (and per kind): the parents it names that the card does not.
        let mut fresh: Vec<&FileRef> = Vec::new();
        for p in s.parents.iter().filter(|p| p.id != *me) {
            if !declared.contains(&p.id) && !named.contains(&&p.id) {
                named.push(&p.id);
                fresh.push(p);
            }
        }
        if fresh.is_empty() || (!declared.is_empty() && !s.direct) {
            continue;
        }
        let nodes: Vec<RepoId> = std::iter::once(me.clone())
            .chain(fresh.iter().map(|p| p.id.clone()))
            .collect();
        let list = fresh
            .iter()
            .map(|p| p.display())
            .collect::<Vec<_>>()
            .join(", ");
        out.push(match declared.is_empty() {
            true => Finding::of(
                Code::UndeclaredBaseModel,
                nodes,
                format!(
                    "{node} declares no base_model, but its {} names {list}; the parents are taken from there — declare them in base_model",
                    s.file
                ),
            ),
            false => Finding::of(
                Code::BaseModelMismatch,
                nodes,
                format!(
                    "{node}'s card declares base_model {}, but its {} names {list}",
                    declared.iter().map(RepoId::node_id).collect::<Vec<_>>().join(", "),
                    s.file
                ),
            ),
        });
    }
    if let Some(LicenseFile {
        file,
        license: Some(in_file),
    }) = license_file
    {
        if let Resolved::Known(declared) = kb.resolve(&rec.card.meta) {
            let same =
                |l: &LicenseInfo| l.id == *in_file || kb.get(in_file).is_some_and(|f| f.id == l.id);
            if !declared.iter().any(|l| same(l)) {
                out.push(Finding::of(
                    Code::LicenseFileMismatch,
                    vec![me.clone()],
                    format!(
                        "{node}'s card declares license {}, but its {file} holds {in_file} (by its title)",
                        declared.iter().map(|l| l.id.as_str()).collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
        }
    }
    out
}
