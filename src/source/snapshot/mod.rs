//! The offline snapshot directory: the contract the crawler writes and users share.
//!
//! Layout: `<dir>/{models,datasets,spaces}/<repo id>/info.json` (the API body for the repo,
//! optional) and `README.md` (the raw card, optional). Legacy owner-less ids sit one level up
//! (`models/gpt2/`). An `info.json` whose `id` differs from its directory marks a renamed repo:
//! the directory name becomes an alias of the canonical id.

// foldhash: seeded per process, several times faster than SipHash on short ids.
use foldhash::{HashMap, HashMapExt, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use super::dir::{owner_of, read_optional, Buffers};
use super::{Child, Source, SourceError};
use crate::finding::{Code, Finding};
use crate::id::{RepoId, RepoKind};
use crate::record::{NodeStatus, RepoRecord};

pub use super::dir::MAX_FILE_BYTES;

mod reverse;
mod write;

use crate::files::read_limit;
pub use reverse::IndexUse;
pub use write::{write_snapshot, WriteError, FILES_DIR};

/// A snapshot directory opened for reading.
#[derive(Debug)]
pub struct SnapshotSource {
    root: PathBuf,
    /// Directory entries by the id their directory names.
    dirs: HashMap<RepoId, Entry>,
    /// Canonical id → directory id, for renamed entries; built on the first miss.
    renames: [Option<HashMap<RepoId, RepoId>>; 3],
    /// Problems with entries that are not repos at all (bad directory names).
    entry_findings: Vec<Finding>,
    /// Loaded records, by canonical id and alias.
    loaded: HashMap<RepoId, RepoRecord>,
    /// Whether `load_all` ran.
    indexed: bool,
    /// Reverse index: upstream → downstream ids, once `load_all` ran.
    reverse: HashMap<RepoId, Vec<RepoId>>,
    /// The cache database that keeps this snapshot's links index, when one is used.
    index_db: Option<PathBuf>,
    /// What the links index saved, once `load_all` used one.
    index_use: Option<IndexUse>,
}

/// A directory that may hold a repo. Opening a snapshot only lists directories (one `stat` per
/// file would double the cost of opening 100k repos); which files are there is learnt when the
/// entry is first read, and a directory with neither file is no entry.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Entry {
    path: PathBuf,
    /// Whether it has an info.json: `None` until known.
    info: Option<bool>,
}

/// What reading an entry found.
struct Read {
    /// `None`: the directory has neither file (it is no repo).
    record: Option<RepoRecord>,
    has_info: bool,
}

/// The files a snapshot kept beside a card (`.files/`); none when the directory is not there.
fn read_kept_files(dir: &Path, problems: &mut Vec<String>) -> Vec<(String, Vec<u8>)> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let names: Vec<String> = entries
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    super::dir::read_tool_files(dir, &names)
        .into_iter()
        .filter_map(|r| {
            r.map_err(|(path, e)| problems.push(format!("cannot read {}: {e}", path.display())))
                .ok()
        })
        .collect()
}

/// The directories of one owner directory that may be repos: `(id, entry)`, the owner's own
/// entry included when it is a legacy owner-less repo (`models/gpt2/README.md`).
fn list_owner(owner: &fs::DirEntry) -> Vec<(String, Entry)> {
    let mut out = Vec::new();
    let opath = owner.path();
    let oname = owner.file_name().to_string_lossy().into_owned();
    let Ok(names) = fs::read_dir(&opath) else {
        return out;
    };
    let mut owner_files = (false, false);
    for name in names.flatten() {
        let fname = name.file_name();
        match fname.to_str() {
            Some("info.json") => owner_files.0 = true,
            Some("README.md") => owner_files.1 = true,
            _ => {}
        }
        if !name.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let entry = Entry {
            path: name.path(),
            info: None,
        };
        out.push((format!("{oname}/{}", fname.to_string_lossy()), entry));
    }
    if owner_files.0 || owner_files.1 {
        let entry = Entry {
            path: opath,
            info: Some(owner_files.0),
        };
        out.push((oname, entry));
    }
    out
}

impl SnapshotSource {
    /// Opens a snapshot directory and lists its entries (reads no file yet).
    pub fn open(root: impl AsRef<Path>) -> Result<SnapshotSource, SourceError> {
        let root = root.as_ref().to_path_buf();
        fs::read_dir(&root).map_err(|source| SourceError::SnapshotUnreadable {
            path: root.clone(),
            source,
        })?;
        let mut src = SnapshotSource {
            root: root.clone(),
            dirs: HashMap::new(),
            renames: [None, None, None],
            entry_findings: vec![],
            loaded: HashMap::new(),
            indexed: false,
            reverse: HashMap::new(),
            index_db: None,
            index_use: None,
        };
        let mut any = false;
        for kind in RepoKind::ALL {
            let base = root.join(kind.plural());
            let Ok(owners) = fs::read_dir(&base) else {
                continue;
            };
            any = true;
            let owners: Vec<fs::DirEntry> = owners
                .flatten()
                .filter(|o| o.file_type().is_ok_and(|t| t.is_dir()))
                .collect();
            // Owners are listed on every core (a snapshot is mostly directories to stat), then
            // added in a fixed order so findings and duplicates do not depend on scheduling.
            use rayon::prelude::*;
            let mut found: Vec<(String, Entry)> =
                owners.par_iter().flat_map_iter(list_owner).collect();
            found.sort();
            for (name, entry) in found {
                src.add_dir(kind, &name, entry);
            }
        }
        if !any {
            return Err(SourceError::NotASnapshot { path: root });
        }
        Ok(src)
    }

    fn add_dir(&mut self, kind: RepoKind, name: &str, entry: Entry) {
        let path = entry.path.clone();
        match RepoId::parse(name, kind) {
            Ok(id) if id.kind() == kind => {
                self.dirs.insert(id, entry);
            }
            // Only a directory with repo files is worth a finding.
            _ if !["info.json", "README.md"]
                .iter()
                .any(|f| path.join(f).exists()) => {}
            _ => self.entry_findings.push(Finding::of(
                Code::SnapshotEntryInvalid,
                vec![],
                format!(
                    "{}: directory name {name:?} is not a valid {kind} id; skipped",
                    path.display()
                ),
            )),
        }
    }

    /// Keeps the snapshot's links index in the cache database at `db` (see
    /// [`links_index`](super::links_index)): a downward trace then reads only the entries that
    /// changed since the last one, and those it reaches.
    pub fn with_links_index(mut self, db: impl Into<PathBuf>) -> SnapshotSource {
        self.index_db = Some(db.into());
        self
    }

    /// What the links index saved the reverse index, when one was used (`None` before a
    /// downward trace, or when the index could not be opened).
    pub fn index_use(&self) -> Option<IndexUse> {
        self.index_use
    }

    /// The snapshot's root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Problems with directory entries that are not repos.
    pub fn entry_findings(&self) -> &[Finding] {
        &self.entry_findings
    }

    /// Number of directories that may be repos (those found empty when read are dropped).
    pub fn len(&self) -> usize {
        self.dirs.len()
    }

    /// Whether the snapshot holds no repo.
    pub fn is_empty(&self) -> bool {
        self.dirs.is_empty()
    }

    fn read_entry(&self, id: &RepoId, entry: &Entry, bufs: &mut Buffers) -> Read {
        let dir = entry.path.as_path();
        let mut problems = Vec::new();
        let (owner, name) = owner_of(&mut bufs.owner, dir);
        let read = |file: &str, buf: &mut Vec<u8>, problems: &mut Vec<String>| {
            read_optional(owner, &name.join(file), &dir.join(file), buf, problems)
        };
        // An entry read before is known to have an info.json or not. One that is there but
        // cannot be read still counts as there: reading the entry again must say so again.
        let info = entry.info != Some(false) && read("info.json", &mut bufs.info, &mut problems);
        let info_there = info || !problems.is_empty();
        let readme = read("README.md", &mut bufs.readme, &mut problems);
        if !info && !readme && problems.is_empty() {
            return Read {
                record: None,
                has_info: false,
            };
        }
        let mut rec = if !info && !readme {
            RepoRecord::unavailable(
                id.clone(),
                NodeStatus::Error,
                "snapshot entry has neither a readable info.json nor README.md",
            )
        } else {
            RepoRecord::from_parts(
                id,
                info.then_some(bufs.info.as_slice()),
                readme.then_some(bufs.readme.as_slice()),
            )
        };
        bufs.settle();
        if rec.siblings.is_empty() || rec.siblings.iter().any(|n| read_limit(n).is_some()) {
            let files = read_kept_files(&dir.join(write::FILES_DIR), &mut problems);
            if !files.is_empty() {
                rec.attach_files(&files);
            }
        }
        // Findings about the entry's files name where they are (`problems` name the file).
        for f in rec.findings.iter_mut() {
            if f.code == Code::RepoDataInvalid {
                f.message = format!("{}: {}", dir.display(), f.message).into();
            }
        }
        if !problems.is_empty() {
            for p in problems {
                rec.findings.push(Finding::of(
                    Code::SnapshotEntryInvalid,
                    vec![rec.id.clone()],
                    p,
                ));
            }
        }
        Read {
            record: Some(rec),
            has_info: info_there,
        }
    }

    /// Keeps what reading entries taught: which have an info.json, and that directories with
    /// neither file are no repos.
    fn learn(&mut self, learnt: Vec<(RepoId, bool, bool)>) {
        for (dir_id, is_repo, has_info) in learnt {
            match is_repo {
                true => {
                    if let Some(e) = self.dirs.get_mut(&dir_id) {
                        e.info = Some(has_info);
                    }
                }
                false => {
                    self.dirs.remove(&dir_id);
                }
            }
        }
    }

    fn remember(&mut self, rec: RepoRecord) {
        for key in &rec.aliases {
            self.loaded.insert(key.clone(), rec.clone());
        }
        self.loaded.insert(rec.id.clone(), rec);
    }

    /// The directory that answers for `id`: its own, or the old name of a renamed entry.
    fn dir_of(&mut self, id: &RepoId) -> Option<RepoId> {
        match self.dirs.contains_key(id) {
            true => Some(id.clone()),
            false => self.renames(id.kind()).get(id).cloned(),
        }
    }

    /// Reads the records of `ids` (each id as asked, alias or canonical), reading the entries
    /// not loaded yet on every core.
    fn fetch_batch(&mut self, ids: &[RepoId]) -> Vec<RepoRecord> {
        let dir_ids: Vec<Option<RepoId>> = ids
            .iter()
            .map(|id| match self.loaded.contains_key(id) {
                true => None,
                false => self.dir_of(id),
            })
            .collect();
        let mut todo: Vec<(&RepoId, &Entry)> = dir_ids
            .iter()
            .flatten()
            .filter(|d| !self.loaded.contains_key(*d))
            .filter_map(|d| self.dirs.get_key_value(d))
            .collect();
        todo.sort();
        todo.dedup_by(|a, b| a.0 == b.0);
        let fresh: Vec<(RepoId, Read)> = self
            .read_in_parallel(&todo, |read| read)
            .into_iter()
            .map(|(id, read)| (id.clone(), read))
            .collect();
        let mut learnt = Vec::with_capacity(fresh.len());
        for (dir_id, read) in fresh {
            learnt.push((dir_id, read.record.is_some(), read.has_info));
            if let Some(rec) = read.record {
                self.remember(rec);
            }
        }
        self.learn(learnt);
        ids.iter()
            .zip(&dir_ids)
            .map(|(id, dir_id)| {
                self.loaded
                    .get(id)
                    .or_else(|| dir_id.as_ref().and_then(|d| self.loaded.get(d)))
                    .cloned()
                    .unwrap_or_else(|| {
                        RepoRecord::unavailable(
                            id.clone(),
                            NodeStatus::NotFound,
                            "not in the snapshot",
                        )
                    })
            })
            .collect()
    }

    /// Canonical ids of entries whose info.json names another id than their directory.
    /// Reads only the `id` of each info.json, once.
    /// Built per kind (a dataset missing from a snapshot of models costs nothing).
    fn renames(&mut self, kind: RepoKind) -> &HashMap<RepoId, RepoId> {
        let slot = RepoKind::ALL.iter().position(|k| *k == kind).unwrap_or(0);
        if self.renames[slot].is_none() {
            let mut maybe: Vec<(&RepoId, &Entry)> = self
                .dirs
                .iter()
                .filter(|(id, e)| id.kind() == kind && e.info != Some(false))
                .collect();
            maybe.sort();
            // Which entries have an info.json is not known until they are read: each is tried
            // once, on every core (a snapshot of READMEs only costs one failed open per entry).
            let found = self.in_parallel(&maybe, |dir_id, entry, bufs| {
                let (owner, name) = owner_of(&mut bufs.owner, &entry.path);
                let file = owner.open_file(&name.join("info.json"));
                if file
                    .as_ref()
                    .is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound)
                {
                    return Err(false);
                }
                let mut bytes = Vec::new();
                std::io::Read::read_to_end(&mut file.map_err(|_| true)?, &mut bytes)
                    .map_err(|_| true)?;
                #[derive(serde::Deserialize)]
                struct IdOnly {
                    id: Option<String>,
                }
                let canon = serde_json::from_slice::<IdOnly>(&bytes)
                    .ok()
                    .and_then(|i| i.id);
                let canon = canon.and_then(|c| RepoId::parse(&c, dir_id.kind()).ok());
                Ok(canon.filter(|c| c != dir_id))
            });
            let mut map = HashMap::new();
            let mut learnt = Vec::new();
            for (dir_id, found) in found {
                match found {
                    Ok(Some(canon)) => {
                        map.insert(canon, dir_id.clone());
                    }
                    // No info.json: reading the entry need not try it again.
                    Err(false) => learnt.push((dir_id.clone(), true, false)),
                    Ok(None) | Err(true) => {}
                }
            }
            self.learn(learnt);
            self.renames[slot] = Some(map);
        }
        self.renames[slot].get_or_insert_with(HashMap::new)
    }

    /// The entries not loaded yet, in id order.
    fn unloaded(&self) -> Vec<(&RepoId, &Entry)> {
        let mut todo: Vec<(&RepoId, &Entry)> = self
            .dirs
            .iter()
            .filter(|(id, _)| !self.loaded.contains_key(*id))
            .collect();
        // Ids are unique keys: ordering by id alone is the whole order.
        todo.sort_unstable_by(|a, b| a.0.cmp(b.0));
        todo
    }

    /// Reads `entries` on every core (at most eight threads) and hands what each read found
    /// to `keep` on the thread that read it; results beside their entry's id, in the order of
    /// `entries`.
    fn read_in_parallel<'e, T: Send>(
        &self,
        entries: &[(&'e RepoId, &Entry)],
        keep: impl Fn(Read) -> T + Sync,
    ) -> Vec<(&'e RepoId, T)> {
        self.in_parallel(entries, |id, e, bufs| keep(self.read_entry(id, e, bufs)))
    }

    /// Runs `work` over `entries` on every core (at most eight threads), each thread with its
    /// own [`Buffers`]; results beside their entry's id, in the order of `entries`.
    fn in_parallel<'e, T: Send>(
        &self,
        entries: &[(&'e RepoId, &Entry)],
        work: impl Fn(&RepoId, &Entry, &mut Buffers) -> T + Sync,
    ) -> Vec<(&'e RepoId, T)> {
        let read = |part: &[(&'e RepoId, &Entry)]| {
            let mut bufs = Buffers::new();
            part.iter()
                .map(|(id, e)| (*id, work(id, e, &mut bufs)))
                .collect::<Vec<_>>()
        };
        if entries.len() < 2 {
            return read(entries);
        }
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .clamp(1, 8);
        let chunk = entries.len().div_ceil(threads).max(1);
        let read = &read;
        std::thread::scope(|s| {
            let handles: Vec<_> = entries
                .chunks(chunk)
                .map(|part| s.spawn(move || read(part)))
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_default())
                .collect()
        })
    }
}

impl Source for SnapshotSource {
    fn release(&mut self) {
        self.loaded = HashMap::new();
        self.reverse = HashMap::new();
    }

    fn fetch(&mut self, ids: &[RepoId]) -> Vec<RepoRecord> {
        self.fetch_batch(ids)
    }

    fn children(&mut self, parents: &[RepoRecord]) -> Vec<Vec<Child>> {
        self.load_all();
        super::children_from(parents, |k| self.reverse.get(k))
    }

    fn all_records(&mut self) -> Option<Vec<RepoRecord>> {
        let mut records: Vec<RepoRecord> = self
            .read_in_parallel(&self.unloaded(), |read| read.record)
            .into_iter()
            .filter_map(|(_, rec)| rec)
            .collect();
        let mut seen: HashSet<RepoId> = records.iter().map(|r| r.id.clone()).collect();
        let mut held: Vec<&RepoRecord> = self.loaded.values().collect();
        held.sort_by(|a, b| a.id.cmp(&b.id));
        for r in held {
            if seen.insert(r.id.clone()) {
                records.push(r.clone());
            }
        }
        // Two directories for one repo (a rename copied under both names): one record, the
        // last read (directories are read in name order).
        records.reverse();
        records.sort_by(|a, b| a.id.cmp(&b.id));
        records.dedup_by(|a, b| a.id == b.id);
        Some(records)
    }
}

#[cfg(test)]
mod tests;
