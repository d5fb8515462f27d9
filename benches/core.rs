//! Core benchmark (issue: core). Run with `scripts/bench-core.sh`, which also times the CLI.
//!
//! `cargo bench --bench core -- parse [CARDS_DIR] [ROUNDS]`: card parsing throughput on one core
//! over every `.md` under CARDS_DIR (default ../shared/cards), repeated ROUNDS times.
//! `cargo bench --bench core -- gen DIR N`: writes a synthetic snapshot of N repos to DIR: chains
//! of fine-tunes 50 deep under 200 roots, a quantization and an adapter of most models, merges
//! across chains, datasets and Spaces. Prints the deepest leaf (for an upward trace).
#![allow(clippy::unwrap_used)] // test and benchmark code may unwrap; src/ may not

use std::path::{Path, PathBuf};
use std::time::Instant;

use hf_lineage::card::parse_card;
use hf_lineage::id::RepoKind;

fn collect(dir: &Path, out: &mut Vec<(PathBuf, RepoKind)>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|x| x == "md") {
            let s = p.to_string_lossy();
            let kind = if s.contains("/dataset") {
                RepoKind::Dataset
            } else if s.contains("/space") {
                RepoKind::Space
            } else {
                RepoKind::Model
            };
            out.push((p, kind));
        }
    }
}

fn parse(dir: &str, rounds: usize) {
    let mut files = Vec::new();
    collect(Path::new(dir), &mut files);
    let texts: Vec<(String, RepoKind)> = files
        .iter()
        .map(|(p, k)| {
            (
                String::from_utf8_lossy(&std::fs::read(p).unwrap()).into_owned(),
                *k,
            )
        })
        .collect();
    let bytes: usize = texts.iter().map(|(t, _)| t.len()).sum();
    let start = Instant::now();
    let mut meta = 0usize;
    for _ in 0..rounds {
        for (t, k) in &texts {
            let c = parse_card(t, *k);
            meta += c.meta.licenses.len() + c.meta.base_models.len();
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let n = texts.len() * rounds;
    println!(
        "parse: {} cards ({:.1} MB) x {rounds} rounds in {secs:.3} s = {:.0} cards/s, {:.1} MB/s (one thread; checksum {meta})",
        texts.len(),
        bytes as f64 / 1e6,
        n as f64 / secs,
        (bytes * rounds) as f64 / 1e6 / secs
    );
}

fn write(dir: &Path, kind: &str, id: &str, card: &str) {
    let d = dir.join(kind).join(id);
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(d.join("README.md"), card).unwrap();
}

fn gen(dir: &str, n: usize) {
    let dir = Path::new(dir);
    let roots = 200usize;
    let mut written = 0usize;
    let licenses = [
        "apache-2.0",
        "llama2",
        "mit",
        "gemma",
        "cc-by-nc-4.0",
        "openrail",
    ];
    let per_root = n / roots;
    let mut deepest = String::new();
    for r in 0..roots {
        let lic = licenses[r % licenses.len()];
        let root = format!("org{r}/base-{r}");
        write(dir, "models", &root, &format!("---\nlicense: {lic}\ndatasets: [corpus/data-{}]\n---\n# base {r}\nPretrained on data-{}.\n", r % 50, r % 50));
        written += 1;
        let mut parent = root.clone();
        let mut i = 0usize;
        while written < (r + 1) * per_root && written < n {
            let ft = format!("user{}/ft-{r}-{i}", i % 97);
            let merge_with = if i % 10 == 9 {
                format!(", org{}/base-{}", (r + 1) % roots, (r + 1) % roots)
            } else {
                String::new()
            };
            write(dir, "models", &ft, &format!(
                "---\nlicense: {lic}\nbase_model: [{parent}{merge_with}]\ndatasets: [corpus/data-{}]\n---\n# ft {i}\nFine-tuned on data-{} for 3 epochs, lr 2e-5.\n",
                i % 50, i % 50
            ));
            written += 1;
            if written < n {
                write(dir, "models", &format!("quant{}/ft-{r}-{i}-GGUF", i % 13), &format!(
                    "---\nlicense: {lic}\nbase_model: {ft}\nbase_model_relation: quantized\n---\n# GGUF\nQ4_K_M and Q8_0 quantizations of {ft}.\n"
                ));
                written += 1;
            }
            if written < n && i % 3 == 0 {
                write(dir, "models", &format!("lora{}/ft-{r}-{i}-lora", i % 7), &format!(
                    "---\nlicense: {lic}\nbase_model: {ft}\nlibrary_name: peft\n---\n# LoRA\nLoRA r=16 on {ft}.\n"
                ));
                written += 1;
            }
            // Chains 50 deep, then start a new chain at the root.
            parent = if i % 50 == 49 {
                root.clone()
            } else {
                ft.clone()
            };
            if r == 0 && i < 50 {
                deepest = ft.clone();
            }
            i += 1;
        }
    }
    for d in 0..50 {
        write(
            dir,
            "datasets",
            &format!("corpus/data-{d}"),
            &format!(
                "---\nlicense: cc-by-4.0\nsource_datasets: [corpus/raw-{}]\n---\n",
                d % 5
            ),
        );
    }
    for s in 0..100 {
        write(
            dir,
            "spaces",
            &format!("demo{s}/space-{s}"),
            &format!(
                "---\nsdk: gradio\nmodels: [org{}/base-{}]\n---\n",
                s % roots,
                s % roots
            ),
        );
    }
    println!(
        "gen: {} repos in {} (deepest leaf of root 0: {deepest})",
        written + 150,
        dir.display()
    );
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    match args.first().map(String::as_str) {
        Some("gen") => gen(
            &args[1],
            args.get(2).and_then(|s| s.parse().ok()).unwrap_or(100_000),
        ),
        Some("parse") | None => parse(
            args.get(1).map(String::as_str).unwrap_or("../shared/cards"),
            args.get(2).and_then(|s| s.parse().ok()).unwrap_or(20),
        ),
        Some(other) => eprintln!("unknown mode {other}; use parse or gen"),
    }
}
