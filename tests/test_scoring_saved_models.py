"""A saved model beside the warehouse: its card read safely (a broken one is named, never a
traceback) and checked against the config in force and the warehouse (score audit,
findings 9 and 6), in `sla score report` and on the Lead qualification page."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from scoring_support import case_db
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from analytics.cli import app
from analytics.texts import Text, render

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "dashboard" / "app.py")
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
]  # fmt: skip


@pytest.mark.parametrize("given", [True, False], ids=["--model", "latest"])
@pytest.mark.parametrize(("card", "problem"), BROKEN_CARDS)
def test_a_broken_model_card_exits_2_naming_the_card_and_what_is_wrong(
    trained: tuple[Path, Path], tmp_path: Path, card: str, problem: str, given: bool
) -> None:
    """A missing key or a JSON list gave a KeyError/TypeError traceback (exit 1), invalid
    JSON "error: --model: Expecting property name ...", even without --model."""
    db, model = _beside(trained, tmp_path, card)
    res = runner.invoke(
        app, ["score", "report", "--db", str(db), *(["--model", str(model)] if given else [])]
    )
    assert res.exit_code == 2, res.output
    text = " ".join(res.stderr.split())
    assert "Traceback" not in text and not res.stdout
    assert f"{model.with_suffix('.json')}: the model's card is not usable: {problem}" in text
    assert text.startswith("error: --model:") is given
    if not given:
        assert text.startswith(f"error: the latest saved model {model} (used by default;")


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_qualification_page_lists_the_leads_without_a_model_whose_card_is_broken(
    trained: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    """The page showed "This app has encountered an error" (KeyError: 'numeric_features')."""
    db, model = _beside(trained, tmp_path, '{"version": "x"}')
    monkeypatch.setenv("SLA_DB", str(db))
    monkeypatch.setenv("SLA_CONFIG", str(CONFIG))
    at = AppTest.from_file(APP, default_timeout=120).run()
    if lang == "de":
        at.segmented_control(key="lang").set_value("de").run()
    at.switch_page("views/qualification.py").run()
    assert not at.exception, at.exception[0].value
    expected = render(
        "model.card.unreadable", lang=lang, model=model.name, card=model.with_suffix(".json").name,
        problem=Text("model.card.missing_key", {"key": "numeric_features"}),
    )  # fmt: skip
    assert [w.value for w in at.warning] == [expected]
    assert ("Schlüssel numeric_features fehlt" if lang == "de" else "missing key") in expected
    listed = ("The 50 open leads", "Die 50 offenen Leads")  # the list is there, and says so
    assert any(c.value.startswith(listed) for c in at.caption)
