"""5 Lead nurturing: tracks, enrollments, exits, buyer-stage progression, re-MQL, sales triggers."""

from __future__ import annotations

import dataclasses

import altair as alt
import polars as pl
import streamlit as st

from analytics.schema import BUYER_STAGES, EXIT_REASONS
from analytics.texts import term
from dashboard import data, ui
from dashboard.i18n import column_label, num, t

v = ui.view()
lg, cfg = v.lang, v.config
review = data.review(v.month, v.segment)
ui.header(t("nurturing_title", lg), v)

enrollments = review.nurture_enrollments
remql = review.remql
sales = review.sales_triggered

# -- headline -----------------------------------------------------------------------------------
nurture = review.measurable("nurture")
enrolled = num(enrollments["enrollments"].sum(), lg) if nurture else "–"
exited = num(review.nurture_exits["exits"].sum(), lg) if nurture else "–"
by_sales = num(enrollments["by_sales"].sum(), lg) if nurture else "–"
rate = ui.rate_tile(
    t("remql_rate", lg), remql.get("rate"), remql.get("x"), remql.get("n"), remql.get("ci_low"),
    remql.get("ci_high"), lg, delta=ui.change_of(review, "remql_rate"),
    help=t("help_remql", lg, days=cfg.recycle.remql_window_days),
)  # fmt: skip
if remql.get("rate") is None:  # why, as the KPI tiles say it, instead of "– (0 / 0)"
    rate = dataclasses.replace(rate, note=review.value_reason("remql_rate", lang=lg))
elif remql.get("is_immature") and remql.get("n"):  # no recycled lead: nothing to mature
    rate = dataclasses.replace(
        rate, note=f"{rate.note} · {t('immature', lg, days=cfg.recycle.remql_window_days)}"
    )
# one element for the four tiles (a first visit draws fewer elements); without
# enrollments the counts are "–" and the sections below say why
ui.tiles(
    [
        ui.Tile(t("enrollments", lg), enrolled, note=t("enrollments_note", lg)),
        ui.Tile(t("exits", lg), exited),
        rate,
        ui.Tile(t("sales_triggered", lg), by_sales, note=t("sales_triggered_note", lg)),
    ]
)

unknown = review.unknown_tracks
if unknown.height:
    st.warning(
        t("unknown_tracks", lg)
        + ": "
        + ", ".join(
            f"**{ui.md(r['track'])}** ({num(r['enrollments'], lg)})"
            for r in unknown.iter_rows(named=True)
        ),
        icon=":material/flag:",
    )

# -- tracks and enrollments -------------------------------------------------------------------
st.subheader(t("tracks", lg))
described = {tr.name: tr for tr in cfg.nurture.tracks}
tracks = enrollments.with_columns(
    pl.col("track")
    .replace_strict({k: tr.text("description", lg) for k, tr in described.items()}, default=None)
    .alias("description"),
    pl.col("track")
    .replace_strict({k: tr.sales_can_trigger for k, tr in described.items()}, default=None)
    .alias("sales_can_trigger"),
)
if not ui.missing(review, "nurture", lg):
    if enrollments["enrollments"].sum():
        long = enrollments.pipe(ui.labelled, "track", lg).pipe(ui.labelled, "buyer_stage", lg)
        long = long.unpivot(
            index=["track", "buyer_stage"], on=["by_auto", "by_sales"], variable_name="by"
        ).with_columns(
            pl.col("by").replace(
                {"by_auto": t("c_automatic", lg), "by_sales": t("c_sales_asked", lg)}
            ),
            pl.col("value").alias("count"),
        )
        ui.chart(
            alt.Chart(long)
            .mark_bar()
            .encode(
                y=alt.Y("track:N", sort="-x", title=None),
                x=alt.X("count:Q", title=t("c_enroll_x", lg), stack=True, axis=ui.COUNT_AXIS),
                color=alt.Color("by:N", title=t("c_triggered_by", lg)),
                tooltip=[
                    alt.Tooltip("track:N", title=column_label("track", lg)),
                    alt.Tooltip("buyer_stage:N", title=column_label("buyer_stage", lg)),
                    alt.Tooltip("by:N", title=t("c_triggered_by", lg)),
                    alt.Tooltip("count:Q", title=t("c_enrollments", lg), format=","),
                ],
            )
            .properties(title=t("c_enroll_title", lg), height=ui.BAR_STEP)
        )
    else:
        st.info(t("no_enrollments", lg))
    ui.static_table(tracks.select("track", "buyer_stage", "is_known", "enrollments", "description"))

# -- exits ----------------------------------------------------------------------------------------
st.subheader(t("exits", lg))
exit_words = {r: t(f"exit_{r}", lg) for r in EXIT_REASONS}
exits = review.nurture_exits.pipe(ui.labelled, "track", lg).with_columns(
    pl.col("exit_reason").replace(exit_words).fill_null(t("c_not_recorded", lg))
)
if ui.missing(review, "nurture", lg):
    pass
elif not exits.height:
    st.info(t("no_exits", lg))
else:
    ui.chart(
        alt.Chart(exits)
        .mark_bar()
        .encode(
            y=alt.Y("track:N", title=None),
            x=alt.X("exits:Q", title=t("c_exits_x", lg), stack=True, axis=ui.COUNT_AXIS),
            color=alt.Color("exit_reason:N", title=t("c_exit_reason", lg)),
            tooltip=[
                alt.Tooltip("track:N", title=column_label("track", lg)),
                alt.Tooltip("exit_reason:N", title=t("c_exit_reason", lg)),
                alt.Tooltip("exits:Q", title=t("exits", lg), format=","),
                alt.Tooltip("share:Q", title=t("c_exit_share", lg), format=".0%"),
            ],
        )
        .properties(
            title=t("c_exits_title", lg),
            height=ui.BAR_STEP,
        )
    )

# -- progression -----------------------------------------------------------------------------
st.subheader(t("progression", lg))
no_activity = t("c_no_activity", lg)
prog = (
    review.nurture_progression.pipe(ui.labelled, "track", lg)
    .pipe(ui.terms, "from_stage", "buyer_stage", lg, missing=no_activity)
    .pipe(ui.terms, "to_stage", "buyer_stage", lg, missing=no_activity)
)
# the buyer stages come from the activities: without them every lead is "no activity"
if ui.missing(review, "nurture", lg) or ui.missing(review, "scoring_interest", lg):
    pass
elif not prog.height:
    st.info(t("no_enrollments", lg))
else:
    order = [*(term("buyer_stage", s, lang=lg) for s in BUYER_STAGES), no_activity]
    ui.chart(
        alt.Chart(prog)
        .mark_rect()
        .encode(
            x=alt.X(
                "to_stage:N",
                sort=order,
                title=t("c_to_stage", lg),
                axis=alt.Axis(labelAngle=-30, labelOverlap=False),
            ),
            y=alt.Y("from_stage:N", sort=order, title=t("c_from_stage", lg)),
            color=alt.Color(
                "enrollments:Q", title=t("c_enrollments", lg), scale=alt.Scale(scheme="blues")
            ),
            facet=alt.Facet("track:N", columns=3, title=None),
            tooltip=[
                alt.Tooltip("track:N", title=column_label("track", lg)),
                alt.Tooltip("from_stage:N", title=t("c_from_stage", lg)),
                alt.Tooltip("to_stage:N", title=t("c_to_stage", lg)),
                alt.Tooltip("enrollments:Q", title=t("c_enrollments", lg), format=","),
            ],
        )
        .properties(
            title=t("c_progression_title", lg),
            width=160,  # three panels, their stage labels and the legend fit 1280 px
            height=160,
        )
    )

# -- sales-triggered ------------------------------------------------------------------------
st.subheader(t("sales_triggered", lg))
if ui.missing(review, "nurture", lg):
    pass
elif sales.height:
    ui.static_table(sales)
    not_allowed = sales.filter(~pl.col("sales_can_trigger").fill_null(False))
    if not_allowed.height:
        st.warning(t("sales_not_allowed", lg, n=num(not_allowed["enrollments"].sum(), lg)))
else:
    st.info(t("no_sales_triggered", lg))
