//! `hf-lineage trace`: walk a lineage and print it.

use clap::Args;

use super::{emit, open_source, parse_roots, use_color, Format, SourceArgs, WalkArgs};
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
    let roots = parse_roots(&args.repos)?;
    use Format::*;
    let format = args
        .out
        .format_for("trace", &[Text, Json, Dot, Svg, Mermaid, Html])?;
    // Off by default in trace: the graph shows what metadata declares.
    let infer = args.infer.enabled(false);
    let t = std::time::Instant::now();
    let mut opened = open_source(&args.source, infer)?;
    tracing::debug!(secs = t.elapsed().as_secs_f64(), "source opened");
    let opts = args.walk.options();
    let t = std::time::Instant::now();
    let mut graph = hf_lineage::trace::trace(opened.source.as_mut(), &roots, opts);
    tracing::debug!(secs = t.elapsed().as_secs_f64(), "traced");
    let t = std::time::Instant::now();
    if infer {
        hf_lineage::docs_check::lineage::infer_from_text(&mut graph);
    }
    drop(opened.progress.take());
    super::check_crawl(&graph, opened.source.as_ref(), opened.offline)?;
    let title = format!("Lineage of {}", args.repos.join(", "));
    let text = match format {
        Json => render_json(&graph),
        f @ (Dot | Svg | Mermaid | Html) => super::render_diagram(
            &graph,
            f,
            &args.diagram,
            &title,
            &hf_lineage::license::kb::KnowledgeBase::builtin(),
            &args.source.hub.endpoint,
        )?
        .unwrap_or_default(),
        _ => render_text(
            &graph,
            TextOptions {
                direction: opts.direction,
                color: use_color(args.out.output.as_deref()),
            },
        ),
    };
    tracing::debug!(secs = t.elapsed().as_secs_f64(), "rendered");
    emit(&text, args.out.output.as_deref())?;
    Ok(super::exit::OK)
}
