"""Nothing learned from the future: the point-in-time guard and `score train`'s leakage check."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from analytics.config import load_config
from analytics.demo import generate_demo
from analytics.schema import ACTIVITY_TYPES
from analytics.scoring.leakage import LeakageError, leaking_features, single_feature_auc
from analytics.scoring.model import (
    CATEGORICAL_FEATURES,
    NUMERIC_FEATURES,
    fit_model,
    scoring_samples,
)
from analytics.scoring.rules import scores_at
from analytics.tables import Tables

CFG = load_config("data/sla.toml")
AS_OF = datetime(2026, 11, 1)
FEATURES = ["lead_id", "scored_at", *CATEGORICAL_FEATURES, *NUMERIC_FEATURES]
#: After each lead's scoring moment: a second later, an hour later, three days later.
AFTER = (timedelta(seconds=1), timedelta(hours=1), timedelta(days=3))


@pytest.fixture(scope="module")
def frames() -> dict[str, pl.DataFrame]:
    return generate_demo(CFG, leads=3000, seed=11, end=AS_OF)


def _with_the_future(frames: dict[str, pl.DataFrame], samples: pl.DataFrame) -> Tables:
    """The demo plus, after every lead's scoring moment, activities of every type, sales
    touches, and stage changes (an MQL, an SQL, a disqualification) that sales made."""
    leads = samples.select("lead_id", "scored_at")
    rep = frames["reps"]["rep_id"][0]
    acts, touches, events = [], [], []
    for i, delta in enumerate(AFTER):
        at = pl.col("scored_at") + delta
        for t in ACTIVITY_TYPES:
            acts.append(
                leads.select(
                    (pl.lit(f"future-{t}-{i}-") + pl.col("lead_id")).alias("activity_id"),
                    "lead_id",
                    pl.lit(t).alias("type"),
                    at.alias("occurred_at"),
                )
            )
        touches.append(
            leads.select(
                (pl.lit(f"future-touch-{i}-") + pl.col("lead_id")).alias("touch_id"),
                "lead_id",
                pl.lit(rep).alias("rep_id"),
                at.alias("occurred_at"),
                pl.lit("phone").alias("channel"),
                pl.lit("meeting_booked").alias("outcome"),
            )
        )
        stage = ("mql", "sql", "disqualified")[i]
        events.append(leads.select("lead_id", pl.lit(stage).alias("stage"), at.alias("entered_at")))
    grown = dict(frames)
    grown["activities"] = pl.concat([frames["activities"], *acts], how="diagonal_relaxed")
    grown["sales_touches"] = pl.concat([frames["sales_touches"], *touches], how="diagonal_relaxed")
    grown["lifecycle_events"] = pl.concat(
        [frames["lifecycle_events"], *events], how="diagonal_relaxed"
    )
    return Tables.from_frames(**grown).collect()


def test_appending_the_future_changes_no_feature_score_or_prediction(
    frames: dict[str, pl.DataFrame],
) -> None:
    """Every lead gets activities, touches and stage changes after its scoring moment:
    every feature, the rule score at that moment and the model's prediction stay the same."""
    tables = Tables.from_frames(**frames).collect()
    before = scoring_samples(tables, CFG, as_of=AS_OF).collect()
    future = _with_the_future(frames, before)
    after = scoring_samples(future, CFG, as_of=AS_OF).collect()
    assert before.height > 2000
    grown = future.activities.collect().height - tables.activities.collect().height
    assert grown == len(AFTER) * len(ACTIVITY_TYPES) * before.height
    assert_frame_equal(after.select(FEATURES), before.select(FEATURES), check_exact=True)
    # the rule score at the scoring moment, computed on its own
    moments = before.select("lead_id", pl.col("scored_at").alias("at")).lazy()
    assert_frame_equal(
        scores_at(future, CFG, moments).collect(),
        scores_at(tables, CFG, moments).collect(),
        check_exact=True,
    )
    # a model trained on the original samples predicts the same for the grown data
    model = fit_model(before.filter(pl.col("is_mature")), label="sql")
    np.testing.assert_array_equal(model.predict_proba(after), model.predict_proba(before))
    # the future did arrive: the labels see the appended SQLs
    assert after["sql"].sum() > before["sql"].sum()


@pytest.mark.parametrize(
    ("feature", "reason"),
    [
        ("converted", "its name"),
        ("last_activity", "its name"),
        ("tags", "its name"),
        ("lead_quality", "its name"),
        ("asymmetrique_activity_index", "its name"),
        ("deal_stage", "its name"),
        ("sql_at", "its name"),
        ("copy_of_y", "single-feature ROC AUC 1.000 >= 0.95"),
        ("inverse_of_y", "single-feature ROC AUC 1.000 >= 0.95"),
        ("note", "single-feature ROC AUC"),  # free text that echoes the outcome
    ],
)
def test_a_feature_that_marks_the_outcome_is_refused(feature: str, reason: str) -> None:
    y = np.array([0, 1] * 50)
    frame = pl.DataFrame(
        {
            "y": y,
            "visits": np.arange(100) % 7,
            feature: {
                "copy_of_y": y * 3.0,
                "inverse_of_y": 1.0 - y,
                "note": np.where(y == 1, "signed the contract", "said no"),
            }.get(feature, np.arange(100) % 3),
        }
    )
    found = leaking_features(frame, label="y", features=["visits", feature])
    assert [f.feature for f in found] == [feature]
    assert reason in found[0].reason
    with pytest.raises(LeakageError, match=f"refused 1 feature.*{feature}: .*{reason}"):
        fit_model(frame, label="y", numeric=["visits"], categorical=[feature])


@pytest.mark.parametrize(
    "feature",
    ["days_since_last_activity", "n_activities", "interest_points", "employees", "source"],
)
def test_honest_warehouse_feature_names_pass(feature: str) -> None:
    frame = pl.DataFrame({"y": [0, 1, 1, 0, 1, 0], feature: [1, 2, 1, 2, 2, 1]})
    assert leaking_features(frame, label="y", features=[feature]) == []


def test_single_feature_auc_by_hand() -> None:
    # missing ranks lowest (as 1.0): positives 5, 2 beat negatives 3, 1 in 3 of 4 pairs
    y = np.array([0, 0, 1, 1])
    assert single_feature_auc(pl.Series([3.0, None, 5.0, 2.0]), y) == 0.75
    assert single_feature_auc(pl.Series([1.0, 1.0, 1.0, 1.0]), y) == 0.5
    assert single_feature_auc(pl.Series([1.0, 2.0]), np.array([1, 1])) is None


def test_a_score_reads_the_attributes_known_at_its_moment_not_a_later_imports(tmp_path):
    """The CRM fills in L1's seniority and role after its SQL; the next import brings them.
    L1's scores before that export's data (at its MQL, in the score history, as the
    model's features) read the attributes it had then: DE 10 only, not DE 10 + c_level 12
    + decision_maker 10. L2 never changed. From the data's latest moment on (the export's
    "now", L3's creation here) the new ones count."""
    import dataclasses
    from datetime import UTC

    from analytics.scoring.model import scoring_samples
    from analytics.scoring.rules import attribute_changes, score_history
    from analytics.warehouse import connect_readonly, import_canonical, load_tables

    header = "lead_id,created_at,source,seniority,role,country\n"
    before = tmp_path / "before"
    after = tmp_path / "after"
    before.mkdir()
    after.mkdir()
    last = "L3,2026-06-30T09:00:00Z,email,,,DE\n"  # the data's latest moment
    (before / "leads.csv").write_text(
        header + "L1,2026-01-05T09:00:00Z,email,,,DE\nL2,2026-01-06T09:00:00Z,email,vp,,AT\n" + last
    )
    (after / "leads.csv").write_text(
        header + "L1,2026-01-05T09:00:00Z,email,c_level,decision_maker,DE\n"
        "L2,2026-01-06T09:00:00Z,email,vp,,AT\n" + last
    )
    db = tmp_path / "w.duckdb"
    import_canonical(db, before, config=CFG)
    import_canonical(db, after, config=CFG)
    con = connect_readonly(db)
    try:
        tables = load_tables(con).collect()
    finally:
        con.close()
    known = datetime(2026, 6, 30, 9, tzinfo=UTC)  # the second export's data is known then
    assert tables.lead_history is not None
    assert attribute_changes(tables).collect().rows() == [("L1", known)]
    mql, later = datetime(2026, 1, 10, tzinfo=UTC), known
    moments = pl.LazyFrame({"lead_id": ["L1", "L1", "L2"], "at": [mql, later, mql]}).with_columns(
        pl.col("at").cast(pl.Datetime("us", "UTC"))
    )
    fit = scores_at(tables, CFG, moments).collect()["fit_points"].to_list()
    assert fit == [10.0, 32.0, 12.0 + 8.0]  # L2: vp 12 + AT 8, unchanged
    # the score history steps where the fit changed, and before it reads the old fit
    history = score_history(tables, CFG, as_of=later).filter(pl.col("lead_id") == "L1").collect()
    assert history.select("at", "fit_points").rows() == [
        (datetime(2026, 1, 5, 9, tzinfo=UTC), 10.0),
        (known, 32.0),
    ]
    samples = scoring_samples(tables, CFG, as_of=later).collect().sort("lead_id")
    assert samples.select("lead_id", "seniority", "role").rows() == [
        ("L1", None, None),
        ("L2", "vp", None),
        ("L3", None, None),
    ]
    # without the history (as the current rows alone would say) L1 reads the new values
    current = dataclasses.replace(tables, lead_history=None)
    assert scores_at(current, CFG, moments).collect()["fit_points"].to_list()[0] == 32.0
