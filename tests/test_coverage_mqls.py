"""A month the lifecycle events do not reach: its MQL episodes are unknown, so is every
measure judged per episode (handoff, cadence, never contacted, acceptance, recycling),
however many sales touches the month has (spec/coverage.md: missing data is never a
verdict; audit 2026-12-06 H2).

The fixture (reporting time zone UTC, first touch within 24 h), by hand:

- A (owner Rita): created 1 Oct 08:00, MQL 1 Oct 09:00, touched 10:00: met;
- B (owner Rita): created 20 Oct 08:00, MQL 20 Oct 09:00, never touched: missed, never
  contacted;
- the export's lifecycle events (and leads) stop there, 20 Oct; its sales touches go on:
  lead Z is touched every day until 1 Dec (07:00, the moment judged at).

October: 2 episodes, met 1, missed 1, never contacted 1. November: the MQL stage's data runs
from 2026-10-01 to 2026-10-20, so met, missed, pending, judged, held and every breach count
of handoff, cadence and never contacted are null with that reason, not 0 and not "no cases".
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from app_support import html_text, open_page, static_tables, tile_texts
from review_support import daily_touches
from typer.testing import CliRunner

from analytics.cli import app
from analytics.config import load_config
from analytics.review import build_review, kpi_history
from analytics.tables import Tables
from analytics.texts import term
from analytics.warehouse import write_tables

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "data" / "sla.toml"
CFG = load_config(CONFIG)
AS_OF = datetime(2026, 12, 1, 7, tzinfo=UTC)  # the last touch: November is the default month

#: why November has no MQL episode: the MQLs' own reason (not the touches' span, which
#: reaches November, and not "no cases")
MQLS = {
    "en": "The data for it runs from 2026-10-01 to 2026-10-20, not into this month.",
    "de": "Die Daten dafür reichen vom 01.10.2026 bis zum 20.10.2026, nicht in diesen Monat.",
}
NO_CASES = {
    "en": "Nothing to measure this month (no cases).",
    "de": "In diesem Monat gibt es nichts zu messen (keine Fälle).",
}
NO_BREACH = {
    "en": "No breach this month among the promises the data can measure.",
    "de": "Kein Verstoß in diesem Monat bei den Zusagen, die die Daten messen können.",
}
#: the KPIs judged per MQL episode
EPISODE_KPIS = (
    "handoff_compliance",
    "median_hours_to_first_touch",
    "cadence_compliance",
    "attempts_per_mql",
)


def _lead(lid: str, created: str) -> dict:
    return {"lead_id": lid, "created_at": created, "source": "email", "owner_rep_id": "r1"}


TABLES = Tables.from_rows(
    reps=[{"rep_id": "r1", "name": "Rita", "team": "sdr"}],
    leads=[_lead("A", "2026-10-01T08:00:00Z"), _lead("B", "2026-10-20T08:00:00Z")],
    lifecycle_events=[{"lead_id": "A", "stage": "mql", "entered_at": "2026-10-01T09:00:00Z"},
                      {"lead_id": "B", "stage": "mql", "entered_at": "2026-10-20T09:00:00Z"}],
    sales_touches=[{"touch_id": "T1", "lead_id": "A", "rep_id": "r1", "channel": "phone",
                    "occurred_at": "2026-10-01T10:00:00Z", "outcome": "no_answer"},
                   *daily_touches("Z", "2026-10-02", "2026-12-01")],
)  # fmt: skip


@pytest.fixture(scope="module")
def november():
    return build_review(TABLES, CFG, month="2026-11", as_of=AS_OF)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("lifecycle-stops") / "w.duckdb"
    names = ("reps", "leads", "lifecycle_events", "sales_touches")
    write_tables(db, {n: getattr(TABLES, n).collect() for n in names}, source="t", config=CFG)
    return db


def test_a_month_without_its_mqls_has_no_episode_counts(november):
    # October, which the lifecycle events reach, is measured
    doc = build_review(TABLES, CFG, month="2026-10", as_of=AS_OF).to_json_dict()
    assert (doc["handoff"]["met"], doc["handoff"]["missed"], doc["handoff"]["pending"]) == (1, 1, 0)
    assert doc["breaches"]["handoff"] == 1 and doc["breaches"]["never_contacted"] == 1
    assert doc["cadence"]["judged"] == 2 and doc["coverage"]["handoff"] is True
    doc = november.to_json_dict()
    assert doc["volumes"]["mqls"] is None
    # the touches reach November, the MQLs do not: every group judged per episode is unknown
    groups = ("mql_stage", "handoff", "cadence", "acceptance", "recycling")
    assert {g: doc["coverage"][g] for g in groups} == dict.fromkeys(groups, False)
    assert doc["handoff"] == dict.fromkeys(
        ("met", "missed", "pending", "compliance", "median_hours_to_first_touch")
    )
    assert doc["cadence"] == dict.fromkeys(("judged", "held", "compliance", "attempts_per_mql"))
    assert doc["breaches"] == dict.fromkeys(
        ("handoff", "cadence", "never_contacted", "premature_recycles", "stale_leads",
         "recycled_not_enrolled")
    )  # fmt: skip
    assert doc["at_risk"] is None
    assert november.handoff["episodes"] is None and november.cadence["never_contacted"] is None
    assert november.speed_to_lead.is_empty() and november.handoff_by_rep.is_empty()


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_episode_kpis_say_the_mqls_reason_not_no_cases(november, lang):
    kpis = {r["metric"]: r for r in november.kpis.iter_rows(named=True)}
    for metric in EPISODE_KPIS:
        row = kpis[metric]
        assert (row["value"], row["status"]) == (None, "no_data"), metric
        assert november.kpi_reason(row, lang=lang) == MQLS[lang], metric
        assert november.metric_reason(metric, lang=lang) == MQLS[lang], metric
    for kind in ("handoff", "cadence", "never_contacted"):
        assert november.breach_reason(kind, lang=lang) == MQLS[lang], kind
    # the sections' sentence on every page (ui.missing): the MQLs', not the touches' span
    for group in ("handoff", "cadence"):
        assert november.period_reason(group, "month", lang=lang) == MQLS[lang], group
    assert november.to_json_dict()["kpis"][0]["reason"] != NO_CASES["en"]


def test_the_running_month_without_its_mqls_is_unknown_too():
    # judged on 20 Nov: the month runs, the touches are current, the MQLs stop on 20 Oct
    at = datetime(2026, 11, 20, 12, tzinfo=UTC)
    review = build_review(TABLES.until(at), CFG, month="2026-11", as_of=at)
    doc = review.to_json_dict()
    assert doc["running"] is True and doc["touches_stopped"] is None
    counts = (doc["handoff"]["met"], doc["cadence"]["judged"], doc["breaches"]["never_contacted"])
    assert counts == (None, None, None)
    assert review.metric_reason("handoff_compliance") == MQLS["en"]


def test_the_kpi_trend_has_no_value_for_the_month_either():
    history = kpi_history(TABLES, CFG, month="2026-11", months=2, as_of=AS_OF)
    handoff = history.filter(metric="handoff_compliance")
    assert handoff.select("month", "value", "reason").rows() == [
        ("2026-10", 0.5, None),
        ("2026-11", None, MQLS["en"]),
    ]


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_pack_says_why_not_that_no_breach_was_measured(november, lang):
    from analytics.pack import build_pack
    from analytics.pack.render import breach_view, render_pack

    pack = build_pack(TABLES, CFG, month="2026-11", as_of=AS_OF)
    view = breach_view(pack, lang=lang)
    assert view["note"] is None
    assert any(s.endswith(MQLS[lang]) for s in view["unknown"])
    md = render_pack(pack, fmt="md", lang=lang)
    assert NO_BREACH[lang] not in md and NO_CASES[lang] not in md
    assert MQLS[lang] in md


def test_the_cli_text_names_the_mqls_reason_for_handoff(warehouse):
    out = CliRunner().invoke(app, ["review", "--db", str(warehouse)])
    assert out.exit_code == 0, out.output
    text = " ".join(out.output.split())  # as read, not as wrapped
    assert "Breaches: handoff -, cadence -, never_contacted -" in text
    assert (
        "- is not measurable (funnel, lead_stage, mql_stage, handoff, cadence): " + MQLS["en"]
    ) in text
    assert "Nothing to measure" not in text


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_pages_show_a_dash_and_the_mqls_reason(warehouse, monkeypatch, lang):
    at = open_page(warehouse, monkeypatch, "overview", lang)  # November, the default month
    text = html_text(at) + "\n".join(m.value for m in [*at.markdown, *at.caption])
    # no count of breaches the data cannot know ("Speed to lead missed: **0**")
    assert "**0**" not in text and NO_CASES[lang] not in text
    assert MQLS[lang] in text
    for page in ("handoffs", "management", "review", "kpis"):
        at.switch_page(f"views/{page}.py").run()
        assert not at.exception, (page, at.exception[0].value)
        text = html_text(at) + "\n".join(m.value for m in [*at.markdown, *at.caption])
        assert NO_CASES[lang] not in text and NO_BREACH[lang] not in text, page
        assert MQLS[lang] in text, page
        tiles = tile_texts(at)
        never = "Never contacted" if lang == "en" else "Nie kontaktiert"
        if page == "management":
            assert tiles[never][0] == "–"
        if page == "handoffs":
            breaches = "Breaches" if lang == "en" else "Verstöße"
            assert tiles[breaches][0] == "–"
            # no leakage waterfall of zeros: its section says why instead
            step = term("leak_step", "never_touched", lang=lang)
            cells = [c for table in static_tables(at) for col in table.values() for c in col]
            assert step not in cells


def test_an_export_without_any_mql_event_has_no_handoff_at_all():
    """Touches, leads and SQL events, but no MQL stage ever: no month has an episode, so
    the reason says what to import (the MQL events), not the span of the touches."""
    no_mqls = Tables.from_rows(
        reps=[{"rep_id": "r1", "name": "Rita", "team": "sdr"}],
        leads=[_lead("A", "2026-10-01T08:00:00Z"), _lead("B", "2026-11-20T08:00:00Z")],
        lifecycle_events=[{"lead_id": "A", "stage": "sql", "entered_at": "2026-11-02T09:00:00Z"}],
        sales_touches=daily_touches("A", "2026-10-02", "2026-12-01"),
    )
    review = build_review(no_mqls, CFG, month="2026-11", as_of=AS_OF)
    doc = review.to_json_dict()
    assert doc["coverage"]["handoff"] is False and doc["breaches"]["never_contacted"] is None
    assert doc["handoff"]["met"] is None and doc["cadence"]["judged"] is None
    assert review.metric_reason("handoff_compliance") == (
        "No lifecycle event of stage mql was imported, so MQLs cannot be counted: import the "
        "mql events (when each lead became an MQL)."
    )
