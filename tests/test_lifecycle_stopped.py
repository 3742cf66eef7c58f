"""Lifecycle events that stop while the touches and new leads go on: no alert on an open
episode (it reads "no SQL, recycle or disqualification yet", which the data can no longer
say), and ``sla alerts``, the At risk page and ``sla notify``'s daily summary say why, with
the day of the last lifecycle event (spec/coverage.md: missing data is never a verdict).
The monthly review follows: no stale lead, and no stage count or MQL episode judged in a
month that goes on past that day (``sla review``, the pack, the pages, the stored results
and the KPI history say so).

The fixture, by hand (first touch within 24 h; 6 spaced attempts in 14 days, one due every
56 h; stale 7 days after the 6th unanswered attempt; recycled leads in nurture within 2
days; handoff calendar Berlin, Monday to Friday, German holidays). Every lead is created at
08:00 UTC with its ``lead`` event, as every adapter writes one, and owned by Rita:

- Z: touched every day at 07:00 from 1 to 27 Oct (the touches are current); enrolled in
  nurture on 2 Oct (the enrolments were imported). No MQL.
- N01 ... N27: one new lead a day, 1 to 27 Oct.
- P: MQL 15 Sep 09:00, reached by a call at 10:00 (first touch in 1 h, cadence held, never
  stale), open since: September's one MQL.
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
from polars.testing import assert_frame_equal
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
             _lead("C", "10-15"), _lead("P", "09-14"),
             *(_lead(f"N{d:02d}", f"10-{d:02d}") for d in range(1, 28))]  # fmt: skip
    leads = [row for row in leads if row["created_at"][5:10] <= leads_until]
    events = [
        *(_event(row["lead_id"], "lead", f"{row['created_at'][5:16]}") for row in leads),
        _event("P", "mql", "09-15T09:00"),
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
            {**_touch("P", "09-15T10:00"), "outcome": "connected"},
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


# -- the monthly review ----------------------------------------------------------------------
#
# With the events current, October's review (as of 27 Oct, running) reads 4 MQLs (S, R, A,
# C) of 31 leads, first touches 3 met and 1 missed (A), none pending or at risk, S stale.
# With them stopped on Friday 16 Oct, October goes on past the stop: its MQLs, recycles
# ... after 16 Oct are not in the data, so its stage counts and what is judged on its MQLs
# are unknown; the 31 leads are known. September ends before the stop: its numbers stay
# (P: 1 MQL, first touch met, cadence held), but not the stale leads, counted at as_of.

#: Why a number is unknown since the stop, in both languages.
REASON = {
    "en": "The last lifecycle event recorded is from 2026-10-16, and none since on 5 or more "
    "working days while sales touches or new leads went on: the data cannot tell which leads "
    "became MQLs or SQLs after it, or were recycled or disqualified (import the lifecycle "
    "events since then).",
    "de": "Das letzte erfasste Lebenszyklus-Ereignis ist vom 16.10.2026, seitdem an 5 oder "
    "mehr Arbeitstagen keines, während Vertriebsaktivitäten oder neue Leads weiterliefen: die "
    "Daten sagen nicht, welche Leads danach zu MQLs oder SQLs wurden oder recycelt oder "
    "disqualifiziert wurden (die Lebenszyklus-Ereignisse seitdem importieren).",
}
#: What the stop leaves uncounted of October, in both languages.
NOTE = {
    "en": "Not counted: this month's stage changes end on 2026-10-16, the last lifecycle event "
    "recorded (none since on 5 or more working days while sales touches or new leads went "
    "on), so its MQLs, SQLs, recycles and disqualifications are not known, nor are the first "
    "touches, cadence, acceptance and recycling judged on its MQLs, nor stale leads.",
    "de": "Nicht gezählt: die Stufenwechsel dieses Monats enden am 16.10.2026, dem letzten "
    "erfassten Lebenszyklus-Ereignis (seitdem an 5 oder mehr Arbeitstagen keines, während "
    "Vertriebsaktivitäten oder neue Leads weiterliefen), daher sind seine MQLs, SQLs, "
    "Recyclings und Disqualifizierungen nicht bekannt, ebenso wenig die an seinen MQLs "
    "gemessenen Erstkontakte, Kadenz, Annahme und Recyclings oder liegengebliebene Leads.",
}
#: The groups the stop leaves unknown in October: the stages it records (no SAL, SQL ...
#: was ever imported: those are unknown anyway) and the groups judged on its MQLs.
OCTOBER_CUT = ("mql_stage", "recycled_stage", "handoff", "cadence", "acceptance", "recycling")
#: The KPIs of the config whose October value the stop leaves unknown.
CUT_KPIS = ("mqls", "lead_to_mql", "mql_rejection_rate", "handoff_compliance",
            "median_hours_to_first_touch", "cadence_compliance", "attempts_per_mql",
            "premature_recycles", "stale_leads")  # fmt: skip


def _review(tables: Tables, month: str):
    from analytics.review import build_review

    return build_review(tables, CFG, month=month, as_of=AS_OF)


@pytest.fixture(scope="module")
def october():
    return _review(STOPPED, "2026-10")


@pytest.fixture(scope="module")
def september():
    return _review(STOPPED, "2026-09")


def _kpi(review, metric: str) -> dict:
    return review.kpis.filter(pl.col("metric") == metric).row(0, named=True)


def test_with_the_lifecycle_events_current_the_review_judges_every_episode():
    review = _review(CURRENT, "2026-10")
    assert (review.volumes["leads"], review.volumes["mqls"], review.volumes["recycled"]) == (
        31, 4, 1,
    )  # fmt: skip
    assert [review.handoff[k] for k in ("met", "missed", "pending")] == [3, 1, 0]
    assert review.at_risk_count() == 0
    assert review.breaches["stale_leads"]["lead_id"].to_list() == ["S"]
    assert (review.recycling["stale"], review.lifecycle_stopped, review.lifecycle_cut) == (
        1, None, (),
    )  # fmt: skip
    assert review.lifecycle_note() is None
    assert "lifecycle_stopped" not in review.to_json_dict()  # as before the rule


def test_after_the_stop_no_episode_is_read_as_open(october):
    # S may have become an SQL since 16 Oct, A and C may have been disqualified, and the
    # MQLs since (at risk of a late first touch) are not in the data
    assert october.lifecycle_stopped == date(2026, 10, 16)
    assert october.breaches["stale_leads"].is_empty()
    assert october.recycling["stale"] is None
    assert october.breach_counts()["stale_leads"] is None
    assert october.at_risk.is_empty() and october.at_risk_count() is None
    assert [october.handoff[k] for k in ("met", "missed", "pending")] == [None, None, None]


def test_a_month_the_stop_cuts_short_counts_no_stage_it_records(october):
    assert october.lifecycle_cut == OCTOBER_CUT
    assert not any(october.coverage[g] for g in OCTOBER_CUT)
    volumes = {k: v for k, v in october.volumes.items() if v is not None}
    assert volumes == {"leads": 31}  # the leads went on: known
    assert set(october.acceptance.values()) == {None}
    assert set(october.cadence.values()) == {None}
    assert set(october.recycling.values()) == {None}
    assert set(october.breach_counts().values()) == {None}
    for metric in CUT_KPIS:
        row = _kpi(october, metric)
        assert (row["value"], row["status"], row["reason"]) == (None, "no_data", REASON["en"])
    # no SQL event was ever imported: that reason comes first, as before
    assert _kpi(october, "mql_to_sql")["reason"].startswith("No lifecycle event of stage sql")
    assert _kpi(october, "mql_to_sql")["reason"] != REASON["en"]


def test_a_month_that_ends_before_the_stop_keeps_its_numbers_but_not_the_stale_leads(september):
    assert (september.lifecycle_stopped, september.lifecycle_cut) == (date(2026, 10, 16), ())
    assert (september.volumes["mqls"], september.volumes["leads"]) == (1, 2)
    assert [september.handoff[k] for k in ("met", "missed", "pending")] == [1, 0, 0]
    assert (september.cadence["judged"], september.cadence["held"]) == (1, 1)
    assert september.at_risk_count() == 0  # its MQLs are all in the data
    row = _kpi(september, "stale_leads")
    assert (row["value"], row["status"], row["reason"]) == (None, "no_data", REASON["en"])
    assert september.breaches["stale_leads"].is_empty()
    assert september.breach_counts()["stale_leads"] is None
    assert _kpi(september, "handoff_compliance")["status"] == "met"
    assert _kpi(_review(CURRENT, "2026-09"), "stale_leads")["value"] == 1  # S, at as_of


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_reasons_name_the_day_of_the_last_event(october, september, lang):
    for group in OCTOBER_CUT:
        assert october.reason(group, lang=lang) == REASON[lang], group
    for metric in CUT_KPIS:
        assert october.kpi_reason(_kpi(october, metric), lang=lang) == REASON[lang], metric
        assert october.value_reason(metric, lang=lang) == REASON[lang], metric
    for kind in october.breaches:
        assert october.breach_reason(kind, lang=lang) == REASON[lang], kind
    assert october.lifecycle_note(lang=lang) == NOTE[lang]
    assert september.breach_reason("stale_leads", lang=lang) == REASON[lang]
    assert september.value_reason("stale_leads", lang=lang) == REASON[lang]
    assert september.lifecycle_note(lang=lang) == REASON[lang]  # nothing else unknown


@pytest.mark.parametrize(
    ("month", "stopped", "cut"),
    [
        ("2026-10", date(2026, 10, 16), ("mql_stage", "recycled_stage", "handoff", "acceptance")),
        ("2026-10", date(2026, 10, 30), ("mql_stage", "recycled_stage", "handoff", "acceptance")),
        ("2026-10", date(2026, 10, 31), ()),  # the stop on the month's last day: complete
        ("2026-09", date(2026, 10, 16), ()),
        ("2026-10", None, ()),
    ],
)
def test_a_month_is_cut_short_when_it_goes_on_past_the_stop_day(month, stopped, cut):
    from analytics.coverage import lifecycle_cut

    groups = {"funnel": True, "lead_stage": True, "mql_stage": True, "sql_stage": False,
              "recycled_stage": True, "deals": True, "handoff": True, "acceptance": True,
              "nurture": True}  # fmt: skip
    assert lifecycle_cut(groups, month, stopped=stopped) == cut


def test_the_review_json_says_since_when_and_what_is_unknown(october):
    doc = october.to_json_dict()
    assert (doc["lifecycle_stopped"], doc["lifecycle_cut"]) == ("2026-10-16", list(OCTOBER_CUT))
    assert (doc["volumes"]["leads"], doc["volumes"]["mqls"], doc["at_risk"]) == (31, None, None)
    assert doc["recycling"] == {"recycled": None, "premature": None, "stale": None}
    assert doc["handoff"]["pending"] is None
    assert doc["conversion_counts"]["lead_to_mql"]["reason"] == REASON["en"]


@pytest.mark.parametrize("month", ["2026-09", "2026-10"])
def test_the_kpi_history_judges_each_month_as_the_review(month):
    from analytics.review import kpi_history

    history = kpi_history(STOPPED, CFG, month=month, months=2, as_of=AS_OF)
    rows = history.filter(pl.col("month") == month).drop("month", "running")
    assert_frame_equal(rows, _review(STOPPED, month).kpis, check_exact=True)
    unknown = CUT_KPIS if month == "2026-10" else ("stale_leads",)
    for metric in unknown:
        row = rows.filter(pl.col("metric") == metric).row(0, named=True)
        assert (row["value"], row["status"], row["reason"]) == (None, "no_data", REASON["en"])
    if month == "2026-10":  # September, before the stop, keeps its MQL in October's history
        before = history.filter((pl.col("month") == "2026-09") & (pl.col("metric") == "mqls"))
        assert before["value"].to_list() == [1.0]


def test_the_review_pack_footnotes_the_reason_and_says_what_is_uncounted():
    from review_support import footnoted_cells

    from analytics.pack import build_pack
    from analytics.pack.render import breach_view, render_markdown

    pack = build_pack(STOPPED, CFG, month="2026-10", as_of=AS_OF)
    md = render_markdown(pack)
    assert f"no data: {REASON['en']}" in footnoted_cells(md)
    unknown = breach_view(pack)["unknown"]
    assert unknown[-1] == NOTE["en"] and sum(NOTE["en"] in s for s in unknown) == 1
    assert NOTE["en"] in " ".join(md.split())
    # September: the stale list's reason is said once, not again as a note
    september = breach_view(build_pack(STOPPED, CFG, month="2026-09", as_of=AS_OF), lang="de")
    assert sum(REASON["de"] in s for s in september["unknown"]) == 1


def test_sla_review_says_what_the_stop_leaves_unknown(warehouse):
    args = ["review", "--db", str(warehouse), "--month", "2026-10", "--as-of",
            "2026-10-27T09:00:00Z", "--no-record"]  # fmt: skip
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert (doc["lifecycle_stopped"], doc["lifecycle_cut"]) == ("2026-10-16", list(OCTOBER_CUT))
    assert (doc["volumes"]["mqls"], doc["at_risk"], doc["recycling"]["stale"]) == (None, None, None)
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert f"- is not measurable ({', '.join(OCTOBER_CUT)}): {REASON['en']}" in text
    assert f"- {NOTE['en']}" in text


def test_the_stored_review_equals_a_fresh_one(warehouse, tmp_path):
    import shutil

    from review_support import assert_same_review

    from analytics.precompute import refresh_results, stored
    from analytics.review import build_review
    from analytics.warehouse import connect_readonly, latest_timestamp, load_tables

    db = tmp_path / "w.duckdb"
    shutil.copy(warehouse, db)
    months = refresh_results(db, CFG)["months"]
    assert months == ["2026-10", "2026-09"]
    con = connect_readonly(db)
    as_of = latest_timestamp(con)
    tables = dataclasses.replace(load_tables(con), episodes=None)  # fresh: from the events
    for month in months:
        review = stored(con, "review", month=month, config=CFG, as_of=as_of)
        assert review.lifecycle_stopped == date(2026, 10, 16)
        assert_same_review(review, build_review(tables, CFG, month=month, as_of=as_of))
    con.close()


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_handoffs_page_says_why_with_the_day_of_the_last_event(warehouse, monkeypatch, lang):
    from app_support import tile_texts

    from analytics.texts import metric_label

    at = open_page(warehouse, monkeypatch, "handoffs", lang)  # September, before the stop
    assert tile_texts(at)[metric_label("stale_leads", lang=lang)] == ["–", REASON[lang]]
    at.sidebar.selectbox(key="month").set_value("2026-10").run()  # October, cut short
    assert not at.exception, at.exception[0].value
    said = [m.value for m in at.markdown]
    assert f":gray[:material/block: {NOTE[lang]}]" in said
    assert f":gray[:material/block: {REASON[lang]}]" in said  # speed to lead, recycling ...
