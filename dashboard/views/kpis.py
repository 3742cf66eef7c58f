"""7 KPIs: both teams' KPIs against their targets, previous month, change, 12-month trend."""

from __future__ import annotations

import altair as alt
import polars as pl
import streamlit as st

from analytics.pack.render import Footnotes
from dashboard import data, ui
from dashboard.i18n import MONTH_NAMES, column_label, t


def short_month(month: str, lg: str) -> str:
    """``2026-10`` -> ``Oct 26`` / ``Okt 26``: a month axis in the language."""
    return f"{MONTH_NAMES[lg][int(month[5:]) - 1][:3]} {month[2:4]}"


#: The columns of a KPI's panel that its chart reads (the named dataset ``panel``).
PANEL_COLUMNS = ("month_label", "shown", "target_shown", "status", "status_label", "running")


def trend_chart(order: list[str], names: list[str], lg: str) -> alt.FacetChart:
    """A team's KPIs over 12 months, one panel per KPI (titled by the column ``panel``): the
    values (dots in the status colour), the target dashed. The rows come from the named
    dataset ``panel`` (:data:`PANEL_COLUMNS` and ``panel``), so the page draws one vega
    view per team instead of one per KPI; two panels a row of a fixed width fit 1280 px,
    a panel's title breaks before its unit. ``names``: the panels' titles in the cards'
    order."""
    base = alt.Chart().encode(
        x=alt.X("month_label:O", title=None, sort=order, axis=alt.Axis(labelAngle=-45))
    )
    line = base.mark_line(color="#6b7280").encode(y=alt.Y("shown:Q", title=None))
    tooltip = [
        alt.Tooltip("month_label:O", title=t("month", lg)),
        alt.Tooltip("shown:Q", title=t("value", lg), format=",.1f"),
        alt.Tooltip("target_shown:Q", title=t("sla_commitment", lg), format=",.1f"),
        alt.Tooltip("status_label:N", title=t("status", lg)),
    ]
    color = alt.Color("status:N", scale=ui.status_scale(), legend=None)
    judged = "datum.status != 'no_data' && isValid(datum.shown)"  # no dot without a verdict
    # a complete month is a filled dot; the running month a hollow one (it is not over)
    points = (
        base.mark_circle(size=90, opacity=1)
        .encode(y="shown:Q", color=color, tooltip=tooltip)
        .transform_filter(f"{judged} && !datum.running")
    )
    running = (
        base.mark_point(size=90, filled=False, strokeWidth=2.5, opacity=1)
        .encode(y="shown:Q", color=color, tooltip=tooltip)
        .transform_filter(f"{judged} && datum.running")
    )
    rule = (
        alt.Chart()
        .mark_rule(color="#111827", strokeDash=[6, 3], strokeWidth=2)
        .encode(y="mean(target_shown):Q")
    )
    split = "indexof(datum.label, ' (')"
    header = alt.Header(
        title=None,
        labelAnchor="start",
        labelFontSize=13,
        labelFontWeight="bold",
        labelExpr=f"{split} < 0 ? datum.label : "
        f"[slice(datum.label, 0, {split}), slice(datum.label, {split} + 1)]",
    )
    return (
        alt.layer(line, points, running, rule, data=alt.NamedData("panel"))
        .properties(width=290, height=150)
        .facet(facet=alt.Facet("panel:N", sort=names, header=header), columns=2)
        .resolve_scale(y="independent")
    )


@st.cache_data(show_spinner=False, max_entries=8)
def trend_spec(order: tuple[str, ...], names: tuple[str, ...], lg: str) -> dict:
    """The spec of :func:`trend_chart`, built once per months, panels and language
    (building an altair chart costs tens of milliseconds)."""
    return ui.chart_spec(trend_chart(list(order), list(names), lg), lg=lg)


def show_trends(panels: list[pl.DataFrame], order: tuple[str, ...], lg: str) -> None:
    """A team's trend panels as one chart: the shared spec with the team's rows."""
    rows = pl.concat([p.select("panel", *PANEL_COLUMNS) for p in panels])
    names = tuple(p["panel"][0] for p in panels)
    ui.show_spec(trend_spec(order, names, lg), datasets={"panel": rows}, width="content")


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
    ui.kpi_tiles(rows, review, lg)
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
    # one panel per KPI, all of a team's in one vega view (one view per KPI cost chromium
    # about 50 ms of drawing each on a first visit)
    months = sorted(part["month"].unique().to_list())
    labels = {m: short_month(m, lg) for m in months}
    part = part.with_columns(pl.col("month").replace_strict(labels).alias("month_label"))
    panels = part.partition_by("panel", maintain_order=True, as_dict=False)
    sparse = [p["panel"][0] for p in panels if p["shown"].drop_nulls().len() < 2]
    panels = [p for p in panels if p["shown"].drop_nulls().len() >= 2]
    if not panels and part["value"].is_null().all():  # no title and legend over nothing
        ui.no_data(t("no_trend", lg))
        continue
    if panels:
        st.markdown(f"**{t('c_kpi_trend_title', lg, team=t(team, lg), trend=t('trend', lg))}**")
        st.caption(t("trend_legend", lg))
    if panels:
        show_trends(panels, tuple(labels[m] for m in months), lg)
    if sparse:
        st.caption(t("trend_sparse", lg, kpis=", ".join(sparse)))

st.subheader(t("kpi_table", lg))
cur = cfg.reporting.currency
# why a KPI is not judged: a mark in its status ("no data¹"), each reason once below the
# table, as the pack and the review page say it
notes = Footnotes()
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
            # on one line: the column is narrow, "no data¹" broke after "no"
            t("status", lg): (
                t(r["status"] or "no_data", lg)
                + (notes.mark(why) if (why := ui.kpi_reason(r, review, lg)) else "")
            ).replace(" ", "\u00a0"),
            t("counts", lg): ui.metric_detail(review, r["metric"], lg),
        }
        for r in review.kpis.iter_rows(named=True)
    ]
)
ui.text_table(table)
ui.footnotes(notes.flush())
ui.comparison_note(review, lg)  # the previous month as judged then; changes not computed
download, kinds = ui.kpi_download(review, lg)  # each row's numbers in its metric's unit
ui.download(download, f"kpis-{v.month}", lg, kinds=kinds)
