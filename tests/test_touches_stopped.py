"""Touches that stop before ``as_of``: the review judges nothing after the last one.

An export that no longer carries the sales touches (HubSpot's engagements exported in
mid-September, the rest in October) is no month of untouched leads: a first touch or a
cadence window that runs past the last recorded touch is not judged, stale leads are not
counted, and the review says so, as ``sla alerts`` does (spec/coverage.md: missing data
is never a verdict).
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime, timedelta

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from typer.testing import CliRunner

from analytics.alerts import at_risk_now
from analytics.cli import app
from analytics.config import load_config
from analytics.coverage import (
    STOPPED_AFTER_WORKING_DAYS,
    TOUCH_KPIS,
    stopped_since,
    touch_horizon,
)
from analytics.review import build_review, kpi_history
from analytics.tables import Tables

CFG = load_config("data/sla.toml")  # first touch 24 h; cadence 6 attempts in 14 days
AS_OF = datetime(2026, 10, 10, 10, tzinfo=UTC)


def _touch(lead: str, when: str, outcome: str = "no_answer") -> dict:
    return {"touch_id": f"{lead}-{when}", "lead_id": lead, "rep_id": "r1", "channel": "phone",
            "occurred_at": when, "outcome": outcome}  # fmt: skip


def _leads(created: dict[str, str]) -> list[dict]:
    """Lead -> "MM-DD": each created at 08:00 that day, owned by r1."""
    return [{"lead_id": k, "created_at": f"2026-{md}T08:00:00Z", "source": "email",
             "owner_rep_id": "r1"} for k, md in created.items()]  # fmt: skip


def _mql_events(mqls: dict[str, str]) -> list[dict]:
    """Lead -> "MM-DD": its MQL at 09:00 that day."""
    return [{"lead_id": k, "stage": "mql", "entered_at": f"2026-{md}T09:00:00Z"}
            for k, md in mqls.items()]  # fmt: skip


def _tables(*, touches_until: date) -> Tables:
    """September 2026 by hand. Lead z is touched every day until ``touches_until`` (the
    export's last touch). MQLs: a on 09-01 (touched after 3 h, connected), b on 09-03, c on
    09-15, d on 09-20 (never touched). Recycles: e (MQL 08-20, two unanswered attempts)
    on 09-05, f (MQL 08-25) on 09-20. Lead g (MQL 08-01) had six unanswered attempts by
    08-06 and nothing since: stale while anyone can tell.
    """
    days = (touches_until - date(2026, 8, 1)).days + 1
    z = [_touch("z", f"{date(2026, 8, 1) + timedelta(days=d)}T07:00:00Z", "connected")
         for d in range(days)]  # fmt: skip
    mqls = {"a": "09-01", "b": "09-03", "c": "09-15", "d": "09-20", "e": "08-20", "f": "08-25",
            "g": "08-01"}  # fmt: skip
    events = [
        *_mql_events(mqls),
        {"lead_id": "e", "stage": "recycled", "entered_at": "2026-09-05T09:00:00Z"},
        {"lead_id": "f", "stage": "recycled", "entered_at": "2026-09-20T09:00:00Z"},
    ]
    return Tables.from_rows(
        reps=[{"rep_id": "r1", "name": "Rita", "team": "sdr"}],
        # each lead the morning of its MQL (z in October): the leads cover every month
        leads=_leads({**mqls, "z": "10-01"}),
        lifecycle_events=events,
        sales_touches=[
            *z,
            _touch("a", "2026-09-01T12:00:00Z", "connected"),
            _touch("e", "2026-08-20T12:00:00Z"),
            _touch("e", "2026-08-21T12:00:00Z"),
            *(_touch("g", f"2026-08-0{d}T12:00:00Z") for d in range(1, 7)),
        ],
    )


STOPPED = _tables(touches_until=date(2026, 9, 15))  # a Tuesday; none since
CURRENT = _tables(touches_until=date(2026, 10, 9))  # the day before AS_OF


@pytest.fixture(scope="module")
def stopped():
    return build_review(STOPPED, CFG, month="2026-09", as_of=AS_OF)


@pytest.fixture(scope="module")
def current():
    return build_review(CURRENT, CFG, month="2026-09", as_of=AS_OF)


def kpi(review, metric: str) -> dict:
    return review.kpis.filter(pl.col("metric") == metric).row(0, named=True)


def test_first_touches_past_the_last_touch_are_not_judged(stopped, current):
    # a met, b missed before the touches stopped; c (due 09-16) and d are unknown
    assert stopped.touches_stopped == date(2026, 9, 15)
    assert {k: stopped.handoff[k] for k in ("met", "missed", "pending", "compliance")} == {
        "met": 1, "missed": 1, "pending": 2, "compliance": 0.5,
    }  # fmt: skip
    assert stopped.touches_unjudged == {"handoff": 2, "cadence": 3}
    assert stopped.speed_to_lead.filter(pl.col("status") == "missed")["lead_id"].to_list() == ["b"]
    # the same leads with the touches current: c and d were missed
    assert current.touches_stopped is None and current.touches_unjudged == {}
    assert (current.handoff["met"], current.handoff["missed"], current.handoff["pending"]) == (
        1, 3, 0,
    )  # fmt: skip


def test_cadence_windows_past_the_last_touch_are_not_judged(stopped, current):
    # a was reached in a window closed on 09-15; b's closed on 09-17, after the last touch
    assert (stopped.cadence["judged"], stopped.cadence["held"]) == (1, 1)
    assert (current.cadence["judged"], current.cadence["held"]) == (4, 1)
    assert stopped.breach_counts()["cadence"] == 0
    assert current.breach_counts()["cadence"] == 3


def test_counts_the_stopped_touches_cannot_support_are_null_with_the_reason(stopped, current):
    # attempts per MQL: b, c, d were still open; premature: f was recycled on 09-20
    assert stopped.cadence["attempts_per_mql"] is None
    assert stopped.cadence_by_rep["attempts_per_mql"].to_list() == [None]  # nor per rep
    # never contacted: b (due 09-04) only, as its list; c and d are pending (finding 3)
    assert stopped.breaches["never_contacted"]["lead_id"].to_list() == ["b"]
    assert stopped.cadence["never_contacted"] == 1
    assert stopped.cadence_by_rep["never_contacted"].to_list() == [1]
    assert stopped.recycling["premature"] is None and stopped.recycling["stale"] is None
    for metric in ("attempts_per_mql", "premature_recycles", "stale_leads"):
        row = kpi(stopped, metric)
        assert (row["value"], row["status"]) == (None, "no_data")
        assert row["reason"].startswith("The last sales touch recorded is from 2026-09-15")
        assert stopped.kpi_reason(row) == row["reason"]
    assert kpi(stopped, "cadence_compliance")["status"] == "met"  # 1 / 1 judged
    # no list where the count is unknown (a no-data KPI has none: spec/coverage.md)
    assert stopped.breaches["premature_recycles"].is_empty()
    counts = stopped.breach_counts()
    assert (counts["stale_leads"], counts["premature_recycles"]) == (None, None)
    assert stopped.to_json_dict()["breaches"]["premature_recycles"] is None
    for kind in ("stale_leads", "premature_recycles"):
        assert stopped.breach_reason(kind).startswith("The last sales touch")
    assert sorted(current.breaches["premature_recycles"]["lead_id"]) == ["e", "f"]
    # with the touches current: all known (e and f premature, g stale)
    assert (current.recycling["premature"], current.recycling["stale"]) == (2, 1)
    assert current.cadence["attempts_per_mql"] == pytest.approx(1 / 4)


def test_no_first_touch_is_at_risk_once_the_touches_stopped(stopped):
    from analytics.review import rep_overview

    assert stopped.at_risk.is_empty()
    # nor per rep: unknown, not 0 (re-audit of this rule, finding 6)
    reps = rep_overview(stopped)
    assert reps["stale_leads"].to_list() == [None] and reps["at_risk"].to_list() == [None]
    document = stopped.to_json_dict()
    assert document["at_risk"] is None
    assert document["touches_stopped"] == "2026-09-15"
    assert document["touches_unjudged"] == {"handoff": 2, "cadence": 3}
    assert document["recycling"] == {"recycled": 2, "premature": None, "stale": None}


def test_the_review_and_sla_alerts_agree_on_when_the_touches_stopped(stopped):
    assert at_risk_now(STOPPED, config=CFG, as_of=AS_OF)["touches_stopped"] == (
        stopped.touches_stopped
    )


@pytest.mark.parametrize("reporting", ["UTC", "Asia/Tokyo"])
@pytest.mark.parametrize(
    ("as_of", "stopped"),
    [
        # the last touch, Wednesday 22:30 UTC, is Thursday 00:30 in Berlin: Friday,
        # Monday idle on Tuesday morning (current); Friday to Tuesday idle on Wednesday
        (datetime(2026, 10, 20, 6, tzinfo=UTC), None),
        (datetime(2026, 10, 21, 6, tzinfo=UTC), date(2026, 10, 15)),
    ],
)
def test_the_review_and_alerts_agree_whatever_the_reporting_time_zone(reporting, as_of, stopped):
    """With the reporting time zone apart from the handoff calendar's, the review read the
    last touch's day in the one and sla alerts in the other: one judged what the other
    could not tell (re-audit of this rule, finding 1)."""
    from analytics.config import Reporting

    cfg = CFG.model_copy(update={"reporting": Reporting(timezone=reporting)})
    t = Tables.from_rows(
        leads=[{"lead_id": "a", "created_at": "2026-10-01T08:00:00Z", "source": "email"}],
        lifecycle_events=[{"lead_id": "a", "stage": "mql", "entered_at": "2026-10-01T09:00:00Z"}],
        sales_touches=[_touch("z", "2026-10-14T22:30:00Z")],
    )
    review = build_review(t, cfg, month="2026-10", as_of=as_of)
    assert review.touches_stopped == stopped
    assert at_risk_now(t, config=cfg, as_of=as_of)["touches_stopped"] == stopped


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_note_says_what_is_not_judged_and_since_when(stopped, current, lang):
    note = stopped.touches_note(lang=lang)
    assert (
        note
        == {
            "en": "Not judged: 2 first touches and 3 cadence windows ran past 2026-09-15, the "
            "last sales touch recorded (none since on 3 or more working days).",
            "de": "Nicht bewertet: 2 Erstkontakte und 3 Kadenzfenster liefen über den 15.09.2026 "
            "hinaus, die letzte erfasste Vertriebsaktivität (seitdem an 3 oder mehr Arbeitstagen "
            "keine).",
        }[lang]
    )
    assert current.touches_note(lang=lang) is None
    one = dataclasses.replace(stopped, touches_unjudged={"handoff": 0, "cadence": 1})
    assert one.touches_note().startswith("Not judged: 1 cadence window ran past 2026-09-15")
    assert one.touches_note(lang="de").startswith("Nicht bewertet: 1 Kadenzfenster lief über")
    none = dataclasses.replace(stopped, touches_unjudged={"handoff": 0, "cadence": 0})
    assert none.touches_note().startswith("The last sales touch recorded is from 2026-09-15")


def test_the_kpi_history_judges_the_month_as_the_review(stopped):
    history = kpi_history(STOPPED, CFG, month="2026-09", months=2, as_of=AS_OF)
    month = history.filter(pl.col("month") == "2026-09").drop("month", "running")
    assert_frame_equal(month, stopped.kpis, check_exact=True)


@pytest.mark.parametrize(
    ("last_day", "as_of", "stopped"),
    [
        (date(2026, 11, 20), datetime(2026, 11, 23, 9, tzinfo=UTC), False),  # Fri -> Mon
        (date(2026, 11, 20), datetime(2026, 11, 25, 9, tzinfo=UTC), False),  # Mon, Tue idle
        (date(2026, 11, 20), datetime(2026, 11, 26, 9, tzinfo=UTC), True),  # Mon-Wed idle
        (date(2026, 12, 23), datetime(2026, 12, 28, 9, tzinfo=UTC), False),  # Thu, Fri idle
        # Easter: Good Friday and Easter Monday are German holidays, Tuesday is one day
        (date(2026, 4, 2), datetime(2026, 4, 8, 9, tzinfo=UTC), False),
        (date(2026, 4, 2), datetime(2026, 4, 10, 9, tzinfo=UTC), True),  # Tue-Thu idle
    ],
)
def test_stopped_since_counts_working_days(last_day, as_of, stopped):
    assert STOPPED_AFTER_WORKING_DAYS == 3
    assert stopped_since(last_day, as_of=as_of, config=CFG) is stopped


def test_the_stop_ends_with_the_last_touchs_day_in_the_calendars_time_zone():
    # z's last touch is 07:00 UTC on 2026-09-15: that day ends at 22:00 UTC in Berlin
    assert touch_horizon(STOPPED, as_of=AS_OF, config=CFG) == (
        date(2026, 9, 15), datetime(2026, 9, 15, 22, tzinfo=UTC),
    )  # fmt: skip
    assert touch_horizon(CURRENT, as_of=AS_OF, config=CFG) == (None, None)
    assert touch_horizon(Tables.empty(), as_of=AS_OF, config=CFG) == (None, None)
    assert {"handoff_compliance", "cadence_compliance", "stale_leads"} <= TOUCH_KPIS
    assert "mql_to_sql" not in TOUCH_KPIS


def test_sla_review_on_a_hubspot_export_whose_touches_stopped(tmp_path):
    """The audit's case (docs/audits/2026-12-05-reaudit-coverage-rules.md, 12): HubSpot's
    touches end on 2026-09-15; `sla review` read "cadence held 60 %, missed" with two
    breaches for MQLs whose windows ran to 09-21 and 09-26."""
    db = tmp_path / "hs.duckdb"
    runner = CliRunner()
    imported = runner.invoke(
        app, ["import", "--format", "hubspot", "tests/fixtures/exports/hubspot", "--db", str(db)]
    )
    assert "quarantine" in imported.output  # the fixture's broken rows; the rest loads
    out = runner.invoke(
        app, ["review", "--db", str(db), "--month", "2026-09", "--no-record", "--json"]
    )
    assert out.exit_code == 0, out.output
    doc = json.loads(out.output)
    assert doc["touches_stopped"] == "2026-09-15"
    # episodes 103 and 110 were reached before 09-15: held whatever came later (finding 10)
    assert (doc["cadence"]["judged"], doc["cadence"]["held"]) == (3, 3)
    assert doc["breaches"]["cadence"] == 0
    text = runner.invoke(app, ["review", "--db", str(db), "--month", "2026-09", "--no-record"])
    assert "Not judged: 2 cadence windows ran past 2026-09-15" in " ".join(text.output.split())


def test_the_leakage_waterfall_names_no_step_after_the_last_touch(stopped):
    """c and d were "assigned, never touched" where the data cannot tell (re-audit of this
    rule, finding 4): their first touches and cadence windows ran past the last touch. b's
    first touch was due on 09-04 and never came: never touched, as the never-contacted
    list beside it says (pages audit, finding 3: the waterfall put it in "not judged")."""
    from analytics.handoff import leakage_steps, leakage_waterfall

    steps = leakage_steps(
        stopped.cadence_episodes.lazy(),
        config=CFG,
        touches_stopped=True,
        never_contacted=stopped.breaches["never_contacted"].lazy(),
    )
    assert dict(steps.select("lead_id", "step").collect().iter_rows()) == {
        "a": "open", "b": "never_touched", "c": "not_judged", "d": "not_judged",
    }  # fmt: skip
    assert steps.collect_schema().names() == [*stopped.cadence_episodes.columns, "step"]
    waterfall = dict(leakage_waterfall(steps).select("step", "episodes").collect().iter_rows())
    assert (waterfall["not_judged"], waterfall["never_touched"]) == (2, 1)


def test_the_speed_buckets_leave_the_unjudged_episodes_out_of_their_base(stopped):
    """a (touched after 3 h) and b (never, due before the stop) are known; c and d ran past
    the last touch: their share "within 24 h" is not 0 (re-audit of this rule, finding 7)."""
    from analytics.response_time import speed_buckets

    row = speed_buckets(stopped.speed_to_lead.lazy()).collect().row(0, named=True)
    assert (row["episodes"], row["within_4_h"], row["within_24_h"]) == (4, 0.5, 0.5)


def _settled_before_the_stop(*, unsettled_recycle: bool) -> Tables:
    """The touches stop on 2026-09-15 (lead z, touched daily until then). h (MQL 09-10) was
    reached on 09-12 and i (MQL 09-10) had one unanswered attempt: both windows close on
    09-24, after the stop. j (MQL 08-20) was reached on 08-21, k (MQL 08-20) had one
    unanswered attempt; both are recycled on 09-20, after the stop (k only when
    ``unsettled_recycle``)."""
    z = [_touch("z", f"{date(2026, 9, 1) + timedelta(days=d)}T07:00:00Z", "connected")
         for d in range(15)]  # fmt: skip
    mqls = {"h": "09-10", "i": "09-10", "j": "08-20", "k": "08-20"}
    recycled = ["j", "k"] if unsettled_recycle else ["j"]
    return Tables.from_rows(
        reps=[{"rep_id": "r1", "name": "Rita", "team": "sdr"}],
        leads=_leads({**mqls, "z": "09-01"}),
        lifecycle_events=[
            *_mql_events(mqls),
            *(
                {"lead_id": k, "stage": "recycled", "entered_at": "2026-09-20T09:00:00Z"}
                for k in recycled
            ),
        ],
        sales_touches=[
            *z,
            _touch("h", "2026-09-12T12:00:00Z", "connected"),
            _touch("i", "2026-09-11T12:00:00Z"),
            _touch("j", "2026-08-21T12:00:00Z", "connected"),
            _touch("k", "2026-08-21T12:00:00Z"),
        ],
    )


def test_a_cadence_window_the_touches_before_the_stop_held_is_judged():
    """Re-audit finding 10: h was reached before the last touch, so its cadence held
    whatever came after; i's later attempts are unknown, so it waits."""
    review = build_review(
        _settled_before_the_stop(unsettled_recycle=False), CFG, month="2026-09", as_of=AS_OF
    )
    assert review.touches_stopped == date(2026, 9, 15)
    assert (review.cadence["judged"], review.cadence["held"]) == (1, 1)
    judged = review.cadence_episodes.filter(pl.col("is_judged"))["lead_id"].to_list()
    assert judged == ["h"]
    assert review.touches_unjudged["cadence"] == 1  # i
    assert review.breach_counts()["cadence"] == 0


@pytest.mark.parametrize(
    ("unsettled", "premature", "listed"),
    [(False, 0, 1), (True, None, 1)],
    ids=["every-later-recycle-settled", "one-later-recycle-unknown"],
)
def test_a_recycle_after_the_stop_counts_when_the_touches_before_settled_it(
    unsettled, premature, listed
):
    """Re-audit finding 10: j was reached before the stop, so its recycle on 09-20 is not
    premature whatever came after; k's attempts after 09-15 are unknown."""
    review = build_review(
        _settled_before_the_stop(unsettled_recycle=unsettled), CFG, month="2026-09", as_of=AS_OF
    )
    assert review.recycling["premature"] == premature
    assert review.recycling["recycled_episodes"] == listed  # j judged, k not
    assert kpi(review, "premature_recycles")["value"] == premature
    assert review.breach_counts()["premature_recycles"] == premature


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_handoffs_stale_tile_says_why_it_is_unknown(tmp_path, monkeypatch, lang):
    """The Recycling tiles showed "Stale leads –" above the rule's definition, no reason."""
    from app_support import open_page, tile_texts

    from analytics.texts import metric_label
    from analytics.warehouse import write_tables

    db = tmp_path / "w.duckdb"
    write_tables(db, {n: lf.collect() for n, lf in STOPPED.items()}, source="t", config=CFG)
    at = open_page(db, monkeypatch, "handoffs", lang)
    review = build_review(STOPPED, CFG, month="2026-09")  # the page's month and as_of
    why = review.kpi_reason(kpi(review, "stale_leads"), lang=lang)
    said = {"en": "The last sales touch recorded is from 2026-09-15",
            "de": "Die letzte erfasste Vertriebsaktivität ist vom 15.09.2026"}  # fmt: skip
    assert why.startswith(said[lang])
    assert tile_texts(at)[metric_label("stale_leads", lang=lang)] == ["–", why]
