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
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime, timedelta
from importlib import metadata
from pathlib import Path
from typing import Any

from bench import scale_label

SEED = 7
#: Last moment of the demo data: fixed, so that results do not drift with the calendar.
END = datetime(2026, 11, 1, tzinfo=UTC)
CONFIG = Path("data/sla.toml")
#: Source files whose change invalidates a cached warehouse (what is generated, and its
#: tables; how rows are written does not change the data).
_GENERATOR_SOURCES = ("analytics/demo.py", "analytics/schema.py")


@dataclass(frozen=True)
class Workspace:
    """A prepared scale: its files, row counts and the review month.

    ``as_of`` is the warehouse's latest timestamp; ``month`` the calendar month of the day
    before it (:func:`review_month`) (``month_start`` <= t < ``month_end``, ISO strings in UTC).
    """

    leads: int
    label: str
    root: str
    db: str
    config: str
    counts: dict[str, int]
    as_of: str
    generator_hash: str
    generate_s: float
    write_s: float
    peak_rss_mb: float
    db_mb: float

    @property
    def month(self) -> str:
        return review_month(datetime.fromisoformat(self.as_of))[0]

    @property
    def month_start(self) -> str:
        return review_month(datetime.fromisoformat(self.as_of))[1].isoformat()

    @property
    def month_end(self) -> str:
        return review_month(datetime.fromisoformat(self.as_of))[2].isoformat()

    def to_json_dict(self) -> dict[str, Any]:
        return {**asdict(self), "month": self.month}

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
        stored = json.loads(meta.read_text())
        ws = Workspace(**{f.name: stored[f.name] for f in fields(Workspace)})
    except (KeyError, TypeError, ValueError):
        return None
    if not Path(ws.db).exists() or (fresh and ws.generator_hash != generator_hash()):
        return None
    return ws


def review_month(as_of: datetime) -> tuple[str, datetime, datetime]:
    """The month the review operations review: the one of the day before ``as_of``.

    With the data ending at :data:`END` that is the month just ended, as in the meeting.

    >>> review_month(datetime(2026, 10, 31, 23, 6, tzinfo=UTC))[0]
    '2026-10'
    >>> month, start, end = review_month(datetime(2026, 11, 1, tzinfo=UTC))
    >>> month, start.isoformat(), end.isoformat()
    ('2026-10', '2026-10-01T00:00:00+00:00', '2026-11-01T00:00:00+00:00')
    """
    day = as_of - timedelta(days=1)
    start = day.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = (start + timedelta(days=32)).replace(day=1)
    return start.strftime("%Y-%m"), start, end


def build_workspace(out: str | Path, leads: int) -> Workspace:
    """Generate and write the demo warehouse of ``leads`` leads (run in its own process)."""
    from analytics.config import load_config
    from analytics.demo import generate_demo_chunks
    from analytics.warehouse import connect_readonly, latest_timestamp, table_counts, write_tables

    root = workspace_dir(out, leads)
    root.mkdir(parents=True, exist_ok=True)
    db = root / "warehouse.duckdb"
    cfg = load_config(CONFIG)
    started = time.perf_counter()
    generated = 0.0

    def timed_chunks():  # generation time, without the writing between chunks
        nonlocal generated
        chunks = generate_demo_chunks(cfg, leads=leads, seed=SEED, end=END)
        while True:
            began = time.perf_counter()
            chunk = next(chunks, None)
            generated += time.perf_counter() - began
            if chunk is None:
                return
            yield chunk

    write_tables(db, timed_chunks(), source=f"bench --leads {leads} --seed {SEED}", config=cfg)
    written = time.perf_counter()
    con = connect_readonly(db)
    try:
        counts = table_counts(con)
        as_of = latest_timestamp(con).astimezone(UTC)
    finally:
        con.close()
    ws = Workspace(
        leads=leads,
        label=scale_label(leads),
        root=str(root),
        db=str(db),
        config=str(CONFIG),
        counts=counts,
        as_of=as_of.isoformat(),
        generator_hash=generator_hash(),
        generate_s=round(generated, 3),
        write_s=round(written - started - generated, 3),
        peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        db_mb=round(db.stat().st_size / 2**20, 1),
    )
    (root / "workspace.json").write_text(json.dumps(ws.to_json_dict(), indent=2))
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
