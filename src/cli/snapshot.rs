//! `hf-lineage snapshot`: crawl the Hub and write what was read in the snapshot layout.

use anyhow::Context;
use std::path::{Path, PathBuf};

use clap::Args;

use super::{check_crawl, parse_roots, SourceArgs, WalkArgs};
use hf_lineage::source::hub::RawRepo;
use hf_lineage::source::HubSource;

/// Arguments of `snapshot`.
#[derive(Args, Debug)]
pub struct SnapshotArgs {
    /// Repos to start from.
    #[arg(required = true, value_name = "REPO")]
    pub repos: Vec<String>,
    #[command(flatten)]
    pub walk: WalkArgs,
    /// The directory to write (created if needed; existing entries are overwritten).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    #[command(flatten)]
    pub source: SourceArgs,
}

/// Runs `snapshot`.
pub fn run(args: SnapshotArgs) -> anyhow::Result<u8> {
    if args.source.snapshot.is_some() {
        return Err(anyhow::anyhow!(
            "snapshot reads the Hub; --snapshot makes no sense here"
        ));
    }
    let roots = parse_roots(&args.repos)?;
    let mut hub = HubSource::new(args.source.hub_config(true)?)?;
    let offline = hf_lineage::hub::auth::offline(&hf_lineage::hub::auth::ProcessEnv);
    let graph = {
        let _progress = super::Progress::start_for(&hub);
        hf_lineage::trace::trace(&mut hub, &roots, args.walk.options())
    };
    check_crawl(&graph, &hub, offline)?;
    let mut written = 0usize;
    for (id, raw) in hub.archive() {
        write_entry(&args.out, id, raw)?;
        written += 1;
    }
    for kind in hf_lineage::RepoKind::ALL {
        std::fs::create_dir_all(args.out.join(kind.plural()))
            .with_context(|| format!("cannot create {}", args.out.display()))?;
    }
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

fn write_entry(out: &Path, id: &hf_lineage::RepoId, raw: &RawRepo) -> anyhow::Result<()> {
    let dir = out.join(id.kind().plural()).join(id.name());
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    if let Some(info) = &raw.info {
        // Pretty-printed for people who read snapshots; same JSON value as the API body.
        let text = serde_json::from_slice::<serde_json::Value>(info)
            .ok()
            .and_then(|v| serde_json::to_vec_pretty(&v).ok())
            .unwrap_or_else(|| info.clone());
        std::fs::write(dir.join("info.json"), text)
            .with_context(|| format!("cannot write {}", dir.display()))?;
    }
    if let Some(readme) = &raw.readme {
        std::fs::write(dir.join("README.md"), readme)
            .with_context(|| format!("cannot write {}", dir.display()))?;
    }
    Ok(())
}
