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
    #[arg(
        long,
        value_name = "DIR|FILE.parquet",
        required_unless_present = "update"
    )]
    pub out: Option<PathBuf>,
    /// With --all: bring this Parquet snapshot (one `--out FILE.parquet` wrote) up to date in
    /// place. The Hub is listed newest first (`sort=lastModified`) down to the file's newest
    /// entry, usually a page or two; the file is rewritten beside itself and renamed over it.
    #[arg(
        long,
        value_name = "FILE.parquet",
        requires = "all",
        conflicts_with = "out"
    )]
    pub update: Option<PathBuf>,
    /// With --update: also drop repos the Hub no longer lists (an id-only listing of each kind,
    /// the cheapest there is; nothing is dropped when it does not complete).
    #[arg(long, requires = "update")]
    pub prune: bool,
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
    if let Some(file) = &args.update {
        return run_update(args, file);
    }
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
    fail_or_warn(&hub, &findings)?;
    let out = out_path(args)?;
    let written = write(out, &hub)?;
    eprintln!("wrote {written} repos to {}", out.display());
    Ok(super::exit::OK)
}

/// A listing's fatal error (a rejected token, say) fails the run; its other findings are
/// warnings on stderr.
fn fail_or_warn(hub: &HubSource, findings: &[crate::finding::Finding]) -> anyhow::Result<()> {
    if let Some(why) = crate::source::Source::fatal(hub) {
        return Err(anyhow::Error::from_boxed(why));
    }
    for f in findings {
        eprintln!(
            "warning: [{}] {}",
            f.code,
            crate::render::escape::line(&f.message)
        );
    }
    Ok(())
}

fn out_path(args: &SnapshotArgs) -> anyhow::Result<&std::path::Path> {
    args.out
        .as_deref()
        .ok_or_else(|| anyhow::anyhow!("--out is needed (or --all --update FILE.parquet)"))
}

fn kinds(args: &SnapshotArgs) -> anyhow::Result<Vec<crate::id::RepoKind>> {
    args.kind
        .iter()
        .map(|k| {
            crate::id::RepoKind::from_name(k.trim())
                .ok_or_else(|| anyhow::anyhow!("--kind {k:?}: expected models, datasets or spaces"))
        })
        .collect()
}

/// `snapshot --all --update FILE.parquet [--prune]`.
fn run_update(args: &SnapshotArgs, file: &std::path::Path) -> anyhow::Result<u8> {
    use crate::source::parquet::{newest_modified, update_parquet};
    if !file.exists() {
        anyhow::bail!(
            "--update {}: no such file; make it first with `snapshot --all --out {}`",
            file.display(),
            file.display()
        );
    }
    // The listing's first pages change every minute: ask again (a conditional request when
    // cached) instead of trusting the cache's age.
    let mut cfg = args.hub.hub_config(false)?;
    cfg.refresh = true;
    let mut hub = HubSource::new(cfg)?;
    let mut live = std::collections::HashMap::new();
    let (mut pages, mut findings) = (0u64, Vec::new());
    for kind in kinds(args)? {
        let since = newest_modified(file, kind)?;
        let Some(since) = since else {
            anyhow::bail!(
                "{} holds no {} with a last-modified time to update from; make it with `snapshot --all --kind {} --out`",
                file.display(),
                kind.plural(),
                kind.plural()
            );
        };
        let l = hub.list_since(kind, since, |_, _| {});
        eprintln!(
            "{}: {} page(s), {} modified since {}",
            kind.plural(),
            l.pages,
            l.repos,
            since.to_rfc3339()
        );
        pages += l.pages;
        findings.extend(l.findings);
        if args.prune {
            let (ids, l) = hub.list_ids(kind);
            pages += l.pages;
            match ids {
                Some(ids) => {
                    live.insert(kind, ids);
                }
                None => eprintln!(
                    "warning: the id listing of {} did not complete: nothing pruned",
                    kind.plural()
                ),
            }
            findings.extend(l.findings);
        }
    }
    fail_or_warn(&hub, &findings)?;
    let u = update_parquet(file, hub.archive(), &live)?;
    eprintln!(
        "updated {}: {pages} page(s) read, {} added, {} updated, {} removed, {} repos",
        file.display(),
        u.added,
        u.updated,
        u.removed,
        u.rows
    );
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
    let out = out_path(&args)?;
    let written = write(out, &hub)?;
    let unavailable = graph
        .nodes()
        .iter()
        .filter(|n| n.status() != crate::record::NodeStatus::Ok)
        .count();
    eprintln!(
        "wrote {written} repos to {} ({} nodes in the lineage, {unavailable} not readable or beyond --depth)",
        out.display(),
        graph.node_count()
    );
    Ok(super::exit::OK)
}
