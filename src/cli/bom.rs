//! `hf-lineage bom`: an AI bill of materials of repos and everything they derive from.

use clap::Args;

use super::{open_source, parse_roots, SourceArgs};
use crate::pipeline::Request;
use crate::render::Output;

/// Arguments of `bom`.
#[derive(Args, Debug)]
pub struct BomArgs {
    /// Repos the BOM is about (their whole upward lineage is included).
    #[arg(required = true, value_name = "REPO")]
    pub repos: Vec<String>,
    #[command(flatten)]
    pub infer: super::InferArgs,
    #[command(flatten)]
    pub policy: super::PolicyArgs,
    #[command(flatten)]
    pub out: super::OutputArgs,
    #[command(flatten)]
    pub source: SourceArgs,
}

/// Runs `bom`.
pub fn run(args: BomArgs) -> anyhow::Result<u8> {
    super::print(&args.out, prepare(&args)?)
}

/// Runs `bom` up to what it would print.
pub fn prepare(args: &BomArgs) -> anyhow::Result<super::Prepared> {
    let format = args.out.format(Output::Bom)?;
    // As audit does: up to the roots, parents named only in card text as suggestions, licenses
    // and documentation judged, the policy applied.
    let req = Request {
        infer_from_text: args.infer.enabled(true),
        policy: args.policy.load()?,
        ..Request::audit(parse_roots(&args.repos)?)
    };
    let mut opened = open_source(&args.source, true)?;
    let analysis = super::run_pipeline(&mut opened, &req)?;
    let kb = req.policy.knowledge_base();
    let options = args.out.options(None, String::new(), &args.source, kb);
    Ok(super::Prepared {
        analysis,
        output: Output::Bom,
        format,
        options,
        exit: super::exit::OK,
    })
}
