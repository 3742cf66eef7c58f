"""The benchmarked operations, their lower bounds and their budgets.

Each :class:`Op` has a ``setup`` (untimed, once per process: load the config, the tables,
start the app), a ``run`` (timed, repeated) and a lower bound: SQL statements that make
DuckDB scan just the columns the operation needs (run on a fresh in-memory connection
with the warehouse attached read-only as ``w``, results materialised as Arrow).
``check`` says why an operation cannot run yet (its library code is missing), so the
table reports it as *not available* instead of faking a figure.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any, Literal

from bench.workspace import END, SEED, Workspace

#: Starts the processes the bench times (see :func:`run_child`).
_CHILD = Path(__file__).with_name("child.py")

MemoryOf = Literal["self", "children"]
ALL_TABLES: tuple[str, ...] = ()

# -- budgets (from the product's issues; printed, never asserted) ----------------------


@dataclass(frozen=True)
class Budget:
    """Upper limits for one operation at one scale: wall seconds and peak RSS in GiB."""

    seconds: float | None = None
    rss_gib: float | None = None

    def describe(self) -> str:
        parts = []
        if self.seconds is not None:
            parts.append(
                f"< {self.seconds * 1000:.0f} ms" if self.seconds < 1 else f"< {self.seconds:g} s"
            )
        if self.rss_gib is not None:
            parts.append(f"< {self.rss_gib:g} GB")
        return ", ".join(parts)

    def verdict(self, median_s: float | None, peak_rss_mb: float | None) -> bool | None:
        """True when every limit holds, False when one is broken, None without figures."""
        if median_s is None:
            return None
        ok = self.seconds is None or median_s < self.seconds
        if self.rss_gib is not None and peak_rss_mb is not None:
            ok = ok and peak_rss_mb < self.rss_gib * 1024
        return ok


# -- helpers ------------------------------------------------------------------------------


def sla_command() -> str:
    """The ``sla`` script of the running environment."""
    script = Path(sys.executable).with_name("sla")
    return str(script) if script.exists() else shutil.which("sla") or "sla"


def _cli(ws: Workspace, *args: str) -> list[str]:
    return [sla_command(), *args, "--db", ws.db, "--config", ws.config]


def run_child(command: list[str]) -> tuple[str, dict[str, float]]:
    """Run a process to its end and return its stdout and what it cost on its own.

    It is started from a small process (``bench/child.py``): started from the bench, its
    peak RSS would begin at the setup's. Fails loudly (with the tail of its stderr) unless
    it exits 0.

    Returns
    -------
    tuple[str, dict[str, float]]
        The stdout, and ``timed_s`` (wall), ``cpu_s`` and ``peak_rss_mb`` of the process
        and its children, without the small process's start.
    """
    with tempfile.TemporaryDirectory(prefix="bench-child-") as folder:
        figures_path = Path(folder) / "figures.json"
        wrapped = [sys.executable, "-S", str(_CHILD), str(figures_path), "--", *command]
        done = subprocess.run(wrapped, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            tail = "\n".join(done.stderr.strip().splitlines()[-8:])
            raise RuntimeError(f"{' '.join(command[:4])} exited {done.returncode}: {tail}")
        figures = json.loads(figures_path.read_text())
    figures.pop("exit_code")
    return done.stdout, figures


def run_cli(command: list[str]) -> dict[str, float]:
    """Run a whole ``sla`` process (an operation's timed run): its own time, CPU and peak."""
    return run_child(command)[1]


def cli_has(*words: str) -> str | None:
    """None when ``sla <words> --help`` works, else why the command is not available."""
    done = subprocess.run(
        [sla_command(), *words, "--help"], capture_output=True, text=True, check=False
    )
    if done.returncode == 0:
        return None
    return f"`sla {' '.join(words)}` is not in analytics/cli.py yet"


def find_callable(candidates: tuple[str, ...]) -> Callable[..., Any] | None:
    """The first ``module:function`` of ``candidates`` that imports."""
    for candidate in candidates:
        module_name, _, attr = candidate.partition(":")
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        function = getattr(module, attr, None)
        if callable(function):
            return function
    return None


def materialise(value: Any) -> Any:
    """Collect every LazyFrame inside a result (dicts, lists, dataclasses) in one go."""
    import polars as pl

    lazy: list[pl.LazyFrame] = []

    def walk(item: Any) -> None:
        if isinstance(item, pl.LazyFrame):
            lazy.append(item)
        elif isinstance(item, dict):
            for v in item.values():
                walk(v)
        elif isinstance(item, list | tuple):
            for v in item:
                walk(v)
        elif is_dataclass(item) and not isinstance(item, type):
            for f in fields(item):
                walk(getattr(item, f.name))

    walk(value)
    if lazy:
        pl.collect_all(lazy)
    return value


def _load_config(ws: Workspace) -> Any:
    from analytics.config import load_config

    return load_config(ws.config)


#: Above this many leads the in-process operations read the tables lazily from DuckDB
#: (each query reads only its columns and rows) instead of holding them all in memory
#: first: at 10M the tables alone take about 10 GB, which the work needs beside them.
IN_MEMORY_MAX_LEADS = 2_000_000


def _loaded_tables(ws: Workspace) -> Any:
    """The warehouse's core tables: in memory (the state "after load") up to
    :data:`IN_MEMORY_MAX_LEADS` leads, lazy DuckDB scans above (out of core)."""
    from analytics.warehouse import connect_readonly, load_tables

    con = connect_readonly(ws.db)
    if ws.leads > IN_MEMORY_MAX_LEADS:
        return load_tables(con)  # the scans use the connection: it stays open
    try:
        return load_tables(con).collect()
    finally:
        con.close()


def _ts(iso: str) -> str:
    return f"TIMESTAMPTZ '{iso}'"


# -- the operations --------------------------------------------------------------------


@dataclass(frozen=True)
class Op:
    """One benchmarked operation.

    ``tables`` are the core tables it reads (rows per second counts their rows; empty
    means all); ``memory`` says whose peak RSS and CPU are the operation's where its runs
    do not report their own: this process (in-process operations) or its children (a
    first visit's server and browser). A process started with :func:`run_child` reports
    its own, which the bench then takes.
    """

    name: str
    title: str
    setup: Callable[[Workspace, Path], Any]
    run: Callable[[Any], dict[str, Any] | None]
    lower_bound: Callable[[Workspace], list[str]]
    tables: tuple[str, ...] = ALL_TABLES
    memory: MemoryOf = "self"
    check: Callable[[], str | None] = lambda: None
    budgets: dict[int, Budget] = field(default_factory=dict)
    #: What the spec asks of the operation at least, done by DuckDB alone (statements as
    #: for ``lower_bound``); measured beside it where a spec'd step (the import's raw layer)
    #: costs more than the plain lower bound's budget leaves.
    floor: Callable[[Workspace], list[str]] | None = None


# demo ------------------------------------------------------------------------------------


def _demo_setup(ws: Workspace, tmp: Path) -> Any:
    return _load_config(ws), ws.leads


def _demo_run(state: Any) -> None:
    """Generate the demo as ``sla demo`` does: in one piece up to 2M leads, in chunks above."""
    from analytics.demo import generate_demo_chunks

    cfg, leads = state
    for chunk in generate_demo_chunks(cfg, leads=leads, seed=SEED, end=END):
        del chunk


def _all_columns(ws: Workspace) -> list[str]:
    """Lower bound of producing the tables: materialise every column of every table."""
    return [f"SELECT * FROM w.core.{name}" for name in ws.counts]


# canonical import ---------------------------------------------------------------------


@dataclass
class _ImportState:
    command: list[str]
    db: Path
    setup_parts: dict[str, float]


def _import_setup(ws: Workspace, tmp: Path) -> _ImportState:
    """Write the warehouse's tables as a canonical folder (untimed), the import's input."""
    from analytics.warehouse.canonical_io import write_canonical

    folder, db = tmp / "canonical", tmp / "imported.duckdb"
    started = time.perf_counter()
    for name, table in _loaded_tables(ws).items():  # one table in memory at a time (10M: 36M rows)
        write_canonical({name: table.collect()}, folder)
    command = [sys.executable, "-m", "bench.import_once", str(folder), str(db), ws.config]
    return _ImportState(command, db, {"write_canonical_s": round(time.perf_counter() - started, 4)})


def _import_run(state: _ImportState) -> dict[str, Any]:
    """One ``import_canonical`` into a new warehouse, in a process of its own (its own peak)."""
    state.db.unlink(missing_ok=True)
    stdout, costs = run_child(state.command)
    figures = json.loads(stdout.strip().splitlines()[-1])
    if figures["rows_rejected"]:
        raise RuntimeError(
            f"import rejected {figures['rows_rejected']} row(s) of the demo, "
            f"e.g. {figures['first_rejected']}"
        )
    return {k: figures[k] for k in ("import_canonical_s", "rows_loaded")} | costs


def _import_lower_bound(ws: Workspace) -> list[str]:
    """DuckDB alone: read each CSV of the setup's canonical folder into a new database file."""
    statements = ["ATTACH '{lb}/lb.duckdb' AS lb"]
    statements += [
        f"CREATE TABLE lb.{t} AS FROM read_csv('{{tmp}}/canonical/{t}.csv')" for t in ws.counts
    ]
    return statements


def _import_floor(ws: Workspace) -> list[str]:
    """The spec's least import, DuckDB alone: each CSV kept as text with a content hash per
    row (the raw layer, spec/canonical-format.md "Refreshing a warehouse") and read typed
    into a new database file; no validation, no privacy scrub, no upsert."""
    statements = ["ATTACH '{lb}/floor.duckdb' AS lb"]
    for t in ws.counts:
        csv = f"'{{tmp}}/canonical/{t}.csv'"
        statements += [
            f"CREATE TABLE lb.raw_{t} AS SELECT *, md5(to_json(r)) AS _row_hash "
            f"FROM read_csv({csv}, all_varchar = true) r",
            f"CREATE TABLE lb.{t} AS FROM read_csv({csv})",
        ]
    return statements


# the stored results ---------------------------------------------------------------------


@dataclass
class _PrecomputeState:
    db: Path
    config: Any


def _precompute_setup(ws: Workspace, tmp: Path) -> _PrecomputeState:
    """A copy of the workspace's warehouse, so that the timed refreshes leave it as it was."""
    db = tmp / "warehouse.duckdb"
    shutil.copyfile(ws.db, db)
    return _PrecomputeState(db=db, config=_load_config(ws))


def _precompute_run(state: _PrecomputeState) -> dict[str, Any]:
    """What ``sla import`` (and ``sla demo``, ``sla precompute``) does after the load:
    :func:`analytics.precompute.refresh_results` (the default months' reviews and KPI
    history, the lead-scoring results), not counted in the ``import`` operation."""
    from analytics.precompute import refresh_results

    summary = refresh_results(state.db, state.config)
    return {"results": summary["results"], "bytes": summary["bytes"]}


def _precompute_lower_bound(ws: Workspace) -> list[str]:
    """The columns the reviews and the lead-scoring results read."""
    return _review_lower_bound(ws) + _score_lower_bound(ws)


# sla info ---------------------------------------------------------------------------------


def _info_setup(ws: Workspace, tmp: Path) -> list[str]:
    return _cli(ws, "info", "--json")


def _info_lower_bound(ws: Workspace) -> list[str]:
    counts = " UNION ALL ".join(f"SELECT count(*) FROM w.core.{t}" for t in ws.counts)
    latest = " UNION ALL ".join(
        f"SELECT max({c})::TIMESTAMPTZ FROM w.core.{t}"
        for t, c in (
            ("leads", "created_at"),
            ("lifecycle_events", "entered_at"),
            ("activities", "occurred_at"),
            ("sales_touches", "occurred_at"),
            ("nurture_enrollments", "enrolled_at"),
            ("opportunities", "created_at"),
        )
    )
    return [counts, latest, "SELECT count(*) FROM w.meta.quarantine"]


# the monthly review -------------------------------------------------------------------

REVIEW_TABLES = (
    "reps",
    "leads",
    "lifecycle_events",
    "sales_touches",
    "nurture_enrollments",
    "opportunities",
    "web_traffic",
)


def _build_review() -> Callable[..., Any] | None:
    return find_callable(("analytics.review:build_review",))


def _review_check() -> str | None:
    if _build_review() is None:
        return "analytics/review.py build_review(tables, config, *, month) is not there yet"
    return None


def _review_setup(ws: Workspace, tmp: Path) -> Any:
    """The review as a user builds it in process after ``sla import``: the tables with
    what the import stored beside them (the MQL episodes; the cached warehouse is written
    without ``sla import``, so store them here, untimed)."""
    _ensure_stored_results(ws)
    return _build_review(), _loaded_tables(ws), _load_config(ws), ws.month


def _review_run(state: Any) -> None:
    build_review, tables, cfg, month = state
    materialise(build_review(tables, cfg, month=month))


def _review_cli_setup(ws: Workspace, tmp: Path) -> list[str]:
    """``sla review`` as a user runs it after an import: the import stored the month's
    review (the cached warehouse is written without ``sla import``, so store it here)."""
    _ensure_stored_results(ws)
    return _cli(ws, "review", "--month", ws.month, "--json")


def _review_lower_bound(ws: Workspace) -> list[str]:
    as_of, start, end = _ts(ws.as_of), _ts(ws.month_start), _ts(ws.month_end)
    return [
        "SELECT lead_id, stage, entered_at FROM w.core.lifecycle_events "
        f"WHERE entered_at <= {as_of}",
        f"SELECT lead_id, occurred_at, outcome FROM w.core.sales_touches "
        f"WHERE occurred_at <= {as_of}",
        f"SELECT lead_id, created_at FROM w.core.leads WHERE created_at >= {start} "
        f"AND created_at < {end}",
        f"SELECT status, closed_at, amount FROM w.core.opportunities WHERE closed_at >= {start} "
        f"AND closed_at < {end}",
        f"SELECT date, visitors FROM w.core.web_traffic WHERE date >= {start}::DATE "
        f"AND date < {end}::DATE",
        "SELECT lead_id, track, enrolled_at, exited_at, exit_reason, triggered_by "
        f"FROM w.core.nurture_enrollments WHERE enrolled_at <= {as_of}",
        "SELECT rep_id, team, weekly_capacity, active FROM w.core.reps",
    ]


# the score report -----------------------------------------------------------------------

SCORE_TABLES = ("accounts", "reps", "leads", "lifecycle_events", "activities")
_SCORE_REPORT = ("analytics.scoring.report:score_report",)


def _score_check() -> str | None:
    if find_callable(_SCORE_REPORT) is None:
        return "no in-process score report in analytics/scoring yet"
    return None


def _score_setup(ws: Workspace, tmp: Path) -> Any:
    """The report as ``sla score report`` makes it: a model trained on the data, no saved one."""
    return find_callable(_SCORE_REPORT), _loaded_tables(ws), _load_config(ws)


def _score_run(state: Any) -> None:
    report, tables, cfg = state
    materialise(report(tables, cfg))


def _score_cli_setup(ws: Workspace, tmp: Path) -> list[str]:
    """``sla score report`` as a user runs it with a saved model: when the workspace has
    none, ``sla score train`` saves one first (untimed; like any training it also stores
    the lead-scoring results for that model, which the report then reads)."""
    from analytics.scoring.model import latest_model, models_dir

    if latest_model(models_dir(ws.db)) is None:
        run_cli(_cli(ws, "score", "train"))
    _ensure_stored_results(ws)  # a model trained by another version of the code
    return _cli(ws, "score", "report", "--json")


def _score_lower_bound(ws: Workspace) -> list[str]:
    as_of = _ts(ws.as_of)
    return [
        f"SELECT lead_id, type, occurred_at FROM w.core.activities WHERE occurred_at <= {as_of}",
        "SELECT lead_id, created_at, account_id, seniority, role, country FROM w.core.leads "
        f"WHERE created_at <= {as_of}",
        "SELECT account_id, industry, employees, country FROM w.core.accounts",
        "SELECT lead_id, stage, entered_at FROM w.core.lifecycle_events "
        f"WHERE stage IN ('mql', 'sql') AND entered_at <= {as_of}",
        "SELECT rep_id, weekly_capacity, active FROM w.core.reps",
    ]


# the threshold what-if --------------------------------------------------------------

_WHATIF = (
    "analytics.scoring.thresholds:precompute_thresholds",
    "analytics.scoring.thresholds:threshold_whatif",
)


def _whatif_check() -> str | None:
    if any(find_callable((name,)) is None for name in _WHATIF):
        return "analytics/scoring/thresholds.py precompute_thresholds / threshold_whatif missing"
    return None


@dataclass
class _WhatIfState:
    base: Any
    whatif: Callable[..., Any]
    thresholds: tuple[float, float]
    setup_parts: dict[str, float]
    turn: int = 0


def _whatif_setup(ws: Workspace, tmp: Path) -> _WhatIfState:
    """Load, then the one-time precomputation (timed apart as ``precompute_s``)."""
    precompute, whatif = (find_callable((name,)) for name in _WHATIF)
    tables, cfg = _loaded_tables(ws), _load_config(ws)
    started = time.perf_counter()
    base = precompute(tables, cfg)
    materialise(base)
    precompute_s = round(time.perf_counter() - started, 4)
    current = float(cfg.scoring.mql_threshold)
    return _WhatIfState(base, whatif, (current + 5, current - 5), {"precompute_s": precompute_s})


def _whatif_run(state: _WhatIfState) -> None:
    """One threshold change (alternately up and down by 5 points), collected."""
    threshold = state.thresholds[state.turn % 2]
    state.turn += 1
    materialise(state.whatif(state.base, threshold=threshold))


# the app ------------------------------------------------------------------------------------

APP = Path("dashboard/app.py")
#: The page rerun is timed on the monthly review page (the meeting's screen); the slider
#: change on the qualification page (marketing ops tuning the threshold).
RERUN_PAGE = "review.py"
SLIDER_PAGE = "qualification.py"


def page_file(name: str) -> Path | None:
    """The app's page file ``name`` (in whichever folder next to app.py holds the pages)."""
    found = sorted(APP.parent.glob(f"*/{name}"))
    return found[0] if found else None


def _page_check(name: str, *needles: str) -> str | None:
    if not APP.exists():
        return "dashboard/app.py is not there yet"
    page = page_file(name)
    if page is None:
        return f"no page {name} next to dashboard/app.py yet"
    source = page.read_text()
    missing = [n for n in needles if n not in source]
    if missing:
        return f"{page} has no {' / '.join(missing)} yet (page not written)"
    return None


def _app_errors(at: Any) -> None:
    if at.exception:
        raise RuntimeError(f"the app raised: {at.exception[0].value}")


def _open_page(name: str) -> Any:
    """An AppTest of the app on page ``name``, run once on the start page and once on it."""
    from streamlit.testing.v1 import AppTest

    page = page_file(name)
    if page is None:
        raise RuntimeError(f"no page {name} next to {APP}")
    at = AppTest.from_file(str(APP.resolve()), default_timeout=3600)
    at.run()
    _app_errors(at)
    at.switch_page(str(page.relative_to(APP.parent))).run()
    _app_errors(at)
    return at


def _rerun_setup(ws: Workspace, tmp: Path) -> Any:
    return _open_page(RERUN_PAGE)


def _rerun_run(at: Any) -> None:
    at.run()
    _app_errors(at)


def _threshold_slider(at: Any) -> Any:
    for slider in at.slider:
        if "threshold" in f"{slider.key} {slider.label}".lower():
            return slider
    raise RuntimeError(f"no threshold slider on the page {SLIDER_PAGE}")


@dataclass
class _SliderState:
    at: Any
    values: tuple[Any, Any]
    turn: int = 0


def _slider_setup(ws: Workspace, tmp: Path) -> _SliderState:
    at = _open_page(SLIDER_PAGE)
    slider = _threshold_slider(at)
    value = slider.value
    step = slider.step or 1
    other = value + 5 * step if value + 5 * step <= slider.max else value - 5 * step
    return _SliderState(at=at, values=(other, value))


def _slider_run(state: _SliderState) -> None:
    """Move the threshold slider (alternately away and back) and rerun the page."""
    value = state.values[state.turn % 2]
    state.turn += 1
    _threshold_slider(state.at).set_value(value).run()
    _app_errors(state.at)


# the app in a real browser --------------------------------------------------------------
# AppTest (above) reruns the whole script in this process: the server's cost of a rerun.
# In a browser a slider inside an ``st.fragment`` reruns only the fragment, and the user
# also waits for the websocket, the frontend and the drawing: these two operations time
# that, from the key press until the page shows the new numbers and Streamlit is idle.


def _browser_check(name: str, *needles: str) -> str | None:
    from bench.browser import browser_missing

    return _page_check(name, *needles) or browser_missing()


@dataclass
class _BrowserState:
    """The app and a chromium page (stopped when dropped); the keys a timed run presses."""

    app: Any
    steps: list[dict[str, Any]]
    setup_parts: dict[str, Any]
    turn: int = 0

    def tree_peak_rss_mb(self) -> float:
        """Peak RSS of the whole tree: server + browser + this process (see bench.op)."""
        return round(sum(self.app.peak_rss().values()), 1)

    def tree_cpu_s(self) -> float:
        """CPU seconds of the whole tree so far (bench.op takes the difference per run)."""
        return self.app.cpu_s()


def _page_path(page: Path) -> str:
    """The page's URL path: the start page is served at the root (``/overview`` is not a
    page: Streamlit answers it with a "page not found" dialog)."""
    return "" if page.name == FIRST_VISIT_PAGES[0] else page.stem


def _open_in_browser(ws: Workspace, tmp: Path, name: str) -> tuple[Any, float]:
    from bench.browser import AppInBrowser

    page = page_file(name)
    if page is None:
        raise RuntimeError(f"no page {name} next to {APP}")
    _ensure_stored_results(ws)  # as after an import: the pages read what it stored
    started = time.perf_counter()
    app = AppInBrowser(
        APP, env_for_children(ws), page_path=_page_path(page), log=tmp / "streamlit.log"
    )
    return app, round(time.perf_counter() - started, 3)


def _browser_run(state: _BrowserState) -> dict[str, Any]:
    """Press the next key; where the time went, as the page measured it."""
    step = state.steps[state.turn % len(state.steps)]
    state.turn += 1
    return state.app.press(step["key"], slider_value=step["value"], metrics=step["metrics"])


def _browser_warm(app: Any, steps: list[dict[str, Any]], rounds: int = 1) -> list[float]:
    """Press every step ``rounds`` times (untimed), noting what the page shows after each."""
    from bench.browser import note

    seen = []
    for _ in range(rounds):
        for step in steps:
            seen.append(app.press(step["key"], slider_value=step["value"])["page_s"])
            step["metrics"] = app.metrics_text()
            note(f"warm-up: {step['key']} took {seen[-1]:.3f} s in the page")
    return seen


def _slider_browser_setup(ws: Workspace, tmp: Path) -> _BrowserState:
    """The qualification page loaded; the threshold slider focused and moved back and forth."""
    app, load_s = _open_in_browser(ws, tmp, SLIDER_PAGE)
    try:
        slider = app.focus_slider(re.compile("threshold", re.IGNORECASE))
        value = slider["value"]
        up = value + 1 <= slider["max"]
        other = value + 1 if up else value - 1
        away, back = ("ArrowRight", "ArrowLeft") if up else ("ArrowLeft", "ArrowRight")
        steps = [
            {"key": away, "value": other, "metrics": None},
            {"key": back, "value": value, "metrics": None},
        ]
        warm = _browser_warm(app, steps)
    except BaseException:
        app.close()
        raise
    parts = {
        "first_load_s": load_s,
        "warm_up_s": warm,
        "thresholds": [value, other],
        "numbers_change": steps[0]["metrics"] != steps[1]["metrics"],
    }
    return _BrowserState(app, steps, parts)


def _rerun_browser_setup(ws: Workspace, tmp: Path) -> _BrowserState:
    """The review page loaded, the focus in it, rerun once with ``r`` (Streamlit's key)."""
    app, load_s = _open_in_browser(ws, tmp, RERUN_PAGE)
    try:
        app.focus_page()
        steps = [{"key": "r", "value": None, "metrics": None}]
        warm = _browser_warm(app, steps)
    except BaseException:
        app.close()
        raise
    return _BrowserState(app, steps, {"first_load_s": load_s, "warm_up_s": warm})


# What the monthly meeting waits for when it opens the app: a page's first visit after the
# server started (cold caches: the server imports the library, reads the stored results or
# computes), and going from page to page with the sidebar's menu (no reload).

#: Pages timed on a first visit, in the menu's order (the welcome page is for empty
#: warehouses only). The start page is served at the root.
FIRST_VISIT_PAGES = (
    "overview.py", "at_risk.py", "goals.py", "definitions.py", "qualification.py",
    "handoffs.py", "nurturing.py", "management.py", "kpis.py", "review.py", "warehouse.py",
)  # fmt: skip


def _ensure_stored_results(ws: Workspace) -> None:
    """Store the default months' results and the lead-scoring ones (with a saved model, its
    evaluation too) when the cached warehouse lacks them (an import and ``sla demo`` do
    that; the cached warehouse may predate the code that reads them)."""
    from analytics.precompute import is_stored, model_hash, months_to_keep, refresh_results
    from analytics.warehouse import connect_readonly, latest_timestamp
    from analytics.warehouse.database import load_tables_held
    from analytics.warehouse.precomputed import stored_episodes

    cfg, digest = _load_config(ws), model_hash(ws.db)
    con = connect_readonly(ws.db)
    try:
        as_of = latest_timestamp(con)
        months = months_to_keep(load_tables_held(con), config=cfg, as_of=as_of)
        missing = (
            not all(is_stored(con, "review", month=m, config=cfg, as_of=as_of) for m in months)
            or not all(
                is_stored(con, kind, month="", config=cfg, as_of=as_of, model=digest)
                for kind in ("thresholds", *(("model_evaluation",) if digest else ()))
            )
            or stored_episodes(con) is None
        )
    finally:
        con.close()
    if missing:
        refresh_results(ws.db, cfg)


@dataclass
class _FirstVisitState:
    ws: Workspace
    tmp: Path
    page: Path


def _first_visit_setup(name: str) -> Callable[[Workspace, Path], _FirstVisitState]:
    def setup(ws: Workspace, tmp: Path) -> _FirstVisitState:
        page = page_file(name)
        if page is None:
            raise RuntimeError(f"no page {name} next to {APP}")
        _ensure_stored_results(ws)
        return _FirstVisitState(ws, tmp, page)

    return setup


def _first_visit_run(state: _FirstVisitState) -> dict[str, Any]:
    """A fresh server, the page opened once: how long until it was done (``timed_s``; the
    server's start before it is not what a visitor of a running app waits for), on the
    page's clock (``page_s``), chromium's busy time (``task_s``, of it ``script_s``,
    ``layout_s`` and ``style_s``) and its elements (``nodes``)."""
    from bench.browser import AppInBrowser

    app = AppInBrowser(
        APP,
        env_for_children(state.ws),
        page_path=_page_path(state.page),
        log=state.tmp / "streamlit.log",
    )
    try:
        return {
            "timed_s": app.first_load_s,
            "page_s": app.first_load_page_s,
            "task_s": app.first_load_task_s,
            **app.first_load_split_s,
            "nodes": app.first_load_nodes,
            "page": state.page.stem,
            "server": app.started_by,
        }
    finally:
        app.close()


def _navigate_setup(ws: Workspace, tmp: Path) -> _BrowserState:
    """The start page open; every page of the menu visited once (untimed, caches warm)."""
    _ensure_stored_results(ws)
    app, load_s = _open_in_browser(ws, tmp, FIRST_VISIT_PAGES[0])
    try:
        titles = app.nav_titles()
        order = [*titles[1:], titles[0]]
        warm = [app.click_page(title)["page_s"] for title in order]
    except BaseException:
        app.close()
        raise
    steps = [{"title": title} for title in order]
    return _BrowserState(app, steps, {"first_load_s": load_s, "warm_up_s": warm})


def _navigate_run(state: _BrowserState) -> dict[str, Any]:
    """Click the next page in the menu; where the time went, as the page measured it."""
    title = state.steps[state.turn % len(state.steps)]["title"]
    state.turn += 1
    return {**state.app.click_page(title), "page": title}


# -- the registry -----------------------------------------------------------------------

OPS: dict[str, Op] = {
    op.name: op
    for op in (
        Op(
            "demo",
            "demo generation (generate_demo_chunks)",
            _demo_setup,
            _demo_run,
            _all_columns,
            budgets={1_000_000: Budget(seconds=90, rss_gib=4)},
        ),
        Op(
            "import",
            "canonical import (import_canonical of the demo written as a canonical folder, in a "
            "process of its own; `sla import` then stores the results for the app: op precompute)",
            _import_setup,
            _import_run,
            _import_lower_bound,
            memory="children",
            budgets={10_000_000: Budget(rss_gib=4)},
            floor=_import_floor,
        ),
        Op(
            "precompute",
            "stored results after a load (refresh_results: reviews, KPI history, lead "
            "scoring), in-process",
            _precompute_setup,
            _precompute_run,
            _precompute_lower_bound,
            tables=tuple(dict.fromkeys((*REVIEW_TABLES, *SCORE_TABLES))),
        ),
        Op(
            "info",
            "sla info --json (process)",
            _info_setup,
            run_cli,
            _info_lower_bound,
            memory="children",
            budgets={1_000_000: Budget(0.3)},
        ),
        Op(
            "review",
            "month review, in-process (build_review)",
            _review_setup,
            _review_run,
            _review_lower_bound,
            tables=REVIEW_TABLES,
            check=_review_check,
            budgets={1_000_000: Budget(2)},
        ),
        Op(
            "review_cli",
            "sla review --month --json (process)",
            _review_cli_setup,
            run_cli,
            _review_lower_bound,
            tables=REVIEW_TABLES,
            memory="children",
            check=lambda: cli_has("review"),
            budgets={1_000_000: Budget(1.5), 10_000_000: Budget(20)},
        ),
        Op(
            "score",
            "score report, in-process",
            _score_setup,
            _score_run,
            _score_lower_bound,
            tables=SCORE_TABLES,
            check=_score_check,
        ),
        Op(
            "score_cli",
            "sla score report --json (process), with a saved model (setup: `sla score train` "
            "when the workspace has none)",
            _score_cli_setup,
            run_cli,
            _score_lower_bound,
            tables=SCORE_TABLES,
            memory="children",
            check=lambda: cli_has("score", "report"),
            budgets={10_000_000: Budget(60)},
        ),
        Op(
            "threshold",
            "threshold what-if: one change after precompute",
            _whatif_setup,
            _whatif_run,
            _score_lower_bound,
            tables=SCORE_TABLES,
            check=_whatif_check,
            budgets={100_000: Budget(0.15), 1_000_000: Budget(1)},
        ),
        Op(
            "app_rerun",
            "app page rerun, server side (AppTest: the whole script, second run)",
            _rerun_setup,
            _rerun_run,
            _review_lower_bound,
            tables=REVIEW_TABLES,
            check=lambda: _page_check(RERUN_PAGE, "dashboard"),
            budgets={1_000_000: Budget(0.3)},
        ),
        Op(
            "app_slider",
            "app threshold slider change, server side (AppTest: reruns the whole script)",
            _slider_setup,
            _slider_run,
            _score_lower_bound,
            tables=SCORE_TABLES,
            check=lambda: _page_check(SLIDER_PAGE, "st.slider", "threshold"),
            budgets={1_000_000: Budget(0.3)},
        ),
        Op(
            "app_slider_browser",
            "app threshold slider change in chromium (key press to new numbers, fragment)",
            _slider_browser_setup,
            _browser_run,
            _score_lower_bound,
            tables=SCORE_TABLES,
            check=lambda: _browser_check(SLIDER_PAGE, "st.slider", "threshold"),
            budgets={1_000_000: Budget(0.15)},
        ),
        *(
            Op(
                f"app_first_visit_{Path(name).stem}",
                f"first visit of {Path(name).stem} in chromium, fresh server (page asked to idle)",
                _first_visit_setup(name),
                _first_visit_run,
                _review_lower_bound,
                tables=REVIEW_TABLES,
                memory="children",
                check=lambda name=name: _browser_check(name, "st."),
                budgets={1_000_000: Budget(2), 10_000_000: Budget(10)},
            )
            for name in FIRST_VISIT_PAGES
        ),
        Op(
            "app_navigate",
            "page to page with the sidebar menu in chromium (click to idle, caches warm)",
            _navigate_setup,
            _navigate_run,
            _review_lower_bound,
            tables=REVIEW_TABLES,
            check=lambda: _browser_check(FIRST_VISIT_PAGES[0], "st."),
            budgets={1_000_000: Budget(0.5)},
        ),
        Op(
            "app_rerun_browser",
            "app page rerun in chromium (key r to idle)",
            _rerun_browser_setup,
            _browser_run,
            _review_lower_bound,
            tables=REVIEW_TABLES,
            check=lambda: _browser_check(RERUN_PAGE, "dashboard"),
            budgets={1_000_000: Budget(0.3), 10_000_000: Budget(0.5)},
        ),
    )
}


# -- the lower bound ------------------------------------------------------------------------


def run_lower_bound(
    ws: Workspace, statements: list[str], *, tmp: Path, repeat: int, max_seconds: float
) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds of each repeat of ``statements`` on a fresh DuckDB connection.

    SELECTs are materialised as Arrow tables; ``{lb}`` in a statement is a fresh empty
    folder per repeat (for lower bounds that write files), ``{tmp}`` the operation's
    temporary folder (for lower bounds that read what its setup wrote).
    """
    import resource

    import duckdb

    def cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    times: list[float] = []
    cpu_times: list[float] = []
    spent = 0.0
    while len(times) < repeat and (not times or spent < max_seconds):
        folder = tmp / f"lb-{len(times)}"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        con = duckdb.connect()
        try:
            con.execute(f"ATTACH '{ws.db}' AS w (READ_ONLY)")
            cpu_before, started = cpu(), time.perf_counter()
            for statement in statements:
                sql = statement.replace("{lb}", str(folder)).replace("{tmp}", str(tmp))
                if sql.lstrip().upper().startswith(("SELECT", "FROM", "WITH")):
                    con.sql(sql).to_arrow_table()
                else:
                    con.execute(sql)
            elapsed = time.perf_counter() - started
            cpu_times.append(cpu() - cpu_before)
        finally:
            con.close()
            shutil.rmtree(folder, ignore_errors=True)
        times.append(elapsed)
        spent += elapsed
    return times, cpu_times


def env_for_children(ws: Workspace) -> dict[str, str]:
    """The environment of ``sla`` processes and the app: this scale's warehouse and config."""
    return {**os.environ, "SLA_DB": ws.db, "SLA_CONFIG": ws.config}
