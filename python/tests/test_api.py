"""The Python package, offline against examples/hub-snapshot and live against the mock Hub.

Run after ``pip install .`` (``.ci/run`` does, in a fresh virtual environment):
``python -m pytest python/tests``. The live tests need the mock Hub server
(``cargo build --example mock_hub``); ``HF_LINEAGE_MOCK_HUB`` names it, else the debug and
release builds under target/ are tried, else those tests skip and say so (CI sets the variable,
so there they fail instead).
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
import sys
from typing import Iterator

import pyarrow
import pyarrow.parquet
import pytest

import hf_lineage

ROOT = pathlib.Path(__file__).resolve().parents[2]
SNAPSHOT = ROOT / "examples" / "hub-snapshot"
POLICY = ROOT / "examples" / "hf-lineage.toml"
GGUF = "TheBloke/Llama-2-7B-Chat-GGUF"


@pytest.fixture(autouse=True)
def _isolated(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No user token, cache or endpoint leaks into a test; the cache lives in tmp_path."""
    for var in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_ENDPOINT", "HF_HUB_OFFLINE", "NO_COLOR"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.chdir(tmp_path)


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    """The console command pip installed beside this Python."""
    exe = shutil.which("hf-lineage", path=os.path.dirname(sys.executable))
    assert exe, "pip install . puts an hf-lineage command beside python"
    return subprocess.run([exe, *args], capture_output=True, text=True, check=False)


def test_version_is_the_commands() -> None:
    out = cli("--version")
    assert out.returncode == 0
    assert out.stdout.strip() == f"hf-lineage {hf_lineage.__version__}"


def test_trace_hands_tables_to_arrow_with_exports_columns(tmp_path: pathlib.Path) -> None:
    lin = hf_lineage.trace([GGUF], snapshot=SNAPSHOT)
    nodes = pyarrow.table(lin.nodes)
    edges = pyarrow.table(lin.edges)
    assert sorted(nodes.column("id").to_pylist()) == [
        GGUF,
        "meta-llama/Llama-2-7b-chat-hf",
        "meta-llama/Llama-2-7b-hf",
    ]
    assert sorted(zip(edges.column("upstream").to_pylist(), edges.column("relation").to_pylist())) == [
        ("meta-llama/Llama-2-7b-chat-hf", "quantized"),
        ("meta-llama/Llama-2-7b-hf", "finetune"),
    ]
    # The columns (names and types) are export's Parquet files'.
    out = cli("export", GGUF, "--snapshot", str(SNAPSHOT), "--out", str(tmp_path / "t"))
    assert out.returncode == 0, out.stderr
    for name, table in (("nodes", lin.nodes), ("edges", lin.edges), ("findings", lin.findings)):
        written = pyarrow.parquet.read_schema(tmp_path / "t" / f"{name}.parquet")
        mine = pyarrow.table(table).schema
        assert mine.names == written.names, name
        assert [f.type for f in mine] == [f.type for f in written], name


def test_pandas_and_networkx() -> None:
    lin = hf_lineage.trace(GGUF, snapshot=SNAPSHOT, direction="up")
    df = pyarrow.table(lin.nodes).to_pandas()
    assert set(df["license"]) == {"llama2"}
    g = lin.to_networkx()
    assert set(g.nodes) == set(df["id"])
    assert g.edges["meta-llama/Llama-2-7b-chat-hf", GGUF]["relation"] == "quantized"
    assert g.nodes[GGUF]["license"] == "llama2"


def test_render_and_json_are_the_commands_output() -> None:
    lin = hf_lineage.trace([GGUF], snapshot=SNAPSHOT)
    out = cli("trace", GGUF, "--snapshot", str(SNAPSHOT), "--format", "json")
    assert out.returncode == 0, out.stderr
    assert json.loads(lin.to_json()) == json.loads(out.stdout)
    text = cli("trace", GGUF, "--snapshot", str(SNAPSHOT))
    assert lin.render() == text.stdout
    assert lin.render("mermaid").startswith("flowchart")
    assert "digraph" in lin.render("dot")
    with pytest.raises(hf_lineage.HfLineageError):
        lin.render("no-such-format")


def test_audit_judges_under_the_policy_with_the_commands_exit_code() -> None:
    lin = hf_lineage.audit(["quantlab/aya-23-8B-AWQ"], snapshot=SNAPSHOT)
    codes = pyarrow.table(lin.findings).column("code").to_pylist()
    assert "license-drift" in codes
    assert lin.exit_code == 2
    out = cli("audit", "quantlab/aya-23-8B-AWQ", "--snapshot", str(SNAPSHOT))
    assert out.returncode == 2
    # The example policy lets this repo's drift through: exit 0, as the command.
    allowed = hf_lineage.audit(["quantlab/aya-23-8B-AWQ"], snapshot=SNAPSHOT, policy=POLICY)
    out = cli("audit", "quantlab/aya-23-8B-AWQ", "--snapshot", str(SNAPSHOT), "--policy", str(POLICY))
    assert allowed.exit_code == out.returncode
    sarif = json.loads(lin.render("sarif"))
    assert sarif["version"] == "2.1.0"


def test_query_bom_card_explain() -> None:
    lin = hf_lineage.query("ancestors($repo)", snapshot=SNAPSHOT, args={"repo": GGUF})
    assert "meta-llama/Llama-2-7b-hf" in pyarrow.table(lin.nodes).column("id").to_pylist()
    bom = json.loads(hf_lineage.bom(GGUF, snapshot=SNAPSHOT))
    assert bom["bomFormat"] == "CycloneDX"
    spdx = json.loads(hf_lineage.bom([GGUF], snapshot=SNAPSHOT, format="spdx"))
    assert "@graph" in spdx
    report = hf_lineage.card(
        "---\nbase_model: org/Foo-7B\n---\nGGUF Q4_K_M quants of org/Foo-7B made with llama.cpp.\n",
        relation="quantized",
    )
    assert report["documentation"]["verdict"] == "documented"
    assert report["base_models"] == ["org/Foo-7B"]
    readme = SNAPSHOT / "models" / "TheBloke" / "Llama-2-7B-Chat-GGUF" / "README.md"
    assert hf_lineage.card(readme)["base_models"] == ["meta-llama/Llama-2-7b-chat-hf"]
    assert hf_lineage.explain("license-drift").startswith("license-drift")


def test_errors_are_hf_lineage_errors_with_the_commands_messages() -> None:
    with pytest.raises(hf_lineage.HfLineageError, match="cannot read snapshot"):
        hf_lineage.trace(["a/b"], snapshot="/nonexistent/snapshot")
    with pytest.raises(hf_lineage.HfLineageError, match="query"):
        hf_lineage.query("ancestors(", snapshot=SNAPSHOT)
    with pytest.raises(hf_lineage.HfLineageError, match="unknown finding code"):
        hf_lineage.explain("no-such-code")
    with pytest.raises(hf_lineage.HfLineageError, match="invalid repository"):
        hf_lineage.trace(["../../etc/passwd"], snapshot=SNAPSHOT)
    with pytest.raises(hf_lineage.HfLineageError, match="direction"):
        hf_lineage.trace([GGUF], snapshot=SNAPSHOT, direction="sideways")
    bad = pathlib.Path("bad-policy.toml")
    bad.write_text("[levels]\nno-such-code = 'deny'\n")
    with pytest.raises(hf_lineage.HfLineageError, match="no-such-code"):
        hf_lineage.audit([GGUF], snapshot=SNAPSHOT, policy=bad)
    # A repo that cannot be read is data, not an exception.
    lin = hf_lineage.trace(["nobody/missing-model"], snapshot=SNAPSHOT)
    status = pyarrow.table(lin.nodes).column("status").to_pylist()
    assert status == ["not_found"] or status[0] != "ok"


def mock_hub_binary() -> pathlib.Path | None:
    named = os.environ.get("HF_LINEAGE_MOCK_HUB")
    if named:
        assert pathlib.Path(named).is_file(), f"HF_LINEAGE_MOCK_HUB={named} does not exist"
        return pathlib.Path(named)
    for profile in ("debug", "release"):
        p = ROOT / "target" / profile / "examples" / "mock_hub"
        if p.is_file():
            return p
    return None


@pytest.fixture
def mock_hub() -> Iterator[str]:
    exe = mock_hub_binary()
    if exe is None:
        pytest.skip("no mock Hub server: cargo build --example mock_hub (or set HF_LINEAGE_MOCK_HUB)")
    proc = subprocess.Popen(
        [str(exe), "--snapshot", str(SNAPSHOT)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("listening on http://127.0.0.1:"), line
        yield line.split()[2]
    finally:
        proc.kill()
        proc.wait()


def test_live_trace_against_the_mock_hub(mock_hub: str) -> None:
    lin = hf_lineage.trace([GGUF], endpoint=mock_hub, token=False)
    ids = pyarrow.table(lin.nodes).column("id").to_pylist()
    assert GGUF in ids and "meta-llama/Llama-2-7b-hf" in ids
    # The cache went where HF_HOME says, as huggingface_hub's does.
    assert (pathlib.Path(os.environ["HF_HOME"]) / "hf-lineage" / "cache.sqlite").is_file()


def test_live_endpoint_from_the_environment_and_a_rejected_token(
    mock_hub: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_ENDPOINT", mock_hub)
    lin = hf_lineage.trace(GGUF)
    assert pyarrow.table(lin.nodes).num_rows >= 3
    with pytest.raises(hf_lineage.HfLineageError, match="(?i)token|credentials|401"):
        hf_lineage.trace(GGUF, token="hf_not_a_token_the_hub_knows", depth=1)
    monkeypatch.setenv("HF_TOKEN", "hf_not_a_token_the_hub_knows")
    with pytest.raises(hf_lineage.HfLineageError):
        hf_lineage.trace("meta-llama/Llama-2-7b-hf", depth=0)
    # token=False sends none, whatever the environment has.
    assert pyarrow.table(hf_lineage.trace(GGUF, token=False).nodes).num_rows >= 3


def test_offline_environment_is_honoured(mock_hub: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # Read once online: the cache answers offline; what it never saw is the command's error.
    online = hf_lineage.trace([GGUF], endpoint=mock_hub, token=False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    offline = hf_lineage.trace([GGUF], endpoint=mock_hub, token=False)
    assert offline.to_json() == online.to_json()
    with pytest.raises(hf_lineage.HfLineageError, match="offline"):
        hf_lineage.trace(["org/never-cached"], endpoint=mock_hub, token=False)


def test_the_readme_example_runs_as_written(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## From Python") :]
    start = section.index("```python\n") + len("```python\n")
    code = section[start : section.index("```", start)]
    monkeypatch.chdir(ROOT)
    exec(compile(code, "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert "['meta-llama/Llama-2-7b-chat-hf']" in out
    assert "\n2\n" in out
