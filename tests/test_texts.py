"""The library's words (analytics/texts.py): one table, both languages, numbers per language."""

from __future__ import annotations

import string
from datetime import date, datetime

import pytest

from analytics.config import KPI_METRICS, load_config
from analytics.definitions import DEFINITIONS, config_settings, metric_definitions
from analytics.texts import (
    NOTHING,
    TEXTS,
    Localized,
    Term,
    Text,
    day,
    localize,
    metric_label,
    moment,
    number,
    p_value,
    percent,
    plain,
    render,
    term,
)

CFG = load_config("data/sla.toml")


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("code", list(TEXTS))
def test_every_text_has_both_languages_with_the_same_placeholders(code):
    en, de = TEXTS[code]
    assert en.strip() and de.strip()
    assert _fields(en) == _fields(de), code


@pytest.mark.parametrize(
    ("value", "lang", "digits", "expected"),
    [
        (1234.5, "en", 1, "1,234.5"),
        (1234.5, "de", 1, "1.234,5"),
        (1_000_000, "de", 0, "1.000.000"),
        (None, "de", 0, "–"),
        (float("nan"), "en", 1, "–"),
    ],
)
def test_number(value, lang, digits, expected):
    assert number(value, lang, digits=digits) == expected


@pytest.mark.parametrize(
    ("function", "value", "lang", "expected"),
    [
        (plain, 24.0, "en", "24"),
        (plain, 0.5, "de", "0,5"),
        (plain, 1_000_000.0, "en", "1,000,000"),
        (plain, 1_000_000.0, "de", "1.000.000"),
        (percent, 0.342, "de", "34,2 %"),
        (p_value, 0.0497, "de", "p = 0,0497"),
        (p_value, 0.0001, "en", "p < 0.001"),
        (p_value, None, "de", "–"),
        (p_value, None, "en", "–"),
        (day, date(2026, 10, 5), "de", "05.10.2026"),
        (day, datetime(2026, 10, 5, 23, 59), "en", "2026-10-05"),
        (day, None, "de", "–"),
        (moment, datetime(2026, 10, 5, 9, 12), "de", "05.10.2026 09:12 UTC"),
        (moment, datetime(2026, 10, 5, 9, 12), "en", "2026-10-05 09:12 UTC"),
        (localize, "+1,234.5 h", "de", "+1.234,5 h"),
        (localize, "+1,234.5 h", "en", "+1,234.5 h"),
    ],
)
def test_config_numbers_percent_and_p_values(function, value, lang, expected):
    assert function(value, lang) == expected


@pytest.mark.parametrize(
    ("code", "params", "en", "de"),
    [
        (
            "evidence.handoff",
            {"missed": 1234, "judged": 2000, "hours": 24.0},
            "1,234 of 2,000 MQLs not touched within 24 h",
            "1.234 von 2.000 MQLs nicht innerhalb von 24 h kontaktiert",
        ),
        (
            "action.handoff",
            {
                "share": 0.154,
                "concentration": Text(
                    "action.concentration",
                    {"share": 0.69, "name": "Max Bauer", "count": 75, "total": 109},
                ),
            },
            "Speed to lead missed for 15 % of MQLs; 69 % of them are Max Bauer's (75 of 109): "
            "review routing and coverage",
            "Reaktionszeit verfehlt bei 15 % der MQLs; 69 % davon bei Max Bauer (75 von 109): "
            "Routing und Abdeckung prüfen",
        ),
        (
            "action.rejection",
            {
                "share": 0.3,
                "top_reason": Text(
                    "action.top_reason", {"reason": Term("reason", None), "count": 4}
                ),
            },
            "Sales rejected 30 % of MQLs; most often: no reason given (4): "
            "revisit the scoring threshold or the definitions",
            "Der Vertrieb lehnte 30 % der MQLs ab; am häufigsten: kein Grund angegeben (4): "
            "Scoring-Schwelle oder Definitionen überprüfen",
        ),
        (
            "action.kpi_missed",
            {"kpi": Localized("Cadence held", "Kadenz eingehalten")},
            "Cadence held missed its target: agree on a cause and an owner",
            "Kadenz eingehalten: Ziel verfehlt; Ursache und Verantwortliche festlegen",
        ),
        (
            "evidence.worse_count",
            {"before": 3873, "after": 2881, "before_rate": 124.93, "after_rate": 110.8, "p": 2e-5},
            "3,873 -> 2,881 (124.9 -> 110.8 per day), Poisson rate test p < 0.001",
            "3.873 -> 2.881 (124,9 -> 110,8 pro Tag), Poisson-Ratentest p < 0,001",
        ),
        (
            "action.premature",
            {"count": 3, "attempts": 6, "concentration": NOTHING},
            "3 lead(s) recycled before 6 attempts",
            "Vor 6 Versuchen recycelte Leads: 3",
        ),
        (
            "def.text.grades",
            {"fit": [35.0, 25.0, 15.0], "interest": [40, 25, 10]},
            "Fit A/B/C/D at 35, 25, 15 points; interest 1/2/3/4 at 40, 25, 10 points.",
            "Fit A/B/C/D ab 35, 25, 15 Punkten; Interesse 1/2/3/4 ab 40, 25, 10 Punkten.",
        ),
    ],
)
def test_a_text_renders_its_parameters_in_each_language(code, params, en, de):
    assert render(code, **params) == en
    assert Text(code, params).render(lang="de") == de


def test_unknown_code_and_language_are_named():
    with pytest.raises(KeyError, match=r"no text 'action\.nope' in analytics/texts\.py"):
        render("action.nope")
    with pytest.raises(ValueError, match=r"unknown language 'fr'; allowed: en, de"):
        render("metric.mqls", lang="fr")


@pytest.mark.parametrize(
    ("kind", "code", "lang", "expected"),
    [
        ("channel", "phone", "de", "Telefon"),
        ("reason", "no_budget", "en", "no budget"),
        ("reason", "price_too_high", "de", "price too high"),  # a CRM's own code: as it is
        ("reason", None, "de", "kein Grund angegeben"),
        ("buyer_stage", "decision", "de", "Entscheidung"),
        ("stage", "disqualified", "de", "disqualifiziert"),
    ],
)
def test_vocabulary_terms(kind, code, lang, expected):
    assert term(kind, code, lang=lang) == expected


@pytest.mark.parametrize("metric", KPI_METRICS)
def test_every_kpi_metric_has_a_label_in_both_languages(metric):
    assert f"metric.{metric}" in TEXTS
    assert metric_label(metric, lang="de") == TEXTS[f"metric.{metric}"][1]


def test_definitions_in_german_keep_keys_and_numbers():
    en = metric_definitions(CFG)
    de = metric_definitions(CFG, lang="de")
    assert [d.key for d in en] == [d.key for d in de] == [k for _, k in DEFINITIONS]
    by_key = {d.key: d for d in de}
    assert by_key["handoff_compliance"].name == "Einhaltung der Übergabe (Reaktionszeit)"
    assert "innerhalb von 24 Stunden (Kalenderstunden)" in by_key["handoff_compliance"].text
    assert "1.000.000 EUR im Monat" in by_key["reverse_funnel"].text
    assert "1,000,000 EUR a month" in {d.key: d for d in en}["reverse_funnel"].text
    assert not any(a.text == b.text for a, b in zip(en, de, strict=True) if a.key != "leads")


def test_config_settings_in_german_use_the_configs_german_texts():
    de = {row[1]: row[2] for row in config_settings(CFG, lang="de").iter_rows()}
    assert de["Name"] == "Example AG: SLA zwischen Marketing und Vertrieb"
    assert de["Erstkontakt innerhalb von"] == "24 Stunden (Kalenderstunden)"
    assert de["Kanäle"] == "Telefon, E-Mail, Video, Social Media"
    assert (
        de["Recycelte Leads ins Nurturing binnen"]
        == "2 Tagen (Track Reaktivierung recycelter Leads)"
    )
    assert de["Entscheidungshilfen"].startswith(
        "Entscheidung (Vertrieb darf auslösen): ROI-Rechner"
    )
