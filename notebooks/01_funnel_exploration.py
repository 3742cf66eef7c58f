# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: -all
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 1. Funnel exploration
#
# How many visitors, leads, MQLs, SQLs and deals each month; how the two kinds of
# conversion rate differ; which segments convert; how long each step takes.
#
# Every number comes from `analytics.funnel` (definitions: `../shared/spec/metrics.md`,
# or the app's *Definitions* page). The notebook only picks months, filters and draws.
#
# **Data**: the warehouse named by `SLA_DB` (default `data/warehouse.duckdb`; build the
# demo with `make demo`), the SLA config named by `SLA_CONFIG` (default `data/sla.toml`).

# %%
import altair as alt
import polars as pl

from analytics.config import load_config
from analytics.funnel import (
    cohort_rates,
    monthly_volumes,
    period_rates,
    skipped_stages,
    velocity,
)
from analytics.notebook import config_path, last_complete_month, warehouse_path
from analytics.pooling import pool_rates
from analytics.timeframe import shift_month
from analytics.warehouse import connect_readonly, load_tables

# %%
config = load_config(config_path())
con = connect_readonly(warehouse_path())
tables = load_tables(con).collect()  # read every table once; metrics then run in memory
as_of = tables.latest_timestamp()
last = last_complete_month(as_of, timezone=config.reporting.timezone)
MONTHS = 12
first = shift_month(last, -(MONTHS - 1))
print(f"data as of {as_of:%Y-%m-%d %H:%M} UTC; months {first} .. {last}")

# %% [markdown]
# ## Volumes per month
# `monthly_volumes` counts each stage in the month it was *entered* (a lead that became
# an MQL in March and an SQL in April is an MQL of March and an SQL of April).

# %%
volumes = monthly_volumes(tables, config=config, month=first, months=MONTHS).collect()
volumes

# %%
stages = ["leads", "mqls", "sqls", "opportunities", "deals_won"]
alt.Chart(volumes.unpivot(index="month", on=stages, variable_name="stage")).mark_line(
    point=True
).encode(
    x="month:O",
    y=alt.Y("value:Q", title="count"),
    color=alt.Color("stage:N", sort=stages),
    tooltip=["month", "stage", "value"],
).properties(width=600, height=260, title="Funnel volumes per month")

# %% [markdown]
# ## Period rates vs cohort rates
# - A **period rate** divides two volumes of the same month: MQL -> SQL of March =
#   SQLs of March / MQLs of March. It is the KPI view, available as soon as the month
#   ends, but its numerator and denominator are different people.
# - A **cohort rate** follows the MQLs of March and counts those that became SQL within
#   `funnel.window_days`. It answers "what happens to an MQL", but the last months
#   are *immature*: their window has not closed yet, so their rate can still grow.

# %%
period = period_rates(volumes.lazy()).collect()
cohorts = cohort_rates(tables, config=config, month=first, months=MONTHS, as_of=as_of).collect()
mql_to_sql = pl.concat(
    [
        period.filter(pl.col("metric") == "mql_to_sql").select(
            "month", "x", "n", "rate", "ci_low", "ci_high", kind=pl.lit("period")
        ),
        cohorts.filter(pl.col("from_stage") == "mql", pl.col("to_stage") == "sql").select(
            "month",
            "x",
            "n",
            "rate",
            "ci_low",
            "ci_high",
            kind=pl.when(pl.col("is_immature"))
            .then(pl.lit("cohort (immature)"))
            .otherwise(pl.lit("cohort")),
        ),
    ]
)
mql_to_sql.sort("month", "kind")

# %%
base = alt.Chart(mql_to_sql).encode(
    x="month:O", color=alt.Color("kind:N", title=None), xOffset="kind:N"
)
(
    base.mark_point(filled=True).encode(
        y=alt.Y("rate:Q", axis=alt.Axis(format="%"), title="MQL -> SQL"),
        tooltip=["month", "kind", "x", "n", alt.Tooltip("rate:Q", format=".1%")],
    )
    + base.mark_rule().encode(y="ci_low:Q", y2="ci_high:Q")
).properties(width=600, height=260, title="MQL -> SQL with 95 % Wilson intervals")

# %% [markdown]
# ## Segments
# Monthly cohorts of one segment are small, so pool the mature months: the summed
# conversions over the summed entries (`analytics.pooling.pool_rates`), never the mean
# of monthly rates. Change `SEGMENT` to `campaign`, `country`, `seniority`, `role`,
# `owner`, `industry` or `size_band`; `FROM`/`TO` to another step of the funnel.

# %%
SEGMENT, FROM, TO = "source", "lead", "mql"
by_segment = pool_rates(
    cohort_rates(tables, config=config, month=first, months=MONTHS, as_of=as_of, by=SEGMENT).filter(
        ~pl.col("is_immature"), pl.col("from_stage") == FROM, pl.col("to_stage") == TO
    ),
    by=["segment"],
).collect()
by_segment.sort(["rate", "segment"], descending=[True, False], nulls_last=True)

# %%
bars = alt.Chart(by_segment.filter(pl.col("n") > 0)).encode(
    y=alt.Y("segment:N", sort="-x", title=SEGMENT)
)
(
    bars.mark_bar().encode(
        x=alt.X("rate:Q", axis=alt.Axis(format="%"), title=f"{FROM} -> {TO}"),
        tooltip=["segment", "x", "n", alt.Tooltip("rate:Q", format=".1%")],
    )
    + bars.mark_rule(color="black").encode(x="ci_low:Q", x2="ci_high:Q")
).properties(width=500, title=f"{FROM} -> {TO} by {SEGMENT}, mature cohorts pooled")

# %% [markdown]
# Volumes split the same way (visitors are anonymous: they split by `source` only).

# %%
monthly_volumes(tables, config=config, month=last, by=SEGMENT).collect()

# %% [markdown]
# ## Velocity
# Median days from one stage to the next, for the leads that entered the first stage
# in each month and reached the next one.

# %%
speed = velocity(tables, config=config, month=first, months=MONTHS).collect()
speed.pivot(on="month", index=["from_stage", "to_stage"], values="median_days")

# %% [markdown]
# ## Skipped stages
# Leads that entered a stage without the one before it (e.g. SQL without SAL): a sign
# that a CRM step is not being recorded.

# %%
skipped = skipped_stages(tables, config=config, month=first, months=MONTHS).collect()
skipped.group_by("stage", "skipped_stage").len().sort(
    ["len", "stage", "skipped_stage"], descending=[True, False, False]
)
