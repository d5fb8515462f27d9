//! `query` over the bundled example snapshot: every function and operator, the named queries,
//! errors, formats; and a live query against the mock Hub.

use crate::common;
use common::*;

fn q(expr: &str) -> Vec<String> {
    let s = example_snapshot();
    let (code, out, err) = run(&["query", expr, "--snapshot", s.to_str().unwrap()]);
    assert_eq!(code, 0, "{expr}: {err}");
    out.lines().map(String::from).collect()
}

fn named(name: &str, arg: &str) -> String {
    let s = example_snapshot();
    let (code, out, err) = run(&[
        "query",
        &format!("queries/{name}.q"),
        "--arg",
        arg,
        "--snapshot",
        s.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{name}: {err}");
    out
}

#[test]
fn walking_functions() {
    assert_eq!(
        q(r#"ancestors("TheBloke/Llama-2-7B-Chat-GPTQ")"#),
        vec!["meta-llama/Llama-2-7b-chat-hf", "meta-llama/Llama-2-7b-hf"]
    );
    assert_eq!(
        q(r#"parents("mergers/Mistral-Hermes-Slerp-7B")"#),
        vec![
            "mistralai/Mistral-7B-Instruct-v0.2",
            "teknium/OpenHermes-2.5-Mistral-7B"
        ]
    );
    assert_eq!(q(r#"children("gpt2")"#), vec!["distilgpt2"]);
    let d = q(r#"descendants("meta-llama/Llama-2-7b-chat-hf")"#);
    assert!(
        d.contains(&"spaces/hf-demos/gguf-playground".to_string())
            && d.contains(&"mergers/SA-Llama-Slerp-7B".to_string())
    );
    assert_eq!(
        q(r#"roots(ancestors("mergers/SA-Llama-Slerp-7B") + "mergers/SA-Llama-Slerp-7B")"#),
        vec![
            "meta-llama/Llama-2-7b-hf",
            "mistralai/Mistral-7B-v0.1",
            "datasets/OpenAssistant/oasst1"
        ]
    );
    assert_eq!(
        q(r#"leaves(descendants("gpt2") + "gpt2")"#),
        vec!["distilgpt2"]
    );
    assert_eq!(
        q(r#"somepath("TheBloke/Llama-2-7B-Chat-GGUF", "meta-llama/Llama-2-7b-hf")"#),
        vec![
            "meta-llama/Llama-2-7b-chat-hf",
            "meta-llama/Llama-2-7b-hf",
            "TheBloke/Llama-2-7B-Chat-GGUF"
        ]
    );
    assert_eq!(
        q(r#"allpaths("mergers/SA-Llama-Slerp-7B", "mistralai/Mistral-7B-v0.1")"#),
        vec![
            "mergers/SA-Llama-Slerp-7B",
            "mistralai/Mistral-7B-v0.1",
            "vendor-sa/Mistral-7B-ShareAlike-Chat"
        ]
    );
    assert_eq!(
        q(r#"ancestors("loop-lab/model-a")"#),
        vec!["loop-lab/model-b"],
        "cycles end"
    );
    assert!(q("all()").len() >= 64);
}

#[test]
fn filtering_functions() {
    assert_eq!(
        q(r#"relation(adapter, all())"#),
        vec!["artidoro/llama2-7b-guanaco-qlora"]
    );
    assert_eq!(q(r#"kind(space, all())"#).len(), 3);
    assert_eq!(
        q(r#"license("cc-by-nc*", kind(dataset, all()))"#),
        vec![
            "datasets/pile-of-law/pile-of-law",
            "datasets/remixer/anime-frames",
            "datasets/tatsu-lab/alpaca"
        ]
    );
    assert_eq!(
        q(r#"license(gemma*, all())"#),
        vec!["google/gemma-2b", "google/gemma-2b-it"]
    );
    assert_eq!(
        q(r#"license(qwen, all())"#),
        vec!["Qwen/Qwen2.5-72B-Instruct"],
        "license_name is matched too"
    );
    assert_eq!(
        q(r#"flagged(naming-requirement, all())"#),
        vec!["chatcorp/SuperChat-8B"]
    );
    assert!(q(r#"flagged("license-*", all())"#).len() >= 8);
    assert_eq!(
        q(r#"status(not_found, all())"#),
        vec!["deleted-org/private-base-7b"]
    );
}

#[test]
fn operators_and_let() {
    let fam = r#"descendants("mistralai/Mistral-7B-v0.1")"#;
    let all_fam = q(fam);
    let merges = q(&format!("relation(merge, {fam})"));
    let without = q(&format!("{fam} - relation(merge, {fam})"));
    assert_eq!(without.len() + merges.len(), all_fam.len());
    let union = q(r#"children("gpt2") + children("meta-llama/Llama-2-13b-hf")"#);
    assert_eq!(union.len(), 3);
    assert_eq!(
        q(
            r#"relation(quantized, descendants("meta-llama/Llama-2-13b-hf")) ^ flagged(license-drift, all())"#
        ),
        vec!["quantlab/Llama-2-13b-legal-GGUF"]
    );
    assert_eq!(
        q(r#"let x = parents("mergers/SA-Llama-Slerp-7B") in x ^ license("cc-by-sa*", x)"#),
        vec!["vendor-sa/Mistral-7B-ShareAlike-Chat"]
    );
    assert_eq!(q(r#"("gpt2" + "distilgpt2") - "gpt2""#), vec!["distilgpt2"]);
}

#[test]
fn named_queries_answer_their_questions() {
    insta::assert_snapshot!(
        "q_source",
        named("source", "repo=TheBloke/Llama-2-7B-Chat-GGUF")
    );
    insta::assert_snapshot!(
        "q_source_merge",
        named("source", "repo=mergers/SA-Llama-Slerp-7B")
    );
    insta::assert_snapshot!(
        "q_merge_conflicts",
        named("merge-license-conflicts", "base=meta-llama/Llama-2-7b-hf")
    );
    insta::assert_snapshot!(
        "q_undocumented",
        named("undocumented", "base=meta-llama/Llama-2-7b-hf")
    );
    insta::assert_snapshot!(
        "q_non_commercial",
        named(
            "non-commercial-ancestry",
            "repo=nolicense/llama2-7b-chat-ft"
        )
    );
    insta::assert_snapshot!(
        "q_quant_drop",
        named(
            "quantizations-dropping-license",
            "base=meta-llama/Llama-2-13b-hf"
        )
    );
}

#[test]
fn list_shows_named_queries_with_descriptions() {
    let (code, out, _) = run(&["query", "--list"]);
    assert_eq!(code, 0);
    for name in [
        "source",
        "merge-license-conflicts",
        "undocumented",
        "non-commercial-ancestry",
    ] {
        assert!(out.contains(&format!("queries/{name}.q")), "{out}");
    }
    assert!(out.contains("Arguments: repo"));
}

#[test]
fn parse_errors_point_at_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bad.q");
    std::fs::write(&f, "# a comment\nlet x = ancestors(\"gpt2\")\n  x + \n").unwrap();
    let s = example_snapshot();
    let (code, _, err) = run(&[
        "query",
        f.to_str().unwrap(),
        "--snapshot",
        s.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert!(
        err.contains("line 3, column 3") && err.contains("expected `in`"),
        "{err}"
    );
    let (code, _, err) = run(&[
        "query",
        "kind(planet, all())",
        "--snapshot",
        s.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("not a kind"), "{err}");
    let (_, _, err) = run(&["query", "queries/nope.q", "--snapshot", s.to_str().unwrap()]);
    assert!(err.contains("no query file"), "{err}");
    let (_, _, err) = run(&[
        "query",
        "ancestors($repo)",
        "--snapshot",
        s.to_str().unwrap(),
    ]);
    assert!(err.contains("--arg repo="), "{err}");
}

#[test]
fn results_render_as_json_dot_and_mermaid() {
    let s = example_snapshot();
    let expr = r#"ancestors("TheBloke/Llama-2-7B-Chat-GGUF") + "TheBloke/Llama-2-7B-Chat-GGUF""#;
    let (_, json, _) = run(&[
        "query",
        expr,
        "--format",
        "json",
        "--snapshot",
        s.to_str().unwrap(),
    ]);
    let g: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(g["nodes"].as_array().unwrap().len(), 3);
    assert_eq!(g["edges"].as_array().unwrap().len(), 2);
    let (_, dot, _) = run(&[
        "query",
        expr,
        "--format",
        "dot",
        "--snapshot",
        s.to_str().unwrap(),
    ]);
    assert!(dot.starts_with("digraph") && dot.contains("quantized"));
    let (_, mermaid, _) = run(&[
        "query",
        expr,
        "--format",
        "mermaid",
        "--snapshot",
        s.to_str().unwrap(),
    ]);
    assert!(mermaid.starts_with("flowchart TD"));
}

#[test]
fn live_queries_crawl_what_the_expression_names() {
    use common::mock_hub::*;
    let hub = MockHub::start(
        from_snapshot(&example_snapshot()),
        MockConfig {
            page_size: 100,
            ..Default::default()
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("q.sqlite");
    let live = |expr: &str| {
        bin()
            .args([
                "query",
                expr,
                "--endpoint",
                &hub.url(),
                "--cache",
                cache.to_str().unwrap(),
                "--rate",
                "100000/60",
            ])
            .env("HF_HOME", dir.path())
            .output()
            .unwrap()
    };
    let out = live(r#"roots(kind(model, ancestors("TheBloke/Llama-2-7B-Chat-GGUF")))"#);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "meta-llama/Llama-2-7b-hf\n",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = live(r#"relation(quantized, descendants("meta-llama/Llama-2-7b-chat-hf"))"#);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "TheBloke/Llama-2-7B-Chat-GGUF\nTheBloke/Llama-2-7B-Chat-GPTQ\n"
    );
    let out = live("all()");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("needs --snapshot"));
}
