"""Excel workbooks (``.xlsx``, and Excel 97-2003's ``.xls``): HubSpot and Salesforce export
them, and an office user saves a table from Excel. Every format reads them as it reads its
CSV files: the same rows, the same rejections, each row named by the number Excel gives
it. A text file saved under a workbook's name (many tools' "Excel export") is read as the
CSV it is."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import shutil
from pathlib import Path

import pytest
from export_support import (
    ADDRESS,
    PHONE,
    book_of,
    hubspot_with_personal_columns,
    workbook_folder,
    workbook_of,
)
from polars.testing import assert_frame_equal
from typer.testing import CliRunner

from analytics.cli import app
from analytics.schema import LOAD_ORDER
from analytics.warehouse import ImportFailed, connect_readonly, read_core_table
from analytics.warehouse.adapters import import_export
from analytics.warehouse.adapters.common import CsvOptions

ROOT = Path(__file__).resolve().parent.parent
EXPORTS = ROOT / "tests" / "fixtures" / "exports"
XEDUCATION = ROOT.parent / "shared" / "data" / "real" / "x_education_leads.csv"
#: The workbook formats: Excel's, Excel 97-2003's (HubSpot offers it too), LibreOffice's.
SUFFIXES = pytest.mark.parametrize("suffix", [".xlsx", ".xls", ".ods"])


def _rejections(result) -> list[tuple[str, int, str]]:
    """Each rejection's file (without its suffix), line and column."""
    return sorted((Path(r["file"]).stem, r["line"], r.get("column") or "") for r in result.rejected)


def _same_core(one: Path, other: Path) -> None:
    for table in LOAD_ORDER:
        mine, theirs = read_core_table(one, table), read_core_table(other, table)
        key = mine.columns[0]
        assert_frame_equal(mine.sort(key), theirs.sort(key), check_row_order=False)


@pytest.mark.parametrize(
    ("fmt", "folder", "suffix"),
    [
        *[
            (fmt, folder, ".xlsx")
            for fmt, folder in (
                ("hubspot", "hubspot"),
                ("hubspot", "hubspot_de"),
                ("salesforce", "salesforce"),
                ("olist", "olist"),
                ("canonical", "german"),
            )
        ],
        # each example export in an older or another program's format too
        ("hubspot", "hubspot", ".xls"),
        ("salesforce", "salesforce", ".xls"),
        ("hubspot", "hubspot_de", ".ods"),
        ("olist", "olist", ".ods"),
        ("canonical", "german", ".ods"),
    ],
)
def test_an_export_saved_as_workbooks_loads_what_its_csv_files_load(tmp_path, fmt, folder, suffix):
    """Dates as date cells, numbers as number cells (a German file's ``1.250`` and
    ``12.500.000,50`` too), the rest text: the core tables and the rejections equal."""
    books = workbook_folder(EXPORTS / folder, tmp_path / "books", suffix=suffix)
    assert sorted(p.suffix for p in books.glob("*.*")) == [suffix] * len(list(books.iterdir()))
    csv_db, book_db = tmp_path / "csv.duckdb", tmp_path / "book.duckdb"
    from_csv = import_export(csv_db, EXPORTS / folder, fmt=fmt)
    from_books = import_export(book_db, books, fmt=fmt)
    assert from_csv.loaded and from_books.loaded == from_csv.loaded
    assert _rejections(from_books) == _rejections(from_csv)
    _same_core(csv_db, book_db)


@SUFFIXES
def test_a_workbook_with_a_mapping_loads_what_the_csv_loads(tmp_path, suffix):
    """The mapping's ``[csv]`` keys (``;``, Windows-1252, decimal comma) are for CSV: a
    workbook's cells are read as they are."""
    source = EXPORTS / "mapping"
    book = workbook_of(source / "kontakte.csv", tmp_path / f"kontakte{suffix}")
    csv_db, book_db = tmp_path / "csv.duckdb", tmp_path / "book.duckdb"
    mapping = source / "kontakte.toml"
    from_csv = import_export(csv_db, source / "kontakte.csv", mapping=mapping)
    from_book = import_export(book_db, book, mapping=mapping)
    assert from_book.loaded == from_csv.loaded == {"leads": 4, "lifecycle_events": 3}
    assert _rejections(from_book) == _rejections(from_csv)
    _same_core(csv_db, book_db)


def test_the_x_education_file_as_a_workbook_loads_as_the_csv(tmp_path):
    if not XEDUCATION.is_file():
        pytest.skip("the real data sets are beside the project only in its checkout")
    sample = tmp_path / "csv" / "x_education_leads.csv"
    sample.parent.mkdir()
    sample.write_text("\n".join(XEDUCATION.read_text().splitlines()[:120]) + "\n")
    book = workbook_of(sample, tmp_path / "book" / "x_education_leads.xlsx")
    stamp = sample.stat().st_mtime  # rows are dated by the file's day
    import os

    os.utime(book, (stamp, stamp))
    csv_db, book_db = tmp_path / "csv.duckdb", tmp_path / "book.duckdb"
    from_csv = import_export(csv_db, sample.parent, fmt="xeducation")
    from_book = import_export(book_db, book.parent, fmt="xeducation")
    assert from_book.loaded == from_csv.loaded
    assert from_csv.loaded["leads"] == 119
    _same_core(csv_db, book_db)


@SUFFIXES
def test_a_workbooks_cells_are_read_as_excel_shows_them_and_rows_numbered_as_excel_does(
    tmp_path, suffix
):
    """The header in row 3 (a title above it), a blank row 5: a rejected cell is named by
    its Excel row. A number id is ``4711``, not ``4711.0``; a date at midnight is the day;
    a time without a zone is read in the zone given."""
    leads = [
        (0, ["Leads October"]),
        (2, ["lead_id", "created_at", "source", "company_size"]),
        (3, [4711, dt.datetime(2026, 10, 5, 9, 30), "email", 250]),
        (5, ["L-2", dt.datetime(2026, 10, 6), "email", 12.5]),
        (6, ["L-3", "someday", "email", None]),
    ]
    folder = tmp_path / "in"
    folder.mkdir()
    book = folder / f"leads{suffix}"
    book_of(book, {"Leads": leads, "Empty": []})
    with pytest.raises(ImportFailed, match="first row with a cell is its header: delete any"):
        import_export(tmp_path / "w.duckdb", folder)  # the title row is read as the header
    leads.pop(0)
    book.unlink()
    book_of(book, {"Leads": leads, "Empty": []})
    db = tmp_path / "w.duckdb"
    result = import_export(db, folder, options=CsvOptions(timezone="Europe/Berlin"))
    assert result.loaded == {"leads": 2}
    assert [(Path(r["file"]).name, r["line"], r["column"]) for r in result.rejected] == [
        (book.name, 7, "created_at")
    ]
    rows = read_core_table(db, "leads").sort("lead_id").select("lead_id", "created_at")
    assert [(i, t.isoformat()) for i, t in rows.rows()] == [
        ("4711", "2026-10-05T07:30:00+00:00"),
        ("L-2", "2026-10-05T22:00:00+00:00"),
    ]


@SUFFIXES
def test_a_workbook_with_two_filled_sheets_is_refused_and_nothing_is_loaded(tmp_path, suffix):
    folder = tmp_path / "in"
    folder.mkdir()
    rows = [(0, ["lead_id", "created_at", "source"]), (1, ["L1", "2026-10-05", "email"])]
    book = folder / f"leads{suffix}"
    book_of(book, {"Oktober": rows, "November": rows, "Leer": []})
    db = tmp_path / "w.duckdb"
    import_export(db, EXPORTS / "german")
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    with pytest.raises(ImportFailed) as refused:
        import_export(db, folder)
    assert str(refused.value) == (
        f"{book}: the workbook has 2 sheets with cells (Oktober; November); "
        "which one is the export cannot be known: save that sheet as a workbook of its own "
        "or as CSV"
    )
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before


@SUFFIXES
def test_a_hidden_sheet_with_cells_is_named_as_hidden(tmp_path, suffix):
    """A lookup table the user hid: which sheet is the export is still not known."""
    book = book_of(
        tmp_path / f"leads{suffix}",
        {
            "Leads": [(0, ["lead_id", "created_at", "source"])],
            "Quellen": [(0, ["Google Ads", "paid_search"])],
        },
        hidden=("Quellen",),
    )
    with pytest.raises(ImportFailed, match=r"2 sheets with cells \(Leads; Quellen, hidden\)"):
        import_export(tmp_path / "w.duckdb", book)


@SUFFIXES
def test_a_file_named_as_a_workbook_that_is_none_is_refused_naming_it(tmp_path, suffix):
    """A download cut short, or random bytes: refused, nothing written."""
    folder = tmp_path / "in"
    folder.mkdir()
    whole = book_of(tmp_path / f"whole{suffix}", {"S": [(0, ["lead_id"]), (1, ["L1"])]})
    for content in (whole.read_bytes()[:300], bytes(range(256)) * 4):
        (folder / f"contacts{suffix}").write_bytes(content)
        with pytest.raises(ImportFailed) as refused:
            import_export(tmp_path / "w.duckdb", folder, fmt="hubspot")
        message = str(refused.value)
        assert message.startswith(
            f"{folder / f'contacts{suffix}'}: cannot be read as "
            f"{'a LibreOffice spreadsheet' if suffix == '.ods' else 'an Excel workbook'} (damaged, "
        )
        assert "\n" not in message
        assert not (tmp_path / "w.duckdb").exists()


@pytest.mark.parametrize(
    ("suffix", "encoding", "delimiter"),
    [
        (".xls", "utf-8", ","),
        (".xls", "utf-16", "\t"),  # Excel's "Unicode text"
        (".xls", "cp1252", "\t"),
        (".xlsx", "utf-8-sig", ";"),
    ],
)
def test_a_text_file_named_as_a_workbook_is_read_as_the_csv_it_is(
    tmp_path, suffix, encoding, delimiter
):
    """Many tools' "Excel export" is text under a workbook's name (tab-separated, or
    Excel's "Unicode text"): read as its CSV is, with its lines as a CSV's."""
    source = EXPORTS / "hubspot" / "contacts.csv"
    rows = list(csv.reader(source.read_text("utf-8").splitlines()))
    text = "\r\n".join(delimiter.join(row) for row in rows) + "\r\n"
    folder = tmp_path / "in"
    shutil.copytree(EXPORTS / "hubspot", folder)
    (folder / "contacts.csv").unlink()
    (folder / f"contacts{suffix}").write_bytes(text.encode(encoding))
    csv_db, named_db = tmp_path / "csv.duckdb", tmp_path / "named.duckdb"
    from_csv = import_export(csv_db, EXPORTS / "hubspot", fmt="hubspot")
    from_named = import_export(named_db, folder, fmt="hubspot")
    assert from_named.loaded == from_csv.loaded
    assert _rejections(from_named) == _rejections(from_csv)
    _same_core(csv_db, named_db)


@pytest.mark.parametrize(
    "content",
    [
        b"<html><body><table><tr><td>Record ID</td></tr></table></body></html>",
        b'\xef\xbb\xbf\r\n<?xml version="1.0"?>\n<Workbook xmlns="urn:schemas-microsoft-com:'
        b'office:spreadsheet"></Workbook>',
    ],
)
def test_a_web_page_or_xml_named_as_a_workbook_is_refused_saying_what_to_do(tmp_path, content):
    """An HTML table (old CRMs' "Excel export") or Excel 2003's XML spreadsheet: Excel opens
    them, this reader does not guess at their table."""
    (tmp_path / "contacts.xls").write_bytes(content)
    with pytest.raises(ImportFailed) as refused:
        import_export(tmp_path / "w.duckdb", tmp_path / "contacts.xls", fmt="hubspot")
    assert str(refused.value) == (
        f"{tmp_path / 'contacts.xls'}: a web page or XML file named .xls, not a workbook: "
        "open it in Excel and save it as a workbook (.xlsx) or as CSV"
    )
    assert not (tmp_path / "w.duckdb").exists()


def test_sla_import_reads_a_folder_of_workbooks(tmp_path):
    books = workbook_folder(EXPORTS / "hubspot", tmp_path / "books")
    (books / "notes.txt").write_text("exported 2026-10-31")
    db = tmp_path / "w.duckdb"
    run = CliRunner().invoke(app, ["import", str(books), "--format", "hubspot", "--db", str(db)])
    assert run.exit_code == 1, run.output  # the export's rejected rows, as from its CSVs
    said = " ".join(run.output.split())  # as wrapped to the terminal's width
    assert "contacts.xlsx:10 column Create Date (created_at): required value" in said
    assert "notes.txt was not read: not a CSV file or workbook (.xlsx, .xls, .ods)" in said
    assert read_core_table(db, "leads").height == 9


def test_a_workbook_and_a_csv_of_one_table_are_refused(tmp_path):
    folder = tmp_path / "in"
    shutil.copytree(EXPORTS / "german", folder)
    workbook_of(folder / "leads.csv", folder / "leads.xlsx")
    with pytest.raises(ImportFailed, match=r"both leads\.csv and leads\.xlsx hold table leads"):
        import_export(tmp_path / "w.duckdb", folder)


def test_a_workbooks_personal_data_is_stored_in_no_byte_of_the_warehouse(tmp_path):
    """As from the CSV: personal columns dropped, addresses and phone numbers in a kept
    column masked, and none of them in any table or byte of the warehouse file."""
    books = workbook_folder(hubspot_with_personal_columns(tmp_path / "csv"), tmp_path / "books")
    db = tmp_path / "w.duckdb"
    result = import_export(db, books, fmt="hubspot")
    assert result.masked_columns == {"contacts.xlsx": ["remark"]}
    assert {"mobile phone number", "secondary email", "notes"} <= set(
        result.dropped_columns["contacts.xlsx"]
    )
    with connect_readonly(db) as con:
        tables = con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables"
        ).fetchall()
        text = json.dumps(
            [con.execute(f'SELECT * FROM "{s}"."{t}"').fetchall() for s, t in tables],
            default=str,
            ensure_ascii=False,
        )
    data = db.read_bytes().decode("latin-1")
    for stored in (text, data):
        assert not ADDRESS.search(stored), ADDRESS.search(stored)
        assert not PHONE.search(stored), PHONE.search(stored)
    assert "reach me: [email] / [phone]" in text
