//! Helpers shared by the integration tests: the binary and its runners (offline, and live
//! against the mock Hub), the JSON graph's parts, directory walkers, and one switch for what a
//! test may skip.
//!
//! **Skip or fail.** A test that needs something a fresh clone or a bare machine may lack
//! (`../shared/cards`, Graphviz, Chromium, the official BOM validators) asks [`available`]: it
//! prints `SKIP` and the test returns, or, when `HF_LINEAGE_REQUIRE_SHARED=1` (`.ci/run` sets
//! it), the test fails. That one variable decides for every such test.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::Duration;

/// The project root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The bundled example snapshot.
pub fn example_snapshot() -> PathBuf {
    root().join("examples/hub-snapshot")
}

/// Whether everything a test could skip is required (`HF_LINEAGE_REQUIRE_SHARED=1`).
pub fn everything_required() -> bool {
    std::env::var_os("HF_LINEAGE_REQUIRE_SHARED").is_some_and(|v| v == "1")
}

/// `Some(thing)` when it is there; otherwise a `SKIP` line saying what is missing and how to get
/// it, or, when everything is required, a failure.
pub fn available<T>(thing: Option<T>, test: &str, missing: &str) -> Option<T> {
    if thing.is_some() {
        return thing;
    }
    if everything_required() {
        panic!("{test}: {missing}, and HF_LINEAGE_REQUIRE_SHARED=1 requires it");
    }
    eprintln!("SKIP {test}: {missing}");
    None
}

/// `../shared/cards` beside the project, when present (see [`available`]).
pub fn shared_cards(test: &str) -> Option<PathBuf> {
    let p = root().join("../shared/cards");
    available(
        p.join("index.tsv").exists().then_some(p),
        test,
        "../shared/cards is not present beside the project (a fresh clone has no ../shared)",
    )
}

/// A program on the PATH (see [`available`]); `package` is the Debian package that has it.
pub fn program(name: &str, package: &str, test: &str) -> Option<PathBuf> {
    let found = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {name}"))
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
    available(
        found,
        test,
        &format!("`{name}` is not installed (apt-get install {package})"),
    )
}

/// Every file under a directory, recursively, sorted (nothing when it cannot be read).
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(files_under(&p));
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The repo entries of one kind's directory of a snapshot (`<snapshot>/models`): ids of the
/// directories holding a README.md or an info.json, owner-less (`gpt2`) or `owner/name`; sorted.
pub fn snapshot_entries(kind_dir: &Path) -> Vec<String> {
    let is_entry = |p: &Path| p.join("README.md").exists() || p.join("info.json").exists();
    let mut out = Vec::new();
    for owner in std::fs::read_dir(kind_dir).into_iter().flatten().flatten() {
        let o = owner.file_name().to_string_lossy().into_owned();
        if is_entry(&owner.path()) {
            out.push(o.clone());
        }
        for n in std::fs::read_dir(owner.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            if n.path().is_dir() && is_entry(&n.path()) {
                out.push(format!("{o}/{}", n.file_name().to_string_lossy()));
            }
        }
    }
    out.sort();
    out
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

/// How a test runs the CLI against the mock Hub.
#[derive(Debug, Clone, Copy)]
pub struct Live {
    /// `--timeout` (seconds) for each request.
    pub request_timeout: &'static str,
    /// `--rate` unless the test gives its own: the mock's limits are what count, and our own
    /// ceiling is tested on its own.
    pub rate: Option<&'static str>,
}

/// The crawler tests: short timeouts, no ceiling of our own.
pub const CRAWL: Live = Live {
    request_timeout: "2",
    rate: Some("100000/60"),
};

/// The production-behaviour tests: the tool's own rate ceiling, as users run it.
pub const PRODUCTION: Live = Live {
    request_timeout: "3",
    rate: None,
};

impl Live {
    /// Runs the CLI against `hub_url` with the cache database at `cache` (the Hugging Face home
    /// beside it): (exit code, stdout, stderr). No token, endpoint or offline switch leaks in
    /// from the environment; `env` adds what the test wants.
    pub fn run(
        &self,
        hub_url: &str,
        cache: &Path,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> (i32, String, String) {
        let mut c = bin();
        c.args(args)
            .args([
                "--endpoint",
                hub_url,
                "--cache",
                cache.to_str().unwrap(),
                "--retry-base",
                "5ms",
                "--timeout",
                self.request_timeout,
            ])
            .env_remove("HF_HUB_OFFLINE")
            .env_remove("TRANSFORMERS_OFFLINE")
            .env_remove("HUGGING_FACE_HUB_TOKEN")
            .env_remove("HF_HUB_DISABLE_IMPLICIT_TOKEN")
            .env("HF_HOME", cache.parent().unwrap().join("hf-home"))
            .timeout(Duration::from_secs(240));
        if let Some(rate) = self.rate.filter(|_| !args.contains(&"--rate")) {
            c.args(["--rate", rate]);
        }
        for (k, v) in env {
            c.env(k, v);
        }
        let out = c.output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// `trace ARGS --format json` against the hub, which must succeed; the JSON text.
    pub fn trace_json(&self, hub_url: &str, cache: &Path, args: &[&str]) -> String {
        let mut a = vec!["trace"];
        a.extend_from_slice(args);
        a.extend_from_slice(&["--format", "json"]);
        let (code, out, err) = self.run(hub_url, cache, &a, &[]);
        assert_eq!(code, 0, "stderr: {err}");
        out
    }
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
pub use ::mock_hub::gguf_header;

/// The mock Hub (its own dev crate, `crates/mock-hub`).
#[allow(unused_imports)]
pub mod mock_hub {
    pub use ::mock_hub::*;
}
