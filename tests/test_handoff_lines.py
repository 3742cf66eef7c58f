"""First-touch lines per trigger and segment ([[handoff.lines]]): the most specific wins."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from analytics.config import ConfigError, HandoffLine, load_config, parse_config
from analytics.episodes import mql_episodes
from analytics.handoff import first_touch_lines, line_segments, speed_to_lead
from analytics.review import build_review
from analytics.tables import Tables

CFG = load_config("data/sla.toml")
LINES = [
    HandoffLine(name="Demo", trigger="demo_request", first_touch_hours=1),  # 0
    HandoffLine(name="Demo DE", trigger="demo_request", country="DE", first_touch_hours=0.5),  # 1
    HandoffLine(name="Paid search", source="paid_search", first_touch_hours=8),  # 2
    HandoffLine(
        name="Paid demo", trigger="demo_request", source="paid_search", first_touch_hours=2
    ),  # 3
    HandoffLine(name="Germany", country="DE", first_touch_hours=12),  # 4
    HandoffLine(name="Big", size_band="1000+", first_touch_hours=3, business_hours=True),  # 5
]
LINED = CFG.model_copy(update={"handoff": CFG.handoff.model_copy(update={"lines": LINES})})

#: lead -> (trigger, country, source, employees)
LEADS = {
    "a": ("demo_request", "DE", "email", 10),  # lines 0, 1, 4 match: 1 sets the most
    "b": ("demo_request", "AT", "paid_search", 10),  # 0, 2, 3: 3 (two conditions)
    "c": ("score_threshold", "DE", "paid_search", 10),  # 2 and 4, one each: 2 is listed first
    "d": ("score_threshold", "AT", "email", 10),  # none: the default line
    "e": ("demo_request", "AT", "email", 10),  # 0 only
    "f": ("demo_request", "DE", "paid_search", 10),  # 1 and 3 set two each: 1 is listed first
    "g": ("score_threshold", "AT", "email", 5000),  # 5, on business hours
}


def tables(touch_hours: dict[str, float] | None = None) -> Tables:
    touches = [
        {"touch_id": f"t{lead}", "lead_id": lead, "rep_id": "r1", "channel": "phone",
         "outcome": "no_answer",
         "occurred_at": datetime(2026, 10, 6, 9, tzinfo=UTC).timestamp() + h * 3600}
        for lead, h in (touch_hours or {}).items()
    ]  # fmt: skip
    for row in touches:
        row["occurred_at"] = datetime.fromtimestamp(row["occurred_at"], UTC).isoformat()
    return Tables.from_rows(
        reps=[{"rep_id": "r1", "name": "Rita", "team": "sdr"}],
        accounts=[
            {"account_id": f"acc-{lead}", "name": f"Firma {lead}", "employees": emp}
            for lead, (_, _, _, emp) in LEADS.items()
        ],
        leads=[
            {"lead_id": lead, "created_at": "2026-10-05T00:00:00Z", "source": source,
             "country": country, "owner_rep_id": "r1", "account_id": f"acc-{lead}"}
            for lead, (_, country, source, _) in LEADS.items()
        ],
        # Monday 2026-10-05 ... the MQLs at Tuesday 09:00 UTC (11:00 in Berlin)
        lifecycle_events=[
            {"lead_id": lead, "stage": "mql", "entered_at": "2026-10-06T09:00:00Z",
             "trigger": trigger}
            for lead, (trigger, _, _, _) in LEADS.items()
        ],
        sales_touches=touches,
    )  # fmt: skip


def test_the_most_specific_line_wins():
    t = tables()
    eps = mql_episodes(t.lifecycle_events, t.leads)
    segments = line_segments(t.leads, t.accounts, t.reps, config=LINED)
    got = first_touch_lines(eps, config=LINED, segments=segments).sort("lead_id").collect()
    assert got.select("lead_id", "line", "line_hours", "is_business_hours").rows() == [
        ("a", 1, 0.5, False),
        ("b", 3, 2.0, False),
        ("c", 2, 8.0, False),
        ("d", None, 24.0, False),
        ("e", 0, 1.0, False),
        ("f", 1, 0.5, False),
        ("g", 5, 3.0, True),
    ]


def test_compliance_is_judged_per_episode_against_its_line():
    # every lead touched 45 minutes after its MQL; lead d (24 h line) after 20 h; lead g
    # (3 business hours from 11:00 Berlin: 14:00) at 15:30 Berlin
    hours = {lead: 0.75 for lead in LEADS} | {"d": 20.0, "g": 4.5}
    t = tables(hours)
    eps = mql_episodes(t.lifecycle_events, t.leads)
    segments = line_segments(t.leads, t.accounts, t.reps, config=LINED)
    as_of = datetime(2026, 10, 31, tzinfo=UTC)
    speed = speed_to_lead(eps, t.sales_touches, config=LINED, as_of=as_of, segments=segments)
    got = speed.sort("lead_id").select("lead_id", "status", "hours_to_first_touch", "clock")
    assert got.collect().rows() == [
        ("a", "missed", 0.75, "calendar"),  # 0.5 h line
        ("b", "met", 0.75, "calendar"),
        ("c", "met", 0.75, "calendar"),
        ("d", "met", 20.0, "calendar"),
        ("e", "met", 0.75, "calendar"),
        ("f", "missed", 0.75, "calendar"),
        ("g", "missed", 4.5, "business"),
    ]
    review = build_review(t, LINED, month="2026-10", as_of=as_of)
    assert (review.handoff["met"], review.handoff["missed"]) == (4, 3)
    assert dict(review.speed_to_lead.select("lead_id", "status").iter_rows())["a"] == "missed"


def test_a_segment_line_needs_the_segments():
    t = tables()
    eps = mql_episodes(t.lifecycle_events, t.leads)
    with pytest.raises(ValueError, match="name the segment"):
        first_touch_lines(eps, config=LINED).collect()


BASE = Path("data/sla.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('trigger = "webinar"', r"handoff.lines\[0\].trigger = 'webinar': not a trigger"),
        ('team = "bd"', r"handoff.lines\[0\].team = 'bd': allowed: marketing, sdr, ae"),
        ('size_band = "huge"', r"handoff.lines\[0\].size_band = 'huge': not a band"),
        ("", r"handoff.lines\[0\]: sets no condition"),
        ('country = "DE"\nfirst_touch_hours = -1', r"handoff.lines\[0\].first_touch_hours"),
    ],
)
def test_line_errors_name_the_key(line, message):
    hours = "" if "first_touch_hours" in line else "\nfirst_touch_hours = 2"
    text = BASE + f'\n[[handoff.lines]]\nname = "x"\n{line}{hours}\n'
    with pytest.raises(ConfigError, match=message):
        parse_config(text)


def test_two_lines_with_the_same_conditions_are_refused():
    line = '\n[[handoff.lines]]\nname = "{n}"\ncountry = "DE"\nfirst_touch_hours = 2\n'
    with pytest.raises(ConfigError, match=r"handoff.lines\[1\]: the same conditions"):
        parse_config(BASE + line.format(n="a") + line.format(n="b"))


def test_without_lines_every_episode_has_the_default_line():
    t = tables()
    got = first_touch_lines(mql_episodes(t.lifecycle_events, t.leads), config=CFG).collect()
    assert set(got["line_hours"]) == {24.0} and got["line"].null_count() == got.height
    assert got.schema["line"] == pl.Int64
