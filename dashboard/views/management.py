"""6 Lead management: attempts, cadence by rep, channels, gaps, stall reasons, stale leads."""

from __future__ import annotations

import altair as alt
import polars as pl
import streamlit as st

from analytics.texts import plain
from dashboard import data, ui
from dashboard.i18n import num, t

v = ui.view()
lg, cfg = v.lang, v.config
review = data.review(v.month, v.segment)
ui.header(t("management_title", lg), v)
cad, cc = review.cadence, cfg.cadence
# the tile counts the list (breaches): the untouched MQLs whose first touch is still due
# are at risk, not never contacted yet; said under it, so that none is hidden
due = review.at_risk_count()
due_note = t("never_contacted_due", lg, n=num(due, lg)) if due else None
# attempts of episodes that may have ended unseen (the touches or the lifecycle events
# stopped) are unknown: "–" with why, not the episodes' count
attempts_note = (
    review.value_reason("attempts_per_mql", lang=lg)
    if cad.get("attempts_per_mql") is None and cad.get("episodes")
    else f"{num(cad.get('episodes'), lg)} {t('c_episodes', lg)}"
)

# -- headline -------------------------------------------------------------------------------------
# one element for the four tiles (a first visit draws fewer elements)
ui.tiles(
    [
        ui.rate_tile(
            t("cadence_held", lg), cad.get("compliance"), cad.get("x"), cad.get("n"),
            cad.get("ci_low"), cad.get("ci_high"), lg,
            delta=ui.change_of(review, "cadence_compliance"),
            help=t("help_cadence", lg, attempts=cc.min_attempts, days=plain(cc.window_days, lg),
                   gap=plain(cc.min_gap_hours, lg)),
        ),
        ui.Tile(
            t("attempts_per_mql", lg), num(cad.get("attempts_per_mql"), lg, digits=1),
            delta=ui.fmt_change("attempts_per_mql", ui.change_of(review, "attempts_per_mql"), lg),
            note=attempts_note,
        ),
        ui.Tile(t("never_contacted", lg), num(cad.get("never_contacted"), lg), note=due_note),
        ui.Tile(t("stale", lg), num(review.recycling.get("stale"), lg)),
    ]
)  # fmt: skip

ui.touches_note(review, lg)
ui.lifecycle_note(review, lg)

# -- attempts per lead ---------------------------------------------------------------------------
if not ui.missing(review, "cadence", lg):
    left, right = st.columns(2)
    episodes = review.cadence_episodes
    with left:
        dist = (
            episodes.group_by("attempts", "is_reached")
            .agg(pl.len().alias("episodes"))
            .with_columns(
                pl.col("is_reached").replace_strict(
                    {True: t("c_reached", lg), False: t("c_not_reached", lg)}
                ),
            )
            .sort("attempts", "is_reached")
        )
        most = dist["attempts"].max()
        attempt_counts = list(range(max(cc.min_attempts, most or 0) + 1))
        rule = (
            alt.Chart(pl.DataFrame({"a": [cc.min_attempts]}))
            .mark_rule(color="#111827", strokeDash=[6, 3], strokeWidth=2)
            .encode(x="a:O", tooltip=[alt.Tooltip("a:O", title=t("c_min_attempts", lg))])
        )
        ui.chart(
            (
                alt.Chart(dist)
                .mark_bar()
                .encode(
                    x=alt.X(
                        "attempts:O",
                        title=t("c_attempts_x", lg),
                        # every count up to the SLA's minimum, so that the dashed rule stands
                        # as far from the bars as it is (not right after the largest count)
                        scale=alt.Scale(domain=attempt_counts),
                        axis=alt.Axis(labelAngle=0),
                    ),
                    y=alt.Y(
                        "episodes:Q", title=t("c_episodes_y", lg), stack=True, axis=ui.COUNT_AXIS
                    ),
                    color=alt.Color(
                        "is_reached:N",
                        title=None,
                        scale=alt.Scale(
                            domain=[t("c_reached", lg), t("c_not_reached", lg)],
                            range=["#1a7f37", "#9ca3af"],
                        ),
                    ),
                    tooltip=[
                        alt.Tooltip("attempts:O", title=t("c_attempts_x", lg)),
                        alt.Tooltip("is_reached:N", title=None),
                        alt.Tooltip("episodes:Q", title=t("c_episodes_y", lg), format=","),
                    ],
                )
                + rule
            ).properties(title=t("c_attempts_title", lg), height=280)
        )
    with right:
        mix = ui.terms(review.channel_mix, "channel", "channel", lg).with_columns(
            (pl.col("share") * 100).alias("share_pct"),
            (pl.col("reached") / pl.col("touches")).alias("reach_rate"),
        )
        ui.chart(
            alt.Chart(mix)
            .mark_bar(color="#2563eb")
            .encode(
                y=alt.Y("channel:N", sort="-x", title=None),
                x=alt.X("touches:Q", title=t("c_touches_x", lg), axis=ui.COUNT_AXIS),
                tooltip=[
                    alt.Tooltip("channel:N", title=t("c_channel", lg)),
                    alt.Tooltip("touches:Q", title=t("c_touches", lg), format=","),
                    alt.Tooltip("share_pct:Q", title=t("c_share_pct", lg), format=".1f"),
                    alt.Tooltip("reached:Q", title=t("c_touches_reached", lg), format=","),
                ],
            )
            .properties(title=t("c_channel_title", lg), height=280)
        )

# -- cadence by rep ----------------------------------------------------------------------------
st.subheader(t("cadence_by_rep", lg))
if not ui.missing(review, "cadence", lg):
    gaps = review.gaps_by_rep
    left, right = st.columns(2)
    with left:
        ui.rep_rate_bars(
            review.cadence_by_rep,
            "cadence_compliance",
            title=t("c_cadence_rep_title", lg),
            x_title=t("c_cadence_x", lg),
        )
    with right:
        if gaps.height:
            g = ui.named(gaps, "rep_id").with_columns(
                pl.coalesce("rep_id_name", "rep_id").alias("rep")
            )
            g_long = g.unpivot(
                index=["rep", "gaps"], on=["median_gap_hours", "p90_gap_hours"]
            ).with_columns(
                pl.col("variable").replace(
                    {"median_gap_hours": t("c_median_gap", lg), "p90_gap_hours": t("c_p90_gap", lg)}
                )
            )
            ui.chart(
                alt.Chart(g_long)
                .mark_bar()
                .encode(
                    y=alt.Y("rep:N", title=None),
                    yOffset="variable:N",
                    x=alt.X("value:Q", title=t("c_gap_x", lg)),
                    color=alt.Color(
                        "variable:N",
                        title=None,
                        scale=alt.Scale(
                            domain=[t("c_median_gap", lg), t("c_p90_gap", lg)],
                            range=["#2563eb", "#93c5fd"],
                        ),
                    ),
                    tooltip=[
                        alt.Tooltip("rep:N", title=t("rep", lg)),
                        alt.Tooltip("variable:N", title=None),
                        alt.Tooltip("value:Q", title="h", format=".1f"),
                        alt.Tooltip("gaps:Q", title=t("c_gaps", lg), format=","),
                    ],
                )
                .properties(
                    title=t("c_gap_title", lg, hours=f"{cc.min_gap_hours:g}"),
                    height=alt.Step(24),
                )
            )
    ui.static_table(
        ui.unassigned(review.cadence_by_rep, lg).select(
            "rep_name", "team", "episodes", "judged", "held", "compliance",
            "attempts_per_mql", "never_contacted",
        )
    )  # fmt: skip

# -- stall reasons ----------------------------------------------------------------------------
st.subheader(t("stall_reasons", lg))
if not ui.missing(review, "cadence", lg):
    stalls = (
        ui.terms(
            review.stall_reasons,
            "reason",
            "reason",
            lg,
            missing=t("c_undocumented", lg),
            where=pl.col("source") == "lifecycle",  # touch notes are the reps' own words
        )
        .with_columns(
            pl.col("source").replace(
                {"lifecycle": t("c_lifecycle", lg), "touch_note": t("c_touch_note", lg)}
            ),
        )
        .sort("episodes", descending=True, maintain_order=True)  # ties: the library's order
        .head(15)
    )
    if stalls.height:
        ui.chart(
            alt.Chart(stalls)
            .mark_bar()
            .encode(
                y=alt.Y(
                    "reason:N",
                    sort=stalls["reason"].unique(maintain_order=True).to_list(),
                    title=None,
                ),
                x=alt.X("episodes:Q", title=t("c_stall_x", lg), axis=ui.COUNT_AXIS),
                color=alt.Color("source:N", title=t("c_documented_in", lg)),
                tooltip=[
                    alt.Tooltip("source:N", title=t("c_documented_in", lg)),
                    alt.Tooltip("reason:N", title=t("reason", lg)),
                    alt.Tooltip("episodes:Q", title=t("c_stall_x", lg), format=","),
                ],
            )
            .properties(
                title=t("c_stall_title", lg),
                height=ui.BAR_STEP,
            )
        )
    else:  # no heading over nothing
        st.caption(t("no_stalls", lg))

# -- lead lists ---------------------------------------------------------------------------------
st.subheader(t("lead_lists", lg))
lists = {
    t("stale", lg): ("stale_leads", "stale-leads"),
    t("never_contacted", lg): ("never_contacted", "never-contacted"),
    t("cadence_short", lg): ("cadence", "cadence-breaches"),
}
ui.breach_lists(review, lists, lg, v.month, key="lead_list_tab")
