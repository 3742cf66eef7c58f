"""Loading tables into the warehouse: canonical folders and adapter output alike.

A load is a list of batches, one per file and table: a :class:`TableFile` (a canonical
file, read in chunks of rows while it loads) or a :class:`TableBatch` (text cells an
adapter has already read, with line numbers). :func:`load_batches` validates each
chunk, quarantines broken rows, appends new files to ``raw``, and merges the good rows
into ``core`` by key, all in one transaction on a copy that is swapped in at the end
(:func:`analytics.warehouse.database.updating`). Memory stays bounded by the chunk size,
not the file: a file's rows wait in Parquet files beside the warehouse until the whole
file is read, then a key seen on an earlier line is rejected and the file is merged at
once. :func:`import_canonical` reads a canonical folder (spec/canonical-format.md).
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
import os
import re
import stat
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import polars as pl

from analytics.config import SlaConfig
from analytics.schema import LOAD_ORDER, TABLES
from analytics.texts import day, moment, render
from analytics.warehouse import privacy
from analytics.warehouse.config_history import record_config_version, recording_conflict
from analytics.warehouse.coverage_store import record_coverage
from analytics.warehouse.database import commit_step, updating
from analytics.warehouse.facts import latest_timestamp
from analytics.warehouse.privacy_rules import record_rules
from analytics.warehouse.removals import (
    removal_key_sql,
    removal_keys,
    remove_dependents,
    remove_rows,
)
from analytics.warehouse.validate import (
    REJECTION_SCHEMA,
    KeySet,
    excel_serials,
    in_layout,
    is_cascade,
    slashed_dates,
    split_duplicates,
    validate_rows,
)
from analytics.warehouse.versions import record_history, rejected_sighting, typed_sightings

Progress = Callable[[str, float], None]
Chunk = tuple[pl.DataFrame, list[dict[str, Any]]]

#: Rows validated and written at a time: memory grows with it, not with the file.
CHUNK_ROWS = 250_000
#: DuckDB's share during an import: beyond it, it drops cached blocks and spills joins
#: and aggregations to disk (its default, 80 % of RAM, would keep every block written).
DUCKDB_MEMORY_LIMIT = "1GB"


#: What an import did to the core rows of a table, in the order reported.
CHANGE_KINDS = ("added", "changed", "unchanged", "removed")
LOADS_COLUMNS = (
    "load_id, table_name, source_file, file_sha256, rows_read, rows_loaded, rows_rejected, "
    "loaded_at, rows_added, rows_changed, rows_unchanged, rows_removed, replaced, format, "
    "scopes"
)


class ImportFailed(Exception):
    """Nothing was loaded: the message names the file and what is wrong with it."""


#: Lines of a root cause named beside it (the first ones of the file).
FIRST_LINES = 5


@dataclass(frozen=True)
class NamedPath(os.PathLike):
    """A file or folder to import, recorded under the name its user knows, not its location.

    The app saves uploaded files in a scratch folder that is removed after the import: the
    quarantine, the load log, the raw layer and every message name them as uploaded
    instead. ``name`` names ``path`` itself (a file, or a folder in a message such as
    "nothing to import"); a file inside a folder is named by its path in it
    (``leads.csv``). ``str()`` gives the name, ``os.fspath()`` the location, so a plain
    path (``sla import DIR``) keeps being shown as given.

    >>> upload = NamedPath(Path("/tmp/sla-upload-x"), "leads.csv, reps.csv")
    >>> upload.shown("/tmp/sla-upload-x/leads.csv:3"), upload.shown("/tmp/sla-upload-x: empty")
    ('leads.csv:3', 'leads.csv, reps.csv: empty')
    >>> str(upload), os.fspath(upload)
    ('leads.csv, reps.csv', '/tmp/sla-upload-x')

    ``prefix`` goes before the path of a file in the folder (an archive's files are named
    in it: ``export.zip/Lead.csv``).

    >>> NamedPath(Path("/tmp/x"), "export.zip", "export.zip/").shown("/tmp/x/Lead.csv:3")
    'export.zip/Lead.csv:3'
    """

    path: Path
    name: str
    prefix: str = ""

    def __fspath__(self) -> str:
        return str(self.path)

    def __str__(self) -> str:
        return self.name

    def shown(self, text: str) -> str:
        """``text`` (a source file, a message) with the location replaced by the names."""
        root = str(self.path)
        return text.replace(root + os.sep, self.prefix).replace(root, self.name)


@dataclass(frozen=True)
class EventScope:
    """The lifecycle events a batch holds every one of, for the leads of its file.

    An export that keeps one date per stage and lead (HubSpot's "Became a ... Date")
    says, for each of its leads, which of ``stages`` it reached and when: a refresh that
    moves such a date replaces the stored event, and one that clears it removes it (a
    corrected MQL date was a second MQL). Only the events of ``trigger`` are the export's;
    a lead the import rejected, or whose event could not be read, keeps its events.
    A stored event of one of the stages with a trigger in ``yields_to`` (another file
    of the export dates it better: Salesforce's LeadHistory and Opportunity beside the
    Lead's ConvertedDate) stands: the batch's event of that lead and stage is not added.

    A scope without ``stages`` and without ``leads`` is that of a file kind the export
    lacks (:attr:`TableBatch.unsaid`): its ``trigger``'s events, of every lead the
    warehouse keeps, are said nothing of (of sales touches, ``trigger`` is the channel
    of that kind's touches: HubSpot's e-mails). Such a scope may say which rows more
    narrowly or more widely, in the tables no column tells the kinds apart:

    - ``prefix``: only the rows of leads whose id starts with it. Salesforce's key prefix
      (the first three characters of every record id, the same in every org) tells
      Lead.csv's leads (``00Q``) from Contact.csv's (``003``), in ``leads`` and in the
      events each of them dates (both date ``created``);
    - ``trigger`` None: rows of any kind. The reps an export names by owner are no list
      of the reps: a scope of reps with ``trigger`` and ``leads`` None keeps every stored
      rep, one with ``leads`` (there: rep ids, the ids of a full users export such as
      Salesforce's User.csv) keeps the reps it lists.
    """

    #: the file's leads; None: every lead the warehouse keeps (a file kind it lacks; of
    #: a table without leads, its every row); of reps: the reps' ids
    leads: pl.Series | None
    stages: frozenset[str]
    #: the file's trigger (sales touches: channel); None: any (a file kind's scope only)
    trigger: str | None
    yields_to: frozenset[str] = frozenset()
    #: a file kind's scope: only the rows of leads whose id starts with it (None: any)
    prefix: str | None = None

    def says_nothing_of(self, table: str) -> bool:
        """Whether the scope keeps every stored row of ``table`` from a replace: the reps an
        export names by owner say nothing of the reps they do not name.

        >>> EventScope(None, frozenset(), None).says_nothing_of("reps")
        True
        >>> EventScope(None, frozenset(), "status_change").says_nothing_of("lifecycle_events")
        False
        """
        return (
            self.leads is None
            and self.trigger is None
            and self.prefix is None
            and not self.stages
            and not _refers_to_leads(table)
        )

    def events_sql(self) -> str:
        """SQL: an event of this scope's stages and trigger (the trigger as parameter ``?``).

        >>> EventScope(pl.Series([], dtype=pl.String), frozenset({"sql", "mql"}), "x").events_sql()
        "stage IN ('mql', 'sql') AND trigger = ?"
        """
        return "stage IN (" + ", ".join(f"'{s}'" for s in sorted(self.stages)) + ") AND trigger = ?"


@dataclass(frozen=True)
class TableBatch:
    """The text cells of one file for one canonical table, already in memory (adapters).

    ``cells`` has one row per data row: text columns named as the canonical columns,
    ``_line`` (the row's line in ``source_file``) and optionally ``_extra`` (JSON text
    of the columns the canonical format does not know).
    """

    table: str
    source_file: str
    file_sha256: str
    cells: pl.DataFrame
    #: Canonical columns the export did not have, filled with a default for new rows (a
    #: HubSpot export without its source column: "other"): rows already stored keep theirs.
    defaulted: frozenset[str] = frozenset()
    #: Lifecycle events: the events of its leads the batch holds all of (None: it adds).
    scope: EventScope | None = None
    #: Lifecycle events: triggers whose stored event of a lead and stage this batch's event
    #: of that lead and stage replaces (Salesforce's LeadHistory dates better than a
    #: ConvertedDate an earlier load's Lead.csv gave: no second SQL).
    supersedes: frozenset[str] = frozenset()
    #: The layout its dates and timestamps were read in, when its user declared one (a
    #: mapping's ``[csv] date_format``, ``--date-format``): a cell that is no such date is
    #: quarantined naming it (:func:`~analytics.warehouse.validate.layout_reason`).
    date_format: str | None = None
    #: Canonical column -> the export's column it was read from, as the file's header
    #: writes it (``created_at`` -> ``Create Date``): a rejected cell is named by it too.
    #: A column whose source differs by row has it per row in ``_from_<column>`` cells.
    source_columns: Mapping[str, str] = field(default_factory=dict)
    #: Lifecycle events and sales touches: the scopes (no stages, leads None) of the
    #: export's file kinds the import lacks, by the trigger (channel) of their rows (a
    #: Salesforce folder without LeadHistory.csv: its status changes; a HubSpot one without
    #: emails.csv: its e-mails): ``--replace`` keeps their stored rows, as it keeps the
    #: events of a stage the file has no column for (:func:`_unsaid_sql`). So the leads of
    #: a kind it lacks (Salesforce's Contact.csv: by the id's prefix) and the reps its
    #: owners do not name (every rep, or those a full users export lists). One batch of
    #: the export's table carries them.
    unsaid: tuple[EventScope, ...] = ()

    def chunks(self, rows: int, *, exact: bool = False) -> Iterator[Chunk]:
        """The cells in slices of ``rows`` rows, each with no unreadable rows."""
        for offset in range(0, self.cells.height, rows):
            yield self.cells.slice(offset, rows), []

    def estimated_rows(self) -> int:
        return self.cells.height


@dataclass
class ImportResult:
    """What a load did: rows loaded per table, rows rejected with file, line, column, reason.

    ``placeholder_reps``: rep ids referenced but not in a reps file, created without a
    name. ``unchecked_accounts``: rows loaded with an account id that nothing could check
    (no accounts in the warehouse nor in the import). ``other_values``: unknown values of
    descriptive enums loaded as ``other``, one entry per value with its count and the
    ``[enums]`` config line that would accept it. ``after_import``: rows dated after the
    import's time, per file and column (a mistyped year: loaded, but nothing after the
    import is the data's latest moment, :func:`analytics.warehouse.facts.latest_timestamp`).
    """

    loaded: dict[str, int] = field(default_factory=dict)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    unchanged_files: list[str] = field(default_factory=list)
    #: files that hold no row (a header only: an export with a filter left on, an empty
    #: month): nothing was loaded from them, and they are not "already loaded"
    empty_files: list[str] = field(default_factory=list)
    dropped_columns: dict[str, list[str]] = field(default_factory=dict)
    #: file name -> columns in which e-mails, phone numbers or IBANs were masked
    masked_columns: dict[str, list[str]] = field(default_factory=dict)
    placeholder_reps: int = 0
    unchecked_accounts: int = 0
    other_values: list[dict[str, Any]] = field(default_factory=list)
    #: table -> core rows added, changed, unchanged, removed (:data:`CHANGE_KINDS`)
    changes: dict[str, dict[str, int]] = field(default_factory=dict)
    #: source file name -> the day its rows were dated: the file has no dates
    undated: dict[str, str] = field(default_factory=dict)
    #: source file name -> its export's MQL date column, which it lacks: no MQL read
    no_mql_dates: dict[str, str] = field(default_factory=dict)
    #: source file names whose header is in German (an adapter's ``Export.german_headers``)
    german_headers: list[str] = field(default_factory=list)
    #: source file name -> its export's source column, which it lacks: new leads "other"
    no_source: dict[str, str] = field(default_factory=dict)
    #: source file name -> why it was not read (an adapter's ``Export.skipped_files``: a
    #: :class:`~analytics.texts.Text`)
    skipped_files: dict[str, Any] = field(default_factory=dict)
    #: source file name -> rows of records deleted in the CRM, not read (an adapter's
    #: ``Export.deleted_rows``)
    deleted_rows: dict[str, int] = field(default_factory=dict)
    #: source file name -> what the import did with it that a reader of its numbers must
    #: know (an adapter's ``Export.notices``: :class:`~analytics.texts.Text` each)
    notices: dict[str, list[Any]] = field(default_factory=dict)
    #: rows dated after the import (accepted up to a year ahead, but not known as data):
    #: one entry per file and column with ``rows``, the first ``line`` and its ``value``
    after_import: list[dict[str, Any]] = field(default_factory=list)
    #: the import's time (what :attr:`after_import` is after)
    imported_at: datetime | None = None
    #: the load's id in ``meta.loads`` (what ``sla purge --load`` takes out again)
    load_id: int | None = None
    #: the import's format (``meta.loads.format``)
    format: str | None = None
    #: table -> rows a ``--replace`` kept because only imports of other formats loaded
    #: them (a snapshot speaks only for what its own format loaded: :class:`_OwnFormat`)
    kept_for_other_formats: dict[str, int] = field(default_factory=dict)
    #: what bringing the warehouse to today's privacy rules did before the load
    #: (:class:`~analytics.warehouse.rescrub.RescrubResult`; None: it was on them)
    privacy: Any = None
    #: the load changed nothing the stored results are computed from (no row in core or
    #: the quarantine, no new SLA version, the same latest moment): they were kept, and
    #: need no refresh (:mod:`analytics.warehouse.precomputed`)
    results_kept: bool = False

    @property
    def rows_rejected(self) -> int:
        return len({(r["file"], r["line"]) for r in self.rejected})

    def root_causes(self) -> tuple[list[dict[str, Any]], int]:
        """Rejections grouped by file, column and reason, most rows first; and how many
        rows were rejected only because the lead they refer to was rejected.

        Each cause names its first lines (``lines``, at most :data:`FIRST_LINES`) and what
        the first of them held (``value``, masked as the quarantine keeps it)."""
        Key = tuple[str, str | None, str, str | None]
        counts: dict[Key, set[int]] = {}
        first: dict[Key, tuple[int, Any]] = {}
        sourced: set[Key] = set()  # an adapter's rows: the cause names the export's column
        cascaded: set[tuple[str, int]] = set()
        for r in self.rejected:
            if is_cascade(r["reason"]):
                cascaded.add((r["file"], r["line"]))
                continue
            key = (Path(r["file"]).name, r["column"], r["reason"], r.get("source_column"))
            counts.setdefault(key, set()).add(r["line"])
            if "source_column" in r:
                sourced.add(key)
            if r["line"] < first.get(key, (r["line"] + 1,))[0]:
                first[key] = (r["line"], r.get("value"))
        causes = [
            {
                "file": f,
                "column": c,
                **({"source_column": source} if (f, c, reason, source) in sourced else {}),
                "reason": reason,
                "rows": len(lines),
                "lines": sorted(lines)[:FIRST_LINES],
                "value": first[(f, c, reason, source)][1],
            }
            for (f, c, reason, source), lines in counts.items()
        ]
        causes.sort(key=lambda c: (-c["rows"], c["file"], c["column"] or "", c["reason"]))
        return causes, len(cascaded)

    def warnings(self, *, lang: str = "en") -> list[str]:
        """The import's warnings (files not read, files without dates, placeholder reps,
        values loaded as ``other``, rows dated after the import)."""
        out = [
            render("import.skipped", lang=lang, file=name, reason=reason)
            for name, reason in self.skipped_files.items()
        ]
        out += [render("import.no_rows", lang=lang, file=name) for name in self.empty_files]
        out += [
            render("import.deleted_rows", lang=lang, file=name, n=n)
            for name, n in self.deleted_rows.items()
        ]
        out += [
            render("import.notice", lang=lang, file=name, text=text)
            for name, texts in self.notices.items()
            for text in texts
        ]
        out += [
            render(
                "import.no_mql_dates_german"
                if name in self.german_headers
                else "import.no_mql_dates",
                lang=lang,
                file=name,
                column=column,
            )
            for name, column in self.no_mql_dates.items()
        ]
        out += [
            render("import.no_source", lang=lang, file=name, column=column)
            for name, column in self.no_source.items()
        ]
        out += [
            render("import.undated", lang=lang, file=name, day=day(date.fromisoformat(on), lang))
            for name, on in self.undated.items()
        ]
        if self.placeholder_reps:
            out.append(render("import.placeholder_reps", lang=lang, n=self.placeholder_reps))
        if self.unchecked_accounts:
            out.append(render("import.unchecked_accounts", lang=lang, n=self.unchecked_accounts))
        for o in self.other_values:
            out.append(render("import.other_value", lang=lang, **o))
        out += [
            render("import.other_formats", lang=lang, table=table, n=n, fmt=self.format)
            for table, n in self.kept_for_other_formats.items()
        ]
        for a in self.after_import:  # a line number as the file has it (9245, not 9,245)
            at = {**a, "line": str(a["line"]), "imported": moment(self.imported_at, lang),
                  "column": column_text(a)}  # fmt: skip
            out.append(render("import.after_import", lang=lang, **at))
        return out

    def to_json_dict(self) -> dict[str, Any]:
        causes, cascaded = self.root_causes()
        doc: dict[str, Any] = {
            "loaded": self.loaded,
            "rejected": self.rejected,
            "root_causes": causes,
            "rejected_with_their_lead": cascaded,
            "placeholder_reps": self.placeholder_reps,
            "unchecked_accounts": self.unchecked_accounts,
            "other_values": self.other_values,
            "tables": self.changes,
            "skipped_files": [
                {"file": name, "reason": reason.render()}
                for name, reason in self.skipped_files.items()
            ],
        }
        if self.dropped_columns:
            doc["dropped_columns"] = self.dropped_columns
        if self.masked_columns:
            doc["masked_columns"] = self.masked_columns
        if self.unchanged_files:
            doc["unchanged_files"] = self.unchanged_files
        if self.empty_files:
            doc["empty_files"] = self.empty_files
        if self.undated:
            doc["undated_files"] = self.undated
        if self.no_mql_dates:
            doc["no_mql_dates"] = self.no_mql_dates
        if self.no_source:
            doc["no_source"] = self.no_source
        if self.deleted_rows:
            doc["deleted_rows"] = self.deleted_rows
        if self.notices:
            doc["notices"] = {
                name: [text.render() for text in texts] for name, texts in self.notices.items()
            }
        if self.after_import:
            doc["after_import"] = self.after_import
        if self.kept_for_other_formats:
            doc["kept_for_other_formats"] = self.kept_for_other_formats
        if self.privacy is not None and self.privacy.changed:
            doc["privacy_rules"] = self.privacy.to_json_dict()
        return doc


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# -- reading files --------------------------------------------------------------------


class _ReadExactly(Exception):
    """The fast CSV reader cannot number this file's lines: read it the exact way."""


def _normalise_header(names: Iterable[str]) -> list[str]:
    return [n.strip().lstrip("\ufeff").strip().lower() for n in names]


#: The longest cell read: a CRM note with a pasted e-mail thread runs past Python's
#: default of 131,072 characters (the file was refused, or a traceback printed).
MAX_CELL_CHARS = 64 * 1024 * 1024
csv.field_size_limit(MAX_CELL_CHARS)


def csv_records(
    text: str, *, delimiter: str = ",", first_line: int = 1
) -> tuple[list[str] | None, list[tuple[int, list[str]]], list[int]]:
    r"""A CSV's header and records, each with the line it starts on (the header is line 1).

    A stray quote (``"CEO`` never closed, or closed by the quote of a later cell) would make
    one cell of the rows after it. The records are read strictly: a quoted cell that ends
    other than at its delimiter or line end, or not before the file does, is not kept; the
    line it began on is returned among the broken ones and the lines after it are read
    again, so only that line is lost. A line break inside a cell that is quoted properly
    stays in the cell.

    ``first_line``: the file's line number of the text's first line (2 when a line before
    it was taken off, as Excel's ``sep=;``).

    Returns
    -------
    (header, records, broken): the header's cells (None for an empty text); ``(line,
    cells)`` per record, blank ones included; the lines whose quote is not closed.

    Raises
    ------
    csv.Error
        The header cannot be read.

    Examples
    --------
    >>> text = 'id,title\n1,"CEO\n2,CTO\n3,"Head of\nSales, B2B"\n'
    >>> csv_records(text)
    (['id', 'title'], [(3, ['2', 'CTO']), (4, ['3', 'Head of\nSales, B2B'])], [2])
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None)
    if header is None:
        return None, [], []
    # the lines as the csv reader counts them (\r, \n, \r\n; not U+2028 or a form feed)
    lines = io.StringIO(text, newline="").readlines()
    offset, records, broken = reader.line_num, [], []
    while True:
        rest = io.StringIO("".join(lines[offset:]), newline="")
        reader = csv.reader(rest, delimiter=delimiter, strict=True)
        previous_end, restart = 0, None
        try:
            for record in reader:
                records.append((offset + previous_end + 1, record))
                previous_end = reader.line_num
        except csv.Error as exc:  # the record begun after the last one read is broken
            if "NUL" in str(exc) or "field larger" in str(exc):
                raise  # not a quote: the file is refused, naming it
            restart = offset + previous_end + 1
        if restart is None:
            shift = first_line - 1
            return header, [(line + shift, r) for line, r in records], [b + shift for b in broken]
        broken.append(restart)
        offset = restart  # the line after the broken one (``restart`` counts from 1)


def padded(record: list[str], header: Sequence[str]) -> list[str]:
    """``record`` with the empty cells of the header's unnamed trailing columns it lacks:
    a spreadsheet writes ``a;b;c;;;`` under a header ``x;y;z;;;`` on some lines and ``a;b;c``
    on others (every named cell is there; the row was quarantined).

    >>> padded(["a", "b"], ["x", "y", "", ""]), padded(["a"], ["x", "y", ""])
    (['a', 'b', '', ''], ['a'])
    """
    named = max((i + 1 for i, name in enumerate(header) if name.strip()), default=0)
    if named <= len(record) < len(header):
        return record + [""] * (len(header) - len(record))
    return record


def readable_rows(
    records: Iterable[tuple[int, list[str]]],
    broken: Iterable[int],
    raw_header: Sequence[str],
    header: Sequence[str],
    *,
    label: str,
    utf8: bool = False,
) -> tuple[list[list[str]], list[int], list[dict[str, Any]]]:
    """The records of :func:`csv_records` that can stand under ``header``, and why the
    others cannot: a line whose quote is not closed, a row with too few or too many fields
    (one lacking only the empty cells of unnamed trailing columns is :func:`padded`), with
    ``utf8`` a row of bytes that were no UTF-8. Blank rows are skipped.

    Returns
    -------
    (rows, lines, problems): the cells of each row, its line, and one quarantine record
    per row left out (a misaligned row with its ``cells``, kept as
    :func:`analytics.warehouse.privacy.misaligned_row` says, never raw).

    >>> readable_rows([(2, ["a", "b"]), (3, ["", ""]), (4, ["c"])], [5], ["x", "y"],
    ...               ["x", "y"], label="f.csv")[:2]
    ([['a', 'b']], [2])
    """
    rows, lines = [], []
    problems = [unclosed_quote(label, line) for line in broken]
    for start, record in records:
        if not any(cell.strip() for cell in record):
            continue
        record = padded(record, raw_header)
        if len(record) != len(header):
            problems.append(
                {
                    "file": label,
                    "line": start,
                    "column": None,
                    "reason": render("reject.fields", fields=len(record), header=len(header)),
                    "cells": dict(zip(header, record, strict=False)),
                }
            )
            continue
        if utf8 and any("\ufffd" in cell for cell in record):
            problems.append(
                {
                    "file": label,
                    "line": start,
                    "column": None,
                    "reason": render("reject.utf8"),
                    "value": None,
                }
            )
            continue
        rows.append(record)
        lines.append(start)
    return rows, lines, problems


def unclosed_quote(label: str, line: int) -> dict[str, Any]:
    """The quarantine's record of a line whose quote is not closed (its cells not kept)."""
    return {
        "file": label,
        "line": line,
        "column": None,
        "reason": render("reject.unclosed_quote"),
        "value": None,
    }


def _read_csv_exact(path: Path, label: str) -> tuple[pl.DataFrame, list[dict[str, Any]]]:
    """Slow path with exact line numbers: ragged rows, quoted newlines, bad bytes."""
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    try:
        raw_header, records, broken = csv_records(text)
    except csv.Error as exc:  # a NUL byte, a cell past MAX_CELL_CHARS: named, no traceback
        raise ImportFailed(f"{label}: cannot be read as CSV: {exc}") from None
    if raw_header is None:
        return pl.DataFrame(), []
    header = _normalise_header(raw_header)
    rows, lines, problems = readable_rows(
        records, broken, raw_header, header, label=label, utf8=True
    )
    frame = pl.DataFrame(
        {name: [r[i] or None for r in rows] for i, name in enumerate(header)},
        schema={name: pl.String for name in header},
    ).with_columns(pl.Series("_line", lines, dtype=pl.Int64))
    return frame, problems


_FAST_READ_ERRORS = (pl.exceptions.ComputeError, pl.exceptions.NoDataError, UnicodeDecodeError)


def _csv_chunks(path: Path, rows: int) -> Iterator[pl.DataFrame]:
    """A CSV's cells as text, ``rows`` rows at a time, ``_line`` = row number + 1.

    Raises
    ------
    _ReadExactly
        A row polars cannot read (wrong field count, bad bytes) or a cell with a line
        break (rows and lines no longer match): only the exact reader numbers those.
    """
    batches = iter(
        pl.scan_csv(
            path, infer_schema=False, encoding="utf8", raise_if_empty=False
        ).collect_batches(chunk_size=rows)
    )
    line = 2
    checked = False
    while True:
        try:
            frame = next(batches)
        except StopIteration:
            return
        except _FAST_READ_ERRORS:
            raise _ReadExactly from None
        if frame.width == 0:
            return
        if not checked:
            # polars fills a row with too few fields with nulls: the exact reader rejects it
            if _has_short_lines(path, frame.width):
                raise _ReadExactly
            checked = True
        frame.columns = _normalise_header(frame.columns)
        multiline = frame.select(
            pl.any_horizontal(pl.col(pl.String).str.contains("\n", literal=True)).any()
        ).item()
        if multiline:
            raise _ReadExactly
        numbered = frame.with_row_index("_line", offset=line).with_columns(
            pl.col("_line").cast(pl.Int64)
        )
        line += frame.height
        yield _without_blank_rows(numbered)


def _has_short_lines(path: Path, width: int) -> bool:
    """Whether a line of a CSV has fewer commas than its ``width`` columns need.

    Such a line is a row with too few fields (or part of a cell with a line break);
    blank lines and lines of commas only are not counted (both readers skip them).
    """
    if width < 2:
        return False
    try:
        lines = pl.col("line")
        return bool(
            pl.scan_lines(path)
            .slice(1)
            .select(
                (
                    (lines.str.count_matches(",", literal=True) < width - 1)
                    & lines.str.contains(r"[^,\s]")
                ).any()
            )
            .collect()
            .item()
        )
    except (*_FAST_READ_ERRORS, pl.exceptions.PolarsError):
        return True


def _without_blank_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """Drop the rows whose every cell is empty or blank, as the exact reader skips them."""
    cells = [c for c in frame.columns if c != "_line"]
    if not cells:
        return frame
    first = pl.col(cells[0])
    maybe = frame.filter(first.is_null() | (first.str.strip_chars() == ""))
    if not maybe.height:
        return frame
    blank = maybe.filter(
        pl.all_horizontal(pl.col(c).is_null() | (pl.col(c).str.strip_chars() == "") for c in cells)
    )
    if not blank.height:
        return frame
    return frame.filter(~pl.col("_line").is_in(blank["_line"].implode()))


def _parquet_chunks(path: Path, rows: int) -> Iterator[pl.DataFrame]:
    """A Parquet file's cells as ISO text, ``_line`` = the 1-based row number."""
    line = 1
    for frame in pl.scan_parquet(path).collect_batches(chunk_size=rows):
        frame.columns = _normalise_header(frame.columns)
        exprs = []
        for name, dtype in frame.schema.items():
            col = pl.col(name)
            if isinstance(dtype, pl.Datetime):
                fmt = "%Y-%m-%dT%H:%M:%S%.f%z" if dtype.time_zone else "%Y-%m-%dT%H:%M:%S%.f"
                exprs.append(col.dt.to_string(fmt).alias(name))
            elif dtype == pl.Date:
                exprs.append(col.dt.to_string("%Y-%m-%d").alias(name))
            else:
                exprs.append(col.cast(pl.String).alias(name))
        yield (
            frame.select(exprs)
            .with_row_index("_line", offset=line)
            .with_columns(pl.col("_line").cast(pl.Int64))
        )
        line += frame.height


def with_extra(table: str, cells: pl.DataFrame) -> pl.DataFrame:
    """Fold the columns the canonical table does not know into ``_extra`` (JSON text)."""
    known = set(TABLES[table].column_names) | {"_line", "_extra"}
    extra = [c for c in cells.columns if c not in known]
    if not extra:
        return cells
    return cells.with_columns(pl.struct(extra).struct.json_encode().alias("_extra")).drop(extra)


@dataclass(frozen=True)
class TableFile:
    """A canonical table file (``.csv`` or ``.parquet``), read in chunks while it loads.

    CSV files are read by polars, whose row numbers are the file's lines; a file with a
    row polars cannot read or a cell with a line break is read whole by the exact
    (slow) reader instead, which quarantines unreadable rows with their lines.
    """

    table: str
    path: Path
    file_sha256: str
    #: read the exact way from the start (the fast reader failed on the header)
    exact: bool = False
    #: the name recorded and shown for the file (default: its path; see :class:`NamedPath`)
    label: str | None = None

    @property
    def source_file(self) -> str:
        return str(self.path) if self.label is None else self.label

    def chunks(self, rows: int, *, exact: bool = False) -> Iterator[Chunk]:
        """Cells (canonical columns, ``_line``, ``_extra``) and unreadable rows, by chunk.

        Raises
        ------
        _ReadExactly
            Only when ``exact`` is False: start again with ``exact=True``.
        """
        try:
            if self.path.suffix.lower() == ".parquet":
                for frame in _parquet_chunks(self.path, rows):
                    yield with_extra(self.table, frame), []
            elif not (exact or self.exact):
                for frame in _csv_chunks(self.path, rows):
                    yield with_extra(self.table, frame), []
            else:
                cells, problems = _read_csv_exact(self.path, self.source_file)
                cells = with_extra(self.table, cells)
                problems = [{**p, "table": self.table} for p in problems]
                for offset in range(0, max(cells.height, 1), rows):
                    yield cells.slice(offset, rows), problems if offset == 0 else []
        except (OSError, pl.exceptions.PolarsError) as exc:
            raise ImportFailed(f"{self.source_file}: cannot be read: {exc}") from None

    def read_whole(self, rows: int = CHUNK_ROWS) -> list[Chunk]:
        """Every chunk of :meth:`chunks`, read the exact way when the fast reader cannot
        (as a load reads it): for a file whose folder goes before the load."""
        try:
            return list(self.chunks(rows))
        except _ReadExactly:
            return list(self.chunks(rows, exact=True))

    def estimated_rows(self) -> int:
        """About how many rows the file has (for progress only)."""
        if self.path.suffix.lower() == ".parquet":
            return pl.scan_parquet(self.path).select(pl.len()).collect().item()
        size = self.path.stat().st_size
        with open(self.path, "rb") as fh:
            head = fh.read(1 << 20)
        return max(1, round(size * head.count(b"\n") / max(len(head), 1)) - 1)


def _header(file: Path, label: str) -> tuple[list[str], bool]:
    """The normalised column names of a table file; True when only the exact reader can.

    Raises
    ------
    ImportFailed
        Two columns have the same name.
    """
    if file.suffix.lower() == ".parquet":
        return _normalise_header(pl.read_parquet_schema(file)), False
    check_header_names(_first_record(file), label)
    try:
        head = pl.read_csv(file, n_rows=0, infer_schema=False, raise_if_empty=False)
    except _FAST_READ_ERRORS:
        return _read_csv_exact(file, label)[0].columns, True
    return _normalise_header(head.columns), False


def _first_record(file: Path, delimiter: str = ",") -> list[str]:
    """The header record of a CSV (its first 1 MiB is enough for any sane header)."""
    with open(file, "rb") as fh:
        head = fh.read(1 << 20).decode("utf-8-sig", errors="replace")
    return next(csv.reader(io.StringIO(head, newline=""), delimiter=delimiter), [])


def header_width(head: bytes) -> int:
    """How many columns the header of a CSV has, from its first bytes (nothing else read).

    >>> header_width(b"a;b;c\\n1;2;3\\n"), header_width(b'"x,y",z\\n')
    (3, 2)
    """
    text = head.decode("utf-8-sig", errors="replace")
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t", "|"), key=first.count)
    return len(next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), []))


def check_header_names(names: Iterable[str], label: str) -> None:
    """Raise :class:`ImportFailed` naming a column that the header has twice.

    >>> check_header_names(["rep_id", "Team", "team "], "reps.csv")
    Traceback (most recent call last):
    ...
    analytics.warehouse.loader.ImportFailed: reps.csv: the header has column team twice
    """
    seen: set[str] = set()
    for name in _normalise_header(names):
        if name and name in seen:
            raise ImportFailed(f"{label}: the header has column {name} twice")
        seen.add(name)


def check_regular_file(file: Path) -> None:
    """Raise :class:`ImportFailed` unless ``file`` is a regular file (symlinks followed).

    A directory, a device (a link to ``/dev/zero``), a FIFO or a socket is refused before
    anything is read from it.
    """
    try:
        mode = file.stat().st_mode
    except OSError as exc:
        raise ImportFailed(f"{file}: cannot be read: {exc.strerror}") from None
    if not stat.S_ISREG(mode):
        kind = (
            "a directory"
            if stat.S_ISDIR(mode)
            else "a FIFO"
            if stat.S_ISFIFO(mode)
            else "a device"
            if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "not a regular file"
        )
        raise ImportFailed(f"{file}: is {kind}, not a regular file; nothing was read")


#: The workbook formats an export may come in (what Excel saves, HubSpot and Salesforce
#: export; ``.xls``, Excel 97-2003, HubSpot too; ``.ods``, what LibreOffice saves): read
#: as text cells by :func:`analytics.warehouse.adapters.common.read_export_workbook`.
WORKBOOK_SUFFIXES = (".xlsx", ".xls", ".ods")
#: What a canonical table file may be: the strict reader's CSV and Parquet, and an Excel
#: workbook, which the lenient reader reads (:mod:`analytics.warehouse.adapters.canonical`).
TABLE_SUFFIXES = (".csv", ".parquet", *WORKBOOK_SUFFIXES)
#: What a file of a CRM export (an adapter's, a mapping's) may be: CSV or a workbook.
EXPORT_SUFFIXES = (".csv", *WORKBOOK_SUFFIXES)


def table_files(path: Path) -> dict[str, Path]:
    """The canonical table files of a folder (or one file), by table; each a regular file.

    Raises
    ------
    ImportFailed
        The path is missing, a table path is not a regular file, or two files hold one
        table.
    """
    if not path.exists():
        raise ImportFailed(f"{path}: no such file or folder")
    if path.is_dir() and not (
        path.stem.lower() in TABLES and path.suffix.lower() in TABLE_SUFFIXES
    ):
        files = sorted(path.iterdir())
    else:
        check_regular_file(path)
        files = [path]
    by_table: dict[str, Path] = {}
    for file in files:
        stem, suffix = file.stem.lower(), file.suffix.lower()
        if stem in TABLES and suffix in TABLE_SUFFIXES:
            if stem in by_table:
                raise ImportFailed(
                    f"{path}: both {by_table[stem].name} and {file.name} hold table {stem}"
                )
            check_regular_file(file)
            by_table[stem] = file
    return by_table


def canonical_batches(path: str | Path) -> tuple[list[TableFile], list[dict[str, Any]]]:
    """The table files of a canonical folder (or one ``<table>.csv|.parquet`` file).

    Only the headers are read here; rows are read in chunks while they load, so the
    unreadable rows (returned empty here) are quarantined by :func:`load_batches`.

    Raises
    ------
    ImportFailed
        The path is missing, holds no table file, or a file lacks a required column; or a
        file is a workbook (``sla import`` reads it, :func:`analytics.warehouse.adapters.
        canonical.read_canonical`).
    """
    path = Path(path)
    by_table = table_files(path)
    if not by_table:
        expected = ", ".join(f"{t}.csv" for t in LOAD_ORDER)
        raise ImportFailed(
            f"{path}: no canonical table file found (expected some of: {expected}, "
            "or .parquet, .xlsx, .xls, .ods)"
        )
    if workbooks := [f.name for f in by_table.values() if f.suffix.lower() in WORKBOOK_SUFFIXES]:
        raise ImportFailed(f"{path}: {', '.join(workbooks)}: a workbook is read by sla import")
    batches = []
    for table in LOAD_ORDER:
        if table not in by_table:
            continue
        file = by_table[table]
        try:
            columns, exact = _header(file, str(file))
            sha = file_sha256(file)
        except (OSError, pl.exceptions.PolarsError) as exc:
            raise ImportFailed(f"{file}: cannot be read: {exc}") from None
        missing = [c.name for c in TABLES[table].columns if c.required and c.name not in columns]
        header = ", ".join(c for c in columns if c != "_line")
        if missing:
            raise ImportFailed(
                f"{file}: missing required column(s) {', '.join(missing)} "
                f"(the header has: {header or 'nothing'})"
            )
        batches.append(TableFile(table, file, sha, exact=exact))
    return batches, []


# -- loading ------------------------------------------------------------------------


def _enum_options(config: SlaConfig | None) -> tuple[dict, dict]:
    if config is None:
        return {}, {}
    extra = {col: tuple(v.lower() for v in values) for col, values in config.enums.items()}
    aliases = {"stage": config.stage_aliases} if config.stage_aliases else {}
    return extra, aliases


def _quote(name: str) -> str:
    return f'"{name}"'


def _key_match(table: str, left: str, right: str) -> str:
    """SQL: the rows of ``left`` and ``right`` have the same key (nulls equal)."""
    return " AND ".join(
        f"{left}.{_quote(k)} IS NOT DISTINCT FROM {right}.{_quote(k)}" for k in TABLES[table].key
    )


def _raw_rows(table: str, source_file: str, cells: pl.DataFrame, load_id: int) -> pl.DataFrame:
    """Cells as rows of ``raw.<table>`` (absent columns null)."""
    columns = TABLES[table].column_names
    return cells.select(
        pl.lit(load_id, dtype=pl.Int32).alias("_load_id"),
        pl.lit(source_file).alias("_source_file"),
        pl.col("_line"),
        *[
            (pl.col(c) if c in cells.columns else pl.lit(None, dtype=pl.String)).alias(c)
            for c in columns
        ],
        (pl.col("_extra") if "_extra" in cells.columns else pl.lit(None, dtype=pl.String)).alias(
            "_extra"
        ),
    )


def _row_hash_sql(table: str, alias: str) -> str:
    """SQL: the content hash of a raw row (its canonical cells and ``_extra``, not where
    it was read): equal for the same row read from any file, at any line."""
    columns = TABLES[table].columns
    cells = [*(c.name for c in columns if not c.extension), "_extra"]
    pairs = ", ".join(f"{_quote(c)} := {alias}.{_quote(c)}::VARCHAR" for c in cells)
    text = f"to_json(struct_pack({pairs}))"
    for c in columns:  # an empty extension column leaves the hash of older versions as it was
        if c.extension:
            value = f"{alias}.{_quote(c.name)}::VARCHAR"
            text += f" || coalesce('{{\"{c.name}\":' || to_json({value}) || '}}', '')"
    return f"md5({text})"


def _append_raw(
    con,
    table: str,
    rows: _Stage,
    load_id: int,
    lines: Iterable[int] = (),
    *,
    absent: Sequence[str] = (),
) -> tuple[int, dict[int, str]]:
    """Append the staged raw rows of one file to ``raw.<table>``: each version not yet there;
    record in ``meta.raw_seen`` that this load saw each version of the file (new or not),
    which columns the file did not have (``absent``: the raw row has them empty, yet a
    stored row kept its values, :func:`analytics.warehouse.versions.superseded_versions`),
    and whether every line of the version was rejected (``rejected``: ``lines``, so this
    load never put it in core; another load may have).

    The content hashes are computed once, into a Parquet file beside the stage (on disk,
    not in the transaction's memory), and read by both inserts.

    Returns
    -------
    tuple[int, dict[int, str]]
        The number of new row versions (0 when the file brings nothing new), and the raw
        row hash of each of ``lines`` (the quarantine's ``row_hash`` of a rejected row).
    """
    cols = ", ".join(
        _quote(c) for c in ["_load_id", "_source_file", "_line", *TABLES[table].column_names]
    )
    hashes = rows.folder / f"{rows.name}-hashes.parquet"
    quoted = "'" + str(hashes).replace("'", "''") + "'"
    con.execute(
        f"COPY (SELECT _line, {_row_hash_sql(table, 'r')} AS h FROM {rows.relation()} r) "
        f"TO {quoted} (FORMAT parquet, COMPRESSION lz4)"
    )
    wanted = sorted(set(lines))
    con.register("rejected_lines", pl.DataFrame({"_line": wanted}, schema={"_line": pl.Int64}))
    try:
        hashed = f"read_parquet({quoted})"
        # per version of this part of the file: were all its lines rejected? (read twice)
        con.execute(
            "CREATE OR REPLACE TEMP TABLE raw_verdicts AS "
            f"SELECT h, bool_and(r._line IS NOT NULL) AS all_rejected FROM {hashed} n "
            "LEFT JOIN rejected_lines r USING (_line) GROUP BY h"
        )
        inserted = con.execute(
            f"""INSERT INTO raw.{table} ({cols}, _extra, _row_hash)
            SELECT {cols}, _extra, n.h FROM {rows.relation()} s
            JOIN (SELECT min(_line) AS _line, h FROM {hashed} GROUP BY h) n USING (_line)
            ANTI JOIN raw.{table} x ON x._row_hash = n.h"""
        ).fetchall()
        # a version an earlier part of the file loaded stays loaded (a duplicate of it
        # rejected here does not undo that)
        con.execute(
            f"""UPDATE meta.raw_seen s SET rejected = s.rejected AND v.all_rejected
            FROM raw_verdicts v
            WHERE s.table_name = '{table}' AND s.load_id = {int(load_id)} AND s.row_hash = v.h"""
        )
        con.execute(
            f"""INSERT INTO meta.raw_seen (table_name, row_hash, load_id, absent, rejected)
            SELECT '{table}', v.h, {int(load_id)}, ?::VARCHAR[], v.all_rejected FROM raw_verdicts v
            ANTI JOIN (SELECT row_hash FROM meta.raw_seen
                       WHERE table_name = '{table}' AND load_id = {int(load_id)}) s
            ON s.row_hash = v.h""",
            [list(absent) or None],
        )
        # not in ``finally``: a failed transaction takes it along, and its error stands
        con.execute("DROP TABLE raw_verdicts")
        found: dict[int, str] = {}
        if wanted:
            found = dict(
                con.execute(
                    f"SELECT n._line, n.h FROM {hashed} n "
                    "SEMI JOIN rejected_lines w ON w._line = n._line"
                ).fetchall()
            )
    finally:
        con.unregister("rejected_lines")
        hashes.unlink(missing_ok=True)
    return (int(inserted[0][0]) if inserted else 0), found


def migrate_hashes(con) -> bool:
    """Bring a warehouse written before ``meta.raw_seen`` up to date (on its next write).

    Such a warehouse has raw rows and no sightings. Its raw rows without ``_row_hash``
    get it; its quarantine rows get the hash an import computes now (the raw row of their
    file and line; for an unreadable row, not in raw, the hash of table, column, value and
    reason); ``meta.raw_seen`` gets each raw row's load (and whether that load quarantined
    it); a row version stored once per load
    (raw before versions) is kept once (its first load and line), and a rejected row
    quarantined twice is kept once.

    Returns
    -------
    bool
        Whether there was anything to migrate (False for a current or empty warehouse).
    """
    seen = con.execute("SELECT count(*) FROM meta.raw_seen").fetchall()[0][0]
    raw = sum(
        con.execute(f"SELECT count(*) FROM (SELECT 1 FROM raw.{t} LIMIT 1)").fetchall()[0][0]
        for t in LOAD_ORDER
    )
    if seen or not raw:
        return False
    for table in LOAD_ORDER:
        con.execute(
            f"UPDATE raw.{table} r SET _row_hash = {_row_hash_sql(table, 'r')} "
            "WHERE r._row_hash IS NULL"
        )
        # a rejected row's raw row: the same file and line, the latest load up to its own
        con.execute(
            f"""UPDATE meta.quarantine q SET row_hash = m.h FROM (
                SELECT q.rowid AS id, r._row_hash AS h
                FROM meta.quarantine q JOIN raw.{table} r
                ON r._source_file = q.source_file AND r._line = q.line
                AND r._load_id <= q.load_id
                WHERE q.table_name = '{table}'
                QUALIFY row_number() OVER (PARTITION BY q.rowid ORDER BY r._load_id DESC) = 1
            ) m WHERE q.rowid = m.id"""
        )
        # an older loader quarantined a rejected row again in every load that saw it
        con.execute(
            f"""INSERT INTO meta.raw_seen (table_name, row_hash, load_id, rejected)
            SELECT DISTINCT '{table}', r._row_hash, r._load_id, EXISTS (
                SELECT 1 FROM meta.quarantine q WHERE q.table_name = '{table}'
                AND q.row_hash = r._row_hash AND q.load_id = r._load_id)
            FROM raw.{table} r"""
        )
        con.execute(
            f"""DELETE FROM raw.{table} WHERE rowid IN (
                SELECT rowid FROM raw.{table}
                QUALIFY row_number() OVER (
                    PARTITION BY _row_hash ORDER BY _load_id, _source_file, _line) > 1)"""
        )
    con.execute(
        """UPDATE meta.quarantine SET row_hash = sha256(concat_ws(chr(31),
            coalesce(table_name, ''), coalesce("column", ''), coalesce(value, ''),
            coalesce(reason, ''))) WHERE row_hash IS NULL"""
    )
    con.execute(
        """DELETE FROM meta.quarantine WHERE rowid IN (
            SELECT rowid FROM meta.quarantine QUALIFY row_number() OVER (
                PARTITION BY table_name, "column", reason, row_hash
                ORDER BY load_id, source_file, line) > 1)"""
    )
    return True


def _chunk_progress(
    progress: Progress | None, batch: TableFile | TableBatch, index: int, count: int
) -> Callable[[int], None]:
    """Report rows read so far within the batch's share of the bar."""
    if progress is None:
        return lambda rows: None
    label, expected = f"loading {batch.table}", max(batch.estimated_rows(), 1)
    return lambda rows: progress(label, (index + min(rows / expected, 0.99)) / count)


def _unchecked_references(con, batches: Sequence[TableFile | TableBatch]) -> frozenset[str]:
    """The references nothing can check: accounts when the warehouse has none and the
    import brings none (spec/coverage.md: a table not imported is missing data, so its
    ids are no reason to reject a lead)."""
    if any(b.table == "accounts" for b in batches):
        return frozenset()
    ((accounts,),) = con.execute("SELECT count(*) FROM core.accounts").fetchall()
    return frozenset() if accounts else frozenset({"accounts.account_id"})


def _unchecked_rows(table: str, valid: pl.DataFrame, unchecked: frozenset[str]) -> int:
    """How many of ``valid`` name a value of a reference in ``unchecked``."""
    columns = [
        c.name
        for c in TABLES[table].columns
        if c.references and "{}.{}".format(*c.references) in unchecked and c.name in valid.columns
    ]
    if not columns or not valid.height:
        return 0
    return valid.filter(pl.any_horizontal(pl.col(c).is_not_null() for c in columns)).height


class _KnownKeys:
    """The keys a reference may take: in core (this import's earlier files included).

    ``rejected``: lead id -> why this import rejected that lead (the root cause that a
    row referring to it is quarantined with). ``unchecked``: the references no row is
    checked against (``"accounts.account_id"`` when no accounts are known: a folder of
    leads alone is no verdict on their accounts); ``unchecked_rows`` counts the rows
    loaded with such a reference.
    """

    def __init__(self, con, *, unchecked: frozenset[str] = frozenset()) -> None:
        self._con = con
        self.unchecked = unchecked
        self.unchecked_rows = 0
        self._sets: dict[str, KeySet] = {}
        self.rejected: dict[str, str] = {}
        #: file -> the lead ids whose row that file has with other values than an earlier
        #: file of the import (:class:`_EarlierKeys`): its other rows of them are not loaded
        self.conflicted: dict[str, set[str]] = {}
        #: the leads whose stage dates an earlier file of the import gave (EventScope), kept
        #: only when more than one file gives stage dates (``track_scoped``)
        self.scoped: set[str] = set()
        self.track_scoped = False
        self.placeholders = 0

    def add_placeholder_reps(self, rows: pl.DataFrame, columns: list[str]) -> None:
        """Create a rep (no name, no team) for each rep id of ``rows`` that core lacks."""
        ids = pl.concat([rows[c] for c in columns]).drop_nulls().unique().sort()
        if not ids.len():
            return
        new = ids.filter(~self.of_reference("reps", "rep_id").contains(ids))
        if not new.len():
            return
        self._con.register("placeholder_reps", pl.DataFrame({"rep_id": new}).to_arrow())
        try:
            self._con.execute("INSERT INTO core.reps (rep_id) SELECT rep_id FROM placeholder_reps")
        finally:
            self._con.unregister("placeholder_reps")
        self.placeholders += new.len()
        self.changed("reps")

    def of_reference(self, ref_table: str, ref_col: str) -> KeySet:
        name = f"{ref_table}.{ref_col}"
        if name not in self._sets:
            values = self._con.sql(f'SELECT DISTINCT "{ref_col}" FROM core.{ref_table}')
            self._sets[name] = KeySet(values.pl().to_series())
        return self._sets[name]

    def of(self, table: str) -> dict[str, KeySet]:
        """``"table.column"`` -> known keys, for every reference of ``table``."""
        known = {}
        for column in TABLES[table].columns:
            if column.references is None:
                continue
            name = "{}.{}".format(*column.references)
            if name in self.unchecked:
                continue
            if name not in self._sets:
                ref_table, ref_col = column.references
                values = self._con.sql(f'SELECT DISTINCT "{ref_col}" FROM core.{ref_table}')
                self._sets[name] = KeySet(values.pl().to_series())
            known[name] = self._sets[name]
        return known

    def changed(self, table: str) -> None:
        self._sets = {k: v for k, v in self._sets.items() if not k.startswith(f"{table}.")}


@dataclass
class _FileLoad:
    """What loading one batch did."""

    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    rejections: list[dict[str, Any]] = field(default_factory=list)
    scrubbed: privacy.ScrubReport = field(default_factory=privacy.ScrubReport)
    #: core rows added, changed, unchanged and removed
    changes: dict[str, int] = field(default_factory=dict)
    #: row versions new to the raw layer
    raw_new: int = 0
    #: column -> [rows dated after the import, first such line, its value]
    after_import: dict[str, list[Any]] = field(default_factory=dict)


class _Stage:
    """Rows of one batch, written chunk by chunk to Parquet files beside the warehouse.

    Why not a DuckDB table or a registered frame: what a transaction writes to a
    temporary table stays in memory until it commits (even after a DROP), and so do
    rows inserted from a registered Arrow/polars frame; rows inserted from Parquet
    files are written to disk as they come. DuckDB reads the files back (spilling to
    disk when it needs to) to find duplicate keys and to merge the batch.
    """

    def __init__(self, folder: Path, name: str) -> None:
        self.folder = folder
        self.name = name
        self.files: list[Path] = []
        self.rows = 0

    def add(self, frame: pl.DataFrame) -> None:
        if not frame.height:
            return
        path = self.folder / f"{self.name}-{len(self.files):06d}.parquet"
        frame.write_parquet(path, compression="lz4", statistics=False)
        self.files.append(path)
        self.rows += frame.height

    def relation(self) -> str:
        """SQL table expression of the rows (requires at least one file)."""
        paths = ", ".join("'" + str(p).replace("'", "''") + "'" for p in self.files)
        return f"read_parquet([{paths}])"

    def clear(self) -> None:
        for path in self.files:
            path.unlink(missing_ok=True)
        self.files, self.rows = [], 0


def _stage_duplicates(con, table: str, stage: _Stage) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Rows of the stage whose key an earlier line of the batch has: (drop, rejections).

    ``drop`` has the key columns and ``_line`` of the rows to leave out of core.
    """
    key = list(TABLES[table].key)
    cols = ", ".join(map(_quote, key))
    stage_rows = stage.relation()
    duplicated = con.sql(f"SELECT {cols} FROM {stage_rows} GROUP BY ALL HAVING count(*) > 1").pl()
    if not duplicated.height:
        return pl.DataFrame(), pl.DataFrame(schema=REJECTION_SCHEMA)
    con.register("duplicated", duplicated.to_arrow())
    try:
        rows = con.sql(
            f"SELECT {', '.join(f's.{_quote(k)}' for k in key)}, s._line FROM {stage_rows} s "
            f"SEMI JOIN duplicated d ON {_key_match(table, 's', 'd')}"
        ).pl()
    finally:
        con.unregister("duplicated")
    schema = TABLES[table].polars_schema
    rows = rows.cast({k: schema[k] for k in key})  # timestamps in UTC whatever the session zone
    kept, rejections = split_duplicates(table, rows)
    return rows.join(kept, on=[*key, "_line"], how="anti", nulls_equal=True), rejections


class _EarlierKeys:
    """The keys of one table the earlier files of this import loaded, with file and line.

    A table filled from several files of one export (Salesforce's Lead.csv and
    Contact.csv, a HubSpot export split in two):

    - a key a later file has again with other values is no update but a conflict: the
      later row is quarantined naming the earlier file and line, instead of the file that
      sorts last winning silently (the same values twice are one row; a column one of the
      files lacks is no other value);
    - ``--replace`` removes the stored rows that *no* file of the table has, once all are
      loaded (:meth:`remove_missing`), not those each file lacks.
    """

    def __init__(self) -> None:
        self._keys: list[pl.DataFrame] = []
        self._absent: set[str] = set()
        self.kept: list[pl.DataFrame] = []
        #: the event scopes of the files loaded and of the file kinds the export lacks
        #: (their leads' events of stages a file has no column for, of a kind it lacks,
        #: stay under ``--replace``: :func:`_unsaid_sql`)
        self.scopes: list[tuple[EventScope, EventScope | None]] = []

    def conflicts(
        self, con, table: str, stage: _Stage, drop: pl.DataFrame, *, absent: Sequence[str] = ()
    ) -> tuple[pl.DataFrame, pl.DataFrame]:
        """(rejections, drop with the conflicting rows added) of the staged rows whose key an
        earlier file loaded with other values (core holds that file's row now); a column
        this file or an earlier one lacks (``absent``) is no other value."""
        if not self._keys:
            return pl.DataFrame(schema=REJECTION_SCHEMA), drop
        (key,) = TABLES[table].key
        k = _quote(key)
        con.register("earlier_keys", pl.concat(self._keys).to_arrow())
        try:
            found = con.sql(
                f"SELECT s.{k} AS k, s._line AS line, e._file AS file, e._line AS at "
                f"FROM {stage.relation()} s JOIN earlier_keys e ON e.{k} = s.{k} "
                f"JOIN core.{table} c ON c.{k} = s.{k} "
                f"WHERE {_differs(table, 's', 'c', ignore=[*absent, *self._absent])} "
                "ORDER BY s._line"
            ).pl()
        finally:
            con.unregister("earlier_keys")
        if not found.height:
            return pl.DataFrame(schema=REJECTION_SCHEMA), drop
        rejections = found.select(
            pl.col("line").cast(pl.Int64),
            pl.lit(key).alias("column"),
            pl.format(render("reject.conflict", file="{}", line="{}"), "file", "at").alias(
                "reason"
            ),
            pl.col("k").cast(pl.String).alias("value"),
        )
        more = found.select(pl.col("k").alias(key), pl.col("line").alias("_line"))
        return rejections, _dropped_too(drop, more)

    def add(
        self,
        con,
        table: str,
        stage: _Stage,
        drop: pl.DataFrame,
        file: str,
        *,
        absent: Sequence[str] = (),
    ) -> None:
        """Remember the keys this file loaded (its staged rows but those left out) and the
        columns it lacked."""
        key = list(TABLES[table].key)
        cols = ", ".join(map(_quote, key))
        rows = con.sql(f"SELECT {cols}, _line FROM {stage.relation()}").pl()
        if drop.height:
            left_out = drop.select(*key, "_line").cast(rows.schema)  # type: ignore[arg-type]
            rows = rows.join(left_out, on=[*key, "_line"], how="anti", nulls_equal=True)
        self._keys.append(rows.with_columns(pl.lit(file).alias("_file")))
        self._absent.update(absent)

    def remove_missing(self, con, table: str, load_id: int, own: _OwnFormat | None = None) -> int:
        """``--replace`` of the whole table: remove the stored rows whose key no file of the
        import loaded, nor had among its rejected rows (recorded as load ``load_id``'s), of
        those its format speaks for (``own``); the number removed."""
        key = list(TABLES[table].key)
        if not self._keys:
            return 0
        loaded = pl.concat(self._keys).select(key).unique()
        con.register("import_keys", loaded.to_arrow())
        registered = ["import_keys"]
        kept = ""
        if self.kept:
            con.register("kept_keys", pl.concat(self.kept).unique().to_arrow())
            registered.append("kept_keys")
            kept = f" AND {_quote(key[0])} NOT IN (SELECT k FROM kept_keys)"
        try:
            gone = (
                f"NOT EXISTS (SELECT 1 FROM import_keys k "
                f"WHERE {_key_match(table, 'k', f'core.{table}')}){kept}"
            )
            gone += _unsaid_sql(con, self.scopes, table, registered)
            if own is not None:
                gone += own.kept_sql(con, table, gone, (), registered)
            return remove_rows(con, table, load_id, gone)
        finally:
            for name in registered:
                con.unregister(name)


class _OwnFormat:
    """What a ``--replace`` of format ``name`` speaks for: a snapshot speaks only for what
    its own source loaded. Of the stored rows its files lack, it removes those a load of
    that format saw (``meta.raw_seen``, ``meta.loads.format``; a load recorded before
    formats: any), and those no load saw (``sla demo``'s rows, placeholder reps); a row
    only other formats' loads saw (a canonical SAL beside HubSpot's stage dates) stays,
    and :attr:`kept` counts it per table.
    """

    def __init__(self, con, name: str | None, load_id: int, config: SlaConfig | None) -> None:
        self.name, self.load_id, self.config = name, load_id, config
        self.kept: Counter = Counter()
        #: the loads of other formats (one query an import; none: nothing to look up)
        self.others: list[int] = (
            [
                r[0]
                for r in con.execute(
                    "SELECT DISTINCT load_id FROM meta.loads "
                    "WHERE format IS NOT NULL AND format <> ?",
                    [name],
                ).fetchall()
            ]
            if name is not None
            else []
        )

    def kept_sql(
        self, con, table: str, gone: str, params: Sequence[object], registered: list[str]
    ) -> str:
        """SQL (`` AND ...``, or nothing) that keeps, of the core rows of ``table`` that
        ``gone`` selects, those only loads of other formats saw; the table it registers is
        added to ``registered``."""
        if not self.others:
            return ""
        live = f"core.{table}"
        key = removal_key_sql(table, live)
        first = _quote(TABLES[table].key[0])
        candidates = con.sql(
            f"SELECT trim({live}.{first}::VARCHAR) AS id, {key} AS key FROM {live} WHERE {gone}",
            params=list(params),
        ).pl()
        if candidates.is_empty():
            return ""
        # the rows other formats saw (their loads' sightings only: few, and found fast),
        # then which of those this format, or a load before formats, saw too
        theirs = self._seen(con, table, candidates["id"], theirs=True)
        others = candidates.filter(pl.col("key").is_in(theirs.implode()))
        if others.height:
            ours = self._seen(con, table, others["id"], theirs=False)
            others = others.filter(~pl.col("key").is_in(ours.implode()))
        if others.is_empty():
            return ""
        name = f"other_formats_{len(registered)}"
        con.register(name, others.select("key").to_arrow())
        registered.append(name)
        self.kept[table] += others.height
        return f" AND {key} NOT IN (SELECT key FROM {name})"

    def _seen(self, con, table: str, ids: pl.Series, *, theirs: bool) -> pl.Series:
        """The keys (as :func:`removal_key_sql` writes them, typed as the import types them)
        of ``table``'s rows whose key's first column is one of ``ids`` that the loads of
        other formats (``theirs``), or the earlier loads of this one or of none, saw and did
        not reject."""
        spec = TABLES[table]
        first = _quote(spec.key[0])
        text = ", ".join(f"r.{_quote(c)}" for c in spec.column_names)
        loads = ", ".join(map(str, self.others))
        which = f"s.load_id {'IN' if theirs else 'NOT IN'} ({loads})"
        con.register("own_format_ids", pl.DataFrame({"id": ids}).unique().to_arrow())
        try:  # the few versions first, then their sightings (a join planned the other way
            # round built its table of every sighting: seconds a table at 200,000 leads)
            versions = con.sql(
                f"SELECT {text}, r._row_hash FROM raw.{table} r "
                f"WHERE trim(r.{first}) IN (SELECT id FROM own_format_ids)"
            ).pl()
        finally:
            con.unregister("own_format_ids")
        con.register("own_format_versions", versions.select("_row_hash").to_arrow())
        try:
            seen = con.sql(
                f"""SELECT DISTINCT r._row_hash, s.load_id AS _seen_load
                FROM own_format_versions r
                JOIN meta.raw_seen s ON s.table_name = '{table}' AND s.row_hash = r._row_hash
                WHERE {which} AND s.load_id <> {int(self.load_id)}
                AND NOT {rejected_sighting(table)}"""
            ).pl()
        finally:
            con.unregister("own_format_versions")
        rows = versions.join(seen, on="_row_hash").drop("_row_hash")
        if len(spec.key) == 1 and spec.column(spec.key[0]).kind == "str":  # the id is the key
            return rows[spec.key[0]].str.strip_chars()
        typed = typed_sightings(
            rows.with_columns(pl.lit(None, dtype=pl.List(pl.String)).alias("_absent")),
            table,
            self.config,
            key=spec.key,
            columns=(),
            order="_seen_load",
        )
        return removal_keys(typed, table)


#: The column that tells which file kind of an export gave a stored row, in the tables
#: several kinds fill: what the ``trigger`` of an :class:`EventScope` of the table names
#: (Salesforce's LeadHistory.csv dates the ``status_change`` events, HubSpot's calls.csv
#: gives the ``phone`` touches). Salesforce's leads are told apart by their id's prefix
#: (:attr:`EventScope.prefix`).
_KIND_COLUMN = {"lifecycle_events": "trigger", "sales_touches": "channel"}


def _refers_to_leads(table: str) -> bool:
    """Whether ``table``'s rows belong to a lead (events, touches, ...), as opposed to
    being leads or having none (reps).

    >>> _refers_to_leads("lifecycle_events"), _refers_to_leads("leads"), _refers_to_leads("reps")
    (True, False, False)
    """
    return any(c.references == ("leads", "lead_id") for c in TABLES[table].columns)


def _unsaid_sql(
    con,
    scopes: Sequence[tuple[EventScope, EventScope | None]],
    table: str,
    registered: list[str],
) -> str:
    """SQL (`` AND NOT (...)``, or nothing) that keeps, under ``--replace``, the stored
    rows of ``table`` a file says nothing of, per (the file's scope, the part of it
    :func:`_scope_read` trusts): the events of its leads that its trigger dated

    - in a stage it has no column for (a HubSpot contacts export without "Became a
      Marketing Qualified Lead Date", a Salesforce Lead.csv without ConvertedDate): an
      absent column is not an empty cell, and such an export removed every stored MQL;
    - of a lead whose row or one of whose dates it could not read (or another file of the
      export dated): its stored dates stay, as the quarantine says, and a replace took them;
    - of a file kind the export lacks (a scope without stages and leads: a Salesforce folder
      without LeadHistory.csv says nothing of status changes), for every lead the warehouse
      keeps (core's leads, replaced before the events: a lead no export has goes with all
      its events); so the touches of a kind it lacks (its ``trigger`` is their
      :data:`_KIND_COLUMN`: a HubSpot folder without emails.csv says nothing of e-mails),
      the leads of a kind it lacks (by their id's :attr:`~EventScope.prefix`: a Salesforce
      folder without Contact.csv says nothing of the contacts' leads) and the reps its
      owners do not name (a scope of every rep, or of those a users export lists).

    The tables of leads it registers are added to ``registered`` (for the caller to
    unregister)."""
    live = f"core.{table}"
    ids = f"{live}.lead_id" if "lead_id" in TABLES[table].column_names else None
    ids = ids or f"{live}.{_quote(TABLES[table].key[0])}"
    kept = []
    for scope, trusted in scopes:
        if scope.leads is not None:
            name = f"unsaid_leads_{len(registered)}"
            con.register(name, pl.DataFrame({"id": scope.leads.str.strip_chars()}).to_arrow())
            registered.append(name)
            of = f"{ids} IN (SELECT id FROM {name})"
        elif _refers_to_leads(table):
            of = f"{live}.lead_id IN (SELECT lead_id FROM core.leads)"
        else:  # the leads (or reps) themselves: every stored one
            of = "true"
        if scope.prefix is not None:
            prefix = scope.prefix.replace("'", "''")
            of += f" AND starts_with({live}.lead_id, '{prefix}')"
        unsaid = []
        if scope.stages:
            stages = ", ".join(f"'{s}'" for s in sorted(scope.stages))
            unsaid.append(f"{live}.stage NOT IN ({stages})")
        else:
            unsaid.append("true")
        if trusted is not None:
            sure = f"trusted_leads_{len(registered)}"
            con.register(sure, pl.DataFrame({"lead_id": trusted.leads}).to_arrow())
            registered.append(sure)
            unsaid.append(f"{live}.lead_id NOT IN (SELECT lead_id FROM {sure})")
        if scope.trigger is None:  # rows of any kind
            kind = "true"
        else:
            value = scope.trigger.replace("'", "''")
            kind = f"{live}.{_KIND_COLUMN[table]} = '{value}'"
        kept.append(f"({kind} AND {of} AND ({' OR '.join(unsaid)}))")
    return f" AND NOT ({' OR '.join(kept)})" if kept else ""


def recorded_scopes(batch: TableFile | TableBatch) -> str | None:
    """JSON of what a batch says of its table beyond the keys it holds, as the load log
    records it (``meta.loads.scopes``) for a purge to replay the load (:func:`unsaid_expr`,
    :func:`restated_expr`); None: nothing (a canonical file).

    ``scope``: its own :class:`EventScope` (the stages it dates, of its leads, by its
    trigger); ``unsaid``: the file kinds the export lacks (trigger or channel, id prefix);
    ``supersedes``: the triggers its events replace.

    >>> b = TableBatch("lifecycle_events", "c.csv", "", pl.DataFrame(),
    ...                scope=EventScope(pl.Series(["1"]), frozenset({"sql", "mql"}), "hs"),
    ...                unsaid=(EventScope(None, frozenset(), "status_change"),))
    >>> json.loads(recorded_scopes(b))
    {'scope': {'trigger': 'hs', 'stages': ['mql', 'sql']}, \
'unsaid': [{'trigger': 'status_change', 'prefix': None}]}
    """
    said: dict[str, Any] = {}
    if (scope := getattr(batch, "scope", None)) is not None:
        said["scope"] = {"trigger": scope.trigger, "stages": sorted(scope.stages)}
    # a scope that lists its rows (a users export's reps) keeps only rows its file has
    kinds = [s for s in getattr(batch, "unsaid", ()) if s.leads is None]
    if kinds:
        said["unsaid"] = [{"trigger": s.trigger, "prefix": s.prefix} for s in kinds]
    if supersedes := getattr(batch, "supersedes", frozenset()):
        said["supersedes"] = sorted(supersedes)
    return json.dumps(said) if said else None


def said_by(records: Iterable[str | None]) -> dict[str, list]:
    """What a load's files of one table said (:func:`recorded_scopes` of each), as one:
    ``scope``, ``unsaid`` and ``supersedes`` lists.

    >>> said_by(['{"supersedes": ["converted"]}', None])
    {'scope': [], 'unsaid': [], 'supersedes': ['converted']}
    """
    said: dict[str, list] = {"scope": [], "unsaid": [], "supersedes": []}
    for record in records:
        for part, value in (json.loads(record) if record else {}).items():
            said[part] += value if isinstance(value, list) else [value]
    return said


def unsaid_expr(said: Mapping[str, Any], table: str) -> pl.Expr:
    """Polars: the rows of ``table`` a ``--replace`` that recorded ``said``
    (:func:`said_by` of its files of the table) kept although its files
    lacked them, as :func:`_unsaid_sql` kept them: the events its own scope's trigger dated
    of the leads its file had in stages it has no column for, or of a lead it could not
    read; the rows of a kind it lacked. Over typed rows with ``_in_file`` (the load's files
    had the row's lead) and ``_trusted`` (it read that lead and its dates).

    >>> rows = pl.DataFrame({"lead_id": ["a", "b"], "stage": ["mql", "sql"], "trigger": "hs",
    ...                      "_in_file": True, "_trusted": True})
    >>> said = {"scope": [{"trigger": "hs", "stages": ["sql"]}]}
    >>> rows.select(unsaid_expr(said, "lifecycle_events"))["kept"].to_list()
    [True, False]
    """
    kept = [pl.lit(False)]
    for scope in said.get("scope", []):
        kept.append(
            (pl.col("trigger") == scope["trigger"])
            & pl.col("_in_file")
            & (~pl.col("stage").is_in(scope["stages"]) | ~pl.col("_trusted"))
        )
    for kind in said.get("unsaid", []):
        of = pl.lit(True)
        if kind["trigger"] is not None:
            of = of & (pl.col(_KIND_COLUMN[table]) == kind["trigger"])
        if kind["prefix"] is not None:
            of = of & pl.col("lead_id").str.starts_with(kind["prefix"])
        kept.append(of)
    # a row of no kind (a canonical event without a trigger) compares as unknown, and SQL
    # removes no row its condition does not hold for: kept, here too
    return pl.any_horizontal(kept).fill_null(True).alias("kept")


def restated_expr(said: Mapping[str, Any]) -> pl.Expr:
    """Polars: the lifecycle events a load that recorded ``said`` (:func:`recorded_scopes`)
    holds every one of, though it upserts (:class:`EventScope`: a refresh that moves or
    clears a stage date removes the stored event), over rows as :func:`unsaid_expr` reads."""
    restated = [pl.lit(False)]
    for scope in said.get("scope", []):
        restated.append(
            (pl.col("trigger") == scope["trigger"])
            & pl.col("stage").is_in(scope["stages"])
            & pl.col("_in_file")
            & pl.col("_trusted")
        )
    return pl.any_horizontal(restated).fill_null(False).alias("restated")


def _differs(table: str, left: str, right: str, *, ignore: Sequence[str] = ()) -> str:
    """SQL: two rows of the same key differ in a value (nulls equal), but in ``ignore``."""
    key = {*TABLES[table].key, *ignore}
    parts = [
        f"{left}.{_quote(c)} IS DISTINCT FROM {right}.{_quote(c)}"
        for c in TABLES[table].column_names
        if c not in key
    ]
    return "(" + (" OR ".join(parts) or "false") + ")"


def _lines_by_file(problems: Sequence[Mapping[str, Any]]) -> dict[tuple[str, str], list[int]]:
    """(file, table) -> the lines of ``problems`` (rows a reader could not read), sorted.

    >>> _lines_by_file([{"file": "a.csv", "table": "leads", "line": 9},
    ...                 {"file": "a.csv", "table": "leads", "line": 3}])
    {('a.csv', 'leads'): [3, 9]}
    """
    out: dict[tuple[str, str], list[int]] = {}
    for p in problems:
        if p.get("line") is not None and p.get("table") in TABLES:
            out.setdefault((p["file"], p["table"]), []).append(int(p["line"]))
    return {k: sorted(set(v)) for k, v in out.items()}


def _unreadable_replace(file: str, lines: Sequence[int], stored: int, table: str) -> ImportFailed:
    """The refusal of ``--replace`` with a file whose ``lines`` cannot be read: whose rows
    they are is unknown, and the snapshot would remove them."""
    shown = ", ".join(map(str, lines[:5])) + (", ..." if len(lines) > 5 else "")
    return ImportFailed(
        f"{file}: line(s) {shown} cannot be read, so --replace cannot tell which of the "
        f"{stored:,} {table} they are and would remove them (fix the lines, or import "
        "without --replace)"
    )


def _scope_read(
    con,
    batch: TableBatch,
    stage: _Stage,
    drop: pl.DataFrame,
    rejections: list[dict[str, Any]],
    known: _KnownKeys,
) -> tuple[EventScope, pl.DataFrame, pl.DataFrame]:
    """The batch's :class:`EventScope` without the leads it cannot speak for, and their
    new events of its stages kept back (not loaded beside the stored ones: a second MQL):

    - a lead this import rejected, or one of whose dates in the file could not be read:
      its stored dates stay (``reject.dates_kept``);
    - a lead whose dates an earlier file of this export gave: that file's stay, and this
      file's other dates are a conflict (``reject.dates_conflict``; the same dates twice
      are one).

    Returns (scope, the rejections, ``drop`` with the kept-back staged rows added).
    """
    scope = batch.scope
    assert scope is not None
    unread = {r["line"] for r in rejections if r.get("line") is not None}
    unsure = batch.cells.filter(pl.col("_line").is_in(list(unread)))["lead_id"]
    leads = scope.leads.str.strip_chars()
    twice = leads.filter(leads.is_in(list(known.scoped))).unique()
    doubtful = leads.filter(leads.is_in([*known.rejected, *unsure.str.strip_chars()])).unique()
    doubtful = doubtful.filter(~doubtful.is_in(twice.implode()))
    kept_back = [pl.DataFrame(schema=REJECTION_SCHEMA)]
    for group, code in ((doubtful, "reject.dates_kept"), (twice, "reject.dates_conflict")):
        rows = _scoped_rows(con, stage, group, scope)
        if not rows.height:
            continue
        drop = _dropped_too(drop, rows.select(*TABLES["lifecycle_events"].key, "_line"))
        if code == "reject.dates_conflict":  # the same date as the earlier file's is none
            con.register("twice_rows", rows.to_arrow())
            try:
                rows = con.sql(
                    "SELECT r.* FROM twice_rows r ANTI JOIN core.lifecycle_events c "
                    f"ON {_key_match('lifecycle_events', 'r', 'c')}"
                ).pl()
            finally:
                con.unregister("twice_rows")
        kept_back.append(
            rows.select(
                pl.col("_line").cast(pl.Int64).alias("line"),
                pl.lit("lead_id").alias("column"),
                pl.lit(render(code)).alias("reason"),
                pl.col("lead_id").alias("value"),
            )
        )
    leads = leads.filter(~leads.is_in(pl.concat([doubtful, twice]).implode())).unique()
    if known.track_scoped:
        known.scoped.update(scope.leads.str.strip_chars().to_list())
    if (dated := _dated_better(con, stage, scope)).height:  # no second dating of a stage
        drop = _dropped_too(drop, dated)
    scoped = EventScope(leads, scope.stages, scope.trigger, scope.yields_to)
    return scoped, pl.concat(kept_back), drop


def _dated_better(con, stage: _Stage, scope: EventScope) -> pl.DataFrame:
    """The staged events of ``scope`` (key and ``_line``) whose lead and stage core already
    holds from a trigger of ``scope.yields_to``: a refresh of Salesforce's Lead.csv alone
    added a second SQL at its ConvertedDate beside LeadHistory's status change."""
    if not stage.rows or not scope.yields_to or not scope.stages:
        return pl.DataFrame()
    yielding = ", ".join(f"'{t}'" for t in sorted(scope.yields_to))
    return _staged_events(
        con,
        stage,
        scope,
        "EXISTS (SELECT 1 FROM core.lifecycle_events c WHERE c.lead_id = s.lead_id "
        f"AND c.stage = s.stage AND c.trigger IN ({yielding}))",
    )


def _staged_events(con, stage: _Stage, scope: EventScope, where: str) -> pl.DataFrame:
    """The staged events (``s``) in ``scope``'s stages and trigger that ``where`` selects:
    key and ``_line``, typed as core's key."""
    rows = con.sql(
        f"SELECT s.lead_id, s.stage, s.entered_at, s._line FROM {stage.relation()} s "
        f"WHERE {scope.events_sql()} AND {where}",
        params=[scope.trigger],
    ).pl()
    schema = TABLES["lifecycle_events"].polars_schema
    return rows.cast({k: schema[k] for k in TABLES["lifecycle_events"].key})


def _dropped_too(drop: pl.DataFrame, more: pl.DataFrame) -> pl.DataFrame:
    """``drop`` (staged rows to leave out of core: key and ``_line``) with ``more`` added."""
    return pl.concat([drop, more.cast(drop.schema)]) if drop.height else more  # type: ignore[arg-type]


def _scoped_rows(con, stage: _Stage, leads: pl.Series, scope: EventScope) -> pl.DataFrame:
    """The staged events of ``leads`` in ``scope``'s stages and trigger (key and ``_line``,
    typed as core's key)."""
    if not stage.rows or not leads.len() or not scope.stages:
        return pl.DataFrame()
    con.register("scope_leads_in", pl.DataFrame({"lead_id": leads}).to_arrow())
    try:
        return _staged_events(
            con, stage, scope, "s.lead_id IN (SELECT lead_id FROM scope_leads_in)"
        )
    finally:
        con.unregister("scope_leads_in")


def _merge(
    con,
    table: str,
    stage: _Stage,
    drop: pl.DataFrame,
    *,
    replace: bool = False,
    keep: pl.DataFrame | None = None,
    absent: Sequence[str] = (),
    scope: EventScope | None = None,
    load_id: int = 0,
    supersedes: frozenset[str] = frozenset(),
    unsaid: Sequence[tuple[EventScope, EventScope | None]] = (),
    own: _OwnFormat | None = None,
) -> dict[str, int]:
    """Upsert the staged rows into ``core.<table>`` by key; with ``replace`` also remove
    the core rows whose key the file does not have, of those its format speaks for
    (``own``; each removal recorded as load ``load_id``'s:
    :func:`~analytics.warehouse.removals.remove_rows`).

    ``drop``: staged rows (key, ``_line``) not to merge (later rows of a key). ``keep``:
    keys (text) of rows the file has but that were rejected: a replace keeps their old
    rows. ``absent``: columns the file does not have: a row already in core keeps its
    values of them (a column left out of next month's export is not an empty cell).
    ``scope``: the lifecycle events of its leads the file holds all of: the stored ones of
    its stages and trigger that the file lacks are removed. ``unsaid``: the file's own
    scope (all its leads) with ``scope``, and the scopes of the file kinds the export
    lacks: a replace keeps their events of its trigger in the stages it has no column for,
    and those of a kind it lacks (:func:`_unsaid_sql`). Only changed and new rows are
    written.

    Returns
    -------
    dict[str, int]
        ``added``, ``changed``, ``unchanged`` and ``removed`` rows of core.
    """
    cols = ", ".join(map(_quote, TABLES[table].column_names))
    done = {"added": 0, "changed": 0, "unchanged": 0, "removed": 0}
    registered = []
    if stage.rows:
        source = f"(SELECT {cols} FROM {stage.relation()} s"
        if drop.height:
            con.register("dropped", drop.to_arrow())
            registered.append("dropped")
            source += f" ANTI JOIN dropped d ON {_key_match(table, 's', 'd')} AND s._line = d._line"
        source += ")"
    else:
        source = f"(SELECT {cols} FROM core.{table} WHERE false)"
    live = f"core.{table}"
    kept_path = stage.folder / f"{stage.name}-kept.parquet"
    try:
        in_core = con.execute(f"SELECT count(*) FROM {live}").fetchall()[0][0]
        if in_core and stage.rows and absent:
            # written down first: the delete below would take the values it reads from core
            stored = f"k.{_quote(TABLES[table].key[0])} IS NOT NULL"  # a row core has
            picked = ", ".join(
                f"CASE WHEN {stored} THEN k.{_quote(c)} ELSE s.{_quote(c)} END AS {_quote(c)}"
                if c in absent
                else f"s.{_quote(c)}"
                for c in TABLES[table].column_names
            )
            quoted = "'" + str(kept_path).replace("'", "''") + "'"
            con.execute(
                f"COPY (SELECT {picked} FROM {source} s LEFT JOIN {live} k "
                f"ON {_key_match(table, 's', 'k')}) TO {quoted} (FORMAT parquet)"
            )
            source = f"(SELECT {cols} FROM read_parquet({quoted}))"
        if in_core and stage.rows:
            differs = _differs(table, "s", "c")
            added, changed, unchanged = con.execute(
                f"""SELECT count(*) FILTER (WHERE c.__hit IS NULL),
                    count(*) FILTER (WHERE c.__hit AND {differs}),
                    count(*) FILTER (WHERE c.__hit AND NOT {differs})
                FROM {source} s LEFT JOIN (SELECT *, true AS __hit FROM {live}) c
                ON {_key_match(table, "s", "c")}"""
            ).fetchall()[0]
            done.update(added=added, changed=changed, unchanged=unchanged)
            if changed:
                con.execute(
                    f"DELETE FROM {live} USING {source} s "
                    f"WHERE {_key_match(table, live, 's')} AND {_differs(table, 's', live)}"
                )
            if added or changed:
                con.execute(
                    f"INSERT INTO {live} ({cols}) SELECT {cols} FROM {source} s "
                    f"ANTI JOIN {live} c ON {_key_match(table, 's', 'c')}"
                )
        elif stage.rows:
            inserted = con.execute(f"INSERT INTO {live} ({cols}) SELECT {cols} FROM {source}")
            done["added"] = int(inserted.fetchall()[0][0])
        if replace and in_core:
            kept = ""
            if keep is not None and keep.height:
                con.register("kept_keys", keep.to_arrow())
                registered.append("kept_keys")
                (key,) = TABLES[table].key
                kept = f" AND {live}.{_quote(key)} NOT IN (SELECT k FROM kept_keys)"
            match = _key_match(table, "s", live)
            gone = f"NOT EXISTS (SELECT 1 FROM {source} s WHERE {match}){kept}"
            gone += _unsaid_sql(con, unsaid, table, registered)
            if own is not None:
                gone += own.kept_sql(con, table, gone, (), registered)
            done["removed"] = remove_rows(con, table, load_id, gone)
        if scope is not None and in_core and scope.leads.len() and scope.stages:
            con.register("scope_leads", pl.DataFrame({"lead_id": scope.leads}).to_arrow())
            registered.append("scope_leads")
            gone = (
                f"{live}.lead_id IN (SELECT lead_id FROM scope_leads) AND {scope.events_sql()} "
                f"AND NOT EXISTS (SELECT 1 FROM {source} s WHERE {_key_match(table, 's', live)})"
            )
            moved = remove_rows(con, table, load_id, gone, [scope.trigger])
            done["removed"] = done.get("removed", 0) + moved
        if supersedes and in_core and stage.rows:
            triggers = ", ".join(f"'{t}'" for t in sorted(supersedes))
            gone = (
                f"{live}.trigger IN ({triggers}) AND EXISTS (SELECT 1 FROM {source} s "
                f"WHERE s.lead_id = {live}.lead_id AND s.stage = {live}.stage "
                f"AND s.trigger IS DISTINCT FROM {live}.trigger)"
            )
            done["removed"] = done.get("removed", 0) + remove_rows(con, table, load_id, gone)
    finally:
        for name in registered:
            con.unregister(name)
        kept_path.unlink(missing_ok=True)
    return done


def column_text(rejection: Mapping[str, Any]) -> str | None:
    """The column a rejection names: the export's own (``source_column``) with the
    canonical one it fills in brackets when they differ, as ``sla import`` and the Data
    page show it; the column alone for a canonical file's rows.

    >>> column_text({"column": "entered_at", "source_column": "MQL am"})
    'MQL am (entered_at)'
    >>> column_text({"column": "created_at"}), column_text({"column": None})
    ('created_at', None)
    """
    column, source = rejection.get("column"), rejection.get("source_column")
    if not column or not source or source == column:
        return column
    return f"{source} ({column})"


def _read_from(cells: pl.DataFrame, rejected: pl.DataFrame) -> pl.DataFrame:
    """The rejections with ``source_column``: the export's column a rejected cell was read
    from where it differs by row (``_from_<column>`` cells, one HubSpot stage date of
    several columns); null elsewhere (:attr:`TableBatch.source_columns` names the rest).

    >>> cells = pl.DataFrame({"entered_at": ["x", "y"], "_from_entered_at": ["MQL am", "SQL am"],
    ...                       "_line": [2, 2]})
    >>> bad = pl.DataFrame({"line": [2], "column": ["entered_at"], "reason": ["r"], "value": ["y"]})
    >>> _read_from(cells, bad)["source_column"].to_list()
    ['SQL am']
    """
    rejected = rejected.with_columns(pl.lit(None, dtype=pl.String).alias("source_column"))
    for name in [c for c in cells.columns if c.startswith("_from_")]:
        column = name.removeprefix("_from_")
        if not rejected.height or column not in cells.columns:
            continue
        # the cell as validate_rows quarantines it (trimmed, empty as none); two columns
        # of one line with the same bad cell are both named
        read = (
            cells.select(
                pl.col("_line").cast(pl.Int64).alias("line"),
                pl.col(column).cast(pl.String).str.strip_chars().replace("", None).alias("value"),
                pl.col(name).cast(pl.String).alias("_from"),
            )
            .group_by("line", "value")
            .agg(pl.col("_from").unique(maintain_order=True).str.join(", "))
        )
        rejected = (
            rejected.join(read, on=["line", "value"], how="left", nulls_equal=True)
            .with_columns(
                pl.when(pl.col("column") == column)
                .then(pl.col("_from"))
                .otherwise(pl.col("source_column"))
                .alias("source_column")
            )
            .drop("_from")
        )
    return rejected


def _with_root_causes(
    table: str,
    source_file: str,
    cells: pl.DataFrame,
    rejected: pl.DataFrame,
    known: _KnownKeys,
    sources: Mapping[str, str] | None = None,
) -> pl.DataFrame:
    """Remember why leads were rejected; name that cause in the rows that refer to them.

    A row of a dependent table whose lead this import rejected is quarantined with the
    lead's file, line and reason instead of "refers to an unknown lead". The lead's column
    is named as its own rejection names it (:func:`column_text`): an adapter's or
    mapping's batch (``sources``, :attr:`TableBatch.source_columns`, and the rejections'
    ``source_column`` read per row) by the export's column too, ``Create Date
    (created_at)``; a canonical file's (``sources`` None) by the canonical one.
    """
    if not rejected.height:
        return rejected
    if table == "leads" and "lead_id" in cells.columns:
        first = rejected.sort("line", "column", nulls_last=True).unique("line", keep="first")
        ids = (
            cells.select(pl.col("lead_id").str.strip_chars(), pl.col("_line").alias("line"))
            .join(first, on="line")
            .filter(pl.col("lead_id").is_not_null() & (pl.col("lead_id") != ""))
        )
        name = Path(source_file).name
        for row in ids.iter_rows(named=True):
            column = row["column"]
            if sources is not None and column:
                column = column_text(
                    {
                        "column": column,
                        "source_column": row.get("source_column") or sources.get(column),
                    }
                )
            known.rejected.setdefault(
                row["lead_id"],
                render(
                    "reject.lead_rejected",
                    lead=row["lead_id"],
                    file=name,
                    line=row["line"],
                    column=column or "",
                    cause=row["reason"],
                ),
            )
        return rejected
    if not known.rejected or not any(
        c.references == ("leads", "lead_id") for c in TABLES[table].columns
    ):
        return rejected
    # (an id a spreadsheet garbled is said so, not unknown: the lead's row says it first)
    unknown = pl.col("reason").is_in(
        [render("reject.unknown.leads"), render("reject.scientific_id")]
    ) & pl.col("value").is_in(list(known.rejected))
    return rejected.with_columns(
        pl.when(unknown)
        .then(pl.col("value").replace_strict(known.rejected, default=None))
        .otherwise(pl.col("reason"))
        .alias("reason")
    )


def _load_batch(
    con,
    batch: TableFile | TableBatch,
    *,
    load_id: int,
    to_raw: bool,
    known: _KnownKeys,
    stages: tuple[_Stage, _Stage],
    chunk_rows: int,
    exact: bool,
    on_chunk: Callable[[int], None],
    salt: privacy.Salt = None,
    replace: bool = False,
    earlier: _EarlierKeys | None = None,
    own: _OwnFormat | None = None,
    **validation: Any,
) -> _FileLoad:
    """Validate one batch chunk by chunk, append it to raw, merge its good rows into core.

    Rows are staged until the whole batch is read: then a key seen on an earlier line
    is rejected (as :func:`validate_rows` does for a whole file), the good rows are
    merged and the read rows appended to raw.
    """
    table = batch.table
    done = _FileLoad()
    # the unknown enum values of the valid rows; counted once the rows left out are known
    others: Counter | None = validation.pop("others", None)
    unknown_values: list[pl.DataFrame] = []
    rejected_lines = 0
    stage, raw = stages
    stage.clear()
    raw.clear()
    rep_columns = [c.name for c in TABLES[table].columns if c.references == ("reps", "rep_id")]
    key = TABLES[table].key
    single_key = key[0] if len(key) == 1 and TABLES[table].column(key[0]).kind == "str" else None
    sources = getattr(batch, "source_columns", None)  # None: a canonical file
    keep: list[pl.DataFrame] = []
    present: set[str] = set()
    unreadable: list[int] = []  # lines whose cells could not be read (ragged, a stray quote)
    for cells, problems in batch.chunks(chunk_rows, exact=exact):
        present.update(cells.columns)
        unreadable += [p["line"] for p in problems if p.get("line") is not None]
        cells = privacy.scrub(table, cells, salt=salt, report=done.scrubbed)
        clashing = known.conflicted.get(batch.source_file)
        if clashing and table != "leads" and "lead_id" in cells.columns:
            # the file's other rows of a lead it disagrees on with another file: not loaded
            hit = cells.filter(pl.col("lead_id").str.strip_chars().is_in(list(clashing)))
            done.rejections += [
                {"file": batch.source_file, "table": table, "line": line, "column": "lead_id",
                 "reason": render("reject.conflicting_lead"), "value": lead}
                for lead, line in hit.select("lead_id", "_line").iter_rows()
            ]  # fmt: skip
            done.rows_read += hit.height
            rejected_lines += hit.height
            cells = cells.join(hit.select("_line"), on="_line", how="anti")
        done.rejections += [_safe_problem(p, salt) for p in problems]
        keys = known.of(table)
        if rep_columns:  # an unknown rep becomes a placeholder, not a rejection
            keys = {k: v for k, v in keys.items() if k != "reps.rep_id"}
        valid, rejected = validate_rows(
            table, cells, known_keys=keys, unique_key=False, others=unknown_values, **validation
        )
        if rep_columns and valid.height:
            known.add_placeholder_reps(valid, rep_columns)
        known.unchecked_rows += _unchecked_rows(table, valid, known.unchecked)
        _count_after_import(done.after_import, table, valid, validation.get("now"), cells)
        rejected = in_layout(table, rejected, getattr(batch, "date_format", None))
        rejected = excel_serials(table, rejected)
        rejected = slashed_dates(table, rejected)
        rejected = _read_from(cells, rejected)
        rejected = _with_root_causes(table, batch.source_file, cells, rejected, known, sources)
        done.rows_read += cells.height
        rejected_lines += rejected["line"].n_unique()
        done.rejections += [
            {"file": batch.source_file, "table": table, **row} for row in rejected.to_dicts()
        ]
        if replace and single_key and rejected.height:
            keep.append(
                cells.filter(pl.col("_line").is_in(rejected["line"].implode()))
                .select(pl.col(single_key).str.strip_chars().alias("k"))
                .drop_nulls()
            )
        stage.add(valid)
        if to_raw:
            raw.add(_raw_rows(table, batch.source_file, cells, load_id))
        on_chunk(done.rows_read)
    if replace and (unreadable or not done.rows_read):
        (stored,) = con.execute(f"SELECT count(*) FROM core.{table}").fetchone()
        if stored and unreadable:  # whose rows they are is unknown: a snapshot would drop them
            raise _unreadable_replace(batch.source_file, unreadable, stored, table)
        if stored:  # an empty export is rarely the whole truth
            raise ImportFailed(
                f"{batch.source_file}: the file has no rows: --replace would remove all "
                f"{stored:,} {table} (import it without --replace, or check the export's "
                "filter)"
            )
    # columns the file does not have (or has only as a default for new rows): stored rows
    # keep their values of them, in core and in the attribute history
    absent = [
        c
        for c in TABLES[table].column_names
        if present and (c not in present or c in getattr(batch, "defaulted", ()))
    ]
    drop, duplicates = pl.DataFrame(), pl.DataFrame(schema=REJECTION_SCHEMA)
    if stage.rows:
        drop, duplicates = _stage_duplicates(con, table, stage)
    if stage.rows and earlier is not None and single_key:
        conflicts, drop = earlier.conflicts(con, table, stage, drop, absent=absent)
        duplicates = pl.concat([duplicates, conflicts])
        if table == "leads" and conflicts.height:
            known.conflicted[batch.source_file] = set(conflicts["value"])
    scope = getattr(batch, "scope", None)
    if scope is not None:  # a lead rejected, or an event not read, keeps what it had
        scope, kept_back, drop = _scope_read(con, batch, stage, drop, done.rejections, known)
        duplicates = pl.concat([duplicates, kept_back])
    # what a replace keeps: the file's events it does not say, those of kinds it lacks
    unsaid = [(batch.scope, scope)] if scope is not None else []
    unsaid += [(kind, None) for kind in getattr(batch, "unsaid", ())]
    done.rejections += [
        {"file": batch.source_file, "table": table, **row} for row in duplicates.to_dicts()
    ]
    if others is not None and unknown_values:  # of the rows that load as other
        loaded = pl.concat(unknown_values)
        if "_line" in drop.columns:
            left_out = drop.select(pl.col("_line").cast(pl.Int64))
            loaded = loaded.join(left_out, on="_line", how="anti")
        for column, value, n in loaded.group_by("column", "value").len().iter_rows():
            others[(column, value)] += n
    for r in done.rejections:  # an adapter's batch: the export's own column of each cell
        if sources is None:  # a canonical file: its columns are the file's own
            r.pop("source_column", None)
        elif r.get("source_column") is None:
            r["source_column"] = sources.get(r["column"]) if r.get("column") else None
    if raw.rows:
        # a rejected row is known by its content: the hash of its raw row (unreadable rows,
        # not in raw, get theirs from table, column, value and reason when quarantined)
        done.raw_new, hashes = _append_raw(
            con, table, raw, load_id, (r["line"] for r in done.rejections), absent=absent
        )
        for r in done.rejections:
            r["row_hash"] = hashes.get(r["line"])
    if stage.rows or replace:
        # a table of several files is replaced once all are loaded (_EarlierKeys)
        done.changes = _merge(
            con, table, stage, drop, replace=replace and earlier is None,
            keep=pl.concat(keep) if keep else None, absent=absent, scope=scope,
            load_id=load_id, supersedes=getattr(batch, "supersedes", frozenset()),
            unsaid=unsaid, own=own,
        )  # fmt: skip
        known.changed(table)
    if earlier is not None:
        earlier.kept += keep
        earlier.scopes += unsaid
        if stage.rows:
            earlier.add(con, table, stage, drop, batch.source_file, absent=absent)
    done.rows_loaded = stage.rows - drop.height
    done.rows_rejected = rejected_lines + duplicates.height
    stage.clear()
    raw.clear()
    return done


#: The extensions of the data files an import reads (a batch's ``#part`` follows one).
_DATA_EXTENSIONS = rf"\.(?:{'|'.join(re.escape(s[1:]) for s in (*TABLE_SUFFIXES, '.tsv', '.txt'))})"
#: A file's extension (and an adapter's ``#part``), kept apart when a name is masked: an
#: address right before it would take it along (``a@b.de.csv`` is one address). A
#: mapping's ``.toml`` too.
_EXTENSION = re.compile(rf"((?:{_DATA_EXTENSIONS}|\.toml)(?:#[\w-]*)?)$", re.IGNORECASE)


def _count_after_import(
    counts: dict[str, list[Any]],
    table: str,
    valid: pl.DataFrame,
    now: datetime | None,
    cells: pl.DataFrame | None = None,
) -> None:
    """Add to ``counts`` the good rows of ``valid`` dated after ``now`` (the import's time).

    Parameters
    ----------
    counts : dict
        Column -> ``[rows, first line, its value]``, updated in place (chunks in file order).
    table : str
        The canonical table of ``valid`` (its timestamp and date columns are checked).
    valid : DataFrame
        Typed rows with ``_line`` (:func:`validate_rows`).
    now : datetime or None
        The import's time; None: nothing is counted.
    cells : DataFrame, optional
        The batch's cells with ``_line``: where a column's source differs by row
        (``_from_<column>``), the first such row's export column is kept as a fourth item.

    >>> counts = {}
    >>> rows = pl.DataFrame({"lead_id": ["a", "b"], "stage": ["sql", "sql"], "_line": [2, 3],
    ...     "entered_at": [datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 6, 1, tzinfo=UTC)]})
    >>> _count_after_import(counts, "lifecycle_events", rows, datetime(2026, 12, 6, tzinfo=UTC))
    >>> counts
    {'entered_at': [1, 3, '2027-06-01T00:00:00Z', None]}
    """
    if now is None or not valid.height:
        return
    for column in TABLES[table].columns:
        if column.kind not in ("timestamp", "date") or column.name not in valid.columns:
            continue
        limit = now if column.kind == "timestamp" else now.date()
        ahead = valid.filter(pl.col(column.name) > limit).sort("_line")
        if not ahead.height:
            continue
        line, value = ahead.select("_line", column.name).row(0)
        shown = value.strftime("%Y-%m-%dT%H:%M:%SZ") if column.kind == "timestamp" else str(value)
        source = _source_at(cells, column.name, line, shown)
        entry = counts.setdefault(column.name, [0, line, shown, source])
        entry[0] += ahead.height


def _source_at(cells: pl.DataFrame | None, column: str, line: int, value: str) -> str | None:
    """The export's column a cell of ``column`` on ``line`` holding ``value`` (as the
    adapter wrote it) was read from, where that differs by row (``_from_<column>`` cells:
    one HubSpot or mapping stage date of several on a line), else None.

    >>> cells = pl.DataFrame({"entered_at": ["2026-09-05T08:00:00Z", "2027-09-05T12:30:00Z"],
    ...                       "_from_entered_at": ["MQL am", "SQL am"], "_line": [3, 3]})
    >>> _source_at(cells, "entered_at", 3, "2027-09-05T12:30:00Z")
    'SQL am'
    >>> _source_at(cells, "created_at", 3, "2027-09-05T12:30:00Z") is None
    True
    """
    name = f"_from_{column}"
    if cells is None or name not in cells.columns:
        return None
    on_line = cells.filter(pl.col("_line").cast(pl.Int64) == line)
    exact = on_line.filter(pl.col(column).cast(pl.String).str.strip_chars() == value)
    found = (exact if exact.height else on_line)[name]  # a cell written otherwise: the line's
    return None if found.is_empty() else found[0]


def _file_of(source_file: str) -> str:
    """The file a batch was read from: its name without an adapter's ``#part``.

    >>> _file_of("in/contacts.csv#lifecycle_events"), _file_of("in/leads.csv")
    ('in/contacts.csv', 'in/leads.csv')
    """
    return re.sub(rf"({_DATA_EXTENSIONS})#[\w-]*$", r"\1", source_file, flags=re.I)


def _masked_rejections(rows: Sequence[Mapping[str, Any]]) -> tuple[list, list]:
    """The reasons and cell values of rejected rows with personal data masked, as the
    quarantine keeps them (:func:`~analytics.warehouse.privacy.mask_texts`: at once, in
    time linear in their length)."""
    reasons = privacy.mask_texts([r["reason"] for r in rows])
    values = privacy.mask_texts([None if r.get("value") is None else str(r["value"]) for r in rows])
    return reasons, values


def stored_name(source_file: str) -> str:
    """A file's name or path as the warehouse records it (``meta.loads``,
    ``meta.quarantine``, ``raw.<table>._source_file``) and the import reports it: e-mail
    addresses, phone numbers and IBANs masked (:func:`~analytics.warehouse.privacy.mask_text`),
    the extension kept.

    >>> stored_name("exports/calls erika@example.org +49 170 5550001.csv")
    'exports/calls [email] [phone].csv'
    >>> stored_name("von a@b.de/kontakte x@y.de.csv#events")
    'von [email]/kontakte [email].csv#events'
    >>> stored_name("contacts x@y.de.xlsx#lifecycle_events")
    'contacts [email].xlsx#lifecycle_events'
    """
    stem, extension, _ = (*_EXTENSION.split(source_file, maxsplit=1), "", "")[:3]
    return (privacy.mask_text(stem) or "") + extension


def _stored_batch(batch: TableFile | TableBatch) -> TableFile | TableBatch:
    """The batch recorded under its :func:`stored_name`."""
    name = stored_name(batch.source_file)
    if name == batch.source_file:
        return batch
    if isinstance(batch, TableFile):
        return dataclasses.replace(batch, label=name)
    return dataclasses.replace(batch, source_file=name)


def _safe_problem(problem: dict[str, Any], salt: privacy.Salt) -> dict[str, Any]:
    """A reader's problem as it may be kept: a row with the wrong number of fields comes
    with its ``cells`` (header -> cell), replaced by the ``value``
    :func:`~analytics.warehouse.privacy.misaligned_row` makes of them."""
    if "cells" not in problem:
        return problem
    kept = {k: v for k, v in problem.items() if k != "cells"}
    kept["value"] = privacy.misaligned_row(problem.get("table"), problem["cells"], salt=salt)
    return kept


def _rejection_hash(rejection: Mapping[str, Any]) -> str:
    """A content hash of a rejection the reader made (no cells): its table, column, value
    and reason (as stored: masked), the hash :func:`migrate_hashes` computes in SQL.

    >>> _rejection_hash({"table": "t", "column": None, "value": "a", "reason": "r"})[:12]
    '2f45093a3912'
    """
    parts = [rejection.get(k) for k in ("table", "column", "value", "reason")]
    return hashlib.sha256(
        "\x1f".join("" if p is None else str(p) for p in parts).encode()
    ).hexdigest()


def _remove_dependents(
    con,
    load_id: int,
    batches: Sequence[TableFile | TableBatch],
    result: ImportResult,
    *,
    fmt: str | None,
    now: datetime,
) -> None:
    """Remove the rows of the leads load ``load_id`` removed
    (:func:`~analytics.warehouse.removals.remove_dependents`), counted as removed in
    ``result.changes`` and in the load log: on the load's first row of the table, or a
    row of the leads file's own where the import has no file of the table."""
    if not result.changes.get("leads", {}).get("removed"):
        return
    leads = next(b for b in batches if b.table == "leads")
    for table, n in remove_dependents(con, load_id).items():
        counts = result.changes.setdefault(table, dict.fromkeys(CHANGE_KINDS, 0))
        counts["removed"] += n
        updated = con.execute(
            "UPDATE meta.loads SET rows_removed = rows_removed + ? WHERE rowid = ("
            "SELECT min(rowid) FROM meta.loads WHERE load_id = ? AND table_name = ?)",
            [n, load_id, table],
        ).fetchall()[0][0]
        if not updated:
            con.execute(
                f"INSERT INTO meta.loads ({LOADS_COLUMNS}) "
                "VALUES (?, ?, ?, ?, 0, 0, 0, ?, 0, 0, 0, ?, false, ?, NULL)",
                [load_id, table, leads.source_file, leads.file_sha256, now, n, fmt],
            )


def load_batches(
    db_path: str | Path,
    batches: Sequence[TableFile | TableBatch],
    *,
    config: SlaConfig | None = None,
    unreadable: list[dict[str, Any]] | None = None,
    progress: Progress | None = None,
    chunk_rows: int = CHUNK_ROWS,
    salt: privacy.Salt = None,
    replace: bool = False,
    fmt: str | None = None,
    notices: Mapping[str, Sequence[Any]] | None = None,
) -> ImportResult:
    """Validate and load batches into the warehouse in one transaction.

    Parameters
    ----------
    db_path
        The warehouse file (created when missing).
    batches
        One per file and table; loaded in reference order (accounts, reps, leads, ...).
    config
        The SLA config: its enum extensions and stage aliases are accepted values.
    unreadable
        Rows the reader could not read (wrong field count, bad bytes); quarantined too. A
        row with the wrong field count comes with ``cells`` (header -> cell), never
        stored: its quarantine value is
        :func:`~analytics.warehouse.privacy.misaligned_row` of them.
    chunk_rows
        Rows validated and written at a time; results do not depend on it.
    replace
        The files are full snapshots: per table loaded, the core rows whose key the file
        does not have are removed, of those loads of its format saw (:class:`_OwnFormat`),
        and a lead it removes takes its rows in every table along
        (:func:`~analytics.warehouse.removals.remove_dependents`; default: upsert by key,
        nothing is removed).
    fmt
        The import's format, recorded in the load log (``meta.loads.format``):
        ``canonical``, an adapter's name, or ``mapping:<file name>``.
    notices
        What the adapter says of each file (file name -> :class:`~analytics.texts.Text`
        each): the result's :attr:`ImportResult.notices`, and recorded with the load
        (``meta.load_notices``): the pages say what the latest import said (its deals of
        several pipelines all count...).
    salt
        Salt of the hashes of personal ids (e-mail, phone, IBAN) in id columns (default:
        :func:`~analytics.warehouse.privacy.hash_salt` of the warehouse and the config's
        ``[privacy] salt_file``, made only when a hash is needed).

    Every chunk is scrubbed of personal data (:func:`analytics.warehouse.privacy.scrub`)
    before it is validated or written; quarantine values are masked, and so are the
    file names and paths recorded and reported (:func:`stored_name`).

    Returns
    -------
    ImportResult
        Rows loaded per table and every rejection (file, line, column, reason); the
        personal columns dropped and the columns masked, per file.
    """
    enum_extra, enum_aliases = _enum_options(config)
    result = ImportResult()
    order = {t: i for i, t in enumerate(LOAD_ORDER)}
    # the one place that names the files as they are stored: masked (stored_name)
    batches = sorted((_stored_batch(b) for b in batches), key=lambda b: order[b.table])
    unreadable = [{**r, "file": stored_name(r["file"])} for r in unreadable or []]
    now = datetime.now(UTC)
    result.imported_at = now
    if salt is None:

        def salt() -> str:
            salt_file = config.privacy.salt_file if config is not None else None
            return privacy.hash_salt(db_path, salt_file=salt_file)

    # a warehouse written under older privacy rules: every stored cell brought to today's
    # first (a rebuild of its own, logged as a load), so that the new rows join its ids
    from analytics.warehouse.purge import PurgeFailed
    from analytics.warehouse.rescrub import bring_to_rules

    try:
        result.privacy = bring_to_rules(db_path, salt=salt, config=config, record=False)
    except PurgeFailed as exc:
        raise ImportFailed(str(exc)) from None
    with (
        updating(db_path, keep_results=True) as con,  # cleared below, unless nothing changed
        tempfile.TemporaryDirectory(
            prefix=f".{Path(db_path).name}.stage-{os.getpid()}-", dir=Path(db_path).parent
        ) as folder,
    ):
        con.execute(f"SET memory_limit = '{DUCKDB_MEMORY_LIMIT}'")
        # the config is recorded with the load: one that cannot be (a label naming other
        # content, a day another version takes effect) stops it before any row is read
        if config is not None and (conflict := recording_conflict(con, config)) is not None:
            raise ImportFailed(conflict)
        migrate_hashes(con)  # a warehouse written before row hashes and sightings
        record_rules(con)  # its cells satisfy the privacy rules of this code now
        # the stored results are kept until the load shows it changed their data (below);
        # their index exists, so that no read of it fails (and aborts the transaction)
        from analytics.warehouse.precomputed import clear_results, create_table

        create_table(con)
        as_of_before = latest_timestamp(con)
        load_id = con.execute("SELECT coalesce(max(load_id), 0) + 1 FROM meta.loads").fetchall()[0][
            0
        ]
        result.load_id = load_id
        known = _KnownKeys(con, unchecked=_unchecked_references(con, batches))
        own = _OwnFormat(con, fmt, load_id, config) if replace else None
        if replace:  # lines an adapter could not read (a stray quote): as a canonical file's
            for (file, table), lines in _lines_by_file(unreadable).items():
                (stored,) = con.execute(f"SELECT count(*) FROM core.{table}").fetchone()
                if stored:
                    raise _unreadable_replace(file, lines, stored, table)
        # a table filled from several files (a HubSpot export split in two): the keys each
        # file loaded, so that one lead with other values in another file is no silent winner
        per_table = Counter(b.table for b in batches)
        known.track_scoped = sum(getattr(b, "scope", None) is not None for b in batches) > 1
        earlier = {t: _EarlierKeys() for t, n in per_table.items() if n > 1}
        # a table the import says nothing of but the rows it gives (the reps an export
        # names by owner): --replace removes none of it, and the load log says so (what a
        # purge reads as "a later load would have removed it too")
        unreplaced = {
            b.table
            for b in batches
            if any(s.says_nothing_of(b.table) for s in getattr(b, "unsaid", ()))
        }
        changed_files: set[str] = set()
        # the rows each file held (read, or quarantined as unreadable): one without any is
        # named as such, not as "already loaded"
        rows_in_file: Counter = Counter(_file_of(p["file"]) for p in unreadable if "file" in p)
        others: Counter = Counter()
        quarantine_rows = [_safe_problem(r, salt) for r in unreadable]
        quarantined = 0  # rows new in the quarantine
        for index, batch in enumerate(batches):
            if progress:
                progress(f"loading {batch.table}", index / max(len(batches), 1))
            load = dict(
                load_id=load_id,
                to_raw=True,
                replace=replace,
                known=known,
                stages=(_Stage(Path(folder), "good"), _Stage(Path(folder), "raw")),
                chunk_rows=chunk_rows,
                on_chunk=_chunk_progress(progress, batch, index, len(batches)),
                enum_extra=enum_extra,
                enum_aliases=enum_aliases,
                salt=salt,
                now=now,
                others=others,
                earlier=earlier.get(batch.table),
                own=own,
            )
            try:
                done = _load_batch(con, batch, exact=False, **load)
            except _ReadExactly:
                # only the exact reader numbers this file's lines (nothing is written yet)
                done = _load_batch(con, batch, exact=True, **load)
            quarantine_rows += sorted(
                done.rejections, key=lambda r: (r["line"], r.get("column") or "")
            )
            result.loaded[batch.table] = result.loaded.get(batch.table, 0) + done.rows_loaded
            privacy.report_into(result, batch.source_file, done.scrubbed)
            result.other_values += [
                {
                    "table": batch.table,
                    "column": column,
                    "value": value,
                    "rows": n,
                    "config": f'[enums] {column} = ["{value}"]',
                }
                for (column, value), n in sorted(others.items(), key=lambda o: (-o[1], o[0]))
            ]
            others.clear()
            sources = getattr(batch, "source_columns", None)  # None: a canonical file
            result.after_import += [
                {"file": batch.source_file, "column": column, "rows": n, "line": line,
                 "value": value,
                 **({} if sources is None else {"source_column": source or sources.get(column)})}
                for column, (n, line, value, source) in done.after_import.items()
            ]  # fmt: skip
            last = all(b.table != batch.table for b in batches[index + 1 :])
            if replace and last and batch.table in earlier:  # once all its files are loaded
                removed = earlier[batch.table].remove_missing(con, batch.table, load_id, own)
                done.changes["removed"] = done.changes.get("removed", 0) + removed
                known.changed(batch.table)
            changes = {k: done.changes.get(k, 0) for k in CHANGE_KINDS}
            rows_in_file[_file_of(batch.source_file)] += done.rows_read + done.rows_rejected
            if batch.table not in result.changes:
                result.changes[batch.table] = dict.fromkeys(CHANGE_KINDS, 0)
            for kind, n in changes.items():
                result.changes[batch.table][kind] += n
            if not (changes["added"] or changes["changed"] or changes["removed"] or done.raw_new):
                # nothing new, not even a row version for the raw layer: still a load, which
                # saw its rows (meta.raw_seen)
                result.unchanged_files.append(batch.source_file)
            else:
                changed_files.add(_file_of(batch.source_file))
            con.execute(
                f"INSERT INTO meta.loads ({LOADS_COLUMNS}) VALUES ({', '.join(['?'] * 15)})",
                [
                    load_id,
                    batch.table,
                    batch.source_file,
                    batch.file_sha256,
                    done.rows_read,
                    done.rows_loaded,
                    done.rows_rejected,
                    now,
                    *changes.values(),
                    # a full snapshot of its table: what it lacks was removed
                    replace and batch.table not in unreplaced,
                    fmt,
                    recorded_scopes(batch),  # what a purge replays of it
                ],
            )
        if replace:  # a lead the snapshot removed takes its rows along, in every table
            _remove_dependents(con, load_id, batches, result, fmt=fmt, now=now)
        result.notices = {file: list(texts) for file, texts in (notices or {}).items()}
        said = [
            (load_id, file, text.code, json.dumps(text.params))
            for file, texts in result.notices.items()
            for text in texts
        ]
        if said:
            con.executemany("INSERT INTO meta.load_notices VALUES (?, ?, ?, ?)", said)
        # a file is unchanged only when none of its tables changed (a HubSpot contacts file
        # makes leads, reps and lifecycle events): named once, as the user knows it
        result.empty_files = [
            stored_name(f)
            for f in dict.fromkeys(_file_of(b.source_file) for b in batches)
            if not rows_in_file[f]
        ]
        result.unchanged_files = list(
            dict.fromkeys(
                _file_of(f)
                for f in result.unchanged_files
                if _file_of(f) not in changed_files and rows_in_file[_file_of(f)]
            )
        )
        reasons, values = _masked_rejections(quarantine_rows)
        # a header is a name, not a value; still masked as the file name is (a header that
        # is an e-mail address is kept as [email])
        sources = privacy.mask_texts([r.get("source_column") for r in quarantine_rows])
        if quarantine_rows:
            sha_by_file = {b.source_file: b.file_sha256 for b in batches}
            frame = pl.DataFrame(
                [
                    {
                        "load_id": load_id,
                        "table_name": r.get("table"),
                        "source_file": r["file"],
                        "file_sha256": sha_by_file.get(r["file"]),
                        "line": r["line"],
                        "column": r.get("column"),
                        "reason": reason,
                        "value": value,
                        "loaded_at": now,
                        "row_hash": r.get("row_hash")
                        or _rejection_hash({**r, "reason": reason, "value": value}),
                        "source_column": source,
                    }
                    for r, reason, value, source in zip(
                        quarantine_rows, reasons, values, sources, strict=True
                    )
                ],
                schema={
                    "load_id": pl.Int32,
                    "table_name": pl.String,
                    "source_file": pl.String,
                    "file_sha256": pl.String,
                    "line": pl.Int64,
                    "column": pl.String,
                    "reason": pl.String,
                    "value": pl.String,
                    "loaded_at": pl.Datetime("us", "UTC"),
                    "row_hash": pl.String,
                    "source_column": pl.String,
                },
            )
            con.register("incoming_q", frame)
            # The same rejected row (same content, same rule) is quarantined once, whatever
            # path or line it came from and however often it is loaded; rows stored before
            # content hashes existed are matched by file content and line.
            columns = ", ".join(f'"{c}"' for c in frame.columns)
            ((quarantined,),) = con.execute(
                f"""INSERT INTO meta.quarantine ({columns}) SELECT {columns} FROM incoming_q q
                WHERE NOT EXISTS (
                     SELECT 1 FROM meta.quarantine m
                     WHERE m.table_name IS NOT DISTINCT FROM q.table_name
                     AND m."column" IS NOT DISTINCT FROM q."column" AND m.reason = q.reason
                     AND (m.row_hash = q.row_hash OR (m.row_hash IS NULL
                          AND m.file_sha256 IS NOT DISTINCT FROM q.file_sha256
                          AND m.line = q.line)))
                QUALIFY row_number() OVER (
                    PARTITION BY table_name, "column", reason, row_hash ORDER BY source_file, line
                ) = 1"""
            ).fetchall()
            con.unregister("incoming_q")
        # a new version judges its months anew
        new_version = config is not None and record_config_version(con, config)
        as_of = latest_timestamp(con)
        # the stored results hold while the data they read did not change, nor its latest
        # moment (rows dated after the last import became known: as_of moved); cleared
        # before the coverage is read with the tables (the stored MQL episodes among them)
        removed = any(c["removed"] for c in result.changes.values())
        if changed_files or removed or quarantined or new_version or as_of != as_of_before:
            clear_results(con)
        else:
            result.results_kept = True
        record_coverage(con, config)
        # the moment this load's data is known from (its latest timestamp): the versions it
        # replaced end there, whatever later loads bring
        con.execute("UPDATE meta.loads SET data_as_of = ? WHERE load_id = ?", [as_of, load_id])
        record_history(con, config)  # the scored attributes this load replaced, and until when
        if progress:
            progress("committing", 1.0)
    result.placeholder_reps = known.placeholders
    result.unchecked_accounts = known.unchecked_rows
    result.format = fmt
    if own is not None:  # in load order, as the tables are reported
        result.kept_for_other_formats = {t: own.kept[t] for t in LOAD_ORDER if own.kept[t]}
    result.rejected = sorted(
        (
            {
                "file": r["file"],
                "line": r["line"],
                "column": r.get("column"),
                "reason": r["reason"],
                "value": value,  # what the cell held, masked as the quarantine keeps it
                # an adapter's or mapping's import: the export's own column (the file
                # has no `column` of that name); a canonical file's rows have no such key
                **({"source_column": source} if "source_column" in r else {}),
            }
            for r, value, source in zip(quarantine_rows, values, sources, strict=True)
        ),
        key=lambda r: (r["file"], r["line"], r["column"] or ""),
    )
    return result


def import_canonical(
    db_path: str | Path,
    path: str | Path,
    *,
    config: SlaConfig | None = None,
    progress: Progress | None = None,
    chunk_rows: int = CHUNK_ROWS,
    replace: bool = False,
) -> ImportResult:
    """Load a canonical folder (or one table file) into the warehouse, a chunk at a time.

    ``replace``: the files are full snapshots (see :func:`load_batches`).

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "reps.csv").write_text("rep_id,name,team\\n007,Ana,sdr\\n008,Bo,\\n")
    >>> r = import_canonical(d / "w.duckdb", d)
    >>> r.loaded, r.rejected[0]["line"], r.rejected[0]["column"]
    ({'reps': 1}, 3, 'team')
    """
    batches, unreadable = canonical_batches(path)
    return load_batches(
        db_path,
        batches,
        config=config,
        unreadable=unreadable,
        progress=progress,
        chunk_rows=chunk_rows,
        replace=replace,
        fmt="canonical",
    )


def write_tables(
    db_path: str | Path,
    frames: Mapping[str, pl.DataFrame] | Iterable[Mapping[str, pl.DataFrame]],
    *,
    source: str,
    config: SlaConfig | None = None,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Replace the warehouse with already-valid typed frames (the demo generator's output).

    Writes ``core`` directly (no row validation: the frames come from code that keeps
    the contract, and the tests check it) and logs one load per table. ``frames`` is
    one frame per table, or an iterable of such mappings (e.g.
    :func:`analytics.demo.generate_demo_chunks`), appended one after the other so
    that only one is in memory at a time. Each chunk is committed to the staged copy
    (DuckDB would otherwise hold every appended chunk in memory until the end); the
    warehouse is replaced only when all are written, and stays as it was if one fails.

    Returns
    -------
    dict[str, int]
        Rows written per table, in load order.
    """
    chunks = [frames] if isinstance(frames, Mapping) else frames
    now = datetime.now(UTC)
    written: dict[str, int] = {}
    with updating(db_path, fresh=True) as con:
        for chunk in chunks:
            for table in LOAD_ORDER:
                frame = chunk.get(table)
                if frame is None:
                    continue
                if progress:
                    progress(f"writing {table}", LOAD_ORDER.index(table) / len(LOAD_ORDER))
                columns = TABLES[table].column_names
                con.register("incoming", frame.select(columns))
                cols = ", ".join(f'"{c}"' for c in columns)
                con.execute(f"INSERT INTO core.{table} ({cols}) SELECT {cols} FROM incoming")
                con.unregister("incoming")
                written[table] = written.get(table, 0) + frame.height
            del chunk, frame
            commit_step(con)
        written = {table: written[table] for table in LOAD_ORDER if table in written}
        for table, rows in written.items():
            con.execute(
                f"INSERT INTO meta.loads ({LOADS_COLUMNS}) "
                "VALUES (1, ?, ?, NULL, ?, ?, 0, ?, ?, 0, 0, 0, false, NULL, NULL)",
                [table, source, rows, rows, now, rows],
            )
        if config is not None:
            record_config_version(con, config)
        record_coverage(con, config)
        if progress:
            progress("committing", 1.0)
    return written
