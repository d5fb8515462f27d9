//! The command-line front end: one module per subcommand, shared options and output here;
//! [`main`] parses and runs a command line. The top layer: it may use every module below.

pub mod audit;
pub mod bom;
pub mod card;
pub mod check;
pub mod diff;
pub mod explain;
pub mod export;
mod prepared;
pub mod query;
pub mod snapshot;
pub mod trace;

pub use prepared::{judged, print, Prepared};

use anyhow::Context;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::graph::Direction;
use crate::hub::{HubConfig, Rate, Stats};
use crate::id::{RepoId, RepoKind};
use crate::pipeline::Request;
use crate::render::{Format, Output, RenderOptions};
use crate::report::Analysis;
use crate::source::{HubSource, SnapshotSource, Source};

/// Provenance graphs of Hugging Face repositories: lineage, licenses, documentation.
#[derive(Parser, Debug)]
#[command(name = "hf-lineage", version, about, long_about = None)]
pub struct Cli {
    /// More logging on stderr (-v: info, -vv: debug, including every request path).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// The subcommand.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Trace the lineage of repos (up to their roots, down to their derivatives, or both).
    Trace(trace::TraceArgs),
    /// Check the licenses down a lineage: conflicts, drift, missing and unresolved terms.
    Audit(audit::AuditArgs),
    /// Answer a question about lineage with a query (see `query --list` for named ones).
    Query(query::QueryArgs),
    /// Check a folder before pushing it: its card and files judged against its lineage.
    Check(check::CheckArgs),
    /// Lint one local README.md: metadata as the tool reads it, findings, and what changed.
    Card(card::CardArgs),
    /// Crawl the Hub from some repos and write what was read as a snapshot (directory or Parquet).
    Snapshot(snapshot::SnapshotArgs),
    /// Write an AI bill of materials (CycloneDX 1.7 or SPDX 3.0.1) of repos and their lineage.
    Bom(bom::BomArgs),
    /// Export a lineage (or a whole snapshot) as tables: Parquet, neo4j CSV or GraphML.
    Export(export::ExportArgs),
    /// What changed between two snapshots: repos, edges, and the findings that appear or go.
    Diff(diff::DiffArgs),
    /// Explain a finding code: what it means, how to resolve or allow it (`--list` for all).
    Explain(explain::ExplainArgs),
}

/// Runs the command line on `args` (the program name first, as `std::env::args_os` gives
/// them) and returns the exit code: what the `hf-lineage` binary and the Python package's
/// `hf-lineage` command both run. Usage errors print clap's message and return 2 (`--help`
/// and `--version` print and return 0).
pub fn main<I, T>(args: I) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let args = match Cli::try_parse_from(args) {
        Ok(a) => a,
        Err(e) => {
            // clap's own codes: 2 for a usage error, 0 for --help and --version.
            let _ = e.print();
            return u8::try_from(e.exit_code()).unwrap_or(exit::OPERATIONAL);
        }
    };
    let level = match args.verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    // Only our own crate logs; dependencies stay quiet (their lines could echo headers). A
    // second run in one process (the Python package) keeps the first run's subscriber.
    let filter = tracing_subscriber::EnvFilter::new(format!("hf_lineage={level}"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
    let result = match args.command {
        Command::Trace(a) => trace::run(a),
        Command::Card(a) => card::run(a),
        Command::Check(a) => check::run(a),
        Command::Audit(a) => audit::run(a),
        Command::Query(a) => query::run(a),
        Command::Snapshot(a) => snapshot::run(a),
        Command::Explain(a) => explain::run(a),
        Command::Bom(a) => bom::run(a),
        Command::Export(a) => export::run(a),
        Command::Diff(a) => diff::run(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            // The whole chain: what failed, and why, down to the root cause.
            // Messages carry what servers and files said: escaped for the terminal.
            eprintln!("error: {}", crate::render::escape::block(&format!("{e:#}")));
            exit::OPERATIONAL
        }
    }
}

/// Parses a command line of `trace`, `audit`, `query` or `bom` (program name first) and runs
/// it up to what it would print, with `token` as the Hub token: the command line's exact
/// meaning, for a library caller (the Python package) that wants the analysis, not the text.
pub fn prepare<I, T>(args: I, token: TokenChoice) -> anyhow::Result<Prepared>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = Cli::try_parse_from(args).map_err(|e| anyhow::anyhow!("{}", e.render()))?;
    let with = |mut s: SourceArgs| {
        s.hub.token = token.clone();
        s
    };
    match cli.command {
        Command::Trace(mut a) => {
            a.source = with(a.source);
            trace::prepare(&a)
        }
        Command::Audit(mut a) => {
            a.source = with(a.source);
            audit::prepare(&a)
        }
        Command::Query(mut a) => {
            a.source = with(a.source);
            query::prepare(&a)
        }
        Command::Bom(mut a) => {
            a.source = with(a.source);
            bom::prepare(&a)
        }
        _ => Err(anyhow::anyhow!(
            "only trace, audit, query and bom prepare an analysis"
        )),
    }
}

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
    #[arg(long, env = "HF_ENDPOINT", value_name = "URL", default_value = crate::hub::DEFAULT_ENDPOINT)]
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
    /// Which files beside a card to read from the Hub: `tools` (adapter and mergekit configs,
    /// config.json, LICENSE/NOTICE, and the first 256 KiB of one GGUF file, when the repo's
    /// file list has them; resolver requests only) or `none`.
    #[arg(long, value_name = "WHICH", default_value = "tools", value_parser = ["tools", "none"])]
    pub files: String,
    /// First retry backoff (doubles up to 30 s), e.g. 500ms.
    #[arg(long, value_name = "DURATION", default_value = "500ms", value_parser = parse_duration, hide = true)]
    pub retry_base: Duration,
    /// Which token to send: a library caller may give one or ask for none. Never a command-line
    /// flag: a token in a command line is visible to every process on the machine.
    #[arg(skip)]
    pub token: TokenChoice,
}

/// Which Hub token a run sends.
#[derive(Debug, Clone, Default)]
pub enum TokenChoice {
    /// `HF_TOKEN`, else the token file, as huggingface_hub finds it (the default).
    #[default]
    Environment,
    /// None: anonymous requests.
    Anonymous,
    /// This one (given by a library caller).
    Given(crate::hub::auth::Token),
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
            crate::hub::auth::hf_home(&crate::hub::auth::ProcessEnv)
                .join("hf-lineage")
                .join("cache.sqlite")
        })
    }

    /// The crawler configuration these arguments and the environment ask for.
    pub fn hub_config(&self, want_readme: bool) -> anyhow::Result<HubConfig> {
        let env = crate::hub::auth::ProcessEnv;
        let token = match &self.token {
            TokenChoice::Environment => crate::hub::auth::find_token(&env),
            TokenChoice::Anonymous => None,
            TokenChoice::Given(t) => Some(t.clone()),
        };
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
        cfg.offline = crate::hub::auth::offline(&env);
        cfg.cache_path = Some(self.cache_path());
        if self.timeout.is_zero() {
            return Err(anyhow::anyhow!("--timeout must be longer than zero"));
        }
        cfg.timeout = self.timeout;
        cfg.retry.base = self.retry_base.max(Duration::from_millis(1));
        cfg.want_readme = want_readme;
        cfg.want_files = self.files != "none";
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
    /// The format asked for (the output's default when none was), if the command can
    /// produce it; otherwise an error naming what it can.
    pub fn format(&self, output: Output) -> anyhow::Result<Format> {
        Ok(output.format(self.format)?)
    }

    /// How to render for this command: colour when printing to a terminal, the diagram
    /// flags, the endpoint links point to, the run's license knowledge.
    pub fn options(
        &self,
        diagram: Option<&DiagramArgs>,
        title: String,
        source: &SourceArgs,
        kb: crate::kb::KnowledgeBase,
    ) -> RenderOptions {
        let mut o = RenderOptions {
            color: use_color(self.output.as_deref()),
            title,
            endpoint: source.hub.endpoint.clone(),
            kb,
            ..RenderOptions::default()
        };
        if let Some(d) = diagram {
            o.collapse = d.collapse;
            o.max_nodes = d.max_nodes;
            o.open_nodes = d.open_nodes;
        }
        o
    }

    /// Renders an analysis and prints it (to `--output` when given).
    pub fn emit(
        &self,
        a: &Analysis,
        output: Output,
        format: Format,
        opts: &RenderOptions,
    ) -> anyhow::Result<()> {
        let text = crate::render::render(a, output, format, opts)?;
        emit(&text, self.output.as_deref())
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
    pub fn load(&self) -> anyhow::Result<crate::policy::Policy> {
        use anyhow::Context;
        let default = PathBuf::from("hf-lineage.toml");
        let path = match &self.policy {
            Some(p) => p.clone(),
            None if default.exists() => default,
            None => return Ok(Default::default()),
        };
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read policy {}", path.display()))?;
        Ok(crate::policy::Policy::parse(
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
        Some(path) if crate::source::parquet::is_parquet(path) => Ok(Opened {
            source: Box::new(crate::source::parquet::ParquetSource::open(path)?),
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
    let result = crate::pipeline::run(opened.source.as_mut(), req);
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
