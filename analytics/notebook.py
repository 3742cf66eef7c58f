"""What an analyst's notebook needs before its first metric: where the data is, what to show.

The notebooks in ``notebooks/`` run in JupyterLab (``make notebook``, working directory
``notebooks/``) and headless in the tests (``make test``). These helpers make both work
without editing a cell:

- :func:`project_root`: the checkout (the folder with ``pyproject.toml`` and ``data/``).
- :func:`warehouse_path` / :func:`config_path`: the files named by the environment
  variables ``SLA_DB`` / ``SLA_CONFIG`` (as the app and the CLI read them; a relative
  path is relative to the project root), default ``data/warehouse.duckdb`` and
  ``data/sla.toml``.
- :func:`is_interactive`: True inside a Jupyter server's kernel (JupyterLab sets
  ``JPY_SESSION_NAME``), False when nbclient executes the notebook in a test: the
  notebooks then print static tables instead of widgets.
- :func:`last_complete_month`: the month a review is usually prepared for.
- :func:`covered` / :func:`unmeasured`: a funnel frame (monthly volumes, period or
  cohort rates, velocity) with what each month's data cannot answer null, as the
  monthly review has it, and why (spec/coverage.md: missing data is never a verdict).
- :func:`covered_overall`: a frame over the whole history of one measure group (the
  speed-to-lead summary) null when no month's data can answer the group.
- :func:`unanswered`: why a frame that has no rows (a segment split, a velocity nobody
  completed) shows nothing: what its months' data cannot answer.
- :func:`show_tables`: polars' display set so that a notebook's tables show every row
  and reason they hold (polars hides the middle rows of a frame longer than 10).
- :func:`answered_months`: the months a notebook looks at, picked as the app picks the
  default month and its history, from the data the notebook's measures need.
- :func:`versions_of_months` / :func:`by_version`: which SLA version judges each month
  (:func:`analytics.sla_versions.config_for_month`, as the app, ``sla review`` and the
  pack judge it), to compute a span of months version by version.
- :func:`volume_reason`: why a review's volume is unknown, in one sentence.
- :func:`review_summary` / :func:`coverage_summary`: a month's review (volumes, rates,
  KPIs) as the app writes its values, "–" with the reason where the data cannot answer,
  and what the data can answer that month (notebook 05's first review of an export).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from analytics import coverage as cov
from analytics.coverage import last_complete_month  # the default month everywhere
from analytics.texts import Lang

if TYPE_CHECKING:
    from datetime import datetime

    from analytics.config import SlaConfig
    from analytics.review import Review
    from analytics.timeframe import MonthZones

DEFAULT_DB = "data/warehouse.duckdb"
DEFAULT_CONFIG = "data/sla.toml"


def project_root(start: str | Path | None = None) -> Path:
    """The nearest folder at or above ``start`` (default: the working directory) with
    ``pyproject.toml`` and ``data/sla.toml``.

    Raises
    ------
    FileNotFoundError
        No such folder above ``start``.

    >>> (project_root("notebooks") / "data" / "sla.toml").is_file()
    True
    """
    here = Path(start if start is not None else Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "pyproject.toml").is_file() and (folder / DEFAULT_CONFIG).is_file():
            return folder
    raise FileNotFoundError(
        f"{here}: not inside the project (no folder above it has pyproject.toml and "
        f"{DEFAULT_CONFIG}); start Jupyter with `make notebook`"
    )


def _from_env(
    variable: str, default: str, root: str | Path | None, environ: Mapping[str, str] | None
) -> Path:
    env = os.environ if environ is None else environ
    path = Path(env.get(variable) or default)
    return path if path.is_absolute() else project_root(root) / path


def warehouse_path(
    *, root: str | Path | None = None, environ: Mapping[str, str] | None = None
) -> Path:
    """The warehouse file: ``$SLA_DB`` (relative to the project root), default
    ``data/warehouse.duckdb``.

    >>> warehouse_path(environ={"SLA_DB": "/tmp/w.duckdb"}).as_posix()
    '/tmp/w.duckdb'
    >>> warehouse_path(environ={}) == project_root() / "data" / "warehouse.duckdb"
    True
    """
    return _from_env("SLA_DB", DEFAULT_DB, root, environ)


def config_path(
    *, root: str | Path | None = None, environ: Mapping[str, str] | None = None
) -> Path:
    """The SLA config: ``$SLA_CONFIG`` (relative to the project root), default ``data/sla.toml``.

    >>> config_path(environ={}).is_file()
    True
    """
    return _from_env("SLA_CONFIG", DEFAULT_CONFIG, root, environ)


def is_interactive(environ: Mapping[str, str] | None = None) -> bool:
    """True in a kernel that a Jupyter server started (it sets ``JPY_SESSION_NAME``).

    >>> is_interactive({"JPY_SESSION_NAME": "notebooks/3.ipynb"}), is_interactive({})
    (True, False)
    """
    env = os.environ if environ is None else environ
    return bool(env.get("JPY_SESSION_NAME"))


def _volume_groups() -> dict[str, tuple[str, ...]]:
    """Volume column -> the measure groups the review needs for it (its ``GROUP_KEYS``:
    ``leads`` needs ``funnel`` and ``lead_stage``, ``won_revenue`` needs ``revenue``)."""
    from analytics.review import GROUP_KEYS  # the review's own table, not a copy

    out: dict[str, list[str]] = {}
    for group, sections in GROUP_KEYS.items():
        for key in sections.get("volumes", ()):
            out.setdefault(key, []).append(group)
    return {k: tuple(v) for k, v in out.items()}


def _kind(names: Sequence[str]) -> str:
    """Which funnel frame: ``period`` (a ``metric`` per row), ``transitions`` (cohort
    rates or velocity: ``from_stage`` / ``to_stage``) or ``volumes`` (a column per volume)."""
    if "month" not in names:
        raise ValueError(f"a funnel frame has a column 'month'; this one has {list(names)}")
    if "metric" in names:
        return "period"
    if "from_stage" in names and "to_stage" in names:
        return "transitions"
    return "volumes"


def _measure(kind: str) -> pl.Expr:
    """The name of a row's measure: its period rate, or its step ``from -> to``."""
    if kind == "period":
        return pl.col("metric")
    return pl.format("{} -> {}", pl.col("from_stage"), pl.col("to_stage"))


def _answers(kind: str, measures: Sequence[str], groups: Mapping[str, bool]) -> dict[str, bool]:
    """Measure -> whether a month with ``groups`` answers it, decided by the review's own
    rules (``covered_conversion``, ``covered_transitions``, ``GROUP_KEYS``)."""
    from analytics.review import covered_conversion, covered_transitions

    if kind == "volumes":
        needs = _volume_groups()
        return {m: all(groups.get(g, True) for g in needs.get(m, ())) for m in measures}
    if kind == "period":
        probe = pl.DataFrame({"metric": list(measures), "x": [1] * len(measures)})
        out = covered_conversion(probe, groups)
    else:
        pairs = [m.split(" -> ") for m in measures]
        probe = pl.DataFrame(
            {"from_stage": [a for a, _ in pairs], "to_stage": [b for _, b in pairs],
             "x": [1] * len(pairs)}
        )  # fmt: skip
        out = covered_transitions(probe, groups)
    return dict(zip(measures, out["x"].is_not_null().to_list(), strict=True))


def _needs(kind: str, measure: str) -> tuple[str, ...]:
    """The measure groups a measure needs, in the review's order (for its reason)."""
    if kind == "volumes":
        return _volume_groups().get(measure, ())
    if kind == "period":
        return cov.KPI_GROUPS.get(measure, ())
    a, b = measure.split(" -> ")
    return ("funnel", cov.COUNTED_STAGES.get(a, "funnel"), cov.COUNTED_STAGES.get(b, "funnel"))


def _month_answers(
    frame: pl.DataFrame, coverage: pl.DataFrame, timezone: str, lang: Lang = "en"
) -> tuple[str, pl.DataFrame]:
    """The frame's kind and one row per (``month``, ``measure``) it shows: ``answered``
    (the month's data can answer it) and ``reason`` (why not, as the review says it, in
    ``lang``)."""
    kind = _kind(frame.columns)
    if kind == "volumes":
        measures = [c for c in frame.columns if c in _volume_groups()]
    else:
        measures = frame.select(_measure(kind).unique(maintain_order=True)).to_series().to_list()
    anywhere = cov.answerable(coverage)
    rows = []
    for month in frame["month"].unique(maintain_order=True).drop_nulls().to_list():
        groups = cov.month_coverage(coverage, month, timezone=timezone)
        for measure, ok in _answers(kind, measures, groups).items():
            why = None
            if not ok:
                lacking = [g for g in _needs(kind, measure) if not groups.get(g, True)]
                first = cov.import_first(lacking, anywhere)[0]
                why = cov.reason(first, coverage, lang=lang, month=month)
            rows.append((month, measure, ok, why))
    schema = {"month": pl.String, "measure": pl.String, "answered": pl.Boolean,
              "reason": pl.String}  # fmt: skip
    return kind, pl.DataFrame(rows, schema=schema, orient="row")


def covered(
    frame: pl.DataFrame | pl.LazyFrame, *, coverage: pl.DataFrame, timezone: str = "UTC"
) -> pl.DataFrame:
    """A funnel frame with what each month's data cannot answer null, as the monthly
    review nulls it (spec/coverage.md: missing data is never a verdict, never 0).

    A month answers a measure when it answers every measure group the measure needs
    (:func:`analytics.coverage.month_coverage`): a volume its stage's group and the
    funnel's (``visitors``: web traffic, ``deals_won`` / ``won_revenue``: the
    opportunities, with amounts for revenue), a period rate both of its volumes', a cohort
    rate or velocity step both of its stages'. The decision is the review's
    (:func:`analytics.review.build_review`); :func:`unmeasured` says why.

    Parameters
    ----------
    frame : DataFrame or LazyFrame
        :func:`analytics.funnel.monthly_volumes` (a column per volume),
        :func:`~analytics.funnel.period_rates` (a ``metric`` per row),
        :func:`~analytics.funnel.cohort_rates` or :func:`~analytics.funnel.velocity`
        (``from_stage`` / ``to_stage``); split by a segment or not.
    coverage : DataFrame
        What the data can answer: :func:`analytics.coverage.known_coverage` of the same
        tables (the coverage the review uses).
    timezone : str, default "UTC"
        The reporting time zone (``config.reporting.timezone``): the months' bounds.

    Returns
    -------
    DataFrame, ``frame`` collected, same rows and columns: the volumes a month cannot
    answer null; for a rate or step it cannot answer, every number (``x``, ``n``,
    ``rate``, ``ci_low``, ``ci_high``, ``median_days``...) null; the keys, ``window_days``
    and ``is_immature`` kept.

    Raises
    ------
    ValueError
        ``frame`` has no column ``month``.

    Examples
    --------
    >>> from datetime import date
    >>> c = cov.empty_coverage().with_columns(
    ...     measurable=pl.col("group").is_in(["funnel", "lead_stage", "mql_stage"]),
    ...     **{"from": pl.lit(date(2026, 1, 1)), "to": pl.lit(date(2026, 2, 28))})
    >>> v = pl.DataFrame({"month": ["2026-02", "2026-03"], "visitors": [0, 0],
    ...                   "leads": [4, 0], "mqls": [1, 0], "sqls": [0, 0]})
    >>> covered(v, coverage=c).rows()  # no traffic, no SQL stage; nothing after February
    [('2026-02', None, 4, 1, None), ('2026-03', None, None, None, None)]
    """
    data = frame.collect() if isinstance(frame, pl.LazyFrame) else frame
    kind, answers = _month_answers(data, coverage, timezone)
    if kind == "volumes":
        wide = answers.pivot(on="measure", index="month", values="answered")
        ok = wide.rename({c: f"_ok_{c}" for c in wide.columns if c != "month"})
        out = data.join(ok, on="month", how="left", maintain_order="left")
        measures = [c for c in wide.columns if c != "month"]
        return out.with_columns(
            pl.when(pl.col(f"_ok_{c}")).then(pl.col(c)).alias(c) for c in measures
        ).select(data.columns)
    keys = {"month", "segment", "metric", "from_stage", "to_stage", "window_days", "is_immature"}
    numbers = [c for c in data.columns if c not in keys]
    out = data.with_columns(_measure(kind).alias("_measure")).join(
        answers.select("month", pl.col("measure").alias("_measure"), "answered"),
        on=["month", "_measure"],
        how="left",
        maintain_order="left",
    )
    return out.with_columns(
        pl.when(pl.col("answered")).then(pl.col(c)).alias(c) for c in numbers
    ).select(data.columns)


def unmeasured(
    frame: pl.DataFrame | pl.LazyFrame,
    *,
    coverage: pl.DataFrame,
    timezone: str = "UTC",
    lang: Lang = "en",
) -> pl.DataFrame:
    """What :func:`covered` nulls in a funnel frame, and why: the reason the monthly
    review gives (:func:`analytics.coverage.reason`), months in a row with the same
    reason on one line.

    Parameters
    ----------
    frame : DataFrame or LazyFrame
        As for :func:`covered`.
    coverage : DataFrame
        What the data can answer (:func:`analytics.coverage.known_coverage`).
    timezone : str, default "UTC"
        The reporting time zone.
    lang : {"en", "de"}, default "en"
        The language of the reasons.

    Returns
    -------
    DataFrame, one row per measure and run of months it cannot answer for one reason:
    ``measure`` (a volume column, a period rate, or ``"from -> to"``), ``first_month``,
    ``last_month``, ``reason`` (one sentence: what is missing, what to import). Empty
    when every month answers everything the frame shows.

    Examples
    --------
    >>> c = cov.empty_coverage().with_columns(
    ...     measurable=pl.col("group").is_in(["funnel", "lead_stage", "mql_stage"]))
    >>> v = pl.DataFrame({"month": ["2026-02", "2026-03"], "leads": [4, 0], "visitors": [0, 0]})
    >>> u = unmeasured(v, coverage=c)
    >>> u.select("measure", "first_month", "last_month").rows(), u["reason"][0][:29]
    ([('visitors', '2026-02', '2026-03')], 'No web traffic was imported: ')
    """
    data = frame.collect() if isinstance(frame, pl.LazyFrame) else frame
    _, answers = _month_answers(data, coverage, timezone, lang)
    run = (pl.col("reason") != pl.col("reason").shift()).fill_null(True).cum_sum()
    return (
        answers.sort("measure", "month", maintain_order=True)
        .with_columns(run.over("measure").alias("_run"))
        .filter(~pl.col("answered"))
        .group_by("measure", "_run", "reason", maintain_order=True)
        .agg(pl.col("month").min().alias("first_month"), pl.col("month").max().alias("last_month"))
        .select("measure", "first_month", "last_month", "reason")
    )


def covered_overall(
    frame: pl.DataFrame | pl.LazyFrame,
    *,
    group: str,
    coverage: pl.DataFrame,
    keep: Sequence[str] = (),
) -> pl.DataFrame:
    """A frame over the whole history of measure group ``group`` (e.g. the speed-to-lead
    summary of every episode the sales touches cover) with every value null when no month
    of the data can answer the group: its counts are unknown, not 0 (spec/coverage.md: "a
    handoff with no touches table has met, missed, pending = null"). Where the group is
    measurable the frame is returned as is (its rows already keep to the covered span:
    :func:`analytics.coverage.within_coverage`). The reason:
    :func:`analytics.coverage.reason`.

    Parameters
    ----------
    frame : DataFrame or LazyFrame
        Any frame of measures of ``group``.
    group : str
        A measure group of :data:`analytics.coverage.GROUPS` (``handoff``, ``cadence``...).
    coverage : DataFrame
        What the data can answer (:func:`analytics.coverage.coverage`).
    keep : sequence of str
        Columns that say what a row is, not what was measured (a bucket's bounds): kept.

    Returns
    -------
    DataFrame, ``frame`` collected, every column but ``keep`` null when the group is not
    measurable.

    Raises
    ------
    ValueError
        ``group`` is not a measure group.

    Examples
    --------
    >>> summary = pl.DataFrame({"episodes": [0], "met": [0], "missed": [0], "compliance": [None]})
    >>> covered_overall(summary, group="handoff", coverage=cov.empty_coverage()).row(0)
    (None, None, None, None)
    """
    if group not in cov.GROUPS:
        raise ValueError(f"unknown measure group {group!r}; allowed: {', '.join(cov.GROUPS)}")
    data = frame.collect() if isinstance(frame, pl.LazyFrame) else frame
    if cov.answerable(coverage).get(group, False):
        return data
    return data.with_columns(
        pl.lit(None, dtype=data.schema[c]).alias(c) for c in data.columns if c not in keep
    )


def unanswered(
    measures: Sequence[str],
    *,
    months: Sequence[str],
    coverage: pl.DataFrame,
    timezone: str | MonthZones = "UTC",
    lang: Lang = "en",
) -> pl.DataFrame:
    """What the data of ``months`` cannot answer of ``measures``, and why: :func:`unmeasured`
    of the frame a table would show if it had rows.

    A table with no rows (volumes or cohorts split by a segment, a velocity no lead
    completed) says nothing by itself: either the months' data cannot count what it shows
    (this frame, with the review's reason) or it could and found no case (this frame empty).

    Parameters
    ----------
    measures : sequence of str
        What the table would show, of one kind: volume columns (``leads``, ``mqls``), period
        rates (``mql_to_sql``) or steps ``"lead -> mql"`` (cohort rates, velocity).
    months : sequence of str
        Its months, ``YYYY-MM``.
    coverage : DataFrame
        What the data can answer (:func:`analytics.coverage.known_coverage`).
    timezone : str or MonthZones, default "UTC"
        The months' bounds (``config.month_zones``).
    lang : {"en", "de"}, default "en"

    Returns
    -------
    DataFrame, as :func:`unmeasured`: ``measure``, ``first_month``, ``last_month``, ``reason``.

    Raises
    ------
    ValueError
        ``measures`` of several kinds.

    Examples
    --------
    >>> c = cov.empty_coverage().with_columns(
    ...     measurable=pl.col("group").is_in(["funnel", "mql_stage"]))
    >>> u = unanswered(["mql -> sql"], months=["2026-01", "2026-02"], coverage=c)
    >>> u.select("measure", "first_month", "last_month").rows(), u["reason"][0][:31]
    ([('mql -> sql', '2026-01', '2026-02')], 'No lifecycle event of stage sql')
    >>> unanswered(["mqls"], months=["2026-02"], coverage=c).height  # counted: none is a 0
    0
    """
    from analytics.funnel import PERIOD_RATES

    steps = [m.split(" -> ") for m in measures if " -> " in m]
    rates = [m for m in measures if m in PERIOD_RATES]
    if steps and len(steps) == len(measures):
        grid = pl.DataFrame(
            {"from_stage": [a for a, _ in steps], "to_stage": [b for _, b in steps]},
            schema={"from_stage": pl.String, "to_stage": pl.String},
        )
    elif rates and len(rates) == len(measures):
        grid = pl.DataFrame({"metric": list(rates)}, schema={"metric": pl.String})
    elif not steps and not rates:
        grid = pl.DataFrame({m: [0] for m in measures})
    else:
        raise ValueError(
            "measures of one kind (volumes, period rates or 'from -> to' steps); "
            f"got {list(measures)}"
        )
    probe = pl.DataFrame({"month": list(months)}, schema={"month": pl.String}).join(
        grid, how="cross"
    )
    return unmeasured(probe, coverage=coverage, timezone=timezone, lang=lang)  # type: ignore[arg-type]


def show_tables(*, rows: int = 100, text: int = 1000) -> None:
    """Set polars' display so that a notebook's tables show what they hold, in the text
    and the HTML view (JupyterLab's) alike: up to ``rows`` rows and strings up to ``text``
    characters.

    By default polars shows 10 rows of a longer frame, the first and the last five, and
    hides the middle: the KPI at risk, the month, the threshold a section is about; and it
    cuts strings at 30 characters, mid-way through a reason. Call it once, in a
    notebook's setup cell; ``pl.Config.restore_defaults()`` undoes it.

    Parameters
    ----------
    rows : int, default 100
        Rows shown before polars elides the middle ones (a notebook shows longer frames
        with ``head`` on purpose).
    text : int, default 1000
        Characters of a string cell shown (a reason is one sentence).

    Examples
    --------
    >>> twelve = pl.DataFrame({"month": [f"2026-{m:02d}" for m in range(1, 13)]})
    >>> "2026-06" in twelve._repr_html_()
    False
    >>> show_tables()
    >>> "2026-06" in twelve._repr_html_(), "2026-06" in repr(twelve)
    (True, True)
    >>> _ = pl.Config.restore_defaults()
    """
    pl.Config.set_tbl_rows(rows)
    pl.Config.set_fmt_str_lengths(text)


def answered_months(
    coverage: pl.DataFrame,
    *,
    as_of: datetime | None,
    group: str = "funnel",
    months: int = 12,
    timezone: str | MonthZones = "UTC",
) -> list[str]:
    """The months a notebook looks at, oldest first: up to ``months`` months ending with the
    last month that has ended at ``as_of`` (the default month of the app, ``sla review``
    and the pack: :func:`last_complete_month`) and that the data of measure group
    ``group`` reaches, from the first month it reaches (as the app's KPI history starts at
    the first month with leads).

    ``as_of`` is the latest timestamp of any table: an export whose deals go on after its
    leads stop (Olist: MQLs until May 2018, won deals until November) would otherwise
    look at months its funnel has no data for, and leave out the months it has. Where the
    group's data reaches no month (an undated export), the window ends with the default
    month and every measure in it is unknown (:func:`covered` says why).

    Parameters
    ----------
    coverage : DataFrame
        What the data can answer (:func:`analytics.coverage.known_coverage`).
    as_of : datetime or None
        The latest timestamp of the data (None: no data, no month).
    group : str, default "funnel"
        The measure group the notebook's measures need (:data:`analytics.coverage.GROUPS`):
        ``funnel`` for the funnel's volumes, rates and velocity (leads and lifecycle events).
    months : int, default 12
        How many months at most.
    timezone : str or MonthZones, default "UTC"
        The months' bounds (``config.month_zones``).

    Returns
    -------
    list of str, ``YYYY-MM``, consecutive; empty without ``as_of``.

    Raises
    ------
    ValueError
        ``group`` is not a measure group, or ``months`` below 1.

    Examples
    --------
    >>> from datetime import UTC, date, datetime
    >>> c = cov.empty_coverage().with_columns(
    ...     measurable=pl.col("group") == "funnel",
    ...     **{"from": pl.lit(date(2017, 6, 14)), "to": pl.lit(date(2018, 5, 31))})
    >>> m = answered_months(c, as_of=datetime(2018, 11, 14, tzinfo=UTC))
    >>> m[0], m[-1], len(m)
    ('2017-06', '2018-05', 12)
    >>> answered_months(c, as_of=datetime(2018, 11, 14, tzinfo=UTC), group="visitors", months=2)
    ['2018-09', '2018-10']
    """
    from analytics.timeframe import shift_month

    if group not in cov.GROUPS:
        raise ValueError(f"unknown measure group {group!r}; allowed: {', '.join(cov.GROUPS)}")
    if months < 1:
        raise ValueError(f"months must be at least 1, got {months}")
    last = last_complete_month(as_of, timezone=timezone)
    if last is None:
        return []
    row = coverage.filter(pl.col("group") == group)
    first = shift_month(last, -(months - 1))
    if row.height and row["measurable"][0] and row["to"][0] is not None:
        data_first, data_last = (f"{row[c][0]:%Y-%m}" for c in ("from", "to"))
        if data_last < last:  # the data stops before the default month: end where it stops
            last, first = data_last, shift_month(data_last, -(months - 1))
        first = max(first, data_first)
    out = [first]
    while out[-1] < last:
        out.append(shift_month(out[-1], 1))
    return out


def versions_of_months(
    months: Sequence[str], *, versions: Sequence[SlaConfig], fallback: SlaConfig
) -> list[tuple[SlaConfig, list[str]]]:
    """The SLA version that judges each month, and the months in a row it judges: oldest
    first, each run of consecutive months with its version.

    A month is judged by the version in force on its first day
    (:func:`analytics.sla_versions.config_for_month` over the recorded versions), as the
    review, every page of the app, ``sla review`` and the pack judge it: a notebook that
    computes a span of months computes it run by run, each with its own version (its
    first-touch line, its windows), never by the config file alone.

    Parameters
    ----------
    months : sequence of str
        Consecutive months, ``YYYY-MM``, oldest first.
    versions : sequence of SlaConfig
        The recorded versions (:func:`analytics.warehouse.config_history.stored_configs`).
    fallback : SlaConfig
        The config file (it judges every month when no version is recorded).

    Returns
    -------
    list of (SlaConfig, list of str)

    Examples
    --------
    >>> from analytics.config import load_config
    >>> from analytics.sla_versions import with_settings
    >>> v1 = load_config("data/sla.toml")                      # 2026.2, from 2026-01-01
    >>> v2 = with_settings(v1, {"sla.version": "2026.3", "sla.effective_from": "2026-10-01"})
    >>> runs = versions_of_months(["2026-09", "2026-10", "2026-11"], versions=[v1, v2],
    ...                           fallback=v1)
    >>> [(v.sla.version, m) for v, m in runs]
    [('2026.2', ['2026-09']), ('2026.3', ['2026-10', '2026-11'])]
    """
    from analytics.sla_versions import config_for_month, same_version

    runs: list[tuple[SlaConfig, list[str]]] = []
    for month in months:
        judge = config_for_month(versions, month=month, fallback=fallback)
        if runs and same_version(runs[-1][0], judge):
            runs[-1][1].append(month)
        else:
            runs.append((judge, [month]))
    return runs


def by_version(
    frame: pl.DataFrame | pl.LazyFrame,
    column: str,
    *,
    versions: Sequence[SlaConfig],
    fallback: SlaConfig,
) -> list[tuple[SlaConfig, list[str], pl.LazyFrame]]:
    """The rows of ``frame`` by the SLA version that judges the month their ``column`` falls
    in: each version (oldest first) with its months and its rows.

    The month of a row is its month in the versions' time zones
    (:func:`analytics.sla_versions.month_zones`); its version the one in force on that
    month's first day (:func:`analytics.sla_versions.config_for_month`), as the review judges
    a month's MQL episodes. Judge each part with its version (``speed_to_lead(part, ...,
    config=version)``) and concatenate: every episode is judged as its month's review
    judges it.

    Parameters
    ----------
    frame : DataFrame or LazyFrame
        Rows with a UTC timestamp ``column`` (MQL episodes and ``started_at``).
    column : str
        The timestamp that places a row in a month.
    versions : sequence of SlaConfig
        The recorded versions (:func:`analytics.warehouse.config_history.stored_configs`).
    fallback : SlaConfig
        The config file.

    Returns
    -------
    list of (SlaConfig, list of str, LazyFrame); empty when ``frame`` has no row with a
    ``column``.

    Examples
    --------
    >>> from datetime import UTC, datetime
    >>> from analytics.config import load_config
    >>> from analytics.sla_versions import with_settings
    >>> v1 = with_settings(load_config("data/sla.toml"), {"reporting.timezone": "Europe/Berlin"})
    >>> v2 = with_settings(v1, {"sla.version": "2026.3", "sla.effective_from": "2026-10-01"})
    >>> eps = pl.DataFrame({"lead_id": ["a", "b", "c"], "started_at": [
    ...     datetime(2026, 9, 30, 21, tzinfo=UTC),   # 23:00 in Berlin: September
    ...     datetime(2026, 9, 30, 23, tzinfo=UTC),   # 1 October in Berlin
    ...     datetime(2026, 11, 2, tzinfo=UTC)]})
    >>> [(v.sla.version, m, p.collect()["lead_id"].to_list())
    ...  for v, m, p in by_version(eps, "started_at", versions=[v1, v2], fallback=v1)]
    [('2026.2', ['2026-09'], ['a']), ('2026.3', ['2026-10', '2026-11'], ['b', 'c'])]
    """
    from analytics.sla_versions import config_for_month, month_zones, same_version
    from analytics.timeframe import month_of

    zones = month_zones(versions, fallback=fallback)
    lazy = frame.lazy()
    month = month_of(column, timezone=zones)
    found = lazy.select(month.unique().drop_nulls().sort()).collect().to_series().to_list()
    parts: list[tuple[SlaConfig, list[str]]] = []
    for m in found:
        judge = config_for_month(versions, month=m, fallback=fallback)
        same = next((p for p in parts if same_version(p[0], judge)), None)
        if same is None:
            parts.append((judge, [m]))
        else:
            same[1].append(m)
    return [(judge, ms, lazy.filter(month.is_in(ms))) for judge, ms in parts]


def volume_reason(review: Review, key: str, *, lang: Lang = "en") -> str | None:
    """Why the month of ``review`` has no count of volume ``key`` (a key of
    ``review.volumes``), in one sentence in ``lang``; None when its data can count it.

    The reason the review gives for the first measure group the volume needs that the
    month's data cannot answer (the groups the review nulls it by, ``GROUP_KEYS``:
    ``leads`` the lead stage, ``customers`` the customer stage, ``deals_won`` the
    opportunities), as :meth:`~analytics.review.Review.metric_reason` says it for a KPI
    (which it is, for a volume that is one: a segment's visitors too).

    Raises
    ------
    ValueError
        ``key`` is not a volume of the review.
    """
    needs = _volume_groups()
    if key not in needs:
        raise ValueError(f"unknown volume {key!r}; allowed: {', '.join(needs)}")
    if key in cov.KPI_GROUPS:
        return review.metric_reason(key, lang=lang)
    month = {g: review.measurable(g) for g in cov.GROUPS}
    lacking = cov.lacking(needs[key], month, cov.answerable(review.coverage_frame))
    return review.reason(lacking[0], lang=lang) if lacking else None


def _unknown_volume(review: Review, key: str, *, lang: Lang) -> str:
    """Why the review has no value of volume ``key``: :func:`volume_reason`, else that
    the month has no value (a volume the data can count but the review left empty)."""
    from analytics.texts import render

    return volume_reason(review, key, lang=lang) or render("coverage.no_value", lang=lang)


def review_summary(review: Review, *, currency: str = "EUR", lang: Lang = "en") -> pl.DataFrame:
    """The month's review as its first reader takes it in: each volume, period rate and
    KPI with its value as the app and the pack write it, "–" where the data cannot answer
    it, and why (the review's own reasons: :meth:`~analytics.review.Review.reason`,
    :meth:`~analytics.review.Review.metric_reason`, :meth:`~analytics.review.Review.kpi_reason`).

    Parameters
    ----------
    review : Review
        :func:`analytics.review.build_review` of the month.
    currency : str, default "EUR"
        The currency of revenue (``config.reporting.currency``).
    lang : {"en", "de"}, default "en"

    Returns
    -------
    DataFrame, one row per volume, period rate and KPI (in that order): ``part``
    (``volumes``, ``conversion``, ``KPIs``), ``measure`` (its label), ``value`` (text; "–"
    when unknown), ``counts`` (a rate's ``x / n``), ``target``, ``status`` (KPIs: met, at
    risk, missed, no data), ``why`` (one sentence where the value is "–", the KPI not
    judged or the period rate no share, more of the month's leads in its later stage than
    in its earlier one; null otherwise).
    """
    from analytics.pack.formatting import format_counts, format_metric
    from analytics.texts import metric_label, term

    def shown(metric: str, value: Any) -> str:
        return format_metric(metric, value, currency=currency, lang=lang)

    rows: list[tuple[str, str, str, str, str, str, str | None]] = []
    for key, value in review.volumes.items():
        why = None if value is not None else _unknown_volume(review, key, lang=lang)
        rows.append(("volumes", metric_label(key, lang=lang), shown(key, value), "", "", "", why))
    for rate in review.conversion.iter_rows(named=True):
        metric = rate["metric"]
        if rate["rate"] is None:
            why = review.metric_reason(metric, lang=lang) or review.value_reason(metric, lang=lang)
        else:  # a period rate above 100 %: no share (the review gives it no interval)
            why = review.share_reason(metric, lang=lang)
        counts = format_counts(rate["x"], rate["n"], lang=lang)
        label = metric_label(metric, lang=lang)
        rows.append(("conversion", label, shown(metric, rate["rate"]), counts, "", "", why))
    for kpi in review.kpis.iter_rows(named=True):
        metric, status = kpi["metric"], kpi["status"] or "no_data"
        rows.append(
            ("KPIs", kpi["label"], shown(metric, kpi["value"]), "", shown(metric, kpi["target"]),
             term("status", status, lang=lang), review.kpi_reason(kpi, lang=lang))
        )  # fmt: skip
    schema = ["part", "measure", "value", "counts", "target", "status", "why"]
    return pl.DataFrame(rows, schema=schema, orient="row")


def coverage_summary(review: Review, *, lang: Lang = "en") -> pl.DataFrame:
    """What the data can answer in the review's month: one row per measure group
    (spec/coverage.md) with ``answered`` and, where it is not, ``why`` (the reason the
    review gives, what to import).

    Returns
    -------
    DataFrame: ``group``, ``answered`` (bool), ``why`` (null where answered).
    """
    rows = [
        (group, ok, None if ok else review.reason(group, lang=lang))
        for group, ok in review.coverage.items()
    ]
    schema = {"group": pl.String, "answered": pl.Boolean, "why": pl.String}
    return pl.DataFrame(rows, schema=schema, orient="row")


__all__ = [
    "answered_months",
    "by_version",
    "config_path",
    "coverage_summary",
    "covered",
    "covered_overall",
    "is_interactive",
    "last_complete_month",
    "project_root",
    "review_summary",
    "show_tables",
    "unanswered",
    "unmeasured",
    "versions_of_months",
    "volume_reason",
    "warehouse_path",
]
