"""How well a score or a probability predicts conversion: calibration and ranking metrics.

Everything scikit-learn computes is taken from it (``sklearn.metrics``,
``sklearn.calibration.calibration_curve``); scikit-learn is imported inside the
functions so that importing this module stays fast.

**Expected calibration error (ECE)**, the one metric computed here: the predicted
probabilities are put into ``n_bins`` equal-width bins on [0, 1] (the bins of
``calibration_curve(strategy="uniform")``: bin ``i`` holds ``i/n < p <= (i+1)/n``, and
``p = 0`` falls in the first bin); ECE is the count-weighted mean over the non-empty
bins of ``|observed conversion - mean predicted probability|``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from analytics.stats import rate_columns


def _arrays(y_true: Any, y_prob: Any) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y_true, dtype=np.float64).ravel()
    p = np.asarray(y_prob, dtype=np.float64).ravel()
    if y.shape != p.shape:
        raise ValueError(f"y_true has {y.size} values but y_prob has {p.size}; they must match")
    if y.size and not np.isin(y, (0.0, 1.0)).all():
        raise ValueError(f"y_true must hold 0/1 (or booleans); found {sorted(set(y.tolist()))[:5]}")
    return y, p


def _bin_ids(p: np.ndarray, n_bins: int) -> np.ndarray:
    """The bin of each probability, as ``calibration_curve(strategy="uniform")`` bins them."""
    if n_bins < 1:
        raise ValueError(f"n_bins = {n_bins}: must be at least 1")
    if p.size and (p.min() < 0 or p.max() > 1):
        raise ValueError(f"probabilities must lie in [0, 1]; found [{p.min()}, {p.max()}]")
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    return np.searchsorted(edges[1:-1], p)


def expected_calibration_error(y_true: Any, y_prob: Any, *, n_bins: int = 10) -> float | None:
    """Count-weighted mean |observed - predicted| over equal-width probability bins.

    Parameters
    ----------
    y_true : array-like of 0/1
    y_prob : array-like of probabilities in [0, 1]
    n_bins : int, default 10

    Returns
    -------
    float, or None for no data.

    Examples
    --------
    >>> # bin [0, .5]: p .1, .2 vs y 0, 1 -> |0.5 - 0.15| = 0.35, weight 2/4
    >>> # bin (.5, 1]: p .8, .9 vs y 1, 1 -> |1 - 0.85| = 0.15, weight 2/4
    >>> round(expected_calibration_error([0, 1, 1, 1], [0.1, 0.2, 0.8, 0.9], n_bins=2), 6)
    0.25
    """
    y, p = _arrays(y_true, y_prob)
    if y.size == 0:
        return None
    ids = _bin_ids(p, n_bins)
    counts = np.bincount(ids, minlength=n_bins)
    observed = np.bincount(ids, weights=y, minlength=n_bins)
    predicted = np.bincount(ids, weights=p, minlength=n_bins)
    nonzero = counts > 0
    gaps = np.abs(observed[nonzero] - predicted[nonzero]) / counts[nonzero]
    return float(np.sum(gaps * counts[nonzero]) / y.size)


def reliability_table(y_true: Any, y_prob: Any, *, n_bins: int = 10) -> pl.DataFrame:
    """The reliability curve with its counts and a 95 % Wilson interval per bin.

    ``mean_predicted`` and ``observed`` are ``calibration_curve(..., strategy="uniform")``'s
    ``prob_pred`` and ``prob_true``.

    Returns
    -------
    DataFrame, one row per non-empty bin: ``bin``, ``lower``, ``upper``, ``count``,
    ``converted``, ``mean_predicted``, ``observed``, ``ci_low``, ``ci_high``.

    Examples
    --------
    >>> t = reliability_table([0, 1, 1, 1], [0.1, 0.2, 0.8, 0.9], n_bins=2)
    >>> t.select("bin", "count", "converted", "observed").rows()
    [(0, 2, 1, 0.5), (1, 2, 2, 1.0)]
    """
    from sklearn.calibration import calibration_curve

    y, p = _arrays(y_true, y_prob)
    schema = {
        "bin": pl.Int64,
        "lower": pl.Float64,
        "upper": pl.Float64,
        "count": pl.Int64,
        "converted": pl.Int64,
        "mean_predicted": pl.Float64,
        "observed": pl.Float64,
    }
    if y.size == 0:
        return (
            pl.DataFrame(schema=schema)
            .with_columns(rate_columns("converted", "count"))
            .drop("rate")
        )
    prob_true, prob_pred = calibration_curve(y, p, n_bins=n_bins, strategy="uniform")
    ids = _bin_ids(p, n_bins)
    counts = np.bincount(ids, minlength=n_bins)
    positives = np.bincount(ids, weights=y, minlength=n_bins).round().astype(np.int64)
    bins = np.flatnonzero(counts > 0)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    frame = pl.DataFrame(
        {
            "bin": bins,
            "lower": edges[bins],
            "upper": edges[bins + 1],
            "count": counts[bins],
            "converted": positives[bins],
            "mean_predicted": prob_pred,
            "observed": prob_true,
        },
        schema=schema,
    )
    return frame.with_columns(rate_columns("converted", "count")).drop("rate")


def calibration_metrics(y_true: Any, y_prob: Any, *, n_bins: int = 10) -> dict[str, float | None]:
    """Ranking and calibration metrics of probabilities against 0/1 outcomes.

    Returns
    -------
    dict with ``n``, ``positives``, ``base_rate``, ``roc_auc``, ``pr_auc`` (average
    precision), ``brier``, ``log_loss``, ``ece``; a metric that is undefined (e.g. AUC
    with one class only) is None.

    Examples
    --------
    >>> m = calibration_metrics([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> m["roc_auc"], round(m["brier"], 4)
    (0.75, 0.1581)
    """
    from sklearn.metrics import average_precision_score, brier_score_loss, log_loss, roc_auc_score

    y, p = _arrays(y_true, y_prob)
    both = y.size > 0 and 0 < y.sum() < y.size
    return {
        "n": int(y.size),
        "positives": int(y.sum()),
        "base_rate": float(y.mean()) if y.size else None,
        "roc_auc": float(roc_auc_score(y, p)) if both else None,
        "pr_auc": float(average_precision_score(y, p)) if both else None,
        "brier": float(brier_score_loss(y, p)) if y.size else None,
        "log_loss": float(log_loss(y, p, labels=[0, 1])) if y.size else None,
        "ece": expected_calibration_error(y, p, n_bins=n_bins),
    }


def lift_table(y_true: Any, y_score: Any, *, groups: int = 10) -> pl.DataFrame:
    """Lift by decile: leads ranked by score, cut into equal groups, best first.

    Ties are broken by order of appearance (a stable sort), so equal scores may fall in
    neighbouring deciles.

    Returns
    -------
    DataFrame, one row per group (1 = highest scores): ``decile``, ``leads``, ``converted``,
    ``rate``, ``ci_low``, ``ci_high``, ``lift`` (rate / overall rate), ``cumulative_recall``
    (share of all conversions in this and the better groups), ``min_score``, ``max_score``.

    Examples
    --------
    >>> t = lift_table([1, 0, 0, 0], [0.9, 0.1, 0.2, 0.3], groups=2)
    >>> t.select("decile", "leads", "converted", "lift", "cumulative_recall").rows()
    [(1, 2, 1, 2.0, 1.0), (2, 2, 0, 0.0, 1.0)]
    """
    y, s = _arrays(y_true, y_score)
    if groups < 1:
        raise ValueError(f"groups = {groups}: must be at least 1")
    order = np.argsort(-s, kind="stable")
    rank = np.empty(s.size, dtype=np.int64)
    rank[order] = np.arange(s.size)
    frame = pl.DataFrame({"y": y, "score": s, "decile": (rank * groups // max(s.size, 1)) + 1})
    total_pos = float(y.sum())
    base = total_pos / y.size if y.size else None
    out = (
        frame.group_by("decile")
        .agg(
            pl.len().alias("leads"),
            pl.col("y").sum().cast(pl.Int64).alias("converted"),
            pl.col("score").min().alias("min_score"),
            pl.col("score").max().alias("max_score"),
        )
        .sort("decile")
        .with_columns(rate_columns("converted", "leads"))
        .with_columns(
            (pl.col("rate") / base if base else pl.lit(None, dtype=pl.Float64)).alias("lift"),
            (
                pl.col("converted").cum_sum() / total_pos
                if total_pos
                else pl.lit(None, dtype=pl.Float64)
            ).alias("cumulative_recall"),
        )
    )
    return out.select(
        "decile",
        "leads",
        "converted",
        "rate",
        "ci_low",
        "ci_high",
        "lift",
        "cumulative_recall",
        "min_score",
        "max_score",
    )


class ScoreMapping:
    """A monotone map from a rule score to the observed conversion probability (isotonic).

    Fit it on older leads, apply it to newer ones: it answers "what does score 65 really
    mean" as a probability that can be compared with a model's.

    Examples
    --------
    >>> m = ScoreMapping().fit([10, 20, 60, 70], [0, 0, 1, 1])
    >>> m.predict([15, 65]).tolist()
    [0.0, 1.0]
    """

    def __init__(self) -> None:
        self._iso: Any = None

    def fit(self, scores: Any, y_true: Any) -> ScoreMapping:
        from sklearn.isotonic import IsotonicRegression

        y, s = _arrays(y_true, scores)
        self._iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(s, y)
        return self

    def predict(self, scores: Any) -> np.ndarray:
        if self._iso is None:
            raise ValueError("ScoreMapping is not fitted: call fit(scores, y_true) first")
        return np.asarray(self._iso.predict(np.asarray(scores, dtype=np.float64).ravel()))

    def table(self, *, scores: Any) -> pl.DataFrame:
        """``score`` -> ``probability`` for the given score values (e.g. 0, 5, ..., 110)."""
        s = np.asarray(scores, dtype=np.float64).ravel()
        return pl.DataFrame({"score": s, "probability": self.predict(s)})


def score_band_table(
    y_true: Any, scores: Any, *, band_width: float = 10.0, y_prob: Any = None
) -> pl.DataFrame:
    """Observed conversion per score band (``[0, 10)``, ``[10, 20)``, ...), with counts.

    Only the bands that hold a lead are rows: nothing is said of a score no lead had.

    Parameters
    ----------
    y_true : array-like of 0/1
    scores : array-like
        The score of each lead (e.g. the rule score at its creation).
    band_width : float, default 10
    y_prob : array-like of probabilities, optional
        What a map of the score predicted for each lead (e.g. a :class:`ScoreMapping`
        fitted on older leads): its mean per band becomes ``mean_predicted``.

    Returns
    -------
    DataFrame, one row per non-empty band: ``band_start``, ``band_end``, ``leads``,
    ``converted``, ``rate``, ``ci_low``, ``ci_high`` (95 % Wilson of ``rate``), and with
    ``y_prob`` ``mean_predicted`` (after ``leads``).

    Examples
    --------
    >>> score_band_table([0, 1, 1], [5, 62, 68]).select("band_start", "leads", "rate").rows()
    [(0.0, 1, 0.0), (60.0, 2, 1.0)]
    >>> t = score_band_table([0, 1, 1], [5, 62, 68], y_prob=[0.1, 0.3, 0.5])
    >>> t.select("band_start", "leads", "mean_predicted", "converted").rows()
    [(0.0, 1, 0.1, 0), (60.0, 2, 0.4, 2)]
    """
    if band_width <= 0:
        raise ValueError(f"band_width = {band_width}: must be positive")
    y, s = _arrays(y_true, scores)
    frame = pl.DataFrame({"y": y, "s": s})
    predicted: list[str] = []
    if y_prob is not None:
        _, p = _arrays(y_true, y_prob)
        frame = frame.with_columns(pl.Series("p", p))
        predicted = ["mean_predicted"]
    return (
        frame.with_columns(((pl.col("s") / band_width).floor() * band_width).alias("band_start"))
        .group_by("band_start")
        .agg(
            pl.len().alias("leads"),
            pl.col("y").sum().cast(pl.Int64).alias("converted"),
            *([pl.col("p").mean().alias("mean_predicted")] if predicted else []),
        )
        .sort("band_start")
        .with_columns((pl.col("band_start") + band_width).alias("band_end"))
        .with_columns(rate_columns("converted", "leads"))
        .select(
            "band_start", "band_end", "leads", *predicted, "converted", "rate", "ci_low", "ci_high"
        )
    )


#: A segment is judged only with at least this many test leads.
MIN_SEGMENT_LEADS = 100


def segment_calibration(
    frame: pl.DataFrame,
    *,
    by: list[str] | tuple[str, ...],
    y: str = "y",
    probability: str = "probability",
    min_leads: int = MIN_SEGMENT_LEADS,
    n_bins: int = 10,
) -> pl.DataFrame:
    """Calibration per segment: predicted vs observed conversion and ECE, off segments named.

    Parameters
    ----------
    frame : DataFrame
        One row per test lead: the 0/1 outcome ``y``, the ``probability`` and the
        segment columns ``by``.
    by : list of str
        Segment dimensions (e.g. ``source``, ``size_band``), each judged on its own.
    min_leads : int, default :data:`MIN_SEGMENT_LEADS`
        Smaller segments get a row with null figures (too few to judge), never a verdict.

    Returns
    -------
    DataFrame, one row per dimension and segment (missing as ``"(missing)"``), largest
    first: ``dimension``, ``segment``, ``leads``, ``converted``, ``mean_predicted``,
    ``observed``, ``ci_low``, ``ci_high`` (95 % Wilson of ``observed``), ``ece``, ``off``
    (the mean prediction lies outside that interval; null when too few leads).

    Examples
    --------
    >>> f = pl.DataFrame({"src": ["a"] * 100 + ["b"] * 100, "probability": [0.2] * 200,
    ...                   "y": [1] * 20 + [0] * 80 + [1] * 50 + [0] * 50})
    >>> s = segment_calibration(f, by=["src"])
    >>> s.select("segment", "observed", pl.col("ece").round(6), "off").rows()
    [('a', 0.2, 0.0, False), ('b', 0.5, 0.3, True)]
    """
    rows = []
    for dim in by:
        keyed = frame.with_columns(pl.col(dim).cast(pl.String).fill_null("(missing)").alias("_s"))
        for (segment,), part in keyed.group_by(["_s"], maintain_order=True):
            enough = part.height >= min_leads
            rows.append(
                {
                    "dimension": dim,
                    "segment": segment,
                    "leads": part.height,
                    "converted": int(part[y].cast(pl.Int64).sum()),
                    "mean_predicted": float(part[probability].mean()) if enough else None,
                    "ece": expected_calibration_error(part[y], part[probability], n_bins=n_bins)
                    if enough
                    else None,
                }
            )
    schema = {
        "dimension": pl.String,
        "segment": pl.String,
        "leads": pl.Int64,
        "converted": pl.Int64,
        "mean_predicted": pl.Float64,
        "ece": pl.Float64,
    }
    out = pl.DataFrame(rows, schema=schema).with_columns(rate_columns("converted", "leads"))
    judged = pl.col("mean_predicted").is_not_null()
    return (
        out.with_columns(
            pl.when(judged).then(pl.col("rate")).alias("observed"),
            pl.when(judged).then(pl.col("ci_low")).alias("ci_low"),
            pl.when(judged).then(pl.col("ci_high")).alias("ci_high"),
            pl.when(judged)
            .then(
                (pl.col("mean_predicted") < pl.col("ci_low"))
                | (pl.col("mean_predicted") > pl.col("ci_high"))
            )
            .alias("off"),
        )
        .sort("dimension", "leads", "segment", descending=[False, True, False], maintain_order=True)
        .select(
            "dimension",
            "segment",
            "leads",
            "converted",
            "mean_predicted",
            "observed",
            "ci_low",
            "ci_high",
            "ece",
            "off",
        )
    )


__all__ = [
    "MIN_SEGMENT_LEADS",
    "ScoreMapping",
    "calibration_metrics",
    "expected_calibration_error",
    "lift_table",
    "reliability_table",
    "score_band_table",
    "segment_calibration",
]
