"""The examples in the app's helpers and the bench harness run: pytest's
``--doctest-modules`` covers ``analytics`` only (importing a page would draw it, and
``bench/__main__`` would start a benchmark)."""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]

#: Every module of ``dashboard`` and ``bench`` (not their pages) that has an example.
MODULES = sorted(
    package if path.stem == "__init__" else f"{package}.{path.stem}"
    for package in ("dashboard", "bench")
    for path in (ROOT / package).glob("*.py")
    if ">>>" in path.read_text(encoding="utf-8")
)


def test_the_modules_with_examples_are_found() -> None:
    assert {
        "dashboard.ui", "dashboard.access", "dashboard.i18n",
        "bench", "bench.workspace", "bench.report", "bench.pair",
    } <= set(MODULES)  # fmt: skip


@pytest.mark.parametrize("module", MODULES)
def test_doctests(module: str) -> None:
    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0 and result.failed == 0
