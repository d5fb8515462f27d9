"""What a user writes today to see what changed between two card dumps: pandas, rows compared
by card text (no lineage, no licenses judged). Usage: python scripts/bench_diff_py.py OLD NEW"""

import sys
import time

import pandas as pd

t = time.perf_counter()
cols = ["modelId", "card", "last_modified"]
old = pd.read_parquet(sys.argv[1], columns=cols)
new = pd.read_parquet(sys.argv[2], columns=cols)
m = old.merge(new, on="modelId", how="outer", suffixes=("_old", "_new"), indicator=True)
added = int((m["_merge"] == "right_only").sum())
removed = int((m["_merge"] == "left_only").sum())
both = m[m["_merge"] == "both"]
changed = int((both["card_old"] != both["card_new"]).sum())
print(f"added {added}, removed {removed}, changed cards {changed}: {time.perf_counter() - t:.1f} s")
