"""Display names instead of codes (the SLA config's [names.*], with _de) and the two MQL
targets named apart: the SLA commitment and what the revenue goal needs."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from analytics.config import load_config, parse_config
from analytics.schema import SOURCES, TEAMS

ROOT = Path(__file__).resolve().parent.parent
CFG = load_config(ROOT / "data" / "sla.toml")


@pytest.mark.parametrize(
    ("column", "code", "lang", "name"),
    [
        ("source", "paid_search", "en", "Paid search"),
        ("source", "paid_search", "de", "Bezahlte Suche"),
        ("team", "sdr", "de", "SDR"),
        ("team", "ae", "en", "Account executive"),
        ("industry", "financial_services", "de", "Finanzdienstleistungen"),
        ("country", "AT", "de", "Österreich"),
        ("reason", "no_budget", "de", "Kein Budget"),  # the library's word, capitalised
        ("seniority", "c_level", "en", "C-level"),
        ("industry", "space_mining", "de", "Space mining"),  # unknown: spaces, a capital
        ("source", None, "de", "–"),
    ],
)
def test_display_name(column, code, lang, name) -> None:
    assert CFG.display_name(column, code, lang) == name


def test_every_source_and_team_of_the_schema_has_a_german_name() -> None:
    for column, codes in (("source", SOURCES), ("team", TEAMS)):
        missing = [
            c for c in codes if not (CFG.names[column].get(c) and CFG.names[column][c].label_de)
        ]
        assert not missing, f"[names.{column}] lacks {missing}"


def test_a_track_is_shown_by_its_label() -> None:
    assert CFG.track_name("recycled-reengagement") == "Re-engaging recycled leads"
    assert CFG.track_name("recycled-reengagement", "de") == "Reaktivierung recycelter Leads"
    assert CFG.track_name("legacy-newsletter", "de") == "legacy-newsletter"  # unknown: as is


def test_names_take_only_known_columns_and_german_labels() -> None:
    base = (ROOT / "data" / "sla.toml").read_text()
    with pytest.raises(Exception, match="names"):
        parse_config(base + '\n[names.colour]\nred = { label = "Red" }\n')
    with pytest.raises(Exception, match="label_fr"):
        parse_config(base + '\n[names.role]\nuser = { label = "User", label_fr = "x" }\n')


def test_display_frame_shows_names_words_and_no_id_beside_a_name(monkeypatch) -> None:
    from dashboard import data, ui

    monkeypatch.setattr(data, "config", lambda: CFG)
    frame = pl.DataFrame(
        {
            "owner_rep_id": ["rep-04"],
            "owner_rep_id_name": ["Max Bauer"],
            "team": ["ae"],
            "source": ["paid_social"],
            "is_better": [True],
            "is_reached": [False],
        }
    )
    shown = ui.screen_columns(ui.display_frame(frame, "de"))
    assert shown.row(0, named=True) == {
        "owner_rep_id_name": "Max Bauer",
        "team": "Account Executive",
        "source": "Social Ads",
        "is_better": "besser",
        "is_reached": "nein",
    }


# -- the two MQL targets -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pack():
    from analytics.demo import generate_demo
    from analytics.pack import build_pack
    from analytics.tables import Tables

    end = datetime(2026, 11, 20, tzinfo=UTC)
    tables = Tables.from_frames(**generate_demo(CFG, leads=800, seed=3, end=end))
    return build_pack(tables, CFG, month="2026-11")


@pytest.mark.parametrize(
    ("lang", "commitment", "needed"),
    [
        ("de", "der SLA-Zusage von 700 MQLs im Monat", "Umsatzziel / dafür nötig"),
        ("en", "of the SLA commitment of 700 MQLs a month", "Revenue goal / needed for it"),
    ],
)
def test_the_pack_names_both_mql_targets(pack, lang, commitment, needed) -> None:
    from analytics.pack import render_pack

    for fmt in ("md", "html"):
        text = render_pack(pack, fmt=fmt, lang=lang)
        assert commitment in text and needed in text, fmt
        assert "des monatlichen Ziels" not in text and "of the monthly target" not in text
