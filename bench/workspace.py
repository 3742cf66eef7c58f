"""The cached demo warehouse of one scale, and what the operations need to know about it.

``bench/out/<scale>/warehouse.duckdb`` is built once per scale (``generate_demo`` +
``write_tables``, as ``sla demo`` does) with a fixed seed and end date, so every run of
the benchmarks measures the same data. ``workspace.json`` beside it records how it was
built (a hash of the generator's source: a changed generator rebuilds it), the row counts,
``as_of`` and the month the review operations review.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import resource
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from importlib import metadata
from pathlib import Path

from bench import scale_label

SEED = 7
#: Last moment of the demo data: fixed, so that results do not drift with the calendar.
END = datetime(2026, 11, 1, tzinfo=UTC)
CONFIG = Path("data/sla.toml")
#: Source files whose change invalidates a cached warehouse.
_GENERATOR_SOURCES = ("analytics/demo.py", "analytics/schema.py", "analytics/warehouse/loader.py")


@dataclass(frozen=True)
class Workspace:
    """A prepared scale: its files, row counts and the review month.

    ``as_of`` is the warehouse's latest timestamp; ``month`` the last complete calendar
    month before it (``month_start`` <= t < ``month_end``, ISO strings in UTC).
    """

    leads: int
    label: str
    root: str
    db: str
    config: str
    counts: dict[str, int]
    as_of: str
    month: str
    month_start: str
    month_end: str
    generator_hash: str
    generate_s: float
    write_s: float
    peak_rss_mb: float
    db_mb: float

    @property
    def root_path(self) -> Path:
        return Path(self.root)

    def rows(self, tables: tuple[str, ...]) -> int:
        """Rows in the given core tables (all of them for an empty tuple)."""
        names = tables or tuple(self.counts)
        return sum(self.counts[name] for name in names)


def generator_hash() -> str:
    digest = hashlib.sha256()
    for source in _GENERATOR_SOURCES:
        path = Path(source)
        digest.update(path.read_bytes() if path.exists() else b"")
    return digest.hexdigest()[:16]


def workspace_dir(out: str | Path, leads: int) -> Path:
    return Path(out) / scale_label(leads)


def load_workspace(out: str | Path, leads: int, *, fresh: bool = True) -> Workspace | None:
    """The cached workspace of a scale, or None when missing (or, with ``fresh``, stale).

    Stale means built by another version of the generator: the benchmark run rebuilds
    it once at its start; its operation processes then take it as it is (``fresh=False``),
    so that an edit of the generator during a run cannot pull the data from under it.
    """
    meta = workspace_dir(out, leads) / "workspace.json"
    if not meta.exists():
        return None
    try:
        ws = Workspace(**json.loads(meta.read_text()))
    except (TypeError, ValueError):
        return None
    if not Path(ws.db).exists() or (fresh and ws.generator_hash != generator_hash()):
        return None
    return ws


def _previous_month(moment: datetime) -> tuple[str, datetime, datetime]:
    first = moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    if first == moment:  # as_of exactly at midnight of the 1st: that month has no data yet
        first = first - timedelta(days=1)
        first = first.replace(day=1)
        return first.strftime("%Y-%m"), first, moment
    start = (first - timedelta(days=1)).replace(day=1)
    return start.strftime("%Y-%m"), start, first


def build_workspace(out: str | Path, leads: int) -> Workspace:
    """Generate and write the demo warehouse of ``leads`` leads (run in its own process)."""
    from analytics.config import load_config
    from analytics.demo import generate_demo
    from analytics.warehouse import connect_readonly, latest_timestamp, table_counts, write_tables

    root = workspace_dir(out, leads)
    root.mkdir(parents=True, exist_ok=True)
    db = root / "warehouse.duckdb"
    cfg = load_config(CONFIG)
    started = time.perf_counter()
    frames = generate_demo(cfg, leads=leads, seed=SEED, end=END)
    generated = time.perf_counter()
    write_tables(db, frames, source=f"bench --leads {leads} --seed {SEED}", config=cfg)
    written = time.perf_counter()
    del frames
    con = connect_readonly(db)
    try:
        counts = table_counts(con)
        as_of = latest_timestamp(con).astimezone(UTC)
    finally:
        con.close()
    month, start, end = _previous_month(as_of)
    ws = Workspace(
        leads=leads,
        label=scale_label(leads),
        root=str(root),
        db=str(db),
        config=str(CONFIG),
        counts=counts,
        as_of=as_of.isoformat(),
        month=month,
        month_start=start.isoformat(),
        month_end=end.isoformat(),
        generator_hash=generator_hash(),
        generate_s=round(generated - started, 3),
        write_s=round(written - generated, 3),
        peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        db_mb=round(db.stat().st_size / 2**20, 1),
    )
    (root / "workspace.json").write_text(json.dumps(asdict(ws), indent=2))
    return ws


def machine() -> dict[str, object]:
    """The machine and software versions the figures were measured on."""
    import psutil

    versions = {}
    for package in ("polars", "duckdb", "pyarrow", "numpy", "streamlit", "scikit-learn"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = None
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "versions": versions,
        "git_commit": commit,
        "load_avg_1m_at_start": round(os.getloadavg()[0], 2),
        "executable": sys.executable,
    }
