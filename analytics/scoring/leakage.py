"""The leakage guard of ``sla score train``: no feature may be the outcome in disguise.

A feature is refused when

- its **name** marks it as an outcome or as something sales records after contact
  (``converted``, ``won``, ``sql_at``, ``stage``, ``status``, ``tags``, ``lead_quality``,
  ``last_activity``, ``disqualified``, ...: :data:`OUTCOME_NAME`), or
- on its own it **separates the classes almost perfectly**: a single-feature ROC AUC of
  at least :data:`MAX_SINGLE_AUC` (or at most ``1 - MAX_SINGLE_AUC``). A number is ranked
  as it is (missing lowest); a category by its conversion rate among the training rows
  (categories with fewer than :data:`MIN_CATEGORY_ROWS` rows pooled), so an id or a
  free-text note also shows up.

No honest feature of a lead score gets near it: on the X Education data the strongest
single feature (the current occupation) reaches 0.71, on the demo data the rule score
itself 0.80.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import polars as pl

#: A feature whose single-feature ROC AUC reaches this (or 1 minus it) is the outcome.
MAX_SINGLE_AUC = 0.95
#: Categories with fewer rows are pooled before ranking by their conversion rate.
MIN_CATEGORY_ROWS = 20
#: Names (snake_case) that say a column is an outcome or a step sales took after contact.
OUTCOME_NAME = re.compile(
    r"(^|_)(converted|conversion|won|lost|outcome|label|target|closed|close_date|"
    r"opportunity|opportunities|deal|sql|sql_at|customer|stage|status|disqualified|"
    r"disqualification|rejected|rejection|loss_reason|tags?|lead_quality|lead_profile|"
    r"asymmetrique\w*|last_notable_activity)($|_)|^last_activity$"
)


@dataclass(frozen=True)
class LeakingFeature:
    """A refused feature and why."""

    feature: str
    reason: str


class LeakageError(ValueError):
    """Raised by :func:`check_features` when a feature looks like the outcome."""

    def __init__(self, found: list[LeakingFeature]) -> None:
        self.found = found
        reasons = "; ".join(f"{f.feature}: {f.reason}" for f in found)
        super().__init__(
            f"refused {len(found)} feature(s) that would leak the outcome into the score: {reasons}"
        )


def single_feature_auc(values: pl.Series, y: np.ndarray) -> float | None:
    """The ROC AUC of one feature on its own (None when ``y`` has a single class).

    >>> single_feature_auc(pl.Series([1.0, 2.0, None, 4.0]), np.array([0, 1, 0, 1]))
    1.0
    >>> single_feature_auc(pl.Series(["a", "b", "a", "b"]), np.array([1, 0, 1, 0]))  # rare: pooled
    0.5
    >>> single_feature_auc(pl.Series(["a", "b"] * 20), np.array([1, 0] * 20))
    1.0
    """
    from sklearn.metrics import roc_auc_score

    if len(set(y.tolist())) < 2:
        return None
    if values.dtype.is_numeric() or values.dtype == pl.Boolean:
        numbers = values.cast(pl.Float64).fill_nan(None)
        lowest = numbers.min()
        missing = (float(lowest) if lowest is not None else 0.0) - 1.0  # type: ignore[arg-type]
        x = numbers.fill_null(missing).to_numpy()
    else:
        frame = pl.DataFrame({"c": values.cast(pl.String).fill_null(""), "y": y})
        counts = frame.group_by("c").agg(pl.len().alias("n"), pl.col("y").mean().alias("rate"))
        pooled_rate = frame.join(counts.filter(pl.col("n") < MIN_CATEGORY_ROWS), on="c")["y"].mean()
        ranks = frame.join(counts, on="c", how="left", maintain_order="left").select(
            pl.when(pl.col("n") < MIN_CATEGORY_ROWS)
            .then(pl.lit(pooled_rate, dtype=pl.Float64))
            .otherwise(pl.col("rate"))
        )
        x = ranks.to_series().fill_null(0.0).to_numpy()
    return float(roc_auc_score(y, x))


def leaking_features(
    frame: pl.DataFrame, *, label: str, features: list[str] | tuple[str, ...]
) -> list[LeakingFeature]:
    """The features of ``frame`` that look like the outcome ``label``, each with the reason.

    Parameters
    ----------
    frame : DataFrame
        The training rows: the features and a boolean / 0-1 ``label`` column.
    label : str
        The outcome column.
    features : list of str
        The feature columns to check.

    Returns
    -------
    list of :class:`LeakingFeature`, in the order of ``features`` (empty: all fine).

    Examples
    --------
    >>> df = pl.DataFrame({"visits": [1, 5, 2, 8, 3, 6], "lead_quality": ["a"] * 6,
    ...                    "won_flag": [0, 1, 0, 1, 0, 0], "y": [0, 1, 0, 1, 1, 0]})
    >>> [f.feature for f in leaking_features(df, label="y",
    ...                                      features=["visits", "lead_quality", "won_flag"])]
    ['lead_quality', 'won_flag']
    """
    y = frame[label].cast(pl.Int64).to_numpy()
    found = []
    for name in features:
        if OUTCOME_NAME.search(name.lower()):
            found.append(
                LeakingFeature(
                    name,
                    "its name marks an outcome or a step sales records after contact",
                )
            )
            continue
        auc = single_feature_auc(frame[name], y)
        if auc is not None and max(auc, 1 - auc) >= MAX_SINGLE_AUC:
            found.append(
                LeakingFeature(
                    name,
                    f"on its own it separates {label} almost perfectly "
                    f"(single-feature ROC AUC {max(auc, 1 - auc):.3f} >= {MAX_SINGLE_AUC})",
                )
            )
    return found


def check_features(
    frame: pl.DataFrame, *, label: str, features: list[str] | tuple[str, ...]
) -> None:
    """Raise :class:`LeakageError` naming every feature of :func:`leaking_features`."""
    found = leaking_features(frame, label=label, features=features)
    if found:
        raise LeakageError(found)


__all__ = [
    "MAX_SINGLE_AUC",
    "OUTCOME_NAME",
    "LeakageError",
    "LeakingFeature",
    "check_features",
    "leaking_features",
    "single_feature_auc",
]
