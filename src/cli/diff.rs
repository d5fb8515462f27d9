//! `hf-lineage diff OLD NEW`: what changed between two snapshots.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use super::{emit, parse_roots};
use crate::diff::{compare, family, Side};
use crate::graph::Direction;
use crate::pipeline::{Request, Scope};
use crate::source::Source;

/// Arguments of `diff`.
#[derive(Args, Debug)]
pub struct DiffArgs {
    /// The older snapshot: a snapshot directory, a `.parquet` file (ours, or a shard of the
    /// Hub's public card dump), or a directory of them.
    #[arg(value_name = "OLD")]
    pub old: PathBuf,
    /// The newer snapshot, in any of the same forms.
    #[arg(value_name = "NEW")]
    pub new: PathBuf,
    /// Only these repos and their descendants (in either snapshot): what happened under my model.
    #[arg(long, value_name = "REPO", num_args = 1.., conflicts_with_all = ["up", "both"])]
    pub down: Vec<String>,
    /// Only these repos and their ancestors.
    #[arg(long, value_name = "REPO", num_args = 1.., conflicts_with = "both")]
    pub up: Vec<String>,
    /// Only these repos, their ancestors and their descendants.
    #[arg(long, value_name = "REPO", num_args = 1..)]
    pub both: Vec<String>,
    #[command(flatten)]
    pub policy: super::PolicyArgs,
    /// Output format [default: text].
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
    /// Write the output to a file instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// `diff --format`.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiffFormat {
    /// For a person.
    Text,
    /// `hf-lineage/diff@1`, for a job.
    Json,
    /// The new findings, for code scanning.
    Sarif,
}

fn open(path: &Path) -> anyhow::Result<Box<dyn Source>> {
    Ok(match crate::source::parquet::is_parquet(path) {
        true => Box::new(crate::source::parquet::ParquetSource::open(path)?),
        false => Box::new(crate::source::SnapshotSource::open(path)?),
    })
}

/// Runs `diff`: exit 2 when a new finding is at deny level under the policy.
pub fn run(args: DiffArgs) -> anyhow::Result<u8> {
    let policy = args.policy.load()?;
    let (roots, direction) = if !args.down.is_empty() {
        (parse_roots(&args.down)?, Direction::Down)
    } else if !args.up.is_empty() {
        (parse_roots(&args.up)?, Direction::Up)
    } else {
        (parse_roots(&args.both)?, Direction::Both)
    };
    let req = Request {
        scope: Scope::Whole,
        direction: Direction::Up,
        depth: None,
        judge: true,
        infer_from_text: false,
        policy,
    };
    let judged = |path: &Path| -> anyhow::Result<crate::report::Analysis> {
        let mut src = open(path)?;
        Ok(crate::pipeline::run(src.as_mut(), &req)?)
    };
    // The older snapshot is kept only as what the diff needs, before the newer one is built.
    let (old, mut scope, dropping) = {
        let a = judged(&args.old)?;
        let scope = (!roots.is_empty()).then(|| family(&a, &roots, direction));
        let (side, rest) = Side::take(a);
        // A whole-Hub graph takes seconds to free: that happens while the newer one is read.
        let dropping = std::thread::spawn(move || drop(rest));
        (side, scope, dropping)
    };
    let new = judged(&args.new)?;
    let _ = dropping.join();
    if let Some(s) = scope.as_mut() {
        s.extend(family(&new, &roots, direction));
    }
    let d = compare(&old, &new, scope.as_ref(), &req.policy);
    let (o, n) = (
        args.old.display().to_string(),
        args.new.display().to_string(),
    );
    let text = match args.format {
        DiffFormat::Text => crate::render::diff::render_diff_text(&d, &o, &n),
        DiffFormat::Json => crate::render::diff::render_diff_json(&d, &o, &n),
        DiffFormat::Sarif => {
            crate::render::diff::render_diff_sarif(&d, crate::hub::DEFAULT_ENDPOINT)
        }
    };
    emit(&text, args.output.as_deref())?;
    // Whole-Hub graphs: the operating system takes the memory back faster than a drop.
    std::mem::forget(new);
    Ok(match d.has_new_deny() {
        true => super::exit::DENY,
        false => super::exit::OK,
    })
}
