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


def variant_text(*replacements: tuple[str, str]) -> str:
    """The example config's text with replacements."""
    text = EXAMPLE
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def variant(*replacements: tuple[str, str], source: str = "variant.toml"):
    """The example config with text replacements (a real file's content: it has a hash)."""
    return parse_config(variant_text(*replacements), source=source)


def warehouse_with(tmp_path: Path, tables, recorded, given) -> tuple[Path, Path]:
    """A warehouse of ``tables`` with the SLA versions ``recorded`` (the first by the
    import), and the app's config file holding ``given`` (a config's text)."""
    from analytics.warehouse import write_tables
    from analytics.warehouse.config_history import record_config_if_new

    db = tmp_path / "w.duckdb"
    frames = {name: lf.collect() for name, lf in tables.items()}
    write_tables(db, frames, source="test_sla_changes", config=recorded[0])
    for version in recorded[1:]:
        assert record_config_if_new(db, version)
    config = tmp_path / "sla.toml"
    config.write_text(given, encoding="utf-8")
    return db, config


def page_rows(at, metric: str) -> list[dict]:
    """The rows of the page's text tables (this month beside the last) whose metric is
    ``metric`` (its label in the page's language)."""
    return [
        row
        for table in at.table
        for row in table.value.to_dict("records")
        if metric in (row.get("Metric"), row.get("Kennzahl"))
    ]


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
        {
            "lead_id": ["L1"],
            "owner_rep_id": ["r1"],
            "spaced_attempts": [6 - short],
            "attempts_short": [short],
        }
    )
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
        "name": "Demo request",
        "trigger": "demo_request",
        "first_touch_hours": 1.0,
        "business_hours": True,
    }


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
        leads.append(
            {
                "lead_id": lead,
                "created_at": "2026-10-01T08:00:00Z",
                "source": "email",
                "owner_rep_id": "r1",
            }
        )
        events += [
            {"lead_id": lead, "stage": "lead", "entered_at": "2026-10-01T08:00:00Z"},
            {"lead_id": lead, "stage": "mql", "entered_at": at, "trigger": trigger},
        ]
        touches.append(
            {
                "touch_id": f"t-{lead}",
                "lead_id": lead,
                "rep_id": "r1",
                "occurred_at": at.replace(hour=9 + hours),
                "channel": "phone",
                "outcome": "connected",
            }
        )
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
        _lines_tables(),
        LINES,
        month="2026-10",
        as_of=datetime(2026, 11, 15, tzinfo=UTC),
        versions=[LINES],
    )
    assert pack.review.handoff["met"] == 1 and pack.review.handoff["missed"] == 1
    (row,) = [r for r in pack.scorecards["sales"] if r.metric == "handoff_compliance"]
    assert row.promise_words.render(lang=lang) == promise
    (item,) = [a for a in pack.actions if a.metric == "handoff_compliance"]
    assert item.basis.render(lang=lang) == evidence
    (breach,) = pack.breaches.filter(pl.col("kind") == "handoff").to_dicts()
    assert breach["lead_id"] == "D1"
    assert breach["detail"] == "first touch after 3.0 h (2.0 h over its line)"


# -- H8: each version's review with the coverage of its own time zone ------------------------

BERLIN = variant(
    ('version = "2026.2"', 'version = "2026.2-B"'),
    ('timezone = "UTC" ', 'timezone = "Europe/Berlin" '),
    source="berlin.toml",
)
NEW_YORK_TEXT = variant_text(
    ('version = "2026.2"', 'version = "2026.6-NY"'),
    ('effective_from = "2026-01-01"', 'effective_from = "2026-03-01"'),
    ('timezone = "UTC" ', 'timezone = "America/New_York" '),
)
NEW_YORK = parse_config(NEW_YORK_TEXT, source="ny.toml")
TZ_AS_OF = datetime(2026, 4, 15, tzinfo=UTC)


def _tz_tables():
    """Sales touches tracked from 2026-03-01 00:30 UTC (01:30 in Berlin, 19:30 on 28
    February in New York). F1, F2 become MQL in February, touched in March; M1, M2 in
    March, touched after 1 h and 2 h."""
    from review_support import daily_touches

    from analytics.tables import Tables

    leads, events, touches = [], [], []
    for lead, mql_at, touched in (
        ("F1", "2026-02-10T09:00:00Z", "2026-03-02T09:00:00Z"),
        ("F2", "2026-02-12T09:00:00Z", "2026-03-02T10:00:00Z"),
        ("M1", "2026-03-05T09:00:00Z", "2026-03-05T10:00:00Z"),
        ("M2", "2026-03-06T09:00:00Z", "2026-03-06T11:00:00Z"),
    ):
        leads.append(
            {
                "lead_id": lead,
                "created_at": "2026-01-20T08:00:00Z",
                "source": "email",
                "owner_rep_id": "r1",
            }
        )
        events += [
            {"lead_id": lead, "stage": "lead", "entered_at": "2026-01-20T08:00:00Z"},
            {"lead_id": lead, "stage": "mql", "entered_at": mql_at, "trigger": "form"},
        ]
        touches.append(
            {
                "touch_id": f"t-{lead}",
                "lead_id": lead,
                "rep_id": "r1",
                "occurred_at": touched,
                "channel": "phone",
                "outcome": "connected",
            }
        )
    leads.append({"lead_id": "Z", "created_at": "2026-01-20T08:00:00Z", "source": "email"})
    touches.append(
        {
            "touch_id": "first",
            "lead_id": "Z",
            "rep_id": "r1",
            "channel": "email",
            "occurred_at": "2026-03-01T00:30:00Z",
            "outcome": "no_answer",
        }
    )
    touches += daily_touches("Z", "2026-03-02", "2026-04-14")
    reps = [{"rep_id": "r1", "name": "Ana Alpha", "team": "sdr"}]
    return Tables.from_rows(reps=reps, leads=leads, lifecycle_events=events, sales_touches=touches)


@pytest.mark.parametrize("given", ["none", "the file config's"])
def test_the_previous_month_of_another_time_zone_is_judged_with_its_own_coverage(given):
    """The CLI pack for March (New York from March) said "First touch within SLA 0.0 %" for
    February (Berlin) and "rose from 0 % (0 / 2) ... (better)": New York's coverage has
    touches from 28 February, Berlin's from 1 March (spec/coverage.md: null, not 0 %)."""
    from analytics.coverage import known_coverage
    from analytics.pack import build_pack

    tables = _tz_tables()
    coverage = None if given == "none" else known_coverage(tables, config=NEW_YORK)
    pack = build_pack(
        tables,
        NEW_YORK,
        month="2026-03",
        as_of=TZ_AS_OF,
        versions=[BERLIN, NEW_YORK],
        coverage=coverage,
    )
    assert (pack.config.sla.version, pack.previous_config.sla.version) == ("2026.6-NY", "2026.2-B")
    assert pack.review.handoff["compliance"] == 1.0
    assert pack.previous.handoff["compliance"] is None
    assert pack.previous.coverage["handoff"] is False
    kpi = pack.kpis.filter(pl.col("metric") == "handoff_compliance").row(0, named=True)
    assert (kpi["previous"], kpi["change"]) == (None, None)
    assert "handoff_compliance" not in pack.changes["metric"].to_list()


@pytest.mark.parametrize(("lang", "february"), [("en", "February 2026"), ("de", "Februar 2026")])
def test_the_review_page_judges_the_previous_month_with_its_versions_coverage(
    tmp_path, monkeypatch, lang, february
):
    """The Monthly review page (the app's file: New York from March) showed February,
    judged by the Berlin version, with New York's coverage: "0.0 %" where there is no data."""
    from app_support import open_page

    db, config = warehouse_with(tmp_path, _tz_tables(), [BERLIN, NEW_YORK], NEW_YORK_TEXT)
    at = open_page(db, monkeypatch, "review", lang, config=config)
    label = "First touch within SLA" if lang == "en" else "Erstkontakt im SLA"
    rows = page_rows(at, label)
    assert rows and all(row[february] == "–" for row in rows), rows
