//! Each license rule on small graphs.

use super::*;
use crate::finding::Code;
use crate::record::RepoRecord;

fn rec(id: &str, card: &str) -> RepoRecord {
    let rid = RepoId::parse(id, RepoKind::Model).unwrap();
    RepoRecord::from_parts(&rid, None, Some(format!("---\n{card}\n---\n").as_bytes()))
}

fn check(records: Vec<RepoRecord>) -> Vec<Finding> {
    check_with(records, &Policy::default())
}

fn check_with(records: Vec<RepoRecord>, policy: &Policy) -> Vec<Finding> {
    let g = LineageGraph::from_records(records, vec![]).graph;
    let findings = check_licenses(&g, &policy.knowledge_base(), policy).findings;
    crate::check::apply_policy(findings, policy, &|_| true)
}

fn codes_for(f: &[Finding], node: &str) -> Vec<crate::finding::Code> {
    let mut v: Vec<crate::finding::Code> = f
        .iter()
        .filter(|x| x.nodes[0] == node)
        .map(|x| x.code)
        .collect();
    v.sort();
    v
}

#[test]
fn llama2_to_apache_is_drift_naming_the_ancestor_rule_and_path() {
    let f = check(vec![
        rec("meta/llama2-base", "license: llama2"),
        rec("a/ft", "license: llama2\nbase_model: meta/llama2-base"),
        rec("b/ft-apache", "license: apache-2.0\nbase_model: a/ft"),
    ]);
    assert_eq!(codes_for(&f, "b/ft-apache"), vec![Code::LicenseDrift]);
    let d = f.iter().find(|x| x.code == Code::LicenseDrift).unwrap();
    assert_eq!(d.severity, Severity::Deny);
    assert_eq!(
        d.nodes,
        vec!["b/ft-apache", "a/ft"],
        "the nearest ancestor is named"
    );
    assert!(
        d.message.contains("rule 5") && d.message.contains("rule 4"),
        "{}",
        d.message
    );
    assert!(
        d.message.contains("a/ft →finetune→ b/ft-apache"),
        "{}",
        d.message
    );
    assert!(
        d.message.contains("Also from meta/llama2-base"),
        "{}",
        d.message
    );
    assert!(codes_for(&f, "a/ft").is_empty());
}

#[test]
fn openrail_to_mit_and_gemma_to_apache_drop_restrictions() {
    let f = check(vec![
        rec("bigscience/bloom", "license: bigscience-bloom-rail-1.0"),
        rec("x/bloom-mit", "license: mit\nbase_model: bigscience/bloom"),
        rec("google/gemma-2b", "license: gemma"),
        rec(
            "x/gemma-apache",
            "license: apache-2.0\nbase_model: google/gemma-2b",
        ),
        rec(
            "x/gemma-rail",
            "license: openrail\nbase_model: google/gemma-2b",
        ),
    ]);
    assert_eq!(codes_for(&f, "x/bloom-mit"), vec![Code::LicenseDrift]);
    assert_eq!(codes_for(&f, "x/gemma-apache"), vec![Code::LicenseDrift]);
    assert!(
        codes_for(&f, "x/gemma-rail").is_empty(),
        "restrictions carried by another RAIL license"
    );
}

#[test]
fn non_commercial_ancestor_and_commercial_descendant_drift_and_in_a_merge_conflict() {
    let f = check(vec![
        rec("c/aya", "license: cc-by-nc-4.0"),
        rec(
            "q/aya-awq",
            "license: apache-2.0\nbase_model: c/aya\nbase_model_relation: quantized",
        ),
        rec("q/aya-nc", "license: cc-by-nc-4.0\nbase_model: c/aya"),
    ]);
    // One line of descent drops the term: drift.
    assert_eq!(codes_for(&f, "q/aya-awq"), vec![Code::LicenseDrift]);
    assert!(f
        .iter()
        .any(|x| x.nodes[0] == "q/aya-awq" && x.message.contains("rule 1")));
    assert!(codes_for(&f, "q/aya-nc").is_empty());
    // A merge must meet every parent's terms at once: a conflict.
    let f = check(vec![
        rec("c/aya", "license: cc-by-nc-4.0"),
        rec("a/free", "license: apache-2.0"),
        rec(
            "m/merge",
            "license: apache-2.0
base_model: [c/aya, a/free]
base_model_relation: merge",
        ),
    ]);
    assert_eq!(codes_for(&f, "m/merge"), vec![Code::LicenseConflict]);
}

#[test]
fn share_alike_must_be_kept() {
    let f = check(vec![
        rec("s/sa", "license: cc-by-sa-4.0"),
        rec("t/sa-ok", "license: cc-by-sa-3.0\nbase_model: s/sa"),
        rec("t/sa-mit", "license: mit\nbase_model: s/sa"),
        // The licensor's own release is not a licensee's derivative.
        rec("s/own-mit", "license: mit\nbase_model: s/sa"),
    ]);
    assert!(codes_for(&f, "t/sa-ok").is_empty());
    assert_eq!(codes_for(&f, "t/sa-mit"), vec![Code::LicenseDrift]);
    assert!(codes_for(&f, "s/own-mit").is_empty());
}

#[test]
fn no_derivatives_forbids_any_derivative() {
    let f = check(vec![
        rec("nd/art", "license: cc-by-nd-4.0"),
        rec("remix/art-ft", "license: cc-by-nd-4.0\nbase_model: nd/art"),
    ]);
    assert_eq!(codes_for(&f, "remix/art-ft"), vec![Code::LicenseConflict]);
    assert!(f[0].message.contains("rule 3"));
}

#[test]
fn merges_are_judged_jointly() {
    let f = check(vec![
        rec("meta/llama2", "license: llama2"),
        rec("v/sa-chat", "license: cc-by-sa-4.0"),
        rec(
            "m/merge",
            "license: llama2\nbase_model: [meta/llama2, v/sa-chat]",
        ),
        rec(
            "m/ok-merge",
            "license: apache-2.0\nbase_model: [v/mit-a, v/mit-b]",
        ),
        rec("v/mit-a", "license: mit"),
        rec("v/mit-b", "license: apache-2.0"),
    ]);
    let merge: Vec<&Finding> = f
        .iter()
        .filter(|x| x.nodes[0] == "m/merge" && x.message.contains("rule 7"))
        .collect();
    assert_eq!(merge.len(), 1);
    assert_eq!(merge[0].code, Code::LicenseConflict);
    assert!(
        merge[0].nodes.iter().any(|n| n == "meta/llama2")
            && merge[0].nodes.iter().any(|n| n == "v/sa-chat")
    );
    assert!(codes_for(&f, "m/ok-merge").is_empty());
}

#[test]
fn missing_and_unresolved_licenses() {
    let f = check(vec![
        rec("meta/llama2", "license: llama2"),
        rec("n/none", "base_model: meta/llama2"),
        rec("n/other", "license: other\nbase_model: meta/llama2"),
        rec("n/named", "license: other\nlicense_name: my-license-1.0"),
        rec(
            "n/gemma-other",
            "license: other\nlicense_name: gemma-terms-of-use",
        ),
        rec("n/free-root", "license: mit"),
        rec("n/none-under-mit", "base_model: n/free-root"),
    ]);
    assert_eq!(codes_for(&f, "n/none"), vec![Code::LicenseMissing]);
    assert_eq!(codes_for(&f, "n/other"), vec![Code::LicenseUnresolved]);
    assert_eq!(codes_for(&f, "n/named"), vec![Code::LicenseUnresolved]);
    assert!(codes_for(&f, "n/gemma-other").is_empty());
    // Rule 8 still: no license is no conclusion, but only notices are at stake (info).
    assert_eq!(
        codes_for(&f, "n/none-under-mit"),
        vec![Code::LicenseMissing]
    );
    let m = f.iter().find(|x| x.nodes[0] == "n/none-under-mit").unwrap();
    assert_eq!(m.severity, Severity::Info);
    let m = f.iter().find(|x| x.nodes[0] == "n/none").unwrap();
    assert_eq!(m.severity, Severity::Warn);
}

#[test]
fn llama3_naming_requirement() {
    let f = check(vec![
        rec("meta-llama/Meta-Llama-3-8B", "license: llama3"),
        rec(
            "meta-llama/Meta-Llama-3-8B-Instruct",
            "license: llama3\nbase_model: meta-llama/Meta-Llama-3-8B",
        ),
        rec(
            "chat/SuperChat-8B",
            "license: llama3\nbase_model: meta-llama/Meta-Llama-3-8B-Instruct",
        ),
        rec(
            "good/Llama-3-SuperChat-8B",
            "license: llama3\nbase_model: meta-llama/Meta-Llama-3-8B-Instruct",
        ),
        rec("meta-llama/Llama-3.1-8B", "license: llama3.1"),
        rec(
            "good/llama3.1-tuned",
            "license: llama3.1\nbase_model: meta-llama/Llama-3.1-8B",
        ),
    ]);
    assert_eq!(
        codes_for(&f, "chat/SuperChat-8B"),
        vec![Code::NamingRequirement]
    );
    assert!(codes_for(&f, "good/Llama-3-SuperChat-8B").is_empty());
    assert!(codes_for(&f, "good/llama3.1-tuned").is_empty());
    assert!(
        codes_for(&f, "meta-llama/Meta-Llama-3-8B-Instruct").is_empty(),
        "the licensor's own release"
    );
}

#[test]
fn training_data_is_reported_separately() {
    let mut m = rec(
        "m/alpaca-ft",
        "license: apache-2.0\nbase_model: b/base\ndatasets: [tatsu/alpaca]",
    );
    m.card.meta.datasets =
        vec![RepoId::parse("datasets/tatsu/alpaca", RepoKind::Dataset).unwrap()].into();
    let d = RepoRecord::from_parts(
        &RepoId::parse("datasets/tatsu/alpaca", RepoKind::Model).unwrap(),
        None,
        Some(b"---\nlicense: cc-by-nc-4.0\n---\n"),
    );
    let f = check(vec![rec("b/base", "license: apache-2.0"), m, d]);
    assert_eq!(
        codes_for(&f, "m/alpaca-ft"),
        vec![Code::TrainingDataLicense]
    );
    let x = f
        .iter()
        .find(|x| x.code == Code::TrainingDataLicense)
        .unwrap();
    assert_eq!(x.severity, Severity::Warn);
    assert!(x.message.contains("contested"));
}

#[test]
fn policy_levels_exceptions_allow_deny_and_commercial_use() {
    let recs = || {
        vec![
            rec("c/aya", "license: cc-by-nc-4.0"),
            rec("q/aya-awq", "license: apache-2.0\nbase_model: c/aya"),
            rec("meta/llama2", "license: llama2"),
            rec("x/relicensed", "license: mit\nbase_model: meta/llama2"),
        ]
    };
    let p = Policy::parse(
        "[licenses]\nallow = [\"apache-2.0\", \"mit\", \"llama2\"]\ndeny = [\"llama2\"]\ncommercial-use = true\n[levels]\nlicense-drift = \"warn\"\n[[exceptions]]\nrepo = \"q/aya-awq\"\ncodes = [\"license-drift\"]\nreason = \"research only\"\n",
        "p",
    )
    .unwrap();
    let f = check_with(recs(), &p);
    let drift = f
        .iter()
        .find(|x| x.code == Code::LicenseDrift && x.nodes[0] == "x/relicensed")
        .unwrap();
    assert_eq!(drift.severity, Severity::Warn);
    let excepted = f
        .iter()
        .find(|x| x.code == Code::LicenseDrift && x.nodes[0] == "q/aya-awq")
        .unwrap();
    assert_eq!(excepted.severity, Severity::Info);
    assert!(excepted.message.contains("research only"));
    assert!(f
        .iter()
        .any(|x| x.code == Code::LicenseNotAllowed && x.nodes[0] == "c/aya"));
    assert!(f
        .iter()
        .any(|x| x.code == Code::LicenseDenied && x.nodes[0] == "meta/llama2"));
    assert!(f.iter().any(|x| x.code == Code::NonCommercialAncestry
        && x.nodes[0] == "q/aya-awq"
        && x.nodes[1] == "c/aya"));
}

#[test]
fn clarifications_apply_only_at_their_sha() {
    let rid = RepoId::parse("w/wrong-card", RepoKind::Model).unwrap();
    let info = br#"{"id": "w/wrong-card", "sha": "abcdef1234567890", "cardData": {"license": "other", "base_model": "meta/llama2"}}"#;
    let wrong = RepoRecord::from_parts(&rid, Some(info), None);
    let p = |sha: &str| {
        Policy::parse(
            &format!(
                "[[clarify]]\nrepo = \"w/wrong-card\"\nlicense = \"llama2\"\nsha = \"{sha}\"\n"
            ),
            "p",
        )
        .unwrap()
    };
    let f = check_with(
        vec![rec("meta/llama2", "license: llama2"), wrong.clone()],
        &p("abcdef1"),
    );
    assert!(codes_for(&f, "w/wrong-card").is_empty(), "{f:?}");
    let f = check_with(
        vec![rec("meta/llama2", "license: llama2"), wrong],
        &p("1234567"),
    );
    assert_eq!(
        codes_for(&f, "w/wrong-card"),
        vec![Code::ClarifyStale, Code::LicenseUnresolved]
    );
}

#[test]
fn policy_can_teach_the_knowledge_base() {
    let recs = vec![
        rec("a/base", "license: other\nlicense_name: acme-nc-1.0"),
        rec("b/ft", "license: mit\nbase_model: a/base"),
    ];
    let f = check(recs.clone());
    assert_eq!(codes_for(&f, "a/base"), vec![Code::LicenseUnresolved]);
    let p = Policy::parse(
        "[[license]]\nid = \"acme-nc-1.0\"\nfamily = \"acme\"\ncommercial = false\n",
        "p",
    )
    .unwrap();
    let f = check_with(recs, &p);
    assert!(codes_for(&f, "a/base").is_empty());
    assert_eq!(codes_for(&f, "b/ft"), vec![Code::LicenseDrift]);
}

#[test]
fn an_unrelated_license_under_a_community_license_is_drift_even_unread() {
    let f = check(vec![
        rec("meta/llama2-base", "license: llama2"),
        rec(
            "x/ft",
            "license: other\nlicense_name: ai2-impact-license-lowest\nbase_model: meta/llama2-base",
        ),
        rec(
            "y/ft",
            "license: other\nlicense_name: llama-2-custom\nbase_model: meta/llama2-base",
        ),
        rec("z/ft", "license: other\nbase_model: meta/llama2-base"),
    ]);
    assert_eq!(
        codes_for(&f, "x/ft"),
        vec![Code::LicenseDrift, Code::LicenseUnresolved]
    );
    // A spelling of the ancestor's own license, or nothing named: unresolved, not drift.
    assert_eq!(codes_for(&f, "y/ft"), vec![Code::LicenseUnresolved]);
    assert_eq!(codes_for(&f, "z/ft"), vec![Code::LicenseUnresolved]);
}

#[test]
fn licenses_are_judged_along_a_cards_merge_configuration() {
    let merge = "---\nlicense: apache-2.0\n---\n# A merge\n\n```yaml\nmodels:\n  - model: nc/model\n  - model: ok/model\nmerge_method: slerp\nbase_model: ok/model\n```\n";
    let rid = RepoId::parse("me/merge", RepoKind::Model).unwrap();
    let f = check(vec![
        rec("nc/model", "license: cc-by-nc-4.0"),
        rec("ok/model", "license: apache-2.0"),
        RepoRecord::from_parts(&rid, None, Some(merge.as_bytes())),
    ]);
    let codes = codes_for(&f, "me/merge");
    assert!(codes.contains(&Code::LicenseConflict), "{f:?}");
    let c = f.iter().find(|x| x.code == Code::LicenseConflict).unwrap();
    assert!(
        c.message
            .contains("parent taken from the card's merge configuration"),
        "{}",
        c.message
    );
    // Prose that merely mentions a model is no declaration: nothing is judged along it.
    let prose =
        "---\nlicense: apache-2.0\n---\nInspired by [nc/model](https://huggingface.co/nc/model).\n";
    let f = check(vec![
        rec("nc/model", "license: cc-by-nc-4.0"),
        RepoRecord::from_parts(&rid, None, Some(prose.as_bytes())),
    ]);
    assert!(codes_for(&f, "me/merge").is_empty(), "{f:?}");
}
