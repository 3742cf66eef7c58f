"""The reverse funnel's trailing rates after the lifecycle events stopped: a month they cut
short feeds no rate its partial counts (its MQLs up to the last event over all of its
leads), as a month with a deal won without an amount feeds no average deal size
(spec/coverage.md: missing data is never a verdict).

The fixture, by hand: one lead a day at 08:00 UTC from 1 Sep to 5 Nov, each with its
``lead`` event; MQLs on 15 Sep (the leads of 1 and 2 Sep) and on 5 Oct (the lead of 1 Oct).
In ``STOPPED`` the lifecycle events end on Friday 16 Oct while the leads go on (none since
on 5 or more working days), in ``CURRENT`` they do not. November's review (as of Thursday
5 Nov, running) pools the 6 months before it, May to October: lead -> MQL is 3 / 61 with
the events current (30 leads in September, 31 in October); with them stopped, October goes
on past the stop and is left out: 2 / 30 from September alone. With a window of one month
(October alone) no month is left: unknown, and the need of leads says why.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from analytics.config import load_config
from analytics.review import build_review
from analytics.tables import Tables

ROOT = Path(__file__).resolve().parent.parent
CFG = load_config(ROOT / "data" / "sla.toml")  # rate_window_months = 6
AS_OF = datetime(2026, 11, 5, 9, tzinfo=UTC)  # a Thursday

#: What the rates leave out, in both languages.
NOTE = {
    "en": "The pooled rates MQL -> SQL, Lead -> MQL leave out 2026-10: the last lifecycle event "
    "recorded is from 2026-10-16, so that month's stage counts are partial (a rate with no "
    "month left is unknown; import the lifecycle events since then).",
    "de": "Die gepoolten Raten MQL -> SQL, Lead -> MQL lassen 2026-10 aus: das letzte erfasste "
    "Lebenszyklus-Ereignis ist vom 16.10.2026, daher sind die Stufenzahlen dieses Monats "
    "unvollständig (eine Rate ohne verbleibenden Monat ist unbekannt; die "
    "Lebenszyklus-Ereignisse seitdem importieren).",
}


def _tables(*, events_until: str | None) -> Tables:
    days = [date(2026, 9, 1) + timedelta(days=d) for d in range((date(2026, 11, 5) -
            date(2026, 9, 1)).days + 1)]  # fmt: skip
    leads = [{"lead_id": f"L{d:%m%d}", "created_at": f"{d}T08:00:00Z", "source": "email"}
             for d in days]  # fmt: skip
    events = [
        *({"lead_id": r["lead_id"], "stage": "lead", "entered_at": r["created_at"]} for r in leads),
        *({"lead_id": lead, "stage": "mql", "entered_at": when}
          for lead, when in (("L0901", "2026-09-15T09:00:00Z"), ("L0902", "2026-09-15T09:00:00Z"),
                             ("L1001", "2026-10-05T09:00:00Z"))),
    ]  # fmt: skip
    if events_until is not None:
        events = [e for e in events if e["entered_at"][5:10] <= events_until]
    return Tables.from_rows(leads=leads, lifecycle_events=events)


CURRENT = _tables(events_until=None)
STOPPED = _tables(events_until="10-16")


def _rate(review, rate: str) -> float | None:
    return review.targets.filter(pl.col("rate_name") == rate)["rate"].item()


@pytest.fixture(scope="module")
def stopped():
    return build_review(STOPPED, CFG, month="2026-11", as_of=AS_OF)


def test_with_the_events_current_every_trailing_month_is_pooled():
    review = build_review(CURRENT, CFG, month="2026-11", as_of=AS_OF)
    assert review.lifecycle_stopped is None
    assert _rate(review, "lead_to_mql") == pytest.approx(3 / 61)
    assert review.rates_left_out == {} and review.rates_note() is None
    assert "rates_left_out" not in review.to_json_dict()  # as before the rule


def test_a_month_the_stop_cut_short_feeds_no_rate(stopped):
    # (November itself: no MQL event reaches it, so its MQLs are not measurable anyway)
    assert stopped.lifecycle_stopped == date(2026, 10, 16)
    assert stopped.rates_left_out == {"mql_to_sql": ("2026-10",), "lead_to_mql": ("2026-10",)}
    assert _rate(stopped, "lead_to_mql") == pytest.approx(2 / 30)  # September alone


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_note_says_which_months_are_left_out_and_why(stopped, lang):
    assert stopped.rates_note(lang=lang) == NOTE[lang]


def test_no_month_left_is_unknown_and_the_need_says_why():
    cfg = CFG.model_copy(update={"goals": CFG.goals.model_copy(update={"rate_window_months": 1})})
    review = build_review(STOPPED, cfg, month="2026-11", as_of=AS_OF)
    assert review.rates_left_out["lead_to_mql"] == ("2026-10",)
    assert _rate(review, "lead_to_mql") is None  # not 1 / 31
    # no deal was ever imported: the first unknown rate on the way down says that first
    assert review.need_reason("leads").startswith("No opportunities were imported")
    ok = review.targets.with_columns(
        pl.when(pl.col("rate_name") != "lead_to_mql").then(pl.lit(0.5)).alias("rate")
    )
    import dataclasses

    assert dataclasses.replace(review, targets=ok).need_reason("leads") == NOTE["en"]


def test_the_review_json_says_what_the_rates_leave_out(stopped):
    doc = stopped.to_json_dict()
    assert doc["rates_left_out"] == {"mql_to_sql": ["2026-10"], "lead_to_mql": ["2026-10"]}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    from analytics.warehouse import write_tables

    db = tmp_path_factory.mktemp("lifecycle-goals") / "w.duckdb"
    write_tables(db, {n: lf.collect() for n, lf in STOPPED.items()}, source="t", config=CFG)
    return db


def test_sla_review_json_says_what_the_rates_leave_out(warehouse):
    from analytics.cli import app

    args = ["review", "--db", str(warehouse), "--month", "2026-11", "--as-of",
            "2026-11-05T09:00:00Z", "--no-record", "--json"]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["rates_left_out"]["lead_to_mql"] == ["2026-10"]


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_review_pack_says_what_the_rates_leave_out(lang):
    from analytics.pack import build_pack
    from analytics.pack.render import render_html, render_markdown

    pack = build_pack(STOPPED, CFG, month="2026-11", as_of=AS_OF)
    md = " ".join(render_markdown(pack, lang=lang).split())
    assert NOTE[lang] in md
    html = " ".join(render_html(pack, lang=lang).split())
    assert NOTE[lang].replace("->", "-&gt;").replace("'", "&#39;") in html


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_monthly_review_page_says_what_the_rates_leave_out(warehouse, monkeypatch, lang):
    from app_support import open_page

    at = open_page(warehouse, monkeypatch, "review", lang)
    at.sidebar.selectbox(key="month").set_value("2026-11").run()
    assert not at.exception, at.exception[0].value
    assert f":gray[:material/block: {NOTE[lang]}]" in [m.value for m in at.markdown]
