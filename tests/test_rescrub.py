"""A warehouse written under older privacy rules is brought to today's: every stored cell,
every byte of the file (analytics.warehouse.rescrub).

Each test builds a tiny warehouse with today's code, then plants what an older version of
the rules let through directly into raw, core and the quarantine (an id holding a phone
number, a phone number glued to a word) and records the rules as older, as such a
warehouse would be.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from test_privacy import _scan, _write, _write_rows
from typer.testing import CliRunner

from analytics import cli
from analytics.warehouse.adapters import import_export
from analytics.warehouse.database import file_identity
from analytics.warehouse.privacy import PRIVACY_RULES, hash_text

runner = CliRunner()

#: What older rules kept in clear: a lead's id holding a phone number, a phone number glued
#: to the word before it (in a campaign, and in a rejected cell).
OLD_ID = "Tel 0171 5550431"
GLUED = "x+4917155504032"
GLUED_REJECTED = "x+4917155504033"
#: Digit runs of each: none may be left in any byte of the file.
NEEDLES = ["0171 5550431", "5550431", "4917155504032", "4917155504033"]
HASHED = hash_text(OLD_ID, "test")


@pytest.fixture(autouse=True)
def _salt(monkeypatch):
    monkeypatch.setenv("SLA_HASH_SALT", "test")


def _first(root: Path, *, planted: bool = False) -> Path:
    """The first files; ``planted``: as they were when the older rules stored them so
    (the values :func:`_plant` puts in)."""
    d = root / ("planted" if planted else "first")
    lead2, herbst, nope = (
        (OLD_ID, f"Herbst {GLUED}", f"nope {GLUED_REJECTED}")
        if planted
        else ("L2", "Herbst", "nope")
    )
    _write(
        d / "leads.csv",
        "lead_id,created_at,source,campaign\n"
        f"L1,2026-10-05,email,{herbst}\n{lead2},2026-10-05,email,Winter\nL3,2026-10-06,event,\n",
    )
    _write(
        d / "lifecycle_events.csv",
        f"lead_id,stage,entered_at\nL1,mql,2026-10-06\n{lead2},mql,2026-10-06\n"
        f"{lead2},{nope},2026-10-07\n",
    )
    _write(d / "reps.csv", "rep_id,name,team\nr1,Rep One,sdr\n")
    _write(
        d / "sales_touches.csv",
        "touch_id,lead_id,rep_id,occurred_at,channel,outcome,note\n"
        f"T1,{lead2},r1,2026-10-06T10:00:00Z,phone,no_answer,später\n",
    )
    return d


def _plant(
    db: Path,
    *,
    rules: int | None = None,
    old_id: str = OLD_ID,
    campaign: str = f"Herbst {GLUED}",
    rejected: str = f"nope {GLUED_REJECTED}",
    note: str | None = None,
) -> None:
    """What an older version of the rules stored: L2's id in clear as ``old_id`` (in raw
    and core, in every table naming it), ``campaign`` as L1's campaign, ``rejected`` in the
    rejected cell, ``note`` (None: as it was) as the note of L2's touch; and the rules
    recorded as ``rules`` (None: none recorded)."""
    con = duckdb.connect(str(db))
    try:
        for schema in ("raw", "core"):
            if note is not None:
                con.execute(
                    f"UPDATE {schema}.sales_touches SET note = ? WHERE trim(lead_id) = 'L2'",
                    [note],
                )
            for table in ("leads", "lifecycle_events", "sales_touches"):
                con.execute(
                    f"UPDATE {schema}.{table} SET lead_id = ? WHERE trim(lead_id) = 'L2'", [old_id]
                )
            con.execute(
                f"UPDATE {schema}.leads SET campaign = ? WHERE trim(lead_id) = 'L1'", [campaign]
            )
        con.execute("UPDATE meta.quarantine SET value = ? WHERE \"column\" = 'stage'", [rejected])
        con.execute("DELETE FROM meta.privacy_rules")
        if rules is not None:
            con.execute("INSERT INTO meta.privacy_rules VALUES (?, now(), NULL, 0)", [rules])
    finally:
        con.close()


def _planted(tmp_path: Path, *, rules: int | None = None) -> Path:
    db = tmp_path / "w.duckdb"
    import_export(db, _first(tmp_path))
    _plant(db, rules=rules)
    assert _scan(db, NEEDLES) == sorted(NEEDLES)  # the scan sees what was planted
    return db


def _rows(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _review(db: Path) -> dict:
    res = runner.invoke(cli.app, ["review", "--month", "2026-10", "--db", str(db), "--json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_the_next_import_brings_every_stored_cell_to_the_rules_first(tmp_path):
    db = _planted(tmp_path, rules=PRIVACY_RULES - 1)
    d = tmp_path / "second"
    _write_rows(
        d / "leads.csv", [["lead_id", "created_at", "source"], ["L4", "2026-10-07", "email"]]
    )
    _write_rows(  # the planted lead again, as today's import hashes it: it joins
        d / "lifecycle_events.csv",
        [["lead_id", "stage", "entered_at"], [OLD_ID, "sql", "2026-10-08"]],
    )
    res = runner.invoke(cli.app, ["import", str(d), "--db", str(db), "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["loaded"] == {"leads": 1, "lifecycle_events": 1}
    assert doc["privacy_rules"] == {
        "rules": PRIVACY_RULES,
        "before": PRIVACY_RULES - 1,
        "cells": {
            "raw.leads": 2,  # L2's id, L1's campaign
            "core.leads": 2,
            "raw.lifecycle_events": 2,  # L2's mql and its rejected row
            "core.lifecycle_events": 1,
            "raw.sales_touches": 1,
            "core.sales_touches": 1,
            "meta.quarantine": 1,
        },
        "merged": {},
        "load_id": 2,
        "model_cards": 0,
        "notifications": 0,
        "previews_removed": 0,
    }
    assert "brought 10 cells of the warehouse to the privacy rules of version" in res.stderr
    # no byte of what the older rules let through is left, in any table or in the file
    assert _scan(db, NEEDLES) == []
    # the same id hashes the same in every table, and joins the new file's rows
    assert _rows(db, "SELECT lead_id FROM core.leads ORDER BY 1") == [
        ("L1",), ("L3",), ("L4",), (HASHED,)
    ]  # fmt: skip
    assert _rows(
        db,
        "SELECT e.stage FROM core.lifecycle_events e JOIN core.leads l USING (lead_id) "
        f"WHERE l.lead_id = '{HASHED}' ORDER BY 1",
    ) == [("mql",), ("sql",)]
    assert _rows(db, "SELECT lead_id FROM core.sales_touches") == [(HASHED,)]
    assert _rows(db, "SELECT DISTINCT lead_id FROM raw.lifecycle_events ORDER BY 1") == [
        ("L1",), (HASHED,)
    ]  # fmt: skip
    assert _rows(db, "SELECT campaign FROM core.leads WHERE lead_id = 'L1'") == [
        ("Herbst x[phone]",)
    ]
    assert _rows(db, "SELECT value FROM meta.quarantine") == [("nope x[phone]",)]
    # logged as a load of its own (counts, no values), then the import's load
    assert _rows(db, "SELECT load_id, table_name, source_file, rows_read FROM meta.loads "
                     "WHERE load_id = 2") == [
        (2, "purge", f"sla rescrub: privacy rules {PRIVACY_RULES - 1} -> {PRIVACY_RULES}", 10)
    ]  # fmt: skip
    assert _rows(db, "SELECT max(load_id) FROM meta.loads") == [(3,)]
    assert _rows(db, "SELECT rules, load_id, cells FROM meta.privacy_rules ORDER BY 1") == [
        (PRIVACY_RULES - 1, None, 0),  # as planted: the history of the rules stays
        (PRIVACY_RULES, 2, 10),
    ]
    # the raw rows' hashes are those an import computes now: the files the older rules
    # stored so, imported again today, bring no new row version and change nothing
    raw = _rows(db, "SELECT count(*) FROM raw.leads")
    again = import_export(db, _first(tmp_path, planted=True))
    assert {t: (c["added"], c["changed"]) for t, c in again.changes.items()} == {
        "reps": (0, 0), "leads": (0, 0), "lifecycle_events": (0, 0), "sales_touches": (0, 0)
    }  # fmt: skip
    assert _rows(db, "SELECT count(*) FROM raw.leads") == raw
    assert _scan(db, NEEDLES) == []


#: What the rules of version 1 let through and those of version 2 read: an IBAN after a
#: label as a lead's id, a national number after a phone word in a campaign and in a
#: rejected cell, an IBAN glued to a word in a touch's note.
V2_ID = "IBAN:DE75512108001245126199"
V2_PLANTED = {
    "old_id": V2_ID,
    "campaign": "Herbst Teléfono 612 555 043",
    "rejected": "nope Tlf. 41 55 50 44",
    "note": "Konto: KontoDE89370400440532013000 bitte",
}
V2_NEEDLES = ["512108001245126199", "612 555 043", "41 55 50 44", "370400440532013000"]
#: What the rules of version 2 let through and those of version 3 read, as a warehouse of
#: version 2 stored it: an IBAN in small letters glued to a word for an account as a
#: lead's id, a second number after a phone number (the first one masked) in a
#: campaign, a national number of 7 digits after a phone word in a rejected cell, IBANs
#: glued to a digit before and to a word after in a touch's note.
V3_ID = "kontode75512108001245126199"
V3_PLANTED = {
    "old_id": V3_ID,
    "campaign": "Herbst Teléfono [phone] o 622 555 044",
    "rejected": "nope Tel 5550437",
    "note": "A1GB82WEST12345698765432, DE89370400440532013000bitte",
}
V3_NEEDLES = [
    "512108001245126199", "622 555 044", "5550437", "12345698765432", "370400440532013000"
]  # fmt: skip
#: What the rules of version 3 let through and those of version 4 read: an address with its
#: ``@`` or its ``.`` written out in capitals or in braces, as a lead's id, in a campaign,
#: in a rejected cell and in a touch's note.
V4_PLANTED = {
    "old_id": "lea.vier(AT)example.org",
    "campaign": "Herbst ben.vier [AT] example.org",
    "rejected": "nope eva.vier{at}example.org",
    "note": "Mail: max.vier(At)example{dot}org bitte",
}
V4_NEEDLES = ["lea.vier", "ben.vier", "eva.vier", "max.vier"]
#: Per version of the rules recorded: what it let through (:func:`_plant`'s values), the
#: needles of it, and what the note, the campaign and the rejected cell become.
OLDER = {
    1: (V2_PLANTED, V2_NEEDLES, ("Konto: Konto[iban] bitte", "Herbst Teléfono [phone]",
                                 "nope Tlf. [phone]")),
    2: (V3_PLANTED, V3_NEEDLES, ("A1[iban], [iban]bitte", "Herbst Teléfono [phone] o [phone]",
                                 "nope Tel [phone]")),
    3: (V4_PLANTED, V4_NEEDLES, ("Mail: [email] bitte", "Herbst [email]",
                                 hash_text(V4_PLANTED["rejected"], "test"))),  # an id's cell
}  # fmt: skip


@pytest.mark.parametrize("how", ["rescrub", "import"])
@pytest.mark.parametrize("rules", sorted(OLDER))
def test_a_warehouse_on_older_rules_is_brought_to_those_of_today(tmp_path, rules, how):
    """A warehouse recorded at version 1 (what version 2 reads planted), 2 (what version 3
    reads) or 3 (what version 4 reads) keeps no byte of what its rules let through."""
    planted, needles, (note, campaign, rejected) = OLDER[rules]
    db = tmp_path / "w.duckdb"
    import_export(db, _first(tmp_path))
    _plant(db, rules=rules, **planted)
    assert _scan(db, needles) == sorted(needles)  # the scan sees what was planted
    if how == "rescrub":
        res = runner.invoke(cli.app, ["rescrub", "--db", str(db), "--json"])
        doc = json.loads(res.stdout)
    else:
        d = _write_rows(
            tmp_path / "second" / "leads.csv",
            [["lead_id", "created_at", "source"], ["L4", "2026-10-07", "email"]],
        ).parent
        res = runner.invoke(cli.app, ["import", str(d), "--db", str(db), "--json"])
        doc = json.loads(res.stdout)["privacy_rules"]
    assert res.exit_code == 0, res.output
    assert (doc["before"], doc["rules"]) == (rules, PRIVACY_RULES) == (rules, 7)
    assert doc["cells"] == {
        "raw.leads": 2,  # L2's id, L1's campaign
        "core.leads": 2,
        "raw.lifecycle_events": 2,  # L2's mql and its rejected row
        "core.lifecycle_events": 1,
        "raw.sales_touches": 2,  # L2's touch: its lead's id and its note
        "core.sales_touches": 2,
        "meta.quarantine": 1,
    }
    # no byte of what the older rules let through is left, in any table or in the file
    assert _scan(db, needles) == []
    hashed = hash_text(planted["old_id"], "test")
    assert _rows(db, "SELECT lead_id, note FROM core.sales_touches") == [(hashed, note)]
    assert _rows(db, "SELECT campaign FROM core.leads WHERE lead_id = 'L1'") == [(campaign,)]
    assert _rows(db, "SELECT value FROM meta.quarantine") == [(rejected,)]
    assert _rows(db, "SELECT DISTINCT lead_id FROM raw.lifecycle_events ORDER BY 1") == [
        ("L1",), (hashed,)
    ]  # fmt: skip
    assert _rows(db, "SELECT max(rules) FROM meta.privacy_rules") == [(PRIVACY_RULES,)]


#: What an older version of the rules let through and the next reads: the version, a lead's
#: id and L1's campaign, the number in them, and the cells that change. Version 5 reads an
#: id of a phone word, a dash and a phone number (text read it so already:
#: ``Tel-[phone]``); version 6 a phone number after an ``_``, in an id and in text (a call
#: recording's file name); version 7 an IBAN after a code and a mark, in an id (as text
#: read it: ``4711-[iban]``) and after a code and an ``_`` in text and in an id.
_NEXT_VERSION = {
    5: (4, "Tel-01715550438", "Herbst", ["01715550438"], {"raw.leads": 1, "core.leads": 1},
        "Herbst"),
    6: (5, "anruf_01715550439", "Rückruf_0171 5550 4401.mp3", ["01715550439", "5550 4401"],
        {"raw.leads": 2, "core.leads": 2}, "Rückruf_[phone].mp3"),
    7: (6, "4711-DE89370400440532013000", "Rückruf_4711_GB82WEST12345698765432",
        ["DE89370400440532013000", "GB82WEST12345698765432"], {"raw.leads": 2, "core.leads": 2},
        "Rückruf_4711_[iban]"),
}  # fmt: skip


@pytest.mark.parametrize("how", ["rescrub", "import"])
@pytest.mark.parametrize("version", list(_NEXT_VERSION))
def test_what_the_version_before_let_through_is_hashed_and_masked(tmp_path, version, how):
    before, old_id, campaign, needles, leads_cells, masked = _NEXT_VERSION[version]
    db = tmp_path / "w.duckdb"
    import_export(db, _first(tmp_path))
    _plant(db, rules=before, old_id=old_id, campaign=campaign, rejected="nope")
    assert _scan(db, needles) == sorted(needles)  # the scan sees what was planted
    if how == "rescrub":
        res = runner.invoke(cli.app, ["rescrub", "--db", str(db), "--json"])
        doc = json.loads(res.stdout)
    else:
        d = _write_rows(  # the planted lead again, as today's import hashes it: it joins
            tmp_path / "second" / "lifecycle_events.csv",
            [["lead_id", "stage", "entered_at"], [old_id, "sql", "2026-10-08"]],
        ).parent
        res = runner.invoke(cli.app, ["import", str(d), "--db", str(db), "--json"])
        doc = json.loads(res.stdout)["privacy_rules"]
    assert res.exit_code == 0, res.output
    assert (doc["before"], doc["rules"]) == (before, PRIVACY_RULES)
    assert doc["cells"] == {  # L2's id, wherever it stands (its rejected row's too)
        **leads_cells,
        "raw.lifecycle_events": 2,
        "core.lifecycle_events": 1,
        "raw.sales_touches": 1,
        "core.sales_touches": 1,
    }
    assert _scan(db, needles) == []
    hashed = hash_text(old_id, "test")
    assert _rows(db, "SELECT lead_id FROM core.sales_touches") == [(hashed,)]
    stages = _rows(db, f"SELECT stage FROM core.lifecycle_events WHERE lead_id = '{hashed}'")
    assert sorted(stages) == ([("mql",)] if how == "rescrub" else [("mql",), ("sql",)])
    assert _rows(db, "SELECT campaign FROM core.leads WHERE lead_id = 'L1'") == [(masked,)]


def test_the_review_counts_stay_and_ids_that_now_hash_alike_merge(tmp_path):
    from analytics.warehouse.precomputed import clear_results

    db = tmp_path / "w.duckdb"
    import_export(db, _first(tmp_path))
    before = _review(db)
    _plant(db)
    res = runner.invoke(cli.app, ["rescrub", "--db", str(db), "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["merged"] == {}
    assert _scan(db, NEEDLES) == []
    after = _review(db)
    assert {k: after[k] for k in ("volumes", "conversion", "handoff")} == {
        k: before[k] for k in ("volumes", "conversion", "handoff")
    }
    # an older import stored the id in clear; a later one, under today's rules, its hash
    con = duckdb.connect(str(db))
    con.execute(
        "INSERT INTO core.leads (lead_id, created_at, source) "
        "VALUES (?, '2026-10-05 00:00:00+00', 'email')",
        [OLD_ID.upper()],  # hashed as the same id (lower case)
    )
    con.execute("DELETE FROM meta.privacy_rules")
    clear_results(con)  # stored by sla rescrub: the review reads the tables again
    con.close()
    assert _review(db)["volumes"]["leads"] == before["volumes"]["leads"] + 1
    res = runner.invoke(cli.app, ["rescrub", "--db", str(db), "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["merged"] == {"core.leads": 1}
    assert _review(db)["volumes"] == before["volumes"]  # merged back into one lead
    assert _rows(
        db, "SELECT count(*) FROM core.leads WHERE lead_id = ?".replace("?", f"'{HASHED}'")
    ) == [(1,)]


def test_a_failure_midway_leaves_the_live_file_byte_for_byte(tmp_path, monkeypatch):
    from analytics.warehouse import purge

    db = _planted(tmp_path)
    content = db.read_bytes()

    def fails(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(purge, "log_load", fails)  # after every table of the fresh file
    d = _write_rows(
        tmp_path / "second" / "leads.csv",
        [["lead_id", "created_at", "source"], ["L4", "2026-10-07", "email"]],
    ).parent
    with pytest.raises(RuntimeError, match="disk full"):
        import_export(db, d)
    assert db.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".duckdb")) == [
        "w.duckdb"
    ]  # no fresh file left
    monkeypatch.undo()
    monkeypatch.setenv("SLA_HASH_SALT", "test")
    import_export(db, d)  # and the next import does it
    assert _scan(db, NEEDLES) == []


def test_a_warehouse_on_todays_rules_is_not_rewritten(tmp_path, monkeypatch):
    from analytics.warehouse import purge
    from analytics.warehouse.rescrub import bring_to_rules

    db = tmp_path / "w.duckdb"
    import_export(db, _first(tmp_path))
    assert _rows(db, "SELECT rules FROM meta.privacy_rules") == [(PRIVACY_RULES,)]
    identity = file_identity(db)
    assert bring_to_rules(db, salt="test") is None
    assert file_identity(db) == identity
    # recorded as older, with nothing to change: the version is recorded, nothing rebuilt
    con = duckdb.connect(str(db))
    con.execute("DELETE FROM meta.privacy_rules")
    con.close()

    def no_rebuild(*args, **kwargs):
        raise AssertionError("rebuilt")

    monkeypatch.setattr(purge, "write_fresh", no_rebuild)
    res = runner.invoke(cli.app, ["rescrub", "--db", str(db)])
    assert res.exit_code == 0, res.output
    assert "the file was not rewritten" in res.stderr
    assert _rows(db, "SELECT rules, load_id, cells FROM meta.privacy_rules") == [
        (PRIVACY_RULES, None, 0)
    ]
    assert _rows(db, "SELECT count(*) FROM meta.loads WHERE table_name = 'purge'") == [(0,)]


def test_the_send_log_and_model_cards_beside_it_take_the_hashes(tmp_path):
    from datetime import UTC, datetime

    from analytics.warehouse.notifications import log_path, record_notifications

    db = _planted(tmp_path)
    record_notifications(
        db,
        [{"kind": "new_mql", "lead_id": OLD_ID, "episode": 0, "recipient": "rep:r1:email",
          "period": "", "channel": "email", "status": "failed", "attempts": 1,
          "error": f"550 {GLUED}", "as_of": datetime(2026, 10, 6, tzinfo=UTC),
          "deadline_at": None, "sent_at": None, "run_id": "x"}],
    )  # fmt: skip
    cards = tmp_path / "models"
    cards.mkdir()
    card = {"split_lead_id": OLD_ID, "reference_leads": [
        {"lead_id": OLD_ID, "scored_at": "2026-10-05T00:00:00+00:00"},
        {"lead_id": "L1", "scored_at": "2026-10-05T00:00:00+00:00"}]}  # fmt: skip
    (cards / "score-1.json").write_text(json.dumps(card))
    res = runner.invoke(cli.app, ["rescrub", "--db", str(db), "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert (doc["model_cards"], doc["notifications"]) == (1, 1)
    stored = json.loads((cards / "score-1.json").read_text())
    assert stored["split_lead_id"] == HASHED
    assert [r["lead_id"] for r in stored["reference_leads"]] == [HASHED, "L1"]
    log = log_path(db).read_bytes()
    assert HASHED.encode() in log
    assert not any(n.encode() in log for n in NEEDLES)


def test_info_says_when_a_warehouse_is_on_older_rules(tmp_path):
    db = _planted(tmp_path)
    res = runner.invoke(cli.app, ["info", "--db", str(db), "--json"])
    assert json.loads(res.stdout)["privacy_rules"] == {
        "recorded": None, "code": PRIVACY_RULES, "current": False
    }  # fmt: skip
    res = runner.invoke(cli.app, ["info", "--db", str(db)])
    assert "written under older privacy rules (none recorded" in " ".join(res.stdout.split())
    runner.invoke(cli.app, ["rescrub", "--db", str(db)])
    res = runner.invoke(cli.app, ["info", "--db", str(db), "--json"])
    assert json.loads(res.stdout)["privacy_rules"]["current"] is True


def test_the_fresh_file_of_a_killed_rescrub_is_removed_by_the_next_writer(tmp_path):
    from analytics.warehouse.leftovers import remove_leftovers

    db = tmp_path / "w.duckdb"
    import_export(db, _first(tmp_path))
    dead = 2**22 + 12345  # above any pid this machine hands out
    for name in (f"purge-{dead}-w.duckdb", f"purge-{dead}-w.duckdb.wal", f"purge-{dead}-x.duckdb"):
        (tmp_path / name).write_bytes(b"x")
    assert sorted(p.name for p in remove_leftovers(db)) == [
        f"purge-{dead}-w.duckdb", f"purge-{dead}-w.duckdb.wal"
    ]  # fmt: skip


def test_an_upload_confirmed_on_the_data_page_brings_the_warehouse_and_its_cards(tmp_path):
    """The Data page previews an upload on a scratch copy (the same import, so the copy
    is brought to the rules there); confirmed, the live file is that copy, and the model
    cards beside the live file take the hashes too."""
    from analytics.warehouse.preview import confirm_preview, preview_import

    db = _planted(tmp_path)
    cards = tmp_path / "models"
    cards.mkdir()
    card = {"reference_leads": [{"lead_id": OLD_ID, "scored_at": "2026-10-05T00:00:00+00:00"}]}
    (cards / "score-1.json").write_text(json.dumps(card))
    d = _write_rows(
        tmp_path / "upload" / "leads.csv",
        [["lead_id", "created_at", "source"], ["L4", "2026-10-07", "email"]],
    ).parent
    content = db.read_bytes()
    preview = preview_import(db, d)
    assert db.read_bytes() == content  # the live file waits for the confirm
    assert preview.result.privacy.changed == 10
    assert confirm_preview(preview)
    assert _scan(db, NEEDLES) == []
    assert _rows(db, "SELECT lead_id FROM core.leads ORDER BY 1") == [
        ("L1",), ("L3",), ("L4",), (HASHED,)
    ]  # fmt: skip
    stored = json.loads((cards / "score-1.json").read_text())
    assert [r["lead_id"] for r in stored["reference_leads"]] == [HASHED]


@pytest.mark.parametrize("content", [None, b"not a warehouse"])
def test_rescrub_without_a_warehouse_changes_nothing_and_says_so(tmp_path, content):
    db = tmp_path / "w.duckdb"
    if content is not None:
        db.write_bytes(content)
    res = runner.invoke(cli.app, ["rescrub", "--db", str(db)])
    assert res.exit_code == 2, res.output
    assert str(db) in " ".join(res.stderr.split())
    assert (db.read_bytes() if db.exists() else None) == content


def test_a_quarantined_row_of_the_wrong_width_and_a_removal_record_get_the_hash(tmp_path):
    """A row with the wrong number of fields keeps its id in the quarantine's JSON, and a
    removed row its key and lead in meta.removed: an older import kept the id in clear in
    both; brought to the rules, `sla purge --lead` with the id as written finds them."""
    from analytics.warehouse.purge import purge

    db = tmp_path / "w.duckdb"
    d = _write(
        tmp_path / "wide" / "leads.csv",
        "lead_id,created_at,source\nL1,2026-10-05,email\nL9,2026-10-05,email,extra\n",
    ).parent
    result = import_export(db, d)
    assert [r["line"] for r in result.rejected] == [3]
    con = duckdb.connect(str(db))
    con.execute("UPDATE meta.quarantine SET value = replace(value, 'L9', ?)", [OLD_ID])
    con.execute(
        "INSERT INTO meta.removed VALUES (1, 'lifecycle_events', ?, ?, ?)",
        [OLD_ID, f"{OLD_ID}\x1fmql\x1f1788426000000000", OLD_ID],
    )
    con.execute("DELETE FROM meta.privacy_rules")
    con.close()
    assert _scan(db, NEEDLES[:2]) == sorted(NEEDLES[:2])
    res = runner.invoke(cli.app, ["rescrub", "--db", str(db), "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["cells"] == {"meta.quarantine": 1, "meta.removed": 3}
    assert _scan(db, NEEDLES) == []
    (value,) = _rows(db, "SELECT value FROM meta.quarantine")[0]
    assert json.loads(value)["lead_id"] == HASHED
    assert _rows(db, "SELECT id, key, lead_id FROM meta.removed") == [
        (HASHED, f"{HASHED}\x1fmql\x1f1788426000000000", HASHED)
    ]
    purge(db, leads=[OLD_ID], salt="test")
    assert _rows(db, "SELECT count(*) FROM meta.quarantine") == [(0,)]
