//! `snapshot --all --update FILE.parquet`: one of our Parquet snapshots brought up to date
//! in place, atomically.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::path::{Path, PathBuf};

use arrow_array::{Array, BooleanArray, StringArray, TimestampMicrosecondArray};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use super::write::{append, schema, writer};
use super::{format_err, ParquetError};
use crate::id::{RepoId, RepoKind};
use crate::record::Timestamp;
use crate::source::hub::RawRepo;

/// What an update did to the file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Updated {
    /// Repos new to the file.
    pub added: usize,
    /// Repos the file had, rewritten from the listing.
    pub updated: usize,
    /// Repos dropped because the Hub no longer lists them (`--prune`).
    pub removed: usize,
    /// Rows in the file now.
    pub rows: usize,
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> ParquetError + '_ {
    move |source| ParquetError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn not_ours(path: &Path, why: &str) -> ParquetError {
    ParquetError::Format {
        path: path.to_path_buf(),
        source: parquet::errors::ParquetError::General(format!(
            "not an hf-lineage Parquet snapshot ({why}): --update rewrites files `snapshot --out FILE.parquet` wrote"
        )),
    }
}

/// Reads the file's rows in batches, each with its rows' ids.
fn for_each_batch(
    path: &Path,
    mut f: impl FnMut(&arrow_array::RecordBatch, Vec<Option<RepoId>>) -> Result<(), ParquetError>,
) -> Result<(), ParquetError> {
    let file = File::open(path).map_err(io(path))?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .map_err(format_err(path))?
        .build()
        .map_err(format_err(path))?;
    let want = schema();
    for batch in reader {
        let batch = batch.map_err(|e| ParquetError::Format {
            path: path.to_path_buf(),
            source: parquet::errors::ParquetError::ArrowError(e.to_string()),
        })?;
        let names: Vec<&String> = batch
            .schema_ref()
            .fields()
            .iter()
            .map(|f| f.name())
            .collect();
        let ours: Vec<&String> = want.fields().iter().map(|f| f.name()).collect();
        if names != ours {
            return Err(not_ours(path, "its columns differ"));
        }
        let col = |name: &str| {
            batch
                .column_by_name(name)
                .and_then(|c| c.as_any().downcast_ref::<StringArray>())
        };
        let (Some(ids), Some(kinds)) = (col("modelId"), col("kind")) else {
            return Err(not_ours(path, "modelId or kind is not text"));
        };
        let rows: Vec<Option<RepoId>> = (0..batch.num_rows())
            .map(|i| {
                let kind = RepoKind::from_name(kinds.value(i))?;
                RepoId::parse(ids.value(i), kind).ok()
            })
            .collect();
        f(&batch, rows)?;
    }
    Ok(())
}

/// The newest `last_modified` among the file's repos of `kind`.
pub fn newest_modified(path: &Path, kind: RepoKind) -> Result<Option<Timestamp>, ParquetError> {
    let mut newest: Option<i64> = None;
    for_each_batch(path, |batch, ids| {
        let Some(times) = batch
            .column_by_name("last_modified")
            .and_then(|c| c.as_any().downcast_ref::<TimestampMicrosecondArray>())
        else {
            return Err(not_ours(path, "last_modified is not a timestamp"));
        };
        for (i, id) in ids.iter().enumerate() {
            if id.as_ref().is_some_and(|id| id.kind() == kind) && times.is_valid(i) {
                newest = newest.max(Some(times.value(i)));
            }
        }
        Ok(())
    })?;
    Ok(newest.map(Timestamp::from_micros))
}

/// Rewrites the file: its rows, less those `fresh` replaces and — for each kind in `live` — the
/// ids the Hub no longer lists, then `fresh`'s rows. Written beside it and renamed over it, so
/// a crash at any point leaves the old file whole.
pub fn update_parquet(
    path: &Path,
    fresh: &BTreeMap<RepoId, RawRepo>,
    live: &HashMap<RepoKind, HashSet<RepoId>>,
) -> Result<Updated, ParquetError> {
    let tmp: PathBuf = {
        let mut name = path.file_name().unwrap_or_default().to_os_string();
        name.push(format!(".update-{}.tmp", std::process::id()));
        path.with_file_name(name)
    };
    let result = (|| {
        let mut w = writer(&tmp, File::create(&tmp).map_err(io(&tmp))?)?;
        let mut u = Updated::default();
        for_each_batch(path, |batch, ids| {
            let keep: BooleanArray = ids
                .iter()
                .map(|id| {
                    let Some(id) = id else { return Some(true) };
                    if fresh.contains_key(id) {
                        u.updated += 1;
                        return Some(false);
                    }
                    let listed = live.get(&id.kind()).is_none_or(|s| s.contains(id));
                    if !listed {
                        u.removed += 1;
                    }
                    Some(listed)
                })
                .collect();
            let kept = arrow_select::filter::filter_record_batch(batch, &keep).map_err(|e| {
                ParquetError::Format {
                    path: path.to_path_buf(),
                    source: parquet::errors::ParquetError::ArrowError(e.to_string()),
                }
            })?;
            u.rows += kept.num_rows();
            w.write(&kept).map_err(format_err(&tmp))
        })?;
        u.rows += append(&tmp, &mut w, fresh.iter())?;
        u.added = fresh.len() - u.updated;
        let file = w.into_inner().map_err(format_err(&tmp))?;
        file.sync_all().map_err(io(&tmp))?;
        Ok(u)
    })();
    match result {
        Ok(u) => {
            std::fs::rename(&tmp, path).map_err(io(path))?;
            Ok(u)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}
