"""Every metric's definition in words (spec/metrics.md), with the config's numbers filled in.

The one place for this text: the app's Definitions page shows it, the review pack and
notebooks may reuse it. :func:`metric_definitions` fills in the values of the SLA config
in force (e.g. "within 24 hours"), so the words always match the numbers the metrics use;
:func:`config_settings` lists the config's settings in plain words. Both take
``lang="de"`` for German; the words live in :mod:`analytics.texts`.

>>> from analytics.config import load_config
>>> defs = metric_definitions(load_config("data/sla.toml"))
>>> [d.name for d in defs if d.key == "handoff_compliance"]
['Handoff compliance (speed to lead)']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from analytics.config import SlaConfig
from analytics.texts import Lang, Term, Text, check_lang, number, plain, render


@dataclass(frozen=True)
class Definition:
    """One metric: its section, key (as in the review and the KPIs), name and definition."""

    section: str
    key: str
    name: str
    text: str


#: (section, key) of every definition, in the order of spec/metrics.md; the words are
#: ``def.section.<section>``, ``def.name.<key>`` and ``def.text.<key>`` of analytics.texts.
DEFINITIONS: tuple[tuple[str, str], ...] = (
    ("time", "month"),
    ("time", "as_of"),
    ("volumes", "visitors"),
    ("volumes", "leads"),
    ("volumes", "mqls"),
    ("volumes", "deals_won"),
    ("conversion", "period_rates"),
    ("conversion", "cohort_rates"),
    ("conversion", "interval"),
    ("handoff", "mql_episode"),
    ("handoff", "handoff_compliance"),
    ("handoff", "median_hours_to_first_touch"),
    ("handoff", "mql_rejection_rate"),
    ("handoff", "assignment_split"),
    ("handoff", "warnings_effect"),
    ("management", "attempts_per_mql"),
    ("management", "cadence_compliance"),
    ("management", "never_contacted"),
    ("recycling", "premature_recycles"),
    ("recycling", "stale_leads"),
    ("recycling", "recycled_enrolled_in_time"),
    ("recycling", "remql_rate"),
    ("marketing", "mql_attainment"),
    ("marketing", "lead_quality"),
    ("goal", "reverse_funnel"),
    ("goal", "pacing"),
    ("scoring", "score"),
    ("scoring", "grades"),
    ("scoring", "calibration"),
    ("scoring", "workload_ratio"),
)


def _parameters(config: SlaConfig) -> dict[str, dict[str, Any]]:
    """The config's numbers each definition names, by definition key."""
    h, c, r, g, sc = config.handoff, config.cadence, config.recycle, config.goals, config.scoring
    clock = Text("def.clock.business" if h.business_hours else "def.clock.calendar")
    return {
        "month": {"tz": config.reporting.timezone},
        "cohort_rates": {"days": config.funnel.window_days},
        "handoff_compliance": {"hours": h.first_touch_hours, "clock": clock},
        "median_hours_to_first_touch": {"clock": clock},
        "never_contacted": {"hours": h.first_touch_hours, "clock": clock},
        "cadence_compliance": {
            "attempts": c.min_attempts,
            "days": c.window_days,
            "gap": c.min_gap_hours,
        },
        "premature_recycles": {"attempts": r.after_attempts},
        "stale_leads": {"attempts": r.after_attempts, "days": r.grace_days},
        "recycled_enrolled_in_time": {"days": r.enroll_within_days},
        "remql_rate": {"days": r.remql_window_days},
        "mql_attainment": {"target": g.mql_target_monthly},
        "reverse_funnel": {
            "target": g.revenue_target_monthly,
            "currency": config.reporting.currency,
            "months": g.rate_window_months,
        },
        "score": {
            "fit_cap": sc.fit_cap,
            "half_life": sc.decay_half_life_days,
            "interest_cap": sc.interest_cap,
            "threshold": sc.mql_threshold,
        },
        "grades": {"fit": sc.fit_grades, "interest": sc.interest_grades},
    }


def metric_definitions(config: SlaConfig, *, lang: Lang = "en") -> list[Definition]:
    """The definitions of every metric, with the numbers of ``config``.

    Parameters
    ----------
    config : SlaConfig
        The SLA config in force.
    lang : {"en", "de"}, default "en"
        The language of the section, name and text (numbers in its style too).

    Returns
    -------
    list of Definition, in the order of spec/metrics.md (time, volumes, rates, episodes,
    handoff, cadence, recycling, marketing's side, shared goal, scoring); ``key`` is the
    same in every language.

    Examples
    --------
    >>> from analytics.config import load_config
    >>> cfg = load_config("data/sla.toml")
    >>> d = {x.key: x for x in metric_definitions(cfg)}
    >>> "within 24 hours" in d["handoff_compliance"].text
    True
    >>> de = {x.key: x for x in metric_definitions(cfg, lang="de")}
    >>> de["reverse_funnel"].text[:50]
    'Aus dem Umsatzziel (1.000.000 EUR im Monat) und de'
    """
    check_lang(lang)
    params = _parameters(config)
    return [
        Definition(
            section=render(f"def.section.{section}", lang=lang),
            key=key,
            name=render(f"def.name.{key}", lang=lang),
            text=render(f"def.text.{key}", lang=lang, **params.get(key, {})),
        )
        for section, key in DEFINITIONS
    ]


def config_settings(config: SlaConfig, *, lang: Lang = "en") -> pl.DataFrame:
    """The SLA config's settings in plain words, for people rather than machines.

    Parameters
    ----------
    config : SlaConfig
    lang : {"en", "de"}, default "en"
        The language of the words; texts of the config in it where the config has them
        (``name_de``, ``description_de`` ...), else in English.

    Returns
    -------
    DataFrame, one row per setting: ``section``, ``setting``, ``value`` (text).

    Examples
    --------
    >>> from analytics.config import load_config
    >>> cfg = load_config("data/sla.toml")
    >>> s = config_settings(cfg)
    >>> s.filter(pl.col("setting") == "First touch within").row(0)
    ('Handoff: marketing -> sales', 'First touch within', '24 hours (calendar hours)')
    >>> config_settings(cfg, lang="de").row(7)
    ('Gemeinsame Ziele', 'Umsatzziel pro Monat', '1.000.000')
    """
    check_lang(lang)
    h, c, r, g, sc = config.handoff, config.cadence, config.recycle, config.goals, config.scoring
    cal = h.calendar

    def w(code: str, **params: Any) -> str:
        return render(code, lang=lang, **params)

    def terms(kind: str, values: list[str]) -> str:
        return ", ".join(Term(kind, v).render(lang=lang) for v in values)

    clock = Text("set.clock.business" if h.business_hours else "set.clock.calendar")
    holidays = (
        Text("set.holidays", {"country": cal.holidays_country}) if cal.holidays_country else ""
    )
    track = Text("set.track", {"track": config.track_name(r.track, lang)}) if r.track else ""
    rows: list[tuple[str, str, str]] = [
        ("sla", "name", config.sla.text("name", lang)),
        ("sla", "version", config.sla.version),
        ("sla", "effective_from", _day(config.sla.effective_from, lang)),
        ("sla", "owners", ", ".join(config.sla.text("owners", lang))),
        (
            "sla",
            "review_cadence",
            Term("cadence_word", config.sla.review_cadence).render(lang=lang),
        ),
        ("sla", "timezone", config.reporting.timezone),
        ("sla", "currency", config.reporting.currency),
        ("goals", "revenue_target", number(g.revenue_target_monthly, lang)),
        ("goals", "mql_target", plain(g.mql_target_monthly, lang)),
        ("goals", "rate_window", w("set.months", n=g.rate_window_months)),
        ("qualification", "mql_threshold", w("set.points", n=sc.mql_threshold)),
        (
            "qualification",
            "min_extra_sqls",
            w("set.per_extra_mql", share=sc.min_extra_sqls_per_extra_mql),
        ),
        ("qualification", "half_life", w("set.days", n=sc.decay_half_life_days)),
        ("qualification", "fit_cap", w("set.points", n=sc.fit_cap)),
        ("qualification", "interest_cap", w("set.points", n=sc.interest_cap)),
        ("handoff", "first_touch", w("set.hours", n=h.first_touch_hours, clock=clock)),
        ("handoff", "triggers", terms("trigger", h.triggers)),
        (
            "handoff",
            "calendar",
            w(
                "set.calendar_value",
                days=[Term("weekday", d) for d in cal.working_days],
                start=f"{cal.start:%H:%M}",
                end=f"{cal.end:%H:%M}",
                tz=cal.timezone,
                holidays=holidays,
            ),
        ),
        ("recycle", "recycle_after", w("set.unanswered", n=r.after_attempts)),
        ("recycle", "grace", w("set.days_of", n=r.grace_days)),
        ("recycle", "enroll_within", w("set.enroll_value", n=r.enroll_within_days, track=track)),
        ("recycle", "remql_window", w("set.days", n=r.remql_window_days)),
        ("management", "min_attempts", str(c.min_attempts)),
        ("management", "cadence_window", w("set.of_mql", n=c.window_days)),
        ("management", "min_gap", w("set.count_as_one", n=c.min_gap_hours)),
        ("management", "channels", terms("channel", c.channels)),
        ("funnel", "cohort_window", w("set.days", n=config.funnel.window_days)),
        ("kpis", "at_risk", w("set.of_target", share=config.kpis.at_risk_margin)),
    ]
    shown = [(w(f"set.section.{s}"), w(f"set.{k}"), v) for s, k, v in rows]
    for t in config.nurture.tracks:
        value = w(
            "set.track_value",
            stage=Term("buyer_stage", t.buyer_stage),
            who=Text("set.sales_may_trigger") if t.sales_can_trigger else "",
            description=t.text("description", lang),
        )
        shown.append((w("set.section.nurture"), t.text("name", lang), value))
    for line in h.lines:
        is_bh = h.business_hours if line.business_hours is None else line.business_hours
        when = [
            Term("trigger", v)
            if k == "trigger"
            else Text("set.line_condition", {"key": Term("line_key", k), "v": v})
            for k, v in line.conditions.items()
        ]
        value = w(
            "set.line_value",
            n=line.first_touch_hours,
            clock=Text("set.clock.business" if is_bh else "set.clock.calendar"),
            when=when,
        )
        shown.append((w("set.section.handoff"), line.text("name", lang), value))
    n = config.notify
    if n.recipients:
        shown.append(
            (w("set.section.notify"), w("set.notify_send"), terms("notify_kind", list(n.send)))
        )
        shown.append(
            (
                w("set.section.notify"),
                w("set.notify_recipients"),
                w(
                    "set.notify_recipients_value",
                    reps=sum(r.rep_id is not None for r in n.recipients),
                    leads=sum(r.team is not None for r in n.recipients),
                ),
            )
        )
    return pl.DataFrame(shown, schema=["section", "setting", "value"], orient="row")


def _day(value: Any, lang: Lang) -> str:
    """A date: ISO in English, ``01.01.2026`` in German."""
    return value.strftime("%d.%m.%Y") if lang == "de" else value.isoformat()


__all__ = ["DEFINITIONS", "Definition", "config_settings", "metric_definitions"]
