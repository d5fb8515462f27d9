"""A second dump for the diff benchmark: every 100th row's card relicensed to cc-by-nc-4.0.
Usage: python scripts/mutate_dump.py DUMP_DIR OUT_DIR (pyarrow needed)."""
import sys, pathlib, re, pyarrow as pa, pyarrow.parquet as pq, pyarrow.compute as pc
src, dst = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
dst.mkdir(exist_ok=True)
changed = 0
for f in sorted(src.glob("*.parquet")):
    t = pq.read_table(f)
    cards = t.column("card").to_pylist()
    lm = t.column("last_modified")
    out = []
    for i, c in enumerate(cards):
        if i % 100 == 37 and c:
            c2 = re.sub(r"(?m)^license: .*$", "license: cc-by-nc-4.0", c, count=1)
            if c2 == c:
                c2 = c.replace("---\n", "---\nlicense: cc-by-nc-4.0\n", 1)
            out.append(c2); changed += 1
        else:
            out.append(c)
    t = t.set_column(t.schema.get_field_index("card"), "card", pa.array(out, type=t.schema.field("card").type))
    pq.write_table(t, dst / f.name, compression="zstd", row_group_size=100_000)
print("changed", changed)
