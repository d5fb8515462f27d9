//! The `hf-lineage` binary: parses arguments, runs a subcommand, maps results to exit codes.

mod cli;

use std::process::ExitCode;

/// mimalloc: whole-Hub graphs allocate tens of millions of small strings and lists; it is
/// faster than the system allocator at that and returns memory in larger pieces.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{Parser, Subcommand};

/// Provenance graphs of Hugging Face repositories: lineage, licenses, documentation.
#[derive(Parser, Debug)]
#[command(name = "hf-lineage", version, about, long_about = None)]
struct Cli {
    /// More logging on stderr (-v: info, -vv: debug, including every request path).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Trace the lineage of repos (up to their roots, down to their derivatives, or both).
    Trace(cli::trace::TraceArgs),
    /// Check the licenses down a lineage: conflicts, drift, missing and unresolved terms.
    Audit(cli::audit::AuditArgs),
    /// Answer a question about lineage with a query (see `query --list` for named ones).
    Query(cli::query::QueryArgs),
    /// Check a folder before pushing it: its card and files judged against its lineage.
    Check(cli::check::CheckArgs),
    /// Lint one local README.md: metadata as the tool reads it, findings, and what changed.
    Card(cli::card::CardArgs),
    /// Crawl the Hub from some repos and write what was read as a snapshot (directory or Parquet).
    Snapshot(cli::snapshot::SnapshotArgs),
    /// Write an AI bill of materials (CycloneDX 1.7 or SPDX 3.0.1) of repos and their lineage.
    Bom(cli::bom::BomArgs),
    /// Export a lineage (or a whole snapshot) as tables: Parquet, neo4j CSV or GraphML.
    Export(cli::export::ExportArgs),
    /// Explain a finding code: what it means, how to resolve or allow it (`--list` for all).
    Explain(cli::explain::ExplainArgs),
}

fn main() -> ExitCode {
    let args = Cli::parse();
    let level = match args.verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    // Only our own crate logs; dependencies stay quiet (their lines could echo headers).
    let filter = tracing_subscriber::EnvFilter::new(format!("hf_lineage={level}"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
    let result = match args.command {
        Command::Trace(a) => cli::trace::run(a),
        Command::Card(a) => cli::card::run(a),
        Command::Check(a) => cli::check::run(a),
        Command::Audit(a) => cli::audit::run(a),
        Command::Query(a) => cli::query::run(a),
        Command::Snapshot(a) => cli::snapshot::run(a),
        Command::Explain(a) => cli::explain::run(a),
        Command::Bom(a) => cli::bom::run(a),
        Command::Export(a) => cli::export::run(a),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            // The whole chain: what failed, and why, down to the root cause.
            // Messages carry what servers and files said: escaped for the terminal.
            eprintln!(
                "error: {}",
                hf_lineage::render::escape::block(&format!("{e:#}"))
            );
            ExitCode::from(cli::exit::OPERATIONAL)
        }
    }
}
