//! Parquet snapshots as a [`Source`]: the Hub's public card dump (dataset
//! `librarian-bots/model_cards_with_metadata`, shards `data/train-*.parquet`; its dataset-card
//! counterpart too) and the files `hf-lineage snapshot --out FILE.parquet` writes, which have the
//! dump's columns plus a few.
//!
//! Columns are found by name, tolerating drift: the id is `modelId`, `datasetId` or `id`;
//! `last_modified` or `lastModified`; `createdAt` or `created`; strings may be any Arrow string
//! type, timestamps any unit. Missing columns are simply unknown; extra ones are ignored.
//!
//! Opening reads only the id (and `kind`) column of every row group, to index where each repo
//! is; an upward trace then reads only the row groups that hold the repos it asks for. Walking
//! down reads the `tags` column once (the Hub's `base_model:<relation>:<id>` and `dataset:<id>`
//! tags) to index children. Reading everything (`all_records`) goes row group by row group and
//! parses the cards on every core. A bad file is an error naming it; a bad row is a finding
//! (null or invalid id, duplicate id), never the end of the rest.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::path::{Path, PathBuf};

use arrow_array::RecordBatch;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ProjectionMask;
use rayon::prelude::*;

mod columns;
mod index;
mod update;
mod write;

use columns::{string_lists, strings};
use index::{id_key, index_file, FileIndex};
pub use update::{newest_modified, update_parquet, Updated};
pub use write::write_parquet;

use super::{Child, Source};
use crate::finding::{Code, Finding};
use crate::id::{RepoId, RepoKind};
use crate::record::{HubFields, NodeStatus, RepoRecord};

/// A Parquet snapshot could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum ParquetError {
    /// A file could not be read.
    #[error("cannot read {path}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A file is not Parquet, or is truncated.
    #[error("{path} is not a readable Parquet file")]
    Format {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: parquet::errors::ParquetError,
    },
    /// A file has no id column.
    #[error("{path} has no id column (modelId, datasetId or id); columns: {columns}")]
    NoId {
        /// The file.
        path: PathBuf,
        /// The columns it has.
        columns: String,
    },
    /// A column the tool reads holds values of the wrong type (ids as integers, say).
    #[error("{path}: column {column} is {found}, but hf-lineage reads it as {expected}")]
    ColumnType {
        /// The file.
        path: PathBuf,
        /// The column.
        column: String,
        /// Its Arrow type.
        found: String,
        /// What it must be.
        expected: &'static str,
    },
    /// A directory holds no Parquet file.
    #[error("{path} holds no .parquet file")]
    Empty {
        /// The directory.
        path: PathBuf,
    },
}

/// Column names, as each variant of the dump spells them.
const ID: &[&str] = &["modelId", "datasetId", "id"];
const LAST_MODIFIED: &[&str] = &["last_modified", "lastModified"];
const CREATED: &[&str] = &["createdAt", "created"];
const TAGS: &[&str] = &["tags"];
const CARD: &[&str] = &["card"];
const KIND: &[&str] = &["kind"];

/// Where one repo's row is.
#[derive(Debug, Clone, Copy)]
struct Loc {
    file: usize,
    group: usize,
    row: usize,
}

#[derive(Debug)]
struct ShardFile {
    path: PathBuf,
    /// Column name → index in the file's schema.
    columns: HashMap<String, usize>,
    /// The kind rows have when there is no `kind` column (a dataset dump says `datasetId`).
    default_kind: RepoKind,
}

impl ShardFile {
    fn column(&self, names: &[&str]) -> Option<usize> {
        names.iter().find_map(|n| self.columns.get(*n).copied())
    }
}

/// A Parquet file, or a directory of them, as a source of records.
#[derive(Debug)]
pub struct ParquetSource {
    files: Vec<ShardFile>,
    /// Where each repo's row is, by a 64-bit hash of its id (kind and lowercase name): a few
    /// bytes per row instead of the id itself, so indexing millions of rows stays small.
    index: HashMap<u64, Loc>,
    rows: usize,
    children: Option<HashMap<RepoId, Vec<RepoId>>>,
    findings: Vec<Finding>,
}

fn format_err(path: &Path) -> impl Fn(parquet::errors::ParquetError) -> ParquetError + '_ {
    move |source| ParquetError::Format {
        path: path.to_path_buf(),
        source,
    }
}

fn builder(path: &Path) -> Result<ParquetRecordBatchReaderBuilder<File>, ParquetError> {
    let file = File::open(path).map_err(|source| ParquetError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    ParquetRecordBatchReaderBuilder::try_new(file).map_err(format_err(path))
}

/// Whether a path is read as Parquet: a `.parquet` file, or a directory holding some.
pub fn is_parquet(path: &Path) -> bool {
    if path.is_file() {
        return path.extension().is_some_and(|e| e == "parquet");
    }
    std::fs::read_dir(path)
        .map(|rd| {
            rd.flatten()
                .any(|e| e.path().extension().is_some_and(|x| x == "parquet"))
        })
        .unwrap_or(false)
}

fn kind_of(s: Option<&str>, default: RepoKind) -> RepoKind {
    match s.map(str::to_ascii_lowercase).as_deref() {
        Some("model" | "models") => RepoKind::Model,
        Some("dataset" | "datasets") => RepoKind::Dataset,
        Some("space" | "spaces") => RepoKind::Space,
        _ => default,
    }
}

/// One row, as the columns give it.
#[derive(Debug, Default)]
struct Row {
    id: Option<String>,
    kind: Option<String>,
    card: Option<String>,
    status: Option<String>,
    /// The Hub's fields (`id` left unset: the row's id is the canonical one).
    hub: HubFields,
}

impl ParquetSource {
    /// Opens a `.parquet` file or a directory of them, indexing where each repo is.
    pub fn open(path: &Path) -> Result<ParquetSource, ParquetError> {
        let mut paths: Vec<PathBuf> = if path.is_dir() {
            std::fs::read_dir(path)
                .map_err(|source| ParquetError::Io {
                    path: path.to_path_buf(),
                    source,
                })?
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "parquet"))
                .collect()
        } else {
            vec![path.to_path_buf()]
        };
        paths.sort();
        if paths.is_empty() {
            return Err(ParquetError::Empty {
                path: path.to_path_buf(),
            });
        }
        let mut src = ParquetSource {
            files: vec![],
            index: HashMap::new(),
            rows: 0,
            children: None,
            findings: vec![],
        };
        // Each file is indexed on its own (in parallel), then merged in file order, so the first
        // of duplicate rows is the one kept whatever the scheduling.
        let indexed: Vec<Result<FileIndex, ParquetError>> = paths
            .par_iter()
            .enumerate()
            .map(|(fi, p)| index_file(fi, p))
            .collect();
        for r in indexed {
            let fx = r?;
            for (key, loc) in fx.entries {
                if src.index.contains_key(&key) {
                    // Rare: read the id back for the message.
                    let id = fx
                        .file
                        .column(ID)
                        .and_then(|c| read_group(&fx.file, loc.group, &[c]).ok())
                        .and_then(|b| strings(b.column(0)).into_iter().nth(loc.row).flatten())
                        .unwrap_or_else(|| "an id".into());
                    src.findings.push(entry_finding(format!(
                        "{}: row group {}, row {}: {id} appears again; the first row is kept",
                        fx.file.path.display(),
                        loc.group,
                        loc.row
                    )));
                    continue;
                }
                src.index.insert(key, loc);
                src.rows += 1;
            }
            src.findings.extend(fx.findings);
            src.files.push(fx.file);
        }
        Ok(src)
    }

    /// How many repos the files hold.
    pub fn len(&self) -> usize {
        self.rows
    }

    /// Whether the files hold no repo.
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// Reads some rows of one row group (`None`: all of them).
    fn rows(&self, file: usize, group: usize, want: Option<&[usize]>) -> Vec<(usize, Row)> {
        let mut out = Vec::new();
        self.each_slice(file, group, want, &mut |mut rows| out.append(&mut rows));
        out
    }

    /// Reads some rows of one row group (`None`: all of them), [`SLICE_ROWS`] at a time: each
    /// slice goes to `each` (rows by their position in the group) before the next is read, so
    /// a row group of large cards is never in memory whole, as Arrow columns, rows and records
    /// at once. A group that cannot be read (or stops being readable) gives what was read.
    fn each_slice(
        &self,
        file: usize,
        group: usize,
        want: Option<&[usize]>,
        each: &mut dyn FnMut(Vec<(usize, Row)>),
    ) {
        let f = &self.files[file];
        let names: Vec<(&[&str], &str)> = vec![
            (ID, "id"),
            (KIND, "kind"),
            (CARD, "card"),
            (TAGS, "tags"),
            (LAST_MODIFIED, "lastModified"),
            (CREATED, "createdAt"),
            (&["downloads"], "downloads"),
            (&["likes"], "likes"),
            (&["sha"], "sha"),
            (&["gated"], "gated"),
            (&["status"], "status"),
        ];
        let lists: [(&str, &str); 4] = [
            ("siblings", "siblings"),
            ("spaces", "spaces"),
            ("models", "models"),
            ("datasets", "datasets"),
        ];
        let mut leaves: Vec<(usize, &str, bool)> = Vec::new();
        for (alts, key) in names {
            if let Some(i) = f.column(alts) {
                leaves.push((i, key, key == "tags"));
            }
        }
        for (col, key) in lists {
            if let Some(&i) = f.columns.get(col) {
                leaves.push((i, key, true));
            }
        }
        let mut idx: Vec<usize> = leaves.iter().map(|l| l.0).collect();
        idx.sort_unstable();
        let want: Option<Vec<usize>> = want.map(|w| {
            let mut w = w.to_vec();
            w.sort_unstable();
            w
        });
        let Ok(reader) = group_reader(f, group, &idx) else {
            return;
        };
        let mut offset = 0;
        for batch in reader {
            let Ok(batch) = batch else {
                return;
            };
            let n = batch.num_rows();
            let rows = rows_of(f, &batch, &leaves);
            let rows: Vec<(usize, Row)> = rows
                .into_iter()
                .enumerate()
                .map(|(i, r)| (offset + i, r))
                .filter(|(i, _)| want.as_ref().is_none_or(|w| w.binary_search(i).is_ok()))
                .collect();
            offset += n;
            each(rows);
        }
    }

    fn record(&self, file: usize, row: Row) -> Option<RepoRecord> {
        let kind = kind_of(row.kind.as_deref(), self.files[file].default_kind);
        let id = RepoId::parse(row.id.as_deref()?, kind).ok()?;
        let mut rec = RepoRecord::from_hub_fields(&id, row.hub, row.card.as_deref());
        if let Some(st) = row.status.as_deref().and_then(NodeStatus::from_name) {
            rec.status = st;
        }
        Some(rec)
    }

    /// Every tag-declared child, by parent: `base_model:…:<id>` and `dataset:<id>` tags, and the
    /// `models`/`datasets` a Space lists. Reads those columns of every row group, once.
    fn child_index(&mut self) -> &HashMap<RepoId, Vec<RepoId>> {
        if self.children.is_none() {
            let mut map: HashMap<RepoId, Vec<RepoId>> = HashMap::new();
            for (fi, f) in self.files.iter().enumerate() {
                let groups = builder(&f.path)
                    .map(|b| b.metadata().num_row_groups())
                    .unwrap_or(0);
                for g in 0..groups {
                    for (_, row) in self.rows(fi, g, None) {
                        let Some(child) = row.id.as_deref().and_then(|i| {
                            RepoId::parse(i, kind_of(row.kind.as_deref(), f.default_kind)).ok()
                        }) else {
                            continue;
                        };
                        for t in &row.hub.tags {
                            let parent = if let Some(rest) = t.strip_prefix("base_model:") {
                                let id = rest.rsplit_once(':').map_or(rest, |(_, id)| id);
                                RepoId::parse(id, RepoKind::Model).ok()
                            } else if let Some(d) = t.strip_prefix("dataset:") {
                                RepoId::parse(&format!("datasets/{d}"), RepoKind::Dataset).ok()
                            } else {
                                None
                            };
                            if let Some(p) = parent {
                                map.entry(p).or_default().push(child.clone());
                            }
                        }
                        for (values, kind) in [
                            (&row.hub.models, RepoKind::Model),
                            (&row.hub.datasets, RepoKind::Dataset),
                        ] {
                            for u in values {
                                if let Ok(p) = RepoId::parse(u, kind) {
                                    map.entry(p).or_default().push(child.clone());
                                }
                            }
                        }
                    }
                }
            }
            for v in map.values_mut() {
                v.sort();
                v.dedup();
            }
            self.children = Some(map);
        }
        self.children.get_or_insert_with(HashMap::new)
    }
}

/// The rows of one Arrow batch: the columns in `leaves` (file column, key, whether a list).
fn rows_of(f: &ShardFile, batch: &RecordBatch, leaves: &[(usize, &str, bool)]) -> Vec<Row> {
    let schema = batch.schema();
    let pos = |file_col: usize| -> Option<usize> {
        let name = f.columns.iter().find(|(_, i)| **i == file_col)?.0;
        schema.index_of(name).ok()
    };
    let n = batch.num_rows();
    let mut rows: Vec<Row> = (0..n).map(|_| Row::default()).collect();
    for &(file_col, key, is_list) in leaves {
        let Some(c) = pos(file_col) else { continue };
        let col = batch.column(c);
        if is_list {
            for (r, v) in string_lists(col).into_iter().enumerate() {
                let h = &mut rows[r].hub;
                match key {
                    "tags" => h.tags = v,
                    "siblings" => h.siblings = v,
                    "spaces" => {
                        h.spaces = v;
                        h.spaces_known = true;
                    }
                    "models" => h.models = v,
                    "datasets" => h.datasets = v,
                    _ => {}
                }
            }
            continue;
        }
        for (r, v) in strings(col).into_iter().enumerate() {
            let Some(v) = v else { continue };
            let row = &mut rows[r];
            match key {
                "id" => row.id = Some(v),
                "kind" => row.kind = Some(v),
                "card" => row.card = Some(v),
                "status" => row.status = Some(v),
                "downloads" => row.hub.downloads = v.parse().ok(),
                "likes" => row.hub.likes = v.parse().ok(),
                "lastModified" => row.hub.last_modified = Some(v),
                "createdAt" => row.hub.created = Some(v),
                "sha" => row.hub.sha = Some(v),
                "gated" => row.hub.gated = Some(v),
                // The dump's library_name and pipeline_tag repeat the card's metadata,
                // which is what records use.
                _ => {}
            }
        }
    }
    rows
}

/// How many rows of a row group are read and turned into records at a time.
const SLICE_ROWS: usize = 16 * 1024;

/// A reader of some columns of one row group, [`SLICE_ROWS`] rows per batch.
fn group_reader(
    f: &ShardFile,
    group: usize,
    leaves: &[usize],
) -> Result<parquet::arrow::arrow_reader::ParquetRecordBatchReader, ParquetError> {
    let b = builder(&f.path)?;
    let mask = ProjectionMask::roots(b.parquet_schema(), leaves.iter().copied());
    b.with_projection(mask)
        .with_row_groups(vec![group])
        .with_batch_size(SLICE_ROWS)
        .build()
        .map_err(format_err(&f.path))
}

/// Some columns of one row group, whole (for small columns: ids, kinds).
fn read_group(f: &ShardFile, group: usize, leaves: &[usize]) -> Result<RecordBatch, ParquetError> {
    let batches: Vec<RecordBatch> = group_reader(f, group, leaves)?
        .collect::<Result<_, _>>()
        .map_err(|e| ParquetError::Format {
            path: f.path.clone(),
            source: parquet::errors::ParquetError::ArrowError(e.to_string()),
        })?;
    let Some(first) = batches.first() else {
        return Err(ParquetError::Format {
            path: f.path.clone(),
            source: parquet::errors::ParquetError::General("empty row group".into()),
        });
    };
    if batches.len() == 1 {
        return Ok(first.clone());
    }
    arrow_select::concat::concat_batches(&first.schema(), &batches).map_err(|e| {
        ParquetError::Format {
            path: f.path.clone(),
            source: parquet::errors::ParquetError::ArrowError(e.to_string()),
        }
    })
}

fn entry_finding(message: String) -> Finding {
    Finding::of(Code::SnapshotEntryInvalid, vec![], message)
}

impl Source for ParquetSource {
    fn release(&mut self) {
        self.index = HashMap::new();
        self.children = None;
    }

    fn fetch(&mut self, ids: &[RepoId]) -> Vec<RepoRecord> {
        // Group the wanted rows by row group: each group is read once.
        let mut by_group: BTreeMap<(usize, usize), Vec<usize>> = BTreeMap::new();
        for id in ids {
            if let Some(l) = self.index.get(&id_key(id)) {
                by_group.entry((l.file, l.group)).or_default().push(l.row);
            }
        }
        let mut found: HashMap<RepoId, RepoRecord> = HashMap::new();
        for ((file, group), rows) in by_group {
            let parsed: Vec<RepoRecord> = self
                .rows(file, group, Some(&rows))
                .into_par_iter()
                .filter_map(|(_, row)| self.record(file, row))
                .collect();
            for r in parsed {
                found.insert(r.id.clone(), r);
            }
        }
        ids.iter()
            .map(|id| {
                found.get(id).cloned().unwrap_or_else(|| {
                    RepoRecord::unavailable(id.clone(), NodeStatus::NotFound, "not in the snapshot")
                })
            })
            .collect()
    }

    fn children(&mut self, parents: &[RepoRecord]) -> Vec<Vec<Child>> {
        let index = self.child_index();
        super::children_from(parents, |k| index.get(k))
    }

    fn all_records(&mut self) -> Option<Vec<RepoRecord>> {
        let mut out = Vec::with_capacity(self.rows);
        self.each_record_batch(&mut |mut batch| out.append(&mut batch));
        Some(out)
    }

    fn each_record_batch(&mut self, each: &mut dyn FnMut(Vec<RepoRecord>)) -> bool {
        for fi in 0..self.files.len() {
            let groups = builder(&self.files[fi].path)
                .map(|b| b.metadata().num_row_groups())
                .unwrap_or(0);
            for g in 0..groups {
                self.each_slice(fi, g, None, &mut |rows| {
                    let recs: Vec<RepoRecord> = rows
                        .into_par_iter()
                        .filter_map(|(row, r)| {
                            // Only the row the index kept for each id (duplicates were reported).
                            let rec = self.record(fi, r)?;
                            let l = self.index.get(&id_key(&rec.id))?;
                            (l.file == fi && l.group == g && l.row == row).then_some(rec)
                        })
                        .collect();
                    each(recs);
                });
            }
        }
        true
    }

    fn record_count_hint(&self) -> Option<usize> {
        Some(self.rows)
    }

    fn take_findings(&mut self) -> Vec<Finding> {
        std::mem::take(&mut self.findings)
    }
}
