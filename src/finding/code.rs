//! The finding-code registry: every code the tool emits, once, with what a person needs to act
//! on it. SARIF rules, the policy's known codes, `hf-lineage explain` and README's table all
//! come from here; a test checks the README against it.

use std::fmt;

use serde::Serialize;

use super::Severity;

macro_rules! registry {
    ($( $variant:ident = $name:literal, $severity:ident, $adjustable:literal,
        $summary:literal, $explanation:literal, $resolve:literal; )*) => {
        /// A finding code. Serialised (and shown) as its kebab-case name, e.g. `license-drift`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Code {
            $(
                #[doc = $summary]
                $variant,
            )*
        }

        impl Code {
            /// Every code, in registry order.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// What the registry says about the code.
            pub fn info(self) -> CodeInfo {
                match self {
                    $(Code::$variant => CodeInfo {
                        name: $name,
                        severity: Severity::$severity,
                        adjustable: $adjustable,
                        summary: $summary,
                        explanation: $explanation,
                        resolve: $resolve,
                    },)*
                }
            }
        }
    };
}

/// What the registry holds for one code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeInfo {
    /// The kebab-case name (`license-drift`).
    pub name: &'static str,
    /// The severity it is emitted with unless a policy says otherwise (some codes are emitted at
    /// a lower level when the evidence is weaker; the message says why).
    pub severity: Severity,
    /// Whether a policy's `[levels]` and `[[exceptions]]` may change it.
    pub adjustable: bool,
    /// One line: what it means.
    pub summary: &'static str,
    /// Why it matters and what fired it.
    pub explanation: &'static str,
    /// How to resolve it, or allow it.
    pub resolve: &'static str,
}

registry! {
    CardNoMetadata = "card-no-metadata", Warn, true,
        "The card has no YAML metadata block",
        "Without a `---` block at the top of README.md the card declares no base model, license or datasets, so nothing about its lineage can be read from it.",
        "Add a metadata block with at least `license` and, for a derivative, `base_model`.";
    CardYamlInvalid = "card-yaml-invalid", Warn, true,
        "The card's metadata is not valid YAML, or not a mapping",
        "The Hub keeps such cards but reads no metadata from them; the tool does the same and reports the parser's message.",
        "Fix the YAML (the message gives the line); a linter such as yamllint helps.";
    CardTooLarge = "card-too-large", Warn, true,
        "The card or its metadata is larger than the parser accepts",
        "Cards over 16 MiB (metadata over 512 KiB) are not read, to keep a crawl bounded.",
        "Move generated content (tables, logs) out of README.md.";
    CardYamlTooComplex = "card-yaml-too-complex", Warn, true,
        "The metadata expands past the alias budget or nests too deep",
        "YAML aliases can expand exponentially (an alias bomb); the loader stops at 100,000 nodes or depth 64.",
        "Write the metadata out plainly, without nested aliases.";
    CardWrongType = "card-wrong-type", Warn, true,
        "A metadata field has the wrong type",
        "The Hub validates cards only in part: `base_model: 42` or a mapping where a list belongs reach the API as they are. The field is ignored.",
        "Give the field the type the Hub documents (a string or a list of strings for ids).";
    InvalidRepoId = "invalid-repo-id", Warn, true,
        "A value where a repo id belongs is not one",
        "Local paths (`/root/…`), URLs of other hosts or free text in `base_model`, `datasets` or `models` cannot be followed.",
        "Use the Hub id (`owner/name`); a Hub URL is accepted and normalised.";
    UnknownRelation = "unknown-relation", Warn, true,
        "`base_model_relation` holds a value the Hub does not define",
        "Only `adapter`, `merge`, `quantized` and `finetune` are defined; the relation is inferred instead.",
        "Use one of the four values, or drop the field and let the Hub infer it.";
    CardLegacyField = "card-legacy-field", Info, true,
        "A field uses a legacy name",
        "`finetuned_from` is the old name of `base_model`; it is read, but newer tools may not.",
        "Rename the field to `base_model`.";
    SelfReference = "self-reference", Warn, true,
        "A repo lists itself as its own parent",
        "The self-edge is kept and not followed.",
        "Name the real parent in `base_model`.";
    LineageCycle = "lineage-cycle", Warn, true,
        "The lineage contains a cycle",
        "Two or more repos name each other as parents; traversals stop where the cycle closes.",
        "Fix the card that names its descendant as its parent.";
    ParentUnavailable = "parent-unavailable", Warn, true,
        "A parent could not be read",
        "The parent is missing, private, disabled or failing (the node's status and reason say which); its license and lineage cannot be checked.",
        "Check the id; send a token that can see a private parent; or accept it with a policy exception.";
    RenamedRepo = "renamed-repo", Info, true,
        "A card names a repo by an old id that now redirects",
        "The Hub redirects the old id to the new one; the edge is kept under the canonical id.",
        "Update the card to the repo's current id.";
    SnapshotEntryInvalid = "snapshot-entry-invalid", Warn, true,
        "A snapshot entry could not be read",
        "A directory name that is no repo id, or an unreadable file, in a snapshot directory.",
        "Fix or remove the entry; `hf-lineage snapshot` writes valid ones.";
    RepoDataInvalid = "repo-data-invalid", Warn, true,
        "A repo's API body is not usable JSON",
        "The Hub (or a snapshot's info.json) answered something that is not a JSON object; the README, when present, is still read.",
        "Refetch with --refresh; for a snapshot, rewrite info.json.";
    UndeclaredBaseModel = "undeclared-base-model", Warn, true,
        "A parent named in the card's text but not in its metadata",
        "The text (a mergekit config, \"quantized version of X\", a base-model link) names a parent the metadata does not declare; the edge is a suggestion marked `card-text`.",
        "Declare the parent in `base_model` (and `base_model_relation`).";
    BaseModelMismatch = "base-model-mismatch", Warn, true,
        "The card's base model and the files its tools wrote name different parents",
        "PEFT's `adapter_config.json`, mergekit's configuration and a GGUF file's header record the model the tool actually started from; the card's `base_model` says something else. One of them is wrong, and licenses are judged along the card's.",
        "Make `base_model` name the model the files name (or regenerate the files from the model the card names).";
    LicenseFileMismatch = "license-file-mismatch", Warn, true,
        "The card's license and the repo's LICENSE file are different licenses",
        "The metadata declares one license; the LICENSE (or NOTICE) file beside it holds another, known by its title. Users and tools read the metadata, the file is what was actually granted: one of them is wrong.",
        "Make `license` name the license in the file, or replace the file with the declared license's text.";
    LicenseTextMissing = "license-text-missing", Info, true,
        "A derivative's ancestor license asks for its text to travel, and the repo has no license file",
        "Llama community agreements, Gemma terms, the OpenRAIL family, DeepSeek, Qwen and CC-BY-SA ask derivatives to carry a copy of the license or agreement; the repo's file list has no LICENSE, NOTICE or agreement file. Judged only when the file list is known.",
        "Add the ancestor's license text (LICENSE) and required notices to the repo.";
    LicenseConflict = "license-conflict", Deny, true,
        "Terms no single license can meet",
        "A merge whose parents' terms cannot all be met (a non-commercial or share-alike parent under a license without that term, parents whose licenses each demand their own), or a derivative of an ancestor that forbids derivatives.",
        "Relicense under terms every ancestor allows, or drop the conflicting parent; accept with a policy exception after legal review.";
    LicenseDrift = "license-drift", Deny, true,
        "A derivative drops obligations an ancestor requires to flow down",
        "The ancestor's license asks derivatives to keep its terms (non-commercial use, share-alike, use restrictions, the same license); the derivative declares terms without them — or names another license altogether, even one the tool cannot read.",
        "Declare the ancestor's license (or a compatible one) and its notices.";
    LicenseMissing = "license-missing", Warn, true,
        "A derivative declares no license",
        "Users cannot tell which terms apply (rule 8); the ancestors' obligations still do. Warn when they bind derivatives, info when they ask only for notices.",
        "Add `license` to the card.";
    LicenseUnresolved = "license-unresolved", Warn, true,
        "A license the knowledge base cannot resolve",
        "`other` without `license_name`/`license_link`, or an id the knowledge base does not know: its terms cannot be checked (NOASSERTION).",
        "Name the license (`license_name`, `license_link`), or teach it to the tool with a `[[license]]` entry in the policy.";
    NamingRequirement = "naming-requirement", Warn, true,
        "A derived model's name does not begin as its ancestor's license requires",
        "Some licenses (Llama 3) require derivative names to begin with the model's name.",
        "Rename the repo, or accept with a policy exception.";
    TrainingDataLicense = "training-data-license", Info, true,
        "Trained on data under restrictive terms",
        "Whether a dataset's license reaches a model trained on it is contested; reported, not judged.",
        "Review the dataset's terms; set `[levels] training-data-license = \"warn\"` to surface them.";
    LicenseNotAllowed = "license-not-allowed", Deny, true,
        "A license outside the policy's allow list",
        "The policy's `[licenses] allow` lists the only acceptable licenses in a lineage.",
        "Choose another model, extend `allow`, or add an exception with the reason.";
    LicenseDenied = "license-denied", Deny, true,
        "A license on the policy's deny list",
        "The policy's `[licenses] deny` names licenses never acceptable in a lineage.",
        "Choose another model, or add an exception with the reason.";
    NonCommercialAncestry = "non-commercial-ancestry", Deny, true,
        "Non-commercial terms in the lineage while the policy requires commercial use",
        "`[licenses] commercial-use = true` and an ancestor's license forbids commercial use.",
        "Choose another model, or add an exception after legal review.";
    ClarifyStale = "clarify-stale", Warn, true,
        "A policy clarification pinned to another commit than the repo is at",
        "The repo changed since the clarification was checked; it is not applied.",
        "Check the repo again and update the clarification's `sha`.";
    ParentRelicensed = "parent-relicensed", Warn, true,
        "A parent was relicensed under existing derivatives",
        "`diff` saw a repo's declared license change between two snapshots while derivatives of it remain; the message names them and the license findings that appeared below it (conflicts or drift the new terms cause).",
        "Check the derivatives' licenses against the parent's new terms, or pin the parent's old revision and say so in their cards.";
    ParentRemoved = "parent-removed", Warn, true,
        "A parent was deleted, disabled or made unreadable under existing derivatives",
        "`diff` saw a repo present in the old snapshot gone (or no longer readable) in the new one while derivatives of it remain: their lineage and license now end at a repo no one can read.",
        "Point the derivatives' base_model at a copy that is still public, or keep a record of the parent's card and license.";
    ParentGated = "parent-gated", Info, true,
        "A parent became gated under existing derivatives",
        "`diff` saw a repo's gating turn on between two snapshots while derivatives of it remain: rebuilding them now needs the parent's access approval.",
        "Tell the derivatives' users; raise the level to warn in a policy to track it.";
    UndocumentedChange = "undocumented-change", Warn, true,
        "A derivative whose card does not say what changed",
        "Too few of the relation's items are in the card, in any language (quantized or converted: format, precision, source — one or none of three; finetune: data, procedure; adapter: method, purpose or data; merge: merge method, merged models — none of two). Template placeholders, vague prose and a card copied from the parent count for nothing. A repo the Hub calls finetune only by default is judged as a quantization when its card or name states a conversion, and the finding says so.",
        "Say in the card what this repo changed: check a draft with `hf-lineage card README.md --relation …`.";
    PartiallyDocumentedChange = "partially-documented-change", Info, true,
        "A derivative whose card says part of what changed",
        "Some of the relation's items are there (two of three for a quantization, one of two otherwise); the message lists what is missing and quotes what was found, item by item.",
        "Add what is missing, or raise the level with `[levels] partially-documented-change = \"warn\"` to require it.";
    CrawlForeignLink = "crawl-foreign-link", Warn, true,
        "A listing's next page points at another host",
        "The token goes only to the endpoint's host, so the link was not followed: the listing may be incomplete.",
        "Check HF_ENDPOINT; a mirror should link its own pages.";
    CrawlListingIncomplete = "crawl-listing-incomplete", Warn, true,
        "A listing could not be completed",
        "Retries ran out, or the body was not a listing: children or Spaces may be missing.",
        "Run again (the cache keeps what was read); -v shows the retries.";
    CrawlChildrenMissing = "crawl-children-missing", Warn, true,
        "The listings returned fewer children than the Hub counts",
        "The Hub's `childrenModelCount` counts more children of a relation than its tag listings return; the relation-prefixed filter was tried (info when it found the rest).",
        "Usually the children's tags name the parent by another spelling (an old id); see docs/live-checks.md.";
    ReadmeUnavailable = "readme-unavailable", Warn, true,
        "A README could not be read",
        "A non-200 answer or a transport error on the README (info when the repo has none): its card text is not analysed.",
        "Run again; add a README.md to a repo that has none.";
    UnusedPolicyEntry = "unused-policy-entry", Warn, false,
        "A policy exception or clarification that matched nothing",
        "An `[[exceptions]]` entry whose repo (and codes) never appeared in the audit, or a `[[clarify]]` entry for a repo not in the lineage: a typo, or an entry that has outlived its reason.",
        "Fix the repo id or code, or remove the entry.";
}

impl Code {
    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        self.info().name
    }

    /// The code with this name.
    pub fn from_name(s: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.as_str() == s)
    }

    /// The anchor of the code's entry in README's "Finding codes" table.
    pub fn help_anchor(self) -> String {
        format!("code-{}", self.as_str())
    }
}

/// README's "Finding codes" table: one row per code, each with an anchor
/// ([`Code::help_anchor`]) that SARIF's `helpUri` points at.
pub fn markdown_table() -> String {
    let mut out = String::from(
        "| code | default | policy | what it means | how to resolve or allow it |\n|---|---|---|---|---|\n",
    );
    for c in Code::ALL {
        let i = c.info();
        out.push_str(&format!(
            "| <a id=\"{}\"></a>`{}` | {} | {} | {} | {} |\n",
            c.help_anchor(),
            i.name,
            i.severity.as_str(),
            if i.adjustable { "yes" } else { "no" },
            i.summary.replace('|', "\\|"),
            i.resolve.replace('|', "\\|"),
        ));
    }
    out
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

// Ordered by name, as the strings were: sorted output stays as it was.
impl PartialOrd for Code {
    fn partial_cmp(&self, other: &Code) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Code {
    fn cmp(&self, other: &Code) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl PartialEq<str> for Code {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}
impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_kebab_case_and_round_trip() {
        let mut names: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        for n in &names {
            assert!(
                n.chars()
                    .all(|c| c.is_ascii_lowercase() || c == '-' || c.is_ascii_digit()),
                "{n}"
            );
        }
        for c in Code::ALL {
            assert_eq!(Code::from_name(c.as_str()), Some(*c));
            let i = c.info();
            assert!(!i.summary.is_empty() && !i.explanation.is_empty() && !i.resolve.is_empty());
        }
        names.sort();
        let n = names.len();
        names.dedup();
        assert_eq!(names.len(), n, "duplicate code names");
    }
}
