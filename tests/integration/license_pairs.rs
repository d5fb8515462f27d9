//! License judgements on real derivative repos with their parents' real cards
//! (`../shared/cards/license-pairs`, labelled by ../shared/reference/licenses.md): `audit` of
//! each child over one snapshot of every card, its verdict compared with the label. Reports
//! precision and recall of "a license problem is flagged" and agreement on its kind; the
//! figures and every disagreement go to BENCHMARKS.md. A check, not a training set: the floor
//! asserted is what the rules reach, so a change that loses ground fails.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::common::*;

/// The kind of license problem a row is labelled with, worst first.
const KINDS: [&str; 4] = ["conflict", "drift", "missing", "unresolved"];

/// Writes every card (children and parents) into one snapshot directory; a parent whose card
/// is not among them gets a card with the license `pairs.tsv` records for it (the Hub's
/// well-known bases: "known-fact" rows), none when it is `unknown`.
fn snapshot_of(pairs: &Path, out: &Path) {
    for sub in ["cards", "parents"] {
        for entry in std::fs::read_dir(pairs.join(sub)).unwrap().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(stem) = name.strip_suffix(".md") else {
                continue;
            };
            let Some((owner, repo)) = stem.split_once("__") else {
                continue;
            };
            let dir = out.join("models").join(owner).join(repo);
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::copy(entry.path(), dir.join("README.md")).unwrap();
        }
    }
    let table = std::fs::read_to_string(pairs.join("pairs.tsv")).unwrap();
    for line in table.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        for (parent, license) in cols[4].split(',').zip(cols[5].split(',')) {
            let dir = out.join("models").join(parent.trim());
            if dir.join("README.md").exists() || license == "unknown" || !parent.contains('/') {
                continue;
            }
            let meta = match license.split_once('/') {
                _ if license == "none" => String::new(),
                Some(("other", name)) => format!("license: other\nlicense_name: {name}\n"),
                _ => format!("license: {license}\n"),
            };
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(
                dir.join("README.md"),
                format!("---\n{meta}---\n# {parent}\n"),
            )
            .unwrap();
        }
    }
}

/// What `audit` concludes for `child`: the worst license problem it has, judged on the child
/// itself, or `unresolved` when a derivation parent's terms cannot be read (no card, no
/// license, a license the tool cannot resolve) and nothing else fired; `ok` otherwise.
fn verdict(g: &Value, child: &str) -> (String, Vec<String>) {
    let findings = g["findings"].as_array().unwrap();
    let on_child: Vec<&Value> = findings
        .iter()
        .filter(|f| f["nodes"][0].as_str() == Some(child))
        .collect();
    let why: Vec<String> = on_child
        .iter()
        .filter(|f| f["code"].as_str().unwrap().starts_with("license-"))
        .map(|f| {
            format!(
                "{}: {}",
                f["code"].as_str().unwrap(),
                f["message"].as_str().unwrap()
            )
        })
        .collect();
    let has = |code: &str| on_child.iter().any(|f| f["code"] == code);
    for kind in &KINDS[..3] {
        if has(&format!("license-{kind}")) {
            return (kind.to_string(), why);
        }
    }
    if has("license-unresolved") {
        return ("unresolved".into(), why);
    }
    // A derivation parent whose terms cannot be read.
    let parents: Vec<&str> = g["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["downstream"] == child)
        .filter(|e| {
            ["finetune", "adapter", "merge", "quantized"].contains(&e["relation"].as_str().unwrap())
        })
        .filter(|e| e["relation_source"] != "card-text")
        .map(|e| e["upstream"].as_str().unwrap())
        .collect();
    let nodes: BTreeMap<&str, &Value> = g["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| (n["id"].as_str().unwrap(), n))
        .collect();
    for p in parents {
        let unreadable = nodes.get(p).is_none_or(|n| n["status"] != "ok");
        let unresolved = findings
            .iter()
            .any(|f| f["code"] == "license-unresolved" && f["nodes"][0].as_str() == Some(p));
        let none = nodes
            .get(p)
            .is_some_and(|n| n["status"] == "ok" && n["license"].is_null());
        if unreadable || unresolved || none {
            let mut why = why;
            why.push(format!("parent {p}: terms unreadable"));
            return ("unresolved".into(), why);
        }
    }
    ("ok".into(), why)
}

#[test]
fn license_judgements_on_real_pairs() {
    let Some(cards) = shared_cards("license_judgements_on_real_pairs") else {
        return;
    };
    let pairs = cards.join("license-pairs");
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("snap");
    snapshot_of(&pairs, &snap);
    let table = std::fs::read_to_string(pairs.join("pairs.tsv")).unwrap();
    let (mut tp, mut fp, mut fn_, mut same, mut rows) = (0, 0, 0, 0, 0);
    let mut disagreements = Vec::new();
    for line in table.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let (child, relation, expected) = (cols[0], cols[1], cols[7]);
        if !KINDS.contains(&expected) && expected != "ok" {
            continue;
        }
        let (code, out, err) = run(&[
            "audit",
            child,
            "--snapshot",
            snap.to_str().unwrap(),
            "--format",
            "json",
        ]);
        assert!(code == 0 || code == 2, "{child}: exit {code}: {err}");
        let g: Value = serde_json::from_str(&out).unwrap();
        let (got, why) = verdict(&g, child);
        rows += 1;
        let (want_flag, got_flag) = (expected != "ok", got != "ok");
        match (want_flag, got_flag) {
            (true, true) => tp += 1,
            (false, true) => fp += 1,
            (true, false) => fn_ += 1,
            (false, false) => {}
        }
        if got == expected {
            same += 1;
        } else {
            disagreements.push(format!(
                "{child} ({relation}): labelled {expected}, judged {got}{}",
                match why.is_empty() {
                    true => String::new(),
                    false => format!(" — {}", why.join(" | ")),
                }
            ));
        }
    }
    let precision = tp as f64 / (tp + fp).max(1) as f64;
    let recall = tp as f64 / (tp + fn_).max(1) as f64;
    let kind = same as f64 / rows.max(1) as f64;
    println!(
        "license pairs: {rows} rows; flagged: precision {precision:.2} ({tp}/{}), recall {recall:.2} ({tp}/{}); kind agreement {kind:.2} ({same}/{rows})",
        tp + fp,
        tp + fn_
    );
    for d in &disagreements {
        println!("  {d}");
    }
    assert_eq!(rows, 66, "every labelled row is judged");
    // The floor: what the rules reach today (BENCHMARKS.md); raise it as they improve.
    assert!(
        precision >= FLOOR.0 && recall >= FLOOR.1 && kind >= FLOOR.2,
        "below the floor {FLOOR:?}"
    );
}

/// (precision, recall, kind agreement) on the pairs: measured 1.00 / 0.95 / 0.95 (BENCHMARKS.md), a
/// row of slack each.
const FLOOR: (f64, f64, f64) = (0.97, 0.94, 0.93);
