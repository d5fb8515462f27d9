//! Findings: what the tool tells a person about a card, a repo or a lineage.
//!
//! Findings are not errors. A malformed card, a license conflict or an undocumented change
//! each becomes a [`Finding`] with a stable kebab-case `code`, a [`Severity`], the node ids it
//! concerns and a message that says why, so the person reading it can check the call.

use std::fmt;

use serde::Serialize;

use crate::id::RepoId;

pub mod code;

pub use code::{Code, CodeInfo};

/// How serious a finding is. A policy file can change the level per code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Severity {
    /// Worth knowing; never fails a run.
    Info,
    /// Worth fixing; never fails a run.
    Warn,
    /// Fails `audit` (exit code 2).
    Deny,
}

impl Severity {
    /// `info`, `warn` or `deny`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warn => "warn",
            Severity::Deny => "deny",
        }
    }

    /// Parses `info`, `warn`/`warning`, `deny`/`error`.
    pub fn from_name(s: &str) -> Option<Severity> {
        match s {
            "info" | "allow" => Some(Severity::Info),
            "warn" | "warning" => Some(Severity::Warn),
            "deny" | "error" => Some(Severity::Deny),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding about one or more nodes. Findings order by code, severity, the nodes' ids as
/// written (`owner/name`, `datasets/…`) and message: the order every output lists them in.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// Stable code, serialised as its kebab-case name, e.g. `license-drift`.
    pub code: Code,
    /// How serious it is.
    pub severity: Severity,
    /// The repos concerned, the subject first (serialised as node ids). Empty for findings
    /// about the crawl itself or a card read on its own.
    pub nodes: Vec<RepoId>,
    /// Human explanation naming what fired and why (exactly sized: millions are kept).
    pub message: Box<str>,
}

/// Two ids in the order of their node ids as written (`datasets/…` before `owner/…`), without
/// building the strings.
fn node_id_order(a: &RepoId, b: &RepoId) -> std::cmp::Ordering {
    a.kind()
        .url_prefix()
        .bytes()
        .chain(a.name().bytes())
        .cmp(b.kind().url_prefix().bytes().chain(b.name().bytes()))
}

impl Ord for Finding {
    fn cmp(&self, other: &Finding) -> std::cmp::Ordering {
        self.code
            .cmp(&other.code)
            .then(self.severity.cmp(&other.severity))
            .then_with(|| {
                let (a, b) = (&self.nodes, &other.nodes);
                a.iter()
                    .zip(b)
                    .map(|(x, y)| node_id_order(x, y))
                    .find(|o| o.is_ne())
                    .unwrap_or(a.len().cmp(&b.len()))
            })
            .then_with(|| self.message.cmp(&other.message))
    }
}

impl PartialOrd for Finding {
    fn partial_cmp(&self, other: &Finding) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Finding {
    fn eq(&self, other: &Finding) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for Finding {}

impl Finding {
    /// The repo the finding is about (its first node), when it names one.
    pub fn subject(&self) -> Option<&RepoId> {
        self.nodes.first()
    }

    /// A finding at its code's registry severity (what almost every check emits; the policy
    /// step may change it later).
    pub fn of(code: Code, nodes: Vec<RepoId>, message: impl Into<String>) -> Finding {
        Finding::new(code, code.info().severity, nodes, message)
    }

    /// A finding at a severity of its own: for the few checks that emit a code below its
    /// registry level when the evidence is weaker (the message says why).
    pub fn new(
        code: Code,
        severity: Severity,
        nodes: Vec<RepoId>,
        message: impl Into<String>,
    ) -> Finding {
        Finding {
            code,
            severity,
            nodes,
            message: message.into().into_boxed_str(),
        }
    }
}
