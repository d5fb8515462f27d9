#!/usr/bin/env bash
# Crawl benchmark: a synthetic family of ~1,250 models (20 roots) served by the mock Hub
# (crates/mock-hub, answering like production: per-route expand, childrenModelCount objects,
# RateLimit headers on every response) with 20 ms latency, crawled --down from the 20 roots with
# DEFAULT flags by hf-lineage, and by the official Python client (huggingface_hub, installed from
# PyPI into target/bench/venv) against a fresh mock of the same kind in the same run.
#
#   A  the Hub's anonymous policy (500 API / 3,000 resolver requests per window), the window
#      shortened to 30 s so the run takes minutes;
#   B  a binding quota (100 per 10 s): total time against the physical bound
#      floor((N-1)/q) windows + the transfer time of the same crawl unconstrained (run C);
#   A0, C0  runs A and C with --files none: what reading the files beside the cards costs;
#   D  a quota that does not bind (the Team plan's 3,000 per 300 s), both tools: what is left
#      when no one waits for windows.
#
# Usage: scripts/bench-crawl.sh        (needs curl, python3 with venv; ~5 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
work=target/bench
mkdir -p "$work"
cargo build --release --quiet
cargo build --release --quiet --example mock_hub
if [ ! -x "$work/venv/bin/python" ]; then
  python3 -m venv "$work/venv"
  "$work/venv/bin/pip" install --quiet huggingface_hub
fi
py="$work/venv/bin/python"
echo "== $(nproc) cores; $(rustc --version); huggingface_hub $("$py" -c 'import huggingface_hub as h; print(h.__version__)')"

roots=$(for i in $(seq 0 19); do printf 'family%d/base-%d ' "$i" "$i"; done)
stats() { curl -s "$1/_mock/stats"; }
mock_pids=()
start_mock() { # port, extra mock flags
  local port=$1; shift
  exec 3< <(sleep 100000)
  target/release/examples/mock_hub --family 20 1250 --latency-ms 20 --port "$port" "$@" <&3 > "$work/mock-$port.log" 2>&1 &
  mock_pids+=($!)
  for _ in $(seq 100); do grep -q listening "$work/mock-$port.log" 2>/dev/null && break; sleep 0.1; done
  echo "   mock: $(head -1 "$work/mock-$port.log") $*"
}
cleanup() { for p in "${mock_pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

run_ours() { # endpoint label extra-args...  -> prints a line, leaves $work/last.json
  local ep=$1 label=$2; shift 2
  local before after t0 t1
  rm -f "$work/crawl-cache.sqlite"*
  before=$(stats "$ep"); t0=$(date +%s.%N)
  HF_HOME="$work/hf-home" target/release/hf-lineage trace $roots --down --endpoint "$ep" \
    --cache "$work/crawl-cache.sqlite" --format json -o "$work/crawl.json" "$@"
  t1=$(date +%s.%N); after=$(stats "$ep")
  "$py" - "$work/crawl.json" "$label" "$(echo "$t1 - $t0" | bc)" "$before" "$after" <<'PY'
import json, sys
g = json.load(open(sys.argv[1]))
secs = float(sys.argv[3]); a, b = json.loads(sys.argv[4]), json.loads(sys.argv[5])
api = b["api_requests"] - a["api_requests"]; tmr = b["too_many_requests"] - a["too_many_requests"]
res = b["resolver_requests"] - a["resolver_requests"]
models = [n for n in g["nodes"] if n["kind"] == "model" and n["status"] == "ok"]
parents = {e["upstream"] for e in g["edges"] if e["relation"] not in ("used_by", "trained_on")}
# Lower bound without an oracle: the 20 roots' detail calls, plus one listing per model reached
# (listings cannot carry children counts, so each child must be asked once) less the roots the
# Hub counts no children for. With an oracle of every model's children count: roots + parents.
leaf_roots = sum(1 for r in g["roots"] if r not in parents)
bound = 20 + len(models) - leaf_roots
oracle = 20 + len(parents)
print(f"hf-lineage [{sys.argv[2]}]: {len(g['nodes'])} repos, {len(g['edges'])} edges in {secs:.2f} s; "
      f"API requests {api} (lower bound {bound}: +{100 * (api - bound) / bound:.1f}%; oracle bound {oracle}); resolver requests {res}; "
      f"file edges {sum(1 for e in g['edges'] if e.get('relation_source') == 'file')}; 429s {tmr}")
json.dump({"secs": secs, "api": api, "bound": bound, "edges": len(g["edges"]), "repos": len(g["nodes"])}, open(sys.argv[1] + ".sum", "w"))
PY
}

run_hf() { # endpoint -> prints a line
  local ep=$1 before after
  before=$(stats "$ep")
  "$py" scripts/bench_crawl_hf.py "$ep" $roots | tee "$work/hf.txt"
  after=$(stats "$ep")
  "$py" -c 'import json,sys; a,b=json.loads(sys.argv[1]),json.loads(sys.argv[2]); print("   huggingface_hub requests:", " ".join(f"{k}={b[k]-a[k]}" for k in b))' "$before" "$after"
}

echo "== A: anonymous policy announced (500 API / 3,000 resolvers per 30 s window), default flags"
start_mock 18951 --api-quota 500/30 --resolver-quota 3000/30
run_ours http://127.0.0.1:18951 "default flags"
cp "$work/crawl.json.sum" "$work/A.sum"
echo "== A0: the same without reading files (--files none)"
start_mock 18957 --api-quota 500/30 --resolver-quota 3000/30
run_ours http://127.0.0.1:18957 "--files none" --files none
start_mock 18952 --api-quota 500/30 --resolver-quota 3000/30
run_hf http://127.0.0.1:18952
"$py" - "$work/A.sum" "$work/hf.txt" <<'PY'
import json, re, sys
ours = json.load(open(sys.argv[1])); hf = open(sys.argv[2]).read()
secs = float(re.search(r"in ([0-9.]+) s", hf).group(1))
print(f"   speed-up over huggingface_hub: {secs / ours['secs']:.1f}x ({secs:.1f} s vs {ours['secs']:.1f} s)")
PY

echo "== C: the same crawl unconstrained (quota 100,000 per window): transfer time"
start_mock 18953 --api-quota 100000/30
run_ours http://127.0.0.1:18953 "unconstrained, default flags"
cp "$work/crawl.json.sum" "$work/C.sum"
echo "== C0: unconstrained, without reading files (--files none)"
start_mock 18958 --api-quota 100000/30
run_ours http://127.0.0.1:18958 "unconstrained, --files none" --files none

echo "== B: binding quota 100 per 10 s announced, default flags"
start_mock 18954 --api-quota 100/10
run_ours http://127.0.0.1:18954 "binding 100/10 s, default flags"
"$py" - "$work/crawl.json.sum" "$work/C.sum" <<'PY'
import json, sys
b = json.load(open(sys.argv[1])); c = json.load(open(sys.argv[2]))
n = b["api"]; windows = (n - 1) // 100
bound = windows * 10 + c["secs"]
print(f"   physical bound: floor(({n}-1)/100) = {windows} windows x 10 s + {c['secs']:.2f} s transfer = {bound:.1f} s; "
      f"measured {b['secs']:.1f} s = {b['secs'] / bound:.2f}x the bound")
PY

echo "== D: a quota that does not bind (3,000 per 300 s announced), default flags, both tools"
start_mock 18955 --api-quota 3000/300
run_ours http://127.0.0.1:18955 "not binding, default flags"
cp "$work/crawl.json.sum" "$work/D.sum"
start_mock 18956 --api-quota 3000/300
run_hf http://127.0.0.1:18956
"$py" - "$work/D.sum" "$work/hf.txt" <<'PY'
import json, re, sys
ours = json.load(open(sys.argv[1])); hf = open(sys.argv[2]).read()
secs = float(re.search(r"in ([0-9.]+) s", hf).group(1))
print(f"   speed-up over huggingface_hub: {secs / ours['secs']:.1f}x ({secs:.1f} s vs {ours['secs']:.2f} s)")
PY
