//! "What changed?" evaluated on the real model cards labelled in
//! ../shared/cards/labels-what-changed.tsv. Skips (and says so) without ../shared.
//!
//! The corpus holds cards without the repos' file lists or the Hub's tags, so the relation each
//! card is judged under is the labelled one (what the Hub resolves from files and tags); the
//! evidence rules are the tool's own, unchanged.

mod common;

use hf_lineage::card::parse_card;
use hf_lineage::docs_check::{assess, Verdict};
use hf_lineage::id::RepoKind;
use hf_lineage::relation::Relation;

#[test]
fn undocumented_change_precision_and_recall_on_labelled_real_cards() {
    let Some(cards) =
        common::shared_cards("undocumented_change_precision_and_recall_on_labelled_real_cards")
    else {
        return;
    };
    let labels = std::fs::read_to_string(cards.join("labels-what-changed.tsv")).unwrap();
    let (mut tp, mut fp, mut fneg, mut tn) = (0, 0, 0, 0);
    let mut partial_agree = (0, 0);
    let mut rows = Vec::new();
    for line in labels.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        let (id, rel, label) = (f[0], f[1], f[2]);
        let Some(relation) = Relation::from_card_value(rel) else {
            continue;
        };
        let path = cards
            .join("model")
            .join(format!("{}.md", id.replace('/', "__")));
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
        let card = parse_card(&text, RepoKind::Model);
        let r = assess(relation, &card.meta, &card.body);
        let flagged = r.verdict == Verdict::Undocumented;
        match label {
            "undocumented" if flagged => tp += 1,
            "undocumented" => fneg += 1,
            "documented" if flagged => fp += 1,
            "documented" => tn += 1,
            "partial" => {
                partial_agree.1 += 1;
                if r.verdict == Verdict::Partial {
                    partial_agree.0 += 1;
                }
            }
            _ => {}
        }
        rows.push(format!(
            "{id}\t{rel}\t{label}\t{:?}\tmissing: {}",
            r.verdict,
            r.missing.join(", ")
        ));
    }
    for r in &rows {
        eprintln!("{r}");
    }
    let precision = tp as f64 / (tp + fp).max(1) as f64;
    let recall = tp as f64 / (tp + fneg).max(1) as f64;
    eprintln!("undocumented-change: TP {tp} FP {fp} FN {fneg} TN {tn}; precision {precision:.2} recall {recall:.2}; partial rows judged partial: {}/{}", partial_agree.0, partial_agree.1);
    assert!(
        tp + fneg >= 4 && tp + fp + tn + fneg >= 20,
        "the labels cover both classes"
    );
    assert!(precision >= 0.9, "precision {precision:.2}");
    assert!(recall >= 0.9, "recall {recall:.2}");
}

/// Cards that declare no base_model but name their parents in the text (the index notes say
/// where): the suggested parents and relations, and nothing else.
#[test]
fn undeclared_parents_are_recovered_from_real_card_text() {
    use hf_lineage::docs_check::lineage::suggest;
    use hf_lineage::id::RepoId;
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
