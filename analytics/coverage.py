"""What the data can answer: the measure groups of spec/coverage.md, and from when to when.

A CRM export rarely holds every table. :func:`coverage` finds, from the tables, for
each measure group (:data:`GROUPS`) whether its inputs are there and the span of time
they cover; :func:`month_coverage` says which groups a month can answer. Everything
the data cannot answer is null, never 0, and a KPI that depends on it has status
``no_data`` with a reason (:func:`reason`).

>>> from analytics.tables import Tables
>>> t = Tables.from_rows(
...     leads=[{"lead_id": "a", "created_at": "2026-01-05T10:00Z", "source": "email"}],
...     lifecycle_events=[{"lead_id": "a", "stage": "mql", "entered_at": "2026-01-06T10:00Z"}],
...     sales_touches=[{"touch_id": "t", "lead_id": "a", "rep_id": "r",
...                     "occurred_at": "2026-03-02T09:00Z", "channel": "phone",
...                     "outcome": "no_answer"}])
>>> c = coverage(t)
>>> c.filter(pl.col("group") == "handoff").select("measurable", "from", "to").row(0)
(True, datetime.date(2026, 3, 2), datetime.date(2026, 3, 2))
>>> month = month_coverage(c, "2026-01")
>>> month["funnel"], month["handoff"]
(True, False)
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import polars as pl

from analytics.config import SlaConfig
from analytics.tables import Tables, one_of
from analytics.texts import Lang, day, render
from analytics.timeframe import (
    MonthZones,
    as_utc,
    month_of,
    month_window,
    parse_month,
    quarter_start_month,
    shift_month,
    utc_lit,
)


@dataclass(frozen=True)
class Group:
    """A measure group: the tables it needs and the pages it feeds."""

    name: str
    needs: tuple[str, ...]
    pages: tuple[str, ...]


#: The funnel stages whose entries are counted (volumes) and converted between, each with
#: a measure group of its own: an export whose lifecycle events never record a stage (X
#: Education's leads and customers, no MQL) cannot count it, so its volume and every rate
#: into or out of it are unknown, not 0 (spec/coverage.md: missing data is never a verdict).
STAGE_GROUPS: dict[str, str] = {
    stage: f"{stage}_stage"
    for stage in ("mql", "sal", "sql", "opportunity", "customer", "recycled", "disqualified")
}

#: The group of the ``lead`` stage: the leads counted (and every rate into or out of
#: them) are all of them, unless the export holds only the leads that qualified.
LEAD_GROUP = "lead_stage"
#: Each counted stage and the measure group that counts it, ``lead`` included.
COUNTED_STAGES: dict[str, str] = {"lead": LEAD_GROUP, **STAGE_GROUPS}
_STAGE_GROUP_NAMES = frozenset(COUNTED_STAGES.values())

#: The ``trigger`` of a lifecycle event an export records only for leads whose deal was
#: won (Olist's closed deals: their SQL and opportunity are dated by the win). A stage
#: whose every event says so cannot be counted: the leads that reached it without winning
#: are not in the data, so its volume and every rate into or out of it are unknown.
WON_ONLY_TRIGGER = "won_deal_export"
#: The ``trigger`` of a ``lead`` event an export records only for leads that became MQLs
#: (Olist's marketing qualified leads): when every lead event says so, the leads that did
#: not qualify are not in the data, so the lead count and lead -> MQL are unknown (100 %
#: by construction is no verdict).
MQL_ONLY_TRIGGER = "mql_export"
#: The ``trigger`` of a lifecycle event dated by the file, not by the data (X Education's
#: file has no dates: each row is dated by the file's day). A stage whose every event says
#: so cannot be counted per month: its counts, trends and forecasts are unknown.
UNDATED_TRIGGER = "undated_export"
#: The triggers that say an export recorded an event for another reason than the stage
#: itself, with the reason (``coverage.reason.<code>``) a stage recorded only so gives.
MARKERS: dict[str, str] = {
    WON_ONLY_TRIGGER: "won_only",
    MQL_ONLY_TRIGGER: "lead_stage",
    UNDATED_TRIGGER: "undated",
}
_FUNNEL_PAGES = ("overview", "goals", "kpis", "review")
#: The reasons a stored coverage row is told apart by (its English text): the markers',
#: fit values that are not the scored ones, and leads without any lifecycle event.
_TOLD_BY_TEXT = (*MARKERS.values(), "scoring_fit_values", "funnel_no_stages")

#: The measure groups of spec/coverage.md, in its order, with a group per counted funnel
#: stage after ``funnel`` (:data:`STAGE_GROUPS`).
GROUPS: dict[str, Group] = {
    g.name: g
    for g in (
        Group("visitors", ("web_traffic",), ("overview", "goals", "kpis")),
        Group("funnel", ("leads", "lifecycle_events"), _FUNNEL_PAGES),
        Group(LEAD_GROUP, ("leads",), _FUNNEL_PAGES),
        *(Group(name, ("lifecycle_events",), _FUNNEL_PAGES) for name in STAGE_GROUPS.values()),
        Group("revenue", ("opportunities",), ("overview", "goals")),
        Group("deals", ("opportunities",), ("goals", "kpis")),
        Group("handoff", ("sales_touches",), ("handoffs", "kpis", "review")),
        Group("cadence", ("sales_touches",), ("management", "kpis", "review")),
        Group("acceptance", ("lifecycle_events",), ("handoffs", "kpis")),
        Group("recycling", ("sales_touches", "lifecycle_events"), ("handoffs", "kpis")),
        Group("nurture", ("nurture_enrollments",), ("nurturing", "kpis")),
        Group("scoring_fit", ("leads",), ("qualification",)),
        Group("scoring_interest", ("activities",), ("qualification",)),
        Group("reps", ("reps",), ("handoffs", "management")),
    )
}

#: The measure group each KPI metric of :data:`analytics.config.KPI_METRICS` belongs to
#: (a metric needs every group listed).
KPI_GROUPS: dict[str, tuple[str, ...]] = {
    "visitors": ("visitors",),
    "leads": ("funnel", LEAD_GROUP),
    "mqls": ("funnel", "mql_stage"),
    "sals": ("funnel", "sal_stage"),
    "sqls": ("funnel", "sql_stage"),
    "opportunities": ("funnel", "opportunity_stage"),
    "deals_won": ("deals",),
    "won_revenue": ("revenue",),
    "visitor_to_lead": ("visitors", "funnel", LEAD_GROUP),
    "lead_to_mql": ("funnel", LEAD_GROUP, "mql_stage"),
    "mql_to_sql": ("funnel", "mql_stage", "sql_stage"),
    "sql_to_opportunity": ("funnel", "sql_stage", "opportunity_stage"),
    "opportunity_to_won": ("funnel", "opportunity_stage", "deals"),  # won / opportunities
    "mql_attainment": ("funnel", "mql_stage"),
    "mql_rejection_rate": ("acceptance",),
    "handoff_compliance": ("handoff",),
    "median_hours_to_first_touch": ("handoff",),
    "cadence_compliance": ("cadence",),
    "attempts_per_mql": ("cadence",),
    "premature_recycles": ("recycling",),
    "stale_leads": ("recycling",),
    # recycled leads enrolled in time: the recycles (their events) and the enrolments
    "recycled_enrolled_in_time": ("nurture", "recycled_stage"),
    "remql_rate": ("funnel", "mql_stage", "recycled_stage"),
}

#: The measure groups each breach list of the review needs (all of them): without one, the
#: list and its count are unknown (null, "–"), not empty.
BREACH_GROUPS: dict[str, tuple[str, ...]] = {
    "handoff": ("handoff",),
    "never_contacted": ("handoff",),
    "cadence": ("cadence",),
    "premature_recycles": ("recycling",),
    "stale_leads": ("recycling",),
    # a recycled lead not enrolled in time: the recycles (their events) and the enrolments
    "recycled_not_enrolled": ("nurture", "recycled_stage"),
}

#: The measure groups judged per MQL episode, and the groups their episodes come from: a
#: month's episodes are those its lifecycle events of stage ``mql`` start, so where those
#: events do not reach (or none was imported) the episodes are unknown, and with them every
#: count, rate and breach list of handoff, cadence, acceptance and recycling, however many
#: sales touches there are: not 0, not "no cases" (spec/coverage.md: missing data is never a
#: verdict). :func:`month_coverage` and :func:`answerable` apply it; :func:`lacking` names
#: the group built on first, so its reason is said (the MQLs', not the touches').
BUILDS_ON: dict[str, tuple[str, ...]] = {
    "handoff": ("mql_stage",),
    "cadence": ("mql_stage",),
    "acceptance": ("mql_stage",),
    "recycling": ("mql_stage",),
}


def _with_bases(answers: dict[str, bool]) -> dict[str, bool]:
    """``answers`` (group -> answerable) with a group that builds on another
    (:data:`BUILDS_ON`) answerable only where that one is too (a group not in
    ``answers`` counts as answerable).

    >>> _with_bases({"mql_stage": False, "handoff": True, "visitors": True})
    {'mql_stage': False, 'handoff': False, 'visitors': True}
    """
    return {
        group: ok and all(answers.get(base, True) for base in BUILDS_ON.get(group, ()))
        for group, ok in answers.items()
    }


#: KPIs that count over the month (volumes): a running month judges them against the
#: target times the share of its days elapsed; a segment only against its own target.
VOLUME_KPIS: frozenset[str] = frozenset(
    {"visitors", "leads", "mqls", "sals", "sqls", "opportunities", "deals_won", "won_revenue",
     "mql_attainment", "premature_recycles"}
)  # fmt: skip

_FIT_LEAD_COLUMNS = ("country", "seniority", "role")

#: Columns of :func:`coverage`.
COVERAGE_SCHEMA: dict[str, pl.DataType] = {
    "group": pl.String(),
    "measurable": pl.Boolean(),
    "from": pl.Date(),
    "to": pl.Date(),
    "needs": pl.List(pl.String()),
    "reason": pl.String(),
    "gaps": pl.List(pl.String()),
    "dated_after_import": pl.List(pl.String()),
    "imported_on": pl.Date(),
}


def _span(frame: pl.LazyFrame, first: pl.Expr, last: pl.Expr | None = None) -> pl.LazyFrame:
    last = first if last is None else last
    return frame.select(first.min().alias("first"), last.max().alias("last"))


def _fit_span(tables: Tables, own: pl.Expr, *, accounts: bool) -> pl.LazyFrame:
    """The span of the leads with fit: their own (``own``) or, with ``accounts``, their
    account's (industry or size known).

    Only the leads created outside the span of those with fit of their own can widen
    it: just those are looked up in the accounts (joining every lead to its account
    costs most of the coverage).

    >>> from analytics.tables import Tables
    >>> t = Tables.from_rows(
    ...     accounts=[{"account_id": "x", "industry": "saas"}],
    ...     leads=[{"lead_id": "a", "created_at": "2026-01-05T00:00Z", "country": "DE"},
    ...            {"lead_id": "b", "created_at": "2026-01-01T00:00Z", "account_id": "x"},
    ...            {"lead_id": "c", "created_at": "2026-01-09T00:00Z", "account_id": "y"}])
    >>> own = pl.col("country").is_not_null()
    >>> _fit_span(t, own, accounts=True).select(pl.all().dt.day()).collect().row(0)
    (1, 5)
    >>> _fit_span(t, own, accounts=False).select(pl.all().dt.day()).collect().row(0)
    (5, 5)
    """
    created, fit = pl.col("created_at"), pl.col("_own")
    leads = tables.leads.select("created_at", "account_id", own.fill_null(False).alias("_own"))
    span = _span(leads.filter(fit), created)
    if not accounts:
        return span
    outside = (created < created.filter(fit).min()) | (created > created.filter(fit).max())
    with_account = tables.accounts.filter(
        pl.col("industry").is_not_null() | pl.col("employees").is_not_null()
    ).select("account_id")
    widening = _span(
        leads.filter(~fit & (outside | ~fit.any())).join(with_account, on="account_id", how="semi"),
        created,
    )
    return pl.concat([span, widening]).select(pl.col("first").min(), pl.col("last").max())


#: A lifecycle event that records sales' verdict on a lead: accepted, or rejected with a
#: reason. A warehouse scan hands the whole filter to DuckDB, which then returns only
#: these events (before ``is_in`` was translated, all were read: 1 GB at 10M leads).
_JUDGED = (pl.col("stage") == "sal") | (
    one_of("stage", ["disqualified", "recycled"]) & pl.col("reason").is_not_null()
)


#: A lifecycle event that counts its stage: not one an export recorded with a marker.
_COUNTABLE = ~one_of("trigger", MARKERS).fill_null(False)


#: An opportunity whose amount is known: the adapters of exports without amounts write 0,
#: so an all-zero amount column is unknown (group ``revenue``).
KNOWN_AMOUNT = pl.col("amount") > 0


def amounts_known(opportunities: pl.LazyFrame) -> bool:
    """Whether any opportunity carries an amount (:data:`KNOWN_AMOUNT`): without, pipeline
    and revenue are unknown, not 0.

    >>> amounts_known(pl.LazyFrame({"amount": [0.0, None]})), amounts_known(
    ...     pl.LazyFrame({"amount": [0.0, 12.5]}))
    (False, True)
    """
    return opportunities.filter(KNOWN_AMOUNT).head(1).collect().height > 0


def _fit_values_set(tables: Tables, config: SlaConfig | None) -> bool:
    """Whether any lead has a value in a fit column the config scores (country,
    seniority, role), whatever the value: then the values are not the scored ones.

    >>> t = Tables.from_rows(leads=[{"lead_id": "a", "created_at": "2026-01-01T00:00:00Z",
    ...                              "source": "email", "country": "India"}])
    >>> _fit_values_set(t, None), _fit_values_set(Tables.empty(), None)
    (True, False)
    """
    keys = set(config.scoring.fit) if config is not None else set(_FIT_LEAD_COLUMNS)
    columns = [c for c in _FIT_LEAD_COLUMNS if c in keys]
    if not columns:
        return False
    filled = pl.any_horizontal(pl.col(c).is_not_null() for c in columns)
    return tables.leads.filter(filled).head(1).collect().height > 0


def _spans(tables: Tables, config: SlaConfig | None) -> dict[str, pl.LazyFrame]:
    """Per input of a group: a one-row frame with the first and last timestamp (UTC)."""
    tz = config.reporting.timezone if config is not None else "UTC"
    day_start = (
        pl.col("date").cast(pl.Datetime("us")).dt.replace_time_zone(tz).dt.convert_time_zone("UTC")
    )
    stage = pl.col("stage")
    fit_keys = set(config.scoring.fit) if config is not None else set(_FIT_LEAD_COLUMNS)
    fit_cond = pl.lit(False)
    for col in _FIT_LEAD_COLUMNS:
        if col in fit_keys:
            allowed = list(config.scoring.fit[col]) if config is not None else None
            c = pl.col(col)
            fit_cond = fit_cond | (one_of(c, allowed) if allowed is not None else c.is_not_null())
    fit_leads = _fit_span(tables, fit_cond, accounts=bool({"industry", "size_band"} & fit_keys))
    opp_last = pl.max_horizontal("created_at", "closed_at")
    return {
        "web_traffic": _span(tables.web_traffic, day_start, day_start + pl.duration(hours=23)),
        "leads": _span(tables.leads, pl.col("created_at")),
        "lifecycle_events": _span(tables.lifecycle_events, pl.col("entered_at")),
        "opportunities": _span(tables.opportunities, pl.col("created_at"), opp_last),
        "amounts": _span(tables.opportunities.filter(KNOWN_AMOUNT), pl.col("created_at"), opp_last),
        "sales_touches": _span(tables.sales_touches, pl.col("occurred_at")),
        "acceptance_events": _span(
            tables.lifecycle_events.filter(_JUDGED), pl.col("entered_at")
        ),
        **{  # recycled_events too (the recycling group's)
            f"{s}_events": _span(tables.lifecycle_events.filter(stage == s), pl.col("entered_at"))
            for s in STAGE_GROUPS
        },
        "nurture_enrollments": _span(
            tables.nurture_enrollments,
            pl.col("enrolled_at"),
            pl.max_horizontal("enrolled_at", "exited_at"),
        ),
        "fit_leads": fit_leads,
        "activities": _span(tables.activities, pl.col("occurred_at")),
    }  # fmt: skip


#: The tables (spans of :func:`_spans`) each group needs in time, all of them.
_INPUTS: dict[str, tuple[str, ...]] = {
    "visitors": ("web_traffic",),
    "funnel": ("leads", "lifecycle_events"),
    **{name: ("leads", "lifecycle_events") for name in _STAGE_GROUP_NAMES},
    "revenue": ("opportunities",),
    "deals": ("opportunities",),
    "handoff": ("sales_touches",),
    "cadence": ("sales_touches",),
    "acceptance": ("lifecycle_events",),
    "recycling": ("sales_touches", "lifecycle_events"),
    "nurture": ("nurture_enrollments",),
    "scoring_fit": ("leads",),
    "scoring_interest": ("activities",),
}
#: The table each input of :func:`_spans` reads, where it is not the input's own name.
_INPUT_TABLES: dict[str, str] = {
    "amounts": "opportunities",
    "acceptance_events": "lifecycle_events",
    "fit_leads": "leads",
    **{f"{stage}_events": "lifecycle_events" for stage in STAGE_GROUPS},
}
#: The rows a group needs at least one of, anywhere in time (spec/coverage.md "needs"):
#: without them the table is there but cannot answer (no amounts, no stage ``sal`` ...);
#: with them, the group's months are those its tables cover (a month without a recycle
#: has 0 premature recycles, not an unknown number).
_REQUIRES: dict[str, tuple[str, ...]] = {
    "revenue": ("amounts",),
    "acceptance": ("acceptance_events",),
    "recycling": ("recycled_events",),
    "scoring_fit": ("fit_leads",),
    **{name: (f"{stage}_events",) for stage, name in STAGE_GROUPS.items()},
}


def _reason_group(group: str, *, funnel_measurable: bool, deals_measurable: bool = True) -> str:
    """The group whose reason says why ``group`` cannot be measured: a stage cannot be
    counted without any leads or lifecycle events, nor revenue without any opportunity,
    and then that is what to say, not "no mql event" or "no amounts".

    >>> _reason_group("mql_stage", funnel_measurable=False), _reason_group("mql_stage",
    ...     funnel_measurable=True), _reason_group("handoff", funnel_measurable=False)
    ('funnel', 'mql_stage', 'handoff')
    >>> _reason_group("revenue", funnel_measurable=True, deals_measurable=False)
    'deals'
    """
    if group == "revenue" and not deals_measurable:
        return "deals"
    return "funnel" if group in _STAGE_GROUP_NAMES and not funnel_measurable else group


def coverage(
    tables: Tables, *, config: SlaConfig | None = None, as_of: datetime | None = None
) -> pl.DataFrame:
    """For each measure group: can the data answer it, and from when to when.

    Parameters
    ----------
    tables : Tables
        The warehouse tables (each is read once, a few columns).
    config : SlaConfig, optional
        The SLA in force: a lead has fit when an attribute the config scores is set
        (default: any of country, seniority, role, industry, size).
    as_of : datetime, optional
        The moment the data is known at: the tables as they were then
        (:meth:`Tables.until <analytics.tables.Tables.until>`); at or after the latest
        import, or without it, as known at the import (below).

    Returns
    -------
    DataFrame, one row per group of :data:`GROUPS`: ``group``, ``measurable``,
    ``from`` / ``to`` (the dates, in the reporting time zone, of the first and last row of
    the inputs the group needs: the latest first and the earliest last, so a month is
    covered when it ends on or after ``from`` and starts on or before ``to``; null for
    ``reps``),
    ``needs`` (tables), ``reason`` (English, null when measurable), ``gaps``,
    ``dated_after_import`` and ``imported_on``. Rows dated after the latest import
    (``tables.loaded_at``) are not known yet: they answer no month. A group whose missing
    rows are all there but dated after it names those tables in ``dated_after_import`` and
    the import's day in ``imported_on`` (its reason says so, not "import them").

    Examples
    --------
    >>> import dataclasses
    >>> t = Tables.from_rows(sales_touches=[{"touch_id": "t", "lead_id": "a", "rep_id": "r",
    ...     "occurred_at": "2027-01-04T09:00Z", "channel": "phone", "outcome": "no_answer"}])
    >>> t = dataclasses.replace(t, loaded_at=datetime(2026, 12, 6, 7, 45, tzinfo=ZoneInfo("UTC")))
    >>> c = coverage(t).filter(pl.col("group") == "handoff")
    >>> c.select("measurable", "dated_after_import", "imported_on").row(0)
    (False, ['sales_touches'], datetime.date(2026, 12, 6))
    """
    tz = ZoneInfo(config.reporting.timezone if config is not None else "UTC")
    imported = tables.loaded_at
    if as_of is not None and (imported is None or as_utc(as_of) < as_utc(imported)):
        tables, imported = tables.until(as_of), None  # known then: what came later is unseen
    whole = tables
    if imported is not None:  # a year mistyped ahead: its month is unknown, not 0
        tables = tables.until(imported)
    spans = _spans(tables, config)
    reps = tables.reps.select((~_unnamed_rep()).any().alias("named"))
    # the stages recorded with a marker (MARKERS), and whether a lead event lacks one
    events = tables.lifecycle_events
    marked = events.filter(one_of("trigger", MARKERS)).select("stage", "trigger").unique()
    names = list(spans)
    # the months a deal won without an amount leaves unknown, cut as the config cuts months
    zones = config.month_zones if config is not None else "UTC"
    *collected, marked_found, unpriced = pl.collect_all(
        [*spans.values(), reps, marked, _unpriced_months(tables.opportunities, zones)]
    )
    found = {n: collected[i].row(0) for i, n in enumerate(names)}
    named = bool(collected[-1].item()) if collected[-1].height else False
    # a stage recorded only with a marker is not counted: the marker says why (the lead
    # stage, which counts the leads table, only when no lead event lacks a marker). Only
    # the marked stages are read again (most data has no marker: no second look)
    again = sorted(set(marked_found["stage"]) & set(COUNTED_STAGES))
    countable = pl.collect_all(
        [_span(events.filter((pl.col("stage") == s) & _COUNTABLE), pl.col("entered_at"))
         for s in again]
    )  # fmt: skip
    found.update({f"{s}_events": frame.row(0) for s, frame in zip(again, countable, strict=True)})
    # the lead stage counts the leads table: it has no span of its own until read again
    counted = {
        g: found[f"{s}_events"][0] is not None if f"{s}_events" in found else True
        for s, g in COUNTED_STAGES.items()
    }
    marked_groups = {
        COUNTED_STAGES[stage]: MARKERS[trigger]
        for stage, trigger in marked_found.iter_rows()
        if stage in COUNTED_STAGES and not counted[COUNTED_STAGES[stage]]
    }
    # a marked stage counted by other events too is measurable only where those are: the
    # months of Olist's won deals stay unknown when two ordinary leads join the warehouse
    narrowed = {COUNTED_STAGES[s]: f"{s}_events" for s in again if counted[COUNTED_STAGES[s]]}
    undated = marked_groups.get(LEAD_GROUP) == "undated"  # no month has the funnel's leads
    # no lead with a scored fit value: do they hold other values (X Education's countries
    # are "India", the config scores "DE")? Read only then (most data has fit)
    other_fit = found["fit_leads"][0] is None and _fit_values_set(tables, config)
    # the inputs without a row known at the import: are their rows all dated after it?
    recounted = {f"{s}_events" for s in again}  # a marker says why those have none
    unknown = [n for n in names if found[n][0] is None and n not in recounted]
    ahead = _dated_after(whole, config, unknown) if imported is not None else set()
    imported_on = None if imported is None else as_utc(imported).astimezone(tz).date()
    rows: list[dict[str, Any]] = []
    for name, group in GROUPS.items():
        if name == "reps":
            rows.append(
                {"group": name, "measurable": named, "from": None, "to": None,
                 "needs": list(group.needs),
                 "reason": None if named else render("coverage.reason.reps"),
                 "dated_after_import": []}
            )  # fmt: skip
            continue
        inputs = [*_INPUTS[name], *([narrowed[name]] if name in narrowed else [])]
        firsts = [found[i][0] for i in inputs]
        lasts = [found[i][1] for i in inputs]
        required = [found[i][0] for i in _REQUIRES.get(name, ())]
        has_inputs = all(v is not None for v in firsts + lasts)
        ok = has_inputs and all(v is not None for v in required)
        if name in marked_groups or (undated and name == "funnel"):
            ok = False  # every event of the stage is marked (undated: no month has leads)
        # a stage's inputs are the funnel's, revenue's the opportunities (the deals')
        why = _reason_group(name, funnel_measurable=has_inputs, deals_measurable=has_inputs)
        if has_inputs and name in marked_groups:
            why = marked_groups[name]
        elif has_inputs and name == "scoring_fit" and other_fit:
            why = "scoring_fit_values"
        elif has_inputs and undated and name == "funnel":
            why = "undated"
        elif why == "funnel" and found["leads"][0] is not None:
            why = "funnel_no_stages"  # leads were imported (a contacts export alone)
        # every row it lacks is there, dated after the import: say so, not "import them"
        # (the rows its reason names: its tables', else the rows it needs of them)
        missing = [i for i in inputs if found[i][0] is None] or [
            i for i in _REQUIRES.get(name, ()) if found[i][0] is None
        ]
        later = (
            not ok
            and bool(missing)
            and set(missing) <= ahead
            and name not in marked_groups
            and not (undated and name == "funnel")
        )
        after = list(dict.fromkeys(_INPUT_TABLES.get(i, i) for i in missing)) if later else []
        start = max(firsts) if ok else None
        end = min(lasts) if ok else None
        reason = render(f"coverage.reason.{why}")
        if after:
            reason = render("coverage.reason.after_import", tables=after, day=_Day(imported_on))
        rows.append(
            {
                "group": name,
                "measurable": ok,
                "from": as_utc(start).astimezone(tz).date() if ok else None,
                "to": as_utc(end).astimezone(tz).date() if ok else None,
                "needs": list(group.needs),
                "reason": None if ok else reason,
                "gaps": unpriced["month"].to_list() if ok and name == "revenue" else [],
                "dated_after_import": after,
                "imported_on": imported_on if after else None,
            }
        )
    return pl.DataFrame(rows, schema=COVERAGE_SCHEMA, orient="row")


def _dated_after(tables: Tables, config: SlaConfig | None, names: Sequence[str]) -> set[str]:
    """The inputs ``names`` (of :func:`_spans`) that have a row in ``tables``: asked of
    those without a row known at the latest import, the inputs whose rows are all dated
    after it. Only they are read (most data has none: no second look)."""
    if not names:
        return set()
    spans = _spans(tables, config)
    found = pl.collect_all([spans[n].select(pl.col("first").is_not_null()) for n in names])
    return {n for n, frame in zip(names, found, strict=True) if frame.item()}


def gaps(frame: pl.DataFrame | None, group: str) -> list[str]:
    """The months (``YYYY-MM``) inside ``group``'s span that it cannot answer (revenue:
    a deal won without an amount); none without a coverage.

    >>> gaps(pl.DataFrame({"group": ["revenue"], "gaps": [["2026-03"]]}), "revenue")
    ['2026-03']
    """
    if frame is None or "gaps" not in frame.columns:
        return []
    found = frame.filter(pl.col("group") == group)["gaps"].to_list()
    return list(found[0] or []) if found else []


def unpriced_months(
    opportunities: pl.LazyFrame, *, timezone: str | MonthZones = "UTC"
) -> list[str]:
    """The months (``YYYY-MM`` in ``timezone``, or as :class:`~analytics.timeframe.MonthZones`
    cuts them) in which a deal was won without an amount: the revenue group's ``gaps``
    (:func:`coverage`), read from the opportunities.

    >>> from datetime import UTC
    >>> o = pl.LazyFrame({"status": ["won", "won", "lost"], "amount": [0.0, 9.0, 0.0],
    ...     "closed_at": [datetime(2026, 3, 31, 23, tzinfo=UTC)] * 3})
    >>> unpriced_months(o), unpriced_months(o, timezone="Europe/Berlin")
    (['2026-03'], ['2026-04'])
    """
    return _unpriced_months(opportunities, timezone).collect()["month"].to_list()


def _unpriced_months(opportunities: pl.LazyFrame, tz: ZoneInfo | str | MonthZones) -> pl.LazyFrame:
    """The months (``month``, ``YYYY-MM`` in ``tz``) in which a deal was won without an
    amount (:data:`KNOWN_AMOUNT`): their revenue is not known (a deal's amount left empty
    in the CRM is no deal of 0), sorted."""
    won = opportunities.filter(
        (pl.col("status") == "won")
        & pl.col("closed_at").is_not_null()
        & ~KNOWN_AMOUNT.fill_null(False)
    )
    zones = tz if isinstance(tz, MonthZones) else str(tz)
    month = month_of("closed_at", timezone=zones)
    return won.select(month.alias("month")).unique().sort("month")


#: The extent of the data a stored coverage describes (:func:`known_coverage` reads it).
EXTENT_SCHEMA: dict[str, pl.DataType] = {
    "data_latest": pl.Datetime("us", "UTC"),
    "traffic_last": pl.Date(),
}


def stored_coverage(
    rows: pl.DataFrame | None, *, config: SlaConfig | None = None
) -> pl.DataFrame | None:
    """The coverage stored with the data (the rows of ``meta.coverage``, written at every
    import) when it answers for ``config``, as :func:`coverage` returns it.

    Parameters
    ----------
    rows : DataFrame or None
        :func:`coverage`'s columns and ``config_key`` (:attr:`SlaConfig.coverage_key
        <analytics.config.SlaConfig.coverage_key>`; rows stored before the key was have
        none and are read as then).
    config : SlaConfig, optional
        The config the coverage is for (default: any).

    Returns
    -------
    DataFrame with :data:`COVERAGE_SCHEMA`, one row per group of :data:`GROUPS`; None when
    there are no rows, they were stored by a version with other groups, or for another time
    zone or other fit attributes.

    Examples
    --------
    >>> from analytics.config import load_config
    >>> cfg = load_config("data/sla.toml")
    >>> computed = coverage(Tables.empty(), config=cfg)
    >>> rows = computed.with_columns(config_key=pl.lit(cfg.coverage_key))
    >>> stored_coverage(rows, config=cfg).equals(computed)
    True
    >>> stored_coverage(rows.with_columns(config_key=pl.lit("another")), config=cfg) is None
    True
    """
    if rows is None or rows.height == 0 or set(rows["group"]) != set(GROUPS):
        return None
    for column in ("gaps", "dated_after_import"):  # stored before they were: read as none
        if column not in rows.columns or rows[column].null_count() == rows.height:
            return None  # "no gap", "imported" although dated after the import
    if config is not None and "config_key" in rows.columns:
        keys = rows["config_key"].unique().to_list()
        if keys != [None] and keys != [config.coverage_key]:  # None: stored before the key
            return None
    order = {g: i for i, g in enumerate(GROUPS)}
    return (
        rows.select(list(COVERAGE_SCHEMA))
        .cast(COVERAGE_SCHEMA)
        .sort(pl.col("group").replace_strict(order, default=99))
    )


def known_coverage(
    tables: Tables, *, config: SlaConfig | None = None, as_of: datetime | None = None
) -> pl.DataFrame:
    """What the data known at ``as_of`` can answer: the coverage stored with the tables
    (:attr:`Tables.stored_coverage_rows <analytics.tables.Tables.stored_coverage_rows>`,
    :func:`stored_coverage`) when it is ``config``'s and no row is later than ``as_of``,
    else :func:`coverage` of ``tables`` at ``as_of``. Computing it at 10M leads takes
    seconds; reading it, milliseconds.

    Returns
    -------
    DataFrame, as :func:`coverage`.

    Examples
    --------
    >>> t = Tables.from_rows(leads=[{"lead_id": "a", "created_at": "2026-10-05T09:00Z"}])
    >>> at = datetime(2026, 10, 1, tzinfo=ZoneInfo("UTC"))
    >>> known_coverage(t, as_of=at).equals(coverage(t.until(at)))
    True
    """
    rows = tables.stored_coverage_rows
    if rows is not None:
        wanted = [*COVERAGE_SCHEMA, "config_key", *(EXTENT_SCHEMA if as_of is not None else ())]
        found = rows.select(wanted).collect()
        stored = stored_coverage(found, config=config)
        if stored is not None and (as_of is None or _nothing_after(found, as_of)):
            return stored
    return coverage(tables, config=config, as_of=as_of)


def _nothing_after(rows: pl.DataFrame, as_of: datetime) -> bool:
    """Whether the data the stored coverage ``rows`` describe has no timestamp nor traffic
    day after ``as_of`` (so ``Tables.until(as_of)`` keeps every row)."""
    latest, last_day = rows.row(0)[-2:]
    as_of = as_utc(as_of)
    return (latest is None or latest <= as_of) and (last_day is None or last_day <= as_of.date())


def empty_coverage() -> pl.DataFrame:
    """Coverage of a warehouse without data: nothing is measurable.

    >>> empty_coverage()["measurable"].any()
    False
    """
    return coverage(Tables.empty())


def month_coverage(
    frame: pl.DataFrame, month: str, *, timezone: str | MonthZones = "UTC", gaps: bool = True
) -> dict[str, bool]:
    """Which groups month ``month`` can answer (spec/coverage.md, "Coverage in time").

    A group is measurable for a month when its inputs' first row is on or before the
    month's last day and its last row on or after the month's first day, and the month is
    not one of its ``gaps`` (with ``gaps`` False: whether its data reaches the month); a
    group judged per MQL episode only when the month's MQLs are known too
    (:data:`BUILDS_ON`).

    >>> c = pl.DataFrame({"group": ["handoff"], "measurable": [True],
    ...                   "from": [date(2026, 3, 2)], "to": [date(2026, 6, 30)]})
    >>> month_coverage(c, "2026-02"), month_coverage(c, "2026-03")
    ({'handoff': False}, {'handoff': True})
    >>> mqls = pl.DataFrame({"group": ["mql_stage"], "measurable": [True],
    ...                      "from": [date(2026, 1, 5)], "to": [date(2026, 2, 27)]})
    >>> month_coverage(pl.concat([mqls, c]), "2026-03")  # touches, but no MQL event
    {'mql_stage': False, 'handoff': False}
    """
    parse_month(month)
    window = month_window(month, timezone=timezone)
    first_day, last_day = window.first_day, window.last_day
    out: dict[str, bool] = {}
    for row in frame.iter_rows(named=True):
        ok = bool(row["measurable"])
        if ok and row["from"] is not None and row["to"] is not None:
            ok = row["from"] <= last_day and row["to"] >= first_day
        if ok and gaps and month in (row.get("gaps") or ()):  # inside the span, yet unknown
            ok = False
        out[row["group"]] = ok
    return _with_bases(out)


#: The pacing periods (:func:`analytics.goals.pacing`) and the month each starts with.
PERIOD_STARTS = {"month": lambda month: month, "quarter": quarter_start_month}


def _period_months(month: str, period: str) -> list[str]:
    """The months of the pacing ``period`` up to ``month`` (``YYYY-MM``), first to last."""
    months = [PERIOD_STARTS[period](month)]
    while months[-1] != month:
        months.append(shift_month(months[-1], 1))
    return months


def period_coverage(
    frame: pl.DataFrame,
    month: str,
    *,
    period: str = "month",
    timezone: str | MonthZones = "UTC",
) -> dict[str, bool]:
    """Which groups the pacing ``period`` up to month ``month`` can answer: a group every
    month of it so far can answer (:func:`month_coverage`). Deals tracked from September
    on make the third quarter's revenue to date unknown, though September's is known.

    Parameters
    ----------
    frame : DataFrame
        The coverage (:func:`coverage`).
    month : str
        The period's month so far, ``YYYY-MM``.
    period : str
        ``month`` or ``quarter`` (:data:`PERIOD_STARTS`).

    Returns
    -------
    dict: group -> measurable over the period so far.

    >>> c = pl.DataFrame({"group": ["revenue"], "measurable": [True],
    ...                   "from": [date(2026, 9, 10)], "to": [date(2026, 11, 30)]})
    >>> period_coverage(c, "2026-09"), period_coverage(c, "2026-09", period="quarter")
    ({'revenue': True}, {'revenue': False})
    >>> period_coverage(c, "2026-11", period="quarter")
    {'revenue': True}
    """
    each = [month_coverage(frame, m, timezone=timezone) for m in _period_months(month, period)]
    return {group: all(m[group] for m in each) for group in each[-1]}


def period_reason(
    group: str,
    frame: pl.DataFrame | None,
    month: str,
    *,
    period: str,
    timezone: str | MonthZones = "UTC",
    lang: Lang = "en",
) -> str:
    """Why ``group`` cannot be measured over the pacing ``period`` up to ``month``, in one
    sentence: the month's reason (:func:`reason`) when the month itself cannot answer it,
    else a month of the period in the group's ``gaps`` (a deal won without an amount) or
    the span of its data that does not reach back to the period's start.

    >>> c = pl.DataFrame({"group": ["revenue"], "measurable": [True],
    ...                   "from": [date(2026, 9, 10)], "to": [date(2026, 11, 30)],
    ...                   "gaps": [["2026-10"]]})
    >>> period_reason("revenue", c, "2026-09", period="quarter")
    'The data for it runs from 2026-09-10 to 2026-11-30, not over the whole quarter so far.'
    >>> period_reason("revenue", c, "2026-10", period="month")[:40]
    'Some deals won this month have no amount'
    >>> period_reason("revenue", c, "2026-11", period="quarter")[:42]
    'Some deals won this quarter have no amount'
    """
    rows = None if frame is None else _rows_by_group(frame)
    row = (rows or {}).get(group)
    month_can = frame is not None and month_coverage(frame, month, timezone=timezone).get(
        group, True
    )
    if period == "month" or row is None or row["from"] is None or not month_can:
        return _reason(group, rows, lang=lang, month=month)
    if set(_period_months(month, period)) & set(row.get("gaps") or ()):
        return render("coverage.reason.unpriced_period", lang=lang)
    start, end = _Day(row["from"]), _Day(row["to"])
    return render("coverage.reason.outside_period", lang=lang, start=start, end=end)


#: Working days without any sales touch (before the day of ``as_of``) after which the
#: touches count as stopped: an export that no longer carries them, not a weekend or a
#: holiday (then every touch measure past the last touch would be a verdict without data).
STOPPED_AFTER_WORKING_DAYS = 3
#: Working days without any lifecycle event, while the sales touches or the new leads go
#: on, after which the lifecycle events count as stopped (:func:`lifecycle_stopped`): a
#: week, more than the touches' :data:`STOPPED_AFTER_WORKING_DAYS`, as stage changes are
#: sparser than touches (a rep may call a lead for days without any stage changing).
LIFECYCLE_STOPPED_AFTER_WORKING_DAYS = 5

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def calendar_day(moment: datetime, *, config: SlaConfig) -> date:
    """The day of ``moment`` in the handoff calendar's time zone: the one zone the stop
    rules (:func:`stopped_since`) count working days in, for the review and the alerts.

    >>> from analytics.config import load_config
    >>> from datetime import UTC
    >>> cfg = load_config("data/sla.toml")  # Berlin
    >>> calendar_day(datetime(2026, 10, 14, 22, 30, tzinfo=UTC), config=cfg)
    datetime.date(2026, 10, 15)
    """
    return as_utc(moment).astimezone(ZoneInfo(config.handoff.calendar.timezone)).date()


def stopped_since(
    last_day: date,
    *,
    as_of: datetime,
    config: SlaConfig,
    after: int = STOPPED_AFTER_WORKING_DAYS,
) -> bool:
    """Whether rows last recorded on ``last_day`` (in the handoff calendar's time zone)
    have stopped at ``as_of``: none on ``after`` (default
    :data:`STOPPED_AFTER_WORKING_DAYS`, the touches') or more working days of
    ``handoff.calendar`` (its weekdays, less its public and extra holidays) between that
    day and the day of ``as_of``.

    >>> from analytics.config import load_config
    >>> cfg = load_config("data/sla.toml")  # Berlin, Monday to Friday, German holidays
    >>> friday = date(2026, 11, 20)
    >>> stopped_since(friday, as_of=datetime(2026, 11, 23, 9), config=cfg)  # Monday
    False
    >>> stopped_since(friday, as_of=datetime(2026, 11, 26, 9), config=cfg)  # Mon-Wed idle
    True
    >>> stopped_since(friday, as_of=datetime(2026, 11, 26, 9), config=cfg, after=5)
    False
    >>> stopped_since(date(2026, 4, 2), as_of=datetime(2026, 4, 8, 9), config=cfg)  # Easter
    False
    """
    calendar = config.handoff.calendar
    today = calendar_day(as_of, config=config)
    working = {_WEEKDAYS.index(d) for d in calendar.working_days}
    idle = [
        day
        for day in (last_day + timedelta(days=d) for d in range(1, (today - last_day).days))
        if day.weekday() in working
    ]
    if len(idle) < after:
        return False
    from analytics.business_hours import calendar_holidays  # loaded only for a long gap

    closed = set(calendar_holidays(calendar))
    return sum(day not in closed for day in idle) >= after


def _last(
    frame: pl.LazyFrame, column: str, as_of: datetime, *, also: dict[str, pl.Expr] | None = None
) -> pl.LazyFrame:
    """One row, ``last``: the latest ``column`` of ``frame`` at or before ``as_of`` (and
    the aggregations ``also`` over the same rows, after it)."""
    moment = utc_lit(as_of)
    return frame.filter(pl.col(column) <= moment).select(
        pl.col(column).max().alias("last"), **(also or {})
    )


def touches_tracked_until(tables: Tables, *, as_of: datetime) -> datetime | None:
    """The last sales touch at or before ``as_of``: touches are known until then (None
    when there is none).

    >>> t = Tables.from_rows(sales_touches=[
    ...     {"touch_id": "x", "lead_id": "a", "rep_id": "r", "channel": "phone",
    ...      "occurred_at": "2026-11-20T12:00Z", "outcome": "no_answer"}])
    >>> touches_tracked_until(t, as_of=datetime(2026, 12, 4)).isoformat()
    '2026-11-20T12:00:00+00:00'
    """
    last = _last(tables.sales_touches, "occurred_at", as_of).collect().item()
    return None if last is None else as_utc(last)


class Horizons(NamedTuple):
    """When the sales touches and the lifecycle events stopped at a moment
    (:func:`horizons`): each the day of its last row (in the handoff calendar's time zone)
    and the moment measures built on it are judged at, the end of that day; None while
    current."""

    #: The day of the last sales touch when the touches stopped (:func:`touch_horizon`).
    touches_stopped: date | None = None
    #: The end of that day (capped at ``as_of``): first touches and cadence are judged then.
    touches_until: datetime | None = None
    #: The day of the last lifecycle event when they stopped (:func:`lifecycle_stopped`).
    lifecycle_stopped: date | None = None
    #: The end of that day (capped at ``as_of``): which MQL episodes are open is known
    #: until then only, so a cadence window running past it is not judged.
    lifecycle_until: datetime | None = None


def _end_of_day(day: date, *, as_of: datetime, config: SlaConfig) -> datetime:
    """The end of ``day`` in the handoff calendar's time zone, at ``as_of`` at the latest."""
    zone = ZoneInfo(config.handoff.calendar.timezone)
    end = datetime.combine(day + timedelta(days=1), datetime.min.time(), zone)
    return min(as_utc(as_of), as_utc(end))


def horizons(tables: Tables, *, as_of: datetime, config: SlaConfig) -> Horizons:
    """When the sales touches (:func:`touch_horizon`) and the lifecycle events
    (:func:`lifecycle_stopped`) have stopped at ``as_of``, from one read of each table's
    last row: the last sales touch is read once for both rules (the review and
    ``sla alerts`` ask for both; at 10M each read is a warehouse query).

    >>> from analytics.config import load_config
    >>> cfg = load_config("data/sla.toml")  # Berlin, Monday to Friday, German holidays
    >>> t = Tables.from_rows(
    ...     leads=[{"lead_id": "a", "created_at": "2026-10-15T08:00Z", "source": "email"}],
    ...     lifecycle_events=[{"lead_id": "a", "stage": "lead", "entered_at": "2026-10-15T08:00Z"}],
    ...     sales_touches=[{"touch_id": "x", "lead_id": "a", "rep_id": "r", "channel": "phone",
    ...                     "occurred_at": "2026-11-04T12:00Z", "outcome": "no_answer"}])
    >>> h = horizons(t, as_of=datetime(2026, 11, 5, 9), config=cfg)
    >>> h.touches_stopped, h.lifecycle_stopped, h.lifecycle_until.isoformat()
    (None, datetime.date(2026, 10, 15), '2026-10-15T22:00:00+00:00')
    """
    lead_event = pl.col("entered_at").filter(pl.col("stage") == "lead").max()
    found = pl.collect_all(
        [
            # the last event and the last of a new lead, in one scan of the events
            _last(tables.lifecycle_events, "entered_at", as_of, also={"lead": lead_event}),
            _last(tables.leads, "created_at", as_of),
            _last(tables.sales_touches, "occurred_at", as_of),
        ]
    )
    last_event, last_lead_event, last_lead, last_touch = (
        None if value is None else as_utc(value) for f in found for value in f.row(0)
    )
    touches_day = _touch_stop(last_touch, as_of=as_of, config=config)
    events_day = _lifecycle_stop(
        last_event, last_lead_event, (last_touch, last_lead), config=config
    )
    return Horizons(
        touches_day,
        None if touches_day is None else _end_of_day(touches_day, as_of=as_of, config=config),
        events_day,
        None if events_day is None else _end_of_day(events_day, as_of=as_of, config=config),
    )


def _touch_stop(last: datetime | None, *, as_of: datetime, config: SlaConfig) -> date | None:
    """The day of the last sales touch ``last`` when none came since on
    :data:`STOPPED_AFTER_WORKING_DAYS` working days before ``as_of``, else None."""
    if last is None:
        return None
    day = calendar_day(last, config=config)
    return day if stopped_since(day, as_of=as_of, config=config) else None


def _lifecycle_stop(
    last_event: datetime | None,
    last_lead_event: datetime | None,
    going: Iterable[datetime | None],
    *,
    config: SlaConfig,
) -> date | None:
    """The day of the last lifecycle event when the data that goes on (``going``: the last
    touch and the last new lead) came :data:`LIFECYCLE_STOPPED_AFTER_WORKING_DAYS` working
    days or more after it, and the events record new leads (``last_lead_event``)."""
    going_on = [m for m in going if m is not None]
    if last_event is None or last_lead_event is None or not going_on:
        return None  # no event, or none of a new lead: nothing says how often they come
    day = calendar_day(last_event, config=config)
    stopped = stopped_since(
        day, as_of=max(going_on), config=config, after=LIFECYCLE_STOPPED_AFTER_WORKING_DAYS
    )
    return day if stopped else None


def touch_horizon(
    tables: Tables, *, as_of: datetime, config: SlaConfig
) -> tuple[date | None, datetime | None]:
    """When the sales touches have stopped at ``as_of`` (:func:`stopped_since`): the day of
    the last one (in the handoff calendar's time zone) and the moment touch measures are
    judged at, the end of that day; ``(None, None)`` while they are current or when there
    is none. ``sla alerts`` and the review share it (both through :func:`horizons`, which
    reads the last touch once for this rule and :func:`lifecycle_stopped`): a first touch
    or cadence window that runs past that day is not judged (spec/coverage.md: missing
    data is no verdict).

    >>> from analytics.config import load_config
    >>> t = Tables.from_rows(sales_touches=[
    ...     {"touch_id": "x", "lead_id": "a", "rep_id": "r", "channel": "phone",
    ...      "occurred_at": "2026-11-20T12:00Z", "outcome": "no_answer"}])  # a Friday
    >>> cfg = load_config("data/sla.toml")
    >>> touch_horizon(t, as_of=datetime(2026, 11, 23, 9), config=cfg)  # Monday: current
    (None, None)
    >>> day, until = touch_horizon(t, as_of=datetime(2026, 12, 4, 9), config=cfg)
    >>> day, until.isoformat()  # the end of that day in Berlin
    (datetime.date(2026, 11, 20), '2026-11-20T23:00:00+00:00')
    """
    day = _touch_stop(touches_tracked_until(tables, as_of=as_of), as_of=as_of, config=config)
    return (None, None) if day is None else (day, _end_of_day(day, as_of=as_of, config=config))


def lifecycle_stopped(tables: Tables, *, as_of: datetime, config: SlaConfig) -> date | None:
    """The day of the last lifecycle event (in the handoff calendar's time zone) when the
    lifecycle events have stopped at ``as_of`` while the rest of the data went on; None
    while they are current, or when the data cannot tell (:func:`horizons`, which the
    review and ``sla alerts`` call to read the last sales touch once for both rules).

    The lifecycle events have stopped when, between the day of the last one and the day
    of the later of the last sales touch and the last lead created (all at or before
    ``as_of``), :data:`LIFECYCLE_STOPPED_AFTER_WORKING_DAYS` or more working days passed
    without any (:func:`stopped_since`: the handoff calendar's working days, its holidays
    not counted): an export that no longer carries the stage history (a CRM's lifecycle
    feed cut on 16 October while its touches run to 5 November), not a quiet week. New
    MQLs, SQLs, recycles and disqualifications since are then not in the data, so an
    episode that looks open may have ended.

    Only for data whose lifecycle events record the new leads (stage ``lead``, as every
    adapter and the demo write one with each lead): then they come as often as leads do,
    and a week of touches or new leads without one is a feed that ended. Stage changes
    alone (an export without ``lead`` events) can be weeks apart in a small funnel while
    sales calls on: they cannot tell a stop from a quiet spell, so the rule does not apply
    to them. Nor is ``as_of`` the reference (a week without a new lead and a stage change
    before it is the end of the data, not of one feed): the data that goes on is.

    Parameters
    ----------
    tables : Tables
        Its ``lifecycle_events``, ``leads`` and ``sales_touches`` (rows after ``as_of``
        are not read).
    as_of : datetime
        The moment the data is judged at.
    config : SlaConfig
        ``handoff.calendar``: its time zone, working days and holidays.

    Returns
    -------
    date or None

    Examples
    --------
    >>> from analytics.config import load_config
    >>> cfg = load_config("data/sla.toml")  # Berlin, Monday to Friday, German holidays
    >>> def lead(i, day):
    ...     return {"lead_id": i, "created_at": f"2026-{day}T08:00Z", "source": "email"}
    >>> t = Tables.from_rows(
    ...     leads=[lead("a", "10-15"), lead("b", "10-16"), lead("c", "11-04")],
    ...     lifecycle_events=[{"lead_id": "a", "stage": "lead", "entered_at": "2026-10-15T08:00Z"},
    ...                       {"lead_id": "b", "stage": "lead", "entered_at": "2026-10-16T08:00Z"}])
    >>> lifecycle_stopped(t, as_of=datetime(2026, 11, 5, 9), config=cfg)  # c has no event
    datetime.date(2026, 10, 16)
    >>> lifecycle_stopped(t, as_of=datetime(2026, 10, 22, 9), config=cfg) is None
    True
    """
    return horizons(tables, as_of=as_of, config=config).lifecycle_stopped


def lifecycle_cut(
    month_groups: Mapping[str, bool], month: str, *, stopped: date | None, timezone: str = "UTC"
) -> tuple[str, ...]:
    """The measure groups that lifecycle events which stopped on ``stopped`` (the day of
    the last one: :func:`lifecycle_stopped`, the rule of ``sla alerts``) leave unknown in
    ``month``, though its data reaches it.

    None while they are current, nor when the month ends on that day or before. Else the
    month goes on past the stop (a running month always does: its ``as_of`` comes
    :data:`LIFECYCLE_STOPPED_AFTER_WORKING_DAYS` working days or more after it), and its
    MQLs, SQLs, recycles ... from then on are not in the data: every group of
    ``month_groups`` (:func:`month_coverage`) that counts a stage of the lifecycle events
    (:data:`STAGE_GROUPS`) and every group judged on the month's MQL episodes
    (:data:`BUILDS_ON`), where the month's data would answer it. The leads, visitors,
    deals, touches and nurture enrolments go on: their groups stay.

    >>> groups = {"lead_stage": True, "mql_stage": True, "sql_stage": False, "handoff": True,
    ...           "nurture": True}
    >>> lifecycle_cut(groups, "2026-10", stopped=date(2026, 10, 16))
    ('mql_stage', 'handoff')
    >>> lifecycle_cut(groups, "2026-09", stopped=date(2026, 9, 30)), lifecycle_cut(
    ...     groups, "2026-10", stopped=None)
    ((), ())
    """
    if stopped is None or stopped >= month_window(month, timezone=timezone).last_day:
        return ()
    stages = set(STAGE_GROUPS.values())
    left = _with_bases({g: ok and g not in stages for g, ok in month_groups.items()})
    return tuple(g for g, ok in month_groups.items() if ok and not left[g])


def lifecycle_reason(stopped: date, *, lang: Lang = "en") -> str:
    """Why a number has no value since the lifecycle events stopped on ``stopped``
    (:func:`lifecycle_stopped`): one sentence with that day.

    >>> lifecycle_reason(date(2026, 10, 16))[:57]
    'The last lifecycle event recorded is from 2026-10-16, and'
    """
    return render(
        "coverage.lifecycle_stopped",
        lang=lang,
        day=day(stopped, lang),
        n=LIFECYCLE_STOPPED_AFTER_WORKING_DAYS,
    )


#: The KPIs counted at ``as_of`` over every MQL episode still open (stale leads): once the
#: lifecycle events stopped, whatever the month, the data cannot tell which are still open.
OPEN_EPISODE_KPIS: frozenset[str] = frozenset({"stale_leads"})
#: The KPIs judged on MQL episodes that the stop may leave unknown in a month it does not
#: cut short: attempts per MQL (an episode that looked open at the stop was touched after
#: it) and cadence compliance (no window judged, those that ran past the stop waiting).
STOP_EPISODE_KPIS: frozenset[str] = frozenset({"attempts_per_mql", "cadence_compliance"})


def lifecycle_reasons(
    values: Mapping[str, Any],
    *,
    stopped: date | None,
    lang: Lang = "en",
    unknown: Collection[str] = (),
) -> dict[str, str]:
    """KPI metric -> why it has no value since the lifecycle events stopped on ``stopped``
    (:func:`lifecycle_stopped`): those of :data:`OPEN_EPISODE_KPIS`, and of ``unknown``
    (the month's :data:`STOP_EPISODE_KPIS` the stop left without a value: not those of a
    month without a case), whose value is None. (The counts of a month the stop cuts
    short: :func:`kpi_reasons` with ``cut``.)

    >>> lifecycle_reasons({"stale_leads": None}, stopped=date(2026, 10, 16))["stale_leads"][:41]
    'The last lifecycle event recorded is from'
    >>> lifecycle_reasons({"stale_leads": None}, stopped=None)
    {}
    """
    if stopped is None:
        return {}
    text = lifecycle_reason(stopped, lang=lang)
    metrics = OPEN_EPISODE_KPIS | (STOP_EPISODE_KPIS & set(unknown))
    return {m: text for m in sorted(metrics) if m in values and values[m] is None}


def reason(
    group: str, frame: pl.DataFrame | None = None, *, lang: Lang = "en", month: str | None = None
) -> str:
    """One sentence: why group ``group`` cannot be measured, and what to import.

    With the coverage ``frame``, a group that has data in other months names its span, one
    whose rows are all dated after the latest import says so (``dated_after_import``); for
    ``month``, a month its ``gaps`` hold says so (deals won without an amount).

    >>> reason("handoff")
    'No sales touches were imported: import sales_touches (calls, e-mails, meetings).'
    >>> c = pl.DataFrame({"group": ["handoff"], "measurable": [True],
    ...                   "from": [date(2026, 3, 2)], "to": [date(2026, 6, 30)]})
    >>> reason("handoff", c, lang="de")
    'Die Daten dafür reichen vom 02.03.2026 bis zum 30.06.2026, nicht in diesen Monat.'
    """
    return _reason(group, None if frame is None else _rows_by_group(frame), lang=lang, month=month)


def _rows_by_group(frame: pl.DataFrame) -> dict[str, dict[str, Any]]:
    """The coverage's rows by group (a few dozen: plain dicts read faster than filters)."""
    return {row["group"]: row for row in frame.iter_rows(named=True)}


def _reason(
    group: str,
    rows: Mapping[str, Mapping[str, Any]] | None,
    *,
    lang: Lang,
    month: str | None = None,
) -> str:
    """:func:`reason`, from the coverage's rows by group (:func:`_rows_by_group`)."""
    if rows is not None:
        row, funnel, deals = rows.get(group), rows.get("funnel"), rows.get("deals")
        if row is not None and month is not None and month in (row.get("gaps") or ()):
            return render("coverage.reason.unpriced", lang=lang)
        if row is not None and not row["measurable"] and row.get("dated_after_import"):
            return render(
                "coverage.reason.after_import",
                lang=lang,
                tables=list(row["dated_after_import"]),
                day=_Day(row["imported_on"]),
            )
        group = _reason_group(
            group,
            funnel_measurable=funnel is None or bool(funnel["measurable"]),
            deals_measurable=deals is None or bool(deals["measurable"]),
        )
        # an export's marker, on the group's own row or on the one it cannot do without
        # (an undated export's funnel: not "no leads were imported" beside its 9,240 leads)
        for marked in (row, rows.get(group)):
            for code in _TOLD_BY_TEXT:  # told apart by the stored text, in English
                if marked is not None and marked.get("reason") == render(f"coverage.reason.{code}"):
                    return render(f"coverage.reason.{code}", lang=lang)
        if row is not None and row["measurable"] and row["from"] is not None:
            return render(
                "coverage.reason.outside", lang=lang, start=_Day(row["from"]), end=_Day(row["to"])
            )
    return render(f"coverage.reason.{group}", lang=lang)


@dataclass(frozen=True)
class _Day:
    value: date

    def render(self, *, lang: Lang = "en") -> str:
        return day(self.value, lang)


def kpi_reasons(
    month_groups: Mapping[str, bool],
    frame: pl.DataFrame | None = None,
    *,
    lang: Lang = "en",
    month: str | None = None,
    cut: Collection[str] = (),
    stopped: date | None = None,
) -> dict[str, str]:
    """KPI metric -> the reason it cannot be measured (only for those that cannot), in
    ``month`` (:func:`reason`); a metric lacking first a group of ``cut`` (the lifecycle
    events that stopped on ``stopped`` cut the month short: :func:`lifecycle_cut`) gets
    :func:`lifecycle_reason`.

    >>> kpi_reasons({"handoff": False, "funnel": True})["handoff_compliance"][:15]
    'No sales touche'
    >>> kpi_reasons({"mql_stage": False, "handoff": False}, cut=("mql_stage", "handoff"),
    ...             stopped=date(2026, 10, 16))["handoff_compliance"][:41]
    'The last lifecycle event recorded is from'
    """
    rows = None if frame is None else _rows_by_group(frame)
    anywhere = answerable(frame)
    out = {}
    for metric in KPI_GROUPS:
        if missing := lacking_groups(metric, month_groups, anywhere):
            if missing[0] in cut and stopped is not None:
                out[metric] = lifecycle_reason(stopped, lang=lang)
                continue
            out[metric] = _reason(missing[0], rows, lang=lang, month=month)
    return out


def answerable(frame: pl.DataFrame | None) -> dict[str, bool]:
    """Measure group -> whether the data can answer it in any month (the coverage's
    ``measurable``; a group judged per MQL episode only with the MQLs: :data:`BUILDS_ON`);
    empty without a coverage.

    >>> answerable(empty_coverage())["handoff"], answerable(None)
    (False, {})
    """
    if frame is None:
        return {}
    groups, measurable = (frame.get_column(c).to_list() for c in ("group", "measurable"))
    return _with_bases(dict(zip(groups, measurable, strict=True)))


def lacking_groups(
    metric: str, month_groups: Mapping[str, bool], anywhere: Mapping[str, bool]
) -> list[str]:
    """The measure groups ``metric`` needs (:data:`KPI_GROUPS`) that the month's data cannot
    answer, what no month has first (no MQL stage imported, before a month the funnel's
    data does not reach): the first says what to import.

    >>> lacking_groups("lead_to_mql", {"funnel": False, "lead_stage": True},
    ...                {"funnel": True, "mql_stage": False})
    ['mql_stage', 'funnel']
    """
    return lacking(KPI_GROUPS.get(metric, ()), month_groups, anywhere)


def lacking(
    groups: Iterable[str], month_groups: Mapping[str, bool], anywhere: Mapping[str, bool]
) -> list[str]:
    """The measure groups among ``groups``, and those they build on (:data:`BUILDS_ON`),
    that the month's data cannot answer (``month_groups``: :func:`month_coverage`), what
    no month has first (:func:`import_first`), else a group built on before the one built
    on it: the first one's reason says why (handoff in a month the MQL events do not
    reach: the MQLs' reason, not the touches' span, which reaches it).

    >>> lacking(["handoff"], {"mql_stage": False, "handoff": False},
    ...         {"mql_stage": True, "handoff": True})
    ['mql_stage', 'handoff']
    >>> lacking(["handoff"], {"mql_stage": False, "handoff": False},
    ...         {"mql_stage": True, "handoff": False})  # no touch at all: import them first
    ['handoff', 'mql_stage']
    >>> lacking(["handoff"], {"mql_stage": True, "handoff": True}, {})
    []
    """
    groups = list(groups)
    bases = [b for g in groups for b in BUILDS_ON.get(g, ()) if not month_groups.get(b, True)]
    own = [g for g in groups if not month_groups.get(g, False)]
    return import_first(dict.fromkeys([*bases, *own]), anywhere)


def import_first(groups: Iterable[str], anywhere: Mapping[str, bool]) -> list[str]:
    """Measure groups a month cannot answer, what no month has first (``anywhere``:
    :func:`answerable`): the first one's reason says what to import.

    >>> import_first(["funnel", "mql_stage"], {"funnel": True, "mql_stage": False})
    ['mql_stage', 'funnel']
    """
    return sorted(groups, key=lambda g: anywhere.get(g, False))


def share_reasons(conversion: pl.DataFrame, *, lang: Lang = "en") -> dict[str, str]:
    """Period rate -> why it is no share: its numerator outnumbers its denominator.

    A period rate is the ratio of two volumes of one month (spec/metrics.md), so leads
    that reach a stage without passing the one before it in the month (Salesforce leads
    that skip the MQL status) make it exceed 100 %: it then has no Wilson interval and
    no KPI verdict ("MQLs that sales qualifies: 300 %, met" is not what the data says).

    Parameters
    ----------
    conversion : DataFrame
        One row per rate: ``metric``, ``x``, ``n`` (:func:`analytics.funnel.period_rates`).

    Returns
    -------
    dict: metric -> one sentence in ``lang``, only for the rates with ``x > n``.

    >>> rates = pl.DataFrame({"metric": ["mql_to_sql", "lead_to_mql"], "x": [3, 1], "n": [1, 4]})
    >>> share_reasons(rates)["mql_to_sql"][:32], list(share_reasons(rates))
    ('More SQLs (3) than MQLs (1) this', ['mql_to_sql'])
    """
    from analytics.funnel import PERIOD_RATES

    out = {}
    # the columns as lists, not a select: a page asks this for each of its tiles
    rows = zip(*(conversion.get_column(c).to_list() for c in ("metric", "x", "n")), strict=True)
    for metric, x, n in rows:
        if metric in PERIOD_RATES and x is not None and n is not None and x > n:
            if metric == "visitor_to_lead":  # visitors pass no stage: leads come from elsewhere
                out[metric] = render("coverage.not_a_share_visitors", lang=lang, x=x, n=n)
                continue
            above, below = (render(f"count.{v}", lang=lang) for v in PERIOD_RATES[metric])
            out[metric] = render(
                "coverage.not_a_share", lang=lang, above=above, below=below, x=x, n=n
            )
    return out


#: The KPIs the sales touches answer (their groups need ``sales_touches``): after the
#: touches stopped (:func:`touch_horizon`) some of them are unknown.
TOUCH_KPIS: frozenset[str] = frozenset(
    metric
    for metric, groups in KPI_GROUPS.items()
    if any("sales_touches" in GROUPS[g].needs for g in groups)
)


def touch_reasons(
    values: Mapping[str, Any], *, stopped: date | None, lang: Lang = "en"
) -> dict[str, str]:
    """KPI metric -> why it has no value since the touches stopped on ``stopped``
    (:func:`touch_horizon`): the touch KPIs (:data:`TOUCH_KPIS`) whose value is None.

    >>> touch_reasons({"stale_leads": None, "handoff_compliance": 0.8},
    ...               stopped=date(2026, 9, 15))["stale_leads"][:48]
    'The last sales touch recorded is from 2026-09-15'
    >>> touch_reasons({"stale_leads": None}, stopped=None)
    {}
    """
    if stopped is None:
        return {}
    text = render(
        "coverage.touches_stopped", lang=lang, day=day(stopped, lang), n=STOPPED_AFTER_WORKING_DAYS
    )
    return {m: text for m in sorted(TOUCH_KPIS) if m in values and values[m] is None}


def to_json(frame: pl.DataFrame) -> dict[str, dict[str, Any]]:
    """The ``coverage`` object of ``sla info --json`` (spec/cli.md).

    >>> to_json(empty_coverage())["handoff"]["needs"]
    ['sales_touches']
    """
    return {
        r["group"]: {
            "measurable": bool(r["measurable"]),
            "from": r["from"].isoformat() if r["from"] else None,
            "to": r["to"].isoformat() if r["to"] else None,
            "needs": list(r["needs"] or []),
            "reason": r["reason"],
        }
        for r in frame.iter_rows(named=True)
    }


def month_days(
    month: str, as_of: datetime | None, *, timezone: str | MonthZones = "UTC"
) -> tuple[int, int]:
    """(days begun at ``as_of``, days in the month) of a month in ``timezone`` (with a
    :class:`~analytics.timeframe.MonthZones`, its own zone; in the hours it runs on past its
    last day, to the next month's start in another zone, all of them).

    A month that has ended at ``as_of`` (or without ``as_of``) has all its days begun.

    >>> from datetime import UTC
    >>> month_days("2026-11", datetime(2026, 11, 10, 12, tzinfo=UTC), timezone="Europe/Berlin")
    (10, 30)
    >>> month_days("2026-10", datetime(2026, 11, 10, tzinfo=UTC))
    (31, 31)
    """
    window = month_window(month, timezone=timezone)
    total = (window.last_day - window.first_day).days + 1
    if as_of is None or as_utc(as_of) >= window.end:
        return total, total
    if as_utc(as_of) < window.start:
        return 0, total
    local = as_utc(as_of).astimezone(ZoneInfo(window.timezone)).date()
    return min((local - window.first_day).days + 1, total), total


def is_running(month: str, as_of: datetime | None, *, timezone: str | MonthZones = "UTC") -> bool:
    """True when ``month`` has not ended at ``as_of``.

    >>> from datetime import UTC
    >>> is_running("2026-11", datetime(2026, 11, 30, 23, 30, tzinfo=UTC), timezone="Europe/Berlin")
    False
    """
    if as_of is None:
        return False
    return as_utc(as_of) < month_window(month, timezone=timezone).end


def last_complete_month(
    as_of: datetime | None, *, timezone: str | MonthZones = "UTC"
) -> str | None:
    """The last month that has ended at ``as_of`` in ``timezone`` (the default month; with
    a :class:`~analytics.timeframe.MonthZones`, the month before the one whose span holds
    ``as_of``).

    >>> from datetime import UTC
    >>> last_complete_month(datetime(2026, 12, 1, 0, 30, tzinfo=UTC), timezone="Europe/Berlin")
    '2026-11'
    >>> last_complete_month(datetime(2026, 11, 30, 22, 30, tzinfo=UTC), timezone="UTC")
    '2026-10'
    """
    if as_of is None:
        return None
    return shift_month(MonthZones.of(timezone).month_at(as_of), -1)


def review_months(
    lead_months: Sequence[str], as_of: datetime | None, *, timezone: str | MonthZones = "UTC"
) -> list[str]:
    """The months a review can be opened on, newest first: every month from the first with
    leads, or the default month (:func:`last_complete_month`) when that is earlier, to the
    month of ``as_of`` (running). A month without leads is still a month (deals closed,
    or nothing the data can answer, said so): the app offers what ``sla review`` accepts.

    >>> from datetime import UTC
    >>> review_months(["2018-05", "2018-03"], datetime(2018, 7, 17, tzinfo=UTC))
    ['2018-07', '2018-06', '2018-05', '2018-04', '2018-03']
    >>> review_months(["2026-12"], datetime(2026, 12, 5, tzinfo=UTC))  # the default month first
    ['2026-12', '2026-11']
    >>> review_months(["2026-10"], None)
    ['2026-10']
    """
    if as_of is None:
        return list(lead_months)
    last = MonthZones.of(timezone).month_at(as_of)
    first = min([*lead_months, last_complete_month(as_of, timezone=timezone)])
    out, month = [], last
    while month >= first:
        out.append(month)
        month = shift_month(month, -1)
    return out


def within_coverage(
    frame: pl.LazyFrame,
    column: str,
    *,
    group: str,
    coverage: pl.DataFrame,
    timezone: str = "UTC",
) -> pl.LazyFrame:
    """The rows of ``frame`` that group ``group`` can judge: those whose ``column`` (a UTC
    timestamp) falls on a day, in ``timezone``, inside the span its data covers (the
    ``from`` and ``to`` of :func:`coverage`); none when the group is not measurable.

    Across a whole history (a notebook's analysis, not a month), an MQL from before the
    first sales touch was tracked is unknown, not missed (spec/coverage.md, "Coverage in
    time").

    >>> c = pl.DataFrame({"group": ["handoff"], "measurable": [True],
    ...                   "from": [date(2026, 3, 2)], "to": [date(2026, 6, 30)]})
    >>> eps = pl.LazyFrame({"started_at": [datetime(2026, 3, 1, 23, 30), datetime(2026, 3, 2, 8),
    ...                                    datetime(2026, 7, 1, 9)]},
    ...                    schema={"started_at": pl.Datetime("us", "UTC")})
    >>> within_coverage(eps, "started_at", group="handoff", coverage=c,
    ...                 timezone="Europe/Berlin").collect()["started_at"].dt.day().to_list()
    [1, 2]
    """
    rows = _rows_by_group(coverage)
    row = rows.get(group)
    if row is None or not row["measurable"] or row["from"] is None:
        return frame.filter(pl.lit(False))
    local_day = pl.col(column).dt.convert_time_zone(timezone).dt.date()
    return frame.filter(local_day.is_between(row["from"], row["to"]))


def _unnamed_rep() -> pl.Expr:
    """A rep without a name: none, or its id as in exports that only know ids (``b9f3``,
    ``rep-03``); an id that is a person's name (HubSpot's owners: ``Tom Berg``, words
    without digits) is one."""
    name = pl.col("name")
    person = name.str.contains(r"^[^\d\s]+(?:\s+[^\d\s]+)+$")
    return name.is_null() | ((name == pl.col("rep_id")) & ~person)


def rep_display_names(reps: pl.LazyFrame) -> pl.LazyFrame:
    """The reps with a name to show: a rep without one (null, or its id as in exports that
    only know ids) is "Rep 1", "Rep 2" ..., numbered by ``rep_id`` (stable per id).

    >>> reps = pl.LazyFrame({"rep_id": ["b9f3", "a1c2", "r7", "Tom Berg"],
    ...                      "name": ["b9f3", None, "Rita", "Tom Berg"]})
    >>> rep_display_names(reps).collect().rows()
    [('b9f3', 'Rep 2'), ('a1c2', 'Rep 1'), ('r7', 'Rita'), ('Tom Berg', 'Tom Berg')]
    """
    unnamed = _unnamed_rep()
    rank = pl.col("rep_id").rank("dense").over(unnamed).cast(pl.Int64)
    label = pl.format("Rep {}", rank)
    return reps.with_columns(
        pl.when(unnamed).then(label).otherwise(pl.col("name")).alias("name")
    ).select("rep_id", "name", pl.all().exclude("rep_id", "name"))


__all__ = [
    "BREACH_GROUPS",
    "BUILDS_ON",
    "COUNTED_STAGES",
    "COVERAGE_SCHEMA",
    "EXTENT_SCHEMA",
    "GROUPS",
    "KNOWN_AMOUNT",
    "KPI_GROUPS",
    "LEAD_GROUP",
    "LIFECYCLE_STOPPED_AFTER_WORKING_DAYS",
    "MARKERS",
    "MQL_ONLY_TRIGGER",
    "OPEN_EPISODE_KPIS",
    "PERIOD_STARTS",
    "STAGE_GROUPS",
    "STOPPED_AFTER_WORKING_DAYS",
    "STOP_EPISODE_KPIS",
    "TOUCH_KPIS",
    "UNDATED_TRIGGER",
    "VOLUME_KPIS",
    "WON_ONLY_TRIGGER",
    "Group",
    "Horizons",
    "amounts_known",
    "answerable",
    "calendar_day",
    "coverage",
    "empty_coverage",
    "gaps",
    "horizons",
    "import_first",
    "is_running",
    "known_coverage",
    "kpi_reasons",
    "lacking",
    "lacking_groups",
    "last_complete_month",
    "lifecycle_cut",
    "lifecycle_reason",
    "lifecycle_reasons",
    "lifecycle_stopped",
    "month_coverage",
    "month_days",
    "period_coverage",
    "period_reason",
    "reason",
    "rep_display_names",
    "review_months",
    "share_reasons",
    "stopped_since",
    "stored_coverage",
    "to_json",
    "touch_horizon",
    "touch_reasons",
    "touches_tracked_until",
    "unpriced_months",
    "within_coverage",
]
