"""Every metric's definition in words (spec/metrics.md), with the config's numbers filled in.

The one place for this text: the app's Definitions page shows it, the review pack and
notebooks may reuse it. :func:`metric_definitions` fills in the values of the SLA config
in force (e.g. "within 24 hours"), so the words always match the numbers the metrics use;
:func:`config_settings` lists the config's settings in plain words.

>>> from analytics.config import load_config
>>> defs = metric_definitions(load_config("data/sla.toml"))
>>> [d.name for d in defs if d.key == "handoff_compliance"]
['Handoff compliance (speed to lead)']
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from analytics.config import SlaConfig


@dataclass(frozen=True)
class Definition:
    """One metric: its section, key (as in the review and the KPIs), name and definition."""

    section: str
    key: str
    name: str
    text: str


def _n(value: float) -> str:
    """A config number without a needless ``.0`` (24.0 -> 24, 0.5 -> 0.5)."""
    return f"{value:g}"


def metric_definitions(config: SlaConfig) -> list[Definition]:
    """The definitions of every metric, with the numbers of ``config``.

    Parameters
    ----------
    config : SlaConfig
        The SLA config in force.

    Returns
    -------
    list of Definition, in the order of spec/metrics.md (time, volumes, rates, episodes,
    handoff, cadence, recycling, marketing's side, shared goal, scoring).

    Examples
    --------
    >>> from analytics.config import load_config
    >>> d = {x.key: x for x in metric_definitions(load_config("data/sla.toml"))}
    >>> "within 24 hours" in d["handoff_compliance"].text
    True
    """
    h, c, r, g = config.handoff, config.cadence, config.recycle, config.goals
    tz = config.reporting.timezone
    hours = "business hours of the sales calendar" if h.business_hours else "calendar hours"
    sc = config.scoring
    rows = [
        (
            "Time",
            "month",
            "Month",
            f"A calendar month in the reporting time zone ({tz}). All timestamps are "
            "stored in UTC.",
        ),
        (
            "Time",
            "as_of",
            "As of",
            "The moment the numbers are computed for: by default the latest timestamp in "
            "any table of the warehouse. Anything after it is ignored.",
        ),
        ("Volumes", "visitors", "Visitors", "Sum of web-traffic visitors on the days of M."),
        ("Volumes", "leads", "Leads", "Leads created in month M."),
        (
            "Volumes",
            "mqls",
            "MQLs, SALs, SQLs, opportunities, customers, recycled, disqualified",
            "Distinct leads with at least one lifecycle event of that stage in M.",
        ),
        (
            "Volumes",
            "deals_won",
            "Deals won, won revenue",
            "Opportunities with status won and closed in M; won revenue is their amount.",
        ),
        (
            "Conversion",
            "period_rates",
            "Period conversion rates",
            "Ratio of two volumes of the same month: visitor -> lead = leads / visitors, "
            "lead -> MQL = MQLs / leads, MQL -> SQL = SQLs / MQLs, SQL -> opportunity = "
            "opportunities / SQLs, opportunity -> won = deals won / opportunities. A zero "
            "denominator gives no rate (never 0).",
        ),
        (
            "Conversion",
            "cohort_rates",
            "Cohort conversion rates",
            "Of the leads that entered stage A in M, the share that entered stage B within "
            f"{config.funnel.window_days} days of entering A. A cohort whose window has not "
            "closed by as of is flagged immature.",
        ),
        (
            "Conversion",
            "interval",
            "Counts and intervals",
            "Every rate is shown with its count (41 / 120) and a 95 % Wilson interval.",
        ),
        (
            "Handoff",
            "mql_episode",
            "MQL episode",
            "Starts when a lead enters MQL while it has no open episode; ends at its next "
            "SQL, recycled or disqualified event. A second MQL event inside an open episode "
            "starts nothing. The episodes of M are those that start in M.",
        ),
        (
            "Handoff",
            "handoff_compliance",
            "Handoff compliance (speed to lead)",
            f"Per MQL episode: met if the first sales touch came within {_n(h.first_touch_hours)}"
            f" hours ({hours}) of the MQL; missed if later, or if there is no touch and the "
            "deadline has passed at as of; pending otherwise. Compliance = met / (met + missed).",
        ),
        (
            "Handoff",
            "median_hours_to_first_touch",
            "Median hours to first touch",
            f"Median of the hours ({hours}) from MQL to the first sales touch, over the "
            "episodes of M that have a touch.",
        ),
        (
            "Handoff",
            "mql_rejection_rate",
            "MQLs rejected by sales",
            "Share of the MQL episodes of M that ended disqualified or recycled without "
            "being accepted (no SAL).",
        ),
        (
            "Lead management",
            "attempts_per_mql",
            "Attempts per MQL",
            "Mean number of sales touches inside the MQL episodes of M (from the MQL to the "
            "end of the episode or as of).",
        ),
        (
            "Lead management",
            "cadence_compliance",
            "Cadence held",
            "The cadence holds for an episode when the lead was reached (connected, replied or"
            f" meeting booked), or when at least {c.min_attempts} attempts were made within "
            f"{_n(c.window_days)} days of the MQL, attempts less than {_n(c.min_gap_hours)} "
            "hours apart counting as one. An episode is judged once its window has closed or "
            "it has ended; compliance = held / judged.",
        ),
        (
            "Recycling",
            "premature_recycles",
            "Premature recycles",
            "Recycled events that end an episode in which the lead was not reached and fewer "
            f"than {r.after_attempts} attempts were made.",
        ),
        (
            "Recycling",
            "stale_leads",
            "Stale leads",
            f"Leads whose open episode has at least {r.after_attempts} unanswered attempts, "
            f"the last one more than {_n(r.grace_days)} days ago, neither recycled, "
            "disqualified nor advanced. Counted at as of.",
        ),
        (
            "Recycling",
            "recycled_enrolled_in_time",
            "Recycled leads enrolled in time",
            f"Share of recycled leads enrolled in a nurture track within "
            f"{_n(r.enroll_within_days)} days of being recycled.",
        ),
        (
            "Recycling",
            "remql_rate",
            "Re-MQL rate",
            "Share of the leads recycled in M that become MQL again within "
            f"{r.remql_window_days} days.",
        ),
        (
            "Marketing",
            "mql_attainment",
            "MQL attainment",
            f"MQLs of M / the monthly MQL target ({_n(g.mql_target_monthly)}).",
        ),
        (
            "Marketing",
            "lead_quality",
            "Lead quality",
            "MQL -> SQL of the month, and the share of MQLs that sales rejected.",
        ),
        (
            "Shared goal",
            "reverse_funnel",
            "Reverse funnel",
            f"From the revenue target ({_n(g.revenue_target_monthly)} "
            f"{config.reporting.currency} a month) and the rates of the trailing "
            f"{g.rate_window_months} months: deals = target / average won deal size, "
            "opportunities = deals / opportunity -> won, SQLs = opportunities / SQL -> "
            "opportunity, MQLs = SQLs / MQL -> SQL, leads = MQLs / lead -> MQL, visitors = "
            "leads / visitor -> lead.",
        ),
        (
            "Shared goal",
            "pacing",
            "Pacing",
            "Actual volume to date against the linear share of each target (the share of "
            "the month or quarter that has passed at as of).",
        ),
        (
            "Scoring",
            "score",
            "Lead score",
            f"Fit points (industry, size band, country, seniority, role; capped at "
            f"{_n(sc.fit_cap)}) + interest points (activities, each halved every "
            f"{_n(sc.decay_half_life_days)} days, capped at {_n(sc.interest_cap)}). A lead "
            f"becomes an MQL when its score reaches {_n(sc.mql_threshold)}.",
        ),
        (
            "Scoring",
            "grades",
            "Fit and interest grades",
            f"Fit A/B/C/D at {', '.join(_n(v) for v in sc.fit_grades)} points; interest "
            f"1/2/3/4 at {', '.join(_n(v) for v in sc.interest_grades)} points.",
        ),
        (
            "Scoring",
            "calibration",
            "Calibration (Brier score, ECE)",
            "How well a score's predicted chance of becoming an SQL matches what happened: "
            "the Brier score is the mean squared error of the predicted probability; the "
            "expected calibration error (ECE) is the count-weighted mean gap between "
            "predicted and observed rates over the bins of the reliability curve.",
        ),
        (
            "Scoring",
            "workload_ratio",
            "Workload ratio",
            "MQLs per week at a threshold / the weekly capacity of the active sales reps.",
        ),
    ]
    return [Definition(*row) for row in rows]


def config_settings(config: SlaConfig) -> pl.DataFrame:
    """The SLA config's settings in plain words, for people rather than machines.

    Returns
    -------
    DataFrame, one row per setting: ``section``, ``setting``, ``value`` (text).

    Examples
    --------
    >>> from analytics.config import load_config
    >>> s = config_settings(load_config("data/sla.toml"))
    >>> s.filter(pl.col("setting") == "First touch within").row(0)
    ('Handoff: marketing -> sales', 'First touch within', '24 hours (calendar hours)')
    """
    h, c, r, g, sc = config.handoff, config.cadence, config.recycle, config.goals, config.scoring
    cal = h.calendar
    rows: list[tuple[str, str, str]] = [
        ("SLA", "Name", config.sla.name),
        ("SLA", "Version", config.sla.version),
        ("SLA", "In force since", config.sla.effective_from.isoformat()),
        ("SLA", "Owners", ", ".join(config.sla.owners)),
        ("SLA", "Reviewed", config.sla.review_cadence),
        ("SLA", "Reporting time zone", config.reporting.timezone),
        ("SLA", "Currency", config.reporting.currency),
        ("Shared goals", "Revenue target per month", f"{g.revenue_target_monthly:,.0f}"),
        ("Shared goals", "MQL target per month", _n(g.mql_target_monthly)),
        ("Shared goals", "Rates from the trailing", f"{g.rate_window_months} months"),
        ("Lead qualification", "MQL threshold", f"{_n(sc.mql_threshold)} points"),
        ("Lead qualification", "Interest half-life", f"{_n(sc.decay_half_life_days)} days"),
        ("Lead qualification", "Fit cap", f"{_n(sc.fit_cap)} points"),
        ("Lead qualification", "Interest cap", f"{_n(sc.interest_cap)} points"),
        (
            "Handoff: marketing -> sales",
            "First touch within",
            f"{_n(h.first_touch_hours)} hours "
            + ("(business hours)" if h.business_hours else "(calendar hours)"),
        ),
        ("Handoff: marketing -> sales", "Handoff triggers", ", ".join(h.triggers)),
        (
            "Handoff: marketing -> sales",
            "Sales calendar",
            f"{', '.join(cal.working_days)} {cal.start:%H:%M}-{cal.end:%H:%M} {cal.timezone}"
            + (f", holidays of {cal.holidays_country}" if cal.holidays_country else ""),
        ),
        ("Handoff: sales -> marketing", "Recycle after", f"{r.after_attempts} unanswered attempts"),
        ("Handoff: sales -> marketing", "... and a grace of", f"{_n(r.grace_days)} days"),
        (
            "Handoff: sales -> marketing",
            "Enrol recycled leads within",
            f"{_n(r.enroll_within_days)} days" + (f" (track {r.track})" if r.track else ""),
        ),
        ("Handoff: sales -> marketing", "Re-MQL window", f"{r.remql_window_days} days"),
        ("Lead management", "Minimum attempts", str(c.min_attempts)),
        ("Lead management", "... within", f"{_n(c.window_days)} days of the MQL"),
        ("Lead management", "Attempts closer than", f"{_n(c.min_gap_hours)} hours count as one"),
        ("Lead management", "Channels", ", ".join(c.channels)),
        ("Funnel", "Cohort window", f"{config.funnel.window_days} days"),
        ("KPIs", "At risk within", f"{config.kpis.at_risk_margin:.0%} of the target"),
    ]
    for track in config.nurture.tracks:
        who = " (sales may trigger)" if track.sales_can_trigger else ""
        rows.append(
            ("Lead nurturing", track.name, f"{track.buyer_stage}{who}: {track.description}")
        )
    return pl.DataFrame(rows, schema=["section", "setting", "value"], orient="row")


__all__ = ["Definition", "config_settings", "metric_definitions"]
