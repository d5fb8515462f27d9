//! What the mock serves: repos from a snapshot directory or a generated family, completed the
//! way the Hub completes them (tags from the card, resolved relations, children counts per
//! relation, resolved parents, the Spaces that use a model).

use std::collections::HashMap;
use std::path::Path;

use serde_json::{json, Value};

use crate::MockRepo;

fn yaml_to_json(y: &yaml_rust2::Yaml) -> Value {
    use yaml_rust2::Yaml;
    match y {
        Yaml::Real(s) => s
            .parse::<f64>()
            .map(|f| json!(f))
            .unwrap_or(Value::String(s.clone())),
        Yaml::Integer(i) => json!(i),
        Yaml::String(s) => json!(s),
        Yaml::Boolean(b) => json!(b),
        Yaml::Array(a) => Value::Array(a.iter().map(yaml_to_json).collect()),
        Yaml::Hash(h) => Value::Object(
            h.iter()
                .map(|(k, v)| {
                    let key = match k {
                        Yaml::String(s) => s.clone(),
                        other => format!("{other:?}"),
                    };
                    (key, yaml_to_json(v))
                })
                .collect(),
        ),
        _ => Value::Null,
    }
}

/// The Hub's parse of a README's metadata: `cardData`, or `None` if there is none or it is bad.
/// Like the Hub, a leading byte-order mark is not part of the card.
pub fn card_data(readme: &str) -> Option<Value> {
    let readme = readme.strip_prefix('\u{feff}').unwrap_or(readme);
    let re = regex::Regex::new(
        r"\A(\s*---(?:\r\n|\r|\n))([\S\s]*?)((?:\r\n|\r|\n)---[ \t]*(?:\r\n|\n|\z))",
    )
    .ok()?;
    let caps = re.captures(readme)?;
    let docs = yaml_rust2::YamlLoader::load_from_str(caps.get(2)?.as_str()).ok()?;
    let v = docs.first().map(yaml_to_json).unwrap_or(Value::Null);
    v.is_object().then_some(v)
}

fn as_list(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect(),
        _ => vec![],
    }
}

/// A card's `base_model` value as the Hub normalises it into a tag (URL prefixes and
/// `/tree/…` suffixes dropped; the spelling itself kept).
fn norm_base(s: &str) -> String {
    let s = s
        .trim()
        .trim_start_matches("https://huggingface.co/")
        .trim_start_matches("hf.co/");
    s.split("/tree/")
        .next()
        .unwrap_or(s)
        .trim_end_matches('/')
        .to_string()
}

const RELATIONS: [&str; 4] = ["adapter", "merge", "quantized", "finetune"];

/// The relation the Hub resolves for a model: the card's when valid, else inferred from files
/// and metadata (GGUF or a quantization config → quantized; an adapter config or PEFT →
/// adapter; two or more bases → merge; else finetune).
fn hub_relation(info: &Value, card: &Value, bases: usize) -> &'static str {
    if let Some(r) = card["base_model_relation"].as_str() {
        if let Some(known) = RELATIONS.iter().find(|x| **x == r) {
            return known;
        }
    }
    let files: Vec<String> = info["siblings"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s["rfilename"].as_str())
                .map(str::to_ascii_lowercase)
                .collect()
        })
        .unwrap_or_default();
    let tags = as_list(&info["tags"]);
    if files.iter().any(|f| f.ends_with(".gguf"))
        || tags.iter().any(|t| t.eq_ignore_ascii_case("gguf"))
        || files.iter().any(|f| f.ends_with("quantize_config.json"))
        || info["config"].get("quantization_config").is_some()
    {
        "quantized"
    } else if files.iter().any(|f| f.ends_with("adapter_config.json"))
        || card["library_name"].as_str() == Some("peft")
    {
        "adapter"
    } else if bases >= 2 {
        "merge"
    } else {
        "finetune"
    }
}

/// A GGUF header as llama.cpp writes one (v3): string keys (numbers as `u32`),
/// `general.file_type` 15 (Q4_K_M), a vocabulary that is not read, then `weights` zero bytes.
pub fn gguf_header(weights: usize, keys: &[(&str, &str)]) -> Vec<u8> {
    let mut b = b"GGUF".to_vec();
    b.extend(3u32.to_le_bytes());
    b.extend(291u64.to_le_bytes());
    b.extend((keys.len() as u64 + 2).to_le_bytes());
    let string = |b: &mut Vec<u8>, s: &str| {
        b.extend((s.len() as u64).to_le_bytes());
        b.extend(s.as_bytes());
    };
    for (k, v) in keys {
        string(&mut b, k);
        match v.parse::<u32>() {
            Ok(n) => {
                b.extend(4u32.to_le_bytes());
                b.extend(n.to_le_bytes());
            }
            Err(_) => {
                b.extend(8u32.to_le_bytes());
                string(&mut b, v);
            }
        }
    }
    string(&mut b, "general.file_type");
    b.extend(4u32.to_le_bytes());
    b.extend(15u32.to_le_bytes());
    string(&mut b, "tokenizer.ggml.tokens");
    b.extend(9u32.to_le_bytes());
    b.extend(8u32.to_le_bytes());
    b.extend(32_000u64.to_le_bytes());
    // Weights follow in a real file: `weights` bytes of them here, never read.
    b.extend(vec![0u8; weights]);
    b
}

/// Adds the names of a repo's served files to its `siblings`, as the Hub lists every file.
pub(crate) fn list_files(r: &mut MockRepo) {
    if r.files.is_empty() || !r.info.is_object() {
        return;
    }
    let mut names: Vec<Value> = r.info["siblings"].as_array().cloned().unwrap_or_default();
    for f in r.files.keys() {
        if !names.iter().any(|n| n["rfilename"].as_str() == Some(f)) {
            names.push(json!({ "rfilename": f }));
        }
    }
    r.info["siblings"] = Value::Array(names);
}

/// Completes the tags the way the Hub writes them from the card: the card's own tags,
/// `base_model:<id>` and `base_model:<relation>:<id>` for each declared parent (with the card's
/// spelling), `dataset:<id>`, `license:<id>`.
pub fn finish(repos: &mut [MockRepo]) {
    for r in repos.iter_mut() {
        if !r.info.is_object() {
            continue;
        }
        let card = r.info.get("cardData").cloned().unwrap_or(Value::Null);
        let mut tags: Vec<String> = as_list(&r.info["tags"]);
        let mut push = |t: String| {
            if !tags.contains(&t) {
                tags.push(t);
            }
        };
        for t in as_list(&card["tags"]) {
            push(t);
        }
        if r.kind == "models" {
            let bases: Vec<String> = as_list(&card["base_model"])
                .iter()
                .map(|b| norm_base(b))
                .filter(|b| !b.is_empty())
                .collect();
            let rel = hub_relation(&r.info, &card, bases.len());
            for b in &bases {
                push(format!("base_model:{b}"));
                push(format!("base_model:{rel}:{b}"));
            }
            for d in as_list(&card["datasets"]) {
                push(format!("dataset:{d}"));
            }
        }
        for l in as_list(&card["license"]) {
            push(format!("license:{l}"));
        }
        r.info["tags"] = json!(tags);
    }
}

/// What the Hub computes across repos, done when the server starts (renames known):
/// `childrenModelCount` per relation, `baseModels` (resolved parents), a model's `spaces`
/// (capped at 100), a Space's `models` and `datasets`.
pub(crate) fn derive(
    repos: &mut HashMap<(String, String), MockRepo>,
    renames: &HashMap<(String, String), String>,
) {
    let canonical = |kind: &str, id: &str, repos: &HashMap<(String, String), MockRepo>| {
        let mut key = (kind.to_string(), id.to_ascii_lowercase());
        if let Some(new) = renames.get(&key) {
            key = (kind.to_string(), new.to_ascii_lowercase());
        }
        repos.get(&key).map(|r| r.id.clone())
    };
    let mut counts: HashMap<String, HashMap<&'static str, u64>> = HashMap::new();
    let mut base_models: HashMap<String, Value> = HashMap::new();
    let mut spaces: HashMap<String, Vec<String>> = HashMap::new();
    for r in repos.values() {
        if r.kind == "models" {
            let mut rel_of_child: Option<&'static str> = None;
            let mut tagged: Vec<String> = Vec::new();
            for t in as_list(&r.info["tags"]) {
                let Some(rest) = t.strip_prefix("base_model:") else {
                    continue;
                };
                let Some((rel, id)) = rest.split_once(':') else {
                    continue;
                };
                let Some(rel) = RELATIONS.iter().find(|x| **x == rel) else {
                    continue;
                };
                rel_of_child.get_or_insert(rel);
                if let Some(parent) = canonical("models", id, repos) {
                    *counts
                        .entry(parent.to_ascii_lowercase())
                        .or_default()
                        .entry(rel)
                        .or_default() += 1;
                }
                tagged.push(id.to_string());
            }
            let card = r.info.get("cardData").cloned().unwrap_or(Value::Null);
            let mut declared: Vec<String> = as_list(&card["base_model"])
                .iter()
                .map(|b| norm_base(b))
                .collect();
            if declared.is_empty() {
                declared = tagged;
            }
            let mut models: Vec<Value> = Vec::new();
            for b in declared {
                if let Some(id) = canonical("models", &b, repos) {
                    let v = json!({"_id": format!("{:024x}", id.len() * 7919), "id": id});
                    if !models.contains(&v) {
                        models.push(v);
                    }
                }
            }
            if let (Some(rel), false) = (rel_of_child, models.is_empty()) {
                base_models.insert(
                    r.id.to_ascii_lowercase(),
                    json!({"relation": rel, "models": models}),
                );
            }
        }
        if r.kind == "spaces" {
            let card = r.info.get("cardData").cloned().unwrap_or(Value::Null);
            let used = if r.info.get("models").is_some() {
                as_list(&r.info["models"])
            } else {
                as_list(&card["models"])
            };
            for m in used {
                if let Some(id) = canonical("models", &m, repos) {
                    spaces
                        .entry(id.to_ascii_lowercase())
                        .or_default()
                        .push(r.id.clone());
                }
            }
        }
    }
    for r in repos.values_mut() {
        let key = r.id.to_ascii_lowercase();
        if !r.info.is_object() {
            continue;
        }
        if r.kind == "models" {
            let c = counts.remove(&key).unwrap_or_default();
            let mut obj = serde_json::Map::new();
            for rel in RELATIONS {
                obj.insert(rel.to_string(), json!(c.get(rel).copied().unwrap_or(0)));
            }
            r.info["childrenModelCount"] = Value::Object(obj);
            match base_models.remove(&key) {
                Some(b) => r.info["baseModels"] = b,
                None => {
                    if let Some(o) = r.info.as_object_mut() {
                        o.remove("baseModels");
                    }
                }
            }
            let mut s = spaces.remove(&key).unwrap_or_default();
            s.sort();
            s.dedup();
            s.truncate(100);
            r.info["spaces"] = json!(s);
        }
        if r.kind == "spaces" {
            let card = r.info.get("cardData").cloned().unwrap_or(Value::Null);
            if r.info.get("models").is_none() {
                r.info["models"] = json!(as_list(&card["models"]));
            }
            if r.info.get("datasets").is_none() {
                r.info["datasets"] = json!(as_list(&card["datasets"]));
            }
        }
    }
}

/// Loads a snapshot directory (the project's own layout) as mock repos.
pub fn from_snapshot(dir: &Path) -> Vec<MockRepo> {
    let mut out = Vec::new();
    for kind in ["models", "datasets", "spaces"] {
        let base = dir.join(kind);
        let Ok(rd) = std::fs::read_dir(&base) else {
            continue;
        };
        let mut entries: Vec<(String, std::path::PathBuf)> = Vec::new();
        for owner in rd.flatten() {
            let o = owner.file_name().to_string_lossy().into_owned();
            let op = owner.path();
            if op.join("README.md").exists() || op.join("info.json").exists() {
                entries.push((o.clone(), op.clone()));
            }
            if let Ok(rd2) = std::fs::read_dir(&op) {
                for n in rd2.flatten() {
                    if n.path().is_dir() {
                        entries
                            .push((format!("{o}/{}", n.file_name().to_string_lossy()), n.path()));
                    }
                }
            }
        }
        entries.sort();
        for (name, p) in entries {
            let readme = std::fs::read(p.join("README.md"))
                .ok()
                .map(|b| String::from_utf8_lossy(&b).into_owned());
            let mut info: Value = std::fs::read(p.join("info.json"))
                .ok()
                .and_then(|b| serde_json::from_slice(&b).ok())
                .unwrap_or_else(|| json!({}));
            if !info.is_object() {
                info = json!({});
            }
            let id = info["id"].as_str().map(str::to_string).unwrap_or(name);
            info["id"] = json!(id.clone());
            info["_id"] = json!(format!("{:024x}", id.len() * 7919));
            if info.get("cardData").is_none() {
                if let Some(cd) = readme.as_deref().and_then(card_data) {
                    info["cardData"] = cd;
                }
            }
            if info.get("sha").is_none() {
                info["sha"] = json!("0123456789abcdef0123456789abcdef01234567");
            }
            if info.get("siblings").is_none() {
                info["siblings"] = json!([{"rfilename": "README.md"}]);
            }
            out.push(MockRepo {
                kind,
                id,
                info,
                readme,
                ..Default::default()
            });
        }
    }
    finish(&mut out);
    out
}

/// A synthetic family of about `target` models under `roots` roots: fine-tunes and fine-tunes
/// of fine-tunes, quantizations (GGUF, GPTQ) of most models, LoRA adapters, merges across
/// families. Deterministic.
pub fn family(roots: usize, target: usize) -> Vec<MockRepo> {
    let mut repos: Vec<MockRepo> = Vec::new();
    let model =
        |id: String, card: Value, files: Vec<(&str, Vec<u8>)>, repos: &mut Vec<MockRepo>| {
            let siblings: Vec<&str> = files.iter().map(|(n, _)| *n).collect();
            let mut yaml = String::from("---\n");
            if let Value::Object(m) = &card {
                for (k, v) in m {
                    yaml.push_str(&format!("{k}: {v}\n"));
                }
            }
            yaml.push_str("---\n\n# ");
            yaml.push_str(&id);
            yaml.push('\n');
            repos.push(MockRepo {
            kind: "models",
            info: json!({
                "_id": format!("{:024x}", repos.len()),
                "id": id,
                "sha": format!("{:040x}", repos.len()),
                "private": false,
                "gated": false,
                "lastModified": "2025-01-01T00:00:00.000Z",
                "cardData": card,
                "tags": [],
                "siblings": siblings.iter().map(|s| json!({"rfilename": s})).collect::<Vec<_>>(),
            }),
            id,
            readme: Some(yaml),
            files: files
                .into_iter()
                .filter(|(_, b)| !b.is_empty())
                .map(|(n, b)| (n.to_string(), b))
                .collect(),
            ..Default::default()
        });
        };
    // What the tools write beside the cards, as small as the real ones (a GGUF file's header
    // and a little of its weights).
    let none = Vec::new;
    let license_text = |lic: &str| -> Vec<u8> {
        let title = match lic {
            "llama2" => "LLAMA 2 COMMUNITY LICENSE AGREEMENT",
            "apache-2.0" => "Apache License\n Version 2.0, January 2004",
            "gemma" => "Gemma Terms of Use",
            "mit" => "MIT License",
            _ => "Attribution-NonCommercial 4.0 International",
        };
        format!("{title}\n\n(terms follow)\n").into_bytes()
    };
    let hub_url = |id: &str| format!("https://huggingface.co/{id}");
    let licenses = ["llama2", "apache-2.0", "gemma", "mit", "cc-by-nc-4.0"];
    let per_root = target / roots.max(1);
    let mut all_ft: Vec<String> = Vec::new();
    for r in 0..roots {
        let lic = licenses[r % licenses.len()];
        let root = format!("family{r}/base-{r}");
        model(
            root.clone(),
            json!({"license": lic}),
            vec![
                (
                    "config.json",
                    br#"{"architectures": ["LlamaForCausalLM"], "model_type": "llama"}"#.to_vec(),
                ),
                ("model.safetensors", none()),
                ("LICENSE", license_text(lic)),
            ],
            &mut repos,
        );
        let start = repos.len();
        let mut level: Vec<String> = vec![root.clone()];
        let mut i = 0usize;
        'grow: while repos.len() - start + 1 < per_root {
            let mut next = Vec::new();
            for parent in level.clone() {
                for k in 0..3 {
                    if repos.len() - start + 1 >= per_root {
                        break 'grow;
                    }
                    let ft = format!("tuner{}/ft-{r}-{i}-{k}", i % 17);
                    model(
                        ft.clone(),
                        json!({"license": lic, "base_model": parent.clone(), "datasets": [format!("data/set-{}", i % 9)]}),
                        vec![("model.safetensors", none())],
                        &mut repos,
                    );
                    all_ft.push(ft.clone());
                    next.push(ft.clone());
                    if i % 5 != 4 {
                        model(
                            format!("quant{}/ft-{r}-{i}-{k}-GGUF", i % 7),
                            json!({"license": lic, "base_model": ft.clone()}),
                            vec![(
                                "m.Q4_K_M.gguf",
                                gguf_header(
                                    16 * 1024,
                                    &[
                                        ("general.architecture", "llama"),
                                        ("general.license", lic),
                                        ("general.source.repo_url", &hub_url(&ft)),
                                    ],
                                ),
                            )],
                            &mut repos,
                        );
                    }
                    if i % 3 == 0 {
                        model(
                            format!("quant{}/ft-{r}-{i}-{k}-GPTQ", i % 5),
                            json!({"license": lic, "base_model": ft.clone()}),
                            vec![
                                (
                                    "config.json",
                                    json!({"_name_or_path": ft.clone(), "quantization_config": {"quant_method": "gptq", "bits": 4}})
                                        .to_string()
                                        .into_bytes(),
                                ),
                                ("quantize_config.json", none()),
                            ],
                            &mut repos,
                        );
                    }
                    if i % 4 == 1 {
                        model(
                            format!("lora{}/ft-{r}-{i}-{k}-lora", i % 3),
                            json!({"license": lic, "base_model": ft.clone(), "library_name": "peft"}),
                            vec![(
                                "adapter_config.json",
                                json!({"base_model_name_or_path": ft.clone(), "peft_type": "LORA", "r": 16})
                                    .to_string()
                                    .into_bytes(),
                            )],
                            &mut repos,
                        );
                    }
                    i += 1;
                }
            }
            level = next;
        }
    }
    // Merges across families.
    let n = all_ft.len();
    for m in 0..(target / 40).max(1) {
        if n < 2 {
            break;
        }
        let a = all_ft[(m * 7) % n].clone();
        let b = all_ft[(m * 13 + n / 2) % n].clone();
        model(
            format!("merger/merge-{m}"),
            json!({"license": "apache-2.0", "base_model": [a.clone(), b.clone()], "tags": ["merge"]}),
            vec![(
                "mergekit_config.yml",
                format!("models:\n  - model: {a}\n  - model: {b}\nmerge_method: slerp\nbase_model: {a}\n")
                    .into_bytes(),
            )],
            &mut repos,
        );
    }
    finish(&mut repos);
    repos
}
