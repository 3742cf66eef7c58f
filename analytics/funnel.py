"""The funnel: monthly volumes per stage, period and cohort rates, velocity, skipped stages.

Definitions (spec/metrics.md, "Volumes of a month M" and "Conversion rates"):

- ``visitors`` = sum of web_traffic.visitors with date in M; ``leads`` = leads created
  in M; ``mqls`` ... ``disqualified`` = distinct leads with at least one lifecycle event
  of that stage in M; ``deals_won`` = opportunities won with closed_at in M and
  ``won_revenue`` their amount.
- Period rates: ratio of two volumes of the same month (null on a zero denominator).
- Cohort rates: of the leads that entered stage A in M, the share that entered stage B
  within ``funnel.window_days`` of entering A; immature while that window is still open
  at ``as_of``.

Every function can split by a segment (:data:`SEGMENTS`): the lead's source, campaign,
country, seniority, role, owner, or its account's industry or size band. Visitors are
anonymous, so they split only by source (null for the other segments).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import pairwise
from typing import Literal, get_args

import polars as pl

from analytics.config import SlaConfig
from analytics.stats import money_sum, rate_columns
from analytics.tables import Tables, one_of
from analytics.timeframe import (
    Window,
    as_utc,
    month_label_of,
    month_labels,
    months_window,
)

Segment = Literal[
    "source", "campaign", "country", "seniority", "role", "owner", "industry", "size_band"
]
SEGMENTS: tuple[str, ...] = get_args(Segment)
#: Segment name -> column of :func:`lead_segments`.
SEGMENT_COLUMNS: dict[str, str] = {s: ("owner_rep_id" if s == "owner" else s) for s in SEGMENTS}

#: Lifecycle stages counted as monthly volumes, and the volume column of each.
STAGE_VOLUMES: dict[str, str] = {
    "mql": "mqls",
    "sal": "sals",
    "sql": "sqls",
    "opportunity": "opportunities",
    "customer": "customers",
    "recycled": "recycled",
    "disqualified": "disqualified",
}
VOLUME_COLUMNS: tuple[str, ...] = (
    "visitors",
    "leads",
    *STAGE_VOLUMES.values(),
    "deals_won",
    "won_revenue",
)
#: Period rates: name -> (numerator volume, denominator volume).
PERIOD_RATES: dict[str, tuple[str, str]] = {
    "visitor_to_lead": ("leads", "visitors"),
    "lead_to_mql": ("mqls", "leads"),
    "mql_to_sql": ("sqls", "mqls"),
    "sql_to_opportunity": ("opportunities", "sqls"),
    "opportunity_to_won": ("deals_won", "opportunities"),
}
#: The main path of the funnel, in order (velocity and skipped stages follow it).
MAIN_PATH: tuple[str, ...] = ("lead", "mql", "sal", "sql", "opportunity", "customer")
#: Cohort rates: (from stage, to stage).
COHORT_PAIRS: tuple[tuple[str, str], ...] = (
    ("lead", "mql"),
    ("mql", "sal"),
    ("mql", "sql"),
    ("sal", "sql"),
    ("sql", "opportunity"),
    ("opportunity", "customer"),
)
VELOCITY_PAIRS: tuple[tuple[str, str], ...] = tuple(pairwise(MAIN_PATH))


#: Every pair the review needs (cohorts and velocity share one transitions frame).
ALL_PAIRS: tuple[tuple[str, str], ...] = tuple(dict.fromkeys(COHORT_PAIRS + VELOCITY_PAIRS))


def _pairs_frame(pairs: tuple[tuple[str, str], ...]) -> pl.LazyFrame:
    return pl.LazyFrame(
        {"from_stage": [a for a, _ in pairs], "to_stage": [b for _, b in pairs]},
        schema={"from_stage": pl.String, "to_stage": pl.String},
    )


def _only_pairs(frame: pl.LazyFrame, pairs: tuple[tuple[str, str], ...]) -> pl.LazyFrame:
    return frame.join(_pairs_frame(pairs), on=["from_stage", "to_stage"], how="semi")


def check_segment(by: str | None) -> str | None:
    """Validate a segment name; None means the whole funnel.

    >>> check_segment("region")
    Traceback (most recent call last):
    ...
    ValueError: unknown segment 'region'; allowed: source, campaign, country, seniority, ...
    """
    if by is not None and by not in SEGMENTS:
        raise ValueError(f"unknown segment {by!r}; allowed: {', '.join(SEGMENTS)}")
    return by


def size_band(employees: str | pl.Expr, *, config: SlaConfig) -> pl.Expr:
    """Expression: the size band label (``config.segments.size_bands``) of an employee count.

    >>> from analytics.config import load_config
    >>> cfg = load_config("data/sla.toml")
    >>> df = pl.DataFrame({"e": [0, 49, 50, 1000, None]})
    >>> df.select(size_band("e", config=cfg))["size_band"].to_list()
    ['1-49', '1-49', '50-249', '1000+', None]
    """
    col = pl.col(employees) if isinstance(employees, str) else employees
    bands = config.segments.size_bands
    expr: pl.Expr = pl.lit(None, dtype=pl.String)
    for band in bands:  # ascending: a later (larger) band wins
        expr = pl.when(col >= band.min_employees).then(pl.lit(band.label)).otherwise(expr)
    return expr.alias("size_band")


def lead_segments(
    leads: pl.LazyFrame, accounts: pl.LazyFrame, *, config: SlaConfig
) -> pl.LazyFrame:
    """Each lead's segment values.

    Returns
    -------
    LazyFrame, one row per lead: ``lead_id``, ``source``, ``campaign``, ``country``,
    ``seniority``, ``role``, ``owner_rep_id``, ``industry``, ``size_band``.
    """
    acc = accounts.select(
        "account_id", "industry", size_band("employees", config=config).alias("size_band")
    )
    return leads.join(acc, on="account_id", how="left").select(
        "lead_id",
        "source",
        "campaign",
        "country",
        "seniority",
        "role",
        "owner_rep_id",
        "industry",
        "size_band",
    )


def _seg_join(frame: pl.LazyFrame, segs: pl.LazyFrame | None, by: str | None) -> pl.LazyFrame:
    if by is None or segs is None:
        return frame
    col = SEGMENT_COLUMNS[by]
    return frame.join(
        segs.select("lead_id", pl.col(col).alias("segment")), on="lead_id", how="left"
    )


def monthly_volumes(
    tables: Tables,
    *,
    config: SlaConfig,
    month: str,
    months: int = 1,
    by: Segment | None = None,
) -> pl.LazyFrame:
    """Monthly volumes per stage (spec "Volumes of a month M").

    Parameters
    ----------
    tables : Tables
        The warehouse tables, already cut at ``as_of`` (``tables.until(as_of)``).
    config : SlaConfig
        For the reporting time zone and the size bands.
    month : str
        The first month, ``YYYY-MM``.
    months : int, default 1
        How many consecutive months.
    by : Segment or None
        Split by this segment (column ``segment``); None: the whole funnel.

    Returns
    -------
    LazyFrame, one row per month (and segment value): ``month``, [``segment``],
    ``visitors`` (null when split by a segment other than source), ``leads``, ``mqls``,
    ``sals``, ``sqls``, ``opportunities``, ``customers``, ``recycled``, ``disqualified``,
    ``deals_won``, ``won_revenue``. Without ``by`` every month has a row (zeros when empty).

    Examples
    --------
    >>> from analytics.config import load_config
    >>> t = Tables.from_rows(leads=[
    ...     {"lead_id": "a", "created_at": "2026-10-03T10:00:00Z", "source": "email"}])
    >>> v = monthly_volumes(t, config=load_config("data/sla.toml"), month="2026-09", months=2)
    >>> v.select("month", "leads", "mqls").collect().rows()
    [('2026-09', 0, 0), ('2026-10', 1, 0)]
    """
    check_segment(by)
    tz = config.month_zones  # where each month starts and ends
    window = months_window(month, months, timezone=tz)
    span = {"month": month, "months": months, "timezone": tz}
    segs = lead_segments(tables.leads, tables.accounts, config=config) if by else None
    keys = ["month", "segment"] if by else ["month"]

    seg = ["segment"] if by else []

    def counted(frame: pl.LazyFrame, metric: str | pl.Expr, value: pl.Expr) -> pl.LazyFrame:
        """Aggregate rows to (month, [segment], metric, value) before the union."""
        name = pl.lit(metric) if isinstance(metric, str) else metric
        frame = frame.with_columns(name.alias("metric"))
        return frame.group_by("month", *seg, "metric").agg(value.cast(pl.Float64).alias("value"))

    parts: list[pl.LazyFrame] = []
    if by in (None, "source"):
        traffic = tables.web_traffic.filter(window.contains_date("date")).select(
            pl.col("date").dt.strftime("%Y-%m").alias("month"),
            pl.col("source").alias("segment"),
            "visitors",
        )
        parts.append(counted(traffic, "visitors", pl.col("visitors").sum()))
    leads = _seg_join(
        tables.leads.filter(window.contains("created_at")).select(
            "lead_id", month_label_of("created_at", **span).alias("month")
        ),
        segs,
        by,
    )
    parts.append(counted(leads, "leads", pl.len()))
    events = _seg_join(
        tables.lifecycle_events.filter(
            window.contains("entered_at") & one_of("stage", STAGE_VOLUMES)
        ).select("lead_id", "stage", month_label_of("entered_at", **span).alias("month")),
        segs,
        by,
    )
    parts.append(
        counted(
            events,
            pl.col("stage").replace_strict(STAGE_VOLUMES, return_dtype=pl.String),
            pl.col("lead_id").n_unique(),
        )
    )
    won = _seg_join(
        tables.opportunities.filter(
            (pl.col("status") == "won") & window.contains("closed_at")
        ).select("lead_id", "amount", month_label_of("closed_at", **span).alias("month")),
        segs,
        by,
    )
    parts.append(counted(won, "deals_won", pl.len()))
    parts.append(counted(won, "won_revenue", money_sum("amount")))
    if by is None:
        base = pl.LazyFrame({"month": month_labels(month, months), "metric": "leads", "value": 0.0})
        parts.append(base)
    allv = pl.concat(parts, how="diagonal_relaxed")
    aggs = []
    for name in VOLUME_COLUMNS:
        value = pl.col("value").filter(pl.col("metric") == name).sum()
        if name == "won_revenue":
            aggs.append(value.alias(name))
        elif name == "visitors" and by not in (None, "source"):
            aggs.append(pl.lit(None, dtype=pl.Int64).alias(name))
        else:
            aggs.append(value.cast(pl.Int64).alias(name))
    return allv.group_by(keys).agg(aggs).sort(keys, nulls_last=True)


def period_rates(volumes: pl.LazyFrame) -> pl.LazyFrame:
    """The period conversion rates of monthly volumes (spec "Conversion rates").

    Parameters
    ----------
    volumes : LazyFrame
        From :func:`monthly_volumes`.

    Returns
    -------
    LazyFrame, one row per month (, segment) and rate: ``month``, [``segment``],
    ``metric`` (visitor_to_lead, lead_to_mql, mql_to_sql, sql_to_opportunity,
    opportunity_to_won), ``x``, ``n``, ``rate``, ``ci_low``, ``ci_high`` (95 % Wilson).
    ``rate`` is null when ``n`` is 0 or unknown.

    Examples
    --------
    >>> v = pl.LazyFrame({"month": ["2026-10"], "visitors": [0], "leads": [4], "mqls": [1],
    ...                   "sqls": [0], "opportunities": [0], "deals_won": [0]})
    >>> period_rates(v).select("metric", "x", "n", "rate").collect().rows()[:3]
    [('visitor_to_lead', 4, 0, None), ('lead_to_mql', 1, 4, 0.25), ('mql_to_sql', 0, 1, 0.0)]
    """
    names = volumes.collect_schema().names()
    keys = [k for k in ("month", "segment") if k in names]
    frames = [
        volumes.select(
            *keys,
            pl.lit(metric).alias("metric"),
            pl.col(num).cast(pl.Int64).alias("x"),
            pl.col(den).cast(pl.Int64).alias("n"),
        )
        for metric, (num, den) in PERIOD_RATES.items()
    ]
    return pl.concat(frames).with_columns(rate_columns("x", "n"))


def _entries(tables: Tables, stages: set[str], window: Window | None) -> pl.LazyFrame:
    """(lead_id, stage, entered_at): lifecycle events plus lead creation as stage ``lead``."""
    ev = tables.lifecycle_events.filter(one_of("stage", sorted(stages - {"lead"})))
    ev = ev.select("lead_id", "stage", "entered_at")
    parts = [ev]
    if "lead" in stages:
        parts.append(
            tables.leads.select(
                "lead_id", pl.lit("lead").alias("stage"), pl.col("created_at").alias("entered_at")
            )
        )
    out = pl.concat(parts)
    return out.filter(window.contains("entered_at")) if window is not None else out


def stage_transitions(
    tables: Tables,
    *,
    config: SlaConfig,
    month: str,
    months: int = 1,
    pairs: tuple[tuple[str, str], ...] = COHORT_PAIRS,
    by: Segment | None = None,
) -> pl.LazyFrame:
    """For each lead entering stage A in the months, when it next entered stage B.

    Returns
    -------
    LazyFrame, one row per (lead, month, pair): ``month``, [``segment``], ``lead_id``,
    ``from_stage``, ``to_stage``, ``entered_at`` (first entry into A in that month),
    ``reached_at`` (first entry into B at or after it; null if none by ``as_of``),
    ``days`` (between them).
    """
    check_segment(by)
    tz = config.month_zones  # where each month starts and ends
    window = months_window(month, months, timezone=tz)
    span = {"month": month, "months": months, "timezone": tz}
    froms = {a for a, _ in pairs}
    tos = {b for _, b in pairs}
    pair_frame = pl.LazyFrame(
        {"from_stage": [a for a, _ in pairs], "to_stage": [b for _, b in pairs]}
    )
    a = (
        _entries(tables, froms, window)
        .with_columns(month_label_of("entered_at", **span).alias("month"))
        .group_by("lead_id", "stage", "month")
        .agg(pl.col("entered_at").min())
        .rename({"stage": "from_stage"})
        .join(pair_frame, on="from_stage", how="inner")
        .sort("entered_at")
    )
    # every entry into a B from M on: the as-of join by lead finds A's own, and cutting B
    # to A's leads first (a semi join) cost more than sorting the entries of other leads
    b = (
        _entries(tables, tos, None)
        .filter(pl.col("entered_at") >= window.start_lit)  # B follows A, inside or after M
        .rename({"stage": "to_stage", "entered_at": "reached_at"})
        .sort("reached_at")
    )
    joined = a.join_asof(
        b,
        left_on="entered_at",
        right_on="reached_at",
        by=["lead_id", "to_stage"],
        strategy="forward",
        coalesce=False,
        check_sortedness=False,
    ).with_columns(
        ((pl.col("reached_at") - pl.col("entered_at")).dt.total_seconds() / 86400.0).alias("days")
    )
    segs = lead_segments(tables.leads, tables.accounts, config=config) if by else None
    joined = _seg_join(joined, segs, by)
    seg = ["segment"] if by else []
    return joined.select(
        "month", *seg, "lead_id", "from_stage", "to_stage", "entered_at", "reached_at", "days"
    )


def cohort_rates(
    tables: Tables,
    *,
    config: SlaConfig,
    month: str,
    as_of: datetime,
    months: int = 1,
    by: Segment | None = None,
    transitions: pl.LazyFrame | None = None,
    pairs: tuple[tuple[str, str], ...] = COHORT_PAIRS,
) -> pl.LazyFrame:
    """Cohort conversion: of the leads entering A in M, the share entering B within the window.

    Parameters
    ----------
    tables : Tables
        Cut at ``as_of``.
    config : SlaConfig
        ``funnel.window_days`` is the window; ``reporting.timezone`` the calendar.
    month, months : str, int
        The cohort months.
    as_of : datetime
        A cohort is immature when ``end of month + window_days > as_of``.
    by : Segment or None
    transitions : LazyFrame, optional
        Precomputed :func:`stage_transitions` of the same months (with at least the
        :data:`COHORT_PAIRS`); shared with :func:`velocity` by the review.
    pairs : tuple of (str, str), default :data:`COHORT_PAIRS`
        The steps ``(A, B)``; another pair asks another question, e.g.
        ``(("mql", "customer"),)``: of the MQLs, the share won within the window (what
        an export with SQLs only for won deals, as Olist's, can answer).

    Returns
    -------
    LazyFrame, one row per month (, segment) and pair of ``pairs``:
    ``month``, [``segment``], ``from_stage``, ``to_stage``, ``x`` (reached B within the
    window), ``n`` (entered A), ``rate``, ``ci_low``, ``ci_high``, ``window_days``,
    ``is_immature``.

    Examples
    --------
    >>> from analytics.config import load_config
    >>> t = Tables.from_rows(lifecycle_events=[
    ...     {"lead_id": "a", "stage": "mql", "entered_at": "2026-01-05T00:00:00Z"},
    ...     {"lead_id": "a", "stage": "sql", "entered_at": "2026-01-09T00:00:00Z"},
    ...     {"lead_id": "b", "stage": "mql", "entered_at": "2026-01-06T00:00:00Z"}])
    >>> r = cohort_rates(t, config=load_config("data/sla.toml"), month="2026-01",
    ...                  as_of=datetime(2026, 6, 1))
    >>> r.filter(pl.col("to_stage") == "sql", pl.col("from_stage") == "mql").select(
    ...     "x", "n", "rate", "is_immature").collect().rows()
    [(1, 2, 0.5, False)]
    """
    window_days = config.funnel.window_days
    tr = (
        stage_transitions(tables, config=config, month=month, months=months, pairs=pairs, by=by)
        if transitions is None
        else _only_pairs(transitions, pairs)
    )
    limit = pl.duration(days=window_days)
    reached = pl.col("reached_at").is_not_null() & (
        pl.col("reached_at") <= pl.col("entered_at") + limit
    )
    keys = ["month", "segment"] if by else ["month"]
    agg = tr.group_by(*keys, "from_stage", "to_stage").agg(
        reached.sum().cast(pl.Int64).alias("x"), pl.len().cast(pl.Int64).alias("n")
    )
    # every (month, pair) exists without a segment split, so empty cohorts show n = 0
    if by is None:
        grid = pl.LazyFrame({"month": month_labels(month, months)}).join(
            pl.LazyFrame(
                {
                    "from_stage": [a for a, _ in pairs],
                    "to_stage": [b for _, b in pairs],
                }
            ),
            how="cross",
        )
        agg = grid.join(agg, on=["month", "from_stage", "to_stage"], how="left").with_columns(
            pl.col("x").fill_null(0), pl.col("n").fill_null(0)
        )
    as_of = as_utc(as_of)
    tz = config.month_zones  # where each month starts and ends
    closes = {
        m: months_window(m, 1, timezone=tz).end + timedelta(days=window_days)
        for m in month_labels(month, months)
    }
    immature = pl.col("month").replace_strict(
        {m: c > as_of for m, c in closes.items()}, return_dtype=pl.Boolean, default=True
    )
    order = pl.LazyFrame(
        {
            "from_stage": [a for a, _ in COHORT_PAIRS],
            "to_stage": [b for _, b in COHORT_PAIRS],
            "_order": list(range(len(COHORT_PAIRS))),
        }
    )
    return (
        agg.with_columns(
            *rate_columns("x", "n"),
            pl.lit(window_days, dtype=pl.Int64).alias("window_days"),
            immature.alias("is_immature"),
        )
        .join(order, on=["from_stage", "to_stage"], how="left")
        .sort(*keys, "_order", nulls_last=True)
        .drop("_order")
    )


def velocity(
    tables: Tables,
    *,
    config: SlaConfig,
    month: str,
    months: int = 1,
    by: Segment | None = None,
    transitions: pl.LazyFrame | None = None,
) -> pl.LazyFrame:
    """Days between consecutive stages of the main path, for leads entering A in M.

    ``transitions`` may hold precomputed :func:`stage_transitions` including
    :data:`VELOCITY_PAIRS`.

    Returns
    -------
    LazyFrame, one row per month (, segment) and pair of :data:`VELOCITY_PAIRS` that
    someone completed: ``month``, [``segment``], ``from_stage``, ``to_stage``, ``n``
    (leads that reached B), ``median_days``, ``p90_days``.
    """
    tr = (
        stage_transitions(
            tables, config=config, month=month, months=months, pairs=VELOCITY_PAIRS, by=by
        )
        if transitions is None
        else _only_pairs(transitions, VELOCITY_PAIRS)
    )
    keys = ["month", "segment"] if by else ["month"]
    return (
        tr.filter(pl.col("reached_at").is_not_null())
        .group_by(*keys, "from_stage", "to_stage")
        .agg(
            pl.len().cast(pl.Int64).alias("n"),
            pl.col("days").median().alias("median_days"),
            pl.col("days").quantile(0.9, interpolation="linear").alias("p90_days"),
        )
        .with_columns(
            pl.col("from_stage")
            .replace_strict({s: i for i, s in enumerate(MAIN_PATH)}, return_dtype=pl.Int64)
            .alias("_o")
        )
        .sort(*keys, "_o", nulls_last=True)
        .drop("_o")
    )


def skipped_stages(
    tables: Tables, *, config: SlaConfig, month: str, months: int = 1
) -> pl.LazyFrame:
    """Leads that entered a stage of the main path in M without ever passing the one before.

    ``lead`` counts as passed for every lead (it exists). A lead that entered ``sql`` with
    no earlier (or simultaneous) ``sal`` skipped ``sal``, and so on.

    Returns
    -------
    LazyFrame, one row per (lead, stage entered in M) with a skip: ``month``, ``lead_id``,
    ``stage``, ``skipped_stage``, ``entered_at`` (first entry into ``stage`` in M).

    Examples
    --------
    >>> from analytics.config import load_config
    >>> t = Tables.from_rows(lifecycle_events=[
    ...     {"lead_id": "a", "stage": "mql", "entered_at": "2026-01-05T00:00:00Z"},
    ...     {"lead_id": "a", "stage": "sql", "entered_at": "2026-01-09T00:00:00Z"}])
    >>> skipped_stages(t, config=load_config("data/sla.toml"), month="2026-01").select(
    ...     "lead_id", "stage", "skipped_stage").collect().rows()
    [('a', 'sql', 'sal')]
    """
    tz = config.month_zones  # where each month starts and ends
    window = months_window(month, months, timezone=tz)
    span = {"month": month, "months": months, "timezone": tz}
    prev = dict(zip(MAIN_PATH[2:], MAIN_PATH[1:-1], strict=True))
    entered = (
        tables.lifecycle_events.filter(one_of("stage", prev) & window.contains("entered_at"))
        .with_columns(month_label_of("entered_at", **span).alias("month"))
        .group_by("month", "lead_id", "stage")
        .agg(pl.col("entered_at").min())
        .with_columns(
            pl.col("stage").replace_strict(prev, return_dtype=pl.String).alias("skipped_stage")
        )
    )
    earlier = (
        tables.lifecycle_events.filter(one_of("stage", prev.values()))
        .join(entered.select("lead_id").unique(), on="lead_id", how="semi")
        .group_by("lead_id", "stage")
        .agg(pl.col("entered_at").min().alias("_prev_at"))
        .rename({"stage": "skipped_stage"})
    )
    return (
        entered.join(earlier, on=["lead_id", "skipped_stage"], how="left")
        .filter(pl.col("_prev_at").is_null() | (pl.col("_prev_at") > pl.col("entered_at")))
        .select("month", "lead_id", "stage", "skipped_stage", "entered_at")
        .sort("month", "stage", "lead_id")
    )


__all__ = [
    "ALL_PAIRS",
    "COHORT_PAIRS",
    "MAIN_PATH",
    "PERIOD_RATES",
    "SEGMENTS",
    "STAGE_VOLUMES",
    "VELOCITY_PAIRS",
    "VOLUME_COLUMNS",
    "Segment",
    "check_segment",
    "cohort_rates",
    "lead_segments",
    "monthly_volumes",
    "period_rates",
    "size_band",
    "skipped_stages",
    "stage_transitions",
    "velocity",
]
