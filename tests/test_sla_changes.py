"""The SLA changing between and inside months, as the review, the pack, the app and the CLI
say it (audit 2026-12-06, "the SLA changing over time")."""

from __future__ import annotations

import html as html_lib
import re
from datetime import UTC, datetime, timedelta
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
    ``metric`` (its label in the page's language), a marked cell with its note written out
    (``–: <reason>``: :func:`app_support.footnoted_rows`)."""
    from app_support import footnoted_rows

    return [row for row in footnoted_rows(at) if metric in (row.get("Metric"), row.get("Kennzahl"))]


# -- L4: one attempt short -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "one", "two"),
    [
        ("en", "1 attempt short", "2 attempts short"),
        ("de", "1 Versuch zu wenig", "2 Versuche zu wenig"),
    ],
)
def test_a_cadence_breach_one_attempt_short_says_attempt(lang, one, two):
    """The pack's and the page's breach tables read "1 attempts short"."""
    from analytics.pack.build import _breach_rows
    from analytics.pack.render import _amount

    frame = pl.DataFrame(
        {
            "lead_id": ["L1", "L2"],
            "owner_rep_id": ["r1", "r1"],
            "spaced_attempts": [5, 4],
            "attempts_short": [1, 2],
        }
    )
    rows = _breach_rows("cadence", frame, CFG, lang, as_of=datetime(2026, 11, 1, tzinfo=UTC))
    assert [_amount(r["amount"], r["unit"], "cadence", lang) for r in rows] == [one, two]


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
    F1 crosses the score (Wed 07 09:00), touched 2 h later: met. Touches (and lifecycle
    events) tracked daily."""
    from review_support import daily_lead_events, daily_touches

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
    events += daily_lead_events("Z", "2026-09-02", "2026-11-14")  # events tracked too
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
    February in New York), and lifecycle events daily from 2026-03-02. F1, F2 become MQL
    in February, touched in March; M1, M2 in March, touched after 1 h and 2 h."""
    from review_support import daily_lead_events, daily_touches

    from analytics.tables import Tables

    leads, events, touches = [], [], []
    for lead, mql_at, touched in (
        ("F1", "2026-02-10T09:00:00Z", "2026-03-02T09:00:00Z"),
        ("F2", "2026-02-12T09:00:00Z", "2026-03-02T10:00:00Z"),
        ("M1", "2026-03-05T09:00:00Z", "2026-03-05T10:00:00Z"),
        ("M2", "2026-03-06T09:00:00Z", "2026-03-06T11:00:00Z"),
    ):
        created = f"{mql_at[:10]}T08:00:00Z"  # the month's leads: its MQLs are known
        leads.append(
            {"lead_id": lead, "created_at": created, "source": "email", "owner_rep_id": "r1"}
        )
        events += [
            {"lead_id": lead, "stage": "lead", "entered_at": created},
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
    events += daily_lead_events("Z", "2026-03-02", "2026-04-14")  # events tracked too
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
    # "–" with the reason below the table (no data then), not "0.0 %"
    assert rows and all(row[february].startswith(f"–: {february}: ") for row in rows), rows


# -- H6, M2: a month compared with the previous one, each judged by its own version ---------

AS_OF = datetime(2026, 11, 15, tzinfo=UTC)
FAST_TEXT = variant_text(
    ('version = "2026.2"', 'version = "2026.3"'),
    ('effective_from = "2026-01-01"', 'effective_from = "2026-10-01"'),
    ("first_touch_hours = 24", "first_touch_hours = 2"),
)
FAST = parse_config(FAST_TEXT, source="fast.toml")


def _two_months():
    """:func:`_two_months_rows` as tables."""
    from analytics.tables import Tables

    return Tables.from_rows(**_two_months_rows())


def _two_months_rows() -> dict[str, list[dict]]:
    """September: S1..S4 become MQL, each touched 3 h later (met under 24 h, missed under
    2 h). October: O1..O4 touched after 1, 36, 48 and 3 h: 1 of 4 within 2 h, 2 of 4
    within 24 h. Every MQL is reached at its first touch (cadence held). Touches (and
    lifecycle events) tracked daily until the as-of date."""
    from review_support import daily_lead_events, daily_touches

    leads, events, touches = [], [], []
    plan = [(f"S{i}", datetime(2026, 9, 1 + i, 9, tzinfo=UTC), 3) for i in range(1, 5)]
    plan += [
        (f"O{i}", datetime(2026, 10, day, 9, tzinfo=UTC), hours)
        for i, (day, hours) in enumerate([(1, 1), (2, 36), (5, 48), (6, 3)], start=1)
    ]
    for lead, at, hours in plan:
        created = f"{at:%Y-%m}-01T00:00:00Z"
        leads.append(
            {"lead_id": lead, "created_at": created, "source": "email", "owner_rep_id": "r1"}
        )
        events += [
            {"lead_id": lead, "stage": "lead", "entered_at": created},
            {"lead_id": lead, "stage": "mql", "entered_at": at, "trigger": "form"},
        ]
        touches.append(
            {
                "touch_id": f"t-{lead}",
                "lead_id": lead,
                "rep_id": "r1",
                "occurred_at": at + timedelta(hours=hours),
                "channel": "phone",
                "outcome": "connected",
            }
        )
    leads.append({"lead_id": "Z", "created_at": "2026-08-01T00:00:00Z", "source": "email"})
    touches += daily_touches("Z", "2026-08-01", "2026-11-14")
    events += daily_lead_events("Z", "2026-08-02", "2026-11-14")  # events tracked too
    reps = [{"rep_id": "r1", "name": "Ana Alpha", "team": "sdr"}]
    return {"reps": reps, "leads": leads, "lifecycle_events": events, "sales_touches": touches}


REASON = {
    "en": "not compared: the SLA measures it differently since 2026-10-01 (First touch "
    "within (hours) 24 -> 2)",
    "de": "nicht verglichen: das SLA misst es seit 01.10.2026 anders (Erstkontakt innerhalb "
    "von (Stunden) 24 -> 2)",
}


@pytest.fixture(scope="module")
def fast_pack():
    from analytics.pack import build_pack

    return build_pack(_two_months(), FAST, month="2026-10", as_of=AS_OF, versions=[CFG, FAST])


def test_a_change_of_definition_is_not_tested_nor_made_an_action_item(fast_pack):
    """H6: "Speed-to-lead compliance fell from 100 % (4 / 4) to 25 % (1 / 4) ... (worse)"
    and "sales: Speed-to-lead compliance got worse since last month: find out why": the
    drop is the new 2-h rule (September 24 h, October 2 h), not the sales team."""
    pack = fast_pack
    assert (pack.previous.handoff["met"], pack.review.handoff["met"]) == (4, 1)
    row = pack.changes.filter(pl.col("metric") == "handoff_compliance").row(0, named=True)
    assert (row["previous_x"], row["previous_n"], row["current_x"], row["current_n"]) == (
        4, 4.0, 1, 4.0
    )  # fmt: skip
    assert row["comparable"] is False
    assert (row["p_value"], row["is_significant"], row["is_better"]) == (None, False, None)
    assert "handoff_compliance" not in pack.significant["metric"].to_list()
    assert not [a for a in pack.actions if a.code == "action.worse"]
    # the cadence is measured alike: still tested
    cadence = pack.changes.filter(pl.col("metric") == "cadence_compliance").row(0, named=True)
    assert cadence["comparable"] is True


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_pack_says_why_a_redefined_change_is_not_tested(fast_pack, lang):
    from review_support import footnoted_cells

    from analytics.pack.render import render_html, render_markdown

    md = render_markdown(fast_pack, lang=lang)
    label = "Speed-to-lead compliance" if lang == "en" else "Einhaltung Reaktionszeit"
    before, after = ("100 % (4 / 4)", "25 % (1 / 4)")
    assert f"- {label}: {before} -> {after}; {REASON[lang]}" in md
    assert f"–: {REASON[lang]}" in footnoted_cells(md)  # the KPI table's change
    html = render_html(fast_pack, charts=False, lang=lang)
    assert REASON[lang] in html_lib.unescape(re.sub(r"<[^>]+>", "", html))
    assert f"{label} got worse" not in md and f"{label}: seit dem Vormonat" not in md


@pytest.fixture
def fast_warehouse(tmp_path) -> tuple[Path, Path]:
    """The two months imported with the example SLA; version 2026.3 (first touch within
    2 h from October) recorded and the app's config file."""
    return warehouse_with(tmp_path, _two_months(), [CFG, FAST], FAST_TEXT)


def test_sla_review_json_compares_as_the_pack_does(fast_warehouse, fast_pack):
    """M2: `sla review --json` re-judged September by October's version (previous 0 %,
    change +25 pp) while the pack and the review page said 100 % (-75 pp)."""
    import json

    from typer.testing import CliRunner

    from analytics.cli import app

    db, config = fast_warehouse
    args = ["review", "--month", "2026-10", "--as-of", "2026-11-15T00:00:00Z", "--no-record"]
    done = CliRunner().invoke(app, [*args, "--db", str(db), "--config", str(config), "--json"])
    assert done.exit_code == 0, done.output
    document = json.loads(done.stdout)
    kpis = {k["metric"]: k for k in document["kpis"]}
    handoff = kpis["handoff_compliance"]
    assert (handoff["value"], handoff["previous"], handoff["change"]) == (0.25, 1.0, None)
    assert handoff["change_reason"] == REASON["en"]
    assert document["comparison"]["month"] == "2026-09"
    assert document["comparison"]["version"] == "2026.2"
    assert document["comparison"]["redefined"]["handoff_compliance"] == {
        "settings": ["handoff.first_touch_hours"],
        "reason": REASON["en"],
    }
    for row in fast_pack.kpis.iter_rows(named=True):  # one comparison everywhere
        got = kpis[row["metric"]]
        assert (got["previous"], got["change"]) == (row["previous"], row["change"]), row
    assert kpis["cadence_compliance"]["change_reason"] is None
    text = CliRunner().invoke(app, [*args, "--db", str(db), "--config", str(config)])
    assert "Compared with 2026-09 as judged by SLA version 2026.2." in text.stdout
    assert f"- First touch within SLA: {REASON['en']}" in " ".join(text.stdout.split())


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_overview_compares_with_the_previous_month_as_judged_then(
    fast_warehouse, monkeypatch, lang
):
    """M2: the Overview's tile read "25.0 % ↓ -75.0 pp"... or "+25.0 pp" re-judged: now
    no change for a KPI measured differently, and a line saying what is compared."""
    from app_support import html_text, open_page, tile_texts

    db, config = fast_warehouse
    at = open_page(db, monkeypatch, "overview", lang, config=config)
    label = "First touch within SLA" if lang == "en" else "Erstkontakt im SLA"
    value = "25.0 %" if lang == "en" else "25,0 %"
    tile = tile_texts(at)[label]
    assert tile[0] == value and not any("pp" in w or "Pp." in w for w in tile), tile
    captions = " ".join(c.value for c in at.caption)
    said = {  # the month as the app writes months (the CLI: its label, 2026-09)
        "en": "Compared with September 2026 as judged by SLA version 2026.2.",
        "de": "Verglichen mit September 2026, bewertet nach SLA-Version 2026.2.",
    }
    assert said[lang] in captions
    assert f"{label}: {REASON[lang]}" in captions
    assert REASON[lang] not in html_text(at)  # said once, below the tiles


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_review_page_says_why_a_redefined_change_is_not_given(
    fast_warehouse, monkeypatch, lang
):
    from app_support import open_page

    db, config = fast_warehouse
    at = open_page(db, monkeypatch, "review", lang, config=config)
    label = "First touch within SLA" if lang == "en" else "Erstkontakt im SLA"
    september = "September 2026"
    rows = page_rows(at, label)
    assert rows, [t.value for t in at.table]
    for row in rows:
        assert row[september] == ("100.0 %" if lang == "en" else "100,0 %")
        assert row["Change" if lang == "en" else "Veränderung"] == f"–: {REASON[lang]}"
    captions = " ".join(c.value for c in at.caption)
    assert REASON[lang] in captions  # the tested changes' section: not tested, and why
    text = " ".join(m.value for m in at.markdown)
    assert "got worse" not in text and "seit dem Vormonat schlechter" not in text


# -- H7: a quarter's goal adds up its months' own goals -------------------------------------

GOAL_TEXT = variant_text(
    ('version = "2026.2"', 'version = "2026.4-goals"'),
    ('effective_from = "2026-01-01"', 'effective_from = "2026-08-01"'),
    ("revenue_target_monthly = 1_000_000.0", "revenue_target_monthly = 100_000.0"),
)
GOAL = parse_config(GOAL_TEXT, source="goal.toml")


def _goal_tables():
    """:func:`_two_months_rows` and a deal won in July (G1, 50,000 EUR): revenue and deals
    are known over the third quarter."""
    from analytics.tables import Tables

    rows = _two_months_rows()
    rows["leads"].append({"lead_id": "G1", "created_at": "2026-07-01T08:00:00Z", "source": "email"})
    rows["lifecycle_events"] += [
        {"lead_id": "G1", "stage": stage, "entered_at": f"2026-07-{day:02d}T10:00:00Z"}
        for stage, day in (
            ("lead", 1),
            ("mql", 2),
            ("sql", 5),
            ("opportunity", 6),
            ("customer", 20),
        )
    ]
    rows["opportunities"] = [
        {"opportunity_id": "P1", "lead_id": "G1", "created_at": "2026-07-06T10:00:00Z",
         "closed_at": "2026-07-20T10:00:00Z", "amount": 50_000.0, "status": "won"}
    ]  # fmt: skip
    return Tables.from_rows(**rows)


def _quarter(pacing: pl.DataFrame) -> dict[str, float | None]:
    rows = pacing.filter(pl.col("period") == "quarter").select("stage", "target").rows()
    return dict(rows)


def test_the_quarters_goal_is_the_sum_of_its_months_goals():
    """Q3 2026: July under 2026.2 (1,000,000 a month), August and September under
    2026.4-goals (100,000): 1,200,000, where 3 x 100,000 = 300,000 was shown."""
    from analytics.pack import build_pack

    pack = build_pack(_goal_tables(), GOAL, month="2026-09", as_of=AS_OF, versions=[CFG, GOAL])
    month = dict(
        pack.review.pacing.filter(pl.col("period") == "month").select("stage", "target").rows()
    )
    quarter = _quarter(pack.review.pacing)
    assert month["won_revenue"] == 100_000.0
    assert quarter["won_revenue"] == 1_200_000.0
    for stage, need in month.items():  # every stage's need scales with the goal
        assert quarter[stage] == (None if need is None else pytest.approx(need * 12)), stage
    assert pack.review.comparison["quarter_goals"] == {
        "2026-07": 1_000_000.0,
        "2026-08": 100_000.0,
        "2026-09": 100_000.0,
    }


def test_sla_review_writes_the_quarters_goal_month_by_month(tmp_path):
    from typer.testing import CliRunner

    from analytics.cli import app

    db, config = warehouse_with(tmp_path, _goal_tables(), [CFG, GOAL], GOAL_TEXT)
    out = tmp_path / "pack.md"
    args = ["review", "--month", "2026-09", "--as-of", "2026-11-15T00:00:00Z", "--no-record"]
    done = CliRunner().invoke(
        app, [*args, "--db", str(db), "--config", str(config), "--out", str(out)]
    )
    assert done.exit_code == 0, done.output
    (row,) = [r for r in out.read_text().splitlines() if r.startswith("| quarter | Won revenue")]
    assert row.split(" | ")[3] == "1,200,000 EUR", row


@pytest.mark.parametrize(
    ("target", "lang", "shown"),
    [
        (100_000.0, "en", "1,200,000"),  # the SLA's: as the review judged it
        (200_000.0, "en", "1,300,000"),  # what if September's goal were 200,000
        (100_000.0, "de", "1.200.000"),
    ],
)
def test_the_shared_goals_page_paces_the_quarter_against_its_months_goals(
    tmp_path, monkeypatch, target, lang, shown
):
    from app_support import APP, MARK, static_tables
    from streamlit.testing.v1 import AppTest

    from dashboard.i18n import column_label

    db, config = warehouse_with(tmp_path, _goal_tables(), [CFG, GOAL], GOAL_TEXT)
    monkeypatch.setenv("SLA_DB", str(db))
    monkeypatch.setenv("SLA_CONFIG", str(config))
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update({"month": "2026-09", "lang": lang})
    at.switch_page("views/goals.py").run()
    assert not at.exception, at.exception[0].value
    if target != 100_000.0:
        at.number_input(key="revenue_target").set_value(target).run()
    goal, stage = column_label("goal_target", lang), column_label("stage_name", lang)
    _, quarter = [t for t in static_tables(at) if goal in t]
    won = "Won revenue" if lang == "en" else "Gewonnener Umsatz"
    stages = [re.sub(f"{MARK}$", "", name) for name in quarter[stage]]  # "Leads¹": a note
    assert quarter[goal][stages.index(won)] == shown


# -- M3: a version taking effect inside the month --------------------------------------------

MID_TEXT = variant_text(
    ('version = "2026.2"', 'version = "2026.5"'),
    ('effective_from = "2026-01-01"', 'effective_from = "2026-10-04"'),
    ("first_touch_hours = 24", "first_touch_hours = 48"),
)
MID = parse_config(MID_TEXT, source="mid.toml")
#: What every format says of October (judged by 2026.2, 2026.5 from the 4th): O1 (1 h) and
#: O2 (36 h) before the change, O3 (48 h) and O4 (3 h) after it, under the 24-h rule.
IN_MONTH = {
    "en": {
        "title": "Changed during 2026-10: version 2026.5 from 2026-10-04",
        "line": "First touch within (hours) 24 -> 48 from 2026-10-04",
        "judged": "The month is judged by version 2026.2 (in force on its first day), the part "
        "from 2026-10-04 on too: by version 2026.2's rules, not version 2026.5's. Before and "
        "after the change:",
        "rows": [
            {"Part": "before", "Days": "2026-10-01 – 2026-10-03", "MQLs": "2",
             "MQLs per day": "0.7", "Speed to lead": "50.0 % (1 / 2)",
             "Cadence held": "100.0 % (2 / 2)", "Judged by": "version 2026.2"},
            {"Part": "after", "Days": "2026-10-04 – 2026-10-31", "MQLs": "2",
             "MQLs per day": "0.1", "Speed to lead": "50.0 % (1 / 2)",
             "Cadence held": "100.0 % (2 / 2)", "Judged by": "version 2026.2"},
        ],
    },
    "de": {
        "title": "Geändert im Monat 2026-10: Version 2026.5 ab 04.10.2026",
        "line": "Erstkontakt innerhalb von (Stunden) 24 -> 48 ab 04.10.2026",
        "judged": "Der Monat wird nach Version 2026.2 bewertet (gültig an seinem ersten Tag), "
        "auch der Teil ab 04.10.2026: nach den Regeln von Version 2026.2, nicht von Version "
        "2026.5. Vor und nach der Änderung:",
        "rows": [
            {"Teil": "davor", "Tage": "01.10.2026 – 03.10.2026", "MQLs": "2",
             "MQLs pro Tag": "0,7", "Reaktionszeit": "50,0 % (1 / 2)",
             "Kadenz eingehalten": "100,0 % (2 / 2)", "Bewertet nach": "Version 2026.2"},
            {"Teil": "danach", "Tage": "04.10.2026 – 31.10.2026", "MQLs": "2",
             "MQLs pro Tag": "0,1", "Reaktionszeit": "50,0 % (1 / 2)",
             "Kadenz eingehalten": "100,0 % (2 / 2)", "Bewertet nach": "Version 2026.2"},
        ],
    },
}  # fmt: skip


@pytest.fixture(scope="module")
def mid_pack():
    from analytics.pack import build_pack

    return build_pack(_two_months(), MID, month="2026-10", as_of=AS_OF, versions=[CFG, MID])


@pytest.mark.parametrize("lang", ["en", "de"])
def test_every_pack_format_names_the_version_its_changes_and_who_judges_the_rest(mid_pack, lang):
    """M3: the Excel pack's SLA sheet held only "No change."; the split's "after" part was
    judged by the old line under a heading that read as "after the change"."""
    from analytics.pack.export import pack_sheets
    from analytics.pack.render import render_html, render_markdown

    said = IN_MONTH[lang]
    md = render_markdown(mid_pack, lang=lang)
    assert f"### {said['title']}" in md
    assert f"- {said['line']}" in md and said["judged"] in md
    for row in said["rows"]:
        assert "| " + " | ".join(row.values()) + " |" in md
    assert "| " + " | ".join(said["rows"][0]) + " |" in md  # the labelled columns
    html = html_lib.unescape(
        re.sub(r"<[^>]+>", " ", render_html(mid_pack, charts=False, lang=lang))
    )
    html = " ".join(html.split())
    assert said["title"] in html and said["line"] in html and said["judged"] in html
    assert " ".join(said["rows"][1].values()) in html
    sheets = pack_sheets(mid_pack, lang=lang)
    (sla,) = [f for name, f in sheets.items() if name in ("The SLA in force", "Das geltende SLA")]
    lines = sla.to_series().to_list()
    version = "version 2026.2" if lang == "en" else "Version 2026.2"
    assert version in lines[0]
    judged = "is judged by the SLA in force then" if lang == "en" else "damals geltenden SLA"
    assert judged in lines[1] and "2026-09" in lines[1]  # the KPI sheet's previous month
    assert [said["title"], said["line"], said["judged"]] == lines[-3:]
    (split,) = [f for name, f in sheets.items() if name.startswith(("SLA change", "SLA-Änderung"))]
    assert split.to_dicts() == said["rows"]


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_review_page_names_the_version_its_changes_and_labels_the_split(
    tmp_path, monkeypatch, lang
):
    """M3: the page said "No change to the SLA since the last review" and showed a table
    headed part, first_day, mql_episodes ... without naming 2026.5 or what it changed."""
    from app_support import open_page

    db, config = warehouse_with(tmp_path, _two_months(), [CFG, MID], MID_TEXT)
    at = open_page(db, monkeypatch, "review", lang, config=config)
    said = IN_MONTH[lang]
    assert said["title"] in [w.value for w in at.warning]
    assert f"- {said['line']}" in [m.value for m in at.markdown]
    assert said["judged"] in [c.value for c in at.caption]
    (split,) = [t.value for t in at.table if said["rows"][0].keys() <= set(t.value.columns)]
    assert split.to_dict("records") == said["rows"]


@pytest.mark.parametrize(
    ("lang", "line"),
    [
        (
            "en",
            "- New first-touch line Demo request for trigger demo request: first touch within "
            "1 business hour from 2026-10-01",
        ),
        (
            "de",
            "- Neue Erstkontakt-Frist Demo-Anfrage für Auslöser Demo-Anfrage: Erstkontakt "
            "innerhalb von 1 Arbeitsstunde ab 01.10.2026",
        ),
    ],
)
def test_the_review_page_lists_a_new_first_touch_line_in_words(tmp_path, monkeypatch, lang, line):
    """M5: the German page listed "handoff.lines[Demo request].source (not set) -> (not set)"
    and nine more raw keys, in English, naming "Demo request" beside name_de."""
    from app_support import open_page

    lines_text = variant_text(
        ('version = "2026.2"', 'version = "2026.7"'),
        ('effective_from = "2026-01-01"', 'effective_from = "2026-10-01"'),
        (LINE_BLOCK, LINE),
    )
    db, config = warehouse_with(tmp_path, _two_months(), [CFG, LINES], lines_text)
    at = open_page(db, monkeypatch, "review", lang, config=config)
    shown = [m.value for m in at.markdown]
    assert line in shown
    assert not [m for m in shown if "not set" in m or "nicht gesetzt" in m or "handoff." in m]


# -- M8: months in two time zones tile time ----------------------------------------------------

NY_OCT_TEXT = variant_text(
    ('version = "2026.2"', 'version = "2026.6-NY"'),
    ('effective_from = "2026-01-01"', 'effective_from = "2026-10-01"'),
    ('timezone = "UTC" ', 'timezone = "America/New_York" '),
)
NY_OCT = parse_config(NY_OCT_TEXT, source="ny.toml")
BERLIN_TEXT = variant_text(
    ('version = "2026.2"', 'version = "2026.2-B"'),
    ('timezone = "UTC" ', 'timezone = "Europe/Berlin" '),
)
ZONE_VERSIONS = [BERLIN, NY_OCT]  # Berlin until September, New York from 2026-10-01
ZONE_AS_OF = datetime(2026, 11, 14, 12, tzinfo=UTC)
#: What every output says of the boundary (midnight in Berlin: 2026-09-30 22:00 UTC; in
#: New York: 2026-10-01 04:00 UTC).
BOUNDARY = {
    "en": "Time zone change: 2026-09 ends and 2026-10 starts at midnight in America/New_York "
    "(2026-10-01 04:00 UTC); the 6 hours between midnight in Europe/Berlin (2026-09-30 22:00 "
    "UTC) and midnight in America/New_York (2026-10-01 04:00 UTC) count in 2026-09.",
    "de": "Zeitzonenwechsel: 2026-09 endet und 2026-10 beginnt um Mitternacht in "
    "America/New_York (01.10.2026 04:00 UTC); die 6 Stunden zwischen Mitternacht in "
    "Europe/Berlin (30.09.2026 22:00 UTC) und Mitternacht in America/New_York (01.10.2026 "
    "04:00 UTC) zählen zu 2026-09.",
}
BOUNDARY_JSON = {
    "month": "2026-10",
    "before": "Europe/Berlin",
    "after": "America/New_York",
    "at": "2026-10-01T04:00:00Z",
    "other": "2026-09-30T22:00:00Z",
    "hours": 6.0,
    "hours_month": "2026-09",
}


def _zone_tables():
    """Four leads, each an MQL when created and touched 1 h later (UTC; Berlin; New York):

    | lead | created | Berlin | New York | month (Berlin until Sep, New York from Oct) |
    |---|---|---|---|---|
    | A | 09-30 21:00 | 09-30 23:00 | 09-30 17:00 | 2026-09 |
    | B | 09-30 23:00 | 10-01 01:00 | 09-30 19:00 | 2026-09 (in no month before) |
    | C | 10-01 03:00 | 10-01 05:00 | 09-30 23:00 | 2026-09 (in no month before) |
    | D | 10-01 05:00 | 10-01 07:00 | 10-01 01:00 | 2026-10 |

    September runs to midnight in New York (2026-10-01 04:00 UTC): 3 leads and MQLs,
    October 1. Lead Z (August, no MQL) is touched daily, so the touches are tracked."""
    from review_support import daily_lead_events, daily_touches

    from analytics.tables import Tables

    leads, events, touches = [], [], []
    for lead, at in (
        ("A", datetime(2026, 9, 30, 21, tzinfo=UTC)),
        ("B", datetime(2026, 9, 30, 23, tzinfo=UTC)),
        ("C", datetime(2026, 10, 1, 3, tzinfo=UTC)),
        ("D", datetime(2026, 10, 1, 5, tzinfo=UTC)),
    ):
        leads.append({"lead_id": lead, "created_at": at, "source": "email", "owner_rep_id": "r1"})
        events += [
            {"lead_id": lead, "stage": "lead", "entered_at": at},
            {"lead_id": lead, "stage": "mql", "entered_at": at, "trigger": "form"},
        ]
        touches.append(
            {
                "touch_id": f"t-{lead}",
                "lead_id": lead,
                "rep_id": "r1",
                "occurred_at": at + timedelta(hours=1),
                "channel": "phone",
                "outcome": "connected",
            }
        )
    leads.append({"lead_id": "Z", "created_at": "2026-08-01T00:00:00Z", "source": "email"})
    touches += daily_touches("Z", "2026-08-01", "2026-11-14")
    events += daily_lead_events("Z", "2026-08-02", "2026-11-14")  # events tracked too
    reps = [{"rep_id": "r1", "name": "Ana Alpha", "team": "sdr"}]
    return Tables.from_rows(reps=reps, leads=leads, lifecycle_events=events, sales_touches=touches)


@pytest.mark.parametrize("given", [NY_OCT, BERLIN], ids=["new york file", "berlin file"])
def test_a_time_zone_change_leaves_no_hour_outside_the_months(given):
    """M8: September (Berlin) ended at 22:00 UTC, October (New York) started at 04:00 UTC:
    B and C were in no month, and October's "previous month" (cut in New York) said 3 where
    September's own review said 1. Now September runs to October's start."""
    from analytics.review import build_review
    from analytics.sla_versions import config_for_month

    tables = _zone_tables()
    reviews = {
        month: build_review(
            tables,
            config_for_month(ZONE_VERSIONS, month=month, fallback=given),
            month=month,
            as_of=ZONE_AS_OF,
        )
        for month in ("2026-09", "2026-10")
    }
    september, october = reviews["2026-09"], reviews["2026-10"]
    assert september.window.start == datetime(2026, 8, 31, 22, tzinfo=UTC)  # Berlin
    assert september.window.end == october.window.start == datetime(2026, 10, 1, 4, tzinfo=UTC)
    assert october.window.end == datetime(2026, 11, 1, 4, tzinfo=UTC)  # New York
    assert (september.volumes["leads"], october.volumes["leads"]) == (3, 1)
    assert (september.volumes["mqls"], october.volumes["mqls"]) == (3, 1)
    assert october.previous_volumes["leads"] == september.volumes["leads"] == 3
    (mqls,) = october.kpis.filter(pl.col("metric") == "mqls").select("value", "previous").rows()
    assert mqls == (1.0, 3.0)
    assert september.handoff["met"] == 3 and october.handoff["met"] == 1


def test_the_kpi_history_cuts_its_months_as_the_reviews_do():
    """M8: the KPI trend cut every month, the Berlin ones too, in one zone."""
    from analytics.review import kpi_history

    history = kpi_history(
        _zone_tables(), NY_OCT, month="2026-10", months=2, as_of=ZONE_AS_OF,
        versions=ZONE_VERSIONS,
    )  # fmt: skip
    mqls = history.filter(pl.col("metric") == "mqls")
    assert mqls.select("month", "value").rows() == [("2026-09", 3.0), ("2026-10", 1.0)]
    assert mqls["previous"][1] == 3.0


@pytest.mark.parametrize("lang", ["en", "de"])
def test_every_pack_format_says_where_the_months_meet(lang):
    """M8: the pack listed "Reporting time zone Europe/Berlin -> America/New_York from
    2026-10-01" but not where September ends; its 2026-09 column counted 1 lead of 3."""
    from analytics.pack import build_pack
    from analytics.pack.export import pack_sheets
    from analytics.pack.render import render_html, render_markdown, sla_view

    pack = build_pack(
        _zone_tables(), NY_OCT, month="2026-10", as_of=ZONE_AS_OF, versions=ZONE_VERSIONS
    )
    assert (pack.previous.volumes["leads"], pack.review.volumes["leads"]) == (3, 1)
    (mqls,) = pack.kpis.filter(pl.col("metric") == "mqls").select("value", "previous").rows()
    assert mqls == (1.0, 3.0)
    assert sla_view(pack, lang=lang)["zones"] == [BOUNDARY[lang]]
    assert pack.to_json_dict()["sla"]["zone_boundaries"] == [BOUNDARY_JSON]
    md = render_markdown(pack, lang=lang).replace("\\_", "_")
    assert f"\n{BOUNDARY[lang]}\n" in md
    html = html_lib.unescape(re.sub(r"<[^>]+>", " ", render_html(pack, charts=False, lang=lang)))
    assert BOUNDARY[lang] in " ".join(html.split())
    sheets = pack_sheets(pack, lang=lang)
    (sla,) = [f for name, f in sheets.items() if name in ("The SLA in force", "Das geltende SLA")]
    assert sla.to_series().to_list()[1] == BOUNDARY[lang]


def test_sla_review_cuts_and_compares_the_months_as_the_pack_does(tmp_path):
    """M8: `sla review --month 2026-10` said "previous month 204 leads" (September cut in
    New York), its September review 202 (Berlin); neither said where the months meet."""
    import json

    from typer.testing import CliRunner

    from analytics.cli import app

    db, config = warehouse_with(tmp_path, _zone_tables(), ZONE_VERSIONS, NY_OCT_TEXT)
    base = ["--db", str(db), "--config", str(config), "--as-of", "2026-11-14T12:00:00Z"]

    def review(month: str, *extra: str):
        done = CliRunner().invoke(app, ["review", "--month", month, *base, *extra])
        assert done.exit_code == 0, done.output
        return done.stdout

    october = json.loads(review("2026-10", "--json"))
    september = json.loads(review("2026-09", "--json"))
    assert (september["volumes"]["leads"], october["volumes"]["leads"]) == (3, 1)
    (mqls,) = [k for k in october["kpis"] if k["metric"] == "mqls"]
    assert (mqls["value"], mqls["previous"]) == (1, 3)
    assert october["sla"]["zone_boundaries"] == [BOUNDARY_JSON]  # its start
    assert september["sla"]["zone_boundaries"] == [BOUNDARY_JSON]  # its end
    assert BOUNDARY["en"] in " ".join(review("2026-10").split())


def test_the_alerts_and_sla_info_place_a_moment_in_the_month_that_holds_it(tmp_path):
    """M8: 2026-10-01 02:00 UTC is 04:00 in Berlin but September's in New York, where
    October starts: September's version warns then, whatever file is given."""
    import json

    from typer.testing import CliRunner

    from analytics.cli import app
    from analytics.sla_versions import config_at

    moment = datetime(2026, 10, 1, 2, tzinfo=UTC)
    for given in (BERLIN, NY_OCT):
        assert config_at(ZONE_VERSIONS, moment=moment, fallback=given).sla.version == "2026.2-B"
    assert (
        config_at(ZONE_VERSIONS, moment=moment + timedelta(hours=2), fallback=BERLIN).sla.version
        == "2026.6-NY"
    )
    db, config = warehouse_with(tmp_path, _zone_tables(), ZONE_VERSIONS, BERLIN_TEXT)
    done = CliRunner().invoke(app, ["info", "--db", str(db), "--config", str(config), "--json"])
    assert done.exit_code == 0, done.output
    info = json.loads(done.stdout)
    assert (info["sla_month"], info["sla_version"]) == ("2026-11", "2026.6-NY")


def test_a_stored_review_is_not_served_once_a_version_moves_its_end(tmp_path):
    """M8: a month's span depends on the next month's zone: September stored while Berlin
    was the only version (1 lead) must not be read once New York judges October."""
    from analytics.precompute import compute_results, result_key, stored, to_bytes
    from analytics.review import Review
    from analytics.sla_versions import config_for_month
    from analytics.warehouse import connect_readonly
    from analytics.warehouse.config_history import record_config_if_new, stored_configs
    from analytics.warehouse.precomputed import store_results

    db, _ = warehouse_with(tmp_path, _zone_tables(), [BERLIN], BERLIN_TEXT)
    tables = _zone_tables()
    before = compute_results(tables, BERLIN, as_of=ZONE_AS_OF, versions=[BERLIN])
    september = before[result_key("review", "2026-09", BERLIN, ZONE_AS_OF)]
    assert september.volumes["leads"] == 1  # Berlin's September: A only
    store_results(db, {key: to_bytes(value) for key, value in before.items()})
    assert record_config_if_new(db, NY_OCT)
    with connect_readonly(db) as con:
        versions = stored_configs(con)
        judge = config_for_month(versions, month="2026-09", fallback=BERLIN)
        assert judge.content_hash == BERLIN.content_hash
        assert stored(con, "review", month="2026-09", config=judge, as_of=ZONE_AS_OF) is None
    after = compute_results(tables, BERLIN, as_of=ZONE_AS_OF, versions=ZONE_VERSIONS)
    reviews = [r for k, r in after.items() if k.kind == "review" and k.month == "2026-09"]
    assert [r.volumes["leads"] for r in reviews if isinstance(r, Review)] == [3]


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_review_page_says_where_the_months_meet(tmp_path, monkeypatch, lang):
    """M8: the Monthly review page (October, New York) names the boundary of the months, and
    its September column counts the hours between the two midnights (3 MQLs, not 1)."""
    from app_support import open_page

    db, config = warehouse_with(tmp_path, _zone_tables(), ZONE_VERSIONS, NY_OCT_TEXT)
    at = open_page(db, monkeypatch, "review", lang, config=config)
    assert BOUNDARY[lang] in [i.value for i in at.info]
    label = "MQLs delivered" if lang == "en" else "Gelieferte MQLs"
    september = "September 2026"
    rows = page_rows(at, label)
    assert rows and all(row[september] == "3" for row in rows), rows


def test_a_deal_won_without_an_amount_between_the_midnights_leaves_its_month_unknown():
    """M8: the coverage cut the months of deals won without an amount in the version's own
    zone: such a deal at 2026-10-01 02:00 UTC (04:00 in Berlin) made October's revenue
    unknown and September's "known", though September holds it."""
    import dataclasses

    from analytics.review import build_review
    from analytics.sla_versions import config_for_month
    from analytics.tables import Tables

    deals = Tables.from_rows(
        opportunities=[
            {"opportunity_id": opp, "lead_id": lead, "created_at": at, "closed_at": at,
             "amount": amount, "status": "won"}
            for opp, lead, at, amount in (
                ("O1", "A", "2026-09-30T21:30:00Z", 100.0),
                ("O2", "B", "2026-10-01T02:00:00Z", 0.0),  # no amount: in September
                ("O3", "D", "2026-10-20T09:00:00Z", 50.0),
            )
        ]
    )  # fmt: skip
    tables = dataclasses.replace(_zone_tables(), opportunities=deals.opportunities)
    reviews = {
        month: build_review(
            tables,
            config_for_month(ZONE_VERSIONS, month=month, fallback=NY_OCT),
            month=month,
            as_of=ZONE_AS_OF,
        )
        for month in ("2026-09", "2026-10")
    }
    assert reviews["2026-09"].coverage["revenue"] is False
    assert reviews["2026-09"].volumes["won_revenue"] is None
    assert reviews["2026-10"].coverage["revenue"] is True
    assert reviews["2026-10"].volumes["won_revenue"] == 50.0


# -- a KPI that only an older version has, in German --------------------------------------

SQLS_KPI = """[[kpis.marketing]]
metric = "sqls"
label = "SQLs delivered"
label_de = "Gelieferte SQLs"
target = 60
direction = "at_least"

[[kpis.sales]]
metric = "handoff_compliance\""""
#: Version 2026.1 has a KPI on SQLs; 2026.3, the config file from October, has none.
WITH_SQLS = variant(
    ('version = "2026.2"', 'version = "2026.1"'),
    ('[[kpis.sales]]\nmetric = "handoff_compliance"', SQLS_KPI),
    source="with-sqls.toml",
)
NO_SQLS_TEXT = variant_text(
    ('version = "2026.2"', 'version = "2026.3"'),
    ('effective_from = "2026-01-01"', 'effective_from = "2026-10-01"'),
)


def _trend_names(at) -> str:
    """The KPI trends' panel titles (one vega view a team) and the captions naming the KPIs
    too sparse for a panel."""
    import json

    names = [
        name
        for chart in at.get("vega_lite_chart")
        for name in json.loads(chart.proto.spec).get("facet", {}).get("sort", [])
    ]
    return "\n".join(names + [c.value for c in at.caption])


@pytest.mark.parametrize(("lang", "label"), [("en", "SQLs delivered"), ("de", "Gelieferte SQLs")])
def test_a_kpi_only_an_older_version_has_is_named_in_the_pages_language(
    tmp_path, monkeypatch, lang, label
):
    """September is judged by 2026.1, whose KPI "SQLs delivered" the config file no longer
    has: the German pages named it in English (the label was looked up in the file only),
    on its card, in the review's table and in the KPI trend of a later month."""
    from app_support import open_page, tile_texts

    db, config = warehouse_with(
        tmp_path, _two_months(), [WITH_SQLS, parse_config(NO_SQLS_TEXT)], NO_SQLS_TEXT
    )
    at = open_page(db, monkeypatch, "kpis", lang, config=config)
    at.sidebar.selectbox(key="month").set_value("2026-09").run()
    assert not at.exception, at.exception[0].value
    assert label in tile_texts(at)
    at.switch_page("views/review.py").run()
    assert not at.exception, at.exception[0].value
    assert len(page_rows(at, label)) == 1  # the shared goals' SQLs: the KPI's row
    at.switch_page("views/kpis.py").run()
    at.sidebar.selectbox(key="month").set_value("2026-10").run()  # judged by 2026.3
    assert not at.exception, at.exception[0].value
    assert label not in tile_texts(at)
    trend = _trend_names(at)  # 2026.1's months have the KPI
    count = "count" if lang == "en" else "Anzahl"
    assert f"{label} ({count})" in trend and ("SQLs delivered" in trend) == (lang == "en")
