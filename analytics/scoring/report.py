"""The lead-score report: rule score vs model, threshold table, recommended threshold.

The document behind ``sla score report --json`` (spec/cli.md); its keys are stable.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import polars as pl

from analytics.config import SlaConfig
from analytics.coverage import reason as coverage_reason
from analytics.scoring.calibration import (
    ScoreMapping,
    calibration_metrics,
    reliability_table,
    segment_calibration,
)
from analytics.scoring.model import (
    MIN_SAMPLES,
    Evaluation,
    ScoreModel,
    SeenTestPeriodError,
    Target,
    check_card,
    evaluate_model,
    samples_split,
    scoring_samples,
    target_of,
    time_split,
    train_and_evaluate,
    unmeasured_reason,
)
from analytics.scoring.rules import (
    _as_of,
    horizon_note,
    outcomes_known_until,
    rule_scores,
    score_grid,
)
from analytics.scoring.thresholds import (
    precompute_from_predictions,
    precompute_thresholds,
    recommend_threshold,
    threshold_table,
    weekly_capacity,
)
from analytics.stats import wilson_interval
from analytics.tables import Tables
from analytics.texts import Lang, as_sentence, day, render
from analytics.timeframe import as_utc

THRESHOLD_KEYS = (
    "threshold",
    "mqls_per_month",
    "precision",
    "converted_mqls",
    "mature_mqls",
    "precision_low",
    "precision_high",
    "recall",
    "expected_sqls_per_month",
    "workload_ratio",
    "mqls_per_week",
    "expected_pipeline_per_month",
    "basis",
    "unobserved_share",
    "estimated_sqls_per_month",
    "estimated_sqls_low",
    "estimated_sqls_high",
    "extra_sqls_per_extra_mql",
)


def _number(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else float(value)


def _rows(table: pl.DataFrame) -> list[dict[str, Any]]:
    """The JSON rows of a threshold table: :data:`THRESHOLD_KEYS`, precision with its
    count (``converted_mqls`` of ``mature_mqls``) and 95 % Wilson interval."""
    low, high = wilson_interval("converted_mqls", "mature_mqls")
    rows = table.with_columns(low.alias("precision_low"), high.alias("precision_high"))
    rows = rows.select(THRESHOLD_KEYS).to_dicts()
    for row in rows:
        row["threshold"] = _number(row["threshold"])
    return rows


def model_evaluation(
    tables: Tables,
    config: SlaConfig,
    *,
    as_of: datetime | None = None,
    model: ScoreModel | None = None,
    target: Target = "sql",
    partitions: int | None = None,
) -> dict[str, Any]:
    """What :func:`score_report` says of the model: its quality and the rule score's on
    the newer leads, and the model's threshold table (stored beside a saved model).

    Parameters
    ----------
    tables, config, as_of, model, target, partitions
        As :func:`score_report`.

    Returns
    -------
    dict with ``target``, ``rule_score``, ``model``, ``model_thresholds``, ``n_test``,
    ``split_at``, ``model_note`` and ``model_reason``, each as in :func:`score_report`.
    A saved model trained for another label window (``funnel.window_days``) than the
    config in force (:func:`~analytics.scoring.model.check_card`) is not judged: its
    quality is null, ``model_reason`` says why, and the rule score is judged alone
    (:func:`rule_score_evaluation`).

    Examples
    --------
    >>> from analytics.config import load_config
    >>> model_evaluation(Tables.empty(), load_config("data/sla.toml"),
    ...                  as_of=datetime(2026, 11, 1))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ValueError: only 0 leads have a closed 90-day window: too few to train or evaluate ...
    """
    moment = _as_of(tables, as_of)
    # a saved model from another label window is not judged; other problems are flagged
    check = None if model is None else check_card(model.card, tables, config)
    if model is not None and check is not None and check.reasons:
        # it predicts another label: not judged; the rule score does not depend on it
        return rule_score_evaluation(
            tables, config, as_of=moment, card=model.card, reason=check.reason(),
            partitions=partitions,
        )  # fmt: skip
    evaluation: Evaluation = (
        train_and_evaluate(tables, config, as_of=moment, target=target, partitions=partitions)
        if model is None
        else evaluate_model(model, tables, config, as_of=moment, partitions=partitions)
    )
    predictions = evaluation.test.lazy().select(
        "lead_id", pl.col("scored_at").alias("at"), pl.col("model_probability").alias("score")
    )
    model_base = precompute_from_predictions(predictions, tables, config, as_of=moment)

    return {
        "target": f"{evaluation.target}_within_window",
        "rule_score": _quality(evaluation.metrics["rule_score"]),
        "model": _model_entry(evaluation.model.card, evaluation.metrics["model"]),
        "model_thresholds": _rows(threshold_table(model_base)),
        "n_test": evaluation.test.height,
        "split_at": evaluation.split_at,
        "model_note": None if check is None else check.note(),
        "model_reason": None,
    }


def rule_score_evaluation(
    tables: Tables,
    config: SlaConfig,
    *,
    as_of: datetime,
    card: dict[str, Any],
    reason: str,
    note: str | None = None,
    test_share: float = 0.3,
    partitions: int | None = None,
) -> dict[str, Any]:
    """:func:`model_evaluation`'s document for a saved model that is not judged (why:
    ``reason``): the model's quality null, and the rule score's measured on its own newer
    leads, as the qualification page measures it (:func:`score_quality`: a score ->
    probability mapping fitted on the older mature leads, judged on the newest
    ``test_share``), against the outcome the model's card names.

    Raises
    ------
    ValueError
        Too few mature leads to fit the mapping and judge it.
    """
    target = target_of(card.get("target", "sql_within_window"))
    train, test = samples_split(
        tables,
        config,
        as_of=as_of,
        age_days=0.0,
        test_share=test_share,
        train_columns=("scored_at", "lead_id", "score", target),
        partitions=partitions,
    )
    mapping = ScoreMapping().fit(train["score"].to_numpy(), train[target].cast(pl.Int64))
    y = test[target].cast(pl.Int64).to_numpy()
    metrics = calibration_metrics(y, mapping.predict(test["score"].to_numpy()))
    return {
        "target": f"{target}_within_window",
        "rule_score": _quality(metrics),
        "model": _model_entry(card, {}),
        "model_thresholds": [],
        "n_test": test.height,
        "split_at": test["scored_at"].min() if test.height else None,
        "model_note": note,
        "model_reason": reason,
    }


def score_report(
    tables: Tables,
    config: SlaConfig,
    *,
    as_of: datetime | None = None,
    model: ScoreModel | None = None,
    target: Target = "sql",
    partitions: int | None = None,
    thresholds: dict[str, Any] | None = None,
    evaluation: dict[str, Any] | None = None,
    unusable: str | None = None,
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
        The leads are processed in this many parts (default: as
        :meth:`~analytics.tables.Tables.partitions`); the document does not depend on it.
        The tables are read per part, not collected whole: pass lazy warehouse tables.
    thresholds : dict, optional
        The rule score's threshold results stored for this data, config and ``as_of``
        (:func:`analytics.precompute.threshold_results`): used instead of computing them.
    evaluation : dict, optional
        The saved model's :func:`model_evaluation` stored for this data, config, ``as_of``
        and model: used instead of evaluating the model (``model`` is then not needed).
        With both stored, the tables are not read.
    unusable : str, optional
        Why the saved model the report stands for cannot be used (it cannot be loaded):
        no model is trained instead, ``model_reason`` says this, and the rule score is
        judged alone (:func:`rule_score_evaluation`).

    Returns
    -------
    dict with ``target``, ``rule_score`` {roc_auc, brier, ece, log_loss, pr_auc},
    ``model`` {roc_auc, brier, ece, log_loss, pr_auc, version, calibration, features
    (every input of the model, each known at the lead's scoring moment)},
    ``thresholds`` (rule score; per threshold: threshold, mqls_per_month, precision,
    recall, expected_sqls_per_month, workload_ratio, mqls_per_week,
    expected_pipeline_per_month, basis ("observed" or "estimated": below today's threshold
    some MQLs were never handed over), unobserved_share, estimated_sqls_per_month,
    estimated_sqls_low, estimated_sqls_high, extra_sqls_per_extra_mql),
    ``recommended_threshold``, ``recommended_reason``, ``current_threshold``,
    ``min_extra_sqls_per_extra_mql`` (the config's minimum), ``weekly_capacity``,
    ``model_thresholds`` (the same table for the model's probability on the test leads),
    ``as_of``, ``outcomes_known_until`` (:func:`~analytics.scoring.rules.outcomes_known_until`:
    a lead whose window runs past it is not judged), ``outcomes_note``
    (:func:`~analytics.scoring.rules.horizon_note`: why, when it is before ``as_of``; else
    None), ``n_test``, ``split_at``; ``rule_score_reason`` (:func:`rule_score_reason`:
    with one, the rule score's metrics are null, its threshold table empty and no threshold
    recommended); ``model_reason``: why no model could be trained or tested (too few leads
    with a known outcome, one class, a saved model trained for another label window), or
    None; with one, both scores' quality is null (it is measured on the model's test leads)
    and the threshold table stays, except for a saved model that is not judged (another
    label window): the rule score's quality is then measured on its own newer leads, as
    the qualification page measures it (:func:`rule_score_evaluation`); ``model_note``:
    what flags the saved model, judged or not (trained with other scoring points or on
    another warehouse, or a card too old to check:
    :func:`~analytics.scoring.model.check_card`), or None.

    Raises
    ------
    SeenTestPeriodError
        The given saved model learned from every lead of this test period.
    """
    moment = _as_of(tables, as_of)
    not_evaluated = None
    # the SQL a model learns and the thresholds count: unknown where no SQL is counted
    # (Olist's SQLs are its won deals): no quality, no expected SQLs, and why
    unlabelled = label_reason(tables, config, as_of=moment)
    # what the judged model predicts: a saved model's (or its stored evaluation's) own
    judged_by = (
        model.target if model is not None else target_of((evaluation or {}).get("target", target))
    )

    # what flags a saved model that is not judged (another warehouse, ...) is still said
    def card_note() -> str | None:
        return None if model is None else check_card(model.card, tables, config).note()

    if unlabelled is not None and judged_by == "sql":
        not_evaluated = unlabelled
        evaluation = _no_evaluation(model, target=target, note=card_note())
        if unusable is not None:
            not_evaluated = f"{unusable} {unlabelled}"
    elif unusable is not None:  # a saved model that cannot be loaded: the rule score alone
        card = {"target": f"{target}_within_window"}
        try:
            evaluation = rule_score_evaluation(
                tables, config, as_of=moment, card=card, reason=unusable, partitions=partitions
            )
        except ValueError as exc:  # too few leads to judge the rule score either
            not_evaluated = f"{unusable} {as_sentence(str(exc))}"
            evaluation = _no_evaluation(None, target=target)
    elif evaluation is None:
        try:
            evaluation = model_evaluation(
                tables, config, as_of=moment, model=model, target=target, partitions=partitions
            )
        except SeenTestPeriodError:  # the caller may judge another model instead
            raise
        except ValueError as exc:  # too few leads, one class, a leaking feature: say why
            not_evaluated = str(exc)
            evaluation = _no_evaluation(model, target=target, note=card_note())
    if evaluation.get("model_reason"):  # a saved model not judged: the rule score alone is
        not_evaluated = evaluation["model_reason"]
        few = unmeasured_reason(evaluation["rule_score"], target=judged_by)  # type: ignore[arg-type]
        if few is not None:
            not_evaluated = f"{not_evaluated} {as_sentence(few)}"
            evaluation = _unjudged(evaluation)
    elif not_evaluated is None:  # test leads of one outcome, or a handful: no verdict on them
        few = unmeasured_reason(evaluation["model"], target=judged_by)  # type: ignore[arg-type]
        if few is not None:
            not_evaluated = as_sentence(few)
            evaluation = _unjudged(evaluation)
    minimum = config.scoring.min_extra_sqls_per_extra_mql
    # the rule notebook 3 follows too (score_reasons): no activities, or no SQL counted
    reasons = ScoreReasons(interest=rule_score_reason(tables, as_of=moment), label=unlabelled)
    unscored = reasons.rule_score
    if unscored is not None:  # a score without its interest points is not the SLA's score
        quality, rows = dict.fromkeys(evaluation["rule_score"]), []
        recommended, reason = None, unscored
        current = config.scoring.mql_threshold
        capacity = weekly_capacity(tables.until(moment).reps)
        until = outcomes_known_until(tables.until(moment), moment)
        horizon = _horizon(until, moment, tables, config)
    else:
        if thresholds is None:
            base = precompute_thresholds(tables, config, as_of=moment, partitions=partitions)
            thresholds = {
                "table": threshold_table(base),
                "current_threshold": base.current_threshold,
                "weekly_capacity": base.weekly_capacity,
                "outcomes_known_until": base.outcomes_until,
            }
        # stored with the threshold results (results stored before it was: read again)
        until = thresholds.get("outcomes_known_until") or outcomes_known_until(
            tables.until(moment), moment
        )
        horizon = _horizon(until, moment, tables, config)
        table, current = thresholds["table"], thresholds["current_threshold"]
        recommended, reason = recommend_threshold(
            table, current=current, minimum=minimum, horizon=horizon
        )
        quality, rows = evaluation["rule_score"], _rows(table)
        capacity = thresholds["weekly_capacity"]
    return {
        "target": evaluation["target"],
        "rule_score": quality,
        "rule_score_reason": unscored,
        "model": evaluation["model"],
        "model_reason": not_evaluated,
        "model_note": evaluation.get("model_note"),
        "thresholds": rows,
        "recommended_threshold": _number(recommended),
        "recommended_reason": reason,
        "current_threshold": _number(current),
        "min_extra_sqls_per_extra_mql": minimum,
        "weekly_capacity": capacity,
        "model_thresholds": evaluation["model_thresholds"],
        "as_of": moment,
        "outcomes_known_until": until,
        "outcomes_note": horizon,
        "n_test": evaluation["n_test"],
        "split_at": evaluation["split_at"],
    }


def _horizon(until: datetime, moment: datetime, tables: Tables, config: SlaConfig) -> str | None:
    """:func:`~analytics.scoring.rules.horizon_note` of the report (English, as its reasons)."""
    return horizon_note(
        until, moment, window_days=config.funnel.window_days, loaded_at=tables.loaded_at
    )


#: The measures of a score's quality in the report (null when not measured), and the
#: test leads they were measured on: ``n``, of them ``positives`` (the outcome).
QUALITY_KEYS = ("roc_auc", "brier", "ece", "log_loss", "pr_auc", "n", "positives")


def _quality(metrics: dict[str, Any]) -> dict[str, Any]:
    """The report's measures of ``metrics`` (:data:`QUALITY_KEYS`; a missing one null)."""
    return {k: metrics.get(k) for k in QUALITY_KEYS}


def _model_entry(card: dict[str, Any], metrics: dict[str, Any]) -> dict[str, Any]:
    """The report's ``model``: its quality and what its card says of it."""
    return {
        **_quality(metrics),
        "version": card.get("version"),
        "calibration": card.get("calibration"),
        "features": list(card.get("features", [])),
    }


def _unjudged(evaluation: dict[str, Any]) -> dict[str, Any]:
    """``evaluation`` with both scores' quality null (their test leads cannot judge them),
    the counts kept, and no model threshold table (it rests on the same leads).

    >>> e = {"rule_score": {"roc_auc": 0.5, "n": 90}, "model": {"roc_auc": 0.5, "n": 90,
    ...      "version": "v"}, "model_thresholds": [{"threshold": 0.1}]}
    >>> u = _unjudged(e)
    >>> u["model"], u["rule_score"]["n"], u["model_thresholds"]
    ({'roc_auc': None, 'n': 90, 'version': 'v'}, 90, [])
    """
    counts = ("n", "positives")

    def blank(entry: dict[str, Any]) -> dict[str, Any]:
        return {k: (None if k in QUALITY_KEYS and k not in counts else v) for k, v in entry.items()}

    return {
        **evaluation,
        "rule_score": blank(evaluation["rule_score"]),
        "model": blank(evaluation["model"]),
        "model_thresholds": [],
    }


def _no_evaluation(
    model: ScoreModel | None, *, target: Target, note: str | None = None
) -> dict[str, Any]:
    """:func:`model_evaluation`'s document when no model can be trained or tested: every
    quality null, no test leads (the rule score's quality is measured on the same ones);
    ``note`` what flags the saved model (:func:`~analytics.scoring.model.check_card`).

    >>> _no_evaluation(None, target="sql")["model"]["roc_auc"] is None
    True
    """
    card = model.card if model is not None else {}
    return {
        "target": str(card.get("target", f"{target}_within_window")),
        "rule_score": _quality({}),
        "model": _model_entry(card, {}),
        "model_thresholds": [],
        "n_test": 0,
        "split_at": None,
        "model_note": note,
        "model_reason": None,
    }


def rule_score_reason(tables: Tables, *, as_of: datetime, lang: Lang = "en") -> str | None:
    """Why the rule score cannot be judged at ``as_of``, or None when it can.

    Its interest points come from the activities (group ``scoring_interest``,
    spec/coverage.md): without any activity up to ``as_of`` the score is the fit points
    alone, and its quality, calibration and threshold what-if are not measurable.

    >>> rule_score_reason(Tables.empty(), as_of=datetime(2026, 11, 1))
    'No marketing activities were imported: import activities (visits, downloads, webinars).'
    >>> t = Tables.from_rows(activities=[{"activity_id": "a", "lead_id": "L", "type": "page_view",
    ...                                   "occurred_at": "2026-03-02T09:00:00Z"}])
    >>> rule_score_reason(t, as_of=datetime(2026, 1, 1))
    'No marketing activity was recorded by 2026-01-01: the first is from 2026-03-02.'
    """
    first = tables.activities.select(pl.col("occurred_at").min()).collect().item()
    if first is None:
        return coverage_reason("scoring_interest", lang=lang)
    if as_utc(first) <= as_utc(as_of):
        return None
    return render(
        "score.reason.activities_later",
        lang=lang,
        day=day(as_utc(as_of).date(), lang),
        first=day(as_utc(first).date(), lang),
    )


def label_reason(
    tables: Tables, config: SlaConfig, *, as_of: datetime, lang: Lang = "en"
) -> str | None:
    """Why the data cannot say which leads became SQLs by ``as_of`` (the label a score is
    judged by), or None when it can: no SQL stage is counted (spec/coverage.md, group
    ``sql_stage``: never imported, or recorded only for won deals).

    >>> from analytics.config import load_config
    >>> label_reason(Tables.empty(), load_config("data/sla.toml"), as_of=datetime(2026, 11, 1))
    'No leads or lifecycle stages were imported: import leads and lifecycle_events.'
    """
    from analytics.coverage import known_coverage

    return _unanswered("sql_stage", known_coverage(tables, config=config, as_of=as_of), lang)


def _unanswered(group: str, found: pl.DataFrame, lang: Lang) -> str | None:
    """Why no month of the coverage ``found`` answers measure group ``group``, or None."""
    from analytics.coverage import answerable

    if answerable(found).get(group, True):
        return None
    return coverage_reason(group, found, lang=lang)


#: The columns of a lead list or grade grid that each part of the lead score fills:
#: without the activities the score is the fit points alone (no interest, no score to rank
#: by); without a scored fit attribute every lead has 0 fit points and grade D.
SCORE_COLUMNS: dict[str, tuple[str, ...]] = {
    "interest": ("score", "interest_points", "interest_grade"),
    "fit": ("fit_points", "fit_grade"),
}


@dataclass(frozen=True)
class ScoreReasons:
    """Why each part of the lead score cannot be judged on the data (None: it can).

    Attributes
    ----------
    interest : str or None
        No marketing activity by then (:func:`rule_score_reason`, group
        ``scoring_interest``): no interest points, so no rule score of the SLA.
    fit : str or None
        No lead has an attribute the config scores for fit (group ``scoring_fit``).
    label : str or None
        No SQL is counted (:func:`label_reason`, group ``sql_stage``): nothing says which
        leads became SQLs.
    deals : str or None
        No opportunity was imported (group ``deals``): nothing says which leads won.

    Examples
    --------
    >>> r = ScoreReasons(interest="No activities.", label="No SQLs.")
    >>> r.rule_score, r.grid(), ScoreReasons(fit="No fit.").grid()
    ('No activities.', 'No activities.', 'No fit.')
    >>> ScoreReasons(fit="No fit.").unknown_columns()
    {'fit_points': 'No fit.', 'fit_grade': 'No fit.'}
    """

    interest: str | None = None
    fit: str | None = None
    label: str | None = None
    deals: str | None = None

    @property
    def rule_score(self) -> str | None:
        """Why the rule score's quality, calibration and threshold what-if are not judged
        (``sla score report``'s ``rule_score_reason``: no threshold table, no
        recommendation), or None."""
        return self.interest or self.label

    def outcome(self, target: Target = "sql") -> str | None:
        """Why the data cannot say which leads reached ``target`` ("sql": an SQL,
        "won": a won deal), or None."""
        return self.label if target_of(target) == "sql" else self.deals

    def grid(self, target: Target = "sql") -> str | None:
        """Why the fit x interest grid of ``target`` is not shown (it needs both grades and
        the outcome), or None."""
        return self.interest or self.fit or self.outcome(target)

    def unknown_columns(self) -> dict[str, str]:
        """Column of :data:`SCORE_COLUMNS` -> why the data cannot fill it (only those)."""
        out: dict[str, str] = {}
        for part, columns in SCORE_COLUMNS.items():
            why = getattr(self, part)
            if why is not None:
                out.update(dict.fromkeys(columns, why))
        return out

    @classmethod
    def of_coverage(cls, found: pl.DataFrame, *, lang: Lang = "en") -> ScoreReasons:
        """The reasons the data's coverage ``found`` gives (a frame of
        :func:`analytics.coverage.known_coverage`, or the one stored at the import for the
        same :attr:`~analytics.config.SlaConfig.coverage_key`): groups ``scoring_interest``,
        ``scoring_fit``, ``sql_stage`` and ``deals`` answered in no month. The tables are
        not read: what the Lead qualification page asks (:func:`score_reasons` reads the
        activities for a moment before the first).

        >>> from analytics.config import load_config
        >>> from analytics.coverage import known_coverage
        >>> found = known_coverage(Tables.empty(), config=load_config("data/sla.toml"),
        ...                        as_of=datetime(2026, 11, 1))
        >>> ScoreReasons.of_coverage(found).interest[:37]
        'No marketing activities were imported'
        """
        return cls(
            interest=_unanswered("scoring_interest", found, lang),
            fit=_unanswered("scoring_fit", found, lang),
            label=_unanswered("sql_stage", found, lang),
            deals=_unanswered("deals", found, lang),
        )

    def known(self, frame: pl.DataFrame) -> pl.DataFrame:
        """``frame`` (a lead list: :func:`analytics.scoring.reasons.lead_list`) with the
        columns the data cannot fill null, never 0 points or grade D (spec/coverage.md).

        >>> leads = pl.DataFrame({"lead_id": ["L1"], "score": [32.0], "fit_points": [32.0],
        ...                       "interest_points": [0.0], "fit_grade": ["B"],
        ...                       "interest_grade": ["4"]})
        >>> ScoreReasons(interest="No activities.").known(leads).row(0)
        ('L1', None, 32.0, None, 'B', None)
        """
        unknown = [c for c in self.unknown_columns() if c in frame.columns]
        return frame.with_columns(pl.lit(None, frame.schema[c]).alias(c) for c in unknown)


def score_reasons(
    tables: Tables, config: SlaConfig, *, as_of: datetime, lang: Lang = "en"
) -> ScoreReasons:
    """Why the lead score, its parts and its outcomes cannot be judged at ``as_of``, as
    ``sla score report`` says it (:func:`rule_score_reason`, :func:`label_reason`) and
    the Lead qualification page does (groups ``scoring_fit`` and ``deals`` of the data's
    coverage: spec/coverage.md).

    Parameters
    ----------
    tables, config
        The data and the SLA config (its ``[scoring.fit]`` attributes).
    as_of : datetime
        The data as known then.
    lang : {"en", "de"}, default "en"
        The language of the reasons.

    Returns
    -------
    ScoreReasons

    Examples
    --------
    >>> from analytics.config import load_config
    >>> r = score_reasons(Tables.empty(), load_config("data/sla.toml"),
    ...                   as_of=datetime(2026, 11, 1))
    >>> r.rule_score
    'No marketing activities were imported: import activities (visits, downloads, webinars).'
    >>> r.label[:44]
    'No leads or lifecycle stages were imported: '
    """
    from analytics.coverage import known_coverage

    found = known_coverage(tables, config=config, as_of=as_of)  # read once for all
    # the interest as of the moment: before the first activity, say when it came
    interest = rule_score_reason(tables, as_of=as_of, lang=lang)
    return dataclasses.replace(ScoreReasons.of_coverage(found, lang=lang), interest=interest)


#: Width of the bins of today's score in :func:`score_quality` (points).
SCORE_BIN = 5


def score_quality(
    tables: Tables,
    config: SlaConfig,
    *,
    as_of: datetime | None = None,
    test_share: float = 0.3,
    partitions: int | None = None,
) -> dict[str, Any]:
    """The rule score's quality as the qualification page shows it, in parts of leads.

    Today's score of every lead in bins, the fit x interest grid of the mature scoring
    samples, and the rule score's calibration: the score at lead creation mapped to a
    probability of an SQL within ``funnel.window_days`` (isotonic, fitted on the older
    samples) and judged on the newest ``test_share`` of them.

    Parameters
    ----------
    partitions : int, optional
        Work in this many parts of leads (:meth:`~analytics.tables.Tables.partitions`;
        by its default), so that memory follows a part, not the warehouse.

    Returns
    -------
    dict with ``score_bins`` (``from``, ``fit_grade``, ``leads``, ``to``: leads per
    :data:`SCORE_BIN`-point bin of today's score and fit grade), ``grid``
    (:func:`~analytics.scoring.rules.score_grid` of the mature samples), ``samples`` (their
    count) and, from 50 samples on, either ``few_outcomes`` (``n``, ``positives``: too few
    test leads of an outcome, :func:`~analytics.scoring.model.unmeasured_reason`) or
    ``metrics``, ``reliability``, ``segments``
    (:func:`~analytics.scoring.calibration.segment_calibration` by source and size band),
    ``mapping`` (score ->
    probability every 5 points), ``n_test`` and ``split_at`` (the first test moment).

    Examples
    --------
    >>> from analytics.config import load_config
    >>> q = score_quality(Tables.empty(), load_config("data/sla.toml"),
    ...                   as_of=datetime(2026, 11, 1))
    >>> sorted(q), q["samples"]
    (['grid', 'samples', 'score_bins'], 0)
    """
    moment = _as_of(tables, as_of)
    needed = (
        "scored_at", "lead_id", "score", "fit_points", "interest_points", "sql", "source",
        "size_band",
    )  # fmt: skip
    bins, samples = [], []
    until = outcomes_known_until(tables, moment)  # of all leads, not of a part
    for part in tables.partitions(partitions):
        part_bins, part_samples = pl.collect_all(
            [
                rule_scores(part, config, as_of=moment)
                .group_by((pl.col("score") // SCORE_BIN * SCORE_BIN).alias("from"), "fit_grade")
                .agg(pl.len().alias("leads")),
                scoring_samples(part, config, as_of=moment, outcomes_until=until)
                .filter(pl.col("is_mature"))
                .select(needed),
            ]
        )
        bins.append(part_bins)
        samples.append(part_samples)
    score_bins = (
        pl.concat(bins)
        .group_by("from", "fit_grade")
        .agg(pl.col("leads").sum())
        .with_columns((pl.col("from") + SCORE_BIN).alias("to"))
        .sort("from", "fit_grade")
    )
    # at 10M leads the samples are 10M rows: the parts are sorted as one without a
    # concatenated copy, and let go before the split
    mature = pl.concat(samples, rechunk=False).sort("scored_at", "lead_id")
    del samples
    grid = score_grid(
        mature.lazy().select("fit_points", "interest_points", pl.col("sql").alias("converted")),
        config,
    ).collect()
    out: dict[str, Any] = {"score_bins": score_bins, "grid": grid, "samples": mature.height}
    # only what the split and the calibration read; sorted by scored_at already, so the
    # split's sort is no second copy
    mature = mature.select(pl.col("scored_at").set_sorted(), "score", "sql", "source", "size_band")
    gap = timedelta(days=config.funnel.window_days)  # outcomes known when testing
    train, test = time_split(mature, test_share=test_share, gap=gap)
    # too few to fit the mapping on (a short history: no older lead's window closed before
    # the test leads begin): no calibration, as with too few mature leads at all
    if mature.height >= MIN_SAMPLES and train.height >= MIN_SAMPLES:
        mapping = ScoreMapping().fit(train["score"].to_numpy(), train["sql"].cast(pl.Int64))
        y = test["sql"].cast(pl.Int64).to_numpy()
        positives = int(y.sum())
        if unmeasured_reason({"n": len(y), "positives": positives}, target="sql") is not None:
            # a handful of SQLs (or of leads without one) judges no calibration either
            out["few_outcomes"] = {"n": len(y), "positives": positives}
            return out
        prob = mapping.predict(test["score"].to_numpy())
        out["metrics"] = calibration_metrics(y, prob)
        out["reliability"] = reliability_table(y, prob)
        out["segments"] = segment_calibration(
            test.select(
                "source", "size_band", pl.col("sql").cast(pl.Int64).alias("y")
            ).with_columns(pl.Series("probability", prob)),
            by=["source", "size_band"],
        )
        out["mapping"] = mapping.table(scores=list(range(0, 115, 5)))
        out["n_test"] = test.height
        out["split_at"] = test["scored_at"].min()
    return out


__all__ = [
    "SCORE_COLUMNS",
    "ScoreReasons",
    "model_evaluation",
    "rule_score_evaluation",
    "score_quality",
    "score_reasons",
    "score_report",
]
