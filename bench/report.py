"""``python -m bench.report [results.json ...]``: the results as a Markdown table.

Several files are merged (later ones win per operation and scale), so that a 10M run
made separately joins the table of the usual scales. Used for docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bench.__main__ import FIGURES, HEADER, RESULTS, machine_line, table_rows


def merged(documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Result rows of several runs, one per (operation, scale), in first-seen order.

    >>> a = {"results": [{"op": "demo", "scale": "10k", "median_s": 1}]}
    >>> b = {"results": [{"op": "demo", "scale": "10k", "median_s": 2},
    ...                  {"op": "demo", "scale": "10m", "median_s": 9}]}
    >>> [(r["scale"], r["median_s"]) for r in merged([a, b])]
    [('10k', 2), ('10m', 9)]
    """
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for document in documents:
        for row in document["results"]:
            rows[(row["op"], row["scale"])] = row
    return list(rows.values())


def markdown(documents: list[dict[str, Any]]) -> str:
    """The table (grouped by operation, scales in order) and each run's machine line."""
    rows = merged(documents)
    order = {op: i for i, op in enumerate(dict.fromkeys(r["op"] for r in rows))}
    rows.sort(key=lambda r: (order[r["op"]], r["leads"]))
    lines = [
        "| " + " | ".join(HEADER) + " |",
        "|" + "|".join("---:" if i in FIGURES else "---" for i in range(len(HEADER))) + "|",
    ]
    for cells in table_rows(rows):
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    machines = dict.fromkeys(machine_line(d["machine"]) for d in documents)
    lines.append("")
    lines += [f"Machine: {m}." for m in machines]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.report", description=__doc__)
    parser.add_argument("results", nargs="*", type=Path, default=[RESULTS])
    args = parser.parse_args(argv)
    documents = [json.loads(path.read_text()) for path in args.results]
    sys.stdout.write(markdown(documents) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
