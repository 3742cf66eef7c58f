"""`sla demo`: a warehouse and, with --out, the same data as a canonical folder."""

from __future__ import annotations

import json

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from typer.testing import CliRunner

from analytics.cli import app
from analytics.schema import TABLES
from analytics.warehouse import import_canonical, read_core_table

runner = CliRunner()


def _core(db) -> dict[str, pl.DataFrame]:
    return {name: read_core_table(db, name).sort(list(TABLES[name].key)) for name in TABLES}


def test_demo_writes_a_warehouse_whose_canonical_folder_imports_back_identically(tmp_path):
    db, out = tmp_path / "demo.duckdb", tmp_path / "canonical"
    res = runner.invoke(
        app,
        [
            "demo",
            "--leads",
            "400",
            "--seed",
            "3",
            "--end",
            "2026-10-31",
            "--db",
            str(db),
            "--out",
            str(out),
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["tables"]["leads"] == 400
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{t}.csv" for t in TABLES)

    again = tmp_path / "again.duckdb"
    result = import_canonical(again, out)
    assert result.rejected == []
    original, reimported = _core(db), _core(again)
    for name in TABLES:
        assert_frame_equal(reimported[name], original[name], check_exact=False)

    info = json.loads(runner.invoke(app, ["info", "--db", str(db), "--json"]).stdout)
    assert info["tables"]["leads"] == 400
    assert info["as_of"] <= "2026-11-01T00:00:00Z"  # --end is the last day of data
    assert "warning" not in res.stderr  # it ends before the load


def test_demo_rejects_a_bad_end_date(tmp_path):
    res = runner.invoke(
        app, ["demo", "--leads", "100", "--end", "31.10.2026", "--db", str(tmp_path / "d.duckdb")]
    )
    assert res.exit_code == 2
    assert "--end '31.10.2026' is not a date YYYY-MM-DD" in res.stderr


@pytest.mark.parametrize(
    "days",
    [
        200,  # months after the load: written, never shown
        0,  # today runs through its whole day: the rows after the load are not shown
    ],
)
def test_demo_warns_when_end_runs_past_its_own_load(tmp_path, days):
    """`sla demo --end 2027-06-30` wrote 7 months past its own load without a word, and
    `sla info` then read as_of at the load. Re-audit (a), L1."""
    from datetime import UTC, datetime, timedelta

    from analytics.warehouse import connect_readonly
    from analytics.warehouse.facts import last_import

    end = (datetime.now(UTC).date() + timedelta(days=days)).isoformat()
    db = tmp_path / "d.duckdb"
    res = runner.invoke(app, ["demo", "--leads", "100", "--end", end, "--db", str(db)])
    assert res.exit_code == 0, res.output  # done, as an import with rows dated after it
    con = connect_readonly(db)
    try:
        loaded = last_import(con).astimezone(UTC)
    finally:
        con.close()
    warning = (
        f"warning: --end {end}: the demo's data runs through that day, past this load "
        f"({loaded:%Y-%m-%d %H:%M} UTC); its rows dated after the load are written, but the "
        "data counts as known only until the load, so they are not shown (leave --end out "
        "for data until today)"
    )
    assert [line for line in res.stderr.splitlines() if "warning" in line] == [warning]


def test_a_demo_written_in_chunks_is_the_chunks_appended_and_logged_once(tmp_path):
    from datetime import UTC, datetime

    from analytics.config import load_config
    from analytics.demo import generate_demo_chunks
    from analytics.warehouse import connect_readonly, loads, write_tables

    cfg, end = load_config("data/sla.toml"), datetime(2026, 6, 1, tzinfo=UTC)
    chunks = lambda: generate_demo_chunks(cfg, leads=250, seed=3, end=end, chunk_leads=100)  # noqa: E731
    db = tmp_path / "chunked.duckdb"
    written = write_tables(db, chunks(), source="test chunks", config=cfg)
    expected: dict[str, list[pl.DataFrame]] = {}
    for chunk in chunks():
        for name, frame in chunk.items():
            expected.setdefault(name, []).append(frame)
    core = _core(db)
    for name, frames in expected.items():
        whole = pl.concat(frames).sort(list(TABLES[name].key))
        assert_frame_equal(core[name], whole, check_exact=False)
        assert written[name] == whole.height
    con = connect_readonly(db)
    try:
        log = loads(con)
    finally:
        con.close()
    assert log.height == len(TABLES)  # one load per table, not per chunk
    assert dict(zip(log["table_name"], log["rows_loaded"], strict=True)) == written


def test_demo_refuses_a_canonical_folder_it_would_have_to_build_in_chunks(tmp_path):
    res = runner.invoke(
        app,
        ["demo", "--leads", "2000001", "--db", str(tmp_path / "d.duckdb"), "--out", str(tmp_path)],
    )
    assert res.exit_code == 2
    assert "--out: a canonical folder is written for up to 2,000,000 leads" in res.stderr
    assert not (tmp_path / "d.duckdb").exists()


def test_a_chunked_write_that_fails_after_committed_chunks_leaves_the_warehouse_as_it_was(
    tmp_path,
):
    from datetime import UTC, datetime

    from analytics.config import load_config
    from analytics.demo import generate_demo_chunks
    from analytics.warehouse import write_tables

    cfg, end = load_config("data/sla.toml"), datetime(2026, 6, 1, tzinfo=UTC)
    db = tmp_path / "w.duckdb"
    write_tables(db, generate_demo_chunks(cfg, leads=150, seed=1, end=end), source="old")
    before = db.read_bytes()

    def chunks_then_a_failure():
        # each chunk is committed to the staged copy before the next one is asked for
        yield from generate_demo_chunks(cfg, leads=250, seed=3, end=end, chunk_leads=100)
        raise RuntimeError("generator died")

    with pytest.raises(RuntimeError, match="generator died"):
        write_tables(db, chunks_then_a_failure(), source="new")
    assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.duckdb", "w.duckdb.lock"]
