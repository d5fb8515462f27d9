//! DOT, SVG, Mermaid and HTML renderings over the example snapshot.
//! SVG needs Graphviz and the HTML explorer's browser test Chromium: `.ci/run` installs both;
//! elsewhere those tests say why they skip when the programs are missing.

use crate::common;
use common::*;

fn snap() -> String {
    example_snapshot().to_str().unwrap().to_string()
}

fn out(args: &[&str]) -> (i32, String, String) {
    let s = snap();
    let mut a = args.to_vec();
    a.extend_from_slice(&["--snapshot", &s]);
    run(&a)
}

fn have(program: &str, test: &str) -> bool {
    let package = if program == "dot" {
        "graphviz"
    } else {
        "chromium"
    };
    common::program(program, package, test).is_some()
}

#[test]
fn dot_and_mermaid_of_a_quantized_repo_are_pinned() {
    let (code, dot, _) = out(&["trace", "TheBloke/Llama-2-7B-Chat-GGUF", "--format", "dot"]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("dot_gguf_up", dot);
    let (_, mermaid, _) = out(&[
        "trace",
        "TheBloke/Llama-2-7B-Chat-GGUF",
        "--format",
        "mermaid",
    ]);
    insta::assert_snapshot!("mermaid_gguf_up", mermaid);
}

#[test]
fn dot_and_mermaid_of_a_family_with_findings_are_pinned() {
    let (code, dot, _) = out(&[
        "audit",
        "meta-llama/Llama-2-7b-hf",
        "--down",
        "--format",
        "dot",
    ]);
    assert_eq!(code, 2);
    insta::assert_snapshot!("dot_llama2_audit_down", dot);
    let (_, mermaid, _) = out(&[
        "audit",
        "meta-llama/Llama-2-7b-hf",
        "--down",
        "--format",
        "mermaid",
    ]);
    insta::assert_snapshot!("mermaid_llama2_audit_down", mermaid);
}

#[test]
fn dot_is_deterministic_and_parses_back() {
    let args = [
        "trace",
        "meta-llama/Llama-2-7b-hf",
        "mistralai/Mistral-7B-v0.1",
        "--both",
        "--format",
        "dot",
    ];
    let (_, a, _) = out(&args);
    let (_, b, _) = out(&args);
    assert_eq!(a, b);
    let g = graphviz_rust::parse(&a).expect("valid DOT");
    let graphviz_rust::dot_structures::Graph::DiGraph { stmts, .. } = g else {
        panic!("a digraph")
    };
    assert!(stmts.len() > 20);
}

#[test]
fn visual_language_marks_kinds_findings_status_roots_and_suggestions() {
    let (_, dot, _) = out(&[
        "audit",
        "mergers/SA-Llama-Slerp-7B",
        "nolicense/llama2-7b-chat-ft",
        "orphan-co/finetune-of-deleted",
        "nometa/just-a-readme",
        "--format",
        "dot",
    ]);
    let line = |needle: &str| {
        dot.lines()
            .find(|l| l.contains(needle) && l.contains("label"))
            .unwrap_or_else(|| panic!("{needle} in\n{dot}"))
            .to_string()
    };
    let merge = line("mergers/SA-Llama-Slerp-7B");
    assert!(
        merge.contains("color=\"#d32f2f\"") && merge.contains("peripheries=\"2\""),
        "deny outline, root: {merge}"
    );
    assert!(
        line("nolicense/llama2-7b-chat-ft").contains("#f57c00"),
        "warn outline"
    );
    let gone = line("deleted-org/private-base-7b");
    assert!(
        gone.contains("#d0d0d0") && gone.contains("dashed") && gone.contains("[not_found]"),
        "{gone}"
    );
    assert!(line("datasets/tatsu-lab/alpaca").contains("cylinder"));
    assert!(dot.contains("suggested: quantized") && dot.contains("style=\"dashed\""));
    assert!(dot.contains("cluster_legend") && dot.contains("Legend"));
    for rel in ["finetune", "merge", "trained_on"] {
        assert!(dot.contains(&format!("label=\"{rel}\"")), "{rel}");
    }
}

#[test]
fn labels_are_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("models/odd/name");
    std::fs::create_dir_all(&m).unwrap();
    std::fs::write(
        m.join("README.md"),
        "---\nlicense: 'a\"b <c> \\d é # ü'\nbase_model: odd/base\n---\n",
    )
    .unwrap();
    let (code, dot, _) = run(&[
        "trace",
        "odd/name",
        "--format",
        "dot",
        "--snapshot",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    assert!(dot.contains(r#"a\"b <c> \\d é # ü"#), "{dot}");
    graphviz_rust::parse(&dot).expect("escaped DOT parses");
    let (_, mermaid, _) = run(&[
        "trace",
        "odd/name",
        "--format",
        "mermaid",
        "--snapshot",
        dir.path().to_str().unwrap(),
    ]);
    assert!(
        mermaid.contains("a#quot;b #lt;c#gt; \\d é #35; ü"),
        "{mermaid}"
    );
}

#[test]
fn collapse_folds_sibling_leaves_and_max_nodes_refuses() {
    let (_, mermaid, _) = out(&[
        "trace",
        "meta-llama/Llama-2-7b-chat-hf",
        "--down",
        "--format",
        "mermaid",
        "--collapse",
        "1",
    ]);
    assert!(mermaid.contains("+2 fine-tunes"), "{mermaid}");
    assert!(!mermaid.contains("anon-user/llama-2-7b-custom"));
    let (code, _, err) = out(&[
        "trace",
        "meta-llama/Llama-2-7b-hf",
        "--down",
        "--format",
        "dot",
        "--max-nodes",
        "4",
    ]);
    assert_eq!(code, 1);
    assert!(
        err.contains("--collapse") && err.contains("--depth"),
        "{err}"
    );
}

#[test]
fn svg_through_graphviz() {
    if !have("dot", "svg_through_graphviz") {
        return;
    }
    let (code, svg, err) = out(&["trace", "TheBloke/Llama-2-7B-Chat-GGUF", "--format", "svg"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        svg.contains("<svg") && svg.contains("meta&#45;llama/Llama&#45;2&#45;7b&#45;hf")
            || svg.contains("meta-llama/Llama-2-7b-hf"),
        "{}",
        &svg[..svg.len().min(500)]
    );
}

#[test]
fn missing_graphviz_is_a_clear_error() {
    let s = snap();
    let out = bin()
        .args(["trace", "gpt2", "--format", "svg", "--snapshot", &s])
        .env("PATH", "/nonexistent")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("apt-get install graphviz"), "{err}");
}

#[test]
fn html_report_renders_in_headless_chromium() {
    // The HTML explorer lays the graph out in the browser: no Graphviz needed.
    if !have("chromium", "html_report_renders_in_headless_chromium") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("report.html");
    let (code, _, err) = out(&[
        "audit",
        "meta-llama/Llama-2-7b-hf",
        "--down",
        "--format",
        "html",
        "-o",
        html.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    let text = std::fs::read_to_string(&html).unwrap();
    assert!(
        !text.contains("src=\"http") && !text.contains("href=\"http") && !text.contains("@import"),
        "self-contained"
    );
    let chromium = |extra: &[&str]| {
        std::process::Command::new("chromium")
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--window-size=1500,1100",
            ])
            .arg(format!(
                "--user-data-dir={}",
                dir.path().join("profile").display()
            ))
            .args(extra)
            .arg(format!("file://{}", html.display()))
            .output()
            .expect("chromium runs")
    };
    let dom = chromium(&["--dump-dom"]);
    let dom = String::from_utf8_lossy(&dom.stdout);
    let rendered: usize = dom
        .split("data-visible-nodes=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .and_then(|n| n.parse().ok())
        .expect("the page's script ran and counted the nodes");
    let (_, json, _) = out(&[
        "audit",
        "meta-llama/Llama-2-7b-hf",
        "--down",
        "--format",
        "json",
    ]);
    let g: serde_json::Value = serde_json::from_str(&json).unwrap();
    let nodes = g["nodes"].as_array().unwrap().len();
    // A small lineage opens fully expanded: every node drawn, each with its repo id.
    assert!(
        rendered >= 10 && rendered == nodes,
        "rendered {rendered} of {nodes}"
    );
    let drawing = dom.split("<script").next().unwrap_or_default();
    assert_eq!(drawing.matches("data-node-id=\"").count(), nodes);
    assert!(dom.contains("license-missing") && dom.contains("<svg"));
    let png = dir.path().join("report.png");
    let shot = chromium(&[&format!("--screenshot={}", png.display())]);
    assert!(shot.status.success());
    let bytes = std::fs::read(&png).unwrap();
    assert!(
        bytes.starts_with(b"\x89PNG") && bytes.len() > 20_000,
        "a real screenshot ({} bytes)",
        bytes.len()
    );
    if let Ok(dest) = std::env::var("HF_LINEAGE_SCREENSHOT") {
        std::fs::copy(&png, dest).unwrap();
    }
}
