//! The rules one ancestor's license puts on a derivative (rules 1–6 of
//! ../shared/reference/licenses.md), and the obligations it concludes.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::paths::Ancestor;
use crate::finding::Code;
use crate::graph::RepoRef;
use crate::id::RepoId;
use crate::kb::{LicenseInfo, Resolved};

/// Whether `child` is its licensor's own release of `ancestor` under `l`: the same owner, and,
/// for a vendor's license, that owner one of the vendor's (a mirror of Meta's Llama 3 under
/// another org does not make that org the licensor of its derivatives).
pub(super) fn own_release(ancestor: &RepoId, child: &RepoId, l: &LicenseInfo) -> bool {
    same_owner(ancestor, child)
        && (l.licensors.is_empty()
            || child
                .owner()
                .is_some_and(|o| l.licensors.iter().any(|v| v.eq_ignore_ascii_case(o))))
}

pub(super) fn same_owner(a: &RepoId, b: &RepoId) -> bool {
    match (a.owner(), b.owner()) {
        (Some(x), Some(y)) => x.eq_ignore_ascii_case(y),
        _ => false,
    }
}

pub(super) fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

pub(super) struct Violation {
    pub(super) code: crate::finding::Code,
    pub(super) ancestor: RepoId,
    pub(super) license: String,
    pub(super) distance: usize,
    pub(super) rule: String,
}
pub(super) fn collect_obligations(
    l: &LicenseInfo,
    sources: &[&Ancestor<'_>],
    out: &mut BTreeMap<String, BTreeSet<String>>,
) {
    // The nearest three ancestors under this license are named; the rest are counted.
    let mut from: Vec<String> = sources
        .iter()
        .take(3)
        .map(|a| format!("{} ({})", a.node.id().node_id(), l.id))
        .collect();
    if sources.len() > 3 {
        from.push(format!("{} more under {}", sources.len() - 3, l.id));
    }
    let mut add = |text: String| {
        out.entry(text).or_default().extend(from.iter().cloned());
    };
    if !l.commercial {
        add("non-commercial use only".into());
    }
    if l.share_alike {
        add(format!("share-alike: distribute under {} terms", l.family));
    }
    if l.no_derivatives {
        add("no derivatives allowed".into());
    }
    if l.keep_license {
        add(format!("distribute under the {}", l.name));
    }
    if l.use_restrictions {
        add("use restrictions must flow down as enforceable provisions".into());
    }
    if let Some(prefix) = &l.naming {
        add(format!("name must begin with \"{prefix}\""));
    }
    if !l.attribution.is_empty() && l.attribution != "none" {
        add(format!("attribution: {}", l.attribution));
    }
}

pub(super) fn judge(
    n: &RepoRef<'_>,
    merge: bool,
    mine: &Resolved,
    l: &LicenseInfo,
    a: &Ancestor<'_>,
    out: &mut Vec<Violation>,
) {
    let mut push = |code: crate::finding::Code, rule: String| {
        out.push(Violation {
            code,
            ancestor: a.node.id().clone(),
            license: l.id.clone(),
            distance: a.distance,
            rule,
        })
    };
    if l.no_derivatives {
        push(
            Code::LicenseConflict,
            format!(
                "{} allows no derivatives at all (rule 3: no-derivatives)",
                l.id
            ),
        );
    }
    if let Some(prefix) = &l.naming {
        let name = n.id().short_name();
        if !squash(name).starts_with(&squash(prefix)) {
            push(Code::NamingRequirement, format!("{} requires a derived model's name to begin with \"{prefix}\" (rule 6: naming)", l.id));
        }
    }
    let files = &n.record().siblings;
    if l.include_text
        && !files.is_empty()
        && !crate::files::license::has_license_text(files.iter().map(String::as_str))
    {
        push(Code::LicenseTextMissing, format!("{} asks derivatives to carry a copy of its text, and the repo's files include no LICENSE, NOTICE or agreement file", l.id));
    }
    let declared = match mine {
        Resolved::Known(d) => d,
        // Judged once per node, above.
        Resolved::Missing => return,
        Resolved::Unresolved(_) => {
            // Rule 5 needs no terms: a community license's derivative that names some other
            // license, unknown or not, has been relicensed.
            if l.community || l.keep_license {
                if let Some(name) = unrelated_name(n, l) {
                    push(Code::LicenseDrift, format!("{} requires derivatives to keep its own terms, and this derivative names another license, {name:?}, although the tool cannot read that license's terms (rule 5: relicensed community license)", l.id));
                }
            }
            return;
        }
    };
    let all = |f: &dyn Fn(&LicenseInfo) -> bool| declared.iter().all(|d| f(d));
    // Dropping an ancestor's term on one line of descent is drift; in a merge, where the
    // parents' terms must all be met at once, it is a conflict (rule 7).
    let kind = if merge {
        Code::LicenseConflict
    } else {
        Code::LicenseDrift
    };
    if !l.commercial && all(&|d| d.commercial) {
        push(kind, format!("{} is non-commercial, but {} permits commercial use (rule 1: non-commercial taint)", l.id, names(declared)));
    }
    if l.share_alike && all(&|d| d.family != l.family) {
        push(
            kind,
            format!(
                "{} is share-alike: derivatives must carry it, not {} (rule 2: share-alike)",
                l.id,
                names(declared)
            ),
        );
    }
    if l.keep_license && all(&|d| d.family != l.family) {
        push(Code::LicenseDrift, format!("{} requires derivatives to be distributed under its own terms, not {} (rule 5: relicensed community license)", l.id, names(declared)));
    }
    if l.use_restrictions && all(&|d| !d.use_restrictions) {
        push(Code::LicenseDrift, format!("{}'s use-based restrictions must flow down as enforceable provisions; {} drops them (rule 4: dropped restrictions)", l.id, names(declared)));
    }
}

/// The license a node names when it is none the knowledge base resolves and bears no mark of
/// `l`'s family (`other` + `license_name: ai2-impact-license-low-risk` under a llama2
/// ancestor); `None` for a bare `other`/`unknown` (nothing named: unresolved, not drift) or a
/// name that looks like the ancestor's own (`llama-2-license`: a spelling, not a relicensing).
pub(super) fn unrelated_name(n: &RepoRef<'_>, l: &LicenseInfo) -> Option<String> {
    let meta = &n.record().card.meta;
    let named = meta.license_name().map(str::to_string).or_else(|| {
        meta.licenses
            .iter()
            .find(|id| !matches!(id.as_str(), "other" | "unknown"))
            .cloned()
    })?;
    let squashed = squash(&named);
    let family_mark = |s: &str| {
        let letters: String = squash(s)
            .chars()
            .take_while(|c| c.is_ascii_alphabetic())
            .collect();
        letters.len() >= 3 && squashed.contains(&letters)
    };
    let related = family_mark(&l.id) || family_mark(&l.family) || family_mark(&l.name);
    (!related && !squashed.is_empty() && squashed != "license").then_some(named)
}

pub(super) fn names(v: &[Arc<LicenseInfo>]) -> String {
    v.iter()
        .map(|l| l.id.as_str())
        .collect::<Vec<_>>()
        .join(" / ")
}
