"""A rejected cell of an adapter's or mapping's import names the export's own column
(audit 2026-12-06-messy-exports, finding 13): ``kontakte.csv:2 column MQL am (entered_at)``,
not ``column entered_at``, which the file does not have. ``sla import --json`` keeps
``column`` canonical and adds ``source_column``; a canonical file's rows are unchanged.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from app_support import open_page
from typer.testing import CliRunner

from analytics.cli import app
from analytics.warehouse import import_canonical
from analytics.warehouse.adapters import import_export
from analytics.warehouse.validate import reason_text
from dashboard.i18n import column_label

ROOT = Path(__file__).resolve().parent.parent
MAPPING = ROOT / "tests" / "fixtures" / "exports" / "mapping" / "kontakte.toml"
runner = CliRunner()

#: kontakte.toml's columns; line 2 has an MQL date of "gestern" (yesterday)
KONTAKTE = (
    "Kontakt-Nr;Angelegt am;Quelle;Position;Betreuer;MQL am;SQL am\n"
    "K1;01.09.2026 08:00;Messe;CTO;r1;gestern;05.09.2026 14:30\n"
    "K2;02.09.2026 09:30;Messe;CTO;r1;;\n"
)
REASON = "cannot be read as an ISO 8601 timestamp (2026-10-05T09:12:00+02:00)"


def _kontakte(tmp_path: Path) -> Path:
    path = tmp_path / "kontakte.csv"
    path.write_text(KONTAKTE, encoding="cp1252")
    return path


def _quarantine(db: Path) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(
            'SELECT line, "column", source_column, value FROM meta.quarantine ORDER BY line, 2'
        ).fetchall()
    finally:
        con.close()


def test_a_mapping_import_names_the_files_column_in_its_text_and_json(tmp_path):
    csv = _kontakte(tmp_path)
    db = tmp_path / "w.duckdb"
    res = runner.invoke(app, ["import", str(csv), "--mapping", str(MAPPING), "--db", str(db)])
    assert res.exit_code == 1
    assert f"{csv}:2 column MQL am (entered_at) = 'gestern': {REASON}" in res.stderr
    assert f"1 x kontakte.csv column MQL am (entered_at): {REASON}" in res.stderr
    assert "column entered_at" not in res.stderr
    assert _quarantine(db) == [
        (2, "entered_at", "MQL am", "gestern"),
        (2, "lead_id", "Kontakt-Nr", "K1"),  # its other dates are kept back
    ]

    res = runner.invoke(
        app,
        ["import", str(csv), "--mapping", str(MAPPING), "--db", str(tmp_path / "j.duckdb"),
         "--json"],
    )  # fmt: skip
    doc = json.loads(res.stdout)
    assert doc["rejected"][0] == {
        "file": str(csv),
        "line": 2,
        "column": "entered_at",
        "reason": REASON,
        "value": "gestern",
        "source_column": "MQL am",
    }
    [cause] = [c for c in doc["root_causes"] if c["column"] == "entered_at"]
    assert cause["source_column"] == "MQL am"


def test_a_hubspot_export_names_create_date(tmp_path):
    contacts = tmp_path / "contacts.csv"
    contacts.write_text(
        "Record ID,Create Date,Original Source\n"
        "1,2026-10-01 09:00,Organic Search\n"
        "2,yesterday,Organic Search\n"
    )
    db = tmp_path / "w.duckdb"
    res = runner.invoke(app, ["import", str(contacts), "--format", "hubspot", "--db", str(db)])
    assert res.exit_code == 1
    assert f"{contacts}:3 column Create Date (created_at) = 'yesterday': {REASON}" in res.stderr
    assert _quarantine(db) == [(3, "created_at", "Create Date", "yesterday")]
    res = runner.invoke(
        app,
        ["import", str(contacts), "--format", "hubspot", "--db", str(tmp_path / "j.duckdb"),
         "--json"],
    )  # fmt: skip
    [rejected] = json.loads(res.stdout)["rejected"]
    assert (rejected["column"], rejected["source_column"]) == ("created_at", "Create Date")


@pytest.mark.parametrize(
    ("dates", "named"),
    [
        # the stage date of line 3 lies a year ahead: named by the mapping's own column
        ("05.09.2026 10:00;05.09.2027 14:30", "SQL am (entered_at)"),
        ("05.09.2027 10:00;", "MQL am (entered_at)"),
    ],
)
def test_a_row_dated_after_the_import_is_named_by_the_exports_column(tmp_path, dates, named):
    """The "dated after this import" warning names the column the file has (the audit's
    finding 13 left it naming ``entered_at``), per row where a stage date has several."""
    csv = tmp_path / "kontakte.csv"
    csv.write_text(
        "Kontakt-Nr;Angelegt am;Quelle;Position;Betreuer;MQL am;SQL am\n"
        "K1;01.09.2026 08:00;Messe;CTO;r1;;\n"
        f"K2;02.09.2026 09:30;Messe;CTO;r1;{dates}\n",
        encoding="cp1252",
    )
    result = import_export(tmp_path / "w.duckdb", csv, mapping=MAPPING)
    [later] = result.after_import
    assert (later["column"], later["line"], later["source_column"]) == (
        "entered_at",
        3,
        named.split(" (")[0],
    )
    assert result.warnings()[-1].startswith(f"{csv}, column {named}: 1 row(s) dated after")
    assert result.warnings(lang="de")[-1].startswith(f"{csv}, Spalte {named}: Zeilen nach")


def test_a_canonical_import_keeps_its_wording(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "leads.csv").write_text("lead_id,created_at,source\nL1,yesterday,email\n")
    db = tmp_path / "w.duckdb"
    res = runner.invoke(app, ["import", str(folder), "--db", str(db)])
    assert f"leads.csv:2 column created_at = 'yesterday': {REASON}" in res.stderr
    assert _quarantine(db) == [(2, "created_at", None, "yesterday")]
    res = runner.invoke(app, ["import", str(folder), "--db", str(tmp_path / "j.duckdb"), "--json"])
    doc = json.loads(res.stdout)
    assert "source_column" not in doc["rejected"][0]
    assert "source_column" not in doc["root_causes"][0]


def test_a_personal_column_is_named_with_its_hashed_value_never_its_own(tmp_path):
    """``E-Mail`` is named as the column a rejected id was read from; its cell is stored
    as the salted hash the import keeps, never the address."""
    mapping = tmp_path / "m.toml"
    mapping.write_text(
        'table = "leads"\n[columns]\n"E-Mail" = "lead_id"\n"Datum" = "created_at"\n'
        '[defaults]\nsource = "other"\n'
    )
    csv = tmp_path / "k.csv"
    csv.write_text("E-Mail;Datum\nanna@example.de;05.10.2026\nanna@example.de;06.10.2026\n")
    result = import_export(tmp_path / "w.duckdb", csv, mapping=mapping)
    [rejected] = result.rejected
    assert (rejected["column"], rejected["source_column"]) == ("lead_id", "E-Mail")
    assert rejected["value"].startswith("h_") and "anna" not in json.dumps(result.rejected)
    [(line, column, source, value)] = _quarantine(tmp_path / "w.duckdb")
    assert (line, column, source) == (3, "lead_id", "E-Mail") and value.startswith("h_")


@pytest.mark.usefixtures("results_stored_at_once")
@pytest.mark.parametrize(
    ("lang", "label"), [("en", "Column in the export"), ("de", "Spalte im Export")]
)
def test_the_data_page_shows_the_exports_column(tmp_path, monkeypatch, lang, label):
    at = open_page(tmp_path / "w.duckdb", monkeypatch, "warehouse", lang)
    at.selectbox(key="upload_format").set_value("mapping").run()
    at.file_uploader(key="upload").set_value(
        [("kontakte.csv", KONTAKTE.encode("cp1252"), "text/csv")]
    ).run()
    at.file_uploader(key="upload_mapping").set_value(
        ("kontakte.toml", MAPPING.read_bytes(), "application/toml")
    ).run()
    at.button(key="upload_preview_button").click().run()
    assert not at.exception, at.exception[0].value

    def named() -> list[tuple[str, str]]:
        return [
            (c, s)
            for f in at.dataframe
            if "source_column" in f.value.columns
            for c, s in zip(f.value["column"], f.value["source_column"], strict=True)
        ]

    assert ("entered_at", "MQL am") in named()  # the preview's root causes
    at.button(key="upload_confirm").click().run()
    assert not at.exception, at.exception[0].value
    assert ("entered_at", "MQL am") in named()  # the import's rejected rows
    at.switch_page("views/warehouse.py").run()
    assert ("entered_at", "MQL am") in named()  # the quarantine
    assert column_label("source_column", lang) == label


@pytest.mark.usefixtures("results_stored_at_once")
def test_the_data_page_of_canonical_rows_has_no_export_column(tmp_path, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "leads.csv").write_text(
        "lead_id,created_at,source\nL1,yesterday,email\nL2,2026-10-01,email\n"
    )
    db = tmp_path / "w.duckdb"
    assert len(import_canonical(db, folder).rejected) == 1
    at = open_page(db, monkeypatch, "warehouse", "en")
    frames = [f.value for f in at.dataframe if "reason" in f.value.columns]
    assert frames and not any("source_column" in f.columns for f in frames)


def test_a_hubspot_stage_date_names_the_column_it_was_read_from(tmp_path):
    """Each stage's date has its own column: the rejected one is named, not the other."""
    contacts = tmp_path / "contacts.csv"
    contacts.write_text(
        "Record ID,Create Date,Original Source,Became a Lead Date,"
        "Became a Marketing Qualified Lead Date\n"
        "1,2026-10-01 09:00,Organic Search,2026-10-01 09:00,gestern\n"
    )
    result = import_export(tmp_path / "w.duckdb", contacts, fmt="hubspot")
    [dated] = [r for r in result.rejected if r["column"] == "entered_at"]
    assert (dated["value"], dated["source_column"]) == (
        "gestern",
        "Became a Marketing Qualified Lead Date",
    )


#: (format, files, the rejected lead's own reason as the rows that refer to it name it)
CASCADES = [
    (
        "hubspot",
        {
            "contacts.csv": "Record ID,Create Date,Original Source\n"
            "1,2026-10-01 09:00,Organic Search\n2,yesterday,Organic Search\n",
            "calls.csv": "Record ID,Activity date,Call outcome,Activity assigned to,"
            "Associated Contact IDs\n7001,2026-10-03 10:00,Connected,Jana Vogel,2\n",
        },
        "lead 2 was rejected: contacts.csv line 3, Create Date (created_at)",
    ),
    (
        "salesforce",
        {
            "Lead.csv": "Id,Status,Company,CreatedDate\n"
            "00QL1,Open,Example AG,2026-09-01T08:00:00Z\n00QL2,Open,Beta GmbH,yesterday\n",
            "Task.csv": "Id,WhoId,OwnerId,Status,TaskSubtype,CallDisposition,ActivityDate\n"
            "00T1,00QL2,005U1,Completed,Call,Connected,2026-09-03\n",
        },
        "lead 00QL2 was rejected: Lead.csv line 3, CreatedDate (created_at)",
    ),
    (
        "mapping",  # the lead's MQL date, a row of lifecycle events, names it
        {"kontakte.csv": KONTAKTE.replace("K1;01.09.2026 08:00", "K1;yesterday")},
        "lead K1 was rejected: kontakte.csv line 2, Angelegt am (created_at)",
    ),
]


@pytest.mark.parametrize(("fmt", "files", "cause"), CASCADES, ids=[c[0] for c in CASCADES])
def test_a_row_of_a_rejected_lead_names_the_leads_column_as_the_export_has_it(
    tmp_path, fmt, files, cause
):
    """The root cause a row of a rejected lead is quarantined with names the lead's column
    as the lead's own rejection does (finding 13's remainder: it said ``created_at``)."""
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="cp1252")
    path = tmp_path / "kontakte.csv" if fmt == "mapping" else tmp_path
    db = tmp_path / "w.duckdb"
    if fmt == "mapping":
        result = import_export(db, path, mapping=MAPPING)
    else:
        result = import_export(db, path, fmt=fmt)
    cascaded = [r for r in result.rejected if r["reason"].startswith("lead ")]
    assert cascaded and {r["reason"] for r in cascaded} == {f"{cause} {REASON}"}
    con = duckdb.connect(str(db), read_only=True)
    try:
        stored = con.execute("SELECT reason FROM meta.quarantine WHERE reason LIKE 'lead %'")
        assert {reason for (reason,) in stored.fetchall()} == {f"{cause} {REASON}"}
    finally:
        con.close()
    # the Data page reads it back into German, the lead's own reason too
    german = reason_text(f"{cause} {REASON}", lang="de")
    assert german.endswith(f"{cause.split(', ', 1)[1]} kein Zeitstempel nach ISO 8601 "
                           "(2026-10-05T09:12:00+02:00)")  # fmt: skip


def test_a_row_of_a_rejected_lead_of_a_canonical_file_keeps_its_wording(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "leads.csv").write_text("lead_id,created_at,source\nL1,yesterday,email\n")
    (folder / "lifecycle_events.csv").write_text(
        "lead_id,stage,entered_at\nL1,mql,2026-10-02T09:00:00Z\n"
    )
    result = import_canonical(tmp_path / "w.duckdb", folder)
    [event] = [r for r in result.rejected if r["file"].endswith("lifecycle_events.csv")]
    assert event["reason"] == f"lead L1 was rejected: leads.csv line 2, created_at {REASON}"


def test_an_olist_lead_is_named_by_its_column_also_beside_the_deals_file(tmp_path):
    """With both Olist files, the MQL file's leads batch was built again (to take the deals'
    owners) without its source columns: a bad first_contact_date was named created_at."""
    (tmp_path / "olist_marketing_qualified_leads.csv").write_text(
        "mql_id,first_contact_date,landing_page_id,origin\nm01,yesterday,lp1,organic_search\n"
    )
    (tmp_path / "olist_closed_deals.csv").write_text(
        "mql_id,seller_id,sdr_id,sr_id,won_date\nm02,s01,sdrA,srX,20-02-2018 10:15\n"
    )
    result = import_export(tmp_path / "w.duckdb", tmp_path, fmt="olist")
    [lead] = [r for r in result.rejected if r["column"] == "created_at"]
    assert lead["source_column"] == "first_contact_date"


def test_a_salesforce_status_change_is_named_by_the_historys_fields(tmp_path):
    """LeadHistory.csv's rows were named by the canonical column alone (lead_id, entered_at):
    its batch had no source columns (finding 13's remainder)."""
    (tmp_path / "Lead.csv").write_text(
        "Id,Status,Company,CreatedDate\n00QL1,Open,Example AG,2026-09-01T08:00:00Z\n"
    )
    (tmp_path / "LeadHistory.csv").write_text(
        "Id,LeadId,CreatedDate,Field,OldValue,NewValue\n"
        "0171,00QL1,yesterday,Status,Open,Marketing Qualified\n"
        "0172,00QL9,2026-09-03T10:00:00Z,Status,Open,Marketing Qualified\n"
    )
    result = import_export(tmp_path / "w.duckdb", tmp_path, fmt="salesforce")
    named = {(r["line"], r["column"], r["source_column"]) for r in result.rejected}
    assert named == {(2, "entered_at", "CreatedDate"), (3, "lead_id", "LeadId")}
