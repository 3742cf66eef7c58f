"""The app is safe to share: data values never become live Markdown, and one place
(``dashboard/access.py``) decides who may see and change what.

A small demo warehouse (600 leads) whose rep and nurture-track names are hostile strings
(a link, a tracking pixel, a script, a formula) is shown page by page under AppTest: every
Markdown the app draws must hold them as escaped, literal text.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from analytics.config import load_config

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "dashboard" / "app.py")
CONFIG = ROOT / "data" / "sla.toml"
END = datetime(2026, 11, 20, tzinfo=UTC)
TIMEOUT = 120

LINK = "[Bitte hier klicken](http://example.org)"
PIXEL = "![](http://example.org/pixel.png)"
SCRIPT = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://example.org")'
#: Markdown that would be live: a link (but the page's own anchors) or image, a tag, an address.
LIVE = re.compile(r"(?<!\\)\](?!\(#)\(|(?<!\\)!\[|<script|<img|(?<!\\)://")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse whose first reps and unknown nurture track carry hostile names."""
    from analytics.demo import generate_demo
    from analytics.warehouse import write_tables

    cfg = load_config(CONFIG)
    frames = generate_demo(cfg, leads=600, seed=1, end=END)
    reps = frames["reps"]
    names = dict(zip(reps["rep_id"].to_list()[:3], (LINK, SCRIPT, FORMULA), strict=True))
    frames["reps"] = reps.with_columns(
        pl.col("rep_id").replace_strict(names, default=pl.col("name")).alias("name")
    )
    enrollments = frames["nurture_enrollments"]
    assert "legacy-newsletter" in enrollments["track"].to_list()  # the demo's unknown track
    frames["nurture_enrollments"] = enrollments.with_columns(
        pl.col("track").replace("legacy-newsletter", PIXEL)
    )
    db = tmp_path_factory.mktemp("hostile") / "warehouse.duckdb"
    write_tables(db, frames, source="test", config=cfg)
    return db


def open_app(db: Path, monkeypatch: pytest.MonkeyPatch, **params: str) -> AppTest:
    monkeypatch.setenv("SLA_DB", str(db))
    monkeypatch.setenv("SLA_CONFIG", str(CONFIG))
    monkeypatch.delenv("SLA_READONLY", raising=False)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update(params)
    at.run()
    assert not at.exception, at.exception[0].value
    return at


def markdown_of(at: AppTest) -> list[str]:
    """Every Markdown text the page drew (body, captions, alerts, headings, help)."""
    kinds = ("markdown", "caption", "info", "warning", "error", "success", "title",
             "header", "subheader")  # fmt: skip
    texts = [str(e.value) for kind in kinds for e in getattr(at, kind)]
    texts += [str(m.help) for m in at.metric if m.help]
    return texts


@pytest.mark.parametrize("page", ["nurturing", "warehouse", "review", "overview"])
def test_hostile_names_are_literal_text_on_every_page(hostile, monkeypatch, page) -> None:
    at = open_app(hostile, monkeypatch)
    at.switch_page(f"views/{page}.py").run()
    assert not at.exception, at.exception[0].value
    texts = markdown_of(at)
    assert texts
    live = [text for text in texts if LIVE.search(text)]
    assert live == []


@pytest.mark.parametrize("page", ["nurturing", "warehouse"])
def test_an_unknown_track_named_like_a_pixel_is_shown_escaped(hostile, monkeypatch, page):
    at = open_app(hostile, monkeypatch)
    at.switch_page(f"views/{page}.py").run()
    assert any("**\\!\\[\\](http:\\/\\/example.org/pixel.png)**" in w.value for w in at.warning)


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        (LINK, "\\[Bitte hier klicken\\](http:\\/\\/example.org)"),
        (SCRIPT, "&lt;script>alert(1)&lt;/script>"),
        (FORMULA, '\\=HYPERLINK("http:\\/\\/example.org")'),
    ],
)
def test_a_rep_filter_shows_the_hostile_name_escaped_under_the_title(
    hostile, monkeypatch, name, shown
) -> None:
    from analytics.warehouse import connect_readonly

    con = connect_readonly(hostile)
    [(rep_id,)] = con.execute("SELECT rep_id FROM core.reps WHERE name = ?", [name]).fetchall()
    con.close()
    at = open_app(hostile, monkeypatch, owner=rep_id)
    assert at.selectbox(key="owner").value == rep_id
    assert any(shown in c.value for c in at.caption)
    assert not [text for text in markdown_of(at) if LIVE.search(text)]
