"""2 Definitions: the stages, every metric's definition and the SLA config in force."""

from __future__ import annotations

import polars as pl
import streamlit as st

from analytics.definitions import config_settings, metric_definitions
from analytics.sla_versions import month_at
from analytics.texts import term
from dashboard import data, ui
from dashboard.i18n import day, month_name, num, pct, t


def whole(points: list[float | None]) -> pl.Series:
    """Config points as whole numbers when they are (``12``, not ``12.0``)."""
    series = pl.Series(points, dtype=pl.Float64)
    integral = series.drop_nulls().is_empty() or (series.drop_nulls() % 1 == 0).all()
    return series.cast(pl.Int64) if integral else series


v = ui.view()
lg, cfg = v.lang, v.config  # the SLA version that judges the month shown
ui.header(t("definitions_title", lg))
st.caption(
    f"{cfg.sla.text('name', lg)} · {t('sla_version', lg)} {cfg.sla.version} · `{cfg.source}`"
)
if v.month:
    shown = month_name(v.month, lg)
    since = day(cfg.sla.effective_from, lg)
    words = [t("definitions_version", lg, month=shown, version=cfg.sla.version, since=since)]
    given = data.config()
    if given.content_hash != cfg.content_hash:  # the file is not the version of this month
        later = given.sla.effective_from > cfg.sla.effective_from
        words.append(
            t(
                "definitions_file_later" if later else "definitions_file_other",
                lg,
                path=f"`{given.source}`",
                file_version=given.sla.version,
                file_since=day(given.sla.effective_from, lg),
                month=shown,
            )
        )
    if v.as_of is not None:  # today's threshold: the version of as_of's month, not v.month's
        scoring = data.scoring_config()
        words.append(
            t(
                "definitions_scoring",
                lg,
                now=month_name(month_at(v.as_of, timezone=data.month_zones()), lg),
                version=scoring.sla.version,
                threshold=num(scoring.scoring.mql_threshold, lg),
            )
        )
    st.caption(" ".join(words))


def stages() -> None:
    """The funnel's stages: label, key, definition and the CRM names that map to it."""
    for name, stage in cfg.stages.items():
        aliases = f"  \n*{t('aliases', lg)}: {', '.join(stage.aliases)}*" if stage.aliases else ""
        st.markdown(
            f"#### {stage.text('label', lg)}\n`{name}`: {stage.text('definition', lg)}{aliases}"
        )


def metrics() -> None:
    """Every metric's definition, by section, and how coverage is judged."""
    definitions = metric_definitions(cfg, lang=lg)
    for section in dict.fromkeys(d.section for d in definitions):
        st.subheader(section)
        for d in definitions:
            if d.section == section:
                st.markdown(f"**{d.name}** (`{d.key}`): {d.text}")
    st.subheader(t("coverage_title", lg))
    st.markdown(t("coverage_definition", lg))
    ui.coverage_table(data.coverage(), lg)


def config_in_force() -> None:
    """The SLA config in force as readable tables: settings, KPIs, segment targets, points."""
    settings = config_settings(cfg, lang=lg)
    for section in settings["section"].unique(maintain_order=True).to_list():
        st.subheader(section)
        ui.table(settings.filter(pl.col("section") == section).drop("section"))
    st.subheader(t("kpi_table", lg))
    kpis = pl.DataFrame(
        [
            {
                "team": t(team, lg),
                "kpi": k.text("label", lg),
                "metric": k.metric,
                "direction": "≥" if k.direction == "at_least" else "≤",
                "target": pct(k.target, lg) if 0 < k.target < 1 else num(k.target, lg),
            }
            for team, k in cfg.all_kpis
        ]
    )
    ui.table(kpis)
    st.subheader(t("segment_targets", lg))
    st.caption(t("segment_targets_note", lg))
    if not cfg.goals.segments:
        ui.no_data(t("no_segment_targets", lg))
    else:
        reps = data.rep_names()

        def segment_words(by: str, value: str) -> str:
            """``Source = Webinar``: the filter and its value in words."""
            name = t(by, lg) if by in ("source", "country", "owner", "campaign") else None
            shown = reps.get(value, value) if by == "owner" else cfg.display_name(by, value, lg)
            return f"{name or term('fit', by, lang=lg)} = {shown}"

        def kpi_words(targets: dict[str, float]) -> str:
            return ", ".join(f"{ui.metric_name(m, lg)} {num(x, lg)}" for m, x in targets.items())

        ui.table(
            pl.DataFrame(
                [
                    {
                        "segment": segment_words(s.by, s.value),
                        "segment_revenue_target": s.revenue_target_monthly,
                        "segment_mql_target": s.mql_target_monthly,
                        "segment_kpi_targets": kpi_words(s.kpis) or None,
                    }
                    for s in cfg.goals.segments
                ],
                schema={"segment": pl.String, "segment_revenue_target": pl.Float64,
                        "segment_mql_target": pl.Float64, "segment_kpi_targets": pl.String},
                orient="row",
            )
        )  # fmt: skip
    st.subheader(t("fit_points", lg))
    fit_cols = st.columns(len(cfg.scoring.fit) or 1)
    for col, (dimension, points) in zip(fit_cols, cfg.scoring.fit.items(), strict=False):
        col.markdown(f"**{term('fit', dimension, lang=lg)}**")
        with col:
            values = [cfg.display_name(dimension, value, lg) for value in points]
            ui.table(pl.DataFrame({"value": values, "points": whole(list(points.values()))}))
    st.subheader(t("interest_points", lg))
    interest = cfg.scoring.interest
    ui.table(
        pl.DataFrame(
            {
                "activity": [term("activity", a, lang=lg) for a in interest.points],
                "points": whole(list(interest.points.values())),
                "cap": whole([interest.caps.get(a) for a in interest.points]),
            }
        )
    )


# a fragment: choosing a tab draws it without rerunning the page (the config tab alone
# holds some twenty tables, which a first visit need not draw)
@st.fragment
def definitions_tabs() -> None:
    ui.tabs_on_demand(
        {
            t("stages", lg): stages,
            t("metrics", lg): metrics,
            t("config_in_force", lg): config_in_force,
        },
        key="definitions_tab",
    )


definitions_tabs()
