//! A query language for lineage, modelled on Bazel's query language.
//!
//! Expressions denote sets of nodes. String literals name repos; functions walk the graph
//! (`ancestors`, `descendants`, `parents`, `children`, `roots`, `leaves`, `somepath`,
//! `allpaths`) or filter a set (`relation`, `kind`, `license`, `flagged`, `status`); `+`, `-`, `^`
//! are union, difference and intersection; `let x = E in E` names a set; `$name` takes
//! `--arg name=value`. Evaluation is pure over a [`LineageGraph`]: sets are node indices, walks
//! are multi-source breadth-first searches with a visited bitmap, so cycles cannot loop.

pub mod function;
pub mod parse;

use crate::finding::Code;
use std::collections::{BTreeMap, HashMap};

use globset::{Glob, GlobMatcher};

use crate::graph::LineageGraph;
use crate::id::{RepoId, RepoKind};
use crate::record::NodeStatus;
use crate::relation::Relation;
pub use function::Function;
pub use parse::{parse, Expr, ParseError, Pos};

/// A set of nodes (graph indices).
pub use crate::graph::NodeSet;
use crate::graph::{walk::walk, NodeIx, Way};

/// Why evaluation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EvalError {
    /// Wrong number or kind of arguments.
    #[error("line {}, column {}: {message}", pos.line, pos.col)]
    BadArguments {
        /// What is wrong.
        message: String,
        /// Where.
        pos: Pos,
    },
    /// `$name` without `--arg name=…`.
    #[error("${0} is not set: pass --arg {0}=…")]
    MissingArg(String),
    /// A name that is neither a `let` variable nor a function.
    #[error(
        "unknown name `{0}`: quote repo ids (\"owner/name\"), or bind it with `let {0} = … in …`"
    )]
    UnknownName(String),
    /// A string that is not a repo id.
    #[error("{0}")]
    BadRepo(String),
}

/// The named queries shipped in `queries/` (name, text), compiled in so they work anywhere.
pub const NAMED: [(&str, &str); 5] = [
    ("source", include_str!("../../queries/source.q")),
    (
        "merge-license-conflicts",
        include_str!("../../queries/merge-license-conflicts.q"),
    ),
    ("undocumented", include_str!("../../queries/undocumented.q")),
    (
        "non-commercial-ancestry",
        include_str!("../../queries/non-commercial-ancestry.q"),
    ),
    (
        "quantizations-dropping-license",
        include_str!("../../queries/quantizations-dropping-license.q"),
    ),
];

/// The text of a named query, by name (`source`) or path as README writes it
/// (`queries/source.q`).
pub fn named(name: &str) -> Option<&'static str> {
    let name = name.trim_start_matches("queries/").trim_end_matches(".q");
    NAMED
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| *text)
}

/// What a query answers: its leading `#` comment lines, joined.
pub fn summary(text: &str) -> String {
    text.lines()
        .take_while(|l| l.trim_start().starts_with('#'))
        .map(|l| l.trim_start().trim_start_matches('#').trim())
        .collect::<Vec<_>>()
        .join("\n    ")
}

/// Evaluates a query over an analysis and returns the part of it about the repos found (the
/// subgraph they induce, their findings, obligations and documentation).
pub fn answer(
    a: &crate::report::Analysis,
    e: &Expr,
    args: &BTreeMap<String, String>,
) -> Result<crate::report::Analysis, EvalError> {
    let ix = Index::new(a);
    let set = evaluate(&ix, e, args)?;
    Ok(a.induced(&ids(a.graph(), &set)))
}

/// Precomputed lookups for one graph, reusable across queries.
pub struct Index<'g> {
    g: &'g LineageGraph,
    /// finding code → subject node indices.
    flags: HashMap<String, NodeSet>,
    /// Lowercase license strings (ids and license_name) per node.
    licenses: Vec<Vec<String>>,
}

impl<'g> Index<'g> {
    /// Builds the lookups (one pass over nodes and findings).
    pub fn new(a: &'g crate::report::Analysis) -> Index<'g> {
        let g = a.graph();
        let licenses: Vec<Vec<String>> = g
            .positions()
            .map(|i| {
                let n = g.at(i);
                let meta = &n.record().card.meta;
                let mut ls: Vec<String> = meta.licenses.to_vec();
                if let Some(name) = meta.license_name() {
                    ls.push(name.to_ascii_lowercase());
                }
                ls
            })
            .collect();
        let mut flags: HashMap<String, NodeSet> = HashMap::new();
        for f in a.findings() {
            let targets: Vec<&RepoId> = if f.code == Code::LineageCycle {
                f.nodes.iter().collect()
            } else {
                f.nodes.first().into_iter().collect()
            };
            for t in targets {
                if let Some(i) = g.get(t).map(|n| n.ix()) {
                    flags
                        .entry(f.code.as_str().to_string())
                        .or_default()
                        .insert(i);
                }
            }
        }
        Index { g, flags, licenses }
    }

    /// The graph.
    pub fn graph(&self) -> &'g LineageGraph {
        self.g
    }
}

struct Eval<'a, 'g> {
    ix: &'a Index<'g>,
    args: &'a BTreeMap<String, String>,
    vars: Vec<(String, NodeSet)>,
}

fn reach(
    g: &LineageGraph,
    start: &NodeSet,
    way: Way,
    follow: impl Fn(Relation) -> bool,
) -> NodeSet {
    let starts: Vec<NodeIx> = start.iter().copied().collect();
    walk(g, &starts, way, |e| follow(e.relation), false, |_| false).set()
}

fn glob(pattern: &str, pos: Pos) -> Result<GlobMatcher, EvalError> {
    Glob::new(&pattern.to_ascii_lowercase())
        .map(|g| g.compile_matcher())
        .map_err(|e| EvalError::BadArguments {
            message: format!("bad pattern {pattern:?}: {e}"),
            pos,
        })
}

impl Eval<'_, '_> {
    fn g(&self) -> &LineageGraph {
        self.ix.g
    }

    fn word(&self, e: &Expr, f: Function, pos: Pos) -> Result<String, EvalError> {
        let what = f.word();
        match e {
            Expr::Word(w) | Expr::Repo(w) => Ok(w.clone()),
            Expr::Arg(a) => self
                .args
                .get(a)
                .cloned()
                .ok_or_else(|| EvalError::MissingArg(a.clone())),
            _ => Err(EvalError::BadArguments {
                message: format!("the first argument of {f}() is {what}, not a set expression"),
                pos,
            }),
        }
    }

    fn repo(&self, s: &str) -> Result<NodeSet, EvalError> {
        let id =
            RepoId::parse(s, RepoKind::Model).map_err(|e| EvalError::BadRepo(format!("{e}")))?;
        Ok(self
            .g()
            .get(&id)
            .map(|n| self.g().position(&n))
            .into_iter()
            .collect())
    }

    fn eval(&mut self, e: &Expr) -> Result<NodeSet, EvalError> {
        match e {
            Expr::Repo(s) => self.repo(s),
            Expr::Arg(a) => {
                let v = self
                    .args
                    .get(a)
                    .cloned()
                    .ok_or_else(|| EvalError::MissingArg(a.clone()))?;
                self.repo(&v)
            }
            Expr::Var(v) | Expr::Word(v) => self
                .vars
                .iter()
                .rev()
                .find(|(n, _)| n == v)
                .map(|(_, s)| s.clone())
                .ok_or_else(|| EvalError::UnknownName(v.clone())),
            Expr::Let(name, value, body) => {
                let v = self.eval(value)?;
                self.vars.push((name.clone(), v));
                let r = self.eval(body);
                self.vars.pop();
                r
            }
            Expr::Binary(op, a, b) => {
                let (a, b) = (self.eval(a)?, self.eval(b)?);
                Ok(match op {
                    '+' => a.union(&b).copied().collect(),
                    '-' => a.difference(&b).copied().collect(),
                    _ => a.intersection(&b).copied().collect(),
                })
            }
            Expr::Call(f, args, pos) => self.call(*f, args, *pos),
        }
    }

    fn arity(&self, f: Function, args: &[Expr], pos: Pos) -> Result<(), EvalError> {
        let n = f.arity();
        if args.len() == n {
            Ok(())
        } else {
            Err(EvalError::BadArguments {
                message: format!(
                    "{f}() takes {n} argument{}, found {}",
                    if n == 1 { "" } else { "s" },
                    args.len()
                ),
                pos,
            })
        }
    }

    fn call(&mut self, f: Function, args: &[Expr], pos: Pos) -> Result<NodeSet, EvalError> {
        use Function as F;
        let g = self.ix.g;
        self.arity(f, args, pos)?;
        if f == F::All {
            return Ok(g.positions().collect());
        }
        if f.is_filter() {
            let word = self.word(&args[0], f, pos)?;
            let s = self.eval(&args[1])?;
            return self.filter(f, &word, s, pos);
        }
        if matches!(f, F::Somepath | F::Allpaths) {
            let (a, b) = (self.eval(&args[0])?, self.eval(&args[1])?);
            // Bazel's direction first (from a derivative up to its sources), then the other way.
            for way in [Way::Up, Way::Down] {
                let r = match f {
                    F::Somepath => somepath(g, &a, &b, way),
                    _ => allpaths(g, &a, &b, way),
                };
                if !r.is_empty() {
                    return Ok(r);
                }
            }
            return Ok(NodeSet::new());
        }
        let s = self.eval(&args[0])?;
        let without = |i: NodeIx, way: Way| {
            !g.neighbour_indices(i, way)
                .any(|(m, _)| m != i && s.contains(&m))
        };
        Ok(match f {
            F::Ancestors => reach(g, &s, Way::Up, |_| true),
            F::Descendants => reach(g, &s, Way::Down, |_| true),
            F::Parents | F::Children => {
                let way = if f == F::Parents { Way::Up } else { Way::Down };
                s.iter()
                    .flat_map(|&i| g.neighbour_indices(i, way).map(|(m, _)| m))
                    .collect()
            }
            F::Roots => s.iter().copied().filter(|&i| without(i, Way::Up)).collect(),
            _ => s
                .iter()
                .copied()
                .filter(|&i| without(i, Way::Down))
                .collect(),
        })
    }

    fn filter(&self, f: Function, word: &str, s: NodeSet, pos: Pos) -> Result<NodeSet, EvalError> {
        let g = self.ix.g;
        let bad = |what: &str| EvalError::BadArguments {
            message: format!("{f}(): {word:?} is not {what}"),
            pos,
        };
        Ok(match f {
            Function::Relation => {
                let r = Relation::from_name(word).ok_or_else(|| bad(f.word()))?;
                s.into_iter()
                    .filter(|&i| {
                        g.neighbour_indices(i, Way::Up)
                            .any(|(_, e)| e.relation == r)
                    })
                    .collect()
            }
            Function::Kind => {
                let k = RepoKind::from_name(word).ok_or_else(|| bad(f.word()))?;
                s.into_iter()
                    .filter(|&i| g.at(i).id().kind() == k)
                    .collect()
            }
            Function::Status => {
                let st = NodeStatus::from_name(word).ok_or_else(|| bad(f.word()))?;
                s.into_iter().filter(|&i| g.at(i).status() == st).collect()
            }
            Function::License => {
                let m = glob(word, pos)?;
                s.into_iter()
                    .filter(|&i| self.ix.licenses[i.index()].iter().any(|l| m.is_match(l)))
                    .collect()
            }
            _ => {
                let m = glob(word, pos)?;
                let mut hit = NodeSet::new();
                for (code, nodes) in &self.ix.flags {
                    if m.is_match(code) {
                        hit.extend(nodes.intersection(&s));
                    }
                }
                hit
            }
        })
    }
}

fn somepath(g: &LineageGraph, from: &NodeSet, to: &NodeSet, way: Way) -> NodeSet {
    let starts: Vec<NodeIx> = from.iter().copied().collect();
    let w = walk(g, &starts, way, |_| true, true, |n| to.contains(&n));
    match w.hit() {
        Some(n) => w.path_to(n).into_iter().map(|(m, _)| m).collect(),
        None => NodeSet::new(),
    }
}

fn allpaths(g: &LineageGraph, from: &NodeSet, to: &NodeSet, way: Way) -> NodeSet {
    let mut forward = reach(g, from, way, |_| true);
    forward.extend(from.iter().copied());
    let mut backward = reach(g, to, way.reverse(), |_| true);
    backward.extend(to.iter().copied());
    forward.intersection(&backward).copied().collect()
}

/// Evaluates a parsed expression over a graph.
///
/// ```
/// use hf_lineage::query::{evaluate, ids, parse, Index};
/// use hf_lineage::pipeline::{run, Request};
/// use hf_lineage::source::SnapshotSource;
///
/// let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/hub-snapshot");
/// let mut src = SnapshotSource::open(std::path::Path::new(dir)).unwrap();
/// let whole = run(&mut src, &Request::whole()).unwrap();
/// let ix = Index::new(&whole);
/// let e = parse(r#"roots(ancestors("TheBloke/Llama-2-7B-Chat-GGUF"))"#).unwrap();
/// let found = ids(whole.graph(), &evaluate(&ix, &e, &Default::default()).unwrap());
/// assert_eq!(found[0].node_id(), "meta-llama/Llama-2-7b-hf");
/// ```
pub fn evaluate(
    ix: &Index<'_>,
    e: &Expr,
    args: &BTreeMap<String, String>,
) -> Result<NodeSet, EvalError> {
    Eval {
        ix,
        args,
        vars: vec![],
    }
    .eval(e)
}

/// Node ids of a set, sorted as the graph sorts them.
pub fn ids(g: &LineageGraph, s: &NodeSet) -> Vec<RepoId> {
    let mut v: Vec<RepoId> = s.iter().map(|&i| g.at(i).id().clone()).collect();
    v.sort();
    v
}

/// What a query needs crawled when the source cannot be listed whole: the repos it names and
/// which ways its functions walk from them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CrawlPlan {
    /// Repos named by literals and `--arg` values.
    pub repos: Vec<String>,
    /// Some function walks upstream.
    pub up: bool,
    /// Some function walks downstream.
    pub down: bool,
    /// `all()` is used: only a whole snapshot can answer.
    pub all: bool,
}

/// The crawl a query needs (see [`CrawlPlan`]).
pub fn crawl_plan(e: &Expr, args: &BTreeMap<String, String>) -> CrawlPlan {
    fn walk(e: &Expr, args: &BTreeMap<String, String>, plan: &mut CrawlPlan) {
        match e {
            Expr::Repo(s) => plan.repos.push(s.clone()),
            Expr::Arg(a) => plan.repos.extend(args.get(a).cloned()),
            Expr::Call(f, xs, _) => {
                match f.walks() {
                    function::Walks::Up => plan.up = true,
                    function::Walks::Down => plan.down = true,
                    function::Walks::Both => (plan.up, plan.down) = (true, true),
                    function::Walks::Everything => plan.all = true,
                    function::Walks::Nowhere => {}
                }
                // A filter's first argument is its word, not a repo.
                let skip = usize::from(f.is_filter());
                for x in xs.iter().skip(skip) {
                    walk(x, args, plan);
                }
            }
            Expr::Binary(_, a, b) | Expr::Let(_, a, b) => {
                walk(a, args, plan);
                walk(b, args, plan);
            }
            Expr::Var(_) | Expr::Word(_) => {}
        }
    }
    let mut plan = CrawlPlan::default();
    walk(e, args, &mut plan);
    plan
}

#[cfg(test)]
mod tests;
