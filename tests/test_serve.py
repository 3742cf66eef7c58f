"""The app's launcher: libraries imported first, then ``streamlit run dashboard/app.py``."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from dashboard import serve


def test_the_launcher_preloads_then_runs_the_app_with_the_options_given(monkeypatch) -> None:
    import gc

    from streamlit.web import cli

    seen: list[list[str]] = []
    steps: list[str] = []
    monkeypatch.setattr(cli, "main", lambda: seen.append(list(sys.argv)) or 0)
    monkeypatch.setattr(sys, "argv", ["serve"])
    monkeypatch.setattr(serve, "warm_up", lambda: steps.append("warm up"))
    monkeypatch.setattr(gc, "freeze", lambda: steps.append("freeze"))
    with pytest.raises(SystemExit) as stop:
        serve.main(["--server.port", "8599"])
    assert stop.value.code == 0
    assert steps == ["warm up", "freeze"]  # what lives as long as the server, out of gc's way
    app = str(Path("dashboard/app.py").resolve())
    watcher = ["--server.fileWatcherType", "none"]  # a running app does not edit itself
    assert seen == [["streamlit", "run", app, "--server.port", "8599", *watcher]]
    seen.clear()
    with pytest.raises(SystemExit):
        serve.main(["--server.fileWatcherType", "auto"])
    assert seen == [["streamlit", "run", app, "--server.fileWatcherType", "auto"]]


def test_preloading_imports_the_libraries_but_not_scikit_learn() -> None:
    code = (
        "import sys; from dashboard import serve; serve.preload(); "
        "print(all(m in sys.modules for m in serve.PRELOAD), 'sklearn' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "False"]


def test_the_warm_up_fills_the_caches_a_first_visit_reads(tmp_path, monkeypatch) -> None:
    from datetime import UTC, datetime

    from analytics.config import load_config
    from analytics.demo import generate_demo
    from analytics.precompute import refresh_results
    from analytics.warehouse import facts, write_tables
    from dashboard import data

    db, config = tmp_path / "warehouse.duckdb", Path("data/sla.toml")
    cfg = load_config(config)
    end = datetime(2026, 11, 10, 12, tzinfo=UTC)
    write_tables(db, generate_demo(cfg, leads=300, seed=3, end=end), source="test", config=cfg)
    refresh_results(db, cfg, scoring=False)
    monkeypatch.setenv("SLA_DB", str(db))
    monkeypatch.setenv("SLA_CONFIG", str(config))
    warmed = serve.warm_up()
    assert {"months", "review 2026-10", "kpi_history 2026-10", "pack 2026-10", "alerts",
            "bucket_conversion"} <= set(warmed)  # fmt: skip
    assert "thresholds" not in warmed  # not stored: computing is for the page that needs it

    def asked(*args, **kwargs):
        raise AssertionError("a first visit asked the warehouse again")

    monkeypatch.setattr(facts, "lead_months", asked)
    monkeypatch.setattr(facts, "filter_values", asked)
    monkeypatch.setattr("analytics.precompute.stored", asked)
    monkeypatch.setattr("analytics.review.build_review", asked)
    assert data.months()[0] == "2026-11"
    assert data.default_month() == "2026-10"
    assert data.filter_options()["team"]
    assert data.review("2026-10").month == "2026-10"
    assert data.kpi_trend("2026-10")["month"].n_unique() == 12
    assert data.pack("2026-10").review.month == "2026-10"
    assert data.alerts(8.0, 3.0)["alerts"] is not None  # At risk's default horizons
    assert data.bucket_conversion() is not None  # Handoffs


def test_the_warm_up_checks_what_is_stored_without_reading_it(tmp_path, monkeypatch) -> None:
    """Only what it warms is read, once: a 10M review is 26 MB to decode."""
    import analytics.precompute as precompute
    from analytics.config import load_config
    from analytics.demo import generate_demo
    from analytics.precompute import refresh_results
    from analytics.warehouse import write_tables

    db, config = tmp_path / "warehouse.duckdb", Path("data/sla.toml")
    cfg = load_config(config)
    end = datetime(2026, 11, 10, 12, tzinfo=UTC)
    write_tables(db, generate_demo(cfg, leads=300, seed=3, end=end), source="test", config=cfg)
    refresh_results(db, cfg)
    monkeypatch.setenv("SLA_DB", str(db))
    monkeypatch.setenv("SLA_CONFIG", str(config))
    reads: list[tuple[str, str]] = []
    real = precompute.stored
    monkeypatch.setattr(
        precompute, "stored", lambda con, kind, **kw: reads.append((kind, kw["month"])) or real(
            con, kind, **kw)
    )  # fmt: skip
    warmed = serve.warm_up()
    assert "thresholds" in warmed and "score_quality" in warmed
    assert sorted(reads) == sorted(set(reads))  # none read twice
    assert ("review", "2026-09") in reads  # the pack's comparison month: read by the pack


def test_a_warehouse_that_is_not_there_warms_nothing(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SLA_DB", str(tmp_path / "none.duckdb"))
    monkeypatch.setenv("SLA_CONFIG", "data/sla.toml")
    assert serve.warm_up() == []


def test_a_connection_evicted_from_the_cache_stays_open_for_the_tables_read_through_it(
    tmp_path,
) -> None:
    """The connection cache holds four entries, the tables' cache its own four: a process
    that opened more warehouses re-creates an evicted connection, which closed the one the
    still-cached tables scan (a qualification page then failed, "Connection already
    closed")."""
    import shutil

    from analytics.config import load_config
    from analytics.demo import generate_demo
    from analytics.warehouse import write_tables
    from dashboard import data

    first = tmp_path / "w0.duckdb"
    cfg = load_config(Path("data/sla.toml"))
    end = datetime(2026, 11, 10, 12, tzinfo=UTC)
    write_tables(first, generate_demo(cfg, leads=120, seed=3, end=end), source="test", config=cfg)
    keys = []
    for i in range(6):
        db = tmp_path / f"w{i}.duckdb"
        if i:
            shutil.copy(first, db)
        keys.append((str(db.resolve()), data._mtime(db)))
    tables = data._tables(keys[0])  # activities stay a scan through the connection
    for key in keys[1:]:
        data._connection(*key)  # evicts the first warehouse's connection from the cache
    data._connection(*keys[0])  # opened again: the tables' scan must still work
    assert tables.activities.collect().height > 0


def test_no_page_relies_on_streamlits_magic() -> None:
    """``.streamlit/config.toml`` turns Streamlit's magic off (it rewrote every page's syntax
    tree on its first compile): a bare expression in a page's script would then show
    nothing, so there is none, only calls (``st.*``) and docstrings."""
    import ast
    import tomllib

    root = Path(__file__).resolve().parent.parent
    settings = tomllib.loads((root / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert settings["runner"]["magicEnabled"] is False
    shown_by_magic = []
    for script in [
        root / "dashboard" / "app.py",
        *sorted((root / "dashboard" / "views").glob("*.py")),
    ]:
        tree = ast.parse(script.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0])
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            and node.body
        }
        shown_by_magic += [
            f"{script.name}:{node.lineno}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Expr)
            and not isinstance(node.value, ast.Call | ast.Await | ast.Yield | ast.YieldFrom)
            and id(node) not in docstrings
        ]
    assert shown_by_magic == []
