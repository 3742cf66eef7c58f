"""Reasons per lead: the rule score's points by hand, the model's factors, the lead list."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from analytics.config import load_config
from analytics.scoring.model import fit_model
from analytics.scoring.reasons import (
    lead_list,
    lead_lists,
    model_factors,
    reason_texts,
    rule_score_reasons,
    typical_values,
)
from analytics.scoring.rules import scores_at
from analytics.tables import Tables

CFG = load_config("data/sla.toml")  # half-life 30 days, fit cap 50, interest cap 60
AT = datetime(2026, 3, 2, tzinfo=UTC)


def _tables() -> Tables:
    """L1: Software, 300 employees, DE, C-level decision maker (12 + 14 + 10 + 12 + 10 = 58,
    capped at 50). Before Mar 2: a demo request (30) and a contact request (25) that day,
    15 page views that day (15, capped at 10), a webinar 30 days before (10 / 2 = 5), two
    pricing page views 60 days before (2 x 8 / 4 = 4): 74, capped at 60. A demo request
    after Mar 2 does not count. L2: SQL. L3: disqualified. L4: nothing at all."""
    acts = [("demo_request", "2026-03-02", 1), ("contact_request", "2026-03-02", 1),
            ("page_view", "2026-03-02", 15), ("webinar_attended", "2026-01-31", 1),
            ("pricing_page_view", "2026-01-01", 2), ("demo_request", "2026-03-03", 1)]  # fmt: skip
    rows = [
        {"activity_id": f"{kind}-{day}-{i}", "lead_id": "L1", "type": kind,
         "occurred_at": f"{day}T00:00:00Z"}
        for kind, day, n in acts for i in range(n)
    ]  # fmt: skip
    rows += [
        {"activity_id": f"x{lead}", "lead_id": lead, "type": "demo_request",
         "occurred_at": "2026-03-01T00:00:00Z"} for lead in ("L2", "L3")
    ]  # fmt: skip
    lead = {"created_at": "2025-12-01T00:00:00Z", "source": "email"}
    return Tables.from_rows(
        accounts=[{"account_id": "a", "name": "A", "industry": "Software", "employees": 300,
                   "country": "DE"}],
        leads=[{"lead_id": "L1", "account_id": "a", "seniority": "c_level",
                "role": "decision_maker", **lead}]
        + [{"lead_id": i, **lead} for i in ("L2", "L3", "L4")],
        activities=rows,
        lifecycle_events=[
            {"lead_id": "L2", "stage": "sql", "entered_at": "2026-03-01T12:00:00Z"},
            {"lead_id": "L3", "stage": "disqualified", "entered_at": "2026-03-01T12:00:00Z"},
        ],
    )  # fmt: skip


def test_rule_score_reasons_by_hand() -> None:
    moments = pl.LazyFrame({"lead_id": ["L1"], "at": [AT]})
    got = rule_score_reasons(_tables(), CFG, moments)
    rows = [(r["part"], r["factor"], r["value"], r["count"], r["points"]) for r in got.to_dicts()]
    assert rows == [
        ("fit", "size_band", "250-999", None, 14.0),
        ("fit", "industry", "software", None, 12.0),
        ("fit", "seniority", "c_level", None, 12.0),
        ("fit", "country", "DE", None, 10.0),
        ("fit", "role", "decision_maker", None, 10.0),
        ("interest", "demo_request", None, 1, 30.0),
        ("interest", "contact_request", None, 1, 25.0),
        ("interest", "page_view", None, 15, 10.0),  # the type's cap
        ("interest", "webinar_attended", None, 1, 5.0),  # one half-life ago
        ("interest", "pricing_page_view", None, 2, 4.0),  # two half-lives ago
        ("cap", "interest_cap", None, None, -14.0),
        ("cap", "fit_cap", None, None, -8.0),
    ]
    score = scores_at(_tables(), CFG, moments).collect()["score"][0]
    assert score == 110.0 == got["points"].sum()


def test_reason_texts_in_both_languages() -> None:
    moments = pl.LazyFrame({"lead_id": ["L1"], "at": [AT]})
    reasons = rule_score_reasons(_tables(), CFG, moments)
    assert reason_texts(reasons)["reasons"][0] == (
        "demo request ×1 +30 · contact request ×1 +25 · size band 250-999 +14 · "
        "industry software +12"
    )
    assert reason_texts(reasons, lang="de", top=1)["reasons"][0] == "Demo-Anfrage ×1 +30"


def test_lead_list_holds_open_leads_by_score_with_reasons() -> None:
    got = lead_list(_tables(), CFG, as_of=AT)
    assert got["lead_id"].to_list() == ["L1", "L4"]  # L2 is SQL, L3 disqualified
    assert got.row(0, named=True)["score"] == 110.0
    assert got.row(0, named=True)["reasons"].startswith("demo request ×1 +30")
    assert got.row(1, named=True)["reasons"] is None  # no points: no reasons


def test_model_factors_name_the_feature_that_drives_the_prediction() -> None:
    rng = np.random.default_rng(0)
    n = 2000
    driver = rng.choice(["hot", "cold"], n)
    frame = pl.DataFrame(
        {
            "lead_id": [f"L{i}" for i in range(n)],
            "driver": driver,
            "noise": rng.normal(size=n),
            "y": (driver == "hot") & (rng.random(n) < 0.8),
        }
    )
    model = fit_model(frame, label="y", numeric=["noise"], categorical=["driver"])
    typical = typical_values(frame, numeric=["noise"], categorical=["driver"])
    assert typical["driver"] in ("hot", "cold")
    factors = model_factors(model, frame.head(50), typical=typical, top=1)
    assert factors.height == 50
    factors = factors.join(frame.select("lead_id", "driver"), on="lead_id")
    hot = factors.filter(pl.col("driver") == typical["driver"])
    other = factors.filter(pl.col("driver") != typical["driver"])
    assert hot.height and other.height
    # a lead whose driver differs from the typical one: the driver is its top factor
    assert set(other["feature"]) == {"driver"}
    assert (other["effect"].abs() > 0.3).all()
    # a lead with the typical driver: the driver changes nothing, noise is all there is
    assert (hot.filter(pl.col("feature") == "driver")["effect"] == 0).all()
    assert (hot["effect"].abs() < 0.3).all()
    assert factors["probability"].to_list() == pytest.approx(
        model.predict_proba(frame.head(50)).tolist()
    )


@pytest.mark.parametrize("k", [2, 3, 7])
def test_open_leads_scored_in_parts_give_exactly_the_whole_list(k: int) -> None:
    """The open leads are scored in parts of leads (memory follows a part): the top of the
    parts' tops, with the listed leads' reasons, is the list of the whole."""
    from analytics.demo import generate_demo

    demo = Tables.from_frames(
        **generate_demo(CFG, leads=3_000, seed=11, end=datetime(2026, 11, 1, tzinfo=UTC))
    ).collect()
    whole = lead_lists(demo, CFG, limit=40, langs=("en", "de"), partitions=1)
    parts = lead_lists(demo, CFG, limit=40, langs=("en", "de"), partitions=k)
    for lang in ("en", "de"):
        assert whole[lang].height == 40 and whole[lang]["reasons"].null_count() == 0
        assert_frame_equal(parts[lang], whole[lang], check_exact=True)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "industry Manufacturing +12 · country Germany +10 · size band 250-999 +8"),
        ("de", "Branche Fertigung +12 · Land Deutschland +10 · Größenklasse 250-999 +8"),
    ],
)
def test_an_attribute_reads_by_the_configs_display_name(lang, expected):
    """Not 'Branche manufacturing', 'Land DE': the config's [names.<column>] words."""
    from analytics.config import load_config
    from analytics.scoring.reasons import reason_texts

    reasons = pl.DataFrame(
        {"lead_id": ["L"] * 3, "at": [None] * 3, "part": ["fit"] * 3,
         "factor": ["industry", "country", "size_band"],
         "value": ["manufacturing", "DE", "250-999"],
         "count": [None] * 3, "points": [12.0, 10.0, 8.0]},
        schema_overrides={"count": pl.Int64, "at": pl.Datetime("us", "UTC")},
    )  # fmt: skip
    shown = reason_texts(reasons, lang=lang, config=load_config("data/sla.toml"))["reasons"][0]
    assert shown == expected
