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


# -- M5: the promise and the action item name each line ------------------------------------


def _lines_tables():
    """October 2026: D1 asks for a demo (MQL Tue 06 09:00 UTC, 11:00 in Berlin), touched
    3 business hours later: missed against the 1-business-hour line, in time against 24 h;
    F1 crosses the score (Wed 07 09:00), touched 2 h later: met. Touches tracked daily."""
    from review_support import daily_touches

    from analytics.tables import Tables

    leads, events, touches = [], [], []
    for lead, trigger, day, hours in (
        ("D1", "demo_request", 6, 3),
        ("F1", "score_threshold", 7, 2),
    ):
        at = datetime(2026, 10, day, 9, tzinfo=UTC)
        leads.append({"lead_id": lead, "created_at": "2026-10-01T08:00:00Z", "source": "email",
                      "owner_rep_id": "r1"})  # fmt: skip
        events += [
            {"lead_id": lead, "stage": "lead", "entered_at": "2026-10-01T08:00:00Z"},
            {"lead_id": lead, "stage": "mql", "entered_at": at, "trigger": trigger},
        ]
        touches.append({"touch_id": f"t-{lead}", "lead_id": lead, "rep_id": "r1",
                        "occurred_at": at.replace(hour=9 + hours), "channel": "phone",
                        "outcome": "connected"})  # fmt: skip
    leads.append({"lead_id": "Z", "created_at": "2026-09-01T08:00:00Z", "source": "email"})
    touches += daily_touches("Z", "2026-09-01", "2026-11-14")
    reps = [{"rep_id": "r1", "name": "Ana Alpha", "team": "sdr"}]
    return Tables.from_rows(reps=reps, leads=leads, lifecycle_events=events, sales_touches=touches)


@pytest.mark.parametrize(
    ("lang", "promise", "evidence"),
    [
        (
            "en",
            "First sales touch within its line of the MQL (Demo request: 1 business hour; "
            "every other MQL: 24 h)",
            "1 of 2 MQLs not touched within their line (Demo request: 1 business hour; every "
            "other MQL: 24 h)",
        ),
        (
            "de",
            "Erster Vertriebskontakt innerhalb seiner Frist nach dem MQL (Demo-Anfrage: 1 "
            "Arbeitsstunde; jeder andere MQL: 24 h)",
            "1 von 2 MQLs nicht innerhalb ihrer Frist kontaktiert (Demo-Anfrage: 1 "
            "Arbeitsstunde; jeder andere MQL: 24 h)",
        ),
    ],
)
def test_with_first_touch_lines_the_promise_and_the_action_say_within_its_line(
    lang, promise, evidence
):
    """The scorecard said "within 24 h of the MQL" and the action item "not touched within
    24 h" of an MQL touched after 3 h that missed its 1-business-hour line."""
    from analytics.pack import build_pack

    pack = build_pack(
        _lines_tables(), LINES, month="2026-10", as_of=datetime(2026, 11, 15, tzinfo=UTC),
        versions=[LINES],
    )  # fmt: skip
    assert pack.review.handoff["met"] == 1 and pack.review.handoff["missed"] == 1
    (row,) = [r for r in pack.scorecards["sales"] if r.metric == "handoff_compliance"]
    assert row.promise_words.render(lang=lang) == promise
    (item,) = [a for a in pack.actions if a.metric == "handoff_compliance"]
    assert item.basis.render(lang=lang) == evidence
    (breach,) = pack.breaches.filter(pl.col("kind") == "handoff").to_dicts()
    assert breach["lead_id"] == "D1"
    assert breach["detail"] == "first touch after 3.0 h (2.0 h over its line)"
