"""Lead management: attempts, spacing, cadence compliance, channel mix, stalls."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analytics.cadence import (
    attempt_gaps,
    cadence_breaches,
    cadence_by_rep,
    cadence_episodes,
    cadence_summary,
    channel_mix,
    gap_summary,
    never_contacted,
    spaced_attempts,
    stall_reasons,
)
from analytics.config import load_config
from analytics.episodes import episode_touches, mql_episodes, with_touch_stats
from analytics.tables import Tables

CFG = load_config("data/sla.toml")  # 6 attempts within 14 days, 4 h apart
AS_OF = datetime(2026, 11, 1, tzinfo=UTC)


def ev(lead, stage, at, **kw):
    return {"lead_id": lead, "stage": stage, "entered_at": at, **kw}


def touch(lead, at, channel, rep, outcome="no_answer", note=None):
    return {"touch_id": f"{lead}-{at}", "lead_id": lead, "rep_id": rep, "occurred_at": at,
            "channel": channel, "outcome": outcome, "note": note}  # fmt: skip


OWNERS = {"a": "r1", "b": "r2", "c": "r1", "d": "r2", "e": "r1"}
B_TIMES = [
    "2026-10-01T10:00:00Z", "2026-10-01T11:00:00Z", "2026-10-01T12:00:00Z",
    "2026-10-01T14:00:00Z", "2026-10-01T15:00:00Z", "2026-10-01T18:00:00Z",
    "2026-10-02T10:00:00Z", "2026-10-20T10:00:00Z",
]  # fmt: skip
TABLES = Tables.from_rows(
    reps=[
        {"rep_id": "r1", "name": "Rita", "team": "sdr"},
        {"rep_id": "r2", "name": "Ralf", "team": "sdr"},
    ],
    leads=[
        {"lead_id": k, "created_at": "2026-09-01T00:00:00Z", "source": "email", "owner_rep_id": v}
        for k, v in OWNERS.items()
    ],
    lifecycle_events=[
        ev("a", "mql", "2026-10-01T09:00:00Z"),
        ev("b", "mql", "2026-10-01T09:00:00Z"),
        ev("c", "mql", "2026-10-02T09:00:00Z"),
        ev("d", "mql", "2026-10-25T09:00:00Z"),
        ev("e", "mql", "2026-10-20T09:00:00Z"),
        ev("e", "recycled", "2026-10-22T09:00:00Z", reason="no answer"),
    ],
    sales_touches=[
        *[touch("a", f"2026-10-0{d}T10:00:00Z", "phone", "r1") for d in range(1, 7)],
        *[
            touch("b", t, "email", "r2", note="voicemail full" if i < 2 else None)
            for i, t in enumerate(B_TIMES)
        ],
        touch("c", "2026-10-03T10:00:00Z", "video", "r1", outcome="connected"),
        touch("e", "2026-10-20T10:00:00Z", "phone", "r1", note="wrong number"),
        touch("e", "2026-10-21T10:00:00Z", "phone", "r1"),
    ],
)


@pytest.fixture(scope="module")
def parts():
    eps = mql_episodes(TABLES.lifecycle_events, TABLES.leads)
    touches = episode_touches(eps, TABLES.sales_touches, as_of=AS_OF)
    stats = with_touch_stats(eps, touches)
    cad = cadence_episodes(stats, touches, config=CFG, as_of=AS_OF)
    return eps, touches, cad


def test_cadence_per_episode_by_hand(parts):
    _, _, cad = parts
    got = cad.sort("lead_id").collect()
    # a: 6 attempts a day apart -> held. b: greedy 4 h spacing counts 10:00, 14:00, 18:00,
    # 2 Oct 10:00 = 4 within the 14 days (20 Oct is outside): not held, 2 short; 8 attempts.
    # c: reached by the first touch -> held. d: window open on 1 Nov, not ended -> not judged.
    # e: ended by the recycle after 2 attempts -> judged, not held, 4 short.
    assert got.select(
        "lead_id", "attempts", "window_attempts", "spaced_attempts", "is_judged", "is_held",
        "attempts_short",
    ).rows() == [
        ("a", 6, 6, 6, True, True, None),
        ("b", 8, 7, 4, True, False, 2),
        ("c", 1, 1, 1, True, True, None),
        ("d", 0, 0, 0, False, None, None),
        ("e", 2, 2, 2, True, False, 4),
    ]  # fmt: skip


def test_cadence_summary_and_by_rep(parts):
    _, _, cad = parts
    summary = cadence_summary(cad).collect()
    # judged a, b, c, e; held a, c -> 2/4; attempts per MQL (6 + 8 + 1 + 0 + 2) / 5 = 3.4
    assert summary.select("episodes", "judged", "held", "never_contacted").row(0) == (5, 4, 2, 1)
    assert summary["compliance"][0] == 0.5
    assert summary["attempts_per_mql"][0] == pytest.approx(3.4)
    by_rep = cadence_by_rep(cad, reps=TABLES.reps).collect()
    # r1 owns a, c, e (2 of 3 held); r2 owns b, d (b judged, not held)
    assert by_rep.select("rep_id", "judged", "held").rows() == [("r1", 3, 2), ("r2", 1, 0)]
    assert by_rep["compliance"].to_list() == [pytest.approx(2 / 3), 0.0]


def test_channel_mix(parts):
    _, touches, _ = parts
    got = channel_mix(touches).collect()
    # phone: a 6 + e 2; email: b 8; video: c 1 (the only reach) -> 17 touches
    assert got.select("channel", "touches", "reached").rows() == [
        ("email", 8, 0),
        ("phone", 8, 0),
        ("video", 1, 1),
    ]
    assert got["share"].to_list() == pytest.approx([8 / 17, 8 / 17, 1 / 17])


def test_gaps_between_attempts(parts):
    _, touches, _ = parts
    gaps = attempt_gaps(touches)
    got = gap_summary(gaps, by=["rep_id"]).collect()
    # r1: a's 5 gaps and e's 1 gap, all 24 h. r2 (b): 1, 1, 2, 1, 3, 16, 432 h ->
    # median 2; p90 at position 5.4 of the sorted 7: 16 + 0.4 x (432 - 16) = 182.4
    assert got.select("rep_id", "gaps", "median_gap_hours").rows() == [
        ("r1", 6, 24.0),
        ("r2", 7, 2.0),
    ]
    assert got["p90_gap_hours"].to_list() == pytest.approx([24.0, 182.4])


def test_stall_reasons(parts):
    eps, touches, cad = parts
    got = stall_reasons(cad, eps, touches).collect()
    # stalled: b (judged, not held, still open: no lifecycle reason) and e (recycled)
    assert got.rows() == [
        ("lifecycle", "no answer", 1),
        ("lifecycle", None, 1),
        ("touch_note", "voicemail full", 1),
        ("touch_note", "wrong number", 1),
    ]


def test_never_contacted_and_breaches(parts):
    _, _, cad = parts
    never = never_contacted(cad, as_of=AS_OF).collect()
    # d: MQL 25 Oct 09:00, untouched at 1 Nov 00:00 -> 6 d 15 h = 159 h
    assert never.select("lead_id", "owner_rep_id", "hours_waiting").rows() == [("d", "r2", 159.0)]
    breaches = cadence_breaches(cad).collect()
    assert breaches.select("lead_id", "owner_rep_id", "attempts_short").rows() == [
        ("e", "r1", 4),
        ("b", "r2", 2),
    ]


T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("hours", "gap", "cap", "expected"),
    [
        ([0, 3, 6, 9, 20], 4, 6, 3),  # 0, 6, 20
        ([0, 4, 8], 4, 6, 3),  # exactly the gap apart counts
        ([0, 1, 2, 3], 4, 6, 1),  # a burst counts once
        ([0, 3, 6, 9, 20], 0, 6, 5),  # no gap rule: every attempt
        ([0, 10, 20, 30, 40, 50, 60, 70], 4, 6, 6),  # counted up to the cap
        ([5, 0, 9, 4], 4, 6, 3),  # order of rows does not matter: 0, 4, 9
    ],
)
def test_spaced_attempts(hours, gap, cap, expected):
    tt = pl.LazyFrame(
        {"lead_id": "x", "episode": 1, "occurred_at": [T0 + timedelta(hours=h) for h in hours]}
    )
    got = spaced_attempts(tt, min_gap_hours=gap, cap=cap).collect()
    assert got["spaced_attempts"].to_list() == [expected]


def greedy_spaced(hours: list[int], gap: float, cap: int) -> int:
    """The rule read plainly: take the first attempt, then the first one at least the gap
    after the last taken, up to the cap."""
    taken: list[int] = []
    for h in sorted(hours):
        if not taken or h - taken[-1] >= gap:
            taken.append(h)
    return min(len(taken), cap)


@given(
    episodes=st.lists(
        st.lists(st.integers(min_value=0, max_value=60), min_size=1, max_size=9),
        min_size=1,
        max_size=6,
    ),
    gap=st.sampled_from([0, 1, 4, 7.5]),
    cap=st.integers(min_value=1, max_value=7),
)
def test_spaced_attempts_is_the_greedy_walk_per_episode(episodes, gap, cap):
    # several leads and episodes in one frame, rows in reverse order, simultaneous attempts
    rows = [
        (f"L{i % 2}", i, h) for i, hours in enumerate(episodes) for h in hours
    ][::-1]  # fmt: skip
    frame = pl.LazyFrame(
        [{"lead_id": lead, "episode": i, "occurred_at": T0 + timedelta(hours=h)}
         for lead, i, h in rows]
    )  # fmt: skip
    got = spaced_attempts(frame, min_gap_hours=gap, cap=cap).collect()
    assert sorted(got.select("lead_id", "episode", "spaced_attempts").rows()) == sorted(
        (f"L{i % 2}", i, greedy_spaced(hours, gap, cap)) for i, hours in enumerate(episodes)
    )


def test_empty_cadence_summary_is_null_not_zero():
    empty = Tables.empty()
    eps = mql_episodes(empty.lifecycle_events, empty.leads)
    tt = episode_touches(eps, empty.sales_touches, as_of=AS_OF)
    cad = cadence_episodes(with_touch_stats(eps, tt), tt, config=CFG, as_of=AS_OF)
    summary = cadence_summary(cad).collect()
    assert summary.select("episodes", "judged", "held", "compliance", "attempts_per_mql").row(
        0
    ) == (0, 0, 0, None, None)


def _failed(lead, episode, start, end):
    """A judged, failed, untouched episode (a cadence breach, never contacted)."""
    return {"lead_id": lead, "episode": episode, "owner_rep_id": "r1", "started_at": start,
            "ended_at": end, "end_stage": "recycled", "attempts": 0, "spaced_attempts": 0,
            "is_held": False, "attempts_short": 6}  # fmt: skip


@pytest.mark.parametrize(
    "breaches",
    [cadence_breaches, lambda c: never_contacted(c, as_of=AS_OF)],
    ids=["cadence", "never"],
)
def test_breach_ties_are_listed_by_lead_then_episode(breaches):
    # the same shortfall and the same wait (two days) everywhere: a lead failed twice
    day = timedelta(days=1)
    starts = {("b", 2): T0 + 10 * day, ("a", 1): T0, ("b", 1): T0 + 3 * day}
    cad = pl.LazyFrame([_failed(lead, ep, s, s + 2 * day) for (lead, ep), s in starts.items()])
    got = breaches(cad).collect()
    assert got.select("lead_id", "episode").rows() == [("a", 1), ("b", 1), ("b", 2)]
