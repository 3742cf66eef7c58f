"""The helpers the analyst notebooks use: paths from the environment, pooled rates."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from analytics.notebook import (
    config_path,
    is_interactive,
    last_complete_month,
    project_root,
    warehouse_path,
)
from analytics.pooling import pool_rates
from analytics.stats import wilson

ROOT = Path(__file__).resolve().parents[1]


def test_project_root_is_found_from_the_notebooks_folder_and_not_outside(tmp_path):
    assert project_root(ROOT / "notebooks") == ROOT
    assert project_root(ROOT / "analytics" / "scoring") == ROOT
    with pytest.raises(FileNotFoundError, match="not inside the project"):
        project_root(tmp_path)


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, ROOT / "data" / "warehouse.duckdb"),
        ({"SLA_DB": ""}, ROOT / "data" / "warehouse.duckdb"),
        # `make notebook` exports SLA_DB=data/warehouse.duckdb while the kernel runs in
        # notebooks/: relative paths are relative to the project root, not the cwd
        ({"SLA_DB": "data/other.duckdb"}, ROOT / "data" / "other.duckdb"),
        ({"SLA_DB": "/srv/w.duckdb"}, Path("/srv/w.duckdb")),
    ],
)
def test_warehouse_path(environ, expected):
    assert warehouse_path(root=ROOT / "notebooks", environ=environ) == expected


def test_config_path():
    assert config_path(root=ROOT, environ={}) == ROOT / "data" / "sla.toml"
    assert config_path(root=ROOT, environ={"SLA_CONFIG": "x.toml"}) == ROOT / "x.toml"


@pytest.mark.parametrize(
    ("environ", "expected"),
    [({"JPY_SESSION_NAME": "/n/3.ipynb"}, True), ({"JPY_SESSION_NAME": ""}, False), ({}, False)],
)
def test_is_interactive(environ, expected):
    assert is_interactive(environ) is expected


@pytest.mark.parametrize(
    ("as_of", "timezone", "month"),
    [
        (datetime(2026, 11, 19, 23, 39, tzinfo=UTC), "UTC", "2026-10"),
        (datetime(2026, 1, 1, 0, 0, tzinfo=UTC), "UTC", "2025-12"),
        # 23:30 UTC on 31 Oct is 00:30 on 1 Nov in Berlin: October has ended there
        (datetime(2026, 10, 31, 23, 30, tzinfo=UTC), "Europe/Berlin", "2026-10"),
        (datetime(2026, 10, 31, 23, 30, tzinfo=UTC), "UTC", "2026-09"),
    ],
)
def test_last_complete_month(as_of, timezone, month):
    assert last_complete_month(as_of, timezone=timezone) == month


def test_pool_rates_sums_counts_per_group_and_flags_immature():
    rates = pl.LazyFrame(
        {
            "month": ["2026-01", "2026-02", "2026-03", "2026-01"],
            "segment": ["email", "email", "email", None],
            "to_stage": ["sql"] * 4,
            "x": [3, 5, 0, 2],
            "n": [10, 10, 0, 4],
            "is_immature": [False, False, True, False],
        }
    )
    out = pool_rates(rates, by=["segment", "to_stage"]).collect()
    # email: (3 + 5 + 0) / (10 + 10 + 0) = 0.4; null segment: 2 / 4 = 0.5 (sorted last)
    low_e, high_e = wilson(8, 20)
    low_n, high_n = wilson(2, 4)
    expected = pl.DataFrame(
        {
            "segment": ["email", None],
            "to_stage": ["sql", "sql"],
            "rows": [3, 1],
            "x": [8, 2],
            "n": [20, 4],
            "rate": [0.4, 0.5],
            "ci_low": [low_e, low_n],
            "ci_high": [high_e, high_n],
            "has_immature": [True, False],
        }
    )
    assert_frame_equal(out, expected)


def test_pool_rates_without_groups_gives_one_row_and_names_missing_columns():
    rates = pl.LazyFrame({"x": [1, 2], "n": [4, 4]})
    assert pool_rates(rates, by=[]).select("rows", "x", "n", "rate").collect().rows() == [
        (2, 3, 8, 0.375)
    ]
    with pytest.raises(ValueError, match=r"column\(s\) \['segment'\] not in the rates"):
        pool_rates(rates, by=["segment"])


@given(st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50)), min_size=1, max_size=12))
def test_pooled_rate_lies_between_the_smallest_and_largest_monthly_rate(pairs):
    rows = [(min(x, n), n) for x, n in pairs]
    rates = pl.LazyFrame({"x": [x for x, _ in rows], "n": [n for _, n in rows]})
    pooled = pool_rates(rates, by=[]).collect().row(0, named=True)
    monthly = [x / n for x, n in rows if n]
    if not monthly:
        assert pooled["rate"] is None
    else:
        assert min(monthly) - 1e-12 <= pooled["rate"] <= max(monthly) + 1e-12
