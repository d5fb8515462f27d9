"""A script that uses the whole public API: `.ci/run` checks it with `mypy --strict` against the
installed package (its stubs and py.typed), and runs it against examples/hub-snapshot."""

import json
import sys
from typing import Any, Dict, List

import networkx
import pyarrow

import hf_lineage
from hf_lineage import HfLineageError, Lineage


def main(snapshot: str) -> int:
    version: str = hf_lineage.__version__
    lin: Lineage = hf_lineage.trace(["TheBloke/Llama-2-7B-Chat-GGUF"], snapshot=snapshot, depth=5)
    down: Lineage = hf_lineage.trace("meta-llama/Llama-2-7b-hf", direction="down", snapshot=snapshot)
    audited: Lineage = hf_lineage.audit(["quantlab/aya-23-8B-AWQ"], snapshot=snapshot, policy=None)
    found: Lineage = hf_lineage.query("ancestors($r)", snapshot=snapshot, args={"r": "TheBloke/Llama-2-7B-Chat-GGUF"})
    bom: str = hf_lineage.bom(["TheBloke/Llama-2-7B-Chat-GGUF"], format="cyclonedx", snapshot=snapshot)
    card: Dict[str, Any] = hf_lineage.card("---\nbase_model: a/b\n---\nHi.\n", relation="finetune")
    why: str = hf_lineage.explain("license-drift")
    nodes: pyarrow.Table = pyarrow.table(lin.nodes)
    edges: pyarrow.Table = pyarrow.table(down.edges)
    findings: pyarrow.Table = pyarrow.table(audited.findings)
    g: "networkx.DiGraph[str]" = lin.to_networkx()
    text: str = found.render("text")
    as_json: Dict[str, Any] = json.loads(lin.to_json())
    code: int = audited.exit_code
    ids: List[str] = [str(x) for x in nodes.column("id").to_pylist()]
    try:
        hf_lineage.explain("no-such-code")
    except HfLineageError as e:
        message: str = str(e)
        assert "unknown finding code" in message
    print(version, len(ids), edges.num_rows, findings.num_rows, g.number_of_nodes(), len(text), len(as_json), code, len(bom), card["base_models"], why.splitlines()[0])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
