"""Lead qualification: the SLA's rule score, a calibrated predictive score, thresholds.

- :mod:`analytics.scoring.rules`: fit + interest points, point in time; history; grid.
- :mod:`analytics.scoring.model`: the calibrated gradient-boosting model (scikit-learn
  is imported only when a model is trained or used).
- :mod:`analytics.scoring.calibration`: reliability, Brier, ECE, AUCs, lift.
- :mod:`analytics.scoring.thresholds`: threshold what-ifs over a one-time precomputation.
- :mod:`analytics.scoring.report`: the ``sla score report`` document.
"""

from analytics.scoring.calibration import (
    ScoreMapping,
    calibration_metrics,
    expected_calibration_error,
    lift_table,
    reliability_table,
    score_band_table,
)
from analytics.scoring.model import (
    ScoreModel,
    evaluate_model,
    fit_model,
    latest_model,
    load_model,
    models_dir,
    save_model,
    scoring_samples,
    train_and_evaluate,
)
from analytics.scoring.report import score_quality, score_report
from analytics.scoring.rules import (
    first_crossing,
    grade_grid,
    lead_attributes,
    rule_scores,
    score_grid,
    score_history,
    scores_at,
    scores_at_mql,
    with_grades,
)
from analytics.scoring.thresholds import (
    ThresholdBase,
    compare_thresholds,
    precompute_from_predictions,
    precompute_thresholds,
    recommend_threshold,
    threshold_table,
    threshold_whatif,
    weekly_capacity,
)

__all__ = [
    "ScoreMapping",
    "ScoreModel",
    "ThresholdBase",
    "calibration_metrics",
    "compare_thresholds",
    "evaluate_model",
    "expected_calibration_error",
    "first_crossing",
    "fit_model",
    "grade_grid",
    "latest_model",
    "lead_attributes",
    "lift_table",
    "load_model",
    "models_dir",
    "precompute_from_predictions",
    "precompute_thresholds",
    "recommend_threshold",
    "reliability_table",
    "rule_scores",
    "save_model",
    "score_band_table",
    "score_grid",
    "score_history",
    "score_quality",
    "score_report",
    "scores_at",
    "scores_at_mql",
    "scoring_samples",
    "threshold_table",
    "threshold_whatif",
    "train_and_evaluate",
    "weekly_capacity",
    "with_grades",
]
