//! The `hf-lineage` binary: parses arguments, runs a subcommand, maps results to exit codes.

mod cli;

use clap::{Parser, Subcommand};

/// Provenance graphs of Hugging Face repositories: lineage, licenses, documentation.
#[derive(Parser, Debug)]
#[command(name = "hf-lineage", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Trace the lineage of repos (up to their roots, down to their derivatives, or both).
    Trace(cli::trace::TraceArgs),
    /// Lint one local README.md: metadata as the tool reads it, and findings.
    Card(cli::card::CardArgs),
}

fn main() {
    let args = Cli::parse();
    let result = match args.command {
        Command::Trace(a) => cli::trace::run(a),
        Command::Card(a) => cli::card::run(a),
    };
    let code = match result {
        Ok(code) => code,
        Err(cli::CliError(msg)) => {
            eprintln!("error: {msg}");
            cli::exit::OPERATIONAL
        }
    };
    std::process::exit(code);
}
