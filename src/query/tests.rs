//! Evaluation on a small graph.

use super::*;
use crate::record::RepoRecord;

fn graph() -> crate::report::Analysis {
    let rec = |id: &str, card: &str| {
        let rid = RepoId::parse(id, RepoKind::Model).unwrap();
        RepoRecord::from_parts(&rid, None, Some(format!("---\n{card}\n---\n").as_bytes()))
    };
    LineageGraph::from_records(
        vec![
            rec("r/base", "license: llama2"),
            rec("f/tune", "license: llama2\nbase_model: r/base"),
            rec(
                "q/tune-gguf",
                "license: apache-2.0\nbase_model: f/tune\nbase_model_relation: quantized",
            ),
            rec("o/other", "license: mit"),
            rec("m/merge", "license: mit\nbase_model: [f/tune, o/other]"),
            rec("c/a", "base_model: c/b"),
            rec("c/b", "base_model: c/a"),
        ],
        vec![],
    )
    .into()
}

fn q(g: &crate::report::Analysis, src: &str) -> Vec<String> {
    let ix = Index::new(g);
    let e = parse(src).unwrap();
    ids(g.graph(), &evaluate(&ix, &e, &BTreeMap::new()).unwrap())
        .iter()
        .map(|i| i.node_id())
        .collect()
}

#[test]
fn walks_filters_and_operators() {
    let g = graph();
    assert_eq!(
        q(&g, r#"ancestors("q/tune-gguf")"#),
        vec!["f/tune", "r/base"]
    );
    assert_eq!(
        q(&g, r#"roots(ancestors("m/merge") + "m/merge")"#),
        vec!["o/other", "r/base"]
    );
    assert_eq!(
        q(&g, r#"relation(quantized, descendants("r/base"))"#),
        vec!["q/tune-gguf"]
    );
    assert_eq!(
        q(&g, r#"descendants("r/base") - relation(merge, all())"#),
        vec!["f/tune", "q/tune-gguf"]
    );
    assert_eq!(
        q(&g, r#"license("llama*", all()) ^ parents("m/merge")"#),
        vec!["f/tune"]
    );
    assert_eq!(
        q(&g, r#"somepath("q/tune-gguf", "r/base")"#),
        vec!["f/tune", "q/tune-gguf", "r/base"]
    );
    assert_eq!(
        q(
            &g,
            r#"let x = descendants("f/tune") in leaves(x + "f/tune")"#
        ),
        vec!["m/merge", "q/tune-gguf"]
    );
}

#[test]
fn cycles_do_not_loop() {
    let g = graph();
    // The start is not its own ancestor, even in a cycle.
    assert_eq!(q(&g, r#"ancestors("c/a")"#), vec!["c/b"]);
    assert_eq!(
        q(&g, r#"flagged(lineage-cycle, all())"#),
        vec!["c/a", "c/b"]
    );
}

#[test]
fn unknown_functions_are_parse_errors_at_their_position() {
    let e = parse("all() - nope(all())").unwrap_err();
    assert_eq!((e.pos.line, e.pos.col), (1, 9));
    assert!(
        e.message
            .contains("unknown function nope(); known: all, ancestors"),
        "{e}"
    );
}

#[test]
fn crawl_plans_name_the_repos_and_the_ways_walked() {
    let args = BTreeMap::from([("r".to_string(), "a/b".to_string())]);
    let plan = crawl_plan(
        &parse(r#"kind(model, descendants($r)) + parents("c/d")"#).unwrap(),
        &args,
    );
    assert_eq!(plan.repos, vec!["a/b", "c/d"]);
    assert!(plan.up && plan.down && !plan.all);
    assert!(crawl_plan(&parse("all()").unwrap(), &args).all);
}

#[test]
fn evaluation_errors_are_clear() {
    let g = graph();
    let ix = Index::new(&g);
    let err = |s: &str| {
        evaluate(&ix, &parse(s).unwrap(), &BTreeMap::new())
            .unwrap_err()
            .to_string()
    };
    assert!(err("kind(planet, all())").contains("is not a kind"));
    assert!(err("ancestors($repo)").contains("--arg repo="));
    assert!(err("ancestors(x)").contains("unknown name `x`"));
    assert!(err("ancestors()").contains("takes 1 argument"));
    assert!(err(r#"ancestors("/root/x")"#).contains("local path"));
}
