//! Tables for the engines people already run: `nodes`, `edges` and `findings` of a graph, as
//! Parquet (DuckDB, Spark, pandas), CSV in `neo4j-admin import` form, or GraphML (Gephi,
//! networkx). Column names follow the JSON contract (`hf-lineage/graph@1`), plus what whole-Hub
//! questions need (downloads, likes, created, the license family). Parquet timestamps are
//! microseconds, UTC (Spark refuses nanoseconds).

use crate::id::RepoId;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::builder::{Int64Builder, ListBuilder, StringBuilder, TimestampMicrosecondBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, TimeUnit};

use crate::graph::{LineageGraph, RepoRef};
use crate::kb::KnowledgeBase;
use crate::record::Timestamp;
use crate::render::escape::spreadsheet_cell;
use crate::report::Analysis;

/// What went wrong writing the tables.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// A file could not be written.
    #[error("cannot write {path}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Parquet encoding failed.
    #[error("cannot write {path} as Parquet")]
    Parquet {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: parquet::errors::ParquetError,
    },
}

/// One node row.
#[derive(Debug, Clone)]
pub struct NodeRow {
    /// `owner/name`, `datasets/…`, `spaces/…`.
    pub id: String,
    /// `model`, `dataset`, `space`.
    pub kind: &'static str,
    /// `ok`, `not_found` … (as in JSON).
    pub status: &'static str,
    /// Why it could not be read.
    pub reason: Option<String>,
    /// The declared license (several joined by `", "`).
    pub license: Option<String>,
    /// `license_name`.
    pub license_name: Option<String>,
    /// The knowledge base's family of the license (`permissive`, `llama`, …; `none`,
    /// `unresolved`).
    pub license_family: String,
    /// Downloads, when known.
    pub downloads: Option<i64>,
    /// Likes, when known.
    pub likes: Option<i64>,
    /// Created (µs since the epoch, UTC), when known.
    pub created: Option<i64>,
    /// Last modified (µs since the epoch, UTC), when known.
    pub last_modified: Option<i64>,
    /// `pipeline_tag`.
    pub pipeline_tag: Option<String>,
    /// `library_name`.
    pub library_name: Option<String>,
    /// The commit.
    pub sha: Option<String>,
    /// `auto` / `manual` for gated repos.
    pub gated: Option<String>,
    /// Old ids that lead here.
    pub aliases: Vec<String>,
    /// Codes of the findings whose subject it is.
    pub flags: Vec<&'static str>,
}

/// The node rows, sorted by id.
pub fn node_rows(a: &Analysis, kb: &KnowledgeBase) -> Vec<NodeRow> {
    rows_of(a, &a.graph().nodes(), kb)
}

/// The rows of some nodes, in their order (on every core).
fn rows_of(a: &Analysis, nodes: &[RepoRef<'_>], kb: &KnowledgeBase) -> Vec<NodeRow> {
    use rayon::prelude::*;
    nodes
        .par_iter()
        .map(|n| {
            let rec = n.record();
            let meta = &rec.card.meta;
            let family = kb.family_of(meta).to_string();
            NodeRow {
                id: n.id().node_id(),
                kind: n.id().kind().as_str(),
                status: n.status().as_str(),
                reason: rec.reason().map(str::to_string),
                license: meta.declared_license(),
                license_name: meta.license_name().map(str::to_string),
                license_family: family,
                downloads: rec.downloads.map(|d| d as i64),
                likes: rec.likes.map(|d| d as i64),
                created: rec.created.map(Timestamp::micros),
                last_modified: rec.last_modified.map(Timestamp::micros),
                pipeline_tag: meta.pipeline_tag.clone(),
                library_name: meta.library_name.clone(),
                sha: rec.sha().map(str::to_string),
                gated: rec.gated().map(str::to_string),
                aliases: rec.aliases.iter().map(|a| a.node_id()).collect(),
                flags: a.flag_codes(n).map(|c| c.as_str()).collect(),
            }
        })
        .collect()
}

/// Rows per batch (and Parquet row group) of an exported table: whole tables are never held
/// as Arrow arrays at once.
const BATCH_ROWS: usize = 65_536;

/// Writes one table from batches of columns, each batch a row group.
fn parquet_file(
    path: &Path,
    schema: Arc<Schema>,
    batches: impl Iterator<Item = Vec<ArrayRef>>,
) -> Result<(), ExportError> {
    let err = |source| ExportError::Parquet {
        path: path.to_path_buf(),
        source,
    };
    let file = File::create(path).map_err(|source| ExportError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let props = parquet::file::properties::WriterProperties::builder()
        .set_compression(parquet::basic::Compression::ZSTD(Default::default()))
        .set_max_row_group_row_count(Some(BATCH_ROWS))
        .build();
    let mut w =
        parquet::arrow::ArrowWriter::try_new(file, schema.clone(), Some(props)).map_err(err)?;
    for cols in batches {
        let batch = RecordBatch::try_new(schema.clone(), cols)
            .map_err(|e| err(parquet::errors::ParquetError::ArrowError(e.to_string())))?;
        w.write(&batch).map_err(err)?;
    }
    w.close().map_err(err)?;
    Ok(())
}

/// A list column of node ids, written without a string per id.
fn id_lists<'a>(values: impl Iterator<Item = &'a [RepoId]>) -> ArrayRef {
    let mut b = ListBuilder::new(StringBuilder::new());
    let mut id = String::new();
    for v in values {
        for r in v {
            id.clear();
            id.push_str(r.kind().url_prefix());
            id.push_str(r.name());
            b.values().append_value(&id);
        }
        b.append(true);
    }
    Arc::new(b.finish())
}

fn list_of<'a, S: AsRef<str> + 'a>(values: impl Iterator<Item = &'a [S]>) -> ArrayRef {
    let mut b = ListBuilder::new(StringBuilder::new());
    for v in values {
        for s in v {
            b.values().append_value(s.as_ref());
        }
        b.append(true);
    }
    Arc::new(b.finish())
}

fn strings<'a>(values: impl Iterator<Item = Option<&'a str>>) -> ArrayRef {
    let mut b = StringBuilder::new();
    for v in values {
        b.append_option(v);
    }
    Arc::new(b.finish())
}

/// Writes `nodes.parquet`, `edges.parquet`, `findings.parquet` into `dir`: the three tables at
/// once (one thread each), each in row groups of [`BATCH_ROWS`].
pub fn write_parquet_tables(
    a: &Analysis,
    kb: &KnowledgeBase,
    dir: &Path,
) -> Result<(), ExportError> {
    let timed = |table: &'static str, r: Result<(), ExportError>, t: std::time::Instant| {
        tracing::debug!(table, secs = t.elapsed().as_secs_f64(), "table written");
        r
    };
    let (nodes, edges, findings) = std::thread::scope(|scope| {
        let nodes = scope.spawn(|| {
            let t = std::time::Instant::now();
            timed(
                "nodes",
                write_nodes_parquet(a, kb, &dir.join("nodes.parquet")),
                t,
            )
        });
        let edges = scope.spawn(|| {
            let t = std::time::Instant::now();
            timed(
                "edges",
                write_edges_parquet(a.graph(), &dir.join("edges.parquet")),
                t,
            )
        });
        let t = std::time::Instant::now();
        let findings = timed(
            "findings",
            write_findings_parquet(a, &dir.join("findings.parquet")),
            t,
        );
        (nodes.join(), edges.join(), findings)
    });
    let joined = |r: std::thread::Result<Result<(), ExportError>>| {
        r.unwrap_or_else(|_| {
            Err(ExportError::Io {
                path: dir.to_path_buf(),
                source: std::io::Error::other("a table writer panicked"),
            })
        })
    };
    joined(nodes)?;
    joined(edges)?;
    findings
}

fn list_type() -> DataType {
    DataType::List(Arc::new(Field::new("item", DataType::Utf8, true)))
}

fn utf8(name: &str, null: bool) -> Field {
    Field::new(name, DataType::Utf8, null)
}

/// A table as Arrow batches: its schema and its batches of columns.
type Batches<'a> = (Arc<Schema>, Box<dyn Iterator<Item = Vec<ArrayRef>> + 'a>);

fn write_nodes_parquet(a: &Analysis, kb: &KnowledgeBase, path: &Path) -> Result<(), ExportError> {
    let (schema, batches) = node_batches(a, kb);
    parquet_file(path, schema, batches)
}

fn node_batches<'a>(a: &'a Analysis, kb: &'a KnowledgeBase) -> Batches<'a> {
    let ts = || DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()));
    let s = utf8;
    let schema = Arc::new(Schema::new(vec![
        s("id", false),
        s("kind", false),
        s("status", false),
        s("reason", true),
        s("license", true),
        s("license_name", true),
        s("license_family", false),
        Field::new("downloads", DataType::Int64, true),
        Field::new("likes", DataType::Int64, true),
        Field::new("created", ts(), true),
        Field::new("last_modified", ts(), true),
        s("pipeline_tag", true),
        s("library_name", true),
        s("sha", true),
        s("gated", true),
        Field::new("aliases", list_type(), true),
        Field::new("flags", list_type(), true),
    ]));
    let all = a.graph().nodes();
    let starts = (0..all.len()).step_by(BATCH_ROWS);
    let batches = starts.map(move |at| {
        let chunk = &all[at..(at + BATCH_ROWS).min(all.len())];
        let nodes = rows_of(a, chunk, kb);
        let int = |f: &dyn Fn(&NodeRow) -> Option<i64>| -> ArrayRef {
            let mut b = Int64Builder::with_capacity(nodes.len());
            for n in &nodes {
                b.append_option(f(n));
            }
            Arc::new(b.finish())
        };
        let time = |f: &dyn Fn(&NodeRow) -> Option<i64>| -> ArrayRef {
            let mut b =
                TimestampMicrosecondBuilder::with_capacity(nodes.len()).with_timezone("UTC");
            for n in &nodes {
                b.append_option(f(n));
            }
            Arc::new(b.finish())
        };
        vec![
            strings(nodes.iter().map(|n| Some(n.id.as_str()))),
            strings(nodes.iter().map(|n| Some(n.kind))),
            strings(nodes.iter().map(|n| Some(n.status))),
            strings(nodes.iter().map(|n| n.reason.as_deref())),
            strings(nodes.iter().map(|n| n.license.as_deref())),
            strings(nodes.iter().map(|n| n.license_name.as_deref())),
            strings(nodes.iter().map(|n| Some(n.license_family.as_str()))),
            int(&|n| n.downloads),
            int(&|n| n.likes),
            time(&|n| n.created),
            time(&|n| n.last_modified),
            strings(nodes.iter().map(|n| n.pipeline_tag.as_deref())),
            strings(nodes.iter().map(|n| n.library_name.as_deref())),
            strings(nodes.iter().map(|n| n.sha.as_deref())),
            strings(nodes.iter().map(|n| n.gated.as_deref())),
            list_of(nodes.iter().map(|n| n.aliases.as_slice())),
            list_of(nodes.iter().map(|n| n.flags.as_slice())),
        ]
    });
    (schema, Box::new(batches))
}

fn write_edges_parquet(g: &LineageGraph, path: &Path) -> Result<(), ExportError> {
    let (schema, batches) = edge_batches(g);
    parquet_file(path, schema, batches)
}

fn edge_batches(g: &LineageGraph) -> Batches<'_> {
    let schema = Arc::new(Schema::new(vec![
        utf8("upstream", false),
        utf8("downstream", false),
        utf8("relation", false),
        utf8("relation_source", false),
    ]));
    let order = g.sorted_edges();
    let starts = (0..order.len()).step_by(BATCH_ROWS);
    let batches = starts.map(move |at| {
        let slice = &order[at..(at + BATCH_ROWS).min(order.len())];
        let chunk: Vec<_> = slice.iter().filter_map(|&e| g.edge_view(e)).collect();
        let up: Vec<String> = chunk.iter().map(|e| e.upstream.id().node_id()).collect();
        let down: Vec<String> = chunk.iter().map(|e| e.downstream.id().node_id()).collect();
        vec![
            strings(up.iter().map(|x| Some(x.as_str()))),
            strings(down.iter().map(|x| Some(x.as_str()))),
            strings(chunk.iter().map(|e| Some(e.data.relation.as_str()))),
            strings(chunk.iter().map(|e| Some(e.data.source.as_str()))),
        ]
    });
    (schema, Box::new(batches))
}

fn write_findings_parquet(a: &Analysis, path: &Path) -> Result<(), ExportError> {
    let (schema, batches) = finding_batches(a);
    parquet_file(path, schema, batches)
}

fn finding_batches(a: &Analysis) -> Batches<'_> {
    let schema = Arc::new(Schema::new(vec![
        utf8("code", false),
        utf8("severity", false),
        Field::new("nodes", list_type(), false),
        utf8("message", false),
    ]));
    let batches = a.findings().chunks(BATCH_ROWS).map(|f| {
        vec![
            strings(f.iter().map(|x| Some(x.code.as_str()))),
            strings(f.iter().map(|x| Some(x.severity.as_str()))),
            id_lists(f.iter().map(|x| x.nodes.as_slice())),
            strings(f.iter().map(|x| Some(&*x.message))),
        ]
    });
    (schema, Box::new(batches))
}

/// One table in memory, as Arrow record batches (the columns of its Parquet file).
#[derive(Debug, Clone)]
pub struct ArrowTable {
    /// The columns.
    pub schema: Arc<Schema>,
    /// The rows, in batches of at most 65,536.
    pub batches: Vec<RecordBatch>,
}

/// The three tables `export` writes (`nodes`, `edges`, `findings`), in memory, with the same
/// columns: what the Python package hands to Arrow, pandas and polars without a copy.
pub fn arrow_tables(
    a: &Analysis,
    kb: &KnowledgeBase,
) -> Result<[ArrowTable; 3], arrow_schema::ArrowError> {
    let table = |(schema, batches): Batches<'_>| -> Result<ArrowTable, arrow_schema::ArrowError> {
        let batches = batches
            .map(|cols| RecordBatch::try_new(schema.clone(), cols))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ArrowTable { schema, batches })
    };
    Ok([
        table(node_batches(a, kb))?,
        table(edge_batches(a.graph()))?,
        table(finding_batches(a))?,
    ])
}

fn csv_writer(path: &Path) -> Result<csv::Writer<File>, ExportError> {
    csv::Writer::from_path(path).map_err(|e| ExportError::Io {
        path: path.to_path_buf(),
        source: std::io::Error::other(e),
    })
}

/// Writes `nodes.csv`, `edges.csv` and `findings.csv` in `neo4j-admin database import` form:
/// nodes with `:ID` and `:LABEL` (`Model`, `Dataset`, `Space`), edges with `:START_ID`, `:END_ID`
/// and `:TYPE` (the relation, upper case); list columns joined by `;`.
pub fn write_csv_tables(a: &Analysis, kb: &KnowledgeBase, dir: &Path) -> Result<(), ExportError> {
    let g = a.graph();
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |e: csv::Error| ExportError::Io {
            path: path.clone(),
            source: std::io::Error::other(e),
        }
    };
    let p = dir.join("nodes.csv");
    let mut w = csv_writer(&p)?;
    w.write_record([
        "id:ID",
        ":LABEL",
        "kind",
        "status",
        "reason",
        "license",
        "license_name",
        "license_family",
        "downloads:long",
        "likes:long",
        "created:datetime",
        "last_modified:datetime",
        "pipeline_tag",
        "library_name",
        "sha",
        "gated",
        "aliases:string[]",
        "flags:string[]",
    ])
    .map_err(io(&p))?;
    // Text from cards and servers: a cell a spreadsheet would run as a formula is neutralised.
    let opt = |v: &Option<String>| {
        v.as_deref()
            .map(|x| spreadsheet_cell(x).into_owned())
            .unwrap_or_default()
    };
    let num = |v: Option<i64>| v.map(|x| x.to_string()).unwrap_or_default();
    let when = |v: Option<i64>| {
        v.map(|us| {
            let t = std::time::UNIX_EPOCH + std::time::Duration::from_micros(us.max(0) as u64);
            humantime::format_rfc3339_seconds(t).to_string()
        })
        .unwrap_or_default()
    };
    for n in node_rows(a, kb) {
        let label = match n.kind {
            "model" => "Model",
            "dataset" => "Dataset",
            _ => "Space",
        };
        w.write_record([
            n.id.clone(),
            label.to_string(),
            n.kind.to_string(),
            n.status.to_string(),
            opt(&n.reason),
            opt(&n.license),
            opt(&n.license_name),
            n.license_family.clone(),
            num(n.downloads),
            num(n.likes),
            when(n.created),
            when(n.last_modified),
            opt(&n.pipeline_tag),
            opt(&n.library_name),
            opt(&n.sha),
            opt(&n.gated),
            n.aliases.join(";"),
            n.flags.join(";"),
        ])
        .map_err(io(&p))?;
    }
    w.flush().map_err(|source| ExportError::Io {
        path: p.clone(),
        source,
    })?;
    let p = dir.join("edges.csv");
    let mut w = csv_writer(&p)?;
    w.write_record([":START_ID", ":END_ID", ":TYPE", "relation_source"])
        .map_err(io(&p))?;
    for e in g.edges() {
        w.write_record([
            e.upstream.id().node_id(),
            e.downstream.id().node_id(),
            e.data.relation.as_str().to_ascii_uppercase(),
            e.data.source.as_str().to_string(),
        ])
        .map_err(io(&p))?;
    }
    w.flush().map_err(|source| ExportError::Io {
        path: p.clone(),
        source,
    })?;
    let p = dir.join("findings.csv");
    let mut w = csv_writer(&p)?;
    w.write_record(["code", "severity", "nodes", "message"])
        .map_err(io(&p))?;
    for f in a.findings() {
        w.write_record([
            f.code.as_str(),
            f.severity.as_str(),
            &f.nodes
                .iter()
                .map(RepoId::node_id)
                .collect::<Vec<_>>()
                .join(";"),
            &spreadsheet_cell(&f.message),
        ])
        .map_err(io(&p))?;
    }
    w.flush()
        .map_err(|source| ExportError::Io { path: p, source })
}

fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// Writes `lineage.graphml` (scalar attributes only) for Gephi and networkx.
pub fn write_graphml(a: &Analysis, kb: &KnowledgeBase, dir: &Path) -> Result<(), ExportError> {
    let g = a.graph();
    let path = dir.join("lineage.graphml");
    let io = |source| ExportError::Io {
        path: path.clone(),
        source,
    };
    let mut f = std::io::BufWriter::new(File::create(&path).map_err(io)?);
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n",
    );
    let node_keys = [
        ("kind", "string"),
        ("status", "string"),
        ("license", "string"),
        ("license_family", "string"),
        ("downloads", "long"),
        ("likes", "long"),
        ("pipeline_tag", "string"),
        ("flags", "string"),
    ];
    for (k, t) in node_keys {
        out.push_str(&format!(
            "  <key id=\"{k}\" for=\"node\" attr.name=\"{k}\" attr.type=\"{t}\"/>\n"
        ));
    }
    for k in ["relation", "relation_source"] {
        out.push_str(&format!(
            "  <key id=\"{k}\" for=\"edge\" attr.name=\"{k}\" attr.type=\"string\"/>\n"
        ));
    }
    out.push_str("  <graph id=\"lineage\" edgedefault=\"directed\">\n");
    f.write_all(out.as_bytes()).map_err(io)?;
    for n in node_rows(a, kb) {
        let mut s = format!("    <node id=\"{}\">", xml(&n.id));
        let mut data = |k: &str, v: Option<String>| {
            if let Some(v) = v {
                s.push_str(&format!("<data key=\"{k}\">{}</data>", xml(&v)));
            }
        };
        data("kind", Some(n.kind.into()));
        data("status", Some(n.status.into()));
        data("license", n.license.clone());
        data("license_family", Some(n.license_family.clone()));
        data("downloads", n.downloads.map(|x| x.to_string()));
        data("likes", n.likes.map(|x| x.to_string()));
        data("pipeline_tag", n.pipeline_tag.clone());
        data("flags", (!n.flags.is_empty()).then(|| n.flags.join(";")));
        s.push_str("</node>\n");
        f.write_all(s.as_bytes()).map_err(io)?;
    }
    for e in g.edges() {
        let s = format!(
            "    <edge source=\"{}\" target=\"{}\"><data key=\"relation\">{}</data><data key=\"relation_source\">{}</data></edge>\n",
            xml(&e.upstream.id().node_id()),
            xml(&e.downstream.id().node_id()),
            e.data.relation,
            e.data.source
        );
        f.write_all(s.as_bytes()).map_err(io)?;
    }
    f.write_all(b"  </graph>\n</graphml>\n").map_err(io)?;
    f.flush().map_err(io)
}
