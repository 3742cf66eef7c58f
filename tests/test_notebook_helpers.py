"""The helpers the analyst notebooks use: paths from the environment, pooled rates."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from analytics.notebook import (
    answered_months,
    by_version,
    config_path,
    covered,
    covered_overall,
    is_interactive,
    last_complete_month,
    project_root,
    show_tables,
    unanswered,
    unmeasured,
    versions_of_months,
    volume_reason,
    warehouse_path,
)
from analytics.pooling import pool_rates
from analytics.stats import wilson

ROOT = Path(__file__).resolve().parents[1]


def test_project_root_is_found_from_the_notebooks_folder_and_not_outside(tmp_path):
    assert project_root(ROOT / "notebooks") == ROOT
    assert project_root(ROOT / "analytics" / "scoring") == ROOT
    with pytest.raises(FileNotFoundError, match="not inside the project"):
        project_root(tmp_path)


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, ROOT / "data" / "warehouse.duckdb"),
        ({"SLA_DB": ""}, ROOT / "data" / "warehouse.duckdb"),
        # `make notebook` exports SLA_DB=data/warehouse.duckdb while the kernel runs in
        # notebooks/: relative paths are relative to the project root, not the cwd
        ({"SLA_DB": "data/other.duckdb"}, ROOT / "data" / "other.duckdb"),
        ({"SLA_DB": "/srv/w.duckdb"}, Path("/srv/w.duckdb")),
    ],
)
def test_warehouse_path(environ, expected):
    assert warehouse_path(root=ROOT / "notebooks", environ=environ) == expected


def test_config_path():
    assert config_path(root=ROOT, environ={}) == ROOT / "data" / "sla.toml"
    assert config_path(root=ROOT, environ={"SLA_CONFIG": "x.toml"}) == ROOT / "x.toml"


@pytest.mark.parametrize(
    ("environ", "expected"),
    [({"JPY_SESSION_NAME": "/n/3.ipynb"}, True), ({"JPY_SESSION_NAME": ""}, False), ({}, False)],
)
def test_is_interactive(environ, expected):
    assert is_interactive(environ) is expected


@pytest.mark.parametrize(
    ("as_of", "timezone", "month"),
    [
        (datetime(2026, 11, 19, 23, 39, tzinfo=UTC), "UTC", "2026-10"),
        (datetime(2026, 1, 1, 0, 0, tzinfo=UTC), "UTC", "2025-12"),
        # 23:30 UTC on 31 Oct is 00:30 on 1 Nov in Berlin: October has ended there
        (datetime(2026, 10, 31, 23, 30, tzinfo=UTC), "Europe/Berlin", "2026-10"),
        (datetime(2026, 10, 31, 23, 30, tzinfo=UTC), "UTC", "2026-09"),
    ],
)
def test_last_complete_month(as_of, timezone, month):
    assert last_complete_month(as_of, timezone=timezone) == month


def test_pool_rates_sums_counts_per_group_and_flags_immature():
    rates = pl.LazyFrame(
        {
            "month": ["2026-01", "2026-02", "2026-03", "2026-01"],
            "segment": ["email", "email", "email", None],
            "to_stage": ["sql"] * 4,
            "x": [3, 5, 0, 2],
            "n": [10, 10, 0, 4],
            "is_immature": [False, False, True, False],
        }
    )
    out = pool_rates(rates, by=["segment", "to_stage"]).collect()
    # email: (3 + 5 + 0) / (10 + 10 + 0) = 0.4; null segment: 2 / 4 = 0.5 (sorted last)
    low_e, high_e = wilson(8, 20)
    low_n, high_n = wilson(2, 4)
    expected = pl.DataFrame(
        {
            "segment": ["email", None],
            "to_stage": ["sql", "sql"],
            "rows": [3, 1],
            "x": [8, 2],
            "n": [20, 4],
            "rate": [0.4, 0.5],
            "ci_low": [low_e, low_n],
            "ci_high": [high_e, high_n],
            "has_immature": [True, False],
        }
    )
    assert_frame_equal(out, expected)


def test_pool_rates_without_groups_gives_one_row_and_names_missing_columns():
    rates = pl.LazyFrame({"x": [1, 2], "n": [4, 4]})
    assert pool_rates(rates, by=[]).select("rows", "x", "n", "rate").collect().rows() == [
        (2, 3, 8, 0.375)
    ]
    with pytest.raises(ValueError, match=r"column\(s\) \['segment'\] not in the rates"):
        pool_rates(rates, by=["segment"])


@given(st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50)), min_size=1, max_size=12))
def test_pooled_rate_lies_between_the_smallest_and_largest_monthly_rate(pairs):
    rows = [(min(x, n), n) for x, n in pairs]
    rates = pl.LazyFrame({"x": [x for x, _ in rows], "n": [n for _, n in rows]})
    pooled = pool_rates(rates, by=[]).collect().row(0, named=True)
    monthly = [x / n for x, n in rows if n]
    if not monthly:
        assert pooled["rate"] is None
    else:
        assert min(monthly) - 1e-12 <= pooled["rate"] <= max(monthly) + 1e-12


# --- coverage: what a month's data cannot answer is null in a notebook's funnel frames --


def _coverage(measurable: dict[str, tuple[date, date] | None]) -> pl.DataFrame:
    """A coverage frame: the groups named measurable over their span, every other not."""
    from analytics.coverage import empty_coverage

    spans = {g: s for g, s in measurable.items() if s is not None}
    return empty_coverage().with_columns(
        measurable=pl.col("group").is_in(list(measurable)),
        **{
            "from": pl.col("group").replace_strict(
                {g: a for g, (a, _) in spans.items()}, default=None, return_dtype=pl.Date
            ),
            "to": pl.col("group").replace_strict(
                {g: b for g, (_, b) in spans.items()}, default=None, return_dtype=pl.Date
            ),
        },
    )


# leads and lifecycle events from January to February 2026, the MQL stage and the SQL
# stage recorded; no web traffic, no opportunities (the leads-only export)
_JAN_FEB = (date(2026, 1, 1), date(2026, 2, 28))
LEADS_ONLY = _coverage({g: _JAN_FEB for g in ("funnel", "lead_stage", "mql_stage", "sql_stage")})


def test_covered_volumes_are_null_where_the_month_cannot_count_them_not_zero():
    volumes = pl.DataFrame(
        {"month": ["2026-02", "2026-03"], "visitors": [0, 0], "leads": [10, 0],
         "mqls": [4, 0], "sqls": [1, 0], "deals_won": [0, 0], "won_revenue": [0.0, 0.0]}
    )  # fmt: skip
    expected = pl.DataFrame(
        {"month": ["2026-02", "2026-03"], "visitors": [None, None], "leads": [10, None],
         "mqls": [4, None], "sqls": [1, None], "deals_won": [None, None],
         "won_revenue": [None, None]},
        schema=volumes.schema,
    )  # fmt: skip
    assert_frame_equal(covered(volumes.lazy(), coverage=LEADS_ONLY), expected)


def test_covered_period_and_cohort_rates_null_every_number_and_keep_the_keys():
    period = pl.DataFrame(
        {"month": ["2026-02", "2026-02"], "metric": ["mql_to_sql", "visitor_to_lead"],
         "x": [1, 10], "n": [4, 0], "rate": [0.25, None]}
    )  # fmt: skip
    out = covered(period, coverage=LEADS_ONLY)
    assert out.rows() == [("2026-02", "mql_to_sql", 1, 4, 0.25), ("2026-02", "visitor_to_lead",
                                                                  None, None, None)]  # fmt: skip
    cohorts = pl.DataFrame(
        {"month": ["2026-02", "2026-02", "2026-03"], "segment": ["email", "web", "email"],
         "from_stage": ["mql", "sql", "mql"], "to_stage": ["sql", "opportunity", "sql"],
         "x": [1, 0, 2], "n": [4, 1, 3], "window_days": [90, 90, 90],
         "is_immature": [False, False, True]}
    )  # fmt: skip
    assert covered(cohorts, coverage=LEADS_ONLY).rows() == [
        ("2026-02", "email", "mql", "sql", 1, 4, 90, False),
        ("2026-02", "web", "sql", "opportunity", None, None, 90, False),  # no opportunity stage
        ("2026-03", "email", "mql", "sql", None, None, 90, True),  # after the data ends
    ]


def test_covered_nulls_exactly_what_the_review_nulls():
    """Same tables, same month: the notebook's volumes and rates are the review's."""
    from analytics.config import load_config
    from analytics.coverage import known_coverage
    from analytics.funnel import monthly_volumes, period_rates
    from analytics.review import build_review
    from analytics.tables import Tables

    config = load_config(ROOT / "data" / "sla.toml")
    tables = Tables.from_rows(
        leads=[{"lead_id": f"L{i}", "created_at": f"2026-10-0{i + 1}T10:00Z", "source": "web"}
               for i in range(4)],
        lifecycle_events=[{"lead_id": "L0", "stage": "mql", "entered_at": "2026-10-05T10:00Z"},
                          {"lead_id": "L1", "stage": "mql", "entered_at": "2026-10-06T10:00Z"},
                          {"lead_id": "L1", "stage": "sql", "entered_at": "2026-10-07T10:00Z"}],
    )  # fmt: skip
    as_of = datetime(2026, 11, 3, tzinfo=UTC)
    tz = config.reporting.timezone
    cover = known_coverage(tables, config=config, as_of=as_of)
    volumes = covered(monthly_volumes(tables, config=config, month="2026-10"), coverage=cover,
                      timezone=tz)  # fmt: skip
    review = build_review(tables, config=config, month="2026-10", as_of=as_of).to_json_dict()
    row = volumes.row(0, named=True)
    assert {k: row[k] for k in review["volumes"]} == review["volumes"]
    assert (row["leads"], row["mqls"], row["sqls"], row["visitors"], row["won_revenue"]) == (
        4, 2, 1, None, None)  # fmt: skip
    rates = covered(period_rates(volumes.lazy()), coverage=cover, timezone=tz)
    assert dict(rates.select("metric", "rate").iter_rows()) == review["conversion"]


def test_unmeasured_says_why_per_run_of_months():
    volumes = pl.DataFrame(
        {"month": ["2026-01", "2026-02", "2026-03"], "visitors": [0, 0, 0], "leads": [1, 2, 0]}
    )
    out = unmeasured(volumes, coverage=LEADS_ONLY)
    assert out.select("measure", "first_month", "last_month").rows() == [
        ("leads", "2026-03", "2026-03"),
        ("visitors", "2026-01", "2026-03"),
    ]
    assert out["reason"].to_list() == [
        "The data for it runs from 2026-01-01 to 2026-02-28, not into this month.",
        "No web traffic was imported: import web_traffic (visitors per day and source).",
    ]
    assert unmeasured(volumes.select("month", "leads").head(2), coverage=LEADS_ONLY).is_empty()
    with pytest.raises(ValueError, match="column 'month'"):
        covered(pl.DataFrame({"leads": [1]}), coverage=LEADS_ONLY)


@pytest.mark.parametrize(
    ("lang", "reason"),
    [("en", "Some deals won this month have no amount, so its revenue is not known: import "
             "their amounts."),
     ("de", "Einige in diesem Monat gewonnene Deals haben keinen Betrag, daher ist sein Umsatz "
             "nicht bekannt: ihre Beträge importieren.")],
)  # fmt: skip
def test_unmeasured_names_a_month_with_a_deal_won_without_an_amount(lang, reason):
    """Inside the revenue span, February's revenue is unknown for its unpriced deal: the
    review's reason, not "the data runs from ... not into this month"."""
    coverage = _coverage(
        {g: _JAN_FEB for g in ("funnel", "lead_stage", "mql_stage", "revenue", "deals")}
    ).with_columns(
        gaps=pl.when(pl.col("group") == "revenue")
        .then(pl.lit(["2026-02"]))
        .otherwise(pl.lit([], pl.List(pl.String)))
    )
    volumes = pl.DataFrame(
        {"month": ["2026-01", "2026-02"], "leads": [1, 2], "deals_won": [1, 1],
         "won_revenue": [900.0, 0.0]}
    )  # fmt: skip
    assert covered(volumes, coverage=coverage)["won_revenue"].to_list() == [900.0, None]
    out = unmeasured(volumes, coverage=coverage, lang=lang)
    assert out.rows() == [("won_revenue", "2026-02", "2026-02", reason)]


def test_covered_overall_nulls_a_summary_of_a_group_no_month_can_answer():
    summary = pl.DataFrame(
        {"episodes": [0], "met": [0], "missed": [0], "pending": [0], "compliance": [None]},
        schema_overrides={"compliance": pl.Float64},
    )
    out = covered_overall(summary, group="handoff", coverage=LEADS_ONLY)
    assert out.row(0) == (None, None, None, None, None)
    assert out.schema == summary.schema
    touched = _coverage({"handoff": _JAN_FEB, "mql_stage": _JAN_FEB})
    assert_frame_equal(covered_overall(summary, group="handoff", coverage=touched), summary)
    # touches but no MQL event: no episode is known, so nothing was measured (not 0 of 0)
    no_mqls = _coverage({"handoff": _JAN_FEB})
    assert covered_overall(summary, group="handoff", coverage=no_mqls).row(0) == (None,) * 5
    buckets = pl.DataFrame({"bucket": ["≤ 1 h"], "upper_hours": [1.0], "n": [0]})
    kept = covered_overall(
        buckets, group="handoff", coverage=LEADS_ONLY, keep=("bucket", "upper_hours")
    )
    assert kept.row(0) == ("≤ 1 h", 1.0, None)
    with pytest.raises(ValueError, match="unknown measure group 'speed'"):
        covered_overall(summary, group="speed", coverage=LEADS_ONLY)


# --- the months a notebook looks at, and the SLA version that judges each (audit
# 2026-12-06 notebooks, L6 and M3)

_OLIST_LIKE = _coverage(
    {"funnel": (date(2017, 6, 14), date(2018, 5, 31)), "mql_stage": None,
     "deals": (date(2017, 12, 5), date(2018, 11, 14))}
)  # fmt: skip


@pytest.mark.parametrize(
    ("coverage", "as_of", "months", "expected"),
    [
        # deals go on after the leads stop: the window ends where the funnel's data ends
        # (was 2017-11 .. 2018-10, five months without an MQL), and starts where it starts
        (_OLIST_LIKE, datetime(2018, 11, 14, 18, 4, tzinfo=UTC), 12,
         ["2017-06", "2017-07", "2017-08", "2017-09", "2017-10", "2017-11", "2017-12",
          "2018-01", "2018-02", "2018-03", "2018-04", "2018-05"]),
        (_OLIST_LIKE, datetime(2018, 11, 14, 18, 4, tzinfo=UTC), 3,
         ["2018-03", "2018-04", "2018-05"]),
        # the data runs on into the running month: the default month ends the window
        (LEADS_ONLY, datetime(2026, 3, 10, tzinfo=UTC), 12, ["2026-01", "2026-02"]),
        # the data stops mid-month (HubSpot's 1 to 15 September): that month still counts
        (_coverage({"funnel": (date(2026, 9, 1), date(2026, 9, 15))}),
         datetime(2026, 10, 10, 10, tzinfo=UTC), 12, ["2026-09"]),
        # no dated funnel data (X Education): the default month and the months before it
        (_coverage({}), datetime(2026, 12, 6, tzinfo=UTC), 2, ["2026-10", "2026-11"]),
    ],
)  # fmt: skip
def test_answered_months_end_where_the_funnel_data_ends_as_the_default_month(
    coverage, as_of, months, expected
):
    assert answered_months(coverage, as_of=as_of, months=months) == expected


def test_answered_months_without_data_and_bad_arguments():
    assert answered_months(LEADS_ONLY, as_of=None) == []
    with pytest.raises(ValueError, match="unknown measure group 'leads'"):
        answered_months(LEADS_ONLY, as_of=datetime(2026, 3, 1, tzinfo=UTC), group="leads")
    with pytest.raises(ValueError, match="months must be at least 1, got 0"):
        answered_months(LEADS_ONLY, as_of=datetime(2026, 3, 1, tzinfo=UTC), months=0)


def _versions():
    """The config file (2026.2, from 2026-01-01) and a version from 2026-10-01 that moves
    the first-touch line from 24 h to 4 h, in Berlin time."""
    from analytics.config import load_config
    from analytics.sla_versions import with_settings

    v1 = with_settings(
        load_config(ROOT / "data" / "sla.toml"), {"reporting.timezone": "Europe/Berlin"}
    ).model_copy(update={"content_hash": "v1"})
    v2 = with_settings(
        v1, {"sla.version": "2026.3", "sla.effective_from": "2026-10-01",
             "handoff.first_touch_hours": 4},
    ).model_copy(update={"content_hash": "v2"})  # fmt: skip
    return v1, v2


def test_versions_of_months_runs_each_version_over_the_months_it_judges():
    v1, v2 = _versions()
    months = ["2026-08", "2026-09", "2026-10", "2026-11"]
    runs = versions_of_months(months, versions=[v1, v2], fallback=v1)
    assert [(v.content_hash, m) for v, m in runs] == [
        ("v1", ["2026-08", "2026-09"]), ("v2", ["2026-10", "2026-11"]),
    ]  # fmt: skip
    assert [v.handoff.first_touch_hours for v, _ in runs] == [24, 4]
    # nothing recorded: the file judges every month, in one run
    alone = versions_of_months(months, versions=[], fallback=v2)
    assert [(v.content_hash, m) for v, m in alone] == [("v2", months)]


def test_by_version_splits_rows_by_the_month_their_timestamp_falls_in():
    v1, v2 = _versions()
    eps = pl.DataFrame(
        {"lead_id": ["a", "b", "c", "d"],
         "started_at": [datetime(2026, 9, 30, 21, 59, tzinfo=UTC),  # 23:59 in Berlin
                        datetime(2026, 9, 30, 22, 0, tzinfo=UTC),   # 1 October, midnight
                        datetime(2026, 8, 1, tzinfo=UTC), datetime(2026, 11, 30, tzinfo=UTC)]}
    )  # fmt: skip
    parts = by_version(eps, "started_at", versions=[v1, v2], fallback=v1)
    found = [(v.content_hash, m, sorted(p.collect()["lead_id"])) for v, m, p in parts]
    assert found == [("v1", ["2026-08", "2026-09"], ["a", "c"]),
                     ("v2", ["2026-10", "2026-11"], ["b", "d"])]  # fmt: skip
    assert by_version(eps.head(0), "started_at", versions=[v1, v2], fallback=v1) == []


def test_unanswered_says_why_a_table_without_rows_shows_nothing():
    # leads only: the step lead -> mql is counted (an empty table is no case), the deals not
    assert unanswered(["lead -> mql"], months=["2026-02"], coverage=LEADS_ONLY).is_empty()
    assert unanswered(["leads", "mqls"], months=["2026-02"], coverage=LEADS_ONLY).is_empty()
    deals = unanswered(["leads", "deals_won"], months=["2026-01", "2026-02"], coverage=LEADS_ONLY)
    assert deals.rows() == [
        ("deals_won", "2026-01", "2026-02",
         "No opportunities were imported: import opportunities."),
    ]  # fmt: skip
    # after the data: every step unknown, with the months' reason
    late = unanswered(["lead -> mql"], months=["2026-03"], coverage=LEADS_ONLY)
    assert late.select("measure", "first_month", "last_month").rows() == [
        ("lead -> mql", "2026-03", "2026-03")
    ]
    assert late["reason"][0].startswith("The data for it runs from 2026-01-01 to 2026-02-28")
    rates = unanswered(["mql_to_sql", "visitor_to_lead"], months=["2026-02"], coverage=LEADS_ONLY)
    assert rates["measure"].to_list() == ["visitor_to_lead"]
    with pytest.raises(ValueError, match="measures of one kind"):
        unanswered(["leads", "lead -> mql"], months=["2026-02"], coverage=LEADS_ONLY)


def test_show_tables_shows_every_row_and_a_whole_reason():
    reason = "No sales touches were imported: import sales_touches (calls, e-mails, meetings)."
    frame = pl.DataFrame({"metric": [f"kpi {i}" for i in range(11)], "why": [reason] * 11})
    try:
        hidden = frame._repr_html_()
        assert "kpi 5" not in hidden and reason not in hidden  # polars' defaults
        show_tables()
        shown = frame._repr_html_()
        assert all(f"kpi {i}" in shown for i in range(11)) and reason in shown
        assert "kpi 5" in repr(frame)
    finally:
        pl.Config.restore_defaults()


def test_immature_reason_names_the_first_window_to_close():
    from analytics.config import load_config
    from analytics.response_time import immature_reason

    config = load_config(ROOT / "data" / "sla.toml")  # a 90-day window
    speed = pl.LazyFrame(
        {"started_at": [datetime(2026, 9, 15, tzinfo=UTC), datetime(2026, 9, 3, 10, tzinfo=UTC)]}
    )
    assert immature_reason(speed, config=config, as_of=datetime(2026, 10, 10, tzinfo=UTC)) == (
        "No MQL episode has had its 90 days to convert yet: the earliest started on 2026-09-03, "
        "its window closes on 2026-12-02, and the data runs to 2026-10-10; conversion by "
        "response time is known once a window has closed."
    )
    de = immature_reason(speed, config=config, as_of=datetime(2026, 10, 10, tzinfo=UTC), lang="de")
    assert de.startswith("Noch keine MQL-Episode hatte ihre 90 Tage zur Konversion")
    # one window has closed (the conversion counts it), or no episode at all: nothing to say
    assert (
        immature_reason(speed, config=config, as_of=datetime(2026, 12, 2, 10, tzinfo=UTC)) is None
    )
    assert immature_reason(speed.head(0), config=config, as_of=datetime(2026, 10, 10)) is None


def test_volume_reason_says_why_a_review_has_no_count():
    from analytics.config import load_config
    from analytics.review import build_review
    from analytics.tables import Tables

    t = Tables.from_rows(
        leads=[{"lead_id": "a", "created_at": "2026-09-03T10:00Z", "source": "email"}],
        lifecycle_events=[{"lead_id": "a", "stage": "mql", "entered_at": "2026-09-04T10:00Z"},
                          {"lead_id": "a", "stage": "customer", "entered_at": "2026-09-20T10:00Z"}],
    )  # fmt: skip
    review = build_review(
        t, load_config(ROOT / "data" / "sla.toml"), month="2026-09",
        as_of=datetime(2026, 10, 2, tzinfo=UTC),
    )  # fmt: skip
    assert (review.volumes["mqls"], review.volumes["deals_won"]) == (1, None)
    assert volume_reason(review, "mqls") is None
    assert (
        volume_reason(review, "deals_won")
        == "No opportunities were imported: import opportunities."
    )
    assert volume_reason(review, "sals").startswith("No lifecycle event of stage sal was imported")
    with pytest.raises(ValueError, match="unknown volume 'deals'"):
        volume_reason(review, "deals")


# -- a month's review as its first reader takes it in (notebook 05) ---------------------


@pytest.fixture(scope="module")
def export_reviews(tmp_path_factory) -> dict[str, object]:
    """The September 2026 reviews of the example HubSpot and Salesforce exports, each in
    a warehouse of its own."""
    from analytics.config import load_config
    from analytics.review import build_review
    from analytics.warehouse import connect_readonly, load_tables
    from analytics.warehouse.adapters import import_export

    config = load_config(ROOT / "data" / "sla.toml")
    reviews = {}
    for fmt in ("hubspot", "salesforce"):
        db = tmp_path_factory.mktemp(fmt) / "warehouse.duckdb"
        import_export(db, ROOT / "tests" / "fixtures" / "exports" / fmt, fmt=fmt, config=config)
        with connect_readonly(db) as con:
            tables = load_tables(con).collect()
        reviews[fmt] = build_review(
            tables, config, month="2026-09", as_of=tables.latest_timestamp()
        )
    return reviews


def test_review_summary_writes_values_as_the_app_and_says_why_a_value_is_missing(export_reviews):
    from analytics.notebook import review_summary

    summary = review_summary(export_reviews["hubspot"])
    rows = {(r["part"], r["measure"]): r for r in summary.to_dicts()}
    assert summary.columns == ["part", "measure", "value", "counts", "target", "status", "why"]
    no_traffic = "No web traffic was imported: import web_traffic (visitors per day and source)."
    assert rows[("volumes", "Visitors")] == {
        "part": "volumes", "measure": "Visitors", "value": "–", "counts": "", "target": "",
        "status": "", "why": no_traffic,
    }  # fmt: skip
    assert (rows[("volumes", "Leads")]["value"], rows[("volumes", "Leads")]["why"]) == ("9", None)
    assert rows[("volumes", "SALs")]["why"].startswith("No lifecycle event of stage sal")
    lead_to_mql = rows[("conversion", "Lead -> MQL")]
    assert (lead_to_mql["value"], lead_to_mql["counts"], lead_to_mql["why"]) == (
        "55.6 %",
        "5 / 9",
        None,
    )
    mqls = rows[("KPIs", "MQLs delivered")]
    assert (mqls["value"], mqls["target"], mqls["status"], mqls["why"]) == (
        "5",
        "700",
        "missed",
        None,
    )
    visitors = rows[("KPIs", "Visitor -> lead")]
    assert (visitors["value"], visitors["status"], visitors["why"]) == ("–", "no data", no_traffic)
    # a period rate above 100 % is no share: said so, as the review gives it no interval
    sf = {
        (r["part"], r["measure"]): r
        for r in review_summary(export_reviews["salesforce"]).to_dicts()
    }
    mql_to_sql = sf[("conversion", "MQL -> SQL")]
    assert (mql_to_sql["value"], mql_to_sql["counts"]) == ("300.0 %", "3 / 1")
    assert mql_to_sql["why"] == export_reviews["salesforce"].share_reason("mql_to_sql")
    assert mql_to_sql["why"]


def test_coverage_summary_lists_every_group_with_the_reviews_reason(export_reviews):
    from analytics.notebook import coverage_summary

    review = export_reviews["hubspot"]
    summary = coverage_summary(review)
    assert summary["group"].to_list() == list(review.coverage)
    unanswered = summary.filter(~pl.col("answered"))
    assert unanswered["group"].to_list() == [
        "visitors", "sal_stage", "recycled_stage", "disqualified_stage", "acceptance",
        "recycling", "nurture", "scoring_interest",
    ]  # fmt: skip
    assert unanswered["why"].to_list() == [review.reason(g) for g in unanswered["group"]]
    assert summary.filter("answered")["why"].null_count() == summary.filter("answered").height
