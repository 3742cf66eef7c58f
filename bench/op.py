"""One operation in a fresh process: ``python -m bench.op NAME --leads N --result PATH``.

Runs the operation's setup once, then the timed run up to ``--repeat`` times (stopping
early once ``--max-seconds`` are spent, after at least one run), records wall and CPU
seconds (user + system, of all threads; of the process tree for operations that start
the app and a browser) per run and its peak RSS
(this process's for in-process operations, the process tree's for operations that start
the app and a browser, and for whole processes (``sla``, the import) their own as
:func:`bench.ops.run_child` reports it),
then times the lower bound and writes everything as JSON to ``--result``.
``NAME`` ``prepare`` builds the scale's cached warehouse instead.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

from bench import DEFAULT_OUT


def _maxrss_mb(who: int) -> float:
    return round(resource.getrusage(who).ru_maxrss / 1024, 1)  # Linux reports KiB


def _cpu_s(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def measure(name: str, leads: int, *, out: str, repeat: int, max_seconds: float) -> dict[str, Any]:
    """Time one operation and its lower bound at one scale (the workspace must exist)."""
    from bench.ops import OPS, env_for_children, run_lower_bound
    from bench.workspace import load_workspace

    op = OPS[name]
    ws = load_workspace(out, leads, fresh=False)
    if ws is None:
        raise RuntimeError(f"no prepared workspace for {leads} leads under {out}")
    os.environ.update(env_for_children(ws))
    tmp = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=ws.root))
    try:
        started = time.perf_counter()
        state = op.setup(ws, tmp)
        setup_s = time.perf_counter() - started
        setup_rss = _maxrss_mb(resource.RUSAGE_SELF)
        setup_parts = getattr(state, "setup_parts", None)
        own = "children" if op.memory == "children" else "self"
        who = resource.RUSAGE_CHILDREN if own == "children" else resource.RUSAGE_SELF
        times: list[float] = []
        cpu: list[float] = []
        parts: list[dict[str, Any]] = []
        tree_cpu = getattr(state, "tree_cpu_s", None)  # ops that start a server and a browser
        cpu_now = tree_cpu if callable(tree_cpu) else lambda: _cpu_s(who)
        while len(times) < repeat and (not times or sum(times) < max_seconds):
            cpu_before, started = cpu_now(), time.perf_counter()
            detail = op.run(state)
            wall = time.perf_counter() - started
            # an operation that must start something first times only what a user waits for
            times.append(detail.pop("timed_s") if detail and "timed_s" in detail else wall)
            # a process started through bench/child.py: its own CPU, not its starter's too
            spent = detail.pop("cpu_s") if detail and "cpu_s" in detail else None
            cpu.append(spent if spent is not None else cpu_now() - cpu_before)
            if detail:
                parts.append(detail)
        peak = _maxrss_mb(who)
        tree_peak = getattr(state, "tree_peak_rss_mb", None)
        if callable(tree_peak):
            peak, own = tree_peak(), "tree"
        # processes that report their own peak (bench.ops.run_child): ru_maxrss of this
        # process's children starts from the memory they were forked with, the setup's
        child_peaks = [part["peak_rss_mb"] for part in parts if "peak_rss_mb" in part]
        if child_peaks:
            peak, own = max(child_peaks), "child"
        del state
        statements = op.lower_bound(ws)
        lb_times, lb_cpu = run_lower_bound(
            ws, statements, tmp=tmp, repeat=max(3, repeat), max_seconds=max_seconds
        )
        floor = None
        if op.floor is not None:
            floor_sql = op.floor(ws)
            floor_times, floor_cpu = run_lower_bound(
                ws, floor_sql, tmp=tmp, repeat=max(3, repeat), max_seconds=max_seconds
            )
            floor = {
                "sql": floor_sql,
                "times_s": [round(t, 5) for t in floor_times],
                "median_s": statistics.median(floor_times),
                "median_cpu_s": statistics.median(floor_cpu),
            }
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return {
        "load_avg_1m": round(os.getloadavg()[0], 2),
        "setup_s": round(setup_s, 4),
        "setup_peak_rss_mb": setup_rss,
        "setup_parts": setup_parts,
        "times_s": [round(t, 5) for t in times],
        "median_s": statistics.median(times),
        "cpu_s": [round(t, 5) for t in cpu],
        "median_cpu_s": statistics.median(cpu),
        "peak_rss_mb": peak,
        "rss_of": own,
        "parts": parts,
        "lower_bound": {
            "sql": statements,
            "times_s": [round(t, 5) for t in lb_times],
            "median_s": statistics.median(lb_times),
            "cpu_s": [round(t, 5) for t in lb_cpu],
            "median_cpu_s": statistics.median(lb_cpu),
        },
        **({"floor": floor} if floor else {}),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.op", description=__doc__)
    parser.add_argument("name", help="an operation of bench.ops.OPS, or 'prepare'")
    parser.add_argument("--leads", type=int, required=True)
    parser.add_argument("--result", type=Path, required=True, help="where to write the JSON")
    parser.add_argument("--out", default=DEFAULT_OUT, help="workspace root (cached warehouses)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--max-seconds", type=float, default=60.0)
    args = parser.parse_args(argv)
    try:
        if args.name == "prepare":
            from bench.workspace import build_workspace

            document: dict[str, Any] = {
                "status": "ok",
                **build_workspace(args.out, args.leads).to_json_dict(),
            }
        else:
            figures = measure(
                args.name,
                args.leads,
                out=args.out,
                repeat=args.repeat,
                max_seconds=args.max_seconds,
            )
            document = {"status": "ok", **figures}
    except Exception as exc:  # reported in the table as "failed", with the reason
        traceback.print_exc()
        document = {"status": "failed", "reason": f"{type(exc).__name__}: {exc}"}
    args.result.write_text(json.dumps(document, indent=2, default=str))
    return 0 if document["status"] == "ok" else 1


if __name__ == "__main__":
    sys.exit(main())
