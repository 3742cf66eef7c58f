"""Funnel: volumes, period and cohort rates, velocity, skipped stages (hand-computed)."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from analytics.config import Reporting, load_config
from analytics.funnel import (
    cohort_rates,
    monthly_volumes,
    period_rates,
    skipped_stages,
    velocity,
)
from analytics.tables import Tables

CFG = load_config("data/sla.toml")
BERLIN = CFG.model_copy(update={"reporting": Reporting(timezone="Europe/Berlin")})


def ev(lead, stage, at):
    return {"lead_id": lead, "stage": stage, "entered_at": at}


def lead(lid, created, source, owner=None, account=None):
    return {"lead_id": lid, "created_at": created, "source": source, "owner_rep_id": owner,
            "account_id": account}  # fmt: skip


TABLES = Tables.from_rows(
    accounts=[
        {"account_id": "A1", "name": "Acme", "industry": "software", "employees": 300},
        {"account_id": "A2", "name": "Shop", "industry": "retail", "employees": 20},
    ],
    leads=[
        lead("L1", "2026-10-02T09:00:00Z", "email", "r1", "A1"),
        lead("L2", "2026-10-15T09:00:00Z", "paid_search", "r2", "A2"),
        lead("L3", "2026-09-20T09:00:00Z", "email", "r1"),
        lead("L4", "2026-10-31T23:30:00Z", "event"),  # 1 Nov 00:30 in Berlin
        lead("L5", "2026-08-01T09:00:00Z", "referral"),
    ],
    lifecycle_events=[
        ev("L1", "mql", "2026-10-03T09:00:00Z"),
        ev("L1", "sal", "2026-10-04T09:00:00Z"),
        ev("L1", "sql", "2026-10-10T09:00:00Z"),
        ev("L1", "opportunity", "2026-10-20T09:00:00Z"),
        ev("L1", "mql", "2026-11-02T09:00:00Z"),  # November
        ev("L2", "mql", "2026-10-16T09:00:00Z"),
        ev("L2", "recycled", "2026-10-25T09:00:00Z"),
        ev("L2", "mql", "2026-10-28T09:00:00Z"),  # same lead, same month: counted once
        ev("L3", "mql", "2026-10-01T09:00:00Z"),
        ev("L3", "disqualified", "2026-10-05T09:00:00Z"),
        ev("L5", "mql", "2026-10-05T09:00:00Z"),
        ev("L5", "sql", "2026-10-06T09:00:00Z"),  # no sal: skipped
    ],
    opportunities=[
        {
            "opportunity_id": "O1",
            "lead_id": "L1",
            "created_at": "2026-10-20T09:00:00Z",
            "closed_at": "2026-10-30T09:00:00Z",
            "amount": 50000.0,
            "status": "won",
        },
        {
            "opportunity_id": "O2",
            "lead_id": "L2",
            "created_at": "2026-10-20T09:00:00Z",
            "closed_at": "2026-11-02T09:00:00Z",
            "amount": 10000.0,
            "status": "won",
        },
        {
            "opportunity_id": "O3",
            "lead_id": "L3",
            "created_at": "2026-10-02T09:00:00Z",
            "closed_at": "2026-10-25T09:00:00Z",
            "amount": 7000.0,
            "status": "lost",
        },
    ],
    web_traffic=[
        {"date": "2026-10-01", "source": "email", "visitors": 100},
        {"date": "2026-10-31", "source": "paid_search", "visitors": 50},
        {"date": "2026-09-30", "source": "email", "visitors": 999},
    ],
)
AS_OF = datetime(2026, 11, 15, tzinfo=UTC)


def volumes_row(**values):
    base = dict.fromkeys(
        ("visitors", "leads", "mqls", "sals", "sqls", "opportunities", "customers",
         "recycled", "disqualified", "deals_won"), 0,
    )  # fmt: skip
    base.update(values)
    return base


def test_october_volumes_by_hand():
    # visitors 100 + 50 (30 Sep excluded); leads L1, L2, L4; MQLs L1, L2 (twice), L3, L5;
    # sal L1; sqls L1, L5; opportunity L1; recycled L2; disqualified L3;
    # won: O1 (closed 30 Oct, 50,000; O2 closes in November).
    got = monthly_volumes(TABLES, config=CFG, month="2026-10").collect()
    expected = {
        "month": "2026-10",
        **volumes_row(visitors=150, leads=3, mqls=4, sals=1, sqls=2, opportunities=1,
                      recycled=1, disqualified=1, deals_won=1),
        "won_revenue": 50000.0,
    }  # fmt: skip
    assert got.to_dicts() == [expected]


def test_month_boundary_in_berlin():
    # L4 was created 31 Oct 23:30 UTC = 1 Nov 00:30 in Berlin: a November lead there.
    utc = monthly_volumes(TABLES, config=CFG, month="2026-10", months=2).collect()
    berlin = monthly_volumes(TABLES, config=BERLIN, month="2026-10", months=2).collect()
    assert utc["leads"].to_list() == [3, 0]
    assert berlin["leads"].to_list() == [2, 1]


def test_month_before_any_data_has_zero_volumes_and_null_rates():
    vols = monthly_volumes(TABLES, config=CFG, month="2020-01")
    assert vols.collect().to_dicts() == [{"month": "2020-01", **volumes_row(), "won_revenue": 0.0}]
    rates = period_rates(vols).collect()
    assert rates["rate"].to_list() == [None] * 5
    assert rates["n"].to_list() == [0] * 5


def test_empty_warehouse_volumes():
    got = monthly_volumes(Tables.empty(), config=CFG, month="2026-10").collect()
    assert got.height == 1 and got["mqls"][0] == 0 and got["won_revenue"][0] == 0.0


def test_period_rates_by_hand():
    got = period_rates(monthly_volumes(TABLES, config=CFG, month="2026-10")).collect()
    # leads/visitors 3/150; mqls/leads 4/3 (> 1: no interval); sqls/mqls 2/4;
    # opportunities/sqls 1/2; won/opportunities 1/1.
    assert got.select("metric", "x", "n", "rate").rows() == [
        ("visitor_to_lead", 3, 150, 0.02),
        ("lead_to_mql", 4, 3, pytest.approx(4 / 3)),
        ("mql_to_sql", 2, 4, 0.5),
        ("sql_to_opportunity", 1, 2, 0.5),
        ("opportunity_to_won", 1, 1, 1.0),
    ]
    assert got["ci_low"][1] is None
    assert got["ci_low"][2] == pytest.approx(0.15004, abs=1e-4)  # Wilson 2/4
    assert got["ci_high"][2] == pytest.approx(0.84996, abs=1e-4)


@pytest.mark.parametrize(
    ("by", "value", "expected"),
    [
        # email: visitors 100, L1 created; MQLs L1, L3; sal/sql/opp L1; L3 disqualified
        ("source", "email", dict(visitors=100, leads=1, mqls=2, sals=1, sqls=1,
                                 opportunities=1, disqualified=1, deals_won=1)),
        ("source", "paid_search", dict(visitors=50, leads=1, mqls=1, recycled=1)),
        # size bands: A1 has 300 employees -> 250-999, A2 20 -> 1-49; visitors unknown
        ("size_band", "250-999", dict(visitors=None, leads=1, mqls=1, sals=1, sqls=1,
                                      opportunities=1, deals_won=1)),
        ("size_band", "1-49", dict(visitors=None, leads=1, mqls=1, recycled=1)),
        ("owner", "r1", dict(visitors=None, leads=1, mqls=2, sals=1, sqls=1, opportunities=1,
                             disqualified=1, deals_won=1)),
        ("industry", "retail", dict(visitors=None, leads=1, mqls=1, recycled=1)),
    ],
)  # fmt: skip
def test_segment_volumes(by, value, expected):
    got = monthly_volumes(TABLES, config=CFG, month="2026-10", by=by).collect()
    row = got.filter(pl.col("segment") == value).drop("month", "segment", "won_revenue")
    assert row.to_dicts() == [volumes_row(**expected)]


def test_unknown_segment_names_allowed_ones():
    with pytest.raises(ValueError, match="unknown segment 'region'; allowed: source"):
        monthly_volumes(TABLES, config=CFG, month="2026-10", by="region")


def test_cohort_rates_by_hand():
    got = cohort_rates(TABLES, config=CFG, month="2026-10", as_of=AS_OF).collect()
    # lead->mql: created in Oct L1, L2, L4; L1 and L2 became MQL -> 2/3
    # mql->sal: L1 of L1, L2, L3, L5 -> 1/4; mql->sql: L1, L5 -> 2/4
    # sal->sql: L1 -> 1/1; sql->opportunity: L1 of L1, L5 -> 1/2; opportunity->customer 0/1
    assert got.select("from_stage", "to_stage", "x", "n").rows() == [
        ("lead", "mql", 2, 3),
        ("mql", "sal", 1, 4),
        ("mql", "sql", 2, 4),
        ("sal", "sql", 1, 1),
        ("sql", "opportunity", 1, 2),
        ("opportunity", "customer", 0, 1),
    ]
    # the window (90 days after 31 Oct) is open on 15 Nov: immature
    assert got["is_immature"].to_list() == [True] * 6
    assert got["window_days"].unique().to_list() == [90]
    mature = cohort_rates(
        TABLES, config=CFG, month="2026-10", as_of=datetime(2027, 3, 1, tzinfo=UTC)
    ).collect()
    assert mature["is_immature"].to_list() == [False] * 6


def test_cohort_rates_of_other_steps():
    """MQL -> customer (won): what an export with SQLs only for won deals answers (Olist;
    audit 2026-12-06 notebooks M6), asked of the same function."""
    t = Tables.from_rows(
        lifecycle_events=[
            ev("L1", "mql", "2026-10-03T09:00:00Z"),
            ev("L1", "customer", "2026-10-30T09:00:00Z"),
            ev("L2", "mql", "2026-10-16T09:00:00Z"),
            ev("L3", "mql", "2026-09-16T09:00:00Z"),  # September's cohort
            ev("L3", "customer", "2026-10-01T09:00:00Z"),
        ]
    )
    pairs = (("mql", "customer"),)
    got = cohort_rates(t, config=CFG, month="2026-09", months=2, as_of=AS_OF, pairs=pairs)
    assert got.collect().select("month", "from_stage", "to_stage", "x", "n").rows() == [
        ("2026-09", "mql", "customer", 1, 1),
        ("2026-10", "mql", "customer", 1, 2),
    ]


def test_cohort_window_limits_conversion():
    short = CFG.model_copy(update={"funnel": CFG.funnel.model_copy(update={"window_days": 3})})
    got = cohort_rates(TABLES, config=short, month="2026-10", as_of=AS_OF).collect()
    # within 3 days only L5 (mql 5 Oct -> sql 6 Oct) converts; L1 needed 7 days
    row = got.filter(pl.col("from_stage") == "mql", pl.col("to_stage") == "sql")
    assert row.select("x", "n").row(0) == (1, 4)


def test_velocity_by_hand():
    got = velocity(TABLES, config=CFG, month="2026-10").collect()
    expected = pl.DataFrame(
        {
            "month": ["2026-10"] * 4,
            "from_stage": ["lead", "mql", "sal", "sql"],
            "to_stage": ["mql", "sal", "sql", "opportunity"],
            "n": [2, 1, 1, 1],
            # L1 and L2 were MQL one day after creation; L1: mql->sal 1 d, sal->sql 6 d,
            # sql->opportunity 10 d
            "median_days": [1.0, 1.0, 6.0, 10.0],
            "p90_days": [1.0, 1.0, 6.0, 10.0],
        }
    )
    assert_frame_equal(got, expected)


def test_skipped_stages():
    got = skipped_stages(TABLES, config=CFG, month="2026-10").collect()
    assert got.select("lead_id", "stage", "skipped_stage").rows() == [("L5", "sql", "sal")]
