"""The two handoffs: marketing -> sales (speed to lead, acceptance) and back (recycling).

Definitions (spec/metrics.md):

- Speed to lead, per MQL episode starting at ``t``: first touch = the earliest sales
  touch of the lead at or after ``t``; **met** if the hours to it are at most
  ``handoff.first_touch_hours``; **missed** if more, or if there is no touch and more
  than that has passed at ``as_of``; **pending** otherwise. Hours are calendar hours,
  or business hours of ``handoff.calendar`` when ``handoff.business_hours`` is set.
  Compliance = met / (met + missed).
- Acceptance: an episode is accepted at its first ``sal`` inside it; it is *rejected*
  when it ended ``disqualified`` or ``recycled`` without a ``sal``.
- Recycling: a ``recycled`` event is **premature** when it ends an episode in which the
  lead was not reached and fewer than ``recycle.after_attempts`` attempts were made. A
  lead is **stale** at ``as_of`` when its open episode has at least that many unanswered
  attempts, the last more than ``recycle.grace_days`` old, the lead was never reached in
  it, and it has not advanced: no ``sql``, ``opportunity`` or ``customer`` event since the
  episode started (an export may skip the SQL stage); ``sal`` is not advancing (an
  accepted lead left unanswered is still sales' to work). Recycled or disqualified end the
  episode.
  A recycled lead should be enrolled in nurture within ``recycle.enroll_within_days``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal

import polars as pl

from analytics.business_hours import (
    business_deadline,
    business_hours_between,
    calendar_holidays,
    calendar_hours_between,
)
from analytics.config import SlaConfig
from analytics.stats import rate_columns
from analytics.tables import Tables, one_of
from analytics.timeframe import Window, as_utc, utc_lit, week_of

HandoffStatus = Literal["met", "missed", "pending"]
HANDOFF_STATUSES: tuple[str, ...] = ("met", "missed", "pending")
HandoffGrouping = Literal["rep", "team", "week"]
EnrollmentStatus = Literal["in_time", "late", "missing", "pending"]


def _ts(moment: datetime) -> pl.Expr:
    return utc_lit(as_utc(moment))


def line_segments(
    leads: pl.LazyFrame, accounts: pl.LazyFrame, reps: pl.LazyFrame, *, config: SlaConfig
) -> pl.LazyFrame:
    """Each lead's values of the segments a handoff line may name.

    Returns
    -------
    LazyFrame, one row per lead: ``lead_id``, ``source``, ``country``, ``size_band``,
    ``team`` (of the lead's owner rep).
    """
    from analytics.funnel import lead_segments

    teams = reps.select(pl.col("rep_id").alias("owner_rep_id"), "team")
    return (
        lead_segments(leads, accounts, config=config)
        .join(teams, on="owner_rep_id", how="left")
        .select("lead_id", "source", "country", "size_band", "team")
    )


def segments_for_lines(tables: Tables, *, config: SlaConfig) -> pl.LazyFrame | None:
    """:func:`line_segments` of the tables when a handoff line names a segment, else None.

    >>> from analytics.config import load_config
    >>> segments_for_lines(Tables.empty(), config=load_config("data/sla.toml")) is None
    True
    """
    if not any(k != "trigger" for line in config.handoff.lines for k in line.conditions):
        return None
    return line_segments(tables.leads, tables.accounts, tables.reps, config=config)


def first_touch_lines(
    episodes: pl.LazyFrame, *, config: SlaConfig, segments: pl.LazyFrame | None = None
) -> pl.LazyFrame:
    """The first-touch line each episode is judged against (``[[handoff.lines]]``).

    The line whose conditions all hold and that sets the most of them wins; of two that
    set as many, the one listed first. No line matching: the default,
    ``handoff.first_touch_hours`` on the clock of ``handoff.business_hours``.

    Parameters
    ----------
    episodes : LazyFrame
        With ``lead_id`` and ``trigger`` (:func:`analytics.episodes.mql_episodes`).
    config : SlaConfig
    segments : LazyFrame, optional
        :func:`line_segments`; needed only when a line names a segment.

    Returns
    -------
    The episodes with ``line`` (index into ``handoff.lines``; null: the default line),
    ``line_hours`` and ``is_business_hours``.

    Examples
    --------
    >>> from analytics.config import HandoffLine, load_config
    >>> cfg = load_config("data/sla.toml")
    >>> demo = HandoffLine(name="Demo request", trigger="demo_request", first_touch_hours=1)
    >>> cfg = cfg.model_copy(update={"handoff": cfg.handoff.model_copy(update={"lines": [demo]})})
    >>> eps = pl.LazyFrame({"lead_id": ["a", "b"], "trigger": ["demo_request", None]})
    >>> first_touch_lines(eps, config=cfg).select("line", "line_hours").collect().rows()
    [(0, 1.0), (None, 24.0)]
    """
    h = config.handoff
    lines = list(enumerate(h.lines))
    needed = sorted({k for _, line in lines for k in line.conditions if k != "trigger"})
    out = episodes
    if needed:
        if segments is None:
            raise ValueError(
                f"handoff.lines name the segment(s) {', '.join(needed)}: pass "
                "segments=line_segments(leads, accounts, reps, config=config)"
            )
        out = out.join(segments.select("lead_id", *needed), on="lead_id", how="left")
    line: pl.Expr = pl.lit(None, dtype=pl.Int64)
    hours: pl.Expr = pl.lit(float(h.first_touch_hours))
    business: pl.Expr = pl.lit(h.business_hours)
    # Weakest first: a later (more specific, or listed earlier) line overrides.
    for i, ln in sorted(lines, key=lambda item: (len(item[1].conditions), -item[0])):
        cond = pl.lit(True)
        for key, value in ln.conditions.items():
            cond = cond & (pl.col(key) == value).fill_null(False)
        is_bh = h.business_hours if ln.business_hours is None else ln.business_hours
        line = pl.when(cond).then(pl.lit(i, dtype=pl.Int64)).otherwise(line)
        hours = pl.when(cond).then(pl.lit(float(ln.first_touch_hours))).otherwise(hours)
        business = pl.when(cond).then(pl.lit(is_bh)).otherwise(business)
    return out.with_columns(
        line.alias("line"),
        hours.cast(pl.Float64).alias("line_hours"),
        business.cast(pl.Boolean).alias("is_business_hours"),
    ).drop(needed)


def _uses_business_hours(config: SlaConfig) -> bool:
    h = config.handoff
    return h.business_hours or any(ln.business_hours for ln in h.lines)


def speed_to_lead(
    episodes: pl.LazyFrame,
    sales_touches: pl.LazyFrame,
    *,
    config: SlaConfig,
    as_of: datetime,
    with_business_hours: bool | None = None,
    segments: pl.LazyFrame | None = None,
) -> pl.LazyFrame:
    """Speed to lead per MQL episode: hours to the first touch and met / missed / pending.

    Each episode is judged against its line (:func:`first_touch_lines`): the default
    ``handoff.first_touch_hours``, or the most specific ``[[handoff.lines]]`` entry.

    Parameters
    ----------
    episodes : LazyFrame
        From :func:`analytics.episodes.mql_episodes` (usually those of one month).
    sales_touches : LazyFrame
        The ``sales_touches`` table (cut at ``as_of``).
    config : SlaConfig
        ``handoff.first_touch_hours``, ``handoff.business_hours``, ``handoff.calendar``,
        ``handoff.lines``.
    as_of : datetime
        The moment of judgement: a touch after it does not exist yet.
    with_business_hours : bool, optional
        Also compute ``business_hours`` (needs the public-holiday calendar, about a
        second to load once). Default: only when a line counts business hours;
        otherwise the column is null.
    segments : LazyFrame, optional
        :func:`line_segments`, needed when a line names a segment.

    Returns
    -------
    LazyFrame, one row per episode: ``lead_id``, ``episode``, ``started_at``, ``trigger``,
    ``owner_rep_id``, ``first_touch_at``, ``first_touch_rep_id``, ``calendar_hours`` and
    ``business_hours`` (to the first touch, null without one), ``hours_to_first_touch``
    (the judged clock), ``hours_elapsed`` (judged clock from the start to the first touch
    or to ``as_of``), ``status`` (met / missed / pending), ``hours_over`` (how far past
    the deadline a missed episode is: to its first touch or, untouched, to its end or
    ``as_of``, at least 0; null unless missed), ``line`` (index into
    ``handoff.lines``, null for the default line), ``line_hours``, ``clock``
    (``business`` or ``calendar``), ``deadline_at`` (the last instant a first touch is
    in time), ``ended_at`` and ``end_stage`` (of the episode).

    Examples
    --------
    >>> from analytics.config import load_config
    >>> from analytics.episodes import mql_episodes
    >>> from analytics.tables import Tables
    >>> t = Tables.from_rows(
    ...     lifecycle_events=[
    ...         {"lead_id": "a", "stage": "mql", "entered_at": "2026-10-01T09:00Z"},
    ...         {"lead_id": "b", "stage": "mql", "entered_at": "2026-10-01T09:00Z"}],
    ...     sales_touches=[{"touch_id": "t", "lead_id": "a", "rep_id": "r", "channel": "phone",
    ...                     "occurred_at": "2026-10-01T12:00Z", "outcome": "no_answer"}])
    >>> s = speed_to_lead(mql_episodes(t.lifecycle_events, t.leads), t.sales_touches,
    ...                   config=load_config("data/sla.toml"), as_of=datetime(2026, 10, 1, 20))
    >>> s.select("lead_id", "hours_to_first_touch", "status").sort("lead_id").collect().rows()
    [('a', 3.0, 'met'), ('b', None, 'pending')]
    """
    as_of_lit = _ts(as_of)
    judge_business = _uses_business_hours(config)
    business = judge_business if with_business_hours is None else with_business_hours
    business = business or judge_business
    touches = (
        sales_touches.filter(pl.col("occurred_at") <= as_of_lit)
        .join(episodes.select("lead_id").unique(), on="lead_id", how="semi")
        .select(
            "lead_id",
            pl.col("occurred_at").alias("first_touch_at"),
            pl.col("rep_id").alias("first_touch_rep_id"),
        )
        .sort("first_touch_at")
    )
    eps = first_touch_lines(
        episodes.select(
            "lead_id", "episode", "started_at", "ended_at", "end_stage", "trigger", "owner_rep_id"
        ),
        config=config,
        segments=segments,
    ).sort("started_at")
    joined = eps.join_asof(
        touches,
        left_on="started_at",
        right_on="first_touch_at",
        by="lead_id",
        strategy="forward",
        coalesce=False,
        check_sortedness=False,
    )
    cal = config.handoff.calendar
    reached = pl.coalesce(pl.col("first_touch_at"), as_of_lit)
    # how late a missed episode is: an untouched one is late until it ended, when it left
    # sales' queue (disqualified after 27 h is 3 h late, not late for as long as it stays so)
    left = pl.coalesce(pl.col("first_touch_at"), pl.min_horizontal("ended_at", as_of_lit))
    if business:
        holidays = calendar_holidays(cal)
        bh_touch = business_hours_between(
            "started_at", "first_touch_at", calendar=cal, holidays=holidays
        )
        bh_elapsed = business_hours_between("started_at", reached, calendar=cal, holidays=holidays)
        bh_late = business_hours_between("started_at", left, calendar=cal, holidays=holidays)
    else:
        bh_touch = pl.lit(None, dtype=pl.Float64).alias("business_hours")
        bh_elapsed = bh_late = pl.lit(None, dtype=pl.Float64)
    calendar_deadline = pl.col("started_at") + pl.duration(
        microseconds=(pl.col("line_hours") * 3.6e9).round().cast(pl.Int64)
    )
    if judge_business:
        deadline = (
            pl.when(pl.col("is_business_hours"))
            .then(business_deadline("started_at", "line_hours", calendar=cal, holidays=holidays))
            .otherwise(calendar_deadline)
        )
    else:
        deadline = calendar_deadline
    out = joined.with_columns(
        calendar_hours_between("started_at", "first_touch_at"),
        bh_touch,
        calendar_hours_between("started_at", reached).alias("_cal_elapsed"),
        bh_elapsed.alias("_bh_elapsed"),
        calendar_hours_between("started_at", left).alias("_cal_late"),
        bh_late.alias("_bh_late"),
        deadline.alias("deadline_at"),
    )
    is_bh = pl.col("is_business_hours")
    limit = pl.col("line_hours")
    has_touch = pl.col("first_touch_at").is_not_null()
    status = (
        pl.when(pl.col("hours_elapsed") > limit)
        .then(pl.lit("missed"))
        .when(has_touch)
        .then(pl.lit("met"))
        .otherwise(pl.lit("pending"))
    )
    return (
        out.with_columns(
            pl.when(is_bh)
            .then(pl.col("business_hours"))
            .otherwise(pl.col("calendar_hours"))
            .alias("hours_to_first_touch"),
            pl.when(is_bh)
            .then(pl.col("_bh_elapsed"))
            .otherwise(pl.col("_cal_elapsed"))
            .alias("hours_elapsed"),
        )
        .with_columns(status.alias("status"))
        .with_columns(
            pl.when(pl.col("status") == "missed")
            .then(
                (
                    pl.when(is_bh).then(pl.col("_bh_late")).otherwise(pl.col("_cal_late")) - limit
                ).clip(lower_bound=0.0)
            )
            .alias("hours_over"),
            pl.when(is_bh).then(pl.lit("business")).otherwise(pl.lit("calendar")).alias("clock"),
        )
        .select(
            "lead_id",
            "episode",
            "started_at",
            "trigger",
            "owner_rep_id",
            "first_touch_at",
            "first_touch_rep_id",
            "calendar_hours",
            "business_hours",
            "hours_to_first_touch",
            "hours_elapsed",
            "status",
            "hours_over",
            "line",
            "line_hours",
            "clock",
            "deadline_at",
            "ended_at",
            "end_stage",
        )
    )


def _handoff_aggs() -> list[pl.Expr]:
    status = pl.col("status")
    return [
        pl.len().cast(pl.Int64).alias("episodes"),
        (status == "met").sum().cast(pl.Int64).alias("met"),
        (status == "missed").sum().cast(pl.Int64).alias("missed"),
        (status == "pending").sum().cast(pl.Int64).alias("pending"),
        pl.col("hours_to_first_touch").median().alias("median_hours_to_first_touch"),
        pl.col("hours_to_first_touch")
        .quantile(0.9, interpolation="linear")
        .alias("p90_hours_to_first_touch"),
    ]


def handoff_summary(
    speed: pl.LazyFrame,
    *,
    by: Sequence[str] = (),
) -> pl.LazyFrame:
    """Met / missed / pending and compliance of speed-to-lead rows, optionally grouped.

    Parameters
    ----------
    speed : LazyFrame
        From :func:`speed_to_lead` (plus any grouping columns).
    by : sequence of str
        Grouping columns; empty: one row in total (also when there are no episodes).

    Returns
    -------
    LazyFrame, one row per group: [``by``...], ``episodes``, ``met``, ``missed``,
    ``pending``, ``median_hours_to_first_touch``, ``p90_hours_to_first_touch``, ``x``
    (met), ``n`` (met + missed), ``compliance``, ``ci_low``, ``ci_high``.

    Examples
    --------
    >>> s = pl.LazyFrame({"status": ["met", "missed", "pending", "met"],
    ...                   "hours_to_first_touch": [2.0, 30.0, None, 4.0]})
    >>> handoff_summary(s).select("met", "missed", "pending", "compliance",
    ...                          "median_hours_to_first_touch").collect().row(0)
    (2, 1, 1, 0.6666666666666666, 4.0)
    """
    aggs = _handoff_aggs()
    grouped = speed.group_by(list(by)).agg(aggs) if by else speed.select(aggs)
    return (
        grouped.with_columns(
            pl.col("met").alias("x"), (pl.col("met") + pl.col("missed")).alias("n")
        )
        .with_columns(*rate_columns("x", "n", prefix="_"))
        .rename({"_rate": "compliance", "_ci_low": "ci_low", "_ci_high": "ci_high"})
    )


def handoff_by(
    speed: pl.LazyFrame,
    *,
    by: HandoffGrouping,
    reps: pl.LazyFrame | None = None,
    timezone: str = "UTC",
) -> pl.LazyFrame:
    """Speed-to-lead summary by rep (the episode's owner), team, or week of the MQL.

    Parameters
    ----------
    speed : LazyFrame
        From :func:`speed_to_lead`.
    by : {"rep", "team", "week"}
    reps : LazyFrame, optional
        The ``reps`` table (for the rep's name and team).
    timezone : str
        The reporting time zone (weeks start on Monday there).

    Returns
    -------
    LazyFrame: ``rep_id`` + ``rep_name`` + ``team`` (by rep), ``team`` (by team) or
    ``week`` (a date), then the columns of :func:`handoff_summary`, sorted.
    """
    if by not in ("rep", "team", "week"):
        raise ValueError(f"unknown grouping {by!r}; allowed: rep, team, week")
    if by == "week":
        return handoff_summary(
            speed.with_columns(week_of("started_at", timezone=timezone).alias("week")),
            by=["week"],
        ).sort("week")
    rep_info = (
        reps.select("rep_id", pl.col("name").alias("rep_name"), "team")
        if reps is not None
        else pl.LazyFrame(schema={"rep_id": pl.String, "rep_name": pl.String, "team": pl.String})
    )
    with_rep = speed.with_columns(pl.col("owner_rep_id").alias("rep_id")).join(
        rep_info, on="rep_id", how="left"
    )
    if by == "rep":
        return handoff_summary(with_rep, by=["rep_id", "rep_name", "team"]).sort(
            "rep_id", nulls_last=True
        )
    return handoff_summary(with_rep, by=["team"]).sort("team", nulls_last=True)


def handoff_breaches(speed: pl.LazyFrame) -> pl.LazyFrame:
    """The missed episodes: which lead, which rep, by how many hours (largest first).

    Returns
    -------
    LazyFrame, one row per missed episode: ``lead_id``, ``episode``, ``owner_rep_id``,
    ``started_at``, ``first_touch_at``, ``hours_to_first_touch``, ``hours_over``,
    ``end_stage`` (how an untouched episode ended, null while open: its lateness stops
    there); ties by lead and episode.
    """
    return (
        speed.filter(pl.col("status") == "missed")
        .select(
            "lead_id",
            "episode",
            "owner_rep_id",
            "started_at",
            "first_touch_at",
            "hours_to_first_touch",
            "hours_over",
            pl.when(pl.col("first_touch_at").is_null()).then("end_stage").alias("end_stage"),
        )
        .sort("hours_over", "lead_id", "episode", descending=[True, False, False])
    )


def acceptance(
    episodes: pl.LazyFrame, lifecycle_events: pl.LazyFrame, *, as_of: datetime
) -> pl.LazyFrame:
    """MQL -> SAL per episode: when sales accepted it, or whether it was rejected.

    Returns
    -------
    LazyFrame, one row per episode: ``lead_id``, ``episode``, ``started_at``,
    ``owner_rep_id``, ``sal_at`` (first ``sal`` inside the episode), ``hours_to_accept``,
    ``end_stage``, ``end_reason``, ``is_rejected`` (ended disqualified or recycled
    without a ``sal``).

    Examples
    --------
    >>> from analytics.episodes import mql_episodes
    >>> from analytics.tables import Tables
    >>> t = Tables.from_rows(lifecycle_events=[
    ...     {"lead_id": "a", "stage": "mql", "entered_at": "2026-10-01T09:00Z"},
    ...     {"lead_id": "a", "stage": "sal", "entered_at": "2026-10-01T15:00Z"},
    ...     {"lead_id": "b", "stage": "mql", "entered_at": "2026-10-01T09:00Z"},
    ...     {"lead_id": "b", "stage": "disqualified", "entered_at": "2026-10-02T09:00Z",
    ...      "reason": "student"}])
    >>> acc = acceptance(mql_episodes(t.lifecycle_events, t.leads), t.lifecycle_events,
    ...                  as_of=datetime(2026, 11, 1))
    >>> acc.select("lead_id", "hours_to_accept", "is_rejected").sort("lead_id").collect().rows()
    [('a', 6.0, False), ('b', None, True)]
    """
    as_of_lit = _ts(as_of)
    sals = (
        lifecycle_events.filter((pl.col("stage") == "sal") & (pl.col("entered_at") <= as_of_lit))
        .join(episodes.select("lead_id").unique(), on="lead_id", how="semi")
        .select("lead_id", pl.col("entered_at").alias("sal_at"))
        .sort("sal_at")
    )
    eps = episodes.select(
        "lead_id", "episode", "started_at", "ended_at", "owner_rep_id", "end_stage", "end_reason"
    ).sort("started_at")
    joined = eps.join_asof(
        sals,
        left_on="started_at",
        right_on="sal_at",
        by="lead_id",
        strategy="forward",
        coalesce=False,
        check_sortedness=False,
    )
    inside = pl.col("sal_at") <= pl.coalesce(pl.col("ended_at"), as_of_lit)
    return joined.with_columns(pl.when(inside).then(pl.col("sal_at")).alias("sal_at")).select(
        "lead_id",
        "episode",
        "started_at",
        "owner_rep_id",
        "sal_at",
        calendar_hours_between("started_at", "sal_at").alias("hours_to_accept"),
        "end_stage",
        "end_reason",
        (pl.col("end_stage").is_in(["recycled", "disqualified"]) & pl.col("sal_at").is_null())
        .fill_null(False)
        .alias("is_rejected"),
    )


def acceptance_summary(accepted: pl.LazyFrame) -> pl.LazyFrame:
    """Acceptance totals: one row.

    Returns
    -------
    LazyFrame, one row: ``episodes``, ``accepted``, ``median_hours_to_accept``,
    ``x`` (rejected), ``n`` (episodes), ``rejection_rate``, ``ci_low``, ``ci_high``.
    """
    return (
        accepted.select(
            pl.len().cast(pl.Int64).alias("episodes"),
            pl.col("sal_at").is_not_null().sum().cast(pl.Int64).alias("accepted"),
            pl.col("hours_to_accept").median().alias("median_hours_to_accept"),
            pl.col("is_rejected").sum().cast(pl.Int64).alias("x"),
        )
        .with_columns(pl.col("episodes").alias("n"))
        .with_columns(*rate_columns("x", "n", prefix="_"))
        .rename({"_rate": "rejection_rate", "_ci_low": "ci_low", "_ci_high": "ci_high"})
    )


def rejection_reasons(accepted: pl.LazyFrame) -> pl.LazyFrame:
    """Why sales rejected MQLs: the reasons of the ending events of rejected episodes.

    Returns
    -------
    LazyFrame, one row per (end stage, reason): ``end_stage``, ``reason`` (null when
    undocumented), ``episodes``, ``share`` (of the rejected episodes), most frequent first.
    """
    rejected = accepted.filter(pl.col("is_rejected"))
    return (
        rejected.group_by("end_stage", pl.col("end_reason").alias("reason"))
        .agg(pl.len().cast(pl.Int64).alias("episodes"))
        .with_columns((pl.col("episodes") / pl.col("episodes").sum()).alias("share"))
        .sort("episodes", "end_stage", "reason", descending=[True, False, False], nulls_last=True)
    )


def premature_recycles(episode_stats: pl.LazyFrame, *, config: SlaConfig) -> pl.LazyFrame:
    """Recycles judged against ``recycle.after_attempts``: one row per recycled episode.

    Parameters
    ----------
    episode_stats : LazyFrame
        Episodes with touch stats (:func:`analytics.episodes.with_touch_stats`); filter
        it to the episodes ending in the month first.

    Returns
    -------
    LazyFrame, one row per episode ended by ``recycled``: ``lead_id``, ``episode``,
    ``recycled_at``, ``rep_id`` (who recycled it, else the owner), ``attempts``,
    ``is_reached``, ``is_premature``, ``attempts_short`` (how many attempts were missing).
    """
    needed = config.recycle.after_attempts
    return (
        episode_stats.filter(pl.col("end_stage") == "recycled")
        .select(
            "lead_id",
            "episode",
            pl.col("ended_at").alias("recycled_at"),
            pl.coalesce("end_actor_rep_id", "owner_rep_id").alias("rep_id"),
            "attempts",
            "is_reached",
            (~pl.col("is_reached") & (pl.col("attempts") < needed)).alias("is_premature"),
        )
        .with_columns(
            pl.when(pl.col("is_premature"))
            .then(needed - pl.col("attempts"))
            .cast(pl.Int64)
            .alias("attempts_short")
        )
    )


#: Stages that take a lead past its MQL episode: one entered at or after the episode's
#: start keeps the lead from going stale. An ``sql`` ends the episode as well; an export
#: that skips the SQL stage goes straight to ``opportunity`` or ``customer``, which do not.
#: ``sal`` is not among them: an accepted lead left unanswered is still sales' to work.
ADVANCED_STAGES: tuple[str, ...] = ("sql", "opportunity", "customer")


def stale_candidates(
    episode_stats: pl.LazyFrame,
    lifecycle_events: pl.LazyFrame,
    *,
    config: SlaConfig,
    as_of: datetime,
) -> pl.LazyFrame:
    """Open episodes that go stale once their last attempt is ``recycle.grace_days`` old.

    An episode is a candidate when it is open at ``as_of``, has at least
    ``recycle.after_attempts`` unanswered attempts, the lead was never reached in it (one
    answer, then six unanswered attempts, is not stale: the lead was worked, as a recycle
    after an answer is not premature) and the lead has not advanced: no event of
    :data:`ADVANCED_STAGES` at or after the episode's start, up to ``as_of``.

    Parameters
    ----------
    episode_stats : LazyFrame
        Episodes with touch stats (:func:`analytics.episodes.with_touch_stats`).
    lifecycle_events : LazyFrame
        The ``lifecycle_events`` table; events after ``as_of`` are ignored.

    Returns
    -------
    LazyFrame, the rows of ``episode_stats`` that are candidates (same columns).

    Examples
    --------
    Both leads have 6 unanswered attempts in an open episode; lead b reached
    ``opportunity`` without an ``sql`` event.

    >>> from datetime import UTC
    >>> from analytics.config import load_config
    >>> ts = pl.Datetime("us", "UTC")
    >>> stats = pl.LazyFrame({"lead_id": ["a", "b"], "episode": [1, 1],
    ...     "started_at": [datetime(2026, 9, 1, tzinfo=UTC)] * 2, "ended_at": [None, None],
    ...     "unanswered": [6, 6], "is_reached": [False, False]},
    ...     schema_overrides={"ended_at": ts})
    >>> events = pl.LazyFrame({"lead_id": ["b"], "stage": ["opportunity"],
    ...     "entered_at": [datetime(2026, 9, 5, tzinfo=UTC)]})
    >>> stale_candidates(stats, events, config=load_config("data/sla.toml"),
    ...                  as_of=datetime(2026, 9, 20)).collect()["lead_id"].to_list()
    ['a']
    """
    as_of_lit = _ts(as_of)
    open_unanswered = episode_stats.filter(
        pl.col("ended_at").is_null()
        & ~pl.col("is_reached")
        & (pl.col("unanswered") >= config.recycle.after_attempts)
    )
    advances = (
        lifecycle_events.filter(
            one_of("stage", ADVANCED_STAGES) & (pl.col("entered_at") <= as_of_lit)
        )
        .join(open_unanswered.select("lead_id").unique(), on="lead_id", how="semi")
        .select("lead_id", pl.col("entered_at").alias("_advanced_at"))
    )
    advanced = (
        open_unanswered.select("lead_id", "episode", "started_at")
        .join(advances, on="lead_id", how="inner")
        .filter(pl.col("_advanced_at") >= pl.col("started_at"))
        .select("lead_id", "episode")
        .unique()
    )
    return open_unanswered.join(advanced, on=["lead_id", "episode"], how="anti")


def stale_leads(
    episode_stats: pl.LazyFrame,
    lifecycle_events: pl.LazyFrame,
    *,
    config: SlaConfig,
    as_of: datetime,
) -> pl.LazyFrame:
    """Leads stale at ``as_of``: an open episode with enough unanswered attempts, then silence.

    A lead is stale when it is a :func:`stale_candidates` (open episode, at least
    ``recycle.after_attempts`` unanswered attempts, never reached in the episode, not
    advanced to ``sql``, ``opportunity`` or ``customer`` since it started) and its last
    attempt is more than ``recycle.grace_days`` before ``as_of``. A lead reached once in
    the episode and then left unanswered six times is not stale: the product reads "its
    episode has had unanswered attempts" as none of them answered, as a recycle after an
    answer is not premature.

    Parameters
    ----------
    episode_stats : LazyFrame
        Episodes with touch stats (:func:`analytics.episodes.with_touch_stats`).
    lifecycle_events : LazyFrame
        The ``lifecycle_events`` table: whether the lead advanced.

    Returns
    -------
    LazyFrame, one row per stale lead: ``lead_id``, ``episode``, ``owner_rep_id``,
    ``started_at``, ``unanswered``, ``last_touch_at``, ``days_since_last_touch``,
    ``days_over_grace``; longest silence first.

    Examples
    --------
    Lead a: 6 unanswered attempts, the last 10 days before ``as_of`` (grace 7): 3 days
    over. Lead b has only 5.

    >>> from datetime import UTC
    >>> from analytics.config import load_config
    >>> from analytics.tables import Tables
    >>> ts = pl.Datetime("us", "UTC")
    >>> stats = pl.LazyFrame({"lead_id": ["a", "b"], "episode": [1, 1], "owner_rep_id": "r",
    ...     "started_at": [datetime(2026, 9, 1, tzinfo=UTC)] * 2, "ended_at": [None, None],
    ...     "unanswered": [6, 5], "is_reached": [False, False],
    ...     "last_touch_at": [datetime(2026, 9, 10, tzinfo=UTC)] * 2},
    ...     schema_overrides={"ended_at": ts})
    >>> out = stale_leads(stats, Tables.empty().lifecycle_events,
    ...                   config=load_config("data/sla.toml"), as_of=datetime(2026, 9, 20))
    >>> out.select("lead_id", "days_over_grace").collect().rows()
    [('a', 3.0)]
    """
    grace = float(config.recycle.grace_days)
    as_of_lit = _ts(as_of)
    days_since = (as_of_lit - pl.col("last_touch_at")).dt.total_seconds(fractional=True) / 86400.0
    return (
        stale_candidates(episode_stats, lifecycle_events, config=config, as_of=as_of)
        .with_columns(days_since.alias("days_since_last_touch"))
        .filter(pl.col("days_since_last_touch") > grace)
        .select(
            "lead_id",
            "episode",
            "owner_rep_id",
            "started_at",
            "unanswered",
            "last_touch_at",
            "days_since_last_touch",
            (pl.col("days_since_last_touch") - grace).alias("days_over_grace"),
        )
        .sort("days_over_grace", "lead_id", descending=[True, False])
    )


def recycled_enrollment(
    lifecycle_events: pl.LazyFrame,
    nurture_enrollments: pl.LazyFrame,
    *,
    config: SlaConfig,
    window: Window,
    as_of: datetime,
) -> pl.LazyFrame:
    """Whether each lead recycled in the window was enrolled in nurture in time.

    Each ``recycled`` event of the window is judged on its own (a lead recycled twice is
    two rows). The enrollment counted for it is the lead's first at or after the event,
    up to ``as_of``, whatever happened in between: one enrollment can answer two recycles
    of a lead. A lead recycled on 3 Nov at 10:00, MQL again, recycled again on 6 Nov at
    10:00 and enrolled on 6 Nov at 12:00 has its second recycle ``in_time`` (2 hours) and
    its first ``late`` (3.1 days), credited with the enrollment that followed the second,
    not ``missing``: the product asks "how long until the lead was in a nurture track",
    not whether an enrollment belongs to a recycle. The share in time is of recycled
    events, not of leads.

    Returns
    -------
    LazyFrame, one row per recycled event in the window: ``lead_id``, ``recycled_at``,
    ``enrolled_at``, ``track``, ``days_to_enroll``, ``status`` (``in_time`` within
    ``recycle.enroll_within_days``, ``late``, ``missing`` when the deadline passed at
    ``as_of`` with none, ``pending`` otherwise).
    """
    as_of_lit = _ts(as_of)
    days = float(config.recycle.enroll_within_days)
    recycled = (
        lifecycle_events.filter((pl.col("stage") == "recycled") & window.contains("entered_at"))
        .select("lead_id", pl.col("entered_at").alias("recycled_at"))
        .unique()
        .sort("recycled_at")
    )
    enrolled = (
        # an enrollment at or after a recycle in the window: none before the window counts
        nurture_enrollments.filter(
            (pl.col("enrolled_at") >= window.start_lit) & (pl.col("enrolled_at") <= as_of_lit)
        )
        .join(recycled.select("lead_id").unique(), on="lead_id", how="semi")
        .select("lead_id", "enrolled_at", "track")
        .sort("enrolled_at")
    )
    joined = recycled.join_asof(
        enrolled,
        left_on="recycled_at",
        right_on="enrolled_at",
        by="lead_id",
        strategy="forward",
        coalesce=False,
        check_sortedness=False,
    ).with_columns(
        (
            (pl.col("enrolled_at") - pl.col("recycled_at")).dt.total_seconds(fractional=True)
            / 86400.0
        ).alias("days_to_enroll"),
        ((as_of_lit - pl.col("recycled_at")).dt.total_seconds(fractional=True) / 86400.0).alias(
            "_waited"
        ),
    )
    status = (
        pl.when(pl.col("days_to_enroll") <= days)
        .then(pl.lit("in_time"))
        .when(pl.col("days_to_enroll").is_not_null())
        .then(pl.lit("late"))
        .when(pl.col("_waited") > days)
        .then(pl.lit("missing"))
        .otherwise(pl.lit("pending"))
    )
    return joined.select(
        "lead_id", "recycled_at", "enrolled_at", "track", "days_to_enroll", status.alias("status")
    ).sort("recycled_at", "lead_id")


#: The steps of the leakage waterfall, in the order shown (every MQL episode is in one).
LEAKAGE_STEPS: tuple[str, ...] = (
    "never_assigned",
    "never_touched",
    "under_worked",
    "recycled",
    "disqualified",
    "sql",
    "open",
    "not_judged",
    "not_judged_events",
)
#: The steps of episodes the data cannot place: shown only when there are such episodes.
_UNJUDGED_STEPS = ("not_judged", "not_judged_events")


def leakage_steps(
    cadence: pl.LazyFrame,
    *,
    config: SlaConfig,
    touches_stopped: bool = False,
    never_contacted: pl.LazyFrame | None = None,
    events_stopped: bool = False,
) -> pl.LazyFrame:
    """Where each MQL episode went: one step of the leakage waterfall each.

    The first that applies: ``never_assigned`` (no owner), ``not_judged`` (only when
    ``touches_stopped``: its cadence window ran past the last touch, so what sales did is
    unknown; an SQL stays one, and so does an episode of ``never_contacted``),
    ``not_judged_events`` (the same when ``events_stopped``: its window ran past the last
    lifecycle event, so whether it was still open, and which touches were its, is unknown),
    ``never_touched`` (no sales touch), ``sql``,
    ``under_worked`` (not reached, fewer than ``cadence.min_attempts`` attempts, and ended
    or past its cadence window), ``recycled``, ``disqualified``, else ``open`` (still being
    worked).

    Parameters
    ----------
    cadence : LazyFrame
        :func:`analytics.cadence.cadence_episodes` of the month's episodes.
    touches_stopped : bool
        The touches stopped (:attr:`analytics.review.Review.touches_stopped`): the
        episodes not judged then are no verdict.
    never_contacted : LazyFrame, optional
        ``lead_id``, ``episode`` of the episodes the review lists as never contacted
        (``Review.breaches["never_contacted"]``): with ``touches_stopped``, those whose
        first touch was due before the last touch and never came. They are
        ``never_touched``, as the list says, not ``not_judged``.
    events_stopped : bool
        The lifecycle events stopped (:attr:`analytics.review.Review.lifecycle_stopped`):
        the episodes not judged then are no verdict either.

    Returns
    -------
    The rows of ``cadence`` with ``step``.

    Examples
    --------
    >>> from analytics.config import load_config
    >>> c = pl.LazyFrame({"owner_rep_id": [None, "r", "r", "r", "r"],
    ...     "attempts": [0, 0, 2, 2, 7], "is_reached": [False, False, False, True, False],
    ...     "is_judged": [True, True, True, True, False],
    ...     "end_stage": [None, None, "recycled", "sql", None]})
    >>> leakage_steps(c, config=load_config("data/sla.toml")).collect()["step"].to_list()
    ['never_assigned', 'never_touched', 'under_worked', 'sql', 'open']
    """
    end = pl.col("end_stage")
    short = (
        ~pl.col("is_reached")
        & (pl.col("attempts") < config.cadence.min_attempts)
        & (end.is_not_null() | pl.col("is_judged"))
    )
    waits = ~pl.col("is_judged") & (end != "sql").fill_null(True)
    unknown, unknown_events = pl.lit(touches_stopped) & waits, pl.lit(events_stopped) & waits
    listed = (touches_stopped or events_stopped) and never_contacted is not None
    if listed:  # the list's verdict (first touch due before the stop, none came) stands
        key = ["lead_id", "episode"]
        flags = never_contacted.select(key).with_columns(pl.lit(True).alias("_listed"))
        cadence = cadence.join(flags, on=key, how="left", maintain_order="left")
        unknown = unknown & pl.col("_listed").is_null()
        unknown_events = unknown_events & pl.col("_listed").is_null()
    step = (
        pl.when(pl.col("owner_rep_id").is_null())
        .then(pl.lit("never_assigned"))
        .when(unknown)
        .then(pl.lit("not_judged"))
        .when(unknown_events)
        .then(pl.lit("not_judged_events"))
        .when(pl.col("attempts") == 0)
        .then(pl.lit("never_touched"))
        .when(end == "sql")
        .then(pl.lit("sql"))
        .when(short)
        .then(pl.lit("under_worked"))
        .when(end.is_in(["recycled", "disqualified"]))
        .then(end)
        .otherwise(pl.lit("open"))
    )
    out = cadence.with_columns(step.alias("step"))
    return out.drop("_listed") if listed else out


def leakage_waterfall(steps: pl.LazyFrame) -> pl.LazyFrame:
    """Episodes per leakage step: a count and a share of the month's MQL episodes.

    Returns
    -------
    LazyFrame, one row per step of :data:`LEAKAGE_STEPS` (in that order, 0 when none;
    ``not_judged`` and ``not_judged_events`` only when there are such episodes): ``step``,
    ``episodes``, ``share``, ``remaining`` (episodes not yet accounted for after this
    step). The counts sum to the episodes.

    Examples
    --------
    >>> s = pl.LazyFrame({"step": ["sql", "open", "sql", "never_touched"]})
    >>> leakage_waterfall(s).filter(pl.col("episodes") > 0).select(
    ...     "step", "episodes", "remaining").collect().rows()
    [('never_touched', 1, 3), ('sql', 2, 1), ('open', 1, 0)]
    """
    order = pl.LazyFrame({"step": list(LEAKAGE_STEPS), "_order": list(range(len(LEAKAGE_STEPS)))})
    counts = steps.group_by("step").agg(pl.len().cast(pl.Int64).alias("episodes"))
    total = pl.col("episodes").sum()
    return (
        order.join(counts, on="step", how="left")
        .with_columns(pl.col("episodes").fill_null(0))
        .sort("_order")
        .with_columns(
            pl.when(total > 0).then(pl.col("episodes") / total).alias("share"),
            (total - pl.col("episodes").cum_sum()).alias("remaining"),
        )
        .filter(~pl.col("step").is_in(_UNJUDGED_STEPS) | (pl.col("episodes") > 0))
        .drop("_order")
    )


def fair_distribution(speed: pl.LazyFrame, reps: pl.LazyFrame, *, window: Window) -> pl.LazyFrame:
    """MQLs per rep against their weekly capacity, and inactive reps that still get leads.

    Parameters
    ----------
    speed : LazyFrame
        :func:`speed_to_lead` (or any frame with ``owner_rep_id``) of the MQL episodes
        started in ``window``.
    reps : LazyFrame
        The ``reps`` table (``weekly_capacity``, ``active``).
    window : Window
        The period the episodes started in (its length in weeks is the divisor).

    Returns
    -------
    LazyFrame, one row per rep who owns an episode or is active: ``rep_id``, ``rep_name``,
    ``team``, ``mqls``, ``mqls_per_week``, ``weekly_capacity``, ``load`` (MQLs per week /
    capacity; null without a capacity), ``active``, ``is_inactive_receiving`` (an
    inactive rep who received MQLs); most loaded first. Episodes without an owner are one
    row with a null ``rep_id``.

    Examples
    --------
    >>> from datetime import UTC
    >>> from analytics.timeframe import month_window
    >>> w = month_window("2026-02")  # 28 days: 4 weeks
    >>> speed = pl.LazyFrame({"owner_rep_id": ["r1"] * 8 + ["r2"] * 2})
    >>> reps = pl.LazyFrame({"rep_id": ["r1", "r2", "r3"], "name": ["A", "B", "C"],
    ...     "team": "sdr", "weekly_capacity": [4, 10, 5], "active": [True, False, True]})
    >>> fair_distribution(speed, reps, window=w).select(
    ...     "rep_id", "mqls_per_week", "load", "is_inactive_receiving").collect().rows()
    [('r1', 2.0, 0.5, False), ('r2', 0.5, 0.05, True), ('r3', 0.0, 0.0, False)]
    """
    weeks = (window.end - window.start).total_seconds() / (7 * 86400)
    counts = speed.group_by(pl.col("owner_rep_id").alias("rep_id")).agg(
        pl.len().cast(pl.Int64).alias("mqls")
    )
    info = reps.select(
        "rep_id", pl.col("name").alias("rep_name"), "team", "weekly_capacity", "active"
    )
    present = info.filter(pl.col("active").fill_null(True)).select("rep_id")
    ids = pl.concat([counts.select("rep_id"), present]).unique()
    capacity = pl.col("weekly_capacity")
    return (
        ids.join(counts, on="rep_id", how="left", nulls_equal=True)
        .join(info, on="rep_id", how="left")
        .with_columns(pl.col("mqls").fill_null(0))
        .with_columns((pl.col("mqls") / weeks).alias("mqls_per_week"))
        .with_columns(
            pl.when(capacity > 0).then(pl.col("mqls_per_week") / capacity).alias("load"),
            (pl.col("active").not_() & (pl.col("mqls") > 0))
            .fill_null(False)
            .alias("is_inactive_receiving"),
        )
        .select(
            "rep_id",
            "rep_name",
            "team",
            "mqls",
            "mqls_per_week",
            "weekly_capacity",
            "load",
            "active",
            "is_inactive_receiving",
        )
        .sort("load", "rep_id", descending=[True, False], nulls_last=True)
    )


#: How an episode's time to first touch splits between routing and the rep
#: (:func:`assignment_split`): ``after_mql`` (assigned after the MQL: routing's part is
#: MQL -> assignment), ``before_mql`` (the owner had the lead already: routing's part is 0,
#: the rep's clock starts at the MQL), ``after_first_touch`` (the assignment known is later
#: than the first touch: not this episode's routing, no split), ``not_assigned`` (assigned
#: after ``as_of``: still being routed), ``unknown`` (no ``assigned_at``).
AssignmentStatus = Literal[
    "after_mql", "before_mql", "after_first_touch", "not_assigned", "unknown"
]  # fmt: skip


def assignment_split(speed: pl.LazyFrame, leads: pl.LazyFrame, *, as_of: datetime) -> pl.LazyFrame:
    """Assignment delay vs rep delay: per MQL episode, the hours from the MQL to the
    assignment (routing, the system's part) and from the assignment to the first touch
    (the rep's part), so that a slow router is not blamed on a rep.

    The CRM gives one assignment time per lead, the current owner's (``leads.assigned_at``).
    An assignment before the MQL means the owner had the lead already: routing's part is
    0 and the rep's clock starts at the MQL. Without ``assigned_at`` both parts are null
    (``unknown``), never 0. Calendar hours; the rep's part is null until the first touch.

    Parameters
    ----------
    speed : LazyFrame
        :func:`speed_to_lead` of the episodes (``lead_id``, ``episode``, ``started_at``,
        ``owner_rep_id``, ``first_touch_at``).
    leads : LazyFrame
        ``lead_id`` and ``assigned_at`` (the ``leads`` table).
    as_of : datetime
        The moment of judgement: an assignment after it has not happened yet.

    Returns
    -------
    LazyFrame, one row per episode: ``lead_id``, ``episode``, ``owner_rep_id``,
    ``assigned_at``, ``assignment`` (:data:`AssignmentStatus`), ``routing_hours``,
    ``rep_hours``.

    Examples
    --------
    >>> from datetime import UTC
    >>> t = lambda d, h: datetime(2026, 10, d, h, tzinfo=UTC)
    >>> speed = pl.LazyFrame({"lead_id": ["a", "b", "c", "d"], "episode": 1,
    ...     "owner_rep_id": "r", "started_at": [t(1, 9), t(1, 9), t(1, 9), t(1, 9)],
    ...     "first_touch_at": [t(1, 15), t(1, 12), t(1, 10), None]})
    >>> leads = pl.LazyFrame({"lead_id": ["a", "b", "c", "d"],
    ...     "assigned_at": [t(1, 13), t(1, 7), None, t(1, 11)]})
    >>> for row in assignment_split(speed, leads, as_of=t(2, 0)).select(
    ...         "lead_id", "assignment", "routing_hours", "rep_hours").collect().rows():
    ...     print(row)
    ('a', 'after_mql', 4.0, 2.0)
    ('b', 'before_mql', 0.0, 3.0)
    ('c', 'unknown', None, None)
    ('d', 'after_mql', 2.0, None)
    """
    utc = pl.Datetime("us", "UTC")
    assigned = pl.col("assigned_at")
    start, touch = pl.col("started_at"), pl.col("first_touch_at")
    status = (
        pl.when(assigned.is_null())
        .then(pl.lit("unknown"))
        .when(assigned > utc_lit(as_of))
        .then(pl.lit("not_assigned"))
        .when(assigned <= start)
        .then(pl.lit("before_mql"))
        .when(touch.is_not_null() & (touch < assigned))
        .then(pl.lit("after_first_touch"))
        .otherwise(pl.lit("after_mql"))
    )
    hours = 3_600_000_000.0

    def span(a: pl.Expr, b: pl.Expr) -> pl.Expr:
        return (b - a).dt.total_microseconds() / hours

    part = pl.col("assignment")
    episodes = speed.select("lead_id", "episode", "owner_rep_id", "started_at", "first_touch_at")
    # only the episodes' leads: hashing every lead for a left join costs more than the rest
    assigned_at = leads.select("lead_id", pl.col("assigned_at").cast(utc)).join(
        episodes.select("lead_id"), on="lead_id", how="semi"
    )
    return (
        episodes.join(assigned_at, on="lead_id", how="left", maintain_order="left")
        .with_columns(status.alias("assignment"))
        .with_columns(
            pl.when(part == "before_mql")
            .then(pl.lit(0.0))
            .when(part == "after_mql")
            .then(span(start, assigned))
            .alias("routing_hours"),
            pl.when(part == "before_mql")
            .then(span(start, touch))
            .when(part == "after_mql")
            .then(span(assigned, touch))
            .alias("rep_hours"),
        )
        .select(
            "lead_id",
            "episode",
            "owner_rep_id",
            "assigned_at",
            "assignment",
            "routing_hours",
            "rep_hours",
        )
    )


def assignment_by_rep(split: pl.LazyFrame, *, reps: pl.LazyFrame | None = None) -> pl.LazyFrame:
    """Per rep, the median hours of routing's part and of the rep's part of the time to
    first touch (:func:`assignment_split`), over the episodes that have them.

    Returns
    -------
    LazyFrame, one row per owner: ``rep_id``, ``rep_name``, ``episodes``, ``with_assignment``
    (episodes with a known assignment), ``median_routing_hours``, ``median_rep_hours``
    (null when no episode has one: unknown, not 0); by rep id.

    Examples
    --------
    >>> split = pl.LazyFrame({"owner_rep_id": ["r1", "r1", "r1", "r2"],
    ...     "assignment": ["after_mql", "before_mql", "unknown", "unknown"],
    ...     "routing_hours": [4.0, 0.0, None, None], "rep_hours": [2.0, 3.0, None, None]})
    >>> assignment_by_rep(split).select("rep_id", "with_assignment",
    ...     "median_routing_hours", "median_rep_hours").collect().rows()
    [('r1', 2, 2.0, 2.5), ('r2', 0, None, None)]
    """
    names = (
        reps.select("rep_id", pl.col("name").alias("rep_name"))
        if reps is not None
        else pl.LazyFrame(schema={"rep_id": pl.String, "rep_name": pl.String})
    )
    known = pl.col("assignment").is_in(["after_mql", "before_mql"])
    return (
        split.group_by(pl.col("owner_rep_id").alias("rep_id"))
        .agg(
            pl.len().cast(pl.Int64).alias("episodes"),
            known.sum().cast(pl.Int64).alias("with_assignment"),
            pl.col("routing_hours").median().alias("median_routing_hours"),
            pl.col("rep_hours").median().alias("median_rep_hours"),
        )
        .join(names, on="rep_id", how="left")
        .select(
            "rep_id",
            "rep_name",
            "episodes",
            "with_assignment",
            "median_routing_hours",
            "median_rep_hours",
        )
        .sort("rep_id", nulls_last=True)
    )


__all__ = [
    "ADVANCED_STAGES",
    "HANDOFF_STATUSES",
    "LEAKAGE_STEPS",
    "AssignmentStatus",
    "EnrollmentStatus",
    "HandoffGrouping",
    "HandoffStatus",
    "acceptance",
    "acceptance_summary",
    "assignment_by_rep",
    "assignment_split",
    "fair_distribution",
    "first_touch_lines",
    "handoff_breaches",
    "handoff_by",
    "handoff_summary",
    "leakage_steps",
    "leakage_waterfall",
    "line_segments",
    "premature_recycles",
    "recycled_enrollment",
    "rejection_reasons",
    "segments_for_lines",
    "speed_to_lead",
    "stale_candidates",
    "stale_leads",
]
