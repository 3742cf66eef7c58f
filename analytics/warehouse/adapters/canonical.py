"""The canonical format, also as a German office spreadsheet program saves it.

A plain folder (UTF-8, comma, ISO dates) is read exactly as
:func:`~analytics.warehouse.loader.canonical_batches` reads it: the strict contract,
in chunks of rows while it loads.
When a file is detected as an office export (``;`` delimiter, Windows-1252 bytes) or
any :class:`CsvOptions` is set, that file is read leniently: ``dd.mm.yyyy[ hh:mm]``
dates, decimal commas, ``ja``/``nein`` booleans, and extra columns that hold personal
data (names, e-mail addresses, phone numbers) are dropped, not kept in the raw layer.
"""

from __future__ import annotations

from pathlib import Path

from analytics.schema import LOAD_ORDER, TABLES
from analytics.texts import Text
from analytics.warehouse.adapters.common import (
    DEFAULT_OPTIONS,
    CsvOptions,
    Export,
    ExportFile,
    canonical_text,
    is_personal,
    left_out,
    read_export_file,
    require_columns,
)
from analytics.warehouse.loader import (
    TableBatch,
    canonical_batches,
    table_files,
    with_extra,
)


def _plain(path: Path) -> bool:
    """A UTF-8, comma-delimited file (the strict canonical reader applies)."""
    with open(path, "rb") as fh:
        head = fh.read(65536)  # not the whole file: canonical files may be gigabytes
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a multi-byte char cut at the 64 KiB edge
            return False
        text = head[: exc.start].decode("utf-8-sig")
    first = text.split("\n", 1)[0]
    return all(first.count(",") >= first.count(other) for other in (";", "\t", "|"))


def lenient_batch(
    table: str, file: ExportFile, options: CsvOptions
) -> tuple[TableBatch, list[str]]:
    """One office-exported canonical table file as a batch; returns it and the dropped columns."""
    known = TABLES[table].column_names
    dropped = [c for c in file.cells.columns if c not in known and is_personal(c)]
    cells = file.cells.drop(dropped)
    required = [c.name for c in TABLES[table].columns if c.required]
    require_columns(file, required, f"canonical {table}")
    cells = canonical_text(table, cells, options, decimal_comma=file.decimal_comma(options))
    return TableBatch(table, file.label, file.sha256, with_extra(table, cells)), dropped


def read_canonical(
    path: str | Path, *, options: CsvOptions = DEFAULT_OPTIONS, **_: object
) -> Export:
    """Read a canonical folder (or one ``<table>.csv|.parquet|.xlsx``), strictly or as an
    office export.

    Parameters
    ----------
    path
        The folder or file.
    options
        With every field at its default, plain files are read strictly and office
        files (``;``, Windows-1252) and Excel workbooks leniently; any option set makes
        every CSV lenient.

    Returns
    -------
    Export
        One batch per table file; the dropped personal columns per file; the folder's
        other files in ``skipped_files``.
    """
    path = Path(path)
    tables = table_files(path)  # regular files only: refused before a byte is read
    # the folder's other files are left out, and said so
    reads = Text("skip.canonical", {"reads": [f"{t}.csv" for t in LOAD_ORDER]})
    skipped = left_out(path, tables.values(), reads)
    forced = options != CsvOptions()
    strict = [
        f
        for f in tables.values()
        if f.suffix.lower() == ".parquet"
        or (f.suffix.lower() == ".csv" and not forced and _plain(f))
    ]
    if len(strict) == len(tables):
        batches, unreadable = canonical_batches(path)
        return Export(batches, unreadable, skipped_files=skipped)
    export = Export()
    for table in LOAD_ORDER:
        file = tables.get(table)
        if file is None:
            continue
        if file in strict:
            batches, unreadable = canonical_batches(file)
            export.batches += batches
            export.unreadable += unreadable
            continue
        read = read_export_file(file, options)
        one, dropped = lenient_batch(table, read, options)
        export.batches.append(one)
        export.unreadable += [{**p, "table": table} for p in read.unreadable]
        if dropped:
            export.dropped_columns[read.label] = dropped
    if not export.batches:
        return Export(*canonical_batches(path))  # raises the canonical "no table file" message
    export.skipped_files = skipped
    return export
