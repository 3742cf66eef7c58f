"""What changed significantly since last month: tests, never eyeballing.

- A rate (``x / n``, e.g. handoff compliance 36 / 39) is compared with the pooled
  two-proportion z-test (:func:`two_proportion_test`).
- A volume (e.g. MQLs) is compared as a Poisson rate per elapsed day, so a month still
  running is not "down" because it is half over (:func:`poisson_rate_test`: the
  conditional test of ``x1`` given ``x1 + x2``, normal approximation).

Both use ``math.erfc`` for the two-sided p-value (no scipy at import time). A change is
*significant* when ``p < alpha`` (default 0.05).

>>> round(two_proportion_test(30, 100, 45, 100).p_value, 4)
0.0285
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Literal

import polars as pl

from analytics.texts import codes, render

ChangeDirection = Literal["up", "down", "same"]

#: Short English labels of the review's metrics (the keys of ``Review.kpi_values``); every
#: language's label is :func:`analytics.texts.metric_label`.
METRIC_LABELS: dict[str, str] = {
    metric: render(f"metric.{metric}") for metric in codes("metric.") if metric != "avg_deal_size"
}

_UP = (
    "visitors", "leads", "mqls", "sals", "sqls", "opportunities", "deals_won", "won_revenue",
    "visitor_to_lead", "lead_to_mql", "mql_to_sql", "sql_to_opportunity", "opportunity_to_won",
    "mql_attainment", "handoff_compliance", "cadence_compliance", "attempts_per_mql",
    "recycled_enrolled_in_time", "remql_rate",
)  # fmt: skip
#: Which way is good for each metric.
GOOD_DIRECTION: dict[str, Literal["up", "down"]] = {
    **dict.fromkeys(_UP, "up"),
    "mql_rejection_rate": "down",
    "median_hours_to_first_touch": "down",
    "premature_recycles": "down",
    "stale_leads": "down",
}


def _two_sided_p(z: float) -> float:
    """Two-sided p-value of a standard normal statistic.

    >>> round(_two_sided_p(1.959963984540054), 6)
    0.05
    """
    return math.erfc(abs(z) / math.sqrt(2))


@dataclass(frozen=True)
class Significance:
    """A test statistic and its two-sided p-value (None when the test cannot be done)."""

    z: float | None
    p_value: float | None

    def significant(self, *, alpha: float = 0.05) -> bool:
        return self.p_value is not None and self.p_value < alpha


def two_proportion_test(x1: int, n1: int, x2: int, n2: int) -> Significance:
    """Pooled two-proportion z-test of ``x1 / n1`` (before) against ``x2 / n2`` (now).

    ``z`` is positive when the second proportion is larger. Undefined (None) when a
    denominator is 0 or the pooled proportion is 0 or 1 (no variance).

    Parameters
    ----------
    x1, n1 : int
        Successes and trials of the first (earlier) sample.
    x2, n2 : int
        Successes and trials of the second (later) sample.

    Returns
    -------
    Significance

    Examples
    --------
    >>> r = two_proportion_test(30, 100, 45, 100)
    >>> round(r.z, 4), round(r.p_value, 4)
    (2.1909, 0.0285)
    >>> two_proportion_test(0, 10, 0, 12)
    Significance(z=None, p_value=None)
    """
    if n1 <= 0 or n2 <= 0 or not (0 <= x1 <= n1 and 0 <= x2 <= n2):
        return Significance(None, None)
    pooled = (x1 + x2) / (n1 + n2)
    variance = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
    if variance <= 0:
        return Significance(None, None)
    z = (x2 / n2 - x1 / n1) / math.sqrt(variance)
    return Significance(z, _two_sided_p(z))


def poisson_rate_test(x1: int, exposure1: float, x2: int, exposure2: float) -> Significance:
    """Test of two Poisson counts per unit of exposure (e.g. MQLs per elapsed day).

    Given ``x1 + x2`` events, ``x2`` is binomial with ``p0 = e2 / (e1 + e2)`` when the
    rates are equal; ``z = (x2 - N p0) / sqrt(N p0 (1 - p0))``, positive when the second
    rate is larger. Undefined (None) without events or exposure.

    Parameters
    ----------
    x1, exposure1 : int, float
        Count and exposure (days) of the earlier period.
    x2, exposure2 : int, float
        Count and exposure of the later period.

    Returns
    -------
    Significance

    Examples
    --------
    >>> r = poisson_rate_test(100, 31, 140, 31)   # 100 vs 140 in equally long months
    >>> round(r.z, 3), round(r.p_value, 4)
    (2.582, 0.0098)
    >>> round(poisson_rate_test(100, 30, 50, 15).p_value, 6)   # same rate per day
    1.0
    """
    n = x1 + x2
    if n <= 0 or exposure1 <= 0 or exposure2 <= 0 or x1 < 0 or x2 < 0:
        return Significance(None, None)
    p0 = exposure2 / (exposure1 + exposure2)
    z = (x2 - n * p0) / math.sqrt(n * p0 * (1 - p0))
    return Significance(z, _two_sided_p(z))


#: The review's rates that carry counts, and where their ``x`` / ``n`` live.
RATE_SOURCES: tuple[str, ...] = (
    "visitor_to_lead",
    "lead_to_mql",
    "mql_to_sql",
    "sql_to_opportunity",
    "opportunity_to_won",
    "handoff_compliance",
    "cadence_compliance",
    "mql_rejection_rate",
)
#: The review's volumes compared per elapsed day.
COUNT_SOURCES: tuple[str, ...] = (
    "visitors",
    "leads",
    "mqls",
    "sqls",
    "opportunities",
    "deals_won",
)

CHANGE_SCHEMA: dict[str, Any] = {
    "metric": pl.String,
    "label": pl.String,
    "kind": pl.String,
    "previous": pl.Float64,
    "current": pl.Float64,
    "previous_x": pl.Int64,
    "previous_n": pl.Float64,
    "current_x": pl.Int64,
    "current_n": pl.Float64,
    "z": pl.Float64,
    "p_value": pl.Float64,
    "is_significant": pl.Boolean,
    "direction": pl.String,
    "is_better": pl.Boolean,
    #: False: the SLA measures the metric differently now; not tested (its reason:
    #: :meth:`analytics.review.Review.change_reason`).
    "comparable": pl.Boolean,
}


def review_counts(review: Any) -> dict[str, tuple[int | None, int | None]]:
    """``metric -> (x, n)`` of the review's rates (from its conversion table and summaries).

    Parameters
    ----------
    review : analytics.review.Review

    Returns
    -------
    dict
        Keys of :data:`RATE_SOURCES`; ``(None, None)`` where the review has no counts.
    """
    conversion = {r["metric"]: (r["x"], r["n"]) for r in review.conversion.iter_rows(named=True)}
    sections = {
        "handoff_compliance": review.handoff,
        "cadence_compliance": review.cadence,
        "mql_rejection_rate": review.acceptance,
    }
    counts: dict[str, tuple[int | None, int | None]] = {}
    for metric in RATE_SOURCES:
        if metric in conversion:
            counts[metric] = conversion[metric]
        else:
            section = sections[metric]
            counts[metric] = (section.get("x"), section.get("n"))
    return counts


def elapsed_days(review: Any) -> float:
    """Days of the review's month that had passed at its ``as_of`` (the count exposure).

    >>> from types import SimpleNamespace
    >>> from datetime import UTC, datetime
    >>> from analytics.timeframe import month_window
    >>> now = datetime(2026, 11, 16, tzinfo=UTC)
    >>> elapsed_days(SimpleNamespace(window=month_window("2026-11"), as_of=now))
    15.0
    """
    window = review.window
    total = (window.end - window.start).total_seconds() / 86400
    if review.as_of is None:
        return total
    return total * window.elapsed_share(review.as_of)


def significant_changes(
    current: Any, previous: Any, *, alpha: float = 0.05, redefined: Collection[str] = ()
) -> pl.DataFrame:
    """Every tested change from the previous month's review to this one.

    Parameters
    ----------
    current, previous : analytics.review.Review
        This month's review and the previous month's (each judged by its own SLA).
    alpha : float, default 0.05
        Significance level.
    redefined : collection of str
        The metrics the two months' versions measure differently
        (:func:`analytics.comparison.redefined_metrics`: the first-touch line went from
        24 h to 4 h): their values are two different measures, so they are not tested.
        Their rows keep both values and counts, with ``comparable`` false and no test.

    Returns
    -------
    DataFrame, one row per metric of :data:`RATE_SOURCES` and :data:`COUNT_SOURCES` that
    both months can measure (spec/coverage.md: a metric the data cannot answer in either
    month, :meth:`~analytics.review.Review.metric_reason`, or without its counts, gets no
    test and no row):
    ``metric``, ``label``, ``kind`` (``rate`` / ``count``), ``previous``, ``current``
    (rate, or count per day for counts), the counts ``previous_x``, ``previous_n``,
    ``current_x``, ``current_n`` (for counts ``n`` is the elapsed days), ``z``,
    ``p_value``, ``is_significant``, ``direction`` (up / down / same), ``is_better``
    (null when the metric has no good direction or nothing changed) and ``comparable``
    (false for a ``redefined`` metric: no test, no direction, never significant).
    """
    now_counts, old_counts = review_counts(current), review_counts(previous)
    rows: list[dict[str, Any]] = []
    for metric in RATE_SOURCES:
        (x1, n1), (x2, n2) = old_counts[metric], now_counts[metric]
        if None in (x1, n1, x2, n2) or not measurable(metric, current, previous):
            continue  # no data is no test (spec/coverage.md)
        if x1 > n1 or x2 > n2:
            continue  # a ratio that is no share (566 %) is no proportion to test
        result = (
            Significance(None, None)
            if metric in redefined  # two measures, no change to test
            else two_proportion_test(int(x1), int(n1), int(x2), int(n2))
        )
        p1 = x1 / n1 if n1 else None
        p2 = x2 / n2 if n2 else None
        row = _change_row(metric, "rate", p1, p2, x1, n1, x2, n2, result, alpha)
        rows.append(_incomparable(row) if metric in redefined else row)
    e1, e2 = elapsed_days(previous), elapsed_days(current)
    for metric in COUNT_SOURCES:
        x1, x2 = previous.volumes.get(metric), current.volumes.get(metric)
        if x1 is None or x2 is None or not measurable(metric, current, previous):
            continue
        result = (
            Significance(None, None)
            if metric in redefined
            else poisson_rate_test(int(x1), e1, int(x2), e2)
        )
        r1 = x1 / e1 if e1 > 0 else None
        r2 = x2 / e2 if e2 > 0 else None
        row = _change_row(metric, "count", r1, r2, x1, e1, x2, e2, result, alpha)
        rows.append(_incomparable(row) if metric in redefined else row)
    return pl.DataFrame(rows, schema=CHANGE_SCHEMA, orient="row")


def _incomparable(row: dict[str, Any]) -> dict[str, Any]:
    """A change row of a metric measured differently then and now: no direction, no
    verdict."""
    return {**row, "direction": None, "is_better": None, "comparable": False}


def measurable(metric: str, *reviews: Any) -> bool:
    """Whether every review's data can answer ``metric`` (none names a reason it cannot:
    :meth:`~analytics.review.Review.metric_reason`); a review without coverage can.

    >>> from types import SimpleNamespace
    >>> known = SimpleNamespace(metric_reason=lambda metric: None)
    >>> unknown = SimpleNamespace(metric_reason=lambda metric: "No sales touches ...")
    >>> measurable("handoff_compliance", known, known), measurable("leads", known, unknown)
    (True, False)
    """
    return all(
        getattr(review, "metric_reason", lambda _: None)(metric) is None for review in reviews
    )


def _change_row(
    metric: str,
    kind: str,
    before: float | None,
    after: float | None,
    x1: Any,
    n1: Any,
    x2: Any,
    n2: Any,
    result: Significance,
    alpha: float,
) -> dict[str, Any]:
    direction: str | None = None
    better: bool | None = None
    if before is not None and after is not None:
        direction = "up" if after > before else "down" if after < before else "same"
        good = GOOD_DIRECTION.get(metric)
        if good is not None and direction != "same":
            better = direction == good
    return {
        "metric": metric,
        "label": METRIC_LABELS.get(metric, metric),
        "kind": kind,
        "previous": before,
        "current": after,
        "previous_x": x1,
        "previous_n": None if n1 is None else float(n1),
        "current_x": x2,
        "current_n": None if n2 is None else float(n2),
        "z": result.z,
        "p_value": result.p_value,
        "is_significant": result.significant(alpha=alpha),
        "direction": direction,
        "is_better": better,
        "comparable": True,
    }


__all__ = [
    "CHANGE_SCHEMA",
    "COUNT_SOURCES",
    "GOOD_DIRECTION",
    "METRIC_LABELS",
    "RATE_SOURCES",
    "Significance",
    "elapsed_days",
    "measurable",
    "poisson_rate_test",
    "review_counts",
    "significant_changes",
    "two_proportion_test",
]
