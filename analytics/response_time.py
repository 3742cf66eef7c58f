"""Speed to lead and conversion: does answering faster pay off in the team's own data?

The handoff SLA promises a first touch within ``handoff.first_touch_hours``. This module
puts that promise next to the outcome it is meant to protect:

- :func:`conversion_by_response_time`: MQL episodes bucketed by the hours to their first
  sales touch (the judged clock of :func:`analytics.handoff.speed_to_lead`: calendar or
  business hours), and per bucket the share that reached ``to_stage`` (default ``sql``)
  within ``funnel.window_days`` of the MQL, with a 95 % Wilson interval.
- :func:`sla_line_effect`: the same split at one line (default the SLA's own): conversion
  of episodes touched within it against those touched later, and their ratio.

Definitions (shown next to the numbers):

- Only *mature* episodes count: those that started at least ``funnel.window_days`` before
  ``as_of``, so every episode had the full window to convert.
- A bucket holds ``lower < hours <= upper`` (the SLA's "met" is ``hours <= limit``, so a
  line at the SLA splits met from late touches); episodes with no touch by ``as_of``
  form their own bucket, ``no touch``, and are left out of :func:`sla_line_effect`.
- Converted = the lead entered ``to_stage`` at or after the episode's start and within
  ``funnel.window_days`` of it.

The comparison is observational: faster answers may go to better leads (a demo request
is both urgent and likely to convert). Split by ``trigger`` (``by=["trigger"]``) to see
whether the gap holds within each kind of MQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Literal, get_args

import polars as pl

from analytics.config import SlaConfig
from analytics.stats import rate_columns
from analytics.tables import Tables
from analytics.texts import Lang
from analytics.timeframe import as_utc, utc_lit

ConversionStage = Literal["sal", "sql", "opportunity", "customer"]
CONVERSION_STAGES: tuple[str, ...] = get_args(ConversionStage)
#: Default bucket edges in hours: within 1 h, 1-4 h, 4-24 h, 24-72 h, later.
DEFAULT_EDGES_HOURS: tuple[float, ...] = (1.0, 4.0, 24.0, 72.0)
NO_TOUCH = "no touch"


#: The lead-response research's buckets: within 5 min, 15 min, 1 h, 4 h, 24 h.
RESEARCH_EDGES_HOURS: tuple[float, ...] = (5 / 60, 0.25, 1.0, 4.0, 24.0)
#: Column of :func:`speed_buckets` per research edge.
RESEARCH_COLUMNS: tuple[str, ...] = (
    "within_5_min",
    "within_15_min",
    "within_1_h",
    "within_4_h",
    "within_24_h",
)


def _hours(value: float) -> str:
    """An edge for people: minutes below an hour.

    >>> _hours(0.25), _hours(4.0)
    ('15 min', '4 h')
    """
    if value < 1:
        return f"{round(value * 60):g} min"
    return f"{value:g} h"


def bucket_labels(edges_hours: Sequence[float]) -> list[str]:
    """The labels of the buckets cut at ``edges_hours`` (then ``no touch``).

    >>> bucket_labels([1, 4, 24])
    ['≤ 1 h', '1-4 h', '4-24 h', '> 24 h', 'no touch']
    >>> bucket_labels(RESEARCH_EDGES_HOURS)[:3]
    ['≤ 5 min', '5 min-15 min', '15 min-1 h']
    """
    edges = _check_edges(edges_hours)
    labels = [f"≤ {_hours(edges[0])}"]
    labels += [
        f"{lo:g}-{_hours(hi)}" if lo >= 1 else f"{_hours(lo)}-{_hours(hi)}"
        for lo, hi in pairwise(edges)
    ]
    return [*labels, f"> {_hours(edges[-1])}", NO_TOUCH]


def _check_edges(edges_hours: Sequence[float]) -> list[float]:
    edges = [float(e) for e in edges_hours]
    if not edges or edges[0] <= 0 or any(b <= a for a, b in pairwise(edges)):
        raise ValueError(
            f"edges_hours = {list(edges_hours)}: need at least one edge, all positive and "
            "strictly increasing, e.g. (1, 4, 24, 72)"
        )
    return edges


def _check_stage(to_stage: str) -> None:
    if to_stage not in CONVERSION_STAGES:
        raise ValueError(f"unknown to_stage {to_stage!r}; allowed: {', '.join(CONVERSION_STAGES)}")


def conversion_by_response_time(
    speed: pl.LazyFrame,
    lifecycle_events: pl.LazyFrame,
    *,
    config: SlaConfig,
    as_of: datetime,
    edges_hours: Sequence[float] = DEFAULT_EDGES_HOURS,
    to_stage: ConversionStage = "sql",
    by: Sequence[str] = (),
) -> pl.LazyFrame:
    """Conversion of MQL episodes by the hours to their first sales touch.

    Parameters
    ----------
    speed : LazyFrame
        From :func:`analytics.handoff.speed_to_lead` (``lead_id``, ``started_at``,
        ``hours_to_first_touch``, plus any ``by`` columns such as ``trigger``).
    lifecycle_events : LazyFrame
        The ``lifecycle_events`` table.
    config : SlaConfig
        ``funnel.window_days`` (the conversion window) and ``handoff.first_touch_hours``
        (for ``within_sla``).
    as_of : datetime
        The moment of judgement: later events do not exist; episodes younger than the
        window are left out.
    edges_hours : sequence of float, default (1, 4, 24, 72)
        Upper edges of the buckets, increasing.
    to_stage : {"sal", "sql", "opportunity", "customer"}, default "sql"
        The conversion that counts.
    by : sequence of str
        Grouping columns of ``speed`` (e.g. ``["trigger"]`` or ``["owner_rep_id"]``).

    Returns
    -------
    LazyFrame, one row per group and bucket (every bucket, empty ones with ``n`` 0):
    [``by``...], ``bucket`` (label), ``bucket_order`` (0, 1, ...), ``lower_hours``,
    ``upper_hours`` (null for the open last bucket and ``no touch``), ``within_sla``
    (the whole bucket is within ``handoff.first_touch_hours``; null for ``no touch``),
    ``x`` (converted), ``n`` (mature episodes), ``rate``, ``ci_low``, ``ci_high``.

    Examples
    --------
    >>> from datetime import UTC
    >>> from analytics.config import load_config
    >>> cfg = load_config("data/sla.toml")  # window 90 days, SLA 24 h
    >>> speed = pl.LazyFrame({
    ...     "lead_id": ["a", "b", "c"],
    ...     "started_at": [datetime(2026, 1, 5, tzinfo=UTC)] * 3,
    ...     "hours_to_first_touch": [0.5, 30.0, None]})
    >>> events = pl.LazyFrame({"lead_id": ["a"], "stage": ["sql"],
    ...                        "entered_at": [datetime(2026, 1, 20, tzinfo=UTC)]})
    >>> r = conversion_by_response_time(speed, events, config=cfg, edges_hours=[1, 24],
    ...                                 as_of=datetime(2026, 6, 1, tzinfo=UTC))
    >>> r.select("bucket", "within_sla", "x", "n", "rate").collect().rows()
    [('≤ 1 h', True, 1, 1, 1.0), ('1-24 h', True, 0, 0, None), ('> 24 h', False, 0, 1, 0.0), ('no touch', None, 0, 1, 0.0)]
    """  # noqa: E501
    edges = _check_edges(edges_hours)
    _check_stage(to_stage)
    keys = list(by)
    as_of_lit = utc_lit(as_of)
    window = timedelta(days=config.funnel.window_days)
    labels = bucket_labels(edges)
    lowers = [0.0, *edges, None]
    uppers = [*edges, None, None]
    sla = float(config.handoff.first_touch_hours)
    buckets = pl.LazyFrame(
        {
            "bucket": labels,
            "bucket_order": list(range(len(labels))),
            "lower_hours": lowers,
            "upper_hours": uppers,
            "within_sla": [u <= sla for u in edges] + [False, None],
        },
        schema={
            "bucket": pl.String,
            "bucket_order": pl.Int64,
            "lower_hours": pl.Float64,
            "upper_hours": pl.Float64,
            "within_sla": pl.Boolean,
        },
    )
    hours = pl.col("hours_to_first_touch")
    order: pl.Expr = pl.lit(len(edges), dtype=pl.Int64)
    for i, edge in reversed(list(enumerate(edges))):
        order = pl.when(hours <= edge).then(pl.lit(i, dtype=pl.Int64)).otherwise(order)
    order = pl.when(hours.is_null()).then(pl.lit(len(edges) + 1, dtype=pl.Int64)).otherwise(order)
    episodes = (
        speed.filter(pl.col("started_at") + window <= as_of_lit)
        .select(*keys, "lead_id", "started_at", order.alias("bucket_order"))
        .with_row_index("_episode")
    )
    reached = (
        lifecycle_events.filter((pl.col("stage") == to_stage) & (pl.col("entered_at") <= as_of_lit))
        .join(episodes.select("lead_id").unique(), on="lead_id", how="semi")
        .select("lead_id", pl.col("entered_at").alias("_reached_at"))
        .sort("_reached_at")
    )
    converted = (
        episodes.sort("started_at")
        .join_asof(
            reached,
            left_on="started_at",
            right_on="_reached_at",
            by="lead_id",
            strategy="forward",
            coalesce=False,
            check_sortedness=False,
        )
        .with_columns(
            (
                pl.col("_reached_at").is_not_null()
                & (pl.col("_reached_at") <= pl.col("started_at") + window)
            ).alias("_converted")
        )
    )
    counts = converted.group_by(*keys, "bucket_order").agg(
        pl.col("_converted").sum().cast(pl.Int64).alias("x"), pl.len().cast(pl.Int64).alias("n")
    )
    grid = counts.select(keys).unique().join(buckets, how="cross") if keys else buckets
    return (
        grid.join(counts, on=[*keys, "bucket_order"], how="left", nulls_equal=True)
        .with_columns(pl.col("x").fill_null(0), pl.col("n").fill_null(0))
        .with_columns(rate_columns("x", "n"))
        .sort(*keys, "bucket_order", nulls_last=True)
        .select(
            *keys,
            "bucket",
            "bucket_order",
            "lower_hours",
            "upper_hours",
            "within_sla",
            "x",
            "n",
            "rate",
            "ci_low",
            "ci_high",
        )
    )


def sla_line_effect(
    speed: pl.LazyFrame,
    lifecycle_events: pl.LazyFrame,
    *,
    config: SlaConfig,
    as_of: datetime,
    hours: float | None = None,
    to_stage: ConversionStage = "sql",
    by: Sequence[str] = (),
) -> pl.LazyFrame:
    """Conversion of episodes touched within ``hours`` against those touched later.

    Parameters
    ----------
    speed, lifecycle_events, config, as_of, to_stage, by
        As :func:`conversion_by_response_time`.
    hours : float, optional
        The line; default the SLA's ``handoff.first_touch_hours``. ``hours=1`` asks the
        question of the lead-response research ("within the first hour").

    Returns
    -------
    LazyFrame, one row per group: [``by``...], ``hours``, ``x_within``, ``n_within``,
    ``rate_within``, ``ci_low_within``, ``ci_high_within``, the same five ``*_later`` for
    episodes touched after the line (episodes never touched are not in either), and
    ``ratio`` = ``rate_within / rate_later`` (null when ``rate_later`` is 0 or null).

    Examples
    --------
    >>> from datetime import UTC
    >>> from analytics.config import load_config
    >>> cfg = load_config("data/sla.toml")
    >>> speed = pl.LazyFrame({
    ...     "lead_id": ["a", "b", "c", "d"],
    ...     "started_at": [datetime(2026, 1, 5, tzinfo=UTC)] * 4,
    ...     "hours_to_first_touch": [2.0, 10.0, 40.0, 50.0]})
    >>> events = pl.LazyFrame({"lead_id": ["a", "b", "c"], "stage": ["sql"] * 3,
    ...                        "entered_at": [datetime(2026, 2, 1, tzinfo=UTC)] * 3})
    >>> # within 24 h: a, b both converted (2/2 = 1.0); later: c of c, d (1/2 = 0.5)
    >>> e = sla_line_effect(speed, events, config=cfg, as_of=datetime(2026, 6, 1, tzinfo=UTC))
    >>> e.select("hours", "x_within", "n_within", "x_later", "n_later", "ratio").collect().row(0)
    (24.0, 2, 2, 1, 2, 2.0)
    """
    line = float(config.handoff.first_touch_hours if hours is None else hours)
    keys = list(by)
    buckets = conversion_by_response_time(
        speed,
        lifecycle_events,
        config=config,
        as_of=as_of,
        edges_hours=[line],
        to_stage=to_stage,
        by=keys,
    ).filter(pl.col("bucket_order") < 2)
    side = pl.when(pl.col("bucket_order") == 0).then(pl.lit("within")).otherwise(pl.lit("later"))
    sums = buckets.with_columns(side.alias("_side"))
    parts = [
        sums.filter(pl.col("_side") == name).select(
            *keys,
            pl.col("x").alias(f"x_{name}"),
            pl.col("n").alias(f"n_{name}"),
            pl.col("rate").alias(f"rate_{name}"),
            pl.col("ci_low").alias(f"ci_low_{name}"),
            pl.col("ci_high").alias(f"ci_high_{name}"),
        )
        for name in ("within", "later")
    ]
    joined = (
        parts[0].join(parts[1], on=keys, how="left", nulls_equal=True)
        if keys
        else pl.concat(parts, how="horizontal")
    )
    later = pl.col("rate_later")
    return (
        joined.select(*keys, pl.lit(line, dtype=pl.Float64).alias("hours"), pl.exclude(keys))
        .with_columns(pl.when(later > 0).then(pl.col("rate_within") / later).alias("ratio"))
        .sort(keys or "hours", nulls_last=True)
    )


def immature_reason(
    speed: pl.LazyFrame | pl.DataFrame,
    *,
    config: SlaConfig,
    as_of: datetime,
    lang: Lang = "en",
) -> str | None:
    """Why no episode of ``speed`` counts in :func:`conversion_by_response_time` and
    :func:`sla_line_effect`: none has had its ``funnel.window_days`` to convert by ``as_of``
    (only mature episodes count); one sentence with the earliest episode's start and the
    day its window closes (days in ``config.reporting.timezone``). None when an episode
    has had its window, or there is none.

    Every bucket then has ``n`` 0 and every line no ratio: not too few episodes on one side
    of a line, but no outcome known yet.

    Examples
    --------
    >>> from datetime import UTC
    >>> from analytics.config import load_config
    >>> speed = pl.LazyFrame({"started_at": [datetime(2026, 9, 3, 10, tzinfo=UTC)]})
    >>> immature_reason(speed, config=load_config("data/sla.toml"),
    ...                 as_of=datetime(2026, 10, 10, tzinfo=UTC))  # doctest: +ELLIPSIS
    'No MQL episode has had its 90 days to convert yet: the earliest started on 2026-09-03, its window closes on 2026-12-02, and the data runs to 2026-10-10; ...'
    >>> immature_reason(speed, config=load_config("data/sla.toml"),
    ...                 as_of=datetime(2026, 12, 2, 10, tzinfo=UTC)) is None
    True
    """  # noqa: E501
    from zoneinfo import ZoneInfo

    from analytics.texts import render

    first = speed.lazy().select(pl.col("started_at").min()).collect().item()
    window = timedelta(days=config.funnel.window_days)
    if first is None or as_utc(first) + window <= as_utc(as_of):
        return None
    zone = ZoneInfo(config.reporting.timezone)
    return render(
        "response.immature",
        lang=lang,
        days=config.funnel.window_days,
        day=as_utc(first).astimezone(zone).date(),
        closes=(as_utc(first) + window).astimezone(zone).date(),
        as_of=as_utc(as_of).astimezone(zone).date(),
    )


def first_touch_channel(speed: pl.LazyFrame, sales_touches: pl.LazyFrame) -> pl.LazyFrame:
    """The speed-to-lead rows, in their order, with ``first_touch_channel`` (the channel of
    the first touch).

    Examples
    --------
    >>> from datetime import UTC
    >>> t = datetime(2026, 1, 5, 9, tzinfo=UTC)
    >>> speed = pl.LazyFrame({"lead_id": ["a", "b"], "first_touch_at": [t, None]})
    >>> touches = pl.LazyFrame({"lead_id": ["a", "a"], "occurred_at": [t, t],
    ...                         "channel": ["phone", "email"], "touch_id": ["2", "1"]})
    >>> first_touch_channel(speed, touches).collect()["first_touch_channel"].to_list()
    ['email', None]
    """
    firsts = (
        sales_touches.join(speed.select("lead_id").unique(), on="lead_id", how="semi")
        .sort("occurred_at", "touch_id")
        .group_by("lead_id", "occurred_at", maintain_order=True)
        .agg(pl.col("channel").first().alias("first_touch_channel"))
        .rename({"occurred_at": "first_touch_at"})
    )
    return speed.join(firsts, on=["lead_id", "first_touch_at"], how="left", maintain_order="left")


def research_conversion(tables: Tables, *, config: SlaConfig, as_of: datetime) -> pl.DataFrame:
    """MQL -> SQL by the research's speed buckets (:data:`RESEARCH_EDGES_HOURS`, calendar
    hours) over the mature episodes of the year before the conversion window: what the
    Handoffs page shows (stored at import, :mod:`analytics.precompute`).

    Parameters
    ----------
    tables : Tables
        The warehouse's tables (cut at ``as_of`` here).
    config : SlaConfig
        The SLA (its handoff lines and ``funnel.window_days``).
    as_of : datetime
        The moment of judgement.

    Returns
    -------
    DataFrame: :func:`conversion_by_response_time` of the episodes that started between
    ``as_of - window_days - 365 days`` and ``as_of - window_days``.

    Examples
    --------
    >>> from datetime import UTC
    >>> from analytics.config import load_config
    >>> t = Tables.from_rows(
    ...     lifecycle_events=[
    ...         {"lead_id": "a", "stage": "mql", "entered_at": "2025-06-02T09:00Z"},
    ...         {"lead_id": "a", "stage": "sql", "entered_at": "2025-06-03T09:00Z"}],
    ...     sales_touches=[{"touch_id": "x", "lead_id": "a", "rep_id": "r", "channel": "phone",
    ...                     "occurred_at": "2025-06-02T09:10Z", "outcome": "connected"}])
    >>> r = research_conversion(t, config=load_config("data/sla.toml"),
    ...                         as_of=datetime(2026, 1, 1, tzinfo=UTC))
    >>> r.filter(pl.col("n") > 0).select("bucket", "x", "n").rows()
    [('5 min-15 min', 1, 1)]
    """
    from analytics.episodes import episodes_of
    from analytics.handoff import segments_for_lines, speed_to_lead

    t = tables.until(as_of)
    mature = as_utc(as_of) - timedelta(days=config.funnel.window_days)
    ts = pl.Datetime("us", "UTC")
    eps = episodes_of(t).filter(
        pl.col("started_at").is_between(
            pl.lit(mature - timedelta(days=365), dtype=ts), pl.lit(mature, dtype=ts)
        )
    )
    segments = segments_for_lines(t, config=config)
    speed = speed_to_lead(eps, t.sales_touches, config=config, as_of=as_of, segments=segments)
    return conversion_by_response_time(
        speed.with_columns(pl.col("calendar_hours").alias("hours_to_first_touch")),
        t.lifecycle_events,
        config=config,
        as_of=as_of,
        edges_hours=RESEARCH_EDGES_HOURS,
    ).collect()


def speed_buckets(speed: pl.LazyFrame, *, by: Sequence[str] = ()) -> pl.LazyFrame:
    """Speed to lead in the lead-response research's buckets, in total or per group.

    The share of the episodes touched within 5 min, 15 min, 1 h, 4 h and 24 h of the
    MQL (calendar time: the research's clock, whatever the SLA's), and the median and
    p90 hours to the first touch of those touched. The share's base is every episode,
    touched or not, but a pending one (``status``: untouched, its deadline not passed at
    the moment of judgement, or past the last touch when the touches stopped): how soon
    it will be touched is not known yet.

    Parameters
    ----------
    speed : LazyFrame
        :func:`analytics.handoff.speed_to_lead` (``calendar_hours``; plus ``by`` columns,
        e.g. ``owner_rep_id``, a lead's ``source``, ``first_touch_channel``).
    by : sequence of str
        Grouping columns; empty: one row.

    Returns
    -------
    LazyFrame, one row per group: [``by``...], ``episodes``, ``touched``,
    :data:`RESEARCH_COLUMNS` (shares), ``median_hours``, ``p90_hours``; most episodes first.

    Examples
    --------
    >>> speed = pl.LazyFrame({"calendar_hours": [0.05, 0.2, 2.0, 30.0, None, None],
    ...                       "status": ["met"] * 3 + ["missed"] * 2 + ["pending"]})
    >>> speed_buckets(speed).select("episodes", "within_5_min", "within_15_min",
    ...                             "within_4_h", "median_hours").collect().row(0)
    (6, 0.2, 0.4, 0.6, 1.1)
    """
    hours = pl.col("calendar_hours")
    # a pending episode's hours are not known yet (without a status, all are decided)
    decided = "status" in speed.collect_schema().names()
    known = pl.col("status") != "pending"
    n = known.sum() if decided else pl.len()

    def within(edge: float) -> pl.Expr:
        return ((hours <= edge) & known).sum() if decided else (hours <= edge).sum()

    aggs = [
        pl.len().cast(pl.Int64).alias("episodes"),
        hours.is_not_null().sum().cast(pl.Int64).alias("touched"),
        *[
            pl.when(n > 0).then(within(edge) / n).alias(name)
            for edge, name in zip(RESEARCH_EDGES_HOURS, RESEARCH_COLUMNS, strict=True)
        ],
        hours.median().alias("median_hours"),
        hours.quantile(0.9, interpolation="linear").alias("p90_hours"),
    ]
    if not by:
        return speed.select(aggs)
    return (
        speed.group_by(list(by))
        .agg(aggs)
        .sort("episodes", *by, descending=[True] + [False] * len(by), nulls_last=True)
    )


__all__ = [
    "CONVERSION_STAGES",
    "DEFAULT_EDGES_HOURS",
    "NO_TOUCH",
    "RESEARCH_COLUMNS",
    "RESEARCH_EDGES_HOURS",
    "ConversionStage",
    "bucket_labels",
    "conversion_by_response_time",
    "first_touch_channel",
    "immature_reason",
    "research_conversion",
    "sla_line_effect",
    "speed_buckets",
]
