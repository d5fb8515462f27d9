//! The crawler against a mock Hub on 127.0.0.1 (tests/common/mock_hub.rs). Never any other host.

use crate::common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::mock_hub::*;
use common::*;
use serde_json::json;

const SECRET: &str = "hf_SECRETtokenValue123";
/// A token the Hub accepts, of a user who cannot see the private repo.
const OTHER_USER: &str = "hf_otherUserToken456";

fn repos() -> Vec<MockRepo> {
    from_snapshot(&example_snapshot())
}

/// Runs the CLI against a mock: returns (exit code, stdout, stderr).
fn live(hub: &MockHub, cache: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    CRAWL.run(&hub.url(), cache, args, env)
}

fn live_json(hub: &MockHub, cache: &Path, args: &[&str]) -> String {
    CRAWL.trace_json(&hub.url(), cache, args)
}

const ROOTS: [&str; 4] = [
    "meta-llama/Llama-2-7b-hf",
    "mistralai/Mistral-7B-v0.1",
    "TheBloke/dolphin-2.1-mistral-7B-GGUF",
    "mergers/SA-Llama-Slerp-7B",
];

#[test]
fn live_trace_is_the_same_with_15_percent_random_5xx() {
    let dir = tempfile::tempdir().unwrap();
    let data = || {
        let mut r = repos();
        r.extend(family(3, 150));
        r
    };
    let mut args: Vec<&str> = ROOTS.to_vec();
    args.extend([
        "family0/base-0",
        "family1/base-1",
        "family2/base-2",
        "--both",
    ]);
    let clean = MockHub::start(
        data(),
        MockConfig {
            page_size: 4,
            ..Default::default()
        },
    );
    let expected = live_json(&clean, &dir.path().join("a.sqlite"), &args);
    let flaky = MockHub::start(
        data(),
        MockConfig {
            page_size: 4,
            error_rate: 0.15,
            // Faults are seeded, so a run is reproducible; the crawl's last requests go out one
            // at a time, so a seed whose draws there hold six faults in a row (more than the
            // client's six attempts allow, p ≈ 1e-5 per request) fails every time: seed 7 did
            // once the crawl also read files.
            seed: 42,
            ..Default::default()
        },
    );
    let got = live_json(&flaky, &dir.path().join("b.sqlite"), &args);
    let total = flaky.requests().len();
    let failures = flaky.requests().iter().filter(|r| r.status >= 500).count();
    assert!(
        total > 60 && failures * 100 >= total * 8,
        "the faults must actually fire ({failures} 5xx of {total})"
    );
    assert_eq!(got, expected);
    let g: serde_json::Value = serde_json::from_str(&got).unwrap();
    assert!(g["nodes"].as_array().unwrap().len() > 150);
}

#[test]
fn down_crawl_costs_one_call_per_root_and_one_listing_per_model_it_reaches() {
    let dir = tempfile::tempdir().unwrap();
    let hub = MockHub::start(
        repos(),
        MockConfig {
            page_size: 1000,
            ..Default::default()
        },
    );
    let out = live_json(
        &hub,
        &dir.path().join("c.sqlite"),
        &["meta-llama/Llama-2-7b-hf", "--down"],
    );
    let g: serde_json::Value = serde_json::from_str(&out).unwrap();
    let reqs = hub.requests();
    // The production Hub refuses what a route does not accept: not one request may be a 400.
    // (Files the example lists but does not hold are 404 on the resolver.)
    assert!(
        reqs.iter().filter(|r| r.is_api()).all(|r| r.status == 200),
        "{reqs:?}"
    );
    assert!(reqs.iter().all(|r| r.status != 400), "{reqs:?}");
    let info_calls: Vec<_> = reqs
        .iter()
        .filter(|r| r.path.starts_with("/api/models/"))
        .collect();
    // One detail call for the root; children come with their metadata from listings.
    assert_eq!(info_calls.len(), 1, "{info_calls:?}");
    // Listings carry no children counts, so every model reached is listed once (the root only
    // because the Hub counts children for it); never the same listing twice.
    let listed: std::collections::BTreeSet<String> = reqs
        .iter()
        .filter(|r| r.path == "/api/models")
        .map(|r| {
            url::form_urlencoded::parse(r.query.as_bytes())
                .find(|(k, _)| k == "filter")
                .map(|(_, v)| v.trim_start_matches("base_model:").to_string())
                .unwrap()
        })
        .collect();
    let models: std::collections::BTreeSet<String> = g["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "model" && n["status"] == "ok")
        .map(|n| n["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(listed, models);
    assert_eq!(
        reqs.iter().filter(|r| r.path == "/api/models").count(),
        models.len()
    );
    // Spaces come from one Spaces listing per model that has any, never one call per Space.
    let with_spaces: std::collections::BTreeSet<&str> = g["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["relation"] == "used_by")
        .map(|e| e["upstream"].as_str().unwrap())
        .collect();
    assert!(!with_spaces.is_empty());
    let space_listings = reqs.iter().filter(|r| r.path == "/api/spaces").count();
    assert_eq!(space_listings, with_spaces.len());
    assert!(!reqs.iter().any(|r| r.path.starts_with("/api/spaces/")));
    assert_eq!(
        reqs.iter()
            .filter(|r| r.path.ends_with("/README.md"))
            .count(),
        0,
        "trace needs no README bodies"
    );
    // Only the files the tools wrote, only through the resolver.
    assert!(reqs
        .iter()
        .filter(|r| !r.is_api())
        .all(|r| hf_lineage::files::read_limit(r.path.rsplit('/').next().unwrap()).is_some()));
    // Never the same URL twice in one run.
    let mut urls: Vec<String> = reqs
        .iter()
        .map(|r| format!("{}?{}", r.path, r.query))
        .collect();
    let n = urls.len();
    urls.sort();
    urls.dedup();
    assert_eq!(urls.len(), n);
}

#[test]
fn snapshot_of_a_crawl_answers_what_the_live_trace_answered() {
    let dir = tempfile::tempdir().unwrap();
    let hub = MockHub::start(
        repos(),
        MockConfig {
            page_size: 3,
            ..Default::default()
        },
    );
    let cache = dir.path().join("s.sqlite");
    let out = dir.path().join("snap");
    for (root, dir_flag) in [
        ("meta-llama/Llama-2-7b-hf", "--down"),
        ("mergers/SA-Llama-Slerp-7B", "--up"),
        ("mistralai/Mistral-7B-v0.1", "--both"),
    ] {
        let (code, _, err) = live(
            &hub,
            &cache,
            &["snapshot", root, dir_flag, "--out", out.to_str().unwrap()],
            &[],
        );
        assert_eq!(code, 0, "{err}");
        assert!(err.contains("wrote"), "{err}");
        let from_live = live_json(&hub, &cache, &[root, dir_flag]);
        let (code, from_snap, err) = run(&[
            "trace",
            root,
            dir_flag,
            "--format",
            "json",
            "--snapshot",
            out.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{err}");
        assert_eq!(from_snap, from_live, "{root} {dir_flag}");
    }
    // READMEs come through the resolver bucket and land in the snapshot.
    assert!(out
        .join("models/TheBloke/Llama-2-7B-Chat-GGUF/README.md")
        .exists());
    assert!(out
        .join("models/TheBloke/Llama-2-7B-Chat-GGUF/info.json")
        .exists());
    assert!(hub
        .requests()
        .iter()
        .any(|r| r.path == "/TheBloke/Llama-2-7B-Chat-GGUF/resolve/main/README.md"));
}

#[test]
fn tight_quota_announced_in_headers_gets_no_429_however_the_reset_is_rounded() {
    let dir = tempfile::tempdir().unwrap();
    let free = MockHub::start(
        repos(),
        MockConfig {
            page_size: 2,
            ..Default::default()
        },
    );
    let expected = live_json(
        &free,
        &dir.path().join("a.sqlite"),
        &[
            "meta-llama/Llama-2-7b-hf",
            "mistralai/Mistral-7B-v0.1",
            "--down",
        ],
    );
    let total = free.requests().iter().filter(|r| r.is_api()).count();
    assert!(
        total > 12,
        "the crawl must need more than one window ({total} requests)"
    );
    // However the server makes `t` whole (floor: the window ends up to a second after `t`
    // says; nearest; ceil), waiting for the announced reset draws no 429 at a window's edge.
    for rounding in [Rounding::Floor, Rounding::Nearest, Rounding::Ceil] {
        let tight = MockHub::start(
            repos(),
            MockConfig {
                page_size: 2,
                api_quota: (6, 2),
                reset_rounding: rounding,
                ..Default::default()
            },
        );
        let started = Instant::now();
        let got = live_json(
            &tight,
            &dir.path().join(format!("b-{rounding:?}.sqlite")),
            &[
                "meta-llama/Llama-2-7b-hf",
                "mistralai/Mistral-7B-v0.1",
                "--down",
                "--jobs",
                "4",
            ],
        );
        let limited = tight.requests().iter().filter(|r| r.status == 429).count();
        assert_eq!(
            limited, 0,
            "{rounding:?}: the announced budget is never overrun"
        );
        assert_eq!(got, expected, "{rounding:?}");
        // It really waited for the windows to pass.
        assert!(started.elapsed() >= Duration::from_secs(2 * ((total as u64 - 1) / 6)));
    }
}

#[test]
fn killed_crawl_resumes_without_refetching_what_it_completed() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("k.sqlite");
    let hub = MockHub::start(
        repos(),
        MockConfig {
            page_size: 1,
            latency: Duration::from_millis(60),
            ..Default::default()
        },
    );
    let exe = assert_cmd::cargo::cargo_bin("hf-lineage");
    let mut child = Command::new(&exe)
        .args(["snapshot", "meta-llama/Llama-2-7b-hf", "--down", "--out"])
        .arg(dir.path().join("out"))
        .args([
            "--endpoint",
            &hub.url(),
            "--cache",
            cache.to_str().unwrap(),
            "--jobs",
            "2",
        ])
        .env("HF_HOME", dir.path().join("home"))
        .env_remove("HF_TOKEN")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while hub.requests().len() < 8 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    let _ = child.wait();
    let first = hub.requests().len();
    let committed = hf_lineage::hub::cache::Cache::open(&cache)
        .unwrap()
        .urls(&hub.url())
        .unwrap();
    assert!(
        !committed.is_empty() && committed.len() < first + 1,
        "some but not all work was committed: {} of {first}",
        committed.len()
    );
    hub.reset_log();
    let (code, _, err) = live(
        &hub,
        &cache,
        &[
            "snapshot",
            "meta-llama/Llama-2-7b-hf",
            "--down",
            "--out",
            dir.path().join("out").to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(code, 0, "{err}");
    let again: Vec<String> = hub
        .requests()
        .iter()
        .map(|r| {
            if r.query.is_empty() {
                r.path.clone()
            } else {
                format!("{}?{}", r.path, r.query)
            }
        })
        .collect();
    for url in &committed {
        assert!(!again.contains(url), "refetched {url}");
    }
    // The resumed crawl is complete: a live trace from the cache alone gives the same graph.
    let resumed = run(&[
        "trace",
        "meta-llama/Llama-2-7b-hf",
        "--down",
        "--format",
        "json",
        "--snapshot",
        dir.path().join("out").to_str().unwrap(),
    ])
    .1;
    let fresh = MockHub::start(
        repos(),
        MockConfig {
            page_size: 1,
            ..Default::default()
        },
    );
    let (_, _, _) = live(
        &fresh,
        &dir.path().join("f.sqlite"),
        &[
            "snapshot",
            "meta-llama/Llama-2-7b-hf",
            "--down",
            "--out",
            dir.path().join("out2").to_str().unwrap(),
        ],
        &[],
    );
    let complete = run(&[
        "trace",
        "meta-llama/Llama-2-7b-hf",
        "--down",
        "--format",
        "json",
        "--snapshot",
        dir.path().join("out2").to_str().unwrap(),
    ])
    .1;
    assert_eq!(resumed, complete);
}

fn private_repos() -> Vec<MockRepo> {
    let mut r = repos();
    let card = json!({"license": "apache-2.0", "base_model": "mistralai/Mistral-7B-v0.1"});
    r.push(MockRepo {
        kind: "models",
        id: "secret-org/private-ft".into(),
        info: json!({"id": "secret-org/private-ft", "cardData": card, "tags": ["base_model:mistralai/Mistral-7B-v0.1"], "siblings": []}),
        readme: Some("---\nlicense: apache-2.0\nbase_model: mistralai/Mistral-7B-v0.1\n---\nprivate".into()),
        private_token: Some(SECRET.into()),
        ..Default::default()
    });
    r
}

#[test]
fn private_repos_need_the_right_token_and_the_token_never_leaks() {
    let dir = tempfile::tempdir().unwrap();
    let hub = MockHub::start(
        private_repos(),
        MockConfig {
            valid_tokens: vec![OTHER_USER.into()],
            ..Default::default()
        },
    );
    let cache = dir.path().join("t.sqlite");
    // Without a token: 401 RepoNotFound → not_found (missing, or private). With a token the Hub
    // accepts but that cannot see the repo: 404 → not_found.
    let (_, out, _) = live(
        &hub,
        &dir.path().join("n.sqlite"),
        &["trace", "secret-org/private-ft", "--format", "json"],
        &[],
    );
    let g: serde_json::Value = serde_json::from_str(&out).unwrap();
    let n = node(&g, "secret-org/private-ft");
    assert_eq!(n["status"], "not_found");
    assert!(n["reason"].as_str().unwrap().contains("private"), "{n}");
    let (_, out, _) = live(
        &hub,
        &dir.path().join("w.sqlite"),
        &["trace", "secret-org/private-ft", "--format", "json"],
        &[("HF_TOKEN", OTHER_USER)],
    );
    let g: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(node(&g, "secret-org/private-ft")["status"], "not_found");
    // With the right token (from the token file): visible, and the token is nowhere.
    let home = dir.path().join("hf-home");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::write(home.join("token"), SECRET).unwrap();
    let snap = dir.path().join("snap");
    let (code, out, err) = live(
        &hub,
        &cache,
        &[
            "-vv",
            "trace",
            "secret-org/private-ft",
            "--both",
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(code, 0, "{err}");
    let g: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(node(&g, "secret-org/private-ft")["status"], "ok");
    assert!(err.contains("GET"), "-vv logs requests: {err}");
    let (code, out2, err2) = live(
        &hub,
        &cache,
        &[
            "-vv",
            "snapshot",
            "secret-org/private-ft",
            "--out",
            snap.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(code, 0, "{err2}");
    for text in [&out, &err, &out2, &err2] {
        assert!(
            !text.contains(SECRET) && !text.contains("SECRETtoken"),
            "token printed"
        );
    }
    for file in files_under(dir.path()) {
        if file.starts_with(&home) {
            continue;
        }
        let bytes = std::fs::read(&file).unwrap();
        assert!(
            !bytes.windows(SECRET.len()).any(|w| w == SECRET.as_bytes()),
            "token in {}",
            file.display()
        );
    }
    // What was fetched with the token is not served from the cache to a run without one.
    std::fs::remove_file(home.join("token")).unwrap();
    let (_, out3, _) = live(
        &hub,
        &cache,
        &["trace", "secret-org/private-ft", "--format", "json"],
        &[],
    );
    let g: serde_json::Value = serde_json::from_str(&out3).unwrap();
    assert_eq!(node(&g, "secret-org/private-ft")["status"], "not_found");
    // Sent as a bearer token, and only ever to the endpoint.
    assert!(hub
        .requests()
        .iter()
        .any(|r| r.auth.as_deref() == Some(&format!("Bearer {SECRET}"))));
}

#[test]
fn offline_makes_zero_requests() {
    let dir = tempfile::tempdir().unwrap();
    let hub = MockHub::start(repos(), MockConfig::default());
    let cache = dir.path().join("o.sqlite");
    let (code, _, err) = live(
        &hub,
        &cache,
        &["trace", "TheBloke/Llama-2-7B-Chat-GGUF"],
        &[("HF_HUB_OFFLINE", "1")],
    );
    assert_eq!(code, 1);
    assert!(
        err.contains("HF_HUB_OFFLINE") && err.contains("TheBloke/Llama-2-7B-Chat-GGUF"),
        "{err}"
    );
    assert_eq!(hub.requests().len(), 0);
    let online = live_json(&hub, &cache, &["TheBloke/Llama-2-7B-Chat-GGUF"]);
    hub.reset_log();
    let (code, offline, err) = live(
        &hub,
        &cache,
        &[
            "trace",
            "TheBloke/Llama-2-7B-Chat-GGUF",
            "--format",
            "json",
            "--refresh",
        ],
        &[("HF_HUB_OFFLINE", "YES")],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(offline, online);
    assert_eq!(hub.requests().len(), 0);
}

#[test]
fn fresh_cache_hits_make_no_request_and_stale_ones_revalidate() {
    let dir = tempfile::tempdir().unwrap();
    let hub = MockHub::start(repos(), MockConfig::default());
    let cache = dir.path().join("f.sqlite");
    let first = live_json(&hub, &cache, &["TheBloke/Llama-2-7B-Chat-GGUF"]);
    let n = hub.requests().len();
    assert!(n >= 3);
    hub.reset_log();
    assert_eq!(
        live_json(&hub, &cache, &["TheBloke/Llama-2-7B-Chat-GGUF"]),
        first
    );
    assert_eq!(hub.requests().len(), 0, "fresh cache: no request");
    let stale = live_json(
        &hub,
        &cache,
        &["TheBloke/Llama-2-7B-Chat-GGUF", "--max-age", "0s"],
    );
    assert_eq!(stale, first);
    // Every answer with an ETag revalidates (the example's listed-but-absent files are 404s,
    // which carry none and are asked again).
    let statuses: Vec<u16> = hub
        .requests()
        .iter()
        .map(|r| r.status)
        .filter(|s| *s != 404)
        .collect();
    assert_eq!(
        statuses,
        vec![304; statuses.len()],
        "stale entries revalidate with If-None-Match"
    );
    assert_eq!(hub.requests().len(), n);
}

#[test]
fn renames_redirect_loops_resets_slowness_and_foreign_links() {
    let dir = tempfile::tempdir().unwrap();
    let mut rs = repos();
    // A card naming the old id of a renamed repo, served behind a 307 like the Hub does.
    rs.push(MockRepo {
        kind: "models",
        id: "fan/dolphin-ft".into(),
        info: json!({"id": "fan/dolphin-ft", "cardData": {"base_model": "ehartford/dolphin-2.1-mistral-7b"}, "tags": [], "siblings": []}),
        readme: None,
        ..Default::default()
    });
    rs.push(MockRepo {
        kind: "models",
        id: "loopy/child".into(),
        info: json!({"id": "loopy/child", "cardData": {"base_model": "loopy/parent"}, "tags": [], "siblings": []}),
        readme: None,
        ..Default::default()
    });
    rs.retain(|r| r.id != "cognitivecomputations/dolphin-2.1-mistral-7b" || r.kind != "models");
    let mut dolphin = from_snapshot(&example_snapshot())
        .into_iter()
        .find(|r| r.id == "cognitivecomputations/dolphin-2.1-mistral-7b")
        .unwrap();
    dolphin.info["id"] = json!("cognitivecomputations/dolphin-2.1-mistral-7b");
    rs.push(dolphin);
    let mut slow = std::collections::HashMap::new();
    slow.insert(
        "/api/models/mistralai/Mistral-7B-v0.1".to_string(),
        Duration::from_secs(4),
    );
    let mut reset = std::collections::HashSet::new();
    reset.insert("/api/models/fan/dolphin-ft".to_string());
    let other_host = MockHub::start_on("127.0.0.2:0", vec![], MockConfig::default());
    let hub = MockHub::with_rename(
        rs,
        &[(
            "models",
            "ehartford/dolphin-2.1-mistral-7b",
            "cognitivecomputations/dolphin-2.1-mistral-7b",
        )],
        &[("models", "loopy/parent")],
        MockConfig {
            slow_once: slow,
            reset_once: reset,
            page_size: 1,
            foreign_next: Some(other_host.url()),
            ..Default::default()
        },
    );
    let out = live_json(
        &hub,
        &dir.path().join("r.sqlite"),
        &[
            "fan/dolphin-ft",
            "loopy/child",
            "meta-llama/Llama-2-7b-chat-hf",
            "--both",
        ],
    );
    let g: serde_json::Value = serde_json::from_str(&out).unwrap();
    // The 307 rename: the canonical id is the node, the old id an alias, the edge lands on it.
    let d = node(&g, "cognitivecomputations/dolphin-2.1-mistral-7b");
    assert_eq!(d["status"], "ok");
    assert_eq!(d["aliases"], json!(["ehartford/dolphin-2.1-mistral-7b"]));
    assert!(edges(&g).contains(&(
        "cognitivecomputations/dolphin-2.1-mistral-7b".into(),
        "fan/dolphin-ft".into(),
        "finetune".into()
    )));
    // The reset response was retried; the slow one timed out once and was retried.
    assert_eq!(node(&g, "fan/dolphin-ft")["status"], "ok");
    assert_eq!(node(&g, "mistralai/Mistral-7B-v0.1")["status"], "ok");
    // A redirect loop is a node status with the reason.
    let p = node(&g, "loopy/parent");
    assert_eq!(p["status"], "error");
    assert!(p["reason"].as_str().unwrap().contains("redirect"), "{p}");
    // A Link header pointing elsewhere is a finding, and the other host saw nothing.
    let codes: Vec<&str> = g["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"crawl-foreign-link"), "{codes:?}");
    assert_eq!(other_host.requests().len(), 0);
}

#[test]
fn bad_bodies_become_statuses_and_findings() {
    let dir = tempfile::tempdir().unwrap();
    let mut rs = repos();
    rs.push(MockRepo {
        kind: "models",
        id: "odd/not-json".into(),
        info: json!("<html>maintenance</html>"),
        readme: None,
        ..Default::default()
    });
    rs.push(MockRepo {
        kind: "models",
        id: "odd/wrong-types".into(),
        info: json!({"id": "odd/wrong-types", "cardData": {"base_model": 42, "license": {"x": 1}, "datasets": "not a/list/at all"}, "tags": "nope", "siblings": 5}),
        readme: Some(format!("---\nlicense: mit\n---\n{}", "big card ".repeat(1_200_000))),
        ..Default::default()
    });
    let hub = MockHub::start(rs, MockConfig::default());
    let snap = dir.path().join("snap");
    let (code, _, err) = live(
        &hub,
        &dir.path().join("b.sqlite"),
        &[
            "snapshot",
            "odd/not-json",
            "odd/wrong-types",
            "--out",
            snap.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        std::fs::metadata(snap.join("models/odd/wrong-types/README.md"))
            .unwrap()
            .len()
            > 10_000_000
    );
    let out = live_json(
        &hub,
        &dir.path().join("b.sqlite"),
        &["odd/not-json", "odd/wrong-types"],
    );
    let g: serde_json::Value = serde_json::from_str(&out).unwrap();
    let f = g["findings"].as_array().unwrap();
    let has = |code: &str, n: &str| f.iter().any(|x| x["code"] == code && x["nodes"][0] == n);
    assert!(has("repo-data-invalid", "odd/not-json"), "{f:?}");
    assert!(has("card-wrong-type", "odd/wrong-types"), "{f:?}");
}

#[test]
fn our_own_rate_ceiling_spaces_requests() {
    let dir = tempfile::tempdir().unwrap();
    let hub = MockHub::start(
        repos(),
        MockConfig {
            page_size: 1,
            ..Default::default()
        },
    );
    let started = Instant::now();
    let out = live_json(
        &hub,
        &dir.path().join("r.sqlite"),
        &["meta-llama/Llama-2-7b-hf", "--down", "--rate", "4/1"],
    );
    let n = hub.requests().iter().filter(|r| r.is_api()).count() as u64;
    assert!(n >= 10, "{n} requests");
    // A burst of half the quota (2), then the other half spread over the window: one per 1/2 s.
    let floor = Duration::from_millis((n - 2) * 500 * 9 / 10);
    assert!(
        started.elapsed() >= floor,
        "{n} requests in {:?}",
        started.elapsed()
    );
    let again = live_json(
        &MockHub::start(
            repos(),
            MockConfig {
                page_size: 1,
                ..Default::default()
            },
        ),
        &dir.path().join("s.sqlite"),
        &["meta-llama/Llama-2-7b-hf", "--down"],
    );
    assert_eq!(out, again);
}
