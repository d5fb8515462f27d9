//! Undeclared lineage: parents a card names only in its text.
//!
//! When a card declares no `base_model`, its body may still say where the model came from:
//! mergekit `model:` entries, "quantized version of [X](https://huggingface.co/X)", Hub links on
//! a line about the base or original model, `base_model_name_or_path` from an adapter config.
//! These become *suggested* edges (`relation_source: card-text`) with an `undeclared-base-model`
//! finding quoting the line; they are never mixed silently with declared edges.

use super::text::{adapter_base, base_context, hub_link, quant_context, ticked_id, yaml_model_ref};
use crate::finding::{Code, Finding};
use crate::graph::LineageGraph;
use crate::id::{RepoId, RepoKind};
use crate::record::{Link, NodeStatus};
use crate::relation::{Relation, RelationSource};

/// A parent suggested by the card's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    /// The parent.
    pub parent: RepoId,
    /// The relation the text implies.
    pub relation: Relation,
    /// The line that says so.
    pub quote: String,
}

/// Parents the text of a card suggests. `me` is excluded.
pub fn suggest(me: &RepoId, body: &str) -> Vec<Suggestion> {
    let mut out: Vec<Suggestion> = Vec::new();
    let mut push = |id: &str, relation: Relation, line: &str| {
        let Ok(parent) = RepoId::parse(id.trim_end_matches(['.', ',', ')']), RepoKind::Model)
        else {
            return;
        };
        if parent == *me || out.iter().any(|s| s.parent == parent) {
            return;
        }
        out.push(Suggestion {
            parent,
            relation,
            quote: super::text::quote(line),
        });
    };
    // mergekit configurations: `- model: X` entries inside code blocks.
    let mut in_code = false;
    let mut merge_models: Vec<(String, String)> = Vec::new();
    for line in body.lines() {
        let t = line.trim();
        if t.starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            if let Some(c) = yaml_model_ref().captures(line) {
                merge_models.push((c[1].to_string(), t.to_string()));
            }
        }
    }
    // Prose lists: "Models used:" / "The following models were included" followed by items.
    let lines: Vec<&str> = body.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        if !super::text::models_context().is_match(line) {
            continue;
        }
        for item in lines[i + 1..].iter().take(12) {
            let t = item.trim();
            if !(t.starts_with('-') || t.starts_with('*')) {
                continue;
            }
            let first = hub_link()
                .captures(t)
                .or_else(|| ticked_id().captures(t))
                .map(|c| c[1].to_string());
            if let Some(id) = first {
                merge_models.push((id, t.to_string()));
            }
        }
    }
    let distinct: std::collections::BTreeSet<String> = merge_models
        .iter()
        .map(|(m, _)| m.to_ascii_lowercase())
        .collect();
    if distinct.len() >= 2 {
        for (m, line) in &merge_models {
            push(m, Relation::Merge, line);
        }
    }
    for line in body.lines() {
        if let Some(c) = adapter_base().captures(line) {
            push(&c[1], Relation::Adapter, line.trim());
        }
        if !base_context().is_match(line) {
            continue;
        }
        let rel = if quant_context().is_match(line) {
            Relation::Quantized
        } else {
            Relation::Finetune
        };
        let mut ids: Vec<String> = hub_link()
            .captures_iter(line)
            .map(|c| c[1].to_string())
            .collect();
        ids.extend(ticked_id().captures_iter(line).map(|c| c[1].to_string()));
        for id in ids {
            // Links to the repo's own files, discussions or settings are not parents.
            if id
                .split('/')
                .nth(1)
                .is_some_and(|n| matches!(n, "blob" | "tree" | "resolve" | "settings"))
            {
                continue;
            }
            push(&id, rel, line.trim());
        }
    }
    out
}

/// Adds suggested edges for every readable node that declares no parent; returns the findings
/// that say so. Part of building a graph: the pipeline runs it before any check reads the graph.
pub fn infer_from_text(g: &mut LineageGraph) -> Vec<Finding> {
    let mut todo: Vec<(RepoId, Vec<Suggestion>)> = Vec::new();
    for n in g.nodes() {
        let rec = n.record();
        if n.status() != NodeStatus::Ok
            || n.id().kind() != RepoKind::Model
            || !rec.base_models().is_empty()
            || !rec.file_parents().is_empty()
        {
            continue;
        }
        let s = suggest(n.id(), &rec.card.body);
        if !s.is_empty() {
            todo.push((n.id().clone(), s));
        }
    }
    let mut findings = Vec::new();
    for (me, suggestions) in todo {
        let merge = suggestions
            .iter()
            .filter(|s| s.relation == Relation::Merge)
            .count()
            >= 2;
        for s in &suggestions {
            let relation = if merge { Relation::Merge } else { s.relation };
            let link = Link {
                upstream: s.parent.clone(),
                downstream: me.clone(),
                relation,
                source: RelationSource::CardText,
            };
            g.add_suggested_edge(&link);
        }
        let list: Vec<String> = suggestions
            .iter()
            .map(|s| format!("{} ({}: \"{}\")", s.parent.node_id(), s.relation, s.quote))
            .collect();
        let mut nodes = vec![me.clone()];
        nodes.extend(suggestions.iter().map(|s| s.parent.clone()));
        findings.push(Finding::of(Code::UndeclaredBaseModel,
            nodes,
            format!(
                "{} declares no base_model, but its card text names {}; suggested edges added (relation_source card-text) — declare base_model in the metadata",
                me.node_id(),
                list.join("; ")
            ),
        ));
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn me() -> RepoId {
        RepoId::parse("me/model", RepoKind::Model).unwrap()
    }

    #[test]
    fn mergekit_configs_name_merged_models() {
        let s = suggest(&me(), "# m\n```yaml\nmodels:\n  - model: a/one\n  - model: b/two\n    parameters: {}\nmerge_method: slerp\nbase_model: a/one\n```\n");
        let ids: Vec<_> = s.iter().map(|x| (x.parent.node_id(), x.relation)).collect();
        assert_eq!(
            ids,
            vec![
                ("a/one".into(), Relation::Merge),
                ("b/two".into(), Relation::Merge)
            ]
        );
    }

    #[test]
    fn prose_lists_of_merged_models() {
        let s = suggest(
            &me(),
            "## Procedure\nModels used:\n- **a/one** - great\n- **b/two** - also good\n\nThanks!\n",
        );
        let ids: Vec<_> = s.iter().map(|x| (x.parent.node_id(), x.relation)).collect();
        assert_eq!(
            ids,
            vec![
                ("a/one".into(), Relation::Merge),
                ("b/two".into(), Relation::Merge)
            ]
        );
    }

    #[test]
    fn sibling_repo_lists_and_conversions_are_not_quantized_parents() {
        // "Repositories available" lists link to sibling quantizations, not parents.
        let s = suggest(&me(), "* [4-bit GPTQ models for GPU inference](https://huggingface.co/q/x-GPTQ)\n* [GGML models for CPU](https://huggingface.co/q/x-GGML)\n");
        assert!(s.is_empty(), "{s:?}");
        let s = suggest(
            &me(),
            "Converted from the XOR weights of https://huggingface.co/a/base\n",
        );
        assert_eq!(
            (s[0].parent.node_id(), s[0].relation),
            ("a/base".into(), Relation::Finetune)
        );
        let s = suggest(
            &me(),
            "GPTQ 4bit model files for [A's Base](https://huggingface.co/a/base).\n",
        );
        assert_eq!(
            (s[0].parent.node_id(), s[0].relation),
            ("a/base".into(), Relation::Quantized)
        );
    }

    #[test]
    fn quantized_version_of_a_link() {
        let s = suggest(&me(), "This is a quantized version of [Mistral](https://huggingface.co/mistralai/Mistral-7B-v0.1).\n");
        assert_eq!(s[0].parent.node_id(), "mistralai/Mistral-7B-v0.1");
        assert_eq!(s[0].relation, Relation::Quantized);
        assert!(s[0].quote.contains("quantized version of"));
    }

    #[test]
    fn base_model_context_and_adapter_configs() {
        let s = suggest(&me(), "- Original model: [Llama 2 7B Chat](https://huggingface.co/meta-llama/Llama-2-7b-chat-hf)\n");
        assert_eq!(s[0].parent.node_id(), "meta-llama/Llama-2-7b-chat-hf");
        let s = suggest(
            &me(),
            "{\"base_model_name_or_path\": \"google/flan-t5-base\", \"r\": 8}",
        );
        assert_eq!(
            (s[0].parent.node_id(), s[0].relation),
            ("google/flan-t5-base".into(), Relation::Adapter)
        );
        // Links without a base-model context, local paths and self-links are not parents.
        assert!(suggest(
            &me(),
            "Thanks to https://huggingface.co/TheBloke/other for quants"
        )
        .is_empty());
        assert!(suggest(&me(), "{\"base_model_name_or_path\": \"/root/ckpt\"}").is_empty());
        assert!(suggest(&me(), "base model: https://huggingface.co/me/model").is_empty());
    }
}
