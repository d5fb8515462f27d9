//! What each tool-written file beside a card states, in one shape: the parents it names, the
//! relation it makes the repo, and the details worth showing (adapter type and rank, merge
//! method, quantization, a GGUF header's license).

use super::{adapter_config, gguf, merge_config, model_config, FileRef};
use crate::id::RepoKind;
use crate::relation::{Relation, RelationSource};

/// The files a reader exists for, by name: what the crawler fetches and a snapshot keeps.
/// `LICENSE`-like files are matched by [`super::license::is_license_file`].
pub fn is_tool_file(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    matches!(
        lower.as_str(),
        "adapter_config.json" | "mergekit_config.yml" | "mergekit_config.yaml" | "config.json"
    ) || lower.ends_with(".gguf")
}

/// What one file beside a card states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// The file's name.
    pub file: String,
    /// The parents it names.
    pub parents: Vec<FileRef>,
    /// What it makes the repo: an adapter (PEFT config), a merge (mergekit), a quantization
    /// (GGUF header, a `quantization_config`).
    pub relation: Option<Relation>,
    /// What else it states, as short phrases.
    pub detail: Vec<String>,
    /// The license it declares (a GGUF header's `general.license`).
    pub license: Option<String>,
    /// Whether its parents are the model the tool started from (an adapter's base, a merge's
    /// models, a GGUF file's source), not ancestors further up (`config.json`'s
    /// `_name_or_path`, a GGUF header's `general.base_model.*`).
    pub direct: bool,
    /// What kind of statement it is: a file a tool wrote (`file`), or the card's own
    /// configuration block or source line (`card-config`, `card-statement`).
    pub source: RelationSource,
}

impl Statement {
    /// Only models are parents (a dataset or Space a file or card names is not).
    pub(super) fn models_only(mut self) -> Statement {
        self.parents.retain(|p| p.id.kind() == RepoKind::Model);
        self
    }

    pub(super) fn new(file: &str, parents: Vec<FileRef>, relation: Option<Relation>) -> Statement {
        Statement {
            file: file.to_string(),
            parents,
            relation,
            detail: Vec::new(),
            license: None,
            direct: true,
            source: RelationSource::File,
        }
    }
}

/// What the tool-written files among `files` (name, bytes; a GGUF file's first bytes are
/// enough) state, one entry per file that states something, in the order given. Files that
/// are not what their name says state nothing.
pub fn statements(files: &[(String, Vec<u8>)]) -> Vec<Statement> {
    files
        .iter()
        .filter_map(|(name, bytes)| statement(name, bytes))
        .map(Statement::models_only)
        .collect()
}

fn statement(name: &str, bytes: &[u8]) -> Option<Statement> {
    let lower = name.to_ascii_lowercase();
    let base = lower.rsplit(['/', '\\']).next().unwrap_or(&lower);
    if base == "adapter_config.json" {
        let a = adapter_config(bytes)?;
        let mut s = Statement::new(name, a.base.into_iter().collect(), Some(Relation::Adapter));
        s.detail.extend(a.peft_type);
        s.detail.extend(a.rank.map(|r| format!("r={r}")));
        Some(s)
    } else if base == "mergekit_config.yml" || base == "mergekit_config.yaml" {
        let m = merge_config(&String::from_utf8_lossy(bytes))?;
        let mut s = Statement::new(name, m.models, Some(Relation::Merge));
        s.detail.extend(m.method);
        s.detail
            .extend(m.base.as_ref().map(|b| format!("base {}", b.display())));
        if let Some(b) = m.base {
            if !s.parents.contains(&b) {
                s.parents.push(b);
            }
        }
        Some(s)
    } else if base == "config.json" {
        let c = model_config(bytes)?;
        let quantized = c.quant_method.is_some() || c.bits.is_some();
        if c.source.is_none() && !quantized {
            return None;
        }
        let relation = quantized.then_some(Relation::Quantized);
        let mut s = Statement::new(name, c.source.into_iter().collect(), relation);
        s.direct = false;
        s.detail.extend(c.quant_method);
        s.detail.extend(c.bits.map(|b| format!("{b}-bit")));
        Some(s)
    } else if base.ends_with(".gguf") {
        let h = gguf::read_header(bytes)?;
        // `general.source` is the repo converted; `general.base_model.*` are *its* parents.
        let source = h.source();
        let direct = source.is_some();
        let parents: Vec<FileRef> = match source {
            Some(src) => vec![src],
            None => h.base_models().iter().filter_map(|b| b.hub()).collect(),
        };
        let mut s = Statement::new(name, parents, Some(Relation::Quantized));
        s.direct = direct;
        s.detail.extend(h.file_type().map(str::to_string));
        s.license = h.license();
        s.detail
            .extend(s.license.as_ref().map(|l| format!("license {l}")));
        Some(s)
    } else {
        None
    }
}
