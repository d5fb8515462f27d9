"""The Python package against the CLI, same run (BENCHMARKS.md, "From Python").

Usage: python scripts/bench_python.py DUMP LEAF BIG_SNAPSHOT CLI [RUNS]
  DUMP          the 2,000,000-row dump (scripts/bench-scale.sh makes it)
  LEAF          the dump's deepest leaf (target/bench/dump-last-id.txt)
  BIG_SNAPSHOT  a snapshot whose whole lineage has >= 100,000 nodes (e.g. 200,000 dump rows)
  CLI           the hf-lineage binary
Runs alternate (CLI, Python, CLI, …), each in a fresh process; wall time of the whole process.
"""

import statistics
import subprocess
import sys
import time

dump, leaf, big, cli = sys.argv[1:5]
runs = int(sys.argv[5]) if len(sys.argv) > 5 else 8

PY_TRACE = """
import sys, hf_lineage
sys.stdout.write(hf_lineage.trace([sys.argv[2]], snapshot=sys.argv[1]).to_json())
"""

PY_TABLE = """
import sys, time, tracemalloc, gc
import hf_lineage, pyarrow
pyarrow.table(hf_lineage.trace(["x/y"], snapshot=sys.argv[2]).nodes)  # imports warmed up
lin = hf_lineage.query("all()", snapshot=sys.argv[1])
t = time.perf_counter()
capsule_source = lin.nodes            # the Rust side builds the Arrow batches (once)
built = time.perf_counter() - t
gc.collect()
objs = len(gc.get_objects())
tracemalloc.start()
t = time.perf_counter()
nodes = pyarrow.table(capsule_source)
took = time.perf_counter() - t
current, peak = tracemalloc.get_traced_memory()
tracemalloc.stop()
after = len(gc.get_objects())
print(f"{nodes.num_rows:,} rows x {nodes.num_columns} columns: batches built in Rust {built * 1000:.0f} ms; "
      f"pyarrow.table() {took * 1000:.1f} ms, Python objects {after - objs:+d}, Python heap peak "
      f"{peak / 1024:.0f} KB; the Arrow buffers ({nodes.nbytes / 1e6:.1f} MB) are shared, not copied")
"""


def wall(cmd):
    t = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return time.perf_counter() - t, out


c, p = [], []
for i in range(runs):
    tc, oc = wall([cli, "trace", leaf, "--snapshot", dump, "--format", "json"])
    tp, op = wall([sys.executable, "-c", PY_TRACE, dump, leaf])
    assert op.strip() == oc.strip(), "the Python answer is the CLI's"
    c.append(tc)
    p.append(tp)
    print(f"run {i + 1}: CLI {tc:.2f} s | Python {tp:.2f} s")
f = lambda xs: f"median {statistics.median(xs):.2f} s (min {min(xs):.2f}, max {max(xs):.2f})"
print(f"upward trace of {leaf}: CLI {f(c)}; Python {f(p)}; Python/CLI medians {statistics.median(p) / statistics.median(c):.2f}")
examples = __import__("os").path.join(__import__("os").path.dirname(__file__), "..", "examples", "hub-snapshot")
print(subprocess.run([sys.executable, "-c", PY_TABLE, big, examples], capture_output=True, text=True, check=True).stdout.strip())
