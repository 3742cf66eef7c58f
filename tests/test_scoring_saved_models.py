"""A saved model beside the warehouse: its card read safely (a broken one is named, never a
traceback) and checked against the config in force and the warehouse (score audit,
findings 9 and 6), in `sla score report` and on the Lead qualification page."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from app_support import open_page
from scoring_support import case_db
from typer.testing import CliRunner

from analytics.cli import app
from analytics.texts import Text, render

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "data" / "sla.toml"


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A 300-lead warehouse (every 7th lead and half the demo requests an SQL) and the model
    `sla score train` saved."""
    db = case_db(tmp_path_factory.mktemp("saved"), rule="mixed")
    res = runner.invoke(app, ["score", "train", "--db", str(db), "--json"])
    assert res.exit_code == 0, res.output
    return db, Path(json.loads(res.stdout)["path"])


def _beside(trained: tuple[Path, Path], tmp: Path, card: str | None = None) -> tuple[Path, Path]:
    """A copy of the warehouse with a copy of the model as its latest, one byte longer (so
    that no result stored for the model's bytes is used), its card ``card`` if given."""
    db, model = trained
    (tmp / "models").mkdir()
    copy = tmp / "models" / model.name
    copy.write_bytes(model.read_bytes() + b"\n")
    copy.with_suffix(".json").write_text(
        model.with_suffix(".json").read_text() if card is None else card
    )
    shutil.copy(db, tmp / "wh.duckdb")
    return tmp / "wh.duckdb", copy


# -- finding 9: a card that cannot be read ------------------------------------------------------

BROKEN_CARDS = [
    ('{"version": "x"}', "missing key numeric_features"),
    ("[1, 2]", "not a JSON object (found: array)"),
    ("{oops", "invalid JSON at line 1 column 2"),
    ('{"numeric_features": "score", "categorical_features": []}',
     "key numeric_features is not a list of feature names"),
    # the re-audit's MEDIUM 6: valid JSON numbers that crashed the page and the CLI
    ('{"numeric_features": [], "categorical_features": [], "window_days": NaN}',
     "key window_days is not a number of days from 0 to 36525"),
    ('{"numeric_features": [], "categorical_features": [], "age_days": 1e300}',
     "key age_days is not a number of days from 0 to 36525"),
]  # fmt: skip


@pytest.mark.parametrize("given", [True, False], ids=["--model", "latest"])
@pytest.mark.parametrize(("card", "problem"), BROKEN_CARDS)
def test_a_broken_model_card_exits_2_naming_the_card_and_what_is_wrong(
    trained: tuple[Path, Path], tmp_path: Path, card: str, problem: str, given: bool
) -> None:
    """A missing key or a JSON list gave a KeyError/TypeError traceback (exit 1), invalid
    JSON "error: --model: Expecting property name ...", even without --model. The latest
    model, picked by default, leaves the rule score reported (exit 1, the re-audit's LOW 8)."""
    db, model = _beside(trained, tmp_path, card)
    res = runner.invoke(
        app, ["score", "report", "--db", str(db), *(["--model", str(model)] if given else [])]
    )
    assert res.exit_code == (2 if given else 1), res.output
    text = " ".join(res.stderr.split())
    assert "Traceback" not in text
    assert f"{model.with_suffix('.json')}: the model's card is not usable: {problem}" in text
    assert text.startswith("error: --model:") is given
    if given:
        assert not res.stdout
    else:
        assert text.startswith(f"warning: The latest saved model {model} is not used: ")
        assert "Rule-score thresholds" in res.stdout


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_qualification_page_lists_the_leads_without_a_model_whose_card_is_broken(
    trained: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    """The page showed "This app has encountered an error" (KeyError: 'numeric_features')."""
    db, model = _beside(trained, tmp_path, '{"version": "x"}')
    at = open_page(db, monkeypatch, "qualification", lang)
    expected = render(
        "model.card.unreadable", lang=lang, model=model.name, card=model.with_suffix(".json").name,
        problem=Text("model.card.missing_key", {"key": "numeric_features"}),
    )  # fmt: skip
    assert [w.value for w in at.warning] == [expected]
    assert ("Schlüssel numeric_features fehlt" if lang == "de" else "missing key") in expected
    listed = ("The 50 open leads", "Die 50 offenen Leads")  # the list is there, and says so
    assert any(c.value.startswith(listed) for c in at.caption)


# -- a model file that cannot be loaded (the re-audit's LOW 10: its reason in German) -----------

NEWEST = "score-29990101T000000Z"


@pytest.mark.parametrize(
    ("lang", "said", "not_said"),
    [
        ("en", "it cannot be loaded (not a readable skops model)", "kein lesbares"),
        ("de", "es lässt sich nicht laden (kein lesbares skops-Modell)", "not a readable"),
    ],
)
def test_the_page_names_a_model_file_that_cannot_be_loaded_in_its_language(
    trained: tuple[Path, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    lang: str,
    said: str,
    not_said: str,
) -> None:
    """The German page said "… es lässt sich nicht laden (/…/score-….skops: not a readable
    skops model (File is not a zip file))": the English reader's text in a German sentence."""
    db, _ = _beside(trained, tmp_path)
    (tmp_path / "models" / f"{NEWEST}.skops").write_bytes(b"")  # the newest: empty
    at = open_page(db, monkeypatch, "qualification", lang)
    [warning] = [w.value for w in at.warning]
    assert said in warning and not_said not in warning and str(tmp_path) not in warning
    expected = render(
        "model.unloadable",
        lang=lang,
        model=f"{NEWEST}.skops",
        problem=Text("model.file.unreadable"),
    )  # and the older model beside it is not used instead (the re-audit's LOW 8)
    older = render("model.older_unused", lang=lang, older=trained[1].name, model=f"{NEWEST}.skops")
    assert warning == expected + older


# -- a newest model that is no file (the re-audit's LOW 8) -------------------------------------


def _broken_newest(trained: tuple[Path, Path], tmp: Path, kind: str) -> tuple[Path, Path]:
    """A copy of the warehouse and its model, and a newer score-….skops that is a folder or a
    link to no file; the warehouse holds the results an import stores (with no model)."""
    from analytics.config import load_config
    from analytics.precompute import refresh_results

    db, _ = _beside(trained, tmp)
    (tmp / "models").rename(tmp / "aside")
    refresh_results(db, load_config(CONFIG))  # as `sla import` stores them: for no model
    (tmp / "aside").rename(tmp / "models")
    newest = tmp / "models" / f"{NEWEST}.skops"
    if kind == "folder":
        newest.mkdir()
    else:
        newest.symlink_to(tmp / "nowhere.skops")
    return db, newest


BROKEN_NEWEST = [
    ("folder", "a folder, not a model file", "ein Ordner, keine Modelldatei"),
    ("link", "a link to {nowhere}, which does not exist", "ein Verweis auf {nowhere}, das es"),
]


@pytest.mark.parametrize(("kind", "problem", "_"), BROKEN_NEWEST)
def test_a_newest_model_that_is_no_file_leaves_the_rule_score_reported_and_is_named(
    trained: tuple[Path, Path], tmp_path: Path, kind: str, problem: str, _: str
) -> None:
    """`sla score report` exited 2 ("… no score-*.skops model", "no such model file"):
    no rule score, no threshold table, no recommendation, though neither needs the model.
    The valid older model beside it is not used in its place, and the report says so."""
    from analytics.config import load_config
    from analytics.scoring.report import QUALITY_KEYS, score_quality
    from analytics.warehouse import connect_readonly, latest_timestamp, load_tables

    db, newest = _broken_newest(trained, tmp_path, kind)
    older = trained[1].name
    res = runner.invoke(app, ["score", "report", "--db", str(db), "--json"])
    assert res.exit_code == 1, res.output  # done, with a problem reported
    why = (
        f"The latest saved model {newest} is not used: "
        f"{problem.format(nowhere=tmp_path / 'nowhere.skops')}. The older saved model {older} "
        f"is not used in its place: remove {newest.name} to use it. The rule score is reported "
        "without a model: choose one with --model, or retrain with `sla score train`."
    )
    assert " ".join(res.stderr.split()) == f"warning: {why}"
    doc = json.loads(res.stdout)
    assert doc["model_reason"] == why
    assert {k: doc["model"][k] for k in QUALITY_KEYS} == dict.fromkeys(QUALITY_KEYS)
    con = connect_readonly(db)
    try:
        tables, moment = load_tables(con).collect(), latest_timestamp(con)
    finally:
        con.close()
    page = score_quality(tables, load_config(CONFIG), as_of=moment)
    assert doc["rule_score"] == {k: page["metrics"][k] for k in QUALITY_KEYS}
    usual = _report(trained[0])  # the threshold table and recommendation need no model
    assert doc["thresholds"] and doc["recommended_reason"]
    for key in ("thresholds", "recommended_threshold", "recommended_reason", "weekly_capacity"):
        assert doc[key] == usual[key], key
    text = runner.invoke(app, ["score", "report", "--db", str(db)])
    assert text.exit_code == 1 and "Rule-score thresholds" in text.stdout
    given = runner.invoke(app, ["score", "report", "--db", str(db), "--model", str(newest)])
    assert given.exit_code == 2 and not given.stdout  # the file given: nothing done
    assert " ".join(given.stderr.split()).startswith(f"error: --model: {newest}: ")


@pytest.mark.parametrize(("kind", "problem", "german"), BROKEN_NEWEST)
@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_page_names_a_newest_model_that_is_no_file(
    trained: tuple[Path, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    lang: str,
    kind: str,
    problem: str,
    german: str,
) -> None:
    """The page said "No saved model with per-lead factors", with no warning (it read the
    results stored for no model), while a valid older model sat beside the broken one."""
    db, newest = _broken_newest(trained, tmp_path, kind)
    at = open_page(db, monkeypatch, "qualification", lang)
    [warning] = [w.value for w in at.warning]
    nowhere = tmp_path / "nowhere.skops"
    assert (german if lang == "de" else problem).format(nowhere=nowhere) in warning
    assert newest.name in warning and trained[1].name in warning
    kind_text = Text(f"model.file.{kind}" if kind == "folder" else "model.file.dangling",
                     {"target": str(nowhere)})  # fmt: skip
    expected = render("model.unloadable", lang=lang, model=newest.name, problem=kind_text) + render(
        "model.older_unused", lang=lang, older=trained[1].name, model=newest.name
    )
    assert warning == expected
    assert not any("No saved model" in c.value or "Kein gespeichertes" in c.value
                   for c in at.caption)  # fmt: skip


# -- finding 6: a saved model against the config in force and the warehouse -------------------


def _config(tmp: Path, *changes: tuple[str, str]) -> Path:
    """data/sla.toml with each (line start, new line) replaced."""
    lines = CONFIG.read_text().splitlines()
    for start, new in changes:
        hits = [i for i, line in enumerate(lines) if line.startswith(start)]
        assert len(hits) == 1, start
        lines[hits[0]] = new
    path = tmp / "sla.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def _report(db: Path, *args: str) -> dict:
    res = runner.invoke(app, ["score", "report", "--db", str(db), "--json", *args])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_a_model_of_another_label_window_is_not_judged_and_says_why(
    trained: tuple[Path, Path], tmp_path: Path
) -> None:
    """Trained for "SQL within 90 days", it was judged against a 30-day label with no word."""
    db, model = trained
    version = json.loads(model.with_suffix(".json").read_text())["version"]
    mine = _report(db)
    assert mine["model"]["version"] == version and mine["model"]["roc_auc"] is not None
    assert mine["model_reason"] is None and mine["model_note"] is None
    other = _config(tmp_path, ("window_days = 90 ", "window_days = 30"))
    doc = _report(db, "--config", str(other))
    assert doc["model_reason"] == (
        f"The saved model {version} was trained with funnel.window_days 90 (SLA config "
        "2026.2), the config in force has 30: it predicts another label, so its quality is "
        "not judged; retrain with `sla score train`."
    )
    assert doc["model"]["version"] == version
    assert doc["model"]["roc_auc"] is None and doc["model_thresholds"] == []
    res = runner.invoke(app, ["score", "report", "--db", str(db), "--config", str(other)])
    assert "Model quality not measured: The saved model" in " ".join(res.stdout.split())


def test_a_model_of_another_label_window_leaves_the_rule_score_judged_as_the_page_judges_it(
    trained: tuple[Path, Path], tmp_path: Path
) -> None:
    """The re-audit's MEDIUM 5: "rule score │ - │ - …" in the CLI while the page showed
    the rule score's Brier, ECE and ROC AUC: the rule score does not depend on the model."""
    from analytics.config import load_config
    from analytics.scoring.report import QUALITY_KEYS, score_quality
    from analytics.warehouse import connect_readonly, latest_timestamp, load_tables

    db, _ = trained
    other = _config(tmp_path, ("window_days = 90 ", "window_days = 30"))
    doc = _report(db, "--config", str(other))
    assert doc["model_reason"].startswith("The saved model ")
    con = connect_readonly(db)
    try:
        tables, moment = load_tables(con).collect(), latest_timestamp(con)
    finally:
        con.close()
    page = score_quality(tables, load_config(other), as_of=moment)  # what the page shows
    assert doc["rule_score"] == {k: page["metrics"][k] for k in QUALITY_KEYS}
    assert doc["rule_score"]["roc_auc"] is not None
    assert doc["n_test"] == page["n_test"] == doc["rule_score"]["n"]
    assert doc["split_at"] == page["split_at"].isoformat().replace("+00:00", "Z")
    assert {k: doc["model"][k] for k in QUALITY_KEYS} == dict.fromkeys(QUALITY_KEYS)
    res = runner.invoke(app, ["score", "report", "--db", str(db), "--config", str(other)])
    row = next(line for line in res.stdout.splitlines() if "rule score" in line)
    assert f"{page['metrics']['roc_auc']:.3f}" in row and " - " not in row


def test_a_model_of_other_scoring_points_or_another_warehouse_is_flagged(
    trained: tuple[Path, Path], tmp_path: Path
) -> None:
    _, model = trained
    version = json.loads(model.with_suffix(".json").read_text())["version"]
    points = _config(tmp_path, ("demo_request = ", "demo_request = 0"))
    doc = _report(trained[0], "--config", str(points))
    assert doc["model_reason"] is None and doc["model"]["roc_auc"] is not None
    assert doc["model_note"].startswith(
        f"The saved model {version} was trained with other scoring points or size bands"
    )
    # the same lead ids, each created a day later: another warehouse
    other = tmp_path / "other"
    (other / "models").mkdir(parents=True)
    db = case_db(other, shift_days=1)
    shutil.copy(model, other / "models" / model.name)
    shutil.copy(model.with_suffix(".json"), other / "models" / model.with_suffix(".json").name)
    doc = _report(db)
    assert doc["model_note"] == (
        f"The saved model {version} was evidently trained on another warehouse: none of its 5 "
        "reference leads (e.g. L0000) is in this one with the same creation time; retrain "
        "with `sla score train`."
    )
    res = runner.invoke(app, ["score", "report", "--db", str(db)])
    assert "Note: The saved model" in " ".join(res.stdout.split())


@pytest.mark.parametrize(
    ("as_of", "aside"),
    [
        ("2025-05-01T00:00:00Z", False),  # too few leads with a closed window then
        # its test leads all before the model's split: set aside, one trained in memory
        ("2025-11-25T00:00:00Z", True),
    ],
    ids=["too-few", "set-aside"],
)
def test_the_note_on_another_warehouse_stays_when_the_model_cannot_be_evaluated(
    trained: tuple[Path, Path], tmp_path: Path, as_of: str, aside: bool
) -> None:
    """The re-audit's LOW 10: the model of another warehouse lost its note (model_note null)
    as soon as the evaluation failed for another reason, or the model was set aside."""
    _, model = trained
    version = json.loads(model.with_suffix(".json").read_text())["version"]
    db = case_db(tmp_path, shift_days=1)  # the same lead ids, each created a day later
    (tmp_path / "models").mkdir()
    for path in (model, model.with_suffix(".json")):
        shutil.copy(path, tmp_path / "models" / path.name)
    note = (
        f"The saved model {version} was evidently trained on another warehouse: none of its 5 "
        "reference leads (e.g. L0000) is in this one with the same creation time; retrain "
        "with `sla score train`."
    )
    early = ["--as-of", as_of]
    doc = _report(db, *early)
    assert doc["model_note"] == note
    res = runner.invoke(app, ["score", "report", "--db", str(db), *early])
    text = " ".join(res.stdout.split())
    assert f"Note: {note}" in text
    if not aside:
        assert doc["model_reason"].startswith("only ") and doc["model"]["roc_auc"] is None
        assert f"Score quality not measured: {doc['model_reason'].rstrip('.')}." in text
    assert ("learned from every lead of this test period" in res.stderr) is aside


def test_a_card_written_before_the_checks_says_what_cannot_be_checked(
    trained: tuple[Path, Path], tmp_path: Path
) -> None:
    card = json.loads(trained[1].with_suffix(".json").read_text())
    for key in ("features_key", "reference_leads", "split_lead_id", "config_hash"):
        card.pop(key)
    db, _ = _beside(trained, tmp_path, json.dumps(card))
    doc = _report(db)
    assert doc["model"]["roc_auc"] is not None and doc["model_reason"] is None
    assert doc["model_note"] == (
        f"The saved model {card['version']}'s card was written before these checks: whether "
        "it was trained with the scoring points in force cannot be checked. The saved model "
        f"{card['version']}'s card was written before these checks: whether it was trained "
        "on this warehouse cannot be checked."
    )


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_qualification_page_flags_a_model_of_another_label_window(
    trained: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    db, model = _beside(trained, tmp_path)
    card = json.loads(model.with_suffix(".json").read_text())
    config = _config(tmp_path, ("window_days = 90 ", "window_days = 30"))
    at = open_page(db, monkeypatch, "qualification", lang, config=config)
    expected = render(
        "model.check.window", lang=lang, version=card["version"], trained=90,
        config_version="2026.2", now=30,
    )  # fmt: skip
    assert [w.value for w in at.warning] == [expected]
    assert "funnel.window_days 90" in expected


# -- the re-audit's LOW 10: the stored evaluation and the card beside the same bytes ------------


def _same_bytes(trained: tuple[Path, Path], tmp: Path) -> tuple[Path, Path]:
    """A copy of the warehouse and of its model with the very same bytes: the results stored
    for that model (at `sla score train`) are found for it."""
    db, model = trained
    (tmp / "models").mkdir()
    for path in (model, model.with_suffix(".json")):
        shutil.copy(path, tmp / "models" / path.name)
    shutil.copy(db, tmp / "wh.duckdb")
    return tmp / "wh.duckdb", tmp / "models" / model.name


def test_a_card_rewritten_beside_the_same_model_bytes_is_checked_again(
    trained: tuple[Path, Path], tmp_path: Path
) -> None:
    """The stored evaluation was keyed by the .skops bytes alone: a card that `sla purge`
    (forget_leads) or a hand rewrote was never checked again (model_note stayed null)."""
    from analytics.scoring.model import forget_leads

    db, model = _same_bytes(trained, tmp_path)
    card = json.loads(model.with_suffix(".json").read_text())
    assert _report(db)["model_note"] is None
    ids = [r["lead_id"] for r in card["reference_leads"]] + [card["split_lead_id"]]
    assert forget_leads(model.parent, ids) == [model.with_suffix(".json")]  # as sla purge does
    doc = _report(db)
    assert doc["model_note"] == (
        f"The saved model {card['version']}'s reference leads were all erased (`sla purge`): "
        "whether it was trained on this warehouse cannot be checked."
    )
    assert doc["model"]["roc_auc"] is not None and doc["model_reason"] is None
    # a card now saying another label window: not judged
    model.with_suffix(".json").write_text(json.dumps({**card, "window_days": 30}))
    doc = _report(db)
    assert doc["model_reason"].startswith(
        f"The saved model {card['version']} was trained with funnel.window_days 30"
    )
    assert doc["model"]["roc_auc"] is None


# -- sla purge and the model cards (privacy audit, finding 6) ------------------------------------


def _holding(folder: Path, needles: list[str]) -> list[str]:
    """The needles whose bytes some file under ``folder`` (the data folder) holds."""
    data = b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())
    return sorted(n for n in needles if n.encode() in data)


def test_a_purge_drops_the_erased_leads_from_the_model_cards_and_the_model_still_works(
    trained: tuple[Path, Path], tmp_path: Path
) -> None:
    from analytics.scoring.model import load_model

    db, model = _beside(trained, tmp_path)
    path = model.with_suffix(".json")
    card = json.loads(path.read_text())
    refs, split = card["reference_leads"], card["split_lead_id"]
    erased = [refs[1]["lead_id"], split]
    assert split not in [r["lead_id"] for r in refs]  # a test lead; the others trained it
    assert _holding(tmp_path, erased) == sorted(erased)  # the scan sees them (the card)
    before = _report(db)
    assert before["model_note"] is None and before["model"]["roc_auc"] is not None
    command = ["purge", "--lead", erased[0], "--lead", erased[1], "--db", str(db), "--json"]
    res = runner.invoke(app, command)
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["model_cards"] == 1
    expected = {k: v for k, v in card.items() if k != "split_lead_id"}
    expected["reference_leads"] = [refs[0], *refs[2:]]
    assert json.loads(path.read_text()) == expected
    assert refs[1]["scored_at"] not in path.read_text()  # the erased lead's creation moment
    assert _holding(tmp_path, erased) == []  # no byte of them in the folder (.skops included)
    assert load_model(model).card == expected
    after = _report(db)  # still judged, and still known as this warehouse's model
    assert after["model_note"] is None and after["model_reason"] is None
    assert after["model"]["roc_auc"] is not None
    res = runner.invoke(app, ["purge", "--lead", refs[0]["lead_id"], "--db", str(db)])
    assert "1 model card(s) in models/ no longer name the erased leads" in res.output


def test_a_card_whose_reference_leads_were_all_erased_says_so(
    trained: tuple[Path, Path], tmp_path: Path
) -> None:
    db, model = _beside(trained, tmp_path)
    path = model.with_suffix(".json")
    card = json.loads(path.read_text())
    ids = [r["lead_id"] for r in card["reference_leads"]] + [card["split_lead_id"]]
    res = runner.invoke(app, ["purge", *(a for i in ids for a in ("--lead", i)), "--db", str(db)])
    assert res.exit_code == 0, res.output
    rewritten = json.loads(path.read_text())
    assert rewritten["reference_leads"] == [] and "split_lead_id" not in rewritten
    doc = _report(db)
    assert doc["model"]["roc_auc"] is not None and doc["model_reason"] is None
    assert doc["model_note"] == (
        f"The saved model {card['version']}'s reference leads were all erased (`sla purge`): "
        "whether it was trained on this warehouse cannot be checked."
    )
    assert _holding(tmp_path, ids) == []


def test_a_purge_of_every_load_drops_every_lead_from_the_model_cards(
    trained: tuple[Path, Path], tmp_path: Path
) -> None:
    db, model = _beside(trained, tmp_path)
    path = model.with_suffix(".json")
    card = json.loads(path.read_text())
    ids = [r["lead_id"] for r in card["reference_leads"]] + [card["split_lead_id"]]
    res = runner.invoke(app, ["purge", "--before", "2999-01-01", "--db", str(db), "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["model_cards"] == 1
    expected = {k: v for k, v in card.items() if k != "split_lead_id"}
    assert json.loads(path.read_text()) == {**expected, "reference_leads": []}
    assert _holding(tmp_path, ids) == []
