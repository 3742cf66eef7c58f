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
