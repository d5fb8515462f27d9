//! The pipeline, once: a [`Request`] says what to read and what to judge; [`run`] reads the
//! source into a graph ([`build`]), adds the parents cards name only in their text when asked,
//! runs the checks and the policy ([`checks`]), and returns an [`Analysis`]: the graph and
//! the report about it. Every command is arguments → `Request` → `run` → render → emit.
//!
//! ```
//! use hf_lineage::pipeline::{run, Request};
//! use hf_lineage::source::SnapshotSource;
//! use hf_lineage::{RepoId, RepoKind};
//!
//! let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/hub-snapshot");
//! let mut source = SnapshotSource::open(std::path::Path::new(dir)).unwrap();
//! let root = RepoId::parse("TheBloke/Llama-2-7B-Chat-GGUF", RepoKind::Model).unwrap();
//! let audit = Request { infer_from_text: true, ..Request::audit(vec![root]) };
//! let analysis = run(&mut source, &audit).unwrap();
//! assert!(analysis.graph().node_count() >= 3);
//! assert!(analysis.has_obligations());
//! ```

pub mod build;
pub mod card;
pub mod checks;

use crate::graph::Direction;
use crate::id::RepoId;
use crate::policy::Policy;
use crate::report::Analysis;
use crate::source::Source;

pub use build::{whole_graph, CardText};
pub use checks::{analyse, apply_policy};

/// Which repos a run reads.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Scope {
    /// These repos and their lineage.
    Roots(Vec<RepoId>),
    /// Everything the source holds (a snapshot; the live Hub cannot be listed whole).
    Whole,
    /// Everything the source holds when it can be listed, else these repos and their lineage
    /// (a query over a snapshot, or over the repos it names on the live Hub).
    WholeOr(Vec<RepoId>),
}

/// What to read and what to judge.
#[derive(Debug, Clone)]
pub struct Request {
    /// Which repos.
    pub scope: Scope,
    /// Which way to walk from the roots. When the run judges, every node reached is also
    /// walked up to its roots, so it is judged against all its ancestors.
    pub direction: Direction,
    /// How many hops from the roots at most (`None`: to the end).
    pub depth: Option<usize>,
    /// Whether to run the checks (licenses, documentation) and the policy. Without them the
    /// report holds only what building the graph found (card problems, cycles, unreadable
    /// parents, the source's own findings).
    pub judge: bool,
    /// Suggest parents that cards name only in their text (`undeclared-base-model`), as
    /// edges marked `card-text`.
    pub infer_from_text: bool,
    /// The policy the checks run under.
    pub policy: Policy,
}

impl Request {
    /// A trace: the lineage above the roots, nothing judged.
    pub fn trace(roots: Vec<RepoId>) -> Request {
        Request {
            scope: Scope::Roots(roots),
            direction: Direction::Up,
            depth: None,
            judge: false,
            infer_from_text: false,
            policy: Policy::default(),
        }
    }

    /// An audit: the lineage above the roots, judged under the default policy.
    pub fn audit(roots: Vec<RepoId>) -> Request {
        Request {
            judge: true,
            ..Request::trace(roots)
        }
    }

    /// Everything a snapshot holds, judged under the default policy.
    pub fn whole() -> Request {
        Request {
            scope: Scope::Whole,
            ..Request::audit(Vec::new())
        }
    }
}

/// Why a run could not give an answer at all (a repo that cannot be read is a node status in
/// the answer, never this).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PipelineError {
    /// The source stopped working (a rejected token, an unreachable endpoint).
    #[error("{0}")]
    Source(Box<dyn std::error::Error + Send + Sync>),
    /// Offline, and roots not in the cache.
    #[error(
        "offline (HF_HUB_OFFLINE or TRANSFORMERS_OFFLINE is set) and {} not in the cache; run once online (or use --snapshot)",
        list_is(.0)
    )]
    Offline(Vec<RepoId>),
    /// The whole source was asked for, and it cannot be listed.
    #[error(
        "the live Hub cannot be listed whole: read a snapshot (--snapshot PATH), or name repos"
    )]
    NotListable,
}

fn list_is(ids: &[RepoId]) -> String {
    let names: Vec<String> = ids.iter().map(RepoId::node_id).collect();
    names.join(", ") + if names.len() == 1 { " is" } else { " are" }
}

/// Runs a request over a source.
pub fn run(source: &mut dyn Source, req: &Request) -> Result<Analysis, PipelineError> {
    let t = std::time::Instant::now();
    let text = CardText::for_inference(req.infer_from_text);
    let whole = match &req.scope {
        Scope::Roots(_) => None,
        Scope::Whole => Some(whole_graph(source, text).ok_or(PipelineError::NotListable)?),
        Scope::WholeOr(_) => whole_graph(source, text),
    };
    let mut analysis = match (whole, &req.scope) {
        (Some(a), _) => {
            // Everything is read: the source's lookup tables go before the checks need room.
            source.release();
            a
        }
        (None, Scope::Roots(roots) | Scope::WholeOr(roots)) => {
            let built = match req.judge {
                true => crate::trace::trace_for_analysis(
                    source,
                    roots,
                    req.direction != Direction::Up,
                    req.depth,
                ),
                false => crate::trace::trace(
                    source,
                    roots,
                    crate::trace::TraceOptions {
                        direction: req.direction,
                        depth: req.depth,
                    },
                ),
            };
            Analysis::from(built)
        }
        (None, Scope::Whole) => return Err(PipelineError::NotListable),
    };
    check_source(source, &analysis)?;
    tracing::info!(secs = t.elapsed().as_secs_f64(), "read and built the graph");
    if req.infer_from_text {
        let (graph, report) = analysis.parts_mut();
        report.add_findings(crate::docs_check::lineage::infer_from_text(graph));
    }
    if req.judge {
        analyse(&mut analysis, &req.policy);
        tracing::info!(secs = t.elapsed().as_secs_f64(), "analysed");
    }
    Ok(analysis)
}

/// A source that stopped working fails the run; so does an offline cache that holds none of
/// the roots' copies.
fn check_source(source: &dyn Source, analysis: &Analysis) -> Result<(), PipelineError> {
    if let Some(why) = source.fatal() {
        return Err(PipelineError::Source(why));
    }
    let misses = source.offline_misses();
    let missing: Vec<RepoId> = analysis
        .graph()
        .roots()
        .iter()
        .filter(|r| misses.contains(r))
        .cloned()
        .collect();
    match missing.is_empty() {
        true => Ok(()),
        false => Err(PipelineError::Offline(missing)),
    }
}

/// The process's resident memory in MB, for the phase logs of whole-snapshot runs (`-v`):
/// how much each phase holds, where `/usr/bin/time` gives only the peak. Linux only.
pub(crate) fn resident_mb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb / 1024)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::RepoKind;
    use crate::record::RepoRecord;
    use crate::source::Child;

    /// A source of a few cards that cannot list itself (as the live Hub cannot).
    struct Cards(Vec<RepoRecord>);

    impl Source for Cards {
        fn fetch(&mut self, ids: &[RepoId]) -> Vec<RepoRecord> {
            ids.iter()
                .map(|id| {
                    self.0
                        .iter()
                        .find(|r| &r.id == id)
                        .cloned()
                        .unwrap_or_else(|| {
                            RepoRecord::unavailable(
                                id.clone(),
                                crate::record::NodeStatus::NotFound,
                                "not here",
                            )
                        })
                })
                .collect()
        }
        fn children(&mut self, parents: &[RepoRecord]) -> Vec<Vec<Child>> {
            vec![Vec::new(); parents.len()]
        }
    }

    fn id(s: &str) -> RepoId {
        RepoId::parse(s, RepoKind::Model).unwrap()
    }

    fn cards() -> Cards {
        let rec =
            |name: &str, card: &str| RepoRecord::from_parts(&id(name), None, Some(card.as_bytes()));
        Cards(vec![
            rec("r/base", "---\nlicense: cc-by-nc-4.0\n---\n# base\n"),
            rec(
                "f/tune",
                "---\nlicense: apache-2.0\nbase_model: r/base\n---\n# tune\n",
            ),
        ])
    }

    #[test]
    fn a_trace_judges_nothing_and_an_audit_judges_under_the_policy() {
        let traced = run(&mut cards(), &Request::trace(vec![id("f/tune")])).unwrap();
        assert_eq!(traced.graph().node_count(), 2);
        assert!(!traced.has_obligations());
        assert!(traced.findings().is_empty(), "{:?}", traced.findings());
        let audited = run(&mut cards(), &Request::audit(vec![id("f/tune")])).unwrap();
        assert!(audited.has_obligations());
        // The derivative drops its non-commercial parent's terms: a license finding on it,
        // and its flags come from the report, not the graph.
        let tune = audited.graph().get(&id("f/tune")).unwrap();
        assert!(
            audited
                .flags(&tune)
                .iter()
                .any(|c| c.starts_with("license")),
            "{:?}",
            audited.findings()
        );
        assert_eq!(
            audited.graph().edge_count(),
            traced.graph().edge_count(),
            "judging adds nothing to what is known"
        );
    }

    #[test]
    fn a_whole_source_that_cannot_be_listed_is_an_error_and_whole_or_falls_back_to_roots() {
        let err = run(&mut cards(), &Request::whole()).unwrap_err();
        assert!(matches!(err, PipelineError::NotListable), "{err}");
        let req = Request {
            scope: Scope::WholeOr(vec![id("f/tune")]),
            ..Request::whole()
        };
        let a = run(&mut cards(), &req).unwrap();
        assert_eq!(a.graph().roots(), &[id("f/tune")]);
        assert_eq!(a.graph().node_count(), 2);
    }
}
