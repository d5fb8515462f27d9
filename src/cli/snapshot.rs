//! `hf-lineage snapshot`: crawl the Hub and write what was read in the snapshot layout.

use std::path::PathBuf;

use clap::Args;

use super::{check_crawl, parse_roots, HubArgs, WalkArgs};
use hf_lineage::source::snapshot::write_snapshot;
use hf_lineage::source::HubSource;

/// Arguments of `snapshot`.
#[derive(Args, Debug)]
pub struct SnapshotArgs {
    /// Repos to start from.
    #[arg(required = true, value_name = "REPO")]
    pub repos: Vec<String>,
    #[command(flatten)]
    pub walk: WalkArgs,
    /// Where to write: a directory (created if needed; existing entries are overwritten), or a
    /// `FILE.parquet` in the dump's schema plus hf-lineage's columns.
    #[arg(long, value_name = "DIR|FILE.parquet")]
    pub out: PathBuf,
    #[command(flatten)]
    pub hub: HubArgs,
}

/// Runs `snapshot`.
pub fn run(args: SnapshotArgs) -> anyhow::Result<u8> {
    let roots = parse_roots(&args.repos)?;
    let mut hub = HubSource::new(args.hub.hub_config(true)?)?;
    let offline = hf_lineage::hub::auth::offline(&hf_lineage::hub::auth::ProcessEnv);
    let graph = {
        let _progress = super::Progress::start_for(&hub);
        hf_lineage::trace::trace(&mut hub, &roots, args.walk.options())
    };
    check_crawl(&graph, &hub, offline)?;
    let written = if args.out.extension().is_some_and(|e| e == "parquet") {
        hf_lineage::source::parquet::write_parquet(&args.out, hub.archive())?
    } else {
        write_snapshot(&args.out, hub.archive())?
    };
    let unavailable = graph
        .nodes()
        .iter()
        .filter(|n| n.status() != hf_lineage::NodeStatus::Ok)
        .count();
    eprintln!(
        "wrote {written} repos to {} ({} nodes in the lineage, {unavailable} not readable or beyond --depth)",
        args.out.display(),
        graph.node_count()
    );
    Ok(super::exit::OK)
}
