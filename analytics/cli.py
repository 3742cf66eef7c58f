"""The ``sla`` command line (contract: spec/cli.md).

Exit status: 0 success; 1 done with problems reported (e.g. rows rejected); 2 nothing
done (usage error, missing or unreadable file, invalid config), with a message on
standard error naming the file, column or key. With ``--json`` standard output holds
one JSON document and nothing else.
"""

from __future__ import annotations

import json
import math
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

# pydantic looks for plugins in every installed package's metadata when its first model is
# built: about 20 ms of every command's start (`sla info` in 0.3 s), for none the CLI uses
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

import typer

from analytics.config import ConfigError, SlaConfig, load_config

if TYPE_CHECKING:
    from analytics.texts import Lang

app = typer.Typer(
    name="sla",
    help="Run the marketing & sales SLA on data: import, review, score.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class _Console:
    """A rich console made on first use: commands that only write JSON (``sla info --json``,
    the bench's and scripts' form) start without importing rich (about 25 ms)."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._console: Any = None

    @property
    def console(self) -> Any:
        """The rich console itself, for what takes one (a progress bar)."""
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        return self._console

    def __getattr__(self, name: str) -> Any:
        return getattr(self.console, name)


err = _Console(stderr=True, soft_wrap=True)
out = _Console()


def rich_table(title: str) -> Any:
    """An edgeless rich table with a title, as every command prints them."""
    from rich.table import Table

    return Table(title=title, show_edge=False)


def _warehouse_name(value: Path) -> Path:
    """``--db``: a file name DuckDB would take for one of the warehouse's schemas
    (``core.duckdb``) is refused before any command starts (exit 2, naming the file)."""
    from analytics.warehouse.connection import WarehouseError, check_name

    try:
        check_name(value)
    except WarehouseError as exc:
        fail(f"{exc}; nothing done")
    return value


DbOption = Annotated[
    Path,
    typer.Option(
        "--db",
        envvar="SLA_DB",
        help="Warehouse file.",
        show_default=True,
        callback=_warehouse_name,
    ),
]
#: ``--db`` of ``sla purge``: an erasure is not refused for the file's name. The purge
#: reads the warehouse attached under an alias and writes a copy named so that its
#: catalog is no schema (refresh re-audit F10): it works on ``core.duckdb`` too.
PurgeDbOption = Annotated[
    Path, typer.Option("--db", envvar="SLA_DB", help="Warehouse file.", show_default=True)
]
ConfigOption = Annotated[
    Path,
    typer.Option("--config", envvar="SLA_CONFIG", help="SLA config (TOML).", show_default=True),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]
#: ``--as-of`` of the commands about now (alerts, notifications): a timestamp or ``now``.
NowOption = Annotated[
    str | None,
    typer.Option(
        "--as-of", help="The moment 'now': an ISO 8601 timestamp, or now (default: latest data)."
    ),
]
DEFAULT_DB_PATH = Path("data/warehouse.duckdb")
DEFAULT_CONFIG_PATH = Path("data/sla.toml")


def fail(message: str, code: int = 2) -> NoReturn:
    """Print a one-line (or few-line) message on stderr and exit with ``code``."""
    err.print(f"[bold red]error:[/] {plain(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def plain(text: object) -> str:
    """``text`` for a rich print, its brackets kept as written: a column list
    ``[Vorname]`` or a mask ``[email]`` is not markup.

    >>> print(plain("file [email] x.csv"))
    file \\[email] x.csv
    """
    from rich.markup import escape

    return escape(str(text))


def config_or_exit(path: Path) -> SlaConfig:
    try:
        return load_config(path)
    except ConfigError as exc:
        fail(f"invalid SLA config, nothing done:\n{exc}")
    except (RecursionError, ValueError, TypeError, MemoryError) as exc:
        # a parser that gives up on a pathological file (e.g. TOML nested 5,000 deep)
        fail(f"invalid SLA config, nothing done:\n{path}: cannot be parsed ({type(exc).__name__})")


@contextmanager
def readonly_warehouse(db: Path) -> Iterator[Any]:
    """A read-only connection to the warehouse, or exit 2 with a message naming the file."""
    from analytics.warehouse import WarehouseError, connect_readonly, is_warehouse

    try:
        con = connect_readonly(db)
    except WarehouseError as exc:
        fail(str(exc))
    try:
        if not is_warehouse(con):
            fail(f"{db}: not an SLA warehouse (build one with `sla demo` or `sla import`)")
        yield con
    finally:
        con.close()


def _plain(value: Any) -> Any:
    """JSON-safe: NaN/inf become null, datetimes ISO with Z."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, datetime):
        return iso_z(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def iso_z(moment: datetime) -> str:
    """A timestamp in UTC as ISO 8601 with a ``Z``.

    >>> from datetime import timezone, timedelta
    >>> iso_z(datetime(2026, 11, 1, 2, 30, tzinfo=timezone(timedelta(hours=1))))
    '2026-11-01T01:30:00Z'
    """
    from datetime import UTC

    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment.replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def emit_json(document: dict[str, Any]) -> None:
    """Write one JSON document to stdout (and nothing else)."""
    sys.stdout.write(json.dumps(_plain(document), ensure_ascii=False, indent=2) + "\n")


@contextmanager
def progress_bar(description: str) -> Iterator[Any]:
    """A progress bar on stderr; yields a ``progress(step, fraction)`` callback."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description:<28}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=err.console,
        transient=True,
    ) as bar:
        task = bar.add_task(description, total=1.0)

        def update(step: str, fraction: float) -> None:
            bar.update(task, completed=fraction, description=step)

        yield update


# -- sla demo ----------------------------------------------------------------------


@app.command()
def demo(
    leads: Annotated[int, typer.Option(min=100, help="Number of leads.")] = 50_000,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same data.")] = 7,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Also write the data as a canonical folder.")
    ] = None,
    end: Annotated[
        str | None,
        typer.Option(
            help="Last day of data, YYYY-MM-DD (default: until today). A day from today on "
            "runs past the load: a warning says its later rows are not shown."
        ),
    ] = None,
    db: DbOption = DEFAULT_DB_PATH,
    config: ConfigOption = DEFAULT_CONFIG_PATH,
    as_json: JsonOption = False,
) -> None:
    """Build a realistic demo warehouse (about 18 months of DACH B2B data).

    Above 2,000,000 leads the demo is generated and written in independent chunks of
    2M leads (ids prefixed c0., c1., ...), so that 10M leads fit in memory.
    """
    from analytics.demo import CHUNK_LEADS, generate_demo_chunks
    from analytics.warehouse import write_tables
    from analytics.warehouse.canonical_io import write_canonical

    cfg = config_or_exit(config)
    end_at = None
    if end is not None:
        try:
            # The data runs through the whole of that day.
            end_at = datetime.combine(date.fromisoformat(end), datetime.min.time()) + timedelta(
                days=1
            )
        except ValueError:
            fail(f"--end {end!r} is not a date YYYY-MM-DD")
    if out_dir is not None and leads > CHUNK_LEADS:
        fail(f"--out: a canonical folder is written for up to {CHUNK_LEADS:,} leads")
    source = f"sla demo --leads {leads} --seed {seed}"
    with progress_bar("generating") as progress:
        chunks = generate_demo_chunks(cfg, leads=leads, seed=seed, end=end_at, progress=progress)
        if out_dir is None:
            counts = write_tables(db, chunks, source=source, config=cfg, progress=progress)
        else:
            (frames,) = chunks
            counts = write_tables(db, frames, source=source, config=cfg, progress=progress)
            write_canonical(frames, out_dir)
    _refresh_results(db, cfg)
    if as_json:
        emit_json({"db": str(db), "tables": counts, "out": str(out_dir) if out_dir else None})
    else:
        err.print(
            f"demo warehouse written to {db}: " + ", ".join(f"{k} {v:,}" for k, v in counts.items())
        )
    if end_at is not None and (warning := _after_load(db, end, end_at)):
        err.print(f"[yellow]warning:[/] {plain(warning)}", highlight=False, soft_wrap=True)


def _after_load(db: Path, end: str, end_at: datetime) -> str | None:
    """The warning of a demo whose data (until ``end_at``, ``--end``'s next midnight UTC)
    runs past its own load: as an import's rows dated after it, its later rows are written
    but not known (``import.after_import``); None when it ends by the load."""
    from datetime import UTC

    from analytics.texts import moment, render
    from analytics.warehouse.facts import last_import

    with readonly_warehouse(db) as con:
        loaded = last_import(con)
    if loaded is None or end_at.replace(tzinfo=UTC) <= loaded:
        return None
    return render("demo.after_load", end=end, loaded=moment(loaded.astimezone(UTC)))


# -- sla import --------------------------------------------------------------------

FORMATS = ("canonical", "hubspot", "salesforce", "olist", "xeducation")


@app.command("import")
def import_(
    path: Annotated[
        Path,
        typer.Argument(
            help="A canonical folder, a table file, or a CRM export (a folder, a file, or a .zip)."
        ),
    ],
    fmt: Annotated[
        str, typer.Option("--format", help=f"Input format: {', '.join(FORMATS)}.")
    ] = "canonical",
    mapping: Annotated[
        Path | None,
        typer.Option("--mapping", help="TOML mapping of any CSV to a canonical table."),
    ] = None,
    delimiter: Annotated[
        str | None, typer.Option(help="Column delimiter (default: detected: , ; tab |).")
    ] = None,
    encoding: Annotated[
        str | None, typer.Option(help="Text encoding (default: UTF-8, else Windows-1252).")
    ] = None,
    decimal_comma: Annotated[
        bool | None,
        typer.Option(
            "--decimal-comma/--no-decimal-comma",
            help="Numbers as 1.234,50 (default: on for ;-delimited files).",
        ),
    ] = None,
    date_format: Annotated[
        str | None, typer.Option(help="Date layout tried first, e.g. %d/%m/%Y %H:%M.")
    ] = None,
    timezone: Annotated[
        str, typer.Option(help="Time zone of timestamps written without an offset.")
    ] = "UTC",
    pipeline: Annotated[
        list[str] | None,
        typer.Option(
            "--pipeline",
            help="HubSpot deals: read only the deals of this pipeline (its label or internal "
            "name; repeat for several). Default: every deal, with a warning when they are of "
            "several pipelines.",
        ),
    ] = None,
    opportunity_type: Annotated[
        list[str] | None,
        typer.Option(
            "--opportunity-type",
            help="Salesforce opportunities: read only those of this Type (e.g. New Business; "
            "repeat for several). Default: every opportunity, with a warning when they are of "
            "several types.",
        ),
    ] = None,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="The files are full snapshots: per table in PATH, rows whose key the file "
            "lacks are removed, of those imports of the same format loaded, and a removed "
            "lead's rows with it (default: add new keys, update changed rows, remove nothing).",
        ),
    ] = False,
    db: DbOption = DEFAULT_DB_PATH,
    config: ConfigOption = DEFAULT_CONFIG_PATH,
    as_json: JsonOption = False,
) -> None:
    """Load data into the warehouse; rows that break a rule go to the quarantine."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from analytics.warehouse import ImportFailed, WarehouseError
    from analytics.warehouse.adapters import CsvOptions, import_export

    if fmt not in FORMATS:
        fail(f"--format {fmt!r} is not known; allowed: {', '.join(FORMATS)}")
    if mapping is not None and fmt != "canonical":
        fail(f"--mapping and --format {fmt} exclude each other: a mapping describes the file")
    if mapping is not None and not mapping.is_file():
        fail(f"--mapping {mapping}: no such file")
    if pipeline and fmt != "hubspot":
        fail(f"--pipeline chooses HubSpot deals (--format hubspot), not --format {fmt}")
    if opportunity_type and fmt != "salesforce":
        fail(
            "--opportunity-type chooses Salesforce opportunities (--format salesforce), "
            f"not --format {fmt}"
        )
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        fail(f"--timezone {timezone!r} is not an IANA time zone (e.g. Europe/Berlin, UTC)")
    cfg = config_or_exit(config)
    from analytics.warehouse.config_history import backdating

    rejudged = backdating(db, cfg)  # asked before the import records the config
    demo = _demo_in(db)  # the warehouse holds the demo's data: the import mixes with it
    options = CsvOptions(
        delimiter=delimiter,
        encoding=encoding,
        decimal_comma=decimal_comma,
        date_format=date_format,
        timezone=timezone,
        pipelines=tuple(pipeline or ()),
        opportunity_types=tuple(opportunity_type or ()),
    )
    try:
        with progress_bar("importing") as progress:
            result = import_export(
                db,
                path,
                fmt=fmt,
                mapping=mapping,
                options=options,
                config=cfg,
                progress=progress,
                replace=replace,
            )
    except ImportFailed as exc:
        fail(f"{exc}; nothing was imported")
    except WarehouseError as exc:  # another import held the writer lock too long
        fail(str(exc))
    from analytics.warehouse.privacy import salt_warning

    if warning := salt_warning(db, cfg.privacy.salt_file):
        err.print(f"[yellow]warning:[/] {plain(warning)}", highlight=False)
    if rejudged is not None:  # the import recorded a backdated version
        err.print(f"[yellow]warning:[/] {plain(rejudged.text)}", highlight=False, soft_wrap=True)
    mixed = _into_demo(db, demo, result, fmt=fmt, path=path, mapping=mapping)
    if not (result.results_kept and _results_stored(db, cfg)):
        _refresh_results(db, cfg)
    if as_json:
        emit_json(
            {
                **result.to_json_dict(),
                "dropped_columns": result.dropped_columns,
                "masked_columns": result.masked_columns,
                **({"into_demo": {"demo": demo, "load": result.load_id}} if mixed else {}),
            }
        )
    else:
        _print_import(result)
    if result.privacy is not None and result.privacy.changed:  # before the rows loaded
        err.print(plain(result.privacy.summary()), highlight=False, soft_wrap=True)
    if mixed is not None:  # last, where it is read: the import went into the demo
        err.print(f"[yellow]warning:[/] {plain(mixed)}", highlight=False, soft_wrap=True)
    if result.rejected:
        raise typer.Exit(1)


def _demo_in(db: Path) -> str | None:
    """The ``sla demo`` command whose data the warehouse at ``db`` holds, else None (no
    warehouse there yet, or one no demo built)."""
    from analytics.warehouse import WarehouseError, connect_readonly
    from analytics.warehouse.facts import demo_source

    if not db.is_file():
        return None
    try:
        con = connect_readonly(db)
    except WarehouseError:
        return None  # the import says what is wrong with the file
    try:
        return demo_source(con)
    finally:
        con.close()


def _into_demo(
    db: Path, demo: str | None, result: Any, *, fmt: str, path: Path, mapping: Path | None
) -> str | None:
    """The warning of an import that added rows to a warehouse holding the demo's data
    (``demo``, as :func:`_demo_in` found it before the import), naming both; None when the
    warehouse held no demo or the import added nothing (the demo's own canonical folder
    loaded again changes nothing)."""
    from analytics.texts import render

    added = {t: c.get("added", 0) for t, c in result.changes.items() if c.get("added", 0)}
    if demo is None or not added:
        return None
    what = f"--mapping {mapping.name} {path}" if mapping is not None else f"--format {fmt} {path}"
    counts = ", ".join(f"{n:,} {table}" for table, n in added.items())
    return render("import.into_demo", db=db, demo=demo, what=what, added=counts,
                  load=result.load_id)  # fmt: skip


def _print_import(result: Any) -> None:
    from analytics.schema import LOAD_ORDER
    from analytics.warehouse.loader import CHANGE_KINDS, column_text

    table = rich_table("Imported")
    table.add_column("table")
    table.add_column("rows loaded", justify="right")
    for kind in CHANGE_KINDS:
        table.add_column(kind, justify="right")
    # a table the import has no file of, but whose rows a removed lead took along, too
    for name in [t for t in LOAD_ORDER if t in result.loaded or t in result.changes]:
        changes = result.changes.get(name, {})
        n = result.loaded.get(name, 0)
        table.add_row(name, f"{n:,}", *(f"{changes.get(k, 0):,}" for k in CHANGE_KINDS))
    err.print(table)
    for file in result.unchanged_files:
        err.print(f"{plain(file)}: already loaded, nothing changed")
    for table_name, columns in result.dropped_columns.items():
        err.print(f"{table_name}: dropped personal columns {plain(', '.join(columns))}")
    for file_name, columns in result.masked_columns.items():
        err.print(
            f"{plain(file_name)}: masked e-mail addresses, phone numbers or IBANs in "
            f"{plain(', '.join(columns))}"
        )
    for warning in result.warnings():
        err.print(f"[yellow]warning:[/] {plain(warning)}", highlight=False, soft_wrap=True)
    if result.rejected:
        err.print(f"[yellow]{result.rows_rejected} row(s) rejected into the quarantine:[/]")
        causes, cascaded = result.root_causes()
        err.print("root causes:")
        for c in causes[:20]:  # an export's rows: its own column, the canonical one after
            where = c["file"] + (f" column {column_text(c)}" if c["column"] else "")
            err.print(f"  {c['rows']:>8,} x {plain(where)}: {plain(c['reason'])}", highlight=False)
        if cascaded:
            err.print(f"  {cascaded:>8,} row(s) refer to a lead rejected above")
        err.print("first rows:")
        for r in result.rejected[:50]:
            where = f"{r['file']}:{r['line']}" + (
                f" column {column_text(r)}" if r["column"] else ""
            )
            err.print(f"  {plain(where + _shown_value(r))}: {plain(r['reason'])}", highlight=False)
        if len(result.rejected) > 50:
            err.print(
                f"  ... and {len(result.rejected) - 50} more (see `sla info` / the Data page)"
            )


def _shown_value(rejection: dict[str, Any]) -> str:
    """`` = 'value'`` of a rejected cell (masked as the quarantine keeps it, cut at 60
    characters), so the line says what was read; nothing for a whole-row rejection."""
    value = rejection.get("value")
    if value is None or not rejection.get("column"):
        return ""
    return " = " + repr(value if len(value) <= 60 else value[:59] + "…")


# -- sla info ----------------------------------------------------------------------


@app.command()
def info(
    db: DbOption = DEFAULT_DB_PATH,
    config: ConfigOption = DEFAULT_CONFIG_PATH,
    as_json: JsonOption = False,
) -> None:
    """What is in the warehouse: rows per table, as_of, quarantine, the SLA version in force.

    The SLA version in force is the one that judges the month of as_of (in force on its
    first day, recorded in the warehouse; the given config when none is).
    """
    # DuckDB only: a few counts need neither polars nor the loader
    from analytics.sla_versions import config_at, month_zones
    from analytics.warehouse.config_history import stored_configs
    from analytics.warehouse.coverage_store import coverage_json
    from analytics.warehouse.facts import (
        last_load_notices,
        latest_timestamp,
        quarantine_count,
        table_counts,
    )
    from analytics.warehouse.leftovers import remove_leftovers
    from analytics.warehouse.privacy_rules import PRIVACY_RULES, is_current, recorded_rules

    cfg = config_or_exit(config)
    if db.is_file():  # a missing warehouse: nothing done, not even a lock file made
        remove_leftovers(db)  # what killed imports left beside the warehouse
    with readonly_warehouse(db) as con:
        rules = recorded_rules(con)
        counts = table_counts(con)
        as_of = latest_timestamp(con)
        quarantined = quarantine_count(con)
        said = last_load_notices(con)  # what the imports said the numbers include
        # the version that judges the month of as_of, as `sla review` and the app judge it
        versions = stored_configs(con)
        in_force = cfg if as_of is None else config_at(versions, moment=as_of, fallback=cfg)
        coverage = coverage_json(con, cfg)  # as stored for this config (DuckDB only)
        if coverage is None:  # written before coverage was recorded, or for another config
            from analytics.coverage import known_coverage, to_json
            from analytics.warehouse import load_tables

            coverage = to_json(known_coverage(load_tables(con), config=cfg))
    document = {
        "as_of": iso_z(as_of) if as_of else None,
        "tables": counts,
        "quarantine": quarantined,
        "config": str(config),
        "sla_version": in_force.sla.version,
        "sla_effective_from": in_force.sla.effective_from.isoformat(),
        "sla_month": month_zones(versions, fallback=cfg).month_at(as_of) if as_of else None,
        "config_version": cfg.sla.version,
        "config_effective_from": cfg.sla.effective_from.isoformat(),
        "coverage": coverage,
        # the privacy rules the stored cells satisfy (None: none recorded, written before)
        "privacy_rules": {"recorded": rules, "code": PRIVACY_RULES, "current": is_current(rules)},
    }
    if said:  # (absent when nothing was said of the latest load of each table)
        document["last_import_notices"] = [{"file": f, "text": t.render()} for f, t in said]
    if as_json:
        emit_json(document)
        return
    table = rich_table(f"Warehouse {db}")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, n in counts.items():
        table.add_row(name, f"{n:,}")
    out.print(table)
    out.print(f"as of {document['as_of'] or '(empty)'}; {quarantined} quarantined row problem(s)")
    out.print(f"SLA config {config}: {cfg.sla.name}, version {cfg.sla.version}")
    if in_force is not cfg:  # another version judges the month of as_of
        out.print(
            f"SLA version in force for {document['sla_month']}: {in_force.sla.version} "
            f"(recorded, from {document['sla_effective_from']}): it judges that month and "
            "its alerts, not the file's version",
            highlight=False,
        )
    for notice in document.get("last_import_notices", []):
        said_of = f"said at import: {notice['file']}: {notice['text']}"
        out.print(said_of, highlight=False, soft_wrap=True)  # a path is never broken
    missing = [g for g, c in document["coverage"].items() if not c["measurable"]]
    if missing:
        out.print(f"not measurable: {', '.join(missing)} (sla info --json gives the reasons)")
    if not is_current(rules):
        written = "none recorded" if rules is None else f"version {rules}"
        out.print(
            f"privacy rules: the warehouse was written under older privacy rules ({written}; "
            f"this version applies version {PRIVACY_RULES}): it may hold what they let through "
            "(an id or a phone number in clear). The next import brings every stored cell to "
            "them, or now: sla rescrub",
            highlight=False,
        )


# -- sla config --------------------------------------------------------------------

config_app = typer.Typer(
    help="The SLA as a living document: recorded versions, what changed between them, and "
    "withdrawing one recorded by mistake.",
    no_args_is_help=True,
)
app.add_typer(config_app, name="config")


def _config_ref(con: Any, ref: str) -> SlaConfig:
    """A recorded version (label or hash prefix) or, when ``ref`` is a file, that config."""
    from analytics.warehouse.config_history import ConfigVersionError, resolve_config_version

    if ref.endswith(".toml") or Path(ref).is_file():
        return config_or_exit(Path(ref))
    try:
        return resolve_config_version(con, ref)
    except ConfigVersionError as exc:
        fail(str(exc))


def _version_json(config: SlaConfig) -> dict[str, Any]:
    return {
        "version": config.sla.version,
        "effective_from": config.sla.effective_from,
        "name": config.sla.name,
        "content_hash": config.content_hash,
        "source": config.source,
    }


def _agreement_lines(changes: list[dict[str, Any]]) -> list[str]:
    """The lines of a diff that change the agreement (not its label or date), or one line
    saying there is none."""
    lines = [c["text"] for c in changes if not c["key"].startswith("sla.")]
    return lines or ["no change in the agreement"]


@config_app.command("history")
def config_history(
    db: DbOption = DEFAULT_DB_PATH,
    config: ConfigOption = DEFAULT_CONFIG_PATH,
    as_json: JsonOption = False,
) -> None:
    """List the recorded SLA versions, oldest effective date first, with what each changed
    (a retired one marked, with when and why), and whether the config given (--config) is
    one of them (if not, what it would change)."""
    from analytics.sla_history import diff_configs
    from analytics.warehouse.config_history import config_versions, recorded_configs

    cfg = config_or_exit(config)
    with readonly_warehouse(db) as con:
        rows = config_versions(con).to_dicts()
        by_hash = recorded_configs(con)
    versions = []
    previous: SlaConfig | None = None
    for row in rows:
        current = by_hash.get(row["content_hash"])
        if current is None:
            err.print(
                f"[yellow]warning:[/] SLA version {row['version']} "
                f"({row['content_hash'][:8]}) no longer fits the config format; left out"
            )
            continue
        retired = row["retired_at"] is not None
        changes = [] if previous is None or retired else diff_configs(previous, current)
        versions.append(
            {
                **_version_json(current),
                "first_used_at": row["first_used_at"],
                "changes_from_previous": [c.to_json_dict() for c in changes],
                # withdrawn (`sla config retire`): kept in the history, judges no month
                "retired_at": row["retired_at"],
                "retired_reason": row["retired_reason"],
            }
        )
        if not retired:
            previous = current
    recorded = cfg.content_hash in by_hash
    same_day = _same_day_versions(versions)
    given = {
        **_version_json(cfg),
        "path": str(config),
        "recorded": recorded,
        # what recording it would change, against the latest recorded version
        "changes_from_latest": []
        if recorded or previous is None
        else [c.to_json_dict() for c in diff_configs(previous, cfg)],
    }
    if as_json:
        emit_json({"versions": versions, "config": given})
        return
    if not versions:
        out.print(f"{db}: no SLA version recorded yet (imports and `sla demo` record theirs)")
        return
    table = rich_table(f"SLA versions in {db}")
    for column in ("version", "effective from", "hash", "first used", "retired", "source"):
        table.add_column(column, no_wrap=column != "source")
    for v in versions:
        table.add_row(
            v["version"],
            v["effective_from"].isoformat(),
            v["content_hash"][:8],
            iso_z(v["first_used_at"])[:10],
            iso_z(v["retired_at"])[:10] if v["retired_at"] is not None else "",
            v["source"],
        )
    out.print(table)
    active = [v for v in versions if v["retired_at"] is None]
    for v in versions:
        if v["retired_at"] is not None:
            why = f" ({v['retired_reason']})" if v["retired_reason"] else ""
            out.print(
                f"\n{v['version']} (from {v['effective_from'].isoformat()}) was retired on "
                f"{iso_z(v['retired_at'])[:10]}{why}: it judges no month",
                highlight=False,
                soft_wrap=True,
            )
        elif active and v is not active[0]:
            out.print(
                f"\n{v['version']} (from {v['effective_from'].isoformat()}) changed:",
                highlight=False,
            )
            for line in _agreement_lines(v["changes_from_previous"]):
                out.print(f"  {line}", highlight=False, soft_wrap=True)
    for day, labels in same_day.items():  # recorded before such pairs were refused
        err.print(
            f"[yellow]warning:[/] {', '.join(labels)} all take effect on {day}: "
            f"{labels[-1]} (recorded last) judges its months; withdraw the one recorded by "
            "mistake with `sla config retire VERSION`",
            highlight=False,
            soft_wrap=True,
        )
    shown = f"SLA config {config}: version {cfg.sla.version} ({cfg.content_hash[:8]})"
    if recorded:
        retired = any(v["retired_at"] is not None and v["content_hash"] == cfg.content_hash
                      for v in versions)  # fmt: skip
        note = ", retired: it judges no month" if retired else ""
        out.print(f"\n{shown}, recorded above{note}", highlight=False, soft_wrap=True)
        return
    if not active:
        out.print(f"\n{shown}, not recorded; every recorded version is retired", highlight=False)
        return
    latest = active[-1]
    out.print(
        f"\n{shown}, not recorded yet (`sla review` records it); "
        f"against {latest['version']} ({latest['content_hash'][:8]}) it changes:",
        highlight=False,
        soft_wrap=True,
    )
    for line in _agreement_lines(given["changes_from_latest"]):
        out.print(f"  {line}", highlight=False, soft_wrap=True)


def _same_day_versions(versions: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Day -> the labels of the versions (not retired) that take effect on it, where there
    are several (a warehouse recorded before such pairs were refused)."""
    days: dict[str, list[str]] = {}
    for v in versions:
        if v["retired_at"] is None:
            days.setdefault(v["effective_from"].isoformat(), []).append(v["version"])
    return {day: labels for day, labels in days.items() if len(labels) > 1}


@config_app.command("retire")
def config_retire(
    ref: Annotated[
        str, typer.Argument(help="The recorded version to withdraw: label or content-hash prefix.")
    ],
    reason: Annotated[
        str | None,
        typer.Option("--reason", help="Why it is withdrawn (kept in the history)."),
    ] = None,
    db: DbOption = DEFAULT_DB_PATH,
    config: ConfigOption = DEFAULT_CONFIG_PATH,
    as_json: JsonOption = False,
) -> None:
    """Withdraw a recorded SLA version recorded by mistake: it stays in the history, marked
    retired, and judges no month from now on (the versions around it judge its months).
    To replace a version of the same day: retire it, then record the new one (`sla review`)."""
    from analytics.sla_versions import recorded_in_force
    from analytics.warehouse import WarehouseError
    from analytics.warehouse.config_history import (
        ConfigVersionError,
        retire_version,
        stored_configs,
    )

    cfg = config_or_exit(config)
    with readonly_warehouse(db):  # exit 2 for a missing file or one that is no warehouse
        pass
    try:
        retired = retire_version(db, ref, reason=reason)
    except ConfigVersionError as exc:
        fail(str(exc))
    except WarehouseError as exc:
        fail(str(exc))
    with readonly_warehouse(db) as con:
        versions = stored_configs(con)
    now = recorded_in_force(versions, on=retired.sla.effective_from)
    document = {
        "retired": _version_json(retired),
        "reason": reason,
        # the recorded version that judges its first day now (null: none is recorded)
        "judged_by_now": None if now is None else _version_json(now),
    }
    if as_json:
        emit_json(document)
        return
    day = retired.sla.effective_from.isoformat()
    out.print(
        f"retired SLA version {retired.sla.version} ({retired.content_hash[:8]}, in force from "
        f"{day}) in {db}: it judges no month now",
        highlight=False,
        soft_wrap=True,
    )
    if now is None:
        out.print("no version is recorded now: the given config judges every month")
    else:
        out.print(
            f"from {day} on: version {now.sla.version} ({now.content_hash[:8]}, in force from "
            f"{now.sla.effective_from.isoformat()})",
            highlight=False,
        )
    if cfg.content_hash == retired.content_hash:
        out.print(
            f"{config} is this version: `sla review` refuses to record it again; give its "
            "rules a new sla.version",
            highlight=False,
            soft_wrap=True,
        )


@config_app.command("diff")
def config_diff(
    a: Annotated[str, typer.Argument(help="Older version: label, content-hash prefix or file.")],
    b: Annotated[
        str | None,
        typer.Argument(
            help="Newer version: label, content-hash prefix or file (default: the --config file)."
        ),
    ] = None,
    db: DbOption = DEFAULT_DB_PATH,
    config: ConfigOption = DEFAULT_CONFIG_PATH,
    as_json: JsonOption = False,
) -> None:
    """What changed from SLA version A to B (by default the --config file), setting by setting."""
    from analytics.sla_history import diff_configs

    cfg = config_or_exit(config)
    with readonly_warehouse(db) as con:
        old, new = _config_ref(con, a), cfg if b is None else _config_ref(con, b)
    changes = diff_configs(old, new)
    if as_json:
        emit_json(
            {
                "from": _version_json(old),
                "to": _version_json(new),
                "changes": [c.to_json_dict() for c in changes],
            }
        )
        return
    out.print(
        f"SLA {old.sla.version} ({old.content_hash[:8] or old.source}) -> "
        f"{new.sla.version} ({new.content_hash[:8] or new.source}), "
        f"in force from {new.sla.effective_from.isoformat()}",
        highlight=False,
    )
    if not changes:
        out.print("no change in the agreement")
    for change in changes:
        meta = change.key.startswith("sla.")
        suffix = "" if meta else f" from {new.sla.effective_from.isoformat()}"
        out.print(f"  {change.text}{suffix}", highlight=False, soft_wrap=True)


# -- sla review --------------------------------------------------------------------


@app.command()
def review(
    month: Annotated[
        str | None,
        typer.Option(
            "--month",
            help="The month to review, YYYY-MM (reporting time zone; "
            "default: the last month that has ended).",
        ),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Judge as of this ISO 8601 timestamp (default: latest data)."),
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="Write the review pack: html (print-ready), pdf (needs chromium), md or "
            "xlsx (a sheet per section).",
        ),
    ] = None,
    out_file: Annotated[
        Path | None,
        typer.Option("--out", help="The pack's file (format from its suffix without --format)."),
    ] = None,
    lang: Annotated[
        str,
        typer.Option("--lang", help="The pack's language: en or de (words, numbers and dates)."),
    ] = "en",
    record: Annotated[
        bool,
        typer.Option(
            "--record/--no-record",
            help="Record the config in the warehouse's SLA history when it is new "
            "(--no-record: a trial: the given config judges the month asked, whatever is "
            "recorded, and the warehouse is left as it is).",
        ),
    ] = True,
    db: DbOption = DEFAULT_DB_PATH,
    config: ConfigOption = DEFAULT_CONFIG_PATH,
    as_json: JsonOption = False,
) -> None:
    """The month's SLA review: volumes, conversion, handoff, cadence, recycling, KPIs.

    The month is judged by the SLA version in force on its first day (recorded in the
    warehouse; before the first recorded version, that version; the given config only
    when none is recorded). The first line (JSON: "sla") names it and the versions taking
    effect inside the month. With --format/--out: the review pack. A config not recorded
    yet is recorded first; one that cannot be (its label names other content, another
    version takes effect on its day, it was retired) stops the review (exit 2). With
    --no-record the given config judges the month asked, as a trial, and nothing is
    recorded.
    """
    from analytics.precompute import stored
    from analytics.review import build_review
    from analytics.tables import parse_timestamp
    from analytics.timeframe import TimeframeError, parse_month
    from analytics.warehouse import latest_timestamp, load_tables

    try:
        if month is not None:
            parse_month(month)
    except TimeframeError as exc:
        fail(f"--month: {exc}")
    moment: datetime | None = None
    if as_of is not None:
        try:
            moment = parse_timestamp(as_of)
        except ValueError:
            fail(f"--as-of: {as_of!r} is not an ISO 8601 timestamp; use e.g. 2026-11-01T00:00:00Z")
    pack_format = _pack_format(fmt, out_file, as_json=as_json)
    from analytics.texts import LANGS

    if lang not in LANGS:  # the languages of the texts
        fail(f"--lang {lang!r} is not known; allowed: {', '.join(LANGS)}")
    if lang != "en" and pack_format is None:
        fail("--lang is the review pack's language: add --out FILE or --format")
    cfg = config_or_exit(config)
    if record:
        _record_config(db, cfg)
    with readonly_warehouse(db) as con:
        latest = latest_timestamp(con)  # one SQL query instead of scanning every table
        if moment is None:
            moment = latest
        if month is None:
            from analytics.coverage import last_complete_month
            from analytics.sla_versions import month_zones
            from analytics.warehouse.config_history import stored_configs

            # as the recorded versions cut the months (a time-zone change moves a boundary)
            zones = month_zones(stored_configs(con), fallback=cfg)
            month = last_complete_month(moment or datetime.now(UTC), timezone=zones)
        versions, sla = _config_in_force(con, cfg, month, trial=not record)
        cfg_in_force = sla.config
        # a trial that stands in for a recorded version judges the month before by itself
        # too: no recorded version takes over its comparison
        history = versions if sla.instead_of is None else []
        if pack_format is not None:
            if not record and sla.instead_of is not None:
                err.print(sla.lines()[0], highlight=False, soft_wrap=True)
            _write_pack(
                con, cfg, history, month=month, as_of=moment,
                fmt=pack_format, out=out_file, db=db, lang=lang,
            )  # fmt: skip
            return
        result = stored(con, "review", month=month, config=cfg_in_force, as_of=moment)
        if result is None:  # not among the months kept after the last import
            # the coverage stored at the import is of all the data; at an earlier moment
            # the review asks what the data known then could answer (known_coverage)
            result = build_review(load_tables(con), cfg_in_force, month=month, as_of=moment)
        result = _in_history(con, result, cfg, cfg_in_force, history, as_of=moment)
    document = {**result.to_json_dict(), "sla": sla.to_json_dict()}
    if as_json:
        emit_json(document)
        return
    _print_review(result, document, currency=cfg_in_force.reporting.currency, sla=sla.lines())


# -- sla review: the SLA in force and the review pack (--format / --out) -------------


def _pack_format(fmt: str | None, out_file: Path | None, *, as_json: bool) -> str | None:
    """The pack format asked for (None: no pack), or exit 2 naming the bad option."""
    from analytics.pack.render import PACK_FORMATS

    if fmt is None and out_file is None:
        return None
    if as_json:
        fail("--json prints the review's JSON; --format/--out write the pack: choose one")
    if fmt is None:
        fmt = out_file.suffix.lower().lstrip(".") if out_file else ""
        fmt = {"htm": "html", "markdown": "md"}.get(fmt, fmt)
        if fmt not in PACK_FORMATS:
            fail(
                f"--out {out_file}: cannot tell the format from the suffix; "
                f"add --format ({', '.join(PACK_FORMATS)})"
            )
    if fmt not in PACK_FORMATS:
        fail(f"--format {fmt!r} is not known; allowed: {', '.join(PACK_FORMATS)}")
    if fmt in ("pdf", "xlsx") and out_file is None:
        fail(f"--format {fmt} needs --out FILE (a {fmt.upper()} is not written to the terminal)")
    return fmt


def _record_config(db: Path, cfg: SlaConfig) -> None:
    """Record a config version not seen yet (a copy swapped in; readers are not blocked);
    exit 2 when it cannot be recorded beside the recorded versions."""
    from analytics.warehouse.config_history import ConfigConflict, record_config

    try:
        recording = record_config(db, cfg)
    except ConfigConflict as exc:
        fail(f"the SLA config cannot be recorded in {db}, nothing done:\n{exc}")
    except Exception as exc:  # the review itself needs no write: go on without recording
        err.print(
            f"[yellow]warning:[/] could not record the SLA version in {plain(db)}: {plain(exc)}"
        )
        return
    if recording.recorded:
        _recorded_note(db, cfg, recording.rejudged)


def _recorded_note(db: Path, cfg: SlaConfig, rejudged: Any) -> None:
    """Say that ``cfg`` was recorded, whether it is in force yet, and what it re-judges."""
    day = cfg.sla.effective_from
    later = " (not in force yet)" if day > datetime.now(UTC).date() else ""
    err.print(
        f"recorded SLA version {cfg.sla.version} ({cfg.content_hash[:8]}, in force from "
        f"{day.isoformat()}{later}) in {db}",
        highlight=False,
    )
    if rejudged is not None:
        err.print(f"[yellow]warning:[/] {plain(rejudged.text)}", highlight=False, soft_wrap=True)


def _config_in_force(
    con: Any, cfg: SlaConfig, month: str, *, trial: bool = False
) -> tuple[list[SlaConfig], Any]:
    """The recorded versions and :func:`analytics.sla_history.month_sla` of ``month``: the
    version that judges it (with ``trial``, the given config), and why."""
    from analytics.sla_history import month_sla
    from analytics.timeframe import month_window
    from analytics.warehouse.config_history import stored_configs

    versions = stored_configs(con)
    window = month_window(month, timezone=cfg.reporting.timezone)
    return versions, month_sla(
        versions, month=window.label, first_day=window.first_day, last_day=window.last_day,
        given=cfg, trial=trial,
    )  # fmt: skip


def _in_history(
    con: Any,
    result: Any,
    cfg: SlaConfig,
    in_force: SlaConfig,
    versions: list[SlaConfig],
    *,
    as_of: datetime | None,
) -> Any:
    """The review compared with the previous month as judged then, its quarter paced
    against each month's own goal (:func:`analytics.comparison.in_history`), as the pack
    and the app show it; the previous month's review is stored or built only when its
    version is another agreement."""
    from analytics.comparison import in_history
    from analytics.precompute import stored
    from analytics.review import build_review
    from analytics.warehouse import load_tables

    def previous_of(config: SlaConfig, label: str) -> Any:
        kept = stored(con, "review", month=label, config=config, as_of=as_of)
        if kept is not None:
            return kept
        return build_review(load_tables(con), config, month=label, as_of=as_of)

    return in_history(
        result, config=in_force, versions=versions, fallback=cfg, previous_of=previous_of
    )


def _write_pack(
    con: Any,
    cfg: SlaConfig,
    versions: list[SlaConfig],
    *,
    month: str,
    as_of: datetime | None,
    fmt: str,
    out: Path | None,
    db: Path,
    lang: Lang = "en",
) -> None:
    from analytics.pack import build_pack, render_pack
    from analytics.pack.render import PackRenderError
    from analytics.precompute import stored
    from analytics.warehouse import load_tables
    from analytics.warehouse.facts import last_import_notes
    from analytics.warehouse.notifications import notification_log

    def kept(config: SlaConfig, label: str, moment: datetime | None) -> Any:
        return stored(con, "review", month=label, config=config, as_of=moment)

    with progress_bar("building the review pack") as progress:
        progress("reviewing two months", 0.1)
        pack = build_pack(
            load_tables(con), cfg, month=month, as_of=as_of, versions=versions, stored=kept,
            notifications=notification_log(db, con=con), import_notes=last_import_notes(con),
        )  # fmt: skip
        progress(f"rendering {fmt}", 0.6)
        try:
            document = render_pack(pack, fmt=fmt, lang=lang)
        except PackRenderError as exc:
            fail(str(exc))
    if out is None:
        sys.stdout.write(document if isinstance(document, str) else document.decode())
        return
    try:
        if isinstance(document, bytes):
            out.write_bytes(document)
        else:
            out.write_text(document, encoding="utf-8")
    except OSError as exc:
        fail(f"--out {out}: cannot write the pack: {exc.strerror or exc}")
    err.print(
        f"review pack {pack.month} ({fmt}, SLA version {pack.config.sla.version}) written to {out}",
        highlight=False,
    )


def _fmt(value: Any, kind: str = "n") -> str:
    """A number for people: counts with separators, rates in %, hours with one decimal."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    if kind == "%":
        return f"{value:.1%}"
    if kind == "h":
        return f"{value:,.1f}"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}"
    return f"{value:,.0f}"


def _kpi_text(metric: str, value: float | None, *, currency: str) -> str:
    """A KPI's number in its metric's unit, as the app and the pack show it (92.3 %, 90,
    3.8 h; :func:`analytics.pack.formatting.format_metric`); '-' when there is none."""
    from analytics.pack.formatting import format_metric

    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    return format_metric(metric, value, currency=currency)


def _print_kpis(document: dict[str, Any], *, currency: str) -> None:
    """The KPI table of ``sla review``; under it why each KPI without data has none, and in a
    running month which targets are pro-rated (spec/coverage.md)."""
    from analytics.texts import render, term

    kpis = rich_table("KPIs")
    for col in ("team", "KPI", "value", "target", "previous", "status"):
        kpis.add_column(col, justify="right" if col in ("value", "target", "previous") else "left")
    colours = {"met": "green", "at_risk": "yellow", "missed": "red"}
    reasons: dict[str, list[str]] = {}  # reason -> the KPIs it leaves without data
    prorated = []
    for k in document["kpis"]:
        metric = k["metric"]
        status = k["status"] or "no_data"
        kpis.add_row(
            k["team"], k["label"], _kpi_text(metric, k["value"], currency=currency),
            _kpi_text(metric, k["target"], currency=currency),
            _kpi_text(metric, k["previous"], currency=currency),
            f"[{colours.get(status, 'dim')}]{term('status', status)}[/]",
        )  # fmt: skip
        if status == "no_data":
            reasons.setdefault(k["reason"] or render("coverage.no_value"), []).append(k["label"])
        full = k.get("full_target")
        if k["target"] is not None and full is not None and not math.isclose(k["target"], full):
            target = _kpi_text(metric, k["target"], currency=currency)
            full_text = _kpi_text(metric, full, currency=currency)
            prorated.append(f"{k['label']} {full_text} -> {target}")
    out.print(kpis)
    for reason, labels in reasons.items():
        out.print(f"no data: {', '.join(labels)}: {reason}", highlight=False, soft_wrap=True)
    if document.get("running") and prorated:
        days = document["days"]
        running = render("coverage.running", days=days["elapsed"], total=days["in_month"])
        out.print(
            f"{running[:1].upper()}{running[1:]}: volume targets pro-rated by the days elapsed "
            f"({'; '.join(prorated)}).",
            highlight=False,
            soft_wrap=True,
        )


def _print_review(
    result: Any, document: dict[str, Any], *, currency: str = "EUR", sla: list[str] = ()
) -> None:
    from analytics.coverage import share_reasons

    out.print(
        f"[bold]SLA review {document['month']}[/] (as of {document['as_of'] or 'no data'})",
        highlight=False,
    )
    for line in sla:  # the version that judged the month, and changes inside it
        out.print(plain(line), highlight=False, soft_wrap=True)
    volumes = rich_table("Volumes")
    for col in ("stage", "this month", "previous month"):
        volumes.add_column(col, justify="left" if col == "stage" else "right")
    for key, value in document["volumes"].items():
        volumes.add_row(key, _fmt(value), _fmt(result.previous_volumes.get(key)))
    out.print(volumes)
    conversion = rich_table("Conversion (period rates)")
    for col in ("rate", "value", "count", "95 % interval"):
        conversion.add_column(col, justify="left" if col == "rate" else "right")
    for key, c in document["conversion_counts"].items():
        interval = (
            f"{_fmt(c['ci_low'], '%')} - {_fmt(c['ci_high'], '%')}"
            if c["ci_low"] is not None
            else "-"
        )
        conversion.add_row(key, _fmt(c["rate"], "%"), f"{_fmt(c['x'])} / {_fmt(c['n'])}", interval)
    out.print(conversion)
    h, c, r = document["handoff"], document["cadence"], document["recycling"]
    sla = rich_table("Handoff, cadence, recycling")
    sla.add_column("measure")
    sla.add_column("value", justify="right")
    rows = [
        (
            "first touch met / missed / pending",
            " / ".join(_fmt(h[k]) for k in ("met", "missed", "pending")),
        ),
        ("handoff compliance", _fmt(h["compliance"], "%")),
        ("median hours to first touch", _fmt(h["median_hours_to_first_touch"], "h")),
        ("cadence held / judged", f"{_fmt(c['held'])} / {_fmt(c['judged'])}"),
        ("cadence compliance", _fmt(c["compliance"], "%")),
        ("attempts per MQL", _fmt(c["attempts_per_mql"])),
        ("recycled", _fmt(r["recycled"])),
        ("premature recycles", _fmt(r["premature"])),
        ("stale leads (at as_of)", _fmt(r["stale"])),
    ]
    for label, value in rows:
        sla.add_row(label, value)
    out.print(sla)
    _print_kpis(document, currency=currency)
    if label := result.comparison_label():  # what "previous" is: the month as judged then
        out.print(label, highlight=False, soft_wrap=True)
    for k in document["kpis"]:
        if k.get("change_reason"):
            out.print(
                f"- {k['label']}: {plain(k['change_reason'])}", highlight=False, soft_wrap=True
            )
    breaches = ", ".join(f"{name} {_fmt(n)}" for name, n in document["breaches"].items())
    out.print(f"Breaches: {breaches}", highlight=False)
    # every "-" above has its reason: what the month's data cannot answer, once per reason
    unknown: dict[str, list[str]] = {}
    for group, measurable in result.coverage.items():
        if not measurable:
            unknown.setdefault(result.reason(group), []).append(group)
    for why, groups in unknown.items():
        out.print(f"- is not measurable ({', '.join(groups)}): {plain(why)}", highlight=False)
    for metric, why in share_reasons(result.conversion).items():  # a "-" interval above
        out.print(f"- {metric} has no interval: {plain(why)}", highlight=False)
    if note := result.touches_note():  # pending above, or "-": the touches stopped
        out.print(f"- {plain(note)}", highlight=False)
    if note := result.lifecycle_note():  # "-" above: the lifecycle events stopped
        out.print(f"- {plain(note)}", highlight=False)


# -- sla score -----------------------------------------------------------------------

score_app = typer.Typer(
    help="Lead qualification: rule score vs predictive model, threshold tuning.",
    no_args_is_help=True,
)
app.add_typer(score_app, name="score")

AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", help="Judge as of this ISO 8601 timestamp (default: latest data)."),
]


def _score_sla(con: Any, cfg: SlaConfig, moment: datetime, *, trial: bool = False) -> Any:
    """The SLA version whose MQL threshold and scoring points are today's at ``moment``:
    :func:`analytics.sla_history.month_sla` of the month ``moment`` falls in, its config
    the one :func:`analytics.sla_versions.config_at` gives (as notebook 03, ``sla alerts``
    and the Lead qualification page). A config file not recorded judges from its own
    ``effective_from`` on, as on every command that records nothing; with ``trial``
    (``--no-record``, as ``sla review --no-record``) the given config scores, whatever is
    recorded, and names the recorded version it stands in for."""
    import dataclasses

    from analytics.sla_history import month_sla
    from analytics.sla_versions import config_at, month_zones
    from analytics.timeframe import month_window
    from analytics.warehouse.config_history import stored_configs

    versions = stored_configs(con)
    zones = month_zones(versions, fallback=cfg)
    window = month_window(zones.month_at(moment), timezone=cfg.reporting.timezone)
    sla = month_sla(
        versions, month=window.label, first_day=window.first_day, last_day=window.last_day,
        given=cfg, trial=trial,
    )  # fmt: skip
    if trial:
        return sla
    return dataclasses.replace(sla, config=config_at(versions, moment=moment, fallback=cfg))


@contextmanager
def _score_data(
    db: Path, as_of: str | None, cfg: SlaConfig, *, trial: bool = False
) -> Iterator[tuple[Any, datetime, Any]]:
    """The warehouse's tables (lazy scans), ``as_of`` and the SLA version that scores
    (:func:`_score_sla`); exit 2 naming a bad value.

    The tables are read only while the block runs, as the scoring reads them (in lead
    parts, out of core): the read-only connection stays open until it ends, as in
    ``sla review``.
    """
    from analytics.tables import parse_timestamp
    from analytics.warehouse import latest_timestamp, load_tables

    moment: datetime | None = None
    if as_of is not None:
        try:
            moment = parse_timestamp(as_of)
        except ValueError:
            fail(f"--as-of: {as_of!r} is not an ISO 8601 timestamp; use e.g. 2026-11-01T00:00:00Z")
    with readonly_warehouse(db) as con:
        if moment is None:
            moment = latest_timestamp(con)
        if moment is None:
            fail(f"{db}: the warehouse is empty; nothing to score (load data with `sla import`)")
        yield load_tables(con), moment, _score_sla(con, cfg, moment, trial=trial)


@score_app.command("report")
def score_report_command(
    model_path: Annotated[
        Path | None,
        typer.Option(
            "--model",
            help="A saved model (.skops; pickles are never loaded) or folder; default: the "
            "latest in <db dir>/models, "
            "else one is trained in memory.",
        ),
    ] = None,
    as_of: AsOfOption = None,
    no_record: Annotated[
        bool,
        typer.Option(
            "--no-record",
            help="A trial, as `sla review --no-record`: the given config's threshold and "
            "scoring points, whatever is recorded (the report records nothing either way).",
        ),
    ] = False,
    db: DbOption = DEFAULT_DB_PATH,
    config: ConfigOption = DEFAULT_CONFIG_PATH,
    as_json: JsonOption = False,
) -> None:
    """Lead-score quality (rule score vs model) and the threshold table with a recommendation.

    Today's threshold and scoring points are those of the SLA version that judges the month
    of --as-of (in force on its first day: recorded in the warehouse, the given config
    where none is or from its own effective_from when it is not recorded), as notebook 03,
    `sla alerts` and the Lead qualification page use them. The first line (JSON: "sla",
    "sla_month") names it. With --no-record the given config scores, as a trial, and the
    report says which recorded version it stands in for.
    """
    from analytics.scoring.model import (
        SeenTestPeriodError,
        check_card,
        latest_model,
        load_model,
        models_dir,
    )
    from analytics.scoring.report import score_report

    cfg = config_or_exit(config)
    source = model_path if model_path is not None else latest_model(models_dir(db))
    kept = _stored_score_results(db, cfg, as_of, source, trial=no_record)
    model, unusable = None, None
    if source is not None and "model_evaluation" not in kept:
        try:
            model = load_model(source)
        except (FileNotFoundError, ValueError) as exc:
            if model_path is not None:  # the file given cannot be used: nothing done
                fail(f"--model: {exc}")
            # the latest model, picked by default: the rule score is reported without it
            unusable = _unusable_latest(source, exc)
            err.print(f"[yellow]warning:[/] {plain(unusable)}", highlight=False, soft_wrap=True)
    with _score_data(db, as_of, cfg, trial=no_record) as (tables, moment, sla):
        judge = sla.config  # today's threshold and scoring points
        if source is None:
            err.print("no saved model: training one in memory (save one with `sla score train`)")
        try:
            try:
                document = score_report(
                    tables, judge, as_of=moment, model=model, thresholds=kept.get("thresholds"),
                    evaluation=kept.get("model_evaluation"), unusable=unusable,
                )  # fmt: skip
            except SeenTestPeriodError as exc:  # an earlier --as-of: judge a model it did not see
                err.print(
                    f"[yellow]note:[/] {plain(exc)}; training one in memory as of then instead"
                )
                document = score_report(
                    tables, judge, as_of=moment, thresholds=kept.get("thresholds")
                )
                if model is not None:  # what flags the saved model set aside is still said
                    document["model_note"] = check_card(model.card, tables, judge).note()
        except ValueError as exc:
            fail(f"{db}: {exc}")
    # the version that scored, as `sla review` names the one that judged its month
    document["sla"], document["sla_month"] = sla.to_json_dict(), sla.month
    if as_json:
        emit_json(document)
    else:
        _print_score_report(document, sla=sla.lines())
    if unusable is not None:  # done, with a problem reported (spec/cli.md)
        raise typer.Exit(1)


def _unusable_latest(source: Path, exc: Exception) -> str:
    """Why the latest saved model (picked by default) is not used: ``exc``, and the older
    model that is not used in its place either (the newest is never silently replaced)."""
    from analytics.scoring.model import MissingModelError, UnsafeModelError, older_model
    from analytics.texts import render

    # the file's own problem without its path again; a card's problem names the card
    own = isinstance(exc, MissingModelError | UnsafeModelError) and exc.path == source
    problem = exc.problem.render() if own else str(exc)  # type: ignore[union-attr]
    older = older_model(source)
    instead = (
        render("model.older_unused", older=older.name, model=source.name).strip()
        if older is not None
        else ""
    )
    return (
        f"The latest saved model {source} is not used: {problem}. {instead} The rule score is "
        "reported without a model: choose one with --model, or retrain with `sla score train`."
    ).replace("  ", " ")


def _stored_score_results(
    db: Path, cfg: SlaConfig, as_of: str | None, source: Path | None, *, trial: bool = False
) -> dict[str, Any]:
    """What the last import or training stored for this data, the SLA version that scores
    at the moment (:func:`_score_sla`; the trial config with ``trial``) and moment: the
    threshold results (``thresholds``; they do not depend on the model) and, for the model
    file at ``source`` (a folder: its latest), its evaluation (``model_evaluation``). The
    evaluation is keyed by the file's SHA-256, so it was computed from a file with these
    very bytes, loaded safely then: with it the model is not loaded again. Empty when
    nothing is stored or the warehouse or ``--as-of`` cannot be read (the report then
    computes, and names any problem)."""
    from analytics.precompute import model_file_hash, model_hash, stored
    from analytics.scoring.model import latest_model
    from analytics.tables import parse_timestamp
    from analytics.warehouse import WarehouseError, connect_readonly, is_warehouse, latest_timestamp

    if not db.is_file():
        return {}
    digest = model_file_hash(latest_model(source) if source and source.is_dir() else source)
    try:
        moment = parse_timestamp(as_of) if as_of is not None else None
        con = connect_readonly(db)
    except (ValueError, WarehouseError):
        return {}
    try:
        if not is_warehouse(con):
            return {}
        moment = moment or latest_timestamp(con)
        if moment is None:
            return {}
        judge = _score_sla(con, cfg, moment, trial=trial).config
        found = {
            "thresholds": stored(
                con, "thresholds", month="", config=judge, as_of=moment, model=model_hash(db)
            ),
            "model_evaluation": stored(
                con, "model_evaluation", month="", config=judge, as_of=moment, model=digest
            )
            if digest
            else None,
        }
    finally:
        con.close()
    return {kind: value for kind, value in found.items() if value is not None}


def _interval(low: float | None, high: float | None) -> str:
    """A 95 % interval of two rates, e.g. ``14.0-68.5 %``; '-' when there is none."""
    if low is None or high is None:
        return "-"
    return f"{low * 100:.1f}-{high * 100:.1f} %"


def _estimate(row: dict[str, Any]) -> str:
    """An estimated row's SQLs a month and range; 'at least' the SQLs that happened when
    no estimate could be fitted; nothing for an observed row."""
    if row.get("basis") != "estimated":
        return ""
    low = _fmt(row["estimated_sqls_low"], "h")
    if row["estimated_sqls_per_month"] is None:
        return f"at least {low}"
    point, high = _fmt(row["estimated_sqls_per_month"], "h"), _fmt(row["estimated_sqls_high"], "h")
    return f"{point} ({low}-{high})"


def _print_score_report(document: dict[str, Any], *, sla: list[str] = ()) -> None:
    from analytics.texts import as_sentence

    out.print(
        f"[bold]Lead score[/] as of {iso_z(document['as_of'])}: MQL threshold "
        f"{document['current_threshold']} and scoring points of the SLA version that judges "
        f"{document['sla_month']}",
        highlight=False,
        soft_wrap=True,
    )
    for line in sla:  # the version that scored, as `sla review` names it
        out.print(plain(line), highlight=False, soft_wrap=True)

    quality = rich_table(f"Score quality ({document['target']})")
    for col in ("score", "ROC AUC", "PR AUC", "Brier", "ECE", "log loss"):
        quality.add_column(col, justify="left" if col == "score" else "right")
    for name, key in (("rule score", "rule_score"), ("model", "model")):
        m = document[key]
        quality.add_row(
            name, *("-" if m.get(k) is None else f"{m[k]:.3f}"
                    for k in ("roc_auc", "pr_auc", "brier", "ece", "log_loss")),
        )  # fmt: skip
    out.print(quality)
    horizon = document.get("outcomes_note")
    said = (document.get("model_reason") or "") + (document.get("recommended_reason") or "")
    if horizon and horizon[1:] not in said:  # leads hidden by the horizon: named once
        out.print(f"Note: {plain(as_sentence(horizon))}", highlight=False)
    if document.get("model_reason"):  # no model trained or tested: the quality is unknown
        # a saved model that is not judged leaves the rule score judged on its own leads
        which = "Score" if document["rule_score"].get("roc_auc") is None else "Model"
        out.print(
            f"{which} quality not measured: {plain(document['model_reason']).rstrip('.')}.",
            highlight=False,
            soft_wrap=True,
        )
    note = document.get("model_note")
    # a saved model not of this config or data, judged or not (a reason may hold the note)
    if note and plain(note) not in plain(document.get("model_reason") or ""):
        out.print(f"Note: {plain(note)}", highlight=False, soft_wrap=True)
    unscored = document.get("rule_score_reason")
    if unscored:  # the rule score cannot be judged: no table and no recommendation of it
        features = document["model"]["features"]
        model = (
            f" The model learns from {', '.join(features)} (its thresholds: --json)."
            if features and not document.get("model_reason")
            else ""
        )
        out.print(f"Rule score not judged. {unscored}{model}", highlight=False, soft_wrap=True)
        return
    table = rich_table("Rule-score thresholds")
    for col in ("threshold", "MQLs/month", "MQL->SQL", "of mature MQLs", "95 % CI", "recall",
                "SQLs/month", "workload", "basis", "est. SQLs (range)"):  # fmt: skip
        table.add_column(col, justify="right")
    for row in document["thresholds"]:
        mark = " *" if row["threshold"] == document["recommended_threshold"] else ""
        table.add_row(
            f"{row['threshold']}{mark}", _fmt(row["mqls_per_month"], "h"),
            _fmt(row["precision"], "%"),
            f"{_fmt(row['converted_mqls'])} / {_fmt(row['mature_mqls'])}",
            _interval(row["precision_low"], row["precision_high"]), _fmt(row["recall"], "%"),
            _fmt(row["expected_sqls_per_month"], "h"), _fmt(row["workload_ratio"], "%"),
            row.get("basis") or "", _estimate(row),
        )  # fmt: skip
    out.print(table)
    out.print(
        "Leads never handed over (no MQL recorded) were not worked by sales: 'estimated' rows "
        "add a model estimate for them (range: only what happened to converting like the "
        "handed-over leads nearest today's threshold; 'at least': too few handed-over leads "
        "to estimate).",
        highlight=False,
    )
    recommended = document["recommended_threshold"]
    out.print(
        f"Recommended threshold: {'none' if recommended is None else recommended} "
        f"(now {document['current_threshold']}). {document['recommended_reason']}",
        highlight=False,
    )


@score_app.command("train")
def score_train_command(
    target: Annotated[
        str, typer.Option("--target", help="What to predict within the funnel window: sql or won.")
    ] = "sql",
    as_of: AsOfOption = None,
    db: DbOption = DEFAULT_DB_PATH,
    config: ConfigOption = DEFAULT_CONFIG_PATH,
    as_json: JsonOption = False,
) -> None:
    """(Re)train the predictive score and save it beside the warehouse (<db dir>/models).

    A model whose quality cannot be measured (its test leads hold no SQL, or only SQLs) is
    not saved: the latest saved model becomes the default of `sla score report` and the
    Lead qualification page, and an unjudged one must not. Exit 2 then, saying why.
    """
    from analytics.scoring.model import (
        TARGETS,
        latest_model,
        models_dir,
        save_model,
        train_and_evaluate,
        unmeasured_reason,
    )

    if target not in TARGETS:
        fail(f"--target {target!r} is not known; allowed: {', '.join(TARGETS)}")
    cfg = config_or_exit(config)
    with _score_data(db, as_of, cfg) as (tables, moment, sla):
        # the scoring points and window of the version the report and the page use
        cfg, given = sla.config, cfg
        if not sla.given_config:
            err.print(
                f"note: training with the scoring points and window of the version in force: "
                f"{plain(sla.lines()[0])}",
                highlight=False,
                soft_wrap=True,
            )
        if target == "sql":  # no SQL counted (Olist's SQLs are its won deals): nothing to learn
            from analytics.scoring.report import label_reason

            if (unlabelled := label_reason(tables, cfg, as_of=moment)) is not None:
                fail(f"{db}: no model trained to predict SQLs: {plain(unlabelled)}")
        try:
            with progress_bar("training") as progress:
                progress("training", 0.1)
                evaluation = train_and_evaluate(tables, cfg, as_of=moment, target=target)  # type: ignore[arg-type]
        except ValueError as exc:
            fail(f"{db}: {exc}")
    card = evaluation.model.card
    unmeasured = unmeasured_reason(evaluation.metrics["model"], target=evaluation.target)
    if unmeasured is not None:  # nothing saved: the previous model (if any) stays the default
        kept = latest_model(models_dir(db))
        if as_json:
            emit_json({"path": None, "metrics_reason": unmeasured, **card})
        fail(
            f"{db}: model not saved: ROC AUC not measurable: {unmeasured} (scored from "
            f"{str(card['split_at'] or '-')[:10]}), so its quality cannot be judged, and a "
            "saved model becomes the default of `sla score report` and the Lead qualification "
            "page; "
            + (f"{kept.name} stays in use" if kept else "no model is saved")
            + ". More history or a later --as-of gives test leads of both outcomes."
        )
    path = save_model(evaluation.model, models_dir(db))
    _refresh_results(db, given, reviews=False)  # the lead list shows the new model's factors
    if as_json:
        emit_json({"path": str(path), "metrics_reason": None, **card})
        return
    m, r = evaluation.metrics["model"], evaluation.metrics["rule_score"]

    def three(value: float | None) -> str:
        return "–" if value is None else f"{value:.3f}"

    err.print(
        f"model {card['version']} saved to {path}: ROC AUC {three(m['roc_auc'])} "
        f"(rule score {three(r['roc_auc'])}), Brier {three(m['brier'])}, ECE {three(m['ece'])} "
        f"on {card['n_test']:,} newer leads",
        highlight=False,
    )


# -- sla alerts ----------------------------------------------------------------------


def _alerts_as_of(con: Any, as_of: str | None) -> datetime:
    """``--as-of``: a timestamp, ``now``, or (default) the warehouse's latest data."""
    from datetime import UTC

    from analytics.tables import parse_timestamp
    from analytics.warehouse import latest_timestamp

    if as_of is not None and as_of.strip().lower() == "now":
        return datetime.now(UTC)
    if as_of is not None:
        try:
            return parse_timestamp(as_of)
        except ValueError:
            fail(
                f"--as-of: {as_of!r} is not an ISO 8601 timestamp or 'now'; "
                "use e.g. 2026-11-01T09:00:00Z"
            )
    moment = latest_timestamp(con)
    if moment is None:
        fail("the warehouse is empty; nothing to alert on (load data with `sla import`)")
    return moment


def _alert_tables(con: Any) -> Any:
    """The tables the alerts read, held in memory once (activities and web traffic, which
    no alert reads and which are the largest, stay out)."""
    import dataclasses

    import polars as pl

    from analytics.warehouse import load_tables

    lazy = load_tables(con)
    names = ["accounts", "reps", "leads", "lifecycle_events", "sales_touches",
             "nurture_enrollments"]  # fmt: skip
    frames = pl.collect_all([getattr(lazy, n) for n in names])
    held = {n: f.lazy() for n, f in zip(names, frames, strict=True)}
    # the same events and leads, held: the stored episodes are still theirs
    return dataclasses.replace(lazy, **held, episodes=lazy.stored_episodes, episodes_basis=None)


def _alerts_config(con: Any, cfg: SlaConfig, moment: datetime) -> SlaConfig:
    """The SLA version the alerts at ``moment`` use (:func:`analytics.sla_versions.config_at`,
    the one that judges its month), said on standard error when it is not ``cfg``."""
    from analytics.sla_history import alerts_version_note
    from analytics.sla_versions import config_at, month_zones
    from analytics.warehouse.config_history import stored_configs

    versions = stored_configs(con)
    judge = config_at(versions, moment=moment, fallback=cfg)
    month = month_zones(versions, fallback=cfg).month_at(moment)
    note = alerts_version_note(judge, cfg, month=month)
    if note:
        err.print(f"[yellow]note:[/] {plain(note)}", highlight=False, soft_wrap=True)
    return judge


def alerts_document(
    tables: Any, cfg: SlaConfig, *, as_of: datetime, within_hours: float, within_days: float
) -> dict[str, Any]:
    """The JSON of ``sla alerts``: coverage, counts, counts per rep and every alert.

    The library decides what is null (the At risk page reads the same,
    :func:`analytics.alerts.at_risk_now`): both counts when no kind of alert can be judged,
    a kind's count per rep when that kind cannot. ``cfg`` is the SLA version the alerts
    use (``sla_version``, ``sla_effective_from``).
    """
    from analytics.alerts import ALERT_KINDS, alert_todo, at_risk_now

    now = at_risk_now(
        tables, config=cfg, as_of=as_of, within_hours=within_hours, within_days=within_days
    )
    frame, missing = now["alerts"], now["missing"]
    rows = []
    for row in frame.iter_rows(named=True):
        local = row["deadline_local"]
        rows.append(
            {
                **{k: v for k, v in row.items() if k != "deadline_local"},
                "deadline_local": local.isoformat(timespec="minutes") if local else None,
                "todo": alert_todo(row, config=cfg),
            }
        )
    return {
        "as_of": as_of,
        "within_hours": within_hours,
        "within_days": within_days,
        "sla_version": cfg.sla.version,
        "sla_effective_from": cfg.sla.effective_from.isoformat(),
        "coverage": {kind: kind not in missing for kind in ALERT_KINDS},
        "missing": missing,
        "after_import": now["after_import"],
        "counts": now["counts"],
        "touches_stopped": now["touches_stopped"],
        "lifecycle_stopped": now["lifecycle_stopped"],
        "by_rep": now["by_rep"].to_dicts(),
        "alerts": rows,
    }


@app.command("alerts")
def alerts_command(
    within: Annotated[
        float,
        typer.Option(
            "--within",
            min=0,
            help="Hours ahead: a first-touch or cadence deadline this close is at risk.",
        ),
    ] = 8.0,
    within_days: Annotated[
        float,
        typer.Option(
            "--within-days",
            min=0,
            help="Days ahead for leads going stale and recycled leads due in nurture.",
        ),
    ] = 3.0,
    as_of: NowOption = None,
    db: DbOption = DEFAULT_DB_PATH,
    config: ConfigOption = DEFAULT_CONFIG_PATH,
    as_json: JsonOption = False,
) -> None:
    """What is at risk now: first touches, cadence, stale leads and nurture enrolments due.

    The alerts use the SLA version that judges the month of --as-of (in force on its
    first day, recorded in the warehouse; the given config when none is), as the review
    of that month does: standard error says so when it is not the given config.
    """
    from analytics.alerts import none_judged_lines, not_judged_lines
    from analytics.texts import term

    cfg = config_or_exit(config)
    with readonly_warehouse(db) as con:
        moment = _alerts_as_of(con, as_of)
        judge = _alerts_config(con, cfg, moment)
        document = alerts_document(
            _alert_tables(con),
            judge,
            as_of=moment,
            within_hours=within,
            within_days=within_days,
        )
    if as_json:
        emit_json(document)
        return
    counts, missing, later = document["counts"], document["missing"], document["after_import"]
    stops = {
        "stopped": document["touches_stopped"],
        "events_stopped": document["lifecycle_stopped"],
    }
    why_not = not_judged_lines(missing, **stops, after_import=later)
    for line in why_not if counts["overdue"] is not None else ():
        err.print(f"[yellow]note:[/] {plain(line)}", highlight=False, soft_wrap=True)
    title = (
        f"At risk now ({iso_z(moment)}): {_fmt(counts['overdue'])} overdue, "
        f"{_fmt(counts['at_risk'])} at risk"
    )
    if counts["overdue"] is None:  # no kind can be judged: no verdict, and no empty table
        out.print(title, highlight=False)
        for line in none_judged_lines(missing, **stops, after_import=later):
            out.print(plain(line), highlight=False, soft_wrap=True)
        return
    table = rich_table(title)
    for column in (
        "status",
        "kind",
        "lead",
        "company",
        "rep",
        "deadline (local)",
        "hours left",
        "to do",
    ):
        table.add_column(column, justify="right" if column == "hours left" else "left")
    for row in document["alerts"]:
        table.add_row(
            term("alert_status", row["status"]),
            term("alert_kind", row["kind"]),
            row["lead_id"],
            row["company"] or "-",
            row["rep_name"] or row["rep_id"] or "-",
            (row["deadline_local"] or "-").replace("T", " "),
            _fmt(row["hours_left"], "h"),
            row["todo"],
        )
    out.print(table)


# -- stored results (speed) ---------------------------------------------------------


def _results_stored(db: Path, cfg: SlaConfig) -> bool:
    """Whether the stored results of ``cfg`` are those of the data (an import that changed
    nothing kept them): no refresh is needed."""
    from analytics.precompute import results_stored

    with readonly_warehouse(db) as con:
        return results_stored(con, cfg)


def _refresh_results(db: Path, cfg: SlaConfig, *, reviews: bool = True) -> dict[str, Any] | None:
    """Compute and store the reviews the app and ``sla review`` open by default and the
    lead-scoring results (after an import or a demo; only the latter after training); a
    failure costs speed only, so it warns and goes on."""
    from analytics.precompute import refresh_results

    try:
        with progress_bar("computing the default months' reviews") as progress:
            progress("computing the default months' reviews", 0.0)
            return refresh_results(db, cfg, reviews=reviews)
    except Exception as exc:  # the data is loaded; pages compute on first visit instead
        err.print(f"[yellow]warning:[/] could not store the default months' reviews: {plain(exc)}")
        return None


@app.command()
def precompute(
    db: DbOption = DEFAULT_DB_PATH,
    config: ConfigOption = DEFAULT_CONFIG_PATH,
    as_json: JsonOption = False,
) -> None:
    """Compute and store the default months' reviews and KPI history for this config.

    Imports do this already; run it after changing the SLA config so that the app and
    `sla review` open the new config's numbers at once.
    """
    from analytics.precompute import refresh_results
    from analytics.warehouse import WarehouseError

    cfg = config_or_exit(config)
    if not db.is_file():
        fail(f"{db}: no such warehouse (build one with `sla demo` or `sla import`)")
    try:
        summary = refresh_results(db, cfg)
    except WarehouseError as exc:
        fail(str(exc))
    except Exception as exc:  # e.g. a damaged file: a message, never a traceback
        fail(f"{db}: could not store the results: {type(exc).__name__}: {exc}")
    if as_json:
        emit_json(summary)
        return
    out.print(
        f"stored {summary['results']} results ({summary['bytes'] / 1e6:.1f} MB) for "
        f"{', '.join(summary['months']) or 'no month'}",
        highlight=False,
    )


# -- sla notify ----------------------------------------------------------------------


@app.command("notify")
def notify_command(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be sent; send and log nothing.")
    ] = False,
    as_of: NowOption = None,
    db: DbOption = DEFAULT_DB_PATH,
    config: ConfigOption = DEFAULT_CONFIG_PATH,
    as_json: JsonOption = False,
) -> None:
    """Send what the config's notify section asks for: new MQLs, at-risk digests, summaries.

    The deadlines are those of `sla alerts`: the SLA version that judges the month of
    --as-of; the recipients and channels are the given config's.

    Meant for cron or a systemd timer. An item is never sent twice (the send log
    <db>.notifications.sqlite beside the warehouse); a failed send is retried with back-off,
    logged and sent again by the next run. Exit 1 when any message failed.
    """
    import contextlib
    import uuid

    from analytics.notify import channel_for, deliver, log_rows, plan_messages
    from analytics.notify.channels import NotifyError
    from analytics.notify.messages import unknown_rep_recipients
    from analytics.warehouse.notifications import (
        log_path,
        migrate_legacy_log,
        notify_lock,
        record_notifications,
        sent_keys,
    )

    cfg = config_or_exit(config)
    n = cfg.notify
    if not n.recipients:
        fail(f"{config}: notify.recipients is empty: nothing to send (see README, Notifications)")
    # a dry run sends nothing: it does not wait for, nor block, a real run
    with contextlib.nullcontext(True) if dry_run else notify_lock(db) as free:
        if not free:  # the other run sends what is due; this one would send it twice
            err.print(f"another sla notify is running on {db}: nothing sent", highlight=False)
            if as_json:
                emit_json({"as_of": None, "dry_run": dry_run, "skipped": True, "messages": [],
                           "already_sent": 0, "sent": 0, "failed": 0})  # fmt: skip
            return
        with readonly_warehouse(db) as con:
            moment = _alerts_as_of(con, as_of)
            judge = _alerts_config(con, cfg, moment)  # `sla alerts`' version; cfg's [notify]
            tables = _alert_tables(con)
            sent = sent_keys(db, con=con)
            # inside: the stored MQL episodes are read lazily through this connection
            messages = plan_messages(tables, judge, as_of=moment, sent=sent)
            for problem in unknown_rep_recipients(tables, cfg):  # a typo reaches nobody
                err.print(f"[yellow]warning:[/] {plain(config)}: {plain(problem)}", highlight=False)
        deliveries = []
        if not dry_run:
            try:  # a log an older version kept in the warehouse moves beside it, once
                migrate_legacy_log(db)
            except Exception as exc:  # it is still read from the warehouse: go on
                err.print(
                    "[yellow]warning:[/] could not move the send log out of "
                    f"{plain(db)}: {plain(exc)}"
                )
            channels: dict[str, Any] = {}
            for message in messages:
                key = message.recipient.key
                if key not in channels:
                    try:
                        channels[key] = channel_for(message.recipient, cfg)
                    except NotifyError as exc:
                        channels[key] = exc
                deliveries.append(
                    deliver(
                        message, channels[key], retries=n.retries, backoff_seconds=n.backoff_seconds
                    )
                )
            rows = log_rows(deliveries, as_of=moment, run_id=uuid.uuid4().hex[:12])
            try:
                record_notifications(db, rows)
            except Exception as exc:  # sent but not logged: say so loudly, they may be sent again
                where = log_path(db)
                err.print(
                    f"[bold red]error:[/] the send log could not be written to {where}: {exc}"
                )
                raise typer.Exit(1) from None
        failed = [d for d in deliveries if d.status == "failed"]
        document = {
            "as_of": moment,
            "dry_run": dry_run,
            "already_sent": sum(key[0] != "deadline" for key in sent),  # items, once each
            "messages": [
                {
                    **m.summary(),
                    "status": "planned" if dry_run else d.status,
                    "attempts": None if dry_run else d.attempts,
                    "error": None if dry_run else d.error,
                }
                for m, d in zip(messages, deliveries or [None] * len(messages), strict=True)
            ],
            "sent": sum(d.status == "sent" for d in deliveries),
            "failed": len(failed),
        }
        if as_json:
            emit_json(document)
        else:
            for row in document["messages"]:
                err.print(
                    f"{row['status']:>7}  {row['kind']:<15} {row['recipient']:<24} {row['subject']}"
                    + (f"  ({row['error']})" if row["error"] else ""),
                    highlight=False,
                    soft_wrap=True,
                )
            verb = "would send" if dry_run else "sent"
            count = len(messages) if dry_run else document["sent"]
            err.print(
                f"{verb} {count} message(s), {len(failed)} failed, as of {iso_z(moment)}",
                highlight=False,
            )
        if failed:
            raise typer.Exit(1)


@app.command("purge")
def purge_command(
    lead: Annotated[
        list[str] | None,
        typer.Option("--lead", help="A lead id as stored (repeat for more leads)."),
    ] = None,
    load: Annotated[int | None, typer.Option("--load", help="A load id (see sla info).")] = None,
    before: Annotated[
        str | None, typer.Option("--before", help="Erase every load made before YYYY-MM-DD.")
    ] = None,
    db: PurgeDbOption = DEFAULT_DB_PATH,
    config: ConfigOption = DEFAULT_CONFIG_PATH,
    as_json: JsonOption = False,
) -> None:
    """Erase leads or loads (GDPR Art. 17): raw, core and quarantine rows, and every byte."""
    from datetime import date

    from analytics.warehouse import WarehouseError
    from analytics.warehouse.privacy import existing_salt
    from analytics.warehouse.purge import PurgeFailed, purge

    day = None
    if before is not None:
        try:
            day = date.fromisoformat(before)
        except ValueError:
            fail(f"--before {before!r} is not a date (YYYY-MM-DD); nothing was erased")
    cfg = config_or_exit(config)
    salt = existing_salt(db, cfg.privacy.salt_file)
    try:
        result = purge(db, leads=lead or (), load=load, before=day, salt=salt, config=cfg)
    except (PurgeFailed, WarehouseError) as exc:
        fail(f"{exc}; nothing was erased")
    _refresh_results(db, cfg)
    if as_json:
        emit_json(result.to_json_dict())
        return
    if not result.removed and not result.unlinked and not result.restored:
        err.print("nothing matched: no row was removed")
    for name, n in result.removed.items():
        err.print(f"{name}: {n:,} row(s) removed")
    for name, n in result.restored.items():
        err.print(f"{name}: {n:,} row(s) given back (an erased load had removed them)")
    for name, n in result.unlinked.items():
        err.print(f"{name}: {n:,} row(s) no longer name the lead")
    if result.leads_not_found:
        err.print(f"{result.leads_not_found} lead id(s) not found")
    if result.model_cards:
        err.print(f"{result.model_cards} model card(s) in models/ no longer name the erased leads")
    if result.previews_removed or result.uploads_removed:
        err.print(
            f"{result.previews_removed} pending preview(s) of an upload removed (scratch copies "
            f"of the warehouse), and {result.uploads_removed} folder(s) of uploaded files "
            "waiting for them: preview such an upload again"
        )
    err.print(f"the warehouse file was rewritten; logged as load {result.load_id}")


@app.command("rescrub")
def rescrub_command(
    db: PurgeDbOption = DEFAULT_DB_PATH,
    config: ConfigOption = DEFAULT_CONFIG_PATH,
    as_json: JsonOption = False,
) -> None:
    """Bring every stored cell to this version's privacy rules, leaving no old byte.

    A warehouse written under older privacy rules keeps what they let through (an id such
    as Tel 0171 1234567 in clear); the next import does this first by itself. Like sla
    purge, the file is rewritten (nothing is changed in place); with nothing to change,
    only the version is recorded.
    """
    from analytics.warehouse import WarehouseError
    from analytics.warehouse.privacy import hash_salt
    from analytics.warehouse.purge import PurgeFailed
    from analytics.warehouse.rescrub import bring_to_rules

    if not db.is_file():
        fail(f"{db}: no warehouse here; nothing was changed")
    cfg = config_or_exit(config)
    with readonly_warehouse(db):  # exit 2 naming the file when it is no warehouse
        pass

    def salt() -> str:  # made only when an id is to be hashed (as an import makes it)
        return hash_salt(db, salt_file=cfg.privacy.salt_file)

    try:
        result = bring_to_rules(db, salt=salt, config=cfg)
    except (PurgeFailed, WarehouseError) as exc:
        fail(f"{exc}; nothing was changed")
    if result is not None and result.rewritten:
        _refresh_results(db, cfg)
    if as_json:
        if result is None:  # on the rules already: what it recorded, nothing changed
            from analytics.warehouse.privacy_rules import PRIVACY_RULES, recorded_rules
            from analytics.warehouse.rescrub import RescrubResult

            with readonly_warehouse(db) as con:
                result = RescrubResult(before=recorded_rules(con), rules=PRIVACY_RULES)
        emit_json(result.to_json_dict())
        return
    if result is None:
        err.print("the warehouse is on this version's privacy rules already: nothing to do")
        return
    err.print(plain(result.summary()), highlight=False, soft_wrap=True)
    if result.rewritten:
        err.print("the warehouse file was rewritten: no byte of the old cells is left in it")
    else:
        err.print("the version of the rules was recorded; the file was not rewritten")


def main() -> None:
    """Entry point of the ``sla`` script."""
    app()


if __name__ == "__main__":
    main()
