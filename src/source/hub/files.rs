//! The files tools write beside a card, read during a crawl: which ones, and how much of each.
//!
//! Only files the repo's file list (`siblings`) names are asked for, through the resolver
//! (its own rate-limit bucket: the API count does not grow). Small files are read up to
//! [`crate::files::SMALL_FILE`]; of GGUF files only the first one's first [`crate::files::GGUF_PREFIX`] bytes, by a
//! `Range` request that the CDN's host receives without the token.

use std::sync::Arc;

use crate::files::wanted;
use crate::hub::cache::CachedResponse;
use crate::hub::client::{cache_key, HubClient};
use crate::hub::file_path;
use crate::id::RepoId;

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
