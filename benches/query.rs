//! Query benchmark (issue: query language). `cargo bench --bench query [-- N]`.
//!
//! Builds an in-memory graph of N repos (default 100,000) shaped like `benches/core.rs gen`:
//! 200 roots under six license families, fine-tune chains 50 deep, a GGUF quantization of every
//! fine-tune (some relicensed, so `license-drift` fires), adapters, merges across families. Runs
//! the license analysis so `flagged()` has findings, then times queries.
#![allow(clippy::unwrap_used)] // test and benchmark code may unwrap; src/ may not

use std::collections::BTreeMap;
use std::time::Instant;

use hf_lineage::id::{RepoId, RepoKind};
use hf_lineage::kb::KnowledgeBase;
use hf_lineage::license::check_licenses;
use hf_lineage::policy::Policy;
use hf_lineage::query::{evaluate, parse, Index};
use hf_lineage::record::RepoRecord;
use hf_lineage::LineageGraph;

fn rec(id: &str, card: &str) -> RepoRecord {
    let rid = RepoId::parse(id, RepoKind::Model).expect("valid id");
    RepoRecord::from_parts(&rid, None, Some(card.as_bytes()))
}

fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(100_000);
    let licenses = [
        "apache-2.0",
        "llama2",
        "mit",
        "gemma",
        "cc-by-nc-4.0",
        "openrail",
    ];
    let roots = 200;
    let per_root = n / roots;
    let t = Instant::now();
    let mut records = Vec::with_capacity(n);
    let mut sample = Vec::new();
    for r in 0..roots {
        let lic = licenses[r % licenses.len()];
        let root = format!("org{r}/base-{r}");
        records.push(rec(&root, &format!("---\nlicense: {lic}\n---\n")));
        let mut parent = root.clone();
        let mut i = 0;
        while records.len() < (r + 1) * per_root {
            let ft = format!("user{}/ft-{r}-{i}", i % 97);
            let merge = if i % 10 == 9 {
                format!(", org{}/base-{}", (r + 1) % roots, (r + 1) % roots)
            } else {
                String::new()
            };
            records.push(rec(
                &ft,
                &format!("---\nlicense: {lic}\nbase_model: [{parent}{merge}]\n---\n"),
            ));
            let qlic = if i % 7 == 3 { "apache-2.0" } else { lic };
            records.push(rec(
                &format!("quant{}/ft-{r}-{i}-GGUF", i % 13),
                &format!(
                    "---\nlicense: {qlic}\nbase_model: {ft}\nbase_model_relation: quantized\n---\n"
                ),
            ));
            if i % 3 == 0 {
                records.push(rec(
                    &format!("lora{}/ft-{r}-{i}-lora", i % 7),
                    &format!("---\nlicense: {lic}\nbase_model: {ft}\nlibrary_name: peft\n---\n"),
                ));
            }
            if i % 97 == 0 {
                sample.push(ft.clone());
            }
            parent = if i % 50 == 49 { root.clone() } else { ft };
            i += 1;
        }
    }
    let parse_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let count = records.len();
    let built = LineageGraph::from_records(records, vec![]);
    let mut judged = hf_lineage::Report::with_findings(built.findings);
    let g = built.graph;
    let build_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let report = check_licenses(&g, &KnowledgeBase::builtin(), &Policy::default());
    let drift = report
        .findings
        .iter()
        .filter(|f| f.code == "license-drift")
        .count();
    judged.add_findings(report.findings);
    let g = hf_lineage::Analysis::new(g, judged);
    let license_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let ix = Index::new(&g);
    let index_s = t.elapsed().as_secs_f64();
    println!("graph: {count} repos, {} nodes, {} edges; records {parse_s:.2} s, build {build_s:.2} s, license analysis {license_s:.2} s ({drift} license-drift), query index {index_s:.3} s", g.graph().node_count(), g.graph().edge_count());

    let args = BTreeMap::new();
    let time = |expr: &str| {
        let t = Instant::now();
        let e = parse(expr).expect("parses");
        let r = evaluate(&ix, &e, &args).expect("evaluates");
        (t.elapsed().as_secs_f64() * 1000.0, r.len())
    };
    for f in ["ancestors", "descendants"] {
        let mut ms: Vec<f64> = Vec::new();
        let mut sizes = 0usize;
        for s in &sample {
            let (m, len) = time(&format!("{f}(\"{s}\")"));
            ms.push(m);
            sizes += len;
        }
        for r in [0usize, 57, 199] {
            let (m, len) = time(&format!("{f}(\"org{r}/base-{r}\")"));
            ms.push(m);
            sizes += len;
        }
        ms.sort_by(|a, b| a.total_cmp(b));
        println!(
            "{f}: {} nodes queried, median {:.3} ms, max {:.3} ms (mean result {} nodes)",
            ms.len(),
            ms[ms.len() / 2],
            ms[ms.len() - 1],
            sizes / ms.len()
        );
    }
    for expr in [
        "flagged(license-drift, all())",
        "flagged(\"license-*\", all())",
        "license(\"llama*\", all())",
        "license(\"cc-by-nc*\", all()) + license(gemma, all())",
        "relation(quantized, all()) ^ flagged(license-drift, all())",
    ] {
        let mut best = f64::MAX;
        let mut len = 0;
        for _ in 0..3 {
            let (m, l) = time(expr);
            best = best.min(m);
            len = l;
        }
        println!("{expr}: {best:.1} ms ({len} nodes)");
    }
}
