"""`sla score train` and `sla score report`: the stable JSON, exit codes, lazy scikit-learn, and a
warehouse read lazily (out of core) with the same result as on collected tables."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analytics.cli import _plain, app
from analytics.config import load_config
from analytics.tables import Tables

runner = CliRunner()


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from analytics.demo import generate_demo
    from analytics.warehouse import write_tables

    path = tmp_path_factory.mktemp("score") / "demo.duckdb"
    frames = generate_demo(
        load_config("data/sla.toml"), leads=3000, seed=5, end=datetime(2026, 11, 1)
    )
    write_tables(path, frames, source="test")
    return path


def test_train_then_report_json(demo_db: Path) -> None:
    res = runner.invoke(app, ["score", "train", "--db", str(demo_db), "--json"])
    assert res.exit_code == 0, res.output
    card = json.loads(res.stdout)
    saved = Path(card["path"])
    assert saved.parent == demo_db.parent / "models" and saved.exists()
    assert saved.with_suffix(".json").exists()
    res = runner.invoke(app, ["score", "report", "--db", str(demo_db), "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["target"] == "sql_within_window"
    assert set(doc["rule_score"]) >= {"roc_auc", "brier", "ece"}
    assert set(doc["model"]) >= {"roc_auc", "brier", "ece", "log_loss"}
    assert doc["model"]["version"] == card["version"]  # the saved model was used
    from analytics.scoring.model import CATEGORICAL_FEATURES, NUMERIC_FEATURES

    # every input but those with one value among the training leads (scored at creation,
    # each demo lead has shown one activity, its first)
    used, dropped = doc["model"]["features"], card["dropped_features"]
    assert sorted([*used, *dropped]) == sorted([*CATEGORICAL_FEATURES, *NUMERIC_FEATURES])
    assert "source" in used and set(dropped.values()) == {"one value"}
    row_keys = {"threshold", "mqls_per_month", "precision", "recall",
                "expected_sqls_per_month", "workload_ratio"}  # fmt: skip
    assert doc["thresholds"] and all(row_keys <= set(r) for r in doc["thresholds"])
    assert isinstance(doc["recommended_threshold"], int)
    assert doc["as_of"].endswith("Z")

    # as of a moment whose test leads the saved model learned from: one trained as of then
    earlier = ["score", "report", "--db", str(demo_db), "--as-of", "2026-06-01T00:00:00Z"]
    res = runner.invoke(app, [*earlier, "--json"])
    assert res.exit_code == 0, res.output
    assert "learned from every lead of this test period" in res.stderr
    then = json.loads(res.stdout)
    assert then["split_at"][:10] < card["split_at"][:10]  # its own, earlier test period


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["train", "--target", "revenue"], "--target 'revenue' is not known; allowed: sql, won"),
        (["report", "--as-of", "yesterday"], "--as-of: 'yesterday' is not an ISO 8601"),
        (["report", "--model", "nowhere.joblib"], "--model: nowhere.joblib: no such model file"),
    ],
)
def test_bad_input_exits_2_naming_the_option(demo_db: Path, args: list[str], needle: str) -> None:
    res = runner.invoke(app, ["score", *args, "--db", str(demo_db)])
    assert res.exit_code == 2
    assert needle in res.stderr
    assert "Traceback" not in res.stderr


def test_missing_warehouse_exits_2(tmp_path: Path) -> None:
    res = runner.invoke(app, ["score", "report", "--db", str(tmp_path / "none.duckdb"), "--json"])
    assert res.exit_code == 2 and res.stdout == ""


def test_importing_scoring_does_not_import_scikit_learn() -> None:
    code = (
        "import sys, analytics.scoring, analytics.cli\n"
        "print('SKLEARN' if 'sklearn' in sys.modules else 'CLEAN')\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.stdout.strip() == "CLEAN", proc.stderr


def _no_collect(self: Tables) -> Tables:
    raise AssertionError("the score commands must not collect the whole warehouse")


def test_report_reads_lazily_and_equals_the_report_on_collected_tables(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from analytics.scoring.model import load_model
    from analytics.scoring.report import score_report
    from analytics.warehouse import connect_readonly, latest_timestamp, load_tables

    with monkeypatch.context() as patch:
        patch.setattr(Tables, "collect", _no_collect)
        trained = runner.invoke(app, ["score", "train", "--db", str(demo_db), "--json"])
        assert trained.exit_code == 0, trained.output
        model_path = json.loads(trained.stdout)["path"]
        res = runner.invoke(
            app, ["score", "report", "--db", str(demo_db), "--model", model_path, "--json"]
        )
    assert res.exit_code == 0, res.output
    con = connect_readonly(demo_db)
    try:
        tables, moment = load_tables(con).collect(), latest_timestamp(con)
    finally:
        con.close()
    cfg = load_config("data/sla.toml")
    expected = score_report(tables, cfg, as_of=moment, model=load_model(Path(model_path)))
    doc = json.loads(res.stdout)
    # the CLI adds the SLA version that scored (one recorded: the file's) and its month
    assert (doc.pop("sla")["version"], doc.pop("sla_month")) == ("2026.2", "2026-10")
    assert doc == json.loads(json.dumps(_plain(expected)))


def test_empty_warehouse_exits_2_naming_it(tmp_path: Path) -> None:
    from analytics.warehouse.database import updating

    db = tmp_path / "empty.duckdb"
    with updating(db):
        pass
    for command in ("report", "train"):
        res = runner.invoke(app, ["score", command, "--db", str(db), "--json"])
        assert res.exit_code == 2, res.output
        assert f"{db}: the warehouse is empty; nothing to score" in " ".join(res.stderr.split())
        assert res.stdout == ""


class _Planted:
    """A pickle that creates a file when it is loaded (what an attacker would plant)."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple:
        return (open, (str(self.marker), "w"))


def _plant(kind: str, models: Path, marker: Path) -> Path:
    import functools
    import os
    import pickle

    import skops.io as sio

    models.mkdir(parents=True, exist_ok=True)
    name = "score-29990101T000000Z"  # newer than any model trained here
    if kind == "joblib":
        path = models / f"{name}.joblib"
        path.write_bytes(pickle.dumps(_Planted(marker)))
    elif kind == "pickle_as_skops":
        path = models / f"{name}.skops"
        path.write_bytes(pickle.dumps(_Planted(marker)))
    else:  # a real skops file whose content calls os.system
        path = models / f"{name}.skops"
        sio.dump(functools.partial(os.system, f"touch {marker}"), path)
    path.with_suffix(".json").write_text('{"numeric_features": [], "categorical_features": []}')
    return path


@pytest.mark.parametrize(
    ("kind", "via_option", "needle"),
    [
        ("joblib", True, "only .skops models are read"),
        ("pickle_as_skops", False, "not a readable skops model"),
        ("pickle_as_skops", True, "not a readable skops model"),
        ("skops_calling_os_system", False, "types a scoring model never has: posix.system"),
    ],
)
def test_a_planted_model_file_is_refused_before_it_runs_code(
    tmp_path: Path, kind: str, via_option: bool, needle: str
) -> None:
    """`sla score report` finds a hostile file in <db dir>/models (or is pointed at it):
    it exits 2 naming the reason, and the file's code never ran (no marker file)."""
    db = tmp_path / "warehouse.duckdb"
    marker = tmp_path / "pwned"
    planted = _plant(kind, tmp_path / "models", marker)
    args = ["score", "report", "--db", str(db)]
    res = runner.invoke(app, [*args, "--model", str(planted)] if via_option else args)
    assert res.exit_code == 2, res.output
    assert needle in _plain(res.output)
    assert not marker.exists()


def test_a_planted_pickle_beside_no_skops_model_is_never_loaded(tmp_path: Path) -> None:
    from analytics.scoring.model import load_model

    marker = tmp_path / "pwned"
    _plant("joblib", tmp_path, marker)
    with pytest.raises(FileNotFoundError, match=r"1 pickle model\(s\) .* are not loaded"):
        load_model(tmp_path)
    assert not marker.exists()


def test_report_without_activities_says_why_the_rule_score_is_not_judged(tmp_path: Path) -> None:
    """A leads-only export broke sklearn ("window shape cannot be larger than input array
    shape"); now the model learns from what there is and the rule score is not judged."""
    from analytics.demo import generate_demo
    from analytics.warehouse import write_tables

    frames = generate_demo(load_config("data/sla.toml"), leads=3000, seed=5,
                           end=datetime(2026, 11, 1))  # fmt: skip
    frames.pop("activities")
    db = tmp_path / "no-activities.duckdb"
    write_tables(db, frames, source="test")
    res = runner.invoke(app, ["score", "report", "--db", str(db)])
    assert res.exit_code == 0, res.output
    text = " ".join(res.stdout.split())
    assert "Rule score not judged. No marketing activities were imported: import activities" in text
    assert "Rule-score thresholds" not in text and "Recommended threshold" not in text
    doc = json.loads(runner.invoke(app, ["score", "report", "--db", str(db), "--json"]).stdout)
    assert doc["rule_score_reason"].startswith("No marketing activities were imported")


def test_report_on_sqls_recorded_only_for_won_deals_judges_no_score(tmp_path: Path) -> None:
    """Olist's SQLs are its won deals: the report trained on them (ROC AUC 0.43, 120.5
    expected SQLs a month) where `sla review` says SQLs cannot be counted (re-audit 19a,
    finding 5)."""
    from analytics.warehouse.adapters import import_export

    db = tmp_path / "olist.duckdb"
    import_export(db, Path("tests/fixtures/exports/olist"), fmt="olist")
    doc = json.loads(runner.invoke(app, ["score", "report", "--db", str(db), "--json"]).stdout)
    assert doc["model_reason"].startswith("The export records SQLs and opportunities only for won")
    assert doc["model"]["roc_auc"] is None and doc["model_thresholds"] == []
    assert doc["thresholds"] == [] and doc["recommended_threshold"] is None


def test_before_the_first_activity_the_reason_says_so_not_that_none_were_imported(
    demo_db: Path,
) -> None:
    """Score audit, LOW 10: as of a moment before the data, the report said "No marketing
    activities were imported" of a warehouse that holds thousands."""
    res = runner.invoke(
        app, ["score", "report", "--db", str(demo_db), "--as-of", "2020-01-01T00:00:00Z", "--json"]
    )
    assert res.exit_code == 0, res.output
    reason = json.loads(res.stdout)["rule_score_reason"]
    assert reason.startswith("No marketing activity was recorded by 2020-01-01: the first is from")


def test_train_with_no_sql_among_the_test_leads_saves_nothing_and_says_why(tmp_path: Path) -> None:
    """SQLs only among the older 60 % of leads: `score train` printed a TypeError traceback
    (ROC AUC None) after saving a model that then became the default (score audit, finding 5)."""
    from scoring_support import case_db

    db = case_db(tmp_path, rule="oldhalf")
    res = runner.invoke(app, ["score", "train", "--db", str(db)])
    assert res.exit_code == 2, res.output
    text = " ".join(res.stderr.split())
    assert "Traceback" not in text and not res.stdout
    assert "model not saved: ROC AUC not measurable: no SQL among the 90 test leads" in text
    assert "no model is saved" in text
    assert not list((tmp_path / "models").glob("score-*"))
    res = runner.invoke(app, ["score", "train", "--db", str(db), "--json"])
    assert res.exit_code == 2
    doc = json.loads(res.stdout)
    assert doc["path"] is None
    assert doc["metrics_reason"] == "no SQL among the 90 test leads"
    assert doc["metrics"]["roc_auc"] is None and doc["metrics"]["positives"] == 0


def test_a_score_judged_on_a_handful_of_sqls_is_not_judged(tmp_path: Path) -> None:
    """Score audit, MEDIUM 8: a model judged on 2 SQLs among 90 test leads read "ROC AUC
    0.500, ECE 0.013", as if well calibrated, with no count behind it."""
    from scoring_support import case_db

    db = case_db(tmp_path, rule="few")
    doc = json.loads(runner.invoke(app, ["score", "report", "--db", str(db), "--json"]).stdout)
    assert doc["model_reason"] == (
        "Only 2 of the 90 test leads reached SQL: too few to judge a score "
        "(at least 10 of each outcome)."
    )
    for score in ("model", "rule_score"):
        assert (doc[score]["roc_auc"], doc[score]["ece"]) == (None, None)
        assert (doc[score]["n"], doc[score]["positives"]) == (90, 2)
    assert doc["model_thresholds"] == []
    text = " ".join(runner.invoke(app, ["score", "report", "--db", str(db)]).stdout.split())
    assert "Score quality not measured: Only 2 of the 90 test leads reached SQL" in text


def test_every_threshold_rate_carries_its_count_and_interval(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Score audit, MEDIUM 8: "37.5 %" from 3 of 8 MQLs read like 300 of 800."""
    from analytics.stats import wilson

    doc = json.loads(runner.invoke(app, ["score", "report", "--db", str(demo_db), "--json"]).stdout)
    rows = [r for r in doc["thresholds"] if r["mature_mqls"]]
    assert rows
    for r in rows:
        assert r["precision"] == pytest.approx(r["converted_mqls"] / r["mature_mqls"])
        low, high = wilson(r["converted_mqls"], r["mature_mqls"])
        assert (r["precision_low"], r["precision_high"]) == (
            pytest.approx(low),
            pytest.approx(high),
        )
    import analytics.cli

    monkeypatch.setenv("COLUMNS", "200")  # a console of this width, made for this run
    monkeypatch.setattr(analytics.cli.out, "_console", None)
    text = runner.invoke(app, ["score", "report", "--db", str(demo_db)])
    at_60 = next(line for line in text.stdout.splitlines() if line.strip().startswith("60"))
    row = next(r for r in doc["thresholds"] if r["threshold"] == 60)
    assert f"{row['converted_mqls']:,} / {row['mature_mqls']:,}" in at_60


def test_no_sql_model_is_trained_where_no_sql_is_counted(tmp_path: Path) -> None:
    """Score audit, HIGH 2: `sla score train` on Olist learned its won-only 'SQLs' and saved
    the model, which the report and the page then used."""
    from analytics.warehouse.adapters import import_export

    db = tmp_path / "olist.duckdb"
    import_export(db, Path("tests/fixtures/exports/olist"), fmt="olist")
    res = runner.invoke(app, ["score", "train", "--db", str(db)])
    assert res.exit_code == 2, res.output
    text = " ".join(res.stderr.split())
    assert "no model trained to predict SQLs: The export records SQLs and opportunities" in text
    assert not (tmp_path / "models").exists() or not list((tmp_path / "models").iterdir())


# -- today's threshold: the SLA version in force, as notebook 03 and the page -----------------

EXAMPLE = Path("data/sla.toml").read_text(encoding="utf-8")


def _config(folder: Path, name: str, label: str, since: str, threshold: int) -> Path:
    """data/sla.toml as version ``label`` from ``since`` with MQL threshold ``threshold``."""
    text = EXAMPLE
    for old, new in (('version = "2026.2"', f'version = "{label}"'),
                     ('effective_from = "2026-01-01"', f'effective_from = "{since}"'),
                     ("mql_threshold = 60 ", f"mql_threshold = {threshold} ")):  # fmt: skip
        assert old in text, old
        text = text.replace(old, new, 1)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def in_force(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """300 leads up to 2026-09-01 (as_of: September), 2026.2 (data/sla.toml, threshold 60)
    recorded from 2026-01-01 and 2026.3 (threshold 45) from 2026-08-01."""
    from scoring_support import case_db

    from analytics.warehouse.config_history import record_config_if_new

    folder = tmp_path_factory.mktemp("in_force")
    db = case_db(folder)
    v3 = _config(folder, "v3.toml", "2026.3", "2026-08-01", 45)
    assert record_config_if_new(db, load_config(v3))
    return db, v3


def _report(db: Path, config: Path, *extra: str) -> tuple[dict, list[str]]:
    args = ["score", "report", "--db", str(db), "--config", str(config), *extra]
    runs = [runner.invoke(app, [*args, "--json"]), runner.invoke(app, args)]
    for run in runs:
        assert run.exit_code == 0, run.output
    return json.loads(runs[0].stdout), runs[1].stdout.splitlines()


def _h8(path: Path) -> str:
    return load_config(path).content_hash[:8]


def test_report_uses_the_threshold_of_the_version_in_force_not_the_files(in_force) -> None:
    """The file is 2026.2 (threshold 60), September is judged by 2026.3 (45): the report
    said 60 (the file's) where notebook 03 says 45."""
    db, v3 = in_force
    config = Path("data/sla.toml")
    doc, text = _report(db, config)
    assert doc["current_threshold"] == 45 and doc["sla_month"] == "2026-09"
    assert doc["sla"] == {
        "version": "2026.3", "name": load_config(v3).sla.name,
        "content_hash": load_config(v3).content_hash, "effective_from": "2026-08-01",
        "source": str(v3), "given_config": False, "recorded": True, "in_force": True,
        "trial": False, "instead_of": None, "changes_within": [], "zone_boundaries": [],
    }  # fmt: skip
    assert text[:2] == [
        "Lead score as of 2026-09-01T00:00:00Z: MQL threshold 45 and scoring points of the SLA "
        "version that judges 2026-09",
        f"Judged by SLA version 2026.3 ({_h8(v3)}, in force from 2026-08-01); not by the given "
        f"config {config} (version 2026.2, from 2026-01-01)",
    ]
    assert "Recommended threshold: 0 (now 45)." in " ".join(text)


def test_a_file_not_recorded_scores_from_its_own_date_as_on_every_command(
    in_force, tmp_path: Path
) -> None:
    """A file not recorded judges from its effective_from on (as `sla alerts`, `sla info`
    and the app take it): dated ahead, the version in force scores; in force by its date
    and after the recorded ones, it does (the file being edited)."""
    db, _ = in_force
    ahead = _config(tmp_path, "ahead.toml", "2027.1", "2027-01-01", 50)
    doc, _ = _report(db, ahead)
    assert (doc["current_threshold"], doc["sla"]["version"], doc["sla"]["given_config"]) == (
        45, "2026.3", False,
    )  # fmt: skip
    edited = _config(tmp_path, "edited.toml", "2026.4", "2026-09-01", 50)
    doc, text = _report(db, edited)
    assert (doc["current_threshold"], doc["sla"]["version"]) == (50, "2026.4")
    assert (doc["sla"]["given_config"], doc["sla"]["recorded"], doc["sla"]["trial"]) == (
        True, False, False,
    )  # fmt: skip
    assert text[1] == (f"Judged by SLA version 2026.4 ({_h8(edited)}, in force from 2026-09-01)")


def test_a_trial_with_no_record_scores_by_the_given_config_and_says_instead_of_which(
    in_force, tmp_path: Path
) -> None:
    """As `sla review --no-record`: the trial's threshold (50) whatever is recorded, the
    recorded version it stands in for named, and the warehouse left as it is."""
    db, v3 = in_force
    trial = _config(tmp_path, "trial.toml", "trial", "2026-01-01", 50)
    before = db.read_bytes()
    doc, text = _report(db, trial, "--no-record")
    assert doc["current_threshold"] == 50
    sla = doc["sla"]
    assert (sla["version"], sla["given_config"], sla["recorded"], sla["trial"]) == (
        "trial", True, False, True,
    )  # fmt: skip
    assert sla["instead_of"] == {
        "version": "2026.3", "content_hash": load_config(v3).content_hash,
        "effective_from": "2026-08-01",
    }  # fmt: skip
    assert text[1] == (
        f"Judged by {trial} (not recorded: --no-record), version trial ({_h8(trial)}, in force "
        f"from 2026-01-01), instead of recorded version 2026.3 ({_h8(v3)}, in force from "
        "2026-08-01)"
    )
    assert db.read_bytes() == before


def test_train_learns_with_the_version_in_force_and_says_so(in_force, tmp_path: Path) -> None:
    """The model the report judges and the page lists is trained with the scoring points
    and window of the version in force (its card names 2026.3), not the file's 2026.2, so
    that it is not flagged as trained for other points."""
    import shutil

    db, v3 = in_force
    copy = tmp_path / "wh.duckdb"
    shutil.copy(db, copy)
    args = ["score", "train", "--db", str(copy), "--config", "data/sla.toml", "--json"]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["config_hash"] == load_config(v3).content_hash
    assert " ".join(res.stderr.split()).startswith(
        "note: training with the scoring points and window of the version in force: Judged "
        f"by SLA version 2026.3 ({_h8(v3)}, in force from 2026-08-01); not by the given config "
        "data/sla.toml"
    )
