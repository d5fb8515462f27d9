//! The documentation rubric on small cards.

use super::*;
use crate::card::parse_card;
use crate::finding::Code;
use crate::finding::Severity;
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
    assert_eq!(r.missing, vec!["format", "precision"]);
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
        (partial.verdict, partial.missing.to_vec()),
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
        (r.verdict, r.missing.to_vec()),
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

fn judge_repo(relation: Relation, id: &str, card: &str) -> DocReport {
    let c = parse_card(card, RepoKind::Model);
    let id = crate::id::RepoId::parse(id, RepoKind::Model).unwrap();
    let facts = RepoFacts {
        id: Some(&id),
        files: &[],
        default_relation: false,
    };
    assess_repo(relation, &c.meta, &c.body, facts)
}

#[test]
fn the_repo_name_states_format_and_precision() {
    let r = judge_repo(
        Relation::Quantized,
        "q/Foo-7B-Q4_K_M-GGUF",
        "---\nbase_model: org/Foo-7B\n---\nRun it with your favourite runtime.\n",
    );
    assert_eq!(r.verdict, Verdict::Documented, "{r:?}");
    assert!(r.evidence.iter().any(|e| e.quote.contains("repo name")));
    // Format in the name, no precision anywhere: two of three.
    let r = judge_repo(
        Relation::Quantized,
        "q/Foo-7B-GGUF",
        "---\nbase_model: org/Foo-7B\n---\nRun it with your favourite runtime.\n",
    );
    assert_eq!(
        (r.verdict, r.missing.to_vec()),
        (Verdict::Partial, vec!["precision"])
    );
}

#[test]
fn a_table_of_quant_files_states_precision() {
    let r = judge_repo(
        Relation::Quantized,
        "q/foo-quants",
        "---\nbase_model: org/foo\n---\nGGUF quantizations of the model, made with llama.cpp.\n\n| File | Quant | Size |\n|---|---|---|\n| foo.Q2_K.gguf | Q2_K | 2.7 GB |\n| foo.IQ4_XS.gguf | IQ4_XS | 3.9 GB |\n",
    );
    assert_eq!(r.verdict, Verdict::Documented, "{r:?}");
}

#[test]
fn a_format_alone_is_not_documentation() {
    let card = "Converted and quantized to GGUF.\n";
    let r = judge_repo(Relation::Quantized, "q/foo-converted", card);
    assert_eq!(r.verdict, Verdict::Undocumented, "one of three: {r:?}");
    let r = judge_repo(
        Relation::Quantized,
        "q/foo-converted",
        &format!("---\nbase_model: org/foo\n---\n{card}"),
    );
    assert_eq!(
        (r.verdict, r.missing.to_vec()),
        (Verdict::Partial, vec!["precision"])
    );
}

#[test]
fn a_card_copied_from_the_parent_documents_the_parent() {
    // The body is the parent's card (its title is the parent's name) and its base_model the
    // parent's own base: only the repo name speaks for this repo.
    let r = judge_repo(
        Relation::Quantized,
        "q/Router-1B.gguf",
        "---\nbase_model: other/Small-1B-Instruct\n---\n# acme/Router-1B\n\nRouter-1B was fine-tuned with DPO on 20k preference pairs in 4-bit QLoRA.\n",
    );
    assert_eq!(r.verdict, Verdict::Undocumented, "{r:?}");
    assert!(!r.evidence.iter().any(|e| e.quote.contains("DPO")));
    // The same body in the parent's own repo is its documentation.
    let own = judge_repo(
        Relation::Finetune,
        "acme/Router-1B",
        "---\nbase_model: other/Small-1B-Instruct\n---\n# acme/Router-1B\n\nRouter-1B was fine-tuned with DPO on 20k preference pairs.\n",
    );
    assert_eq!(own.verdict, Verdict::Documented, "{own:?}");
}

#[test]
fn a_training_template_in_a_quantized_repo_says_nothing_about_the_quantization() {
    let r = judge_repo(
        Relation::Quantized,
        "q/travel-7B-5.0bpw-exl2",
        "---\nbase_model: unsloth/mistral-7b-bnb-4bit\n---\n# Uploaded  model\n\n- **Developed by:** q\n- **Finetuned from model :** unsloth/mistral-7b-bnb-4bit\n\nThis mistral model was trained 2x faster with Unsloth.\n",
    );
    // Format and precision from the name; the declared base is the parent's, not the source.
    assert_eq!(
        (r.verdict, r.missing.to_vec()),
        (Verdict::Partial, vec!["source"]),
        "{r:?}"
    );
}

#[test]
fn a_usage_example_alone_is_not_the_repos_documentation() {
    let r = judge_repo(
        Relation::Quantized,
        "q/foo",
        "---\nbase_model: org/foo\n---\n## Usage\nhuggingface-cli download q/foo --include \"*Q4_K_M*\" --local-dir .\n",
    );
    assert_eq!(r.verdict, Verdict::Undocumented, "{r:?}");
    // Beside a statement about the repo, the usage line's type counts.
    let r = judge_repo(
        Relation::Quantized,
        "q/foo",
        "---\nbase_model: org/foo\n---\nGGUF files quantized with llama.cpp.\n## Usage\nhuggingface-cli download q/foo --include \"*Q4_K_M*\" --local-dir .\n",
    );
    assert_eq!(r.verdict, Verdict::Documented, "{r:?}");
}

#[test]
fn data_named_only_as_private_is_not_data() {
    let r = judge(
        Relation::Finetune,
        "---\nbase_model: a/b\n---\nThis model is trained on a private dataset.\nSFT for 2 epochs.\n",
    );
    assert_eq!(
        (r.verdict, r.missing.to_vec()),
        (Verdict::Partial, vec!["data"]),
        "{r:?}"
    );
    let r = judge(
        Relation::Finetune,
        "---\nbase_model: a/b\n---\nThis model is trained on a private dataset.\n",
    );
    assert_eq!(r.verdict, Verdict::Undocumented, "{r:?}");
}

#[test]
fn merges_described_in_prose() {
    let r = judge(
        Relation::Merge,
        "This model is a 50/50 average weight merge between Alpha-13B and Beta-13B.\n",
    );
    assert_eq!(r.verdict, Verdict::Documented, "{r:?}");
    let r = judge(
        Relation::Merge,
        "A blend: 75% Alpha 33B, and 25% Beta 33B.\n",
    );
    assert_eq!(
        r.verdict,
        Verdict::Undocumented,
        "no merge word, no method: {r:?}"
    );
    let r = judge(Relation::Merge, "Merged 75% Alpha 33B, and 25% Beta 33B.\n");
    assert_eq!(
        (r.verdict, r.missing.to_vec()),
        (Verdict::Partial, vec!["merge method"]),
        "{r:?}"
    );
    let r = judge(
        Relation::Merge,
        "Merge of https://huggingface.co/a/one-13b and https://huggingface.co/b/two-13b\n",
    );
    assert_eq!(
        (r.verdict, r.missing.to_vec()),
        (Verdict::Partial, vec!["merge method"]),
        "{r:?}"
    );
    let r = judge(
        Relation::Merge,
        "merged 60% alpha 40% beta using KOMBINER (a merge tool)\n",
    );
    assert_eq!(r.verdict, Verdict::Documented, "{r:?}");
    let r = judge(
        Relation::Merge,
        "A spherical merge of hand-picked 7B models.\n",
    );
    assert_eq!(
        (r.verdict, r.missing.to_vec()),
        (Verdict::Partial, vec!["merged models"]),
        "{r:?}"
    );
}

#[test]
fn typographic_hyphens_and_dataset_headings() {
    let r = judge(
        Relation::Adapter,
        "---\nbase_model: a/b\n---\nA LoRA (r=16, alpha=16) fine\u{2011}tuned adapter.\n\n### Dataset Sources:\n\n- **org/counseling**: real counseling Q&A.\n",
    );
    assert_eq!(r.verdict, Verdict::Documented, "{r:?}");
    let r = judge(
        Relation::Adapter,
        "---\nbase_model: a/b\n---\nA LoRA adapter optimized for empathetic conversation.\n",
    );
    // The rubric: the method counts with or without its rank.
    assert_eq!(r.verdict, Verdict::Documented, "{r:?}");
}

#[test]
fn partial_and_undocumented_are_separate_codes() {
    let partial = judge(
        Relation::Finetune,
        "---\nbase_model: a/b\n---\nTrained with DPO.\n",
    );
    let f = finding_for(None, "x/y", &partial).unwrap();
    assert_eq!(
        (f.code, f.severity),
        (Code::PartiallyDocumentedChange, Severity::Info)
    );
    let none = judge(Relation::Finetune, "---\nbase_model: a/b\n---\nHello.\n");
    let f = finding_for(None, "x/y", &none).unwrap();
    assert_eq!(
        (f.code, f.severity),
        (Code::UndocumentedChange, Severity::Warn)
    );
}

#[test]
fn findings_name_what_the_files_show() {
    let c = parse_card("---\nbase_model: a/b\n---\nHello.\n", RepoKind::Model);
    let id = crate::id::RepoId::parse("q/m", RepoKind::Model).unwrap();
    let files = vec!["m.Q4_K_M.gguf".to_string(), "m.Q8_0.gguf".to_string()];
    let r = assess_repo(
        Relation::Quantized,
        &c.meta,
        &c.body,
        RepoFacts {
            id: Some(&id),
            files: &files,
            default_relation: false,
        },
    );
    assert_eq!(
        r.verdict,
        Verdict::Undocumented,
        "files never change the verdict"
    );
    let f = finding_for(None, "q/m", &r).unwrap();
    assert!(f.message.contains("Q4_K_M, Q8_0"), "{}", f.message);
}

#[test]
fn the_verdict_is_a_function_of_the_items_found() {
    use Verdict::*;
    assert_eq!(
        verdict(Relation::Quantized, &[true, true, true]),
        Documented
    );
    assert_eq!(verdict(Relation::Quantized, &[true, false, true]), Partial);
    assert_eq!(
        verdict(Relation::Quantized, &[false, false, true]),
        Undocumented
    );
    for rel in [Relation::Finetune, Relation::Adapter, Relation::Merge] {
        assert_eq!(verdict(rel, &[true, true]), Documented);
        assert_eq!(verdict(rel, &[false, true]), Partial);
        assert_eq!(verdict(rel, &[false, false]), Undocumented);
    }
    assert_eq!(verdict(Relation::TrainedOn, &[]), Undocumented);
}

fn judge_default(id: &str, card: &str) -> DocReport {
    let c = parse_card(card, RepoKind::Model);
    let id = crate::id::RepoId::parse(id, RepoKind::Model).unwrap();
    let facts = RepoFacts {
        id: Some(&id),
        files: &[],
        default_relation: true,
    };
    assess_repo(Relation::Finetune, &c.meta, &c.body, facts)
}

#[test]
fn a_default_relation_is_judged_by_the_conversion_the_card_states() {
    let r = judge_default(
        "me/Orchid-3B-MLX-bf16",
        "---\nbase_model: o/Orchid-3B\n---\nConverted to MLX format from o/Orchid-3B using mlx-lm.\n",
    );
    assert_eq!(
        (r.relation, r.verdict),
        (Relation::Quantized, Verdict::Documented),
        "{r:?}"
    );
    assert_eq!(r.evidence[0].item, "relation");
    assert!(
        r.evidence[0]
            .quote
            .contains("Orchid-3B-MLX-bf16 states MLX"),
        "{r:?}"
    );
    // The finding says which relation it judged by and why.
    let r = judge_default(
        "me/Orchid-3B-mlx",
        "---\nbase_model: o/Orchid-3B\n---\nHi.\n",
    );
    let f = finding_for(None, "me/Orchid-3B-mlx", &r).unwrap();
    assert_eq!(f.code, Code::PartiallyDocumentedChange);
    assert!(
        f.message
            .contains("judged as quantized, not the Hub's default finetune"),
        "{}",
        f.message
    );
    // Nothing stated: a default finetune stays a finetune.
    let r = judge_default(
        "me/Orchid-3B-better",
        "---\nbase_model: o/Orchid-3B\n---\nA better Orchid.\n",
    );
    assert_eq!(
        (r.relation, r.verdict),
        (Relation::Finetune, Verdict::Undocumented)
    );
    // Declared (not default): judged as declared.
    let r = judge_repo(
        Relation::Finetune,
        "me/Orchid-3B-MLX-bf16",
        "---\nbase_model: o/Orchid-3B\n---\nHi.\n",
    );
    assert_eq!(r.relation, Relation::Finetune);
}

#[test]
fn template_placeholders_and_generated_values_count_for_nothing() {
    // Keras: "unknown dataset", `optimizer: None`, the hyperparameter table's frame.
    let keras = "---\nlibrary_name: keras\nbase_model: a/b\n---\n## Training procedure\n### Training hyperparameters\nThe following hyperparameters were used during training:\n| Hyperparameters | Value |\n| :-- | :-- |\n| optimizer | None |\n| training_precision | float32 |\n\nThis model was trained from scratch on an unknown dataset.\n";
    let r = judge(Relation::Finetune, keras);
    assert_eq!(r.verdict, Verdict::Undocumented, "{r:?}");
    // AutoTrain's generated project data names no data.
    let auto = "---\ntags: [autotrain]\ndatasets: [x/autotrain-data-k2j9]\n---\n# Model Trained Using AutoTrain\n- Problem type: Text Classification\n";
    assert_eq!(
        judge(Relation::Finetune, auto).verdict,
        Verdict::Undocumented
    );
    // The Trainer's "None dataset" is no data; its real hyperparameters are a procedure.
    let trainer = "---\ntags: [generated_from_trainer]\n---\nThis model is a fine-tuned version of a/b on the None dataset.\n- learning_rate: 5e-05\n";
    let r = judge(Relation::Finetune, trainer);
    assert_eq!(
        (r.verdict, r.missing.to_vec()),
        (Verdict::Partial, vec!["data"])
    );
    // The PEFT template's type field restates the relation.
    let peft = "---\nlibrary_name: peft\n---\n# Model Card for Model ID\n- **Model type:** Generative LoRA Adapter\n";
    assert_eq!(
        judge(Relation::Adapter, peft).verdict,
        Verdict::Undocumented
    );
}

#[test]
fn restrictions_are_no_purpose_and_unclosed_banners_hide_nothing() {
    for restriction in [
        "仅供学习交流，请勿用于商业用途。",
        "Do not use for commercial purposes.",
        "상업적 용도로 사용하지 마세요.",
        "Ne pas utiliser pour des usages commerciaux.",
    ] {
        let r = judge(Relation::Adapter, &format!("{restriction}\n"));
        assert_eq!(r.verdict, Verdict::Undocumented, "{restriction}: {r:?}");
    }
    let r = judge(
        Relation::Adapter,
        "LoRA trained to draw watercolor landscapes. Not for commercial use.\n",
    );
    assert_eq!(r.verdict, Verdict::Documented, "{r:?}");
    // A `<p>` banner left open ends at the blank line; the text after it counts.
    let r = judge(
        Relation::Finetune,
        "<p align=\"center\"><img src=\"x.png\">\n<p>\n\nFine-tuned on o/dialog-50k with SFT, lr 1e-5.\n",
    );
    assert_eq!(r.verdict, Verdict::Documented, "{r:?}");
}
