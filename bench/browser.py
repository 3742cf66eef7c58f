"""The app in a real browser, for the benchmarks: the wait a user sees, not AppTest's.

:class:`AppInBrowser` starts the app as ``make run`` does (``python -m dashboard.serve``:
``streamlit run dashboard/app.py`` with its libraries imported first; headless, a free port
on 127.0.0.1, its own process group) against the workspace's warehouse, opens one page
with Playwright and Debian's chromium, and waits until the first load has finished and
Streamlit is idle (untimed). A timed step is a key press (an arrow key on the focused
threshold slider, or ``r`` for Streamlit's rerun) until the page shows the result and
Streamlit is idle again. A script probe, installed before the page loads, counts the
runs that end (``data-test-script-state`` of ``stApp`` back to ``notRunning``) and notes
when a key went down, so a step waits for *a new run* that has ended, not for an idle
state seen before the server heard of the key.

Everything it starts (server, browser) is stopped by :meth:`AppInBrowser.close`, also
when the benchmark fails half-way or the object is dropped: no orphans are left behind.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: Debian's chromium under Playwright (never ``playwright install``: it downloads a browser).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: Waits longer than this fail the operation (the first load at 1M leads precomputes).
LOAD_TIMEOUT_S = 1800.0
STEP_TIMEOUT_S = 120.0
#: The page counts as settled when Streamlit was idle this long with nothing left to draw.
QUIET_S = 0.5

#: Counts the runs that ended, from Streamlit's own messages: the page's ``WebSocket`` is
#: wrapped, and every ``ForwardMsg`` whose ``session_status_changed`` (field 9) says the
#: script is no longer running (``script_is_running``, field 2, absent or false) ends a
#: run, a fragment's run included. (The ``data-test-script-state`` attribute is not
#: enough: a quick fragment run can start and end within one React render, and the
#: attribute never leaves ``notRunning``.) ``leftAt`` is the first message the page sends
#: after the key, ``endAt`` the arrival of the run's end.
PROBE = """
(() => {
  const probe = {ends: 0, endsAtKey: 0, keyAt: null, leftAt: null, endAt: null};
  window.__slaBench = probe;
  const fields = function* (b, start, end) {  // (field, wire type, value or [from, to])
    let i = start;
    const varint = () => {
      let value = 0, shift = 0, byte;
      do { byte = b[i++]; value += (byte & 0x7f) * 2 ** shift; shift += 7; }
      while (byte & 0x80 && i < end);
      return value;
    };
    while (i < end) {
      const tag = varint(), field = Math.floor(tag / 8), wire = tag % 8;
      if (wire === 0) yield [field, wire, varint()];
      else if (wire === 2) { const n = varint(); yield [field, wire, [i, i + n]]; i += n; }
      else if (wire === 1) i += 8;
      else if (wire === 5) i += 4;
      else return;
    }
  };
  const SESSION_STATUS = 9, SCRIPT_IS_RUNNING = 2;
  const seen = (buffer) => {
    const b = new Uint8Array(buffer);
    for (const [field, wire, value] of fields(b, 0, b.length)) {
      if (field !== SESSION_STATUS || wire !== 2) continue;
      let running = false;
      for (const [inner, innerWire, flag] of fields(b, value[0], value[1])) {
        if (inner === SCRIPT_IS_RUNNING && innerWire === 0) running = flag === 1;
      }
      if (!running) { probe.ends += 1; probe.endAt = performance.now(); }
    }
  };
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (event) => {
        if (event.data instanceof ArrayBuffer) seen(event.data);
        else if (event.data instanceof Blob) event.data.arrayBuffer().then(seen);
      });
    }
    send(data) {
      if (probe.keyAt !== null && probe.leftAt === null) probe.leftAt = performance.now();
      return super.send(data);
    }
  };
  const started = () => {
    probe.keyAt = performance.now();
    probe.endsAtKey = probe.ends;
    probe.leftAt = null;
  };
  window.addEventListener('keydown', started, true);
  window.addEventListener('pointerdown', started, true);  // a click in the sidebar's menu
})();
"""
#: Streamlit is idle after a run that ended since the key went down.
_IDLE = """
(() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return app !== null && app.getAttribute('data-test-script-state') === 'notRunning'
    && window.__slaBench.ends > window.__slaBench.endsAtKey;
})()
"""
#: What a page shows while it is not done: the running man, skeletons, stale elements.
_BUSY = '[data-testid="stStatusWidget"], [data-testid="stSkeleton"], [data-stale="true"]'
#: A run has ended (since the last key or click, if any: the run it started) and nothing
#: is drawing: when (page clock, ms) and after how many runs.
_SETTLED = f"""
() => {{
  const app = document.querySelector('[data-testid="stApp"]');
  const probe = window.__slaBench;
  const idle = app !== null && app.getAttribute('data-test-script-state') === 'notRunning'
    && probe.ends > probe.endsAtKey && document.querySelector('{_BUSY}') === null;
  return idle && {{at: performance.now(), ends: window.__slaBench.ends}};
}}
"""
#: The page's numbers: every ``st.metric`` and every tile of ``dashboard.ui.tiles``.
_METRICS = """
[...document.querySelectorAll('[data-testid="stMetric"], .sla-tile')]
  .map((e) => e.innerText).join(' | ')
"""
_SLIDER = '[data-testid="stSlider"]'


def browser_missing() -> str | None:
    """Why the browser operations cannot run here (None when they can)."""
    if shutil.which("chromium") is None:
        return "Debian's chromium is not installed (`make chromium`)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed in this environment"
    return None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (now)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def peak_rss_mb(pid: int) -> float:
    """The peak resident memory (``VmHWM``) of a live process, in MB (0 once it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)  # KiB
    except (OSError, ValueError):
        pass
    return 0.0


def note(text: str) -> None:
    """A progress line on stderr (the benchmark keeps it in the log of a failed operation)."""
    print(f"[browser {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def _exit_on_sigterm(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)  # unwinds, so that the server and the browser are stopped


class _Processes:
    """What :class:`AppInBrowser` started; ``close`` stops all of it (idempotent)."""

    def __init__(self) -> None:
        self.server: subprocess.Popen[bytes] | None = None
        self.playwright: Any = None
        self.browser: Any = None
        self.closed = False
        self.sigterm: Any = None
        if threading.current_thread() is threading.main_thread():
            self.sigterm = signal.signal(signal.SIGTERM, _exit_on_sigterm)

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        if self.sigterm is not None:
            signal.signal(signal.SIGTERM, self.sigterm)
        import psutil

        try:
            started = psutil.Process().children(recursive=True)
        except psutil.Error:
            started = []
        for stop in (
            lambda: self.browser and self.browser.close(),
            lambda: self.playwright and self.playwright.stop(),
        ):
            with contextlib.suppress(Exception):
                stop()
        if self.server is not None and self.server.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.server.pid, signal.SIGTERM)  # the server and anything it started
            try:
                self.server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.server.pid, signal.SIGKILL)
                self.server.wait()
        for process in started:  # whatever is left (a browser that did not close)
            with contextlib.suppress(psutil.Error):
                process.kill()


#: The parts of chromium's busy time a first visit records, by the key it reports them
#: under: running scripts, laying out, recalculating styles (CDP performance counters).
BUSY_PARTS = {"script_s": "ScriptDuration", "layout_s": "LayoutDuration",
              "style_s": "RecalcStyleDuration"}  # fmt: skip


def wait_settled(
    page: Any,
    timeout: float,
    *,
    quiet: float = QUIET_S,
    server_log: Callable[[], str] = lambda: "",
) -> tuple[float, float]:
    """Wait until a run has ended, nothing is drawing and the page stayed so for ``quiet``
    seconds (the page needs :data:`PROBE`, installed before it loaded); the moment the
    quiet began, in seconds on the page's clock (since the navigation started), and when
    this process saw it (``time.monotonic``). The page checks at every animation frame (as
    the timed steps do), so the moment is not rounded up to a poll from this process.

    Raises
    ------
    RuntimeError
        The app drew an exception, or the page did not settle within ``timeout`` seconds
        (its script state, its busy elements and ``server_log()`` said).
    """
    deadline = time.monotonic() + timeout
    while True:
        raise_app_error(page)
        left = deadline - time.monotonic()
        if left <= 0:
            break
        try:  # in slices, so that an exception on the page fails fast
            seen = page.wait_for_function(_SETTLED, polling="raf", timeout=min(left, 2.0) * 1000)
        except Exception:  # playwright's TimeoutError: not settled yet
            continue
        first = seen.json_value()
        seen_at = time.monotonic()
        time.sleep(quiet)
        again = page.evaluate(_SETTLED)
        if again and again["ends"] == first["ends"]:  # no run in between, still idle
            raise_app_error(page)
            return first["at"] / 1000, seen_at
    state = page.evaluate(
        "() => document.querySelector('[data-testid=\"stApp\"]')"
        "?.getAttribute('data-test-script-state')"
    )
    raise RuntimeError(
        f"the page did not settle within {timeout:g} s (script state {state}, "
        f"{page.locator(_BUSY).count()} busy elements); server: {server_log()}"
    )


def raise_app_error(page: Any) -> None:
    """Fail with the first exception box the app drew, if any."""
    errors = page.locator('[data-testid="stException"]')
    if errors.count():
        raise RuntimeError(f"the app raised: {errors.first.inner_text()[:500]}")


class AppInBrowser:
    """``streamlit run`` of ``app`` plus a chromium page on ``page_path``, loaded and idle.

    Parameters
    ----------
    app : Path
        The app's entry point (``dashboard/app.py``), run from the current folder.
    env : dict
        The server's environment (``SLA_DB``, ``SLA_CONFIG``).
    page_path : str
        The page's URL path (``qualification``); ``?lang=en`` is added.
    log : Path
        Where the server's output goes (its tail explains a failure).
    """

    def __init__(self, app: Path, env: dict[str, str], *, page_path: str, log: Path) -> None:
        self._procs = _Processes()
        self._finalizer = weakref.finalize(self, self._procs.close)
        self.log = log
        self.page: Any = None
        #: How the server was started: ``dashboard.serve`` (as ``make run``) or ``streamlit``.
        self.started_by = "streamlit"
        try:
            self.url = self._start_server(app, env, log)
            self._open(f"{self.url}/{page_path}?lang=en")
        except BaseException:
            self.close()
            raise

    # -- start and stop ------------------------------------------------------------------

    def _start_server(self, app: Path, env: dict[str, str], log: Path) -> str:
        port = free_port()
        # as `make run` starts it: the app's libraries imported before the server listens
        launcher = Path(app).resolve() == Path("dashboard/app.py").resolve()
        command = [sys.executable, "-m", "dashboard.serve"] if launcher else []
        command = command or [sys.executable, "-m", "streamlit", "run", str(app)]
        self.started_by = command[2]
        command += ["--server.headless", "true", "--server.address", "127.0.0.1"]
        command += ["--server.port", str(port), "--browser.gatherUsageStats", "false"]
        with open(log, "wb") as out:
            self._procs.server = subprocess.Popen(
                command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            health = f"{url}/_stcore/health"
            with contextlib.suppress(OSError), urllib.request.urlopen(health, timeout=2) as answer:
                if answer.status == 200:
                    return url
            if self._procs.server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not start: {self.server_log_tail()}")
            time.sleep(0.2)

    def _open(self, url: str) -> None:
        from playwright.sync_api import sync_playwright

        self._procs.playwright = sync_playwright().start()
        self._procs.browser = self._procs.playwright.chromium.launch(
            executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS
        )
        self.page = self._procs.browser.new_page(viewport={"width": 1600, "height": 1000})
        self.page.add_init_script(PROBE)
        # chromium's own account of the load (its main thread's busy time), less bent by
        # a busy machine than the wall clock
        cdp = self.page.context.new_cdp_session(self.page)
        cdp.send("Performance.enable")
        note(f"opening {url}")
        started = time.monotonic()
        self.page.goto(url, wait_until="domcontentloaded")
        done_at, seen_at = self.settle(LOAD_TIMEOUT_S)
        counters = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
        #: Seconds chromium's main thread was busy (script, style, layout, paint) until the
        #: first visit settled (CDP ``TaskDuration``).
        self.first_load_task_s = round(counters.get("TaskDuration", 0.0), 4)
        #: Where that busy time went (:data:`BUSY_PARTS`); the rest is painting, parsing
        #: and the browser's own work.
        self.first_load_split_s = {
            key: round(counters.get(counter, 0.0), 4) for key, counter in BUSY_PARTS.items()
        }
        #: The elements the page holds once settled: what chromium had to build and draw.
        self.first_load_nodes = int(self.page.evaluate("document.getElementsByTagName('*').length"))
        #: The first visit, as the steps are timed: on this process's clock, from before
        #: ``goto`` until it saw the page done and idle (checked by the page at every
        #: animation frame, so not rounded up to a poll from here).
        self.first_load_s = round(seen_at - started, 4)
        #: The same on the page's own clock (``performance.now()``, since the navigation
        #: started): without the round trips to the browser.
        self.first_load_page_s = round(done_at, 4)
        note(f"loaded and idle after {self.first_load_s:.2f} s")

    def close(self) -> None:
        """Stop the browser and the server's whole process group (idempotent)."""
        self._finalizer()

    def server_log_tail(self, lines: int = 8) -> str:
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return "(no server log)"
        return " | ".join(text.strip().splitlines()[-lines:])

    # -- waiting -------------------------------------------------------------------------

    def settle(self, timeout: float) -> tuple[float, float]:
        """:func:`wait_settled` on the page, the server's last words on a timeout."""
        return wait_settled(self.page, timeout, server_log=self.server_log_tail)

    def raise_app_error(self) -> None:
        raise_app_error(self.page)

    def press(
        self, key: str, *, slider_value: int | None = None, metrics: str | None = None
    ) -> dict[str, float]:
        """Press ``key`` and wait for the run it starts to end; where the time went.

        Returns seconds as the page measured them: ``page_s`` from the key going down to
        the page showing the result, split into ``frontend_s`` (until the page sent its
        request), ``server_s`` (until the run's end arrived: the server and the network)
        and ``draw_s`` (until the page had drawn it all and showed the new numbers).

        ``slider_value`` and ``metrics``, when given, must also be what the page shows then
        (the slider's value; the text of every metric, see :meth:`metrics_text`).
        """
        condition = ["(" + _IDLE.strip() + ")"]
        if slider_value is not None:
            condition.append(
                f"document.activeElement && document.activeElement.value === '{slider_value}'"
            )
        if metrics is not None:
            condition.append(f"({_METRICS.strip()}) === arg")
        return self._await_run(
            lambda: self.page.keyboard.press(key), condition, metrics, f"pressing {key!r}"
        )

    def click_page(self, title: str) -> dict[str, float]:
        """Click the page ``title`` in the sidebar's menu (no reload: Streamlit switches
        pages over its websocket) and wait for its run to end; the times as :meth:`press`."""
        link = self.page.locator('[data-testid="stSidebarNav"] a').filter(has_text=title)
        if link.count() != 1:
            raise RuntimeError(f"{link.count()} links titled {title!r} in the sidebar")
        condition = ["(" + _IDLE.strip() + ")"]
        return self._await_run(link.click, condition, None, f"clicking {title!r}")

    def nav_titles(self) -> list[str]:
        """The titles of the sidebar menu's pages, in order (without their icons' names)."""
        texts = self.page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()
        return [text.strip().splitlines()[-1].strip() for text in texts]

    def _await_run(
        self, act: Any, condition: list[str], metrics: str | None, what: str
    ) -> dict[str, float]:
        predicate = (
            "(arg) => (" + " && ".join(condition) + ") && {...window.__slaBench, "
            "doneAt: performance.now()}"
        )
        act()
        try:
            seen = self.page.wait_for_function(
                predicate, arg=metrics, polling="raf", timeout=STEP_TIMEOUT_S * 1000
            )
        except Exception as exc:
            self.raise_app_error()
            raise RuntimeError(
                f"no finished run {STEP_TIMEOUT_S:g} s after {what} "
                f"(slider {self.slider_value()}): {exc}"
            ) from exc
        probe = seen.json_value()
        key_at, asked, end, done = (probe[k] for k in ("keyAt", "leftAt", "endAt", "doneAt"))
        return {
            "page_s": round((done - key_at) / 1000, 4),
            "frontend_s": round((asked - key_at) / 1000, 4),
            "server_s": round((end - asked) / 1000, 4),
            "draw_s": round((done - end) / 1000, 4),
        }

    # -- what the page shows -------------------------------------------------------------

    def metrics_text(self) -> str:
        """The text of every ``st.metric`` and tile (``dashboard.ui.tiles``) on the page."""
        return self.page.evaluate(_METRICS)

    def focus_slider(self, label: str | re.Pattern[str]) -> dict[str, int]:
        """Focus the thumb of the slider labelled ``label``; its value, min and max."""
        slider = self.page.locator(_SLIDER).filter(has_text=label)
        if slider.count() != 1:
            raise RuntimeError(f"{slider.count()} sliders labelled {label!r} on the page")
        thumb = slider.locator('input[type="range"]')
        thumb.focus()
        return {k: int(float(thumb.get_attribute(k) or 0)) for k in ("value", "min", "max")}

    def slider_value(self) -> str | None:
        return self.page.evaluate("() => document.activeElement && document.activeElement.value")

    def focus_page(self) -> None:
        """Focus the page's main section: Streamlit's shortcuts (``r``) listen inside it."""
        self.page.locator('[data-testid="stMain"]').focus()

    # -- resources -------------------------------------------------------------------------

    def cpu_s(self) -> float:
        """CPU seconds (user + system) used so far by this process, the server and the browser.

        Live processes only: a chromium helper that ended in between takes its time along.
        """
        import psutil

        me = psutil.Process()
        total = 0.0
        for process in [me, *me.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                times = process.cpu_times()
                total += times.user + times.system
        return total

    def peak_rss(self) -> dict[str, float]:
        """Peak RSS in MB of the server, the browser (driver and chromium), this process.

        Each is the sum over its live processes of their own peaks (``VmHWM``): exact for
        the one server process, an upper bound for the browser's processes (they share
        pages and need not peak at once).
        """
        import psutil

        server = self._procs.server.pid if self._procs.server else None
        me = psutil.Process()
        figures = {"server": 0.0, "browser": 0.0, "harness": peak_rss_mb(me.pid)}
        for process in me.children(recursive=True):
            with contextlib.suppress(psutil.Error):
                in_server = process.pid == server or (
                    server is not None and os.getpgid(process.pid) == server
                )
                figures["server" if in_server else "browser"] += peak_rss_mb(process.pid)
        return {k: round(v, 1) for k, v in figures.items()}
