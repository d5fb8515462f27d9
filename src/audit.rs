//! The audit pipeline, once: trace → suggested parents from card text → licenses →
//! documentation → policy. `audit` and `query` both run it; the command line only parses flags
//! and prints.
//!
//! The policy step is the only place levels and exceptions are applied, and it applies them to
//! **every** finding in the graph (card problems, crawl problems, undeclared parents, licenses,
//! documentation), as the registry allows ([`crate::finding::CodeInfo::adjustable`]). Entries
//! that matched nothing are reported (`unused-policy-entry`), as cargo-deny reports unused
//! allowances: a typo in a repo id must not silently accept nothing.

use crate::docs_check;
use crate::finding::{Code, Finding, Severity};
use crate::graph::{GraphBuilder, LineageGraph};
use crate::id::RepoId;
use crate::license::policy::{parse_repo, LicensePolicy};
use crate::source::Source;
use crate::trace::trace_for_analysis;

/// What to audit besides the given repos, and how.
#[derive(Debug, Clone, Copy, Default)]
pub struct AuditOptions {
    /// Also audit everything derived from the repos (each judged against all its ancestors).
    pub down: bool,
    /// How many hops to follow at most.
    pub depth: Option<usize>,
    /// Suggest parents that cards name only in their text (`undeclared-base-model`).
    pub infer_from_text: bool,
}

/// Traces `roots` from `source` and runs every analysis and the policy over the result.
///
/// ```
/// use hf_lineage::audit::{audit, AuditOptions};
/// use hf_lineage::license::policy::LicensePolicy;
/// use hf_lineage::source::SnapshotSource;
/// use hf_lineage::{RepoId, RepoKind};
///
/// let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/hub-snapshot");
/// let mut source = SnapshotSource::open(std::path::Path::new(dir)).unwrap();
/// let root = RepoId::parse("TheBloke/Llama-2-7B-Chat-GGUF", RepoKind::Model).unwrap();
/// let opts = AuditOptions { infer_from_text: true, ..AuditOptions::default() };
/// let graph = audit(&mut source, &[root], opts, &LicensePolicy::default());
/// assert!(graph.node_count() >= 3);
/// ```
pub fn audit(
    source: &mut dyn Source,
    roots: &[RepoId],
    opts: AuditOptions,
    policy: &LicensePolicy,
) -> LineageGraph {
    let mut graph = trace_for_analysis(source, roots, opts.down, opts.depth);
    analyse(&mut graph, policy, opts.infer_from_text);
    graph
}

/// What a whole-snapshot build does with each card's Markdown text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardText {
    /// Keep it in the graph (for inferring parents from card text afterwards).
    Keep,
    /// Judge "what changed" as the record is read (a node's derivation parents are its own
    /// record's links), keep the report, and let the text go: real cards average several KB,
    /// millions of them do not fit in memory together.
    JudgeAndDrop,
}

impl CardText {
    /// What a command needs: the text only when it infers parents from it afterwards.
    pub fn for_inference(infer_from_text: bool) -> CardText {
        match infer_from_text {
            true => CardText::Keep,
            false => CardText::JudgeAndDrop,
        }
    }
}

/// The graph of everything a source holds (a snapshot; the live Hub cannot be listed whole):
/// every record, the parents it does not hold as `not_found` nodes (not placeholders beyond a
/// depth), and the source's own findings (bad entries, duplicate rows). `None` when the source
/// cannot list its records.
pub fn whole_graph(source: &mut dyn Source, text: CardText) -> Option<LineageGraph> {
    use rayon::prelude::*;
    let t = std::time::Instant::now();
    let hint = source.record_count_hint().unwrap_or(0);
    // Room for the parents a dump names but does not hold (placeholders, often a sixth of the
    // rows): growing a node table of millions past its capacity copies it whole, doubling the
    // peak; capacity never written costs address space, not memory.
    let mut b = GraphBuilder::with_capacity(hint + hint / 2, hint * 3 / 4);
    let mut links: Vec<crate::record::Link> = Vec::with_capacity(hint * 3 / 4);
    let mut n = 0usize;
    // Records move from each batch into the graph as they are read: the snapshot is never held
    // twice. Each record's links are decided once (tags, card) and kept for the graph.
    let listed = source.each_record_batch(&mut |mut batch| {
        n += batch.len();
        let read: Vec<(Vec<crate::record::Link>, Option<docs_check::DocReport>)> = batch
            .par_iter_mut()
            .map(|r| {
                let own = r.links();
                let mut report = None;
                if text == CardText::JudgeAndDrop {
                    report = docs_check::judge_record(r, &own);
                    r.drop_card_text();
                }
                r.keep_for_graph();
                (own, report)
            })
            .collect();
        for (r, (own, report)) in batch.into_iter().zip(read) {
            links.extend(own);
            if let Some(report) = report {
                b.add_judged_at_read(r.id.clone(), report);
            }
            b.add_record(r);
        }
    });
    if !listed {
        return None;
    }
    if text == CardText::JudgeAndDrop {
        b.set_card_text_dropped();
    }
    tracing::info!(
        secs = t.elapsed().as_secs_f64(),
        n,
        rss_mb = resident_mb(),
        "records read"
    );
    let mut missing: Vec<RepoId> = links
        .par_iter()
        .flat_map_iter(|l| [&l.upstream, &l.downstream])
        .filter(|id| !b.contains(id))
        .cloned()
        .collect();
    missing.par_sort_unstable();
    missing.dedup();
    for r in source.fetch(&missing) {
        b.add_record(r);
    }
    tracing::info!(
        secs = t.elapsed().as_secs_f64(),
        n = missing.len(),
        "missing parents"
    );
    b.add_links(links);
    for f in source.take_findings() {
        b.add_finding(f);
    }
    let g = b.finish(vec![]);
    tracing::info!(
        secs = t.elapsed().as_secs_f64(),
        rss_mb = resident_mb(),
        "graph built"
    );
    Some(g)
}

/// Runs the analyses and the policy over a graph already built (a whole snapshot, for `query`).
pub fn analyse(graph: &mut LineageGraph, policy: &LicensePolicy, infer_from_text: bool) {
    if infer_from_text {
        docs_check::lineage::infer_from_text(graph);
    }
    let t = std::time::Instant::now();
    let report = crate::license::check_licenses(graph, &policy.knowledge_base(), policy);
    tracing::info!(
        secs = t.elapsed().as_secs_f64(),
        rss_mb = resident_mb(),
        "licenses"
    );
    // The graph's findings move out for the policy step (no second copy of millions of them);
    // the documentation check reads records and edges, not findings.
    let mut findings = graph.take_findings();
    // Exact room: a million findings grown by doubling hold up to twice their size.
    findings.reserve_exact(report.findings.len());
    findings.extend(report.findings);
    graph.set_obligations(report.obligations);
    let judged = graph.take_judged_at_read();
    let (doc_findings, doc_reports) = docs_check::check_docs(graph, judged);
    tracing::info!(
        secs = t.elapsed().as_secs_f64(),
        rss_mb = resident_mb(),
        "documentation"
    );
    findings.reserve_exact(doc_findings.len());
    findings.extend(doc_findings);
    graph.set_documentation(doc_reports);
    let present = |id: &RepoId| graph.get(id).is_some();
    let judged = apply_policy(findings, policy, &present);
    graph.replace_findings(judged);
    tracing::info!(
        secs = t.elapsed().as_secs_f64(),
        rss_mb = resident_mb(),
        "policy"
    );
}

/// The policy step: `[levels]` and `[[exceptions]]` over every finding the registry lets a
/// policy change (an excepted finding drops to info, with the reason), then one
/// `unused-policy-entry` finding per exception that matched nothing and per clarification for a
/// repo that is not in the lineage. `present` says whether a repo is in the lineage.
pub fn apply_policy(
    findings: Vec<Finding>,
    policy: &LicensePolicy,
    present: &dyn Fn(&RepoId) -> bool,
) -> Vec<Finding> {
    let exceptions: Vec<Option<RepoId>> = policy
        .exceptions
        .iter()
        .map(|e| parse_repo(e.repo.as_ref()).ok())
        .collect();
    let mut used = vec![false; policy.exceptions.len()];
    let mut out: Vec<Finding> = findings
        .into_iter()
        .map(|mut f| {
            if !f.code.info().adjustable {
                return f;
            }
            if let Some(level) = policy.level(f.code.as_str()) {
                f.severity = level;
            }
            if policy.exceptions.is_empty() {
                return f;
            }
            let subject = f.nodes.first().and_then(|s| parse_repo(s).ok());
            for (i, e) in policy.exceptions.iter().enumerate() {
                let (Some(id), Some(subject)) = (&exceptions[i], &subject) else {
                    continue;
                };
                if id == subject
                    && (e.codes.is_empty() || e.codes.iter().any(|c| f.code == c.as_ref().as_str()))
                {
                    used[i] = true;
                    f.severity = Severity::Info;
                    f.message = format!(
                        "{} [accepted by policy exception: {}]",
                        f.message,
                        e.reason.as_ref().trim()
                    )
                    .into();
                }
            }
            f
        })
        .collect();
    for (i, e) in policy.exceptions.iter().enumerate() {
        if used[i] {
            continue;
        }
        let in_lineage = exceptions[i].as_ref().is_some_and(present);
        let codes = if e.codes.is_empty() {
            "any code".to_string()
        } else {
            e.codes
                .iter()
                .map(|c| c.as_ref().as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let why = if in_lineage {
            format!(
                "{} is in the lineage, but none of its findings is {codes}",
                e.repo
            )
        } else {
            format!("{} is not in this lineage", e.repo)
        };
        out.push(unused(
            e.repo.as_ref(),
            format!(
                "the policy's exception for {} ({codes}) matched no finding: {why}; fix the repo id or code, or remove the entry",
                e.repo.as_ref()
            ),
        ));
    }
    for c in &policy.clarify {
        if !parse_repo(c.repo.as_ref()).as_ref().is_ok_and(present) {
            out.push(unused(
                c.repo.as_ref(),
                format!(
                    "the policy's clarification for {} matched nothing: the repo is not in this lineage; fix the repo id, or remove the entry",
                    c.repo.as_ref()
                ),
            ));
        }
    }
    out
}

fn unused(repo: &str, message: String) -> Finding {
    Finding::new(
        Code::UnusedPolicyEntry,
        Code::UnusedPolicyEntry.info().severity,
        vec![repo.to_string()],
        message,
    )
}

/// The process's resident memory in MB, for the phase logs of whole-snapshot runs (`-v`):
/// how much each phase holds, where `/usr/bin/time` gives only the peak. Linux only.
fn resident_mb() -> Option<u64> {
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

    fn f(code: Code, node: &str) -> Finding {
        Finding::new(code, code.info().severity, vec![node.into()], "m")
    }

    #[test]
    fn levels_and_exceptions_apply_to_every_code_and_unused_entries_are_reported() {
        let policy = LicensePolicy::parse(
            "[levels]\nundeclared-base-model = \"deny\"\ncrawl-listing-incomplete = \"info\"\n[[exceptions]]\nrepo = \"a/b\"\ncodes = [\"parent-unavailable\"]\nreason = \"known\"\n[[exceptions]]\nrepo = \"typo/repo\"\nreason = \"oops\"\n[[exceptions]]\nrepo = \"a/b\"\ncodes = [\"license-drift\"]\nreason = \"stale\"\n[[clarify]]\nrepo = \"gone/x\"\nlicense = \"mit\"\nsha = \"0123abc\"\n",
            "p.toml",
        )
        .unwrap();
        let present = |id: &RepoId| id.name() == "a/b";
        let out = apply_policy(
            vec![
                f(Code::UndeclaredBaseModel, "c/d"),
                f(Code::CrawlListingIncomplete, "c/d"),
                f(Code::ParentUnavailable, "a/b"),
            ],
            &policy,
            &present,
        );
        assert_eq!(out[0].severity, Severity::Deny);
        assert_eq!(out[1].severity, Severity::Info);
        assert_eq!(out[2].severity, Severity::Info);
        assert!(out[2]
            .message
            .contains("accepted by policy exception: known"));
        let unused: Vec<&Finding> = out
            .iter()
            .filter(|f| f.code == Code::UnusedPolicyEntry)
            .collect();
        assert_eq!(unused.len(), 3, "{unused:?}");
        assert!(unused[0]
            .message
            .contains("typo/repo is not in this lineage"));
        assert!(unused[1]
            .message
            .contains("none of its findings is license-drift"));
        assert!(unused[2].message.contains("clarification for gone/x"));
        let _ = RepoKind::Model;
    }
}
