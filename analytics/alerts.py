"""At risk now: the SLA's deadlines as of a moment, before they are missed.

The monthly review judges an MQL episode after the fact; an alert names the same
episode while there is still time. Every alert uses the review's own definitions
(:mod:`analytics.episodes`, :mod:`analytics.handoff`, :mod:`analytics.cadence`), so an
episode alerted as overdue is the one the review will judge missed.

Kinds of alert, each ``overdue`` (the deadline has passed) or ``at_risk`` (it falls
within the horizon):

- ``first_touch``: an open MQL episode without a sales touch. Its deadline is the last
  instant a first touch is in time on the episode's line
  (:func:`analytics.handoff.first_touch_lines`, calendar or business hours);
  ``overdue`` exactly when :func:`~analytics.handoff.speed_to_lead` says ``missed``;
  ``at_risk`` when the deadline is within ``within_hours``.
- ``cadence``: an open episode, touched but not reached, inside its cadence window.
  ``cadence.min_attempts`` spaced attempts are due over ``cadence.window_days``, evenly:
  attempt ``k + 1`` is due ``window_days * (k + 1) / min_attempts`` after the MQL, ``k``
  being the spaced attempts made so far. Behind schedule (``overdue``) once that moment
  has passed; ``at_risk`` when it is within ``within_hours``. (Untouched episodes are
  first-touch alerts.)
- ``stale``: an open episode with ``recycle.after_attempts`` unanswered attempts, no
  answer, and no ``sql``, ``opportunity`` or ``customer`` since its start
  (:func:`~analytics.handoff.stale_candidates`); stale (the review's
  :func:`~analytics.handoff.stale_leads`) ``recycle.grace_days`` after its last attempt:
  ``overdue`` when it is, ``at_risk`` when that moment is within ``within_days``. To do:
  reach the lead, or hand it back to marketing.
- ``nurture_enrolment``: a recycled lead not yet enrolled in nurture
  (:func:`~analytics.handoff.recycled_enrollment`): due ``recycle.enroll_within_days``
  after the recycle; ``overdue`` when ``missing``, ``at_risk`` when due within
  ``within_days``.

Overdue alerts older than ``lookback_days`` (by their deadline) are left to the review.
Coverage: alerts on touches need the ``sales_touches`` table, enrolment alerts the
``nurture_enrollments`` table; without one, its alerts are not raised at all (missing
data is never a verdict), and :func:`alert_coverage` says why. Nor are they where the
review could not list the breaches they warn of (:data:`BREACHES`: stale leads and
recycled leads' enrolment need recycled lifecycle events, as in the review). Touches that stopped
(none at all on :data:`STOPPED_AFTER_WORKING_DAYS` working days before ``as_of``: an
export that no longer carries them, not a quiet weekend) say nothing about the deadlines
since: their alerts are not raised either, and :func:`touches_stopped` names the last day
with one. Nor are they when the lifecycle events stopped while the touches or the new leads
went on (:func:`analytics.coverage.lifecycle_stopped`: none on
:data:`~analytics.coverage.LIFECYCLE_STOPPED_AFTER_WORKING_DAYS` working days): an episode
alert reads that no SQL, recycle or disqualification ended the episode yet, and after the
last lifecycle event the data cannot say so (:data:`EPISODE_KINDS`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any, Literal, NamedTuple, get_args

import polars as pl

from analytics import cadence as cad
from analytics import handoff as ho
from analytics.config import SlaConfig
from analytics.coverage import (
    BREACH_GROUPS,
    GROUPS,
    LIFECYCLE_STOPPED_AFTER_WORKING_DAYS,
    STOPPED_AFTER_WORKING_DAYS,
    answerable,
    horizons,
    known_coverage,
    lifecycle_stopped,
    rep_display_names,
    touch_horizon,
    touches_tracked_until,
)
from analytics.coverage import reason as coverage_reason
from analytics.episodes import episode_touches, episodes_of, with_touch_stats
from analytics.schema import UTC_TIMESTAMP
from analytics.tables import Tables
from analytics.texts import Lang, day, render, term
from analytics.texts import moment as utc_minute
from analytics.timeframe import Window, as_utc, utc_lit

AlertKind = Literal["first_touch", "cadence", "stale", "nurture_enrolment"]
ALERT_KINDS: tuple[str, ...] = get_args(AlertKind)
AlertStatus = Literal["overdue", "at_risk"]
ALERT_STATUSES: tuple[str, ...] = get_args(AlertStatus)
#: The horizons ``sla alerts`` and the At risk page start from (hours; days).
DEFAULT_WITHIN_HOURS = 8.0
DEFAULT_WITHIN_DAYS = 3.0

#: What each kind needs (a table with at least one row at ``as_of``).
NEEDS: dict[str, str] = {
    "first_touch": "sales_touches",
    "cadence": "sales_touches",
    "stale": "sales_touches",
    "nurture_enrolment": "nurture_enrollments",
}

#: The review's breach list each kind warns of before it is one. A kind is raised only where
#: the review can list those breaches: where the data answers their measure groups
#: (:data:`analytics.coverage.BREACH_GROUPS`, the review's rule, read from the data's
#: coverage), else its alert would be a verdict the review says the data cannot give (a
#: lead "going stale" where no recycle was ever imported: handed back or left lying?).
BREACHES: dict[str, str] = {
    "first_touch": "handoff",
    "cadence": "cadence",
    "stale": "stale_leads",
    "nurture_enrolment": "recycled_not_enrolled",
}
#: Per kind, the measure groups of :data:`BREACHES` its own table (:data:`NEEDS`) does not
#: answer alone: ``recycling`` for stale leads, ``recycled_stage`` for enrolments.
BEYOND_TABLE: dict[str, tuple[str, ...]] = {
    kind: tuple(g for g in BREACH_GROUPS[breach] if GROUPS[g].needs != (NEEDS[kind],))
    for kind, breach in BREACHES.items()
}
#: What :func:`alert_coverage` names for a kind whose table has rows but a group of
#: :data:`BEYOND_TABLE` the data cannot answer: the table without the rows it needs (the
#: recycled events).
GROUP_TABLE = "lifecycle_events"
#: The kinds raised on an open MQL episode: each reads that no lifecycle event ended it
#: (no ``sql``, ``recycled`` or ``disqualified`` yet, nor, for stale, an ``opportunity`` or
#: ``customer``), so lifecycle events that stopped
#: (:func:`analytics.coverage.lifecycle_stopped`) leave them unjudged. A nurture enrolment
#: alert reads a recycle that came and the enrolments, not a stage change that did not.
EPISODE_KINDS: tuple[str, ...] = ("first_touch", "cadence", "stale")
#: What :func:`alert_coverage` names for an episode kind when the lifecycle events stopped.
EVENTS_TABLE = "lifecycle_events"

#: Columns of :func:`alerts`, in order.
ALERT_COLUMNS: tuple[str, ...] = (
    "kind",
    "status",
    "lead_id",
    "episode",
    "company",
    "rep_id",
    "rep_name",
    "team",
    "started_at",
    "deadline_at",
    "deadline_local",
    "hours_left",
    "attempts",
    "attempts_due",
    "line_hours",
    "clock",
    "track",
)

_SCHEMA: dict[str, pl.DataType] = {
    "kind": pl.String(),
    "status": pl.String(),
    "lead_id": pl.String(),
    "episode": pl.Int64(),
    "rep_id": pl.String(),
    "started_at": UTC_TIMESTAMP,
    "deadline_at": UTC_TIMESTAMP,
    "attempts": pl.Int64(),
    "attempts_due": pl.Int64(),
    "line_hours": pl.Float64(),
    "clock": pl.String(),
    "track": pl.String(),
}


def _rep_names(t: Tables) -> pl.LazyFrame:
    """``rep_id``, ``rep_name``, ``team``: each rep as every page names it ("Rep 1" ... for
    a rep whose export knows no name, :func:`analytics.coverage.rep_display_names`)."""
    return rep_display_names(t.reps).select("rep_id", pl.col("name").alias("rep_name"), "team")


def _hours(delta: pl.Expr) -> pl.Expr:
    return delta.dt.total_seconds(fractional=True) / 3600.0


def _shape(frame: pl.LazyFrame) -> pl.LazyFrame:
    """The common columns of every kind (missing ones null)."""
    present = frame.collect_schema().names()
    return frame.select(
        (pl.col(c) if c in present else pl.lit(None)).cast(dtype).alias(c)
        for c, dtype in _SCHEMA.items()
    )


def alert_coverage(
    tables: Tables, *, as_of: datetime, config: SlaConfig | None = None
) -> dict[str, str | None]:
    """Which kinds of alert the data can raise: kind -> None, or the table that is missing
    (with ``config``: also the touches' table when they stopped, :func:`touches_stopped`,
    and :data:`EVENTS_TABLE` for the episode kinds when the lifecycle events stopped,
    :func:`analytics.coverage.lifecycle_stopped`), or :data:`GROUP_TABLE` when the review
    could not list the kind's breaches (:func:`lacking_group`: stale leads without any
    recycled event).

    >>> alert_coverage(Tables.empty(), as_of=datetime(2026, 11, 1))["first_touch"]
    'sales_touches'
    """
    return judged_kinds(tables, as_of=as_of, config=config).covered


class Judged(NamedTuple):
    """What :func:`judged_kinds` finds: which kinds can be raised, and why not."""

    #: kind -> None, or the table it lacks (:func:`alert_coverage`)
    covered: dict[str, str | None]
    #: the day of the last sales touch when the touches stopped (:func:`touches_stopped`)
    touches_stopped: date | None
    #: the day of the last lifecycle event when they stopped
    #: (:func:`analytics.coverage.lifecycle_stopped`)
    lifecycle_stopped: date | None


def judged_kinds(tables: Tables, *, as_of: datetime, config: SlaConfig | None = None) -> Judged:
    """:func:`alert_coverage` and, with ``config``, the days the touches
    (:func:`touches_stopped`) and the lifecycle events
    (:func:`analytics.coverage.lifecycle_stopped`) stopped, from one look at the tables.

    Parameters
    ----------
    tables : Tables
        The warehouse's tables.
    as_of : datetime
        The moment "now".
    config : SlaConfig, optional
        The SLA in force: its handoff calendar counts the working days without touches or
        lifecycle events; without it neither is looked for.

    Returns
    -------
    Judged
        ``covered`` (kind -> None or the table it lacks), ``touches_stopped`` and
        ``lifecycle_stopped`` (a day, or None while current).

    Examples
    --------
    >>> judged_kinds(Tables.empty(), as_of=datetime(2026, 11, 1)).touches_stopped is None
    True
    """
    t = tables.until(as_of)
    needed = sorted(set(NEEDS.values()))
    counts = pl.concat(
        [
            getattr(t, n).select(pl.len().alias("n")).with_columns(pl.lit(n).alias("t"))
            for n in needed
        ]
    ).collect()
    present = {row["t"] for row in counts.iter_rows(named=True) if row["n"] > 0}
    stopped = events_stopped = None
    if config is not None:  # the last touch read once for both rules, as the review does
        horizon = horizons(tables, as_of=as_of, config=config)
        stopped, events_stopped = horizon.touches_stopped, horizon.lifecycle_stopped
        if stopped is not None:  # (a stop needs a touch: the table is present)
            present.discard("sales_touches")
    covered = {kind: (None if table in present else table) for kind, table in NEEDS.items()}
    if events_stopped is not None:  # "no SQL, recycle or disqualification yet": unknown
        for kind in EPISODE_KINDS:
            covered[kind] = covered[kind] or EVENTS_TABLE
    if any(table is None for table in covered.values()):  # the review's rule for the rest
        groups = answerable(known_coverage(tables, config=config, as_of=as_of))
        for kind, table in covered.items():
            if table is None and lacking_group(kind, groups) is not None:
                covered[kind] = GROUP_TABLE
    return Judged(covered, stopped, events_stopped)


def dated_after_import(
    tables: Tables, missing: Mapping[str, str | None], *, as_of: datetime
) -> dict[str, datetime]:
    """Of the tables the kinds not raised lack (``missing``, kind -> table, as
    :func:`alert_coverage` gives it), those whose rows are all dated after the latest import
    (``tables.loaded_at``), each with that import's time: not an empty table, rows a later
    import will know (a mistyped year). Only at or after the import (``as_of`` is capped
    at it by default): before it, rows after ``as_of`` may be older than the import.

    >>> import dataclasses
    >>> from datetime import UTC
    >>> t = Tables.from_rows(sales_touches=[
    ...     {"touch_id": "x", "lead_id": "a", "rep_id": "r", "channel": "phone",
    ...      "occurred_at": "2027-01-04T09:00Z", "outcome": "no_answer"}])
    >>> at = datetime(2026, 12, 6, 7, 45, tzinfo=UTC)
    >>> t = dataclasses.replace(t, loaded_at=at)
    >>> missing = {"first_touch": "sales_touches", "nurture_enrolment": "nurture_enrollments"}
    >>> dated_after_import(t, missing, as_of=at)
    {'sales_touches': datetime.datetime(2026, 12, 6, 7, 45, tzinfo=datetime.timezone.utc)}
    """
    imported = tables.loaded_at
    if imported is None or as_utc(as_of) < as_utc(imported):
        return {}
    names = sorted({t for kind, t in missing.items() if t is not None and t == NEEDS[kind]})
    if not names:
        return {}
    known = tables.until(as_of)
    counts = pl.collect_all(
        [getattr(frames, n).select(pl.len()) for frames in (tables, known) for n in names]
    )
    rows = [frame.item() for frame in counts]
    return {
        n: imported
        for n, whole, then in zip(names, rows[: len(names)], rows[len(names) :], strict=True)
        if whole > 0 and then == 0
    }


def lacking_group(kind: str, groups: Mapping[str, bool]) -> str | None:
    """The first measure group of :data:`BEYOND_TABLE` (of the breaches kind ``kind``
    warns of) that ``groups`` (group -> answerable, :func:`analytics.coverage.answerable`)
    cannot answer; None when all can.

    >>> lacking_group("stale", {"recycling": False}), lacking_group("stale", {})
    ('recycling', None)
    >>> lacking_group("nurture_enrolment", {"nurture": True, "recycled_stage": False})
    'recycled_stage'
    """
    return next((g for g in BEYOND_TABLE[kind] if not groups.get(g, True)), None)


def touches_stopped(tables: Tables, *, as_of: datetime, config: SlaConfig) -> date | None:
    """The day of the last sales touch when the touches have stopped at ``as_of``, as the
    review judges it (:func:`analytics.coverage.touch_horizon`); None while they are
    current, or when there is none.

    >>> from analytics.config import load_config
    >>> cfg = load_config("data/sla.toml")
    >>> t = Tables.from_rows(sales_touches=[
    ...     {"touch_id": "x", "lead_id": "a", "rep_id": "r", "channel": "phone",
    ...      "occurred_at": "2026-11-20T12:00Z", "outcome": "no_answer"}])  # a Friday
    >>> touches_stopped(t, as_of=datetime(2026, 11, 23, 9), config=cfg) is None  # Monday
    True
    >>> touches_stopped(t, as_of=datetime(2026, 12, 4, 9), config=cfg)
    datetime.date(2026, 11, 20)
    """
    return touch_horizon(tables, as_of=as_of, config=config)[0]


def not_judged_lines(
    missing: Mapping[str, str | None],
    *,
    stopped: date | None,
    events_stopped: date | None = None,
    after_import: Mapping[str, datetime] | None = None,
    lang: Lang = "en",
) -> list[str]:
    """Why kinds of alert are not raised, one sentence each, as ``sla alerts``, the At risk
    page and ``sla notify`` say it.

    Parameters
    ----------
    missing : mapping
        Kind -> the table it lacks (:func:`alert_coverage`; None: raised).
    stopped : date or None
        The day of the last sales touch when the touches stopped (:func:`touches_stopped`):
        one sentence for all their kinds.
    events_stopped : date or None, default None
        The day of the last lifecycle event when they stopped
        (:func:`analytics.coverage.lifecycle_stopped`): one sentence for all the episode
        kinds (:data:`EPISODE_KINDS`).
    after_import : mapping, optional
        Tables whose rows are all dated after the latest import, with its time
        (:func:`dated_after_import`): said to be so, not to have no rows.
    lang : {"en", "de"}, default "en"

    Returns
    -------
    list of str: one sentence per reason (none when every kind is raised).

    Examples
    --------
    >>> not_judged_lines({"nurture_enrolment": "nurture_enrollments"}, stopped=None)[0][:36]
    'No “Nurture enrolment” alerts: the n'
    >>> not_judged_lines({"first_touch": "sales_touches", "cadence": "sales_touches"},
    ...                  stopped=date(2026, 11, 20))[0][:61]
    'No first-touch, cadence or stale alerts: the last sales touch'
    >>> not_judged_lines({"first_touch": "sales_touches"}, stopped=None,
    ...     after_import={"sales_touches": datetime(2026, 12, 6, 7, 45)})[0][:75]
    'No “First touch” alerts: the sales_touches rows are all dated after the lat'
    >>> lines = not_judged_lines(dict.fromkeys(EPISODE_KINDS, "lifecycle_events"),
    ...                          stopped=None, events_stopped=date(2026, 10, 16))
    >>> len(lines), lines[0][:84]
    (1, 'No first-touch, cadence or stale alerts: the last lifecycle event recorded is from 2')
    """
    later = after_import or {}
    lines, touch_kinds = [], {k for k, table in NEEDS.items() if table == "sales_touches"}
    unraised = {k for k, t in missing.items() if t}
    if stopped is not None and touch_kinds & unraised:
        lines.append(
            render(
                "alert.touches_stopped",
                lang=lang,
                day=day(stopped, lang),
                n=STOPPED_AFTER_WORKING_DAYS,
            )
        )
    if events_stopped is not None and set(EPISODE_KINDS) & unraised:
        lines.append(
            render(
                "alert.lifecycle_stopped",
                lang=lang,
                day=day(events_stopped, lang),
                n=LIFECYCLE_STOPPED_AFTER_WORKING_DAYS,
            )
        )
    for kind, table in missing.items():
        if events_stopped is not None and kind in EPISODE_KINDS and table == EVENTS_TABLE:
            continue  # said above: the lifecycle events stopped
        if table and table != NEEDS[kind]:  # its table is there, not the review's group
            group = BEYOND_TABLE[kind][0]  # one a kind (stale: recycling)
            lines.append(
                render(
                    "alert.not_measurable",
                    lang=lang,
                    kind=term("alert_kind", kind, lang=lang),
                    reason=coverage_reason(group, lang=lang),
                )
            )
        elif table in later:
            lines.append(
                render(
                    "alert.after_import",
                    lang=lang,
                    kind=term("alert_kind", kind, lang=lang),
                    table=table,
                    imported=utc_minute(later[table], lang),
                )
            )
        elif table and not (stopped is not None and kind in touch_kinds):
            lines.append(
                render(
                    "alert.not_covered",
                    lang=lang,
                    kind=term("alert_kind", kind, lang=lang),
                    table=table,
                )
            )
    return lines


def none_judged_lines(
    missing: Mapping[str, str | None],
    *,
    stopped: date | None,
    events_stopped: date | None = None,
    after_import: Mapping[str, datetime] | None = None,
    lang: Lang = "en",
) -> list[str]:
    """Why no kind of alert is raised (every kind is in ``missing``): nothing is known to be
    overdue, at risk or in time, as ``sla alerts`` and ``sla notify``'s summary say it.
    The tables without rows are named together, as are those whose rows are all dated
    after the latest import (``after_import``, :func:`dated_after_import`); touches or
    lifecycle events that stopped (``stopped``, ``events_stopped``) say so
    (:func:`not_judged_lines`).

    >>> none_judged_lines(dict.fromkeys(ALERT_KINDS, "sales_touches"), stopped=None)[0][:58]
    'No kind of alert can be judged: the sales_touches tables h'
    >>> missing = {**dict.fromkeys(ALERT_KINDS[:3], "sales_touches"),
    ...            "nurture_enrolment": "nurture_enrollments"}
    >>> lines = none_judged_lines(missing, stopped=None,
    ...     after_import={"sales_touches": datetime(2026, 12, 6, 7, 45)})
    >>> len(lines), lines[0][36:115]
    (2, 'sales_touches rows are all dated after the latest import (2026-12-06 07:45 UTC)')
    >>> lines[1][:54]
    'No “Nurture enrolment” alerts: the nurture_enrollments'
    """
    if stopped is not None or events_stopped is not None:
        return not_judged_lines(
            missing,
            stopped=stopped,
            events_stopped=events_stopped,
            after_import=after_import,
            lang=lang,
        )
    later = after_import or {}
    tables = list(dict.fromkeys(t for t in missing.values() if t))
    if not any(t in later for t in tables):
        return [render("alert.none_judged", lang=lang, tables=tables)]
    ahead = [t for t in tables if t in later]
    imported = utc_minute(later[ahead[0]], lang)
    lines = [render("alert.none_judged_after_import", lang=lang, tables=ahead, imported=imported)]
    empty = {kind: t for kind, t in missing.items() if t and t not in later}
    return lines + not_judged_lines(empty, stopped=None, lang=lang)


def _status(deadline: pl.Expr, as_of: pl.Expr, horizon: timedelta) -> pl.Expr:
    return (
        pl.when(deadline < as_of)
        .then(pl.lit("overdue"))
        .when(deadline <= as_of + horizon)
        .then(pl.lit("at_risk"))
    )


def _first_touch(
    t: Tables, open_eps: pl.LazyFrame, *, config: SlaConfig, as_of: datetime, horizon: timedelta
) -> pl.LazyFrame:
    segments = ho.segments_for_lines(t, config=config)
    speed = ho.speed_to_lead(
        open_eps, t.sales_touches, config=config, as_of=as_of, segments=segments
    )
    as_of_lit = utc_lit(as_of)
    status = (
        pl.when(pl.col("status") == "missed")
        .then(pl.lit("overdue"))
        .when(pl.col("deadline_at") <= as_of_lit + horizon)
        .then(pl.lit("at_risk"))
    )
    return _shape(
        speed.filter(pl.col("first_touch_at").is_null())
        .with_columns(
            pl.lit("first_touch").alias("kind"),
            status.alias("status"),
            pl.col("owner_rep_id").alias("rep_id"),
            pl.lit(0, dtype=pl.Int64).alias("attempts"),
            pl.lit(1, dtype=pl.Int64).alias("attempts_due"),
        )
        .filter(pl.col("status").is_not_null())
    )


def _cadence(
    stats: pl.LazyFrame,
    touches: pl.LazyFrame,
    *,
    config: SlaConfig,
    as_of: datetime,
    horizon: timedelta,
) -> pl.LazyFrame:
    c = config.cadence
    judged = cad.cadence_episodes(stats, touches, config=config, as_of=as_of)
    step_us = float(c.window_days) * 86400e6 / c.min_attempts
    due = pl.col("started_at") + pl.duration(
        microseconds=((pl.col("spaced_attempts") + 1) * step_us).round().cast(pl.Int64)
    )
    return _shape(
        judged.filter(
            ~pl.col("is_judged")
            & ~pl.col("is_reached")
            & (pl.col("attempts") > 0)
            & (pl.col("spaced_attempts") < c.min_attempts)
        )
        .with_columns(due.alias("deadline_at"))
        .with_columns(
            pl.lit("cadence").alias("kind"),
            _status(pl.col("deadline_at"), utc_lit(as_of), horizon).alias("status"),
            pl.col("owner_rep_id").alias("rep_id"),
            pl.col("spaced_attempts").alias("attempts"),
            (pl.col("spaced_attempts") + 1).cast(pl.Int64).alias("attempts_due"),
        )
        .filter(pl.col("status").is_not_null())
    )


def _stale(
    stats: pl.LazyFrame,
    lifecycle_events: pl.LazyFrame,
    *,
    config: SlaConfig,
    as_of: datetime,
    horizon: timedelta,
) -> pl.LazyFrame:
    grace = timedelta(days=float(config.recycle.grace_days))
    as_of_lit = utc_lit(as_of)
    stale_now = ho.stale_leads(stats, lifecycle_events, config=config, as_of=as_of).select(
        "lead_id", "episode", pl.lit("overdue").alias("status")
    )
    candidates = ho.stale_candidates(
        stats, lifecycle_events, config=config, as_of=as_of
    ).with_columns((pl.col("last_touch_at") + grace).alias("deadline_at"))
    soon = candidates.filter(
        (pl.col("deadline_at") >= as_of_lit) & (pl.col("deadline_at") <= as_of_lit + horizon)
    ).select("lead_id", "episode", pl.lit("at_risk").alias("status"))
    flagged = pl.concat([stale_now, soon]).unique(["lead_id", "episode"], keep="first")
    return _shape(
        candidates.join(flagged, on=["lead_id", "episode"], how="inner").with_columns(
            pl.lit("stale").alias("kind"),
            pl.col("owner_rep_id").alias("rep_id"),
            pl.col("unanswered").alias("attempts"),
        )
    )


def _enrolment(
    t: Tables, *, config: SlaConfig, as_of: datetime, horizon: timedelta, lookback: timedelta
) -> pl.LazyFrame:
    days = timedelta(days=float(config.recycle.enroll_within_days))
    moment = as_utc(as_of)
    start = moment - lookback - days
    window = Window(
        label="alerts",
        start=start,
        end=moment + timedelta(microseconds=1),
        first_day=start.date(),
        last_day=moment.date(),
    )
    enrol = ho.recycled_enrollment(
        t.lifecycle_events, t.nurture_enrollments, config=config, window=window, as_of=as_of
    )
    owners = t.leads.select("lead_id", pl.col("owner_rep_id").alias("rep_id"))
    deadline = pl.col("recycled_at") + days
    return _shape(
        enrol.filter(pl.col("status").is_in(["pending", "missing"]))
        .with_columns(
            deadline.alias("deadline_at"),
            pl.col("recycled_at").alias("started_at"),
            pl.lit("nurture_enrolment").alias("kind"),
            pl.lit(config.recycle.track).alias("track"),
        )
        .with_columns(
            pl.when(pl.col("status") == "missing")
            .then(pl.lit("overdue"))
            .when(pl.col("deadline_at") <= utc_lit(as_of) + horizon)
            .then(pl.lit("at_risk"))
            .alias("status")
        )
        .filter(pl.col("status").is_not_null())
        .join(owners, on="lead_id", how="left")
    )


#: The order of :func:`alerts`: overdue first, then the nearest deadline.
_ALERT_ORDER: tuple[pl.Expr | str, ...] = (
    pl.col("status") != "overdue",
    "hours_left",
    "kind",
    "lead_id",
    "episode",
)


def alerts(
    tables: Tables,
    *,
    config: SlaConfig,
    as_of: datetime,
    within_hours: float = DEFAULT_WITHIN_HOURS,
    within_days: float = DEFAULT_WITHIN_DAYS,
    lookback_days: float = 30.0,
    kinds: Sequence[AlertKind] | None = None,
) -> pl.LazyFrame:
    """What is at risk or overdue at ``as_of``: one row per alert.

    Parameters
    ----------
    tables : Tables
        The warehouse's tables (cut at ``as_of`` here).
    config : SlaConfig
        The SLA in force (its handoff lines, cadence, recycle rules and calendar).
    as_of : datetime
        The moment "now".
    within_hours : float, default 8
        Horizon of first-touch and cadence alerts: a deadline this close is at risk.
    within_days : float, default 3
        Horizon of stale and nurture-enrolment alerts.
    lookback_days : float, default 30
        Overdue alerts whose deadline passed longer ago are left to the review.
    kinds : sequence of AlertKind, optional
        The kinds to raise; default every kind the data covers (:func:`alert_coverage`).

    Returns
    -------
    LazyFrame, one row per alert (columns :data:`ALERT_COLUMNS`): ``kind``, ``status``
    (``overdue`` / ``at_risk``), ``lead_id``, ``episode`` (null for enrolment),
    ``company`` (the account's name), ``rep_id`` (the lead's owner), ``rep_name``,
    ``team``, ``started_at`` (the MQL, or the recycle), ``deadline_at`` (UTC),
    ``deadline_local`` (in ``handoff.calendar.timezone``), ``hours_left`` (calendar
    hours from ``as_of``; negative when overdue), ``attempts`` (spaced attempts for
    cadence, unanswered for stale), ``attempts_due`` (the attempt now due),
    ``line_hours`` and ``clock`` (first touch), ``track`` (enrolment). Overdue first,
    then the nearest deadline.

    Examples
    --------
    An MQL on Friday 2026-10-02 at 15:00 UTC without a touch: on the 24 h line it is
    due on Saturday 15:00; at 09:00 that day it is at risk within 8 hours.

    >>> from analytics.config import load_config
    >>> t = Tables.from_rows(
    ...     lifecycle_events=[{"lead_id": "a", "stage": "mql", "entered_at": "2026-10-02T15:00Z"}],
    ...     sales_touches=[{"touch_id": "x", "lead_id": "b", "rep_id": "r", "channel": "phone",
    ...                     "occurred_at": "2026-10-02T12:00Z", "outcome": "connected"}])
    >>> a = alerts(t, config=load_config("data/sla.toml"), as_of=datetime(2026, 10, 3, 9))
    >>> a.select("kind", "status", "lead_id", "hours_left").collect().rows()
    [('first_touch', 'at_risk', 'a', 6.0)]

    Touches that stopped on 22 September (nothing since on eight working days) cannot tell
    whether the MQL of 2 October was touched: no alert; a weekend without touches can.

    >>> early = Tables.from_rows(lifecycle_events=t.lifecycle_events.collect().to_dicts(),
    ...     sales_touches=t.sales_touches.with_columns(
    ...         pl.col("occurred_at").dt.offset_by("-10d")).collect().to_dicts())
    >>> alerts(early, config=load_config("data/sla.toml"), as_of=datetime(2026, 10, 3, 9)
    ...        ).collect().height
    0
    """
    moment = as_utc(as_of)
    if kinds is None:
        covered = alert_coverage(tables, as_of=moment, config=config)
        kinds = [k for k in ALERT_KINDS if covered[k] is None]
    kinds = _check_kinds(kinds)
    if within_hours < 0 or within_days < 0 or lookback_days < 0:
        raise ValueError("within_hours, within_days and lookback_days must be at least 0")
    hours = timedelta(hours=within_hours)
    days = timedelta(days=within_days)
    lookback = timedelta(days=lookback_days)
    t = tables.until(moment)
    parts: list[pl.LazyFrame] = []
    if {"first_touch", "cadence", "stale"} & set(kinds):
        open_eps = episodes_of(t).filter(pl.col("ended_at").is_null())
        if "first_touch" in kinds:
            parts.append(_first_touch(t, open_eps, config=config, as_of=moment, horizon=hours))
        if {"cadence", "stale"} & set(kinds):
            touches = episode_touches(open_eps, t.sales_touches, as_of=moment)
            stats = with_touch_stats(open_eps, touches)
            if "cadence" in kinds:
                parts.append(_cadence(stats, touches, config=config, as_of=moment, horizon=hours))
            if "stale" in kinds:
                parts.append(
                    _stale(stats, t.lifecycle_events, config=config, as_of=moment, horizon=days)
                )
    if "nurture_enrolment" in kinds:
        parts.append(_enrolment(t, config=config, as_of=moment, horizon=days, lookback=lookback))
    if not parts:
        parts.append(pl.LazyFrame(schema=_SCHEMA))
    as_of_lit = utc_lit(moment)
    companies = t.leads.join(t.accounts, on="account_id", how="left").select(
        "lead_id", pl.col("name").alias("company")
    )
    reps = _rep_names(t)
    tz = config.handoff.calendar.timezone
    return (
        pl.concat(parts)
        .filter((pl.col("status") == "at_risk") | (pl.col("deadline_at") >= as_of_lit - lookback))
        .join(companies, on="lead_id", how="left")
        .join(reps, on="rep_id", how="left")
        .with_columns(
            pl.col("deadline_at").dt.convert_time_zone(tz).alias("deadline_local"),
            _hours(pl.col("deadline_at") - as_of_lit).alias("hours_left"),
        )
        .select(ALERT_COLUMNS)
        .sort(*_ALERT_ORDER, nulls_last=True)
    )


def new_mqls(
    tables: Tables, *, config: SlaConfig, as_of: datetime, since_hours: float = 24.0
) -> pl.LazyFrame:
    """MQL episodes started in the last ``since_hours`` and not touched yet: the handoffs
    to announce to their owners.

    Returns
    -------
    LazyFrame, one row per episode: ``lead_id``, ``episode``, ``company``, ``rep_id``,
    ``rep_name``, ``team``, ``trigger``, ``started_at``, ``line_hours``, ``clock``,
    ``deadline_at``, ``deadline_local``; oldest first. Empty without a touches table
    (nothing could say the lead was touched).

    Examples
    --------
    >>> from analytics.config import load_config
    >>> t = Tables.from_rows(
    ...     lifecycle_events=[{"lead_id": "a", "stage": "mql", "entered_at": "2026-10-02T15:00Z"}],
    ...     sales_touches=[{"touch_id": "x", "lead_id": "b", "rep_id": "r", "channel": "phone",
    ...                     "occurred_at": "2026-10-01T12:00Z", "outcome": "connected"}])
    >>> new = new_mqls(t, config=load_config("data/sla.toml"), as_of=datetime(2026, 10, 3, 9))
    >>> new.select("lead_id", "line_hours").collect().rows()
    [('a', 24.0)]
    """
    moment = as_utc(as_of)
    t = tables.until(moment)
    columns = ("lead_id", "episode", "company", "rep_id", "rep_name", "team", "trigger",
               "started_at", "line_hours", "clock", "deadline_at", "deadline_local")  # fmt: skip
    if alert_coverage(tables, as_of=moment, config=config)["first_touch"] is not None:
        return pl.LazyFrame(
            schema={c: (UTC_TIMESTAMP if c.endswith("_at") else pl.String) for c in columns}
        ).with_columns(
            pl.col("episode").cast(pl.Int64),
            pl.col("line_hours").cast(pl.Float64),
            pl.col("deadline_at").alias("deadline_local"),
        )
    since = utc_lit(moment) - timedelta(hours=since_hours)
    open_eps = episodes_of(t).filter(pl.col("ended_at").is_null() & (pl.col("started_at") > since))
    segments = ho.segments_for_lines(t, config=config)
    speed = ho.speed_to_lead(
        open_eps, t.sales_touches, config=config, as_of=moment, segments=segments
    )
    companies = t.leads.join(t.accounts, on="account_id", how="left").select(
        "lead_id", pl.col("name").alias("company")
    )
    reps = _rep_names(t)
    return (
        speed.filter(pl.col("first_touch_at").is_null())
        .with_columns(pl.col("owner_rep_id").alias("rep_id"))
        .join(companies, on="lead_id", how="left")
        .join(reps, on="rep_id", how="left")
        .with_columns(
            pl.col("deadline_at")
            .dt.convert_time_zone(config.handoff.calendar.timezone)
            .alias("deadline_local")
        )
        .select(columns)
        .sort("started_at", "lead_id")
    )


def _check_kinds(kinds: Iterable[str]) -> list[str]:
    """``kinds`` as a list, or a ValueError naming the unknown ones and the allowed ones."""
    kinds = list(kinds)
    unknown = [k for k in kinds if k not in ALERT_KINDS]
    if unknown:
        raise ValueError(f"unknown alert kind(s) {unknown}; allowed: {', '.join(ALERT_KINDS)}")
    return kinds


def alerts_by_rep(alerts_frame: pl.LazyFrame, *, unknown: Iterable[str] = ()) -> pl.LazyFrame:
    """Alerts per rep: overdue and at risk in total and per kind.

    Parameters
    ----------
    alerts_frame : LazyFrame
        Alerts (:func:`alerts`).
    unknown : iterable of AlertKind, default none
        The kinds the data cannot judge (:func:`alert_coverage`, e.g. no nurture
        enrollments): their column is null, not 0 (missing data is never a verdict).

    Returns
    -------
    LazyFrame, one row per rep with an alert: ``rep_id``, ``rep_name``, ``team``,
    ``overdue``, ``at_risk``, ``total``, then ``<kind>`` (alerts of each kind; null for
    a kind in ``unknown``); most overdue first (ties by rep id; a lead without owner has
    a null ``rep_id``, last).

    Examples
    --------
    >>> a = pl.LazyFrame({"rep_id": ["r1", "r1", "r2"], "rep_name": ["A", "A", "B"],
    ...                   "team": "sdr", "kind": ["first_touch", "stale", "cadence"],
    ...                   "status": ["overdue", "at_risk", "at_risk"]})
    >>> alerts_by_rep(a).select("rep_id", "overdue", "at_risk", "total").collect().rows()
    [('r1', 1, 1, 2), ('r2', 0, 1, 1)]
    >>> by_rep = alerts_by_rep(a, unknown=["nurture_enrolment"]).collect()
    >>> by_rep.select("stale", "nurture_enrolment").rows()
    [(1, None), (0, None)]
    """
    unknown = set(_check_kinds(unknown))
    status = pl.col("status")

    def of_kind(kind: str) -> pl.Expr:
        counted = pl.lit(None, pl.Int64) if kind in unknown else (pl.col("kind") == kind).sum()
        return counted.cast(pl.Int64).alias(kind)

    return (
        alerts_frame.group_by("rep_id", "rep_name", "team")
        .agg(
            (status == "overdue").sum().cast(pl.Int64).alias("overdue"),
            (status == "at_risk").sum().cast(pl.Int64).alias("at_risk"),
            pl.len().cast(pl.Int64).alias("total"),
            *[of_kind(k) for k in ALERT_KINDS],
        )
        .sort("overdue", "rep_id", descending=[True, False], nulls_last=True)
    )


def alert_counts(
    alerts_frame: pl.DataFrame, *, missing: Mapping[str, str | None]
) -> dict[str, int | None]:
    """Overdue and at-risk alerts in all: what ``sla alerts`` and the At risk page count.

    Parameters
    ----------
    alerts_frame : DataFrame
        Alerts (:func:`alerts`, collected).
    missing : mapping
        Kind -> the table it lacks (:func:`alert_coverage`; kinds mapped to None, or left
        out, can be judged).

    Returns
    -------
    dict: ``overdue``, ``at_risk`` (:data:`ALERT_STATUSES`): the number of alerts, or
    None for both when no kind of alert can be judged (nothing at risk would be a verdict
    the data cannot give).

    Examples
    --------
    >>> a = pl.DataFrame({"kind": ["first_touch"], "status": ["overdue"]})
    >>> alert_counts(a, missing={"nurture_enrolment": "nurture_enrollments"})
    {'overdue': 1, 'at_risk': 0}
    >>> alert_counts(a.clear(), missing=dict.fromkeys(ALERT_KINDS, "sales_touches"))
    {'overdue': None, 'at_risk': None}
    """
    judged = [k for k in ALERT_KINDS if missing.get(k) is None]
    if not judged:
        return dict.fromkeys(ALERT_STATUSES, None)
    status = alerts_frame["status"]
    return {s: int((status == s).sum()) for s in ALERT_STATUSES}


def at_risk_now(
    tables: Tables,
    *,
    config: SlaConfig,
    as_of: datetime,
    within_hours: float = DEFAULT_WITHIN_HOURS,
    within_days: float = DEFAULT_WITHIN_DAYS,
    partitions: int | None = None,
) -> dict[str, Any]:
    """What the At risk page shows: every alert the data covers, per rep, and what is not
    covered (stored at import for the default horizons, :mod:`analytics.precompute`).

    Parameters
    ----------
    tables, config, as_of, within_hours, within_days
        As :func:`alerts`.
    partitions : int, optional
        Raise the alerts in this many parts of leads
        (:meth:`~analytics.tables.Tables.partitions`, by its default):
        an alert is its own lead's, so the parts' alerts are all of them, in the memory of
        one part.

    Returns
    -------
    dict: ``alerts`` (:func:`alerts`, collected), ``by_rep`` (:func:`alerts_by_rep`, the
    kinds not raised null), ``counts`` (:func:`alert_counts`), ``missing`` (kind -> the
    table it lacks, only for the kinds not raised: no verdict), ``after_import`` (those of
    its tables whose rows are all dated after the latest import, with its time,
    :func:`dated_after_import`), ``touches_stopped`` (the day of the last sales touch
    when the touches stopped, :func:`touches_stopped`) and ``lifecycle_stopped`` (the day
    of the last lifecycle event when they stopped,
    :func:`analytics.coverage.lifecycle_stopped`: no episode kind is raised).

    Examples
    --------
    >>> from analytics.config import load_config
    >>> t = Tables.from_rows(
    ...     lifecycle_events=[{"lead_id": "a", "stage": "mql", "entered_at": "2026-10-02T15:00Z"}])
    >>> now = at_risk_now(t, config=load_config("data/sla.toml"), as_of=datetime(2026, 10, 3))
    >>> now["alerts"].height, now["missing"]["first_touch"], now["counts"]
    (0, 'sales_touches', {'overdue': None, 'at_risk': None})
    """
    covered, stopped, events_stopped = judged_kinds(tables, as_of=as_of, config=config)
    kinds: list[AlertKind] = [k for k in ALERT_KINDS if covered[k] is None]  # type: ignore[misc]
    per_part = [
        alerts(
            part,
            config=config,
            as_of=as_of,
            within_hours=within_hours,
            within_days=within_days,
            kinds=kinds,
        ).collect()
        for part in tables.partitions(partitions)
    ]
    frame = pl.concat(per_part).sort(*_ALERT_ORDER, nulls_last=True)
    missing = {k: v for k, v in covered.items() if v is not None}
    return {
        "alerts": frame,
        "by_rep": alerts_by_rep(frame.lazy(), unknown=missing).collect(),
        "counts": alert_counts(frame, missing=missing),
        "missing": missing,
        "after_import": dated_after_import(tables, missing, as_of=as_of),
        "touches_stopped": stopped,
        "lifecycle_stopped": events_stopped,
    }


def local_time(value: datetime | None, lang: Lang = "en") -> str:
    """A local deadline for people: ``2026-04-07 11:00 CEST`` / ``07.04.2026 11:00 CEST``.

    >>> from zoneinfo import ZoneInfo
    >>> local_time(datetime(2026, 4, 7, 11, tzinfo=ZoneInfo("Europe/Berlin")), "de")
    '07.04.2026 11:00 CEST'
    """
    if value is None:
        return "–"
    return f"{day(value, lang)} {value:%H:%M} {value:%Z}".rstrip()


def alert_todo(alert: Mapping[str, Any], *, config: SlaConfig, lang: Lang = "en") -> str:
    """What to do about one alert (a row of :func:`alerts`), in ``lang``.

    >>> from analytics.config import load_config
    >>> alert_todo({"kind": "cadence", "attempts_due": 2, "deadline_local": None},
    ...            config=load_config("data/sla.toml"))
    'Attempt 2 of 6 by – (at least 4 h after the last)'
    """
    kind = alert["kind"]
    deadline = local_time(alert.get("deadline_local"), lang)
    if kind == "cadence":
        c = config.cadence
        return render(
            "alert.todo.cadence",
            lang=lang,
            n=alert["attempts_due"],
            m=c.min_attempts,
            deadline=deadline,
            gap=float(c.min_gap_hours),
        )
    if kind == "nurture_enrolment":
        track = alert.get("track")
        if not track:
            return render("alert.todo.nurture_enrolment_any", lang=lang, deadline=deadline)
        return render(
            "alert.todo.nurture_enrolment",
            lang=lang,
            deadline=deadline,
            track=config.track_name(track, lang),
        )
    return render(f"alert.todo.{kind}", lang=lang, deadline=deadline)


def warnings_effect(
    log: pl.LazyFrame, speed: pl.LazyFrame, *, by: Sequence[str] = ("owner_rep_id",)
) -> pl.LazyFrame:
    """Did the warnings work? Episodes warned before their first-touch deadline, and how
    many of them were touched in time.

    An episode counts as warned when ``sla notify`` sent its owner a new-MQL handoff or a
    first-touch alert (``status`` sent) before the deadline of that alert; the alert is
    the episode's by its lead and that deadline (an episode's number changes when a
    re-import adds an earlier MQL to its lead).

    Parameters
    ----------
    log : LazyFrame
        The send log (:func:`analytics.warehouse.notifications.notification_log`).
    speed : LazyFrame
        :func:`analytics.handoff.speed_to_lead` of the episodes judged (e.g. a month's).
    by : sequence of str, default ("owner_rep_id",)
        Grouping columns of ``speed``; empty: one row in total.

    Returns
    -------
    LazyFrame, one row per group: [``by``...], ``warned``, ``met`` (touched in time),
    ``missed``, ``pending``, ``x`` (met), ``n`` (met + missed), ``rate``, ``ci_low``,
    ``ci_high``.

    Examples
    --------
    >>> from datetime import UTC
    >>> t0 = datetime(2026, 10, 1, tzinfo=UTC)
    >>> log = pl.LazyFrame({"kind": ["new_mql", "alert.first_touch.at_risk", "new_mql"],
    ...     "lead_id": ["a", "b", "c"], "episode": [1, 1, 1], "status": "sent",
    ...     "sent_at": [t0, t0, t0 + timedelta(days=2)], "deadline_at": t0 + timedelta(days=1)})
    >>> speed = pl.LazyFrame({"lead_id": ["a", "b", "c"], "episode": [1, 1, 1],
    ...     "owner_rep_id": "r", "status": ["met", "missed", "met"],
    ...     "deadline_at": t0 + timedelta(days=1)})
    >>> warnings_effect(log, speed).select("warned", "met", "missed").collect().row(0)
    (2, 1, 1)
    """
    from analytics.stats import rate_columns

    warned = (
        log.filter(
            (pl.col("status") == "sent")
            & ((pl.col("kind") == "new_mql") | pl.col("kind").str.starts_with("alert.first_touch."))
            & (pl.col("sent_at") <= pl.col("deadline_at"))
        )
        .select("lead_id", "deadline_at")
        .unique()
    )
    joined = speed.join(warned, on=["lead_id", "deadline_at"], how="semi")
    status = pl.col("status")
    aggs = [
        pl.len().cast(pl.Int64).alias("warned"),
        (status == "met").sum().cast(pl.Int64).alias("met"),
        (status == "missed").sum().cast(pl.Int64).alias("missed"),
        (status == "pending").sum().cast(pl.Int64).alias("pending"),
    ]
    grouped = joined.group_by(list(by)).agg(aggs).sort(list(by)) if by else joined.select(aggs)
    return (
        grouped.with_columns(
            pl.col("met").alias("x"), (pl.col("met") + pl.col("missed")).alias("n")
        )
        .with_columns(*rate_columns("x", "n", prefix="_"))
        .rename({"_rate": "rate", "_ci_low": "ci_low", "_ci_high": "ci_high"})
    )


__all__ = [
    "ALERT_COLUMNS",
    "ALERT_KINDS",
    "ALERT_STATUSES",
    "DEFAULT_WITHIN_DAYS",
    "DEFAULT_WITHIN_HOURS",
    "EPISODE_KINDS",
    "EVENTS_TABLE",
    "LIFECYCLE_STOPPED_AFTER_WORKING_DAYS",
    "NEEDS",
    "STOPPED_AFTER_WORKING_DAYS",
    "AlertKind",
    "AlertStatus",
    "Judged",
    "alert_counts",
    "alert_coverage",
    "alert_todo",
    "alerts",
    "alerts_by_rep",
    "at_risk_now",
    "dated_after_import",
    "judged_kinds",
    "lifecycle_stopped",
    "local_time",
    "new_mqls",
    "none_judged_lines",
    "not_judged_lines",
    "touches_stopped",
    "touches_tracked_until",
    "warnings_effect",
]
