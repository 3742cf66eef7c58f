"""Files of an export's folder that its format does not read: each is named in a warning
that says why (``sla import``, ``--json``'s ``skipped_files``; the upload's preview:
tests/test_upload.py), and what is loaded is what the folder's other files give."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from polars.testing import assert_frame_equal
from typer.testing import CliRunner

from analytics import cli
from analytics.schema import LOAD_ORDER
from analytics.warehouse import read_core_table
from analytics.warehouse.adapters import ImportFailed, import_export

runner = CliRunner()
EXPORTS = Path(__file__).parent / "fixtures" / "exports"

CONTACTS = (
    "Record ID,Create Date,Original Source,Became a Marketing Qualified Lead Date\n"
    "101,2026-10-05 09:12,Paid Search,2026-10-06 10:00\n"
)
#: A German portal's calls export: no call property's German label is read (finding 9)
GERMAN_CALLS = (
    "Datensatz-ID;Aktivitätsdatum;Anrufergebnis;Anrufrichtung\n"
    "7001;05.10.2026 10:00;Verbunden;Ausgehend\n"
)
NOT_HUBSPOT = (
    "not a HubSpot export of contacts, companies, deals, calls or e-mails; the header has: "
)
#: What follows the header: how to export a file HubSpot named in another language
IN_ENGLISH = (
    " (HubSpot names the columns in the language of the user who exports: export it again "
    "with English as your HubSpot language, or import it with a mapping file: sla import "
    '--format mapping:FILE, on the Data page "Any CSV, with a mapping file")'
)
LEAD = (
    "Id,Company,Status,LeadSource,OwnerId,CreatedDate\n"
    "00Q1000000L0001,Acme,Open - Not Contacted,Web,0051000000AAAAA,2026-10-05T09:12:00.000Z\n"
)
NOT_SALESFORCE = (
    "not a Salesforce export of Lead, Contact, Account, Opportunity, Task, LeadHistory or "
    "User by API field names; the header has: "
)
NOT_CSV = (
    "not a CSV file or workbook (.xlsx, .xls, .ods): this format reads CSV and Excel or "
    "LibreOffice exports"
)
CANONICAL = (
    "not a file this format reads; it reads: accounts.csv, reps.csv, leads.csv, "
    "lifecycle_events.csv, activities.csv, sales_touches.csv, nurture_enrollments.csv, "
    "opportunities.csv, web_traffic.csv (each also as .parquet, .xlsx, .xls or .ods)"
)
MQLS = "mql_id,first_contact_date,landing_page_id,origin\nm1,01-02-2018,p1,organic_search\n"
NOT_OLIST = (
    "not a file of Olist's marketing funnel (olist_marketing_qualified_leads.csv with mql_id, "
    "first_contact_date; olist_closed_deals.csv with mql_id, won_date); the header has: "
)


def write(folder: Path, files: dict[str, str]) -> Path:
    """``files`` (name -> text; a name ending in ``/``: a folder) written into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        if name.endswith("/"):
            (folder / name).mkdir()
        else:
            (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_a_hubspot_folder_loads_its_exports_and_names_the_file_it_does_not_read(tmp_path):
    export = write(tmp_path / "hubspot", {"contacts.csv": CONTACTS, "anrufe.csv": GERMAN_CALLS})
    args = ["import", "--format", "hubspot", str(export), "--db"]
    res = runner.invoke(cli.app, [*args, str(tmp_path / "w.duckdb")])
    assert res.exit_code == 0, res.output
    reason = (
        NOT_HUBSPOT + "Datensatz-ID, Aktivitätsdatum, Anrufergebnis, Anrufrichtung" + IN_ENGLISH
    )
    assert f"warning: {export / 'anrufe.csv'} was not read: {reason}\n" in res.stderr
    run = runner.invoke(cli.app, [*args, str(tmp_path / "w2.duckdb"), "--json"])
    assert run.exit_code == 0, run.output
    doc = json.loads(run.stdout)
    assert doc["loaded"] == {"leads": 1, "lifecycle_events": 1}
    assert doc["skipped_files"] == [{"file": str(export / "anrufe.csv"), "reason": reason}]
    assert read_core_table(tmp_path / "w2.duckdb", "leads")["lead_id"].to_list() == ["101"]


def test_an_import_that_reads_every_file_lists_none_skipped(tmp_path):
    export = write(tmp_path / "hubspot", {"contacts.csv": CONTACTS})
    res = runner.invoke(
        cli.app,
        ["import", "--format", "hubspot", str(export), "--db", str(tmp_path / "w.duckdb"),
         "--json"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["skipped_files"] == []


def test_a_single_file_or_a_folder_of_no_export_is_still_refused(tmp_path):
    export = write(tmp_path / "hubspot", {"anrufe.csv": GERMAN_CALLS, "notizen.csv": "a,b\n"})
    res = runner.invoke(
        cli.app,
        ["import", "--format", "hubspot", str(export), "--db", str(tmp_path / "w.duckdb")],
    )
    assert res.exit_code == 2, res.output
    assert f"{export / 'anrufe.csv'}: {NOT_HUBSPOT}Datensatz-ID," in res.stderr
    assert not (tmp_path / "w.duckdb").exists()


#: format -> the files its folder reads, the files it does not (name -> text), and the
#: reason each of those is named with
CASES = {
    "hubspot": (
        {"contacts.csv": CONTACTS},
        {
            "anrufe.csv": GERMAN_CALLS,
            "notes.csv": "Date,Note\n2026-10-05,call Ana back\n",
            # a report export: a HubSpot report, not an object export
            "deal-report.csv": "Deal owner,Count of deals\nJana Vogel,4\n",
            "contacts.numbers": "PK\x03\x04",  # Apple Numbers: save as .xlsx or CSV
            "archive/": "",
            ".DS_Store": "",  # hidden: no export's, not named
        },
        {
            "anrufe.csv": NOT_HUBSPOT
            + "Datensatz-ID, Aktivitätsdatum, Anrufergebnis, Anrufrichtung"
            + IN_ENGLISH,
            "archive": "a folder: the import reads the files of the folder it is given, "
            "not those of folders in it",
            "contacts.numbers": NOT_CSV,
            "deal-report.csv": NOT_HUBSPOT + "Deal owner, Count of deals" + IN_ENGLISH,
            "notes.csv": NOT_HUBSPOT + "Date, Note" + IN_ENGLISH,
        },
    ),
    "salesforce": (
        {"Lead.csv": LEAD},
        {
            # a report export (Reports > Export: labels, not API field names)
            "report.csv": "Lead Owner,Lead Status,Record Count\nJana Vogel,Open,4\n",
            "README.txt": "weekly export",
        },
        {
            "README.txt": NOT_CSV,
            "report.csv": NOT_SALESFORCE + "Lead Owner, Lead Status, Record Count",
        },
    ),
    "olist": (
        {"olist_marketing_qualified_leads.csv": MQLS},
        # a file of Olist's e-commerce data set, published beside the funnel's
        {"olist_orders_dataset.csv": "order_id,customer_id,order_status\no1,c1,delivered\n"},
        {"olist_orders_dataset.csv": NOT_OLIST + "order_id, customer_id, order_status"},
    ),
    "canonical": (
        {"leads.csv": "lead_id,created_at,source\nL1,2026-10-05T09:12:00Z,email\n"},
        {
            "foo.csv": "lead_id,created_at,source\nL2,2026-10-05T09:12:00Z,email\n",
            "leads.numbers": "PK\x03\x04",
            "2026-09/": "",
        },
        {
            "2026-09": "a folder: the import reads the files of the folder it is given, "
            "not those of folders in it",
            "foo.csv": CANONICAL,
            "leads.numbers": CANONICAL,
        },
    ),
    "xeducation": (
        {
            "x_education_leads.csv": "Prospect ID,Lead Number,Lead Origin,Lead Source,"
            "Converted,Country,What is your current occupation,\nu1,7,API,Google,1,India,Select,\n"
        },
        # the case study's data dictionary, and its file under the name Kaggle gives it
        {"Leads Data Dictionary.xlsx": "PK\x03\x04", "Leads.csv": "Prospect ID\nu2\n"},
        {
            "Leads Data Dictionary.xlsx": "not a file this format reads; it reads: "
            "x_education_leads.csv",
            "Leads.csv": "not a file this format reads; it reads: x_education_leads.csv",
        },
    ),
}


@pytest.mark.parametrize("fmt", list(CASES))
def test_a_file_not_read_is_named_and_changes_nothing_loaded(tmp_path, fmt):
    read, other, reasons = CASES[fmt]
    export = write(tmp_path / fmt, read)
    without = import_export(tmp_path / "without.duckdb", export, fmt=fmt)
    write(export, other)
    result = import_export(tmp_path / "with.duckdb", export, fmt=fmt)
    assert {Path(f).name: r.render() for f, r in result.skipped_files.items()} == reasons
    assert result.to_json_dict()["skipped_files"] == [
        {"file": str(export / name), "reason": reason} for name, reason in reasons.items()
    ]
    assert (
        result.warnings()
        == [f"{export / name} was not read: {reason}" for name, reason in reasons.items()]
        + without.warnings()
    )
    assert without.skipped_files == {}
    assert result.loaded == without.loaded and result.rejected == without.rejected
    for table in LOAD_ORDER:
        assert_frame_equal(
            read_core_table(tmp_path / "with.duckdb", table),
            read_core_table(tmp_path / "without.duckdb", table),
        )


def test_the_reasons_are_said_in_german(tmp_path):
    export = write(tmp_path / "hubspot", {"contacts.csv": CONTACTS, "anrufe.csv": GERMAN_CALLS})
    result = import_export(tmp_path / "w.duckdb", export, fmt="hubspot")
    assert result.warnings(lang="de")[0] == (
        f"{export / 'anrufe.csv'} wurde nicht gelesen: kein HubSpot-Export von Kontakten, "
        "Unternehmen, Deals, Anrufen oder E-Mails; die Kopfzeile hat: Datensatz-ID, "
        "Aktivitätsdatum, Anrufergebnis, Anrufrichtung (HubSpot benennt die Spalten in der "
        "Sprache des exportierenden Benutzers: mit Englisch als HubSpot-Sprache erneut "
        "exportieren oder mit einer Mapping-Datei importieren: sla import --format "
        "mapping:DATEI, auf der Seite Daten „Beliebige CSV-Datei mit Mapping-Datei“)"
    )


#: Exports of Salesforce objects the adapter does not read, as a weekly Data Export holds
#: them, each with the object read whose header it passed for before
OTHER_OBJECTS = {
    # as User.csv (Name, IsActive): its campaigns were the users' list
    "Campaign.csv": "Id,Name,Type,Status,StartDate,EndDate,IsActive,NumberSent,OwnerId\n"
    "7011000000X0001,Spring webinar,Webinar,Completed,2026-03-01,2026-03-31,true,500,"
    "0051000000AAAAA\n",
    # as Contact.csv (AccountId): its cases were leads
    "Case.csv": "Id,CaseNumber,AccountId,ContactId,Status,Origin,OwnerId,CreatedDate\n"
    "5001000000K0001,00001001,0011000000A0001,0031000000C0001,New,Web,0051000000AAAAA,"
    "2026-10-05T09:12:00.000Z\n",
    # as Task.csv (WhoId, ActivityDate)
    "Event.csv": "Id,WhoId,OwnerId,Type,ActivityDate,ActivityDateTime,DurationInMinutes,"
    "IsAllDayEvent,CreatedDate\n00U1,00Q1000000L0001,0051000000AAAAA,Meeting,2026-10-06,"
    "2026-10-06T10:00:00.000Z,30,false,2026-10-05T09:12:00.000Z\n",
    # as Opportunity.csv (StageName)
    "OpportunityHistory.csv": "Id,OpportunityId,StageName,Amount,CloseDate,CreatedDate\n"
    "0081,0061000000O0001,Prospecting,1000,2026-12-01,2026-10-05T09:12:00.000Z\n",
}


def test_a_salesforce_data_export_loads_the_objects_read_and_names_the_others(tmp_path):
    """Beside User.csv, Contact.csv, Task.csv and Opportunity.csv these were refused as a
    second export of that object; without them, read as one."""
    export = tmp_path / "salesforce"
    shutil.copytree(EXPORTS / "salesforce", export)
    without = import_export(tmp_path / "without.duckdb", export, fmt="salesforce")
    write(export, OTHER_OBJECTS)
    result = import_export(tmp_path / "with.duckdb", export, fmt="salesforce")
    assert {Path(f).name: r.render() for f, r in result.skipped_files.items()} == {
        name: NOT_SALESFORCE + text.split("\n", 1)[0].replace(",", ", ")
        for name, text in OTHER_OBJECTS.items()
    }
    assert result.loaded == without.loaded and result.rejected == without.rejected
    for table in LOAD_ORDER:
        assert_frame_equal(
            read_core_table(tmp_path / "with.duckdb", table),
            read_core_table(tmp_path / "without.duckdb", table),
        )


@pytest.mark.parametrize("name", OTHER_OBJECTS)
def test_another_objects_export_alone_is_refused(tmp_path, name):
    path = write(tmp_path / "sf", {name: OTHER_OBJECTS[name]}) / name
    header = OTHER_OBJECTS[name].split("\n", 1)[0].replace(",", ", ")
    with pytest.raises(ImportFailed) as caught:
        import_export(tmp_path / "w.duckdb", path, fmt="salesforce")
    assert str(caught.value) == f"{path}: {NOT_SALESFORCE}{header}"


def test_a_second_olist_file_of_one_kind_is_refused(tmp_path):
    """The last one read was loaded, the first left out without a word."""
    export = write(tmp_path / "olist", {"a.csv": MQLS, "b.csv": MQLS.replace("m1", "m2")})
    with pytest.raises(ImportFailed) as caught:
        import_export(tmp_path / "w.duckdb", export, fmt="olist")
    assert str(caught.value) == (
        f"{export / 'b.csv'}: a second Olist marketing qualified leads file "
        f"(first: {export / 'a.csv'})"
    )


def test_a_folder_of_office_csvs_names_its_other_files_too(tmp_path):
    """Read leniently (``;``, Windows-1252), as it is read strictly."""
    export = tmp_path / "german"
    shutil.copytree(EXPORTS / "german", export)
    (export / "Notizen.csv").write_text("Datum;Notiz\n05.10.2026;Rückruf\n", encoding="cp1252")
    result = import_export(tmp_path / "w.duckdb", export)
    assert {Path(f).name: r.render() for f, r in result.skipped_files.items()} == {
        "Notizen.csv": CANONICAL
    }
    assert result.loaded == {"accounts": 2, "reps": 2, "leads": 4}
