//! The vocabularies of the "what changed" items and the card templates, read from
//! `vocab.toml` (compiled in): data, not code, so a language or a template is one entry.
//!
//! Each word table becomes one case-insensitive regex over every language; Latin and Cyrillic
//! entries are word-bounded, Chinese, Japanese and Korean entries are not (those scripts do not
//! separate words).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use regex::Regex;
use serde::Deserialize;

const VOCAB: &str = include_str!("vocab.toml");

/// A kind of word the extractors look for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Words {
    /// "trained", "fine-tuned", 微调, дообучена…
    Trained,
    /// "dataset", "corpus", 数据集, データセット…
    Data,
    /// Headings of a data section.
    DataHeading,
    /// Hyperparameters and objectives in words.
    Procedure,
    /// "trained for", 用于, のための…
    Purpose,
    /// "quantized", 量化, 양자화…
    Quantize,
    /// "converted", "made with", 转换, 変換…
    Convert,
    /// "original model", "quants of", 原始模型…
    Source,
    /// "bits" after a number.
    Bits,
    /// "merged", 合并, マージ…
    Merge,
    /// "do not", 请勿, ご遠慮…: what turns a purpose into a restriction.
    Negation,
}

impl Words {
    const ALL: [Words; 11] = [
        Words::Trained,
        Words::Data,
        Words::DataHeading,
        Words::Procedure,
        Words::Purpose,
        Words::Quantize,
        Words::Convert,
        Words::Source,
        Words::Bits,
        Words::Merge,
        Words::Negation,
    ];

    fn key(self) -> &'static str {
        match self {
            Words::Trained => "trained",
            Words::Data => "data",
            Words::DataHeading => "data_heading",
            Words::Procedure => "procedure",
            Words::Purpose => "purpose",
            Words::Quantize => "quantize",
            Words::Convert => "convert",
            Words::Source => "source",
            Words::Bits => "bits",
            Words::Merge => "merge",
            Words::Negation => "negation",
        }
    }
}

/// An auto-generated card: how to recognise it and which of its lines say nothing.
#[derive(Debug)]
pub struct Template {
    /// Its name, for messages.
    pub name: String,
    fingerprint: Regex,
    placeholders: Vec<Regex>,
}

impl Template {
    /// Whether a card (its tags and library as `key: value` lines, then its body) is one.
    pub fn matches(&self, probe: &str) -> bool {
        self.fingerprint.is_match(probe)
    }

    /// Whether a line is one of this template's defaults.
    pub fn is_placeholder(&self, line: &str) -> bool {
        self.placeholders.iter().any(|p| p.is_match(line))
    }
}

#[derive(Deserialize)]
struct File {
    words: BTreeMap<String, BTreeMap<String, Vec<String>>>,
    template: Vec<RawTemplate>,
    generated_datasets: Vec<String>,
}

#[derive(Deserialize)]
struct RawTemplate {
    name: String,
    fingerprint: String,
    placeholders: Vec<String>,
}

struct Vocab {
    words: Vec<(Words, Regex)>,
    bits: Regex,
    templates: Vec<Template>,
    generated_datasets: Vec<Regex>,
}

/// Languages whose scripts do not separate words.
const UNBOUNDED: [&str; 3] = ["zh", "ja", "ko"];

fn compile(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|e| unreachable!("vocab.toml pattern {pattern}: {e}"))
}

fn load() -> Vocab {
    let file: File = toml::from_str(VOCAB).unwrap_or_else(|e| unreachable!("vocab.toml: {e}"));
    let words = Words::ALL
        .iter()
        .map(|&w| {
            let langs = file
                .words
                .get(w.key())
                .unwrap_or_else(|| unreachable!("vocab.toml has no [words.{}]", w.key()));
            let mut bounded = Vec::new();
            let mut unbounded = Vec::new();
            for (lang, list) in langs {
                let into = if UNBOUNDED.contains(&lang.as_str()) {
                    &mut unbounded
                } else {
                    &mut bounded
                };
                into.extend(list.iter().map(|s| format!("(?:{s})")));
            }
            let mut alts = Vec::new();
            if !bounded.is_empty() {
                alts.push(format!(r"\b(?:{})\b", bounded.join("|")));
            }
            if !unbounded.is_empty() {
                alts.push(format!("(?:{})", unbounded.join("|")));
            }
            (w, compile(&format!("(?i){}", alts.join("|"))))
        })
        .collect();
    // A number and a word for bits right after it: `4-bit`, `8 bits`, `4비트`, `4位`, `4 бита`.
    let (mut latin, mut cjk) = (Vec::new(), Vec::new());
    for (lang, list) in file.words.get(Words::Bits.key()).into_iter().flatten() {
        let into = if UNBOUNDED.contains(&lang.as_str()) {
            &mut cjk
        } else {
            &mut latin
        };
        into.extend(list.iter().map(|s| format!("(?:{s})")));
    }
    let bits = compile(&format!(
        r"(?i)(?:^|[^\w.])\d{{1,2}}(?:\.\d{{1,2}})?\s?-?(?:(?:{})(?:$|[^\w])|(?:{}))",
        latin.join("|"),
        cjk.join("|")
    ));
    let templates = file
        .template
        .iter()
        .map(|t| Template {
            fingerprint: compile(&t.fingerprint),
            placeholders: t
                .placeholders
                .iter()
                .map(|p| compile(&format!("(?i){p}")))
                .collect(),
            name: t.name.clone(),
        })
        .collect();
    Vocab {
        words,
        bits,
        templates,
        generated_datasets: file
            .generated_datasets
            .iter()
            .map(|p| compile(&format!("(?i){p}")))
            .collect(),
    }
}

fn vocab() -> &'static Vocab {
    static CELL: OnceLock<Vocab> = OnceLock::new();
    CELL.get_or_init(load)
}

/// The regex of one kind of word, over every language.
pub fn words(w: Words) -> &'static Regex {
    match vocab().words.iter().find(|(k, _)| *k == w) {
        Some((_, re)) => re,
        None => unreachable!("every Words is loaded"),
    }
}

/// Whether `text` has a word of this kind, in any language.
pub fn has(w: Words, text: &str) -> bool {
    words(w).is_match(text)
}

/// A number of bits, in any language (`4-bit`, `5.0bpw`, `4비트`, `8 бит`).
pub fn bits_after_number() -> &'static Regex {
    &vocab().bits
}

/// Whether a dataset id is one a tool generated for its own run (AutoTrain's project data),
/// which names no data.
pub fn is_placeholder_dataset(id: &str) -> bool {
    vocab().generated_datasets.iter().any(|p| p.is_match(id))
}

/// Every known card template.
pub fn templates() -> &'static [Template] {
    &vocab().templates
}

/// Whether a character is Chinese, Japanese or Korean script.
pub fn is_cjk_char(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF    // kana
        | 0x3400..=0x4DBF  // CJK extension A
        | 0x4E00..=0x9FFF  // CJK unified ideographs
        | 0xAC00..=0xD7AF  // Hangul syllables
        | 0x1100..=0x11FF) // Hangul jamo
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_loads_and_every_language_is_there() {
        let file: File = toml::from_str(VOCAB).unwrap();
        for w in Words::ALL {
            let langs = &file.words[w.key()];
            for lang in ["en", "zh", "fr", "es", "de", "ja", "ko", "ru"] {
                assert!(
                    langs.contains_key(lang),
                    "[words.{}] has no {lang}",
                    w.key()
                );
            }
        }
        assert!(templates().len() >= 6);
    }

    #[test]
    fn words_match_in_many_languages_and_on_word_bounds() {
        assert!(has(Words::Trained, "我们在数据集上进行了微调"));
        assert!(has(Words::Trained, "Модель дообучена на датасете"));
        assert!(has(Words::Trained, "adaptateur entraîné sur le corpus"));
        assert!(has(Words::Data, "日本語のデータセットを用いて"));
        assert!(has(Words::Quantize, "4비트 양자화한 모델"));
        assert!(has(Words::Quantize, "versión cuantizada a 8 bits"));
        assert!(has(Words::Convert, "ins GGUF-Format konvertiert"));
        assert!(has(Words::Source, "原始模型：a/b"));
        assert!(has(Words::Bits, "4ビット"));
        for said in [
            "4-bit GPTQ",
            "AutoAWQ로 4비트 양자화",
            "Int4 (4位)",
            "8 бит",
            "5.0bpw",
            "a 4 bits model",
        ] {
            assert!(bits_after_number().is_match(said), "{said}");
        }
        for not in ["a 16-year-old", "v2.5 release", "rank 64"] {
            assert!(!bits_after_number().is_match(not), "{not}");
        }
        // Latin words are word-bounded: "data" is not in "metadata", "aus" not in "Haus".
        assert!(!has(Words::Data, "see the metadata"));
        assert!(!has(Words::Source, "ein Haus"));
    }

    #[test]
    fn cjk_detection() {
        let cjk = |t: &str| t.chars().any(is_cjk_char);
        assert!(cjk("量化模型"));
        assert!(cjk("한국어 모델"));
        assert!(cjk("日本語のモデル"));
        assert!(!cjk("Модель на русском"));
        assert!(!cjk("plain English"));
    }

    #[test]
    fn templates_know_their_placeholders() {
        let keras = templates().iter().find(|t| t.name == "Keras").unwrap();
        assert!(keras.matches("This model was trained from scratch on an unknown dataset."));
        assert!(keras.is_placeholder("| optimizer | None |"));
        assert!(!keras.is_placeholder("- optimizer: {'name': 'AdamW', 'learning_rate': 2e-05}"));
        let trainer = templates()
            .iter()
            .find(|t| t.name == "transformers Trainer")
            .unwrap();
        assert!(trainer
            .is_placeholder("This model is a fine-tuned version of a/b on the None dataset."));
    }
}
