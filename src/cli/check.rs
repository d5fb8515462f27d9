//! `hf-lineage check [DIR]`: a folder about to be pushed, judged against its lineage before
//! the upload (licenses, what the files say, what changed), for publishers and their CI.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::Args;

use super::{open_source, SourceArgs};
use crate::graph::Direction;
use crate::id::{RepoId, RepoKind};
use crate::pipeline::{Request, Scope};
use crate::render::Output;
use crate::source::local::{read_folder, WithLocal};

/// Arguments of `check`.
#[derive(Args, Debug)]
pub struct CheckArgs {
    /// The folder about to be pushed: README.md, and the adapter or merge configuration, GGUF
    /// files and LICENSE beside it.
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
    /// The repo id it will be pushed to (its name is part of what is judged: `-GGUF`, naming
    /// rules); default `local/<folder name>`.
    #[arg(long, value_name = "ID")]
    pub repo: Option<String>,
    #[command(flatten)]
    pub infer: super::InferArgs,
    #[command(flatten)]
    pub policy: super::PolicyArgs,
    #[command(flatten)]
    pub out: super::OutputArgs,
    #[command(flatten)]
    pub diagram: super::DiagramArgs,
    #[command(flatten)]
    pub source: SourceArgs,
}

/// Runs `check`; exit 2 when a finding is at deny level.
pub fn run(args: CheckArgs) -> anyhow::Result<u8> {
    let format = args.out.format(Output::Audit)?;
    let id = match &args.repo {
        Some(r) => RepoId::parse(r, RepoKind::Model).context("invalid --repo")?,
        None => folder_id(&args.dir),
    };
    let local = read_folder(&args.dir, &id)?;
    let req = Request {
        scope: Scope::Roots(vec![id.clone()]),
        direction: Direction::Up,
        depth: None,
        judge: true,
        infer_from_text: args.infer.enabled(true),
        policy: args.policy.load()?,
    };
    let mut opened = open_source(&args.source, true)?;
    let analysis = {
        let mut with_local = WithLocal::new(local, opened.source.as_mut());
        let result = crate::pipeline::run(&mut with_local, &req);
        drop(opened.progress.take());
        result?
    };
    let title = format!(
        "Pre-upload check of {} as {}",
        args.dir.display(),
        id.node_id()
    );
    let prepared = super::judged(
        &args.out,
        &args.diagram,
        &args.source,
        format,
        title,
        &req,
        analysis,
    );
    super::print(&args.out, prepared)
}

/// `local/<folder name>`, or `local/draft` when the name is no valid repo name.
fn folder_id(dir: &std::path::Path) -> RepoId {
    let name = std::fs::canonicalize(dir)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_default();
    RepoId::parse(&format!("local/{name}"), RepoKind::Model)
        .or_else(|_| RepoId::parse("local/draft", RepoKind::Model))
        .unwrap_or_else(|_| unreachable!("a static, valid id"))
}
