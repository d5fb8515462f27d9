//! The shape every check has, as in cargo-deny: a check reads a [`CheckContext`] (the graph,
//! the policy, the license knowledge) and pushes what it concludes into a [`Sink`]. The sink
//! applies the policy to each finding as it arrives — `[levels]`, then `[[exceptions]]` (an
//! excepted finding drops to info, with the reason) — for every code the registry lets a policy
//! change ([`crate::finding::CodeInfo::adjustable`]), and at the end reports each policy entry
//! that matched nothing (`unused-policy-entry`): a typo in a repo id must not silently accept
//! nothing.

use crate::finding::{Code, Finding, Severity};
use crate::graph::LineageGraph;
use crate::id::RepoId;
use crate::kb::KnowledgeBase;
use crate::policy::Policy;

/// What a check reads.
#[derive(Debug, Clone, Copy)]
pub struct CheckContext<'a> {
    /// The graph, built and not changing.
    pub graph: &'a LineageGraph,
    /// The policy of the run.
    pub policy: &'a Policy,
    /// The license knowledge of the run (the policy's additions included).
    pub kb: &'a KnowledgeBase,
}

/// A check: one kind of judgement over a graph. What it concludes besides findings (the
/// license check's obligations, the documentation check's reports) it keeps, for the pipeline
/// to take into the report.
pub trait Check {
    /// Its name (in phase logs).
    fn name(&self) -> &'static str;
    /// Judges the graph, pushing findings into the sink.
    fn run(&mut self, cx: &CheckContext<'_>, sink: &mut Sink<'_>);
}

/// Where checks put what they conclude; findings pass through the policy as they arrive.
#[derive(Debug)]
pub struct Sink<'p> {
    policy: &'p Policy,
    /// Which exceptions matched some finding.
    used: Vec<bool>,
    findings: Vec<Finding>,
}

impl<'p> Sink<'p> {
    /// An empty sink judging under `policy`.
    pub fn new(policy: &'p Policy) -> Sink<'p> {
        Sink {
            policy,
            used: vec![false; policy.exceptions.len()],
            findings: Vec::new(),
        }
    }

    /// Adds one finding, judged under the policy.
    pub fn push(&mut self, f: Finding) {
        let f = self.judge(f);
        self.findings.push(f);
    }

    /// Adds findings, judged under the policy. Room is made for exactly these: a million
    /// findings grown by doubling would hold up to twice their size.
    pub fn extend(&mut self, mut more: Vec<Finding>) {
        if self.findings.is_empty() {
            // The first list is judged where it is and kept: no second copy of it.
            for f in &mut more {
                *f = self.judge(std::mem::replace(f, placeholder()));
            }
            self.findings = more;
            return;
        }
        self.findings.reserve_exact(more.len());
        for f in more {
            self.push(f);
        }
    }

    fn judge(&mut self, mut f: Finding) -> Finding {
        if !f.code.info().adjustable {
            return f;
        }
        if let Some(level) = self.policy.level(f.code) {
            f.severity = level;
        }
        if self.policy.exceptions.is_empty() {
            return f;
        }
        let Some(subject) = f.subject().cloned() else {
            return f;
        };
        for (i, e) in self.policy.exceptions.iter().enumerate() {
            if e.repo == subject && (e.codes.is_empty() || e.codes.contains(&f.code)) {
                self.used[i] = true;
                f.severity = Severity::Info;
                f.message =
                    format!("{} [accepted by policy exception: {}]", f.message, e.reason).into();
            }
        }
        f
    }

    /// Ends the run: one `unused-policy-entry` finding per exception that matched nothing and
    /// per clarification for a repo that is not in the lineage (`present` says whether a repo
    /// is). Returns every finding, unused entries last.
    pub fn finish(mut self, present: &dyn Fn(&RepoId) -> bool) -> Vec<Finding> {
        let policy = self.policy;
        for (e, _) in policy
            .exceptions
            .iter()
            .zip(&self.used)
            .filter(|(_, u)| !**u)
        {
            let codes = match e.codes.is_empty() {
                true => "any code".to_string(),
                false => e
                    .codes
                    .iter()
                    .map(|c| c.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            };
            let why = match present(&e.repo) {
                true => format!(
                    "{} is in the lineage, but none of its findings is {codes}",
                    e.written
                ),
                false => format!("{} is not in this lineage", e.written),
            };
            self.findings.push(Finding::of(
                Code::UnusedPolicyEntry,
                vec![e.repo.clone()],
                format!(
                    "the policy's exception for {} ({codes}) matched no finding: {why}; fix the repo id or code, or remove the entry",
                    e.written
                ),
            ));
        }
        for c in policy.clarify.iter().filter(|c| !present(&c.repo)) {
            self.findings.push(Finding::of(
                Code::UnusedPolicyEntry,
                vec![c.repo.clone()],
                format!(
                    "the policy's clarification for {} matched nothing: the repo is not in this lineage; fix the repo id, or remove the entry",
                    c.written
                ),
            ));
        }
        self.findings
    }
}

/// A finding that is never kept: what a slot holds while its finding is judged.
fn placeholder() -> Finding {
    Finding::new(Code::UnusedPolicyEntry, Severity::Info, Vec::new(), "")
}

/// The policy over findings already made (`present` says whether a repo is in the lineage):
/// what a [`Sink`] does, for callers with a list in hand.
pub fn apply_policy(
    findings: Vec<Finding>,
    policy: &Policy,
    present: &dyn Fn(&RepoId) -> bool,
) -> Vec<Finding> {
    let mut sink = Sink::new(policy);
    sink.extend(findings);
    sink.finish(present)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::RepoKind;

    fn f(code: Code, node: &str) -> Finding {
        Finding::of(
            code,
            vec![RepoId::parse(node, RepoKind::Model).unwrap()],
            "m",
        )
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
