//! The checks and the policy over a built graph: licenses, documentation, then the policy
//! step, which is the only place levels and exceptions are applied. It applies them to
//! **every** finding in the report (card problems, crawl problems, undeclared parents,
//! licenses, documentation), as the registry allows ([`crate::finding::CodeInfo::adjustable`]).
//! Entries that matched nothing are reported (`unused-policy-entry`), as cargo-deny reports
//! unused allowances: a typo in a repo id must not silently accept nothing.

use crate::docs_check;
use crate::finding::{Code, Finding, Severity};
use crate::id::RepoId;
use crate::policy::{parse_repo, Policy};
use crate::report::Analysis;

use super::resident_mb;

/// Runs the checks and the policy over an analysis whose graph is built: licenses, then
/// documentation, then the policy over every finding.
pub fn analyse(analysis: &mut Analysis, policy: &Policy) {
    let t = std::time::Instant::now();
    let (graph, report) = analysis.parts_mut();
    let graph = &*graph;
    let licenses = crate::license::check_licenses(graph, &policy.knowledge_base(), policy);
    tracing::info!(
        secs = t.elapsed().as_secs_f64(),
        rss_mb = resident_mb(),
        "licenses"
    );
    // The findings move out for the policy step (no second copy of millions of them); the
    // documentation check reads records and edges, not findings.
    let mut findings = report.take_findings();
    // Exact room: a million findings grown by doubling hold up to twice their size.
    findings.reserve_exact(licenses.findings.len());
    findings.extend(licenses.findings);
    report.set_obligations(licenses.obligations);
    let (doc_findings, doc_reports) = docs_check::check_docs(graph, report.take_documentation());
    tracing::info!(
        secs = t.elapsed().as_secs_f64(),
        rss_mb = resident_mb(),
        "documentation"
    );
    findings.reserve_exact(doc_findings.len());
    findings.extend(doc_findings);
    report.set_documentation(doc_reports);
    let present = |id: &RepoId| graph.get(id).is_some();
    let judged = apply_policy(findings, policy, &present);
    report.replace_findings(judged);
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
    policy: &Policy,
    present: &dyn Fn(&RepoId) -> bool,
) -> Vec<Finding> {
    let mut used = vec![false; policy.exceptions.len()];
    let mut out: Vec<Finding> = findings
        .into_iter()
        .map(|mut f| {
            if !f.code.info().adjustable {
                return f;
            }
            if let Some(level) = policy.level(f.code) {
                f.severity = level;
            }
            if policy.exceptions.is_empty() {
                return f;
            }
            let Some(subject) = f.nodes.first().and_then(|s| parse_repo(s).ok()) else {
                return f;
            };
            for (i, e) in policy.exceptions.iter().enumerate() {
                if e.repo == subject && (e.codes.is_empty() || e.codes.contains(&f.code)) {
                    used[i] = true;
                    f.severity = Severity::Info;
                    f.message =
                        format!("{} [accepted by policy exception: {}]", f.message, e.reason)
                            .into();
                }
            }
            f
        })
        .collect();
    for (e, _) in policy.exceptions.iter().zip(used).filter(|(_, u)| !u) {
        let codes = if e.codes.is_empty() {
            "any code".to_string()
        } else {
            e.codes
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let why = if present(&e.repo) {
            format!(
                "{} is in the lineage, but none of its findings is {codes}",
                e.written
            )
        } else {
            format!("{} is not in this lineage", e.written)
        };
        out.push(unused(
            &e.written,
            format!(
                "the policy's exception for {} ({codes}) matched no finding: {why}; fix the repo id or code, or remove the entry",
                e.written
            ),
        ));
    }
    for c in policy.clarify.iter().filter(|c| !present(&c.repo)) {
        out.push(unused(
            &c.written,
            format!(
                "the policy's clarification for {} matched nothing: the repo is not in this lineage; fix the repo id, or remove the entry",
                c.written
            ),
        ));
    }
    out
}

fn unused(repo: &str, message: String) -> Finding {
    Finding::of(Code::UnusedPolicyEntry, vec![repo.to_string()], message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::RepoKind;

    fn f(code: Code, node: &str) -> Finding {
        Finding::of(code, vec![node.into()], "m")
    }

    #[test]
    fn levels_and_exceptions_apply_to_every_code_and_unused_entries_are_reported() {
        let policy = Policy::parse(
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
