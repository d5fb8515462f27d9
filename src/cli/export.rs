//! `hf-lineage export`: the graph as tables for DuckDB, Spark, pandas, Neo4j, Gephi.

use anyhow::Context;
use clap::Args;
use std::path::PathBuf;

use super::{open_source, parse_roots, Format, SourceArgs};
use hf_lineage::audit::{analyse, audit, whole_graph, AuditOptions, CardText};
use hf_lineage::render::export::{write_csv_tables, write_graphml, write_parquet_tables};

/// Arguments of `export`.
#[derive(Args, Debug)]
pub struct ExportArgs {
    /// Repos whose lineage to export (or --all).
    #[arg(value_name = "REPO", required_unless_present = "all")]
    pub repos: Vec<String>,
    /// Export everything the snapshot holds.
    #[arg(long, conflicts_with = "repos")]
    pub all: bool,
    /// With repos: also everything derived from them.
    #[arg(long)]
    pub down: bool,
    /// The directory to write the tables into (created if needed).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Table format: parquet (default), csv (neo4j-admin import form) or graphml.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    #[command(flatten)]
    pub infer: super::InferArgs,
    #[command(flatten)]
    pub policy: super::PolicyArgs,
    #[command(flatten)]
    pub source: SourceArgs,
}

/// Runs `export`.
pub fn run(args: ExportArgs) -> anyhow::Result<u8> {
    let format = super::OutputArgs {
        format: args.format,
        output: None,
    }
    .format_for("export", &[Format::Parquet, Format::Csv, Format::Graphml])?;
    let policy = args.policy.load()?;
    // Off by default, as in trace: the tables are what metadata declares.
    let infer = args.infer.enabled(false);
    let super::Opened {
        mut source,
        progress,
        offline,
    } = open_source(&args.source, infer)?;
    let t0 = std::time::Instant::now();
    let graph = if args.all {
        let text = CardText::for_inference(infer);
        let g = whole_graph(source.as_mut(), text);
        // Everything is read: the source (a snapshot's index holds an entry per row) goes
        // before the analyses need the room.
        drop(source);
        let mut g = g.ok_or_else(|| {
            anyhow::anyhow!("--all needs --snapshot PATH: the live Hub cannot be listed whole (name repos instead)")
        })?;
        tracing::info!(
            secs = t0.elapsed().as_secs_f64(),
            "read and built the graph"
        );
        analyse(&mut g, &policy, infer);
        tracing::info!(secs = t0.elapsed().as_secs_f64(), "analysed");
        g
    } else {
        let roots = parse_roots(&args.repos)?;
        let opts = AuditOptions {
            down: args.down,
            depth: None,
            infer_from_text: infer,
        };
        let g = audit(source.as_mut(), &roots, opts, &policy);
        super::check_crawl(&g, source.as_ref(), offline)?;
        g
    };
    drop(progress);
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let kb = policy.knowledge_base();
    match format {
        Format::Csv => write_csv_tables(&graph, &kb, &args.out)?,
        Format::Graphml => write_graphml(&graph, &kb, &args.out)?,
        _ => write_parquet_tables(&graph, &kb, &args.out)?,
    }
    eprintln!(
        "exported {} nodes, {} edges, {} findings to {}",
        graph.node_count(),
        graph.edge_count(),
        graph.findings().len(),
        args.out.display()
    );
    // The process ends here: freeing millions of records one by one would only add seconds
    // (a whole-Hub graph takes ~10 s to drop); the operating system takes the memory back.
    std::mem::forget(graph);
    Ok(super::exit::OK)
}
