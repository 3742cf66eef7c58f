"""The SLA's rule score: fit (who a lead is) + interest (what it did), point in time.

Definitions (config ``[scoring]``, shown on the Definitions page):

- **fit points** = points for the account's industry + its size band
  (``accounts.employees`` -> ``segments.size_bands``) + the country (the lead's, else
  its account's) + the lead's seniority + its role, each from ``scoring.fit``; a value
  the config does not list scores 0; the sum is capped at ``scoring.fit_cap``.
  Industry is matched lower-case with spaces as ``_``, country upper-case.
  Interest points are rounded to 6 decimals.
- **interest points at moment t** = for each activity type, the points of every activity
  of that type with ``occurred_at <= t``, each halved every ``decay_half_life_days``
  since it happened; the decayed sum of a type is capped at ``scoring.interest.caps``
  (when the type has a cap), and the sum over types at ``interest_cap``.
- **score** = fit + interest. It is *point in time*: nothing after ``t`` changes it (the
  fit attributes too: a value a later import replaced counts until it was replaced,
  :func:`attributes_at`).

Between two activities the score only decays, so the highest score of any period is
reached at the lead's creation, right after one of its activities or when its fit
changed; that is why :func:`score_history` evaluates exactly those moments.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Literal

import polars as pl

from analytics.config import SlaConfig
from analytics.funnel import size_band
from analytics.schema import UTC_TIMESTAMP
from analytics.tables import Tables
from analytics.texts import Lang, day, render
from analytics.timeframe import as_utc, utc_lit

FitDimension = Literal["industry", "size_band", "country", "seniority", "role"]
FIT_DIMENSIONS: tuple[FitDimension, ...] = ("industry", "size_band", "country", "seniority", "role")
FIT_GRADES = ("A", "B", "C", "D")
INTEREST_GRADES = ("1", "2", "3", "4")

_US_PER_DAY = 86_400_000_000
#: score_history works in epochs of this many half-lives so that 2**x never overflows.
_EPOCH_HALF_LIVES = 256.0
_LN2 = math.log(2.0)
#: Interest points are rounded to this many decimals, so that a score of exactly 30
#: computed along different paths compares equal to a threshold of 30.
_DECIMALS = 6


def _exp2(x: pl.Expr) -> pl.Expr:
    return (x * _LN2).exp()


def _as_of(tables: Tables, as_of: datetime | None) -> datetime:
    if as_of is not None:
        return as_utc(as_of)
    latest = tables.latest_timestamp()
    if latest is None:
        raise ValueError("the tables are empty: pass as_of explicitly")
    return latest


def outcomes_known_until(tables: Tables, as_of: datetime) -> datetime:
    """The last moment an outcome (an SQL) can be seen: ``as_of``, or the last lifecycle
    event past the ``lead`` stage when the events end before it (an export of the stage
    history cut earlier than the other tables, an ``as_of`` after the data; a ``lead``
    event is written with each new lead and says nothing of the stages after), and never
    after the latest import (``tables.loaded_at``: an event dated later is a typo, not a
    known outcome, and not the end of the history either). A lead whose window runs past
    it is not mature: its SQL may have come unseen.

    Parameters
    ----------
    tables : Tables
        Its ``lifecycle_events`` and ``loaded_at``.
    as_of : datetime
        The moment the data is judged at.

    Returns
    -------
    datetime (UTC)

    >>> from datetime import UTC
    >>> t = Tables.from_rows(lifecycle_events=[
    ...     {"lead_id": "a", "stage": "mql", "entered_at": "2026-08-31T10:00:00Z"}])
    >>> str(outcomes_known_until(t, datetime(2026, 12, 5, tzinfo=UTC)))
    '2026-08-31 10:00:00+00:00'
    """
    history = tables.lifecycle_events.filter(pl.col("stage") != "lead")
    if tables.loaded_at is not None:  # an event dated after the import ends no history
        history = history.filter(pl.col("entered_at") <= utc_lit(tables.loaded_at))
    last = history.select(pl.col("entered_at").max()).collect().item()
    known = [as_utc(m) for m in (as_of, last, tables.loaded_at) if m is not None]
    return min(known)


#: A horizon less than this before ``as_of`` is not named (:func:`horizon_note`): a stage
#: history without an event in the last days is the ordinary end of the data (the demo's
#: last stage event comes a day before its last activity), and it hides a day of leads.
HORIZON_NOTE_GAP = timedelta(days=7)


def horizon_note(
    until: datetime,
    as_of: datetime,
    *,
    window_days: int,
    loaded_at: datetime | None = None,
    lang: Lang = "en",
) -> str | None:
    """Why leads are not judged when outcomes are known only until before ``as_of``: the
    horizon (:func:`outcomes_known_until`) named with its cause, or None when it is less
    than :data:`HORIZON_NOTE_GAP` before ``as_of`` (it hides next to nothing).

    Parameters
    ----------
    until : datetime
        :func:`outcomes_known_until`.
    as_of : datetime
        The moment the data is judged at.
    window_days : int
        ``funnel.window_days``.
    loaded_at : datetime, optional
        The latest import (``Tables.loaded_at``): a horizon there is the import's, else
        the last lifecycle event's.
    lang : {"en", "de"}, default "en"

    Returns
    -------
    str or None: one clause, lower case where the language allows (callers start a
    sentence with it by upper-casing its first letter).

    >>> from datetime import UTC
    >>> note = horizon_note(datetime(2025, 8, 31, 9, tzinfo=UTC),
    ...                     datetime(2026, 12, 5, tzinfo=UTC), window_days=90)
    >>> for part in note.split("; "):
    ...     print(part)
    outcomes are known only until 2025-08-31 (the last lifecycle event)
    leads whose 90-day window runs past it are not judged
    >>> horizon_note(datetime(2026, 12, 4, tzinfo=UTC), datetime(2026, 12, 5, tzinfo=UTC),
    ...              window_days=90) is None
    True
    """
    until, as_of = as_utc(until), as_utc(as_of)
    if as_of - until < HORIZON_NOTE_GAP:
        return None
    cause = "import" if loaded_at is not None and until == as_utc(loaded_at) else "events"
    return render(f"scoring.horizon.{cause}", lang=lang, day=day(until, lang), days=window_days)


def _first_sql(tables: Tables) -> pl.LazyFrame:
    """Each lead's first ``sql`` moment: ``lead_id``, ``sql_at`` (one row per lead with an SQL)."""
    return (
        tables.lifecycle_events.filter(pl.col("stage") == "sql")
        .group_by("lead_id")
        .agg(pl.col("entered_at").min().alias("sql_at"))
    )


def lead_attributes(tables: Tables, config: SlaConfig) -> pl.LazyFrame:
    """Each lead's fit attributes and fit points.

    Parameters
    ----------
    tables : Tables
        Uses ``leads`` and ``accounts``.
    config : SlaConfig
        ``scoring.fit``, ``scoring.fit_cap`` and ``segments.size_bands``.

    Returns
    -------
    LazyFrame, one row per lead: ``lead_id``, ``created_at``, ``source``, ``industry``,
    ``employees``, ``size_band``, ``country``, ``seniority``, ``role``, ``fit_points``.

    Examples
    --------
    >>> from analytics.config import load_config
    >>> cfg = load_config("data/sla.toml")
    >>> t = Tables.from_rows(
    ...     accounts=[{"account_id": "a", "name": "A", "industry": "Software",
    ...                "employees": 300, "country": "AT"}],
    ...     leads=[{"lead_id": "L1", "created_at": "2026-01-01T00:00:00Z", "source": "email",
    ...             "account_id": "a", "seniority": "vp", "role": "decision_maker"}])
    >>> lead_attributes(t, cfg).collect().select("country", "size_band", "fit_points").row(0)
    ('AT', '250-999', 50.0)
    """
    return _with_fit_points(_attributes(tables.leads, tables.accounts, config, on=()), config)


def attributes_at(tables: Tables, config: SlaConfig, moments: pl.LazyFrame) -> pl.LazyFrame:
    """Each lead's fit attributes and fit points as they were at given moments: a version a
    later import replaced (``tables.lead_history``, ``tables.account_history``:
    :mod:`analytics.warehouse.versions`) is read until it was replaced; without a history,
    :func:`lead_attributes`.

    Parameters
    ----------
    moments : LazyFrame
        ``lead_id`` and ``at`` (UTC timestamp); other columns are ignored.

    Returns
    -------
    LazyFrame, one row per distinct (``lead_id``, ``at``) of a known lead: ``at`` and the
    columns of :func:`lead_attributes`.

    Examples
    --------
    >>> from analytics.config import load_config
    >>> from datetime import UTC
    >>> cfg = load_config("data/sla.toml")
    >>> t = Tables.from_rows(leads=[{"lead_id": "L1", "created_at": "2026-01-01T00:00:00Z",
    ...                              "source": "email", "seniority": "c_level"}])
    >>> history = pl.LazyFrame({"lead_id": ["L1"], "valid_until": [datetime(2026, 3, 1)],
    ...                         "source": ["email"], "seniority": [None]}).with_columns(
    ...     pl.col("valid_until").dt.replace_time_zone("UTC"), pl.col("seniority").cast(pl.String))
    >>> import dataclasses
    >>> t = dataclasses.replace(t, lead_history=history)
    >>> feb, apr = datetime(2026, 2, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC)
    >>> at = pl.LazyFrame({"lead_id": ["L1", "L1"], "at": [feb, apr]})
    >>> attributes_at(t, cfg, at).sort("at").collect()["seniority"].to_list()  # enriched 1 March
    [None, 'c_level']
    """
    moments = moments.select("lead_id", pl.col("at").cast(UTC_TIMESTAMP)).unique()
    current = lead_attributes(tables, config)
    if tables.lead_history is None and tables.account_history is None:
        return current.join(moments, on="lead_id", how="inner")
    # only the leads whose attributes (or account's) changed need the versions' joins
    changed = attribute_changes(tables).select("lead_id").unique()
    unchanged = current.join(moments.join(changed, on="lead_id", how="anti"), on="lead_id")
    moments = moments.join(changed, on="lead_id", how="semi")
    leads = _in_force(tables.leads, tables.lead_history, moments, key="lead_id")
    accounts = _in_force(
        tables.accounts,
        tables.account_history,
        leads.select("account_id", "at").drop_nulls("account_id").unique(),
        key="account_id",
    )
    then = _with_fit_points(_attributes(leads, accounts, config, on=("at",)), config)
    return pl.concat([unchanged, then.select(unchanged.collect_schema().names())])


def _in_force(
    current: pl.LazyFrame, history: pl.LazyFrame | None, moments: pl.LazyFrame, *, key: str
) -> pl.LazyFrame:
    """``current`` rows at ``moments`` (``key``, ``at``), each versioned column as it was
    then: the earliest version of ``history`` replaced after ``at``, else the current one
    (a version's missing value is missing then, not the current value)."""
    rows = moments.join(current, on=key, how="inner")
    if history is None:
        return rows
    columns = [c for c in history.collect_schema().names() if c not in (key, "valid_until")]
    then = (
        moments.join(history, on=key, how="inner")
        .filter(pl.col("valid_until") > pl.col("at"))
        .sort("valid_until")
        .group_by(key, "at")
        .agg(pl.col(c).first().alias(f"_then_{c}") for c in columns)
        .with_columns(pl.lit(True).alias("_replaced"))
    )
    return (
        rows.join(then, on=[key, "at"], how="left")
        .with_columns(
            pl.when(pl.col("_replaced")).then(pl.col(f"_then_{c}")).otherwise(pl.col(c)).alias(c)
            for c in columns
        )
        .drop("_replaced", *(f"_then_{c}" for c in columns))
    )


def _attributes(
    leads: pl.LazyFrame, accounts: pl.LazyFrame, config: SlaConfig, *, on: tuple[str, ...]
) -> pl.LazyFrame:
    """The fit attributes of ``leads`` with their ``accounts`` (joined on ``account_id``
    and ``on``): one row per row of ``leads``."""
    acc = accounts.select(
        "account_id",
        *on,
        pl.col("industry").str.to_lowercase().str.replace_all(" ", "_").alias("industry"),
        "employees",
        size_band("employees", config=config),
        pl.col("country").alias("account_country"),
    )
    return leads.join(acc, on=["account_id", *on], how="left").select(
        "lead_id",
        *on,
        "created_at",
        "source",
        "industry",
        "employees",
        "size_band",
        pl.coalesce(
            pl.col("country").str.to_uppercase(), pl.col("account_country").str.to_uppercase()
        ).alias("country"),
        "seniority",
        "role",
    )


def _with_fit_points(attrs: pl.LazyFrame, config: SlaConfig) -> pl.LazyFrame:
    """``attrs`` with ``fit_points``: the config's points per attribute, capped."""
    fit = config.scoring.fit
    points = [
        pl.col(dim)
        .replace_strict(
            {str(k): float(v) for k, v in fit.get(dim, {}).items()},
            default=0.0,
            return_dtype=pl.Float64,
        )
        .fill_null(0.0)
        for dim in FIT_DIMENSIONS
    ]
    return attrs.with_columns(
        pl.min_horizontal(pl.sum_horizontal(points), pl.lit(float(config.scoring.fit_cap))).alias(
            "fit_points"
        )
    )


def _interest_points(config: SlaConfig) -> dict[str, float]:
    return {k: float(v) for k, v in config.scoring.interest.points.items() if v != 0}


_UNCAPPED = "_uncapped"


def _buckets(config: SlaConfig) -> dict[str, list[str]]:
    """Activity types summed together: each capped type alone, the uncapped ones in one sum.

    >>> from analytics.config import load_config
    >>> sorted(_buckets(load_config("data/sla.toml")))
    ['_uncapped', 'email_click', 'email_open', 'page_view']
    """
    points = _interest_points(config)
    caps = config.scoring.interest.caps
    buckets = {k: [k] for k in points if k in caps}
    free = [k for k in points if k not in caps]
    if free:
        buckets[_UNCAPPED] = free
    return buckets


def _interest_from_type_sums(config: SlaConfig, sums: dict[str, pl.Expr]) -> pl.Expr:
    """Cap each type's decayed sum, add them up, cap the total."""
    caps = config.scoring.interest.caps
    parts = [
        pl.min_horizontal(expr, pl.lit(float(caps[k]))) if k in caps else expr
        for k, expr in sums.items()
    ]
    total = pl.sum_horizontal(parts) if parts else pl.lit(0.0)
    return pl.min_horizontal(total, pl.lit(float(config.scoring.interest_cap)))


def scores_at(tables: Tables, config: SlaConfig, moments: pl.LazyFrame) -> pl.LazyFrame:
    """The rule score of given leads at given moments (point in time).

    Parameters
    ----------
    tables : Tables
        Uses ``leads``, ``accounts`` and ``activities``.
    config : SlaConfig
        ``[scoring]``.
    moments : LazyFrame
        ``lead_id`` and ``at`` (UTC timestamp); several moments per lead are fine; other
        columns are passed through.

    Returns
    -------
    LazyFrame, one row per row of ``moments``, in their order (leads unknown to
    ``tables.leads`` are dropped): ``lead_id``, ``at``, the other columns of ``moments``,
    ``fit_points``, ``interest_points``, ``score``.
    Only activities with ``occurred_at <= at`` count, and the fit attributes as they were
    at ``at`` (:func:`attributes_at`).

    Examples
    --------
    >>> from analytics.config import load_config
    >>> cfg = load_config("data/sla.toml")
    >>> t = Tables.from_rows(
    ...     leads=[{"lead_id": "L1", "created_at": "2026-01-01T00:00:00Z", "source": "email"}],
    ...     activities=[{"activity_id": "x", "lead_id": "L1", "type": "webinar_attended",
    ...                  "occurred_at": "2026-01-01T00:00:00Z"}])
    >>> m = pl.LazyFrame({"lead_id": ["L1", "L1"], "at": ["2026-01-01", "2026-01-31"]}).select(
    ...     "lead_id", pl.col("at").str.to_datetime(time_zone="UTC"))
    >>> scores_at(t, cfg, m).collect()["interest_points"].to_list()  # 10, then 10 / 2
    [10.0, 5.0]
    """
    points = _interest_points(config)
    buckets = _buckets(config)
    h_us = config.scoring.decay_half_life_days * _US_PER_DAY
    extra = [c for c in moments.collect_schema().names() if c not in ("lead_id", "at")]
    moments = moments.with_columns(pl.col("at").cast(UTC_TIMESTAMP)).cache()  # read twice
    acts = tables.activities.filter(pl.col("type").is_in(list(points))).select(
        "lead_id", "occurred_at", "type"
    )
    # by (lead, moment), not by row number: a lazy input (a warehouse scan, a join) need not
    # give its rows in the same order each time the plan reads it
    decayed = (
        moments.select("lead_id", "at")
        .unique()
        .join(acts, on="lead_id", how="inner")
        .filter(pl.col("occurred_at") <= pl.col("at"))
        .with_columns(
            (
                pl.col("type").replace_strict(points, return_dtype=pl.Float64)
                * _exp2(
                    -(pl.col("at") - pl.col("occurred_at")).dt.total_microseconds().cast(pl.Float64)
                    / h_us
                )
            ).alias("_p")
        )
        .group_by("lead_id", "at")
        .agg(
            [
                pl.col("_p").filter(pl.col("type").is_in(ts)).sum().alias(b)
                for b, ts in buckets.items()
            ]
        )
    )
    interest = _interest_from_type_sums(config, {b: pl.col(b).fill_null(0.0) for b in buckets})
    fit = attributes_at(tables, config, moments).select("lead_id", "at", "fit_points")
    return (
        moments.with_row_index("_row")
        .join(fit, on=["lead_id", "at"], how="inner")
        .join(decayed, on=["lead_id", "at"], how="left")
        .with_columns(interest.round(_DECIMALS).alias("interest_points"))
        .with_columns((pl.col("fit_points") + pl.col("interest_points")).alias("score"))
        .sort("_row")
        .select("lead_id", "at", *extra, "fit_points", "interest_points", "score")
    )


def rule_scores(
    tables: Tables, config: SlaConfig, *, as_of: datetime | None = None
) -> pl.LazyFrame:
    """Every lead's rule score at ``as_of`` (default: the latest timestamp in the data).

    Returns
    -------
    LazyFrame, one row per lead created at or before ``as_of``: ``lead_id``, ``at``,
    ``fit_points``, ``interest_points``, ``score``, ``fit_grade``, ``interest_grade``.
    """
    moment = _as_of(tables, as_of)
    moments = tables.leads.filter(pl.col("created_at") <= moment).select(
        "lead_id", utc_lit(moment).alias("at")
    )
    return with_grades(scores_at(tables, config, moments), config)


def with_grades(scores: pl.LazyFrame, config: SlaConfig) -> pl.LazyFrame:
    """Add ``fit_grade`` (A-D, ``scoring.fit_grades``) and ``interest_grade`` (1-4).

    >>> from analytics.config import load_config
    >>> cfg = load_config("data/sla.toml")  # fit [35, 25, 15], interest [40, 25, 10]
    >>> df = pl.LazyFrame({"fit_points": [35.0, 24.9, 0.0], "interest_points": [9.0, 25.0, 60.0]})
    >>> with_grades(df, cfg).collect().select("fit_grade", "interest_grade").rows()
    [('A', '4'), ('C', '2'), ('D', '1')]
    """

    def grade(col: str, cuts: list[float], labels: tuple[str, ...]) -> pl.Expr:
        expr = pl.lit(labels[-1])
        for cut, label in reversed(list(zip(cuts, labels[:-1], strict=True))):
            expr = pl.when(pl.col(col) >= cut).then(pl.lit(label)).otherwise(expr)
        return expr

    sc = config.scoring
    return scores.with_columns(
        grade("fit_points", sc.fit_grades, FIT_GRADES).alias("fit_grade"),
        grade("interest_points", sc.interest_grades, INTEREST_GRADES).alias("interest_grade"),
    )


def score_history(
    tables: Tables, config: SlaConfig, *, as_of: datetime | None = None
) -> pl.LazyFrame:
    """Each lead's rule score at its creation and right after each of its scoring activities.

    Computed in one pass per lead (running decayed sums, no pairwise join): the decayed
    sum of a type at ``t_i`` is ``2^(-x_i) * sum_{j<=i} p_j 2^(x_j)`` with ``x`` the time in
    half-lives since a reference; references restart every 256 half-lives (the carry from
    the previous epoch is decayed by ``2^-256``), so nothing overflows.

    Parameters
    ----------
    tables, config
        As :func:`scores_at`.
    as_of : datetime, optional
        Activities and leads after it are ignored (default: the latest timestamp).

    Returns
    -------
    LazyFrame, one row per lead and moment (its ``created_at`` and every distinct
    ``occurred_at`` of an activity type that has points), sorted by lead and moment:
    ``lead_id``, ``at``, ``fit_points``, ``interest_points``, ``score``. Equal to
    :func:`scores_at` at the same moments.

    Examples
    --------
    >>> from analytics.config import load_config
    >>> cfg = load_config("data/sla.toml")
    >>> t = Tables.from_rows(
    ...     leads=[{"lead_id": "L1", "created_at": "2026-01-01T00:00:00Z", "source": "email"}],
    ...     activities=[
    ...         {"activity_id": "a", "lead_id": "L1", "type": "webinar_attended",
    ...          "occurred_at": "2026-01-01T00:00:00Z"},
    ...         {"activity_id": "b", "lead_id": "L1", "type": "webinar_attended",
    ...          "occurred_at": "2026-01-31T00:00:00Z"}])
    >>> score_history(t, cfg).collect()["interest_points"].to_list()  # 10, then 10/2 + 10
    [10.0, 15.0]
    """
    moment = _as_of(tables, as_of)
    ts = utc_lit(moment)
    points = _interest_points(config)
    buckets = _buckets(config)
    h_us = config.scoring.decay_half_life_days * _US_PER_DAY
    # .cache(): each frame read by several branches is computed once (a warehouse scan
    # would otherwise be read again by every branch)
    fit = lead_attributes(tables, config).filter(pl.col("created_at") <= ts).cache()
    points_of_type = pl.col("type").replace_strict(points, default=0.0, return_dtype=pl.Float64)
    acts = (
        tables.activities.filter((pl.col("occurred_at") <= ts) & pl.col("type").is_in(list(points)))
        .join(fit.select("lead_id"), on="lead_id", how="semi")
        .select(
            "lead_id",
            pl.col("occurred_at").alias("at"),
            *[
                pl.when(pl.col("type").is_in(types)).then(points_of_type).otherwise(0.0).alias(b)
                for b, types in buckets.items()
            ],
        )
    )
    zero = [pl.lit(0.0).alias(b) for b in buckets]
    steps = [fit.select("lead_id", pl.col("created_at").alias("at"), *zero), acts]
    versioned = tables.lead_history is not None or tables.account_history is not None
    if versioned:  # a replaced fit attribute is a step of its own (the fit changes then)
        steps.append(
            attribute_changes(tables)
            .join(fit.select("lead_id", "created_at"), on="lead_id")
            .filter((pl.col("at") > pl.col("created_at")) & (pl.col("at") <= ts))
            .select("lead_id", "at", *zero)
        )
    grouped = (
        pl.concat(steps).group_by("lead_id", "at").agg([pl.col(b).sum() for b in buckets]).cache()
    )
    first = grouped.group_by("lead_id").agg(pl.col("at").min().alias("_t0"))
    rows = (
        grouped.join(first, on="lead_id")
        .with_columns(
            ((pl.col("at") - pl.col("_t0")).dt.total_microseconds().cast(pl.Float64) / h_us).alias(
                "_x"
            )
        )
        .with_columns((pl.col("_x") / _EPOCH_HALF_LIVES).floor().cast(pl.Int64).alias("_epoch"))
        .with_columns((pl.col("_x") - pl.col("_epoch") * _EPOCH_HALF_LIVES).alias("_r"))
        .with_columns([(pl.col(b) * _exp2(pl.col("_r"))).alias(b) for b in buckets])
        .sort("lead_id", "at")
        .with_columns(
            # one integer per (lead, epoch) segment of the sorted rows
            ((pl.col("lead_id") != pl.col("lead_id").shift(1)) | (pl.col("_epoch").diff() != 0))
            .fill_null(True)
            .cum_sum()
            .alias("_segment")
        )
        .cache()
    )
    totals = (
        rows.group_by("lead_id", "_epoch")
        .agg([pl.col(b).sum() * 2.0**-_EPOCH_HALF_LIVES for b in buckets])
        .with_columns((pl.col("_epoch") + 1).alias("_epoch"))
        .rename({b: f"_carry_{b}" for b in buckets})
    )
    sums = {
        b: (pl.col(b).cum_sum().over("_segment") + pl.col(f"_carry_{b}").fill_null(0.0))
        * _exp2(-pl.col("_r"))
        for b in buckets
    }
    interest = _interest_from_type_sums(config, sums)
    scored = rows.join(totals, on=["lead_id", "_epoch"], how="left", maintain_order="left")
    if versioned:
        fit_then = attributes_at(tables, config, rows.select("lead_id", "at"))
        scored = scored.join(
            fit_then.select("lead_id", "at", "fit_points"),
            on=["lead_id", "at"],
            how="left",
            maintain_order="left",
        )
    else:
        scored = scored.join(
            fit.select("lead_id", "fit_points"), on="lead_id", how="left", maintain_order="left"
        )
    return (
        scored.with_columns(interest.round(_DECIMALS).alias("interest_points"))
        .with_columns((pl.col("fit_points") + pl.col("interest_points")).alias("score"))
        .select("lead_id", "at", "fit_points", "interest_points", "score")
    )


def attribute_changes(tables: Tables) -> pl.LazyFrame:
    """The moments a lead's fit attributes may have changed (a version replaced by a later
    import: its own, or that of an account it belongs or belonged to): ``lead_id``,
    ``at``; empty without a history.

    >>> attribute_changes(Tables.empty()).collect().height
    0
    """
    parts = [pl.LazyFrame(schema={"lead_id": pl.String, "at": UTC_TIMESTAMP})]
    if tables.lead_history is not None:
        parts.append(tables.lead_history.select("lead_id", pl.col("valid_until").alias("at")))
    if tables.account_history is not None:
        accounts = tables.leads.select("lead_id", "account_id")  # and every earlier account
        if tables.lead_history is not None:
            accounts = pl.concat([accounts, tables.lead_history.select("lead_id", "account_id")])
        parts.append(
            tables.account_history.join(accounts.unique(), on="account_id").select(
                "lead_id", pl.col("valid_until").alias("at")
            )
        )
    return pl.concat(parts).unique()


def first_crossing(
    tables: Tables,
    config: SlaConfig,
    *,
    threshold: float | None = None,
    as_of: datetime | None = None,
) -> pl.LazyFrame:
    """The first moment each lead's rule score reached ``threshold`` (an MQL under it).

    Parameters
    ----------
    threshold : float, optional
        Default ``scoring.mql_threshold``.

    Returns
    -------
    LazyFrame, one row per lead that reached the threshold by ``as_of``: ``lead_id``,
    ``crossed_at``, ``score`` (the score at that moment).

    Examples
    --------
    >>> from analytics.config import load_config
    >>> cfg = load_config("data/sla.toml")
    >>> t = Tables.from_rows(
    ...     leads=[{"lead_id": "L1", "created_at": "2026-01-01T00:00:00Z", "source": "email"}],
    ...     activities=[{"activity_id": "a", "lead_id": "L1", "type": "demo_request",
    ...                  "occurred_at": "2026-01-03T00:00:00Z"}])
    >>> first_crossing(t, cfg, threshold=30).collect()["crossed_at"].dt.day().to_list()
    [3]
    """
    cut = config.scoring.mql_threshold if threshold is None else float(threshold)
    return (
        score_history(tables, config, as_of=as_of)
        .filter(pl.col("score") >= cut)
        .group_by("lead_id")
        .agg(pl.col("at").first().alias("crossed_at"), pl.col("score").first())
        .sort("lead_id")
    )


def scores_at_mql(tables: Tables, config: SlaConfig) -> pl.LazyFrame:
    """The rule score each lead had when it entered ``mql`` (every mql event).

    Returns
    -------
    LazyFrame, one row per ``mql`` lifecycle event: ``lead_id``, ``at`` (entered_at),
    ``trigger``, ``fit_points``, ``interest_points``, ``score``.
    """
    mqls = tables.lifecycle_events.filter(pl.col("stage") == "mql").select(
        "lead_id", pl.col("entered_at").alias("at"), "trigger"
    )
    return scores_at(tables, config, mqls)


def score_grid(scored: pl.LazyFrame, config: SlaConfig) -> pl.LazyFrame:
    """The fit x interest grid: leads and conversion per cell (A1 ... D4).

    Parameters
    ----------
    scored : LazyFrame
        ``fit_points``, ``interest_points`` and a boolean ``converted`` per lead.
    config : SlaConfig
        ``scoring.fit_grades`` and ``scoring.interest_grades``.

    Returns
    -------
    LazyFrame, one row per cell (all 16, empty ones with 0 leads): ``fit_grade``,
    ``interest_grade``, ``leads``, ``converted``, ``rate``, ``ci_low``, ``ci_high``.

    Examples
    --------
    >>> from analytics.config import load_config
    >>> cfg = load_config("data/sla.toml")
    >>> s = pl.LazyFrame({"fit_points": [40.0, 40.0, 0.0], "interest_points": [50.0, 45.0, 0.0],
    ...                   "converted": [True, False, False]})
    >>> g = score_grid(s, cfg).collect()
    >>> g.filter(pl.col("leads") > 0).select("fit_grade", "interest_grade", "leads", "rate").rows()
    [('A', '1', 2, 0.5), ('D', '4', 1, 0.0)]
    """
    from analytics.stats import rate_columns

    cells = pl.LazyFrame(
        {
            "fit_grade": [f for f in FIT_GRADES for _ in INTEREST_GRADES],
            "interest_grade": [i for _ in FIT_GRADES for i in INTEREST_GRADES],
        }
    )
    counts = (
        with_grades(scored, config)
        .group_by("fit_grade", "interest_grade")
        .agg(pl.len().alias("leads"), pl.col("converted").sum().alias("converted"))
    )
    return (
        cells.join(counts, on=["fit_grade", "interest_grade"], how="left")
        .with_columns(
            pl.col("leads").fill_null(0).cast(pl.Int64),
            pl.col("converted").fill_null(0).cast(pl.Int64),
        )
        .with_columns(rate_columns("converted", "leads"))
        .sort("fit_grade", "interest_grade")
    )


GridMoment = Literal["mql", "created"]


def grade_grid(
    tables: Tables,
    config: SlaConfig,
    *,
    at: GridMoment = "mql",
    as_of: datetime | None = None,
) -> pl.LazyFrame:
    """The fit x interest grid of the leads, graded point in time, with their conversion.

    Parameters
    ----------
    at : {"mql", "created"}, default "mql"
        ``"mql"``: every lead that became an MQL, graded at its first ``mql`` event;
        ``"created"``: every lead, graded when it was created (first activity included).
    as_of : datetime, optional
        The data as known then (default: the latest timestamp).

    Returns
    -------
    LazyFrame as :func:`score_grid`; ``converted`` = the lead's first ``sql`` follows
    within ``funnel.window_days`` of the grading moment. Only leads whose window has
    closed by ``as_of`` count: an open window is no "not converted" yet (an immature
    cohort, spec/metrics.md).

    Examples
    --------
    >>> from analytics.config import load_config
    >>> cfg = load_config("data/sla.toml")
    >>> t = Tables.from_rows(
    ...     leads=[{"lead_id": "L1", "created_at": "2026-01-01T00:00:00Z", "source": "email",
    ...             "seniority": "c_level", "role": "decision_maker", "country": "DE"}],
    ...     activities=[{"activity_id": "a", "lead_id": "L1", "type": "demo_request",
    ...                  "occurred_at": "2026-01-02T00:00:00Z"}],
    ...     lifecycle_events=[
    ...         {"lead_id": "L1", "stage": "mql", "entered_at": "2026-01-02T00:00:00Z"},
    ...         {"lead_id": "L1", "stage": "sql", "entered_at": "2026-01-09T00:00:00Z"}])
    >>> from datetime import UTC
    >>> june = datetime(2026, 6, 1, tzinfo=UTC)
    >>> g = grade_grid(t, cfg, as_of=june).collect()  # fit 12 + 10 + 10 = 32: B; interest 30: 2
    >>> g.filter(pl.col("leads") > 0).select("fit_grade", "interest_grade", "converted").rows()
    [('B', '2', 1)]
    >>> grade_grid(t, cfg).collect()["leads"].sum()  # as of its SQL its window is still open
    0
    """
    if at not in ("mql", "created"):
        raise ValueError(f"unknown grading moment at={at!r}; allowed: mql, created")
    moment = _as_of(tables, as_of)
    known = tables.until(moment)
    if at == "mql":
        moments = (
            known.lifecycle_events.filter(pl.col("stage") == "mql")
            .group_by("lead_id")
            .agg(pl.col("entered_at").min().alias("at"))
        )
    else:
        moments = known.leads.select("lead_id", pl.col("created_at").alias("at"))
    window = timedelta(days=config.funnel.window_days)
    closed = pl.col("at") + window <= utc_lit(moment)
    scored = (
        scores_at(known, config, moments.filter(closed))
        .join(_first_sql(known), on="lead_id", how="left")
        .with_columns(
            ((pl.col("sql_at") >= pl.col("at")) & (pl.col("sql_at") <= pl.col("at") + window))
            .fill_null(False)
            .alias("converted")
        )
    )
    return score_grid(scored, config)


__all__ = [
    "FIT_DIMENSIONS",
    "FIT_GRADES",
    "INTEREST_GRADES",
    "attribute_changes",
    "attributes_at",
    "first_crossing",
    "grade_grid",
    "lead_attributes",
    "rule_scores",
    "score_grid",
    "score_history",
    "scores_at",
    "scores_at_mql",
    "with_grades",
]
