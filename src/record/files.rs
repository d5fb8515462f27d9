//! What a repo's files say about its relation to its parents, and the rules that decide a
//! relation when neither the Hub nor the card does.

use crate::card::CardMeta;
use crate::relation::Relation;

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
