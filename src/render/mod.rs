//! Renderings of a lineage graph: text tree, JSON (and more with the diagram issue).
//!
//! Renderers are pure functions from a [`crate::graph::LineageGraph`] to a string.

pub mod json;
pub mod sarif;
pub mod text;

pub use json::render_json;
pub use sarif::render_sarif;
pub use text::{render_text, TextOptions};
