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
- **Observed or estimated.** Leads never handed over to sales (no lifecycle event of
  :data:`HANDED_OVER_STAGES`, ``mql`` or a later one, once the data records MQLs; before
  its first ``mql`` event, or in data that records none, a score that never reached
  today's threshold ``scoring.mql_threshold``) were not worked by sales, so whether sales would
  have converted them is not observed. A row below today's threshold whose MQLs include such
  leads is ``basis = "estimated"``: ``estimated_sqls_per_month`` adds, for each of them
  that did not convert anyway, a probability from a logistic calibration of score ->
  SQL fitted on the handed-over leads (at the moment they crossed today's threshold),
  capped by the conversion of the lowest-scored handed-over leads (a lower score does
  not convert better). Its range: ``estimated_sqls_low`` (only the SQLs that happened)
  to ``estimated_sqls_high`` (they all convert like the lowest-scored handed-over
  leads). Rows at or above today's threshold are ``"observed"`` (all three equal).
- ``extra_sqls_per_extra_mql`` = (estimated SQLs - those at today's threshold) / (MQLs -
  those at today's threshold), per month.
- The **recommended threshold** (:func:`recommend_threshold` with ``current``): keep
  today's threshold unless lowering it brings at least ``scoring.min_extra_sqls_per_extra_mql``
  extra SQLs per extra MQL within the reps' capacity (every threshold on the way down
  must), or raising it drops MQLs that bring fewer than that many SQLs each; when today's
  threshold is over capacity, the lowest higher threshold within it.

Speed: :func:`precompute_thresholds` does the heavy part once and returns, per lead, the
steps of its running-maximum score (each step: the moment, the new maximum and the one
before). Under T a lead is an MQL exactly at the step with ``prev_score < T <= score``, so
every threshold is one filter over that compact frame (:func:`threshold_whatif`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl

from analytics.config import SlaConfig
from analytics.coverage import amounts_known
from analytics.schema import UTC_TIMESTAMP
from analytics.scoring.rules import _as_of, _first_sql, outcomes_known_until, score_history
from analytics.stats import money_sum, rate_columns, safe_ratio, whole_cents
from analytics.tables import Tables
from analytics.texts import Lang, as_sentence, render
from analytics.timeframe import as_utc, month_window, utc_lit

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
        #: the lead has an ``mql`` lifecycle event (sales got it); null where the data
        #: records no MQL at all (:func:`_handed_over` then reads today's threshold)
        "handed_over": pl.Boolean,
    }
)


@dataclass(frozen=True)
class ThresholdBase:
    """The precomputed input of every threshold what-if.

    ``records``: one row per step of a lead's running-maximum score (columns of
    :data:`RECORD_SCHEMA`); ``months``: the complete calendar months the volumes are
    averaged over; ``sql_leads``: leads with an SQL (recall's denominator);
    ``weekly_capacity``: of the active sales reps (None when unknown);
    ``outcomes_until``: the moment outcomes are known until
    (:func:`~analytics.scoring.rules.outcomes_known_until`: a lead whose window runs past
    it is not mature; None when not known).
    """

    records: pl.DataFrame
    months: tuple[date, ...]
    sql_leads: int
    weekly_capacity: float | None
    as_of: datetime
    window_days: int
    kind: ScoreKind = "rule"
    current_threshold: float | None = None
    #: False when no opportunity carries an amount: the pipeline is unknown, not 0.
    pipeline_known: bool = True
    outcomes_until: datetime | None = None
    #: :func:`estimate_model`'s result, computed once per base (a slider move reuses it).
    _fitted: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def default_thresholds(self) -> list[float]:
        if self.kind == "model":
            return [round(0.05 * i, 2) for i in range(21)]
        top = float(self.records["score"].max() or 0.0) if self.records.height else 0.0
        return [float(t) for t in range(0, int(top // 5) * 5 + 6, 5)]


def weekly_capacity(reps: pl.LazyFrame) -> float | None:
    """New leads the active ``sdr`` and ``ae`` reps can work per week: None when unknown,
    also when one of them has no capacity (the sum of the others is no team's capacity).

    >>> reps = pl.LazyFrame({"team": ["sdr", "ae", "sdr", "marketing"],
    ...                      "weekly_capacity": [40, 10, 30, None],
    ...                      "active": [True, None, False, True]})
    >>> weekly_capacity(reps)
    50.0
    >>> print(weekly_capacity(reps.with_columns(pl.col("weekly_capacity").shift(1))))
    None
    """
    total, unknown = (
        reps.filter(pl.col("team").is_in(SALES_TEAMS) & pl.col("active").fill_null(True))
        .select(
            pl.col("weekly_capacity").cast(pl.Float64).sum(),
            pl.col("weekly_capacity").null_count().alias("unknown"),
        )
        .collect()
        .row(0)
    )
    return float(total) if total and not unknown else None


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


def _covers(first: datetime, last: datetime, month: date, timezone: str) -> bool:
    """Whether ``first`` to ``last`` covers the whole calendar ``month`` (local time): from
    its first day's start to its last day (data dated by day, as Olist's, has its last
    leads at that day's midnight).

    >>> from datetime import UTC
    >>> a, b = datetime(2026, 4, 20, tzinfo=UTC), datetime(2026, 9, 6, tzinfo=UTC)
    >>> [_covers(a, b, date(2026, m, 1), "UTC") for m in (4, 5, 8, 9)]
    [False, True, True, False]
    >>> _covers(datetime(2018, 4, 1, tzinfo=UTC), datetime(2018, 5, 31, tzinfo=UTC),
    ...         date(2018, 5, 1), "UTC")
    True
    """
    window = month_window(f"{month:%Y-%m}", timezone=timezone)
    last_day = window.end.astimezone(ZoneInfo(timezone)) - timedelta(days=1)  # local midnight
    return as_utc(first) <= window.start and last_day <= as_utc(last)


def _data_until(known: Tables, moment: datetime, as_of: datetime | None) -> datetime:
    """``moment``, or the data's latest moment when it ends before (an ``as_of`` after the
    data): the months after it are no months of data, not months without MQLs. Without
    an ``as_of`` given, ``moment`` is the data's latest already (no second scan)."""
    latest = None if as_of is None else known.latest_timestamp()
    return moment if latest is None else min(as_utc(moment), as_utc(latest))


#: The stages a lead reaches only once sales has it: an event of one says it was handed
#: over (an export may record the ``mql`` stage for only some leads, the rest went on).
HANDED_OVER_STAGES = ("mql", "sal", "sql", "opportunity", "customer", "recycled", "disqualified")


def _handed_over_leads(known: Tables) -> pl.LazyFrame:
    """``lead_id``, ``handed_over`` (True) of each lead with an event of
    :data:`HANDED_OVER_STAGES`."""
    sales = known.lifecycle_events.filter(pl.col("stage").is_in(HANDED_OVER_STAGES))
    return sales.select("lead_id").unique().with_columns(pl.lit(True).alias("handed_over"))


def _month_expr(column: str, timezone: str) -> pl.Expr:
    return pl.col(column).dt.convert_time_zone(timezone).dt.truncate("1mo").dt.date()


def _finish(
    steps: pl.DataFrame,
    first_sql: pl.LazyFrame,
    opportunities: pl.LazyFrame,
    *,
    config: SlaConfig,
    outcomes_until: datetime,
) -> pl.DataFrame:
    """Add month, converted, maturity and pipeline to ``lead_id, at, score, prev_score``;
    mature: the window closed by ``outcomes_until`` (:func:`outcomes_known_until`)."""
    window = timedelta(days=config.funnel.window_days)
    ts = utc_lit(outcomes_until)
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


def _rule_records(
    known: Tables,
    config: SlaConfig,
    *,
    as_of: datetime,
    outcomes_until: datetime,
    mqls_from: datetime | None,
) -> tuple[pl.DataFrame, int]:
    """The records of the leads in ``known`` (sorted by lead and moment), and their SQL count;
    ``mqls_from``: the whole data's first ``mql`` event (None: it records no MQL). A lead
    with a sales stage was handed over; one without, at a moment from ``mqls_from`` on, was
    not; before it (or with no MQL recorded) nobody can tell: null, today's threshold
    decides (:func:`_handed_over`).

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
        .join(_handed_over_leads(known), on="lead_id", how="left")
        .with_columns(
            pl.col("handed_over").fill_null(pl.when(pl.col("at") >= utc_lit(mqls_from)).then(False))
            if mqls_from is not None
            else pl.col("handed_over")
        )
        .collect()
    )
    del history
    records = _finish(
        steps, first_sql.lazy(), known.opportunities, config=config, outcomes_until=outcomes_until
    )
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
        The number of parts (default: as
        :meth:`~analytics.tables.Tables.partitions`); the result does not depend on it.

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
    until = outcomes_known_until(known, moment)  # of all leads, not of a part
    mqls = known.lifecycle_events.filter(pl.col("stage") == "mql")
    mqls_from = mqls.select(pl.col("entered_at").min()).collect().item()
    parts = [
        _rule_records(part, config, as_of=moment, outcomes_until=until, mqls_from=mqls_from)
        for part in known.partitions(partitions)
    ]
    # the parts as chunks of one frame: a rechunked copy of 28M records (10M leads) took
    # 1.3 GB more while the parts were held
    records = pl.concat([r for r, _ in parts], rechunk=False) if len(parts) > 1 else parts[0][0]
    sql_leads = sum(n for _, n in parts)
    del parts
    first = known.leads.select(pl.col("created_at").min()).collect().item()
    return ThresholdBase(
        records=records,
        months=_complete_months(
            first, _data_until(known, moment, as_of), config.reporting.timezone
        ),
        sql_leads=int(sql_leads),
        weekly_capacity=weekly_capacity(known.reps),
        as_of=moment,
        window_days=config.funnel.window_days,
        kind="rule",
        current_threshold=float(config.scoring.mql_threshold),
        pipeline_known=amounts_known(known.opportunities),
        outcomes_until=until,
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
        pl.lit(None, pl.Boolean).alias("handed_over"),  # a model's table estimates nothing
    ).collect()
    until = outcomes_known_until(known, moment)
    records = _finish(steps, first_sql, known.opportunities, config=config, outcomes_until=until)
    first = records["at"].min() if records.height else None
    # the months the scored leads cover whole: a test set starts and ends inside a month
    # (2026-04-20 to 09-06), and its first and last months hold only a part of their leads
    tz = config.reporting.timezone
    last = records["at"].max() if records.height else None
    months = tuple(
        m
        for m in _complete_months(first, _data_until(known, moment, as_of), tz)
        if _covers(first, last, m, tz)
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
        pipeline_known=amounts_known(known.opportunities),
        outcomes_until=until,
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
    MQLs), ``pipeline`` (null when no opportunity carries an amount).

    Examples
    --------
    >>> from datetime import UTC
    >>> recs = pl.DataFrame({"lead_id": ["a", "a", "b"],
    ...     "at": [datetime(2026, 1, d, tzinfo=UTC) for d in (2, 5, 9)],
    ...     "month": [date(2026, 1, 1)] * 3, "score": [10.0, 70.0, 65.0],
    ...     "prev_score": [float("-inf"), 10.0, float("-inf")],
    ...     "converted": [False, True, False], "is_mature": [True] * 3,
    ...     "pipeline": [0.0, 500.0, 0.0], "handed_over": [True] * 3}, schema=RECORD_SCHEMA)
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
            (
                pl.col("pipeline").fill_null(0.0)
                if base.pipeline_known
                else pl.lit(None, pl.Float64)
            ).alias("pipeline"),
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


#: Float sums are made in fixed point, in whole multiples of 2**-32 (about 2e-10): exact,
#: so a threshold's sums do not depend on the other thresholds asked, nor on any order.
_FIXED_POINT = 2.0**32
#: Steps :func:`crossing_sums` reads at a time.
_STEPS_PER_SLICE = 2_000_000


def crossing_sums(
    records: pl.DataFrame | pl.LazyFrame, cuts: list[float], values: dict[str, pl.Expr]
) -> pl.DataFrame:
    """Per threshold: sums over the steps at which a lead's running maximum crosses it.

    Under threshold ``t`` a lead is an MQL at its step with ``prev_score < t <= score``.
    With the thresholds sorted, a step crosses a run of them, from the first above
    ``prev_score`` to the last at or below ``score``: each step adds its values where its
    run starts and takes them off after it ends, so every threshold's sums come from one
    pass over the steps (a slider's hundred positions cost about what one does). Integer
    sums are exact; float sums are exact in whole multiples of 2**-32.

    Parameters
    ----------
    records : DataFrame or LazyFrame
        Steps with ``score`` and ``prev_score`` (:data:`RECORD_SCHEMA`).
    cuts : list of float
        The thresholds.
    values : dict of name -> expression
        What each step adds (evaluated on ``records``; integers or floats, null adds 0).

    Returns
    -------
    DataFrame, one row per distinct threshold, ascending: ``threshold`` and each of
    ``values`` summed over the steps crossing it (``Int64``, or ``Float64`` for a float).

    Examples
    --------
    >>> steps = pl.DataFrame({"score": [10.0, 70.0, 65.0],
    ...                       "prev_score": [float("-inf"), 10.0, float("-inf")]})
    >>> crossing_sums(steps, [0.0, 10.0, 60.0, 80.0], {"mqls": pl.lit(1)}).rows()
    [(0.0, 2), (10.0, 2), (60.0, 2), (80.0, 0)]
    """
    names = list(values)
    grid = np.array(sorted(set(cuts)), dtype=np.float64)
    frame = records
    if isinstance(frame, pl.LazyFrame):  # a plan is run once, for the columns the sums read
        frame = frame.select("score", "prev_score", **values).collect()
        values = {n: pl.col(n) for n in names}
    floats = {n for n, dtype in frame.head(0).select(**values).schema.items() if dtype.is_float()}
    change = np.zeros((len(grid) + 1, len(names)), dtype=np.int64)
    # the sums add up over the steps: a slice at a time (at 10M leads, 28M steps held
    # whole with their values and runs took 3 GB besides the records)
    for start in range(0, frame.height, _STEPS_PER_SLICE):
        steps = frame.slice(start, _STEPS_PER_SLICE).select("score", "prev_score", **values)
        fixed = steps.select(
            # the run of thresholds a step crosses: indices [first, past)
            pl.Series("first", np.searchsorted(grid, steps["prev_score"].to_numpy(), "right")),
            pl.Series("past", np.searchsorted(grid, steps["score"].to_numpy(), "right")),
            *((pl.col(n) * _FIXED_POINT).round() if n in floats else pl.col(n) for n in names),
        ).with_columns(pl.col(names).fill_null(0).cast(pl.Int64))
        for edge, sign in (("first", 1), ("past", -1)):
            per_edge = fixed.group_by(edge).agg(pl.col(names).sum())
            change[per_edge[edge].to_numpy()] += sign * per_edge.select(names).to_numpy()
    totals = np.cumsum(change, axis=0)[:-1]
    return pl.DataFrame(
        {
            "threshold": grid,
            **{
                n: totals[:, i] / _FIXED_POINT if n in floats else totals[:, i]
                for i, n in enumerate(names)
            },
        }
    )


def _summaries(base: ThresholdBase, cuts: list[float]) -> pl.DataFrame:
    """Per threshold: the MQLs in the complete months, and the mature ones' outcomes."""
    n_months = len(base.months)
    mature = pl.col("is_mature")
    sums = crossing_sums(
        base.records,
        cuts,
        {
            "_in_months": pl.col("month").is_in(list(base.months)).cast(pl.Int64),
            "_mature": mature.cast(pl.Int64),
            "_converted_mature": (pl.col("converted") & mature).cast(pl.Int64),
            "_converted": pl.col("converted").cast(pl.Int64),
            # whole cents, as money_sum: exact, the same in every run
            "_cents_mature": pl.when(mature).then(whole_cents("pipeline")).otherwise(0),
        },
    )
    # numpy divides each row exactly; polars multiplies a column of several rows by the
    # reciprocal, so a threshold's row would depend on which other thresholds were asked
    in_months = sums["_in_months"].to_numpy()
    return sums.with_columns(
        pl.Series("_pipeline_mature", sums["_cents_mature"].to_numpy() / 100),
        pl.Series(
            "mqls_per_month",
            in_months / n_months if n_months else np.full(len(in_months), np.nan),
        ).fill_nan(None),
    ).drop("_cents_mature")


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
    ``expected_pipeline_per_month`` (null when no opportunity carries an amount),
    ``workload_ratio``, ``mature_mqls`` (observed: what happened), ``converted_mqls`` (of
    them, converted: precision's count), ``basis`` (``"observed"`` or ``"estimated"``),
    ``unobserved_share`` (of the mature MQLs, never handed over),
    ``estimated_sqls_per_month``, ``estimated_sqls_low``, ``estimated_sqls_high``,
    ``extra_sqls_per_extra_mql`` (vs today's threshold; see the
    module's definitions). With the default thresholds, today's threshold is a row.
    """
    cuts = sorted(set(base.default_thresholds if thresholds is None else thresholds))
    if not cuts:
        raise ValueError("thresholds is empty: give at least one threshold")
    if thresholds is None and base.current_threshold is not None:
        cuts = sorted({*cuts, float(base.current_threshold)})
    capacity = base.weekly_capacity
    sql_leads = base.sql_leads
    out = _summaries(base, cuts).with_columns(
        (pl.col("mqls_per_month") / WEEKS_PER_MONTH).alias("mqls_per_week"),
        safe_ratio("_converted_mature", "_mature").alias("precision"),
        (
            pl.col("_converted").cast(pl.Float64) / sql_leads
            if sql_leads
            else pl.lit(None, pl.Float64)
        ).alias("recall"),
        safe_ratio("_pipeline_mature", "_mature").alias("_pipeline_per_mql"),
    )
    out = out.join(_estimates(base, cuts), on="threshold", how="left")
    out = out.with_columns(
        (pl.col("mqls_per_month") * pl.col("precision")).alias("expected_sqls_per_month"),
        (
            pl.col("mqls_per_month") * pl.col("_pipeline_per_mql")
            if base.pipeline_known
            else pl.lit(None, pl.Float64)
        ).alias("expected_pipeline_per_month"),
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
        "_converted_mature",
        "_unobserved",
        "_est_extra",
        "_est_high",
    )
    return _with_estimates(out, base)


def slider_top(table: pl.DataFrame, current: float) -> int:
    """The threshold slider's highest value: the table's highest threshold (100 for an
    empty table), or today's threshold when that is higher.

    >>> slider_top(pl.DataFrame({"threshold": [0.0, 5.0, 110.0]}), 60.0)
    110
    >>> slider_top(pl.DataFrame({"threshold": [0.0, 5.0]}), 60.0)
    60
    """
    return int(max(float(table["threshold"].max() or 100.0), float(current)))


def slider_points(base: ThresholdBase, table: pl.DataFrame) -> pl.DataFrame:
    """:func:`threshold_table` at every whole threshold the slider offers (0 to
    :func:`slider_top`) and at today's: each row is what a slider position shows, so a
    stored copy answers every move without the base.

    Parameters
    ----------
    base : ThresholdBase
        A rule score's base (with ``current_threshold``).
    table : DataFrame
        ``threshold_table(base)`` (its highest threshold bounds the slider).
    """
    current = float(base.current_threshold or 0.0)
    cuts = [float(t) for t in range(slider_top(table, current) + 1)]
    if base.current_threshold is not None:
        cuts.append(current)
    return threshold_table(base, thresholds=cuts)


#: Handed-over mature MQLs needed before the unobserved ones are estimated.
MIN_HANDED_OVER = 30


def _handed_over(base: ThresholdBase) -> pl.Expr:
    """The record's lead was handed over: its ``mql`` event (``handed_over``), else, where
    the data records no MQL, its score reached today's threshold; True without one."""
    if base.current_threshold is None or base.kind != "rule":
        return pl.lit(True)
    if not base.records["handed_over"].null_count():  # recorded: no window over the leads
        return pl.col("handed_over")
    if "reached" not in base._fitted:  # once per base: the fit and the estimates read it
        base._fitted["reached"] = _reaching_leads(base)
    reached = pl.col("lead_id").is_in(base._fitted["reached"].implode(), nulls_equal=True)
    return pl.col("handed_over").fill_null(reached)


def _reaching_leads(base: ThresholdBase) -> pl.Series:
    """The leads with a record of unknown ``handed_over`` whose highest score reaches
    today's threshold: what a window of each lead's highest score over all the records
    says of those records, read only for their leads (at 10M leads a window over the 28M
    records took 1.8 GB, for the 40 of them whose hand-over is unknown)."""
    records = base.records.lazy()
    unknown = records.filter(pl.col("handed_over").is_null()).select("lead_id").unique()
    return (
        records.join(unknown, on="lead_id", how="semi", nulls_equal=True)
        .group_by("lead_id")
        .agg(pl.col("score").max())
        .filter(pl.col("score") >= float(base.current_threshold or 0.0))
        .collect()["lead_id"]
    )


def estimate_model(base: ThresholdBase) -> tuple[Any, Any] | None:
    """The calibration behind the estimates: (logistic, isotonic) of score -> SQL.

    Fitted on the mature records at which handed-over leads crossed today's threshold.
    None when there are fewer than :data:`MIN_HANDED_OVER` of them or a single class.
    """
    if base.current_threshold is None or base.kind != "rule":
        return None
    if "model" not in base._fitted:
        base._fitted["model"] = _fit_estimate(base)
    return base._fitted["model"]


def _fit_estimate(base: ThresholdBase) -> tuple[Any, Any] | None:
    from sklearn.linear_model import LogisticRegression

    from analytics.scoring.calibration import ScoreMapping

    now = float(base.current_threshold)
    crossed = base.records.filter(
        pl.col("is_mature")
        & (pl.col("score") >= now)
        & (pl.col("prev_score") < now)
        & _handed_over(base)
    )
    y = crossed["converted"].cast(pl.Int64).to_numpy()
    if crossed.height < MIN_HANDED_OVER or len(set(y.tolist())) < 2:
        return None
    x = crossed["score"].to_numpy().reshape(-1, 1)
    logistic = LogisticRegression(C=1e6).fit(x, y)
    return logistic, ScoreMapping().fit(x.ravel(), y)


def _estimates(base: ThresholdBase, cuts: list[float]) -> pl.DataFrame:
    """Per threshold: mature MQLs never handed over, and their estimated SQLs (point, high)."""
    schema = {
        "threshold": pl.Float64,
        "_unobserved": pl.Int64,
        "_est_extra": pl.Float64,
        "_est_high": pl.Float64,
    }
    if "estimates" not in base._fitted:  # once per base: a slider move only sums
        base._fitted["estimates"] = _estimate_records(base)
    never_handed, unseen, fitted = base._fitted["estimates"]
    unobserved = crossing_sums(never_handed, cuts, {"_unobserved": pl.lit(1, pl.Int64)})
    estimated = crossing_sums(
        unseen,
        cuts,
        {
            "_unseen": pl.lit(1, pl.Int64),
            "_est_extra": pl.col("_p"),
            "_est_high": pl.col("_p_high"),
        },
    )
    # without a fitted estimate, a threshold whose MQLs include unobserved ones has none
    known = pl.lit(fitted) | (pl.col("_unseen") == 0)
    return (
        unobserved.join(estimated, on="threshold")
        .select(
            "threshold",
            "_unobserved",
            pl.when(known).then(pl.col("_est_extra").cast(pl.Float64)).alias("_est_extra"),
            pl.when(known).then(pl.col("_est_high").cast(pl.Float64)).alias("_est_high"),
        )
        .cast(schema)  # type: ignore[arg-type]
    )


def _estimate_records(base: ThresholdBase) -> tuple[pl.DataFrame, pl.DataFrame, bool]:
    """The steps (``score``, ``prev_score``) of the mature records never handed over, and
    those of the unobserved ones with their estimated probability (``_p``, ``_p_high``;
    null without an estimate). Only the columns the sums read are kept: the slider's
    points read them for every position, and at 10M leads the records are 20M rows."""
    never_handed = (
        base.records.lazy()  # lazily: the filter copies only the columns read, not all eight
        .filter(pl.col("is_mature"))
        .select("score", "prev_score", "converted", _handed_over(base).alias("_handed"))
        .filter(~pl.col("_handed"))
        .drop("_handed")
        .collect()
    )
    unseen = never_handed.filter(~pl.col("converted")).drop("converted")
    never_handed = never_handed.drop("converted")
    fitted = estimate_model(base) if unseen.height else None
    if fitted is not None:
        logistic, mapping = fitted
        x = unseen["score"].to_numpy()
        high = mapping.predict(np.full_like(x, float(base.current_threshold or 0.0)))
        point = np.minimum(logistic.predict_proba(x.reshape(-1, 1))[:, 1], high)
        unseen = unseen.with_columns(pl.Series("_p", point), pl.Series("_p_high", high))
    else:
        nothing = pl.lit(None, pl.Float64)
        unseen = unseen.with_columns(nothing.alias("_p"), nothing.alias("_p_high"))
    return never_handed, unseen, fitted is not None


def _with_estimates(table: pl.DataFrame, base: ThresholdBase) -> pl.DataFrame:
    """Add ``basis``, ``unobserved_share``, ``estimated_sqls_*`` and the extra-SQL ratio."""
    per_mql = pl.col("mqls_per_month") / pl.col("mature_mqls")
    observed = pl.col("_converted_mature")
    out = table.with_columns(
        pl.when(pl.col("_unobserved") > 0)
        .then(pl.lit("estimated"))
        .otherwise(pl.lit("observed"))
        .alias("basis"),
        safe_ratio("_unobserved", "mature_mqls").alias("unobserved_share"),
        pl.when(pl.col("mature_mqls") > 0)
        .then((observed + pl.col("_est_extra")) * per_mql)
        .alias("estimated_sqls_per_month"),
        pl.col("expected_sqls_per_month").alias("estimated_sqls_low"),
        pl.when(pl.col("mature_mqls") > 0)
        .then((observed + pl.col("_est_high")) * per_mql)
        .alias("estimated_sqls_high"),
    )
    now = base.current_threshold
    at_now = out.filter(pl.col("threshold") == now) if now is not None else out.clear()
    if at_now.height:
        mqls_now = at_now["mqls_per_month"][0]
        sqls_now = at_now["estimated_sqls_per_month"][0]
        extra = pl.col("mqls_per_month") - mqls_now
        ratio = (pl.col("estimated_sqls_per_month") - sqls_now) / extra
        out = out.with_columns(
            pl.when((extra.abs() > 1e-12) & pl.lit(sqls_now is not None))
            .then(ratio)
            .otherwise(None)
            .alias("extra_sqls_per_extra_mql")
        )
    else:
        out = out.with_columns(pl.lit(None, pl.Float64).alias("extra_sqls_per_extra_mql"))
    return out.with_columns(pl.col("_converted_mature").alias("converted_mqls")).select(
        pl.exclude("_converted_mature", "_unobserved", "_est_extra", "_est_high")
    )


#: Expected SQLs this close (relative) to the best count as just as good.
RECOMMENDATION_TOLERANCE = 0.01


#: The default of ``scoring.min_extra_sqls_per_extra_mql`` (one SQL per ten extra MQLs).
DEFAULT_MIN_EXTRA_SQLS = 0.10


def _with_horizon(reason: str, horizon: str | None) -> str:
    """``reason``, then the horizon as a sentence of its own.

    >>> _with_horizon("None is recommended.", "outcomes are known only until 2025-08-31")
    'None is recommended. Outcomes are known only until 2025-08-31.'
    """
    return reason if not horizon else f"{reason} {as_sentence(horizon)}"


def recommend_threshold(
    table: pl.DataFrame,
    *,
    current: float | None = None,
    minimum: float = DEFAULT_MIN_EXTRA_SQLS,
    lang: Lang = "en",
    horizon: str | None = None,
) -> tuple[float | None, str]:
    """The recommended threshold and why, in one sentence (or two).

    With ``current`` (today's threshold, a row of ``table``) the rule is the extra SQLs
    per extra MQL (:func:`_recommend_from_current`): it rests on observed outcomes only,
    and a lower threshold whose gain is only a model estimate is named as an option to
    trial, with its range, never recommended. Without ``current``: the threshold with the
    most expected SQLs per month within the reps' capacity (below).

    Expected SQLs within :data:`RECOMMENDATION_TOLERANCE` (1 %) of the best count as a
    tie, and a tie goes to the highest threshold: a lower one that adds MQLs without a
    meaningful gain in SQLs only adds sales work.

    Parameters
    ----------
    table : DataFrame
        From :func:`threshold_table`.
    lang : {"en", "de"}, default "en"
        The language of the reason (a ``threshold.*`` text of :mod:`analytics.texts`).
    horizon : str, optional
        :func:`~analytics.scoring.rules.horizon_note` in ``lang``: when nothing is
        recommended, it is said why outcomes are missing (a second sentence).

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
        return None, _with_horizon(render("threshold.none", lang=lang), horizon)
    if current is not None and (table["threshold"] == float(current)).any():
        threshold, reason = _recommend_from_current(
            table, current=float(current), minimum=minimum, lang=lang
        )
        return threshold, reason if threshold is not None else _with_horizon(reason, horizon)
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


def _recommend_from_current(
    table: pl.DataFrame, *, current: float, minimum: float, lang: Lang
) -> tuple[float | None, str]:
    """Keep, lower or raise today's threshold on the observed extra SQLs per extra MQL.

    Lower to the lowest threshold reached by steps down from ``current`` that each keep
    the observed extra SQLs per extra MQL (vs ``current``) at ``minimum`` or more within
    capacity; else raise to the highest threshold reached by steps up whose dropped MQLs
    brought fewer than ``minimum`` SQLs each; else keep. Today's threshold over capacity:
    the lowest higher threshold within it.
    """
    rows = table.sort("threshold").to_dicts()
    now = next(r for r in rows if r["threshold"] == current)
    known = any(r["workload_ratio"] is not None for r in rows)

    def fits(r: dict[str, Any]) -> bool:
        return r["workload_ratio"] is None or r["workload_ratio"] <= 1.0

    def observed_ratio(r: dict[str, Any]) -> float | None:
        extra = r["mqls_per_month"] - now["mqls_per_month"]
        sqls, sqls_now = r["expected_sqls_per_month"], now["expected_sqls_per_month"]
        if abs(extra) < 1e-12 or sqls is None or sqls_now is None:
            return None
        return (sqls - sqls_now) / extra

    def say(code: str, r: dict[str, Any], **extra: Any) -> str:
        return render(
            code,
            lang=lang,
            threshold=r["threshold"],
            minimum=minimum,
            workload=r["workload_ratio"],
            extra=abs(r["mqls_per_month"] - now["mqls_per_month"]),
            ratio=observed_ratio(r),
            **extra,
        )

    suffix = "" if known else render("threshold.no_capacity_check", lang=lang)
    below = [r for r in reversed(rows) if r["threshold"] < current]
    above = [r for r in rows if r["threshold"] > current]
    if not fits(now):
        within = [r for r in above if fits(r)]
        if within:
            pick = within[0]
            return pick["threshold"], say(
                "threshold.raise_capacity", pick, current=current, now=now["workload_ratio"]
            )
        fallback = min(rows, key=lambda r: (r["workload_ratio"], -r["threshold"]))
        return fallback["threshold"], render(
            "threshold.over_capacity",
            lang=lang,
            threshold=fallback["threshold"],
            sqls=fallback["expected_sqls_per_month"] or 0.0,
            mqls=fallback["mqls_per_week"],
            workload=fallback["workload_ratio"],
        )
    if now["expected_sqls_per_month"] is None:  # no mature MQL at today's threshold
        return None, render("threshold.current_unknown", lang=lang, threshold=current)
    lower = None
    for r in below:
        ratio = observed_ratio(r)
        if ratio is None and r["mqls_per_month"] == now["mqls_per_month"]:
            continue  # the same MQLs: nothing gained, nothing lost
        if ratio is None or ratio < minimum or not fits(r):
            break
        lower = r
    option, keep = "", "threshold.keep"
    if lower is None:
        nearest = next((r for r in below if r["mqls_per_month"] > now["mqls_per_month"]), None)
        if nearest is not None and nearest.get("basis") == "estimated":
            # its extra MQLs were never handed over: "they brought few SQLs" is no finding
            keep = "threshold.keep_unobserved"
        if (
            nearest is not None
            and nearest.get("basis") == "estimated"
            and nearest.get("extra_sqls_per_extra_mql") is not None
            and nearest["extra_sqls_per_extra_mql"] >= minimum
            and nearest.get("estimated_sqls_high") is not None
        ):
            extra = nearest["mqls_per_month"] - now["mqls_per_month"]
            high = (nearest["estimated_sqls_high"] - now["estimated_sqls_per_month"]) / extra
            option = render(
                "threshold.estimated_option",
                lang=lang,
                threshold=nearest["threshold"],
                extra=extra,
                ratio=nearest["extra_sqls_per_extra_mql"],
                # an extra MQL brings no fewer than 0 SQLs: the observed SQLs a month are
                # MQLs a month x precision, two bases that can dip between thresholds
                low=max(observed_ratio(nearest) or 0.0, 0.0),
                high=high,
            )
    else:
        return lower["threshold"], say("threshold.lower", lower) + suffix
    higher = None
    for r in above:
        ratio = observed_ratio(r)
        if ratio is None and r["mqls_per_month"] == now["mqls_per_month"]:
            continue
        if ratio is None or ratio >= minimum:
            break
        higher = r
    if higher is not None:
        return higher["threshold"], say("threshold.raise", higher) + option + suffix
    return current, say(keep, now) + option + suffix


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
    ``workload_ratio``, ``mature``, ``converted``, ``rate`` (MQL -> SQL: converted of the
    mature MQLs) each with suffix ``_current`` and ``_new``, and ``mqls_change`` (new -
    current). The MQLs are the rule score's replay (:func:`threshold_whatif`: leads whose
    score first reached the threshold that month), not the month's recorded MQLs.
    """
    now = base.current_threshold if current is None else current
    if now is None:
        raise ValueError("no current threshold: pass current=... (the base has none)")
    cols = ["mqls", "mqls_per_week", "workload_ratio", "mature", "converted", "rate"]

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
    "crossing_sums",
    "precompute_from_predictions",
    "precompute_thresholds",
    "recommend_threshold",
    "slider_points",
    "slider_top",
    "threshold_table",
    "threshold_whatif",
    "weekly_capacity",
]
