//! `hf-lineage export`: the graph as tables for DuckDB, Spark, pandas, Neo4j, Gephi.

use anyhow::Context;
use clap::Args;
use std::path::PathBuf;

use super::{open_source, parse_roots, SourceArgs};
use crate::graph::Direction;
use crate::pipeline::{PipelineError, Request, Scope};
use crate::render::{write_tables, Format, Output};

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
    let format = Output::Tables.format(args.format)?;
    let scope = match args.all {
        true => Scope::Whole,
        false => Scope::Roots(parse_roots(&args.repos)?),
    };
    let req = Request {
        scope,
        direction: Direction::down_if(args.down),
        depth: None,
        judge: true,
        // Off by default, as in trace: the tables are what metadata declares.
        infer_from_text: args.infer.enabled(false),
        policy: args.policy.load()?,
    };
    let mut opened = open_source(&args.source, req.infer_from_text)?;
    let analysis = super::run_pipeline(&mut opened, &req).map_err(|e| {
        match e.downcast_ref::<PipelineError>() {
            Some(PipelineError::NotListable) => anyhow::anyhow!("--all needs --snapshot PATH: the live Hub cannot be listed whole (name repos instead)"),
            _ => e,
        }
    })?;
    // Everything is read: the source goes before the tables need the room.
    drop(opened);
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    write_tables(&analysis, format, &req.policy.knowledge_base(), &args.out)?;
    eprintln!(
        "exported {} nodes, {} edges, {} findings to {}",
        analysis.graph().node_count(),
        analysis.graph().edge_count(),
        analysis.findings().len(),
        args.out.display()
    );
    // The process ends here: freeing millions of records one by one would only add seconds
    // (a whole-Hub graph takes ~10 s to drop); the operating system takes the memory back.
    std::mem::forget(analysis);
    Ok(super::exit::OK)
}
