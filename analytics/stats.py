"""Rates with their counts and 95 % Wilson intervals, as polars expressions.

Every rate shown to a person carries its numerator and denominator (spec/metrics.md):
columns ``x``, ``n``, ``rate``, ``ci_low``, ``ci_high``. A zero (or null) denominator
gives a null rate and a null interval, never 0 and never an error.

>>> df = pl.DataFrame({"x": [41, 0, 3], "n": [120, 0, 2]})
>>> out = df.with_columns(rate_columns("x", "n")).select(pl.col("rate", "ci_low").round(4))
>>> out.rows()
[(0.3417, 0.2629), (None, None), (1.5, None)]
"""

from __future__ import annotations

import math

import polars as pl

#: The 0.975 quantile of the standard normal (a two-sided 95 % interval).
Z95 = 1.959963984540054


def _as_expr(value: str | pl.Expr) -> pl.Expr:
    return pl.col(value) if isinstance(value, str) else value


def safe_ratio(x: str | pl.Expr, n: str | pl.Expr) -> pl.Expr:
    """``x / n`` as a float, null when ``n`` is 0 or null.

    >>> pl.DataFrame({"x": [1, 1], "n": [4, 0]}).select(safe_ratio("x", "n"))["x"].to_list()
    [0.25, None]
    """
    x, n = _as_expr(x), _as_expr(n)
    return pl.when(n.cast(pl.Float64) > 0).then(x.cast(pl.Float64) / n.cast(pl.Float64))


def whole_cents(value: str | pl.Expr) -> pl.Expr:
    """Money amounts as whole cents (``Int64``): integers add up the same in any order.

    >>> pl.DataFrame({"a": [0.1, 0.2, 1234.56]}).select(whole_cents("a"))["a"].to_list()
    [10, 20, 123456]
    """
    return (_as_expr(value) * 100).round().cast(pl.Int64)


def money_sum(value: str | pl.Expr) -> pl.Expr:
    """The sum of money amounts, the same in every run: added up in whole cents.

    A float sum depends on the order of its terms, and polars (parallel, streaming) gives
    no fixed order, so the last digit of a pipeline could change between identical runs.

    >>> pl.DataFrame({"a": [0.1, 0.2, 1234.56]}).select(money_sum("a")).item()
    1234.86
    """
    return whole_cents(value).sum() / 100


def wilson_interval(
    x: str | pl.Expr, n: str | pl.Expr, *, z: float = Z95
) -> tuple[pl.Expr, pl.Expr]:
    """The Wilson score interval of ``x`` successes in ``n`` trials, as two expressions.

    Null when ``n`` is 0 or null, or when ``x`` is outside ``[0, n]`` (no proportion).

    Parameters
    ----------
    x, n : column name or expression
        Successes and trials.
    z : float, default 1.96
        Normal quantile (1.96: a 95 % interval).

    Returns
    -------
    (low, high) : tuple of pl.Expr

    Examples
    --------
    >>> low, high = wilson_interval("x", "n")
    >>> df = pl.DataFrame({"x": [0], "n": [10]})
    >>> df.select(low.alias("low"), high.alias("high").round(4)).row(0)
    (0.0, 0.2775)
    """
    xf, nf = _as_expr(x).cast(pl.Float64), _as_expr(n).cast(pl.Float64)
    valid = (nf > 0) & (xf >= 0) & (xf <= nf)
    p = xf / nf
    z2 = z * z
    denom = 1 + z2 / nf
    center = (p + z2 / (2 * nf)) / denom
    half = z * ((p * (1 - p) / nf + z2 / (4 * nf * nf)).sqrt()) / denom
    # the bounds at x = 0 and x = n are exactly 0 and 1 (not 1e-18 off by rounding)
    low = pl.when(valid).then(pl.when(xf == 0).then(0.0).otherwise((center - half).clip(0.0, 1.0)))
    high = pl.when(valid).then(
        pl.when(xf == nf).then(1.0).otherwise((center + half).clip(0.0, 1.0))
    )
    return low, high


def rate_columns(x: str | pl.Expr, n: str | pl.Expr, *, prefix: str = "") -> list[pl.Expr]:
    """Expressions for ``{prefix}rate``, ``{prefix}ci_low``, ``{prefix}ci_high`` of ``x / n``.

    Examples
    --------
    >>> pl.DataFrame({"x": [1], "n": [2]}).with_columns(rate_columns("x", "n", prefix="a_")).columns
    ['x', 'n', 'a_rate', 'a_ci_low', 'a_ci_high']
    """
    low, high = wilson_interval(x, n)
    return [
        safe_ratio(x, n).alias(f"{prefix}rate"),
        low.alias(f"{prefix}ci_low"),
        high.alias(f"{prefix}ci_high"),
    ]


def wilson(x: int | None, n: int | None, *, z: float = Z95) -> tuple[float | None, float | None]:
    """Scalar Wilson interval (for single numbers in the review); None when undefined.

    >>> tuple(round(v, 4) for v in wilson(41, 120))
    (0.2629, 0.4303)
    >>> wilson(1, 0)
    (None, None)
    """
    if x is None or n is None or n <= 0 or x < 0 or x > n:
        return None, None
    p = x / n
    z2 = z * z
    denom = 1 + z2 / n
    center = (p + z2 / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom
    low = 0.0 if x == 0 else max(0.0, center - half)
    high = 1.0 if x == n else min(1.0, center + half)
    return low, high


def ratio(x: float | None, n: float | None) -> float | None:
    """Scalar ``x / n``; None when either is None or ``n`` is 0 (never NaN).

    >>> ratio(1, 4), ratio(1, 0), ratio(None, 3)
    (0.25, None, None)
    """
    if x is None or n is None or n == 0:
        return None
    value = x / n
    return None if math.isnan(value) else value


__all__ = ["Z95", "rate_columns", "ratio", "safe_ratio", "wilson", "wilson_interval"]
