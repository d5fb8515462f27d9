//! Card parsing: frontmatter split, bounded YAML, typed metadata, findings for bad fields.
//!
//! One parser serves local files, snapshot READMEs and crawled cards. It never fails: a card
//! that cannot be read yields empty metadata plus findings that say why. [`parse_card`] takes
//! the raw README text; [`CardMeta::from_value`] takes already-parsed metadata (the API's
//! `cardData`), so both paths apply the same field rules.

pub mod yaml;

use thin_vec::ThinVec;

use crate::finding::{Code, Finding, Severity};
use crate::id::{RepoId, RepoKind};
use crate::out_of_line::{OutOfLine, Rare};
use crate::relation::Relation;
pub use yaml::Value;

/// Cards larger than this are refused whole (their metadata is not read).
pub const MAX_CARD_BYTES: usize = 16 * 1024 * 1024;
/// Frontmatter larger than this is refused.
pub const MAX_FRONTMATTER_BYTES: usize = 512 * 1024;
/// The body kept for text analyses; the rest is dropped.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Typed card metadata. Every list is deduplicated and in card order.
///
/// Fields most cards lack are kept out of line ([`CardExtra`], behind [`CardMeta::extra`]):
/// whole-Hub graphs hold millions of these inline.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CardMeta {
    /// `base_model` (or legacy `finetuned_from`): the direct parents.
    pub base_models: ThinVec<RepoId>,
    /// `base_model_relation`, when it holds one of the Hub's four values.
    pub base_model_relation: Option<Relation>,
    /// `license`, lowercased; a list when the card gives several.
    pub licenses: ThinVec<String>,
    /// `datasets`: training data (models) or data used (Spaces).
    pub datasets: ThinVec<RepoId>,
    /// `tags`.
    pub tags: ThinVec<String>,
    /// `library_name`.
    pub library_name: Option<String>,
    /// `pipeline_tag`.
    pub pipeline_tag: Option<String>,
    /// Space cards: `models`.
    pub models: ThinVec<RepoId>,
    /// The fields few cards fill in (absent, and one pointer, on most).
    pub extra: OutOfLine<CardExtra>,
}

/// The card fields few cards fill in.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CardExtra {
    /// `license_name` (with `license: other`).
    pub license_name: Option<String>,
    /// `license_link` (with `license: other`).
    pub license_link: Option<String>,
    /// `new_version`.
    pub new_version: Option<RepoId>,
    /// Dataset cards: `source_datasets` that name Hub datasets.
    pub source_datasets: ThinVec<RepoId>,
    /// Space cards: `duplicated_from`.
    pub duplicated_from: Option<RepoId>,
    /// Space cards: repos named in `preload_from_hub`.
    pub preload_from_hub: ThinVec<RepoId>,
}

impl Rare for CardExtra {
    const EMPTY: &'static CardExtra = &CardExtra {
        license_name: None,
        license_link: None,
        new_version: None,
        source_datasets: ThinVec::new(),
        duplicated_from: None,
        preload_from_hub: ThinVec::new(),
    };
}

impl CardMeta {
    /// `license_name` (with `license: other`).
    pub fn license_name(&self) -> Option<&str> {
        self.extra.get().license_name.as_deref()
    }

    /// `license_link` (with `license: other`).
    pub fn license_link(&self) -> Option<&str> {
        self.extra.get().license_link.as_deref()
    }
}

impl CardMeta {
    /// The declared license as one string: the id, or several joined by `", "`; `None` if the
    /// card declares none.
    pub fn declared_license(&self) -> Option<String> {
        if self.licenses.is_empty() {
            None
        } else {
            Some(self.licenses.join(", "))
        }
    }
}

/// A parsed card: metadata, the body text and findings about the card itself.
#[derive(Debug, Clone, Default)]
pub struct Card {
    /// Typed metadata.
    pub meta: CardMeta,
    /// The Markdown after the frontmatter (at most [`MAX_BODY_BYTES`]).
    pub body: String,
    /// Findings about the card (no node ids yet: the caller knows whose card it is).
    pub findings: ThinVec<Finding>,
}

/// Splits a README into (frontmatter YAML, body). `None` when there is no frontmatter block.
///
/// The Hub's own pattern (huggingface_hub repocard.py), anchored at the start of the text:
/// `\A(\s*---(?:\r\n|\r|\n))([\S\s]*?)((?:\r\n|\r|\n)---[ \t]*(?:\r\n|\n|\z))`, matched
/// by a scan rather than a backtracking regex (millions of cards): leading whitespace, `---` and
/// a line break open the block; the first line break followed by `---`, spaces or tabs, and a
/// line break or the end closes it.
pub fn split_frontmatter(text: &str) -> Option<(&str, &str)> {
    let rest = text.trim_start();
    let after_dashes = text.len() - rest.len() + 3;
    if !rest.starts_with("---") {
        return None;
    }
    let b = text.as_bytes();
    // The opening line break: `\r\n` first; a lone `\r` is what the pattern falls back to
    // when no block closes after `\r\n` (then the `\n` starts the block).
    let starts = match b.get(after_dashes) {
        Some(b'\r') if b.get(after_dashes + 1) == Some(&b'\n') => {
            [Some(after_dashes + 2), Some(after_dashes + 1)]
        }
        Some(b'\r' | b'\n') => [Some(after_dashes + 1), None],
        _ => return None,
    };
    starts.into_iter().flatten().find_map(|start| {
        let end = closing(b, start)?;
        Some((&text[start..end.0], &text[end.1..]))
    })
}

/// The first closing line at or after `from`: (where the YAML ends, where the body starts).
fn closing(b: &[u8], from: usize) -> Option<(usize, usize)> {
    let mut p = from;
    while p < b.len() {
        let nl = match b[p] {
            b'\r' if b.get(p + 1) == Some(&b'\n') => 2,
            b'\r' | b'\n' => 1,
            _ => {
                p += 1;
                continue;
            }
        };
        let mut q = p + nl;
        if b[q..].starts_with(b"---") {
            q += 3;
            while matches!(b.get(q), Some(b' ' | b'\t')) {
                q += 1;
            }
            match (b.get(q), b.get(q + 1)) {
                (None, _) => return Some((p, q)),
                (Some(b'\n'), _) => return Some((p, q + 1)),
                (Some(b'\r'), Some(b'\n')) => return Some((p, q + 2)),
                _ => {}
            }
        }
        p += 1;
    }
    None
}

/// Parses a README.md of the given kind. Never fails; problems become findings.
///
/// ```
/// use hf_lineage::card::parse_card;
/// use hf_lineage::RepoKind;
/// let card = parse_card("---\nbase_model: a/b\nlicense: MIT\n---\n# Hi\n", RepoKind::Model);
/// assert_eq!(card.meta.base_models[0].name(), "a/b");
/// assert_eq!(card.meta.declared_license().as_deref(), Some("mit"));
/// let broken = parse_card("---\nbase_model: [\n---\n", RepoKind::Model);
/// assert_eq!(broken.findings[0].code.as_str(), "card-yaml-invalid");
/// ```
///
/// A leading UTF-8 byte-order mark is dropped first, as the official client does (it reads
/// cards as `utf-8-sig`), so the frontmatter after it is found.
pub fn parse_card(text: &str, kind: RepoKind) -> Card {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut card = Card::default();
    if text.len() > MAX_CARD_BYTES {
        card.findings.push(Finding::of(
            Code::CardTooLarge,
            vec![],
            format!(
                "card is {} bytes, over the {} byte limit; not read",
                text.len(),
                MAX_CARD_BYTES
            ),
        ));
        return card;
    }
    let (yaml_text, body) = match split_frontmatter(text) {
        Some(parts) => parts,
        None => {
            card.findings.push(Finding::of(Code::CardNoMetadata,
                vec![],
                "card has no YAML metadata block (--- … ---) at the top; no base model, license or datasets declared",
            ));
            card.body = truncate(text, MAX_BODY_BYTES).to_string();
            return card;
        }
    };
    card.body = truncate(body, MAX_BODY_BYTES).to_string();
    if yaml_text.len() > MAX_FRONTMATTER_BYTES {
        card.findings.push(Finding::of(
            Code::CardTooLarge,
            vec![],
            format!(
                "metadata block is {} bytes, over the {} byte limit; not read",
                yaml_text.len(),
                MAX_FRONTMATTER_BYTES
            ),
        ));
        return card;
    }
    match yaml::load(yaml_text, yaml::Limits::default()) {
        Ok(Value::Null) => {}
        Ok(v @ Value::Map(_)) => {
            let (meta, findings) = CardMeta::from_value(&v, kind);
            card.meta = meta;
            card.findings.extend(findings);
        }
        Ok(other) => card.findings.push(Finding::of(
            Code::CardYamlInvalid,
            vec![],
            format!(
                "metadata block is a YAML {}, not a mapping; ignored",
                other.type_name()
            ),
        )),
        Err(e @ (yaml::LoadError::TooManyNodes(_) | yaml::LoadError::TooDeep(_))) => card
            .findings
            .push(Finding::of(Code::CardYamlTooComplex, vec![], e.to_string())),
        Err(e) => card.findings.push(Finding::of(
            Code::CardYamlInvalid,
            vec![],
            format!("metadata block is not valid YAML: {e}"),
        )),
    }
    card
}

fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

struct FieldReader<'a> {
    root: &'a Value,
    findings: Vec<Finding>,
}

impl<'a> FieldReader<'a> {
    fn wrong_type(&mut self, field: &str, expected: &str, got: &Value) {
        self.findings.push(Finding::of(
            Code::CardWrongType,
            vec![],
            format!(
                "`{field}` should be {expected}, found a {}; ignored",
                got.type_name()
            ),
        ));
    }

    /// A string field; numbers are taken as text, collections are a wrong type.
    fn string(&mut self, field: &str) -> Option<String> {
        let v = self.root.get(field)?;
        match v {
            Value::Null => None,
            Value::Seq(_) | Value::Map(_) => {
                self.wrong_type(field, "a string", v);
                None
            }
            other => other
                .as_scalar_text()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty()),
        }
    }

    /// A string or a list of strings.
    fn strings(&mut self, field: &str) -> Vec<String> {
        let Some(v) = self.root.get(field) else {
            return vec![];
        };
        let mut out = Vec::new();
        match v {
            Value::Null => {}
            Value::Seq(items) => {
                let mut bad = None;
                for item in items {
                    match item.as_scalar_text() {
                        Some(s) if !s.trim().is_empty() => out.push(s.trim().to_string()),
                        Some(_) => {}
                        None if matches!(item, Value::Null) => {}
                        None => bad = Some(item),
                    }
                }
                if let Some(item) = bad {
                    self.wrong_type(&format!("{field}[]"), "a string", item);
                }
            }
            Value::Map(_) => self.wrong_type(field, "a string or a list of strings", v),
            scalar => {
                if let Some(s) = scalar.as_scalar_text() {
                    if !s.trim().is_empty() {
                        out.push(s.trim().to_string());
                    }
                }
            }
        }
        out
    }

    /// A string or list of repo ids; invalid values become findings quoting them.
    fn ids(&mut self, field: &str, kind: RepoKind, severity: Severity) -> Vec<RepoId> {
        // Ids are strings: a number or boolean where an id belongs is a wrong type, not `42`.
        let non_string = match self.root.get(field) {
            Some(v @ (Value::Int(_) | Value::Float(_) | Value::Bool(_))) => Some(v.clone()),
            Some(Value::Seq(items)) => items
                .iter()
                .find(|i| matches!(i, Value::Int(_) | Value::Float(_) | Value::Bool(_)))
                .cloned(),
            _ => None,
        };
        if let Some(v) = non_string {
            self.wrong_type(field, "a repo id string", &v);
        }
        let values = match self.root.get(field) {
            Some(Value::Int(_) | Value::Float(_) | Value::Bool(_)) => vec![],
            Some(Value::Seq(items)) => items
                .iter()
                .filter_map(|i| match i {
                    Value::Str(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
                    _ => None,
                })
                .collect(),
            _ => self.strings(field),
        };
        self.parse_ids(field, values, kind, severity)
    }

    fn parse_ids(
        &mut self,
        field: &str,
        values: Vec<String>,
        kind: RepoKind,
        severity: Severity,
    ) -> Vec<RepoId> {
        let mut out: Vec<RepoId> = Vec::new();
        for value in values {
            match RepoId::parse(&value, kind) {
                Ok(id) => {
                    if !out.contains(&id) {
                        out.push(id);
                    }
                }
                Err(e) => self.findings.push(Finding::new(
                    Code::InvalidRepoId,
                    severity,
                    vec![],
                    format!("`{field}`: {e}; not followed"),
                )),
            }
        }
        out
    }
}

impl CardMeta {
    /// Reads typed metadata from a YAML/JSON mapping; findings for wrong types and bad ids.
    pub fn from_value(root: &Value, kind: RepoKind) -> (CardMeta, Vec<Finding>) {
        let mut r = FieldReader {
            root,
            findings: Vec::new(),
        };
        let mut meta = CardMeta::default();
        if !matches!(root, Value::Map(_)) {
            if !matches!(root, Value::Null) {
                r.findings.push(Finding::of(
                    Code::CardYamlInvalid,
                    vec![],
                    format!(
                        "card metadata is a {}, not a mapping; ignored",
                        root.type_name()
                    ),
                ));
            }
            return (meta, r.findings);
        }
        meta.licenses = r
            .strings("license")
            .into_iter()
            .map(|l| l.to_ascii_lowercase())
            .fold(ThinVec::new(), |mut acc, l| {
                if !acc.contains(&l) {
                    acc.push(l);
                }
                acc
            });
        // Pushing leaves room for four; millions of cards name one license.
        meta.licenses.shrink_to_fit();
        let mut extra = CardExtra {
            license_name: r.string("license_name"),
            license_link: r.string("license_link"),
            ..CardExtra::default()
        };
        meta.tags = r.strings("tags").into();
        meta.library_name = r.string("library_name");
        meta.pipeline_tag = r.string("pipeline_tag");

        if kind == RepoKind::Model {
            r.model_parents(&mut meta, &mut extra);
        }
        meta.datasets = r.ids("datasets", RepoKind::Dataset, Severity::Info).into();
        match kind {
            RepoKind::Dataset => extra.source_datasets = r.source_datasets().into(),
            RepoKind::Space => r.space_links(&mut meta, &mut extra),
            RepoKind::Model => {}
        }
        meta.extra.set(extra);
        (meta, r.findings)
    }
}

impl FieldReader<'_> {
    /// A model's parents (`base_model`, or the legacy `finetuned_from`), its declared relation,
    /// and `new_version`.
    fn model_parents(&mut self, meta: &mut CardMeta, extra: &mut CardExtra) {
        let root = self.root;
        meta.base_models = self
            .ids("base_model", RepoKind::Model, Severity::Warn)
            .into();
        if root.get("base_model").is_none() && root.get("finetuned_from").is_some() {
            meta.base_models = self
                .ids("finetuned_from", RepoKind::Model, Severity::Warn)
                .into();
            self.findings.push(Finding::of(
                Code::CardLegacyField,
                vec![],
                "`finetuned_from` is the legacy name of `base_model`; read as base_model",
            ));
        }
        if let Some(rel) = self.string("base_model_relation") {
            match Relation::from_card_value(&rel) {
                Some(rel) => meta.base_model_relation = Some(rel),
                None => self.findings.push(Finding::of(Code::UnknownRelation,
                    vec![],
                    format!(
                        "`base_model_relation: {rel}` is not one of adapter, merge, quantized, finetune; relation inferred instead"
                    ),
                )),
            }
        }
        extra.new_version = self
            .ids("new_version", RepoKind::Model, Severity::Info)
            .into_iter()
            .next();
    }

    /// A dataset card's `source_datasets` that are Hub ids (not `original`, `extended`,
    /// `other-…`).
    fn source_datasets(&mut self) -> Vec<RepoId> {
        let values: Vec<String> = self
            .strings("source_datasets")
            .into_iter()
            .filter_map(|s| {
                let s = s.trim();
                let s = s.strip_prefix("extended|").unwrap_or(s);
                let lower = s.to_ascii_lowercase();
                if lower == "original"
                    || lower == "extended"
                    || lower.starts_with("other")
                    || lower.is_empty()
                {
                    None
                } else {
                    Some(s.to_string())
                }
            })
            .collect();
        self.parse_ids("source_datasets", values, RepoKind::Dataset, Severity::Info)
    }

    /// A Space's models (`models`, `preload_from_hub`) and the Space it was duplicated from.
    fn space_links(&mut self, meta: &mut CardMeta, extra: &mut CardExtra) {
        meta.models = self.ids("models", RepoKind::Model, Severity::Info).into();
        extra.duplicated_from = self
            .ids("duplicated_from", RepoKind::Space, Severity::Info)
            .into_iter()
            .next();
        let preload: Vec<String> = self
            .strings("preload_from_hub")
            .into_iter()
            .filter_map(|entry| entry.split_whitespace().next().map(str::to_string))
            .collect();
        extra.preload_from_hub = self
            .parse_ids("preload_from_hub", preload, RepoKind::Model, Severity::Info)
            .into();
    }
}

/// Converts JSON (the API's `cardData`) into the loader's [`Value`].
pub fn value_from_json(v: &serde_json::Value) -> Value {
    fn conv(v: &serde_json::Value, depth: usize) -> Value {
        if depth > 64 {
            return Value::Null;
        }
        match v {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => n
                .as_i64()
                .map(Value::Int)
                .unwrap_or_else(|| Value::Float(n.as_f64().unwrap_or(0.0))),
            serde_json::Value::String(s) => Value::Str(s.clone()),
            serde_json::Value::Array(a) => {
                Value::Seq(a.iter().map(|x| conv(x, depth + 1)).collect())
            }
            serde_json::Value::Object(o) => Value::Map(
                o.iter()
                    .map(|(k, x)| (k.clone(), conv(x, depth + 1)))
                    .collect(),
            ),
        }
    }
    conv(v, 0)
}

#[cfg(test)]
mod tests;
