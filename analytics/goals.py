"""The shared goal: the reverse funnel from the revenue target, pacing, and a forecast.

From ``goals.revenue_target_monthly`` and the trailing rates of the
``goals.rate_window_months`` months before M (spec/metrics.md, "Shared goal"):
deals = target / average won deal size, opportunities = deals / opportunity_to_won,
SQLs = opportunities / sql_to_opportunity, MQLs = SQLs / mql_to_sql,
leads = MQLs / lead_to_mql, visitors = leads / visitor_to_lead. A trailing rate is the
ratio of the window's summed volumes (not a mean of monthly rates); a rate that is null
or 0 leaves the targets above it null.

Pacing compares the actual volume to date with the linear share of each target: for
the month, and for the quarter to date (quarter start to the end of M, or ``as_of`` if
earlier). The forecast extrapolates the pace to the end of the period.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime

import polars as pl

from analytics.config import SlaConfig
from analytics.coverage import KPI_GROUPS, unpriced_months
from analytics.funnel import monthly_volumes
from analytics.stats import safe_ratio
from analytics.tables import Tables
from analytics.timeframe import (
    as_utc,
    month_labels,
    months_window,
    parse_month,
    quarter_start_month,
    shift_month,
)

#: The reverse funnel, top to bottom: (volume, rate dividing the volume above it).
REVERSE_STEPS: tuple[tuple[str, str], ...] = (
    ("won_revenue", ""),
    ("deals_won", "avg_deal_size"),
    ("opportunities", "opportunity_to_won"),
    ("sqls", "sql_to_opportunity"),
    ("mqls", "mql_to_sql"),
    ("leads", "lead_to_mql"),
    ("visitors", "visitor_to_lead"),
)
#: The measure groups each rate of the reverse funnel needs (a conversion's are its KPI's).
RATE_GROUPS: dict[str, tuple[str, ...]] = {
    "avg_deal_size": ("revenue", "deals"),
    **{rate: KPI_GROUPS[rate] for _, rate in REVERSE_STEPS if rate and rate in KPI_GROUPS},
}
_RATE_PARTS = {
    "avg_deal_size": ("won_revenue", "deals_won"),
    "opportunity_to_won": ("deals_won", "opportunities"),
    "sql_to_opportunity": ("opportunities", "sqls"),
    "mql_to_sql": ("sqls", "mqls"),
    "lead_to_mql": ("mqls", "leads"),
    "visitor_to_lead": ("leads", "visitors"),
}


def trailing_rates(volumes: pl.LazyFrame) -> pl.LazyFrame:
    """Pooled rates over monthly volumes (e.g. the six months before M).

    Returns
    -------
    LazyFrame, one row: ``avg_deal_size``, ``opportunity_to_won``,
    ``sql_to_opportunity``, ``mql_to_sql``, ``lead_to_mql``, ``visitor_to_lead``
    (null where the pooled denominator is 0, and a conversion whose later stage
    outnumbers its earlier one: a ratio above 1 is no share to divide a need by).

    Examples
    --------
    >>> v = pl.LazyFrame({"won_revenue": [100.0, 300.0], "deals_won": [1, 1],
    ...     "opportunities": [4, 4], "sqls": [8, 8], "mqls": [20, 20], "leads": [100, 100],
    ...     "visitors": [0, 0]})
    >>> trailing_rates(v).collect().row(0)
    (200.0, 0.25, 0.5, 0.4, 0.2, None)
    >>> trailing_rates(v.with_columns(sqls=pl.lit(50))).collect()["mql_to_sql"].item() is None
    True
    """
    sums = volumes.select(
        pl.col(c).cast(pl.Float64).sum()
        for c in ("won_revenue", "deals_won", "opportunities", "sqls", "mqls", "leads", "visitors")
    )
    return sums.select(
        safe_ratio(num, den).alias(name)
        if name == "avg_deal_size"
        else pl.when(pl.col(num) <= pl.col(den)).then(safe_ratio(num, den)).alias(name)
        for name, (num, den) in _RATE_PARTS.items()
    )


def reverse_funnel(rates: pl.LazyFrame, *, config: SlaConfig, months: int = 1) -> pl.LazyFrame:
    """Targets per stage from the revenue target and the trailing rates.

    Parameters
    ----------
    rates : LazyFrame
        From :func:`trailing_rates`.
    config : SlaConfig
        ``goals.revenue_target_monthly``.
    months : int, default 1
        Length of the period the targets are for.

    Returns
    -------
    LazyFrame, one row per stage, top down: ``stage`` (won_revenue, deals_won,
    opportunities, sqls, mqls, leads, visitors), ``rate_name``, ``rate`` (the trailing
    rate dividing the stage above), ``target`` (null when a rate on the way is missing).

    Examples
    --------
    >>> from analytics.config import load_config
    >>> r = pl.LazyFrame({"avg_deal_size": [50_000.0], "opportunity_to_won": [0.25],
    ...     "sql_to_opportunity": [0.5], "mql_to_sql": [0.4], "lead_to_mql": [0.2],
    ...     "visitor_to_lead": [None]}, schema_overrides={"visitor_to_lead": pl.Float64})
    >>> out = reverse_funnel(r, config=load_config("data/sla.toml"))
    >>> out.select("stage", "target").collect().rows()  # doctest: +NORMALIZE_WHITESPACE
    [('won_revenue', 1000000.0), ('deals_won', 20.0), ('opportunities', 80.0),
     ('sqls', 160.0), ('mqls', 400.0), ('leads', 2000.0), ('visitors', None)]
    """
    target = pl.lit(float(config.goals.revenue_target_monthly) * months)
    # each step divides the target above it by its rate
    frame = rates.with_columns(target.alias("_t_won_revenue"))
    for (stage, rate), (above, _) in zip(REVERSE_STEPS[1:], REVERSE_STEPS[:-1], strict=True):
        frame = frame.with_columns(safe_ratio(f"_t_{above}", rate).alias(f"_t_{stage}"))
    parts = [
        frame.select(
            pl.lit(stage).alias("stage"),
            pl.lit(rate or None, dtype=pl.String).alias("rate_name"),
            (pl.col(rate) if rate else pl.lit(None, dtype=pl.Float64)).alias("rate"),
            pl.col(f"_t_{stage}").alias("target"),
        )
        for stage, rate in REVERSE_STEPS
    ]
    return pl.concat(parts)


def _elapsed_share(start: datetime, end: datetime, until: datetime) -> float:
    total = (end - start).total_seconds()
    done = (min(max(until, start), end) - start).total_seconds()
    return done / total


def pacing(
    tables: Tables,
    *,
    config: SlaConfig,
    month: str,
    as_of: datetime,
    targets: pl.LazyFrame | None = None,
    volumes: pl.LazyFrame | None = None,
) -> pl.LazyFrame:
    """Actual to date against the linear share of the targets, for the month and the quarter.

    Parameters
    ----------
    tables : Tables
        Cut at ``as_of``.
    config : SlaConfig
    month : str
        ``YYYY-MM``.
    as_of : datetime
    targets : LazyFrame, optional
        Monthly targets (:func:`reverse_funnel`); default: computed from the trailing
        ``goals.rate_window_months`` months before ``month``.
    volumes : LazyFrame, optional
        Monthly volumes (:func:`analytics.funnel.monthly_volumes`) covering the quarter up
        to ``month`` (and the trailing months when ``targets`` is not given); default:
        computed from ``tables``.

    Returns
    -------
    LazyFrame, one row per period (``month``, ``quarter``) and stage: ``period``,
    ``stage``, ``actual`` (to date), ``target`` (for the whole period), ``elapsed_share``,
    ``expected_to_date`` (target x elapsed share), ``pace`` (actual / expected),
    ``forecast`` (actual / elapsed share), ``forecast_attainment`` (forecast / target).
    """
    parse_month(month)
    tz = config.month_zones  # where each month starts and ends
    if targets is None:
        targets = monthly_targets(tables, config=config, month=month, volumes=volumes)
    q_first = quarter_start_month(month)
    q_months = parse_month(month)[1] - parse_month(q_first)[1] + 1
    as_of = as_utc(as_of)
    m_window = months_window(month, 1, timezone=tz)
    q_window = months_window(q_first, 3, timezone=tz)
    until = min(as_of, m_window.end)
    periods = [
        (
            "month",
            month,
            1,
            PERIOD_MONTHS["month"],
            _elapsed_share(m_window.start, m_window.end, until),
        ),
        (
            "quarter",
            q_first,
            q_months,
            PERIOD_MONTHS["quarter"],
            _elapsed_share(q_window.start, q_window.end, until),
        ),
    ]
    stages = [s for s, _ in REVERSE_STEPS]
    frames = []
    for period, first, n_months, length, share in periods:
        labels = month_labels(first, n_months)
        source = (
            monthly_volumes(tables, config=config, month=first, months=n_months)
            if volumes is None
            else volumes.filter(pl.col("month").is_in(labels))
        )
        vols = source.select(pl.col(s).cast(pl.Float64).sum() for s in stages)
        actual = pl.concat(
            [vols.select(pl.lit(s).alias("stage"), pl.col(s).alias("actual")) for s in stages]
        )
        frames.append(
            actual.join(
                targets.select("stage", "target"), on="stage", how="left", maintain_order="left"
            ).with_columns(
                pl.lit(period).alias("period"),
                (pl.col("target") * length).alias("target"),
                pl.lit(share).alias("elapsed_share"),
            )
        )
    return _paced(pl.concat(frames))


#: The length of each pacing period in months (its target is the monthly one times this,
#: unless its months' goals differ: :func:`with_month_goals`).
PERIOD_MONTHS = {"month": 1, "quarter": 3}


def revenue_goal(config: SlaConfig, segment: Mapping | None = None) -> float:
    """The monthly revenue goal a review of ``segment`` paces against: the segment's own
    (``[[goals.segments]]``) where it has one, else the config's.

    >>> from analytics.config import load_config
    >>> revenue_goal(load_config("data/sla.toml"))
    1000000.0
    """
    own = config.goals.for_segment(dict(segment) if segment else None)
    if own is not None and own.revenue_target_monthly is not None:
        return float(own.revenue_target_monthly)
    return float(config.goals.revenue_target_monthly)


def with_month_goals(
    pacing: pl.DataFrame, goals: Mapping[str, float], *, month: str
) -> pl.DataFrame:
    """Pacing whose quarter's targets add up each month's own goal (spec/metrics.md: "From
    goals.revenue_target for a period").

    :func:`pacing` takes the quarter's target as three times the month's (every stage's
    need is the revenue goal divided down the funnel, so it scales with the goal). When
    the goal changed inside the quarter (a version in force from August), the quarter's
    revenue goal is the sum of its months' goals, and each stage's need, the expected to
    date, the pace and the forecast's attainment scale with it.

    Parameters
    ----------
    pacing : DataFrame
        :func:`pacing`'s frame (``period``, ``target``, ``expected_to_date``, ``pace``,
        ``forecast_attainment``) for ``month``'s goal ``goals[month]``.
    goals : mapping
        ``YYYY-MM`` -> the monthly revenue goal in force that month (a month left out has
        ``month``'s goal).
    month : str
        The month paced.

    Examples
    --------
    >>> p = pl.DataFrame({"period": ["month", "quarter"], "stage": ["won_revenue"] * 2,
    ...     "actual": [50.0, 150.0], "target": [100.0, 300.0], "elapsed_share": [1.0, 1.0],
    ...     "expected_to_date": [100.0, 300.0], "pace": [0.5, 0.5], "forecast": [50.0, 150.0],
    ...     "forecast_attainment": [0.5, 0.5]})
    >>> goals = {"2026-07": 1000.0, "2026-08": 100.0, "2026-09": 100.0}
    >>> with_month_goals(p, goals, month="2026-09").select("target", "pace").rows()
    [(100.0, 0.5), (1200.0, 0.125)]
    """
    own = goals.get(month)
    if not own or "period" not in pacing.columns:
        return pacing
    months = month_labels(quarter_start_month(month), PERIOD_MONTHS["quarter"])
    factor = sum(goals.get(m, own) for m in months) / (own * PERIOD_MONTHS["quarter"])
    if math.isclose(factor, 1.0):
        return pacing
    quarter = pl.col("period") == "quarter"

    def scaled(column: str, by: float) -> pl.Expr:
        return pl.when(quarter).then(pl.col(column) * by).otherwise(pl.col(column)).alias(column)

    return pacing.with_columns(
        scaled("target", factor),
        scaled("expected_to_date", factor),
        scaled("pace", 1 / factor),
        scaled("forecast_attainment", 1 / factor),
    )


def _paced(frame: pl.LazyFrame) -> pl.LazyFrame:
    """Pacing's measures from ``period``, ``stage``, ``actual``, ``target`` (the period's)
    and ``elapsed_share``."""
    return (
        frame.with_columns((pl.col("target") * pl.col("elapsed_share")).alias("expected_to_date"))
        .with_columns(
            safe_ratio("actual", "expected_to_date").alias("pace"),
            safe_ratio("actual", "elapsed_share").alias("forecast"),
        )
        .with_columns(safe_ratio("forecast", "target").alias("forecast_attainment"))
        .select(
            "period",
            "stage",
            "actual",
            "target",
            "elapsed_share",
            "expected_to_date",
            "pace",
            "forecast",
            "forecast_attainment",
        )
    )


def monthly_targets(
    tables: Tables,
    *,
    config: SlaConfig,
    month: str,
    volumes: pl.LazyFrame | None = None,
    measurable: Mapping[str, bool] | None = None,
    unpriced: Sequence[str] | None = None,
    cut: Mapping[str, Collection[str]] | None = None,
) -> pl.LazyFrame:
    """The reverse funnel for ``month`` from the trailing months before it.

    ``volumes`` may hold precomputed monthly volumes covering those months. With
    ``measurable`` (measure group -> whether the data can answer it at all), a rate whose
    groups the data cannot answer (:data:`RATE_GROUPS`: Olist's SQLs, recorded only for
    won deals) is unknown, and so is every need below it. The average deal size pools
    only the months not in ``unpriced`` (``YYYY-MM``: a deal won without an amount, the
    revenue group's ``gaps`` in :func:`analytics.coverage.coverage`; default: read from
    ``tables``): such a deal is no deal of 0. Likewise each rate pools only the months
    whose counts it divides are whole: not those ``cut`` (``YYYY-MM`` -> the measure
    groups the lifecycle events that stopped leave unknown in it,
    :func:`analytics.coverage.lifecycle_cut`) in one of its groups (:func:`rates_left_out`),
    a month whose MQLs, SQLs ... end with the last event while its leads go on; a rate
    with no month left is unknown.

    Examples
    --------
    >>> from analytics.config import load_config
    >>> t = monthly_targets(Tables.empty(), config=load_config("data/sla.toml"), month="2026-10")
    >>> t.select("stage", "target").collect().rows()[:2]
    [('won_revenue', 1000000.0), ('deals_won', None)]
    """
    window = config.goals.rate_window_months
    first = shift_month(month, -window)
    if volumes is None:
        vols = monthly_volumes(tables, config=config, month=first, months=window)
    else:
        vols = volumes.filter(pl.col("month").is_in(month_labels(first, window)))
    rates = trailing_rates(vols)
    if unpriced is None:
        unpriced = unpriced_months(tables.opportunities, timezone=config.month_zones)
    if unpriced:  # each rate pools every month; the deal size only the priced ones
        priced = trailing_rates(vols.filter(~pl.col("month").is_in(list(unpriced))))
        rates = pl.concat(
            [rates.drop("avg_deal_size"), priced.select("avg_deal_size")], how="horizontal"
        ).select(list(_RATE_PARTS))
    left_out = rates_left_out(cut or {}, month=month, months=window)
    for months in set(left_out.values()):  # each rate over its whole months only
        names = [n for n, m in left_out.items() if m == months]
        whole = trailing_rates(vols.filter(~pl.col("month").is_in(list(months))))
        rates = pl.concat([rates.drop(names), whole.select(names)], how="horizontal").select(
            list(_RATE_PARTS)
        )
    if measurable is not None:
        unknown = [
            name
            for name in _RATE_PARTS
            if not all(measurable.get(g, True) for g in RATE_GROUPS[name])
        ]
        rates = rates.with_columns(pl.lit(None, dtype=pl.Float64).alias(n) for n in unknown)
    return reverse_funnel(rates, config=config)


def rates_left_out(
    cut: Mapping[str, Collection[str]], *, month: str, months: int
) -> dict[str, tuple[str, ...]]:
    """Rate of the reverse funnel -> the trailing months (of the ``months`` before
    ``month``) it leaves out, for those that leave out any: a month ``cut`` in one of the
    rate's groups (:data:`RATE_GROUPS`; ``cut``: ``YYYY-MM`` -> the groups the lifecycle
    events that stopped leave unknown that month, :func:`analytics.coverage.lifecycle_cut`).
    Its partial counts (the MQLs up to the last event, the leads of the whole month) would
    bend the rate: left out, as a month with a deal won without an amount is left out of
    the average deal size.

    >>> rates_left_out({"2026-10": ("mql_stage", "handoff")}, month="2026-11", months=6)
    {'mql_to_sql': ('2026-10',), 'lead_to_mql': ('2026-10',)}
    >>> rates_left_out({"2026-11": ("mql_stage",)}, month="2026-11", months=6)  # not trailing
    {}
    """
    trailing = month_labels(shift_month(month, -months), months)
    out = {}
    for name in _RATE_PARTS:
        gone = tuple(m for m in trailing if set(cut.get(m, ())) & set(RATE_GROUPS[name]))
        if gone:
            out[name] = gone
    return out


def retarget(
    targets: pl.DataFrame,
    paced: pl.DataFrame,
    *,
    config: SlaConfig,
    groups: dict[str, bool],
    periods: dict[str, dict[str, bool]] | None = None,
    goals: Mapping[str, float] | None = None,
    month: str | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The reverse funnel and pacing of a review for another revenue target.

    A review's ``targets`` keep the trailing rates and its ``pacing`` the actuals and
    elapsed shares: only what the target divides changes. The result equals the review
    built with ``config`` (``goals.revenue_target_monthly``) in its place, so the Shared
    goals page answers any target from the month's review (stored after an import)
    without reading a table.

    Parameters
    ----------
    targets, paced : DataFrame
        :attr:`~analytics.review.Review.targets` and ``.pacing`` of a whole-company review.
    config : SlaConfig
        The review's config with the revenue target wanted.
    groups : dict
        What the month's data can answer (:func:`analytics.coverage.month_coverage`).
    periods : dict, optional
        What the data can answer over each longer pacing period so far (``quarter``:
        :func:`analytics.coverage.period_coverage`), as the review judged it.
    goals, month : mapping and str, optional
        The monthly revenue goal in force in each month of ``month``'s quarter
        (:func:`analytics.comparison.month_goals`): the quarter adds up the other months'
        goals and ``config``'s for ``month`` (:func:`with_month_goals`); without them the
        quarter's goal is three times ``config``'s.

    Returns
    -------
    (reverse funnel, pacing), as the review's; pacing through
    :func:`analytics.review.covered_pacing`.

    Examples
    --------
    >>> from analytics.config import load_config
    >>> cfg = load_config("data/sla.toml")
    >>> rates = pl.LazyFrame({"avg_deal_size": [50_000.0], "opportunity_to_won": [0.25],
    ...     "sql_to_opportunity": [0.5], "mql_to_sql": [0.4], "lead_to_mql": [0.2],
    ...     "visitor_to_lead": [0.01]})
    >>> funnel = reverse_funnel(rates, config=cfg).collect()
    >>> paced = pl.DataFrame({"period": ["month"], "stage": ["sqls"], "actual": [80.0],
    ...     "target": [160.0], "elapsed_share": [0.5], "expected_to_date": [80.0],
    ...     "pace": [1.0], "forecast": [160.0], "forecast_attainment": [1.0]})
    >>> double = cfg.model_copy(update={"goals": cfg.goals.model_copy(
    ...     update={"revenue_target_monthly": 2_000_000.0})})
    >>> f, p = retarget(funnel, paced, config=double, groups={})
    >>> f["target"][3], p.select("target", "expected_to_date", "pace").row(0)
    (320.0, (320.0, 160.0, 0.5))
    """
    from analytics.review import covered_pacing  # the review imports this module

    names = [r for _, r in REVERSE_STEPS if r]
    kept = dict(zip(targets["rate_name"], targets["rate"], strict=True))
    rates = pl.LazyFrame({r: [kept.get(r)] for r in names}, schema=dict.fromkeys(names, pl.Float64))
    funnel = reverse_funnel(rates, config=config).collect()
    length = pl.col("period").replace_strict(PERIOD_MONTHS, return_dtype=pl.Int64)
    again = _paced(
        paced.lazy()
        .drop("target")
        .join(funnel.lazy().select("stage", "target"), on="stage", how="left",
              maintain_order="left")
        .with_columns(pl.col("target") * length)
    ).collect()  # fmt: skip
    if goals is not None and month is not None:
        own = float(config.goals.revenue_target_monthly)
        again = with_month_goals(again, {**goals, month: own}, month=month)
    return funnel, covered_pacing(again, groups, periods=periods)


def whole_need(stage: str, target: float | None) -> float | None:
    """A stage's target as people plan with it: whole deals, opportunities, SQLs ... rounded
    up (29.2 deals needed are 30: 29 times the average deal size falls short of the goal);
    the revenue as it is.

    >>> whole_need("deals_won", 29.16), whole_need("mqls", 400.0000001)
    (30, 400)
    >>> whole_need("won_revenue", 1e6)
    1000000.0
    """
    if target is None or stage == "won_revenue":
        return target
    return math.ceil(round(target, 6))


__all__ = [
    "PERIOD_MONTHS",
    "REVERSE_STEPS",
    "monthly_targets",
    "pacing",
    "rates_left_out",
    "retarget",
    "revenue_goal",
    "reverse_funnel",
    "trailing_rates",
    "whole_need",
    "with_month_goals",
]
