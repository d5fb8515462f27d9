//! `hf-lineage audit`: trace a lineage, check licenses (and, later, documentation), report.

use clap::Args;

use super::{emit, open_source, parse_roots, use_color, Format, SourceArgs};
use hf_lineage::finding::Severity;
use hf_lineage::graph::Direction;
use hf_lineage::pipeline::{Request, Scope};

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
    #[command(flatten)]
    pub infer: super::InferArgs,
    #[command(flatten)]
    pub policy: super::PolicyArgs,
    #[command(flatten)]
    pub out: super::OutputArgs,
    #[command(flatten)]
    pub diagram: super::DiagramArgs,
    #[command(flatten)]
    pub source: SourceArgs,
}

/// Runs `audit`; exit 2 when a finding is at deny level.
pub fn run(args: AuditArgs) -> anyhow::Result<u8> {
    use Format::*;
    let format = args
        .out
        .format_for("audit", &[Text, Json, Sarif, Dot, Svg, Mermaid, Html])?;
    let req = Request {
        scope: Scope::Roots(parse_roots(&args.repos)?),
        direction: if args.down {
            Direction::Down
        } else {
            Direction::Up
        },
        depth: args.depth,
        judge: true,
        // On by default in audit: an undeclared parent is a finding to act on.
        infer_from_text: args.infer.enabled(true),
        policy: args.policy.load()?,
    };
    // Card bodies are needed for the documentation check and text inference.
    let mut opened = open_source(&args.source, true)?;
    let analysis = super::run_pipeline(&mut opened, &req)?;
    let policy = &req.policy;
    let text = match format {
        Json => hf_lineage::render::render_json(&analysis),
        Sarif => hf_lineage::render::render_sarif(analysis.findings(), &args.source.hub.endpoint),
        Text => {
            hf_lineage::render::render_audit_text(&analysis, use_color(args.out.output.as_deref()))
        }
        diagram => {
            let title = format!("Lineage audit of {}", args.repos.join(", "));
            super::render_diagram(
                &analysis,
                diagram,
                &args.diagram,
                &title,
                &policy.knowledge_base(),
                &args.source.hub.endpoint,
            )?
            .unwrap_or_default()
        }
    };
    emit(&text, args.out.output.as_deref())?;
    let deny = analysis
        .findings()
        .iter()
        .any(|f| f.severity == Severity::Deny);
    Ok(if deny {
        super::exit::DENY
    } else {
        super::exit::OK
    })
}
