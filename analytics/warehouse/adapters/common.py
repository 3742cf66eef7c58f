"""What every export adapter shares: reading office CSVs, dates, numbers, privacy, batches.

An adapter reads an export and returns an :class:`Export` (a list of
:class:`~analytics.warehouse.loader.TableBatch` in canonical text, the rows it could
not read, and the personal columns it dropped). It never writes the warehouse:
:func:`analytics.warehouse.adapters.import_export` hands the batches to
:func:`~analytics.warehouse.loader.load_batches`, which validates, quarantines and loads.

CSV files are read as text with their original line numbers. The encoding (UTF-8, UTF-8
with BOM, else Windows-1252) and the delimiter (``,`` ``;`` tab ``|``) are detected unless
set in :class:`CsvOptions`. Dates such as ``05.10.2026``, ``05.10.2026 09:12`` or
``05-10-2026`` and decimal commas (``1.234,50``) are turned into the canonical text.
An Excel workbook (``.xlsx``, as HubSpot and Salesforce also export, or Excel 97-2003's
``.xls``) or a LibreOffice spreadsheet (``.ods``) is read as the same text cells, each row
numbered as Excel numbers it; a text
file saved under a workbook's name (many tools' "Excel export") is read as the CSV it is
(:func:`read_export_file`).
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from analytics.schema import TABLES
from analytics.texts import Text
from analytics.warehouse.loader import (
    EXPORT_SUFFIXES,
    WORKBOOK_SUFFIXES,
    EventScope,
    ImportFailed,
    TableBatch,
    check_regular_file,
    csv_records,
    file_sha256,
    readable_rows,
)
from analytics.warehouse.privacy import (  # noqa: F401  (the adapters' privacy names)
    FREE_TEXT,
    Salt,
    hash_salt,
    is_personal,
    is_private,
    mask_expr,
    mask_text,
    normalise_header,
    personal_columns,
    resolve_salt,
    salted_hash,
)
from analytics.warehouse.validate import iso_timestamp

DELIMITERS = (",", ";", "\t", "|")

#: Naive timestamp layouts tried in order when no ``date_format`` is given. Day first:
#: ``dd.mm.yyyy`` (German office), ``dd-mm-yyyy`` (Olist). Slashes are ambiguous
#: (US month first, UK day first) and are read only with an explicit ``date_format``.
TIMESTAMP_FORMATS = (
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
)
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y")


@dataclass(frozen=True)
class CsvOptions:
    """How to read an export's CSV files; ``None`` means detect.

    Parameters
    ----------
    delimiter
        ``,`` ``;`` tab or ``|``; detected from the header line when None.
    encoding
        A Python codec name (``utf-8``, ``utf-8-sig``, ``cp1252``...); when None: UTF-8
        (a BOM is skipped), else Windows-1252.
    decimal_comma
        Numbers written ``1.234,50``; when None: on for ``;``-delimited files.
    date_format
        A strftime layout (``%d/%m/%Y``) tried before the built-in ones.
    timezone
        The IANA zone of timestamps written without an offset (default UTC, as the
        canonical format says).
    pipelines
        HubSpot deals: the pipelines whose deals are read (a label or an internal name,
        in any case); empty: every deal.
    opportunity_types
        Salesforce opportunities: the types (``Type``) whose opportunities are read, in
        any case; empty: every opportunity.
    """

    delimiter: str | None = None
    encoding: str | None = None
    decimal_comma: bool | None = None
    date_format: str | None = None
    timezone: str = "UTC"
    pipelines: tuple[str, ...] = ()
    opportunity_types: tuple[str, ...] = ()


DEFAULT_OPTIONS = CsvOptions()


@dataclass
class Export:
    """An export translated into canonical batches (nothing written yet)."""

    batches: list[TableBatch] = field(default_factory=list)
    unreadable: list[dict[str, Any]] = field(default_factory=list)
    #: source file name -> personal columns that were not loaded
    dropped_columns: dict[str, list[str]] = field(default_factory=dict)
    #: source file name -> the day every row of it was dated (a file without dates)
    undated: dict[str, str] = field(default_factory=dict)
    #: source file name -> columns whose e-mails, phone numbers or IBANs were masked (only
    #: once the cells were scrubbed: :func:`~analytics.warehouse.adapters.preview_export`)
    masked_columns: dict[str, list[str]] = field(default_factory=dict)
    #: source file name -> the export's column of the MQL date, which the file lacks (a
    #: HubSpot contacts export without "Became a Marketing Qualified Lead Date")
    no_mql_dates: dict[str, str] = field(default_factory=dict)
    #: source file names whose header is in German (HubSpot's German labels): a column it
    #: lacks is warned of with how to get it read (its German label may be unconfirmed)
    german_headers: set[str] = field(default_factory=set)
    #: source file name -> the export's source column, which the file lacks: its new
    #: leads' source is "other" (a HubSpot contacts export without "Original Source")
    no_source: dict[str, str] = field(default_factory=dict)
    #: source file name -> why the import did not read it: a file of the folder that is
    #: no file of the format (:func:`left_out`), told in a warning
    skipped_files: dict[str, Text] = field(default_factory=dict)
    #: source file name -> rows of records deleted in the CRM, not read (Salesforce's
    #: ``IsDeleted``: an export of all rows holds the recycle bin's), told in a warning
    deleted_rows: dict[str, int] = field(default_factory=dict)
    #: source file name -> what the import did with it that a reader of its numbers must
    #: know (amounts in several currencies, converted or not), told in a warning each
    notices: dict[str, list[Text]] = field(default_factory=dict)

    def extend(self, other: Export) -> None:
        self.batches += other.batches
        self.unreadable += other.unreadable
        self.skipped_files.update(other.skipped_files)
        self.deleted_rows.update(other.deleted_rows)
        for name, texts in other.notices.items():
            self.notices.setdefault(name, []).extend(texts)
        self.undated.update(other.undated)
        self.no_mql_dates.update(other.no_mql_dates)
        self.german_headers |= other.german_headers
        self.no_source.update(other.no_source)
        for mine, theirs in (
            (self.dropped_columns, other.dropped_columns),
            (self.masked_columns, other.masked_columns),
        ):
            for k, v in theirs.items():
                mine.setdefault(k, [])
                mine[k] += [c for c in v if c not in mine[k]]


@dataclass(frozen=True)
class ExportFile:
    """One CSV of an export, read as text: cells (``_line`` = line in the file) and header."""

    path: Path
    cells: pl.DataFrame
    header: list[str]
    unreadable: list[dict[str, Any]]
    delimiter: str
    encoding: str
    sha256: str
    #: header as read (lower case, trimmed) -> the column's name as the file writes it
    #: (``create date`` -> ``Create Date``): what a message names
    written: Mapping[str, str] = field(default_factory=dict)
    #: read from an Excel workbook: its numbers are numbers, no delimiter applies (a text
    #: file named ``.xls`` is read as a CSV: not one)
    workbook: bool = False

    @property
    def label(self) -> str:
        return str(self.path)

    def decimal_comma(self, options: CsvOptions) -> bool:
        """Whether its numbers are written ``1.234,50``: as ``options`` says, else for a
        ``;``-delimited CSV; never in a workbook, whose cells hold numbers, not text.

        >>> f = ExportFile(Path("a.csv"), pl.DataFrame(), [], [], ";", "cp1252", "")
        >>> f.decimal_comma(CsvOptions()), f.decimal_comma(CsvOptions(decimal_comma=False))
        (True, False)
        >>> ExportFile(Path("a.xlsx"), pl.DataFrame(), [], [], "", "xlsx", "",
        ...            workbook=True).decimal_comma(CsvOptions(decimal_comma=True))
        False
        """
        if self.workbook:
            return False
        return options.decimal_comma if options.decimal_comma is not None else self.delimiter == ";"

    def named(self, name: str) -> str:
        """A column of the file as its header writes it (``Create Date``, not ``create date``).

        >>> f = ExportFile(Path("c.csv"), pl.DataFrame(), ["create date"], [], ",", "utf-8", "",
        ...                {"create date": "Create Date"})
        >>> f.named("create date"), f.named("other")
        ('Create Date', 'other')
        """
        return self.written.get(name, name)

    def has(self, *names: str) -> bool:
        return all(n.lower() in self.cells.columns for n in names)

    def lacking(self, sources: Mapping[str, str | tuple[str, ...]]) -> list[str]:
        """The canonical columns of ``sources`` (canonical column -> the export's column,
        or its alternatives, that fill it) whose export column this file does not have.

        An adapter leaves them out of its batch: a row already stored keeps its values of
        a column next month's export renamed or left out (the loader's absent-column
        rule, as for canonical files), and a new row has none.

        >>> f = ExportFile(Path("Lead.csv"), pl.DataFrame({"title": ["CEO"]}), ["Title"],
        ...                [], ",", "utf-8", "")
        >>> f.lacking({"job_title": "title", "country": ("mailingcountry", "country")})
        ['country']
        """
        alternatives = {c: (n,) if isinstance(n, str) else n for c, n in sources.items()}
        return [c for c, names in alternatives.items() if not any(map(self.has, names))]


# -- reading -----------------------------------------------------------------------


#: Single-byte codecs under which valid UTF-8 with umlauts would be garbled.
_WESTERN = frozenset(
    {"cp1252", "windows-1252", "latin-1", "latin1", "iso-8859-1", "iso-8859-15", "cp850"}
)


def decode(data: bytes, encoding: str | None) -> tuple[str, str]:
    """Decode file bytes: the given codec, else UTF-8 (BOM skipped, also when UTF-8 is
    given), else Windows-1252; UTF-16 with its byte order mark (Excel's "Unicode text"),
    or without one (every other byte of its text NUL), whatever is given; and UTF-8 when a
    Western single-byte codec is given for bytes that are valid UTF-8 (a mapping written
    for last year's export: every umlaut was garbled).

    >>> decode("Müller".encode("cp1252"), None)
    ('Müller', 'cp1252')
    >>> decode(b"\\xef\\xbb\\xbfid", None), decode(b"\\xef\\xbb\\xbfid", "UTF-8")
    (('id', 'utf-8-sig'), ('id', 'utf-8-sig'))
    >>> decode("id\\tMüller".encode("utf-16"), None), decode("Müller".encode(), "cp1252")
    (('id\\tMüller', 'utf-16'), ('Müller', 'utf-8'))
    >>> decode("id;Müller".encode("utf-16-le"), None), decode("id".encode("utf-16-be"), "utf-8")
    (('id;Müller', 'utf-16-le'), ('id', 'utf-16-be'))
    >>> decode("編號,建立日期\\n1,2026".encode("utf-16-le"), None)  # few NULs: by its header
    ('編號,建立日期\\n1,2026', 'utf-16-le')
    >>> decode("Kontakt;Straße\\nA;Öl".encode("cp1252"), None)  # no UTF-16 for all that
    ('Kontakt;Straße\\nA;Öl', 'cp1252')
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    if (codec := _utf16_without_bom(data)) is not None:
        try:  # a stray last byte (a file cut at an odd length) is no character
            return data[: len(data) // 2 * 2].decode(codec), codec
        except UnicodeDecodeError:
            pass  # not UTF-16 after all: as any other file
    if encoding and encoding.lower().replace("_", "-") in ("utf-8", "utf8"):
        encoding = "utf-8-sig"  # a byte order mark is no part of the header
    if encoding and encoding.lower().replace("_", "-") in _WESTERN and not data.isascii():
        try:
            return data.decode("utf-8-sig"), "utf-8"
        except UnicodeDecodeError:
            pass  # not UTF-8: the codec given
    if encoding:
        try:
            return data.decode(encoding), encoding
        except LookupError:
            raise ImportFailed(f"--encoding {encoding!r} is not a known encoding") from None
        except UnicodeDecodeError as exc:
            raise ImportFailed(
                f"cannot be decoded as {encoding} (byte {exc.start}); try --encoding cp1252"
            ) from None
    if data.startswith(b"\xef\xbb\xbf"):
        return data.decode("utf-8-sig", errors="replace"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def _utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le`` or ``utf-16-be`` when nearly every other byte of the file's start is
    NUL and the others are not (a CSV's text is mostly Latin, and no single-byte encoding
    of it has NULs), else None."""
    head = data[: min(len(data), 400) // 2 * 2]
    if len(head) < 4:
        return None
    even, odd = head[0::2].count(0) / (len(head) / 2), head[1::2].count(0) / (len(head) / 2)
    if odd >= 0.9 and even <= 0.1:
        return "utf-16-le"
    if even >= 0.9 and odd <= 0.1:
        return "utf-16-be"
    try:  # mostly CJK text has few NULs: not UTF-8, yet a header with delimiters as UTF-16
        data.decode("utf-8")
        return None
    except UnicodeDecodeError:
        pass
    for codec in ("utf-16-le", "utf-16-be"):
        try:
            line = head.decode(codec).split("\n", 1)[0]
        except UnicodeDecodeError:
            continue
        if any(d in line for d in DELIMITERS) and line.rstrip("\r").isprintable():
            return codec
    return None


def sniff_delimiter(header_line: str) -> str:
    """The delimiter of a header line: the candidate seen most often outside quotes.

    >>> sniff_delimiter('"Kontakt-ID";"Erstellt am";Quelle'), sniff_delimiter("a,b")
    (';', ',')
    """
    unquoted = re.sub(r'"[^"]*"', "", header_line)
    counts = {d: unquoted.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _clean_header(names: Sequence[str]) -> list[str]:
    out: list[str] = []
    for i, raw in enumerate(names):
        name = raw.strip().lstrip("\ufeff").strip().lower() or f"_unnamed_{i}"
        while name in out:
            name += "_"
        out.append(name)
    return out


def read_export_file(path: Path, options: CsvOptions) -> ExportFile:
    """Read one file of an export as text cells: a CSV, or a workbook (``.xlsx``, ``.xls``,
    ``.ods``). A file named as a workbook that holds text is read as a CSV: many tools
    write their "Excel export" so (tab-separated, as Excel reads it).

    Raises
    ------
    ImportFailed
        The file cannot be read, decoded or opened, or has no header; or it is a web page
        or an XML file named as a workbook.
    """
    if path.suffix.lower() in WORKBOOK_SUFFIXES and _workbook_bytes(path):
        return read_export_workbook(path)
    return read_export_csv(path, options)


#: How a workbook's file starts: a ZIP archive (``.xlsx``, ``.ods``) or an OLE compound
#: file (``.xls``, and an encrypted ``.xlsx``).
_WORKBOOK_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")


def _workbook_bytes(path: Path) -> bool:
    """Whether a file named as a workbook is one (or is damaged: anything but text), not
    a text file saved under a workbook's name.

    Raises
    ------
    ImportFailed
        The file is a web page or XML (an HTML table, Excel 2003's XML spreadsheet), which
        Excel opens but no export holds as its table.
    """
    check_regular_file(path)
    try:
        with path.open("rb") as f:
            start = f.read(4096)
    except OSError as exc:
        raise ImportFailed(f"{path}: cannot be read: {exc.strerror}") from None
    if start.startswith(_WORKBOOK_MAGIC):
        return True
    if start.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 text (Excel's "Unicode text")
        return False
    if b"\x00" in start or not start.strip():
        return True  # no text: read as a workbook, which says why it is none
    if start.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        raise ImportFailed(
            f"{path}: a web page or XML file named {path.suffix}, not a workbook: open it "
            "in Excel and save it as a workbook (.xlsx) or as CSV"
        )
    return False


def read_export_csv(path: Path, options: CsvOptions) -> ExportFile:
    """Read one CSV as text cells with original line numbers.

    Raises
    ------
    ImportFailed
        The file cannot be read or decoded, or has no header.
    """
    check_regular_file(path)  # a FIFO or /dev/zero would never end
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFailed(f"{path}: cannot be read: {exc.strerror}") from None
    try:
        text, encoding = decode(data, options.encoding)
    except ImportFailed as exc:
        raise ImportFailed(f"{path}: {exc}") from None
    first_line, _, rest = text.partition("\n")
    skipped = 0
    excel = re.fullmatch(r"sep=(.)\s*", first_line)  # Excel's line naming the delimiter
    if excel:
        text, skipped = rest, 1
        first_line = text.split("\n", 1)[0]
    delimiter = options.delimiter or (excel.group(1) if excel else sniff_delimiter(first_line))
    if delimiter == "\\t":
        delimiter = "\t"
    if len(delimiter) != 1:
        raise ImportFailed(f"--delimiter {delimiter!r} must be one character")
    try:
        raw_header, records, broken = csv_records(text, delimiter=delimiter, first_line=1 + skipped)
    except csv.Error as exc:
        raise ImportFailed(f"{path}: cannot be read as CSV: {exc}") from None
    if raw_header is None:
        raise ImportFailed(f"{path}: the file is empty (no header line)")
    return _export_file(path, raw_header, records, broken, delimiter, encoding)


#: A cell Excel holds as a date at midnight, as fastexcel writes it (``T`` after the day
#: in a ``.ods``): read as the day alone, which a date column takes and a timestamp
#: column reads as midnight.
_MIDNIGHT = r"^(\d{4}-\d{2}-\d{2})[ T]00:00:00(?:\.0+)?$"


def read_export_workbook(path: Path) -> ExportFile:
    """Read the sheet of an Excel workbook as text cells, ``_line`` the row as Excel
    numbers it (the header's first row is the first with a cell).

    Numbers are written as Python writes them (``12345``, ``1234.5``), dates as
    ``YYYY-MM-DD`` and times as ``YYYY-MM-DD HH:MM:SS``, in the zone the options give, as a
    CSV's times without an offset. Empty sheets are left out; a workbook with two sheets
    that hold cells is refused, since which one is the export cannot be known.

    Raises
    ------
    ImportFailed
        The file is no workbook that can be read (encrypted, damaged), has no sheet with
        cells, or several.
    """
    import fastexcel  # only an import of a workbook needs it

    check_regular_file(path)
    try:
        book = fastexcel.read_excel(path)
        sheets = [
            (name, book.load_sheet(name, header_row=None, skip_rows=0, dtypes="string"))
            for name in book.sheet_names
        ]
        # a hidden sheet (a lookup table) is named as such: its user may not know of it
        frames = [
            (name if sheet.visible == "visible" else f"{name}, hidden", sheet.to_polars())
            for name, sheet in sheets
        ]
    except (OSError, fastexcel.FastExcelError) as exc:
        why = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        kind, program = (
            ("a LibreOffice spreadsheet", "LibreOffice")
            if path.suffix.lower() == ".ods"
            else ("an Excel workbook", "Excel")
        )
        raise ImportFailed(
            f"{path}: cannot be read as {kind} (damaged, encrypted or no {program} file: "
            f"save it again from {program}, or as CSV): {why}"
        ) from None
    filled = [(name, frame) for name, frame in frames if _has_cells(frame)]
    if not filled:
        raise ImportFailed(f"{path}: the workbook is empty (no sheet holds a cell)")
    if len(filled) > 1:
        names = "; ".join(name for name, _ in filled)
        raise ImportFailed(
            f"{path}: the workbook has {len(filled)} sheets with cells ({names}); "
            "which one is the export cannot be known: save that sheet as a workbook of "
            "its own or as CSV"
        )
    frame = filled[0][1].with_columns(pl.all().str.replace(_MIDNIGHT, "${1}"))
    rows = [(line, ["" if v is None else v for v in row])
            for line, row in enumerate(frame.iter_rows(), start=1)]  # fmt: skip
    records = [(line, row) for line, row in rows if any(v.strip() for v in row)]
    return _export_file(
        path, records[0][1], records[1:], [], "", path.suffix.lower()[1:], workbook=True
    )


def _has_cells(frame: pl.DataFrame) -> bool:
    """Whether a sheet read as text holds a cell with more than blanks."""
    if not frame.width:
        return False
    filled = pl.any_horizontal(pl.all().str.strip_chars().fill_null("") != "")
    return bool(frame.select(filled.any()).item())


def _export_file(
    path: Path,
    raw_header: Sequence[str],
    records: Iterable[tuple[int, list[str]]],
    broken: Iterable[int],
    delimiter: str,
    encoding: str,
    *,
    workbook: bool = False,
) -> ExportFile:
    """The :class:`ExportFile` of a file's header and records (each with its line)."""
    named = [h.strip().lstrip("\ufeff").strip().lower() for h in raw_header]
    repeated = next((h for i, h in enumerate(named) if h and h in named[:i]), None)
    if repeated is not None:  # which of the two is meant cannot be known
        raise ImportFailed(f"{path}: the header has column {repeated} twice")
    header = _clean_header(raw_header)
    written = {  # each column's name as the file writes it (what a message names)
        name: raw.strip().lstrip("\ufeff").strip()
        for name, raw in zip(header, raw_header, strict=True)
        if not name.startswith("_unnamed_")
    }
    # A trailing delimiter on every line (x_education) makes an unnamed last column.
    rows, lines, problems = readable_rows(records, broken, raw_header, header, label=str(path))
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in header]
    cells = pl.DataFrame(
        {name: pl.Series(name, columns[i], dtype=pl.String) for i, name in enumerate(header)},
        schema={name: pl.String for name in header},
    ).with_columns(
        pl.all().str.strip_chars().replace("", None),
        pl.Series("_line", lines, dtype=pl.Int64),
    )
    unnamed = [c for c in header if c.startswith("_unnamed_")]
    if unnamed and cells.select(pl.col(unnamed).is_null().all()).row(0) == (True,) * len(unnamed):
        cells = cells.drop(unnamed)
        header = [h for h in header if h not in unnamed]
    return ExportFile(
        path, cells, header, problems, delimiter, encoding, file_sha256(path), written, workbook
    )


def require_columns(
    file: ExportFile, columns: Iterable[str], what: str, *, mapping: str | None = None
) -> None:
    """Raise :class:`ImportFailed` naming the missing columns (and a delimiter hint).

    ``mapping``: the mapping file that describes the file (its name): the message says so,
    and the delimiter hint names its ``[csv] delimiter`` key too.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.csv"
    >>> _ = p.write_text("a;b\\n1;2\\n")
    >>> try:
    ...     require_columns(read_export_csv(p, CsvOptions(delimiter=",")), ["a"], "test")
    ... except ImportFailed as exc:
    ...     print(str(exc).split(": ", 1)[1])
    not a test file: missing column(s) a (the header has: a;b; it looks like ';' separates the \
columns: try --delimiter ';')
    """
    missing = [c for c in columns if c.lower() not in file.cells.columns]
    if not missing:
        return
    header = header_text(file)  # as the file writes it, personal data masked
    hint = ""
    if len(file.header) == 1 and not file.workbook:  # a workbook has no delimiter
        other = sniff_delimiter(file.header[0])
        if other != file.delimiter and other in file.header[0]:
            hint = f"; it looks like {other!r} separates the columns: try --delimiter {other!r}"
            if mapping is not None:
                hint += f" or delimiter = {json.dumps(other)} under [csv] in {mapping}"
    named = [h for h in file.header if not h.startswith("_unnamed_")]
    if file.workbook and len(named) == 1:  # a report's title above its table
        hint = "; a workbook's first row with a cell is its header: delete any rows above it"
    described = f" as {mapping} describes it" if mapping is not None else ""
    raise ImportFailed(
        f"{file.path}: not a {what} file{described}: missing column(s) {', '.join(missing)} "
        f"(the header has: {header or 'nothing'}{hint})"
    )


def export_files(path: Path) -> list[Path]:
    """The ``.csv`` files and workbooks (``.xlsx``, ``.xls``, ``.ods``) of a folder (sorted),
    or the file itself."""
    if not path.exists():
        raise ImportFailed(f"{path}: no such file or folder")
    readable = EXPORT_SUFFIXES
    if not path.is_dir() or path.suffix.lower() in readable:
        check_regular_file(path)  # a FIFO, a device, a folder named like a file: refused
        return [path]
    files = sorted(p for p in path.iterdir() if p.suffix.lower() in readable)
    for file in files:
        check_regular_file(file)
    if not files:
        raise ImportFailed(f"{path}: the folder holds no .csv, .xlsx, .xls or .ods file")
    return files


def left_out(folder: Path, read: Iterable[Path], why: Text) -> dict[str, Text]:
    """What the folder ``folder`` holds besides ``read`` (the files an adapter read, or
    looked at and gave a reason of their own), each with ``why`` (a folder in it: that it
    is one): :attr:`Export.skipped_files`. Hidden entries (``.DS_Store``, an office
    program's lock file ``.~lock.leads.csv#``) are no export's; nothing of a file.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> for name in ("leads.csv", "notes.txt", ".DS_Store"):
    ...     _ = (d / name).write_text("x")
    >>> (d / "2026-10").mkdir()
    >>> {pathlib.Path(k).name: v.code for k, v in
    ...  left_out(d, [d / "leads.csv"], Text("skip.not_csv")).items()}
    {'2026-10': 'skip.folder', 'notes.txt': 'skip.not_csv'}
    """
    if not folder.is_dir():
        return {}
    read = set(read)
    return {
        str(p): Text("skip.folder") if p.is_dir() else why
        for p in sorted(folder.iterdir())
        if p not in read and not p.name.startswith(".")
    }


#: The most columns of a header a message lists: its first ones, "…" and its last.
HEADER_SHOWN = 12


def header_text(file: ExportFile) -> str:
    """A file's header as it writes it, for a message (``Record ID, Create Date``); e-mail
    addresses and phone numbers masked (a file without a header starts with a row). A
    header of more than :data:`HEADER_SHOWN` columns is cut to its first ones, "…" and its
    last (a report of 37 columns is one line to tell it by, not a paragraph).

    >>> f = ExportFile(Path("n.csv"), pl.DataFrame(), ["ana", "ana@example.org"], [], ",",
    ...                "utf-8", "", {"ana": "Ana"})
    >>> header_text(f)
    'Ana, [email]'
    >>> wide = [f"c{i}" for i in range(40)]
    >>> header_text(ExportFile(Path("w.csv"), pl.DataFrame(), wide, [], ",", "utf-8", "", {}))
    'c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, …, c39'
    """
    names = [file.named(h) for h in file.header]
    if len(names) > HEADER_SHOWN:
        names = [*names[: HEADER_SHOWN - 1], "…", names[-1]]
    return mask_text(", ".join(names)) or "nothing"


# -- values ------------------------------------------------------------------------


def timestamp_text(
    cell: pl.Expr, *, date_format: str | None = None, timezone: str = "UTC"
) -> pl.Expr:
    """Expression: an export's timestamp text as canonical ISO text in UTC (``...Z``).

    Offsets are honoured; naive values are read in ``timezone``. Text that no layout
    reads is kept as it is, so that validation quarantines it with its value.

    >>> df = pl.DataFrame({"t": ["05.10.2026 09:12", "05-10-2026", "2026-10-05T09:12:00+02:00",
    ...                          "31.02.2026", None]})
    >>> df.select(timestamp_text(pl.col("t"), timezone="Europe/Berlin"))["t"].to_list()
    ['2026-10-05T07:12:00Z', '2026-10-04T22:00:00Z', '2026-10-05T07:12:00Z', '31.02.2026', None]
    >>> pl.DataFrame({"t": ["05.10.26 09:12", "05.10.026"]}).select(  # Excel's TT.MM.JJ
    ...     timestamp_text(pl.col("t"), timezone="Europe/Berlin"))["t"].to_list()
    ['2026-10-05T07:12:00Z', '05.10.026']
    >>> pl.DataFrame({"t": ["10-05-2026 09:12 -0400", "10-05-2026 09:12"]}).select(
    ...     timestamp_text(pl.col("t"), date_format="%m-%d-%Y %H:%M %z",
    ...                    timezone="Europe/Berlin"))["t"].to_list()  # a format with an offset
    ['2026-10-05T13:12:00Z', '2026-10-05T07:12:00Z']
    """
    return cell.map_batches(
        functools.partial(_timestamp_texts, date_format=date_format, timezone=timezone),
        return_dtype=pl.String,
        is_elementwise=True,
    )


def _timestamp_texts(cells: pl.Series, *, date_format: str | None, timezone: str) -> pl.Series:
    """:func:`timestamp_text` on a series, each step a column of its own: as one
    expression each reading repeats the steps before it (the cell twenty times over), and
    an expression over another such (a date read, then its timestamp) grew to 250,000
    characters, a fifth of a second to plan for a dozen rows."""
    # a format with an offset (%z) reads an instant: it is no naive time of the zone; a
    # cell without the offset is read by the format without it, in the zone
    with_offset = date_format is not None and ("%z" in date_format or "%:z" in date_format)
    naive_format = (
        re.sub(r"\s*%:?z", "", date_format).strip() if date_format and with_offset else date_format
    )
    written, s = pl.col("written"), pl.col("s")
    given = [written.str.strptime(pl.Datetime("us"), naive_format, strict=False, exact=True)]
    naive = pl.coalesce(
        (given if date_format else [])
        + [
            s.str.strptime(pl.Datetime("us"), f, strict=False, exact=True)
            for f in TIMESTAMP_FORMATS
        ]
        + [
            s.str.strptime(pl.Date, f, strict=False, exact=True).cast(pl.Datetime("us"))
            for f in DATE_FORMATS
        ]
    )
    # a time in the spring-forward gap (02:30 on the night clocks jump to 03:00) is shifted
    # forward by the hour the clocks skip, as CRMs and calendars do; it was read as UTC
    in_zone = pl.col("naive").dt.replace_time_zone(
        timezone, ambiguous="earliest", non_existent="null"
    )
    skipped = (pl.col("naive") + pl.duration(hours=1)).dt.replace_time_zone(
        timezone, ambiguous="earliest", non_existent="null"
    )
    local = pl.coalesce(in_zone, skipped).dt.convert_time_zone("UTC")
    has_offset = s.str.contains(r"\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[Zz]|[+-]\d{2}:?\d{2})$")
    parsed = pl.when(has_offset).then(iso_timestamp(s)).otherwise(local)
    if with_offset:
        instant = written.str.strptime(pl.Datetime("us", "UTC"), date_format, strict=False)
        parsed = pl.coalesce(instant.dt.convert_time_zone("UTC"), parsed)
    text = pl.col("parsed").dt.to_string("%Y-%m-%dT%H:%M:%S%.fZ").str.replace(r"\.0+Z$", "Z")
    return _read_in_steps(cells, [naive.alias("naive"), parsed.alias("parsed")], text)


def _read_in_steps(cells: pl.Series, steps: Sequence[pl.Expr], text: pl.Expr) -> pl.Series:
    """``cells`` read by :func:`_timestamp_texts` or :func:`_date_texts`, each step a column
    of its own: ``written`` (the cell trimmed), ``s`` (its year in four digits, as the
    layouts read it), then each of ``steps`` over the columns before it, the last one
    ``parsed``; ``text`` (of ``parsed``) where that is a reading, else the cell as written.
    """
    written, parsed = pl.col("written"), pl.col("parsed")
    frame = (
        pl.DataFrame({"written": cells.str.strip_chars()})
        .lazy()
        .with_columns(_four_digit_year(written).alias("s"))
    )
    for step in steps:
        frame = frame.with_columns(step)
    # a year of fewer than four digits read as written (the year 26) is no reading: the
    # quarantine then quotes the cell, not a date the file does not hold
    readable = parsed.is_not_null() & (parsed.dt.year() >= 1000)
    chosen = pl.when(readable).then(text).otherwise(written).alias(cells.name)
    return frame.select(chosen).collect().to_series()


def _four_digit_year(s: pl.Expr) -> pl.Expr:
    """``05.10.26`` (Excel's ``TT.MM.JJ``) as ``05.10.2026``: a day-first date whose year has
    two digits, 00-68 in this century and 69-99 in the last (as Python's ``%y``)."""
    date = r"^(\d{1,2}[./-]\d{1,2}[./-])"
    return s.str.replace(date + r"([0-6]\d)(\s|$)", "${1}20${2}${3}").str.replace(
        date + r"([7-9]\d)(\s|$)", "${1}19${2}${3}"
    )


def date_text(cell: pl.Expr, *, date_format: str | None = None) -> pl.Expr:
    """Expression: an export's date text as ``YYYY-MM-DD`` (unreadable text kept).

    >>> pl.DataFrame({"d": ["05.10.2026", "2026-10-05", "x", "05.10.26", "5.10.026"]}).select(
    ...     date_text(pl.col("d")))["d"].to_list()
    ['2026-10-05', '2026-10-05', 'x', '2026-10-05', '5.10.026']
    """
    return cell.map_batches(
        functools.partial(_date_texts, date_format=date_format),
        return_dtype=pl.String,
        is_elementwise=True,
    )


def _date_texts(cells: pl.Series, *, date_format: str | None) -> pl.Series:
    """:func:`date_text` on a series, each step a column of its own (as
    :func:`_timestamp_texts`)."""
    written, s = pl.col("written"), pl.col("s")
    given = [written.str.strptime(pl.Date, date_format, strict=False, exact=True)]
    parsed = pl.coalesce(
        (given if date_format else [])
        + [s.str.strptime(pl.Date, f, strict=False, exact=True) for f in DATE_FORMATS]
    )
    text = pl.col("parsed").dt.to_string("%Y-%m-%d")
    return _read_in_steps(cells, [parsed.alias("parsed")], text)


def number_text(cell: pl.Expr, *, decimal_comma: bool) -> pl.Expr:
    """Expression: number text with a ``.`` decimal point and no grouping or currency.

    With ``decimal_comma``, ``1.234,50`` -> ``1234.50`` and ``1.234`` -> ``1234``; a
    plain ``1234.5`` is left as it is.

    >>> df = pl.DataFrame({"n": ["1.234,50 €", "1.234", "12,5", "1234.5", "7"]})
    >>> df.select(number_text(pl.col("n"), decimal_comma=True))["n"].to_list()
    ['1234.50', '1234', '12.5', '1234.5', '7']
    >>> df = pl.DataFrame({"n": ["$1,234,567.89", "1,000,000", "1,234", "12,5", "-4,500.5"]})
    >>> df.select(number_text(pl.col("n"), decimal_comma=False))["n"].to_list()
    ['1234567.89', '1000000', '1234', '12,5', '-4500.5']
    """
    s = cell.str.replace_all(r"[\s\u00a0€$£]", "")
    if not decimal_comma:  # every group at once: 1,234,567.89 lost all but its first
        grouped = s.str.contains(r"^-?\d{1,3}(?:,\d{3})+(?:\.\d*)?$")
        return pl.when(grouped).then(s.str.replace_all(",", "", literal=True)).otherwise(s)
    grouped = s.str.contains(r"^-?\d{1,3}(?:\.\d{3})+(?:,\d*)?$")
    s = pl.when(grouped).then(s.str.replace_all(".", "", literal=True)).otherwise(s)
    return s.str.replace(",", ".", literal=True)


def bool_text(cell: pl.Expr) -> pl.Expr:
    """Expression: ``ja``/``nein``/``wahr``/``falsch``/``x`` as ``true``/``false`` text."""
    low = cell.str.strip_chars().str.to_lowercase()
    return (
        pl.when(low.is_in(["ja", "wahr", "x", "checked"]))
        .then(pl.lit("true"))
        .when(low.is_in(["nein", "falsch", "unchecked"]))
        .then(pl.lit("false"))
        .otherwise(cell)
    )


def canonical_text(
    table: str, cells: pl.DataFrame, options: CsvOptions, *, decimal_comma: bool
) -> pl.DataFrame:
    """Normalise the canonical columns of ``cells`` by kind: timestamps, dates, numbers, bools."""
    exprs = []
    for column in TABLES[table].columns:
        if column.name not in cells.columns:
            continue
        c = pl.col(column.name)
        match column.kind:
            case "timestamp":
                exprs.append(
                    timestamp_text(
                        c, date_format=options.date_format, timezone=options.timezone
                    ).alias(column.name)
                )
            case "date":
                exprs.append(date_text(c, date_format=options.date_format).alias(column.name))
            case "int" | "float":
                exprs.append(number_text(c, decimal_comma=decimal_comma).alias(column.name))
            case "bool":
                exprs.append(bool_text(c).alias(column.name))
    return cells.with_columns(exprs) if exprs else cells


#: Country names as CRMs export them -> ISO 3166 alpha-2 (the canonical preference).
COUNTRY_CODES: dict[str, str] = {
    "germany": "DE",
    "deutschland": "DE",
    "austria": "AT",
    "österreich": "AT",
    "switzerland": "CH",
    "schweiz": "CH",
    "suisse": "CH",
    "liechtenstein": "LI",
    "luxembourg": "LU",
    "netherlands": "NL",
    "the netherlands": "NL",
    "belgium": "BE",
    "france": "FR",
    "italy": "IT",
    "spain": "ES",
    "portugal": "PT",
    "poland": "PL",
    "czech republic": "CZ",
    "czechia": "CZ",
    "denmark": "DK",
    "sweden": "SE",
    "norway": "NO",
    "finland": "FI",
    "ireland": "IE",
    "united kingdom": "GB",
    "uk": "GB",
    "great britain": "GB",
    "united states": "US",
    "united states of america": "US",
    "usa": "US",
    "canada": "CA",
    "brazil": "BR",
    "india": "IN",
}


def country_code(cell: pl.Expr) -> pl.Expr:
    """Expression: a country name as ISO alpha-2 when known; codes and other names as given.

    >>> pl.DataFrame({"c": ["Germany", "de", "Österreich", "Atlantis", None]}).select(
    ...     country_code(pl.col("c")))["c"].to_list()
    ['DE', 'DE', 'AT', 'Atlantis', None]
    """
    s = cell.str.strip_chars()
    code = pl.when(s.str.contains(r"^[A-Za-z]{2}$")).then(s.str.to_uppercase())
    return pl.coalesce(code, map_values(s, COUNTRY_CODES, default=None), s)


# Privacy (is_personal, is_private, FREE_TEXT, salted_hash, hash_salt...) has one place:
# analytics.warehouse.privacy, imported above.


# -- batches -------------------------------------------------------------------------


def batch(
    table: str,
    file: ExportFile,
    cells: pl.DataFrame,
    *,
    extra: Iterable[str] = (),
    suffix: str = "",
    defaulted: Iterable[str] = (),
    scope: EventScope | None = None,
    supersedes: Iterable[str] = (),
    date_format: str | None = None,
    sources: Mapping[str, str | None] | None = None,
) -> TableBatch:
    """A batch of canonical text for ``table`` from ``file``.

    ``cells`` holds canonical columns and ``_line``; columns named in ``extra`` are kept
    as ``_extra`` JSON (raw layer). Rows with the same key and line are one row. The
    ``suffix`` tells apart two batches of one table drawn from one file. ``defaulted``:
    columns the export did not have, filled with a default that only new rows take
    (:attr:`~analytics.warehouse.loader.TableBatch.defaulted`). ``scope``: the lifecycle
    events of its leads the batch holds all of (:class:`~analytics.warehouse.loader.EventScope`).
    ``supersedes``: triggers whose stored event of a lead and stage the batch's event of
    that lead and stage replaces (:attr:`~analytics.warehouse.loader.TableBatch.supersedes`).
    ``date_format``: the layout its user declared for the dates
    (:attr:`~analytics.warehouse.loader.TableBatch.date_format`). ``sources``: canonical
    column -> the export's column it was read from, as the file's header writes it
    (:attr:`~analytics.warehouse.loader.TableBatch.source_columns`); where a column's
    source differs from row to row, ``cells`` holds it per row in ``_from_<column>``
    (:func:`read_from`).
    """
    known = TABLES[table].column_names
    keep = [c for c in known if c in cells.columns]
    extra = [c for c in extra if c in cells.columns and c not in known]
    per_row = [f"_from_{c}" for c in keep if f"_from_{c}" in cells.columns]
    frame = cells.select(*keep, "_line", *per_row, *extra).with_columns(
        [pl.col(c).cast(pl.String) for c in keep]
    )
    if extra:
        frame = frame.with_columns(pl.struct(extra).struct.json_encode().alias("_extra")).drop(
            extra
        )
    frame = frame.unique(subset=[*TABLES[table].key, "_line"], keep="first", maintain_order=True)
    source = file.label + (f"#{suffix}" if suffix else "")
    return TableBatch(
        table,
        source,
        file.sha256 + (f":{suffix}" if suffix else ""),
        frame,
        frozenset(defaulted),
        scope,
        frozenset(supersedes),
        date_format,
        {c: name for c, name in (sources or {}).items() if c in keep and name},
    )


def lacking_kinds(
    export: Export,
    table: str,
    gives: Mapping[str, Iterable[str | None]],
    kinds: Iterable[str],
    *,
    prefixes: Mapping[str, str] | None = None,
) -> None:
    """Hand the first batch of ``table`` in ``export`` the scopes of the file kinds the
    folder lacks: a folder without Salesforce's LeadHistory.csv says nothing of status
    changes, as an absent column says nothing of its stage, and ``--replace`` keeps them
    (:attr:`~analytics.warehouse.loader.TableBatch.unsaid`).

    ``gives``: file kind -> the triggers of the lifecycle events it dates (of sales
    touches: the channels; of a table no column tells the kinds apart, ``None``: its
    rows); ``kinds``: the kinds the folder has. ``prefixes``: file kind -> the prefix of
    the ids of the leads it gives (Salesforce's key prefix: ``00Q`` Lead.csv's, ``003``
    Contact.csv's), so that two kinds giving the same trigger are told apart by their
    leads (both date ``created``). A value a kind of the folder gives too, of the same
    leads, is said. Nothing when no batch fills ``table`` (the replace leaves it as it
    is) or the folder lacks none.

    >>> e = Export([TableBatch("sales_touches", "calls.csv", "", pl.DataFrame())])
    >>> lacking_kinds(e, "sales_touches", {"calls": ["phone"], "emails": ["email"]}, ["calls"])
    >>> [(s.trigger, s.stages, s.leads) for s in e.batches[0].unsaid]
    [('email', frozenset(), None)]
    >>> e = Export([TableBatch("leads", "Contact.csv", "", pl.DataFrame())])
    >>> prefixes = {"leads": "00Q", "contacts": "003"}
    >>> lacking_kinds(e, "leads", {"leads": [None], "contacts": [None]}, ["contacts"],
    ...               prefixes=prefixes)
    >>> [(s.trigger, s.prefix) for s in e.batches[0].unsaid]
    [(None, '00Q')]
    """
    kinds = set(kinds)
    prefixes = prefixes or {}

    def pairs(present: bool) -> set[tuple[str | None, str | None]]:
        return {
            (value, prefixes.get(kind))
            for kind, values in gives.items()
            if (kind in kinds) == present
            for value in values
        }

    said = pairs(True)
    unsaid = {
        (value, prefix)
        for value, prefix in pairs(False)
        # said: the same value of the same leads, of any leads, or (a value of any
        # leads) of some of them
        if (value, prefix) not in said
        and (value, None) not in said
        and not (prefix is None and any(v == value for v, _ in said))
    }
    scopes = tuple(
        EventScope(None, frozenset(), value, prefix=prefix)
        for value, prefix in sorted(unsaid, key=lambda p: (p[0] or "", p[1] or ""))
    )
    _hand(export, table, scopes)


def owned_reps(export: Export, users: pl.Series | None = None) -> None:
    """Hand the first reps batch of ``export`` the scope of the reps it does not name: the
    reps an export names by owner (HubSpot's owners, Salesforce's ``OwnerId``, Olist's SDR
    and SR) are no list of the reps, and ``--replace`` adds and updates them but removes
    none (a rep a canonical ``reps.csv`` set up, with its name, team and capacity, stays).

    ``users``: the ids of a full users export of the folder (Salesforce's User.csv: every
    user the org has, a user being deactivated, never deleted): the reps' snapshot, so a
    stored rep it lists stays though no file of the folder names it, and one that neither
    it nor a file names is removed.

    >>> e = Export([TableBatch("reps", "contacts.csv", "", pl.DataFrame())])
    >>> owned_reps(e)
    >>> [(s.leads, s.trigger) for s in e.batches[0].unsaid]
    [(None, None)]
    """
    _hand(export, "reps", (EventScope(users, frozenset(), None),))


def _hand(export: Export, table: str, scopes: tuple[EventScope, ...]) -> None:
    """Give the first batch of ``table`` the ``scopes`` of what the import says nothing of
    (one batch of the export's table carries them for all); nothing without either."""
    first = next((i for i, b in enumerate(export.batches) if b.table == table), None)
    if first is None or not scopes:
        return
    export.batches[first] = dataclasses.replace(export.batches[first], unsaid=scopes)


def sources_of(
    file: ExportFile, columns: Mapping[str, str | tuple[str, ...] | None]
) -> dict[str, str]:
    """Canonical column -> the export's column it is read from (the first of its
    alternatives the file has), as the header writes it: a batch's ``sources``.

    >>> f = ExportFile(Path("Lead.csv"), pl.DataFrame({"createddate": ["x"]}), ["createddate"],
    ...                [], ",", "utf-8", "", {"createddate": "CreatedDate"})
    >>> sources_of(f, {"created_at": "createddate", "country": ("mailingcountry", "country")})
    {'created_at': 'CreatedDate'}
    """
    out = {}
    for canonical, names in columns.items():
        names = (names,) if isinstance(names, str) or names is None else names
        found = next((n for n in names if n is not None and n in file.cells.columns), None)
        if found is not None:
            out[canonical] = file.named(found)
    return out


def read_from(file: ExportFile, names: Sequence[str | None]) -> pl.Expr:
    """Expression: per row, the first of ``names`` (the file's columns, in the order a
    value is taken from them) whose cell is not empty, as the file's header writes it:
    what a rejected cell of a value coalesced from several columns is named by. Alias it
    ``_from_<canonical column>`` (:func:`batch`).

    >>> f = ExportFile(Path("c.csv"), pl.DataFrame({"a": [None, "1"], "b": ["2", "3"]}),
    ...                ["a", "b"], [], ",", "utf-8", "", {"a": "A", "b": "B"})
    >>> f.cells.select(read_from(f, ["a", "b", None]))["literal"].to_list()
    ['B', 'A']
    """
    present = [n for n in names if n is not None and n in file.cells.columns]
    if not present:
        return pl.lit(None, dtype=pl.String)
    expr = pl.when(pl.col(present[0]).is_not_null()).then(pl.lit(file.named(present[0])))
    for n in present[1:]:
        expr = expr.when(pl.col(n).is_not_null()).then(pl.lit(file.named(n)))
    return expr.otherwise(pl.lit(file.named(present[0]))).cast(pl.String)


def first_match(values: Iterable[tuple[str, str]], text: str | None, default: str) -> str:
    """The value of the first ``(pattern, value)`` whose regex matches ``text``."""
    if text is None:
        return default
    for pattern, value in values:
        if re.search(pattern, text, re.IGNORECASE):
            return value
    return default


def map_values(cell: pl.Expr, mapping: dict[str, str], *, default: str | None = None) -> pl.Expr:
    """Expression: map text case-insensitively (trimmed); unmapped -> ``default`` (or kept)."""
    low = {k.strip().lower(): v for k, v in mapping.items()}
    key = cell.str.strip_chars().str.to_lowercase()
    fallback = pl.lit(default, dtype=pl.String) if default is not None else cell
    return key.replace_strict(low, default=fallback, return_dtype=pl.String)


# -- new business: deals chosen by their pipeline or type ----------------------------------


def chosen_deals(
    file: ExportFile, column: str | None, chosen: tuple[str, ...], *, texts: str
) -> tuple[ExportFile, list[Text]]:
    """``file`` (an export of deals) with the deals whose ``column`` is one of ``chosen``
    only (all when none is chosen: a HubSpot pipeline, a Salesforce opportunity type), and
    what to say of the others: how many were not read, or, with none chosen, that deals of
    several kinds all count (renewals beside new business). Which are new business is the
    SLA's agreement, so it is never guessed. ``texts``: the prefix of the texts that say it
    (``import.pipelines``: ``_all``, ``_left_out``, ``_no_column``).

    >>> f = ExportFile(Path("deals.csv"), pl.DataFrame({"pipeline": ["Sales", "Renewals",
    ...     "sales"], "_line": [2, 3, 4]}), ["pipeline"], [], ",", "utf-8", "")
    >>> kept, said = chosen_deals(f, "pipeline", ("SALES",), texts="import.pipelines")
    >>> kept.cells["_line"].to_list(), said[0].code, said[0].params["counts"]
    ([2, 4], 'import.pipelines_left_out', 'Renewals 1')
    >>> chosen_deals(f, "pipeline", (), texts="import.pipelines")[1][0].params["counts"]
    'Sales 2, Renewals 1'
    """
    if column is None:
        if chosen:
            raise ImportFailed(f"{file.path}: {Text(f'{texts}_no_column')}")
        return file, []
    kind = pl.col(column).str.strip_chars()
    counts = (
        file.cells.group_by(key := kind.str.to_lowercase().alias("key"), maintain_order=True)
        .agg(kind.first().alias("label"), pl.len().alias("n"))
        .filter(pl.col("key").is_not_null() & (pl.col("key") != ""))
    )
    if not chosen:
        if counts.height <= 1:
            return file, []
        listed = ", ".join(f"{label} {n:,}" for label, n in counts.select("label", "n").rows())
        return file, [Text(f"{texts}_all", {"n": counts.height, "counts": listed})]
    wanted = {c.strip().lower() for c in chosen}
    kept = dataclasses.replace(file, cells=file.cells.filter(key.is_in(wanted)))
    left_out = file.cells.height - kept.cells.height
    if not left_out:
        return kept, []
    left = counts.filter(~pl.col("key").is_in(wanted))
    listed = ", ".join(f"{label} {n:,}" for label, n in left.select("label", "n").rows())
    params = {"n": left_out, "counts": listed or "–", "chosen": ", ".join(chosen)}
    return kept, [Text(f"{texts}_left_out", params)]


#: Words of a stage label that may close a deal (``Won - contract signed``, ``Lost to
#: competitor``, ``Signed``), in the two languages the adapters read
_CLOSING_WORDS = r"\b(?:won|lost|closed?|signed|win|gewonnen|verloren|abgeschlossen)\b"


def closing_stages_read_open(
    file: ExportFile, stage: pl.Expr, status: pl.Expr, *, fields: str
) -> list[Text]:
    """What to say of the deals of ``file`` whose ``stage`` label looks closing but whose
    ``status`` was read as open (a custom stage, ``Won - contract signed``): their won
    amounts would be missing from the revenue, silently. No label is guessed: the notice
    names the stages and the export's ``fields`` that say won and closed whatever the label.

    >>> f = ExportFile(Path("deals.csv"), pl.DataFrame({"stage": ["Won - signed", "Demo",
    ...     "Won - signed", "Closed Won"], "_line": [2, 3, 4, 5]}), ["stage"], [], ",",
    ...     "utf-8", "")
    >>> status = pl.when(pl.col("stage") == "Closed Won").then(pl.lit("won")).otherwise(
    ...     pl.lit("open"))
    >>> said = closing_stages_read_open(f, pl.col("stage"), status, fields="IsWon, IsClosed")
    >>> said[0].params
    {'stages': 'Won - signed 2', 'fields': 'IsWon, IsClosed'}
    """
    label = stage.str.strip_chars()
    unread = file.cells.filter(
        (status == "open") & label.str.to_lowercase().str.contains(_CLOSING_WORDS)
    )
    if not unread.height:
        return []
    counts = unread.group_by(label.alias("stage"), maintain_order=True).len()
    listed = ", ".join(f"{name} {n:,}" for name, n in counts.rows())
    return [Text("import.deal_stages_open", {"stages": listed, "fields": fields})]


def check_chosen_deals(
    deals: Sequence[tuple[ExportFile, str | None]], chosen: tuple[str, ...], *, texts: str
) -> None:
    """Refuse kinds ``chosen`` (:func:`chosen_deals`) that no deal of the export is of,
    naming the export's: a typo would leave out every deal of that pipeline or type.
    ``deals``: each deals file of the export with its column of kinds (None: it has none).

    >>> f = ExportFile(Path("deals.csv"), pl.DataFrame({"pipeline": ["Sales"], "_line": [2]}),
    ...     ["pipeline"], [], ",", "utf-8", "")
    >>> try:
    ...     check_chosen_deals([(f, "pipeline")], ("Renewal",), texts="import.pipelines")
    ... except ImportFailed as exc:
    ...     print(exc)
    --pipeline Renewal: no deal of the export is in this pipeline; its pipelines: Sales
    """
    if not chosen:
        return
    if not deals:
        raise ImportFailed(str(Text(f"{texts}_no_deals")))
    found: dict[str, str] = {}
    for file, column in deals:
        if column is not None:
            labels = file.cells[column].drop_nulls().str.strip_chars()
            for label in labels.filter(labels != "").unique(maintain_order=True):
                found.setdefault(label.lower(), label)
    unknown = [c for c in chosen if c.strip().lower() not in found]
    if unknown and found:
        params = {"chosen": ", ".join(unknown), "found": ", ".join(found.values())}
        raise ImportFailed(str(Text(f"{texts}_unknown", params)))
