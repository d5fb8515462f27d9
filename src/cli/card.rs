//! `hf-lineage card`: lint one local README.md with the same parser the crawler uses.

use anyhow::Context;
use std::path::{Path, PathBuf};

use super::emit;
use clap::{Args, ValueEnum};
use hf_lineage::docs_check::{assess_repo, finding_for, DocReport, RepoFacts, Verdict};
use hf_lineage::id::{RepoId, RepoKind};
use hf_lineage::record::{FileSignals, RepoRecord};
use hf_lineage::relation::Relation;
use hf_lineage::render::card::{card_report, CardReport};

/// Arguments of `card`.
#[derive(Args, Debug)]
pub struct CardArgs {
    /// The README.md to read.
    pub file: PathBuf,
    /// What kind of repo the card belongs to.
    #[arg(long, value_enum, default_value_t = KindArg::Model)]
    pub kind: KindArg,
    /// Judge what changed as this kind of derivative (for a draft that declares no base model;
    /// otherwise the card's own relation, declared or inferred from the files beside it).
    #[arg(long, value_enum, value_name = "RELATION")]
    pub relation: Option<RelationArg>,
    /// The repo the card is for (`owner/name`): its name is part of what the publisher states
    /// (`-GGUF`, `-4bit`, `-Q4_K_M`).
    #[arg(long, value_name = "OWNER/NAME")]
    pub repo: Option<String>,
    /// Exit 2 when what changed is documented no better than this (for CI).
    #[arg(long, value_enum, value_name = "VERDICT")]
    pub fail_on: Option<FailOn>,
    #[command(flatten)]
    pub out: super::OutputArgs,
}

/// `--relation`.
#[derive(ValueEnum, Debug, Clone, Copy)]
pub enum RelationArg {
    /// Trained further (SFT, DPO…).
    Finetune,
    /// A LoRA/PEFT adapter.
    Adapter,
    /// A merge of several models.
    Merge,
    /// A quantization (GGUF, GPTQ, AWQ, MLX…).
    Quantized,
}

/// `--fail-on`.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    /// Fail when the card does not say what changed.
    Undocumented,
    /// Fail unless the card says everything that changed.
    Partial,
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

fn local_files(dir: &Path) -> (FileSignals, Vec<String>) {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let config = std::fs::read(dir.join("config.json"))
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok());
    let signals = FileSignals::from_files(names.iter().map(String::as_str), config.as_ref());
    (signals, names)
}

/// Runs `card`.
pub fn run(args: CardArgs) -> anyhow::Result<u8> {
    let text = std::fs::read(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let kind = match args.kind {
        KindArg::Model => RepoKind::Model,
        KindArg::Dataset => RepoKind::Dataset,
        KindArg::Space => RepoKind::Space,
    };
    let (signals, names) = args.file.parent().map(local_files).unwrap_or_default();
    let repo = match &args.repo {
        Some(r) => Some(RepoId::parse(r, kind).context("--repo")?),
        None => None,
    };
    let r = card_report(&text, kind, signals.clone());
    // What changed: as the given kind of derivative, or as the card's own relation.
    let relation = match args.relation {
        Some(RelationArg::Finetune) => Some(Relation::Finetune),
        Some(RelationArg::Adapter) => Some(Relation::Adapter),
        Some(RelationArg::Merge) => Some(Relation::Merge),
        Some(RelationArg::Quantized) => Some(Relation::Quantized),
        None => r.relation.and_then(Relation::from_name),
    };
    let doc = relation.filter(|_| kind == RepoKind::Model).map(|rel| {
        let placeholder = repo.clone().unwrap_or_else(|| r_id(kind));
        let mut rec = RepoRecord::from_parts(&placeholder, None, Some(&text));
        rec.files = signals;
        let facts = RepoFacts {
            id: repo.as_ref(),
            files: &names,
        };
        assess_repo(rel, &rec.card.meta, &rec.card.body, facts)
    });
    let node = repo
        .as_ref()
        .map(|r| r.node_id())
        .unwrap_or_else(|| args.file.display().to_string());
    let doc_finding = doc.as_ref().and_then(|d| finding_for(&node, d));
    let format = args
        .out
        .format_for("card", &[super::Format::Text, super::Format::Json])?;
    let out = match format {
        super::Format::Json => {
            let mut v = serde_json::to_value(&r)?;
            if let Some(d) = &doc {
                v["documentation"] = serde_json::to_value(d)?;
                if let (Some(f), Some(list)) = (&doc_finding, v["findings"].as_array_mut()) {
                    list.push(serde_json::to_value(f)?);
                }
            }
            let mut s = serde_json::to_string_pretty(&v)?;
            s.push('\n');
            s
        }
        _ => render(&r, &args.file, doc.as_ref(), doc_finding.as_ref()),
    };
    emit(&out, args.out.output.as_deref())?;
    let failed = matches!(
        (args.fail_on, doc.as_ref().map(|d| d.verdict)),
        (Some(FailOn::Undocumented), Some(Verdict::Undocumented))
            | (
                Some(FailOn::Partial),
                Some(Verdict::Undocumented | Verdict::Partial)
            )
    );
    Ok(if failed {
        super::exit::DENY
    } else {
        super::exit::OK
    })
}

fn r_id(kind: RepoKind) -> RepoId {
    match RepoId::parse("local/card", kind) {
        Ok(id) => id,
        Err(_) => unreachable!("a static, valid id"),
    }
}

fn render(
    r: &CardReport,
    file: &Path,
    doc: Option<&DocReport>,
    doc_finding: Option<&hf_lineage::Finding>,
) -> String {
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
    if let Some(d) = doc {
        let verdict = format!("{:?}", d.verdict).to_lowercase();
        s.push_str(&format!(
            "  what changed:    {verdict} (judged as {})\n",
            d.relation
        ));
        for e in &d.evidence {
            s.push_str(&format!("    {}: \"{}\"\n", e.item, e.quote));
        }
        if !d.missing.is_empty() {
            s.push_str(&format!("    missing: {}\n", d.missing.join(", ")));
        }
        if !d.files.is_empty() {
            s.push_str(&format!("    files show: {}\n", d.files.join("; ")));
        }
    }
    let findings: Vec<&hf_lineage::Finding> = r.findings.iter().chain(doc_finding).collect();
    if findings.is_empty() {
        s.push_str("  no findings\n");
    }
    for f in findings {
        s.push_str(&format!("  {} [{}] {}\n", f.severity, f.code, f.message));
    }
    s
}
