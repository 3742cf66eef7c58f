"""The lead-score report: rule score vs model, threshold table, recommended threshold.

The document behind ``sla score report --json`` (spec/cli.md); its keys are stable.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import polars as pl

from analytics.config import SlaConfig
from analytics.scoring.model import (
    Evaluation,
    ScoreModel,
    Target,
    evaluate_model,
    train_and_evaluate,
)
from analytics.scoring.rules import _as_of
from analytics.scoring.thresholds import (
    precompute_from_predictions,
    precompute_thresholds,
    recommend_threshold,
    threshold_table,
)
from analytics.tables import Tables

THRESHOLD_KEYS = (
    "threshold",
    "mqls_per_month",
    "precision",
    "recall",
    "expected_sqls_per_month",
    "workload_ratio",
    "mqls_per_week",
    "expected_pipeline_per_month",
)


def _number(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else float(value)


def _rows(table: pl.DataFrame) -> list[dict[str, Any]]:
    rows = table.select(THRESHOLD_KEYS).to_dicts()
    for row in rows:
        row["threshold"] = _number(row["threshold"])
    return rows


def score_report(
    tables: Tables,
    config: SlaConfig,
    *,
    as_of: datetime | None = None,
    model: ScoreModel | None = None,
    target: Target = "sql",
    partitions: int | None = None,
) -> dict[str, Any]:
    """Lead-score quality and threshold tuning, as one JSON-ready document.

    Parameters
    ----------
    tables, config
        The data and the SLA config.
    as_of : datetime, optional
        Default: the latest timestamp in the data.
    model : ScoreModel, optional
        A saved model to evaluate; default: train one on the older 70 % of leads.
    target : {"sql", "won"}, default "sql"
        Used when training (a given model keeps its own target).
    partitions : int, optional
        The leads are processed in this many parts (default: one per
        :data:`~analytics.tables.LEADS_PER_PART` leads); the document does not depend on it.
        The tables are read per part, not collected whole: pass lazy warehouse tables.

    Returns
    -------
    dict with ``target``, ``rule_score`` {roc_auc, brier, ece, log_loss, pr_auc},
    ``model`` {roc_auc, brier, ece, log_loss, pr_auc, version, calibration},
    ``thresholds`` (rule score; per threshold: threshold, mqls_per_month, precision,
    recall, expected_sqls_per_month, workload_ratio, mqls_per_week,
    expected_pipeline_per_month), ``recommended_threshold``, ``recommended_reason``,
    ``current_threshold``, ``weekly_capacity``, ``model_thresholds`` (the same table for
    the model's probability on the test leads), ``as_of``, ``n_test``, ``split_at``.
    """
    moment = _as_of(tables, as_of)
    evaluation: Evaluation = (
        train_and_evaluate(tables, config, as_of=moment, target=target, partitions=partitions)
        if model is None
        else evaluate_model(model, tables, config, as_of=moment, partitions=partitions)
    )
    base = precompute_thresholds(tables, config, as_of=moment, partitions=partitions)
    table = threshold_table(base)
    recommended, reason = recommend_threshold(table)
    predictions = evaluation.test.lazy().select(
        "lead_id", pl.col("scored_at").alias("at"), pl.col("model_probability").alias("score")
    )
    model_base = precompute_from_predictions(predictions, tables, config, as_of=moment)
    model_table = threshold_table(model_base)

    def pick(metrics: dict[str, Any]) -> dict[str, Any]:
        return {k: metrics[k] for k in ("roc_auc", "brier", "ece", "log_loss", "pr_auc")}

    card = evaluation.model.card
    return {
        "target": f"{evaluation.target}_within_window",
        "rule_score": pick(evaluation.metrics["rule_score"]),
        "model": {
            **pick(evaluation.metrics["model"]),
            "version": card.get("version"),
            "calibration": card.get("calibration"),
        },
        "thresholds": _rows(table),
        "recommended_threshold": _number(recommended),
        "recommended_reason": reason,
        "current_threshold": _number(base.current_threshold),
        "weekly_capacity": base.weekly_capacity,
        "model_thresholds": _rows(model_table),
        "as_of": moment,
        "n_test": evaluation.test.height,
        "split_at": evaluation.split_at,
    }


__all__ = ["score_report"]
