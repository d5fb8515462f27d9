//! `hf-lineage bom`: an AI bill of materials of repos and everything they derive from.

use clap::Args;

use super::{emit, open_source, parse_roots, Format, SourceArgs};
use hf_lineage::audit::{audit, AuditOptions};
use hf_lineage::render::bom::{bom_repos, cyclonedx::render_cyclonedx, spdx::render_spdx};

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
    let format = args
        .out
        .format_for("bom", &[Format::Cyclonedx, Format::Spdx])?;
    let policy = args.policy.load()?;
    let roots = parse_roots(&args.repos)?;
    let mut opened = open_source(&args.source, true)?;
    // As audit does: up to the roots, parents named only in card text as suggestions, licenses
    // and documentation judged, the policy applied.
    let opts = AuditOptions {
        down: false,
        depth: None,
        infer_from_text: args.infer.enabled(true),
    };
    let graph = audit(opened.source.as_mut(), &roots, opts, &policy);
    drop(opened.progress.take());
    super::check_crawl(&graph, opened.source.as_ref(), opened.offline)?;
    let repos = bom_repos(&graph, &policy.knowledge_base());
    let endpoint = &args.source.hub.endpoint;
    let text = match format {
        Format::Spdx => render_spdx(&repos, graph.roots(), endpoint),
        _ => render_cyclonedx(&repos, graph.roots(), endpoint),
    };
    emit(&text, args.out.output.as_deref())?;
    Ok(super::exit::OK)
}
