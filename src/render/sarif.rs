//! SARIF 2.1.0 output, for code-scanning tools (GitHub code scanning and others).
//!
//! One run, one rule per finding code, one result per finding. Each result points at the
//! subject repo's card on the Hub (`physicalLocation`) and names the repo as a logical location.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::finding::{Finding, Severity};
use crate::id::{RepoId, RepoKind};

/// What each code means, for the rule descriptions.
pub fn describe(code: &str) -> &'static str {
    match code {
        "license-conflict" => "Terms no single license can meet, or a declared license that contradicts an ancestor's non-commercial, share-alike or no-derivatives terms",
        "license-drift" => "A derivative declares a license that drops obligations an ancestor requires to flow down",
        "license-missing" => "A derivative declares no license while an ancestor's license has terms that bind it",
        "license-unresolved" => "`license: other` without license_name/license_link, or a license id the knowledge base does not know",
        "naming-requirement" => "A derived model's name does not begin as its ancestor's license requires",
        "training-data-license" => "Trained on data under restrictive terms (contested; reported, not judged)",
        "license-not-allowed" => "A license outside the policy's allow list",
        "license-denied" => "A license on the policy's deny list",
        "non-commercial-ancestry" => "Non-commercial terms in the lineage while the policy requires commercial use",
        "clarify-stale" => "A policy clarification pinned to another commit than the repo is at",
        "lineage-cycle" => "The lineage contains a cycle",
        "parent-unavailable" => "A parent could not be read",
        "undocumented-change" => "A derivative whose card does not say what changed",
        "partially-documented-change" => "A derivative whose card says part of what changed",
        "undeclared-base-model" => "A parent named in the card's text but not in its metadata",
        _ => "A finding of hf-lineage",
    }
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Deny => "error",
        Severity::Warn => "warning",
        Severity::Info => "note",
    }
}

fn card_uri(endpoint: &str, node: &str) -> String {
    let path = match RepoId::parse(node, RepoKind::Model) {
        Ok(id) => format!("{}{}", id.kind().url_prefix(), id.name()),
        Err(_) => node.to_string(),
    };
    format!(
        "{}/{path}/blob/main/README.md",
        endpoint.trim_end_matches('/')
    )
}

/// Renders findings as a SARIF 2.1.0 log. `endpoint` is the Hub the repos live on.
pub fn render_sarif(findings: &[Finding], endpoint: &str) -> String {
    let mut rules: BTreeMap<&str, Value> = BTreeMap::new();
    for f in findings {
        rules.entry(f.code.as_str()).or_insert_with(|| {
            json!({
                "id": f.code,
                "name": f.code,
                "shortDescription": {"text": describe(&f.code)},
                "helpUri": "https://github.com/hf-lineage/hf-lineage#finding-codes",
            })
        });
    }
    let index: BTreeMap<&str, usize> = rules.keys().enumerate().map(|(i, k)| (*k, i)).collect();
    let results: Vec<Value> = findings
        .iter()
        .map(|f| {
            let subject = f.nodes.first().cloned().unwrap_or_default();
            json!({
                "ruleId": f.code,
                "ruleIndex": index[f.code.as_str()],
                "level": level(f.severity),
                "message": {"text": f.message},
                "locations": [{
                    "physicalLocation": {"artifactLocation": {"uri": card_uri(endpoint, &subject)}},
                    "logicalLocations": [{"name": subject, "kind": "module"}],
                }],
                "properties": {"nodes": f.nodes},
            })
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "hf-lineage",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/hf-lineage/hf-lineage",
                "rules": rules.into_values().collect::<Vec<_>>(),
            }},
            "results": results,
        }],
    });
    let mut s = serde_json::to_string_pretty(&log).unwrap_or_default();
    s.push('\n');
    s
}
