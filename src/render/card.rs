//! `hf-lineage card`'s output: one card's report as text or JSON.

use crate::pipeline::card::CardReport;
use crate::render::escape::line;

/// The report as JSON, keys sorted (with a trailing newline).
pub fn render_card_json(r: &CardReport) -> String {
    let s = serde_json::to_value(r)
        .and_then(|v| serde_json::to_string_pretty(&v))
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    let mut s = super::escape::json(s);
    s.push('\n');
    s
}

/// The report as text, headed by the card's path.
pub fn render_card_text(r: &CardReport, label: &str) -> String {
    // Every value comes from the card, its files or the command line: one line each, escaped.
    let list = |v: &[String]| {
        if v.is_empty() {
            "-".to_string()
        } else {
            line(&v.join(", ")).into_owned()
        }
    };
    let mut s = format!("{}\n", line(label));
    s.push_str(&format!("  base models:     {}\n", list(&r.base_models)));
    if let (Some(rel), Some(src)) = (r.relation, r.relation_source) {
        s.push_str(&format!("  relation:        {rel} ({src})\n"));
    }
    let license = match (&r.license, &r.license_name) {
        (Some(l), Some(n)) => format!("{} ({})", line(l), line(n)),
        (Some(l), None) => line(l).into_owned(),
        (None, _) => "-".into(),
    };
    s.push_str(&format!("  license:         {license}\n"));
    if let Some(link) = &r.license_link {
        s.push_str(&format!("  license link:    {}\n", line(link)));
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
    for f in &r.files {
        let bases = match f.base_models.is_empty() {
            true => "no parent named".to_string(),
            false => f.base_models.join(", "),
        };
        let detail = match f.detail.is_empty() {
            true => String::new(),
            false => format!(" ({})", f.detail.join(", ")),
        };
        s.push_str(&format!(
            "  {}: {}{}\n",
            line(&f.file),
            line(&bases),
            line(&detail)
        ));
    }
    if let Some(d) = &r.documentation {
        let verdict = format!("{:?}", d.verdict).to_lowercase();
        s.push_str(&format!(
            "  what changed:    {verdict} (judged as {})\n",
            d.relation
        ));
        for e in &d.evidence {
            s.push_str(&format!("    {}: \"{}\"\n", e.item, line(&e.quote)));
        }
        if !d.missing.is_empty() {
            s.push_str(&format!("    missing: {}\n", d.missing.join(", ")));
        }
        if !d.files.is_empty() {
            s.push_str(&format!("    files show: {}\n", line(&d.files.join("; "))));
        }
    }
    if r.findings.is_empty() {
        s.push_str("  no findings\n");
    }
    for f in &r.findings {
        s.push_str(&format!(
            "  {} [{}] {}\n",
            f.severity,
            f.code,
            line(&f.message)
        ));
    }
    s
}
