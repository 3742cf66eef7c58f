"""3 Lead qualification: scores, the fit x interest grid, calibration, and the threshold sliders."""

from __future__ import annotations

from datetime import date

import altair as alt
import polars as pl
import streamlit as st

from analytics.scoring.calibration import MIN_SEGMENT_LEADS
from analytics.scoring.model import MIN_TEST_OUTCOMES
from analytics.scoring.report import ScoreReasons
from analytics.scoring.thresholds import slider_top
from analytics.sla_history import scoring_version_note
from analytics.sla_versions import month_at
from analytics.stats import wilson
from analytics.texts import as_sentence, term
from dashboard import data, ui
from dashboard.i18n import column_label, day, month_name, num, pct, rate_text, t

v = ui.view()
# today's threshold and scoring points: the SLA version that judges the month of as_of, as
# `sla score report` and notebook 03 use them (the stored results are keyed by it)
lg, cfg = v.lang, data.scoring_config()
ui.header(t("qualification_title", lg), v)
now = None if v.as_of is None else month_at(v.as_of, timezone=data.month_zones())
# no version in force in that month (an export older than the first one): the earliest judges
earliest = now is not None and cfg.sla.effective_from > date.fromisoformat(f"{now}-01")
st.caption(
    t("qualification_note", lg) + " " + t("scoring_company_wide", lg) + " "
    + t("scoring_version_earliest" if earliest else "scoring_version", lg,
        version=ui.md(cfg.sla.version), since=day(cfg.sla.effective_from, lg),
        threshold=num(cfg.scoring.mql_threshold, lg),
        month=month_name(now, lg) if now else "")
)  # fmt: skip
given = data.config()
if now is not None:  # another version than the file's: which one, and why
    today = month_name(now, lg)
    if note := scoring_version_note(cfg, given, month=today, lang=lg, path=f"`{given.source}`"):
        st.caption(note)

with st.spinner(t("precomputing", lg)):
    facts = data.thresholds()  # stored by the last import or training, else computed once
    table, recommended, reason = data.threshold_table(lang=lg)
# outcomes known only until before as_of: the leads it hides are named, not "too few"
horizon = data.outcomes_note(lang=lg)
horizon = None if horizon is None else as_sentence(horizon)
current = float(cfg.scoring.mql_threshold)
# the slider's range always holds the threshold in force (scores of an export without
# activities stay far below it: StreamlitValueAboveMaxError otherwise)
top = slider_top(table, current)
now = data.threshold_point(current)  # the SLA's own threshold: not redone on every slider move
# the rule score needs the activities (its interest points), the fit grades a scored
# attribute, the sales feedback rejections: without them the page would judge what cannot
# be computed (spec/coverage.md), so each part says why instead
# (the rule of `sla score report` and notebook 03: ScoreReasons, read as today's version
# reads the data)
reasons = data.score_reasons(lg) or ScoreReasons()
no_interest, no_fit = reasons.interest, reasons.fit
no_feedback = data.unanswered("acceptance", lg) or no_fit


@st.cache_data(show_spinner=False, max_entries=4)
def whatif_chart_spec(table: pl.DataFrame, lg: str) -> dict:
    """The what-if panels (MQLs, SQLs, workload) as one spec, built once per table and
    language: each slider move only sends the threshold lines (the named dataset
    ``marks``). SQLs are solid where observed and dashed with a band (lowest to highest)
    where estimated."""
    rules = (
        alt.Chart(alt.NamedData(name="marks"))
        .mark_rule(strokeWidth=2)
        .encode(
            x="threshold:Q",
            color=alt.Color(
                "which:N",
                title=None,
                scale=alt.Scale(
                    domain=[t(k, lg) for k in ("c_chosen", "c_sla_today", "c_recommended")],
                    range=["#111827", "#6b7280", "#1a7f37"],
                ),
                legend=alt.Legend(orient="bottom"),
            ),
            strokeDash=alt.StrokeDash("which:N", legend=None),
            tooltip=[
                alt.Tooltip("which:N", title=None),
                alt.Tooltip("threshold:Q", title=t("c_threshold_x", lg)),
            ],
        )
    )
    x_axis = alt.X("threshold:Q", title=t("c_threshold_x", lg))
    mqls = (
        alt.Chart(table)
        .mark_line(point=True, color="#6b7280")
        .encode(
            x=x_axis,
            y=alt.Y("mqls_per_month:Q", title=t("c_mqls_count_y", lg)),
            tooltip=[
                alt.Tooltip("threshold:Q", title=t("c_threshold_x", lg)),
                alt.Tooltip("mqls_per_month:Q", title=t("mqls_per_month", lg), format=",.1f"),
            ],
        )
    )
    sqls = table.select(
        "threshold",
        "estimated_sqls_per_month",
        "estimated_sqls_low",
        "estimated_sqls_high",
        pl.col("basis")
        .replace_strict(
            {"observed": t("basis_observed", lg), "estimated": t("basis_estimated", lg)}
        )
        .alias("basis"),
    )
    sql_tips = [
        alt.Tooltip("threshold:Q", title=t("c_threshold_x", lg)),
        alt.Tooltip("basis:N", title=None),
        alt.Tooltip("estimated_sqls_per_month:Q", title=t("expected_sqls", lg), format=",.1f"),
        alt.Tooltip("estimated_sqls_low:Q", title=t("c_sqls_low", lg), format=",.1f"),
        alt.Tooltip("estimated_sqls_high:Q", title=t("c_sqls_high", lg), format=",.1f"),
    ]
    estimated = t("basis_estimated", lg)
    band = (
        alt.Chart(sqls)
        .transform_filter(alt.datum.basis == estimated)
        .mark_area(color="#93c5fd", opacity=0.35)
        .encode(x=x_axis, y="estimated_sqls_low:Q", y2="estimated_sqls_high:Q")
    )
    sql_line = (
        alt.Chart(sqls)
        .mark_line(point=True, color="#2563eb")
        .encode(
            x=x_axis,
            y=alt.Y("estimated_sqls_per_month:Q", title=t("c_sqls_count_y", lg)),
            strokeDash=alt.StrokeDash(
                "basis:N",
                title=None,
                scale=alt.Scale(
                    domain=[t("basis_observed", lg), estimated], range=[[1, 0], [6, 4]]
                ),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=sql_tips,
        )
    )
    wl = table.select("threshold", (pl.col("workload_ratio") * 100).alias("workload_pct"))
    area = (
        alt.Chart(wl)
        .mark_area(color="#93c5fd", opacity=0.6)
        .encode(
            x=alt.X("threshold:Q", title=t("c_threshold_x", lg)),
            y=alt.Y("workload_pct:Q", title=t("c_workload_y", lg)),
            tooltip=[
                "threshold",
                alt.Tooltip("workload_pct:Q", title=t("c_workload_pct", lg), format=".0f"),
            ],
        )
    )
    full = alt.Chart(pl.DataFrame({"y": [100.0]})).mark_rule(color="#c62828", strokeWidth=2)
    size = {"width": 300, "height": 260}  # two panels a row fit 1280 px
    volume = alt.layer(mqls, rules).properties(
        title=ui.panel_title(t("c_mqls_panel_title", lg)), **size
    )
    sql_chart = (
        alt.layer(band, sql_line, rules)
        .resolve_scale(strokeDash="independent")
        .properties(title=ui.panel_title(t("c_sqls_panel_title", lg)), **size)
    )
    workload = alt.layer(area, full.encode(y="y:Q"), rules).properties(
        title=ui.panel_title(t("c_workload_title", lg)), **size
    )
    # one vega view for the three panels: a slider step updates one view, not three
    panels = (
        alt.concat(volume, sql_chart, workload, columns=2)
        .resolve_scale(color="shared", strokeDash="independent")
        .configure_concat(spacing=40)
    )
    return ui.chart_spec(panels, lg=lg)


# -- threshold what-if --------------------------------------------------------------------------
# A fragment: moving the slider reruns only this section, not the score-quality charts
# below (which do not depend on it), so the numbers follow the slider at once. What does not
# change with the slider (the recommendation, the notes) is drawn outside it, and the fragment
# draws three elements: the slider, the tiles (one element), the three panels (one vega view).
def recommendation() -> None:
    """The recommended threshold, why, and a button that moves the slider there."""
    if recommended is None:
        st.info(reason)  # says the horizon when it hides the outcomes
        return
    if horizon:
        st.info(horizon)
    st.markdown(f"**{t('recommended', lg)}: {recommended:g}**")
    st.caption(reason)

    def _use_recommended() -> None:
        st.session_state["threshold"] = int(recommended)

    st.button(t("use_recommended", lg), on_click=_use_recommended)


@st.fragment
def threshold_whatif() -> None:
    if "threshold" not in st.session_state:
        st.session_state["threshold"] = int(current)
    chosen = st.slider(t("threshold", lg), 0, top, key="threshold", step=1)
    point = data.threshold_point(chosen)
    mqls = ui.Tile(
        t("mqls_per_month", lg), num(point["mqls_per_month"], lg),
        delta=None if chosen == current else ui.signed(
            point["mqls_per_month"] - now["mqls_per_month"], lg
        ),
        tone="off", help=t("vs_sla_threshold", lg, threshold=num(current, lg)),
    )  # fmt: skip
    workload = point["workload_ratio"]
    over = workload is not None and workload > 1
    load = ui.Tile(
        t("workload", lg), pct(workload, lg, digits=0),
        delta=None if workload is None else t("over_capacity" if over else "within_capacity", lg),
        tone="inverse" if over else "normal",
        note=t(
            "capacity_caption", lg,
            mqls=num(point["mqls_per_week"], lg), capacity=num(facts["weekly_capacity"], lg),
        ) if facts["weekly_capacity"] is not None else t(
            "capacity_unknown_caption", lg, mqls=num(point["mqls_per_week"], lg)
        ),
    )  # fmt: skip
    mature = point["mature_mqls"] or 0
    conv = round((point["precision"] or 0) * mature)
    precision = ui.rate_tile(
        t("precision", lg), point["precision"], conv, mature, *wilson(conv, mature), lg,
        help=t("help_precision", lg),
    )  # fmt: skip
    sql_leads = facts["sql_leads"]
    found = round((point["recall"] or 0) * sql_leads)
    recall = ui.rate_tile(
        t("recall", lg), point["recall"], found, sql_leads, *wilson(found, sql_leads), lg,
        help=t("help_recall", lg),
    )  # fmt: skip
    estimated = point["basis"] == "estimated"
    sqls = point["estimated_sqls_per_month"]
    expected = ui.Tile(
        t("expected_sqls", lg), num(sqls, lg, digits=1),
        delta=None if sqls is None or chosen == current else ui.signed(
            sqls - (now["estimated_sqls_per_month"] or 0), lg, digits=1
        ),
        tone="off" if estimated else "normal",
        help=t("estimate_explained", lg, threshold=num(current, lg)),
        note=t(
            "sqls_estimated_note", lg,
            low=num(point["estimated_sqls_low"], lg, digits=1),
            high=num(point["estimated_sqls_high"], lg, digits=1),
            share=pct(point["unobserved_share"], lg, digits=0),
        ) if estimated else t("sqls_observed_note", lg),
    )  # fmt: skip
    ratio = point["extra_sqls_per_extra_mql"]
    note = (
        None
        if ratio is None
        else t(
            "extra_per_mql",
            lg,
            threshold=num(current, lg),
            ratio=pct(ratio, lg, digits=1),
            basis=t("basis_estimated" if estimated else "basis_observed", lg),
            minimum=pct(cfg.scoring.min_extra_sqls_per_extra_mql, lg, digits=0),
        )
    )
    ui.tiles([mqls, load, precision, recall, expected], note=note)

    marks = {
        t("c_chosen", lg): float(chosen),
        t("c_sla_today", lg): current,
        t("c_recommended", lg): recommended,
    }
    marks_frame = pl.DataFrame(
        {"threshold": list(marks.values()), "which": list(marks)},
        schema={"threshold": pl.Float64, "which": pl.String},
    ).drop_nulls("threshold")
    ui.show_spec(whatif_chart_spec(table, lg), datasets={"marks": marks_frame}, width="content")


@st.fragment
def threshold_table_box() -> None:
    """Every threshold's row, drawn only when opened (a grid less on the first visit);
    opening it reruns only this fragment."""
    box = st.expander(t("threshold_table", lg), key="threshold_table", on_change="rerun")
    if not box.open:
        return
    with box:
        shown = table.with_columns(
            pl.col("basis").replace_strict(
                {"observed": t("basis_observed", lg), "estimated": t("basis_estimated", lg)}
            )
        )
        ui.table(shown)
        ui.download(table, "threshold-table", lg)


st.subheader(t("threshold_whatif", lg))
if no_interest:  # no rule score without activities: no what-if and no table of it
    ui.no_data(no_interest)
else:
    recommendation()
    threshold_whatif()
    st.caption(t("estimate_explained", lg, threshold=num(current, lg)))
    # outside the fragment: the slider does not change it
    threshold_table_box()


# -- score quality --------------------------------------------------------------------------
@st.cache_data(show_spinner=False, max_entries=4)
def quality_chart_specs(quality: dict, current: float, lg: str) -> dict[str, dict | None]:
    """The score-quality charts (distribution, grid, calibration) as specs, built once per
    data and language: the slider's reruns of the page do not rebuild them."""
    scores = quality["score_bins"]
    threshold_rule = (
        alt.Chart(pl.DataFrame({"t": [current]}))
        .mark_rule(color="#111827", strokeWidth=2, strokeDash=[6, 3])
        .encode(x="t:Q", tooltip=[alt.Tooltip("t:Q", title=t("c_threshold_x", lg))])
    )
    distribution = (
        alt.Chart(scores)
        .mark_bar()
        .encode(
            x=alt.X("from:Q", bin="binned", title=t("c_score_x", lg)),
            x2="to:Q",
            y=alt.Y("leads:Q", title=t("c_leads_y", lg), stack=True, axis=ui.COUNT_AXIS),
            color=alt.Color(
                "fit_grade:N", title=t("c_fit_grade", lg), scale=alt.Scale(scheme="viridis")
            ),
            tooltip=["from", "to", "fit_grade", alt.Tooltip("leads:Q", format=",")],
        )
        + threshold_rule
    ).properties(title=t("c_score_title", lg), height=300)
    grid = quality["grid"]
    cells = [  # "12,3 % (45)"; a cell without leads reads "– (0)", never "null % (0)"
        f"{pct(rate, lg)} ({num(leads, lg)})"
        for rate, leads in zip(grid["rate"].to_list(), grid["leads"].to_list(), strict=True)
    ]
    grid = grid.with_columns(
        pl.Series("label", cells, dtype=pl.String),
        (pl.col("rate") * 100).alias("rate_pct"),
        (pl.col("ci_low") * 100).alias("ci_low_pct"),
        (pl.col("ci_high") * 100).alias("ci_high_pct"),
    )
    heat = alt.Chart(grid).encode(
        x=alt.X("interest_grade:N", title=t("c_interest_x", lg)),
        y=alt.Y("fit_grade:N", title=t("c_fit_y", lg)),
    )
    grid_chart = (
        heat.mark_rect().encode(
            color=alt.Color(
                "rate_pct:Q", title=t("c_sql_rate_pct", lg), scale=alt.Scale(scheme="greens")
            ),
            tooltip=[
                "fit_grade",
                "interest_grade",
                alt.Tooltip("leads:Q", format=","),
                alt.Tooltip("converted:Q", title=t("c_became_sql", lg), format=","),
                alt.Tooltip("rate_pct:Q", title=t("c_sql_rate_pct", lg), format=".1f"),
                alt.Tooltip("ci_low_pct:Q", title=t("c_ci_from", lg), format=".1f"),
                alt.Tooltip("ci_high_pct:Q", title=t("c_ci_to", lg), format=".1f"),
            ],
        )
        + heat.mark_text(fontSize=15).encode(text=alt.Text("label:N"))
    ).properties(title=t("c_grid_title", lg), height=340)
    specs = {
        "distribution": ui.chart_spec(distribution, lg=lg),
        "grid": ui.chart_spec(grid_chart, lg=lg),
        "calibration": None,
    }
    if "metrics" in quality:
        rel = quality["reliability"].with_columns(
            (pl.col("mean_predicted") * 100).alias("predicted_pct"),
            (pl.col("observed") * 100).alias("observed_pct"),
            (pl.col("ci_low") * 100).alias("lo"),
            (pl.col("ci_high") * 100).alias("hi"),
        )
        top_pct = float(max(rel["predicted_pct"].max() or 0, rel["hi"].max() or 0, 5)) * 1.1
        diag = (
            alt.Chart(pl.DataFrame({"a": [0.0, top_pct]}))
            .mark_line(color="#9ca3af", strokeDash=[4, 4])
            .encode(x="a:Q", y="a:Q")
        )
        pts = alt.Chart(rel).encode(
            x=alt.X("predicted_pct:Q", title=t("c_predicted_x", lg)),
            y=alt.Y("observed_pct:Q", title=t("c_observed_y", lg)),
        )
        calibration = (
            diag
            + pts.mark_rule(color="#2563eb").encode(y="lo:Q", y2="hi:Q")
            + pts.mark_line(color="#2563eb")
            + pts.mark_circle(size=120, color="#2563eb").encode(
                tooltip=[
                    alt.Tooltip("predicted_pct:Q", title=t("c_predicted", lg), format=".1f"),
                    alt.Tooltip("observed_pct:Q", title=t("c_observed", lg), format=".1f"),
                    alt.Tooltip("count:Q", title=t("c_leads", lg), format=","),
                    alt.Tooltip("converted:Q", title=t("c_became_sql", lg), format=","),
                ]
            )
        ).properties(title=t("c_calibration_title", lg), height=340)
        specs["calibration"] = ui.chart_spec(calibration, lg=lg)
    return specs


# Tabs drawn only when chosen (a fragment: choosing one reruns this section alone), so a
# first visit draws the distribution, not the grid, the calibration and its segment table.
@st.fragment
def score_quality() -> None:
    with st.spinner(t("precomputing", lg)):
        quality = data.score_quality()
        specs = quality_chart_specs(quality, current, lg)
    ui.tabs_on_demand(
        {
            t("score_distribution", lg): lambda: distribution(specs),
            t("grid", lg): lambda: grid_or_reason(quality, specs),
            t("calibration", lg): lambda: calibration(quality, specs),
        },
        key="quality_tab",
    )


def distribution(specs: dict[str, dict | None]) -> None:
    """The rule scores of today (or why there are none); without a scored attribute every
    lead is in the lowest fit grade, which the chart's colours would not say."""
    if no_interest:
        ui.no_data(no_interest)
        return
    ui.show_spec(specs["distribution"])
    if no_fit:
        ui.no_data(no_fit)


def grid_or_reason(quality: dict, specs: dict[str, dict | None]) -> None:
    """The fit x interest grid (or why there is none: it needs both grades)."""
    if no_interest or no_fit:
        ui.no_data(no_interest or no_fit)
    else:
        ui.show_spec(specs["grid"])
        st.caption(t("grid_note", lg, n=num(quality["samples"], lg)))


def calibration(quality: dict, specs: dict[str, dict | None]) -> None:
    """The calibration: its measures, the reliability chart, the segments that are off."""
    if no_interest:
        ui.no_data(no_interest)
    elif "few_outcomes" in quality:
        few = quality["few_outcomes"]
        st.info(
            t("too_few_outcomes", lg, positives=num(few["positives"], lg), n=num(few["n"], lg),
              minimum=num(MIN_TEST_OUTCOMES, lg))
        )  # fmt: skip
    elif specs["calibration"] is None:
        st.info(t("too_few", lg) + ("" if horizon is None else f" {horizon}"))
    else:
        m = quality["metrics"]
        k1, k2, k3, k4 = st.columns(4)
        k1.metric(t("brier", lg), num(m["brier"], lg, digits=3), border=True)
        k2.metric("ECE", pct(m["ece"], lg), border=True)
        k3.metric("ROC AUC", num(m["roc_auc"], lg, digits=3), border=True)
        k4.metric(t("base_rate", lg), pct(m["base_rate"], lg), border=True)
        k4.caption(
            rate_text(m["base_rate"], m["positives"], m["n"], *wilson(m["positives"], m["n"]), lg)
        )
        ui.show_spec(specs["calibration"])
        st.caption(t("calibration_note", lg, n=num(quality["n_test"], lg)))
        segments = quality["segments"]
        dims = {"source": t("source", lg), "size_band": term("fit", "size_band", lang=lg)}
        st.markdown(f"**{t('segments_title', lg)}**")
        st.caption(t("segments_note", lg, n=num(MIN_SEGMENT_LEADS, lg)))
        off = segments.filter(pl.col("off").fill_null(False))
        items = [
            t(
                "segment_off_item",
                lg,
                segment=ui.md(cfg.display_name(r["dimension"], r["segment"], lg)),
                dimension=dims.get(r["dimension"], r["dimension"]),
                predicted=pct(r["mean_predicted"], lg),
                observed=pct(r["observed"], lg),
            )
            for r in off.iter_rows(named=True)
        ]
        if items:
            st.warning(t("segments_off", lg, segments="; ".join(items)))
        else:
            st.caption(t("segments_all_ok", lg))
        ui.table(
            segments.select(
                pl.col("dimension").replace_strict(dims, default=pl.col("dimension")),
                "segment",
                pl.col("leads").alias("test_leads"),
                pl.col("converted").alias("became_sql"),
                pl.col("mean_predicted").alias("predicted_rate"),
                pl.col("observed").alias("observed_rate"),
                pl.col("ece").alias("ece_share"),
                "off",
            )
        )


score_quality()


# -- sales feedback into scoring ---------------------------------------------------------------
st.subheader(t("feedback_title", lg))
st.caption(t("feedback_note", lg))


def _reason(code: str) -> str:
    return term("reason", None if code == "(none)" else code, lang=lg)


def sales_feedback() -> None:
    """Rejection reasons by grade and the fit-point changes they suggest (or why none can
    be read: no rejection with a reason, or no scored attribute, is no verdict)."""
    if no_feedback:
        ui.no_data(no_feedback)
        return
    with st.spinner(t("precomputing", lg)):
        by_grade, suggestions = data.sales_feedback()
    for s in suggestions:
        st.info(
            t(
                "feedback_suggestion",
                lg,
                share=pct(s["share"], lg),
                reason=ui.md(_reason(s["reason"])),
                grade=s["fit_grade"],
                dimension=term("fit", s["dimension"], lang=lg),
                value=ui.md(cfg.display_name(s["dimension"], s["value"], lg)),
                now=num(s["points_now"], lg),
                new=num(s["points_new"], lg),
                kept=num(s["kept_below"], lg),
                of=num(s["of"], lg),
                lost=num(s["sqls_lost"], lg),
            )
        )
    if not suggestions:
        st.caption(t("feedback_none", lg))
    # without activities every lead has the lowest interest grade: unknown, not "4"
    by_grade = reasons.known(by_grade)
    if by_grade.height:
        ui.long_table(
            by_grade.select(
                pl.col("reason").map_elements(  # a table's cell starts with a capital
                    lambda code: ui.capital(_reason(code)), return_dtype=pl.String
                ),
                "fit_grade",
                "interest_grade",
                pl.col("rejected").alias("rejected_mqls"),
                "share_of_reason",
                "fit_grade_share_of_mqls",
            ),
            key="all-rejections-by-grade",
        )
        if no_interest:
            st.caption(f"{column_label('interest_grade', lg)}: {no_interest}")


sales_feedback()


# -- open leads and why ------------------------------------------------------------------------
st.subheader(t("lead_list_title", lg))


def open_leads() -> None:
    """Today's open leads, highest rule score first, and why (or why there is no ranking:
    without activities there is no rule score to rank by)."""
    with st.spinner(t("precomputing", lg)):
        leads, model_version, model_note = data.lead_list(lang=lg)
    if model_note:  # the saved model is not used, or not for this config or warehouse: why
        st.warning(model_note)
    if no_interest and not model_version:
        ui.no_data(no_interest)
        return
    # the model's factors stay; what the data cannot say is "–", not 0 or "D"
    leads = reasons.known(leads)
    st.caption(
        t(
            "lead_list_note",
            lg,
            n=num(leads.height, lg),
            half_life=num(cfg.scoring.decay_half_life_days, lg),
        )
        + " "
        + (
            t("lead_list_model", lg, version=model_version)
            if model_version
            else ("" if model_note else t("lead_list_no_model", lg))
        )
    )
    if no_fit:
        ui.no_data(no_fit)
    # the grades say what the points say; the download keeps the points
    ui.long_table(leads.drop("fit_points", "interest_points"), key="all-open-leads")
    ui.download(leads, "open-leads-and-why", lg)


open_leads()
