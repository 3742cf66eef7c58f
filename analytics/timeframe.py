"""Time frames of the review: calendar months in the reporting time zone, and ``as_of``.

A *month* is a calendar month in ``config.reporting.timezone`` (spec/metrics.md, "Time").
Every metric filters UTC timestamps with the UTC bounds of such a month, so the bounds
are computed once here and the data is compared against plain instants (fast).

>>> w = month_window("2026-10", timezone="Europe/Berlin")
>>> w.start.isoformat(), w.end.isoformat()
('2026-09-30T22:00:00+00:00', '2026-10-31T23:00:00+00:00')

When SLA versions change the reporting time zone, each month is cut in the zone of the
version that judges it (:class:`MonthZones`, built by
:func:`analytics.sla_versions.month_zones`): a month starts at midnight of its 1st in its
own zone and ends where the next month starts, so the months still tile time. Every
function here that takes ``timezone`` takes such a :class:`MonthZones` too.

>>> zones = MonthZones("Europe/Berlin", (("2026-10", "America/New_York"),))
>>> w = month_window("2026-09", timezone=zones)  # ends at midnight in New York
>>> w.start.isoformat(), w.end.isoformat()
('2026-08-31T22:00:00+00:00', '2026-10-01T04:00:00+00:00')
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    import polars as pl

# polars is imported where an expression is built, not with the module: the months' bounds
# (MonthZones, month_window) serve `sla info`, which answers without polars

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


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@functools.lru_cache(maxsize=4096)
def utc_lit(moment: datetime) -> pl.Expr:
    """A UTC timestamp literal of ``moment`` (a naive one taken as UTC, :func:`as_utc`):
    the one way the metrics write a moment into an expression.

    Built once per moment, from its microseconds since the epoch: ``pl.lit`` of a
    datetime builds a Series through Python's time zones (0.2-0.3 ms; an integer's cast,
    5-10 µs), and a month's review asks for a few dozen moments hundreds of times.
    Polars folds the cast into a timestamp literal before a scan is handed a filter
    (:func:`analytics.warehouse.database._sql_filter` writes it as a ``TIMESTAMPTZ``).
    Expressions are immutable, so one can be shared.

    >>> utc_lit(datetime(2026, 10, 1, tzinfo=UTC)) is utc_lit(datetime(2026, 10, 1, tzinfo=UTC))
    True
    >>> import polars as pl
    >>> pl.select(utc_lit(datetime(2026, 10, 1, 2, 3, 4, 5))).item()
    datetime.datetime(2026, 10, 1, 2, 3, 4, 5, tzinfo=zoneinfo.ZoneInfo(key='UTC'))
    """
    import polars as pl

    from analytics.schema import UTC_TIMESTAMP

    micros = (as_utc(moment) - _EPOCH) // timedelta(microseconds=1)
    return pl.lit(micros, dtype=pl.Int64).cast(UTC_TIMESTAMP)


def _local_midnight_utc(year: int, month: int, tz: ZoneInfo) -> datetime:
    return datetime(year, month, 1, tzinfo=tz).astimezone(UTC)


@dataclass(frozen=True)
class ZoneBoundary:
    """Where the months are cut when the reporting time zone changes with month ``month``.

    ``at`` is midnight of ``month``'s 1st in the new zone (``after``): the end of the month
    before and the start of ``month``. ``other`` is the same midnight in the old zone
    (``before``). The time between the two belongs to ``holder``: the month before when
    the new zone's midnight comes later (a zone further west: the month before runs on
    to it), ``month`` when it comes earlier.
    """

    month: str
    before: str
    after: str
    at: datetime
    other: datetime

    @property
    def hours(self) -> float:
        """The hours between the two midnights (0 when the zones agree on that day)."""
        return abs((self.at - self.other).total_seconds()) / 3600

    @property
    def holder(self) -> str:
        """The month the hours between the two midnights belong to."""
        return shift_month(self.month, -1) if self.at > self.other else self.month


@dataclass(frozen=True)
class MonthZones:
    """The reporting time zone of each month: where each month starts and ends.

    The months form a partition of time with no gap and no overlap: a month starts at
    midnight of its 1st in its own zone and ends where the next month starts (midnight
    of the next month's 1st in the *next* month's zone). Where the zone changes, the
    boundary is the new zone's midnight; the hours between the old zone's midnight and
    the new one's belong to the month before when the new zone is further west (Berlin
    to New York: 2026-09-30 22:00Z to 2026-10-01 04:00Z count in September), to the new
    month when it is further east.

    Parameters
    ----------
    zone : str
        The zone of every month before the first change (IANA name).
    changes : tuple of (str, str)
        ``(month, zone)``: from ``month`` (``YYYY-MM``) on, months are in ``zone``; in
        month order, each a change (SLA versions judging months:
        :func:`analytics.sla_versions.month_zones`).

    Examples
    --------
    >>> z = MonthZones("Europe/Berlin", (("2026-10", "America/New_York"),))
    >>> z.zone_of("2026-09"), z.zone_of("2026-10")
    ('Europe/Berlin', 'America/New_York')
    >>> z.month_at(datetime(2026, 10, 1, 3, tzinfo=UTC))  # 05:00 in Berlin: still September
    '2026-09'
    >>> MonthZones.of("UTC") == MonthZones("UTC")
    True
    """

    zone: str = "UTC"
    changes: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        months = [m for m, _ in self.changes]
        for m in months:
            parse_month(m)
        if months != sorted(set(months)):
            raise ValueError(f"zone changes must be in month order, once a month: {months}")

    @staticmethod
    def of(timezone: str | MonthZones) -> MonthZones:
        """``timezone`` as a :class:`MonthZones` (a zone name: every month in it)."""
        return timezone if isinstance(timezone, MonthZones) else MonthZones(timezone)

    @property
    def single(self) -> bool:
        """Whether every month is in one zone (no change)."""
        return all(zone == self.zone for _, zone in self.changes)

    def zone_of(self, month: str) -> str:
        """The time zone month ``month`` (``YYYY-MM``) is cut in."""
        zone = self.zone
        for first, changed in self.changes:
            if first > month:
                break
            zone = changed
        return zone

    def start(self, month: str) -> datetime:
        """The UTC start of ``month``: midnight of its 1st in its own zone."""
        year, mon = parse_month(month)
        return _local_midnight_utc(year, mon, ZoneInfo(self.zone_of(month)))

    def month_at(self, moment: datetime) -> str:
        """The month (``YYYY-MM``) that ``moment`` (UTC; naive: UTC) falls in."""
        moment = as_utc(moment)
        local = moment.astimezone(ZoneInfo(self.zone_of(f"{moment:%Y-%m}")))
        month = f"{local.year:04d}-{local.month:02d}"
        while moment < self.start(month):
            month = shift_month(month, -1)
        while moment >= self.start(shift_month(month, 1)):
            month = shift_month(month, 1)
        return month

    def boundaries(self, first: str | None = None, last: str | None = None) -> list[ZoneBoundary]:
        """The months (from ``first`` to ``last``, inclusive) that start in another zone
        than the month before, at another moment than the old zone's midnight, with where
        the two are cut (:class:`ZoneBoundary`).

        >>> MonthZones("Europe/Berlin", (("2026-10", "Europe/Paris"),)).boundaries()
        []
        """
        out = []
        for month, _ in self.changes:
            if (first is not None and month < first) or (last is not None and month > last):
                continue
            before, after = self.zone_of(shift_month(month, -1)), self.zone_of(month)
            year, mon = parse_month(month)
            at = _local_midnight_utc(year, mon, ZoneInfo(after))
            other = _local_midnight_utc(year, mon, ZoneInfo(before))
            if at != other:  # zones that agree on that midnight move no hour
                out.append(ZoneBoundary(month, before, after, at, other))
        return out


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
        import polars as pl

        col = pl.col(column) if isinstance(column, str) else column
        return (col >= self.start_lit) & (col < self.end_lit)

    def contains_date(self, column: str | pl.Expr) -> pl.Expr:
        """Boolean expression: the date column lies in ``[first_day, last_day]``."""
        import polars as pl

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


def month_window(month: str, *, timezone: str | MonthZones = "UTC") -> Window:
    """The UTC bounds of calendar month ``YYYY-MM`` in ``timezone``: the one place that
    cuts a month.

    Parameters
    ----------
    month : str
        ``YYYY-MM``.
    timezone : str or MonthZones
        The reporting time zone, or the zone of each month (:class:`MonthZones`: the
        month starts at midnight in its own zone and ends at the next month's start).

    Returns
    -------
    Window
        ``[start, end)`` in UTC, its first and last local day, and its own zone.

    >>> month_window("2026-02").end.isoformat()
    '2026-03-01T00:00:00+00:00'
    """
    year, mon = parse_month(month)
    return months_window(month, 1, timezone=timezone, label=f"{year:04d}-{mon:02d}")


def months_window(
    first: str, count: int, *, timezone: str | MonthZones = "UTC", label: str = ""
) -> Window:
    """The UTC bounds of ``count`` calendar months starting with ``first`` (from the
    start of ``first`` to the start of the month after the last: :class:`MonthZones`).

    >>> w = months_window("2026-10", 3)
    >>> w.first_day.isoformat(), w.last_day.isoformat()
    ('2026-10-01', '2026-12-31')
    """
    zones = MonthZones.of(timezone)
    year, mon = parse_month(first)
    last = shift_month(first, count)
    end_year, end_mon = parse_month(last)
    first_day = date(year, mon, 1)
    end_day = date(end_year, end_mon, 1)
    return Window(
        label=label or f"{first}..{shift_month(first, count - 1)}",
        start=zones.start(first),
        end=zones.start(last),
        first_day=first_day,
        last_day=end_day - timedelta(days=1),
        timezone=zones.zone_of(first),
    )


def month_of(column: str | pl.Expr, *, timezone: str | MonthZones = "UTC") -> pl.Expr:
    """Expression: the ``YYYY-MM`` month of a UTC timestamp in ``timezone`` (with a
    :class:`MonthZones`, the month whose span holds it).

    >>> import polars as pl
    >>> df = pl.DataFrame({"t": [datetime(2026, 10, 31, 23, 30, tzinfo=UTC)]})
    >>> df.select(month_of("t", timezone="Europe/Berlin"))["t"].to_list()
    ['2026-11']
    >>> zones = MonthZones("Europe/Berlin", (("2026-10", "America/New_York"),))
    >>> df = pl.DataFrame({"t": [datetime(2026, 9, 30, 21), datetime(2026, 10, 1, 3),
    ...                          datetime(2026, 10, 1, 4)]}).with_columns(
    ...     pl.col("t").dt.replace_time_zone("UTC"))
    >>> df.select(month_of("t", timezone=zones))["t"].to_list()
    ['2026-09', '2026-09', '2026-10']
    """
    import polars as pl

    col = pl.col(column) if isinstance(column, str) else column
    zones = MonthZones.of(timezone)
    if zones.single:
        return col.dt.convert_time_zone(zones.zone).dt.strftime("%Y-%m")
    # in pieces, one per zone: from a change's start on, the month in its zone; before
    # the next change, at most the month before it (the old zone's midnight came earlier)
    pieces: list[tuple[str, str | None]] = []  # (zone, the month of the next change)
    zone = zones.zone
    for month, changed in zones.changes:
        pieces.append((zone, month))
        zone = changed
    pieces.append((zone, None))
    expr: Any = None
    for zone, until in pieces:
        label = col.dt.convert_time_zone(zone).dt.strftime("%Y-%m")
        if until is None:
            expr = label if expr is None else expr.otherwise(label)
            break
        cap = shift_month(until, -1)
        label = pl.when(label > pl.lit(cap)).then(pl.lit(cap)).otherwise(label)
        before = col < utc_lit(zones.start(until))
        expr = pl.when(before).then(label) if expr is None else expr.when(before).then(label)
    return expr.alias(col.meta.output_name())


def month_labels(month: str, months: int) -> list[str]:
    """``months`` consecutive month labels starting with ``month``.

    >>> month_labels("2026-11", 3)
    ['2026-11', '2026-12', '2027-01']
    """
    return [shift_month(month, i) for i in range(months)]


def month_label_of(
    column: str | pl.Expr, *, month: str, months: int, timezone: str | MonthZones = "UTC"
) -> pl.Expr:
    """Expression: the ``YYYY-MM`` label of a UTC timestamp known to lie in the given months.

    Faster than :func:`month_of` on large frames: a binary search among the months' UTC
    starts instead of a time-zone conversion per row. Rows outside the months get the
    nearest label, so filter with the months' :class:`Window` first.

    >>> import polars as pl
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
    import polars as pl

    from analytics.schema import UTC_TIMESTAMP

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

    >>> import polars as pl
    >>> df = pl.DataFrame({"t": [datetime(2026, 10, 8, 12, tzinfo=UTC)]})
    >>> df.select(week_of("t"))["t"].to_list()
    [datetime.date(2026, 10, 5)]
    """
    import polars as pl

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
    "MonthZones",
    "TimeframeError",
    "Window",
    "ZoneBoundary",
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
