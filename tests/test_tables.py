"""Tables: the typed frames every metric receives, and the data as known at as_of."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import pytest

from analytics.schema import TABLES
from analytics.tables import Tables


def test_every_table_has_the_canonical_schema_even_when_empty():
    for name, lf in Tables.empty().items():
        assert lf.collect_schema() == TABLES[name].polars_schema


def test_unknown_table_is_named():
    with pytest.raises(ValueError, match="unknown table 'lead'"):
        Tables.from_rows(lead=[])


def test_until_drops_later_rows_and_undoes_later_exits_and_closes():
    # as_of 2026-10-31 12:00 UTC: the lead created after it disappears, the opportunity
    # won after it is still open, the enrollment exited after it is still running.
    t = Tables.from_rows(
        leads=[
            {"lead_id": "a", "created_at": "2026-10-01T00:00:00Z", "source": "email"},
            {"lead_id": "b", "created_at": "2026-11-01T00:00:00Z", "source": "email"},
        ],
        opportunities=[
            {
                "opportunity_id": "o",
                "lead_id": "a",
                "created_at": "2026-10-10T00:00:00Z",
                "closed_at": "2026-11-02T00:00:00Z",
                "amount": 10.0,
                "status": "won",
            },
        ],
        nurture_enrollments=[
            {
                "enrollment_id": "e",
                "lead_id": "a",
                "track": "x",
                "enrolled_at": "2026-10-02T00:00:00Z",
                "exited_at": "2026-11-03T00:00:00Z",
                "exit_reason": "completed",
            },
        ],
        web_traffic=[
            {"date": "2026-10-31", "source": "email", "visitors": 5},
            {"date": "2026-11-01", "source": "email", "visitors": 7},
        ],
    )
    known = t.until(datetime(2026, 10, 31, 12, tzinfo=UTC)).collect()
    assert known.leads.collect()["lead_id"].to_list() == ["a"]
    assert known.opportunities.collect().select("status", "closed_at").row(0) == ("open", None)
    assert known.nurture_enrollments.collect().select("exited_at", "exit_reason").row(0) == (
        None,
        None,
    )
    assert known.web_traffic.collect()["visitors"].to_list() == [5]


def test_latest_timestamp_spans_all_tables_and_is_none_when_empty():
    assert Tables.empty().latest_timestamp() is None
    t = Tables.from_rows(
        leads=[{"lead_id": "a", "created_at": "2026-10-01T00:00:00Z", "source": "email"}],
        opportunities=[
            {
                "opportunity_id": "o",
                "created_at": "2026-10-02T00:00:00Z",
                "closed_at": "2026-10-09T08:00:00+02:00",
                "amount": 1.0,
                "status": "won",
            }
        ],
    )
    assert t.latest_timestamp() == datetime(2026, 10, 9, 6, tzinfo=UTC)


def test_from_frames_casts_and_fills_missing_columns():
    t = Tables.from_frames(reps=pl.DataFrame({"rep_id": [1], "name": ["Ana"], "team": ["sdr"]}))
    reps = t.reps.collect()
    assert reps["rep_id"].to_list() == ["1"]
    assert reps["active"].to_list() == [None]


def _lead_tables() -> Tables:
    """Five leads; activities of b, d and of a lead missing from leads (c2); an opportunity
    without a lead."""
    return Tables.from_rows(
        accounts=[{"account_id": "acc", "name": "A"}],
        leads=[{"lead_id": i, "created_at": "2026-10-01T00:00:00Z"} for i in "edcba"],
        activities=[
            {"activity_id": "x1", "lead_id": "b", "type": "page_view"},
            {"activity_id": "x2", "lead_id": "d", "type": "page_view"},
            {"activity_id": "x3", "lead_id": "d", "type": "email_open"},
            {"activity_id": "x4", "lead_id": "c2", "type": "page_view"},
        ],
        opportunities=[{"opportunity_id": "o", "amount": 1.0, "status": "open"}],
    )


@pytest.mark.parametrize(
    ("k", "leads"),
    [
        (1, [["a", "b", "c", "d", "e"]]),
        (2, [["a", "b"], ["c", "d", "e"]]),
        (3, [["a"], ["b", "c"], ["d", "e"]]),
        (5, [["a"], ["b"], ["c"], ["d"], ["e"]]),
        (9, [["a"], ["b"], ["c"], ["d"], ["e"]]),  # no more parts than leads
    ],
)
def test_partitions_split_the_leads_by_id_ranges_with_all_their_rows(k, leads):
    parts = _lead_tables().partitions(k)
    assert [sorted(p.leads.collect()["lead_id"]) for p in parts] == leads
    for part, ids in zip(parts, leads, strict=True):
        acts = part.activities.collect()["lead_id"].to_list()
        # c2 is not a lead, but sorts between c and d: in the part of c
        assert sorted(acts) == sorted(a for a in ["b", "d", "d", "c2"] if a[0] in ids)
        assert part.accounts.collect().height == 1
    every = pl.concat([p.activities for p in parts]).collect()
    assert sorted(every["activity_id"]) == ["x1", "x2", "x3", "x4"]
    # the opportunity without a lead: in the first part only
    assert [p.opportunities.collect().height for p in parts] == [1] + [0] * (len(parts) - 1)


def test_partitions_by_default_one_per_leads_per_part_above_whole_up_to():
    t = _lead_tables()
    assert len(t.partitions()) == 1
    parts = t.partitions(leads_per_part=2, whole_up_to=4)
    assert [p.leads.collect().height for p in parts] == [1, 2, 2]
    assert len(t.partitions(leads_per_part=2, whole_up_to=5)) == 1  # kept whole
    assert len(Tables.empty().partitions(4)) == 1
    with pytest.raises(ValueError, match="k = 0: the number of parts must be at least 1"):
        t.partitions(0)


def test_for_leads_keeps_the_rows_of_those_leads():
    part = _lead_tables().for_leads(pl.DataFrame({"lead_id": ["d", "a"]}))
    assert sorted(part.leads.collect()["lead_id"]) == ["a", "d"]
    assert part.activities.collect()["activity_id"].sort().to_list() == ["x2", "x3"]
    assert part.opportunities.collect().height == 0 and part.accounts.collect().height == 1
