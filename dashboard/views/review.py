"""Monthly review: the meeting's agenda, one section per part, this month beside the last."""

from __future__ import annotations

import polars as pl
import streamlit as st

from analytics.goals import whole_need
from analytics.kpis import POINT_IN_TIME
from analytics.pack.render import (
    Footnotes,
    breach_view,
    pack_breaches,
    sla_view,
    untested_rows,
)
from analytics.texts import p_value, render, term
from analytics.timeframe import shift_month
from dashboard import data, ui
from dashboard.i18n import day, month_name, num, pct, t

v = ui.view()
lg = v.lang
with st.spinner(t("building_pack", lg)):
    pack = data.pack(v.month, v.segment)
review, cfg = pack.review, pack.config
prev = shift_month(v.month, -1)
ui.header(t("review_title", lg, month=month_name(v.month, lg)), v)
ui.last_import_notes(lg)
earliest = cfg.sla.effective_from > review.window.first_day  # no version was in force then
label = review.comparison_label(lang=lg, month_text=lambda m: month_name(m, lg))
st.caption(
    t(
        "review_sla_earliest" if earliest else "review_sla",
        lg,
        version=cfg.sla.version,
        since=day(cfg.sla.effective_from, lg),
    )
    + (f" {label}" if label else "")
)

PARTS = [
    ("goals", "nav_goals"),
    ("definitions", "nav_definitions"),
    ("qualification", "nav_qualification"),
    ("handoffs", "nav_handoffs"),
    ("nurturing", "nav_nurturing"),
    ("management", "nav_management"),
    ("kpis", "nav_kpis"),
    ("actions", "actions"),
]
#: The metrics each part of the meeting looks at (this month beside the previous one).
PART_METRICS = {
    "goals": ["won_revenue", "deals_won", "opportunities", "sqls", "mqls", "leads", "visitors"],
    "qualification": ["mqls", "lead_to_mql", "mql_to_sql", "mql_rejection_rate"],
    "handoffs": [
        "handoff_compliance", "median_hours_to_first_touch", "premature_recycles",
        "stale_leads", "recycled_enrolled_in_time",
    ],
    "nurturing": ["remql_rate", "recycled_enrolled_in_time"],
    "management": ["cadence_compliance", "attempts_per_mql"],
}  # fmt: skip

# -- agenda and export ----------------------------------------------------------------------------
left, right = st.columns([2, 1])
with left:
    st.subheader(t("agenda", lg))
    st.markdown(
        "\n".join(
            f"{i}. [{t(key, lg).lstrip('0123456789 ')}](#{anchor})"
            for i, (anchor, key) in enumerate(PARTS, start=1)
        )
    )
with right:
    st.subheader(t("export", lg))
    st.caption(t("export_note", lg))
    name = f"sla-review-{v.month}"
    # the pack in the UI language: its words, numbers and dates
    st.download_button(
        "HTML", lambda: data.pack_file(v.month, v.segment, "html", lang=lg),
        file_name=f"{name}.html", mime="text/html", icon=":material/download:", key="pack-html",
    )  # fmt: skip
    st.download_button(
        "Markdown", lambda: data.pack_file(v.month, v.segment, "md", lang=lg),
        file_name=f"{name}.md", mime="text/markdown", icon=":material/download:", key="pack-md",
    )  # fmt: skip
    st.download_button(
        "PDF", lambda: data.pack_file(v.month, v.segment, "pdf", lang=lg),
        file_name=f"{name}.pdf", mime="application/pdf", icon=":material/download:",
        key="pack-pdf",
    )  # fmt: skip
    st.download_button(
        "Excel", lambda: data.pack_file(v.month, v.segment, "xlsx", lang=lg),
        file_name=f"{name}.xlsx", icon=":material/table_view:", key="pack-xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )  # fmt: skip


def compare(metrics: list[str], targets: dict[str, float] | None = None) -> None:
    """This month beside the previous one, with the change and the KPI status if any; why a
    value is unknown is said once below the table, its mark in the cell it explains (as the
    pack says it: :class:`~analytics.pack.render.Footnotes`)."""
    kpi = {r["metric"]: r for r in pack.kpis.iter_rows(named=True)}
    targets = targets or {}
    now, before = review.kpi_values, pack.previous_values or {}
    notes = Footnotes()
    rows = []
    for m in metrics:
        row = kpi.get(m, {})
        value = now.get(m)
        # a KPI's previous as judged, another metric's as the pack compares it (a running
        # month, a point-in-time count and a maturing rate with nothing)
        old = row.get("previous") if m in kpi else before.get(m)
        # none where the SLA measures it differently than last month (the reason says so)
        unlike = review.change_reason(m) is not None
        change = None if value is None or old is None or unlike else value - old
        cells = {
            "previous": ui.fmt_metric(m, old, lg, currency=cfg.reporting.currency),
            "current": ui.fmt_metric(m, value, lg, currency=cfg.reporting.currency),
            "change": ui.fmt_change(m, change, lg) or "–",
            "status": t(row["status"], lg) if row.get("status") else "",
        }
        for reason, cell in unknown_why(m, row, value, old):
            if cells[cell] != "–" and m not in review.maturing():  # a KPI not judged on a value
                cell = "status" if cell == "current" else "current"
            cells[cell] += notes.mark(reason)
        rows.append(
            {
                t("metric", lg): ui.kpi_label(row, lg) if row else ui.metric_name(m, lg),
                month_name(prev, lg): cells["previous"],
                month_name(v.month, lg): cells["current"],
                t("change", lg): cells["change"],
                t("counts", lg): ui.metric_detail(review, m, lg),
                t("target", lg): f"{t('sla_commitment', lg)} {ui.fmt_metric(m, row['target'], lg)}"
                if row
                else f"{t('revenue_goal' if m == 'won_revenue' else 'needed_for_goal', lg)} "
                + ui.fmt_metric(m, targets[m], lg, currency=cfg.reporting.currency)
                if targets.get(m) is not None
                else "",
                t("status", lg): cells["status"],
            }
        )
    ui.text_table(pl.DataFrame(rows))
    ui.footnotes(notes.flush())


def unknown_why(metric: str, row: dict, value: object, old: object) -> list[tuple[str, str]]:
    """Why the "–" (or a status "no data") of :func:`compare` are unknown, each with the
    cell it explains (``current``, ``previous`` or ``change``): this month's reason (or that
    a rate's window is still open, or that the SLA measures it differently now), and the
    previous month's (or that a running month is not compared); none when all is known."""
    notes = []
    if row.get("reason") is not None:  # a KPI not judged: the review says why
        if why := review.kpi_reason(row, lang=lg):
            notes.append((why, "current"))
    elif value is None:
        notes.append((review.value_reason(metric, lang=lg), "current"))
    elif metric in review.maturing():  # the rate so far of a window still open: not compared
        why = t("immature_not_compared", lg, days=num(cfg.recycle.remql_window_days, lg))
        return [(why, "current"), (why, "previous")]
    elif why := review.change_reason(metric, lang=lg):  # measured differently last month
        return [(why, "change")]
    if old is None:
        notes.append((previous_why(metric, notes[0][0] if notes else None), "previous"))
    return notes


def previous_why(metric: str, now: str | None) -> str:
    """Why the previous month of :func:`compare` has no value of ``metric``; ``now``, this
    month's reason, when it is the same (one note for both)."""
    if review.running:
        return render("coverage.not_compared", lang=lg)
    if metric in POINT_IN_TIME:  # counted at the moment judged: a past month has none
        return render("coverage.point_in_time", lang=lg)
    if pack.previous is None:
        return render("coverage.no_value", lang=lg)
    why = pack.previous.metric_reason(metric, lang=lg) or render("coverage.no_value", lang=lg)
    if why == now:
        return why
    return render("coverage.previous", lang=lg, month=month_name(prev, lg), reason=why)


def section(anchor: str, key: str, number: int) -> None:
    title = t(key, lg).lstrip("0123456789 ")  # the page names carry their number already
    st.header(f"{number}. {title}", anchor=anchor, divider="gray")


section("goals", "nav_goals", 1)
paced = review.pacing.filter(pl.col("period") == "month")
month_targets = {
    s: whole_need(s, x) for s, x in review.targets.select("stage", "target").iter_rows()
}
compare(PART_METRICS["goals"], month_targets)
if rates_note := review.rates_note(lang=lg):  # the needs' rates leave out a cut month
    ui.no_data(rates_note)
if paced.height:
    share = paced["elapsed_share"].max()
    st.caption(t("month_elapsed", lg, share=pct(share, lg, digits=0)))

section("definitions", "nav_definitions", 2)
sla = sla_view(pack, lang=lg)  # what the pack's section on the SLA says, in its words
for line in sla["zones"]:  # where the month starts or ends at a change of time zone
    st.info(line)
if sla["since"]:
    st.markdown(t("sla_changed", lg))
    st.markdown("\n".join(f"- {ui.md(c)}" for c in sla["since"]))
else:
    st.markdown(t("sla_unchanged", lg, version=cfg.sla.version))
for change in sla["in_month"]:  # a version that took effect inside the month
    st.warning(change["title"])
    st.markdown("\n".join(f"- {ui.md(line)}" for line in change["lines"]))
    st.caption(change["judged"])  # which version judges the part after it
    ui.text_table(pl.DataFrame(change["rows"]))

section("qualification", "nav_qualification", 3)
compare(PART_METRICS["qualification"])

section("handoffs", "nav_handoffs", 4)
compare(PART_METRICS["handoffs"])
if pack.breaches.height:
    # the pack's breaches, their units and details in the UI language
    breaches = pack_breaches(pack, lang=lg)
    st.markdown(f"**{t('top_breaches', lg)}**")
    ui.static_table(breaches, whole=True)  # the pack's few largest of each kind
    ui.download(breaches, f"top-breaches-{v.month}", lg)
listed = breach_view(pack, lang=lg)  # as the pack: the kinds the data cannot list, and why
for sentence in [*listed["unknown"], *([listed["note"]] if listed["note"] else [])]:
    st.caption(sentence)
if review.measurable("handoff") and review.at_risk.height:  # not breaches: listed apart
    st.markdown(f"**{t('at_risk_first_touch', lg)}**")
    st.caption(t("at_risk_note", lg))
    ui.long_table(ui.named(review.at_risk), key="all-review-at-risk")

section("nurturing", "nav_nurturing", 5)
compare(PART_METRICS["nurturing"])

section("management", "nav_management", 6)
compare(PART_METRICS["management"])

section("kpis", "nav_kpis", 7)
for team in ("marketing", "sales"):
    rows = pack.kpis.filter(pl.col("team") == team).to_dicts()
    if rows:
        st.markdown(f"**{t(team, lg)}**")
        ui.kpi_tiles(rows, review, lg)
significant = pack.significant


def _tested(share: float | None, x: float | None, n: float | None, kind: str) -> str:
    """A tested value as people read it: ``81,3 % (768 / 945)``, ``206.594 (6.664,3 pro Tag)``."""
    if kind == "rate":
        return f"{pct(share, lg)} ({num(x, lg)} / {num(n, lg)})"
    return f"{num(x, lg)} ({t('per_day', lg, n=num(share, lg, digits=1))})"


if significant.height:
    st.markdown(f"**{t('significant', lg, alpha=pct(pack.alpha, lg, digits=0))}**")
    rows = significant.iter_rows(named=True)
    ui.static_table(
        pl.DataFrame(
            [
                {
                    "label": ui.metric_name(r["metric"], lg),
                    "kind": r["kind"],
                    "previous": _tested(r["previous"], r["previous_x"], r["previous_n"], r["kind"]),
                    "current": _tested(r["current"], r["current_x"], r["current_n"], r["kind"]),
                    "p_value": p_value(r["p_value"], lg),
                    "is_better": r["is_better"],
                }
                for r in rows
            ]
        ),
        right=("previous", "current", "p_value"),
        whole=True,  # one row per tested measure
    )

for row in untested_rows(pack, lang=lg):  # measured differently last month: not tested
    st.caption(row["sentence"])

section("actions", "actions", 8)
if not pack.actions:
    ui.all_clear(pack.review.kpis, lg, segmented=bool(pack.review.segment))
for i, item in enumerate(pack.actions, start=1):
    text, evidence = (ui.md(words) for words in item.render(lang=lg))  # rep and reason names
    with st.container(border=True):
        st.markdown(f"**{i}. {text}**  \n:small[{t(item.team, lg)} · {evidence}]")
actions = pl.DataFrame([a.to_json_dict(lang=lg) for a in pack.actions]) if pack.actions else None
if actions is not None:
    ui.download(actions, f"action-items-{v.month}", lg)
at_risk_count = (
    [f"{t('at_risk_first_touch', lg)} {num(pack.review.at_risk_count(), lg)}"]
    if pack.review.measurable("handoff")
    else []
)  # pending first touches: at risk, not breaches (unknown once the touches stopped)
st.caption(t("breach_totals", lg) + ": " + ", ".join(
    [f"{term('breach.title', k, lang=lg)} {'–' if n is None else num(n, lg)}"
     for k, n in pack.breach_totals.items()]
    + at_risk_count
))  # fmt: skip
