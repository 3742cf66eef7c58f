"""``python -m bench --scale 10k,100k,1m``: run every operation per scale and print the table.

Every operation runs in its own process (``python -m bench.op``); its figures, the
lower bound, the ratio and the budget verdict go into the table on stdout and into
``bench/results.json`` (rewritten after every operation, so an interrupted run keeps
what it measured).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import DEFAULT_OUT, parse_scale, scale_label

RESULTS = Path("bench/results.json")
#: An operation is killed when the machine has less memory available than this.
MIN_FREE = 1 << 30


def _tree_rss(process: Any) -> int:
    """Resident bytes of a process and all its descendants (0 once it is gone)."""
    import psutil

    total = 0
    try:
        for p in [process, *process.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                total += p.memory_info().rss
    except psutil.Error:
        return 0
    return total


def _child(
    name: str,
    leads: int,
    args: argparse.Namespace,
    result: Path,
    *,
    timeout: float | None = None,
) -> tuple[dict[str, Any], float]:
    """Run ``python -m bench.op`` and read its JSON; a crash or timeout becomes "failed".

    A child whose process tree grows beyond ``--max-rss-gb``, or that leaves the machine
    less than 1 GiB available, is killed (and reported as failed), so that an operation
    that does not fit cannot take the machine down.
    """
    import psutil

    command = [
        sys.executable, "-m", "bench.op", name, "--leads", str(leads), "--result", str(result),
        "--out", args.out, "--repeat", str(args.repeat), "--max-seconds", str(args.max_seconds),
    ]  # fmt: skip
    result.unlink(missing_ok=True)
    limit = args.max_rss_gb * 2**30
    timeout = args.timeout if timeout is None else timeout
    started = time.perf_counter()
    log = Path(args.out) / f"{name}-{scale_label(leads)}-{os.getpid()}.log"
    with open(log, "w") as stderr:
        child = subprocess.Popen(command, stdout=stderr, stderr=stderr)
        watched = psutil.Process(child.pid)
        killed = None
        while child.poll() is None:
            elapsed = time.perf_counter() - started
            rss = _tree_rss(watched)
            if rss > limit:
                killed = f"killed at {rss / 2**30:.1f} GiB RSS (memory guard {args.max_rss_gb:g})"
            elif psutil.virtual_memory().available < MIN_FREE:
                killed = f"killed at {rss / 2**30:.1f} GiB RSS: the machine ran out of memory"
            elif elapsed > timeout:
                killed = f"timed out after {timeout:g} s"
            if killed:
                for p in [*watched.children(recursive=True), watched]:
                    with contextlib.suppress(psutil.Error):
                        p.kill()
                child.wait()
                break
            time.sleep(0.1)
    elapsed = time.perf_counter() - started
    if killed:
        return {"status": "failed", "reason": killed}, elapsed
    if result.exists():
        figures = json.loads(result.read_text())
        if figures.get("status") == "ok":
            log.unlink(missing_ok=True)  # kept only to explain a failure
        return figures, elapsed
    tail = " | ".join(log.read_text().strip().splitlines()[-3:])
    signal = f" (signal {-child.returncode})" if child.returncode < 0 else ""
    return {
        "status": "failed",
        "reason": f"process exited {child.returncode}{signal} without a result: {tail}",
    }, elapsed


def _row(op: Any, ws: dict[str, Any] | None, leads: int, figures: dict[str, Any]) -> dict[str, Any]:
    """One result row: the child's figures plus rows/s, ratio and the budget verdict."""
    budget = op.budgets.get(leads)
    row: dict[str, Any] = {
        "op": op.name,
        "title": op.title,
        "scale": scale_label(leads),
        "leads": leads,
        "budget": budget.describe() if budget else None,
        **figures,
    }
    if figures.get("status") != "ok":
        row["budget_pass"] = None
        return row
    median = figures["median_s"]
    rows = sum(ws["counts"][t] for t in (op.tables or ws["counts"]))
    lower = figures["lower_bound"]["median_s"]
    row["rows"] = rows
    row["rows_per_s"] = rows / median if median > 0 else None
    row["ratio"] = median / lower if lower > 0 else None
    cpu, lower_cpu = figures.get("median_cpu_s"), figures["lower_bound"].get("median_cpu_s")
    row["cpu_ratio"] = cpu / lower_cpu if cpu is not None and lower_cpu else None
    row["budget_pass"] = budget.verdict(median, figures["peak_rss_mb"]) if budget else None
    floor = (figures.get("floor") or {}).get("median_s")
    row["floor_ratio"] = median / floor if floor else None
    return row


def _seconds(value: float | None) -> str:
    if value is None:
        return "-"
    if value < 1:
        return f"{value * 1000:.0f} ms"
    return f"{value:.2f} s"


def _times(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}x"


def _count(value: float | None) -> str:
    if value is None:
        return "-"
    for unit, size in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if value >= size:
            return f"{value / size:.1f}{unit}"
    return f"{value:.0f}"


def table_rows(results: list[dict[str, Any]]) -> list[list[str]]:
    """The printed table: one line per operation and scale."""
    lines = []
    for r in results:
        if r["status"] != "ok":
            label = "not available" if r["status"] == "not available" else "FAILED"
            lines.append([r["op"], r["scale"], label, *[""] * (len(HEADER) - 5),
                          r.get("budget") or "", r.get("reason", "")])  # fmt: skip
            continue
        verdict = {True: "pass", False: "FAIL", None: ""}[r["budget_pass"]]
        if r.get("floor_ratio") is not None:  # the spec's least work (Op.floor)
            floor = f"spec floor {_seconds(r['floor']['median_s'])}: {_times(r['floor_ratio'])}"
            verdict = f"{verdict}; {floor}" if verdict else floor
        lines.append(
            [
                r["op"],
                r["scale"],
                _seconds(r["median_s"]),
                _seconds(r.get("median_cpu_s")),
                str(len(r["times_s"])),
                f"{r['peak_rss_mb']:,.0f} MB",
                _count(r["rows_per_s"]),
                _seconds(r["lower_bound"]["median_s"]),
                _times(r["ratio"]),
                _times(r.get("cpu_ratio")),
                f"{r['load_avg_1m']:.1f}" if r.get("load_avg_1m") is not None else "-",
                r.get("budget") or "",
                verdict,
            ]
        )
    return lines


HEADER = ["operation", "scale", "median", "cpu", "runs", "peak RSS", "rows/s", "lower bound",
          "ratio", "cpu ratio", "load", "budget", "pass / note"]  # fmt: skip
#: Columns printed right-aligned (the figures).
FIGURES = range(2, 11)


def print_table(results: list[dict[str, Any]], machine: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="SLA benchmarks", show_edge=False)
    for i, name in enumerate(HEADER):
        table.add_column(name, justify="right" if i in FIGURES else "left")
    for line in table_rows(results):
        table.add_row(*line)
    console = Console(width=160)
    console.print(table)
    console.print(machine_line(machine))


def machine_line(machine: dict[str, Any]) -> str:
    v = machine["versions"]
    return (
        f"{machine['cpu']}, {machine['cores']} cores, {machine['memory_gib']} GiB; "
        f"{machine['os']}; Python {machine['python']}, polars {v['polars']}, "
        f"duckdb {v['duckdb']}, streamlit {v['streamlit']}; commit {machine['git_commit']}"
    )


def default_memory_guard() -> float:
    """85 % of the machine's memory, in GiB: beyond it an operation is killed, not swapped."""
    import psutil

    return round(0.85 * psutil.virtual_memory().total / 2**30, 1)


def main(argv: list[str] | None = None) -> int:
    from bench.ops import OPS
    from bench.workspace import load_workspace, machine

    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--scale", default="10k,100k,1m", help="comma-separated, e.g. 10k,1m,10m")
    parser.add_argument("--ops", default=",".join(OPS), help="comma-separated operation names")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per operation (max)")
    parser.add_argument(
        "--max-seconds", type=float, default=60.0, help="stop repeating after this many seconds"
    )
    parser.add_argument("--timeout", type=float, default=3600.0, help="per operation process")
    parser.add_argument(
        "--max-rss-gb",
        type=float,
        default=default_memory_guard(),
        help="kill an operation whose processes use more (default: 85%% of the machine)",
    )
    parser.add_argument("--out", default=DEFAULT_OUT, help="cached warehouses (git-ignored)")
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    try:
        scales = [parse_scale(s) for s in args.scale.split(",") if s.strip()]
    except ValueError as exc:
        parser.error(str(exc))
    names = [n.strip() for n in args.ops.split(",") if n.strip()]
    unknown = [n for n in names if n not in OPS]
    if unknown:
        parser.error(f"unknown operation(s) {unknown}; allowed: {', '.join(OPS)}")

    document: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "settings": {"repeat": args.repeat, "max_seconds": args.max_seconds, "ops": names},
        "scales": {},
        "results": [],
    }
    args.results.parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).mkdir(parents=True, exist_ok=True)
    scratch = Path(args.out) / f"result-{os.getpid()}.tmp.json"  # runs may share --out

    def save() -> None:
        args.results.write_text(json.dumps(document, indent=2, default=str))

    for leads in scales:
        label = scale_label(leads)
        ws = load_workspace(args.out, leads)
        if ws is None:
            print(f"[{label}] building the demo warehouse ...", file=sys.stderr, flush=True)
            prepared, _ = _child("prepare", leads, args, scratch, timeout=4 * args.timeout)
        else:
            prepared = {"status": "ok", "cached": True, **ws.to_json_dict()}
        document["scales"][label] = prepared
        save()
        unavailable = {name: OPS[name].check() for name in names}  # code may land meanwhile
        for name in names:
            op = OPS[name]
            if prepared["status"] != "ok":
                figures = {"status": "failed", "reason": f"no warehouse: {prepared['reason']}"}
            elif unavailable[name]:
                figures = {"status": "not available", "reason": unavailable[name]}
            else:
                print(f"[{label}] {name} ...", file=sys.stderr, flush=True)
                figures, _ = _child(name, leads, args, scratch)
            row = _row(op, prepared, leads, figures)
            document["results"].append(row)
            save()
            shown = table_rows([row])[0]
            print(f"[{label}] {name}: " + " | ".join(c for c in shown[2:] if c), file=sys.stderr)
    scratch.unlink(missing_ok=True)
    document["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    save()
    print_table(document["results"], document["machine"])
    print(f"results: {args.results}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
