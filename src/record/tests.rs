//! Unit tests.
use super::*;

fn id(s: &str) -> RepoId {
    RepoId::parse(s, RepoKind::Model).unwrap()
}

#[test]
fn hub_tags_decide_before_card_and_inference() {
    let info = br#"{"id":"q/m-GGUF","tags":["base_model:finetune:a/b","gguf"],"cardData":{"base_model":"a/b","base_model_relation":"adapter"},"siblings":[{"rfilename":"m.Q4_K_M.gguf"}]}"#;
    let r = RepoRecord::from_parts(&id("q/m-GGUF"), Some(info), None);
    assert_eq!(r.links()[0].relation, Relation::Finetune);
    assert_eq!(r.links()[0].source, RelationSource::Hub);
}

#[test]
fn declared_relation_beats_inference() {
    let r = RepoRecord::from_parts(
        &id("x/y"),
        None,
        Some(b"---\nbase_model: a/b\nbase_model_relation: adapter\n---\n"),
    );
    assert_eq!(
        (r.links()[0].relation, r.links()[0].source),
        (Relation::Adapter, RelationSource::Declared)
    );
}

#[test]
fn inference_from_files_and_metadata() {
    let gguf =
        br#"{"id":"x/y","cardData":{"base_model":"a/b"},"siblings":[{"rfilename":"y.Q8_0.gguf"}]}"#;
    let r = RepoRecord::from_parts(&id("x/y"), Some(gguf), None);
    assert_eq!(
        (r.links()[0].relation, r.links()[0].source),
        (Relation::Quantized, RelationSource::Inferred)
    );
    let gptq = br#"{"id":"x/y","cardData":{"base_model":"a/b"},"config":{"quantization_config":{"bits":4}}}"#;
    assert_eq!(
        RepoRecord::from_parts(&id("x/y"), Some(gptq), None).links()[0].relation,
        Relation::Quantized
    );
    let peft = RepoRecord::from_parts(
        &id("x/y"),
        None,
        Some(b"---\nbase_model: a/b\nlibrary_name: peft\n---\n"),
    );
    assert_eq!(peft.links()[0].relation, Relation::Adapter);
    let merge = RepoRecord::from_parts(
        &id("x/y"),
        None,
        Some(b"---\nbase_model: [a/b, c/d]\n---\n"),
    );
    assert!(merge.links().iter().all(|l| l.relation == Relation::Merge));
    let ft = RepoRecord::from_parts(
        &id("x/y"),
        None,
        Some(b"---\nbase_model: a/b\ndatasets: [d/e]\n---\n"),
    );
    let rels: Vec<_> = ft.links().iter().map(|l| l.relation).collect();
    assert_eq!(rels, vec![Relation::Finetune, Relation::TrainedOn]);
}

#[test]
fn children_counts_are_objects_per_relation_or_a_number() {
    let obj = br#"{"id":"a/b","childrenModelCount":{"adapter":716,"merge":19,"quantized":190,"finetune":328}}"#;
    let c = RepoRecord::from_parts(&id("a/b"), Some(obj), None)
        .detail
        .get()
        .children_count
        .as_deref()
        .copied()
        .unwrap();
    assert_eq!(c.total, 716 + 19 + 190 + 328);
    assert_eq!(c.of(Relation::Adapter), Some(716));
    assert_eq!(c.of(Relation::Quantized), Some(190));
    let n = RepoRecord::from_parts(
        &id("a/b"),
        Some(br#"{"id":"a/b","childrenModelCount":3}"#),
        None,
    )
    .detail
    .get()
    .children_count
    .as_deref()
    .copied()
    .unwrap();
    assert_eq!((n.total, n.of(Relation::Finetune)), (3, None));
    let bad = RepoRecord::from_parts(
        &id("a/b"),
        Some(br#"{"id":"a/b","childrenModelCount":"x"}"#),
        None,
    );
    assert_eq!(bad.detail.get().children_count, None);
}

#[test]
fn base_models_from_the_hub_win_and_keep_card_spellings_they_miss() {
    let info = br#"{"id":"q/x-GGUF","baseModels":{"relation":"quantized","models":[{"_id":"1","id":"Org/Base"}]},"cardData":{"base_model":["org/base","old/name"]}}"#;
    let r = RepoRecord::from_parts(&id("q/x-GGUF"), Some(info), None);
    let links = r.links();
    let ups: Vec<&str> = links.iter().map(|l| l.upstream.name()).collect();
    assert_eq!(ups, vec!["old/name", "Org/Base"]);
    assert!(links
        .iter()
        .all(|l| l.relation == Relation::Quantized && l.source == RelationSource::Hub));
}

#[test]
fn renamed_repo_keeps_alias() {
    let r = RepoRecord::from_parts(&id("old/name"), Some(br#"{"id":"new/Name"}"#), None);
    assert_eq!(r.id.name(), "new/Name");
    assert_eq!(r.aliases, vec![id("old/name")]);
}

#[test]
fn bad_info_json_is_a_finding_not_a_panic() {
    let r = RepoRecord::from_parts(
        &id("x/y"),
        Some(b"{truncated"),
        Some(b"---\nlicense: mit\n---\n"),
    );
    assert_eq!(r.findings[0].code, Code::RepoDataInvalid);
    assert_eq!(r.card.meta.licenses, vec!["mit"]);
    let r = RepoRecord::from_parts(
        &id("x/y"),
        Some(br#"{"id":"x/y","cardData":"oops","tags":7}"#),
        None,
    );
    assert_eq!(r.findings[0].code, Code::CardYamlInvalid);
}

#[test]
fn dates_are_kept_as_microseconds_and_written_back_in_the_apis_form() {
    let t = Timestamp::parse("2024-01-02T03:04:05.000Z").unwrap();
    assert_eq!(t.micros(), 1_704_164_645_000_000);
    assert_eq!(t.to_rfc3339(), "2024-01-02T03:04:05.000Z");
    let fine = Timestamp::parse("2024-01-02T03:04:05.123456Z").unwrap();
    assert_eq!(fine.micros() % 1_000_000, 123_456);
    assert_eq!(fine.to_rfc3339(), "2024-01-02T03:04:05.123456Z");
    for bad in [
        "",
        "yesterday",
        "2024-13-45T00:00:00Z",
        "1969-12-31T23:59:59Z",
    ] {
        assert_eq!(Timestamp::parse(bad), None, "{bad:?}");
    }
    // lastModified falls back to createdAt; an unreadable date is absent, not an error.
    let body = br#"{"id":"a/b","createdAt":"2023-05-06T07:08:09.000Z","lastModified":"soon"}"#;
    let r = RepoRecord::from_parts(&id("a/b"), Some(body), None);
    assert_eq!(r.created, Timestamp::parse("2023-05-06T07:08:09.000Z"));
    assert_eq!(r.last_modified, None);
    let body = br#"{"id":"a/b","createdAt":"2023-05-06T07:08:09.000Z"}"#;
    let r = RepoRecord::from_parts(&id("a/b"), Some(body), None);
    assert_eq!(r.last_modified, r.created);
}

#[test]
fn what_few_records_know_is_kept_out_of_line_only_when_known() {
    let plain = RepoRecord::from_parts(&id("a/b"), None, Some(b"---\nlicense: mit\n---\nhi"));
    assert_eq!(plain.detail.get(), &RecordDetail::default());
    assert!(
        !plain.detail.is_set(),
        "nothing allocated for a record with no detail"
    );
    assert!(
        std::mem::size_of::<RepoRecord>() <= 300,
        "a record is {} bytes inline: millions are held at once",
        std::mem::size_of::<RepoRecord>()
    );
    let body = br#"{"id":"a/b","sha":"abc","gated":"manual"}"#;
    let detailed = RepoRecord::from_parts(&id("a/b"), Some(body), None);
    assert_eq!(
        (detailed.sha(), detailed.gated()),
        (Some("abc"), Some("manual"))
    );
    let failed = RepoRecord::unavailable(id("a/b"), NodeStatus::NotFound, "404 from the Hub");
    assert_eq!(failed.reason(), Some("404 from the Hub"));
    assert_eq!(plain.reason(), None);
}

fn with_files(card: &str, files: &[(&str, &str)]) -> RepoRecord {
    let mut r = RepoRecord::from_parts(&id("me/derived"), None, Some(card.as_bytes()));
    let files: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|(n, b)| (n.to_string(), b.as_bytes().to_vec()))
        .collect();
    r.attach_files(&files);
    r
}

fn codes(r: &RepoRecord) -> Vec<&'static str> {
    r.findings.iter().map(|f| f.code.info().name).collect()
}

#[test]
fn a_parent_only_a_file_names_is_an_edge_of_its_own_with_the_files_relation() {
    // The card's base is a local path (dropped); the adapter config names the Hub id.
    let r = with_files(
        "---\nbase_model: /content/llama\nlicense: llama2\n---\n",
        &[(
            "adapter_config.json",
            r#"{"base_model_name_or_path": "meta-llama/Llama-2-7b-hf"}"#,
        )],
    );
    let l = &r.links()[0];
    assert_eq!(l.upstream, id("meta-llama/Llama-2-7b-hf"));
    assert_eq!(
        (l.relation, l.source),
        (Relation::Adapter, RelationSource::File)
    );
    assert!(
        codes(&r).contains(&"undeclared-base-model"),
        "{:?}",
        r.findings
    );
}

#[test]
fn a_file_decides_the_relation_after_the_card_and_adds_no_second_parent() {
    let r = with_files(
        "---\nbase_model: a/b\n---\n",
        &[(
            "mergekit_config.yml",
            "models:\n  - model: a/b\n  - model: c/d\nmerge_method: slerp\nbase_model: a/b\n",
        )],
    );
    let links = r.links();
    assert_eq!(links.len(), 1, "{links:?}");
    assert_eq!(
        (links[0].relation, links[0].source),
        (Relation::Merge, RelationSource::File)
    );
    // c/d is named by the merge configuration and not by the card.
    assert_eq!(codes(&r), vec!["base-model-mismatch"]);
    let declared = with_files(
        "---\nbase_model: a/b\nbase_model_relation: finetune\n---\n",
        &[(
            "mergekit_config.yml",
            "models:\n  - model: a/b\nmerge_method: slerp\n",
        )],
    );
    assert_eq!(declared.links()[0].source, RelationSource::Declared);
    assert!(codes(&declared).is_empty());
}

#[test]
fn ancestors_further_up_are_no_mismatch() {
    // config.json carries the original base's name through a chain of fine-tunes.
    let r = with_files(
        "---\nbase_model: someone/llama-chat-ft\n---\n",
        &[(
            "config.json",
            r#"{"_name_or_path": "meta-llama/Llama-2-7b-hf"}"#,
        )],
    );
    assert!(codes(&r).is_empty(), "{:?}", r.findings);
    assert_eq!(r.links().len(), 1);
}

#[test]
fn the_license_file_is_compared_with_the_metadata() {
    let llama = "LLAMA 2 COMMUNITY LICENSE AGREEMENT\nLlama 2 Version Release Date: July 18, 2023";
    let r = with_files("---\nlicense: apache-2.0\n---\n", &[("LICENSE", llama)]);
    assert_eq!(codes(&r), vec!["license-file-mismatch"]);
    assert_eq!(r.license_file().unwrap().license.as_deref(), Some("llama2"));
    let same = with_files("---\nlicense: llama2\n---\n", &[("LICENSE.txt", llama)]);
    assert!(codes(&same).is_empty());
    // `other` without a name: the file is how the license is known.
    let other = with_files("---\nlicense: other\n---\n", &[("LICENSE", llama)]);
    assert!(codes(&other).is_empty());
    let kb = crate::kb::KnowledgeBase::builtin();
    let file = other.license_file().and_then(|f| f.license.as_deref());
    assert!(
        matches!(kb.resolve_with_file(&other.card.meta, file), crate::kb::Resolved::Known(l) if l[0].id == "llama2")
    );
    // A file of no known license changes nothing.
    let unknown = with_files(
        "---\nlicense: other\n---\n",
        &[("LICENSE", "All rights reserved.")],
    );
    let file = unknown.license_file().and_then(|f| f.license.as_deref());
    assert!(matches!(
        kb.resolve_with_file(&unknown.card.meta, file),
        crate::kb::Resolved::Unresolved(_)
    ));
}

#[test]
fn a_card_is_known_by_a_hash_of_its_text_whichever_way_it_was_read() {
    let a = RepoRecord::from_parts(&id("a/b"), None, Some(b"---\nlicense: mit\n---\nhi"));
    let b = RepoRecord::from_parts(&id("a/b"), None, Some(b"---\nlicense: mit\n---\nho"));
    let none = RepoRecord::from_parts(&id("a/b"), None, None);
    assert_ne!(a.card_hash, 0);
    assert_ne!(a.card_hash, b.card_hash);
    assert_eq!(none.card_hash, 0);
    let dump = RepoRecord::from_hub_fields(
        &id("a/b"),
        crate::record::HubFields::default(),
        Some("---\nlicense: mit\n---\nhi"),
    );
    assert_eq!(
        dump.card_hash, a.card_hash,
        "the dump's reader hashes the same text alike"
    );
}
