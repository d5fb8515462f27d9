//! One extractor per item of the rubric (`../shared/reference/what-changed.md`): each a small
//! function from what the card states — its metadata, cleaned prose, headings, tables and the
//! repo's own name — to the evidence for that item, or nothing.
//!
//! | relation | items |
//! |---|---|
//! | finetune | [`data`], [`procedure`] |
//! | adapter | [`method`], [`purpose_or_data`] |
//! | merge | [`merge_method`], [`merged_models`] |
//! | quantized / converted | [`format`], [`precision`], [`source`] |
//!
//! Words come from the vocabularies in `vocab.toml` (every language there); numbers,
//! quantization types, method names and repo ids are language-neutral evidence.

use super::subject::{self, RepoFacts};
use super::text::{self, Line};
use super::vocab::{self, Words};
use super::Evidence;
use crate::card::CardMeta;

/// What the extractors read: the card, cleaned, and what is known of its repo.
#[derive(Debug, Clone, Copy)]
pub struct Card<'a> {
    /// The cleaned lines that count (none when the body is someone else's).
    pub lines: &'a [Line],
    /// The card's metadata.
    pub meta: &'a CardMeta,
    /// The repo's id and files.
    pub facts: RepoFacts<'a>,
    /// Whether the body was borrowed (the parent's card, a training template).
    pub borrowed: bool,
}

// Adapter methods, by name or by their parameters (language-neutral), and a rank in words.
pattern!(
    adapter_method,
    r"(?i)\b(q?lora|dora|ia3|\(ia\)3|prefix[- ]tuning|prompt[- ]tuning|p-tuning|loha|lokr|adalora|lycoris|locon|textual inversion|hypernetwork|r\s*=\s*\d+|rank\s*(?:of\s*)?[:=]?\s*\d+|lora_alpha|target[_ ]modules)\b|(?:秩|ランク|랭크|ранг\w*|\brang|\brango)\s*[:=：]?\s*\d"
);
// A name that says which data: an id, a quoted or bracketed name, or a Latin token with a
// capital inside or a digit (`UltraFeedback`, `cmed-qa-200k`).
pattern!(
    named_thing,
    r#"[A-Za-z0-9_.\-]+/[A-Za-z0-9_.\-]+|[「『“"《`][^」』”"》`]{2,}[」』”"》`]|\b[A-Za-z][a-z]+[A-Z][A-Za-z0-9_.\-]*|\b[A-Za-z][A-Za-z0-9_.\-]*\d[A-Za-z0-9_.\-]*"#
);
// A repo id that looks like one: its name has a digit, a hyphen or a dot (`Weighted/imatrix`
// and `GGUF/GGML` are prose, `org/Model-7B` is an id).
pattern!(
    model_id,
    r"\b([A-Za-z0-9][\w.\-]*/[A-Za-z0-9][\w]*[\d.\-][\w.\-]*)"
);
// Lines that point elsewhere: thanks, other quants, see also.
pattern!(
    pointer,
    r"(?i)\b(thanks?|thank you|other|also|see|check out|more|support|donat\w*|ko-?fi|patreon|available|sponsor\w*)\b"
);
// "X model", "X-Modells", "X 模型": the name before it is a model's.
pattern!(
    model_after,
    r"(?i)^[\s\-]{0,2}(?:models?\b|modell\w*|modèle|modelo|模型|モデル|모델|модел\w*)"
);
// Formats: the quantization formats and tools, and safetensors (a conversion's format).
pattern!(
    format_word,
    r"(?i)\bsafetensors\b|\b(gguf|ggml|gptq|awq|exl2|exllama(?:v2)?|bitsandbytes|bnb|hqq|aqlm|mlx(?:-lm)?|imatrix|auto-?gptq|auto-?awq|llamacpp|quanto|nf4|fp8|onnx|openvino|optimum)\b"
);
pattern!(
    trained_on_id,
    r"(?i)\b(?:trained|fine-?tuned|tuned)\s+(?:it\s+)?on\s+(?:the\s+)?([A-Za-z0-9][\w.\-]*/[A-Za-z0-9][\w.\-]*)"
);
pattern!(model_size, r"(?i)\d(?:\.\d+)?[bm]\b|\d+x\d+b\b");
pattern!(
    float_precision,
    r"(?i)\b(bf16|fp16|fp32|f16|f32|bfloat16|float16|float32|half[- ]precision)\b"
);

fn prose(l: &Line) -> bool {
    !l.heading && !l.code
}

fn quoted(item: &'static str, l: &Line) -> Evidence {
    Evidence {
        item,
        quote: text::quote(&l.text),
    }
}

fn meta_quote(item: &'static str, quote: String) -> Evidence {
    Evidence { item, quote }
}

/// The first line that `f` accepts, as evidence for `item`.
fn first(c: &Card<'_>, item: &'static str, f: impl Fn(&Line) -> bool) -> Option<Evidence> {
    c.lines.iter().find(|l| f(l)).map(|l| quoted(item, l))
}

/// A heading that `heading` accepts, followed by a content line before the next heading.
fn section(c: &Card<'_>, item: &'static str, heading: impl Fn(&str) -> bool) -> Option<Evidence> {
    c.lines.iter().enumerate().find_map(|(i, l)| {
        if !(l.heading && heading(&l.text)) {
            return None;
        }
        let next = c.lines[i + 1..]
            .iter()
            .take_while(|x| !x.heading)
            .find(|x| x.text.chars().count() > 12 && !is_table_rule(&x.text))?;
        Some(Evidence {
            item,
            quote: text::quote(&format!("{} — {}", l.text, next.text)),
        })
    })
}

/// A Markdown table's rule line (`| :-- | --- |`): no content.
fn is_table_rule(t: &str) -> bool {
    t.chars()
        .all(|ch| matches!(ch, '|' | '-' | ':' | ' ' | '+'))
}

/// Text of a line as a statement: repo ids and paths removed (a `…-4bit` parent id says
/// nothing about this repo's precision).
fn statement(l: &Line) -> String {
    text::id_token().replace_all(&l.text, " ").into_owned()
}

fn list(ids: &[crate::id::RepoId]) -> String {
    ids.iter()
        .map(|b| b.name().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether a line says what data, in any language: the English phrasings ("fine-tuned on the
/// X dataset"), or a training word, a data word and a name on one line.
fn names_data(c: &Card<'_>, l: &Line) -> bool {
    if !prose(l) || text::opaque_data().is_match(&l.text) {
        return false;
    }
    if text::finetune_data().is_match(&l.text) {
        return true;
    }
    // "fine-tuned on org/name": a dataset id (no parameter count: `org/Model-7B` is a model).
    if trained_on_id()
        .captures_iter(&l.text)
        .any(|m| !model_size().is_match(&m[1]))
    {
        return true;
    }
    if text::data_is().is_match(&l.text) {
        return data_named_near(c, &l.text);
    }
    vocab::has(Words::Trained, &l.text) && data_named_near(c, &l.text)
}

/// Whether a data word has a name within a few words of it (80 bytes either side) that is no
/// method and no model: not this repo's or a declared parent's name, and no parameter count
/// (`7B`, `8x7b`, `330M` name models, not data).
fn data_named_near(c: &Card<'_>, t: &str) -> bool {
    let models: Vec<String> = c
        .facts
        .id
        .into_iter()
        .chain(c.meta.base_models.iter())
        .map(|id| norm(id.name().rsplit('/').next().unwrap_or(id.name())))
        .collect();
    let names: Vec<(usize, usize)> = named_thing()
        .find_iter(t)
        .filter(|m| {
            let s = m.as_str();
            let bare = norm(s.rsplit('/').next().unwrap_or(s));
            !text::procedure().is_match(s)
                && !adapter_method().is_match(s)
                && !model_size().is_match(s)
                && !model_after().is_match(&t[m.end()..])
                && !models.contains(&bare)
        })
        .map(|m| (m.start(), m.end()))
        .collect();
    vocab::words(Words::Data).find_iter(t).any(|d| {
        names
            .iter()
            .any(|&(a, b)| a <= d.end() + 80 && d.start() <= b + 80)
    })
}

/// Letters and digits only, lowercased.
fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn data_heading(h: &str) -> bool {
    text::data_heading().is_match(h) || vocab::has(Words::DataHeading, h)
}

/// The declared datasets, less the ids a tool generated (AutoTrain's project data).
fn datasets(c: &Card<'_>) -> Vec<crate::id::RepoId> {
    c.meta
        .datasets
        .iter()
        .filter(|d| !vocab::is_placeholder_dataset(d.name()))
        .cloned()
        .collect()
}

/// Finetune item: what it was trained on.
pub fn data(c: &Card<'_>) -> Option<Evidence> {
    let declared = datasets(c);
    if !declared.is_empty() {
        return Some(meta_quote("data", format!("datasets: {}", list(&declared))));
    }
    first(c, "data", |l| names_data(c, l)).or_else(|| section(c, "data", data_heading))
}

/// Finetune item: how it was trained (method, epochs, steps, learning rate, objective).
pub fn procedure(c: &Card<'_>) -> Option<Evidence> {
    first(c, "procedure", |l| {
        prose(l) && (text::procedure().is_match(&l.text) || vocab::has(Words::Procedure, &l.text))
    })
    .or_else(|| section(c, "procedure", |h| text::procedure_heading().is_match(h)))
}

/// Adapter item: the method (LoRA, QLoRA, IA3, prefix tuning…, with or without its rank).
/// The repo name does not count: "lora" in a name is the relation, not a statement.
pub fn method(c: &Card<'_>) -> Option<Evidence> {
    first(c, "method", |l| {
        !l.heading && adapter_method().is_match(&l.text)
    })
}

/// Adapter item: what it was trained on, or for.
pub fn purpose_or_data(c: &Card<'_>) -> Option<Evidence> {
    const ITEM: &str = "purpose or data";
    let declared = datasets(c);
    if !declared.is_empty() {
        return Some(meta_quote(ITEM, format!("datasets: {}", list(&declared))));
    }
    first(c, ITEM, |l| {
        names_data(c, l) || (prose(l) && states_purpose(&l.text))
    })
    .or_else(|| section(c, ITEM, data_heading))
}

/// Whether a text says what something is for — and not what it must not be used for ("do not
/// use for commercial purposes", 请勿用于商业用途): a negation in the same sentence, a few
/// words before or after, makes it a restriction.
fn states_purpose(t: &str) -> bool {
    text::purpose()
        .find_iter(t)
        .chain(vocab::words(Words::Purpose).find_iter(t))
        .any(|m| !negated(t, m.start(), m.end()))
}

/// Whether a negation word sits in the same sentence as `t[start..end]`, within 30 bytes.
fn negated(t: &str, start: usize, end: usize) -> bool {
    let floor = |mut i: usize| {
        while !t.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let before = &t[floor(start.saturating_sub(30))..start];
    let before = before
        .rfind(['.', '。', '!', '！', '?', '？', ';'])
        .map_or(before, |i| &before[i..]);
    let after = &t[end..floor((end + 30).min(t.len()))];
    let after = after
        .find(['.', '。', '!', '！', '?', '？', ';'])
        .map_or(after, |i| &after[..i]);
    vocab::has(Words::Negation, before) || vocab::has(Words::Negation, after)
}

/// Merge item: the method (slerp, ties, dare, linear, "average"…).
pub fn merge_method(c: &Card<'_>) -> Option<Evidence> {
    first(c, "merge method", |l| {
        text::merge_method().is_match(&l.text)
            || ((text::merge_word().is_match(&l.text) || vocab::has(Words::Merge, &l.text))
                && (text::merge_line_method().is_match(&l.text)
                    || text::merge_tool().is_match(&l.text)))
    })
}

/// Merge item: the merged models (two or more bases, a configuration, a list or a sentence).
pub fn merged_models(c: &Card<'_>) -> Option<Evidence> {
    const ITEM: &str = "merged models";
    if c.meta.base_models.len() >= 2 {
        return Some(meta_quote(
            ITEM,
            format!("base_model: {}", list(&c.meta.base_models)),
        ));
    }
    first(c, ITEM, |l| l.code && text::yaml_model().is_match(&l.text))
        .or_else(|| {
            first(c, ITEM, |l| {
                !l.code
                    && (text::merge_between().is_match(&l.text)
                        || ((text::merge_word().is_match(&l.text)
                            || vocab::has(Words::Merge, &l.text))
                            && text::merge_weights().is_match(&l.text)))
            })
        })
        .or_else(|| listed_models(c))
}

/// "Models merged:" followed by a list of ids.
fn listed_models(c: &Card<'_>) -> Option<Evidence> {
    c.lines.iter().enumerate().find_map(|(i, l)| {
        if !text::models_context().is_match(&l.text) {
            return None;
        }
        let items: Vec<&Line> = c.lines[i + 1..]
            .iter()
            .take(12)
            .filter(|x| {
                (x.text.starts_with('-') || x.text.starts_with('*'))
                    && text::repo_like().is_match(&x.text)
            })
            .collect();
        (!items.is_empty()).then(|| Evidence {
            item: "merged models",
            quote: text::quote(&format!(
                "{} — {}",
                l.text,
                items
                    .iter()
                    .map(|x| x.text.trim_start_matches(['-', '*', ' ']))
                    .collect::<Vec<_>>()
                    .join("; ")
            )),
        })
    })
}

/// A line of prose that states this repo's format: a format or tool name with a verb of
/// making, converting or quantizing (any language) — not a usage note.
pub fn states_format(l: &Line) -> bool {
    let t = statement(l);
    prose(l)
        && !text::usage().is_match(&l.text)
        && ((format_word().is_match(&t)
            && (text::quant_statement().is_match(&t)
                || vocab::has(Words::Convert, &t)
                || vocab::has(Words::Quantize, &t)))
            || text::llamacpp_statement().is_match(&t))
}

/// The body's statement of a format, if any.
pub fn format_in_body(c: &Card<'_>) -> Option<Evidence> {
    first(c, "format", states_format)
}

/// Quantization item: the format or method (GGUF, GPTQ, AWQ, EXL2, MLX, ONNX…), from the
/// body, the tags, the library or the repo name.
pub fn format(c: &Card<'_>) -> Option<Evidence> {
    let tags = c.meta.tags.join(", ");
    format_in_body(c)
        .or_else(|| {
            text::quant_method()
                .is_match(&tags)
                .then(|| meta_quote("format", format!("tags: {tags}")))
        })
        .or_else(|| {
            let lib = c.meta.library_name.as_deref()?;
            text::quant_method()
                .is_match(lib)
                .then(|| meta_quote("format", format!("library_name: {lib}")))
        })
        .or_else(|| {
            let id = c.facts.id?;
            let (f, _) = subject::name_statements(id);
            f.map(|f| meta_quote("format", format!("repo name {} ({f})", id.name())))
        })
}

/// Whether a text states a precision: a quantization type, a number of bits in any
/// language, a float width.
pub fn states_precision(t: &str) -> bool {
    text::precision().is_match(t)
        || vocab::bits_after_number().is_match(t)
        || float_precision().is_match(t)
}

/// Quantization item: the precision (bits, Q4_K_M, IQ4_XS, Int4, bf16, 5.0bpw…), from a
/// statement or a table of the provided files, the tags or the repo name. A usage example
/// ("download the Q4_K_M file") counts only beside a statement of the format.
pub fn precision(c: &Card<'_>, format_said: bool) -> Option<Evidence> {
    let tags = c.meta.tags.join(", ");
    first(c, "precision", |l| {
        prose(l) && !text::usage().is_match(&l.text) && states_precision(&statement(l))
    })
    .or_else(|| {
        text::precision()
            .is_match(&tags)
            .then(|| meta_quote("precision", format!("tags: {tags}")))
    })
    .or_else(|| {
        let id = c.facts.id?;
        let (_, p) = subject::name_statements(id);
        p.map(|p| meta_quote("precision", format!("repo name {} ({p})", id.name())))
    })
    .or_else(|| {
        if !format_said {
            return None;
        }
        first(c, "precision", |l| states_precision(&statement(l)))
    })
}

/// Whether a line names another model as where this one came from, in any language.
fn names_source(c: &Card<'_>, l: &Line) -> bool {
    if l.heading || text::usage().is_match(&l.text) || pointer().is_match(&l.text) {
        return false;
    }
    let own = c.facts.id.map(|i| i.name().to_ascii_lowercase());
    let own_name = c
        .facts
        .id
        .map(|i| norm(i.name().rsplit('/').next().unwrap_or(i.name())));
    let other = model_id().captures_iter(&l.text).any(|m| {
        let id = m[1].trim_end_matches(['.', ',']).to_ascii_lowercase();
        own.as_deref() != Some(id.as_str())
    }) || named_thing().find_iter(&statement(l)).any(|m| {
        // A model named without its owner: a name with a parameter count, not this repo's.
        let s = m.as_str();
        model_size().is_match(s)
            && !text::precision().is_match(s)
            && own_name.as_deref() != Some(norm(s).as_str())
    });
    other
        && (vocab::has(Words::Source, &l.text)
            || vocab::has(Words::Quantize, &l.text)
            || vocab::has(Words::Convert, &l.text))
}

/// Quantization item: the model it was made from — the declared base (unless the body is
/// the parent's own card and the base is not this repo's source), a line naming it, or the
/// title of a body that states the format.
pub fn source(c: &Card<'_>, format_said: bool) -> Option<Evidence> {
    let declared: Vec<crate::id::RepoId> = c
        .meta
        .base_models
        .iter()
        .filter(|b| !c.borrowed || subject::source_matches_name(c.facts, b))
        .cloned()
        .collect();
    if !declared.is_empty() {
        return Some(meta_quote(
            "source",
            format!("base_model: {}", list(&declared)),
        ));
    }
    first(c, "source", |l| names_source(c, l)).or_else(|| {
        if !format_said {
            return None;
        }
        subject::title_names_source(c.facts, c.lines)
            .map(|t| meta_quote("source", format!("title: {t}")))
    })
}

/// What makes a repo whose relation is only the Hub's default a conversion: its name states a
/// format or a quantized precision, or its card states a format. `None` when nothing does.
pub fn conversion(c: &Card<'_>) -> Option<String> {
    if let Some(id) = c.facts.id {
        let (f, p) = subject::name_statements(id);
        let quantized_precision = p.filter(|p| !float_precision().is_match(p));
        if let Some(what) = f.or(quantized_precision) {
            return Some(format!("its name {} states {what}", id.name()));
        }
    }
    c.lines
        .iter()
        .find(|l| states_format(l) && !pointer().is_match(&l.text))
        .map(|l| format!("its card states \"{}\"", text::quote(&l.text)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card::parse_card;
    use crate::id::{RepoId, RepoKind};

    /// Runs an extractor on a card of `repo`.
    fn on<T>(repo: &str, card: &str, f: impl Fn(&Card<'_>) -> T) -> T {
        let parsed = parse_card(card, RepoKind::Model);
        let id = RepoId::parse(repo, RepoKind::Model).unwrap();
        let lines = text::clean(&parsed.body);
        let c = Card {
            lines: &lines,
            meta: &parsed.meta,
            facts: RepoFacts {
                id: Some(&id),
                files: &[],
                default_relation: false,
            },
            borrowed: false,
        };
        f(&c)
    }

    fn found(repo: &str, card: &str, f: impl Fn(&Card<'_>) -> Option<Evidence>) -> bool {
        on(repo, card, f).is_some()
    }

    #[test]
    fn data_is_named_in_any_language_and_vague_data_is_not() {
        for said in [
            "---\ndatasets: [a/b]\n---\nHi.\n",
            "Fine-tuned on the OpenHermes-2.5 dataset.\n",
            "我们在 x/med-qa 数据集上进行了微调。\n",
            "Модель дообучена на датасете x/ru-inst.\n",
            "Entraîné sur le corpus x/juridique.\n",
            "日本語の指示データセット x/ja-inst を用いて学習しました。\n",
            "## Training data\nTwelve thousand support tickets from our help desk.\n",
            "## 训练数据\n我们使用了二十万条中文医疗问答对。\n",
        ] {
            assert!(found("me/m", said, data), "{said}");
        }
        for vague in [
            "This version uses a larger dataset than before.\n",
            "Improved with more data.\n",
            "Trained on our own private dataset.\n",
            "我们使用了更多的数据进行训练。\n",
        ] {
            assert!(!found("me/m", vague, data), "{vague}");
        }
    }

    #[test]
    fn procedure_in_words_or_numbers() {
        for said in [
            "SFT for 3 epochs.\n",
            "- learning_rate: 2e-05\n",
            "学习率 2e-5，训练 3 个 epoch。\n",
            "Обучение: 3 эпохи, скорость обучения 2e-5.\n",
            "Lernrate 1e-4, zwei Epochen.\n",
        ] {
            assert!(found("me/m", said, procedure), "{said}");
        }
        assert!(!found(
            "me/m",
            "Fine-tuned for better results.\n",
            procedure
        ));
    }

    #[test]
    fn adapter_method_and_purpose() {
        assert!(found("me/m", "A LoRA adapter.\n", method));
        assert!(found("me/m", "本适配器使用秩 8 的适配。\n", method));
        assert!(
            !found("me/m-lora", "A fine adapter.\n", method),
            "the name is not a statement"
        );
        assert!(found(
            "me/m",
            "QLoRA adapter trained for SQL generation.\n",
            purpose_or_data
        ));
        assert!(found("me/m", "本适配器用于文言文翻译。\n", purpose_or_data));
        assert!(!found("me/m", "A LoRA adapter.\n", purpose_or_data));
    }

    #[test]
    fn merge_items() {
        assert!(found("me/m", "Merged with SLERP.\n", merge_method));
        assert!(found(
            "me/m",
            "---\nbase_model: [a/b, c/d]\n---\n",
            merged_models
        ));
        assert!(found(
            "me/m",
            "```yaml\nmodels:\n  - model: a/b\n```\n",
            merged_models
        ));
        assert!(!found("me/m", "A merge. Try it!\n", merge_method));
        assert!(!found("me/m", "A merge. Try it!\n", merged_models));
    }

    #[test]
    fn format_precision_and_source_of_a_quantization() {
        let zh = "本仓库提供 [X-13B](https://huggingface.co/o/X-13B) 的 Int4 量化模型，使用 AutoGPTQ 量化。\n";
        assert!(found("me/m", zh, format));
        assert!(on("me/m", zh, |c| precision(c, false)).is_some());
        assert!(on("me/m", zh, |c| source(c, false)).is_some());
        let ko = "[o/Y-8B](https://huggingface.co/o/Y-8B)를 AutoAWQ로 4비트 양자화한 모델입니다.\n";
        assert!(on("me/m", ko, |c| precision(c, false)).is_some());
        let imatrix =
            "Weighted/imatrix quants of https://huggingface.co/o/Z-12B\n| i1-IQ3_M | 5.8 |\n";
        assert!(on("me/m", imatrix, |c| source(c, false)).is_some());
        assert!(on("me/m", imatrix, |c| precision(c, false)).is_some());
        // A link to other quants, or to this repo's own files, is not the source.
        assert!(on(
            "q/Z-12B-GGUF",
            "Thanks to https://huggingface.co/o/Other-7B for the quants.\n",
            |c| source(c, false)
        )
        .is_none());
        assert!(on(
            "q/Z-12B-GGUF",
            "[GGUF](https://huggingface.co/q/Z-12B-GGUF/resolve/main/z.gguf) quants\n",
            |c| source(c, false)
        )
        .is_none());
        // "Weighted/imatrix" is prose, not an id.
        assert!(on("me/m", "Weighted/imatrix quants.\n", |c| source(c, false)).is_none());
        // From the name alone.
        assert!(found("me/X-GGUF", "Hi.\n", format));
        assert!(on("me/X-Q4_K_M", "Hi.\n", |c| precision(c, false)).is_some());
    }

    #[test]
    fn conversions_are_stated_by_name_or_card() {
        let c = |repo: &str, card: &str| on(repo, card, conversion);
        assert!(c("me/X-MLX-bf16", "Hi.\n").is_some());
        assert!(c("me/X-4bit", "Hi.\n").is_some());
        assert!(c("me/X", "Converted to MLX format from o/X using mlx-lm.\n").is_some());
        assert!(c("me/X", "Mit llama.cpp ins GGUF-Format konvertiert.\n").is_some());
        // A float width in the name is no conversion; nor is a pointer to other formats.
        assert!(c("me/X-bf16", "Hi.\n").is_none());
        assert!(c("me/X-medical", "Fine-tuned on o/medqa.\n").is_none());
        assert!(c("me/X", "GGUF versions are available at o/X-GGUF.\n").is_none());
    }
}
