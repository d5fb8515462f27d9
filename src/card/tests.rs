//! Cards: frontmatter, fields, wrong types, limits.

use super::*;

fn model(text: &str) -> Card {
    parse_card(text, RepoKind::Model)
}

#[test]
fn frontmatter_allows_leading_whitespace_crlf_and_trailing_spaces() {
    let c = model("\n  ---\r\nbase_model: a/b\r\nlicense: MIT\r\n---   \r\n# Body\r\n");
    assert_eq!(c.meta.base_models[0].name(), "a/b");
    assert_eq!(c.meta.licenses, vec!["mit"]);
    assert!(c.body.contains("# Body"));
    assert!(c.findings.is_empty(), "{:?}", c.findings);
    let at_end = model("---\nlicense: mit\n---");
    assert_eq!(at_end.meta.licenses, vec!["mit"]);
}

#[test]
fn a_leading_byte_order_mark_is_not_part_of_the_card() {
    let c = model("\u{feff}---\nbase_model: a/b\nlicense: mit\n---\n# Body\n");
    assert_eq!(c.meta.base_models[0].name(), "a/b");
    assert_eq!(c.meta.licenses, vec!["mit"]);
    assert!(c.findings.is_empty(), "{:?}", c.findings);
}

#[test]
fn missing_frontmatter_is_empty_metadata_and_a_finding() {
    let c = model("# Just a title\n\nSome text\n");
    assert_eq!(c.meta, CardMeta::default());
    assert_eq!(c.findings[0].code, Code::CardNoMetadata);
    assert!(c.body.contains("Just a title"));
}

#[test]
fn base_model_string_or_list_with_messy_values() {
    let c = model(
        "---\nbase_model:\n- https://huggingface.co/org/one/tree/main\n- hf.co/org/two\n- /root/local/ckpt\n- org/one\nbase_model_relation: merge\n---\n",
    );
    let names: Vec<_> = c
        .meta
        .base_models
        .iter()
        .map(|b| b.name().to_string())
        .collect();
    assert_eq!(names, vec!["org/one", "org/two"]);
    assert_eq!(c.meta.base_model_relation, Some(Relation::Merge));
    assert_eq!(c.findings.len(), 1);
    assert_eq!(c.findings[0].code, Code::InvalidRepoId);
    assert!(c.findings[0].message.contains("/root/local/ckpt"));
}

#[test]
fn wrong_types_become_findings() {
    let c = model("---\nbase_model: {a: 1}\nlicense: [mit, {x: y}]\ntags: 5\nbase_model_relation: distilled\n---\n");
    assert!(c.meta.base_models.is_empty());
    assert_eq!(c.meta.licenses, vec!["mit"]);
    assert_eq!(c.meta.tags, vec!["5"]);
    let found: Vec<_> = c.findings.iter().map(|f| f.code).collect();
    assert_eq!(
        found,
        vec![
            Code::CardWrongType,
            Code::CardWrongType,
            Code::UnknownRelation
        ]
    );
}

#[test]
fn legacy_finetuned_from_is_read() {
    let c = model("---\nfinetuned_from: gpt2\n---\n");
    assert_eq!(c.meta.base_models[0].name(), "gpt2");
    assert_eq!(c.findings[0].code, Code::CardLegacyField);
}

#[test]
fn non_mapping_and_invalid_yaml_are_findings() {
    assert_eq!(
        model("---\n- a\n- b\n---\n").findings[0].code,
        Code::CardYamlInvalid
    );
    assert_eq!(
        model("---\na: [1,\n---\n").findings[0].code,
        Code::CardYamlInvalid
    );
    assert!(model("---\n\n---\nbody").findings.is_empty());
}

#[test]
fn dataset_and_space_fields() {
    let d = parse_card(
        "---\nlicense: [cc-by-4.0, MIT]\nsource_datasets:\n- original\n- extended|squad\n- other-foo\n- rajpurkar/squad_v2\n---\n",
        RepoKind::Dataset,
    );
    let src: Vec<_> = d
        .meta
        .extra
        .get()
        .source_datasets
        .iter()
        .map(|x| x.node_id())
        .collect();
    assert_eq!(src, vec!["datasets/squad", "datasets/rajpurkar/squad_v2"]);
    assert_eq!(d.meta.licenses, vec!["cc-by-4.0", "mit"]);
    let s = parse_card(
        "---\nmodels: [a/b]\ndatasets: c/d\nduplicated_from: e/f\npreload_from_hub:\n- g/h config.json,model.safetensors abc123\n---\n",
        RepoKind::Space,
    );
    assert_eq!(s.meta.models[0].node_id(), "a/b");
    assert_eq!(s.meta.datasets[0].node_id(), "datasets/c/d");
    assert_eq!(
        s.meta
            .extra
            .get()
            .duplicated_from
            .as_ref()
            .unwrap()
            .node_id(),
        "spaces/e/f"
    );
    assert_eq!(s.meta.extra.get().preload_from_hub[0].node_id(), "g/h");
}

#[test]
fn oversized_frontmatter_is_refused() {
    let big = format!(
        "---\nx: \"{}\"\n---\n",
        "a".repeat(MAX_FRONTMATTER_BYTES + 10)
    );
    assert_eq!(model(&big).findings[0].code, Code::CardTooLarge);
}
