//! The documentation rubric on small cards.

use super::*;
use crate::card::parse_card;
use crate::id::RepoKind;

fn judge(relation: Relation, card: &str) -> DocReport {
    let c = parse_card(card, RepoKind::Model);
    assess(relation, &c.meta, &c.body)
}

#[test]
fn quantization_with_method_precision_and_source_is_documented() {
    let r = judge(
        Relation::Quantized,
        "---\nbase_model: a/b\n---\n# X GPTQ\nGPTQ 4-bit quantization of a/b, group size 128, made with AutoGPTQ.\n",
    );
    assert_eq!(r.verdict, Verdict::Documented, "{r:?}");
    assert!(r
        .evidence
        .iter()
        .any(|e| e.item == "precision" && e.quote.contains("group size 128")));
}

#[test]
fn quantization_without_method_or_precision_is_undocumented() {
    let r = judge(Relation::Quantized, "---\nbase_model: a/b\n---\n<div><p>All our GGUF 4-bit versions</p></div>\n# Model\nA helpful chat model.\n");
    assert_eq!(r.verdict, Verdict::Undocumented, "{r:?}");
    assert_eq!(r.missing, vec!["method", "precision"]);
    let r = judge(
        Relation::Quantized,
        "---\nbase_model: a/b\n---\nConverted to GGUF with llama.cpp.\n",
    );
    assert_eq!(r.verdict, Verdict::Partial);
    assert_eq!(r.missing, vec!["precision"]);
}

#[test]
fn finetune_needs_data_and_procedure() {
    let doc = judge(
        Relation::Finetune,
        "---\nbase_model: a/b\ndatasets: [c/d]\n---\nSFT for 3 epochs, learning rate 2e-5.\n",
    );
    assert_eq!(doc.verdict, Verdict::Documented);
    let partial = judge(
        Relation::Finetune,
        "---\nbase_model: a/b\n---\nTrained with DPO (beta 0.1).\n",
    );
    assert_eq!(
        (partial.verdict, partial.missing.clone()),
        (Verdict::Partial, vec!["data"])
    );
    let boilerplate = judge(
        Relation::Finetune,
        "---\nbase_model: a/b\n---\n# Uploaded model\n- **Developed by:** x\n- **Finetuned from model :** a/b\nThis model was trained 2x faster with Unsloth and TRL.\n",
    );
    assert_eq!(
        boilerplate.verdict,
        Verdict::Undocumented,
        "{boilerplate:?}"
    );
}

#[test]
fn template_placeholders_count_as_nothing() {
    let r = judge(
        Relation::Finetune,
        "---\nbase_model: a/b\n---\n# Model Card\n## Training Details\n### Training Data\n[More Information Needed]\n### Training Procedure\n#### Training Hyperparameters\n- **Training regime:** [More Information Needed] <!--fp32, bf16 mixed precision-->\n",
    );
    assert_eq!(r.verdict, Verdict::Undocumented, "{r:?}");
    assert!(r.evidence.is_empty());
}

#[test]
fn adapters_need_what_they_were_trained_on_or_for() {
    let implied = judge(Relation::Adapter, "---\nlibrary_name: peft\nbase_model: a/b\n---\n- **Model type:** LoRA Adapter\n### Framework versions\n- PEFT 0.8.2\n");
    assert_eq!(
        implied.verdict,
        Verdict::Undocumented,
        "the relation itself says LoRA: {implied:?}"
    );
    let good = judge(Relation::Adapter, "---\nbase_model: a/b\n---\nA LoRA adapter (rank 64, alpha 16) trained on the guanaco dataset.\n");
    assert_eq!(good.verdict, Verdict::Documented, "{good:?}");
}

#[test]
fn merges_need_method_and_models() {
    let r = judge(
        Relation::Merge,
        "# m\n```yaml\nmodels:\n  - model: a/one\n  - model: b/two\nmerge_method: slerp\n```\n",
    );
    assert_eq!(r.verdict, Verdict::Documented, "{r:?}");
    let r = judge(
        Relation::Merge,
        "---\nbase_model: [a/one, b/two]\n---\nA merge.\n",
    );
    assert_eq!(
        (r.verdict, r.missing.clone()),
        (Verdict::Partial, vec!["merge method"])
    );
    let r = judge(Relation::Merge, "A merge of several models I like.\n");
    assert_eq!(r.verdict, Verdict::Undocumented);
}

#[test]
fn the_most_specific_relation_is_judged() {
    assert_eq!(
        node_relation([Relation::Finetune, Relation::Merge]),
        Some(Relation::Merge)
    );
    assert_eq!(
        node_relation([Relation::TrainedOn, Relation::Quantized]),
        Some(Relation::Quantized)
    );
    assert_eq!(node_relation([Relation::TrainedOn]), None);
}
