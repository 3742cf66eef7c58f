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
from analytics.notebook import config_path, last_complete_month, warehouse_path
from analytics.pack import build_pack, render_pack
from analytics.review import build_review
from analytics.warehouse import connect_readonly, load_tables
from analytics.warehouse.config_history import config_for_month, stored_configs

# %% tags=["parameters"]
MONTH = None  # "YYYY-MM"; None: the last complete month of the data
MAKE_PDF = False  # True needs Debian's chromium (`make chromium`)

# %%
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
# frames. `to_json_dict()` is the document of `sla review --json`.

# %%
review = build_review(tables, judged_by, month=month, as_of=as_of)
pl.DataFrame(
    [
        {
            "metric": k,
            "this month": review.volumes.get(k),
            "last month": review.previous_volumes.get(k),
        }
        for k in review.volumes
    ]
)

# %% [markdown]
# Conversion of the month (period rates, with counts and 95 % Wilson intervals), then the
# handoff, cadence, acceptance, recycling and re-MQL summaries.

# %%
review.conversion

# %%
for section in ("handoff", "cadence", "acceptance", "recycling", "remql"):
    print(section)
    display(pl.DataFrame([getattr(review, section)]))

# %% [markdown]
# The KPI table: each KPI of `[kpis]` in that version, its target, this month, last month
# and a status (met / at risk / missed).

# %%
review.kpis

# %% [markdown]
# ## 2. What the numbers raise
# Speed-to-lead and cadence per rep: who needs help, and is a miss concentrated?

# %%
review.handoff_by_rep.join(
    review.cadence_by_rep.select(
        "rep_id", pl.col("compliance").alias("cadence_compliance"), "attempts_per_mql"
    ),
    on="rep_id",
    how="left",
).sort("compliance", "rep_id", nulls_last=True)

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
review.breaches["handoff"].head(10)

# %% [markdown]
# The same review for one segment, e.g. the leads from events (keys:
# `analytics.funnel.SEGMENTS`; a list means any of those values).

# %%
SEGMENT = {"source": "event"}
segment_review = build_review(tables, judged_by, month=month, as_of=as_of, segment=SEGMENT)
pl.DataFrame(
    [
        {"": "all leads", **review.to_json_dict()["conversion"]},
        {"": str(SEGMENT), **segment_review.to_json_dict()["conversion"]},
    ]
)

# %% [markdown]
# Where the month stands against the goal (reverse funnel from `goals.revenue_target`).

# %%
review.pacing

# %% [markdown]
# ## 3. The pack
# `build_pack` judges each month with the SLA version in force then (recorded versions in
# the warehouse) and compares with last month by test, not by eye.

# %%
pack = build_pack(tables, config, month=month, as_of=as_of, versions=stored_configs(con))
scorecards = pl.DataFrame(
    [
        {"team": team, "promise": r.promise, "target": r.target_text(currency=pack.currency),
         "actual": r.actual_text(currency=pack.currency), "counts": r.counts, "status": r.status}
        for team, rows in pack.scorecards.items()
        for r in rows
    ]
)  # fmt: skip
scorecards

# %%
pack.significant

# %%
pl.DataFrame([a.to_json_dict() for a in pack.actions])

# %%
funnel_chart = (
    alt.Chart(
        pl.DataFrame(
            {
                "stage": ["leads", "mqls", "sqls", "opportunities", "deals_won"],
                "count": [
                    review.volumes.get(k) or 0
                    for k in ("leads", "mqls", "sqls", "opportunities", "deals_won")
                ],
            }
        )
    )
    .mark_bar()
    .encode(y=alt.Y("stage:N", sort=None), x="count:Q", tooltip=["stage", "count"])
    .properties(width=400, height=150, title=f"Funnel {month}")
)
funnel_chart

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
