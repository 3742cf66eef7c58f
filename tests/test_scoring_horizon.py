"""The outcomes' horizon named where it hides leads (re-audit of the score fixes, MEDIUM 4).

When the lifecycle events end before ``as_of``, a lead whose window runs past their end
is not judged (:func:`analytics.scoring.rules.outcomes_known_until`). The messages said
"only 0 leads have a closed 90-day window", "a later --as-of or more history gives more"
and "Too few leads with a closed window": the cause is the horizon, and they now say so.

The fixture is the audit's "one lead": L1 created 2026-01-05 10:00, MQL a day later, SQL
on 2026-01-07 10:00 (the last lifecycle event), a page view on 2026-06-01 10:00 (the data's
latest moment, ``as_of``). ``running`` adds another lead's event at ``as_of``: the stage
history then runs to ``as_of`` and nothing is hidden.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from app_support import choose_tab, open_page
from typer.testing import CliRunner

from analytics.cli import app
from analytics.config import load_config
from analytics.scoring.model import train_and_evaluate
from analytics.scoring.report import score_report
from analytics.scoring.rules import horizon_note
from analytics.scoring.thresholds import precompute_thresholds, recommend_threshold, threshold_table
from analytics.tables import Tables
from analytics.texts import render
from analytics.warehouse import write_tables
from dashboard.i18n import t

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "data" / "sla.toml"
CFG = load_config(CONFIG)  # window 90 days
AS_OF = datetime(2026, 6, 1, 10, tzinfo=UTC)
runner = CliRunner()
HORIZON = datetime(2026, 1, 7, 10, tzinfo=UTC)
NOTE = {
    "en": "outcomes are known only until 2026-01-07 (the last lifecycle event); leads whose "
    "90-day window runs past it are not judged",
    "de": "Ergebnisse sind nur bis 07.01.2026 bekannt (das letzte Lifecycle-Ereignis); Leads, "
    "deren 90-Tage-Fenster darüber hinausreicht, werden nicht beurteilt",
}


def _one_lead(*, running: bool = False) -> Tables:
    def ev(lead: str, stage: str, at: str) -> dict:
        return {"lead_id": lead, "stage": stage, "entered_at": at}

    events = [ev("L1", "lead", "2026-01-05T10:00:00Z"), ev("L1", "mql", "2026-01-06T10:00:00Z"),
              ev("L1", "sql", "2026-01-07T10:00:00Z")]  # fmt: skip
    if running:
        events.append(ev("X", "disqualified", AS_OF.isoformat()))
    return Tables.from_rows(
        leads=[{"lead_id": "L1", "created_at": "2026-01-05T10:00:00Z", "source": "organic"}],
        lifecycle_events=events,
        activities=[
            {"activity_id": "A1", "lead_id": "L1", "type": "demo_request",
             "occurred_at": "2026-01-05T10:00:00Z"},
            {"activity_id": "A2", "lead_id": "L1", "type": "page_view",
             "occurred_at": "2026-06-01T10:00:00Z"},
        ],
    )  # fmt: skip


@pytest.mark.parametrize(
    ("until", "as_of", "lang", "expected"),
    [
        (HORIZON, AS_OF, "en", NOTE["en"]),
        (HORIZON, AS_OF, "de", NOTE["de"]),
        (AS_OF, AS_OF, "en", None),  # the events run to as_of: nothing is hidden
        # six days before as_of: the ordinary end of a stage history (HORIZON_NOTE_GAP)
        (datetime(2026, 5, 26, 10, tzinfo=UTC), AS_OF, "en", None),
        (datetime(2026, 5, 25, 10, tzinfo=UTC), AS_OF, "en", NOTE["en"].replace("01-07", "05-25")),
    ],
)
def test_horizon_note(until: datetime, as_of: datetime, lang: str, expected: str | None) -> None:
    assert horizon_note(until, as_of, window_days=90, lang=lang) == expected


def test_a_horizon_at_the_import_names_the_import() -> None:
    note = horizon_note(HORIZON, AS_OF, window_days=30, loaded_at=HORIZON)
    assert note == (
        "outcomes are known only until 2026-01-07 (the latest import); leads whose 30-day "
        "window runs past it are not judged"
    )


@pytest.mark.parametrize(
    ("running", "message"),
    [
        (False, "only 0 leads have a closed 90-day window: too few to train or evaluate a "
                f"model (need at least 50); {NOTE['en']}"),
        # L1's window closed on 2026-04-05, before the events' end: too few, nothing hidden
        (True, "only 1 leads have a closed 90-day window: too few to train or evaluate a "
               "model (need at least 50)"),
    ],
)  # fmt: skip
def test_the_model_names_the_horizon_not_a_short_history(running: bool, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        train_and_evaluate(_one_lead(running=running), CFG)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("running", "until", "note"), [(False, HORIZON, NOTE["en"]), (True, AS_OF, None)]
)
def test_the_report_carries_the_horizon(running: bool, until: datetime, note: str | None) -> None:
    doc = score_report(_one_lead(running=running), CFG)
    assert doc["as_of"] == AS_OF
    assert doc["outcomes_known_until"] == until
    assert doc["outcomes_note"] == note
    assert doc["model_reason"].endswith(note or "(need at least 50)")
    if note is not None:  # nothing mature: no recommendation, and why
        assert doc["recommended_threshold"] is None
        assert doc["recommended_reason"] == (f"{render('threshold.none')} O{note[1:]}.")


@pytest.mark.parametrize("lang", ["en", "de"])
def test_no_recommendation_says_the_horizon(lang: str) -> None:
    empty = pl.DataFrame(  # no threshold has MQLs with a closed window
        {"threshold": [60.0], "mqls_per_month": [1.0], "mqls_per_week": [0.2],
         "expected_sqls_per_month": [None], "workload_ratio": [None]},
        schema_overrides={"expected_sqls_per_month": pl.Float64, "workload_ratio": pl.Float64},
    )  # fmt: skip
    note = NOTE[lang]
    assert recommend_threshold(empty, current=60.0, lang=lang, horizon=note) == (
        None,
        f"{render('threshold.none', lang=lang)} {note[0].upper()}{note[1:]}.",
    )
    assert recommend_threshold(empty, current=60.0, lang=lang) == (
        None,
        render("threshold.none", lang=lang),
    )


@pytest.fixture(scope="module")
def one_lead_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("horizon") / "w.duckdb"
    tables = _one_lead()
    write_tables(db, {n: f.collect() for n, f in tables.items()}, source="t", config=CFG)
    return db


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_qualification_page_names_the_horizon(one_lead_db: Path, monkeypatch, lang) -> None:
    at = open_page(one_lead_db, monkeypatch, "qualification", lang)
    sentence = f"{NOTE[lang][0].upper()}{NOTE[lang][1:]}."
    infos = [i.value for i in at.info]
    assert f"{render('threshold.none', lang=lang)} {sentence}" in infos
    choose_tab(at, "quality_tab", t("calibration", lang))
    assert f"{t('too_few', lang)} {sentence}" in [i.value for i in at.info]


def _sixty_leads(*, events_until: str) -> Tables:
    """60 leads created a day apart from 2025-01-01 (each with a page view then), one
    lifecycle event of another lead at ``events_until`` (where the stage history ends),
    and a page view on 2026-06-01 (``as_of``). All 60 windows close by 2025-06-30; the
    newest 18 (30 %) are the test leads, from 2025-02-12: no older lead was scored by
    2024-11-14, 90 days before them."""
    leads = [f"L{i:02d}" for i in range(60)]
    created = [datetime(2025, 1, 1, tzinfo=UTC) + timedelta(days=i) for i in range(60)]
    return Tables.from_rows(
        leads=[{"lead_id": x, "created_at": c, "source": "organic"}
               for x, c in zip(leads, created, strict=True)],
        activities=[{"activity_id": f"A{x}", "lead_id": x, "type": "page_view", "occurred_at": c}
                    for x, c in zip(leads, created, strict=True)]
        + [{"activity_id": "late", "lead_id": "L00", "type": "page_view", "occurred_at": AS_OF}],
        lifecycle_events=[{"lead_id": "X", "stage": "disqualified", "entered_at": events_until}],
    )  # fmt: skip


@pytest.mark.parametrize(
    ("events_until", "ending"),
    [
        ("2025-06-30T00:00:00Z", "outcomes are known only until 2025-06-30 (the last lifecycle "
                                 "event); leads whose 90-day window runs past it are not judged"),
        (AS_OF.isoformat(), "a later --as-of or more history gives more"),
    ],
)  # fmt: skip
def test_too_few_older_leads_names_the_horizon_when_it_is_the_cause(
    events_until: str, ending: str
) -> None:
    with pytest.raises(ValueError) as caught:
        train_and_evaluate(_sixty_leads(events_until=events_until), CFG)
    assert str(caught.value) == (
        "only 0 of the 42 older leads were scored by 2024-11-14, 90 days before the newest 18 "
        "(the test leads) begin: too few whose outcome was known then to train a model (need "
        f"at least 50); {ending}"
    )


def test_sla_score_report_says_the_horizon_in_json_and_text(one_lead_db: Path) -> None:
    args = ["score", "report", "--db", str(one_lead_db), "--config", str(CONFIG)]
    doc = json.loads(runner.invoke(app, [*args, "--json"]).stdout)
    assert (doc["as_of"], doc["outcomes_known_until"]) == (
        "2026-06-01T10:00:00Z",
        "2026-01-07T10:00:00Z",
    )
    assert doc["outcomes_note"] == NOTE["en"]
    text = " ".join(runner.invoke(app, args).stdout.split())
    assert (
        f"Score quality not measured: only 0 leads have a closed 90-day window: too few to "
        f"train or evaluate a model (need at least 50); {NOTE['en']}." in text
    )


def test_an_sql_seen_before_the_horizon_leaves_its_lead_unjudged_like_the_others() -> None:
    """The audit's "one lead" asked whether L1, whose SQL is seen inside its window, is a
    known positive although its window runs past the horizon. Its label is known, but
    counting it would judge the leads past the horizon by their SQLs alone: L2 (the same
    demo request, no SQL seen by then) cannot be judged, so L1 would make the MQL -> SQL
    rate at 30 a 100 % of 1 that rests on positives only. Neither counts."""
    t = _one_lead()
    t = dataclasses.replace(
        t,
        leads=pl.concat([t.leads, Tables.from_rows(leads=[
            {"lead_id": "L2", "created_at": "2026-01-05T10:00:00Z", "source": "organic"}]).leads]),
        activities=pl.concat([t.activities, Tables.from_rows(activities=[
            {"activity_id": "B1", "lead_id": "L2", "type": "demo_request",
             "occurred_at": "2026-01-05T10:00:00Z"}]).activities]),
    )  # fmt: skip
    records = precompute_thresholds(t, CFG).records.sort("lead_id", "at")
    assert records.select("lead_id", "converted", "is_mature").rows() == [
        ("L1", True, False), ("L2", False, False),
    ]  # fmt: skip
    row = threshold_table(precompute_thresholds(t, CFG), thresholds=[30.0]).row(0, named=True)
    assert (row["mature_mqls"], row["precision"]) == (0, None)


@pytest.mark.parametrize(
    ("loads", "latest"),
    [
        ([("leads", "2026-12-06 05:00")], "2026-12-06 05:00"),
        ([("leads", "2026-12-06 05:00"), ("purge", "2026-12-20 09:00")], "2026-12-06 05:00"),
        ([("leads", "2026-12-06 05:00"), ("purge", "2026-12-20 09:00"),
          ("leads", "2027-01-05 08:00")], "2027-01-05 08:00"),
        ([("purge", "2026-12-20 09:00")], None),
    ],
)  # fmt: skip
def test_only_an_import_moves_what_is_known(loads, latest) -> None:
    """A purge is logged as a load, yet brings nothing: a row mistyped a year ahead must
    not become known at the next purge (re-audit of the round's fixes (a), M2)."""
    import duckdb

    from analytics.warehouse.database import create_schema
    from analytics.warehouse.facts import last_import

    con = duckdb.connect()
    create_schema(con)
    con.execute("SET TimeZone = 'UTC'")
    for i, (table, at) in enumerate(loads, start=1):
        con.execute(
            "INSERT INTO meta.loads (load_id, table_name, loaded_at) VALUES (?, ?, ?::TIMESTAMPTZ)",
            [i, table, f"{at}+00"],
        )
    found = last_import(con)
    assert (None if found is None else found.strftime("%Y-%m-%d %H:%M")) == latest
