//! The policy (`hf-lineage.toml`), modelled on cargo-deny's `deny.toml`: it governs every
//! finding code, not only licenses.
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
//! Unknown keys and bad values are errors that name the line. A file is checked once, when it
//! is read, into a [`Policy`] whose codes are [`Code`]s, levels [`Severity`]s and repos
//! [`RepoId`]s: the steps that apply it compare values, never strings.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use crate::finding::{Code, Severity};
use crate::id::{RepoId, RepoKind};
use crate::kb::LicenseInfo;

/// The file as written, with where each value was (for messages).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    #[serde(default)]
    licenses: LicensesSection,
    #[serde(default)]
    levels: BTreeMap<Spanned<String>, Spanned<String>>,
    #[serde(default)]
    exceptions: Vec<ExceptionEntry>,
    #[serde(default)]
    clarify: Vec<ClarifyEntry>,
    #[serde(default)]
    license: Vec<LicenseInfo>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExceptionEntry {
    repo: Spanned<String>,
    #[serde(default)]
    codes: Vec<Spanned<String>>,
    reason: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClarifyEntry {
    repo: Spanned<String>,
    license: String,
    sha: Spanned<String>,
    #[serde(default)]
    reason: String,
}

/// A checked policy.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// `[licenses]`.
    pub licenses: LicensesSection,
    /// `[levels]`: the severity set per code, sorted by code.
    levels: Vec<(Code, Severity)>,
    /// `[[exceptions]]`.
    pub exceptions: Vec<Exception>,
    /// `[[clarify]]`.
    pub clarify: Vec<Clarification>,
    /// `[[license]]`: knowledge base additions.
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exception {
    /// The repo the finding is about.
    pub repo: RepoId,
    /// The repo as the file wrote it (for messages).
    pub written: String,
    /// Codes excepted; all when empty.
    pub codes: Vec<Code>,
    /// Why.
    pub reason: String,
}

/// The real license of a repo, pinned to a commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clarification {
    /// The repo.
    pub repo: RepoId,
    /// The repo as the file wrote it (for messages).
    pub written: String,
    /// Its real license id.
    pub license: String,
    /// The commit the clarification was checked at (hex).
    pub sha: String,
    /// Why.
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
    Code::ALL
        .iter()
        .filter(|c| c.info().adjustable)
        .map(|c| c.as_str())
        .collect()
}

/// Where a span starts, as `line N: `.
fn line_of(text: &str, span: std::ops::Range<usize>) -> String {
    let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
    format!("line {line}: ")
}

impl Policy {
    /// Reads and checks a policy from TOML text; `path` is used in messages.
    pub fn parse(text: &str, path: &str) -> Result<Policy, PolicyError> {
        let err = |message: String| PolicyError {
            path: path.to_string(),
            message,
        };
        let file: PolicyFile = toml::from_str(text).map_err(|e| {
            let loc = e.span().map(|s| line_of(text, s)).unwrap_or_default();
            err(format!("{loc}{}", e.message()))
        })?;
        // Every problem names the line toml says the value is on.
        let at = |span| line_of(text, span);
        let known = known_codes();
        let code = |c: &Spanned<String>, place: String| {
            Code::from_name(c.as_ref())
                .filter(|k| k.info().adjustable)
                .ok_or_else(|| {
                    err(format!(
                        "{}unknown finding code {:?} {place}",
                        at(c.span()),
                        c.as_ref()
                    ))
                })
        };
        let mut levels = Vec::new();
        for (c, level) in &file.levels {
            let k = code(
                c,
                format!(
                    "in [levels] (known: {}; `hf-lineage explain --list` describes them)",
                    known.join(", ")
                ),
            )?;
            let sev = Severity::from_name(level.as_ref()).ok_or_else(|| {
                err(format!(
                    "{}level {:?} for {} must be \"info\", \"warn\" or \"deny\"",
                    at(level.span()),
                    level.as_ref(),
                    c.as_ref()
                ))
            })?;
            levels.push((k, sev));
        }
        levels.sort();
        let mut exceptions = Vec::new();
        for e in &file.exceptions {
            if e.reason.as_ref().trim().is_empty() {
                return Err(err(format!(
                    "{}the exception for {:?} needs a reason",
                    at(e.reason.span()),
                    e.repo.as_ref()
                )));
            }
            let repo = parse_repo(e.repo.as_ref())
                .map_err(|m| err(format!("{}{m}", at(e.repo.span()))))?;
            let codes = e
                .codes
                .iter()
                .map(|c| code(c, format!("in the exception for {:?}", e.repo.as_ref())))
                .collect::<Result<Vec<Code>, PolicyError>>()?;
            exceptions.push(Exception {
                repo,
                written: e.repo.as_ref().clone(),
                codes,
                reason: e.reason.as_ref().trim().to_string(),
            });
        }
        let mut clarify = Vec::new();
        for c in &file.clarify {
            let repo = parse_repo(c.repo.as_ref())
                .map_err(|m| err(format!("{}{m}", at(c.repo.span()))))?;
            let sha = c.sha.as_ref().trim();
            if sha.len() < 7 || !sha.chars().all(|ch| ch.is_ascii_hexdigit()) {
                return Err(err(format!("{}the clarification for {:?} needs the commit sha it was checked at (hex, at least 7 digits)", at(c.sha.span()), c.repo.as_ref())));
            }
            clarify.push(Clarification {
                repo,
                written: c.repo.as_ref().clone(),
                license: c.license.clone(),
                sha: sha.to_string(),
                reason: c.reason.clone(),
            });
        }
        Ok(Policy {
            licenses: file.licenses,
            levels,
            exceptions,
            clarify,
            license: file.license,
        })
    }

    /// The built-in knowledge base with this policy's `[[license]]` additions: what every
    /// analysis and picture of a run uses.
    pub fn knowledge_base(&self) -> crate::kb::KnowledgeBase {
        let mut kb = crate::kb::KnowledgeBase::builtin();
        for l in &self.license {
            kb.insert(l.clone());
        }
        kb
    }

    /// The level for a code, if the policy sets one.
    pub fn level(&self, code: Code) -> Option<Severity> {
        self.levels
            .binary_search_by_key(&code, |(c, _)| *c)
            .ok()
            .map(|i| self.levels[i].1)
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
        let p = Policy::parse(
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
        assert_eq!(p.level(Code::LicenseDrift), Some(Severity::Warn));
        assert_eq!(p.level(Code::LicenseConflict), None);
        assert_eq!(p.exceptions[0].codes, vec![Code::LicenseDrift]);
        assert_eq!(p.clarify[0].repo.node_id(), "acme/other");
        assert_eq!(p.license[0].id, "acme-1.0");
        assert!(!p.license[0].commercial);
    }

    #[test]
    fn unknown_keys_and_bad_values_name_the_line() {
        let e = Policy::parse("[licenses]\nallow = []\nalow = [\"mit\"]\n", "p.toml").unwrap_err();
        assert!(
            e.message.contains("line 3") && e.message.contains("alow"),
            "{e}"
        );
        let e = Policy::parse("[levels]\nlicense-drift = \"fatal\"\n", "p.toml").unwrap_err();
        assert!(
            e.message.contains("line 2") && e.message.contains("fatal"),
            "{e}"
        );
        let e = Policy::parse("[levels]\nlicence-drift = \"warn\"\n", "p.toml").unwrap_err();
        assert!(
            e.message.contains("line 2") && e.message.contains("licence-drift"),
            "{e}"
        );
        let e =
            Policy::parse("[[exceptions]]\nrepo = \"a/b\"\nreason = \"\"\n", "p.toml").unwrap_err();
        assert!(e.message.contains("needs a reason"), "{e}");
        let e = Policy::parse("[[exceptions]]\nrepo = \"a/b\"\n", "p.toml").unwrap_err();
        assert!(e.message.contains("reason"), "{e}");
        let e = Policy::parse(
            "[[clarify]]\nrepo = \"a/b\"\nlicense = \"mit\"\nsha = \"main\"\n",
            "p.toml",
        )
        .unwrap_err();
        assert!(e.message.contains("sha"), "{e}");
        let e = Policy::parse("[licenses]\ncommercial-use = \"yes\"\n", "p.toml").unwrap_err();
        assert!(e.message.contains("line 2"), "{e}");
    }
}
