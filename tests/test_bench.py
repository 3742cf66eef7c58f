"""The benchmark harness runs and records (no timing assertions: figures are never tested)."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

import bench
from bench.__main__ import _row, main, table_rows
from bench.browser import BUSY_PARTS
from bench.ops import FIRST_VISIT_PAGES, OPS, Budget
from bench.report import markdown


@pytest.mark.parametrize(
    ("text", "leads"),
    [("10k", 10_000), ("100K", 100_000), ("1m", 1_000_000), ("10m", 10_000_000), ("500", 500)],
)
def test_parse_scale(text: str, leads: int) -> None:
    assert bench.parse_scale(text) == leads
    assert bench.parse_scale(bench.scale_label(leads)) == leads


@pytest.mark.parametrize(
    ("text", "message"), [("ten", "not a number of leads"), ("50", "at least 100")]
)
def test_parse_scale_rejects(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        bench.parse_scale(text)


@pytest.mark.parametrize(
    ("budget", "median_s", "peak_mb", "verdict"),
    [
        (Budget(90, 4), 60.0, 3000.0, True),
        (Budget(90, 4), 60.0, 5000.0, False),  # 5000 MB > 4 GB = 4096 MB
        (Budget(90, 4), 95.0, 100.0, False),
        (Budget(0.15), 0.149, 99999.0, True),  # no memory limit
        (Budget(0.15), None, None, None),  # not measured
    ],
)
def test_budget_verdict(budget: Budget, median_s, peak_mb, verdict) -> None:
    assert budget.verdict(median_s, peak_mb) is verdict


def test_row_ratio_rows_per_second_and_verdict() -> None:
    ws = {"counts": {name: 0 for name in ("accounts", "web_traffic")} | {"leads": 1000}}
    figures = {
        "status": "ok",
        "median_s": 0.5,
        "times_s": [0.4, 0.5, 0.6],
        "peak_rss_mb": 100.0,
        "lower_bound": {"median_s": 0.1},
    }
    row = _row(OPS["demo"], ws, 1_000_000, figures)
    # rows = 0 + 0 + 1000 (every table for demo); 1000 / 0.5 s; 0.5 / 0.1; < 90 s and < 4 GB
    assert (row["rows"], row["rows_per_s"], row["ratio"]) == (1000, 2000.0, pytest.approx(5.0))
    assert row["budget"] == "< 90 s, < 4 GB"
    assert row["budget_pass"] is True
    assert table_rows([row])[0][:3] == ["demo", "1m", "500 ms"]
    assert table_rows([row])[0][-2:] == ["< 90 s, < 4 GB", "pass"]


def test_a_floor_is_reported_beside_the_verdict() -> None:
    ws = {"counts": {"leads": 1000}}
    figures = {
        "status": "ok",
        "median_s": 40.0,
        "times_s": [40.0],
        "peak_rss_mb": 5000.0,
        "lower_bound": {"median_s": 5.0},
        "floor": {"median_s": 16.0},
    }
    # 10M has a memory budget (4 GB: FAIL at 5,000 MB); 1M none: the floor alone
    assert table_rows([_row(OPS["import"], ws, 10_000_000, figures)])[0][-1] == (
        "FAIL; spec floor 16.00 s: 2.5x"
    )
    row = _row(OPS["import"], ws, 1_000_000, figures)
    assert (row["ratio"], row["floor_ratio"]) == (8.0, 2.5)
    assert table_rows([row])[0][-1] == "spec floor 16.00 s: 2.5x"
    assert _row(OPS["demo"], ws, 1_000_000, figures | {"floor": None})["floor_ratio"] is None


def test_unavailable_operation_is_reported_not_faked() -> None:
    row = _row(OPS["review"], None, 10_000, {"status": "not available", "reason": "not yet"})
    assert row["budget_pass"] is None and "median_s" not in row
    assert table_rows([row])[0][2:3] == ["not available"]


def test_harness_runs_one_operation_and_writes_results(tmp_path, capsys) -> None:
    results = tmp_path / "results.json"
    argv = ["--scale", "300", "--ops", "demo", "--repeat", "1", "--max-seconds", "1"]
    assert main([*argv, "--out", str(tmp_path / "out"), "--results", str(results)]) == 0
    document = json.loads(results.read_text())
    assert document["machine"]["cores"] >= 1
    assert set(document["machine"]["versions"]) >= {"polars", "duckdb", "streamlit"}
    assert document["scales"]["300"]["counts"]["leads"] == 300
    (row,) = document["results"]
    assert (row["op"], row["scale"], row["status"]) == ("demo", "300", "ok"), row.get("reason")
    assert len(row["times_s"]) == 1 and row["median_s"] > 0 and row["peak_rss_mb"] > 0
    assert row["lower_bound"]["sql"][0].startswith("SELECT * FROM w.core.")
    assert row["ratio"] == pytest.approx(row["median_s"] / row["lower_bound"]["median_s"])
    assert "demo" in capsys.readouterr().out
    table = markdown([document]).splitlines()
    assert table[0].startswith("| operation | scale | median |")
    assert table[2].startswith("| demo | 300 | ") and table[-1].startswith("Machine: ")


def test_large_scales_are_built_from_chunks_with_distinct_ids(tmp_path, monkeypatch) -> None:
    import duckdb

    import analytics.demo
    import bench.workspace as workspace

    monkeypatch.setattr(analytics.demo, "CHUNK_LEADS", 200)
    ws = workspace.build_workspace(tmp_path, 500)  # chunks of 200, 200 and 100 leads
    con = duckdb.connect(ws.db, read_only=True)

    def one(sql: str) -> list[tuple]:
        return con.execute(sql).fetchall()

    try:
        distinct, total = one("SELECT count(DISTINCT lead_id), count(*) FROM core.leads")[0]
        chunks = one("SELECT DISTINCT split_part(lead_id, '.', 1) FROM core.leads ORDER BY 1")
        orphans = one(
            "SELECT count(*) FROM core.lifecycle_events e ANTI JOIN core.leads l USING (lead_id)"
        )[0][0]
        traffic_keys = one("SELECT count(DISTINCT (date, source)) FROM core.web_traffic")[0][0]
    finally:
        con.close()
    assert (distinct, total) == (500, 500)
    assert chunks == [("c0",), ("c1",), ("c2",)]
    assert orphans == 0  # every event's lead id got the same prefix as its lead
    assert ws.counts["reps"] == 11  # one sales team shared by the chunks
    assert traffic_keys == ws.counts["web_traffic"]  # visitors summed per (date, source)
    assert ws.month == "2026-10"


@pytest.mark.browser
def test_browser_operations_are_timed_and_leave_no_process_behind(tmp_path) -> None:
    """The app's operations in chromium, one harness run of each (one workspace): the
    first visit of a page, a click from page to page, a slider step and a rerun."""
    import psutil

    from analytics.config import load_config
    from bench.browser import browser_missing

    if browser_missing():
        pytest.skip(browser_missing())
    results, out = tmp_path / "results.json", tmp_path / "out"
    ops = ["app_first_visit_overview", "app_navigate", "app_slider_browser", "app_rerun_browser"]
    argv = ["--scale", "300", "--ops", ",".join(ops), "--repeat", "1", "--max-seconds", "1"]
    assert main([*argv, "--out", str(out), "--results", str(results)]) == 0
    rows = json.loads(results.read_text())["results"]
    assert [(r["op"], r["status"]) for r in rows] == [(op, "ok") for op in ops], rows
    first, navigate, *keyed = rows
    # one fresh server per run, the page's own time reported (the part, "timed_s", is popped)
    assert [p["page"] for p in first["parts"]] == ["overview"] * len(first["times_s"])
    # the server started as `make run` starts it: through the launcher, libraries imported
    assert {p["server"] for p in first["parts"]} == {"dashboard.serve"}
    assert all(t > 0 for t in first["times_s"])
    # chromium's busy time, its script, layout and style parts, and the page's elements
    for part in first["parts"]:
        split = [part[key] for key in BUSY_PARTS]
        assert all(s > 0 for s in split) and sum(split) <= part["task_s"]
        assert part["nodes"] > 100
    # every page of the menu was visited once to warm up, then the clicks were timed
    assert len(navigate["setup_parts"]["warm_up_s"]) == len(FIRST_VISIT_PAGES)
    assert [p["page"] for p in navigate["parts"]] == ["1 Shared goals", "2 Definitions"][
        : len(navigate["parts"])
    ]
    assert all(p["page_s"] > 0 for p in navigate["parts"])
    for row in keyed:
        (part,) = row["parts"]  # one timed key press, as the page measured it
        assert len(row["times_s"]) == 1 and row["median_s"] >= part["page_s"] > 0
        assert part["frontend_s"] + part["server_s"] + part["draw_s"] == pytest.approx(
            part["page_s"], abs=0.002
        )
        # the peak counts the server and the browser, not only the benchmark's process
        assert row["rss_of"] == "tree" and row["peak_rss_mb"] > row["setup_peak_rss_mb"]
        assert row["setup_parts"]["first_load_s"] > 0 and row["lower_bound"]["median_s"] > 0
    current = load_config("data/sla.toml").scoring.mql_threshold  # the slider starts there
    assert keyed[0]["setup_parts"]["thresholds"] == [current, current + 1]
    # nothing that the operations started (server, chromium) runs on
    left = []
    for process in psutil.process_iter():
        with contextlib.suppress(psutil.Error):
            if process.environ().get("SLA_DB", "").startswith(str(out)):
                left.append(process.cmdline()[:3])
    assert left == []


@pytest.mark.browser
def test_pair_opens_a_page_in_each_checkout_in_turns(tmp_path) -> None:
    """``python -m bench.pair`` opens a page in each checkout in turns and reports, per
    checkout, the medians of the wall time, chromium's busy time (and its parts) and the
    elements. (A process of its own, as it is run: Playwright's sync API runs one per
    process, and the browser tests' chromium may be this worker's.)"""
    from bench.browser import browser_missing
    from bench.pair import MEDIANS

    if browser_missing():
        pytest.skip(browser_missing())
    out, paired = tmp_path / "out", tmp_path / "pair.json"
    # the workspace is built by the harness (pair reads a cached one); its results stay in
    # tmp_path, never over the checkout's bench/results.json
    argv = ["--scale", "300", "--ops", "info", "--repeat", "1", "--out", str(out)]
    assert main([*argv, "--results", str(tmp_path / "results.json")]) == 0
    checkouts = [".", str(Path.cwd())]  # the same code twice, as two checkouts
    argv = [*checkouts, "--pages", "at_risk", "--runs", "1", "--scale", "300", "--out", str(out)]
    paired_run = subprocess.run(
        [sys.executable, "-m", "bench.pair", *argv, "--results", str(paired)],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert paired_run.returncode == 0, paired_run.stderr[-2000:]
    rows = json.loads(paired.read_text())["rows"]
    assert [(r["page"], r["checkout"], r["runs"]) for r in rows] == [
        ("at_risk", checkout, 1) for checkout in checkouts
    ]  # a row a checkout
    assert all(rows[0][k] > 0 for k in MEDIANS) and rows[0]["nodes"] > 100
    assert "at_risk" in paired_run.stdout


def test_score_report_is_timed_with_a_saved_model(tmp_path) -> None:
    """The goal is `sla score report` "with a saved model": the setup trains one first."""
    from analytics.scoring.model import latest_model, models_dir

    results, out = tmp_path / "results.json", tmp_path / "out"
    argv = ["--scale", "2000", "--ops", "score_cli", "--repeat", "1", "--max-seconds", "1"]
    assert main([*argv, "--out", str(out), "--results", str(results)]) == 0
    (row,) = json.loads(results.read_text())["results"]
    assert (row["op"], row["status"]) == ("score_cli", "ok"), row.get("reason")
    assert row["rss_of"] == "child"  # the report's process, not the training of the setup
    assert latest_model(models_dir(out / "2k" / "warehouse.duckdb")) is not None


def test_stored_results_refresh_has_its_own_operation(tmp_path) -> None:
    """`sla import` stores the app's results after the load: timed apart, never hidden."""
    import duckdb

    results, out = tmp_path / "results.json", tmp_path / "out"
    argv = ["--scale", "300", "--ops", "precompute", "--repeat", "1", "--max-seconds", "1"]
    assert main([*argv, "--out", str(out), "--results", str(results)]) == 0
    (row,) = json.loads(results.read_text())["results"]
    assert (row["op"], row["status"]) == ("precompute", "ok"), row.get("reason")
    (part,) = row["parts"]
    assert part["results"] > 0 and part["bytes"] > 0
    con = duckdb.connect(str(out / "300" / "warehouse.duckdb"), read_only=True)
    try:  # the refreshes wrote a copy: the workspace's warehouse is as it was built
        assert con.execute("SELECT count(*) FROM meta.precomputed").fetchall() == [(0,)]
    finally:
        con.close()


def test_import_is_timed_in_a_process_of_its_own(tmp_path) -> None:
    """The import's peak RSS is its own (the setup holding each table to write the folder
    does not count), and its lower bound reads the same canonical files."""
    results, out = tmp_path / "results.json", tmp_path / "out"
    argv = ["--scale", "300", "--ops", "import", "--repeat", "2", "--max-seconds", "60"]
    assert main([*argv, "--out", str(out), "--results", str(results)]) == 0
    (row,) = json.loads(results.read_text())["results"]
    assert (row["op"], row["status"]) == ("import", "ok"), row.get("reason")
    assert row["rss_of"] == "child"  # its own peak, not the setup's size (run_child)
    assert row["peak_rss_mb"] == max(part["peak_rss_mb"] for part in row["parts"])
    workspace = json.loads(results.read_text())["scales"]["300"]["counts"]
    assert [part["rows_loaded"] for part in row["parts"]] == [sum(workspace.values())] * 2
    assert row["setup_parts"]["write_canonical_s"] > 0
    assert "read_csv('{tmp}/canonical/leads.csv')" in " ".join(row["lower_bound"]["sql"])
    # the spec's least import (raw text with a content hash, and typed core) is timed beside
    floor = " ".join(row["floor"]["sql"])
    assert "read_csv('{tmp}/canonical/leads.csv', all_varchar = true)" in floor
    assert "md5(to_json(r)) AS _row_hash" in floor and row["floor"]["median_s"] > 0
    assert row["floor_ratio"] == pytest.approx(row["median_s"] / row["floor"]["median_s"])


def test_a_child_process_reports_its_own_peak_not_its_starters() -> None:
    """Started straight from a large process, a child's ``ru_maxrss`` begins at that
    process's size (the 10M import read 9.9 GB: its setup's); through ``run_child`` it
    is the child's own."""
    import os
    import subprocess
    import sys

    from bench.ops import run_child

    held = bytearray(600 * 2**20)  # the setup's tables, touched so that they are resident
    held[::4096] = b"x" * len(held[::4096])
    small = [sys.executable, "-S", "-c", "data = bytearray(40 * 2**20); print('done')"]
    straight = subprocess.Popen(small, stdout=subprocess.DEVNULL)
    _, _, usage = os.wait4(straight.pid, 0)
    assert usage.ru_maxrss / 1024 > 600  # the starter's size, the reason for run_child
    stdout, figures = run_child(small)
    assert stdout == "done\n"
    assert 40 < figures["peak_rss_mb"] < 200
    assert figures["timed_s"] > 0 and figures["cpu_s"] > 0
    del held


def test_a_failing_child_process_names_its_command_and_error() -> None:
    import sys

    from bench.ops import run_child

    with pytest.raises(RuntimeError, match=r"exited 3: .*no such table"):
        run_child(
            [
                sys.executable,
                "-c",
                "import sys; print('no such table: x', file=sys.stderr); sys.exit(3)",
            ]
        )
