"""6 Lead management: attempts, cadence by rep, channels, gaps, stall reasons, stale leads."""

from __future__ import annotations

import altair as alt
import polars as pl
import streamlit as st

from dashboard import data, ui
from dashboard.i18n import num, t

v = ui.view()
lg, cfg = v.lang, v.config
review = data.review(v.month, v.segment)
ui.header(t("management_title", lg), v)
cad, cc = review.cadence, cfg.cadence

# -- headline -------------------------------------------------------------------------------------
c1, c2, c3, c4 = st.columns(4)
ui.rate_metric(
    t("cadence_held", lg), cad.get("compliance"), cad.get("x"), cad.get("n"), cad.get("ci_low"),
    cad.get("ci_high"), lg, container=c1, delta=ui.change_of(review, "cadence_compliance"),
    help=f"Reached, or at least {cc.min_attempts} attempts within {cc.window_days:g} days "
    f"(attempts closer than {cc.min_gap_hours:g} h count as one); judged episodes only.",
)  # fmt: skip
ui.big_number(
    t("attempts_per_mql", lg), num(cad.get("attempts_per_mql"), lg, digits=1), container=c2,
    delta=ui.fmt_change("attempts_per_mql", ui.change_of(review, "attempts_per_mql"), lg),
)  # fmt: skip
c2.caption(f"{num(cad.get('episodes'), lg)} MQL episodes")
ui.big_number(t("never_contacted", lg), num(cad.get("never_contacted"), lg), container=c3)
ui.big_number(t("stale", lg), num(review.recycling.get("stale"), lg), container=c4)

# -- attempts per lead ---------------------------------------------------------------------------
left, right = st.columns(2)
episodes = review.cadence_episodes
with left:
    dist = (
        episodes.group_by("attempts", "is_reached")
        .agg(pl.len().alias("episodes"))
        .with_columns(
            pl.col("is_reached").replace_strict({True: "reached", False: "not reached"}),
            (pl.col("attempts") - 0.4).alias("from"),
            (pl.col("attempts") + 0.4).alias("to"),
        )
        .sort("attempts")
    )
    rule = (
        alt.Chart(pl.DataFrame({"a": [cc.min_attempts]}))
        .mark_rule(color="#111827", strokeDash=[6, 3], strokeWidth=2)
        .encode(x="a:Q", tooltip=[alt.Tooltip("a:Q", title="SLA minimum attempts")])
    )
    ui.chart(
        (
            alt.Chart(dist)
            .mark_bar()
            .encode(
                x=alt.X("from:Q", title="Sales attempts in the episode (count)"),
                x2="to:Q",
                y=alt.Y("episodes:Q", title="MQL episodes (count)", stack=True),
                color=alt.Color(
                    "is_reached:N",
                    title=None,
                    scale=alt.Scale(
                        domain=["reached", "not reached"], range=["#1a7f37", "#9ca3af"]
                    ),
                ),
                tooltip=["attempts", "is_reached", alt.Tooltip("episodes:Q", format=",")],
            )
            + rule
        ).properties(title="Attempts per MQL episode (dashed: SLA minimum)", height=280)
    )
with right:
    mix = review.channel_mix.with_columns(
        (pl.col("share") * 100).alias("share_pct"),
        (pl.col("reached") / pl.col("touches")).alias("reach_rate"),
    )
    ui.chart(
        alt.Chart(mix)
        .mark_bar(color="#2563eb")
        .encode(
            y=alt.Y("channel:N", sort="-x", title=None),
            x=alt.X("touches:Q", title="Sales touches this month (count)"),
            tooltip=[
                "channel",
                alt.Tooltip("touches:Q", format=","),
                alt.Tooltip("share_pct:Q", title="share (%)", format=".1f"),
                alt.Tooltip("reached:Q", title="touches that reached the lead", format=","),
            ],
        )
        .properties(title="Channel mix of the sales touches", height=280)
    )

# -- cadence by rep ----------------------------------------------------------------------------
st.subheader(t("cadence_by_rep", lg))
target = next((k.target for _, k in cfg.all_kpis if k.metric == "cadence_compliance"), None)
by_rep = ui.with_status(review.cadence_by_rep, "cadence_compliance").rename({"compliance": "rate"})
gaps = review.gaps_by_rep
left, right = st.columns(2)
with left:
    if by_rep.height:
        ui.chart(
            ui.rate_bars(
                by_rep.with_columns(pl.coalesce("rep_name", "rep_id").alias("rep")),
                category="rep",
                title="Cadence held, by rep (bars: share held; whiskers: 95 % CI)",
                x_title="Judged episodes where the cadence held (%)",
                target=target,
            )
        )
with right:
    if gaps.height:
        g = ui.named(gaps, "rep_id").with_columns(pl.coalesce("rep_id_name", "rep_id").alias("rep"))
        g_long = g.unpivot(index=["rep", "gaps"], on=["median_gap_hours", "p90_gap_hours"])
        ui.chart(
            alt.Chart(g_long)
            .mark_bar()
            .encode(
                y=alt.Y("rep:N", title=None),
                yOffset="variable:N",
                x=alt.X("value:Q", title="Hours between consecutive attempts"),
                color=alt.Color(
                    "variable:N",
                    title=None,
                    scale=alt.Scale(
                        domain=["median_gap_hours", "p90_gap_hours"], range=["#2563eb", "#93c5fd"]
                    ),
                ),
                tooltip=["rep", "variable", alt.Tooltip("value:Q", format=".1f"), "gaps"],
            )
            .properties(
                title=f"Gaps between attempts by rep (SLA: at least {cc.min_gap_hours:g} h apart)",
                height=alt.Step(24),
            )
        )
ui.table(
    by_rep.select(
        "rep_name", "team", "episodes", "judged", "held", "rate", "attempts_per_mql",
        "never_contacted",
    ),
    column_config={"rate": st.column_config.NumberColumn("cadence held", format="percent")},
)  # fmt: skip

# -- stall reasons ----------------------------------------------------------------------------
st.subheader(t("stall_reasons", lg))
stalls = (
    review.stall_reasons.with_columns(pl.col("reason").fill_null("(undocumented)"))
    .sort("episodes", descending=True)
    .head(15)
)
if stalls.height:
    ui.chart(
        alt.Chart(stalls)
        .mark_bar()
        .encode(
            y=alt.Y(
                "reason:N", sort=stalls["reason"].unique(maintain_order=True).to_list(), title=None
            ),
            x=alt.X("episodes:Q", title="Stalled episodes citing the reason (count)"),
            color=alt.Color("source:N", title="documented in"),
            tooltip=["source", "reason", alt.Tooltip("episodes:Q", format=",")],
        )
        .properties(
            title="Why episodes stalled (ending reason or touch note)",
            height=ui.BAR_STEP,
        )
    )

# -- lead lists ---------------------------------------------------------------------------------
st.subheader(t("lead_lists", lg))
lists = {
    t("stale", lg): ("stale_leads", "stale-leads"),
    t("never_contacted", lg): ("never_contacted", "never-contacted"),
    t("cadence_short", lg): ("cadence", "cadence-breaches"),
}
tabs = st.tabs(
    [f"{label} ({num(review.breaches[k].height, lg)})" for label, (k, _) in lists.items()]
)
for tab, (key, name) in zip(tabs, lists.values(), strict=True):
    with tab:
        frame = ui.named(review.breaches[key])
        ui.table(frame, height=min(400, 38 + 35 * max(frame.height, 1)))
        ui.download(frame, f"{name}-{v.month}", lg, key=f"dl-{name}")
