"""Sales touches without any ``recycled`` lifecycle event (spec/coverage.md: the group
``recycling`` needs both, ``recycled_stage`` the recycled events): the review, the
pages and the alerts say stale leads and recycled leads' enrolment cannot be measured,
never count them, by hand, in both languages.

The fixture (reporting time zone UTC, judged at 1 Apr 2026 01:00, so March is the month;
owner of every lead: Rita):

- S: MQL 2 Mar 09:00; six unanswered calls, one a day from 2 Mar 10:00 to 7 Mar 10:00
  (first touch after 1 h: met; six spaced attempts within 14 days: cadence held). Six
  unanswered attempts, the last more than 7 days before ``as_of``: stale, if the data
  could say so.
- Z: no MQL; a touch a day from 25 to 31 Mar and one at ``as_of`` (the touches are
  current; the app judges at the data's latest moment) and
  a nurture enrolment on 15 Mar (nurture enrolments were imported).
- With recycled events (``WITH_RECYCLED``): R, MQL 10 Mar 09:00, one unanswered call at
  10:00, recycled 12 Mar 09:00 (premature; its cadence not held) and never enrolled in
  nurture (due 14 Mar: missing).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from app_support import open_page, static_table, static_tables, tile_texts, tiles
from review_support import daily_touches

import analytics.review as rv
from analytics.alerts import at_risk_now, not_judged_lines
from analytics.config import load_config
from analytics.review import build_review, rep_overview
from analytics.tables import Tables
from analytics.texts import render
from analytics.warehouse import write_tables
from dashboard.i18n import column_label, t

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "data" / "sla.toml"
CFG = load_config(CONFIG)
AS_OF = datetime(2026, 4, 1, 1, tzinfo=UTC)
MONTH = "2026-03"

#: Why stale leads cannot be measured (group ``recycling``).
RECYCLING = {
    "en": "Recycling needs sales touches and recycled lifecycle events: import both.",
    "de": "Recycling braucht Vertriebskontakte und Lebenszyklus-Ereignisse der Phase recycled: "
    "beides importieren.",
}
#: Why recycled leads cannot be counted (group ``recycled_stage``).
RECYCLED = {
    "en": "No lifecycle event of stage recycled was imported, so recycled leads (and the "
    "re-MQL rate) cannot be counted: import the recycled events.",
    "de": "Es wurde kein Lebenszyklus-Ereignis der Phase recycled importiert, daher lassen sich "
    "recycelte Leads (und die Re-MQL-Quote) nicht zählen: die recycled-Ereignisse importieren.",
}


def _lead(lid: str, created: str) -> dict:
    return {"lead_id": lid, "created_at": created, "source": "email", "owner_rep_id": "r1"}


def _touch(tid: str, lead: str, at: str) -> dict:
    return {"touch_id": tid, "lead_id": lead, "rep_id": "r1", "occurred_at": at,
            "channel": "phone", "outcome": "no_answer"}  # fmt: skip


def _tables(*, recycled: bool) -> Tables:
    leads = [_lead("S", "2026-03-01T08:00:00Z"), _lead("Z", "2026-03-01T08:00:00Z")]
    events = [{"lead_id": "S", "stage": "mql", "entered_at": "2026-03-02T09:00:00Z"}]
    touches = [
        *(_touch(f"S{d}", "S", f"2026-03-0{d}T10:00:00Z") for d in range(2, 8)),
        *daily_touches("Z", "2026-03-25", "2026-03-31"),
        _touch("Z-last", "Z", "2026-04-01T01:00:00Z"),  # the data's latest moment: as_of
    ]
    if recycled:
        leads.append(_lead("R", "2026-03-09T08:00:00Z"))
        events += [
            {"lead_id": "R", "stage": "mql", "entered_at": "2026-03-10T09:00:00Z"},
            {"lead_id": "R", "stage": "recycled", "entered_at": "2026-03-12T09:00:00Z",
             "reason": "no answer", "actor_rep_id": "r1"},
        ]  # fmt: skip
        touches.append(_touch("R1", "R", "2026-03-10T10:00:00Z"))
    enrolment = {"enrollment_id": "E1", "lead_id": "Z", "track": "awareness-education",
                 "enrolled_at": "2026-03-15T09:00:00Z", "triggered_by": "auto"}  # fmt: skip
    return Tables.from_rows(
        reps=[{"rep_id": "r1", "name": "Rita", "team": "sdr"}],
        leads=leads,
        lifecycle_events=events,
        sales_touches=touches,
        nurture_enrollments=[enrolment],
    )


NO_RECYCLED = _tables(recycled=False)
WITH_RECYCLED = _tables(recycled=True)


@pytest.fixture(scope="module")
def review():
    return build_review(NO_RECYCLED, CFG, month=MONTH, as_of=AS_OF)


@pytest.fixture(scope="module")
def control():
    return build_review(WITH_RECYCLED, CFG, month=MONTH, as_of=AS_OF)


def test_the_fixture_is_what_it_says(review, control):
    assert (review.measurable("recycling"), review.measurable("recycled_stage")) == (False, False)
    assert (control.measurable("recycling"), control.measurable("recycled_stage")) == (True, True)
    assert review.measurable("handoff") and review.measurable("nurture")
    assert review.touches_stopped is None and control.touches_stopped is None
    # S stale at as_of where the data can say so
    assert control.breaches["stale_leads"]["lead_id"].to_list() == ["S"]
    assert control.recycling["stale"] == 1


# -- H1: stale leads are not listed, nor counted per rep, where recycling is unknown --------


def test_no_stale_lead_is_listed_where_recycling_cannot_be_measured(review):
    assert review.recycling["stale"] is None
    assert review.breach_counts()["stale_leads"] is None
    assert review.breaches["stale_leads"].height == 0  # was S: a list beside a null count
    assert review.breach_reason("stale_leads") == RECYCLING["en"]


def test_rep_overview_leaves_stale_leads_unknown_and_out_of_open_breaches(review, control):
    # S: first touch met, cadence held; stale unknown -> no open breach that can be counted
    assert rep_overview(review).rows() == [("r1", "Rita", 1.0, 1.0, None, 0, 0)]
    assert rv.uncounted_open_breaches(review) == ("stale_leads",)
    # with recycled events: S stale; R's cadence not held (one call, then recycled)
    assert rep_overview(control).rows() == [("r1", "Rita", 1.0, 0.5, 1, 2, 0)]
    assert rv.uncounted_open_breaches(control) == ()


def _written(
    tmp_path_factory,
    folder: str,
    tables: Tables,
    names: tuple[str, ...] = ("reps", "leads", "lifecycle_events", "sales_touches",
                              "nurture_enrollments"),
) -> Path:  # fmt: skip
    """A warehouse in a new folder holding ``names`` of ``tables`` (the others absent)."""
    db = tmp_path_factory.mktemp(folder) / "w.duckdb"
    write_tables(db, {n: getattr(tables, n).collect() for n in names}, source="t", config=CFG)
    return db


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    return _written(tmp_path_factory, "norecycled", NO_RECYCLED)


@pytest.mark.parametrize("lang", ["en", "de"])
def test_overview_shows_stale_unknown_and_says_open_breaches_leave_it_out(
    warehouse, monkeypatch, lang
):
    at = open_page(warehouse, monkeypatch, "overview", lang)
    reps = static_table(at, column_label("open_breaches", lang))
    assert reps[column_label("rep_name", lang)] == ["Rita"]
    assert reps[column_label("stale_leads", lang)] == ["–"]  # was "1"
    assert reps[column_label("open_breaches", lang)] == ["0"]  # was "1": S's unknown staleness
    title = render("breach.title.stale_leads", lang=lang)
    said = {"en": f"Open breaches leave out {title}: {RECYCLING['en']}",
            "de": f"Offene Verstöße ohne {title}: {RECYCLING['de']}"}  # fmt: skip
    assert said[lang] in [c.value for c in at.caption]


@pytest.mark.parametrize("lang", ["en", "de"])
def test_review_page_lists_no_stale_lead(warehouse, monkeypatch, lang):
    at = open_page(warehouse, monkeypatch, "review", lang)
    title = render("breach.title.stale_leads", lang=lang)
    # S is no breach that can be listed: no "Largest breaches" row of it (nor of any kind)
    assert not any("S" in t.get(column_label("lead_id", lang), []) for t in static_tables(at))
    assert f"{title} –" in " ".join(c.value for c in at.caption)  # the totals: unknown


# -- H2: recycled leads' enrolment is unknown without recycled events, not 0 / 0 ----------


def test_recycled_enrolment_is_unknown_without_recycled_events(review, control):
    doc = review.to_json_dict()
    # Z's enrolment shows nurture was imported; no recycle was: nothing to judge is unknown
    assert doc["nurture"]["recycled_enrolled"] == dict.fromkeys(
        ("in_time", "late", "missing", "pending")
    )  # was 0, 0, 0, 0
    assert doc["breaches"]["recycled_not_enrolled"] is None  # was 0
    assert review.rate_counts("recycled_enrolled_in_time") == (None, None)  # was (0, 0)
    assert review.recycled_enrollment.height == 0
    assert review.breach_reason("recycled_not_enrolled") == RECYCLED["en"]
    assert review.metric_reason("recycled_enrolled_in_time", lang="de") == RECYCLED["de"]
    # with recycled events: R recycled on 12 Mar, never enrolled (due 14 Mar): missing
    counts = control.to_json_dict()["nurture"]["recycled_enrolled"]
    assert counts == {"in_time": 0, "late": 0, "missing": 1, "pending": 0}
    assert control.breach_counts()["recycled_not_enrolled"] == 1
    assert control.rate_counts("recycled_enrolled_in_time") == (0, 1)
    assert control.breach_reason("recycled_not_enrolled") is None


def test_sla_review_json_has_null_recycled_enrolment(warehouse):
    from typer.testing import CliRunner

    from analytics.cli import app

    result = CliRunner().invoke(
        app, ["review", "--db", str(warehouse), "--config", str(CONFIG), "--month", MONTH,
              "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["nurture"]["recycled_enrolled"]["missing"] is None
    assert (doc["breaches"]["recycled_not_enrolled"], doc["breaches"]["stale_leads"]) == (
        None,
        None,
    )


# -- M4: the Handoffs page says why recycled leads' enrolment is unknown ------------------

#: Why recycled leads' enrolment is unknown when the recycles are there (group ``nurture``).
NURTURE = {
    "en": "No nurture enrollments were imported: import nurture_enrollments.",
    "de": "Es wurden keine Nurturing-Einschreibungen importiert: nurture_enrollments importieren.",
}


#: The Handoffs page's tile of recycled leads enrolled in a nurture track in time.
NURTURED_IN_TIME = {"en": "Recycled leads nurtured in time",
                    "de": "Recycelte Leads rechtzeitig im Nurturing"}  # fmt: skip


@pytest.fixture(scope="module")
def without_nurture(tmp_path_factory) -> Path:
    """Recycling measurable (touches and R's recycle), no nurture enrolment imported."""
    names = ("reps", "leads", "lifecycle_events", "sales_touches")
    return _written(tmp_path_factory, "nonurture", WITH_RECYCLED, names)


@pytest.mark.parametrize("lang", ["en", "de"])
def test_handoffs_page_says_why_recycled_leads_enrolment_is_unknown(
    without_nurture, monkeypatch, lang
):
    at = open_page(without_nurture, monkeypatch, "handoffs", lang)
    label = NURTURED_IN_TIME[lang]
    # was "–", "– (– / –)": no word on what is missing
    assert tile_texts(at)[label] == ["–", NURTURE[lang]]
    # the recycling tiles themselves are measured: R recycled, too early; S stale
    shown = tiles(at)
    assert (shown[t("recycled", lang)], shown[t("premature", lang)]) == ("1", "1")
    assert shown[t("stale", lang)] == "1"


@pytest.mark.parametrize("lang", ["en", "de"])
def test_handoffs_page_without_recycled_events_says_so_for_the_tile_too(
    warehouse, monkeypatch, lang
):
    # no recycled event: the recycling section is one sentence (no tile, no "0 / 0")
    at = open_page(warehouse, monkeypatch, "handoffs", lang)
    label = NURTURED_IN_TIME[lang]
    assert label not in tile_texts(at)
    assert any(RECYCLING[lang] in m.value for m in at.markdown)


# -- L4: no "going stale" alert where the review cannot measure stale leads ---------------

STALE_LINE = {
    "en": "No “Going stale” alerts: the monthly review cannot measure them either. "
    + RECYCLING["en"],
    "de": "Keine Warnungen der Art „Droht liegenzubleiben“: auch die Monatsbesprechung kann "
    "sie nicht messen. " + RECYCLING["de"],
}


def test_alerts_follow_the_reviews_coverage_rule():
    # with recycled events: S stale since 14 Mar 10:00; R's enrolment due 14 Mar, missing
    control = at_risk_now(WITH_RECYCLED, config=CFG, as_of=AS_OF)
    got = control["alerts"].select("kind", "status", "lead_id").rows()
    assert got == [("nurture_enrolment", "overdue", "R"), ("stale", "overdue", "S")]
    assert control["missing"] == {}
    # without: the review says stale leads and recycled leads' enrolment cannot be
    # measured, so neither is alerted (S was "going stale", overdue), and the page says why
    now = at_risk_now(NO_RECYCLED, config=CFG, as_of=AS_OF)
    assert now["alerts"].height == 0
    assert now["missing"] == {"stale": "lifecycle_events", "nurture_enrolment": "lifecycle_events"}
    assert now["counts"] == {"overdue": 0, "at_risk": 0}  # first touch, cadence: judged
    lines = not_judged_lines(now["missing"], stopped=None)
    assert lines == [STALE_LINE["en"], render("alert.not_measurable", kind="Nurture enrolment",
                                              reason=RECYCLED["en"])]  # fmt: skip


def test_sla_alerts_json_raises_no_stale_alert_without_recycled_events(warehouse):
    from typer.testing import CliRunner

    from analytics.cli import app

    result = CliRunner().invoke(
        app, ["alerts", "--db", str(warehouse), "--config", str(CONFIG), "--json"]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert (doc["coverage"]["stale"], doc["missing"]["stale"]) == (False, "lifecycle_events")
    assert [a["kind"] for a in doc["alerts"]] == []  # was one "stale" alert (S)


@pytest.mark.parametrize("lang", ["en", "de"])
def test_at_risk_page_says_why_no_stale_alert_is_raised(warehouse, monkeypatch, lang):
    at = open_page(warehouse, monkeypatch, "at_risk", lang)
    infos = [i.value for i in at.info]
    assert STALE_LINE[lang] in infos, infos
    assert not at.dataframe and not static_tables(at)  # no alert listed (was S, going stale)
