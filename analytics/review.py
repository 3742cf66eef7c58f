"""The monthly sales-marketing review, assembled once for the CLI, the app and the pack.

:func:`build_review` cuts the data at ``as_of``, materialises the tables it needs once,
builds the MQL episodes once and assigns the sales touches to them once, then derives
every section of the review (funnel, handoff, cadence, recycling, nurture, goals, KPIs,
breach lists) from those shared intermediates and collects them together.

>>> from analytics.config import load_config
>>> from analytics.tables import Tables
>>> r = build_review(Tables.empty(), load_config("data/sla.toml"), month="2026-10")
>>> set(r.to_json_dict()["handoff"].values())  # no touches: unknown, not 0 (spec/coverage.md)
{None}
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import polars as pl

from analytics import cadence as cad
from analytics import coverage as cov
from analytics import handoff as ho
from analytics import nurture as nu
from analytics.comparison import comparison as comparison_of
from analytics.config import KPI_METRICS, SlaConfig
from analytics.episodes import episode_touches, episodes_of, with_touch_stats
from analytics.funnel import (
    ALL_PAIRS,
    SEGMENT_COLUMNS,
    VOLUME_COLUMNS,
    check_segment,
    cohort_rates,
    lead_segments,
    monthly_volumes,
    period_rates,
    skipped_stages,
    stage_transitions,
    velocity,
)
from analytics.goals import monthly_targets, pacing, rates_left_out
from analytics.kpis import kpi_table, past_month_values
from analytics.schema import TABLES
from analytics.stats import ratio
from analytics.tables import Tables
from analytics.timeframe import (
    Window,
    as_utc,
    format_utc,
    month_labels,
    month_of,
    month_window,
    months_window,
    parse_month,
    quarter_start_month,
    shift_month,
    utc_lit,
)

#: The polars engine of the review's collections: dozens of small plans a review, on which
#: polars 2's default (its streaming engine) spends more setting up a query than running
#: it (an empty warehouse's review: 135-179 ms, in memory 88-121 ms; docs/performance.md).
ENGINE = "in-memory"

#: Keys of the ``volumes`` object of ``sla review --json`` (spec/cli.md), in order.
JSON_VOLUMES: tuple[str, ...] = (
    "visitors", "leads", "mqls", "sals", "sqls", "opportunities", "recycled", "disqualified",
    "deals_won", "won_revenue",
)  # fmt: skip
JSON_CONVERSION: tuple[str, ...] = (
    "visitor_to_lead", "lead_to_mql", "mql_to_sql", "sql_to_opportunity", "opportunity_to_won",
)  # fmt: skip


def _clean(value: Any) -> Any:
    """A JSON-safe scalar: NaN / inf -> None, numpy-ish numbers -> Python."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, int):
        return value
    if isinstance(value, datetime):
        return format_utc(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _row(frame: pl.DataFrame) -> dict[str, Any]:
    return {k: _clean(v) for k, v in frame.row(0, named=True).items()} if frame.height else {}


def _records(frame: pl.DataFrame) -> list[dict[str, Any]]:
    return [{k: _clean(v) for k, v in r.items()} for r in frame.iter_rows(named=True)]


@dataclass
class Review:
    """One month's review: every number of the monthly meeting, collected.

    Scalars are plain dicts (JSON-ready, None where a number cannot be computed);
    detail tables are polars DataFrames. See :func:`build_review`.
    """

    month: str
    as_of: datetime | None
    window: Window
    segment: dict[str, Any] | None
    volumes: dict[str, Any]
    previous_volumes: dict[str, Any]
    conversion: pl.DataFrame
    cohorts: pl.DataFrame
    velocity: pl.DataFrame
    skipped_stages: pl.DataFrame
    handoff: dict[str, Any]
    speed_to_lead: pl.DataFrame
    handoff_by_rep: pl.DataFrame
    handoff_by_team: pl.DataFrame
    handoff_by_week: pl.DataFrame
    acceptance: dict[str, Any]
    rejection_reasons: pl.DataFrame
    cadence: dict[str, Any]
    cadence_episodes: pl.DataFrame
    cadence_by_rep: pl.DataFrame
    channel_mix: pl.DataFrame
    gaps_by_rep: pl.DataFrame
    stall_reasons: pl.DataFrame
    recycling: dict[str, Any]
    recycled_enrollment: pl.DataFrame
    nurture_enrollments: pl.DataFrame
    nurture_exits: pl.DataFrame
    nurture_progression: pl.DataFrame
    remql: dict[str, Any]
    sales_triggered: pl.DataFrame
    unknown_tracks: pl.DataFrame
    targets: pl.DataFrame
    pacing: pl.DataFrame
    kpi_values: dict[str, Any]
    previous_kpi_values: dict[str, Any]
    kpis: pl.DataFrame
    breaches: dict[str, pl.DataFrame] = field(default_factory=dict)
    #: The month has not ended at ``as_of`` (spec/coverage.md "Months").
    running: bool = False
    #: Days of the month begun at ``as_of``, and its days (equal for a complete month).
    days_elapsed: int = 0
    days_in_month: int = 0
    #: Measure group -> whether the data can answer it for this month.
    coverage: dict[str, bool] = field(default_factory=dict)
    #: The data's coverage (:func:`analytics.coverage.coverage`), for the reasons.
    coverage_frame: pl.DataFrame | None = None
    #: The month's MQL episodes still untouched whose first-touch deadline had not passed
    #: at ``as_of``: at risk, not breaches (:func:`at_risk_episodes`).
    at_risk: pl.DataFrame = field(default_factory=lambda: at_risk_episodes(None, as_of=None))
    #: The day of the last sales touch when the touches had stopped at ``as_of``
    #: (:func:`analytics.coverage.touch_horizon`): first touches and cadence windows
    #: running past it are not judged, stale leads not counted; None while current.
    touches_stopped: date | None = None
    #: How many of the month's first touches (``handoff``) and cadence windows
    #: (``cadence``) ran past :attr:`touches_stopped`, so are not judged; empty while the
    #: touches are current.
    touches_unjudged: dict[str, int] = field(default_factory=dict)
    #: The day of the last lifecycle event when they had stopped at ``as_of`` while the
    #: touches or new leads went on (:func:`analytics.coverage.lifecycle_stopped`, the rule
    #: of ``sla alerts``): stale leads are not counted; None while current.
    lifecycle_stopped: date | None = None
    #: The measure groups that stop leaves unknown this month, though its data reaches it
    #: (:func:`analytics.coverage.lifecycle_cut`: the month goes on past the last event's
    #: day, so its MQLs, SQLs, recycles ... and what is judged on its MQLs are cut short);
    #: not measurable in :attr:`coverage`, with that day as the reason. Empty otherwise.
    lifecycle_cut: tuple[str, ...] = ()
    #: How many of the month's cadence windows (``cadence``) ran past
    #: :attr:`lifecycle_stopped` on an MQL episode that looked open then, so are not judged
    #: (it may have ended since); empty while the events are current, or when the stop
    #: cuts the month short (:attr:`lifecycle_cut` says so then).
    lifecycle_unjudged: dict[str, int] = field(default_factory=dict)
    #: Rate of the reverse funnel (:attr:`targets`) -> the trailing months it leaves out,
    #: as :attr:`lifecycle_stopped` cut them short (:func:`analytics.goals.rates_left_out`):
    #: their partial stage counts feed no rate. Empty while the events are current.
    rates_left_out: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: The KPIs judged on MQL episodes that :attr:`lifecycle_stopped` leaves without a
    #: value this month, though it does not cut it short (:func:`_lifecycle_unknowns`).
    lifecycle_unknown: tuple[str, ...] = ()
    #: Did the warnings work? Per rep (:func:`with_warnings`); None without a send log.
    warnings: pl.DataFrame | None = None
    #: Assignment delay vs rep delay per rep (:func:`analytics.handoff.assignment_by_rep`).
    assignment_by_rep: pl.DataFrame | None = None
    #: The same over all episodes: ``episodes``, ``with_assignment``,
    #: ``median_routing_hours``, ``median_rep_hours`` (None: unknown, not 0).
    assignment: dict[str, Any] = field(default_factory=dict)
    #: What ``previous`` and ``change`` compare with: the previous month and the SLA
    #: version that judged it, and the metrics whose change is not computed because the
    #: two versions measure them differently (:func:`analytics.comparison.comparison`;
    #: :func:`analytics.comparison.compared` compares with the month as judged then).
    comparison: dict[str, Any] = field(default_factory=dict)

    def measurable(self, group: str) -> bool:
        """Whether the data can answer measure group ``group`` for this month."""
        return self.coverage.get(group, True)

    def maturing(self) -> frozenset[str]:
        """The KPIs of this month whose window is still open (:func:`maturing_metrics`)."""
        return maturing_metrics(self.remql)

    def breach_counts(self) -> dict[str, int | None]:
        """How many breaches of each kind the month has (:func:`breach_counts`); None for
        those the touches or lifecycle events that stopped leave unknown
        (:meth:`_touch_unknown_breaches`, :meth:`_lifecycle_unknown_breaches`)."""
        counts = breach_counts(self.breaches, self.coverage)
        unknown = self._touch_unknown_breaches() | self._lifecycle_unknown_breaches()
        for kind in unknown & set(counts):
            counts[kind] = None
        return counts

    def _lifecycle_unknown_breaches(self) -> set[str]:
        """The breach lists unknown since the lifecycle events stopped
        (:attr:`lifecycle_stopped`), whatever the month: stale leads (which episodes are
        still open is no longer in the data)."""
        return set() if self.lifecycle_stopped is None else {"stale_leads"}

    def _touch_unknown_breaches(self) -> set[str]:
        """The breach lists unknown since the touches stopped (:attr:`touches_stopped`):
        stale leads, and premature recycles while a recycle came after the last touch."""
        if self.touches_stopped is None:
            return set()
        unknown = {"stale_leads"}
        if self.measurable("recycling") and self.recycling.get("premature") is None:
            unknown.add("premature_recycles")
        return unknown

    def at_risk_count(self) -> int | None:
        """How many of the month's first touches are due, not yet missed (:attr:`at_risk`):
        None when the data cannot say (no touches, or they stopped), never 0."""
        known = self.measurable("handoff") and self.touches_stopped is None
        return self.at_risk.height if known else None

    def touches_note(self, *, lang: str = "en") -> str | None:
        """One sentence when the touches stopped (:attr:`touches_stopped`): how many first
        touches and cadence windows are not judged, and why (when none ran past the last
        touch, why stale leads are unknown); None while the touches are current.
        """
        from analytics.texts import day, render

        if self.touches_stopped is None:
            return None
        parts = [
            render(f"coverage.unjudged_{kind}" + ("" if n == 1 else "s"), lang=lang, n=n)  # type: ignore[arg-type]
            for kind, n in (("handoff", self.touches_unjudged.get("handoff", 0)),
                            ("cadence", self.touches_unjudged.get("cadence", 0)))
            if n
        ]  # fmt: skip
        if not parts:
            return self._touch_reason("stale_leads", lang=lang)
        one = sum(self.touches_unjudged.values()) == 1
        return render(
            "coverage.touches_unjudged" + ("_one" if one else ""),
            lang=lang,  # type: ignore[arg-type]
            what=render("coverage.unjudged_and", lang=lang).join(parts),  # type: ignore[arg-type]
            day=day(self.touches_stopped, lang),  # type: ignore[arg-type]
            n=cov.STOPPED_AFTER_WORKING_DAYS,
        )

    def lifecycle_note(self, *, lang: str = "en") -> str | None:
        """One sentence when the lifecycle events stopped (:attr:`lifecycle_stopped`): what
        of a month they cut short is not counted (:attr:`lifecycle_cut`), else how many
        cadence windows ran past that day (:attr:`lifecycle_unjudged`), else why stale
        leads are unknown; None while they are current."""
        from analytics.texts import day, render

        if self.lifecycle_stopped is None:
            return None
        n = self.lifecycle_unjudged.get("cadence", 0)
        if not self.lifecycle_cut and n:
            return render(
                "coverage.lifecycle_unjudged" + ("" if n > 1 else "_one"),
                lang=lang,  # type: ignore[arg-type]
                what=render("coverage.unjudged_cadence" + ("s" if n > 1 else ""), lang=lang, n=n),  # type: ignore[arg-type]
                day=day(self.lifecycle_stopped, lang),  # type: ignore[arg-type]
                n=cov.LIFECYCLE_STOPPED_AFTER_WORKING_DAYS,
            )
        if not self.lifecycle_cut:
            return cov.lifecycle_reason(self.lifecycle_stopped, lang=lang)  # type: ignore[arg-type]
        return render(
            "coverage.lifecycle_cut",
            lang=lang,  # type: ignore[arg-type]
            day=day(self.lifecycle_stopped, lang),  # type: ignore[arg-type]
            n=cov.LIFECYCLE_STOPPED_AFTER_WORKING_DAYS,
        )

    def rates_note(self, *, lang: str = "en") -> str | None:
        """One sentence when the reverse funnel's trailing rates leave out months the
        lifecycle events that stopped cut short (:attr:`rates_left_out`): which months,
        which rates, and since when; None when none does."""
        from analytics.texts import day, metric_label, render

        if not self.rates_left_out or self.lifecycle_stopped is None:
            return None
        months = sorted({m for ms in self.rates_left_out.values() for m in ms})
        rates = [metric_label(r, lang=lang) for r in self.rates_left_out]  # type: ignore[arg-type]
        return render(
            "goals.rates_left_out" + ("_one" if len(months) == 1 else ""),
            lang=lang,  # type: ignore[arg-type]
            months=", ".join(months),
            rates=", ".join(rates),
            day=day(self.lifecycle_stopped, lang),  # type: ignore[arg-type]
        )

    def rate_counts(self, metric: str) -> tuple[Any, Any] | None:
        """``(x, n)`` behind a rate of the review: a conversion, ``handoff_compliance``,
        ``cadence_compliance``, ``mql_rejection_rate``, ``remql_rate`` or
        ``recycled_enrolled_in_time``; ``(None, None)`` when the data cannot say (no
        enrolment at all is unknown, not 0 / 0); None for a metric that is no rate.
        """
        if metric in self._conversion_counts:
            return self._conversion_counts[metric]
        summary = {
            "handoff_compliance": self.handoff,
            "cadence_compliance": self.cadence,
            "mql_rejection_rate": self.acceptance,
            "remql_rate": self.remql,
        }.get(metric)
        if summary is not None:
            return summary.get("x"), summary.get("n")
        if metric == "recycled_enrolled_in_time":
            parts = [self.recycling.get(f"enrollment_{s}") for s in ("in_time", "late", "missing")]
            if all(p is None for p in parts):
                return None, None
            return parts[0] or 0, sum(p or 0 for p in parts)
        return None

    def reason(self, group: str, *, lang: str = "en") -> str:
        """Why ``group`` cannot be measured this month, in one sentence (``lang``): for a
        group judged per MQL episode whose MQLs the month's data cannot answer, theirs
        (:func:`analytics.coverage.lacking`)."""
        if lacking := self._lacking((group,)):
            group = lacking[0]
        if group in self.lifecycle_cut and self.lifecycle_stopped is not None:
            return cov.lifecycle_reason(self.lifecycle_stopped, lang=lang)  # type: ignore[arg-type]
        return cov.reason(group, self.coverage_frame, lang=lang, month=self.month)  # type: ignore[arg-type]

    def _lacking(self, groups: Iterable[str]) -> list[str]:
        """The groups among ``groups`` (and those they build on) this month cannot answer,
        the one whose reason to say first (:func:`analytics.coverage.lacking`)."""
        month = {g: self.measurable(g) for g in cov.GROUPS}
        return cov.lacking(groups, month, self._answerable)

    @functools.cached_property
    def _conversion_counts(self) -> dict[str, tuple[Any, Any]]:
        """Conversion metric -> its ``(x, n)``, read once (a page asks for every tile)."""
        columns = (self.conversion.get_column(c).to_list() for c in ("metric", "x", "n"))
        counts: dict[str, tuple[Any, Any]] = {}
        for metric, x, n in zip(*columns, strict=True):
            counts.setdefault(metric, (x, n))  # the first row of a metric, as before
        return counts

    @functools.cached_property
    def _answerable(self) -> dict[str, bool]:
        """:func:`analytics.coverage.answerable` of :attr:`coverage_frame`, read once: a page
        asks it for the reason of every tile, and each reading is a polars query."""
        return cov.answerable(self.coverage_frame)

    def breach_reason(self, kind: str, *, lang: str = "en") -> str | None:
        """Why the month's data cannot list the breaches of ``kind`` (a key of
        :attr:`breaches`, its groups in :data:`analytics.coverage.BREACH_GROUPS`), in
        ``lang``; None when it can (an empty list is then none, not unknown). Stale
        leads are unknown once the touches or the lifecycle events stopped
        (:attr:`touches_stopped`, :attr:`lifecycle_stopped`).
        """
        # what no month has first (no recycled event imported): it says what to import
        if lacking := self._lacking(cov.BREACH_GROUPS.get(kind, (kind,))):
            return self.reason(lacking[0], lang=lang)
        if kind in self._touch_unknown_breaches():
            return self._touch_reason(kind, lang=lang)
        if kind in self._lifecycle_unknown_breaches():
            return self._lifecycle_reason(kind, lang=lang)
        return None

    def _touch_reason(self, metric: str, *, lang: str) -> str | None:
        """Why touch KPI (or breach list) ``metric`` has no value since the touches
        stopped, else None."""
        unknown = {metric: None}
        return cov.touch_reasons(unknown, stopped=self.touches_stopped, lang=lang).get(metric)  # type: ignore[arg-type]

    def _lifecycle_reason(self, metric: str, *, lang: str) -> str | None:
        """Why KPI (or breach list) ``metric`` counted over the open episodes has no value
        since the lifecycle events stopped, else None."""
        unknown = {metric: None}
        return cov.lifecycle_reasons(
            unknown,
            stopped=self.lifecycle_stopped,
            lang=lang,
            unknown=self.lifecycle_unknown,  # type: ignore[arg-type]
        ).get(metric)

    def metric_reason(self, metric: str, *, lang: str = "en") -> str | None:
        """Why the month's data cannot answer ``metric`` (a key of
        :data:`analytics.coverage.KPI_GROUPS`), in ``lang``; None when it can. The
        visitors of a segment by a lead attribute are unknown (:func:`segment_reasons`).
        """
        if lacking := self._lacking(cov.KPI_GROUPS.get(metric, ())):
            return self.reason(lacking[0], lang=lang)
        return segment_reasons(self.segment, lang=lang).get(metric)

    def share_reason(self, metric: str, *, lang: str = "en") -> str | None:
        """Why the period rate ``metric`` is no share this month (more leads reached its
        later stage than its earlier one: :func:`analytics.coverage.share_reasons`), in
        ``lang``; None when it is one, or is no period rate."""
        return cov.share_reasons(self.conversion, lang=lang).get(metric)  # type: ignore[arg-type]

    def need_reason(self, stage: str, *, lang: str = "en") -> str | None:
        """Why the reverse funnel has no need for ``stage`` (a row of :attr:`targets`), in
        ``lang``: the first rate on the way down from the revenue goal that is unknown,
        and why (the data cannot answer it, or the trailing months have no case of it or
        more in its later stage than its earlier one); None when the need is known."""
        from analytics.goals import RATE_GROUPS, REVERSE_STEPS
        from analytics.texts import metric_label, render

        rates = dict(zip(self.targets["stage"], self.targets["rate"], strict=True))
        if stage == REVERSE_STEPS[0][0]:
            return None  # the revenue goal itself
        for step, rate in REVERSE_STEPS[1:]:
            if rates.get(step) is None:
                lacking = [g for g in RATE_GROUPS[rate] if not self.measurable_anywhere(g)]
                if lacking:
                    return self.reason(lacking[0], lang=lang)
                if self.lifecycle_stopped is not None and rate in self.rates_left_out:
                    return self.rates_note(lang=lang)
                label = metric_label(rate, lang=lang)  # type: ignore[arg-type]
                return render("goals.rate_unknown", lang=lang, rate=label)  # type: ignore[arg-type]
            if step == stage:
                return None
        return None

    def spans(self, group: str) -> bool:
        """Whether the data of ``group`` reaches this month, its ``gaps`` aside
        (:func:`analytics.coverage.month_coverage`): a month with a deal won without an
        amount has no revenue verdict, yet the other deals' amounts still divide the
        revenue goal into the deals, opportunities ... it takes."""
        if self.measurable(group) or self.coverage_frame is None:
            return self.measurable(group)
        reached = cov.month_coverage(
            self.coverage_frame, self.month, timezone=self.window.timezone, gaps=False
        )
        return reached.get(group, True)

    def measurable_over(self, group: str, period: str) -> bool:
        """Whether the data can answer ``group`` over the pacing ``period`` (``month``,
        ``quarter``) up to this month (:func:`analytics.coverage.period_coverage`)."""
        if period == "month" or self.coverage_frame is None:
            return self.measurable(group)
        zone = self.window.timezone
        answered = cov.period_coverage(
            self.coverage_frame, self.month, period=period, timezone=zone
        )
        return self.measurable(group) and answered.get(group, True)

    def period_reason(self, group: str, period: str, *, lang: str = "en") -> str:
        """Why ``group`` cannot be measured over the pacing ``period`` up to this month
        (a group that this month cannot answer: :meth:`reason`)."""
        if not self.measurable(group):
            return self.reason(group, lang=lang)
        return cov.period_reason(
            group, self.coverage_frame, self.month, period=period,
            timezone=self.window.timezone, lang=lang,  # type: ignore[arg-type]
        )  # fmt: skip

    def measurable_anywhere(self, group: str) -> bool:
        """Whether the data can answer ``group`` in any month (its coverage at all)."""
        return self._answerable.get(group, True)

    def kpi_reason(self, row: Mapping[str, Any], *, lang: str = "en") -> str | None:
        """Why a row of :attr:`kpis` is not judged, in ``lang`` (None when it is)."""
        from analytics.kpis import POINT_IN_TIME
        from analytics.texts import render

        if row.get("reason") is None:
            return None
        metric = row["metric"]
        if why := self._unknown_reason(metric, lang=lang):
            return why
        counts = metric in cov.VOLUME_KPIS or metric in POINT_IN_TIME
        if self.segment and counts and row.get("target") is None:
            return render("coverage.segment", lang=lang)  # type: ignore[arg-type]
        return self._no_value(metric, lang=lang)

    def value_reason(self, metric: str, *, lang: str = "en") -> str:
        """Why the month has no value of ``metric`` (a key of
        :data:`analytics.coverage.KPI_GROUPS`, a KPI of the config or not), in ``lang``:
        the reason its KPI tile gives (:meth:`kpi_reason`), down to "no cases" (the
        Nurturing page's re-MQL rate of a month without a recycle, not "– (0 / 0)")."""
        return self._unknown_reason(metric, lang=lang) or self._no_value(metric, lang=lang)

    def _unknown_reason(self, metric: str, *, lang: str) -> str | None:
        """Why ``metric`` has no value or verdict this month, when the data says why: it
        cannot answer it, the rate is no share, the touches or the lifecycle events stopped,
        or its window is open; else None."""
        from analytics.texts import render

        for why in (
            self.metric_reason(metric, lang=lang),
            self.share_reason(metric, lang=lang),
            self._touch_reason(metric, lang=lang),
            self._lifecycle_reason(metric, lang=lang),
        ):
            if why:
                return why
        if metric in self.maturing():
            return render("coverage.maturing", lang=lang, days=self.remql.get("window_days"))  # type: ignore[arg-type]
        return None

    @staticmethod
    def _no_value(metric: str, *, lang: str) -> str:
        """Nothing to measure this month (no cases), or, for a count at the moment judged,
        that a past month has none."""
        from analytics.kpis import POINT_IN_TIME
        from analytics.texts import render

        code = "coverage.point_in_time" if metric in POINT_IN_TIME else "coverage.no_value"
        return render(code, lang=lang)  # type: ignore[arg-type]

    def change_reason(self, metric: str, *, lang: str = "en") -> str | None:
        """Why ``metric``'s change since the previous month is not computed: the SLA
        measures it differently now (:attr:`comparison`); None otherwise."""
        why = (self.comparison.get("redefined") or {}).get(metric)
        return None if why is None else why[lang]

    def comparison_label(
        self, *, lang: str = "en", month_text: Callable[[str], str] | None = None
    ) -> str | None:
        """What ``previous`` is, in ``lang``: ``Compared with 2026-09 as judged by SLA
        version 2026.2.``; None for a running month (compared with nothing).
        ``month_text`` writes the month (the app's "September 2026"; default its label)."""
        from analytics.texts import render

        meta = self.comparison
        if not meta or not meta.get("compared", True):
            return None
        month = meta["month"] if month_text is None else month_text(meta["month"])
        return render("comparison.label", lang=lang, month=month, version=meta["version"])  # type: ignore[arg-type]

    def to_json_dict(self) -> dict[str, Any]:
        """The ``sla review --json`` document (spec/cli.md); more keys than the spec, none renamed.

        Numbers that cannot be computed are None (JSON null), never NaN.
        """
        conv = {r["metric"]: r for r in _records(self.conversion)}
        shares = cov.share_reasons(self.conversion)
        return {
            "month": self.month,
            "as_of": format_utc(self.as_of),
            "running": self.running,
            "days": {"elapsed": self.days_elapsed, "in_month": self.days_in_month},
            "coverage": dict(self.coverage),
            "volumes": {k: self.volumes.get(k) for k in (*JSON_VOLUMES, "customers")},
            "conversion": {k: conv.get(k, {}).get("rate") for k in JSON_CONVERSION},
            "handoff": {
                k: self.handoff.get(k)
                for k in ("met", "missed", "pending", "compliance", "median_hours_to_first_touch")
            },
            "cadence": {
                k: self.cadence.get(k) for k in ("judged", "held", "compliance", "attempts_per_mql")
            },
            "recycling": {k: self.recycling.get(k) for k in ("recycled", "premature", "stale")},
            "segment": self.segment,
            "conversion_counts": {
                k: {
                    **{f: conv.get(k, {}).get(f) for f in ("x", "n", "rate", "ci_low", "ci_high")},
                    # why a rate or its interval is null: not measurable, or no share
                    "reason": self.metric_reason(k) or shares.get(k),
                }
                for k in JSON_CONVERSION
            },
            "acceptance": dict(self.acceptance),
            "nurture": {
                "recycled_enrolled": {
                    k: self.recycling.get(f"enrollment_{k}")
                    for k in ("in_time", "late", "missing", "pending")
                },
                "remql": dict(self.remql),
            },
            # each with why its change is null when the SLA measures it differently now
            "kpis": [
                {**row, "change_reason": self.change_reason(row["metric"])}
                for row in _records(self.kpis)
            ],
            # what "previous" and "change" compare with: the month as judged by its version
            "comparison": {
                **{k: v for k, v in self.comparison.items() if k != "redefined"},
                "redefined": {
                    m: {"settings": why["settings"], "reason": why["en"]}
                    for m, why in (self.comparison.get("redefined") or {}).items()
                },
            }
            if self.comparison
            else None,
            "breaches": self.breach_counts(),  # null: the data cannot say (not 0)
            # assignment delay vs rep delay (null medians: no assigned_at, not 0)
            "assignment": {k: _clean(v) for k, v in self.assignment.items()},
            # pending first touches: at risk, never counted as breaches (null: not
            # measurable, or unknown since the touches stopped)
            "at_risk": self.at_risk_count(),
            # the last sales touch's day when they had stopped, and what is not judged
            "touches_stopped": None if self.touches_stopped is None else str(self.touches_stopped),
            "touches_unjudged": dict(self.touches_unjudged) or None,
            # the last lifecycle event's day when they had stopped, and the groups that
            # leaves unknown this month: only then (the document of data whose lifecycle
            # events go on is as it was)
            **(
                {
                    "lifecycle_stopped": str(self.lifecycle_stopped),
                    "lifecycle_cut": list(self.lifecycle_cut),
                    "lifecycle_unjudged": dict(self.lifecycle_unjudged) or None,
                    # the reverse funnel's rates and the cut months they leave out
                    "rates_left_out": {r: list(m) for r, m in self.rates_left_out.items()} or None,
                }
                if self.lifecycle_stopped is not None
                else {}
            ),
        }


#: Columns of :func:`at_risk_episodes`.
AT_RISK_SCHEMA: dict[str, pl.DataType] = {
    "lead_id": pl.String(),
    "episode": pl.Int64(),
    "owner_rep_id": pl.String(),
    "started_at": pl.Datetime("us", "UTC"),
    "deadline_at": pl.Datetime("us", "UTC"),
    "hours_left": pl.Float64(),
}


def at_risk_episodes(speed: pl.DataFrame | None, *, as_of: datetime | None) -> pl.DataFrame:
    """The pending episodes of speed to lead: untouched, their first-touch deadline not
    passed at ``as_of``. They are at risk, not breaches (spec/coverage.md), soonest first.

    Parameters
    ----------
    speed : DataFrame or None
        From :func:`analytics.handoff.speed_to_lead` (None: no episodes).
    as_of : datetime or None
        The moment of judgement (``hours_left`` is counted from it, in calendar hours).

    Returns
    -------
    DataFrame (:data:`AT_RISK_SCHEMA`): ``lead_id``, ``episode``, ``owner_rep_id`` (null:
    unassigned), ``started_at``, ``deadline_at``, ``hours_left``.

    >>> speed = pl.DataFrame({"lead_id": ["a", "b"], "episode": [1, 1],
    ...     "owner_rep_id": ["r1", None], "status": ["pending", "missed"],
    ...     "started_at": [datetime(2026, 3, 31, 20, tzinfo=UTC)] * 2,
    ...     "deadline_at": [datetime(2026, 4, 1, 20, tzinfo=UTC)] * 2})
    >>> at_risk_episodes(speed, as_of=datetime(2026, 4, 1, 1, tzinfo=UTC)).select(
    ...     "lead_id", "hours_left").rows()
    [('a', 19.0)]
    """
    if speed is None or speed.is_empty() or as_of is None:
        return pl.DataFrame(schema=AT_RISK_SCHEMA)
    now = utc_lit(as_of)
    return (
        speed.filter(pl.col("status") == "pending")
        .select(
            "lead_id",
            pl.col("episode").cast(pl.Int64),
            "owner_rep_id",
            pl.col("started_at").cast(pl.Datetime("us", "UTC")),
            pl.col("deadline_at").cast(pl.Datetime("us", "UTC")),
            ((pl.col("deadline_at") - now).dt.total_seconds(fractional=True) / 3600)
            .round(1)
            .alias("hours_left"),
        )
        .sort("deadline_at", "lead_id", "episode")
    )


def _resolve_as_of(tables: Tables, as_of: datetime | None) -> datetime | None:
    if as_of is not None:
        return as_utc(as_of)
    latest = tables.latest_timestamp()
    return None if latest is None else as_utc(latest)


def _segment_tables(tables: Tables, segment: Mapping[str, Any], config: SlaConfig) -> Tables:
    """The tables restricted to the leads of a segment (e.g. ``{"source": "email"}``)."""
    for key in segment:
        check_segment(key)
    segs = lead_segments(tables.leads, tables.accounts, config=config)
    cond = pl.lit(True)
    for key, value in segment.items():
        values = list(value) if isinstance(value, list | tuple | set) else [value]
        cond = cond & pl.col(SEGMENT_COLUMNS[key]).is_in(values)
    ids = segs.filter(cond).select("lead_id")
    if not visitors_unknown(segment):
        value = segment["source"]
        sources = list(value) if isinstance(value, list | tuple | set) else [value]
        traffic = tables.web_traffic.filter(pl.col("source").is_in(sources))
    else:  # anonymous visitors cannot be split by anything but source
        traffic = tables.web_traffic.filter(pl.lit(False))
    return dataclasses.replace(tables.for_leads(ids), web_traffic=traffic)


def maturing_metrics(remql: Mapping[str, Any]) -> frozenset[str]:
    """The month's KPIs whose window is still open at ``as_of``, never compared with the
    month before (that month had a month longer to mature): the re-MQL rate while any of
    its recycled leads has less than ``recycle.remql_window_days`` behind it.

    >>> sorted(maturing_metrics({"is_immature": True, "n": 40})), maturing_metrics({"n": 0})
    (['remql_rate'], frozenset())
    """
    return frozenset({"remql_rate"}) if remql.get("is_immature") and remql.get("n") else frozenset()


def not_judged(
    *,
    segment: Mapping | None,
    conversion: pl.DataFrame,
    month_groups: Mapping[str, bool],
    coverage: pl.DataFrame | None,
    lang: str = "en",
    touches_stopped: date | None = None,
    values: Mapping[str, Any] | None = None,
    month: str | None = None,
    lifecycle_stopped: date | None = None,
    cut: Sequence[str] = (),
    lifecycle_unknown: Collection[str] = (),
) -> dict[str, str]:
    """KPI metric -> why the month's value is no verdict (only for those that are not):
    the data cannot answer it (:func:`analytics.coverage.kpi_reasons`, first; the groups
    ``cut`` short by the lifecycle events that stopped on ``lifecycle_stopped`` say that
    day), a period rate above 100 % is no share (:func:`analytics.coverage.share_reasons`),
    a segment has no visitors (:func:`segment_reasons`), a touch KPI without a value (in
    ``values``) since the touches stopped (:func:`analytics.coverage.touch_reasons`), or
    stale leads, and the KPIs of ``lifecycle_unknown`` (:func:`_lifecycle_unknowns`),
    since the lifecycle events stopped (:func:`analytics.coverage.lifecycle_reasons`).
    (A rate still maturing is judged by :func:`analytics.kpis.kpi_table` once its
    verdict is final.)

    >>> rates = pl.DataFrame({"metric": ["mql_to_sql"], "x": [3], "n": [1]})
    >>> known = dict.fromkeys(cov.GROUPS, True)
    >>> not_judged(segment=None, conversion=rates, month_groups=known, coverage=None)[
    ...     "mql_to_sql"][:24]
    'More SQLs (3) than MQLs '
    """
    return {
        **segment_reasons(segment, lang=lang),
        **cov.lifecycle_reasons(
            values or {},
            stopped=lifecycle_stopped,
            lang=lang,
            unknown=lifecycle_unknown,  # type: ignore[arg-type]
        ),
        **cov.touch_reasons(values or {}, stopped=touches_stopped, lang=lang),  # type: ignore[arg-type]
        **cov.share_reasons(conversion, lang=lang),  # type: ignore[arg-type]
        **cov.kpi_reasons(
            month_groups,
            coverage,
            lang=lang,  # type: ignore[arg-type]
            month=month,
            cut=cut,
            stopped=lifecycle_stopped,
        ),
    }


def breach_counts(
    breaches: Mapping[str, pl.DataFrame], coverage: Mapping[str, bool]
) -> dict[str, int | None]:
    """How many breaches of each kind there are; None for a kind one of whose measure
    groups (:data:`analytics.coverage.BREACH_GROUPS`) the data cannot answer: unknown, not
    none.

    >>> breach_counts({"handoff": pl.DataFrame({"x": [1, 2]}), "cadence": pl.DataFrame(),
    ...                "recycled_not_enrolled": pl.DataFrame()},
    ...               {"handoff": True, "cadence": False, "nurture": True,
    ...                "recycled_stage": False})
    {'handoff': 2, 'cadence': None, 'recycled_not_enrolled': None}
    """
    return {
        kind: frame.height
        if all(coverage.get(g, True) for g in cov.BREACH_GROUPS.get(kind, ()))
        else None
        for kind, frame in breaches.items()
    }


def _padded(name: str, frame: pl.LazyFrame) -> pl.LazyFrame:
    """A narrow frame with the table's other columns as nulls (keeps the Tables contract)."""
    present = frame.collect_schema().names()
    return frame.with_columns(
        pl.lit(None, dtype=dtype).alias(col)
        for col, dtype in TABLES[name].polars_schema.items()
        if col not in present
    ).select(TABLES[name].column_names)


def _materialise(t: Tables) -> Tables:
    """Collect once the rows and columns the review reads from the shared tables.

    Leads keep their id, creation and owner; lifecycle events drop the ``lead`` stage
    (creation comes from ``leads``) and, when the episodes are stored, keep only the lead,
    the stage and the moment (trigger, actor and reason are read to build episodes).
    Sales touches and activities are read later, only for the leads that need them;
    accounts are only needed for segments (applied before).
    """
    events = t.lifecycle_events.filter(pl.col("stage") != "lead")
    if t.stored_episodes is not None:  # the rest of an event is read to build episodes only
        events = events.select("lead_id", "stage", "entered_at")
    lazies = {
        "reps": cov.rep_display_names(t.reps),  # "Rep 1", "Rep 2" ... for reps without a name
        "leads": t.leads.select("lead_id", "created_at", "owner_rep_id", "assigned_at"),
        "lifecycle_events": events,
        "nurture_enrollments": t.nurture_enrollments,
        "opportunities": t.opportunities,
        "web_traffic": t.web_traffic,
    }
    frames = _collect(lazies)
    empty = {"accounts", "activities", "sales_touches"}
    return Tables(
        **{
            name: (
                pl.LazyFrame(schema=TABLES[name].polars_schema)
                if name in empty
                else _padded(name, frames[name].lazy())
            )
            for name in TABLES
        },
        episodes=t.episodes,  # stored after the import (cut, read lazily), or None
        loaded_at=t.loaded_at,
    )


def _collect(frames: Mapping[str, pl.LazyFrame]) -> dict[str, pl.DataFrame]:
    """Collect named lazy frames together (shared sub-plans are computed once)."""
    return dict(zip(frames, pl.collect_all(frames.values(), engine=ENGINE), strict=True))


def _judged_tables(
    tables: Tables,
    config: SlaConfig,
    *,
    judge_at: datetime,
    segment: Mapping[str, Any] | None,
    since: datetime,
) -> tuple[Tables, pl.LazyFrame, pl.LazyFrame, pl.LazyFrame]:
    """The data known at ``judge_at`` (of the segment), materialised as the review of the
    months from ``since`` on reads it (its nurture enrolments: :func:`_read_since`).

    Returns the materialised tables; the cut sales touches and activities (read later,
    only for the leads that need them); and the cut nurture enrolments, all of them.
    """
    t = tables.until(judge_at)
    if segment:
        t = _segment_tables(t, segment, config)
    enrollments = t.nurture_enrollments
    t = _read_since(t, since)
    return _materialise(t), t.sales_touches, t.activities, enrollments


def _read_since(t: Tables, since: datetime) -> Tables:
    """The nurture enrolments a review of the months from ``since`` on reads: those
    started or ended since then.

    Every nurture section counts enrolments started or ended in its window (a recycle's
    enrolment is one at or after it); the unknown tracks read every enrolment, from the
    tables before this. The filter reaches DuckDB on a warehouse scan: at 10M leads the
    review held every enrolment of the history.

    >>> t = Tables.from_rows(nurture_enrollments=[
    ...     {"enrollment_id": "old", "lead_id": "a", "track": "x",
    ...      "enrolled_at": "2025-01-02T00:00Z", "exited_at": "2025-02-01T00:00Z"},
    ...     {"enrollment_id": "ends", "lead_id": "b", "track": "x",
    ...      "enrolled_at": "2025-01-02T00:00Z", "exited_at": "2026-10-02T00:00Z"},
    ...     {"enrollment_id": "new", "lead_id": "c", "track": "x",
    ...      "enrolled_at": "2026-10-05T00:00Z"}])
    >>> kept = _read_since(t, datetime(2026, 10, 1, tzinfo=UTC)).nurture_enrollments
    >>> kept.collect()["enrollment_id"].to_list()
    ['ends', 'new']
    """
    lo = utc_lit(since)
    return dataclasses.replace(
        t,
        nurture_enrollments=t.nurture_enrollments.filter(
            (pl.col("enrolled_at") >= lo) | (pl.col("exited_at") >= lo)
        ),
    )


def _relevant_episodes(t: Tables, window: Window) -> pl.LazyFrame:
    """The MQL episodes that matter in ``window``: those starting or ending in it, and the
    ones still open (stale leads)."""
    lo, hi = window.start_lit, window.end_lit
    return episodes_of(t).filter(
        pl.col("ended_at").is_null()
        | pl.col("started_at").is_between(lo, hi, closed="left")
        | pl.col("ended_at").is_between(lo, hi, closed="left")
    )


def _touch_pass(
    episodes: pl.DataFrame, sales_touches: pl.LazyFrame, *, judge_at: datetime
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The touches of some episodes (:func:`_relevant_episodes`, collected).

    The sales touches of their leads are read once and assigned to them; no touch before
    the earliest of these episodes can belong to one of them.

    Returns
    -------
    (lead_touches, touches, stats): the leads' touches since the earliest episode;
    :func:`analytics.episodes.episode_touches`; the episodes with
    :func:`analytics.episodes.with_touch_stats`.
    """
    earliest = episodes["started_at"].min()
    recent = pl.col("occurred_at") >= utc_lit(earliest) if earliest is not None else pl.lit(False)
    lead_touches = (
        sales_touches.filter(recent)
        .join(episodes.lazy().select("lead_id").unique(), on="lead_id", how="semi")
        .collect(engine=ENGINE)
    )
    touches = episode_touches(episodes.lazy(), lead_touches.lazy(), as_of=judge_at).collect(
        engine=ENGINE
    )
    stats = with_touch_stats(episodes.lazy(), touches.lazy()).collect(engine=ENGINE)
    return lead_touches, touches, stats


def _episode_frames(
    t: Tables,
    stats: pl.DataFrame,
    touches: pl.DataFrame,
    lead_touches: pl.DataFrame,
    *,
    config: SlaConfig,
    window: Window,
    as_of: datetime,
    prefix: str,
    segments: pl.LazyFrame | None = None,
    touches_until: datetime | None = None,
    events_until: datetime | None = None,
) -> dict[str, pl.LazyFrame]:
    """The per-episode and per-recycle frames of a window (collected before aggregating).

    Each row depends on its own episode (or recycle) only, never on the window: the
    frames of several months are those of their span, split by :func:`_month_part`.
    First touches and cadence are judged at ``touches_until`` (the touches stopped:
    :func:`analytics.coverage.touch_horizon`; a cadence window due at ``as_of`` that the
    touches before had already held too), the rest at ``as_of``. Cadence windows are
    judged at ``events_until`` too (the lifecycle events stopped:
    :attr:`analytics.coverage.Horizons.lifecycle_until`), and ``after_stop`` holds the
    episodes touched after it, all looking open then: their attempts may be no episode's.
    """
    touch_at = as_of if touches_until is None else touches_until
    eps = stats.lazy().filter(window.contains("started_at"))
    touched_after = (
        pl.col("last_touch_at") > utc_lit(events_until)
        if events_until is not None
        else pl.lit(False)
    )
    m_touches = touches.lazy().join(
        eps.select("lead_id", "episode"), on=["lead_id", "episode"], how="semi"
    )
    return {
        f"{prefix}speed": ho.speed_to_lead(
            eps, lead_touches.lazy(), config=config, as_of=touch_at, segments=segments
        ),
        f"{prefix}accepted": ho.acceptance(eps, t.lifecycle_events, as_of=as_of),
        f"{prefix}cadence": cad.cadence_episodes(
            eps,
            m_touches,
            config=config,
            as_of=as_of,
            touches_until=touches_until,
            events_until=events_until,
        ),
        f"{prefix}after_stop": eps.filter(touched_after).select("lead_id", "episode", "started_at"),
        f"{prefix}premature": ho.premature_recycles(
            stats.lazy().filter(window.contains("ended_at")), config=config
        ),
        f"{prefix}enrollment": ho.recycled_enrollment(
            t.lifecycle_events, t.nurture_enrollments, config=config, window=window, as_of=as_of
        ),
        f"{prefix}touches": m_touches,
    }


def _aggregates(
    f: Mapping[str, pl.DataFrame],
    *,
    config: SlaConfig,
    month: str,
    as_of: datetime,
    prefix: str,
    detail: bool,
    reps: pl.LazyFrame,
    touches_until: datetime | None = None,
) -> dict[str, pl.LazyFrame]:
    """One month's summaries (and, with ``detail``, the tables for people); untouched
    episodes wait until ``touches_until`` at most (the touches stopped)."""
    window = month_window(month, timezone=config.month_zones)
    speed = f[f"{prefix}speed"].lazy()
    accepted = f[f"{prefix}accepted"].lazy()
    cadence = f[f"{prefix}cadence"].lazy()
    volumes = f["volumes"].lazy().filter(pl.col("month") == month)
    out = {
        "volumes": volumes,
        "conversion": period_rates(volumes),
        "handoff": ho.handoff_summary(speed),
        "acceptance": ho.acceptance_summary(accepted),
        "cadence": cad.cadence_summary(cadence),
        "remql": nu.remql_rate(
            f[f"{prefix}remql"].lazy(), config=config, window=window, as_of=as_of
        ),
    }
    if not detail:
        return out
    touches = f[f"{prefix}touches"].lazy()
    out.update(
        {
            "handoff_by_rep": ho.handoff_by(speed, by="rep", reps=reps),
            "handoff_by_team": ho.handoff_by(speed, by="team", reps=reps),
            "handoff_by_week": ho.handoff_by(speed, by="week", timezone=config.reporting.timezone),
            "handoff_breaches": ho.handoff_breaches(speed),
            "rejection_reasons": ho.rejection_reasons(accepted),
            "cadence_by_rep": cad.cadence_by_rep(cadence, reps=reps),
            "channel_mix": cad.channel_mix(touches),
            "gaps_by_rep": cad.gap_summary(cad.attempt_gaps(touches), by=["rep_id"]),
            "stall_reasons": cad.stall_reasons(cadence, f["stats"].lazy(), touches),
            "never_contacted": cad.never_contacted(
                cadence, as_of=as_of if touches_until is None else touches_until
            ),
            "cadence_breaches": cad.cadence_breaches(cadence),
        }
    )
    return out


def _unjudged(
    speed: pl.DataFrame, cadence: pl.DataFrame, *, config: SlaConfig, as_of: datetime
) -> dict[str, int]:
    """How many first touches and cadence windows judged at the touches' last day are
    still open, though due at ``as_of``: not judged because the touches stopped."""
    at = pl.lit(as_utc(as_of))
    due = cad.judged_at(as_of, config=config)
    return {
        "handoff": speed.filter(
            (pl.col("status") == "pending") & (pl.col("deadline_at") <= at)
        ).height,
        "cadence": cadence.filter(~pl.col("is_judged") & due).height,
    }


def _lifecycle_unjudged(
    cadence: pl.DataFrame,
    *,
    config: SlaConfig,
    as_of: datetime,
    touches_until: datetime | None,
    measurable: bool,
) -> dict[str, int]:
    """How many of the month's cadence windows are not judged because the lifecycle
    events stopped (:func:`analytics.cadence.cadence_episodes` with ``events_until``):
    due at ``as_of`` (and at ``touches_until`` when the touches stopped too: else the
    touches' note says it), still open; empty where the month's cadence is unknown
    anyway (``measurable`` false: a month the stop cuts short)."""
    if not measurable:
        return {}
    due = cad.judged_at(as_of if touches_until is None else touches_until, config=config)
    return {"cadence": cadence.filter(~pl.col("is_judged") & due).height}


def _never_contacted_as_listed(cadence: dict[str, Any], cur: dict[str, pl.DataFrame]) -> None:
    """The month's never-contacted count, in total and per rep, as its list has it, in
    ``cadence`` and ``cur``: the episodes whose first touch is still due (pending, at
    risk: :attr:`Review.at_risk`) or was due after the touches' last day left out, as
    the breach count leaves them out (one page, one number for one measure). Unknown
    stays unknown (None)."""
    listed = cur["never_contacted"]
    if cadence.get("never_contacted") is not None:
        cadence["never_contacted"] = listed.height
    per_rep = listed.group_by(pl.col("owner_rep_id").alias("rep_id")).agg(
        pl.len().cast(pl.Int64).alias("_listed")
    )
    cur["cadence_by_rep"] = (
        cur["cadence_by_rep"]
        .join(per_rep, on="rep_id", how="left", nulls_equal=True, maintain_order="left")
        .with_columns(pl.col("_listed").fill_null(0).alias("never_contacted"))
        .drop("_listed")
    )


def judged_recycles(premature: pl.DataFrame, touches_until: datetime | None) -> pl.DataFrame:
    """The recycles of :func:`analytics.handoff.premature_recycles` that can be judged:
    all, or, when the touches stopped, those up to ``touches_until`` and the later ones the
    touches before it already made not premature (reached, or enough attempts); a later
    recycle's other attempts are unknown.

    >>> at = datetime(2026, 9, 16, tzinfo=UTC)
    >>> r = pl.DataFrame({"recycled_at": [datetime(2026, 9, 10, tzinfo=UTC), at, at],
    ...                   "is_premature": [True, True, False]})
    >>> earlier = datetime(2026, 9, 15, 23, tzinfo=UTC)
    >>> judged_recycles(r, None).height, judged_recycles(r, earlier).height
    (3, 2)
    """
    if touches_until is None:
        return premature
    by_then = pl.col("recycled_at") <= pl.lit(as_utc(touches_until))
    return premature.filter(by_then | ~pl.col("is_premature"))


def _touch_unknowns(
    frames: Mapping[str, pl.DataFrame], touches_until: datetime | None
) -> frozenset[str]:
    """The month's counts the stopped touches leave unknown: attempts per MQL while an
    episode was still open at ``touches_until``, premature recycles while a recycle came
    after it that its touches before did not already clear (:func:`judged_recycles`).
    Since the lifecycle events stopped, attempts per MQL while an episode looking open
    then was touched after it (``after_stop``: :func:`_episode_frames`), as it may have
    ended before those touches. (Compliance counts only judged episodes: the others are
    pending.)"""
    after_stop = frames["after_stop"].height if "after_stop" in frames else 0
    if touches_until is None:
        return frozenset({"attempts_per_mql"} if after_stop else ())
    at = pl.lit(as_utc(touches_until))
    still_open = pl.col("ended_at").is_null() | (pl.col("ended_at") > at)
    open_then = frames["cadence_episodes"].filter(still_open).height + after_stop
    recycles = frames["premature"]
    later = recycles.height - judged_recycles(recycles, touches_until).height
    return frozenset(
        name for name, unknown in (("attempts_per_mql", open_then), ("premature", later)) if unknown
    )


def _lifecycle_unknowns(
    frames: Mapping[str, pl.DataFrame], values: Mapping[str, Any], *, stopped: date | None
) -> tuple[str, ...]:
    """The month's KPIs (``values``) the lifecycle events that stopped on ``stopped``
    leave without a value (:data:`analytics.coverage.STOP_EPISODE_KPIS`): attempts per MQL
    when an episode that looked open then was touched after it (``after_stop``), cadence
    compliance when no window is judged while some wait; not a month without a case."""
    if stopped is None:
        return ()
    waiting = {
        "attempts_per_mql": frames["after_stop"].height > 0,
        "cadence_compliance": bool((~frames["cadence_episodes"]["is_judged"]).any()),
    }
    return tuple(m for m, w in waiting.items() if w and values.get(m, 0) is None)


def _summaries(
    frames: Mapping[str, pl.DataFrame],
    config: SlaConfig,
    *,
    stale: int | None,
    touches_until: datetime | None = None,
) -> dict[str, dict[str, Any]]:
    """The scalar sections of one month from its collected frames (the counts the touches
    that stopped at ``touches_until`` leave unknown are None)."""
    volumes = _row(frames["volumes"].drop("month"))
    for key in VOLUME_COLUMNS:
        volumes.setdefault(key, None)
    handoff = _row(frames["handoff"])
    cadence = _row(frames["cadence"])
    acceptance = _row(frames["acceptance"])
    premature = judged_recycles(frames["premature"], touches_until)
    unknown = _touch_unknowns(frames, touches_until)
    if "attempts_per_mql" in unknown:
        cadence["attempts_per_mql"] = None
    status_counts = dict(frames["enrollment"].group_by("status").len().iter_rows())
    recycling = {
        "recycled": volumes.get("recycled"),
        "recycled_episodes": premature.height,
        "premature": (
            None
            if "premature" in unknown
            else int(premature["is_premature"].sum())
            if premature.height
            else 0
        ),
        "stale": stale,
        **{f"enrollment_{s}": int(status_counts.get(s, 0)) for s in ho.EnrollmentStatus.__args__},
    }
    judged_enrollment = sum(status_counts.get(s, 0) for s in ("in_time", "late", "missing"))
    recycling["enrolled_in_time_rate"] = ratio(status_counts.get("in_time", 0), judged_enrollment)
    remql = _row(frames["remql"])
    conv = {r["metric"]: r for r in _records(frames["conversion"])}
    kpi = {
        **{k: volumes.get(k) for k in VOLUME_COLUMNS if k != "customers"},
        **{k: conv.get(k, {}).get("rate") for k in JSON_CONVERSION},
        "mql_attainment": ratio(volumes.get("mqls"), config.goals.mql_target_monthly),
        "mql_rejection_rate": acceptance.get("rejection_rate"),
        "handoff_compliance": handoff.get("compliance"),
        "median_hours_to_first_touch": handoff.get("median_hours_to_first_touch"),
        "cadence_compliance": cadence.get("compliance"),
        "attempts_per_mql": cadence.get("attempts_per_mql"),
        "premature_recycles": recycling["premature"],
        "stale_leads": stale,
        "recycled_enrolled_in_time": recycling["enrolled_in_time_rate"],
        "remql_rate": remql.get("rate"),
    }
    kpi = {k: kpi.get(k) for k in KPI_METRICS}
    return {
        "volumes": volumes,
        "handoff": handoff,
        "cadence": cadence,
        "acceptance": acceptance,
        "recycling": recycling,
        "remql": remql,
        "kpi": kpi,
    }


#: The sections whose ``episodes`` counts the month's MQL episodes: the lifecycle events
#: answer it (group ``mql_stage``), so the section's own group leaves it (spec/coverage.md:
#: only a count that cannot be known is null).
_EPISODE_COUNTS = ("handoff", "cadence", "acceptance")

#: The keys of the review's ``recycling`` section on recycled leads' nurture enrolment:
#: they need the enrolments (group ``nurture``) and the recycles (``recycled_stage``).
_ENROLMENT_KEYS = (
    "enrollment_in_time",
    "enrollment_late",
    "enrollment_missing",
    "enrollment_pending",
    "enrolled_in_time_rate",
)

#: Per measure group: the keys of the review's sections that it answers ("*": all, but
#: the episode count of :data:`_EPISODE_COUNTS`).
GROUP_KEYS: dict[str, dict[str, tuple[str, ...]]] = {
    "visitors": {"volumes": ("visitors",)},
    "funnel": {
        "volumes": (
            "leads",
            "mqls",
            "sals",
            "sqls",
            "opportunities",
            "customers",
            "recycled",
            "disqualified",
        ),
        "recycling": ("recycled",),
        "remql": ("*",),
    },
    "lead_stage": {"volumes": ("leads",)},
    "mql_stage": {
        "volumes": ("mqls",),
        "remql": ("*",),
        **{section: ("episodes",) for section in _EPISODE_COUNTS},
    },
    "sal_stage": {"volumes": ("sals",)},
    "sql_stage": {"volumes": ("sqls",)},
    "opportunity_stage": {"volumes": ("opportunities",)},
    "customer_stage": {"volumes": ("customers",)},
    # recycled leads' enrolment (its counts and rate) needs the recycles too
    "recycled_stage": {
        "volumes": ("recycled",),
        "recycling": ("recycled", *_ENROLMENT_KEYS),
        "remql": ("*",),
    },
    "disqualified_stage": {"volumes": ("disqualified",)},
    "revenue": {"volumes": ("won_revenue",)},
    "deals": {"volumes": ("deals_won",)},
    "handoff": {"handoff": ("*",)},
    "cadence": {"cadence": ("*",)},
    "acceptance": {"acceptance": ("*",)},
    "recycling": {"recycling": ("recycled_episodes", "premature", "stale")},
    "nurture": {"recycling": _ENROLMENT_KEYS},
}

#: Per measure group: the review's detail frames (and breach lists) it feeds.
_GROUP_FRAMES: dict[str, tuple[str, ...]] = {
    "handoff": ("speed", "handoff_by_rep", "handoff_by_team", "handoff_by_week",
                "handoff_breaches", "never_contacted"),
    "cadence": ("cadence_episodes", "cadence_by_rep", "channel_mix", "gaps_by_rep",
                "stall_reasons", "cadence_breaches"),
    "acceptance": ("rejection_reasons",),
    "recycling": ("premature", "stale"),
    "recycled_stage": ("enrollment",),
    "nurture": ("enrollment",),
}  # fmt: skip

#: The measure group of each stage of goal pacing (others: ``funnel``); a counted stage's
#: group needs the funnel's tables too.
_PACING_GROUPS = {
    "won_revenue": "revenue",
    "deals_won": "deals",
    "visitors": "visitors",
    "opportunities": "opportunity_stage",
    "sqls": "sql_stage",
    "mqls": "mql_stage",
    "leads": "lead_stage",
}


def _covered(
    summary: dict[str, dict[str, Any]],
    groups: Mapping[str, bool],
    *,
    segment: Mapping | None,
    seg_target: Any,
) -> dict[str, dict[str, Any]]:
    """The summaries with what the month's data cannot answer set to None (spec/coverage.md)."""
    out = {k: dict(v) for k, v in summary.items()}
    for group, sections in GROUP_KEYS.items():
        if groups.get(group, True):
            continue
        for section, keys in sections.items():
            if keys == ("*",):
                keys = [
                    k for k in out[section] if not (k == "episodes" and section in _EPISODE_COUNTS)
                ]
            for key in keys:
                out[section][key] = None
    for metric, needs in cov.KPI_GROUPS.items():
        if not all(groups.get(g, True) for g in needs):
            out["kpi"][metric] = None
    if segment:  # attainment against the segment's own MQL target, or none
        mqls, target = out["volumes"].get("mqls"), getattr(seg_target, "mql_target_monthly", None)
        out["kpi"]["mql_attainment"] = ratio(mqls, target) if target and mqls is not None else None
    return out


def _segment_config(config: SlaConfig, seg_target: Any) -> SlaConfig:
    """The config with the segment's own goals (revenue and MQL targets) where it has them."""
    if seg_target is None:
        return config
    goals = {
        k: getattr(seg_target, k)
        for k in ("revenue_target_monthly", "mql_target_monthly")
        if getattr(seg_target, k) is not None
    }
    return config.model_copy(update={"goals": config.goals.model_copy(update=goals)})


def _segment_kpi_targets(config: SlaConfig, seg_target: Any) -> dict[str, float]:
    """A segment's volume-KPI targets (empty: no volume KPI is judged for the segment)."""
    if seg_target is None:
        return {}
    out = dict(seg_target.kpis)
    if seg_target.mql_target_monthly is not None:
        out.setdefault("mqls", seg_target.mql_target_monthly)
        for _, kpi in config.all_kpis:
            if kpi.metric == "mql_attainment":
                out.setdefault("mql_attainment", kpi.target)
    if seg_target.revenue_target_monthly is not None:
        out.setdefault("won_revenue", seg_target.revenue_target_monthly)
    return out


def _blank_frames(frames: dict[str, pl.DataFrame], groups: Mapping[str, bool]) -> None:
    """Empty the detail frames of the groups the month's data cannot answer (in place)."""
    for group, names in _GROUP_FRAMES.items():
        if not groups.get(group, True):
            for name in names:
                if name in frames:
                    frames[name] = frames[name].head(0)


def covered_transitions(frame: pl.DataFrame, groups: Mapping[str, bool]) -> pl.DataFrame:
    """Cohort rates or velocity rows (``from_stage``, ``to_stage``) between stages the
    month's data cannot count: their numbers null (Olist's lead -> MQL 100 %, MQL -> SAL 0 %
    of a SAL stage never imported, X Education's lead -> MQL 0 / 9,240).

    >>> f = pl.DataFrame({"from_stage": ["lead", "mql"], "to_stage": ["mql", "sql"], "x": [3, 1]})
    >>> covered_transitions(f, {"funnel": True, "lead_stage": True, "mql_stage": True,
    ...                          "sql_stage": False})["x"].to_list()
    [3, None]
    """
    answered = [g for g, ok in groups.items() if ok]

    def counted(stage: str) -> pl.Expr:
        group = pl.col(stage).replace_strict(
            cov.COUNTED_STAGES, default=None, return_dtype=pl.String
        )
        return group.is_in(answered)

    both = counted("from_stage") & counted("to_stage") & pl.lit(groups.get("funnel", True))
    numbers = [c for c in frame.columns if c not in ("month", "from_stage", "to_stage",
                                                      "window_days", "is_immature")]  # fmt: skip
    return frame.with_columns(pl.when(both).then(pl.col(c)).alias(c) for c in numbers)


def covered_conversion(conversion: pl.DataFrame, groups: Mapping[str, bool]) -> pl.DataFrame:
    """Conversion rows whose inputs the month's data lacks: counts and rates null."""
    unknown = [
        m for m, needs in cov.KPI_GROUPS.items() if not all(groups.get(g, True) for g in needs)
    ]
    gone = pl.col("metric").is_in(unknown)
    return conversion.with_columns(
        pl.when(~gone).then(pl.col(c)).alias(c)
        for c in ("x", "n", "rate", "ci_low", "ci_high")
        if c in conversion.columns
    )


def covered_pacing(
    pacing: pl.DataFrame,
    groups: Mapping[str, bool],
    *,
    judged: Any = True,
    periods: Mapping[str, Mapping[str, bool]] | None = None,
) -> pl.DataFrame:
    """Goal pacing with what the month's data cannot answer null (spec/coverage.md).

    A stage whose measure group (``won_revenue``: revenue, ``deals_won``: deals,
    ``visitors``: visitors, ``mqls``, ``sqls``, ``opportunities``: their stage's group, the
    others: funnel) the month cannot answer has ``actual``,
    ``expected_to_date``, ``pace``, ``forecast`` and ``forecast_attainment`` null (its
    goal stays); without a segment target (``judged`` false) no row has a target or pace.
    A row of a ``period`` in ``periods`` (the quarter) is judged by that period's groups
    (:func:`analytics.coverage.period_coverage`): its actual sums every month so far.

    >>> p = pl.DataFrame({"stage": ["won_revenue", "mqls"], "actual": [0.0, 30.0],
    ...                   "target": [100.0, 40.0], "expected_to_date": [50.0, 20.0],
    ...                   "pace": [0.0, 1.5], "forecast": [0.0, 60.0],
    ...                   "forecast_attainment": [0.0, 1.5]})
    >>> covered_pacing(p, {"revenue": False}).select("actual", "target",
    ...                                               "expected_to_date").rows()
    [(None, 100.0, None), (30.0, 40.0, 20.0)]
    >>> q = p.with_columns(period=pl.lit("quarter"))
    >>> covered_pacing(q, {}, periods={"quarter": {"revenue": False}})["actual"].to_list()
    [None, 30.0]
    """
    stages = pacing["stage"].unique().to_list()

    def unknown(answered: Mapping[str, bool]) -> pl.Expr:
        missing = [s for s in stages if not answered.get(_PACING_GROUPS.get(s, "funnel"), True)]
        return pl.col("stage").is_in(missing)

    gone = unknown(groups)
    for period, answered in (periods or {}).items() if "period" in pacing.columns else ():
        gone = pl.when(pl.col("period") == period).then(unknown(answered)).otherwise(gone)
    out = pacing.with_columns(
        pl.when(~gone).then(pl.col(c)).alias(c)
        for c in ("actual", "expected_to_date", "pace", "forecast", "forecast_attainment")
    )
    if not judged:
        out = out.with_columns(
            pl.lit(None, pl.Float64).alias(c)
            for c in ("target", "expected_to_date", "pace", "forecast_attainment")
        )
    return out


def pacing_group(stage: str) -> str:
    """The measure group a stage of goal pacing needs (spec/coverage.md).

    >>> pacing_group("won_revenue"), pacing_group("sqls"), pacing_group("leads")
    ('revenue', 'sql_stage', 'lead_stage')
    """
    return _PACING_GROUPS.get(stage, "funnel")


def _months_between(first: str, last: str) -> int:
    (y1, m1), (y2, m2) = parse_month(first), parse_month(last)
    return (y2 - y1) * 12 + (m2 - m1)


#: The metrics of the anonymous visitors: split by source only (:func:`_segment_tables`).
VISITOR_METRICS = ("visitors", "visitor_to_lead")


def visitors_unknown(segment: Mapping | None) -> bool:
    """Whether a segment leaves the visitors unknown: anonymous, they split by source only.

    >>> visitors_unknown({"owner": "r1"}), visitors_unknown({"source": "email"})
    (True, False)
    >>> visitors_unknown(None)
    False
    """
    return bool(segment) and set(segment) != {"source"}


def segment_reasons(segment: Mapping | None, *, lang: str = "en") -> dict[str, str]:
    """Why a segment makes metrics unknown, by metric: the visitors' for a segment by
    anything but source; {} otherwise.

    >>> segment_reasons({"owner": "r1"})["visitor_to_lead"][:45]
    'Visitors are anonymous and counted by source '
    >>> segment_reasons({"source": "email"}), segment_reasons(None)
    ({}, {})
    """
    from analytics.texts import render

    if not visitors_unknown(segment):
        return {}
    return dict.fromkeys(VISITOR_METRICS, render("coverage.visitors_by_source", lang=lang))  # type: ignore[arg-type]


def _without_visitors(frames: dict[str, pl.DataFrame], segment: Mapping | None) -> None:
    """Anonymous visitors cannot be split by a lead attribute: null, not 0 (in place)."""
    if not visitors_unknown(segment):
        return
    frames["volumes"] = frames["volumes"].with_columns(pl.lit(None, pl.Int64).alias("visitors"))
    visitors = pl.col("metric") == "visitor_to_lead"
    frames["conversion"] = frames["conversion"].with_columns(
        pl.when(~visitors).then(pl.col(c)).alias(c) for c in ("n", "rate", "ci_low", "ci_high")
    )


def build_review(
    tables: Tables,
    config: SlaConfig,
    *,
    month: str | None = None,
    as_of: datetime | None = None,
    segment: dict | None = None,
    coverage: pl.DataFrame | None = None,
    notifications: pl.LazyFrame | pl.DataFrame | None = None,
) -> Review:
    """Assemble the month's review (spec/metrics.md, every section).

    Parameters
    ----------
    tables : Tables
        The warehouse tables (lazy; each is read once).
    config : SlaConfig
        The SLA in force. Its :attr:`~analytics.config.SlaConfig.month_zones` cut the
        months (the month's and the previous month's span, the quarter, the trailing
        months): ``config.reporting.timezone`` for every month, unless it came from
        :func:`analytics.sla_versions.config_for_month` over versions in several zones.
    month : str, optional
        ``YYYY-MM``, a calendar month in ``config.reporting.timezone`` (default: the last
        month that has ended at ``as_of``). A month that has not ended is ``running``:
        its volume KPIs are judged against their targets pro-rated by days elapsed, and
        it is not compared with the month before.
    as_of : datetime, optional
        The moment of judgement (default: the latest timestamp in the data; for an empty
        warehouse the end of the month). Anything later is ignored.
    segment : dict, optional
        Restrict to the leads of a segment, e.g. ``{"source": "email"}`` or
        ``{"size_band": ["250-999", "1000+"]}`` (keys: :data:`analytics.funnel.SEGMENTS`).
        Visitors split only by source; for other segments they are null. Volume KPIs,
        counts of leads (premature recycles, stale leads) and goal pacing are judged only
        against the segment's own targets (``[[goals.segments]]``).
    coverage : DataFrame, optional
        What the data can answer (:func:`analytics.coverage.coverage`, as stored at
        import); default: computed from ``tables``. A measure the month's data cannot
        answer is null, its KPI ``no_data`` (spec/coverage.md).
    notifications : LazyFrame or DataFrame, optional
        The send log of ``sla notify``
        (:func:`analytics.warehouse.notifications.notification_log`): fills
        :attr:`Review.warnings` (:func:`with_warnings`).

    Returns
    -------
    Review
        Scalars and detail frames; ``to_json_dict()`` is the ``sla review --json`` document.

    Raises
    ------
    analytics.timeframe.TimeframeError
        For a month that is not ``YYYY-MM``.
    ValueError
        For an unknown segment key.
    """
    tz = config.month_zones  # where each month starts and ends (the SLA history's zones)
    if segment:
        for key in segment:
            check_segment(key)
    resolved = _resolve_as_of(tables, as_of)
    if month is None:
        month = cov.last_complete_month(resolved or datetime.now(UTC), timezone=tz)
    parse_month(month)
    window = month_window(month, timezone=tz)
    judge_at = resolved if resolved is not None else window.end
    if coverage is None:
        coverage = cov.known_coverage(tables, config=config, as_of=judge_at)
    groups = cov.month_coverage(coverage, month, timezone=tz)
    prev_groups = cov.month_coverage(coverage, shift_month(month, -1), timezone=tz)
    # touches that stopped judge nothing after their last day (as `sla alerts` says); nor
    # do lifecycle events that stopped: a month that goes on past their last day has its
    # stages counted, and its MQL episodes judged, only in part (one read of the last
    # touch for both rules)
    horizon = cov.horizons(tables, as_of=judge_at, config=config)
    stopped, touches_until, events_stopped = horizon[:3]
    cut = cov.lifecycle_cut(groups, month, stopped=events_stopped, timezone=tz)
    groups = {g: ok and g not in cut for g, ok in groups.items()}
    prev_cut = cov.lifecycle_cut(
        prev_groups, shift_month(month, -1), stopped=events_stopped, timezone=tz
    )
    prev_groups = {g: ok and g not in prev_cut for g, ok in prev_groups.items()}
    running = cov.is_running(month, resolved, timezone=tz)
    days, total_days = cov.month_days(month, resolved, timezone=tz)
    seg_target = config.goals.for_segment(segment)
    config = _segment_config(config, seg_target)
    prev = shift_month(month, -1)
    prev_window = month_window(prev, timezone=tz)
    trailing = config.goals.rate_window_months
    first = min(shift_month(month, -trailing), quarter_start_month(month))
    span_months = _months_between(first, month) + 1
    since = min(month_window(first, timezone=tz).start, prev_window.start)
    t, source_touches, source_activities, all_enrollments = _judged_tables(
        tables, config, judge_at=judge_at, segment=segment, since=since
    )

    # 1-2. Monthly volumes of every month the review reads (trailing rates, previous month,
    #      quarter); the MQL episodes of this and the previous month with their touches.
    both = months_window(prev, 2, timezone=tz)
    first_pass = _collect({
        "volumes": monthly_volumes(t, config=config, month=first, months=span_months),
        "episodes": _relevant_episodes(t, both),
    })  # fmt: skip
    volumes_frame = first_pass["volumes"]
    lead_touches, touches, stats = _touch_pass(
        first_pass.pop("episodes"), source_touches, judge_at=judge_at
    )

    # 3. Per-episode and per-lead frames of both months, and the month's detail frames.
    segments = ho.segments_for_lines(tables, config=config)  # per-episode handoff lines
    # stage_progression reads only the cohort's leads, from 30 days before the month
    activities = source_activities.select("lead_id", "occurred_at", "buyer_stage").filter(
        pl.col("buyer_stage").is_not_null()
    )
    # the per-episode frames of both months at once, split by month below (as kpi_history)
    second = {
        **_episode_frames(t, stats, touches, lead_touches, config=config, window=both,
                          as_of=judge_at, prefix="", segments=segments,
                          touches_until=touches_until, events_until=horizon.lifecycle_until),
        "remql": nu.remql(t.lifecycle_events, config=config, window=window, as_of=judge_at),
        "prev:remql": nu.remql(t.lifecycle_events, config=config, window=prev_window,
                               as_of=judge_at),
        "stale": ho.stale_leads(stats.lazy(), t.lifecycle_events, config=config,
                                as_of=judge_at),
        "transitions": stage_transitions(t, config=config, month=month, pairs=ALL_PAIRS),
        "skipped": skipped_stages(t, config=config, month=month),
        "nurture_enrollments": nu.enrollments_by_track(
            t.nurture_enrollments, config=config, window=window
        ),
        "nurture_exits": nu.exits_by_reason(t.nurture_enrollments, window=window),
        "nurture_progression": nu.stage_progression(
            t.nurture_enrollments, activities, window=window, as_of=judge_at
        ),
        "sales_triggered": nu.sales_triggered_outcomes(
            nu.sales_triggered(
                t.nurture_enrollments, t.lifecycle_events, config=config, window=window
            )
        ),
        "unknown_tracks": nu.unknown_tracks(all_enrollments, config=config),
    }  # fmt: skip
    f = _collect(second)
    f.update(
        {f"prev:{k}": v for k, v in _month_part(f, prev_window).items()},
        touches=f["touches"].filter(window.contains("started_at")),
        **_month_part(f, window),
        volumes=volumes_frame,
        stats=stats,
    )

    # 4. Aggregates, from the collected frames.
    volumes = f["volumes"].lazy()
    anywhere = cov.answerable(coverage)  # a rate at all
    # a trailing month the lifecycle events that stopped cut short feeds no rate its
    # partial counts (as a month with a deal won without an amount feeds no deal size)
    trailing_cut = {
        m: cov.lifecycle_cut(cov.month_coverage(coverage, m, timezone=tz), m,
                             stopped=events_stopped, timezone=tz)
        for m in month_labels(shift_month(month, -trailing), trailing)
    } if events_stopped else {}  # fmt: skip
    targets = monthly_targets(
        t, config=config, month=month, volumes=volumes, measurable=anywhere,
        unpriced=cov.gaps(coverage, "revenue"), cut=trailing_cut,
    )  # fmt: skip
    transitions = f["transitions"].lazy()
    current = _aggregates(f, config=config, month=month, as_of=judge_at, prefix="",
                          detail=True, reps=t.reps, touches_until=touches_until)  # fmt: skip
    previous = _aggregates(f, config=config, month=prev, as_of=judge_at, prefix="prev:",
                           detail=False, reps=t.reps)  # fmt: skip
    current.update(
        {
            "cohorts": cohort_rates(
                t, config=config, month=month, as_of=judge_at, transitions=transitions
            ),
            "velocity": velocity(t, config=config, month=month, transitions=transitions),
            "targets": targets,
            "pacing": pacing(
                t, config=config, month=month, as_of=judge_at, targets=targets, volumes=volumes
            ),
        }
    )
    collected = _collect({**current, **{f"prev:{k}": v for k, v in previous.items()}})
    cur = {k: v for k, v in collected.items() if not k.startswith("prev:")}
    old = {k.removeprefix("prev:"): v for k, v in collected.items() if k.startswith("prev:")}
    for key in ("stale", "skipped", "nurture_enrollments", "nurture_exits",
                "nurture_progression", "sales_triggered", "unknown_tracks"):  # fmt: skip
        cur[key] = f[key]
    for key, name in (("speed", "speed"), ("cadence", "cadence_episodes"),
                      ("premature", "premature"), ("enrollment", "enrollment"),
                      ("after_stop", "after_stop")):  # fmt: skip
        cur[name] = f[key]
        old[name] = f[f"prev:{key}"]
    _without_visitors(cur, segment)
    _without_visitors(old, segment)

    # stale at as_of is unknown once the touches or the lifecycle events stopped (which
    # episodes are still open, and what sales did in them): no list, no count
    stale_unknown = stopped is not None or events_stopped is not None
    if stale_unknown:
        cur["stale"] = cur["stale"].head(0)
    now = _covered(
        _summaries(cur, config, stale=None if stale_unknown else cur["stale"].height,
                   touches_until=touches_until),
        groups, segment=segment, seg_target=seg_target,
    )  # fmt: skip
    before = _covered(_summaries(old, config, stale=None, touches_until=touches_until),
                      prev_groups, segment=segment, seg_target=seg_target)  # fmt: skip
    if running:  # a running month is never compared month-over-month
        before = {k: dict.fromkeys(v) for k, v in before.items()}
    for metric in maturing_metrics(now["remql"]):  # nor is a rate whose window is open
        before["kpi"][metric] = None
    for metric in cov.share_reasons(old["conversion"]):  # nor a ratio that was no share
        before["kpi"][metric] = None
    stop_unknown = _lifecycle_unknowns(cur, now["kpi"], stopped=events_stopped)
    kpis = kpi_table(
        now["kpi"],
        before["kpi"],
        config=config,
        reasons=not_judged(
            segment=segment,
            conversion=cur["conversion"],
            month_groups=groups,
            coverage=coverage,
            touches_stopped=stopped,
            values=now["kpi"],
            month=month,
            lifecycle_stopped=events_stopped,
            cut=cut,
            lifecycle_unknown=stop_unknown,
        ),
        maturing=maturing_metrics(now["remql"]),
        target_share=days / total_days if running and total_days else 1.0,
        segment_targets=_segment_kpi_targets(config, seg_target) if segment else None,
    ).collect(engine=ENGINE)
    _blank_frames(cur, groups)
    if (stopped or events_stopped) and now["cadence"].get("attempts_per_mql") is None:
        # nor per rep: the attempts after the touches or the lifecycle events stopped are
        # unknown
        cur["cadence_by_rep"] = cur["cadence_by_rep"].with_columns(
            pl.lit(None, pl.Float64).alias("attempts_per_mql")
        )
    cur["conversion"] = covered_conversion(cur["conversion"], groups)
    for name in ("cohorts", "velocity"):
        cur[name] = covered_transitions(cur[name], groups)
    cur["pacing"] = covered_pacing(
        cur["pacing"],
        groups,
        judged=not segment or seg_target,
        # the quarter so far includes this month: not answerable where this month is not
        # (the lifecycle events that stopped cut it short; else the same, as it is a month
        # of the quarter)
        periods={"quarter": {
            g: ok and groups.get(g, True)
            for g, ok in cov.period_coverage(coverage, month, period="quarter", timezone=tz).items()
        }},
    )  # fmt: skip
    premature = cur["premature"]
    enrollment = cur["enrollment"]
    split = ho.assignment_split(cur["speed"].lazy(), t.leads, as_of=judge_at)
    by_assignment, assignment = pl.collect_all(
        [ho.assignment_by_rep(split, reps=t.reps), ho.assignment_by_rep(split.with_columns(
            pl.lit(None, pl.String).alias("owner_rep_id")))], engine=ENGINE
    )  # fmt: skip
    # a never-contacted episode whose first-touch deadline has not passed is pending, not a breach
    pending = cur["speed"].filter(pl.col("status") == "pending").select("lead_id", "episode")
    cur["never_contacted"] = cur["never_contacted"].join(
        pending, on=["lead_id", "episode"], how="anti"
    )
    # the tile and the per-rep column count the list (untouched at the last touch is no
    # fact about what came after; a first touch still due is at risk, not a breach)
    _never_contacted_as_listed(now["cadence"], cur)
    breaches = {
        "handoff": cur["handoff_breaches"],
        "cadence": cur["cadence_breaches"],
        "never_contacted": cur["never_contacted"],
        # no list where the count is unknown: a later recycle's attempts are not known
        "premature_recycles": judged_recycles(premature, touches_until)
        .filter(pl.col("is_premature") & pl.lit(now["recycling"]["premature"] is not None))
        .sort("attempts_short", "lead_id", "episode", descending=[True, False, False]),
        # after _blank_frames: no list where recycling cannot be measured (its count is null)
        "stale_leads": cur["stale"],
        "recycled_not_enrolled": enrollment.filter(pl.col("status").is_in(["late", "missing"])),
    }
    review = Review(
        month=window.label,
        as_of=resolved,
        window=window,
        segment=dict(segment) if segment else None,
        volumes=now["volumes"],
        previous_volumes=before["volumes"],
        conversion=cur["conversion"].drop("month"),
        cohorts=cur["cohorts"],
        velocity=cur["velocity"],
        skipped_stages=cur["skipped"],
        handoff=now["handoff"],
        speed_to_lead=cur["speed"],
        handoff_by_rep=cur["handoff_by_rep"],
        handoff_by_team=cur["handoff_by_team"],
        handoff_by_week=cur["handoff_by_week"],
        acceptance=now["acceptance"],
        rejection_reasons=cur["rejection_reasons"],
        cadence=now["cadence"],
        cadence_episodes=cur["cadence_episodes"],
        cadence_by_rep=cur["cadence_by_rep"],
        channel_mix=cur["channel_mix"],
        gaps_by_rep=cur["gaps_by_rep"],
        stall_reasons=cur["stall_reasons"],
        recycling=now["recycling"],
        recycled_enrollment=enrollment,
        nurture_enrollments=cur["nurture_enrollments"],
        nurture_exits=cur["nurture_exits"],
        nurture_progression=cur["nurture_progression"],
        remql=now["remql"],
        sales_triggered=cur["sales_triggered"],
        unknown_tracks=cur["unknown_tracks"],
        targets=cur["targets"],
        pacing=cur["pacing"],
        kpi_values=now["kpi"],
        previous_kpi_values=before["kpi"],
        kpis=kpis,
        breaches=breaches,
        running=running,
        days_elapsed=days,
        days_in_month=total_days,
        coverage=groups,
        coverage_frame=coverage,
        # no first touch is known due once the touches stopped (nor raised by `sla alerts`)
        at_risk=at_risk_episodes(cur["speed"] if stopped is None else None, as_of=judge_at),
        touches_stopped=stopped,
        touches_unjudged=(
            _unjudged(cur["speed"], cur["cadence_episodes"], config=config, as_of=judge_at)
            if stopped
            else {}
        ),
        lifecycle_stopped=events_stopped,
        lifecycle_cut=cut,
        rates_left_out=rates_left_out(trailing_cut, month=month, months=trailing),
        lifecycle_unknown=stop_unknown,
        lifecycle_unjudged=(
            _lifecycle_unjudged(
                cur["cadence_episodes"],
                config=config,
                as_of=judge_at,
                touches_until=touches_until,
                measurable=groups.get("cadence", True),
            )
            if events_stopped
            else {}
        ),
        assignment_by_rep=by_assignment,
        assignment=_row(assignment.drop("rep_id", "rep_name")) if assignment.height else {},
        # the previous month as this month's version judges it (compared() puts the
        # month's own version's values in, where the versions differ)
        comparison=comparison_of(prev, config, compared=not running),
    )
    return with_warnings(review, notifications)


#: Columns of :attr:`Review.warnings`.
WARNINGS_SCHEMA: dict[str, pl.DataType] = {
    "rep_id": pl.String(), "rep_name": pl.String(), "warned": pl.Int64(), "met": pl.Int64(),
    "missed": pl.Int64(), "pending": pl.Int64(), "rate": pl.Float64(), "ci_low": pl.Float64(),
    "ci_high": pl.Float64(),
}  # fmt: skip


def rep_warnings(
    speed: pl.DataFrame,
    log: pl.LazyFrame | pl.DataFrame | None,
    *,
    as_of: datetime | None,
    reps: pl.DataFrame | None = None,
) -> pl.DataFrame | None:
    """Did the warnings of ``sla notify`` work? Per rep: the MQL episodes whose owner was
    warned before the first-touch deadline, and how many were touched in time (``met``).

    :func:`analytics.alerts.warnings_effect` per rep, with the sends up to ``as_of`` only.
    Without a send log (None, or no row) the answer is None: nothing can be said, which is
    not "no warning worked" (spec/coverage.md).

    Parameters
    ----------
    speed : DataFrame
        :func:`analytics.handoff.speed_to_lead` of the month's episodes.
    log : LazyFrame or DataFrame or None
        The send log (:func:`analytics.warehouse.notifications.notification_log`).
    as_of : datetime or None
        The moment of judgement: later sends are not counted.
    reps : DataFrame, optional
        ``rep_id`` and ``rep_name`` (e.g. :attr:`Review.handoff_by_rep`).

    Returns
    -------
    DataFrame with :data:`WARNINGS_SCHEMA`, one row per rep warned, by rep id; or None.

    Examples
    --------
    >>> from datetime import timedelta
    >>> t0 = datetime(2026, 10, 1, tzinfo=UTC)
    >>> speed = pl.DataFrame({"lead_id": ["a", "b", "c"], "episode": [1, 1, 1],
    ...     "owner_rep_id": "r1", "status": ["met", "missed", "met"],
    ...     "deadline_at": t0 + timedelta(days=10)})
    >>> log = pl.DataFrame({"kind": "new_mql", "lead_id": ["a", "b", "c"], "episode": 1,
    ...     "status": "sent", "sent_at": [t0, t0, t0 + timedelta(days=9)],
    ...     "deadline_at": t0 + timedelta(days=10)})
    >>> names = pl.DataFrame({"rep_id": ["r1"], "rep_name": ["Ana"]})
    >>> rep_warnings(speed, log, as_of=t0 + timedelta(days=5), reps=names).select(
    ...     "rep_name", "warned", "met", "missed").row(0)
    ('Ana', 2, 1, 1)
    >>> rep_warnings(speed, log.head(0), as_of=None) is None
    True
    """
    from analytics.alerts import warnings_effect

    if log is None or log.lazy().head(1).collect().is_empty():
        return None
    sent = log.lazy().with_columns(
        pl.col(c).dt.convert_time_zone("UTC").dt.cast_time_unit("us")
        for c in ("sent_at", "deadline_at")
    )
    if as_of is not None:  # nothing learned from the future
        sent = sent.filter(pl.col("sent_at") <= utc_lit(as_of))
    names = (
        reps.lazy().select("rep_id", "rep_name").unique("rep_id")
        if reps is not None
        else pl.LazyFrame(schema={"rep_id": pl.String, "rep_name": pl.String})
    )
    return (
        warnings_effect(sent, speed.lazy(), by=("owner_rep_id",))
        .rename({"owner_rep_id": "rep_id"})
        .join(names, on="rep_id", how="left")
        .select(list(WARNINGS_SCHEMA))
        .sort("rep_id", nulls_last=True)
        .collect()
        .cast(WARNINGS_SCHEMA)  # type: ignore[arg-type]
    )


def with_warnings(review: Review, log: pl.LazyFrame | pl.DataFrame | None) -> Review:
    """A copy of ``review`` with :attr:`Review.warnings` from the send log ``log``
    (:func:`rep_warnings`; a stored review is read back without them)."""
    warnings = rep_warnings(
        review.speed_to_lead, log, as_of=review.as_of, reps=review.handoff_by_rep
    )
    return dataclasses.replace(review, warnings=warnings)


def _month_part(frames: Mapping[str, pl.DataFrame], window: Window) -> dict[str, pl.DataFrame]:
    """One month's rows of a span's :func:`_episode_frames` (placed by start or recycle)."""
    placed = {
        "speed": "started_at",
        "accepted": "started_at",
        "cadence": "started_at",
        "premature": "recycled_at",
        "enrollment": "recycled_at",
        "after_stop": "started_at",
    }
    return {name: frames[name].filter(window.contains(col)) for name, col in placed.items()}


def kpi_history(
    tables: Tables,
    config: SlaConfig,
    *,
    month: str,
    months: int = 12,
    as_of: datetime | None = None,
    segment: dict | None = None,
    coverage: pl.DataFrame | None = None,
    versions: Sequence[SlaConfig] = (),
) -> pl.DataFrame:
    """The KPI table of each of ``months`` months up to ``month``, in one pass over the data.

    Each month is judged by the SLA version in force on its first day (recorded
    ``versions``, :func:`analytics.sla_versions.config_for_month`; ``config`` where none
    is): its target and status come from its own version, as on every page and in
    ``sla review``. Each month's values are exactly those of :func:`build_review` for
    that month with that version (same ``as_of`` and segment), except that a point-in-time KPI
    (:data:`analytics.kpis.POINT_IN_TIME`: stale leads at ``as_of``) has a value for
    ``month`` only (:func:`analytics.kpis.past_month_values`). ``previous`` is the month
    before's value, so the rows of ``month`` are ``build_review(...).kpis``. The episodes,
    touches and volumes of all the months are built once; each month's summaries are
    the review's own.

    Parameters
    ----------
    tables : Tables
        The warehouse tables (lazy; each is read once).
    config : SlaConfig
        The config given (the KPIs, their targets, the reporting time zone of the months
        no recorded version judges; the time zone of the month labels).
    month : str
        The last month, ``YYYY-MM`` in ``config.reporting.timezone``.
    months : int, default 12
        How many months, ending with ``month``.
    as_of : datetime, optional
        The moment of judgement of every month (default: the latest timestamp in the data).
    segment : dict, optional
        As in :func:`build_review`.
    coverage : DataFrame, optional
        As in :func:`build_review`: a month the data cannot answer has null values and
        status ``no_data``.
    versions : sequence of SlaConfig, optional
        The recorded SLA versions (:func:`analytics.warehouse.config_history.stored_configs`);
        none: ``config`` judges every month.

    Returns
    -------
    DataFrame, one row per month and KPI, oldest month first (then in the order of
    :func:`analytics.kpis.kpi_table`): ``month``, ``running`` (the month has not ended
    at ``as_of``: draw it apart) and the columns of ``kpi_table``. Months
    before the first lead of the data (cut at ``as_of``, whatever the segment) have no
    rows.

    Raises
    ------
    analytics.timeframe.TimeframeError
        For a month that is not ``YYYY-MM``.
    ValueError
        For ``months`` below 1 or an unknown segment key.

    Examples
    --------
    >>> from analytics.config import load_config
    >>> t = Tables.from_rows(
    ...     leads=[{"lead_id": "a", "created_at": "2026-09-03T10:00Z", "source": "email"},
    ...            {"lead_id": "b", "created_at": "2026-10-01T10:00Z", "source": "email"}],
    ...     lifecycle_events=[{"lead_id": "a", "stage": "mql", "entered_at": "2026-09-04T10:00Z"},
    ...                       {"lead_id": "b", "stage": "mql", "entered_at": "2026-10-02T10:00Z"},
    ...                       {"lead_id": "a", "stage": "sql", "entered_at": "2026-10-05T10:00Z"}])
    >>> h = kpi_history(t, load_config("data/sla.toml"), month="2026-10", months=3)
    >>> h.filter(pl.col("metric") == "mql_to_sql").select("month", "running", "value",
    ...                                                  "previous").rows()
    [('2026-09', False, 0.0, None), ('2026-10', True, 1.0, None)]

    (October has not ended at the latest timestamp: it is running, never compared.)
    """
    return kpi_histories(
        tables, config, ends=[month], months=months, as_of=as_of, segment=segment,
        coverage=coverage, versions=versions,
    )[month]  # fmt: skip


def _span_frames(
    tables: Tables,
    config: SlaConfig,
    windows: Mapping[str, Window],
    *,
    window: Window,
    as_of: datetime,
    segment: Mapping[str, Any] | None,
    touches_until: datetime | None = None,
    events_until: datetime | None = None,
) -> tuple[dict[str, pl.DataFrame], pl.LazyFrame]:
    """The per-episode frames of a span of months (:func:`_episode_frames` without the
    touches), each month's re-MQLs (``remql:YYYY-MM``) and the stale leads (``stale``),
    collected; and the reps as the review reads them.

    Every row depends on its own lead's rows only, so the frames of a part of the leads
    (:meth:`~analytics.tables.Tables.partitions`) are the rows of those leads.
    """
    t, source_touches, _, _ = _judged_tables(
        tables, config, judge_at=as_of, segment=segment, since=window.start
    )
    lead_touches, touches, stats = _touch_pass(
        _relevant_episodes(t, window).collect(engine=ENGINE), source_touches, judge_at=as_of
    )
    lazy = _episode_frames(t, stats, touches, lead_touches, config=config, window=window,
                           as_of=as_of, prefix="", touches_until=touches_until,
                           events_until=events_until,
                           segments=ho.segments_for_lines(tables, config=config))  # fmt: skip
    del lazy["touches"]  # only the review's detail tables read the touches themselves
    # a lead's re-MQL is judged from its first recycle of the month: one frame per month
    remqls = {
        f"remql:{m}": nu.remql(t.lifecycle_events, config=config, window=w, as_of=as_of)
        for m, w in windows.items()
    }
    stale = ho.stale_leads(stats.lazy(), t.lifecycle_events, config=config, as_of=as_of)
    return _collect({**lazy, **remqls, "stale": stale}), t.reps


def kpi_histories(
    tables: Tables,
    config: SlaConfig,
    *,
    ends: Sequence[str],
    months: int = 12,
    as_of: datetime | None = None,
    segment: dict | None = None,
    coverage: pl.DataFrame | None = None,
    partitions: int | None = None,
    versions: Sequence[SlaConfig] = (),
) -> dict[str, pl.DataFrame]:
    """The :func:`kpi_history` up to each month of ``ends``, all from one pass over the data.

    The stored results keep the history up to each of the default months
    (:func:`analytics.precompute.months_to_keep`): they share all but a month or two, so
    the episodes, touches and volumes of the months they span are built once.

    Each month is judged by the SLA version in force on its first day
    (:func:`analytics.sla_versions.config_for_month` over ``versions``; ``config`` where
    none is recorded, or without ``versions``): its values, target, status and previous
    value (the month before, under the same version) are those of
    ``build_review(tables, <that version>, month=...)``, as the CLI, the pages and the
    pack judge it. The months of one version are built in one pass: a history across a
    version change takes a pass per version.

    Parameters
    ----------
    tables, config, as_of, segment, coverage
        As :func:`kpi_history`.
    ends : sequence of str
        The last month of each history, ``YYYY-MM`` (its months cut as the versions cut
        them: :func:`analytics.sla_versions.month_zones`).
    months : int, default 12
        How many months each history has, ending with its end month.
    partitions : int, optional
        Build the episodes in this many parts of leads
        (:meth:`~analytics.tables.Tables.partitions`, by its default): the
        memory of one part's tables and episodes instead of all. Same result.
    versions : sequence of SlaConfig, optional
        The recorded SLA versions (:func:`analytics.warehouse.config_history.stored_configs`).

    Returns
    -------
    dict of end month -> ``kpi_history(tables, config, month=end, months=months, ...)``.

    Examples
    --------
    >>> from analytics.config import load_config
    >>> t = Tables.from_rows(
    ...     leads=[{"lead_id": "a", "created_at": "2026-09-03T10:00Z", "source": "email"}],
    ...     lifecycle_events=[{"lead_id": "a", "stage": "mql", "entered_at": "2026-09-04T10:00Z"},
    ...                       {"lead_id": "a", "stage": "sql", "entered_at": "2026-10-05T10:00Z"}])
    >>> h = kpi_histories(t, load_config("data/sla.toml"), ends=["2026-10", "2026-09"], months=3)
    >>> {end: sorted(set(frame["month"])) for end, frame in h.items()}
    {'2026-10': ['2026-09', '2026-10'], '2026-09': ['2026-09']}

    A version in force from October (its KPI "MQLs delivered" at 1) judges October only:

    >>> from analytics.sla_versions import with_settings
    >>> v1 = load_config("data/sla.toml")
    >>> mqls = [k.model_copy(update={"target": 1.0}) if k.metric == "mqls" else k
    ...         for k in v1.kpis.marketing]
    >>> oct = with_settings(v1, {"sla.effective_from": "2026-10-01"}).model_copy(
    ...     update={"kpis": v1.kpis.model_copy(update={"marketing": mqls})})
    >>> h = kpi_histories(t, v1, ends=["2026-10"], months=2, versions=[v1, oct])["2026-10"]
    >>> h.filter(pl.col("metric") == "mqls").select("month", "target").rows()
    [('2026-09', 700.0), ('2026-10', 1.0)]
    """
    from analytics.sla_versions import config_for_month, month_zones

    for end in ends:
        parse_month(end)
    if months < 1:
        raise ValueError(f"months must be at least 1, got {months}")
    if segment:
        for key in segment:
            check_segment(key)
    tz = month_zones(versions, fallback=config)  # the months as the versions cut them
    schema = {
        "month": pl.String, "running": pl.Boolean, **kpi_table({}, config=config).collect_schema()
    }  # fmt: skip
    histories = {end: pl.DataFrame(schema=schema) for end in ends}
    resolved = _resolve_as_of(tables, as_of)
    if resolved is None:
        return histories
    known = tables.until(resolved)
    first_data = (
        known.leads.select(month_of(pl.col("created_at").min(), timezone=tz)).collect().item()
    )
    shown = {
        end: [
            m
            for m in (shift_month(end, -k) for k in range(months - 1, -1, -1))
            if first_data is not None and m >= first_data
        ]
        for end in ends
    }
    # the version that judges each shown month, and the (month, is an end) rows it gives
    wanted: dict[int, tuple[SlaConfig, set[tuple[str, bool]]]] = {}
    for end, months_in in shown.items():
        for m in months_in:
            judge = config_for_month(versions, month=m, fallback=config)
            wanted.setdefault(id(judge), (judge, set()))[1].add((m, m == end))
    rows: dict[tuple[str, bool], pl.DataFrame] = {}
    for judge, needed in wanted.values():
        same = coverage is not None and judge.coverage_key == config.coverage_key
        rows.update(
            _judged_months(
                tables, judge, needed, as_of=resolved, segment=segment, partitions=partitions,
                coverage=coverage if same or judge is config else None,
            )
        )  # fmt: skip
    for end, months_in in shown.items():
        if months_in:
            histories[end] = pl.concat([rows[(m, m == end)] for m in months_in])
    return histories


def _judged_months(
    tables: Tables,
    config: SlaConfig,
    needed: set[tuple[str, bool]],
    *,
    as_of: datetime,
    segment: dict | None,
    coverage: pl.DataFrame | None,
    partitions: int | None,
) -> dict[tuple[str, bool], pl.DataFrame]:
    """The KPI table rows of the months one SLA version judges, from one pass over the span
    from the month before the first to the last: ``(month, is the history's end)`` -> the
    month's rows (an end keeps its point-in-time KPIs, :func:`past_month_values`)."""
    tz = config.month_zones  # where each month starts and ends
    known = tables.until(as_of)
    if coverage is None:
        coverage = cov.known_coverage(tables, config=config, as_of=as_of)
    horizon = cov.horizons(tables, as_of=as_of, config=config)  # as build_review
    stopped, touches_until, events_stopped = horizon[:3]
    seg_target = config.goals.for_segment(segment)
    config = _segment_config(config, seg_target)
    seg_targets = _segment_kpi_targets(config, seg_target) if segment else None
    first, last = shift_month(min(m for m, _ in needed), -1), max(m for m, _ in needed)
    labels = [first]
    while labels[-1] < last:
        labels.append(shift_month(labels[-1], 1))

    span = months_window(labels[0], len(labels), timezone=tz)
    windows = {m: month_window(m, timezone=tz) for m in labels}
    volumes = monthly_volumes(
        _segment_tables(known, segment, config) if segment else known,
        config=config, month=labels[0], months=len(labels),
    ).collect(engine=ENGINE)  # fmt: skip
    # Every frame below is one row per episode, recycle or lead, each depending on its own
    # lead's rows only: built in parts of leads and concatenated, so a part's tables and
    # episodes (several GB at 10M leads) are freed before the next part is read.
    f_parts: list[dict[str, pl.DataFrame]] = []
    for part in tables.partitions(partitions):
        frames, reps = _span_frames(
            part, config, windows, window=span, as_of=as_of, segment=segment,
            touches_until=touches_until, events_until=horizon.lifecycle_until,
        )  # fmt: skip
        f_parts.append(frames)
    f = {name: pl.concat([p[name] for p in f_parts], rechunk=True) for name in f_parts[0]}
    del f_parts
    stale_leads = f.pop("stale")
    # unknown once the touches or the lifecycle events stopped (as build_review)
    stale = None if stopped or events_stopped else stale_leads.height
    parts = {m: _month_part(f, w) for m, w in windows.items()}
    for name in parts[labels[0]]:
        del f[name]
    summaries = {
        (m, name): frame
        for m in labels
        for name, frame in _aggregates(
            {**parts[m], "remql": f[f"remql:{m}"], "volumes": volumes},
            config=config, month=m, as_of=as_of, prefix="", detail=False, reps=reps,
        ).items()
    }  # fmt: skip
    collected = _collect(summaries)
    values: dict[str, dict[str, Any]] = {}
    maturing: dict[str, frozenset[str]] = {}
    conversions: dict[str, pl.DataFrame] = {}
    groups: dict[str, dict[str, bool]] = {}
    cuts: dict[str, tuple[str, ...]] = {}
    unknowns: dict[str, tuple[str, ...]] = {}
    for m in labels:
        frames = {name: frame for (key, name), frame in collected.items() if key == m}
        frames.update(
            premature=parts[m]["premature"],
            enrollment=parts[m]["enrollment"],
            cadence_episodes=parts[m]["cadence"],
            after_stop=parts[m]["after_stop"],
        )
        _without_visitors(frames, segment)
        month_groups = cov.month_coverage(coverage, m, timezone=tz)
        # a month the lifecycle events that stopped cut short (as build_review)
        cuts[m] = cov.lifecycle_cut(month_groups, m, stopped=events_stopped, timezone=tz)
        groups[m] = {g: ok and g not in cuts[m] for g, ok in month_groups.items()}
        summary = _covered(
            _summaries(frames, config, stale=stale, touches_until=touches_until), groups[m],
            segment=segment, seg_target=seg_target,
        )  # fmt: skip
        values[m] = summary["kpi"]
        unknowns[m] = _lifecycle_unknowns(frames, summary["kpi"], stopped=events_stopped)
        maturing[m] = maturing_metrics(summary["remql"])
        conversions[m] = frames["conversion"]
    rows: dict[tuple[str, bool], pl.DataFrame] = {}
    for m, is_end in sorted(needed):
        prev = shift_month(m, -1)
        month_values = values[m] if is_end else past_month_values(values[m])
        running = cov.is_running(m, as_of, timezone=tz)
        days, total = cov.month_days(m, as_of, timezone=tz)
        # as build_review: a running month and a maturing rate are not compared
        compared = (
            None
            if running
            else past_month_values(
                values[prev],
                maturing=maturing[m],
                no_share=cov.share_reasons(conversions[prev]),
            )
        )
        table = kpi_table(
            month_values,
            compared,
            config=config,
            reasons=not_judged(
                segment=segment,
                conversion=conversions[m],
                month_groups=groups[m],
                coverage=coverage,
                touches_stopped=stopped,
                values=month_values,
                month=m,
                lifecycle_stopped=events_stopped,
                cut=cuts[m],
                lifecycle_unknown=unknowns[m],
            ),
            maturing=maturing[m],
            target_share=days / total if running and total else 1.0,
            segment_targets=seg_targets,
        ).collect()
        rows[(m, is_end)] = table.select(
            pl.lit(m).alias("month"), pl.lit(running).alias("running"), pl.all()
        )
    return rows


def review_sections() -> Sequence[str]:
    """The top-level keys of :meth:`Review.to_json_dict` that spec/cli.md fixes."""
    return ("month", "as_of", "volumes", "conversion", "handoff", "cadence", "recycling")


#: The breach lists that stay open on a rep's desk (a lead still waiting for the rep).
OPEN_BREACHES: tuple[str, ...] = ("handoff", "cadence", "never_contacted", "stale_leads")


def uncounted_open_breaches(review: Review) -> tuple[str, ...]:
    """The kinds of :data:`OPEN_BREACHES` whose number the month's data cannot give
    (:meth:`Review.breach_counts` None: their measure group is not measurable, or the
    touches stopped): :func:`rep_overview` leaves them out of ``open_breaches`` and shows
    their own column null, and a page that shows ``open_breaches`` names them.

    >>> from types import SimpleNamespace
    >>> uncounted_open_breaches(SimpleNamespace(breach_counts=lambda: {
    ...     "handoff": 2, "stale_leads": None, "premature_recycles": None}))
    ('stale_leads',)
    """
    counts = review.breach_counts() if hasattr(review, "breach_counts") else {}
    return tuple(k for k in OPEN_BREACHES if k in counts and counts[k] is None)


def rep_overview(review: Review) -> pl.DataFrame:
    """One row per rep with MQL episodes this month: first touch within the SLA (share),
    cadence held (share), stale leads, open breaches and episodes at risk (counts), worst
    first; the episodes of leads without an owner in one row of their own (``rep_id`` and
    ``rep_name`` null: "unassigned"), last, never mixed into a rep.

    ``first_touch_rate`` and ``cadence_rate`` are null when nothing could be judged (never 0);
    ``open_breaches`` counts the rep's rows of :data:`OPEN_BREACHES` the data can count
    (not those of :func:`uncounted_open_breaches`, whose column, ``stale_leads``, is then
    null: unknown, not 0); ``at_risk`` the rep's untouched episodes whose deadline has not
    passed (:attr:`Review.at_risk`).

    >>> from types import SimpleNamespace
    >>> review = SimpleNamespace(
    ...     handoff_by_rep=pl.DataFrame({"rep_id": ["r1", "r2", None],
    ...         "rep_name": ["Ana", "Ben", None], "episodes": [4, 2, 3],
    ...         "compliance": [0.5, None, 0.0]}),
    ...     cadence_by_rep=pl.DataFrame({"rep_id": ["r1", None], "compliance": [0.25, 0.0]}),
    ...     breaches={"handoff": pl.DataFrame({"owner_rep_id": ["r1", "r1", None]}),
    ...               "stale_leads": pl.DataFrame({"owner_rep_id": ["r2"]})},
    ...     at_risk=pl.DataFrame({"owner_rep_id": ["r2", None]}))
    >>> for row in rep_overview(review).rows():
    ...     print(row)
    ('r1', 'Ana', 0.5, 0.25, 0, 2, 0)
    ('r2', 'Ben', None, None, 1, 1, 1)
    (None, None, 0.0, 0.0, 0, 1, 1)
    """
    handoff = review.handoff_by_rep
    if handoff.is_empty():
        return pl.DataFrame(
            schema={"rep_id": pl.String, "rep_name": pl.String, "first_touch_rate": pl.Float64,
                    "cadence_rate": pl.Float64, "stale_leads": pl.Int64, "open_breaches": pl.Int64,
                    "at_risk": pl.Int64}
        )  # fmt: skip

    def per_rep(frame: pl.DataFrame | None, name: str) -> pl.DataFrame:
        if frame is None or "owner_rep_id" not in frame.columns:
            return pl.DataFrame(schema={"rep_id": pl.String, name: pl.Int64})
        return frame.group_by(pl.col("owner_rep_id").alias("rep_id")).agg(
            pl.len().cast(pl.Int64).alias(name)
        )

    uncounted = set(uncounted_open_breaches(review))  # unknown: neither listed nor 0
    open_rows = [
        review.breaches[k].select("owner_rep_id")
        for k in OPEN_BREACHES
        if k not in uncounted
        and k in review.breaches
        and "owner_rep_id" in review.breaches[k].columns
    ]
    opened = pl.concat(open_rows) if open_rows else None
    cadence = review.cadence_by_rep.select("rep_id", pl.col("compliance").alias("cadence_rate"))
    stopped = getattr(review, "touches_stopped", None) is not None  # due: unknown
    unknown = ({"at_risk"} if stopped else set()) | (uncounted & {"stale_leads"})
    # the unassigned (rep_id null) are a group of their own: null matches null here
    join = {"on": "rep_id", "how": "left", "nulls_equal": True}
    return (
        handoff.filter(pl.col("episodes") > 0)
        .select("rep_id", "rep_name", pl.col("compliance").alias("first_touch_rate"))
        .join(cadence, **join)
        .join(per_rep(review.breaches.get("stale_leads"), "stale_leads"), **join)
        .join(per_rep(opened, "open_breaches"), **join)
        .join(per_rep(getattr(review, "at_risk", None), "at_risk"), **join)
        .with_columns(
            # a rep without a row has none; a count the data cannot give is unknown
            pl.lit(None, pl.Int64).alias(c) if c in unknown else pl.col(c).fill_null(0)
            for c in ("stale_leads", "open_breaches", "at_risk")
        )
        .sort(
            [pl.col("rep_id").is_null(), "open_breaches", "first_touch_rate", "rep_id"],
            descending=[False, True, False, False],
            nulls_last=True,
        )
    )


__all__ = [
    "AT_RISK_SCHEMA",
    "GROUP_KEYS",
    "JSON_CONVERSION",
    "JSON_VOLUMES",
    "OPEN_BREACHES",
    "WARNINGS_SCHEMA",
    "Review",
    "at_risk_episodes",
    "build_review",
    "covered_conversion",
    "covered_pacing",
    "covered_transitions",
    "kpi_histories",
    "kpi_history",
    "pacing_group",
    "rep_overview",
    "rep_warnings",
    "review_sections",
    "uncounted_open_breaches",
    "with_warnings",
]
