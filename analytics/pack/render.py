"""The review pack as a document: HTML (self-contained, print-ready), PDF and Markdown.

Templates (jinja2, autoescaped) live in ``analytics/pack/templates``; they only display
what :class:`~analytics.pack.build.ReviewPack` holds, through the formatting filters of
:mod:`analytics.pack.formatting`. Charts are Vega-Lite specs built with altair and
rendered to inline SVG by vl-convert (no network, no JavaScript). The PDF is the HTML
printed by a real browser engine: Debian's ``chromium`` in headless mode, with
JavaScript switched off (:func:`html_to_pdf`). The HTML carries a Content-Security-Policy
that lets it load nothing (``default-src 'none'``; inline styles and ``data:`` images
only), and the Markdown escapes every value it prints
(:func:`~analytics.pack.formatting.escape_markdown`).

Every format is written in English or German (``lang``): the templates' words are the
``pack.*`` texts of :mod:`analytics.texts` (``w("section.goals")``), the pack's own texts
(action items, promises, breaches) render in the same language, and numbers and dates
are written in the language's style (``1.234,5``, ``12,3 %``, ``05.10.2026``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any, Literal

import polars as pl

from analytics.goals import whole_need
from analytics.pack.build import BREACH_TITLES, ReviewPack, top_breaches
from analytics.pack.formatting import (
    escape_markdown,
    format_change,
    format_count,
    format_counts,
    format_decimal,
    format_metric,
    format_p,
    format_share,
    told_apart,
)
from analytics.review import pacing_group
from analytics.sla_history import boundary_text
from analytics.texts import Lang, check_lang, day, metric_label, moment, number, render, term

PackFormat = Literal["html", "pdf", "md", "xlsx"]
PACK_FORMATS: tuple[str, ...] = ("html", "pdf", "md", "xlsx")

#: Funnel stages in order (labels: ``analytics.texts.metric_label``), with the conversion
#: rate from each to the next.
FUNNEL: tuple[tuple[str, str | None], ...] = (
    ("visitors", "visitor_to_lead"),
    ("leads", "lead_to_mql"),
    ("mqls", "mql_to_sql"),
    ("sals", None),
    ("sqls", "sql_to_opportunity"),
    ("opportunities", "opportunity_to_won"),
    ("deals_won", None),
    ("won_revenue", None),
)

STAGES: tuple[str, ...] = tuple(stage for stage, _ in FUNNEL)


#: The charts' font (installed with chromium on Debian; the page's first choice too).
CHART_FONT = "DejaVu Sans"


class PackRenderError(RuntimeError):
    """The pack cannot be rendered in the asked format (e.g. no chromium for PDF)."""


_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


class Footnotes:
    """The reasons of one table, each said once below it instead of in every row it
    explains: :meth:`mark` numbers a reason (the same reason, the same mark), :meth:`flush`
    gives the notes in order and starts over for the next table.

    >>> notes = Footnotes()
    >>> notes.mark("no web traffic"), notes.mark("no touches"), notes.mark("no web traffic")
    ('¹', '²', '¹')
    >>> notes.flush()
    [('¹', 'no web traffic'), ('²', 'no touches')]
    >>> notes.mark("no touches"), Footnotes().mark("x" * 3) == "¹"
    ('¹', True)
    """

    def __init__(self) -> None:
        self._numbers: dict[str, int] = {}

    def mark(self, reason: str) -> str:
        """The superscript number of ``reason`` in this table."""
        number = self._numbers.setdefault(reason, len(self._numbers) + 1)
        return str(number).translate(_SUPERSCRIPT)

    def flush(self) -> list[tuple[str, str]]:
        """(mark, reason) of every reason marked since the last flush, in order."""
        notes = [(str(n).translate(_SUPERSCRIPT), reason) for reason, n in self._numbers.items()]
        self._numbers = {}
        return notes


# -- view data (reshaping only: every number comes from the pack) ----------------------


def funnel_rows(pack: ReviewPack, *, lang: Lang = "en") -> list[dict[str, Any]]:
    """The funnel table: stage, this month, previous month, conversion to the next stage;
    ``reason`` and ``rate_reason`` (one sentence in ``lang``) where the month's data cannot
    answer the stage's volume or its rate, else None."""
    review = pack.review
    conversion = {r["metric"]: r for r in review.conversion.iter_rows(named=True)}
    rows = []
    for stage, rate in FUNNEL:
        conv = conversion.get(rate) if rate else None
        value = review.volumes.get(stage)
        known = conv is not None and conv.get("rate") is not None
        why = None if value is not None else review.metric_reason(stage, lang=lang)
        rate_why = (
            None if not rate
            else review.share_reason(rate, lang=lang) if known  # 300 %: no share, no interval
            else review.metric_reason(rate, lang=lang)
        )  # fmt: skip
        rows.append(
            {
                "stage": stage,
                "label": metric_label(stage, lang=lang),
                "value": value,
                "previous": pack.previous.volumes.get(stage),
                "rate_name": metric_label(rate, lang=lang) if rate else "",
                "rate": conv,
                "reason": why,
                "rate_reason": None if rate_why == why else rate_why,  # said once
            }
        )
    return rows


def pacing_rows(pack: ReviewPack, *, lang: Lang = "en") -> list[dict[str, Any]]:
    """The goal-pacing table of the review, month first, then the quarter; a row the data
    cannot answer has ``reason`` (one sentence in ``lang``), the others ``reason`` None."""
    frame = pack.review.pacing
    if frame.is_empty():
        return []
    order = {"month": 0, "quarter": 1}
    rows = frame.to_dicts()
    rows.sort(key=lambda r: order.get(r["period"], 9))
    review = pack.review
    for r in rows:
        r["label"] = metric_label(r["stage"], lang=lang) if r["stage"] in STAGES else r["stage"]
        for need in ("target", "expected_to_date"):  # 30 deals, as the app shows
            r[need] = whole_need(r["stage"], r.get(need))
        if r.get("forecast") is not None:  # whole deals, MQLs ... and EUR, as the app shows
            r["forecast"] = float(round(r["forecast"]))
        # unknown is "–" with the reason, never a number (spec/coverage.md)
        group = pacing_group(r["stage"])
        r["reason"] = None
        if r.get("actual") is None and not review.measurable_over(group, r["period"]):
            r["reason"] = review.period_reason(group, r["period"], lang=lang)
        elif r.get("target") is None and review.segment:
            r["reason"] = render("coverage.segment", lang=lang)
        elif r.get("target") is None and r["stage"] != "won_revenue":
            # each stage's need is the revenue goal / the average deal, back up the funnel
            # (as the Shared goals page says): the first rate on the way that is unknown
            r["reason"] = review.need_reason(r["stage"], lang=lang) or render(
                "coverage.no_value", lang=lang
            )
    return rows


def pack_breaches(pack: ReviewPack, *, lang: Lang = "en") -> pl.DataFrame:
    """The pack's top breaches, their units and details in ``lang``."""
    if lang == "en":
        return pack.breaches
    return top_breaches(pack.review, pack.config, names=pack.rep_names, top=pack.top, lang=lang)


def breach_groups(pack: ReviewPack, *, lang: Lang = "en") -> list[dict[str, Any]]:
    """The top breaches grouped by kind, with how many there are in all."""
    breaches = pack_breaches(pack, lang=lang)
    groups = []
    for kind in BREACH_TITLES:
        rows = breaches.filter(pl.col("kind") == kind).to_dicts()
        total = pack.breach_totals.get(kind, 0)
        if total:
            title = render(f"breach.title.{kind}", lang=lang)
            groups.append({"kind": kind, "title": title, "rows": rows, "total": total})
    return groups


def scorecard_status(pack: ReviewPack, row: Any, *, lang: Lang = "en") -> tuple[str, str]:
    """(status, reason) of a scorecard row as every format shows it: the status in words,
    or ``no target`` for a promise without a KPI; the reason why it is not judged or has
    no value ('' when it is judged)."""
    word = (
        term("status", row.status, lang=lang) if row.status else render("pack.no_target", lang=lang)
    )
    unknown = row.status == "no_data" or (row.status is None and row.actual is None)
    why = pack.review.kpi_reason(
        {"metric": row.metric, "reason": "-" if unknown else None, "target": row.target},
        lang=lang,
    )
    return word, why or ""


def breach_view(pack: ReviewPack, *, lang: Lang = "en") -> dict[str, Any]:
    """The breach section: the kinds with breaches, the kinds the data cannot measure (with
    why), and the sentence when no breach is listed.

    "No breach" is said only when every kind was measured and had none; a kind whose
    measure group (:data:`analytics.coverage.BREACH_GROUPS`) the month cannot answer is
    unknown, never none (spec/coverage.md).

    Returns
    -------
    dict: ``groups`` (:func:`breach_groups`), ``unknown`` (one sentence per reason, naming
    its kinds: ``Speed to lead missed, Never contacted: not measurable this month. No sales
    touches ...``, and what touches or lifecycle events that stopped leave unjudged:
    :meth:`~analytics.review.Review.touches_note`,
    :meth:`~analytics.review.Review.lifecycle_note`) and ``note`` (``No breach of the SLA
    this month.``, or, when some kinds are unknown and the others had none, that no
    measurable promise was breached; None when breaches are listed or nothing could be
    measured).
    """
    review = pack.review
    groups = breach_groups(pack, lang=lang)
    by_reason: dict[str, list[str]] = {}
    for kind in BREACH_TITLES:
        if kind in pack.breach_totals and pack.breach_totals[kind] is None:
            why = review.breach_reason(kind, lang=lang) or ""
            by_reason.setdefault(why, []).append(render(f"breach.title.{kind}", lang=lang))
    unknown = [
        render("pack.breach_unknown", lang=lang, titles=", ".join(titles), reason=why)
        for why, titles in by_reason.items()
    ]
    if note := review.touches_note(lang=lang):  # what the stopped touches leave unjudged
        unknown.append(note)
    # what the stopped lifecycle events leave uncounted (once: a stale list unknown for
    # that reason alone has said it)
    if (note := review.lifecycle_note(lang=lang)) and not any(note in s for s in unknown):
        unknown.append(note)
    measured = [k for k, n in pack.breach_totals.items() if n is not None]
    note = None
    if not groups and not unknown:
        note = render("pack.no_breach", lang=lang)
    elif not groups and measured:
        note = render("pack.no_breach_measured", lang=lang)
    return {"groups": groups, "unknown": unknown, "note": note}


def at_risk_rows(pack: ReviewPack, *, lang: Lang = "en") -> list[dict[str, Any]]:
    """The month's MQL episodes at risk (untouched, first-touch deadline not passed at the
    as-of date: not breaches), soonest deadline first: ``lead_id``, ``rep`` (the owner's
    name, or "unassigned"), ``deadline`` and ``hours_left`` as text in ``lang``."""
    review = pack.review
    frame = getattr(review, "at_risk", None)
    if frame is None or frame.is_empty() or not review.measurable("handoff"):
        return []
    names = pack.rep_names
    unassigned = render("coverage.unassigned", lang=lang)
    return [
        {
            "lead_id": r["lead_id"],
            "rep": names.get(r["owner_rep_id"], r["owner_rep_id"]) if r["owner_rep_id"]
            else unassigned,
            "deadline": moment(r["deadline_at"], lang),
            "hours_left": format_decimal(r["hours_left"], lang),
        }
        for r in frame.iter_rows(named=True)
    ]  # fmt: skip


def warning_view(pack: ReviewPack, *, lang: Lang = "en") -> dict[str, Any]:
    """ "Did the warnings work?" of the month: per rep a sentence and its counts, or, when
    nothing can be said, ``note`` (one sentence: no send log, no handoff data, none warned).

    Returns
    -------
    dict: ``note`` (str or None) and ``rows`` (``rep``, ``warned``, ``met``, ``missed``,
    ``pending``, ``sentence``), reps most warned first.
    """
    review = pack.review
    frame = getattr(review, "warnings", None)
    if frame is None:
        return {"note": render("pack.warnings.no_log", lang=lang, command="sla notify"), "rows": []}
    if not review.measurable("handoff"):
        return {"note": review.reason("handoff", lang=lang), "rows": []}
    if frame.is_empty():
        return {"note": render("pack.warnings.none", lang=lang), "rows": []}
    rows = []
    for r in frame.sort(["warned", "rep_id"], descending=[True, False]).iter_rows(named=True):
        rep = r["rep_name"] or r["rep_id"] or render("coverage.unassigned", lang=lang)
        counts = {k: format_count(r[k], lang) for k in ("warned", "met", "missed", "pending")}
        code = "pack.warnings.rep_one" if r["warned"] == 1 else "pack.warnings.rep"
        rows.append({**r, "rep": rep, "sentence": render(code, lang=lang, rep=rep, **counts)})
    return {"note": None, "rows": rows}


def assignment_view(pack: ReviewPack, *, lang: Lang = "en") -> dict[str, Any]:
    """Assignment delay vs rep delay of the month, per rep with an assignment time; or,
    when there is none, ``note`` (one sentence: no handoff data, no ``assigned_at``).

    Returns
    -------
    dict: ``note`` (str or None) and ``rows`` (``rep``, ``episodes``, ``with_assignment``,
    ``median_routing_hours``, ``median_rep_hours``), by rep id.
    """
    review = pack.review
    frame = getattr(review, "assignment_by_rep", None)
    if not review.measurable("handoff"):
        return {"note": review.reason("handoff", lang=lang), "rows": []}
    if frame is None or not (getattr(review, "assignment", None) or {}).get("with_assignment"):
        note = render("pack.assignment.none", lang=lang, column="leads.assigned_at")
        return {"note": note, "rows": []}
    unassigned = render("coverage.unassigned", lang=lang)
    rows = [
        {**r, "rep": r["rep_name"] or r["rep_id"] or unassigned}
        for r in frame.filter(pl.col("with_assignment") > 0).iter_rows(named=True)
    ]
    return {"note": None, "rows": rows}


def split_rows(change: Any, *, judged_by: str, lang: Lang = "en") -> list[dict[str, str]]:
    """The month split at a version taking effect inside it (:class:`InMonthChange
    <analytics.pack.build.InMonthChange>`), as every format shows it: one row per part,
    column label -> the cell's text in ``lang``, the last column naming the version that
    judged the part (the month's, also after the change)."""

    def w(code: str, **params: Any) -> str:
        return render(f"pack.{code}", lang=lang, **params)

    def share(metric: str, value: Any, x: Any, n: Any) -> str:
        return f"{format_metric(metric, value, lang=lang)} ({format_counts(x, n, lang)})"

    return [
        {
            w("col.part"): term("split", s["part"], lang=lang),
            w("col.days"): f"{day(s['first_day'], lang)} – {day(s['last_day'], lang)}",
            w("col.mqls"): format_count(s["mql_episodes"], lang),
            w("col.mqls_per_day"): format_decimal(s["mqls_per_day"], lang),
            w("col.speed_to_lead"): share(
                "handoff_compliance", s["handoff_compliance"], s["handoff_met"],
                s["handoff_judged"],
            ),
            w("col.cadence_held"): share(
                "cadence_compliance", s["cadence_compliance"], s["cadence_held"],
                s["cadence_judged"],
            ),
            w("col.judged_by"): w("sla.version_short", version=judged_by),
        }
        for s in change.split.iter_rows(named=True)
    ]  # fmt: skip


def kpi_note(pack: ReviewPack, *, lang: Lang = "en") -> str:
    """Which version judged the previous month's column of the KPI table (that month's own,
    or the earliest recorded when none was in force then)."""
    previous, version = pack.previous, pack.previous_config.sla
    if version.effective_from > previous.window.first_day:
        return render(
            "pack.kpi_note_earliest",
            lang=lang,
            month=previous.month,
            version=version.version,
            day=day(version.effective_from, lang),
        )
    return render("pack.kpi_note", lang=lang, month=previous.month, version=version.version)


def sla_view(pack: ReviewPack, *, lang: Lang = "en") -> dict[str, Any]:
    """The pack's section on the SLA, as every format says it (md, html, the workbook, the
    Monthly review page): the version that judges the month, what changed since the last
    review, and each version that took effect inside the month, with what it changed, which
    version judges the month after it, and the month before and after it.

    Returns
    -------
    dict: ``version`` (one sentence: name, version, in force from, content hash),
    ``since_title`` and ``since`` (the changes since the last review, one line each; empty:
    none), ``in_month`` (per change: ``title``, ``lines``, ``judged`` (the sentence on
    which version judges the part after it) and ``rows``, :func:`split_rows`), ``zones``
    (where the month starts or ends at a change of the reporting time zone, one sentence
    each: :func:`analytics.sla_history.boundary_text`; empty: none).
    """
    config = pack.config

    def w(code: str, **params: Any) -> str:
        return render(f"pack.{code}", lang=lang, **params)

    digest = w("sla.hash", hash=config.content_hash[:12]) if config.content_hash else ""
    version = (
        f"{w('sla.version_of', name=config.sla.text('name', lang))} {config.sla.version}"
        f"{w('sla.in_force', day=day(config.sla.effective_from, lang))}{digest}."
    )
    in_month = []
    for c in pack.in_month:
        after = c.change.after.sla.version
        when = day(c.change.effective_from, lang)
        in_month.append(
            {
                "title": w("sla.changed_during", month=pack.month, version=after, day=when),
                "lines": c.lines(lang=lang),
                "judged": w("sla.judged_by", version=config.sla.version, new=after, day=when),
                "rows": split_rows(c, judged_by=config.sla.version, lang=lang),
            }
        )
    return {
        "version": version,
        "since_title": w(
            "sla.changed_since", month=pack.previous.month, version=pack.previous_config.sla.version
        ),
        "since": pack.sla_change_lines(lang=lang),
        "in_month": in_month,
        "zones": [boundary_text(b, lang=lang) for b in pack.boundaries],
    }


def change_sentence(row: dict[str, Any], *, lang: Lang = "en", reason: str | None = None) -> str:
    """A tested change in words: ``Speed-to-lead compliance rose from 75 % (21 / 28) ...``;
    a change not tested (``comparable`` false) with its ``reason``: ``Speed-to-lead
    compliance: 84 % (57 / 68) -> 45 % (25 / 56); not compared: the SLA measures it ...``."""
    verb = row["direction"] if row["direction"] in ("up", "down", "same") else "changed"
    if row.get("comparable") is False:
        verb = "not_compared"
    if row["kind"] == "rate":
        shares = told_apart(row["previous"], row["current"], format_share, lang, digits=0)
        before, after = (
            f"{share} ({format_counts(row[x], row[n], lang)})"
            for share, x, n in zip(
                shares, ("previous_x", "current_x"), ("previous_n", "current_n"), strict=True
            )
        )
    else:
        per_day = told_apart(row["previous"], row["current"], format_decimal, lang, digits=1)
        before, after = (
            render("pack.change.a_day", lang=lang, count=format_count(row[x], lang), rate=rate)
            for rate, x in zip(per_day, ("previous_x", "current_x"), strict=True)
        )
    return render(
        f"pack.change.{verb}",
        lang=lang,
        label=metric_label(row["metric"], lang=lang),
        before=before,
        after=after,
        test=render(f"pack.change.test.{row['kind']}", lang=lang),
        p=format_p(row["p_value"], lang),
        reason=reason or "",
    )


def untested_rows(pack: ReviewPack, *, lang: Lang = "en") -> list[dict[str, Any]]:
    """The changes not tested because the SLA measures them differently since the previous
    month (a new first-touch line), each with its sentence and reason in ``lang``."""
    rows = pack.changes.filter(pl.col("comparable").not_()).iter_rows(named=True)
    out = []
    for r in rows:
        why = pack.review.change_reason(r["metric"], lang=lang) or ""
        out.append({**r, "reason": why, "sentence": change_sentence(r, lang=lang, reason=why)})
    return out


# -- charts --------------------------------------------------------------------------


def chart_specs(pack: ReviewPack, *, lang: Lang = "en") -> dict[str, dict[str, Any]]:
    """Vega-Lite specs (altair) of the pack's charts, by name: funnel, pacing, handoff_by_rep."""
    import altair as alt

    def words(code: str) -> str:
        return render(f"pack.chart.{code}", lang=lang)

    labels = {stage: metric_label(stage, lang=lang) for stage in STAGES}
    specs: dict[str, dict[str, Any]] = {}
    stages = [s for s in STAGES if s not in ("visitors", "won_revenue")]
    prev_label = pack.previous.month
    # a volume the data cannot count is left out, never drawn as 0 (the table gives why)
    funnel = pl.DataFrame(
        [
            {"stage": labels[s], "month": label, "count": volumes[s]}
            for s in stages
            for label, volumes in (
                (prev_label, pack.previous.volumes),
                (pack.month, pack.review.volumes),
            )
            if volumes.get(s) is not None
        ],
        schema={"stage": pl.String, "month": pl.String, "count": pl.Int64},
    )
    order = [labels[s] for s in stages]
    if funnel.height:
        specs["funnel"] = (
            alt.Chart(funnel, title=words("funnel"))
            .mark_bar()
            .encode(
                y=alt.Y("stage:N", sort=order, title=None),
                yOffset=alt.YOffset("month:N", sort=[prev_label, pack.month]),
                x=alt.X("count:Q", title=words("leads")),
                color=alt.Color(
                    "month:N",
                    sort=[prev_label, pack.month],
                    scale=alt.Scale(range=["#b8c4d6", "#2f5d8a"]),
                    legend=alt.Legend(orient="bottom", title=None),
                ),
            )
            .properties(width=440, height=220)
            .to_dict()
        )
    pacing = pack.review.pacing.filter(
        (pl.col("period") == "month") & pl.col("pace").is_not_null()
    ).with_columns(pl.col("stage").replace_strict(labels, default=pl.col("stage")))
    if pacing.height:
        bars = (
            alt.Chart(pacing, title=words("pacing"))
            .mark_bar(color="#2f5d8a")
            .encode(
                y=alt.Y("stage:N", sort=None, title=None),
                x=alt.X("pace:Q", title=words("pace_axis")),
            )
        )
        rule = alt.Chart(pl.DataFrame({"x": [1.0]})).mark_rule(color="#c0392b").encode(x="x:Q")
        specs["pacing"] = (bars + rule).properties(width=440, height=160).to_dict()
    by_rep = pack.review.handoff_by_rep.filter(pl.col("n") > 0)
    if by_rep.height:
        unassigned = render("coverage.unassigned", lang=lang)
        by_rep = by_rep.with_columns(
            pl.coalesce("rep_name", "rep_id", pl.lit(unassigned)).alias("rep")
        )
        base = alt.Chart(by_rep, title=words("by_rep"))
        points = base.mark_point(filled=True, color="#2f5d8a").encode(
            y=alt.Y("rep:N", sort="x", title=None),
            x=alt.X("compliance:Q", title=words("in_time"), scale=alt.Scale(domain=[0, 1])),
        )
        bars = base.mark_rule(color="#2f5d8a").encode(y="rep:N", x="ci_low:Q", x2="ci_high:Q")
        specs["handoff_by_rep"] = (
            (bars + points).properties(width=440, height=18 * by_rep.height).to_dict()
        )
    return specs


#: The d3 number locale of the charts' axes in each language (vl-convert knows them offline).
CHART_LOCALES: dict[str, str] = {"en": "en-US", "de": "de-DE"}


def chart_svgs(pack: ReviewPack, *, lang: Lang = "en") -> dict[str, str]:
    """The charts as inline SVG (vl-convert; no network access, no scripts)."""
    import vl_convert

    svgs = {}
    for name, spec in chart_specs(pack, lang=lang).items():
        # The page's font, so that the browser's text fits the box vl-convert measured.
        spec = {**spec, "padding": 8, "config": {**spec.get("config", {}), "font": CHART_FONT}}
        if lang == "en":
            svg = vl_convert.vegalite_to_svg(spec)
        else:
            svg = vl_convert.vegalite_to_svg(spec, format_locale=CHART_LOCALES[lang])
        svgs[name] = re.sub(r"^<\?xml[^>]*>\s*", "", svg)
    return svgs


# -- templates -----------------------------------------------------------------------


#: The kinds of breach whose size is a whole number of attempts.
_WHOLE_KINDS = frozenset({"cadence", "premature_recycles"})


def _amount(value: float | None, unit: str, kind: str = "", lang: Lang = "en") -> str:
    """A breach's size: whole attempts, tenths of hours and days.

    >>> _amount(4.0, "attempts short", "cadence"), _amount(1026.04, "hours over")
    ('4 attempts short', '1026.0 hours over')
    >>> _amount(1026.04, "Stunden über der Frist", "handoff", "de"), _amount(None, "x")
    ('1.026,0 Stunden über der Frist', '')
    """
    if value is None:
        return ""
    digits = 0 if kind in _WHOLE_KINDS else 1
    if lang == "en":
        return f"{value:.{digits}f} {unit}"
    return f"{number(value, lang, digits=digits)} {unit}"


def _environment(*, markdown: bool, lang: Lang = "en"):
    import jinja2

    def words(code: str, **params: Any) -> str:
        """A ``pack.*`` text of :mod:`analytics.texts` (escaped like any value)."""
        return render(f"pack.{code}", lang=lang, **params)

    def tr(value: Any) -> Any:
        """A text of the pack (action item, promise, counts) in the pack's language."""
        return value.render(lang=lang) if hasattr(value, "render") else value

    def whole(value: Any) -> str:
        """A count printed as it is in English, with German separators in German."""
        return str(value) if lang == "en" else number(value, lang)

    filters = {
        "metric": lambda v, m, c="EUR": format_metric(m, v, currency=c, lang=lang),
        "change": lambda v, m, c="EUR": format_change(m, v, currency=c, lang=lang),
        "share": lambda v: format_share(v, lang),
        "p": lambda v: format_p(v, lang),
        "counts": lambda r: format_counts(r.get("x"), r.get("n"), lang) if r else "",
        "count": lambda v: format_count(v, lang),
        "num1": lambda v: format_decimal(v, lang),
        "whole": whole,
        "amount": lambda v, unit, kind="": _amount(v, unit, kind, lang),
        "day": lambda v: day(v, lang),
        "term": lambda v, kind: term(kind, v, lang=lang),
        "status": lambda s: term("status", s, lang=lang),
        "tr": tr,
    }
    loader = jinja2.PackageLoader("analytics.pack", "templates")
    if markdown:
        env = jinja2.Environment(
            loader=loader,
            autoescape=False,
            finalize=_markdown_escape,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
    else:
        env = jinja2.Environment(
            loader=loader, autoescape=True, trim_blocks=True, lstrip_blocks=True
        )
    env.filters.update(filters)
    env.globals.update(w=words, text=lambda code, **params: render(code, lang=lang, **params))
    env.globals["lang"] = lang
    return env


def _markdown_escape(value: Any) -> Any:
    """Escape every value a Markdown template prints (:func:`escape_markdown`): no HTML,
    no link or image, no broken table cell; numbers stay as they are.

    >>> _markdown_escape("a|b <script> p < 0.001 & [x](y)")
    'a\\\\|b &lt;script> p < 0.001 & \\\\[x\\\\](y)'
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return escape_markdown(value)
    return value


def _context(pack: ReviewPack, *, charts: bool, lang: Lang = "en") -> dict[str, Any]:
    review, config = pack.review, pack.config

    def kpi_label(row: dict[str, Any]) -> str:
        return config.kpi_label(row["team"], row["metric"], lang) or row["label"]

    return {
        "pack": pack,
        "review": review,
        "previous": pack.previous,
        "config": config,
        "name": config.sla.text("name", lang),
        "owners": ", ".join(config.sla.text("owners", lang)),
        "currency": pack.currency,
        "as_of": moment(review.as_of, lang) if review.as_of else render("no_data", lang=lang),
        "segment": ", ".join(
            f"{term('segment', k, lang=lang)} = {v}" for k, v in (review.segment or {}).items()
        ),
        "funnel": funnel_rows(pack, lang=lang),
        "pacing": pacing_rows(pack, lang=lang),
        # the trailing months the lifecycle events that stopped cut short feed no rate
        "rates_note": review.rates_note(lang=lang) or "",
        "breach_groups": breach_groups(pack, lang=lang),
        "breaches": breach_view(pack, lang=lang),
        "at_risk": at_risk_rows(pack, lang=lang),
        "warnings": warning_view(pack, lang=lang),
        "assignment": assignment_view(pack, lang=lang),
        "significant": [
            {**r, "sentence": change_sentence(r, lang=lang)}
            for r in pack.significant.iter_rows(named=True)
        ],
        "tests": [
            {**r, "label": metric_label(r["metric"], lang=lang)}
            for r in pack.changes.filter(pl.col("comparable")).iter_rows(named=True)
        ],
        "untested": untested_rows(pack, lang=lang),
        # why a KPI's change is "–": the SLA measures it differently than last month
        "change_reason": lambda row: review.change_reason(row["metric"], lang=lang) or "",
        "sla_changes": pack.sla_change_lines(lang=lang),
        "sla": sla_view(pack, lang=lang),
        "kpi_note": kpi_note(pack, lang=lang),
        "kpi_label": kpi_label,
        "kpi_reason": lambda row: review.kpi_reason(row, lang=lang) or "",
        "scorecard_status": lambda row: scorecard_status(pack, row, lang=lang),
        "running": (
            render(
                "coverage.running", lang=lang, days=review.days_elapsed, total=review.days_in_month
            )
            if review.running
            else ""
        ),
        "charts": chart_svgs(pack, lang=lang) if charts else {},
        "teams": ["marketing", "sales"],
        "footnotes": Footnotes(),  # why a cell is "–": said once below its table
        # rows quarantined at import count in no number here: said before any number
        "import_notes": pack.import_note_lines(lang=lang),
    }


def render_html(pack: ReviewPack, *, charts: bool = True, lang: Lang = "en") -> str:
    """One self-contained HTML file (inline CSS and SVG, print CSS, nothing loaded).

    Parameters
    ----------
    pack : ReviewPack
    charts : bool, default True
        Embed the charts (SVG via vl-convert).
    lang : {"en", "de"}, default "en"
        The language of the words, numbers and dates.
    """
    from markupsafe import Markup

    context = _context(pack, charts=charts, lang=check_lang(lang))
    context["charts"] = {name: Markup(svg) for name, svg in context["charts"].items()}
    return _environment(markdown=False, lang=lang).get_template("pack.html.j2").render(**context)


def render_markdown(pack: ReviewPack, *, lang: Lang = "en") -> str:
    """The pack as GitHub-flavoured Markdown for a wiki (tables; charts left out)."""
    return (
        _environment(markdown=True, lang=lang)
        .get_template("pack.md.j2")
        .render(**_context(pack, charts=False, lang=check_lang(lang)))
    )


def find_chromium() -> str:
    """The chromium executable, or :class:`PackRenderError` naming what is missing."""
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    raise PackRenderError(
        "PDF needs the program `chromium` (Debian's headless browser), which is not installed; "
        "install it with `apt-get install --no-install-recommends chromium` (or `make chromium`), "
        "or use --format html and print that"
    )


#: Blocks every script of a page, inline ones and event handlers included.
_NO_SCRIPTS = '<meta http-equiv="Content-Security-Policy" content="script-src \'none\'">'
_HEAD = re.compile(r"<head(?:\s[^>]*)?>", re.IGNORECASE)


def without_scripts(html: str) -> str:
    """``html`` with a policy in front that lets no script run (a Content-Security-Policy
    as the head's first element: chromium's switch ``scriptEnabled=false`` stops it from
    printing at all).

    >>> without_scripts("<html><head><title>x</title></head></html>").replace(_NO_SCRIPTS, "CSP")
    '<html><head>CSP<title>x</title></head></html>'
    >>> without_scripts("<p>x</p>").startswith(_NO_SCRIPTS)
    True
    """
    head = _HEAD.search(html)
    if head is None:
        return _NO_SCRIPTS + html
    return html[: head.end()] + _NO_SCRIPTS + html[head.end() :]


def html_to_pdf(html: str, *, chromium: str | None = None, timeout: float = 120) -> bytes:
    """Print HTML to PDF with headless chromium (A4, no header or footer, no JavaScript).

    Parameters
    ----------
    html : str
        A self-contained document (it is loaded from a temporary file, offline).
    chromium : str, optional
        The browser executable (default: ``chromium`` on the PATH).
    timeout : float, default 120
        Seconds before giving up.

    Raises
    ------
    PackRenderError
        When chromium is missing, fails or times out.
    """
    browser = chromium or find_chromium()
    with tempfile.TemporaryDirectory(prefix="sla-pack-") as tmp:
        source = Path(tmp) / "pack.html"
        target = Path(tmp) / "pack.pdf"
        source.write_text(without_scripts(html), encoding="utf-8")
        command = [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={Path(tmp) / 'profile'}",
            f"--print-to-pdf={target}",
            source.as_uri(),
        ]
        try:
            done = subprocess.run(
                command,
                capture_output=True,
                text=True,
                timeout=timeout,
                env={**os.environ, "HOME": tmp},
                check=False,
            )
        except FileNotFoundError:
            raise PackRenderError(
                f"PDF needs the program {browser!r}, which was not found"
            ) from None
        except subprocess.TimeoutExpired:
            raise PackRenderError(f"{browser} did not print the PDF within {timeout:g} s") from None
        if not target.exists() or target.stat().st_size == 0:
            tail = "\n".join(done.stderr.strip().splitlines()[-5:])
            raise PackRenderError(f"{browser} printed no PDF (exit {done.returncode}): {tail}")
        return target.read_bytes()


def render_pack(pack: ReviewPack, *, fmt: PackFormat = "html", lang: Lang = "en") -> str | bytes:
    """The pack in ``fmt``: ``html`` and ``md`` as text, ``pdf`` and ``xlsx`` as bytes.

    Parameters
    ----------
    pack : ReviewPack
    fmt : {"html", "pdf", "md", "xlsx"}, default "html"
    lang : {"en", "de"}, default "en"
        The language of the words, numbers and dates (the app passes its UI language;
        the CLI writes English).

    Raises
    ------
    ValueError
        For an unknown format or language (the message lists the allowed ones).
    PackRenderError
        For PDF without chromium.
    """
    if fmt == "html":
        return render_html(pack, lang=lang)
    if fmt == "md":
        return render_markdown(pack, lang=lang)
    if fmt == "pdf":
        return html_to_pdf(render_html(pack, lang=lang))
    if fmt == "xlsx":
        from analytics.pack.export import pack_workbook

        return pack_workbook(pack, lang=lang)
    raise ValueError(f"unknown pack format {fmt!r}; allowed: {', '.join(PACK_FORMATS)}")


__all__ = [
    "PACK_FORMATS",
    "PackFormat",
    "PackRenderError",
    "assignment_view",
    "at_risk_rows",
    "breach_groups",
    "breach_view",
    "change_sentence",
    "chart_specs",
    "chart_svgs",
    "find_chromium",
    "funnel_rows",
    "html_to_pdf",
    "kpi_note",
    "pacing_rows",
    "pack_breaches",
    "render_html",
    "render_markdown",
    "render_pack",
    "scorecard_status",
    "sla_view",
    "split_rows",
    "untested_rows",
    "warning_view",
    "without_scripts",
]
