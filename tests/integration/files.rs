//! What the files beside a card say, read during a crawl from a mock Hub that serves real file
//! bytes (large ones from a CDN on another host, with `Range`), kept by `snapshot`, read back
//! offline, and checked before an upload (`check DIR`).

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::{json, Value};

use crate::common::mock_hub::{MockConfig, MockHub, MockRepo};
use crate::common::*;

const TOKEN: &str = "hf_files_test_token";
const LLAMA2: &str =
    "LLAMA 2 COMMUNITY LICENSE AGREEMENT\nLlama 2 Version Release Date: July 18, 2023\n";
const APACHE: &str = "                                 Apache License\n                           Version 2.0, January 2004\n";
const MIT: &str = "MIT License\n\nCopyright (c) 2024 someone\n";
const WEIGHTS: usize = 4 << 20;

fn model(id: &str, card: Option<Value>, files: &[(&str, Vec<u8>)]) -> MockRepo {
    let readme = match &card {
        Some(Value::Object(m)) => {
            let mut yaml = String::from("---\n");
            for (k, v) in m {
                yaml.push_str(&format!("{k}: {v}\n"));
            }
            yaml + "---\n# A model\n"
        }
        _ => "# A model\n\nNo metadata here.\n".to_string(),
    };
    let mut r = MockRepo::model(
        id,
        json!({"cardData": card.unwrap_or(json!({})), "tags": [], "sha": "b".repeat(40),
               "siblings": [{"rfilename": "README.md"}, {"rfilename": "model.safetensors"}]}),
        Some(&readme),
    );
    r.files = files
        .iter()
        .map(|(n, b)| (n.to_string(), b.clone()))
        .collect();
    r
}

fn repos(weights: usize) -> Vec<MockRepo> {
    let win = |name: &str| {
        format!("C:/Users/me/.cache/huggingface/hub/models--vendor--{name}/snapshots/7231864a5d1b")
    };
    let merge = format!(
        "slices:\n  - sources:\n      - model: {}\n        layer_range: [0, 32]\n      - model: {}\n        layer_range: [0, 32]\nmerge_method: slerp\nbase_model: {}\n",
        win("base-7b"),
        win("other-7b"),
        win("base-7b")
    );
    let adapter = br#"{"base_model_name_or_path": "vendor/base-7b", "peft_type": "LORA", "r": 16}"#;
    vec![
        model(
            "vendor/base-7b",
            Some(json!({"license": "llama2"})),
            &[("LICENSE", LLAMA2.into())],
        ),
        model(
            "vendor/other-7b",
            Some(json!({"license": "llama2"})),
            &[("LICENSE.txt", LLAMA2.into())],
        ),
        // An adapter whose card names no base: its adapter config does.
        model(
            "org/adapter-no-base",
            Some(json!({"license": "llama2"})),
            &[
                ("adapter_config.json", adapter.to_vec()),
                ("LICENSE", LLAMA2.into()),
            ],
        ),
        // A GGUF repo whose card has no metadata at all: a 4 MiB file, its header first.
        model(
            "org/gguf-no-meta",
            None,
            &[(
                "gguf-no-meta.Q4_K_M.gguf",
                gguf_header(
                    weights,
                    &[
                        ("general.architecture", "llama"),
                        ("general.license", "llama2"),
                        (
                            "general.source.repo_url",
                            "https://huggingface.co/vendor/base-7b",
                        ),
                    ],
                ),
            )],
        ),
        // A merge whose card's base_model is empty; mergekit wrote Windows cache paths.
        model(
            "org/merge-win",
            Some(json!({"license": "llama2", "base_model": []})),
            &[
                ("mergekit_config.yml", merge.into_bytes()),
                ("LICENSE", LLAMA2.into()),
            ],
        ),
        // The card says one base, the adapter config another.
        model(
            "org/mismatch-lora",
            Some(json!({"license": "llama2", "base_model": "vendor/other-7b"})),
            &[
                ("adapter_config.json", adapter.to_vec()),
                ("LICENSE", LLAMA2.into()),
            ],
        ),
        // A local path where the id belongs: the adapter config resolves it.
        model(
            "org/local-lora",
            Some(json!({"license": "llama2", "base_model": "/content/drive/llama-2-7b"})),
            &[
                ("adapter_config.json", adapter.to_vec()),
                ("LICENSE", LLAMA2.into()),
            ],
        ),
        // `license: other` and nothing else: the LICENSE file says Apache 2.0.
        model(
            "org/other-licensed",
            Some(json!({"license": "other", "base_model": "vendor/base-7b"})),
            &[("LICENSE", APACHE.into())],
        ),
        // The metadata says MIT; the LICENSE file is the Llama 2 agreement.
        model(
            "org/disagree",
            Some(json!({"license": "llama2", "base_model": "vendor/base-7b"})),
            &[("LICENSE", MIT.into())],
        ),
    ]
}

const DERIVED: [&str; 7] = [
    "org/adapter-no-base",
    "org/gguf-no-meta",
    "org/merge-win",
    "org/mismatch-lora",
    "org/local-lora",
    "org/other-licensed",
    "org/disagree",
];

/// The mock Hub and its CDN (another loopback host) for the repos.
fn hub_and_cdn(weights: usize, cdn_config: impl FnOnce(&mut MockConfig)) -> (MockHub, MockHub) {
    let cdn = MockHub::start_cdn("127.0.0.2:0", repos(weights));
    cdn.configure(cdn_config);
    let hub = MockHub::start(
        repos(weights),
        MockConfig {
            cdn: Some(cdn.url()),
            cdn_min_bytes: 64 * 1024,
            valid_tokens: vec![TOKEN.into()],
            ..Default::default()
        },
    );
    (hub, cdn)
}

fn audit(hub: &MockHub, cache: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["audit"];
    args.extend(DERIVED);
    args.extend(extra);
    args.extend(["--format", "json"]);
    let (code, out, err) = PRODUCTION.run(&hub.url(), cache, &args, &[("HF_TOKEN", TOKEN)]);
    assert!(code == 0 || code == 2, "exit {code}: {err}");
    serde_json::from_str(&out).unwrap()
}

/// `(upstream, downstream, relation, relation_source)` of every edge.
fn sourced_edges(g: &Value) -> BTreeSet<(String, String, String, String)> {
    g["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let s = |k: &str| e[k].as_str().unwrap_or_default().to_string();
            (
                s("upstream"),
                s("downstream"),
                s("relation"),
                s("relation_source"),
            )
        })
        .collect()
}

/// `(code, first node)` of every finding.
fn findings(g: &Value) -> BTreeSet<(String, String)> {
    g["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let node = f["nodes"][0].as_str().unwrap_or_default().to_string();
            (f["code"].as_str().unwrap().to_string(), node)
        })
        .collect()
}

fn edge(up: &str, down: &str, rel: &str, src: &str) -> (String, String, String, String) {
    (up.into(), down.into(), rel.into(), src.into())
}

fn finding(code: &str, node: &str) -> (String, String) {
    (code.into(), node.into())
}

#[test]
fn a_crawl_reads_what_the_tools_wrote_and_judges_by_it() {
    let dir = tempfile::tempdir().unwrap();
    let (hub, cdn) = hub_and_cdn(WEIGHTS, |_| {});
    let g = audit(&hub, &dir.path().join("cache.sqlite"), &[]);
    let edges = sourced_edges(&g);
    for want in [
        edge("vendor/base-7b", "org/adapter-no-base", "adapter", "file"),
        edge("vendor/base-7b", "org/gguf-no-meta", "quantized", "file"),
        edge("vendor/base-7b", "org/merge-win", "merge", "file"),
        edge("vendor/other-7b", "org/merge-win", "merge", "file"),
        edge("vendor/base-7b", "org/local-lora", "adapter", "file"),
        // The card names the base; the adapter config decides the relation.
        edge("vendor/other-7b", "org/mismatch-lora", "adapter", "file"),
    ] {
        assert!(edges.contains(&want), "{want:?} not in {edges:#?}");
    }
    // A mismatching file adds no second parent: licenses follow the card's.
    assert!(!edges
        .iter()
        .any(|e| e.0 == "vendor/base-7b" && e.1 == "org/mismatch-lora"));
    let found = findings(&g);
    for want in [
        finding("undeclared-base-model", "org/adapter-no-base"),
        finding("undeclared-base-model", "org/gguf-no-meta"),
        finding("undeclared-base-model", "org/merge-win"),
        finding("undeclared-base-model", "org/local-lora"),
        finding("base-model-mismatch", "org/mismatch-lora"),
        finding("license-file-mismatch", "org/disagree"),
        // `license: other` is known from the LICENSE file, and judged: Apache under Llama 2.
        finding("license-drift", "org/other-licensed"),
    ] {
        assert!(found.contains(&want), "{want:?} not in {found:#?}");
    }
    assert!(!found.contains(&finding("license-unresolved", "org/other-licensed")));
    let mismatch = g["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "base-model-mismatch")
        .unwrap();
    let msg = mismatch["message"].as_str().unwrap();
    assert!(
        msg.contains("vendor/other-7b")
            && msg.contains("vendor/base-7b")
            && msg.contains("adapter_config.json"),
        "{msg}"
    );

    // The GGUF header came from the CDN host: a Range for the first 256 KiB, no token, and no
    // more bytes than that of the 4 MiB file.
    let cdn_reqs = cdn.requests();
    let gguf: Vec<_> = cdn_reqs
        .iter()
        .filter(|r| r.path.ends_with(".gguf"))
        .collect();
    assert_eq!(gguf.len(), 1, "{cdn_reqs:?}");
    assert_eq!(gguf[0].range.as_deref(), Some("bytes=0-262143"));
    assert_eq!(gguf[0].status, 206);
    assert!(
        cdn_reqs.iter().all(|r| r.auth.is_none()),
        "the token went to the CDN"
    );
    let sent = cdn
        .state
        .body_bytes
        .load(std::sync::atomic::Ordering::SeqCst);
    assert!(sent <= 256 * 1024, "{sent} bytes of the GGUF file read");
    // The Hub's own host did get the token, and only file reads went to the resolver.
    assert!(hub.requests().iter().all(|r| r.auth.is_some()));
}

#[test]
fn files_cost_resolver_requests_only_and_can_be_turned_off() {
    let dir = tempfile::tempdir().unwrap();
    let (hub, _cdn) = hub_and_cdn(WEIGHTS, |_| {});
    let with = audit(&hub, &dir.path().join("with.sqlite"), &[]);
    let api_with = hub.requests().iter().filter(|r| r.is_api()).count();
    let files_with = hub.requests().iter().filter(|r| !r.is_api()).count();
    hub.reset_log();
    let without = audit(
        &hub,
        &dir.path().join("without.sqlite"),
        &["--files", "none"],
    );
    let api_without = hub.requests().iter().filter(|r| r.is_api()).count();
    assert_eq!(api_with, api_without, "reading files costs no API request");
    assert!(files_with > 0);
    let read: Vec<String> = hub
        .requests()
        .into_iter()
        .filter(|r| !r.is_api() && !r.path.ends_with("/README.md"))
        .map(|r| r.path)
        .collect();
    assert!(read.is_empty(), "--files none reads no file: {read:?}");
    assert!(!sourced_edges(&without).iter().any(|e| e.3 == "file"));
    assert!(sourced_edges(&with).iter().any(|e| e.3 == "file"));
}

#[test]
fn a_server_that_ignores_range_is_not_read_past_the_cap() {
    let dir = tempfile::tempdir().unwrap();
    // Bigger than what loopback sockets buffer, so a client that stops reading is seen.
    let weights = 64 << 20;
    let (hub, cdn) = hub_and_cdn(weights, |c| c.ignore_range = true);
    let g = audit(&hub, &dir.path().join("cache.sqlite"), &[]);
    assert!(sourced_edges(&g).contains(&edge(
        "vendor/base-7b",
        "org/gguf-no-meta",
        "quantized",
        "file"
    )));
    let gguf = cdn
        .requests()
        .into_iter()
        .find(|r| r.path.ends_with(".gguf"))
        .unwrap();
    assert_eq!(gguf.status, 200, "the CDN sent the whole file");
    // The client stopped reading at 256 KiB; what the server pushed into the socket's buffers
    // before the connection closed is far from the whole 64 MiB.
    let sent = cdn
        .state
        .body_bytes
        .load(std::sync::atomic::Ordering::SeqCst);
    assert!(sent < weights as u64 / 2, "{sent} bytes sent");
}

#[test]
fn a_snapshot_keeps_the_files_and_gives_the_same_lineage_offline() {
    let dir = tempfile::tempdir().unwrap();
    let (hub, _cdn) = hub_and_cdn(WEIGHTS, |_| {});
    let cache = dir.path().join("cache.sqlite");
    let live = audit(&hub, &cache, &[]);
    let snap = dir.path().join("snap");
    let mut args = vec!["snapshot"];
    args.extend(DERIVED);
    args.extend(["--out", snap.to_str().unwrap()]);
    let (code, _, err) = PRODUCTION.run(&hub.url(), &cache, &args, &[("HF_TOKEN", TOKEN)]);
    assert_eq!(code, 0, "{err}");
    let kept = snap.join("models/org/gguf-no-meta/.files/gguf-no-meta.Q4_K_M.gguf");
    let len = std::fs::metadata(&kept).unwrap().len();
    assert!(
        len <= 256 * 1024,
        "the snapshot keeps the header, not the weights ({len} bytes)"
    );
    assert!(snap
        .join("models/org/merge-win/.files/mergekit_config.yml")
        .exists());
    let mut offline_args = vec!["audit"];
    offline_args.extend(DERIVED);
    offline_args.extend(["--format", "json", "--snapshot", snap.to_str().unwrap()]);
    let (code, out, err) = run(&offline_args);
    assert!(code == 0 || code == 2, "exit {code}: {err}");
    let offline: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(sourced_edges(&offline), sourced_edges(&live));
    assert_eq!(findings(&offline), findings(&live));
}

/// `check DIR`: the folder a publisher is about to push, judged against its lineage read from
/// a snapshot; exit 2 on a deny finding, 1 when there is no card.
#[test]
fn check_judges_a_folder_before_the_upload() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("my-llama2-lora");
    std::fs::create_dir_all(&folder).unwrap();
    let write = |name: &str, body: &[u8]| std::fs::write(folder.join(name), body).unwrap();
    write(
        "README.md",
        b"---\nlicense: llama2\nbase_model: /content/drive/llama-2-7b\n---\n# My Llama 2 LoRA\n\nA LoRA (r=8) on Llama 2 7B, trained for two epochs on my-org/support-chats.\n",
    );
    write(
        "adapter_config.json",
        br#"{"base_model_name_or_path": "meta-llama/Llama-2-7b-hf", "peft_type": "LORA", "r": 8}"#,
    );
    write("LICENSE", LLAMA2.as_bytes());
    write("adapter_model.safetensors", &[0u8; 64]);
    let snap = example_snapshot();
    let check = |extra: &[&str]| {
        let mut args = vec![
            "check",
            folder.to_str().unwrap(),
            "--snapshot",
            snap.to_str().unwrap(),
        ];
        args.extend(extra);
        run(&args)
    };
    let (code, out, err) = check(&["--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let g: Value = serde_json::from_str(&out).unwrap();
    assert!(sourced_edges(&g).contains(&edge(
        "meta-llama/Llama-2-7b-hf",
        "local/my-llama2-lora",
        "adapter",
        "file"
    )));
    let found = findings(&g);
    assert!(found.contains(&finding("undeclared-base-model", "local/my-llama2-lora")));
    assert!(
        !found.iter().any(|f| f.0.starts_with("license-")),
        "{found:?}"
    );

    // Relicensed as Apache 2.0 without the agreement: a deny finding, exit 2, also in SARIF.
    write(
        "README.md",
        b"---\nlicense: apache-2.0\nbase_model: meta-llama/Llama-2-7b-hf\n---\n# My LoRA\n",
    );
    std::fs::remove_file(folder.join("LICENSE")).unwrap();
    let (code, out, _) = check(&["--format", "sarif", "--repo", "me/my-lora"]);
    assert_eq!(code, 2);
    let sarif: Value = serde_json::from_str(&out).unwrap();
    let rules: BTreeSet<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert!(
        rules.contains("license-drift") && rules.contains("license-text-missing"),
        "{rules:?}"
    );

    // No card, no check.
    std::fs::remove_file(folder.join("README.md")).unwrap();
    let (code, _, err) = check(&[]);
    assert_eq!(code, 1);
    assert!(err.contains("no README.md"), "{err}");
}

/// The pre-commit hook runs `check` on the folder, and only when a file it reads changed.
#[test]
fn the_pre_commit_hook_runs_check_on_the_files_it_reads() {
    let text = std::fs::read_to_string(root().join(".pre-commit-hooks.yaml")).unwrap();
    let docs = yaml_rust2::YamlLoader::load_from_str(&text).unwrap();
    let hook = &docs[0][0];
    assert_eq!(hook["id"].as_str(), Some("hf-lineage-check"));
    assert_eq!(hook["entry"].as_str(), Some("hf-lineage check"));
    assert_eq!(hook["pass_filenames"].as_bool(), Some(false));
    let files = regex::Regex::new(hook["files"].as_str().unwrap()).unwrap();
    for yes in [
        "README.md",
        "models/x/adapter_config.json",
        "LICENSE",
        "LICENSE.txt",
        "m.Q4_K_M.gguf",
        "mergekit_config.yml",
    ] {
        assert!(files.is_match(yes), "{yes}");
    }
    for no in ["src/main.rs", "model.safetensors", "notes.md"] {
        assert!(!files.is_match(no), "{no}");
    }
}
