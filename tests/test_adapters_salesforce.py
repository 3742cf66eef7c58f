"""Salesforce exports by API field names (tests/fixtures/exports/salesforce): Lead,
LeadHistory, Contact, Account, Opportunity, Task and User, awkward rows included."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest
from export_support import csv_folder as _export
from export_support import with_column

from analytics.warehouse import read_core_table
from analytics.warehouse.adapters import import_export, read_export

FIXTURES = Path(__file__).parent / "fixtures" / "exports" / "salesforce"
L = "00Q1000000L00"  # lead id prefix of the fixture


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    db = tmp_path_factory.mktemp("salesforce") / "w.duckdb"
    return db, import_export(db, FIXTURES, fmt="salesforce")


def test_rows_loaded_per_table(loaded):
    _, result = loaded
    # leads: Lead 12 rows - duplicate L0002 - L0009 without CreatedDate = 10, plus the
    #   contacts no lead was converted into: C0004 (C0005's account A9999 is unknown) = 11
    # sales_touches: 12 tasks - "Not Started" - "Other" to-do - Gatekeeper - unknown WhoId
    #   - duplicate 00T1 = 7
    # opportunities: 6 - won without CloseDate - unknown account = 4
    assert result.loaded == {
        "accounts": 3,
        "reps": 4,
        "leads": 11,
        "lifecycle_events": 27,
        "sales_touches": 7,
        "opportunities": 4,
    }
    assert {(Path(r["file"]).name, r["line"], r["column"]) for r in result.rejected} == {
        ("Contact.csv", 6, "account_id"),
        ("Contact.csv", 6, "lead_id"),  # its lead event, the lead being rejected
        ("Lead.csv", 9, "lead_id"),  # duplicate Id
        ("Lead.csv", 10, "created_at"),
        ("Lead.csv", 10, "entered_at"),
        ("Lead.csv", 10, "lead_id"),
        ("LeadHistory.csv", 13, "lead_id"),  # history of a lead not exported
        ("Opportunity.csv", 6, "closed_at"),
        ("Opportunity.csv", 7, "account_id"),
        ("Task.csv", 9, "outcome"),  # Gatekeeper
        ("Task.csv", 10, "lead_id"),
        ("Task.csv", 13, "touch_id"),
    }


def _stages(db: Path, lead: str) -> list[tuple[str, datetime]]:
    ev = (
        read_core_table(db, "lifecycle_events")
        .filter(pl.col("lead_id") == lead)
        .sort("entered_at", "stage")
    )
    return list(zip(ev["stage"], ev["entered_at"], strict=True))


@pytest.mark.parametrize(
    ("lead", "expected"),
    [
        (  # full history, converted, opportunity won on 2026-10-01
            f"{L}01EAB",
            [
                ("lead", ts("2026-09-01T08:00")),
                ("mql", ts("2026-09-03T10:00")),
                ("sal", ts("2026-09-04T09:00")),
                ("opportunity", ts("2026-09-10T11:30")),  # Opportunity.CreatedDate
                ("sql", ts("2026-09-10T11:30")),  # history "Closed - Converted"
                ("customer", ts("2026-10-01T00:00")),  # CloseDate
            ],
        ),
        # set back to "Open - Not Contacted" after working it: recycled
        (
            f"{L}05EAB",
            [
                ("lead", ts("2026-09-08T10:00")),
                ("sal", ts("2026-09-09T10:00")),
                ("recycled", ts("2026-09-12T10:00")),
            ],
        ),
        # converted without history: sql at ConvertedDate; its opportunity via ContactId
        (
            f"{L}06EAB",
            [
                ("lead", ts("2026-09-09T14:20")),
                ("sql", ts("2026-09-20T00:00")),
                ("opportunity", ts("2026-09-21T10:00")),
            ],
        ),
        (
            f"{L}04EAB",
            [
                ("lead", ts("2026-09-05T13:00")),
                ("sal", ts("2026-09-06T10:00")),
                ("disqualified", ts("2026-09-08T10:00")),
            ],
        ),
        # the duplicated record (line 9, converted 09-30) adds nothing
        (f"{L}02EAB", [("lead", ts("2026-09-02T09:30")), ("sal", ts("2026-09-03T09:00"))]),
        # an offset is converted to UTC; no history: only creation
        (f"{L}12EAB", [("lead", ts("2026-09-16T10:00"))]),
    ],
)
def test_status_history_and_conversion_give_lifecycle_events(loaded, lead, expected):
    db, _ = loaded
    assert _stages(db, lead) == expected


def test_leads_sources_owners_and_accounts(loaded):
    db, _ = loaded
    leads = read_core_table(db, "leads").sort("lead_id")
    got = {r[0]: r[1:] for r in leads.select("lead_id", "source", "owner_rep_id").rows()}
    assert got[f"{L}01EAB"] == ("organic", "0051000000AAAAAAA5")  # Web
    assert got[f"{L}02EAB"] == ("partner", "0051000000AAAAAAA5")  # first of the duplicates
    assert got[f"{L}05EAB"] == ("other", "0051000000BBBBBAA5")  # empty LeadSource
    assert got[f"{L}07EAB"] == ("paid_social", "005100000UNKNWNAQ5")  # unknown owner still a rep
    assert got[f"{L}11EAB"] == ("event", "0051000000AAAAAAA5")  # Webinar
    assert got["0031000000C0004AAB"] == ("other", "0051000000CCCCCAA5")  # a contact without lead
    assert "0031000000C0001AAB" not in got  # converted from L0001: an alias, not a second lead


def test_tasks_channel_outcome_time_and_contact_alias(loaded):
    db, _ = loaded
    t = read_core_table(db, "sales_touches").sort("touch_id")
    assert t.select("touch_id", "lead_id", "channel", "outcome", "occurred_at").rows() == [
        # CompletedDateTime wins
        ("00T1", f"{L}01EAB", "phone", "connected", ts("2026-09-03T10:35")),
        ("00T10", f"{L}11EAB", "social", "no_answer", ts("2026-09-15T09:00")),
        ("00T2", f"{L}02EAB", "phone", "no_answer", ts("2026-09-02T11:00")),
        ("00T3", f"{L}02EAB", "phone", "voicemail", ts("2026-09-03T11:00")),
        ("00T4", f"{L}03EAB", "email", "no_answer", ts("2026-09-05T08:00")),
        # WhoId is the contact converted from L0001; created 09-01 for the 09-12 meeting
        ("00T6", f"{L}01EAB", "video", "connected", ts("2026-09-12T00:00")),
        ("00T7", f"{L}04EAB", "phone", "meeting_booked", ts("2026-09-06T09:00")),
    ]


def test_reps_from_owners_with_user_names_and_activity(loaded):
    db, _ = loaded
    reps = read_core_table(db, "reps").sort("rep_id")
    assert reps.select("rep_id", "name", "team", "active").rows() == [
        ("0051000000AAAAAAA5", "Jana Vogel", "sdr", True),
        ("0051000000BBBBBAA5", "Tom Berg", "sdr", True),
        ("0051000000CCCCCAA5", "Max Keller", "ae", False),
        # not in User.csv: no name (pages audit, finding 5: the id was shown as one)
        ("005100000UNKNWNAQ5", None, "sdr", None),
    ]


def test_opportunities_status_from_iswon_isclosed(loaded):
    db, _ = loaded
    o = read_core_table(db, "opportunities").sort("opportunity_id")
    assert o.select("opportunity_id", "lead_id", "status", "amount", "loss_reason").rows() == [
        ("0061000000O0001AAB", f"{L}01EAB", "won", 12000.0, None),
        ("0061000000O0002AAB", "0031000000C0004AAB", "open", 5000.0, None),
        ("0061000000O0003AAB", f"{L}10EAB", "lost", 8000.0, "Budget"),
        ("0061000000O0004AAB", f"{L}06EAB", "open", 0.0, None),
    ]


def test_personal_fields_are_dropped_and_history_of_other_fields_ignored(loaded):
    db, result = loaded
    assert result.dropped_columns["Lead.csv"] == [
        "firstname",
        "lastname",
        "email",
        "phone",
        "mobilephone",
    ]
    assert result.dropped_columns["Task.csv"] == ["subject", "description"]
    con = duckdb.connect(str(db), read_only=True)
    rows = [
        v
        for table in ("leads", "lifecycle_events", "sales_touches", "opportunities", "accounts")
        for row in con.execute(f"SELECT * FROM raw.{table}").fetchall()
        for v in row
    ]
    con.close()
    text = " ".join(map(str, rows))
    for secret in ("@", "Schmidt", "Talked to Anna", "Anna wants it", "+49 30 1"):
        assert secret not in text


def test_an_email_or_phone_in_a_call_disposition_is_masked_before_it_becomes_an_outcome(
    tmp_path,
):
    export = tmp_path / "salesforce"
    shutil.copytree(FIXTURES, export)
    with open(export / "Task.csv", "a", encoding="utf-8") as fh:
        fh.write(
            "00T99,00Q1000000L0001EAB,,0051000000AAAAAAA5,Call,Completed,Call,Call,"
            "Call back zzsfout@example.com 0170 5550013,2026-09-04,2026-09-04T10:00:00.000Z,,\n"
        )
    touches = pl.concat(
        b.cells.select("touch_id", "outcome")
        for b in read_export(export, fmt="salesforce", salt="s").batches
        if b.table == "sales_touches"
    )
    assert touches.filter(pl.col("touch_id") == "00T99")["outcome"].to_list() == [
        "call_back_email_phone_"
    ]


def test_a_field_next_months_export_leaves_out_keeps_the_stored_values(tmp_path):
    """The second export has no Title, Country, LeadSource or Account export, its Account
    export no Industry, its Opportunity export no Amount: the stored values stay instead of
    turning empty (a source "other"); a new lead and a new deal have none of them."""
    db = tmp_path / "w.duckdb"
    first = _export(
        tmp_path / "first",
        Account=(
            "Id,Name,Industry,NumberOfEmployees,BillingCountry\n"
            "001A1,Example AG,Technology,250,DE\n"
        ),
        Lead=(
            "Id,Status,Company,Title,Country,LeadSource,OwnerId,CreatedDate,ConvertedAccountId\n"
            "00QL1,Open,Example AG,CFO,DE,Web,005U1,2026-09-01T08:00:00Z,001A1\n"
        ),
        Opportunity=(
            "Id,AccountId,StageName,Amount,CreatedDate,IsClosed,IsWon\n"
            "006O1,001A1,Prospecting,12000,2026-09-10T11:30:00Z,false,false\n"
        ),
    )
    import_export(db, first, fmt="salesforce")
    second = _export(
        tmp_path / "second",
        Lead=(
            "Id,Status,Company,OwnerId,CreatedDate\n"
            "00QL1,Open,Example AG,005U2,2026-09-01T08:00:00Z\n"  # a new owner: it is read
            "00QL2,Open,Beta GmbH,005U2,2026-10-01T08:00:00Z\n"
        ),
        Opportunity=(
            "Id,StageName,CreatedDate,IsClosed,IsWon\n"
            "006O1,Prospecting,2026-09-10T11:30:00Z,false,false\n"
            "006O2,Prospecting,2026-10-10T11:30:00Z,false,false\n"
        ),
    )
    import_export(db, second, fmt="salesforce")
    third = _export(
        tmp_path / "third",
        Account="Id,Name,NumberOfEmployees\n001A1,Example AG,300\n",
    )
    import_export(db, third, fmt="salesforce")
    leads = read_core_table(db, "leads").sort("lead_id")
    columns = ("lead_id", "source", "job_title", "country", "owner_rep_id", "account_id")
    assert leads.select(columns).rows() == [
        ("00QL1", "organic", "CFO", "DE", "005U2", "001A1"),
        ("00QL2", "other", None, None, "005U2", None),
    ]
    accounts = read_core_table(db, "accounts")
    assert accounts.select("account_id", "industry", "employees", "country").rows() == [
        ("001A1", "Technology", 300, "DE")
    ]
    deals = read_core_table(db, "opportunities").sort("opportunity_id")
    assert deals.select("opportunity_id", "account_id", "amount").rows() == [
        ("006O1", "001A1", 12000.0),
        ("006O2", None, 0.0),  # as an empty Amount
    ]


def test_a_corrected_converted_date_moves_the_sql_instead_of_adding_one(tmp_path):
    db = tmp_path / "w.duckdb"
    head = "Id,Status,Company,CreatedDate,ConvertedDate\n"
    for name, converted in (("first", "2026-09-10"), ("second", "2026-09-12")):
        row = f"00QL1,Closed - Converted,Example AG,2026-09-01T08:00:00Z,{converted}\n"
        import_export(db, _export(tmp_path / name, Lead=head + row), fmt="salesforce")
    events = read_core_table(db, "lifecycle_events").filter(pl.col("stage") == "sql")
    assert [t.date().isoformat() for t in events["entered_at"]] == ["2026-09-12"]


def test_replacing_with_the_same_export_changes_nothing(tmp_path):
    """Lead.csv and Contact.csv both fill leads, and four files lifecycle events: --replace
    removed what each file lacked, so the same export again took 11 leads to 1 and removed
    28 events (re-audit 19b, finding 1). A key goes only when no file of the table has it."""
    db = tmp_path / "w.duckdb"
    import_export(db, FIXTURES, fmt="salesforce")
    before = {t: read_core_table(db, t).height for t in ("leads", "lifecycle_events")}
    again = import_export(db, FIXTURES, fmt="salesforce", replace=True)
    assert {t: read_core_table(db, t).height for t in before} == before
    assert again.changes["leads"]["removed"] == 0
    assert again.changes["lifecycle_events"]["removed"] == 0
    # a lead no file has any more goes, once
    trimmed = tmp_path / "trimmed"
    shutil.copytree(FIXTURES, trimmed)
    lines = (trimmed / "Lead.csv").read_text().splitlines(keepends=True)
    (trimmed / "Lead.csv").write_text("".join(line for line in lines if f"{L}02EAB," not in line))
    gone = import_export(db, trimmed, fmt="salesforce", replace=True)
    assert gone.changes["leads"]["removed"] == 1
    assert f"{L}02EAB" not in read_core_table(db, "leads")["lead_id"].to_list()


def test_a_lead_export_without_the_converted_date_keeps_the_stored_sqls(tmp_path):
    """A Lead.csv without ConvertedDate removed every stored SQL and opportunity event of
    its leads (re-audit 19b, finding 4): an absent field says nothing of them."""
    db = tmp_path / "w.duckdb"
    head = "Id,Status,Company,CreatedDate,ConvertedDate\n"
    row = "00QL1,Closed - Converted,Example AG,2026-09-01T08:00:00Z,2026-09-10\n"
    import_export(db, _export(tmp_path / "first", Lead=head + row), fmt="salesforce")
    lean = (
        "Id,Status,Company,CreatedDate\n00QL1,Closed - Converted,Example AG,2026-09-01T08:00:00Z\n"
    )
    import_export(db, _export(tmp_path / "second", Lead=lean), fmt="salesforce")
    events = read_core_table(db, "lifecycle_events")
    assert events.filter(pl.col("stage") == "sql").height == 1


def test_replacing_with_a_lead_export_without_the_converted_date_keeps_the_stored_sqls(
    tmp_path,
):
    """The same under --replace: the SQL's key is not in the file, so the replace removed
    it (audit 2026-12-06 messy exports, finding 1); a lead the file no longer has loses it."""
    db = tmp_path / "w.duckdb"
    head = "Id,Status,Company,CreatedDate,ConvertedDate\n"
    rows = (
        "00QL1,Closed - Converted,Example AG,2026-09-01T08:00:00Z,2026-09-10\n"
        "00QL2,Closed - Converted,Beta GmbH,2026-09-02T08:00:00Z,2026-09-11\n"
    )
    import_export(db, _export(tmp_path / "first", Lead=head + rows), fmt="salesforce")
    lean = (
        "Id,Status,Company,CreatedDate\n00QL1,Closed - Converted,Example AG,2026-09-01T08:00:00Z\n"
    )
    done = import_export(
        db, _export(tmp_path / "second", Lead=lean), fmt="salesforce", replace=True
    )
    events = read_core_table(db, "lifecycle_events").sort("lead_id", "stage")
    assert events.select("lead_id", "stage").rows() == [("00QL1", "lead"), ("00QL1", "sql")]
    assert done.changes["lifecycle_events"]["removed"] == 2  # 00QL2's lead and sql


def test_an_opportunity_export_without_lead_csv_keeps_the_converted_leads_links(tmp_path):
    """Opportunity.csv and Account.csv alone unlinked the converted leads from their deals:
    the link comes from Lead.csv's ConvertedOpportunityId (re-audit 19b, finding 12); nor
    does a refresh without User.csv rename the reps by their ids (finding 10)."""
    db = tmp_path / "w.duckdb"
    import_export(db, FIXTURES, fmt="salesforce")
    linked = dict(
        read_core_table(db, "opportunities").select("opportunity_id", "lead_id").iter_rows()
    )
    names = dict(read_core_table(db, "reps").select("rep_id", "name").iter_rows())
    part = tmp_path / "part"
    part.mkdir()
    for name in ("Opportunity.csv", "Account.csv"):
        shutil.copy(FIXTURES / name, part / name)
    import_export(db, part, fmt="salesforce")
    after = dict(
        read_core_table(db, "opportunities").select("opportunity_id", "lead_id").iter_rows()
    )
    assert after == linked
    assert dict(read_core_table(db, "reps").select("rep_id", "name").iter_rows()) == names


def _refresh(tmp_path: Path, *names: str) -> Path:
    """A warehouse of the whole fixture, refreshed with a folder of some of its files; the
    refresh rejects no row for naming a converted contact (it is its lead)."""
    db = tmp_path / "w.duckdb"
    import_export(db, FIXTURES, fmt="salesforce")
    part = tmp_path / "part"
    part.mkdir()
    for name in names:
        shutil.copy(FIXTURES / name, part / name)
    refreshed = import_export(db, part, fmt="salesforce")
    converted = {"0031000000C0001AAB", "0031000000C0002AAB", "0031000000C0003AAB"}
    assert not [r for r in refreshed.rejected if r["value"] in converted]
    return db


def test_a_lead_refresh_without_history_or_deals_dates_no_stage_twice(tmp_path):
    """Lead.csv (with Contact, Account, User) alone after the whole export: L0001 got a
    second SQL at its ConvertedDate beside LeadHistory's status change, and a second
    opportunity beside the deal's creation (audit refresh 14)."""
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    whole = read_core_table(_refresh(fresh, "Account.csv"), "lifecycle_events")
    db = _refresh(tmp_path, "Lead.csv", "Contact.csv", "Account.csv", "User.csv")
    events = read_core_table(db, "lifecycle_events")
    assert events.sort(events.columns).equals(whole.sort(whole.columns))
    l1 = events.filter(pl.col("lead_id") == "00Q1000000L0001EAB", pl.col("stage") != "lead")
    assert sorted(l1.select("stage", "trigger").rows()) == [
        ("customer", "won"), ("mql", "status_change"), ("opportunity", "opportunity_created"),
        ("sal", "status_change"), ("sql", "status_change"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    "names", [("Contact.csv", "Account.csv"), ("Task.csv",), ("Opportunity.csv", "Account.csv")]
)
def test_a_refresh_without_lead_csv_knows_converted_contacts_as_their_leads(tmp_path, names):
    """Contact.csv without Lead.csv made the three converted contacts new leads (11 -> 14;
    audit refresh 14); their tasks and deals name the contact, not the lead. The earlier
    load's ConvertedContactId still says whose they are."""
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    base = _refresh(fresh, "Account.csv")
    db = _refresh(tmp_path, *names)
    for table, key in (("leads", "lead_id"), ("sales_touches", "touch_id"),
                       ("opportunities", "opportunity_id")):  # fmt: skip
        got, want = read_core_table(db, table), read_core_table(base, table)
        assert got.sort(key).equals(want.sort(key)), table


@pytest.mark.parametrize("lead_file", ["without ConvertedContactId", "with two leads only"])
def test_a_lead_csv_that_cannot_say_a_conversion_leaves_it_as_stored(tmp_path, lead_file):
    """A Lead.csv without ConvertedContactId, or with only some leads, beside Contact.csv
    made the converted contacts new leads: the stored conversions were read only without
    any Lead.csv (refresh re-audit F5)."""
    db = tmp_path / "w.duckdb"
    import_export(db, FIXTURES, fmt="salesforce")
    part = tmp_path / "part"
    part.mkdir()
    for name in ("Contact.csv", "Account.csv"):
        shutil.copy(FIXTURES / name, part / name)
    leads = pl.read_csv(FIXTURES / "Lead.csv", infer_schema=False)
    if lead_file == "without ConvertedContactId":
        leads = leads.drop("ConvertedContactId")
    else:
        leads = leads.filter(pl.col("Id").is_in(["00Q1000000L0002EAB", "00Q1000000L0003EAB"]))
    leads.write_csv(part / "Lead.csv")
    import_export(db, part, fmt="salesforce")
    ids = set(read_core_table(db, "leads")["lead_id"])
    assert not ids & {"0031000000C0001AAB", "0031000000C0002AAB", "0031000000C0003AAB"}


def test_the_files_of_an_export_loaded_one_by_one_date_each_stage_once(tmp_path):
    """Lead.csv, then LeadHistory.csv, then Opportunity.csv, each alone: L0001 had an SQL at
    its ConvertedDate and one at its status change, and an opportunity at both; the deal's
    lead was not known without Lead.csv (refresh re-audit F6)."""
    whole = tmp_path / "whole.duckdb"
    import_export(whole, FIXTURES, fmt="salesforce")
    db = tmp_path / "w.duckdb"
    for name in ("Lead.csv", "LeadHistory.csv", "Opportunity.csv"):
        part = tmp_path / name.removesuffix(".csv")
        part.mkdir()
        shutil.copy(FIXTURES / name, part / name)
        import_export(db, part, fmt="salesforce")

    def stages(path: Path) -> list[tuple]:  # of the leads (no Contact.csv came along here)
        events = read_core_table(path, "lifecycle_events").filter(
            pl.col("stage").is_in(["sql", "opportunity"]), pl.col("lead_id").str.starts_with("00Q")
        )
        return sorted(events.select("lead_id", "stage", "entered_at", "trigger").rows())

    assert stages(db) == stages(whole)


#: A tiny export whose lifecycle events come from the three file kinds that date them:
#: Lead.csv (a lead at CreatedDate), LeadHistory.csv (00QL1 mql, sal, sql; 00QL2 mql) and
#: Opportunity.csv (00QL1's deal: opportunity, and customer when won).
_LEAD = "Id,Status,Company,CreatedDate,ConvertedDate,ConvertedOpportunityId\n"
_L1 = "00QL1,Closed - Converted,Example AG,2026-09-01T08:00:00Z,2026-09-10,006O1\n"
_L2 = "00QL2,Marketing Qualified,Beta GmbH,2026-09-02T08:00:00Z,,\n"
_HISTORY = (
    "Id,LeadId,CreatedDate,Field,OldValue,NewValue\n"
    "0171,00QL1,2026-09-03T10:00:00Z,Status,Open,Marketing Qualified\n"
    "0172,00QL1,2026-09-04T09:00:00Z,Status,Marketing Qualified,Working - Contacted\n"
    "0173,00QL1,2026-09-10T11:30:00Z,Status,Working - Contacted,Closed - Converted\n"
)
_L2_MQL = "0174,00QL2,2026-09-05T10:00:00Z,Status,Open,Marketing Qualified\n"
_DEAL = "Id,StageName,Amount,CloseDate,IsClosed,IsWon,CreatedDate\n"
_WON = "006O1,Closed Won,12000,2026-10-01,true,true,2026-09-10T11:30:00Z\n"
_OPEN = "006O1,Negotiation,12000,2026-12-01,false,false,2026-09-10T11:30:00Z\n"
_WHOLE = {"Lead": _LEAD + _L1 + _L2, "LeadHistory": _HISTORY + _L2_MQL, "Opportunity": _DEAL + _WON}
_ALL_STAGES = {"lead": 2, "mql": 2, "sal": 1, "sql": 1, "opportunity": 1, "customer": 1}


def _per_stage(db: Path) -> dict[str, int]:
    events = read_core_table(db, "lifecycle_events")
    return dict(events.group_by("stage").len().sort("stage").iter_rows())


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        # kinds the folder lacks say nothing: LeadHistory's status changes, the deal's
        # opportunity and win, Lead.csv's lead events stay
        ({"Lead": _WHOLE["Lead"]}, _ALL_STAGES),
        ({"LeadHistory": _WHOLE["LeadHistory"]}, _ALL_STAGES),
        ({"Opportunity": _WHOLE["Opportunity"]}, _ALL_STAGES),
        # ... but a lead the refresh no longer exports goes with all its events
        ({"Lead": _LEAD + _L1}, {**_ALL_STAGES, "lead": 1, "mql": 1}),
        # a kind the folder has is a snapshot of its events: 00QL2's MQL is no longer in
        # the history; the deal is open again (no customer)
        ({"Lead": _WHOLE["Lead"], "LeadHistory": _HISTORY}, {**_ALL_STAGES, "mql": 1}),
        ({"LeadHistory": _HISTORY}, {**_ALL_STAGES, "mql": 1}),
        ({"Lead": _WHOLE["Lead"], "Opportunity": _DEAL + _OPEN}, {**_ALL_STAGES, "customer": 0}),
    ],
    ids=[
        "Lead.csv alone",
        "LeadHistory.csv alone",
        "Opportunity.csv alone",
        "Lead.csv without a lead",
        "a LeadHistory.csv that lost an MQL",
        "a LeadHistory.csv alone that lost an MQL",
        "an Opportunity.csv whose deal is open again",
    ],
)
def test_replacing_with_a_folder_that_lacks_a_file_kind_keeps_the_events_it_dated(
    tmp_path, files, expected
):
    """--replace with Lead.csv alone removed the status changes, opportunities and wins that
    LeadHistory.csv and Opportunity.csv had dated (27 events to 12 on the fixture): a folder
    without a file kind says nothing of its events, as an absent column says nothing of
    its stage (audit 2026-12-06 messy exports, finding 8). A kind the folder has is a
    snapshot of its events."""
    db = tmp_path / "w.duckdb"
    import_export(db, _export(tmp_path / "first", **_WHOLE), fmt="salesforce")
    assert _per_stage(db) == _ALL_STAGES
    import_export(db, _export(tmp_path / "refresh", **files), fmt="salesforce", replace=True)
    assert _per_stage(db) == {stage: n for stage, n in expected.items() if n}


@pytest.mark.parametrize(
    ("header", "row", "country"),
    [
        ("Country", "Austria", "AT"),
        ("MailingCountry,Country", "DE,Austria", "DE"),  # MailingCountry is read first
    ],
)
def test_a_contact_export_with_a_country_field_is_read(tmp_path, header, row, country):
    """CONTACT_FIELDS reads a contact's country from MailingCountry, else Country; an
    export with Country failed with polars' "duplicate output name 'country'" (the field
    was read and also kept as an extra column of the same name)."""
    folder = _export(
        tmp_path / "export",
        Contact=f"Id,AccountId,{header},CreatedDate\n003C1,,{row},2026-09-18T09:00:00Z\n",
    )
    import_export(tmp_path / "w.duckdb", folder, fmt="salesforce")
    leads = read_core_table(tmp_path / "w.duckdb", "leads")
    assert leads.select("lead_id", "country").rows() == [("003C1", country)]


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("Lead", "Id,Status,Company,CreatedDate\n,Open,Example AG,2026-09-01T08:00:00Z\n"),
        ("Contact", "Id,AccountId,Title,CreatedDate\n,,CFO,2026-09-18T09:00:00Z\n"),
    ],
    ids=["Lead.csv", "Contact.csv"],
)
def test_a_person_without_an_id_is_quarantined_not_dropped(tmp_path, kind, text):
    """A Contact.csv row with an empty Id vanished without a word (the filter of converted
    contacts dropped it); Lead.csv's is quarantined naming the file, line and field."""
    folder = _export(tmp_path / "export", **{kind: text})
    result = import_export(tmp_path / "w.duckdb", folder, fmt="salesforce")
    assert {(Path(r["file"]).name, r["line"], r["column"], r.get("source_column"), r["reason"])
            for r in result.rejected if r["column"] == "lead_id"} == {
        (f"{kind}.csv", 2, "lead_id", "Id", "required value is missing")
    }  # fmt: skip


#: Lead.csv's two leads (00QL1 converted: its lead and sql events) and Contact.csv's two
#: contacts no lead was converted into (a lead event each)
_PEOPLE = "Id,Status,Company,CreatedDate,ConvertedDate\n"
_P1 = "00QL1,Closed - Converted,Example AG,2026-09-01T08:00:00Z,2026-09-10\n"
_P2 = "00QL2,Open,Beta GmbH,2026-09-02T08:00:00Z,\n"
_CONTACTS = "Id,AccountId,Title,CreatedDate\n"
_C1 = "003C1,,CFO,2026-09-18T09:00:00Z\n"
_C2 = "003C2,,CTO,2026-09-19T09:00:00Z\n"
_ALL_EVENTS = [
    ("003C1", "lead"), ("003C2", "lead"), ("00QL1", "lead"), ("00QL1", "sql"), ("00QL2", "lead"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("files", "leads"),
    [
        # a folder without one of the two files says nothing of the leads it gave
        ({"Lead": _PEOPLE + _P1 + _P2}, ["003C1", "003C2", "00QL1", "00QL2"]),
        ({"Contact": _CONTACTS + _C1 + _C2}, ["003C1", "003C2", "00QL1", "00QL2"]),
        ({"Lead": _PEOPLE + _P1 + _P2, "Contact": _CONTACTS + _C1 + _C2},
         ["003C1", "003C2", "00QL1", "00QL2"]),
        # the file it has is a snapshot of its own leads: one it no longer lists goes
        ({"Lead": _PEOPLE + _P1}, ["003C1", "003C2", "00QL1"]),
        ({"Contact": _CONTACTS + _C1}, ["003C1", "00QL1", "00QL2"]),
        ({"Lead": _PEOPLE + _P2, "Contact": _CONTACTS + _C2}, ["003C2", "00QL2"]),
    ],
    ids=[
        "Lead.csv alone",
        "Contact.csv alone",
        "both",
        "Lead.csv alone without 00QL2",
        "Contact.csv alone without 003C2",
        "both, each without one",
    ],
)  # fmt: skip
def test_replacing_with_one_of_lead_and_contact_csv_keeps_the_others_leads(tmp_path, files, leads):
    """Lead.csv and Contact.csv both fill leads: --replace with Contact.csv alone removed
    every lead Lead.csv had given (11 leads to 2 on the fixture), and Lead.csv alone every
    contact's (audit 2026-12-06 messy exports, finding 14). Salesforce's key prefix tells
    them apart (00Q a Lead, 003 a Contact): a folder without one of the files says nothing
    of its leads. A lead kept keeps its events; a lead removed goes with them."""
    db = tmp_path / "w.duckdb"
    whole = {"Lead": _PEOPLE + _P1 + _P2, "Contact": _CONTACTS + _C1 + _C2}
    import_export(db, _export(tmp_path / "first", **whole), fmt="salesforce")
    assert read_core_table(db, "leads").height == 4
    assert sorted(read_core_table(db, "lifecycle_events").select("lead_id", "stage").rows()) == (
        _ALL_EVENTS
    )
    done = import_export(db, _export(tmp_path / "refresh", **files), fmt="salesforce", replace=True)
    assert sorted(read_core_table(db, "leads")["lead_id"]) == leads
    events = read_core_table(db, "lifecycle_events").select("lead_id", "stage").rows()
    assert sorted(events) == [e for e in _ALL_EVENTS if e[0] in leads]
    assert done.changes["leads"]["removed"] == 4 - len(leads)


@pytest.mark.parametrize(
    "names",
    [("Lead.csv", "Account.csv"), ("Contact.csv", "Account.csv"),
     ("Lead.csv", "Contact.csv", "Account.csv")],
    ids=["Lead.csv", "Contact.csv", "both"],
)  # fmt: skip
def test_replacing_the_fixture_with_one_of_its_people_files_keeps_its_11_leads(tmp_path, names):
    """The fixture's 11 leads (10 of Lead.csv, 0031000000C0004AAB of Contact.csv) and 27
    events stay whichever of the two files the replace has (Contact.csv alone: 2 before)."""
    db = tmp_path / "w.duckdb"
    import_export(db, FIXTURES, fmt="salesforce")
    before = {t: read_core_table(db, t) for t in ("leads", "lifecycle_events")}
    assert {t: f.height for t, f in before.items()} == {"leads": 11, "lifecycle_events": 27}
    part = tmp_path / "part"
    part.mkdir()
    for name in names:
        shutil.copy(FIXTURES / name, part / name)
    done = import_export(db, part, fmt="salesforce", replace=True)
    for table, rows in before.items():
        after = read_core_table(db, table).select(rows.columns)
        assert after.sort(rows.columns).equals(rows.sort(rows.columns)), table
        assert done.changes[table]["removed"] == 0


def _with_deleted(folder: Path, file: str, deleted: set[str], *, archived: set[str] = frozenset()):
    """``file`` of the fixture with Data Loader's ``IsDeleted`` (true for the ids
    ``deleted``) and ``IsArchived`` columns, as "Export All" writes them."""
    lines = (FIXTURES / file).read_text().splitlines()
    rows = [f"{lines[0]},IsDeleted,IsArchived"] + [
        f"{line},{str(line.split(',')[0] in deleted).lower()},"
        f"{str(line.split(',')[0] in archived).lower()}"
        for line in lines[1:]
    ]
    (folder / file).write_text("\n".join(rows) + "\n")


def test_deleted_records_are_not_read_and_are_counted(tmp_path):
    """Data Loader's "Export All" (and a Data Export with the recycle bin) holds deleted
    records, IsDeleted true: they were loaded as leads and attempts. Archived activities
    (IsArchived, older than a year) are real and stay."""
    folder = tmp_path / "export"
    shutil.copytree(FIXTURES, folder)
    _with_deleted(folder, "Lead.csv", {f"{L}07EAB"})
    _with_deleted(folder, "Task.csv", {"00T7"}, archived={"00T10"})
    db, full = tmp_path / "w.duckdb", tmp_path / "full.duckdb"
    expected = import_export(full, FIXTURES, fmt="salesforce")
    result = import_export(db, folder, fmt="salesforce")
    assert result.loaded["leads"] == expected.loaded["leads"] - 1
    assert result.loaded["sales_touches"] == expected.loaded["sales_touches"] - 1
    assert f"{L}07EAB" not in read_core_table(db, "leads")["lead_id"].to_list()
    touches = read_core_table(db, "sales_touches")
    assert f"{L}04EAB" not in touches["lead_id"].to_list()  # its one task, 00T7, deleted
    assert f"{L}11EAB" in touches["lead_id"].to_list()  # 00T10 archived: read
    counted = {str(folder / "Lead.csv"): 1, str(folder / "Task.csv"): 1}
    assert result.deleted_rows == result.to_json_dict()["deleted_rows"] == counted
    assert f"{folder / 'Lead.csv'}: 1 row(s) of deleted records (IsDeleted: in the recycle bin) " \
        "were not read" in result.warnings()  # fmt: skip
    assert "Task.csv: Zeilen gelöschter Datensätze (IsDeleted: im Papierkorb) nicht " \
        "gelesen: 1" in " ".join(result.warnings(lang="de"))  # fmt: skip


@pytest.mark.parametrize(
    ("spelling", "deleted"),
    [("true", True), ("TRUE", True), (" 1 ", True), ("yes", True), ("Yes", True),
     ("false", False), ("0", False), ("no", False), ("", False)],
)  # fmt: skip
def test_isdeleted_is_read_in_each_spelling_of_true(spelling, deleted):
    """A report or a spreadsheet writes the checkbox ``1`` or ``yes``: ``yes`` was read as
    not deleted, so a deleted lead loaded."""
    from analytics.warehouse.adapters.common import ExportFile
    from analytics.warehouse.adapters.salesforce import without_deleted

    cells = pl.DataFrame({"id": ["00Q1"], "isdeleted": [spelling], "_line": [2]})
    file = ExportFile(Path("Lead.csv"), cells, ["id", "isdeleted"], [], ",", "utf-8", "")
    kept, gone = without_deleted(file)
    assert (kept.cells.height, gone) == ((0, 1) if deleted else (1, 0))


#: An 18-character Salesforce id (its 15 characters, then the case-safe suffix)
_FULL_ID = r"(?<![0-9A-Za-z])([0-9A-Za-z]{15})[A-Z0-5]{3}(?![0-9A-Za-z])"


@pytest.mark.parametrize(
    "short", [("Lead.csv", "Contact.csv"), ("Task.csv", "LeadHistory.csv", "Opportunity.csv")]
)
def test_report_ids_of_15_characters_are_the_records_of_18_character_ids(loaded, tmp_path, short):
    """A report writes a record id in 15 characters (case matters in them), Data Loader in 18
    (the 15 and a case-safe suffix): a Lead.csv from a report beside a Task.csv from Data
    Loader made every task one of an unknown lead. Every id is read in its 18 characters."""
    import re

    folder = tmp_path / "export"
    shutil.copytree(FIXTURES, folder)
    for name in short:
        (folder / name).write_text(re.sub(_FULL_ID, r"\1", (FIXTURES / name).read_text()))
    assert "00Q1000000L0001," in (folder / short[0]).read_text()  # the ids are 15 characters
    (full, expected), db = loaded, tmp_path / "w.duckdb"  # the whole fixture's import
    got = import_export(db, folder, fmt="salesforce")
    assert got.loaded == expected.loaded
    rejected = [{**row, "file": Path(row["file"]).name} for row in expected.rejected]
    assert [{**row, "file": Path(row["file"]).name} for row in got.rejected] == rejected
    for table in ("leads", "lifecycle_events", "sales_touches", "opportunities", "reps"):
        want = read_core_table(full, table)
        assert read_core_table(db, table).sort(want.columns).equals(want.sort(want.columns)), table


def test_a_lead_deleted_since_the_last_snapshot_is_removed_by_replace(tmp_path):
    db = tmp_path / "w.duckdb"
    import_export(db, FIXTURES, fmt="salesforce")
    folder = tmp_path / "export"
    shutil.copytree(FIXTURES, folder)
    _with_deleted(folder, "Lead.csv", {f"{L}07EAB"})
    again = import_export(db, folder, fmt="salesforce", replace=True)
    assert again.changes["leads"]["removed"] == 1
    assert f"{L}07EAB" not in read_core_table(db, "leads")["lead_id"].to_list()


def _in_currencies(folder: Path, codes: dict[str, str]) -> None:
    """The fixture's Opportunity.csv with ``CurrencyIsoCode`` (by opportunity id; EUR
    else), as a multi-currency org exports it."""
    lines = (FIXTURES / "Opportunity.csv").read_text().splitlines()
    rows = [f"{lines[0]},CurrencyIsoCode"] + [
        f"{line},{codes.get(line.split(',')[0], 'EUR')}" for line in lines[1:]
    ]
    (folder / "Opportunity.csv").write_text("\n".join(rows) + "\n")


@pytest.mark.parametrize(
    ("rates", "amounts", "told"),
    [
        # no rates: loaded as they are, and said so
        (None, (12000.0, 5000.0),
         ["amounts in 2 currencies (EUR, USD) were loaded as they are, so revenue and "
          "pipeline add one currency to another: add CurrencyType.csv of the same export "
          "(its conversion rates) to convert them to the corporate currency"]),
        # CurrencyType.csv: USD at 1.25 per EUR, converted to EUR
        ("EUR,1,true\nUSD,1.25,false\n", (9600.0, 5000.0),
         ["amounts in USD were converted to the corporate currency EUR at the rates of "
          "CurrencyType.csv"]),
        # a currency CurrencyType.csv has no rate for: as it is, and said so
        ("EUR,1,true\nCHF,0.94,false\n", (12000.0, 5000.0),
         ["amounts in USD have no rate in CurrencyType.csv and were loaded as they are"]),
    ],
)  # fmt: skip
def test_amounts_in_several_currencies_are_converted_or_said_to_be_mixed(
    tmp_path, rates, amounts, told
):
    """A multi-currency org writes each opportunity's Amount in its CurrencyIsoCode:
    12,000 USD and 5,000 EUR were summed as 17,000 of one currency."""
    folder = tmp_path / "export"
    shutil.copytree(FIXTURES, folder)
    _in_currencies(folder, {"0061000000O0001AAB": "USD"})
    if rates is not None:
        (folder / "CurrencyType.csv").write_text(
            "Id,IsoCode,ConversionRate,IsCorporate\n"
            + "".join(f"01L{i},{row}\n" for i, row in enumerate(rates.splitlines()))
        )
    db = tmp_path / "w.duckdb"
    result = import_export(db, folder, fmt="salesforce")
    got = dict(read_core_table(db, "opportunities").select("opportunity_id", "amount").rows())
    assert (got["0061000000O0001AAB"], got["0061000000O0002AAB"]) == amounts
    assert result.to_json_dict()["notices"] == {str(folder / "Opportunity.csv"): told}
    assert f"{folder / 'Opportunity.csv'}: {told[0]}" in result.warnings()
    assert not result.skipped_files  # CurrencyType.csv is read, not left out


def test_one_currency_says_nothing(tmp_path):
    folder = tmp_path / "export"
    shutil.copytree(FIXTURES, folder)
    _in_currencies(folder, {})
    result = import_export(tmp_path / "w.duckdb", folder, fmt="salesforce")
    assert "notices" not in result.to_json_dict()


def _typed(folder: Path, types: dict[str, str]) -> Path:
    """The fixture with a ``Type`` on each opportunity (by id; ``New Business`` else), as
    an org that sells renewals beside new business exports it."""
    return with_column(FIXTURES, folder, "Opportunity.csv", "Type", types, default="New Business")


RENEWAL = {"0061000000O0001AAB": "Renewal"}


@pytest.mark.parametrize(
    ("chosen", "ids_left_out", "told"),
    [
        ((), set(), "opportunities of 2 types (Renewal 1, New Business 5) all count, and their "
         "won amounts as new revenue: to count one type's opportunities only, import with "
         "--opportunity-type and its name (on the Data page: Opportunity types)"),
        (("new business",), {"0061000000O0001AAB"}, "opportunities of types other than new "
         "business were not read (Renewal 1; 1 in all); ones stored by an earlier import stay "
         "until an import with --replace"),
        (("New Business", "Renewal"), set(), None),
    ],
)  # fmt: skip
def test_opportunities_of_several_types_are_said_and_chosen(tmp_path, chosen, ids_left_out, told):
    """A renewal's won amount counted as new revenue: which types are new business is the
    SLA's agreement (--opportunity-type), said when not given, never guessed."""
    from analytics.warehouse.adapters import CsvOptions

    folder = _typed(tmp_path / "export", RENEWAL)
    db = tmp_path / "w.duckdb"
    options = CsvOptions(opportunity_types=chosen)
    result = import_export(db, folder, fmt="salesforce", options=options)
    ids = set(read_core_table(db, "opportunities")["opportunity_id"])
    assert ids == {f"0061000000O000{i}AAB" for i in range(1, 5)} - ids_left_out  # 5, 6: quarantined
    notices = result.to_json_dict().get("notices", {})
    assert notices == ({str(folder / "Opportunity.csv"): [told]} if told else {})
    if told and not chosen:
        assert "Opportunities von 2 Typen (Renewal 1, New Business 5) zählen alle" in " ".join(
            result.warnings(lang="de")
        )


@pytest.mark.parametrize(
    ("typed", "chosen", "message"),
    [
        (True, ("Upsell",), "--opportunity-type Upsell: no opportunity of the export is of "
         "this type; its types: Renewal, New Business"),
        (False, ("Renewal",), "Opportunity.csv: --opportunity-type: this Opportunity export "
         "has no Type column (export the opportunities with their Type field)"),
    ],
)  # fmt: skip
def test_an_opportunity_type_the_export_cannot_choose_is_refused(tmp_path, typed, chosen, message):
    from analytics.warehouse import ImportFailed
    from analytics.warehouse.adapters import CsvOptions

    folder = _typed(tmp_path / "export", RENEWAL) if typed else FIXTURES
    db = tmp_path / "w.duckdb"
    with pytest.raises(ImportFailed) as refused:
        import_export(db, folder, fmt="salesforce", options=CsvOptions(opportunity_types=chosen))
    assert str(refused.value).endswith(message) and not db.exists()


def test_the_command_line_chooses_opportunity_types_for_salesforce_only(tmp_path):
    import json

    from typer.testing import CliRunner

    from analytics.cli import app

    folder = _typed(tmp_path / "export", RENEWAL)
    db = tmp_path / "w.duckdb"
    base = ["import", str(folder), "--db", str(db), "--json", "--opportunity-type", "New Business"]
    refused = CliRunner().invoke(app, [*base, "--format", "hubspot"])
    assert refused.exit_code == 2 and not db.exists()
    assert "--opportunity-type chooses Salesforce opportunities (--format salesforce), not " \
        "--format hubspot" in " ".join(refused.stderr.split())  # fmt: skip
    done = CliRunner().invoke(app, [*base, "--format", "salesforce"])
    assert done.exit_code == 1  # the fixture's awkward rows are quarantined
    notices = json.loads(done.stdout)["notices"][str(folder / "Opportunity.csv")]
    assert notices == [
        "opportunities of types other than New Business were not read (Renewal 1; 1 in all); "
        "ones stored by an earlier import stay until an import with --replace"
    ]


def test_a_custom_stage_read_as_open_without_iswon_and_isclosed_is_said(tmp_path):
    """An Opportunity export without IsWon and IsClosed is read by StageName: an org's own
    closing stage ("Won - Signed") read as open, its won amount missing from the revenue,
    silently. No label is guessed; the stages are named, with the fields that say it."""
    folder = tmp_path / "export"
    shutil.copytree(FIXTURES, folder)
    opps = pl.read_csv(FIXTURES / "Opportunity.csv", infer_schema=False).drop("IsWon", "IsClosed")
    signed = pl.col("Id") == "0061000000O0001AAB"
    opps = opps.with_columns(
        pl.when(signed).then(pl.lit("Won - Signed")).otherwise("StageName").alias("StageName")
    )
    opps.write_csv(folder / "Opportunity.csv")
    export = read_export(folder, fmt="salesforce")
    (deals,) = [b.cells for b in export.batches if b.table == "opportunities"]
    assert dict(deals.select("opportunity_id", "status").rows())["0061000000O0001AAB"] == "open"
    assert [t.render() for t in export.notices[str(folder / "Opportunity.csv")]] == [
        "deals in stages whose label names no won or lost stage were read as open (Won - "
        "Signed 1): a custom stage that closes a deal is read by the fields IsWon, IsClosed, "
        "so export the deals with them"
    ]
