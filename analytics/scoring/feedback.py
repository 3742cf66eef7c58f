"""Sales feedback into scoring: why handed-over leads were rejected, by fit and interest grade.

- :func:`rejections_by_grade`: each MQL graded at its first ``mql`` moment (fit grade A-D,
  interest grade 1-4, point in time); the first ``disqualified`` or ``recycled`` event
  after it and its ``reason``: per reason and grade, how many, and the reason's share in
  the grade against the grade's share of all MQLs.
- :func:`rule_suggestions`: where a reason concentrates in one fit grade, the fit points
  that would have kept most of those leads below the threshold, and what it would cost
  (MQLs with the same attribute that did become SQL and would have stayed below too). A
  suggestion for people to weigh, never applied by itself.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

import polars as pl

from analytics.config import SlaConfig
from analytics.scoring.rules import (
    FIT_DIMENSIONS,
    _as_of,
    _first_sql,
    attributes_at,
    scores_at,
    with_grades,
)
from analytics.tables import Tables

NO_REASON = "(none)"
#: :func:`rule_suggestions`' defaults: a reason needs this many rejected MQLs, and one fit
#: grade with this share of them and this many times its share of all MQLs.
MIN_REJECTED, MIN_SHARE, MIN_LIFT = 10, 0.5, 1.5


def _graded_mqls(
    tables: Tables, config: SlaConfig, as_of: datetime | None, *, partitions: int | None = None
) -> pl.DataFrame:
    """Each lead's first MQL, graded then, its first rejection after it and its SQL.

    Everything is per lead, so the leads are graded in parts
    (:meth:`~analytics.tables.Tables.partitions`, by its default): memory
    follows a part, not the warehouse. One row per lead with an MQL, sorted by ``lead_id``
    (the same rows for any number of parts).
    """
    moment = _as_of(tables, as_of)
    known = tables.until(moment)
    parts = [_graded_part(part, config) for part in known.partitions(partitions)]
    return pl.concat(parts)


def _graded_part(known: Tables, config: SlaConfig) -> pl.DataFrame:
    """:func:`_graded_mqls` of the leads of ``known`` (cut at the moment of judgement)."""
    mql = (
        known.lifecycle_events.filter(pl.col("stage") == "mql")
        .group_by("lead_id")
        .agg(pl.col("entered_at").min().alias("at"))
    )
    graded = with_grades(scores_at(known, config, mql), config)
    ends = (
        known.lifecycle_events.filter(pl.col("stage").is_in(["disqualified", "recycled"]))
        .join(mql, on="lead_id")
        .filter(pl.col("entered_at") >= pl.col("at"))
        .sort("entered_at")
        .group_by("lead_id")
        .agg(
            pl.col("stage").first().alias("rejected_as"),
            pl.col("reason").first().fill_null(NO_REASON).alias("reason"),
        )
    )
    sqls = _first_sql(known)
    return (
        graded.join(ends, on="lead_id", how="left")
        .join(sqls, on="lead_id", how="left")
        .join(
            attributes_at(known, config, mql).select("lead_id", "at", *FIT_DIMENSIONS),
            on=["lead_id", "at"],
        )
        .with_columns((pl.col("sql_at") >= pl.col("at")).fill_null(False).alias("became_sql"))
        .sort("lead_id")
        .collect()
    )


def rejections_by_grade(
    tables: Tables, config: SlaConfig, *, as_of: datetime | None = None
) -> pl.DataFrame:
    """Rejection reasons by fit and interest grade at the MQL moment.

    Returns
    -------
    DataFrame, one row per reason and grade cell with rejections: ``reason`` (``(none)``
    when undocumented), ``fit_grade``, ``interest_grade``, ``rejected``, ``share_of_reason``
    (of the reason's rejections), ``fit_grade_share_of_mqls`` (of all MQLs), most first.
    """
    return _rejections(_graded_mqls(tables, config, as_of))


def _rejections(mqls: pl.DataFrame) -> pl.DataFrame:
    """:func:`rejections_by_grade` of the graded MQLs."""
    grade_share = mqls.group_by("fit_grade").agg(
        (pl.len() / mqls.height).alias("fit_grade_share_of_mqls")
    )
    return (
        mqls.filter(pl.col("rejected_as").is_not_null())
        .group_by("reason", "fit_grade", "interest_grade")
        .agg(pl.len().cast(pl.Int64).alias("rejected"))
        .with_columns(
            (pl.col("rejected") / pl.col("rejected").sum().over("reason")).alias("share_of_reason")
        )
        .join(grade_share, on="fit_grade", how="left")
        .sort(
            ["rejected", "reason", "fit_grade", "interest_grade"],
            descending=[True, False, False, False],
        )
    )


def rule_suggestions(
    tables: Tables,
    config: SlaConfig,
    *,
    as_of: datetime | None = None,
    min_rejected: int = MIN_REJECTED,
    min_share: float = MIN_SHARE,
    min_lift: float = MIN_LIFT,
) -> list[dict[str, Any]]:
    """Fit-point changes that would have kept leads rejected for one reason below the threshold.

    A reason qualifies when at least ``min_rejected`` MQLs were rejected for it and one fit
    grade holds at least ``min_share`` of them and ``min_lift`` times its share of all
    MQLs. The attribute with points that most of those leads share is lowered by the
    points that bring the median of them below ``scoring.mql_threshold`` (at most its
    points).

    Returns
    -------
    list of dict: ``reason``, ``fit_grade``, ``share`` (of the reason's rejections in the
    grade), ``dimension``, ``value``, ``points_now``, ``points_new``, ``kept_below`` and
    ``of`` (rejected leads of the grade that would have stayed below), ``sqls_lost``
    (MQLs with that attribute that became SQL and would have stayed below too).
    """
    return _suggestions(
        _graded_mqls(tables, config, as_of),
        config,
        min_rejected=min_rejected,
        min_share=min_share,
        min_lift=min_lift,
    )


def _suggestions(
    mqls: pl.DataFrame, config: SlaConfig, *, min_rejected: int, min_share: float, min_lift: float
) -> list[dict[str, Any]]:
    """:func:`rule_suggestions` of the graded MQLs."""
    threshold = float(config.scoring.mql_threshold)
    rejected = mqls.filter(pl.col("rejected_as").is_not_null())
    out = []
    for (reason,), group in rejected.group_by(["reason"], maintain_order=True):
        if group.height < min_rejected:
            continue
        by_grade = (
            group.group_by("fit_grade").len().sort(["len", "fit_grade"], descending=[True, False])
        )
        grade, n = by_grade.row(0)
        share = n / group.height
        base = mqls.filter(pl.col("fit_grade") == grade).height / mqls.height
        if share < min_share or share < min_lift * base:
            continue
        cell = group.filter(pl.col("fit_grade") == grade)
        best = None
        for dim in FIT_DIMENSIONS:
            points = config.scoring.fit.get(dim, {})
            counts = (
                cell.group_by(dim)
                .len()
                .drop_nulls(dim)
                .sort(["len", dim], descending=[True, False])
            )
            for value, count in counts.iter_rows():
                if points.get(str(value), 0) > 0 and (best is None or count > best[2]):
                    best = (dim, str(value), count, float(points[str(value)]))
                    break
        if best is None:
            continue
        dim, value, _, now = best
        holders = cell.filter(pl.col(dim).cast(pl.String) == value)
        over = holders["score"] - threshold
        cut = min(now, float(math.floor(float(over.median())) + 1))
        out.append(
            {
                "reason": reason,
                "fit_grade": grade,
                "share": share,
                "dimension": dim,
                "value": value,
                "points_now": now,
                "points_new": now - cut,
                "kept_below": int((holders["score"] - cut < threshold).sum()),
                "of": cell.height,
                "sqls_lost": int(
                    mqls.filter(
                        (pl.col(dim).cast(pl.String) == value)
                        & pl.col("became_sql")
                        & (pl.col("score") - cut < threshold)
                    ).height
                ),
            }
        )
    return out


def sales_feedback(
    tables: Tables,
    config: SlaConfig,
    *,
    as_of: datetime | None = None,
    partitions: int | None = None,
) -> tuple[pl.DataFrame, list[dict[str, Any]]]:
    """:func:`rejections_by_grade` and :func:`rule_suggestions` (default thresholds) from
    one grading of the MQLs, as the qualification page shows them together.

    Parameters
    ----------
    partitions : int, optional
        Grade the leads in this many parts (default: as
        :meth:`~analytics.tables.Tables.partitions`); the result does not depend on it.

    Returns
    -------
    (rejections, suggestions): the two functions' results, equal to calling each.

    >>> from analytics.config import load_config
    >>> rejections, suggestions = sales_feedback(Tables.empty(), load_config("data/sla.toml"),
    ...                                          as_of=datetime(2026, 11, 1))
    >>> rejections.height, suggestions
    (0, [])
    """
    mqls = _graded_mqls(tables, config, as_of, partitions=partitions)
    suggestions = _suggestions(
        mqls, config, min_rejected=MIN_REJECTED, min_share=MIN_SHARE, min_lift=MIN_LIFT
    )
    return _rejections(mqls), suggestions


__all__ = ["NO_REASON", "rejections_by_grade", "rule_suggestions", "sales_feedback"]
