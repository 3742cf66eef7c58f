"""Bringing one's own CRM export: what a preview shows, and an import that lands in the
demo's warehouse (audit 2026-12-06 notebooks, M4 and M7; notebook 05 itself runs in
tests/test_notebooks.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from export_support import ADDRESS, HUBSPOT, PHONE, hubspot_with_personal_columns
from typer.testing import CliRunner

from analytics.cli import app
from analytics.warehouse import connect_readonly
from analytics.warehouse.adapters import import_export, preview_export, read_export
from analytics.warehouse.facts import demo_source

runner = CliRunner()


def _cells_text(export) -> str:
    return "\n".join(
        json.dumps(b.cells.to_dicts(), default=str) for b in export.batches if hasattr(b, "cells")
    )


def test_the_preview_shows_what_the_import_stores_not_the_addresses_it_masks(tmp_path):
    export_dir = hubspot_with_personal_columns(tmp_path / "hubspot")
    raw = _cells_text(read_export(export_dir, fmt="hubspot", salt="s"))
    assert "anna.schmidt@example.de" in raw  # what the adapter reads: masked only at load
    preview = preview_export(export_dir, fmt="hubspot", salt="s")
    shown = _cells_text(preview)
    assert not ADDRESS.search(shown), ADDRESS.search(shown)
    assert not PHONE.search(shown), PHONE.search(shown)
    leads = next(b for b in preview.batches if b.table == "leads")
    assert json.loads(leads.cells["_extra"][0])["remark"] == "reach me: [email] / [phone]"
    # the same columns the import reports
    stored = import_export(tmp_path / "w.duckdb", export_dir, fmt="hubspot")
    assert preview.masked_columns == stored.masked_columns == {"contacts.csv": ["remark"]}
    assert preview.dropped_columns["contacts.csv"] == stored.dropped_columns["contacts.csv"]
    assert {"mobile phone number", "secondary email", "notes"} <= set(
        preview.dropped_columns["contacts.csv"]
    )


def _demo(db: Path) -> None:
    made = runner.invoke(app, ["demo", "--leads", "100", "--seed", "3", "--db", str(db)])
    assert made.exit_code == 0, made.output


def test_an_import_into_the_demos_warehouse_warns_naming_both(tmp_path):
    """`sla import --format hubspot FOLDER` after `make demo` merged the export into the
    demo without a word (audit 2026-12-06 notebooks M4)."""
    db = tmp_path / "warehouse.duckdb"
    _demo(db)
    with connect_readonly(db) as con:
        assert demo_source(con) == "sla demo --leads 100 --seed 3"
    args = ["import", "--format", "hubspot", str(HUBSPOT), "--db", str(db)]
    run = runner.invoke(app, args)
    assert run.exit_code == 1  # the example export has rows to quarantine
    said = " ".join(run.stderr.split())
    assert (
        f"warning: {db} holds the demo's data (sla demo --leads 100 --seed 3); this import "
        f"(--format hubspot {HUBSPOT}) added 8 accounts, 6 reps, 9 leads, 19 lifecycle_events, "
        "14 sales_touches, 7 opportunities to it, so every page, review and notebook on this "
        "warehouse now counts the demo's data and the import's as one company. To review the "
        "export alone, import it into a warehouse of its own (--db NEW.duckdb)"
    ) in said
    assert f"`sla purge --load 2 --db {db}` takes this import out of {db} again" in said
    # as JSON too: the warning on standard error, the demo and the load in the document
    again = tmp_path / "again.duckdb"
    _demo(again)
    run = runner.invoke(app, [*args[:-1], str(again), "--json"])
    assert json.loads(run.stdout)["into_demo"] == {
        "demo": "sla demo --leads 100 --seed 3",
        "load": 2,
    }
    assert "holds the demo's data" in run.stderr
    # the purge it names takes the export out again: the demo's leads alone
    purged = runner.invoke(app, ["purge", "--load", "2", "--db", str(again)])
    assert purged.exit_code == 0, purged.output
    info = json.loads(runner.invoke(app, ["info", "--db", str(again), "--json"]).stdout)
    assert info["tables"]["leads"] == 100


@pytest.mark.parametrize("into", ["new", "own", "demo_again"])
def test_no_warning_where_nothing_is_mixed_with_the_demo(tmp_path, into):
    db = tmp_path / "warehouse.duckdb"
    args = ["import", "--format", "hubspot", str(HUBSPOT), "--db", str(db)]
    if into == "own":  # a warehouse of its own, imported into again
        runner.invoke(app, args)
    if into == "demo_again":  # the demo's own canonical folder again: nothing added
        out = tmp_path / "canonical"
        made = runner.invoke(app, ["demo", "--leads", "100", "--db", str(db), "--out", str(out)])
        assert made.exit_code == 0, made.output
        args = ["import", str(out), "--db", str(db)]
    run = runner.invoke(app, args)
    assert "demo's data" not in run.stderr
    with connect_readonly(db) as con:
        assert (demo_source(con) is None) == (into != "demo_again")
