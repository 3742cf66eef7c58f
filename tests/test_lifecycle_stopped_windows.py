"""Lifecycle events that stop while the touches and new leads go on: an MQL episode of a
month before the stop, still open at it, has its cadence window and attempts judged only
as far as the data can tell (spec/coverage.md: missing data is never a verdict).

The fixture, by hand (cadence: 6 attempts 4 h apart within 14 days of the MQL; handoff
calendar Berlin, Monday to Friday). Every lead is created at 08:00 UTC with its ``lead``
event and owned by Rita; every touch but Z's is a call at 12:00 UTC:

- Z: touched every day at 07:00 from 1 Sep to 27 Oct (the touches are current). No MQL.
- N01 ... N27: one new lead a day, 1 to 27 Oct.
- H: MQL 25 Sep 09:00, reached on 25 Sep: held before the stop.
- W: MQL 25 Sep 09:00, unanswered on 25 Sep, 5, 8 and 12 Oct: 4 attempts, window to 9 Oct.
- L: MQL 25 Sep 09:00, unanswered on 25 Sep, reached on 6 Oct: window to 9 Oct.
- E: MQL 10 Sep 09:00, unanswered on 10 Sep: window closed on 24 Sep, 1 attempt.
- Q: MQL 10 Sep 09:00, unanswered on 10 Sep, reached on 7 Oct: window closed on 24 Sep.

``CURRENT`` has every lifecycle event; in ``STOPPED`` they end on Friday 2 Oct (the new
leads since have none), the rest goes on. September ends before the stop, so it is not cut
short. Judged on Tuesday 27 Oct 09:00 UTC, with the events current: H, L, Q held, W and E
not (5 judged, 3 held), attempts 1 + 4 + 2 + 1 + 2 = 10 over 5 MQLs. With them stopped,
W, L and Q may have become SQLs, been recycled or disqualified after 2 Oct: their touches
since may be none of their attempts. H was held and E's window closed (unanswered, nothing
touched since) before the stop: known. W's and L's windows ran past the stop, and Q was
held only by a call after it: not judged (2 judged, 1 held); attempts per MQL unknown.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from review_support import daily_touches
from typer.testing import CliRunner

from analytics.cli import app
from analytics.config import load_config
from analytics.review import build_review, kpi_history
from analytics.tables import Tables

ROOT = Path(__file__).resolve().parent.parent
CFG = load_config(ROOT / "data" / "sla.toml")
AS_OF = datetime(2026, 10, 27, 9, tzinfo=UTC)  # a Tuesday

#: Why a number is unknown since the stop, in both languages.
REASON = {
    "en": "The last lifecycle event recorded is from 2026-10-02, and none since on 5 or more "
    "working days while sales touches or new leads went on: the data cannot tell which leads "
    "became MQLs or SQLs after it, or were recycled or disqualified (import the lifecycle "
    "events since then).",
    "de": "Das letzte erfasste Lebenszyklus-Ereignis ist vom 02.10.2026, seitdem an 5 oder "
    "mehr Arbeitstagen keines, während Vertriebsaktivitäten oder neue Leads weiterliefen: die "
    "Daten sagen nicht, welche Leads danach zu MQLs oder SQLs wurden oder recycelt oder "
    "disqualifiziert wurden (die Lebenszyklus-Ereignisse seitdem importieren).",
}
#: What the stop leaves unjudged of September, in both languages.
NOTE = {
    "en": "Not judged: 3 cadence windows ran past 2026-10-02, the last lifecycle event recorded "
    "(none since on 5 or more working days while sales touches or new leads went on): their "
    "MQLs may have become SQLs or been recycled or disqualified since, so which attempts were "
    "theirs is not known, nor are attempts per MQL or stale leads.",
    "de": "Nicht bewertet: 3 Kadenzfenster liefen über den 02.10.2026 hinaus, das letzte "
    "erfasste Lebenszyklus-Ereignis (seitdem an 5 oder mehr Arbeitstagen keines, während "
    "Vertriebsaktivitäten oder neue Leads weiterliefen): ihre MQLs können seitdem zu SQLs "
    "geworden oder recycelt oder disqualifiziert worden sein, daher ist nicht bekannt, welche "
    "Versuche ihnen galten, ebenso wenig Versuche pro MQL oder liegengebliebene Leads.",
}


def _lead(lead: str, day: str) -> dict:
    return {"lead_id": lead, "created_at": f"2026-{day}T08:00:00Z", "source": "email",
            "owner_rep_id": "r1"}  # fmt: skip


def _call(lead: str, day: str, outcome: str = "no_answer") -> dict:
    return {"touch_id": f"{lead}-{day}", "lead_id": lead, "rep_id": "r1", "channel": "phone",
            "occurred_at": f"2026-{day}T12:00:00Z", "outcome": outcome}  # fmt: skip


def _tables(*, events_until: str | None) -> Tables:
    """The fixture; lifecycle events only until ``events_until`` ("MM-DD", None: all)."""
    mqls = {"H": "09-25", "W": "09-25", "L": "09-25", "E": "09-10", "Q": "09-10"}
    leads = [_lead("Z", "09-01"), *(_lead(k, md) for k, md in mqls.items()),
             *(_lead(f"N{d:02d}", f"10-{d:02d}") for d in range(1, 28))]  # fmt: skip
    events = [
        *({"lead_id": r["lead_id"], "stage": "lead", "entered_at": r["created_at"]} for r in leads),
        *({"lead_id": k, "stage": "mql", "entered_at": f"2026-{md}T09:00:00Z"}
          for k, md in mqls.items()),
    ]  # fmt: skip
    if events_until is not None:
        events = [e for e in events if e["entered_at"][5:10] <= events_until]
    return Tables.from_rows(
        reps=[{"rep_id": "r1", "name": "Rita", "team": "sdr"}],
        leads=leads,
        lifecycle_events=events,
        sales_touches=[
            *daily_touches("Z", "2026-09-01", "2026-10-27"),
            _call("H", "09-25", "connected"),
            *(_call("W", md) for md in ("09-25", "10-05", "10-08", "10-12")),
            _call("L", "09-25"),
            _call("L", "10-06", "connected"),
            _call("E", "09-10"),
            _call("Q", "09-10"),
            _call("Q", "10-07", "connected"),
        ],
    )


CURRENT = _tables(events_until=None)
STOPPED = _tables(events_until="10-02")


@pytest.fixture(scope="module")
def stopped():
    return build_review(STOPPED, CFG, month="2026-09", as_of=AS_OF)


@pytest.fixture(scope="module")
def current():
    return build_review(CURRENT, CFG, month="2026-09", as_of=AS_OF)


def _kpi(review, metric: str) -> dict:
    return review.kpis.filter(pl.col("metric") == metric).row(0, named=True)


def _judged(review) -> dict[str, bool | None]:
    return dict(review.cadence_episodes.sort("lead_id").select("lead_id", "is_held").iter_rows())


def test_with_the_lifecycle_events_current_every_window_is_judged(current):
    assert (current.lifecycle_stopped, current.lifecycle_cut) == (None, ())
    assert _judged(current) == {"E": False, "H": True, "L": True, "Q": True, "W": False}
    assert (current.cadence["judged"], current.cadence["held"]) == (5, 3)
    assert current.cadence["attempts_per_mql"] == pytest.approx(2.0)
    assert current.breach_counts()["cadence"] == 2
    assert current.lifecycle_note() is None and current.lifecycle_unjudged == {}
    assert "lifecycle_unjudged" not in current.to_json_dict()  # as before the rule


def test_a_window_that_ran_past_the_stop_is_not_judged(stopped):
    assert (stopped.lifecycle_stopped, stopped.lifecycle_cut) == (date(2026, 10, 2), ())
    # H held before the stop, E closed unanswered before it: known; W, L, Q wait
    assert _judged(stopped) == {"E": False, "H": True, "L": None, "Q": None, "W": None}
    assert (stopped.cadence["judged"], stopped.cadence["held"]) == (2, 1)
    assert stopped.cadence["compliance"] == pytest.approx(0.5)
    assert stopped.breaches["cadence"]["lead_id"].to_list() == ["E"]
    assert stopped.breach_counts()["cadence"] == 1
    assert stopped.lifecycle_unjudged == {"cadence": 3}
    assert _kpi(stopped, "cadence_compliance")["status"] == "missed"  # 1 of 2 judged


def test_attempts_after_the_stop_on_an_episode_open_then_are_unknown(stopped):
    assert stopped.cadence["attempts_per_mql"] is None
    assert stopped.cadence_by_rep["attempts_per_mql"].to_list() == [None]  # nor per rep
    row = _kpi(stopped, "attempts_per_mql")
    assert (row["value"], row["status"], row["reason"]) == (None, "no_data", REASON["en"])


def test_attempts_are_known_when_no_episode_open_at_the_stop_was_touched_after_it():
    # without W's, L's and Q's calls after 2 Oct: every attempt is before the stop
    before = STOPPED.sales_touches.filter(
        pl.col("lead_id").eq("Z") | (pl.col("occurred_at") < datetime(2026, 10, 3, tzinfo=UTC))
    )
    tables = Tables(**{**dict(STOPPED.items()), "sales_touches": before})
    review = build_review(tables, CFG, month="2026-09", as_of=AS_OF)
    assert review.lifecycle_stopped == date(2026, 10, 2)
    assert review.cadence["attempts_per_mql"] == pytest.approx(1.0)  # H, W, L, E, Q: one each
    assert review.lifecycle_unjudged == {"cadence": 2}  # W and L: windows past the stop


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_note_and_the_reasons_say_what_is_not_judged_and_since_when(stopped, lang):
    assert stopped.lifecycle_note(lang=lang) == NOTE[lang]
    assert stopped.value_reason("attempts_per_mql", lang=lang) == REASON[lang]
    assert stopped.kpi_reason(_kpi(stopped, "attempts_per_mql"), lang=lang) == REASON[lang]


def test_the_review_json_counts_the_windows_not_judged(stopped):
    doc = stopped.to_json_dict()
    assert (doc["lifecycle_stopped"], doc["lifecycle_cut"]) == ("2026-10-02", [])
    assert doc["lifecycle_unjudged"] == {"cadence": 3}
    assert doc["cadence"] == {"judged": 2, "held": 1, "compliance": 0.5, "attempts_per_mql": None}
    assert doc["breaches"]["cadence"] == 1


def test_the_kpi_history_judges_the_month_as_the_review(stopped):
    history = kpi_history(STOPPED, CFG, month="2026-09", months=2, as_of=AS_OF)
    rows = history.filter(pl.col("month") == "2026-09").drop("month", "running")
    assert_frame_equal(rows, stopped.kpis, check_exact=True)


def test_sla_review_says_what_is_not_judged(tmp_path):
    from analytics.warehouse import write_tables

    db = tmp_path / "w.duckdb"
    write_tables(db, {n: lf.collect() for n, lf in STOPPED.items()}, source="t", config=CFG)
    args = ["review", "--db", str(db), "--month", "2026-09", "--as-of", "2026-10-27T09:00:00Z",
            "--no-record"]  # fmt: skip
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert (doc["lifecycle_unjudged"], doc["cadence"]["judged"]) == ({"cadence": 3}, 2)
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert f"- {NOTE['en']}" in " ".join(result.output.split())


def test_the_leakage_waterfall_names_no_step_after_the_last_event(stopped, current):
    """W, L and Q were "still open" (W: 4 attempts, its window over) where the data cannot
    tell whether they still were: their windows ran past the last lifecycle event."""
    from analytics.handoff import leakage_steps, leakage_waterfall

    def steps(review):
        return leakage_steps(
            review.cadence_episodes.lazy(),
            config=CFG,
            touches_stopped=review.touches_stopped is not None,
            never_contacted=review.breaches["never_contacted"].lazy(),
            events_stopped=review.lifecycle_stopped is not None,
        )

    assert dict(steps(stopped).select("lead_id", "step").collect().iter_rows()) == {
        "E": "under_worked", "H": "open", "L": "not_judged_events", "Q": "not_judged_events",
        "W": "not_judged_events",
    }  # fmt: skip
    assert dict(steps(current).select("lead_id", "step").collect().iter_rows()) == {
        "E": "under_worked", "H": "open", "L": "open", "Q": "open", "W": "under_worked",
    }  # fmt: skip
    waterfall = leakage_waterfall(steps(stopped)).collect()
    assert dict(waterfall.select("step", "episodes").iter_rows())["not_judged_events"] == 3
    assert "not_judged" not in waterfall["step"].to_list()  # the touches went on


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    from analytics.warehouse import write_tables

    db = tmp_path_factory.mktemp("lifecycle-windows") / "w.duckdb"
    write_tables(db, {n: lf.collect() for n, lf in STOPPED.items()}, source="t", config=CFG)
    return db


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_pages_say_what_is_not_judged(warehouse, monkeypatch, lang):
    from app_support import open_page, tile_texts

    from analytics.texts import metric_label, term

    at = open_page(warehouse, monkeypatch, "handoffs", lang)  # September: the default month
    said = [m.value for m in at.markdown]
    assert f":gray[:material/block: {NOTE[lang]}]" in said
    tables = [" ".join(re.sub(r"<[^>]+>", " ", h.proto.body).split()) for h in at.get("html")]
    step = term("leak_step", "not_judged_events", lang=lang)
    assert any(step in text for text in tables)  # W, L, Q: not "still open"
    at = open_page(warehouse, monkeypatch, "management", lang)
    assert f":gray[:material/block: {NOTE[lang]}]" in [m.value for m in at.markdown]
    tiles = tile_texts(at)
    assert tiles[metric_label("attempts_per_mql", lang=lang)] == ["–", REASON[lang]]


def test_the_review_pack_says_what_is_not_judged():
    from review_support import footnoted_cells

    from analytics.pack import build_pack
    from analytics.pack.render import breach_view, render_markdown

    pack = build_pack(STOPPED, CFG, month="2026-09", as_of=AS_OF)
    assert sum(NOTE["en"] in s for s in breach_view(pack)["unknown"]) == 1
    assert f"no data: {REASON['en']}" in footnoted_cells(render_markdown(pack))  # attempts
    german = breach_view(build_pack(STOPPED, CFG, month="2026-09", as_of=AS_OF), lang="de")
    assert sum(NOTE["de"] in s for s in german["unknown"]) == 1


def test_a_month_without_an_mql_has_no_case_whatever_the_stop():
    """A month before the stop without any MQL episode: its cadence compliance and
    attempts per MQL have no case, which the stop does not change (not its reason)."""
    lead = _lead("A", "08-20")
    tables = Tables.from_rows(
        reps=[{"rep_id": "r1", "name": "Rita", "team": "sdr"}],
        leads=[lead, *(_lead(f"N{d:02d}", f"10-{d:02d}") for d in range(1, 28))],
        lifecycle_events=[
            {"lead_id": "A", "stage": "lead", "entered_at": lead["created_at"]},
            {"lead_id": "A", "stage": "mql", "entered_at": "2026-08-21T09:00:00Z"},
            *({"lead_id": f"N0{d}", "stage": "lead", "entered_at": f"2026-10-0{d}T08:00:00Z"}
              for d in (1, 2)),
        ],
        sales_touches=[*daily_touches("Z", "2026-08-20", "2026-10-27"),
                       _call("A", "08-21", "connected")],
    )  # fmt: skip
    review = build_review(tables, CFG, month="2026-09", as_of=AS_OF)
    assert (review.lifecycle_stopped, review.lifecycle_cut) == (date(2026, 10, 2), ())
    assert review.cadence["judged"] == 0 and review.lifecycle_unknown == ()
    for metric in ("cadence_compliance", "attempts_per_mql"):
        row = _kpi(review, metric)
        assert row["value"] is None and row["reason"] != REASON["en"], metric
        assert review.value_reason(metric) != REASON["en"], metric


def test_the_stored_review_equals_a_fresh_one(warehouse, tmp_path):
    import dataclasses
    import shutil

    from review_support import assert_same_review

    from analytics.precompute import refresh_results, stored
    from analytics.warehouse import connect_readonly, latest_timestamp, load_tables

    db = tmp_path / "w.duckdb"
    shutil.copy(warehouse, db)
    assert "2026-09" in refresh_results(db, CFG)["months"]
    con = connect_readonly(db)
    as_of = latest_timestamp(con)
    tables = dataclasses.replace(load_tables(con), episodes=None)  # fresh: from the events
    review = stored(con, "review", month="2026-09", config=CFG, as_of=as_of)
    assert (review.lifecycle_unjudged, review.lifecycle_unknown) == (
        {"cadence": 3}, ("attempts_per_mql",),
    )  # fmt: skip
    assert_same_review(review, build_review(tables, CFG, month="2026-09", as_of=as_of))
    con.close()
