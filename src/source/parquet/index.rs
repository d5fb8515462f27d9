//! Indexing a Parquet file: where each repo's row is, as a 64-bit key per row.

use std::collections::HashMap;
use std::path::Path;

use arrow_array::{Array, StringArray};
use arrow_schema::DataType;

use super::columns::{strings, EXPECTED};
use super::{builder, entry_finding, kind_of, read_group, Loc, ParquetError, ShardFile, ID, KIND};
use crate::finding::Finding;
use crate::id::{RepoId, RepoKind};

/// One file's share of the index: (key, where, id for messages) per row, and its bad rows.
pub(super) struct FileIndex {
    pub(super) file: ShardFile,
    pub(super) entries: Vec<(u64, Loc)>,
    pub(super) findings: Vec<Finding>,
}

pub(super) fn index_file(fi: usize, p: &Path) -> Result<FileIndex, ParquetError> {
    let b = builder(p)?;
    let schema = b.schema().clone();
    let columns: HashMap<String, usize> = schema
        .fields()
        .iter()
        .enumerate()
        .map(|(i, f)| (f.name().clone(), i))
        .collect();
    // A column read as one type and written as another is refused, naming it: ids that are
    // integers would otherwise be read as the ids "1", "2".
    for f in schema.fields() {
        let Some((_, expect)) = EXPECTED.iter().find(|(n, _)| n == f.name()) else {
            continue;
        };
        if !expect.accepts(f.data_type()) {
            return Err(ParquetError::ColumnType {
                path: p.to_path_buf(),
                column: f.name().clone(),
                found: f.data_type().to_string(),
                expected: expect.name(),
            });
        }
    }
    let default_kind = if columns.contains_key("datasetId") {
        RepoKind::Dataset
    } else {
        RepoKind::Model
    };
    let file = ShardFile {
        path: p.to_path_buf(),
        columns,
        default_kind,
    };
    let Some(id_col) = file.column(ID) else {
        let mut names: Vec<&String> = file.columns.keys().collect();
        names.sort();
        return Err(ParquetError::NoId {
            path: p.to_path_buf(),
            columns: names
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        });
    };
    let mut leaves = vec![id_col];
    leaves.extend(file.column(KIND));
    let mut out = FileIndex {
        entries: vec![],
        findings: vec![],
        file,
    };
    for g in 0..b.metadata().num_row_groups() {
        let batch = read_group(&out.file, g, &leaves)?;
        // Borrow the id strings straight from the column (no copy per row).
        let ids_col = match batch.column(0).data_type() {
            DataType::Utf8 => batch.column(0).clone(),
            _ => arrow_cast::cast(batch.column(0), &DataType::Utf8).map_err(|e| {
                ParquetError::Format {
                    path: p.to_path_buf(),
                    source: parquet::errors::ParquetError::ArrowError(e.to_string()),
                }
            })?,
        };
        let Some(ids) = ids_col.as_any().downcast_ref::<StringArray>() else {
            continue;
        };
        let kinds = if batch.num_columns() > 1 {
            strings(batch.column(1))
        } else {
            vec![]
        };
        for row in 0..ids.len() {
            let where_ = || format!("{}: row group {g}, row {row}", p.display());
            let id = (!ids.is_null(row)).then(|| ids.value(row));
            let Some(id) = id.filter(|s| !s.trim().is_empty()) else {
                out.findings.push(entry_finding(format!(
                    "{}: the id is null; row skipped",
                    where_()
                )));
                continue;
            };
            let kind = kind_of(
                kinds.get(row).and_then(|k| k.as_deref()),
                out.file.default_kind,
            );
            if plain_id(id) {
                out.entries.push((
                    key_of(kind, id),
                    Loc {
                        file: fi,
                        group: g,
                        row,
                    },
                ));
                continue;
            }
            match RepoId::parse(id, kind) {
                Ok(rid) => out.entries.push((
                    id_key(&rid),
                    Loc {
                        file: fi,
                        group: g,
                        row,
                    },
                )),
                Err(e) => out
                    .findings
                    .push(entry_finding(format!("{}: {e}; row skipped", where_()))),
            }
        }
    }
    Ok(out)
}

/// The index key of an id: its kind and lowercase name, hashed (ids are case-insensitive).
pub(super) fn id_key(id: &RepoId) -> u64 {
    key_of(id.kind(), id.name())
}

fn key_of(kind: RepoKind, name: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    kind.hash(&mut h);
    for b in name.bytes() {
        h.write_u8(b.to_ascii_lowercase());
    }
    h.finish()
}

/// Whether a value is already a plain `owner/name` (or legacy `name`) id, as dump rows are:
/// then its key is computed without building a [`RepoId`]; anything else goes through
/// [`RepoId::parse`], which also says why a value is not an id.
fn plain_id(s: &str) -> bool {
    let mut parts = s.split('/');
    let ok = |p: &str| {
        !p.is_empty()
            && p.len() <= 96
            && p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
            && !p.starts_with(['-', '.'])
            && !p.ends_with(['-', '.'])
            && !p.contains("--")
            && !p.contains("..")
    };
    match (parts.next(), parts.next(), parts.next()) {
        (Some(a), None, None) => ok(a),
        (Some(a), Some(b), None) => ok(a) && ok(b),
        _ => false,
    }
}
