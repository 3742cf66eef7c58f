"""The KPI table: statuses at the boundaries, change against the previous month."""

from __future__ import annotations

import polars as pl
import pytest

from analytics.config import load_config
from analytics.kpis import kpi_status, kpi_table

CFG = load_config("data/sla.toml")  # at_risk_margin 0.10


@pytest.mark.parametrize(
    ("value", "target", "direction", "status"),
    [
        (0.90, 0.9, "at_least", "met"),  # on target
        (0.81, 0.9, "at_least", "at_risk"),  # 0.9 x (1 - 0.1) = 0.81: still at risk
        (0.80, 0.9, "at_least", "missed"),
        (10.0, 10.0, "at_most", "met"),
        (11.0, 10.0, "at_most", "at_risk"),  # 10 x 1.1 = 11
        (11.5, 10.0, "at_most", "missed"),
        (0.0, 5.0, "at_most", "met"),
        (None, 5.0, "at_most", None),  # no value: no status
    ],
)
def test_status(value, target, direction, status):
    df = pl.DataFrame(
        {"v": [value], "t": [target], "d": [direction]}, schema_overrides={"v": pl.Float64}
    )
    got = df.select(kpi_status("v", "t", "d", margin=0.1))["status"][0]
    assert got == status


def test_kpi_table_for_both_teams():
    values = {"mqls": 650, "handoff_compliance": 0.95, "stale_leads": 12, "attempts_per_mql": None}
    previous = {"mqls": 600, "handoff_compliance": 0.85}
    got = kpi_table(values, previous, config=CFG).collect()
    # one row per configured KPI: 5 marketing, 6 sales, marketing first
    assert got["team"].to_list() == ["marketing"] * 5 + ["sales"] * 6
    rows = {r["metric"]: r for r in got.iter_rows(named=True)}
    # 650 MQLs vs 700: 650 >= 630 -> at risk; +50 on September
    assert (rows["mqls"]["status"], rows["mqls"]["change"]) == ("at_risk", 50.0)
    assert rows["handoff_compliance"]["status"] == "met"
    assert rows["handoff_compliance"]["change"] == pytest.approx(0.10)
    # 12 stale vs at most 10: above 11 -> missed; no previous value -> no change
    assert (rows["stale_leads"]["status"], rows["stale_leads"]["change"]) == ("missed", None)
    assert rows["attempts_per_mql"]["status"] is None
    assert rows["cadence_compliance"]["value"] is None  # not given


def test_unknown_metric_is_named():
    with pytest.raises(ValueError, match=r"unknown KPI metric\(s\) \['revenue'\]; allowed: "):
        kpi_table({"revenue": 1.0}, config=CFG)
