"""7 KPIs: both teams' KPIs against their targets, previous month, change, 12-month trend."""

from __future__ import annotations

import altair as alt
import polars as pl
import streamlit as st

from dashboard import data, ui
from dashboard.i18n import column_label, t

v = ui.view()
lg, cfg = v.lang, v.config
review = data.review(v.month, v.segment)
ui.header(t("kpis_title", lg), v)

with st.spinner(t("loading_trend", lg)):
    trend = data.kpi_trend(v.month, v.segment)

for team in ("marketing", "sales"):
    rows = review.kpis.filter(pl.col("team") == team).to_dicts()
    if not rows:
        continue
    st.subheader(t(team, lg))
    cols = st.columns(min(len(rows), 6))
    for i, row in enumerate(rows):
        ui.kpi_card(row, review, lg, container=cols[i % len(cols)])
    if trend.height == 0:
        continue
    part = (
        trend.filter(pl.col("team") == team)
        .pipe(ui.with_kpi_labels, lg)
        .with_columns(
            pl.when(pl.col("metric").is_in(list(ui.RATE_METRICS)))
            .then(pl.col("label") + " (%)")
            .when(pl.col("metric") == "median_hours_to_first_touch")
            .then(pl.col("label") + " (h)")
            .otherwise(pl.col("label") + f" ({t('c_count', lg)})")
            .alias("panel"),
            pl.when(pl.col("metric").is_in(list(ui.RATE_METRICS)))
            .then(100.0)
            .otherwise(1.0)
            .alias("_scale"),
        )
        .with_columns(
            (pl.col("value") * pl.col("_scale")).alias("shown"),
            (pl.col("target") * pl.col("_scale")).alias("target_shown"),
            pl.col("status").fill_null("no_data"),
        )
        .pipe(ui.with_status_label, lg)
    )
    base = alt.Chart().encode(
        x=alt.X("month:O", title=t("month", lg), axis=alt.Axis(labelAngle=-45))
    )
    line = base.mark_line(color="#6b7280").encode(y=alt.Y("shown:Q", title=None))
    points = base.mark_circle(size=110, opacity=1).encode(
        y="shown:Q",
        color=alt.Color("status:N", scale=ui.status_scale(), legend=ui.status_legend(lg)),
        tooltip=[
            alt.Tooltip("month:O", title=t("month", lg)),
            alt.Tooltip("label:N", title=t("c_kpi", lg)),
            alt.Tooltip("shown:Q", title=t("value", lg), format=",.1f"),
            alt.Tooltip("target_shown:Q", title=t("target", lg), format=",.1f"),
            alt.Tooltip("status_label:N", title=t("status", lg)),
        ],
    )
    rule = (
        alt.Chart()
        .mark_rule(color="#111827", strokeDash=[6, 3], strokeWidth=2)
        .encode(y="mean(target_shown):Q")
    )
    chart = (
        alt.layer(line, points, rule, data=part)
        .properties(width=300, height=170)
        .facet(
            facet=alt.Facet("panel:N", title=None, header=alt.Header(labelFontSize=14)), columns=3
        )
        .resolve_scale(y="independent")
        # every panel its own month axis: in a grid with an empty last cell, a shared axis
        # would sit under the empty cell, away from the panel above it
        .resolve_axis(x="independent")
        .properties(title=t("c_kpi_trend_title", lg, team=t(team, lg), trend=t("trend", lg)))
    )
    ui.chart(chart)

st.subheader(t("kpi_table", lg))
cur = cfg.reporting.currency
table = pl.DataFrame(
    [
        {
            column_label("team", lg): t(r["team"], lg),
            "KPI": ui.kpi_label(r, lg),
            t("sla_commitment", lg): ("≥ " if r["direction"] == "at_least" else "≤ ")
            + ui.fmt_metric(r["metric"], r["target"], lg, currency=cur),
            t("this_month", lg): ui.fmt_metric(r["metric"], r["value"], lg, currency=cur),
            t("previous", lg): ui.fmt_metric(r["metric"], r["previous"], lg, currency=cur),
            t("change", lg): ui.fmt_change(r["metric"], r["change"], lg) or "–",
            t("status", lg): t(r["status"] or "no_data", lg),
            t("counts", lg): ui.metric_detail(review, r["metric"], lg),
        }
        for r in review.kpis.iter_rows(named=True)
    ]
)
ui.text_table(table)
ui.download(review.kpis, f"kpis-{v.month}", lg)
