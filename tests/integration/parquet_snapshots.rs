//! Parquet snapshots (the Hub's card dump and our own files) and `export`.

use std::sync::Arc;

use crate::common::*;
use arrow_array::builder::{ListBuilder, StringBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema};

/// Writes a tiny dump shard with the given id column name and rows (id, tags, card).
fn shard(path: &std::path::Path, id_col: &str, rows: &[(Option<&str>, &[&str], &str)]) {
    let schema = Arc::new(Schema::new(vec![
        Field::new(id_col, DataType::Utf8, true),
        Field::new(
            "tags",
            DataType::List(Arc::new(Field::new("element", DataType::Utf8, true))),
            true,
        ),
        Field::new("card", DataType::Utf8, true),
        Field::new("an_extra_column", DataType::Utf8, true),
    ]));
    let mut id = StringBuilder::new();
    let mut tags = ListBuilder::new(StringBuilder::new()).with_field(Arc::new(Field::new(
        "element",
        DataType::Utf8,
        true,
    )));
    let mut card = StringBuilder::new();
    let mut extra = StringBuilder::new();
    for (i, t, c) in rows {
        id.append_option(*i);
        for x in *t {
            tags.values().append_value(x);
        }
        tags.append(true);
        card.append_value(c);
        extra.append_value("ignored");
    }
    let cols: Vec<ArrayRef> = vec![
        Arc::new(id.finish()),
        Arc::new(tags.finish()),
        Arc::new(card.finish()),
        Arc::new(extra.finish()),
    ];
    write_batch(path, schema, cols);
}

/// Writes one batch as a Parquet file.
fn write_batch(path: &std::path::Path, schema: Arc<Schema>, cols: Vec<ArrayRef>) {
    let mut w = parquet::arrow::ArrowWriter::try_new(
        std::fs::File::create(path).unwrap(),
        schema.clone(),
        None,
    )
    .unwrap();
    w.write(&RecordBatch::try_new(schema, cols).unwrap())
        .unwrap();
    w.close().unwrap();
}

fn dump(dir: &std::path::Path) {
    let big = format!("---\nlicense: mit\n---\n{}", "x".repeat(20_000_000));
    shard(
        &dir.join("train-00000-of-00002.parquet"),
        "modelId",
        &[
            (Some("org/base"), &["license:apache-2.0"], "---\nlicense: apache-2.0\n---\n# Base\n"),
            (
                Some("q/base-GGUF"),
                &["base_model:org/base", "base_model:quantized:org/base"],
                "---\nlicense: apache-2.0\nbase_model: org/base\n---\nGGUF Q4_K_M of org/base made with llama.cpp.\n",
            ),
            (None, &[], "---\nlicense: mit\n---\n"),
            (Some("/root/local/path"), &[], "---\n---\n"),
        ],
    );
    // An older shard: `id`, not `modelId`; a duplicate id; a giant card.
    shard(
        &dir.join("train-00001-of-00002.parquet"),
        "id",
        &[
            (
                Some("ft/chat"),
                &["base_model:org/base", "base_model:finetune:org/base"],
                "---\nlicense: apache-2.0\nbase_model: org/base\ndatasets: [d/chat]\n---\nSFT on d/chat for 2 epochs.\n",
            ),
            (Some("org/base"), &[], "---\nlicense: gpl-3.0\n---\n"),
            (Some("big/card"), &[], big.as_str()),
        ],
    );
}

#[test]
fn the_card_dump_is_a_snapshot_with_drift_and_bad_rows_reported() {
    let dir = tempfile::tempdir().unwrap();
    dump(dir.path());
    let d = dir.path().to_str().unwrap();
    let (code, out, err) = run(&["trace", "q/base-GGUF", "--snapshot", d, "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let g: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        edges(&g),
        vec![("org/base".into(), "q/base-GGUF".into(), "quantized".into())]
    );
    assert_eq!(
        node(&g, "org/base")["license"],
        "apache-2.0",
        "the first row of a duplicate is kept"
    );
    let (code, out, err) = run(&["trace", "org/base", "--down", "--snapshot", d]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("quantized q/base-GGUF") && out.contains("finetune ft/chat"),
        "{out}"
    );
    // A whole-snapshot export reports every bad row, and loses none of the good ones.
    let out = dir.path().join("tables");
    let (code, _, err) = run(&[
        "export",
        "--all",
        "--snapshot",
        d,
        "--out",
        out.to_str().unwrap(),
        "--format",
        "csv",
    ]);
    assert_eq!(code, 0, "{err}");
    let findings = std::fs::read_to_string(out.join("findings.csv")).unwrap();
    assert!(findings.contains("the id is null"), "{findings}");
    assert!(findings.contains("local path"), "{findings}");
    assert!(findings.contains("org/base appears again"), "{findings}");
    assert!(
        findings
            .lines()
            .any(|l| l.starts_with("card-too-large,warn,big/card,")),
        "{findings}"
    );
    let nodes = std::fs::read_to_string(out.join("nodes.csv")).unwrap();
    for want in ["org/base,", "q/base-GGUF,", "ft/chat,", "big/card,"] {
        assert!(
            nodes.lines().any(|l| l.starts_with(want)),
            "{want}: {nodes}"
        );
    }
}

#[test]
fn files_that_are_not_parquet_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("broken.parquet");
    std::fs::write(&bad, b"PAR1 this is not really parquet").unwrap();
    let (code, _, err) = run(&["trace", "a/b", "--snapshot", bad.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("is not a readable Parquet file"), "{err}");
    // A truncated real file.
    let good = dir.path().join("good.parquet");
    shard(&good, "modelId", &[(Some("a/b"), &[], "---\n---\n")]);
    let bytes = std::fs::read(&good).unwrap();
    std::fs::write(&good, &bytes[..bytes.len() / 2]).unwrap();
    let (code, _, err) = run(&["trace", "a/b", "--snapshot", good.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("not a readable Parquet file"), "{err}");
    // No id column.
    let noid = dir.path().join("noid.parquet");
    shard(&noid, "name", &[(Some("a/b"), &[], "")]);
    let (code, _, err) = run(&["trace", "a/b", "--snapshot", noid.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("has no id column"), "{err}");
}

#[test]
fn export_writes_tables_engines_read() {
    let dir = tempfile::tempdir().unwrap();
    let snap = example_snapshot();
    let s = snap.to_str().unwrap();
    for (format, files) in [
        (
            "parquet",
            &["nodes.parquet", "edges.parquet", "findings.parquet"][..],
        ),
        ("csv", &["nodes.csv", "edges.csv", "findings.csv"][..]),
        ("graphml", &["lineage.graphml"][..]),
    ] {
        let out = dir.path().join(format);
        let (code, _, err) = run(&[
            "export",
            "--all",
            "--snapshot",
            s,
            "--out",
            out.to_str().unwrap(),
            "--format",
            format,
        ]);
        assert_eq!(code, 0, "{err}");
        for f in files {
            assert!(out.join(f).exists(), "{format}: {f}");
        }
    }
    // The tables hold what the JSON graph holds.
    let (_, json, _) = run(&["query", "all()", "--snapshot", s, "--format", "json"]);
    let g: serde_json::Value = serde_json::from_str(&json).unwrap();
    let read = |name: &str| {
        let f = std::fs::File::open(dir.path().join("parquet").join(name)).unwrap();
        parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(f)
            .unwrap()
            .build()
            .unwrap()
            .map(|b| b.unwrap().num_rows())
            .sum::<usize>()
    };
    assert_eq!(read("nodes.parquet"), g["nodes"].as_array().unwrap().len());
    assert_eq!(read("edges.parquet"), g["edges"].as_array().unwrap().len());
    let csv = std::fs::read_to_string(dir.path().join("csv/edges.csv")).unwrap();
    assert!(csv.starts_with(":START_ID,:END_ID,:TYPE,relation_source\n"));
    assert!(csv.contains(",QUANTIZED,"));
    let graphml = std::fs::read_to_string(dir.path().join("graphml/lineage.graphml")).unwrap();
    assert!(graphml.contains(
        "<edge source=\"meta-llama/Llama-2-7b-chat-hf\" target=\"TheBloke/Llama-2-7B-Chat-GGUF\">"
    ));
    // Tables of one lineage, and formats export cannot write.
    let (code, _, err) = run(&[
        "export",
        "TheBloke/Llama-2-7B-Chat-GGUF",
        "--snapshot",
        s,
        "--out",
        dir.path().join("one").to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(&[
        "export",
        "--all",
        "--snapshot",
        s,
        "--out",
        "/tmp/x",
        "--format",
        "svg",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("export cannot produce --format svg"), "{err}");
}

/// Row groups are read a slice of rows at a time (so a group of large cards is never in memory
/// whole): a group several slices long must give every row once, in place, with the duplicate
/// of an earlier slice's id reported and the rows a trace asks for found in any slice.
#[test]
fn a_row_group_many_read_slices_long_is_read_whole() {
    let dir = tempfile::tempdir().unwrap();
    let n = 40_000usize;
    let parent = |i: usize| (i - 1) / 2;
    let ids: Vec<String> = (0..n).map(|i| format!("org/m{i}")).collect();
    let tags: Vec<Vec<String>> = (0..n)
        .map(|i| match i {
            0 => vec![],
            _ => vec![format!("base_model:finetune:org/m{}", parent(i))],
        })
        .collect();
    let cards: Vec<String> = (0..n)
        .map(|i| match i {
            0 => "---\nlicense: mit\n---\n# A base\n".to_string(),
            _ => format!(
                "---\nlicense: mit\nbase_model: org/m{}\n---\nFine-tuned for chat.\n",
                parent(i)
            ),
        })
        .collect();
    let tag_refs: Vec<Vec<&str>> = tags
        .iter()
        .map(|t| t.iter().map(String::as_str).collect())
        .collect();
    let mut rows: Vec<(Option<&str>, &[&str], &str)> = (0..n)
        .map(|i| {
            (
                Some(ids[i].as_str()),
                tag_refs[i].as_slice(),
                cards[i].as_str(),
            )
        })
        .collect();
    // The last row repeats an id of the first slice: reported, the first row kept.
    rows.push((Some("org/m5"), &[], "---\nlicense: gpl-3.0\n---\n"));
    let file = dir.path().join("one-group.parquet");
    shard(&file, "modelId", &rows);
    let f = file.to_str().unwrap();
    let out = dir.path().join("out");
    let (code, _, err) = run(&[
        "export",
        "--all",
        "--snapshot",
        f,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let table = |name: &str| {
        let f = std::fs::File::open(out.join(name)).unwrap();
        parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(f)
            .unwrap()
            .build()
            .unwrap()
            .map(|b| b.unwrap())
            .collect::<Vec<_>>()
    };
    let count = |name: &str| table(name).iter().map(|b| b.num_rows()).sum::<usize>();
    assert_eq!(count("nodes.parquet"), n);
    assert_eq!(count("edges.parquet"), n - 1);
    let duplicate_reported = table("findings.parquet").iter().any(|b| {
        let msgs = arrow_cast::display::ArrayFormatter::try_new(
            b.column_by_name("message").unwrap().as_ref(),
            &Default::default(),
        )
        .unwrap();
        (0..b.num_rows()).any(|r| {
            let m = msgs.value(r).to_string();
            m.contains("org/m5 appears again")
        })
    });
    assert!(duplicate_reported);
    // Upward from the last row: every ancestor, each in an earlier slice, and the kept licence.
    let (code, json, err) = run(&["trace", &ids[n - 1], "--snapshot", f, "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let g: serde_json::Value = serde_json::from_str(&json).unwrap();
    let mut chain = vec![n - 1];
    while let Some(&i) = chain.last().filter(|&&i| i > 0) {
        chain.push(parent(i));
    }
    let mut want: Vec<String> = chain.iter().map(|i| ids[*i].clone()).collect();
    want.sort();
    let mut got: Vec<String> = g["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap().to_string())
        .collect();
    got.sort();
    assert_eq!(got, want);
    assert!(g["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .all(|n| n["status"] == "ok" && n["license"] == "mit"));
}

/// Writes a shard whose columns have the given Arrow types: ids or cards as integers, say.
fn typed_shard(path: &std::path::Path, columns: &[(&str, ArrayRef)]) {
    let schema = Arc::new(Schema::new(
        columns
            .iter()
            .map(|(n, a)| Field::new(*n, a.data_type().clone(), true))
            .collect::<Vec<_>>(),
    ));
    write_batch(
        path,
        schema,
        columns.iter().map(|(_, a)| a.clone()).collect(),
    );
}

#[test]
fn columns_of_the_wrong_type_are_errors_naming_file_and_column() {
    use arrow_array::{Int64Array, StringArray};
    let dir = tempfile::tempdir().unwrap();
    let ints: ArrayRef = Arc::new(Int64Array::from(vec![1, 2]));
    let text: ArrayRef = Arc::new(StringArray::from(vec!["a/b", "c/d"]));
    // (file, its columns, the column that must be named)
    type Case<'a> = (&'a str, Vec<(&'a str, ArrayRef)>, &'a str);
    let cases: [Case; 3] = [
        (
            "ids.parquet",
            vec![("modelId", ints.clone()), ("card", text.clone())],
            "modelId",
        ),
        (
            "cards.parquet",
            vec![("modelId", text.clone()), ("card", ints.clone())],
            "card",
        ),
        (
            "downloads.parquet",
            vec![("modelId", text.clone()), ("downloads", text.clone())],
            "downloads",
        ),
    ];
    for (file, columns, column) in cases {
        let path = dir.path().join(file);
        typed_shard(&path, &columns);
        let out = dir.path().join(format!("out-{file}"));
        let (code, _, err) = run(&[
            "export",
            "--all",
            "--snapshot",
            path.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(code, 1, "{file}: {err}");
        assert!(
            err.contains(file) && err.contains(&format!("column {column} is")),
            "{file}: {err}"
        );
    }
    // The right types are read as before.
    let ok = dir.path().join("ok.parquet");
    typed_shard(
        &ok,
        &[
            ("modelId", text),
            (
                "downloads",
                Arc::new(Int64Array::from(vec![5, 6])) as ArrayRef,
            ),
        ],
    );
    let (code, out, err) = run(&["query", "all()", "--snapshot", ok.to_str().unwrap()]);
    assert_eq!((code, out.as_str()), (0, "a/b\nc/d\n"), "{err}");
}
