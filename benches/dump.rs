//! A synthetic Hub card dump in the public dump's schema, for `scripts/bench-scale.sh`.
//!
//! `cargo bench --bench dump -- gen OUT_DIR N` writes `train-00000-of-000NN.parquet` shards of
//! 200,000 rows (row groups of 100,000) with the columns of
//! `librarian-bots/model_cards_with_metadata`: `modelId, author, last_modified, downloads, likes,
//! library_name, tags, pipeline_tag, createdAt, card`. Families follow the published statistics:
//! ~31% of models declare a parent; fine-tune / quantized / adapter edges in the proportion
//! 190k / 100k / 240k per 1.86M models, plus a few merges; quantizations and adapters are leaves;
//! the license mix is led by apache-2.0, mit, other, openrail, the llama licenses, cc-by-nc-4.0
//! and gemma. Cards are short (a frontmatter and a sentence or two) unless CARD_BYTES pads them
//! with template sections to real cards' size. Deterministic (a fixed seed). Prints the id of
//! the deepest leaf (the last quantization or adapter furthest from a root), which the
//! benchmark traces upward.
#![allow(clippy::unwrap_used)] // benchmark code

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow_array::builder::{Int64Builder, ListBuilder, StringBuilder, TimestampMicrosecondBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, TimeUnit};

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E3779B97F4A7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58476D1CE4E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D049BB133111EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
}

const LICENSES: [(&str, u64); 12] = [
    ("apache-2.0", 30),
    ("mit", 14),
    ("other", 10),
    ("openrail", 6),
    ("llama2", 4),
    ("llama3", 4),
    ("llama3.1", 4),
    ("cc-by-nc-4.0", 5),
    ("gemma", 4),
    ("cc-by-4.0", 4),
    ("creativeml-openrail-m", 3),
    ("", 12),
];

fn license(r: &mut Rng) -> &'static str {
    let total: u64 = LICENSES.iter().map(|l| l.1).sum();
    let mut x = r.below(total);
    for (l, w) in LICENSES {
        if x < w {
            return l;
        }
        x -= w;
    }
    "apache-2.0"
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let pos = args
        .iter()
        .position(|a| a == "gen")
        .expect("usage: gen OUT_DIR N [CARD_BYTES]");
    let out = Path::new(&args[pos + 1]);
    let n: usize = args[pos + 2].parse().unwrap();
    // Optional: pad every card to about this many bytes with template sections, as real cards
    // are (the 69 model cards in ../shared average 5.6 KB, median 1.5 KB).
    // (`cargo bench` appends `--bench` after the arguments: not a size.)
    let card_bytes: usize = args
        .get(pos + 3)
        .filter(|b| !b.starts_with('-'))
        .map_or(0, |b| b.parse().unwrap());
    std::fs::create_dir_all(out).unwrap();
    let shard_rows = 200_000usize;
    let shards = n.div_ceil(shard_rows);
    let mut r = Rng(2026);
    // Models that may have children (roots and fine-tunes), by index.
    let mut parents: Vec<u32> = Vec::new();
    let mut names: Vec<String> = Vec::with_capacity(n);
    let mut licenses_of: Vec<&'static str> = Vec::with_capacity(n);
    // How many derivation steps each model is from a root, and the deepest leaf so far (a
    // quantization or adapter): the upward trace of the benchmark starts there.
    let mut depth: Vec<u16> = Vec::with_capacity(n);
    let mut deepest: (u16, usize) = (0, 0);
    let ts = || DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()));
    let list = || DataType::List(Arc::new(Field::new("item", DataType::Utf8, true)));
    let schema = Arc::new(Schema::new(vec![
        Field::new("modelId", DataType::Utf8, true),
        Field::new("author", DataType::Utf8, true),
        Field::new("last_modified", ts(), true),
        Field::new("downloads", DataType::Int64, true),
        Field::new("likes", DataType::Int64, true),
        Field::new("library_name", DataType::Utf8, true),
        Field::new("tags", list(), true),
        Field::new("pipeline_tag", DataType::Utf8, true),
        Field::new("createdAt", ts(), true),
        Field::new("card", DataType::Utf8, true),
    ]));
    let mut i = 0usize;
    for s in 0..shards {
        let path = out.join(format!("train-{s:05}-of-{shards:05}.parquet"));
        let props = parquet::file::properties::WriterProperties::builder()
            .set_compression(parquet::basic::Compression::ZSTD(Default::default()))
            .set_max_row_group_row_count(Some(100_000))
            .build();
        let mut w = parquet::arrow::ArrowWriter::try_new(
            File::create(&path).unwrap(),
            schema.clone(),
            Some(props),
        )
        .unwrap();
        let end = ((s + 1) * shard_rows).min(n);
        while i < end {
            let chunk_end = (i + 100_000).min(end);
            let mut id = StringBuilder::new();
            let mut author = StringBuilder::new();
            let mut last = TimestampMicrosecondBuilder::new().with_timezone("UTC");
            let mut created = TimestampMicrosecondBuilder::new().with_timezone("UTC");
            let mut downloads = Int64Builder::new();
            let mut likes = Int64Builder::new();
            let mut library = StringBuilder::new();
            let mut tags = ListBuilder::new(StringBuilder::new());
            let mut pipeline = StringBuilder::new();
            let mut card = StringBuilder::new();
            for k in i..chunk_end {
                let owner = format!("user{}", r.below(400_000));
                // A derivative: 31% of models once there are parents to derive from.
                let roll = r.below(1000);
                let rel = if parents.is_empty() || roll >= 310 {
                    None
                } else if roll < 102 {
                    Some("finetune")
                } else if roll < 156 {
                    Some("quantized")
                } else if roll < 285 {
                    Some("adapter")
                } else {
                    Some("merge")
                };
                let name = match rel {
                    Some("quantized") => format!("{owner}/model-{k}-GGUF"),
                    Some("adapter") => format!("{owner}/model-{k}-lora"),
                    _ => format!("{owner}/model-{k}"),
                };
                let mut bases: Vec<u32> = Vec::new();
                if let Some(rel) = rel {
                    let n_bases = if rel == "merge" { 2 } else { 1 };
                    for _ in 0..n_bases {
                        bases.push(parents[r.below(parents.len() as u64) as usize]);
                    }
                }
                let lic = match bases.first() {
                    Some(b) if r.chance(0.8) => licenses_of[*b as usize],
                    _ => license(&mut r),
                };
                let mut t: Vec<String> = vec!["transformers".into()];
                let mut yaml = String::from("---\n");
                if !lic.is_empty() {
                    yaml.push_str(&format!("license: {lic}\n"));
                    t.push(format!("license:{lic}"));
                    if lic == "other" {
                        yaml.push_str("license_name: custom-terms\n");
                    }
                }
                if !bases.is_empty() {
                    let ids: Vec<&str> =
                        bases.iter().map(|b| names[*b as usize].as_str()).collect();
                    yaml.push_str(&format!("base_model: [{}]\n", ids.join(", ")));
                    for b in &ids {
                        t.push(format!("base_model:{b}"));
                        t.push(format!("base_model:{}:{b}", rel.unwrap_or("finetune")));
                    }
                }
                let data = r
                    .chance(0.2)
                    .then(|| format!("org{}/data-{}", r.below(500), r.below(2000)));
                if let Some(d) = &data {
                    yaml.push_str(&format!("datasets: [{d}]\n"));
                    t.push(format!("dataset:{d}"));
                }
                yaml.push_str("---\n\n");
                let body = match rel {
                    Some("quantized") if r.chance(0.5) => {
                        format!(
                            "GGUF Q4_K_M quantization of {}, made with llama.cpp.\n",
                            names[bases[0] as usize]
                        )
                    }
                    Some("finetune") if r.chance(0.5) => format!(
                        "Fine-tuned on the {} dataset with SFT for 3 epochs, learning rate 2e-5.\n",
                        data.clone().unwrap_or_else(|| "alpaca".into())
                    ),
                    Some("adapter") if r.chance(0.4) => {
                        "A LoRA adapter (r=16, alpha=32) trained for customer support.\n"
                            .to_string()
                    }
                    Some("merge") if r.chance(0.5) => {
                        "A SLERP merge of the two base models.\n".to_string()
                    }
                    _ => "# Model card\n\nMore information needed.\n".to_string(),
                };
                yaml.push_str(&body);
                let mut section = 0;
                while yaml.len() < card_bytes {
                    section += 1;
                    yaml.push_str(&format!(
                        "\n## Section {section}\n\n[More Information Needed]. This part of the card \
                         follows the Hub's template: intended uses, limitations, evaluation results, \
                         environmental impact and citation, each left for the author to fill in.\n"
                    ));
                }
                id.append_value(&name);
                author.append_value(&owner);
                let day = 1_650_000_000_000_000i64 + (k as i64) * 60_000_000;
                last.append_value(day + 86_400_000_000);
                created.append_value(day);
                downloads.append_value(r.below(10_000) as i64);
                likes.append_value(r.below(100) as i64);
                library.append_value(if rel == Some("adapter") {
                    "peft"
                } else {
                    "transformers"
                });
                for x in &t {
                    tags.values().append_value(x);
                }
                tags.append(true);
                pipeline.append_value("text-generation");
                card.append_value(&yaml);
                if matches!(rel, None | Some("finetune")) {
                    parents.push(k as u32);
                }
                let d = bases
                    .iter()
                    .map(|b| depth[*b as usize] + 1)
                    .max()
                    .unwrap_or(0);
                if matches!(rel, Some("quantized" | "adapter")) && d >= deepest.0 {
                    deepest = (d, names.len());
                }
                depth.push(d);
                names.push(name);
                licenses_of.push(lic);
            }
            let cols: Vec<ArrayRef> = vec![
                Arc::new(id.finish()),
                Arc::new(author.finish()),
                Arc::new(last.finish()),
                Arc::new(downloads.finish()),
                Arc::new(likes.finish()),
                Arc::new(library.finish()),
                Arc::new(tags.finish()),
                Arc::new(pipeline.finish()),
                Arc::new(created.finish()),
                Arc::new(card.finish()),
            ];
            w.write(&RecordBatch::try_new(schema.clone(), cols).unwrap())
                .unwrap();
            i = chunk_end;
        }
        w.close().unwrap();
        eprintln!("wrote {}", path.display());
    }
    println!("{}", names.get(deepest.1).map(String::as_str).unwrap_or(""));
}
