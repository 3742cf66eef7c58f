"""Helpers shared by the tests of the review (stored, fresh, read in part)."""

from __future__ import annotations

import dataclasses

import polars as pl
from polars.testing import assert_frame_equal

from analytics.review import Review


def assert_same_review(got_review: Review, fresh: Review) -> None:
    """Every field equal: scalars exactly, frames with their dtypes and row order."""
    assert got_review.to_json_dict() == fresh.to_json_dict()
    for f in dataclasses.fields(Review):
        got, want = getattr(got_review, f.name), getattr(fresh, f.name)
        if isinstance(want, pl.DataFrame):
            assert_frame_equal(got, want, check_exact=True)
        elif f.name == "breaches":
            assert list(got) == list(want)
            for name in want:
                assert_frame_equal(got[name], want[name], check_exact=True)
        else:
            assert got == want, f.name
