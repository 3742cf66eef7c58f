"""Run one command from a small process and report what it cost on its own.

``python -S bench/child.py FIGURES -- COMMAND ...`` runs COMMAND with this process's
stdin, stdout and stderr, exits with its exit code and writes its wall seconds, CPU
seconds and peak RSS as JSON to the file FIGURES.

Why a process in between: Linux starts a child's ``ru_maxrss`` from the peak of the
process it was forked from (the memory it was forked with counts until ``exec``), so a
command started straight from the bench, after a setup that held 10M leads' tables,
reported the setup's 9.9 GB. Started from this script (stdlib only, about 10 MB), its peak
is its own. Only the standard library is imported, so the figures leave out nothing of
the command's start-up and add little before it.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time


def main(argv: list[str]) -> int:
    """Run ``argv[2:]`` (after ``FIGURES --``); return its exit code."""
    if len(argv) < 3 or argv[1] != "--":
        print("usage: child.py FIGURES -- COMMAND ...", file=sys.stderr)
        return 2
    figures, command = argv[0], argv[2:]
    started = time.perf_counter()
    code = subprocess.call(command)
    wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(figures, "w", encoding="utf-8") as out:
        json.dump(
            {
                "timed_s": round(wall, 5),
                "cpu_s": round(usage.ru_utime + usage.ru_stime, 5),
                "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),  # Linux reports KiB
                "exit_code": code,
            },
            out,
        )
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
