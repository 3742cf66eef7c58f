"""One German glossary (analytics.texts.GLOSSARY): every German string of the app, the pack
and the SLA config says each concept with the glossary's term, never a word to avoid."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from analytics.config import load_config
from analytics.texts import TEXTS, glossary_problems
from dashboard.i18n import COLUMNS, TEXT

ROOT = Path(__file__).resolve().parent.parent


def config_texts(node: Any, where: str = "config") -> list[tuple[str, str, str]]:
    """(where, English, German) of every text of the SLA config that has a German variant."""
    from pydantic import BaseModel

    out: list[tuple[str, str, str]] = []
    if isinstance(node, BaseModel):
        for key in getattr(node, "TEXT_KEYS", ()):
            en, de = getattr(node, key, None), getattr(node, f"{key}_de", None)
            if en and de:
                pairs = zip(en, de, strict=False) if isinstance(en, list) else [(en, de)]
                out += [(f"{where}.{key}", e, d) for e, d in pairs]
        for name in type(node).model_fields:
            out += config_texts(getattr(node, name), f"{where}.{name}")
    elif isinstance(node, dict):
        for key, value in node.items():
            out += config_texts(value, f"{where}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += config_texts(value, f"{where}[{i}]")
    return out


ALL = [
    *((f"i18n.TEXT.{k}", en, de) for k, (en, de) in TEXT.items()),
    *((f"i18n.COLUMNS.{k}", en, de) for k, (en, de) in COLUMNS.items()),
    *((f"texts.{k}", en, de) for k, (en, de) in TEXTS.items()),
    *config_texts(load_config(ROOT / "data" / "sla.toml")),
]


def test_every_german_string_keeps_the_glossary() -> None:
    problems = [
        f"{where}: {p} in {de!r}" for where, en, de in ALL for p in glossary_problems(en, de)
    ]
    assert not problems, "\n".join(problems)


def test_the_texts_cover_app_pack_and_config() -> None:
    sources = {where.split(".")[0] for where, _, _ in ALL}
    assert sources == {"i18n", "texts", "config"}
    assert len([w for w in ALL if w[0].startswith("config")]) > 20


@pytest.mark.parametrize(
    ("english", "german", "problem"),
    [
        ("Needs attention", "Braucht Aufmerksamkeit", "needs_attention: says Aufmerksamkeit"),
        ("What it takes", "Was es braucht", "reverse_funnel: says Was es braucht"),
        ("Threshold what-if", "Was wäre, wenn: Schwelle", "what_if: says Was wäre"),
        ("fit grade", "Fit-Note", "grade: says -Note"),
        ("Pace", "Tempo", "pace: says Tempo"),
        ("Recycled too early", "Zu früh recycelt", "premature: says Zu früh"),
        ("{n} episode(s)", "{n} Episode(n)", "plural in brackets: Episode(n)"),
        ("Monthly review", "Monatsreview", "review: no '[Bb]esprechung'"),
    ],
)
def test_the_check_finds_the_words_the_issue_named(english, german, problem) -> None:
    assert problem in glossary_problems(english, german)
