"""Where ``refresh_results`` (the second half of ``sla import``) peaks:
``python -m bench.memprof SOURCE.duckdb COPY.duckdb [CONFIG]``.

SOURCE is copied to COPY (the source is never written), then the stored results are
computed on the copy with its RSS sampled every 100 ms beside the main thread's
innermost frames of ``analytics``. It prints the wall time, the peak and where it was,
then the highest RSS of each phase (the analytics frames under ``refresh_results``)
above 2 GB, in the order the phases peaked. The phase table of docs/performance.md's
twenty-fourth and twenty-fifth rounds is this output at 10M leads.
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
import time
import traceback

#: Seconds between two samples of the RSS.
INTERVAL = 0.1
#: Phases whose highest RSS is below this are not printed (bytes).
SHOWN_FROM = 2e9


def _stack(frame: object) -> list[str]:
    """``file:function:line`` of the analytics frames of ``frame``'s stack, outermost first."""
    if frame is None:
        return []
    return [
        f"{os.path.basename(f.filename)}:{f.name}:{f.lineno}"
        for f in traceback.extract_stack(frame)  # type: ignore[arg-type]
        if "/analytics/" in f.filename
    ]


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    source, copy = args[0], args[1]
    config_path = args[2] if len(args) > 2 else "data/sla.toml"
    shutil.copy(source, copy)
    import psutil

    from analytics.config import load_config
    from analytics.precompute import refresh_results

    proc = psutil.Process()
    main_id = threading.main_thread().ident
    samples: list[tuple[float, int, list[str]]] = []
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            frame = sys._current_frames().get(main_id)  # type: ignore[arg-type]
            samples.append((time.time(), proc.memory_info().rss, _stack(frame)))
            time.sleep(INTERVAL)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.time()
    out = refresh_results(copy, load_config(config_path))
    done.set()
    sampler.join()
    print("wall", round(time.time() - started, 1), "s", out["results"], "results", out["months"])
    at, rss, stack = max(samples, key=lambda s: s[1])
    print("peak", round(rss / 1e9, 2), "GB at", round(at - started, 1), "s")
    print("  " + "\n  ".join(stack[-8:]))
    phases: dict[str, tuple[int, float]] = {}
    for at, rss, stack in samples:
        key = " > ".join(s.split(":")[1] for s in stack[1:5])
        if rss > phases.get(key, (0, 0.0))[0]:
            phases[key] = (rss, at - started)
    for key, (rss, at) in sorted(phases.items(), key=lambda kv: kv[1][1]):
        if rss > SHOWN_FROM:
            print(f"{rss / 1e9:5.2f} GB {at:7.1f}s {key}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
