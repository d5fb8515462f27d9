"""Card parsing throughput of the official client, for comparison with `benches/core.rs parse`.

Parses every .md under CARDS_DIR with huggingface_hub's own card metadata parser
(`huggingface_hub.repocard.RepoCard`, which splits the frontmatter with the Hub's regex and
loads it with PyYAML), ROUNDS times, on one thread. Errors per card are counted, not fatal.
"""
import logging
import pathlib
import sys
import time

from huggingface_hub.repocard import RepoCard

logging.disable(logging.WARNING)

cards_dir = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/cards")
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
texts = [p.read_bytes().decode("utf-8", "replace") for p in sorted(cards_dir.rglob("*.md"))]
size = sum(len(t.encode()) for t in texts)
errors = 0
start = time.perf_counter()
for _ in range(rounds):
    for t in texts:
        try:
            RepoCard(t, ignore_metadata_errors=True)
        except Exception:
            errors += 1
secs = time.perf_counter() - start
n = len(texts) * rounds
print(f"huggingface_hub RepoCard: {len(texts)} cards ({size/1e6:.1f} MB) x {rounds} rounds in {secs:.3f} s = "
      f"{n/secs:.0f} cards/s ({errors} errors)")
