//! `hf-lineage query`: evaluate a lineage query over a snapshot or a live crawl.

use anyhow::Context;
use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::Args;

use super::{emit, open_source, DiagramArgs, SourceArgs};
use crate::graph::Direction;
use crate::pipeline::{PipelineError, Request, Scope};
use crate::query::{answer, crawl_plan, named, parse, summary, NAMED};
use crate::render::Output;

/// Arguments of `query`.
#[derive(Args, Debug)]
pub struct QueryArgs {
    /// The expression, a query file, or a named query (`queries/source.q` or `source`).
    #[arg(value_name = "EXPR|FILE", required_unless_present = "list")]
    pub query: Option<String>,
    /// List the named queries with what they answer.
    #[arg(long)]
    pub list: bool,
    /// Set `$name` in the query (repeatable).
    #[arg(long = "arg", value_name = "NAME=VALUE")]
    pub args: Vec<String>,
    #[command(flatten)]
    pub out: super::OutputArgs,
    #[command(flatten)]
    pub policy: super::PolicyArgs,
    #[command(flatten)]
    pub infer: super::InferArgs,
    #[command(flatten)]
    pub diagram: DiagramArgs,
    #[command(flatten)]
    pub source: SourceArgs,
}

fn load(q: &str) -> anyhow::Result<String> {
    let path = PathBuf::from(q);
    if path.is_file() {
        return std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()));
    }
    if let Some(text) = named(q) {
        return Ok(text.to_string());
    }
    if q.ends_with(".q") {
        return Err(anyhow::anyhow!(
            "no query file {q} (named queries: {})",
            NAMED.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
        ));
    }
    Ok(q.to_string())
}

/// The request a query needs: the whole snapshot when the source can be listed, else the repos
/// the query names (walked down when it asks for descendants), judged (the query functions read
/// licenses, documentation and findings).
fn request(
    args: &QueryArgs,
    e: &crate::query::Expr,
    vars: &BTreeMap<String, String>,
) -> anyhow::Result<Request> {
    let plan = crawl_plan(e, vars);
    let scope = match plan.all {
        true => Scope::Whole,
        false => Scope::WholeOr(super::parse_roots(&plan.repos)?),
    };
    Ok(Request {
        scope,
        direction: Direction::down_if(plan.down),
        depth: None,
        judge: true,
        // Off by default in query, as in trace: the graph is what metadata declares.
        infer_from_text: args.infer.enabled(false),
        policy: args.policy.load()?,
    })
}

/// Runs `query`.
pub fn run(args: QueryArgs) -> anyhow::Result<u8> {
    if args.list {
        let mut out = String::new();
        for (name, text) in NAMED {
            out.push_str(&format!("queries/{name}.q\n    {}\n", summary(text)));
        }
        emit(&out, None)?;
        return Ok(super::exit::OK);
    }
    super::print(&args.out, prepare(&args)?)
}

/// Runs `query` up to what it would print (the lineage the answer selects).
pub fn prepare(args: &QueryArgs) -> anyhow::Result<super::Prepared> {
    let format = args.out.format(Output::Query)?;
    let src = load(args.query.as_deref().unwrap_or_default())?;
    let expr = parse(&src).map_err(|e| anyhow::anyhow!("query: {}", e.pointed(&src)))?;
    let mut vars = BTreeMap::new();
    for a in &args.args {
        let (k, v) = a
            .split_once('=')
            .ok_or_else(|| anyhow::anyhow!("--arg {a:?}: expected NAME=VALUE"))?;
        vars.insert(k.trim().to_string(), v.trim().to_string());
    }
    let req = request(args, &expr, &vars)?;
    let mut opened = open_source(&args.source, true)?;
    let analysis = super::run_pipeline(&mut opened, &req).map_err(|e| {
        match e.downcast_ref::<PipelineError>() {
            Some(PipelineError::NotListable) => anyhow::anyhow!("all() needs --snapshot DIR: the live Hub cannot be listed whole (name repos instead)"),
            _ => e,
        }
    })?;
    let found = answer(&analysis, &expr, &vars).context("query")?;
    let options = args.out.options(
        Some(&args.diagram),
        "Query result".to_string(),
        &args.source,
        req.policy.knowledge_base(),
    );
    Ok(super::Prepared {
        analysis: found,
        output: Output::Query,
        format,
        options,
        exit: super::exit::OK,
    })
}
