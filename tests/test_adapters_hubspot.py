"""HubSpot exports: contacts, companies, deals, calls and e-mails written from HubSpot's
documented property labels (tests/fixtures/exports/hubspot), awkward rows included."""

from __future__ import annotations

import csv
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest
from export_support import csv_folder as _export
from export_support import with_column
from polars.testing import assert_frame_equal

from analytics.config import load_config
from analytics.warehouse import ImportFailed, read_core_table
from analytics.warehouse.adapters import CsvOptions, import_export, read_export

FIXTURES = Path(__file__).parent / "fixtures" / "exports" / "hubspot"


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    db = tmp_path_factory.mktemp("hubspot") / "w.duckdb"
    result = import_export(db, FIXTURES, fmt="hubspot")
    return db, result


def test_rows_loaded_per_table(loaded):
    _, result = loaded
    # accounts: 12 rows - no name (9004) - employees -5 (9005) - duplicate 9001 - "many" (9009)
    # leads: 12 rows - duplicate 102 - 109 without Create Date - 112 (company 9404 unknown)
    # lifecycle_events: 101 x5, 102 x1, 103 x2, 104 x2 (SQL date empty), 105 x2, 106 x1,
    #   108 x1, 110 x4, 111 x1 = 19 (109 and 112 are not leads, the duplicate gives none)
    # sales_touches: calls 12 - gatekeeper - lead 999 - no owner - duplicate 7001 = 8;
    #   e-mails 12 - 3 incoming - nobody@ - 2 to Kai (lead 112 rejected) = 6
    # opportunities: 12 - lead 999 - won without close date - 9404/112 - duplicate - amount -100
    assert result.loaded == {
        "accounts": 8,
        "reps": 6,
        "leads": 9,
        "lifecycle_events": 19,
        "sales_touches": 14,
        "opportunities": 7,
    }


@pytest.mark.parametrize(
    ("file", "line", "column", "reason"),
    [
        ("companies.csv", 5, "name", "required value is missing"),
        ("companies.csv", 6, "employees", "must be >= 0"),
        ("companies.csv", 7, "account_id", "duplicate key: first seen on line 2"),
        ("companies.csv", 11, "employees", "cannot be read as a whole number"),
        ("contacts.csv", 8, "lead_id", "duplicate key: first seen on line 3"),
        ("contacts.csv", 10, "created_at", "required value is missing"),
        ("contacts.csv", 13, "account_id", "refers to an unknown account"),
        ("deals.csv", 6, "lead_id", "refers to an unknown lead"),
        ("deals.csv", 7, "closed_at", "required when status is won or lost"),
        ("deals.csv", 10, "opportunity_id", "duplicate key: first seen on line 2"),
        ("deals.csv", 13, "amount", "must be >= 0"),
        ("calls.csv", 9, "outcome", "not one of the allowed values"),
        ("calls.csv", 10, "lead_id", "refers to an unknown lead"),
        ("calls.csv", 11, "rep_id", "required value is missing"),
        ("emails.csv", 5, "lead_id", "required value is missing"),
    ],
)
def test_awkward_rows_are_quarantined_with_file_line_column(loaded, file, line, column, reason):
    _, result = loaded
    hits = [
        r
        for r in result.rejected
        if r["file"].endswith(file) and r["line"] == line and r["column"] == column
    ]
    assert len(hits) == 1, result.rejected
    assert reason in hits[0]["reason"]


def test_contacts_become_leads_with_mapped_sources_and_owners(loaded):
    db, _ = loaded
    leads = (
        read_core_table(db, "leads")
        .sort("lead_id")
        .select("lead_id", "source", "owner_rep_id", "account_id", "job_title")
    )
    expected = pl.DataFrame(
        {
            "lead_id": ["101", "102", "103", "104", "105", "106", "108", "110", "111"],
            # Organic Search, Paid Search, Paid Social, Email Marketing, Referrals,
            # Offline Sources, (empty), AI Referrals, Organic Social
            "source": [
                "organic", "paid_search", "paid_social", "email", "referral",
                "other", "other", "referral", "social",
            ],
            "owner_rep_id": [
                "Jana Vogel", "Jana Vogel", "Jana Vogel", "Tom Berg", "Tom Berg", None,
                "Jana Vogel", "Tom Berg", "Deactivated User (4711)",
            ],
            "account_id": ["9001", "9002", "9003", None, "9001", None, None, "9002", None],
            "job_title": [
                "Head of Marketing", "IT Manager", "CTO", "Buyer", "Working Student", None,
                "Analyst", "VP Sales", "Engineer",
            ],
        }
    )  # fmt: skip
    assert_frame_equal(leads, expected)


def test_country_names_become_iso_codes(loaded):
    db, _ = loaded
    leads = read_core_table(db, "leads").sort("lead_id")
    # Germany, Austria, Germany, Switzerland, ...
    assert leads["country"].to_list()[:4] == ["DE", "AT", "DE", "CH"]
    accounts = read_core_table(db, "accounts").sort("account_id")
    assert accounts.filter(pl.col("account_id") == "9011")["country"].item() == "FR"


def test_lifecycle_dates_give_events_empty_dates_none_backwards_as_given(loaded):
    db, _ = loaded
    ev = read_core_table(db, "lifecycle_events")
    by_lead = {
        lead: sorted(zip(g["stage"], g["entered_at"], strict=True), key=lambda x: x[1])
        for (lead,), g in ev.group_by("lead_id")
    }
    assert by_lead["101"] == [
        ("lead", ts("2026-09-01T08:00")),
        ("mql", ts("2026-09-03T10:00")),
        ("sql", ts("2026-09-05T14:30")),
        ("opportunity", ts("2026-09-10T09:00")),
        ("customer", ts("2026-10-01T12:00")),
    ]
    # lifecycle stage "Sales Qualified Lead" but the SQL date is empty: no sql event
    assert [s for s, _ in by_lead["104"]] == ["lead", "mql"]
    # set backwards: MQL on 09-12 before Lead on 09-20; both load as exported
    assert by_lead["105"] == [("mql", ts("2026-09-12T09:00")), ("lead", ts("2026-09-20T10:00"))]
    # the duplicated Record ID 102 (line 8, MQL 09-04) gives no event
    assert by_lead["102"] == [("lead", ts("2026-09-02T09:30"))]


def test_deals_status_amount_and_associations(loaded):
    db, _ = loaded
    opp = read_core_table(db, "opportunities").sort("opportunity_id")
    assert opp.select("opportunity_id", "lead_id", "account_id", "status", "amount").rows() == [
        ("5001", "101", "9001", "won", 12000.0),
        ("5002", "102", "9002", "lost", 8000.0),
        ("5003", "103", "9003", "open", 5000.0),
        ("5004", "110", "9002", "open", 0.0),  # empty Amount -> 0
        ("5007", "105", "9001", "won", 7000.5),  # internal stage name, first of "105;110"
        ("5009", None, "9003", "open", 2000.0),
        ("5010", "108", None, "lost", 0.0),
    ]
    # an open deal has no closed_at even when HubSpot shows a planned Close Date
    assert opp.filter(pl.col("status") == "open")["closed_at"].null_count() == 3
    assert opp.filter(pl.col("opportunity_id") == "5002")["loss_reason"].item() == "Budget"


def test_calls_and_emails_become_touches_and_replies_mark_the_last_outgoing_email(loaded):
    db, _ = loaded
    touches = read_core_table(db, "sales_touches").sort("touch_id")
    assert dict(touches.select("touch_id", "outcome").iter_rows()) == {
        "7001": "connected",
        "7002": "no_answer",
        "7003": "no_answer",  # Busy
        "7004": "voicemail",
        "7005": "voicemail",  # Left live message
        "7006": "bounced",  # Wrong number
        "7007": "no_answer",  # empty outcome
        "7011": "connected",
        "8001": "replied",  # Anna answered (8002, e-mail in other letter case)
        "8003": "bounced",
        "8005": "no_answer",  # 8007 answers the later 8006 only
        "8006": "replied",
        "8008": "no_answer",
        "8009": "bounced",  # send status Failed
    }
    assert set(touches.filter(pl.col("touch_id").str.starts_with("8"))["channel"]) == {"email"}
    assert set(touches.filter(pl.col("touch_id").str.starts_with("7"))["channel"]) == {"phone"}


def test_owners_become_reps_with_team_by_role(loaded):
    db, _ = loaded
    reps = read_core_table(db, "reps").sort("rep_id")
    assert reps.select("rep_id", "team").rows() == [
        ("Deactivated User (4711)", "sdr"),
        ("Jana Vogel", "sdr"),
        ("Lea Sommer", "ae"),
        ("Max Keller", "ae"),
        ("Sara Neu", "sdr"),
        ("Tom Berg", "sdr"),  # owns contacts and calls (sdr) more often than one deal (ae)
    ]


def test_no_name_email_or_phone_reaches_the_warehouse(loaded):
    db, result = loaded
    assert result.dropped_columns == {
        "calls.csv": ["call title", "call notes"],
        "companies.csv": ["phone number"],
        "contacts.csv": ["first name", "last name", "email", "phone number"],
        "deals.csv": ["deal name"],
        "emails.csv": ["email subject", "associated contact"],
    }
    con = duckdb.connect(str(db), read_only=True)
    text = " ".join(
        str(v)
        for schema in ("raw", "core", "meta")
        for (table,) in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = ?", [schema]
        ).fetchall()
        for row in con.execute(f"SELECT * FROM {schema}.{table}").fetchall()
        for v in row
    )
    con.close()
    for secret in ("@", "Anna", "Schmidt", "+49 30", "0171", "Ida Lang", "Talked about"):
        assert secret not in text


def test_a_config_may_allow_a_custom_call_outcome(tmp_path):
    cfg = load_config("data/sla.toml")
    cfg = cfg.model_copy(update={"enums": {"outcome": ["gatekeeper"]}})
    result = import_export(tmp_path / "w.duckdb", FIXTURES, fmt="hubspot", config=cfg)
    assert result.loaded["sales_touches"] == 15
    touches = read_core_table(tmp_path / "w.duckdb", "sales_touches")
    assert touches.filter(pl.col("touch_id") == "7008")["outcome"].item() == "gatekeeper"


def test_importing_the_same_export_twice_changes_nothing(tmp_path):
    db = tmp_path / "w.duckdb"
    first = import_export(db, FIXTURES, fmt="hubspot")
    before = {t: read_core_table(db, t) for t in first.loaded}
    second = import_export(db, FIXTURES, fmt="hubspot")
    assert second.loaded == first.loaded
    # every file is named once as unchanged (a file makes several tables' batches)
    assert sorted(Path(f).name for f in second.unchanged_files) == sorted(
        p.name for p in FIXTURES.glob("*.csv")
    )
    for table, frame in before.items():
        assert_frame_equal(read_core_table(db, table), frame, check_row_order=False)
    con = duckdb.connect(str(db), read_only=True)
    n = con.execute("SELECT count(*) FROM meta.quarantine").fetchall()[0][0]
    con.close()
    assert n == len(first.rejected)


def test_one_contacts_file_alone_loads_with_its_owners(tmp_path):
    only = tmp_path / "export.csv"
    shutil.copy(FIXTURES / "contacts.csv", only)
    result = import_export(tmp_path / "w.duckdb", only, fmt="hubspot")
    # without a companies export the company ids stay raw (112 loads, its 9404 is not checked);
    # 102 (duplicate) and 109 (no Create Date) are still rejected
    assert result.loaded["leads"] == 10
    assert read_core_table(tmp_path / "w.duckdb", "leads")["account_id"].null_count() == 10
    # Jana Vogel, Tom Berg, Deactivated User (4711)
    assert result.loaded["reps"] == 3


def test_an_email_or_phone_in_a_call_outcome_is_masked_before_it_becomes_an_identifier(
    tmp_path,
):
    export = tmp_path / "hubspot"
    shutil.copytree(FIXTURES, export)
    with open(export / "calls.csv", "a", encoding="utf-8") as fh:
        fh.write(
            "7099,2026-09-04 10:00,Intro call,Call back zzhsout@example.com +49 170 5550012,"
            "Outbound,Jana Vogel,101,\n"
        )
    touches = pl.concat(
        b.cells.select("touch_id", "outcome")
        for b in read_export(export, fmt="hubspot", salt="s").batches
        if b.table == "sales_touches"
    )
    assert touches.filter(pl.col("touch_id") == "7099")["outcome"].to_list() == [
        "call_back_email_phone_"
    ]
    db = tmp_path / "w.duckdb"
    import_export(db, export, fmt="hubspot")
    con = duckdb.connect(str(db), read_only=True)
    values = con.execute(
        "SELECT outcome FROM raw.sales_touches WHERE touch_id = '7099' "
        "UNION ALL SELECT value FROM meta.quarantine WHERE value LIKE 'call_back%'"
    ).fetchall()
    con.close()
    assert values == [("call_back_email_phone_",), ("call_back_email_phone_",)]


def test_the_original_traffic_source_label_is_the_source(tmp_path):
    """HubSpot relabelled "Original Source" as "Original Traffic Source": every source of a
    re-export became "other"."""
    export = tmp_path / "hubspot"
    shutil.copytree(FIXTURES, export)
    contacts = export / "contacts.csv"
    contacts.write_text(
        contacts.read_text(encoding="utf-8").replace(
            "Original Source,", "Original Traffic Source,", 1
        ),
        encoding="utf-8",
    )

    def sources(path: Path) -> list[str]:
        (leads,) = [b for b in read_export(path, fmt="hubspot", salt="s").batches
                    if b.table == "leads"]  # fmt: skip
        return leads.cells["source"].to_list()

    original = sources(FIXTURES)
    assert sources(export) == original and set(original) != {"other"}


def test_a_column_twice_in_an_export_header_is_refused_naming_it(tmp_path):
    """Two "Create Date" columns: the first one won, silently (the docs make it fatal)."""
    from analytics.warehouse import ImportFailed

    export = tmp_path / "hubspot"
    export.mkdir()
    (export / "contacts.csv").write_text(
        "Record ID,Create Date,Original Source,Create Date,Job Title\n"
        "601,2026-10-05 09:12,Organic Search,2026-11-05 09:12,CEO\n",
        encoding="utf-8",
    )
    with pytest.raises(
        ImportFailed, match=r"contacts\.csv: the header has column create date twice"
    ):
        read_export(export, fmt="hubspot", salt="s")


def test_a_file_is_unchanged_only_when_none_of_its_tables_changed(tmp_path):
    """A contacts file that added and changed leads was reported "already loaded, nothing
    changed" twice: for its reps and its lifecycle events, which had not changed."""
    export = tmp_path / "hubspot"
    shutil.copytree(FIXTURES, export)
    db = tmp_path / "w.duckdb"
    import_export(db, export, fmt="hubspot")
    contacts = export / "contacts.csv"
    contacts.write_text(
        contacts.read_text(encoding="utf-8").replace("Head of Marketing", "CMO", 1), "utf-8"
    )
    again = import_export(db, export, fmt="hubspot")
    assert again.changes["leads"]["changed"] == 1
    names = [Path(f).name for f in again.unchanged_files]
    assert "contacts.csv" not in names and len(names) == len(set(names))


def test_a_column_named_like_another_with_a_trailing_underscore_is_no_repeat(tmp_path):
    """utm and utm_ are two columns: the check of repeated names took them for one."""
    export = tmp_path / "hubspot"
    shutil.copytree(FIXTURES, export)
    contacts = export / "contacts.csv"
    lines = contacts.read_text(encoding="utf-8").splitlines()
    lines = [lines[0] + ",utm,utm_"] + [line + ",a,b" for line in lines[1:]]
    contacts.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert read_export(export, fmt="hubspot", salt="s").batches


def test_a_reexport_without_some_columns_keeps_the_stored_values(tmp_path):
    """Next month's export without Original Source, Job Title and Country/Region: every known
    lead's source became "other" and its title and country empty, counted as changed."""
    db = tmp_path / "w.duckdb"
    import_export(db, FIXTURES, fmt="hubspot")
    before = read_core_table(db, "leads").sort("lead_id")
    export = tmp_path / "hubspot"
    export.mkdir()
    contacts = pl.read_csv(FIXTURES / "contacts.csv", infer_schema=False)
    contacts = contacts.drop("Original Source", "Job Title", "Country/Region")
    new = contacts.head(1).with_columns(pl.lit("999").alias("Record ID"))
    pl.concat([contacts, new]).write_csv(export / "contacts.csv")
    again = import_export(db, export, fmt="hubspot")
    after = read_core_table(db, "leads").sort("lead_id")
    columns = ("lead_id", "source", "job_title", "country")
    kept = after.filter(pl.col("lead_id").is_in(before["lead_id"].implode())).select(columns)
    assert kept.equals(before.select(columns))
    assert after.filter(lead_id="999")["source"].item() == "other"  # a new lead: the default
    assert again.changes["leads"]["changed"] == 0


def test_a_refresh_moves_or_clears_a_stage_date_instead_of_adding_one(tmp_path):
    """November's export corrects 701's MQL date and clears 702's SQL date (set back in
    HubSpot): 701 had two MQL events and 702 stayed an SQL, so October counted 3 SQLs
    where a fresh import of the same export counts 2 (messy-inputs audit, finding 13)."""
    from analytics.warehouse import read_core_table

    head = (
        "Record ID,Create Date,Original Source,Became a Marketing Qualified Lead Date,"
        "Became a Sales Qualified Lead Date\n"
    )
    october = (
        "701,2026-10-01 08:00,Organic Search,2026-10-02 08:00,\n"
        "702,2026-10-01 08:00,Organic Search,2026-10-02 08:00,2026-10-05 08:00\n"
        "703,2026-10-01 08:00,Organic Search,2026-10-02 08:00,\n"
    )
    november = (
        "701,2026-10-01 08:00,Organic Search,2026-10-03 09:00,\n"
        "702,2026-10-01 08:00,Organic Search,2026-10-02 08:00,\n"
        "703,2026-10-01 08:00,Organic Search,2026-13-45 08:00,\n"  # unreadable: 703 keeps its
    )
    db = tmp_path / "w.duckdb"
    for name, rows in (("oct", october), ("nov", november)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "contacts.csv").write_text(head + rows, encoding="utf-8")
        result = import_export(db, tmp_path / name, fmt="hubspot")
    assert result.changes["lifecycle_events"]["removed"] == 2  # 701's old MQL, 702's SQL
    events = read_core_table(db, "lifecycle_events").filter(pl.col("stage") != "lead")
    stages = events.sort("lead_id", "entered_at").select(
        "lead_id", "stage", pl.col("entered_at").dt.strftime("%m-%d %H:%M")
    )
    assert stages.rows() == [
        ("701", "mql", "10-03 09:00"),
        ("702", "mql", "10-02 08:00"),
        ("703", "mql", "10-02 08:00"),
    ]


def test_one_contact_with_other_values_in_two_files_of_an_export_is_quarantined(tmp_path):
    """201 is in both files, with other values: the file sorted last won silently and a
    new lead was counted "changed" (messy-inputs audit, finding 14). 202 is in both with
    the same values: one row."""
    import duckdb

    head = (
        "Record ID,Create Date,Original Source,Job Title,Country/Region,"
        "Became a Marketing Qualified Lead Date\n"
    )
    export = _export(
        tmp_path / "in",
        contacts_a=head + "201,2026-10-01 08:00,Organic Search,CEO,Germany,2026-10-02 08:00\n"
        "202,2026-10-02 08:00,Paid Search,CTO,Austria,\n",
        contacts_b=head + "201,2026-10-01 08:00,Email marketing,CFO,France,2026-10-04 08:00\n"
        "202,2026-10-02 08:00,Paid Search,CTO,Austria,\n"
        "203,2026-10-03 08:00,Paid Search,CTO,Austria,\n",
    )
    db = tmp_path / "w.duckdb"
    result = import_export(db, export, fmt="hubspot")
    leads = read_core_table(db, "leads").sort("lead_id")
    assert leads.select("lead_id", "job_title", "country").rows() == [
        ("201", "CEO", "DE"), ("202", "CTO", "AT"), ("203", "CTO", "AT"),
    ]  # fmt: skip
    assert result.changes["leads"] == {"added": 3, "changed": 0, "unchanged": 1, "removed": 0}
    # nor its MQL date from the file that disagrees: the first file's stays
    mqls = read_core_table(db, "lifecycle_events").filter(pl.col("stage") == "mql")
    assert [(r, t.day) for r, t in mqls.select("lead_id", "entered_at").iter_rows()] == [("201", 2)]
    with duckdb.connect(str(db), read_only=True) as con:
        quarantined = con.sql(
            "SELECT source_file, line, reason FROM meta.quarantine ORDER BY table_name"
        ).fetchall()
    assert [(f.rsplit("/", 1)[-1], line, why) for f, line, why in quarantined] == [
        ("contacts_b.csv", 2, f"other values than in {tmp_path / 'in' / 'contacts_a.csv'} "
         "line 2 of the same export: which is right is unknown"),
        ("contacts_b.csv", 2, "its lead has other values in another file of this export "
         "(quarantined with it)"),
    ]  # fmt: skip


def test_an_export_split_by_columns_is_no_conflict(tmp_path):
    """One file with the sources, one with the job titles, of the same contacts: each was
    a conflict, and the second file's values were lost (re-audit 19b, finding 5)."""
    export = _export(
        tmp_path / "in",
        a_contacts="Record ID,Create Date,Original Source\n301,2026-10-01 08:00,Paid Search\n",
        b_contacts="Record ID,Create Date,Lifecycle Stage,Job Title\n"
        "301,2026-10-01 08:00,lead,CFO\n",
    )
    db = tmp_path / "w.duckdb"
    result = import_export(db, export, fmt="hubspot")
    assert result.rejected == []
    leads = read_core_table(db, "leads")
    assert leads.select("lead_id", "source", "job_title").rows() == [("301", "paid_search", "CFO")]


@pytest.mark.parametrize(
    ("row", "stage"),
    [
        # the contact's own row unreadable (its create date), its MQL date moved
        ("101,01/09/2026 08:00,Organic Search,2026-09-09 08:00,2026-09-05 08:00\n", "mql"),
        # its MQL date unreadable, its SQL date moved
        ("101,2026-09-01 08:00,Organic Search,31.02.2026 10:00,2026-09-06 08:00\n", "sql"),
    ],
)
def test_a_lead_the_refresh_cannot_read_keeps_its_dates_without_a_second_one(tmp_path, row, stage):
    """101 got a second MQL (or SQL) beside the stored one (re-audit 19b, finding 3)."""
    head = (
        "Record ID,Create Date,Original Source,Became a Marketing Qualified Lead Date,"
        "Became a Sales Qualified Lead Date\n"
    )
    db = tmp_path / "w.duckdb"
    for name, text in (
        ("m1", "101,2026-09-01 08:00,Organic Search,2026-09-03 08:00,2026-09-05 08:00\n"),
        ("m2", row),
    ):
        (tmp_path / name).mkdir()
        (tmp_path / name / "contacts.csv").write_text(head + text, encoding="utf-8")
        result = import_export(db, tmp_path / name, fmt="hubspot")
    events = read_core_table(db, "lifecycle_events").filter(pl.col("stage") == stage)
    assert [t.day for t in events["entered_at"]] == [3 if stage == "mql" else 5]
    assert any("its stored stage dates stay" in r["reason"] for r in result.rejected)


def test_replace_with_a_line_the_export_reader_cannot_read_is_refused(tmp_path):
    """A stray quote on 101's line of a HubSpot export: --replace deleted 101 and its
    events, where the same canonical file is refused (re-audit 19b, finding 8)."""
    from analytics.warehouse.loader import ImportFailed

    head = "Record ID,Create Date,Original Source,Job Title\n"
    db = tmp_path / "w.duckdb"
    (tmp_path / "m1").mkdir()
    (tmp_path / "m1" / "contacts.csv").write_text(
        head + "101,2026-09-01 08:00,Organic Search,CEO\n102,2026-09-01 08:00,Organic Search,CTO\n",
        encoding="utf-8",
    )
    import_export(db, tmp_path / "m1", fmt="hubspot")
    before = db.read_bytes()
    (tmp_path / "m2").mkdir()
    (tmp_path / "m2" / "contacts.csv").write_text(
        head
        + '101,2026-09-01 08:00,Organic Search,"CEO\n102,2026-09-01 08:00,Organic Search,CTO\n',
        encoding="utf-8",
    )
    with pytest.raises(
        ImportFailed, match=r"contacts.csv: line\(s\) 2 cannot be read, so --replace"
    ):
        import_export(db, tmp_path / "m2", fmt="hubspot", replace=True)
    assert db.read_bytes() == before


def test_stage_dates_two_files_of_an_export_disagree_on_keep_the_first(tmp_path):
    """The later file's MQL date was added and then, by its scope, removed the one the
    same import had just loaded from the earlier file (re-audit 19b, finding 6)."""
    head = "Record ID,Create Date,Original Source,Became a Marketing Qualified Lead Date\n"
    export = _export(
        tmp_path / "in",
        contacts_a=head + "201,2026-10-01 08:00,Organic Search,2026-10-02 08:00\n"
        "202,2026-10-01 08:00,Organic Search,2026-10-03 08:00\n",
        contacts_b=head + "201,2026-10-01 08:00,Organic Search,2026-10-04 08:00\n"
        "202,2026-10-01 08:00,Organic Search,2026-10-03 08:00\n",  # the same: one
    )
    db = tmp_path / "w.duckdb"
    result = import_export(db, export, fmt="hubspot")
    mqls = read_core_table(db, "lifecycle_events").filter(pl.col("stage") == "mql")
    assert sorted((r, t.day) for r, t in mqls.select("lead_id", "entered_at").iter_rows()) == [
        ("201", 2), ("202", 3),
    ]  # fmt: skip
    assert [(r["line"], r["reason"]) for r in result.rejected] == [
        (2, "another file of this export gives this lead's stage dates otherwise: "
            "that file's stay"),
    ]  # fmt: skip


def test_deals_companies_and_owners_a_refresh_lacks_keep_their_stored_values(tmp_path):
    """Next month's deals without Amount, contacts or loss reason, companies without
    industry, size or revenue, and the owners' teams a canonical reps.csv had set: each
    was wiped or reset by the refresh (re-audit 19b, findings 9 and 10)."""
    from analytics.warehouse import import_canonical

    db = tmp_path / "w.duckdb"
    import_export(db, FIXTURES, fmt="hubspot")
    import_canonical(
        db, _export(tmp_path / "reps", reps="rep_id,name,team\nMax Keller,Max Keller,ae\n")
    )
    before = {t: read_core_table(db, t) for t in ("opportunities", "accounts", "reps")}
    lean = _export(
        tmp_path / "lean",
        deals="Record ID,Deal Name,Deal Stage,Close Date,Create Date,Deal owner\n"
        "5001,Example AG - Platform,Closed Won,2026-10-01 12:00,2026-09-10 09:00,Max Keller\n",
        companies="Record ID,Company name,Create Date\n9001,Example AG,2026-08-01 10:00\n",
    )
    import_export(db, lean, fmt="hubspot")
    deal = read_core_table(db, "opportunities").filter(pl.col("opportunity_id") == "5001")
    assert (
        deal.select("amount", "lead_id").row(0)
        == before["opportunities"]
        .filter(pl.col("opportunity_id") == "5001")
        .select("amount", "lead_id")
        .row(0)
        == (12000.0, "101")
    )
    account = read_core_table(db, "accounts").filter(pl.col("account_id") == "9001")
    assert account.select("industry", "employees").row(0)[1] == 250
    assert account["industry"].item() is not None
    rep = read_core_table(db, "reps").filter(pl.col("rep_id") == "Max Keller")
    assert rep["team"].item() == "ae"


def test_purging_the_refresh_that_moved_a_stage_date_gives_the_earlier_date_back(tmp_path):
    """Load 1 dates 701's MQL on 10-02 and 702's SQL on 10-05; load 2 moves the MQL to
    10-03 and clears the SQL. Purging load 2 left 701 without any MQL and 702 without its
    SQL: the removals were not recorded, so nothing could undo them (audit refresh 11).
    The records name their leads: purging a lead leaves none of its own."""
    import duckdb

    from analytics.warehouse import read_core_table
    from analytics.warehouse.purge import purge

    head = (
        "Record ID,Create Date,Original Source,Became a Marketing Qualified Lead Date,"
        "Became a Sales Qualified Lead Date\n"
    )
    db = tmp_path / "w.duckdb"
    rows = {
        "oct": "701,2026-10-01 08:00,Organic Search,2026-10-02 08:00,\n"
        "702,2026-10-01 08:00,Organic Search,2026-10-02 08:00,2026-10-05 08:00\n",
        "nov": "701,2026-10-01 08:00,Organic Search,2026-10-03 09:00,\n"
        "702,2026-10-01 08:00,Organic Search,2026-10-02 08:00,\n",
    }
    for name, text in rows.items():
        import_export(db, _export(tmp_path / name, contacts=head + text), fmt="hubspot")

    def stages() -> list[tuple]:
        events = read_core_table(db, "lifecycle_events").filter(pl.col("stage") != "lead")
        return (
            events.sort("lead_id", "stage")
            .select("lead_id", "stage", pl.col("entered_at").dt.strftime("%m-%d %H:%M"))
            .rows()
        )

    assert stages() == [("701", "mql", "10-03 09:00"), ("702", "mql", "10-02 08:00")]
    (second,) = {r[0] for r in duckdb.connect(str(db), read_only=True).sql(
        "SELECT max(load_id) FROM meta.loads").fetchall()}  # fmt: skip
    purge(db, load=second)
    assert stages() == [
        ("701", "mql", "10-02 08:00"), ("702", "mql", "10-02 08:00"),
        ("702", "sql", "10-05 08:00"),
    ]  # fmt: skip

    def removed() -> list[tuple]:
        with duckdb.connect(str(db), read_only=True) as con:
            return con.sql("SELECT lead_id, id FROM meta.removed ORDER BY 1").fetchall()

    assert removed() == []  # the erased load's records go with it
    import_export(db, _export(tmp_path / "again", contacts=head + rows["nov"]), fmt="hubspot")
    assert removed() == [("701", "701"), ("702", "702")]
    purge(db, leads=["701"])
    assert removed() == [("702", "702")]


@pytest.mark.parametrize(
    ("dates", "erased", "left"),
    [
        # moved to 10-03 by load 2, seen at 10-03 again by load 3: load 3's word stands
        (("10-02 08:00", "10-03 09:00", "10-03 09:00"), 2, ["10-03 09:00"]),
        # moved to 10-03 by load 2 and back by load 3: erasing load 3 leaves load 2's date
        (("10-02 08:00", "10-03 09:00", "10-02 08:00"), 3, ["10-03 09:00"]),
    ],
)
def test_a_purge_keeps_the_stage_date_the_kept_loads_say(tmp_path, dates, erased, left):
    """Refresh re-audit F1 and F3: the purge gave the lead two MQLs."""
    from analytics.warehouse import read_core_table
    from analytics.warehouse.purge import purge

    head = "Record ID,Create Date,Original Source,Became a Marketing Qualified Lead Date\n"
    db = tmp_path / "w.duckdb"
    for i, when in enumerate(dates):
        text = f"701,2026-10-01 08:00,Organic Search,2026-{when}\n"
        import_export(db, _export(tmp_path / f"m{i}", contacts=head + text), fmt="hubspot")
    purge(db, load=erased)
    mqls = read_core_table(db, "lifecycle_events").filter(pl.col("stage") == "mql")
    assert mqls["entered_at"].dt.strftime("%m-%d %H:%M").to_list() == left


def test_a_deal_kept_by_a_lead_purge_keeps_no_hash_of_the_lead(tmp_path):
    """Deal 5001 forgets lead 101, but its raw row's hash was of its content with the lead:
    anyone guessing ids could tell which lead it had (refresh re-audit F11). The hashes
    match the rows as they are, and every sighting names a row that is there."""
    import duckdb

    from analytics.warehouse.loader import _row_hash_sql
    from analytics.warehouse.purge import purge

    db = tmp_path / "w.duckdb"
    import_export(db, FIXTURES, fmt="hubspot")
    purge(db, leads=["101"])
    with duckdb.connect(str(db), read_only=True) as con:
        stale = con.sql(
            "SELECT opportunity_id FROM raw.opportunities r "
            f"WHERE r._row_hash <> {_row_hash_sql('opportunities', 'r')}"
        ).fetchall()
        orphans = con.sql(
            "SELECT count(*) FROM meta.raw_seen s WHERE s.table_name = 'opportunities' AND NOT "
            "EXISTS (SELECT 1 FROM raw.opportunities r WHERE r._row_hash = s.row_hash)"
        ).fetchall()
        unlinked = con.sql(
            "SELECT count(*) FROM raw.opportunities WHERE opportunity_id = '5001' "
            "AND lead_id IS NULL"
        ).fetchall()
    assert stale == [] and orphans == [(0,)] and unlinked[0][0] >= 1


def test_replacing_with_an_export_without_a_stage_date_column_keeps_that_stage(tmp_path):
    """A re-export whose "Became a Marketing Qualified Lead Date" column was left out,
    imported with --replace: every stored MQL was removed (its key is not in the file),
    and the review's MQLs, handoff and cadence went with them (audit 2026-12-06 messy
    exports, finding 1). An absent column is not an empty cell; an emptied cell and a
    contact the export no longer has still lose theirs."""
    db = tmp_path / "w.duckdb"
    first, second = tmp_path / "m1", tmp_path / "m2"
    first.mkdir()
    second.mkdir()
    (first / "contacts.csv").write_text(
        "Record ID,Create Date,Original Source,Became a Lead Date,"
        "Became a Marketing Qualified Lead Date,Became a Sales Qualified Lead Date\n"
        "301,2026-10-01 08:00,Organic Search,2026-10-01 08:00,2026-10-02 09:00,2026-10-05 10:00\n"
        "302,2026-10-03 09:30,Paid Search,2026-10-03 09:30,2026-10-06 11:00,2026-10-07 11:00\n"
        "303,2026-10-04 09:30,Paid Search,2026-10-04 09:30,2026-10-06 12:00,\n",
        encoding="utf-8",
    )
    (second / "contacts.csv").write_text(
        "Record ID,Create Date,Original Source,Became a Lead Date,"
        "Became a Sales Qualified Lead Date\n"
        "301,2026-10-01 08:00,Organic Search,2026-10-01 08:00,2026-10-05 10:00\n"
        "302,2026-10-03 09:30,Paid Search,2026-10-03 09:30,\n",
        encoding="utf-8",
    )
    import_export(db, first, fmt="hubspot")
    done = import_export(db, second, fmt="hubspot", replace=True)
    events = read_core_table(db, "lifecycle_events").sort("lead_id", "stage")
    assert events.select("lead_id", "stage").rows() == [
        ("301", "lead"),
        ("301", "mql"),
        ("301", "sql"),
        ("302", "lead"),
        ("302", "mql"),
    ]
    # 302's emptied SQL date, and 303's lead and MQL (303 is no longer exported)
    assert done.changes["lifecycle_events"]["removed"] == 3


def test_an_export_with_the_internal_property_names_is_read(tmp_path):
    """hs_object_id and createdate (the names an API or workflow export writes, which the
    docs accept) were refused as lacking "record id" and "create date": the check of the
    required columns knew only the first name of each (audit 2026-12-06 messy exports,
    finding 4)."""
    from analytics.warehouse import ImportFailed

    export = tmp_path / "hubspot"
    export.mkdir()
    (export / "contacts.csv").write_text(
        "hs_object_id,createdate,hs_analytics_source,"
        "hs_lifecyclestage_marketingqualifiedlead_date\n"
        "301,2026-10-01 08:00,ORGANIC_SEARCH,2026-10-02 09:00\n",
        encoding="utf-8",
    )
    db = tmp_path / "w.duckdb"
    import_export(db, export, fmt="hubspot")
    assert read_core_table(db, "leads").select("lead_id", "created_at", "source").rows() == [
        ("301", ts("2026-10-01T08:00:00"), "organic")
    ]
    assert read_core_table(db, "lifecycle_events").select("stage", "entered_at").rows() == [
        ("mql", ts("2026-10-02T09:00:00"))
    ]
    (export / "contacts.csv").write_text(
        "Kontakt-ID,Erstelldatum,Original Source\n301,2026-10-01 08:00,Organic Search\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportFailed) as caught:
        read_export(export, fmt="hubspot", salt="s")
    # neither is a label HubSpot's German knowledge base confirms (finding 9): the refusal
    # names the German labels read instead
    assert (
        "missing column(s) record id (or hs_object_id, contact id, company id, deal id, "
        "activity id, datensatz-id), create date (or createdate, created date, "
        "erstellungsdatum) (the header has: Kontakt-ID, Erstelldatum, Original Source)"
        in str(caught.value)
    )


def test_replacing_keeps_the_stage_dates_of_a_contact_whose_row_was_rejected(tmp_path):
    """--replace with a contact whose Create Date cannot be read: the quarantine says "its
    stored stage dates stay as they were" and the contact keeps its row, but the replace
    removed its stored events (their keys were not among the file's loaded rows) (audit
    2026-12-06 messy exports, finding 5)."""
    db = tmp_path / "w.duckdb"
    first, second = tmp_path / "m1", tmp_path / "m2"
    first.mkdir()
    second.mkdir()
    head = "Record ID,Create Date,Original Source,Became a Lead Date,"
    head += "Became a Marketing Qualified Lead Date\n"
    (first / "contacts.csv").write_text(
        head + "301,2026-10-01 08:00,Organic Search,2026-10-01 08:00,2026-10-02 09:00\n"
        "302,2026-10-03 09:30,Paid Search,2026-10-03 09:30,2026-10-06 11:00\n",
        encoding="utf-8",
    )
    (second / "contacts.csv").write_text(
        head + "301,2026-10-01 08:00,Organic Search,2026-10-01 08:00,2026-10-02 09:00\n"
        "302,gestern,Paid Search,2026-10-03 09:30,2026-10-06 11:00\n",
        encoding="utf-8",
    )
    import_export(db, first, fmt="hubspot")
    before = read_core_table(db, "lifecycle_events").sort("lead_id", "stage")
    done = import_export(db, second, fmt="hubspot", replace=True)
    assert {(r["line"], r["column"]) for r in done.rejected} == {(3, "created_at"), (3, "lead_id")}
    assert read_core_table(db, "leads")["lead_id"].sort().to_list() == ["301", "302"]
    assert_frame_equal(read_core_table(db, "lifecycle_events").sort("lead_id", "stage"), before)
    assert done.changes["lifecycle_events"]["removed"] == 0


def test_a_contacts_export_without_the_mql_date_says_so(tmp_path):
    """A contacts export whose "Became a Marketing Qualified Lead Date" property was not
    selected loaded without a word, exit 0; the review then had no MQLs, no handoff and no
    cadence (audit 2026-12-06 messy exports, finding 7). The import now names the column;
    a second contacts file of the export that has it silences the warning."""
    export = tmp_path / "hubspot"
    export.mkdir()
    (export / "contacts.csv").write_text(
        "Record ID,Create Date,Original Source,Became a Lead Date\n"
        "301,2026-10-01 08:00,Organic Search,2026-10-01 08:00\n",
        encoding="utf-8",
    )
    result = import_export(tmp_path / "w.duckdb", export, fmt="hubspot")
    name = str(export / "contacts.csv")
    assert result.to_json_dict()["no_mql_dates"] == {name: "Became a Marketing Qualified Lead Date"}
    assert result.warnings() == [
        f"{name} has no column Became a Marketing Qualified Lead Date: no MQL was read from "
        "it (MQLs stored before stay); add the property to the export to count MQLs and "
        "judge their handoff"
    ]
    assert result.warnings(lang="de")[0].startswith(
        f"{name} hat keine Spalte Became a Marketing Qualified Lead Date: daraus wurde kein "
        "MQL gelesen"
    )
    (export / "contacts_b.csv").write_text(
        "Record ID,Create Date,Became a Marketing Qualified Lead Date\n"
        "301,2026-10-01 08:00,2026-10-02 09:00\n",
        encoding="utf-8",
    )
    assert import_export(tmp_path / "w2.duckdb", export, fmt="hubspot").warnings() == []


def test_a_contacts_export_without_the_source_column_says_so(tmp_path):
    """Without "Original Source" every new contact was loaded as source "other", without a
    word: a breakdown by source then said all leads came from other sources, a verdict
    the export never made (audit 2026-12-06 messy exports, finding 11)."""
    export = tmp_path / "hubspot"
    export.mkdir()
    (export / "contacts.csv").write_text(
        "Record ID,Create Date,Became a Marketing Qualified Lead Date\n"
        "301,2026-10-01 08:00,2026-10-02 09:00\n",
        encoding="utf-8",
    )
    db = tmp_path / "w.duckdb"
    result = import_export(db, export, fmt="hubspot")
    name = str(export / "contacts.csv")
    assert read_core_table(db, "leads")["source"].to_list() == ["other"]
    assert result.to_json_dict()["no_source"] == {name: "Original Source"}
    assert result.warnings() == [
        f'{name} has no column Original Source: the source of its new leads was set to "other" '
        "(leads stored before keep theirs); add the property to the export to break leads "
        "down by source"
    ]
    assert result.warnings(lang="de")[0].startswith(f"{name} hat keine Spalte Original Source")


_CONTACTS = "Record ID,Create Date,Original Source\n301,2026-10-01 08:00,Organic Search\n"
_CONTACT_2 = "302,2026-10-03 09:30,Paid Search\n"
_CALLS = "Record ID,Activity date,Call outcome,Activity assigned to,Associated Contact IDs\n"
_CALL_1 = "7001,2026-10-01 10:00,Connected,Jana Vogel,301\n"
_CALL_2 = "7002,2026-10-03 11:00,No answer,Jana Vogel,302\n"
_EMAILS = (
    "Record ID,Activity date,Email direction,Email send status,Activity assigned to,"
    "Associated Contact IDs\n"
)
_EMAIL_1 = "8001,2026-10-01 09:00,Email sent by a rep,Sent,Jana Vogel,301\n"
_EMAIL_2 = "8002,2026-10-04 09:00,Email sent by a rep,Sent,Jana Vogel,302\n"


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        # a kind the folder lacks says nothing of its touches: they stay
        ({"calls": _CALLS + _CALL_1 + _CALL_2}, {"phone": 2, "email": 2}),
        ({"emails": _EMAILS + _EMAIL_1 + _EMAIL_2}, {"phone": 2, "email": 2}),
        # a kind the folder has is a snapshot of its touches: 7002 is gone
        ({"contacts": _CONTACTS + _CONTACT_2, "calls": _CALLS + _CALL_1}, {"phone": 1, "email": 2}),
        ({"emails": _EMAILS + _EMAIL_2}, {"phone": 2, "email": 1}),
        # a contact no longer exported goes with the touches of a kind the folder lacks
        ({"contacts": _CONTACTS, "calls": _CALLS + _CALL_1}, {"phone": 1, "email": 1}),
    ],
    ids=[
        "calls alone",
        "e-mails alone",
        "contacts and calls without a call",
        "e-mails without an e-mail",
        "contacts without a contact and calls",
    ],
)
def test_replacing_with_a_folder_that_lacks_a_file_kind_keeps_its_touches(
    tmp_path, files, expected
):
    """--replace with calls.csv alone removed every stored e-mail touch (and with e-mails
    alone every call): both fill sales_touches, so the table was replaced whole. A folder
    without a file kind says nothing of its rows, as one without LeadHistory.csv says
    nothing of Salesforce's status changes (audit 2026-12-06 messy exports, finding 8)."""
    db = tmp_path / "w.duckdb"
    whole = {"contacts": _CONTACTS + _CONTACT_2, "calls": _CALLS + _CALL_1 + _CALL_2,
             "emails": _EMAILS + _EMAIL_1 + _EMAIL_2}  # fmt: skip
    import_export(db, _export(tmp_path / "first", **whole), fmt="hubspot")
    assert read_core_table(db, "sales_touches").height == 4
    import_export(db, _export(tmp_path / "refresh", **files), fmt="hubspot", replace=True)
    touches = read_core_table(db, "sales_touches")
    assert dict(touches.group_by("channel").len().iter_rows()) == expected


def _read(folder: Path, table: str) -> pl.DataFrame:
    (found,) = [b for b in read_export(folder, fmt="hubspot", salt="s").batches
                if b.table == table]  # fmt: skip
    return found.cells


@pytest.mark.parametrize(
    ("value", "source"),
    [
        ("Organische Suche", "organic"),
        ("Bezahlte Suche", "paid_search"),
        ("E-Mail-Marketing", "email"),
        ("Organische Social Media", "social"),
        ("Bezahlte Social Media", "paid_social"),
        ("Verweise", "referral"),
        ("Direkter Traffic", "direct"),
        ("Offline-Quellen", "other"),
        ("Andere Kampagnen", "other"),
    ],
)
def test_a_german_original_source_is_the_source(tmp_path, value, source):
    """A German portal exports its sources in German: every one of them was "other"
    (audit 2026-12-06 messy exports, finding 9)."""
    export = _export(
        tmp_path / "hubspot",
        contacts=f"Record ID,Create Date,Original Source\n301,2026-10-01 08:00,{value}\n",
    )
    assert _read(export, "leads")["source"].to_list() == [source]


@pytest.mark.parametrize(
    ("stage", "status"),
    [
        ("Abgeschlossen und gewonnen", "won"),
        ("Abgeschlossen und verloren", "lost"),
        ("Termin geplant", "open"),
        ("Closed Won (Sales Pipeline)", "won"),
        ("closedlost", "lost"),
    ],
)
def test_a_german_closed_deal_stage_is_won_or_lost(tmp_path, stage, status):
    """A German portal's closed deals were read as open: only "closedwon"/"closedlost"
    counted as closed (audit 2026-12-06 messy exports, finding 9)."""
    export = _export(
        tmp_path / "hubspot",
        deals=f"Record ID,Deal Stage,Close Date,Create Date\n5001,{stage},"
        "2026-10-01 12:00,2026-09-10 09:00\n",
    )
    assert _read(export, "opportunities")["status"].to_list() == [status]


GERMAN = Path(__file__).parent / "fixtures" / "exports" / "hubspot_de"

#: The German fixture's labels and values as an English-language portal writes them (its
#: rows are rows of the English fixture, in the columns whose German label is confirmed).
IN_ENGLISH = {
    "Datensatz-ID": "Record ID",
    "Vorname": "First Name",
    "Nachname": "Last Name",
    "E-Mail": "Email",
    "Erstellungsdatum": "Create Date",
    "Lifecycle-Phase": "Lifecycle Stage",
    "Für Kontakt zuständiger Mitarbeiter": "Contact owner",
    "Ursprüngliche Quelle": "Original Source",
    "Unternehmensname": "Company name",
    "Domain-Name des Unternehmens": "Company Domain Name",
    "Jahresumsatz": "Annual Revenue",
    "Deal-Phase": "Deal Stage",
    "Betrag": "Amount",
    "Abschlussdatum": "Close Date",
    "Für Deal zuständiger Mitarbeiter": "Deal owner",
    "Kunde": "Customer",
    "Marketing-Qualified-Lead": "Marketing Qualified Lead",
    "Sales-Qualified-Lead": "Sales Qualified Lead",
    "Organische Suche": "Organic Search",
    "Bezahlte Suche": "Paid Search",
    "Bezahlte Social Media": "Paid Social",
    "E-Mail-Marketing": "Email Marketing",
    "Verweise": "Referrals",
    "Offline-Quellen": "Offline Sources",
    "Direkter Traffic": "Direct Traffic",
    "Organische Social Media": "Organic Social",
    "Andere Kampagnen": "Other Campaigns",
    "Abgeschlossen und gewonnen": "Closed Won",
    "Abgeschlossen und verloren": "Closed Lost",
    "Termin geplant": "Appointment Scheduled",
    "Für Kauf qualifiziert": "Qualified To Buy",
}


def test_a_german_export_loads_the_core_rows_of_the_same_export_in_english(tmp_path):
    """A German-language portal's export was refused as lacking "record id" and "create
    date" (audit 2026-12-06 messy exports, finding 9): it now gives the core rows, and the
    rejections, the same export gives with English labels."""
    english = tmp_path / "english"
    english.mkdir()
    for path in GERMAN.glob("*.csv"):
        with path.open(encoding="utf-8", newline="") as f:
            rows = [[IN_ENGLISH.get(cell, cell) for cell in row] for row in csv.reader(f)]
        with (english / path.name).open("w", encoding="utf-8", newline="") as f:
            csv.writer(f, lineterminator="\n").writerows(rows)
    results = {}
    for name, folder in (("de", GERMAN), ("en", english)):
        results[name] = import_export(tmp_path / f"{name}.duckdb", folder, fmt="hubspot")
    # 9 contacts - 109 without a create date; 4 companies - 9004 without a name;
    # 6 deals - 5006 won without a close date; reps: 4 contact and deal owners + Lea Sommer
    assert results["de"].loaded == {"accounts": 3, "reps": 5, "leads": 8, "opportunities": 5}

    def rejected(result):
        return sorted((Path(r["file"]).name, r["line"], r["column"]) for r in result.rejected)

    assert (
        rejected(results["de"])
        == rejected(results["en"])
        == [
            ("companies.csv", 5, "name"),
            ("contacts.csv", 8, "created_at"),
            ("deals.csv", 6, "closed_at"),
        ]
    )
    for table in ("accounts", "reps", "leads", "opportunities"):
        de, en = (read_core_table(tmp_path / f"{n}.duckdb", table) for n in ("de", "en"))
        key = de.columns[0]
        assert_frame_equal(de.sort(key), en.sort(key))
    leads = read_core_table(tmp_path / "de.duckdb", "leads").sort("lead_id")
    assert leads["source"].to_list() == [
        "organic", "paid_search", "paid_social", "email", "referral", "other", "social", "other",
    ]  # fmt: skip
    deals = read_core_table(tmp_path / "de.duckdb", "opportunities").sort("opportunity_id")
    assert deals["status"].to_list() == ["won", "lost", "open", "open", "lost"]


@pytest.mark.parametrize(
    ("german", "english", "role"),
    [
        ("Datensatz-ID", "Record ID", "id"),
        ("Erstellungsdatum", "Create Date", "created"),
        ("Ursprüngliche Quelle", "Original Source", "source"),
        ("Für Kontakt zuständiger Mitarbeiter", "Contact owner", "owner"),
        ("Lifecycle-Phase", "Lifecycle Stage", "lifecycle"),
        ("Vorname", "First Name", "first_name"),
        ("Nachname", "Last Name", "last_name"),
        ("Unternehmensname", "Company name", "company_name"),
        ("Domain-Name des Unternehmens", "Company Domain Name", "company_domain"),
        ("Jahresumsatz", "Annual Revenue", "revenue"),
        ("Deal-Phase", "Deal Stage", "deal_stage"),
        ("Dealphase", "Deal Stage", "deal_stage"),
        ("Betrag", "Amount", "amount"),
        ("Dealbetrag", "Amount", "amount"),
        ("Abschlussdatum", "Close Date", "close_date"),
        ("Für Deal zuständiger Mitarbeiter", "Deal owner", "deal_owner"),
        ("Erstellungsdatum", "Create Date", "activity_date"),
    ],
)
def test_a_german_label_plays_the_role_of_its_english_label(tmp_path, german, english, role):
    """Each German label is read as the English label of the same property."""
    from analytics.warehouse.adapters.common import DEFAULT_OPTIONS, read_export_csv
    from analytics.warehouse.adapters.hubspot import col

    for label in (german, english):
        (tmp_path / "export.csv").write_text(f"{label}\nx\n", encoding="utf-8")
        assert col(read_export_csv(tmp_path / "export.csv", DEFAULT_OPTIONS), role) == label.lower()


@pytest.mark.parametrize(
    ("header", "columns", "field"),
    [
        ("Record ID,Datensatz-ID,Create Date", "Record ID and Datensatz-ID", "record id"),
        ("hs_object_id,createdate,Erstellungsdatum", "createdate and Erstellungsdatum",
         "create date"),
        ("Record ID,Create Date,Original Source,Ursprüngliche Quelle",
         "Original Source and Ursprüngliche Quelle", "original source"),
        ("Record ID,Create Date,Deal-Phase,Dealphase", "Deal-Phase and Dealphase", "deal stage"),
    ],
    ids=["labels", "internal name", "optional column", "two german labels"],
)  # fmt: skip
def test_a_header_giving_a_field_twice_one_in_german_is_refused_naming_both(
    tmp_path, header, columns, field
):
    """Which of two columns of one field to read is a guess (the first alias found won,
    silently): a header with one in English, or by its internal name, and one in German
    is refused, naming both."""
    from analytics.warehouse import ImportFailed

    row = ",".join(["1"] * len(header.split(",")))
    export = _export(tmp_path / "hubspot", contacts=f"{header}\n{row}\n")
    with pytest.raises(ImportFailed) as caught:
        read_export(export, fmt="hubspot", salt="s")
    assert str(caught.value) == (
        f"{export / 'contacts.csv'}: the header has {columns}, both read as the {field}; "
        "HubSpot exports in one language: keep one of them"
    )


@pytest.mark.parametrize(
    ("german", "message"),
    [
        ({"amount": ("annual revenue",)}, "'annual revenue' would name both revenue and amount"),
        ({"amount": ("dealstage",)}, "'dealstage' would name both deal_stage and amount"),
        ({"deal stage": ("betrag",), "amount": ("betrag",)}, "'betrag' would name both"),
        ({"amount (eur)": ("betrag",)}, r"German labels given for \['amount \(eur\)'\]"),
    ],
    ids=["another's label", "another's internal name", "two roles", "no such label"],
)
def test_a_german_label_that_would_name_two_properties_is_refused(german, message):
    """A German label that is another property's English label or internal name would read
    a header as either: the alias table refuses it where it is written."""
    from analytics.warehouse.adapters import hubspot

    in_german = {de for labels in hubspot.GERMAN_LABELS.values() for de in labels}
    english = {role: tuple(n for n in names if n not in in_german)
               for role, names in hubspot.ALIASES.items()}  # fmt: skip
    with pytest.raises(ValueError, match=message):
        hubspot.with_german(english, german)


def test_a_german_contacts_export_without_the_mql_date_says_how_to_get_it_read(tmp_path):
    """A German portal's contacts export dates no MQL: HubSpot's German label of the MQL
    date is not confirmed, so the warning says to rename the column or export in English
    rather than only naming the English column, and the missing source column is named
    by its German label (audit 2026-12-06 messy exports, found fixing 9, 10, 16, 17: 6)."""
    export = tmp_path / "hubspot"
    export.mkdir()
    (export / "kontakte.csv").write_text(
        "Datensatz-ID,Erstellungsdatum,Lifecycle-Phase\n301,2026-10-01 08:00,Lead\n",
        encoding="utf-8",
    )
    result = import_export(tmp_path / "w.duckdb", export, fmt="hubspot")
    name = str(export / "kontakte.csv")
    assert result.german_headers == [name]
    assert result.to_json_dict()["no_mql_dates"] == {name: "Became a Marketing Qualified Lead Date"}
    assert result.to_json_dict()["no_source"] == {name: "Ursprüngliche Quelle"}
    assert result.warnings() == [
        f"{name} has no column Became a Marketing Qualified Lead Date: no MQL was read from "
        "it (MQLs stored before stay); its German label is not confirmed, so it is not read: "
        "add the property to the export and rename its column to Became a Marketing "
        "Qualified Lead Date, or export with HubSpot set to English",
        f"{name} has no column Ursprüngliche Quelle: the source of its new leads was set to "
        '"other" (leads stored before keep theirs); add the property to the export to break '
        "leads down by source",
    ]
    assert result.warnings(lang="de")[0] == (
        f"{name} hat keine Spalte Became a Marketing Qualified Lead Date: daraus wurde kein "
        "MQL gelesen (schon gespeicherte bleiben); ihre deutsche Bezeichnung ist nicht "
        "bestätigt und wird daher nicht gelesen: die Eigenschaft in den Export aufnehmen und "
        "ihre Spalte in Became a Marketing Qualified Lead Date umbenennen, oder mit HubSpot "
        "auf Englisch exportieren"
    )
    renamed = tmp_path / "umbenannt"
    renamed.mkdir()
    (renamed / "kontakte.csv").write_text(
        "Datensatz-ID,Erstellungsdatum,Lifecycle-Phase,Ursprüngliche Quelle,"
        "Became a Marketing Qualified Lead Date\n"
        "301,2026-10-01 08:00,Lead,Organische Suche,2026-10-02 09:00\n",
        encoding="utf-8",
    )
    db = tmp_path / "w2.duckdb"
    assert import_export(db, renamed, fmt="hubspot").warnings() == []
    assert read_core_table(db, "lifecycle_events")["stage"].to_list().count("mql") == 1


def test_a_deals_amount_in_the_company_currency_is_read_before_its_own(tmp_path):
    """A portal with several currencies writes Amount in each deal's currency (12,000 USD
    beside 8,000 EUR): summed, revenue mixed them. "Amount in company currency" is the
    portal's one currency, read first when the export has it."""
    folder = tmp_path / "export"
    shutil.copytree(FIXTURES, folder)
    rows = list(csv.reader((FIXTURES / "deals.csv").read_text().splitlines()))
    home = {"5001": "11040", "5002": "8000", "5007": "6440.46"}  # USD deals at 0.92
    rows[0].append("Amount in company currency")
    for row in rows[1:]:
        row.append(home.get(row[0], row[3]))
    with (folder / "deals.csv").open("w", newline="") as fh:
        csv.writer(fh).writerows(rows)
    db = tmp_path / "w.duckdb"
    import_export(db, folder, fmt="hubspot")
    amounts = dict(read_core_table(db, "opportunities").select("opportunity_id", "amount").rows())
    assert (amounts["5001"], amounts["5002"], amounts["5007"]) == (11040.0, 8000.0, 6440.46)


def _in_pipelines(folder: Path, pipelines: dict[str, str]) -> Path:
    """A copy of the fixture with some deals (by Record ID) in other pipelines, as a portal
    with a renewals pipeline beside new business exports them."""
    return with_column(FIXTURES, folder, "deals.csv", "Pipeline", pipelines)


RENEWALS = {"5007": "Renewals", "5010": "renewals "}


def test_deals_of_several_pipelines_all_count_and_the_import_says_so(tmp_path):
    """Which pipelines are new business is the SLA's agreement: without --pipeline every
    deal is read, as before, and the warning names the pipelines and how to choose."""
    folder = _in_pipelines(tmp_path / "export", RENEWALS)
    result = import_export(tmp_path / "w.duckdb", folder, fmt="hubspot")
    ids = set(read_core_table(tmp_path / "w.duckdb", "opportunities")["opportunity_id"])
    assert {"5007", "5010"} <= ids
    said = f"{folder / 'deals.csv'}: deals of 2 pipelines (Sales Pipeline 10, Renewals 2) all " \
        "count as opportunities, and their won amounts as new revenue: to count one " \
        "pipeline's deals only, import with --pipeline and its name (on the Data page: Deal " \
        "pipelines)"  # fmt: skip
    assert said in result.warnings()
    assert "Deals aus 2 Pipelines (Sales Pipeline 10, Renewals 2) zählen alle als " \
        "Opportunities" in " ".join(result.warnings(lang="de"))  # fmt: skip
    # one pipeline (the fixture as it is): nothing to say
    assert not any("pipelines" in w for w in import_export(
        tmp_path / "one.duckdb", FIXTURES, fmt="hubspot").warnings())  # fmt: skip


@pytest.mark.parametrize("chosen", [("Sales Pipeline",), (" sales pipeline",), ("SALES PIPELINE",)])
def test_a_chosen_pipeline_reads_only_its_deals_and_counts_the_others(tmp_path, chosen):
    folder = _in_pipelines(tmp_path / "export", RENEWALS)
    db, all_deals = tmp_path / "w.duckdb", tmp_path / "all.duckdb"
    result = import_export(db, folder, fmt="hubspot", options=CsvOptions(pipelines=chosen))
    everything = import_export(all_deals, folder, fmt="hubspot")
    assert result.loaded["opportunities"] == everything.loaded["opportunities"] - 2
    ids = set(read_core_table(db, "opportunities")["opportunity_id"])
    assert not {"5007", "5010"} & ids and "5002" in ids
    said = f"deals of pipelines other than {', '.join(chosen)} were not read (Renewals 2; 2 in " \
        "all); ones stored by an earlier import stay until an import with --replace"  # fmt: skip
    assert f"{folder / 'deals.csv'}: {said}" in result.warnings()
    assert result.to_json_dict()["notices"] == {str(folder / "deals.csv"): [said]}


def test_replace_with_a_chosen_pipeline_removes_the_deals_of_the_others(tmp_path):
    folder = _in_pipelines(tmp_path / "export", RENEWALS)
    db = tmp_path / "w.duckdb"
    import_export(db, folder, fmt="hubspot")
    options = CsvOptions(pipelines=("Sales Pipeline",))
    kept = import_export(db, folder, fmt="hubspot", options=options)
    assert {"5007", "5010"} <= set(read_core_table(db, "opportunities")["opportunity_id"])
    assert kept.changes["opportunities"]["removed"] == 0
    replaced = import_export(db, folder, fmt="hubspot", options=options, replace=True)
    assert replaced.changes["opportunities"]["removed"] == 2
    assert not {"5007", "5010"} & set(read_core_table(db, "opportunities")["opportunity_id"])


@pytest.mark.parametrize(
    ("pipelines", "chosen", "message"),
    [
        (RENEWALS, ("Renewal",), "--pipeline Renewal: no deal of the export is in this "
         "pipeline; its pipelines: Sales Pipeline, Renewals"),
        (None, ("Sales Pipeline",), "deals.csv: --pipeline: this deals export has no Pipeline "
         "column (export the deals with their Pipeline property)"),
    ],
)  # fmt: skip
def test_a_pipeline_the_export_cannot_choose_is_refused_and_nothing_loads(
    tmp_path, pipelines, chosen, message
):
    folder = tmp_path / "export"
    if pipelines is None:
        shutil.copytree(FIXTURES, folder)
        deals = pl.read_csv(folder / "deals.csv", infer_schema=False).drop("Pipeline")
        deals.write_csv(folder / "deals.csv")
    else:
        _in_pipelines(folder, pipelines)
    db = tmp_path / "w.duckdb"
    with pytest.raises(ImportFailed) as refused:
        import_export(db, folder, fmt="hubspot", options=CsvOptions(pipelines=chosen))
    assert str(refused.value).endswith(message)
    assert not db.exists() or read_core_table(db, "leads").is_empty()


def test_a_pipeline_needs_a_deals_file(tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    shutil.copy(FIXTURES / "contacts.csv", folder)
    with pytest.raises(
        ImportFailed, match=r"^--pipeline chooses HubSpot deals, and the export has no deals file$"
    ):
        import_export(tmp_path / "w.duckdb", folder, fmt="hubspot",
                      options=CsvOptions(pipelines=("Sales Pipeline",)))  # fmt: skip


def test_the_command_line_chooses_pipelines_for_hubspot_only(tmp_path):
    from typer.testing import CliRunner

    from analytics.cli import app

    folder = _in_pipelines(tmp_path / "export", RENEWALS)
    db = tmp_path / "w.duckdb"
    run = CliRunner().invoke
    base = ["import", str(folder), "--db", str(db), "--json"]
    refused = run(app, [*base, "--pipeline", "Sales Pipeline"])
    assert refused.exit_code == 2 and not db.exists()
    assert "--pipeline chooses HubSpot deals (--format hubspot), not --format canonical" in (
        refused.stderr
    )
    args = [*base, "--format", "hubspot", "--pipeline", "Sales Pipeline", "--pipeline", "Other"]
    unknown = run(app, args)
    assert unknown.exit_code == 2 and not db.exists()
    assert "--pipeline Other: no deal of the export is in this pipeline; its pipelines: Sales " \
        "Pipeline, Renewals; nothing was imported" in " ".join(unknown.stderr.split())  # fmt: skip
    done = run(app, [*base, "--format", "hubspot", "--pipeline", "Sales Pipeline"])
    assert done.exit_code == 1  # the fixture's awkward rows are quarantined
    notices = json.loads(done.stdout)["notices"][str(folder / "deals.csv")]
    assert notices[0].startswith("deals of pipelines other than Sales Pipeline were not read")


def test_sla_info_says_what_the_last_import_said(tmp_path):
    """The warning of deals of several pipelines ended with the import: `sla info` says it
    while the deals file is the opportunities' latest (`last_import_notices`, absent when
    nothing was said of the latest load of each table): an import of other tables since
    (a reps file) leaves it said; the next deals file decides, unless a purge erases it."""
    from typer.testing import CliRunner

    from analytics.cli import app
    from analytics.warehouse import import_canonical
    from analytics.warehouse.purge import purge

    folder = _in_pipelines(tmp_path / "export", RENEWALS)
    db = tmp_path / "w.duckdb"
    import_export(db, folder, fmt="hubspot")
    reps = tmp_path / "reps"
    reps.mkdir()
    (reps / "reps.csv").write_text("rep_id,name,team\nr9,Rita Neu,sdr\n")
    import_canonical(db, reps)  # the renewals still count as new business
    info = CliRunner().invoke(app, ["info", "--db", str(db), "--json"])
    (notice,) = json.loads(info.stdout)["last_import_notices"]
    assert notice["file"] == str(folder / "deals.csv")
    assert notice["text"].startswith("deals of 2 pipelines (Sales Pipeline 10, Renewals 2) all")
    said = CliRunner().invoke(app, ["info", "--db", str(db)])
    assert "said at import: " + str(folder / "deals.csv") + ": deals of 2" in said.stdout
    import_export(db, FIXTURES, fmt="hubspot")  # one pipeline: nothing to say
    info = CliRunner().invoke(app, ["info", "--db", str(db), "--json"])
    assert "last_import_notices" not in json.loads(info.stdout)
    purge(db, load=3)  # erased: the renewals export's deals are the latest again
    info = CliRunner().invoke(app, ["info", "--db", str(db), "--json"])
    (notice,) = json.loads(info.stdout)["last_import_notices"]
    assert notice["text"].startswith("deals of 2 pipelines (Sales Pipeline 10, Renewals 2) all")


def test_a_record_id_a_spreadsheet_wrote_in_scientific_notation_is_its_contacts_root_cause(
    tmp_path,
):
    """A contacts export opened in Excel and saved again writes a 12-digit record id as
    1.23457E+11: the contact loaded under it, and every call and e-mail of the real id
    read as one of an unknown lead. The contact is quarantined saying why, and the rows
    that name its garbled id with that root cause."""
    from export_support import folder_of

    contacts = (FIXTURES / "contacts.csv").read_text().replace("\n101,Anna", "\n1.23457E+11,Anna")
    others = ("calls.csv", "companies.csv", "deals.csv", "emails.csv")
    folder = folder_of(tmp_path / "export", FIXTURES, *others, **{"contacts.csv": contacts})
    result = import_export(tmp_path / "w.duckdb", folder, fmt="hubspot")
    told = [r for r in result.rejected if "1.23457E+11" in str(r["value"])]
    assert {(Path(r["file"]).name, r["line"], r["source_column"]) for r in told} == {
        ("contacts.csv", 2, "Record ID"), ("emails.csv", 2, "Associated Contact")
    }  # fmt: skip
    root = [r["reason"] for r in told if not r["reason"].startswith("lead ")]
    assert root == [
        "looks like a long number a spreadsheet saved in scientific notation (1.23457E+11), "
        "not an id: its last digits are lost, so it cannot name its record. Format the column "
        "as text in the spreadsheet, or import the CRM's export as it came"
    ]
    assert "1.23457E+11" not in read_core_table(tmp_path / "w.duckdb", "leads")["lead_id"]


#: A custom pipeline's stages (by Record ID): labels that name no won or lost stage
CUSTOM_STAGES = {"5001": "Won - contract signed", "5002": "Lost to competitor", "5003": "Demo"}


def _deal_statuses(folder: Path) -> tuple[dict[str, tuple[str, bool]], dict]:
    """Each deal's status and whether it is dated closed (the first row of a duplicated
    id), and the export's notices."""
    export = read_export(folder, fmt="hubspot", salt="s")
    (deals,) = [b.cells for b in export.batches if b.table == "opportunities"]
    first = deals.unique("opportunity_id", keep="first", maintain_order=True)
    rows = first.select("opportunity_id", "status", pl.col("closed_at").is_not_null()).rows()
    return {deal: (status, dated) for deal, status, dated in rows}, export.notices


@pytest.mark.parametrize("lang", ["en", "de"])
def test_a_custom_pipelines_closing_stages_read_as_open_are_said(tmp_path, lang):
    """A custom pipeline names its stages as the portal likes: "Won - contract signed" was
    read as open, and its won amount was missing from the revenue, silently. It is still
    read as open (no label is guessed), but said, with the checkboxes that would tell."""
    folder = with_column(FIXTURES, tmp_path / "export", "deals.csv", "Deal Stage", CUSTOM_STAGES)
    statuses, notices = _deal_statuses(folder)
    assert [statuses[d] for d in ("5001", "5002", "5003", "5007")] == [
        ("open", False), ("open", False), ("open", False), ("won", True)  # 5007: closedwon
    ]  # fmt: skip
    (said,) = notices[str(folder / "deals.csv")]
    assert (
        said.render(lang=lang)
        == {
            "en": "deals in stages whose label names no won or lost stage were read as open (Won "
            "- contract signed 2, Lost to competitor 1): a custom stage that closes a deal is "
            "read by the fields Is Closed Won, Is Deal Closed?, so export the deals with them",
            "de": "Deals in Phasen, deren Name keine gewonnene oder verlorene Phase nennt, wurden "
            "als offen gelesen (Won - contract signed 2, Lost to competitor 1): eine eigene "
            "Phase, die einen Deal schließt, wird über die Felder Is Closed Won, Is Deal Closed? "
            "gelesen, also die Deals mit ihnen exportieren",
        }[lang]
    )


@pytest.mark.parametrize(
    ("won", "closed", "yes", "no"),
    [("Is Closed Won", "Is Deal Closed?", "true", "false"),
     ("hs_is_closed_won", "hs_is_closed", "Yes", "No")],
)  # fmt: skip
def test_hubspots_closed_won_checkboxes_decide_a_deals_status(tmp_path, won, closed, yes, no):
    """Is Closed Won and Is Deal Closed? say whether a deal is won or closed whatever its
    stage is named; closed and not won is lost. A deal without them is read by its label."""
    stages = with_column(FIXTURES, tmp_path / "stages", "deals.csv", "Deal Stage", CUSTOM_STAGES)
    flags = {"5001": (yes, yes), "5002": (no, yes), "5003": (no, no), "5010": (no, no)}
    step = with_column(stages, tmp_path / "won", "deals.csv", won,
                       {d: w for d, (w, _) in flags.items()})  # fmt: skip
    folder = with_column(step, tmp_path / "export", "deals.csv", closed,
                         {d: c for d, (_, c) in flags.items()})  # fmt: skip
    statuses, notices = _deal_statuses(folder)
    assert [statuses[d] for d in ("5001", "5002", "5003", "5010", "5007")] == [
        ("won", True), ("lost", True), ("open", False),
        ("open", False),  # 5010's stage says Closed Lost; its checkboxes say open
        ("won", True),  # no checkbox value: its stage, closedwon
    ]  # fmt: skip
    assert notices == {}
