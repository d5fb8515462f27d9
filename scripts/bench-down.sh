#!/usr/bin/env bash
# Downward trace over a directory snapshot, side by side with what users write today
# (huggingface_hub's card reader + networkx, scripts/bench_down_py.py), in the same run.
# The snapshot is the 100,150-repo one of scripts/bench-core.sh; the 1,600 roots are the first
# eight fine-tunes of each of its 200 families (`user<i>/ft-<r>-<i>`, i = 0..7): each walk
# reaches the rest of its 50-deep chain with the quantizations and adapters hanging off it.
# Usage: scripts/bench-down.sh   (~5 minutes)
# Python runs last; its figure and ours are from the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
work=${BENCH_DIR:-target/bench}
mkdir -p "$work"
cargo build --release --quiet
echo "== $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GB; $(rustc --version)"
snap="$work/snap100k"
if [ ! -d "$snap" ]; then
  cargo bench --quiet --bench core -- gen "$snap" 100000
fi
roots="$work/roots1600.txt"
for r in $(seq 0 199); do for i in $(seq 0 7); do echo "user$((i % 97))/ft-$r-$i"; done; done > "$roots"
if [ ! -x "$work/venv/bin/python" ]; then python3 -m venv "$work/venv"; fi
"$work/venv/bin/pip" install --quiet huggingface_hub networkx
"$work/venv/bin/python" -c 'import huggingface_hub, networkx; print("huggingface_hub", huggingface_hub.__version__, "networkx", networkx.__version__)'
bin=target/release/hf-lineage
# The links index lives in the cache database: a fresh one, so run 1 reads every entry and
# builds the index, and runs 2-5 read only what they reach.
cache="$work/down-cache.sqlite"
rm -f "$cache" "$cache-wal" "$cache-shm"
# shellcheck disable=SC2046
for run in 1 2 3 4 5; do
  what=$([ "$run" = 1 ] && echo "no index yet, builds it" || echo "with the index")
  /usr/bin/time -f "hf-lineage trace --down, 1,600 roots, run $run ($what): %e s wall, %M KB peak RSS" \
    "$bin" trace $(cat "$roots") --down --snapshot "$snap" --cache "$cache" --format json -o "$work/down1600.json"
done
/usr/bin/time -f "hf-lineage trace --down, 1,600 roots, no index (cache unusable): %e s wall, %M KB peak RSS" \
  "$bin" trace $(cat "$roots") --down --snapshot "$snap" --cache /dev/null/none --format json -o "$work/down1600-noindex.json"
cmp "$work/down1600.json" "$work/down1600-noindex.json" && echo "same graph with and without the index"
python3 -c "import json,sys; g=json.load(open(sys.argv[1])); print('hf-lineage:', len(g['nodes']), 'nodes', len(g['edges']), 'edges')" "$work/down1600.json"
/usr/bin/time -f "huggingface_hub+networkx, 1,600 roots: %e s wall, %M KB peak RSS" \
  "$work/venv/bin/python" scripts/bench_down_py.py "$snap" "$roots"
