//! What the files beside a card say, read without trusting them: the ones tools write
//! (`adapter_config.json` by PEFT, `mergekit_config.yml` by mergekit, `config.json` by
//! transformers, the header of a GGUF file by llama.cpp). Each reader is a pure, bounded function
//! of the file's bytes that returns what the file states about the repo's parents and
//! precision; a file that is not what its name says gives nothing, never an error that stops a
//! crawl.
//!
//! Files name parents in the forms their tools write: Hub ids, Hub URLs, and paths into a local
//! Hugging Face cache (`…/models--ORG--NAME/snapshots/SHA`), which *are* the id `ORG/NAME` at
//! revision `SHA`. Any other local path is no parent ([`hub_ref`]).

mod card;
pub mod gguf;
pub mod license;
mod statement;

pub use card::card_statements;

pub use statement::{is_tool_file, statements, Statement};

use crate::card::yaml;
use crate::id::{RepoId, RepoKind};

/// How much of one GGUF file is read: its `general.*` keys come first.
pub const GGUF_PREFIX: usize = 256 * 1024;
/// How much of a small file (a config, a LICENSE) is read at most.
pub const SMALL_FILE: usize = 1024 * 1024;

/// How much of a file named `name` is worth reading, when it is one the readers exist for: a
/// tool file or a license file at the repo's root (up to [`SMALL_FILE`]), or a GGUF file (its
/// first [`GGUF_PREFIX`] bytes).
pub fn read_limit(name: &str) -> Option<usize> {
    if name.contains(['/', '\\']) {
        return None;
    }
    if name.to_ascii_lowercase().ends_with(".gguf") {
        Some(GGUF_PREFIX)
    } else if is_tool_file(name) || license::is_license_file(name) {
        Some(SMALL_FILE)
    } else {
        None
    }
}

/// The files of a repo's list worth reading, with how much of each ([`read_limit`]): the tool
/// and license files at the root, and of its GGUF files only the first (the first shard of a
/// split one): one header says what all of them are.
pub fn wanted<S: AsRef<str>>(names: &[S]) -> Vec<(String, usize)> {
    let is_gguf = |n: &str| n.to_ascii_lowercase().ends_with(".gguf");
    let mut out: Vec<(String, usize)> = names
        .iter()
        .map(AsRef::as_ref)
        .filter(|n| !is_gguf(n))
        .filter_map(|n| read_limit(n).map(|l| (n.to_string(), l)))
        .collect();
    let first_gguf = names
        .iter()
        .map(AsRef::as_ref)
        .filter(|n| is_gguf(n) && !is_later_shard(n) && read_limit(n).is_some())
        .min();
    out.extend(first_gguf.map(|g| (g.to_string(), GGUF_PREFIX)));
    out
}

/// `…-00002-of-00003.gguf` and later shards carry no header of their own worth reading.
fn is_later_shard(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower
        .rsplit_once("-of-")
        .and_then(|(head, _)| head.rsplit('-').next())
        .and_then(|n| n.parse::<u32>().ok())
        .is_some_and(|n| n > 1)
}

/// A repo a file names, with the revision when the file pins one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRef {
    /// The repo.
    pub id: RepoId,
    /// The commit, when the file names one (a cache path's snapshot).
    pub revision: Option<String>,
}

impl FileRef {
    /// `org/name`, with `@revision` when the file pins one.
    pub fn display(&self) -> String {
        match &self.revision {
            Some(rev) => format!("{}@{rev}", self.id.node_id()),
            None => self.id.node_id(),
        }
    }
}

/// Reads a repo named in a file: a Hub id or URL, or a path into a Hugging Face cache
/// (`models--ORG--NAME/snapshots/SHA`, Windows or POSIX separators). `None` for any other local
/// path, for text that is no id, and for a name without an owner: tools write the directory
/// they loaded from there (`"_name_or_path": "mythomax-L2-13b"`), which a legacy owner-less
/// Hub id (`gpt2`) cannot be told apart from, so the files claim no parent by such a name.
///
/// ```
/// use hf_lineage::files::hub_ref;
/// let r = hub_ref("C:/Users/me/.cache/huggingface/hub/models--mistralai--Mistral-7B-v0.1/snapshots/7231864a").unwrap();
/// assert_eq!((r.id.node_id().as_str(), r.revision.as_deref()), ("mistralai/Mistral-7B-v0.1", Some("7231864a")));
/// assert_eq!(hub_ref("meta-llama/Llama-2-7b-hf").unwrap().revision, None);
/// assert!(hub_ref("/home/me/checkpoints/final").is_none());
/// ```
pub fn hub_ref(text: &str) -> Option<FileRef> {
    let t = text.trim();
    if let Some(r) = cache_path(t) {
        return Some(r);
    }
    RepoId::parse(t, RepoKind::Model)
        .ok()
        .filter(|id| id.owner().is_some())
        .map(|id| FileRef { id, revision: None })
}

/// A path into a Hugging Face cache: its `models--ORG--NAME` (or `datasets--`, `spaces--`)
/// component is the repo, a `snapshots/SHA` after it the revision.
fn cache_path(t: &str) -> Option<FileRef> {
    let parts: Vec<&str> = t.split(['/', '\\']).filter(|p| !p.is_empty()).collect();
    let (at, kind, rest) = parts.iter().enumerate().find_map(|(i, p)| {
        [
            ("models--", RepoKind::Model),
            ("datasets--", RepoKind::Dataset),
            ("spaces--", RepoKind::Space),
        ]
        .into_iter()
        .find_map(|(prefix, kind)| p.strip_prefix(prefix).map(|rest| (i, kind, rest)))
    })?;
    // `ORG--NAME`; names may hold `-` but not `--` (the cache's own separator).
    let name = rest.replacen("--", "/", 1);
    if name.contains("--") || !name.contains('/') {
        return None;
    }
    let id = RepoId::parse(&format!("{}{name}", kind.url_prefix()), kind).ok()?;
    let revision = match (parts.get(at + 1), parts.get(at + 2)) {
        (Some(&"snapshots"), Some(sha)) if sha.chars().all(|c| c.is_ascii_hexdigit()) => {
            Some(sha.to_string())
        }
        _ => None,
    };
    Some(FileRef { id, revision })
}

/// What `adapter_config.json` (PEFT) states.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AdapterConfig {
    /// `base_model_name_or_path`, when it names a Hub repo.
    pub base: Option<FileRef>,
    /// `peft_type` (`LORA`, `IA3`…).
    pub peft_type: Option<String>,
    /// The LoRA rank `r`.
    pub rank: Option<u64>,
}

/// Reads `adapter_config.json`; `None` when it is not a JSON object.
pub fn adapter_config(bytes: &[u8]) -> Option<AdapterConfig> {
    let v: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    let o = v.as_object()?;
    let s = |k: &str| o.get(k).and_then(|x| x.as_str());
    Some(AdapterConfig {
        base: s("base_model_name_or_path").and_then(hub_ref),
        peft_type: s("peft_type").map(str::to_string),
        rank: o.get("r").and_then(|x| x.as_u64()),
    })
}

/// What `config.json` (transformers) states about where the weights came from and their
/// precision.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModelConfig {
    /// `_name_or_path`, when it names a Hub repo.
    pub source: Option<FileRef>,
    /// `quantization_config.quant_method` (`gptq`, `awq`, `bitsandbytes`…).
    pub quant_method: Option<String>,
    /// `quantization_config.bits` (or 4/8 from bitsandbytes' `load_in_4bit`/`load_in_8bit`).
    pub bits: Option<u64>,
}

/// Reads `config.json`; `None` when it is not a JSON object.
pub fn model_config(bytes: &[u8]) -> Option<ModelConfig> {
    let v: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    let o = v.as_object()?;
    let q = o.get("quantization_config").and_then(|x| x.as_object());
    let flag = |k: &str| q.and_then(|q| q.get(k)).and_then(|x| x.as_bool()) == Some(true);
    let bits = q
        .and_then(|q| q.get("bits"))
        .and_then(|x| x.as_u64())
        .or_else(|| flag("load_in_4bit").then_some(4))
        .or_else(|| flag("load_in_8bit").then_some(8));
    Some(ModelConfig {
        source: o
            .get("_name_or_path")
            .and_then(|x| x.as_str())
            .and_then(hub_ref),
        quant_method: q
            .and_then(|q| q.get("quant_method"))
            .and_then(|x| x.as_str())
            .map(|m| m.to_ascii_lowercase()),
        bits,
    })
}

/// What a mergekit configuration states (`mergekit_config.yml`, or the YAML block a merge card
/// carries in its body).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MergeConfig {
    /// The merged models, in the order they appear (`models:` and `slices:` → `sources:`),
    /// each once; the base model among them when it is also listed.
    pub models: Vec<FileRef>,
    /// `base_model`.
    pub base: Option<FileRef>,
    /// `merge_method` (`slerp`, `ties`, `dare_ties`, `passthrough`…).
    pub method: Option<String>,
    /// Model names that are no Hub id (no owner: `Mistral-7B-v0.1`, or `_` for the `/`:
    /// `mistralai_Mistral-7B-v0.1`), for a card to resolve through its links.
    pub unowned: Vec<String>,
}

/// Reads a mergekit configuration with the bounded YAML loader; `None` when it is no mapping
/// or names no model and no method.
pub fn merge_config(text: &str) -> Option<MergeConfig> {
    let root = yaml::load(text, yaml::Limits::default()).ok()?;
    if !matches!(root, yaml::Value::Map(_)) {
        return None;
    }
    let mut out = MergeConfig {
        base: root
            .get("base_model")
            .and_then(|v| v.as_scalar_text())
            .and_then(|s| hub_ref(&s)),
        method: root
            .get("merge_method")
            .and_then(|v| v.as_scalar_text())
            .map(|m| m.trim().to_ascii_lowercase()),
        ..MergeConfig::default()
    };
    let mut add = |v: &yaml::Value| {
        // `- model: org/name` with parameters, or a bare `- org/name`.
        let name = v
            .get("model")
            .and_then(|m| m.as_scalar_text())
            .or_else(|| v.as_scalar_text());
        let Some(n) = name.as_deref() else { return };
        match hub_ref(n) {
            Some(r) if !out.models.contains(&r) => out.models.push(r),
            Some(_) => {}
            None => {
                let n = n.trim();
                let plain = !n.is_empty()
                    && !n.contains(['/', '\\', ':', ' '])
                    && !out.unowned.iter().any(|u| u == n);
                if plain {
                    out.unowned.push(n.to_string());
                }
            }
        }
    };
    if let Some(yaml::Value::Seq(models)) = root.get("models") {
        models.iter().for_each(&mut add);
    }
    if let Some(yaml::Value::Seq(slices)) = root.get("slices") {
        for slice in slices {
            if let Some(yaml::Value::Seq(sources)) = slice.get("sources") {
                sources.iter().for_each(&mut add);
            }
        }
    }
    (!out.models.is_empty() || out.method.is_some()).then_some(out)
}

#[cfg(test)]
mod tests;
