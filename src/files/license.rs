//! Which license a `LICENSE` (or `NOTICE`) file holds, known by the license's own title lines
//! and distinctive phrases, kept as data (`titles` in the knowledge base), never by its text.

use serde::Serialize;

use crate::kb::KnowledgeBase;

/// The license file beside a card, and the license it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LicenseFile {
    /// Its name (`LICENSE`, `LICENSE.md`, `NOTICE`…).
    pub file: String,
    /// The knowledge base id of the license its title names; `None` when none is recognised.
    pub license: Option<String>,
}

/// The license file among `files` (name, bytes), LICENSE before NOTICE and COPYING (the grant,
/// not its notice), with the license it holds.
pub fn license_file(files: &[(String, Vec<u8>)], kb: &KnowledgeBase) -> Option<LicenseFile> {
    let mut found: Vec<&(String, Vec<u8>)> =
        files.iter().filter(|(n, _)| is_license_file(n)).collect();
    found.sort_by_key(|(n, _)| !n.to_ascii_lowercase().starts_with("licen"));
    found.first().map(|(name, bytes)| LicenseFile {
        file: name.clone(),
        license: identify(&String::from_utf8_lossy(bytes), kb),
    })
}

/// Whether a file at the repo's root is a license or notice file (`LICENSE`, `LICENSE.txt`,
/// `LICENSE.md`, `LICENCE`, `NOTICE`, `COPYING`, `USE_POLICY.md` is not one).
pub fn is_license_file(name: &str) -> bool {
    if name.contains('/') {
        return false;
    }
    let lower = name.to_ascii_lowercase();
    let stem = lower.split('.').next().unwrap_or(&lower);
    matches!(stem, "license" | "licence" | "notice" | "copying")
}

/// Whether a repo's file list holds a license text of any name: a root file whose name says
/// license, licence, notice or agreement (`LICENSE`, `llama2-license.txt`, `NOTICE.md`).
pub fn has_license_text<'a>(names: impl IntoIterator<Item = &'a str>) -> bool {
    names.into_iter().any(|n| {
        let lower = n.to_ascii_lowercase();
        !lower.contains('/')
            && ["license", "licence", "notice", "agreement", "copying"]
                .iter()
                .any(|w| lower.contains(w))
    })
}

/// How much of a license file is searched: titles and the phrases that tell licenses apart
/// come first.
const HEAD: usize = 4096;

/// The knowledge base id of the license a file holds: the entry whose title or phrase occurs
/// in the file's first few kilobytes (case, whitespace and Markdown marks ignored); the
/// longest match wins, so `Llama 3.1 Community License` is not taken for a shorter title it
/// contains. `None` when no entry's title occurs.
pub fn identify(text: &str, kb: &KnowledgeBase) -> Option<String> {
    let head = normalise(&text[..floor_char_boundary(text, HEAD)]);
    let mut best: Option<(usize, usize, &str)> = None; // (length, -position, id)
    for l in kb.entries() {
        for t in &l.titles {
            let t = normalise(t);
            if t.is_empty() {
                continue;
            }
            if let Some(at) = head.find(&t) {
                let better = match best {
                    None => true,
                    Some((len, pos, _)) => t.len() > len || (t.len() == len && at < pos),
                };
                if better {
                    best = Some((t.len(), at, l.id.as_str()));
                }
            }
        }
    }
    best.map(|(_, _, id)| id.to_string())
}

/// Lower case, Markdown emphasis and heading marks dropped, runs of whitespace as one space.
fn normalise(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = true;
    for c in s.chars() {
        if matches!(c, '#' | '*' | '_' | '=' | '`') {
            continue;
        }
        if c.is_whitespace() {
            if !space {
                out.push(' ');
                space = true;
            }
        } else {
            out.extend(c.to_lowercase());
            space = false;
        }
    }
    out.trim_end().to_string()
}

fn floor_char_boundary(s: &str, at: usize) -> usize {
    if at >= s.len() {
        return s.len();
    }
    (0..=at).rev().find(|&i| s.is_char_boundary(i)).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(text: &str) -> Option<String> {
        identify(text, &KnowledgeBase::builtin())
    }

    #[test]
    fn titles_identify_the_common_model_licenses() {
        assert_eq!(
            id("LLAMA 2 COMMUNITY LICENSE AGREEMENT\nLlama 2 Version Release Date: July 18, 2023")
                .as_deref(),
            Some("llama2")
        );
        assert_eq!(
            id("META LLAMA 3 COMMUNITY LICENSE AGREEMENT\n\nMeta Llama 3 Version Release Date")
                .as_deref(),
            Some("llama3")
        );
        assert_eq!(
            id("LLAMA 3.1 COMMUNITY LICENSE AGREEMENT\nLlama 3.1 Version Release Date").as_deref(),
            Some("llama3.1")
        );
        assert_eq!(
            id("# Gemma Terms of Use\n\nLast modified: February 21, 2024").as_deref(),
            Some("gemma")
        );
        assert_eq!(id("                                 Apache License\n                           Version 2.0, January 2004\n").as_deref(), Some("apache-2.0"));
        assert_eq!(id("MIT License\n\nCopyright (c) 2024 someone\n\nPermission is hereby granted, free of charge").as_deref(), Some("mit"));
        assert_eq!(
            id("Attribution-NonCommercial 4.0 International\n\n=======").as_deref(),
            Some("cc-by-nc-4.0")
        );
        assert_eq!(
            id("Tongyi Qianwen LICENSE AGREEMENT\n\nTongyi Qianwen Release Date").as_deref(),
            Some("tongyi-qianwen")
        );
    }

    #[test]
    fn a_notice_names_its_license() {
        assert_eq!(
            id("Llama 3.2 is licensed under the Llama 3.2 Community License, Copyright © Meta Platforms, Inc. All Rights Reserved.").as_deref(),
            Some("llama3.2")
        );
    }

    #[test]
    fn text_without_a_known_title_is_not_guessed() {
        assert_eq!(id("All rights reserved. Do not redistribute."), None);
        assert_eq!(id(""), None);
        // A title past the head is not searched; cut inside a multi-byte character is safe.
        let long = format!("{}MIT License", "é".repeat(HEAD));
        assert_eq!(id(&long), None);
    }

    #[test]
    fn license_file_names() {
        for n in ["LICENSE", "LICENSE.txt", "license.md", "NOTICE", "LICENCE"] {
            assert!(is_license_file(n), "{n}");
        }
        for n in [
            "USE_POLICY.md",
            "sub/LICENSE",
            "config.json",
            "licenses-list.json",
        ] {
            assert!(!is_license_file(n), "{n}");
        }
        assert!(has_license_text([
            "model.safetensors",
            "llama2-license.txt"
        ]));
        assert!(!has_license_text(["model.safetensors", "docs/LICENSE"]));
    }
}
