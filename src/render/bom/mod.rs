//! AI bills of materials: what a lineage says about each repo, in the two standard formats
//! ([`cyclonedx`]: CycloneDX 1.7 JSON; [`spdx`]: SPDX 3.0.1 JSON-LD with the AI and Dataset
//! profiles). No Rust crate writes either version, so each module holds small serde structs for
//! exactly the subset emitted.
//!
//! Both read the same facts, gathered here once per repo: identity (purl, pages), the licenses
//! the card declares, the licenses its lineage concludes (its own and those of derivation
//! ancestors whose terms bind derivatives), its parents with the relation and what decided it,
//! its training data, and the findings about it.

pub mod cyclonedx;
pub mod spdx;

use std::collections::BTreeSet;

use crate::finding::{Finding, Severity};
use crate::graph::RepoRef;
use crate::id::{RepoId, RepoKind};
use crate::kb::{KnowledgeBase, LicenseInfo, Resolved};
use crate::record::Timestamp;
use crate::relation::{Relation, RelationSource};
use crate::report::Analysis;

/// Hub license ids that are SPDX license ids, with the SPDX spelling (the Hub lowercases them;
/// the GNU ones map to their `-only` forms). Every other Hub license is named, and written as
/// `LicenseRef-<hub id>` in expressions.
const SPDX_IDS: &[(&str, &str)] = &[
    ("afl-3.0", "AFL-3.0"),
    ("agpl-3.0", "AGPL-3.0-only"),
    ("apache-2.0", "Apache-2.0"),
    ("artistic-2.0", "Artistic-2.0"),
    ("bsd-2-clause", "BSD-2-Clause"),
    ("bsd-3-clause", "BSD-3-Clause"),
    ("bsd-3-clause-clear", "BSD-3-Clause-Clear"),
    ("bsl-1.0", "BSL-1.0"),
    ("c-uda", "C-UDA-1.0"),
    ("cc-by-2.0", "CC-BY-2.0"),
    ("cc-by-2.5", "CC-BY-2.5"),
    ("cc-by-3.0", "CC-BY-3.0"),
    ("cc-by-4.0", "CC-BY-4.0"),
    ("cc-by-nc-2.0", "CC-BY-NC-2.0"),
    ("cc-by-nc-3.0", "CC-BY-NC-3.0"),
    ("cc-by-nc-4.0", "CC-BY-NC-4.0"),
    ("cc-by-nc-nd-3.0", "CC-BY-NC-ND-3.0"),
    ("cc-by-nc-nd-4.0", "CC-BY-NC-ND-4.0"),
    ("cc-by-nc-sa-2.0", "CC-BY-NC-SA-2.0"),
    ("cc-by-nc-sa-3.0", "CC-BY-NC-SA-3.0"),
    ("cc-by-nc-sa-4.0", "CC-BY-NC-SA-4.0"),
    ("cc-by-nd-4.0", "CC-BY-ND-4.0"),
    ("cc-by-sa-3.0", "CC-BY-SA-3.0"),
    ("cc-by-sa-4.0", "CC-BY-SA-4.0"),
    ("cc0-1.0", "CC0-1.0"),
    ("cdla-permissive-1.0", "CDLA-Permissive-1.0"),
    ("cdla-permissive-2.0", "CDLA-Permissive-2.0"),
    ("cdla-sharing-1.0", "CDLA-Sharing-1.0"),
    ("ecl-2.0", "ECL-2.0"),
    ("epl-1.0", "EPL-1.0"),
    ("epl-2.0", "EPL-2.0"),
    ("eupl-1.1", "EUPL-1.1"),
    ("eupl-1.2", "EUPL-1.2"),
    ("gpl-2.0", "GPL-2.0-only"),
    ("gpl-3.0", "GPL-3.0-only"),
    ("isc", "ISC"),
    ("lgpl-2.1", "LGPL-2.1-only"),
    ("lgpl-3.0", "LGPL-3.0-only"),
    ("lppl-1.3c", "LPPL-1.3c"),
    ("mit", "MIT"),
    ("mpl-2.0", "MPL-2.0"),
    ("ms-pl", "MS-PL"),
    ("ncsa", "NCSA"),
    ("odbl", "ODbL-1.0"),
    ("odc-by", "ODC-By-1.0"),
    ("ofl-1.1", "OFL-1.1"),
    ("osl-3.0", "OSL-3.0"),
    ("pddl", "PDDL-1.0"),
    ("postgresql", "PostgreSQL"),
    ("unlicense", "Unlicense"),
    ("wtfpl", "WTFPL"),
    ("zlib", "Zlib"),
];

/// One license as a BOM writes it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct BomLicense {
    /// The Hub's id (`llama2`, `apache-2.0`, or a `license_name`).
    pub hub_id: String,
    /// The SPDX id, when the license is on the SPDX list.
    pub spdx: Option<&'static str>,
    /// A human name (the knowledge base's, else the Hub id).
    pub name: String,
    /// Where its text is, when known.
    pub url: Option<String>,
}

impl BomLicense {
    fn of(hub_id: &str, kb: &KnowledgeBase, link: Option<&str>) -> BomLicense {
        let info = kb.get(hub_id);
        let key = info.map_or(hub_id, |i| i.id.as_str()).to_ascii_lowercase();
        BomLicense {
            spdx: SPDX_IDS.iter().find(|(h, _)| *h == key).map(|(_, s)| *s),
            name: info.map_or_else(|| hub_id.to_string(), |i| i.name.clone()),
            url: info
                .map(|i| i.link.clone())
                .filter(|l| l.starts_with("http"))
                .or_else(|| link.filter(|l| l.starts_with("http")).map(str::to_string)),
            hub_id: key,
        }
    }

    /// The license as an SPDX expression term: its id, or `LicenseRef-<hub id>`.
    pub fn term(&self) -> String {
        match self.spdx {
            Some(s) => s.to_string(),
            None => format!("LicenseRef-{}", license_ref(&self.hub_id)),
        }
    }
}

/// A `LicenseRef-` suffix: letters, digits, `.` and `-` only.
fn license_ref(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// `A AND B` over distinct terms, sorted; `None` when empty.
pub fn expression(ls: &[BomLicense]) -> Option<String> {
    let terms: BTreeSet<String> = ls.iter().map(BomLicense::term).collect();
    (!terms.is_empty()).then(|| terms.into_iter().collect::<Vec<_>>().join(" AND "))
}

/// A parent as a BOM records it.
#[derive(Debug, Clone)]
pub struct BomParent {
    /// The parent's id.
    pub id: RepoId,
    /// The relation (finetune, adapter, merge, quantized, trained_on …).
    pub relation: Relation,
    /// What decided it (`hub`, `declared`, `inferred`, `card-text` for a suggestion).
    pub source: RelationSource,
}

/// What the BOM says about one repo.
#[derive(Debug, Clone)]
pub struct BomRepo {
    /// The id.
    pub id: RepoId,
    /// The commit, when known.
    pub sha: Option<String>,
    /// When it last changed, when known.
    pub released: Option<String>,
    /// `pipeline_tag`.
    pub task: Option<String>,
    /// Whether it could be read.
    pub readable: bool,
    /// Licenses the card declares.
    pub declared: Vec<BomLicense>,
    /// Licenses its lineage concludes: its own and those of the derivation ancestors whose
    /// terms bind derivatives.
    pub concluded: Vec<BomLicense>,
    /// Direct parents (models, datasets, Spaces' models), sorted.
    pub parents: Vec<BomParent>,
    /// Findings whose subject is this repo.
    pub findings: Vec<Finding>,
}

impl BomRepo {
    /// The repo's page on the Hub.
    pub fn page(&self, endpoint: &str) -> String {
        format!(
            "{}/{}{}",
            endpoint.trim_end_matches('/'),
            self.id.kind().url_prefix(),
            self.id.name()
        )
    }

    /// `pkg:huggingface/<owner>/<name>@<sha>` (models only; the version only with a full
    /// 40-hex commit).
    pub fn purl(&self) -> Option<String> {
        if self.id.kind() != RepoKind::Model {
            return None;
        }
        let name = self.id.name();
        let mut p = format!("pkg:huggingface/{name}");
        if let Some(sha) = self
            .sha
            .as_deref()
            .filter(|s| s.len() == 40 && s.chars().all(|c| c.is_ascii_hexdigit()))
        {
            p.push('@');
            p.push_str(&sha.to_ascii_lowercase());
        }
        Some(p)
    }

    /// The owner (the supplier), when the id has one.
    pub fn owner(&self) -> Option<&str> {
        self.id.name().split_once('/').map(|(o, _)| o)
    }
}

fn binds_derivatives(l: &LicenseInfo) -> bool {
    l.keep_license
        || l.share_alike
        || l.use_restrictions
        || l.community
        || l.no_derivatives
        || !l.commercial
}

fn licenses_of(n: &RepoRef<'_>, kb: &KnowledgeBase) -> Vec<BomLicense> {
    let meta = &n.record().card.meta;
    match kb.resolve(meta) {
        Resolved::Known(ls) => ls
            .iter()
            .map(|l| BomLicense::of(&l.id, kb, meta.license_link()))
            .collect(),
        Resolved::Missing => vec![],
        Resolved::Unresolved(_) => meta
            .licenses
            .iter()
            .map(|l| {
                let id = if l == "other" {
                    meta.license_name().unwrap_or("other").to_string()
                } else {
                    l.clone()
                };
                BomLicense::of(&id, kb, meta.license_link())
            })
            .collect(),
    }
}

/// Gathers every repo of the graph, sorted by id.
pub fn bom_repos(analysis: &Analysis, kb: &KnowledgeBase) -> Vec<BomRepo> {
    let g = analysis.graph();
    let mut out = Vec::new();
    for n in g.nodes() {
        let rec = n.record();
        let declared = licenses_of(&n, kb);
        let mut concluded: BTreeSet<BomLicense> = declared.iter().cloned().collect();
        for a in g.derivation_ancestors(n.id()) {
            if let Resolved::Known(ls) = kb.resolve(&a.record().card.meta) {
                for l in ls.iter().filter(|l| binds_derivatives(l)) {
                    concluded.insert(BomLicense::of(&l.id, kb, None));
                }
            }
        }
        let mut parents: Vec<BomParent> = n
            .parents()
            .into_iter()
            .map(|(p, e)| BomParent {
                id: p.id().clone(),
                relation: e.relation,
                source: e.source,
            })
            .collect();
        parents.sort_by(|a, b| a.id.cmp(&b.id));
        let mut findings: Vec<Finding> = analysis
            .findings()
            .iter()
            .filter(|f| f.subject() == Some(n.id()))
            .cloned()
            .collect();
        findings.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.code.cmp(&b.code)));
        out.push(BomRepo {
            id: n.id().clone(),
            sha: rec.sha().map(str::to_string),
            released: rec.last_modified.map(Timestamp::to_rfc3339),
            task: rec.card.meta.pipeline_tag.clone(),
            readable: n.status() == crate::record::NodeStatus::Ok,
            declared,
            concluded: concluded.into_iter().collect(),
            parents,
            findings,
        });
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// `info`, `warn`, `deny`.
pub(crate) fn severity_word(s: Severity) -> &'static str {
    s.as_str()
}

/// The time a BOM is stamped with: `SOURCE_DATE_EPOCH` (seconds) when set, for reproducible
/// output, else now; RFC 3339, UTC, whole seconds.
pub fn timestamp() -> String {
    let at = match std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
    {
        Some(secs) => std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs),
        None => std::time::SystemTime::now(),
    };
    stamp(at)
}

/// RFC 3339, UTC, whole seconds.
fn stamp(at: std::time::SystemTime) -> String {
    humantime::format_rfc3339_seconds(at).to_string()
}

/// A name-based UUID (version 5 layout) from some text: the same BOM content and time give the
/// same serial number.
pub fn name_uuid(text: &str) -> String {
    use sha2::{Digest, Sha256};
    let h = Sha256::digest(text.as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&h[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_uuids() {
        let day = |d: u64| {
            stamp(std::time::UNIX_EPOCH + std::time::Duration::from_secs(d * 86_400 + 3_723))
        };
        assert_eq!(day(0), "1970-01-01T01:02:03Z");
        assert_eq!(day(20_000), "2024-10-04T01:02:03Z");
        let u = name_uuid("x");
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "5");
        assert_eq!(u, name_uuid("x"));
    }

    #[test]
    fn hub_licenses_map_to_spdx_or_license_refs() {
        let kb = KnowledgeBase::builtin();
        assert_eq!(BomLicense::of("apache-2.0", &kb, None).term(), "Apache-2.0");
        assert_eq!(
            BomLicense::of("llama2", &kb, None).term(),
            "LicenseRef-llama2"
        );
        let ls = [
            BomLicense::of("mit", &kb, None),
            BomLicense::of("cc-by-nc-4.0", &kb, None),
            BomLicense::of("mit", &kb, None),
        ];
        assert_eq!(expression(&ls).as_deref(), Some("CC-BY-NC-4.0 AND MIT"));
    }
}
