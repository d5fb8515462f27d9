//! Writing our Parquet snapshots: the dump's columns plus hf-lineage's.

use std::fs::File;
use std::path::Path;

use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::DataType;

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
    use arrow_array::builder::{
        Int64Builder, ListBuilder, StringBuilder, TimestampMicrosecondBuilder,
    };
    use arrow_schema::{Field, Schema, TimeUnit};
    use std::sync::Arc;

    let io = |source: std::io::Error| ParquetError::Io {
        path: path.to_path_buf(),
        source,
    };
    let ts = || DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()));
    let list = || DataType::List(Arc::new(Field::new("item", DataType::Utf8, true)));
    let schema = Arc::new(Schema::new(vec![
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
    ]));
    let props = parquet::file::properties::WriterProperties::builder()
        .set_compression(parquet::basic::Compression::ZSTD(Default::default()))
        .set_max_row_group_row_count(Some(100_000))
        .build();
    let file = File::create(path).map_err(io)?;
    let mut w = parquet::arrow::ArrowWriter::try_new(file, schema.clone(), Some(props))
        .map_err(format_err(path))?;
    let micros = |v: Option<&serde_json::Value>| {
        v.and_then(|s| s.as_str())
            .and_then(crate::record::Timestamp::parse)
            .map(crate::record::Timestamp::micros)
    };
    let mut written = 0usize;
    let mut pending: Vec<(&RepoId, serde_json::Value, Option<String>)> = Vec::new();
    let flush = |pending: &mut Vec<(&RepoId, serde_json::Value, Option<String>)>,
                 w: &mut parquet::arrow::ArrowWriter<File>|
     -> Result<(), ParquetError> {
        if pending.is_empty() {
            return Ok(());
        }
        let mut id = StringBuilder::new();
        let mut author = StringBuilder::new();
        let mut last = TimestampMicrosecondBuilder::new().with_timezone("UTC");
        let mut created = TimestampMicrosecondBuilder::new().with_timezone("UTC");
        let mut downloads = Int64Builder::new();
        let mut likes = Int64Builder::new();
        let mut library = StringBuilder::new();
        let mut pipeline = StringBuilder::new();
        let mut card = StringBuilder::new();
        let mut kind = StringBuilder::new();
        let mut status = StringBuilder::new();
        let mut sha = StringBuilder::new();
        let mut gated = StringBuilder::new();
        let mut lists: Vec<ListBuilder<StringBuilder>> = (0..5)
            .map(|_| ListBuilder::new(StringBuilder::new()))
            .collect();
        for (rid, v, readme) in pending.drain(..) {
            let s = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
            id.append_value(rid.name());
            author.append_option(rid.name().split_once('/').map(|(o, _)| o));
            last.append_option(micros(v.get("lastModified")));
            created.append_option(micros(v.get("createdAt")));
            downloads.append_option(v.get("downloads").and_then(|x| x.as_i64()));
            likes.append_option(v.get("likes").and_then(|x| x.as_i64()));
            library.append_option(s("library_name"));
            pipeline.append_option(s("pipeline_tag"));
            card.append_option(readme);
            kind.append_value(rid.kind().as_str());
            status.append_value("ok");
            sha.append_option(s("sha"));
            gated.append_option(match v.get("gated") {
                Some(serde_json::Value::String(g)) => Some(g.clone()),
                Some(serde_json::Value::Bool(true)) => Some("true".into()),
                _ => None,
            });
            for (b, key) in lists
                .iter_mut()
                .zip(["tags", "siblings", "spaces", "models", "datasets"])
            {
                match v.get(key).and_then(|x| x.as_array()) {
                    Some(a) => {
                        for item in a {
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
                    None => b.append(false),
                }
            }
        }
        let mut cols: Vec<ArrayRef> = vec![
            Arc::new(id.finish()),
            Arc::new(author.finish()),
            Arc::new(last.finish()),
            Arc::new(downloads.finish()),
            Arc::new(likes.finish()),
            Arc::new(library.finish()),
        ];
        let mut l = lists.into_iter();
        let mut next_list = || -> ArrayRef {
            Arc::new(
                l.next()
                    .map(|mut b| b.finish())
                    .unwrap_or_else(|| ListBuilder::new(StringBuilder::new()).finish()),
            )
        };
        let tags = next_list();
        cols.push(tags);
        cols.push(Arc::new(pipeline.finish()));
        cols.push(Arc::new(created.finish()));
        cols.push(Arc::new(card.finish()));
        cols.push(Arc::new(kind.finish()));
        cols.push(Arc::new(status.finish()));
        cols.push(Arc::new(sha.finish()));
        cols.push(Arc::new(gated.finish()));
        for _ in 0..4 {
            cols.push(next_list());
        }
        let batch =
            RecordBatch::try_new(schema.clone(), cols).map_err(|e| ParquetError::Format {
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
        pending.push((rid, v, readme));
        written += 1;
        if pending.len() >= 100_000 {
            flush(&mut pending, &mut w)?;
        }
    }
    flush(&mut pending, &mut w)?;
    w.close().map_err(format_err(path))?;
    Ok(written)
}
