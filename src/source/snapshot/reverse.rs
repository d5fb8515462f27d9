//! The reverse index of a snapshot (who derives from whom), built once for downward traces:
//! every entry's links are read, or taken from the links index when its files are unchanged.

use foldhash::{HashMap, HashMapExt, HashSet};
use std::path::Path;

use super::super::dir::{owner_of, Stamp};
use super::super::links_index::{decode_pairs, encode_pairs, LinksIndex, Row};
use super::SnapshotSource;
use crate::id::RepoId;
use crate::record::RepoRecord;

impl SnapshotSource {
    /// Builds the reverse index used for downstream traces, once: every entry's links are
    /// read and kept, but not the record (a downstream trace reads again only the entries it
    /// reaches, so memory is the index, not the snapshot). With a links index, an entry whose
    /// files are unchanged since it was indexed is not read at all.
    pub fn load_all(&mut self) {
        if self.indexed {
            return;
        }
        let t = std::time::Instant::now();
        let mut index = self.index_db.as_deref().and_then(|db| {
            LinksIndex::open(db, &self.root)
                .map_err(|e| tracing::debug!(error = %e, "no links index"))
                .ok()
        });
        let known = index
            .as_ref()
            .and_then(|ix| {
                ix.load()
                    .map_err(|e| tracing::debug!(error = %e, "links index unreadable"))
                    .ok()
            })
            .unwrap_or_default();
        let use_index = index.is_some();
        let todo = self.unloaded();
        // Each entry becomes its (upstream, downstream) pairs on the thread that read it (or
        // found it unchanged), so no more than one record per thread is held at a time.
        let fresh = self.in_parallel(&todo, |id, entry, bufs| {
            self.index_entry(id, entry, bufs, use_index, &known)
        });
        let mut reverse: HashMap<RepoId, Vec<RepoId>> = HashMap::new();
        for pairs in self.loaded.values().map(reverse_pairs) {
            for (up, down) in pairs {
                reverse.entry(up).or_default().push(down);
            }
        }
        let mut learnt = Vec::with_capacity(fresh.len());
        let mut changed = Vec::new();
        let mut still_listed = 0;
        let mut reused = 0;
        for (dir_id, found) in fresh {
            still_listed += usize::from(found.was_indexed);
            reused += usize::from(found.reused);
            learnt.push((dir_id.clone(), found.pairs.is_some(), found.has_info));
            changed.extend(found.row);
            for (up, down) in found.pairs.into_iter().flatten() {
                reverse.entry(up).or_default().push(down);
            }
        }
        self.learn(learnt);
        for v in reverse.values_mut() {
            v.sort();
            v.dedup();
        }
        self.reverse = reverse;
        self.indexed = true;
        if let Some(ix) = index.as_mut() {
            self.index_use =
                Some(self.sync_links_index(ix, &known, &changed, still_listed, reused));
        }
        tracing::debug!(secs = t.elapsed().as_secs_f64(), "reverse index built");
    }

    /// What one entry gives the reverse index: its pairs from the links index when its files
    /// are unchanged since they were indexed, else read (with its new row for the index).
    fn index_entry(
        &self,
        id: &RepoId,
        entry: &super::Entry,
        bufs: &mut super::super::dir::Buffers,
        use_index: bool,
        known: &HashMap<String, Row>,
    ) -> Indexed {
        let root = self.root.as_path();
        let key = use_index.then(|| index_key(root, &entry.path)).flatten();
        let stamps = key.as_ref().and_then(|_| {
            let (owner, name) = owner_of(&mut bufs.owner, &entry.path);
            Some((
                owner.stamp(&name.join("README.md"))?,
                owner.stamp(&name.join("info.json"))?,
            ))
        });
        let row = key.as_ref().and_then(|k| known.get(k));
        if let (Some((readme, info)), Some(row)) = (stamps, row) {
            if row.readme == readme && row.info == info {
                if let Some(pairs) = decode_pairs(&row.pairs) {
                    return Indexed {
                        pairs: Some(pairs),
                        has_info: info != Stamp::Absent,
                        row: None,
                        was_indexed: true,
                        reused: true,
                    };
                }
            }
        }
        let was_indexed = row.is_some();
        let read = self.read_entry(id, entry, bufs);
        let pairs = read.record.as_ref().map(reverse_pairs);
        let row = match (key, stamps, &pairs) {
            (Some(key), Some((readme, info)), Some(pairs)) => Some((
                key,
                Row {
                    readme,
                    info,
                    pairs: encode_pairs(pairs),
                },
            )),
            _ => None,
        };
        Indexed {
            pairs,
            has_info: read.has_info,
            row,
            was_indexed,
            reused: false,
        }
    }

    /// Brings the links index up to date after a build: the rows of entries read are
    /// (re)written, the rows of entries no longer listed dropped. Returns what it saved.
    fn sync_links_index(
        &self,
        ix: &mut LinksIndex,
        known: &HashMap<String, Row>,
        changed: &[(String, Row)],
        mut still_listed: usize,
        reused: usize,
    ) -> IndexUse {
        // Rows of entries no longer listed go; when every row was matched by an entry read
        // above or loaded before, there are none.
        let loaded_keys: Vec<String> = self
            .dirs
            .iter()
            .filter(|(id, _)| self.loaded.contains_key(*id))
            .filter_map(|(_, e)| index_key(&self.root, &e.path))
            .collect();
        still_listed += loaded_keys
            .iter()
            .filter(|k| known.contains_key(*k))
            .count();
        let gone: Vec<String> = match still_listed == known.len() {
            true => Vec::new(),
            false => {
                let listed: HashSet<String> = self
                    .dirs
                    .values()
                    .filter_map(|e| index_key(&self.root, &e.path))
                    .collect();
                known
                    .keys()
                    .filter(|k| !listed.contains(*k))
                    .cloned()
                    .collect()
            }
        };
        if !changed.is_empty() || !gone.is_empty() {
            let t = std::time::Instant::now();
            match ix.store(changed, &gone) {
                Ok(()) => {
                    tracing::debug!(secs = t.elapsed().as_secs_f64(), "links index written")
                }
                Err(e) => tracing::debug!(error = %e, "links index not written"),
            }
        }
        let used = IndexUse {
            reused,
            written: changed.len(),
            gone: gone.len(),
        };
        tracing::debug!(
            rows = known.len(),
            reused = used.reused,
            written = used.written,
            gone = used.gone,
            "links index"
        );
        used
    }
}

/// What building the reverse index learnt of one entry.
struct Indexed {
    /// Its pairs; `None` when the directory is no repo.
    pairs: Option<Vec<(RepoId, RepoId)>>,
    has_info: bool,
    /// The entry's new row for the links index, when it was read and can be indexed.
    row: Option<(String, Row)>,
    /// Whether the index had a row for the entry (matched or not).
    was_indexed: bool,
    /// Whether its links came from the index (it was not read).
    reused: bool,
}

/// What the links index saved a downward trace, once it ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexUse {
    /// Entries whose links came from the index (not read).
    pub reused: usize,
    /// Entries read and (re)written to the index.
    pub written: usize,
    /// Rows dropped for entries no longer in the snapshot.
    pub gone: usize,
}

/// An entry's key in the links index: its path under the snapshot root, `/`-separated.
fn index_key(root: &Path, dir: &Path) -> Option<String> {
    let rel = dir.strip_prefix(root).ok()?;
    let parts: Option<Vec<&str>> = rel.iter().map(|p| p.to_str()).collect();
    Some(parts?.join("/"))
}

/// The record's links as reverse-index entries (upstream, downstream). A record that declares
/// links downstream of itself (a model's Spaces) gives those too.
fn reverse_pairs(rec: &RepoRecord) -> Vec<(RepoId, RepoId)> {
    rec.links()
        .into_iter()
        .map(|l| (l.upstream, l.downstream))
        .collect()
}
