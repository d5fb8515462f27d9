//! `hf-lineage card`: lint one local README.md with the same parser the crawler uses.

use std::path::{Path, PathBuf};

use super::{emit, CliError};
use clap::{Args, ValueEnum};
use hf_lineage::card::report::{card_report, CardReport};
use hf_lineage::id::RepoKind;
use hf_lineage::record::FileSignals;

/// Arguments of `card`.
#[derive(Args, Debug)]
pub struct CardArgs {
    /// The README.md to read.
    pub file: PathBuf,
    /// What kind of repo the card belongs to.
    #[arg(long, value_enum, default_value_t = KindArg::Model)]
    pub kind: KindArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CardFormat::Text)]
    pub format: CardFormat,
}

/// `--kind`.
#[derive(ValueEnum, Debug, Clone, Copy)]
pub enum KindArg {
    /// A model card.
    Model,
    /// A dataset card.
    Dataset,
    /// A Space card.
    Space,
}

/// `--format` of `card`.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardFormat {
    /// Human-readable summary.
    Text,
    /// JSON.
    Json,
}

fn local_signals(dir: &Path) -> FileSignals {
    let names: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    let config = std::fs::read(dir.join("config.json"))
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok());
    FileSignals::from_files(names.iter().map(String::as_str), config.as_ref())
}

/// Runs `card`.
pub fn run(args: CardArgs) -> Result<i32, CliError> {
    let text = std::fs::read(&args.file)
        .map_err(|e| CliError(format!("cannot read {}: {e}", args.file.display())))?;
    let kind = match args.kind {
        KindArg::Model => RepoKind::Model,
        KindArg::Dataset => RepoKind::Dataset,
        KindArg::Space => RepoKind::Space,
    };
    let files = args.file.parent().map(local_signals).unwrap_or_default();
    let r = card_report(&text, kind, files);
    let out = match args.format {
        CardFormat::Json => {
            let mut s = serde_json::to_string_pretty(&r)?;
            s.push('\n');
            s
        }
        CardFormat::Text => render(&r, &args.file),
    };
    emit(&out, None)?;
    Ok(super::exit::OK)
}

fn render(r: &CardReport, file: &Path) -> String {
    let list = |v: &[String]| {
        if v.is_empty() {
            "-".to_string()
        } else {
            v.join(", ")
        }
    };
    let mut s = format!("{}\n", file.display());
    s.push_str(&format!("  base models:     {}\n", list(&r.base_models)));
    if let (Some(rel), Some(src)) = (r.relation, r.relation_source) {
        s.push_str(&format!("  relation:        {rel} ({src})\n"));
    }
    let license = match (&r.license, &r.license_name) {
        (Some(l), Some(n)) => format!("{l} ({n})"),
        (Some(l), None) => l.clone(),
        (None, _) => "-".into(),
    };
    s.push_str(&format!("  license:         {license}\n"));
    if let Some(link) = &r.license_link {
        s.push_str(&format!("  license link:    {link}\n"));
    }
    s.push_str(&format!("  datasets:        {}\n", list(&r.datasets)));
    if !r.models.is_empty() {
        s.push_str(&format!("  models:          {}\n", list(&r.models)));
    }
    if !r.source_datasets.is_empty() {
        s.push_str(&format!(
            "  source datasets: {}\n",
            list(&r.source_datasets)
        ));
    }
    if r.findings.is_empty() {
        s.push_str("  no findings\n");
    }
    for f in &r.findings {
        s.push_str(&format!("  {} [{}] {}\n", f.severity, f.code, f.message));
    }
    s
}
