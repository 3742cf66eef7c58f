"""The KPI table each team answers for (``config.kpis.marketing`` / ``config.kpis.sales``).

A KPI names a metric of :data:`analytics.config.KPI_METRICS`, a target and a direction.
Its status for a month:

- ``at_least``: **met** when value >= target; **at_risk** when value >= target x
  (1 - ``kpis.at_risk_margin``); **missed** otherwise.
- ``at_most``: **met** when value <= target; **at_risk** when value <= target x
  (1 + margin); **missed** otherwise.
- A value that cannot be computed, or that is not judged (spec/coverage.md: the data
  cannot answer it; a segment without its own volume target), has status ``no_data``
  and a ``reason``.
- A point-in-time KPI (:data:`POINT_IN_TIME`: stale leads, counted at ``as_of``) has a
  value for the month judged only; a past month has none (:func:`past_month_values`).

The values themselves come from :func:`analytics.review.build_review` (``kpi_values``,
one month) and :func:`analytics.review.kpi_history` (many months at once).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal

import polars as pl

from analytics.config import KPI_METRICS, SlaConfig

KpiStatus = Literal["met", "at_risk", "missed", "no_data"]
#: The statuses that are verdicts (counted in the scorecard); ``no_data`` is none.
KPI_STATUSES: tuple[str, ...] = ("met", "at_risk", "missed")

#: KPIs counted at ``as_of`` rather than over the month (stale leads are stale *now*).
POINT_IN_TIME: frozenset[str] = frozenset({"stale_leads"})


def past_month_values(
    values: Mapping[str, float | int | None],
    *,
    maturing: Iterable[str] = (),
    no_share: Iterable[str] = (),
) -> dict[str, float | int | None]:
    """A past month's KPI values as a later month is compared with them: the point-in-time
    ones (:data:`POINT_IN_TIME`) have none, nor do the later month's ``maturing`` ones
    (:func:`analytics.review.maturing_metrics`: their window is still open), nor the past
    month's rates that were ``no_share`` (:func:`analytics.coverage.share_reasons`: 566 %).

    A past month judged at the same ``as_of`` would only repeat today's count; a rate
    still maturing had a month less to mature than the month before it; a ratio that was
    no share is no value to change from.

    >>> past_month_values({"mqls": 650, "stale_leads": 3, "remql_rate": 0.1},
    ...                   maturing={"remql_rate"})
    {'mqls': 650, 'stale_leads': None, 'remql_rate': None}
    >>> past_month_values({"mql_to_sql": 5.67}, no_share={"mql_to_sql"})
    {'mql_to_sql': None}
    """
    dropped = POINT_IN_TIME | set(maturing) | set(no_share)
    return {k: None if k in dropped else v for k, v in values.items()}


#: How close (relative) a value must be to a bound to be on it. The bounds are products in
#: floating point (0.2 x 0.9 = 0.18000000000000002, 10 x (1 - 0.7) = 3.0000000000000004),
#: a few units in the last place off; two different KPI values (ratios of counts up to
#: 10^9) differ by far more than 10^-12 of them.
BOUND_RTOL = 1e-12


def short_of(value: float, bound: float) -> bool:
    """Whether ``value`` falls short of ``bound``; a value within :data:`BOUND_RTOL` of it
    is on it (a goal's pace against ``1 - at_risk_margin``, as :func:`kpi_status` compares
    a KPI with its bound).

    >>> short_of(0.3, 1 - 0.7), short_of(0.29, 1 - 0.7)  # 1 - 0.7 = 0.30000000000000004
    (False, True)
    """
    return value < bound - abs(bound) * BOUND_RTOL


def _on_or_beyond(value: pl.Expr, bound: pl.Expr, up: pl.Expr) -> pl.Expr:
    """``value >= bound`` where ``up`` holds, else ``value <= bound``; a value within
    :data:`BOUND_RTOL` of the bound is on it."""
    slack = bound.abs() * BOUND_RTOL
    return pl.when(up).then(value >= bound - slack).otherwise(value <= bound + slack)


def kpi_status(
    value: str | pl.Expr,
    target: str | pl.Expr,
    direction: str | pl.Expr,
    *,
    margin: float,
) -> pl.Expr:
    """Expression: met / at_risk / missed (null when the value is null).

    A value exactly on the target or on the margin's bound is judged by the exact rule
    (met, at risk), whatever the floating point of ``target x (1 - margin)``: the
    comparisons allow :data:`BOUND_RTOL`.

    Examples
    --------
    >>> df = pl.DataFrame({"v": [0.95, 0.85, 0.7, None, 11.0], "t": [0.9, 0.9, 0.9, 0.9, 10.0],
    ...                    "d": ["at_least"] * 4 + ["at_most"]})
    >>> df.select(kpi_status("v", "t", "d", margin=0.1))["status"].to_list()
    ['met', 'at_risk', 'missed', None, 'at_risk']

    18 MQLs of 100 leads against 20 %: exactly 10 % under, at risk.

    >>> pl.select(kpi_status(pl.lit(18 / 100), pl.lit(0.2), pl.lit("at_least"), margin=0.1)
    ...           )["status"].to_list()
    ['at_risk']
    """
    v = pl.col(value) if isinstance(value, str) else value
    t = pl.col(target) if isinstance(target, str) else target
    d = pl.col(direction) if isinstance(direction, str) else direction
    up = d == "at_least"
    met = _on_or_beyond(v, t, up)
    risk = _on_or_beyond(v, pl.when(up).then(t * (1 - margin)).otherwise(t * (1 + margin)), up)
    return (
        pl.when(v.is_null())
        .then(pl.lit(None, dtype=pl.String))
        .when(met)
        .then(pl.lit("met"))
        .when(risk)
        .then(pl.lit("at_risk"))
        .otherwise(pl.lit("missed"))
        .alias("status")
    )


def kpi_table(
    values: Mapping[str, float | int | None],
    previous: Mapping[str, float | int | None] | None = None,
    *,
    config: SlaConfig,
    reasons: Mapping[str, str] | None = None,
    target_share: float = 1.0,
    segment_targets: Mapping[str, float] | None = None,
    maturing: Iterable[str] = (),
) -> pl.LazyFrame:
    """The month's KPI table for both teams.

    Parameters
    ----------
    values : mapping
        Metric name -> this month's value (None when it cannot be computed).
    previous : mapping, optional
        Metric name -> the previous month's value.
    config : SlaConfig
        ``kpis.marketing``, ``kpis.sales``, ``kpis.at_risk_margin``.
    reasons : mapping, optional
        Metric -> why it cannot be measured (spec/coverage.md): its value is null and
        its status ``no_data`` with this reason.
    target_share : float, default 1
        A running month's share of days elapsed: the volume KPIs
        (:data:`analytics.coverage.VOLUME_KPIS`) are judged against target x share.
    segment_targets : mapping, optional
        With a segment filter: the segment's own targets by metric; a volume KPI or a
        count at a moment (:data:`POINT_IN_TIME`: stale leads) without one is not judged
        (status ``no_data``, target null). None: no segment.
    maturing : iterable of str
        Rates whose window is still open (:func:`analytics.review.maturing_metrics`): they
        can only grow, so one is judged only when that cannot change its verdict (met at
        least, or missed at most); else it is not judged yet (0 re-MQLs of leads recycled
        last week is no "missed").

    Returns
    -------
    LazyFrame, one row per configured KPI, marketing first: ``team``, ``metric``,
    ``label``, ``direction``, ``value``, ``target`` (the one judged against),
    ``previous``, ``change`` (value - previous), ``status`` (met / at_risk / missed /
    no_data), ``reason`` (null unless not judged), ``full_target`` (the month's target).

    Examples
    --------
    >>> from analytics.config import load_config
    >>> cfg = load_config("data/sla.toml")
    >>> t = kpi_table({"mqls": 650}, {"mqls": 600}, config=cfg).collect()
    >>> t.filter(pl.col("metric") == "mqls").select("value", "target", "change", "status").row(0)
    (650.0, 700.0, 50.0, 'at_risk')
    >>> r = kpi_table({"mqls": 240}, config=cfg, target_share=10 / 30).collect()
    >>> r.filter(pl.col("metric") == "mqls").select("target", "status").row(0)
    (233.33333333333331, 'met')
    >>> s = kpi_table({"mqls": 240}, config=cfg, segment_targets={}).collect()
    >>> s.filter(pl.col("metric") == "mqls").select("target", "status").row(0)
    (None, 'no_data')
    """
    from analytics.coverage import VOLUME_KPIS
    from analytics.texts import render

    unknown = sorted(set(values) - set(KPI_METRICS))
    if unknown:
        raise ValueError(f"unknown KPI metric(s) {unknown}; allowed: {', '.join(KPI_METRICS)}")
    previous = previous or {}

    def num(v: float | int | None) -> float | None:
        return None if v is None else float(v)

    reasons = reasons or {}

    def judged(metric: str, target: float) -> tuple[float | None, str | None]:
        """The target judged against, or None with the reason it is not judged."""
        if metric in reasons:
            return target, reasons[metric]
        # a count of leads grows with the segment: the company's target says nothing of a
        # segment's share (a segment without leads has 0 stale leads: no verdict)
        if metric not in VOLUME_KPIS and metric not in POINT_IN_TIME:
            return target, None
        if segment_targets is not None:
            if metric not in segment_targets:
                return None, render("coverage.segment")
            target = float(segment_targets[metric])
        # a count at a moment is not pro-rated by the days of a running month
        return target * (target_share if metric in VOLUME_KPIS else 1.0), None

    rows = []
    for team, kpi in config.all_kpis:
        target, why = judged(kpi.metric, float(kpi.target))
        value = None if kpi.metric in reasons else num(values.get(kpi.metric))
        if why is None and value is not None and kpi.metric in maturing:
            final = (value >= target) if kpi.direction == "at_least" else (
                value > target * (1 + config.kpis.at_risk_margin)
            )  # fmt: skip
            if not final:
                why = render("coverage.maturing", days=config.recycle.remql_window_days)
                value = None
        if why is None and value is None:
            why = render(
                "coverage.point_in_time" if kpi.metric in POINT_IN_TIME else "coverage.no_value"
            )
        rows.append(
            {
                "team": team,
                "metric": kpi.metric,
                "label": kpi.label,
                "direction": kpi.direction,
                "value": value,
                "target": target,
                "previous": num(previous.get(kpi.metric)),
                "reason": why,
                "full_target": float(kpi.target),
            }
        )
    schema = {
        "team": pl.String,
        "metric": pl.String,
        "label": pl.String,
        "direction": pl.String,
        "value": pl.Float64,
        "target": pl.Float64,
        "previous": pl.Float64,
        "reason": pl.String,
        "full_target": pl.Float64,
    }
    frame = pl.LazyFrame(rows, schema=schema, orient="row") if rows else pl.LazyFrame(schema=schema)
    judged_value = pl.when(pl.col("reason").is_null()).then(pl.col("value"))
    return frame.with_columns(
        (pl.col("value") - pl.col("previous")).alias("change"),
        kpi_status(judged_value, "target", "direction", margin=config.kpis.at_risk_margin)
        .fill_null("no_data")
        .alias("status"),
    ).select(*list(schema)[:-2], "change", "status", "reason", "full_target")


__all__ = [
    "BOUND_RTOL",
    "KPI_STATUSES",
    "POINT_IN_TIME",
    "KpiStatus",
    "kpi_status",
    "kpi_table",
    "past_month_values",
    "short_of",
]
