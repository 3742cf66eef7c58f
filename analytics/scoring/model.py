"""The predictive lead score: a calibrated gradient-boosting model of conversion.

What it predicts: whether a lead reaches ``sql`` (target ``sql``) or a won deal
(target ``won``) within ``funnel.window_days`` after its *scoring moment*, from what was
known at that moment: the fit attributes (source, industry, size band, country,
seniority, role, employees, fit points) and the engagement before it (activities per
type in total and in the last ``recent_days``, days since the last activity, the rule
score's interest points and score). The scoring moment of a lead is ``age_days`` after
its creation; leads that were already SQL by then are left out (nothing to predict),
and only leads whose window closed by ``as_of`` are used to train and evaluate.

How: ordinal-encoded categoricals (missing is its own category, rare values are grouped)
feed a ``HistGradientBoostingClassifier`` with native categorical splits, wrapped in
``CalibratedClassifierCV`` (isotonic from 5,000 training rows, sigmoid below). Train on
the older 70 % of leads by scoring moment, test on the newer 30 %. The same pipeline
scores the X Education data set (``analytics.warehouse.adapters.xeducation``).

scikit-learn and skops are imported inside the functions (the CLI and app start fast).
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import numpy as np
import polars as pl

from analytics.config import SlaConfig
from analytics.schema import ACTIVITY_TYPES, UTC_TIMESTAMP
from analytics.scoring.calibration import ScoreMapping, calibration_metrics
from analytics.scoring.rules import (
    _as_of,
    _first_sql,
    attributes_at,
    horizon_note,
    lead_attributes,
    outcomes_known_until,
    scores_at,
)
from analytics.tables import Tables
from analytics.texts import NOTHING, Lang, Text
from analytics.timeframe import utc_lit

Target = Literal["sql", "won"]
TARGETS: tuple[Target, ...] = ("sql", "won")
CalibrationMethod = Literal["auto", "isotonic", "sigmoid"]

#: Below this many training rows calibration is sigmoid (isotonic overfits small data).
ISOTONIC_MIN_ROWS = 5_000
MISSING = "(missing)"
#: Rows per batch of :meth:`ScoreModel.predict_proba` (rows are predicted independently).
PREDICT_BATCH_ROWS = 100_000
#: Cross-validation folds of the calibration (each fold fits the pipeline once).
CALIBRATION_FOLDS = 3
#: Gradient-boosting settings (chosen on the X Education data and the demo data).
BOOSTING_PARAMS: dict[str, Any] = {
    "learning_rate": 0.1,
    "max_iter": 100,
    "max_depth": 3,
    "min_samples_leaf": 50,
    "l2_regularization": 1.0,
}

CATEGORICAL_FEATURES: tuple[str, ...] = (
    "source",
    "industry",
    "size_band",
    "country",
    "seniority",
    "role",
)
NUMERIC_FEATURES: tuple[str, ...] = (
    "employees",
    "fit_points",
    "interest_points",
    "score",
    "n_activities",
    "days_since_last_activity",
    *(f"n_{t}" for t in ACTIVITY_TYPES),
    *(f"recent_{t}" for t in ACTIVITY_TYPES),
)


def target_of(label: object) -> Target:
    """The target a card or an evaluation names (``"sql_within_window"``: ``"sql"``).

    >>> target_of("won_within_window"), target_of("sql")
    ('won', 'sql')
    """
    return _check_target(str(label).removesuffix("_within_window"))


def _check_target(target: str) -> Target:
    if target not in TARGETS:
        raise ValueError(f"unknown target {target!r}; allowed: {', '.join(TARGETS)}")
    return target  # type: ignore[return-value]


def _sample_moments(
    leads: pl.LazyFrame,
    known: Tables,
    *,
    config: SlaConfig,
    as_of: datetime,
    age_days: float,
    outcomes_until: datetime | None = None,
) -> pl.LazyFrame:
    """The leads that have a sample: scored by ``as_of`` and not SQL by their scoring moment.

    Parameters
    ----------
    leads : LazyFrame
        ``lead_id``, ``created_at`` and any other columns (passed through).
    known : Tables
        The data as known at ``as_of`` (its ``sql`` lifecycle events).
    outcomes_until : datetime, optional
        The last moment an SQL can be seen (:func:`~analytics.scoring.rules.outcomes_known_until`
        of ``known``, the default; a part of the leads passes the whole data's).

    Returns
    -------
    LazyFrame, one row per such lead: the columns of ``leads``, ``scored_at``, ``sql_at``
    (first SQL or null), ``is_mature`` (the window after ``scored_at`` closed by
    ``outcomes_until``).
    """
    ts = utc_lit(as_of)
    if outcomes_until is None:
        outcomes_until = outcomes_known_until(known, as_of)
    seen_until = utc_lit(outcomes_until)
    window = timedelta(days=config.funnel.window_days)
    return (
        leads.with_columns((pl.col("created_at") + timedelta(days=age_days)).alias("scored_at"))
        .filter(pl.col("scored_at") <= ts)
        .join(_first_sql(known), on="lead_id", how="left")
        .filter(pl.col("sql_at").is_null() | (pl.col("sql_at") > pl.col("scored_at")))
        .with_columns((pl.col("scored_at") + window <= seen_until).alias("is_mature"))
    )


def scoring_samples(
    tables: Tables,
    config: SlaConfig,
    *,
    as_of: datetime | None = None,
    age_days: float = 0.0,
    recent_days: float = 30.0,
    outcomes_until: datetime | None = None,
) -> pl.LazyFrame:
    """One row per lead at its scoring moment: features (point in time) and outcomes.

    Parameters
    ----------
    tables, config
        The data and the SLA config (``[scoring]``, ``funnel.window_days``).
    as_of : datetime, optional
        The data as known then (default: the latest timestamp).
    age_days : float, default 0
        The scoring moment is ``created_at + age_days`` (0: when the lead is created,
        its first activity included).
    recent_days : float, default 30
        The window of the ``recent_<type>`` counts before the scoring moment.
    outcomes_until : datetime, optional
        The last moment an SQL can be seen (default: :func:`outcomes_known_until` of
        ``tables``; a part of the leads passes the whole data's).

    Returns
    -------
    LazyFrame, one row per lead with ``created_at + age_days <= as_of`` that was not SQL
    by then: ``lead_id``, ``scored_at``, :data:`CATEGORICAL_FEATURES`,
    :data:`NUMERIC_FEATURES`, ``sql`` and ``won`` (bool: reached within
    ``funnel.window_days`` after ``scored_at``), ``sql_at``, ``is_mature`` (the window
    closed by ``as_of`` and by the last lifecycle event), ``pipeline`` (amount of the
    lead's opportunities created in the window).

    Examples
    --------
    >>> from analytics.config import load_config
    >>> cfg = load_config("data/sla.toml")
    >>> t = Tables.from_rows(
    ...     leads=[{"lead_id": "L1", "created_at": "2026-01-01T00:00:00Z", "source": "email"}],
    ...     activities=[{"activity_id": "a", "lead_id": "L1", "type": "page_view",
    ...                  "occurred_at": "2026-01-01T00:00:00Z"}],
    ...     lifecycle_events=[{"lead_id": "L1", "stage": "sql",
    ...                        "entered_at": "2026-02-01T00:00:00Z"},
    ...                       {"lead_id": "L2", "stage": "mql",
    ...                        "entered_at": "2026-05-01T00:00:00Z"}])
    >>> s = scoring_samples(t, cfg, as_of=datetime(2026, 6, 1, tzinfo=UTC)).collect()
    >>> s.select("n_page_view", "sql", "is_mature").row(0)
    (1, True, True)

    Without L2's event the lifecycle events would end on 2026-02-01, before L1's window
    closed (2026-04-01): L1 would not be mature (:func:`outcomes_known_until`).
    """
    moment = _as_of(tables, as_of)
    known = tables.until(moment)
    window = timedelta(days=config.funnel.window_days)
    attrs = _sample_moments(  # read by five branches below: computed once
        lead_attributes(known, config),
        known,
        config=config,
        as_of=moment,
        age_days=age_days,
        outcomes_until=outcomes_until,
    )
    if known.lead_history is not None or known.account_history is not None:
        # the attributes as they were at the scoring moment, not as a later import has them
        moments = attrs.select("lead_id", pl.col("scored_at").alias("at"))
        then = attributes_at(known, config, moments)
        attrs = attrs.select("lead_id", "scored_at", "sql_at", "is_mature").join(
            then.rename({"at": "scored_at"}), on=["lead_id", "scored_at"], how="inner"
        )
    attrs = attrs.cache()
    recent = timedelta(days=recent_days)
    acts = (
        attrs.select("lead_id", "scored_at")
        .join(known.activities.select("lead_id", "occurred_at", "type"), on="lead_id")
        .filter(pl.col("occurred_at") <= pl.col("scored_at"))
        .group_by("lead_id")
        .agg(
            pl.len().alias("n_activities"),
            (
                (pl.col("scored_at").first() - pl.col("occurred_at").max())
                .dt.total_seconds()
                .cast(pl.Float64)
                / 86_400
            ).alias("days_since_last_activity"),
            *[(pl.col("type") == t).sum().alias(f"n_{t}") for t in ACTIVITY_TYPES],
            *[
                ((pl.col("type") == t) & (pl.col("occurred_at") > pl.col("scored_at") - recent))
                .sum()
                .alias(f"recent_{t}")
                for t in ACTIVITY_TYPES
            ],
        )
    )
    rule = scores_at(known, config, attrs.select("lead_id", pl.col("scored_at").alias("at")))
    won = (
        known.opportunities.filter(pl.col("status") == "won")
        .join(attrs.select("lead_id", "scored_at"), on="lead_id")
        .filter(
            (pl.col("closed_at") > pl.col("scored_at"))
            & (pl.col("closed_at") <= pl.col("scored_at") + window)
        )
        .group_by("lead_id")
        .agg(pl.lit(True).alias("won"))
    )
    pipeline = (
        known.opportunities.join(attrs.select("lead_id", "scored_at"), on="lead_id")
        .filter(
            (pl.col("created_at") > pl.col("scored_at"))
            & (pl.col("created_at") <= pl.col("scored_at") + window)
        )
        .group_by("lead_id")
        .agg(pl.col("amount").sum().alias("pipeline"))
    )
    counts = ["n_activities", *(f"n_{t}" for t in ACTIVITY_TYPES)]
    counts += [f"recent_{t}" for t in ACTIVITY_TYPES]
    return (
        attrs.join(acts, on="lead_id", how="left")
        .join(rule.select("lead_id", "interest_points", "score"), on="lead_id", how="left")
        .join(won, on="lead_id", how="left")
        .join(pipeline, on="lead_id", how="left")
        .with_columns(
            *[pl.col(c).fill_null(0).cast(pl.Int64) for c in counts],
            pl.col("employees").cast(pl.Float64),
            (pl.col("sql_at") <= pl.col("scored_at") + window).fill_null(False).alias("sql"),
            pl.col("won").fill_null(False),
            pl.col("pipeline").fill_null(0.0),
        )
        .select(
            "lead_id",
            "scored_at",
            *CATEGORICAL_FEATURES,
            *NUMERIC_FEATURES,
            "sql",
            "won",
            "sql_at",
            "is_mature",
            "pipeline",
        )
        .sort("scored_at", "lead_id")
    )


def _check_columns(frame: pl.DataFrame, features: tuple[str, ...]) -> None:
    missing = [c for c in features if c not in frame.columns]
    if missing:
        raise ValueError(f"feature column(s) {missing} not in the frame; it has {frame.columns}")


def feature_matrix(
    frame: pl.DataFrame,
    *,
    numeric: list[str] | tuple[str, ...],
    categorical: list[str] | tuple[str, ...],
) -> np.ndarray:
    """The model's input: categoricals first (strings, missing as ``"(missing)"``), then numbers.

    >>> feature_matrix(pl.DataFrame({"c": ["a", None], "x": [1, None]}), numeric=["x"],
    ...                categorical=["c"]).tolist()
    [['a', 1.0], ['(missing)', nan]]
    """
    _check_columns(frame, (*categorical, *numeric))
    cats = (
        frame.select([pl.col(c).cast(pl.String).fill_null(MISSING) for c in categorical])
        .to_numpy()
        .astype(object)
    )
    nums = (
        frame.select([pl.col(c).cast(pl.Float64).fill_null(float("nan")) for c in numeric])
        .to_numpy()
        .astype(object)
    )
    return np.concatenate([cats.reshape(frame.height, -1), nums.reshape(frame.height, -1)], axis=1)


def informative_features(
    frame: pl.DataFrame,
    *,
    numeric: list[str] | tuple[str, ...],
    categorical: list[str] | tuple[str, ...],
) -> tuple[list[str], list[str], dict[str, str]]:
    """The features that vary among the rows of ``frame``, and the others with why.

    A feature with one value, or none, teaches a model nothing: an export without
    activities has every activity count 0 and no last activity (and a column without
    any value breaks the gradient boosting's binning).

    Returns
    -------
    (numeric, categorical, dropped): the varying features of each kind, in their order;
    ``{feature: "no value" | "one value"}`` for the others.

    >>> informative_features(pl.DataFrame({"n": [0, 2], "d": [None, 1.5], "c": ["a", None]}),
    ...                      numeric=["n", "d"], categorical=["c"])
    (['n', 'd'], ['c'], {})
    >>> informative_features(pl.DataFrame({"n": [0, 0], "d": [None, None], "c": ["a", "b"]}),
    ...                      numeric=["n", "d"], categorical=["c"])[2]
    {'n': 'one value', 'd': 'no value'}
    """
    names = [*numeric, *categorical]
    _check_columns(frame, tuple(names))
    stats = frame.select(
        *(pl.col(c).n_unique().alias(f"{c}:distinct") for c in names),
        *(pl.col(c).is_not_null().any().alias(f"{c}:any") for c in names),
    ).row(0, named=True)
    dropped = {
        c: "no value" if not stats[f"{c}:any"] else "one value"
        for c in names
        if stats[f"{c}:distinct"] < 2 and frame.height > 1
    }
    return (
        [c for c in numeric if c not in dropped],
        [c for c in categorical if c not in dropped],
        dropped,
    )


def make_classifier(
    *,
    n_categorical: int,
    n_rows: int,
    calibration: CalibrationMethod = "auto",
    random_state: int = 0,
    calibrated: bool = True,
) -> Any:
    """The scoring pipeline: ordinal encoding + HistGradientBoosting, calibrated by CV.

    Parameters
    ----------
    n_categorical : int
        The first ``n_categorical`` columns of the matrix are categorical.
    n_rows : int
        Training rows; picks the calibration method when ``calibration="auto"``.
    calibration : {"auto", "isotonic", "sigmoid"}
    calibrated : bool, default True
        False returns the bare pipeline (to show what calibration changes).
    """
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OrdinalEncoder

    if calibration not in ("auto", "isotonic", "sigmoid"):
        raise ValueError(f"unknown calibration {calibration!r}; allowed: auto, isotonic, sigmoid")
    cat_idx = list(range(n_categorical))
    encoder = OrdinalEncoder(
        handle_unknown="use_encoded_value",
        unknown_value=np.nan,
        encoded_missing_value=np.nan,
        min_frequency=5,
        max_categories=250,
    )
    pipeline = Pipeline(
        [
            ("encode", ColumnTransformer([("cat", encoder, cat_idx)], remainder="passthrough")),
            (
                "boost",
                HistGradientBoostingClassifier(
                    categorical_features=cat_idx or None,
                    early_stopping=False,
                    random_state=random_state,
                    **BOOSTING_PARAMS,
                ),
            ),
        ]
    )
    if not calibrated:
        return pipeline
    method = (
        calibration
        if calibration != "auto"
        else ("isotonic" if n_rows >= ISOTONIC_MIN_ROWS else "sigmoid")
    )
    return CalibratedClassifierCV(pipeline, method=method, cv=CALIBRATION_FOLDS)


@dataclass
class ScoreModel:
    """A fitted scoring model and its card (version, features, metrics)."""

    estimator: Any
    numeric: list[str]
    categorical: list[str]
    card: dict[str, Any] = field(default_factory=dict)

    @property
    def target(self) -> Target:
        """What the model predicts, within the funnel window: ``"sql"`` or ``"won"``."""
        return target_of(self.card.get("target", "sql_within_window"))

    @property
    def version(self) -> str:
        return str(self.card.get("version", ""))

    def predict_proba(self, frame: pl.DataFrame) -> np.ndarray:
        """The probability of the target for each row of ``frame`` (it needs the features)."""
        from threadpoolctl import threadpool_limits

        parts = [np.empty(0, dtype=np.float64)]
        with threadpool_limits(limits=1):  # in batches: the object matrix of all rows is large
            for batch in frame.iter_slices(PREDICT_BATCH_ROWS):
                x = feature_matrix(batch, numeric=self.numeric, categorical=self.categorical)
                parts.append(self.estimator.predict_proba(x)[:, 1])
        return np.concatenate(parts)


def fit_model(
    frame: pl.DataFrame,
    *,
    label: str,
    numeric: list[str] | tuple[str, ...] = NUMERIC_FEATURES,
    categorical: list[str] | tuple[str, ...] = CATEGORICAL_FEATURES,
    calibration: CalibrationMethod = "auto",
    calibrated: bool = True,
    random_state: int = 0,
) -> ScoreModel:
    """Fit the scoring pipeline on ``frame`` (features + a boolean/0-1 ``label`` column).

    Raises :class:`~analytics.scoring.leakage.LeakageError` (a ``ValueError``) naming
    every feature whose name or single-feature ROC AUC marks it as the outcome.
    """
    from analytics.scoring.leakage import check_features

    if label not in frame.columns:
        raise ValueError(f"label column {label!r} not in the frame; it has {frame.columns}")
    y = frame[label].cast(pl.Int64).to_numpy()
    if len(set(y.tolist())) < 2:
        raise ValueError(
            f"label {label!r} has a single class in {frame.height} rows: nothing to learn"
        )
    from threadpoolctl import threadpool_limits

    numeric, categorical, dropped = informative_features(
        frame, numeric=numeric, categorical=categorical
    )
    if not numeric and not categorical:
        raise ValueError(
            f"no feature varies among the {frame.height} training leads ({', '.join(dropped)}):"
            " nothing to learn from; import activities or lead attributes (country, role ...)"
        )
    x = feature_matrix(frame, numeric=numeric, categorical=categorical)
    check_features(frame, label=label, features=[*categorical, *numeric])
    estimator = make_classifier(
        n_categorical=len(categorical),
        n_rows=frame.height,
        calibration=calibration,
        random_state=random_state,
        calibrated=calibrated,
    )
    # one OpenMP thread: on a busy machine more threads spin and make fitting many times slower
    with threadpool_limits(limits=1):
        estimator.fit(x, y)
    method = getattr(estimator, "method", None)
    from analytics.scoring.reasons import typical_values

    typical = typical_values(frame, numeric=list(numeric), categorical=list(categorical))
    card = {
        "label": label,
        "n_train": frame.height,
        # each feature's typical value among the training rows (the reference of the
        # per-lead factors, analytics.scoring.reasons.model_factors)
        "typical": {
            k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in typical.items()
        },
        "positives_train": int(y.sum()),
        "calibration": method,
        "features": [*categorical, *numeric],
        # left out: the same value (or none) in every training row
        "dropped_features": dropped,
        "numeric_features": list(numeric),
        "categorical_features": list(categorical),
    }
    return ScoreModel(estimator, list(numeric), list(categorical), card)


@dataclass
class Evaluation:
    """A trained model and how it compares with the rule score on newer leads."""

    model: ScoreModel
    target: Target
    #: Test rows: ``lead_id``, ``scored_at``, ``y``, ``rule_score``, ``rule_probability``,
    #: ``model_probability``, ``uncalibrated_probability``.
    test: pl.DataFrame
    metrics: dict[str, dict[str, float | None]]
    split_at: datetime | None


def time_split(
    samples: pl.DataFrame, *, test_share: float = 0.3, gap: timedelta | int = 0
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Older leads (by ``scored_at``) to train, the newest ``test_share`` to test.

    A training lead's outcome must be known when the test period begins, so only those
    scored at least ``gap`` (the outcome window) before the first test lead are trained on:
    the leads in between are in neither part.

    >>> df = pl.DataFrame({"scored_at": [3, 1, 2, 4], "x": list("cabd")})
    >>> [f["x"].to_list() for f in time_split(df, test_share=0.25)]
    [['a', 'b', 'c'], ['d']]
    >>> [f["x"].to_list() for f in time_split(df, test_share=0.25, gap=2)]
    [['a', 'b'], ['d']]
    """
    ordered = samples.sort("scored_at", maintain_order=True)
    cut = _train_rows(ordered.height, test_share)
    test = ordered.slice(cut)
    train = ordered.head(cut)
    if test.height:
        train = train.filter(pl.col("scored_at") <= test["scored_at"][0] - gap)
    return train, test


def _train_rows(n: int, test_share: float) -> int:
    """How many of ``n`` samples (oldest first) :func:`time_split` trains on."""
    if not 0 < test_share < 1:
        raise ValueError(f"test_share = {test_share}: must be between 0 and 1")
    return round(n * (1 - test_share))


#: The fewest leads a model is trained or evaluated on.
MIN_SAMPLES = 50


def samples_split(
    tables: Tables,
    config: SlaConfig,
    *,
    as_of: datetime | None,
    age_days: float,
    test_share: float,
    max_train_rows: int | None = None,
    train_columns: tuple[str, ...] | None = None,
    partitions: int | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """:func:`time_split` of the mature :func:`scoring_samples`, computed in parts of leads.

    First the mature samples' keys (``scored_at``, ``lead_id``: their order) are found
    from the leads and their SQLs alone; then the features of the samples that are kept
    (the newest ``max_train_rows`` training rows and the test rows) are computed per
    part of the leads (:meth:`~analytics.tables.Tables.partitions`). The result equals
    ``time_split`` of all mature samples with a ``gap`` of the funnel window (training
    rows cut to the newest ``max_train_rows``; only ``train_columns`` of them when given).
    """
    moment = _as_of(tables, as_of)
    known = tables.until(moment)
    outcomes_until = outcomes_known_until(known, moment)  # of all leads, not of a part
    keys = (
        _sample_moments(
            known.leads.select("lead_id", "created_at"),
            known,
            config=config,
            as_of=moment,
            age_days=age_days,
            outcomes_until=outcomes_until,
        )
        .filter(pl.col("is_mature"))
        .select("scored_at", "lead_id")
        .sort("scored_at", "lead_id")
        .collect()
    )
    n = keys.height
    # leads are hidden by the horizon, not by a short history: say so, not "more history"
    horizon = horizon_note(
        outcomes_until, moment, window_days=config.funnel.window_days, loaded_at=known.loaded_at
    )
    if n < MIN_SAMPLES:
        raise ValueError(
            f"only {n} leads have a closed {config.funnel.window_days}-day window: "
            f"too few to train or evaluate a model (need at least {MIN_SAMPLES})"
            + ("" if horizon is None else f"; {horizon}")
        )
    # a training lead's outcome must be known when the test period begins: its window
    # closed by then (else the labels would carry what happened in the test period)
    gap = timedelta(days=config.funnel.window_days)
    train_keys, test_keys = time_split(keys, test_share=test_share, gap=gap)
    cut, trained = n - test_keys.height, train_keys.height
    if cut < n and trained < MIN_SAMPLES:
        closed_by = test_keys["scored_at"][0] - gap
        raise ValueError(
            f"only {trained} of the {cut} older leads were scored by {closed_by:%Y-%m-%d}, "
            f"{config.funnel.window_days} days before the newest {n - cut} (the test "
            "leads) begin: too few whose outcome was known then to train a model "
            f"(need at least {MIN_SAMPLES}); "
            + ("a later --as-of or more history gives more" if horizon is None else horizon)
        )
    del train_keys, test_keys
    start = 0 if max_train_rows is None else max(0, trained - max_train_rows)
    kept = keys.slice(start).select("lead_id") if start else None
    is_test = _from_key(*keys.row(cut)) if cut < n else pl.lit(False)
    is_train = _before_key(*keys.row(trained)) if trained < n else pl.lit(True)
    del keys
    train_parts, test_parts = [], []
    for part in known.partitions(partitions):  # parts of all leads: each reads 1/k of a table
        samples = (
            scoring_samples(
                part if kept is None else part.for_leads(kept),
                config,
                as_of=moment,
                age_days=age_days,
                outcomes_until=outcomes_until,
            )
            .filter(pl.col("is_mature"))
            .collect()
        )
        train = samples.filter(is_train)
        train_parts.append(train if train_columns is None else train.select(train_columns))
        test_parts.append(samples.filter(is_test))
        del samples, train

    def ordered(parts: list[pl.DataFrame]) -> pl.DataFrame:
        return pl.concat(parts).sort("scored_at", "lead_id")

    return ordered(train_parts), ordered(test_parts)


def _before_key(scored_at: datetime, lead_id: str) -> pl.Expr:
    """The samples before ``(scored_at, lead_id)`` in the samples' order."""
    return ~_from_key(scored_at, lead_id)


def _from_key(scored_at: datetime, lead_id: str) -> pl.Expr:
    """The samples at or after ``(scored_at, lead_id)`` in the samples' order."""
    at = utc_lit(scored_at)
    return (pl.col("scored_at") > at) | (
        (pl.col("scored_at") == at) & (pl.col("lead_id") >= lead_id)
    )


def _evaluate(
    model: ScoreModel,
    train: pl.DataFrame,
    test: pl.DataFrame,
    *,
    target: Target,
    bare: ScoreModel | None = None,
) -> Evaluation:
    mapping = ScoreMapping().fit(train["score"].to_numpy(), train[target].cast(pl.Int64))
    y = test[target].cast(pl.Int64).to_numpy()
    frame = test.select(
        "lead_id", "scored_at", pl.col(target).cast(pl.Int64).alias("y")
    ).with_columns(
        pl.Series("rule_score", test["score"].to_numpy()),
        pl.Series("rule_probability", mapping.predict(test["score"].to_numpy())),
        pl.Series("model_probability", model.predict_proba(test)),
    )
    metrics = {
        "model": calibration_metrics(y, frame["model_probability"]),
        "rule_score": calibration_metrics(y, frame["rule_probability"]),
    }
    if bare is not None:
        frame = frame.with_columns(pl.Series("uncalibrated_probability", bare.predict_proba(test)))
        metrics["uncalibrated"] = calibration_metrics(y, frame["uncalibrated_probability"])
    split_at = test["scored_at"].min() if test.height else None
    return Evaluation(model, target, frame, metrics, split_at)


def train_and_evaluate(
    tables: Tables,
    config: SlaConfig,
    *,
    target: Target = "sql",
    as_of: datetime | None = None,
    age_days: float = 0.0,
    test_share: float = 0.3,
    random_state: int = 0,
    max_train_rows: int = 200_000,
    partitions: int | None = None,
) -> Evaluation:
    """Train the model on older leads and compare it with the rule score on newer ones.

    At most ``max_train_rows`` training leads are used (the newest of them), which bounds
    the training time on large warehouses; only their features and the test leads' are
    computed, in parts of ``partitions`` (default: as
    :meth:`~analytics.tables.Tables.partitions`; the result does not depend on it).

    The rule score becomes a probability through a :class:`ScoreMapping` fitted on the
    training leads. ``metrics`` (each :func:`calibration_metrics`) for ``model``,
    ``rule_score`` and ``uncalibrated`` (the same pipeline without calibration).
    """
    target = _check_target(target)
    train, test = samples_split(  # the newest training leads: closest to the test period
        tables,
        config,
        as_of=as_of,
        age_days=age_days,
        test_share=test_share,
        max_train_rows=max_train_rows,
        partitions=partitions,
    )
    model = fit_model(train, label=target, random_state=random_state)
    bare = fit_model(train, label=target, random_state=random_state, calibrated=False)
    evaluation = _evaluate(model, train, test, target=target, bare=bare)
    trained_at = datetime.now(UTC)
    model.card.update(
        {
            "version": trained_at.strftime("%Y%m%dT%H%M%SZ"),
            "trained_at": trained_at.isoformat(timespec="seconds").replace("+00:00", "Z"),
            "target": f"{target}_within_window",
            "window_days": config.funnel.window_days,
            "age_days": age_days,
            "split": "time",
            "split_at": evaluation.split_at.isoformat() if evaluation.split_at else None,
            # the first test lead: with split_at, where the leads it did not learn from begin
            "split_lead_id": test["lead_id"][0] if test.height else None,
            "n_test": test.height,
            "metrics": evaluation.metrics["model"],
            "rule_score_metrics": evaluation.metrics["rule_score"],
            "uncalibrated_metrics": evaluation.metrics["uncalibrated"],
            "config_version": config.sla.version,
            "config_hash": config.content_hash,
            # what check_card compares with the config in force and the warehouse
            "features_key": config.features_key,
            "reference_leads": reference_leads(train),
        }
    )
    return evaluation


#: How many training leads a card names (:func:`reference_leads`).
REFERENCE_LEADS = 5


def reference_leads(train: pl.DataFrame, *, k: int = REFERENCE_LEADS) -> list[dict[str, str]]:
    """Up to ``k`` training leads spread over the training period, by which
    :func:`check_card` tells whether a warehouse is the one the model was trained on.

    Parameters
    ----------
    train : DataFrame
        The training rows (``lead_id``, ``scored_at``), oldest first.

    Returns
    -------
    list of {"lead_id", "scored_at" (ISO 8601)}: the first, the last and evenly between.

    >>> at = datetime(2026, 1, 1, tzinfo=UTC)
    >>> rows = pl.DataFrame({"lead_id": ["a", "b", "c"], "scored_at": [at] * 3})
    >>> [r["lead_id"] for r in reference_leads(rows, k=2)], reference_leads(rows)[0]["scored_at"]
    (['a', 'c'], '2026-01-01T00:00:00+00:00')
    """
    n = train.height
    picks = sorted({round(i * (n - 1) / max(k - 1, 1)) for i in range(min(k, n))})
    return [
        {"lead_id": row["lead_id"], "scored_at": row["scored_at"].isoformat()}
        for row in train[picks].select("lead_id", "scored_at").iter_rows(named=True)
    ]


@dataclass(frozen=True)
class CardCheck:
    """What a saved model's card says against the config in force and the warehouse
    (:func:`check_card`): ``reasons`` not to judge it at all (it predicts another label),
    ``notes`` that flag it (other scoring points, another warehouse, cannot be checked)."""

    reasons: tuple[Text, ...] = ()
    notes: tuple[Text, ...] = ()

    def reason(self, *, lang: Lang = "en") -> str | None:
        """Why the model is not judged (with every note), in ``lang``; None to judge it."""
        texts = [*self.reasons, *self.notes] if self.reasons else []
        return " ".join(t.render(lang=lang) for t in texts) or None

    def note(self, *, lang: Lang = "en") -> str | None:
        """Every problem found, in ``lang``, or None."""
        return " ".join(t.render(lang=lang) for t in (*self.reasons, *self.notes)) or None


class ModelMismatchError(ValueError):
    """A saved model trained for another label window than the config in force has."""


def check_card(card: dict[str, Any], tables: Tables, config: SlaConfig) -> CardCheck:
    """A saved model's card against the config in force and the warehouse.

    - ``window_days`` other than ``funnel.window_days``: the model predicts another label,
      its quality cannot be judged against this one (a reason).
    - ``features_key`` other than the config's :attr:`~analytics.config.SlaConfig.features_key`:
      its score inputs are computed differently now (a note).
    - none of the card's ``reference_leads`` (an older card: ``split_lead_id`` at
      ``split_at``) is a lead of these tables scored at that moment: it was trained on
      another warehouse (a note). One purged lead does not make another warehouse, and
      ``sla purge`` drops erased leads from the card (:func:`forget_leads`): when it
      dropped them all, the note says that this cannot be checked.
    - a card without a field (written before these checks) says that it cannot be checked,
      unless its ``config_hash`` is the config's own (then nothing differs).

    Parameters
    ----------
    card : dict
        The model's card (:func:`read_card`).
    tables, config
        The warehouse and the SLA config in force.

    Returns
    -------
    CardCheck

    Examples
    --------
    >>> from analytics.config import load_config
    >>> cfg = load_config("data/sla.toml")
    >>> t = Tables.from_rows(leads=[{"lead_id": "L1", "created_at": "2026-01-01T00:00:00Z"}])
    >>> card = {"version": "v1", "window_days": 30, "features_key": cfg.features_key,
    ...         "reference_leads": [{"lead_id": "L1", "scored_at": "2026-01-01T00:00:00Z"}]}
    >>> check_card(card, t, cfg).reason()  # doctest: +ELLIPSIS
    'The saved model v1 was trained with funnel.window_days 30 (SLA config –), the config ...'
    >>> check_card({**card, "window_days": 90}, t, cfg)
    CardCheck(reasons=(), notes=())
    >>> check_card({"version": "v0"}, t, cfg).note()  # doctest: +ELLIPSIS
    "The saved model v0's card was written before these checks: whether it was trained for ..."
    """
    version = str(card.get("version") or "?")
    same_config = bool(card.get("config_hash")) and card.get("config_hash") == config.content_hash
    reasons: list[Text] = []
    notes: list[Text] = []
    unchecked: list[Text] = []
    window = card.get("window_days")
    if window is None:
        if not same_config:
            unchecked.append(Text("model.check.what.window"))
    elif int(window) != config.funnel.window_days:
        reasons.append(
            Text(
                "model.check.window",
                {
                    "version": version,
                    "trained": int(window),
                    "config_version": card.get("config_version"),
                    "now": config.funnel.window_days,
                },
            )
        )
    key = card.get("features_key")
    if key is None:
        if not same_config:
            unchecked.append(Text("model.check.what.points"))
    elif key != config.features_key:
        notes.append(
            Text(
                "model.check.points",
                {
                    "version": version,
                    "config_version": card.get("config_version"),
                    "now_version": config.sla.version,
                },
            )
        )
    refs = card.get("reference_leads")
    if not refs and card.get("split_lead_id") and card.get("split_at"):
        refs = [{"lead_id": card["split_lead_id"], "scored_at": card["split_at"]}]
    if not refs and card.get("reference_leads") == []:  # every one erased (forget_leads)
        notes.append(Text("model.check.erased", {"version": version}))
    elif not refs:
        unchecked.append(Text("model.check.what.warehouse"))
    elif _found_leads(refs, tables, age_days=float(card.get("age_days") or 0.0)) == 0:
        first = refs[0]["lead_id"]
        notes.append(
            Text("model.check.warehouse", {"version": version, "n": len(refs), "lead": first})
        )
    for what in unchecked:
        notes.append(Text("model.check.unchecked", {"version": version, "what": what}))
    return CardCheck(tuple(reasons), tuple(notes))


def _found_leads(refs: list[dict[str, str]], tables: Tables, *, age_days: float) -> int:
    """How many of ``refs`` (``lead_id``, ``scored_at``) are leads of ``tables`` scored
    then (``created_at + age_days``)."""
    ids = [r["lead_id"] for r in refs]
    wanted = pl.LazyFrame(
        {
            "lead_id": ids,
            "scored_at": [
                datetime.fromisoformat(r["scored_at"].replace("Z", "+00:00")) for r in refs
            ],
        },
        schema={"lead_id": pl.String, "scored_at": UTC_TIMESTAMP},
    )
    return (
        tables.leads.filter(pl.col("lead_id").is_in(ids))
        .select("lead_id", (pl.col("created_at") + timedelta(days=age_days)).alias("scored_at"))
        .join(wanted, on=["lead_id", "scored_at"])
        .select(pl.len())
        .collect()
        .item()
    )


def evaluate_model(
    model: ScoreModel,
    tables: Tables,
    config: SlaConfig,
    *,
    as_of: datetime | None = None,
    test_share: float = 0.3,
    partitions: int | None = None,
) -> Evaluation:
    """Evaluate a saved model on the newest leads of the current data (as it was trained),
    of them only those it was not trained on (:func:`unseen_samples`).

    The rule score's mapping is fitted on all older leads (only their score and outcome
    are kept); ``partitions`` as in :func:`train_and_evaluate`.

    Raises
    ------
    SeenTestPeriodError
        When the model was trained on every lead of the test period (``as_of`` before its
        training's test period began): its quality cannot be told from these leads.
    """
    target = model.target
    age_days = float(model.card.get("age_days", 0.0))
    train, test = samples_split(
        tables,
        config,
        as_of=as_of,
        age_days=age_days,
        test_share=test_share,
        train_columns=("scored_at", "lead_id", "score", target),
        partitions=partitions,
    )
    unseen = unseen_samples(model, test)
    if unseen.is_empty():
        raise SeenTestPeriodError(
            f"the saved model {model.card.get('version', '')} learned from every lead of this "
            f"test period (it was trained on the leads scored before {model.card.get('split_at')})"
        )
    return _evaluate(model, train, unseen, target=target)


#: The outcome of each target in words (a reason names it): (noun, what a lead did).
#: Test leads of each outcome (and of the other) below which a score's quality is not
#: judged: ROC AUC 0.500 and ECE 0.013 on 2 SQLs among 90 leads read as a verdict.
MIN_TEST_OUTCOMES = 10

OUTCOME_WORDS: dict[str, tuple[str, str, str]] = {
    "sql": ("SQL", "reached SQL", "did not reach SQL"),
    "won": ("won deal", "led to a won deal", "did not lead to a won deal"),
}


def unmeasured_reason(metrics: dict[str, Any], *, target: Target) -> str | None:
    """Why a score's ranking quality (ROC AUC, PR AUC) cannot be measured on its test
    leads, or None when it can: there are none, or their outcomes are all of one kind.

    Parameters
    ----------
    metrics : dict
        :func:`~analytics.scoring.calibration.calibration_metrics` of the test leads (its
        ``n`` and ``positives``).
    target : {"sql", "won"}
        The outcome the score predicts.

    Returns
    -------
    str or None: e.g. ``"no SQL among the 90 test leads"``.

    Examples
    --------
    >>> unmeasured_reason({"n": 90, "positives": 0}, target="sql")
    'no SQL among the 90 test leads'
    >>> unmeasured_reason({"n": 1200, "positives": 1200}, target="won")
    'every one of the 1,200 test leads led to a won deal'
    >>> print(unmeasured_reason({"n": 90, "positives": 2}, target="sql"))
    only 2 of the 90 test leads reached SQL: too few to judge a score (at least 10 of each outcome)
    >>> unmeasured_reason({"n": 90, "positives": 12}, target="sql") is None
    True
    """
    n, positives = int(metrics.get("n") or 0), int(metrics.get("positives") or 0)
    noun, did, did_not = OUTCOME_WORDS[_check_target(target)]
    if n == 0:
        return "no test leads"
    if positives == 0:
        return f"no {noun} among the {n:,} test leads"
    if positives == n:
        return f"every one of the {n:,} test leads {did}"
    few = min(positives, n - positives)
    if few < MIN_TEST_OUTCOMES:
        which = did if few == positives else did_not
        return (
            f"only {few:,} of the {n:,} test leads {which}: too few to judge a score "
            f"(at least {MIN_TEST_OUTCOMES} of each outcome)"
        )
    return None


class SeenTestPeriodError(ValueError):
    """A saved model evaluated on leads it learned from (every lead of the test period)."""


def unseen_samples(model: ScoreModel, samples: pl.DataFrame) -> pl.DataFrame:
    """The samples a saved model did not learn from: those from its training's test
    period on, the card's ``split_at`` and ``split_lead_id`` in the samples' order
    (``scored_at``, ``lead_id``); a card without ``split_lead_id`` (an older model) keeps
    only the samples strictly after ``split_at``. A card without ``split_at`` keeps all.

    >>> m = ScoreModel(None, [], [], card={"split_at": "2026-03-01T00:00:00+00:00",
    ...                                    "split_lead_id": "b"})
    >>> at = datetime(2026, 3, 1, tzinfo=UTC)
    >>> s = pl.DataFrame({"scored_at": [at - timedelta(days=1), at, at, at + timedelta(days=1)],
    ...                   "lead_id": ["z", "a", "b", "c"]})
    >>> unseen_samples(m, s)["lead_id"].to_list()
    ['b', 'c']
    """
    split_at = model.card.get("split_at")
    if not split_at:
        return samples
    at = datetime.fromisoformat(str(split_at).replace("Z", "+00:00"))
    first = model.card.get("split_lead_id")
    after = _from_key(at, first) if first else pl.col("scored_at") > utc_lit(at)
    return samples.filter(after)


def models_dir(db_path: str | Path) -> Path:
    """Where models live: ``<db dir>/models``.

    >>> models_dir("data/warehouse.duckdb").as_posix()
    'data/models'
    """
    return Path(db_path).parent / "models"


#: The only types beyond skops' own safe list that a saved model may hold: the pieces of
#: :func:`make_classifier`'s pipeline. Anything else in a file refuses it before loading.
TRUSTED_MODEL_TYPES: tuple[str, ...] = (
    "functools.partial",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    "sklearn.utils.validation.check_array",
)
MODEL_SUFFIX = ".skops"


class UnsafeModelError(ValueError):
    """A model file that is not loaded: a pickle, a file that is not a readable skops
    model, or one with unexpected types.

    ``path`` is the file, ``problem`` what is wrong with it, in words of either language
    (the message adds ``detail``, e.g. the reader's own words, in English).
    """

    def __init__(self, path: Path, problem: Text, detail: str = "") -> None:
        self.path, self.problem = path, problem
        super().__init__(f"{path}: {problem.render(lang='en')}{detail}")


class MissingModelError(FileNotFoundError):
    """No model file, or no card, where one is looked for; ``path`` and ``problem`` as in
    :class:`UnsafeModelError`."""

    def __init__(self, path: Path, problem: Text) -> None:
        self.path, self.problem = path, problem
        super().__init__(f"{path}: {problem.render(lang='en')}")


def save_model(model: ScoreModel, directory: str | Path) -> Path:
    """Write ``score-<version>.skops`` and its card ``score-<version>.json``; return the path.

    The estimator is saved with skops (no pickle: loading it runs no code, see
    :func:`load_model`); the card (features, metrics, versions) is plain JSON.
    """
    import sklearn
    import skops.io as sio

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    version = model.version or datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    base, n = version, 2
    while (directory / f"score-{version}{MODEL_SUFFIX}").exists():
        version, n = f"{base}-{n}", n + 1
    model.card["version"] = version
    model.card["sklearn_version"] = sklearn.__version__
    model.card["numeric_features"] = list(model.numeric)
    model.card["categorical_features"] = list(model.categorical)
    model.card["format"] = "skops"
    path = directory / f"score-{version}{MODEL_SUFFIX}"
    sio.dump(model.estimator, path)
    _write_card(path.with_suffix(".json"), model.card)
    return path


def _write_card(path: Path, card: dict[str, Any]) -> None:
    """Write a model card (plain JSON) to ``path``, whole or not at all."""
    work = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        work.write_text(json.dumps(card, indent=2, default=str) + "\n", encoding="utf-8")
        os.replace(work, path)
    finally:
        work.unlink(missing_ok=True)


def forget_leads(directory: str | Path, lead_ids: Collection[str]) -> list[Path]:
    """Rewrite every model card in ``directory`` that names one of ``lead_ids`` (leads
    ``sla purge`` erased) without them: their ``reference_leads`` entries (id and
    creation moment) go, and a ``split_lead_id`` among them goes with its key.

    The card stays valid for :func:`load_model`: without ``split_lead_id`` a model is
    evaluated on the leads strictly after ``split_at`` (:func:`unseen_samples`), and
    :func:`check_card` compares the reference leads that are left (none left: it says
    that they were erased). The ``.skops`` file holds no lead id. A card that is not a
    JSON object is not loaded either: it is removed when it names an erased lead, else
    left as it is.

    Parameters
    ----------
    directory
        The models' folder (:func:`models_dir`); a missing one has no cards.
    lead_ids
        The erased lead ids, as stored (hashes of personal ids included).

    Returns
    -------
    list[Path]
        The cards rewritten.

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> refs = [{"lead_id": i, "scored_at": "2026-01-01T00:00:00+00:00"} for i in "ab"]
    >>> _write_card(d / "score-1.json", {"split_lead_id": "b", "reference_leads": refs})
    >>> [p.name for p in forget_leads(d, {"b"})]
    ['score-1.json']
    >>> json.loads((d / "score-1.json").read_text())
    {'reference_leads': [{'lead_id': 'a', 'scored_at': '2026-01-01T00:00:00+00:00'}]}
    >>> forget_leads(d, {"b"}), forget_leads(d / "none", {"a"})
    ([], [])
    >>> _ = (d / "score-2.json").write_text('{"split_lead_id": "a",')  # not JSON
    >>> [p.name for p in forget_leads(d, {"a"})], (d / "score-2.json").exists()
    (['score-1.json', 'score-2.json'], False)
    """
    return _rewrite_cards(directory, dict.fromkeys(lead_ids))


def rename_leads(directory: str | Path, renamed: Mapping[str, str]) -> list[Path]:
    """Rewrite every model card in ``directory`` that names a lead id ``renamed`` maps (an
    id stored in clear under older privacy rules -> its salted hash, as the warehouse
    now stores it): its ``reference_leads`` entries and ``split_lead_id`` take the new id,
    so that :func:`check_card` still finds them. A card that is not a JSON object and
    names such an id is removed (it is never loaded).

    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> refs = [{"lead_id": i, "scored_at": "2026-01-01T00:00:00+00:00"} for i in "ab"]
    >>> _write_card(d / "score-1.json", {"split_lead_id": "b", "reference_leads": refs})
    >>> [p.name for p in rename_leads(d, {"b": "h_1"})], rename_leads(d, {"b": "h_1"})
    (['score-1.json'], [])
    >>> card = json.loads((d / "score-1.json").read_text())
    >>> card["split_lead_id"], [r["lead_id"] for r in card["reference_leads"]]
    ('h_1', ['a', 'h_1'])
    """
    return _rewrite_cards(directory, renamed)


def _rewrite_cards(directory: str | Path, lead_ids: Mapping[str, str | None]) -> list[Path]:
    """Rewrite every model card in ``directory`` that names a lead of ``lead_ids``: one
    mapped to None is dropped from it (:func:`forget_leads`), another takes its new id
    (:func:`rename_leads`). A card that is not a JSON object and names one is removed (it
    is never loaded). Returns the cards rewritten or removed."""
    rewritten = []
    for path in sorted(Path(directory).glob("score-*.json")) if lead_ids else []:
        try:
            card = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            card = None
        if not isinstance(card, dict):  # unreadable, so never loaded: it goes if it names one
            raw = path.read_bytes()
            if any(i.encode() in raw for i in lead_ids):
                path.unlink()
                rewritten.append(path)
            continue
        changed = dict(card)
        refs = card.get("reference_leads")
        if isinstance(refs, list):
            named = [
                isinstance(r, dict)
                and isinstance(r.get("lead_id"), str)
                and r["lead_id"] in lead_ids
                for r in refs
            ]
            changed["reference_leads"] = [
                {**r, "lead_id": lead_ids[r["lead_id"]]} if hit else r
                for r, hit in zip(refs, named, strict=True)
                if not hit or lead_ids[r["lead_id"]] is not None
            ]
        split = card.get("split_lead_id")
        if isinstance(split, str) and split in lead_ids:
            if lead_ids[split] is None:
                del changed["split_lead_id"]
            else:
                changed["split_lead_id"] = lead_ids[split]
        if changed != card:
            _write_card(path, changed)
            rewritten.append(path)
    return rewritten


class ModelCardError(ValueError):
    """A model's card (the ``.json`` beside its ``.skops``) that cannot be read: invalid
    JSON, not a JSON object, a missing key or a key of the wrong type.

    ``card`` is its path, ``problem`` what is wrong, in words of either language.
    """

    def __init__(self, card: Path, problem: Text) -> None:
        self.card, self.problem = card, problem
        super().__init__(f"{card}: the model's card is not usable: {problem.render(lang='en')}")


#: The card's keys that are read, each with its kind; the first two are required (the
#: model's inputs), any other may be missing or null (an older card).
CARD_KEYS: dict[str, str] = {
    "numeric_features": "names",
    "categorical_features": "names",
    "features": "names",
    "typical": "mapping",
    "age_days": "days",
    "window_days": "days",
    "n_test": "number",
    "split_at": "timestamp",
    "split_lead_id": "string",
    "target": "string",
    "version": "string",
    "config_version": "string",
    "config_hash": "string",
    "features_key": "string",
    "reference_leads": "leads",
}
REQUIRED_CARD_KEYS = ("numeric_features", "categorical_features")
#: The longest span in days a card may give (a century): ``age_days`` 1e300 overflowed
#: the date arithmetic into a traceback.
MAX_CARD_DAYS = 36_525
_JSON_TYPES = {dict: "object", list: "array", str: "string", bool: "true/false", type(None): "null"}


def _card_kind_ok(value: Any, kind: str) -> bool:
    if kind == "names":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if kind == "mapping":
        return isinstance(value, dict)
    if kind in ("number", "days"):  # a count or a span: finite, not negative, not absurd
        top = MAX_CARD_DAYS if kind == "days" else 1e12
        return (
            isinstance(value, int | float)
            and not isinstance(value, bool)
            and math.isfinite(value)
            and 0 <= value <= top
        )
    if kind == "string":
        return isinstance(value, str)
    if kind == "leads":
        return isinstance(value, list) and all(
            isinstance(v, dict)
            and _card_kind_ok(v.get("lead_id"), "string")
            and _card_kind_ok(v.get("scored_at"), "timestamp")
            for v in value
        )
    if not isinstance(value, str):  # a timestamp
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def parse_card(text: str, *, path: Path) -> dict[str, Any]:
    """A model card's JSON ``text``, checked: a JSON object with the keys :func:`load_model`
    reads, each of its kind (:data:`CARD_KEYS`).

    Parameters
    ----------
    text : str
        The card file's content.
    path : Path
        The card file (named by the error).

    Returns
    -------
    dict: the card.

    Raises
    ------
    ModelCardError
        Naming the card file and what is wrong with it.

    Examples
    --------
    >>> parse_card('{"version": "x"}', path=Path("m.json"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    analytics.scoring.model.ModelCardError: m.json: ...: missing key numeric_features
    >>> parse_card("[1]", path=Path("m.json"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    analytics.scoring.model.ModelCardError: m.json: ...: not a JSON object (found: array)
    >>> parse_card("{oops", path=Path("m.json"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    analytics.scoring.model.ModelCardError: m.json: ...: invalid JSON at line 1 column 2
    """
    try:
        card = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ModelCardError(
            path, Text("model.card.invalid_json", {"line": exc.lineno, "column": exc.colno})
        ) from None
    if not isinstance(card, dict):
        found = _JSON_TYPES.get(type(card), "number")
        raise ModelCardError(path, Text("model.card.not_object", {"found": found}))
    for key, kind in CARD_KEYS.items():
        if key not in card:
            if key in REQUIRED_CARD_KEYS:
                raise ModelCardError(path, Text("model.card.missing_key", {"key": key}))
            continue
        value = card[key]
        if (value is not None or key in REQUIRED_CARD_KEYS) and not _card_kind_ok(value, kind):
            raise ModelCardError(path, Text(f"model.card.not_{kind}", {"key": key}))
    return card


def read_card(path: str | Path) -> dict[str, Any]:
    """The model card at ``path`` (:func:`parse_card`); a missing file is a
    ``FileNotFoundError`` naming it, a file that is not UTF-8 a :class:`ModelCardError`."""
    path = Path(path)
    if not path.is_file():
        raise MissingModelError(path, Text("model.card.missing"))
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ModelCardError(path, Text("model.card.not_text")) from None
    return parse_card(text, path=path)


def load_model(path: str | Path) -> ScoreModel:
    """Load a saved model (a ``.skops`` path, or a directory: its latest model), safely.

    Only skops files are read, with skops' safe loader: the types in the file are listed
    first, and a file holding any type outside skops' safe list and
    :data:`TRUSTED_MODEL_TYPES` is refused before anything in it is built. Pickle files
    (``.joblib``, ``.pkl``: what older versions saved) are never loaded, because loading a
    pickle runs whatever code it names.

    Raises
    ------
    FileNotFoundError
        No such file (a link to none), or no model in the directory
        (:class:`MissingModelError`).
    UnsafeModelError
        A pickle, a folder or other entry that is not a file, an unreadable file, or a
        skops file with unexpected types.
    ModelCardError
        A card that is not a JSON object with the keys it needs (:func:`parse_card`).
    """
    import skops.io as sio

    path = Path(path)
    if path.is_dir() and path.suffix != MODEL_SUFFIX:  # a folder of models: its latest
        found = latest_model(path)
        if found is None:
            pickles = len(list(path.glob("score-*.joblib")))
            hint = Text("model.file.pickles", {"n": pickles}) if pickles else NOTHING
            raise MissingModelError(path, Text("model.file.none", {"hint": hint}))
        path = found
    if path.is_symlink() and not path.exists():  # a link whose target is gone
        raise MissingModelError(path, Text("model.file.dangling", {"target": os.readlink(path)}))
    if not path.exists():
        raise MissingModelError(path, Text("model.file.missing"))
    if not path.is_file():  # a folder named score-….skops, a pipe: no model's bytes
        kind = "model.file.folder" if path.is_dir() else "model.file.not_file"
        raise UnsafeModelError(path, Text(kind))
    if path.suffix != MODEL_SUFFIX:
        raise UnsafeModelError(path, Text("model.file.not_skops"))
    try:
        untrusted = sio.get_untrusted_types(file=path)
    except Exception as exc:  # a zip that is not one, a broken schema: never loaded
        raise UnsafeModelError(path, Text("model.file.unreadable"), f" ({exc})") from exc
    unexpected = sorted(set(untrusted) - set(TRUSTED_MODEL_TYPES))
    if unexpected:
        raise UnsafeModelError(path, Text("model.file.unexpected_types", {"types": unexpected}))
    card = read_card(path.with_suffix(".json"))
    estimator = sio.load(path, trusted=list(untrusted))
    if not hasattr(estimator, "predict_proba"):
        found = type(estimator).__name__
        raise UnsafeModelError(path, Text("model.file.not_scoring", {"found": found}))
    return ScoreModel(
        estimator, list(card["numeric_features"]), list(card["categorical_features"]), card
    )


def latest_model(directory: str | Path) -> Path | None:
    """The newest ``score-<version>.skops`` in ``directory`` (versions sort by time).

    Whatever it is: a folder of that name, or a link to no file, is the newest too, and
    :func:`load_model` names it as not usable; an older model is never picked silently in
    its place (:func:`older_model` finds the one that would be).

    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> for v in ("20260101T000000Z", "20260101T000000Z-2", "20251231T000000Z"):
    ...     _ = (d / f"score-{v}.skops").write_bytes(b"")
    >>> _ = (d / "score-29990101T000000Z.joblib").write_bytes(b"")  # a pickle: never picked
    >>> latest_model(d).name
    'score-20260101T000000Z-2.skops'
    """

    paths = sorted(Path(directory).glob(f"score-*{MODEL_SUFFIX}"), key=_version_key)
    return paths[-1] if paths else None


def _version_key(path: Path) -> tuple[str, int]:
    """A saved model's place in time: its version, then its ``-<n>`` suffix."""
    base, _, n = path.stem.removeprefix("score-").partition("-")
    return base, int(n) if n.isdigit() else 1


def older_model(path: str | Path) -> Path | None:
    """The newest saved model file older than ``path`` beside it (what would be used were
    ``path`` gone), or None.

    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> for v in ("20251231T000000Z", "20260101T000000Z"):
    ...     _ = (d / f"score-{v}.skops").write_bytes(b"")
    >>> (d / "score-29990101T000000Z.skops").mkdir()
    >>> older_model(d / "score-29990101T000000Z.skops").name
    'score-20260101T000000Z.skops'
    >>> print(older_model(d / "score-20251231T000000Z.skops"))
    None
    """
    path = Path(path)
    before = [
        p
        for p in path.parent.glob(f"score-*{MODEL_SUFFIX}")
        if p.is_file() and _version_key(p) < _version_key(path)
    ]
    return max(before, key=_version_key) if before else None


__all__ = [
    "CATEGORICAL_FEATURES",
    "ISOTONIC_MIN_ROWS",
    "NUMERIC_FEATURES",
    "TARGETS",
    "TRUSTED_MODEL_TYPES",
    "CardCheck",
    "Evaluation",
    "MissingModelError",
    "ModelCardError",
    "ModelMismatchError",
    "ScoreModel",
    "UnsafeModelError",
    "check_card",
    "evaluate_model",
    "feature_matrix",
    "fit_model",
    "forget_leads",
    "latest_model",
    "load_model",
    "make_classifier",
    "models_dir",
    "older_model",
    "parse_card",
    "read_card",
    "reference_leads",
    "rename_leads",
    "samples_split",
    "save_model",
    "scoring_samples",
    "time_split",
    "train_and_evaluate",
    "unmeasured_reason",
]
