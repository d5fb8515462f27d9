//! The offline snapshot directory: the contract the crawler writes and users share.
//!
//! Layout: `<dir>/{models,datasets,spaces}/<repo id>/info.json` (the API body for the repo,
//! optional) and `README.md` (the raw card, optional). Legacy owner-less ids sit one level up
//! (`models/gpt2/`). An `info.json` whose `id` differs from its directory marks a renamed repo:
//! the directory name becomes an alias of the canonical id.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use super::{Child, Source, SourceError};
use crate::finding::{codes, Finding, Severity};
use crate::id::{RepoId, RepoKind};
use crate::record::{NodeStatus, RepoRecord};

/// Files larger than this in a snapshot are not read (a finding says so).
pub const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;

/// A snapshot directory opened for reading.
#[derive(Debug)]
pub struct SnapshotSource {
    root: PathBuf,
    /// Directory entries: id as named by its directory → path, and whether it has info.json.
    dirs: HashMap<RepoId, (PathBuf, bool)>,
    /// Entries with an info.json (only these can be renamed repos).
    with_info: Vec<RepoId>,
    /// Canonical id → directory id, for renamed entries; built on the first miss.
    renames: Option<HashMap<RepoId, RepoId>>,
    /// Problems with entries that are not repos at all (bad directory names).
    entry_findings: Vec<Finding>,
    /// Loaded records, by canonical id and alias.
    loaded: HashMap<RepoId, RepoRecord>,
    /// Every record, once `load_all` ran.
    all: Option<Vec<RepoId>>,
    /// Reverse index: upstream → downstream ids, once `load_all` ran.
    reverse: HashMap<RepoId, Vec<RepoId>>,
}

/// The repo directories of one owner directory: `(id, path, has info.json)`, the owner's own
/// entry included when it is a legacy owner-less repo (`models/gpt2/README.md`).
fn list_owner(owner: &fs::DirEntry) -> Vec<(String, PathBuf, bool)> {
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
        let npath = name.path();
        let has_info = npath.join("info.json").exists();
        if has_info || npath.join("README.md").exists() {
            out.push((
                format!("{oname}/{}", fname.to_string_lossy()),
                npath,
                has_info,
            ));
        }
    }
    if owner_files.0 || owner_files.1 {
        out.push((oname, opath, owner_files.0));
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
            with_info: vec![],
            renames: None,
            entry_findings: vec![],
            loaded: HashMap::new(),
            all: None,
            reverse: HashMap::new(),
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
            let mut found: Vec<(String, PathBuf, bool)> =
                owners.par_iter().flat_map_iter(list_owner).collect();
            found.sort();
            for (name, path, has_info) in found {
                src.add_dir(kind, &name, path, has_info);
            }
        }
        if !any {
            return Err(SourceError::NotASnapshot { path: root });
        }
        Ok(src)
    }

    fn add_dir(&mut self, kind: RepoKind, name: &str, path: PathBuf, has_info: bool) {
        match RepoId::parse(name, kind) {
            Ok(id) if id.kind() == kind => {
                if has_info {
                    self.with_info.push(id.clone());
                }
                self.dirs.insert(id, (path, has_info));
            }
            _ => self.entry_findings.push(Finding::new(
                codes::SNAPSHOT_ENTRY,
                Severity::Warn,
                vec![],
                format!(
                    "{}: directory name {name:?} is not a valid {kind} id; skipped",
                    path.display()
                ),
            )),
        }
    }

    /// The snapshot's root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Problems with directory entries that are not repos.
    pub fn entry_findings(&self) -> &[Finding] {
        &self.entry_findings
    }

    /// Number of repo directories.
    pub fn len(&self) -> usize {
        self.dirs.len()
    }

    /// Whether the snapshot holds no repo.
    pub fn is_empty(&self) -> bool {
        self.dirs.is_empty()
    }

    fn read_entry(&self, id: &RepoId, dir: &Path, has_info: bool) -> RepoRecord {
        let mut problems = Vec::new();
        // Which entries have an info.json was seen when the snapshot was opened.
        let info = if has_info {
            read_optional(&dir.join("info.json"), &mut problems)
        } else {
            None
        };
        let readme = read_optional(&dir.join("README.md"), &mut problems);
        let mut rec = if info.is_none() && readme.is_none() {
            RepoRecord::unavailable(
                id.clone(),
                NodeStatus::Error,
                "snapshot entry has neither a readable info.json nor README.md",
            )
        } else {
            RepoRecord::from_parts(id, info.as_deref(), readme.as_deref())
        };
        let node = rec.id.node_id();
        // Findings about the entry's files name where they are (`problems` name the file).
        for f in rec.findings.iter_mut() {
            if f.code == codes::REPO_DATA {
                f.message = format!("{}: {}", dir.display(), f.message);
            }
        }
        for p in problems {
            rec.findings.push(Finding::new(
                codes::SNAPSHOT_ENTRY,
                Severity::Warn,
                vec![node.clone()],
                p,
            ));
        }
        rec
    }

    fn remember(&mut self, rec: RepoRecord) {
        for key in &rec.aliases {
            self.loaded.insert(key.clone(), rec.clone());
        }
        self.loaded.insert(rec.id.clone(), rec);
    }

    fn fetch_one(&mut self, id: &RepoId) -> RepoRecord {
        if let Some(r) = self.loaded.get(id) {
            return r.clone();
        }
        let dir_id = match self.dirs.contains_key(id) {
            true => Some(id.clone()),
            // Maybe the canonical id of a renamed entry, stored under its old name.
            false => self.renames().get(id).cloned(),
        };
        if let Some(dir_id) = dir_id {
            if let Some(r) = self.loaded.get(&dir_id) {
                return r.clone();
            }
            if let Some((dir, has_info)) = self.dirs.get(&dir_id).cloned() {
                let rec = self.read_entry(&dir_id, &dir, has_info);
                self.remember(rec.clone());
                return rec;
            }
        }
        RepoRecord::unavailable(id.clone(), NodeStatus::NotFound, "not in the snapshot")
    }

    /// Canonical ids of entries whose info.json names another id than their directory.
    /// Reads only the `id` of each info.json, once.
    fn renames(&mut self) -> &HashMap<RepoId, RepoId> {
        if self.renames.is_none() {
            let mut map = HashMap::new();
            for dir_id in &self.with_info {
                let Some((path, _)) = self.dirs.get(dir_id) else {
                    continue;
                };
                let Ok(bytes) = fs::read(path.join("info.json")) else {
                    continue;
                };
                #[derive(serde::Deserialize)]
                struct IdOnly {
                    id: Option<String>,
                }
                let Ok(IdOnly { id: Some(canon) }) = serde_json::from_slice::<IdOnly>(&bytes)
                else {
                    continue;
                };
                if let Ok(canon) = RepoId::parse(&canon, dir_id.kind()) {
                    if canon != *dir_id {
                        map.insert(canon, dir_id.clone());
                    }
                }
            }
            self.renames = Some(map);
        }
        self.renames.get_or_insert_with(HashMap::new)
    }

    /// Reads the entries not loaded yet, on every core (at most eight threads), in id order.
    fn read_unloaded(&self) -> Vec<RepoRecord> {
        let mut todo: Vec<(&RepoId, &(PathBuf, bool))> = self
            .dirs
            .iter()
            .filter(|(id, _)| !self.loaded.contains_key(*id))
            .collect();
        todo.sort();
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .clamp(1, 8);
        let chunk = todo.len().div_ceil(threads).max(1);
        std::thread::scope(|s| {
            let handles: Vec<_> = todo
                .chunks(chunk)
                .map(|part| {
                    s.spawn(move || {
                        part.iter()
                            .map(|(id, (p, info))| self.read_entry(id, p, *info))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_default())
                .collect()
        })
    }

    /// Builds the reverse index used for downstream traces, once: every entry is read and its
    /// links kept, but not the record (a downstream trace reads again only the entries it
    /// reaches, so memory is the index, not the snapshot).
    pub fn load_all(&mut self) {
        if self.all.is_some() {
            return;
        }
        let fresh = self.read_unloaded();
        let mut ids: Vec<RepoId> = Vec::with_capacity(fresh.len() + self.loaded.len());
        let mut reverse: HashMap<RepoId, Vec<RepoId>> = HashMap::new();
        let mut index = |rec: &RepoRecord, ids: &mut Vec<RepoId>| {
            ids.push(rec.id.clone());
            for link in rec.links() {
                if link.downstream == rec.id {
                    reverse
                        .entry(link.upstream)
                        .or_default()
                        .push(rec.id.clone());
                } else {
                    // Links a record declares downstream of itself (a model's Spaces).
                    reverse
                        .entry(rec.id.clone())
                        .or_default()
                        .push(link.downstream);
                }
            }
        };
        for rec in self.loaded.values() {
            index(rec, &mut ids);
        }
        for rec in &fresh {
            if !self.loaded.contains_key(&rec.id) {
                index(rec, &mut ids);
            }
        }
        drop(fresh);
        ids.sort();
        ids.dedup();
        for v in reverse.values_mut() {
            v.sort();
            v.dedup();
        }
        self.reverse = reverse;
        self.all = Some(ids);
    }
}

fn read_optional(path: &Path, problems: &mut Vec<String>) -> Option<Vec<u8>> {
    use std::io::Read;
    // Open and read at most one byte past the limit: no separate stat per file (a snapshot
    // of 100k repos is otherwise mostly system calls).
    let file = match fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => {
            problems.push(format!("{}: cannot read: {e}", path.display()));
            return None;
        }
    };
    let mut buf = Vec::new();
    let mut limited = (&file).take(MAX_FILE_BYTES + 1);
    if let Err(e) = limited.read_to_end(&mut buf) {
        problems.push(format!("{}: cannot read: {e}", path.display()));
        return None;
    }
    if buf.len() as u64 > MAX_FILE_BYTES {
        let len = file.metadata().map_or(buf.len() as u64, |m| m.len());
        problems.push(format!(
            "{}: {} bytes, over the {} byte limit; not read",
            path.display(),
            len,
            MAX_FILE_BYTES
        ));
        return None;
    }
    Some(buf)
}

/// A snapshot directory could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {path}")]
pub struct WriteError {
    /// The file or directory.
    pub path: PathBuf,
    /// Why.
    #[source]
    pub source: std::io::Error,
}

/// Writes what a crawl read in the layout [`SnapshotSource`] reads: `<out>/<kind>/<id>/info.json`
/// (the API body, pretty-printed; the same JSON value) and `README.md`, one directory per repo,
/// plus the three kind directories. Existing entries are overwritten. Returns how many repos
/// were written.
pub fn write_snapshot<'a>(
    out: &Path,
    repos: impl IntoIterator<Item = (&'a RepoId, &'a crate::source::hub::RawRepo)>,
) -> Result<usize, WriteError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| WriteError { path, source }
    };
    let mut written = 0;
    for (id, raw) in repos {
        let dir = out.join(id.kind().plural()).join(id.name());
        fs::create_dir_all(&dir).map_err(io(&dir))?;
        if let Some(info) = &raw.info {
            let text = serde_json::from_slice::<serde_json::Value>(info)
                .ok()
                .and_then(|v| serde_json::to_vec_pretty(&v).ok())
                .unwrap_or_else(|| info.clone());
            let p = dir.join("info.json");
            fs::write(&p, text).map_err(io(&p))?;
        }
        if let Some(readme) = &raw.readme {
            let p = dir.join("README.md");
            fs::write(&p, readme).map_err(io(&p))?;
        }
        written += 1;
    }
    for kind in RepoKind::ALL {
        let d = out.join(kind.plural());
        fs::create_dir_all(&d).map_err(io(&d))?;
    }
    Ok(written)
}

impl Source for SnapshotSource {
    fn fetch(&mut self, ids: &[RepoId]) -> Vec<RepoRecord> {
        ids.iter().map(|id| self.fetch_one(id)).collect()
    }

    fn children(&mut self, parents: &[RepoRecord]) -> Vec<Vec<Child>> {
        self.load_all();
        parents
            .iter()
            .map(|p| {
                let mut kids: Vec<RepoId> = std::iter::once(&p.id)
                    .chain(p.aliases.iter())
                    .flat_map(|k| self.reverse.get(k).cloned().unwrap_or_default())
                    .collect();
                kids.sort();
                kids.dedup();
                kids.into_iter().map(Child::Id).collect()
            })
            .collect()
    }

    fn all_records(&mut self) -> Option<Vec<RepoRecord>> {
        let mut records = self.read_unloaded();
        let mut seen: std::collections::HashSet<RepoId> =
            records.iter().map(|r| r.id.clone()).collect();
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
mod tests {
    use super::*;
    use crate::source::hub::RawRepo;

    #[test]
    fn what_the_writer_writes_the_reader_reads() {
        let dir = tempfile::tempdir().unwrap();
        let model = RepoId::parse("q/m-GGUF", RepoKind::Model).unwrap();
        let data = RepoId::parse("datasets/org/data", RepoKind::Model).unwrap();
        let raw_model = RawRepo {
            info: Some(br#"{"id":"q/m-GGUF","tags":["base_model:quantized:org/base"],"sha":"abc","cardData":{"license":"mit","base_model":"org/base"},"siblings":[{"rfilename":"m.Q4_K_M.gguf"}]}"#.to_vec()),
            readme: Some(b"---\nlicense: mit\nbase_model: org/base\n---\nGGUF Q4_K_M of org/base.\n".to_vec()),
        };
        let raw_data = RawRepo {
            info: None,
            readme: Some(b"---\nlicense: cc-by-4.0\nsource_datasets: [org/raw]\n---\n".to_vec()),
        };
        let written =
            write_snapshot(dir.path(), [(&model, &raw_model), (&data, &raw_data)]).unwrap();
        assert_eq!(written, 2);
        let mut src = SnapshotSource::open(dir.path()).unwrap();
        let read = src.fetch(&[model.clone(), data.clone()]);
        let want = [
            RepoRecord::from_parts(
                &model,
                raw_model.info.as_deref(),
                raw_model.readme.as_deref(),
            ),
            RepoRecord::from_parts(&data, None, raw_data.readme.as_deref()),
        ];
        for (got, want) in read.iter().zip(&want) {
            assert_eq!(got.id, want.id);
            assert_eq!(got.status, NodeStatus::Ok);
            assert_eq!(got.links(), want.links());
            assert_eq!(got.card.meta, want.card.meta);
            assert_eq!(got.siblings, want.siblings);
            assert_eq!(got.sha, want.sha);
        }
    }
}
