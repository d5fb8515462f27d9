//! `trace` over the bundled example snapshot.

use crate::common;
use common::*;

fn t(s: &str, d: &str, r: &str) -> (String, String, String) {
    (s.to_string(), d.to_string(), r.to_string())
}

#[test]
fn quantized_repo_traces_to_its_root() {
    let g = trace_json(&["TheBloke/Llama-2-7B-Chat-GGUF"]);
    assert_eq!(g["schema"], "hf-lineage/graph@1");
    assert_eq!(
        g["roots"],
        serde_json::json!(["TheBloke/Llama-2-7B-Chat-GGUF"])
    );
    let e = edges(&g);
    assert!(e.contains(&t(
        "meta-llama/Llama-2-7b-chat-hf",
        "TheBloke/Llama-2-7B-Chat-GGUF",
        "quantized"
    )));
    assert!(e.contains(&t(
        "meta-llama/Llama-2-7b-hf",
        "meta-llama/Llama-2-7b-chat-hf",
        "finetune"
    )));
    // The GGUF relation comes from the Hub's tags; the chat model's from its declared relation.
    let src: Vec<_> = g["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["relation_source"].as_str().unwrap())
        .collect();
    assert_eq!(src, vec!["hub", "declared"]);
    assert_eq!(node(&g, "meta-llama/Llama-2-7b-hf")["license"], "llama2");
}

#[test]
fn text_tree_shows_relation_license_and_path() {
    let snap = example_snapshot();
    let (code, out, _) = run(&[
        "trace",
        "TheBloke/Llama-2-7B-Chat-GPTQ",
        "--snapshot",
        snap.to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "TheBloke/Llama-2-7B-Chat-GPTQ (llama2)");
    assert_eq!(
        lines[1],
        "└── quantized meta-llama/Llama-2-7b-chat-hf (llama2) [gated: manual]"
    );
    assert_eq!(
        lines[2],
        "    └── finetune meta-llama/Llama-2-7b-hf (llama2) [gated: manual]"
    );
    assert!(!out.contains('\x1b'), "no colour without a terminal");
}

#[test]
fn down_follows_children_and_spaces() {
    let g = trace_json(&["meta-llama/Llama-2-7b-chat-hf", "--down"]);
    let e = edges(&g);
    assert!(e.contains(&t(
        "meta-llama/Llama-2-7b-chat-hf",
        "TheBloke/Llama-2-7B-Chat-GPTQ",
        "quantized"
    )));
    assert!(e.contains(&t(
        "meta-llama/Llama-2-7b-chat-hf",
        "mergers/SA-Llama-Slerp-7B",
        "merge"
    )));
    assert!(e.contains(&t(
        "meta-llama/Llama-2-7b-chat-hf",
        "spaces/someone/llama2-chat-demo",
        "used_by"
    )));
    assert!(e.contains(&t(
        "TheBloke/Llama-2-7B-Chat-GGUF",
        "spaces/hf-demos/gguf-playground",
        "used_by"
    )));
    assert!(e.contains(&t(
        "spaces/someone/llama2-chat-demo",
        "spaces/cloner/llama2-chat-demo-copy",
        "duplicated_from"
    )));
    // Going down never adds the base model above the root.
    assert!(!e
        .iter()
        .any(|(_, d, _)| d == "meta-llama/Llama-2-7b-chat-hf"));
}

#[test]
fn down_keeps_a_links_index_in_the_cache_and_answers_the_same_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache.sqlite");
    let down = |cache: &std::path::Path| {
        let snap = example_snapshot();
        let (code, out, err) = run(&[
            "trace",
            "meta-llama/Llama-2-7b-hf",
            "--down",
            "--format",
            "json",
            "--snapshot",
            snap.to_str().unwrap(),
            "--cache",
            cache.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "stderr: {err}");
        out
    };
    // A cache that cannot be created (its directory is a file) means no index, same answer.
    std::fs::write(dir.path().join("file"), "").unwrap();
    let without = down(&dir.path().join("file/cache.sqlite"));
    let first = down(&cache);
    let rows: i64 = rusqlite::Connection::open(&cache)
        .unwrap()
        .query_row("SELECT count(*) FROM snapshot_links", [], |r| r.get(0))
        .unwrap();
    // (Files changed in the last two seconds are not indexed; a checkout is older than the build.)
    assert!(
        rows > 10,
        "the example snapshot's entries are indexed: {rows}"
    );
    let second = down(&cache);
    assert_eq!(first, without);
    assert_eq!(second, without);
    let g: serde_json::Value = serde_json::from_str(&second).unwrap();
    assert!(edges(&g).len() > 10, "{g}");
}

#[test]
fn depth_limits_the_walk_and_marks_the_frontier_unvisited() {
    let g = trace_json(&["TheBloke/Llama-2-7B-Chat-GGUF", "--depth", "1"]);
    assert_eq!(node(&g, "meta-llama/Llama-2-7b-chat-hf")["status"], "ok");
    assert_eq!(node(&g, "meta-llama/Llama-2-7b-hf")["status"], "unvisited");
    let g0 = trace_json(&["TheBloke/Llama-2-7B-Chat-GGUF", "--depth", "0"]);
    assert_eq!(
        node(&g0, "meta-llama/Llama-2-7b-chat-hf")["status"],
        "unvisited"
    );
}

#[test]
fn both_directions_from_a_middle_node() {
    let g = trace_json(&["mistralai/Mistral-7B-Instruct-v0.2", "--both"]);
    let e = edges(&g);
    assert!(e.contains(&t(
        "mistralai/Mistral-7B-v0.1",
        "mistralai/Mistral-7B-Instruct-v0.2",
        "finetune"
    )));
    assert!(e.contains(&t(
        "mistralai/Mistral-7B-Instruct-v0.2",
        "mergers/Mistral-Hermes-Slerp-7B",
        "merge"
    )));
    assert!(e.contains(&t(
        "mistralai/Mistral-7B-Instruct-v0.2",
        "TheBloke/Mistral-7B-Instruct-v0.2-GGUF",
        "quantized"
    )));
}

#[test]
fn datasets_and_their_sources_are_followed_up() {
    let g = trace_json(&["artidoro/llama2-7b-guanaco-qlora"]);
    let e = edges(&g);
    assert!(e.contains(&t(
        "meta-llama/Llama-2-7b-hf",
        "artidoro/llama2-7b-guanaco-qlora",
        "adapter"
    )));
    assert!(e.contains(&t(
        "datasets/timdettmers/openassistant-guanaco",
        "artidoro/llama2-7b-guanaco-qlora",
        "trained_on"
    )));
    assert!(e.contains(&t(
        "datasets/OpenAssistant/oasst1",
        "datasets/timdettmers/openassistant-guanaco",
        "source_of"
    )));
    let g = trace_json(&["datasets/rajpurkar/squad_v2"]);
    assert!(edges(&g).contains(&t(
        "datasets/squad",
        "datasets/rajpurkar/squad_v2",
        "source_of"
    )));
}

#[test]
fn cycle_is_reported_and_does_not_hang() {
    let g = trace_json(&["loop-lab/model-a", "--both"]);
    let codes: Vec<_> = g["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"lineage-cycle"));
    assert_eq!(edges(&g).len(), 2);
    let snap = example_snapshot();
    let (code, out, _) = run(&[
        "trace",
        "loop-lab/model-a",
        "--snapshot",
        snap.to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    assert!(
        out.contains("(*)"),
        "the repeated node is marked, not expanded:\n{out}"
    );
}

#[test]
fn dangling_parent_is_a_node_with_a_status() {
    let g = trace_json(&["orphan-co/finetune-of-deleted"]);
    let p = node(&g, "deleted-org/private-base-7b");
    assert_eq!(p["status"], "not_found");
    assert_eq!(
        node(&g, "orphan-co/finetune-of-deleted")["flags"],
        serde_json::json!(["parent-unavailable"])
    );
}

#[test]
fn renamed_repo_lands_edges_on_the_canonical_node() {
    let g = trace_json(&["TheBloke/dolphin-2.1-mistral-7B-GGUF"]);
    let e = edges(&g);
    assert!(e.contains(&t(
        "cognitivecomputations/dolphin-2.1-mistral-7b",
        "TheBloke/dolphin-2.1-mistral-7B-GGUF",
        "quantized"
    )));
    let n = node(&g, "cognitivecomputations/dolphin-2.1-mistral-7b");
    assert_eq!(
        n["aliases"],
        serde_json::json!(["ehartford/dolphin-2.1-mistral-7b"])
    );
    // Asking for the canonical id finds the entry stored under the old directory name.
    let g2 = trace_json(&[
        "cognitivecomputations/dolphin-2.1-mistral-7b",
        "--depth",
        "0",
    ]);
    assert_eq!(
        node(&g2, "cognitivecomputations/dolphin-2.1-mistral-7b")["status"],
        "ok"
    );
}

#[test]
fn ids_are_case_insensitive_and_urls_work_as_arguments() {
    let a = trace_json(&["https://huggingface.co/thebloke/llama-2-7b-chat-gguf/tree/main"]);
    assert_eq!(
        a["roots"],
        serde_json::json!(["TheBloke/Llama-2-7B-Chat-GGUF"])
    );
}

#[test]
fn json_output_is_byte_identical_across_runs() {
    let snap = example_snapshot();
    let args = [
        "trace",
        "meta-llama/Llama-2-7b-hf",
        "mistralai/Mistral-7B-v0.1",
        "--both",
        "--format",
        "json",
        "--snapshot",
        snap.to_str().unwrap(),
    ];
    let (_, a, _) = run(&args);
    let (_, b, _) = run(&args);
    assert_eq!(a, b);
    assert!(a.len() > 1000);
}

#[test]
fn output_file_option_writes_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("g.json");
    let snap = example_snapshot();
    let (code, stdout, _) = run(&[
        "trace",
        "gpt2",
        "--down",
        "--format",
        "json",
        "-o",
        out.to_str().unwrap(),
        "--snapshot",
        snap.to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    assert!(stdout.is_empty());
    let g: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap();
    assert!(edges(&g).contains(&t("gpt2", "distilgpt2", "finetune")));
}

#[test]
fn invalid_arguments_and_unreadable_snapshots_fail_clearly() {
    let snap = example_snapshot();
    let (code, _, err) = run(&[
        "trace",
        "/root/models/x",
        "--snapshot",
        snap.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert!(
        err.contains("/root/models/x") && err.contains("local path"),
        "{err}"
    );
    let (code, _, err) = run(&["trace", "a/b", "--snapshot", "/nonexistent/dir"]);
    assert_eq!(code, 1);
    assert!(err.contains("/nonexistent/dir"), "{err}");
    let empty = tempfile::tempdir().unwrap();
    let (code, _, err) = run(&["trace", "a/b", "--snapshot", empty.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("not a snapshot directory"), "{err}");
}

#[test]
fn a_repo_missing_from_the_snapshot_is_not_found_not_an_error() {
    let g = trace_json(&["nobody/nothing"]);
    assert_eq!(node(&g, "nobody/nothing")["status"], "not_found");
}

#[test]
fn example_snapshot_has_what_the_readme_promises() {
    let snap = example_snapshot();
    let count = ["models", "datasets", "spaces"]
        .iter()
        .map(|k| snapshot_entries(&snap.join(k)).len())
        .sum::<usize>();
    assert!(count >= 40, "only {count} repos");
}

#[test]
fn card_command_reads_a_snapshot_card_and_its_sibling_files() {
    let card = example_snapshot().join("models/artidoro/llama2-7b-guanaco-qlora/README.md");
    let (code, out, _) = run(&["card", card.to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["base_models"],
        serde_json::json!(["meta-llama/Llama-2-7b-hf"])
    );
    assert_eq!(
        (v["relation"].as_str(), v["relation_source"].as_str()),
        (Some("adapter"), Some("inferred"))
    );
    assert_eq!(v["license"], "llama2");
    assert_eq!(
        v["datasets"],
        serde_json::json!(["timdettmers/openassistant-guanaco"])
    );
    let space = example_snapshot().join("spaces/hf-demos/gguf-playground/README.md");
    let (_, out, _) = run(&["card", space.to_str().unwrap(), "--kind", "space"]);
    assert!(
        out.contains("models:          TheBloke/Llama-2-7B-Chat-GGUF"),
        "{out}"
    );
    let broken = example_snapshot().join("models/broken/yaml-card/README.md");
    let (code, out, _) = run(&["card", broken.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(out.contains("[card-yaml-invalid]"), "{out}");
}

#[test]
fn gated_repos_are_noted() {
    let g = trace_json(&["meta-llama/Llama-2-7b-chat-hf"]);
    assert_eq!(node(&g, "meta-llama/Llama-2-7b-hf")["gated"], "manual");
    assert!(node(&g, "meta-llama/Llama-2-7b-chat-hf")
        .get("gated")
        .is_some());
    let snap = example_snapshot();
    let (_, out, _) = run(&[
        "trace",
        "meta-llama/Llama-2-7b-chat-hf",
        "--snapshot",
        snap.to_str().unwrap(),
    ]);
    assert!(out.contains("[gated: manual]"), "{out}");
}

#[test]
fn one_set_of_options_and_commands_reject_what_they_cannot_print() {
    let s = example_snapshot();
    let s = s.to_str().unwrap();
    let (code, _, err) = run(&["trace", "gpt2", "--format", "sarif", "--snapshot", s]);
    assert_eq!(code, 1);
    assert!(
        err.contains(
            "trace cannot produce --format sarif: it prints text, json, dot, svg, mermaid, html"
        ),
        "{err}"
    );
    let (code, _, _) = run(&["audit", "gpt2", "--format", "sarif", "--snapshot", s]);
    assert_eq!(code, 0);
    // The same inference flags on every command, each with its own default.
    for cmd in ["trace", "audit"] {
        for flag in ["--infer-from-text", "--no-infer-from-text"] {
            let (code, _, err) = run(&[cmd, "nometa/just-a-readme", flag, "--snapshot", s]);
            assert_eq!(code, 0, "{cmd} {flag}: {err}");
        }
    }
    let (code, _, err) = run(&["query", "all()", "--no-infer-from-text", "--snapshot", s]);
    assert_eq!(code, 0, "{err}");
    // `snapshot` reads the Hub: it has no --snapshot option at all.
    let (code, _, err) = run(&["snapshot", "gpt2", "--out", "/tmp/x", "--snapshot", s]);
    assert_eq!(code, 2, "a usage error: {err}");
    assert!(err.contains("--snapshot"), "{err}");
    // One duration syntax.
    let (code, _, err) = run(&[
        "trace",
        "gpt2",
        "--timeout",
        "2m",
        "--max-age",
        "90s",
        "--snapshot",
        s,
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(&["trace", "gpt2", "--max-age", "soon", "--snapshot", s]);
    assert_eq!(code, 2);
    assert!(err.contains("not a duration"), "{err}");
}
