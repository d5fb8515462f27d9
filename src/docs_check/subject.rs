//! What is known about the repo a card belongs to, besides the card: its id and its files.
//!
//! The repo name is what the publisher chose to write, so for a quantization it counts as a
//! statement of format (`-GGUF`, `-MLX`, `-AWQ`, `.gguf`) and of precision (`-4bit`, `-bf16`,
//! `-Q4_K_M`, `-5.0bpw`, `-int8`; `-NF4` says both). Its files are evidence of what exists, not
//! of what the card explains: they never change a verdict, but a finding names what they show.
//!
//! A card can be someone else's: a quantization or adapter whose body is the parent's model
//! card (its title names the parent), or an auto-generated training template (Unsloth's
//! "Uploaded model", the PEFT template). Such a body documents the parent, not this repo.

use super::text::Line;
use crate::card::CardMeta;
use crate::id::RepoId;
use crate::relation::Relation;

/// The repo being judged: its id and file names, when known.
#[derive(Debug, Clone, Copy, Default)]
pub struct RepoFacts<'a> {
    /// The repo's id (`None` for a draft card judged on its own).
    pub id: Option<&'a RepoId>,
    /// The repo's file names (the Hub's `siblings`), when known.
    pub files: &'a [String],
    /// Whether the relation is only the Hub's default (`finetune` with no declared relation and
    /// nothing in the files): a card or name that states a conversion is then judged as one.
    pub default_relation: bool,
}

// A name part: delimited by `-`, `_`, `.` or the ends.
pattern!(
    name_format,
    r"(?i)(?:^|[-_.])(gguf|ggml|gptq|awq|exl2|mlx|bnb|nf4|hqq|aqlm|onnx|bitsandbytes|openvino)(?:$|[-_.])"
);
pattern!(
    name_precision,
    r"(?i)(?:^|[-_.])(\d{1,2}[-_]?bits?|\d+(?:\.\d+)?[-_]?bpw|b?f16|fp(?:8|16|32)|bf16|int[2348]|nf4|w[48]a(?:8|16)|i?q[1-8]_(?:k_[sml]|k|[01]|xxs|xs|s|m|nl)|q[1-8]_[01]|q[48])(?:$|[-_.])"
);
// Suffixes a derivative's name adds to its parent's.
pattern!(
    derivative_suffix,
    r"(?i)[-_.](gguf|ggml|gptq|awq|exl2|mlx|bnb|nf4|hqq|aqlm|onnx|imatrix|i?mat|\d{1,2}[-_]?bits?|\d+(?:\.\d+)?[-_]?bpw|b?f16|fp(?:8|16|32)|bf16|int[2348]|w[48]a(?:8|16)|i?q[1-8]_(?:k_[sml]|k|[01]|xxs|xs|s|m|nl)|q[1-8]_[01]|q[48]|lora|qlora|peft|adapters?|quanti[sz]ed|quants?|hf|dynamic|static)$"
);
pattern!(
    training_template,
    r"(?i)trained \d+x faster with|^#+\s*uploaded\s+model\b|^#+\s*model card for model id\b|finetuned from model\s*:"
);

/// The name part of an id (`owner/name` → `name`).
fn name_of(id: &RepoId) -> &str {
    id.name().rsplit('/').next().unwrap_or(id.name())
}

/// Letters and digits only, lowercased: how names are compared.
fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The repo name without the suffixes a derivative adds (`X-Q4_K_M-GGUF` → `X`).
pub fn stripped_name(name: &str) -> String {
    let mut s = name.to_string();
    loop {
        let cut = derivative_suffix().find(&s).map(|m| m.start());
        match cut {
            Some(at) if at > 0 => s.truncate(at),
            _ => return s,
        }
    }
}

/// Format and precision as the repo name states them (first token of each).
pub fn name_statements(id: &RepoId) -> (Option<String>, Option<String>) {
    let name = name_of(id);
    let format = name_format().captures(name).map(|c| c[1].to_string());
    let precision = name_precision().captures(name).map(|c| c[1].to_string());
    // NF4 is bitsandbytes' 4-bit format: a statement of both.
    let format = format.or_else(|| {
        precision
            .as_deref()
            .filter(|p| p.eq_ignore_ascii_case("nf4"))
            .map(str::to_string)
    });
    (format, precision)
}

/// The card's title (its first heading), without `#` and any `owner/` prefix.
fn title(lines: &[Line]) -> Option<String> {
    let h = lines.iter().find(|l| l.heading)?;
    let t = h.text.trim_start_matches('#').trim();
    Some(t.rsplit('/').next().unwrap_or(t).trim().to_string())
}

/// Whether the body is somebody else's: an auto-generated training template, or the parent's
/// card (its title names the repo this one derives from, not this repo).
///
/// A training template counts as borrowed only in a quantization (in a fine-tune or adapter it
/// is the repo's own, if empty, description; its filled-in fields still count).
pub fn borrowed_body(
    facts: RepoFacts<'_>,
    meta: &CardMeta,
    lines: &[Line],
    relation: Relation,
) -> bool {
    if relation == Relation::Quantized
        && lines.iter().any(|l| training_template().is_match(&l.text))
    {
        return true;
    }
    let (Some(id), Some(t)) = (facts.id, title(lines)) else {
        return false;
    };
    let (own, t) = (norm(name_of(id)), norm(&t));
    if t.is_empty() || t == own {
        return false;
    }
    // A quantization titled with its parent's name (its own less `-GGUF`, `-4bit` …) carries
    // the parent's card; any derivative titled with a declared parent's name does too.
    let parent = norm(&stripped_name(name_of(id)));
    (relation == Relation::Quantized && t == parent)
        || meta.base_models.iter().any(|b| norm(name_of(b)) == t)
}

/// Whether a declared parent is plausibly this derivative's own source: its name is the repo
/// name less the derivative's suffixes (or contained in it).
pub fn source_matches_name(facts: RepoFacts<'_>, base: &RepoId) -> bool {
    let Some(id) = facts.id else { return true };
    let (base, own) = (norm(name_of(base)), norm(&stripped_name(name_of(id))));
    !base.is_empty() && (own == base || own.contains(&base) || base.contains(&own))
}

/// The card's title as a statement of the source (a name other than this repo's own).
pub fn title_names_source(facts: RepoFacts<'_>, lines: &[Line]) -> Option<String> {
    let id = facts.id?;
    let t = title(lines)?;
    (norm(&t) != norm(name_of(id)) && norm(&t).len() >= 3).then_some(t)
}

/// What the files show, for the finding's message: quantization types in `.gguf` names, an
/// adapter configuration, a quantization configuration.
pub fn file_notes(files: &[String]) -> Vec<String> {
    let mut quants: Vec<String> = Vec::new();
    let mut ggufs = 0usize;
    let mut notes = Vec::new();
    for f in files {
        let base = f.rsplit('/').next().unwrap_or(f);
        let lower = base.to_ascii_lowercase();
        if lower.ends_with(".gguf") {
            ggufs += 1;
            let stem = &base[..base.len() - 5];
            if let Some(c) = name_precision().captures(stem) {
                let q = c[1].to_ascii_uppercase();
                if !quants.contains(&q) {
                    quants.push(q);
                }
            }
        }
        if lower == "adapter_config.json" {
            notes.push("adapter_config.json (a PEFT adapter)".to_string());
        }
        if lower == "quantize_config.json" || lower == "quant_config.json" {
            notes.push(format!("{base} (a quantization configuration)"));
        }
    }
    if ggufs > 0 {
        let types = if quants.is_empty() {
            String::new()
        } else {
            format!(": {}", quants.join(", "))
        };
        notes.insert(0, format!("{ggufs} .gguf file(s){types}"));
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::RepoKind;

    fn id(s: &str) -> RepoId {
        RepoId::parse(s, RepoKind::Model).unwrap()
    }

    #[test]
    fn repo_names_state_format_and_precision() {
        let cases = [
            ("q/Llama-3-8B-GGUF", Some("GGUF"), None),
            ("q/Qwen3-14B-4bit", None, Some("4bit")),
            ("q/m-Q4_K_M-GGUF", Some("GGUF"), Some("Q4_K_M")),
            ("q/travel-7B-5.0bpw-exl2", Some("exl2"), Some("5.0bpw")),
            ("q/x-NF4", Some("NF4"), Some("NF4")),
            ("q/x-bf16", None, Some("bf16")),
            ("q/Arch-Router-1.5B.gguf", Some("gguf"), None),
            ("q/bitnet_b1_58-xl_q8_0_gguf", Some("gguf"), Some("q8_0")),
            ("q/Mistral-7B-Instruct", None, None),
            ("q/gguf-fan-model", Some("gguf"), None),
        ];
        for (name, f, p) in cases {
            let (gf, gp) = name_statements(&id(name));
            assert_eq!((gf.as_deref(), gp.as_deref()), (f, p), "{name}");
        }
    }

    #[test]
    fn stripped_names_drop_derivative_suffixes() {
        assert_eq!(
            stripped_name("Llama-3-8B-Instruct-Q4_K_M-GGUF"),
            "Llama-3-8B-Instruct"
        );
        assert_eq!(
            stripped_name("travel-mistral-7B-5.0bpw-exl2"),
            "travel-mistral-7B"
        );
        assert_eq!(stripped_name("Arch-Router-1.5B.gguf"), "Arch-Router-1.5B");
        assert_eq!(stripped_name("GGUF"), "GGUF");
    }

    #[test]
    fn files_are_named_not_judged() {
        let files = vec![
            "m.Q4_K_M.gguf".to_string(),
            "m.Q8_0.gguf".to_string(),
            "adapter_config.json".to_string(),
        ];
        assert_eq!(
            file_notes(&files),
            vec![
                "2 .gguf file(s): Q4_K_M, Q8_0".to_string(),
                "adapter_config.json (a PEFT adapter)".to_string()
            ]
        );
    }
}
