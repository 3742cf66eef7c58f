"""MQL episodes and the assignment of sales touches to them."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from analytics.episodes import (
    episode_touches,
    episodes_to_store,
    mql_episodes,
    stored_history,
    with_touch_stats,
)
from analytics.tables import Tables

UTC_TS = pl.Datetime("us", "UTC")


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def ev(lead, stage, at, **kw):
    return {"lead_id": lead, "stage": stage, "entered_at": at, **kw}


def touch(tid, lead, at, outcome="no_answer", rep="r1", channel="phone", note=None):
    return {
        "touch_id": tid, "lead_id": lead, "rep_id": rep, "occurred_at": at,
        "channel": channel, "outcome": outcome, "note": note,
    }  # fmt: skip


TABLES = Tables.from_rows(
    leads=[
        {
            "lead_id": lid,
            "created_at": "2026-09-01T00:00:00Z",
            "source": "email",
            "owner_rep_id": "r1",
        }
        for lid in ("a", "b", "c", "d", "e")
    ],
    lifecycle_events=[
        # a: MQL twice in one month -> ONE episode, ended by the sql
        ev("a", "lead", "2026-10-01T08:00:00Z"),
        ev("a", "mql", "2026-10-01T09:00:00Z", trigger="score_threshold"),
        ev("a", "mql", "2026-10-03T09:00:00Z", trigger="demo_request"),
        ev("a", "sal", "2026-10-04T09:00:00Z"),
        ev("a", "sql", "2026-10-05T09:00:00Z"),
        # b: recycled and re-qualified -> TWO episodes, the second still open
        ev("b", "mql", "2026-10-02T09:00:00Z", trigger="score_threshold"),
        ev("b", "recycled", "2026-10-10T09:00:00Z", reason="no answer", actor_rep_id="r2"),
        ev("b", "mql", "2026-10-20T09:00:00Z", trigger="contact_request"),
        # c: disqualified without ever being an MQL -> no episode
        ev("c", "disqualified", "2026-10-02T09:00:00Z"),
        # d: mql and disqualified at the same instant -> one episode that ends at once
        ev("d", "mql", "2026-10-06T09:00:00Z"),
        ev("d", "disqualified", "2026-10-06T09:00:00Z", reason="student"),
        # e has no lifecycle events at all
    ],
    sales_touches=[
        touch("t1", "a", "2026-10-01T10:00:00Z"),
        touch("t2", "a", "2026-10-05T09:00:00Z", outcome="connected"),  # at the end instant
        touch("t3", "a", "2026-10-06T09:00:00Z"),  # after the episode: in none
        touch("t4", "b", "2026-10-02T08:00:00Z"),  # before the first MQL: in none
        touch("t5", "b", "2026-10-03T09:00:00Z"),
        touch("t6", "b", "2026-10-21T09:00:00Z", outcome="replied"),
        touch("t7", "b", "2026-12-01T09:00:00Z"),  # after as_of: ignored
        touch("t8", "e", "2026-10-03T09:00:00Z"),  # no episode
    ],
)
AS_OF = ts("2026-11-01T00:00:00")


def test_episodes_by_hand():
    got = mql_episodes(TABLES.lifecycle_events, TABLES.leads).sort("lead_id", "episode").collect()
    expected = pl.DataFrame(
        {
            "lead_id": ["a", "b", "b", "d"],
            "episode": [1, 1, 2, 1],
            "started_at": [ts("2026-10-01T09:00"), ts("2026-10-02T09:00"),
                           ts("2026-10-20T09:00"), ts("2026-10-06T09:00")],
            "ended_at": [ts("2026-10-05T09:00"), ts("2026-10-10T09:00"), None,
                         ts("2026-10-06T09:00")],
            "end_stage": ["sql", "recycled", None, "disqualified"],
            "trigger": ["score_threshold", "score_threshold", "contact_request", None],
            "owner_rep_id": ["r1", "r1", "r1", "r1"],
            "end_reason": [None, "no answer", None, "student"],
            "end_actor_rep_id": [None, "r2", None, None],
        },
        schema_overrides={"started_at": UTC_TS, "ended_at": UTC_TS},
    )  # fmt: skip
    assert_frame_equal(got, expected)


def test_episodes_of_empty_tables():
    empty = Tables.empty()
    got = mql_episodes(empty.lifecycle_events, empty.leads).collect()
    assert got.height == 0
    assert got.columns[:4] == ["lead_id", "episode", "started_at", "ended_at"]


def test_touches_inside_episodes():
    eps = mql_episodes(TABLES.lifecycle_events, TABLES.leads)
    touches = episode_touches(eps, TABLES.sales_touches, as_of=AS_OF).collect()
    # t1, t2 in a#1 (t2 at the end instant belongs to it); t5 in b#1; t6 in b#2.
    # t3 (after a's end), t4 (before b's MQL), t7 (after as_of), t8 (lead e) are in none.
    assert sorted(zip(touches["touch_id"], touches["episode"], strict=True)) == [
        ("t1", 1), ("t2", 1), ("t5", 1), ("t6", 2),
    ]  # fmt: skip
    stats = with_touch_stats(eps, touches.lazy()).sort("lead_id", "episode").collect()
    assert stats.select("lead_id", "episode", "attempts", "unanswered", "is_reached").rows() == [
        ("a", 1, 2, 1, True),
        ("b", 1, 1, 1, False),
        ("b", 2, 1, 0, True),
        ("d", 1, 0, 0, False),
    ]


def test_events_after_as_of_are_ignored_through_until():
    cut = TABLES.until(ts("2026-10-15T00:00"))
    got = mql_episodes(cut.lifecycle_events, cut.leads).filter(pl.col("lead_id") == "b").collect()
    # the re-MQL of 20 Oct has not happened yet at as_of
    assert got["episode"].to_list() == [1]


_LEADS = ["a", "b", "c", "d", "e", None]
_STAGES = ["mql", "sql", "recycled", "disqualified", "sal", "customer"]


@given(
    events=st.lists(
        st.tuples(st.sampled_from(_LEADS), st.sampled_from(_STAGES), st.integers(0, 40)),
        max_size=30,
    ),
    leads=st.sets(st.sampled_from(["a", "b", "c", "d", "x"]), max_size=5),
    parts=st.integers(1, 6),
)
@settings(max_examples=60, deadline=None)
def test_the_stored_history_in_parts_is_the_whole_computed_at_once(events, leads, parts):
    """Episodes are per lead and the parts are in lead order: any number of parts gives
    the rows :func:`episodes_to_store` gives at once, in its order (events of leads not in
    ``leads``, and of no lead, included)."""
    t = Tables.from_rows(
        leads=[{"lead_id": lead, "created_at": "2026-09-01T00:00Z", "owner_rep_id": "r"}
               for lead in sorted(leads)],
        lifecycle_events=[
            {"lead_id": lead, "stage": stage, "entered_at": f"2026-10-01T{hour % 24:02}:00Z"
             if hour < 24 else f"2026-10-02T{hour - 24:02}:00Z"}
            for lead, stage, hour in events
        ],
    )  # fmt: skip
    whole = episodes_to_store(t.lifecycle_events, t.leads).collect()
    assert_frame_equal(stored_history(t, parts=parts), whole, check_exact=True)
