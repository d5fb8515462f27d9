//! The shape ARCHITECTURE.md draws, checked on the source itself: each top-level module imports
//! only the layers below it, nothing that prints reaches the network or the cache, no two
//! source files import each other in a circle, every file of `src/` stays under 650 lines, and
//! ARCHITECTURE.md names every top-level module.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The library's top-level modules, lowest layer first: a module may import only modules
/// listed before it.
const LAYERS: [&str; 23] = [
    "id",
    "relation",
    "out_of_line",
    "finding",
    "db",
    "card",
    "kb",
    "files",
    "record",
    "policy",
    "hub",
    "graph",
    "source",
    "check",
    "license",
    "docs_check",
    "report",
    "trace",
    "query",
    "pipeline",
    "diff",
    "render",
    "cli",
];

/// Modules that print, and what they must never import (the network, the cache, the disk
/// sources).
const PRINTERS: [&str; 1] = ["render"];
const IO: [&str; 3] = ["hub", "db", "source"];

const MAX_LINES: usize = 650;

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The library's files (the binary's `main.rs` is outside the layers; `cli` is the top one).
fn library_files() -> Vec<PathBuf> {
    let mut all = crate::common::files_under(&src());
    all.retain(|p| p.extension().is_some_and(|x| x == "rs"));
    all.retain(|p| {
        let rel = p.strip_prefix(src()).unwrap();
        rel != Path::new("main.rs")
    });
    all
}

/// A file's module path (`src/source/snapshot/mod.rs` → `["source", "snapshot"]`).
fn module_of(p: &Path) -> Vec<String> {
    let rel = p.strip_prefix(src()).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .iter()
        .map(|s| s.to_string_lossy().into_owned())
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts
}

/// The code of a file without comments and without its test module.
fn code_of(p: &Path) -> String {
    let text = std::fs::read_to_string(p).unwrap();
    let text = match text.find("#[cfg(test)]") {
        Some(i) => &text[..i],
        None => &text[..],
    };
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The module paths a file names: `crate::a::b`, `super::x`, and the items of `{…}` lists
/// after them, resolved against the file's own module.
fn references(p: &Path) -> Vec<Vec<String>> {
    let code = code_of(p);
    let me = module_of(p);
    let path_re = regex::Regex::new(r"\b((?:crate|super)(?:::\w+)+)(?:::\{([^}]*)\})?").unwrap();
    let mut out = Vec::new();
    for c in path_re.captures_iter(&code) {
        let base: Vec<&str> = c[1].split("::").collect();
        let mut paths: Vec<Vec<&str>> = Vec::new();
        match c.get(2) {
            Some(list) => {
                for item in list.as_str().split(',') {
                    let first = item.trim().split("::").next().unwrap_or("").trim();
                    let mut v = base.clone();
                    if !first.is_empty() && first != "self" {
                        v.push(first);
                    }
                    paths.push(v);
                }
            }
            None => paths.push(base),
        }
        for path in paths {
            let mut parts: Vec<String> = if path[0] == "crate" {
                Vec::new()
            } else {
                me.clone()
            };
            let mut rest = &path[..];
            if rest[0] == "crate" {
                rest = &rest[1..];
            }
            while rest.first() == Some(&"super") {
                parts.pop();
                rest = &rest[1..];
            }
            parts.extend(rest.iter().map(|s| s.to_string()));
            out.push(parts);
        }
    }
    out
}

#[test]
fn each_module_imports_only_the_layers_below_it_and_printers_reach_no_io() {
    let mut wrong = Vec::new();
    let layer = |m: &str| LAYERS.iter().position(|l| *l == m);
    for p in library_files() {
        let me = module_of(&p);
        let Some(top) = me.first() else { continue };
        let Some(mine) = layer(top) else {
            wrong.push(format!(
                "{}: module {top} is not in LAYERS (add it where it belongs, and to ARCHITECTURE.md)",
                p.display()
            ));
            continue;
        };
        for r in references(&p) {
            let Some(other) = r.first() else { continue };
            if other == top {
                continue;
            }
            match layer(other) {
                Some(theirs) if theirs < mine => {}
                _ => wrong.push(format!("{}: {top} imports {other}", p.display())),
            }
            if PRINTERS.contains(&top.as_str()) && IO.contains(&other.as_str()) {
                wrong.push(format!(
                    "{}: {top} prints, but imports {other}",
                    p.display()
                ));
            }
        }
    }
    wrong.sort();
    wrong.dedup();
    assert!(
        wrong.is_empty(),
        "imports against the layers:\n{}",
        wrong.join("\n")
    );
}

/// The file a module path lives in: the longest prefix that is a file of `files`.
fn file_of(path: &[String], files: &BTreeMap<Vec<String>, PathBuf>) -> Option<PathBuf> {
    (1..=path.len())
        .rev()
        .find_map(|k| files.get(&path[..k].to_vec()).cloned())
}

#[test]
fn no_two_files_import_each_other_in_a_circle() {
    let files: BTreeMap<Vec<String>, PathBuf> = library_files()
        .into_iter()
        .map(|p| (module_of(&p), p))
        .collect();
    // A module and its own submodules may use each other (that is how Rust splits a module);
    // any other circle is a defect.
    let nested = |a: &[String], b: &[String]| a.starts_with(b) || b.starts_with(a);
    let mut edges: BTreeMap<PathBuf, BTreeSet<PathBuf>> = BTreeMap::new();
    for (m, p) in &files {
        if p.ends_with("tests.rs") {
            continue;
        }
        for r in references(p) {
            if let Some(q) = file_of(&r, &files) {
                if &q != p && !nested(m, &module_of(&q)) {
                    edges.entry(p.clone()).or_default().insert(q);
                }
            }
        }
    }
    // A circle exists iff some file reaches itself.
    let mut circles = Vec::new();
    for start in edges.keys() {
        let mut seen = BTreeSet::new();
        let mut todo: Vec<&PathBuf> = edges[start].iter().collect();
        while let Some(n) = todo.pop() {
            if n == start {
                circles.push(start.display().to_string());
                break;
            }
            if seen.insert(n) {
                todo.extend(edges.get(n).into_iter().flatten());
            }
        }
    }
    assert!(
        circles.is_empty(),
        "files on an import circle:\n{}",
        circles.join("\n")
    );
}

#[test]
fn every_source_file_stays_under_the_line_limit() {
    let all = crate::common::files_under(&src());
    let long: Vec<String> = all
        .iter()
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .filter_map(|p| {
            let n = std::fs::read_to_string(p).unwrap().lines().count();
            (n >= MAX_LINES).then(|| format!("{}: {n} lines", p.display()))
        })
        .collect();
    assert!(
        long.is_empty(),
        "files of {MAX_LINES} lines or more:\n{}",
        long.join("\n")
    );
}

#[test]
fn architecture_md_names_every_top_level_module_and_the_recipes() {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("ARCHITECTURE.md"))
            .unwrap();
    for m in LAYERS.iter() {
        assert!(
            doc.contains(&format!("`{m}`")),
            "ARCHITECTURE.md does not name `{m}`"
        );
    }
    for recipe in [
        "add a finding code",
        "add an output format",
        "add a snapshot source",
        "add a check",
    ] {
        assert!(
            doc.to_lowercase().contains(&format!("## {recipe}")),
            "ARCHITECTURE.md has no recipe \"{recipe}\""
        );
    }
}
