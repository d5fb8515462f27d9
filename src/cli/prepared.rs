//! What a command concluded before it is printed ([`Prepared`]), and printing it: the split
//! that lets the CLI print and a library caller (the Python package) keep the analysis.

use super::{exit, DiagramArgs, OutputArgs, SourceArgs};
use crate::pipeline::Request;
use crate::render::{Format, Output, RenderOptions};
use crate::report::Analysis;

/// What a command concluded, before it is printed: the analysis, how the command would render
/// it, and the exit code it would give. The Python package hands these to its users.
pub struct Prepared {
    /// The lineage and everything judged of it.
    pub analysis: Analysis,
    /// The command's output (trace, audit, query, bom).
    pub output: Output,
    /// The format asked for.
    pub format: Format,
    /// How to render (title, colour, endpoint, knowledge base, diagram options).
    pub options: RenderOptions,
    /// The exit code (2 when a finding is at deny level in a judged command).
    pub exit: u8,
}

impl Prepared {
    /// Renders in `format` (the command's own when `None`), as the command would print it.
    pub fn render(&self, format: Option<Format>) -> anyhow::Result<String> {
        let format = match format {
            Some(f) => self.output.format(Some(f))?,
            None => self.format,
        };
        Ok(crate::render::render(
            &self.analysis,
            self.output,
            format,
            &self.options,
        )?)
    }
}

/// Prints what a command prepared (to `--output` when given) and gives its exit code.
pub fn print(out: &OutputArgs, p: Prepared) -> anyhow::Result<u8> {
    out.emit(&p.analysis, p.output, p.format, &p.options)?;
    Ok(p.exit)
}

/// A judged analysis as `audit` prepares it: rendered as an audit, exit 2 when a finding is at
/// deny level.
pub fn judged(
    out: &OutputArgs,
    diagram: &DiagramArgs,
    source: &SourceArgs,
    format: Format,
    title: String,
    req: &Request,
    analysis: Analysis,
) -> Prepared {
    let options = out.options(Some(diagram), title, source, req.policy.knowledge_base());
    let exit = match analysis.report().has_deny() {
        true => exit::DENY,
        false => exit::OK,
    };
    Prepared {
        analysis,
        output: Output::Audit,
        format,
        options,
        exit,
    }
}
