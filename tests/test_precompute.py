"""Stored results: the review and KPI history read back equal a fresh computation."""

from __future__ import annotations

import dataclasses
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from app_support import metrics
from polars.testing import assert_frame_equal
from review_support import assert_same_review
from streamlit.testing.v1 import AppTest

from analytics.config import load_config
from analytics.precompute import (
    KPI_MONTHS,
    ResultKey,
    from_bytes,
    months_to_keep,
    refresh_results,
    stored,
    to_bytes,
)
from analytics.review import build_review, kpi_history
from analytics.sla_versions import with_settings
from analytics.warehouse import connect_readonly, latest_timestamp, load_tables
from analytics.warehouse.precomputed import stored_results

CONFIG = Path("data/sla.toml")
END = datetime(2026, 11, 10, 12, tzinfo=UTC)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from analytics.demo import generate_demo
    from analytics.warehouse import write_tables

    db = tmp_path_factory.mktemp("precompute") / "warehouse.duckdb"
    cfg = load_config(CONFIG)
    write_tables(db, generate_demo(cfg, leads=1500, seed=3, end=END), source="test", config=cfg)
    return db


@pytest.fixture(scope="module")
def refreshed_once(warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo warehouse with its results stored (as after an import), computed once."""
    db = tmp_path_factory.mktemp("refreshed") / "w.duckdb"
    shutil.copy(warehouse, db)
    refresh_results(db, load_config(CONFIG))
    return db


@pytest.fixture
def refreshed(refreshed_once: Path, tmp_path: Path) -> Path:
    """A test's own copy of :func:`refreshed_once` (some tests write to it)."""
    db = tmp_path / "w.duckdb"
    shutil.copy(refreshed_once, db)
    return db


def test_every_month_of_a_demo_survives_the_bytes(warehouse: Path) -> None:
    cfg = load_config(CONFIG)
    con = connect_readonly(warehouse)
    tables = load_tables(con)
    months = ["2025-12", *[f"2026-{m:02d}" for m in range(1, 12)]]
    for month in months:
        fresh = build_review(tables, cfg, month=month)
        assert_same_review(from_bytes(to_bytes(fresh)), fresh)
    con.close()


def test_stored_results_equal_a_fresh_computation(warehouse: Path, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    shutil.copy(warehouse, db)
    cfg = load_config(CONFIG)
    summary = refresh_results(db, cfg)
    assert summary["months"] == ["2026-11", "2026-10", "2026-09"]
    # a review and a KPI history per month, one config; the two page results (At risk,
    # Handoffs); the four lead-scoring results; the MQL episodes
    assert summary["results"] == 6 + 2 + 4 + 1
    con = connect_readonly(db)
    as_of = latest_timestamp(con)
    tables = dataclasses.replace(load_tables(con), episodes=None)  # fresh: from the events
    for month in summary["months"]:
        review = stored(con, "review", month=month, config=cfg, as_of=as_of)
        assert_same_review(review, build_review(tables, cfg, month=month, as_of=as_of))
        history = stored(con, "kpi_history", month=month, config=cfg, as_of=as_of)
        fresh = kpi_history(tables, cfg, month=month, months=KPI_MONTHS, as_of=as_of)
        assert_frame_equal(history, fresh, check_exact=True)
    # another month, another config or another moment: nothing stored, compute fresh
    assert stored(con, "review", month="2026-08", config=cfg, as_of=as_of) is None
    other = with_settings(cfg, {"handoff.first_touch_hours": 48})
    assert stored(con, "review", month="2026-10", config=other, as_of=as_of) is None
    hashed = other.model_copy(update={"content_hash": "other"})
    assert stored(con, "review", month="2026-10", config=hashed, as_of=as_of) is None
    assert stored(con, "review", month="2026-10", config=cfg, as_of=END) is None
    con.close()


#: A second SLA version recorded in the warehouse, in force from October: first touch
#: within 4 h (the file's 2026.2 says 24 h), so October and November read other numbers;
#: MQL threshold 45 (the file's says 60), so today's lead-scoring results are other too.
LATER = with_settings(
    load_config(CONFIG),
    {
        "sla.version": "2026.3",
        "sla.effective_from": "2026-10-01",
        "handoff.first_touch_hours": 4,
        "scoring.mql_threshold": 45,
    },
).model_copy(update={"content_hash": "later0000000"})


@pytest.fixture(scope="module")
def two_versions_once(warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo warehouse with 2026.3 recorded (from 2026-10-01) and the results stored."""
    from analytics.warehouse.config_history import record_config_if_new

    db = tmp_path_factory.mktemp("two_versions") / "w.duckdb"
    shutil.copy(warehouse, db)
    assert record_config_if_new(db, LATER)
    refresh_results(db, load_config(CONFIG))
    return db


def test_stored_results_of_two_recorded_versions_equal_a_fresh_computation(
    two_versions_once: Path,
) -> None:
    """Each month's review is stored under the version that judges it, the KPI history
    judges each month by its own version, the alerts by the running month's: each equal to
    a fresh computation, field by field."""
    from analytics.alerts import at_risk_now
    from analytics.sla_versions import config_at, config_for_month
    from analytics.warehouse.config_history import stored_configs

    cfg = load_config(CONFIG)
    con = connect_readonly(two_versions_once)
    as_of, versions = latest_timestamp(con), stored_configs(con)
    assert [v.sla.version for v in versions] == ["2026.2", "2026.3"]
    assert stored_results(con).height == 3 + 3 + 2 + 4 + 1  # as with one version
    tables = dataclasses.replace(load_tables(con), episodes=None)  # fresh: from the events
    judged, histories = {}, {}
    for month in ("2026-11", "2026-10", "2026-09"):
        judge = config_for_month(versions, month=month, fallback=cfg)
        judged[month] = judge.sla.version
        review = stored(con, "review", month=month, config=judge, as_of=as_of)
        assert_same_review(review, build_review(tables, judge, month=month, as_of=as_of))
        kept = stored(con, "kpi_history", month=month, config=cfg, as_of=as_of, versions=versions)
        histories[month] = kpi_history(
            tables, cfg, month=month, months=KPI_MONTHS, as_of=as_of, versions=versions
        )
        assert_frame_equal(kept, histories[month], check_exact=True)
    assert judged == {"2026-11": "2026.3", "2026-10": "2026.3", "2026-09": "2026.2"}
    # the history's months by their versions: 24 h before October, 4 h from it
    rows = histories["2026-10"].filter(pl.col("metric") == "handoff_compliance")
    values = dict(rows.select("month", "value").rows())
    for month, judge in (("2026-10", LATER), ("2026-09", cfg)):
        review = stored(con, "review", month=month, config=judge, as_of=as_of)
        assert values[month] == review.kpi_values["handoff_compliance"]
    assert values["2026-10"] < values["2026-09"]  # 4 h is stricter than 24 h
    # a history judged by the file's version alone was not stored: it is no month's verdict
    assert stored(con, "kpi_history", month="2026-10", config=cfg, as_of=as_of) is None
    assert stored(con, "review", month="2026-10", config=cfg, as_of=as_of) is None
    judge = config_at(versions, moment=as_of, fallback=cfg)
    assert judge.sla.version == "2026.3"
    kept = stored(con, "alerts", month="", config=judge, as_of=as_of)
    assert_same_value(kept, at_risk_now(tables, config=judge, as_of=as_of), "alerts")
    con.close()


def test_stored_scoring_results_of_a_file_not_in_force_are_the_versions(
    two_versions_once: Path,
) -> None:
    """The file (2026.2, threshold 60) is not the version in force at as_of (November:
    2026.3, threshold 45): the lead-scoring results are stored under 2026.3, as the page and
    `sla score report` read them (today's threshold is the one notebook 03 uses), each
    equal to a fresh computation with 2026.3; none under the file's config."""
    from analytics.precompute import SCORING_KINDS, compute_scoring
    from analytics.sla_versions import config_at
    from analytics.warehouse.config_history import stored_configs

    cfg = load_config(CONFIG)
    con = connect_readonly(two_versions_once)
    tables, as_of = load_tables(con), latest_timestamp(con)
    judge = config_at(stored_configs(con), moment=as_of, fallback=cfg)
    assert (judge.sla.version, judge.scoring.mql_threshold, judge.content_hash) == (
        "2026.3", 45, LATER.content_hash,
    )  # fmt: skip
    kept = {k: stored(con, k, month="", config=judge, as_of=as_of) for k in SCORING_KINDS}
    fresh = compute_scoring(tables, judge, as_of=as_of)
    for kind in SCORING_KINDS:
        assert kept[kind] is not None, kind
        assert_same_value(kept[kind], fresh[kind], kind)
        assert stored(con, kind, month="", config=cfg, as_of=as_of) is None, kind
    # today's threshold is the version's 45, not the file's 60
    assert (kept["thresholds"]["current_threshold"], cfg.scoring.mql_threshold) == (45.0, 60)
    con.close()


def test_the_app_opens_on_the_results_stored_for_each_months_version(
    two_versions_once: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With two recorded versions a first visit still reads what the import stored, no
    review computed, no table loaded: the default month (October) as 2026.3 judges it."""
    import analytics.review
    import analytics.warehouse.database
    from dashboard.i18n import pct

    db = tmp_path / "w.duckdb"
    shutil.copy(two_versions_once, db)
    con = connect_readonly(db)
    want = stored(con, "review", month="2026-10", config=LATER, as_of=latest_timestamp(con))
    con.close()
    at = app_refusing(
        monkeypatch,
        db,
        [
            (analytics.review, "build_review"),
            (analytics.review, "kpi_history"),
            (analytics.review, "kpi_histories"),
            (analytics.warehouse.database, "load_tables_held"),
        ],
    )
    assert not at.exception, at.exception[0].value
    shown = metrics(at)
    assert shown["First touch within SLA"] == pct(want.kpi_values["handoff_compliance"], "en")
    for page in ("views/kpis.py", "views/review.py", "views/handoffs.py", "views/goals.py"):
        at.switch_page(page).run()
        assert not at.exception, at.exception[0].value


@pytest.mark.parametrize(
    ("lang", "version", "note"),
    [
        ("en",
         "Today's MQL threshold 45 and scoring points: SLA version 2026.3 (in force from "
         "2026-10-01)",
         "Today's MQL threshold (45) and scoring points are those of SLA version 2026.3 (in "
         "force from 2026-10-01), the one that judges November 2026: a version judges a month "
         "when it is in force on the month's first day. The config file `data/sla.toml` holds "
         "version 2026.2 (from 2026-01-01, MQL threshold 60)."),
        ("de",
         "Heutige MQL-Schwelle 45 und Scoring-Punkte: SLA-Version 2026.3 (gültig ab "
         "01.10.2026)",
         "Die heutige MQL-Schwelle (45) und die Scoring-Punkte sind die der SLA-Version 2026.3 "
         "(gültig ab 01.10.2026), nach der November 2026 bewertet wird: eine Version bewertet "
         "einen Monat, wenn sie an seinem ersten Tag gilt. Die Konfigurationsdatei "
         "`data/sla.toml` enthält Version 2026.2 (gültig ab 01.01.2026, MQL-Schwelle 60)."),
    ],
)  # fmt: skip
def test_the_qualification_page_uses_the_version_in_force_and_its_stored_results(
    two_versions_once: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang, version, note
) -> None:
    """The file is 2026.2 (threshold 60); November, the month of as_of, is judged by 2026.3
    (threshold 45): the page's threshold is 45, as `sla score report` and notebook 03 say,
    it names the version and the file, and it reads the results stored for 2026.3 (nothing
    of them computed)."""
    import analytics.scoring.feedback
    import analytics.scoring.reasons
    import analytics.scoring.report
    import analytics.scoring.thresholds
    from dashboard.i18n import num, t

    db = tmp_path / "w.duckdb"
    shutil.copy(two_versions_once, db)
    con = connect_readonly(db)
    kept = stored(con, "thresholds", month="", config=LATER, as_of=latest_timestamp(con))
    con.close()
    at = app_refusing(
        monkeypatch,
        db,
        [
            (analytics.scoring.thresholds, "precompute_thresholds"),
            (analytics.scoring.thresholds, "threshold_table"),
            (analytics.scoring.report, "score_quality"),
            (analytics.scoring.feedback, "sales_feedback"),
            (analytics.scoring.reasons, "lead_lists"),
        ],
    )
    if lang == "de":
        at.segmented_control(key="lang").set_value("de").run()
    at.switch_page("views/qualification.py").run()
    assert not at.exception, at.exception[0].value
    assert at.slider(key="threshold").value == 45
    captions = [c.value for c in at.caption]
    assert any(version in c for c in captions), captions
    assert note.replace("`data/sla.toml`", f"`{CONFIG.resolve()}`") in captions
    row = kept["points"].filter(pl.col("threshold") == 45.0).row(0, named=True)
    assert metrics(at)[t("mqls_per_month", lang)] == num(row["mqls_per_month"], lang)


def _stored_index(db: Path) -> list[tuple]:
    """The stored results' index: key and the moment each was computed."""
    con = connect_readonly(db)
    try:
        return stored_results(con).rows()
    finally:
        con.close()


#: A small import that changes the data (one rep)
REPS = "rep_id,name,team\nr-new,Neu,sdr\n"


def test_an_import_deletes_the_stored_results_a_new_config_version_keeps_them(
    refreshed: Path, tmp_path: Path
) -> None:
    from analytics.warehouse import import_canonical
    from analytics.warehouse.config_history import record_config_if_new

    db, cfg = refreshed, load_config(CONFIG)
    assert len(_stored_index(db)) == 13
    # recording a new SLA version leaves the data alone: results are keyed by config hash
    trial = with_settings(cfg, {"sla.version": "trial", "sla.effective_from": "2026-06-01"})
    trial = trial.model_copy(update={"content_hash": "t"})  # one version per day: its own
    assert record_config_if_new(db, trial)
    assert len(_stored_index(db)) == 13
    # an import changes the data: every stored result goes with the old state
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "reps.csv").write_text(REPS)
    import_canonical(db, folder, config=cfg)
    assert _stored_index(db) == []


#: A second import after a first of ``REPS`` (as a monthly refresh of the same export): what
#: it brings, and whether the stored results of the first hold after it
_SECOND_IMPORTS = {
    "the same file": (REPS, True),
    "a changed row": ("rep_id,name,team\nr-new,Neu,ae\n", False),
    "a new row": (REPS + "r-two,Zwei,sdr\n", False),
    "a rejected row only": (REPS + "r-bad,Bad,nope\n", False),  # new in the quarantine
}


@pytest.mark.parametrize("second", list(_SECOND_IMPORTS))
def test_an_import_that_changes_nothing_keeps_the_stored_results(
    refreshed: Path, tmp_path: Path, second: str
) -> None:
    from analytics.precompute import results_stored
    from analytics.warehouse import import_canonical

    cfg = load_config(CONFIG)
    first = tmp_path / "first" / "reps.csv"
    first.parent.mkdir()
    first.write_text(REPS)
    assert not import_canonical(refreshed, first.parent, config=cfg).results_kept
    refresh_results(refreshed, cfg)
    before = _stored_index(refreshed)
    text, kept = _SECOND_IMPORTS[second]
    again = tmp_path / "again" / "reps.csv"
    again.parent.mkdir()
    again.write_text(text)
    assert import_canonical(refreshed, again.parent, config=cfg).results_kept is kept
    assert _stored_index(refreshed) == (before if kept else [])
    con = connect_readonly(refreshed)
    try:
        assert results_stored(con, cfg) is kept
    finally:
        con.close()


def test_an_unchanged_import_after_rows_dated_past_the_last_one_drops_the_results(
    tmp_path: Path,
) -> None:
    """A row dated after an import is no moment of the data until a later import: the
    next import of the same file moves as_of, and the results keyed by the old one go."""
    from analytics.warehouse import import_canonical

    cfg = load_config(CONFIG)
    db, folder = tmp_path / "w.duckdb", tmp_path / "in"
    folder.mkdir()
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    (folder / "leads.csv").write_text(
        f"lead_id,created_at,source\nL1,2026-10-05T09:00:00Z,email\nL2,{tomorrow},email\n"
    )
    import_canonical(db, folder, config=cfg)
    refresh_results(db, cfg)
    assert _stored_index(db)
    again = import_canonical(db, folder, config=cfg)
    assert again.unchanged_files == [str(folder / "leads.csv")]  # no row changed ...
    assert not again.results_kept  # ... but as_of did
    assert _stored_index(db) == []


def test_an_unchanged_import_with_a_new_sla_version_drops_the_results(refreshed: Path) -> None:
    """The version an import records judges its months from its day: stored reviews and
    KPI histories of the months it judges are not those it would compute."""
    from analytics.warehouse import import_canonical

    cfg = load_config(CONFIG)
    folder = refreshed.parent / "in"
    folder.mkdir()
    (folder / "reps.csv").write_text(REPS)
    import_canonical(refreshed, folder, config=cfg)
    refresh_results(refreshed, cfg)
    assert _stored_index(refreshed)
    later = with_settings(cfg, {"sla.version": "later", "sla.effective_from": "2026-10-01"})
    later = later.model_copy(update={"content_hash": "later"})
    assert not import_canonical(refreshed, folder, config=later).results_kept
    assert _stored_index(refreshed) == []


def test_sla_import_of_an_unchanged_folder_computes_nothing_again(
    refreshed: Path, tmp_path: Path
) -> None:
    """`sla import` stores the results after a load; when the load changed nothing, those
    stored stay (not computed again), and `sla review` prints what a fresh refresh gives."""
    import json

    from typer.testing import CliRunner

    from analytics import cli

    runner = CliRunner()
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "reps.csv").write_text(REPS)
    args = ["import", str(folder), "--db", str(refreshed), "--config", str(CONFIG), "--json"]
    assert runner.invoke(cli.app, args).exit_code == 0
    before = _stored_index(refreshed)
    assert before  # stored by the first import
    res = runner.invoke(cli.app, args)
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["unchanged_files"] == [str(folder / "reps.csv")]
    assert _stored_index(refreshed) == before  # the same results, computed at the same time
    review = ["review", "--db", str(refreshed), "--config", str(CONFIG), "--json", "--no-record"]
    kept = runner.invoke(cli.app, review).stdout
    refresh_results(refreshed, load_config(CONFIG))
    assert runner.invoke(cli.app, review).stdout == kept


def test_an_empty_warehouse_keeps_no_months() -> None:
    from analytics.tables import Tables

    cfg = load_config(CONFIG)
    assert months_to_keep(Tables.empty(), config=cfg, as_of=END) == []
    assert months_to_keep(Tables.empty(), config=cfg, as_of=None) == []


def test_data_that_looks_like_a_tag_stays_data() -> None:
    value = {"$class": ["os", "system"], "$frame": "f0", "nan": float("nan"), "t": (1, "a")}
    back = from_bytes(to_bytes(value))
    assert back["$class"] == ["os", "system"] and back["$frame"] == "f0"
    assert back["nan"] != back["nan"] and back["t"] == (1, "a")


def test_bytes_that_are_not_a_result_are_refused() -> None:
    with pytest.raises(ValueError, match="not a stored result"):
        from_bytes(b"not a zip")


def test_only_known_classes_are_stored_or_built() -> None:
    @dataclasses.dataclass
    class Payload:
        x: int

    with pytest.raises(TypeError, match="is not storable"):
        to_bytes(Payload(1))
    import io
    import json
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        manifest = {"$class": ["os", "system"], "fields": {"command": "echo hi"}}
        archive.writestr("manifest.json", json.dumps(manifest))
    with pytest.raises(ValueError, match=r"unknown class os\.system"):
        from_bytes(buffer.getvalue())


def app_refusing(
    monkeypatch: pytest.MonkeyPatch, db: Path, refused: list[tuple[object, str]]
) -> AppTest:
    """The app on ``db`` after its first run, with each ``(module, function)`` of
    ``refused`` replaced by one that fails: a page that computes what the import stored
    raises instead of passing slowly."""
    from streamlit import config as streamlit_config

    def refuse(*args, **kwargs):
        raise AssertionError("computed although a stored result was there")

    for module, name in refused:
        monkeypatch.setattr(module, name, refuse)
    monkeypatch.setenv("SLA_DB", str(db))
    monkeypatch.setenv("SLA_CONFIG", str(CONFIG))
    streamlit_config.set_option("client.showErrorDetails", "full")  # the reason, if any
    at = AppTest.from_file("../dashboard/app.py", default_timeout=60)
    at.run()
    return at


def test_the_app_opens_on_stored_results_without_reading_the_tables(
    refreshed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first visit of the Overview and the KPIs page after an import reads a few KB of
    stored results: no review is computed and the tables are never loaded."""
    import analytics.review
    import analytics.warehouse.database
    from analytics.coverage import last_complete_month

    db, cfg = refreshed, load_config(CONFIG)
    con = connect_readonly(db)
    as_of = latest_timestamp(con)
    # the app opens on the last complete month (spec/coverage.md)
    month = last_complete_month(as_of, timezone=cfg.reporting.timezone)
    want = stored(con, "review", month=month, config=cfg, as_of=as_of)
    assert want is not None
    con.close()

    at = app_refusing(
        monkeypatch,
        db,
        [
            (analytics.review, "build_review"),
            (analytics.review, "kpi_history"),
            (analytics.warehouse.database, "load_tables_held"),
        ],
    )
    assert not at.exception, at.exception[0].value
    shown = metrics(at)  # the KPI cards are tiles
    assert shown["MQLs delivered"] == f"{want.kpi_values['mqls']:,}"
    for page in ("views/kpis.py", "views/review.py"):
        at.switch_page(page).run()
        assert not at.exception, at.exception[0].value


def test_the_goal_plan_of_every_stored_month_equals_a_fresh_one(refreshed: Path) -> None:
    """The Shared goals page reads the reverse funnel and pacing from the month's stored
    review, for another revenue target through :func:`analytics.goals.retarget`: equal to
    the review built fresh with that target."""
    from analytics.coverage import coverage, month_coverage
    from analytics.goals import retarget

    db, cfg = refreshed, load_config(CONFIG)
    con = connect_readonly(db)
    tables, as_of = load_tables(con), latest_timestamp(con)
    months = months_to_keep(tables, config=cfg, as_of=as_of)
    assert months == ["2026-11", "2026-10", "2026-09"]  # the running month among them
    cov = coverage(tables.until(as_of), config=cfg)
    for target in (cfg.goals.revenue_target_monthly, 1_234_567.0):
        other = cfg.model_copy(
            update={"goals": cfg.goals.model_copy(update={"revenue_target_monthly": target})}
        )
        for month in months:
            review = stored(con, "review", month=month, config=cfg, as_of=as_of)
            groups = month_coverage(cov, month, timezone=cfg.reporting.timezone)
            funnel, paced = retarget(review.targets, review.pacing, config=other, groups=groups)
            fresh = build_review(tables, other, month=month, as_of=as_of)
            assert funnel["target"].drop_nulls().len() == 7  # a demo month has every rate
            assert funnel["target"][0] == target
            assert_frame_equal(funnel, fresh.targets, check_exact=True)
            assert_frame_equal(paced, fresh.pacing, check_exact=True)
    con.close()


def test_the_goals_page_opens_on_the_stored_review_without_computing(
    refreshed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first visit of Shared goals after an import computes no goal plan and reads no
    table, neither for the config's revenue target nor for one typed in."""
    import analytics.goals
    import analytics.review
    import analytics.warehouse.database
    from analytics.coverage import last_complete_month
    from analytics.goals import whole_need
    from dashboard.i18n import compact

    db, cfg = refreshed, load_config(CONFIG)
    con = connect_readonly(db)
    as_of = latest_timestamp(con)
    month = last_complete_month(as_of, timezone=cfg.reporting.timezone)
    kept = stored(con, "review", month=month, config=cfg, as_of=as_of)
    con.close()
    sqls = kept.targets.filter(pl.col("stage") == "sqls")["target"].item()

    at = app_refusing(
        monkeypatch,
        db,
        [
            (analytics.goals, "monthly_targets"),
            (analytics.goals, "pacing"),
            (analytics.review, "build_review"),
            (analytics.warehouse.database, "load_tables_held"),
        ],
    )
    at.switch_page("views/goals.py").run()
    assert not at.exception, at.exception[0].value
    assert metrics(at)["SQLs"] == compact(whole_need("sqls", sqls), "en")
    # twice the target: the same rates, every goal doubles (exactly: a power of two)
    at.number_input(key="revenue_target").set_value(2 * cfg.goals.revenue_target_monthly).run()
    assert not at.exception, at.exception[0].value
    assert metrics(at)["SQLs"] == compact(whole_need("sqls", 2 * sqls), "en")


def test_a_result_stored_by_another_version_of_the_code_is_not_served(
    refreshed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import analytics.precompute

    db, cfg = refreshed, load_config(CONFIG)
    monkeypatch.setattr(analytics.precompute, "code_hash", lambda: "an upgrade")
    con = connect_readonly(db)
    assert stored(con, "review", month="2026-10", config=cfg, as_of=latest_timestamp(con)) is None
    con.close()


def test_the_review_pack_from_stored_reviews_equals_a_fresh_one(refreshed: Path) -> None:
    from analytics.pack import build_pack, render_pack

    db, cfg = refreshed, load_config(CONFIG)
    con = connect_readonly(db)
    tables, as_of = load_tables(con), latest_timestamp(con)
    used: list[str] = []

    def kept(config, label, moment):
        used.append(label)
        return stored(con, "review", month=label, config=config, as_of=moment)

    fresh = build_pack(tables, cfg, month="2026-10", as_of=as_of)
    fast = build_pack(tables, cfg, month="2026-10", as_of=as_of, stored=kept)
    assert used == ["2026-10", "2026-09"]
    assert render_pack(fast, fmt="md") == render_pack(fresh, fmt="md")
    # a segment's pack is always computed: the stored reviews are the whole company's
    used.clear()
    build_pack(tables, cfg, month="2026-10", as_of=as_of, segment={"source": "email"}, stored=kept)
    assert used == []
    con.close()


@pytest.mark.parametrize(
    "columns",
    [
        "kind VARCHAR, month VARCHAR, config_hash VARCHAR, as_of VARCHAR, payload BLOB, "
        "computed_at TIMESTAMPTZ",  # the first version of the table
        "kind VARCHAR, month VARCHAR, config_hash VARCHAR, as_of VARCHAR, code_hash VARCHAR, "
        "model_hash VARCHAR, payload BLOB, computed_at TIMESTAMPTZ",  # payloads in the index
    ],
    ids=["without code and model", "payloads in the index"],
)
def test_results_of_an_older_layout_are_dropped_and_stored_again(
    warehouse: Path, tmp_path: Path, columns: str
) -> None:
    import duckdb

    db = tmp_path / "w.duckdb"
    shutil.copy(warehouse, db)
    con = duckdb.connect(str(db))
    con.execute("DROP TABLE IF EXISTS meta.precomputed")
    con.execute(f"CREATE TABLE meta.precomputed ({columns})")
    con.close()
    cfg = load_config(CONFIG)
    assert refresh_results(db, cfg)["results"] == 13
    con = connect_readonly(db)
    assert stored_results(con).height == 13
    assert stored(con, "review", month="2026-10", config=cfg, as_of=latest_timestamp(con))
    con.close()


def _payload_tables(db: Path) -> dict[str, int]:
    """The tables of the ``results`` schema with their row counts."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        names = [
            n
            for (n,) in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'results'"
            ).fetchall()
        ]
        return {n: con.execute(f'SELECT count(*) FROM results."{n}"').fetchall()[0][0]
                for n in names}  # fmt: skip
    finally:
        con.close()


def test_each_stored_result_is_a_table_of_its_own(refreshed: Path) -> None:
    """DuckDB reads a BLOB column a vector at a time: payloads sharing a table were all
    read to serve one of them (1.9 GB to read a 15 KB result of a 10M warehouse)."""
    import duckdb

    from analytics.warehouse.precomputed import payload_table, read_result

    con = duckdb.connect(str(refreshed), read_only=True)
    index = con.sql("SELECT * FROM meta.precomputed").pl()
    con.close()
    assert "payload" not in index.columns
    assert _payload_tables(refreshed) == dict.fromkeys(index["payload_table"], 1)
    con = connect_readonly(refreshed)
    try:
        for row in index.iter_rows(named=True):
            key = ResultKey(row["kind"], row["month"], row["config_hash"], row["as_of"],
                            row["code_hash"], row["model_hash"])  # fmt: skip
            assert payload_table(key) == row["payload_table"]
            assert len(read_result(con, key)) == row["bytes"]
    finally:
        con.close()


def test_storing_results_lets_those_of_another_version_of_the_code_go(tmp_path: Path) -> None:
    import duckdb

    from analytics.warehouse.precomputed import read_result, store_results

    db = tmp_path / "w.duckdb"
    old = ResultKey("review", "2026-10", "cfg", "", "old-code")
    kept = ResultKey("review", "2026-09", "cfg", "", "new-code")
    store_results(db, {old: b"old", kept: b"new"})
    assert len(_payload_tables(db)) == 2
    new = ResultKey("review", "2026-10", "cfg", "", "new-code")
    store_results(db, {new: b"newer"})
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert [read_result(con, k) for k in (old, kept, new)] == [None, b"new", b"newer"]
        codes = con.execute("SELECT DISTINCT code_hash FROM meta.precomputed").fetchall()
    finally:
        con.close()
    assert codes == [("new-code",)]
    assert len(_payload_tables(db)) == 2


def test_an_import_drops_every_payload_table(refreshed: Path) -> None:
    from analytics.warehouse.database import updating

    assert _payload_tables(refreshed)
    with updating(refreshed):  # any write of data
        pass
    assert _payload_tables(refreshed) == {}


def test_the_warnings_of_a_review_survive_the_bytes_and_reach_a_stored_pack(
    refreshed: Path,
) -> None:
    from analytics.pack import build_pack, render_pack

    cfg = load_config(CONFIG)
    con = connect_readonly(refreshed)
    tables, as_of = load_tables(con), latest_timestamp(con)
    fresh = build_review(tables, cfg, month="2026-10", as_of=as_of)
    speed = fresh.speed_to_lead.filter(pl.col("status") != "pending").head(3)
    log = speed.select(
        pl.lit("new_mql").alias("kind"), "lead_id", "episode", pl.lit("sent").alias("status"),
        pl.col("started_at").alias("sent_at"), "deadline_at",  # as notify logs an alert
    )  # fmt: skip
    warned = build_review(tables, cfg, month="2026-10", as_of=as_of, notifications=log)
    assert warned.warnings is not None and warned.warnings["warned"].sum() == 3
    assert_same_review(from_bytes(to_bytes(warned)), warned)

    def kept(config, label, moment):
        return stored(con, "review", month=label, config=config, as_of=moment)

    packs = [
        build_pack(tables, cfg, month="2026-10", as_of=as_of, stored=s, notifications=log)
        for s in (None, kept)
    ]
    assert render_pack(packs[1], fmt="md") == render_pack(packs[0], fmt="md")
    assert packs[1].review.warnings is not None
    con.close()


# -- the lead-scoring results (the Lead qualification page, sla score report) ------------


def assert_same_value(got: object, want: object, where: str = "") -> None:
    """Equal frames (dtypes, order, exact values), and equal everything else, recursively."""
    if isinstance(want, pl.DataFrame):
        assert isinstance(got, pl.DataFrame), where
        assert_frame_equal(got, want, check_exact=True)
    elif isinstance(want, dict):
        assert isinstance(got, dict) and list(got) == list(want), where
        for k in want:
            assert_same_value(got[k], want[k], f"{where}.{k}")
    elif isinstance(want, list | tuple):
        assert type(got) is type(want) and len(got) == len(want), where
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            assert_same_value(g, w, f"{where}[{i}]")
    elif isinstance(want, float) and want != want:
        assert got != got, where
    else:
        assert got == want, where


def test_stored_scoring_results_equal_a_fresh_computation(refreshed: Path) -> None:
    from analytics.precompute import SCORING_KINDS, compute_scoring, model_hash
    from analytics.scoring.thresholds import precompute_thresholds, slider_top, threshold_table

    db, cfg = refreshed, load_config(CONFIG)
    con = connect_readonly(db)
    tables, as_of = load_tables(con), latest_timestamp(con)
    assert model_hash(db) == ""  # no model saved beside this warehouse
    kept = {k: stored(con, k, month="", config=cfg, as_of=as_of) for k in SCORING_KINDS}
    fresh = compute_scoring(tables, cfg, as_of=as_of)
    for kind in SCORING_KINDS:
        assert kept[kind] is not None, kind
        assert_same_value(kept[kind], fresh[kind], kind)
    # every slider position's stored row is what the page computed from the base per move
    base = precompute_thresholds(tables, cfg, as_of=as_of)
    table = threshold_table(base)
    assert_frame_equal(kept["thresholds"]["table"], table, check_exact=True)
    current = float(cfg.scoring.mql_threshold)
    points = kept["thresholds"]["points"]
    assert points["threshold"].to_list()[0] == 0.0
    assert points["threshold"].max() == slider_top(table, current)
    for chosen in (0.0, 17.0, current, float(slider_top(table, current))):
        one = threshold_table(base, thresholds=[chosen, current])
        assert_frame_equal(
            points.filter(pl.col("threshold") == chosen),
            one.filter(pl.col("threshold") == chosen),
            check_exact=True,
        )
    assert (kept["thresholds"]["sql_leads"], kept["thresholds"]["weekly_capacity"]) == (
        base.sql_leads,
        base.weekly_capacity,
    )
    # another saved model: the stored results are not those of this warehouse's model
    assert stored(con, "lead_list", month="", config=cfg, as_of=as_of, model="other") is None
    con.close()


def test_the_score_report_from_stored_thresholds_equals_a_fresh_one(refreshed: Path) -> None:
    from analytics.scoring.model import train_and_evaluate
    from analytics.scoring.report import score_report

    db, cfg = refreshed, load_config(CONFIG)
    con = connect_readonly(db)
    tables, as_of = load_tables(con), latest_timestamp(con)
    kept = stored(con, "thresholds", month="", config=cfg, as_of=as_of)
    model = train_and_evaluate(tables, cfg, as_of=as_of).model  # one model: one version
    fresh = score_report(tables, cfg, as_of=as_of, model=model)
    fast = score_report(tables, cfg, as_of=as_of, model=model, thresholds=kept)
    con.close()
    assert_same_value(fast, fresh)


def test_the_qualification_page_opens_on_stored_results_without_recomputing(
    refreshed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After an import the qualification page reads the stored threshold table, slider
    points, score quality, sales feedback and lead list: nothing of them is computed,
    not even when the slider moves."""
    import analytics.scoring.feedback
    import analytics.scoring.reasons
    import analytics.scoring.report
    import analytics.scoring.thresholds
    from dashboard.i18n import num

    db, cfg = refreshed, load_config(CONFIG)
    con = connect_readonly(db)
    kept = stored(con, "thresholds", month="", config=cfg, as_of=latest_timestamp(con))
    con.close()

    at = app_refusing(
        monkeypatch,
        db,
        [
            (analytics.scoring.thresholds, "precompute_thresholds"),
            (analytics.scoring.thresholds, "threshold_table"),
            (analytics.scoring.report, "score_quality"),
            (analytics.scoring.feedback, "rejections_by_grade"),
            (analytics.scoring.feedback, "rule_suggestions"),
            (analytics.scoring.feedback, "sales_feedback"),
            (analytics.scoring.reasons, "lead_lists"),
        ],
    )
    at.switch_page("views/qualification.py").run()
    assert not at.exception, at.exception[0].value
    current = int(cfg.scoring.mql_threshold)
    for chosen in (current, current - 7):
        at.slider(key="threshold").set_value(chosen).run()
        assert not at.exception, at.exception[0].value
        row = kept["points"].filter(pl.col("threshold") == float(chosen)).row(0, named=True)
        shown = metrics(at)
        assert shown["MQLs per month"] == num(row["mqls_per_month"], "en"), shown


# -- what the At risk and Handoffs pages read besides the review ------------------------------


def test_stored_page_results_equal_a_fresh_computation(refreshed: Path) -> None:
    from analytics.precompute import PAGE_KINDS, compute_pages

    db, cfg = refreshed, load_config(CONFIG)
    con = connect_readonly(db)
    tables, as_of = load_tables(con), latest_timestamp(con)
    kept = {k: stored(con, k, month="", config=cfg, as_of=as_of) for k in PAGE_KINDS}
    fresh = compute_pages(dataclasses.replace(tables, episodes=None), cfg, as_of=as_of)
    for kind in PAGE_KINDS:
        assert kept[kind] is not None, kind
        assert_same_value(kept[kind], fresh[kind], kind)
    # the demo has alerts and a conversion in some bucket: nothing trivial compared
    alerts = kept["alerts"]["alerts"]
    assert alerts.height > 0 and kept["alerts"]["by_rep"]["total"].sum() == alerts.height
    assert kept["alerts"]["missing"] == {}
    assert kept["bucket_conversion"]["x"].sum() > 0
    con.close()


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_at_risk_and_handoffs_pages_open_on_stored_results_without_recomputing(
    refreshed: Path, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    """After an import the At risk page reads the stored alerts and the Handoffs page the
    stored review and bucket conversion: no alert, review or conversion is computed and
    the tables are never loaded (the reps table alone is read)."""
    import analytics.alerts
    import analytics.response_time
    import analytics.review
    import analytics.warehouse.database
    from dashboard.i18n import num

    db, cfg = refreshed, load_config(CONFIG)
    con = connect_readonly(db)
    as_of = latest_timestamp(con)
    found = stored(con, "alerts", month="", config=cfg, as_of=as_of)
    con.close()

    at = app_refusing(
        monkeypatch,
        db,
        [
            (analytics.alerts, "alerts"),
            (analytics.alerts, "alert_coverage"),
            (analytics.response_time, "conversion_by_response_time"),
            (analytics.review, "build_review"),
            (analytics.warehouse.database, "load_tables_held"),
        ],
    )
    if lang == "de":
        at.segmented_control(key="lang").set_value("de").run()
    at.switch_page("views/at_risk.py").run()
    assert not at.exception, at.exception[0].value
    overdue = found["alerts"].filter(pl.col("status") == "overdue").height
    shown = metrics(at)
    assert shown["Overdue" if lang == "en" else "Überfällig"] == num(overdue, lang), shown
    assert at.dataframe[0].value.shape[0] == found["alerts"].height  # the list (per rep: static)
    # another horizon is not what was stored: it is computed (here: refused)
    at.number_input(key="alert_hours").set_value(9.0).run()
    assert at.exception and "computed although" in at.exception[0].value
    at.number_input(key="alert_hours").set_value(8.0).run()
    assert not at.exception, at.exception[0].value
    at.switch_page("views/handoffs.py").run()
    assert not at.exception, at.exception[0].value
    import json

    from dashboard.i18n import t

    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    title = t("c_bucket_conv_title", lang)
    drawn = [s for s in specs if s.get("usermeta", {}).get("title") == title]
    assert len(drawn) == 1, [s.get("usermeta") for s in specs]  # the stored conversion


# -- what `sla score report` says of the saved model --------------------------------------


@pytest.fixture(scope="module")
def with_model(warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the demo warehouse with a saved model and the lead-scoring results stored
    for it (as after ``sla score train``)."""
    from analytics.scoring.model import models_dir, save_model, train_and_evaluate

    db = tmp_path_factory.mktemp("with_model") / "warehouse.duckdb"
    shutil.copy(warehouse, db)
    cfg = load_config(CONFIG)
    con = connect_readonly(db)
    tables, as_of = load_tables(con), latest_timestamp(con)
    model = train_and_evaluate(tables, cfg, as_of=as_of).model
    con.close()
    save_model(model, models_dir(db))
    refresh_results(db, cfg, reviews=False)
    return db


def test_the_stored_model_evaluation_equals_a_fresh_one(with_model: Path) -> None:
    from analytics.precompute import model_hash
    from analytics.scoring.model import latest_model, load_model, models_dir
    from analytics.scoring.report import model_evaluation, score_report

    db, cfg = with_model, load_config(CONFIG)
    con = connect_readonly(db)
    tables, as_of = load_tables(con), latest_timestamp(con)
    digest = model_hash(db)
    kept = {
        kind: stored(con, kind, month="", config=cfg, as_of=as_of, model=digest)
        for kind in ("thresholds", "model_evaluation")
    }
    # keyed by the model: nothing is served for another one (or for none)
    assert stored(con, "model_evaluation", month="", config=cfg, as_of=as_of) is None
    model = load_model(latest_model(models_dir(db)))
    fresh = model_evaluation(tables, cfg, as_of=as_of, model=model)
    assert kept["model_evaluation"] is not None
    assert_same_value(kept["model_evaluation"], fresh)
    # not a trivial document: both scores judged on the newer leads, the model's table
    assert fresh["n_test"] > 100 and len(fresh["model_thresholds"]) > 5
    assert 0.5 < fresh["rule_score"]["roc_auc"] < 1 and 0.5 < fresh["model"]["roc_auc"] < 1
    assert fresh["model"]["version"] == model.version
    thresholds, evaluation = kept["thresholds"], kept["model_evaluation"]
    assert_same_value(
        score_report(tables, cfg, as_of=as_of, thresholds=thresholds, evaluation=evaluation),
        score_report(tables, cfg, as_of=as_of, model=model),
    )
    con.close()


def test_sla_score_report_reads_what_was_stored_and_prints_the_same_bytes(
    with_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the results stored for the saved model, ``sla score report`` (JSON and table)
    loads no model and evaluates nothing, and prints exactly what it computes without them."""
    from typer.testing import CliRunner

    import analytics.precompute
    import analytics.scoring.model
    import analytics.scoring.report
    from analytics.cli import app

    runner = CliRunner()
    commands = [
        ["score", "report", "--db", str(with_model), "--config", str(CONFIG), *extra]
        for extra in (["--json"], [])
    ]

    def outputs() -> list[str]:
        runs = [runner.invoke(app, command) for command in commands]
        for run in runs:
            assert run.exit_code == 0, run.output
        return [run.stdout for run in runs]

    def refuse(*args, **kwargs):
        raise AssertionError("computed although a stored result was there")

    with monkeypatch.context() as patch:
        for module, name in [
            (analytics.scoring.model, "load_model"),
            (analytics.scoring.report, "model_evaluation"),
            (analytics.scoring.report, "evaluate_model"),
            (analytics.scoring.report, "train_and_evaluate"),
            (analytics.scoring.report, "precompute_from_predictions"),
            (analytics.scoring.report, "precompute_thresholds"),
        ]:
            patch.setattr(module, name, refuse)
        fast = outputs()
    with monkeypatch.context() as patch:
        patch.setattr(analytics.precompute, "stored", lambda *args, **kwargs: None)
        fresh = outputs()
    assert fast == fresh
    assert '"model_thresholds"' in fast[0] and "Recommended threshold" in fast[1]


def test_another_model_file_is_evaluated_not_served_the_stored_evaluation(
    with_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The evaluation is keyed by the model file's bytes: ``--model`` naming another
    model evaluates that one (here: refused), and the same bytes elsewhere are served."""
    from datetime import timedelta

    from typer.testing import CliRunner

    import analytics.scoring.report
    from analytics.cli import app
    from analytics.scoring.model import latest_model, models_dir, save_model, train_and_evaluate

    cfg = load_config(CONFIG)
    con = connect_readonly(with_model)
    earlier = latest_timestamp(con) - timedelta(days=60)
    other = train_and_evaluate(load_tables(con), cfg, as_of=earlier).model
    con.close()
    copied = tmp_path / "copy"
    copied.mkdir()
    saved = latest_model(models_dir(with_model))
    for suffix in (".skops", ".json"):
        shutil.copy(saved.with_suffix(suffix), copied / saved.with_suffix(suffix).name)
    other_path = save_model(other, tmp_path / "other")

    def refuse(*args, **kwargs):
        raise AssertionError("computed although a stored result was there")

    monkeypatch.setattr(analytics.scoring.report, "model_evaluation", refuse)
    base = ["score", "report", "--db", str(with_model), "--config", str(CONFIG), "--json"]
    runner = CliRunner()
    served = runner.invoke(app, [*base, "--model", str(copied)])
    assert served.exit_code == 0, served.output
    evaluated = runner.invoke(app, [*base, "--model", str(other_path)])
    assert evaluated.exit_code != 0
    assert "computed although" in str(evaluated.exception)


def test_stored_episodes_give_every_month_and_moment_what_the_events_give(refreshed: Path) -> None:
    """The episodes stored from the whole history, cut at any ``as_of``, are exactly the
    ones built from the events known then: every month's review and the pages' results
    are the same with them as without (nothing learned from the future)."""
    from analytics.episodes import EPISODE_COLUMNS, episodes_of, mql_episodes
    from analytics.precompute import compute_pages

    db, cfg = refreshed, load_config(CONFIG)
    con = connect_readonly(db)
    with_stored = load_tables(con).collect()
    assert with_stored.episodes is not None
    without = dataclasses.replace(with_stored, episodes=None)
    moments = [
        datetime(2025, 12, 20, tzinfo=UTC),
        datetime(2026, 3, 1, tzinfo=UTC),
        datetime(2026, 7, 15, 9, 30, tzinfo=UTC),
        latest_timestamp(con),
    ]
    for as_of in moments:
        cut = with_stored.until(as_of)
        got = episodes_of(cut).collect().sort("lead_id", "episode")
        fresh = cut.lifecycle_events, cut.leads
        want = mql_episodes(*fresh).collect().sort("lead_id", "episode")
        assert got.columns == list(EPISODE_COLUMNS)
        assert_frame_equal(got, want, check_exact=True)
        # some episode ended after the moment: stored with its end, open at the moment
        assert got["ended_at"].null_count() > 0
    months = ["2025-12", *[f"2026-{m:02d}" for m in range(1, 12)]]
    for month in months:
        assert_same_review(
            build_review(with_stored, cfg, month=month), build_review(without, cfg, month=month)
        )
    for as_of in moments[1:3]:
        month = f"{as_of.year}-{as_of.month:02d}"
        assert_same_review(
            build_review(with_stored, cfg, month=month, as_of=as_of),
            build_review(without, cfg, month=month, as_of=as_of),
        )
        got_pages = compute_pages(with_stored, cfg, as_of=as_of)
        want_pages = compute_pages(without, cfg, as_of=as_of)
        for kind in want_pages:
            assert_same_value(got_pages[kind], want_pages[kind], kind)
    segment = {"source": "email"}
    assert_same_review(
        build_review(with_stored, cfg, month="2026-10", segment=segment),
        build_review(without, cfg, month="2026-10", segment=segment),
    )
    con.close()


def test_episodes_are_read_only_when_stored_for_this_code(
    warehouse: Path, refreshed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import analytics.precompute

    con = connect_readonly(warehouse)  # the data of an import, no results stored yet
    assert load_tables(con).episodes is None
    con.close()
    con = connect_readonly(refreshed)
    assert load_tables(con).episodes is not None
    monkeypatch.setattr(analytics.precompute, "code_hash", lambda: "an upgrade")
    assert load_tables(con).episodes is None  # another version's episodes: built again
    con.close()


def test_stored_episodes_are_not_read_for_other_events_or_leads(refreshed: Path) -> None:
    """Tables whose events or leads were replaced (an analyst's what-if in a notebook) get
    the episodes of *their* events, not the stored ones of the warehouse's; tables that
    only hold the same data in memory keep reading the stored ones."""
    from analytics.cli import _alert_tables
    from analytics.episodes import episodes_of, mql_episodes

    con = connect_readonly(refreshed)
    tables = load_tables(con).collect()
    assert tables.stored_episodes is not None
    first_mqls = (
        tables.lifecycle_events.filter(pl.col("stage") == "mql")
        .group_by("lead_id")
        .agg(pl.col("entered_at").min())
    )
    # what if every lead had only its first MQL: one episode a lead
    edited = dataclasses.replace(
        tables,
        lifecycle_events=tables.lifecycle_events.join(
            first_mqls, on=["lead_id", "entered_at"], how="semi"
        ).filter(pl.col("stage") == "mql"),
    )
    assert edited.stored_episodes is None
    got = episodes_of(edited).collect().sort("lead_id", "episode")
    want = mql_episodes(edited.lifecycle_events, edited.leads).collect()
    assert_frame_equal(got, want.sort("lead_id", "episode"), check_exact=True)
    assert got["episode"].max() == 1 < episodes_of(tables).collect()["episode"].max()
    fewer_leads = dataclasses.replace(tables, leads=tables.leads.head(10))
    assert fewer_leads.stored_episodes is None
    # held in memory for `sla alerts`: the same data, so the stored episodes still count
    assert _alert_tables(con).stored_episodes is not None
    assert tables.until(latest_timestamp(con)).stored_episodes is not None
    assert tables.for_leads(tables.leads.head(5).select("lead_id")).stored_episodes is not None
    con.close()


def test_results_computed_while_another_writer_swapped_the_file_are_not_stored(
    warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An import (or purge) that lands while a refresh computes makes the refresh's results
    those of data that is gone: they are dropped, and the file stays the writer's."""
    import analytics.precompute as precompute
    from analytics.warehouse.database import DataChanged, file_identity, updating

    db = tmp_path / "w.duckdb"
    shutil.copy(warehouse, db)
    months_to_keep = precompute.months_to_keep

    def meanwhile_an_import(*args, **kwargs):
        with updating(db) as con:  # another writer swaps in a new file
            con.execute("DELETE FROM core.sales_touches")
        return months_to_keep(*args, **kwargs)

    monkeypatch.setattr(precompute, "months_to_keep", meanwhile_an_import)
    with pytest.raises(DataChanged, match="changed while the results were computed"):
        refresh_results(db, load_config(CONFIG), scoring=False)
    after_the_import = file_identity(db)
    con = connect_readonly(db)
    try:
        assert stored_results(con).is_empty()
        assert con.execute("SELECT count(*) FROM core.sales_touches").fetchall() == [(0,)]
    finally:
        con.close()
    assert file_identity(db) == after_the_import


def test_results_stored_after_a_write_describe_the_new_file_while_this_process_holds_the_old(
    tmp_path: Path,
) -> None:
    """DuckDB hands a process the instance of a file it still has open, after a write has
    replaced the file (duckdb/duckdb#15912): a notebook holding the warehouse that ran a
    purge stored results of the data before it (the erased lead in the lead list). The
    results are read from the file as it is now."""
    from analytics.warehouse import import_canonical
    from analytics.warehouse.connection import connect_current

    folder = tmp_path / "in"
    folder.mkdir()
    leads = "lead_id,created_at,source\nA,2026-08-03T09:00:00Z,email\n"
    (folder / "leads.csv").write_text(leads)
    db = tmp_path / "w.duckdb"
    import_canonical(db, folder)
    held = connect_readonly(db)  # as a notebook or an app holds it
    try:
        (folder / "leads.csv").write_text(leads + "B,2026-11-03T09:00:00Z,email\n")
        import_canonical(db, folder)  # a write: the file is replaced
        stale = connect_readonly(db)
        assert stale.sql("SELECT count(*) FROM core.leads").fetchall() == [(1,)]  # the bug
        stale.close()
        with connect_current(db) as fresh:
            assert fresh.sql("SELECT count(*) FROM core.leads").fetchall() == [(2,)]
        assert not [p.name for p in tmp_path.iterdir() if ".stage-" in p.name]  # link gone
        months = refresh_results(db, load_config("data/sla.toml"))["months"]
        assert "2026-10" in months  # as of November's lead, not of August's
    finally:
        held.close()


def test_results_are_computed_from_a_copy_that_is_removed_after(
    refreshed: Path, tmp_path: Path
) -> None:
    """:func:`refresh_results` reads a Parquet copy of the tables (its connection closed
    meanwhile); the copy holds the stored episodes as stored, and nothing of it is left
    beside the warehouse after."""
    from analytics.warehouse.database import snapshot_tables

    copied = tmp_path / "copy"
    copied.mkdir()
    con = connect_readonly(refreshed)
    try:
        stored = load_tables(con)
        copy = snapshot_tables(con, copied, max_rows=0)
        assert stored.stored_episodes is not None and copy.stored_episodes is not None
        assert_frame_equal(copy.stored_episodes.collect(), stored.stored_episodes.collect())
        assert_frame_equal(copy.coverage_rows.collect(), stored.coverage_rows.collect())
        before = stored_results(con).drop("computed_at", "bytes")
    finally:
        con.close()
    refresh_results(refreshed, load_config(CONFIG))
    assert not [p.name for p in refreshed.parent.iterdir() if ".stage-" in p.name]
    con = connect_readonly(refreshed)
    try:
        assert_frame_equal(stored_results(con).drop("computed_at", "bytes"), before)
    finally:
        con.close()
