"""The analyst notebooks: each runs top to bottom on a small demo warehouse, and each is
committed as a jupytext pair (percent-format ``.py`` + ``.ipynb`` without outputs).

The notebooks run with nbclient in the venv's ``python3`` kernel (ipykernel of the
interpreter running pytest; nothing is registered globally), working directory
``notebooks/`` as in JupyterLab, ``SLA_DB`` pointing at the demo warehouse. A cell that
raises fails the test. They share one xdist worker (``--dist loadgroup``).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
SCRIPTS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.py"))
PAIRED = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def _ids(paths: list[Path]) -> list[str]:
    return [p.stem for p in paths]


def test_there_are_five_notebooks_each_paired():
    assert len(SCRIPTS) == 5, [p.name for p in SCRIPTS]
    assert [p.stem for p in SCRIPTS] == [p.stem for p in PAIRED]


@pytest.mark.parametrize("path", PAIRED, ids=_ids(PAIRED))
def test_committed_notebook_has_no_outputs(path: Path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code, f"{path.name} has no code cells"
    dirty = [i for i, c in enumerate(code) if c.get("outputs") or c.get("execution_count")]
    assert not dirty, f"{path.name}: code cells {dirty} have outputs (run `jupytext --sync`)"
    assert nb["metadata"]["jupytext"]["formats"] == "ipynb,py:percent"
    assert nb["metadata"]["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", SCRIPTS, ids=_ids(SCRIPTS))
def test_notebook_and_script_are_in_sync(path: Path):
    import jupytext

    script = jupytext.read(path)
    notebook = jupytext.read(path.with_suffix(".ipynb"))
    cells = lambda nb: [(c.cell_type, c.source.strip()) for c in nb.cells]  # noqa: E731
    assert cells(script) == cells(notebook), f"{path.name}: run `jupytext --sync` on the pair"


@pytest.mark.parametrize("path", SCRIPTS, ids=_ids(SCRIPTS))
def test_notebook_imports_the_library_and_no_sql(path: Path):
    text = path.read_text(encoding="utf-8")
    assert "from analytics" in text
    # SQL and file formats belong to analytics.warehouse, not to a notebook
    for forbidden in ("import duckdb", ".execute(", "read_csv(", "scan_csv("):
        assert forbidden not in text, f"{path.name} uses {forbidden!r}"


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from analytics.config import load_config
    from analytics.demo import generate_demo
    from analytics.warehouse import write_tables

    db = tmp_path_factory.mktemp("notebooks") / "warehouse.duckdb"
    config = load_config(ROOT / "data" / "sla.toml")
    frames = generate_demo(config, leads=3000, seed=1, end=datetime(2026, 11, 20, tzinfo=UTC))
    write_tables(db, frames, source="notebook test", config=config)
    return db


@pytest.mark.xdist_group("notebooks")
@pytest.mark.parametrize("path", PAIRED, ids=_ids(PAIRED))
def test_notebook_runs(path: Path, demo_warehouse: Path, monkeypatch: pytest.MonkeyPatch):
    import nbformat
    from nbclient import NotebookClient

    monkeypatch.setenv("SLA_DB", str(demo_warehouse))
    monkeypatch.setenv("SLA_CONFIG", str(ROOT / "data" / "sla.toml"))
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)  # headless: static tables
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        kernel_name="python3",
        timeout=180,
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    client.execute()  # raises CellExecutionError naming the cell and its traceback
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code)
    outputs = [o for c in code for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    # headless: static tables, never a widget nobody can move
    assert not [
        o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
    ]
    if path.stem.startswith("04_"):  # the pack is written next to the warehouse SLA_DB names
        written = sorted(p.name for p in (demo_warehouse.parent / "packs").iterdir())
        assert [n for n in written if n.endswith((".html", ".md"))], written
