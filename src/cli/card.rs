//! `hf-lineage card`: lint one local README.md with the same parser the crawler uses.

use anyhow::Context;
use std::path::{Path, PathBuf};

use super::emit;
use crate::docs_check::Verdict;
use crate::id::{RepoId, RepoKind};
use crate::pipeline::card::{check_card, CardContext};
use crate::record::FileSignals;
use crate::relation::Relation;
use crate::render::card::{render_card_json, render_card_text};
use crate::render::{Format, Output};
use clap::{Args, ValueEnum};

/// Arguments of `card`.
#[derive(Args, Debug)]
pub struct CardArgs {
    /// The README.md to read.
    pub file: PathBuf,
    /// What kind of repo the card belongs to.
    #[arg(long, value_enum, default_value_t = KindArg::Model)]
    pub kind: KindArg,
    /// Judge what changed as this kind of derivative (for a draft that declares no base model;
    /// otherwise the card's own relation, declared or inferred from the files beside it).
    #[arg(long, value_enum, value_name = "RELATION")]
    pub relation: Option<RelationArg>,
    /// The repo the card is for (`owner/name`): its name is part of what the publisher states
    /// (`-GGUF`, `-4bit`, `-Q4_K_M`).
    #[arg(long, value_name = "OWNER/NAME")]
    pub repo: Option<String>,
    /// Exit 2 when what changed is documented no better than this (for CI).
    #[arg(long, value_enum, value_name = "VERDICT")]
    pub fail_on: Option<FailOn>,
    #[command(flatten)]
    pub out: super::OutputArgs,
}

/// `--relation`.
#[derive(ValueEnum, Debug, Clone, Copy)]
pub enum RelationArg {
    /// Trained further (SFT, DPO…).
    Finetune,
    /// A LoRA/PEFT adapter.
    Adapter,
    /// A merge of several models.
    Merge,
    /// A quantization (GGUF, GPTQ, AWQ, MLX…).
    Quantized,
}

/// `--fail-on`.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    /// Fail when the card does not say what changed.
    Undocumented,
    /// Fail unless the card says everything that changed.
    Partial,
}

/// `--kind`.
#[derive(ValueEnum, Debug, Clone, Copy)]
pub enum KindArg {
    /// A model card.
    Model,
    /// A dataset card.
    Dataset,
    /// A Space card.
    Space,
}

fn local_files(dir: &Path) -> (FileSignals, Vec<String>) {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let config = std::fs::read(dir.join("config.json"))
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok());
    let signals = FileSignals::from_files(names.iter().map(String::as_str), config.as_ref());
    (signals, names)
}

/// The tool-written files beside a card, read bounded: the configuration files whole (up to
/// 1 MiB), and the first 256 KiB of the first GGUF file (its header; never the weights).
fn tool_files(dir: &Path, names: &[String]) -> Vec<(String, Vec<u8>)> {
    use std::io::Read;
    let read = |name: &str, cap: u64| {
        let mut buf = Vec::new();
        std::fs::File::open(dir.join(name))
            .and_then(|f| f.take(cap).read_to_end(&mut buf))
            .ok()
            .map(|_| (name.to_string(), buf))
    };
    let configs = [
        "adapter_config.json",
        "mergekit_config.yml",
        "mergekit_config.yaml",
        "config.json",
    ];
    let mut out: Vec<(String, Vec<u8>)> = names
        .iter()
        .filter(|n| configs.contains(&n.as_str()))
        .filter_map(|n| read(n, 1 << 20))
        .collect();
    out.extend(
        names
            .iter()
            .find(|n| n.to_ascii_lowercase().ends_with(".gguf"))
            .and_then(|n| read(n, 256 << 10)),
    );
    out
}

/// Runs `card`.
pub fn run(args: CardArgs) -> anyhow::Result<u8> {
    let format = args.out.format(Output::Card)?;
    let text = std::fs::read(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let (r, label) = report(&args, &text)?;
    let out = match format {
        Format::Json => render_card_json(&r),
        _ => render_card_text(&r, &label),
    };
    emit(&out, args.out.output.as_deref())?;
    let failed = match args.fail_on {
        Some(FailOn::Undocumented) => r.documented_no_better_than(Verdict::Undocumented),
        Some(FailOn::Partial) => r.documented_no_better_than(Verdict::Partial),
        None => false,
    };
    Ok(match failed {
        true => super::exit::DENY,
        false => super::exit::OK,
    })
}

/// What `card` concludes of a card's text, read as the card at `args.file` (the files beside
/// it are read when it is a file), and the label findings name it by.
pub fn report(
    args: &CardArgs,
    text: &[u8],
) -> anyhow::Result<(crate::pipeline::card::CardReport, String)> {
    let kind = match args.kind {
        KindArg::Model => RepoKind::Model,
        KindArg::Dataset => RepoKind::Dataset,
        KindArg::Space => RepoKind::Space,
    };
    let (signals, names) = args.file.parent().map(local_files).unwrap_or_default();
    let file_bytes = args
        .file
        .parent()
        .map(|d| tool_files(d, &names))
        .unwrap_or_default();
    let repo = match &args.repo {
        Some(r) => Some(RepoId::parse(r, kind).context("--repo")?),
        None => None,
    };
    let label = args.file.display().to_string();
    let cx = CardContext {
        repo: repo.as_ref(),
        relation: args.relation.map(|r| match r {
            RelationArg::Finetune => Relation::Finetune,
            RelationArg::Adapter => Relation::Adapter,
            RelationArg::Merge => Relation::Merge,
            RelationArg::Quantized => Relation::Quantized,
        }),
        files: &names,
        label: &label,
        file_bytes: &file_bytes,
    };
    Ok((check_card(text, kind, signals, &cx), label))
}

/// What `card --format json` prints for a card's text: read as the README at `path` (and the
/// files beside it) when given, else on its own. `relation` is a `--relation` value
/// (`finetune`, `adapter`, `merge`, `quantized`); `repo` the repo it is for.
pub fn json_of(
    text: &[u8],
    path: Option<&std::path::Path>,
    relation: Option<&str>,
    repo: Option<String>,
) -> anyhow::Result<String> {
    let relation = match relation {
        Some(r) => Some(
            <RelationArg as clap::ValueEnum>::from_str(r, true).map_err(|_| {
                anyhow::anyhow!("relation {r:?}: expected finetune, adapter, merge or quantized")
            })?,
        ),
        None => None,
    };
    let args = CardArgs {
        file: path.map(PathBuf::from).unwrap_or_default(),
        kind: KindArg::Model,
        relation,
        repo,
        fail_on: None,
        out: super::OutputArgs {
            format: Some(Format::Json),
            output: None,
        },
    };
    let (r, _) = report(&args, text)?;
    Ok(render_card_json(&r))
}
