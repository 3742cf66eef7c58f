"""The month's review: build_review on a hand-computed world, its JSON, and `sla review`."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime

import polars as pl
import pytest
from review_support import assert_same_review, daily_touches
from typer.testing import CliRunner

import analytics.review as review_module
from analytics.cli import app
from analytics.config import Reporting, load_config
from analytics.episodes import episodes_to_store
from analytics.review import build_review
from analytics.schema import TABLES
from analytics.sla_versions import with_settings
from analytics.tables import Tables
from analytics.timeframe import TimeframeError

CFG = load_config("data/sla.toml")
AS_OF = datetime(2026, 10, 31, tzinfo=UTC)
runner = CliRunner()


def ev(lead, stage, at, **kw):
    return {"lead_id": lead, "stage": stage, "entered_at": at, **kw}


def touch(tid, lead, at, channel="phone", outcome="no_answer", rep="r1"):
    return {"touch_id": tid, "lead_id": lead, "rep_id": rep, "occurred_at": at,
            "channel": channel, "outcome": outcome}  # fmt: skip


def lead(lid, created, source, owner=None):
    return {"lead_id": lid, "created_at": created, "source": source, "owner_rep_id": owner}


WORLD = Tables.from_rows(
    reps=[
        {"rep_id": "r1", "name": "Rita", "team": "sdr"},
        {"rep_id": "r2", "name": "Ralf", "team": "ae"},
    ],
    leads=[
        lead("L1", "2026-10-01T08:00:00Z", "email", "r1"),
        lead("L2", "2026-10-02T08:00:00Z", "paid_search", "r2"),
        lead("L3", "2026-09-15T08:00:00Z", "email", "r1"),
        lead("L4", "2026-10-20T08:00:00Z", "event", "r2"),  # no events at all
        lead("L5", "2026-08-10T08:00:00Z", "event", "r2"),  # August: a lead, no MQL
    ],
    lifecycle_events=[
        ev("L1", "mql", "2026-10-01T09:00:00Z", trigger="score_threshold"),
        ev("L1", "sal", "2026-10-01T15:00:00Z"),
        ev("L1", "sql", "2026-10-03T09:00:00Z"),
        ev("L1", "opportunity", "2026-10-05T09:00:00Z"),
        ev("L1", "customer", "2026-10-20T09:00:00Z"),
        ev("L2", "mql", "2026-10-02T09:00:00Z", trigger="demo_request"),
        ev("L2", "recycled", "2026-10-06T09:00:00Z", reason="no answer", actor_rep_id="r2"),
        ev("L2", "mql", "2026-10-20T09:00:00Z", trigger="score_threshold"),
        ev("L3", "mql", "2026-09-20T09:00:00Z"),
        ev("L3", "mql", "2026-10-02T09:00:00Z"),  # inside L3's open episode: starts nothing
        ev("L3", "disqualified", "2026-10-04T09:00:00Z", reason="student"),
    ],
    sales_touches=[
        touch("T1", "L1", "2026-10-01T10:00:00Z", outcome="connected"),
        touch("T2", "L2", "2026-10-02T12:00:00Z", rep="r2"),
        touch("T3", "L2", "2026-10-03T12:00:00Z", channel="email", rep="r2"),
        touch("T4", "L3", "2026-09-21T09:00:00Z"),
        # sales keeps working (L4 has no MQL): the touches are tracked until as_of
        *daily_touches("L4", "2026-10-20", "2026-10-30", rep="r2"),
    ],
    opportunities=[
        {
            "opportunity_id": "O1",
            "lead_id": "L1",
            "created_at": "2026-10-05T09:00:00Z",
            "closed_at": "2026-10-20T09:00:00Z",
            "amount": 40000.0,
            "status": "won",
        },
    ],
    web_traffic=[
        {"date": "2026-10-01", "source": "email", "visitors": 500},
        {"date": "2026-10-02", "source": "paid_search", "visitors": 300},
    ],
    nurture_enrollments=[
        {
            "enrollment_id": "E1",
            "lead_id": "L2",
            "track": "recycled-reengagement",
            "enrolled_at": "2026-10-07T09:00:00Z",
            "triggered_by": "auto",
        },
    ],
)

# Worked out by hand for October 2026 as of 31 Oct 00:00 UTC:
# volumes: visitors 500 + 300; leads L1, L2, L4; MQLs L1, L2 and L3 (its second mql event
#   is in October even though it opens no episode); sal/sql/opportunity/customer L1;
#   recycled L2; disqualified L3; O1 won on 20 Oct for 40,000.
# rates: 3/800, 3/3, 1/3, 1/1, 1/1.
# episodes of October: L1#1 (1 Oct), L2#1 (2 Oct), L2#2 (20 Oct); L3's began in September.
# handoff: L1 touched after 1 h (met), L2#1 after 3 h (met), L2#2 never, 255 h by as_of
#   (missed) -> 2 / 3, median of [1, 3] = 2.
# cadence: L1 reached (held); L2#1 recycled after 2 attempts (judged, not held); L2#2's
#   14-day window is open and it has not ended (not judged) -> 1 / 2; attempts (1+2+0)/3.
# recycling: 1 recycled lead; L2#1's recycle came after 2 unanswered attempts: premature;
#   no open episode has 6 unanswered attempts: 0 stale.
EXPECTED = {
    "month": "2026-10",
    "as_of": "2026-10-31T00:00:00Z",
    "volumes": {
        "visitors": 800, "leads": 3, "mqls": 3, "sals": 1, "sqls": 1, "opportunities": 1,
        "recycled": 1, "disqualified": 1, "deals_won": 1, "won_revenue": 40000.0,
    },
    "conversion": {
        "visitor_to_lead": 3 / 800, "lead_to_mql": 1.0, "mql_to_sql": 1 / 3,
        "sql_to_opportunity": 1.0, "opportunity_to_won": 1.0,
    },
    "handoff": {"met": 2, "missed": 1, "pending": 0, "compliance": 2 / 3,
                "median_hours_to_first_touch": 2.0},
    "cadence": {"judged": 2, "held": 1, "compliance": 0.5, "attempts_per_mql": 1.0},
    "recycling": {"recycled": 1, "premature": 1, "stale": 0},
}  # fmt: skip
SPEC_KEYS = ("month", "as_of", "volumes", "conversion", "handoff", "cadence", "recycling")


def spec_part(document: dict) -> dict:
    out = {k: document[k] for k in SPEC_KEYS}
    out["volumes"] = {k: document["volumes"][k] for k in EXPECTED["volumes"]}
    return out


def test_review_of_the_world_by_hand():
    review = build_review(WORLD, CFG, month="2026-10", as_of=AS_OF)
    doc = review.to_json_dict()
    assert spec_part(doc) == EXPECTED
    assert json.dumps(doc)  # serialisable as it is
    # extra keys: acceptance (L1 accepted after 6 h; L2#1 rejected), re-MQL (L2 came back)
    assert doc["acceptance"]["x"] == 1 and doc["acceptance"]["n"] == 3
    assert doc["acceptance"]["median_hours_to_accept"] == 6.0
    assert (doc["nurture"]["remql"]["x"], doc["nurture"]["remql"]["n"]) == (1, 1)
    assert doc["nurture"]["recycled_enrolled"]["in_time"] == 1  # enrolled a day later


def test_breach_lists_name_lead_rep_and_amount():
    review = build_review(WORLD, CFG, month="2026-10", as_of=AS_OF)
    handoff = review.breaches["handoff"]
    assert handoff.select("lead_id", "episode", "owner_rep_id", "hours_over").rows() == [
        ("L2", 2, "r2", 231.0)  # 255 h - 24 h
    ]
    premature = review.breaches["premature_recycles"]
    assert premature.select("lead_id", "rep_id", "attempts", "attempts_short").rows() == [
        ("L2", "r2", 2, 4)
    ]
    cadence = review.breaches["cadence"]
    assert cadence.select("lead_id", "owner_rep_id", "attempts_short").rows() == [("L2", "r2", 4)]
    assert review.breaches["never_contacted"]["lead_id"].to_list() == ["L2"]
    assert review.breaches["stale_leads"].height == 0


def test_kpis_of_the_world():
    review = build_review(WORLD, CFG, month="2026-10", as_of=AS_OF)
    kpis = {r["metric"]: r for r in review.kpis.iter_rows(named=True)}
    # as_of 31 Oct 00:00 UTC: October is running (day 31 has begun in UTC, 31 days), so
    # MQLs are judged against 700 x 31 / 31 and not compared with September
    assert (review.running, review.days_elapsed, review.days_in_month) == (True, 31, 31)
    # 3 MQLs against 700: missed
    assert (kpis["mqls"]["value"], kpis["mqls"]["previous"], kpis["mqls"]["status"]) == (
        3.0, None, "missed",
    )  # fmt: skip
    # handoff 2/3 against 0.90: missed
    assert kpis["handoff_compliance"]["previous"] is None
    assert kpis["handoff_compliance"]["status"] == "missed"
    assert kpis["handoff_compliance"]["reason"] is None
    assert kpis["premature_recycles"]["value"] == 1.0
    assert kpis["premature_recycles"]["status"] == "met"  # at most 5


def test_empty_warehouse():
    review = build_review(Tables.empty(), CFG, month="2026-10")
    doc = review.to_json_dict()
    assert doc["as_of"] is None
    # nothing was imported: nothing is measurable, every number is null, never 0
    assert set(doc["coverage"].values()) == {False}
    assert set(doc["volumes"].values()) == {None}
    assert set(doc["conversion"].values()) == {None}
    assert doc["handoff"] == {"met": None, "missed": None, "pending": None, "compliance": None,
                              "median_hours_to_first_touch": None}  # fmt: skip
    assert doc["cadence"] == dict.fromkeys(("judged", "held", "compliance", "attempts_per_mql"))
    assert doc["recycling"] == {"recycled": None, "premature": None, "stale": None}
    assert {k["status"] for k in doc["kpis"]} == {"no_data"}


def test_month_before_any_data():
    doc = build_review(WORLD, CFG, month="2020-01", as_of=AS_OF).to_json_dict()
    assert set(doc["volumes"].values()) == {None}  # before the data: unknown, not 0
    assert set(doc["conversion"].values()) == {None}
    assert doc["handoff"]["compliance"] is None


def test_month_with_leads_but_no_mql():
    t = Tables.from_rows(
        leads=[lead("K", "2026-07-01T09:00:00Z", "email"),
               lead("L", "2026-08-03T09:00:00Z", "web")],
        lifecycle_events=[ev("K", "mql", "2026-07-02T09:00:00Z"),
                          ev("K", "sql", "2026-09-02T09:00:00Z")],
        sales_touches=[touch("T", "K", "2026-07-02T10:00:00Z")],
    )  # fmt: skip
    doc = build_review(t, CFG, month="2026-08", as_of=AS_OF).to_json_dict()
    # L is August's only lead: lead_to_mql = 0 / 1 = 0 (a real zero); the rest is null
    assert doc["volumes"]["leads"] == 1 and doc["volumes"]["mqls"] == 0
    assert doc["conversion"]["lead_to_mql"] == 0.0
    assert doc["conversion"]["mql_to_sql"] is None
    # the sales touches end on 2 Jul: August's handoff is unknown, not 0 of 0
    assert doc["coverage"]["handoff"] is False
    assert set(doc["handoff"].values()) == {None}


def test_before_the_lifecycle_events_the_funnel_is_unknown():
    # WORLD's lifecycle events start in September: August's lead (L5) is not a funnel month
    doc = build_review(WORLD, CFG, month="2026-08", as_of=AS_OF).to_json_dict()
    assert doc["coverage"]["funnel"] is False
    assert doc["volumes"]["leads"] is None and doc["conversion"]["lead_to_mql"] is None


def test_stale_leads_are_not_the_advanced_nor_the_reached():
    # the audit's case "stale" (2026-12-06, H1): six MQLs of 2 Nov / 10 / 28 Nov, owner r1
    six = [f"2026-11-0{d}T10:00:00Z" for d in range(3, 9)]
    t = Tables.from_rows(
        reps=[{"rep_id": "r1", "name": "Rita", "team": "sdr"}],
        leads=[lead(f"S{i}", "2026-11-01T08:00:00Z", "email", "r1") for i in range(1, 7)],
        lifecycle_events=[
            ev("S1", "mql", "2026-11-02T10:00:00Z"),
            ev("S1", "opportunity", "2026-11-05T10:00:00Z"),  # advanced, no sql event
            ev("S2", "mql", "2026-11-02T10:00:00Z"),
            ev("S3", "mql", "2026-11-02T10:00:00Z"),
            ev("S4", "mql", "2026-11-02T10:00:00Z"),
            ev("S4", "customer", "2026-11-20T10:00:00Z"),  # won, no sql event
            ev("S5", "mql", "2026-11-28T10:00:00Z"),
            ev("S6", "mql", "2026-11-10T10:00:00Z"),
            ev("S6", "recycled", "2026-11-12T10:00:00Z"),
        ],
        sales_touches=[
            *(
                touch(f"{s}{i}", s, at)
                for s in ("S1", "S2", "S3", "S4")
                for i, at in enumerate(six)
            ),
            touch("S2x", "S2", "2026-11-02T11:00:00Z", outcome="connected"),  # reached once
            touch("S5a", "S5", "2026-11-30T12:00:00Z", outcome="connected"),
            touch("S6a", "S6", "2026-11-10T11:00:00Z", outcome="connected"),
        ],
    )
    review = build_review(t, CFG, month="2026-11", as_of=datetime(2026, 11, 30, 12, tzinfo=UTC))
    # by hand: S3 alone (6 unanswered, the last 22 days ago); S1 and S4 advanced, S2 reached
    assert review.breaches["stale_leads"]["lead_id"].to_list() == ["S3"]
    assert review.to_json_dict()["recycling"]["stale"] == 1


def test_events_after_as_of_are_ignored():
    early = datetime(2026, 10, 2, 10, tzinfo=UTC)
    doc = build_review(WORLD, CFG, month="2026-10", as_of=early).to_json_dict()
    # at 2 Oct 10:00: MQLs L1, L2, L3 so far; no sal yet (L1's is at 15:00 on 1 Oct: yes),
    # no sql; L2#1 waits for its 12:00 touch (1 h so far): pending. Not one sql event is
    # known yet, so the data cannot tell "no SQL" from "SQLs not recorded": unknown, not 0
    assert doc["as_of"] == "2026-10-02T10:00:00Z"
    volumes = doc["volumes"]
    assert (volumes["mqls"], volumes["sals"], volumes["sqls"]) == (3, 1, None)
    assert (doc["coverage"]["sql_stage"], doc["conversion"]["mql_to_sql"]) == (False, None)
    assert doc["volumes"]["leads"] == 2  # L4 arrives on 20 Oct
    assert doc["handoff"] == {"met": 1, "missed": 0, "pending": 1, "compliance": 1.0,
                              "median_hours_to_first_touch": 1.0}  # fmt: skip


def test_default_as_of_is_the_latest_timestamp():
    review = build_review(WORLD, CFG, month="2026-10")
    assert review.to_json_dict()["as_of"] == "2026-10-30T07:00:00Z"  # L4's last touch


def test_month_boundary_in_a_reporting_time_zone():
    berlin = CFG.model_copy(update={"reporting": Reporting(timezone="Europe/Berlin")})
    # 30 Sep 22:30 UTC is 1 Oct 00:30 in Berlin
    t = Tables.from_rows(
        leads=[
            lead("W", "2026-09-01T09:00:00Z", "email"),
            lead("X", "2026-09-30T22:00:00Z", "email"),
        ],
        lifecycle_events=[
            ev("W", "mql", "2026-09-01T10:00:00Z"),
            ev("X", "mql", "2026-09-30T22:30:00Z"),
        ],
        sales_touches=[touch("T", "Y", "2026-10-20T09:00:00Z")],  # touches tracked: X untouched
    )
    as_of = datetime(2026, 11, 1, tzinfo=UTC)
    sep_utc = build_review(t, CFG, month="2026-09", as_of=as_of).to_json_dict()
    oct_berlin = build_review(t, berlin, month="2026-10", as_of=as_of).to_json_dict()
    sep_berlin = build_review(t, berlin, month="2026-09", as_of=as_of).to_json_dict()
    assert sep_utc["volumes"]["mqls"] == 2
    assert (oct_berlin["volumes"]["mqls"], sep_berlin["volumes"]["mqls"]) == (1, 1)
    assert oct_berlin["handoff"]["missed"] == 1  # the episode belongs to Berlin's October


def test_segment_review():
    doc = build_review(
        WORLD, CFG, month="2026-10", as_of=AS_OF, segment={"source": "email"}
    ).to_json_dict()
    # email: L1 and L3; visitors of the email source only
    assert doc["segment"] == {"source": "email"}
    assert (doc["volumes"]["visitors"], doc["volumes"]["leads"], doc["volumes"]["mqls"]) == (
        500, 1, 2,
    )  # fmt: skip
    assert doc["handoff"]["met"] == 1 and doc["handoff"]["missed"] == 0
    owner = build_review(WORLD, CFG, month="2026-10", as_of=AS_OF, segment={"owner": "r2"})
    assert owner.volumes["visitors"] is None  # visitors split only by source
    assert owner.to_json_dict()["conversion"]["visitor_to_lead"] is None
    assert owner.volumes["mqls"] == 1
    # and why, not "nothing to measure this month (no cases)"; stale leads (a count of the
    # segment's leads) are not judged against the company's target
    kpis = {r["metric"]: r for r in owner.kpis.iter_rows(named=True)}
    visitors = "Visitors are anonymous and counted by source only: unknown for a segment by"
    for metric in ("visitor_to_lead",):
        assert kpis[metric]["status"] == "no_data"
        assert owner.kpi_reason(kpis[metric]).startswith(visitors)
        assert owner.metric_reason(metric).startswith(visitors)
    assert owner.kpi_reason(kpis["stale_leads"], lang="de") == (
        "Für ein Segment nicht bewertet: die SLA-Konfiguration setzt dafür kein Ziel."
    )
    email = build_review(WORLD, CFG, month="2026-10", as_of=AS_OF, segment={"source": "email"})
    assert email.metric_reason("visitor_to_lead") is None


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"month": "2026-13"}, TimeframeError, "month '2026-13' is not a calendar month"),
        ({"month": "2026-10", "segment": {"region": "x"}}, ValueError, "unknown segment 'region'"),
    ],
)
def test_bad_arguments_are_named(kwargs, error, match):
    with pytest.raises(error, match=match):
        build_review(WORLD, CFG, **kwargs)


# -- the command line ---------------------------------------------------------------


@pytest.fixture(scope="module")
def world_db(tmp_path_factory):
    from analytics.warehouse import write_tables

    path = tmp_path_factory.mktemp("review") / "world.duckdb"
    frames = dict(zip([n for n, _ in WORLD.items()], WORLD.collect().items(), strict=True))
    write_tables(path, {name: lf.collect() for name, (_, lf) in frames.items()}, source="test")
    return path


def test_sla_review_json_equals_the_expected_document(world_db):
    res = runner.invoke(
        app,
        ["review", "--db", str(world_db), "--config", "data/sla.toml", "--month", "2026-10",
         "--as-of", "2026-10-31T01:00:00+01:00", "--json"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert spec_part(doc) == EXPECTED


def test_sla_review_human_readable(world_db):
    res = runner.invoke(
        app, ["review", "--db", str(world_db), "--month", "2026-10", "--as-of", "2026-10-31"]
    )
    assert res.exit_code == 0, res.output
    assert "SLA review 2026-10" in res.stdout
    assert "2 / 1 / 0" in res.stdout  # met / missed / pending
    assert "KPIs" in res.stdout


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--month", "2026-13"], "--month: month '2026-13' is not a calendar month"),
        (["--month", "10/2026"], "--month: month '10/2026'"),
        (["--month", "2026-10", "--as-of", "yesterday"], "--as-of: 'yesterday' is not an ISO"),
    ],
)
def test_sla_review_bad_input_exits_2_naming_the_option(world_db, args, needle):
    res = runner.invoke(app, ["review", "--db", str(world_db), *args])
    assert res.exit_code == 2
    assert needle in res.stderr
    assert "Traceback" not in res.stderr


def test_sla_review_does_not_import_scikit_learn(world_db):
    code = (
        "import sys\n"
        "from analytics.cli import app\n"
        "try:\n"
        f"    app(['review', '--db', {str(world_db)!r}, '--month', '2026-10', '--json'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('SKLEARN' if 'sklearn' in sys.modules else 'CLEAN', file=sys.stderr)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.stderr.strip().endswith("CLEAN"), proc.stderr
    assert json.loads(proc.stdout)["month"] == "2026-10"


def test_review_frames_are_dataframes():
    review = build_review(WORLD, CFG, month="2026-10", as_of=AS_OF)
    for name in ("conversion", "cohorts", "velocity", "speed_to_lead", "handoff_by_rep",
                 "cadence_episodes", "channel_mix", "pacing", "targets", "kpis"):  # fmt: skip
        assert isinstance(getattr(review, name), pl.DataFrame), name
    assert review.speed_to_lead.height == 3


def test_premature_recycle_ties_are_listed_by_lead_then_episode():
    # two leads recycled twice in October without a single attempt: all 6 attempts short
    events = [
        ev(lid, stage, f"2026-10-{day:02d}T09:00:00Z")
        for lid in ("B", "A")
        for stage, day in (("mql", 12), ("recycled", 13), ("mql", 2), ("recycled", 3))
    ]
    t = Tables.from_rows(
        leads=[lead(lid, "2026-10-01T08:00:00Z", "email", "r1") for lid in ("B", "A")],
        lifecycle_events=events,
        sales_touches=daily_touches("Z", "2026-10-01", "2026-10-30"),  # touches are tracked
    )
    premature = build_review(t, CFG, month="2026-10", as_of=AS_OF).breaches["premature_recycles"]
    assert premature.select("lead_id", "episode", "attempts_short").rows() == [
        ("A", 1, 6), ("A", 2, 6), ("B", 1, 6), ("B", 2, 6),
    ]  # fmt: skip


#: The review's detail frames whose row order is part of their contract (the per-episode
#: frames ``speed_to_lead`` and ``cadence_episodes`` have none).
ORDERED_FRAMES = (
    "conversion", "cohorts", "velocity", "skipped_stages", "handoff_by_rep", "handoff_by_team",
    "handoff_by_week", "rejection_reasons", "cadence_by_rep", "channel_mix", "gaps_by_rep",
    "stall_reasons", "recycled_enrollment", "nurture_enrollments", "nurture_exits",
    "nurture_progression", "sales_triggered", "unknown_tracks", "targets", "pacing", "kpis",
)  # fmt: skip


@pytest.fixture(scope="module")
def demo_tables() -> Tables:
    from analytics.demo import generate_demo

    frames = generate_demo(CFG, leads=3000, seed=11, end=datetime(2026, 11, 1, tzinfo=UTC))
    return Tables.from_frames(**frames)


@pytest.fixture(scope="module")
def whole_history_reviews():
    """Reviews that read every nurture enrolment of the history (the review without
    ``_read_since``), to compare the ones that read only what their months need."""

    def build(*args, **kwargs):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(review_module, "_read_since", lambda t, since: t)
            return build_review(*args, **kwargs)

    return build


@pytest.mark.parametrize(
    ("month", "options"),
    [
        ("2025-06", {}),  # the first months: little history before them
        ("2025-12", {}),
        ("2026-01", {}),  # a quarter's first month
        ("2026-04", {"segment": {"size_band": ["250-999", "1000+"]}}),
        ("2026-07", {"as_of": datetime(2026, 8, 20, 15, tzinfo=UTC)}),  # judged mid-month after
        ("2026-10", {}),
        ("2026-11", {}),  # running
        ("2026-09", {"config": {"goals.rate_window_months": 1}}),  # from the quarter start
    ],
)
@pytest.mark.parametrize("stored_episodes", [False, True], ids=["built", "stored"])
def test_a_review_reads_only_what_its_months_need(
    demo_tables, whole_history_reviews, month, options, stored_episodes
):
    """Leaving out the nurture enrolments that started and ended before the months a
    review reads and, with stored episodes (as after an import), all of an event but its
    lead, stage and moment, changes nothing in it, to the last field and row."""
    # and two enrolments of 2025: one in a track of no config, still running (an
    # unknown track every month lists), one that ends in October 2026 (an exit then)
    old = Tables.from_rows(
        nurture_enrollments=[
            {"enrollment_id": "zz-1", "lead_id": "zz", "track": "zz-retired-track",
             "enrolled_at": "2025-06-02T09:00Z"},
            {"enrollment_id": "zz-2", "lead_id": "zz", "track": "awareness-education",
             "enrolled_at": "2025-06-03T09:00Z", "exited_at": "2026-10-07T09:00Z",
             "exit_reason": "unsubscribed"},
        ],
    )  # fmt: skip
    tables = Tables.from_frames(
        **{
            name: pl.concat([getattr(demo_tables, name), getattr(old, name)]).collect()
            for name in TABLES
        }
    )
    whole = tables
    if stored_episodes:
        stored = episodes_to_store(tables.lifecycle_events, tables.leads).collect()
        tables = replace(tables, episodes=stored.lazy())
        assert tables.stored_episodes is not None
    cfg = with_settings(CFG, options["config"]) if "config" in options else CFG
    kwargs = {k: options[k] for k in ("segment", "as_of") if k in options}
    read = build_review(tables, cfg, month=month, **kwargs)
    assert_same_review(read, whole_history_reviews(whole, cfg, month=month, **kwargs))
    if "segment" not in options:
        assert "zz-retired-track" in read.unknown_tracks["track"].to_list()


def test_the_same_review_twice_is_the_same_json_and_the_same_tables(demo_tables):
    first, second = (build_review(demo_tables, CFG, month="2026-10") for _ in range(2))
    assert json.dumps(first.to_json_dict()) == json.dumps(second.to_json_dict())
    for name in ORDERED_FRAMES:
        assert getattr(first, name).equals(getattr(second, name)), name
    for kind, frame in first.breaches.items():
        assert frame.equals(second.breaches[kind]), kind
    assert first.breaches["cadence"].height > 0  # the demo month has breaches to order


@pytest.mark.parametrize(
    ("metric", "with_enrolments", "counts"),
    [
        ("lead_to_mql", True, (3, 3)),  # by hand: EXPECTED above and its comments
        ("mql_to_sql", True, (1, 3)),
        ("handoff_compliance", True, (2, 3)),  # met 2 of the 3 judged
        ("remql_rate", True, (1, 1)),  # L2 came back
        ("recycled_enrolled_in_time", True, (1, 1)),  # enrolled a day later: in time
        ("recycled_enrolled_in_time", False, (None, None)),  # no enrolment: unknown, not 0 / 0
        ("mqls", True, None),  # a volume is no rate
        ("median_hours_to_first_touch", True, None),
    ],
)
def test_rate_counts_are_the_reviews_or_unknown(metric, with_enrolments, counts):
    empty = Tables.empty().nurture_enrollments
    world = WORLD if with_enrolments else replace(WORLD, nurture_enrollments=empty)
    review = build_review(world, CFG, month="2026-10", as_of=AS_OF)
    assert review.rate_counts(metric) == counts


def test_a_maturing_remql_rate_is_not_compared_with_the_month_before(demo_tables):
    """The re-MQL rate's 180-day window is open for every recent month: the month before
    had a month longer to mature, so it is not compared (no previous, no change), in the
    review and in the pack, while the other KPIs are."""
    from analytics.coverage import last_complete_month
    from analytics.pack.build import build_pack

    as_of = demo_tables.latest_timestamp()
    month = last_complete_month(as_of)
    review = build_review(demo_tables, CFG, month=month, as_of=as_of)
    assert review.remql["is_immature"] and review.remql["n"]
    assert review.maturing() == {"remql_rate"}
    assert review.kpi_values["remql_rate"] is not None
    assert review.previous_kpi_values["remql_rate"] is None
    assert review.previous_kpi_values["mqls"] is not None
    # as a KPI of the SLA (the shipped config does not make it one): no previous, no change
    as_kpi = CFG.model_copy(
        update={
            "kpis": CFG.kpis.model_copy(
                update={
                    "marketing": [
                        *CFG.kpis.marketing,
                        CFG.kpis.marketing[0].model_copy(
                            update={"metric": "remql_rate", "target": 0.1, "label": "Re-MQL"}
                        ),
                    ]
                }
            )
        }
    )
    review = build_review(demo_tables, as_kpi, month=month, as_of=as_of)
    kpis = {r["metric"]: r for r in review.kpis.iter_rows(named=True)}
    assert kpis["remql_rate"]["value"] is not None  # 10 % already: met for good
    assert (kpis["remql_rate"]["previous"], kpis["remql_rate"]["change"]) == (None, None)
    assert kpis["mqls"]["previous"] is not None and kpis["mqls"]["change"] is not None
    pack = build_pack(demo_tables, as_kpi, month=month, as_of=as_of)
    row = pack.kpis.filter(pl.col("metric") == "remql_rate").row(0, named=True)
    assert (row["previous"], row["change"]) == (None, None)
    assert pack.previous_values["remql_rate"] is None and pack.previous_values["mqls"]


#: October: one MQL (S1) and three SQLs, two of which (S2, S3) never were MQLs, as in a
#: Salesforce export whose leads skip the MQL status; then 2 opportunities of 3 SQLs.
SKIPPED_MQL = Tables.from_rows(
    leads=[lead(f"S{i}", "2026-10-01T08:00:00Z", "email", "r1") for i in (1, 2, 3)],
    lifecycle_events=[
        ev("S1", "mql", "2026-10-01T09:00:00Z"),
        *(ev(f"S{i}", "sql", "2026-10-02T09:00:00Z") for i in (1, 2, 3)),
        *(ev(f"S{i}", "opportunity", "2026-10-03T09:00:00Z") for i in (1, 2)),
    ],
    reps=[{"rep_id": "r1", "name": "Rita", "team": "sdr"}],
)


def test_a_period_rate_above_100_percent_is_no_share_and_not_judged():
    review = build_review(SKIPPED_MQL, CFG, month="2026-10", as_of=AS_OF)
    conv = {r["metric"]: r for r in review.conversion.iter_rows(named=True)}
    # the ratio of the two volumes is kept (spec/metrics.md), without an interval
    assert (conv["mql_to_sql"]["x"], conv["mql_to_sql"]["n"], conv["mql_to_sql"]["rate"]) == (
        3,
        1,
        3.0,
    )
    assert conv["mql_to_sql"]["ci_low"] is None
    kpis = {r["metric"]: r for r in review.kpis.iter_rows(named=True)}
    lead_quality = kpis["mql_to_sql"]
    assert (lead_quality["value"], lead_quality["status"]) == (None, "no_data")
    assert lead_quality["reason"].startswith("More SQLs (3) than MQLs (1) this month")
    assert review.kpi_reason(lead_quality, lang="de").startswith("Mehr SQLs (3) als MQLs (1)")
    # a share of 2 / 3 and one of 1 / 3 are judged as ever
    assert review.share_reason("sql_to_opportunity") is None
    assert kpis["lead_to_mql"]["status"] == "met" and kpis["lead_to_mql"]["reason"] is None
    # the KPI history says the same of the month
    history = review_module.kpi_history(SKIPPED_MQL, CFG, month="2026-10", months=1, as_of=AS_OF)
    row = history.filter(pl.col("metric") == "mql_to_sql").row(0, named=True)
    assert (row["status"], row["reason"]) == ("no_data", lead_quality["reason"])


def test_sla_review_says_why_a_rate_above_100_percent_has_no_interval(tmp_path):
    from analytics.warehouse import write_tables

    path = tmp_path / "w.duckdb"
    frames = {name: lf.collect() for name, lf in SKIPPED_MQL.items()}
    write_tables(path, frames, source="test")
    res = runner.invoke(
        app, ["review", "--db", str(path), "--month", "2026-10", "--as-of", "2026-10-31"]
    )
    assert res.exit_code == 0, res.output
    text = " ".join(res.stdout.split())
    assert "- mql_to_sql has no interval: More SQLs (3) than MQLs (1) this month" in text
    assert "sql_to_opportunity has no interval" not in text
    res = runner.invoke(
        app, ["review", "--db", str(path), "--month", "2026-10", "--as-of", "2026-10-31", "--json"]
    )
    counts = json.loads(res.stdout)["conversion_counts"]
    assert counts["mql_to_sql"]["reason"].startswith("More SQLs (3) than MQLs (1)")
    assert counts["lead_to_mql"]["reason"] is None


#: L1 and L2 are recycled in October, L2 is an MQL again on the 20th: 1 of 2 re-MQLs.
RECYCLED = Tables.from_rows(
    leads=[
        *(lead(x, "2026-09-01T08:00:00Z", "email", "r1") for x in ("L1", "L2")),
        lead("L3", "2026-10-25T08:00:00Z", "email", "r1"),  # the leads' data reach October
    ],
    lifecycle_events=[
        *(ev(x, "mql", "2026-09-02T09:00:00Z") for x in ("L1", "L2")),
        *(ev(x, "recycled", "2026-10-06T09:00:00Z") for x in ("L1", "L2")),
        ev("L2", "mql", "2026-10-20T09:00:00Z"),
    ],
)


@pytest.mark.parametrize(
    ("direction", "target", "as_of", "value", "status"),
    [
        # the 180-day window is open: 50 % can still reach 60 %, nor is it missed yet
        ("at_least", 0.6, "2026-11-02", None, "no_data"),
        ("at_least", 0.4, "2026-11-02", 0.5, "met"),  # it can only grow: met for good
        ("at_most", 0.4, "2026-11-02", 0.5, "missed"),  # above 0.44 already: missed for good
        ("at_most", 0.6, "2026-11-02", None, "no_data"),  # may still exceed 60 %
        ("at_least", 0.6, "2027-05-01", 0.5, "missed"),  # the window has closed
    ],
)  # fmt: skip
def test_a_rate_still_maturing_is_judged_only_when_its_verdict_is_final(
    direction, target, as_of, value, status
):
    """A re-MQL KPI judged 0 / 30 "missed" on the demo the day after a month of recycles."""
    marketing = CFG.kpis.marketing[0].model_copy(
        update={"metric": "remql_rate", "target": target, "direction": direction}
    )
    cfg = CFG.model_copy(update={"kpis": CFG.kpis.model_copy(update={"marketing": [marketing]})})
    moment = datetime.fromisoformat(as_of).replace(tzinfo=UTC)
    review = build_review(RECYCLED, cfg, month="2026-10", as_of=moment)
    assert review.remql["rate"] == 0.5
    row = review.kpis.filter(pl.col("metric") == "remql_rate").row(0, named=True)
    assert (row["value"], row["status"]) == (value, status)
    if status == "no_data":
        assert review.kpi_reason(row, lang="de").startswith("Noch nicht reif: die in diesem")
        history = review_module.kpi_history(RECYCLED, cfg, month="2026-10", months=1, as_of=moment)
        assert history.filter(pl.col("metric") == "remql_rate")["status"].to_list() == ["no_data"]


def test_a_previous_month_that_was_no_share_is_no_value_to_change_from():
    """September's MQL -> SQL was 3 / 1 (300 %): October's 1 / 2 read "previous 300 %,
    change -250 pp" in the CLI, the pack, the KPIs page, and a tested change (re-audit 19a,
    finding 3)."""
    from analytics.pack.build import build_pack

    tables = Tables.from_rows(
        leads=[lead(f"S{i}", "2026-09-01T08:00:00Z", "email", "r1") for i in (1, 2, 3)]
        + [lead(f"O{i}", "2026-10-01T08:00:00Z", "email", "r1") for i in (1, 2)],
        lifecycle_events=[
            ev("S1", "mql", "2026-09-01T09:00:00Z"),
            *(ev(f"S{i}", "sql", "2026-09-02T09:00:00Z") for i in (1, 2, 3)),
            *(ev(f"O{i}", "mql", "2026-10-02T09:00:00Z") for i in (1, 2)),
            ev("O1", "sql", "2026-10-03T09:00:00Z"),
        ],
        reps=[{"rep_id": "r1", "name": "Rita", "team": "sdr"}],
    )
    as_of = datetime(2026, 11, 2, tzinfo=UTC)
    review = build_review(tables, CFG, month="2026-10", as_of=as_of)
    row = review.kpis.filter(pl.col("metric") == "mql_to_sql").row(0, named=True)
    assert (row["value"], row["previous"], row["change"]) == (0.5, None, None)
    assert review.previous_kpi_values["mql_to_sql"] is None
    history = review_module.kpi_history(tables, CFG, month="2026-10", months=2, as_of=as_of)
    october = history.filter((pl.col("month") == "2026-10") & (pl.col("metric") == "mql_to_sql"))
    assert october.select("previous", "change").row(0) == (None, None)
    pack = build_pack(tables, CFG, month="2026-10", as_of=as_of)
    assert pack.kpis.filter(pl.col("metric") == "mql_to_sql").select("previous").item() is None
    assert pack.previous_values["mql_to_sql"] is None
    assert "mql_to_sql" not in pack.changes["metric"].to_list()
