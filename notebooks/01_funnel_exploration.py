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
from analytics.coverage import COUNTED_STAGES, answerable, known_coverage
from analytics.coverage import reason as coverage_reason
from analytics.funnel import (
    VELOCITY_PAIRS,
    cohort_rates,
    monthly_volumes,
    period_rates,
    skipped_stages,
    velocity,
)
from analytics.notebook import (
    answered_months,
    config_path,
    covered,
    show_tables,
    unanswered,
    unmeasured,
    versions_of_months,
    warehouse_path,
)
from analytics.pooling import pool_rates
from analytics.sla_history import diff_configs
from analytics.sla_versions import month_zones
from analytics.warehouse import connect_readonly, load_tables
from analytics.warehouse.config_history import stored_configs

# %% [markdown]
# The months: up to 12, ending with the last month that has ended (the default month of
# the app and `sla review`) and that the funnel's data (leads and lifecycle events)
# reaches, from the first month it reaches (`answered_months`). An export whose deals go
# on after its leads stop is looked at where its leads are. Each month is judged by the
# SLA version in force on its first day (`versions_of_months`: the versions recorded in
# the warehouse, the config file where none is), as the monthly review judges it: its
# conversion window and its month bounds.

# %%
show_tables()  # every row and every reason a table holds (polars hides the middle rows)
config = load_config(config_path())
con = connect_readonly(warehouse_path())
tables = load_tables(con).collect()  # read every table once; metrics then run in memory
as_of = tables.latest_timestamp()
VERSIONS = stored_configs(con)  # the SLA versions recorded in the warehouse
ZONES = month_zones(VERSIONS, fallback=config)  # where each month starts and ends
cover = known_coverage(tables, config=config, as_of=as_of)  # what the review reads too
WINDOW = answered_months(cover, as_of=as_of, group="funnel", months=12, timezone=ZONES)
first, last, MONTHS = WINDOW[0], WINDOW[-1], len(WINDOW)
RUNS = versions_of_months(WINDOW, versions=VERSIONS, fallback=config)


def span(months: list[str]) -> str:
    """``2026-01 .. 2026-03``, or the one month."""
    return months[0] if months[0] == months[-1] else f"{months[0]} .. {months[-1]}"


print(f"data as of {as_of:%Y-%m-%d %H:%M} UTC; months {span(WINDOW)}")
for i, (version, months) in enumerate(RUNS):
    print(
        f"{span(months)}: SLA version {version.sla.version} (in force from "
        f"{version.sla.effective_from}), conversion window {version.funnel.window_days} days"
    )
    for change in diff_configs(RUNS[i - 1][0], version) if i else []:  # where rules moved
        if not change.key.startswith("sla."):
            print(f"  from {months[0]}: {change.text}")


def say(why: pl.DataFrame) -> None:
    """Print what the months cannot answer and why ("–"), months in a row on one line."""
    for since, until, reason, measures in (
        why.group_by("first_month", "last_month", "reason", maintain_order=True)
        .agg("measure")
        .iter_rows()
    ):
        print(f"{', '.join(measures)} ({span([since, until])}): – {reason}")


def known(frame: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """``frame`` with what each month's data cannot answer null; prints why ("–")."""
    out = covered(frame, coverage=cover, timezone=ZONES)
    say(unmeasured(out, coverage=cover, timezone=ZONES))
    return out


def say_why_empty(frame: pl.DataFrame, measures: list[str], months: list[str] = WINDOW) -> None:
    """When ``frame`` has no rows, print why: what the months' data cannot answer of
    ``measures``, or that it could and found no case."""
    if not frame.is_empty():
        return
    why = unanswered(measures, months=months, coverage=cover, timezone=ZONES)
    if why.is_empty():
        print(f"no case in {span(months)}: the data can answer it, none happened")
    else:
        print("nothing to show:")
        say(why)


def per_version(metric, **options) -> pl.DataFrame:
    """``metric(tables, config=..., month=..., months=..., **options)`` over the window,
    each run of months with the SLA version that judges it, as the review judges a month."""
    return pl.concat(
        [
            metric(tables, config=version, month=months[0], months=len(months), **options)
            .lazy()
            .collect()
            for version, months in RUNS
        ],
        how="vertical_relaxed",
    )


# %% [markdown]
# ## Volumes per month
# `monthly_volumes` counts each stage in the month it was *entered* (a lead that became
# an MQL in March and an SQL in April is an MQL of March and an SQL of April).

# %%
volumes = known(per_version(monthly_volumes))
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
    per_version(cohort_rates, as_of=as_of).filter(
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
    per_version(cohort_rates, as_of=as_of, by=SEGMENT).filter(
        pl.col("from_stage") == FROM, pl.col("to_stage") == TO
    )
)
# only the mature months whose data can count the step are pooled (why not: above)
by_segment = pool_rates(
    segment_cohorts.lazy().filter(~pl.col("is_immature"), pl.col("n").is_not_null()),
    by=["segment"],
).collect()
if by_segment.is_empty() and segment_cohorts.filter(pl.col("n").is_not_null()).height:
    print(f"nothing to pool: no cohort of {span(WINDOW)} has had its window to convert yet")
else:
    say_why_empty(by_segment, [f"{FROM} -> {TO}"])
if by_segment["segment"].null_count():
    no_accounts = tables.accounts.lazy().collect().is_empty()
    print(
        f"segment null: the leads whose {SEGMENT} is not recorded"
        + (
            " (no accounts were imported)"
            if SEGMENT in ("industry", "size_band") and no_accounts
            else ""
        )
    )
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
segment_volumes = known(monthly_volumes(tables, config=RUNS[-1][0], month=last, by=SEGMENT))
say_why_empty(segment_volumes, ["leads", "mqls", "sqls", "deals_won"], months=[last])
segment_volumes

# %% [markdown]
# ## Velocity
# Median days from one stage to the next, for the leads that entered the first stage
# in each month and reached the next one; `n` of them (0: none did). Every step of every
# month is shown: a step the month's data cannot count is null, and why is said.

# %%
steps = pl.DataFrame(
    {"from_stage": [a for a, _ in VELOCITY_PAIRS], "to_stage": [b for _, b in VELOCITY_PAIRS]}
)
keys = ["month", "from_stage", "to_stage"]
speed = known(
    pl.DataFrame({"month": WINDOW})
    .join(steps, how="cross")
    .join(per_version(velocity), on=keys, how="left", maintain_order="left")
    .with_columns(pl.col("n").fill_null(0))
)
# MQL -> won takes every step from mql to customer: is each known in some month?
unknown = set(unmeasured(speed, coverage=cover, timezone=ZONES)["measure"])
path = [f"{a} -> {b}" for a, b in VELOCITY_PAIRS if a != "lead"]
timed = speed.filter(pl.col("median_days").is_not_null()).select(
    pl.format("{} -> {}", "from_stage", "to_stage")
)
gaps = [step for step in path if step not in set(timed.to_series())]
if gaps:
    print(f"No MQL -> won velocity in {span(WINDOW)}: no month has a median for")
    for step in gaps:
        print(f"  {step}: " + ("– why: above" if step in unknown else "no lead made this step"))
speed.pivot(on="month", index=["from_stage", "to_stage"], values="median_days")

# %% [markdown]
# ## Skipped stages
# Leads that entered a stage without the one before it (e.g. SQL without SAL): a sign
# that a CRM step is not being recorded.

# %%
skipped = per_version(skipped_stages)
say_why_empty(skipped, ["mqls", "sals", "sqls", "opportunities", "customers"])
# a stage the export never records is skipped by every lead: the export's gap, not sales'
anywhere = answerable(cover)
for stage in skipped["skipped_stage"].unique().sort():
    if not anywhere.get(COUNTED_STAGES[stage], True):
        print(f"{stage}: – {coverage_reason(COUNTED_STAGES[stage], cover)}")
skipped.group_by("stage", "skipped_stage").len().sort(
    ["len", "stage", "skipped_stage"], descending=[True, False, False]
)
