"""Writing tables as a canonical folder (spec/canonical-format.md), e.g. ``sla demo --out``."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from analytics.schema import LOAD_ORDER, UTC_TIMESTAMP


def write_canonical(frames: dict[str, pl.DataFrame], out_dir: str | Path) -> list[Path]:
    """Write one ``<table>.csv`` per frame (timestamps ISO 8601 in UTC with ``Z``).

    Returns the files written, in load order.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for table in LOAD_ORDER:
        frame = frames.get(table)
        if frame is None:
            continue
        text_times = [
            pl.col(c).dt.to_string("%Y-%m-%dT%H:%M:%S%.fZ").str.replace(r"\.0+Z$", "Z").alias(c)
            for c, dtype in frame.schema.items()
            if dtype == UTC_TIMESTAMP
        ]
        path = out_dir / f"{table}.csv"
        frame.with_columns(text_times).write_csv(path)
        written.append(path)
    return written
