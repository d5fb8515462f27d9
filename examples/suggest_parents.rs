//! Prints the parents a card's text suggests: `cargo run --example suggest_parents -- README.md...`.
fn main() {
    let me =
        hf_lineage::RepoId::parse("self/self", hf_lineage::RepoKind::Model).expect("static id");
    for path in std::env::args().skip(1) {
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap_or_default()).into_owned();
        let card = hf_lineage::card::parse_card(&text, hf_lineage::RepoKind::Model);
        println!("{path}");
        for s in hf_lineage::docs_check::lineage::suggest(&me, &card.body) {
            println!("  {} {} — {}", s.relation, s.parent.node_id(), s.quote);
        }
    }
}
