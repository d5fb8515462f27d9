#!/usr/bin/env bash
# Core benchmark: card parsing throughput (hf-lineage vs huggingface_hub) and graph build +
# trace over a generated 100,000-repo snapshot. Figures go to BENCHMARKS.md by hand.
# Usage: scripts/bench-core.sh [CARDS_DIR]   (default ../shared/cards)
set -euo pipefail
cd "$(dirname "$0")/.."
cards=${1:-../shared/cards}
work=${BENCH_DIR:-target/bench}
mkdir -p "$work"

echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GB; $(rustc --version)"
cargo build --release --quiet
echo "== card parsing, one thread"
cargo bench --quiet --bench core -- parse "$cards" 20
if [ ! -x "$work/venv/bin/python" ]; then
  python3 -m venv "$work/venv"
  "$work/venv/bin/pip" install --quiet huggingface_hub
fi
"$work/venv/bin/python" -c 'import huggingface_hub; print("huggingface_hub", huggingface_hub.__version__)'
"$work/venv/bin/python" scripts/bench_parse_hf.py "$cards" 3

echo "== 100,000-repo snapshot"
snap="$work/snap100k"
if [ ! -d "$snap" ]; then
  cargo bench --quiet --bench core -- gen "$snap" 100000
fi
bin=target/release/hf-lineage
for run in 1 2 3; do
  /usr/bin/time -f "upward trace of a 50-deep leaf: %e s wall, %M KB peak RSS" \
    "$bin" trace user49/ft-0-49 --snapshot "$snap" --format json -o "$work/up.json"
done
for run in 1 2 3; do
  # No links index (an unusable --cache): this run reads and parses all 100,150 repos;
  # scripts/bench-down.sh measures the index.
  /usr/bin/time -f "downward trace from a root (reads and indexes all 100,150 repos): %e s wall, %M KB peak RSS" \
    "$bin" trace org0/base-0 --down --snapshot "$snap" --cache /dev/null/none --format json -o "$work/down.json"
done
python3 -c "import json,sys; [print(f, len(g['nodes']), 'nodes', len(g['edges']), 'edges') for f in sys.argv[1:] for g in [json.load(open(f))]]" "$work/up.json" "$work/down.json"
