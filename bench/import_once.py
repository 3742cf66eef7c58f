"""One canonical import in a process of its own: ``python -m bench.import_once FOLDER DB CONFIG``.

The bench's ``import`` operation runs it (through :func:`bench.ops.run_child`), so that the
peak RSS it reports is the import's alone: the operation's setup holds each table in memory
to write the canonical folder, and a process's peak never goes down. It prints one JSON
line: the seconds spent in ``import_canonical`` and the rows it loaded and rejected.
"""

from __future__ import annotations

import json
import sys
import time


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
    print(json.dumps(figures, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
