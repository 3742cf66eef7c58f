"""The SLA changing between and inside months, as the review, the pack, the app and the CLI
say it (audit 2026-12-06, "the SLA changing over time")."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from analytics.config import load_config, parse_config

EXAMPLE = Path("data/sla.toml").read_text()
CFG = load_config("data/sla.toml")


def variant(*replacements: tuple[str, str], source: str = "variant.toml"):
    """The example config with text replacements (a real file's content: it has a hash)."""
    text = EXAMPLE
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    return parse_config(text, source=source)


# -- L4: one attempt short -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("short", "lang", "shown"),
    [
        (1, "en", "1 attempt short"),
        (2, "en", "2 attempts short"),
        (1, "de", "1 Versuch zu wenig"),
        (2, "de", "2 Versuche zu wenig"),
    ],
)
def test_a_cadence_breach_one_attempt_short_says_attempt(short, lang, shown):
    """The pack's and the page's breach tables read "1 attempts short"."""
    from analytics.pack.build import _breach_rows
    from analytics.pack.render import _amount

    frame = pl.DataFrame(
        {"lead_id": ["L1"], "owner_rep_id": ["r1"], "spaced_attempts": [6 - short],
         "attempts_short": [short]}
    )  # fmt: skip
    (row,) = _breach_rows("cadence", frame, CFG, lang, as_of=datetime(2026, 11, 1, tzinfo=UTC))
    assert _amount(row["amount"], row["unit"], "cadence", lang) == shown
