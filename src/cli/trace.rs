//! `hf-lineage trace`: walk a lineage and print it.

use clap::Args;

use super::{emit, open_source, parse_roots, use_color, Format, SourceArgs, WalkArgs};
use hf_lineage::pipeline::{Request, Scope};
use hf_lineage::render::{render_json, render_text, TextOptions};

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
    use Format::*;
    let format = args
        .out
        .format_for("trace", &[Text, Json, Dot, Svg, Mermaid, Html])?;
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
    let title = format!("Lineage of {}", args.repos.join(", "));
    let text = match format {
        Json => render_json(&analysis),
        f @ (Dot | Svg | Mermaid | Html) => super::render_diagram(
            &analysis,
            f,
            &args.diagram,
            &title,
            &hf_lineage::license::kb::KnowledgeBase::builtin(),
            &args.source.hub.endpoint,
        )?
        .unwrap_or_default(),
        _ => render_text(
            &analysis,
            TextOptions {
                direction: req.direction,
                color: use_color(args.out.output.as_deref()),
            },
        ),
    };
    emit(&text, args.out.output.as_deref())?;
    Ok(super::exit::OK)
}
