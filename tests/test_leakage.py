"""Lead leakage (every MQL episode of a month in one step) and "did the warnings work?"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
import pytest

from analytics.alerts import warnings_effect
from analytics.config import load_config
from analytics.handoff import LEAKAGE_STEPS, leakage_steps, leakage_waterfall
from analytics.review import build_review
from analytics.tables import Tables

CFG = load_config("data/sla.toml")  # 6 attempts within 14 days, 4 h apart


def ev(lead, stage, when, **kw):
    return {"lead_id": lead, "stage": stage, "entered_at": when, **kw}


def tries(lead, n, *, start="2026-10-02T09:00:00Z", outcome="no_answer"):
    t0 = datetime.fromisoformat(start.replace("Z", "+00:00"))
    return [
        {"touch_id": f"{lead}{i}", "lead_id": lead, "rep_id": "r1", "channel": "phone",
         "occurred_at": (t0 + timedelta(hours=5 * i)).isoformat(), "outcome": outcome}
        for i in range(n)
    ]  # fmt: skip


#: lead -> (owner, expected step)
CASES = {
    "a": (None, "never_assigned"),
    "b": ("r1", "never_touched"),
    "c": ("r1", "under_worked"),  # 2 unanswered attempts, window closed
    "d": ("r1", "recycled"),  # 6 attempts, then recycled
    "e": ("r1", "disqualified"),  # reached, then disqualified
    "f": ("r1", "sql"),  # reached once: SQL, not under-worked
    "g": ("r1", "open"),  # 2 attempts, window still open at as_of
}
EVENTS = [
    *[ev(k, "mql", "2026-10-01T09:00:00Z") for k in "abcdef"],
    ev("g", "mql", "2026-10-25T09:00:00Z"),
    ev("d", "recycled", "2026-10-10T09:00:00Z"),
    ev("e", "disqualified", "2026-10-05T09:00:00Z", reason="no_budget"),
    ev("f", "sql", "2026-10-04T09:00:00Z"),
    ev("x", "mql", "2026-09-20T09:00:00Z"),  # September: not in October's waterfall
]
TOUCHES = [
    *tries("c", 2),
    *tries("d", 6),
    *tries("e", 1, outcome="connected"),
    *tries("f", 1, outcome="connected"),
    *tries("g", 2, start="2026-10-25T10:00:00Z"),
]
AS_OF = datetime(2026, 10, 31, 23, tzinfo=UTC)


def tables() -> Tables:
    return Tables.from_rows(
        reps=[{"rep_id": "r1", "name": "Rita", "team": "sdr"}],
        # g created in October: the leads reach the month, so its MQL episodes are known
        leads=[
            {"lead_id": k, "created_at": "2026-10-25T08:00:00Z" if k == "g" else
             "2026-09-01T00:00:00Z", "source": "email", "owner_rep_id": owner}
            for k, (owner, _) in {**CASES, "x": ("r1", None)}.items()
        ],
        lifecycle_events=EVENTS,
        sales_touches=TOUCHES,
    )  # fmt: skip


def test_every_mql_episode_of_the_month_is_in_exactly_one_step():
    review = build_review(tables(), CFG, month="2026-10", as_of=AS_OF)
    steps = leakage_steps(review.cadence_episodes.lazy(), config=CFG).collect()
    assert dict(steps.select("lead_id", "step").iter_rows()) == {
        k: step for k, (_, step) in CASES.items()
    }
    waterfall = leakage_waterfall(steps.lazy()).collect()
    # every step but "not judged", shown only when the touches stopped
    assert waterfall["step"].to_list() == [
        s for s in LEAKAGE_STEPS if not s.startswith("not_judged")
    ]
    assert waterfall["episodes"].to_list() == [1] * 7
    assert waterfall["episodes"].sum() == review.speed_to_lead.height == 7
    assert waterfall["remaining"].to_list() == [6, 5, 4, 3, 2, 1, 0]
    assert abs(waterfall["share"].sum() - 1.0) < 1e-12


def test_an_empty_month_has_every_step_at_zero():
    waterfall = leakage_waterfall(pl.LazyFrame(schema={"step": pl.String})).collect()
    assert waterfall["episodes"].to_list() == [0] * 7
    assert waterfall["share"].null_count() == 7  # no share of nothing


def test_did_the_warnings_work():
    review = build_review(tables(), CFG, month="2026-10", as_of=AS_OF)
    t0 = datetime(2026, 10, 1, 12, tzinfo=UTC)
    deadline = datetime(2026, 10, 2, 9, tzinfo=UTC)
    log = pl.LazyFrame(
        {
            "kind": ["new_mql", "alert.first_touch.at_risk", "alert.first_touch.overdue",
                     "new_mql", "alert.cadence.at_risk"],
            "lead_id": ["b", "c", "a", "d", "e"],
            "episode": [1, 1, 1, 1, 1],
            "status": ["sent", "sent", "sent", "failed", "sent"],
            "sent_at": [t0, t0, deadline + timedelta(hours=1), t0, t0],
            "deadline_at": [deadline] * 5,
        }
    )  # fmt: skip
    # warned in time: b (never touched: missed) and c (touched 09:00 on the deadline: met);
    # a was warned only after its deadline, d's message failed, e's was a cadence alert
    got = warnings_effect(log, review.speed_to_lead.lazy(), by=()).collect()
    assert got.select("warned", "met", "missed", "pending", "rate").row(0) == (2, 1, 1, 0, 0.5)


# -- speed to lead in the research's buckets -------------------------------------------------


def test_speed_buckets_per_rep_and_first_touch_channel():
    from analytics.response_time import first_touch_channel, speed_buckets

    t0 = datetime(2026, 10, 1, 9, tzinfo=UTC)
    minutes = {"a": 4, "b": 14, "c": 50, "d": 200, "e": 1500, "f": None}
    speed = pl.LazyFrame(
        {
            "lead_id": list(minutes),
            "owner_rep_id": ["r1", "r1", "r1", "r2", "r2", "r2"],
            "first_touch_at": [None if m is None else t0 + timedelta(minutes=m)
                               for m in minutes.values()],
            "calendar_hours": [None if m is None else m / 60 for m in minutes.values()],
        }
    )  # fmt: skip
    got = speed_buckets(speed, by=["owner_rep_id"]).collect()
    assert got.select("owner_rep_id", "episodes", "touched").rows() == [
        ("r1", 3, 3),
        ("r2", 3, 2),
    ]
    r1, r2 = got.select("within_5_min", "within_15_min", "within_1_h", "within_4_h",
                        "within_24_h").rows()  # fmt: skip
    assert r1 == pytest.approx((1 / 3, 2 / 3, 1.0, 1.0, 1.0))
    assert r2 == pytest.approx((0.0, 0.0, 0.0, 1 / 3, 1 / 3))  # f untouched counts in the base
    touches = pl.LazyFrame(
        {
            "lead_id": ["a", "a", "d"],
            "touch_id": ["1", "2", "3"],
            "occurred_at": [t0 + timedelta(minutes=4), t0 + timedelta(hours=5),
                            t0 + timedelta(minutes=200)],
            "channel": ["phone", "email", "email"],
        }
    )  # fmt: skip
    channels = first_touch_channel(speed, touches).collect()
    assert dict(channels.select("lead_id", "first_touch_channel").iter_rows()) == {
        "a": "phone", "b": None, "c": None, "d": "email", "e": None, "f": None,
    }  # fmt: skip
