"""Lead management: how sales works an MQL episode (spec/metrics.md, "contact cadence").

- A lead is *reached* in an episode when a touch inside it has outcome ``connected``,
  ``replied`` or ``meeting_booked``.
- attempts = sales touches inside the episode (start to end, or ``as_of``).
- The cadence SLA holds for an episode when the lead was reached, or when at least
  ``cadence.min_attempts`` attempts were made within ``cadence.window_days`` of the MQL,
  no two of them less than ``cadence.min_gap_hours`` apart counting as two.
- An episode is judged once its window has closed or it has ended by ``as_of``;
  compliance = episodes where it holds / judged episodes.

"No two less than the gap apart counting as two" is read as: the largest set of the
window's attempts that are pairwise at least ``min_gap_hours`` apart, which the greedy
walk (first attempt, then the first one at least the gap later, ...) finds. The walk is
vectorised: one as-of join gives every attempt its successor, and ``min_attempts - 1``
passes give every attempt the length of the walk from it (its successor's plus one), so
``spaced_attempts``, read at each episode's first attempt, is counted up to
``min_attempts`` (all the rule needs).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import polars as pl

from analytics.config import SlaConfig
from analytics.stats import rate_columns
from analytics.timeframe import utc_lit

_KEY = ["lead_id", "episode"]


def spaced_attempts(
    touches: pl.LazyFrame,
    *,
    min_gap_hours: float,
    cap: int,
    by: Sequence[str] = ("lead_id", "episode"),
) -> pl.LazyFrame:
    """Attempts per episode that are pairwise at least ``min_gap_hours`` apart (up to ``cap``).

    Parameters
    ----------
    touches : LazyFrame
        Touches with ``lead_id``, ``episode``, ``occurred_at`` (already restricted to the
        window that counts).
    min_gap_hours : float
        Two attempts closer than this count as one; 0 counts every attempt.
    cap : int
        Stop counting here (``cadence.min_attempts``).
    by : sequence of str, default ("lead_id", "episode")
        The columns that identify an episode.

    Returns
    -------
    LazyFrame, one row per episode with a touch: [``by``...], ``spaced_attempts``.

    Examples
    --------
    Touches at 0 h, 3 h, 6 h, 9 h and 20 h with a 4 h gap: 0, 6 and 20 count.

    >>> t0 = datetime(2026, 1, 1)
    >>> tt = pl.LazyFrame({"lead_id": "a", "episode": 1,
    ...                    "occurred_at": [t0 + timedelta(hours=h) for h in (0, 3, 6, 9, 20)]})
    >>> spaced_attempts(tt, min_gap_hours=4, cap=6).collect()["spaced_attempts"].to_list()
    [3]
    """
    key = list(by)
    base = touches.select(*key, "occurred_at")
    if min_gap_hours <= 0:
        return base.group_by(key).agg(
            pl.len().clip(upper_bound=cap).cast(pl.Int64).alias("spaced_attempts")
        )
    gap = timedelta(hours=min_gap_hours)
    # every attempt numbered in (episode, time) order, each episode's rows consecutive
    rows = (
        base.sort(*key, "occurred_at")
        .with_columns(pl.struct(key).rle_id().alias("_g"))
        .with_row_index("_i")
    )
    # each attempt's successor in the walk: the first of its episode at least the gap later
    walk = (
        rows.with_columns((pl.col("occurred_at") + gap).alias("_target"))
        .join_asof(
            rows.select("_g", pl.col("occurred_at").alias("_at"), pl.col("_i").alias("_next")),
            left_on="_target",
            right_on="_at",
            by="_g",
            strategy="forward",
            check_sortedness=False,  # sorted within each episode, which is what it reads
        )
        .sort("_i")  # row i at position i, for the gathers below
    )
    # the walk's length from every attempt, up to the cap: one more than its successor's
    # (one step per pass over all attempts; gathering along the walk from the first
    # attempts nests the expressions, twice as slow)
    walk = walk.with_columns(pl.lit(1, dtype=pl.Int64).alias("spaced_attempts"))
    for _ in range(cap - 1):
        longer = 1 + pl.col("spaced_attempts").gather(pl.col("_next"))
        walk = walk.with_columns(longer.fill_null(1).alias("spaced_attempts"))
    return walk.filter(pl.col("_g").is_first_distinct()).select(*key, "spaced_attempts")


def judged_at(as_of: datetime, *, config: SlaConfig) -> pl.Expr:
    """Whether an episode's cadence can be judged at ``as_of``: it ended by then (one that
    ended later, after the touches stopped, had attempts no one can see) or its window of
    ``cadence.window_days`` has closed.

    >>> from analytics.config import load_config
    >>> day = pl.Datetime("us", "UTC")
    >>> eps = pl.DataFrame({"started_at": [datetime(2026, 10, 1)] * 2,
    ...                     "ended_at": [datetime(2026, 10, 3), None]}).cast(day)
    >>> eps.select(judged_at(datetime(2026, 10, 5), config=load_config("data/sla.toml")))[
    ...     "ended_at"].to_list()
    [True, False]
    """
    at = utc_lit(as_of)
    window = timedelta(days=float(config.cadence.window_days))
    return (pl.col("ended_at") <= at).fill_null(False) | (pl.col("started_at") + window <= at)


def cadence_episodes(
    episode_stats: pl.LazyFrame,
    touches: pl.LazyFrame,
    *,
    config: SlaConfig,
    as_of: datetime,
    touches_until: datetime | None = None,
    events_until: datetime | None = None,
) -> pl.LazyFrame:
    """The cadence SLA judged per episode.

    Parameters
    ----------
    episode_stats : LazyFrame
        Episodes with touch stats (:func:`analytics.episodes.with_touch_stats`).
    touches : LazyFrame
        Their touches (:func:`analytics.episodes.episode_touches`).
    config : SlaConfig
        ``cadence.min_attempts``, ``cadence.window_days``, ``cadence.min_gap_hours``.
    as_of : datetime
    touches_until : datetime, optional
        When the touches stopped (:func:`analytics.coverage.touch_horizon`): an episode
        is judged when it could be by then, or when it is due at ``as_of`` and the
        touches before already held it (reached, or enough spaced attempts: no later
        touch can undo that); the rest wait, as nobody can see their later attempts.
    events_until : datetime, optional
        When the lifecycle events stopped (:attr:`analytics.coverage.Horizons.lifecycle_until`):
        the same, judged at the earlier of the two, held by the touches up to it only.
        An episode that looks open then may have ended since (an SQL, a recycle, a
        disqualification no longer in the data), so its touches after it may be no
        attempt of its: a window that closes later waits unless the touches before held
        it, and one that closed earlier but is held only by a lead reached after it waits
        too (what the touches in its window missed, nothing later undoes).

    Returns
    -------
    LazyFrame, one row per episode (by start, then lead): ``lead_id``, ``episode``, ``started_at``,
    ``ended_at``, ``end_stage``, ``owner_rep_id``, ``attempts``, ``is_reached``,
    ``window_attempts`` (inside the window), ``spaced_attempts`` (counted up to
    ``min_attempts``), ``is_judged``, ``is_held`` (null while not judged),
    ``attempts_short`` (spaced attempts missing, for a judged episode that failed).

    Examples
    --------
    >>> from analytics.config import load_config
    >>> from analytics.episodes import episode_touches, mql_episodes, with_touch_stats
    >>> from analytics.tables import Tables
    >>> t = Tables.from_rows(
    ...     lifecycle_events=[{"lead_id": "a", "stage": "mql", "entered_at": "2026-10-01T09:00Z"}],
    ...     sales_touches=[{"touch_id": "t", "lead_id": "a", "rep_id": "r", "channel": "phone",
    ...                     "occurred_at": "2026-10-01T12:00Z", "outcome": "connected"}])
    >>> eps = mql_episodes(t.lifecycle_events, t.leads)
    >>> tt = episode_touches(eps, t.sales_touches, as_of=datetime(2026, 10, 20))
    >>> c = cadence_episodes(with_touch_stats(eps, tt), tt, config=load_config("data/sla.toml"),
    ...                      as_of=datetime(2026, 10, 20))
    >>> c.select("attempts", "is_reached", "is_judged", "is_held").collect().row(0)
    (1, True, True, True)
    """
    cad = config.cadence
    window = timedelta(days=float(cad.window_days))
    in_window = touches.filter(pl.col("occurred_at") <= pl.col("started_at") + window)
    counted = spaced_attempts(in_window, min_gap_hours=cad.min_gap_hours, cap=cad.min_attempts)
    window_n = in_window.group_by(_KEY).agg(pl.len().cast(pl.Int64).alias("window_attempts"))
    held = pl.col("is_reached") | (pl.col("spaced_attempts") >= cad.min_attempts)
    judged = judged_at(as_of, config=config)
    horizon = min((m for m in (touches_until, events_until) if m is not None), default=None)
    stats = episode_stats.join(window_n, on=_KEY, how="left").join(counted, on=_KEY, how="left")
    if horizon is not None:
        # held by the touches up to the horizon (with the touches stopped, all of them)
        held_then = held
        if events_until is not None:
            at = utc_lit(horizon)
            before = spaced_attempts(
                in_window.filter(pl.col("occurred_at") <= at),
                min_gap_hours=cad.min_gap_hours,
                cap=cad.min_attempts,
            ).rename({"spaced_attempts": "_spaced_then"})
            stats = stats.join(before, on=_KEY, how="left")
            held_then = (pl.col("first_reached_at") <= at).fill_null(False) | (
                pl.col("_spaced_then").fill_null(0) >= cad.min_attempts
            )
        judged = (judged_at(horizon, config=config) & (held_then | ~held.fill_null(False))) | (
            judged & held_then
        )
    return (
        stats.with_columns(
            pl.col("window_attempts").fill_null(0),
            pl.col("spaced_attempts").fill_null(0),
        )
        .with_columns(judged.fill_null(False).alias("is_judged"))
        .with_columns(pl.when(pl.col("is_judged")).then(held).alias("is_held"))
        .with_columns(
            pl.when(pl.col("is_held").not_())
            .then(cad.min_attempts - pl.col("spaced_attempts"))
            .cast(pl.Int64)
            .alias("attempts_short")
        )
        .select(
            "lead_id",
            "episode",
            "started_at",
            "ended_at",
            "end_stage",
            "owner_rep_id",
            "attempts",
            "is_reached",
            "window_attempts",
            "spaced_attempts",
            "is_judged",
            "is_held",
            "attempts_short",
        )
        # a fixed order (polars 2 joins keep none): the page's list and a stored copy agree
        .sort("started_at", "lead_id", "episode")
    )


def cadence_summary(cadence: pl.LazyFrame, *, by: Sequence[str] = ()) -> pl.LazyFrame:
    """Cadence compliance and attempts per MQL, in total or per group.

    Returns
    -------
    LazyFrame, one row per group: [``by``...], ``episodes``, ``judged``, ``held``,
    ``attempts_per_mql`` (mean attempts over the episodes), ``never_contacted``, ``x``
    (held), ``n`` (judged), ``compliance``, ``ci_low``, ``ci_high``.

    Examples
    --------
    >>> c = pl.LazyFrame({"attempts": [0, 6, 3], "is_judged": [True, True, False],
    ...                   "is_held": [False, True, None]})
    >>> out = cadence_summary(c).select("judged", "held", "compliance", "attempts_per_mql")
    >>> out.collect().row(0)
    (2, 1, 0.5, 3.0)
    """
    aggs = [
        pl.len().cast(pl.Int64).alias("episodes"),
        pl.col("is_judged").sum().cast(pl.Int64).alias("judged"),
        pl.col("is_held").fill_null(False).sum().cast(pl.Int64).alias("held"),
        pl.col("attempts").mean().alias("attempts_per_mql"),
        (pl.col("attempts") == 0).sum().cast(pl.Int64).alias("never_contacted"),
    ]
    grouped = cadence.group_by(list(by)).agg(aggs) if by else cadence.select(aggs)
    return (
        grouped.with_columns(pl.col("held").alias("x"), pl.col("judged").alias("n"))
        .with_columns(*rate_columns("x", "n", prefix="_"))
        .rename({"_rate": "compliance", "_ci_low": "ci_low", "_ci_high": "ci_high"})
    )


def cadence_by_rep(cadence: pl.LazyFrame, *, reps: pl.LazyFrame | None = None) -> pl.LazyFrame:
    """:func:`cadence_summary` per owner rep, with the rep's name and team."""
    rep_info = (
        reps.select("rep_id", pl.col("name").alias("rep_name"), "team")
        if reps is not None
        else pl.LazyFrame(schema={"rep_id": pl.String, "rep_name": pl.String, "team": pl.String})
    )
    return cadence_summary(
        cadence.with_columns(pl.col("owner_rep_id").alias("rep_id")).join(
            rep_info, on="rep_id", how="left"
        ),
        by=["rep_id", "rep_name", "team"],
    ).sort("rep_id", nulls_last=True)


def channel_mix(touches: pl.LazyFrame) -> pl.LazyFrame:
    """Touches per channel and their share.

    Returns
    -------
    LazyFrame, one row per channel: ``channel``, ``touches``, ``reached`` (touches that
    reached the lead), ``share``; most used first.
    """
    return (
        touches.group_by("channel")
        .agg(
            pl.len().cast(pl.Int64).alias("touches"),
            pl.col("is_reached").sum().cast(pl.Int64).alias("reached"),
        )
        .with_columns((pl.col("touches") / pl.col("touches").sum()).alias("share"))
        .sort("touches", "channel", descending=[True, False])
    )


def attempt_gaps(touches: pl.LazyFrame) -> pl.LazyFrame:
    """Hours between consecutive attempts of the same episode, one row per gap.

    Returns
    -------
    LazyFrame: ``lead_id``, ``episode``, ``rep_id`` (of the later touch),
    ``occurred_at``, ``gap_hours``.
    """
    ordered = touches.select(*_KEY, "rep_id", "occurred_at").sort(*_KEY, "occurred_at")
    same = (pl.col("lead_id") == pl.col("lead_id").shift(1)) & (
        pl.col("episode") == pl.col("episode").shift(1)
    )
    gap = (pl.col("occurred_at") - pl.col("occurred_at").shift(1)).dt.total_seconds(
        fractional=True
    ) / 3600.0
    return (
        ordered.with_columns(pl.when(same).then(gap).alias("gap_hours"))
        .filter(pl.col("gap_hours").is_not_null())
        .select(*_KEY, "rep_id", "occurred_at", "gap_hours")
    )


def gap_summary(gaps: pl.LazyFrame, *, by: Sequence[str] = ()) -> pl.LazyFrame:
    """Median and p90 hours between attempts (in total or per group, e.g. ``["rep_id"]``).

    Returns
    -------
    LazyFrame, one row per group: [``by``...], ``gaps``, ``median_gap_hours``,
    ``p90_gap_hours``.
    """
    aggs = [
        pl.len().cast(pl.Int64).alias("gaps"),
        pl.col("gap_hours").median().alias("median_gap_hours"),
        pl.col("gap_hours").quantile(0.9, interpolation="linear").alias("p90_gap_hours"),
    ]
    return gaps.group_by(list(by)).agg(aggs).sort(list(by)) if by else gaps.select(aggs)


def stall_reasons(
    cadence: pl.LazyFrame, episodes: pl.LazyFrame, touches: pl.LazyFrame
) -> pl.LazyFrame:
    """The documented reasons why episodes stalled: lifecycle reasons and touch notes.

    An episode *stalled* when it ended recycled or disqualified, or is judged and not
    held. Its reasons are the ``reason`` of its ending lifecycle event and the notes of
    its touches.

    Returns
    -------
    LazyFrame, one row per (source, reason): ``source`` (``lifecycle`` or ``touch_note``),
    ``reason`` (null: undocumented), ``episodes`` (distinct stalled episodes citing it);
    most frequent first.
    """
    stalled = cadence.filter(
        pl.col("end_stage").is_in(["recycled", "disqualified"]) | (pl.col("is_held").not_())
    ).select(_KEY)
    life = episodes.join(stalled, on=_KEY, how="semi").select(
        *_KEY, pl.lit("lifecycle").alias("source"), pl.col("end_reason").alias("reason")
    )
    notes = (
        touches.join(stalled, on=_KEY, how="semi")
        .filter(pl.col("note").is_not_null())
        .select(*_KEY, pl.lit("touch_note").alias("source"), pl.col("note").alias("reason"))
    )
    return (
        pl.concat([life, notes])
        .group_by("source", "reason")
        .agg(pl.struct(_KEY).n_unique().cast(pl.Int64).alias("episodes"))
        .sort("episodes", "source", "reason", descending=[True, False, False], nulls_last=True)
    )


def never_contacted(cadence: pl.LazyFrame, *, as_of: datetime) -> pl.LazyFrame:
    """Episodes without a single sales touch: who waits, for whom, since when.

    Returns
    -------
    LazyFrame, one row per untouched episode: ``lead_id``, ``episode``, ``owner_rep_id``,
    ``started_at``, ``end_stage``, ``hours_waiting`` (to its end or ``as_of``, the
    earlier), longest first (ties by lead and episode).
    """
    as_of_lit = utc_lit(as_of)
    waited = (pl.min_horizontal("ended_at", as_of_lit) - pl.col("started_at")).dt.total_seconds(
        fractional=True
    ) / 3600.0
    return (
        cadence.filter(pl.col("attempts") == 0)
        .select(
            "lead_id",
            "episode",
            "owner_rep_id",
            "started_at",
            "end_stage",
            waited.alias("hours_waiting"),
        )
        .sort("hours_waiting", "lead_id", "episode", descending=[True, False, False])
    )


def cadence_breaches(cadence: pl.LazyFrame) -> pl.LazyFrame:
    """Judged episodes where the cadence did not hold: lead, rep, attempts missing.

    Returns
    -------
    LazyFrame: ``lead_id``, ``episode``, ``owner_rep_id``, ``started_at``,
    ``spaced_attempts``, ``attempts_short``; largest shortfall first (ties by lead and
    episode: a lead can fail twice in a month by the same count).
    """
    return (
        cadence.filter(pl.col("is_held").not_())
        .select(
            "lead_id", "episode", "owner_rep_id", "started_at", "spaced_attempts", "attempts_short"
        )
        .sort("attempts_short", "lead_id", "episode", descending=[True, False, False])
    )


__all__ = [
    "attempt_gaps",
    "cadence_breaches",
    "cadence_by_rep",
    "cadence_episodes",
    "cadence_summary",
    "channel_mix",
    "gap_summary",
    "never_contacted",
    "spaced_attempts",
    "stall_reasons",
]
