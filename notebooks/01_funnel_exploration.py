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
#
# **What the data cannot answer** is null, never 0, as in the monthly review: a CRM
# export rarely holds every table (no web traffic, no amounts, only the leads that became
# MQLs, no dates). `analytics.notebook.covered` nulls what a month's data cannot count,
# `analytics.notebook.unmeasured` says why; each table below is followed by those reasons.

# %%
import altair as alt
import polars as pl

from analytics.config import load_config
from analytics.coverage import known_coverage
from analytics.funnel import (
    cohort_rates,
    monthly_volumes,
    period_rates,
    skipped_stages,
    velocity,
)
from analytics.notebook import (
    config_path,
    covered,
    last_complete_month,
    unmeasured,
    warehouse_path,
)
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
TZ = config.reporting.timezone
cover = known_coverage(tables, config=config, as_of=as_of)  # what the review reads too
print(f"data as of {as_of:%Y-%m-%d %H:%M} UTC; months {first} .. {last}")


def known(frame: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """``frame`` with what each month's data cannot answer null; prints why ("–")."""
    out = covered(frame, coverage=cover, timezone=TZ)
    why = unmeasured(out, coverage=cover, timezone=TZ)
    for since, until, reason, measures in (
        why.group_by("first_month", "last_month", "reason", maintain_order=True)
        .agg("measure")
        .iter_rows()
    ):
        months = since if since == until else f"{since} .. {until}"
        print(f"{', '.join(measures)} ({months}): – {reason}")
    return out


# %% [markdown]
# ## Volumes per month
# `monthly_volumes` counts each stage in the month it was *entered* (a lead that became
# an MQL in March and an SQL in April is an MQL of March and an SQL of April).

# %%
volumes = known(monthly_volumes(tables, config=config, month=first, months=MONTHS))
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
period = known(period_rates(volumes.lazy()).filter(pl.col("metric") == "mql_to_sql"))
cohorts = known(
    cohort_rates(tables, config=config, month=first, months=MONTHS, as_of=as_of).filter(
        pl.col("from_stage") == "mql", pl.col("to_stage") == "sql"
    )
)
mql_to_sql = pl.concat(
    [
        period.select("month", "x", "n", "rate", "ci_low", "ci_high", kind=pl.lit("period")),
        cohorts.select(
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
segment_cohorts = known(
    cohort_rates(tables, config=config, month=first, months=MONTHS, as_of=as_of, by=SEGMENT).filter(
        ~pl.col("is_immature"), pl.col("from_stage") == FROM, pl.col("to_stage") == TO
    )
)
# only the months whose data can count the step are pooled (none: no row, and why above)
by_segment = pool_rates(
    segment_cohorts.lazy().filter(pl.col("n").is_not_null()), by=["segment"]
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
known(monthly_volumes(tables, config=config, month=last, by=SEGMENT))

# %% [markdown]
# ## Velocity
# Median days from one stage to the next, for the leads that entered the first stage
# in each month and reached the next one.

# %%
speed = known(velocity(tables, config=config, month=first, months=MONTHS))
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
