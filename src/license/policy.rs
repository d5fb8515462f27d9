//! The policy file (`hf-lineage.toml`), modelled on cargo-deny's `deny.toml`.
//!
//! ```toml
//! [licenses]
//! allow = ["apache-2.0", "mit", "llama3.1"]   # anything else in the lineage is denied
//! deny = ["cc-by-nc-4.0"]                     # these are denied wherever they appear
//! commercial-use = true                       # deny any non-commercial ancestor
//!
//! [levels]                                    # per finding code: "info", "warn" or "deny"
//! license-drift = "warn"
//!
//! [[exceptions]]                              # accepted findings, with the reason
//! repo = "acme/model"
//! codes = ["license-drift"]                   # optional: every code when absent
//! reason = "Legal review LR-42 accepted the relicensing"
//!
//! [[clarify]]                                 # the real license of a repo whose card is wrong
//! repo = "acme/other-model"
//! license = "apache-2.0"
//! sha = "0123abcd…"                           # only while the repo is at this commit
//! reason = "LICENSE file in the repo is Apache-2.0; card says other"
//!
//! [[license]]                                 # teach the knowledge base a license
//! id = "acme-license-1.0"
//! family = "acme"
//! commercial = false
//! ```
//! Unknown keys and bad values are errors that name the line.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use super::kb::LicenseInfo;
use crate::finding::Severity;
use crate::id::{RepoId, RepoKind};

/// A parsed policy.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LicensePolicy {
    /// `[licenses]`.
    #[serde(default)]
    pub licenses: LicensesSection,
    /// `[levels]`: severity per finding code (with where each was written, for errors).
    #[serde(default)]
    pub levels: BTreeMap<Spanned<String>, Spanned<String>>,
    /// `[[exceptions]]`.
    #[serde(default)]
    pub exceptions: Vec<Exception>,
    /// `[[clarify]]`.
    #[serde(default)]
    pub clarify: Vec<Clarification>,
    /// `[[license]]`: knowledge base additions.
    #[serde(default)]
    pub license: Vec<LicenseInfo>,
}

/// `[licenses]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LicensesSection {
    /// When non-empty, only these licenses are acceptable anywhere in the lineage.
    #[serde(default)]
    pub allow: Vec<String>,
    /// Never acceptable anywhere in the lineage.
    #[serde(default)]
    pub deny: Vec<String>,
    /// Deny non-commercial terms anywhere in the lineage.
    #[serde(default)]
    pub commercial_use: bool,
}

/// An accepted finding.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exception {
    /// The repo (node id) the finding is about.
    pub repo: Spanned<String>,
    /// Codes excepted; all when empty.
    #[serde(default)]
    pub codes: Vec<Spanned<String>>,
    /// Why (required).
    pub reason: Spanned<String>,
}

/// The real license of a repo, pinned to a commit.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Clarification {
    /// The repo.
    pub repo: Spanned<String>,
    /// Its real license id.
    pub license: String,
    /// The commit the clarification was checked at.
    pub sha: Spanned<String>,
    /// Why.
    #[serde(default)]
    pub reason: String,
}

/// A policy file problem, with its location.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct PolicyError {
    /// The file.
    pub path: String,
    /// What is wrong, with line and column when known.
    pub message: String,
}

/// Codes whose level a policy may set: every code the registry calls adjustable.
pub fn known_codes() -> Vec<&'static str> {
    crate::finding::Code::ALL
        .iter()
        .filter(|c| c.info().adjustable)
        .map(|c| c.as_str())
        .collect()
}

impl LicensePolicy {
    /// Parses a policy from TOML text; `path` is used in messages.
    pub fn parse(text: &str, path: &str) -> Result<LicensePolicy, PolicyError> {
        let err = |message: String| PolicyError {
            path: path.to_string(),
            message,
        };
        let policy: LicensePolicy = toml::from_str(text).map_err(|e| {
            let loc = e
                .span()
                .map(|s| {
                    let line = text[..s.start.min(text.len())].matches('\n').count() + 1;
                    format!("line {line}: ")
                })
                .unwrap_or_default();
            err(format!("{loc}{}", e.message()))
        })?;
        // Every problem names the line toml says the value is on.
        let at = |span: std::ops::Range<usize>| {
            let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
            format!("line {line}: ")
        };
        let known = known_codes();
        for (code, level) in &policy.levels {
            if !known.contains(&code.as_ref().as_str()) {
                return Err(err(format!(
                    "{}unknown finding code {:?} in [levels] (known: {}; `hf-lineage explain --list` describes them)",
                    at(code.span()),
                    code.as_ref(),
                    known.join(", ")
                )));
            }
            if Severity::from_name(level.as_ref()).is_none() {
                return Err(err(format!(
                    "{}level {:?} for {} must be \"info\", \"warn\" or \"deny\"",
                    at(level.span()),
                    level.as_ref(),
                    code.as_ref()
                )));
            }
        }
        for e in &policy.exceptions {
            if e.reason.as_ref().trim().is_empty() {
                return Err(err(format!(
                    "{}the exception for {:?} needs a reason",
                    at(e.reason.span()),
                    e.repo.as_ref()
                )));
            }
            parse_repo(e.repo.as_ref()).map_err(|m| err(format!("{}{m}", at(e.repo.span()))))?;
            for c in &e.codes {
                if !known.contains(&c.as_ref().as_str()) {
                    return Err(err(format!(
                        "{}unknown finding code {:?} in the exception for {:?}",
                        at(c.span()),
                        c.as_ref(),
                        e.repo.as_ref()
                    )));
                }
            }
        }
        for c in &policy.clarify {
            parse_repo(c.repo.as_ref()).map_err(|m| err(format!("{}{m}", at(c.repo.span()))))?;
            let sha = c.sha.as_ref().trim();
            if sha.len() < 7 || !sha.chars().all(|ch| ch.is_ascii_hexdigit()) {
                return Err(err(format!("{}the clarification for {:?} needs the commit sha it was checked at (hex, at least 7 digits)", at(c.sha.span()), c.repo.as_ref())));
            }
        }
        Ok(policy)
    }

    /// The built-in knowledge base with this policy's `[[license]]` additions: what every
    /// analysis and picture of a run uses.
    pub fn knowledge_base(&self) -> super::kb::KnowledgeBase {
        let mut kb = super::kb::KnowledgeBase::builtin();
        for l in &self.license {
            kb.insert(l.clone());
        }
        kb
    }

    /// The level for a code, if the policy sets one.
    pub fn level(&self, code: &str) -> Option<Severity> {
        self.levels
            .get(code)
            .and_then(|l| Severity::from_name(l.as_ref()))
    }
}

/// Parses a repo named in a policy (node id form: `owner/name`, `datasets/…`, `spaces/…`).
pub fn parse_repo(s: &str) -> Result<RepoId, String> {
    RepoId::parse(s, RepoKind::Model).map_err(|e| format!("{e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_policy_parses() {
        let p = LicensePolicy::parse(
            r#"
[licenses]
allow = ["apache-2.0"]
deny = ["cc-by-nc-4.0"]
commercial-use = true

[levels]
license-drift = "warn"

[[exceptions]]
repo = "acme/model"
codes = ["license-drift"]
reason = "reviewed"

[[clarify]]
repo = "acme/other"
license = "apache-2.0"
sha = "0123abcd"

[[license]]
id = "acme-1.0"
family = "acme"
commercial = false
"#,
            "hf-lineage.toml",
        )
        .unwrap();
        assert!(p.licenses.commercial_use);
        assert_eq!(p.level("license-drift"), Some(Severity::Warn));
        assert_eq!(p.license[0].id, "acme-1.0");
        assert!(!p.license[0].commercial);
    }

    #[test]
    fn unknown_keys_and_bad_values_name_the_line() {
        let e = LicensePolicy::parse("[licenses]\nallow = []\nalow = [\"mit\"]\n", "p.toml")
            .unwrap_err();
        assert!(
            e.message.contains("line 3") && e.message.contains("alow"),
            "{e}"
        );
        let e =
            LicensePolicy::parse("[levels]\nlicense-drift = \"fatal\"\n", "p.toml").unwrap_err();
        assert!(
            e.message.contains("line 2") && e.message.contains("fatal"),
            "{e}"
        );
        let e = LicensePolicy::parse("[levels]\nlicence-drift = \"warn\"\n", "p.toml").unwrap_err();
        assert!(
            e.message.contains("line 2") && e.message.contains("licence-drift"),
            "{e}"
        );
        let e = LicensePolicy::parse("[[exceptions]]\nrepo = \"a/b\"\nreason = \"\"\n", "p.toml")
            .unwrap_err();
        assert!(e.message.contains("needs a reason"), "{e}");
        let e = LicensePolicy::parse("[[exceptions]]\nrepo = \"a/b\"\n", "p.toml").unwrap_err();
        assert!(e.message.contains("reason"), "{e}");
        let e = LicensePolicy::parse(
            "[[clarify]]\nrepo = \"a/b\"\nlicense = \"mit\"\nsha = \"main\"\n",
            "p.toml",
        )
        .unwrap_err();
        assert!(e.message.contains("sha"), "{e}");
        let e =
            LicensePolicy::parse("[licenses]\ncommercial-use = \"yes\"\n", "p.toml").unwrap_err();
        assert!(e.message.contains("line 2"), "{e}");
    }
}
