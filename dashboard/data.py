"""The app's one door to the data: paths, the read-only connection, and every cache.

- The warehouse path comes from ``SLA_DB`` (default ``data/warehouse.duckdb``), the SLA
  config from ``SLA_CONFIG`` (default ``data/sla.toml``).
- ``st.cache_resource`` holds the read-only connection, keyed by the path *and* the
  file's modification time: an import swaps a new file in (``os.replace``), the mtime
  changes, and the next rerun connects to the new file.
- ``st.cache_data`` holds the collected results per (warehouse, config, month, as_of,
  segment); widget filters are arguments, applied outside the cached functions.

Pages call the functions here and the ``analytics`` library; they never open files.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import polars as pl
import streamlit as st

from analytics.config import ConfigError, SlaConfig, load_config
from analytics.tables import Tables
from analytics.texts import Lang

WarehouseState = Literal["ok", "missing", "empty", "broken", "bad_name"]
#: The segment filters of the sidebar, in order (query parameter names).
FILTERS: tuple[str, ...] = ("source", "country", "team", "owner")


def db_path() -> Path:
    """The warehouse file (env ``SLA_DB``, default ``data/warehouse.duckdb``)."""
    return Path(os.environ.get("SLA_DB") or "data/warehouse.duckdb")


def config_path() -> Path:
    """The SLA config file (env ``SLA_CONFIG``, default ``data/sla.toml``)."""
    return Path(os.environ.get("SLA_CONFIG") or "data/sla.toml")


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except FileNotFoundError:
        return 0


def warehouse_key() -> tuple[str, int]:
    """(path, mtime): changes whenever an import swaps a new warehouse file in."""
    path = db_path()
    return str(path.resolve()), _mtime(path)


def config_key() -> tuple[str, int]:
    path = config_path()
    return str(path.resolve()), _mtime(path)


# -- resources -------------------------------------------------------------------------


@st.cache_resource(show_spinner=False)
def time_zones() -> tuple[str, ...]:
    """Every IANA time zone name, sorted: read once (``zoneinfo`` walks the time-zone
    database on every call, ~40 ms of each run of the Data page)."""
    from zoneinfo import available_timezones

    return tuple(sorted(available_timezones()))


#: The connection opened last per warehouse path, with the file's mtime then (closed when
#: the file changes).
_OPEN: dict[str, tuple[int, Any]] = {}


@st.cache_resource(show_spinner=False, max_entries=4)
def _connection(path: str, mtime: int) -> Any:
    """The shared read-only connection; a query of one session uses its own ``.cursor()``
    (one connection serves one query at a time: two sessions at once would collide)."""
    from analytics.warehouse import connect_readonly

    previous = _OPEN.get(path)
    if previous is not None and previous[0] == mtime:
        # the same file, its connection only evicted from this cache: the cached tables
        # (a cache of their own) still scan through it, so it stays open and serves again
        return previous[1]
    # DuckDB keeps one instance per file path and process: while a connection to the file
    # an import has since replaced is open, connect() hands out that instance and so the
    # old data (duckdb/duckdb#15912). Close it first: the next rerun sees the new file.
    if previous is not None:
        with contextlib.suppress(Exception):
            previous[1].close()
    con = connect_readonly(path)
    _OPEN[path] = (mtime, con)
    return con


@st.cache_resource(show_spinner=False, max_entries=4)
def _config(path: str, mtime: int) -> SlaConfig:
    return load_config(path)


def config() -> SlaConfig:
    """The SLA config in force (reloaded when the file changes)."""
    return _config(*config_key())


def config_error() -> str | None:
    """The config's problems as text, or None when it is valid."""
    try:
        config()
    except (ConfigError, OSError) as exc:
        return str(exc)
    return None


def connection() -> Any:
    """The read-only DuckDB connection to the current warehouse file."""
    return _connection(*warehouse_key())


@st.cache_resource(show_spinner=False, max_entries=4)
def _versions(key: tuple[str, int]) -> tuple[SlaConfig, ...]:
    """The SLA versions recorded in the warehouse file (one small query, once per file:
    recording a version swaps a new file in); none for a file that is no warehouse."""
    from analytics.warehouse import is_warehouse
    from analytics.warehouse.config_history import stored_configs

    if key[1] == 0:
        return ()
    try:
        con = _connection(*key).cursor()
        return tuple(stored_configs(con)) if is_warehouse(con) else ()
    except Exception:  # a damaged file: the Data page says what is wrong
        return ()


def versions() -> tuple[SlaConfig, ...]:
    """The SLA versions recorded in the warehouse, in the order they were first used."""
    return _versions(warehouse_key())


@st.cache_resource(show_spinner=False, max_entries=64)
def _month_config(key: tuple[str, int], ckey: tuple[str, int], month: str) -> SlaConfig:
    from analytics.sla_versions import config_for_month

    return config_for_month(_versions(key), month=month, fallback=_config(*ckey))


def month_config(month: str) -> SlaConfig:
    """The SLA version that judges ``month``: the one in force on its first day, recorded
    in the warehouse (the config file where none is;
    :func:`analytics.sla_versions.config_for_month`, as ``sla review`` and the pack).
    Every page judges a month by it; :func:`config` is the file."""
    return _month_config(warehouse_key(), config_key(), month)


@st.cache_resource(show_spinner=False, max_entries=8)
def _month_zones(key: tuple[str, int], ckey: tuple[str, int]) -> Any:
    from analytics.sla_versions import month_zones as zones_of

    return zones_of(_versions(key), fallback=_config(*ckey))


def month_zones() -> Any:
    """Where each month starts and ends (:func:`analytics.sla_versions.month_zones`): in the
    zone of the version that judges it, up to the next month's start; what the month
    picker, the default month and a running month's days read, as the reviews do."""
    return _month_zones(warehouse_key(), config_key())


@st.cache_resource(show_spinner=False, max_entries=8)
def _alerts_config(key: tuple[str, int], ckey: tuple[str, int], at: datetime) -> SlaConfig:
    from analytics.precompute import page_config

    return page_config("alerts", _config(*ckey), as_of=at, versions=_versions(key))


def alerts_config() -> SlaConfig:
    """The SLA version the At risk page's alerts use: the one that judges the month of
    ``as_of`` (:func:`analytics.sla_versions.config_at`, as ``sla alerts``); the file's
    config without an ``as_of``."""
    at = as_of()
    return config() if at is None else _alerts_config(warehouse_key(), config_key(), at)


@st.cache_resource(show_spinner=False, max_entries=8)
def _scoring_config(key: tuple[str, int], ckey: tuple[str, int], at: datetime) -> SlaConfig:
    from analytics.precompute import page_config

    return page_config("thresholds", _config(*ckey), as_of=at, versions=_versions(key))


def scoring_config() -> SlaConfig:
    """The SLA version whose MQL threshold and scoring points are today's on the Lead
    qualification page: the one that judges the month of ``as_of``
    (:func:`analytics.sla_versions.config_at`, as ``sla score report`` and notebook 03);
    the file's config without an ``as_of``. The page's stored results are keyed by it."""
    at = as_of()
    return config() if at is None else _scoring_config(warehouse_key(), config_key(), at)


@st.cache_data(show_spinner=False, max_entries=8)
def _state(key: tuple[str, int]) -> tuple[WarehouseState, str]:
    from analytics.warehouse import WarehouseError, is_warehouse, table_counts
    from analytics.warehouse.connection import name_clash

    clash = name_clash(key[0])
    if clash is not None:  # DuckDB would take the file for that schema: never readable
        return "bad_name", clash
    if key[1] == 0:
        return "missing", ""
    try:
        con = _connection(*key).cursor()
        if not is_warehouse(con):
            return "broken", "not an SLA warehouse"
        if table_counts(con)["leads"] == 0:
            return "empty", ""
    except WarehouseError as exc:
        return "broken", str(exc)
    except Exception as exc:  # a damaged file: show it, do not crash the app
        return "broken", f"{type(exc).__name__}: {exc}"
    return "ok", ""


def warehouse_state() -> tuple[WarehouseState, str]:
    """``ok``, ``missing``, ``empty`` (no leads), ``broken`` (with the error text) or
    ``bad_name`` (with the warehouse schema the file's name clashes with:
    :func:`analytics.warehouse.connection.name_clash`)."""
    return _state(warehouse_key())


#: Up to this many rows (all tables but ``activities``) the tables are held in memory.
HOLD_MAX_ROWS = 20_000_000


@st.cache_resource(show_spinner=False, max_entries=4)
def _tables(key: tuple[str, int]) -> Tables:
    """The core tables, read once per warehouse file; held in memory up to
    :data:`HOLD_MAX_ROWS` rows (:func:`analytics.warehouse.database.load_tables_held`)."""
    from analytics.warehouse.database import load_tables_held

    return load_tables_held(_connection(*key), max_rows=HOLD_MAX_ROWS)


def tables() -> Tables:
    """The warehouse's core tables as lazy frames."""
    return _tables(warehouse_key())


@st.cache_data(show_spinner=False, max_entries=4)
def _reps(key: tuple[str, int]) -> pl.DataFrame:
    from analytics.coverage import rep_display_names
    from analytics.warehouse import load_tables

    # reads this table only
    return rep_display_names(load_tables(_connection(*key)).reps).collect()


def reps() -> pl.DataFrame:
    """The ``reps`` table (read alone: the other tables are not loaded for it), a rep
    without a name named "Rep 1", "Rep 2" ... as on every page."""
    return _reps(warehouse_key())


# -- small facts about the warehouse -----------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=8)
def _as_of(key: tuple[str, int]) -> datetime | None:
    from analytics.warehouse import latest_timestamp

    return latest_timestamp(_connection(*key).cursor())


def as_of() -> datetime | None:
    """The default ``as_of``: the latest timestamp in the warehouse (UTC)."""
    return _as_of(warehouse_key())


@st.cache_data(show_spinner=False, max_entries=8)
def _months(key: tuple[str, int], ckey: tuple[str, int]) -> list[str]:
    from analytics.coverage import review_months
    from analytics.warehouse.facts import lead_months

    tz = _config(*ckey).reporting.timezone
    zones = _month_zones(key, ckey)  # the running month as the versions cut the months
    return review_months(
        lead_months(_connection(*key).cursor(), timezone=tz), as_of(), timezone=zones
    )


def months() -> list[str]:
    """The months a review can be opened on, newest first (the month picker's options,
    :func:`analytics.coverage.review_months`)."""
    return _months(warehouse_key(), config_key())


@st.cache_data(show_spinner=False, max_entries=8)
def _coverage(key: tuple[str, int], ckey: tuple[str, int]) -> pl.DataFrame:
    from analytics.coverage import coverage as data_coverage
    from analytics.warehouse.coverage_store import read_coverage

    config = _config(*ckey)
    stored = read_coverage(_connection(*key), config)
    if stored is not None:
        return stored
    return data_coverage(_tables(key), config=config)


@st.cache_data(show_spinner=False, max_entries=8)
def _version_coverage(key: tuple[str, int], coverage_key: str, _config: SlaConfig) -> pl.DataFrame:
    from analytics.coverage import known_coverage

    return known_coverage(_tables(key), config=_config)


def _coverage_of(key: tuple[str, int], ckey: tuple[str, int], config: SlaConfig) -> pl.DataFrame:
    """What the data can answer read as ``config`` reads it: the file config's coverage
    when it reads the data the same way (:attr:`~analytics.config.SlaConfig.coverage_key`),
    else the version's own (another time zone: other days; stored for it, or computed)."""
    if config.coverage_key == _config(*ckey).coverage_key:
        return _coverage(key, ckey)
    return _version_coverage(key, config.coverage_key, config)


def coverage() -> pl.DataFrame:
    """What the warehouse's data can answer (:func:`analytics.coverage.coverage`), as
    stored for this config (computed for a warehouse written before, or another config)."""
    return _coverage(warehouse_key(), config_key())


def unanswered(group: str, lang: Lang = "en") -> str | None:
    """Why the warehouse's data cannot answer measure group ``group`` in any month (one
    sentence in ``lang``, spec/coverage.md); None when it can."""
    from analytics.coverage import reason

    frame = coverage()
    row = frame.filter(pl.col("group") == group)
    if row.is_empty() or row["measurable"][0]:
        return None
    return reason(group, frame, lang=lang)  # as the Data page says it


@st.cache_data(show_spinner=False, max_entries=8)
def _score_reasons(key: tuple[str, int], ckey: tuple[str, int], at: datetime, lang: str) -> Any:
    from analytics.scoring.report import ScoreReasons

    judge = _scoring_config(key, ckey, at)  # its fit attributes say which leads have fit
    return ScoreReasons.of_coverage(_coverage_of(key, ckey, judge), lang=lang)  # type: ignore[arg-type]


def score_reasons(lang: Lang = "en") -> Any:
    """Why each part of the lead score cannot be judged on the warehouse's data
    (:class:`analytics.scoring.report.ScoreReasons`, as ``sla score report`` and notebook
    03 say it), read as today's SLA version reads the data (:func:`scoring_config`), from
    the stored coverage: the tables are not read. None without an ``as_of`` (no data)."""
    at = as_of()
    return None if at is None else _score_reasons(warehouse_key(), config_key(), at, lang)


def default_month() -> str | None:
    """The month the app opens on: the last complete month at ``as_of`` (spec/coverage.md,
    as ``sla review`` without ``--month``), always one of :func:`months`; the newest month
    with leads without an ``as_of``."""
    from analytics.coverage import last_complete_month

    found = months()
    at = as_of()
    month = last_complete_month(at, timezone=month_zones()) if at else None
    return month if month in found else (found[0] if found else None)


def running_days(month: str) -> tuple[int, int] | None:
    """(days begun, days) of ``month`` when it is running at ``as_of``, else None."""
    from analytics.coverage import is_running, month_days

    zones = month_zones()
    if not is_running(month, as_of(), timezone=zones):
        return None
    return month_days(month, as_of(), timezone=zones)


@dataclass(frozen=True)
class Rep:
    rep_id: str
    name: str
    team: str


@st.cache_data(show_spinner=False, max_entries=8)
def _filter_options(key: tuple[str, int]) -> dict[str, list[str]]:
    from analytics.warehouse.facts import filter_values

    return filter_values(_connection(*key).cursor())


def filter_options() -> dict[str, list[str]]:
    """The values each sidebar filter offers (source, country, team, owner)."""
    return _filter_options(warehouse_key())


@st.cache_data(show_spinner=False, max_entries=8)
def _rep_names(key: tuple[str, int]) -> dict[str, str]:
    from analytics.coverage import rep_display_names
    from analytics.warehouse.facts import rep_names as recorded_names

    recorded = recorded_names(_connection(*key).cursor())
    reps = pl.LazyFrame(
        {"rep_id": list(recorded), "name": list(recorded.values())},
        schema={"rep_id": pl.String, "name": pl.String},
    )
    shown = rep_display_names(reps).collect()  # "Rep 1", "Rep 2" ... for reps without a name
    return dict(zip(shown["rep_id"].to_list(), shown["name"].to_list(), strict=True))


def rep_names() -> dict[str, str]:
    """rep_id -> display name."""
    return _rep_names(warehouse_key())


@st.cache_data(show_spinner=False, max_entries=8)
def _demo_source(key: tuple[str, int]) -> str | None:
    from analytics.warehouse import WarehouseError
    from analytics.warehouse.facts import demo_source as logged_demo

    if key[1] == 0:  # no file yet: the upload makes the warehouse
        return None
    try:
        return logged_demo(_connection(*key).cursor())
    except WarehouseError:  # not readable as a warehouse: the page says what is wrong
        return None


def demo_source() -> str | None:
    """The ``sla demo`` command whose data the warehouse holds, else None
    (:func:`analytics.warehouse.facts.demo_source`): an upload into it mixes two companies."""
    return _demo_source(warehouse_key())


# -- warehouse health (Data page) ------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=4)
def _health(key: tuple[str, int]) -> dict[str, Any]:
    from analytics.warehouse import loads, quarantine, table_counts
    from analytics.warehouse.config_history import config_versions

    con = _connection(*key).cursor()
    return {
        "counts": table_counts(con),
        "quarantine": quarantine(con),
        "loads": loads(con),
        "config_versions": config_versions(con),
    }


def health() -> dict[str, Any]:
    """Rows per table, the quarantine, the load log and the recorded config versions."""
    return _health(warehouse_key())


@st.cache_data(show_spinner=False, max_entries=4)
def _last_import_notes(key: tuple[str, int]) -> list[Any]:
    from analytics.warehouse.facts import last_import_notes

    return last_import_notes(_connection(*key).cursor())


def last_import_notes() -> list[Any]:
    """What was quarantined of the files behind the data and said of what the numbers
    include, as texts (:func:`analytics.warehouse.facts.last_import_notes`)."""
    return _last_import_notes(warehouse_key())


@st.cache_data(show_spinner=False, max_entries=4)
def _tracks_in_data(key: tuple[str, int]) -> pl.DataFrame:
    from analytics.warehouse.facts import track_counts

    # asked of DuckDB: the Data page's first visit loads no table into memory
    return track_counts(_connection(*key).cursor())


def tracks_in_data() -> pl.DataFrame:
    """One row per nurture track name found in the data: ``track``, ``enrollments``."""
    return _tracks_in_data(warehouse_key())


def _may_write() -> None:
    """Raise :class:`PermissionError` unless :mod:`dashboard.access` lets this session write
    (the page hides the upload already; this holds for every other caller too)."""
    from dashboard import access

    if not access.current().may_write:
        raise PermissionError("importing is for admins of the SLA, and not in a read-only app")


def _in_child(function: Any, *args: Any, what: Path, **kwargs: Any) -> Any:
    """``function(*args, **kwargs)`` in a child process: a hostile file that exhausts memory
    or crashes a reader ends that process, not the app server."""
    import multiprocessing

    from analytics.warehouse import ImportFailed

    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        job = pool.apply_async(function, args, kwargs)
        try:
            return job.get()
        except ImportFailed:
            raise
        except Exception as exc:  # the child died or failed: one clear message, no traceback
            raise ImportFailed(f"{what}: the import failed ({type(exc).__name__})") from None


def preview_import(
    path: Path,
    *,
    fmt: str = "canonical",
    mapping: Path | None = None,
    replace: bool = False,
    timezone: str = "UTC",
    date_format: str | None = None,
    pipelines: tuple[str, ...] = (),
    opportunity_types: tuple[str, ...] = (),
) -> Any:
    """What importing ``path`` would do, tried on a scratch copy of the warehouse.

    The same import as ``sla import [--format FMT] [--mapping FILE] [--replace]
    [--timezone ZONE] [--date-format LAYOUT] [--pipeline NAME ...] [--opportunity-type
    TYPE ...]``, run in a
    child process on a copy (:func:`analytics.warehouse.preview.preview_import`): the live
    warehouse is not touched. Returns the :class:`~analytics.warehouse.preview.Preview`;
    confirm it with :func:`confirm_import` or drop it with :func:`discard_import`.
    Raises :class:`PermissionError` unless this session may write.
    """
    from analytics.warehouse.adapters.common import CsvOptions
    from analytics.warehouse.preview import preview_import as preview

    _may_write()
    return _in_child(
        preview,
        db_path(),
        path,
        what=path,
        fmt=fmt,
        mapping=mapping,
        options=CsvOptions(
            timezone=timezone,
            date_format=date_format or None,
            pipelines=tuple(pipelines),
            opportunity_types=tuple(opportunity_types),
        ),
        config=config(),
        replace=replace,
        owner=os.getpid(),
    )


def confirm_import(preview: Any) -> bool:
    """Swap a previewed import in; False when the warehouse changed since (preview again).

    The next rerun reads the new file (the caches follow the file's modification time).
    """
    from analytics.warehouse.preview import confirm_preview

    _may_write()
    swapped = confirm_preview(preview)
    if swapped and not (preview.result.results_kept and _results_current()):
        store_results_in_background()
    return swapped


def _results_current() -> bool:
    """Whether the stored results of the config in force describe the warehouse's data (an
    import that changed nothing kept them): no refresh is needed."""
    from analytics.precompute import results_stored

    return results_stored(connection().cursor(), config())


def store_results_in_background() -> subprocess.Popen:
    """``sla precompute`` in a process of its own, not waited for: a write clears the
    stored results, and the pages compute on their own until the new ones are stored
    (the caches follow the file, so the next rerun after that opens on them)."""
    command = [sys.executable, "-m", "analytics.cli", "precompute"]
    command += ["--db", str(db_path()), "--config", str(config_path())]
    return subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )


def discard_import(preview: Any) -> None:
    """Drop a previewed import: its scratch copy is removed, the warehouse stays as it is."""
    from analytics.warehouse.preview import discard_preview

    discard_preview(preview)


def segment_filter(values: dict[str, str | None]) -> dict[str, str]:
    """The active sidebar filters only (``{"source": "email"}``); empty when none is set."""
    return {k: v for k, v in values.items() if k in FILTERS and v}


# -- the month's review (every page's numbers) --------------------------------------------


def review_segment(filters: dict[str, str], reps: pl.DataFrame) -> dict[str, Any] | None:
    """The sidebar filters as a segment of :func:`analytics.review.build_review`.

    ``team`` is not a lead attribute: it selects the leads owned by that team's reps
    (combined with ``owner`` when both are set).
    """
    segment: dict[str, Any] = {k: v for k, v in filters.items() if k in ("source", "country")}
    team, owner = filters.get("team"), filters.get("owner")
    if team:
        ids = reps.filter(pl.col("team") == team)["rep_id"].to_list()
        segment["owner"] = [r for r in ids if r == owner] if owner else ids
    elif owner:
        segment["owner"] = owner
    return segment or None


def _stored(
    key: tuple[str, int], config: SlaConfig, kind: str, month: str, at: datetime | None
) -> Any:
    """A result the last import stored for this warehouse and ``config``, or None (a KPI
    history: ``config`` is the file's, each month keyed by its recorded version)."""
    from analytics.precompute import stored

    con = _connection(*key).cursor()
    return stored(con, kind, month=month, config=config, as_of=at, versions=_versions(key))


@st.cache_data(show_spinner=False, max_entries=48)
def _review(
    key: tuple[str, int],
    ckey: tuple[str, int],
    month: str,
    as_of: datetime | None,
    segment: tuple[tuple[str, Any], ...],
) -> Any:

    judge = _month_config(key, ckey, month)  # the version in force on the month's first day
    return _version_review(key, ckey, judge.content_hash, month, as_of, segment, judge)


@st.cache_data(show_spinner=False, max_entries=48)
def _version_review(
    key: tuple[str, int],
    ckey: tuple[str, int],
    content_hash: str,
    month: str,
    as_of: datetime | None,
    segment: tuple[tuple[str, Any], ...],
    _config: SlaConfig,
) -> Any:
    """The month's review judged by the version ``_config`` (``content_hash``): stored by
    the last import for the whole company, else computed."""
    from analytics.review import build_review

    if not segment:
        kept = _stored(key, _config, "review", month, as_of)
        if kept is not None:
            return kept
    reps = _tables(key).reps.select("rep_id", "team").collect()
    return build_review(
        _tables(key),
        _config,
        month=month,
        as_of=as_of,
        segment=review_segment(dict(segment), reps),
        coverage=_coverage_of(key, ckey, _config),
    )


@st.cache_data(show_spinner=False, max_entries=48)
def _history_review(
    key: tuple[str, int],
    ckey: tuple[str, int],
    month: str,
    as_of: datetime | None,
    segment: tuple[tuple[str, Any], ...],
) -> Any:
    from analytics.comparison import in_history
    from analytics.sla_versions import same_version

    judged_by = _month_config(key, ckey, month)  # the version :func:`_review` judges it by
    given = _config(*ckey)

    def previous_of(config: SlaConfig, label: str) -> Any:
        judge = _month_config(key, ckey, label)
        if same_version(config, judge):
            return _review(key, ckey, label, as_of, segment)
        return _version_review(key, ckey, config.content_hash, label, as_of, segment, config)

    return in_history(
        _review(key, ckey, month, as_of, segment),
        config=judged_by,
        versions=_versions(key),
        fallback=given,
        previous_of=previous_of,
    )


def review(month: str, segment: dict[str, str] | None = None, *, at: datetime | None = None) -> Any:
    """The month's :class:`analytics.review.Review`, judged by the SLA version in force on
    its first day (:func:`month_config`), cached per (month, as_of, filters), compared with
    the previous month as judged then and its quarter paced against each month's own goal
    (:func:`analytics.comparison.in_history`), as the pack and ``sla review`` show it."""
    seg = tuple(sorted((segment or {}).items()))
    return _history_review(warehouse_key(), config_key(), month, at or as_of(), seg)


@st.cache_data(show_spinner=False, max_entries=32)
def _goal_plan(
    key: tuple[str, int], ckey: tuple[str, int], month: str, at: datetime, target: float
) -> tuple[pl.DataFrame, pl.DataFrame]:
    from analytics.comparison import month_goals
    from analytics.coverage import month_coverage, period_coverage
    from analytics.goals import retarget

    cfg = _month_config(key, ckey, month)
    # the month's review holds both for its version's target (stored after an import for
    # the default months, so a first visit reads a few KB and no table); its quarter adds
    # up each month's own goal
    review = _history_review(key, ckey, month, at, ())
    if float(target) == float(cfg.goals.revenue_target_monthly):
        return review.targets, review.pacing
    goals = month_goals(_versions(key), month=month, fallback=cfg)
    cfg = cfg.model_copy(
        update={"goals": cfg.goals.model_copy(update={"revenue_target_monthly": float(target)})}
    )
    coverage, zone = _coverage_of(key, ckey, cfg), cfg.month_zones  # as the review cuts it
    groups = month_coverage(coverage, month, timezone=zone)
    quarter = period_coverage(coverage, month, period="quarter", timezone=zone)
    raw = _review(key, ckey, month, at, ())  # retarget scales the quarter itself
    return retarget(
        raw.targets, raw.pacing, config=cfg, groups=groups, periods={"quarter": quarter},
        goals=goals, month=month,
    )  # fmt: skip


def goal_plan(month: str, target: float) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(reverse funnel, pacing) of the whole company for a monthly revenue target
    from the month's review (stored, else computed once; :func:`analytics.goals.retarget`
    for another target than that of the month's SLA version, :func:`month_config`);
    pacing of a stage the month's data cannot answer is null."""
    return _goal_plan(warehouse_key(), config_key(), month, as_of(), target)


@st.cache_data(show_spinner=False, max_entries=16)
def _kpi_trend(
    key: tuple[str, int],
    ckey: tuple[str, int],
    month: str,
    at: datetime | None,
    segment: tuple[tuple[str, Any], ...],
    count: int,
) -> pl.DataFrame:
    from analytics.precompute import KPI_MONTHS
    from analytics.review import kpi_history

    if not segment and count == KPI_MONTHS:
        kept = _stored(key, _config(*ckey), "kpi_history", month, at)
        if kept is not None:
            return kept
    reps = _tables(key).reps.select("rep_id", "team").collect()
    seg = review_segment(dict(segment), reps)
    return kpi_history(
        _tables(key),
        _config(*ckey),
        month=month,
        months=count,
        as_of=at,
        segment=seg,
        coverage=_coverage(key, ckey),
        versions=_versions(key),
    )


def kpi_trend(
    month: str, segment: dict[str, str] | None = None, *, count: int = 12
) -> pl.DataFrame:
    """The KPI table of each of the ``count`` months up to ``month`` (oldest first), each
    month judged by its own SLA version (its target and status), cached.

    Returns
    -------
    DataFrame, one row per month and KPI: ``month`` and the columns of
    :func:`analytics.kpis.kpi_table` (:func:`analytics.review.kpi_history`).
    """
    seg = tuple(sorted((segment or {}).items()))
    return _kpi_trend(warehouse_key(), config_key(), month, as_of(), seg, count)


def warm_up() -> list[str]:
    """Fill the caches that the pages' first visits read, before the first visitor comes
    (:mod:`dashboard.serve` calls it before the server starts): the connection, the config,
    the warehouse's state, ``as_of``, the months, the sidebar's filter values and rep names,
    the coverage, the Data page's health, and what the last import stored: the default
    month's review, KPI history and review pack (both months stored), the At risk alerts
    at the default horizons, MQL -> SQL by speed bucket, the lead-scoring results. Reads
    only: nothing that was not stored is computed here, and what is stored is checked in
    the index and read once (a 10M review is 26 MB).

    Returns
    -------
    list of str
        What was warmed (nothing when the config or the warehouse is not usable: the app
        then says why on its first run).
    """
    from analytics.alerts import DEFAULT_WITHIN_DAYS, DEFAULT_WITHIN_HOURS
    from analytics.precompute import KPI_MONTHS, SCORING_KINDS, is_stored, model_hash
    from analytics.timeframe import shift_month

    if config_error() is not None or warehouse_state()[0] != "ok":
        return []
    as_of()
    month = default_month()  # the months too
    filter_options()
    rep_names()
    coverage()
    health()
    tracks_in_data()
    done = ["connection", "config", "as_of", "months", "filters", "rep_names", "coverage"]
    done += ["health"]
    key, ckey, at = warehouse_key(), config_key(), as_of()
    cfg, model = _config(*ckey), model_hash(key[0])
    con = _connection(*key).cursor()

    def kept(kind: str, label: str = "", digest: str = "") -> bool:  # the index, no payload
        judge = cfg  # a month's review by its version, the alerts by as_of's month's
        if kind == "review":
            judge = _month_config(key, ckey, label)
        elif kind == "alerts":
            judge = _alerts_config(key, ckey, at)
        elif kind in SCORING_KINDS:  # today's threshold and scoring: as_of's month's too
            judge = _scoring_config(key, ckey, at)
        return is_stored(
            con, kind, month=label, config=judge, as_of=at, model=digest, versions=_versions(key)
        )

    if month and kept("review", month):
        review(month)
        done.append(f"review {month}")
    if month and kept("kpi_history", month):
        kpi_trend(month, count=KPI_MONTHS)
        done.append(f"kpi_history {month}")
    if month and kept("review", month) and kept("review", shift_month(month, -1)):
        pack(month)
        done.append(f"pack {month}")
    if at is not None and kept("alerts"):
        alerts(DEFAULT_WITHIN_HOURS, DEFAULT_WITHIN_DAYS)
        done.append("alerts")
    if at is not None and kept("bucket_conversion"):
        bucket_conversion()
        done.append("bucket_conversion")
    if at is not None and kept("thresholds", digest=model):
        threshold_table(lang="en")
        done.append("thresholds")
    for kind, warm in (
        ("lead_list", lambda: lead_list(lang="en")),
        ("sales_feedback", sales_feedback),
        ("score_quality", score_quality),
    ):
        if at is not None and kept(kind, digest=model):
            warm()
            done.append(kind)
    return done


# -- lead scoring (stored by the last import or training, else computed once) -------------------


def _stored_scoring(key: tuple[str, int], ckey: tuple[str, int], kind: str, at: Any) -> Any:
    """A lead-scoring result the last import, ``sla precompute`` or ``sla score train``
    stored for this warehouse, the SLA version of ``at``'s month (:func:`scoring_config`)
    and saved model (:data:`SCORING_KINDS`), or None."""
    from analytics.precompute import model_hash, stored

    con = _connection(*key).cursor()
    judge = _scoring_config(key, ckey, at)
    return stored(con, kind, month="", config=judge, as_of=at, model=model_hash(key[0]))


@st.cache_resource(show_spinner=False, max_entries=2)
def _threshold_base(key: tuple[str, int], ckey: tuple[str, int], at: datetime) -> Any:
    from analytics.scoring.thresholds import precompute_thresholds

    return precompute_thresholds(_tables(key), _scoring_config(key, ckey, at), as_of=at)


def threshold_base() -> Any:
    """The rule score's running-maximum steps of every lead (the slider's input), once."""
    return _threshold_base(warehouse_key(), config_key(), as_of())


@st.cache_data(show_spinner=False, max_entries=2)
def _thresholds(key: tuple[str, int], ckey: tuple[str, int], at: datetime) -> dict[str, Any]:
    from analytics.precompute import threshold_results

    kept = _stored_scoring(key, ckey, "thresholds", at)
    if kept is not None:
        return kept
    return threshold_results(_threshold_base(key, ckey, at), points=False)


def thresholds() -> dict[str, Any]:
    """The threshold table and what the page shows beside it (stored, else computed):
    :func:`analytics.precompute.threshold_results` (``points`` None when computed here:
    a slider move then filters the base)."""
    return _thresholds(warehouse_key(), config_key(), as_of())


@st.cache_data(show_spinner=False, max_entries=4)
def _recommendation(
    key: tuple[str, int], ckey: tuple[str, int], at: datetime, lang: str
) -> tuple[float | None, str]:
    from analytics.scoring.thresholds import recommend_threshold

    scoring = _scoring_config(key, ckey, at).scoring
    return recommend_threshold(
        _thresholds(key, ckey, at)["table"],
        current=float(scoring.mql_threshold),
        minimum=scoring.min_extra_sqls_per_extra_mql,
        lang=lang,
        horizon=_outcomes_note(key, ckey, at, lang),
    )


def _outcomes_note(key: tuple[str, int], ckey: tuple[str, int], at: datetime, lang: str):
    from analytics.scoring.rules import horizon_note

    until = _thresholds(key, ckey, at).get("outcomes_known_until")
    window = _scoring_config(key, ckey, at).funnel.window_days
    return None if until is None else horizon_note(until, at, window_days=window, lang=lang)


def outcomes_note(*, lang: Lang = "en") -> str | None:
    """Why leads are not judged when the outcomes are known only until before ``as_of``
    (:func:`analytics.scoring.rules.horizon_note`, one clause in ``lang``), else None."""
    return _outcomes_note(warehouse_key(), config_key(), as_of(), lang)


def threshold_table(*, lang: Lang = "en") -> tuple[pl.DataFrame, float | None, str]:
    """(threshold table, recommended threshold, why) for the default thresholds.

    The why is one sentence in ``lang`` (the page passes its UI language).
    """
    key, ckey, at = warehouse_key(), config_key(), as_of()
    recommended, reason = _recommendation(key, ckey, at, lang)
    return _thresholds(key, ckey, at)["table"], recommended, reason


def threshold_point(threshold: float) -> dict[str, Any]:
    """The what-if at one threshold: its stored row, else a cheap filter over the base.

    Computed beside today's threshold, so that ``extra_sqls_per_extra_mql`` is filled.
    """
    from analytics.scoring.thresholds import threshold_table as table_at

    points = thresholds()["points"]
    if points is not None:
        row = points.filter(pl.col("threshold") == float(threshold))
        if row.height:
            return row.row(0, named=True)
    base = threshold_base()
    cuts = [float(threshold)]
    if base.current_threshold is not None:
        cuts.append(float(base.current_threshold))
    table = table_at(base, thresholds=cuts)
    return table.filter(pl.col("threshold") == float(threshold)).row(0, named=True)


@st.cache_data(show_spinner=False, max_entries=4)
def _lead_list(key: tuple[str, int], ckey: tuple[str, int], at: datetime, lang: str) -> Any:
    from analytics.scoring.model import latest_model, models_dir
    from analytics.scoring.reasons import lead_list_with_model

    kept = _stored_scoring(key, ckey, "lead_list", at)
    if kept is not None and lang in kept:
        return kept[lang]
    return lead_list_with_model(
        _tables(key),
        _scoring_config(key, ckey, at),
        as_of=at,
        langs=(lang,),  # type: ignore[arg-type]
        model_path=latest_model(models_dir(key[0])),
    )[lang]


@st.cache_data(show_spinner=False, max_entries=2)
def _sales_feedback(key: tuple[str, int], ckey: tuple[str, int], at: datetime) -> Any:
    from analytics.scoring.feedback import sales_feedback

    kept = _stored_scoring(key, ckey, "sales_feedback", at)
    if kept is not None:
        return kept
    return sales_feedback(_tables(key), _scoring_config(key, ckey, at), as_of=at)


def sales_feedback() -> tuple[pl.DataFrame, list[dict[str, Any]]]:
    """Rejection reasons by grade at the MQL moment, and the suggested fit-point changes."""
    return _sales_feedback(warehouse_key(), config_key(), as_of())


def lead_list(*, lang: Lang = "en") -> tuple[pl.DataFrame, str | None, str | None]:
    """Today's open leads by rule score with their reasons, and the saved model's factors
    when a model is saved beside the warehouse (its version, else None), and a note on the
    saved model (why it adds no factors, or what flags it), else None."""
    return _lead_list(warehouse_key(), config_key(), as_of(), lang)


@st.cache_data(show_spinner=False, max_entries=2)
def _score_quality(key: tuple[str, int], ckey: tuple[str, int], at: datetime) -> dict[str, Any]:
    from analytics.scoring.report import score_quality

    kept = _stored_scoring(key, ckey, "score_quality", at)
    if kept is not None:
        return kept
    return score_quality(_tables(key), _scoring_config(key, ckey, at), as_of=at)


def score_quality() -> dict[str, Any]:
    """:func:`analytics.scoring.report.score_quality` of the warehouse (stored, else cached)."""
    return _score_quality(warehouse_key(), config_key(), as_of())


# -- the review pack (Monthly review page) ----------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=8)
def _pack(
    key: tuple[str, int],
    ckey: tuple[str, int],
    month: str,
    at: datetime | None,
    segment: tuple[tuple[str, Any], ...],
    nkey: tuple[str, int] = ("", 0),
) -> Any:
    from analytics.pack import build_pack
    from analytics.precompute import stored
    from analytics.review import build_review
    from analytics.sla_versions import same_version
    from analytics.warehouse import load_tables

    con = _connection(*key)
    versions = list(_versions(key))
    if segment:
        reps = _tables(key).reps.select("rep_id", "team").collect()
        return build_pack(
            _tables(key),
            _config(*ckey),
            month=month,
            as_of=at,
            segment=review_segment(dict(segment), reps),
            versions=versions,
            coverage=_coverage(key, ckey),  # the file config's: build_pack reads the others'
            notifications=notification_log(),
            import_notes=_last_import_notes(key),
        )

    def review_of(cfg: SlaConfig, label: str, moment: datetime | None) -> Any:
        if same_version(cfg, _month_config(key, ckey, label)):
            return _review(key, ckey, label, moment, ())  # what the pages read: read once
        kept = stored(con, "review", month=label, config=cfg, as_of=moment)
        if kept is not None:
            return kept
        return build_review(
            _tables(key), cfg, month=label, as_of=moment, coverage=_coverage_of(key, ckey, cfg)
        )

    # the whole company: both months' reviews stored or computed above; nothing else
    # reads the tables, so they are not loaded for it
    return build_pack(
        load_tables(con), _config(*ckey), month=month, as_of=at, versions=versions,
        stored=review_of, coverage=_coverage(key, ckey),
        notifications=notification_log(), import_notes=_last_import_notes(key),
    )  # fmt: skip


def pack(month: str, segment: dict[str, str] | None = None) -> Any:
    """The month's :class:`analytics.pack.ReviewPack` (both months, actions, SLA history)."""
    seg = tuple(sorted((segment or {}).items()))
    return _pack(warehouse_key(), config_key(), month, as_of(), seg, notifications_key())


@st.cache_data(show_spinner=False, max_entries=8)
def _pack_file(
    key: tuple[str, int],
    ckey: tuple[str, int],
    month: str,
    at: datetime | None,
    segment: tuple[tuple[str, Any], ...],
    fmt: str,
    lang: str,
    nkey: tuple[str, int] = ("", 0),
) -> str | bytes:
    from analytics.pack import render_pack

    return render_pack(_pack(key, ckey, month, at, segment, nkey), fmt=fmt, lang=lang)


def pack_file(
    month: str, segment: dict[str, str] | None, fmt: str, *, lang: Lang = "en"
) -> str | bytes:
    """The review pack rendered as ``html``, ``md`` or ``pdf`` in ``lang`` (cached)."""
    seg = tuple(sorted((segment or {}).items()))
    return _pack_file(
        warehouse_key(), config_key(), month, as_of(), seg, fmt, lang, notifications_key()
    )


# -- at risk now ----------------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=16)
def _alerts(
    key: tuple[str, int],
    ckey: tuple[str, int],
    at: datetime | None,
    within_hours: float,
    within_days: float,
) -> dict[str, Any]:
    from analytics.alerts import DEFAULT_WITHIN_DAYS, DEFAULT_WITHIN_HOURS, at_risk_now

    if at is None:
        return {"alerts": None, "by_rep": None, "missing": {}}
    judge = _alerts_config(key, ckey, at)  # the version of the month as_of falls in
    if (within_hours, within_days) == (DEFAULT_WITHIN_HOURS, DEFAULT_WITHIN_DAYS):
        kept = _stored(key, judge, "alerts", "", at)  # stored by the last import
        if kept is not None:
            return kept
    return at_risk_now(
        _tables(key),
        config=judge,
        as_of=at,
        within_hours=within_hours,
        within_days=within_days,
    )


def alerts(within_hours: float, within_days: float) -> dict[str, Any]:
    """What is at risk at the warehouse's ``as_of`` (the rows of ``sla alerts``): ``alerts``
    (:func:`analytics.alerts.alerts`), ``by_rep`` and ``missing`` (kind -> missing table),
    :func:`analytics.alerts.at_risk_now` under :func:`alerts_config`; stored by the last
    import for the default horizons."""
    return _alerts(warehouse_key(), config_key(), as_of(), within_hours, within_days)


def notifications_key() -> tuple[str, int]:
    """(path, mtime) of the send log beside the warehouse: changes with every ``sla notify``."""
    from analytics.warehouse.notifications import log_path

    path = log_path(db_path())
    return str(path.resolve()), _mtime(path)


@st.cache_data(show_spinner=False, max_entries=8)
def _notification_log(key: tuple[str, int], nkey: tuple[str, int]) -> pl.DataFrame:
    from analytics.warehouse.notifications import notification_log as read_log

    return read_log(key[0], con=_connection(*key))


def notification_log() -> pl.DataFrame:
    """The send log of ``sla notify`` (beside the warehouse; empty before the first run)."""
    return _notification_log(warehouse_key(), notifications_key())


# -- speed to lead in the research's buckets ------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=24)
def _speed_distribution(
    key: tuple[str, int],
    ckey: tuple[str, int],
    month: str,
    at: datetime | None,
    segment: tuple[tuple[str, Any], ...],
    by: str,
) -> pl.DataFrame:
    from analytics.response_time import first_touch_channel, speed_buckets

    speed = _review(key, ckey, month, at, segment).speed_to_lead.lazy()
    if by == "source":  # the tables only for the groupings the review lacks
        leads = _tables(key).leads.select("lead_id", "source")
        speed = speed.join(leads, on="lead_id", how="left")
    elif by == "first_touch_channel":
        speed = first_touch_channel(speed, _tables(key).sales_touches)
    return speed_buckets(speed, by=[by]).collect()


def speed_distribution(month: str, segment: dict[str, str] | None, by: str) -> pl.DataFrame:
    """The month's speed to lead in the research's buckets, per ``owner_rep_id``,
    ``source`` or ``first_touch_channel`` (:func:`analytics.response_time.speed_buckets`)."""
    seg = tuple(sorted((segment or {}).items()))
    return _speed_distribution(warehouse_key(), config_key(), month, as_of(), seg, by)


@st.cache_data(show_spinner=False, max_entries=8)
def _bucket_conversion(key: tuple[str, int], ckey: tuple[str, int], at: datetime) -> pl.DataFrame:
    from analytics.response_time import research_conversion

    kept = _stored(key, _config(*ckey), "bucket_conversion", "", at)  # stored by the import
    if kept is not None:
        return kept
    return research_conversion(_tables(key), config=_config(*ckey), as_of=at)


def bucket_conversion() -> pl.DataFrame | None:
    """MQL -> SQL by the research's speed buckets, over the mature episodes of the year
    before the conversion window (:func:`analytics.response_time.research_conversion`;
    stored by the last import)."""
    at = as_of()
    return None if at is None else _bucket_conversion(warehouse_key(), config_key(), at)


#: A scratch folder untouched for this long (seconds) belongs to an upload abandoned in
#: a session that is gone (a waiting preview touches its folder at every rerun): removed
#: when the Data page starts.
UPLOAD_MAX_AGE = 3600


def new_upload_folder() -> Path:
    """A new scratch folder for the files of one upload, in the system's temporary folder
    (:data:`~analytics.warehouse.preview.UPLOAD_PREFIX`: the originals, personal columns
    and all), named after the warehouse: ``sla purge`` removes it with the preview
    (:func:`analytics.warehouse.preview.new_upload_folder`)."""
    from analytics.warehouse.preview import new_upload_folder as new_folder

    return new_folder(db_path())


def sweep_uploads(*, keep: dict | None = None, now: float | None = None) -> list[Path]:
    """Remove the scratch folders of abandoned uploads (untouched for
    :data:`UPLOAD_MAX_AGE`); ``keep``, this session's waiting preview, is touched first.

    Returns
    -------
    list[Path]
        The folders removed.
    """
    import shutil
    import tempfile
    import time

    from analytics.warehouse.preview import UPLOAD_PREFIX

    if keep is not None:  # this session's upload still waits for its confirm: not abandoned
        with contextlib.suppress(OSError):
            os.utime(keep["folder"])
    now = time.time() if now is None else now
    removed = []
    for folder in Path(tempfile.gettempdir()).glob(f"{UPLOAD_PREFIX}*"):
        try:
            stale = folder.is_dir() and now - folder.stat().st_mtime > UPLOAD_MAX_AGE
        except OSError:  # removed meanwhile by another session
            continue
        if stale:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed
