//! A folder about to be pushed to the Hub (a publisher's README.md, adapter or merge
//! configuration, GGUF files, LICENSE), read as the record of the repo it will be, and a source
//! that answers with that record for its id and with another source for every other repo (its
//! parents on the Hub or in a snapshot).

use std::path::Path;

use super::{Child, Source};
use crate::finding::Finding;
use crate::id::RepoId;
use crate::record::{FileSignals, RepoRecord};

/// The folder could not be read as a repo.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FolderError {
    /// The folder (or its README.md) cannot be read.
    #[error("cannot read {path}")]
    Unreadable {
        /// The file or folder.
        path: std::path::PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The folder has no README.md.
    #[error("{0} has no README.md: there is no card to check")]
    NoCard(std::path::PathBuf),
}

/// Reads the folder `dir` as the record of repo `id`: its README.md, its file names (the
/// repo's file list), and what the tool files and license file at its root say (read as a
/// crawl reads them: the first GGUF file's first 256 KiB, the small files up to 1 MiB).
pub fn read_folder(dir: &Path, id: &RepoId) -> Result<RepoRecord, FolderError> {
    let unreadable = |path: &Path| {
        let path = path.to_path_buf();
        move |source| FolderError::Unreadable { path, source }
    };
    let readme_path = dir.join("README.md");
    if !readme_path.is_file() {
        return Err(FolderError::NoCard(dir.to_path_buf()));
    }
    let readme = std::fs::read(&readme_path).map_err(unreadable(&readme_path))?;
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map_err(unreadable(dir))?
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let files = super::dir::read_tool_files(dir, &names)
        .into_iter()
        .collect::<Result<Vec<_>, _>>()
        .map_err(|(path, source)| FolderError::Unreadable { path, source })?;
    let mut rec = RepoRecord::from_parts(id, None, Some(&readme));
    rec.files = FileSignals::from_files(names.iter().map(String::as_str), None);
    rec.siblings = names.into();
    if !files.is_empty() {
        rec.attach_files(&files);
    }
    Ok(rec)
}

/// A source that answers with `local` for its id and asks `inner` for everything else.
pub struct WithLocal<'a> {
    local: RepoRecord,
    inner: &'a mut dyn Source,
}

impl<'a> WithLocal<'a> {
    /// `local` over `inner`.
    pub fn new(local: RepoRecord, inner: &'a mut dyn Source) -> WithLocal<'a> {
        WithLocal { local, inner }
    }
}

impl Source for WithLocal<'_> {
    fn fetch(&mut self, ids: &[RepoId]) -> Vec<RepoRecord> {
        let others: Vec<RepoId> = ids
            .iter()
            .filter(|i| **i != self.local.id)
            .cloned()
            .collect();
        let mut fetched = self.inner.fetch(&others).into_iter();
        ids.iter()
            .map(|i| match *i == self.local.id {
                true => self.local.clone(),
                false => fetched.next().unwrap_or_else(|| {
                    RepoRecord::unavailable(
                        i.clone(),
                        crate::record::NodeStatus::Error,
                        "the source returned fewer records than asked for",
                    )
                }),
            })
            .collect()
    }

    fn children(&mut self, parents: &[RepoRecord]) -> Vec<Vec<Child>> {
        // Nothing derives from a repo that is not published yet.
        let mut kids = self.inner.children(parents);
        for (p, k) in parents.iter().zip(kids.iter_mut()) {
            if p.id == self.local.id {
                k.clear();
            }
        }
        kids
    }

    fn take_findings(&mut self) -> Vec<Finding> {
        self.inner.take_findings()
    }

    fn fatal(&self) -> Option<Box<dyn std::error::Error + Send + Sync>> {
        self.inner.fatal()
    }

    fn offline_misses(&self) -> Vec<RepoId> {
        self.inner.offline_misses()
    }
}
