//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

/// The project root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The bundled example snapshot.
pub fn example_snapshot() -> PathBuf {
    root().join("examples/hub-snapshot")
}

/// `../shared/cards` beside the project, when present. Tests that need it print why they skip.
pub fn shared_cards(test: &str) -> Option<PathBuf> {
    let p = root().join("../shared/cards");
    if p.join("index.tsv").exists() {
        Some(p)
    } else if std::env::var_os("HF_LINEAGE_REQUIRE_SHARED").is_some_and(|v| v == "1") {
        panic!("{test}: ../shared/cards is required (HF_LINEAGE_REQUIRE_SHARED=1) but not present beside the project");
    } else {
        eprintln!("SKIP {test}: ../shared/cards is not present beside the project (a fresh clone has no ../shared)");
        None
    }
}

/// The binary under test.
pub fn bin() -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("hf-lineage").expect("binary built");
    // The cache (and the links index of snapshots) goes under target/, never the user's home.
    let home = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("hf-home");
    c.env("NO_COLOR", "1")
        .env("HF_HOME", home)
        .env_remove("HF_TOKEN")
        .env_remove("HF_ENDPOINT");
    c
}

/// Runs the binary, returning (exit code, stdout, stderr).
pub fn run(args: &[&str]) -> (i32, String, String) {
    let out = bin().args(args).output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs `trace … --format json` over the example snapshot and parses the JSON.
pub fn trace_json(args: &[&str]) -> serde_json::Value {
    let snap = example_snapshot();
    let mut all: Vec<&str> = vec!["trace"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json", "--snapshot", snap.to_str().unwrap()]);
    let (code, out, err) = run(&all);
    assert_eq!(code, 0, "stderr: {err}");
    serde_json::from_str(&out).expect("valid JSON")
}

/// Edges of a JSON graph as (upstream, downstream, relation) triples.
pub fn edges(g: &serde_json::Value) -> Vec<(String, String, String)> {
    g["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["upstream"].as_str().unwrap().to_string(),
                e["downstream"].as_str().unwrap().to_string(),
                e["relation"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The node with this id in a JSON graph.
pub fn node<'a>(g: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    g["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == id)
        .unwrap_or_else(|| panic!("no node {id}"))
}
/// The mock Hub (its own dev crate, `crates/mock-hub`).
#[allow(unused_imports)]
pub mod mock_hub {
    pub use ::mock_hub::*;
}
