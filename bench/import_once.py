"""One canonical import in a process of its own: ``python -m bench.import_once FOLDER DB CONFIG``.

The bench's ``import`` operation runs it, so that the peak RSS it reports is the import's
alone: the operation's setup holds each table in memory to write the canonical folder, and
a process's peak never goes down. It prints one JSON line: the seconds spent in
``import_canonical``, the rows it loaded and rejected, and its own peak RSS.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    folder, db, config_path = argv if argv is not None else sys.argv[1:]
    from analytics.config import load_config
    from analytics.warehouse import import_canonical

    config = load_config(config_path)
    started = time.perf_counter()
    result = import_canonical(db, folder, config=config)
    figures = {
        "import_canonical_s": round(time.perf_counter() - started, 4),
        "rows_loaded": sum(result.loaded.values()),
        "rows_rejected": result.rows_rejected,
        "first_rejected": result.rejected[0] if result.rejected else None,
    }
    figures["peak_rss_mb"] = own_peak_rss_mb()
    print(json.dumps(figures, default=str))
    return 0


def own_peak_rss_mb() -> float:
    """This process's own peak RSS since it started its program (``VmHWM``).

    Not ``getrusage``: a child's ``ru_maxrss`` keeps the peak of the memory it was forked
    with, so a child of a large process reports the parent's size (the operation's setup
    held the demo's tables: 10M read 9.9 GB for an import that never came near it).
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)  # kB
    raise RuntimeError("no VmHWM in /proc/self/status (not Linux?)")


if __name__ == "__main__":
    sys.exit(main())
