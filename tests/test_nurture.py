"""Nurture: enrollments, exits, buyer-stage progression, re-MQL, sales requests."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.config import load_config
from analytics.nurture import (
    enrollments_by_track,
    exits_by_reason,
    remql,
    remql_rate,
    sales_triggered,
    sales_triggered_outcomes,
    stage_progression,
    unknown_tracks,
)
from analytics.schema import BUYER_STAGES
from analytics.tables import Tables
from analytics.timeframe import month_window

CFG = load_config("data/sla.toml")
AS_OF = datetime(2026, 11, 1, tzinfo=UTC)
OCT = month_window("2026-10")


def enr(eid, lead, track, at, by=None, exited=None, reason=None):
    return {"enrollment_id": eid, "lead_id": lead, "track": track, "enrolled_at": at,
            "triggered_by": by, "exited_at": exited, "exit_reason": reason}  # fmt: skip


def act(aid, lead, at, stage):
    return {"activity_id": aid, "lead_id": lead, "occurred_at": at, "type": "page_view",
            "buyer_stage": stage}  # fmt: skip


def ev(lead, stage, at):
    return {"lead_id": lead, "stage": stage, "entered_at": at}


TABLES = Tables.from_rows(
    nurture_enrollments=[
        enr(
            "n1",
            "a",
            "awareness-education",
            "2026-10-02T00:00:00Z",
            "auto",
            "2026-10-20T00:00:00Z",
            "completed",
        ),
        enr("n2", "b", "decision-proof", "2026-10-05T00:00:00Z", "sales"),
        enr(
            "n3",
            "c",
            "mystery",
            "2026-10-07T00:00:00Z",
            "sales",
            "2026-10-25T00:00:00Z",
            "became_mql",
        ),
        enr(
            "n4",
            "d",
            "consideration-solutions",
            "2026-09-10T00:00:00Z",
            None,
            "2026-10-03T00:00:00Z",
            "unsubscribed",
        ),
        enr("n5", "e", "awareness-education", "2026-11-05T00:00:00Z"),  # after as_of
    ],
    activities=[
        act("1", "a", "2026-10-01T00:00:00Z", "awareness"),
        act("2", "a", "2026-10-10T00:00:00Z", "consideration"),
        act("3", "b", "2026-10-01T00:00:00Z", "decision"),
        act("4", "d", "2026-09-01T00:00:00Z", "consideration"),
        act("5", "d", "2026-09-20T00:00:00Z", "awareness"),
        act("6", "a", "2026-10-11T00:00:00Z", None),
    ],
    lifecycle_events=[
        ev("a", "recycled", "2026-10-01T09:00:00Z"),
        ev("a", "mql", "2026-10-15T09:00:00Z"),
        ev("b", "recycled", "2026-10-02T09:00:00Z"),
        ev("c", "recycled", "2026-10-03T09:00:00Z"),
        ev("c", "mql", "2026-10-25T09:00:00Z"),
        ev("x", "recycled", "2026-03-01T09:00:00Z"),
        ev("x", "mql", "2026-10-01T09:00:00Z"),  # 214 days later: too late
    ],
).until(AS_OF)


def test_enrollments_by_track():
    got = enrollments_by_track(TABLES.nurture_enrollments, config=CFG, window=OCT).collect()
    # October: n1 (auto), n2 (sales), n3 (sales, unknown track); n4 is September's and
    # n5 lies after as_of. Every configured track is listed, unknown ones last.
    assert got.select("track", "is_known", "enrollments", "by_sales", "by_auto").rows() == [
        ("awareness-education", True, 1, 0, 1),
        ("consideration-solutions", True, 0, 0, 0),
        ("decision-proof", True, 1, 1, 0),
        ("recycled-reengagement", True, 0, 0, 0),
        ("mystery", False, 1, 1, 0),
    ]


def test_exits_by_reason():
    got = exits_by_reason(TABLES.nurture_enrollments, window=OCT).collect()
    assert got.select("track", "exit_reason", "exits", "share").rows() == [
        ("awareness-education", "completed", 1, 1.0),
        ("consideration-solutions", "unsubscribed", 1, 1.0),
        ("mystery", "became_mql", 1, 1.0),
    ]


def test_stage_progression():
    got = stage_progression(
        TABLES.nurture_enrollments, TABLES.activities, window=OCT, as_of=AS_OF
    ).collect()
    # a: awareness before enrolling, consideration while enrolled -> progressed.
    # b: decision before, nothing since -> stays. c: no buyer-stage activity.
    # d enrolled in September: not in October's cohort.
    assert got.rows() == [
        ("awareness-education", "awareness", "consideration", 1, True),
        ("decision-proof", "decision", "decision", 1, False),
        ("mystery", None, None, 1, False),
    ]
    # September's cohort: d had shown consideration before, only awareness while
    # enrolled -> not progressed
    sep = stage_progression(
        TABLES.nurture_enrollments, TABLES.activities, window=month_window("2026-09"), as_of=AS_OF
    ).collect()
    assert sep.rows() == [("consideration-solutions", "consideration", "awareness", 1, False)]


@pytest.mark.parametrize(
    ("shown", "expected"),
    [
        # (moment, stage) of the lead's activities -> (from_stage, to_stage)
        ([("2026-09-10T09:00Z", "decision")], ("decision", "decision")),  # exactly 30 days before
        ([("2026-09-10T08:59Z", "decision")], (None, None)),  # a minute older: stale
        (
            [("2026-10-09T00:00Z", "awareness"), ("2026-10-09T00:00Z", "consideration")],
            ("consideration", "consideration"),
        ),  # one moment, two stages: the further
        (
            [("2026-10-09T00:00Z", "decision"), ("2026-10-09T05:00Z", "awareness")],
            ("awareness", "awareness"),
        ),  # the latest before counts, not the furthest
        (
            [("2026-10-10T09:00Z", "consideration")],
            ("consideration", "consideration"),
        ),  # at enrolment: both before and while enrolled
        ([("2026-10-12T00:00Z", "decision")], (None, None)),  # after the exit: not counted
        ([("2026-10-11T00:00Z", "awareness")], (None, "awareness")),
    ],
)
def test_stage_progression_boundaries(shown, expected):
    t = Tables.from_rows(
        nurture_enrollments=[enr("e", "a", "x", "2026-10-10T09:00Z", exited="2026-10-11T12:00Z",
                                 reason="completed")],
        activities=[act(str(i), "a", at, stage) for i, (at, stage) in enumerate(shown)],
    )  # fmt: skip
    got = stage_progression(t.nurture_enrollments, t.activities, window=OCT, as_of=AS_OF)
    assert got.select("from_stage", "to_stage").collect().rows() == [expected]


def _progression_by_the_rule(enrollments, activities, *, window, as_of):
    """stage_progression read plainly: per enrolment of the window, the stage of the latest
    activity in the 30 days up to enrolling (at one moment the further), and the furthest
    while enrolled (else the one before), counted per (track, from, to)."""
    rank = {s: i for i, s in enumerate(BUYER_STAGES)}
    counts = Counter()
    for e in enrollments:
        if not window.start <= e["enrolled_at"] < window.end:
            continue
        until = e["exited_at"] or as_of
        mine = [a for a in activities if a["lead_id"] == e["lead_id"] and a["occurred_at"] <= as_of]
        before = [
            a
            for a in mine
            if e["enrolled_at"] - timedelta(days=30) <= a["occurred_at"] <= e["enrolled_at"]
        ]
        during = [rank[a["buyer_stage"]] for a in mine
                  if e["enrolled_at"] <= a["occurred_at"] <= until]  # fmt: skip
        latest = max(((a["occurred_at"], rank[a["buyer_stage"]]) for a in before), default=None)
        first = latest[1] if latest else None
        last = max(during) if during else first
        counts[(e["track"], first, last)] += 1
    name = dict(enumerate(BUYER_STAGES))
    return [
        (track, name.get(a), name.get(b), n, a is not None and b is not None and b > a)
        for (track, a, b), n in counts.items()
    ]


_MOMENTS = st.integers(0, 24 * 60).map(
    lambda m: datetime(2026, 9, 20, tzinfo=UTC) + timedelta(minutes=m * 50)
)


@settings(max_examples=60, deadline=None)
@given(
    enrollments=st.lists(
        st.tuples(
            st.sampled_from("abc"),
            st.sampled_from(["x", "y"]),
            _MOMENTS,
            st.none() | st.integers(0, 30),
        ),
        max_size=5,
    ),
    activities=st.lists(
        st.tuples(st.sampled_from("abc"), _MOMENTS, st.sampled_from(BUYER_STAGES)), max_size=12
    ),
)
def test_stage_progression_is_the_rule_read_plainly(enrollments, activities):
    enr_rows = [
        {"enrollment_id": f"e{i}", "lead_id": lead, "track": track, "enrolled_at": at,
         "exited_at": None if days is None else at + timedelta(days=days), "exit_reason": None,
         "triggered_by": None}
        for i, (lead, track, at, days) in enumerate(enrollments)
    ]  # fmt: skip
    act_rows = [
        {"activity_id": f"a{i}", "lead_id": lead, "occurred_at": at, "type": "page_view",
         "buyer_stage": stage}
        for i, (lead, at, stage) in enumerate(activities)
    ]  # fmt: skip
    t = Tables.from_rows(nurture_enrollments=enr_rows, activities=act_rows)
    got = stage_progression(t.nurture_enrollments, t.activities, window=OCT, as_of=AS_OF)
    expected = _progression_by_the_rule(enr_rows, act_rows, window=OCT, as_of=AS_OF)
    assert sorted(got.collect().rows(), key=_nulls_first) == sorted(expected, key=_nulls_first)


def _nulls_first(row: tuple) -> tuple:
    return tuple(("", "") if v is None else ("~", v) for v in row)


def test_remql_rate_by_hand():
    r = remql(TABLES.lifecycle_events, config=CFG, window=OCT, as_of=AS_OF)
    got = r.collect()
    # a (MQL again 14 days later) and c (22 days) re-qualified; b not yet, still open
    assert got.select("lead_id", "is_remql", "is_open").rows() == [
        ("a", True, False),
        ("b", False, True),
        ("c", True, False),
    ]
    rate = remql_rate(r, config=CFG, window=OCT, as_of=AS_OF).collect()
    assert rate.select("x", "n", "window_days", "is_immature").row(0) == (2, 3, 180, True)
    assert rate["rate"][0] == pytest.approx(2 / 3)


def test_remql_mature_cohort_and_late_remql():
    march = month_window("2026-03")
    r = remql(TABLES.lifecycle_events, config=CFG, window=march, as_of=AS_OF)
    rate = remql_rate(r, config=CFG, window=march, as_of=AS_OF).collect()
    # x came back after 214 days (> 180); 31 Mar + 180 days = 27 Sep < as_of: mature
    assert rate.select("x", "n", "rate", "is_immature").row(0) == (0, 1, 0.0, False)


def test_remql_of_a_month_without_recycles_is_null():
    nov = month_window("2026-11")
    r = remql(TABLES.lifecycle_events, config=CFG, window=nov, as_of=AS_OF)
    rate = remql_rate(r, config=CFG, window=nov, as_of=AS_OF).collect()
    assert rate.select("x", "n", "rate", "ci_low").row(0) == (0, 0, None, None)


def test_sales_triggered_enrollments_and_outcomes():
    st = sales_triggered(
        TABLES.nurture_enrollments, TABLES.lifecycle_events, config=CFG, window=OCT
    )
    got = sales_triggered_outcomes(st).collect()
    # n2: decision-proof allows sales, still running; n3: unknown track (allowance
    # unknown), exited because c became an MQL on 25 Oct.
    assert got.rows() == [
        ("decision-proof", True, "active", 1, 0),
        ("mystery", None, "became_mql", 1, 1),
    ]


def test_unknown_tracks_flagged():
    got = unknown_tracks(TABLES.nurture_enrollments, config=CFG).collect()
    assert got.select("track", "enrollments").rows() == [("mystery", 1)]


def test_exits_of_a_track_most_first_then_by_reason_unrecorded_last():
    ex = "2026-10-20T00:00Z"
    t = Tables.from_rows(
        nurture_enrollments=[
            enr("e1", "a", "x", "2026-09-01T00:00Z", exited=ex, reason="unsubscribed"),
            enr("e2", "b", "x", "2026-09-01T00:00Z", exited=ex),
            enr("e3", "c", "x", "2026-09-01T00:00Z", exited=ex, reason="completed"),
            enr("e4", "d", "x", "2026-09-01T00:00Z", exited=ex, reason="became_mql"),
            enr("e5", "e", "x", "2026-09-01T00:00Z", exited=ex, reason="became_mql"),
        ]
    )
    got = exits_by_reason(t.nurture_enrollments, window=OCT).collect()
    assert got.select("exit_reason", "exits").rows() == [
        ("became_mql", 2),
        ("completed", 1),
        ("unsubscribed", 1),
        (None, 1),
    ]
