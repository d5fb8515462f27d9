//! The mock Hub as a standalone server, for benchmarks and manual experiments.
//!
//! `cargo run --example mock_hub -- [--snapshot DIR | --family ROOTS TOTAL] [--port P]
//!  [--latency-ms MS] [--api-quota Q/W] [--resolver-quota Q/W] [--no-ratelimit-headers]
//!  [--error-rate F] [--page-size N]`
//!
//! Answers like the production Hub (crates/mock-hub): anonymous quotas (500 API and 3,000
//! resolver requests per 300 s) announced on every response unless told otherwise. Serves on
//! 127.0.0.1 only and prints `listening on http://127.0.0.1:PORT`. `GET /_mock/stats` returns
//! the request counters as JSON. Stops when stdin closes or the process is killed.

use std::io::Read;
use std::time::Duration;

use mock_hub::{family, from_snapshot, MockConfig, MockHub};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let get = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let mut repos = Vec::new();
    if let Some(dir) = get("--snapshot") {
        repos.extend(from_snapshot(std::path::Path::new(&dir)));
    }
    if let Some(i) = args.iter().position(|a| a == "--family") {
        let roots: usize = args.get(i + 1).and_then(|s| s.parse().ok()).unwrap_or(20);
        let total: usize = args.get(i + 2).and_then(|s| s.parse().ok()).unwrap_or(1200);
        repos.extend(family(roots, total));
    }
    let quota = |s: Option<String>| {
        s.and_then(|q| {
            let (a, b) = q.split_once('/')?;
            Some((a.parse().ok()?, b.parse().ok()?))
        })
    };
    let defaults = MockConfig::default();
    let config = MockConfig {
        latency: Duration::from_millis(
            get("--latency-ms")
                .and_then(|s| s.parse().ok())
                .unwrap_or(0),
        ),
        error_rate: get("--error-rate")
            .and_then(|s| s.parse().ok())
            .unwrap_or(0.0),
        seed: get("--seed").and_then(|s| s.parse().ok()).unwrap_or(1),
        api_quota: quota(get("--api-quota")).unwrap_or(defaults.api_quota),
        resolver_quota: quota(get("--resolver-quota")).unwrap_or(defaults.resolver_quota),
        announce_limits: !args.iter().any(|a| a == "--no-ratelimit-headers"),
        page_size: get("--page-size")
            .and_then(|s| s.parse().ok())
            .unwrap_or(1000),
        ..defaults
    };
    let n = repos.len();
    let port = get("--port").unwrap_or_else(|| "0".into());
    let hub = MockHub::start_on(&format!("127.0.0.1:{port}"), repos, config);
    println!("listening on {} ({n} repos)", hub.url());
    // Run until stdin closes (the benchmark script holds it open) or the process is killed.
    let mut sink = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut sink);
    drop(hub);
}
