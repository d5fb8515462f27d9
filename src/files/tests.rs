//! The file readers on files as their tools write them, and on broken ones.

use super::gguf::{read_header, Value};
use super::*;

#[test]
fn cache_paths_are_hub_ids_at_a_revision_and_other_local_paths_are_nothing() {
    let cases = [
        (
            "C:\\Users\\me\\.cache\\huggingface\\hub\\models--mistralai--Mistral-7B-v0.1\\snapshots\\7231864abc",
            Some(("mistralai/Mistral-7B-v0.1", Some("7231864abc"))),
        ),
        (
            "/root/.cache/huggingface/hub/models--meta-llama--Llama-2-7b-hf/snapshots/01c7f73d/",
            Some(("meta-llama/Llama-2-7b-hf", Some("01c7f73d"))),
        ),
        (
            "/data/hub/datasets--tatsu-lab--alpaca",
            Some(("datasets/tatsu-lab/alpaca", None)),
        ),
        ("https://huggingface.co/Qwen/Qwen2-7B", Some(("Qwen/Qwen2-7B", None))),
        ("Qwen/Qwen2-7B", Some(("Qwen/Qwen2-7B", None))),
        ("/home/me/checkpoints/final", None),
        ("./outputs/checkpoint-500", None),
        ("C:\\models\\my-merge", None),
        ("D:/Uni/Masterarbeit Code/finetuned_models/remerge_2", None),
        // An owner-less name is the directory a tool loaded from as often as a legacy id.
        ("mythomax-L2-13b", None),
        // `--` inside a cache component that does not split into owner and name.
        ("/hub/models--a--b--c/snapshots/abc", None),
        ("", None),
    ];
    for (text, want) in cases {
        let got = hub_ref(text);
        let got = got
            .as_ref()
            .map(|r| (r.id.node_id(), r.revision.as_deref()));
        let want = want.map(|(id, rev)| (id.to_string(), rev));
        assert_eq!(got, want, "{text}");
    }
}

#[test]
fn adapter_and_model_configs_name_their_source_and_precision() {
    let a = adapter_config(
        br#"{"base_model_name_or_path": "meta-llama/Llama-2-7b-hf", "peft_type": "LORA", "r": 16}"#,
    )
    .unwrap();
    assert_eq!(a.base.unwrap().id.node_id(), "meta-llama/Llama-2-7b-hf");
    assert_eq!((a.peft_type.as_deref(), a.rank), (Some("LORA"), Some(16)));
    // A local path names no parent; a file that is no JSON object gives nothing.
    let local = adapter_config(br#"{"base_model_name_or_path": "/content/llama"}"#).unwrap();
    assert_eq!(local.base, None);
    assert_eq!(adapter_config(b"[1, 2]"), None);
    assert_eq!(adapter_config(b"\xff not json"), None);

    let c = model_config(
        br#"{"_name_or_path": "/root/.cache/huggingface/hub/models--Qwen--Qwen2-7B/snapshots/abc123",
            "quantization_config": {"quant_method": "AWQ", "bits": 4}}"#,
    )
    .unwrap();
    assert_eq!(c.source.as_ref().unwrap().id.node_id(), "Qwen/Qwen2-7B");
    assert_eq!((c.quant_method.as_deref(), c.bits), (Some("awq"), Some(4)));
    let bnb = model_config(br#"{"quantization_config": {"load_in_8bit": true}}"#).unwrap();
    assert_eq!(bnb.bits, Some(8));
    // Wrong types are ignored, not errors.
    let odd = model_config(br#"{"_name_or_path": 7, "quantization_config": "4bit"}"#).unwrap();
    assert_eq!(odd, ModelConfig::default());
}

#[test]
fn mergekit_configs_list_models_base_and_method_in_both_forms() {
    let slices = "slices:\n  - sources:\n      - model: C:/Users/me/.cache/huggingface/hub/models--mistralai--Mistral-7B-v0.1/snapshots/7231864a\n        layer_range: [0, 32]\n      - model: teknium/OpenHermes-2.5-Mistral-7B\n        layer_range: [0, 32]\nmerge_method: SLERP\nbase_model: mistralai/Mistral-7B-v0.1\nparameters:\n  t: 0.5\n";
    let m = merge_config(slices).unwrap();
    let ids: Vec<String> = m.models.iter().map(|r| r.id.node_id()).collect();
    assert_eq!(
        ids,
        [
            "mistralai/Mistral-7B-v0.1",
            "teknium/OpenHermes-2.5-Mistral-7B"
        ]
    );
    assert_eq!(m.models[0].revision.as_deref(), Some("7231864a"));
    assert_eq!(m.method.as_deref(), Some("slerp"));
    assert_eq!(m.base.unwrap().id.node_id(), "mistralai/Mistral-7B-v0.1");

    let models = "models:\n  - model: a/one\n    parameters: {weight: 0.5}\n  - model: b/two\n  - model: a/one\nmerge_method: ties\n";
    let m = merge_config(models).unwrap();
    assert_eq!(m.models.len(), 2, "each model once");
    assert_eq!(m.base, None);
    // Not a mergekit config: prose, a list, an alias bomb.
    assert_eq!(merge_config("just some text"), None);
    assert_eq!(merge_config("- a\n- b\n"), None);
    let bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e]\nmerge_method: slerp\n";
    assert_eq!(merge_config(bomb), None);
}

/// A GGUF header as llama.cpp writes one (v3): the given keys, then a tokenizer key.
fn gguf(version: u32, keys: &[(&str, Value)]) -> Vec<u8> {
    let wide = version >= 2;
    let mut b = b"GGUF".to_vec();
    b.extend(version.to_le_bytes());
    let count = |b: &mut Vec<u8>, n: u64| match wide {
        true => b.extend(n.to_le_bytes()),
        false => b.extend((n as u32).to_le_bytes()),
    };
    count(&mut b, 291);
    count(&mut b, keys.len() as u64 + 1);
    let string = |b: &mut Vec<u8>, s: &str| {
        count(b, s.len() as u64);
        b.extend(s.as_bytes());
    };
    for (k, v) in keys {
        string(&mut b, k);
        match v {
            Value::Str(s) => {
                b.extend(8u32.to_le_bytes());
                string(&mut b, s);
            }
            Value::Int(i) => {
                b.extend(4u32.to_le_bytes());
                b.extend((*i as u32).to_le_bytes());
            }
            _ => unreachable!("the test writes strings and integers"),
        }
    }
    string(&mut b, "tokenizer.ggml.tokens");
    b.extend(9u32.to_le_bytes());
    b.extend(8u32.to_le_bytes());
    count(&mut b, 32_000);
    b
}

fn s(v: &str) -> Value {
    Value::Str(v.to_string())
}

#[test]
fn a_gguf_header_names_its_base_models_license_and_quantization() {
    let keys = [
        ("general.architecture", s("llama")),
        ("general.name", s("Llama 2 7B Chat")),
        ("general.license", s("llama2")),
        ("general.file_type", Value::Int(15)),
        ("general.quantization_version", Value::Int(2)),
        ("general.base_model.count", Value::Int(1)),
        ("general.base_model.0.name", s("Llama 2 7b Chat Hf")),
        ("general.base_model.0.organization", s("Meta Llama")),
        (
            "general.base_model.0.repo_url",
            s("https://huggingface.co/meta-llama/Llama-2-7b-chat-hf"),
        ),
        ("general.dataset.count", Value::Int(1)),
        (
            "general.dataset.0.repo_url",
            s("https://huggingface.co/datasets/OpenAssistant/oasst1"),
        ),
    ];
    for version in [1, 2, 3] {
        let h = read_header(&gguf(version, &keys)).unwrap();
        assert!(h.complete, "v{version}");
        assert_eq!(h.license().as_deref(), Some("llama2"));
        assert_eq!(h.file_type(), Some("Q4_K_M"));
        let bases = h.base_models();
        assert_eq!(bases.len(), 1);
        assert_eq!(
            bases[0].hub().unwrap().id.node_id(),
            "meta-llama/Llama-2-7b-chat-hf"
        );
        assert_eq!(
            h.datasets()[0].id.node_id(),
            "datasets/OpenAssistant/oasst1"
        );
        assert!(
            h.get("tokenizer.ggml.tokens").is_none(),
            "stops after general.*"
        );
    }
}

#[test]
fn a_cut_or_broken_gguf_header_gives_what_it_had_and_never_panics() {
    let keys = [
        ("general.architecture", s("llama")),
        ("general.license", s("apache-2.0")),
        ("general.file_type", Value::Int(30)),
    ];
    let full = gguf(3, &keys);
    // Every prefix: never a panic; what was read before the cut is kept.
    for n in 0..full.len() {
        if let Some(h) = read_header(&full[..n]) {
            assert!(h.metadata.len() <= keys.len());
        }
    }
    let cut = read_header(&full[..full.len() - 40]).unwrap();
    assert_eq!(cut.license().as_deref(), Some("apache-2.0"));
    assert!(!cut.complete);
    assert_eq!(read_header(b"PK\x03\x04 a zip file"), None);
    assert_eq!(
        read_header(b"GGUF\x09\x00\x00\x00"),
        None,
        "unknown version"
    );
    // A length of 2^63 or an unknown type stops reading; it allocates nothing.
    let mut huge = b"GGUF".to_vec();
    huge.extend(3u32.to_le_bytes());
    huge.extend(0u64.to_le_bytes());
    huge.extend(u64::MAX.to_le_bytes());
    huge.extend((1u64 << 63).to_le_bytes());
    let h = read_header(&huge).unwrap();
    assert!(h.metadata.is_empty() && !h.complete);
    assert_eq!(gguf::file_type_name(15), Some("Q4_K_M"));
    assert_eq!(gguf::file_type_name(5), None, "removed from the format");
}

#[test]
fn reads_root_tool_and_license_files_and_one_gguf_header() {
    let names: Vec<String> = [
        "README.md",
        "config.json",
        "adapter_config.json",
        "LICENSE.txt",
        "model-00001-of-00002.safetensors",
        "sub/config.json",
        "m.Q8_0.gguf",
        "m.Q4_K_M-00002-of-00003.gguf",
        "m.Q4_K_M-00001-of-00003.gguf",
    ]
    .map(String::from)
    .to_vec();
    let w = wanted(&names);
    let got: Vec<(&str, usize)> = w.iter().map(|(n, l)| (n.as_str(), *l)).collect();
    assert_eq!(
        got,
        vec![
            ("config.json", SMALL_FILE),
            ("adapter_config.json", SMALL_FILE),
            ("LICENSE.txt", SMALL_FILE),
            ("m.Q4_K_M-00001-of-00003.gguf", GGUF_PREFIX),
        ]
    );
    assert!(wanted(&["model.safetensors".to_string()]).is_empty());
}
