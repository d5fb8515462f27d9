"""Provenance graphs of Hugging Face repositories: lineage, licenses, documentation.

A thin typed layer over the Rust library (``hf_lineage._native``): every function runs the
``hf-lineage`` command of the same name, with the same defaults, environment and messages, and
returns what it concluded instead of printing it.

>>> import hf_lineage
>>> lin = hf_lineage.trace(["TheBloke/Llama-2-7B-Chat-GGUF"], snapshot="examples/hub-snapshot")
>>> import pyarrow
>>> pyarrow.table(lin.edges).num_rows
2

Authentication and environment are huggingface_hub's: ``token=None`` reads ``HF_TOKEN`` or the
token file under ``HF_HOME``, ``token=False`` sends none; ``HF_ENDPOINT``, ``HF_HOME`` and
``HF_HUB_OFFLINE`` are honoured. Errors are :class:`HfLineageError`; a repo that cannot be read
is data (its node's ``status``), never an exception.
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence, Union

from . import _native
from ._native import HfLineageError

if TYPE_CHECKING:
    import networkx

__version__: str = _native.__version__

__all__ = [
    "HfLineageError",
    "Lineage",
    "__version__",
    "audit",
    "bom",
    "card",
    "explain",
    "query",
    "trace",
]

PathArg = Union[str, "os.PathLike[str]"]
Token = Union[str, bool, None]


class Lineage:
    """A lineage and everything judged of it.

    ``nodes``, ``edges`` and ``findings`` are Arrow tables with the columns of ``export``'s
    Parquet files, handed over through the Arrow PyCapsule interface
    (``__arrow_c_stream__``): ``pyarrow.table(lin.nodes)``, ``polars.DataFrame(lin.nodes)``,
    ``pyarrow.table(lin.edges).to_pandas()``; no row becomes a Python object.
    """

    __slots__ = ("_native",)

    def __init__(self, native: _native.Lineage) -> None:
        self._native = native

    @property
    def nodes(self) -> _native._ArrowTable:
        """The nodes: id, kind, status, reason, license, license_family, downloads, … flags."""
        return self._native.nodes

    @property
    def edges(self) -> _native._ArrowTable:
        """The edges: upstream, downstream, relation, relation_source."""
        return self._native.edges

    @property
    def findings(self) -> _native._ArrowTable:
        """The findings: code, severity, nodes, message."""
        return self._native.findings

    @property
    def exit_code(self) -> int:
        """The exit code the command would give (2: a finding at deny level under the policy)."""
        return self._native.exit_code

    def render(self, format: Optional[str] = None) -> str:
        """The command's output in ``format`` (text, json, dot, svg, mermaid, html, sarif,
        cyclonedx, spdx), or in the command's own format."""
        return self._native.render(format)

    def to_json(self) -> str:
        """The command's ``--format json`` output."""
        return self._native.render("json")

    def to_networkx(self) -> "networkx.DiGraph[str]":
        """A ``networkx.DiGraph`` with the JSON output's node and edge attributes (networkx is
        imported only here)."""
        import networkx

        data: Dict[str, Any] = json.loads(self.to_json())
        g: "networkx.DiGraph[str]" = networkx.DiGraph()
        for node in data.get("nodes", []):
            attrs = {k: v for k, v in node.items() if k != "id"}
            g.add_node(node["id"], **attrs)
        for edge in data.get("edges", []):
            attrs = {k: v for k, v in edge.items() if k not in ("upstream", "downstream")}
            g.add_edge(edge["upstream"], edge["downstream"], **attrs)
        return g

    def __repr__(self) -> str:
        return f"<hf_lineage.Lineage: {self._native.nodes.num_rows} nodes, {self._native.edges.num_rows} edges, {self._native.findings.num_rows} findings>"


def _source(
    argv: List[str],
    snapshot: Optional[PathArg],
    endpoint: Optional[str],
) -> List[str]:
    if snapshot is not None:
        argv += ["--snapshot", os.fspath(snapshot)]
    if endpoint is not None:
        argv += ["--endpoint", endpoint]
    return argv


def _direction(direction: str) -> str:
    if direction not in ("up", "down", "both"):
        raise HfLineageError(f"direction {direction!r}: expected 'up', 'down' or 'both'")
    return f"--{direction}"


def _repos(repos: Union[str, Sequence[str]]) -> List[str]:
    return [repos] if isinstance(repos, str) else list(repos)


def trace(
    repos: Union[str, Sequence[str]],
    *,
    direction: str = "up",
    depth: Optional[int] = None,
    snapshot: Optional[PathArg] = None,
    endpoint: Optional[str] = None,
    token: Token = None,
    infer_from_text: bool = False,
) -> Lineage:
    """Traces repos up to their roots, down to their derivatives, or both (``hf-lineage trace``)."""
    argv = ["hf-lineage", "trace", *_repos(repos), _direction(direction)]
    if depth is not None:
        argv += ["--depth", str(depth)]
    if infer_from_text:
        argv.append("--infer-from-text")
    return Lineage(_native.prepare(_source(argv, snapshot, endpoint), token))


def audit(
    repos: Union[str, Sequence[str]],
    *,
    direction: str = "up",
    depth: Optional[int] = None,
    snapshot: Optional[PathArg] = None,
    policy: Optional[PathArg] = None,
    endpoint: Optional[str] = None,
    token: Token = None,
    infer_from_text: bool = True,
) -> Lineage:
    """Traces and judges repos: licenses, documentation, the policy (``hf-lineage audit``).

    ``direction`` is ``"up"`` (the default) or ``"down"`` (the repos and everything derived from
    them). ``policy`` is a policy file (default: ./hf-lineage.toml when it exists).
    """
    if direction not in ("up", "down"):
        raise HfLineageError(f"direction {direction!r}: audit walks 'up' or 'down'")
    argv = ["hf-lineage", "audit", *_repos(repos)]
    if direction == "down":
        argv.append("--down")
    if depth is not None:
        argv += ["--depth", str(depth)]
    if policy is not None:
        argv += ["--policy", os.fspath(policy)]
    argv.append("--infer-from-text" if infer_from_text else "--no-infer-from-text")
    return Lineage(_native.prepare(_source(argv, snapshot, endpoint), token))


def query(
    expr: str,
    *,
    snapshot: Optional[PathArg] = None,
    args: Optional[Dict[str, str]] = None,
    policy: Optional[PathArg] = None,
    endpoint: Optional[str] = None,
    token: Token = None,
    infer_from_text: bool = False,
) -> Lineage:
    """Answers a query (an expression, a query file, or a named query such as ``source``)
    (``hf-lineage query``); ``args`` sets ``$name`` variables."""
    argv = ["hf-lineage", "query", expr]
    for name, value in (args or {}).items():
        argv += ["--arg", f"{name}={value}"]
    if policy is not None:
        argv += ["--policy", os.fspath(policy)]
    if infer_from_text:
        argv.append("--infer-from-text")
    return Lineage(_native.prepare(_source(argv, snapshot, endpoint), token))


def bom(
    repos: Union[str, Sequence[str]],
    *,
    format: str = "cyclonedx",
    snapshot: Optional[PathArg] = None,
    policy: Optional[PathArg] = None,
    endpoint: Optional[str] = None,
    token: Token = None,
) -> str:
    """An AI bill of materials of repos and their lineage: CycloneDX 1.7 or SPDX 3.0.1 JSON
    (``hf-lineage bom``)."""
    argv = ["hf-lineage", "bom", *_repos(repos), "--format", format]
    if policy is not None:
        argv += ["--policy", os.fspath(policy)]
    return _native.prepare(_source(argv, snapshot, endpoint), token).render(None)


def card(path_or_text: Union[PathArg, str, bytes], *, relation: Optional[str] = None, repo: Optional[str] = None) -> Dict[str, Any]:
    """Lints one model card as ``hf-lineage card --format json`` does: its metadata as read,
    findings, and what changed (judged as ``relation`` when given). A path to an existing file
    is read with the files beside it; anything else is the card's text."""
    if isinstance(path_or_text, bytes):
        text, path = path_or_text, None
    elif isinstance(path_or_text, os.PathLike) or (
        isinstance(path_or_text, str) and "\n" not in path_or_text and os.path.isfile(path_or_text)
    ):
        path = os.fspath(path_or_text)
        with open(path, "rb") as f:
            text = f.read()
    else:
        text, path = str(path_or_text).encode("utf-8"), None
    result: Dict[str, Any] = json.loads(_native.card_json(text, path, relation, repo))
    return result


def explain(code: str) -> str:
    """What a finding code means and how to resolve or allow it (``hf-lineage explain``)."""
    return _native.explain(code)
