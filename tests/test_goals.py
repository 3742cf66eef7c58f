"""The shared goal: trailing rates, reverse funnel, pacing and forecast."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import pytest

from analytics.config import load_config
from analytics.goals import (
    REVERSE_STEPS,
    monthly_targets,
    pacing,
    reverse_funnel,
    trailing_rates,
)
from analytics.tables import Tables

CFG = load_config("data/sla.toml")  # revenue target 1,000,000 a month, 6 trailing months


def test_trailing_rates_pool_the_window():
    # two months: 1 deal of 100 and 1 of 300 -> average deal 200 (pooled, not mean of means);
    # mqls/leads = (10 + 30) / (100 + 100) = 0.2 (the mean of monthly rates would be too)
    v = pl.LazyFrame(
        {"won_revenue": [100.0, 300.0], "deals_won": [1, 1], "opportunities": [1, 3],
         "sqls": [2, 2], "mqls": [10, 30], "leads": [100, 100], "visitors": [0, 0]}
    )  # fmt: skip
    got = trailing_rates(v).collect().row(0, named=True)
    assert got == {
        "avg_deal_size": 200.0,
        "opportunity_to_won": 0.5,  # 2 / 4
        "sql_to_opportunity": 1.0,  # 4 / 4
        "mql_to_sql": 0.1,  # 4 / 40
        "lead_to_mql": 0.2,
        "visitor_to_lead": None,  # no visitors: null, not inf
    }


def test_reverse_funnel_stops_at_a_missing_rate():
    rates = pl.LazyFrame(
        {"avg_deal_size": [50_000.0], "opportunity_to_won": [0.0], "sql_to_opportunity": [0.5],
         "mql_to_sql": [0.4], "lead_to_mql": [0.2], "visitor_to_lead": [0.01]}
    )  # fmt: skip
    got = reverse_funnel(rates, config=CFG, months=3).collect()
    # 3 months: 3,000,000 -> 60 deals; a 0 % win rate makes everything above it unknown
    assert got["target"].to_list() == [3_000_000.0, 60.0, None, None, None, None, None]
    assert got["rate_name"].to_list() == [
        None, "avg_deal_size", "opportunity_to_won", "sql_to_opportunity", "mql_to_sql",
        "lead_to_mql", "visitor_to_lead",
    ]  # fmt: skip


def _sep_tables() -> Tables:
    # September 2026 only: 1,000 visitors, 10 leads, 5 MQLs, 2 SQLs, 1 opportunity,
    # 1 deal of 250,000 won
    leads = [
        {"lead_id": f"L{i}", "created_at": "2026-09-10T00:00:00Z", "source": "email"}
        for i in range(10)
    ]
    events = [
        {"lead_id": f"L{i}", "stage": "mql", "entered_at": "2026-09-11T00:00:00Z"} for i in range(5)
    ]
    events += [
        {"lead_id": f"L{i}", "stage": "sql", "entered_at": "2026-09-12T00:00:00Z"} for i in range(2)
    ]
    events += [{"lead_id": "L0", "stage": "opportunity", "entered_at": "2026-09-13T00:00:00Z"}]
    return Tables.from_rows(
        leads=leads,
        lifecycle_events=events,
        opportunities=[
            {
                "opportunity_id": "O1",
                "lead_id": "L0",
                "created_at": "2026-09-13T00:00:00Z",
                "closed_at": "2026-09-20T00:00:00Z",
                "amount": 250_000.0,
                "status": "won",
            }
        ],
        web_traffic=[{"date": "2026-09-01", "source": "email", "visitors": 1000}],
    )


def test_monthly_targets_from_the_trailing_months():
    got = monthly_targets(_sep_tables(), config=CFG, month="2026-10").collect()
    # 1,000,000 / 250,000 = 4 deals; / (1/1) = 4 opportunities; / (1/2) = 8 SQLs;
    # / (2/5) = 20 MQLs; / (5/10) = 40 leads; / (10/1000) = 4,000 visitors
    assert got.select("stage", "target").rows() == [
        ("won_revenue", 1_000_000.0),
        ("deals_won", 4.0),
        ("opportunities", 4.0),
        ("sqls", 8.0),
        ("mqls", 20.0),
        ("leads", 40.0),
        ("visitors", pytest.approx(4000.0)),
    ]
    # the window is the six months before: September does not count for April's targets
    april = monthly_targets(_sep_tables(), config=CFG, month="2026-04").collect()
    assert april["target"].to_list()[1:] == [None] * 6


def test_pacing_month_and_quarter_by_hand():
    # 60 MQLs in October, 40 in the first half of November; 100 leads in November.
    events = [
        {"lead_id": f"O{i}", "stage": "mql", "entered_at": "2026-10-10T00:00:00Z"}
        for i in range(60)
    ]
    events += [
        {"lead_id": f"N{i}", "stage": "mql", "entered_at": "2026-11-05T00:00:00Z"}
        for i in range(40)
    ]
    leads = [
        {"lead_id": f"N{i}", "created_at": "2026-11-02T00:00:00Z", "source": "email"}
        for i in range(100)
    ]
    tables = Tables.from_rows(lifecycle_events=events, leads=leads)
    targets = pl.LazyFrame({"stage": ["mqls", "leads"], "target": [100.0, 400.0]})
    as_of = datetime(2026, 11, 16, tzinfo=UTC)
    got = pacing(tables, config=CFG, month="2026-11", as_of=as_of, targets=targets).collect()
    rows = {(r["period"], r["stage"]): r for r in got.iter_rows(named=True)}
    # month: half of November gone (15 of 30 days); 40 MQLs vs 50 expected -> pace 0.8,
    # forecast 80 of 100. Quarter (Oct-Dec, 46 of 92 days): 100 vs 150 -> forecast 200 of 300.
    m, q = rows[("month", "mqls")], rows[("quarter", "mqls")]
    assert (m["actual"], m["target"], m["elapsed_share"], m["expected_to_date"]) == (
        40.0, 100.0, 0.5, 50.0,
    )  # fmt: skip
    assert (m["pace"], m["forecast"], m["forecast_attainment"]) == pytest.approx((0.8, 80.0, 0.8))
    assert (q["actual"], q["target"], q["elapsed_share"]) == (100.0, 300.0, 0.5)
    assert (q["pace"], q["forecast"]) == pytest.approx((2 / 3, 200.0))
    leads_month = rows[("month", "leads")]
    assert leads_month["pace"] == pytest.approx(0.5)  # 100 of 200 expected
    assert rows[("month", "sqls")]["target"] is None
    assert rows[("month", "sqls")]["pace"] is None
    # rows in a fixed order (the review pack prints them as they come): month, then quarter,
    # each in the reverse funnel's stage order, whatever order the targets come in
    stages = [s for s, _ in REVERSE_STEPS]
    assert got.select("period", "stage").rows() == [
        (period, stage) for period in ("month", "quarter") for stage in stages
    ]


def test_pacing_of_a_past_month_is_complete():
    got = pacing(
        Tables.empty(), config=CFG, month="2026-01", as_of=datetime(2026, 6, 1, tzinfo=UTC)
    ).collect()
    month = got.filter(pl.col("period") == "month")
    assert month["elapsed_share"].unique().to_list() == [1.0]
    # quarter to the end of January: 31 of 90 days
    quarter = got.filter(pl.col("period") == "quarter")
    assert quarter["elapsed_share"][0] == pytest.approx(31 / 90)
    assert month.filter(pl.col("stage") == "mqls")["pace"][0] is None  # no target known
