"""Row validation of the canonical format: parse text cells, reject what breaks a rule.

Input is a frame of text cells as read from a file plus a ``_line`` column (the line
number in that file). Output is the typed rows that pass every rule and one
rejection per broken rule (line, column, reason, value). Rules are those of
spec/canonical-format.md; enum values may be extended or renamed by the SLA config.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from analytics.schema import TABLES, Column, Table

REJECTION_SCHEMA = pl.Schema(
    {"line": pl.Int64(), "column": pl.String(), "reason": pl.String(), "value": pl.String()}
)

_TRUE = ("true", "t", "yes", "y", "1")
_FALSE = ("false", "f", "no", "n", "0")
_OFFSET = r"[+-]\d{2}:?\d{2}$"


def iso_timestamp(text: pl.Expr) -> pl.Expr:
    """Parse ISO 8601 text to a UTC timestamp; an offset is converted, none means UTC.

    Accepts ``T`` or a space between date and time, optional seconds and fractions,
    ``Z`` or ``+hh:mm``/``+hhmm`` offsets, and a bare date (midnight UTC). Null if
    unparseable.

    >>> s = pl.DataFrame({"t": ["2026-10-05T09:12:00+02:00", "2026-10-05 09:12", "05.10.2026"]})
    >>> s.select(iso_timestamp(pl.col("t")))["t"].to_list()  # doctest: +NORMALIZE_WHITESPACE
    [datetime.datetime(2026, 10, 5, 7, 12, tzinfo=zoneinfo.ZoneInfo(key='UTC')),
     datetime.datetime(2026, 10, 5, 9, 12, tzinfo=zoneinfo.ZoneInfo(key='UTC')), None]
    """
    norm = (
        text.str.strip_chars()
        .str.replace(r"^(\d{4}-\d{2}-\d{2})$", r"${1}T00:00:00")
        .str.replace(r"^(\d{4}-\d{2}-\d{2})[ T]", r"${1}T")
        .str.replace(r"T(\d{2}:\d{2})([Zz+-]|$)", r"T${1}:00${2}")
        .str.replace(r"[Zz]$", "+00:00")
    )
    norm = pl.when(norm.str.contains(_OFFSET)).then(norm).otherwise(norm + "+00:00")
    return norm.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f%z", strict=False, time_zone="UTC")


def _parse(column: Column, cell: pl.Expr, enum_values: tuple[str, ...]) -> pl.Expr:
    """The typed value of a text cell (null when it cannot be parsed)."""
    match column.kind:
        case "str":
            return cell
        case "enum":
            return cell.str.to_lowercase()
        case "int":
            return cell.str.strip_chars().str.to_integer(strict=False)
        case "float":
            return cell.str.strip_chars().cast(pl.Float64, strict=False)
        case "bool":
            low = cell.str.strip_chars().str.to_lowercase()
            return pl.when(low.is_in(_TRUE)).then(True).when(low.is_in(_FALSE)).then(False)
        case "timestamp":
            return iso_timestamp(cell)
        case "date":
            return cell.str.strip_chars().str.to_date("%Y-%m-%d", strict=False)
    raise AssertionError(column.kind)


def _enum_values(column: Column, extra: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    return column.enum + tuple(v for v in extra.get(column.name, ()) if v not in column.enum)


def validate_rows(
    table_name: str,
    cells: pl.DataFrame,
    *,
    enum_extra: Mapping[str, tuple[str, ...]] | None = None,
    enum_aliases: Mapping[str, Mapping[str, str]] | None = None,
    known_keys: Mapping[str, pl.Series] | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Validate text rows of one canonical table.

    Parameters
    ----------
    table_name
        A table of :data:`analytics.schema.TABLES`.
    cells
        One row per file row: text columns named as the table's columns (absent
        optional columns are allowed) and ``_line`` (int, the row's line in the file).
    enum_extra
        Column -> further allowed enum values (from the SLA config).
    enum_aliases
        Column -> {alias: canonical value}, e.g. ``{"stage": {"accepted": "sal"}}``.
    known_keys
        ``"table.column"`` -> the values a reference may take (e.g. ``"leads.lead_id"``).
        A reference not listed is rejected; a reference whose table is absent is not checked.

    Returns
    -------
    (valid, rejections)
        ``valid``: the good rows, typed as the canonical schema, plus ``_line``; one row
        per good file row, the first of a duplicated key. ``rejections``: one row per
        broken rule with columns line, column, reason, value.

    >>> rows = pl.DataFrame({"rep_id": ["007", None], "name": ["Ana", "Bo"],
    ...                      "team": ["SDR", "sales"], "_line": [2, 3]})
    >>> valid, bad = validate_rows("reps", rows)
    >>> valid.select("rep_id", "team").rows(), bad.select("line", "column").rows()
    ([('007', 'sdr')], [(3, 'rep_id'), (3, 'team')])
    """
    table: Table = TABLES[table_name]
    enum_extra = enum_extra or {}
    enum_aliases = enum_aliases or {}
    known_keys = known_keys or {}
    present = set(cells.columns)
    text = cells.with_columns(
        [
            pl.col(c.name).cast(pl.String).str.strip_chars().replace("", None).alias(c.name)
            if c.name in present
            else pl.lit(None, dtype=pl.String).alias(c.name)
            for c in table.columns
        ]
    )
    typed_exprs, checks = [], []
    for column in table.columns:
        cell = pl.col(column.name)
        allowed = _enum_values(column, enum_extra)
        if column.kind == "enum" and column.name in enum_aliases:
            cell = cell.str.to_lowercase().replace(dict(enum_aliases[column.name]))
        value = _parse(column, cell, allowed)
        typed_exprs.append(value.cast(column.dtype).alias(column.name))
        raw = pl.col(column.name)
        if column.required:
            checks.append((column.name, raw.is_null(), pl.lit("required value is missing")))
        if column.kind == "enum":
            listed = ", ".join(allowed)
            checks.append(
                (
                    column.name,
                    raw.is_not_null() & ~value.is_in(allowed),
                    pl.lit(f"not one of the allowed values: {listed}"),
                )
            )
        elif column.kind not in ("str", "enum"):
            expected = {
                "int": "a whole number",
                "float": "a number",
                "bool": "true or false",
                "timestamp": "an ISO 8601 timestamp (2026-10-05T09:12:00+02:00)",
                "date": "a date YYYY-MM-DD",
            }[column.kind]
            checks.append(
                (
                    column.name,
                    raw.is_not_null() & value.is_null(),
                    pl.lit(f"cannot be read as {expected}"),
                )
            )
        if column.minimum is not None:
            checks.append(
                (column.name, value < column.minimum, pl.lit(f"must be >= {column.minimum:g}"))
            )
        if column.references is not None:
            ref_table, ref_col = column.references
            keys = known_keys.get(f"{ref_table}.{ref_col}")
            if keys is not None:
                checks.append(
                    (
                        column.name,
                        raw.is_not_null() & ~raw.is_in(keys.implode()),
                        pl.lit(f"refers to an unknown {ref_table[:-1].replace('_', ' ')}"),
                    )
                )
    if table_name == "opportunities":
        status = pl.col("status").str.to_lowercase()
        checks.append(
            (
                "closed_at",
                status.is_in(["won", "lost"]) & pl.col("closed_at").is_null(),
                pl.lit("required when status is won or lost"),
            )
        )

    flagged = text.with_columns(
        [
            pl.when(cond).then(reason).alias(f"__why_{i}")
            for i, (_, cond, reason) in enumerate(checks)
        ]
    )
    why_cols = [f"__why_{i}" for i in range(len(checks))]
    rejections = [
        flagged.filter(pl.col(f"__why_{i}").is_not_null()).select(
            pl.col("_line").cast(pl.Int64).alias("line"),
            pl.lit(col).alias("column"),
            pl.col(f"__why_{i}").alias("reason"),
            pl.col(col).alias("value"),
        )
        for i, (col, _, _) in enumerate(checks)
    ]
    passing = flagged.filter(
        pl.all_horizontal(pl.col(c).is_null() for c in why_cols) if why_cols else True
    )
    typed = passing.select([*typed_exprs, pl.col("_line").cast(pl.Int64)])

    # A key seen twice in one file: the first row loads, later ones are rejected.
    key = list(table.key)
    first = pl.col("_line").min().over(key)
    dupes = typed.filter(pl.col("_line") != first)
    if dupes.height:
        key_text = pl.concat_str([pl.col(k).cast(pl.String) for k in key], separator=", ")
        rejections.append(
            typed.with_columns(first.alias("__first"))
            .filter(pl.col("_line") != pl.col("__first"))
            .select(
                pl.col("_line").alias("line"),
                pl.lit(", ".join(key)).alias("column"),
                pl.format("duplicate key: first seen on line {}", pl.col("__first")).alias(
                    "reason"
                ),
                key_text.alias("value"),
            )
        )
        typed = typed.filter(pl.col("_line") == first)
    rejected = pl.concat(
        [pl.DataFrame(schema=REJECTION_SCHEMA), *(r.cast(REJECTION_SCHEMA) for r in rejections)]
    )
    return typed, rejected.sort("line", "column")
