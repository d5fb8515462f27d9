//! `hf_lineage._native`: the library behind the `hf_lineage` Python package.
//!
//! No logic of its own: every function hands a command line to the library's front end
//! ([`hf_lineage::cli`]) — the same parser, defaults, environment (`HF_TOKEN`, `HF_ENDPOINT`,
//! `HF_HOME`, `HF_HUB_OFFLINE`) and messages as the `hf-lineage` command — and gives back what it
//! concluded. The GIL is released while the library crawls or reads; errors become
//! `HfLineageError` with the command's message, and a panic becomes one too instead of crossing
//! into Python.

use std::panic::{catch_unwind, AssertUnwindSafe};

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3_arrow::PyTable;

use hf_lineage::cli::{Prepared, TokenChoice};
use hf_lineage::render::export::ArrowTable;
use hf_lineage::render::Format;

create_exception!(
    _native,
    HfLineageError,
    PyException,
    "Every error hf_lineage raises: a rejected token, an unreadable snapshot, a bad query or policy."
);

/// Runs `f` without the GIL; an error or a panic becomes `HfLineageError`.
fn detached<T: Send>(py: Python<'_>, f: impl FnOnce() -> anyhow::Result<T> + Send) -> PyResult<T> {
    let outcome = py.detach(|| catch_unwind(AssertUnwindSafe(f)));
    match outcome {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(HfLineageError::new_err(format!("{e:#}"))),
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "an internal error".to_string());
            Err(HfLineageError::new_err(format!("internal error: {what}")))
        }
    }
}

/// A lineage and everything judged of it, as a command concluded it.
#[pyclass(frozen, module = "hf_lineage._native")]
struct Lineage {
    prepared: Prepared,
    tables: std::sync::OnceLock<[ArrowTable; 3]>,
}

impl Lineage {
    fn table(&self, which: usize) -> PyResult<PyTable> {
        let tables = match self.tables.get() {
            Some(t) => t,
            None => {
                let p = &self.prepared;
                let made = hf_lineage::render::export::arrow_tables(&p.analysis, &p.options.kb)
                    .map_err(|e| HfLineageError::new_err(format!("{e}")))?;
                self.tables.get_or_init(|| made)
            }
        };
        let t = &tables[which];
        PyTable::try_new(t.batches.clone(), t.schema.clone())
    }
}

#[pymethods]
impl Lineage {
    /// The nodes table (the columns of `export`'s nodes.parquet), as an Arrow stream.
    #[getter]
    fn nodes(&self) -> PyResult<PyTable> {
        self.table(0)
    }

    /// The edges table (edges.parquet's columns).
    #[getter]
    fn edges(&self) -> PyResult<PyTable> {
        self.table(1)
    }

    /// The findings table (findings.parquet's columns).
    #[getter]
    fn findings(&self) -> PyResult<PyTable> {
        self.table(2)
    }

    /// The exit code the command would give (2: a finding at deny level).
    #[getter]
    fn exit_code(&self) -> u8 {
        self.prepared.exit
    }

    /// Renders as the command prints it: `format` is a `--format` value (`text`, `json`,
    /// `dot`, `svg`, `mermaid`, `html`, `sarif`, `cyclonedx`, `spdx`), or the command's own.
    #[pyo3(signature = (format=None))]
    fn render(&self, py: Python<'_>, format: Option<String>) -> PyResult<String> {
        let format = match format {
            Some(f) => Some(
                <Format as clap::ValueEnum>::from_str(&f, true)
                    .map_err(|_| HfLineageError::new_err(format!("unknown format {f:?}")))?,
            ),
            None => None,
        };
        let p = &self.prepared;
        detached(py, || p.render(format))
    }
}

/// Which token to send: `None` reads the environment, `False` sends none, a string is the token.
fn token_choice(token: Option<&Bound<'_, PyAny>>) -> PyResult<TokenChoice> {
    let Some(t) = token else {
        return Ok(TokenChoice::Environment);
    };
    if t.is_none() {
        return Ok(TokenChoice::Environment);
    }
    if let Ok(b) = t.extract::<bool>() {
        return match b {
            false => Ok(TokenChoice::Anonymous),
            true => Ok(TokenChoice::Environment),
        };
    }
    let s: String = t.extract()?;
    hf_lineage::hub::auth::Token::new(&s)
        .map(TokenChoice::Given)
        .ok_or_else(|| HfLineageError::new_err("token: an empty string is no token"))
}

/// Runs `trace`, `audit`, `query` or `bom` as the command line `argv` (program name first)
/// would, up to what it would print.
#[pyfunction]
#[pyo3(signature = (argv, token=None))]
fn prepare(
    py: Python<'_>,
    argv: Vec<String>,
    token: Option<&Bound<'_, PyAny>>,
) -> PyResult<Lineage> {
    let token = token_choice(token)?;
    let prepared = detached(py, || hf_lineage::cli::prepare(argv, token))?;
    Ok(Lineage {
        prepared,
        tables: std::sync::OnceLock::new(),
    })
}

/// Runs the `hf-lineage` command line (program name first); returns its exit code.
#[pyfunction]
fn run_cli(py: Python<'_>, argv: Vec<String>) -> PyResult<u8> {
    detached(py, || Ok(hf_lineage::cli::main(argv)))
}

/// What `card --format json` prints for a card's text (read as the README at `path`, with the
/// files beside it, when given).
#[pyfunction]
#[pyo3(signature = (text, path=None, relation=None, repo=None))]
fn card_json(
    py: Python<'_>,
    text: Vec<u8>,
    path: Option<std::path::PathBuf>,
    relation: Option<String>,
    repo: Option<String>,
) -> PyResult<String> {
    detached(py, || {
        hf_lineage::cli::card::json_of(&text, path.as_deref(), relation.as_deref(), repo)
    })
}

/// What `explain CODE` prints.
#[pyfunction]
fn explain(py: Python<'_>, code: String) -> PyResult<String> {
    detached(py, || hf_lineage::cli::explain::code_text(&code))
}

/// What `explain --license NAME` prints.
#[pyfunction]
fn explain_license(py: Python<'_>, name: String) -> PyResult<String> {
    detached(py, || hf_lineage::cli::explain::license_text(&name))
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", hf_lineage::VERSION)?;
    m.add("HfLineageError", m.py().get_type::<HfLineageError>())?;
    m.add_class::<Lineage>()?;
    m.add_function(wrap_pyfunction!(prepare, m)?)?;
    m.add_function(wrap_pyfunction!(run_cli, m)?)?;
    m.add_function(wrap_pyfunction!(card_json, m)?)?;
    m.add_function(wrap_pyfunction!(explain, m)?)?;
    m.add_function(wrap_pyfunction!(explain_license, m)?)?;
    Ok(())
}
