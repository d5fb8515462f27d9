//! The license knowledge base: what each license asks of derivatives, as data.
//!
//! The built-in table (`licenses.toml`, compiled in) covers every Hub license id and the common
//! `license: other` names; a policy file may add or replace entries. A declared license resolves
//! to an entry by its id, or (with `license: other`) by `license_name`, or by an alias. What does
//! not resolve is *unresolved*: SPDX's NOASSERTION, never a guess.

use std::collections::HashMap;
use std::sync::Arc;

use serde::Deserialize;

use crate::card::CardMeta;

/// What one license asks of derivatives.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct LicenseInfo {
    /// The Hub id (or common `license_name`).
    pub id: String,
    /// Human name.
    #[serde(default)]
    pub name: String,
    /// Licenses of one family satisfy each other's share-alike / keep-this-license terms.
    pub family: String,
    /// Commercial use permitted.
    #[serde(default = "yes")]
    pub commercial: bool,
    /// Derivatives must carry the same license (copyleft).
    #[serde(default)]
    pub share_alike: bool,
    /// No derivatives at all.
    #[serde(default)]
    pub no_derivatives: bool,
    /// Use-based restrictions that must flow down as enforceable provisions.
    #[serde(default)]
    pub use_restrictions: bool,
    /// Derivatives must be distributed under this license.
    #[serde(default)]
    pub keep_license: bool,
    /// A vendor's community license (relicensing derivatives is drift).
    #[serde(default)]
    pub community: bool,
    /// A derived model's name must begin with this.
    #[serde(default)]
    pub naming: Option<String>,
    /// Attribution / notice requirements.
    #[serde(default)]
    pub attribution: String,
    /// Where the text is.
    #[serde(default)]
    pub link: String,
    /// Other spellings.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Title lines and distinctive phrases that identify the license in a `LICENSE` file.
    #[serde(default)]
    pub titles: Vec<String>,
    /// Derivatives must carry a copy of the license text (or agreement) with them.
    #[serde(default)]
    pub include_text: bool,
    /// The Hub organisations of a vendor license's licensor (`meta-llama`): only their own
    /// releases are not licensees' derivatives.
    #[serde(default)]
    pub licensors: Vec<String>,
    /// For a vendor license's research / non-commercial variant the tool derives
    /// (`llama3-research`), the license it is a variant of.
    #[serde(skip)]
    pub variant_of: Option<String>,
}

fn yes() -> bool {
    true
}

impl LicenseInfo {
    /// Whether the license carries obligations beyond keeping notices.
    pub fn has_obligations(&self) -> bool {
        !self.commercial
            || self.share_alike
            || self.no_derivatives
            || self.use_restrictions
            || self.keep_license
            || self.naming.is_some()
    }

    /// Plain permissive (no flow-down terms at all).
    pub fn is_permissive(&self) -> bool {
        self.family == "permissive"
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    license: Vec<LicenseInfo>,
}

/// The knowledge base.
#[derive(Debug, Clone)]
pub struct KnowledgeBase {
    by_key: HashMap<String, Arc<LicenseInfo>, foldhash::fast::RandomState>,
}

/// How a node's declared license resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Resolved {
    /// No license declared.
    Missing,
    /// Resolved to known licenses (several when the card lists several).
    Known(Vec<Arc<LicenseInfo>>),
    /// Declared but not resolvable; says why.
    Unresolved(String),
}

const BUILTIN: &str = include_str!("licenses.toml");

impl KnowledgeBase {
    /// The built-in table.
    pub fn builtin() -> KnowledgeBase {
        let table: Table = match toml::from_str(BUILTIN) {
            Ok(t) => t,
            Err(e) => unreachable!("the built-in license table is valid TOML: {e}"),
        };
        let mut kb = KnowledgeBase {
            by_key: HashMap::default(),
        };
        for l in table.license {
            kb.insert(l);
        }
        kb.add_research_variants();
        kb
    }

    /// The built-in table, read once per process (for what needs it on every record: telling
    /// which license a LICENSE file holds).
    pub fn shared() -> &'static KnowledgeBase {
        static KB: std::sync::OnceLock<KnowledgeBase> = std::sync::OnceLock::new();
        KB.get_or_init(KnowledgeBase::builtin)
    }

    /// Resolves what a card declares, taking the license a LICENSE file beside it holds
    /// (`file`, a knowledge-base id) when the card says only `license: other` with no
    /// `license_name`: the file is then how the license is known.
    pub fn resolve_with_file(&self, meta: &CardMeta, file: Option<&str>) -> Resolved {
        let declared = self.resolve(meta);
        let only_other = meta.licenses.len() == 1
            && meta.licenses[0] == "other"
            && meta.license_name().is_none();
        match (declared, file.and_then(|f| self.lookup(f))) {
            (Resolved::Unresolved(_), Some(l)) if only_other => Resolved::Known(vec![l.clone()]),
            (r, _) => r,
        }
    }

    /// A vendor's license with a research or non-commercial variant (`tongyi-qianwen-research`,
    /// `llama3-non-commercial`): the variant is that family's non-commercial member, with its
    /// terms otherwise kept. Names already in the table keep their own entry.
    fn add_research_variants(&mut self) {
        let vendors: Vec<Arc<LicenseInfo>> = self
            .by_key
            .values()
            .filter(|l| l.commercial && (l.community || l.keep_license))
            .cloned()
            .collect();
        for l in vendors {
            for suffix in ["research", "non-commercial", "noncommercial", "nc"] {
                let key = format!("{}-{suffix}", l.id);
                if self.by_key.contains_key(&key) {
                    continue;
                }
                let variant = LicenseInfo {
                    id: key.clone(),
                    name: format!("{} ({suffix} variant)", l.name),
                    commercial: false,
                    aliases: Vec::new(),
                    titles: Vec::new(),
                    variant_of: Some(l.id.clone()),
                    ..(*l).clone()
                };
                self.by_key.insert(key, Arc::new(variant));
            }
        }
    }

    /// Adds or replaces an entry (from a policy file).
    pub fn insert(&mut self, l: LicenseInfo) {
        let l = Arc::new(l);
        for key in std::iter::once(&l.id).chain(l.aliases.iter()) {
            self.by_key.insert(normalize(key), Arc::clone(&l));
        }
    }

    /// Looks up an id or alias.
    pub fn get(&self, id: &str) -> Option<&LicenseInfo> {
        self.lookup(id).map(|l| &**l)
    }

    /// Looks up an id or alias; an id already in normal form (what cards hold once parsed) is
    /// looked up as it is, without building its normal form.
    fn lookup(&self, id: &str) -> Option<&Arc<LicenseInfo>> {
        let exact = if is_normal(id) {
            self.by_key.get(id)
        } else {
            self.by_key.get(&normalize(id))
        };
        exact.or_else(|| {
            spellings(&normalize(id))
                .iter()
                .find_map(|k| self.by_key.get(k))
        })
    }

    /// How a license name resolves, for `explain --license`: the entry, and by which rule
    /// (`id`, `alias`, `spelling` — a general rule such as a dropped `-license` suffix — or a
    /// vendor license's `research variant`).
    pub fn explain_name(&self, name: &str) -> Option<(&LicenseInfo, &'static str)> {
        let key = normalize(name);
        if let Some(l) = self.by_key.get(&key) {
            let how = match l.variant_of {
                Some(_) => "research variant",
                None if l.id == key => "id",
                None => "alias",
            };
            return Some((l, how));
        }
        spellings(&key)
            .iter()
            .find_map(|k| self.by_key.get(k))
            .map(|l| (&**l, "spelling"))
    }

    /// Every distinct entry, sorted by id.
    pub fn entries(&self) -> Vec<&LicenseInfo> {
        let mut v: Vec<&LicenseInfo> = self.by_key.values().map(|l| &**l).collect();
        v.sort_by(|a, b| a.id.cmp(&b.id));
        v.dedup_by(|a, b| a.id == b.id);
        v
    }

    /// Resolves what a card declares.
    pub fn resolve(&self, meta: &CardMeta) -> Resolved {
        if meta.licenses.is_empty() {
            return Resolved::Missing;
        }
        let mut known = Vec::with_capacity(meta.licenses.len());
        match self.resolve_each(meta, |l| known.push(Arc::clone(l))) {
            Ok(()) => Resolved::Known(known),
            Err(why) => Resolved::Unresolved(why),
        }
    }

    /// The knowledge base's family of what a card declares (of the first license when it
    /// lists several): `none` when it declares none, `unresolved` when it does not resolve.
    /// Shares nothing and copies nothing: cheap enough for every row of a whole-Hub table.
    pub fn family_of(&self, meta: &CardMeta) -> &str {
        let mut first: Option<&LicenseInfo> = None;
        match self.resolve_each(meta, |l| {
            first.get_or_insert(l);
        }) {
            Ok(()) => first.map_or("none", |l| l.family.as_str()),
            Err(_) => "unresolved",
        }
    }

    /// Resolves each declared license in turn; the reason when one does not resolve (then
    /// the declaration as a whole does not).
    fn resolve_each<'k>(
        &'k self,
        meta: &CardMeta,
        mut each: impl FnMut(&'k Arc<LicenseInfo>),
    ) -> Result<(), String> {
        for id in &meta.licenses {
            if id == "other" {
                match (meta.license_name(), meta.license_link()) {
                    (Some(name), _) => match self.lookup(name) {
                        Some(l) => each(l),
                        None => {
                            return Err(format!(
                                "`license: other` with license_name {name:?}, which the knowledge base does not know"
                            ))
                        }
                    },
                    (None, Some(link)) => {
                        return Err(format!("`license: other` with only a license_link ({link}); the terms cannot be read automatically"))
                    }
                    (None, None) => return Err("`license: other` without license_name or license_link".into()),
                }
            } else if id == "unknown" {
                return Err("`license: unknown`".into());
            } else {
                match self.lookup(id) {
                    Some(l) => each(l),
                    None => {
                        return Err(format!(
                            "license id {id:?} is not one the knowledge base knows"
                        ))
                    }
                }
            }
        }
        Ok(())
    }
}

/// Whether `normalize` would leave `s` as it is.
fn is_normal(s: &str) -> bool {
    s.trim() == s
        && !s
            .bytes()
            .any(|b| b.is_ascii_uppercase() || b == b'_' || b == b' ')
}

fn normalize(s: &str) -> String {
    s.trim().to_ascii_lowercase().replace(['_', ' '], "-")
}

/// Other spellings of a normalised license name the table may hold it under, by general rules
/// (tried when the name itself is not in the table): punctuation runs as one `-`; without a
/// `-license`, `-licence`, `-agreement`, `-license-agreement`, `-terms` or `-terms-of-use`
/// suffix; with a version joined to its name (`llama-3.1` → `llama3.1`); without a vendor
/// prefix the table does not use (`meta-`, `google-`).
pub(crate) fn spellings(name: &str) -> Vec<String> {
    let mut cleaned = String::with_capacity(name.len());
    for c in name.chars() {
        let c = if c.is_ascii_alphanumeric() || c == '.' || c == '+' {
            c
        } else {
            '-'
        };
        if !(c == '-' && (cleaned.is_empty() || cleaned.ends_with('-'))) {
            cleaned.push(c);
        }
    }
    let cleaned = cleaned.trim_end_matches(['-', '.']).to_string();
    let mut out = vec![cleaned.clone()];
    let mut stem = cleaned.as_str();
    loop {
        let before = stem;
        for suffix in [
            "-terms-of-use",
            "-terms",
            "-agreement",
            "-license",
            "-licence",
        ] {
            stem = stem.strip_suffix(suffix).unwrap_or(stem);
        }
        if stem == before {
            break;
        }
        out.push(stem.to_string());
    }
    let stems: Vec<String> = out.clone();
    for s in &stems {
        for prefix in ["meta-", "google-", "the-"] {
            if let Some(rest) = s.strip_prefix(prefix) {
                out.push(rest.to_string());
            }
        }
    }
    // A version joined to its name: `llama-3.1` → `llama3.1`, `lfm-1.0` → `lfm1.0`.
    let joined: Vec<String> = out
        .iter()
        .map(|s| {
            let b = s.as_bytes();
            let mut j = String::with_capacity(s.len());
            for (i, c) in s.char_indices() {
                let skip = c == '-'
                    && i > 0
                    && b[i - 1].is_ascii_alphabetic()
                    && b.get(i + 1).is_some_and(u8::is_ascii_digit);
                if !skip {
                    j.push(c);
                }
            }
            j
        })
        .collect();
    out.extend(joined);
    out.retain(|s| !s.is_empty() && s != name);
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_tail_names_resolve_by_general_rules() {
        let kb = KnowledgeBase::builtin();
        let id = |name: &str| kb.get(name).map(|l| l.id.clone());
        for (name, want) in [
            ("tongyi-qianwen-license-agreement", "tongyi-qianwen"),
            ("Tongyi Qianwen License Agreement", "tongyi-qianwen"),
            ("tongyi-qianwen-research", "qwen-research"),
            ("llama-3", "llama3"),
            ("llama-3.1", "llama3.1"),
            ("meta-llama-3-license", "llama3"),
            ("google-gemma-terms-of-use", "gemma"),
            ("gemma_terms_of_use", "gemma"),
            ("deepseek-license", "deepseek"),
            ("flux-dev-license", "flux-1-dev-non-commercial-license"),
            ("yi-license", "yi-license"),
            ("ai2-impact-license-low-risk", "ai2-impact-license-low-risk"),
            ("lfm-1.0", "lfm1.0"),
        ] {
            assert_eq!(id(name).as_deref(), Some(want), "{name}");
        }
        // A research variant of a vendor license is its family's non-commercial member.
        let v = kb.get("llama3-research").unwrap();
        assert!(!v.commercial && v.family == "llama3");
        assert_eq!(v.variant_of.as_deref(), Some("llama3"));
        assert_eq!(
            kb.explain_name("llama3-research").map(|(_, how)| how),
            Some("research variant")
        );
        assert_eq!(
            kb.explain_name("Gemma Terms of Use").map(|(_, how)| how),
            Some("alias")
        );
        assert_eq!(
            kb.explain_name("llama-3").map(|(_, how)| how),
            Some("spelling")
        );
        // Nothing is guessed from a name with no rule behind it.
        for name in ["license", "other", "my-custom-terms", "apache"] {
            assert_eq!(id(name), None, "{name}");
        }
    }

    const HUB_IDS: &str = "apache-2.0 mit openrail bigscience-openrail-m creativeml-openrail-m bigscience-bloom-rail-1.0 \
        bigcode-openrail-m afl-3.0 artistic-2.0 bsl-1.0 bsd bsd-2-clause bsd-3-clause bsd-3-clause-clear c-uda cc0-1.0 \
        cc-by-2.0 cc-by-2.5 cc-by-3.0 cc-by-4.0 cc-by-sa-3.0 cc-by-sa-4.0 cc-by-nc-2.0 cc-by-nc-3.0 cc-by-nc-4.0 cc-by-nd-4.0 \
        cc-by-nc-nd-3.0 cc-by-nc-nd-4.0 cc-by-nc-sa-2.0 cc-by-nc-sa-3.0 cc-by-nc-sa-4.0 cdla-sharing-1.0 cdla-permissive-1.0 \
        cdla-permissive-2.0 wtfpl ecl-2.0 epl-1.0 epl-2.0 etalab-2.0 eupl-1.1 eupl-1.2 agpl-3.0 gfdl gpl gpl-2.0 gpl-3.0 lgpl \
        lgpl-2.1 lgpl-3.0 isc h-research intel-research lppl-1.3c ms-pl apple-ascl apple-amlr mpl-2.0 odc-by odbl openmdw-1.0 \
        openmdw-1.1 openrail++ osl-3.0 postgresql ofl-1.1 ncsa unlicense zlib pddl lgpl-lr deepfloyd-if-license \
        fair-noncommercial-research-license llama2 llama3 llama3.1 llama3.2 llama3.3 llama4 grok2-community gemma";

    #[test]
    fn every_hub_license_id_is_known() {
        let kb = KnowledgeBase::builtin();
        for id in HUB_IDS.split_whitespace() {
            assert!(kb.get(id).is_some(), "{id} missing");
        }
        for name in [
            "gemma-terms-of-use",
            "health-ai-developer-foundations",
            "lfm1.0",
            "tongyi-qianwen",
            "qwen-research",
            "deepseek",
            "mrl",
            "mnpl",
            "flux-1-dev-non-commercial-license",
            "stabilityai-ai-community",
        ] {
            assert!(kb.get(name).is_some(), "{name} missing");
        }
    }

    #[test]
    fn families_match_the_reference_table() {
        let kb = KnowledgeBase::builtin();
        let g = |id: &str| kb.get(id).unwrap().clone();
        assert!(!g("cc-by-nc-4.0").commercial && !g("cc-by-nc-4.0").share_alike);
        assert!(g("cc-by-nc-sa-4.0").share_alike && !g("cc-by-nc-sa-4.0").commercial);
        assert!(g("cc-by-nd-4.0").no_derivatives && g("cc-by-nc-nd-4.0").no_derivatives);
        assert!(
            g("llama2").keep_license
                && g("llama2").use_restrictions
                && g("llama2").naming.is_none()
        );
        assert_eq!(g("llama3").naming.as_deref(), Some("Llama 3"));
        assert_eq!(g("llama4").naming.as_deref(), Some("Llama"));
        assert!(g("gemma").use_restrictions && !g("gemma").keep_license);
        assert!(g("creativeml-openrail-m").use_restrictions && g("deepseek").use_restrictions);
        assert!(g("apache-2.0").is_permissive() && !g("apache-2.0").has_obligations());
    }

    #[test]
    fn resolution_of_other_and_unknown() {
        let kb = KnowledgeBase::builtin();
        let meta = |l: &[&str], name: Option<&str>, link: Option<&str>| {
            let mut extra = crate::out_of_line::OutOfLine::default();
            extra.set(crate::card::CardExtra {
                license_name: name.map(String::from),
                license_link: link.map(String::from),
                ..Default::default()
            });
            CardMeta {
                licenses: l.iter().map(|s| s.to_string()).collect(),
                extra,
                ..Default::default()
            }
        };
        assert_eq!(kb.resolve(&meta(&[], None, None)), Resolved::Missing);
        assert!(
            matches!(kb.resolve(&meta(&["other"], Some("gemma-terms-of-use"), None)), Resolved::Known(v) if v[0].id == "gemma")
        );
        assert!(matches!(
            kb.resolve(&meta(&["other"], None, None)),
            Resolved::Unresolved(_)
        ));
        assert!(
            matches!(kb.resolve(&meta(&["other"], Some("my-license-1.0"), None)), Resolved::Unresolved(m) if m.contains("my-license-1.0"))
        );
        assert!(matches!(
            kb.resolve(&meta(&["unknown"], None, None)),
            Resolved::Unresolved(_)
        ));
        assert!(matches!(
            kb.resolve(&meta(&["made-up"], None, None)),
            Resolved::Unresolved(_)
        ));
        assert!(matches!(
            kb.resolve(&meta(&["Apache-2.0"], None, None)),
            Resolved::Known(_)
        ));
    }
}
