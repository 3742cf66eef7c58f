"""Threshold tuning: what an MQL threshold does to volume, conversion and sales workload.

Definitions (shown on the Definitions page):

- Under threshold ``T`` a lead becomes an MQL at the **first moment its rule score
  reaches T** (between its creation and its first SQL; replayed over the activity
  timestamps, see :func:`analytics.scoring.rules.score_history`). It **converts** when
  its first ``sql`` follows within ``funnel.window_days``. Outcomes are those observed
  under the process that actually ran (a what-if, not an experiment).
- ``mqls_per_month``: MQLs under T whose moment falls in a complete calendar month
  (reporting time zone) of the data, divided by the number of those months.
- ``precision`` (MQL -> SQL rate): converted / MQLs, over the *mature* MQLs (their window
  closed by ``as_of``); ``recall``: converted MQLs / all leads with an SQL.
- ``expected_sqls_per_month`` = mqls_per_month x precision; ``expected_pipeline_per_month``
  = mqls_per_month x the mean opportunity amount created within the window per mature MQL.
- ``workload_ratio`` = MQLs per week (mqls_per_month x 12 / 52.18) / the weekly capacity
  of the active ``sdr`` and ``ae`` reps (``reps.weekly_capacity``; ``active`` null = active).
- The **recommended threshold** maximises expected SQLs per month with a workload ratio
  of at most 1 (ties: the higher threshold).

Speed: :func:`precompute_thresholds` does the heavy part once and returns, per lead, the
steps of its running-maximum score (each step: the moment, the new maximum and the one
before). Under T a lead is an MQL exactly at the step with ``prev_score < T <= score``, so
every threshold is one filter over that compact frame (:func:`threshold_whatif`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

import polars as pl

from analytics.config import SlaConfig
from analytics.schema import UTC_TIMESTAMP
from analytics.scoring.rules import _as_of, _first_sql, score_history
from analytics.stats import money_sum, rate_columns, safe_ratio
from analytics.tables import Tables
from analytics.texts import Lang, render

ScoreKind = Literal["rule", "model"]
#: Average weeks per calendar month (365.25 / 12 / 7).
WEEKS_PER_MONTH = 365.25 / 12 / 7
SALES_TEAMS = ("sdr", "ae")

RECORD_SCHEMA = pl.Schema(
    {
        "lead_id": pl.String,
        "at": UTC_TIMESTAMP,
        "month": pl.Date,
        "score": pl.Float64,
        "prev_score": pl.Float64,
        "converted": pl.Boolean,
        "is_mature": pl.Boolean,
        "pipeline": pl.Float64,
    }
)


@dataclass(frozen=True)
class ThresholdBase:
    """The precomputed input of every threshold what-if.

    ``records``: one row per step of a lead's running-maximum score (columns of
    :data:`RECORD_SCHEMA`); ``months``: the complete calendar months the volumes are
    averaged over; ``sql_leads``: leads with an SQL (recall's denominator);
    ``weekly_capacity``: of the active sales reps (None when unknown).
    """

    records: pl.DataFrame
    months: tuple[date, ...]
    sql_leads: int
    weekly_capacity: float | None
    as_of: datetime
    window_days: int
    kind: ScoreKind = "rule"
    current_threshold: float | None = None

    @property
    def default_thresholds(self) -> list[float]:
        if self.kind == "model":
            return [round(0.05 * i, 2) for i in range(21)]
        top = float(self.records["score"].max() or 0.0) if self.records.height else 0.0
        return [float(t) for t in range(0, int(top // 5) * 5 + 6, 5)]


def weekly_capacity(reps: pl.LazyFrame) -> float | None:
    """New leads the active ``sdr`` and ``ae`` reps can work per week (None if unknown).

    >>> reps = pl.LazyFrame({"team": ["sdr", "ae", "sdr", "marketing"],
    ...                      "weekly_capacity": [40, 10, 30, 99],
    ...                      "active": [True, None, False, True]})
    >>> weekly_capacity(reps)
    50.0
    """
    total = (
        reps.filter(pl.col("team").is_in(SALES_TEAMS) & pl.col("active").fill_null(True))
        .select(pl.col("weekly_capacity").cast(pl.Float64).sum())
        .collect()
        .item()
    )
    return float(total) if total else None


def _complete_months(first: datetime | None, as_of: datetime, timezone: str) -> tuple[date, ...]:
    """Calendar months (local first days) from ``first``'s month to the last ended by as_of."""
    if first is None:
        return ()
    frame = pl.DataFrame({"t": [first, as_of]}, schema={"t": UTC_TIMESTAMP}).select(
        pl.col("t").dt.convert_time_zone(timezone).dt.truncate("1mo").dt.date()
    )
    start, current = frame["t"].to_list()
    months = pl.date_range(start, current, "1mo", eager=True).to_list()
    return tuple(months[:-1])  # the month of as_of has not ended


def _month_expr(column: str, timezone: str) -> pl.Expr:
    return pl.col(column).dt.convert_time_zone(timezone).dt.truncate("1mo").dt.date()


def _finish(
    steps: pl.DataFrame,
    first_sql: pl.LazyFrame,
    opportunities: pl.LazyFrame,
    *,
    config: SlaConfig,
    as_of: datetime,
) -> pl.DataFrame:
    """Add month, converted, maturity and pipeline to ``lead_id, at, score, prev_score``."""
    window = timedelta(days=config.funnel.window_days)
    ts = pl.lit(as_of, dtype=UTC_TIMESTAMP)
    steps = steps.lazy().join(first_sql, on="lead_id", how="left")
    pipeline = (
        steps.select("lead_id", "at")
        .join(opportunities.select("lead_id", "created_at", "amount"), on="lead_id")
        .filter(
            (pl.col("created_at") >= pl.col("at")) & (pl.col("created_at") <= pl.col("at") + window)
        )
        .group_by("lead_id", "at")
        .agg(money_sum("amount").alias("pipeline"))
    )
    return (
        steps.join(pipeline, on=["lead_id", "at"], how="left")
        .with_columns(
            _month_expr("at", config.reporting.timezone).alias("month"),
            ((pl.col("sql_at") >= pl.col("at")) & (pl.col("sql_at") <= pl.col("at") + window))
            .fill_null(False)
            .alias("converted"),
            (pl.col("at") + window <= ts).alias("is_mature"),
            pl.col("pipeline").fill_null(0.0),
        )
        .select(list(RECORD_SCHEMA))
        .cast(dict(RECORD_SCHEMA))
        .collect()
    )


def _rule_records(known: Tables, config: SlaConfig, *, as_of: datetime) -> tuple[pl.DataFrame, int]:
    """The records of the leads in ``known`` (sorted by lead and moment), and their SQL count.

    Collected stage by stage (SQLs, score history, steps): each stage's working memory
    is freed before the next, and nothing is computed twice.
    """
    first_sql = _first_sql(known).collect()
    history = score_history(known, config, as_of=as_of).collect()
    steps = (
        history.lazy()
        .join(first_sql.lazy(), on="lead_id", how="left")
        .filter(pl.col("sql_at").is_null() | (pl.col("at") <= pl.col("sql_at")))
        .select("lead_id", "at", "score")
        .with_columns(pl.col("score").cum_max().over("lead_id", order_by="at").alias("_max"))
        .with_columns(
            pl.col("_max")
            .shift(1)
            .over("lead_id", order_by="at")
            .fill_null(float("-inf"))
            .alias("prev_score")
        )
        .filter(pl.col("score") > pl.col("prev_score"))
        .select("lead_id", "at", "score", "prev_score")
        .collect()
    )
    del history
    records = _finish(steps, first_sql.lazy(), known.opportunities, config=config, as_of=as_of)
    return records.sort("lead_id", "at"), first_sql.height


def precompute_thresholds(
    tables: Tables,
    config: SlaConfig,
    *,
    as_of: datetime | None = None,
    partitions: int | None = None,
) -> ThresholdBase:
    """Precompute the rule score's running-maximum steps of every lead (done once).

    The steps of a lead depend on its rows only, so the leads are processed in parts
    (:meth:`~analytics.tables.Tables.partitions`) and the results concatenated: memory
    follows the size of a part, not of the warehouse.

    Parameters
    ----------
    tables, config
        The data and the SLA config (``[scoring]``, ``funnel.window_days``,
        ``reporting.timezone``).
    as_of : datetime, optional
        The data as known then (default: the latest timestamp).
    partitions : int, optional
        The number of parts (default: one per
        :data:`~analytics.tables.LEADS_PER_PART` leads); the result does not depend on it.

    Returns
    -------
    ThresholdBase
        ``records``: one row per lead and step of its running-maximum rule score, from
        its creation up to its first SQL (or ``as_of``), sorted by lead and moment.

    Examples
    --------
    >>> from analytics.config import load_config
    >>> cfg = load_config("data/sla.toml")
    >>> t = Tables.from_rows(
    ...     leads=[{"lead_id": "L1", "created_at": "2026-01-01T00:00:00Z", "source": "email"}],
    ...     activities=[{"activity_id": "a", "lead_id": "L1", "type": "demo_request",
    ...                  "occurred_at": "2026-01-03T00:00:00Z"}])
    >>> from datetime import UTC
    >>> base = precompute_thresholds(t, cfg, as_of=datetime(2026, 3, 1, tzinfo=UTC))
    >>> base.records.select("score", "prev_score").rows()
    [(0.0, -inf), (30.0, 0.0)]
    """
    moment = _as_of(tables, as_of)
    known = tables.until(moment)
    parts = [_rule_records(part, config, as_of=moment) for part in known.partitions(partitions)]
    records = pl.concat([r for r, _ in parts]) if len(parts) > 1 else parts[0][0]
    sql_leads = sum(n for _, n in parts)
    del parts
    first = known.leads.select(pl.col("created_at").min()).collect().item()
    return ThresholdBase(
        records=records,
        months=_complete_months(first, moment, config.reporting.timezone),
        sql_leads=int(sql_leads),
        weekly_capacity=weekly_capacity(known.reps),
        as_of=moment,
        window_days=config.funnel.window_days,
        kind="rule",
        current_threshold=float(config.scoring.mql_threshold),
    )


def precompute_from_predictions(
    predictions: pl.LazyFrame,
    tables: Tables,
    config: SlaConfig,
    *,
    as_of: datetime | None = None,
) -> ThresholdBase:
    """The same precomputation for a model's probabilities (one scoring moment per lead).

    Parameters
    ----------
    predictions : LazyFrame
        ``lead_id``, ``at`` (the scoring moment) and ``score`` (the probability).
    tables, config, as_of
        As :func:`precompute_thresholds` (outcomes, reps and months come from them).

    Returns
    -------
    ThresholdBase with one record per lead (``prev_score`` = -inf): under threshold p a
    lead is an MQL at its scoring moment when its probability is at least p. Volumes
    are averaged over the complete months in which some lead was scored.
    """
    moment = _as_of(tables, as_of)
    known = tables.until(moment)
    first_sql = _first_sql(known)
    steps = predictions.select(
        "lead_id",
        pl.col("at").cast(UTC_TIMESTAMP),
        pl.col("score").cast(pl.Float64),
        pl.lit(float("-inf")).alias("prev_score"),
    ).collect()
    records = _finish(steps, first_sql, known.opportunities, config=config, as_of=moment)
    first = records["at"].min() if records.height else None
    # the months the scored leads span (a test set ends before as_of)
    spanned = set(records["month"].unique().to_list())
    months = tuple(
        m for m in _complete_months(first, moment, config.reporting.timezone) if m in spanned
    )
    in_scope = steps.lazy().select("lead_id").unique()
    sql_leads = first_sql.join(in_scope, on="lead_id", how="semi").select(pl.len()).collect()
    return ThresholdBase(
        records=records,
        months=months,
        sql_leads=int(sql_leads.item()),
        weekly_capacity=weekly_capacity(known.reps),
        as_of=moment,
        window_days=config.funnel.window_days,
        kind="model",
    )


def _mqls(base: ThresholdBase, threshold: float) -> pl.LazyFrame:
    t = float(threshold)
    return base.records.lazy().filter((pl.col("score") >= t) & (pl.col("prev_score") < t))


def threshold_whatif(base: ThresholdBase, *, threshold: float) -> pl.LazyFrame:
    """Each month's MQL volume, workload and conversion under ``threshold`` (a cheap filter).

    Returns
    -------
    LazyFrame, one row per complete month of ``base.months``: ``month`` (first day),
    ``mqls``, ``mqls_per_week`` (mqls x 7 / days in the month), ``workload_ratio``,
    ``mature``, ``converted``, ``rate``, ``ci_low``, ``ci_high`` (MQL -> SQL over the mature
    MQLs), ``pipeline``.

    Examples
    --------
    >>> from datetime import UTC
    >>> recs = pl.DataFrame({"lead_id": ["a", "a", "b"],
    ...     "at": [datetime(2026, 1, d, tzinfo=UTC) for d in (2, 5, 9)],
    ...     "month": [date(2026, 1, 1)] * 3, "score": [10.0, 70.0, 65.0],
    ...     "prev_score": [float("-inf"), 10.0, float("-inf")],
    ...     "converted": [False, True, False], "is_mature": [True] * 3,
    ...     "pipeline": [0.0, 500.0, 0.0]}, schema=RECORD_SCHEMA)
    >>> base = ThresholdBase(recs, (date(2026, 1, 1),), 1, 7.0, datetime(2026, 6, 1), 90)
    >>> threshold_whatif(base, threshold=60).collect().select("mqls", "converted", "rate").row(0)
    (2, 1, 0.5)
    """
    months = pl.LazyFrame({"month": list(base.months)}, schema={"month": pl.Date})
    per_month = (
        _mqls(base, threshold)
        .group_by("month")
        .agg(
            pl.len().alias("mqls"),
            pl.col("is_mature").sum().alias("mature"),
            (pl.col("converted") & pl.col("is_mature")).sum().alias("converted"),
            money_sum("pipeline").alias("pipeline"),
        )
    )
    capacity = base.weekly_capacity
    days = (pl.col("month").dt.offset_by("1mo") - pl.col("month")).dt.total_days()
    return (
        months.join(per_month, on="month", how="left")
        .with_columns(
            pl.col("mqls", "mature", "converted").fill_null(0).cast(pl.Int64),
            pl.col("pipeline").fill_null(0.0),
        )
        .with_columns((pl.col("mqls") * 7.0 / days).alias("mqls_per_week"))
        .with_columns(
            (pl.col("mqls_per_week") / capacity if capacity else pl.lit(None, pl.Float64)).alias(
                "workload_ratio"
            ),
            *rate_columns("converted", "mature"),
        )
        .select(
            "month",
            "mqls",
            "mqls_per_week",
            "workload_ratio",
            "mature",
            "converted",
            "rate",
            "ci_low",
            "ci_high",
            "pipeline",
        )
        .sort("month")
    )


def _summary(base: ThresholdBase, threshold: float) -> pl.LazyFrame:
    n_months = len(base.months)
    months = list(base.months)
    mqls = _mqls(base, threshold)
    return mqls.select(
        pl.lit(float(threshold)).alias("threshold"),
        pl.col("month").is_in(months).sum().alias("_in_months"),
        pl.col("is_mature").sum().alias("_mature"),
        (pl.col("converted") & pl.col("is_mature")).sum().alias("_converted_mature"),
        pl.col("converted").sum().alias("_converted"),
        money_sum(pl.col("pipeline").filter(pl.col("is_mature"))).alias("_pipeline_mature"),
    ).with_columns(
        (pl.col("_in_months") / n_months if n_months else pl.lit(None, pl.Float64)).alias(
            "mqls_per_month"
        )
    )


def threshold_table(base: ThresholdBase, *, thresholds: list[float] | None = None) -> pl.DataFrame:
    """For every threshold: volume, precision, recall, expected SQLs, pipeline, workload.

    Parameters
    ----------
    base : ThresholdBase
        From :func:`precompute_thresholds` or :func:`precompute_from_predictions`.
    thresholds : list of float, optional
        Default: 0, 5, ... up to the highest score (rule) or 0, 0.05, ..., 1 (model).

    Returns
    -------
    DataFrame, one row per threshold (ascending): ``threshold``, ``mqls_per_month``,
    ``mqls_per_week``, ``precision``, ``recall``, ``expected_sqls_per_month``,
    ``expected_pipeline_per_month``, ``workload_ratio``, ``mature_mqls``.
    """
    cuts = sorted(set(base.default_thresholds if thresholds is None else thresholds))
    if not cuts:
        raise ValueError("thresholds is empty: give at least one threshold")
    frames = pl.collect_all([_summary(base, t) for t in cuts])
    capacity = base.weekly_capacity
    sql_leads = base.sql_leads
    out = pl.concat(frames).with_columns(
        (pl.col("mqls_per_month") / WEEKS_PER_MONTH).alias("mqls_per_week"),
        safe_ratio("_converted_mature", "_mature").alias("precision"),
        (
            pl.col("_converted").cast(pl.Float64) / sql_leads
            if sql_leads
            else pl.lit(None, pl.Float64)
        ).alias("recall"),
        safe_ratio("_pipeline_mature", "_mature").alias("_pipeline_per_mql"),
    )
    return out.with_columns(
        (pl.col("mqls_per_month") * pl.col("precision")).alias("expected_sqls_per_month"),
        (pl.col("mqls_per_month") * pl.col("_pipeline_per_mql")).alias(
            "expected_pipeline_per_month"
        ),
        (pl.col("mqls_per_week") / capacity if capacity else pl.lit(None, pl.Float64)).alias(
            "workload_ratio"
        ),
        pl.col("_mature").cast(pl.Int64).alias("mature_mqls"),
    ).select(
        "threshold",
        "mqls_per_month",
        "mqls_per_week",
        "precision",
        "recall",
        "expected_sqls_per_month",
        "expected_pipeline_per_month",
        "workload_ratio",
        "mature_mqls",
    )


#: Expected SQLs this close (relative) to the best count as just as good.
RECOMMENDATION_TOLERANCE = 0.01


def recommend_threshold(table: pl.DataFrame, *, lang: Lang = "en") -> tuple[float | None, str]:
    """The threshold with the most expected SQLs per month within the reps' capacity.

    Expected SQLs within :data:`RECOMMENDATION_TOLERANCE` (1 %) of the best count as a
    tie, and a tie goes to the highest threshold: a lower one that adds MQLs without a
    meaningful gain in SQLs only adds sales work.

    Parameters
    ----------
    table : DataFrame
        From :func:`threshold_table`.
    lang : {"en", "de"}, default "en"
        The language of the reason (a ``threshold.*`` text of :mod:`analytics.texts`).

    Returns
    -------
    (threshold, reason): the reason is one sentence; threshold None when nothing can be
    recommended (no threshold has a measurable MQL -> SQL rate).

    Examples
    --------
    >>> t = pl.DataFrame({"threshold": [40.0, 50.0, 60.0], "mqls_per_week": [300.0, 150.0, 90.0],
    ...     "expected_sqls_per_month": [90.0, 60.0, 45.0], "workload_ratio": [1.5, 0.75, 0.45]})
    >>> recommend_threshold(t)[0]
    50.0
    >>> recommend_threshold(t, lang="de")[1][:46]
    'Die Schwelle 50 ergibt die meisten erwarteten '
    """
    usable = table.filter(pl.col("expected_sqls_per_month").is_not_null())
    if usable.height == 0:
        return None, render("threshold.none", lang=lang)
    fits = usable.filter(pl.col("workload_ratio") <= 1.0)
    capacity_known = usable["workload_ratio"].is_not_null().any()
    pool = fits if fits.height else usable
    best = pool["expected_sqls_per_month"].max()
    ranked = pool.filter(
        pl.col("expected_sqls_per_month") >= best * (1 - RECOMMENDATION_TOLERANCE)
    ).sort("threshold", descending=True)
    if not capacity_known:
        code, row = "threshold.capacity_unknown", ranked.row(0, named=True)
    elif fits.height == 0:
        code = "threshold.over_capacity"
        row = usable.sort(["workload_ratio", "threshold"], descending=[False, True]).row(
            0, named=True
        )
    else:
        code, row = "threshold.within_capacity", ranked.row(0, named=True)
    reason = render(
        code,
        lang=lang,
        threshold=row["threshold"],
        sqls=row["expected_sqls_per_month"],
        mqls=row["mqls_per_week"],
        workload=row["workload_ratio"],
    )
    return row["threshold"], reason


def compare_thresholds(
    base: ThresholdBase, *, threshold: float, current: float | None = None
) -> pl.LazyFrame:
    """Each month under the current threshold and under a new one, side by side.

    Parameters
    ----------
    threshold : float
        The new threshold (a slider's value).
    current : float, optional
        Default: ``base.current_threshold`` (the config's ``scoring.mql_threshold``).

    Returns
    -------
    LazyFrame, one row per complete month: ``month``, then ``mqls``, ``mqls_per_week``,
    ``workload_ratio``, ``rate`` (MQL -> SQL) each with suffix ``_current`` and ``_new``,
    and ``mqls_change`` (new - current).
    """
    now = base.current_threshold if current is None else current
    if now is None:
        raise ValueError("no current threshold: pass current=... (the base has none)")
    cols = ["mqls", "mqls_per_week", "workload_ratio", "rate"]

    def side(t: float, suffix: str) -> pl.LazyFrame:
        return threshold_whatif(base, threshold=t).select(
            "month", *[pl.col(c).alias(f"{c}_{suffix}") for c in cols]
        )

    return (
        side(now, "current")
        .join(side(threshold, "new"), on="month", how="left")
        .with_columns((pl.col("mqls_new") - pl.col("mqls_current")).alias("mqls_change"))
        .sort("month")
    )


__all__ = [
    "RECORD_SCHEMA",
    "ThresholdBase",
    "compare_thresholds",
    "precompute_from_predictions",
    "precompute_thresholds",
    "recommend_threshold",
    "threshold_table",
    "threshold_whatif",
    "weekly_capacity",
]
