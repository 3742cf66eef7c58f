"""Invariants of the funnel and SLA metrics over generated data (hypothesis)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import duckdb
import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.business_hours import business_hours_between, calendar_hours_between
from analytics.cadence import cadence_episodes, cadence_summary
from analytics.config import Calendar, Reporting, load_config
from analytics.episodes import episode_touches, mql_episodes, with_touch_stats
from analytics.funnel import STAGE_VOLUMES, monthly_volumes
from analytics.handoff import handoff_summary, speed_to_lead
from analytics.schema import OUTCOMES, STAGES
from analytics.stats import rate_columns
from analytics.tables import Tables, one_of
from analytics.timeframe import MonthZones, month_labels, month_of, month_window

CFG = load_config("data/sla.toml")
START = datetime(2026, 9, 1, tzinfo=UTC)
SPAN_MINUTES = 100 * 24 * 60  # Sep 1 to Dec 9
LEADS = [f"L{i}" for i in range(6)]
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

minutes = st.integers(min_value=0, max_value=SPAN_MINUTES)
events_st = st.lists(
    st.tuples(st.sampled_from(LEADS), st.sampled_from(STAGES), minutes), max_size=30
)
touches_st = st.lists(
    st.tuples(st.sampled_from(LEADS), minutes, st.sampled_from(OUTCOMES)), max_size=30
)
leads_st = st.lists(
    st.tuples(st.sampled_from(LEADS), minutes), max_size=6, unique_by=lambda x: x[0]
)
zones = st.sampled_from(["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"])


def at(minute: int) -> datetime:
    return START + timedelta(minutes=minute)


def build(leads, events, touches) -> Tables:
    return Tables.from_rows(
        leads=[
            {"lead_id": lid, "created_at": at(m), "source": "email", "owner_rep_id": "r1"}
            for lid, m in leads
        ],
        lifecycle_events=[
            {"lead_id": lid, "stage": stage, "entered_at": at(m)}
            for lid, stage, m in {(e[0], e[1], e[2]) for e in events}  # keyed like the table
        ],
        sales_touches=[
            {
                "touch_id": f"T{i}",
                "lead_id": lid,
                "rep_id": "r1",
                "occurred_at": at(m),
                "channel": "phone",
                "outcome": outcome,
            }
            for i, (lid, m, outcome) in enumerate(touches)
        ],
    )


@SETTINGS
@given(leads_st, events_st, touches_st, st.integers(0, SPAN_MINUTES))
def test_handoff_statuses_partition_the_episodes(leads, events, touches, as_of_minute):
    as_of = at(as_of_minute)
    t = build(leads, events, touches).until(as_of)
    window = month_window("2026-10")
    eps = mql_episodes(t.lifecycle_events, t.leads).filter(window.contains("started_at"))
    n_eps = eps.collect().height
    speed = speed_to_lead(eps, t.sales_touches, config=CFG, as_of=as_of)
    summary = handoff_summary(speed).collect().row(0, named=True)
    assert summary["met"] + summary["missed"] + summary["pending"] == summary["episodes"] == n_eps
    if summary["compliance"] is not None:
        assert 0.0 <= summary["compliance"] <= 1.0
    else:
        assert summary["met"] + summary["missed"] == 0


@SETTINGS
@given(leads_st, events_st, touches_st, st.integers(0, SPAN_MINUTES))
def test_cadence_compliance_is_a_share_of_judged_episodes(leads, events, touches, as_of_minute):
    as_of = at(as_of_minute)
    t = build(leads, events, touches).until(as_of)
    eps = mql_episodes(t.lifecycle_events, t.leads)
    tt = episode_touches(eps, t.sales_touches, as_of=as_of)
    cad = cadence_episodes(with_touch_stats(eps, tt), tt, config=CFG, as_of=as_of)
    s = cadence_summary(cad).collect().row(0, named=True)
    assert 0 <= s["held"] <= s["judged"] <= s["episodes"]
    if s["judged"]:
        assert 0.0 <= s["compliance"] <= 1.0
    else:
        assert s["compliance"] is None
    # every touch is in at most one episode, and only in its lead's episodes
    touches_df = tt.collect()
    assert touches_df["touch_id"].is_unique().all()


@SETTINGS
@given(events_st)
def test_episodes_alternate_and_do_not_overlap(events):
    t = build([], events, [])
    eps = mql_episodes(t.lifecycle_events, t.leads).collect()
    mql_events = sum(1 for e in {(x[0], x[1], x[2]) for x in events} if e[1] == "mql")
    assert eps.height <= mql_events
    for _, group in eps.group_by("lead_id"):
        group = group.sort("episode")
        assert group["episode"].to_list() == list(range(1, group.height + 1))
        ends = group["ended_at"].to_list()
        starts = group["started_at"].to_list()
        assert all(e is not None for e in ends[:-1])  # only the last may be open
        for end, next_start in zip(ends[:-1], starts[1:], strict=True):
            assert end <= next_start


@SETTINGS
@given(
    zones,
    st.lists(st.tuples(st.integers(0, 23), zones), max_size=3),
    st.lists(st.integers(0, 24 * 60 * 700), min_size=1, max_size=20),  # within the 24 months
)
def test_the_months_tile_time_whatever_their_zones(first_zone, changes, minutes):
    """A month ends where the next starts, in every mix of zones (audit 2026-12-06 M8):
    every moment is in exactly one month, and month_of and month_at name it."""
    months = month_labels("2025-01", 24)
    plan = dict(sorted((months[i], zone) for i, zone in changes))
    zoned = MonthZones(first_zone, tuple(plan.items()))
    windows = [month_window(m, timezone=zoned) for m in months]
    for before, after in itertools.pairwise(windows):
        assert before.end == after.start
    moments = [datetime(2025, 1, 3, tzinfo=UTC) + timedelta(minutes=m) for m in minutes]
    named = pl.DataFrame({"t": moments}, schema={"t": pl.Datetime("us", "UTC")}).select(
        month_of("t", timezone=zoned)
    )["t"]
    for moment, label in zip(moments, named, strict=True):
        holders = [w.label for w in windows if w.start <= moment < w.end]
        assert holders == [label] == [zoned.month_at(moment)]


@SETTINGS
@given(leads_st, events_st, zones)
def test_volumes_equal_a_plain_duckdb_count(leads, events, zone):
    cfg = CFG.model_copy(update={"reporting": Reporting(timezone=zone)})
    t = build(leads, events, [])
    got = monthly_volumes(t, config=cfg, month="2026-09", months=3).collect()
    ev = t.lifecycle_events.collect()  # noqa: F841 (read by duckdb)
    ld = t.leads.collect()  # noqa: F841
    stage_counts = duckdb.sql(
        f"""
        SELECT strftime(timezone('{zone}', entered_at), '%Y-%m') AS month, stage,
               count(DISTINCT lead_id) AS n
        FROM ev GROUP BY ALL
        """
    ).fetchall()
    lead_counts = duckdb.sql(
        f"SELECT strftime(timezone('{zone}', created_at), '%Y-%m') AS month, count(*) "
        "FROM ld GROUP BY ALL"
    ).fetchall()
    expected = {(m, STAGE_VOLUMES[s]): n for m, s, n in stage_counts if s in STAGE_VOLUMES}
    expected.update({(m, "leads"): n for m, n in lead_counts})
    for row in got.iter_rows(named=True):
        for column in ("leads", *STAGE_VOLUMES.values()):
            assert row[column] == expected.get((row["month"], column), 0), (row["month"], column)


@SETTINGS
@given(
    st.integers(0, 60 * 24 * 60),
    st.integers(0, 30 * 24 * 60),
    st.sampled_from(["Europe/Berlin", "America/New_York", "UTC"]),
)
def test_business_hours_are_between_zero_and_calendar_hours(start, length, zone):
    cal = Calendar(timezone=zone, holidays_country=None, extra_holidays=["2026-10-05"])
    a = at(start)
    df = pl.DataFrame(
        {"a": [a], "b": [a + timedelta(minutes=length)]},
        schema={"a": pl.Datetime("us", "UTC"), "b": pl.Datetime("us", "UTC")},
    )
    out = df.select(
        business_hours_between("a", "b", calendar=cal), calendar_hours_between("a", "b")
    ).row(0)
    business, calendar = out
    assert -1e-9 <= business <= calendar + 1e-9
    # at most 10 working hours in any 24 hours of a 08:00-18:00 calendar (+1 h for DST)
    assert business <= (calendar / 24 + 1) * 10 + 1e-9


@SETTINGS
@given(st.integers(0, 500), st.integers(0, 500))
def test_wilson_interval_brackets_the_rate(x, n):
    df = pl.DataFrame({"x": [x], "n": [n]})
    rate, low, high = df.select(rate_columns("x", "n")).row(0)
    if n == 0:
        assert rate is None and low is None and high is None
    elif x > n:
        assert low is None and high is None
    else:
        assert 0.0 <= low <= rate <= high <= 1.0


@SETTINGS
@given(
    column=st.lists(st.one_of(st.none(), st.sampled_from(STAGES)), max_size=40),
    values=st.lists(st.sampled_from(STAGES), max_size=6),
)
def test_one_of_is_is_in(column, values):
    """``one_of`` (equalities) answers as ``is_in`` does, nulls included."""
    frame = pl.DataFrame({"stage": column}, schema={"stage": pl.String})
    expected = frame.select(pl.col("stage").is_in(pl.Series(values, dtype=pl.String).implode()))
    assert frame.select(one_of("stage", values)).equals(expected)
