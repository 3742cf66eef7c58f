"""Bring your own data: CRM and spreadsheet exports translated into the canonical format.

Each adapter reads an export (a folder or a file; a ``.zip`` of them is read as the
folder of its files, :mod:`analytics.warehouse.archive`) into an
:class:`~analytics.warehouse.adapters.common.Export` of canonical batches; it never
writes the warehouse. :func:`import_export` loads those batches with
:func:`~analytics.warehouse.loader.load_batches`: the same validation, quarantine,
idempotency and atomic swap as the canonical import. docs/import-formats.md
describes every format.

>>> sorted(ADAPTERS) == sorted(FORMATS)
True
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import polars as pl

from analytics.config import SlaConfig
from analytics.warehouse.adapters.common import DEFAULT_OPTIONS, CsvOptions, Export, Salt
from analytics.warehouse.archive import expanded
from analytics.warehouse.loader import (
    ImportFailed,
    ImportResult,
    NamedPath,
    Progress,
    TableBatch,
    TableFile,
    load_batches,
    stored_name,
)

Format = Literal["canonical", "hubspot", "salesforce", "olist", "xeducation"]
FORMATS: tuple[str, ...] = ("canonical", "hubspot", "salesforce", "olist", "xeducation")

#: The formats whose readers read dates in ``--date-format`` first (the mapping does too,
#: and tells its batches itself); Olist's dates have a layout of their own.
DATE_FORMAT_READERS = frozenset({"canonical", "hubspot", "salesforce"})

#: format -> (module, reader function). Readers take ``(path, *, options, salt)``.
ADAPTERS: dict[str, tuple[str, str]] = {
    "canonical": ("analytics.warehouse.adapters.canonical", "read_canonical"),
    "hubspot": ("analytics.warehouse.adapters.hubspot", "read_hubspot"),
    "salesforce": ("analytics.warehouse.adapters.salesforce", "read_salesforce"),
    "olist": ("analytics.warehouse.adapters.olist", "read_olist"),
    "xeducation": ("analytics.warehouse.adapters.xeducation", "read_xeducation"),
}


def reader(fmt: str) -> Callable[..., Any]:
    """The reader function of a format.

    Raises
    ------
    ImportFailed
        The format is not known (the message lists the known ones).
    """
    if fmt not in ADAPTERS:
        raise ImportFailed(f"--format {fmt!r} is not known; allowed: {', '.join(FORMATS)}")
    module, name = ADAPTERS[fmt]
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        raise ImportFailed(f"--format {fmt!r} is not available in this installation") from None


def read_export(
    path: str | Path | NamedPath,
    *,
    fmt: Format = "canonical",
    mapping: str | Path | NamedPath | None = None,
    options: CsvOptions = DEFAULT_OPTIONS,
    salt: Salt = None,
    warehouse: str | Path | None = None,
) -> Export:
    """Translate an export into canonical batches (nothing is written).

    Parameters
    ----------
    path
        The export: a folder of files or one file.
    fmt
        One of :data:`FORMATS`; ignored when ``mapping`` is given.
    mapping
        A TOML mapping file (see :mod:`analytics.warehouse.adapters.mapping`) for any CSV.
    options
        Delimiter, encoding, decimal comma, date format and time zone (None = detect).
    salt
        Salt of the hashes that replace personal identifiers a join needs (a string,
        or a callable that makes it only when a hash is needed).
    warehouse
        The warehouse the export refreshes: what earlier loads recorded and this part of
        the export does not say (Salesforce's converted contacts without Lead.csv:
        :func:`~analytics.warehouse.adapters.salesforce.stored_conversions`).
    """
    path = Path(path)
    if mapping is not None:
        from analytics.warehouse.adapters.mapping import read_mapped

        def read(path: Path, **kwargs: Any) -> Export:
            return read_mapped(path, mapping=Path(mapping), **kwargs)

        what = f"CSV as {Path(mapping).name} describes it"
    else:
        read, what = reader(fmt), f"{fmt} export"
    known: dict[str, Any] = {}
    if warehouse is not None and mapping is None and fmt == "salesforce":
        from analytics.warehouse.adapters.salesforce import stored_conversions

        known["conversions"] = lambda: stored_conversions(warehouse)
    try:
        result = read(path, options=options, salt=salt, **known)
    except pl.exceptions.PolarsError as exc:
        # a file shaped so oddly that a translation step fails: still one clear message
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ImportFailed(f"{path}: cannot be read as a {what} ({first})") from None
    if not isinstance(result, Export):
        # an adapter may return (batches, unreadable) like canonical_batches does
        batches, unreadable = result[0], result[1]
        dropped = result[2] if len(result) > 2 else {}
        result = Export(list(batches), list(unreadable), dict(dropped))
    if options.date_format and mapping is None and fmt in DATE_FORMAT_READERS:
        # --date-format: a date that is no such day, or in no such layout, is told so
        result.batches = [
            dataclasses.replace(b, date_format=options.date_format)
            if isinstance(b, TableBatch) and b.date_format is None
            else b
            for b in result.batches
        ]
    return result


def _name_batches(export: Export, shown: Callable[[str], str]) -> None:
    """Record ``export``'s batches and unreadable rows under the names ``shown`` gives
    (see :class:`~analytics.warehouse.loader.NamedPath`)."""
    export.batches = [
        dataclasses.replace(b, label=shown(b.source_file))
        if isinstance(b, TableFile)
        else dataclasses.replace(b, source_file=shown(b.source_file))
        for b in export.batches
    ]
    export.unreadable = [{**r, "file": shown(r["file"])} for r in export.unreadable]


def _in_memory(export: Export) -> None:
    """Read ``export``'s canonical table files into memory (an archive's scratch folder
    is gone once its preview is made): each a batch of its cells, its unreadable rows
    with the others."""
    batches: list[Any] = []
    for b in export.batches:
        if not isinstance(b, TableFile):
            batches.append(b)
            continue
        read = b.read_whole()
        export.unreadable += [p for _, problems in read for p in problems]
        cells = pl.concat([c for c, _ in read], how="diagonal_relaxed")
        batches.append(TableBatch(b.table, b.source_file, b.file_sha256, cells))
    export.batches = batches


def preview_export(
    path: str | Path | NamedPath,
    *,
    fmt: Format = "canonical",
    mapping: str | Path | NamedPath | None = None,
    options: CsvOptions = DEFAULT_OPTIONS,
    salt: Salt = "preview",
) -> Export:
    """What an import of an export would store, before anything is written: the batches of
    :func:`read_export` with their cells passed through
    :func:`analytics.warehouse.privacy.scrub`, as the import passes every chunk, so that a
    preview shows no personal data the warehouse would not hold (personal columns
    dropped, e-mail addresses, phone numbers and IBANs in kept text and in ``_extra``
    masked, ids that are one hashed).

    Parameters
    ----------
    path, fmt, mapping, options
        As for :func:`read_export`.
    salt
        Salt of the hashes that replace personal ids (the warehouse's own salt hashes them
        at the import: a preview's hashes are not the stored ones).

    Returns
    -------
    Export
        As :func:`read_export`, its in-memory batches scrubbed, ``dropped_columns`` with
        what the scrub dropped too and ``masked_columns`` (source file -> columns in which
        something was masked), both keyed by file name as the import reports them. A
        canonical table file is read only when it loads: it is listed as it is.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "leads.csv").write_text("lead_id;created_at;source;Bemerkung\\n"
    ...                                  "7;05.10.2026 09:12;email;Ruf an: 0171 7731 9942\\n")
    >>> e = preview_export(d / "leads.csv")
    >>> e.batches[0].cells["_extra"].item(), e.masked_columns
    ('{"bemerkung":"Ruf an: [phone]"}', {'leads.csv': ['bemerkung']})
    """
    from analytics.warehouse.privacy import ScrubReport, scrub

    with expanded(path) as read:  # a .zip: its files, named in it and read now
        archive = read if isinstance(read, NamedPath) and read is not path else None
        try:
            export = read_export(read, fmt=fmt, mapping=mapping, options=options, salt=salt)
        except ImportFailed as exc:
            if archive is None:
                raise
            raise ImportFailed(archive.shown(str(exc))) from None
        if archive is not None:
            _in_memory(export)
            _name_batches(export, archive.shown)
    reports: dict[str, ScrubReport] = {}
    batches: list[Any] = []
    for b in export.batches:
        if not isinstance(b, TableBatch):
            batches.append(b)
            continue
        name = Path(stored_name(b.source_file).split("#", 1)[0]).name
        report = reports.setdefault(name, ScrubReport())
        batches.append(
            dataclasses.replace(b, cells=scrub(b.table, b.cells, salt=salt, report=report))
        )
    export.batches = batches
    # keyed by file name, as the import reports them (import_export)
    named: dict[str, list[str]] = {}
    for k, v in export.dropped_columns.items():
        columns = named.setdefault(Path(stored_name(k)).name, [])
        columns += [c for c in v if c not in columns]
    export.dropped_columns = named
    for name, report in reports.items():
        dropped = export.dropped_columns.setdefault(name, [])
        dropped += [c for c in report.dropped if c not in dropped]
        if report.masked:
            export.masked_columns[name] = list(report.masked)
    export.dropped_columns = {k: v for k, v in export.dropped_columns.items() if v}
    return export


def format_name(fmt: str, mapping: str | Path | NamedPath | None = None) -> str:
    """The format a load records (``meta.loads.format``): the adapter's name, or
    ``mapping:`` and the mapping file's name (as its user knows it, masked as every
    recorded file name is); two mappings of one CRM under other names are two formats.

    >>> format_name("hubspot"), format_name("canonical", Path("in/kontakte.toml"))
    ('hubspot', 'mapping:kontakte.toml')
    """
    if mapping is None:
        return fmt
    return "mapping:" + stored_name(Path(str(mapping)).name)


def import_export(
    db_path: str | Path,
    path: str | Path | NamedPath,
    *,
    fmt: Format = "canonical",
    mapping: str | Path | NamedPath | None = None,
    options: CsvOptions = DEFAULT_OPTIONS,
    config: SlaConfig | None = None,
    progress: Progress | None = None,
    replace: bool = False,
) -> ImportResult:
    """Read an export with its adapter and load it into the warehouse.

    ``replace``: the export is a full snapshot; per table it holds, core rows whose key
    it lacks are removed (default: upsert by key). ``path`` and ``mapping`` may be a
    :class:`~analytics.warehouse.loader.NamedPath` (the app's uploads): the quarantine,
    the load log, the raw layer, the result and the messages then name the files as
    their user knows them, never the scratch folder they were saved in.

    Returns
    -------
    ImportResult
        As :func:`~analytics.warehouse.loader.import_canonical`, with ``dropped_columns``
        (source file -> personal columns not loaded) and ``masked_columns`` (source file
        -> columns whose e-mails, phone numbers or IBANs were masked).

    Raises
    ------
    ImportFailed
        Unknown format, missing file, missing columns: nothing was loaded.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "leads.csv").write_text("lead_id;created_at;source;E-Mail\\n"
    ...                                  "7;05.10.2026 09:12;email;a@b.de\\n")
    >>> r = import_export(d / "w.duckdb", d / "leads.csv")
    >>> r.loaded, r.dropped_columns
    ({'leads': 1}, {'leads.csv': ['e-mail']})
    """
    from analytics.warehouse.privacy import hash_salt

    def salt() -> str:
        return hash_salt(db_path, salt_file=config.privacy.salt_file if config else None)

    # a .zip: the folder of its files, named in it (a stage folder of the warehouse)
    with expanded(path, beside=db_path) as path:
        named = [p for p in (mapping, path) if isinstance(p, NamedPath)]

        def shown(text: str) -> str:
            for p in named:
                text = p.shown(text)
            return text

        def by_file(told: dict[str, Any]) -> dict[str, Any]:
            """Per file, in the folder's order, as the user knows it (an upload: by its
            name)."""
            return {stored_name(shown(k)): v for k, v in sorted(told.items())}

        try:
            export = read_export(
                path, fmt=fmt, mapping=mapping, options=options, salt=salt, warehouse=db_path
            )
            if not export.batches:
                raise ImportFailed(f"{path}: nothing to import")
            if named:  # recorded under the names the user knows (see NamedPath)
                _name_batches(export, shown)
            result = load_batches(
                db_path,
                export.batches,
                config=config,
                unreadable=export.unreadable,
                progress=progress,
                salt=salt,
                replace=replace,
                fmt=format_name(fmt, mapping),
                notices=by_file(export.notices),
            )
        except ImportFailed as exc:
            if not named:
                raise
            raise ImportFailed(shown(str(exc))) from None
    # keyed by file name as the load reports it (masked: loader.stored_name)
    dropped = {Path(stored_name(k)).name: list(v) for k, v in export.dropped_columns.items() if v}
    for name, columns in result.dropped_columns.items():  # what the load's scrub dropped
        dropped.setdefault(name, [])
        dropped[name] += [c for c in columns if c not in dropped[name]]
    result.dropped_columns = dropped
    result.undated = by_file(export.undated)
    result.no_mql_dates = by_file(export.no_mql_dates)
    result.german_headers = list(by_file(dict.fromkeys(export.german_headers)))
    result.no_source = by_file(export.no_source)
    result.skipped_files = by_file(export.skipped_files)
    result.deleted_rows = by_file(export.deleted_rows)
    return result


__all__ = [
    "ADAPTERS",
    "FORMATS",
    "CsvOptions",
    "Export",
    "Format",
    "ImportFailed",
    "format_name",
    "import_export",
    "preview_export",
    "read_export",
    "reader",
]
