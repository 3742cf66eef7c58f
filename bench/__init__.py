"""Benchmarks of the SLA product: ``make bench [SCALE=10k,100k,1m]`` or ``python -m bench``.

Each operation (:mod:`bench.ops`) runs in a fresh process (:mod:`bench.op`) so that its
peak resident memory is its own. Beside every figure it measures, in the same process,
a *lower bound*: DuckDB scanning just the columns the operation needs. The ratio ours /
lower bound shows where the product spends more than the data demands. Budgets from the
product's issues are printed beside the figures (pass/fail), never asserted in tests.

Demo warehouses are generated once per scale and cached under ``bench/out/<scale>/``
(git-ignored); ``bench/results.json`` records the run with the machine it ran on.
"""

from __future__ import annotations

import re

__all__ = ["DEFAULT_OUT", "parse_scale", "scale_label"]

DEFAULT_OUT = "bench/out"
_SUFFIX = {"": 1, "k": 1_000, "m": 1_000_000}


def parse_scale(text: str) -> int:
    """The number of leads of a scale name (``10k``, ``1m``, ``1.5m`` or a plain number).

    >>> parse_scale("10k"), parse_scale("1M"), parse_scale("500")
    (10000, 1000000, 500)
    >>> parse_scale("ten")
    Traceback (most recent call last):
    ...
    ValueError: scale 'ten' is not a number of leads; allowed: e.g. 500, 10k, 100k, 1m, 10m
    """
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*", text)
    if match is None:
        raise ValueError(
            f"scale {text!r} is not a number of leads; allowed: e.g. 500, 10k, 100k, 1m, 10m"
        )
    leads = round(float(match[1]) * _SUFFIX[match[2].lower()])
    if leads < 100:
        raise ValueError(f"scale {text!r} is {leads} leads; the demo needs at least 100")
    return leads


def scale_label(leads: int) -> str:
    """The short name of a number of leads, as used in tables and folder names.

    >>> scale_label(10_000), scale_label(1_000_000), scale_label(2_500)
    ('10k', '1m', '2500')
    """
    if leads % 1_000_000 == 0:
        return f"{leads // 1_000_000}m"
    if leads % 1_000 == 0:
        return f"{leads // 1_000}k"
    return str(leads)
