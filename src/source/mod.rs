//! Where repo records come from: an offline snapshot directory or the live Hub.
//!
//! A [`Source`] answers two questions, in batches so a network source can work concurrently:
//! the records for some ids, and the children of some records. It never fails per repo: a repo
//! that cannot be read is a record with a status and a reason.

mod dir;
pub mod hub;
mod links_index;
pub mod local;
pub mod parquet;
pub mod snapshot;

use crate::id::RepoId;
use crate::record::RepoRecord;

pub use hub::HubSource;
pub use snapshot::SnapshotSource;

/// A child found while looking downstream: either with its metadata or as a bare id to fetch.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Child {
    /// The child's record came with the listing.
    Record(Box<RepoRecord>),
    /// Only the id is known; fetch it.
    Id(RepoId),
}

/// A provider of repo records.
pub trait Source {
    /// Records for these ids, in the same order. Never fails per repo.
    fn fetch(&mut self, ids: &[RepoId]) -> Vec<RepoRecord>;

    /// For each parent record, its direct children (models derived from it, datasets built from
    /// it, Spaces using it), in the same order as `parents`.
    fn children(&mut self, parents: &[RepoRecord]) -> Vec<Vec<Child>>;

    /// Every record this source holds, when it can list them (snapshots can, the Hub can't).
    fn all_records(&mut self) -> Option<Vec<RepoRecord>> {
        None
    }

    /// Every record this source holds, handed over in batches (a Parquet source gives one
    /// row group at a time), so a caller that moves them elsewhere never holds two copies of
    /// the whole snapshot. Returns false when the source cannot list its records.
    fn each_record_batch(&mut self, each: &mut dyn FnMut(Vec<RepoRecord>)) -> bool {
        match self.all_records() {
            Some(all) => {
                each(all);
                true
            }
            None => false,
        }
    }

    /// How many records [`Source::each_record_batch`] will give, when known beforehand.
    fn record_count_hint(&self) -> Option<usize> {
        None
    }

    /// Findings about the crawl itself (incomplete listings, foreign links), taken once.
    fn take_findings(&mut self) -> Vec<crate::finding::Finding> {
        Vec::new()
    }

    /// The error that stopped the source, when one did: an answer that makes every later
    /// request fail the same way (the Hub refusing the token, or a request it rejects as
    /// invalid). Commands report it and exit 1 rather than print a graph of error nodes.
    fn fatal(&self) -> Option<Box<dyn std::error::Error + Send + Sync>> {
        None
    }

    /// Everything a run needs has been read: let go of lookup tables (a snapshot's index of
    /// millions of rows) before the checks need the room. Later reads may find nothing.
    fn release(&mut self) {}

    /// Repos that could not be read only because the source is offline and has no copy of
    /// them (`HF_HUB_OFFLINE`).
    fn offline_misses(&self) -> Vec<RepoId> {
        Vec::new()
    }
}

/// The children of each parent from a reverse index (`lookup` gives the repos that name an id
/// as their parent), under every id the parent is known by: sorted, each once.
pub(crate) fn children_from<'a>(
    parents: &[RepoRecord],
    lookup: impl Fn(&RepoId) -> Option<&'a Vec<RepoId>>,
) -> Vec<Vec<Child>> {
    parents
        .iter()
        .map(|p| {
            let mut kids: Vec<RepoId> = std::iter::once(&p.id)
                .chain(p.aliases.iter())
                .flat_map(|k| lookup(k).cloned().unwrap_or_default())
                .collect();
            kids.sort();
            kids.dedup();
            kids.into_iter().map(Child::Id).collect()
        })
        .collect()
}

/// Errors that stop a source from working at all (not per-repo problems).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SourceError {
    /// The snapshot directory cannot be read.
    #[error("cannot read snapshot directory {path}")]
    SnapshotUnreadable {
        /// The directory.
        path: std::path::PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The snapshot directory has none of models/, datasets/, spaces/.
    #[error("{path} is not a snapshot directory: it has none of models/, datasets/, spaces/")]
    NotASnapshot {
        /// The directory.
        path: std::path::PathBuf,
    },
}
