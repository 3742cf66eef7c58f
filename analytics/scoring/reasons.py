"""Reasons per lead: the rule score's points by attribute and activity, the model's factors.

- :func:`rule_score_reasons`: for each lead and moment, the points behind its rule score:
  one row per fit dimension (the attribute's points), one per activity type (the decayed
  points of its activities up to the moment, after the type's cap) and, when a cap binds,
  a ``cap`` row for the fit or interest cap (negative). The rows sum to the score.
- :func:`model_factors`: the model's top factors per lead, by *occlusion*: a feature's
  effect on a lead is the lead's predicted probability minus the probability with that
  feature set to its typical value (the training rows' most frequent category or median).
  It asks the model itself, with no surrogate; :func:`global_importance` is scikit-learn's
  permutation importance (the drop in ROC AUC when a feature is shuffled).
- :func:`lead_list`: today's open leads by rule score, each with its reasons in words.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from analytics.config import SlaConfig
from analytics.schema import UTC_TIMESTAMP
from analytics.scoring.rules import (
    _DECIMALS,
    _US_PER_DAY,
    FIT_DIMENSIONS,
    _as_of,
    _exp2,
    _interest_points,
    attributes_at,
    scores_at,
    with_grades,
)
from analytics.tables import Tables
from analytics.texts import Lang, number, render, term
from analytics.timeframe import utc_lit

REASON_SCHEMA = pl.Schema(
    {
        "lead_id": pl.String,
        "at": UTC_TIMESTAMP,
        "part": pl.String,
        "factor": pl.String,
        "value": pl.String,
        "count": pl.Int64,
        "points": pl.Float64,
    }
)


def rule_score_reasons(tables: Tables, config: SlaConfig, moments: pl.LazyFrame) -> pl.DataFrame:
    """The points behind each lead's rule score at each moment, by attribute and activity.

    Parameters
    ----------
    tables, config
        As :func:`~analytics.scoring.rules.scores_at`.
    moments : LazyFrame
        ``lead_id`` and ``at`` (UTC timestamp).

    Returns
    -------
    DataFrame (:data:`REASON_SCHEMA`), sorted by lead, moment, part and points (largest
    first): ``part`` is ``fit`` (``factor`` = the dimension, ``value`` = the attribute),
    ``interest`` (``factor`` = the activity type, ``count`` = its activities up to ``at``,
    ``points`` = their decayed points, capped per type) or ``cap`` (``factor`` =
    ``fit_cap`` / ``interest_cap``: what the cap takes off). Only rows with points; per
    lead and moment they sum to :func:`~analytics.scoring.rules.scores_at`'s score.

    Examples
    --------
    >>> from analytics.config import load_config
    >>> cfg = load_config("data/sla.toml")
    >>> t = Tables.from_rows(
    ...     leads=[{"lead_id": "L1", "created_at": "2026-01-01T00:00:00Z", "source": "email",
    ...             "seniority": "vp"}],
    ...     activities=[{"activity_id": "a", "lead_id": "L1", "type": "webinar_attended",
    ...                  "occurred_at": "2026-01-01T00:00:00Z"}])
    >>> m = pl.LazyFrame({"lead_id": ["L1"], "at": ["2026-01-31"]}).select(
    ...     "lead_id", pl.col("at").str.to_datetime(time_zone="UTC"))
    >>> rule_score_reasons(t, cfg, m).select("factor", "value", "count", "points").rows()
    [('seniority', 'vp', None, 12.0), ('webinar_attended', None, 1, 5.0)]
    """
    fit_cfg = config.scoring.fit
    moments = moments.select("lead_id", pl.col("at").cast(UTC_TIMESTAMP)).unique().collect()
    attrs = attributes_at(tables, config, moments.lazy()).collect()
    fit_rows = pl.concat(
        [
            attrs.select(
                "lead_id",
                "at",
                pl.lit("fit").alias("part"),
                pl.lit(dim).alias("factor"),
                pl.col(dim).cast(pl.String).alias("value"),
                pl.lit(None, pl.Int64).alias("count"),
                pl.col(dim)
                .cast(pl.String)
                .replace_strict(
                    {str(k): float(v) for k, v in fit_cfg.get(dim, {}).items()},
                    default=0.0,
                    return_dtype=pl.Float64,
                )
                .fill_null(0.0)
                .alias("points"),
            )
            for dim in FIT_DIMENSIONS
        ]
    )
    points = _interest_points(config)
    caps = config.scoring.interest.caps
    h_us = config.scoring.decay_half_life_days * _US_PER_DAY
    interest_rows = (
        moments.lazy()
        .join(
            tables.activities.filter(pl.col("type").is_in(list(points))).select(
                "lead_id", "occurred_at", "type"
            ),
            on="lead_id",
        )
        .filter(pl.col("occurred_at") <= pl.col("at"))
        .with_columns(
            (
                pl.col("type").replace_strict(points, return_dtype=pl.Float64)
                * _exp2(
                    -(pl.col("at") - pl.col("occurred_at")).dt.total_microseconds().cast(pl.Float64)
                    / h_us
                )
            ).alias("_p")
        )
        .group_by("lead_id", "at", "type")
        .agg(pl.len().cast(pl.Int64).alias("count"), pl.col("_p").sum().alias("points"))
        .with_columns(
            pl.min_horizontal(
                "points",
                pl.col("type")
                .replace_strict(
                    {k: float(v) for k, v in caps.items()}, default=None, return_dtype=pl.Float64
                )
                .fill_null(float("inf")),
            ).alias("points")
        )
        .select(
            "lead_id",
            "at",
            pl.lit("interest").alias("part"),
            pl.col("type").alias("factor"),
            pl.lit(None, pl.String).alias("value"),
            "count",
            "points",
        )
        .collect()
    )
    scores = scores_at(tables, config, moments.lazy()).collect()
    sums = (
        pl.concat([fit_rows, interest_rows])
        .group_by("lead_id", "at", "part")
        .agg(pl.col("points").sum().alias("raw"))
    )
    caps_taken = (
        scores.unpivot(
            index=["lead_id", "at"],
            on=["fit_points", "interest_points"],
            variable_name="part",
            value_name="capped",
        )
        .with_columns(pl.col("part").str.strip_suffix("_points"))
        .join(sums, on=["lead_id", "at", "part"], how="left")
        .select(
            "lead_id",
            "at",
            pl.lit("cap").alias("part"),
            (pl.col("part") + "_cap").alias("factor"),
            pl.lit(None, pl.String).alias("value"),
            pl.lit(None, pl.Int64).alias("count"),
            (pl.col("capped") - pl.col("raw").fill_null(0.0)).alias("points"),
        )
    )
    order = {"fit": 0, "interest": 1, "cap": 2}
    return (
        pl.concat([fit_rows, interest_rows, caps_taken])
        .cast(dict(REASON_SCHEMA))
        .with_columns(pl.col("points").round(_DECIMALS))
        .filter(pl.col("points") != 0)
        .sort(
            "lead_id",
            "at",
            pl.col("part").replace_strict(order, return_dtype=pl.Int8),
            pl.col("points").abs(),
            descending=[False, False, False, True],
            maintain_order=True,
        )
        .select(list(REASON_SCHEMA))
    )


def reason_texts(
    reasons: pl.DataFrame,
    *,
    lang: Lang = "en",
    top: int = 4,
    config: SlaConfig | None = None,
) -> pl.DataFrame:
    """Each lead's largest reasons in words: ``industry Software +12 · demo request ×1 +27.3``
    (an attribute by the ``config``'s display name: ``Branche Fertigung``, ``Land
    Deutschland``).

    Returns
    -------
    DataFrame, one row per lead and moment: ``lead_id``, ``at``, ``reasons`` (the ``top``
    rows with the largest points, caps last).

    >>> r = pl.DataFrame({"lead_id": ["L"] * 2, "at": [None] * 2, "part": ["fit", "interest"],
    ...     "factor": ["seniority", "demo_request"], "value": ["vp", None], "count": [None, 2],
    ...     "points": [8.0, 27.25]})
    >>> reason_texts(r)["reasons"][0]
    'demo request ×2 +27.2 · seniority VP +8'
    """
    words = []
    for row in reasons.iter_rows(named=True):
        if row["part"] == "fit":
            label = f"{term('fit', row['factor'], lang=lang)} {_value(row, lang, config)}"
        elif row["part"] == "interest":
            label = f"{term('activity', row['factor'], lang=lang)} ×{row['count']}"
        else:
            label = render(f"reasons.{row['factor']}", lang=lang)
        sign = "+" if row["points"] > 0 else "−"
        digits = 0 if float(row["points"]).is_integer() else 1
        words.append(f"{label} {sign}{number(abs(row['points']), lang, digits=digits)}")
    return (
        reasons.with_columns(
            pl.Series("_w", words, dtype=pl.String),
            (pl.col("part") == "cap").alias("_cap"),
        )
        .sort("_cap", pl.col("points").abs(), descending=[False, True], maintain_order=True)
        .group_by("lead_id", "at", maintain_order=True)
        .agg(pl.col("_w").head(top).str.join(" · ").alias("reasons"))
        .sort("lead_id", "at")
    )


def _value(row: dict[str, Any], lang: Lang, config: SlaConfig | None = None) -> str:
    dim, value = row["factor"], row["value"]
    if dim in ("seniority", "role"):
        return term(dim, value, lang=lang)
    if config is not None and dim in config.names and value is not None:
        return config.display_name(dim, value, lang)
    if dim == "industry" and value is not None:
        return value.replace("_", " ")
    return str(value)


#: The lead list's order: highest score first, ``lead_id`` deciding a tie (a total order,
#: so the top of parts' tops is the top of all).
_BEST_FIRST: dict[str, Any] = {"by": ["score", "lead_id"], "descending": [True, False]}


def lead_list(
    tables: Tables,
    config: SlaConfig,
    *,
    as_of: datetime | None = None,
    limit: int = 50,
    lang: Lang = "en",
) -> pl.DataFrame:
    """Today's open leads (no SQL, not disqualified) with the highest rule score, and why.

    Returns
    -------
    DataFrame, at most ``limit`` rows, highest score first: ``lead_id``, ``score``,
    ``fit_points``, ``interest_points``, ``fit_grade``, ``interest_grade``, ``reasons``
    (:func:`reason_texts` of :func:`rule_score_reasons` at ``as_of``).
    """
    return lead_lists(tables, config, as_of=as_of, limit=limit, langs=(lang,))[lang]


def lead_lists(
    tables: Tables,
    config: SlaConfig,
    *,
    as_of: datetime | None = None,
    limit: int = 50,
    langs: tuple[Lang, ...] = ("en",),
    partitions: int | None = None,
) -> dict[Lang, pl.DataFrame]:
    """:func:`lead_list` in each of ``langs``, the leads scored once.

    The open leads are scored in parts (:meth:`~analytics.tables.Tables.partitions`,
    by its default; the result does not depend on it): the top of the
    parts' tops is the top of all, score then ``lead_id`` deciding every tie.
    """
    moment = _as_of(tables, as_of)
    known = tables.until(moment)
    tops = [_top_open_leads(part, config, moment, limit) for part in known.partitions(partitions)]
    top = pl.concat(tops).sort(**_BEST_FIRST).head(limit)
    # the reasons of the listed leads read only their rows, not every lead's attributes
    listed = top.lazy().select("lead_id", "at")
    points = rule_score_reasons(known.for_leads(listed), config, listed)
    return {
        lang: top.join(
            reason_texts(points, lang=lang, config=config), on=["lead_id", "at"], how="left"
        )
        .select(
            "lead_id",
            "score",
            "fit_points",
            "interest_points",
            "fit_grade",
            "interest_grade",
            "reasons",
        )
        .sort(**_BEST_FIRST)
        for lang in langs
    }


def _top_open_leads(known: Tables, config: SlaConfig, moment: datetime, limit: int) -> pl.DataFrame:
    """The ``limit`` open leads of ``known`` (no SQL, not disqualified) with the highest
    rule score at ``moment``, graded."""
    closed = known.lifecycle_events.filter(pl.col("stage").is_in(["sql", "disqualified"])).select(
        "lead_id"
    )
    moments = known.leads.join(closed, on="lead_id", how="anti").select(
        "lead_id", utc_lit(moment).alias("at")
    )
    return (
        with_grades(scores_at(known, config, moments), config)
        .sort(**_BEST_FIRST)
        .head(limit)
        .collect()
    )


def lead_list_with_model(
    tables: Tables,
    config: SlaConfig,
    *,
    as_of: datetime | None = None,
    langs: tuple[Lang, ...] = ("en",),
    model_path: Any = None,
) -> dict[Lang, tuple[pl.DataFrame, str | None, str | None]]:
    """:func:`lead_lists`, with the saved model's factors of each lead when one is given.

    Parameters
    ----------
    model_path : path, optional
        A saved model (``.skops``; :func:`analytics.scoring.model.load_model` refuses a
        hostile file, never runs it). A model that cannot be loaded (a refused file, a card
        that cannot be read), or without typical values on its card, adds nothing.

    Returns
    -------
    dict of language -> (leads, model version or None, note or None): the columns of
    :func:`lead_list` and, with a model, :func:`lead_model_factors`'s; the note says, in
    that language, why a saved model adds no factors, or what flags the model whose
    factors are shown (:func:`analytics.scoring.model.check_card`: trained for another
    label window, with other scoring points, on another warehouse). A model that cannot
    be loaded is not replaced by an older one beside it: the note names that one too.
    """
    from analytics.scoring.model import ModelCardError, check_card, load_model, older_model

    lists = lead_lists(tables, config, as_of=as_of, langs=langs)
    model, notes = None, dict.fromkeys(lists)
    if model_path is not None:
        name = Path(model_path).name
        try:
            model = load_model(model_path)
        except ModelCardError as exc:  # the model's file is fine, its card is not
            why = {"model": name, "card": exc.card.name, "problem": exc.problem}
            notes = {lang: render("model.card.unreadable", lang=lang, **why) for lang in lists}
        except (FileNotFoundError, ValueError) as exc:
            # the file's problem in words of each language (str(exc) is English, with a path)
            problem = getattr(exc, "problem", None) or str(exc)
            notes = {
                lang: render("model.unloadable", lang=lang, model=name, problem=problem)
                for lang in lists
            }
        older = older_model(model_path) if model is None else None
        if older is not None:  # the newest is broken; the older one is not used instead
            why = {"older": older.name, "model": name}
            notes = {
                lang: f"{note}{render('model.older_unused', lang=lang, **why)}"
                for lang, note in notes.items()
            }
    if model is None or not model.card.get("typical"):
        return {lang: (leads, None, notes[lang]) for lang, leads in lists.items()}
    check = check_card(model.card, tables, config)  # its factors, flagged when not ours
    notes = {lang: check.note(lang=lang) for lang in lists}
    out: dict[Lang, tuple[pl.DataFrame, str | None, str | None]] = {}
    for lang, leads in lists.items():
        factors = lead_model_factors(
            model, tables, config, leads["lead_id"].to_list(), as_of=as_of, lang=lang
        )
        out[lang] = (leads.join(factors, on="lead_id", how="left"), model.version, notes[lang])
    return out


def typical_values(
    frame: pl.DataFrame, *, numeric: list[str], categorical: list[str]
) -> dict[str, Any]:
    """Each feature's typical value: the most frequent category (missing included), the median.

    >>> typical_values(pl.DataFrame({"c": ["a", "b", "b"], "x": [1.0, 5.0, None]}),
    ...                numeric=["x"], categorical=["c"])
    {'c': 'b', 'x': 3.0}
    """
    out: dict[str, Any] = {}
    for c in categorical:
        counts = frame.select(pl.col(c).cast(pl.String)).to_series().value_counts(sort=True)
        out[c] = counts[c][0] if counts.height else None
    for c in numeric:
        out[c] = frame[c].cast(pl.Float64).median()
    return out


def model_factors(
    model: Any, frame: pl.DataFrame, *, typical: dict[str, Any], top: int = 3
) -> pl.DataFrame:
    """The model's top factors per lead, by occlusion (see the module's docstring).

    Parameters
    ----------
    model : ScoreModel
        A fitted model (``predict_proba`` of a frame, ``numeric``, ``categorical``).
    frame : DataFrame
        ``lead_id`` and the model's features, one row per lead.
    typical : dict
        Feature -> typical value (:func:`typical_values` of the training rows).
    top : int, default 3
        Factors kept per lead (largest absolute effect first).

    Returns
    -------
    DataFrame: ``lead_id``, ``probability``, ``feature``, ``value`` (as text), ``effect``
    (probability minus the probability with the feature at its typical value).
    """
    base = model.predict_proba(frame)
    parts = []
    for feature in [*model.categorical, *model.numeric]:
        dtype = frame.schema[feature]
        swapped = frame.with_columns(pl.lit(typical.get(feature)).cast(dtype).alias(feature))
        effect = base - model.predict_proba(swapped)
        parts.append(
            frame.select(
                "lead_id",
                pl.Series("probability", base),
                pl.lit(feature).alias("feature"),
                pl.col(feature).cast(pl.String).alias("value"),
                pl.Series("effect", effect),
            )
        )
    return (
        pl.concat(parts)
        .sort("lead_id", pl.col("effect").abs(), descending=[False, True], maintain_order=True)
        .group_by("lead_id", maintain_order=True)
        .head(top)
    )


def lead_model_factors(
    model: Any,
    tables: Tables,
    config: SlaConfig,
    lead_ids: list[str],
    *,
    as_of: datetime | None = None,
    top: int = 3,
    lang: Lang = "en",
) -> pl.DataFrame:
    """The saved model's probability and top factors for given leads, in words.

    The leads are scored at their scoring moment (the model card's ``age_days`` after
    creation, as the model was trained); the reference values are the card's ``typical``.

    Returns
    -------
    DataFrame, one row per lead the model scores: ``lead_id``, ``probability``,
    ``factors`` (``source referral +8.1 pp · employees 300 −2.0 pp``).
    """
    from analytics.scoring.model import scoring_samples

    typical = model.card.get("typical")
    if not typical or not lead_ids:
        return pl.DataFrame(
            schema={"lead_id": pl.String, "probability": pl.Float64, "factors": pl.String}
        )
    ids = pl.DataFrame({"lead_id": lead_ids}, schema={"lead_id": pl.String})
    samples = scoring_samples(
        tables.for_leads(ids),
        config,
        as_of=as_of,
        age_days=float(model.card.get("age_days", 0.0)),
    ).collect()
    factors = model_factors(model, samples, typical=typical, top=top)
    words = [
        f"{row['feature'].replace('_', ' ')} {_feature_value(row['value'], lang)} "
        f"{'+' if row['effect'] >= 0 else '−'}{number(abs(row['effect']) * 100, lang, digits=1)}"
        " pp"
        for row in factors.iter_rows(named=True)
    ]
    return (
        factors.with_columns(pl.Series("_w", words, dtype=pl.String))
        .group_by("lead_id", maintain_order=True)
        .agg(pl.col("probability").first(), pl.col("_w").str.join(" · ").alias("factors"))
    )


def _feature_value(value: str | None, lang: Lang) -> str:
    if value is None:
        return "–"
    try:
        return number(float(value), lang, digits=0 if float(value).is_integer() else 1)
    except ValueError:
        return value.replace("_", " ")


def global_importance(
    model: Any, frame: pl.DataFrame, *, label: str, n_repeats: int = 3, random_state: int = 0
) -> pl.DataFrame:
    """scikit-learn's permutation importance: the drop in ROC AUC when a feature is shuffled.

    Returns
    -------
    DataFrame, one row per feature, most important first: ``feature``, ``importance``
    (mean drop), ``std``.
    """
    from sklearn.inspection import permutation_importance

    from analytics.scoring.model import feature_matrix

    x = feature_matrix(frame, numeric=model.numeric, categorical=model.categorical)
    y = frame[label].cast(pl.Int64).to_numpy()
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):  # as the model predicts: more threads spin when busy
        result = permutation_importance(
            model.estimator,
            x,
            y,
            scoring="roc_auc",
            n_repeats=n_repeats,
            random_state=random_state,
        )
    return pl.DataFrame(
        {
            "feature": [*model.categorical, *model.numeric],
            "importance": np.asarray(result.importances_mean, dtype=np.float64),
            "std": np.asarray(result.importances_std, dtype=np.float64),
        }
    ).sort("importance", descending=True)


__all__ = [
    "REASON_SCHEMA",
    "global_importance",
    "lead_list",
    "lead_list_with_model",
    "lead_lists",
    "lead_model_factors",
    "model_factors",
    "reason_texts",
    "rule_score_reasons",
    "typical_values",
]
