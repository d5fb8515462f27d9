//! hf-lineage: provenance graphs of Hugging Face repositories.
//!
//! The data flows one way: a [`source`] (an offline snapshot, or the live Hub) yields
//! [`record::RepoRecord`]s; the [`pipeline`] walks it ([`trace`]) into a [`graph::LineageGraph`]
//! (what is known, unchanged once built), runs the checks ([`license`], [`docs_check`]) and the
//! policy into a [`report::Report`] (what is judged), and returns both as an [`Analysis`];
//! [`render`] turns an analysis into text, JSON, SARIF, BOMs, tables and diagrams. Card parsing
//! ([`card`]) and ids ([`id`]) are pure functions used by every source. ARCHITECTURE.md draws
//! the layers.
//!
//! The entry points, each with an example on its page:
//!
//! | to … | call |
//! |---|---|
//! | read an id the way the Hub and cards write them | [`RepoId::parse`] |
//! | read a card | [`card::parse_card`] |
//! | trace, audit, or read a whole snapshot | [`pipeline::run`] with a [`pipeline::Request`] over a [`source::SnapshotSource`] or [`source::HubSource`] |
//! | judge what a derivative's card says changed | [`docs_check::assess_repo`] |
//! | ask it a question | [`query::parse`] and [`query::evaluate`] |
//! | print it | [`render::render_json`], [`render::render_text`], [`render::render_sarif`] … |
//! | explain a finding | [`finding::Code::info`] |
//!
//! ```
//! use hf_lineage::pipeline::{run, Request};
//! use hf_lineage::source::SnapshotSource;
//! use hf_lineage::{RepoId, RepoKind};
//!
//! let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/hub-snapshot");
//! let mut source = SnapshotSource::open(std::path::Path::new(dir)).unwrap();
//! let gguf = RepoId::parse("TheBloke/Llama-2-7B-Chat-GGUF", RepoKind::Model).unwrap();
//! let lineage = run(&mut source, &Request::trace(vec![gguf.clone()])).unwrap();
//! let g = lineage.graph();
//! let names: Vec<String> = g.ancestors(&gguf).iter().map(|n| n.id().node_id()).collect();
//! assert_eq!(names, ["meta-llama/Llama-2-7b-chat-hf", "meta-llama/Llama-2-7b-hf"]);
//! ```

/// The version of this library and of the `hf-lineage` command (`hf-lineage --version`).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

pub mod card;
pub mod check;
// clap's flattened argument groups carry their documentation on their own types.
#[allow(missing_docs)]
pub mod cli;
mod db;
pub mod diff;
pub mod docs_check;
pub mod files;
pub mod finding;
pub mod graph;
pub mod hub;
pub mod id;
pub mod kb;
pub mod license;
pub mod out_of_line;
pub mod pipeline;
pub mod policy;
pub mod query;
pub mod record;
pub mod relation;
pub mod render;
pub mod report;
pub mod source;
pub mod trace;

pub use finding::{Code, Finding, Severity};
pub use graph::{LineageGraph, RepoRef};
pub use id::{RepoId, RepoKind};
pub use record::{NodeStatus, RepoRecord};
pub use relation::{Relation, RelationSource};
pub use report::{Analysis, Report};
