"""A user's CRM export with personal data in columns the adapter does not know (the audit
2026-12-06 notebooks M7's): for the preview's and notebook 05's privacy checks."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HUBSPOT = ROOT / "tests" / "fixtures" / "exports" / "hubspot"

#: Columns a user's HubSpot export may have that the adapter does not know.
PERSONAL = {
    "Notes": "Spoke with Anna Schmidt, call back on +49 170 1234567 or anna.schmidt@example.de",
    "Mobile Phone Number": "+49 170 7654321",
    "Secondary Email": "a.schmidt@private.example",
    "Remark": "reach me: anna.schmidt@example.de / +49 170 1234567",
}
#: An e-mail address in clear (the mask is ``[email]``).
ADDRESS = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
#: The phone numbers of :data:`PERSONAL` however a table spaces them.
PHONE = re.compile(r"\+?49 ?170 ?(?:1234567|7654321)|1701234567|1707654321")


def hubspot_with_personal_columns(folder: Path) -> Path:
    """A copy of the example HubSpot export whose contacts carry :data:`PERSONAL`."""
    shutil.copytree(HUBSPOT, folder)
    contacts = folder / "contacts.csv"
    rows = list(csv.reader(contacts.open(encoding="utf-8")))
    rows[0] += list(PERSONAL)
    for row in rows[1:]:
        row += list(PERSONAL.values())
    with contacts.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return folder


def with_column(
    source: Path, folder: Path, file: str, column: str, values: dict[str, str], *, default: str = ""
) -> Path:
    """A copy ``folder`` of the export ``source`` whose ``file`` has ``column`` set by each
    row's first cell (its record id) from ``values``: a column the file has keeps its other
    cells, a new one is appended with ``default`` in them (deals in a renewals pipeline, an
    opportunity's ``Type``)."""
    shutil.copytree(source, folder)
    rows = list(csv.reader((source / file).read_text(encoding="utf-8").splitlines()))
    if column not in rows[0]:
        rows[0].append(column)
        for row in rows[1:]:
            row.append(default)
    at = rows[0].index(column)
    for row in rows[1:]:
        row[at] = values.get(row[0], row[at])
    with (folder / file).open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return folder


def folder_of(target: Path, source: Path | None = None, *names: str, **texts: str) -> Path:
    """A new folder ``target`` with the files ``names`` of ``source`` and files written from
    ``texts`` (file name -> text): a part of an export, or one edited."""
    target.mkdir()
    for name in names:
        shutil.copy(source / name, target / name)  # type: ignore[operator]
    for name, text in texts.items():
        (target / name).write_text(text, "utf-8")
    return target


def csv_folder(target: Path, **texts: str) -> Path:
    """A new folder ``target`` of CSV files: ``name=text`` writes ``name.csv``
    (:func:`folder_of`)."""
    return folder_of(target, None, **{f"{name}.csv": text for name, text in texts.items()})


#: The cells a spreadsheet program holds as a date or a time: ISO (``2026-10-05``,
#: ``2026-10-05 09:12``, ``2026-10-05T09:12:00``) and German (``05.10.2026 09:12``).
_DATE_LAYOUTS = {
    r"\d{4}-\d{2}-\d{2}": "%Y-%m-%d",
    r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}": "%Y-%m-%d{}%H:%M",
    r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}": "%Y-%m-%d{}%H:%M:%S",
    r"\d{2}\.\d{2}\.\d{4}": "%d.%m.%Y",
    r"\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}": "%d.%m.%Y %H:%M",
}
#: A number a spreadsheet holds as one: no leading zero (``007`` stays text), at most 15
#: digits (what a double holds exactly).
_NUMBER = re.compile(r"-?(?:0|[1-9]\d{0,14})(?:\.\d+)?")
#: ... and as a ``;`` file writes it: ``1.250`` is 1250, ``350000,00`` 350000.
_GERMAN_NUMBER = re.compile(r"-?[1-9]\d{0,2}(?:\.\d{3})+(?:,\d+)?|-?(?:0|[1-9]\d*),\d+")


def workbook_of(source: Path, target: Path) -> Path:
    """``source`` (an export's CSV) saved as an Excel workbook ``target`` (``.xlsx``, or
    ``.xls`` as Excel 97-2003 saves it), as a spreadsheet program saves it: dates and times
    as date cells, numbers as number cells (a ``;`` file's ``1.000,50`` too), everything
    else as text; one sheet.
    """
    import datetime as dt

    data = source.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252")
    header = text.split("\n", 1)[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    rows = list(csv.reader(text.splitlines(), delimiter=delimiter))
    cells: list[tuple[int, list]] = []
    for r, row in enumerate(rows):
        typed: list = []
        for cell in row:
            layout = next(
                (f for p, f in _DATE_LAYOUTS.items() if r and re.fullmatch(p, cell)), None
            )
            try:  # a day no calendar has (31.02.) stays text, as a spreadsheet keeps it
                written = layout and layout.format("T" if "T" in cell else " ")
                at = written and dt.datetime.strptime(cell, written)
            except ValueError:
                at = None
            if at:
                typed.append(at if ":" in cell else at.date())
            elif r and delimiter == ";" and _GERMAN_NUMBER.fullmatch(cell):
                typed.append(float(cell.replace(".", "").replace(",", ".")))
            elif r and _NUMBER.fullmatch(cell):
                typed.append(float(cell))
            else:
                typed.append(cell or None)
        cells.append((r, typed))
    return book_of(target, {"Export": cells})


def book_of(
    path: Path, sheets: dict[str, list[tuple[int, list]]], *, hidden: tuple[str, ...] = ()
) -> Path:
    """A workbook of ``sheets`` (name -> rows, each its 0-based row index and cells: text,
    numbers, a ``datetime`` as a date-and-time cell, a ``date`` as a date cell, None as no
    cell), the sheets ``hidden`` hidden; ``.xlsx`` by xlsxwriter, ``.xls`` by xlwt, ``.ods``
    (as LibreOffice saves it) by odfpy."""
    import datetime as dt

    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".ods":
        return _ods_of(path, sheets, hidden=hidden)
    if path.suffix.lower() == ".xls":
        import xlwt

        old = xlwt.Workbook()
        stamp = xlwt.easyxf(num_format_str="yyyy-mm-dd hh:mm:ss")
        day = xlwt.easyxf(num_format_str="dd.mm.yyyy")
        for name, rows in sheets.items():
            sheet = old.add_sheet(name)
            sheet.visibility = int(name in hidden)
            for r, row in rows:
                for c, cell in enumerate(row):
                    if isinstance(cell, dt.datetime):
                        sheet.write(r, c, cell, stamp)
                    elif isinstance(cell, dt.date):
                        sheet.write(r, c, cell, day)
                    elif cell is not None:
                        sheet.write(r, c, cell)
        old.save(str(path))
        return path
    import xlsxwriter

    book = xlsxwriter.Workbook(path)
    stamp = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    day = book.add_format({"num_format": "dd.mm.yyyy"})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in rows:
            for c, cell in enumerate(row):
                if isinstance(cell, dt.datetime):
                    sheet.write_datetime(r, c, cell, stamp)
                elif isinstance(cell, dt.date):
                    sheet.write_datetime(r, c, cell, day)
                elif isinstance(cell, str):
                    sheet.write_string(r, c, cell)
                elif cell is not None:
                    sheet.write_number(r, c, cell)
        if name in hidden:
            sheet.hide()
    book.close()
    return path


def workbook_folder(source: Path, target: Path, *, suffix: str = ".xlsx") -> Path:
    """A copy of an export folder ``source`` with each CSV saved as a workbook
    (:func:`workbook_of`, ``suffix`` ``.xlsx`` or ``.xls``), the other files as they are."""
    target.mkdir(parents=True)
    for file in sorted(source.iterdir()):
        if file.suffix.lower() == ".csv":
            workbook_of(file, target / f"{file.stem}{suffix}")
        else:
            shutil.copy(file, target / file.name)
    return target


def _ods_of(
    path: Path, sheets: dict[str, list[tuple[int, list]]], *, hidden: tuple[str, ...]
) -> Path:
    """:func:`book_of` as a LibreOffice spreadsheet: typed cells (``float``, ``date``),
    blank rows where no row is given, a hidden sheet by its table style."""
    import datetime as dt

    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.style import Style, TableProperties
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    invisible = Style(name="hidden", family="table")
    invisible.addElement(TableProperties(display="false"))
    doc.automaticstyles.addElement(invisible)
    for name, rows in sheets.items():
        table = Table(name=name, **({"stylename": invisible} if name in hidden else {}))
        given = dict(rows)
        for r in range(max(given, default=-1) + 1):
            row = TableRow()
            for cell in given.get(r, []):
                if isinstance(cell, dt.datetime):
                    at = TableCell(valuetype="date", datevalue=cell.isoformat(timespec="seconds"))
                elif isinstance(cell, dt.date):
                    at = TableCell(valuetype="date", datevalue=cell.isoformat())
                elif isinstance(cell, int | float):
                    at = TableCell(valuetype="float", value=repr(cell))
                elif cell is None:
                    at = TableCell()
                else:
                    at = TableCell(valuetype="string")
                if cell is not None:
                    at.addElement(P(text=str(cell)))
                row.addElement(at)
            table.addElement(row)
        doc.spreadsheet.addElement(table)
    doc.save(str(path))
    return path
