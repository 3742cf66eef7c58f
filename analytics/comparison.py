"""A month's review in the SLA's history: the month before as judged then, what a new
version redefined, and goals that changed inside the quarter.

A month is judged by the SLA version in force on its first day, and so is the month
before it: the number that month's meeting saw. Every output compares with that value
(:func:`compared`): the review pack, the Monthly review page, the Overview and KPI pages,
``sla review``. Where the two versions define a metric differently (the settings it is
measured by, :data:`METRIC_SETTINGS`, differ: the first-touch line went from 24 h to
4 h), the two values measure different things: the change is not computed and not
tested, and says why (spec/coverage.md: missing data is never a verdict).

Goal pacing's longer periods add up each month's own goal (:func:`month_goals`,
:func:`analytics.goals.with_month_goals`): a quarter whose revenue goal changed from
1,000,000 to 100,000 in August has the goal 1,200,000, not three times the current one.

Pure functions over :class:`~analytics.review.Review` and
:class:`~analytics.config.SlaConfig` objects; the caller builds or reads the reviews.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

import polars as pl

from analytics.config import SlaConfig
from analytics.sla_history import ConfigChange, diff_configs
from analytics.sla_versions import config_in_force, same_version
from analytics.texts import LANGS, Lang, day, render
from analytics.timeframe import month_labels, month_window, quarter_start_month, shift_month

if TYPE_CHECKING:
    from analytics.review import Review

#: The settings each metric is measured by (flattened keys of
#: :func:`analytics.sla_history.flatten_config`, and what is under them): a version that
#: changes one of them measures the metric differently. A target is no such setting (it
#: changes the verdict, not the value), nor the reporting time zone (a month is a month).
METRIC_SETTINGS: dict[str, tuple[str, ...]] = {
    "handoff_compliance": (
        "handoff.first_touch_hours", "handoff.business_hours", "handoff.calendar",
        "handoff.lines",
    ),
    "median_hours_to_first_touch": (
        "handoff.business_hours", "handoff.calendar", "handoff.lines",
    ),
    "cadence_compliance": ("cadence.min_attempts", "cadence.window_days", "cadence.min_gap_hours"),
    "premature_recycles": ("recycle.after_attempts",),
    "stale_leads": ("recycle.after_attempts", "recycle.grace_days"),
    "recycled_enrolled_in_time": ("recycle.enroll_within_days",),
    "remql_rate": ("recycle.remql_window_days",),
    "mql_attainment": ("goals.mql_target_monthly",),
}  # fmt: skip


def _under(key: str, setting: str) -> bool:
    return key == setting or key.startswith((f"{setting}.", f"{setting}["))


def redefined_metrics(old: SlaConfig, new: SlaConfig) -> dict[str, list[ConfigChange]]:
    """The metrics ``new`` measures differently from ``old``, each with the changes of the
    settings it is measured by (:data:`METRIC_SETTINGS`).

    >>> from analytics.config import load_config
    >>> from analytics.sla_versions import with_settings
    >>> cfg = load_config("data/sla.toml")
    >>> faster = with_settings(cfg, {"handoff.first_touch_hours": 4})
    >>> {m: [c.text for c in cs] for m, cs in redefined_metrics(cfg, faster).items()}
    {'handoff_compliance': ['First touch within (hours) 24 -> 4']}
    >>> redefined_metrics(cfg, with_settings(cfg, {"kpis.at_risk_margin": 0.2}))
    {}
    """
    changes = diff_configs(old, new)
    found: dict[str, list[ConfigChange]] = {}
    for metric, settings in METRIC_SETTINGS.items():
        hits = [c for c in changes if any(_under(c.key, s) for s in settings)]
        if hits:
            found[metric] = hits
    return found


def same_agreement(a: SlaConfig, b: SlaConfig) -> bool:
    """Whether two versions agree on every setting (their label and date aside).

    >>> from analytics.config import load_config
    >>> from analytics.sla_versions import with_settings
    >>> cfg = load_config("data/sla.toml")
    >>> same_agreement(cfg, with_settings(cfg, {"sla.version": "x"}))
    True
    """
    if same_version(a, b):
        return True
    return not any(not c.key.startswith("sla.") for c in diff_configs(a, b))


def comparison(
    month: str,
    previous_config: SlaConfig,
    *,
    config: SlaConfig | None = None,
    compared: bool = True,
) -> dict[str, Any]:
    """What a review's ``previous`` and ``change`` compare with, JSON-ready (the review's
    :attr:`~analytics.review.Review.comparison`): the previous ``month`` as judged by
    ``previous_config``; with ``config`` (the version of the month reviewed), per metric
    that version redefined, why its change is not computed, in every language.

    Returns
    -------
    dict: ``month``, ``version``, ``content_hash``, ``compared`` (false: a running month is
    compared with nothing) and ``redefined`` (metric -> ``settings``, the keys that
    changed, and its reason in each language: ``en``, ``de``).

    Examples
    --------
    >>> from analytics.config import load_config
    >>> from analytics.sla_versions import with_settings
    >>> cfg = load_config("data/sla.toml")
    >>> new = with_settings(cfg, {"handoff.first_touch_hours": 4, "sla.version": "2026.3",
    ...                           "sla.effective_from": "2026-10-01"})
    >>> why = comparison("2026-09", cfg, config=new)["redefined"]["handoff_compliance"]
    >>> why["settings"], why["en"][:54]
    (['handoff.first_touch_hours'], 'not compared: the SLA measures it differently since 20')
    """
    redefined = {} if config is None else redefined_metrics(previous_config, config)
    since = None if config is None else config.sla.effective_from
    return {
        "month": month,
        "version": previous_config.sla.version,
        "content_hash": previous_config.content_hash,
        "compared": compared,
        "redefined": {
            metric: {
                "settings": [c.key for c in changes],
                **{lang: _reason(changes, since, lang) for lang in LANGS},
            }
            for metric, changes in redefined.items()
        },
    }


def _reason(changes: Sequence[ConfigChange], since: date | None, lang: Lang) -> str:
    return render(
        "comparison.redefined",
        lang=lang,
        day=day(since, lang),
        changes="; ".join(c.render(lang=lang) for c in changes),
    )


def with_previous(kpis: pl.DataFrame, previous: Mapping[str, Any] | None) -> pl.DataFrame:
    """The KPI table with ``previous`` (and ``change``) from another month's values.

    >>> k = pl.DataFrame({"metric": ["mqls"], "value": [5.0], "previous": [None],
    ...                   "change": [None]}, schema_overrides={"previous": pl.Float64,
    ...                                                        "change": pl.Float64})
    >>> with_previous(k, {"mqls": 3}).select("previous", "change").row(0)
    (3.0, 2.0)
    """
    values = [
        None if previous is None or previous.get(m) is None else float(previous[m])
        for m in kpis["metric"]
    ]
    return kpis.with_columns(
        pl.Series("previous", values, dtype=pl.Float64),
    ).with_columns((pl.col("value") - pl.col("previous")).alias("change"))


def without_changes(kpis: pl.DataFrame, metrics: Sequence[str]) -> pl.DataFrame:
    """The KPI table with no ``change`` for ``metrics`` (measured differently then and now)."""
    if not metrics:
        return kpis
    return kpis.with_columns(
        pl.when(pl.col("metric").is_in(list(metrics)))
        .then(None)
        .otherwise("change")
        .alias("change")
    )


def compared(
    review: Review, previous: Review | None, *, config: SlaConfig, previous_config: SlaConfig
) -> Review:
    """``review`` compared with the previous month as judged then: ``previous`` (that
    month's review by ``previous_config``, the version in force on its first day).

    The KPI table's ``previous`` is that month's value (none for a point-in-time count, a
    rate still maturing this month, a ratio that was no share:
    :func:`analytics.kpis.past_month_values`), its ``change`` the difference, except for
    a metric ``config`` measures differently (:func:`redefined_metrics`): no change, and
    :meth:`~analytics.review.Review.change_reason` says why. A running month is compared
    with nothing (as :func:`~analytics.review.build_review` leaves it). ``previous`` may be
    None when both versions agree: the review's own previous values are that month's.

    Returns
    -------
    Review, with ``kpis``, ``previous_kpi_values``, ``previous_volumes`` and
    ``comparison`` (:func:`comparison`) replaced.
    """
    from analytics.coverage import share_reasons
    from analytics.kpis import past_month_values

    label = shift_month(review.month, -1)
    if review.running or previous is None:
        # a running month is compared with nothing; else the review's own previous values
        # are the month's as judged by ``config``: by its version, when they agree
        judged_by = previous_config if same_agreement(previous_config, config) else config
        meta = comparison(label, judged_by, compared=not review.running)
        return dataclasses.replace(review, comparison=meta)
    meta = comparison(label, previous_config, config=config)
    before = past_month_values(
        previous.kpi_values,
        maturing=review.maturing(),
        no_share=share_reasons(previous.conversion),
    )
    kpis = without_changes(with_previous(review.kpis, before), list(meta["redefined"]))
    return dataclasses.replace(
        review,
        kpis=kpis,
        previous_kpi_values=before,
        previous_volumes=dict(previous.volumes),
        comparison=meta,
    )


def month_goals(
    versions: Sequence[SlaConfig],
    *,
    month: str,
    fallback: SlaConfig,
    segment: Mapping[str, Any] | None = None,
) -> dict[str, float]:
    """The monthly revenue goal of each month of ``month``'s quarter, from the version in
    force on that month's first day (a segment's own goal where it has one).

    >>> from analytics.config import load_config
    >>> from analytics.sla_versions import with_settings
    >>> v1 = load_config("data/sla.toml")
    >>> v2 = with_settings(v1, {"sla.effective_from": "2026-08-01",
    ...                         "goals.revenue_target_monthly": 100_000})
    >>> month_goals([v1, v2], month="2026-09", fallback=v2)
    {'2026-07': 1000000.0, '2026-08': 100000.0, '2026-09': 100000.0}
    """
    from analytics.goals import PERIOD_MONTHS, revenue_goal

    tz = fallback.reporting.timezone
    return {
        label: revenue_goal(
            config_in_force(
                versions, on=month_window(label, timezone=tz).first_day, fallback=fallback
            ),
            segment,
        )
        for label in month_labels(quarter_start_month(month), PERIOD_MONTHS["quarter"])
    }


def in_history(
    review: Review,
    *,
    config: SlaConfig,
    versions: Sequence[SlaConfig],
    fallback: SlaConfig,
    previous_of: Callable[[SlaConfig, str], Review] | None = None,
    previous: Review | None = None,
) -> Review:
    """A month's review as every output shows it: compared with the previous month as
    judged then (:func:`compared`), its quarter's goal the sum of its months' own goals
    (:func:`analytics.goals.with_month_goals`).

    Parameters
    ----------
    review : Review
        The month's review, judged by ``config``.
    config : SlaConfig
        The version in force on the month's first day.
    versions : sequence of SlaConfig
        The recorded versions (:func:`analytics.warehouse.config_history.stored_configs`).
    fallback : SlaConfig
        The config given now (:func:`analytics.sla_versions.config_in_force`).
    previous_of : callable, optional
        ``previous_of(config, month)``: the review of ``month`` judged by ``config``
        (stored or built); called only when the previous month's version is another
        agreement than ``config``.
    previous : Review, optional
        The previous month's review by its version, when the caller has it (the pack).

    Returns
    -------
    Review, with :attr:`~analytics.review.Review.comparison`'s ``quarter_goals`` (month ->
    the monthly revenue goal its quarter's pacing adds up); a review in its history already
    is paced as it is.
    """
    from analytics.goals import revenue_goal, with_month_goals

    tz = fallback.reporting.timezone
    label = shift_month(review.month, -1)
    previous_config = config_in_force(
        versions, on=month_window(label, timezone=tz).first_day, fallback=fallback
    )
    wanted = previous is None and previous_of is not None and not review.running
    if wanted and not same_agreement(previous_config, config):
        previous = previous_of(previous_config, label)  # type: ignore[misc]
    paced = review.comparison.get("quarter_goals") is not None  # in its history already
    out = compared(review, previous, config=config, previous_config=previous_config)
    goals = month_goals(versions, month=review.month, fallback=fallback, segment=review.segment)
    goals[review.month] = revenue_goal(config, review.segment)
    return dataclasses.replace(
        out,
        pacing=out.pacing if paced else with_month_goals(out.pacing, goals, month=review.month),
        comparison={**out.comparison, "quarter_goals": goals},
    )


__all__ = [
    "METRIC_SETTINGS",
    "compared",
    "comparison",
    "in_history",
    "month_goals",
    "redefined_metrics",
    "same_agreement",
    "with_previous",
    "without_changes",
]
