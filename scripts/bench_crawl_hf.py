"""The same downward trace written with the official client, for `scripts/bench-crawl.sh`.

As huggingface_hub's docs show it: `model_info` for each root, then, repo by repo, the models
whose tags say `base_model:<id>` via `list_models(filter=...)`, sequentially.
Usage: bench_crawl_hf.py ENDPOINT ROOT...
Prints: repos found, edges found, seconds.
"""
import sys
import time

from huggingface_hub import HfApi

endpoint, roots = sys.argv[1], sys.argv[2:]
api = HfApi(endpoint=endpoint, token=False)
start = time.perf_counter()
seen = set()
edges = 0
queue = []
for r in roots:
    info = api.model_info(r)
    seen.add(info.id)
    queue.append(info.id)
while queue:
    parent = queue.pop(0)
    for child in api.list_models(filter=f"base_model:{parent}"):
        edges += 1
        if child.id not in seen:
            seen.add(child.id)
            queue.append(child.id)
secs = time.perf_counter() - start
print(f"huggingface_hub: {len(seen)} repos, {edges} edges in {secs:.2f} s")
