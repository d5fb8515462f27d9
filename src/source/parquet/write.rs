//! Writing our Parquet snapshots: the dump's columns plus hf-lineage's.

use std::fs::File;
use std::path::Path;

use std::sync::Arc;

use arrow_array::builder::{Int64Builder, ListBuilder, StringBuilder, TimestampMicrosecondBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};

use parquet::arrow::ArrowWriter;

use super::{format_err, ParquetError};
use crate::id::RepoId;

/// Writes repos in the dump's schema plus hf-lineage's columns (`kind`, `status`, `sha`,
/// `gated`, `siblings`, and a Space's `spaces`/`models`/`datasets`), so one reader serves both
/// and the dump's own tools read ours. Timestamps in microseconds, UTC; zstd; 100,000 rows per
/// row group. Returns how many rows were written.
pub fn write_parquet<'a>(
    path: &Path,
    repos: impl IntoIterator<Item = (&'a RepoId, &'a crate::source::hub::RawRepo)>,
) -> Result<usize, ParquetError> {
    let io = |source: std::io::Error| ParquetError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = File::create(path).map_err(io)?;
    let mut w = writer(path, file)?;
    let written = append(path, &mut w, repos)?;
    w.close().map_err(format_err(path))?;
    Ok(written)
}

/// A writer in our schema: zstd, [`ROWS_PER_GROUP`] rows per row group.
pub(super) fn writer(path: &Path, file: File) -> Result<ArrowWriter<File>, ParquetError> {
    let props = parquet::file::properties::WriterProperties::builder()
        .set_compression(parquet::basic::Compression::ZSTD(Default::default()))
        .set_max_row_group_row_count(Some(ROWS_PER_GROUP))
        .build();
    ArrowWriter::try_new(file, schema(), Some(props)).map_err(format_err(path))
}

/// Appends repos as rows; returns how many.
pub(super) fn append<'a>(
    path: &Path,
    w: &mut ArrowWriter<File>,
    repos: impl IntoIterator<Item = (&'a RepoId, &'a crate::source::hub::RawRepo)>,
) -> Result<usize, ParquetError> {
    let schema = schema();
    let mut written = 0usize;
    let mut rows = Columns::new();
    let flush = |rows: Columns, w: &mut ArrowWriter<File>| -> Result<(), ParquetError> {
        let batch = rows.finish(&schema).map_err(|e| ParquetError::Format {
            path: path.to_path_buf(),
            source: parquet::errors::ParquetError::ArrowError(e.to_string()),
        })?;
        w.write(&batch).map_err(format_err(path))
    };
    for (rid, raw) in repos {
        let v = raw
            .info
            .as_deref()
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(b).ok())
            .unwrap_or_else(|| serde_json::json!({}));
        let readme = raw
            .readme
            .as_deref()
            .map(|b| String::from_utf8_lossy(b).into_owned());
        rows.push(rid, &v, readme);
        written += 1;
        if rows.len >= ROWS_PER_GROUP {
            flush(std::mem::replace(&mut rows, Columns::new()), w)?;
        }
    }
    if rows.len > 0 {
        flush(rows, w)?;
    }
    Ok(written)
}

/// Rows per row group (and per batch held while writing).
const ROWS_PER_GROUP: usize = 100_000;

/// The list columns, in the order [`Columns::finish`] places them.
const LISTS: [&str; 5] = ["tags", "siblings", "spaces", "models", "datasets"];

/// The schema: the dump's columns, then ours.
pub(super) fn schema() -> SchemaRef {
    let ts = || DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()));
    let list = || DataType::List(Arc::new(Field::new("item", DataType::Utf8, true)));
    Arc::new(Schema::new(vec![
        Field::new("modelId", DataType::Utf8, false),
        Field::new("author", DataType::Utf8, true),
        Field::new("last_modified", ts(), true),
        Field::new("downloads", DataType::Int64, true),
        Field::new("likes", DataType::Int64, true),
        Field::new("library_name", DataType::Utf8, true),
        Field::new("tags", list(), true),
        Field::new("pipeline_tag", DataType::Utf8, true),
        Field::new("createdAt", ts(), true),
        Field::new("card", DataType::Utf8, true),
        Field::new("kind", DataType::Utf8, false),
        Field::new("status", DataType::Utf8, false),
        Field::new("sha", DataType::Utf8, true),
        Field::new("gated", DataType::Utf8, true),
        Field::new("siblings", list(), true),
        Field::new("spaces", list(), true),
        Field::new("models", list(), true),
        Field::new("datasets", list(), true),
    ]))
}

/// One batch of rows being built, a builder per column.
struct Columns {
    len: usize,
    id: StringBuilder,
    author: StringBuilder,
    last: TimestampMicrosecondBuilder,
    created: TimestampMicrosecondBuilder,
    downloads: Int64Builder,
    likes: Int64Builder,
    library: StringBuilder,
    pipeline: StringBuilder,
    card: StringBuilder,
    kind: StringBuilder,
    status: StringBuilder,
    sha: StringBuilder,
    gated: StringBuilder,
    /// In the order of [`LISTS`].
    lists: Vec<ListBuilder<StringBuilder>>,
}

impl Columns {
    fn new() -> Columns {
        let utc = || TimestampMicrosecondBuilder::new().with_timezone("UTC");
        Columns {
            len: 0,
            id: StringBuilder::new(),
            author: StringBuilder::new(),
            last: utc(),
            created: utc(),
            downloads: Int64Builder::new(),
            likes: Int64Builder::new(),
            library: StringBuilder::new(),
            pipeline: StringBuilder::new(),
            card: StringBuilder::new(),
            kind: StringBuilder::new(),
            status: StringBuilder::new(),
            sha: StringBuilder::new(),
            gated: StringBuilder::new(),
            lists: LISTS
                .iter()
                .map(|_| ListBuilder::new(StringBuilder::new()))
                .collect(),
        }
    }

    /// Adds one repo: its API body `v` and its README.
    fn push(&mut self, rid: &RepoId, v: &serde_json::Value, readme: Option<String>) {
        let s = |k: &str| v.get(k).and_then(|x| x.as_str());
        let micros = |k: &str| {
            s(k).and_then(crate::record::Timestamp::parse)
                .map(crate::record::Timestamp::micros)
        };
        self.len += 1;
        self.id.append_value(rid.name());
        self.author
            .append_option(rid.name().split_once('/').map(|(o, _)| o));
        self.last.append_option(micros("lastModified"));
        self.created.append_option(micros("createdAt"));
        self.downloads
            .append_option(v.get("downloads").and_then(|x| x.as_i64()));
        self.likes
            .append_option(v.get("likes").and_then(|x| x.as_i64()));
        self.library.append_option(s("library_name"));
        self.pipeline.append_option(s("pipeline_tag"));
        self.card.append_option(readme);
        self.kind.append_value(rid.kind().as_str());
        self.status.append_value("ok");
        self.sha.append_option(s("sha"));
        self.gated.append_option(match v.get("gated") {
            Some(serde_json::Value::String(g)) => Some(g.clone()),
            Some(serde_json::Value::Bool(true)) => Some("true".into()),
            _ => None,
        });
        for (b, key) in self.lists.iter_mut().zip(LISTS) {
            let Some(items) = v.get(key).and_then(|x| x.as_array()) else {
                b.append(false);
                continue;
            };
            // Plain strings, siblings' `rfilename`, or objects' `id`.
            for item in items {
                let text = item
                    .as_str()
                    .or_else(|| item.get("rfilename").and_then(|f| f.as_str()))
                    .or_else(|| item.get("id").and_then(|f| f.as_str()));
                if let Some(t) = text {
                    b.values().append_value(t);
                }
            }
            b.append(true);
        }
    }

    /// The batch, its columns in the schema's order.
    fn finish(mut self, schema: &SchemaRef) -> Result<RecordBatch, arrow_schema::ArrowError> {
        let mut lists = self
            .lists
            .iter_mut()
            .map(|b| Arc::new(b.finish()) as ArrayRef);
        let mut next = || {
            lists
                .next()
                .unwrap_or_else(|| Arc::new(ListBuilder::new(StringBuilder::new()).finish()))
        };
        let cols: Vec<ArrayRef> = vec![
            Arc::new(self.id.finish()),
            Arc::new(self.author.finish()),
            Arc::new(self.last.finish()),
            Arc::new(self.downloads.finish()),
            Arc::new(self.likes.finish()),
            Arc::new(self.library.finish()),
            next(),
            Arc::new(self.pipeline.finish()),
            Arc::new(self.created.finish()),
            Arc::new(self.card.finish()),
            Arc::new(self.kind.finish()),
            Arc::new(self.status.finish()),
            Arc::new(self.sha.finish()),
            Arc::new(self.gated.finish()),
            next(),
            next(),
            next(),
            next(),
        ];
        RecordBatch::try_new(schema.clone(), cols)
    }
}
