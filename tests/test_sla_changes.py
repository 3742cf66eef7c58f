"""The SLA changing between and inside months, as the review, the pack, the app and the CLI
say it (audit 2026-12-06, "the SLA changing over time")."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from analytics.config import load_config, parse_config

EXAMPLE = Path("data/sla.toml").read_text()
CFG = load_config("data/sla.toml")


def variant(*replacements: tuple[str, str], source: str = "variant.toml"):
    """The example config with text replacements (a real file's content: it has a hash)."""
    text = EXAMPLE
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    return parse_config(text, source=source)


# -- L4: one attempt short -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("short", "lang", "shown"),
    [
        (1, "en", "1 attempt short"),
        (2, "en", "2 attempts short"),
        (1, "de", "1 Versuch zu wenig"),
        (2, "de", "2 Versuche zu wenig"),
    ],
)
def test_a_cadence_breach_one_attempt_short_says_attempt(short, lang, shown):
    """The pack's and the page's breach tables read "1 attempts short"."""
    from analytics.pack.build import _breach_rows
    from analytics.pack.render import _amount

    frame = pl.DataFrame(
        {"lead_id": ["L1"], "owner_rep_id": ["r1"], "spaced_attempts": [6 - short],
         "attempts_short": [short]}
    )  # fmt: skip
    (row,) = _breach_rows("cadence", frame, CFG, lang, as_of=datetime(2026, 11, 1, tzinfo=UTC))
    assert _amount(row["amount"], row["unit"], "cadence", lang) == shown


# -- M5 and L3: what changed between two versions, in words --------------------------------

LINE_BLOCK = """# [[handoff.lines]]
# name = "Demo request"
# name_de = "Demo-Anfrage"
# trigger = "demo_request"
# first_touch_hours = 1
# business_hours = true     # default: handoff.business_hours"""
LINE = """[[handoff.lines]]
name = "Demo request"
name_de = "Demo-Anfrage"
trigger = "demo_request"
first_touch_hours = 1
business_hours = true"""
LINES = variant(
    ('version = "2026.2"', 'version = "2026.7"'),
    ('effective_from = "2026-01-01"', 'effective_from = "2026-10-01"'),
    (LINE_BLOCK, LINE),
    source="lines.toml",
)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        (
            "en",
            "New first-touch line Demo request for trigger demo request: first touch within 1 "
            "business hour",
        ),
        (
            "de",
            "Neue Erstkontakt-Frist Demo-Anfrage für Auslöser Demo-Anfrage: Erstkontakt "
            "innerhalb von 1 Arbeitsstunde",
        ),
    ],
)
def test_a_new_first_touch_line_is_one_change_in_words(lang, text):
    """Ten raw keys: "handoff.lines[Demo request].source (not set) -> (not set)" (four such
    non-changes), "handoff.lines (none) -> (not set)", English on the German page."""
    from analytics.sla_history import diff_configs

    changes = [c for c in diff_configs(CFG, LINES) if not c.key.startswith("sla.")]
    assert [(c.key, c.kind) for c in changes] == [("handoff.lines[Demo request]", "added")]
    assert [c.render(lang=lang) for c in changes] == [text]
    assert changes[0].after == {
        "name": "Demo request", "trigger": "demo_request", "first_touch_hours": 1.0,
        "business_hours": True,
    }  # fmt: skip


def test_a_first_touch_line_removed_and_a_field_changed_are_said_in_words():
    from analytics.sla_history import diff_configs

    (removed,) = [c for c in diff_configs(LINES, CFG) if not c.key.startswith("sla.")]
    assert removed.render(lang="de") == (
        "Erstkontakt-Frist Demo-Anfrage entfällt (bisher: Auslöser Demo-Anfrage, Erstkontakt "
        "innerhalb von 1 Arbeitsstunde)"
    )
    slower = parse_config(
        EXAMPLE.replace(LINE_BLOCK, LINE.replace("first_touch_hours = 1", "first_touch_hours = 2"))
    )
    (changed,) = [c for c in diff_configs(LINES, slower) if not c.key.startswith("sla.")]
    assert changed.text == "First-touch line Demo request: within (hours) 1 -> 2"
    assert (
        changed.render(lang="de")
        == "Erstkontakt-Frist Demo-Anfrage: innerhalb von (Stunden) 1 -> 2"
    )


def test_a_line_that_states_the_default_clock_is_the_same_line():
    """``business_hours`` left out is ``handoff.business_hours``: no "(not set) -> no"."""
    from analytics.sla_history import diff_configs

    stated = EXAMPLE.replace(
        LINE_BLOCK, LINE.replace("business_hours = true", "business_hours = false")
    )
    implied = EXAMPLE.replace(LINE_BLOCK, LINE.replace("business_hours = true", ""))
    assert diff_configs(parse_config(stated), parse_config(implied)) == []


@pytest.mark.parametrize(
    ("lang", "texts"),
    [
        ("en", ["MQLs delivered: target 700 -> 60", "First touch within SLA: target 90 % -> 50 %"]),
        ("de", ["Gelieferte MQLs: Ziel 700 -> 60", "Erstkontakt im SLA: Ziel 90 % -> 50 %"]),
    ],
)
def test_a_kpi_target_change_names_the_kpi_by_its_label_with_its_values_as_shown(lang, texts):
    """L3: "Sales KPI handoff_compliance: target 0.9 -> 0.5"."""
    from analytics.sla_history import diff_configs

    mqls, handoff = (
        'label_de = "Gelieferte MQLs"\ntarget = ',
        'label_de = "Erstkontakt im SLA"\ntarget = ',
    )
    targets = variant((f"{mqls}700", f"{mqls}60"), (f"{handoff}0.90", f"{handoff}0.50"))
    assert [c.render(lang=lang) for c in diff_configs(CFG, targets)] == texts
