"""At risk now: open MQLs whose SLA deadline is near or past, per rep (the rows of `sla alerts`)."""

from __future__ import annotations

import polars as pl
import streamlit as st

from analytics.alerts import (
    ALERT_KINDS,
    DEFAULT_WITHIN_DAYS,
    DEFAULT_WITHIN_HOURS,
    alert_todo,
    local_time,
    not_judged_lines,
)
from analytics.sla_history import alerts_version_note
from analytics.sla_versions import month_at
from analytics.texts import term
from dashboard import data, ui
from dashboard.i18n import moment, month_name, num, t

v = ui.view()
lg, cfg = v.lang, data.alerts_config()  # the version of the month as_of falls in
st.title(t("at_risk_title", lg))
version = f"{t('sla_version', lg)} {cfg.sla.version}"  # the alerts', not the month shown's
st.caption(f"{t('as_of', lg)} {moment(v.as_of, lg)} · {version} · {t('at_risk_caption', lg)}")
given = data.config()
if v.as_of is not None:  # another version than the file's: which one, and why
    now = month_name(month_at(v.as_of, timezone=data.month_zones()), lg)
    if note := alerts_version_note(cfg, given, month=now, lang=lg, path=f"`{given.source}`"):
        st.caption(note)

left, right = st.columns(2)
within_hours = left.number_input(
    t("within_hours", lg),
    min_value=0.0,
    max_value=720.0,
    value=DEFAULT_WITHIN_HOURS,
    step=1.0,
    format="%.0f",
    key="alert_hours",
)
within_days = right.number_input(
    t("within_days", lg),
    min_value=0.0,
    max_value=60.0,
    value=DEFAULT_WITHIN_DAYS,
    step=1.0,
    format="%.0f",
    key="alert_days",
)
found = data.alerts(float(within_hours), float(within_days))
stops = {"stopped": found.get("touches_stopped"), "events_stopped": found.get("lifecycle_stopped")}
for line in not_judged_lines(
    found["missing"], **stops, after_import=found.get("after_import"), lang=lg
):
    st.info(line, icon=":material/info:")
alerts, by_rep = found["alerts"], found["by_rep"]
if alerts is None or alerts.is_empty():
    if len(found["missing"]) < len(ALERT_KINDS):  # no verdict when no kind can be judged
        st.success(t("no_alerts", lg), icon=":material/check_circle:")
    st.stop()

counts = found["counts"]  # the library's, as `sla alerts` reports them
ui.tiles(
    [
        ui.Tile(t("alerts_overdue", lg), num(counts["overdue"], lg)),
        ui.Tile(t("alerts_at_risk", lg), num(counts["at_risk"], lg)),
        ui.Tile(t("alerts_reps", lg), num(by_rep["rep_id"].drop_nulls().n_unique(), lg)),
    ]
)

st.subheader(t("alerts_by_rep", lg))
# a kind the data cannot judge (its table missing, said above) is null per rep: "–", not 0
by_rep = ui.unassigned(by_rep, lg)  # leads without an owner: their own row, so named
ui.static_table(by_rep.select("rep_name", "team", "overdue", "at_risk", "total", *ALERT_KINDS))

st.subheader(t("alerts_list", lg))
rows = ui.unassigned(alerts, lg).to_dicts()
shown = pl.DataFrame(
    {
        "alert_status": [term("alert_status", r["status"], lang=lg) for r in rows],
        "alert_kind": [term("alert_kind", r["kind"], lang=lg) for r in rows],
        "lead_id": [r["lead_id"] for r in rows],
        "company": [r["company"] for r in rows],
        "rep_name": [r["rep_name"] for r in rows],
        "todo": [alert_todo(r, config=cfg, lang=lg) for r in rows],
        "hours_left": [r["hours_left"] for r in rows],
        "deadline_local": [local_time(r["deadline_local"], lg) for r in rows],
    },
    schema_overrides={"hours_left": pl.Float64},
)
ui.table(shown)
ui.download(
    alerts.with_columns(pl.col("deadline_local").dt.to_string("%Y-%m-%dT%H:%M%z")),
    "at-risk-now",
    lg,
)
