"""Conversion by response time: buckets, maturity, the conversion window, the SLA line."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from analytics.config import load_config
from analytics.episodes import mql_episodes
from analytics.handoff import speed_to_lead
from analytics.response_time import (
    bucket_labels,
    conversion_by_response_time,
    sla_line_effect,
)
from analytics.stats import wilson
from analytics.tables import Tables

CFG = load_config("data/sla.toml")  # funnel.window_days = 90, first_touch_hours = 24
T0 = datetime(2026, 1, 5, 9, tzinfo=UTC)
AS_OF = datetime(2026, 8, 1, tzinfo=UTC)
TS = pl.Datetime("us", "UTC")


def speed(rows: list[tuple[str, datetime, float | None]], **extra: list) -> pl.LazyFrame:
    return pl.LazyFrame(
        {
            "lead_id": [r[0] for r in rows],
            "started_at": [r[1] for r in rows],
            "hours_to_first_touch": [r[2] for r in rows],
            **extra,
        },
        schema_overrides={
            "lead_id": pl.String,
            "started_at": TS,
            "hours_to_first_touch": pl.Float64,
        },
    )


def events(rows: list[tuple[str, str, datetime]]) -> pl.LazyFrame:
    return pl.LazyFrame(
        {
            "lead_id": [r[0] for r in rows],
            "stage": [r[1] for r in rows],
            "entered_at": [r[2] for r in rows],
        },
        schema={"lead_id": pl.String, "stage": pl.String, "entered_at": TS},
    )


def counts(frame: pl.LazyFrame, *keys: str) -> list[tuple]:
    return frame.select(*keys, "bucket", "x", "n").collect().rows()


@pytest.mark.parametrize(
    ("edges", "labels"),
    [
        ([24], ["≤ 24 h", "> 24 h", "no touch"]),
        ([0.5, 2], ["≤ 30 min", "30 min-2 h", "> 2 h", "no touch"]),
        ((1, 4, 24, 72), ["≤ 1 h", "1-4 h", "4-24 h", "24-72 h", "> 72 h", "no touch"]),
    ],
)
def test_bucket_labels(edges, labels):
    assert bucket_labels(edges) == labels


@pytest.mark.parametrize("edges", [[], [0, 1], [4, 1], [1, 1], [-1]])
def test_edges_must_be_positive_and_increasing(edges):
    with pytest.raises(ValueError, match="strictly increasing"):
        conversion_by_response_time(
            speed([]), events([]), config=CFG, as_of=AS_OF, edges_hours=edges
        )


def test_unknown_stage_is_named_with_the_allowed_ones():
    with pytest.raises(ValueError, match="unknown to_stage 'won'; allowed: sal, sql, opportunity"):
        conversion_by_response_time(speed([]), events([]), config=CFG, as_of=AS_OF, to_stage="won")


def test_edges_belong_to_the_lower_bucket_and_no_touch_is_its_own():
    # hours 1.0 -> "≤ 1 h" (the SLA's met is hours <= limit); 1.01 and 4.0 -> "1-4 h";
    # 4.5 -> "> 4 h"; None -> "no touch". Only a and c convert (sql within 90 days).
    sp = speed([("a", T0, 1.0), ("b", T0, 1.01), ("c", T0, 4.0), ("d", T0, 4.5), ("e", T0, None)])
    ev = events([("a", "sql", T0 + timedelta(days=3)), ("c", "sql", T0 + timedelta(days=89))])
    out = conversion_by_response_time(sp, ev, config=CFG, as_of=AS_OF, edges_hours=[1, 4])
    assert counts(out) == [
        ("≤ 1 h", 1, 1),
        ("1-4 h", 1, 2),
        ("> 4 h", 0, 1),
        ("no touch", 0, 1),
    ]
    # within_sla: the whole bucket is within 24 h; the open "> 4 h" bucket is not
    assert out.collect()["within_sla"].to_list() == [True, True, False, None]
    assert out.collect()["rate"].to_list() == [1.0, 0.5, 0.0, 0.0]


def test_full_output_of_one_bucket_pair():
    sp = speed([("a", T0, 2.0), ("b", T0, 30.0)])
    ev = events([("a", "sql", T0 + timedelta(days=1))])
    out = conversion_by_response_time(sp, ev, config=CFG, as_of=AS_OF, edges_hours=[24]).collect()
    # 1/1 within, 0/1 later: Wilson(1, 1) = [0.2065, 1], Wilson(0, 1) = [0, 0.7935]
    low_1, _ = wilson(1, 1)
    _, high_0 = wilson(0, 1)
    expected = pl.DataFrame(
        {
            "bucket": ["≤ 24 h", "> 24 h", "no touch"],
            "bucket_order": [0, 1, 2],
            "lower_hours": [0.0, 24.0, None],
            "upper_hours": [24.0, None, None],
            "within_sla": [True, False, None],
            "x": [1, 0, 0],
            "n": [1, 1, 0],
            "rate": [1.0, 0.0, None],
            "ci_low": [low_1, 0.0, None],
            "ci_high": [1.0, high_0, None],
        }
    )
    assert_frame_equal(out, expected, abs_tol=1e-9)
    assert round(low_1, 4) == 0.2065 and round(high_0, 4) == 0.7935


def test_conversion_counts_only_inside_the_window_after_the_episode_start():
    # a: sql before the episode (an earlier episode's) -> not this one's conversion
    # b: sql 91 days after the start -> outside the 90-day window
    # c: sql exactly 90 days after -> inside; d: sal only -> not sql
    sp = speed([("a", T0, 1.0), ("b", T0, 1.0), ("c", T0, 1.0), ("d", T0, 1.0)])
    ev = events(
        [
            ("a", "sql", T0 - timedelta(days=10)),
            ("b", "sql", T0 + timedelta(days=91)),
            ("c", "sql", T0 + timedelta(days=90)),
            ("d", "sal", T0 + timedelta(days=1)),
        ]
    )
    out = conversion_by_response_time(sp, ev, config=CFG, as_of=AS_OF, edges_hours=[24])
    assert counts(out)[0] == ("≤ 24 h", 1, 4)
    sal = conversion_by_response_time(
        sp, ev, config=CFG, as_of=AS_OF, edges_hours=[24], to_stage="sal"
    )
    assert counts(sal)[0] == ("≤ 24 h", 1, 4)


def test_immature_episodes_and_later_events_are_left_out():
    as_of = T0 + timedelta(days=100)
    # a started 100 days before as_of (mature); b 50 days before (immature, left out);
    # c is mature but its sql comes after as_of, so it does not exist yet
    sp = speed(
        [("a", T0, 1.0), ("b", T0 + timedelta(days=50), 1.0), ("c", T0 + timedelta(days=5), 1.0)]
    )
    ev = events(
        [
            ("a", "sql", T0 + timedelta(days=2)),
            ("b", "sql", T0 + timedelta(days=52)),
            ("c", "sql", T0 + timedelta(days=101)),
        ]
    )
    out = conversion_by_response_time(sp, ev, config=CFG, as_of=as_of, edges_hours=[24])
    assert counts(out)[0] == ("≤ 24 h", 1, 2)


def test_grouping_gives_every_bucket_per_group():
    sp = speed(
        [("a", T0, 0.5), ("b", T0, 50.0), ("c", T0, 0.5)],
        trigger=["demo_request", "demo_request", "score_threshold"],
    )
    ev = events([("a", "sql", T0 + timedelta(days=1))])
    out = conversion_by_response_time(
        sp, ev, config=CFG, as_of=AS_OF, edges_hours=[24], by=["trigger"]
    )
    assert counts(out, "trigger") == [
        ("demo_request", "≤ 24 h", 1, 1),
        ("demo_request", "> 24 h", 0, 1),
        ("demo_request", "no touch", 0, 0),
        ("score_threshold", "≤ 24 h", 0, 1),
        ("score_threshold", "> 24 h", 0, 0),
        ("score_threshold", "no touch", 0, 0),
    ]


def test_sla_line_effect_defaults_to_the_sla_and_excludes_untouched():
    # line 24 h: within = a, b (a converts) -> 1/2; later = c, d (c converts) -> 1/2... and
    # e (no touch, converted anyway) is in neither side; ratio 0.5 / 0.5 = 1.0
    sp = speed([("a", T0, 3.0), ("b", T0, 24.0), ("c", T0, 25.0), ("d", T0, 99.0), ("e", T0, None)])
    ev = events([(lead, "sql", T0 + timedelta(days=5)) for lead in ("a", "c", "e")])
    out = sla_line_effect(sp, ev, config=CFG, as_of=AS_OF).collect()
    assert out.select("hours", "x_within", "n_within", "x_later", "n_later", "ratio").row(0) == (
        24.0,
        1,
        2,
        1,
        2,
        1.0,
    )
    # at 1 h nothing is within: rate_within is null, and so is the ratio
    one = sla_line_effect(sp, ev, config=CFG, as_of=AS_OF, hours=1).collect()
    assert one.select("n_within", "rate_within", "x_later", "n_later", "ratio").row(0) == (
        0,
        None,
        2,
        4,
        None,
    )


def test_sla_line_effect_ratio_is_null_when_later_never_converts():
    sp = speed([("a", T0, 0.5), ("b", T0, 5.0)])
    ev = events([("a", "sql", T0 + timedelta(days=1))])
    out = sla_line_effect(sp, ev, config=CFG, as_of=AS_OF, hours=1).collect()
    assert out.select("rate_within", "rate_later", "ratio").row(0) == (1.0, 0.0, None)


def test_sla_line_effect_by_group_keeps_null_groups():
    sp = speed([("a", T0, 0.5), ("b", T0, 5.0)], owner_rep_id=[None, None])
    ev = events([("a", "sql", T0 + timedelta(days=1)), ("b", "sql", T0 + timedelta(days=1))])
    out = sla_line_effect(sp, ev, config=CFG, as_of=AS_OF, hours=1, by=["owner_rep_id"]).collect()
    assert out.select("owner_rep_id", "x_within", "n_within", "x_later", "n_later").rows() == [
        (None, 1, 1, 1, 1)
    ]


def test_from_speed_to_lead_end_to_end():
    # MQL a touched after 2 h and SQL a week later; MQL b touched after 30 h, no SQL;
    # MQL c never touched. as_of is months later, so all three are mature.
    t = Tables.from_rows(
        lifecycle_events=[
            {"lead_id": "a", "stage": "mql", "entered_at": "2026-02-02T08:00Z"},
            {"lead_id": "a", "stage": "sql", "entered_at": "2026-02-09T08:00Z"},
            {"lead_id": "b", "stage": "mql", "entered_at": "2026-02-02T08:00Z"},
            {"lead_id": "c", "stage": "mql", "entered_at": "2026-02-02T08:00Z"},
        ],
        sales_touches=[
            {"touch_id": "t1", "lead_id": "a", "rep_id": "r", "channel": "phone",
             "occurred_at": "2026-02-02T10:00Z", "outcome": "connected"},
            {"touch_id": "t2", "lead_id": "b", "rep_id": "r", "channel": "phone",
             "occurred_at": "2026-02-03T14:00Z", "outcome": "no_answer"},
        ],
    )  # fmt: skip
    sp = speed_to_lead(
        mql_episodes(t.lifecycle_events, t.leads), t.sales_touches, config=CFG, as_of=AS_OF
    )
    out = conversion_by_response_time(sp, t.lifecycle_events, config=CFG, as_of=AS_OF)
    assert [r for r in counts(out) if r[2]] == [
        ("1-4 h", 1, 1),
        ("24-72 h", 0, 1),
        ("no touch", 0, 1),
    ]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.one_of(st.none(), st.floats(0, 500, allow_nan=False)),
            st.integers(0, 200),
            st.one_of(st.none(), st.integers(-20, 120)),
        ),
        max_size=30,
    )
)
def test_buckets_partition_the_mature_episodes(rows):
    # (hours, days before AS_OF the episode started, days after start of an sql or None)
    starts = [AS_OF - timedelta(days=d) for _, d, _ in rows]
    sp = speed([(f"L{i}", s, h) for i, ((h, _, _), s) in enumerate(zip(rows, starts, strict=True))])
    ev = events(
        [
            (f"L{i}", "sql", s + timedelta(days=k))
            for i, ((_, _, k), s) in enumerate(zip(rows, starts, strict=True))
            if k is not None
        ]
    )
    out = conversion_by_response_time(sp, ev, config=CFG, as_of=AS_OF).collect()
    mature = sum(d >= 90 for _, d, _ in rows)
    assert out["n"].sum() == mature
    assert (out["x"] <= out["n"]).all()
    line = sla_line_effect(sp, ev, config=CFG, as_of=AS_OF).collect()
    touched = out.filter(pl.col("bucket") != "no touch")
    assert line["n_within"][0] + line["n_later"][0] == touched["n"].sum()
    assert line["x_within"][0] + line["x_later"][0] == touched["x"].sum()
