"""Row validation of the canonical format: parse text cells, reject what breaks a rule.

Input is a frame of text cells as read from a file plus a ``_line`` column (the line
number in that file). Output is the typed rows that pass every rule and one
rejection per broken rule (line, column, reason, value). Rules are those of
spec/canonical-format.md; enum values may be extended or renamed by the SLA config.

A file may be validated in chunks of rows: :class:`KeySet` answers "is this reference
known?" for many chunks without rebuilding a hash table each time, and with
``unique_key=False`` the duplicate-key rule is left to the caller, who applies
:func:`split_duplicates` to the rows of the whole file.

A reason is stored in English, written from a ``reject.*`` text of
:mod:`analytics.texts`; :func:`reason_text` reads a stored reason back into its text
and renders it in another language (older imports' reasons included).
"""

from __future__ import annotations

import json
import re
import string
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from functools import cache

import numpy as np
import polars as pl

from analytics.schema import TABLES, Column, Table
from analytics.texts import TEXTS, Lang, Text, codes, render

REJECTION_SCHEMA = pl.Schema(
    {"line": pl.Int64(), "column": pl.String(), "reason": pl.String(), "value": pl.String()}
)

_TRUE = ("true", "t", "yes", "y", "1")
_FALSE = ("false", "f", "no", "n", "0")
_OFFSET = r"[+-]\d{2}:?\d{2}$"
_ISO = "%Y-%m-%dT%H:%M:%S%.f%z"

#: Enum columns that only describe a row: an unknown value loads as ``other`` (the raw
#: layer keeps the original) instead of rejecting the row (spec: "Real exports are partial").
#: Values the metrics judge by (stage, outcome, status) still reject an unknown value.
DESCRIPTIVE_ENUMS: dict[str, tuple[str, ...]] = {
    "leads": ("source", "seniority", "role"),
    "activities": ("type",),
    "sales_touches": ("channel",),
    "reps": ("team",),
}
OTHER = "other"
#: The earliest plausible timestamp or date; the latest is the import's time plus a year.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST_AHEAD = timedelta(days=365)


# -- reasons: texts of analytics.texts, stored in English --------------------------------


@cache
def _reason_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Each ``reject.*`` code with a pattern matching its English words (fields as groups)."""
    patterns = []
    for name in codes("reject."):
        code = f"reject.{name}"
        parts = []
        for literal, field, _, _ in string.Formatter().parse(TEXTS[code][0]):
            parts.append(re.escape(literal))
            if field:
                parts.append(f"(?P<{field}>.*?)")
        patterns.append((code, re.compile("".join(parts), re.S)))
    return tuple(patterns)


def parse_reason(reason: str) -> Text | None:
    """The text a stored (English) reason was written from; None for other words.

    The parameters are kept as the words stored (a line number, a list of values).

    >>> parse_reason("duplicate key: first seen on line 1204")
    Text(code='reject.duplicate', params={'line': '1204'})
    >>> parse_reason("something else") is None
    True
    """
    for code, pattern in _reason_patterns():
        found = pattern.fullmatch(reason)
        if found:
            return Text(code, found.groupdict())
    return None


def is_cascade(reason: str) -> bool:
    """Whether a stored reason says the row's lead was rejected (not a fault of the row).

    >>> is_cascade("lead L7 was rejected: leads.csv line 9, created_at required value is missing")
    True
    >>> is_cascade("refers to an unknown lead")
    False
    """
    return _cascade_pattern().match(reason) is not None


@cache
def _cascade_pattern() -> re.Pattern[str]:
    return dict(_reason_patterns())["reject.lead_rejected"]


def reason_text(reason: str | None, *, lang: Lang = "en") -> str | None:
    """A stored reason in ``lang``; a reason not written from a text is kept as it is.

    >>> reason_text("refers to an unknown rep", lang="de")
    'verweist auf einen unbekannten Mitarbeiter'
    >>> reason_text("must be >= 0", lang="de"), reason_text("odd words", lang="de")
    ('muss >= 0 sein', 'odd words')
    """
    if reason is None or lang == "en":
        return reason
    text = parse_reason(reason)
    if text is not None and text.code == "reject.lead_rejected":  # the lead's reason too
        column, cause = _column_and_cause(text.params["column"], text.params["cause"])
        params = {**text.params, "column": column, "cause": reason_text(cause, lang=lang)}
        text = Text(text.code, params)
    return reason if text is None else text.render(lang=lang)


def _column_and_cause(column: str, cause: str) -> tuple[str, str]:
    """A rejected lead's column and reason, as ``reject.lead_rejected`` wrote them one
    after the other: an export's column has spaces (``Angelegt am (created_at)``), so the
    first word is the column only when the rest is a reason; else the column takes words
    until it is (unchanged when none is).

    >>> _column_and_cause("Angelegt", "am (created_at) required value is missing")
    ('Angelegt am (created_at)', 'required value is missing')
    >>> _column_and_cause("created_at", "odd words")
    ('created_at', 'odd words')
    """
    words = f"{column} {cause}".split(" ")
    for n in range(len(column.split(" ")), len(words)):
        if parse_reason(" ".join(words[n:])) is not None:
            return " ".join(words[:n]), " ".join(words[n:])
    return column, cause


def value_texts(values: pl.Series, *, lang: Lang = "en") -> pl.Series:
    """The quarantine's values as a person reads them: a row with the wrong number of
    fields (stored as JSON of header -> cell, :func:`analytics.warehouse.privacy.misaligned_row`)
    as ``header: cell · ...``, a cell not kept as "(withheld)"; other values as stored.

    >>> s = pl.Series("value", ['{"lead_id": "L7", "source": "[withheld]"}', "x", None])
    >>> value_texts(s, lang="de").to_list()
    ['lead_id: L7 · source: (nicht gespeichert)', 'x', None]
    """
    from analytics.warehouse.privacy import WITHHELD

    withheld = render("quarantine.withheld", lang=lang)

    def text(value: str) -> str:
        try:
            cells = json.loads(value) if value.startswith("{") else None
        except ValueError:
            cells = None
        if not isinstance(cells, dict):
            return value
        return " · ".join(
            f"{name}: {withheld if cell == WITHHELD else cell}" for name, cell in cells.items()
        )

    words = {v: text(v) for v in values.drop_nulls().unique().to_list()}
    return values.replace(words)


def reason_texts(reasons: pl.Series, *, lang: Lang = "en") -> pl.Series:
    """:func:`reason_text` of every stored reason (each distinct one read once).

    >>> s = pl.Series("reason", ["required value is missing", None, "odd"])
    >>> reason_texts(s, lang="de").to_list()
    ['Pflichtwert fehlt', None, 'odd']
    """
    if lang == "en":
        return reasons
    words = {r: reason_text(r, lang=lang) for r in reasons.drop_nulls().unique().to_list()}
    return reasons.replace(words)


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
    return norm.str.to_datetime(_ISO, strict=False, time_zone="UTC")


def _common_timestamp(text: pl.Expr) -> pl.Expr:
    """The fast path of :func:`iso_timestamp` for stripped text that needs no rewriting.

    ``2026-10-05T09:12:00[.f]Z`` and ``...+02:00`` parse with the same format as
    :func:`iso_timestamp` once the ``Z`` is spelled ``+00:00``; whenever this parses,
    :func:`iso_timestamp` would have rewritten the text the same way, so the values are
    equal. Null where it does not parse: those rows take the full path.
    """
    return text.str.replace("Z", "+00:00", literal=True, n=1).str.to_datetime(
        _ISO, strict=False, time_zone="UTC"
    )


def _parse(column: Column, cell: pl.Expr) -> pl.Expr:
    """The typed value of a text cell (null when it cannot be parsed).

    Timestamps take the fast path here; :func:`_parse_timestamps` completes them.
    """
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
            return _common_timestamp(cell)
        case "date":
            return cell.str.strip_chars().str.to_date("%Y-%m-%d", strict=False)
    raise AssertionError(column.kind)


def _parse_timestamps(frame: pl.DataFrame, pairs: list[tuple[str, str]]) -> pl.DataFrame:
    """Parse with :func:`iso_timestamp` the cells the fast path left null (``(text, value)``)."""
    for text, value in pairs:
        redo = (frame[text].is_not_null() & frame[value].is_null()).arg_true()
        if redo.len():
            slow = frame.select(iso_timestamp(pl.col(text).gather(redo)))[text]
            frame = frame.with_columns(frame[value].scatter(redo, slow))
    return frame


def _enum_values(column: Column, extra: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    return column.enum + tuple(v for v in extra.get(column.name, ()) if v not in column.enum)


class KeySet:
    """The values a reference may take, built once and asked about many chunks of rows.

    Membership is by exact string equality. ``pl.Series.is_in`` builds a hash table of
    all values at every call (seconds for millions of keys); a KeySet keeps the values
    sorted by their 64-bit hash, so a lookup is a binary search plus one comparison.

    >>> keys = KeySet(pl.Series(["r1", "r2"]))
    >>> keys.contains(pl.Series(["r2", "r9", None])).to_list(), len(keys)
    ([True, False, False], 2)
    """

    def __init__(self, values: pl.Series) -> None:
        values = values.cast(pl.String).drop_nulls()
        hashes = values.hash(seed=0)
        order = hashes.arg_sort()
        self._hashes = hashes.gather(order).to_numpy()
        self._values = values.gather(order)

    def __len__(self) -> int:
        return self._values.len()

    def contains(self, values: pl.Series) -> pl.Series:
        """Whether each value is in the set (False for null)."""
        values = values.cast(pl.String)
        if not len(self) or not values.len():
            return pl.Series(values.name, [False] * values.len(), dtype=pl.Boolean)
        hashes = values.hash(seed=0).to_numpy()
        order = np.argsort(hashes)  # sorted probes keep the binary search in cache
        at = np.empty_like(order)
        at[order] = np.searchsorted(self._hashes, hashes[order])
        at = np.minimum(at, len(self) - 1)
        same_hash = self._hashes[at] == hashes
        found = (self._values.gather(at) == values).fill_null(False).to_numpy() & same_hash
        # equal hashes of different strings: settle the (astronomically rare) rest exactly
        unsure = same_hash & ~found & values.is_not_null().to_numpy()
        if unsure.any():
            candidates = self._values.filter(pl.Series(np.isin(self._hashes, hashes[unsure])))
            found[unsure] = values.filter(pl.Series(unsure)).is_in(candidates.implode()).to_numpy()
        return pl.Series(values.name, found, dtype=pl.Boolean)


def split_duplicates(table_name: str, rows: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Keep the first row of each key (lowest ``_line``); reject the later ones.

    Parameters
    ----------
    table_name
        A table of :data:`analytics.schema.TABLES`.
    rows
        Typed rows with the table's key columns and ``_line``.

    Returns
    -------
    (kept, rejections)
        ``kept``: the rows whose ``_line`` is the first of their key (all columns of
        ``rows``). ``rejections``: one row per later row (line, column = the key's
        columns, reason ``duplicate key: first seen on line N``, value = the key).

    >>> rows = pl.DataFrame({"rep_id": ["a", "b", "a"], "_line": [2, 3, 9]})
    >>> kept, bad = split_duplicates("reps", rows)
    >>> kept["_line"].to_list(), bad.rows()
    ([2, 3], [(9, 'rep_id', 'duplicate key: first seen on line 2', 'a')])
    """
    key = list(TABLES[table_name].key)
    first = pl.col("_line").min().over(key)
    key_text = pl.concat_str([pl.col(k).cast(pl.String) for k in key], separator=", ")
    rejections = (
        rows.with_columns(first.alias("__first"))
        .filter(pl.col("_line") != pl.col("__first"))
        .select(
            pl.col("_line").cast(pl.Int64).alias("line"),
            pl.lit(", ".join(key)).alias("column"),
            pl.format(render("reject.duplicate", line="{}"), pl.col("__first")).alias("reason"),
            key_text.alias("value"),
        )
        .cast(REJECTION_SCHEMA)
    )
    if not rejections.height:
        return rows, rejections
    return rows.filter(pl.col("_line") == first), rejections


#: The unknown values of descriptive enums that :func:`validate_rows` reports (``others``).
UNKNOWN_VALUES_SCHEMA = {"_line": pl.Int64, "column": pl.String, "value": pl.String}


def validate_rows(
    table_name: str,
    cells: pl.DataFrame,
    *,
    enum_extra: Mapping[str, tuple[str, ...]] | None = None,
    enum_aliases: Mapping[str, Mapping[str, str]] | None = None,
    known_keys: Mapping[str, pl.Series | KeySet] | None = None,
    unique_key: bool = True,
    now: datetime | None = None,
    others: list[pl.DataFrame] | None = None,
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
        ``"table.column"`` -> the values a reference may take (e.g. ``"leads.lead_id"``),
        a Series or a :class:`KeySet`. A reference not listed is rejected; a reference
        whose table is absent is not checked.
    unique_key
        Reject a key seen again in ``cells`` (:func:`split_duplicates`). False when
        ``cells`` is one chunk of a file and the caller checks the whole file.
    now
        The import's time: a timestamp or date later than it plus a year (or before
        1900-01-01) is rejected. Default: the current time.
    others
        When given (and the table has descriptive enums, :data:`DESCRIPTIVE_ENUMS`), one
        frame is appended to it: each unknown value of one that loads as ``other``, in the
        valid rows (columns ``_line``, ``column``, ``value`` in small letters).

    Returns
    -------
    (valid, rejections)
        ``valid``: the good rows, typed as the canonical schema, plus ``_line``; one row
        per good file row, the first of a duplicated key. ``rejections``: one row per
        broken rule with columns line, column, reason, value.

    >>> rows = pl.DataFrame({"rep_id": ["007", None, "009"], "name": ["Ana", "Bo", None],
    ...                      "team": ["SDR", None, "sales"], "_line": [2, 3, 4]})
    >>> valid, bad = validate_rows("reps", rows)
    >>> valid.select("rep_id", "team").rows(), bad.select("line", "column").rows()
    ([('007', 'sdr'), ('009', 'other')], [(3, 'rep_id'), (3, 'team')])
    """
    table: Table = TABLES[table_name]
    latest = (now or datetime.now(UTC)) + LATEST_AHEAD
    descriptive = DESCRIPTIVE_ENUMS.get(table_name, ())
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
    # Every typed value is computed once, as a column "__value_<name>".
    parsed, timestamps, known_cols = [], [], []
    for column in table.columns:
        cell, name = pl.col(column.name), f"__value_{column.name}"
        if column.kind == "enum" and column.name in enum_aliases:
            cell = cell.str.to_lowercase().replace(dict(enum_aliases[column.name]))
        parsed.append(_parse(column, cell).alias(name))
        if column.kind == "timestamp":
            timestamps.append((column.name, name))
        if column.references is not None:
            keys = known_keys.get("{}.{}".format(*column.references))
            if keys is not None:
                keys = keys if isinstance(keys, KeySet) else KeySet(keys)
                known_cols.append(keys.contains(text[column.name]).alias(f"__known_{column.name}"))
    text = _parse_timestamps(text.with_columns(parsed), timestamps).with_columns(known_cols)

    typed_exprs, checks, unknowns = [], [], []
    for column in table.columns:
        value, raw = pl.col(f"__value_{column.name}"), pl.col(column.name)
        allowed = _enum_values(column, enum_extra)
        if column.name in descriptive:
            allowed = (*allowed, OTHER) if OTHER not in allowed else allowed
            unknown = raw.is_not_null() & ~value.is_in(allowed)
            unknowns.append((column.name, unknown))
            value = pl.when(unknown).then(pl.lit(OTHER)).otherwise(value)
        typed_exprs.append(value.cast(column.dtype).alias(column.name))
        if column.required:
            checks.append((column.name, raw.is_null(), pl.lit(render("reject.required"))))
        if column.kind == "float":
            checks.append((column.name, ~value.is_finite(), pl.lit(render("reject.not_finite"))))
        if column.kind in ("timestamp", "date"):
            first, last = (
                (EARLIEST, latest)
                if column.kind == "timestamp"
                else (EARLIEST.date(), latest.date())
            )
            checks.append(
                (
                    column.name,
                    (value < first) | (value > last),
                    pl.lit(
                        render(
                            "reject.out_of_range",
                            earliest=first.isoformat()[:10],
                            latest=last.isoformat()[:10],
                        )
                    ),
                )
            )
        if column.kind == "enum" and column.name not in descriptive:
            listed = ", ".join(allowed)
            checks.append(
                (
                    column.name,
                    raw.is_not_null() & ~value.is_in(allowed),
                    pl.lit(render("reject.not_allowed", values=listed)),
                )
            )
        elif column.kind not in ("str", "enum"):
            checks.append(
                (
                    column.name,
                    raw.is_not_null() & value.is_null(),
                    pl.lit(render(f"reject.unreadable.{column.kind}")),
                )
            )
        if column.minimum is not None:
            # the number as the schema writes it (``0``), in either language
            minimum = render("reject.minimum", minimum=f"{column.minimum:g}")
            checks.append((column.name, value < column.minimum, pl.lit(minimum)))
        garbled = None
        if column.kind == "str" and (column.name in table.key or column.references is not None):
            garbled = raw.str.contains(_SCIENTIFIC_ID)
            checks.append((column.name, garbled, pl.lit(render("reject.scientific_id"))))
        if f"__known_{column.name}" in text.columns:
            ref_table = column.references[0]
            unknown = raw.is_not_null() & ~pl.col(f"__known_{column.name}")
            checks.append(
                (
                    column.name,
                    unknown if garbled is None else unknown & ~garbled,  # said once: garbled
                    pl.lit(render(f"reject.unknown.{ref_table}")),
                )
            )
    if table_name == "opportunities":
        status = pl.col("status").str.to_lowercase()
        checks.append(
            (
                "closed_at",
                status.is_in(["won", "lost"]) & pl.col("closed_at").is_null(),
                pl.lit(render("reject.closed_at")),
            )
        )

    # One boolean column per rule; the rejections are built from the broken rows only.
    flagged = text.with_columns(
        [cond.fill_null(False).alias(f"__broken_{i}") for i, (_, cond, _) in enumerate(checks)]
    ).with_columns(
        pl.any_horizontal(pl.col(f"__broken_{i}") for i in range(len(checks))).alias("__broken")
        if checks
        else pl.lit(False).alias("__broken")
    )
    broken = flagged.filter(pl.col("__broken"))
    rejections = [
        broken.filter(pl.col(f"__broken_{i}")).select(
            pl.col("_line").cast(pl.Int64).alias("line"),
            pl.lit(col).alias("column"),
            reason.alias("reason"),
            pl.col(col).alias("value"),
        )
        for i, (col, _, reason) in enumerate(checks)
    ]
    passing = flagged.filter(~pl.col("__broken")) if broken.height else flagged
    typed = passing.select([*typed_exprs, pl.col("_line").cast(pl.Int64)])

    # A key seen twice in one file: the first row loads, later ones are rejected.
    if unique_key:
        typed, duplicates = split_duplicates(table_name, typed)
        rejections.append(duplicates)
    if others is not None and unknowns:  # of the valid rows (a rejected one loads as none)
        loaded = passing.filter(pl.any_horizontal(u for _, u in unknowns))
        loaded = loaded.filter(pl.col("_line").cast(pl.Int64).is_in(typed["_line"].implode()))
        others.append(
            pl.concat(
                [
                    pl.DataFrame(schema=UNKNOWN_VALUES_SCHEMA),
                    *(
                        loaded.filter(unknown).select(
                            pl.col("_line").cast(pl.Int64),
                            pl.lit(name).alias("column"),
                            pl.col(name).str.to_lowercase().alias("value"),
                        )
                        for name, unknown in unknowns
                    ),
                ]
            )
        )
    rejected = pl.concat(
        [pl.DataFrame(schema=REJECTION_SCHEMA), *(r.cast(REJECTION_SCHEMA) for r in rejections)]
    )
    return typed, rejected.sort("line", "column")


# -- dates in a declared layout ------------------------------------------------------------

#: The moment a layout's example shows (the one the ISO 8601 reason gives).
_EXAMPLE_MOMENT = datetime(2026, 10, 5, 9, 12, tzinfo=UTC) + timedelta(hours=2)


def layout_reason(value: str | None, layout: str) -> str:
    """Why a date or timestamp cell of an export whose layout was declared (a mapping's
    ``[csv] date_format``, ``--date-format``) was not read: the day does not exist
    (``31.09.2026`` in ``%d.%m.%Y``), or the cell is in neither that layout nor ISO 8601.

    >>> layout_reason("31.09.2026", "%d.%m.%Y")
    'there is no such day (read in the layout %d.%m.%Y: the month has fewer days)'
    >>> layout_reason("2026/09/30", "%d.%m.%Y")
    'cannot be read in the layout %d.%m.%Y (05.10.2026) nor as ISO 8601 (2026-10-05T09:12:00+02:00)'
    """
    naive = re.sub(r"\s*%:?z", "", layout).strip()
    for form in dict.fromkeys((layout, naive)):
        try:
            datetime.strptime((value or "").strip(), form)
        except ValueError as exc:
            if "out of range" in str(exc):  # its layout, but not a day of the calendar
                return render("reject.no_such_day", layout=layout)
    try:
        example = _EXAMPLE_MOMENT.replace(tzinfo=None).strftime(naive)
    except ValueError:  # a layout strftime cannot write: no example
        example = naive
    return render("reject.unreadable.layout", layout=layout, example=example)


def _unread_dates(table_name: str, *, or_in_layout: bool = False) -> pl.Expr:
    """Which of :func:`validate_rows`' rejections are of a date or timestamp cell that no
    layout read (its reason "cannot be read as an ISO 8601 timestamp"; ``or_in_layout``:
    also one not read in the layout its user declared, :func:`in_layout`).

    >>> bad = pl.DataFrame({"column": ["created_at", "source"],
    ...                     "reason": [render("reject.unreadable.timestamp")] * 2})
    >>> bad.select(_unread_dates("leads"))["column"].to_list()
    [True, False]
    """
    kinds = [c.name for c in TABLES[table_name].columns if c.kind in ("timestamp", "date")]
    generic = [render(f"reject.unreadable.{kind}") for kind in ("timestamp", "date")]
    unread = pl.col("reason").is_in(generic)
    if or_in_layout:
        declared = render("reject.unreadable.layout", layout="\0", example="").split("\0")[0]
        unread = unread | pl.col("reason").str.starts_with(declared)
    return pl.col("column").is_in(kinds) & unread


#: An id as a spreadsheet writes a long number it shows in scientific notation, and so
#: saves in a CSV (``1.23457E+11`` for HubSpot's 123456789012): the digits past the sixth
#: are lost, so the row would name another record, or none.
_SCIENTIFIC_ID = r"^[+-]?\d(?:[.,]\d+)?[eE]\+\d{1,3}$"


#: A number where a date belongs: Excel's serial date (days since 1899-12-30, the time of
#: day as the fraction), what a spreadsheet writes for a cell not formatted as a date;
#: 10000 to 99999 are the years 1927 to 2173, with a decimal point or comma.
_EXCEL_SERIAL = r"^\s*[1-9]\d{4}(?:[.,]\d+)?\s*$"


def excel_serials(table_name: str, rejected: pl.DataFrame) -> pl.DataFrame:
    """:func:`validate_rows`' rejections (after :func:`in_layout`) with a date or
    timestamp cell that is an Excel serial date (``46296.333333``) told so, and how to
    export it, instead of "cannot be read as an ISO 8601 timestamp". It is not read: a
    workbook of Excel's 1904 date system gives the same number a day four years later.

    >>> bad = pl.DataFrame({"line": [5, 6], "column": ["created_at"] * 2,
    ...                     "value": ["46296,333333", "2026/10/01"],
    ...                     "reason": [render("reject.unreadable.timestamp")] * 2})
    >>> [r[:36] for r in excel_serials("leads", bad)["reason"]]
    ['looks like an Excel serial date (a d', 'cannot be read as an ISO 8601 timest']
    """
    if not rejected.height:
        return rejected
    serial = pl.col("value").cast(pl.String).str.contains(_EXCEL_SERIAL).fill_null(False)
    hit = _unread_dates(table_name, or_in_layout=True) & serial
    told = pl.lit(render("reject.excel_serial"))
    return rejected.with_columns(
        pl.when(hit).then(told).otherwise(pl.col("reason")).alias("reason")
    )


#: A date with slashes, maybe a time (``10/05/2026``, ``5/13/26 9:12 PM``): groups 1 and 2
#: the month and the day in either order, 3 the year, 4 the time, 5 its seconds, 6 AM/PM.
_SLASHED = re.compile(
    r"\s*(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})"
    r"(?:[ T]+(\d{1,2}:\d{2})(:\d{2})?(?:\s*([AaPp][Mm]))?)?\s*"
)


def slashed_dates(table_name: str, rejected: pl.DataFrame) -> pl.DataFrame:
    """:func:`validate_rows`' rejections (no layout declared) with a date or timestamp
    written with slashes told the layouts that read it, not "cannot be read as an ISO
    8601 timestamp": whether ``10/05/2026`` is in October or May no cell can tell, but a
    column's ``13/05/2026`` shows the day first (:func:`slashed_reason`).

    >>> bad = pl.DataFrame({"line": [5, 6, 7], "column": ["created_at"] * 3,
    ...                     "value": ["10/05/2026 9:12 AM", "10/13/2026 4:01 PM", "x"],
    ...                     "reason": [render("reject.unreadable.timestamp")] * 3})
    >>> [r[:39] for r in slashed_dates("leads", bad)["reason"]]
    ["date layout needed: '%m/%d/%Y %I:%M %p'", "date layout needed: '%m/%d/%Y %I:%M %p'", \
'cannot be read as an ISO 8601 timestamp']
    """
    if not rejected.height:
        return rejected
    slashed_cell = pl.col("value").cast(pl.String).str.contains(rf"^{_SLASHED.pattern}$")
    hit = _unread_dates(table_name) & slashed_cell.fill_null(False)
    slashed = rejected.filter(hit)
    if not slashed.height:
        return rejected
    reasons = {
        column: slashed_reason(group["value"].cast(pl.String).to_list())
        for (column,), group in slashed.group_by("column")
    }
    told = pl.col("column").replace_strict(reasons, default=None, return_dtype=pl.String)
    return rejected.with_columns(
        pl.when(hit).then(told).otherwise(pl.col("reason")).alias("reason")
    )


def slashed_reason(values: Sequence[str]) -> str:
    """Why a column's dates written with slashes were not read, and the layout that reads
    them: the one a value shows (a first number over 12 is a day, a second one a day
    too), else both; the time's layout as the first value writes it.

    >>> slashed_reason(["10/05/2026", "13/05/2026"])
    "date layout needed: '%d/%m/%Y' (--date-format, or a mapping's [csv] date_format; \
13/05/2026 shows the day first, and a date with slashes is read only in a layout given)"
    >>> slashed_reason(["1/5/26 09:12"])
    "date layout needed: '%m/%d/%y %H:%M' (month first, as in the US) or '%d/%m/%y %H:%M' \
(day first) (--date-format, or a mapping's [csv] date_format; a date with slashes such as \
1/5/26 09:12 is read only in a layout given)"
    """
    read = [(v.strip(), m) for v in values if (m := _SLASHED.fullmatch(v))]
    first = read[0][1]
    year = "%Y" if len(first[3]) == 4 else "%y"
    time = ""
    if first[4]:
        hours = "%I" if first[6] else "%H"
        time = f" {hours}:%M{':%S' if first[5] else ''}{' %p' if first[6] else ''}"
    day_first = next((v for v, m in read if int(m[1]) > 12), None)
    month_first = next((v for v, m in read if int(m[2]) > 12), None)
    if day_first and not month_first:
        layout = f"%d/%m/{year}{time}"
        return render("reject.slashed_day_first", example=day_first, layout=layout)
    if month_first and not day_first:
        layout = f"%m/%d/{year}{time}"
        return render("reject.slashed_month_first", example=month_first, layout=layout)
    return render(
        "reject.slashed",
        example=read[0][0],
        month_first=f"%m/%d/{year}{time}",
        day_first=f"%d/%m/{year}{time}",
    )


def in_layout(table_name: str, rejected: pl.DataFrame, layout: str | None) -> pl.DataFrame:
    """:func:`validate_rows`' rejections with the unreadable dates and timestamps of an
    export read in ``layout`` told by :func:`layout_reason` (not "cannot be read as an
    ISO 8601 timestamp": the file was read in the layout its user declared); as they are
    when no layout was declared.

    >>> bad = pl.DataFrame({"line": [5], "column": ["created_at"], "value": ["31.09.2026"],
    ...                     "reason": [render("reject.unreadable.timestamp")]})
    >>> in_layout("leads", bad, "%d.%m.%Y")["reason"].to_list()
    ['there is no such day (read in the layout %d.%m.%Y: the month has fewer days)']
    """
    if not layout or not rejected.height:
        return rejected
    hit = _unread_dates(table_name)
    values = rejected.filter(hit)["value"].unique().to_list()
    if not values:
        return rejected
    reasons = {v: layout_reason(v, layout) for v in values}
    told = pl.col("value").replace_strict(reasons, default=None, return_dtype=pl.String)
    return rejected.with_columns(
        pl.when(hit).then(told).otherwise(pl.col("reason")).alias("reason")
    )
