"""The demo data generator: deterministic, canonical, consistent and realistic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from analytics.config import load_config
from analytics.demo import generate_demo, generate_demo_chunks
from analytics.schema import TABLES, TIMESTAMP_COLUMNS

END = datetime(2026, 6, 1, tzinfo=UTC)
N = 4_000


@pytest.fixture(scope="module")
def config():
    return load_config("data/sla.toml")


@pytest.fixture(scope="module")
def demo(config) -> dict[str, pl.DataFrame]:
    return generate_demo(config, leads=N, seed=7, end=END)


def _stage_leads(demo: dict[str, pl.DataFrame], stage: str) -> int:
    events = demo["lifecycle_events"]
    return events.filter(pl.col("stage") == stage)["lead_id"].n_unique()


# --- determinism ------------------------------------------------------------------------
def test_same_seed_gives_identical_frames(config, demo):
    again = generate_demo(config, leads=N, seed=7, end=END)
    assert sorted(again) == sorted(demo)
    for name, frame in demo.items():
        assert_frame_equal(again[name], frame)


def test_different_seed_gives_different_frames(config, demo):
    other = generate_demo(config, leads=N, seed=8, end=END)
    assert other["leads"].height == demo["leads"].height
    assert not other["leads"].equals(demo["leads"])
    assert not other["lifecycle_events"].equals(demo["lifecycle_events"])


# --- the canonical format ---------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(TABLES))
def test_every_table_has_exactly_the_canonical_schema(demo, name):
    assert demo[name].schema == TABLES[name].polars_schema
    assert demo[name].height > 0


@pytest.mark.parametrize("name", sorted(TABLES))
def test_keys_are_unique(demo, name):
    key = list(TABLES[name].key)
    assert demo[name].select(key).is_duplicated().sum() == 0


@pytest.mark.parametrize(
    ("name", "column", "target", "target_column"),
    [
        (t.name, c.name, *c.references)
        for t in TABLES.values()
        for c in t.columns
        if c.references is not None
    ],
)
def test_references_are_valid(demo, name, column, target, target_column):
    values = demo[name][column].drop_nulls().unique()
    known = demo[target][target_column]
    assert values.is_in(known.implode()).all(), values.filter(~values.is_in(known.implode()))


@pytest.mark.parametrize("name", sorted(TABLES))
def test_required_columns_enums_and_minimums_hold(demo, name):
    frame = demo[name]
    for column in TABLES[name].columns:
        values = frame[column.name]
        if column.required:
            assert values.null_count() == 0, column.name
        if column.enum:
            assert values.drop_nulls().is_in(list(column.enum)).all(), column.name
        if column.minimum is not None:
            assert (values.drop_nulls() >= column.minimum).all(), column.name


def test_ids_are_readable_strings(demo):
    assert demo["leads"]["lead_id"][0] == "L0000001"
    assert demo["accounts"]["account_id"][0] == "A00001"
    assert demo["sales_touches"]["touch_id"][0] == "T0000001"
    assert demo["reps"]["rep_id"].to_list()[:3] == ["rep-01", "rep-02", "rep-03"]


def _assert_consistent(demo: dict[str, pl.DataFrame], end: datetime) -> None:
    """Canonical schema, unique keys, valid references, one `lead` event per lead, nothing
    after ``end``."""
    assert sorted(demo) == sorted(TABLES)
    for name, table in TABLES.items():
        frame = demo[name]
        assert frame.schema == table.polars_schema, name
        assert frame.select(list(table.key)).is_duplicated().sum() == 0, name
        for column in table.columns:
            if column.references is not None:
                target, target_column = column.references
                known = demo[target][target_column].implode()
                assert frame[column.name].drop_nulls().is_in(known).all(), (name, column.name)
            if column.required:
                assert frame[column.name].null_count() == 0, (name, column.name)
        for column, dtype in frame.schema.items():
            if isinstance(dtype, pl.Datetime):
                assert (frame[column].drop_nulls() <= end).all(), (name, column)
    lead_events = demo["lifecycle_events"].filter(pl.col("stage") == "lead")
    assert lead_events["lead_id"].sort().equals(demo["leads"]["lead_id"].sort())


@settings(max_examples=20, deadline=None)
@given(
    leads=st.integers(min_value=1, max_value=400),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
    end=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31)),
)
def test_any_size_seed_and_end_gives_consistent_data(config, leads, seed, end):
    demo = generate_demo(config, leads=leads, seed=seed, end=end)
    assert demo["leads"].height == leads
    _assert_consistent(demo, end.replace(tzinfo=UTC))


# --- time -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "end",
    [END, datetime(2026, 6, 1, 13, 30, tzinfo=UTC), datetime(2025, 12, 24, 9, 0)],  # naive = UTC
)
def test_nothing_after_end_and_about_18_months_of_history(config, end):
    demo = generate_demo(config, leads=1_500, seed=3, end=end)
    end_utc = end if end.tzinfo else end.replace(tzinfo=UTC)
    for name, frame in demo.items():
        for column, dtype in frame.schema.items():
            if isinstance(dtype, pl.Datetime):
                assert frame[column].max() <= end_utc, (name, column)
    assert demo["web_traffic"]["date"].max() <= end_utc.date()
    first = demo["leads"]["created_at"].min()
    assert end_utc - timedelta(days=560) <= first <= end_utc - timedelta(days=500)


def test_default_end_is_today_midnight_utc(config):
    demo = generate_demo(config, leads=200, seed=1)
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    assert demo["leads"]["created_at"].max() <= today
    assert demo["leads"]["created_at"].max() > today - timedelta(days=10)


def test_events_follow_the_lead_and_each_other(demo):
    leads = demo["leads"].select("lead_id", "created_at")
    events = demo["lifecycle_events"].join(leads, on="lead_id")
    # one `lead` event per lead, at created_at; nothing of a lead before it
    lead_events = events.filter(pl.col("stage") == "lead")
    assert lead_events.height == leads.height
    assert (lead_events["entered_at"] == lead_events["created_at"]).all()
    assert (events["entered_at"] >= events["created_at"]).all()
    for name, column in TIMESTAMP_COLUMNS.items():
        if name in ("leads", "opportunities") or "lead_id" not in demo[name].columns:
            continue
        joined = demo[name].join(leads, on="lead_id")
        assert (joined[column] >= joined["created_at"]).all(), name
    # every later stage comes after the lead's first MQL
    first_mql = (
        events.filter(pl.col("stage") == "mql")
        .group_by("lead_id")
        .agg(pl.col("entered_at").min().alias("mql_at"))
    )
    later = events.filter(pl.col("stage").is_in(["sal", "sql", "opportunity", "customer"]))
    later = later.join(first_mql, on="lead_id", how="left")
    assert later["mql_at"].null_count() == 0
    assert (later["entered_at"] > later["mql_at"]).all()


def test_opportunities_are_closed_consistently(demo):
    opps = demo["opportunities"]
    closed = opps.filter(pl.col("status") != "open")
    assert closed["closed_at"].null_count() == 0
    assert (closed["closed_at"] >= closed["created_at"]).all()
    assert (
        opps.filter(pl.col("status") == "open")["closed_at"].null_count()
        == opps.filter(pl.col("status") == "open").height
    )
    assert opps.filter(pl.col("status") == "lost")["loss_reason"].null_count() == 0
    assert (
        opps.filter(pl.col("status") != "lost")["loss_reason"].null_count()
        == opps.filter(pl.col("status") != "lost").height
    )
    # a won deal makes its lead a customer
    won = opps.filter(pl.col("status") == "won")["lead_id"].unique()
    customers = demo["lifecycle_events"].filter(pl.col("stage") == "customer")["lead_id"].unique()
    assert won.sort().equals(customers.sort())


# --- realism ----------------------------------------------------------------------------
@pytest.mark.parametrize("seed", [7, 2026])
def test_funnel_rates_are_near_b2b_benchmarks(config, demo, seed):
    data = demo if seed == 7 else generate_demo(config, leads=N, seed=seed, end=END)
    leads = data["leads"].height
    visitors = data["web_traffic"]["visitors"].sum()
    mqls, sqls = _stage_leads(data, "mql"), _stage_leads(data, "sql")
    opportunities = _stage_leads(data, "opportunity")
    status = data["opportunities"]["status"]
    won, lost = (status == "won").sum(), (status == "lost").sum()
    assert 0.01 <= leads / visitors <= 0.03
    assert 0.15 <= mqls / leads <= 0.35
    assert 0.20 <= sqls / mqls <= 0.45
    assert 0.40 <= opportunities / sqls <= 0.60
    assert 0.15 <= won / (won + lost) <= 0.30


def _fit_points(demo: dict[str, pl.DataFrame], config) -> pl.DataFrame:
    """The rule score's fit part per lead, computed straight from the config."""
    fit = config.scoring.fit
    bands = config.segments.size_bands
    band = pl.lit(bands[0].label)
    for b in bands[1:]:
        band = pl.when(pl.col("employees") >= b.min_employees).then(pl.lit(b.label)).otherwise(band)
    accounts = demo["accounts"].select("account_id", "industry", band.alias("size_band"))

    def points(column: str, dimension: str) -> pl.Expr:
        mapping = fit.get(dimension, {})
        return pl.col(column).replace_strict(mapping, default=0.0, return_dtype=pl.Float64)

    return (
        demo["leads"]
        .join(accounts, on="account_id", how="left")
        .select(
            "lead_id",
            pl.sum_horizontal(
                points("industry", "industry").fill_null(0.0),
                points("size_band", "size_band").fill_null(0.0),
                points("country", "country").fill_null(0.0),
                points("seniority", "seniority").fill_null(0.0),
                points("role", "role").fill_null(0.0),
            )
            .clip(upper_bound=config.scoring.fit_cap)
            .alias("fit"),
        )
    )


def test_rule_score_fit_carries_real_signal(config, demo):
    sql_leads = demo["lifecycle_events"].filter(pl.col("stage") == "sql")["lead_id"].unique()
    fit = _fit_points(demo, config).with_columns(
        is_sql=pl.col("lead_id").is_in(sql_leads.implode()),
        is_high=pl.col("fit") >= pl.col("fit").median(),
    )
    rates = fit.group_by("is_high").agg(pl.col("is_sql").mean()).sort("is_high")
    low, high = rates["is_sql"].to_list()
    assert high > 2 * low


def test_config_threshold_drives_score_mqls(config, demo):
    """MQLs by score come from leads whose fit is high enough to reach the threshold."""
    fit = _fit_points(demo, config)
    by_score = demo["lifecycle_events"].filter(pl.col("trigger") == "score_threshold")
    joined = by_score.join(fit, on="lead_id")
    reachable = config.scoring.mql_threshold - config.scoring.interest_cap
    assert (joined["fit"] >= reachable).all()
    triggers = set(demo["lifecycle_events"].filter(pl.col("stage") == "mql")["trigger"])
    assert {"score_threshold", "demo_request", "contact_request"} <= triggers


def _first_touch_hours(demo: dict[str, pl.DataFrame]) -> pl.DataFrame:
    mqls = demo["lifecycle_events"].filter(pl.col("stage") == "mql").sort("entered_at")
    touches = demo["sales_touches"].select("lead_id", "occurred_at").sort("occurred_at")
    first = mqls.join_asof(
        touches,
        left_on="entered_at",
        right_on="occurred_at",
        by="lead_id",
        strategy="forward",
        check_sortedness=False,
    )
    return first.join(demo["leads"].select("lead_id", "owner_rep_id"), on="lead_id").with_columns(
        missed=((pl.col("occurred_at") - pl.col("entered_at")).dt.total_hours() >= 24).fill_null(
            True
        )
    )


def test_reps_have_their_habits(config, demo):
    reps = demo["reps"]
    assert set(reps["team"]) == {"marketing", "sdr", "ae"}
    assert reps.filter(~pl.col("active"))["rep_id"].to_list() == ["rep-08"]
    first = _first_touch_hours(demo)
    overall = first["missed"].mean()
    assert 0.08 <= overall <= 0.25
    by_rep = dict(first.group_by("owner_rep_id").agg(pl.col("missed").mean()).iter_rows())
    assert by_rep["rep-04"] > 2 * overall  # slow to respond
    assert by_rep["rep-03"] < overall  # exemplary
    # rep-05 often hands unanswered leads back after 2-3 attempts; rep-03 never does
    share = _short_recycle_share(demo, config.recycle.after_attempts)
    assert share["rep-05"] >= 0.2
    assert share["rep-03"] == 0.0
    assert share["rep-05"] > 3 * max(v for r, v in share.items() if r != "rep-05")


def _short_recycle_share(demo: dict[str, pl.DataFrame], needed: int) -> dict[str, float]:
    """Per rep: share of `attempts_exhausted` recycles with fewer than ``needed`` attempts."""
    events = demo["lifecycle_events"]
    recycled = events.filter(pl.col("trigger") == "attempts_exhausted").sort("entered_at")
    # the episode began after the lead's previous recycle, disqualification or SQL
    ends = events.filter(pl.col("stage").is_in(["recycled", "disqualified", "sql"])).select(
        "lead_id", previous_end=pl.col("entered_at") + pl.duration(microseconds=1)
    )
    episodes = recycled.join_asof(
        ends.sort("previous_end"),
        left_on="entered_at",
        right_on="previous_end",
        by="lead_id",
        strategy="backward",
        allow_exact_matches=False,
        check_sortedness=False,
    ).with_columns(pl.col("previous_end").fill_null(datetime(2000, 1, 1, tzinfo=UTC)))
    touches = demo["sales_touches"].select("lead_id", "occurred_at")
    attempts = (
        episodes.join(touches, on="lead_id", how="left")
        .group_by("lead_id", "entered_at", "actor_rep_id")
        .agg(
            pl.col("occurred_at")
            .is_between(pl.col("previous_end"), pl.col("entered_at"))
            .sum()
            .alias("attempts")
        )
    )
    short = attempts.group_by("actor_rep_id").agg((pl.col("attempts") < needed).mean())
    return dict(short.iter_rows())


def test_inactive_rep_gets_no_new_leads_after_leaving(demo):
    touches = demo["sales_touches"].filter(pl.col("rep_id") == "rep-08")
    assert touches.height > 0
    assert touches["occurred_at"].max() < END - timedelta(days=120)


def test_seasonality_and_trade_fairs(config):
    demo = generate_demo(config, leads=20_000, seed=5, end=datetime(2026, 11, 1, tzinfo=UTC))
    monthly = dict(
        demo["leads"].group_by(pl.col("created_at").dt.strftime("%Y-%m")).agg(pl.len()).iter_rows()
    )
    assert monthly["2026-08"] < 0.8 * monthly["2026-09"]  # summer dip
    assert monthly["2025-12"] < 0.85 * monthly["2026-01"]  # December dip
    assert monthly["2026-04"] > 1.1 * monthly["2026-05"]  # Hannover Messe
    event = demo["leads"].filter(pl.col("source") == "event")
    fair_months = event["created_at"].dt.month().is_in([4, 10]).mean()
    assert fair_months > 0.5


def test_recycling_nurture_and_remql(config, demo):
    events = demo["lifecycle_events"]
    enrollments = demo["nurture_enrollments"]
    recycle_track = config.recycle.track
    recycled = events.filter(pl.col("stage") == "recycled").sort("entered_at")
    enrolled = enrollments.filter(pl.col("track") == recycle_track).sort("enrolled_at")
    matched = recycled.join_asof(
        enrolled.select("lead_id", "enrolled_at"),
        left_on="entered_at",
        right_on="enrolled_at",
        by="lead_id",
        strategy="forward",
        check_sortedness=False,
    ).filter(pl.col("entered_at") < END - timedelta(days=30))
    days = (pl.col("enrolled_at") - pl.col("entered_at")).dt.total_hours() / 24
    in_time = matched.select((days <= config.recycle.enroll_within_days).mean()).item()
    assert 0.7 <= in_time < 1.0  # most in time, some late or never
    # some recycled leads become MQL again
    remql = (
        recycled.join(events.filter(pl.col("stage") == "mql"), on="lead_id", suffix="_mql")
        .filter(pl.col("entered_at_mql") > pl.col("entered_at"))["lead_id"]
        .n_unique()
    )
    assert 0.05 <= remql / recycled["lead_id"].n_unique() <= 0.5
    # known tracks, sales-triggered ones and one the config does not know
    tracks = set(enrollments["track"])
    assert {t.name for t in config.nurture.tracks} <= tracks
    assert "legacy-newsletter" in tracks
    assert set(enrollments["triggered_by"]) == {"auto", "sales"}
    assert {"completed", "became_mql", "unsubscribed", "sales_request", "disqualified"} <= set(
        enrollments["exit_reason"].drop_nulls()
    )


def test_a_few_second_mqls_inside_an_open_episode(demo):
    events = demo["lifecycle_events"].sort("entered_at")
    previous = events.with_columns(pl.col("stage").shift(1).over("lead_id").alias("previous_stage"))
    inside = previous.filter(
        (pl.col("stage") == "mql") & pl.col("previous_stage").is_in(["mql", "sal"])
    )
    assert 0 < inside.height < 0.1 * _stage_leads(demo, "mql")


def test_monthly_volumes_match_the_shipped_targets(config):
    demo = generate_demo(config, leads=50_000, seed=7, end=datetime(2026, 11, 1, tzinfo=UTC))
    month = pl.col("entered_at").dt.strftime("%Y-%m")
    full_months = [f"2026-{m:02d}" for m in range(1, 11)]
    mqls = (
        demo["lifecycle_events"]
        .filter(pl.col("stage") == "mql")
        .group_by(month.alias("month"))
        .agg(pl.col("lead_id").n_unique().alias("mqls"))
        .filter(pl.col("month").is_in(full_months))
    )
    leads = (
        demo["leads"]
        .group_by(pl.col("created_at").dt.strftime("%Y-%m").alias("month"))
        .agg(pl.len().alias("leads"))
        .filter(pl.col("month").is_in(full_months))
    )
    assert 2_400 <= leads["leads"].mean() <= 3_200
    assert 0.75 * config.goals.mql_target_monthly <= mqls["mqls"].mean()
    assert mqls["mqls"].mean() <= 1.3 * config.goals.mql_target_monthly
    won = demo["opportunities"].filter(pl.col("status") == "won")
    revenue = (
        won.group_by(pl.col("closed_at").dt.strftime("%Y-%m").alias("month"))
        .agg(pl.col("amount").sum())
        .filter(pl.col("month").is_in(full_months))["amount"]
    )
    target = config.goals.revenue_target_monthly
    assert (revenue > target).any() and (revenue < target).any()
    assert 0.5 * target <= revenue.mean() <= 2 * target


def test_progress_is_reported_in_order(config):
    calls: list[tuple[str, float]] = []
    generate_demo(config, leads=100, seed=1, end=END, progress=lambda s, f: calls.append((s, f)))
    fractions = [f for _, f in calls]
    assert fractions == sorted(fractions)
    assert fractions[0] == 0.0 and calls[-1] == ("done", 1.0)
    assert len(calls) >= 5


@pytest.mark.parametrize("leads", [0, -5, 2.5, True])
def test_bad_lead_count_is_named(config, leads):
    with pytest.raises(ValueError, match=f"leads must be a positive integer, got {leads!r}"):
        generate_demo(config, leads=leads, end=END)


# --- large demos in chunks --------------------------------------------------------------
@pytest.fixture(scope="module")
def chunked(config) -> dict[str, pl.DataFrame]:
    """250 leads in chunks of 100, appended as a writer appends them."""
    parts: dict[str, list[pl.DataFrame]] = {}
    for chunk in generate_demo_chunks(config, leads=250, seed=3, end=END, chunk_leads=100):
        for name, frame in chunk.items():
            parts.setdefault(name, []).append(frame)
    return {name: pl.concat(frames) for name, frames in parts.items()}


def test_a_demo_within_one_chunk_is_the_plain_demo(config):
    (only,) = generate_demo_chunks(config, leads=120, seed=3, end=END, chunk_leads=200)
    plain = generate_demo(config, leads=120, seed=3, end=END)
    for name, frame in plain.items():
        assert_frame_equal(only[name], frame)


def test_appended_chunks_are_one_consistent_demo(chunked):
    assert chunked["leads"].height == 250
    assert sorted(chunked) == sorted(TABLES)
    for name, table in TABLES.items():
        assert chunked[name].schema == table.polars_schema
        assert chunked[name].select(list(table.key)).is_duplicated().sum() == 0, name
        for column in table.columns:
            if column.references is not None:
                target, target_column = column.references
                values = chunked[name][column.name].drop_nulls().unique()
                assert values.is_in(chunked[target][target_column].implode()).all(), column.name


def test_chunks_share_the_sales_team_and_sum_the_visitors(config, chunked):
    singles = [
        generate_demo(config, leads=n, seed=3 + i, end=END) for i, n in enumerate((100, 100, 50))
    ]
    assert_frame_equal(chunked["reps"], singles[0]["reps"])
    assert chunked["leads"]["lead_id"].str.slice(0, 3).unique().sort().to_list() == [
        "c0.",
        "c1.",
        "c2.",
    ]
    assert chunked["web_traffic"]["visitors"].sum() == sum(
        s["web_traffic"]["visitors"].sum() for s in singles
    )
