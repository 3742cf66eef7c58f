"""Rule score: fit, decayed and capped interest, point in time, history, grid."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from analytics.config import load_config
from analytics.scoring.rules import (
    first_crossing,
    grade_grid,
    lead_attributes,
    rule_scores,
    score_grid,
    score_history,
    scores_at,
    scores_at_mql,
)
from analytics.tables import Tables

CFG = load_config("data/sla.toml")
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _lead(lead_id: str = "L1", **extra: object) -> dict:
    return {"lead_id": lead_id, "created_at": "2026-01-01T00:00:00Z", "source": "email", **extra}


def _act(i: int, kind: str, day: float, lead_id: str = "L1") -> dict:
    return {
        "activity_id": f"a{i}",
        "lead_id": lead_id,
        "type": kind,
        "occurred_at": (T0 + timedelta(days=day)).isoformat(),
    }


def _moments(*days: float, lead_id: str = "L1") -> pl.LazyFrame:
    return pl.LazyFrame(
        {"lead_id": [lead_id] * len(days), "at": [T0 + timedelta(days=d) for d in days]},
        schema={"lead_id": pl.String, "at": pl.Datetime("us", "UTC")},
    )


@pytest.mark.parametrize(
    ("account", "lead", "fit"),
    [
        # software 12 + 50-249: 8 + DE 10 + director 10 + influencer 6 = 46
        (
            {"industry": "software", "employees": 120, "country": "DE"},
            {"seniority": "director", "role": "influencer"},
            46.0,
        ),
        # "Financial Services" matches financial_services 8; 1000+: 12; lead country ch -> CH 8;
        # c_level 12; decision_maker 10 -> 50, the cap
        (
            {"industry": "Financial Services", "employees": 5000, "country": "DE"},
            {"seniority": "c_level", "role": "decision_maker", "country": "ch"},
            50.0,
        ),
        # unknown industry 0, no employees 0, US 0, no seniority/role 0
        ({"industry": "mining", "employees": None, "country": "US"}, {}, 0.0),
    ],
)
def test_fit_points(account: dict, lead: dict, fit: float) -> None:
    t = Tables.from_rows(
        accounts=[{"account_id": "a", "name": "A", **account}],
        leads=[_lead(account_id="a", **lead)],
    )
    assert lead_attributes(t, CFG).collect()["fit_points"].to_list() == [fit]


def test_lead_without_account_scores_its_own_attributes() -> None:
    # AT 8 + manager 6 + user 3 = 17
    t = Tables.from_rows(leads=[_lead(country="AT", seniority="manager", role="user")])
    assert lead_attributes(t, CFG).collect()["fit_points"].to_list() == [17.0]


def test_interest_decay_and_caps_by_hand() -> None:
    acts = [
        # 12 page views on day 0 (1 point each, cap 10) -> 10 at day 0, min(12/2, 10) = 6 at day 30
        *[_act(i, "page_view", 0) for i in range(12)],
        # webinar (10) on day 0: 10, then 5 at day 30
        _act(20, "webinar_attended", 0),
        # demo request (30) on day 30: 30 at day 30
        _act(21, "demo_request", 30),
    ]
    t = Tables.from_rows(leads=[_lead()], activities=acts)
    got = scores_at(t, CFG, _moments(0, 30, 60)).collect()
    # day 0: 10 + 10 = 20; day 30: 6 + 5 + 30 = 41;
    # day 60: page views 12/4 = 3, webinar 2.5, demo 15 -> 20.5
    assert got["interest_points"].to_list() == [20.0, 41.0, 20.5]
    assert got["score"].to_list() == [20.0, 41.0, 20.5]


def test_interest_cap() -> None:
    # two demo requests (30 + 30) and a contact request (25) on the same day: 85, capped at 60
    acts = [_act(1, "demo_request", 1), _act(2, "demo_request", 1), _act(3, "contact_request", 1)]
    t = Tables.from_rows(leads=[_lead()], activities=acts)
    assert scores_at(t, CFG, _moments(1)).collect()["interest_points"].to_list() == [60.0]


def test_future_activity_does_not_change_a_past_score() -> None:
    base = [_act(1, "webinar_attended", 1), _act(2, "pricing_page_view", 5)]
    later = [*base, _act(3, "demo_request", 20)]
    past = _moments(1, 5, 19.99)
    before = scores_at(Tables.from_rows(leads=[_lead()], activities=base), CFG, past).collect()
    after = scores_at(Tables.from_rows(leads=[_lead()], activities=later), CFG, past).collect()
    assert_frame_equal(before, after)
    hist_before = score_history(
        Tables.from_rows(leads=[_lead()], activities=base), CFG, as_of=T0 + timedelta(days=19)
    ).collect()
    hist_after = score_history(
        Tables.from_rows(leads=[_lead()], activities=later), CFG, as_of=T0 + timedelta(days=30)
    ).collect()
    assert_frame_equal(hist_before, hist_after.head(hist_before.height))


def test_rule_scores_as_of_ignores_later_leads_and_activities() -> None:
    t = Tables.from_rows(
        leads=[_lead("L1"), {**_lead("L2"), "created_at": "2026-03-01T00:00:00Z"}],
        activities=[_act(1, "webinar_attended", 0), _act(2, "demo_request", 40)],
    )
    got = rule_scores(t, CFG, as_of=T0 + timedelta(days=30)).collect()
    assert got["lead_id"].to_list() == ["L1"]
    assert got["interest_points"].to_list() == [5.0]  # webinar 10, one half-life later
    assert got.select("fit_grade", "interest_grade").row(0) == ("D", "4")


TYPES = ["page_view", "pricing_page_view", "email_open", "email_click", "demo_request"]


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(TYPES), st.integers(min_value=0, max_value=400 * 24)),
        min_size=1,
        max_size=15,
    ),
    st.sampled_from([0.5, 30.0]),
)
def test_history_equals_pointwise_scores(acts: list[tuple[str, int]], half_life: float) -> None:
    """The one-pass history equals the pairwise computation (also across 256-half-life epochs)."""
    cfg = CFG.model_copy(
        update={"scoring": CFG.scoring.model_copy(update={"decay_half_life_days": half_life})}
    )
    rows = [
        {
            "activity_id": f"a{i}",
            "lead_id": "L1",
            "type": k,
            "occurred_at": (T0 + timedelta(hours=h)).isoformat(),
        }
        for i, (k, h) in enumerate(acts)
    ]
    t = Tables.from_rows(leads=[_lead()], activities=rows)
    hist = score_history(t, cfg, as_of=T0 + timedelta(days=500)).collect()
    point = scores_at(t, cfg, hist.lazy().select("lead_id", "at")).collect()
    assert_frame_equal(hist, point, abs_tol=1e-5)


def test_first_crossing_and_score_at_mql() -> None:
    acts = [
        _act(1, "webinar_attended", 0),
        _act(2, "demo_request", 2),
        _act(3, "event_attended", 3),
    ]
    t = Tables.from_rows(
        leads=[_lead()],
        activities=acts,
        lifecycle_events=[
            {
                "lead_id": "L1",
                "stage": "mql",
                "entered_at": "2026-01-03T00:00:00Z",
                "trigger": "demo_request",
            }
        ],
    )
    # day 2: webinar 10 * 2^(-2/30) = 9.5484 + 30 = 39.5 -> crosses 35 on day 2, 45 on day 3
    got35 = first_crossing(t, CFG, threshold=35).collect()
    assert got35["crossed_at"].to_list() == [T0 + timedelta(days=2)]
    got45 = first_crossing(t, CFG, threshold=45).collect()
    assert got45["crossed_at"].to_list() == [T0 + timedelta(days=3)]
    assert first_crossing(t, CFG, threshold=90).collect().height == 0
    at_mql = scores_at_mql(t, CFG).collect()
    assert at_mql["trigger"].to_list() == ["demo_request"]
    assert at_mql["score"].round(4).to_list() == [round(10 * 2 ** (-2 / 30) + 30, 4)]


def test_grid_has_every_cell() -> None:
    scored = pl.LazyFrame(
        {
            "fit_points": [36.0, 36.0, 20.0, 0.0],
            "interest_points": [41.0, 41.0, 12.0, 0.0],
            "converted": [True, True, False, False],
        }
    )
    g = score_grid(scored, CFG).collect()
    assert g.height == 16
    a1 = g.filter((pl.col("fit_grade") == "A") & (pl.col("interest_grade") == "1"))
    assert a1.select("leads", "converted", "rate").row(0) == (2, 2, 1.0)
    c3 = g.filter((pl.col("fit_grade") == "C") & (pl.col("interest_grade") == "3"))
    assert c3.select("leads", "converted", "rate").row(0) == (1, 0, 0.0)
    assert g["leads"].sum() == 4


def test_grade_grid_grades_point_in_time() -> None:
    # L1: fit DE 10 + c_level 12 + decision_maker 10 = 32 (B); a webinar at creation (10: 3),
    # a demo request on day 1 (MQL then: 10 * 2^(-1/30) + 30 = 39.8: 2), SQL on day 8.
    # L2: no fit (D), nothing at creation (4), never MQL, never SQL.
    t = Tables.from_rows(
        leads=[_lead("L1", seniority="c_level", role="decision_maker", country="DE"), _lead("L2")],
        activities=[_act(1, "webinar_attended", 0), _act(2, "demo_request", 1)],
        lifecycle_events=[
            {"lead_id": "L1", "stage": "mql", "entered_at": "2026-01-02T00:00:00Z"},
            {"lead_id": "L1", "stage": "sql", "entered_at": "2026-01-09T00:00:00Z"},
        ],
    )

    def cells(at: str, as_of: datetime = datetime(2026, 6, 1, tzinfo=UTC)) -> list[tuple]:
        g = grade_grid(t, CFG, at=at, as_of=as_of).collect()  # type: ignore[arg-type]
        filled = g.filter(pl.col("leads") > 0)
        return filled.select("fit_grade", "interest_grade", "leads", "converted").rows()

    assert cells("mql") == [("B", "2", 1, 1)]
    assert cells("created") == [("B", "3", 1, 1), ("D", "4", 1, 0)]
    # as of 1 March both 90-day windows are open: neither lead is a "not converted" yet
    assert cells("created", as_of=datetime(2026, 3, 1, tzinfo=UTC)) == []
    with pytest.raises(ValueError, match="unknown grading moment at='sql'; allowed: mql, created"):
        grade_grid(t, CFG, at="sql")  # type: ignore[arg-type]


def test_scores_at_mql_keeps_each_event_with_its_trigger() -> None:
    # an event of a lead missing from `leads` is dropped without shifting the others
    t = Tables.from_rows(
        leads=[_lead("L1"), _lead("L2")],
        activities=[_act(1, "demo_request", 1, "L2")],
        lifecycle_events=[
            {"lead_id": "ghost", "stage": "mql", "entered_at": "2026-01-01T00:00:00Z",
             "trigger": "manual"},
            {"lead_id": "L1", "stage": "mql", "entered_at": "2026-01-03T00:00:00Z",
             "trigger": "score_threshold"},
            {"lead_id": "L2", "stage": "mql", "entered_at": "2026-01-02T00:00:00Z",
             "trigger": "demo_request"},
        ],
    )  # fmt: skip
    got = scores_at_mql(t, CFG).collect().select("lead_id", "trigger", "score").rows()
    assert got == [("L1", "score_threshold", 0.0), ("L2", "demo_request", 30.0)]


def _reordering_scan(frame: pl.DataFrame) -> pl.LazyFrame:
    """A lazy source whose rows come in another order at every other read (as a warehouse
    scan or a join may give them)."""
    from polars.io.plugins import register_io_source

    reads = []

    def source(with_columns, predicate, n_rows, batch_size):
        reads.append(1)
        out = frame if len(reads) % 2 else frame.reverse()
        out = out.select(with_columns) if with_columns else out
        out = out.filter(predicate) if predicate is not None else out
        yield out if n_rows is None else out.head(n_rows)

    return register_io_source(source, schema=frame.schema)


def test_scores_at_matches_moments_by_lead_not_by_row_order() -> None:
    t = Tables.from_rows(
        leads=[_lead("L1"), _lead("L2"), _lead("L3")],
        activities=[_act(1, "demo_request", 1, "L1"), _act(2, "webinar_attended", 1, "L3")],
    )
    at = datetime(2026, 1, 2, tzinfo=UTC)
    moments = _reordering_scan(pl.DataFrame({"lead_id": ["L1", "L2", "L3"], "at": [at] * 3}))
    got = scores_at(t, CFG, moments).collect()
    assert sorted(got.select("lead_id", "interest_points").rows()) == [
        ("L1", 30.0),
        ("L2", 0.0),
        ("L3", 10.0),
    ]
