"""Lead nurturing: enrollments, exits, buyer-stage progression, re-MQL, sales requests.

- Enrollments of month M: per track (and whether marketing or sales triggered them);
  a track the SLA config does not know is flagged, not dropped.
- Exits of M by reason.
- Buyer-stage progression of the month's new enrollments: the lead's buyer stage when
  enrolled (its latest activity with a ``buyer_stage`` at or before ``enrolled_at``) and
  the furthest stage it showed while enrolled (to ``exited_at`` or ``as_of``).
- re-MQL rate (spec): share of leads recycled in M that become MQL again within
  ``recycle.remql_window_days``; immature while that window is open at ``as_of``.
- Sales-triggered enrollments: which track, whether the track allows it
  (``sales_can_trigger``), and what became of them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import polars as pl

from analytics.config import SlaConfig
from analytics.schema import BUYER_STAGES
from analytics.stats import rate_columns
from analytics.tables import one_of
from analytics.timeframe import Window, as_utc, utc_lit

_STAGE_RANK = {s: i for i, s in enumerate(BUYER_STAGES)}


def _known(config: SlaConfig) -> pl.Expr:
    return one_of("track", [t.name for t in config.nurture.tracks])


def enrollments_by_track(
    nurture_enrollments: pl.LazyFrame, *, config: SlaConfig, window: Window
) -> pl.LazyFrame:
    """Enrollments started in the window, per track.

    Returns
    -------
    LazyFrame, one row per track with an enrollment, plus every configured track (0):
    ``track``, ``buyer_stage`` (from the config; null when unknown), ``is_known``,
    ``enrollments``, ``by_sales``, ``by_auto``.

    Examples
    --------
    >>> from analytics.config import load_config
    >>> from analytics.timeframe import month_window
    >>> from analytics.tables import Tables
    >>> t = Tables.from_rows(nurture_enrollments=[
    ...     {"enrollment_id": "e1", "lead_id": "a", "track": "mystery",
    ...      "enrolled_at": "2026-10-02T00:00Z", "triggered_by": "sales"}])
    >>> out = enrollments_by_track(t.nurture_enrollments, config=load_config("data/sla.toml"),
    ...                            window=month_window("2026-10"))
    >>> out = out.filter(pl.col("enrollments") > 0).select("track", "is_known", "by_sales")
    >>> out.collect().rows()
    [('mystery', False, 1)]
    """
    configured = pl.LazyFrame(
        {
            "track": [t.name for t in config.nurture.tracks],
            "buyer_stage": [t.buyer_stage for t in config.nurture.tracks],
        },
        schema={"track": pl.String, "buyer_stage": pl.String},
    )
    counts = (
        nurture_enrollments.filter(window.contains("enrolled_at"))
        .group_by("track")
        .agg(
            pl.len().cast(pl.Int64).alias("enrollments"),
            (pl.col("triggered_by") == "sales").sum().cast(pl.Int64).alias("by_sales"),
            (pl.col("triggered_by") != "sales")
            .fill_null(True)
            .sum()
            .cast(pl.Int64)
            .alias("by_auto"),
        )
    )
    return (
        configured.join(counts, on="track", how="full", coalesce=True)
        .with_columns(
            _known(config).alias("is_known"),
            pl.col("enrollments", "by_sales", "by_auto").fill_null(0),
        )
        .select("track", "buyer_stage", "is_known", "enrollments", "by_sales", "by_auto")
        .sort("is_known", "track", descending=[True, False])
    )


def exits_by_reason(nurture_enrollments: pl.LazyFrame, *, window: Window) -> pl.LazyFrame:
    """Enrollments that ended in the window, per track and exit reason.

    Returns
    -------
    LazyFrame: ``track``, ``exit_reason`` (null: not recorded), ``exits``, ``share`` (of
    the track's exits in the window); by track, most exits first (ties by reason, not
    recorded last).
    """
    return (
        nurture_enrollments.filter(window.contains("exited_at"))
        .group_by("track", "exit_reason")
        .agg(pl.len().cast(pl.Int64).alias("exits"))
        .with_columns((pl.col("exits") / pl.col("exits").sum().over("track")).alias("share"))
        .sort("track", "exits", "exit_reason", descending=[False, True, False], nulls_last=True)
    )


def stage_progression(
    nurture_enrollments: pl.LazyFrame,
    activities: pl.LazyFrame,
    *,
    window: Window,
    as_of: datetime,
    lookback_days: int = 30,
) -> pl.LazyFrame:
    """Buyer-stage progression of the enrollments that started in the window.

    The cohort is the window's new enrollments (a monthly cohort, like the funnel's);
    each is followed to its exit or ``as_of``. The stage at enrollment is the latest one
    the lead showed within ``lookback_days`` before it, both ends included (older signals
    are stale, and reading them would scan the whole activity history; two stages shown
    at one moment: the further).

    Returns
    -------
    LazyFrame, one row per (track, stage at enrollment, furthest stage while enrolled):
    ``track``, ``from_stage``, ``to_stage`` (null: no activity with a buyer stage),
    ``enrollments``, ``progressed`` (``to_stage`` after ``from_stage``).

    Examples
    --------
    >>> from analytics.tables import Tables
    >>> from analytics.timeframe import month_window
    >>> t = Tables.from_rows(
    ...     nurture_enrollments=[{"enrollment_id": "e", "lead_id": "a", "track": "x",
    ...                           "enrolled_at": "2026-10-02T00:00Z"}],
    ...     activities=[
    ...         {"activity_id": "1", "lead_id": "a", "occurred_at": "2026-10-01T00:00Z",
    ...          "type": "page_view", "buyer_stage": "awareness"},
    ...         {"activity_id": "2", "lead_id": "a", "occurred_at": "2026-10-09T00:00Z",
    ...          "type": "pricing_page_view", "buyer_stage": "decision"}])
    >>> stage_progression(t.nurture_enrollments, t.activities, window=month_window("2026-10"),
    ...                   as_of=datetime(2026, 11, 1)).collect().rows()
    [('x', 'awareness', 'decision', 1, True)]
    """
    as_of_lit = utc_lit(as_of)
    active = nurture_enrollments.filter(window.contains("enrolled_at")).select(
        "enrollment_id",
        "lead_id",
        "track",
        "enrolled_at",
        pl.coalesce("exited_at", as_of_lit).alias("_until"),
    )
    earliest = window.start - timedelta(days=lookback_days)
    acts = activities.filter(
        pl.col("buyer_stage").is_not_null()
        & (pl.col("occurred_at") >= utc_lit(earliest))
        & (pl.col("occurred_at") <= as_of_lit)
    ).select("lead_id", "occurred_at", "buyer_stage")
    # only the cohort's leads: the month's activities are many times its enrollments
    acts = acts.join(active.select("lead_id"), on="lead_id", how="semi")
    # each enrollment beside its lead's activities (none: one row of nulls)
    rank = pl.col("buyer_stage").replace_strict(_STAGE_RANK, return_dtype=pl.Int64)
    pairs = active.join(acts, on="lead_id", how="left").with_columns(rank.alias("_rank"))
    # the latest moment and, at one moment, the further stage: one integer orders both
    # (microseconds times the number of stages, plus the rank), so no sort is needed
    ranks = len(_STAGE_RANK)
    moment_rank = pl.col("occurred_at").dt.epoch("us") * ranks + pl.col("_rank")
    lookback = pl.col("occurred_at").is_between(
        pl.col("enrolled_at") - timedelta(days=lookback_days), pl.col("enrolled_at")
    )
    enrolled = pl.col("occurred_at").is_between(pl.col("enrolled_at"), pl.col("_until"))
    stages = pairs.group_by("enrollment_id", "track").agg(
        # when/then, not filter: a filter inside an aggregation is three times slower
        (pl.when(lookback).then(moment_rank).max() % ranks).alias("_from"),  # latest before
        pl.when(enrolled).then(pl.col("_rank")).max().alias("_to"),  # furthest while enrolled
    )
    names = {i: s for s, i in _STAGE_RANK.items()}
    return (
        stages.with_columns(pl.coalesce("_to", "_from").alias("_to"))
        .group_by("track", "_from", "_to")
        .agg(pl.len().cast(pl.Int64).alias("enrollments"))
        .with_columns(
            pl.col("_from")
            .replace_strict(names, return_dtype=pl.String, default=None)
            .alias("from_stage"),
            pl.col("_to")
            .replace_strict(names, return_dtype=pl.String, default=None)
            .alias("to_stage"),
            (pl.col("_to") > pl.col("_from")).fill_null(False).alias("progressed"),
        )
        .sort("track", "_from", "_to", nulls_last=True)
        .select("track", "from_stage", "to_stage", "enrollments", "progressed")
    )


def remql(
    lifecycle_events: pl.LazyFrame,
    *,
    config: SlaConfig,
    window: Window,
    as_of: datetime,
) -> pl.LazyFrame:
    """Per lead recycled in the window: whether it became an MQL again within the window days.

    Returns
    -------
    LazyFrame, one row per lead recycled in the window: ``lead_id``, ``recycled_at``
    (its first recycle in the window), ``remql_at`` (first ``mql`` after it),
    ``is_remql`` (within ``recycle.remql_window_days``), ``is_open`` (no re-MQL yet and
    the window not over at ``as_of``).
    """
    days = timedelta(days=config.recycle.remql_window_days)
    as_of_lit = utc_lit(as_of)
    recycled = (
        lifecycle_events.filter((pl.col("stage") == "recycled") & window.contains("entered_at"))
        .group_by("lead_id")
        .agg(pl.col("entered_at").min().alias("recycled_at"))
        .sort("recycled_at")
    )
    mqls = (
        # an MQL after a recycle in the window: none before the window counts
        lifecycle_events.filter(
            (pl.col("stage") == "mql") & (pl.col("entered_at") >= window.start_lit)
        )
        .join(recycled.select("lead_id"), on="lead_id", how="semi")
        .select("lead_id", pl.col("entered_at").alias("remql_at"))
        .sort("remql_at")
    )
    joined = recycled.join_asof(
        mqls,
        left_on="recycled_at",
        right_on="remql_at",
        by="lead_id",
        strategy="forward",
        allow_exact_matches=False,
        coalesce=False,
        check_sortedness=False,
    )
    is_remql = pl.col("remql_at").is_not_null() & (
        pl.col("remql_at") <= pl.col("recycled_at") + days
    )
    return joined.select(
        "lead_id",
        "recycled_at",
        "remql_at",
        is_remql.alias("is_remql"),
        (~is_remql & (pl.col("recycled_at") + days > as_of_lit)).alias("is_open"),
    ).sort("recycled_at", "lead_id")


def remql_rate(
    remqls: pl.LazyFrame, *, config: SlaConfig, window: Window, as_of: datetime
) -> pl.LazyFrame:
    """The re-MQL rate of a month's recycled leads, with its count and interval.

    Returns
    -------
    LazyFrame, one row: ``x`` (re-MQL within the window), ``n`` (leads recycled),
    ``rate``, ``ci_low``, ``ci_high``, ``window_days``, ``is_immature`` (the last
    recycle's window is still open at ``as_of``).

    Examples
    --------
    >>> from analytics.config import load_config
    >>> from analytics.tables import Tables
    >>> from analytics.timeframe import month_window
    >>> cfg, w = load_config("data/sla.toml"), month_window("2026-01")
    >>> t = Tables.from_rows(lifecycle_events=[
    ...     {"lead_id": "a", "stage": "recycled", "entered_at": "2026-01-05T00:00Z"},
    ...     {"lead_id": "a", "stage": "mql", "entered_at": "2026-03-05T00:00Z"},
    ...     {"lead_id": "b", "stage": "recycled", "entered_at": "2026-01-06T00:00Z"}])
    >>> r = remql(t.lifecycle_events, config=cfg, window=w, as_of=datetime(2026, 9, 1))
    >>> remql_rate(r, config=cfg, window=w, as_of=datetime(2026, 9, 1)).select(
    ...     "x", "n", "rate", "is_immature").collect().row(0)
    (1, 2, 0.5, False)
    """
    days = config.recycle.remql_window_days
    immature = window.end + timedelta(days=days) > as_utc(as_of)
    return (
        remqls.select(
            pl.col("is_remql").sum().cast(pl.Int64).alias("x"),
            pl.len().cast(pl.Int64).alias("n"),
        )
        .with_columns(*rate_columns("x", "n"))
        .with_columns(
            pl.lit(days, dtype=pl.Int64).alias("window_days"),
            pl.lit(immature).alias("is_immature"),
        )
    )


def sales_triggered(
    nurture_enrollments: pl.LazyFrame,
    lifecycle_events: pl.LazyFrame,
    *,
    config: SlaConfig,
    window: Window,
) -> pl.LazyFrame:
    """Enrollments that sales asked for in the window, and what became of them.

    Returns
    -------
    LazyFrame, one row per such enrollment: ``enrollment_id``, ``lead_id``, ``track``,
    ``enrolled_at``, ``sales_can_trigger`` (the config allows sales to trigger the track;
    null for an unknown track), ``outcome`` (the exit reason, or ``active``),
    ``remql_at`` (first ``mql`` after the enrollment, if any).
    """
    allowed = {t.name: t.sales_can_trigger for t in config.nurture.tracks}
    enr = (
        nurture_enrollments.filter(
            (pl.col("triggered_by") == "sales") & window.contains("enrolled_at")
        )
        .select("enrollment_id", "lead_id", "track", "enrolled_at", "exit_reason")
        .sort("enrolled_at")
    )
    mqls = (
        # an MQL at or after an enrollment in the window: none before the window counts
        lifecycle_events.filter(
            (pl.col("stage") == "mql") & (pl.col("entered_at") >= window.start_lit)
        )
        .join(enr.select("lead_id"), on="lead_id", how="semi")
        .select("lead_id", pl.col("entered_at").alias("remql_at"))
        .sort("remql_at")
    )
    return (
        enr.join_asof(
            mqls,
            left_on="enrolled_at",
            right_on="remql_at",
            by="lead_id",
            strategy="forward",
            coalesce=False,
            check_sortedness=False,
        )
        .select(
            "enrollment_id",
            "lead_id",
            "track",
            "enrolled_at",
            pl.col("track")
            .replace_strict(allowed, return_dtype=pl.Boolean, default=None)
            .alias("sales_can_trigger"),
            pl.col("exit_reason").fill_null("active").alias("outcome"),
            "remql_at",
        )
        .sort("enrolled_at", "enrollment_id")
    )


def sales_triggered_outcomes(triggered: pl.LazyFrame) -> pl.LazyFrame:
    """:func:`sales_triggered` counted per track and outcome.

    Returns
    -------
    LazyFrame: ``track``, ``sales_can_trigger``, ``outcome``, ``enrollments``,
    ``became_mql`` (had an ``mql`` after the enrollment).
    """
    return (
        triggered.group_by("track", "sales_can_trigger", "outcome")
        .agg(
            pl.len().cast(pl.Int64).alias("enrollments"),
            pl.col("remql_at").is_not_null().sum().cast(pl.Int64).alias("became_mql"),
        )
        .sort("track", "outcome")
    )


def unknown_tracks(nurture_enrollments: pl.LazyFrame, *, config: SlaConfig) -> pl.LazyFrame:
    """Tracks in the data that the SLA config does not describe (flagged on the Data page).

    Returns
    -------
    LazyFrame, one row per unknown track: ``track``, ``enrollments``, ``first_enrolled_at``,
    ``last_enrolled_at``.
    """
    return (
        nurture_enrollments.filter(~_known(config))
        .group_by("track")
        .agg(
            pl.len().cast(pl.Int64).alias("enrollments"),
            pl.col("enrolled_at").min().alias("first_enrolled_at"),
            pl.col("enrolled_at").max().alias("last_enrolled_at"),
        )
        .sort("track")
    )


__all__ = [
    "enrollments_by_track",
    "exits_by_reason",
    "remql",
    "remql_rate",
    "sales_triggered",
    "sales_triggered_outcomes",
    "stage_progression",
    "unknown_tracks",
]
