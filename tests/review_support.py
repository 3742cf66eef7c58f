"""Helpers shared by the tests of the review (stored, fresh, read in part)."""

from __future__ import annotations

import dataclasses
import re
from datetime import date, timedelta

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


def daily_touches(lead: str, first: str, last: str, *, rep: str = "r1") -> list[dict]:
    """One touch a day of ``lead`` from ``first`` to ``last`` (``YYYY-MM-DD``, 07:00 UTC):
    a hand world whose sales touches are tracked until ``last`` (else touches that end
    days before ``as_of`` have stopped, and nothing after them is judged:
    :func:`analytics.coverage.touch_horizon`). Give it a lead without an MQL
    episode, so that no review number but the touches' extent changes.

    >>> [t["occurred_at"] for t in daily_touches("z", "2026-10-30", "2026-10-31")]
    ['2026-10-30T07:00:00Z', '2026-10-31T07:00:00Z']
    """
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    return [
        {"touch_id": f"track-{lead}-{day}", "lead_id": lead, "rep_id": rep, "channel": "email",
         "occurred_at": f"{day}T07:00:00Z", "outcome": "no_answer"}
        for day in (start + timedelta(days=d) for d in range((end - start).days + 1))
    ]  # fmt: skip


def daily_lead_events(lead: str, first: str, last: str) -> list[dict]:
    """One lifecycle event of stage ``lead`` of ``lead`` a day from ``first`` to ``last``
    (``YYYY-MM-DD``, 07:00 UTC): a hand world whose lifecycle events are recorded until
    ``last`` (else events that end a week before the touches or the new leads have stopped,
    and the review counts no stage of a month that goes on past the last one:
    :func:`analytics.coverage.lifecycle_stopped`). Give it the lead of
    :func:`daily_touches`: the review counts leads from the leads table, not from their
    ``lead`` events, so no review number but the events' extent changes.

    >>> [e["entered_at"] for e in daily_lead_events("z", "2026-10-30", "2026-10-31")]
    ['2026-10-30T07:00:00Z', '2026-10-31T07:00:00Z']
    """
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    return [
        {"lead_id": lead, "stage": "lead", "entered_at": f"{day}T07:00:00Z"}
        for day in (start + timedelta(days=d) for d in range((end - start).days + 1))
    ]


_MARK = "[⁰¹²³⁴⁵⁶⁷⁸⁹]+"


def footnoted_cells(md: str) -> set[str]:
    """Every cell of the Markdown pack's tables, a marked one with its note written out as
    the workbook writes it ("no data: <reason>"); each table numbers its own notes.

    >>> sorted(footnoted_cells("| a | b¹ |\\n|---|---|\\n\\n- ¹ why\\n"))
    ['a', 'b: why']
    """
    cells = set()
    blocks = md.split("\n\n")
    for table, after in zip(blocks, [*blocks[1:], ""], strict=True):
        notes = dict(re.findall(rf"^- ({_MARK}) (.*)$", after, flags=re.M))
        for row in (line for line in table.splitlines() if line.startswith("| ")):
            for cell in row.strip("| ").split(" | "):
                marked = re.fullmatch(rf"(.*?)({_MARK})", cell)
                cells.add(f"{marked[1]}: {notes[marked[2]]}" if marked else cell)
    return cells
