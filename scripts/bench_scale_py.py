"""The research pipeline people write today, for scripts/bench-scale.sh: pandas reads the dump,
PyYAML parses each card's frontmatter for license and base model, networkx builds the graph.
Usage: bench_scale_py.py DUMP_FILE_OR_DIR [ROWS]
Prints: rows, nodes, edges, seconds.
"""
import re
import sys
import time

import networkx as nx
import pandas as pd
import yaml

FRONT = re.compile(r"\A\s*---\s*\n(.*?)\n---\s*(\n|$)", re.S)

start = time.perf_counter()
path = sys.argv[1]
rows = int(sys.argv[2]) if len(sys.argv) > 2 else None
df = pd.read_parquet(path, columns=["modelId", "card"])
if rows:
    df = df.head(rows)
g = nx.DiGraph()
for model_id, card in zip(df["modelId"], df["card"]):
    g.add_node(model_id)
    m = FRONT.match(card or "")
    if not m:
        continue
    try:
        meta = yaml.safe_load(m.group(1)) or {}
    except yaml.YAMLError:
        continue
    if not isinstance(meta, dict):
        continue
    g.nodes[model_id]["license"] = meta.get("license")
    bases = meta.get("base_model") or []
    if isinstance(bases, str):
        bases = [bases]
    for b in bases if isinstance(bases, list) else []:
        if isinstance(b, str):
            g.add_edge(b, model_id)
secs = time.perf_counter() - start
print(f"pandas+PyYAML+networkx: {len(df)} rows, {g.number_of_nodes()} nodes, {g.number_of_edges()} edges in {secs:.1f} s")
