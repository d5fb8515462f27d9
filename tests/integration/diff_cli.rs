//! `hf-lineage diff OLD NEW`: two copies of the bundled snapshot, the second changed the ways
//! the Hub changes (a parent relicensed, gated, deleted; a new derivative), and what the diff
//! names of each.

use std::path::{Path, PathBuf};

use crate::common;

/// Copies a directory tree.
fn copy(from: &Path, to: &Path) {
    for f in common::files_under(from) {
        let dest = to.join(f.strip_prefix(from).unwrap());
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(&f, dest).unwrap();
    }
}

/// Sets a field of a repo's info.json (and the card's license line when it is `license`).
fn set_info(repo: &Path, key: &str, value: serde_json::Value) {
    let p = repo.join("info.json");
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
    v[key] = value;
    std::fs::write(&p, serde_json::to_string_pretty(&v).unwrap()).unwrap();
}

/// OLD: the bundled snapshot. NEW: the same with meta-llama/Llama-2-7b-chat-hf relicensed to
/// cc-by-nc-4.0 (card and cardData) at a new sha, mistralai/Mistral-7B-v0.1 deleted,
/// TheBloke/Llama-2-7B-Chat-GGUF's parent... unchanged, and a new fine-tune me/New-Model.
fn snapshots() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = (dir.path().join("old"), dir.path().join("new"));
    let example = common::root().join("examples/hub-snapshot");
    copy(&example, &old);
    copy(&example, &new);
    let chat = new.join("models/meta-llama/Llama-2-7b-chat-hf");
    let card = std::fs::read_to_string(chat.join("README.md")).unwrap();
    std::fs::write(
        chat.join("README.md"),
        card.replacen("license: llama2", "license: cc-by-nc-4.0", 1),
    )
    .unwrap();
    let mut info: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(chat.join("info.json")).unwrap()).unwrap();
    info["cardData"]["license"] = "cc-by-nc-4.0".into();
    std::fs::write(chat.join("info.json"), info.to_string()).unwrap();
    set_info(&chat, "sha", "c".repeat(40).into());
    std::fs::remove_dir_all(new.join("models/mistralai/Mistral-7B-v0.1")).unwrap();
    let me = new.join("models/me/New-Model");
    std::fs::create_dir_all(&me).unwrap();
    std::fs::write(
        me.join("README.md"),
        "---\nlicense: llama2\nbase_model: meta-llama/Llama-2-7b-hf\ndatasets: [o/data]\n---\nSFT on o/data for 2 epochs.\n",
    )
    .unwrap();
    (dir, old, new)
}

#[test]
fn a_snapshot_against_itself_has_nothing_new() {
    let example = common::root().join("examples/hub-snapshot");
    let e = example.to_str().unwrap();
    let (code, out, err) = common::run(&["diff", e, e, "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["schema"], "hf-lineage/diff@1");
    for key in [
        "added",
        "removed",
        "changed",
        "edges_added",
        "edges_removed",
        "findings_new",
        "findings_resolved",
    ] {
        assert_eq!(v[key], serde_json::json!([]), "{key}");
    }
    let (code, out, _) = common::run(&["diff", e, e]);
    assert_eq!(code, 0);
    assert!(out.contains("nothing changed"), "{out}");
}

#[test]
fn diff_names_every_change_and_the_findings_it_brings() {
    let (_dir, old, new) = snapshots();
    let (o, n) = (old.to_str().unwrap(), new.to_str().unwrap());
    let (code, out, err) = common::run(&["diff", o, n, "--format", "json"]);
    assert_eq!(code, 2, "a new finding at deny: {err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["added"], serde_json::json!(["me/New-Model"]));
    assert_eq!(
        v["removed"],
        serde_json::json!(["mistralai/Mistral-7B-v0.1"])
    );
    let changed = v["changed"].as_array().unwrap();
    let chat = changed
        .iter()
        .find(|c| c["id"] == "meta-llama/Llama-2-7b-chat-hf")
        .expect("the relicensed repo is changed");
    assert_eq!(
        chat["changes"]["license"],
        serde_json::json!(["llama2", "cc-by-nc-4.0"])
    );
    assert_eq!(chat["changes"]["sha"][1], "c".repeat(40));
    // The card's text changed: its hash says so (the text itself is not kept).
    let card = chat["changes"]["card"].as_array().unwrap();
    assert!(card[0].is_string() && card[1].is_string() && card[0] != card[1]);
    // Children of the deleted repo now name a parent the snapshot does not hold: not changed
    // themselves (their cards did not change), but their parent is gone.
    assert!(v["edges_added"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["upstream"] == "meta-llama/Llama-2-7b-hf"
            && e["downstream"] == "me/New-Model"
            && e["relation"] == "finetune"));
    let codes = |key: &str| -> Vec<String> {
        v[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["code"].as_str().unwrap().to_string())
            .collect()
    };
    let new_codes = codes("findings_new");
    for want in ["license-drift", "parent-relicensed", "parent-removed"] {
        assert!(
            new_codes.iter().any(|c| c == want),
            "{want} in {new_codes:?}"
        );
    }
    // Findings are audit's objects: code, severity, nodes, message.
    let relicensed = v["findings_new"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "parent-relicensed")
        .unwrap();
    assert_eq!(relicensed["severity"], "warn");
    assert_eq!(relicensed["nodes"][0], "meta-llama/Llama-2-7b-chat-hf");
    assert!(relicensed["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n == "TheBloke/Llama-2-7B-Chat-GGUF"));
    assert!(relicensed["message"]
        .as_str()
        .unwrap()
        .contains("from llama2 to cc-by-nc-4.0"));
    // What went away is resolved: the old conflict naming the chat model under llama2.
    assert!(!codes("findings_resolved").is_empty());
    // Reversed, the relicensing is undone: what was new is resolved.
    let (_, back, _) = common::run(&["diff", n, o, "--format", "json"]);
    let b: serde_json::Value = serde_json::from_str(&back).unwrap();
    assert_eq!(b["removed"], serde_json::json!(["me/New-Model"]));
    assert_eq!(b["added"], serde_json::json!(["mistralai/Mistral-7B-v0.1"]));
}

#[test]
fn a_parent_gated_under_derivatives_is_news_and_a_policy_sets_its_level() {
    let (dir, old, new) = snapshots();
    let base = new.join("models/meta-llama/Llama-2-7b-hf");
    set_info(
        &old.join("models/meta-llama/Llama-2-7b-hf"),
        "gated",
        false.into(),
    );
    set_info(&base, "gated", "auto".into());
    let (o, n) = (old.to_str().unwrap(), new.to_str().unwrap());
    let (_, out, _) = common::run(&["diff", o, n, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let gated = v["findings_new"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "parent-gated")
        .expect("parent-gated");
    assert_eq!(gated["severity"], "info");
    // The policy's levels apply to the change's own findings too.
    let policy = dir.path().join("policy.toml");
    std::fs::write(
        &policy,
        "[levels]\nparent-gated = \"deny\"\nlicense-drift = \"info\"\nlicense-conflict = \"info\"\nlicense-missing = \"info\"\n",
    )
    .unwrap();
    let p = policy.to_str().unwrap();
    let (code, out, _) = common::run(&["diff", o, n, "--policy", p, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let gated = v["findings_new"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "parent-gated")
        .unwrap();
    assert_eq!(gated["severity"], "deny");
    assert_eq!(code, 2);
}

#[test]
fn a_scoped_diff_keeps_what_happened_under_my_model() {
    let (_dir, old, new) = snapshots();
    let (o, n) = (old.to_str().unwrap(), new.to_str().unwrap());
    // Under the Mistral base: its deletion, nothing of the Llama family.
    let (_, out, _) = common::run(&[
        "diff",
        o,
        n,
        "--down",
        "mistralai/Mistral-7B-v0.1",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["removed"],
        serde_json::json!(["mistralai/Mistral-7B-v0.1"])
    );
    assert_eq!(v["added"], serde_json::json!([]));
    assert!(v["changed"].as_array().unwrap().is_empty(), "{out}");
    // A merge in the Mistral family also derives from the relicensed Llama model: its new
    // findings are in scope; the relicensing itself (outside the family) and the new Llama
    // fine-tune are not.
    assert!(
        !out.contains("parent-relicensed") && !out.contains("me/New-Model"),
        "{out}"
    );
    assert!(out.contains("parent-removed"), "{out}");
    // Under the Llama base: the new fine-tune and the relicensing, not the Mistral deletion.
    let (code, out, _) = common::run(&[
        "diff",
        o,
        n,
        "--down",
        "meta-llama/Llama-2-7b-hf",
        "--format",
        "json",
    ]);
    assert_eq!(code, 2);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["added"], serde_json::json!(["me/New-Model"]));
    assert_eq!(v["removed"], serde_json::json!([]));
    assert!(!out.contains("parent-removed"), "{out}");
}

#[test]
fn sarif_carries_the_new_findings_and_text_escapes_what_cards_say() {
    let (_dir, old, new) = snapshots();
    let (o, n) = (old.to_str().unwrap(), new.to_str().unwrap());
    let (code, out, _) = common::run(&["diff", o, n, "--format", "sarif"]);
    assert_eq!(code, 2);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let results = v["runs"][0]["results"].as_array().unwrap();
    assert!(results.iter().any(|r| r["ruleId"] == "parent-relicensed"));
    // A hostile license string in the new card reaches the terminal escaped.
    let chat = new.join("models/meta-llama/Llama-2-7b-chat-hf/README.md");
    let card = std::fs::read_to_string(&chat).unwrap();
    std::fs::write(
        &chat,
        card.replacen("license: cc-by-nc-4.0", "license: \"evil\\e[31m\"", 1),
    )
    .unwrap();
    let (_, text, _) = common::run(&["diff", o, n]);
    assert!(!text.contains('\u{1b}'), "{text:?}");
}
