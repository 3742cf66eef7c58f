"""Overview: the month at a glance for both teams."""

from __future__ import annotations

import altair as alt
import polars as pl
import streamlit as st

from analytics.goals import whole_need
from analytics.review import pacing_group, rep_overview, uncounted_open_breaches
from analytics.texts import render, term
from dashboard import data, ui
from dashboard.i18n import money, month_name, num, pct, rate_text, t

v = ui.view()
lg = v.lang
review = data.review(v.month, v.segment)
cur = v.config.reporting.currency
ui.header(t("overview_title", lg, month=ui.month_label(v.month, lg)), v)
ui.last_import_notes(lg)

# -- the first screen: what needs attention, and every rep at a glance ---------------------
kpis = review.kpis
month_pacing = review.pacing.filter(pl.col("period") == "month")
# the reps' table below "Needs attention", not beside it: its six columns are wider than
# half the page at 1280 and 1440 px ("At risk" had to be scrolled to)
st.subheader(t("attention", lg))
items = ui.attention_with_pacing(kpis, month_pacing, v.config, limit=5)
if not items:
    ui.all_clear(kpis, lg, segmented=bool(v.segment))
else:
    with st.container(border=True):
        st.markdown("  \n".join(ui.attention_line(item, review, lg) for item in items))
counts = [  # the kinds the data can answer (the review page names the others "–")
    f"{term('breach.title', name, lang=lg)}: **{num(n, lg)}**"
    for name, n in review.breach_counts().items()
    if n is not None
]
if review.measurable("handoff"):  # pending first touches: at risk, not breaches
    counts.append(f"{t('at_risk_first_touch', lg)}: **{num(review.at_risk_count(), lg)}**")
if counts:  # no empty line when no breach list can be measured
    st.caption(" · ".join(counts))
ui.touches_note(review, lg)
ui.lifecycle_note(review, lg)
st.subheader(t("reps_now", lg))
if not ui.missing(review, "handoff", lg):
    # leads without an owner in a row of their own, "unassigned", last
    # the month's MQLs still untouched before their deadline: not the At risk now page's
    # alerts (every open episode, now), so not the same word
    reps = ui.unassigned(rep_overview(review), lg).drop("rep_id")
    ui.static_table(reps.rename({"at_risk": "first_touch_due"}))
    # a kind the data cannot count is left out of "Open breaches" (its column "–"): say which
    by_reason: dict[str, list[str]] = {}
    for kind in uncounted_open_breaches(review):
        why = review.breach_reason(kind, lang=lg) or ""
        by_reason.setdefault(why, []).append(term("breach.title", kind, lang=lg))
    for why, kinds in by_reason.items():
        st.caption(t("open_breaches_uncounted", lg, kinds=", ".join(kinds), reason=why))

# -- goal pacing -------------------------------------------------------------------------
share = month_pacing["elapsed_share"].max() if month_pacing.height else None
st.subheader(t("goal_pacing", lg))
st.caption(t("month_elapsed", lg, share=pct(share, lg, digits=0)))
pace = {r["stage"]: r for r in month_pacing.iter_rows(named=True)}
labels = {"won_revenue": t("revenue_won", lg), "sqls": "SQLs", "mqls": "MQLs", "leads": "Leads"}
pacing_tiles = []
for stage, label in labels.items():
    r = pace.get(stage)
    if r is None:
        continue
    group = pacing_group(stage)
    if not review.measurable(group):
        pacing_tiles.append(ui.Tile(label, "–", note=review.reason(group, lang=lg)))
        continue
    fmt = (
        (lambda x: money(x, lg, currency=cur)) if stage == "won_revenue" else (lambda x: num(x, lg))
    )
    if r["target"] is None and review.segment:  # goals are set for the whole funnel
        note = render("coverage.segment", lang=lg)
    elif r["target"] is None:  # no goal (no amounts: the revenue tile says why): no "–" line
        note = f"{t('forecast', lg)} {fmt(r['forecast'])}"
    else:
        goal = t("revenue_goal", lg) if stage == "won_revenue" else t("needed_for_goal", lg)
        note = (
            f"{goal} {fmt(whole_need(stage, r['target']))} · {t('expected_to_date', lg)} "
            f"{fmt(whole_need(stage, r['expected_to_date']))} · {t('forecast', lg)} "
            f"{fmt(r['forecast'])}"
        )
    on_pace = None if r["pace"] is None else r["pace"] >= 1
    pacing_tiles.append(
        ui.Tile(
            label,
            fmt(r["actual"]),
            delta=None if on_pace is None else t("of_pace", lg, share=pct(r["pace"], lg, digits=0)),
            tone="off" if on_pace is None else ("good" if on_pace else "bad"),
            note=note,
        )
    )
ui.tiles(pacing_tiles, kind="sla-even")

# -- scorecard ----------------------------------------------------------------------------
st.subheader(t("scorecard", lg))
for team in ("marketing", "sales"):
    rows = kpis.filter(pl.col("team") == team).to_dicts()
    if not rows:
        continue
    counts = {s: sum(r["status"] == s for r in rows) for s in ("met", "at_risk", "missed")}
    st.markdown(
        f"**{t(team, lg)}** · "
        + " ".join(f"{ui.badge(s, lg)} {counts[s]}" for s in ("met", "at_risk", "missed"))
    )
    ui.kpi_tiles(rows, review, lg)
ui.comparison_note(review, lg)  # the change against the previous month as judged then

left, right = st.columns([3, 2])
# -- funnel -------------------------------------------------------------------------------
with left:
    st.subheader(t("funnel", lg))
    # the last step: deals won; an export without opportunities may still record customers
    last = "deals_won" if review.volumes.get("deals_won") is not None else "customers"
    stages = [
        (key, ui.metric_name(key, lg))
        for key in ("leads", "mqls", "sals", "sqls", "opportunities", last)
        if review.volumes.get(key) is not None
    ]
    if not stages:
        ui.missing(review, "funnel", lg)
    else:
        funnel = pl.DataFrame(
            {
                "order": list(range(len(stages))),
                "stage": [label for _, label in stages],
                "count": [review.volumes.get(k) for k, _ in stages],
                "previous": [review.previous_volumes.get(k) for k, _ in stages],
            }
        )
        base = alt.Chart(funnel).encode(
            y=alt.Y("stage:N", sort=alt.SortField("order"), title=None),
            x=alt.X(
                "count:Q",
                title=t("c_funnel_x", lg, month=month_name(v.month, lg)),
                axis=ui.COUNT_AXIS,
            ),
            tooltip=[
                alt.Tooltip("stage:N", title=t("stage", lg)),
                alt.Tooltip("count:Q", title=t("this_month", lg), format=","),
                alt.Tooltip("previous:Q", title=t("previous", lg), format=","),
            ],
        )
        ui.chart(
            (
                base.mark_bar(color="#2563eb")
                + base.mark_text(align="left", dx=4, fontSize=14).encode(
                    text=alt.Text("count:Q", format=",")
                )
            ).properties(title=t("c_funnel_title", lg), height=ui.BAR_STEP)
        )
with right:
    st.subheader(t("conversion", lg))
    unknown: list[str] = []
    for r in review.conversion.iter_rows(named=True):
        if r["n"] is None:  # the data cannot answer this rate: listed below, with why
            unknown.append(r["metric"])
            continue
        rate = rate_text(r["rate"], r["x"], r["n"], r["ci_low"], r["ci_high"], lg)
        st.markdown(f"**{ui.metric_name(r['metric'], lg)}**: {rate}")
        if why := review.share_reason(r["metric"], lang=lg):  # 300 %: why no interval
            st.caption(why)
    if unknown:
        st.markdown(f"**{', '.join(ui.metric_name(m, lg) for m in unknown)}**: –")
        ui.no_data(" ".join(dict.fromkeys(review.value_reason(m, lang=lg) for m in unknown)))
