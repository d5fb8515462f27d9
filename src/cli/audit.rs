//! `hf-lineage audit`: trace a lineage, check licenses (and, later, documentation), report.

use anyhow::Context;
use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::{emit, open_source, parse_roots, use_color, SourceArgs};
use hf_lineage::audit::{audit, AuditOptions};
use hf_lineage::finding::Severity;
use hf_lineage::license::policy::LicensePolicy;

/// Arguments of `audit`.
#[derive(Args, Debug)]
pub struct AuditArgs {
    /// Repos to audit.
    #[arg(required = true, value_name = "REPO")]
    pub repos: Vec<String>,
    /// Also audit everything derived from the repos.
    #[arg(long)]
    pub down: bool,
    /// How many hops to follow at most.
    #[arg(long, value_name = "N")]
    pub depth: Option<usize>,
    /// Do not suggest parents that cards name only in their text.
    #[arg(long)]
    pub no_infer_from_text: bool,
    /// Policy file [default: ./hf-lineage.toml when it exists].
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = AuditFormat::Text)]
    pub format: AuditFormat,
    /// Write the output to a file instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub diagram: super::DiagramArgs,
    #[command(flatten)]
    pub source: SourceArgs,
}

/// `--format` of `audit`.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditFormat {
    /// Findings grouped by repo, with the lineage path that explains each.
    Text,
    /// The JSON graph (hf-lineage/graph@1) with findings and concluded obligations.
    Json,
    /// SARIF 2.1.0 for code-scanning tools.
    Sarif,
    /// Graphviz DOT, findings outlined.
    Dot,
    /// SVG (needs Graphviz `dot`).
    Svg,
    /// Mermaid flowchart.
    Mermaid,
    /// A self-contained HTML report (needs Graphviz `dot`).
    Html,
}

/// Loads the policy named, or ./hf-lineage.toml, or none.
pub fn load_policy(path: Option<&PathBuf>) -> anyhow::Result<LicensePolicy> {
    let default = PathBuf::from("hf-lineage.toml");
    let path = match path {
        Some(p) => p.clone(),
        None if default.exists() => default,
        None => return Ok(LicensePolicy::default()),
    };
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read policy {}", path.display()))?;
    LicensePolicy::parse(&text, &path.display().to_string()).map_err(anyhow::Error::from)
}

/// Runs `audit`; exit 2 when a finding is at deny level.
pub fn run(args: AuditArgs) -> anyhow::Result<u8> {
    let policy = load_policy(args.policy.as_ref())?;
    let roots = parse_roots(&args.repos)?;
    // Card bodies are needed for the documentation check and text inference.
    let mut opened = open_source(&args.source, true)?;
    let opts = AuditOptions {
        down: args.down,
        depth: args.depth,
        infer_from_text: !args.no_infer_from_text,
    };
    let graph = audit(opened.source.as_mut(), &roots, opts, &policy);
    drop(opened.progress.take());
    super::check_crawl(&graph, opened.source.as_ref(), opened.offline)?;
    let text = match args.format {
        AuditFormat::Json => hf_lineage::render::render_json(&graph),
        AuditFormat::Sarif => {
            hf_lineage::render::render_sarif(graph.findings(), &args.source.endpoint)
        }
        AuditFormat::Text => {
            hf_lineage::render::render_audit_text(&graph, use_color(args.output.as_deref()))
        }
        diagram => {
            let f = match diagram {
                AuditFormat::Dot => super::Format::Dot,
                AuditFormat::Svg => super::Format::Svg,
                AuditFormat::Mermaid => super::Format::Mermaid,
                _ => super::Format::Html,
            };
            let title = format!("Lineage audit of {}", args.repos.join(", "));
            super::render_diagram(&graph, f, &args.diagram, &title, &policy.knowledge_base())?
                .unwrap_or_default()
        }
    };
    emit(&text, args.output.as_deref())?;
    let deny = graph
        .findings()
        .iter()
        .any(|f| f.severity == Severity::Deny);
    Ok(if deny {
        super::exit::DENY
    } else {
        super::exit::OK
    })
}
