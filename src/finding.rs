//! Findings: what the tool tells a person about a card, a repo or a lineage.
//!
//! Findings are not errors. A malformed card, a license conflict or an undocumented change
//! each becomes a [`Finding`] with a stable kebab-case `code`, a [`Severity`], the node ids it
//! concerns and a message that says why, so the person reading it can check the call.

use std::fmt;

use serde::Serialize;

/// How serious a finding is. A policy file can change the level per code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
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

/// One finding about one or more nodes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Finding {
    /// Stable kebab-case code, e.g. `license-drift`.
    pub code: String,
    /// How serious it is.
    pub severity: Severity,
    /// Node ids concerned, the subject first.
    pub nodes: Vec<String>,
    /// Human explanation naming what fired and why.
    pub message: String,
}

impl Finding {
    /// A new finding.
    pub fn new(
        code: &str,
        severity: Severity,
        nodes: Vec<String>,
        message: impl Into<String>,
    ) -> Finding {
        Finding {
            code: code.to_string(),
            severity,
            nodes,
            message: message.into(),
        }
    }
}

/// Codes of findings about cards and ids, emitted by the card parser and graph builder.
pub mod codes {
    /// The card has no YAML frontmatter block.
    pub const NO_METADATA: &str = "card-no-metadata";
    /// The frontmatter is not valid YAML, or not a mapping.
    pub const YAML_INVALID: &str = "card-yaml-invalid";
    /// The card or its frontmatter is larger than the parser accepts.
    pub const TOO_LARGE: &str = "card-too-large";
    /// The YAML expands past the alias budget or nests past the depth limit.
    pub const YAML_TOO_COMPLEX: &str = "card-yaml-too-complex";
    /// A metadata field has the wrong type.
    pub const WRONG_TYPE: &str = "card-wrong-type";
    /// A value where a repo id belongs is not one.
    pub const INVALID_ID: &str = "invalid-repo-id";
    /// `base_model_relation` holds a value the Hub does not define.
    pub const UNKNOWN_RELATION: &str = "unknown-relation";
    /// A field used a legacy name (`finetuned_from`).
    pub const LEGACY_FIELD: &str = "card-legacy-field";
    /// A repo lists itself as its own parent.
    pub const SELF_REFERENCE: &str = "self-reference";
    /// The lineage contains a cycle.
    pub const CYCLE: &str = "lineage-cycle";
    /// A parent could not be read (missing, private, failing).
    pub const PARENT_UNAVAILABLE: &str = "parent-unavailable";
    /// A card names a repo by an old id that now redirects.
    pub const RENAMED: &str = "renamed-repo";
    /// A snapshot entry could not be read (bad directory name, unreadable file).
    pub const SNAPSHOT_ENTRY: &str = "snapshot-entry-invalid";
    /// A repo's API body (live, or info.json in a snapshot) is not usable JSON.
    pub const REPO_DATA: &str = "repo-data-invalid";
    /// An undeclared parent found in card text.
    pub const UNDECLARED_BASE: &str = "undeclared-base-model";
}
