//! `hf-lineage trace`: walk a lineage and print it.

use std::path::PathBuf;

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
    /// Suggest parents that cards name only in their text (marked as suggestions).
    #[arg(long)]
    pub infer_from_text: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write the output to a file instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub diagram: super::DiagramArgs,
    #[command(flatten)]
    pub source: SourceArgs,
}

/// Runs `trace`; returns the exit code.
pub fn run(args: TraceArgs) -> anyhow::Result<u8> {
    let roots = parse_roots(&args.repos)?;
    let mut opened = open_source(&args.source, args.infer_from_text)?;
    let opts = args.walk.options();
    let mut graph = hf_lineage::trace::trace(opened.source.as_mut(), &roots, opts);
    if args.infer_from_text {
        hf_lineage::docs_check::lineage::infer_from_text(&mut graph);
    }
    drop(opened.progress.take());
    super::check_crawl(&graph, opened.source.as_ref(), opened.offline)?;
    let title = format!("Lineage of {}", args.repos.join(", "));
    let text = match args.format {
        Format::Json => render_json(&graph),
        f @ (Format::Dot | Format::Svg | Format::Mermaid | Format::Html) => super::render_diagram(
            &graph,
            f,
            &args.diagram,
            &title,
            &hf_lineage::license::kb::KnowledgeBase::builtin(),
        )?
        .unwrap_or_default(),
        Format::Text => render_text(
            &graph,
            TextOptions {
                direction: opts.direction,
                color: use_color(args.output.as_deref()),
            },
        ),
    };
    emit(&text, args.output.as_deref())?;
    Ok(super::exit::OK)
}
