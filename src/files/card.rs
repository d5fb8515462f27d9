//! What a card's body declares in the forms tools and publishers print: the mergekit
//! configuration block a merge card carries (often with no `base_model` in its metadata), and
//! an explicit source line (`Original model: [X](https://huggingface.co/X)`, `From: X`). These
//! are the card's own declarations, not guesses from prose: licenses are judged along them.

use std::sync::OnceLock;

use regex::Regex;

use super::statement::Statement;
use super::{hub_ref, merge_config, FileRef};
use crate::relation::{Relation, RelationSource};

/// What a card's body states: one statement for its merge configuration blocks (the models of
/// every block, each once), one for its source lines. The statement's `file` says where
/// (`README.md merge configuration`, `README.md source line`).
pub fn card_statements(body: &str) -> Vec<Statement> {
    let mut out = Vec::new();
    // Every form names a parent as `owner/name` or a link: a card without a `/` names none
    // (most cards of a whole-Hub dump are read without a single regex).
    if !body.contains('/') {
        return out;
    }
    if body.contains("```") {
        out.extend(merge_blocks(body));
    }
    out.extend(source_lines(body));
    out.into_iter()
        .map(Statement::models_only)
        .filter(|s| !s.parents.is_empty())
        .collect()
}

/// A pattern compiled once (the patterns are constants of this file).
fn compiled(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| {
        Regex::new(pattern).unwrap_or_else(|e| unreachable!("a valid pattern: {e}"))
    })
}

fn hub_link() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    compiled(
        &RE,
        r"(?i)https?://(?:www\.)?(?:huggingface\.co|hf\.co)/([A-Za-z0-9][\w.\-]*/[A-Za-z0-9][\w.\-]*)",
    )
}

fn source_line() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    compiled(
        &RE,
        r"(?i)^\s*(?:[-*+]\s*)?(?:\*\*|__)?\s*(?:(?:original|source|base|parent)\s+models?|from|(?:quanti[sz]ed|converted|fine-?tuned)\s+from)\s*(?:\*\*|__)?\s*:\s*(?:\*\*|__)?\s*(.+)$",
    )
}

/// Models a text links to on the Hub (not its Spaces, datasets, docs or blog).
fn model_links(text: &str) -> Vec<FileRef> {
    const NOT_MODELS: [&str; 10] = [
        "spaces",
        "datasets",
        "docs",
        "blog",
        "papers",
        "collections",
        "organizations",
        "settings",
        "join",
        "models",
    ];
    hub_link()
        .captures_iter(text)
        .filter(|c| {
            let owner = c[1].split('/').next().unwrap_or("");
            !NOT_MODELS.iter().any(|n| n.eq_ignore_ascii_case(owner))
        })
        .filter_map(|c| hub_ref(&c[1]))
        .collect()
}

/// Repos the body links to, for names a configuration gives without their owner.
fn linked(body: &str) -> Vec<FileRef> {
    model_links(body)
}

/// A sentence that says what the model was made from, with the Hub link right after it:
/// "a fine-tuning of [X](…)", "based on the [X](…)", "an updated version of [X](…)",
/// "built on top of the [X](…)", "a quantized version of [X](…)".
fn made_from() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    compiled(
        &RE,
        r"(?i)\b(?:fine-?tun(?:ed|ing)(?:\s+version)?\s+(?:of|from|on)|finetune\s+of|based\s+on|built\s+(?:on\s+top\s+of|on|upon|from)|derived\s+from|(?:updated|quantized|quantised|converted|distilled)\s+version\s+of|quanti[sz]ations?\s+of|converted\s+from|trained\s+from|continued\s+pre-?training\s+of|quants?\s+of)\s+(?:the\s+|a\s+|an\s+)?\[",
    )
}

fn quant_words() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    compiled(&RE, r"(?i)\b(quanti[sz]\w*|gguf|ggml|gptq|awq|exl2)\b")
}

/// An owner-less model name resolved through the body's links: a linked repo of that name, or
/// whose `owner_name` it is (mergekit users write `_` for `/`).
fn through_links(name: &str, links: &[FileRef]) -> Option<FileRef> {
    let lower = name.to_ascii_lowercase();
    links
        .iter()
        .find(|l| {
            l.id.short_name().eq_ignore_ascii_case(&lower)
                || l.id
                    .node_id()
                    .replacen('/', "_", 1)
                    .eq_ignore_ascii_case(&lower)
        })
        .cloned()
}

/// The models of every mergekit configuration block in the body.
fn merge_blocks(body: &str) -> Option<Statement> {
    let mut blocks: Vec<String> = Vec::new();
    let mut current: Option<String> = None;
    for line in body.lines() {
        if line.trim_start().starts_with("```") {
            match current.take() {
                Some(block) => blocks.push(block),
                None => current = Some(String::new()),
            }
            continue;
        }
        if let Some(b) = current.as_mut() {
            b.push_str(line);
            b.push('\n');
        }
    }
    let links = linked(body);
    let mut s = Statement::new(
        "README.md merge configuration",
        Vec::new(),
        Some(Relation::Merge),
    );
    s.source = RelationSource::CardConfig;
    // Only blocks shaped like a mergekit configuration are parsed (not usage snippets).
    let shaped =
        |b: &&String| b.contains("merge_method") || b.contains("slices:") || b.contains("models:");
    for block in blocks.iter().filter(shaped) {
        let Some(m) = merge_config(block) else {
            continue;
        };
        let resolved = m.unowned.iter().filter_map(|n| through_links(n, &links));
        for r in m.models.into_iter().chain(resolved).chain(m.base) {
            if !s.parents.contains(&r) {
                s.parents.push(r);
            }
        }
        if let Some(method) = m.method {
            if !s.detail.contains(&method) {
                s.detail.push(method);
            }
        }
    }
    (!s.parents.is_empty()).then_some(s)
}

/// Parents named on explicit source lines, by a Hub link or an `owner/name` id, and in a
/// sentence that says what the model was made from with the Hub link right after it.
fn source_lines(body: &str) -> Option<Statement> {
    let mut s = Statement::new("README.md source line", Vec::new(), None);
    s.source = RelationSource::CardStatement;
    let mut quantized = false;
    let mut in_code = false;
    for line in body.lines().take(400) {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            continue;
        }
        let mut named: Vec<FileRef> = Vec::new();
        // Cheap tests first: a label line has a `:` and a `/`; a made-from sentence a Hub link.
        let labelled = line.contains(':') && line.contains('/');
        let linked = line.contains("huggingface.co/") || line.contains("hf.co/");
        if !labelled && !linked {
            continue;
        }
        if let Some(c) = labelled.then(|| source_line().captures(line)).flatten() {
            let rest = &c[1];
            let links = model_links(rest);
            let first = (!links.is_empty()).then_some(links).or_else(|| {
                let word = rest
                    .trim()
                    .trim_matches(['`', '*', '[', ']', '"'])
                    .split_whitespace()
                    .next()?;
                hub_ref(word.trim_matches(['`', '*', '[', ']', '"', ',', '.', ')']))
                    .map(|r| vec![r])
            });
            named.extend(first.into_iter().flatten());
        } else if let Some(m) = linked.then(|| made_from().find(line)).flatten() {
            // The link the phrase introduces (the first after it), not every link on the line.
            named.extend(model_links(&line[m.start()..]).into_iter().take(1));
        }
        if !named.is_empty() && quant_words().is_match(line) {
            quantized = true;
        }
        for r in named {
            if !s.parents.contains(&r) {
                s.parents.push(r);
            }
        }
    }
    if quantized {
        s.relation = Some(Relation::Quantized);
    }
    (!s.parents.is_empty()).then_some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parents(body: &str) -> Vec<(String, String)> {
        card_statements(body)
            .iter()
            .flat_map(|s| {
                s.parents
                    .iter()
                    .map(|p| (p.id.node_id(), s.source.as_str().to_string()))
            })
            .collect()
    }

    #[test]
    fn a_merge_cards_configuration_block_is_its_declaration() {
        let body = "# Merge\n\nMerged with [mergekit](https://github.com/cg123/mergekit).\n\n```yaml\nslices:\n  - sources:\n      - model: a/one\n        layer_range: [0, 32]\n      - model: b/two\n        layer_range: [0, 32]\nmerge_method: slerp\nbase_model: a/one\n```\n";
        assert_eq!(
            parents(body),
            vec![
                ("a/one".into(), "card-config".into()),
                ("b/two".into(), "card-config".into())
            ]
        );
    }

    #[test]
    fn owner_less_experts_resolve_through_the_cards_links() {
        let body = "* [Mistral-7B-v0.1](https://huggingface.co/mistralai/Mistral-7B-v0.1)\n* [OpenHermes](https://huggingface.co/teknium/OpenHermes-2.5-Mistral-7B)\n\n```yaml\nmodels:\n  - model: Mistral-7B-v0.1\n  - model: teknium_OpenHermes-2.5-Mistral-7B\n  - model: nowhere-7b\nmerge_method: ties\n```\n";
        let got: Vec<String> = parents(body).into_iter().map(|p| p.0).collect();
        assert_eq!(
            got,
            vec![
                "mistralai/Mistral-7B-v0.1",
                "teknium/OpenHermes-2.5-Mistral-7B"
            ]
        );
    }

    #[test]
    fn source_lines_name_the_original_model() {
        let body = "# Llama 2 7B Chat - GGUF\n- Model creator: [Meta](https://huggingface.co/meta-llama)\n- Original model: [Llama 2 7B Chat](https://huggingface.co/meta-llama/Llama-2-7b-chat-hf)\n\n**From:** `someone/model-x`\n";
        assert_eq!(
            parents(body),
            vec![
                (
                    "meta-llama/Llama-2-7b-chat-hf".into(),
                    "card-statement".into()
                ),
                ("someone/model-x".into(), "card-statement".into())
            ]
        );
    }

    #[test]
    fn a_sentence_that_says_what_the_model_was_made_from_names_its_parent() {
        let body = "This model is a fine-tuning of [Llama2 70B](https://huggingface.co/meta-llama/Llama-2-70b-hf) LLM, see [our space](https://huggingface.co/spaces/a/b).\n";
        assert_eq!(
            parents(body),
            vec![("meta-llama/Llama-2-70b-hf".into(), "card-statement".into())]
        );
        let q =
            card_statements("A quantized version of [X](https://huggingface.co/org/x) in GGUF.\n");
        assert_eq!(q[0].relation, Some(Relation::Quantized));
        // A link in passing, a dataset, or a Space is no parent.
        assert!(
            card_statements("Check out the GGUF at [x](https://huggingface.co/org/x-gguf).\n")
                .is_empty()
        );
        assert!(
            card_statements("Based on the [data](https://huggingface.co/datasets/org/d).\n")
                .is_empty()
        );
        // A label line names every model it links.
        let both = parents("- **Parent Models:** [a/vision](https://huggingface.co/a/vision) and [b/llm](https://huggingface.co/b/llm)\n");
        assert_eq!(both.len(), 2);
        assert_eq!(
            parents("EXL2 quants of [M](https://huggingface.co/org/m)\n").len(),
            1
        );
    }

    #[test]
    fn only_models_are_parents() {
        for body in [
            "From: https://github.com/org/repo\n",
            "From: datasets/org/data\n",
            "Base model: Mistral AI\n",
            "- **Source model:** [a Space](https://huggingface.co/spaces/org/demo)\n",
        ] {
            assert!(parents(body).is_empty(), "{body}");
        }
    }

    #[test]
    fn prose_and_other_code_are_no_declaration() {
        assert!(
            card_statements("Based on the great work of [x](https://huggingface.co/a/b).")
                .is_empty()
        );
        assert!(
            card_statements("```python\nmodel = AutoModel.from_pretrained('a/b')\n```\n")
                .is_empty()
        );
        assert!(card_statements("```yaml\nmerge_method: slerp\n```\n").is_empty());
    }
}
