//! The crawler against a mock Hub that answers like the production Hub
//! (../shared/reference/hub-api.md, "Production behaviour"; crates/mock-hub). One test per
//! behaviour the issue "Meet the real Hub" lists. Never any address but 127.0.0.x.

use crate::common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::mock_hub::*;
use common::*;
use serde_json::{json, Value};

/// Runs the CLI against a mock with the given extra arguments and environment.
fn live(hub: &MockHub, dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    PRODUCTION.run(&hub.url(), &dir.join("cache.sqlite"), args, env)
}

fn trace_json(hub: &MockHub, dir: &Path, args: &[&str]) -> Value {
    serde_json::from_str(&PRODUCTION.trace_json(&hub.url(), &dir.join("cache.sqlite"), args))
        .unwrap()
}

fn model(id: &str, card: Value, files: &[&str]) -> MockRepo {
    let siblings: Vec<Value> = files.iter().map(|f| json!({"rfilename": f})).collect();
    let mut yaml = String::from("---\n");
    if let Value::Object(m) = &card {
        for (k, v) in m {
            yaml.push_str(&format!("{k}: {v}\n"));
        }
    }
    yaml.push_str("---\n# card\n");
    MockRepo::model(
        id,
        json!({"cardData": card, "tags": [], "siblings": siblings, "sha": "a".repeat(40)}),
        Some(&yaml),
    )
}

fn codes_of(g: &Value) -> Vec<String> {
    g["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

fn finding<'a>(g: &'a Value, code: &str) -> &'a Value {
    g["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == code)
        .unwrap_or_else(|| panic!("no {code} finding in {}", g["findings"]))
}

#[test]
fn a_request_the_hub_refuses_is_a_loud_error_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    // A Hub whose accepted `expand` set changed under us: it now refuses `config`.
    let hub = MockHub::start(
        from_snapshot(&example_snapshot()),
        MockConfig {
            refuse_expand: vec!["config".into()],
            ..Default::default()
        },
    );
    let (code, out, err) = live(
        &hub,
        dir.path(),
        &["trace", "meta-llama/Llama-2-7b-hf", "--down"],
        &[],
    );
    assert_eq!(code, 1, "a 400 fails the command: {out}");
    assert!(
        err.contains("HTTP 400") && err.contains("\"config\""),
        "the error names the field: {err}"
    );
    // It stopped at once: nothing more was sent after the first refusal.
    assert!(hub.requests().len() <= 8, "{}", hub.requests().len());
    // A refused request is never cached: the same crawl works once the Hub accepts it.
    hub.configure(|c| c.refuse_expand.clear());
    let g = trace_json(&hub, dir.path(), &["meta-llama/Llama-2-7b-hf"]);
    assert_eq!(node(&g, "meta-llama/Llama-2-7b-hf")["status"], "ok");
}

#[test]
fn children_counts_per_relation_skip_leaves_and_catch_short_listings() {
    let dir = tempfile::tempdir().unwrap();
    let mut repos = vec![
        model(
            "org/base",
            json!({"license": "mit"}),
            &["model.safetensors"],
        ),
        model(
            "org/leaf",
            json!({"license": "mit"}),
            &["model.safetensors"],
        ),
        model(
            "ft/one",
            json!({"license": "mit", "base_model": "org/base"}),
            &["model.safetensors"],
        ),
        model(
            "q/one-GGUF",
            json!({"license": "mit", "base_model": "org/base"}),
            &["one.Q4_K_M.gguf"],
        ),
        model(
            "ad/one-lora",
            json!({"license": "mit", "base_model": "org/base", "library_name": "peft"}),
            &["adapter_config.json"],
        ),
    ];
    finish(&mut repos);
    // The search index lost the adapter's plain tag: only `base_model:adapter:<id>` finds it.
    let lora = repos.iter_mut().find(|r| r.id == "ad/one-lora").unwrap();
    let tags: Vec<Value> = lora.info["tags"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t.as_str() != Some("base_model:org/base"))
        .cloned()
        .collect();
    lora.info["tags"] = json!(tags);
    let hub = MockHub::start(repos, MockConfig::default());
    let g = trace_json(&hub, dir.path(), &["org/base", "org/leaf", "--down"]);
    let e = edges(&g);
    for (child, rel) in [
        ("ft/one", "finetune"),
        ("q/one-GGUF", "quantized"),
        ("ad/one-lora", "adapter"),
    ] {
        assert!(
            e.contains(&("org/base".into(), child.into(), rel.into())),
            "{child}: {e:?}"
        );
    }
    let f = finding(&g, "crawl-children-missing");
    assert_eq!(f["severity"], "info", "recovered: {f}");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("1 adapter children"),
        "{f}"
    );
    let reqs = hub.requests();
    let filters: Vec<String> = reqs
        .iter()
        .filter(|r| r.path == "/api/models")
        .filter_map(|r| {
            url::form_urlencoded::parse(r.query.as_bytes())
                .find(|(k, _)| k == "filter")
                .map(|(_, v)| v.into_owned())
        })
        .collect();
    // The leaf root (all counts zero) is never listed; the short relation is, by prefix.
    assert!(
        !filters.iter().any(|f| f.contains("org/leaf")),
        "{filters:?}"
    );
    assert!(filters.contains(&"base_model:adapter:org/base".to_string()));
    assert!(!filters.contains(&"base_model:finetune:org/base".to_string()));
    assert!(reqs.iter().filter(|r| r.is_api()).all(|r| r.status == 200));
}

#[test]
fn the_hubs_resolved_parents_are_preferred_to_raw_card_values() {
    let dir = tempfile::tempdir().unwrap();
    // The card names its parent by a URL with a different case; the Hub resolves it.
    let mut repos = vec![
        model(
            "Org/Base-7B",
            json!({"license": "apache-2.0"}),
            &["model.safetensors"],
        ),
        model(
            "q/base-GGUF",
            json!({"license": "apache-2.0", "base_model": "https://huggingface.co/org/base-7b/tree/main"}),
            &["base.Q8_0.gguf"],
        ),
    ];
    finish(&mut repos);
    let hub = MockHub::start(repos, MockConfig::default());
    let g = trace_json(&hub, dir.path(), &["q/base-GGUF"]);
    let e = g["edges"].as_array().unwrap();
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(e[0]["upstream"], "Org/Base-7B");
    assert_eq!(e[0]["relation"], "quantized");
    assert_eq!(e[0]["relation_source"], "hub");
    assert!(hub
        .requests()
        .iter()
        .any(|r| r.path == "/api/models/q/base-GGUF" && r.query.contains("expand=baseModels")));
}

#[test]
fn spaces_come_from_one_listing_not_the_capped_field() {
    let dir = tempfile::tempdir().unwrap();
    let mut repos = vec![model(
        "org/popular",
        json!({"license": "mit"}),
        &["m.safetensors"],
    )];
    for i in 0..130 {
        repos.push(MockRepo {
            kind: "spaces",
            id: format!("user{i}/demo"),
            info: json!({"id": format!("user{i}/demo"), "cardData": {"sdk": "gradio", "models": ["org/popular"], "datasets": ["org/data"]}, "tags": [], "sha": "b".repeat(40)}),
            readme: Some("---\nsdk: gradio\nmodels: [org/popular]\ndatasets: [org/data]\n---\n".into()),
            ..Default::default()
        });
    }
    repos.push(MockRepo {
        kind: "datasets",
        id: "org/data".into(),
        info: json!({"id": "org/data", "cardData": {"license": "mit"}, "tags": [], "sha": "c".repeat(40)}),
        readme: Some("---\nlicense: mit\n---\n".into()),
        ..Default::default()
    });
    let hub = MockHub::start(repos, MockConfig::default());
    // The detail route shows at most 100 Spaces…
    let g = trace_json(&hub, dir.path(), &["org/popular", "--down"]);
    let used_by = edges(&g)
        .iter()
        .filter(|(u, _, r)| u == "org/popular" && r == "used_by")
        .count();
    // …the listing all 130, with their metadata, in one request and no call per Space.
    assert_eq!(used_by, 130);
    let reqs = hub.requests();
    assert_eq!(reqs.iter().filter(|r| r.path == "/api/spaces").count(), 1);
    assert!(!reqs.iter().any(|r| r.path.starts_with("/api/spaces/")));
    assert_eq!(
        node(&g, "spaces/user7/demo")["status"],
        "ok",
        "listed Spaces are read"
    );
    // A dataset's Spaces: `datasets=<id>`.
    hub.reset_log();
    let g = trace_json(&hub, dir.path(), &["datasets/org/data", "--down"]);
    assert_eq!(
        edges(&g)
            .iter()
            .filter(|(u, _, r)| u == "datasets/org/data" && r == "used_by")
            .count(),
        130
    );
    assert!(hub
        .requests()
        .iter()
        .any(|r| r.path == "/api/spaces" && r.query.starts_with("datasets=org%2Fdata")));
}

#[test]
fn a_refused_token_stops_with_a_clear_error_and_is_never_cached() {
    let dir = tempfile::tempdir().unwrap();
    let hub = MockHub::start(from_snapshot(&example_snapshot()), MockConfig::default());
    let bad = "hf_expiredTOKENvalue999";
    let (code, out, err) = live(
        &hub,
        dir.path(),
        &["trace", "TheBloke/Llama-2-7B-Chat-GGUF", "--both"],
        &[("HF_TOKEN", &format!("{bad}\r\n"))],
    );
    assert_eq!(code, 1, "{out}");
    assert!(
        err.contains("refused the token")
            && err.contains("Invalid credentials")
            && err.contains("HF_TOKEN"),
        "says what is wrong and how to fix it: {err}"
    );
    assert!(!err.contains(bad) && !out.contains(bad), "token printed");
    // Sent once per job at most, then nothing: the crawl stopped.
    assert!(hub.requests().len() <= 8, "{}", hub.requests().len());
    assert!(hub.requests().iter().all(|r| r.status == 401));
    // Cleaned of \r\n as the official client does before sending.
    assert!(hub
        .requests()
        .iter()
        .all(|r| r.auth.as_deref() == Some(&format!("Bearer {bad}"))));
    // Nothing of that run is cached, under any key.
    hf_lineage::hub::cache::Cache::open(&dir.path().join("cache.sqlite")).unwrap();
    let rows: i64 = rusqlite::Connection::open(dir.path().join("cache.sqlite"))
        .unwrap()
        .query_row("SELECT count(*) FROM responses_v2", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 0);
    let db = std::fs::read(dir.path().join("cache.sqlite")).unwrap_or_default();
    assert!(!db.windows(bad.len()).any(|w| w == bad.as_bytes()));
    // Without the bad token (HF_HUB_DISABLE_IMPLICIT_TOKEN) the same crawl works.
    let (code, _, err) = live(
        &hub,
        dir.path(),
        &["trace", "TheBloke/Llama-2-7B-Chat-GGUF"],
        &[("HF_TOKEN", bad), ("HF_HUB_DISABLE_IMPLICIT_TOKEN", "1")],
    );
    assert_eq!(code, 0, "{err}");
}

#[test]
fn answers_fetched_with_one_token_are_not_served_to_another() {
    let dir = tempfile::tempdir().unwrap();
    let (alice, bob) = ("hf_aliceTOKEN111", "hf_bobTOKEN222");
    let mut repos = from_snapshot(&example_snapshot());
    let mut private = model(
        "alice/private-ft",
        json!({"license": "mit", "base_model": "mistralai/Mistral-7B-v0.1"}),
        &[],
    );
    private.private_token = Some(alice.into());
    repos.push(private);
    let hub = MockHub::start(
        repos,
        MockConfig {
            valid_tokens: vec![bob.into()],
            ..Default::default()
        },
    );
    let run = |token: &str| {
        let (code, out, err) = live(
            &hub,
            dir.path(),
            &["trace", "alice/private-ft", "--format", "json"],
            &[("HF_TOKEN", token)],
        );
        assert_eq!(code, 0, "{err}");
        serde_json::from_str::<Value>(&out).unwrap()
    };
    assert_eq!(node(&run(alice), "alice/private-ft")["status"], "ok");
    assert_eq!(node(&run(bob), "alice/private-ft")["status"], "not_found");
    // The cache keys say which token by a fingerprint, never the token.
    let db = std::fs::read(dir.path().join("cache.sqlite")).unwrap_or_default();
    for t in [alice, bob] {
        assert!(
            !db.windows(t.len()).any(|w| w == t.as_bytes()),
            "token cached"
        );
    }
}

#[test]
fn statuses_say_what_the_hubs_answers_mean() {
    let dir = tempfile::tempdir().unwrap();
    let mut repos = vec![
        model(
            "kid/of-many",
            json!({"license": "mit", "base_model": ["gone/missing", "org/disabled", "org/forbidden"]}),
            &[],
        ),
        model("org/disabled", json!({"license": "mit"}), &[]),
        model("org/forbidden", json!({"license": "mit"}), &[]),
    ];
    repos[1].forbidden = Some(DISABLED_MESSAGE.into());
    repos[2].forbidden = Some("You are not in the authorized list for this repository.".into());
    let hub = MockHub::start(repos, MockConfig::default());
    let g = trace_json(&hub, dir.path(), &["kid/of-many"]);
    let missing = node(&g, "gone/missing");
    assert_eq!(missing["status"], "not_found");
    assert!(missing["reason"]
        .as_str()
        .unwrap()
        .contains("401 RepoNotFound"));
    assert_eq!(node(&g, "org/disabled")["status"], "disabled");
    let forbidden = node(&g, "org/forbidden");
    assert_eq!(forbidden["status"], "unauthorized");
    assert!(
        forbidden["reason"]
            .as_str()
            .unwrap()
            .contains("not in the authorized list"),
        "the Hub's message is quoted: {forbidden}"
    );
    assert_eq!(
        codes_of(&g)
            .iter()
            .filter(|c| *c == "parent-unavailable")
            .count(),
        3
    );
}

#[test]
fn readmes_follow_the_resolver_cache_and_the_cdn_hop_goes_without_the_token() {
    let dir = tempfile::tempdir().unwrap();
    let token = "hf_readerTOKEN333";
    let mut repos = vec![
        model("org/small", json!({"license": "mit"}), &["README.md"]),
        model(
            "org/big",
            json!({"license": "mit", "base_model": "org/small"}),
            &["README.md"],
        ),
        model("org/no-readme", json!({"license": "mit"}), &[]),
    ];
    repos[1].readme = Some(format!(
        "\u{feff}---\nlicense: mit\nbase_model: org/small\n---\n{}",
        "A big card. ".repeat(10_000)
    ));
    repos[2].readme = None;
    let cdn = MockHub::start_cdn("127.0.0.2:0", repos.clone());
    let hub = MockHub::start(
        repos,
        MockConfig {
            cdn: Some(cdn.url()),
            cdn_min_bytes: 50_000,
            valid_tokens: vec![token.into()],
            ..Default::default()
        },
    );
    let snap = dir.path().join("snap");
    let (code, _, err) = live(
        &hub,
        dir.path(),
        &[
            "snapshot",
            "org/big",
            "org/no-readme",
            "--out",
            snap.to_str().unwrap(),
        ],
        &[("HF_TOKEN", token)],
    );
    assert_eq!(code, 0, "{err}");
    // The small card: 307 into the resolve cache on the same host, with the token.
    let reqs = hub.requests();
    let hop = reqs
        .iter()
        .find(|r| {
            r.path
                == "/api/resolve-cache/models/org/small/".to_string()
                    + &"a".repeat(40)
                    + "/README.md"
        })
        .expect("followed the 307 into the resolve cache");
    assert_eq!(hop.auth.as_deref(), Some(&*format!("Bearer {token}")));
    assert_eq!(
        std::fs::read_to_string(snap.join("models/org/small/README.md")).unwrap(),
        "---\nlicense: \"mit\"\n---\n# card\n"
    );
    // The big card: one more hop, to the CDN, which never sees the token.
    let at_cdn = cdn.requests();
    assert_eq!(at_cdn.len(), 1, "{at_cdn:?}");
    assert_eq!(at_cdn[0].auth, None);
    assert!(
        std::fs::metadata(snap.join("models/org/big/README.md"))
            .unwrap()
            .len()
            > 100_000
    );
    // Every hop on the Hub counts in the resolvers bucket (resolve + resolve-cache, per card).
    let resolver = hub
        .state
        .resolver_requests
        .load(std::sync::atomic::Ordering::SeqCst);
    assert_eq!(
        resolver, 5,
        "resolve + resolve-cache for the two cards, resolve for the missing one"
    );
    // A card with a BOM still declares its parent; the missing README is an info finding.
    let (code, out, err) = run(&[
        "trace",
        "org/big",
        "org/no-readme",
        "--format",
        "json",
        "--snapshot",
        snap.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let g: Value = serde_json::from_str(&out).unwrap();
    assert!(edges(&g).contains(&("org/small".into(), "org/big".into(), "finetune".into())));
    let live_g = {
        let (code, out, err) = live(
            &hub,
            dir.path(),
            &[
                "trace",
                "org/no-readme",
                "--infer-from-text",
                "--format",
                "json",
                "--refresh",
            ],
            &[],
        );
        assert_eq!(code, 0, "{err}");
        serde_json::from_str::<Value>(&out).unwrap()
    };
    let f = finding(&live_g, "readme-unavailable");
    assert_eq!(f["severity"], "info");
    assert!(
        f["message"].as_str().unwrap().contains("EntryNotFound"),
        "{f}"
    );
}

#[test]
fn a_readme_that_cannot_be_fetched_is_its_own_finding() {
    let dir = tempfile::tempdir().unwrap();
    let mut repos = vec![model("org/big", json!({"license": "mit"}), &["README.md"])];
    repos[0].readme = Some("x".repeat(100_000));
    // The CDN the Hub redirects to is down (nothing listens on that port).
    let closed = std::net::TcpListener::bind("127.0.0.2:0").unwrap();
    let dead = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let hub = MockHub::start(
        repos,
        MockConfig {
            cdn: Some(dead),
            cdn_min_bytes: 50_000,
            ..Default::default()
        },
    );
    let (code, out, err) = live(
        &hub,
        dir.path(),
        &["trace", "org/big", "--infer-from-text", "--format", "json"],
        &[],
    );
    assert_eq!(code, 0, "{err}");
    let g: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        node(&g, "org/big")["status"],
        "ok",
        "the repo itself was read"
    );
    let f = finding(&g, "readme-unavailable");
    assert_eq!(f["severity"], "warn");
    assert!(f["message"].as_str().unwrap().contains("connection"), "{f}");
}

#[test]
fn an_announced_policy_is_used_to_the_full_without_our_default_ceiling() {
    let dir = tempfile::tempdir().unwrap();
    // ~330 API requests. Under the default ceiling (anonymous: 500 per 300 s, a burst of 250,
    // then one request per 1.2 s) the last ~80 would take over 90 s; the Hub announces 1,000
    // per window, so nothing should wait.
    let hub = MockHub::start(
        family(2, 330),
        MockConfig {
            api_quota: (1000, 300),
            ..Default::default()
        },
    );
    let started = Instant::now();
    let g = trace_json(
        &hub,
        dir.path(),
        &["family0/base-0", "family1/base-1", "--down"],
    );
    let n = hub.requests().len();
    assert!(n > 300, "{n} requests");
    assert!(g["nodes"].as_array().unwrap().len() > 300);
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "waited on a ceiling the Hub does not have: {:?} for {n} requests",
        started.elapsed()
    );
    assert_eq!(hub.requests().iter().filter(|r| r.status == 429).count(), 0);
}

#[test]
fn a_server_announcing_nothing_keeps_our_ceiling() {
    let dir = tempfile::tempdir().unwrap();
    let hub = MockHub::start(
        from_snapshot(&example_snapshot()),
        MockConfig {
            announce_limits: false,
            page_size: 1,
            ..Default::default()
        },
    );
    let started = Instant::now();
    trace_json(
        &hub,
        dir.path(),
        &["meta-llama/Llama-2-7b-hf", "--down", "--rate", "4/1"],
    );
    let n = hub.requests().iter().filter(|r| r.is_api()).count() as u64;
    assert!(n >= 10, "{n}");
    // A burst of 2, then one request per 1/2 s.
    assert!(started.elapsed() >= Duration::from_millis((n - 2) * 450));
}

#[test]
fn renamed_parents_keep_their_listed_children() {
    let dir = tempfile::tempdir().unwrap();
    // The card still names the old id; the Hub's tags keep that spelling (the stricter reading).
    let hub = MockHub::with_rename(
        repos_renamed(),
        &[("models", "oldorg/base", "neworg/base")],
        &[],
        MockConfig::default(),
    );
    // Asked by the old id: the API answers with the new one, and children are listed under both.
    let g = trace_json(&hub, dir.path(), &["oldorg/base", "--down"]);
    assert!(
        edges(&g).contains(&("neworg/base".into(), "fan/ft".into(), "finetune".into())),
        "{:?}",
        edges(&g)
    );
    let listed: Vec<String> = hub
        .requests()
        .iter()
        .filter(|r| r.path == "/api/models")
        .map(|r| r.query.clone())
        .collect();
    assert!(listed
        .iter()
        .any(|q| q.contains("base_model%3Aoldorg%2Fbase")));
    assert!(listed
        .iter()
        .any(|q| q.contains("base_model%3Aneworg%2Fbase")));
    assert_eq!(node(&g, "neworg/base")["aliases"], json!(["oldorg/base"]));

    // Asked by the new id, a Hub that keeps the card's spelling in tags cannot list the child:
    // its count says one is missing, and the finding says why.
    let dir2 = tempfile::tempdir().unwrap();
    let g = trace_json(&hub, dir2.path(), &["neworg/base", "--down"]);
    let f = finding(&g, "crawl-children-missing");
    assert_eq!(f["severity"], "warn");
    assert!(
        f["message"].as_str().unwrap().contains("another spelling"),
        "{f}"
    );

    // If the Hub writes tags with the canonical id instead, the listing finds the child whose
    // card still names the old id, and the listing keeps the edge.
    let mut canonical_tags = repos_renamed();
    for r in canonical_tags.iter_mut() {
        let tags: Vec<Value> = r.info["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| json!(t.as_str().unwrap().replace("oldorg/base", "neworg/base")))
            .collect();
        r.info["tags"] = json!(tags);
    }
    let hub = MockHub::with_rename(
        canonical_tags,
        &[("models", "oldorg/base", "neworg/base")],
        &[],
        MockConfig::default(),
    );
    let dir3 = tempfile::tempdir().unwrap();
    let g = trace_json(&hub, dir3.path(), &["neworg/base", "--down"]);
    let e: Vec<&Value> = g["edges"].as_array().unwrap().iter().collect();
    assert!(
        e.iter().any(|e| e["upstream"] == "neworg/base"
            && e["downstream"] == "fan/ft"
            && e["relation"] == "finetune"
            && e["relation_source"] == "hub"),
        "{e:?}"
    );
    assert!(!codes_of(&g).contains(&"crawl-children-missing".to_string()));
}

fn repos_renamed() -> Vec<MockRepo> {
    let mut repos = vec![
        model("neworg/base", json!({"license": "mit"}), &["m.safetensors"]),
        model(
            "fan/ft",
            json!({"license": "mit", "base_model": "oldorg/base"}),
            &["m.safetensors"],
        ),
    ];
    finish(&mut repos);
    repos
}

#[test]
fn transformers_offline_also_means_no_requests() {
    let dir = tempfile::tempdir().unwrap();
    let hub = MockHub::start(from_snapshot(&example_snapshot()), MockConfig::default());
    let (code, _, err) = live(
        &hub,
        dir.path(),
        &["trace", "TheBloke/Llama-2-7B-Chat-GGUF"],
        &[("TRANSFORMERS_OFFLINE", "1")],
    );
    assert_eq!(code, 1);
    assert!(err.contains("not in the cache"), "{err}");
    assert_eq!(hub.requests().len(), 0);
}

#[test]
fn a_429_with_budget_left_backs_off_that_request_only() {
    use hf_lineage::hub::client::HubClient;
    use hf_lineage::hub::ratelimit::BucketKind;
    let mut throttled = std::collections::HashSet::new();
    throttled.insert("/api/models/mistralai/Mistral-7B-v0.1".to_string());
    let hub = MockHub::start(
        from_snapshot(&example_snapshot()),
        MockConfig {
            throttle_once: throttled,
            ..Default::default()
        },
    );
    let cfg = hf_lineage::hub::HubConfig::new(&hub.url(), None);
    let client = std::sync::Arc::new(HubClient::new(cfg).unwrap());
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let c = client.clone();
        // Throttled with Retry-After: 1 while the window still has budget (r > 0)…
        let a = tokio::spawn(async move {
            c.get(
                "/api/models/mistralai/Mistral-7B-v0.1?expand=sha",
                BucketKind::Api,
            )
            .await
        });
        tokio::time::sleep(Duration::from_millis(100)).await;
        // …so another request goes out meanwhile: only the throttled one backs off.
        let b = client
            .get(
                "/api/models/meta-llama/Llama-2-7b-hf?expand=sha",
                BucketKind::Api,
            )
            .await
            .unwrap();
        assert_eq!(b.response.status, 200);
        let a = a.await.unwrap().unwrap();
        assert_eq!(a.response.status, 200, "retried after its own wait");
    });
    let log: Vec<(String, u16)> = hub
        .requests()
        .iter()
        .map(|r| (r.path.clone(), r.status))
        .collect();
    assert_eq!(
        log,
        vec![
            ("/api/models/mistralai/Mistral-7B-v0.1".to_string(), 429),
            ("/api/models/meta-llama/Llama-2-7b-hf".to_string(), 200),
            ("/api/models/mistralai/Mistral-7B-v0.1".to_string(), 200),
        ]
    );
}

#[test]
fn snapshot_all_lists_every_repo_page_by_page_and_resumes_from_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    let mut repos = from_snapshot(&example_snapshot());
    repos.extend(family(3, 150));
    let models = repos.iter().filter(|r| r.kind == "models").count();
    let all = repos.len();
    let hub = MockHub::start(
        repos,
        MockConfig {
            page_size: 25,
            ..Default::default()
        },
    );
    let out = dir.path().join("hub.parquet");
    let (code, _, err) = live(
        &hub,
        dir.path(),
        &[
            "snapshot",
            "--all",
            "--kind",
            "models,datasets,spaces",
            "--out",
            out.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains(&format!("listed {models} models")), "{err}");
    assert!(err.contains(&format!("wrote {all} repos")), "{err}");
    let reqs = hub.requests();
    assert!(
        reqs.iter()
            .all(|r| r.status == 200 && r.path.starts_with("/api/")),
        "{reqs:?}"
    );
    assert_eq!(
        reqs.iter().filter(|r| r.path == "/api/models").count(),
        models.div_ceil(25),
        "one request per page"
    );
    // What it wrote answers like the live Hub.
    let (code, from_file, err) = run(&[
        "trace",
        "family1/base-1",
        "--down",
        "--format",
        "json",
        "--snapshot",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let g: serde_json::Value = serde_json::from_str(&from_file).unwrap();
    assert!(g["nodes"].as_array().unwrap().len() > 30);
    // A second run (after a kill, say) takes every page it has from the cache.
    hub.reset_log();
    let (code, _, err) = live(
        &hub,
        dir.path(),
        &[
            "snapshot",
            "--all",
            "--out",
            dir.path().join("again.parquet").to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(hub.requests().len(), 0);
}

#[test]
fn a_killed_bulk_snapshot_resumes_without_refetching_its_pages() {
    let dir = tempfile::tempdir().unwrap();
    let hub = MockHub::start(
        family(2, 200),
        MockConfig {
            page_size: 10,
            latency: Duration::from_millis(80),
            ..Default::default()
        },
    );
    let cache = dir.path().join("cache.sqlite");
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("hf-lineage"))
        .args(["snapshot", "--all", "--out"])
        .arg(dir.path().join("a.parquet"))
        .args(["--endpoint", &hub.url(), "--cache", cache.to_str().unwrap()])
        .env("HF_HOME", dir.path().join("home"))
        .env_remove("HF_TOKEN")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while hub.requests().len() < 5 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    let _ = child.wait();
    let committed = hf_lineage::hub::cache::Cache::open(&cache)
        .unwrap()
        .urls(&hub.url())
        .unwrap();
    let pages = 200usize.div_ceil(10) + 1;
    assert!(
        !committed.is_empty() && committed.len() < pages,
        "some pages committed before the kill: {}",
        committed.len()
    );
    hub.reset_log();
    let (code, _, err) = live(
        &hub,
        dir.path(),
        &[
            "snapshot",
            "--all",
            "--out",
            dir.path().join("b.parquet").to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(code, 0, "{err}");
    let again: Vec<String> = hub
        .requests()
        .iter()
        .map(|r| format!("{}?{}", r.path, r.query))
        .collect();
    for url in &committed {
        assert!(!again.contains(url), "refetched {url}");
    }
    assert!(err.contains("wrote"), "{err}");
}
