//! The files tools write beside a card, read during a crawl: which ones, and how much of each.
//!
//! Only files the repo's file list (`siblings`) names are asked for, through the resolver
//! (its own rate-limit bucket: the API count does not grow). Small files are read up to
//! [`SMALL_FILE`]; of GGUF files only the first one's first [`GGUF_PREFIX`] bytes, by a
//! `Range` request that the CDN's host receives without the token.

use std::sync::Arc;

use crate::files::{is_tool_file, license::is_license_file};
pub use crate::files::{GGUF_PREFIX, SMALL_FILE};
use crate::hub::cache::CachedResponse;
use crate::hub::client::{cache_key, HubClient};
use crate::hub::file_path;
use crate::id::RepoId;

/// The files of a repo's list worth reading, with how much of each: the tool files and license
/// files at the root, and the first GGUF file (the first shard of a split one).
pub fn wanted(siblings: &[String]) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = siblings
        .iter()
        .filter(|n| !n.contains('/'))
        .filter(|n| {
            let lower = n.to_ascii_lowercase();
            !lower.ends_with(".gguf") && (is_tool_file(n) || is_license_file(n))
        })
        .map(|n| (n.clone(), SMALL_FILE))
        .collect();
    let mut ggufs: Vec<&String> = siblings
        .iter()
        .filter(|n| n.to_ascii_lowercase().ends_with(".gguf"))
        .filter(|n| !is_later_shard(n))
        .collect();
    ggufs.sort();
    if let Some(g) = ggufs.first() {
        out.push(((*g).clone(), GGUF_PREFIX));
    }
    out
}

/// `…-00002-of-00003.gguf` and later shards carry no header of their own worth reading.
fn is_later_shard(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower
        .rsplit_once("-of-")
        .and_then(|(head, _)| head.rsplit('-').next())
        .and_then(|n| n.parse::<u32>().ok())
        .is_some_and(|n| n > 1)
}

/// Reads the wanted files of one repo; a file that cannot be read is left out (its absence
/// is no finding: the card is still judged on what it says). Fresh answers are added to
/// `commit`, under the key the client caches them by.
pub(super) async fn fetch_files(
    client: &HubClient,
    id: &RepoId,
    siblings: &[String],
    commit: &mut Vec<(String, Arc<CachedResponse>)>,
) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    // One after another, under the repo's job: `--jobs` bounds the requests in flight.
    for (name, limit) in wanted(siblings) {
        let path = file_path(id, &name);
        match client.get_prefix(&path, limit).await {
            Ok(f) => {
                if f.fresh {
                    commit.push((cache_key(&path, Some(limit)), f.response.clone()));
                }
                if matches!(f.response.status, 200 | 206) {
                    out.push((name, f.response.body.clone()));
                }
            }
            Err(e) => tracing::debug!(repo = %id, file = %name, error = %e, "file not read"),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_root_tool_and_license_files_and_one_gguf_header() {
        let names: Vec<String> = [
            "README.md",
            "config.json",
            "adapter_config.json",
            "LICENSE.txt",
            "model-00001-of-00002.safetensors",
            "sub/config.json",
            "m.Q8_0.gguf",
            "m.Q4_K_M-00002-of-00003.gguf",
            "m.Q4_K_M-00001-of-00003.gguf",
        ]
        .map(String::from)
        .to_vec();
        let w = wanted(&names);
        let got: Vec<(&str, usize)> = w.iter().map(|(n, l)| (n.as_str(), *l)).collect();
        assert_eq!(
            got,
            vec![
                ("config.json", SMALL_FILE),
                ("adapter_config.json", SMALL_FILE),
                ("LICENSE.txt", SMALL_FILE),
                ("m.Q4_K_M-00001-of-00003.gguf", GGUF_PREFIX),
            ]
        );
        assert!(wanted(&["model.safetensors".to_string()]).is_empty());
    }
}
