"""First visits of two (or more) checkouts of the app, alternately, page by page.

On a shared or slow machine a page's first visit moves by more than a change to it is
worth; what resolves a change is running the old and the new code in turns, in the same
minutes, against the same warehouse. ``python -m bench.pair OLD NEW --pages ...`` opens
each page ``--runs`` times in each checkout, one after the other (a fresh server and
chromium each time, as ``app_first_visit_<page>``), and prints, per page and checkout, the
medians of the wall time, chromium's busy time (and its script, layout and style parts)
and the page's element count::

    git worktree add --detach /tmp/old <commit>
    uv run python -m bench.pair /tmp/old . --pages overview,handoffs --runs 3

The warehouse is this checkout's cached workspace of ``--scale`` (its stored results made
by this checkout's code: both sides must read them alike, which holds while the change
is in the pages). ``--results`` keeps every load's figures as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench import parse_scale
from bench.browser import BUSY_PARTS


def median_row(page: str, checkout: str, loads: list[dict[str, Any]]) -> dict[str, Any]:
    """One line of the table: a checkout's loads of a page, as medians.

    >>> split = {"script_s": 0.5, "layout_s": 0.25, "style_s": 0.1}
    >>> row = median_row("handoffs", "new", [
    ...     {"wall_s": 2.0, "task_s": 1.5, "nodes": 900, **split},
    ...     {"wall_s": 3.0, "task_s": 1.0, "nodes": 902, **split, "script_s": 0.3}])
    >>> row["wall_s"], row["task_s"], row["script_s"], row["nodes"], row["runs"]
    (2.5, 1.25, 0.4, 901.0, 2)
    """
    return {
        "page": page,
        "checkout": checkout,
        **{k: statistics.median(load[k] for load in loads) for k in MEDIANS},
        "runs": len(loads),
    }


#: The figures of a load whose median a row shows.
MEDIANS = ("wall_s", "task_s", *BUSY_PARTS, "nodes")


def first_visit(checkout: Path, page: str, env: dict[str, str]) -> dict[str, Any]:
    """One first visit of ``page`` in the app of ``checkout`` (served from its folder)."""
    from bench.browser import AppInBrowser
    from bench.ops import FIRST_VISIT_PAGES

    here = Path.cwd()
    os.chdir(checkout)  # the server runs `dashboard/app.py` of the current folder
    try:
        with tempfile.TemporaryDirectory() as tmp:
            path = "" if f"{page}.py" == FIRST_VISIT_PAGES[0] else page
            app = AppInBrowser(
                Path("dashboard/app.py"), env, page_path=path, log=Path(tmp) / "server.log"
            )
            try:
                return {
                    "wall_s": app.first_load_s,
                    "task_s": app.first_load_task_s,
                    **app.first_load_split_s,
                    "nodes": app.first_load_nodes,
                    "load": os.getloadavg()[0],
                }
            finally:
                app.close()
    finally:
        os.chdir(here)


def main(argv: list[str] | None = None) -> int:
    from bench.ops import FIRST_VISIT_PAGES, _ensure_stored_results, env_for_children
    from bench.workspace import load_workspace

    parser = argparse.ArgumentParser(
        prog="python -m bench.pair", description=__doc__.split("\n")[0]
    )
    parser.add_argument("checkouts", nargs="+", type=Path, help="folders of the app's checkouts")
    pages = ",".join(p.removesuffix(".py") for p in FIRST_VISIT_PAGES)
    parser.add_argument("--pages", default=pages, help=f"comma-separated (default: {pages})")
    parser.add_argument("--runs", type=int, default=3, help="first visits per page and checkout")
    parser.add_argument("--scale", default="1m", help="the cached workspace's scale")
    parser.add_argument("--out", default="bench/out", help="where the workspaces are cached")
    parser.add_argument("--results", type=Path, help="write every load's figures here (JSON)")
    args = parser.parse_args(argv)
    missing = [str(c) for c in args.checkouts if not (c / "dashboard" / "app.py").exists()]
    if missing:
        parser.error(f"no dashboard/app.py in {', '.join(missing)}")
    ws = load_workspace(args.out, parse_scale(args.scale), fresh=False)
    if ws is None:
        parser.error(f"no workspace of scale {args.scale} in {args.out}: run `python -m bench "
                     f"--scale {args.scale} --ops info` first")  # fmt: skip
    _ensure_stored_results(ws)
    env = env_for_children(ws)
    env["SLA_DB"], env["SLA_CONFIG"] = str(Path(ws.db).resolve()), str(Path(ws.config).resolve())
    loads: dict[str, dict[str, list[dict[str, Any]]]] = {}
    rows = []
    for page in [p.strip() for p in args.pages.split(",") if p.strip()]:
        per = loads.setdefault(page, {str(c): [] for c in args.checkouts})
        for _ in range(args.runs):
            for checkout in args.checkouts:
                per[str(checkout)].append(first_visit(checkout.resolve(), page, env))
        for checkout, done in per.items():
            rows.append(median_row(page, checkout, done))
            row = rows[-1]
            print(f"{page:14} {checkout:24} wall {row['wall_s']:.2f} s  chromium "
                  f"{row['task_s']:.2f} s (script {row['script_s']:.2f}, layout "
                  f"{row['layout_s']:.2f}, style {row['style_s']:.2f})  nodes "
                  f"{row['nodes']:.0f}  runs {row['runs']}  load {os.getloadavg()[0]:.1f}",
                  flush=True)  # fmt: skip
        if args.results:
            args.results.write_text(json.dumps({"rows": rows, "loads": loads}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
