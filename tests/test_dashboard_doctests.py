"""The examples in the app's helper modules run (pytest's ``--doctest-modules`` covers
``analytics`` only: importing a page would draw it)."""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

HELPERS = sorted(
    f"dashboard.{path.stem}"
    for path in (Path(__file__).parents[1] / "dashboard").glob("*.py")
    if ">>>" in path.read_text(encoding="utf-8")
)


def test_the_helpers_with_examples_are_found() -> None:
    assert {"dashboard.ui", "dashboard.access", "dashboard.i18n"} <= set(HELPERS)


@pytest.mark.parametrize("module", HELPERS)
def test_doctests_of_the_app_helpers(module: str) -> None:
    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0 and result.failed == 0
