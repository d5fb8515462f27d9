//! `snapshot --all --update FILE.parquet [--prune]` against the mock Hub: the listing sorted
//! by `lastModified`, newest first, read only down to the file's newest entry; the file merged
//! and rewritten atomically; the result equal to a fresh `--all` of the new state.

use std::path::Path;

use crate::common;
use common::mock_hub::*;
use common::PRODUCTION;
use serde_json::{json, Value};

/// `n` models, model `i` last modified on day `i` of 2025 (so the newest sort last by id).
fn models(n: usize) -> Vec<MockRepo> {
    (0..n)
        .map(|i| {
            model(
                &format!("org{}/m-{i:04}", i % 7),
                i as u32 % 300,
                "apache-2.0",
            )
        })
        .collect()
}

fn model(id: &str, day: u32, license: &str) -> MockRepo {
    let when = chrono_day(day);
    MockRepo::model(
        id,
        json!({
            "cardData": {"license": license},
            "tags": [format!("license:{license}")],
            "lastModified": when,
            "createdAt": "2024-01-01T00:00:00.000Z",
            "sha": format!("{:040}", day),
            "downloads": day,
            "likes": 1,
        }),
        None,
    )
}

/// Day `d` (0-based) from 2025-01-01, as the Hub writes timestamps.
fn chrono_day(d: u32) -> String {
    let (mut month, mut day) = (1u32, d + 1);
    let lengths = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    for len in lengths {
        if day <= len {
            break;
        }
        day -= len;
        month += 1;
    }
    format!("2025-{month:02}-{day:02}T12:00:00.000Z")
}

/// Every row of one of our Parquet snapshots, sorted, as JSON text per row.
fn rows(path: &Path) -> Vec<String> {
    use arrow_array::RecordBatch;
    let file = std::fs::File::open(path).unwrap();
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .build()
        .unwrap();
    let batches: Vec<RecordBatch> = reader.map(|b| b.unwrap()).collect();
    let opts = arrow_cast::display::FormatOptions::default().with_null("∅");
    let mut out = Vec::new();
    for b in &batches {
        // Timestamps as their microseconds (formatting a "UTC" zone needs chrono-tz).
        let plain: Vec<arrow_array::ArrayRef> = b
            .columns()
            .iter()
            .map(|c| match c.data_type() {
                arrow_schema::DataType::Timestamp(..) => {
                    arrow_cast::cast(c, &arrow_schema::DataType::Int64).unwrap()
                }
                _ => c.clone(),
            })
            .collect();
        let cols: Vec<_> = plain
            .iter()
            .map(|c| arrow_cast::display::ArrayFormatter::try_new(c.as_ref(), &opts).unwrap())
            .collect();
        for i in 0..b.num_rows() {
            let row: Vec<String> = cols.iter().map(|f| f.value(i).to_string()).collect();
            out.push(row.join(" | "));
        }
    }
    out.sort();
    out
}

fn live(hub: &MockHub, dir: &Path, args: &[&str]) -> (i32, String, String) {
    PRODUCTION.run(&hub.url(), &dir.join("cache.sqlite"), args, &[])
}

#[test]
fn an_update_reads_a_page_or_two_and_equals_a_fresh_listing() {
    let dir = tempfile::tempdir().unwrap();
    let config = || MockConfig {
        page_size: 50,
        ..Default::default()
    };
    let before = models(290);
    let old = MockHub::start(before.clone(), config());
    let file = dir.path().join("hub.parquet");
    let f = file.to_str().unwrap();
    let (code, _, err) = live(&old, dir.path(), &["snapshot", "--all", "--out", f]);
    assert_eq!(code, 0, "{err}");
    drop(old);
    // The next day: three repos changed (relicensed), two new, two deleted.
    let mut after: Vec<MockRepo> = before
        .into_iter()
        .filter(|r| r.id != "org1/m-0001" && r.id != "org2/m-0002")
        .map(|r| match r.id.as_str() {
            "org3/m-0010" | "org4/m-0011" | "org5/m-0012" => model(&r.id, 295, "mit"),
            _ => r,
        })
        .collect();
    after.push(model("new/a", 296, "apache-2.0"));
    after.push(model("new/b", 297, "cc-by-4.0"));
    let hub = MockHub::start(after, config());
    let updated = dir.path().join("updated.parquet");
    std::fs::copy(&file, &updated).unwrap();
    let u = updated.to_str().unwrap();
    let (code, _, err) = live(
        &hub,
        dir.path(),
        &["snapshot", "--all", "--update", u, "--prune"],
    );
    assert_eq!(code, 0, "{err}");
    // Rewritten from the listing: the three changed, and the file's newest entry itself (the
    // walk takes what was modified at or after it: a repo changed in the same instant is not
    // missed).
    assert!(
        err.contains("2 added, 4 updated, 2 removed, 290 repos"),
        "{err}"
    );
    // The metadata listing, newest first, stopped at the first page older than the file.
    let reqs = hub.requests();
    let sorted: Vec<_> = reqs
        .iter()
        .filter(|r| r.path == "/api/models" && r.query.contains("sort=lastModified"))
        .collect();
    assert!(
        sorted
            .iter()
            .all(|r| r.query.contains("direction=-1") && r.query.contains("expand")),
        "{sorted:?}"
    );
    assert!(
        (1..=2).contains(&sorted.len()),
        "one or two metadata pages, not {}",
        sorted.len()
    );
    // --prune's id listing has no expand: the cheapest pages.
    assert!(reqs
        .iter()
        .filter(|r| r.path == "/api/models" && !r.query.contains("sort="))
        .all(|r| !r.query.contains("expand")));
    // The file equals a fresh --all of the new state, row for row.
    let fresh = dir.path().join("fresh.parquet");
    let (code, _, err) = live(
        &hub,
        dir.path(),
        &["snapshot", "--all", "--out", fresh.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(rows(&updated), rows(&fresh));
    // Without --prune, what was deleted stays (nothing listed says it is gone).
    let kept = dir.path().join("kept.parquet");
    std::fs::copy(&file, &kept).unwrap();
    let (code, _, err) = live(
        &hub,
        dir.path(),
        &["snapshot", "--all", "--update", kept.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("2 added, 4 updated, 0 removed, 292 repos"),
        "{err}"
    );
    // The diff of the two files names the changes.
    let (code, out, err) = common::run(&["diff", f, u, "--format", "json"]);
    assert!(code == 0 || code == 2, "{err}");
    let d: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(d["added"], json!(["new/a", "new/b"]));
    assert_eq!(d["removed"], json!(["org1/m-0001", "org2/m-0002"]));
    let changed: Vec<&str> = d["changed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(changed, ["org3/m-0010", "org4/m-0011", "org5/m-0012"]);
}

#[test]
fn a_killed_update_leaves_the_old_file_and_bad_input_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let hub = MockHub::start(
        models(120),
        MockConfig {
            page_size: 50,
            ..Default::default()
        },
    );
    let file = dir.path().join("hub.parquet");
    let f = file.to_str().unwrap();
    let (code, _, err) = live(&hub, dir.path(), &["snapshot", "--all", "--out", f]);
    assert_eq!(code, 0, "{err}");
    let original = std::fs::read(&file).unwrap();
    // Slow pages: the update is killed while it lists.
    hub.configure(|c| c.latency = std::time::Duration::from_millis(1500));
    #[allow(deprecated)] // cargo_bin: the binary cargo built for these tests
    let exe = assert_cmd::cargo::cargo_bin("hf-lineage");
    let mut child = std::process::Command::new(exe)
        .args(["snapshot", "--all", "--update", f, "--prune", "--endpoint"])
        .arg(hub.url())
        .args(["--cache", dir.path().join("cache.sqlite").to_str().unwrap()])
        .env("HF_HOME", dir.path())
        .env_remove("HF_TOKEN")
        .env_remove("HF_ENDPOINT")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(700));
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(
        std::fs::read(&file).unwrap(),
        original,
        "the old file, whole"
    );
    let (code, out, err) = common::run(&["trace", "org0/m-0000", "--snapshot", f]);
    assert_eq!(code, 0, "still readable: {err}");
    assert!(out.contains("org0/m-0000"));
    // A file that is not one of ours, or none at all: an error, the file untouched.
    let (code, _, err) = live(
        &hub,
        dir.path(),
        &[
            "snapshot",
            "--all",
            "--update",
            dir.path().join("none.parquet").to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1);
    assert!(err.contains("no such file"), "{err}");
    let junk = dir.path().join("junk.parquet");
    std::fs::write(&junk, b"not parquet").unwrap();
    let (code, _, err) = live(
        &hub,
        dir.path(),
        &["snapshot", "--all", "--update", junk.to_str().unwrap()],
    );
    assert_eq!(code, 1, "{err}");
    assert_eq!(std::fs::read(&junk).unwrap(), b"not parquet");
}
