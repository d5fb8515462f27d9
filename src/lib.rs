//! hf-lineage: provenance graphs of Hugging Face repositories.
//!
//! The data flows one way: a [`source`] (an offline snapshot, or the live Hub) yields
//! [`record::RepoRecord`]s; [`trace`] walks a source into a [`graph::LineageGraph`]; analyses add
//! [`finding::Finding`]s; [`render`] turns the graph into text, JSON and diagrams. Card parsing
//! ([`card`]) and ids ([`id`]) are pure functions used by every source.
#![warn(missing_docs)]

pub mod audit;
pub mod card;
pub mod docs_check;
pub mod finding;
pub mod graph;
pub mod hub;
pub mod id;
pub mod license;
pub mod query;
pub mod record;
pub mod relation;
pub mod render;
pub mod source;
pub mod trace;

pub use finding::{Finding, Severity};
pub use graph::{LineageGraph, RepoRef};
pub use id::{RepoId, RepoKind};
pub use record::{NodeStatus, RepoRecord};
pub use relation::{Relation, RelationSource};
