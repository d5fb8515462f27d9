#!/usr/bin/env bash
# Scale benchmark: a synthetic Hub card dump of 2,000,000 models in the public dump's schema
# (benches/dump.rs), `export --all` with the analyses, an upward trace of one leaf, and the
# research pipeline people write today (pandas + PyYAML + networkx) side by side on the first
# 200,000 rows, and 200,000 rows of real-sized cards. Usage: scripts/bench-scale.sh [N]
# (default 2000000; ~15 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-2000000}
work=target/bench
dump="$work/dump$n"
mkdir -p "$work"
cargo build --release --quiet
echo "== $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GB; $(rustc --version)"
if [ ! -d "$dump" ]; then
  cargo bench --quiet --bench dump -- gen "$dump" "$n" > "$work/dump-last-id.txt"
fi
leaf=$(cat "$work/dump-last-id.txt" 2>/dev/null || echo "")
bin=target/release/hf-lineage
echo "== export --all ($n models): nodes, edges, findings as Parquet, with the license and documentation analyses"
/usr/bin/time -f "export --all: %e s wall, %M KB peak RSS" "$bin" export --all --snapshot "$dump" --out "$work/export$n"
echo "== upward trace of one leaf ($leaf)"
/usr/bin/time -f "trace: %e s wall, %M KB peak RSS" "$bin" trace "$leaf" --snapshot "$dump" --format json -o "$work/leaf.json"
echo "== first 200,000 rows, side by side"
first=$(ls "$dump"/*.parquet | head -1)
/usr/bin/time -f "hf-lineage export --all (200k rows): %e s wall, %M KB peak RSS" "$bin" export --all --snapshot "$first" --out "$work/export200k"
if [ ! -x "$work/venv/bin/python" ]; then python3 -m venv "$work/venv"; fi
"$work/venv/bin/pip" install --quiet pandas pyarrow pyyaml networkx
/usr/bin/time -f "pandas+PyYAML+networkx (200k rows): %e s wall, %M KB peak RSS" "$work/venv/bin/python" scripts/bench_scale_py.py "$first" 200000
echo "== 200,000 rows with cards padded to 5,600 bytes (the mean of the real model cards in ../shared)"
big="$work/dump200k-5600"
if [ ! -d "$big" ]; then
  cargo bench --quiet --bench dump -- gen "$big" 200000 5600 > /dev/null
fi
/usr/bin/time -f "export --all, card text judged and let go as read: %e s wall, %M KB peak RSS" "$bin" export --all --snapshot "$big" --out "$work/export200k-5600"
/usr/bin/time -f "export --all --infer-from-text, card text kept: %e s wall, %M KB peak RSS" "$bin" export --all --infer-from-text --snapshot "$big" --out "$work/export200k-5600-infer"
