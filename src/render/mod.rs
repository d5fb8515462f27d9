//! Renderings of an analysis: text tree, JSON, SARIF, BOMs, tables, DOT/SVG, Mermaid and HTML.
//!
//! Renderers are pure functions from a [`crate::report::Analysis`] (or its drawable
//! [`view::View`]) to a string; only SVG runs Graphviz. HTML is the [`explorer`], which lays the
//! graph out in the browser. [`output`] is the one interface: [`Format`], which command prints
//! which ([`Output`]), and [`render`] / [`write_tables`].

pub mod dot;
pub mod escape;
pub mod explorer;
pub mod json;
pub mod mermaid;
pub mod output;
pub mod sarif;
pub mod text;
pub mod view;

pub use dot::{render_dot, render_svg};
pub use explorer::{render_explorer, ExplorerOptions};
pub use json::render_json;
pub use mermaid::render_mermaid;
pub use output::{render, write_tables, Format, Output, RenderError, RenderOptions};
pub use sarif::render_sarif;
pub use text::{render_text, TextOptions};
pub use view::{build_view, View};

pub mod audit;
pub mod bom;
pub mod card;
pub mod diff;
pub mod export;

pub use audit::render_audit_text;
