//! Bad input never crashes or hangs: it becomes a finding or a clear error naming the problem.

use crate::common;

use std::time::Duration;

use common::*;

fn card_json(bytes: &[u8], kind: &str) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("README.md");
    std::fs::write(&f, bytes).unwrap();
    let out = bin()
        .args([
            "card",
            f.to_str().unwrap(),
            "--kind",
            kind,
            "--format",
            "json",
        ])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn codes(v: &serde_json::Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn alias_bomb_is_refused_not_expanded() {
    let mut doc = String::from("---\nlicense: mit\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    let mut prev = 'a';
    for c in 'b'..='z' {
        doc.push_str(&format!(
            "{c}: &{c} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
        ));
        prev = c;
    }
    doc.push_str("---\n");
    let v = card_json(doc.as_bytes(), "model");
    assert_eq!(codes(&v), vec!["card-yaml-too-complex"]);
}

#[test]
fn deep_nesting_is_refused() {
    let doc = format!(
        "---\nbase_model: {}x{}\n---\n",
        "[".repeat(5000),
        "]".repeat(5000)
    );
    let v = card_json(doc.as_bytes(), "model");
    let c = codes(&v);
    assert!(
        c == vec!["card-yaml-too-complex"] || c == vec!["card-yaml-invalid"],
        "{c:?}"
    );
}

#[test]
fn giant_card_is_read_within_bounds() {
    let mut doc = String::from("---\nbase_model: a/b\nlicense: mit\n---\n");
    while doc.len() < 12 * 1024 * 1024 {
        doc.push_str("Lorem ipsum dolor sit amet, consectetur adipiscing elit.\n");
    }
    let v = card_json(doc.as_bytes(), "model");
    assert_eq!(v["base_models"], serde_json::json!(["a/b"]));
    let huge = format!("---\nlicense: mit\n---\n{}", "x".repeat(17 * 1024 * 1024));
    assert_eq!(
        codes(&card_json(huge.as_bytes(), "model")),
        vec!["card-too-large"]
    );
}

#[test]
fn binary_and_non_utf8_cards_do_not_crash() {
    let garbage: Vec<u8> = (0..100_000u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    let v = card_json(&garbage, "model");
    assert!(codes(&v).contains(&"card-no-metadata".to_string()));
    let latin1 = b"---\nlicense: mit\nbase_model: caf\xe9/model\n---\n";
    let v = card_json(latin1, "model");
    assert_eq!(v["license"], "mit");
    assert_eq!(codes(&v), vec!["invalid-repo-id"]);
}

#[test]
fn wrong_types_everywhere_become_findings() {
    let doc = b"---\nbase_model: 42\nlicense: {a: b}\ndatasets: {x: y}\nbase_model_relation: [merge]\ntags: null\n---\n";
    let v = card_json(doc, "model");
    assert_eq!(v["license"], serde_json::Value::Null);
    assert!(
        codes(&v).iter().filter(|c| *c == "card-wrong-type").count() >= 3,
        "{:?}",
        codes(&v)
    );
    assert_eq!(
        v["base_models"],
        serde_json::json!([]),
        "a number is not an id"
    );
}

#[test]
fn unreadable_card_file_is_an_operational_error() {
    let (code, _, err) = run(&["card", "/nonexistent/README.md"]);
    assert_eq!(code, 1);
    assert!(err.contains("/nonexistent/README.md"));
}

#[test]
fn broken_snapshot_entries_become_findings_and_statuses() {
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("models");
    let w = |p: &str, b: &[u8]| {
        let path = m.join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, b).unwrap();
    };
    w(
        "org/child/README.md",
        b"---\nbase_model: [org/truncated, org/array, org/binary, org/empty]\n---\n",
    );
    w(
        "org/truncated/info.json",
        b"{\"id\": \"org/truncated\", \"cardData\": {\"lic",
    );
    w("org/array/info.json", b"[1, 2, 3]");
    w("org/binary/README.md", b"\xff\xfe\x00\x00garbage\x00");
    std::fs::create_dir_all(m.join("org/empty")).unwrap();
    w("bad name!/x/README.md", b"---\nlicense: mit\n---\n");
    let out = bin()
        .args([
            "trace",
            "org/child",
            "--format",
            "json",
            "--snapshot",
            dir.path().to_str().unwrap(),
        ])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let g: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = g["findings"].as_array().unwrap();
    let msg = |code: &str, node: &str| {
        f.iter()
            .find(|x| x["code"] == code && x["nodes"][0] == node)
            .map(|x| x["message"].as_str().unwrap().to_string())
    };
    let m1 = msg("repo-data-invalid", "org/truncated").expect("truncated info.json reported");
    assert!(
        m1.contains("info.json") && m1.contains("org/truncated"),
        "{m1}"
    );
    assert!(msg("repo-data-invalid", "org/array")
        .unwrap()
        .contains("not an object"));
    assert_eq!(node(&g, "org/binary")["status"], "ok");
    // An empty directory is not an entry: the parent is simply missing from the snapshot.
    assert_eq!(node(&g, "org/empty")["status"], "not_found");
}

#[test]
fn operational_errors_print_their_whole_cause_chain_once() {
    let (code, _, err) = run(&["trace", "gpt2", "--snapshot", "/nonexistent/snapshot"]);
    assert_eq!(code, 1);
    assert_eq!(
        err.trim(),
        "error: cannot read snapshot directory /nonexistent/snapshot: No such file or directory (os error 2)"
    );
    let (code, _, err) = run(&["trace", "gpt2", "--endpoint", "ftp//nowhere"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("invalid endpoint \"ftp//nowhere\": relative URL without a base"),
        "{err}"
    );
}

/// Whether text holds anything a terminal would act on: C0/C1 controls other than newline and
/// tab, DEL, or the Unicode controls that reorder text.
fn terminal_controls(text: &str) -> Vec<char> {
    text.chars()
        .filter(|&c| {
            (c.is_control() && c != '\n' && c != '\t')
                || ('\u{202a}'..='\u{202e}').contains(&c)
                || ('\u{2066}'..='\u{2069}').contains(&c)
        })
        .collect()
}

/// A card whose fields carry terminal escape sequences (retitle, clear screen, a C1 CSI, a
/// right-to-left override, a forged line) prints nothing a terminal would interpret in any
/// text output, diagram or CSV, and CSV cells that start a formula are neutralised.
#[test]
fn hostile_card_text_prints_nothing_a_terminal_would_interpret() {
    let hostile = "evil\u{1b}]0;owned\u{7}\u{1b}[2J\u{9b}31m\u{202e}gpj.exe\rforged line";
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("snap");
    let write = |id: &str, card: String| {
        let d = snap.join("models").join(id);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("README.md"), card).unwrap();
    };
    // In the metadata, as YAML's own escapes (raw controls are not valid YAML).
    let yaml_hostile = r#"evil\e]0;owned\a\e[2J\x9b31m\u202egpj.exe\rforged line"#;
    write(
        "acme/base",
        format!("---\nlicense: other\nlicense_name: \"{yaml_hostile}\"\n---\n# base {hostile}\n"),
    );
    write(
        "acme/tune",
        format!(
            "---\nlicense: \"=HYPERLINK(\\\"http://x\\\")\"\nbase_model: acme/base\n---\nFine-tuned. {hostile}\n"
        ),
    );
    let snap_s = snap.to_str().unwrap();
    let card = snap.join("models/acme/base/README.md");
    let csv = dir.path().join("csv");
    let runs: Vec<Vec<&str>> = vec![
        vec!["trace", "acme/tune", "--snapshot", snap_s],
        vec!["audit", "acme/tune", "--snapshot", snap_s],
        vec![
            "trace",
            "acme/tune",
            "--snapshot",
            snap_s,
            "--format",
            "dot",
        ],
        vec![
            "trace",
            "acme/tune",
            "--snapshot",
            snap_s,
            "--format",
            "mermaid",
        ],
        vec!["card", card.to_str().unwrap()],
        vec!["card", card.to_str().unwrap(), "--format", "json"],
        vec!["query", "all()", "--snapshot", snap_s],
    ];
    for args in runs {
        let (_, out, err) = run(&args);
        assert!(
            out.contains("acme") || out.contains("evil"),
            "{args:?}: {out}"
        );
        let bad: Vec<char> = terminal_controls(&out)
            .into_iter()
            .chain(terminal_controls(&err))
            .collect();
        assert!(bad.is_empty(), "{args:?} printed {bad:?}:\n{out}");
    }
    let (code, _, err) = run(&[
        "export",
        "acme/tune",
        "--snapshot",
        snap_s,
        "--format",
        "csv",
        "--out",
        csv.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let nodes = std::fs::read_to_string(csv.join("nodes.csv")).unwrap();
    // Licenses are lowercased as read; the cell starts with a quote, not a formula.
    assert!(nodes.contains("\"'=hyperlink("), "{nodes}");
    assert!(
        !nodes.contains(",=hyperlink") && !nodes.contains(",\"=hyperlink"),
        "{nodes}"
    );
}

/// `card` reads the files the tools wrote beside the card: a parent only they name is an
/// undeclared base (and judges the card as the derivative they make it); one that disagrees with
/// the card is a mismatch; a local path names nothing.
#[test]
fn card_reads_what_the_tools_wrote_beside_it() {
    let card_json = |files: &[(&str, Vec<u8>)], readme: &str| {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("README.md"), readme).unwrap();
        for (name, bytes) in files {
            std::fs::write(dir.path().join(name), bytes).unwrap();
        }
        let card = dir.path().join("README.md");
        let (code, out, err) = run(&["card", card.to_str().unwrap(), "--format", "json"]);
        assert_eq!(code, 0, "{err}");
        serde_json::from_str::<serde_json::Value>(&out).unwrap()
    };
    let adapter = |base: &str| {
        format!(r#"{{"base_model_name_or_path": "{base}", "peft_type": "LORA", "r": 16}}"#)
            .into_bytes()
    };
    // The card's base is a local path (dropped); the adapter config names the Hub id.
    let v = card_json(
        &[("adapter_config.json", adapter("meta-llama/Llama-2-7b-hf"))],
        "---\nlicense: llama2\nbase_model: /content/llama-2-7b\n---\nLoRA on my data.\n",
    );
    assert_eq!(v["files"][0]["base_models"][0], "meta-llama/Llama-2-7b-hf");
    assert!(
        codes(&v).contains(&"undeclared-base-model".to_string()),
        "{v}"
    );
    assert_eq!(
        v["documentation"]["relation"], "adapter",
        "judged as what the file makes it"
    );
    // The card names another base than the adapter was trained on.
    let v = card_json(
        &[("adapter_config.json", adapter("mistralai/Mistral-7B-v0.1"))],
        "---\nlicense: apache-2.0\nbase_model: meta-llama/Llama-2-7b-hf\n---\nLoRA.\n",
    );
    let mismatch: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "base-model-mismatch")
        .collect();
    assert_eq!(mismatch.len(), 1, "{v}");
    let msg = mismatch[0]["message"].as_str().unwrap();
    assert!(msg.contains("meta-llama/Llama-2-7b-hf") && msg.contains("mistralai/Mistral-7B-v0.1"));
    // Agreeing files raise nothing; a local path in a file names nothing.
    let v = card_json(
        &[("adapter_config.json", adapter("/root/checkpoints/base"))],
        "---\nlicense: apache-2.0\nbase_model: meta-llama/Llama-2-7b-hf\n---\nLoRA.\n",
    );
    assert!(!codes(&v).iter().any(|c| c.contains("base")), "{v}");
    // A GGUF file with no card metadata: its header names the base and the quantization, read
    // from its first 256 KiB of a 4 MiB file.
    let gguf = gguf_header(
        4 << 20,
        &[
            ("general.architecture", "llama"),
            ("general.license", "llama2"),
            ("general.base_model.count", "1"),
            (
                "general.base_model.0.repo_url",
                "https://huggingface.co/meta-llama/Llama-2-7b-chat-hf",
            ),
        ],
    );
    let v = card_json(&[("model.Q4_K_M.gguf", gguf)], "# A quantized model\n");
    let f = &v["files"][0];
    assert_eq!(f["file"], "model.Q4_K_M.gguf");
    assert!(
        f["detail"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d == "Q4_K_M"),
        "{v}"
    );
    assert_eq!(f["base_models"][0], "meta-llama/Llama-2-7b-chat-hf", "{v}");
    assert!(
        codes(&v).contains(&"undeclared-base-model".to_string()),
        "{v}"
    );
}
