"""Calibration by segment: an off segment is named, a small one is not judged."""

from __future__ import annotations

import polars as pl

from analytics.scoring.calibration import segment_calibration


def test_an_off_segment_is_named_and_a_small_one_is_not_judged() -> None:
    # webinar: predicted 20 %, 20 of 100 converted (on the mark); paid: predicted 20 %,
    # 45 of 100 (Wilson 95 % interval 35.6-54.8 %: off); events: 30 leads (too few);
    # size band missing for the 30 event leads
    frame = pl.DataFrame(
        {
            "source": ["webinar"] * 100 + ["paid"] * 100 + ["event"] * 30,
            "size_band": ["1-49"] * 200 + [None] * 30,
            "probability": [0.2] * 230,
            "y": [1] * 20 + [0] * 80 + [1] * 45 + [0] * 55 + [1] * 30,
        }
    )
    got = segment_calibration(frame, by=["source", "size_band"])
    rows = {(r["dimension"], r["segment"]): r for r in got.to_dicts()}
    assert list(rows) == [
        ("size_band", "1-49"), ("size_band", "(missing)"),
        ("source", "paid"), ("source", "webinar"), ("source", "event"),
    ]  # fmt: skip
    assert rows[("source", "webinar")]["off"] is False
    assert abs(rows[("source", "webinar")]["ece"]) < 1e-12
    paid = rows[("source", "paid")]
    assert paid["off"] is True and paid["observed"] == 0.45
    assert abs(paid["ece"] - 0.25) < 1e-12 and paid["ci_low"] > 0.2
    event = rows[("source", "event")]  # 30 leads: no verdict, only counts
    assert (event["leads"], event["converted"]) == (30, 30)
    assert event["off"] is None and event["ece"] is None and event["observed"] is None
    # the size band 1-49 mixes both sources: 65 of 200 against 20 % predicted
    assert rows[("size_band", "1-49")]["off"] is True
