"""The review pack's content: one object with every section, all numbers from the Review.

:func:`build_pack` judges the month by the SLA in force on its first day (and the
previous month by the SLA in force then), builds both months' reviews with
:func:`analytics.review.build_review`, and derives from them: the two teams'
scorecards, the KPI table with the previous month, the top breaches, the tested
changes since last month, rule-based action items (each with the number behind it)
and the SLA's history (version in force, changes since the last review, a change
inside the month with its before / after).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

import polars as pl

from analytics.comparison import in_history
from analytics.config import SlaConfig
from analytics.coverage import rep_display_names
from analytics.goals import whole_need
from analytics.kpis import short_of
from analytics.pack.compare import significant_changes
from analytics.pack.formatting import MetricValue, format_metric
from analytics.sla_history import (
    ConfigChange,
    VersionChange,
    boundary_json,
    changes_within,
    diff_configs,
    line_hours,
)
from analytics.sla_versions import config_in_force, month_zones
from analytics.tables import Tables
from analytics.texts import NOTHING, Lang, Localized, Term, Text, codes, day, render
from analytics.timeframe import ZoneBoundary, format_utc, month_window, shift_month, utc_lit

Team = Literal["marketing", "sales"]
BreachKind = Literal[
    "handoff", "cadence", "never_contacted", "premature_recycles", "stale_leads",
    "recycled_not_enrolled",
]  # fmt: skip

#: The promises every scorecard shows (metric, team), beyond the team's KPIs.
CORE_PROMISES: tuple[tuple[str, Team], ...] = (
    ("mqls", "marketing"),
    ("recycled_enrolled_in_time", "marketing"),
    ("handoff_compliance", "sales"),
    ("cadence_compliance", "sales"),
    ("premature_recycles", "sales"),
    ("stale_leads", "sales"),
)


def promise_words(metric: str, config: SlaConfig, *, target: float | None = None) -> Text:
    """What the SLA promises about ``metric``: a text (code and the config's numbers).

    ``target`` (a KPI's) replaces the goal where the promise names a number of MQLs.

    >>> from analytics.config import load_config
    >>> cfg = load_config("data/sla.toml")
    >>> promise_words("stale_leads", cfg).render(lang="de")[:37]
    'Kein Lead bleibt liegen: innerhalb vo'
    """
    h, c, r, g = config.handoff, config.cadence, config.recycle, config.goals
    if metric == "handoff_compliance" and h.lines:  # each MQL within its own line
        return Text("promise.handoff_compliance_lines", {"lines": line_words(config)})
    unit = Text("promise.unit.business" if h.business_hours else "promise.unit.calendar")
    params: dict[str, dict[str, Any]] = {
        "mqls": {"mqls": g.mql_target_monthly if target is None else target},
        "mql_attainment": {"mqls": g.mql_target_monthly},
        "mql_to_sql": {},
        "mql_rejection_rate": {},
        "handoff_compliance": {"hours": h.first_touch_hours, "unit": unit},
        "median_hours_to_first_touch": {},
        "cadence_compliance": {
            "attempts": c.min_attempts,
            "days": c.window_days,
            "gap": c.min_gap_hours,
        },
        "attempts_per_mql": {},
        "premature_recycles": {"attempts": r.after_attempts},
        "stale_leads": {"days": r.grace_days, "attempts": r.after_attempts},
        "recycled_enrolled_in_time": {"days": r.enroll_within_days},
        "remql_rate": {"days": r.remql_window_days},
    }
    if metric in params:
        return Text(f"promise.{metric}", params[metric])
    return Text("promise.other", {"metric": Term("metric", metric)})


def line_words(config: SlaConfig) -> Text:
    """The first-touch lines of ``config`` in words, each with its time, then the line of
    every other MQL (``Demo request: 1 business hour; every other MQL: 24 h``); empty
    without ``[[handoff.lines]]``.

    >>> from analytics.config import HandoffLine, load_config
    >>> cfg = load_config("data/sla.toml")
    >>> demo = HandoffLine(name="Demo request", name_de="Demo-Anfrage", trigger="demo_request",
    ...                    first_touch_hours=1, business_hours=True)
    >>> cfg = cfg.model_copy(update={"handoff": cfg.handoff.model_copy(update={"lines": [demo]})})
    >>> line_words(cfg).render(lang="de")
    'Demo-Anfrage: 1 Arbeitsstunde; jeder andere MQL: 24 h'
    """
    h = config.handoff
    if not h.lines:
        return NOTHING
    lines = [
        Text(
            "promise.line",
            {
                "name": Localized(ln.name, ln.name_de),
                "within": line_hours(
                    ln.first_touch_hours,
                    h.business_hours if ln.business_hours is None else ln.business_hours,
                ),
            },
        )
        for ln in h.lines
    ]
    other = Text(
        "promise.line_other", {"within": line_hours(h.first_touch_hours, h.business_hours)}
    )
    return Text("items", {"items": [*lines, other]})


def promise_text(
    metric: str, config: SlaConfig, *, target: float | None = None, lang: Lang = "en"
) -> str:
    """What the SLA promises about ``metric``, in words with the config's numbers.

    ``target`` (a KPI's) replaces the goal where the promise names a number of MQLs.

    >>> from analytics.config import load_config
    >>> cfg = load_config("data/sla.toml")
    >>> promise_text("handoff_compliance", cfg), promise_text("mqls", cfg, target=650)
    ('First sales touch within 24 h of the MQL', 'Deliver 650 MQLs a month')
    >>> promise_text("handoff_compliance", cfg, lang="de")
    'Erster Vertriebskontakt innerhalb von 24 h nach dem MQL'
    """
    return promise_words(metric, config, target=target).render(lang=lang)


@dataclass(frozen=True)
class ScorecardRow:
    """One promise of a team's scorecard: target, actual (with counts) and status.

    ``promise_words`` and ``count_words`` are texts of :mod:`analytics.texts` (rendered
    in any language); ``promise`` and ``counts`` are their English words.
    """

    team: str
    metric: str
    promise_words: Text
    target: float | None
    direction: str | None
    actual: float | None
    count_words: Text
    status: str | None

    @property
    def promise(self) -> str:
        return self.promise_words.render()

    @property
    def counts(self) -> str:
        return self.count_words.render()

    def target_text(self, *, currency: str = "EUR", lang: Lang = "en") -> str:
        if self.target is None:
            return render("pack.no_target_set", lang=lang)
        sign = "≥" if self.direction == "at_least" else "≤"
        return f"{sign} {format_metric(self.metric, self.target, currency=currency, lang=lang)}"

    def actual_text(self, *, currency: str = "EUR", lang: Lang = "en") -> str:
        return format_metric(self.metric, self.actual, currency=currency, lang=lang)


@dataclass(frozen=True)
class ActionItem:
    """A proposal for the meeting, with the number that triggered it.

    ``message`` (what to do) and ``basis`` (the number behind it) are texts of
    :mod:`analytics.texts`: a stable code and its parameters, rendered in any language
    (:meth:`render`); ``text`` and ``evidence`` are their English words.
    """

    team: str
    metric: str
    message: Text
    basis: Text
    value: float | None

    @property
    def code(self) -> str:
        """The rule that proposed the item (``action.handoff``, ``action.worse`` ...)."""
        return self.message.code

    @property
    def text(self) -> str:
        return self.message.render()

    @property
    def evidence(self) -> str:
        return self.basis.render()

    def render(self, *, lang: Lang = "en") -> tuple[str, str]:
        """(text, evidence) in ``lang``."""
        return self.message.render(lang=lang), self.basis.render(lang=lang)

    def to_json_dict(self, *, lang: Lang = "en") -> dict[str, Any]:
        text, evidence = self.render(lang=lang)
        return {
            "team": self.team,
            "metric": self.metric,
            "code": self.code,
            "text": text,
            "evidence": evidence,
            "value": self.value,
        }


def change_lines(
    changes: Sequence[ConfigChange], *, effective: date, lang: Lang = "en"
) -> list[str]:
    """Each setting change with the day its version took effect, in ``lang``.

    >>> change = ConfigChange("scoring.mql_threshold", "MQL threshold", 60.0, 55.0, "changed")
    >>> change_lines([change], effective=date(2026, 9, 1), lang="de")
    ['MQL-Schwelle 60 -> 55 ab 01.09.2026']
    """
    when = day(effective, lang)
    return [
        render("sla_change.line", lang=lang, change=c.render(lang=lang), day=when) for c in changes
    ]


@dataclass(frozen=True)
class InMonthChange:
    """A new SLA version that took effect inside the month, and the month split at it."""

    change: VersionChange
    split: pl.DataFrame

    def lines(self, *, lang: Lang = "en") -> list[str]:
        """:attr:`VersionChange.lines <analytics.sla_history.VersionChange.lines>` in ``lang``."""
        meta = ("sla.effective_from", "sla.version")  # name the version, change nothing
        changes = [c for c in self.change.changes if c.key not in meta]
        return change_lines(changes, effective=self.change.effective_from, lang=lang)


@dataclass
class ReviewPack:
    """Everything the monthly review pack shows (see :func:`build_pack`)."""

    month: str
    review: Any
    previous: Any
    config: SlaConfig
    previous_config: SlaConfig
    kpis: pl.DataFrame
    scorecards: dict[str, list[ScorecardRow]]
    breaches: pl.DataFrame
    #: Breaches per kind; None where the data cannot say (:func:`analytics.review.breach_counts`).
    breach_totals: dict[str, int | None]
    changes: pl.DataFrame
    actions: list[ActionItem]
    #: The settings that changed since the previous month's version (``sla.*`` left out).
    setting_changes: list[ConfigChange]
    in_month: list[InMonthChange] = field(default_factory=list)
    #: Where the month starts or ends at a change of the reporting time zone: the month is
    #: cut at the new zone's midnight, the hours between the two midnights in one month
    #: (:meth:`analytics.timeframe.MonthZones.boundaries`).
    boundaries: list[ZoneBoundary] = field(default_factory=list)
    #: The previous month's values as this month is compared with them
    #: (:func:`analytics.kpis.past_month_values`); None for a running month, never compared.
    previous_values: dict[str, Any] | None = None
    alpha: float = 0.05
    #: Breaches listed per kind (``breaches`` holds at most this many of each).
    top: int = 5
    #: ``rep_id -> name`` of every rep (:func:`rep_names`), for the breaches and actions.
    rep_names: dict[str, str] = field(default_factory=dict)
    #: What the imports left out of the numbers and said they include, as texts
    #: (:func:`analytics.warehouse.facts.last_import_notes`), said at the pack's top.
    import_notes: list[Text] = field(default_factory=list)

    @property
    def sla_changes(self) -> list[str]:
        """:meth:`sla_change_lines` in English (the JSON's ``changes_since_last_review``)."""
        return self.sla_change_lines()

    def sla_change_lines(self, *, lang: Lang = "en") -> list[str]:
        """Each setting change since last month, with the day the version took effect."""
        return change_lines(
            self.setting_changes, effective=self.config.sla.effective_from, lang=lang
        )

    def import_note_lines(self, *, lang: Lang = "en") -> list[str]:
        """:attr:`import_notes` in ``lang``, as the pack says them at its top."""
        return [note.render(lang=lang) for note in self.import_notes]

    @property
    def currency(self) -> str:
        return self.config.reporting.currency

    @property
    def chance_one_in(self) -> int:
        """About one test in this many flags a change by chance alone (1 / alpha)."""
        return round(1 / self.alpha)

    @property
    def significant(self) -> pl.DataFrame:
        """The changes since last month that pass the test, largest evidence first.

        Equal p-values (a large sample's underflow to 0) keep the order of ``changes``.
        """
        return self.changes.filter(pl.col("is_significant")).sort("p_value", maintain_order=True)

    def to_json_dict(self) -> dict[str, Any]:
        """The pack as JSON-ready data (numbers raw, None where not computable)."""
        return _jsonable(self._document())

    def _document(self) -> dict[str, Any]:
        return {
            "month": self.month,
            "review": self.review.to_json_dict(),
            "sla": {
                "version": self.config.sla.version,
                "effective_from": self.config.sla.effective_from.isoformat(),
                "content_hash": self.config.content_hash,
                "previous_version": self.previous_config.sla.version,
                "changes_since_last_review": self.sla_changes,
                "changes_in_month": [
                    {**c.change.to_json_dict(), "split": c.split.to_dicts()} for c in self.in_month
                ],
                "zone_boundaries": [boundary_json(b) for b in self.boundaries],
            },
            "scorecards": {
                team: [
                    {
                        "metric": r.metric,
                        "promise": r.promise,
                        "target": r.target,
                        "direction": r.direction,
                        "actual": r.actual,
                        "counts": r.counts,
                        "status": r.status,
                    }
                    for r in rows
                ]
                for team, rows in self.scorecards.items()
            },
            "kpis": self.kpis.to_dicts(),
            "breaches": self.breaches.to_dicts(),
            "breach_totals": self.breach_totals,
            "changes": self.changes.to_dicts(),
            "actions": [a.to_json_dict() for a in self.actions],
            "import_notes": self.import_note_lines(),
        }


def _jsonable(value: Any) -> Any:
    """Dates and datetimes as ISO text (UTC with ``Z``), NaN as None, recursively.

    >>> _jsonable({"d": [date(2026, 10, 4)], "x": float("nan")})
    {'d': ['2026-10-04'], 'x': None}
    """
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return format_utc(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


# -- scorecards ----------------------------------------------------------------------


def _counts_for(review: Any, metric: str) -> Text:
    counts = review.rate_counts(metric)
    return NOTHING if counts is None else _counts(*counts)


def scorecards(review: Any, kpis: pl.DataFrame, config: SlaConfig) -> dict[str, list[ScorecardRow]]:
    """Each team's promises: its KPIs, then the SLA's core promises it has no KPI for.

    Parameters
    ----------
    review : analytics.review.Review
    kpis : DataFrame
        The month's KPI table (:func:`analytics.kpis.kpi_table`).
    config : SlaConfig
        The SLA in force (promise wording).

    Returns
    -------
    dict
        ``{"marketing": [...], "sales": [...]}`` of :class:`ScorecardRow`; a promise
        without a KPI has no target and no status.
    """
    cards: dict[str, list[ScorecardRow]] = {"marketing": [], "sales": []}
    for row in kpis.iter_rows(named=True):
        cards[row["team"]].append(
            ScorecardRow(
                team=row["team"],
                metric=row["metric"],
                # the promise is the month's (700 MQLs), also while a running month is
                # judged against its share of it (90.3 after 4 of 31 days)
                promise_words=promise_words(
                    row["metric"], config, target=row.get("full_target", row["target"])
                ),
                target=row["target"],
                direction=row["direction"],
                actual=row["value"],
                count_words=_counts_for(review, row["metric"]),
                status=row["status"],
            )
        )
    for metric, team in CORE_PROMISES:
        if any(r.metric == metric for r in cards[team]):
            continue
        value = review.kpi_values.get(metric)
        cards[team].append(
            ScorecardRow(
                team=team,
                metric=metric,
                promise_words=promise_words(metric, config),
                target=None,
                direction=None,
                actual=None if value is None else float(value),
                count_words=_counts_for(review, metric),
                status=None,
            )
        )
    return cards


# -- breaches ------------------------------------------------------------------------

BREACH_SCHEMA: dict[str, Any] = {
    "kind": pl.String,
    "lead_id": pl.String,
    "rep_id": pl.String,
    "rep_name": pl.String,
    "amount": pl.Float64,
    "unit": pl.String,
    "detail": pl.String,
}

#: The kinds of breach in the pack's order, with their English titles (every language's:
#: ``analytics.texts.render(f"breach.title.{kind}", lang=...)``).
BREACH_TITLES: dict[str, str] = {
    kind: render(f"breach.title.{kind}") for kind in codes("breach.title.")
}


def rep_names(reps: pl.LazyFrame | pl.DataFrame) -> dict[str, str]:
    """``rep_id -> name`` as every page shows a rep: the ``reps`` table's display names
    (:func:`analytics.coverage.rep_display_names`: "Rep 1", "Rep 2" ... for reps without
    a name). Every rep of the table, not only those with an MQL episode in the month: a
    stale lead or a recycle of an earlier month's episode names its owner too.

    >>> rep_names(pl.LazyFrame({"rep_id": ["r2", "r1"], "name": ["Ben Beta", None]}))
    {'r2': 'Ben Beta', 'r1': 'Rep 1'}
    """
    shown = rep_display_names(reps.lazy().select("rep_id", "name")).collect()
    return dict(zip(shown["rep_id"].to_list(), shown["name"].to_list(), strict=True))


def _breach_rows(
    kind: str,
    frame: pl.DataFrame,
    config: SlaConfig,
    lang: Lang = "en",
    *,
    as_of: datetime | None = None,
) -> list[dict[str, Any]]:
    """One row per breach of ``kind``, with how much the promise was missed by (a recycled
    lead still not enrolled: by how many days at ``as_of``)."""
    rows: list[dict[str, Any]] = []
    h, c, r = config.handoff, config.cadence, config.recycle

    def words(code: str, **params: Any) -> str:
        return render(code, lang=lang, **params)

    for b in frame.iter_rows(named=True):
        rep = b.get("owner_rep_id") or b.get("rep_id")
        if kind == "handoff":
            over = b.get("hours_over")
            line = "_line" if h.lines else ""  # over its own line, not first_touch_hours
            if b.get("first_touch_at") is None and b.get("end_stage"):  # late until it ended
                code = "breach.handoff_untouched_" + ("ended" if over else "in_time") + line
                detail = words(
                    code,
                    stage=Term("stage", b["end_stage"]),
                    over=over,
                    hours=h.first_touch_hours,
                )
            elif b.get("first_touch_at") is None:
                detail = words(
                    f"breach.handoff_untouched{line}", over=over, hours=h.first_touch_hours
                )
            else:
                detail = words(
                    f"breach.handoff_late{line}",
                    took=b["hours_to_first_touch"],
                    over=over,
                    hours=h.first_touch_hours,
                )
            rows.append(_breach(kind, b, rep, over, "hours_over", detail, lang))
        elif kind == "cadence":
            short = b.get("attempts_short")
            detail = words(
                "breach.cadence",
                spaced=b.get("spaced_attempts"),
                attempts=c.min_attempts,
                days=c.window_days,
                short=short,
            )
            rows.append(_breach(kind, b, rep, short, "attempts_short", detail, lang))
        elif kind == "never_contacted":
            waiting = b.get("hours_waiting")
            if b.get("end_stage"):
                detail = words(
                    "breach.never_contacted_ended",
                    stage=Term("stage", b["end_stage"]),
                    waiting=waiting,
                )
            else:
                detail = words("breach.never_contacted_open", waiting=waiting)
            rows.append(_breach(kind, b, rep, waiting, "hours_waiting", detail, lang))
        elif kind == "premature_recycles":
            short = b.get("attempts_short")
            detail = words(
                "breach.premature", made=b.get("attempts"), attempts=r.after_attempts, short=short
            )
            rows.append(_breach(kind, b, rep, short, "attempts_short", detail, lang))
        elif kind == "stale_leads":
            over = b.get("days_over_grace")
            detail = words(
                "breach.stale",
                unanswered=b.get("unanswered"),
                since=b.get("days_since_last_touch"),
                over=over,
                grace=r.grace_days,
            )
            rows.append(_breach(kind, b, rep, over, "days_over", detail, lang))
        elif kind == "recycled_not_enrolled":
            days = b.get("days_to_enroll")
            recycled = b.get("recycled_at")
            if b.get("status") == "missing" and as_of is not None and recycled is not None:
                days = (as_of - recycled).total_seconds() / 86_400  # and counting
                over = days - r.enroll_within_days
                detail = words(
                    "breach.not_enrolled_for", days=days, over=over, promise=r.enroll_within_days
                )
            elif b.get("status") == "missing" or days is None:
                detail = words("breach.not_enrolled", promise=r.enroll_within_days)
                over = None
            else:
                over = days - r.enroll_within_days
                detail = words(
                    "breach.enrolled_late", days=days, over=over, promise=r.enroll_within_days
                )
            rows.append(_breach(kind, b, None, over, "days_over", detail, lang))
    return rows


def _breach(
    kind: str,
    row: dict[str, Any],
    rep: str | None,
    amount: Any,
    unit: str,
    detail: str,
    lang: Lang,
) -> dict[str, Any]:
    return {
        "kind": kind,
        "lead_id": row.get("lead_id"),
        "rep_id": rep,
        "rep_name": None,
        "amount": None if amount is None else float(amount),
        # one attempt short is "attempt" ("1 attempts short" read as a typo in the meeting)
        "unit": render(f"breach.unit.{_one(unit) if amount == 1 else unit}", lang=lang),
        "detail": detail,
    }


#: The units of a whole amount that are said in the singular for one (``breach.unit.*``).
_SINGULAR_UNITS = {"attempts_short": "attempt_short"}


def _one(unit: str) -> str:
    """The unit's code for an amount of one (``1 attempt short``; others as they are).

    >>> _one("attempts_short"), _one("hours_over")
    ('attempt_short', 'hours_over')
    """
    return _SINGULAR_UNITS.get(unit, unit)


def top_breaches(
    review: Any,
    config: SlaConfig,
    *,
    names: Mapping[str, str],
    top: int = 5,
    lang: Lang = "en",
) -> pl.DataFrame:
    """The largest breaches of each kind: lead, rep and by how much.

    Parameters
    ----------
    review : analytics.review.Review
    config : SlaConfig
        The SLA in force (the promise each breach is measured against).
    names : mapping
        ``rep_id -> name`` (:func:`rep_names`; :attr:`ReviewPack.rep_names`).
    top : int, default 5
        Breaches shown per kind (largest ``amount`` first; unknown amounts first).
    lang : {"en", "de"}, default "en"
        The language of ``unit`` and ``detail`` (:mod:`analytics.texts`).

    Returns
    -------
    DataFrame, at most ``top`` rows per kind: ``kind``, ``lead_id``, ``rep_id``,
    ``rep_name``, ``amount``, ``unit``, ``detail``.
    """
    rows: list[dict[str, Any]] = []
    for kind in BREACH_TITLES:
        frame = review.breaches.get(kind)
        if frame is None or frame.is_empty():
            continue
        found = _breach_rows(kind, frame, config, lang, as_of=review.as_of)
        found.sort(key=lambda b: (b["amount"] is not None, -(b["amount"] or 0), b["lead_id"]))
        rows.extend(found[:top])
    unassigned = render("coverage.unassigned", lang=lang)
    for row in rows:
        # a lead without an owner is "unassigned" (a marketing breach names no rep at all)
        if row["rep_id"]:
            row["rep_name"] = names.get(row["rep_id"])
        elif row["kind"] != "recycled_not_enrolled":
            row["rep_name"] = unassigned
    return pl.DataFrame(rows, schema=BREACH_SCHEMA, orient="row")


# -- action items --------------------------------------------------------------------


def _top_share(
    frame: pl.DataFrame, column: str, names: Mapping[str, str]
) -> tuple[str | Text, int, int]:
    """The rep with most rows of ``frame`` (by ``column``): (name, their count, total)."""
    total = frame.height
    if not total or column not in frame.columns:
        return "", 0, total
    counts = (
        frame.group_by(column)
        .len()
        .sort(["len", column], descending=[True, False], nulls_last=True)
    )
    rep, count = counts.row(0)
    return (names.get(rep, rep) if rep else Text("action.unassigned")), int(count), total


def _concentration(frame: pl.DataFrame, column: str, names: Mapping[str, str]) -> Text:
    """``"; 70 % of them are Max Bauer's (7 of 10)"`` when one rep holds at least half."""
    name, count, total = _top_share(frame, column, names)
    if total >= 2 and count * 2 >= total:
        return Text(
            "action.concentration",
            {"share": count / total, "name": name, "count": count, "total": total},
        )
    return NOTHING


def action_items(
    review: Any,
    kpis: pl.DataFrame,
    changes: pl.DataFrame,
    config: SlaConfig,
    *,
    names: Mapping[str, str],
) -> list[ActionItem]:
    """Action items proposed by rules, each with the number behind it.

    Rules (in this order): speed to lead below target; cadence below target;
    premature recycles over target; stale leads; recycled leads not enrolled in
    time; MQLs behind pace; lead rejection over target; every other KPI missed;
    every significant change for the worse. Each item's words are texts of
    :mod:`analytics.texts` (code and parameters), so they render in every language.

    Parameters
    ----------
    review : analytics.review.Review
    kpis : DataFrame
        The month's KPI table (statuses decide which rules fire).
    changes : DataFrame
        From :func:`analytics.pack.compare.significant_changes`.
    config : SlaConfig
        The SLA in force.
    names : mapping
        ``rep_id -> name`` (:func:`rep_names`): who most of a kind's breaches belong to.

    Returns
    -------
    list of ActionItem
    """
    status = {r["metric"]: r for r in kpis.iter_rows(named=True)}
    items: list[ActionItem] = []
    covered: set[str] = set()
    currency = config.reporting.currency

    def off(metric: str) -> bool:
        return status.get(metric, {}).get("status") in ("missed", "at_risk")

    def add(team: str, metric: str, message: Text, basis: Text, value: Any) -> None:
        covered.add(metric)
        items.append(ActionItem(team, metric, message, basis, value))

    h = review.handoff
    judged = (h.get("met") or 0) + (h.get("missed") or 0)
    if h.get("missed") and (off("handoff_compliance") or "handoff_compliance" not in status):
        share = h["missed"] / judged
        misses = review.breaches.get("handoff", pl.DataFrame())
        add(
            "sales",
            "handoff_compliance",
            Text(
                "action.handoff",
                {"share": share, "concentration": _concentration(misses, "owner_rep_id", names)},
            ),
            Text(
                "evidence.handoff_lines" if config.handoff.lines else "evidence.handoff",
                {
                    "missed": h["missed"],
                    "judged": judged,
                    "hours": config.handoff.first_touch_hours,
                    "lines": line_words(config),
                },
            ),
            share,
        )
    cad = review.cadence
    if cad.get("judged") and cad.get("held") is not None and off("cadence_compliance"):
        missed = cad["judged"] - cad["held"]
        breaches = review.breaches.get("cadence", pl.DataFrame())
        add(
            "sales",
            "cadence_compliance",
            Text(
                "action.cadence",
                {
                    "share": missed / cad["judged"],
                    "concentration": _concentration(breaches, "owner_rep_id", names),
                },
            ),
            Text(
                "evidence.cadence",
                {
                    "held": cad["held"],
                    "judged": cad["judged"],
                    "attempts": config.cadence.min_attempts,
                    "days": config.cadence.window_days,
                },
            ),
            cad.get("compliance"),
        )
    premature = review.recycling.get("premature") or 0
    if premature and (off("premature_recycles") or "premature_recycles" not in status):
        frame = review.breaches.get("premature_recycles", pl.DataFrame())
        add(
            "sales",
            "premature_recycles",
            Text(
                "action.premature",
                {
                    "count": premature,
                    "attempts": config.recycle.after_attempts,
                    "concentration": _concentration(frame, "rep_id", names),
                },
            ),
            Text(
                "evidence.premature",
                {"count": premature, "total": review.recycling.get("recycled_episodes") or 0},
            ),
            float(premature),
        )
    stale = review.recycling.get("stale") or 0
    if stale and (off("stale_leads") or "stale_leads" not in status):
        frame = review.breaches.get("stale_leads", pl.DataFrame())
        add(
            "sales",
            "stale_leads",
            Text(
                "action.stale",
                {"count": stale, "concentration": _concentration(frame, "owner_rep_id", names)},
            ),
            Text(
                "evidence.stale",
                {
                    "count": stale,
                    "attempts": config.recycle.after_attempts,
                    "days": config.recycle.grace_days,
                },
            ),
            float(stale),
        )
    rec = review.recycling
    late = (rec.get("enrollment_late") or 0) + (rec.get("enrollment_missing") or 0)
    if late:
        in_time = rec.get("enrollment_in_time") or 0
        add(
            "marketing",
            "recycled_enrolled_in_time",
            Text("action.not_enrolled", {"count": late, "days": config.recycle.enroll_within_days}),
            Text("evidence.not_enrolled", {"in_time": in_time, "total": late + in_time}),
            rec.get("enrolled_in_time_rate"),
        )
    pace = review.pacing.filter((pl.col("period") == "month") & (pl.col("stage") == "mqls"))
    if pace.height:
        p = pace.row(0, named=True)
        ratio = p.get("pace")
        if ratio is not None and short_of(ratio, 1 - config.kpis.at_risk_margin):
            add(
                "marketing",
                "mqls",
                Text("action.mql_pace", {"pace": ratio}),
                Text(
                    "evidence.mql_pace",
                    {
                        "actual": p["actual"],
                        # whole MQLs, as the pacing table shows them (646.09 needed are 647)
                        "expected": whole_need("mqls", p["expected_to_date"]),
                        "target": whole_need("mqls", p["target"]),
                        "forecast": p["forecast"],
                    },
                ),
                ratio,
            )
    acc = review.acceptance
    if acc.get("x") and off("mql_rejection_rate"):
        reasons = review.rejection_reasons
        top_reason = NOTHING
        if reasons.height and {"reason", "episodes"} <= set(reasons.columns):
            first = reasons.sort(["episodes", "reason"], descending=[True, False]).row(
                0, named=True
            )
            top_reason = Text(
                "action.top_reason",
                {"reason": Term("reason", first["reason"]), "count": first["episodes"]},
            )
        add(
            "marketing",
            "mql_rejection_rate",
            Text(
                "action.rejection",
                {"share": acc.get("rejection_rate"), "top_reason": top_reason},
            ),
            Text("evidence.rejection", {"x": acc["x"], "n": acc["n"]}),
            acc.get("rejection_rate"),
        )
    for row in kpis.iter_rows(named=True):
        if row["status"] == "missed" and row["metric"] not in covered:
            kpi = config.kpi(row["team"], row["metric"])
            label = Localized(row["label"], kpi.label_de if kpi is not None else None)
            add(
                row["team"],
                row["metric"],
                Text("action.kpi_missed", {"kpi": label}),
                Text(
                    "evidence.kpi_missed",
                    {
                        "value": MetricValue(row["metric"], row["value"], currency),
                        "target": MetricValue(row["metric"], row["target"], currency),
                    },
                ),
                row["value"],
            )
    worse = changes.filter(pl.col("is_significant") & (pl.col("is_better") == False))  # noqa: E712
    # volumes that moved by the very same numbers are one fact, one item (an export whose
    # every closed deal is an SQL, an opportunity and a won deal at once: Olist)
    same: dict[tuple[Any, Any], list[dict[str, Any]]] = {}
    for row in worse.iter_rows(named=True):
        if row["kind"] == "count":
            same.setdefault((row["previous_x"], row["current_x"]), []).append(row)
    for row in worse.iter_rows(named=True):
        team = "sales" if row["metric"] in ("handoff_compliance", "cadence_compliance") else "both"
        group = (
            same.get((row["previous_x"], row["current_x"]), []) if row["kind"] == "count" else []
        )
        if len(group) > 1 and row["metric"] != group[0]["metric"]:
            continue  # said with the first of its group
        message = (
            Text("action.worse_together", {"labels": [Term("metric", r["metric"]) for r in group]})
            if len(group) > 1
            else Text("action.worse", {"label": Term("metric", row["metric"])})
        )
        add(team, row["metric"], message, _change_evidence(row), row["current"])
    return items


def _change_evidence(row: dict[str, Any]) -> Text:
    if row["kind"] == "rate":
        return Text(
            "evidence.worse_rate",
            {
                "before": row["previous"],
                "before_counts": _counts(row["previous_x"], row["previous_n"]),
                "after": row["current"],
                "after_counts": _counts(row["current_x"], row["current_n"]),
                "p": row["p_value"],
            },
        )
    return Text(
        "evidence.worse_count",
        {
            "before": row["previous_x"],
            "after": row["current_x"],
            "before_rate": row["previous"],
            "after_rate": row["current"],
            "p": row["p_value"],
        },
    )


def _counts(x: float | None, n: float | None) -> Text:
    """``36 / 39`` as a text (empty when unknown), as
    :func:`~analytics.pack.formatting.format_counts` writes it."""
    return NOTHING if x is None or n is None else Text("counts", {"x": x, "n": n})


# -- a change of the SLA inside the month ----------------------------------------------

SPLIT_SCHEMA: dict[str, Any] = {
    "part": pl.String,
    "first_day": pl.Date,
    "last_day": pl.Date,
    "days": pl.Float64,
    "mql_episodes": pl.Int64,
    "mqls_per_day": pl.Float64,
    "handoff_met": pl.Int64,
    "handoff_judged": pl.Int64,
    "handoff_compliance": pl.Float64,
    "cadence_held": pl.Int64,
    "cadence_judged": pl.Int64,
    "cadence_compliance": pl.Float64,
}


def split_review(review: Any, *, on: date) -> pl.DataFrame:
    """The month's MQL episodes before and after day ``on`` (a new SLA version's first day).

    MQLs per day, speed-to-lead and cadence compliance of the episodes that started
    before ``on`` and from ``on`` on (local days of the reporting time zone; the part
    after ``on`` ends at ``as_of`` when the month is still running).

    Parameters
    ----------
    review : analytics.review.Review
        Uses ``speed_to_lead`` and ``cadence_episodes`` (one row per MQL episode).
    on : date
        The first day of the "after" part.

    Returns
    -------
    DataFrame, two rows (``part`` = before, after): ``first_day``, ``last_day``,
    ``days`` (elapsed), ``mql_episodes``, ``mqls_per_day``, ``handoff_met``,
    ``handoff_judged``, ``handoff_compliance``, ``cadence_held``, ``cadence_judged``,
    ``cadence_compliance``.
    """
    window = review.window
    tz = ZoneInfo(window.timezone)
    cut = datetime(on.year, on.month, on.day, tzinfo=tz).astimezone(UTC)
    end = window.end if review.as_of is None else min(window.end, max(review.as_of, window.start))
    parts = [
        ("before", window.start, cut, window.first_day, on - timedelta(days=1)),
        ("after", cut, end, on, window.last_day),
    ]
    speed, cadence = review.speed_to_lead, review.cadence_episodes
    rows = []
    for part, lo, hi, first, last in parts:
        days = max((hi - lo).total_seconds(), 0) / 86400

        def inside(frame: pl.DataFrame, lo: datetime = lo, hi: datetime = hi) -> pl.DataFrame:
            return frame.filter(
                (pl.col("started_at") >= utc_lit(lo)) & (pl.col("started_at") < utc_lit(hi))
            )

        s, c = inside(speed), inside(cadence)
        met = s.filter(pl.col("status") == "met").height
        judged = s.filter(pl.col("status").is_in(["met", "missed"])).height
        held = c.filter(pl.col("is_judged") & pl.col("is_held")).height
        c_judged = c.filter(pl.col("is_judged")).height
        rows.append(
            {
                "part": part,
                "first_day": first,
                "last_day": last,
                "days": days,
                "mql_episodes": s.height,
                "mqls_per_day": s.height / days if days > 0 else None,
                "handoff_met": met,
                "handoff_judged": judged,
                "handoff_compliance": met / judged if judged else None,
                "cadence_held": held,
                "cadence_judged": c_judged,
                "cadence_compliance": held / c_judged if c_judged else None,
            }
        )
    return pl.DataFrame(rows, schema=SPLIT_SCHEMA, orient="row")


# -- the pack ------------------------------------------------------------------------


def build_pack(
    tables: Tables,
    config: SlaConfig,
    *,
    month: str | None = None,
    as_of: datetime | None = None,
    segment: dict | None = None,
    versions: Sequence[SlaConfig] = (),
    top: int = 5,
    alpha: float = 0.05,
    stored: Callable[[SlaConfig, str, datetime | None], Any] | None = None,
    coverage: pl.DataFrame | None = None,
    notifications: pl.LazyFrame | pl.DataFrame | None = None,
    import_notes: Sequence[Text] = (),
) -> ReviewPack:
    """Assemble the review pack of ``month``.

    Parameters
    ----------
    tables : Tables
        The warehouse tables.
    config : SlaConfig
        The config given now (used where no recorded version is in force).
    month : str, optional
        ``YYYY-MM`` in the reporting time zone (default: the last month that has ended
        at ``as_of``). A running month is not compared with the month before.
    as_of : datetime, optional
        Moment of judgement (default: the latest timestamp in the data); both months
        are judged at the same ``as_of``.
    segment : dict, optional
        As in :func:`analytics.review.build_review`.
    versions : sequence of SlaConfig
        The recorded SLA versions (:func:`analytics.warehouse.config_history.stored_configs`).
    top : int, default 5
        Breaches listed per kind.
    alpha : float, default 0.05
        Significance level of the month-over-month tests.
    stored : callable, optional
        ``stored(config, month, as_of)`` gives the review stored for them
        (:func:`analytics.precompute.stored`) or None; a month without one is computed.
        Only for the whole company: with a ``segment`` every review is computed.
    coverage : DataFrame, optional
        What the data can answer for ``config`` (as stored at import); a version read
        another way (:attr:`~analytics.config.SlaConfig.coverage_key`: another time zone)
        gets its own. Default: the stored one where it is the version's, else computed.
    notifications : LazyFrame or DataFrame, optional
        The send log of ``sla notify``: "did the warnings work?" of the month
        (:func:`analytics.review.with_warnings`); without it the section says so.
    import_notes : sequence of Text, optional
        What the imports quarantined and said of what the numbers include
        (:func:`analytics.warehouse.facts.last_import_notes`): the pack says it at its top.

    Returns
    -------
    ReviewPack
    """
    from analytics.coverage import known_coverage, last_complete_month
    from analytics.review import build_review, with_warnings

    # what the data can answer, per way of reading it (a version in another time zone
    # has its own days: touches from 1 March 00:30 UTC are February's in New York)
    coverages = {} if coverage is None else {config.coverage_key: coverage}

    def review_of(cfg: SlaConfig, label: str, moment: datetime | None) -> Any:
        kept = None if segment or stored is None else stored(cfg, label, moment)
        if kept is not None:
            return kept
        known = coverages.get(cfg.coverage_key)
        if known is None:  # computed once per way of reading, when needed
            judged_at = as_of or tables.latest_timestamp()
            known = known_coverage(tables, config=cfg, as_of=judged_at)
            coverages[cfg.coverage_key] = known
        return build_review(tables, cfg, month=label, as_of=moment, segment=segment, coverage=known)

    # where each month starts and ends: in the zone of the version that judges it, up to
    # the next month's start (a change of time zone leaves no hour in no month)
    tz = month_zones(versions, fallback=config)
    if month is None:
        latest = as_of or tables.latest_timestamp() or datetime.now(UTC)
        month = last_complete_month(latest, timezone=tz)
    window = month_window(month, timezone=tz)
    prev_month = shift_month(window.label, -1)
    prev_window = month_window(prev_month, timezone=tz)
    in_force = config_in_force(versions, on=window.first_day, fallback=config)
    prev_in_force = config_in_force(versions, on=prev_window.first_day, fallback=config)
    review = with_warnings(review_of(in_force, window.label, as_of), notifications)
    previous = review_of(prev_in_force, prev_month, review.as_of)
    # compared with the previous month as judged by its own SLA (as every output is); a
    # point-in-time count has no past value, nor a rate whose window is still open; a
    # metric the versions measure differently has no change and no test; a running
    # month is compared with none (nor tested for significant changes)
    review = in_history(
        review, config=in_force, versions=versions, fallback=config, previous=previous
    )
    kpis = review.kpis
    before = None if review.running else review.previous_kpi_values
    redefined = list(review.comparison.get("redefined") or {})
    changes = significant_changes(review, previous, alpha=alpha, redefined=redefined)
    if review.running:
        changes = changes.head(0)
    in_month = [
        InMonthChange(change, split_review(review, on=change.effective_from))
        for change in changes_within(
            versions, first_day=window.first_day, last_day=window.last_day, fallback=config
        )
    ]
    names = rep_names(tables.reps)
    breaches = top_breaches(review, in_force, names=names, top=top)
    return ReviewPack(
        month=window.label,
        review=review,
        previous=previous,
        config=in_force,
        previous_config=prev_in_force,
        kpis=kpis,
        scorecards=scorecards(review, kpis, in_force),
        breaches=breaches,
        breach_totals=review.breach_counts(),
        changes=changes,
        actions=action_items(review, kpis, changes, in_force, names=names),
        setting_changes=[
            c for c in diff_configs(prev_in_force, in_force) if not c.key.startswith("sla.")
        ],
        in_month=in_month,
        boundaries=tz.boundaries(window.label, shift_month(window.label, 1)),
        previous_values=before,
        alpha=alpha,
        top=top,
        rep_names=names,
        import_notes=list(import_notes),
    )


__all__ = [
    "BREACH_TITLES",
    "CORE_PROMISES",
    "ActionItem",
    "InMonthChange",
    "ReviewPack",
    "ScorecardRow",
    "action_items",
    "build_pack",
    "change_lines",
    "promise_text",
    "promise_words",
    "rep_names",
    "scorecards",
    "split_review",
    "top_breaches",
]
