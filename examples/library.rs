//! hf-lineage as a library: one request, one run, one rendering — what every command does.
//!
//! `cargo run --example library` audits the GGUF repo of the bundled snapshot and prints the
//! audit text, then the lineage's nodes with their flags.

use hf_lineage::pipeline::{run, Request};
use hf_lineage::render::{render, Format, Output, RenderOptions};
use hf_lineage::source::SnapshotSource;
use hf_lineage::{RepoId, RepoKind};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/hub-snapshot");
    let mut source = SnapshotSource::open(dir)?;
    let gguf = RepoId::parse("TheBloke/Llama-2-7B-Chat-GGUF", RepoKind::Model)?;
    let audit = run(&mut source, &Request::audit(vec![gguf]))?;
    print!(
        "{}",
        render(
            &audit,
            Output::Audit,
            Format::Text,
            &RenderOptions::default()
        )?
    );
    for n in audit.graph().nodes() {
        println!("{:50} {:?}", n.id().node_id(), audit.flags(&n));
    }
    Ok(())
}
