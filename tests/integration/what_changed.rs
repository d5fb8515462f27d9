//! "What changed?" evaluated on the real model cards labelled in
//! ../shared/cards/labels-what-changed.tsv. Skips (and says so) without ../shared.
//!
//! The corpus holds cards without the repos' file lists or the Hub's tags, so the relation each
//! card is judged under is the labelled one (what the Hub resolves from files and tags); the
//! evidence rules are the tool's own, unchanged.

use crate::common;

use hf_lineage::card::parse_card;
use hf_lineage::docs_check::{assess_repo, RepoFacts, Verdict};
use hf_lineage::id::{RepoId, RepoKind};
use hf_lineage::relation::Relation;

/// One labelled row, judged.
struct Judged {
    id: String,
    relation: Relation,
    label: String,
    verdict: Verdict,
    judged_as: Relation,
    missing: String,
}

/// Precision and recall of `undocumented-change` (flagged = judged undocumented) against the
/// documented/undocumented labels of some rows.
fn scores(rows: &[&Judged]) -> (usize, usize, usize, usize, f64, f64) {
    let (mut tp, mut fp, mut fneg, mut tn) = (0, 0, 0, 0);
    for r in rows {
        let flagged = r.verdict == Verdict::Undocumented;
        match (r.label.as_str(), flagged) {
            ("undocumented", true) => tp += 1,
            ("undocumented", false) => fneg += 1,
            ("documented", true) => fp += 1,
            ("documented", false) => tn += 1,
            _ => {}
        }
    }
    let precision = tp as f64 / (tp + fp).max(1) as f64;
    let recall = tp as f64 / (tp + fneg).max(1) as f64;
    (tp, fp, fneg, tn, precision, recall)
}

/// Judges every row of a labels file (`repo_id, relation, [hub_default, class,] label, …`)
/// whose card is `cards/<owner>__<name>.md`.
///
/// The corpora hold cards without the repos' file lists or the Hub's tags, so each card is
/// judged under its labelled relation (what the Hub resolves from files and tags); a row whose
/// `hub_default` is `yes` has only the Hub's default relation (no declared relation, nothing in
/// the files). The repo id is known: its name is part of what the publisher wrote.
fn judge_all(labels: &std::path::Path, cards: &std::path::Path) -> Vec<Judged> {
    let text = std::fs::read_to_string(labels).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    let col = |name: &str| header.iter().position(|h| *h == name);
    let (rel_at, label_at) = (col("relation").unwrap(), col("label").unwrap());
    let default_at = col("hub_default");
    let mut judged = Vec::new();
    for line in lines {
        let f: Vec<&str> = line.split('\t').collect();
        let (id, label) = (f[0], f[label_at]);
        let Some(relation) = Relation::from_card_value(f[rel_at]) else {
            continue;
        };
        let path = cards.join(format!("{}.md", id.replace('/', "__")));
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
        let card = parse_card(&text, RepoKind::Model);
        let repo = RepoId::parse(id, RepoKind::Model).unwrap();
        let facts = RepoFacts {
            id: Some(&repo),
            files: &[],
            default_relation: default_at.is_some_and(|i| f[i] == "yes"),
        };
        let r = assess_repo(relation, &card.meta, &card.body, facts);
        judged.push(Judged {
            id: id.to_string(),
            relation,
            label: label.to_string(),
            verdict: r.verdict,
            judged_as: r.relation,
            missing: r.missing.join(", "),
        });
    }
    judged
}

/// Prints the report BENCHMARKS.md quotes (`cargo test --test integration what_changed --
/// --nocapture`) and returns (precision, recall) over all rows.
fn report(what: &str, judged: &[Judged]) -> (f64, f64) {
    eprintln!("\n## {what}: {} rows\n", judged.len());
    eprintln!(
        "| relation | TP | FP | FN | TN | precision | recall |\n|---|---|---|---|---|---|---|"
    );
    for rel in [
        Relation::Quantized,
        Relation::Finetune,
        Relation::Adapter,
        Relation::Merge,
    ] {
        let rows: Vec<&Judged> = judged.iter().filter(|j| j.relation == rel).collect();
        let (a, b, c, d, p, r) = scores(&rows);
        eprintln!("| {rel} | {a} | {b} | {c} | {d} | {p:.2} | {r:.2} |");
    }
    let all: Vec<&Judged> = judged.iter().collect();
    let (tp, fp, fneg, tn, precision, recall) = scores(&all);
    eprintln!("| all | {tp} | {fp} | {fneg} | {tn} | {precision:.2} | {recall:.2} |");
    let name = |v: Verdict| format!("{v:?}").to_lowercase();
    eprintln!("\n| label | documented | partial | undocumented |\n|---|---|---|---|");
    for label in ["documented", "partial", "undocumented"] {
        let count = |v: Verdict| {
            judged
                .iter()
                .filter(|j| j.label == label && j.verdict == v)
                .count()
        };
        eprintln!(
            "| {label} | {} | {} | {} |",
            count(Verdict::Documented),
            count(Verdict::Partial),
            count(Verdict::Undocumented)
        );
    }
    eprintln!("\ndisagreements:");
    for j in judged {
        if name(j.verdict) != j.label {
            eprintln!(
                "| {} | {} (judged as {}) | {} | {} | missing: {} |",
                j.id,
                j.relation,
                j.judged_as,
                j.label,
                name(j.verdict),
                j.missing
            );
        }
    }
    assert!(
        tp + fneg >= 5 && tp + fp + tn + fneg >= 20,
        "{what}: the labels cover both classes"
    );
    (precision, recall)
}

/// The project's own cards (tests/fixtures/what-changed), written and labelled by the rubric
/// before the rules were changed: five classes the rules once failed, in several languages.
/// No ../shared needed.
#[test]
fn undocumented_change_on_the_projects_own_labelled_cards() {
    let dir = common::root().join("tests/fixtures/what-changed");
    let judged = judge_all(&dir.join("labels.tsv"), &dir.join("cards"));
    let (precision, recall) = report("own cards (tests/fixtures/what-changed)", &judged);
    assert!(precision >= 0.9, "precision {precision:.2}");
    assert!(recall >= 0.9, "recall {recall:.2}");
}

#[test]
fn undocumented_change_precision_and_recall_on_labelled_real_cards() {
    let Some(cards) =
        common::shared_cards("undocumented_change_precision_and_recall_on_labelled_real_cards")
    else {
        return;
    };
    let judged = judge_all(&cards.join("labels-what-changed.tsv"), &cards.join("model"));
    let (precision, recall) = report("shared labels (cards/labels-what-changed.tsv)", &judged);
    let more = judge_all(
        &cards.join("what-changed/labels.tsv"),
        &cards.join("what-changed/cards"),
    );
    let (p2, r2) = report("shared cards/what-changed (45 more)", &more);
    assert!(precision >= 0.95, "precision {precision:.2}");
    assert!(recall >= 0.95, "recall {recall:.2}");
    assert!(p2 >= 0.9, "what-changed/ precision {p2:.2}");
    assert!(r2 >= 0.9, "what-changed/ recall {r2:.2}");
}

/// Cards that declare no base_model but name their parents in the text (the index notes say
/// where): the suggested parents and relations, and nothing else.
#[test]
fn undeclared_parents_are_recovered_from_real_card_text() {
    use hf_lineage::docs_check::lineage::suggest;
    let Some(cards) = common::shared_cards("undeclared_parents_are_recovered_from_real_card_text")
    else {
        return;
    };
    let cases: [(&str, &[(&str, Relation)]); 6] = [
        (
            "TheBloke/WizardCoder-15B-1.0-GPTQ",
            &[("WizardLM/WizardCoder-15B-V1.0", Relation::Quantized)],
        ),
        (
            "TheBloke/wizard-mega-13B-GPTQ",
            &[(
                "openaccess-ai-collective/wizard-mega-13b",
                Relation::Quantized,
            )],
        ),
        (
            "allknowingroger/MultiverseEx26-7B-slerp",
            &[
                ("yam-peleg/Experiment26-7B", Relation::Merge),
                ("MTSAIR/multi_verse_model", Relation::Merge),
            ],
        ),
        (
            "lizpreciatior/lzlv_70b_fp16_hf",
            &[
                ("NousResearch/Nous-Hermes-Llama2-70b", Relation::Merge),
                ("Xwin-LM/Xwin-LM-7B-V0.1", Relation::Merge),
                ("Doctor-Shotgun/Mythospice-70b", Relation::Merge),
            ],
        ),
        (
            "microsoft/WizardLM-2-8x22B",
            &[("mistral-community/Mixtral-8x22B-v0.1", Relation::Finetune)],
        ),
        (
            "TehVenom/Pygmalion-7b-Merged-Safetensors",
            &[("PygmalionAI/pygmalion-7b", Relation::Finetune)],
        ),
    ];
    for (id, want) in cases {
        let me = RepoId::parse(id, RepoKind::Model).unwrap();
        let text = String::from_utf8_lossy(
            &std::fs::read(
                cards
                    .join("model")
                    .join(format!("{}.md", id.replace('/', "__"))),
            )
            .unwrap(),
        )
        .into_owned();
        let card = parse_card(&text, RepoKind::Model);
        assert!(
            card.meta.base_models.is_empty(),
            "{id} declares no base_model"
        );
        let got: Vec<(String, Relation)> = suggest(&me, &card.body)
            .into_iter()
            .map(|s| (s.parent.name().to_string(), s.relation))
            .collect();
        let want: Vec<(String, Relation)> = want.iter().map(|(p, r)| (p.to_string(), *r)).collect();
        assert_eq!(got, want, "{id}");
    }
}

/// A publisher checks a draft card before uploading it: `card FILE --relation …` judges what
/// changed, and `--fail-on` turns the verdict into an exit code for CI.
#[test]
fn card_judges_a_draft_as_the_kind_of_derivative_it_will_be() {
    let dir = tempfile::tempdir().unwrap();
    let draft = dir.path().join("README.md");
    std::fs::write(
        &draft,
        "---\nlicense: apache-2.0\n---\n# Foo 7B, GGUF\nGGUF quantizations of [Foo 7B](https://huggingface.co/org/Foo-7B) made with llama.cpp.\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("foo.Q4_K_M.gguf"), b"").unwrap();
    let path = draft.to_str().unwrap();
    let (code, out, err) = common::run(&[
        "card",
        path,
        "--relation",
        "quantized",
        "--format",
        "json",
        "--fail-on",
        "partial",
    ]);
    assert_eq!(code, 2, "partial fails --fail-on partial: {out}{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let doc = &v["documentation"];
    assert_eq!(doc["relation"], "quantized");
    assert_eq!(doc["verdict"], "partial");
    assert_eq!(doc["missing"], serde_json::json!(["precision"]));
    assert_eq!(doc["files"], serde_json::json!(["1 .gguf file(s): Q4_K_M"]));
    assert!(v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["code"] == "partially-documented-change" && f["severity"] == "info"));
    // The repo name the publisher will use states the precision: documented.
    let (code, out, _) = common::run(&[
        "card",
        path,
        "--relation",
        "quantized",
        "--repo",
        "me/Foo-7B-Q4_K_M-GGUF",
        "--fail-on",
        "partial",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("what changed:    documented (judged as quantized)"),
        "{out}"
    );
    // A card that declares its base model is judged as its own relation without --relation.
    std::fs::write(&draft, "---\nbase_model: org/Foo-7B\n---\nHello.\n").unwrap();
    let (code, out, _) = common::run(&["card", path, "--fail-on", "undocumented"]);
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("undocumented (judged as quantized)"),
        "the .gguf file decides: {out}"
    );
    assert!(out.contains("[undocumented-change]"), "{out}");
}

/// A conversion the Hub would call a finetune by default (a base model, no relation, no files
/// that say otherwise) is judged as a quantization, and the JSON says by which relation and why;
/// every evidence quote names the item it was taken for.
#[test]
fn card_judges_a_default_finetune_that_states_a_conversion_as_a_quantization() {
    let dir = tempfile::tempdir().unwrap();
    let draft = dir.path().join("README.md");
    std::fs::write(
        &draft,
        "---\nbase_model: org/Orchid-3B\nlibrary_name: mlx\n---\nThe model was converted to MLX format from org/Orchid-3B using mlx-lm.\n",
    )
    .unwrap();
    let path = draft.to_str().unwrap();
    let (code, out, err) = common::run(&[
        "card",
        path,
        "--repo",
        "me/Orchid-3B-MLX-bf16",
        "--format",
        "json",
        "--fail-on",
        "partial",
    ]);
    assert_eq!(code, 0, "documented as a quantization: {out}{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let doc = &v["documentation"];
    assert_eq!(doc["relation"], "quantized");
    assert_eq!(doc["verdict"], "documented");
    let items: Vec<&str> = doc["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["item"].as_str().unwrap())
        .collect();
    assert_eq!(items, ["relation", "format", "precision", "source"]);
    assert!(doc["evidence"][0]["quote"]
        .as_str()
        .unwrap()
        .contains("not the Hub's default finetune"));
    // Without the conversion, the same repo's card is a finetune with nothing said.
    std::fs::write(
        &draft,
        "---\nbase_model: org/Orchid-3B\n---\nA better Orchid.\n",
    )
    .unwrap();
    let (code, out, _) = common::run(&["card", path, "--repo", "me/Orchid-3B-better"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("undocumented (judged as finetune)"), "{out}");
}

/// What the documentation check concluded in a graph: every node's report, then the
/// documentation findings.
fn concluded(g: &hf_lineage::Analysis) -> (Vec<String>, Vec<String>) {
    let reports = g
        .graph()
        .nodes()
        .iter()
        .filter_map(|n| Some(format!("{} {}", n.id(), g.documentation(n)?)))
        .collect();
    let findings = g
        .findings()
        .iter()
        .filter(|f| f.code.as_str().contains("documented"))
        .map(|f| format!("{} {}", f.code.as_str(), f.message))
        .collect();
    (reports, findings)
}

/// The documentation a whole-snapshot build of `dir` concludes, and how many nodes kept
/// card text.
fn documentation_of(
    dir: &std::path::Path,
    text: hf_lineage::pipeline::CardText,
) -> ((Vec<String>, Vec<String>), usize) {
    use hf_lineage::pipeline::{analyse, whole_graph};
    let mut src = hf_lineage::source::SnapshotSource::open(dir).unwrap();
    let mut g = whole_graph(&mut src, text).unwrap();
    let policy = hf_lineage::policy::Policy::default();
    analyse(&mut g, &policy);
    let once = concluded(&g);
    // Analysing again (as a library user may) concludes the same, text or no text.
    analyse(&mut g, &policy);
    assert_eq!(
        once,
        concluded(&g),
        "a second analysis changed the verdicts"
    );
    let with_text = g
        .graph()
        .nodes()
        .iter()
        .filter(|n| !n.record().card.body.is_empty())
        .count();
    (once, with_text)
}

/// A whole-snapshot build judges "what changed" as each card is read and lets the text go
/// (`export --all`, `query` without `--infer`): the reports must be those of judging the kept
/// text in the finished graph, on the bundled snapshot and on every real model card.
#[test]
fn judging_cards_as_they_are_read_concludes_what_judging_the_graph_does() {
    use hf_lineage::pipeline::CardText;
    let mut dirs = vec![common::example_snapshot()];
    let tmp = tempfile::tempdir().unwrap();
    if let Some(cards) = common::shared_cards("judging_cards_as_they_are_read") {
        // The real model cards as a snapshot: models/<owner>/<name>/README.md.
        for e in std::fs::read_dir(cards.join("model")).unwrap().flatten() {
            let name = e.file_name().to_string_lossy().replace("__", "/");
            let Some(name) = name.strip_suffix(".md") else {
                continue;
            };
            let d = tmp.path().join("models").join(name);
            std::fs::create_dir_all(&d).unwrap();
            std::fs::copy(e.path(), d.join("README.md")).unwrap();
        }
        dirs.push(tmp.path().to_path_buf());
    }
    for dir in dirs {
        let (kept, kept_text) = documentation_of(&dir, CardText::Keep);
        let (judged, judged_text) = documentation_of(&dir, CardText::JudgeAndDrop);
        eprintln!(
            "{}: {} reports, {} findings",
            dir.display(),
            kept.0.len(),
            kept.1.len()
        );
        assert!(
            kept.0.len() >= 3,
            "{}: too few derivatives judged",
            dir.display()
        );
        assert_eq!(kept, judged, "{}", dir.display());
        assert!(kept_text > 0);
        assert_eq!(judged_text, 0, "card text was kept");
    }
}
