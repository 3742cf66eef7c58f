"""Lifecycle events that stop while the touches and new leads go on: no alert on an open
episode (it reads "no SQL, recycle or disqualification yet", which the data can no longer
say), and ``sla alerts``, the At risk page and ``sla notify``'s daily summary say why, with
the day of the last lifecycle event (spec/coverage.md: missing data is never a verdict).

The fixture, by hand (first touch within 24 h; 6 spaced attempts in 14 days, one due every
56 h; stale 7 days after the 6th unanswered attempt; recycled leads in nurture within 2
days; handoff calendar Berlin, Monday to Friday, German holidays). Every lead is created at
08:00 UTC with its ``lead`` event, as every adapter writes one, and owned by Rita:

- Z: touched every day at 07:00 from 1 to 27 Oct (the touches are current); enrolled in
  nurture on 2 Oct (the enrolments were imported). No MQL.
- N01 ... N27: one new lead a day, 1 to 27 Oct.
- S: MQL 1 Oct 09:00, six unanswered calls, one a day at 12:00 from 1 to 6 Oct: stale
  from 13 Oct 12:00.
- R: MQL 5 Oct 09:00, one unanswered call at 10:00, recycled 14 Oct 09:00, never enrolled:
  due in nurture 16 Oct 09:00.
- A: MQL 15 Oct 09:00, never touched: first touch due 16 Oct 09:00.
- C: MQL 15 Oct 09:00, one unanswered call at 12:00: attempt 2 due 20 Oct 01:00 (112 h).

``CURRENT`` has every lifecycle event; in ``STOPPED`` the export's lifecycle events end on
Friday 16 Oct (the new leads of 19 to 27 Oct have none), the rest goes on. Judged on
Tuesday 27 Oct 09:00 UTC: with the events current, S is stale (333 h over), A's first touch
and R's enrolment 264 h overdue, C's cadence 176 h behind; with them stopped (6 working
days without one, 19 to 23 and 26 Oct), only R's enrolment is known: a recycle before the
stop and the enrolments since.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest
from app_support import open_page, static_table
from review_support import daily_touches
from typer.testing import CliRunner

from analytics.alerts import at_risk_now, none_judged_lines, not_judged_lines
from analytics.cli import app
from analytics.config import load_config, parse_config
from analytics.coverage import lifecycle_stopped
from analytics.tables import Tables
from analytics.warehouse import write_tables
from dashboard.i18n import column_label

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "data" / "sla.toml"
CFG = load_config(CONFIG)
AS_OF = datetime(2026, 10, 27, 9, tzinfo=UTC)  # a Tuesday

#: Why the episode kinds are not raised, in both languages.
LINE = {
    "en": "No first-touch, cadence or stale alerts: the last lifecycle event recorded is from "
    "2026-10-16, and none since on 5 or more working days while sales touches or new leads "
    "went on, so the data cannot tell which leads have become MQLs or SQLs since, or were "
    "recycled or disqualified (import the lifecycle events since then to be warned).",
    "de": "Keine Warnungen zu Erstkontakt, Kadenz oder Liegenbleiben: das letzte erfasste "
    "Lebenszyklus-Ereignis ist vom 16.10.2026, seitdem an 5 oder mehr Arbeitstagen keines, "
    "während Vertriebsaktivitäten oder neue Leads weiterliefen, daher sagen die Daten nicht, "
    "welche Leads seitdem zu MQLs oder SQLs wurden oder recycelt oder disqualifiziert wurden "
    "(die Lebenszyklus-Ereignisse seitdem importieren, um gewarnt zu werden).",
}
#: The episode kinds, each lacking the lifecycle events since the stop.
EPISODES_MISSING = dict.fromkeys(("first_touch", "cadence", "stale"), "lifecycle_events")


def _lead(lead: str, day: str) -> dict:
    return {"lead_id": lead, "created_at": f"2026-{day}T08:00:00Z", "source": "email",
            "owner_rep_id": "r1"}  # fmt: skip


def _event(lead: str, stage: str, when: str, **kw) -> dict:
    return {"lead_id": lead, "stage": stage, "entered_at": f"2026-{when}:00Z", **kw}


def _touch(lead: str, when: str) -> dict:
    return {"touch_id": f"{lead}-{when}", "lead_id": lead, "rep_id": "r1", "channel": "phone",
            "occurred_at": f"2026-{when}:00Z", "outcome": "no_answer"}  # fmt: skip


def _tables(*, events_until: str | None, leads_until: str = "10-27", lead_events=True) -> Tables:
    """The fixture; lifecycle events only until ``events_until`` ("MM-DD", None: all),
    new leads until ``leads_until``; without ``lead_events`` the export records no event of
    stage ``lead``."""
    leads = [_lead("Z", "10-01"), _lead("S", "09-30"), _lead("R", "10-04"), _lead("A", "10-15"),
             _lead("C", "10-15"),
             *(_lead(f"N{d:02d}", f"10-{d:02d}") for d in range(1, 28))]  # fmt: skip
    leads = [row for row in leads if row["created_at"][5:10] <= leads_until]
    events = [
        *(_event(row["lead_id"], "lead", f"{row['created_at'][5:16]}") for row in leads),
        _event("S", "mql", "10-01T09:00"),
        _event("R", "mql", "10-05T09:00"),
        _event("R", "recycled", "10-14T09:00", reason="no answer", actor_rep_id="r1"),
        _event("A", "mql", "10-15T09:00"),
        _event("C", "mql", "10-15T09:00"),
    ]
    if events_until is not None:
        events = [e for e in events if e["entered_at"][5:10] <= events_until]
    if not lead_events:
        events = [e for e in events if e["stage"] != "lead"]
    return Tables.from_rows(
        reps=[{"rep_id": "r1", "name": "Rita", "team": "sdr"}],
        leads=leads,
        lifecycle_events=events,
        sales_touches=[
            *daily_touches("Z", "2026-10-01", "2026-10-27"),
            *(_touch("S", f"10-0{d}T12:00") for d in range(1, 7)),
            _touch("R", "10-05T10:00"),
            _touch("C", "10-15T12:00"),
        ],
        nurture_enrollments=[{"enrollment_id": "E1", "lead_id": "Z", "track":
                              "awareness-education", "enrolled_at": "2026-10-02T09:00:00Z"}],
    )  # fmt: skip


CURRENT = _tables(events_until=None)
STOPPED = _tables(events_until="10-16")


def _rows(now: dict) -> list[tuple]:
    return now["alerts"].select("kind", "status", "lead_id", "hours_left").rows()


def test_with_the_lifecycle_events_current_every_kind_is_raised():
    now = at_risk_now(CURRENT, config=CFG, as_of=AS_OF)
    assert _rows(now) == [
        ("stale", "overdue", "S", -333.0),
        ("first_touch", "overdue", "A", -264.0),
        ("nurture_enrolment", "overdue", "R", -264.0),
        ("cadence", "overdue", "C", -176.0),
    ]
    assert (now["missing"], now["lifecycle_stopped"], now["touches_stopped"]) == ({}, None, None)


def test_lifecycle_events_that_stopped_raise_no_alert_on_an_open_episode():
    # S may have become an SQL, A and C been disqualified since 16 Oct: the data cannot say
    now = at_risk_now(STOPPED, config=CFG, as_of=AS_OF)
    assert _rows(now) == [("nurture_enrolment", "overdue", "R", -264.0)]
    assert now["lifecycle_stopped"] == date(2026, 10, 16)
    assert now["touches_stopped"] is None
    assert now["missing"] == EPISODES_MISSING
    assert now["counts"] == {"overdue": 1, "at_risk": 0}  # the enrolments are judged
    by_rep = now["by_rep"].select("rep_name", "overdue", "first_touch", "cadence", "stale",
                                  "nurture_enrolment").rows()  # fmt: skip
    assert by_rep == [("Rita", 1, None, None, None, 1)]  # unknown per rep: "–", not 0


@pytest.mark.parametrize(
    ("as_of", "stopped"),
    [
        # the last touch and lead on Friday 23 Oct: 19 to 22 Oct idle, 4 working days
        (datetime(2026, 10, 23, 9, tzinfo=UTC), None),
        # on Monday 26 Oct: 19 to 23 Oct idle, 5 working days
        (datetime(2026, 10, 26, 9, tzinfo=UTC), date(2026, 10, 16)),
    ],
)
def test_a_working_week_of_touches_and_leads_without_an_event_is_a_stop(as_of, stopped):
    assert lifecycle_stopped(STOPPED, as_of=as_of, config=CFG) == stopped
    kinds = set(at_risk_now(STOPPED, config=CFG, as_of=as_of)["alerts"]["kind"])
    assert ("first_touch" in kinds) is (stopped is None)  # A, overdue since 16 Oct


@pytest.mark.parametrize(
    ("tables", "stopped"),
    [
        # the whole CRM export (leads and their events) ends on 16 Oct, the touches go on
        (_tables(events_until="10-16", leads_until="10-16"), date(2026, 10, 16)),
        # new leads without their lead events, no touch since 16 Oct: the leads tell
        (dataclasses.replace(STOPPED, sales_touches=STOPPED.sales_touches.filter(
            pl.col("occurred_at") < datetime(2026, 10, 17, tzinfo=UTC))), date(2026, 10, 16)),
        # an export without any lead event: stage changes alone are too sparse to tell a stop
        # from a quiet spell, so the rule does not apply (S, A, C, R alerted as before)
        (_tables(events_until="10-16", lead_events=False), None),
    ],
)  # fmt: skip
def test_what_shows_that_the_lifecycle_events_stopped(tables, stopped):
    assert lifecycle_stopped(tables, as_of=AS_OF, config=CFG) == stopped


def test_without_lead_events_the_alerts_are_raised_as_before():
    now = at_risk_now(_tables(events_until="10-16", lead_events=False), config=CFG, as_of=AS_OF)
    assert [row[:3] for row in _rows(now)] == [
        ("stale", "overdue", "S"),
        ("first_touch", "overdue", "A"),
        ("nurture_enrolment", "overdue", "R"),
        ("cadence", "overdue", "C"),
    ]


@pytest.mark.parametrize("lang", ["en", "de"])
def test_one_sentence_says_why_with_the_day_of_the_last_event(lang):
    now = at_risk_now(STOPPED, config=CFG, as_of=AS_OF)
    lines = not_judged_lines(
        now["missing"],
        stopped=now["touches_stopped"],
        events_stopped=now["lifecycle_stopped"],
        lang=lang,
    )
    assert lines == [LINE[lang]]


def test_touches_and_lifecycle_events_both_stopped_say_both_and_nothing_else():
    missing = {**dict.fromkeys(("first_touch", "cadence", "stale"), "sales_touches"),
               "nurture_enrolment": "nurture_enrollments"}  # fmt: skip
    lines = none_judged_lines(missing, stopped=date(2026, 10, 9), events_stopped=date(2026, 10, 16))
    assert [line[:56] for line in lines] == [
        "No first-touch, cadence or stale alerts: the last sales ",
        "No first-touch, cadence or stale alerts: the last lifecy",
        "No “Nurture enrolment” alerts: the nurture_enrollments t",
    ]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("lifecycle-stopped") / "w.duckdb"
    write_tables(db, {n: lf.collect() for n, lf in STOPPED.items()}, source="t", config=CFG)
    return db


def test_sla_alerts_says_since_when_the_lifecycle_events_stopped(warehouse):
    args = ["alerts", "--db", str(warehouse), "--as-of", "2026-10-27T09:00:00Z"]
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert (doc["lifecycle_stopped"], doc["touches_stopped"]) == ("2026-10-16", None)
    assert doc["missing"] == EPISODES_MISSING
    assert doc["coverage"] == {"first_touch": False, "cadence": False, "stale": False,
                               "nurture_enrolment": True}  # fmt: skip
    assert [(a["kind"], a["lead_id"]) for a in doc["alerts"]] == [("nurture_enrolment", "R")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert LINE["en"] in " ".join(result.output.split())


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_daily_summary_says_why_instead_of_an_all_clear(lang):
    from analytics.notify.messages import plan_messages

    base = CONFIG.read_text(encoding="utf-8").split("\n[notify]\n")[0]
    cfg = parse_config(
        base + '\n[notify]\nsend = ["daily_summary", "new_mql"]\n\n[notify.email]\n'
        'host = "127.0.0.1"\nsender = "sla@example.com"\n\n[[notify.recipients]]\n'
        f'team = "sdr"\nemail = "sdr-lead@example.com"\nlanguage = "{lang}"\n'
    )
    (summary,) = plan_messages(STOPPED, cfg, as_of=AS_OF)
    assert (
        summary.subject
        == {
            "en": "[SLA] Team sdr, 2026-10-27: 1 overdue, 0 at risk, new MQLs: –",
            "de": "[SLA] Team sdr, 27.10.2026: 1 überfällig, 0 gefährdet, neue MQLs: –",
        }[lang]
    )
    assert LINE[lang] in summary.lines


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_at_risk_page_says_why(warehouse, monkeypatch, lang):
    at = open_page(warehouse, monkeypatch, "at_risk", lang)
    assert [i.value for i in at.info] == [LINE[lang]]
    assert not at.success  # no all-clear
    # R's enrolment is counted and listed; the episode kinds are "–" per rep, not 0
    per_rep = static_table(at, column_label("overdue", lang))
    assert per_rep[column_label("rep_name", lang)] == ["Rita"]
    assert per_rep[column_label("overdue", lang)] == ["1"]
    assert per_rep[column_label("nurture_enrolment", lang)] == ["1"]
    for kind in ("first_touch", "cadence", "stale"):
        assert per_rep[column_label(kind, lang)] == ["–"], kind
    (listed,) = at.dataframe
    assert list(listed.value["lead_id"]) == ["R"]
