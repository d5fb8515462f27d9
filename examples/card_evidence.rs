//! Prints the "what changed?" evidence for one card: `cargo run --example card_evidence -- RELATION README.md`.
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(rel), Some(path)) = (args.first(), args.get(1)) else {
        eprintln!("usage: card_evidence RELATION README.md");
        std::process::exit(1);
    };
    let Some(relation) = hf_lineage::relation::Relation::from_name(rel) else {
        eprintln!("unknown relation {rel}");
        std::process::exit(1);
    };
    let text = String::from_utf8_lossy(&std::fs::read(path).expect("readable card")).into_owned();
    let card = hf_lineage::card::parse_card(&text, hf_lineage::id::RepoKind::Model);
    let r = hf_lineage::docs_check::assess(relation, &card.meta, &card.body);
    println!("{}", serde_json::to_string_pretty(&r).unwrap_or_default());
}
