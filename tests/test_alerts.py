"""At risk now: alerts computed by hand, and equal to the review's later verdicts."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from analytics.alerts import (
    ALERT_COLUMNS,
    alert_counts,
    alert_coverage,
    alerts,
    alerts_by_rep,
    at_risk_now,
)
from analytics.config import Calendar, HandoffLine, load_config
from analytics.coverage import rep_display_names
from analytics.review import build_review
from analytics.tables import Tables

CFG = load_config("data/sla.toml")
# Berlin 08:00-18:00 Mon-Fri, German public holidays (Good Friday 2026-04-03 and Easter
# Monday 2026-04-06 among them), first touch within 4 business hours.
BUSINESS = CFG.model_copy(
    update={
        "handoff": CFG.handoff.model_copy(
            update={
                "business_hours": True,
                "first_touch_hours": 4.0,
                "calendar": Calendar(timezone="Europe/Berlin", holidays_country="DE"),
            }
        )
    }
)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def ev(lead, stage, when, **kw):
    return {"lead_id": lead, "stage": stage, "entered_at": when, **kw}


def touches(lead, *times, outcome="no_answer", rep="r1"):
    return [
        {"touch_id": f"{lead}{i}", "lead_id": lead, "rep_id": rep, "occurred_at": t,
         "channel": "phone", "outcome": outcome}
        for i, t in enumerate(times)
    ]  # fmt: skip


#: Someone else's touches, one a day: the touches are tracked every day (coverage), lead
#: "z" is not alerted.
OTHER = touches(
    "z",
    *(f"{date(2026, 1, 1) + timedelta(days=d)}T00:00:00Z" for d in range(365)),
    outcome="connected",
)
REPS = [
    {"rep_id": "r1", "name": "Rita", "team": "sdr"},
    {"rep_id": "r2", "name": "Ralf", "team": "ae"},
]


def tables(
    events, sales_touches=(), owners=None, enrollments=(), created="2026-01-01T00:00:00Z", **extra
) -> Tables:
    leads = sorted({e["lead_id"] for e in events} | {"z"})
    owners = owners or {}
    return Tables.from_rows(
        reps=REPS,
        accounts=[{"account_id": "acc", "name": "Muster GmbH"}],
        leads=[
            {"lead_id": k, "created_at": created, "source": "email",
             "owner_rep_id": owners.get(k, "r1"), "account_id": "acc"}
            for k in leads
        ],
        lifecycle_events=events,
        sales_touches=[*OTHER, *sales_touches],
        nurture_enrollments=list(enrollments),
        **extra,
    )  # fmt: skip


def rows(frame: pl.LazyFrame, *cols: str) -> list[tuple]:
    return frame.select(cols).collect().rows()


# -- first touch: business hours across a public holiday and a weekend --------------------

# Thursday 2026-04-02 17:00 Berlin (15:00 UTC): 1 business hour on Thursday; Good Friday,
# the weekend and Easter Monday are closed; 3 more hours from Tuesday 08:00: the deadline
# is Tuesday 2026-04-07 11:00 Berlin = 09:00 UTC.
EASTER = [ev("a", "mql", "2026-04-02T15:00:00Z")]


@pytest.mark.parametrize(
    ("as_of", "status", "hours_left"),
    [
        ("2026-04-02T16:00:00Z", None, None),  # 65 h before the deadline: not yet at risk
        ("2026-04-07T05:00:00Z", "at_risk", 4.0),  # Tuesday 07:00 Berlin
        ("2026-04-07T09:00:00Z", "at_risk", 0.0),  # the last instant still in time
        ("2026-04-07T09:30:00Z", "overdue", -0.5),
    ],
)
def test_business_hours_deadline_across_holiday_and_weekend(as_of, status, hours_left):
    got = alerts(tables(EASTER), config=BUSINESS, as_of=at(as_of), within_hours=8)
    expected = [] if status is None else [("first_touch", status, "a", hours_left)]
    assert rows(got, "kind", "status", "lead_id", "hours_left") == expected
    if status:
        deadline, local = rows(got, "deadline_at", "deadline_local")[0]
        assert deadline == at("2026-04-07T09:00:00Z")
        assert (local.hour, local.minute, str(local.tzinfo)) == (11, 0, "Europe/Berlin")


def test_a_touched_episode_raises_no_first_touch_alert():
    t = tables(EASTER, touches("a", "2026-04-07T08:59:00Z"))
    got = alerts(t, config=BUSINESS, as_of=at("2026-04-07T12:00:00Z"))
    assert rows(got, "kind") == [("cadence",)]  # only the next attempt is due


def test_calendar_line_and_the_row_of_an_alert():
    t = tables([ev("a", "mql", "2026-10-02T15:00:00Z")])
    got = alerts(t, config=CFG, as_of=at("2026-10-03T09:00:00Z")).collect()
    assert got.columns == list(ALERT_COLUMNS)
    row = got.row(0, named=True)
    assert row | {"deadline_local": None} == {
        "kind": "first_touch", "status": "at_risk", "lead_id": "a", "episode": 1,
        "company": "Muster GmbH", "rep_id": "r1", "rep_name": "Rita", "team": "sdr",
        "started_at": at("2026-10-02T15:00:00Z"), "deadline_at": at("2026-10-03T15:00:00Z"),
        "deadline_local": None, "hours_left": 6.0, "attempts": 0, "attempts_due": 1,
        "line_hours": 24.0, "clock": "calendar", "track": None,
    }  # fmt: skip


def test_the_episode_line_decides_the_deadline():
    line = HandoffLine(name="Demo", trigger="demo_request", first_touch_hours=1)
    cfg = CFG.model_copy(update={"handoff": CFG.handoff.model_copy(update={"lines": [line]})})
    t = tables(
        [
            ev("a", "mql", "2026-10-02T08:00:00Z", trigger="demo_request"),
            ev("b", "mql", "2026-10-02T08:00:00Z", trigger="score_threshold"),
        ]
    )
    got = alerts(t, config=cfg, as_of=at("2026-10-02T10:00:00Z"), within_hours=1)
    assert rows(got, "lead_id", "status", "hours_left", "line_hours") == [
        ("a", "overdue", -1.0, 1.0)
    ]


# -- alerts agree with the review -----------------------------------------------------


def test_an_episode_alerted_overdue_is_judged_missed_by_the_review():
    events = [
        ev("a", "mql", "2026-04-02T15:00:00Z"),  # overdue at as_of, never touched
        ev("b", "mql", "2026-04-07T08:00:00Z"),  # pending: due at 10:00 UTC + 2 h
        ev("c", "mql", "2026-04-01T08:00:00Z"),  # touched in time
        ev("d", "mql", "2026-04-01T08:00:00Z"),  # closed (disqualified) untouched: no alert
        ev("d", "disqualified", "2026-04-01T09:00:00Z"),
    ]
    # the leads created in April: the review's April has its MQLs (the data reaches it)
    t = tables(events, touches("c", "2026-04-01T09:00:00Z"), created="2026-04-01T07:00:00Z")
    as_of = at("2026-04-07T09:30:00Z")
    got = alerts(t, config=BUSINESS, as_of=as_of, within_hours=8, kinds=["first_touch"]).collect()
    assert rows(got.lazy(), "lead_id", "status") == [("a", "overdue"), ("b", "at_risk")]
    review = build_review(t, BUSINESS, month="2026-04", as_of=as_of)
    verdict = dict(review.speed_to_lead.select("lead_id", "status").iter_rows())
    assert verdict == {"a": "missed", "b": "pending", "c": "met", "d": "missed"}
    for lead in got.filter(pl.col("status") == "overdue")["lead_id"]:
        assert verdict[lead] == "missed"


# -- cadence behind schedule ------------------------------------------------------------

# 6 attempts in 14 days: one due every 56 h. MQL 2026-10-01 00:00; attempts at 01:00 and
# 03:00 count as one (4 h gap), so attempt 2 is due at 112 h: 2026-10-05 16:00 UTC.
CADENCE = [ev("a", "mql", "2026-10-01T00:00:00Z")]
TRIED = touches("a", "2026-10-01T01:00:00Z", "2026-10-01T03:00:00Z")


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        ("2026-10-05T06:00:00Z", []),
        ("2026-10-05T10:00:00Z", [("cadence", "at_risk", 6.0, 1, 2)]),
        ("2026-10-05T17:00:00Z", [("cadence", "overdue", -1.0, 1, 2)]),
    ],
)
def test_cadence_behind_schedule(as_of, expected):
    got = alerts(tables(CADENCE, TRIED), config=CFG, as_of=at(as_of), within_hours=8)
    assert rows(got, "kind", "status", "hours_left", "attempts", "attempts_due") == expected


def test_cadence_of_a_reached_lead_or_a_closed_window_raises_nothing():
    reached = touches("a", "2026-10-01T01:00:00Z", outcome="connected")
    assert (
        alerts(tables(CADENCE, reached), config=CFG, as_of=at("2026-10-06T00:00:00Z"))
        .collect()
        .is_empty()
    )
    late = alerts(
        tables(CADENCE, TRIED), config=CFG, as_of=at("2026-10-15T01:00:00Z"), kinds=["cadence"]
    )
    assert late.collect().is_empty()  # the window closed: the review judges it now


# -- stale within N days ----------------------------------------------------------------

# 6 unanswered attempts, the last on 2026-10-10 12:00; stale 7 days later (10-17 12:00).
SIX = touches("a", *[f"2026-10-{d:02d}T12:00:00Z" for d in range(5, 11)])


@pytest.mark.parametrize(
    ("as_of", "days", "expected"),
    [
        ("2026-10-13T12:00:00Z", 3, []),  # stale in 4 days
        ("2026-10-15T12:00:00Z", 3, [("stale", "at_risk", 48.0, 6)]),
        ("2026-10-18T12:00:00Z", 3, [("stale", "overdue", -24.0, 6)]),
    ],
)
def test_stale_within_n_days(as_of, days, expected):
    got = alerts(
        tables(CADENCE, SIX), config=CFG, as_of=at(as_of), within_days=days, kinds=["stale"]
    )
    assert rows(got, "kind", "status", "hours_left", "attempts") == expected


def test_five_unanswered_attempts_never_go_stale():
    got = alerts(
        tables(CADENCE, SIX[:5]), config=CFG, as_of=at("2026-10-20T00:00:00Z"), kinds=["stale"]
    )
    assert got.collect().is_empty()


@pytest.mark.parametrize(
    ("stage", "as_of", "expected"),
    [
        # advanced without an sql event (an export skipping the stage): never going stale
        ("opportunity", "2026-10-15T12:00:00Z", []),
        ("opportunity", "2026-10-18T12:00:00Z", []),
        ("customer", "2026-10-18T12:00:00Z", []),
        # accepted is not advanced: still sales' to work
        ("sal", "2026-10-15T12:00:00Z", [("stale", "at_risk")]),
        ("sal", "2026-10-18T12:00:00Z", [("stale", "overdue")]),
    ],
)
def test_a_lead_advanced_without_an_sql_does_not_go_stale(stage, as_of, expected):
    events = [*CADENCE, ev("a", stage, "2026-10-12T09:00:00Z")]
    got = alerts(tables(events, SIX), config=CFG, as_of=at(as_of), within_days=3, kinds=["stale"])
    assert rows(got, "kind", "status") == expected


# -- recycled leads not yet in nurture -------------------------------------------------

RECYCLED = [ev("a", "mql", "2026-09-01T00:00:00Z"), ev("a", "recycled", "2026-10-01T00:00:00Z")]
ENROLLED_Z = [{"enrollment_id": "e0", "lead_id": "z", "track": "awareness-education",
               "enrolled_at": "2026-01-06T00:00:00Z"}]  # fmt: skip


@pytest.mark.parametrize(
    ("as_of", "enrolled", "expected"),
    [
        ("2026-10-02T00:00:00Z", False, [("nurture_enrolment", "at_risk", 24.0)]),
        ("2026-10-04T00:00:00Z", False, [("nurture_enrolment", "overdue", -24.0)]),
        ("2026-10-04T00:00:00Z", True, []),
    ],
)
def test_nurture_enrolment_deadline(as_of, enrolled, expected):
    mine = [{"enrollment_id": "e1", "lead_id": "a", "track": "recycled-reengagement",
             "enrolled_at": "2026-10-01T06:00:00Z"}] if enrolled else []  # fmt: skip
    t = tables(RECYCLED, enrollments=[*ENROLLED_Z, *mine])
    got = alerts(t, config=CFG, as_of=at(as_of), kinds=["nurture_enrolment"])
    assert rows(got, "kind", "status", "hours_left") == expected


# -- coverage -----------------------------------------------------------------------------


def test_no_touches_table_means_no_touch_alerts_not_everything_overdue():
    t = Tables.from_rows(
        leads=[{"lead_id": "a", "created_at": "2026-01-01T00:00:00Z", "source": "email"}],
        lifecycle_events=[ev("a", "mql", "2026-10-01T00:00:00Z")],
    )
    as_of = at("2026-10-20T00:00:00Z")
    assert alert_coverage(t, as_of=as_of) == {
        "first_touch": "sales_touches", "cadence": "sales_touches", "stale": "sales_touches",
        "nurture_enrolment": "nurture_enrollments",
    }  # fmt: skip
    assert alerts(t, config=CFG, as_of=as_of).collect().is_empty()


def test_nothing_judged_counts_null_and_a_kind_not_judged_is_null_per_rep():
    # no touches, no enrollments: no kind can be judged, so no count is 0
    bare = Tables.from_rows(
        leads=[{"lead_id": "a", "created_at": "2026-01-01T00:00:00Z", "source": "email"}],
        lifecycle_events=[ev("a", "mql", "2026-10-01T00:00:00Z")],
    )
    now = at_risk_now(bare, config=CFG, as_of=at("2026-10-20T00:00:00Z"))
    assert now["counts"] == {"overdue": None, "at_risk": None}
    assert now["by_rep"].is_empty()
    # touches but no enrollments: first touches are counted, nurture enrolments are null;
    # no recycled event either: stale leads are null too (the review cannot measure them)
    events = [ev("a", "mql", "2026-10-02T15:00:00Z"), ev("b", "mql", "2026-10-01T00:00:00Z")]
    now = at_risk_now(
        tables(events, owners={"b": "r2"}), config=CFG, as_of=at("2026-10-03T09:00:00Z")
    )
    assert now["missing"] == {
        "stale": "lifecycle_events", "nurture_enrolment": "nurture_enrollments"
    }  # fmt: skip
    assert now["counts"] == {"overdue": 1, "at_risk": 1}
    assert now["by_rep"].select("rep_id", "first_touch", "stale", "nurture_enrolment").rows() == [
        ("r2", 1, None, None),
        ("r1", 1, None, None),
    ]
    assert alert_counts(now["alerts"], missing={}) == {"overdue": 1, "at_risk": 1}
    with pytest.raises(ValueError, match="unknown alert kind"):
        alerts_by_rep(now["alerts"].lazy(), unknown=["nurture"])


def test_counts_per_rep():
    events = [ev("a", "mql", "2026-10-02T15:00:00Z"), ev("b", "mql", "2026-10-01T00:00:00Z")]
    t = tables(events, owners={"b": "r2"})
    got = alerts(t, config=CFG, as_of=at("2026-10-03T09:00:00Z"))
    assert rows(alerts_by_rep(got), "rep_id", "overdue", "at_risk", "first_touch") == [
        ("r2", 1, 0, 1),
        ("r1", 0, 1, 1),
    ]


@pytest.mark.parametrize(
    ("reps", "shown"),
    [([{"rep_id": "r1", "name": "Rita"}, {"rep_id": "r2", "name": "Ralf"}], ["Ralf", "Rita"]),
     # an export that only knows ids (or writes the id as the name): numbered as every page
     # numbers them (analytics.coverage.rep_display_names), not the id itself
     ([{"rep_id": "r1", "name": "r1"}, {"rep_id": "r2", "name": None}], ["Rep 2", "Rep 1"])],
)  # fmt: skip
def test_reps_are_named_as_on_every_page(reps, shown):
    events = [ev("a", "mql", "2026-10-02T15:00:00Z"), ev("b", "mql", "2026-10-01T00:00:00Z")]
    t = tables(events, owners={"b": "r2"})
    t = dataclasses.replace(t, reps=Tables.from_rows(reps=reps).reps)
    got = alerts(t, config=CFG, as_of=at("2026-10-03T09:00:00Z"))
    assert rows(alerts_by_rep(got), "rep_name") == [(name,) for name in shown]
    named = dict(rep_display_names(t.reps).select("rep_id", "name").collect().iter_rows())
    assert [named[r] for r in ("r2", "r1")] == shown  # the names the review shows


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="unknown alert kind"):
        alerts(tables(CADENCE), config=CFG, as_of=at("2026-10-03T00:00:00Z"), kinds=["calls"])


# -- sla alerts -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def alert_db(tmp_path_factory):
    from analytics.warehouse import write_tables

    t = tables(
        [ev("a", "mql", "2026-10-02T15:00:00Z"), *RECYCLED[1:]],
        enrollments=ENROLLED_Z,
    )
    db = tmp_path_factory.mktemp("alerts") / "w.duckdb"
    write_tables(db, {name: lf.collect() for name, lf in t.items()}, source="test", config=CFG)
    return db


def test_sla_alerts_json(alert_db):
    import json

    from typer.testing import CliRunner

    from analytics.cli import app

    args = ["alerts", "--db", str(alert_db), "--as-of", "2026-10-03T09:00:00Z", "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["as_of"] == "2026-10-03T09:00:00Z"
    assert doc["counts"] == {"overdue": 1, "at_risk": 1}
    assert [(r["kind"], r["status"], r["lead_id"]) for r in doc["alerts"]] == [
        ("nurture_enrolment", "overdue", "a"),
        ("first_touch", "at_risk", "a"),
    ]
    first = doc["alerts"][1]
    assert first["deadline_local"] == "2026-10-03T17:00+02:00"
    assert first["todo"] == "First touch by 2026-10-03 17:00 CEST"
    assert [(r["rep_id"], r["overdue"], r["at_risk"]) for r in doc["by_rep"]] == [("r1", 1, 1)]


@pytest.fixture(scope="module")
def untouched_db(tmp_path_factory):
    """Leads and lifecycle events only: no kind of alert can be judged."""
    from analytics.warehouse import write_tables

    t = tables([ev("a", "mql", "2026-10-02T15:00:00Z")])
    names = ("reps", "accounts", "leads", "lifecycle_events")
    db = tmp_path_factory.mktemp("untouched") / "w.duckdb"
    write_tables(db, {n: getattr(t, n).collect() for n in names}, source="test", config=CFG)
    return db


def test_sla_alerts_counts_nothing_when_no_kind_can_be_judged(untouched_db):
    import json

    from typer.testing import CliRunner

    from analytics.cli import app

    args = ["alerts", "--db", str(untouched_db), "--as-of", "2026-10-03T09:00:00Z"]
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["counts"] == {"overdue": None, "at_risk": None}
    assert (doc["by_rep"], doc["alerts"]) == ([], [])
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "At risk now (2026-10-03T09:00:00Z): - overdue, - at risk",
        "No kind of alert can be judged: the sales_touches, nurture_enrollments tables have no "
        "rows, so nothing is known to be overdue, at risk or in time (import them to be warned).",
    ]


#: The latest import (Saturday 3 October, 11:00 in Berlin): MQL "a" the day before is known;
#: every sales touch is dated a year after the import (a mistyped year); no enrolment at all.
IMPORTED = at("2026-10-03T09:00:00Z")
AHEAD = dataclasses.replace(
    Tables.from_rows(
        reps=REPS,
        leads=[{"lead_id": "a", "created_at": "2026-10-01T00:00:00Z", "source": "email",
                "owner_rep_id": "r1"}],
        lifecycle_events=[ev("a", "mql", "2026-10-02T15:00:00Z")],
        sales_touches=touches("a", "2027-10-02T16:00:00Z", "2027-10-05T09:00:00Z"),
    ),
    loaded_at=IMPORTED,
)  # fmt: skip
NONE_JUDGED_AHEAD = {
    "en": [
        "No kind of alert can be judged: the sales_touches rows are all dated after the latest "
        "import (2026-10-03 09:00 UTC), so nothing is known to be overdue, at risk or in time "
        "(the data counts as known only until the import: a mistyped year?).",
        "No “Nurture enrolment” alerts: the nurture_enrollments table has no rows (import it "
        "to be warned)",
    ],
    "de": [
        "Keine Art von Warnung lässt sich beurteilen: die Zeilen von sales_touches sind alle "
        "nach dem letzten Import (03.10.2026 09:00 UTC) datiert, also ist nichts als "
        "überfällig, gefährdet oder rechtzeitig bekannt (die Daten gelten nur bis zum Import "
        "als bekannt: ein vertipptes Jahr?).",
        "Keine Warnungen der Art „Aufnahme ins Nurturing“: die Tabelle nurture_enrollments ist "
        "leer (importieren, um gewarnt zu werden)",
    ],
}  # fmt: skip


@pytest.mark.parametrize("lang", ["en", "de"])
def test_touches_all_dated_after_the_import_are_named_not_to_be_imported(lang):
    """Every sales touch dated after the import: the alerts said "the sales_touches,
    nurture_enrollments tables have no rows (import them)". Re-audit (a), M1."""
    from analytics.alerts import none_judged_lines, not_judged_lines

    now = at_risk_now(AHEAD, config=CFG, as_of=IMPORTED)
    assert now["counts"] == {"overdue": None, "at_risk": None}
    assert now["missing"]["first_touch"] == "sales_touches"  # the JSON's key, as before
    assert now["after_import"] == {"sales_touches": IMPORTED}
    lines = none_judged_lines(
        now["missing"], stopped=now["touches_stopped"], after_import=now["after_import"],
        lang=lang,
    )  # fmt: skip
    assert lines == NONE_JUDGED_AHEAD[lang]
    # one line a kind (the At risk page, the notes of `sla alerts`)
    per_kind = not_judged_lines(now["missing"], stopped=None, after_import=now["after_import"],
                                lang=lang)  # fmt: skip
    first = {
        "en": "No “First touch” alerts: the sales_touches rows are all dated after the latest "
              "import (2026-10-03 09:00 UTC), and the data counts as known only until the "
              "import (a mistyped year?)",
        "de": "Keine Warnungen der Art „Erstkontakt“: die Zeilen von sales_touches sind alle "
              "nach dem letzten Import (03.10.2026 09:00 UTC) datiert, und die Daten gelten "
              "nur bis zum Import als bekannt (ein vertipptes Jahr?)",
    }[lang]  # fmt: skip
    assert (len(per_kind), per_kind[0], per_kind[-1]) == (4, first, NONE_JUDGED_AHEAD[lang][1])


@pytest.mark.parametrize(
    ("as_of", "after_import"),
    [
        (IMPORTED, {"sales_touches": IMPORTED}),
        (at("2026-10-20T09:00:00Z"), {"sales_touches": IMPORTED}),  # `--as-of now`
        # before the import: the touches may well be older than it, and are not named so
        (at("2026-10-02T18:00:00Z"), {}),
    ],
)
def test_only_tables_whose_rows_all_follow_the_import_are_named(as_of, after_import):
    from analytics.alerts import dated_after_import

    missing = {"first_touch": "sales_touches", "nurture_enrolment": "nurture_enrollments"}
    assert dated_after_import(AHEAD, missing, as_of=as_of) == after_import
    # a touch known at the import: the table is judged, nothing to name
    known = dataclasses.replace(
        tables([ev("a", "mql", "2026-10-02T15:00:00Z")]), loaded_at=IMPORTED
    )
    assert dated_after_import(known, missing, as_of=as_of) == {}


def test_sla_alerts_names_the_touches_dated_after_the_import(tmp_path):
    import json

    from typer.testing import CliRunner

    from analytics.cli import app
    from analytics.warehouse import write_tables
    from analytics.warehouse.database import connect_readonly
    from analytics.warehouse.facts import last_import

    ahead = Tables.from_rows(
        lifecycle_events=[ev("a", "mql", "2026-10-02T15:00:00Z")],
        sales_touches=touches("a", "2099-10-02T16:00:00Z"),
    )
    db = tmp_path / "w.duckdb"
    write_tables(db, {n: lf.collect() for n, lf in ahead.items()}, source="test", config=CFG)
    con = connect_readonly(db)
    try:
        imported = last_import(con).astimezone(UTC)
    finally:
        con.close()
    result = CliRunner().invoke(app, ["alerts", "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    stamp = imported.replace(microsecond=0, tzinfo=None).isoformat() + "Z"
    assert (doc["as_of"], doc["after_import"]) == (stamp, {"sales_touches": stamp})
    assert doc["missing"]["first_touch"] == "sales_touches"
    result = CliRunner().invoke(app, ["alerts", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"At risk now ({stamp}): - overdue, - at risk",
        "No kind of alert can be judged: the sales_touches rows are all dated after the latest "
        f"import ({imported:%Y-%m-%d %H:%M} UTC), so nothing is known to be overdue, at risk or "
        "in time (the data counts as known only until the import: a mistyped year?).",
        "No “Nurture enrolment” alerts: the nurture_enrollments table has no rows (import it "
        "to be warned)",
    ]


def test_sla_alerts_per_rep_is_null_for_a_kind_it_cannot_judge(tmp_path):
    import json

    from typer.testing import CliRunner

    from analytics.cli import app
    from analytics.warehouse import write_tables

    t = tables([ev("a", "mql", "2026-10-02T15:00:00Z")])  # touches, no enrollments
    db = tmp_path / "w.duckdb"
    write_tables(db, {n: lf.collect() for n, lf in t.items()}, source="test", config=CFG)
    args = ["alerts", "--db", str(db), "--as-of", "2026-10-03T09:00:00Z", "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["counts"] == {"overdue": 0, "at_risk": 1}  # the kinds it can judge: counted
    assert [(r["rep_id"], r["first_touch"], r["nurture_enrolment"]) for r in doc["by_rep"]] == [
        ("r1", 1, None)
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--as-of", "yesterday"], "--as-of"), (["--within", "-1"], "--within")],
)
def test_sla_alerts_bad_options_exit_2(alert_db, args, message):
    from typer.testing import CliRunner

    from analytics.cli import app

    result = CliRunner().invoke(app, ["alerts", "--db", str(alert_db), *args])
    assert result.exit_code == 2
    assert message in result.output


def test_sla_alerts_defaults_are_the_librarys_and_the_stored_ones():
    """`sla alerts` declares its horizons without importing polars (a lean start); they must
    stay the library's defaults, which are also the horizons stored at import."""
    import inspect

    from analytics.alerts import DEFAULT_WITHIN_DAYS, DEFAULT_WITHIN_HOURS
    from analytics.cli import alerts_command

    defaults = inspect.signature(alerts_command).parameters
    assert defaults["within"].default == DEFAULT_WITHIN_HOURS
    assert defaults["within_days"].default == DEFAULT_WITHIN_DAYS


@pytest.fixture(scope="module")
def demo_tables():
    from analytics.demo import generate_demo

    demo = generate_demo(CFG, leads=2_000, seed=3, end=datetime(2026, 11, 1, tzinfo=UTC))
    return Tables.from_frames(**demo).collect()


@pytest.mark.parametrize("partitions", [2, 5])
@pytest.mark.parametrize("as_of", [at("2026-10-31T22:00"), at("2026-10-14T10:30")])
def test_alerts_in_parts_of_leads_are_those_of_one_part(demo_tables, partitions, as_of):
    """The stored At risk page raises the alerts in parts of leads (the memory of one part
    at 10M): the same alerts in the same order, and the same counts per rep."""
    whole = at_risk_now(demo_tables, config=CFG, as_of=as_of, partitions=1)
    parts = at_risk_now(demo_tables, config=CFG, as_of=as_of, partitions=partitions)
    assert whole["alerts"].height >= 5
    assert whole["alerts"]["kind"].n_unique() >= 2
    assert_frame_equal(parts["alerts"], whole["alerts"], check_exact=True)
    assert_frame_equal(parts["by_rep"], whole["by_rep"], check_exact=True)
    assert parts["missing"] == whole["missing"]


# -- touches that stop: no verdict after them --------------------------------------------

# Touches recorded until Friday 20 November (lead z); MQL b on 19 November and MQL a on
# 30 November, both untouched. On 4 December nothing was touched for ten working days:
# the touches stopped (an export without them), and whether a or b was contacted the data
# cannot tell.
GAP = Tables.from_rows(
    reps=REPS,
    leads=[{"lead_id": k, "created_at": "2026-11-01T00:00:00Z", "source": "email",
            "owner_rep_id": "r1"} for k in ("a", "b", "z")],
    lifecycle_events=[ev("b", "mql", "2026-11-19T09:00:00Z"),
                      ev("a", "mql", "2026-11-30T09:00:00Z")],
    sales_touches=touches("z", "2026-11-02T10:00:00Z", "2026-11-20T16:00:00Z", outcome="connected"),
)  # fmt: skip
GAP_AS_OF = at("2026-12-04T08:00:00Z")


def test_touches_that_stopped_raise_no_touch_alert_and_say_since_when():
    from datetime import date

    now = at_risk_now(GAP, config=CFG, as_of=GAP_AS_OF)
    assert now["alerts"].height == 0
    assert now["touches_stopped"] == date(2026, 11, 20)
    assert now["counts"] == {"overdue": None, "at_risk": None}  # nothing judged: no verdict
    assert now["missing"]["first_touch"] == "sales_touches"


@pytest.mark.parametrize(
    ("last_touch", "as_of", "stopped"),
    [
        ("2026-12-04T15:00:00Z", "2026-12-07T07:00:00Z", False),  # Friday -> Monday: a weekend
        ("2026-12-03T15:00:00Z", "2026-12-08T07:00:00Z", False),  # Thu -> Tue: Fri, Mon idle
        ("2026-12-02T15:00:00Z", "2026-12-08T07:00:00Z", True),  # Wed -> Tue: 3 working days
        ("2026-11-20T16:00:00Z", "2026-12-04T08:00:00Z", True),
    ],
)
def test_a_weekend_without_touches_is_no_gap(last_touch, as_of, stopped):
    """A Saturday MQL is overdue on Monday morning: the rule of the last round (no alert for
    an episode after the day of the last touch) silenced every Monday's alerts."""
    t = Tables.from_rows(
        reps=REPS,
        leads=[{"lead_id": k, "created_at": "2026-11-01T00:00:00Z", "source": "email",
                "owner_rep_id": "r1"} for k in ("a", "z")],
        # an MQL 45 hours before: on a Monday 07:00, the Saturday's (its 24 h line passed)
        lifecycle_events=[ev("a", "mql", (at(as_of) - timedelta(hours=45)).isoformat())],
        sales_touches=touches("z", last_touch, outcome="connected"),
    )  # fmt: skip
    now = at_risk_now(t, config=CFG, as_of=at(as_of))
    assert (now["touches_stopped"] is not None) is stopped
    kinds = set(now["alerts"]["kind"])
    assert ("first_touch" in kinds) is not stopped


def test_sla_alerts_says_since_when_the_touches_stopped(tmp_path):
    import json

    from typer.testing import CliRunner

    from analytics.cli import app
    from analytics.warehouse import write_tables

    db = tmp_path / "w.duckdb"
    write_tables(db, {n: lf.collect() for n, lf in GAP.items()}, source="test", config=CFG)
    args = ["alerts", "--db", str(db), "--as-of", "2026-12-04T08:00:00Z"]
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert (doc["touches_stopped"], doc["counts"]) == (
        "2026-11-20",
        {"overdue": None, "at_risk": None},
    )
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "No first-touch, cadence or stale alerts: the last sales touch recorded is from " in said
    assert "2026-11-20, and none since on 3 or more working days" in said
