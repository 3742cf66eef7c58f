"""Loading tables into the warehouse: canonical folders and adapter output alike.

A load is a list of :class:`TableBatch` (the text cells of one file for one canonical
table, with line numbers). :func:`load_batches` validates every batch, quarantines
broken rows, appends new files to ``raw``, merges the good rows into ``core`` by key,
and does it all in one transaction on a copy that is swapped in at the end
(:func:`analytics.warehouse.database.updating`). :func:`import_canonical` reads a
canonical folder (spec/canonical-format.md) into batches.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from analytics.config import SlaConfig
from analytics.schema import LOAD_ORDER, TABLES
from analytics.warehouse.config_history import record_config_version
from analytics.warehouse.database import updating
from analytics.warehouse.validate import validate_rows

Progress = Callable[[str, float], None]


class ImportFailed(Exception):
    """Nothing was loaded: the message names the file and what is wrong with it."""


@dataclass(frozen=True)
class TableBatch:
    """The text cells of one file for one canonical table.

    ``cells`` has one row per data row: text columns named as the canonical columns,
    ``_line`` (the row's line in ``source_file``) and optionally ``_extra`` (JSON text
    of the columns the canonical format does not know).
    """

    table: str
    source_file: str
    file_sha256: str
    cells: pl.DataFrame


@dataclass
class ImportResult:
    """What a load did: rows loaded per table, rows rejected with file, line, column, reason."""

    loaded: dict[str, int] = field(default_factory=dict)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    unchanged_files: list[str] = field(default_factory=list)
    dropped_columns: dict[str, list[str]] = field(default_factory=dict)

    @property
    def rows_rejected(self) -> int:
        return len({(r["file"], r["line"]) for r in self.rejected})

    def to_json_dict(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"loaded": self.loaded, "rejected": self.rejected}
        if self.dropped_columns:
            doc["dropped_columns"] = self.dropped_columns
        if self.unchanged_files:
            doc["unchanged_files"] = self.unchanged_files
        return doc


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# -- reading files --------------------------------------------------------------------


def _normalise_header(names: Iterable[str]) -> list[str]:
    return [n.strip().lstrip("\ufeff").strip().lower() for n in names]


def _read_csv_exact(path: Path, label: str) -> tuple[pl.DataFrame, list[dict[str, Any]]]:
    """Slow path with exact line numbers: ragged rows, quoted newlines, bad bytes."""
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = _normalise_header(next(reader))
    except StopIteration:
        return pl.DataFrame(), []
    rows, lines, problems = [], [], []
    previous_end = reader.line_num
    for record in reader:
        start = previous_end + 1
        previous_end = reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(header):
            problems.append(
                {
                    "file": label,
                    "line": start,
                    "column": None,
                    "reason": f"has {len(record)} fields, the header has {len(header)}",
                    "value": ",".join(record)[:200],
                }
            )
            continue
        if any("\ufffd" in cell for cell in record):
            problems.append(
                {
                    "file": label,
                    "line": start,
                    "column": None,
                    "reason": "not valid UTF-8 text",
                    "value": None,
                }
            )
            continue
        rows.append(record)
        lines.append(start)
    frame = pl.DataFrame(
        {name: [r[i] or None for r in rows] for i, name in enumerate(header)},
        schema={name: pl.String for name in header},
    ).with_columns(pl.Series("_line", lines, dtype=pl.Int64))
    return frame, problems


def read_csv_cells(
    path: Path, *, label: str | None = None
) -> tuple[pl.DataFrame, list[dict[str, Any]]]:
    """All cells of a CSV as text with ``_line``, and the rows that could not be read.

    Returns
    -------
    (cells, unreadable)
        ``cells``: one row per readable data row, header names lower-cased.
        ``unreadable``: rejections (file, line, column None, reason) for rows with the
        wrong number of fields or bytes that are not UTF-8.
    """
    label = label or path.name
    try:
        frame = pl.read_csv(path, infer_schema=False, encoding="utf8", raise_if_empty=False)
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError, UnicodeDecodeError):
        return _read_csv_exact(path, label)
    if frame.width == 0:
        return frame, []
    frame.columns = _normalise_header(frame.columns)
    multiline = frame.select(
        pl.any_horizontal(pl.col(pl.String).str.contains("\n", literal=True)).any()
    ).item()
    if multiline:
        return _read_csv_exact(path, label)
    return frame.with_row_index("_line", offset=2).with_columns(pl.col("_line").cast(pl.Int64)), []


def read_parquet_cells(path: Path) -> pl.DataFrame:
    """All cells of a Parquet file as ISO text with ``_line`` (the 1-based row number)."""
    frame = pl.read_parquet(path)
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
    return (
        frame.select(exprs)
        .with_row_index("_line", offset=1)
        .with_columns(pl.col("_line").cast(pl.Int64))
    )


def with_extra(table: str, cells: pl.DataFrame) -> pl.DataFrame:
    """Fold the columns the canonical table does not know into ``_extra`` (JSON text)."""
    known = set(TABLES[table].column_names) | {"_line", "_extra"}
    extra = [c for c in cells.columns if c not in known]
    if not extra:
        return cells
    return cells.with_columns(pl.struct(extra).struct.json_encode().alias("_extra")).drop(extra)


def canonical_batches(path: str | Path) -> tuple[list[TableBatch], list[dict[str, Any]]]:
    """Read a canonical folder (or one ``<table>.csv|.parquet`` file) into batches.

    Raises
    ------
    ImportFailed
        The path is missing, holds no table file, or a file lacks a required column.
    """
    path = Path(path)
    if not path.exists():
        raise ImportFailed(f"{path}: no such file or folder")
    files = sorted(path.iterdir()) if path.is_dir() else [path]
    by_table: dict[str, Path] = {}
    for file in files:
        stem, suffix = file.stem.lower(), file.suffix.lower()
        if stem in TABLES and suffix in (".csv", ".parquet"):
            if stem in by_table:
                raise ImportFailed(
                    f"{path}: both {by_table[stem].name} and {file.name} hold table {stem}"
                )
            by_table[stem] = file
    if not by_table:
        expected = ", ".join(f"{t}.csv" for t in LOAD_ORDER)
        raise ImportFailed(
            f"{path}: no canonical table file found (expected some of: {expected}, or .parquet)"
        )
    batches, unreadable = [], []
    for table in LOAD_ORDER:
        if table not in by_table:
            continue
        file = by_table[table]
        try:
            if file.suffix.lower() == ".csv":
                cells, problems = read_csv_cells(file, label=str(file))
            else:
                cells, problems = read_parquet_cells(file), []
        except (OSError, pl.exceptions.PolarsError) as exc:
            raise ImportFailed(f"{file}: cannot be read: {exc}") from None
        missing = [
            c.name for c in TABLES[table].columns if c.required and c.name not in cells.columns
        ]
        header = ", ".join(c for c in cells.columns if c != "_line")
        if missing:
            raise ImportFailed(
                f"{file}: missing required column(s) {', '.join(missing)} "
                f"(the header has: {header or 'nothing'})"
            )
        unreadable += [{**p, "table": table} for p in problems]
        batches.append(TableBatch(table, str(file), file_sha256(file), with_extra(table, cells)))
    return batches, unreadable


# -- loading ------------------------------------------------------------------------


def _enum_options(config: SlaConfig | None) -> tuple[dict, dict]:
    if config is None:
        return {}, {}
    extra = {col: tuple(v.lower() for v in values) for col, values in config.enums.items()}
    aliases = {"stage": config.stage_aliases} if config.stage_aliases else {}
    return extra, aliases


def _merge(con, table: str, valid: pl.DataFrame) -> None:
    columns = TABLES[table].column_names
    key = TABLES[table].key
    con.register("incoming", valid.select(columns))
    match = " AND ".join(f'core.{table}."{k}" IS NOT DISTINCT FROM incoming."{k}"' for k in key)
    con.execute(f"DELETE FROM core.{table} USING incoming WHERE {match}")
    cols = ", ".join(f'"{c}"' for c in columns)
    con.execute(f"INSERT INTO core.{table} ({cols}) SELECT {cols} FROM incoming")
    con.unregister("incoming")


def _append_raw(con, table: str, batch: TableBatch, load_id: int) -> None:
    cells = batch.cells
    columns = TABLES[table].column_names
    frame = cells.select(
        pl.lit(load_id, dtype=pl.Int32).alias("_load_id"),
        pl.lit(batch.source_file).alias("_source_file"),
        pl.col("_line"),
        *[
            (pl.col(c) if c in cells.columns else pl.lit(None, dtype=pl.String)).alias(c)
            for c in columns
        ],
        (pl.col("_extra") if "_extra" in cells.columns else pl.lit(None, dtype=pl.String)).alias(
            "_extra"
        ),
    )
    con.register("incoming_raw", frame)
    con.execute(f"INSERT INTO raw.{table} SELECT * FROM incoming_raw")
    con.unregister("incoming_raw")


def load_batches(
    db_path: str | Path,
    batches: list[TableBatch],
    *,
    config: SlaConfig | None = None,
    unreadable: list[dict[str, Any]] | None = None,
    progress: Progress | None = None,
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
        Rows the reader could not read (wrong field count, bad bytes); quarantined too.

    Returns
    -------
    ImportResult
        Rows loaded per table and every rejection (file, line, column, reason).
    """
    enum_extra, enum_aliases = _enum_options(config)
    result = ImportResult()
    order = {t: i for i, t in enumerate(LOAD_ORDER)}
    batches = sorted(batches, key=lambda b: order[b.table])
    now = datetime.now(UTC)
    with updating(db_path) as con:
        load_id = con.execute("SELECT coalesce(max(load_id), 0) + 1 FROM meta.loads").fetchall()[0][
            0
        ]
        known: dict[str, pl.Series] = {}

        def keys_of(table: str, column: str, new: pl.DataFrame | None) -> pl.Series:
            existing = con.sql(f'SELECT DISTINCT "{column}" FROM core.{table}').pl().to_series()
            return existing if new is None else pl.concat([existing, new[column]])

        for ref_table, ref_col in (
            ("accounts", "account_id"),
            ("reps", "rep_id"),
            ("leads", "lead_id"),
        ):
            known[f"{ref_table}.{ref_col}"] = keys_of(ref_table, ref_col, None)

        quarantine_rows = list(unreadable or [])
        for index, batch in enumerate(batches):
            if progress:
                progress(f"loading {batch.table}", index / max(len(batches), 1))
            valid, rejected = validate_rows(
                batch.table,
                batch.cells,
                enum_extra=enum_extra,
                enum_aliases=enum_aliases,
                known_keys=known,
            )
            for key_name in list(known):
                ref_table, ref_col = key_name.split(".")
                if ref_table == batch.table:
                    known[key_name] = pl.concat([known[key_name], valid[ref_col]])
            quarantine_rows += [
                {"file": batch.source_file, "table": batch.table, **row}
                for row in rejected.to_dicts()
            ]
            already = con.execute(
                "SELECT count(*) FROM meta.loads WHERE table_name = ? AND file_sha256 = ?",
                [batch.table, batch.file_sha256],
            ).fetchall()[0][0]
            _merge(con, batch.table, valid)
            result.loaded[batch.table] = result.loaded.get(batch.table, 0) + valid.height
            if already:
                result.unchanged_files.append(batch.source_file)
                continue
            _append_raw(con, batch.table, batch, load_id)
            con.execute(
                "INSERT INTO meta.loads VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    load_id,
                    batch.table,
                    batch.source_file,
                    batch.file_sha256,
                    batch.cells.height,
                    valid.height,
                    rejected.select("line").n_unique(),
                    now,
                ],
            )
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
                        "reason": r["reason"],
                        "value": None if r.get("value") is None else str(r["value"]),
                        "loaded_at": now,
                    }
                    for r in quarantine_rows
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
                },
            )
            con.register("incoming_q", frame)
            # The same broken row of the same file is quarantined once, however often it is loaded.
            con.execute(
                """INSERT INTO meta.quarantine SELECT * FROM incoming_q q WHERE NOT EXISTS (
                     SELECT 1 FROM meta.quarantine m
                     WHERE m.file_sha256 IS NOT DISTINCT FROM q.file_sha256
                     AND m.source_file = q.source_file AND m.line = q.line
                     AND m."column" IS NOT DISTINCT FROM q."column" AND m.reason = q.reason)"""
            )
            con.unregister("incoming_q")
        if config is not None:
            record_config_version(con, config)
        if progress:
            progress("committing", 1.0)
    result.rejected = sorted(
        (
            {"file": r["file"], "line": r["line"], "column": r.get("column"), "reason": r["reason"]}
            for r in quarantine_rows
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
) -> ImportResult:
    """Load a canonical folder (or one table file) into the warehouse.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "reps.csv").write_text("rep_id,name,team\\n007,Ana,sdr\\n008,Bo,sales\\n")
    >>> r = import_canonical(d / "w.duckdb", d)
    >>> r.loaded, r.rejected[0]["line"], r.rejected[0]["column"]
    ({'reps': 1}, 3, 'team')
    """
    batches, unreadable = canonical_batches(path)
    return load_batches(db_path, batches, config=config, unreadable=unreadable, progress=progress)


def write_tables(
    db_path: str | Path,
    frames: dict[str, pl.DataFrame],
    *,
    source: str,
    config: SlaConfig | None = None,
    progress: Progress | None = None,
) -> None:
    """Replace the warehouse with already-valid typed frames (the demo generator's output).

    Writes ``core`` directly (no row validation: the frames come from code that keeps
    the contract, and the tests check it) and logs one load per table.
    """
    now = datetime.now(UTC)
    with updating(db_path, fresh=True) as con:
        for index, table in enumerate(LOAD_ORDER):
            if progress:
                progress(f"writing {table}", index / len(LOAD_ORDER))
            frame = frames.get(table)
            if frame is None:
                continue
            columns = TABLES[table].column_names
            con.register("incoming", frame.select(columns))
            cols = ", ".join(f'"{c}"' for c in columns)
            con.execute(f"INSERT INTO core.{table} ({cols}) SELECT {cols} FROM incoming")
            con.unregister("incoming")
            con.execute(
                "INSERT INTO meta.loads VALUES (1, ?, ?, NULL, ?, ?, 0, ?)",
                [table, source, frame.height, frame.height, now],
            )
        if config is not None:
            record_config_version(con, config)
        if progress:
            progress("committing", 1.0)
