//! `hf-lineage trace`: walk a lineage and print it.

use clap::Args;

use super::{open_source, parse_roots, SourceArgs, WalkArgs};
use crate::pipeline::{Request, Scope};
use crate::render::Output;

/// Arguments of `trace`.
#[derive(Args, Debug)]
pub struct TraceArgs {
    /// Repos to trace: `owner/name`, `datasets/…`, `spaces/…` or a Hub URL.
    #[arg(required = true, value_name = "REPO")]
    pub repos: Vec<String>,
    #[command(flatten)]
    pub walk: WalkArgs,
    #[command(flatten)]
    pub infer: super::InferArgs,
    #[command(flatten)]
    pub out: super::OutputArgs,
    #[command(flatten)]
    pub diagram: super::DiagramArgs,
    #[command(flatten)]
    pub source: SourceArgs,
}

/// Runs `trace`; returns the exit code.
pub fn run(args: TraceArgs) -> anyhow::Result<u8> {
    super::print(&args.out, prepare(&args)?)
}

/// Runs `trace` up to what it would print.
pub fn prepare(args: &TraceArgs) -> anyhow::Result<super::Prepared> {
    let format = args.out.format(Output::Trace)?;
    let req = Request {
        scope: Scope::Roots(parse_roots(&args.repos)?),
        direction: args.walk.direction(),
        depth: args.walk.depth,
        // Off by default in trace: the graph shows what metadata declares.
        infer_from_text: args.infer.enabled(false),
        ..Request::trace(Vec::new())
    };
    let mut opened = open_source(&args.source, req.infer_from_text)?;
    let analysis = super::run_pipeline(&mut opened, &req)?;
    let mut opts = args.out.options(
        Some(&args.diagram),
        format!("Lineage of {}", args.repos.join(", ")),
        &args.source,
        crate::kb::KnowledgeBase::builtin(),
    );
    opts.direction = req.direction;
    Ok(super::Prepared {
        analysis,
        output: Output::Trace,
        format,
        options: opts,
        exit: super::exit::OK,
    })
}
