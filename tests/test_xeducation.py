"""X Education (real data): the adapter drops leaking columns, the model reaches the bar."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from analytics.scoring.calibration import calibration_metrics
from analytics.scoring.model import fit_model
from analytics.warehouse.adapters import import_export
from analytics.warehouse.adapters.xeducation import (
    EXCLUDED_COLUMNS,
    feature_names,
    read_x_education,
    read_xeducation,
    snake,
)

REAL = Path(__file__).parents[1] / ".." / "shared" / "data" / "real"
FILE = REAL / "x_education_leads.csv"
needs_file = pytest.mark.skipif(
    not FILE.is_file(),
    reason=f"X Education data not found at {FILE.resolve()} (a public data set kept outside "
    "the repository, see ../shared/data/real/README.md)",
)


def test_adapter_on_a_tiny_file(tmp_path: Path) -> None:
    (tmp_path / "x_education_leads.csv").write_text(
        "Prospect ID,Lead Number,Lead Origin,Lead Source,Converted,TotalVisits,Tags,"
        "Lead Quality,Country,\n"
        "u1,7,API,Google,1,3,Will revert,High in Relevance,Select,\n"
        "u2,8,Lead Import,Facebook,0,,Ringing,,India,\n"
    )
    frame = read_x_education(tmp_path)
    assert frame.columns == [
        "lead_number", "lead_origin", "lead_source", "total_visits", "country", "converted",
    ]  # fmt: skip
    assert frame["country"].to_list() == [None, "India"]  # "Select" means not filled
    assert frame["total_visits"].to_list() == [3.0, None]
    assert frame["converted"].to_list() == [True, False]
    export = read_xeducation(tmp_path)
    leads, events = export.batches
    assert leads.cells.select("lead_id", "source").rows() == [("7", "organic"), ("8", "social")]
    assert sorted(events.cells.select("lead_id", "stage").rows()) == [
        ("7", "customer"), ("7", "lead"), ("8", "lead"),
    ]  # fmt: skip
    # the file has no dates: every row is dated the file's day, and the import says so
    os.utime(tmp_path / "x_education_leads.csv", (1_780_000_000, 1_780_000_000))  # 2026-05-28
    assert read_xeducation(tmp_path).undated == {"x_education_leads.csv": "2026-05-28"}
    result = import_export(tmp_path / "w.duckdb", tmp_path, fmt="xeducation")
    assert result.warnings()[0] == (
        "x_education_leads.csv has no dates: every row was dated 2026-05-28 (the file's date); "
        "conversions and breakdowns hold, monthly trends, ages and forecasts do not"
    )
    assert result.warnings(lang="de")[0].startswith(
        "x_education_leads.csv enthält keine Datumsangaben: jede Zeile wurde auf den 28.05.2026"
    )
    assert result.to_json_dict()["undated_files"] == {"x_education_leads.csv": "2026-05-28"}
    # and the warehouse knows it: no month counts these leads and customers (audit D12: the
    # pack forecast 71,610 leads for the file's month), with the reason
    from analytics.config import load_config
    from analytics.coverage import UNDATED_TRIGGER, coverage, reason
    from analytics.warehouse import connect_readonly, load_tables

    with connect_readonly(tmp_path / "w.duckdb") as con:
        tables = load_tables(con)
        assert set(tables.lifecycle_events.collect()["trigger"]) == {UNDATED_TRIGGER}
        found = coverage(tables, config=load_config("data/sla.toml"))
    measurable = dict(found.select("group", "measurable").iter_rows())
    # nor the funnel: "yes, 2026-05-28 to 2026-05-28" took the file's day for the data's
    assert (measurable["lead_stage"], measurable["customer_stage"]) == (False, False)
    assert measurable["funnel"] is False
    assert reason("lead_stage", found, lang="de").startswith(
        "Der Export hat keine Daten (wie die Datei von X Education): jede Zeile wurde mit dem"
    )
    # a month before the file's day: not "the data runs from 28 to 28 May" (the file's day)
    assert reason("funnel", found) == reason("lead_stage", found)


@pytest.mark.parametrize(
    ("raw", "name"),
    [("TotalVisits", "total_visits"), ("Page Views Per Visit", "page_views_per_visit"),
     ("A free copy of Mastering The Interview", "a_free_copy_of_mastering_the_interview")],
)  # fmt: skip
def test_snake(raw: str, name: str) -> None:
    assert snake(raw) == name


@needs_file
def test_real_file_has_no_leaking_columns() -> None:
    frame = read_x_education(REAL)
    assert frame.height == 9240 and int(frame["converted"].sum()) == 3561
    leaking = {snake(c) for c in EXCLUDED_COLUMNS}
    assert leaking.isdisjoint(frame.columns)
    assert "select" not in {v.lower() for v in frame["specialization"].drop_nulls().unique()}


#: The features a lead score may use: what the lead filled in and did on the website
#: before sales touched it (no Tags, Lead Quality, Lead Profile, Asymmetrique*, Last
#: Activity, Last Notable Activity).
EXPECTED_NUMERIC = ["total_visits", "total_time_spent_on_website", "page_views_per_visit"]
EXPECTED_CATEGORICAL = [
    "lead_origin", "lead_source", "do_not_email", "do_not_call", "country", "specialization",
    "how_did_you_hear_about_x_education", "what_is_your_current_occupation",
    "what_matters_most_to_you_in_choosing_a_course", "search", "magazine",
    "newspaper_article", "x_education_forums", "newspaper", "digital_advertisement",
    "through_recommendations", "receive_more_updates_about_our_courses",
    "update_me_on_supply_chain_content", "get_updates_on_dm_content", "city",
    "i_agree_to_pay_the_amount_through_cheque", "a_free_copy_of_mastering_the_interview",
]  # fmt: skip


@needs_file
def test_calibrated_model_matches_the_honest_figures_over_five_seeds() -> None:
    """Mean ROC AUC >= 0.865 and mean ECE <= 0.025 over seeds 0-4 (stratified 30 % hold-out).

    The honest reference (../shared/data/real/README.md): HistGradientBoosting 0.869 /
    ECE 0.028, isotonic 0.872 / 0.022. With Last Activity the AUC would be ~0.90: leakage.
    """
    from sklearn.model_selection import train_test_split

    frame = read_x_education(REAL)
    numeric, categorical = feature_names(frame)
    assert (numeric, categorical) == (EXPECTED_NUMERIC, EXPECTED_CATEGORICAL)
    constant = {c for c in categorical if frame[c].n_unique() == 1}
    assert len(constant) >= 4, constant  # magazine, ..., i_agree_to_pay_the_amount_through_cheque
    aucs, eces = [], []
    for seed in range(5):
        train_idx, test_idx = train_test_split(
            np.arange(frame.height),
            test_size=0.3,
            stratify=frame["converted"].to_numpy(),
            random_state=seed,
        )
        train, test = frame[train_idx], frame[test_idx]
        model = fit_model(
            train, label="converted", numeric=numeric, categorical=categorical, random_state=seed
        )
        # a column with one value in every training row ("No" throughout) teaches nothing
        used, dropped = model.card["features"], model.card["dropped_features"]
        assert sorted([*used, *dropped]) == sorted([*EXPECTED_CATEGORICAL, *EXPECTED_NUMERIC])
        assert constant <= set(dropped) and set(dropped.values()) == {"one value"}
        assert model.card["calibration"] == "isotonic"  # 6,468 training rows
        m = calibration_metrics(test["converted"].cast(pl.Int64), model.predict_proba(test))
        aucs.append(m["roc_auc"])
        eces.append(m["ece"])
    assert np.mean(aucs) >= 0.865, (aucs, eces)
    assert np.mean(eces) <= 0.025, (aucs, eces)


def test_a_column_next_months_file_leaves_out_keeps_the_stored_values(tmp_path):
    """The second file has no occupation and no country column: the stored ones stay."""
    from analytics.warehouse import read_core_table

    head = "Lead Number,Lead Source,Lead Origin,Converted"
    db = tmp_path / "w.duckdb"
    for name, text in [
        ("a", f"{head},What is your current occupation,Country\n7001,Google,API,0,Student,India\n"),
        ("b", f"{head}\n7001,Google,API,1\n7002,Google,API,0\n"),
    ]:
        (tmp_path / name).mkdir()
        (tmp_path / name / "x_education_leads.csv").write_text(text, "utf-8")
        import_export(db, tmp_path / name, fmt="xeducation")
    leads = read_core_table(db, "leads").sort("lead_id")
    assert leads.select("lead_id", "job_title", "country").rows() == [
        ("7001", "Student", "India"),
        ("7002", None, None),
    ]
