"""Tables as files people open in Excel: ``.xlsx`` workbooks and CSV, as bytes (no file I/O).

Every list the app offers for download and the review's workbook are built here, so that
the app and a notebook write the same files:

- :func:`xlsx_bytes`: one sheet per table, headers in the reader's language, shares as
  ``0.0 %``, decimals rounded to one digit, times in the reporting time zone;
- :func:`csv_bytes`: in German with ``;``, a UTF-8 byte order mark and decimal commas (what
  a German Excel opens with a double click); in English with ``,``;
- :func:`neutralise`: CSV text cells starting with ``=``, ``+``, ``-`` or ``@`` get a
  leading ``'``, so that a spreadsheet shows them and never runs them as a formula. A
  workbook needs no prefix: its text cells are written as text (never as formulas), and
  show exactly what they hold (``-14``, ``+4.3 pp``).

How a column is shown follows from its name and type (:func:`column_kind`), the same rule
the app's tables use.

>>> neutralise(pl.DataFrame({"note": ["=HYPERLINK(1)", "ok", None]}))["note"].to_list()
["'=HYPERLINK(1)", 'ok', None]
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any, Literal

import polars as pl

from analytics.pack.formatting import format_change, format_counts, format_metric, format_p
from analytics.response_time import RESEARCH_COLUMNS
from analytics.texts import Lang, check_lang, number, percent, render

#: ``points``: a difference of two shares, in percentage points (0.026 is +2.6 pp).
ColumnKind = Literal["share", "points", "decimal", "count", "datetime", "date", "bool", "text"]
#: How a numeric column is shown: one kind, or one per row (a table of KPIs holds rates,
#: counts and hours in the same column).
Kinds = Mapping[str, "ColumnKind | Sequence[ColumnKind]"]

#: Words in a column name that make it a share (0..1, shown in percent).
SHARE_WORDS: tuple[str, ...] = (
    "rate", "compliance", "share", "precision", "recall", "attainment", "pace",
)  # fmt: skip
#: Columns that are shares although no share word is in their name: a rep's load (MQLs per
#: week over capacity) and the shares of episodes touched within the research's buckets.
SHARE_COLUMNS = frozenset(
    {"ci_low", "ci_high", "workload_ratio", "extra_sqls_per_extra_mql", "probability", "load"}
    | set(RESEARCH_COLUMNS)
)

#: The first characters that make a spreadsheet read a text cell as a formula.
FORMULA_STARTS: tuple[str, ...] = ("=", "+", "-", "@")


def column_kind(name: str, dtype: pl.DataType) -> ColumnKind:
    """How a column is shown: a share, a decimal (one digit), a count, a time, a date, text.

    >>> column_kind("compliance", pl.Float64()), column_kind("hours_over", pl.Float64())
    ('share', 'decimal')
    >>> column_kind("attempts", pl.Int64()), column_kind("started_at", pl.Datetime("us", "UTC"))
    ('count', 'datetime')
    """
    if dtype == pl.Boolean:
        return "bool"
    if isinstance(dtype, pl.Datetime):
        return "datetime"
    if dtype == pl.Date:
        return "date"
    if dtype.is_float():
        share = name in SHARE_COLUMNS or any(w in name for w in SHARE_WORDS)
        return "share" if share else "decimal"
    if dtype.is_integer():
        return "count"
    return "text"


def cell_text(value: object, kind: ColumnKind, lang: Lang = "en") -> str:
    """One value as a table on screen shows it: ``90,2 %``, ``1.234,5``, ``1.234``; '–' if None.

    >>> cell_text(0.90214, "share", "de"), cell_text(2772.06, "decimal", "de")
    ('90,2 %', '2.772,1')
    >>> cell_text(429423, "count", "de"), cell_text(None, "decimal"), cell_text(95.91, "decimal")
    ('429.423', '–', '95.9')
    >>> cell_text(0.026, "points"), cell_text(-0.0123, "points", "de")
    ('+2.6 pp', '-1,2 Pp.')
    """
    if value is None:
        return "–"
    if kind == "share":
        return percent(value, lang, digits=1)  # type: ignore[arg-type]
    if kind == "decimal":
        return number(value, lang, digits=1)  # type: ignore[arg-type]
    if kind == "count":
        return number(value, lang)  # type: ignore[arg-type]
    if kind == "points":
        sign = "+" if value > 0 else ""  # type: ignore[operator]
        return f"{sign}{number(value * 100, lang, digits=1)} {render('unit.pp', lang=lang)}"  # type: ignore[operator]
    return str(value)


def column_texts(series: pl.Series, lang: Lang = "en") -> list[str]:
    """A column's values as text of the language (:func:`cell_text` by :func:`column_kind`).

    >>> column_texts(pl.Series("rate", [0.5, None, 0.9591]), "de")
    ['50,0 %', '–', '95,9 %']
    """
    kind = column_kind(series.name, series.dtype)
    return [cell_text(v, kind, lang) for v in series.to_list()]


def neutralise(frame: pl.DataFrame) -> pl.DataFrame:
    """Text cells that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@`` first)
    prefixed with ``'``; numbers and other cells unchanged.

    >>> frame = pl.DataFrame({"a": ["+49 170", "@SUM(A1)", "-1", "x"], "n": [-1, 2, 3, 4]})
    >>> neutralise(frame).rows()[:3]
    [("'+49 170", -1), ("'@SUM(A1)", 2), ("'-1", 3)]
    """
    texts = [name for name, dtype in frame.schema.items() if dtype in (pl.String, pl.Categorical)]
    if not texts:
        return frame

    def safe(column: str) -> pl.Expr:
        text = pl.col(column).cast(pl.String)
        risky = pl.any_horizontal([text.str.starts_with(s) for s in FORMULA_STARTS])
        return pl.when(risky).then(pl.lit("'") + text).otherwise(text).alias(column)

    return frame.with_columns(safe(c) for c in texts)


def _local(frame: pl.DataFrame, timezone: str | None) -> pl.DataFrame:
    """Times in ``timezone`` without zone (what a spreadsheet shows), rounded to the second."""
    times = []
    for name, dtype in frame.schema.items():
        if isinstance(dtype, pl.Datetime):
            col = pl.col(name)
            if dtype.time_zone is not None and timezone:
                col = col.dt.convert_time_zone(timezone)
            times.append(col.dt.replace_time_zone(None).dt.truncate("1s").alias(name))
    return frame.with_columns(times) if times else frame


def _headers(frame: pl.DataFrame, headers: Mapping[str, str] | None) -> list[str]:
    return [(headers or {}).get(name, name) for name in frame.columns]


def _row_number(value: float | None, kind: ColumnKind, german: bool) -> str | None:
    """A number of a column of mixed kinds as CSV text: a share in percent with one decimal,
    a decimal with one, a count whole; the language's decimal mark, no thousands separator
    (as the columns of one kind are written).

    >>> _row_number(0.01834, "share", True), _row_number(878.0, "count", False)
    ('1,8', '878')
    >>> _row_number(3.75, "decimal", False), _row_number(-0.0004, "share", False)
    ('3.8', '0.0')
    >>> _row_number(-0.026, "points", True)  # percentage points
    '-2,6'
    """
    if value is None:
        return None
    if kind in ("share", "points"):
        text = f"{round(value * 100, 1) + 0.0:.1f}"  # + 0.0: no "-0.0"
    elif kind == "decimal":
        text = f"{round(value, 1) + 0.0:.1f}"
    else:
        text = f"{round(value) + 0:.0f}"
    return text.replace(".", ",") if german else text


def csv_bytes(
    frame: pl.DataFrame,
    *,
    lang: Lang = "en",
    headers: Mapping[str, str] | None = None,
    timezone: str | None = None,
    kinds: Kinds | None = None,
) -> bytes:
    """A table as CSV for a spreadsheet in the reader's language.

    German: ``;`` between cells, decimal commas, dates ``31.10.2026``, a UTF-8 byte order
    mark (so Excel reads umlauts). English: ``,``, decimal points, ISO dates, no mark.
    Shares are written in percent with one decimal (the headers say ``(%)``), other
    decimals rounded to one digit; times in ``timezone``; formula cells neutralised.

    Parameters
    ----------
    frame : pl.DataFrame
    lang : {"en", "de"}
    headers : mapping, optional
        Column name -> header (the app's column labels in the language).
    timezone : str, optional
        The reporting time zone for datetime columns (default: as stored).
    kinds : mapping, optional
        Column name -> kind of a numeric column whose name does not tell it, or a kind per
        row (default: :func:`column_kind`).

    >>> frame = pl.DataFrame({"rate": [0.90214], "hours": [1234.56], "note": ["=1+1"]})
    >>> csv_bytes(frame, lang="de", headers={"rate": "Quote (%)"}).decode("utf-8-sig")
    "Quote (%);hours;note\\n90,2;1234,6;'=1+1\\n"
    >>> csv_bytes(frame).decode()
    "rate,hours,note\\n90.2,1234.6,'=1+1\\n"
    """
    check_lang(lang)
    german = lang == "de"
    kinds = kinds or {}
    shown = []
    per_row: dict[str, Sequence[ColumnKind]] = {}
    for name, dtype in frame.schema.items():
        kind = kinds.get(name, column_kind(name, dtype)) if dtype.is_numeric() else None
        if not isinstance(kind, str) and kind is not None:
            per_row[name] = kind
            continue
        kind = kind or column_kind(name, dtype)
        if kind in ("share", "points"):
            shown.append((pl.col(name) * 100).round(1))
        elif kind == "decimal":
            shown.append(pl.col(name).round(1))
        elif kind == "date" and german:
            shown.append(pl.col(name).dt.strftime("%d.%m.%Y"))
    out = neutralise(_local(frame.with_columns(shown) if shown else frame, timezone))
    for name, row_kinds in per_row.items():  # after neutralise: numbers, not formulas
        values = frame[name].to_list()
        texts = [_row_number(v, k, german) for v, k in zip(values, row_kinds, strict=True)]
        out = out.with_columns(pl.Series(name, texts, dtype=pl.String))
    if german:
        out = out.with_columns(
            pl.col(n).dt.strftime("%d.%m.%Y %H:%M:%S")
            for n, d in out.schema.items()
            if isinstance(d, pl.Datetime)
        )
    out.columns = _headers(frame, headers)
    text = out.write_csv(
        separator=";" if german else ",",
        decimal_comma=german,
        datetime_format="%Y-%m-%d %H:%M:%S",
        float_precision=None,
    )
    return ("\ufeff" + text).encode("utf-8") if german else text.encode("utf-8")


#: Excel number formats per kind (Excel shows them with the reader's separators).
_XLSX_FORMATS: dict[str, str] = {
    "share": "0.0 %",
    "decimal": "#,##0.0",
    "count": "#,##0",
}
_XLSX_POINTS = {"en": '+0.0 "pp";-0.0 "pp";0.0 "pp"', "de": '+0.0 "Pp.";-0.0 "Pp.";0.0 "Pp."'}
_XLSX_TIME = {"en": "yyyy-mm-dd hh:mm", "de": "dd.mm.yyyy hh:mm"}
_XLSX_DATE = {"en": "yyyy-mm-dd", "de": "dd.mm.yyyy"}


def sheet_name(name: str, taken: set[str] | None = None) -> str:
    """A valid, unique Excel sheet name: at most 31 characters, none of ``[]:*?/\\``.

    >>> sheet_name("Breaches: late / first touch?"), sheet_name("A", {"A"})
    ('Breaches late first touch', 'A (2)')
    """
    clean = "".join(c for c in name if c not in "[]:*?/\\").strip().strip("'")
    clean = " ".join(clean.split())[:31] or "Sheet"
    taken = taken or set()
    candidate, n = clean, 2
    while candidate in taken:
        suffix = f" ({n})"
        candidate, n = clean[: 31 - len(suffix)] + suffix, n + 1
    return candidate


def xlsx_bytes(
    sheets: Mapping[str, pl.DataFrame],
    *,
    lang: Lang = "en",
    headers: Mapping[str, str] | None = None,
    timezone: str | None = None,
    kinds: Kinds | None = None,
) -> bytes:
    """An Excel workbook with one formatted sheet per table.

    Headers bold and frozen, an autofilter, columns wide enough for their header; shares
    as ``0.0 %``, decimals as ``#,##0.0``, counts as ``#,##0``; times in ``timezone`` as
    ``dd.mm.yyyy hh:mm`` (German) or ``yyyy-mm-dd hh:mm``; text cells written as text,
    unchanged and never as formulas (a cell ``=1+1`` shows ``=1+1``: no ``'`` is needed,
    unlike in CSV).

    Parameters
    ----------
    sheets : mapping
        Sheet name -> table (names are made valid and unique with :func:`sheet_name`).
    lang : {"en", "de"}
    headers : mapping, optional
        Column name -> header in the reader's language.
    timezone : str, optional
        The reporting time zone for datetime columns.
    kinds : mapping, optional
        Column name -> kind of a numeric column whose name does not tell it, or a kind per
        row (default: :func:`column_kind`).

    >>> data = xlsx_bytes({"Leads": pl.DataFrame({"rate": [0.5]})}, lang="de")
    >>> data[:2]
    b'PK'
    """
    import xlsxwriter

    check_lang(lang)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    bold = book.add_format({"bold": True, "bg_color": "#f3f4f6", "bottom": 1, "text_wrap": True})
    formats = {kind: book.add_format({"num_format": f}) for kind, f in _XLSX_FORMATS.items()}
    formats["points"] = book.add_format({"num_format": _XLSX_POINTS[lang]})
    formats["datetime"] = book.add_format({"num_format": _XLSX_TIME[lang]})
    formats["date"] = book.add_format({"num_format": _XLSX_DATE[lang]})
    taken: set[str] = set()
    for title, frame in sheets.items():
        name = sheet_name(title, taken)
        taken.add(name)
        sheet = book.add_worksheet(name)
        shown = [
            (kinds or {}).get(c, column_kind(c, d)) if d.is_numeric() else column_kind(c, d)
            for c, d in frame.schema.items()
        ]
        out = _local(frame, timezone)  # text as text: write_string, never a formula
        for col, (header, kind) in enumerate(zip(_headers(frame, headers), shown, strict=True)):
            sheet.write_string(0, col, header, bold)
            width = min(max(len(header) * 0.9, 10), 45)
            values = out.get_column(out.columns[col]).to_list()
            if kind == "text":
                longest = max((len(str(v)) for v in values if v is not None), default=0)
                width = min(max(width, longest + 1), 60)
            elif kind in ("datetime", "date"):
                width = max(width, 17 if kind == "datetime" else 11)
            sheet.set_column(col, col, width)
            row_kinds = None if isinstance(kind, str) else kind
            for row, value in enumerate(values, start=1):
                if value is None:
                    continue
                if row_kinds is not None:
                    kind = row_kinds[row - 1]
                fmt = formats.get(kind)
                if kind == "points" and isinstance(value, int | float):
                    value = round(value * 100, 1)  # the format says pp
                elif kind in ("share", "decimal", "count") and isinstance(value, float):
                    value = round(value, {"share": 3, "decimal": 1}.get(kind))
                if isinstance(value, datetime | date):
                    sheet.write_datetime(row, col, value, fmt)
                elif isinstance(value, bool):
                    sheet.write_boolean(row, col, value)
                elif isinstance(value, int | float):
                    sheet.write_number(row, col, value, fmt)
                else:
                    sheet.write_string(row, col, str(value))
        sheet.freeze_panes(1, 0)
        if frame.width:
            sheet.autofilter(0, 0, max(frame.height, 1), frame.width - 1)
    book.close()
    return buffer.getvalue()


def pack_sheets(pack: Any, *, lang: Lang = "en") -> dict[str, pl.DataFrame]:
    """The review pack's sections as tables, one per sheet, in ``lang`` (words, not codes).

    Sheet names are the pack's section headings; the numbers are the pack's, raw (the
    workbook formats them), shares as shares.
    """
    from analytics.pack.render import (
        assignment_view,
        breach_view,
        change_sentence,
        funnel_rows,
        kpi_note,
        pacing_rows,
        scorecard_status,
        sla_view,
        warning_view,
    )
    from analytics.texts import day, metric_label, render, term

    def w(code: str, **params: Any) -> str:
        return render(f"pack.{code}", lang=lang, **params)

    def with_reason(status: str, why: str | None) -> str:
        """A status and, when not judged, why (as the md and html pack print it)."""
        return f"{status}: {why}" if why else status

    config = pack.config
    sheets: dict[str, pl.DataFrame] = {}
    if notes := pack.import_note_lines(lang=lang):  # the first sheet, as the pack's top
        sheets[w("section.import_notes")] = pl.DataFrame({w("col.note"): notes})
    sheets[w("section.goals")] = pl.DataFrame(
        [
            {
                w("col.period"): term("period", r["period"], lang=lang),
                w("col.stage"): r["label"],
                w("col.actual"): r.get("actual"),
                w("col.goal_target"): r.get("target"),
                w("col.expected"): r.get("expected_to_date"),
                w("col.forecast"): r.get("forecast"),
                w("col.forecast_attainment"): r.get("forecast_attainment"),
                w("col.reason"): r.get("reason"),
            }
            for r in pacing_rows(pack, lang=lang)
        ]
    )
    sheets[w("section.scorecards")] = pl.DataFrame(
        [
            {
                w("col.team"): term("team", team, lang=lang),
                w("col.promise"): r.promise_words.render(lang=lang),
                w("col.target"): r.target_text(currency=pack.currency, lang=lang),
                w("col.actual"): r.actual_text(currency=pack.currency, lang=lang),
                w("col.counts"): r.count_words.render(lang=lang),
                w("col.status"): with_reason(*scorecard_status(pack, r, lang=lang)),
            }
            for team, rows in pack.scorecards.items()
            for r in rows
        ]
    )

    def value(metric: str, number: float | None) -> str:
        return format_metric(metric, number, currency=pack.currency, lang=lang)

    sheets[w("section.kpis")] = pl.DataFrame(
        [
            {
                w("col.team"): term("team", r["team"], lang=lang),
                w("col.kpi"): config.kpi_label(r["team"], r["metric"], lang) or r["label"],
                pack.month: value(r["metric"], r["value"]),
                pack.previous.month: value(r["metric"], r["previous"]),
                w("col.change"): with_reason(
                    format_change(r["metric"], r["change"], currency=pack.currency, lang=lang),
                    pack.review.change_reason(r["metric"], lang=lang),
                ),
                w("col.target"): ("≥ " if r["direction"] == "at_least" else "≤ ")
                + value(r["metric"], r["target"]),
                w("col.status"): with_reason(
                    term("status", r["status"], lang=lang),
                    pack.review.kpi_reason(r, lang=lang),
                ),
            }
            for r in pack.kpis.iter_rows(named=True)
        ]
    )
    sheets[w("section.funnel")] = pl.DataFrame(
        [
            {
                w("col.stage"): r["label"],
                pack.month: r["value"],
                pack.previous.month: r["previous"],
                w("col.conversion"): r["rate_name"],
                w("col.rate"): (r["rate"] or {}).get("rate"),
                w("col.counts"): format_counts(
                    (r["rate"] or {}).get("x"), (r["rate"] or {}).get("n"), lang
                ),
                w("col.reason"): " ".join(
                    [r["reason"]] * bool(r["reason"])
                    + [f"{r['rate_name']}: {r['rate_reason']}"] * bool(r["rate_reason"])
                )
                or None,
            }
            for r in funnel_rows(pack, lang=lang)
        ],
        schema_overrides={w("col.rate"): pl.Float64, w("col.reason"): pl.String},
    )
    # the breaches listed, then why a kind is unknown; never an empty sheet
    breaches = breach_view(pack, lang=lang)
    listed = [
        {
            w("col.kpi"): g["title"],
            w("col.lead"): b["lead_id"],
            w("col.rep"): b.get("rep_name") or b.get("rep_id") or "",
            w("col.detail"): b["detail"],
        }
        for g in breaches["groups"]
        for b in g["rows"]
    ]
    sentences = ([breaches["note"]] if breaches["note"] else []) + breaches["unknown"]
    sheets[w("section.breaches")] = (
        pl.DataFrame(listed + [dict.fromkeys(listed[0]) | {w("col.detail"): s} for s in sentences])
        if listed
        else pl.DataFrame({w("section.breaches"): sentences})
    )

    def note_or_rows(section: str, view: dict, columns: dict[str, str], floats: tuple) -> None:
        """The view's one-sentence note when it has one, else its rows (columns: header key
        -> row key; ``floats``: header keys of Float64 columns, null in every row)."""
        sheets[w(section)] = (
            pl.DataFrame({w(section): [view["note"]]})
            if view["note"]
            else pl.DataFrame(
                [{w(col): r[key] for col, key in columns.items()} for r in view["rows"]],
                schema_overrides={w(col): pl.Float64 for col in floats},
            )
        )

    note_or_rows(
        "section.warnings",
        warning_view(pack, lang=lang),
        {"col.rep": "rep", "col.warned": "warned", "col.touched_in_time": "met",
         "col.missed": "missed", "col.open": "pending", "col.rate": "rate"},
        floats=("col.rate",),
    )  # fmt: skip
    note_or_rows(
        "section.assignment",
        assignment_view(pack, lang=lang),
        {"col.rep": "rep", "col.episodes": "episodes", "col.with_assignment": "with_assignment",
         "col.routing_hours": "median_routing_hours", "col.rep_hours": "median_rep_hours"},
        floats=("col.routing_hours", "col.rep_hours"),
    )  # fmt: skip
    sheets[w("section.changes_short")] = pl.DataFrame(
        [
            {
                w("col.metric"): metric_label(r["metric"], lang=lang),
                w("col.change"): change_sentence(
                    r, lang=lang, reason=pack.review.change_reason(r["metric"], lang=lang)
                ),
                w("col.p"): format_p(r["p_value"], lang),
                w("col.significant"): bool(r["is_significant"]),
            }
            for r in pack.changes.iter_rows(named=True)
        ]
    )
    sheets[w("section.actions")] = pl.DataFrame(
        [
            {
                w("col.team"): term("team", a.team, lang=lang),
                w("section.actions"): a.message.render(lang=lang),
                w("col.detail"): a.basis.render(lang=lang),
            }
            for a in pack.actions
        ]
    )
    # the SLA as the md and html pack say it: the version, what changed since the last
    # review, what changed inside the month (and which version judges the part after);
    # each in-month change's split on a sheet of its own
    sla = sla_view(pack, lang=lang)
    lines = [sla["version"], *sla["zones"], kpi_note(pack, lang=lang)]  # and each month
    lines += [sla["since_title"], *(sla["since"] or [w("sla.no_change")])]
    for change in sla["in_month"]:
        lines += [change["title"], *change["lines"], change["judged"]]
    sheets[w("section.sla")] = pl.DataFrame({w("section.sla"): lines})
    for c, change in zip(pack.in_month, sla["in_month"], strict=True):
        title = w("sla.split_sheet", day=day(c.change.effective_from, lang))
        sheets[title] = pl.DataFrame(change["rows"])
    return sheets


def pack_workbook(pack: Any, *, lang: Lang = "en") -> bytes:
    """The review pack as an Excel workbook: one sheet per section (:func:`pack_sheets`)."""
    from analytics.texts import render

    def w(code: str) -> str:
        return render(f"pack.{code}", lang=lang)

    kinds: dict[str, ColumnKind] = {
        w("col.rate"): "share",
        w("col.forecast_attainment"): "share",
        **dict.fromkeys(
            [w("col.actual"), w("col.goal_target"), w("col.expected"), w("col.forecast")],
            "count",
        ),
        **dict.fromkeys([pack.month, pack.previous.month], "count"),
    }
    return xlsx_bytes(pack_sheets(pack, lang=lang), lang=lang, kinds=kinds)


__all__ = [
    "FORMULA_STARTS",
    "SHARE_COLUMNS",
    "SHARE_WORDS",
    "ColumnKind",
    "Kinds",
    "cell_text",
    "column_kind",
    "column_texts",
    "csv_bytes",
    "neutralise",
    "pack_sheets",
    "pack_workbook",
    "sheet_name",
    "xlsx_bytes",
]
