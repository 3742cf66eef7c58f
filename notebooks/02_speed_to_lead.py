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
# # 2. Speed to lead: does answering faster pay off here?
#
# The SLA promises sales' first touch within `handoff.first_touch_hours` of an MQL. This
# notebook asks the team's own data whether MQLs that were touched sooner converted more
# often, and what the SLA's line separates.
#
# **The published benchmark.** Oldroyd, McElheran and Elkington, *"The Short Life of
# Online Sales Leads"*, Harvard Business Review, March 2011, audited web leads at 2,241
# U.S. companies: firms that tried to contact a lead within an hour were nearly
# **7 times as likely to qualify it** (a meaningful conversation with a decision maker) as
# firms that waited even one hour longer, and far more likely again than firms that waited
# a day or more. Their comparison is *across* companies and their outcome is a
# qualifying conversation; ours is *within* one team and the outcome is reaching SQL
# within `funnel.window_days`. Expect a smaller ratio, and read it as a hint, not proof.
#
# Definitions: `analytics.handoff.speed_to_lead` (per MQL episode: hours to the first
# touch, met / missed / pending) and `analytics.response_time` (conversion by bucket,
# the SLA line's effect; only episodes whose conversion window has closed count).

# %%
import altair as alt
import polars as pl

from analytics.config import load_config
from analytics.coverage import coverage, reason, touch_horizon, within_coverage
from analytics.episodes import mql_episodes
from analytics.handoff import handoff_by, handoff_summary, segments_for_lines, speed_to_lead
from analytics.notebook import by_version, config_path, covered_overall, show_tables, warehouse_path
from analytics.response_time import (
    conversion_by_response_time,
    immature_reason,
    sla_line_effect,
)
from analytics.sla_history import diff_configs
from analytics.sla_versions import config_at
from analytics.warehouse import connect_readonly, load_tables
from analytics.warehouse.config_history import stored_configs

# %% [markdown]
# Each MQL is judged by the SLA version in force on the first day of its month (the
# versions recorded in the warehouse, the config file where none is), as the monthly
# review, the app and `sla review` judge it: when a new version moved the line, the MQLs
# before it are judged by the old line, those after by the new one.

# %%
show_tables()  # every row and every reason a table holds (polars hides the middle rows)
config = load_config(config_path())
con = connect_readonly(warehouse_path())
tables = load_tables(con).collect()
as_of = tables.latest_timestamp()
VERSIONS = stored_configs(con)  # the SLA versions recorded in the warehouse
NOW = config_at(VERSIONS, moment=as_of, fallback=config)  # the version in force at as_of
print(f"data as of {as_of:%Y-%m-%d %H:%M} UTC")


def line_text(version) -> str:
    """The version's first-touch line in words (and how many others it sets)."""
    clock = "business" if version.handoff.business_hours else "calendar"
    more = len(version.handoff.lines)
    others = f" ({more} other lines by trigger or segment)" if more else ""
    return f"first touch within {version.handoff.first_touch_hours:g} {clock} h{others}"


# %% [markdown]
# ## Every MQL episode, judged
# One row per MQL episode of the days the sales touches cover: when it started, the
# first touch, the hours to it on the SLA's clock, and met / missed / pending. An MQL
# from before the first touch was tracked is unknown, not missed (missing data is never
# a verdict: `analytics.coverage`), so it is left out; when the touches stopped (none on
# three or more working days before `as_of`), first touches are judged as of the last
# touch's day, as the monthly review does: one due later is pending, not missed.

# %%
covered = coverage(tables, config=config)
touches = covered.filter(pl.col("group") == "handoff").row(0, named=True)
# without any sales touch no episode is judged: every count below is unknown (null), not 0
UNJUDGED = None if touches["measurable"] else reason("handoff", covered)
if UNJUDGED is None:
    print(f"sales touches cover {touches['from']} to {touches['to']}")
else:
    print(f"no episode can be judged: {UNJUDGED}")
episodes = within_coverage(
    mql_episodes(tables.lifecycle_events, tables.leads),
    "started_at",
    group="handoff",
    coverage=covered,
    timezone=NOW.reporting.timezone,
)
stopped, touches_until = touch_horizon(tables, as_of=as_of, config=NOW)
if stopped is not None:
    print(f"the sales touches stopped on {stopped}: nothing after it is judged")
# each month's MQLs with the version that judges the month (none: today's, for the columns)
PARTS = by_version(episodes, "started_at", versions=VERSIONS, fallback=config)
for i, (version, months, _) in enumerate(PARTS):
    span = months[0] if len(months) == 1 else f"{months[0]} .. {months[-1]}"
    print(
        f"MQLs of {span}: SLA version {version.sla.version} (in force from "
        f"{version.sla.effective_from}): {line_text(version)}"
    )
    for change in diff_configs(PARTS[i - 1][0], version) if i else []:  # where the line moved
        if change.key.startswith(("handoff.", "funnel.")):
            print(f"  from {months[0]}: {change.text}")
speed = pl.concat(
    [
        speed_to_lead(
            part,
            tables.sales_touches,
            config=version,
            as_of=touches_until or as_of,
            segments=segments_for_lines(tables, config=version),
        ).collect()
        for version, _, part in PARTS or [(NOW, [], episodes)]
    ]
)
speed.sort("started_at", "lead_id").head()

# %% [markdown]
# Over the whole history, each episode judged against its own month's line.

# %%
if UNJUDGED:
    print(f"– {UNJUDGED}")
summary = covered_overall(handoff_summary(speed.lazy()), group="handoff", coverage=covered)
summary

# %% [markdown]
# Compliance week by week (the last 26 weeks), with its 95 % Wilson interval.

# %%
weekly = handoff_by(speed.lazy(), by="week", timezone=NOW.reporting.timezone).collect()
recent = weekly.tail(26)
line = alt.Chart(recent).encode(x=alt.X("week:T", title="week of the MQL"))
(
    line.mark_area(opacity=0.2).encode(y="ci_low:Q", y2="ci_high:Q")
    + line.mark_line(point=True).encode(
        y=alt.Y("compliance:Q", axis=alt.Axis(format="%"), title="speed-to-lead compliance"),
        tooltip=["week:T", "met", "missed", alt.Tooltip("compliance:Q", format=".1%")],
    )
).properties(width=600, height=220)

# %% [markdown]
# How long first touches take (the red lines are the SLA's: every line an episode was
# judged against).

# %%
touched = speed.filter(pl.col("hours_to_first_touch").is_not_null())
(
    alt.Chart(touched)
    .mark_bar()
    .encode(
        x=alt.X(
            "hours_to_first_touch:Q",
            bin=alt.Bin(maxbins=60),
            title="hours to the first touch (the SLA's clock)",
        ),
        y=alt.Y("count():Q", title="episodes"),
    )
    .properties(width=600, height=200)
    + alt.Chart(speed.select(pl.col("line_hours").unique().alias("sla")))
    .mark_rule(color="red")
    .encode(x="sla:Q")
)

# %% [markdown]
# ## Conversion by response time
# MQL episodes bucketed by the hours to their first touch; per bucket, the share that
# reached SQL within the window (`funnel.window_days` of the version in force now). Only
# episodes whose window has closed count. `within_sla` marks the buckets entirely inside
# today's line. Change `EDGES` to cut the buckets elsewhere, `TO_STAGE` to `sal`,
# `opportunity` or `customer`.

# %%
EDGES = (1, 4, 24, 72)
TO_STAGE = "sql"
buckets = conversion_by_response_time(
    speed.lazy(),
    tables.lifecycle_events,
    config=NOW,
    as_of=as_of,
    edges_hours=EDGES,
    to_stage=TO_STAGE,
).collect()
# no outcome known yet: every bucket is empty because no episode's window has closed
IMMATURE = None if UNJUDGED else immature_reason(speed, config=NOW, as_of=as_of)
if UNJUDGED or IMMATURE:
    print(f"– {UNJUDGED or IMMATURE}")
BUCKET = ("bucket", "bucket_order", "lower_hours", "upper_hours", "within_sla")
buckets = covered_overall(buckets, group="handoff", coverage=covered, keep=BUCKET)
buckets

# %%
order = buckets["bucket"].to_list()
side = (
    pl.when(pl.col("within_sla"))
    .then(pl.lit("within the SLA"))
    .when(~pl.col("within_sla"))
    .then(pl.lit("not within the SLA"))
    .otherwise(pl.lit("no touch"))
)
bars = alt.Chart(buckets.filter(pl.col("n") > 0).with_columns(side=side)).encode(
    x=alt.X("bucket:N", sort=order, title="hours to the first touch")
)
(
    bars.mark_bar().encode(
        y=alt.Y("rate:Q", axis=alt.Axis(format="%"), title=f"MQL -> {TO_STAGE}"),
        color=alt.Color("side:N", title=None),
        tooltip=["bucket", "x", "n", alt.Tooltip("rate:Q", format=".1%")],
    )
    + bars.mark_rule(color="black").encode(y="ci_low:Q", y2="ci_high:Q")
).properties(width=450, height=260, title="Conversion by response time (95 % intervals)")

# %% [markdown]
# ## The SLA line, and the research's one-hour line
# `sla_line_effect` compares the episodes touched within the line with those touched
# later (never-touched episodes are in neither group), each side with its 95 % Wilson
# interval. `ratio` is the analogue of the research's "7 times as likely". The lines:
# 1 h and 4 h, every line of the SLA versions the episodes were judged by, and 48 h.

# %%
SLA_LINES = sorted({version.handoff.first_touch_hours for version, _, _ in PARTS} or {24})
HOURS = sorted({1, 4, *SLA_LINES, 48})
lines = pl.concat(
    [
        sla_line_effect(
            speed.lazy(),
            tables.lifecycle_events,
            config=NOW,
            as_of=as_of,
            hours=hours,
            to_stage=TO_STAGE,
        ).collect()
        for hours in HOURS
    ]
)
lines = covered_overall(lines, group="handoff", coverage=covered, keep=("hours",))
SIDES = ("x", "n", "rate", "ci_low", "ci_high")
lines.select("hours", *(f"{c}_within" for c in SIDES), *(f"{c}_later" for c in SIDES), "ratio")

# %%
if UNJUDGED or IMMATURE:
    print(f"no line can be read: – {UNJUDGED or IMMATURE}")
for row in [] if UNJUDGED or IMMATURE else lines.iter_rows(named=True):
    hours = f"{row['hours']:g} h" + (" (an SLA line)" if row["hours"] in SLA_LINES else "")
    side = {
        s: f"{row[f'rate_{s}']:.0%} ({row[f'x_{s}']} / {row[f'n_{s}']}, 95 % "
        f"{row[f'ci_low_{s}']:.0%}-{row[f'ci_high_{s}']:.0%})"
        for s in ("within", "later")
        if row[f"n_{s}"]
    }
    if "within" not in side or "later" not in side:
        empty = "within" if "within" not in side else "later than"
        print(f"{hours}: no mature episode was touched {empty} the line: no ratio")
        continue
    ratio = "no ratio (none later converted)" if row["ratio"] is None else f"{row['ratio']:.2f}x"
    print(
        f"{hours}: touched within, {side['within']} reached {TO_STAGE}; later, "
        f"{side['later']} -> {ratio} (HBR 2011: ~7x at 1 h)"
    )

# %% [markdown]
# ## Is it the speed, or the lead?
# Demo and contact requests are urgent *and* likely to convert; score-threshold MQLs
# are neither. If the gap holds within each trigger, speed is a better suspect; if it
# vanishes, the SLA line is sorting leads rather than changing outcomes.

# %%
by_trigger = sla_line_effect(
    speed.lazy(),
    tables.lifecycle_events,
    config=NOW,
    as_of=as_of,
    hours=NOW.handoff.first_touch_hours,
    to_stage=TO_STAGE,
    by=["trigger"],
).collect()
if by_trigger.is_empty():  # no row: say why, never an empty table alone
    print(f"– {UNJUDGED or IMMATURE or 'no MQL episode to compare'}")
by_trigger.select(
    "trigger", *(f"{c}_within" for c in SIDES), *(f"{c}_later" for c in SIDES), "ratio"
)

# %% [markdown]
# **Reading it.** A ratio well above 1 with intervals that do not overlap (`ci_low_within`
# above `ci_high_later`) supports the SLA's line (and perhaps a tighter one: compare the
# 1 h and 4 h rows). A ratio near 1 says that in this team's data the line protects
# little conversion; the SLA may still be worth keeping for the lead's experience, but
# the monthly review should not promise conversion gains from it. Either way, the
# episodes that were **never touched** (the `no touch` bucket) are the cheapest
# conversions to win back.
