"""Rates, Wilson intervals and the time frames of the review."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from analytics.stats import money_sum, rate_columns, ratio, safe_ratio, wilson, wilson_interval
from analytics.timeframe import (
    MonthZones,
    TimeframeError,
    format_utc,
    month_of,
    month_window,
    months_window,
    parse_month,
    quarter_start_month,
    shift_month,
)


@pytest.mark.parametrize(
    ("x", "n", "low", "high"),
    [
        # p = 0.5, n = 10: centre 0.5, half = 1.96*sqrt(.025+.0096)/1.384 = 0.2635 (by hand)
        (5, 10, 0.2366, 0.7634),
        # x = 0: low is exactly 0, high = z²/n / (1 + z²/n) = 0.38415/1.38415 = 0.2775
        (0, 10, 0.0, 0.2775),
        # x = n: the mirror image
        (10, 10, 0.7225, 1.0),
        (41, 120, 0.2629, 0.4303),
    ],
)
def test_wilson_matches_hand_computation(x, n, low, high):
    lo, hi = wilson(x, n)
    assert (round(lo, 4), round(hi, 4)) == (low, high)
    lo_e, hi_e = wilson_interval("x", "n")
    row = pl.DataFrame({"x": [x], "n": [n]}).select(lo_e.alias("l"), hi_e.alias("h")).row(0)
    assert row == pytest.approx((lo, hi))


@pytest.mark.parametrize(("x", "n"), [(0, 0), (1, 0), (None, 5), (5, None), (6, 5), (-1, 5)])
def test_undefined_rates_are_null_never_zero_or_error(x, n):
    df = pl.DataFrame({"x": [x], "n": [n]}, schema={"x": pl.Int64, "n": pl.Int64})
    out = df.with_columns(rate_columns("x", "n"))
    assert out["ci_low"][0] is None and out["ci_high"][0] is None
    assert wilson(x, n) == (None, None)
    if n in (0, None) or x is None:
        assert out["rate"][0] is None
        assert ratio(x, n) is None


def test_rate_columns_frame():
    df = pl.DataFrame({"x": [1, 0], "n": [4, 0]})
    got = df.with_columns(rate_columns("x", "n")).select("rate")
    assert_frame_equal(got, pl.DataFrame({"rate": [0.25, None]}))
    assert df.select(safe_ratio("x", "n"))["x"].to_list() == [0.25, None]


def test_ratio_never_nan():
    assert ratio(float("nan"), 1) is None
    assert ratio(3, 4) == 0.75
    assert not math.isnan(ratio(0, 4))


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "26-10", "2026/10", "", "october"])
def test_bad_month_names_the_value(text):
    with pytest.raises(TimeframeError, match="is not a calendar month; use YYYY-MM"):
        parse_month(text)


def test_month_arithmetic():
    assert shift_month("2026-01", -1) == "2025-12"
    assert shift_month("2026-12", 1) == "2027-01"
    assert quarter_start_month("2026-06") == "2026-04"
    assert quarter_start_month("2026-10") == "2026-10"


def test_month_window_in_a_non_utc_time_zone():
    # Berlin: October 2026 runs from 1 Oct 00:00 CEST (= 30 Sep 22:00 UTC) to
    # 1 Nov 00:00 CET (= 31 Oct 23:00 UTC; summer time ended on 25 Oct).
    w = month_window("2026-10", timezone="Europe/Berlin")
    assert w.start == datetime(2026, 9, 30, 22, tzinfo=UTC)
    assert w.end == datetime(2026, 10, 31, 23, tzinfo=UTC)
    df = pl.DataFrame(
        {
            "t": [
                datetime(2026, 9, 30, 21, 59),
                datetime(2026, 9, 30, 22),
                datetime(2026, 10, 31, 23),
            ]
        },
        schema={"t": pl.Datetime("us", "UTC")},
    )
    assert df.select(w.contains("t"))["t"].to_list() == [False, True, False]
    assert df.select(month_of("t", timezone="Europe/Berlin"))["t"].to_list() == [
        "2026-09",
        "2026-10",
        "2026-11",
    ]


BERLIN_TO_NEW_YORK = MonthZones("Europe/Berlin", (("2026-10", "America/New_York"),))
NEW_YORK_TO_BERLIN = MonthZones("America/New_York", (("2026-10", "Europe/Berlin"),))


@pytest.mark.parametrize(
    ("zones", "september", "october", "hours_month"),
    [
        # Berlin (UTC+2) until September, New York (UTC-4) from October: September runs
        # on to midnight in New York; the 6 hours between the midnights are September's
        (
            BERLIN_TO_NEW_YORK,
            (datetime(2026, 8, 31, 22, tzinfo=UTC), datetime(2026, 10, 1, 4, tzinfo=UTC)),
            (datetime(2026, 10, 1, 4, tzinfo=UTC), datetime(2026, 11, 1, 4, tzinfo=UTC)),
            "2026-09",
        ),
        # the other way round: September ends at midnight in Berlin, October starts then
        (
            NEW_YORK_TO_BERLIN,
            (datetime(2026, 9, 1, 4, tzinfo=UTC), datetime(2026, 9, 30, 22, tzinfo=UTC)),
            (datetime(2026, 9, 30, 22, tzinfo=UTC), datetime(2026, 10, 31, 23, tzinfo=UTC)),
            "2026-10",
        ),
    ],
)
def test_months_in_two_time_zones_tile_time(zones, september, october, hours_month):
    """Audit 2026-12-06 M8: each month cut in its own zone left 2026-09-30 22:00Z to
    2026-10-01 04:00Z in no month. A month ends where the next one starts."""
    sep, oct_ = month_window("2026-09", timezone=zones), month_window("2026-10", timezone=zones)
    assert (sep.start, sep.end) == september
    assert (oct_.start, oct_.end) == october
    assert (sep.timezone, oct_.timezone) == (zones.zone, zones.changes[0][1])
    assert (sep.first_day.isoformat(), sep.last_day.isoformat()) == ("2026-09-01", "2026-09-30")
    both = months_window("2026-09", 2, timezone=zones)
    assert (both.start, both.end) == (september[0], october[1])
    (boundary,) = zones.boundaries()
    assert (boundary.month, boundary.hours, boundary.holder) == ("2026-10", 6.0, hours_month)
    moments = [datetime(2026, 9, 30, 21, 59), datetime(2026, 9, 30, 23), datetime(2026, 10, 1, 3),
               datetime(2026, 10, 1, 4)]  # fmt: skip
    expected = [
        "2026-09",
        hours_month,
        hours_month,
        "2026-10",
    ]
    frame = pl.DataFrame({"t": moments}, schema={"t": pl.Datetime("us", "UTC")})
    assert frame.select(month_of("t", timezone=zones))["t"].to_list() == expected
    assert [zones.month_at(m) for m in moments] == expected
    assert frame.select(sep.contains("t"))["t"].to_list() == [m == "2026-09" for m in expected]


def test_format_utc_has_z():
    assert format_utc(datetime(2026, 11, 1, 2, 30, tzinfo=UTC)) == "2026-11-01T02:30:00Z"
    assert format_utc(None) is None


@given(st.lists(st.integers(min_value=-(10**9), max_value=10**9), max_size=60), st.randoms())
def test_money_sum_is_exact_in_any_order(cents: list[int], rnd) -> None:
    amounts = [c / 100 for c in cents]
    shuffled = amounts[:]
    rnd.shuffle(shuffled)
    sums = {pl.DataFrame({"a": a}, schema={"a": pl.Float64}).select(money_sum("a")).item()
            for a in (amounts, shuffled)}  # fmt: skip
    assert sums == {sum(cents) / 100}
