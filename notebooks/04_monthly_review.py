# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: tags,-all
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
# # 4. Preparing the monthly review
#
# The SLA is reviewed every month by both teams. This notebook walks the path from the
# data to the pack that is sent before the meeting:
#
# 1. `analytics.review.build_review`: every number of the month (the same function as
#    the app's pages and `sla review --json`), judged by the SLA version in force on the
#    month's first day (`config_for_month`: the version recorded in the warehouse, the
#    config file where none is), as the app and `sla review` judge it.
# 2. Digging into what the numbers raise: breaches by rep, a segment's review.
# 3. `analytics.pack.build_pack`: scorecards, KPIs against last month, changes that pass
#    a significance test, proposed actions, SLA changes; then `render_pack` to HTML,
#    Markdown or PDF.

# %%
import altair as alt
import polars as pl
from IPython.display import Markdown, display

from analytics.config import load_config
from analytics.notebook import (
    answered_months,
    config_path,
    last_complete_month,
    show_tables,
    volume_reason,
    warehouse_path,
)
from analytics.pack import build_pack, render_pack
from analytics.pack.formatting import format_share
from analytics.pack.render import pacing_rows
from analytics.review import build_review
from analytics.texts import metric_label, render
from analytics.timeframe import shift_month
from analytics.warehouse import connect_readonly, load_tables
from analytics.warehouse.config_history import config_for_month, stored_configs
from analytics.warehouse.facts import last_import_notes

# %% tags=["parameters"]
MONTH = None  # "YYYY-MM"; None: the last complete month of the data
MAKE_PDF = False  # True needs Debian's chromium (`make chromium`)

# %%
show_tables()  # every row and every reason a table holds (polars hides the middle rows)
config = load_config(config_path())
db = warehouse_path()
con = connect_readonly(db)
tables = load_tables(con).collect()
as_of = tables.latest_timestamp()
month = MONTH or last_complete_month(as_of, timezone=config.reporting.timezone)
judged_by = config_for_month(con, config, month=month)  # the SLA version in force then
print(
    f"reviewing {month}, judged as of {as_of:%Y-%m-%d %H:%M} UTC "
    f"by SLA version {judged_by.sla.version} (in force from {judged_by.sla.effective_from})"
)

# %% [markdown]
# ## 1. The month's review
# Scalars are plain dicts (None where a number cannot be computed); details are polars
# frames. `to_json_dict()` is the document of `sla review --json`. Where a value is
# unknown the tables say why (`review.metric_reason` and the reasons the app gives), as
# the pack does; the previous month's reasons come from its own review.

# %%
review = build_review(tables, judged_by, month=month, as_of=as_of)
prev = shift_month(month, -1)
previous = build_review(tables, config_for_month(con, config, month=prev), month=prev, as_of=as_of)
if MONTH is None and not review.measurable("funnel"):  # e.g. deals only: suggest a month
    answered = answered_months(
        review.coverage_frame, as_of=as_of, months=1, timezone=judged_by.month_zones
    )
    if answered and answered[-1] != month:
        print(
            f"{month} has no funnel data: {review.reason('funnel')}\n"
            f"The last month the leads and lifecycle events reach is {answered[-1]}: set "
            f'MONTH = "{answered[-1]}" above to review it.'
        )


def before_why(key: str) -> str | None:
    """Why last month's value of ``key`` is unknown (a running month is not compared)."""
    if review.running:
        return render("coverage.not_compared")
    return volume_reason(previous, key)


counts = [k for k in review.volumes if k != "won_revenue"]  # whole numbers; revenue below
volumes = pl.DataFrame(
    [
        {
            "metric": k,
            "this month": review.volumes.get(k),
            "why unknown": None if review.volumes.get(k) is not None else volume_reason(review, k),
            "last month": review.previous_volumes.get(k),
            "why unknown last month": None
            if review.previous_volumes.get(k) is not None
            else before_why(k),
        }
        for k in counts
    ],
    schema={"metric": pl.String, "this month": pl.Int64, "why unknown": pl.String,
            "last month": pl.Int64, "why unknown last month": pl.String},
)  # fmt: skip
volumes

# %%
currency = judged_by.reporting.currency
for label, value, why in (
    ("this month", review.volumes.get("won_revenue"), volume_reason(review, "won_revenue")),
    ("last month", review.previous_volumes.get("won_revenue"), before_why("won_revenue")),
):
    print(f"won revenue {label}: " + (f"– {why}" if value is None else f"{value:,.0f} {currency}"))

# %% [markdown]
# Conversion of the month (period rates, with counts and 95 % Wilson intervals), then the
# handoff, cadence, acceptance, recycling and re-MQL summaries, each followed by why a
# value is unknown (the reason the app's tiles give: `review.value_reason`).

# %%
review.conversion.with_columns(
    pl.Series(
        "why unknown",
        [  # unknown: why; a share above 100 %: why it has no interval (else nothing)
            review.value_reason(r["metric"])
            if r["rate"] is None
            else review.share_reason(r["metric"])
            for r in review.conversion.iter_rows(named=True)
        ],
        dtype=pl.String,
    )
)

# %%
SECTION_KPIS = {
    "handoff": ("handoff_compliance", "median_hours_to_first_touch"),
    "cadence": ("cadence_compliance", "attempts_per_mql"),
    "acceptance": ("mql_rejection_rate",),
    "recycling": ("premature_recycles", "stale_leads", "recycled_enrolled_in_time"),
    "remql": ("remql_rate",),
}
for section, metrics in SECTION_KPIS.items():
    print(section)
    display(pl.DataFrame([getattr(review, section)]))
    unknown = [m for m in metrics if review.kpi_values.get(m) is None]
    reasons = dict.fromkeys(review.value_reason(m) for m in unknown)
    for why in reasons:
        named = [metric_label(m) for m in unknown if review.value_reason(m) == why]
        print(f"  {', '.join(named)}: – {why}")

# %% [markdown]
# The KPI table: each KPI of `[kpis]` in that version, its target, this month, last month
# and a status (met / at risk / missed).

# %%
review.kpis

# %% [markdown]
# ## 2. What the numbers raise
# Speed-to-lead and cadence per rep: who needs help, and is a miss concentrated?

# %%
by_rep = review.handoff_by_rep.join(
    review.cadence_by_rep.select(
        "rep_id", pl.col("compliance").alias("cadence_compliance"), "attempts_per_mql"
    ),
    on="rep_id",
    how="left",
).sort("compliance", "rep_id", nulls_last=True)
if by_rep.is_empty():  # no row: unknown (the month's data cannot tell), or no MQL
    print(f"– {review.breach_reason('handoff') or 'No MQL episode this month.'}")
by_rep

# %% [markdown]
# The breach lists (one row per lead that broke a promise) are what the meeting acts on.
# `breach_counts()` says how many of each kind; null (not 0) where the month's data cannot
# tell, with why (an empty list of a kind without its data means unknown, not none).

# %%
pl.DataFrame(
    [
        {"breach": kind, "rows": n, "why unknown": review.breach_reason(kind)}
        for kind, n in review.breach_counts().items()
    ],
    schema={"breach": pl.String, "rows": pl.Int64, "why unknown": pl.String},
)

# %%
if review.breaches["handoff"].is_empty():  # none, or unknown: say which
    print(f"– {review.breach_reason('handoff') or render('pack.no_breach')}")
review.breaches["handoff"].head(10)

# %% [markdown]
# The same review for one segment, e.g. the leads from events (keys:
# `analytics.funnel.SEGMENTS`; a list means any of those values).

# %%
SEGMENT = {"source": "event"}
segment_review = build_review(tables, judged_by, month=month, as_of=as_of, segment=SEGMENT)
seg = {r["metric"]: r for r in segment_review.conversion.iter_rows(named=True)}
pl.DataFrame(
    [
        {
            "metric": r["metric"],
            "all leads": r["rate"],
            "all leads x / n": None if r["n"] is None else f"{r['x']} / {r['n']}",
            str(SEGMENT): seg[r["metric"]]["rate"],
            f"{SEGMENT} x / n": None
            if seg[r["metric"]]["n"] is None
            else f"{seg[r['metric']]['x']} / {seg[r['metric']]['n']}",
            f"why unknown ({SEGMENT})": segment_review.value_reason(r["metric"])
            if seg[r["metric"]]["rate"] is None
            else None,
        }
        for r in review.conversion.iter_rows(named=True)
    ]
)

# %% [markdown]
# ## 3. The pack
# `build_pack` judges each month with the SLA version in force then (recorded versions in
# the warehouse) and compares with last month by test, not by eye.
# What was quarantined of the data's files, or said of what its numbers include (deals of
# several pipelines all counted as new business), stands at the pack's top, as on the app's
# pages.

# %%
# what was quarantined or said of what the numbers include, at the pack's top
notes = last_import_notes(con)
pack = build_pack(
    tables, config, month=month, as_of=as_of, versions=stored_configs(con), import_notes=notes
)
scorecards = pl.DataFrame(
    [
        {"team": team, "promise": r.promise, "target": r.target_text(currency=pack.currency),
         "actual": r.actual_text(currency=pack.currency), "counts": r.counts, "status": r.status}
        for team, rows in pack.scorecards.items()
        for r in rows
    ]
)  # fmt: skip
scorecards

# %% [markdown]
# Where the month stands against the goal (reverse funnel from `goals.revenue_target`),
# as the pack shows it (`pacing_rows`: whole deals, MQLs ... and euros; why a stage is
# unknown).

# %%
paced = pacing_rows(pack)
(
    pl.DataFrame(paced, infer_schema_length=None).select(
        "period",
        "stage",
        *(
            pl.col(c).cast(pl.Float64).round(0).cast(pl.Int64)
            for c in ("actual", "target", "expected_to_date", "forecast")
        ),
        pl.col("pace").cast(pl.Float64),
        pl.col("forecast_attainment").cast(pl.Float64),
        pl.col("reason").cast(pl.String).alias("why unknown"),
    )
    if paced
    else review.pacing  # no goal to pace against
)

# %%
if pack.significant.is_empty():  # the pack's sentence
    print(render("pack.no_significant", alpha=format_share(pack.alpha)))
pack.significant

# %%
if not pack.actions:
    print(render("pack.no_action"))
pl.DataFrame([a.to_json_dict() for a in pack.actions])

# %% [markdown]
# The month's funnel. A stage the month's data cannot count has no bar (never a 0 bar)
# and is named below with why, as the app's funnel and the pack's chart leave it out.

# %%
STAGES = ("leads", "mqls", "sqls", "opportunities", "deals_won")
drawn = [k for k in STAGES if review.volumes.get(k) is not None]
funnel_chart = (
    alt.Chart(
        pl.DataFrame(
            {"stage": drawn, "count": [review.volumes[k] for k in drawn]},
            schema={"stage": pl.String, "count": pl.Int64},
        )
    )
    .mark_bar()
    .encode(y=alt.Y("stage:N", sort=list(STAGES)), x="count:Q", tooltip=["stage", "count"])
    .properties(width=400, height=30 * max(len(drawn), 1), title=f"Funnel {month}")
)
missing = [k for k in STAGES if k not in drawn]
for why in dict.fromkeys(volume_reason(review, k) for k in missing):
    stages = [k for k in missing if volume_reason(review, k) == why]
    print(f"{', '.join(stages)}: – {why}")
funnel_chart if drawn else None  # no stage to draw: the reasons above say why
# %% [markdown]
# ### Render and save
# HTML is self-contained (inline charts, no network) and prints well; Markdown pastes
# into a wiki or an e-mail. The files go next to the warehouse, in `packs/`.

# %%
out = db.parent / "packs"
out.mkdir(parents=True, exist_ok=True)
html_path = out / f"review-pack-{month}.html"
html_path.write_text(render_pack(pack, fmt="html"), encoding="utf-8")
markdown = render_pack(pack, fmt="md")
(out / f"review-pack-{month}.md").write_text(markdown, encoding="utf-8")
if MAKE_PDF:
    (out / f"review-pack-{month}.pdf").write_bytes(render_pack(pack, fmt="pdf"))
print(f"written: {sorted(p.name for p in out.glob(f'review-pack-{month}.*'))} in {out}")

# %%
display(Markdown(markdown))
