"""The library's words in English and German: one table, rendered with parameters.

Text the library writes (metric names and definitions, the settings in words, the review's
action items, breach details, the words of its vocabularies) has a stable code here and
its parameters (numbers, names) apart from the words, so any consumer can render it in
either language: ``render(code, lang=..., **params)``. The app, the review pack and the
CLI all read this one table; the app's own labels live in ``dashboard/i18n.py``, the
texts a user writes in the SLA config in ``data/sla.toml`` (``label`` and ``label_de``).

A placeholder may name a format for its number, in the language's style:

- ``{x:n}`` a whole number (``1,234`` / ``1.234``); ``{x:n1}`` with one decimal;
- ``{x:g}`` a config number without a needless ``.0`` (``24``, ``0.5`` / ``0,5``);
- ``{x:pct}`` a share in whole percent (``23 %``); ``{x:pct1}`` with one decimal;
- ``{x:p}`` a p-value (``p = 0.0285`` / ``p = 0,0285``, ``p < 0.001``);
- ``{x:list}`` a list, each item rendered, joined with commas; ``{x:items}`` with
  semicolons (items that hold commas or colons themselves).

A parameter with a ``render(lang=...)`` method (a :class:`Text`, a :class:`Localized`
config text, a :class:`Term`) is rendered in the same language.

>>> render("action.handoff", lang="de", share=0.25, concentration=NOTHING)
'Reaktionszeit verfehlt bei 25 % der MQLs: Routing und Abdeckung prüfen'
>>> Text("evidence.counts", {"x": 1234, "n": 2000}).render(lang="de")
'1.234 von 2.000'
"""

from __future__ import annotations

import math
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

Lang = Literal["en", "de"]
LANGS: tuple[Lang, ...] = ("en", "de")


def check_lang(lang: str) -> Lang:
    """``lang`` if it is a language of the table, else a ValueError naming the allowed ones.

    >>> check_lang("fr")
    Traceback (most recent call last):
    ...
    ValueError: unknown language 'fr'; allowed: en, de
    """
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; allowed: {', '.join(LANGS)}")
    return lang  # type: ignore[return-value]


# -- numbers in the language's style ----------------------------------------------------------


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and not math.isfinite(value))


def localize(text: str, lang: str) -> str:
    """English separators (``1,234.5``) to German ones (``1.234,5``) when ``lang`` is de.

    >>> localize("+1,234.5 h", "de"), localize("+1,234.5 h", "en")
    ('+1.234,5 h', '+1,234.5 h')
    """
    if lang == "de":
        return text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def number(value: float | None, lang: Lang = "en", *, digits: int = 0) -> str:
    """A number with thousands separators: ``1,234.5`` (en) or ``1.234,5`` (de); '–' if None.

    >>> number(1234.5, "en", digits=1), number(1234.5, "de", digits=1), number(None)
    ('1,234.5', '1.234,5', '–')
    """
    if _missing(value):
        return "–"
    return localize(f"{value:,.{digits}f}", lang)


def percent(value: float | None, lang: Lang = "en", *, digits: int = 1) -> str:
    """A share as percent: ``34.2 %`` (en) / ``34,2 %`` (de); '–' if None.

    >>> percent(0.342, "de"), percent(0.25, "en", digits=0)
    ('34,2 %', '25 %')
    """
    if _missing(value):
        return "–"
    return f"{number(value * 100, lang, digits=digits)} %"


def plain(value: float | None, lang: Lang = "en") -> str:
    """A config number as written: no needless ``.0``, thousands separated (``1,000,000``).

    >>> plain(24.0), plain(0.5, "de"), plain(1_000_000.0, "de"), plain(7)
    ('24', '0,5', '1.000.000', '7')
    """
    if _missing(value):
        return "–"
    text = f"{value:,.6f}".rstrip("0").rstrip(".")
    return localize(text, lang)


def p_value(p: float | None, lang: Lang = "en") -> str:
    """A p-value with three significant digits: ``p = 0.0285``, ``p < 0.001``; '–' if None.

    >>> p_value(0.02846), p_value(0.02846, "de"), p_value(0.00002, "de"), p_value(0.5)
    ('p = 0.0285', 'p = 0,0285', 'p < 0,001', 'p = 0.5')
    """
    if p is None:
        return render("no_data", lang=lang)
    text = "p < 0.001" if p < 0.001 else f"p = {p:.3g}"
    return localize(text, lang)


def day(value: date | datetime | None, lang: Lang = "en") -> str:
    """A date: ``2026-10-05`` (en, ISO) or ``05.10.2026`` (de); '–' if None.

    >>> day(date(2026, 10, 5)), day(datetime(2026, 10, 5, 9, 12), "de"), day(None)
    ('2026-10-05', '05.10.2026', '–')
    """
    if value is None:
        return "–"
    if isinstance(value, datetime):
        value = value.date()
    return value.strftime("%d.%m.%Y") if lang == "de" else value.isoformat()


def moment(value: datetime | None, lang: Lang = "en") -> str:
    """A UTC moment to the minute: ``2026-10-05 09:12 UTC`` / ``05.10.2026 09:12 UTC``.

    >>> moment(datetime(2026, 10, 5, 9, 12), "de")
    '05.10.2026 09:12 UTC'
    """
    if value is None:
        return "–"
    return f"{day(value, lang)} {value:%H:%M} UTC"


# -- texts with parameters --------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    """A library text: a stable ``code`` of :data:`TEXTS` and its parameters.

    >>> Text("action.kpi_missed", {"kpi": "Cadence held"}).render(lang="en")
    'Cadence held missed its target: agree on a cause and an owner'
    """

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, *, lang: Lang = "en") -> str:
        return render(self.code, lang=lang, **self.params)

    def __str__(self) -> str:
        return self.render()


#: The empty text (an optional clause that does not apply).
NOTHING = Text("")


@dataclass(frozen=True)
class Localized:
    """A text the user wrote in the SLA config: English, and German when given.

    >>> Localized("Cadence held", "Kadenz eingehalten").render(lang="de")
    'Kadenz eingehalten'
    >>> Localized("Cadence held").render(lang="de")
    'Cadence held'
    """

    en: str
    de: str | None = None

    def render(self, *, lang: Lang = "en") -> str:
        return self.de if lang == "de" and self.de else self.en

    def __str__(self) -> str:
        return self.en


@dataclass(frozen=True)
class Term:
    """A value of one of the library's vocabularies (a channel, a reason, a metric ...).

    >>> Term("channel", "phone").render(lang="de"), Term("reason", "brand_new").render()
    ('Telefon', 'brand new')
    """

    kind: str
    code: str | None

    def render(self, *, lang: Lang = "en") -> str:
        return term(self.kind, self.code, lang=lang)

    def __str__(self) -> str:
        return self.render()


class _Formatter(string.Formatter):
    def __init__(self, lang: Lang) -> None:
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> str:
        lang = self.lang
        if hasattr(value, "render"):
            return value.render(lang=lang)
        if format_spec in ("list", "items"):
            return ("; " if format_spec == "items" else ", ").join(
                self.format_field(v, "") for v in value
            )
        if format_spec in ("n", "n1"):
            return number(value, lang, digits=1 if format_spec == "n1" else 0)
        if format_spec in ("pct", "pct1"):
            return percent(value, lang, digits=1 if format_spec == "pct1" else 0)
        if format_spec == "p":
            return p_value(value, lang)
        if format_spec == "g" or (
            not format_spec and isinstance(value, int | float) and not isinstance(value, bool)
        ):
            return plain(value, lang)
        if value is None:
            return "–"
        return format(value, format_spec)


def render(code: str, *, lang: Lang = "en", **params: Any) -> str:
    """The text ``code`` of :data:`TEXTS` in ``lang``, its placeholders filled from ``params``.

    Raises
    ------
    KeyError
        For a code that is not in the table (the message names it).
    ValueError
        For an unknown language.

    >>> render("def.name.cadence_compliance", lang="de")
    'Kadenz eingehalten'
    """
    check_lang(lang)
    if not code:
        return ""
    try:
        en, de = TEXTS[code]
    except KeyError:
        raise KeyError(f"no text {code!r} in analytics/texts.py") from None
    return _Formatter(lang).format(de if lang == "de" else en, **params)


def as_sentence(clause: str) -> str:
    """A clause said on its own: a capital first, one full stop last (a reason that
    follows another, a note under a table).

    >>> as_sentence("outcomes are known only until 2025-08-31"), as_sentence("Done.")
    ('Outcomes are known only until 2025-08-31.', 'Done.')
    """
    clause = clause.rstrip(".")
    return f"{clause[:1].upper()}{clause[1:]}."


def term(kind: str, code: str | None, *, lang: Lang = "en") -> str:
    """A vocabulary value in words (``channel``, ``reason``, ``metric`` ...).

    A value the table does not know (a reason code of the user's CRM) is shown as it is,
    underscores as spaces; None is "no reason given" for reasons.

    >>> term("reason", "no_budget", lang="de"), term("reason", None), term("metric", "mqls")
    ('kein Budget', 'no reason given', 'MQLs')
    """
    if code is None:
        return render(f"{kind}.none", lang=lang) if f"{kind}.none" in TEXTS else "–"
    key = f"{kind}.{code}"
    if key in TEXTS:
        return render(key, lang=lang)
    return code.replace("_", " ")


def metric_label(metric: str, *, lang: Lang = "en") -> str:
    """The short name of a review metric (``mql_to_sql`` -> ``MQL -> SQL``).

    >>> metric_label("handoff_compliance", lang="de"), metric_label("new_metric")
    ('Einhaltung Reaktionszeit', 'New metric')
    """
    key = f"metric.{metric}"
    if key in TEXTS:
        return render(key, lang=lang)
    return metric.replace("_", " ").capitalize()


def codes(prefix: str) -> list[str]:
    """The codes of the table under ``prefix`` (without it), in the table's order.

    >>> codes("breach.title.")[:2]
    ['handoff', 'cadence']
    """
    return [k.removeprefix(prefix) for k in TEXTS if k.startswith(prefix)]


# -- the table: code -> (English, German) -------------------------------------------------------

TEXTS: dict[str, tuple[str, str]] = {
    # -- settings of the SLA config, as the history and its diff name them --
    "setting.sla.name": ("SLA name", "Name des SLA"),
    "setting.sla.version": ("SLA version", "SLA-Version"),
    "setting.sla.effective_from": ("Effective from", "Gültig ab"),
    "setting.sla.owners": ("Owners", "Verantwortliche"),
    "setting.sla.review_cadence": ("Review cadence", "Besprechungsrhythmus"),
    "setting.reporting.timezone": ("Reporting time zone", "Zeitzone der Berichte"),
    "setting.reporting.currency": ("Reporting currency", "Berichtswährung"),
    "setting.funnel.window_days": ("Cohort window (days)", "Kohortenfenster (Tage)"),
    "setting.scoring.mql_threshold": ("MQL threshold", "MQL-Schwelle"),
    "setting.scoring.min_extra_sqls_per_extra_mql": (
        "Minimum extra SQLs per extra MQL",
        "Mindestens zusätzliche SQLs je zusätzlichem MQL",
    ),
    "setting.scoring.decay_half_life_days": (
        "Interest half-life (days)",
        "Halbwertszeit des Interesses (Tage)",
    ),
    "setting.scoring.fit_cap": ("Fit points cap", "Obergrenze Fit-Punkte"),
    "setting.scoring.interest_cap": ("Interest points cap", "Obergrenze Interessenpunkte"),
    "setting.scoring.fit_grades": ("Fit grade cut-offs", "Grenzen der Fit-Klassen"),
    "setting.scoring.interest_grades": ("Interest grade cut-offs", "Grenzen der Interesse-Klassen"),
    "setting.segments.size_bands": ("Company size bands", "Größenklassen der Firmen"),
    "setting.handoff.first_touch_hours": (
        "First touch within (hours)",
        "Erstkontakt innerhalb von (Stunden)",
    ),
    "setting.handoff.business_hours": (
        "Count business hours only",
        "Nur Geschäftszeiten zählen",
    ),
    "setting.handoff.triggers": ("Handoff triggers", "Auslöser der Übergabe"),
    "setting.handoff.calendar.timezone": (
        "Business calendar time zone",
        "Zeitzone des Geschäftskalenders",
    ),
    "setting.handoff.calendar.working_days": ("Working days", "Arbeitstage"),
    "setting.handoff.calendar.start": ("Working day starts", "Arbeitstag beginnt"),
    "setting.handoff.calendar.end": ("Working day ends", "Arbeitstag endet"),
    "setting.handoff.calendar.holidays_country": ("Public holidays of", "Feiertage von"),
    "setting.handoff.calendar.extra_holidays": ("Extra closed days", "Weitere Schließtage"),
    "setting.recycle.after_attempts": (
        "Recycle after unanswered attempts",
        "Recyceln nach unbeantworteten Versuchen",
    ),
    "setting.recycle.grace_days": (
        "Recycle grace period (days)",
        "Karenzzeit vor dem Recyceln (Tage)",
    ),
    "setting.recycle.enroll_within_days": (
        "Nurture enrolment after recycling within (days)",
        "Nurturing nach dem Recyceln innerhalb von (Tagen)",
    ),
    "setting.recycle.remql_window_days": ("Re-MQL window (days)", "Re-MQL-Fenster (Tage)"),
    "setting.recycle.track": (
        "Nurture track for recycled leads",
        "Nurturing-Strecke für recycelte Leads",
    ),
    "setting.cadence.min_attempts": ("Minimum attempts", "Mindestzahl Versuche"),
    "setting.cadence.window_days": ("Cadence window (days)", "Kadenzfenster (Tage)"),
    "setting.cadence.min_gap_hours": (
        "Minimum gap between attempts (hours)",
        "Mindestabstand zwischen Versuchen (Stunden)",
    ),
    "setting.cadence.channels": ("Cadence channels", "Kanäle der Kadenz"),
    "setting.goals.revenue_target_monthly": ("Monthly revenue target", "Monatliches Umsatzziel"),
    "setting.goals.mql_target_monthly": (
        "MQLs a month (SLA commitment)",
        "MQLs im Monat (SLA-Zusage)",
    ),
    "setting.goals.rate_window_months": (
        "Reverse-funnel rate window (months)",
        "Zeitraum der Quoten im Reverse Funnel (Monate)",
    ),
    "setting.kpis.at_risk_margin": ("KPI at-risk margin", "KPI-Gefährdungsmarge"),
    # families of settings: the parts of the key are {a}, {b}, {c}
    "setting_family.stage": ("Stage {a}: {b}", "Stufe {a}: {b}"),
    "setting_family.fit_value": ("Fit points for {a} {b}", "Fit-Punkte für {a} {b}"),
    "setting_family.fit": ("Fit points for {a}", "Fit-Punkte für {a}"),
    "setting_family.interest_points": ("Interest points for {a}", "Interessenpunkte für {a}"),
    "setting_family.interest_cap": (
        "Interest points cap for {a}",
        "Obergrenze der Interessenpunkte für {a}",
    ),
    "setting_family.size_band": ("Size band {a}: {b}", "Größenklasse {a}: {b}"),
    "setting_family.track_field": ("Nurture track {a}: {b}", "Nurturing-Strecke {a}: {b}"),
    "setting_family.track": ("Nurture track {a}", "Nurturing-Strecke {a}"),
    "setting_family.kpi_field": ("{b}: {c}", "{b}: {c}"),
    "setting_family.kpi": ("{a} KPI {b}", "KPI {b} ({a})"),
    "setting_family.line_field": ("First-touch line {a}: {b}", "Erstkontakt-Frist {a}: {b}"),
    "setting_family.line": ("First-touch line {a}", "Erstkontakt-Frist {a}"),
    # the fields of a list item (a KPI, a first-touch line), as its label names them
    "setting_field.target": ("target", "Ziel"),
    "setting_field.direction": ("direction", "Richtung"),
    "setting_field.label": ("label", "Bezeichnung"),
    "setting_field.first_touch_hours": ("within (hours)", "innerhalb von (Stunden)"),
    "setting_field.business_hours": ("business hours only", "nur Geschäftszeiten"),
    "setting_field.trigger": ("trigger", "Auslöser"),
    "setting_field.source": ("source", "Quelle"),
    "setting_field.country": ("country", "Land"),
    "setting_field.team": ("team", "Team"),
    "setting_field.size_band": ("company size", "Firmengröße"),
    "setting_direction.at_least": ("at least", "mindestens"),
    "setting_direction.at_most": ("at most", "höchstens"),
    # a list item one version has and the other has not
    "setting_item.line_added": (
        "New first-touch line {name} for {conditions}: first touch within {within}",
        "Neue Erstkontakt-Frist {name} für {conditions}: Erstkontakt innerhalb von {within}",
    ),
    "setting_item.line_removed": (
        "First-touch line {name} removed (was: {conditions}, first touch within {within})",
        "Erstkontakt-Frist {name} entfällt (bisher: {conditions}, Erstkontakt innerhalb von "
        "{within})",
    ),
    "setting_item.kpi_added": (
        "New {team} KPI {name}: {rule}",
        "Neuer KPI {name} ({team}): {rule}",
    ),
    "setting_item.kpi_removed": (
        "KPI {name} ({team}) removed (was: {rule})",
        "KPI {name} ({team}) entfällt (bisher: {rule})",
    ),
    "setting_item.added": ("{name} added", "{name} hinzugefügt"),
    "setting_item.removed": ("{name} removed", "{name} entfernt"),
    "setting_line.business": ("{hours:g} business hours", "{hours:g} Arbeitsstunden"),
    "setting_line.business_one": ("{hours:g} business hour", "{hours:g} Arbeitsstunde"),
    "setting_line.calendar": ("{hours:g} h", "{hours:g} h"),
    "setting_line.calendar_one": ("{hours:g} h", "{hours:g} h"),
    "setting_family.enum": ("Further values of {a}", "Weitere Werte von {a}"),
    "setting_value.not_set": ("(not set)", "(nicht gesetzt)"),
    "setting_value.none": ("(none)", "(keine)"),
    "setting_value.yes": ("yes", "ja"),
    "setting_value.no": ("no", "nein"),
    "setting_team.marketing": ("marketing", "Marketing"),
    "setting_team.sales": ("sales", "Vertrieb"),
    "sla_change.line": ("{change} from {day}", "{change} ab {day}"),
    # -- months cut in two time zones (analytics.timeframe.MonthZones) --
    "zone.boundary": (
        "Time zone change: {previous} ends and {month} starts at midnight in {after} ({at}); "
        "the {hours} hours between {first} and {second} count in {holder}.",
        "Zeitzonenwechsel: {previous} endet und {month} beginnt um Mitternacht in {after} "
        "({at}); die {hours} Stunden zwischen {first} und {second} zählen zu {holder}.",
    ),
    "zone.midnight": ("midnight in {zone} ({at})", "Mitternacht in {zone} ({at})"),
    # -- metrics of the review (short labels) --
    "metric.visitors": ("Visitors", "Besucher"),
    "metric.leads": ("Leads", "Leads"),
    "metric.mqls": ("MQLs", "MQLs"),
    "metric.sals": ("SALs", "SALs"),
    "metric.sqls": ("SQLs", "SQLs"),
    "metric.opportunities": ("Opportunities", "Opportunities"),
    "metric.customers": ("Customers", "Kunden"),
    "metric.recycled": ("Recycled", "Recycelt"),
    "metric.disqualified": ("Disqualified", "Disqualifiziert"),
    "metric.deals_won": ("Deals won", "Gewonnene Deals"),
    "metric.won_revenue": ("Won revenue", "Gewonnener Umsatz"),
    "metric.visitor_to_lead": ("Visitor -> lead", "Besucher -> Lead"),
    "metric.lead_to_mql": ("Lead -> MQL", "Lead -> MQL"),
    "metric.mql_to_sql": ("MQL -> SQL", "MQL -> SQL"),
    "metric.sql_to_opportunity": ("SQL -> opportunity", "SQL -> Opportunity"),
    "metric.opportunity_to_won": ("Opportunity -> won", "Opportunity -> gewonnen"),
    "metric.mql_attainment": ("MQL attainment", "MQL-Zielerreichung"),
    "metric.mql_rejection_rate": ("MQLs rejected by sales", "Vom Vertrieb abgelehnte MQLs"),
    "metric.handoff_compliance": ("Speed-to-lead compliance", "Einhaltung Reaktionszeit"),
    "metric.median_hours_to_first_touch": (
        "Median hours to first touch",
        "Median der Stunden bis zum Erstkontakt",
    ),
    "metric.cadence_compliance": ("Cadence compliance", "Einhaltung Kadenz"),
    "metric.attempts_per_mql": ("Attempts per MQL", "Versuche pro MQL"),
    "metric.premature_recycles": ("Premature recycles", "Vorzeitig recycelt"),
    "metric.stale_leads": ("Stale leads", "Liegengebliebene Leads"),
    "metric.recycled_enrolled_in_time": (
        "Recycled leads enrolled in time",
        "Recycelte Leads rechtzeitig im Nurturing",
    ),
    "metric.remql_rate": ("Re-MQL rate", "Re-MQL-Quote"),
    "metric.avg_deal_size": ("Average won deal size", "Durchschnittlicher Auftragswert"),
    # -- kinds of tested change --
    "change_kind.rate": ("rate", "Quote"),
    "change_kind.count": ("count per day", "Anzahl pro Tag"),
    # -- vocabularies --
    "channel.phone": ("phone", "Telefon"),
    "channel.email": ("email", "E-Mail"),
    "channel.video": ("video", "Video"),
    "channel.social": ("social", "Social Media"),
    "buyer_stage.awareness": ("awareness", "Problembewusstsein"),
    "buyer_stage.consideration": ("consideration", "Lösungssuche"),
    "buyer_stage.decision": ("decision", "Entscheidung"),
    "stage.lead": ("lead", "Lead"),
    "stage.mql": ("MQL", "MQL"),
    "stage.sal": ("SAL", "SAL"),
    "stage.sql": ("SQL", "SQL"),
    "stage.opportunity": ("opportunity", "Opportunity"),
    "stage.customer": ("customer", "Kunde"),
    "stage.recycled": ("recycled", "recycelt"),
    "stage.disqualified": ("disqualified", "disqualifiziert"),
    "reason.none": ("no reason given", "kein Grund angegeben"),
    "reason.no_response": ("no response", "keine Reaktion"),
    "reason.not_ready": ("not ready", "noch nicht bereit"),
    "reason.no_budget": ("no budget", "kein Budget"),
    "reason.competitor": ("competitor", "Wettbewerber"),
    "reason.student": ("student", "Student"),
    "reason.wrong_company": ("wrong company", "falsches Unternehmen"),
    "reason.no_need": ("no need", "kein Bedarf"),
    "reason.no_project": ("no project", "kein Projekt"),
    "trigger.score_threshold": ("score reaches the threshold", "Score erreicht die Schwelle"),
    "trigger.demo_request": ("demo request", "Demo-Anfrage"),
    "trigger.contact_request": ("contact request", "Kontaktanfrage"),
    "trigger.form_submit": ("form submitted", "Formular gesendet"),
    "trigger.event_attended": ("event attended", "Event besucht"),
    "weekday.mon": ("mon", "Mo"),
    "weekday.tue": ("tue", "Di"),
    "weekday.wed": ("wed", "Mi"),
    "weekday.thu": ("thu", "Do"),
    "weekday.fri": ("fri", "Fr"),
    "weekday.sat": ("sat", "Sa"),
    "weekday.sun": ("sun", "So"),
    "cadence_word.monthly": ("monthly", "monatlich"),
    "fit.industry": ("industry", "Branche"),
    "fit.size_band": ("size band", "Größenklasse"),
    "fit.country": ("country", "Land"),
    "fit.seniority": ("seniority", "Hierarchieebene"),
    "fit.role": ("role", "Rolle"),
    "seniority.c_level": ("C-level", "C-Level"),
    "seniority.vp": ("VP", "VP"),
    "seniority.director": ("director", "Direktor"),
    "seniority.manager": ("manager", "Manager"),
    "seniority.individual": ("individual contributor", "Fachkraft"),
    "role.decision_maker": ("decision maker", "Entscheider"),
    "role.influencer": ("influencer", "Beeinflusser"),
    "role.user": ("user", "Anwender"),
    "role.other": ("other", "Sonstige"),
    "activity.page_view": ("page view", "Seitenaufruf"),
    "activity.pricing_page_view": ("pricing page view", "Aufruf der Preisseite"),
    "activity.content_download": ("content download", "Content-Download"),
    "activity.webinar_attended": ("webinar attended", "Webinar besucht"),
    "activity.email_open": ("email opened", "E-Mail geöffnet"),
    "activity.email_click": ("email click", "Klick in E-Mail"),
    "activity.form_submit": ("form submitted", "Formular gesendet"),
    "activity.demo_request": ("demo request", "Demo-Anfrage"),
    "activity.contact_request": ("contact request", "Kontaktanfrage"),
    "activity.event_attended": ("event attended", "Event besucht"),
    "team.marketing": ("marketing", "Marketing"),
    "team.sales": ("sales", "Vertrieb"),
    "team.both": ("both", "beide"),
    "split.before": ("before", "davor"),
    "split.after": ("after", "danach"),
    # -- breaches: titles (in the pack's order), units and details --
    "breach.title.handoff": ("Speed to lead missed", "Reaktionszeit verfehlt"),
    "breach.title.cadence": ("Cadence not held", "Kadenz nicht eingehalten"),
    "breach.title.never_contacted": ("Never contacted", "Nie kontaktiert"),
    "breach.title.premature_recycles": ("Recycled too early", "Vorzeitig recycelt"),
    "breach.title.stale_leads": ("Stale leads", "Liegengebliebene Leads"),
    "breach.title.recycled_not_enrolled": (
        "Recycled, not enrolled in nurture in time",
        "Recycelt, nicht rechtzeitig im Nurturing",
    ),
    "breach.unit.hours_over": ("hours over", "Stunden über der Frist"),
    "breach.unit.attempts_short": ("attempts short", "Versuche zu wenig"),
    "breach.unit.attempt_short": ("attempt short", "Versuch zu wenig"),
    "breach.unit.hours_waiting": ("hours waiting", "Stunden Wartezeit"),
    "breach.unit.days_over": ("days over", "Tage über der Frist"),
    "breach.handoff_untouched": (
        "no touch yet, {over:n1} h past the {hours:g} h promise",
        "noch kein Kontakt, {over:n1} h nach Ablauf der Zusage von {hours:g} h",
    ),
    "breach.handoff_untouched_ended": (
        "no touch before it ended ({stage}), {over:n1} h past the {hours:g} h promise",
        "kein Kontakt bis zum Ende ({stage}), {over:n1} h nach Ablauf der Zusage von {hours:g} h",
    ),
    "breach.handoff_untouched_in_time": (
        "no touch; it ended ({stage}) before the {hours:g} h promise ran out",
        "kein Kontakt; vor Ablauf der Zusage von {hours:g} h beendet ({stage})",
    ),
    "breach.handoff_late": (
        "first touch after {took:n1} h ({over:n1} h over {hours:g} h)",
        "Erstkontakt nach {took:n1} h ({over:n1} h über {hours:g} h)",
    ),
    "breach.handoff_untouched_line": (
        "no touch yet, {over:n1} h past its line",
        "noch kein Kontakt, {over:n1} h nach Ablauf seiner Frist",
    ),
    "breach.handoff_untouched_ended_line": (
        "no touch before it ended ({stage}), {over:n1} h past its line",
        "kein Kontakt bis zum Ende ({stage}), {over:n1} h nach Ablauf seiner Frist",
    ),
    "breach.handoff_untouched_in_time_line": (
        "no touch; it ended ({stage}) before its line ran out",
        "kein Kontakt; vor Ablauf seiner Frist beendet ({stage})",
    ),
    "breach.handoff_late_line": (
        "first touch after {took:n1} h ({over:n1} h over its line)",
        "Erstkontakt nach {took:n1} h ({over:n1} h über seiner Frist)",
    ),
    "breach.cadence": (
        "{spaced:n} of {attempts:n} attempts within {days:g} days ({short:n} short)",
        "{spaced:n} von {attempts:n} Versuchen innerhalb von {days:g} Tagen ({short:n} zu wenig)",
    ),
    "breach.never_contacted_ended": (
        "ended {stage} {waiting:n1} h after the MQL without an attempt",
        "{waiting:n1} h nach dem MQL ohne einen Versuch {stage}",
    ),
    "breach.never_contacted_open": (
        "no attempt in {waiting:n1} h since the MQL",
        "kein Versuch in {waiting:n1} h seit dem MQL",
    ),
    "breach.premature": (
        "recycled after {made:n} of {attempts:n} attempts ({short:n} short)",
        "recycelt nach {made:n} von {attempts:n} Versuchen ({short:n} zu wenig)",
    ),
    "breach.stale": (
        "{unanswered:n} unanswered attempts, last {since:n} days ago "
        "({over:n} days over the {grace:g}-day grace)",
        "{unanswered:n} unbeantwortete Versuche, der letzte vor {since:n} Tagen "
        "({over:n} Tage über der Karenzzeit von {grace:g} Tagen)",
    ),
    "breach.not_enrolled": (
        "not enrolled in nurture (promise: {promise:g} days)",
        "nicht im Nurturing (Zusage: {promise:g} Tage)",
    ),
    "breach.not_enrolled_for": (
        "not in nurture {days:n1} days after the recycle ({over:n1} over {promise:g})",
        "{days:n1} Tage nach dem Recycling nicht im Nurturing ({over:n1} über {promise:g})",
    ),
    "breach.enrolled_late": (
        "enrolled after {days:n1} days ({over:n1} over {promise:g})",
        "aufgenommen nach {days:n1} Tagen ({over:n1} über {promise:g})",
    ),
    # -- action items of the review: what to do, and the number behind it --
    "action.concentration": (
        "; {share:pct} of them are {name}'s ({count:n} of {total:n})",
        "; {share:pct} davon bei {name} ({count:n} von {total:n})",
    ),
    "action.unassigned": ("unassigned", "niemand zugewiesen"),
    "action.handoff": (
        "Speed to lead missed for {share:pct} of MQLs{concentration}: review routing and coverage",
        "Reaktionszeit verfehlt bei {share:pct} der MQLs{concentration}: "
        "Routing und Abdeckung prüfen",
    ),
    "evidence.handoff": (
        "{missed:n} of {judged:n} MQLs not touched within {hours:g} h",
        "{missed:n} von {judged:n} MQLs nicht innerhalb von {hours:g} h kontaktiert",
    ),
    "evidence.handoff_lines": (
        "{missed:n} of {judged:n} MQLs not touched within their line ({lines})",
        "{missed:n} von {judged:n} MQLs nicht innerhalb ihrer Frist kontaktiert ({lines})",
    ),
    "action.cadence": (
        "Cadence not held for {share:pct} of judged MQLs{concentration}",
        "Kadenz nicht eingehalten bei {share:pct} der bewerteten MQLs{concentration}",
    ),
    "evidence.cadence": (
        "{held:n} of {judged:n} held (at least {attempts:n} attempts in {days:g} days)",
        "{held:n} von {judged:n} eingehalten (mindestens {attempts:n} Versuche in {days:g} Tagen)",
    ),
    "action.premature": (
        "{count:n} lead(s) recycled before {attempts:n} attempts{concentration}",
        "Vor {attempts:n} Versuchen recycelte Leads: {count:n}{concentration}",
    ),
    "evidence.premature": (
        "{count:n} of {total:n} recycled episodes",
        "{count:n} von {total:n} recycelten Episoden",
    ),
    "action.stale": (
        "{count:n} stale lead(s): recycle them to marketing or advance them{concentration}",
        "Liegengebliebene Leads: {count:n}{concentration}; an das Marketing zurückgeben "
        "oder weiterbringen",
    ),
    "evidence.stale": (
        "{count:n} leads with {attempts:n}+ unanswered attempts, last one over {days:g} days ago",
        "{count:n} Leads mit {attempts:n}+ unbeantworteten Versuchen, der letzte vor über "
        "{days:g} Tagen",
    ),
    "action.not_enrolled": (
        "{count:n} recycled lead(s) not in a nurture track within {days:g} days: "
        "check the recycle workflow",
        "Recycelte Leads nicht innerhalb von {days:g} Tagen in einem Nurture-Track: "
        "{count:n}; Recycling-Workflow prüfen",
    ),
    "evidence.not_enrolled": (
        "{in_time:n} of {total:n} enrolled in time",
        "{in_time:n} von {total:n} rechtzeitig aufgenommen",
    ),
    "action.mql_pace": (
        "MQLs at {pace:pct} of pace for the revenue goal: "
        "plan demand generation for the rest of the period",
        "MQLs bei {pace:pct} des Solls für das Umsatzziel: "
        "Nachfragegenerierung für den Rest des Zeitraums planen",
    ),
    "evidence.mql_pace": (
        "{actual:n} MQLs vs {expected:n} expected to date "
        "(month target {target:n}, forecast {forecast:n})",
        "{actual:n} MQLs gegenüber {expected:n} Soll bis jetzt "
        "(Monatsziel {target:n}, Prognose {forecast:n})",
    ),
    "action.top_reason": (
        "; most often: {reason} ({count:n})",
        "; am häufigsten: {reason} ({count:n})",
    ),
    "action.rejection": (
        "Sales rejected {share:pct} of MQLs{top_reason}: "
        "revisit the scoring threshold or the definitions",
        "Der Vertrieb lehnte {share:pct} der MQLs ab{top_reason}: "
        "Scoring-Schwelle oder Definitionen überprüfen",
    ),
    "evidence.rejection": (
        "{x:n} of {n:n} MQL episodes rejected",
        "{x:n} von {n:n} MQL-Episoden abgelehnt",
    ),
    "action.kpi_missed": (
        "{kpi} missed its target: agree on a cause and an owner",
        "{kpi}: Ziel verfehlt; Ursache und Verantwortliche festlegen",
    ),
    "evidence.kpi_missed": ("{value} vs target {target}", "{value} gegenüber Ziel {target}"),
    "action.worse": (
        "{label} got worse since last month: find out why",
        "{label}: seit dem Vormonat schlechter; Ursache klären",
    ),
    "action.worse_together": (
        "{labels:list} got worse since last month, by the same numbers: find out why",
        "{labels:list}: seit dem Vormonat um dieselben Zahlen schlechter; Ursache klären",
    ),
    "evidence.worse_rate": (
        "{before:pct1} ({before_counts}) -> {after:pct1} ({after_counts}), "
        "two-proportion test {p:p}",
        "{before:pct1} ({before_counts}) -> {after:pct1} ({after_counts}), "
        "Test auf zwei Anteile {p:p}",
    ),
    "evidence.worse_count": (
        "{before:n} -> {after:n} ({before_rate:n1} -> {after_rate:n1} per day), "
        "Poisson rate test {p:p}",
        "{before:n} -> {after:n} ({before_rate:n1} -> {after_rate:n1} pro Tag), "
        "Poisson-Ratentest {p:p}",
    ),
    "evidence.counts": ("{x:n} of {n:n}", "{x:n} von {n:n}"),
    "counts": ("{x:n} / {n:n}", "{x:n} / {n:n}"),
    # -- this month against the previous one, as judged then (analytics/comparison.py) --
    "comparison.label": (
        "Compared with {month} as judged by SLA version {version}.",
        "Verglichen mit {month}, bewertet nach SLA-Version {version}.",
    ),
    "comparison.redefined": (
        "not compared: the SLA measures it differently since {day} ({changes})",
        "nicht verglichen: das SLA misst es seit {day} anders ({changes})",
    ),
    "comparison.not_compared": (
        "{labels}: {reason}",
        "{labels}: {reason}",
    ),
    "items": ("{items:items}", "{items:items}"),
    # -- metric definitions (spec/metrics.md): sections, names, texts --
    "def.section.time": ("Time", "Zeit"),
    "def.section.volumes": ("Volumes", "Volumina"),
    "def.section.conversion": ("Conversion", "Konversion"),
    "def.section.handoff": ("Handoff", "Übergabe"),
    "def.section.management": ("Lead management", "Lead-Bearbeitung"),
    "def.section.recycling": ("Recycling", "Recycling"),
    "def.section.marketing": ("Marketing", "Marketing"),
    "def.section.goal": ("Shared goal", "Gemeinsames Ziel"),
    "def.section.scoring": ("Scoring", "Scoring"),
    "def.clock.business": (
        "business hours of the sales calendar",
        "Arbeitsstunden des Vertriebskalenders",
    ),
    "def.clock.calendar": ("calendar hours", "Kalenderstunden"),
    "def.name.month": ("Month", "Monat"),
    "def.text.month": (
        "A calendar month in the reporting time zone ({tz}). All timestamps are stored in UTC. "
        "When an SLA version changes the time zone, each month starts at midnight of its 1st "
        "in the zone of the version that judges it and ends where the next month starts: the "
        "hours between the two midnights count in one month, never in none or two.",
        "Ein Kalendermonat in der Berichtszeitzone ({tz}). Alle Zeitstempel sind in UTC "
        "gespeichert. Ändert eine SLA-Version die Zeitzone, beginnt jeder Monat um Mitternacht "
        "seines Ersten in der Zeitzone der Version, die ihn bewertet, und endet, wo der nächste "
        "Monat beginnt: Die Stunden zwischen den beiden Mitternächten zählen zu einem Monat, "
        "nie zu keinem oder zu zweien.",
    ),
    "def.name.as_of": ("As of", "Datenstand"),
    "def.text.as_of": (
        "The moment the numbers are computed for: by default the latest timestamp in any "
        "table of the warehouse. Anything after it is ignored.",
        "Der Zeitpunkt, für den die Zahlen berechnet werden: standardmäßig der späteste "
        "Zeitstempel in einer Tabelle des Warehouse. Alles danach bleibt unberücksichtigt.",
    ),
    "def.name.visitors": ("Visitors", "Besucher"),
    "def.text.visitors": (
        "Sum of web-traffic visitors on the days of M.",
        "Summe der Website-Besucher an den Tagen von M.",
    ),
    "def.name.leads": ("Leads", "Leads"),
    "def.text.leads": ("Leads created in month M.", "Im Monat M angelegte Leads."),
    "def.name.mqls": (
        "MQLs, SALs, SQLs, opportunities, customers, recycled, disqualified",
        "MQLs, SALs, SQLs, Opportunities, Kunden, recycelt, disqualifiziert",
    ),
    "def.text.mqls": (
        "Distinct leads with at least one lifecycle event of that stage in M.",
        "Verschiedene Leads mit mindestens einem Lifecycle-Ereignis dieser Phase in M.",
    ),
    "def.name.deals_won": ("Deals won, won revenue", "Gewonnene Deals, gewonnener Umsatz"),
    "def.text.deals_won": (
        "Opportunities with status won and closed in M; won revenue is their amount.",
        "Opportunities mit Status gewonnen, abgeschlossen in M; der gewonnene Umsatz ist "
        "ihr Betrag.",
    ),
    "def.name.period_rates": ("Period conversion rates", "Konversionsraten je Monat"),
    "def.text.period_rates": (
        "Ratio of two volumes of the same month: visitor -> lead = leads / visitors, "
        "lead -> MQL = MQLs / leads, MQL -> SQL = SQLs / MQLs, SQL -> opportunity = "
        "opportunities / SQLs, opportunity -> won = deals won / opportunities. A zero "
        "denominator gives no rate (never 0).",
        "Verhältnis zweier Volumina desselben Monats: Besucher -> Lead = Leads / Besucher, "
        "Lead -> MQL = MQLs / Leads, MQL -> SQL = SQLs / MQLs, SQL -> Opportunity = "
        "Opportunities / SQLs, Opportunity -> gewonnen = gewonnene Deals / Opportunities. "
        "Ein Nenner von null ergibt keine Rate (nie 0).",
    ),
    "def.name.cohort_rates": ("Cohort conversion rates", "Konversionsraten je Kohorte"),
    "def.text.cohort_rates": (
        "Of the leads that entered stage A in M, the share that entered stage B within "
        "{days:n} days of entering A. A cohort whose window has not closed by as of is "
        "flagged immature.",
        "Von den Leads, die in M Phase A erreichten, der Anteil, der Phase B innerhalb von "
        "{days:n} Tagen nach A erreichte. Eine Kohorte, deren Fenster zum Datenstand noch "
        "offen ist, wird als unreif markiert.",
    ),
    "def.name.interval": ("Counts and intervals", "Anzahlen und Intervalle"),
    "def.text.interval": (
        "Every rate is shown with its count (41 / 120) and a 95 % Wilson interval.",
        "Jede Rate steht mit ihren Anzahlen (41 / 120) und einem 95-%-Wilson-Intervall.",
    ),
    "def.name.mql_episode": ("MQL episode", "MQL-Episode"),
    "def.text.mql_episode": (
        "Starts when a lead enters MQL while it has no open episode; ends at its next "
        "SQL, recycled or disqualified event. A second MQL event inside an open episode "
        "starts nothing. The episodes of M are those that start in M.",
        "Beginnt, wenn ein Lead MQL wird und keine offene Episode hat; endet mit seinem "
        "nächsten Ereignis SQL, recycelt oder disqualifiziert. Ein zweites MQL-Ereignis in "
        "einer offenen Episode beginnt nichts. Die Episoden von M sind die, die in M beginnen.",
    ),
    "def.name.handoff_compliance": (
        "Handoff compliance (speed to lead)",
        "Einhaltung der Übergabe (Reaktionszeit)",
    ),
    "def.text.handoff_compliance": (
        "Per MQL episode: met if the first sales touch came within {hours:g} hours "
        "({clock}) of the MQL; missed if later, or if there is no touch and the deadline "
        "has passed at as of; pending otherwise. Compliance = met / (met + missed).",
        "Je MQL-Episode: erfüllt, wenn der erste Vertriebskontakt innerhalb von {hours:g} "
        "Stunden ({clock}) nach dem MQL kam; verfehlt, wenn er später kam oder wenn es "
        "keinen Kontakt gibt und die Frist zum Datenstand abgelaufen ist; sonst offen. "
        "Einhaltung = erfüllt / (erfüllt + verfehlt).",
    ),
    "def.name.median_hours_to_first_touch": (
        "Median hours to first touch",
        "Median der Stunden bis zum Erstkontakt",
    ),
    "def.text.median_hours_to_first_touch": (
        "Median of the hours ({clock}) from MQL to the first sales touch, over the "
        "episodes of M that have a touch.",
        "Median der Stunden ({clock}) vom MQL bis zum ersten Vertriebskontakt, über die "
        "Episoden von M mit einem Kontakt.",
    ),
    "def.name.mql_rejection_rate": ("MQLs rejected by sales", "Vom Vertrieb abgelehnte MQLs"),
    "def.text.mql_rejection_rate": (
        "Share of the MQL episodes of M that ended disqualified or recycled without "
        "being accepted (no SAL).",
        "Anteil der MQL-Episoden von M, die disqualifiziert oder recycelt endeten, ohne "
        "angenommen worden zu sein (kein SAL).",
    ),
    "def.name.attempts_per_mql": ("Attempts per MQL", "Versuche pro MQL"),
    "def.text.attempts_per_mql": (
        "Mean number of sales touches inside the MQL episodes of M (from the MQL to the "
        "end of the episode or as of).",
        "Mittlere Zahl der Vertriebskontakte in den MQL-Episoden von M (vom MQL bis zum "
        "Ende der Episode oder bis zum Datenstand).",
    ),
    "def.name.cadence_compliance": ("Cadence held", "Kadenz eingehalten"),
    "def.text.cadence_compliance": (
        "The cadence holds for an episode when the lead was reached (connected, replied or"
        " meeting booked), or when at least {attempts:n} attempts were made within "
        "{days:g} days of the MQL, attempts less than {gap:g} hours apart counting as one. "
        "An episode is judged once its window has closed or it has ended; compliance = "
        "held / judged.",
        "Die Kadenz ist für eine Episode eingehalten, wenn der Lead erreicht wurde "
        "(verbunden, geantwortet oder Termin gebucht) oder wenn mindestens {attempts:n} "
        "Versuche innerhalb von {days:g} Tagen nach dem MQL unternommen wurden; Versuche "
        "mit weniger als {gap:g} Stunden Abstand zählen als einer. Eine Episode wird "
        "bewertet, sobald ihr Fenster geschlossen oder sie beendet ist; Einhaltung = "
        "eingehalten / bewertet.",
    ),
    # spec/metrics.md counts every episode without a touch; one whose first touch is still
    # due is no breach yet: the product counts it apart (at risk), on every page the same
    "def.name.never_contacted": ("Never contacted", "Nie kontaktiert"),
    "def.text.never_contacted": (
        "MQL episodes of M without a sales touch inside them (a touch after the episode "
        "ended does not count), counted per owner of the lead. One whose first touch is "
        "still due (no touch yet, {hours:g} hours ({clock}) not passed at as of) is at "
        "risk, not yet never contacted: the Lead management page counts it apart.",
        "MQL-Episoden von M ohne Vertriebskontakt darin (ein Kontakt nach dem Ende der "
        "Episode zählt nicht), gezählt je Besitzer des Leads. Eine, deren Erstkontakt noch "
        "fällig ist (noch kein Kontakt, {hours:g} Stunden ({clock}) zum Datenstand nicht "
        "abgelaufen), ist gefährdet, noch nicht nie kontaktiert: die Seite Lead-Bearbeitung "
        "zählt sie gesondert.",
    ),
    "def.name.premature_recycles": ("Premature recycles", "Vorzeitig recycelt"),
    "def.text.premature_recycles": (
        "Recycled events that end an episode in which the lead was not reached and fewer "
        "than {attempts:n} attempts were made.",
        "Recycelt-Ereignisse, die eine Episode beenden, in der der Lead nicht erreicht und "
        "weniger als {attempts:n} Versuche unternommen wurden.",
    ),
    "def.name.stale_leads": ("Stale leads", "Liegengebliebene Leads"),
    "def.text.stale_leads": (
        "Leads whose open episode has at least {attempts:n} unanswered attempts, the last "
        "one more than {days:g} days ago, neither recycled, disqualified nor advanced. "
        "Counted at as of. Unanswered means the lead was not reached at all in the episode: "
        "a lead reached once and then left unanswered is not stale. Advanced means an SQL, "
        "opportunity or customer stage since the MQL (also when the CRM skipped the SQL "
        "stage); an accepted lead (SAL) left unanswered is still stale.",
        "Leads, deren offene Episode mindestens {attempts:n} unbeantwortete Versuche hat, "
        "den letzten vor mehr als {days:g} Tagen, und die weder recycelt noch "
        "disqualifiziert noch weitergebracht wurden. Gezählt zum Datenstand. Unbeantwortet "
        "heißt: Der Lead wurde in der Episode kein einziges Mal erreicht; ein Lead, der einmal "
        "erreicht wurde und danach nicht mehr antwortet, gilt nicht als liegengeblieben. "
        "Weitergebracht heißt: seit dem MQL die Phase SQL, Opportunity oder Kunde (auch "
        "wenn das CRM die SQL-Phase übersprungen hat); ein angenommener Lead (SAL) ohne "
        "Antwort gilt weiter als liegengeblieben.",
    ),
    "def.name.recycled_enrolled_in_time": (
        "Recycled leads enrolled in time",
        "Recycelte Leads rechtzeitig im Nurturing",
    ),
    "def.text.recycled_enrolled_in_time": (
        "Share of recycled leads enrolled in a nurture track within {days:g} days of "
        "being recycled. Each recycle is judged on its own (a lead recycled twice counts "
        "twice), against the lead's first enrolment after it, even one that followed a "
        "later recycle: one enrolment can answer two recycles of a lead, the earlier one "
        "then often late.",
        "Anteil der recycelten Leads, die innerhalb von {days:g} Tagen nach dem Recycling "
        "in einen Nurture-Track aufgenommen wurden. Jedes Recycling zählt für sich (ein "
        "zweimal recycelter Lead zählt zweimal) und wird an der ersten Aufnahme des Leads "
        "danach gemessen, auch an einer, die erst auf ein späteres Recycling folgte: Eine "
        "Aufnahme kann zwei Recyclings eines Leads beantworten, das frühere dann oft zu spät.",
    ),
    "def.name.remql_rate": ("Re-MQL rate", "Re-MQL-Quote"),
    "def.text.remql_rate": (
        "Share of the leads recycled in M that become MQL again within {days:n} days.",
        "Anteil der in M recycelten Leads, die innerhalb von {days:n} Tagen wieder MQL werden.",
    ),
    "def.name.mql_attainment": ("MQL attainment", "MQL-Zielerreichung"),
    "def.text.mql_attainment": (
        "MQLs of M / the monthly MQL target ({target:g}).",
        "MQLs von M / das monatliche MQL-Ziel ({target:g}).",
    ),
    "def.name.lead_quality": ("Lead quality", "Lead-Qualität"),
    "def.text.lead_quality": (
        "MQL -> SQL of the month, and the share of MQLs that sales rejected.",
        "MQL -> SQL des Monats und der Anteil der MQLs, die der Vertrieb ablehnte.",
    ),
    "def.name.reverse_funnel": ("Reverse funnel", "Rückwärtsrechnung"),
    "def.text.reverse_funnel": (
        "From the revenue target ({target:g} {currency} a month) and the rates of the "
        "trailing {months:n} months: deals = target / average won deal size, opportunities "
        "= deals / opportunity -> won, SQLs = opportunities / SQL -> opportunity, MQLs = "
        "SQLs / MQL -> SQL, leads = MQLs / lead -> MQL, visitors = leads / visitor -> lead.",
        "Aus dem Umsatzziel ({target:g} {currency} im Monat) und den Raten der letzten "
        "{months:n} Monate: Deals = Ziel / durchschnittlicher Auftragswert, Opportunities = "
        "Deals / Opportunity -> gewonnen, SQLs = Opportunities / SQL -> Opportunity, MQLs = "
        "SQLs / MQL -> SQL, Leads = MQLs / Lead -> MQL, Besucher = Leads / Besucher -> Lead.",
    ),
    "def.name.pacing": ("Pacing", "Zielpfad"),
    "def.text.pacing": (
        "Actual volume to date against the linear share of each target (the share of the "
        "month or quarter that has passed at as of). A quarter's target adds up its months' "
        "targets, each from the SLA version in force that month.",
        "Das bisherige Ist-Volumen gegenüber dem linearen Anteil jedes Ziels (dem Anteil "
        "des Monats oder Quartals, der zum Datenstand vergangen ist). Das Ziel eines Quartals "
        "ist die Summe der Ziele seiner Monate, jedes nach der SLA-Version, die in dem Monat "
        "galt.",
    ),
    "def.name.score": ("Lead score", "Lead-Score"),
    "def.text.score": (
        "Fit points (industry, size band, country, seniority, role; capped at {fit_cap:g}) "
        "+ interest points (activities, each halved every {half_life:g} days, capped at "
        "{interest_cap:g}). A lead becomes an MQL when its score reaches {threshold:g}.",
        "Fit-Punkte (Branche, Größenklasse, Land, Hierarchieebene, Rolle; höchstens "
        "{fit_cap:g}) + Interesse-Punkte (Aktivitäten, jede alle {half_life:g} Tage "
        "halbiert, höchstens {interest_cap:g}). Ein Lead wird MQL, wenn sein Score "
        "{threshold:g} erreicht.",
    ),
    "def.name.grades": ("Fit and interest grades", "Fit- und Interesse-Klassen"),
    "def.text.grades": (
        "Fit A/B/C/D at {fit:list} points; interest 1/2/3/4 at {interest:list} points.",
        "Fit A/B/C/D ab {fit:list} Punkten; Interesse 1/2/3/4 ab {interest:list} Punkten.",
    ),
    "def.name.calibration": ("Calibration (Brier score, ECE)", "Kalibrierung (Brier-Score, ECE)"),
    "def.text.calibration": (
        "How well a score's predicted chance of becoming an SQL matches what happened: "
        "the Brier score is the mean squared error of the predicted probability; the "
        "expected calibration error (ECE) is the count-weighted mean gap between "
        "predicted and observed rates over the bins of the reliability curve.",
        "Wie gut die vorhergesagte SQL-Chance eines Scores zum tatsächlichen Ergebnis "
        "passt: Der Brier-Score ist der mittlere quadratische Fehler der vorhergesagten "
        "Wahrscheinlichkeit; der erwartete Kalibrierungsfehler (ECE) ist die nach Anzahl "
        "gewichtete mittlere Abweichung zwischen vorhergesagten und beobachteten Raten "
        "über die Klassen der Verlässlichkeitskurve.",
    ),
    "def.name.workload_ratio": ("Workload ratio", "Auslastungsquote"),
    "def.text.workload_ratio": (
        "MQLs per week at a threshold / the weekly capacity of the active sales reps.",
        "MQLs pro Woche bei einer Schwelle / die Wochenkapazität der aktiven Vertriebsmitarbeiter.",
    ),
    # -- the SLA config's settings in words --
    "set.section.sla": ("SLA", "SLA"),
    "set.section.goals": ("Shared goals", "Gemeinsame Ziele"),
    "set.section.qualification": ("Lead qualification", "Lead-Qualifizierung"),
    "set.section.handoff": ("Handoff: marketing -> sales", "Übergabe: Marketing -> Vertrieb"),
    "set.section.recycle": ("Handoff: sales -> marketing", "Übergabe: Vertrieb -> Marketing"),
    "set.section.management": ("Lead management", "Lead-Bearbeitung"),
    "set.section.funnel": ("Funnel", "Funnel"),
    "set.section.kpis": ("KPIs", "KPIs"),
    "set.section.nurture": ("Lead nurturing", "Lead-Nurturing"),
    "set.name": ("Name", "Name"),
    "set.version": ("Version", "Version"),
    "set.effective_from": ("In force since", "Gültig seit"),
    "set.owners": ("Owners", "Verantwortlich"),
    "set.review_cadence": ("Reviewed", "Besprechung"),
    "set.timezone": ("Reporting time zone", "Berichtszeitzone"),
    "set.currency": ("Currency", "Währung"),
    "set.revenue_target": ("Revenue target per month", "Umsatzziel pro Monat"),
    "set.mql_target": ("MQL target per month", "MQL-Ziel pro Monat"),
    "set.rate_window": ("Rates from the trailing", "Raten aus den letzten"),
    "set.mql_threshold": ("MQL threshold", "MQL-Schwelle"),
    "set.min_extra_sqls": (
        "Lower the threshold only if extra MQLs convert at",
        "Schwelle nur senken, wenn zusätzliche MQLs konvertieren mit",
    ),
    "set.per_extra_mql": (
        "at least {share:pct} (extra SQLs per extra MQL)",
        "mindestens {share:pct} (zusätzliche SQLs je zusätzlichem MQL)",
    ),
    "set.half_life": ("Interest half-life", "Halbwertszeit des Interesses"),
    "set.fit_cap": ("Fit cap", "Obergrenze Fit"),
    "set.interest_cap": ("Interest cap", "Obergrenze Interesse"),
    "set.first_touch": ("First touch within", "Erstkontakt innerhalb von"),
    "set.triggers": ("Handoff triggers", "Auslöser der Übergabe"),
    "set.calendar": ("Sales calendar", "Vertriebskalender"),
    "set.recycle_after": ("Recycle after", "Recycling nach"),
    "set.grace": ("... and a grace of", "... und einer Karenzzeit von"),
    "set.enroll_within": ("Enrol recycled leads within", "Recycelte Leads ins Nurturing binnen"),
    "set.remql_window": ("Re-MQL window", "Re-MQL-Fenster"),
    "set.min_attempts": ("Minimum attempts", "Mindestzahl Versuche"),
    "set.cadence_window": ("... within", "... innerhalb von"),
    "set.min_gap": ("Attempts closer than", "Versuche mit weniger Abstand als"),
    "set.channels": ("Channels", "Kanäle"),
    "set.cohort_window": ("Cohort window", "Kohortenfenster"),
    "set.at_risk": ("At risk within", "Gefährdet innerhalb von"),
    "set.months": ("{n:n} months", "{n:n} Monaten"),
    "set.days": ("{n:g} days", "{n:g} Tage"),
    "set.days_of": ("{n:g} days", "{n:g} Tagen"),
    "set.points": ("{n:g} points", "{n:g} Punkte"),
    "set.hours": ("{n:g} hours ({clock})", "{n:g} Stunden ({clock})"),
    "set.clock.business": ("business hours", "Arbeitsstunden"),
    "set.clock.calendar": ("calendar hours", "Kalenderstunden"),
    "set.calendar_value": (
        "{days:list} {start}-{end} {tz}{holidays}",
        "{days:list} {start}–{end} {tz}{holidays}",
    ),
    "set.holidays": (", holidays of {country}", ", Feiertage: {country}"),
    "set.unanswered": ("{n:n} unanswered attempts", "{n:n} unbeantworteten Versuchen"),
    "set.enroll_value": ("{n:g} days{track}", "{n:g} Tagen{track}"),
    "set.track": (" (track {track})", " (Track {track})"),
    "set.of_mql": ("{n:g} days of the MQL", "{n:g} Tagen nach dem MQL"),
    "set.count_as_one": ("{n:g} hours count as one", "{n:g} Stunden zählen als einer"),
    "set.of_target": ("{share:pct} of the target", "{share:pct} des Ziels"),
    "set.track_value": ("{stage}{who}: {description}", "{stage}{who}: {description}"),
    "set.sales_may_trigger": (" (sales may trigger)", " (Vertrieb darf auslösen)"),
    # -- a value that cannot be computed --
    "no_data": ("–", "–"),  # spec/coverage.md: what cannot be computed reads "–"
    # -- statuses, periods and segments of the review --
    "status.met": ("met", "erfüllt"),
    "status.at_risk": ("at risk", "gefährdet"),
    "status.missed": ("missed", "verfehlt"),
    "status.none": ("no data", "keine Daten"),
    "status.no_data": ("no data", "keine Daten"),
    "period.month": ("month", "Monat"),
    "period.quarter": ("quarter", "Quartal"),
    "segment.source": ("source", "Quelle"),
    "segment.country": ("country", "Land"),
    "segment.owner": ("owner", "Verantwortlich"),
    "unit.pp": ("pp", "Pp."),
    # -- what the SLA promises, per metric (the review pack's scorecards) --
    "promise.mqls": ("Deliver {mqls:g} MQLs a month", "{mqls:g} MQLs im Monat liefern"),
    "promise.mql_attainment": (
        "Deliver {mqls:g} MQLs a month (share delivered)",
        "{mqls:g} MQLs im Monat liefern (gelieferter Anteil)",
    ),
    "promise.mql_to_sql": (
        "MQLs that sales qualifies (MQL -> SQL)",
        "MQLs, die der Vertrieb qualifiziert (MQL -> SQL)",
    ),
    "promise.mql_rejection_rate": (
        "MQLs sales rejects (disqualified or recycled without acceptance)",
        "MQLs, die der Vertrieb ablehnt (disqualifiziert oder recycelt ohne Annahme)",
    ),
    "promise.handoff_compliance": (
        "First sales touch within {hours:g} {unit} of the MQL",
        "Erster Vertriebskontakt innerhalb von {hours:g} {unit} nach dem MQL",
    ),
    "promise.handoff_compliance_lines": (
        "First sales touch within its line of the MQL ({lines})",
        "Erster Vertriebskontakt innerhalb seiner Frist nach dem MQL ({lines})",
    ),
    "promise.line": ("{name}: {within}", "{name}: {within}"),
    "promise.line_other": ("every other MQL: {within}", "jeder andere MQL: {within}"),
    "promise.unit.business": ("business hours", "Arbeitsstunden"),
    "promise.unit.calendar": ("h", "h"),
    "promise.median_hours_to_first_touch": (
        "Median time from MQL to first sales touch",
        "Median der Zeit vom MQL bis zum ersten Vertriebskontakt",
    ),
    "promise.cadence_compliance": (
        "At least {attempts:g} attempts within {days:g} days of the MQL "
        "(attempts under {gap:g} h apart count once), unless reached",
        "Mindestens {attempts:g} Versuche innerhalb von {days:g} Tagen nach dem MQL "
        "(Versuche mit weniger als {gap:g} h Abstand zählen einmal), außer der Lead wurde "
        "erreicht",
    ),
    "promise.attempts_per_mql": ("Attempts per MQL", "Versuche pro MQL"),
    "promise.premature_recycles": (
        "Recycle only after {attempts:g} unanswered attempts",
        "Erst nach {attempts:g} unbeantworteten Versuchen recyceln",
    ),
    "promise.stale_leads": (
        "No lead left waiting: recycle or advance within {days:g} days of the last of "
        "{attempts:g} unanswered attempts",
        "Kein Lead bleibt liegen: innerhalb von {days:g} Tagen nach dem letzten von "
        "{attempts:g} unbeantworteten Versuchen recyceln oder weiterbringen",
    ),
    "promise.recycled_enrolled_in_time": (
        "Recycled leads in a nurture track within {days:g} days",
        "Recycelte Leads innerhalb von {days:g} Tagen in einem Nurture-Track",
    ),
    "promise.other": ("{metric}", "{metric}"),
    "promise.remql_rate": (
        "Recycled leads that become MQL again within {days:g} days",
        "Recycelte Leads, die innerhalb von {days:g} Tagen wieder MQL werden",
    ),
    # -- the review pack (analytics/pack/templates): headings, labels, sentences --
    "pack.title": ("SLA review {month}: {name}", "SLA-Monatsbesprechung {month}: {name}"),
    "pack.heading": ("Monthly SLA review: {month}", "SLA-Monatsbesprechung: {month}"),
    "pack.meta.version": (
        "{name}: version {version} (in force from {day})",
        "{name}: Version {version} (gültig ab {day})",
    ),
    "pack.meta.as_of": ("data as of {as_of}", "Datenstand {as_of}"),
    "pack.meta.segment": ("segment {segment}", "Segment {segment}"),
    "pack.meta.compared": ("compared with {month}", "verglichen mit {month}"),
    "pack.meta.not_compared": (
        "running: not compared with {month}",
        "laufend: nicht mit {month} verglichen",
    ),
    "pack.meta.took_effect": (
        "SLA version {version} took effect on {day}",
        "SLA-Version {version} trat am {day} in Kraft",
    ),
    "pack.section.goals": ("Goal attainment and pacing", "Zielerreichung und Zielpfad"),
    "pack.section.scorecards": ("SLA scorecards", "SLA-Scorecards"),
    "pack.section.kpis": ("KPIs", "KPIs"),
    "pack.section.funnel": ("Funnel", "Funnel"),
    "pack.section.breaches": ("Top breaches", "Größte Verstöße"),
    "pack.section.changes_short": (
        "What changed since last month",
        "Was sich seit dem Vormonat geändert hat",
    ),
    "pack.section.changes": (
        "What changed significantly since last month",
        "Was sich seit dem Vormonat signifikant geändert hat",
    ),
    "pack.section.actions": ("Proposed action items", "Vorgeschlagene Maßnahmen"),
    "pack.section.notes": ("Meeting notes", "Besprechungsnotizen"),
    # the workbook's sheet of what the last import left out and said (ReviewPack.import_notes)
    "pack.section.import_notes": ("Import notes", "Importhinweise"),
    "pack.col.note": ("Note", "Hinweis"),
    "pack.section.sla": ("The SLA in force", "Das geltende SLA"),
    "pack.attainment": ("MQL attainment:", "MQL-Zielerreichung:"),
    "pack.attainment_of": (
        "of the SLA commitment of {target} MQLs a month",
        "der SLA-Zusage von {target} MQLs im Monat",
    ),
    "pack.delivered": ("{mqls} delivered", "{mqls} geliefert"),
    "pack.col.period": ("Period", "Zeitraum"),
    "pack.col.stage": ("Stage", "Phase"),
    "pack.col.actual": ("Actual", "Ist"),
    "pack.col.target": ("SLA commitment", "SLA-Zusage"),
    "pack.col.goal_target": ("Revenue goal / needed for it", "Umsatzziel / dafür nötig"),
    "pack.col.expected": ("Expected to date", "Soll bis heute"),
    "pack.col.pace": ("Pace", "Soll-Erreichung"),
    "pack.col.forecast": ("Forecast", "Prognose"),
    "pack.col.forecast_attainment": ("Forecast attainment", "Prognose / Ziel"),
    "pack.col.promise": ("Promise", "Zusage"),
    "pack.col.counts": ("Counts", "Anzahlen"),
    "pack.col.status": ("Status", "Status"),
    "pack.col.team": ("Team", "Team"),
    "pack.col.kpi": ("KPI", "KPI"),
    "pack.col.change": ("Change", "Veränderung"),
    "pack.col.conversion": ("Conversion to next stage", "Konversion zur nächsten Phase"),
    "pack.col.rate": ("Rate", "Quote"),
    "pack.col.interval": ("95 % interval", "95-%-Intervall"),
    "pack.col.lead": ("Lead", "Lead"),
    "pack.col.rep": ("Rep", "Mitarbeiter"),
    "pack.col.by": ("By", "Ausmaß"),
    "pack.col.detail": ("Detail", "Detail"),
    "pack.col.metric": ("Metric", "Kennzahl"),
    "pack.col.test": ("Test", "Test"),
    "pack.col.p": ("p", "p"),
    "pack.col.significant": ("Significant", "Signifikant"),
    "pack.col.part": ("Part", "Teil"),
    "pack.col.days": ("Days", "Tage"),
    "pack.col.mqls": ("MQLs", "MQLs"),
    "pack.col.mqls_per_day": ("MQLs per day", "MQLs pro Tag"),
    "pack.col.speed_to_lead": ("Speed to lead", "Reaktionszeit"),
    "pack.col.cadence_held": ("Cadence held", "Kadenz eingehalten"),
    "pack.col.judged_by": ("Judged by", "Bewertet nach"),
    "pack.pacing_note": (
        "Targets from the reverse funnel: the revenue goal divided back through the trailing "
        "{months}-month conversion rates. Pace = actual / the linear share of the target due "
        "by the as-of date.",
        "Ziele aus der Rückwärtsrechnung: das Umsatzziel, zurückgerechnet über die "
        "Konversionsraten der letzten {months} Monate. Soll-Erreichung = Ist / der lineare "
        "Anteil des Ziels, der bis zum Datenstand fällig ist.",
    ),
    "pack.promises.marketing": ("Marketing's promises", "Zusagen des Marketings"),
    "pack.promises.sales": ("Sales' promises", "Zusagen des Vertriebs"),
    "pack.no_target": ("no target", "kein Ziel"),
    "pack.no_target_set": ("no target set", "kein Ziel gesetzt"),
    "pack.kpi_note": (
        "{month} is judged by the SLA in force then (version {version}).",
        "{month} wird nach dem damals geltenden SLA bewertet (Version {version}).",
    ),
    "pack.kpi_note_earliest": (
        "{month} is judged by version {version}, the earliest recorded (in force from {day}): "
        "no version was in force then.",
        "{month} wird nach Version {version} bewertet, der frühesten erfassten (gültig ab "
        "{day}): damals galt keine Version.",
    ),
    "pack.at_risk_note": (
        "At risk: within {margin} of the target on the wrong side.",
        "Gefährdet: höchstens {margin} vom Ziel entfernt, auf der falschen Seite.",
    ),
    "pack.speed_summary": (
        "Speed to lead: {met} met, {missed} missed, {pending} pending; median {median} to "
        "first touch.",
        "Reaktionszeit: {met} erfüllt, {missed} verfehlt, {pending} offen; Median {median} bis "
        "zum Erstkontakt.",
    ),
    "pack.cadence_summary": (
        "Cadence: {held} of {judged} judged MQLs held; {attempts} attempts per MQL.",
        "Kadenz: bei {held} von {judged} bewerteten MQLs eingehalten; {attempts} Versuche pro MQL.",
    ),
    "pack.largest_shown": (", largest {n} shown", ", die größten {n} gezeigt"),
    "pack.no_breach": (
        "No breach of the SLA this month.",
        "Kein Verstoß gegen das SLA in diesem Monat.",
    ),
    "pack.no_breach_measured": (
        "No breach this month among the promises the data can measure.",
        "Kein Verstoß in diesem Monat bei den Zusagen, die die Daten messen können.",
    ),
    "pack.breach_unknown": (
        "{titles}: not measurable this month. {reason}",
        "{titles}: in diesem Monat nicht messbar. {reason}",
    ),
    "pack.better": ("better", "besser"),
    "pack.worse": ("worse", "schlechter"),
    "pack.no_significant": (
        "No change passes the test at the {alpha} level.",
        "Keine Veränderung besteht den Test auf dem Signifikanzniveau von {alpha}.",
    ),
    "pack.untested": (
        "Not tested: the SLA measures these differently than in the previous month.",
        "Nicht getestet: das SLA misst diese anders als im Vormonat.",
    ),
    "pack.tests_note": (
        "{n} changes tested at the {alpha} level (rates: two-proportion z-test; volumes: "
        "Poisson test per elapsed day); by chance alone about one test in {one_in} flags a "
        "change that is not there.",
        "{n} Veränderungen auf dem Signifikanzniveau von {alpha} getestet (Quoten: z-Test für "
        "zwei Anteile; Volumina: Poisson-Test je vergangenem Tag); allein durch Zufall meldet "
        "etwa einer von {one_in} Tests eine Veränderung, die es nicht gibt.",
    ),
    "pack.test.rate": ("two-proportion z", "z-Test für zwei Anteile"),
    "pack.test.count": ("Poisson rate per day", "Poisson-Rate pro Tag"),
    "pack.per_day": ("/day", "/Tag"),
    "pack.change.up": (
        "{label} rose from {before} to {after}; {test}, {p}",
        "{label}: gestiegen von {before} auf {after}; {test}, {p}",
    ),
    "pack.change.down": (
        "{label} fell from {before} to {after}; {test}, {p}",
        "{label}: gesunken von {before} auf {after}; {test}, {p}",
    ),
    "pack.change.same": (
        "{label} stayed from {before} to {after}; {test}, {p}",
        "{label}: unverändert von {before} auf {after}; {test}, {p}",
    ),
    "pack.change.changed": (
        "{label} changed from {before} to {after}; {test}, {p}",
        "{label}: verändert von {before} auf {after}; {test}, {p}",
    ),
    "pack.change.not_compared": (
        "{label}: {before} -> {after}; {reason}",
        "{label}: {before} -> {after}; {reason}",
    ),
    "pack.change.a_day": ("{count} ({rate} a day)", "{count} ({rate} pro Tag)"),
    "pack.change.test.rate": ("two-proportion z-test", "z-Test für zwei Anteile"),
    "pack.change.test.count": (
        "Poisson rate test per elapsed day",
        "Poisson-Ratentest je vergangenem Tag",
    ),
    "pack.no_action": (
        "No rule proposes an action this month.",
        "Keine Regel schlägt in diesem Monat eine Maßnahme vor.",
    ),
    "pack.notes_prompt": (
        "Decisions, owners and due dates:",
        "Entscheidungen, Verantwortliche und Termine:",
    ),
    "pack.sla.version_of": ("{name}, version", "{name}, Version"),
    "pack.sla.in_force": (", in force from {day}", ", gültig ab {day}"),
    "pack.sla.hash": (" (content hash {hash})", " (Inhalts-Hash {hash})"),
    "pack.sla.owners": ("Owners: {owners}.", "Verantwortlich: {owners}."),
    "pack.sla.changed_since": (
        "Changed since the last review ({month}, version {version})",
        "Geändert seit der letzten Besprechung ({month}, Version {version})",
    ),
    "pack.sla.no_change": ("No change.", "Keine Änderung."),
    "pack.sla.changed_during": (
        "Changed during {month}: version {version} from {day}",
        "Geändert im Monat {month}: Version {version} ab {day}",
    ),
    "pack.sla.judged_by": (
        "The month is judged by version {version} (in force on its first day), the part from "
        "{day} on too: by version {version}'s rules, not version {new}'s. Before and after "
        "the change:",
        "Der Monat wird nach Version {version} bewertet (gültig an seinem ersten Tag), auch "
        "der Teil ab {day}: nach den Regeln von Version {version}, nicht von Version {new}. "
        "Vor und nach der Änderung:",
    ),
    "pack.sla.version_short": ("version {version}", "Version {version}"),
    "pack.sla.split_sheet": ("SLA change {day}", "SLA-Änderung {day}"),
    "pack.chart.funnel": ("Funnel volumes", "Volumina im Funnel"),
    "pack.chart.leads": ("leads", "Leads"),
    "pack.chart.pacing": (
        "Pace to goal this month (1 = on track)",
        "Soll-Erreichung in diesem Monat (1 = im Plan)",
    ),
    "pack.chart.pace_axis": ("actual / expected to date", "Ist / Soll bis heute"),
    "pack.chart.by_rep": (
        "Speed to lead by rep (95 % Wilson interval)",
        "Reaktionszeit je Mitarbeiter (95-%-Wilson-Intervall)",
    ),
    "pack.chart.in_time": ("first touch in time", "Erstkontakt rechtzeitig"),
    # -- why an imported row was rejected (analytics/warehouse/validate.py, the quarantine) --
    "reject.required": ("required value is missing", "Pflichtwert fehlt"),
    "reject.not_allowed": (
        "not one of the allowed values: {values}",
        "keiner der erlaubten Werte: {values}",
    ),
    "reject.unreadable.int": ("cannot be read as a whole number", "keine ganze Zahl"),
    "reject.unreadable.float": ("cannot be read as a number", "keine Zahl"),
    "reject.unreadable.bool": ("cannot be read as true or false", "weder true noch false"),
    "reject.unreadable.timestamp": (
        "cannot be read as an ISO 8601 timestamp (2026-10-05T09:12:00+02:00)",
        "kein Zeitstempel nach ISO 8601 (2026-10-05T09:12:00+02:00)",
    ),
    "reject.unreadable.date": (
        "cannot be read as a date YYYY-MM-DD",
        "kein Datum im Format JJJJ-MM-TT",
    ),
    # a date or timestamp of an export whose layout was declared (a mapping's [csv]
    # date_format, --date-format): the layout the user gave, not the canonical ISO 8601
    "reject.unreadable.layout": (
        "cannot be read in the layout {layout} ({example}) nor as ISO 8601 "
        "(2026-10-05T09:12:00+02:00)",
        "weder im Format {layout} ({example}) noch nach ISO 8601 "
        "(2026-10-05T09:12:00+02:00) lesbar",
    ),
    # an id written in scientific notation: a spreadsheet saved the CSV (validate._SCIENTIFIC_ID)
    "reject.scientific_id": (
        "looks like a long number a spreadsheet saved in scientific notation (1.23457E+11), "
        "not an id: its last digits are lost, so it cannot name its record. Format the "
        "column as text in the spreadsheet, or import the CRM's export as it came",
        "sieht aus wie eine lange Zahl, die eine Tabellenkalkulation in "
        "Exponentialschreibweise gespeichert hat (1,23457E+11), keine ID: ihre letzten "
        "Ziffern sind verloren, sie kann ihren Datensatz nicht benennen. Die Spalte in der "
        "Tabellenkalkulation als Text formatieren oder den Export des CRM unverändert "
        "importieren",
    ),
    # a number in a date column: a spreadsheet cell not formatted as a date
    "reject.excel_serial": (
        "looks like an Excel serial date (a day number such as 46296.5 for 2026-10-01 "
        "12:00), not a date: format the column as a date in the spreadsheet (e.g. "
        "01.10.2026 12:00) and save the CSV again",
        "sieht aus wie eine fortlaufende Excel-Datumszahl (etwa 46296,5 für den 01.10.2026 "
        "12:00), kein Datum: die Spalte in der Tabellenkalkulation als Datum formatieren "
        "(z. B. 01.10.2026 12:00) und die CSV neu speichern",
    ),
    # a date with slashes, which no built-in layout reads: the layouts that read it (first:
    # a table's cut cell shows it)
    "reject.slashed": (
        "date layout needed: '{month_first}' (month first, as in the US) or '{day_first}' "
        "(day first) (--date-format, or a mapping's [csv] date_format; a date with slashes "
        "such as {example} is read only in a layout given)",
        "Datumsformat nötig: '{month_first}' (Monat vorn, wie in den USA) oder '{day_first}' "
        "(Tag vorn) (--date-format oder date_format unter [csv] eines Mappings; ein Datum mit "
        "Schrägstrichen wie {example} wird nur in einem angegebenen Format gelesen)",
    ),
    # ... when a value of the column shows which comes first (13/05/2026: the day)
    "reject.slashed_day_first": (
        "date layout needed: '{layout}' (--date-format, or a mapping's [csv] date_format; "
        "{example} shows the day first, and a date with slashes is read only in a layout "
        "given)",
        "Datumsformat nötig: '{layout}' (--date-format oder date_format unter [csv] eines "
        "Mappings; {example} zeigt den Tag vorn, und ein Datum mit Schrägstrichen wird nur "
        "in einem angegebenen Format gelesen)",
    ),
    "reject.slashed_month_first": (
        "date layout needed: '{layout}' (--date-format, or a mapping's [csv] date_format; "
        "{example} shows the month first, and a date with slashes is read only in a layout "
        "given)",
        "Datumsformat nötig: '{layout}' (--date-format oder date_format unter [csv] eines "
        "Mappings; {example} zeigt den Monat vorn, und ein Datum mit Schrägstrichen wird nur "
        "in einem angegebenen Format gelesen)",
    ),
    "reject.no_such_day": (
        "there is no such day (read in the layout {layout}: the month has fewer days)",
        "diesen Tag gibt es nicht (gelesen im Format {layout}: der Monat hat weniger Tage)",
    ),
    "reject.minimum": ("must be >= {minimum}", "muss >= {minimum} sein"),
    "reject.unknown.leads": ("refers to an unknown lead", "verweist auf einen unbekannten Lead"),
    "reject.unknown.reps": (
        "refers to an unknown rep",
        "verweist auf einen unbekannten Mitarbeiter",
    ),
    "reject.unknown.accounts": (
        "refers to an unknown account",
        "verweist auf einen unbekannten Account",
    ),
    "reject.closed_at": (
        "required when status is won or lost",
        "Pflichtwert, wenn der Status won oder lost ist",
    ),
    "reject.duplicate": (
        "duplicate key: first seen on line {line}",
        "doppelter Schlüssel: zuerst in Zeile {line}",
    ),
    "reject.conflict": (
        "other values than in {file} line {line} of the same export: which is right is unknown",
        "andere Werte als in {file} Zeile {line} desselben Exports: welche stimmen, ist unbekannt",
    ),
    "reject.dates_kept": (
        "this lead's row or another of its dates could not be read: its stored stage dates "
        "stay as they were",
        "die Zeile dieses Leads oder ein anderes seiner Daten war nicht lesbar: seine "
        "gespeicherten Phasendaten bleiben, wie sie waren",
    ),
    "reject.dates_conflict": (
        "another file of this export gives this lead's stage dates otherwise: that file's stay",
        "eine andere Datei dieses Exports gibt die Phasendaten dieses Leads anders an: deren "
        "bleiben",
    ),
    "reject.conflicting_lead": (
        "its lead has other values in another file of this export (quarantined with it)",
        "sein Lead hat in einer anderen Datei dieses Exports andere Werte (mit ihm zurückgestellt)",
    ),
    "reject.fields": (
        "has {fields} fields, the header has {header}",
        "hat {fields} Felder, die Kopfzeile hat {header}",
    ),
    "reject.utf8": ("not valid UTF-8 text", "kein gültiger UTF-8-Text"),
    "reject.unclosed_quote": (
        'a quote (") opened in this line is not closed before the next rows begin: the line '
        "is left out and the rows after it are read on their own (close or remove the quote)",
        'ein in dieser Zeile geöffnetes Anführungszeichen (") wird nicht vor den nächsten '
        "Zeilen geschlossen: die Zeile bleibt draußen, die Zeilen danach werden für sich "
        "gelesen (das Anführungszeichen schließen oder entfernen)",
    ),
    "reject.not_finite": (
        "not a finite number (inf, nan or too large)",
        "keine endliche Zahl (inf, nan oder zu groß)",
    ),
    "reject.out_of_range": (
        "outside the plausible range {earliest} to {latest}",
        "außerhalb des plausiblen Bereichs {earliest} bis {latest}",
    ),
    "import.no_rows": (
        "{file} has no rows (only a header): nothing was loaded from it; an export with a "
        "filter left on, or a period without data?",
        "{file} enthält keine Zeilen (nur die Kopfzeile): nichts daraus wurde geladen; ein "
        "Export mit gesetztem Filter oder ein Zeitraum ohne Daten?",
    ),
    "import.no_mql_dates": (
        "{file} has no column {column}: no MQL was read from it (MQLs stored before stay); "
        "add the property to the export to count MQLs and judge their handoff",
        "{file} hat keine Spalte {column}: daraus wurde kein MQL gelesen (schon gespeicherte "
        "bleiben); die Eigenschaft in den Export aufnehmen, damit MQLs gezählt und ihre "
        "Übergabe beurteilt werden",
    ),
    "import.no_mql_dates_german": (
        "{file} has no column {column}: no MQL was read from it (MQLs stored before stay); "
        "its German label is not confirmed, so it is not read: add the property to the "
        "export and rename its column to {column}, or export with HubSpot set to English",
        "{file} hat keine Spalte {column}: daraus wurde kein MQL gelesen (schon gespeicherte "
        "bleiben); ihre deutsche Bezeichnung ist nicht bestätigt und wird daher nicht "
        "gelesen: die Eigenschaft in den Export aufnehmen und ihre Spalte in {column} "
        "umbenennen, oder mit HubSpot auf Englisch exportieren",
    ),
    "import.no_source": (
        '{file} has no column {column}: the source of its new leads was set to "other" '
        "(leads stored before keep theirs); add the property to the export to break leads "
        "down by source",
        "{file} hat keine Spalte {column}: die Quelle seiner neuen Leads wurde auf "
        '"other" gesetzt (schon gespeicherte behalten ihre); die Eigenschaft in den '
        "Export aufnehmen, um Leads nach Quelle aufzuschlüsseln",
    ),
    "import.skipped": ("{file} was not read: {reason}", "{file} wurde nicht gelesen: {reason}"),
    "import.notice": ("{file}: {text}", "{file}: {text}"),
    # what the imports left out and said of the files behind the data (the latest load
    # of each table), where its numbers are shown (the pages, the review pack): rows
    # quarantined count nowhere, and a notice says what the numbers include
    "import.last_quarantined": (
        "Rows quarantined at import are not counted here: {files:items} (the latest import "
        "of each table). See the Data page for why, fix them in the export and import it "
        "again.",
        "In die Quarantäne gelegte Zeilen zählen hier nicht: {files:items} (der letzte "
        "Import jeder Tabelle). Warum, steht auf der Seite Daten; im Export korrigieren und "
        "erneut importieren.",
    ),
    "import.quarantined_file": (
        "{rejected:n} of {read:n} rows of {file}",
        "{rejected:n} von {read:n} Zeilen aus {file}",
    ),
    "import.last_notices": (
        "The imports said what these numbers include: {notes:items}.",
        "Die Importe haben gesagt, was diese Zahlen enthalten: {notes:items}.",
    ),
    "import.currencies_mixed": (
        "amounts in {n} currencies ({currencies}) were loaded as they are, so revenue and "
        "pipeline add one currency to another: add CurrencyType.csv of the same export (its "
        "conversion rates) to convert them to the corporate currency",
        "Beträge in {n} Währungen ({currencies}) wurden unverändert geladen, Umsatz und "
        "Pipeline zählen also eine Währung zur anderen: CurrencyType.csv desselben Exports "
        "(seine Umrechnungskurse) hinzufügen, um sie in die Unternehmenswährung umzurechnen",
    ),
    "import.currencies_converted": (
        "amounts in {currencies} were converted to the corporate currency {corporate} at the "
        "rates of CurrencyType.csv",
        "Beträge in {currencies} wurden zu den Kursen aus CurrencyType.csv in die "
        "Unternehmenswährung {corporate} umgerechnet",
    ),
    "import.currencies_unconverted": (
        "amounts in {currencies} have no rate in CurrencyType.csv and were loaded as they are",
        "Beträge in {currencies} haben keinen Kurs in CurrencyType.csv und wurden unverändert "
        "geladen",
    ),
    "import.deleted_rows": (
        "{file}: {n:n} row(s) of deleted records (IsDeleted: in the recycle bin) were not read",
        "{file}: Zeilen gelöschter Datensätze (IsDeleted: im Papierkorb) nicht gelesen: {n:n}",
    ),
    # HubSpot deals of several pipelines (renewals beside new business): which count as
    # new business is the SLA's agreement (--pipeline), never guessed
    "import.pipelines_all": (
        "deals of {n} pipelines ({counts}) all count as opportunities, and their won amounts "
        "as new revenue: to count one pipeline's deals only, import with --pipeline and its "
        "name (on the Data page: Deal pipelines)",
        "Deals aus {n} Pipelines ({counts}) zählen alle als Opportunities und ihre gewonnenen "
        "Beträge als Neuumsatz: um nur die Deals einer Pipeline zu zählen, mit --pipeline und "
        "ihrem Namen importieren (auf der Seite Daten: Deal-Pipelines)",
    ),
    # deal stages that look closing but that an adapter reads as open (no won or lost label,
    # no field that says it): their won amounts would be missing silently
    "import.deal_stages_open": (
        "deals in stages whose label names no won or lost stage were read as open ({stages}): "
        "a custom stage that closes a deal is read by the fields {fields}, so export the "
        "deals with them",
        "Deals in Phasen, deren Name keine gewonnene oder verlorene Phase nennt, wurden als "
        "offen gelesen ({stages}): eine eigene Phase, die einen Deal schließt, wird über die "
        "Felder {fields} gelesen, also die Deals mit ihnen exportieren",
    ),
    "import.pipelines_left_out": (
        "deals of pipelines other than {chosen} were not read ({counts}; {n:n} in all); "
        "ones stored by an earlier import stay until an import with --replace",
        "Deals anderer Pipelines als {chosen} nicht gelesen ({counts}; insgesamt {n:n}); von "
        "einem früheren Import gespeicherte bleiben bis zu einem Import mit --replace",
    ),
    "import.pipelines_no_column": (
        "--pipeline: this deals export has no Pipeline column (export the deals with their "
        "Pipeline property)",
        "--pipeline: dieser Deal-Export hat keine Spalte Pipeline (die Deals mit ihrer "
        "Eigenschaft Pipeline exportieren)",
    ),
    "import.pipelines_no_deals": (
        "--pipeline chooses HubSpot deals, and the export has no deals file",
        "--pipeline wählt HubSpot-Deals aus, und der Export hat keine Deal-Datei",
    ),
    # Salesforce opportunities of several types (a renewal beside new business), as above
    "import.opportunity_types_all": (
        "opportunities of {n} types ({counts}) all count, and their won amounts as new "
        "revenue: to count one type's opportunities only, import with --opportunity-type and "
        "its name (on the Data page: Opportunity types)",
        "Opportunities von {n} Typen ({counts}) zählen alle, und ihre gewonnenen Beträge als "
        "Neuumsatz: um nur die Opportunities eines Typs zu zählen, mit --opportunity-type "
        "und seinem Namen importieren (auf der Seite Daten: Opportunity-Typen)",
    ),
    "import.opportunity_types_left_out": (
        "opportunities of types other than {chosen} were not read ({counts}; {n:n} in all); "
        "ones stored by an earlier import stay until an import with --replace",
        "Opportunities anderer Typen als {chosen} nicht gelesen ({counts}; insgesamt {n:n}); "
        "von einem früheren Import gespeicherte bleiben bis zu einem Import mit --replace",
    ),
    "import.opportunity_types_no_column": (
        "--opportunity-type: this Opportunity export has no Type column (export the "
        "opportunities with their Type field)",
        "--opportunity-type: dieser Opportunity-Export hat keine Spalte Type (die "
        "Opportunities mit ihrem Feld Type exportieren)",
    ),
    "import.opportunity_types_no_deals": (
        "--opportunity-type chooses Salesforce opportunities, and the export has no "
        "Opportunity file",
        "--opportunity-type wählt Salesforce-Opportunities aus, und der Export hat keine "
        "Opportunity-Datei",
    ),
    "import.opportunity_types_unknown": (
        "--opportunity-type {chosen}: no opportunity of the export is of this type; its types: "
        "{found}",
        "--opportunity-type {chosen}: keine Opportunity des Exports hat diesen Typ; seine "
        "Typen: {found}",
    ),
    "import.pipelines_unknown": (
        "--pipeline {chosen}: no deal of the export is in this pipeline; its pipelines: {found}",
        "--pipeline {chosen}: kein Deal des Exports ist in dieser Pipeline; seine Pipelines: "
        "{found}",
    ),
    # why a file of an export's folder is not read (import.skipped's reason)
    "skip.folder": (
        "a folder: the import reads the files of the folder it is given, not those of "
        "folders in it",
        "ein Ordner: der Import liest die Dateien des angegebenen Ordners, nicht die von "
        "Ordnern darin",
    ),
    "skip.not_csv": (
        "not a CSV file or workbook (.xlsx, .xls, .ods): this format reads CSV and Excel or "
        "LibreOffice exports",
        "keine CSV-Datei oder Arbeitsmappe (.xlsx, .xls, .ods): dieses Format liest CSV- und "
        "Excel- oder LibreOffice-Exporte",
    ),
    "skip.named": (
        "not a file this format reads; it reads: {reads:list}",
        "keine Datei, die dieses Format liest; es liest: {reads:list}",
    ),
    "skip.canonical": (
        "not a file this format reads; it reads: {reads:list} (each also as .parquet, .xlsx, "
        ".xls or .ods)",
        "keine Datei, die dieses Format liest; es liest: {reads:list} (jede auch als .parquet, "
        ".xlsx, .xls oder .ods)",
    ),
    # HubSpot names the columns in the exporting user's language; English is read, German
    # for contacts, companies and deals (no other language's labels could be confirmed)
    "skip.hubspot": (
        "not a HubSpot export of contacts, companies, deals, calls or e-mails; the header "
        "has: {header} (HubSpot names the columns in the language of the user who exports: "
        "export it again with English as your HubSpot language, or import it with a mapping "
        'file: sla import --format mapping:FILE, on the Data page "Any CSV, with a mapping '
        'file")',
        "kein HubSpot-Export von Kontakten, Unternehmen, Deals, Anrufen oder E-Mails; die "
        "Kopfzeile hat: {header} (HubSpot benennt die Spalten in der Sprache des "
        "exportierenden Benutzers: mit Englisch als HubSpot-Sprache erneut exportieren oder "
        "mit einer Mapping-Datei importieren: sla import --format mapping:DATEI, auf der "
        "Seite Daten „Beliebige CSV-Datei mit Mapping-Datei“)",
    ),
    "skip.salesforce": (
        "not a Salesforce export of Lead, Contact, Account, Opportunity, Task, LeadHistory "
        "or User by API field names; the header has: {header}",
        "kein Salesforce-Export von Lead, Contact, Account, Opportunity, Task, LeadHistory "
        "oder User mit API-Feldnamen; die Kopfzeile hat: {header}",
    ),
    "skip.olist": (
        "not a file of Olist's marketing funnel (olist_marketing_qualified_leads.csv with "
        "{mqls:list}; olist_closed_deals.csv with {deals:list}); the header has: {header}",
        "keine Datei von Olists Marketing-Funnel (olist_marketing_qualified_leads.csv mit "
        "{mqls:list}; olist_closed_deals.csv mit {deals:list}); die Kopfzeile hat: {header}",
    ),
    "import.undated": (
        "{file} has no dates: every row was dated {day} (the file's date); conversions and "
        "breakdowns hold, monthly trends, ages and forecasts do not",
        "{file} enthält keine Datumsangaben: jede Zeile wurde auf den {day} datiert (das "
        "Datum der Datei); Konversionen und Aufschlüsselungen gelten, Monatsverläufe, Alter "
        "und Prognosen nicht",
    ),
    "import.placeholder_reps": (
        "{n} rep id(s) not in a reps file were created as placeholder reps (no name, no team)",
        "Als Platzhalter angelegte Mitarbeiter (IDs ohne Eintrag in einer reps-Datei, ohne "
        "Name, ohne Team): {n}",
    ),
    "import.unchecked_accounts": (
        "{n} row(s) name an account, but no accounts were imported: their account ids are "
        "kept unchecked (import accounts.csv to check them)",
        "Zeilen mit einer Account-ID, obwohl keine Accounts importiert wurden: {n}; ihre "
        "Account-IDs bleiben ungeprüft (accounts.csv importieren, um sie zu prüfen)",
    ),
    "import.other_formats": (
        "{table}: {n:n} row(s) that only imports of another format brought were kept: a "
        "{fmt} --replace speaks only for what {fmt} imports loaded",
        "{table}: Zeilen, die nur Importe eines anderen Formats brachten, wurden behalten: "
        "{n:n}; ein --replace im Format {fmt} spricht nur für das, was Importe im Format "
        "{fmt} geladen haben",
    ),
    "import.after_import": (
        "{file}, column {column}: {rows:n} row(s) dated after this import ({imported}), the "
        "first on line {line} ({value}): they are loaded, but the data counts as known only "
        "until the import (a mistyped year?)",
        "{file}, Spalte {column}: Zeilen nach diesem Import ({imported}) datiert: {rows:n}, "
        "die erste in Zeile {line} ({value}); sie werden geladen, aber die Daten gelten nur "
        "bis zum Import als bekannt (ein vertipptes Jahr?)",
    ),
    "demo.after_load": (
        "--end {end}: the demo's data runs through that day, past this load ({loaded}); its "
        "rows dated after the load are written, but the data counts as known only until the "
        "load, so they are not shown (leave --end out for data until today)",
        "--end {end}: die Daten der Demo reichen bis zum Ende dieses Tages, über diesen "
        "Ladevorgang ({loaded}) hinaus; ihre danach datierten Zeilen werden geschrieben, aber "
        "die Daten gelten nur bis zum Ladevorgang als bekannt, daher werden sie nicht "
        "angezeigt (--end weglassen für Daten bis heute)",
    ),
    "import.preview_purged": (
        "{db} was purged (sla purge) while the preview ran, which removes every preview: "
        "nothing was imported; preview the files again",
        "{db} wurde bereinigt (sla purge), während die Vorschau lief, was jede Vorschau "
        "entfernt: nichts wurde importiert; bitte die Vorschau erneut erstellen",
    ),
    "import.into_demo": (
        "{db} holds the demo's data ({demo}); this import ({what}) added {added} to it, so "
        "every page, review and notebook on this warehouse now counts the demo's data and "
        "the import's as one company. To review the export alone, import it into a warehouse "
        "of its own (--db NEW.duckdb) and open the app on that (SLA_DB=NEW.duckdb make run); "
        "`sla purge --load {load} --db {db}` takes this import out of {db} again",
        "{db} enthält die Daten der Demo ({demo}); dieser Import ({what}) hat {added} "
        "hinzugefügt, daher zählen alle Seiten, Reviews und Notebooks auf diesem Warehouse "
        "die Daten der Demo und des Imports jetzt als ein Unternehmen. Um den Export allein "
        "auszuwerten, importieren Sie ihn in ein eigenes Warehouse (--db NEU.duckdb) und "
        "öffnen die App darauf (SLA_DB=NEU.duckdb make run); `sla purge --load {load} --db "
        "{db}` nimmt diesen Import wieder aus {db} heraus",
    ),
    "import.other_value": (
        "{table}.{column}: the unknown value '{value}' ({rows} rows) was loaded as 'other'; "
        "{config} in the SLA config accepts it",
        "{table}.{column}: der unbekannte Wert '{value}' ({rows} Zeilen) wurde als 'other' "
        "geladen; {config} in der SLA-Konfiguration lässt ihn zu",
    ),
    "reject.lead_rejected": (
        "lead {lead} was rejected: {file} line {line}, {column} {cause}",
        "Lead {lead} wurde abgewiesen: {file} Zeile {line}, {column} {cause}",
    ),
    # -- the outcomes' horizon (analytics/scoring/rules.py: horizon_note) --
    "scoring.horizon.events": (
        "outcomes are known only until {day} (the last lifecycle event); leads whose "
        "{days:n}-day window runs past it are not judged",
        "Ergebnisse sind nur bis {day} bekannt (das letzte Lifecycle-Ereignis); Leads, deren "
        "{days:n}-Tage-Fenster darüber hinausreicht, werden nicht beurteilt",
    ),
    "scoring.horizon.import": (
        "outcomes are known only until {day} (the latest import); leads whose {days:n}-day "
        "window runs past it are not judged",
        "Ergebnisse sind nur bis {day} bekannt (der letzte Import); Leads, deren "
        "{days:n}-Tage-Fenster darüber hinausreicht, werden nicht beurteilt",
    ),
    # -- the recommended MQL threshold (analytics/scoring/thresholds.py) --
    "threshold.none": (
        "No threshold has MQLs whose conversion window has closed yet, so none is recommended.",
        "Bei keiner Schwelle gibt es schon MQLs mit abgeschlossenem Konversionsfenster, "
        "daher wird keine empfohlen.",
    ),
    "threshold.capacity_unknown": (
        "Threshold {threshold:g} gives the most expected SQLs ({sqls:n1} a month); the reps' "
        "weekly capacity is unknown, so workload was not checked.",
        "Die Schwelle {threshold:g} ergibt die meisten erwarteten SQLs ({sqls:n1} im Monat); "
        "die Wochenkapazität des Vertriebs ist unbekannt, daher wurde die Auslastung nicht "
        "geprüft.",
    ),
    "threshold.over_capacity": (
        "No threshold keeps MQLs within the reps' weekly capacity; {threshold:g} comes closest "
        "(workload {workload:pct} of capacity, {sqls:n1} expected SQLs a month).",
        "Keine Schwelle hält die MQLs innerhalb der Wochenkapazität des Vertriebs; "
        "{threshold:g} kommt am nächsten (Auslastung {workload:pct} der Kapazität, {sqls:n1} "
        "erwartete SQLs im Monat).",
    ),
    "threshold.within_capacity": (
        "Threshold {threshold:g} gives the most expected SQLs ({sqls:n1} a month) while its "
        "{mqls:n} MQLs a week stay within the reps' capacity ({workload:pct} of it).",
        "Die Schwelle {threshold:g} ergibt die meisten erwarteten SQLs ({sqls:n1} im Monat), "
        "und ihre {mqls:n} MQLs pro Woche bleiben innerhalb der Kapazität des Vertriebs "
        "({workload:pct} davon).",
    ),
    # -- reasons per lead (analytics/scoring/reasons.py) -----------------------------------
    "reasons.fit_cap": ("fit cap", "Obergrenze Fit"),
    "reasons.interest_cap": ("interest cap", "Obergrenze Interesse"),
    # -- a saved model's card (analytics/scoring/model.py: read_card) ----------------------
    "model.card.invalid_json": (
        "invalid JSON at line {line} column {column}",
        "kein gültiges JSON in Zeile {line}, Spalte {column}",
    ),
    "model.card.not_text": ("not UTF-8 text", "kein UTF-8-Text"),
    "model.card.not_object": (
        "not a JSON object (found: {found})",
        "kein JSON-Objekt (gefunden: {found})",
    ),
    "model.card.missing_key": ("missing key {key}", "der Schlüssel {key} fehlt"),
    "model.card.not_names": (
        "key {key} is not a list of feature names",
        "der Schlüssel {key} ist keine Liste von Merkmalsnamen",
    ),
    "model.card.not_mapping": (
        "key {key} is not a JSON object",
        "der Schlüssel {key} ist kein JSON-Objekt",
    ),
    "model.card.not_number": ("key {key} is not a number", "der Schlüssel {key} ist keine Zahl"),
    "model.card.not_days": (
        "key {key} is not a number of days from 0 to 36525",
        "der Schlüssel {key} ist keine Zahl von Tagen von 0 bis 36525",
    ),
    "model.card.not_string": ("key {key} is not a text", "der Schlüssel {key} ist kein Text"),
    "model.card.not_timestamp": (
        "key {key} is not an ISO 8601 timestamp",
        "der Schlüssel {key} ist kein ISO-8601-Zeitpunkt",
    ),
    "model.card.not_leads": (
        "key {key} is not a list of leads (lead_id, scored_at)",
        "der Schlüssel {key} ist keine Liste von Leads (lead_id, scored_at)",
    ),
    # -- a saved model against the config in force and the warehouse (model.check_card) --
    "model.check.window": (
        "The saved model {version} was trained with funnel.window_days {trained} (SLA config "
        "{config_version}), the config in force has {now}: it predicts another label, so its "
        "quality is not judged; retrain with `sla score train`.",
        "Das gespeicherte Modell {version} wurde mit funnel.window_days {trained} trainiert "
        "(SLA-Konfiguration {config_version}), die gültige Konfiguration hat {now}: es sagt "
        "ein anderes Ziel voraus, seine Güte wird daher nicht beurteilt; trainieren Sie es neu "
        "mit `sla score train`.",
    ),
    "model.check.points": (
        "The saved model {version} was trained with other scoring points or size bands (SLA "
        "config {config_version}) than the config in force ({now_version}): its inputs score, "
        "fit_points, interest_points and size_band mean something else now; retrain with "
        "`sla score train`.",
        "Das gespeicherte Modell {version} wurde mit anderen Score-Punkten oder "
        "Größenklassen trainiert (SLA-Konfiguration {config_version}) als die gültige "
        "Konfiguration ({now_version}): seine Eingaben score, fit_points, interest_points und "
        "size_band bedeuten jetzt etwas anderes; trainieren Sie es neu mit `sla score train`.",
    ),
    "model.check.warehouse": (
        "The saved model {version} was evidently trained on another warehouse: none of its "
        "{n} reference leads (e.g. {lead}) is in this one with the same creation time; "
        "retrain with `sla score train`.",
        "Das gespeicherte Modell {version} wurde offenbar mit einem anderen Data Warehouse "
        "trainiert: keiner seiner {n} Referenz-Leads (z. B. {lead}) ist mit demselben "
        "Anlagezeitpunkt in diesem; trainieren Sie es neu mit `sla score train`.",
    ),
    "model.check.unchecked": (
        "The saved model {version}'s card was written before these checks: whether it was "
        "trained {what} cannot be checked.",
        "Die Karte des gespeicherten Modells {version} stammt von vor diesen Prüfungen: ob es "
        "{what} trainiert wurde, lässt sich nicht prüfen.",
    ),
    "model.check.what.window": ("for this label window", "für dieses Zielfenster"),
    "model.check.what.points": (
        "with the scoring points in force",
        "mit den gültigen Score-Punkten",
    ),
    "model.check.what.warehouse": ("on this warehouse", "mit diesem Data Warehouse"),
    "model.check.erased": (
        "The saved model {version}'s reference leads were all erased (`sla purge`): whether "
        "it was trained on this warehouse cannot be checked.",
        "Die Referenz-Leads des gespeicherten Modells {version} wurden alle gelöscht "
        "(`sla purge`): ob es mit diesem Data Warehouse trainiert wurde, lässt sich nicht "
        "prüfen.",
    ),
    "model.card.unreadable": (
        "The saved model {model} is not used: its card {card} cannot be read ({problem}). "
        "The list shows no model factors; retrain with `sla score train`.",
        "Das gespeicherte Modell {model} wird nicht verwendet: seine Karte {card} ist nicht "
        "lesbar ({problem}). Die Liste zeigt keine Faktoren des Modells; trainieren Sie es neu "
        "mit `sla score train`.",
    ),
    # -- a saved model's file (analytics/scoring/model.py: load_model) --------------------
    "model.card.missing": ("the model's card is missing", "die Karte des Modells fehlt"),
    "model.file.missing": ("no such model file", "die Modelldatei fehlt"),
    "model.file.dangling": (
        "a link to {target}, which does not exist",
        "ein Verweis auf {target}, das es nicht gibt",
    ),
    "model.file.folder": ("a folder, not a model file", "ein Ordner, keine Modelldatei"),
    "model.file.not_file": ("not a model file", "keine Modelldatei"),
    "model.older_unused": (
        " The older saved model {older} is not used in its place: remove {model} to use it.",
        " Das ältere gespeicherte Modell {older} wird nicht an seiner Stelle verwendet: "
        "entfernen Sie {model}, um es zu verwenden.",
    ),
    "model.file.none": (
        "no score-*.skops model{hint}; train one: `sla score train`",
        "kein score-*.skops-Modell{hint}; trainieren Sie eines mit `sla score train`",
    ),
    "model.file.pickles": (
        " ({n} pickle model(s) of an older version are not loaded: a pickle can run code "
        "when loaded)",
        " (Pickle-Modelle einer älteren Version werden nicht geladen, hier {n}: ein Pickle "
        "kann beim Laden Code ausführen)",
    ),
    "model.file.not_skops": (
        "not loaded: only .skops models are read (a pickle such as a .joblib file can run "
        "code when loaded); retrain with `sla score train`",
        "nicht geladen: nur .skops-Modelle werden gelesen (ein Pickle wie eine .joblib-Datei "
        "kann beim Laden Code ausführen); trainieren Sie es neu mit `sla score train`",
    ),
    "model.file.unreadable": ("not a readable skops model", "kein lesbares skops-Modell"),
    "model.file.unexpected_types": (
        "not loaded: it holds types a scoring model never has: {types:list}",
        "nicht geladen: es enthält Typen, die ein Scoring-Modell nie hat: {types:list}",
    ),
    "model.file.not_scoring": (
        "not a scoring model (found {found})",
        "kein Scoring-Modell (gefunden: {found})",
    ),
    "model.unloadable": (
        "The saved model {model} is not used: it cannot be loaded ({problem}). The list shows "
        "no model factors; retrain with `sla score train`.",
        "Das gespeicherte Modell {model} wird nicht verwendet: es lässt sich nicht laden "
        "({problem}). Die Liste zeigt keine Faktoren des Modells; trainieren Sie es neu mit "
        "`sla score train`.",
    ),
    # -- the recommendation on extra SQLs per extra MQL (analytics/scoring/thresholds.py) --
    "threshold.current_unknown": (
        "Today's threshold {threshold:g} has no MQLs whose conversion window has closed, so "
        "what a higher or lower one would change is unknown and none is recommended.",
        "Die heutige Schwelle {threshold:g} hat keine MQLs, deren Konversionsfenster "
        "geschlossen ist: Was eine höhere oder niedrigere änderte, ist unbekannt, daher wird "
        "keine empfohlen.",
    ),
    "threshold.keep": (
        "Keep {threshold:g}: no lower threshold's extra MQLs brought at least {minimum:pct} "
        "SQLs each (the configured minimum), and the MQLs a higher one would drop converted "
        "at {minimum:pct} or better.",
        "{threshold:g} beibehalten: Bei keiner niedrigeren Schwelle brachten die zusätzlichen "
        "MQLs mindestens {minimum:pct} SQLs je MQL (das konfigurierte Minimum), und die MQLs, "
        "die eine höhere wegließe, konvertierten mit {minimum:pct} oder mehr.",
    ),
    "threshold.keep_unobserved": (
        "Keep {threshold:g}: the leads below it were never handed over, so no lower threshold "
        "has outcomes to be judged by; the MQLs a higher one would drop converted at "
        "{minimum:pct} or better.",
        "{threshold:g} beibehalten: Die Leads darunter gingen nie an den Vertrieb, daher hat "
        "keine niedrigere Schwelle Ergebnisse, an denen sie sich messen ließe; die MQLs, die "
        "eine höhere wegließe, konvertierten mit {minimum:pct} oder mehr.",
    ),
    "threshold.lower": (
        "Lower to {threshold:g}: its {extra:n} extra MQLs a month brought {ratio:pct1} SQLs "
        "each (observed; at least {minimum:pct} wanted) and stay within the reps' capacity "
        "({workload:pct} of it).",
        "Auf {threshold:g} senken: Die {extra:n} zusätzlichen MQLs im Monat brachten "
        "{ratio:pct1} SQLs je MQL (beobachtet; mindestens {minimum:pct} verlangt) und bleiben "
        "innerhalb der Kapazität des Vertriebs ({workload:pct} davon).",
    ),
    "threshold.raise": (
        "Raise to {threshold:g}: the {extra:n} MQLs a month it drops brought only "
        "{ratio:pct1} SQLs each (less than the {minimum:pct} wanted).",
        "Auf {threshold:g} anheben: Die {extra:n} MQLs im Monat, die wegfallen, brachten nur "
        "{ratio:pct1} SQLs je MQL (weniger als die verlangten {minimum:pct}).",
    ),
    "threshold.raise_capacity": (
        "Today's threshold {current:g} is over the reps' capacity ({now:pct} of it); "
        "{threshold:g} is the lowest threshold within it ({workload:pct}).",
        "Die heutige Schwelle {current:g} liegt über der Kapazität des Vertriebs ({now:pct} "
        "davon); {threshold:g} ist die niedrigste Schwelle innerhalb ({workload:pct}).",
    ),
    "threshold.estimated_option": (
        " Lowering to {threshold:g} would add {extra:n} MQLs a month that were never handed "
        "over: from the score's calibration, about {ratio:pct1} SQLs per extra MQL (range "
        "{low:pct1} to {high:pct1}), an estimate, not an observation; only a trial with sales "
        "can confirm it.",
        " Eine Senkung auf {threshold:g} brächte {extra:n} MQLs im Monat, die nie an den "
        "Vertrieb gingen: nach der Kalibrierung des Scores etwa {ratio:pct1} SQLs je "
        "zusätzlichem MQL (Spanne "
        "{low:pct1} bis {high:pct1}), eine Schätzung, keine Beobachtung; nur ein Versuch mit "
        "dem Vertrieb kann sie bestätigen.",
    ),
    "threshold.no_capacity_check": (
        " The reps' weekly capacity is unknown, so workload was not checked.",
        " Die Wochenkapazität des Vertriebs ist unbekannt, daher wurde die Auslastung nicht "
        "geprüft.",
    ),
    # -- at risk now (analytics.alerts) and notifications (analytics.notify) --------------
    "alert_kind.first_touch": ("First touch", "Erstkontakt"),
    "alert_kind.cadence": ("Cadence", "Kadenz"),
    "alert_kind.stale": ("Going stale", "Droht liegenzubleiben"),
    "alert_kind.nurture_enrolment": ("Nurture enrolment", "Aufnahme ins Nurturing"),
    "alert_status.overdue": ("overdue", "überfällig"),
    "alert_status.at_risk": ("at risk", "gefährdet"),
    "alert.todo.first_touch": ("First touch by {deadline}", "Erstkontakt bis {deadline}"),
    "alert.todo.cadence": (
        "Attempt {n} of {m} by {deadline} (at least {gap:g} h after the last)",
        "Versuch {n} von {m} bis {deadline} (mindestens {gap:g} h nach dem letzten)",
    ),
    "alert.todo.stale": (
        "Reach the lead, or hand it back to marketing, by {deadline}",
        "Lead erreichen oder bis {deadline} an das Marketing zurückgeben",
    ),
    "alert.todo.nurture_enrolment": (
        "Enrol in the nurture track {track} by {deadline}",
        "Bis {deadline} in den Nurture-Track {track} aufnehmen",
    ),
    "alert.todo.nurture_enrolment_any": (
        "Enrol in a nurture track by {deadline}",
        "Bis {deadline} in einen Nurture-Track aufnehmen",
    ),
    "alert.not_covered": (
        "No “{kind}” alerts: the {table} table has no rows (import it to be warned)",
        "Keine Warnungen der Art „{kind}“: die Tabelle {table} ist leer "
        "(importieren, um gewarnt zu werden)",
    ),
    "alert.after_import": (
        "No “{kind}” alerts: the {table} rows are all dated after the latest import "
        "({imported}), and the data counts as known only until the import (a mistyped year?)",
        "Keine Warnungen der Art „{kind}“: die Zeilen von {table} sind alle nach dem letzten "
        "Import ({imported}) datiert, und die Daten gelten nur bis zum Import als bekannt (ein "
        "vertipptes Jahr?)",
    ),
    "alert.not_measurable": (
        "No “{kind}” alerts: the monthly review cannot measure them either. {reason}",
        "Keine Warnungen der Art „{kind}“: auch die Monatsbesprechung kann sie nicht messen. "
        "{reason}",
    ),
    "alert.touches_stopped": (
        "No first-touch, cadence or stale alerts: the last sales touch recorded is from "
        "{day}, and none since on {n} or more working days, so the data cannot tell whether "
        "anyone was contacted (import the touches since then to be warned).",
        "Keine Warnungen zu Erstkontakt, Kadenz oder Liegenbleiben: die letzte erfasste "
        "Vertriebsaktivität ist vom {day}, seitdem an {n} oder mehr Arbeitstagen keine, "
        "daher sagen die Daten nicht, ob jemand kontaktiert wurde (die Aktivitäten seitdem "
        "importieren, um gewarnt zu werden).",
    ),
    "alert.lifecycle_stopped": (
        "No first-touch, cadence or stale alerts: the last lifecycle event recorded is from "
        "{day}, and none since on {n} or more working days while sales touches or new leads "
        "went on, so the data cannot tell which leads have become MQLs or SQLs since, or were "
        "recycled or disqualified (import the lifecycle events since then to be warned).",
        "Keine Warnungen zu Erstkontakt, Kadenz oder Liegenbleiben: das letzte erfasste "
        "Lebenszyklus-Ereignis ist vom {day}, seitdem an {n} oder mehr Arbeitstagen keines, "
        "während Vertriebsaktivitäten oder neue Leads weiterliefen, daher sagen die Daten "
        "nicht, welche Leads seitdem zu MQLs oder SQLs wurden oder recycelt oder "
        "disqualifiziert wurden (die Lebenszyklus-Ereignisse seitdem importieren, um gewarnt "
        "zu werden).",
    ),
    "alert.none_judged": (
        "No kind of alert can be judged: the {tables:list} tables have no rows, so nothing "
        "is known to be overdue, at risk or in time (import them to be warned).",
        "Keine Art von Warnung lässt sich beurteilen: die Tabellen {tables:list} sind leer, "
        "also ist nichts als überfällig, gefährdet oder rechtzeitig bekannt (importieren, um "
        "gewarnt zu werden).",
    ),
    "alert.none_judged_after_import": (
        "No kind of alert can be judged: the {tables:list} rows are all dated after the latest "
        "import ({imported}), so nothing is known to be overdue, at risk or in time (the data "
        "counts as known only until the import: a mistyped year?).",
        "Keine Art von Warnung lässt sich beurteilen: die Zeilen von {tables:list} sind alle "
        "nach dem letzten Import ({imported}) datiert, also ist nichts als überfällig, "
        "gefährdet oder rechtzeitig bekannt (die Daten gelten nur bis zum Import als bekannt: "
        "ein vertipptes Jahr?).",
    ),
    "alert.version": (
        "These alerts use SLA version {version} (in force from {since}), the one that judges "
        "{month}: a version judges a month, and warns in it, when it is in force on the "
        "month's first day. The config file {path} holds version {given} (from "
        "{given_since}).",
        "Diese Warnungen folgen SLA-Version {version} (gültig ab {since}), nach der {month} "
        "bewertet wird: eine Version bewertet einen Monat und warnt in ihm, wenn sie an "
        "seinem ersten Tag gilt. Die Konfigurationsdatei {path} enthält Version {given} "
        "(gültig ab {given_since}).",
    ),
    "score.version": (
        "Today's MQL threshold ({threshold:g}) and scoring points are those of SLA version "
        "{version} (in force from {since}), the one that judges {month}: a version judges a "
        "month when it is in force on the month's first day. The config file {path} holds "
        "version {given} (from {given_since}, MQL threshold {given_threshold:g}).",
        "Die heutige MQL-Schwelle ({threshold:g}) und die Scoring-Punkte sind die der "
        "SLA-Version {version} (gültig ab {since}), nach der {month} bewertet wird: eine "
        "Version bewertet einen Monat, wenn sie an seinem ersten Tag gilt. Die "
        "Konfigurationsdatei {path} enthält Version {given} (gültig ab {given_since}, "
        "MQL-Schwelle {given_threshold:g}).",
    ),
    "notify.clock.calendar": ("hours", "Stunden"),
    "notify.clock.business": ("business hours", "Arbeitsstunden"),
    "notify.subject.new_mql": (
        "[SLA] New MQL {lead} ({company}): first touch by {deadline}",
        "[SLA] Neuer MQL {lead} ({company}): Erstkontakt bis {deadline}",
    ),
    "notify.body.new_mql": (
        "Lead {lead} of {company} became an MQL on {started} ({trigger}). The SLA asks for "
        "a first touch within {hours:g} {clock}: by {deadline}.",
        "Lead {lead} von {company} wurde am {started} zum MQL ({trigger}). Das SLA verlangt "
        "einen Erstkontakt innerhalb von {hours:g} {clock}: bis {deadline}.",
    ),
    "notify.subject.digest": (
        "[SLA] {n:n} of your leads need you: {overdue:n} overdue, {at_risk:n} at risk",
        "[SLA] {n:n} Ihrer Leads brauchen Sie: {overdue:n} überfällig, {at_risk:n} gefährdet",
    ),
    "notify.line.alert": (
        "{status}: {kind}, lead {lead} ({company}): {todo}",
        "{status}: {kind}, Lead {lead} ({company}): {todo}",
    ),
    "notify.subject.summary": (
        "[SLA] Team {team}, {day}: {overdue:n} overdue, {at_risk:n} at risk, new MQLs: {new:n}",
        "[SLA] Team {team}, {day}: {overdue:n} überfällig, {at_risk:n} gefährdet, "
        "neue MQLs: {new:n}",
    ),
    "notify.line.summary_rep": (
        "{rep}: {overdue:n} overdue, {at_risk:n} at risk",
        "{rep}: {overdue:n} überfällig, {at_risk:n} gefährdet",
    ),
    "notify.line.summary_unassigned": (
        "Leads of no team (no owner, or one the reps table lacks; every team's): "
        "{overdue:n} overdue, {at_risk:n} at risk",
        "Leads ohne Team (ohne Zuständigen oder mit einem, den die Mitarbeitertabelle nicht "
        "kennt; für jedes Team): {overdue:n} überfällig, {at_risk:n} gefährdet",
    ),
    "notify.summary.none": ("Nothing at risk in the team.", "Im Team ist nichts gefährdet."),
    "notify.footer": (
        "Sent by sla notify, as of {as_of}. The same list is on the app's At risk now page.",
        "Gesendet von sla notify, Stand {as_of}. Dieselbe Liste steht in der App auf der "
        "Seite Jetzt gefährdet.",
    ),
    "notify.company.none": ("no company", "ohne Unternehmen"),
    "set.line_value": (
        "{n:g} hours ({clock}) for {when:list}",
        "{n:g} Stunden ({clock}) für {when:list}",
    ),
    "set.line_condition": ("{key} {v}", "{key} {v}"),
    "line_key.source": ("source", "Quelle"),
    "line_key.country": ("country", "Land"),
    "line_key.team": ("team", "Team"),
    "line_key.size_band": ("size band", "Größenklasse"),
    "set.section.notify": ("Notifications", "Benachrichtigungen"),
    "set.notify_send": ("Sends", "Versendet"),
    "set.notify_recipients": ("Recipients", "Empfänger"),
    "set.notify_recipients_value": (
        "{reps:n} reps, {leads:n} team leads",
        "{reps:n} Mitarbeiter, {leads:n} Teamleitungen",
    ),
    "notify_kind.new_mql": (
        "new-MQL handoff to the owner",
        "Übergabe neuer MQLs an den Verantwortlichen",
    ),
    "notify_kind.at_risk_digest": ("at-risk digest per rep", "Gefährdet-Übersicht pro Mitarbeiter"),
    "notify_kind.daily_summary": ("daily summary to team leads", "Tagesübersicht an Teamleitungen"),
    # -- the canonical tables, as people call them (the Data page) --
    "table.accounts": ("Accounts", "Unternehmen"),
    "table.reps": ("Reps", "Mitarbeiter"),
    "table.leads": ("Leads", "Leads"),
    "table.lifecycle_events": ("Lifecycle events", "Phasenwechsel"),
    "table.activities": ("Marketing activities", "Marketing-Aktivitäten"),
    "table.sales_touches": ("Sales touches", "Vertriebskontakte"),
    "table.nurture_enrollments": ("Nurture enrollments", "Nurturing-Aufnahmen"),
    "table.opportunities": ("Opportunities", "Opportunities"),
    "table.web_traffic": ("Web traffic", "Website-Besuche"),
    "yes": ("yes", "ja"),
    "no": ("no", "nein"),
    "leak_step.never_assigned": ("never assigned", "nie zugewiesen"),
    # every untouched episode, those whose first touch is still due too (a partition of the
    # month's episodes), unlike "Never contacted", which counts the breaches
    "leak_step.never_touched": (
        "assigned, never touched (incl. first touch still due)",
        "zugewiesen, nie kontaktiert (inkl. Erstkontakt noch fällig)",
    ),
    "leak_step.under_worked": (
        "touched fewer than the agreed attempts",
        "weniger Versuche als vereinbart",
    ),
    "leak_step.recycled": ("recycled", "recycelt"),
    "leak_step.disqualified": ("disqualified", "disqualifiziert"),
    "leak_step.sql": ("SQL", "SQL"),
    "leak_step.open": ("still open", "noch offen"),
    "leak_step.not_judged": (
        "not judged: ran past the last sales touch recorded",
        "nicht bewertet: über die letzte erfasste Vertriebsaktivität hinaus",
    ),
    "leak_step.not_judged_events": (
        "not judged: ran past the last lifecycle event recorded",
        "nicht bewertet: über das letzte erfasste Lebenszyklus-Ereignis hinaus",
    ),
    # -- coverage: what the data can answer (spec/coverage.md) --
    "coverage.group.visitors": ("Website visitors", "Website-Besucher"),
    "coverage.group.funnel": ("Funnel volumes and rates", "Trichter: Mengen und Quoten"),
    "coverage.group.lead_stage": ("Leads (all, not only MQLs)", "Leads (alle, nicht nur MQLs)"),
    "coverage.group.mql_stage": ("MQLs", "MQLs"),
    "coverage.group.sal_stage": ("SALs (accepted by sales)", "SALs (vom Vertrieb angenommen)"),
    "coverage.group.sql_stage": ("SQLs", "SQLs"),
    "coverage.group.opportunity_stage": ("Opportunities (stage)", "Opportunities (Phase)"),
    "coverage.group.customer_stage": ("Customers", "Kunden"),
    "coverage.group.recycled_stage": ("Recycled leads", "Recycelte Leads"),
    "coverage.group.disqualified_stage": ("Disqualified leads", "Disqualifizierte Leads"),
    "coverage.group.revenue": ("Revenue and pipeline", "Umsatz und Pipeline"),
    "coverage.group.deals": ("Deals won", "Gewonnene Abschlüsse"),
    "coverage.group.handoff": ("Speed to lead (handoff)", "Reaktionszeit (Übergabe)"),
    "coverage.group.cadence": ("Contact cadence", "Kontaktkadenz"),
    "coverage.group.acceptance": ("Acceptance and rejection", "Annahme und Ablehnung"),
    "coverage.group.recycling": (
        "Recycling and stale leads",
        "Recycling und liegengebliebene Leads",
    ),
    "coverage.group.nurture": ("Nurture", "Nurturing"),
    "coverage.group.scoring_fit": ("Lead score: fit", "Lead-Score: Passung"),
    "coverage.group.scoring_interest": ("Lead score: interest", "Lead-Score: Interesse"),
    "coverage.group.reps": ("Rep names", "Namen der Vertriebsmitarbeiter"),
    "coverage.reason.visitors": (
        "No web traffic was imported: import web_traffic (visitors per day and source).",
        "Es wurde kein Web-Traffic importiert: web_traffic importieren (Besucher je Tag und "
        "Quelle).",
    ),
    "coverage.reason.funnel": (
        "No leads or lifecycle stages were imported: import leads and lifecycle_events.",
        "Es wurden keine Leads oder Lebenszyklus-Phasen importiert: leads und lifecycle_events "
        "importieren.",
    ),
    "coverage.reason.funnel_no_stages": (
        "Leads were imported, but no lifecycle stage: import lifecycle_events (when each lead "
        "became an MQL, SAL, SQL ...; in a CRM export, the stage-date columns).",
        "Es wurden Leads importiert, aber keine Lebenszyklus-Phase: lifecycle_events "
        "importieren (wann jeder Lead MQL, SAL, SQL ... wurde; in einem CRM-Export die "
        "Spalten mit den Phasendaten).",
    ),
    "coverage.reason.lead_stage": (
        "The export holds only leads that became MQLs (as Olist's marketing qualified leads): "
        "the leads that did not qualify are unknown, so the lead count and every rate into or "
        "out of it cannot be measured; import every lead.",
        "Der Export enthält nur Leads, die MQL wurden (wie Olists Marketing Qualified Leads): "
        "die übrigen Leads sind unbekannt, daher lassen sich ihre Anzahl und jede Quote in sie "
        "hinein oder aus ihnen heraus nicht messen; alle Leads importieren.",
    ),
    "coverage.reason.recycled_stage": (
        "No lifecycle event of stage recycled was imported, so recycled leads (and the re-MQL "
        "rate) cannot be counted: import the recycled events.",
        "Es wurde kein Lebenszyklus-Ereignis der Phase recycled importiert, daher lassen sich "
        "recycelte Leads (und die Re-MQL-Quote) nicht zählen: die recycled-Ereignisse "
        "importieren.",
    ),
    "coverage.reason.disqualified_stage": (
        "No lifecycle event of stage disqualified was imported, so disqualified leads cannot "
        "be counted: import the disqualified events.",
        "Es wurde kein Lebenszyklus-Ereignis der Phase disqualified importiert, daher lassen "
        "sich disqualifizierte Leads nicht zählen: die disqualified-Ereignisse importieren.",
    ),
    "coverage.reason.mql_stage": (
        "No lifecycle event of stage mql was imported, so MQLs cannot be counted: import "
        "the mql events (when each lead became an MQL).",
        "Es wurde kein Lebenszyklus-Ereignis der Phase mql importiert, daher lassen sich "
        "MQLs nicht zählen: die mql-Ereignisse importieren (wann jeder Lead zum MQL wurde).",
    ),
    "coverage.reason.sal_stage": (
        "No lifecycle event of stage sal was imported, so SALs cannot be counted: import "
        "the sal events (when sales accepted each lead).",
        "Es wurde kein Lebenszyklus-Ereignis der Phase sal importiert, daher lassen sich "
        "SALs nicht zählen: die sal-Ereignisse importieren (wann der Vertrieb jeden Lead annahm).",
    ),
    "coverage.reason.sql_stage": (
        "No lifecycle event of stage sql was imported, so SQLs cannot be counted: import "
        "the sql events (when each lead became an SQL).",
        "Es wurde kein Lebenszyklus-Ereignis der Phase sql importiert, daher lassen sich "
        "SQLs nicht zählen: die sql-Ereignisse importieren (wann jeder Lead zum SQL wurde).",
    ),
    "coverage.reason.opportunity_stage": (
        "No lifecycle event of stage opportunity was imported, so opportunities cannot be "
        "counted: import the opportunity events (when each lead became one).",
        "Es wurde kein Lebenszyklus-Ereignis der Phase opportunity importiert, daher lassen sich "
        "Opportunities nicht zählen: die opportunity-Ereignisse importieren (wann jeder Lead "
        "eine wurde).",
    ),
    "coverage.reason.undated": (
        "The export has no dates (as X Education's file): each row was dated by the file's "
        "day, so counts per month, trends and forecasts cannot be measured (the conversions "
        "of the file as a whole hold); import an export with the dates.",
        "Der Export hat keine Daten (wie die Datei von X Education): jede Zeile wurde mit dem "
        "Tag der Datei datiert, daher lassen sich Zahlen je Monat, Verläufe und Prognosen nicht "
        "messen (die Quoten der Datei als Ganzes gelten); einen Export mit den Daten "
        "importieren.",
    ),
    "coverage.reason.won_only": (
        "The export records SQLs and opportunities only for won deals (as Olist's closed "
        "deals): those that did not close are unknown, so their count and every rate into or "
        "out of them cannot be measured; import the lifecycle events of every lead.",
        "Der Export verzeichnet SQLs und Opportunities nur für gewonnene Deals (wie Olists "
        "abgeschlossene Deals): die übrigen sind unbekannt, daher lassen sich ihre Anzahl und "
        "jede Quote in sie hinein oder aus ihnen heraus nicht messen; die "
        "Lebenszyklus-Ereignisse aller Leads importieren.",
    ),
    "coverage.reason.customer_stage": (
        "No lifecycle event of stage customer was imported, so customers cannot be counted: import "
        "the customer events (when each lead became one).",
        "Es wurde kein Lebenszyklus-Ereignis der Phase customer importiert, daher lassen sich "
        "Kunden nicht zählen: die customer-Ereignisse importieren (wann jeder Lead einer wurde).",
    ),
    "coverage.reason.revenue": (
        "The opportunities carry no amounts: import opportunities with their amount.",
        "Die Opportunities haben keine Beträge: opportunities mit Betrag importieren.",
    ),
    "coverage.reason.deals": (
        "No opportunities were imported: import opportunities.",
        "Es wurden keine Opportunities importiert: opportunities importieren.",
    ),
    "coverage.reason.handoff": (
        "No sales touches were imported: import sales_touches (calls, e-mails, meetings).",
        "Es wurden keine Vertriebskontakte importiert: sales_touches importieren (Anrufe, "
        "E-Mails, Termine).",
    ),
    "coverage.reason.cadence": (
        "No sales touches were imported: import sales_touches (calls, e-mails, meetings).",
        "Es wurden keine Vertriebskontakte importiert: sales_touches importieren (Anrufe, "
        "E-Mails, Termine).",
    ),
    "coverage.reason.acceptance": (
        "No accepted (SAL) or rejected leads with a reason were imported: import the sal, "
        "disqualified and recycled lifecycle events.",
        "Es wurden keine angenommenen (SAL) oder begründet abgelehnten Leads importiert: die "
        "Lebenszyklus-Ereignisse sal, disqualified und recycled importieren.",
    ),
    "coverage.reason.recycling": (
        "Recycling needs sales touches and recycled lifecycle events: import both.",
        "Recycling braucht Vertriebskontakte und Lebenszyklus-Ereignisse der Phase recycled: "
        "beides importieren.",
    ),
    "coverage.reason.nurture": (
        "No nurture enrollments were imported: import nurture_enrollments.",
        "Es wurden keine Nurturing-Einschreibungen importiert: nurture_enrollments importieren.",
    ),
    "coverage.reason.scoring_fit": (
        "No lead has an attribute the SLA scores for fit: import industry, size, country, "
        "seniority or role.",
        "Kein Lead hat ein Merkmal, das das SLA für die Passung bewertet: Branche, Größe, Land, "
        "Hierarchiestufe oder Rolle importieren.",
    ),
    "coverage.reason.scoring_fit_values": (
        "No lead has a value the SLA scores for fit: the leads' country, seniority or role "
        "hold other values than [scoring.fit] in the SLA config lists; add theirs there, or "
        "import industry and size.",
        "Kein Lead hat einen Wert, den das SLA für die Passung bewertet: Land, Hierarchiestufe "
        "oder Rolle der Leads enthalten andere Werte, als [scoring.fit] in der SLA-Konfiguration "
        "aufführt; ihre dort ergänzen oder Branche und Größe importieren.",
    ),
    "coverage.reason.scoring_interest": (
        "No marketing activities were imported: import activities (visits, downloads, webinars).",
        "Es wurden keine Marketing-Aktivitäten importiert: activities importieren (Besuche, "
        "Downloads, Webinare).",
    ),
    "coverage.reason.reps": (
        "The reps have no names: import reps with a name; until then they are Rep 1, Rep 2 ...",
        "Die Vertriebsmitarbeiter haben keine Namen: reps mit Namen importieren; bis dahin "
        "heißen sie Rep 1, Rep 2 ...",
    ),
    "score.reason.activities_later": (
        "No marketing activity was recorded by {day}: the first is from {first}.",
        "Bis zum {day} wurde keine Marketing-Aktivität erfasst: die erste ist vom {first}.",
    ),
    "coverage.reason.outside": (
        "The data for it runs from {start} to {end}, not into this month.",
        "Die Daten dafür reichen vom {start} bis zum {end}, nicht in diesen Monat.",
    ),
    "coverage.reason.after_import": (
        "The rows of {tables:list} it needs are all dated after the latest import ({day}): "
        "the data counts as known only until the import, so they are not counted (a "
        "mistyped year?).",
        "Die benötigten Zeilen von {tables:list} sind alle nach dem letzten Import ({day}) "
        "datiert: die Daten gelten nur bis zum Import als bekannt, daher werden sie nicht "
        "gezählt (ein vertipptes Jahr?).",
    ),
    "coverage.reason.unpriced": (
        "Some deals won this month have no amount, so its revenue is not known: import "
        "their amounts.",
        "Einige in diesem Monat gewonnene Deals haben keinen Betrag, daher ist sein Umsatz "
        "nicht bekannt: ihre Beträge importieren.",
    ),
    "coverage.reason.unpriced_period": (
        "Some deals won this quarter have no amount, so its revenue so far is not known: "
        "import their amounts.",
        "Einige in diesem Quartal gewonnene Deals haben keinen Betrag, daher ist sein "
        "bisheriger Umsatz nicht bekannt: ihre Beträge importieren.",
    ),
    "coverage.reason.outside_period": (
        "The data for it runs from {start} to {end}, not over the whole quarter so far.",
        "Die Daten dafür reichen vom {start} bis zum {end}, nicht über das ganze bisherige "
        "Quartal.",
    ),
    "coverage.segment": (
        "Not judged for a segment: the SLA config sets no target for it.",
        "Für ein Segment nicht bewertet: die SLA-Konfiguration setzt dafür kein Ziel.",
    ),
    "coverage.visitors_by_source": (
        "Visitors are anonymous and counted by source only: unknown for a segment by a lead's "
        "owner, team or attributes.",
        "Besucher sind anonym und nur nach Quelle gezählt: für ein Segment nach Betreuer, Team "
        "oder Merkmalen eines Leads unbekannt.",
    ),
    "coverage.running": ("running ({days} of {total} days)", "laufend ({days} von {total} Tagen)"),
    "coverage.rep": ("Rep {n}", "Rep {n}"),
    "coverage.touches_stopped": (
        "The last sales touch recorded is from {day}, and none since on {n} or more working "
        "days: the data cannot tell what sales did after it (import the touches since then).",
        "Die letzte erfasste Vertriebsaktivität ist vom {day}, seitdem an {n} oder mehr "
        "Arbeitstagen keine: die Daten sagen nicht, was der Vertrieb danach getan hat (die "
        "Aktivitäten seitdem importieren).",
    ),
    "coverage.lifecycle_stopped": (
        "The last lifecycle event recorded is from {day}, and none since on {n} or more "
        "working days while sales touches or new leads went on: the data cannot tell which "
        "leads became MQLs or SQLs after it, or were recycled or disqualified (import the "
        "lifecycle events since then).",
        "Das letzte erfasste Lebenszyklus-Ereignis ist vom {day}, seitdem an {n} oder mehr "
        "Arbeitstagen keines, während Vertriebsaktivitäten oder neue Leads weiterliefen: die "
        "Daten sagen nicht, welche Leads danach zu MQLs oder SQLs wurden oder recycelt oder "
        "disqualifiziert wurden (die Lebenszyklus-Ereignisse seitdem importieren).",
    ),
    "coverage.lifecycle_cut": (
        "Not counted: this month's stage changes end on {day}, the last lifecycle event "
        "recorded (none since on {n} or more working days while sales touches or new leads "
        "went on), so its MQLs, SQLs, recycles and disqualifications are not known, nor are "
        "the first touches, cadence, acceptance and recycling judged on its MQLs, nor stale "
        "leads.",
        "Nicht gezählt: die Stufenwechsel dieses Monats enden am {day}, dem letzten erfassten "
        "Lebenszyklus-Ereignis (seitdem an {n} oder mehr Arbeitstagen keines, während "
        "Vertriebsaktivitäten oder neue Leads weiterliefen), daher sind seine MQLs, SQLs, "
        "Recyclings und Disqualifizierungen nicht bekannt, ebenso wenig die an seinen MQLs "
        "gemessenen Erstkontakte, Kadenz, Annahme und Recyclings oder liegengebliebene Leads.",
    ),
    "coverage.lifecycle_unjudged": (
        "Not judged: {what} ran past {day}, the last lifecycle event recorded (none since on "
        "{n} or more working days while sales touches or new leads went on): their MQLs may "
        "have become SQLs or been recycled or disqualified since, so which attempts were "
        "theirs is not known, nor are attempts per MQL or stale leads.",
        "Nicht bewertet: {what} liefen über den {day} hinaus, das letzte erfasste "
        "Lebenszyklus-Ereignis (seitdem an {n} oder mehr Arbeitstagen keines, während "
        "Vertriebsaktivitäten oder neue Leads weiterliefen): ihre MQLs können seitdem zu SQLs "
        "geworden oder recycelt oder disqualifiziert worden sein, daher ist nicht bekannt, "
        "welche Versuche ihnen galten, ebenso wenig Versuche pro MQL oder liegengebliebene "
        "Leads.",
    ),
    "coverage.lifecycle_unjudged_one": (
        "Not judged: {what} ran past {day}, the last lifecycle event recorded (none since on "
        "{n} or more working days while sales touches or new leads went on): its MQL may "
        "have become an SQL or been recycled or disqualified since, so which attempts were "
        "its is not known, nor are attempts per MQL or stale leads.",
        "Nicht bewertet: {what} lief über den {day} hinaus, das letzte erfasste "
        "Lebenszyklus-Ereignis (seitdem an {n} oder mehr Arbeitstagen keines, während "
        "Vertriebsaktivitäten oder neue Leads weiterliefen): sein MQL kann seitdem zum SQL "
        "geworden oder recycelt oder disqualifiziert worden sein, daher ist nicht bekannt, "
        "welche Versuche ihm galten, ebenso wenig Versuche pro MQL oder liegengebliebene "
        "Leads.",
    ),
    "coverage.touches_unjudged": (
        "Not judged: {what} ran past {day}, the last sales touch recorded (none since on {n} "
        "or more working days).",
        "Nicht bewertet: {what} liefen über den {day} hinaus, die letzte erfasste "
        "Vertriebsaktivität (seitdem an {n} oder mehr Arbeitstagen keine).",
    ),
    "coverage.touches_unjudged_one": (
        "Not judged: {what} ran past {day}, the last sales touch recorded (none since on {n} "
        "or more working days).",
        "Nicht bewertet: {what} lief über den {day} hinaus, die letzte erfasste "
        "Vertriebsaktivität (seitdem an {n} oder mehr Arbeitstagen keine).",
    ),
    "coverage.unjudged_handoffs": ("{n} first touches", "{n} Erstkontakte"),
    "coverage.unjudged_handoff": ("1 first touch", "1 Erstkontakt"),
    "coverage.unjudged_cadences": ("{n} cadence windows", "{n} Kadenzfenster"),
    "coverage.unjudged_cadence": ("1 cadence window", "1 Kadenzfenster"),
    "coverage.unjudged_and": (" and ", " und "),
    "coverage.point_in_time": (
        "Counted at the moment of judgement only: a past month has no value.",
        "Nur zum Stichtag gezählt: ein vergangener Monat hat keinen Wert.",
    ),
    "coverage.no_value": (
        "Nothing to measure this month (no cases).",
        "In diesem Monat gibt es nichts zu messen (keine Fälle).",
    ),
    # conversion by response time (analytics/response_time.py): no episode has had its window
    "response.immature": (
        "No MQL episode has had its {days:n} days to convert yet: the earliest started on "
        "{day}, its window closes on {closes}, and the data runs to {as_of}; conversion by "
        "response time is known once a window has closed.",
        "Noch keine MQL-Episode hatte ihre {days:n} Tage zur Konversion: die früheste begann "
        "am {day}, ihr Fenster schließt am {closes}, die Daten reichen bis {as_of}; die "
        "Konversion nach Reaktionszeit ist erst bekannt, wenn ein Fenster geschlossen ist.",
    ),
    "coverage.maturing": (
        "Still maturing: the leads recycled this month have {days} days to become MQLs "
        "again, and that window has not closed, so the rate is not judged yet.",
        "Noch nicht reif: die in diesem Monat recycelten Leads haben {days} Tage, um wieder "
        "MQL zu werden, und dieses Fenster ist noch offen; die Quote wird noch nicht bewertet.",
    ),
    "goals.rates_left_out": (
        "The pooled rates {rates} leave out {months}: the last lifecycle event recorded is "
        "from {day}, so the stage counts of those months are partial (a rate with no month "
        "left is unknown; import the lifecycle events since then).",
        "Die gepoolten Raten {rates} lassen {months} aus: das letzte erfasste "
        "Lebenszyklus-Ereignis ist vom {day}, daher sind die Stufenzahlen dieser Monate "
        "unvollständig (eine Rate ohne verbleibenden Monat ist unbekannt; die "
        "Lebenszyklus-Ereignisse seitdem importieren).",
    ),
    "goals.rates_left_out_one": (
        "The pooled rates {rates} leave out {months}: the last lifecycle event recorded is "
        "from {day}, so that month's stage counts are partial (a rate with no month left is "
        "unknown; import the lifecycle events since then).",
        "Die gepoolten Raten {rates} lassen {months} aus: das letzte erfasste "
        "Lebenszyklus-Ereignis ist vom {day}, daher sind die Stufenzahlen dieses Monats "
        "unvollständig (eine Rate ohne verbleibenden Monat ist unbekannt; die "
        "Lebenszyklus-Ereignisse seitdem importieren).",
    ),
    "goals.rate_unknown": (
        "{rate} over the months it pools is unknown (no case in them, or more in the later "
        "stage than in the earlier one), so what this stage needs cannot be worked out.",
        "{rate} über die gepoolten Monate ist unbekannt (kein Fall in ihnen, oder mehr in "
        "der späteren Phase als in der früheren), daher lässt sich der Bedarf dieser Phase "
        "nicht berechnen.",
    ),
    # a volume as a sentence names it ("more deals won than opportunities")
    "count.visitors": ("visitors", "Besucher"),
    "count.leads": ("leads", "Leads"),
    "count.mqls": ("MQLs", "MQLs"),
    "count.sqls": ("SQLs", "SQLs"),
    "count.opportunities": ("opportunities", "Opportunities"),
    "count.deals_won": ("deals won", "gewonnene Deals"),
    "coverage.not_a_share_visitors": (
        "More leads ({x:n}) than visitors ({n:n}) this month: leads also come from elsewhere "
        "than the visits counted (events, lists, sales), so the ratio is no share, has no "
        "confidence interval and is not judged.",
        "Mehr Leads ({x:n}) als Besucher ({n:n}) in diesem Monat: Leads kommen auch anders "
        "als über die gezählten Besuche (Events, Listen, Vertrieb); das Verhältnis ist kein "
        "Anteil, hat kein Konfidenzintervall und wird nicht bewertet.",
    ),
    "coverage.not_a_share": (
        "More {above} ({x:n}) than {below} ({n:n}) this month: leads reached the later stage "
        "without passing the earlier one in the month, so the ratio is no share, has no "
        "confidence interval and is not judged.",
        "Mehr {above} ({x:n}) als {below} ({n:n}) in diesem Monat: Leads erreichten die spätere "
        "Phase, ohne die frühere im Monat zu durchlaufen; das Verhältnis ist kein Anteil, hat "
        "kein Konfidenzintervall und wird nicht bewertet.",
    ),
    "coverage.unassigned": ("unassigned", "nicht zugewiesen"),
    "coverage.not_compared": (
        "A running month is not compared with the month before.",
        "Ein laufender Monat wird nicht mit dem Vormonat verglichen.",
    ),
    "coverage.previous": ("{month}: {reason}", "{month}: {reason}"),
    # a quarantined row with the wrong number of fields (analytics.warehouse.privacy)
    "quarantine.withheld": ("(withheld)", "(nicht gespeichert)"),
    # -- the review pack: did the warnings work? (analytics.review.rep_warnings) ------------
    "pack.section.warnings": ("Did the warnings work?", "Haben die Warnungen gewirkt?"),
    "pack.warnings.rep": (
        "{rep}: warned about {warned} episodes before their deadline; {met} of them were "
        "touched in time ({missed} missed, {pending} still open).",
        "{rep}: vor Ablauf der Frist zu {warned} Episoden gewarnt; {met} davon rechtzeitig "
        "kontaktiert ({missed} verfehlt, {pending} noch offen).",
    ),
    "pack.warnings.rep_one": (
        "{rep}: warned about 1 episode before its deadline; touched in time: {met} ({missed} "
        "missed, {pending} still open).",
        "{rep}: vor Ablauf der Frist zu 1 Episode gewarnt; rechtzeitig kontaktiert: {met} "
        "({missed} verfehlt, {pending} noch offen).",
    ),
    "pack.warnings.note": (
        "Warned: {command} sent the owner the new MQL or a first touch alert before the deadline.",
        "Gewarnt: {command} hat den Verantwortlichen vor Ablauf der Frist über den neuen "
        "MQL oder den fälligen Erstkontakt informiert.",
    ),
    "pack.warnings.no_log": (
        "No send log of {command} for this warehouse: whether warnings helped cannot be said.",
        "Kein Sendeprotokoll von {command} zu diesem Warehouse: ob Warnungen geholfen "
        "haben, lässt sich nicht sagen.",
    ),
    "pack.warnings.none": (
        "No MQL episode of this month was warned before its deadline.",
        "Zu keiner MQL-Episode dieses Monats wurde vor Ablauf der Frist gewarnt.",
    ),
    "pack.col.warned": ("Warned before the deadline", "Vor der Frist gewarnt"),
    "pack.col.touched_in_time": ("Touched in time", "Rechtzeitig kontaktiert"),
    "pack.col.missed": ("Missed", "Verfehlt"),
    "pack.col.open": ("Still open", "Noch offen"),
    # -- definitions of issue 18's finer lines (analytics.definitions) ---------------------
    "def.name.assignment_split": (
        "Assignment delay vs rep delay",
        "Zuweisung oder Mitarbeiter",
    ),
    "def.text.assignment_split": (
        "Per MQL episode, calendar hours from the MQL to the owner's assignment (routing, the "
        "system's part; leads.assigned_at) and from the assignment to the first touch (the "
        "rep's part). An assignment before the MQL means the owner had the lead already: "
        "routing's part is 0 and the rep's clock starts at the MQL. The CRM keeps one "
        "assignment time per lead, the current owner's: an assignment after the episode's "
        "first touch is a later owner's and the episode is not split. Without assigned_at "
        "both parts are unknown, never 0. Per rep: the medians.",
        "Je MQL-Episode die Kalenderstunden vom MQL bis zur Zuweisung an den "
        "Verantwortlichen (Routing, der Anteil des Systems; leads.assigned_at) und von der "
        "Zuweisung bis zum Erstkontakt (der Anteil des Mitarbeiters). Eine Zuweisung vor dem "
        "MQL heißt, der Verantwortliche hatte den Lead schon: Der Anteil des Routings ist 0, "
        "die Uhr des Mitarbeiters läuft ab dem MQL. Das CRM kennt einen Zuweisungszeitpunkt "
        "je Lead, den des aktuellen Verantwortlichen: Eine Zuweisung nach dem Erstkontakt "
        "der Episode gehört zu einem späteren Verantwortlichen, die Episode wird nicht "
        "geteilt. Ohne assigned_at sind beide Anteile unbekannt, nie 0. Je Mitarbeiter: die "
        "Mediane.",
    ),
    "def.name.warnings_effect": ("Did the warnings work?", "Haben die Warnungen gewirkt?"),
    "def.text.warnings_effect": (
        "Per rep, the MQL episodes of M whose owner sla notify warned (the new MQL, or a "
        "first touch alert) before the first touch deadline, sent up to the moment of "
        "judgement; and how many of them were touched in time. Without a send log: unknown.",
        "Je Mitarbeiter die MQL-Episoden von M, deren Verantwortliche sla notify vor der "
        "Erstkontakt-Frist gewarnt hat (neuer MQL oder Warnung zum Erstkontakt), gesendet bis "
        "zum Stichtag; und wie viele davon rechtzeitig kontaktiert wurden. Ohne "
        "Sendeprotokoll: unbekannt.",
    ),
    # -- the review pack: assignment delay vs rep delay (analytics.handoff.assignment_split)
    "pack.section.assignment": ("Assignment delay vs rep delay", "Zuweisung oder Mitarbeiter?"),
    "pack.assignment.note": (
        "Median hours from the MQL to the owner's assignment (routing, the system's part) and "
        "from the assignment to the first touch (the rep's part); an owner assigned before the "
        "MQL had the lead already, so the rep's clock starts at the MQL.",
        "Median der Stunden vom MQL bis zur Zuweisung an den Verantwortlichen (Routing, der "
        "Anteil des Systems) und von der Zuweisung bis zum Erstkontakt (der Anteil des "
        "Mitarbeiters); wer den Lead schon vor dem MQL hatte, dessen Uhr läuft ab dem MQL.",
    ),
    "pack.assignment.none": (
        "No lead has an assignment time ({column}), so routing's part cannot be told from "
        "the rep's.",
        "Kein Lead hat einen Zuweisungszeitpunkt ({column}), daher lässt sich der Anteil des "
        "Routings nicht von dem des Mitarbeiters trennen.",
    ),
    "pack.col.episodes": ("MQL episodes", "MQL-Episoden"),
    "pack.col.with_assignment": ("With assignment time", "Mit Zuweisungszeitpunkt"),
    "pack.col.routing_hours": ("Routing: median h", "Routing: Median h"),
    "pack.col.rep_hours": ("Rep: median h", "Mitarbeiter: Median h"),
    # -- issue 14: unknown pacing rows, pending episodes, unassigned leads --
    "pack.col.reason": ("Why unknown", "Warum unbekannt"),
    "pack.at_risk.title": (
        "At risk: first touch still due ({n})",
        "Gefährdet: Erstkontakt noch fällig ({n})",
    ),
    "pack.at_risk.note": (
        "Not breaches: untouched MQLs whose deadline had not passed at the as-of date.",
        "Keine Verstöße: MQLs ohne Kontakt, deren Frist zum Datenstand nicht abgelaufen war.",
    ),
    "pack.col.deadline": ("Deadline", "Frist"),
    "pack.col.hours_left": ("Hours left", "Verbleibende Stunden"),
}


# -- the German glossary ----------------------------------------------------------------------

#: One German term per concept, as a German B2B marketing team says it, used by the app
#: (``dashboard/i18n.py``), the pack and the config texts alike. Concept -> (where the
#: English names it: a regular expression; the German term every translation of it uses:
#: a regular expression; German words not to use for it).
GLOSSARY: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "review": (
        r"(monthly|sla|last|the) review|^review (pack|cadence)",
        r"[Bb]esprechung",
        (r"\bReview\b",),
    ),
    "needs_attention": (r"needs attention", r"Handlungsbedarf", (r"Aufmerksamkeit",)),
    "reverse_funnel": (
        r"what it takes|reverse funnel",
        r"Rückwärtsrechnung",
        (r"Was es braucht", r"umgekehrte[nr]? Funnel"),
    ),
    "what_if": (r"what-if", r"Simulation", (r"Was wäre",)),
    "grade": (r"\bgrades?\b", r"Klasse", (r"\bNoten?\b", r"-Noten?\b")),
    "pace": (r"\bpace\b", r"Soll", (r"\bTempo\b",)),
    "premature": (r"premature|too early", r"[Vv]orzeitig", (r"[Zz]u früh",)),
    "speed_to_lead": (r"speed[- ]to[- ]lead", r"Reaktionszeit", ()),
    "first_touch": (r"first touch", r"Erstkontakt", ()),
    "cadence": (r"(?<!review )\bcadence\b", r"[Kk]adenz", ()),
    "stale": (r"\bstale\b", r"[Ll]iegen(ge|zu)?bl[ei]", (r"liegen geblieben",)),
    "workload": (r"\bworkload\b", r"[Aa]uslastung|Kapazität", ()),
    "mql_threshold": (r"\bMQL threshold\b", r"MQL-Schwelle", ()),
    "commitment": (r"\bSLA commitment\b", r"SLA-Zusage", ()),
    "revenue_goal": (r"\brevenue goal\b", r"Umsatzziel", ()),
    "rep": (r"\breps?\b(?!\s*$)", r"[Mm]itarbeiter|Vertrieb", (r"Vertriebler",)),
    "nurture": (r"\bnurtur", r"Nurtur", ()),
}
#: Not German in any text: a plural in brackets (``Lead(s)``, ``Episode(n)``).
GERMAN_AVOID: tuple[str, ...] = (r"\w+\((?:s|n|en|e|er)\)",)


def glossary_problems(english: str, german: str) -> list[str]:
    """Where a German text departs from :data:`GLOSSARY`: a concept the English names whose
    German term is missing, a word to avoid, a plural in brackets (placeholders such as
    ``{rep}`` and code such as ``sla review`` in backticks are no words). Empty when it
    keeps it.

    >>> glossary_problems("Needs attention", "Braucht Aufmerksamkeit")
    ['needs_attention: says Aufmerksamkeit', "needs_attention: no 'Handlungsbedarf'"]
    >>> glossary_problems("3 lead(s)", "3 Lead(s)"), glossary_problems("Pace", "Soll-Erreichung")
    (['plural in brackets: Lead(s)'], [])
    >>> glossary_problems("Try it as `sla review` does", "Wie `sla review` ausprobieren")
    []
    """
    import re

    english, german = (re.sub(r"\{[^}]*\}|`[^`]*`", "", text) for text in (english, german))
    problems = []
    for concept, (en, de, avoid) in GLOSSARY.items():
        for word in avoid:
            found = re.search(word, german)
            if found:
                problems.append(f"{concept}: says {found.group(0)}")
        if re.search(en, english, flags=re.IGNORECASE) and not re.search(de, german):
            problems.append(f"{concept}: no {de!r}")
    for pattern in GERMAN_AVOID:
        problems += [f"plural in brackets: {m.group(0)}" for m in re.finditer(pattern, german)]
    return problems


__all__ = [
    "GERMAN_AVOID",
    "GLOSSARY",
    "LANGS",
    "NOTHING",
    "TEXTS",
    "Lang",
    "Localized",
    "Term",
    "Text",
    "as_sentence",
    "check_lang",
    "codes",
    "day",
    "glossary_problems",
    "localize",
    "metric_label",
    "moment",
    "number",
    "p_value",
    "percent",
    "plain",
    "render",
    "term",
]
