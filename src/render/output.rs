//! One output interface: every format, which command prints which, and one [`render`] that
//! turns an [`Analysis`] into the text of a format. Tables (Parquet, CSV, GraphML) are written
//! into a directory by [`write_tables`].

use std::path::Path;

use crate::graph::Direction;
use crate::kb::KnowledgeBase;
use crate::report::Analysis;

/// Output formats: one type for every command; each command prints some of them
/// ([`Output::formats`]).
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    /// Text for terminals (a tree; audit: findings by repo; card: a summary).
    Text,
    /// JSON (the graph, hf-lineage/graph@1; card: its report).
    Json,
    /// SARIF 2.1.0 for code-scanning tools (audit).
    Sarif,
    /// CycloneDX 1.7 JSON, an AI bill of materials (bom).
    Cyclonedx,
    /// SPDX 3.0.1 JSON-LD with the AI and Dataset profiles (bom).
    Spdx,
    /// Parquet tables (export).
    Parquet,
    /// CSV tables in neo4j-admin import form (export).
    Csv,
    /// GraphML (export).
    Graphml,
    /// Graphviz DOT.
    Dot,
    /// SVG (needs Graphviz `dot`).
    Svg,
    /// Mermaid flowchart (renders in GitHub Markdown).
    Mermaid,
    /// The HTML explorer: one self-contained page (pan, zoom, search, filters, details).
    Html,
}

impl Format {
    /// The name `--format` takes.
    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Cyclonedx => "cyclonedx",
            Format::Spdx => "spdx",
            Format::Parquet => "parquet",
            Format::Csv => "csv",
            Format::Graphml => "graphml",
            Format::Dot => "dot",
            Format::Svg => "svg",
            Format::Mermaid => "mermaid",
            Format::Html => "html",
        }
    }

    /// Whether the format is a drawing of the graph.
    pub fn is_diagram(self) -> bool {
        matches!(
            self,
            Format::Dot | Format::Svg | Format::Mermaid | Format::Html
        )
    }
}

/// What an output is of: each command's kind of answer, and the formats it comes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Output {
    /// A lineage (`trace`): a tree of the roots.
    Trace,
    /// Judged repos (`audit`): findings by repo.
    Audit,
    /// A query's answer: the repos found.
    Query,
    /// A bill of materials (`bom`).
    Bom,
    /// Tables (`export`).
    Tables,
    /// One card's report (`card`).
    Card,
}

impl Output {
    /// The command's name, for messages.
    pub fn command(self) -> &'static str {
        match self {
            Output::Trace => "trace",
            Output::Audit => "audit",
            Output::Query => "query",
            Output::Bom => "bom",
            Output::Tables => "export",
            Output::Card => "card",
        }
    }

    /// The formats it comes in, the default first.
    pub fn formats(self) -> &'static [Format] {
        use Format::*;
        match self {
            Output::Trace | Output::Query => &[Text, Json, Dot, Svg, Mermaid, Html],
            Output::Audit => &[Text, Json, Sarif, Dot, Svg, Mermaid, Html],
            Output::Bom => &[Cyclonedx, Spdx],
            Output::Tables => &[Parquet, Csv, Graphml],
            Output::Card => &[Text, Json],
        }
    }

    /// The format asked for (the default when none was), if this output comes in it.
    pub fn format(self, asked: Option<Format>) -> Result<Format, RenderError> {
        let can = self.formats();
        let f = asked.unwrap_or(can[0]);
        match can.contains(&f) {
            true => Ok(f),
            false => Err(RenderError::Unsupported {
                command: self.command(),
                format: f.name(),
                can: can.iter().map(|f| f.name()).collect::<Vec<_>>().join(", "),
            }),
        }
    }
}

/// How to render.
#[derive(Debug, Clone)]
pub struct RenderOptions {
    /// Which trees the text of a trace shows.
    pub direction: Direction,
    /// ANSI colour in text.
    pub color: bool,
    /// A diagram's title.
    pub title: String,
    /// The Hub the links point to (SARIF, BOMs, the explorer).
    pub endpoint: String,
    /// The run's license knowledge (the policy's additions included), for colours and BOMs.
    pub kb: KnowledgeBase,
    /// Fold more than N leaf siblings of one relation under one parent (diagrams).
    pub collapse: Option<usize>,
    /// Refuse to draw more nodes than this in DOT, SVG and Mermaid.
    pub max_nodes: usize,
    /// HTML explorer: nodes shown when the page opens.
    pub open_nodes: usize,
}

impl Default for RenderOptions {
    fn default() -> RenderOptions {
        RenderOptions {
            direction: Direction::Up,
            color: false,
            title: "Lineage".to_string(),
            endpoint: crate::id::DEFAULT_ENDPOINT.to_string(),
            kb: KnowledgeBase::builtin(),
            collapse: None,
            max_nodes: 300,
            open_nodes: 200,
        }
    }
}

/// Why an analysis could not be rendered.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RenderError {
    /// The output does not come in that format.
    #[error("{command} cannot produce --format {format}: it prints {can}")]
    Unsupported {
        /// The command.
        command: &'static str,
        /// The format asked for.
        format: &'static str,
        /// The formats it prints.
        can: String,
    },
    /// The diagram would be too large to read.
    #[error("the diagram would have {nodes} nodes, more than --max-nodes {max} allows; it would not be readable. Try --collapse 3 (fold sibling quantizations and fine-tunes), a smaller --depth, or raise --max-nodes")]
    TooLarge {
        /// Nodes it would have.
        nodes: usize,
        /// The limit.
        max: usize,
    },
    /// Graphviz failed (SVG).
    #[error(transparent)]
    Graphviz(#[from] super::dot::SvgError),
    /// Writing tables failed.
    #[error(transparent)]
    Export(#[from] super::export::ExportError),
}

/// Renders an analysis as `output` in `format` (tables: [`write_tables`]).
pub fn render(
    a: &Analysis,
    output: Output,
    format: Format,
    opts: &RenderOptions,
) -> Result<String, RenderError> {
    let f = output.format(Some(format))?;
    if f.is_diagram() {
        return diagram(a, f, opts);
    }
    Ok(match (output, f) {
        (_, Format::Json) => super::render_json(a),
        (_, Format::Sarif) => super::render_sarif(a.findings(), &opts.endpoint),
        (Output::Bom, Format::Spdx) => {
            let repos = super::bom::bom_repos(a, &opts.kb);
            super::bom::spdx::render_spdx(&repos, a.graph().roots(), &opts.endpoint)
        }
        (Output::Bom, _) => {
            let repos = super::bom::bom_repos(a, &opts.kb);
            super::bom::cyclonedx::render_cyclonedx(&repos, a.graph().roots(), &opts.endpoint)
        }
        (Output::Audit, _) => super::render_audit_text(a, opts.color),
        (Output::Query, _) => a
            .graph()
            .nodes()
            .iter()
            .map(|n| format!("{}\n", n.id().node_id()))
            .collect(),
        _ => super::render_text(
            a,
            super::TextOptions {
                direction: opts.direction,
                color: opts.color,
            },
        ),
    })
}

fn diagram(a: &Analysis, format: Format, opts: &RenderOptions) -> Result<String, RenderError> {
    if format == Format::Html {
        let explorer = super::ExplorerOptions {
            title: opts.title.clone(),
            endpoint: opts.endpoint.clone(),
            open_nodes: opts.open_nodes.max(1),
        };
        return Ok(super::render_explorer(a, &opts.kb, &explorer));
    }
    let view = super::build_view(a, opts.collapse, &opts.kb);
    if view.nodes.len() > opts.max_nodes {
        return Err(RenderError::TooLarge {
            nodes: view.nodes.len(),
            max: opts.max_nodes,
        });
    }
    Ok(match format {
        Format::Dot => super::render_dot(&view),
        Format::Svg => super::render_svg(&view)?,
        _ => super::render_mermaid(&view),
    })
}

/// Writes an analysis as tables (Parquet, CSV or GraphML) into `dir`, which must exist.
pub fn write_tables(
    a: &Analysis,
    format: Format,
    kb: &KnowledgeBase,
    dir: &Path,
) -> Result<(), RenderError> {
    match Output::Tables.format(Some(format))? {
        Format::Csv => super::export::write_csv_tables(a, kb, dir)?,
        Format::Graphml => super::export::write_graphml(a, kb, dir)?,
        _ => super::export::write_parquet_tables(a, kb, dir)?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::LineageGraph;
    use crate::id::{RepoId, RepoKind};
    use crate::record::RepoRecord;

    #[test]
    fn each_output_takes_its_own_formats_and_names_them_when_refusing() {
        assert_eq!(Output::Bom.format(None).unwrap(), Format::Cyclonedx);
        assert_eq!(Output::Trace.format(None).unwrap(), Format::Text);
        let err = Output::Trace.format(Some(Format::Sarif)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "trace cannot produce --format sarif: it prints text, json, dot, svg, mermaid, html"
        );
        for f in Output::Tables.formats() {
            assert!(!f.is_diagram() && Output::Trace.format(Some(*f)).is_err());
        }
    }

    #[test]
    fn one_render_call_per_output_and_format() {
        let id = |s: &str| RepoId::parse(s, RepoKind::Model).unwrap();
        let rec = |n: &str, card: &str| RepoRecord::from_parts(&id(n), None, Some(card.as_bytes()));
        let a = Analysis::from(LineageGraph::from_records(
            vec![
                rec("b/base", "---\nlicense: mit\n---\n"),
                rec("t/tune", "---\nbase_model: b/base\n---\n"),
            ],
            vec![id("t/tune")],
        ));
        let opts = RenderOptions::default();
        let text = render(&a, Output::Query, Format::Text, &opts).unwrap();
        assert_eq!(text, "b/base\nt/tune\n");
        let tree = render(&a, Output::Trace, Format::Text, &opts).unwrap();
        assert!(tree.starts_with("t/tune"), "{tree}");
        let mermaid = render(&a, Output::Trace, Format::Mermaid, &opts).unwrap();
        assert!(mermaid.contains("flowchart"), "{mermaid}");
        let small = RenderOptions {
            max_nodes: 1,
            ..RenderOptions::default()
        };
        let err = render(&a, Output::Trace, Format::Dot, &small).unwrap_err();
        assert!(matches!(err, RenderError::TooLarge { nodes: 2, max: 1 }));
        assert!(render(&a, Output::Bom, Format::Json, &opts).is_err());
    }
}
