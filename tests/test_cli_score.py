"""`sla score report` / `train` read the warehouse lazily (out of core), with the same result."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analytics.cli import _plain, app
from analytics.config import load_config
from analytics.tables import Tables

runner = CliRunner()


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from analytics.demo import generate_demo
    from analytics.warehouse import write_tables

    path = tmp_path_factory.mktemp("score-lazy") / "demo.duckdb"
    frames = generate_demo(
        load_config("data/sla.toml"), leads=2000, seed=3, end=datetime(2026, 11, 1)
    )
    write_tables(path, frames, source="test")
    return path


def _no_collect(self: Tables) -> Tables:
    raise AssertionError("the score commands must not collect the whole warehouse")


def test_report_reads_lazily_and_equals_the_report_on_collected_tables(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from analytics.scoring.model import load_model
    from analytics.scoring.report import score_report
    from analytics.warehouse import connect_readonly, latest_timestamp, load_tables

    with monkeypatch.context() as patch:
        patch.setattr(Tables, "collect", _no_collect)
        trained = runner.invoke(app, ["score", "train", "--db", str(demo_db), "--json"])
        assert trained.exit_code == 0, trained.output
        model_path = json.loads(trained.stdout)["path"]
        res = runner.invoke(
            app, ["score", "report", "--db", str(demo_db), "--model", model_path, "--json"]
        )
    assert res.exit_code == 0, res.output
    con = connect_readonly(demo_db)
    try:
        tables, moment = load_tables(con).collect(), latest_timestamp(con)
    finally:
        con.close()
    cfg = load_config("data/sla.toml")
    expected = score_report(tables, cfg, as_of=moment, model=load_model(Path(model_path)))
    assert json.loads(res.stdout) == json.loads(json.dumps(_plain(expected)))


def test_empty_warehouse_exits_2_naming_it(tmp_path: Path) -> None:
    from analytics.warehouse.database import updating

    db = tmp_path / "empty.duckdb"
    with updating(db):
        pass
    for command in ("report", "train"):
        res = runner.invoke(app, ["score", command, "--db", str(db), "--json"])
        assert res.exit_code == 2, res.output
        assert f"{db}: the warehouse is empty; nothing to score" in " ".join(res.stderr.split())
        assert res.stdout == ""
