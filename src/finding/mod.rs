//! Findings: what the tool tells a person about a card, a repo or a lineage.
//!
//! Findings are not errors. A malformed card, a license conflict or an undocumented change
//! each becomes a [`Finding`] with a stable kebab-case `code`, a [`Severity`], the node ids it
//! concerns and a message that says why, so the person reading it can check the call.

use std::fmt;

use serde::Serialize;

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

/// One finding about one or more nodes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Finding {
    /// Stable code, serialised as its kebab-case name, e.g. `license-drift`.
    pub code: Code,
    /// How serious it is.
    pub severity: Severity,
    /// Node ids concerned, the subject first.
    pub nodes: Vec<String>,
    /// Human explanation naming what fired and why (exactly sized: millions are kept).
    pub message: Box<str>,
}

impl Finding {
    /// A new finding.
    pub fn new(
        code: Code,
        severity: Severity,
        nodes: Vec<String>,
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

/// Codes of findings about cards and ids, emitted by the card parser and graph builder (names
/// kept for the modules that use them; the registry is [`Code`]).
pub mod codes {
    use super::Code;
    /// The card has no YAML frontmatter block.
    pub const NO_METADATA: Code = Code::CardNoMetadata;
    /// The frontmatter is not valid YAML, or not a mapping.
    pub const YAML_INVALID: Code = Code::CardYamlInvalid;
    /// The card or its frontmatter is larger than the parser accepts.
    pub const TOO_LARGE: Code = Code::CardTooLarge;
    /// The YAML expands past the alias budget or nests past the depth limit.
    pub const YAML_TOO_COMPLEX: Code = Code::CardYamlTooComplex;
    /// A metadata field has the wrong type.
    pub const WRONG_TYPE: Code = Code::CardWrongType;
    /// A value where a repo id belongs is not one.
    pub const INVALID_ID: Code = Code::InvalidRepoId;
    /// `base_model_relation` holds a value the Hub does not define.
    pub const UNKNOWN_RELATION: Code = Code::UnknownRelation;
    /// A field used a legacy name (`finetuned_from`).
    pub const LEGACY_FIELD: Code = Code::CardLegacyField;
    /// A repo lists itself as its own parent.
    pub const SELF_REFERENCE: Code = Code::SelfReference;
    /// The lineage contains a cycle.
    pub const CYCLE: Code = Code::LineageCycle;
    /// A parent could not be read (missing, private, failing).
    pub const PARENT_UNAVAILABLE: Code = Code::ParentUnavailable;
    /// A card names a repo by an old id that now redirects.
    pub const RENAMED: Code = Code::RenamedRepo;
    /// A snapshot entry could not be read (bad directory name, unreadable file).
    pub const SNAPSHOT_ENTRY: Code = Code::SnapshotEntryInvalid;
    /// A repo's API body (live, or info.json in a snapshot) is not usable JSON.
    pub const REPO_DATA: Code = Code::RepoDataInvalid;
    /// An undeclared parent found in card text.
    pub const UNDECLARED_BASE: Code = Code::UndeclaredBaseModel;
}
