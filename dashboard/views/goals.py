"""1 Shared goals: the reverse funnel from the revenue target, pacing and forecast."""

from __future__ import annotations

import altair as alt
import polars as pl
import streamlit as st

from analytics.goals import RATE_GROUPS, whole_need
from analytics.pack.render import Footnotes
from analytics.review import pacing_group
from dashboard import data, ui
from dashboard.i18n import compact, money, month_name, num, pct, t

v = ui.view()
lg, cfg = v.lang, v.config
cur = cfg.reporting.currency
ui.header(t("goals_title", lg), v)
st.caption(t("goals_company_wide", lg))

STAGE_LABELS = {
    stage: ui.metric_name(stage, lg)
    for stage in ("won_revenue", "deals_won", "opportunities", "sqls", "mqls", "leads", "visitors")
}
default = float(cfg.goals.revenue_target_monthly)
left, right = st.columns([1, 3])
target = left.number_input(
    t("revenue_target_per_month", lg, currency=cur),
    min_value=0.0,
    value=default,
    step=50_000.0,
    format="%.0f",
    key="revenue_target",
)
right.markdown("&nbsp;")
right.caption(
    t("target_from_config", lg, value=money(default, lg, currency=cur))
    + " "
    + t("reverse_funnel_note", lg, months=cfg.goals.rate_window_months)
)
funnel, paced = data.goal_plan(v.month, target)
review = data.review(v.month)  # company-wide: what the month's data can answer

# -- what it takes ------------------------------------------------------------------------
st.subheader(t("what_it_takes", lg))
# every stage below the revenue goal is divided by the average won deal size: without
# amounts (or opportunities) nothing of the reverse funnel can be known; a month whose
# revenue is unknown for a deal won without an amount still has the trailing months'
lacking = next((g for g in ("funnel", "deals", "revenue") if not review.spans(g)), None)
if lacking is not None:
    ui.no_data(review.reason(lacking, lang=lg))
elif funnel.filter(pl.col("stage") != "won_revenue")["target"].is_null().all():
    # no rate in the trailing window (the data starts later): no stage has a target
    ui.no_data(t("no_reverse_rates", lg, months=cfg.goals.rate_window_months))
else:
    # one element for the stages' tiles; in two even lines where one does not fit
    stage_tiles = []
    for r in funnel.iter_rows(named=True):
        stage = r["stage"]
        label = STAGE_LABELS[stage] + (f" ({cur})" if stage == "won_revenue" else "")
        needs = RATE_GROUPS.get(r["rate_name"] or "", ("funnel",))
        lacking = [g for g in needs if not review.measurable(g)]
        if r["target"] is None and r["rate_name"]:  # a rate on the way is unknown: why
            why = review.need_reason(stage, lang=lg)
            if why is None and lacking:
                why = review.reason(lacking[0], lang=lg)
            stage_tiles.append(ui.Tile(label, "–", note=why))
            continue
        note = None
        if r["rate_name"]:
            rate = (
                money(r["rate"], lg, currency=cur)
                if r["rate_name"] == "avg_deal_size"
                else pct(r["rate"], lg)
            )
            note = f"÷ {ui.metric_name(r['rate_name'], lg)}: {rate}"
        needed = whole_need(stage, r["target"])  # 30 deals, the exact 29.2 on hover
        stage_tiles.append(
            ui.Tile(label, compact(needed, lg), help=num(r["target"], lg, digits=1), note=note)
        )
    ui.tiles(stage_tiles, kind="sla-even")

# -- pacing -----------------------------------------------------------------------------------
st.subheader(t("pacing", lg))
order = {stage: i for i, stage in enumerate(STAGE_LABELS)}
rows = paced.sort(pl.col("stage").replace_strict(order, default=99)).with_columns(
    pl.col("stage").replace_strict(STAGE_LABELS, default=pl.col("stage")).alias("label"),
    (pl.col("actual") / pl.col("target")).alias("attainment"),
)
# a stage the month's data cannot answer is "–" in the table and has no bar; why is said
# once below the table, its mark on the stage ("Visitors¹"), as the pack says it; without
# amounts no stage has a goal (each is the revenue goal / the average deal size)
no_goal = None if review.spans("revenue") else review.reason("revenue", lang=lg)
for period, title in (("month", month_name(v.month, lg)), ("quarter", t("quarter", lg))):
    # the quarter's actuals sum its months so far: a group each of them can answer
    reasons = {
        stage: review.period_reason(pacing_group(stage), period, lang=lg)
        if not review.measurable_over(pacing_group(stage), period)
        else no_goal or review.need_reason(stage, lang=lg)
        for stage in STAGE_LABELS
    }
    reasons = {k: v for k, v in reasons.items() if v}
    part = rows.filter(pl.col("period") == period)
    if part.height == 0:
        continue
    if part["actual"].is_null().all():
        st.markdown(f"**{title}**")
        ui.missing(review, "funnel", lg, period=period)
        continue
    share = part["elapsed_share"].max()
    elapsed = t(f"{period}_elapsed", lg, share=pct(share, lg, digits=0))
    st.markdown(f"**{title}** · {elapsed}")
    known = part.filter(pl.col("attainment").is_not_null())
    if known.is_empty():  # no stage has a goal to pace against
        ui.no_data(no_goal or review.reason("funnel", lang=lg))
    else:
        base = alt.Chart(known).encode(
            y=alt.Y("label:N", sort=list(STAGE_LABELS.values()), title=None)
        )
        bars = base.mark_bar(color="#2563eb").encode(
            x=alt.X(
                "attainment:Q",
                title=t("c_pacing_x", lg),
                axis=alt.Axis(format="%"),
            ),
            tooltip=[
                alt.Tooltip("label:N", title=t("stage", lg)),
                alt.Tooltip("actual:Q", title=t("to_date", lg), format=",.0f"),
                alt.Tooltip("expected_to_date:Q", title=t("expected_to_date", lg), format=",.0f"),
                alt.Tooltip("target:Q", title=t("target", lg), format=",.0f"),
                alt.Tooltip("forecast:Q", title=t("forecast", lg), format=",.0f"),
                alt.Tooltip("pace:Q", title=t("c_pace", lg), format=".0%"),
            ],
        )
        expected = (
            alt.Chart(pl.DataFrame({"x": [share]}))
            .mark_rule(color="#d97706", strokeWidth=3, strokeDash=[6, 3])
            .encode(
                x="x:Q", tooltip=[alt.Tooltip("x:Q", title=t("expected_to_date", lg), format=".0%")]
            )
        )
        goal = (
            alt.Chart(pl.DataFrame({"x": [1.0]}))
            .mark_rule(color="#1a7f37", strokeWidth=2)
            .encode(x="x:Q")
        )
        ui.chart(
            (bars + expected + goal).properties(
                title=t("c_pacing_title", lg, title=title),
                height=ui.BAR_STEP,
            )
        )
    # pace (actual / expected by now) equals forecast / target for a linear forecast:
    # one column, not two with the same numbers
    whole = ("actual", "expected_to_date", "goal_target", "forecast")
    notes = Footnotes()  # numbered in the table's order
    marks = {stage: notes.mark(reasons[stage]) for stage in part["stage"] if stage in reasons}
    shown = (
        part.with_columns(  # the needs in whole units, as the tiles
            pl.Series(c, [whole_need(s, x) for s, x in part.select("stage", c).iter_rows()]).cast(
                pl.Float64
            )
            for c in ("target", "expected_to_date")
        )
        .rename({"target": "goal_target"})
        .select(
            (
                pl.col("label")
                + pl.col("stage").replace_strict(marks, default="", return_dtype=pl.String)
            ).alias("stage_name"),
            *(pl.col(c).round(0).cast(pl.Int64) for c in whole),
            # the revenue goal itself, and what the stages above need for it
            "forecast_attainment",
        )
    )
    ui.static_table(shown)
    ui.footnotes(notes.flush())
