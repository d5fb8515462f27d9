//! `hf-lineage audit`: trace a lineage, check licenses (and, later, documentation), report.

use clap::Args;

use super::{open_source, parse_roots, SourceArgs};
use crate::graph::Direction;
use crate::pipeline::{Request, Scope};
use crate::render::Output;

/// Arguments of `audit`.
#[derive(Args, Debug)]
pub struct AuditArgs {
    /// Repos to audit.
    #[arg(required = true, value_name = "REPO")]
    pub repos: Vec<String>,
    /// Also audit everything derived from the repos.
    #[arg(long)]
    pub down: bool,
    /// How many hops to follow at most.
    #[arg(long, value_name = "N")]
    pub depth: Option<usize>,
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

/// Runs `audit`; exit 2 when a finding is at deny level.
pub fn run(args: AuditArgs) -> anyhow::Result<u8> {
    super::print(&args.out, prepare(&args)?)
}

/// Runs `audit` up to what it would print.
pub fn prepare(args: &AuditArgs) -> anyhow::Result<super::Prepared> {
    let format = args.out.format(Output::Audit)?;
    let req = Request {
        scope: Scope::Roots(parse_roots(&args.repos)?),
        direction: Direction::down_if(args.down),
        depth: args.depth,
        judge: true,
        // On by default in audit: an undeclared parent is a finding to act on.
        infer_from_text: args.infer.enabled(true),
        policy: args.policy.load()?,
    };
    // Card bodies are needed for the documentation check and text inference.
    let mut opened = open_source(&args.source, true)?;
    let analysis = super::run_pipeline(&mut opened, &req)?;
    let title = format!("Lineage audit of {}", args.repos.join(", "));
    Ok(super::judged(
        &args.out,
        &args.diagram,
        &args.source,
        format,
        title,
        &req,
        analysis,
    ))
}
