"""Working hours between two instants, vectorised (``config.handoff.calendar``).

A working day is one of ``calendar.working_days`` that is neither a public holiday of
``calendar.holidays_country`` (from the ``holidays`` package) nor one of
``calendar.extra_holidays``; on it the hours from ``calendar.start`` to ``calendar.end``
(wall clock in ``calendar.timezone``) count.

With ``W(t)`` = the working seconds before the local date of ``t`` plus the working
seconds of that day up to ``t``, the working time between ``a <= b`` is
``W(b) - W(a) = business_day_count(date(a), date(b)) * day_length + w(b) - w(a)``
where ``w(t)`` is the clipped time of day on a working day (0 otherwise). Everything is
a polars expression: no loop over rows.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import polars as pl

from analytics.config import Calendar

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: Years whose public holidays are loaded (one cached list per calendar).
HOLIDAY_YEARS = range(2000, 2041)


@lru_cache(maxsize=16)
def _country_holidays(country: str) -> tuple[date, ...]:
    import holidays  # imported here: the package takes about a second to load

    check_holidays_country(country)
    return tuple(sorted(holidays.country_holidays(country, years=HOLIDAY_YEARS)))


def check_holidays_country(country: str) -> None:
    """A ValueError naming ``handoff.calendar.holidays_country`` when the holidays package
    does not know ``country`` (the config's validation calls it).

    >>> check_holidays_country("DE")
    >>> try:
    ...     check_holidays_country("XX")
    ... except ValueError as exc:
    ...     print(str(exc)[:58])
    handoff.calendar.holidays_country 'XX' is not known to the
    """
    import holidays

    if country not in holidays.list_supported_countries():
        raise ValueError(
            f"handoff.calendar.holidays_country {country!r} is not known to the holidays "
            "package; use an ISO 3166 alpha-2 code such as 'DE'"
        )


def calendar_holidays(calendar: Calendar) -> list[date]:
    """The closed days of the calendar: public holidays plus ``extra_holidays``.

    >>> from analytics.config import Calendar
    >>> calendar_holidays(Calendar(holidays_country=None, extra_holidays=["2026-12-24"]))
    [datetime.date(2026, 12, 24)]
    """
    days: set[date] = set(calendar.extra_holidays)
    if calendar.holidays_country:
        days.update(_country_holidays(calendar.holidays_country))
    return sorted(days)


def week_mask(calendar: Calendar) -> tuple[bool, ...]:
    """Monday-first mask of the working days.

    >>> from analytics.config import Calendar
    >>> week_mask(Calendar(working_days=["mon", "sat"]))
    (True, False, False, False, False, True, False)
    """
    return tuple(day in calendar.working_days for day in WEEKDAYS)


def _local(expr: pl.Expr, tz: str) -> pl.Expr:
    return expr.dt.convert_time_zone(tz).dt.replace_time_zone(None)


def business_hours_between(
    start: str | pl.Expr,
    end: str | pl.Expr,
    *,
    calendar: Calendar,
    holidays: list[date] | None = None,
) -> pl.Expr:
    """Expression: working hours from ``start`` to ``end`` (UTC timestamps).

    Parameters
    ----------
    start, end : column name or expression
        UTC timestamps; ``end`` before ``start`` gives a negative number, a null gives null.
    calendar : Calendar
        ``config.handoff.calendar``.
    holidays : list of date, optional
        Closed days; default :func:`calendar_holidays` of the calendar.

    Returns
    -------
    pl.Expr (Float64), named ``business_hours``.

    Examples
    --------
    Friday 17:00 to Monday 09:00 in Berlin (08:00-18:00, no holidays): 1 h + 1 h.

    >>> from datetime import datetime
    >>> from analytics.config import Calendar
    >>> cal = Calendar(holidays_country=None)
    >>> df = pl.DataFrame({"a": [datetime(2026, 10, 9, 15)], "b": [datetime(2026, 10, 12, 7)]},
    ...                   schema={"a": pl.Datetime("us", "UTC"), "b": pl.Datetime("us", "UTC")})
    >>> df.select(business_hours_between("a", "b", calendar=cal))["business_hours"].to_list()
    [2.0]
    """
    a = pl.col(start) if isinstance(start, str) else start
    b = pl.col(end) if isinstance(end, str) else end
    closed = calendar_holidays(calendar) if holidays is None else holidays
    mask = week_mask(calendar)
    day_start = calendar.start.hour * 3600 + calendar.start.minute * 60 + calendar.start.second
    day_end = calendar.end.hour * 3600 + calendar.end.minute * 60 + calendar.end.second
    length = float(day_end - day_start)
    closed_series = pl.Series("holidays", closed, dtype=pl.Date)

    def within(ts: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
        local = _local(ts, calendar.timezone)
        day = local.dt.date()
        seconds = (local - local.dt.truncate("1d")).dt.total_seconds(fractional=True)
        open_day = day.dt.is_business_day(week_mask=mask, holidays=closed_series)
        worked = pl.when(open_day).then(seconds.clip(day_start, day_end) - day_start).otherwise(0.0)
        return day, worked

    day_a, w_a = within(a)
    day_b, w_b = within(b)
    count = pl.business_day_count(day_a, day_b, week_mask=mask, holidays=closed_series)
    total = count.cast(pl.Float64) * length + w_b - w_a
    return (total / 3600.0).alias("business_hours")


def business_deadline(
    start: str | pl.Expr,
    hours: float | str | pl.Expr,
    *,
    calendar: Calendar,
    holidays: list[date] | None = None,
) -> pl.Expr:
    """Expression: the last instant at which ``hours`` working hours since ``start`` have passed.

    The inverse of :func:`business_hours_between`: for the result ``d``,
    ``business_hours_between(start, d) == hours``, and any later instant that is
    working time is past the line. When the hours run out exactly at the end of a
    working day, the deadline is the start of the next working day (the time between
    is not working time, so a touch then is still in time).

    Parameters
    ----------
    start : column name or expression
        UTC timestamps.
    hours : float, column name or expression
        The working hours allowed (positive).
    calendar : Calendar
        ``config.handoff.calendar``.
    holidays : list of date, optional
        Closed days; default :func:`calendar_holidays` of the calendar.

    Returns
    -------
    pl.Expr (``Datetime("us", "UTC")``), named ``deadline_at``.

    Examples
    --------
    Friday 17:00 in Berlin plus 2 working hours (08:00-18:00): Monday 09:00.

    >>> from datetime import datetime
    >>> from analytics.config import Calendar
    >>> cal = Calendar(holidays_country=None)
    >>> df = pl.DataFrame({"a": [datetime(2026, 10, 9, 15)]},
    ...                   schema={"a": pl.Datetime("us", "UTC")})
    >>> df.select(business_deadline("a", 2.0, calendar=cal))["deadline_at"].to_list()
    [datetime.datetime(2026, 10, 12, 7, 0, tzinfo=zoneinfo.ZoneInfo(key='UTC'))]
    """
    a = pl.col(start) if isinstance(start, str) else start
    h = (
        pl.col(hours)
        if isinstance(hours, str)
        else pl.lit(hours)
        if not isinstance(hours, pl.Expr)
        else hours
    )
    closed = calendar_holidays(calendar) if holidays is None else holidays
    mask = week_mask(calendar)
    day_start = calendar.start.hour * 3600 + calendar.start.minute * 60 + calendar.start.second
    day_end = calendar.end.hour * 3600 + calendar.end.minute * 60 + calendar.end.second
    length = float(day_end - day_start)
    closed_series = pl.Series("holidays", closed, dtype=pl.Date)
    local = _local(a, calendar.timezone)
    day = local.dt.date()
    seconds = (local - local.dt.truncate("1d")).dt.total_seconds(fractional=True)
    open_day = day.dt.is_business_day(week_mask=mask, holidays=closed_series)
    worked = pl.when(open_day).then(seconds.clip(day_start, day_end) - day_start).otherwise(0.0)
    # Working seconds counted from the opening of the first working day at or after start.
    remaining = h.cast(pl.Float64) * 3600.0 + worked
    full_days = (remaining / length).floor()
    rest = remaining - full_days * length
    first = day.dt.add_business_days(0, week_mask=mask, holidays=closed_series, roll="forward")
    target = first.dt.add_business_days(
        full_days.cast(pl.Int64), week_mask=mask, holidays=closed_series
    )
    wall = target.cast(pl.Datetime("us")) + pl.duration(
        microseconds=((rest + day_start) * 1_000_000).round().cast(pl.Int64)
    )
    return (
        wall.dt.replace_time_zone(calendar.timezone, ambiguous="earliest", non_existent="null")
        .dt.convert_time_zone("UTC")
        .alias("deadline_at")
    )


def calendar_hours_between(start: str | pl.Expr, end: str | pl.Expr) -> pl.Expr:
    """Expression: hours from ``start`` to ``end``, named ``calendar_hours``.

    >>> from datetime import datetime
    >>> df = pl.DataFrame({"a": [datetime(2026, 1, 1)], "b": [datetime(2026, 1, 2, 6)]})
    >>> df.select(calendar_hours_between("a", "b"))["calendar_hours"].to_list()
    [30.0]
    """
    a = pl.col(start) if isinstance(start, str) else start
    b = pl.col(end) if isinstance(end, str) else end
    return ((b - a).dt.total_seconds(fractional=True) / 3600.0).alias("calendar_hours")


__all__ = [
    "business_deadline",
    "business_hours_between",
    "calendar_holidays",
    "calendar_hours_between",
    "week_mask",
]
