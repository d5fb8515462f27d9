//! The summary of one card that `hf-lineage card` prints: metadata as the tool reads it.

use serde::Serialize;

use crate::finding::Finding;
use crate::id::{RepoId, RepoKind};
use crate::record::{FileSignals, RepoRecord};

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
    /// Findings about the card.
    pub findings: Vec<Finding>,
}

/// Builds the report for a card's raw text; `files` are the signals of the files beside it.
pub fn card_report(text: &[u8], kind: RepoKind, files: FileSignals) -> CardReport {
    let placeholder = match RepoId::parse("local/card", kind) {
        Ok(id) => id,
        Err(_) => unreachable!("a static, valid id"),
    };
    let mut rec = RepoRecord::from_parts(&placeholder, None, Some(text));
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
    }
}
