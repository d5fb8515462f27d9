//! The command-line front end: one module per subcommand, shared options and output here.

pub mod card;
pub mod trace;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use hf_lineage::id::{RepoId, RepoKind};
use hf_lineage::source::{SnapshotSource, Source};

/// Exit codes.
pub mod exit {
    /// Success, nothing at deny level.
    pub const OK: i32 = 0;
    /// An operational failure (unreadable input, network down, bad arguments).
    pub const OPERATIONAL: i32 = 1;
    /// Findings at deny level.
    #[allow(dead_code)]
    pub const DENY: i32 = 2;
}

/// An error that ends the command with exit code 1.
#[derive(Debug)]
pub struct CliError(pub String);

impl<E: std::fmt::Display> From<E> for CliError {
    fn from(e: E) -> Self {
        CliError(e.to_string())
    }
}

/// Where repos come from.
#[derive(Args, Debug, Clone)]
pub struct SourceArgs {
    /// Read repos from an offline snapshot directory instead of the Hub.
    #[arg(long, value_name = "DIR")]
    pub snapshot: Option<PathBuf>,
}

/// `--up/--down/--both` and `--depth`.
#[derive(Args, Debug, Clone)]
pub struct WalkArgs {
    /// Follow base models and training data up to the roots (the default).
    #[arg(long, conflicts_with_all = ["down", "both"])]
    pub up: bool,
    /// Follow derived models and the Spaces that use them.
    #[arg(long, conflicts_with = "both")]
    pub down: bool,
    /// Follow both directions from the given repos.
    #[arg(long)]
    pub both: bool,
    /// How many hops to follow at most.
    #[arg(long, value_name = "N")]
    pub depth: Option<usize>,
}

impl WalkArgs {
    pub fn options(&self) -> hf_lineage::trace::TraceOptions {
        use hf_lineage::trace::Direction;
        let direction = if self.both {
            Direction::Both
        } else if self.down {
            Direction::Down
        } else {
            Direction::Up
        };
        hf_lineage::trace::TraceOptions {
            direction,
            depth: self.depth,
        }
    }
}

/// Output formats shared by commands that print a graph.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A tree for terminals.
    Text,
    /// The JSON graph (hf-lineage/graph@1).
    Json,
}

/// Parses command-line repo ids; an invalid one is a usage error naming the value.
pub fn parse_roots(values: &[String]) -> Result<Vec<RepoId>, CliError> {
    values
        .iter()
        .map(|v| {
            RepoId::parse(v, RepoKind::Model)
                .map_err(|e| CliError(format!("invalid repository argument: {e}")))
        })
        .collect()
}

/// Opens the source the arguments name.
pub fn open_source(args: &SourceArgs) -> Result<Box<dyn Source>, CliError> {
    match &args.snapshot {
        Some(dir) => Ok(Box::new(SnapshotSource::open(dir)?)),
        None => Err(CliError(
            "no source: pass --snapshot DIR (for example --snapshot examples/hub-snapshot)".into(),
        )),
    }
}

/// Whether to colour stdout: a terminal, no NO_COLOR, no output file.
pub fn use_color(output: Option<&Path>) -> bool {
    output.is_none()
        && std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Writes the result to the file or stdout; a closed stdout pipe is not an error.
pub fn emit(text: &str, output: Option<&Path>) -> Result<(), CliError> {
    match output {
        Some(path) => std::fs::write(path, text)
            .map_err(|e| CliError(format!("cannot write {}: {e}", path.display()))),
        None => {
            let mut out = std::io::stdout().lock();
            match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                other => other.map_err(|e| CliError(format!("cannot write to stdout: {e}"))),
            }
        }
    }
}
