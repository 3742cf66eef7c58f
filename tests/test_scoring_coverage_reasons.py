"""What the data lets the lead score say: ``score_reasons`` (one rule for ``sla score
report`` and notebook 3) and the lead list with what cannot be measured null."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from analytics.config import load_config
from analytics.scoring.report import ScoreReasons, score_reasons, score_report
from analytics.tables import Tables

CFG = load_config("data/sla.toml")
AT = datetime(2026, 6, 1, tzinfo=UTC)
NO_ACTIVITIES = (
    "No marketing activities were imported: import activities (visits, downloads, webinars)."
)
NO_DEALS = "No opportunities were imported: import opportunities."
NO_SQL = (
    "No lifecycle event of stage sql was imported, so SQLs cannot be counted: import the sql "
    "events (when each lead became an SQL)."
)
OTHER_FIT = (
    "No lead has a value the SLA scores for fit: the leads' country, seniority or role hold "
    "other values than [scoring.fit] in the SLA config lists; add theirs there, or import "
    "industry and size."
)
LEADS = [
    {"lead_id": "L1", "created_at": "2026-01-05T09:00:00Z", "source": "email", "country": "DE"},
    {"lead_id": "L2", "created_at": "2026-02-05T09:00:00Z", "source": "email", "country": "India"},
]
MQL = {"lead_id": "L1", "stage": "mql", "entered_at": "2026-01-06T09:00:00Z"}
SQL = {"lead_id": "L1", "stage": "sql", "entered_at": "2026-01-09T09:00:00Z"}
VISIT = {"activity_id": "a", "lead_id": "L1", "type": "page_view",
         "occurred_at": "2026-01-05T10:00:00Z"}  # fmt: skip


def _tables(*, activities: bool = True, sql: bool = True, fit: bool = True) -> Tables:
    leads = LEADS if fit else [{**lead, "country": "India"} for lead in LEADS]
    return Tables.from_rows(
        leads=leads,
        lifecycle_events=[MQL, SQL] if sql else [MQL],
        activities=[VISIT] if activities else [],
    )


@pytest.mark.parametrize(
    ("shape", "expected"),
    [
        ({}, ScoreReasons(deals=NO_DEALS)),
        ({"activities": False}, ScoreReasons(interest=NO_ACTIVITIES, deals=NO_DEALS)),
        ({"fit": False}, ScoreReasons(fit=OTHER_FIT, deals=NO_DEALS)),
        ({"sql": False}, ScoreReasons(label=NO_SQL, deals=NO_DEALS)),
    ],
)
def test_score_reasons_name_what_the_data_lacks(shape: dict, expected: ScoreReasons) -> None:
    assert score_reasons(_tables(**shape), CFG, as_of=AT) == expected


@pytest.mark.parametrize(
    "shape", [{}, {"activities": False}, {"sql": False}, {"activities": False, "sql": False}]
)
def test_sla_score_report_gives_the_rule_scores_reason_of_score_reasons(shape: dict) -> None:
    """One rule: the report blanks the rule score and its thresholds exactly where the
    notebook's ``ScoreReasons.rule_score`` says so (no activities first, then no SQL)."""
    tables = _tables(**shape)
    report = score_report(tables, CFG, as_of=AT)
    reason = score_reasons(tables, CFG, as_of=AT).rule_score
    assert report["rule_score_reason"] == reason
    assert reason == (NO_ACTIVITIES if "activities" in shape else NO_SQL if shape else None)
    if reason is not None:
        assert report["thresholds"] == [] and report["recommended_threshold"] is None


@pytest.mark.parametrize(
    ("reasons", "rule_score", "grid_sql", "grid_won"),
    [
        (ScoreReasons(), None, None, None),
        (ScoreReasons(interest="i", label="l"), "i", "i", "i"),
        (ScoreReasons(fit="f", label="l"), "l", "f", "f"),
        (ScoreReasons(label="l", deals="d"), "l", "l", "d"),
    ],
)
def test_which_reason_each_part_gives(
    reasons: ScoreReasons, rule_score: str | None, grid_sql: str | None, grid_won: str | None
) -> None:
    assert reasons.rule_score == rule_score
    assert (reasons.grid("sql"), reasons.grid("won")) == (grid_sql, grid_won)


def test_the_lead_list_says_unknown_points_are_unknown_not_0_or_grade_d() -> None:
    leads = pl.DataFrame(
        {"lead_id": ["L1", "L2"], "score": [32.0, 10.0], "fit_points": [32.0, 10.0],
         "interest_points": [0.0, 0.0], "fit_grade": ["B", "D"], "interest_grade": ["4", "4"],
         "reasons": ["seniority VP +12", "country DE +10"]}
    )  # fmt: skip
    no_interest = ScoreReasons(interest="no activities").known(leads)
    assert no_interest.select("score", "interest_points", "interest_grade").null_count().row(0) == (
        2, 2, 2,
    )  # fmt: skip
    assert_frame_equal(no_interest.drop("score", "interest_points", "interest_grade"),
                       leads.drop("score", "interest_points", "interest_grade"))  # fmt: skip
    no_fit = ScoreReasons(fit="no fit")
    assert no_fit.unknown_columns() == {"fit_points": "no fit", "fit_grade": "no fit"}
    assert no_fit.known(leads)["fit_grade"].to_list() == [None, None]
    assert no_fit.known(leads)["score"].to_list() == [32.0, 10.0]
    assert_frame_equal(ScoreReasons().known(leads), leads)
