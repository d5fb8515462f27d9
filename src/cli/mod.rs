//! The command-line front end: one module per subcommand, shared options and output here.

pub mod audit;
pub mod bom;
pub mod card;
pub mod explain;
pub mod export;
pub mod query;
pub mod snapshot;
pub mod trace;

use anyhow::Context;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use hf_lineage::graph::Direction;
use hf_lineage::hub::{HubConfig, Rate, Stats};
use hf_lineage::id::{RepoId, RepoKind};
use hf_lineage::pipeline::Request;
use hf_lineage::source::{HubSource, SnapshotSource, Source};
use hf_lineage::Analysis;

/// Exit codes.
pub mod exit {
    /// Success, nothing at deny level.
    pub const OK: u8 = 0;
    /// An operational failure (unreadable input, network down, bad arguments).
    pub const OPERATIONAL: u8 = 1;
    /// Findings at deny level.
    pub const DENY: u8 = 2;
}

/// Where repos come from: a snapshot, or the Hub (default).
#[derive(Args, Debug, Clone)]
pub struct SourceArgs {
    /// Read repos from an offline snapshot instead of the Hub: a snapshot directory, a
    /// `.parquet` file (ours, or a shard of the Hub's public card dump), or a directory of them.
    #[arg(long, value_name = "PATH")]
    pub snapshot: Option<PathBuf>,
    #[command(flatten)]
    pub hub: HubArgs,
}

/// How to talk to the Hub.
#[derive(Args, Debug, Clone)]
pub struct HubArgs {
    /// Hub endpoint (a mirror, or a local server).
    #[arg(long, env = "HF_ENDPOINT", value_name = "URL", default_value = hf_lineage::hub::DEFAULT_ENDPOINT)]
    pub endpoint: String,
    /// The cache database: Hub answers, and the links index of directory snapshots walked
    /// `--down` [default: $HF_HOME/hf-lineage/cache.sqlite].
    #[arg(long, value_name = "PATH")]
    pub cache: Option<PathBuf>,
    /// Use cached answers younger than this without asking the Hub (e.g. 1d, 6h, 30m, 90s).
    #[arg(long, value_name = "DURATION", default_value = "1d", value_parser = parse_duration)]
    pub max_age: Duration,
    /// Revalidate every cached answer.
    #[arg(long)]
    pub refresh: bool,
    /// Our own request ceiling: `N/SECONDS` for the api bucket, or `api=N/S`, `resolvers=N/S`.
    /// Without it, the policy the Hub announces (`RateLimit-Policy`) is the only limit; a server
    /// that announces none gets the Hub's documented limits (anonymous or free-user).
    #[arg(long, value_name = "RATE")]
    pub rate: Vec<String>,
    /// Requests in flight at most.
    #[arg(long, value_name = "N", default_value_t = 8)]
    pub jobs: usize,
    /// Per-request timeout (e.g. 30s, 2m; a bare number is seconds).
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = parse_duration)]
    pub timeout: Duration,
    /// First retry backoff (doubles up to 30 s), e.g. 500ms.
    #[arg(long, value_name = "DURATION", default_value = "500ms", value_parser = parse_duration, hide = true)]
    pub retry_base: Duration,
}

/// The one duration syntax of every option: `90s`, `30m`, `6h`, `1d`, `500ms`, `1h 30m`
/// (humantime), or a bare number of seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    if let Ok(secs) = s.parse::<f64>() {
        return if secs >= 0.0 && secs.is_finite() {
            Ok(Duration::from_secs_f64(secs))
        } else {
            Err(format!("{s:?} is not a duration"))
        };
    }
    humantime::parse_duration(s)
        .map_err(|e| format!("{s:?} is not a duration like 90s, 30m, 6h, 1d or 500ms ({e})"))
}

impl HubArgs {
    /// The cache database: `--cache`, else `$HF_HOME/hf-lineage/cache.sqlite`.
    pub fn cache_path(&self) -> PathBuf {
        self.cache.clone().unwrap_or_else(|| {
            hf_lineage::hub::auth::hf_home(&hf_lineage::hub::auth::ProcessEnv)
                .join("hf-lineage")
                .join("cache.sqlite")
        })
    }

    /// The crawler configuration these arguments and the environment ask for.
    pub fn hub_config(&self, want_readme: bool) -> anyhow::Result<HubConfig> {
        let env = hf_lineage::hub::auth::ProcessEnv;
        let token = hf_lineage::hub::auth::find_token(&env);
        let mut cfg = HubConfig::new(&self.endpoint, token);
        for r in &self.rate {
            let (bucket, spec) = match r.split_once('=') {
                Some((b, spec)) => (b.trim(), spec),
                None => ("api", r.as_str()),
            };
            let rate = Rate::parse(spec)
                .ok_or_else(|| anyhow::anyhow!("--rate {r:?}: expected N/SECONDS, e.g. 500/300"))?;
            match bucket {
                "api" => cfg.api_rate = rate,
                "resolvers" => cfg.resolver_rate = rate,
                other => {
                    return Err(anyhow::anyhow!(
                        "--rate {r:?}: unknown bucket {other:?} (api or resolvers)"
                    ))
                }
            }
        }
        cfg.explicit_rate = !self.rate.is_empty();
        cfg.jobs = self.jobs.max(1);
        cfg.max_age = self.max_age;
        cfg.refresh = self.refresh;
        cfg.offline = hf_lineage::hub::auth::offline(&env);
        cfg.cache_path = Some(self.cache_path());
        if self.timeout.is_zero() {
            return Err(anyhow::anyhow!("--timeout must be longer than zero"));
        }
        cfg.timeout = self.timeout;
        cfg.retry.base = self.retry_base.max(Duration::from_millis(1));
        cfg.want_readme = want_readme;
        Ok(cfg)
    }
}

/// `--up/--down/--both` and `--depth`.
#[derive(Args, Debug, Clone)]
pub struct WalkArgs {
    /// Follow base models and training data up to the roots (the default).
    #[arg(long, conflicts_with_all = ["down", "both"])]
    pub up: bool,
    /// Follow derived models and the Spaces that use them.
    #[arg(long, conflicts_with = "both")]
    pub down: bool,
    /// Follow both directions from the given repos.
    #[arg(long)]
    pub both: bool,
    /// How many hops to follow at most.
    #[arg(long, value_name = "N")]
    pub depth: Option<usize>,
}

impl WalkArgs {
    /// The direction the flags ask for (up unless `--down` or `--both`).
    pub fn direction(&self) -> Direction {
        if self.both {
            Direction::Both
        } else if self.down {
            Direction::Down
        } else {
            Direction::Up
        }
    }
}

/// Output formats: one type for every command; each rejects what it cannot produce.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Text for terminals (a tree; audit: findings by repo; card: a summary).
    Text,
    /// JSON (the graph, hf-lineage/graph@1; card: its report).
    Json,
    /// SARIF 2.1.0 for code-scanning tools (audit).
    Sarif,
    /// CycloneDX 1.7 JSON, an AI bill of materials (bom).
    Cyclonedx,
    /// SPDX 3.0.1 JSON-LD with the AI and Dataset profiles (bom).
    Spdx,
    /// Parquet tables (export).
    Parquet,
    /// CSV tables in neo4j-admin import form (export).
    Csv,
    /// GraphML (export).
    Graphml,
    /// Graphviz DOT.
    Dot,
    /// SVG (needs Graphviz `dot`).
    Svg,
    /// Mermaid flowchart (renders in GitHub Markdown).
    Mermaid,
    /// The HTML explorer: one self-contained page (pan, zoom, search, filters, details).
    Html,
}

impl Format {
    fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Cyclonedx => "cyclonedx",
            Format::Spdx => "spdx",
            Format::Parquet => "parquet",
            Format::Csv => "csv",
            Format::Graphml => "graphml",
            Format::Dot => "dot",
            Format::Svg => "svg",
            Format::Mermaid => "mermaid",
            Format::Html => "html",
        }
    }
}

/// `--format` and `--output`, for every command that prints.
#[derive(Args, Debug, Clone)]
pub struct OutputArgs {
    /// Output format: text, json, dot, svg, mermaid, html; sarif for audit; cyclonedx or spdx
    /// for bom; card prints text or json [default: text; bom: cyclonedx].
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Write the output to a file instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

impl OutputArgs {
    /// The format asked for (the command's first format when none was), if `command` can
    /// produce it; otherwise an error naming what it can.
    pub fn format_for(&self, command: &str, can: &[Format]) -> anyhow::Result<Format> {
        let f = self.format.unwrap_or(can[0]);
        if can.contains(&f) {
            return Ok(f);
        }
        let names: Vec<&str> = can.iter().map(|f| f.name()).collect();
        Err(anyhow::anyhow!(
            "{command} cannot produce --format {}: it prints {}",
            f.name(),
            names.join(", ")
        ))
    }
}

/// `--policy`, for the commands that judge.
#[derive(Args, Debug, Clone)]
pub struct PolicyArgs {
    /// Policy file [default: ./hf-lineage.toml when it exists].
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
}

impl PolicyArgs {
    /// Loads the policy named, or ./hf-lineage.toml, or none.
    pub fn load(&self) -> anyhow::Result<hf_lineage::license::policy::LicensePolicy> {
        use anyhow::Context;
        let default = PathBuf::from("hf-lineage.toml");
        let path = match &self.policy {
            Some(p) => p.clone(),
            None if default.exists() => default,
            None => return Ok(Default::default()),
        };
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read policy {}", path.display()))?;
        Ok(hf_lineage::license::policy::LicensePolicy::parse(
            &text,
            &path.display().to_string(),
        )?)
    }
}

/// `--infer-from-text` / `--no-infer-from-text`: the same two flags on every command; the
/// default is each command's own (on in `audit`, off in `trace` and `query`).
#[derive(Args, Debug, Clone)]
pub struct InferArgs {
    /// Suggest parents that cards name only in their text (marked as suggestions).
    #[arg(long, overrides_with = "no_infer_from_text")]
    pub infer_from_text: bool,
    /// Do not suggest parents from card text.
    #[arg(long, overrides_with = "infer_from_text")]
    pub no_infer_from_text: bool,
}

impl InferArgs {
    /// Whether to infer, given the command's default.
    pub fn enabled(&self, default: bool) -> bool {
        if self.infer_from_text {
            true
        } else if self.no_infer_from_text {
            false
        } else {
            default
        }
    }
}

/// Options for diagrams.
#[derive(Args, Debug, Clone)]
pub struct DiagramArgs {
    /// Fold more than N leaf siblings of one relation under one parent into a "+k" node.
    #[arg(long, value_name = "N")]
    pub collapse: Option<usize>,
    /// Refuse to draw more nodes than this in DOT, SVG and Mermaid (suggests --collapse or
    /// --depth); the HTML explorer takes any size.
    #[arg(long, value_name = "N", default_value_t = 300)]
    pub max_nodes: usize,
    /// HTML explorer: show at most N nodes when the page opens (larger families start
    /// collapsed; the page can change it).
    #[arg(long, value_name = "N", default_value_t = 200)]
    pub open_nodes: usize,
}

/// Renders a diagram format (dot, svg, mermaid, html); `None` for text and json.
pub fn render_diagram(
    g: &Analysis,
    format: Format,
    d: &DiagramArgs,
    title: &str,
    kb: &hf_lineage::license::kb::KnowledgeBase,
    endpoint: &str,
) -> anyhow::Result<Option<String>> {
    if !matches!(
        format,
        Format::Dot | Format::Svg | Format::Mermaid | Format::Html
    ) {
        return Ok(None);
    }
    if format == Format::Html {
        let opts = hf_lineage::render::ExplorerOptions {
            title: title.to_string(),
            endpoint: endpoint.to_string(),
            open_nodes: d.open_nodes.max(1),
        };
        return Ok(Some(hf_lineage::render::render_explorer(g, kb, &opts)));
    }
    let view = hf_lineage::render::build_view(g, d.collapse, kb);
    if view.nodes.len() > d.max_nodes {
        return Err(anyhow::anyhow!(
            "the diagram would have {} nodes, more than --max-nodes {} allows; it would not be readable. Try --collapse 3 (fold sibling quantizations and fine-tunes), a smaller --depth, or raise --max-nodes",
            view.nodes.len(),
            d.max_nodes
        ));
    }
    Ok(Some(match format {
        Format::Dot => hf_lineage::render::render_dot(&view),
        Format::Mermaid => hf_lineage::render::render_mermaid(&view),
        Format::Svg => hf_lineage::render::render_svg(&view)?,
        _ => return Ok(None),
    }))
}

/// Parses command-line repo ids; an invalid one is a usage error naming the value.
pub fn parse_roots(values: &[String]) -> anyhow::Result<Vec<RepoId>> {
    values
        .iter()
        .map(|v| RepoId::parse(v, RepoKind::Model).context("invalid repository argument"))
        .collect()
}

/// An opened source, with live counters when it is the Hub.
pub struct Opened {
    /// The source.
    pub source: Box<dyn Source>,
    /// Progress display (Hub only); finished when dropped.
    pub progress: Option<Progress>,
}

/// Opens the source the arguments name.
pub fn open_source(args: &SourceArgs, want_readme: bool) -> anyhow::Result<Opened> {
    match &args.snapshot {
        Some(path) if hf_lineage::source::parquet::is_parquet(path) => Ok(Opened {
            source: Box::new(hf_lineage::source::parquet::ParquetSource::open(path)?),
            progress: None,
        }),
        Some(dir) => Ok(Opened {
            source: Box::new(SnapshotSource::open(dir)?.with_links_index(args.hub.cache_path())),
            progress: None,
        }),
        None => {
            let hub = HubSource::new(args.hub.hub_config(want_readme)?)?;
            let progress = Some(Progress::start(hub.stats()));
            Ok(Opened {
                source: Box::new(hub),
                progress,
            })
        }
    }
}

/// An indicatif bar on stderr fed from the crawler's counters; hidden when stderr is not a
/// terminal. Stops when dropped.
pub struct Progress {
    stop: Arc<AtomicBool>,
    handle: Option<std::thread::JoinHandle<()>>,
}

impl Progress {
    /// A progress display for a Hub source.
    pub fn start_for(hub: &HubSource) -> Progress {
        Progress::start(hub.stats())
    }

    fn start(stats: Arc<Stats>) -> Progress {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let handle = std::thread::spawn(move || {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            if bar.is_hidden() {
                return;
            }
            bar.set_style(
                ProgressStyle::with_template("{spinner} {elapsed} {wide_msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            while !flag.load(Ordering::Relaxed) {
                let g = |c: &std::sync::atomic::AtomicU64| Stats::get(c);
                bar.set_message(format!(
                    "repos {}/{} · requests api {} resolvers {} · cache hits {} · retries {} · 429s {} · waited {:.1}s for rate limits",
                    g(&stats.repos_done),
                    g(&stats.repos_queued),
                    g(&stats.api_requests),
                    g(&stats.resolver_requests),
                    g(&stats.cache_hits),
                    g(&stats.retries),
                    g(&stats.too_many_requests),
                    g(&stats.wait_ms) as f64 / 1000.0
                ));
                bar.tick();
                std::thread::sleep(Duration::from_millis(120));
            }
            bar.finish_and_clear();
        });
        Progress {
            stop,
            handle: Some(handle),
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

/// Runs the pipeline over an opened source; the progress display ends before anything prints.
pub fn run_pipeline(opened: &mut Opened, req: &Request) -> anyhow::Result<Analysis> {
    let result = hf_lineage::pipeline::run(opened.source.as_mut(), req);
    drop(opened.progress.take());
    Ok(result?)
}

/// Whether to colour stdout: a terminal, no NO_COLOR, no output file.
pub fn use_color(output: Option<&Path>) -> bool {
    output.is_none()
        && std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Writes the result to the file or stdout; a closed stdout pipe is not an error.
pub fn emit(text: &str, output: Option<&Path>) -> anyhow::Result<()> {
    match output {
        Some(path) => {
            std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
        }
        None => {
            let mut out = std::io::stdout().lock();
            match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                other => other.context("cannot write to stdout"),
            }
        }
    }
}
