"""What a user writes today to walk a snapshot directory downward, for scripts/bench-down.sh:
huggingface_hub reads each README's metadata (`repocard.metadata_load`, the official client's
card reader), networkx holds the graph, and `nx.descendants` walks it from every root.
Usage: bench_down_py.py SNAPSHOT_DIR ROOTS_FILE
Prints: roots, nodes reached (roots included), edges among them, seconds.
"""
import os
import sys
import time

import networkx as nx
from huggingface_hub.repocard import metadata_load

start = time.perf_counter()
snap, roots_file = sys.argv[1], sys.argv[2]
roots = [line.strip() for line in open(roots_file) if line.strip()]
g = nx.DiGraph()
for kind in ("models", "datasets", "spaces"):
    base = os.path.join(snap, kind)
    if not os.path.isdir(base):
        continue
    for owner in os.listdir(base):
        for name in os.listdir(os.path.join(base, owner)):
            readme = os.path.join(base, owner, name, "README.md")
            if not os.path.isfile(readme):
                continue
            prefix = "" if kind == "models" else kind + "/"
            repo = f"{prefix}{owner}/{name}".lower()
            g.add_node(repo)
            try:
                meta = metadata_load(readme) or {}
            except Exception:
                continue
            bases = meta.get("base_model") or []
            if isinstance(bases, str):
                bases = [bases]
            for b in bases if isinstance(bases, list) else []:
                if isinstance(b, str):
                    g.add_edge(b.lower(), repo)
            if kind == "models":
                data = meta.get("datasets") or []
                if isinstance(data, str):
                    data = [data]
                for d in data if isinstance(data, list) else []:
                    if isinstance(d, str):
                        g.add_edge("datasets/" + d.lower(), repo)
reached = set()
for r in roots:
    r = r.lower()
    if r in g:
        reached.add(r)
        reached |= nx.descendants(g, r)
sub = g.subgraph(reached)
secs = time.perf_counter() - start
print(
    f"huggingface_hub+networkx: {len(roots)} roots, {sub.number_of_nodes()} nodes, "
    f"{sub.number_of_edges()} edges in {secs:.1f} s"
)
