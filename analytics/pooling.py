"""Pooling rates over several months: one rate from the counts, never a mean of rates.

A segment's monthly cohort rate rests on few leads; the question "which source converts
best?" wants the months pooled: the summed ``x`` over the summed ``n``, with a fresh
95 % Wilson interval. Averaging the monthly rates would weigh a month of 3 leads like a
month of 300.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from analytics.stats import rate_columns


def pool_rates(rates: pl.LazyFrame, *, by: Sequence[str]) -> pl.LazyFrame:
    """Pool rows of counted rates (``x`` of ``n``) within each group of ``by``.

    Parameters
    ----------
    rates : LazyFrame
        Rows with ``x`` and ``n`` (e.g. :func:`analytics.funnel.cohort_rates` or
        :func:`analytics.funnel.period_rates` over several months), plus the ``by``
        columns and optionally ``is_immature``.
    by : sequence of str
        The grouping columns that stay (e.g. ``["segment", "from_stage", "to_stage"]``);
        every other column (``month``...) is pooled over.

    Returns
    -------
    LazyFrame, one row per group, sorted by ``by``: [``by``...], ``rows`` (rows pooled),
    ``x``, ``n``, ``rate``, ``ci_low``, ``ci_high``, and ``has_immature`` (some pooled row
    was immature) when the input has ``is_immature``. ``rate`` is null when ``n`` is 0.

    Examples
    --------
    >>> r = pl.LazyFrame({"month": ["2026-01", "2026-02", "2026-01"],
    ...                   "segment": ["email", "email", "event"],
    ...                   "x": [1, 29, 0], "n": [2, 98, 0]})
    >>> # email: (1 + 29) / (2 + 98) = 0.30, not the mean of 0.5 and 0.296
    >>> pool_rates(r, by=["segment"]).select("segment", "rows", "x", "n", "rate").collect().rows()
    [('email', 2, 30, 100, 0.3), ('event', 1, 0, 0, None)]
    """
    keys = list(by)
    names = rates.collect_schema().names()
    missing = [c for c in (*keys, "x", "n") if c not in names]
    if missing:
        raise ValueError(f"column(s) {missing} not in the rates; they have {names}")
    aggs = [
        pl.len().cast(pl.Int64).alias("rows"),
        pl.col("x").sum().cast(pl.Int64),
        pl.col("n").sum().cast(pl.Int64),
    ]
    if "is_immature" in names:
        aggs.append(pl.col("is_immature").any().alias("has_immature"))
    grouped = rates.group_by(keys).agg(aggs) if keys else rates.select(aggs)
    extra = ["has_immature"] if "is_immature" in names else []
    out = grouped.with_columns(rate_columns("x", "n")).select(
        *keys, "rows", "x", "n", "rate", "ci_low", "ci_high", *extra
    )
    return out.sort(keys, nulls_last=True) if keys else out


__all__ = ["pool_rates"]
