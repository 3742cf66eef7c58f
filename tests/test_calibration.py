"""Calibration metrics: equal to scikit-learn's, ECE by hand, reliability, lift, score map."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from sklearn.calibration import calibration_curve
from sklearn.metrics import average_precision_score, brier_score_loss, log_loss, roc_auc_score

from analytics.scoring.calibration import (
    ScoreMapping,
    calibration_metrics,
    expected_calibration_error,
    lift_table,
    reliability_table,
    score_band_table,
)
from analytics.stats import wilson

RNG = np.random.default_rng(0)
P = RNG.uniform(0, 1, 500)
Y = (RNG.uniform(0, 1, 500) < P**1.5).astype(int)


def test_metrics_equal_sklearn() -> None:
    m = calibration_metrics(Y, P)
    assert m["roc_auc"] == roc_auc_score(Y, P)
    assert m["pr_auc"] == average_precision_score(Y, P)
    assert m["brier"] == brier_score_loss(Y, P)
    assert m["log_loss"] == log_loss(Y, P)
    assert m["n"] == 500 and m["positives"] == int(Y.sum())


@pytest.mark.parametrize(
    ("y", "p", "n_bins", "ece"),
    [
        # one bin: |mean y - mean p| = |2/4 - 0.5| = 0
        ([0, 1, 0, 1], [0.2, 0.4, 0.6, 0.8], 1, 0.0),
        # bins [0, .5] and (.5, 1]: (2/4)|0 - 0.3| + (2/4)|1 - 0.7| = 0.3
        ([0, 0, 1, 1], [0.2, 0.4, 0.6, 0.8], 2, 0.3),
        # p = 0.5 belongs to the lower bin (as in calibration_curve): bin 0 holds .5, .5 (y 1, 1)
        # -> |1 - .5| = .5 weight 2/3; bin 1 holds .9 (y 1) -> .1 weight 1/3 -> 1/3 + 1/30
        ([1, 1, 1], [0.5, 0.5, 0.9], 2, 1 / 3 + 1 / 30),
        # calibrated in both of its non-empty bins: 1/4 at p .25 and 3/4 at p .75 -> 0
        ([0, 0, 0, 1, 1, 1, 1, 0], [0.25] * 4 + [0.75] * 4, 10, 0.0),
    ],
)
def test_ece_by_hand(y: list[int], p: list[float], n_bins: int, ece: float) -> None:
    assert expected_calibration_error(y, p, n_bins=n_bins) == pytest.approx(ece, abs=1e-12)


def test_ece_empty_and_bad_input() -> None:
    assert expected_calibration_error([], []) is None
    with pytest.raises(ValueError, match="n_bins = 0"):
        expected_calibration_error([1], [0.5], n_bins=0)
    with pytest.raises(ValueError, match=r"must lie in \[0, 1\]"):
        expected_calibration_error([1], [1.5])
    with pytest.raises(ValueError, match="y_true must hold 0/1"):
        expected_calibration_error([2], [0.5])
    with pytest.raises(ValueError, match="y_true has 2 values but y_prob has 1"):
        calibration_metrics([0, 1], [0.5])


def test_reliability_matches_calibration_curve_with_counts() -> None:
    table = reliability_table(Y, P, n_bins=10)
    prob_true, prob_pred = calibration_curve(Y, P, n_bins=10)
    np.testing.assert_array_equal(table["observed"].to_numpy(), prob_true)
    np.testing.assert_array_equal(table["mean_predicted"].to_numpy(), prob_pred)
    assert table["count"].sum() == 500
    # ECE is the count-weighted gap of the same bins
    ece = float((table["count"] * (table["observed"] - table["mean_predicted"]).abs()).sum() / 500)
    assert expected_calibration_error(Y, P) == pytest.approx(ece, abs=1e-12)
    row = table.row(0, named=True)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(wilson(row["converted"], row["count"]))


def test_undefined_auc_is_none() -> None:
    m = calibration_metrics([1, 1], [0.2, 0.9])
    assert m["roc_auc"] is None and m["pr_auc"] is None
    assert m["brier"] == pytest.approx((0.64 + 0.01) / 2)


def test_lift_by_decile() -> None:
    # 20 leads, scores 19..0; the top 2 both converted, 1 more in the 3rd-4th: base rate 3/20
    y = [1, 1, 0, 1] + [0] * 16
    s = list(range(19, -1, -1))
    t = lift_table(y, s)
    assert t.height == 10 and t["leads"].to_list() == [2] * 10
    # decile 1: rate 1.0, lift 1.0 / 0.15; decile 2: rate 0.5
    assert t["converted"].to_list()[:3] == [2, 1, 0]
    assert t["lift"][0] == pytest.approx(1 / 0.15)
    assert t["cumulative_recall"].to_list()[:2] == pytest.approx([2 / 3, 1.0])


def test_score_mapping_is_monotone_and_clipped() -> None:
    m = ScoreMapping().fit([10, 20, 30, 40, 50, 60], [0, 0, 1, 0, 1, 1])
    # isotonic fit: 0, 0, .5, .5, 1, 1
    assert m.predict([10, 30, 40, 60]).tolist() == [0.0, 0.5, 0.5, 1.0]
    assert m.predict([-5, 500]).tolist() == [0.0, 1.0]
    assert m.table(scores=[10, 60])["probability"].to_list() == [0.0, 1.0]
    with pytest.raises(ValueError, match="not fitted"):
        ScoreMapping().predict([1])


def test_score_bands() -> None:
    t = score_band_table([0, 1, 1, 0], [5, 62, 68, 69.9], band_width=10)
    assert t.select("band_start", "band_end", "leads", "converted").rows() == [
        (0.0, 10.0, 1, 0),
        (60.0, 70.0, 3, 2),
    ]
    assert t.schema["rate"] == pl.Float64


def test_score_bands_with_what_a_map_predicted() -> None:
    """Each band: its leads, the map's mean prediction, the conversions and the Wilson
    interval; a band of two converted leads reads 100 % with its wide interval, and no
    band is made up where no lead scored (notebook 3: audit 2026-12-06 M8)."""
    t = score_band_table([0, 0, 1, 1, 1], [12, 38, 31, 72, 78], y_prob=[0.0, 0.2, 0.1, 0.5, 0.7])
    assert t.columns == [
        "band_start", "band_end", "leads", "mean_predicted", "converted", "rate", "ci_low",
        "ci_high",
    ]  # fmt: skip
    rows = t.select("band_start", "leads", pl.col("mean_predicted").round(6), "converted", "rate")
    assert rows.rows() == [(10.0, 1, 0.0, 0, 0.0), (30.0, 2, 0.15, 1, 0.5), (70.0, 2, 0.6, 2, 1.0)]
    low, high = wilson(2, 2)
    assert t.row(2, named=True)["ci_low"] == pytest.approx(low) and high == 1.0
    with pytest.raises(ValueError, match="y_true has 2 values but y_prob has 1"):
        score_band_table([0, 1], [10, 20], y_prob=[0.5])
