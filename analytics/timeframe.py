"""Time frames of the review: calendar months in the reporting time zone, and ``as_of``.

A *month* is a calendar month in ``config.reporting.timezone`` (spec/metrics.md, "Time").
Every metric filters UTC timestamps with the UTC bounds of such a month, so the bounds
are computed once here and the data is compared against plain instants (fast).

>>> w = month_window("2026-10", timezone="Europe/Berlin")
>>> w.start.isoformat(), w.end.isoformat()
('2026-09-30T22:00:00+00:00', '2026-10-31T23:00:00+00:00')
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import polars as pl

from analytics.schema import UTC_TIMESTAMP

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class TimeframeError(ValueError):
    """A month or ``as_of`` that cannot be used (the message names the value)."""


def parse_month(text: str) -> tuple[int, int]:
    """Parse ``YYYY-MM`` into ``(year, month)``.

    >>> parse_month("2026-10")
    (2026, 10)
    >>> parse_month("2026-13")
    Traceback (most recent call last):
    ...
    analytics.timeframe.TimeframeError: month '2026-13' is not a calendar month; use YYYY-MM, ...
    """
    match = _MONTH.match(str(text).strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1900:
        raise TimeframeError(f"month {text!r} is not a calendar month; use YYYY-MM, e.g. 2026-10")
    return int(match.group(1)), int(match.group(2))


def shift_month(month: str, months: int) -> str:
    """The month ``months`` calendar months after ``month`` (negative: before).

    >>> shift_month("2026-01", -1), shift_month("2026-11", 3)
    ('2025-12', '2027-02')
    """
    year, mon = parse_month(month)
    index = year * 12 + (mon - 1) + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def quarter_start_month(month: str) -> str:
    """The first month of the calendar quarter that holds ``month``.

    >>> quarter_start_month("2026-11")
    '2026-10'
    """
    year, mon = parse_month(month)
    return f"{year:04d}-{(mon - 1) // 3 * 3 + 1:02d}"


@functools.lru_cache(maxsize=4096)
def utc_lit(moment: datetime) -> pl.Expr:
    """A UTC timestamp literal, built once per moment: ``pl.lit`` of a datetime builds a
    Series (about 0.1-0.3 ms), and a month's review asks for the same few moments
    hundreds of times. Expressions are immutable, so one can be shared.

    >>> utc_lit(datetime(2026, 10, 1, tzinfo=UTC)) is utc_lit(datetime(2026, 10, 1, tzinfo=UTC))
    True
    """
    return pl.lit(moment, dtype=UTC_TIMESTAMP)


def _local_midnight_utc(year: int, month: int, tz: ZoneInfo) -> datetime:
    return datetime(year, month, 1, tzinfo=tz).astimezone(UTC)


@dataclass(frozen=True)
class Window:
    """A half-open span of time ``[start, end)`` in UTC, labelled (e.g. by its month).

    ``first_day`` / ``last_day`` are the local calendar dates it covers (for daily data
    such as web traffic).
    """

    label: str
    start: datetime
    end: datetime
    first_day: date
    last_day: date
    timezone: str = "UTC"

    @property
    def start_lit(self) -> pl.Expr:
        return utc_lit(self.start)

    @property
    def end_lit(self) -> pl.Expr:
        return utc_lit(self.end)

    def contains(self, column: str | pl.Expr) -> pl.Expr:
        """Boolean expression: the UTC timestamp column lies in ``[start, end)``."""
        col = pl.col(column) if isinstance(column, str) else column
        return (col >= self.start_lit) & (col < self.end_lit)

    def contains_date(self, column: str | pl.Expr) -> pl.Expr:
        """Boolean expression: the date column lies in ``[first_day, last_day]``."""
        col = pl.col(column) if isinstance(column, str) else column
        return col.is_between(pl.lit(self.first_day), pl.lit(self.last_day))

    def elapsed_share(self, as_of: datetime) -> float:
        """Share of the window that has passed at ``as_of`` (0 before, 1 after).

        >>> w = month_window("2026-11")
        >>> w.elapsed_share(datetime(2026, 11, 16, tzinfo=UTC))
        0.5
        """
        total = (self.end - self.start).total_seconds()
        done = (min(max(as_of, self.start), self.end) - self.start).total_seconds()
        return done / total


def month_window(month: str, *, timezone: str = "UTC") -> Window:
    """The UTC bounds of calendar month ``YYYY-MM`` in ``timezone``.

    >>> month_window("2026-02").end.isoformat()
    '2026-03-01T00:00:00+00:00'
    """
    year, mon = parse_month(month)
    return months_window(month, 1, timezone=timezone, label=f"{year:04d}-{mon:02d}")


def months_window(first: str, count: int, *, timezone: str = "UTC", label: str = "") -> Window:
    """The UTC bounds of ``count`` calendar months starting with ``first``.

    >>> w = months_window("2026-10", 3)
    >>> w.first_day.isoformat(), w.last_day.isoformat()
    ('2026-10-01', '2026-12-31')
    """
    tz = ZoneInfo(timezone)
    year, mon = parse_month(first)
    last = shift_month(first, count)
    end_year, end_mon = parse_month(last)
    first_day = date(year, mon, 1)
    end_day = date(end_year, end_mon, 1)
    return Window(
        label=label or f"{first}..{shift_month(first, count - 1)}",
        start=_local_midnight_utc(year, mon, tz),
        end=_local_midnight_utc(end_year, end_mon, tz),
        first_day=first_day,
        last_day=end_day - timedelta(days=1),
        timezone=timezone,
    )


def month_of(column: str | pl.Expr, *, timezone: str = "UTC") -> pl.Expr:
    """Expression: the ``YYYY-MM`` month of a UTC timestamp in ``timezone``.

    >>> df = pl.DataFrame({"t": [datetime(2026, 10, 31, 23, 30, tzinfo=UTC)]})
    >>> df.select(month_of("t", timezone="Europe/Berlin"))["t"].to_list()
    ['2026-11']
    """
    col = pl.col(column) if isinstance(column, str) else column
    return col.dt.convert_time_zone(timezone).dt.strftime("%Y-%m")


def month_labels(month: str, months: int) -> list[str]:
    """``months`` consecutive month labels starting with ``month``.

    >>> month_labels("2026-11", 3)
    ['2026-11', '2026-12', '2027-01']
    """
    return [shift_month(month, i) for i in range(months)]


def month_label_of(
    column: str | pl.Expr, *, month: str, months: int, timezone: str = "UTC"
) -> pl.Expr:
    """Expression: the ``YYYY-MM`` label of a UTC timestamp known to lie in the given months.

    Faster than :func:`month_of` on large frames: a binary search among the months' UTC
    starts instead of a time-zone conversion per row. Rows outside the months get the
    nearest label, so filter with the months' :class:`Window` first.

    >>> df = pl.DataFrame({"t": [datetime(2026, 10, 31, 23, 30, tzinfo=UTC)]})
    >>> df.select(month_label_of("t", month="2026-10", months=2, timezone="Europe/Berlin"))
    shape: (1, 1)
    ┌─────────┐
    │ t       │
    │ ---     │
    │ str     │
    ╞═════════╡
    │ 2026-11 │
    └─────────┘
    """
    col = pl.col(column) if isinstance(column, str) else column
    labels = month_labels(month, months)
    if months == 1:
        return pl.lit(labels[0]).alias(col.meta.output_name())
    starts = pl.Series(
        [month_window(m, timezone=timezone).start for m in labels[1:]], dtype=UTC_TIMESTAMP
    )
    index = pl.lit(starts).search_sorted(col, side="right")
    mapping = dict(enumerate(labels))
    return index.replace_strict(mapping, return_dtype=pl.String).alias(col.meta.output_name())


def week_of(column: str | pl.Expr, *, timezone: str = "UTC") -> pl.Expr:
    """Expression: the local date of the Monday starting the week of a UTC timestamp.

    >>> df = pl.DataFrame({"t": [datetime(2026, 10, 8, 12, tzinfo=UTC)]})
    >>> df.select(week_of("t"))["t"].to_list()
    [datetime.date(2026, 10, 5)]
    """
    col = pl.col(column) if isinstance(column, str) else column
    local = col.dt.convert_time_zone(timezone).dt.replace_time_zone(None)
    return local.dt.truncate("1w").dt.date()


def as_utc(moment: datetime) -> datetime:
    """A datetime in UTC; a naive one is taken as UTC.

    >>> as_utc(datetime(2026, 1, 1)).isoformat()
    '2026-01-01T00:00:00+00:00'
    """
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def format_utc(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC to the second with a ``Z`` (the CLI's JSON form); None stays None.

    >>> format_utc(datetime(2026, 11, 1, 1, 30, tzinfo=UTC))
    '2026-11-01T01:30:00Z'
    """
    if moment is None:
        return None
    return as_utc(moment).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


__all__ = [
    "TimeframeError",
    "Window",
    "as_utc",
    "format_utc",
    "month_label_of",
    "month_labels",
    "month_of",
    "month_window",
    "months_window",
    "parse_month",
    "quarter_start_month",
    "shift_month",
    "utc_lit",
    "week_of",
]
