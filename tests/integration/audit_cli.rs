//! `audit` over the bundled example snapshot.

use crate::common;
use common::*;

fn snap() -> String {
    example_snapshot().to_str().unwrap().to_string()
}

fn audit(args: &[&str]) -> (i32, String, String) {
    let s = snap();
    let mut a = vec!["audit"];
    a.extend_from_slice(args);
    a.extend_from_slice(&["--snapshot", &s]);
    run(&a)
}

fn findings(json: &str) -> Vec<serde_json::Value> {
    let g: serde_json::Value = serde_json::from_str(json).unwrap();
    g["findings"].as_array().unwrap().clone()
}

#[test]
fn deny_level_findings_exit_2_and_clean_lineages_exit_0() {
    let (code, out, _) = audit(&["quantlab/aya-23-8B-AWQ"]);
    assert_eq!(code, 2, "{out}");
    // One line of descent drops the non-commercial term: drift (a merge would be a conflict).
    assert!(
        out.contains("deny [license-drift]")
            && out.contains("CohereForAI/aya-23-8B (cc-by-nc-4.0)"),
        "{out}"
    );
    assert!(
        out.contains("Path: CohereForAI/aya-23-8B →quantized→ quantlab/aya-23-8B-AWQ"),
        "{out}"
    );
    let (code, out, _) = audit(&["distilgpt2"]);
    assert_eq!(code, 0, "{out}");
    let (code, out, _) = audit(&["TheBloke/Llama-2-7B-Chat-GGUF"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("concluded obligations")
            && out.contains("distribute under the Llama 2 Community License Agreement"),
        "{out}"
    );
}

#[test]
fn warn_only_findings_exit_0() {
    let (code, out, _) = audit(&["chatcorp/SuperChat-8B"]);
    assert_eq!(code, 0);
    assert!(out.contains("warn [naming-requirement]"), "{out}");
    let (code, out, _) = audit(&["nolicense/llama2-7b-chat-ft"]);
    assert_eq!(code, 0);
    assert!(out.contains("warn [license-missing]"), "{out}");
}

#[test]
fn the_example_snapshot_shows_every_license_finding_code() {
    let ids = snapshot_entries(&example_snapshot().join("models"));
    let mut args: Vec<&str> = ids.iter().map(String::as_str).collect();
    args.extend(["--format", "json", "--policy"]);
    let policy = root().join("examples/hf-lineage.toml");
    args.push(policy.to_str().unwrap());
    let (code, out, err) = audit(&args);
    assert_eq!(code, 2, "{err}");
    let codes: std::collections::BTreeSet<String> = findings(&out)
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect();
    for want in [
        "license-conflict",
        "license-drift",
        "license-missing",
        "license-unresolved",
        "naming-requirement",
        "training-data-license",
        "license-not-allowed",
        "license-denied",
        "non-commercial-ancestry",
        "clarify-stale",
    ] {
        assert!(codes.contains(want), "{want} missing from {codes:?}");
    }
    // Without the policy, the defaults: conflict and drift deny, the rest warn.
    let mut args: Vec<&str> = ids.iter().map(String::as_str).collect();
    args.extend(["--format", "json"]);
    let (_, out, _) = audit(&args);
    for f in findings(&out) {
        let sev = f["severity"].as_str().unwrap();
        match f["code"].as_str().unwrap() {
            "license-conflict" | "license-drift" => assert_eq!(sev, "deny"),
            "license-unresolved" | "naming-requirement" => assert_eq!(sev, "warn"),
            // Warn where the ancestors' terms bind, info where only notices are at stake.
            "license-missing" => assert!(sev == "warn" || sev == "info", "{f}"),
            _ => {}
        }
    }
}

#[test]
fn policy_exceptions_and_clarifications_apply() {
    let policy = root().join("examples/hf-lineage.toml");
    let p = policy.to_str().unwrap();
    let (_, out, _) = audit(&[
        "free-models/gemma-2b-it-apache",
        "--format",
        "json",
        "--policy",
        p,
    ]);
    let drift = findings(&out)
        .into_iter()
        .find(|f| f["code"] == "license-drift")
        .unwrap();
    assert_eq!(drift["severity"], "info");
    assert!(drift["message"].as_str().unwrap().contains("VC-2024-17"));
    let (_, out, _) = audit(&["mystery-lab/mystery-7b", "--format", "json", "--policy", p]);
    assert!(!findings(&out)
        .iter()
        .any(|f| f["code"] == "license-unresolved" && f["nodes"][0] == "mystery-lab/mystery-7b"));
    let (_, out, _) = audit(&["mystery-lab/mystery-7b", "--format", "json"]);
    assert!(findings(&out)
        .iter()
        .any(|f| f["code"] == "license-unresolved" && f["nodes"][0] == "mystery-lab/mystery-7b"));
}

#[test]
fn json_findings_are_pinned() {
    let (_, out, _) = audit(&[
        "mergers/SA-Llama-Slerp-7B",
        "acme-ai/Llama-2-13b-legal-apache",
        "hobbyist/bloom-560m-poetry",
        "reasoner/Qwen2.5-72B-Reasoner",
        "remixer/painter-nd-anime",
        "--format",
        "json",
    ]);
    let g: serde_json::Value = serde_json::from_str(&out).unwrap();
    insta::assert_json_snapshot!("audit_findings", g["findings"]);
    let obligations = &node(&g, "acme-ai/Llama-2-13b-legal-apache")["obligations"];
    assert!(obligations
        .as_array()
        .unwrap()
        .iter()
        .any(|o| o.as_str().unwrap().contains("Llama 2 Community License")));
}

#[test]
fn sarif_is_valid_2_1_0() {
    let (code, out, _) = audit(&[
        "mergers/SA-Llama-Slerp-7B",
        "quantlab/aya-23-8B-AWQ",
        "chatcorp/SuperChat-8B",
        "--format",
        "sarif",
    ]);
    assert_eq!(code, 2);
    let s: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(s["version"], "2.1.0");
    let run = &s["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "hf-lineage");
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    let results = run["results"].as_array().unwrap();
    assert!(results.len() >= 4);
    for r in results {
        let id = r["ruleId"].as_str().unwrap();
        assert_eq!(rules[r["ruleIndex"].as_u64().unwrap() as usize], id);
        assert!(["error", "warning", "note"].contains(&r["level"].as_str().unwrap()));
        assert!(
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .starts_with("https://huggingface.co/")
        );
        assert!(!r["message"]["text"].as_str().unwrap().is_empty());
    }
}

#[test]
fn bad_policy_files_are_operational_errors_naming_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("hf-lineage.toml");
    std::fs::write(&p, "[licenses]\nallow = [\"mit\"]\ncomercial-use = true\n").unwrap();
    let (code, _, err) = audit(&["gpt2", "--policy", p.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(
        err.contains("line 3") && err.contains("comercial-use"),
        "{err}"
    );
    let (code, _, err) = audit(&["gpt2", "--policy", "/nonexistent/policy.toml"]);
    assert_eq!(code, 1);
    assert!(err.contains("/nonexistent/policy.toml"), "{err}");
}

#[test]
fn undocumented_derivatives_are_flagged_with_quoted_evidence() {
    let (_, out, _) = audit(&[
        "anon-user/llama-2-7b-custom",
        "TheBloke/Llama-2-7B-Chat-GPTQ",
        "teknium/OpenHermes-2.5-Mistral-7B",
        "--format",
        "json",
    ]);
    let g: serde_json::Value = serde_json::from_str(&out).unwrap();
    let f = findings(&out);
    let undocumented: Vec<_> = f
        .iter()
        .filter(|x| x["code"] == "undocumented-change" && x["severity"] == "warn")
        .collect();
    assert_eq!(undocumented.len(), 1, "{undocumented:?}");
    assert_eq!(undocumented[0]["nodes"][0], "anon-user/llama-2-7b-custom");
    let doc = &node(&g, "TheBloke/Llama-2-7B-Chat-GPTQ")["documentation"];
    assert_eq!(doc["verdict"], "documented");
    assert_eq!(doc["relation"], "quantized");
    let quotes: Vec<&str> = doc["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["quote"].as_str().unwrap())
        .collect();
    assert!(
        quotes.iter().any(|q| q.contains("Bits: 4, group size 128")),
        "{quotes:?}"
    );
    assert_eq!(
        node(&g, "teknium/OpenHermes-2.5-Mistral-7B")["documentation"]["verdict"],
        "documented"
    );
}

#[test]
fn parents_named_only_in_card_text_are_suggestions_never_silent() {
    let s = snap();
    let (_, plain, _) = run(&[
        "trace",
        "nometa/just-a-readme",
        "--format",
        "json",
        "--snapshot",
        &s,
    ]);
    let g: serde_json::Value = serde_json::from_str(&plain).unwrap();
    assert!(
        g["edges"].as_array().unwrap().is_empty(),
        "off by default in trace"
    );
    let (_, inferred, _) = run(&[
        "trace",
        "nometa/just-a-readme",
        "--infer-from-text",
        "--format",
        "json",
        "--snapshot",
        &s,
    ]);
    let g: serde_json::Value = serde_json::from_str(&inferred).unwrap();
    let e = &g["edges"][0];
    assert_eq!(e["upstream"], "mistralai/Mistral-7B-Instruct-v0.2");
    assert_eq!(e["relation"], "quantized");
    assert_eq!(e["relation_source"], "card-text");
    let f = findings(&inferred);
    let u = f
        .iter()
        .find(|x| x["code"] == "undeclared-base-model")
        .unwrap();
    assert!(
        u["message"].as_str().unwrap().contains("quantization of"),
        "{u}"
    );
    let (_, text, _) = run(&[
        "trace",
        "nometa/just-a-readme",
        "--infer-from-text",
        "--snapshot",
        &s,
    ]);
    assert!(
        text.contains("quantized? mistralai/Mistral-7B-Instruct-v0.2")
            && text.contains("[suggested from card text]"),
        "{text}"
    );
    // On by default in audit; --no-infer-from-text turns it off.
    let (_, a, _) = audit(&["nometa/just-a-readme", "--format", "json"]);
    assert!(findings(&a)
        .iter()
        .any(|x| x["code"] == "undeclared-base-model"));
    let (_, a, _) = audit(&[
        "nometa/just-a-readme",
        "--format",
        "json",
        "--no-infer-from-text",
    ]);
    assert!(!findings(&a)
        .iter()
        .any(|x| x["code"] == "undeclared-base-model"));
}

fn policy_file(dir: &std::path::Path, text: &str) -> String {
    let p = dir.join("policy.toml");
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

#[test]
fn policy_levels_and_exceptions_reach_every_code() {
    let dir = tempfile::tempdir().unwrap();
    // undeclared-base-model was parsed but never applied: now it fails the audit.
    let p = policy_file(dir.path(), "[levels]\nundeclared-base-model = \"deny\"\n");
    let (code, out, _) = audit(&["nometa/just-a-readme", "--format", "json", "--policy", &p]);
    assert_eq!(code, 2, "{out}");
    assert!(findings(&out)
        .iter()
        .any(|x| x["code"] == "undeclared-base-model" && x["severity"] == "deny"));
    // An exception reaches it too.
    let p = policy_file(
        dir.path(),
        "[levels]\nundeclared-base-model = \"deny\"\n[[exceptions]]\nrepo = \"nometa/just-a-readme\"\ncodes = [\"undeclared-base-model\"]\nreason = \"card fixed upstream\"\n",
    );
    let (code, out, _) = audit(&["nometa/just-a-readme", "--format", "json", "--policy", &p]);
    assert_eq!(code, 0, "{out}");
    assert!(!findings(&out)
        .iter()
        .any(|x| x["code"] == "unused-policy-entry"));
}

#[test]
fn denying_undocumented_changes_leaves_partial_ones_alone() {
    let dir = tempfile::tempdir().unwrap();
    let p = policy_file(dir.path(), "[levels]\nundocumented-change = \"deny\"\n");
    let (_, out, _) = audit(&[
        "google/gemma-2b",
        "--down",
        "--format",
        "json",
        "--policy",
        &p,
    ]);
    let f = findings(&out);
    let partial: Vec<_> = f
        .iter()
        .filter(|x| x["code"] == "partially-documented-change")
        .collect();
    assert!(!partial.is_empty());
    assert!(
        partial.iter().all(|x| x["severity"] == "info"),
        "{partial:?}"
    );
    assert!(!f
        .iter()
        .any(|x| x["code"] == "undocumented-change" && x["severity"] != "deny"));
}

#[test]
fn unused_policy_entries_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let p = policy_file(
        dir.path(),
        "[[exceptions]]\nrepo = \"no-such/repo\"\nreason = \"typo\"\n[[clarify]]\nrepo = \"gone/model\"\nlicense = \"mit\"\nsha = \"0123abcd\"\n",
    );
    let (code, out, _) = audit(&[
        "TheBloke/Llama-2-7B-Chat-GGUF",
        "--format",
        "json",
        "--policy",
        &p,
    ]);
    assert_eq!(code, 0, "warn only: {out}");
    let unused: Vec<_> = findings(&out)
        .into_iter()
        .filter(|x| x["code"] == "unused-policy-entry")
        .collect();
    assert_eq!(unused.len(), 2, "{unused:?}");
    assert_eq!(unused[0]["severity"], "warn");
    assert!(unused.iter().any(|x| x["message"]
        .as_str()
        .unwrap()
        .contains("no-such/repo is not in this lineage")));
}

#[test]
fn sarif_rules_come_from_the_registry_with_existing_anchors() {
    let (_, out, _) = audit(&["meta-llama/Llama-2-7b-hf", "--down", "--format", "sarif"]);
    let log: serde_json::Value = serde_json::from_str(&out).unwrap();
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert!(rules.len() >= 4);
    for r in rules {
        let desc = r["shortDescription"]["text"].as_str().unwrap();
        assert!(!desc.is_empty() && desc != "A finding of hf-lineage", "{r}");
        assert!(!r["help"]["text"].as_str().unwrap().is_empty());
        let anchor = r["helpUri"].as_str().unwrap().split('#').nth(1).unwrap();
        assert!(
            readme.contains(&format!("<a id=\"{anchor}\"></a>")),
            "README has no anchor {anchor}"
        );
    }
}

#[test]
fn readmes_finding_codes_table_is_the_registrys() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let (code, table, _) = run(&["explain", "--list", "--markdown"]);
    assert_eq!(code, 0);
    let begin = "<!-- finding-codes:begin -->\n";
    let start = readme.find(begin).unwrap() + begin.len();
    let end = readme.find("<!-- finding-codes:end -->").unwrap();
    assert_eq!(
        &readme[start..end],
        table,
        "regenerate README's table with `hf-lineage explain --list --markdown`"
    );
    let (code, out, _) = run(&["explain", "license-drift"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("license-drift (deny by default)") && out.contains("To resolve:"));
    let (code, _, err) = run(&["explain", "licence-drift"]);
    assert_eq!(code, 1);
    assert!(err.contains("explain --list"), "{err}");
}

#[test]
fn explain_says_what_a_license_name_resolves_to_and_by_which_rule() {
    let (code, out, _) = run(&["explain", "--license", "tongyi-qianwen-license-agreement"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("resolves to tongyi-qianwen") && out.contains("by spelling"),
        "{out}"
    );
    let (code, out, _) = run(&["explain", "--license", "llama3-research"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("research variant") && out.contains("commercial use: no"),
        "{out}"
    );
    let (code, _, err) = run(&["explain", "--license", "my-own-terms"]);
    assert_eq!(code, 1);
    assert!(err.contains("license-unresolved"), "{err}");
}
