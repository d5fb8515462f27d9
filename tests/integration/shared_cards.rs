//! Real Hugging Face cards from ../shared/cards: metadata pinned with insta, the index checked,
//! and the 769 legacy dataset cards parsed without a panic. Skips (and says so) without ../shared.

use crate::common;

use std::path::Path;

use hf_lineage::id::RepoKind;
use hf_lineage::pipeline::card::{card_report, CardReport};
use hf_lineage::record::FileSignals;

struct Row {
    id: String,
    kind: RepoKind,
    base_model: String,
    relation: String,
    license: String,
}

fn index(cards: &Path) -> Vec<Row> {
    let text = std::fs::read_to_string(cards.join("index.tsv")).unwrap();
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            let kind = RepoKind::from_name(f.get(1)?)?;
            Some(Row {
                id: f[0].to_string(),
                kind,
                base_model: f.get(3).unwrap_or(&"").to_string(),
                relation: f.get(4).unwrap_or(&"").to_string(),
                license: f.get(5).unwrap_or(&"").to_string(),
            })
        })
        .collect()
}

fn card_path(cards: &Path, row: &Row) -> std::path::PathBuf {
    cards
        .join(row.kind.as_str())
        .join(format!("{}.md", row.id.replace('/', "__")))
}

/// Signals from the sibling files the corpus stores as `<owner>__<name>.<file>`.
fn signals(card: &Path) -> FileSignals {
    let stem = card.file_stem().unwrap().to_string_lossy().into_owned();
    let dir = card.parent().unwrap();
    let mut names = Vec::new();
    let mut config = None;
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let n = e.file_name().to_string_lossy().into_owned();
        if let Some(rest) = n.strip_prefix(&format!("{stem}.")) {
            if rest == "config.json" {
                config = serde_json::from_slice(&std::fs::read(e.path()).unwrap()).ok();
            }
            names.push(rest.to_string());
        }
    }
    FileSignals::from_files(names.iter().map(String::as_str), config.as_ref())
}

fn report(path: &Path, kind: RepoKind) -> CardReport {
    card_report(&std::fs::read(path).unwrap(), kind, signals(path))
}

#[test]
fn real_cards_parse_to_pinned_metadata() {
    let Some(cards) = common::shared_cards("real_cards_parse_to_pinned_metadata") else {
        return;
    };
    let mut n = 0;
    for kind in RepoKind::ALL {
        let dir = cards.join(kind.as_str());
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .collect();
        files.sort();
        for f in files
            .into_iter()
            .filter(|f| f.extension().is_some_and(|e| e == "md"))
        {
            let r = report(&f, kind);
            let name = format!(
                "{}__{}",
                kind.as_str(),
                f.file_stem().unwrap().to_string_lossy()
            );
            insta::assert_json_snapshot!(name, r);
            n += 1;
        }
    }
    assert!(n >= 55, "expected the whole corpus, read {n} cards");
}

fn index_license(s: &str) -> Option<(Vec<String>, Option<String>)> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if s.starts_with("(missing") {
        return Some((vec![], None));
    }
    if let Some((lic, rest)) = s.split_once(" (license_name=") {
        return Some((
            vec![lic.to_string()],
            Some(rest.trim_end_matches(')').to_string()),
        ));
    }
    Some((s.split(',').map(|x| x.trim().to_string()).collect(), None))
}

#[test]
fn real_cards_declare_what_the_index_says() {
    let Some(cards) = common::shared_cards("real_cards_declare_what_the_index_says") else {
        return;
    };
    let mut checked = 0;
    for row in index(&cards) {
        let path = card_path(&cards, &row);
        if !path.exists() {
            continue;
        }
        let r = report(&path, row.kind);
        let want: Vec<String> = row
            .base_model
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect();
        // The index leaves base_model empty for some cards that do declare one (it notes the
        // implicit relation instead); where it names one, the parse must agree.
        if !want.is_empty() {
            assert_eq!(r.base_models, want, "base_model of {}", row.id);
        }
        if let Some((licenses, name)) = index_license(&row.license) {
            let got: Vec<String> = r
                .license
                .as_deref()
                .map(|l| l.split(", ").map(String::from).collect())
                .unwrap_or_default();
            assert_eq!(got, licenses, "license of {}", row.id);
            if name.is_some() {
                assert_eq!(r.license_name, name, "license_name of {}", row.id);
            }
        }
        // Where the corpus holds the evidence (configs, tags), the inferred relation must match.
        let rel = row.relation.split_whitespace().next().unwrap_or("");
        if matches!(rel, "quantized" | "adapter" | "finetune" | "merge")
            && !r.base_models.is_empty()
        {
            let decidable = rel == "finetune"
                || signals(&path) != FileSignals::default()
                || rel == "quantized"
                    && row.relation.contains("GGUF")
                    && r.relation == Some("quantized");
            if decidable {
                assert_eq!(
                    r.relation,
                    Some(rel),
                    "relation of {} ({})",
                    row.id,
                    row.relation
                );
            }
        }
        checked += 1;
    }
    assert!(checked >= 50, "checked {checked} rows");
}

#[test]
fn every_legacy_dataset_card_parses_without_panic() {
    let Some(cards) = common::shared_cards("every_legacy_dataset_card_parses_without_panic") else {
        return;
    };
    let mut files: Vec<_> = std::fs::read_dir(cards.join("dataset_bulk"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 769);
    let (mut with_license, mut with_sources) = (0, 0);
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        let r = std::panic::catch_unwind(|| {
            card_report(&bytes, RepoKind::Dataset, FileSignals::default())
        })
        .unwrap_or_else(|_| panic!("panicked on {}", f.display()));
        with_license += usize::from(r.license.is_some());
        with_sources += usize::from(!r.source_datasets.is_empty());
    }
    // Nearly all legacy cards declare a license; a fair share name Hub source datasets.
    assert!(with_license > 600, "{with_license} cards with a license");
    assert!(
        with_sources > 20,
        "{with_sources} cards with source datasets"
    );
}

/// The Hub's frontmatter pattern (huggingface_hub repocard.py), the oracle for the scan in
/// `split_frontmatter`.
fn hub_split(text: &str) -> Option<(&str, &str)> {
    let re = regex::Regex::new(
        r"\A(\s*---(?:\r\n|\r|\n))([\S\s]*?)((?:\r\n|\r|\n)---[ \t]*(?:\r\n|\n|\z))",
    )
    .unwrap();
    let c = re.captures(text)?;
    let yaml = c.get(2)?.as_str();
    Some((yaml, &text[c.get(0)?.end()..]))
}

#[test]
fn frontmatter_split_agrees_with_the_hubs_pattern() {
    // Every way a block can open and close, combined: line breaks of each kind, leading
    // whitespace, trailing spaces and tabs, empty blocks, dashes inside values, no closing.
    let opens = [
        "---\n",
        "---\r\n",
        "---\r",
        "  \n---\n",
        "---",
        "----\n",
        "x---\n",
        "\u{a0}---\n",
    ];
    let middles = [
        "",
        "a: 1",
        "a: 1\n",
        "a: 1\r",
        "a: ---",
        "a: 1\n----\nb: 2",
        "\n",
        "---",
        "a:\r\n  - x",
    ];
    let closes = [
        "\n---\n",
        "\r\n---\r\n",
        "\n---",
        "\n--- \t\n",
        "\r---\n",
        "\n---x\n",
        "\n---\r",
        "---\n",
        "",
        "\r\n---",
    ];
    let tails = ["", "# Body\n", "\n---\nmore\n", "\r\n"];
    let mut n = 0;
    for o in opens {
        for m in middles {
            for c in closes {
                for t in tails {
                    let text = format!("{o}{m}{c}{t}");
                    assert_eq!(
                        hf_lineage::card::split_frontmatter(&text),
                        hub_split(&text),
                        "{text:?}"
                    );
                    n += 1;
                }
            }
        }
    }
    assert_eq!(n, 8 * 9 * 10 * 4);
    let Some(cards) = common::shared_cards("frontmatter_split_agrees_with_the_hubs_pattern") else {
        return;
    };
    let mut files = 0;
    for dir in ["model", "dataset", "space", "dataset_bulk"] {
        for e in std::fs::read_dir(cards.join(dir)).unwrap() {
            let text = std::fs::read_to_string(e.unwrap().path()).unwrap_or_default();
            let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
            assert_eq!(hf_lineage::card::split_frontmatter(text), hub_split(text));
            files += 1;
        }
    }
    assert!(files > 800, "{files} cards read");
}

/// What the tool-written files beside the real cards say (`*.adapter_config.json`,
/// `*.mergekit_config.yml`, `*.config.json`), one line per file, pinned: parents named by Hub
/// id or Hub-cache path are read, local paths and owner-less directory names are not.
#[test]
fn the_files_beside_real_cards_name_what_their_tools_wrote() {
    use hf_lineage::files::{adapter_config, merge_config, model_config, FileRef};
    let Some(cards) = common::shared_cards("the_files_beside_real_cards") else {
        return;
    };
    let show = |r: &Option<FileRef>| match r {
        Some(r) => match &r.revision {
            Some(rev) => format!("{}@{rev}", r.id.node_id()),
            None => r.id.node_id(),
        },
        None => "-".to_string(),
    };
    let mut lines = Vec::new();
    for dir in ["model", "license-pairs"] {
        for path in common::files_under(&cards.join(dir)) {
            let name = path.strip_prefix(&cards).unwrap().display().to_string();
            let bytes = std::fs::read(&path).unwrap();
            let line = if name.ends_with(".adapter_config.json") {
                let a = adapter_config(&bytes).unwrap();
                format!("adapter base {} ({:?})", show(&a.base), a.peft_type)
            } else if name.ends_with(".mergekit_config.yml") {
                let m = merge_config(&String::from_utf8_lossy(&bytes)).unwrap();
                let models: Vec<String> = m.models.iter().map(|r| show(&Some(r.clone()))).collect();
                format!(
                    "merge {:?} of [{}], base {}",
                    m.method,
                    models.join(", "),
                    show(&m.base)
                )
            } else if name.ends_with(".config.json") && !name.ends_with("quantize_config.json") {
                let c = model_config(&bytes).unwrap();
                format!(
                    "config source {}, {:?} {:?} bits",
                    show(&c.source),
                    c.quant_method,
                    c.bits
                )
            } else {
                continue;
            };
            lines.push(format!("{name}: {line}"));
        }
    }
    assert!(!lines.is_empty(), "no tool-written files beside the cards");
    insta::assert_snapshot!(lines.join("\n"));
}
