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
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import polars as pl

from analytics import coverage as cov
from analytics.coverage import last_complete_month  # the default month everywhere
from analytics.texts import Lang

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


__all__ = [
    "config_path",
    "covered",
    "covered_overall",
    "is_interactive",
    "last_complete_month",
    "project_root",
    "unmeasured",
    "warehouse_path",
]
