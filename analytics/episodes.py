"""MQL episodes: the unit that handoff and cadence are judged on (spec/metrics.md).

An MQL episode starts when a lead enters ``mql`` while it has no open episode, and ends
at the lead's next ``sql``, ``recycled`` or ``disqualified`` event (open until then). A
second ``mql`` event inside an open episode starts nothing. The episodes of month M are
those that start in M.

This module is the one place that builds episodes and assigns sales touches to them;
:mod:`analytics.handoff`, :mod:`analytics.cadence` and :mod:`analytics.review` all use it.

Because every relevant event sets the state deterministically (``mql`` opens, the three
end stages close), an ``mql`` starts an episode exactly when the lead's previous relevant
event is not an ``mql``, and an end event ends one exactly when it is. That makes the
whole construction one sort and a few shifts: no loop over rows.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import polars as pl

from analytics.schema import REACHED_OUTCOMES
from analytics.tables import one_of
from analytics.timeframe import utc_lit

EndStage = Literal["sql", "recycled", "disqualified"]
END_STAGES: tuple[str, ...] = ("sql", "recycled", "disqualified")
_RANK = {"mql": 0, "sql": 1, "recycled": 2, "disqualified": 3}

#: Columns of :func:`mql_episodes`, in order.
EPISODE_COLUMNS: tuple[str, ...] = (
    "lead_id",
    "episode",
    "started_at",
    "ended_at",
    "end_stage",
    "trigger",
    "owner_rep_id",
    "end_reason",
    "end_actor_rep_id",
)


def mql_episodes(lifecycle_events: pl.LazyFrame, leads: pl.LazyFrame) -> pl.LazyFrame:
    """All MQL episodes of the lifecycle events.

    Parameters
    ----------
    lifecycle_events : LazyFrame
        The ``lifecycle_events`` table (cut at ``as_of`` by the caller: ``Tables.until``).
    leads : LazyFrame
        The ``leads`` table, for the owner rep.

    Returns
    -------
    LazyFrame, one row per episode:
        ``lead_id``, ``episode`` (1, 2, ... per lead), ``started_at``, ``ended_at`` (null
        while open), ``end_stage`` (``sql`` / ``recycled`` / ``disqualified`` / null),
        ``trigger`` (of the starting ``mql`` event), ``owner_rep_id`` (the lead's owner),
        ``end_reason`` and ``end_actor_rep_id`` (of the ending event). Events at the same
        instant are ordered ``mql`` before the end stages. The rows come in no set order
        (the joins do not keep one); :func:`episodes_to_store` sorts them.

    Examples
    --------
    >>> from analytics.tables import Tables
    >>> t = Tables.from_rows(lifecycle_events=[
    ...     {"lead_id": "a", "stage": "mql", "entered_at": "2026-10-01T09:00:00Z"},
    ...     {"lead_id": "a", "stage": "mql", "entered_at": "2026-10-02T09:00:00Z"},
    ...     {"lead_id": "a", "stage": "recycled", "entered_at": "2026-10-09T09:00:00Z"},
    ...     {"lead_id": "a", "stage": "mql", "entered_at": "2026-12-01T09:00:00Z"}])
    >>> mql_episodes(t.lifecycle_events, t.leads).select(
    ...     "episode", "end_stage", pl.col("ended_at").is_null().alias("open")
    ... ).sort("episode").collect().rows()
    [(1, 'recycled', False), (2, None, True)]
    """
    ev = lifecycle_events.filter(one_of("stage", _RANK)).select(
        "lead_id", "stage", "entered_at", "trigger", "actor_rep_id", "reason"
    )
    # Sort only the narrow key columns (wide string columns make a sort several times
    # slower); trigger / reason / actor are joined back on the table's key
    # (lead_id, stage, entered_at) for the rows that start or end an episode.
    narrow = ev.select(
        "lead_id",
        "entered_at",
        pl.col("stage").replace_strict(_RANK, return_dtype=pl.UInt8).alias("_rank"),
    ).sort("lead_id", "entered_at", "_rank")
    same_lead_prev = pl.col("lead_id").shift(1) == pl.col("lead_id")
    prev_is_mql = (same_lead_prev & (pl.col("_rank").shift(1) == 0)).fill_null(False)
    marks = narrow.with_columns(
        ((pl.col("_rank") == 0) & ~prev_is_mql).alias("_start"),
        ((pl.col("_rank") > 0) & prev_is_mql).alias("_end"),
    ).filter(pl.col("_start") | pl.col("_end"))
    # Starts and ends now alternate per lead, beginning with a start: a start's end is
    # the next row when that row belongs to the same lead.
    same_lead_next = (pl.col("lead_id").shift(-1) == pl.col("lead_id")).fill_null(False)
    new_lead = (pl.col("lead_id").shift(1) != pl.col("lead_id")).fill_null(True)
    starts = (
        marks.with_columns(
            pl.when(same_lead_next).then(pl.col("entered_at").shift(-1)).alias("ended_at"),
            pl.when(same_lead_next).then(pl.col("_rank").shift(-1)).alias("_end_rank"),
        )
        .filter(pl.col("_start"))
        .with_columns(pl.int_range(pl.len(), dtype=pl.Int64).alias("_idx"))
        .with_columns(
            (pl.col("_idx") - pl.when(new_lead).then(pl.col("_idx")).forward_fill() + 1)
            .cast(pl.Int64)
            .alias("episode"),
            pl.col("_end_rank")
            .replace_strict({v: k for k, v in _RANK.items()}, return_dtype=pl.String)
            .alias("end_stage"),
        )
    )
    start_info = ev.filter(pl.col("stage") == "mql").select(
        "lead_id", pl.col("entered_at").alias("started_at"), "trigger"
    )
    end_info = ev.filter(pl.col("stage") != "mql").select(
        "lead_id",
        pl.col("entered_at").alias("ended_at"),
        pl.col("stage").alias("end_stage"),
        pl.col("reason").alias("end_reason"),
        pl.col("actor_rep_id").alias("end_actor_rep_id"),
    )
    owners = leads.select("lead_id", "owner_rep_id")
    return (
        starts.rename({"entered_at": "started_at"})
        .join(start_info, on=["lead_id", "started_at"], how="left")
        .join(end_info, on=["lead_id", "ended_at", "end_stage"], how="left")
        .join(owners, on="lead_id", how="left")
        .select(EPISODE_COLUMNS)
    )


#: The column of :func:`episodes_to_store` that :func:`episodes_until` needs besides
#: :data:`EPISODE_COLUMNS`: when the lead was created (its owner is unknown before).
LEAD_CREATED = "lead_created_at"


def episodes_to_store(lifecycle_events: pl.LazyFrame, leads: pl.LazyFrame) -> pl.LazyFrame:
    """The MQL episodes of the whole history, as stored after an import: :func:`mql_episodes`
    with the lead's creation time (:data:`LEAD_CREATED`), sorted by lead and episode.

    They depend on the data alone (no config): :func:`episodes_until` cuts them at any
    ``as_of`` to exactly what :func:`mql_episodes` makes of the tables cut there.

    Examples
    --------
    >>> from analytics.tables import Tables
    >>> t = Tables.from_rows(
    ...     leads=[{"lead_id": "a", "created_at": "2026-10-01T08:00Z", "owner_rep_id": "r"}],
    ...     lifecycle_events=[{"lead_id": "a", "stage": "mql", "entered_at": "2026-10-01T09:00Z"}])
    >>> episodes_to_store(t.lifecycle_events, t.leads).select("episode", LEAD_CREATED).collect(
    ...     ).rows()[0][0]
    1
    """
    created = leads.select("lead_id", pl.col("created_at").alias(LEAD_CREATED))
    return (
        mql_episodes(lifecycle_events, leads)
        .join(created, on="lead_id", how="left")
        # the start breaks the tie of events without a lead (one null "lead", rejected
        # by the loader but possible in a frame): the order is then total
        .sort("lead_id", "episode", "started_at")
        .select(*EPISODE_COLUMNS, LEAD_CREATED)
    )


def stored_history(tables: Any, *, parts: int | None = None) -> pl.DataFrame:
    """:func:`episodes_to_store` of ``tables``, collected one part of the leads at a time
    (:meth:`analytics.tables.Tables.partitions`): a lead's episodes are built from its own
    events, and the parts are in ``lead_id`` order, so the parts' episodes put together
    are the same rows in the same order. At 10M leads the whole history's episodes peak
    at 0.6 GB so instead of 1.6 GB, in the same time; up to a million leads the data is
    one part.

    Parameters
    ----------
    tables : Tables
    parts : int, optional
        The number of parts (default: :meth:`~analytics.tables.Tables.partitions`' own).

    Returns
    -------
    DataFrame of :func:`episodes_to_store`'s columns, one row per MQL episode, sorted by
    lead and episode.

    Examples
    --------
    >>> from analytics.tables import Tables
    >>> t = Tables.from_rows(lifecycle_events=[
    ...     {"lead_id": lead, "stage": "mql", "entered_at": "2026-10-01T09:00Z"} for lead in "cab"])
    >>> stored_history(t, parts=2)["lead_id"].to_list()
    ['a', 'b', 'c']
    """
    return pl.concat(
        [
            episodes_to_store(part.lifecycle_events, part.leads).collect()
            for part in tables.partitions(parts)
        ],
        how="vertical",
    )


def episodes_until(stored: pl.LazyFrame, as_of: datetime) -> pl.LazyFrame:
    """Stored episodes (:func:`episodes_to_store`) as known at ``as_of``.

    An episode is built from its lead's events in time order, so cutting the events at
    ``as_of`` keeps every episode started by then, numbered as before; one that ended
    later is still open (no end, end stage, reason or actor), and the owner is unknown for
    a lead created later (``Tables.until`` drops the lead). Nothing later is read.

    Returns
    -------
    LazyFrame with the columns of ``stored``.

    Examples
    --------
    >>> from analytics.tables import Tables
    >>> t = Tables.from_rows(lifecycle_events=[
    ...     {"lead_id": "a", "stage": "mql", "entered_at": "2026-10-01T09:00:00Z"},
    ...     {"lead_id": "a", "stage": "sql", "entered_at": "2026-10-09T09:00:00Z"}])
    >>> whole = episodes_to_store(t.lifecycle_events, t.leads)
    >>> episodes_until(whole, datetime(2026, 10, 5)).select("episode", "end_stage").collect(
    ...     ).rows()
    [(1, None)]
    """
    ts = utc_lit(as_of)
    ended_later = pl.col("ended_at") > ts
    return stored.filter(pl.col("started_at") <= ts).with_columns(
        *(
            pl.when(ended_later).then(None).otherwise(pl.col(c)).alias(c)
            for c in ("ended_at", "end_stage", "end_reason", "end_actor_rep_id")
        ),
        pl.when(pl.col(LEAD_CREATED) <= ts).then(pl.col("owner_rep_id")).alias("owner_rep_id"),
    )


def episodes_of(tables: Any) -> pl.LazyFrame:
    """The MQL episodes of ``tables`` (a :class:`~analytics.tables.Tables`): those stored
    after the import when the tables carry them (``tables.episodes``, already cut to the
    tables' ``as_of`` by ``Tables.until``), else :func:`mql_episodes` of its tables.

    Returns
    -------
    LazyFrame with :data:`EPISODE_COLUMNS`.

    >>> from analytics.tables import Tables
    >>> episodes_of(Tables.empty()).collect().columns == list(EPISODE_COLUMNS)
    True
    """
    if tables.stored_episodes is not None:
        return tables.stored_episodes.select(EPISODE_COLUMNS)
    return mql_episodes(tables.lifecycle_events, tables.leads)


def episode_touches(
    episodes: pl.LazyFrame, sales_touches: pl.LazyFrame, *, as_of: datetime
) -> pl.LazyFrame:
    """The sales touches inside each episode (from its start to its end, or to ``as_of``).

    Parameters
    ----------
    episodes : LazyFrame
        From :func:`mql_episodes` (any subset of them).
    sales_touches : LazyFrame
        The ``sales_touches`` table.
    as_of : datetime
        Touches after it are ignored.

    Returns
    -------
    LazyFrame, one row per touch inside an episode:
        ``lead_id``, ``episode``, ``started_at``, ``touch_id``, ``rep_id``, ``occurred_at``,
        ``channel``, ``outcome``, ``note``, ``is_reached`` (outcome connected / replied /
        meeting_booked), ``hours_since_start``. A touch at the end instant belongs to the
        ending episode.
    """
    as_of_lit = utc_lit(as_of)
    eps = episodes.select("lead_id", "episode", "started_at", "ended_at").sort("started_at")
    touches = (
        sales_touches.filter(pl.col("occurred_at") <= as_of_lit)
        .join(eps.select("lead_id").unique(), on="lead_id", how="semi")
        .select("lead_id", "touch_id", "rep_id", "occurred_at", "channel", "outcome", "note")
        .sort("occurred_at")
    )
    joined = touches.join_asof(
        eps,
        left_on="occurred_at",
        right_on="started_at",
        by="lead_id",
        strategy="backward",
        coalesce=False,
        check_sortedness=False,
    )
    end = pl.coalesce(pl.col("ended_at"), as_of_lit)
    return joined.filter(pl.col("episode").is_not_null() & (pl.col("occurred_at") <= end)).select(
        "lead_id",
        "episode",
        "started_at",
        "touch_id",
        "rep_id",
        "occurred_at",
        "channel",
        "outcome",
        "note",
        one_of("outcome", REACHED_OUTCOMES).alias("is_reached"),
        ((pl.col("occurred_at") - pl.col("started_at")).dt.total_seconds() / 3600.0).alias(
            "hours_since_start"
        ),
    )


def episode_touch_stats(touches: pl.LazyFrame) -> pl.LazyFrame:
    """Per-episode counts of the touches from :func:`episode_touches`.

    Returns
    -------
    LazyFrame, one row per episode with at least one touch:
        ``lead_id``, ``episode``, ``attempts``, ``unanswered`` (touches not reaching the
        lead), ``is_reached``, ``first_reached_at``, ``first_touch_at``, ``last_touch_at``.
        Join it to the episodes with ``how="left"`` and fill ``attempts`` with 0.
    """
    return touches.group_by("lead_id", "episode").agg(
        pl.len().cast(pl.Int64).alias("attempts"),
        (~pl.col("is_reached")).sum().cast(pl.Int64).alias("unanswered"),
        pl.col("is_reached").any().alias("is_reached"),
        pl.when("is_reached").then("occurred_at").min().alias("first_reached_at"),
        pl.col("occurred_at").min().alias("first_touch_at"),
        pl.col("occurred_at").max().alias("last_touch_at"),
    )


def with_touch_stats(episodes: pl.LazyFrame, touches: pl.LazyFrame) -> pl.LazyFrame:
    """The episodes with :func:`episode_touch_stats` joined on (0 attempts when untouched).

    Examples
    --------
    >>> from analytics.tables import Tables
    >>> t = Tables.from_rows(
    ...     lifecycle_events=[{"lead_id": "a", "stage": "mql", "entered_at": "2026-10-01T09:00Z"}],
    ...     sales_touches=[{"touch_id": "t1", "lead_id": "a", "rep_id": "r",
    ...                     "occurred_at": "2026-10-01T10:00Z", "channel": "phone",
    ...                     "outcome": "no_answer"}])
    >>> eps = mql_episodes(t.lifecycle_events, t.leads)
    >>> tt = episode_touches(eps, t.sales_touches, as_of=datetime(2026, 11, 1))
    >>> with_touch_stats(eps, tt).select("attempts", "unanswered", "is_reached").collect().rows()
    [(1, 1, False)]
    """
    stats = episode_touch_stats(touches)
    return episodes.join(stats, on=["lead_id", "episode"], how="left").with_columns(
        pl.col("attempts").fill_null(0),
        pl.col("unanswered").fill_null(0),
        pl.col("is_reached").fill_null(False),
    )


__all__ = [
    "END_STAGES",
    "EPISODE_COLUMNS",
    "LEAD_CREATED",
    "EndStage",
    "episode_touch_stats",
    "episode_touches",
    "episodes_of",
    "episodes_to_store",
    "episodes_until",
    "mql_episodes",
    "with_touch_stats",
]
