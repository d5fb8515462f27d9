#!/usr/bin/env bash
# Crawl benchmark (issue: crawler): a synthetic family of ~1,200 models (20 roots), served by the
# mock Hub with 20 ms latency, crawled --down from the 20 roots by hf-lineage and by the official
# Python client (huggingface_hub, installed from PyPI into target/bench/venv).
# Usage: scripts/bench-crawl.sh
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
start_mock() { # args: port, extra mock flags
  local port=$1; shift
  exec 3< <(sleep 100000)
  target/release/examples/mock_hub --family 20 1200 --latency-ms 20 --port "$port" "$@" <&3 > "$work/mock-$port.log" 2>&1 &
  for _ in $(seq 50); do grep -q listening "$work/mock-$port.log" 2>/dev/null && break; sleep 0.1; done
  head -1 "$work/mock-$port.log"
}
delta() { # before-json after-json
  python3 -c 'import json,sys; a,b=json.loads(sys.argv[1]),json.loads(sys.argv[2]); print(" ".join(f"{k}={b[k]-a[k]}" for k in b))' "$1" "$2"
}

run_ours() { # endpoint label extra-args...
  local ep=$1 label=$2; shift 2
  local before after t0 t1
  rm -f "$work/crawl-cache.sqlite"*
  before=$(stats "$ep"); t0=$(date +%s.%N)
  target/release/hf-lineage trace $roots --down --endpoint "$ep" --cache "$work/crawl-cache.sqlite" \
    --format json -o "$work/crawl.json" "$@"
  t1=$(date +%s.%N); after=$(stats "$ep")
  python3 - "$work/crawl.json" "$label" "$(echo "$t1 - $t0" | bc)" "$(delta "$before" "$after")" <<'PY'
import json, sys
g = json.load(open(sys.argv[1]))
parents = {e["upstream"] for e in g["edges"] if e["relation"] != "used_by"}
print(f"hf-lineage [{sys.argv[2]}]: {len(g['nodes'])} repos, {len(g['edges'])} edges in {float(sys.argv[3]):.2f} s; "
      f"requests: {sys.argv[4]}; lower bound = {len(parents)} listings + 20 roots = {len(parents) + 20}")
PY
}

echo "== mock A: 20 ms latency, quota announced 3000/300 s (Team plan)"
start_mock 18941 --api-quota 3000/300
A=http://127.0.0.1:18941
run_ours "$A" "--jobs 4, --rate 3000/300" --rate 3000/300 --jobs 4
run_ours "$A" "--jobs 8 (default), --rate 3000/300" --rate 3000/300 --jobs 8
run_ours "$A" "--jobs 16, --rate 3000/300" --rate 3000/300 --jobs 16
before=$(stats "$A")
"$py" scripts/bench_crawl_hf.py "$A" $roots
echo "   requests: $(delta "$before" "$(stats "$A")")"

echo "== mock B: 20 ms latency, binding quota 100 per 10 s announced in headers"
start_mock 18942 --api-quota 100/10
run_ours http://127.0.0.1:18942 "binding quota, --jobs 16, --rate 3000/300" --rate 3000/300 --jobs 16

pkill -f "examples/mock_hub --family 20 1200" || true
