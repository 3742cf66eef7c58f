"""4 Handoffs: speed to lead against the SLA, acceptance and rejection, recycling, breaches."""

from __future__ import annotations

import dataclasses

import altair as alt
import polars as pl
import streamlit as st

from analytics.handoff import (
    LEAKAGE_STEPS,
    fair_distribution,
    leakage_steps,
    leakage_waterfall,
)
from analytics.review import rep_warnings
from analytics.texts import plain, render, term
from analytics.timeframe import month_window
from dashboard import data, ui
from dashboard.i18n import num, t

v = ui.view()
lg, cfg = v.lang, v.config
review = data.review(v.month, v.segment)
ui.header(t("handoffs_title", lg), v)
sla_hours = cfg.handoff.first_touch_hours
#: the width of each of the two rate panels (by rep, by week): side by side they fit 1280 px
RATE_PANEL_WIDTH = 270
clock = t("c_clock_business" if cfg.handoff.business_hours else "c_clock_hours", lg)
h, acc, rc = review.handoff, review.acceptance, review.recycling

# -- headline ------------------------------------------------------------------------------
# one element for the five tiles (a first visit draws fewer elements)
p90 = h.get("p90_hours_to_first_touch")
ui.tiles(
    [
        ui.rate_tile(
            t("first_touch_sla", lg), h.get("compliance"), h.get("x"), h.get("n"),
            h.get("ci_low"), h.get("ci_high"), lg,
            delta=ui.delta_of(review, "handoff_compliance"),
            help=t("help_first_touch", lg, hours=plain(sla_hours, lg), clock=clock),
        ),
        ui.Tile(
            t("median_first_touch", lg),
            ui.fmt_metric("median_hours_to_first_touch", h.get("median_hours_to_first_touch"), lg),
            delta=ui.fmt_change(
                "median_hours_to_first_touch",
                ui.change_of(review, "median_hours_to_first_touch"),
                lg,
            ),
            tone="inverse",
            note=f"p90 {ui.fmt_metric('median_hours_to_first_touch', p90, lg)}",
        ),
        ui.Tile(
            t("breaches", lg), num(h.get("missed"), lg), help=t("help_breaches", lg),
            note=f"{t('pending', lg)}: {num(h.get('pending'), lg)}",
        ),
        ui.rate_tile(
            t("rejected", lg), acc.get("rejection_rate"), acc.get("x"), acc.get("n"),
            acc.get("ci_low"), acc.get("ci_high"), lg, help=t("help_rejected", lg),
        ),
        ui.Tile(
            t("premature", lg), num(rc.get("premature"), lg),
            delta=ui.fmt_change(
                "premature_recycles", ui.change_of(review, "premature_recycles"), lg
            ),
            tone="inverse",
            note=f"{t('stale', lg)}: {num(rc.get('stale'), lg)}",
        ),
    ]
)  # fmt: skip

ui.touches_note(review, lg)
ui.lifecycle_note(review, lg)

# -- speed-to-lead distribution ---------------------------------------------------------------
st.subheader(t("speed_to_lead", lg))
if not ui.missing(review, "handoff", lg):
    speed = review.speed_to_lead
    cap = max(4 * sla_hours, 72.0)
    bin_h = 2.0 if cap <= 96 else 4.0
    hist = (
        speed.filter(pl.col("hours_to_first_touch").is_not_null())
        .with_columns(
            (pl.col("hours_to_first_touch").clip(0, cap - 1e-9) // bin_h * bin_h).alias("from_h"),
            pl.col("status"),
        )
        .group_by("from_h", "status")
        .agg(pl.len().alias("episodes"))
        .with_columns((pl.col("from_h") + bin_h).alias("to_h"))
        .sort("from_h", "status")
        .pipe(ui.with_status_label, lg)
    )
    # the last bar gathers the slowest only when there are any (an axis ending at 24 h
    # under a title naming a bar of 96 h and more confused the Salesforce export)
    clipped = bool((speed["hours_to_first_touch"] >= cap).any())
    x_title = (
        t("c_speed_x", lg, clock=clock, cap=f"{cap:g}")
        if clipped
        else t("c_speed_x_plain", lg, clock=clock)
    )
    bars = (
        alt.Chart(hist)
        .mark_bar()
        .encode(
            x=alt.X("from_h:Q", bin="binned", title=x_title),
            x2="to_h:Q",
            y=alt.Y("episodes:Q", title=t("c_episodes_y", lg), stack=True, axis=ui.COUNT_AXIS),
            color=alt.Color("status:N", scale=ui.status_scale(), legend=ui.status_legend(lg)),
            tooltip=[
                alt.Tooltip("from_h:Q", title=t("c_from_h", lg)),
                alt.Tooltip("to_h:Q", title=t("c_to_h", lg)),
                alt.Tooltip("status_label:N", title=t("status", lg)),
                alt.Tooltip("episodes:Q", title=t("c_episodes_y", lg), format=","),
            ],
        )
    )
    line = (
        alt.Chart(pl.DataFrame({"h": [sla_hours]}))
        .mark_rule(color="#111827", strokeWidth=2, strokeDash=[6, 3])
        .encode(x="h:Q", tooltip=[alt.Tooltip("h:Q", title=t("c_sla_h", lg))])
    )
    ui.chart(
        (bars + line).properties(
            title=t("c_speed_title", lg, hours=f"{sla_hours:g}"),
            height=280,
        )
    )
    untouched = speed.filter(pl.col("hours_to_first_touch").is_null()).height
    if untouched:
        st.caption(t("no_touch_yet", lg, n=num(untouched, lg)))

    # one vega view for the two rates (by rep, by week): the browser draws one view, not two
    by_rep = ui.rep_rate_chart(
        review.handoff_by_rep,
        "handoff_compliance",
        title=t("c_handoff_rep_title", lg),
        x_title=t("c_met_pct", lg),
    )
    by_week = (
        ui.with_status(review.handoff_by_week, "handoff_compliance")
        .rename({"compliance": "rate"})
        .with_columns(pl.col("week").cast(pl.String))
    )
    week_bars = (
        ui.rate_bars(
            by_week,
            category="week",
            title=t("c_handoff_week_title", lg),
            x_title=t("c_met_pct", lg),
            target=ui.kpi_target("handoff_compliance"),
            sort=by_week["week"].to_list(),
        )
        if by_week.height
        else None
    )
    titles = (t("c_handoff_rep_title", lg), t("c_handoff_week_title", lg))
    rates = [
        c.properties(width=RATE_PANEL_WIDTH, title=ui.panel_title(title))
        for c, title in zip((by_rep, week_bars), titles, strict=True)
        if c is not None
    ]
    if rates:
        spec = ui.chart_spec(
            alt.hconcat(*rates)
            .resolve_scale(color="shared")
            .resolve_legend(color="shared")
            .configure_concat(spacing=40)
        )
        spec["config"]["legend"]["orient"] = "bottom"  # the panels take the width
        ui.show_spec(spec, width="content")
    ui.static_table(
        ui.unassigned(review.handoff_by_rep, lg).select(
            "rep_name", "team", "episodes", "met", "missed", "pending", "compliance",
            "median_hours_to_first_touch", "p90_hours_to_first_touch",
        ),
        why_missing={
            "compliance": t("why_no_decided", lg),
            "median_hours_to_first_touch": t("why_no_touch", lg),
            "p90_hours_to_first_touch": t("why_no_touch", lg),
        },
    )  # fmt: skip

# -- acceptance and rejection ------------------------------------------------------------------
st.subheader(t("acceptance", lg))
if not ui.missing(review, "acceptance", lg):
    a1, a2 = st.columns([1, 2])
    with a1:
        ui.tiles(
            [
                ui.Tile(
                    t("accepted", lg), num(acc.get("accepted"), lg), help=t("help_accepted", lg),
                    note=t(
                        "cap_accept", lg, x=num(acc.get("accepted"), lg),
                        n=num(acc.get("episodes"), lg),
                        hours=num(acc.get("median_hours_to_accept"), lg, digits=1),
                    ),
                )
            ]
        )  # fmt: skip
    reasons = (
        ui.terms(review.rejection_reasons, "reason", "reason", lg, missing=t("c_no_reason", lg))
        .pipe(ui.labelled, "end_stage", lg)
        .sort("episodes", descending=True, maintain_order=True)  # ties: the library's order
    )
    with a2:
        if reasons.height:
            ui.chart(
                alt.Chart(reasons)
                .mark_bar()
                .encode(
                    y=alt.Y(
                        "reason:N",
                        sort=reasons["reason"].unique(maintain_order=True).to_list(),
                        title=None,
                    ),
                    x=alt.X(
                        "episodes:Q", title=t("c_rejected_x", lg), stack=True, axis=ui.COUNT_AXIS
                    ),
                    color=alt.Color("end_stage:N", title=t("c_ended_as", lg)),
                    tooltip=[
                        alt.Tooltip("end_stage:N", title=t("c_ended_as", lg)),
                        alt.Tooltip("reason:N", title=t("reason", lg)),
                        alt.Tooltip("episodes:Q", title=t("c_rejected_x", lg)),
                        alt.Tooltip("share:Q", title=t("share", lg), format=".0%"),
                    ],
                )
                .properties(title=t("c_rejected_title", lg), height=ui.BAR_STEP)
            )
        else:
            st.info(t("no_rejections", lg))

# -- recycling -----------------------------------------------------------------------------------
st.subheader(t("recycling", lg))
if not ui.missing(review, "recycling", lg):
    counts = ui.rate_counts(review, "recycled_enrolled_in_time")
    in_time = None if not counts or not counts[1] else counts[0] / counts[1]
    enrolled = ui.rate_tile(
        t("enrolled_in_time", lg), in_time, *(counts or (None, None, None, None)), lg,
        help=t("help_enrolled", lg, days=plain(cfg.recycle.enroll_within_days, lg)),
    )  # fmt: skip
    # no nurture enrolments imported, no recycle to judge: why, instead of "– (– / –)" or
    # "– (0 / 0)" (as the Nurturing page and the KPI tiles say it)
    if in_time is None:
        why = review.value_reason("recycled_enrolled_in_time", lang=lg)
        enrolled = dataclasses.replace(enrolled, note=why)
    stale_note = (  # "–": why (the touches stopped ...), as the KPI tiles say it
        review.value_reason("stale_leads", lang=lg)
        if rc.get("stale") is None
        else t("cap_stale", lg, attempts=cfg.recycle.after_attempts,
               days=f"{cfg.recycle.grace_days:g}")
    )  # fmt: skip
    ui.tiles(
        [
            ui.Tile(t("recycled", lg), num(rc.get("recycled"), lg)),
            ui.Tile(
                t("premature", lg), num(rc.get("premature"), lg),
                note=t(
                    "cap_premature", lg, x=num(rc.get("premature"), lg),
                    n=num(rc.get("recycled_episodes"), lg), attempts=cfg.recycle.after_attempts,
                ),
            ),
            ui.Tile(t("stale", lg), num(rc.get("stale"), lg), note=stale_note),
            enrolled,
        ]
    )  # fmt: skip

# -- breach lists -------------------------------------------------------------------------------
st.subheader(t("breach_lists", lg))
lists = {
    t("late_first_touch", lg): ("handoff", "handoff-breaches"),
    t("premature", lg): ("premature_recycles", "premature-recycles"),
    t("stale", lg): ("stale_leads", "stale-leads"),
    t("not_enrolled", lg): ("recycled_not_enrolled", "recycled-not-enrolled"),
}
# untouched MQLs whose first-touch deadline has not passed: at risk, not breaches
at_risk = review.at_risk if review.measurable("handoff") else None


def at_risk_list() -> None:
    if review.touches_stopped is not None:  # no deadline is known to be near: no list
        ui.touches_note(review, lg)
        return
    st.caption(t("at_risk_note", lg))
    frame = ui.named(at_risk)
    ui.long_table(frame, key="all-at-risk")
    ui.download(frame, f"at-risk-{v.month}", lg, key="dl-at-risk")


ui.breach_lists(
    review,
    lists,
    lg,
    v.month,
    key="breach_tab",
    extra=None
    if at_risk is None
    else (
        f"{t('at_risk_first_touch', lg)} ({num(review.at_risk_count(), lg)})",
        at_risk_list,
    ),
)

# -- lead leakage ------------------------------------------------------------------------------
st.subheader(t("leakage_title", lg))
if not ui.missing(review, "handoff", lg):
    st.caption(t("leakage_caption", lg))
    steps = leakage_steps(
        review.cadence_episodes.lazy(),
        config=cfg,
        touches_stopped=review.touches_stopped is not None,
        never_contacted=review.breaches["never_contacted"].lazy(),
        events_stopped=review.lifecycle_stopped is not None,
    ).collect()
    waterfall = leakage_waterfall(steps.lazy()).collect()
    # halves: the steps' table (four columns) was wider than two fifths of the page at 1280 px
    left, right = st.columns(2)
    with left:
        shown_steps = waterfall.with_columns(
            pl.col("step").replace_strict({s: term("leak_step", s, lang=lg) for s in LEAKAGE_STEPS})
        )
        ui.chart(
            alt.Chart(shown_steps)
            .mark_bar(color="#2563eb")
            .encode(
                y=alt.Y("step:N", sort=None, title=None),
                x=alt.X("episodes:Q", title=t("c_episodes_y", lg), axis=ui.COUNT_AXIS),
                tooltip=[
                    alt.Tooltip("step:N", title=t("step", lg)),
                    alt.Tooltip("episodes:Q", title=t("c_episodes_y", lg), format=","),
                    alt.Tooltip("share:Q", title=t("share", lg), format=".0%"),
                ],
            )
            .properties(title=t("c_leakage_title", lg), height=ui.BAR_STEP)
        )
    with right:
        ui.static_table(shown_steps.select("step", "episodes", "share", "remaining"))
        # the first step that lost episodes, not an empty list to download
        counts = dict(waterfall.select("step", "episodes").iter_rows())
        first = next((s for s in LEAKAGE_STEPS if counts.get(s)), LEAKAGE_STEPS[0])
        ui.keep_choice("leak_step", LEAKAGE_STEPS, first)  # across a language switch
        pick = st.selectbox(
            t("leakage_list", lg),
            LEAKAGE_STEPS,
            format_func=lambda s: term("leak_step", s, lang=lg),
            key="leak_step",
        )
        listed = steps.filter(pl.col("step") == pick).select(
            "lead_id",
            "episode",
            "owner_rep_id",
            "started_at",
            "attempts",
            "is_reached",
            "end_stage",
        )
        ui.download(
            ui.named(listed), f"leakage-{pick}-{v.month}", lg, key="dl-leakage", stacked=True
        )

# -- did the warnings work? ---------------------------------------------------------------------
st.subheader(t("warnings_title", lg))
if not ui.missing(review, "handoff", lg):
    st.caption(t("warnings_caption", lg))
    # the review's own "did the warnings work?" (as in the pack), with the send log of now
    warned = rep_warnings(
        review.speed_to_lead, data.notification_log(), as_of=review.as_of,
        reps=review.handoff_by_rep,
    )  # fmt: skip
    if warned is None:  # no send log: nothing can be said (not "no warning worked")
        st.info(t("no_send_log", lg), icon=":material/notifications_off:")
    elif warned.is_empty():
        st.info(t("no_warnings", lg), icon=":material/notifications_off:")
    else:
        unassigned = render("coverage.unassigned", lang=lg)
        ui.static_table(
            warned.select(
                pl.coalesce("rep_name", "rep_id", pl.lit(unassigned)).alias("rep_name"),
                "warned",
                "met",
                "missed",
                "pending",
                "rate",
            )
        )

# -- assignment delay vs rep delay ---------------------------------------------------------------
st.subheader(t("assignment_title", lg))
if not ui.missing(review, "handoff", lg):
    st.caption(t("assignment_caption", lg))
    by_assignment = review.assignment_by_rep
    if by_assignment is None or not review.assignment.get("with_assignment"):
        st.info(t("no_assignment", lg), icon=":material/schedule:")
    else:
        ui.static_table(
            by_assignment.filter(pl.col("with_assignment") > 0).select(
                "rep_name",
                "episodes",
                "with_assignment",
                "median_routing_hours",
                "median_rep_hours",
            )
        )

# -- speed to lead in the research's buckets ------------------------------------------------------
st.subheader(t("buckets_title", lg))
if not ui.missing(review, "handoff", lg):
    st.caption(t("buckets_caption", lg))
    group = st.segmented_control(
        t("buckets_by", lg),
        ["owner_rep_id", "source", "first_touch_channel"],
        format_func=lambda g: t(f"buckets_by_{g}", lg),
        default="owner_rep_id",
        key="buckets_by",
    )
    group = group or "owner_rep_id"
    dist = data.speed_distribution(v.month, v.segment, group)
    if group == "owner_rep_id":
        dist = ui.named(dist).select(
            "owner_rep_id_name", pl.exclude("owner_rep_id", "owner_rep_id_name")
        )
    elif group == "first_touch_channel":
        dist = ui.terms(dist, "first_touch_channel", "channel", lg)
    ui.static_table(dist)
    conv = data.bucket_conversion()
    if conv is None or conv["n"].sum() == 0:  # why there is no chart, not a missing one
        st.info(t("no_bucket_conversion", lg), icon=":material/schedule:")
    else:
        shown_conv = conv.with_columns(pl.col("bucket").replace({"no touch": t("no_touch", lg)}))
        base = alt.Chart(shown_conv).encode(
            x=alt.X("bucket:N", sort=None, title=t("c_bucket", lg), axis=alt.Axis(labelAngle=0))
        )
        ui.chart(
            (
                base.mark_bar(color="#2563eb").encode(
                    y=alt.Y("rate:Q", title=t("c_conv_y", lg), axis=alt.Axis(format="%")),
                    tooltip=[
                        alt.Tooltip("bucket:N", title=t("c_bucket", lg)),
                        alt.Tooltip("rate:Q", title=t("c_conv_y", lg), format=".1%"),
                        alt.Tooltip("x:Q", title="SQL", format=","),
                        alt.Tooltip("n:Q", title=t("c_episodes_y", lg), format=","),
                    ],
                )
                + base.mark_rule(color="#111827").encode(y="ci_low:Q", y2="ci_high:Q")
            ).properties(title=t("c_bucket_conv_title", lg), height=260)
        )

# -- fair distribution ------------------------------------------------------------------------
st.subheader(t("fair_title", lg))
# the month's MQL episodes per owner come with the handoff measures: without sales touches
# they are not known, and every rep would read 0 MQLs (spec/coverage.md)
if not ui.missing(review, "handoff", lg):
    st.caption(t("fair_caption", lg))
    month_span = month_window(v.month, timezone=cfg.month_zones)  # the review's month
    if v.as_of is not None and v.as_of < month_span.end:
        month_span = dataclasses.replace(month_span, end=max(v.as_of, month_span.start))
    fair = fair_distribution(
        review.speed_to_lead.lazy(), data.reps().lazy(), window=month_span
    ).collect()
    inactive = fair.filter(pl.col("is_inactive_receiving"))
    if inactive.height:
        names = ", ".join(
            str(n) for n in inactive.select(pl.coalesce("rep_name", "rep_id")).to_series()
        )
        st.warning(t("inactive_receiving", lg, reps=names), icon=":material/person_off:")
    ui.static_table(
        ui.unassigned(fair, lg).drop("rep_id"),
        why_missing={"weekly_capacity": t("why_no_capacity", lg), "load": t("why_no_capacity", lg)},
    )
