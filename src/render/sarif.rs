//! SARIF 2.1.0 output, for code-scanning tools (GitHub code scanning and others).
//!
//! One run, one rule per finding code, one result per finding. Each result points at the
//! subject repo's card on the Hub (`physicalLocation`) and names the repo as a logical location.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::finding::{Finding, Severity};
use crate::id::RepoId;

/// Where the README (and its "Finding codes" table, one anchor per code) is published.
pub const README_URL: &str = "https://github.com/hf-lineage/hf-lineage/blob/main/README.md";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Deny => "error",
        Severity::Warn => "warning",
        Severity::Info => "note",
    }
}

fn card_uri(endpoint: &str, node: Option<&RepoId>) -> String {
    let path = node.map(RepoId::node_id).unwrap_or_default();
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
            let info = f.code.info();
            json!({
                "id": f.code,
                "name": f.code,
                "shortDescription": {"text": info.summary},
                "fullDescription": {"text": info.explanation},
                "help": {"text": info.resolve},
                "helpUri": format!("{README_URL}#{}", f.code.help_anchor()),
                "defaultConfiguration": {"level": level(info.severity)},
            })
        });
    }
    let index: BTreeMap<&str, usize> = rules.keys().enumerate().map(|(i, k)| (*k, i)).collect();
    let results: Vec<Value> = findings
        .iter()
        .map(|f| {
            let subject = f.subject().map(RepoId::node_id).unwrap_or_default();
            let nodes: Vec<String> = f.nodes.iter().map(RepoId::node_id).collect();
            json!({
                "ruleId": f.code,
                "ruleIndex": index[f.code.as_str()],
                "level": level(f.severity),
                "message": {"text": f.message},
                "locations": [{
                    "physicalLocation": {"artifactLocation": {"uri": card_uri(endpoint, f.subject())}},
                    "logicalLocations": [{"name": subject, "kind": "module"}],
                }],
                "properties": {"nodes": nodes},
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
    let mut s = super::escape::json(serde_json::to_string_pretty(&log).unwrap_or_default());
    s.push('\n');
    s
}
