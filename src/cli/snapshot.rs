//! `hf-lineage snapshot`: crawl the Hub and write what was read in the snapshot layout.

use std::path::PathBuf;

use clap::Args;

use super::{parse_roots, HubArgs, WalkArgs};
use crate::pipeline::{Request, Scope};
use crate::source::snapshot::write_snapshot;
use crate::source::HubSource;

/// Arguments of `snapshot`.
#[derive(Args, Debug)]
pub struct SnapshotArgs {
    /// Repos to start from (or --all).
    #[arg(value_name = "REPO", required_unless_present = "all")]
    pub repos: Vec<String>,
    /// Every repo of the --kind(s), from the Hub's paged listings (metadata only, no README
    /// bodies); resumable: pages already read come from the cache.
    #[arg(long, conflicts_with = "repos")]
    pub all: bool,
    /// With --all: which kinds (models, datasets, spaces; comma-separated).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "models",
        value_name = "KINDS"
    )]
    pub kind: Vec<String>,
    #[command(flatten)]
    pub walk: WalkArgs,
    /// Where to write: a directory (created if needed; existing entries are overwritten), or a
    /// `FILE.parquet` in the dump's schema plus hf-lineage's columns.
    #[arg(long, value_name = "DIR|FILE.parquet")]
    pub out: PathBuf,
    #[command(flatten)]
    pub hub: HubArgs,
}

fn write(out: &std::path::Path, hub: &HubSource) -> anyhow::Result<usize> {
    Ok(if out.extension().is_some_and(|e| e == "parquet") {
        crate::source::parquet::write_parquet(out, hub.archive())?
    } else {
        write_snapshot(out, hub.archive())?
    })
}

/// `snapshot --all`: the paged listings of each kind, with a progress bar and an ETA from
/// `X-Total-Count` when stderr is a terminal.
fn run_all(args: &SnapshotArgs) -> anyhow::Result<u8> {
    let mut hub = HubSource::new(args.hub.hub_config(false)?)?;
    let mut findings = Vec::new();
    for k in &args.kind {
        let kind = match k.trim().trim_end_matches('s') {
            "model" => crate::id::RepoKind::Model,
            "dataset" => crate::id::RepoKind::Dataset,
            "space" => crate::id::RepoKind::Space,
            other => anyhow::bail!("--kind {other:?}: expected models, datasets or spaces"),
        };
        let bar =
            indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
        bar.set_style(
            indicatif::ProgressStyle::with_template("{prefix} {wide_bar} {pos}/{len} (ETA {eta})")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar.set_prefix(kind.plural());
        let (read, f) = hub.list_all(kind, |done, total| {
            if let Some(t) = total {
                bar.set_length(t);
            }
            bar.set_position(done);
        });
        bar.finish_and_clear();
        eprintln!("listed {read} {}", kind.plural());
        findings.extend(f);
    }
    if let Some(why) = crate::source::Source::fatal(&hub) {
        return Err(anyhow::Error::from_boxed(why));
    }
    for f in &findings {
        eprintln!(
            "warning: [{}] {}",
            f.code,
            crate::render::escape::line(&f.message)
        );
    }
    let written = write(&args.out, &hub)?;
    eprintln!("wrote {written} repos to {}", args.out.display());
    Ok(super::exit::OK)
}

/// Runs `snapshot`.
pub fn run(args: SnapshotArgs) -> anyhow::Result<u8> {
    if args.all {
        return run_all(&args);
    }
    let req = Request {
        scope: Scope::Roots(parse_roots(&args.repos)?),
        direction: args.walk.direction(),
        depth: args.walk.depth,
        ..Request::trace(Vec::new())
    };
    let mut hub = HubSource::new(args.hub.hub_config(true)?)?;
    let analysis = {
        let _progress = super::Progress::start_for(&hub);
        crate::pipeline::run(&mut hub, &req)?
    };
    let graph = analysis.graph();
    let written = write(&args.out, &hub)?;
    let unavailable = graph
        .nodes()
        .iter()
        .filter(|n| n.status() != crate::record::NodeStatus::Ok)
        .count();
    eprintln!(
        "wrote {written} repos to {} ({} nodes in the lineage, {unavailable} not readable or beyond --depth)",
        args.out.display(),
        graph.node_count()
    );
    Ok(super::exit::OK)
}
