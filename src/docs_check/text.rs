//! Card text as evidence: cleaning, and the patterns that count as saying something.
//!
//! Cleaning drops what says nothing about this repo: template placeholders
//! ("[More Information Needed]"), HTML comments, HTML blocks (banners, badges), URLs and empty
//! lines. Headings are kept apart: a heading alone is not evidence, a heading followed by
//! content is.

use std::sync::OnceLock;

use regex::Regex;

/// One line of cleaned card text.
#[derive(Debug, Clone)]
pub struct Line {
    /// The text, cleaned.
    pub text: String,
    /// Whether the line is a Markdown heading.
    pub heading: bool,
    /// Whether the line is inside a fenced code block.
    pub code: bool,
}

/// A static regex, compiled on first use.
pub(super) fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| {
        Regex::new(pattern).unwrap_or_else(|e| unreachable!("static regex {pattern}: {e}"))
    })
}

pattern!(
    pub(crate) placeholder,
    r"(?i)\[\s*more information needed\s*\]|\[optional\]|\{\{[^}]*\}\}"
);
pattern!(pub(crate) html_comment, r"(?s)<!--.*?-->");
pattern!(pub(crate) url, r#"https?://[^\s)\]>"']+"#);
pattern!(
    pub(crate) hub_model_url,
    r#"https?://(?:www\.)?(?:huggingface\.co|hf\.co)/([A-Za-z0-9][\w.\-]*/[A-Za-z0-9][\w.\-]*)(?:/(?:tree|blob|resolve)/[^\s)\]>"']*)?/?"#
);
pattern!(pub(crate) html_tag, r"<[^>]{0,400}>");

/// Cleans a card body into lines worth reading.
pub fn clean(body: &str) -> Vec<Line> {
    let body = html_comment().replace_all(body, " ");
    let mut out = Vec::new();
    // Open HTML blocks: `<div>`/`<table>` until closed; `<p>`/`<center>`, which banners often
    // leave unclosed, also end at a blank line (as a Markdown renderer ends an HTML block).
    let (mut blocks, mut paragraphs): (i32, i32) = (0, 0);
    let mut in_code = false;
    for raw in body.lines() {
        let t = raw.trim();
        if t.starts_with("```") || t.starts_with("~~~") {
            in_code = !in_code;
            continue;
        }
        if !in_code {
            if t.is_empty() {
                paragraphs = 0;
                continue;
            }
            let count = |tags: &[&str]| tags.iter().map(|tag| count_tags(t, tag)).sum::<i32>();
            let was = blocks + paragraphs;
            blocks = (blocks + count(&["<div", "<table"]) - count(&["</div", "</table"])).max(0);
            paragraphs =
                (paragraphs + count(&["<p", "<center"]) - count(&["</p", "</center"])).max(0);
            if was > 0 || t.starts_with('<') || blocks + paragraphs > 0 {
                continue;
            }
        }
        // Typographic hyphens (`fine‑tuned`) are hyphens.
        let t: String = t
            .chars()
            .map(|c| match c {
                '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
                other => other,
            })
            .collect();
        let t = space_scripts(t);
        let text = placeholder().replace_all(&t, " ");
        // A link to a model page names the model: keep its id, drop every other URL.
        let text = hub_model_url().replace_all(&text, |c: &regex::Captures| {
            if c[1].starts_with("datasets/") || c[1].starts_with("spaces/") {
                " ".to_string()
            } else {
                format!(" {} ", &c[1])
            }
        });
        let text = url().replace_all(&text, " ");
        let text = html_tag().replace_all(&text, " ");
        let text = text.trim();
        if text.is_empty() || is_template_residue(text) {
            continue;
        }
        out.push(Line {
            heading: !in_code && text.starts_with('#'),
            text: text.to_string(),
            code: in_code,
        });
    }
    out
}

/// Chinese, Japanese and Korean text runs into Latin names and numbers without spaces
/// (`使用AutoGPTQ量化`); a space between the scripts lets word-bounded patterns see the name.
fn space_scripts(t: String) -> String {
    if t.is_ascii() {
        return t;
    }
    let mut out = String::with_capacity(t.len() + 8);
    let mut prev: Option<char> = None;
    for c in t.chars() {
        if let Some(p) = prev {
            let (pc, cc) = (super::vocab::is_cjk_char(p), super::vocab::is_cjk_char(c));
            if (pc && c.is_ascii_alphanumeric()) || (cc && p.is_ascii_alphanumeric()) {
                out.push(' ');
            }
        }
        out.push(c);
        prev = Some(c);
    }
    out
}

/// How many times a tag (`<p`, `</div`) opens or closes in a line: the name must end there
/// (`<p` is not `<pre`).
fn count_tags(line: &str, tag: &str) -> i32 {
    let lower = line.to_ascii_lowercase();
    lower
        .match_indices(tag)
        .filter(|(i, _)| {
            lower[i + tag.len()..]
                .chars()
                .next()
                .is_none_or(|c| c == '>' || c == '/' || c.is_whitespace())
        })
        .count() as i32
}

/// A template bullet whose value was a placeholder: `- **Developed by:**`.
fn is_template_residue(text: &str) -> bool {
    if text.starts_with('#') {
        return false;
    }
    let t = text.trim_start_matches(['-', '*', ' ']);
    let t = t.trim_matches('*').trim();
    (t.ends_with(':') || t.ends_with(":**")) && t.len() < 60
}

/// Shortens a line for quoting.
pub fn quote(s: &str) -> String {
    let s = s.trim();
    if s.chars().count() <= 160 {
        return s.to_string();
    }
    let cut: String = s.chars().take(157).collect();
    format!("{cut}…")
}

// Evidence patterns (case-insensitive, word-bounded). Each is a general statement of what a
// card says when it documents a change; none names a repo.
pattern!(
    pub(crate) quant_method,
    r"(?i)\b(gguf|ggml|gptq|awq|exl2|exllama(?:v2)?|bitsandbytes|bnb|hqq|aqlm|mlx(?:-lm)?|qat|quantization[- ]aware|imatrix|auto-?gptq|auto-?awq|llamacpp|quanto|marlin|smoothquant|nf4|fp8|onnx|openvino|neural compressor|optimum|(?:post-training|dynamic|static)\s+(?:\w+\s+)?quanti[sz]ation)\b"
);
// Repo ids and paths inside a line (`unsloth/mistral-7b-bnb-4bit`): not statements.
pattern!(pub(crate) id_token, r"[\w.\-]+/[\w.\-/]+");
// Usage instructions: commands and download notes, not statements about the repo.
pattern!(
    pub(crate) usage,
    r"(?i)^\s*(?:\$\s*)?(?:huggingface-cli|hf\s+download|ollama\s|llama-(?:cli|server)|\./(?:main|llama)|wget\s|curl\s|pip\s|docker\s|lms\s|python\s)|--include|--local-dir|\b(?:download|pull)\s+(?:the\s+)?(?:\S+\s+)?(?:file|quant)"
);
// Data named only as private or in-house: says nothing about what the data is.
pattern!(
    pub(crate) opaque_data,
    r"(?i)\b(?:trained|fine-?tuned|tuned)\s+(?:it\s+)?(?:on|with)\s+(?:a|an|the|our|my)?\s*(?:own\s+)?(?:private|proprietary|internal|in-house|undisclosed|secret|closed)\s+(?:data|dataset|datasets|corpus|data\s*set)\b"
);
pattern!(pub(crate) merge_word, r"(?i)\bmerg(?:e|ed|es|ing)\b");
pattern!(
    pub(crate) merge_line_method,
    r"(?i)\b(?:weight(?:ed)?\s+average|average\s+weights?|averag\w+|linear(?:ly)?|spherical|interpolat\w+)\b"
);
pattern!(
    pub(crate) merge_tool,
    r"\b(?:[Uu]sing|[Vv]ia)\s+(?:the\s+)?(?:[A-Z][\w.\-]+|(?i:mergekit|lazymergekit))"
);
pattern!(
    pub(crate) merge_between,
    r"(?i)\bmerg\w*\s+(?:between|of)\s+\S.{0,100}?\s(?:and|&)\s+\S"
);
pattern!(
    pub(crate) merge_weights,
    r"\d{1,3}(?:\.\d+)?\s?%.{1,80}?\d{1,3}(?:\.\d+)?\s?%"
);
pattern!(
    pub(crate) quant_statement,
    r"(?i)\b(quanti[sz]\w*|convert\w*|format|model files|versions?|contains|provided|made\s+(?:with|using)|created\s+(?:with|using)|using|via)\b"
);
pattern!(
    pub(crate) llamacpp_statement,
    r"(?i)\bllama\.?cpp\b.*\b(quanti[sz]\w*|convert\w*)|\b(created|made|quanti[sz]\w*|convert\w*)\b.*\bllama\.?cpp\b"
);
pattern!(
    pub(crate) precision,
    r"(?i)\b(i?q[1-8]_(?:k_[sml]|k|[01]|xxs|xs|s|m|nl)|[1-8][ -]?bits?|int[2348]|fp(?:4|8)|w[48]a(?:8|16)|group[ _-]?size|groupsize|bpw|bits per weight|act[- ]order|desc_act)\b"
);
pattern!(
    pub(crate) finetune_data,
    r"(?i)\b(?:(?:fine-?tuned|trained|tuned|sft|aligned)\s+(?:it\s+|further\s+|again\s+)?(?:on|with)\s+(?:the\s+|a\s+|our\s+)?(?:[\w.\-/]+\s+){0,6}?(?:data|dataset|datasets|corpus|examples|samples|conversations|dialogues|instructions|pairs|tokens|traces|set|subset|transcripts|opinions|clauses|frames|images|tickets|emails)|using\s+(?:a\s+subset\s+of\s+)?the\s+(?:data|dataset)\s+(?:from|of))"
);
// "The training data is/was/consists …": says what the data is only when it names it.
pattern!(
    pub(crate) data_is,
    r"(?i)\b(?:training|fine-?tuning)\s+(?:data|dataset|datasets|corpus)\s*(?:[:\-]|is|was|were|includes|consists)"
);
pattern!(
    pub(crate) procedure,
    r"(?i)\b(sft|supervised fine-?tuning|dpo|direct preference|rlhf|reinforcement learning|ppo|orpo|kto|grpo|simpo|qlora|lora|full[- ](?:parameter\s+)?fine-?tun\w*|full weights|instruct(?:ion)?\b[^.]{0,40}\bfine[- ]?tun\w*|distill\w*|prun\w*|instruction[- ]tun\w*|instruction fine-?tun\w*|continued pre-?train\w*|pre-?training|post-?training|learning[ _]rate|epochs?|batch[ _]size|warm-?up|optimizer|adamw|training steps|gradient accumulation|dreambooth|merged into the base|synthetic\s+(?:training|data))\b|\blr\s*[=:]?\s*\d"
);
pattern!(
    pub(crate) purpose,
    r"(?i)\b(?:trained|fine-?tuned|tuned|adapted|designed|built|specialized|specialised|optimi[sz]ed)\s+(?:for|to)\s+\w+"
);
pattern!(
    pub(crate) merge_method,
    r"(?i)\b(slerp|ties|dare(?:_ties|_linear)?|model[_ ]stock|passthrough|task[_ ]arithmetic|della|breadcrumbs|arcee[_ ]fusion|nuzzle|frankenmerge|merge[_ ]method)\b"
);
pattern!(pub(crate) yaml_model, r"^\s*-?\s*model\s*:\s*\S");
pattern!(
    pub(crate) models_context,
    r"(?i)\b(models?\s+(?:used|merged|included)|merge\s+of|merged\s+models|following\s+models)\b"
);
// Parents named in card text (undeclared lineage).
pattern!(
    pub(crate) hub_link,
    r"(?i)https?://(?:www\.)?(?:huggingface\.co|hf\.co)/([A-Za-z0-9][\w.\-]*/[A-Za-z0-9][\w.\-]*)"
);
pattern!(
    pub(crate) ticked_id,
    r"[`*]{1,2}([A-Za-z0-9][\w.\-]*/[A-Za-z0-9][\w.\-]*)[`*]{1,2}"
);
pattern!(
    pub(crate) base_context,
    r"(?i)\b(base model|original model|quantized version of|quantised version of|quanti[sz]ations? of|(?:model files|models|files|weights) (?:of|for) \[|fine-?tuned (?:version )?(?:from|of)|based on|built on|derived from|converted (?:to \w+ (?:format )?)?from|trained from)"
);
pattern!(
    pub(crate) quant_context,
    r"(?i)\b(quanti[sz]\w*|gguf|ggml|gptq|awq|exl2|mlx|\d+[ -]?bits?)\b"
);
pattern!(
    pub(crate) yaml_model_ref,
    r#"^\s*-?\s*(?:model|base_model)\s*:\s*["']?([^"'\s#]+)"#
);
pattern!(pub(crate) adapter_base, r#""base_model_name_or_path"\s*:\s*"([^"]+)""#);
// Section headings whose content counts as evidence.
pattern!(
    pub(crate) data_heading,
    r"(?i)\b(training|fine-?tuning)\s+(data|dataset)|^#+\s*(?:the\s+)?datasets?(?:\s+(?:sources?|used))?\s*:?\s*$"
);
pattern!(
    pub(crate) procedure_heading,
    r"(?i)\btraining\s+(procedure|details|hyperparameters|recipe)"
);
pattern!(
    pub(crate) repo_like,
    r"\b[A-Za-z0-9][\w.\-]{0,95}/[A-Za-z0-9][\w.\-]{0,95}\b"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleaning_drops_templates_html_and_urls() {
        let lines = clean(
            "<div>\n<p>Get GGUF 4-bit here</p>\n</div>\n# Title\n- **Developed by:** [More Information Needed]\n<!-- fp16 -->\nSee https://x.io/gguf-4bit\nReal text\n```\ncode\n```\n",
        );
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts, vec!["# Title", "See", "Real text", "code"]);
        assert!(lines[0].heading && lines[3].code);
        let lines = clean("本仓库为X-7B的Int4量化模型，使用AutoGPTQ量化。\n");
        assert_eq!(
            lines[0].text,
            "本仓库为 X-7B 的 Int4 量化模型，使用 AutoGPTQ 量化。"
        );
    }

    #[test]
    fn patterns() {
        assert!(precision().is_match("| llama.Q4_K_M.gguf | Q4_K_M | 4 |"));
        assert!(precision().is_match("4-bit GPTQ, group size 128"));
        assert!(!precision().is_match("a 16-year-old model"));
        assert!(finetune_data().is_match("fine-tuned on 40k US court opinions"));
        assert!(finetune_data().is_match("Trained on the OpenHermes-2.5 dataset for 3 epochs"));
        assert!(!finetune_data().is_match("Finetuned from model: unsloth/gemma-2-9b"));
        assert!(!finetune_data().is_match("trained 2x faster with Unsloth and TRL"));
        assert!(procedure().is_match("QLoRA (4-bit NF4) + LoRA adapters"));
        assert!(!procedure().is_match("trained 2x faster with Unsloth"));
        assert!(merge_method().is_match("merge_method: slerp"));
        assert!(yaml_model().is_match("  - model: mistralai/Mistral-7B-v0.1"));
    }
}
