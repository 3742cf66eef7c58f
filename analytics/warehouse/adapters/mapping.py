"""Any CSV, described by a small TOML mapping: ``sla import --mapping kontakte.toml FILE``.

A mapping fills one canonical table from one CSV file (or Excel workbook)::

    table = "leads"                  # the canonical table

    [csv]                            # optional; command-line flags win
    delimiter = ";"
    encoding = "cp1252"
    decimal_comma = true
    date_format = "%d.%m.%Y %H:%M"
    timezone = "Europe/Berlin"

    [columns]                        # file column -> canonical column
    "Kontakt-Nr" = "lead_id"
    "Angelegt am" = "created_at"
    "Quelle" = "source"
    "Betreuer" = "owner_rep_id"

    [values.source]                  # file value -> canonical value (case-insensitive)
    "Google Ads" = "paid_search"
    "Messe" = "event"
    "*" = "other"                    # every other non-empty value

    [defaults]                       # constants for canonical columns the file lacks
    source = "other"

    [stages]                         # leads only: date column -> lifecycle stage entered
    "MQL am" = "mql"
    "SQL am" = "sql"

    hash = ["E-Mail"]                # mapped columns stored as a salted hash

A personal column (name, e-mail, phone: :func:`~analytics.warehouse.privacy.is_personal`)
mapped to an id column (``lead_id``...) or listed in ``hash`` is stored as a salted hash
(``h_`` + 16 hex characters) so that files can still be joined; mapped to any other
column (``"E-Mail" = "campaign"``) it is refused with a message, except a column named
``Name`` mapped to a company's or a sales rep's ``name`` (``"Privatadresse" = "name"`` is
refused). Personal columns that are not mapped are dropped and reported.
Other unmapped columns are kept in the raw layer, their e-mails, phone numbers and IBANs
masked. Dates, numbers and booleans are read as in office exports.
"""

from __future__ import annotations

import codecs
import tomllib
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import polars as pl

from analytics.schema import TABLES
from analytics.warehouse.adapters.common import (
    DEFAULT_OPTIONS,
    CsvOptions,
    Export,
    Salt,
    batch,
    canonical_text,
    is_personal,
    normalise_header,
    read_export_file,
    require_columns,
    resolve_salt,
    salted_hash,
    timestamp_text,
)
from analytics.warehouse.loader import EventScope, ImportFailed

_KEYS = {"table", "csv", "columns", "values", "defaults", "stages", "hash"}
_CSV_KEYS = {"delimiter", "encoding", "decimal_comma", "date_format", "timezone"}
#: Targets a plain ``Name`` column may fill although the header is personal: a company's
#: name, a sales rep's name (``Account Name``, ``Firmenname`` are not personal anyway).
_NAMED = {("accounts", "name"), ("reps", "name")}


def _plain_name(header: str) -> bool:
    """Whether a header is just ``Name`` (the one personal header a company's or a rep's
    ``name`` may be filled from).

    >>> [_plain_name(h) for h in ["Name", " name ", "Privatadresse", "Vorname", "Full Name"]]
    [True, True, False, False, False]
    """
    return normalise_header(header) == "name"


def load_mapping(path: str | Path) -> dict[str, Any]:
    """Read and check a mapping file.

    Raises
    ------
    ImportFailed
        Bad TOML, an unknown key, table, canonical column or stage; the message names
        it and the allowed ones.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "m.toml"
    >>> _ = p.write_text('table = "lead"\\n[columns]\\nId = "lead_id"\\n')
    >>> load_mapping(p)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    analytics.warehouse.loader.ImportFailed: ...m.toml: table 'lead' is not a canonical table; \
allowed: accounts, reps, leads, ...
    """
    path = Path(path)
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ImportFailed(f"{path}: cannot be read: {exc.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ImportFailed(f"{path}: not valid TOML: {exc}") from None
    unknown = sorted(set(doc) - _KEYS)
    if unknown:
        raise ImportFailed(f"{path}: unknown key(s) {unknown}; allowed: {sorted(_KEYS)}")
    table = doc.get("table")
    if table not in TABLES:
        raise ImportFailed(
            f"{path}: table {table!r} is not a canonical table; allowed: {', '.join(TABLES)}"
        )
    columns = TABLES[table].column_names
    mapped = doc.get("columns", {})
    if not isinstance(mapped, dict) or not mapped:
        raise ImportFailed(f"{path}: [columns] must map file columns to canonical columns")
    for source, target in [*mapped.items(), *((k, k) for k in doc.get("defaults", {}))]:
        if target not in columns:
            raise ImportFailed(
                f"{path}: {source!r} -> {target!r}: {table} has no column {target!r}; "
                f"allowed: {', '.join(columns)}"
            )
    hashed = {str(c).strip().lower() for c in doc.get("hash", [])}
    for source, target in mapped.items():
        if not is_personal(source) or target.endswith("_id"):
            continue
        if (table, target) in _NAMED and source.strip().lower() not in hashed:
            if _plain_name(source):
                continue
            raise ImportFailed(
                f"{path}: [columns] {source!r} = {target!r}: {source!r} holds personal data "
                f"(a name, e-mail, phone number, address...); {table}.{target} may be filled "
                "only from a column named Name (or a company's name such as Account Name or "
                "Firmenname); leave it out (it is then dropped)"
            )
        if source.strip().lower() not in hashed:
            raise ImportFailed(
                f"{path}: [columns] {source!r} = {target!r}: {source!r} holds personal data "
                f"(a name, e-mail, phone number, address...) and {target!r} is not an id "
                "column; map it to an id column (stored as a salted hash), list it in "
                "hash = [...], or leave it out (it is then dropped)"
            )
    for target in doc.get("values", {}):
        if target not in columns:
            raise ImportFailed(
                f"{path}: [values.{target}]: {table} has no column {target!r}; "
                f"allowed: {', '.join(columns)}"
            )
    if doc.get("stages") and table != "leads":
        raise ImportFailed(f'{path}: [stages] needs table = "leads" (it is {table!r})')
    stages = TABLES["lifecycle_events"].column("stage").enum
    for source, stage in doc.get("stages", {}).items():
        if stage not in stages:
            raise ImportFailed(
                f"{path}: [stages] {source!r} -> {stage!r} is not a stage; "
                f"allowed: {', '.join(stages)}"
            )
    bad_csv = sorted(set(doc.get("csv", {})) - _CSV_KEYS)
    if bad_csv:
        raise ImportFailed(f"{path}: unknown [csv] key(s) {bad_csv}; allowed: {sorted(_CSV_KEYS)}")
    for key, value in doc.get("csv", {}).items():  # a number or "false" crashed the reader
        wanted = bool if key == "decimal_comma" else str
        if not isinstance(value, wanted):
            kind = "true or false" if wanted is bool else "a text in quotes"
            raise ImportFailed(f"{path}: [csv] {key} = {value!r}: must be {kind}")
    delimiter = doc.get("csv", {}).get("delimiter")
    if delimiter is not None and len(delimiter.replace("\\t", "\t")) != 1:
        raise ImportFailed(f"{path}: [csv] delimiter = {delimiter!r}: must be one character")
    encoding = doc.get("csv", {}).get("encoding")
    if encoding is not None:
        try:
            text_codec = codecs.lookup(encoding)._is_text_encoding  # rot13 is no file's
        except LookupError:
            text_codec = False
        if not text_codec:
            raise ImportFailed(
                f"{path}: [csv] encoding = {encoding!r}: not an encoding (utf-8, cp1252, utf-16)"
            )
    timezone = doc.get("csv", {}).get("timezone")
    if timezone is not None:
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ImportFailed(
                f"{path}: [csv] timezone = {timezone!r}: not a time zone (Europe/Berlin, UTC)"
            ) from None
    required = [c.name for c in TABLES[table].columns if c.required]
    missing = [c for c in required if c not in mapped.values() and c not in doc.get("defaults", {})]
    if missing:
        raise ImportFailed(
            f"{path}: the required column(s) {', '.join(missing)} of {table} are neither "
            "mapped in [columns] nor set in [defaults]"
        )
    return doc


def _options(doc: dict[str, Any], options: CsvOptions) -> CsvOptions:
    """Command-line options win over the mapping's [csv] section."""
    csv = doc.get("csv", {})
    return CsvOptions(
        delimiter=options.delimiter or csv.get("delimiter"),
        encoding=options.encoding or csv.get("encoding"),
        decimal_comma=(
            options.decimal_comma if options.decimal_comma is not None else csv.get("decimal_comma")
        ),
        date_format=options.date_format or csv.get("date_format"),
        timezone=options.timezone if options.timezone != "UTC" else csv.get("timezone", "UTC"),
    )


def _mapped_values(expr: pl.Expr, values: dict[str, str]) -> pl.Expr:
    low = {str(k).strip().lower(): str(v) for k, v in values.items() if k != "*"}
    key = expr.str.strip_chars().str.to_lowercase()
    fallback = pl.lit(values["*"], dtype=pl.String) if "*" in values else expr
    return (
        pl.when(expr.is_null())
        .then(expr)
        .otherwise(key.replace_strict(low, default=fallback, return_dtype=pl.String))
    )


def read_mapped(
    path: str | Path,
    *,
    mapping: str | Path,
    options: CsvOptions = DEFAULT_OPTIONS,
    salt: Salt = None,
) -> Export:
    """Translate one CSV into a canonical table as its TOML mapping says.

    Parameters
    ----------
    path
        The CSV file.
    mapping
        The TOML mapping (see the module docstring).
    options
        Flags that override the mapping's ``[csv]`` section.
    salt
        Salt of the hashes of personal identifiers.

    Returns
    -------
    Export
        A batch of the mapped table (and of lifecycle_events with ``[stages]``).

    >>> import tempfile, pathlib, os
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "m.toml").write_text('table = "leads"\\n[columns]\\n"E-Mail" = "lead_id"\\n'
    ...     '"Datum" = "created_at"\\n"Quelle" = "source"\\n[values.source]\\nMesse = "event"\\n')
    >>> _ = (d / "k.csv").write_text(
    ...     "E-Mail;Datum;Quelle;Telefon\\nA@b.de;05.10.2026;Messe;0301\\n")
    >>> e = read_mapped(d / "k.csv", mapping=d / "m.toml", salt="s")
    >>> row = e.batches[0].cells.row(0, named=True)
    >>> row["lead_id"].startswith("h_"), row["created_at"], row["source"], e.dropped_columns
    (True, '2026-10-05T00:00:00Z', 'event', {...: ['telefon']})
    """
    doc = load_mapping(mapping)
    path = Path(path)
    if not path.is_file():
        raise ImportFailed(
            f"{path}: no such file (a --mapping import reads one CSV file or Excel workbook)"
        )
    options = _options(doc, options)
    file = read_export_file(path, options)
    table: str = doc["table"]
    mapped = {str(k).strip().lower(): v for k, v in doc["columns"].items()}
    stages = {str(k).strip().lower(): v for k, v in doc.get("stages", {}).items()}
    require_columns(file, [*mapped, *stages], table, mapping=Path(mapping).name)
    hashed = {str(c).strip().lower() for c in doc.get("hash", [])}
    hashed |= {c for c, target in mapped.items() if is_personal(c) and target.endswith("_id")}
    c = file.cells
    exprs = []
    for source, target in mapped.items():
        e = pl.col(source)
        if source in hashed:
            e = salted_hash(e, resolve_salt(salt))
        if target in doc.get("values", {}):
            e = _mapped_values(e, doc["values"][target])
        if target in doc.get("defaults", {}):
            e = e.fill_null(pl.lit(str(doc["defaults"][target])))
        exprs.append(e.alias(target))
    for target, value in doc.get("defaults", {}).items():
        if target not in mapped.values():
            exprs.append(pl.lit(str(value)).alias(target))
    used = set(mapped) | set(stages)
    dropped = [h for h in file.header if h not in used and is_personal(h) and h in c.columns]
    extra = [h for h in c.columns if h not in used and h != "_line" and h not in dropped]
    cells = c.select(*exprs, "_line", *extra)
    cells = canonical_text(table, cells, options, decimal_comma=file.decimal_comma(options))
    # a rejected cell is named by the file's column too: the user finds `MQL am`, not
    # `entered_at`
    sources = {target: file.named(source) for source, target in mapped.items()}
    export = Export(
        batches=[
            batch(table, file, cells, extra=extra, date_format=options.date_format, sources=sources)
        ],
        unreadable=[{**p, "table": table} for p in file.unreadable],
        dropped_columns={file.label: dropped},
    )
    if stages:
        key = cells.select("lead_id", "_line")
        first = key.filter(pl.col("_line") == pl.col("_line").min().over("lead_id"))
        events = pl.concat(
            [
                first.join(c.select(pl.col(source).alias("_at"), "_line"), on="_line").select(
                    "lead_id",
                    pl.lit(stage).alias("stage"),
                    timestamp_text(
                        pl.col("_at"), date_format=options.date_format, timezone=options.timezone
                    ).alias("entered_at"),
                    pl.lit("import").alias("trigger"),
                    "_line",
                    pl.lit(file.named(source)).alias("_from_entered_at"),
                )
                for source, stage in stages.items()
            ]
        ).filter(pl.col("entered_at").is_not_null())
        # one date per stage and lead, as HubSpot's: a refresh that moves it replaces the
        # stored event, one that clears it removes it (not a second MQL beside the first)
        scope = EventScope(first["lead_id"], frozenset(stages.values()), "import")
        export.batches.append(
            batch(
                "lifecycle_events",
                file,
                events,
                scope=scope,
                date_format=options.date_format,
                sources={"lead_id": sources.get("lead_id")},
            )
        )
    return export
