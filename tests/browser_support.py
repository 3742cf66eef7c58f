"""What the real-browser tests share: the app served as ``make run`` serves it, Debian's
chromium, and waiting until a page has settled.

The fixture ``browser`` lives in ``conftest.py`` (one chromium per test process); the
server is a context manager because the tests start it with different warehouses, configs
and secrets.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.browser import PROBE, free_port, wait_settled

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "tests" / "screenshots"
DEFAULT_CONFIG = ROOT / "data" / "sla.toml"


def skip_without_chromium() -> None:
    """Skip the calling test when Debian's chromium is missing (``make test`` installs it)."""
    if shutil.which("chromium") is None:
        pytest.skip("Debian's chromium is not installed (`make test` installs it)")


def wait_for(url: str, proc: subprocess.Popen | None = None, seconds: float = 60) -> None:
    """Poll ``url`` until it answers 200; fail with the server's last words if it died."""
    deadline = time.monotonic() + seconds
    while True:
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as answer:
            if answer.status == 200:
                return
        if (proc is not None and proc.poll() is not None) or time.monotonic() > deadline:
            tail = proc.stderr.read().decode()[-2000:] if proc is not None else ""
            raise RuntimeError(f"{url} did not answer: {tail}")
        time.sleep(0.3)


@contextlib.contextmanager
def served_app(
    db: Path,
    *,
    config: Path = DEFAULT_CONFIG,
    secrets: Path | None = None,
    port: int | None = None,
) -> Iterator[str]:
    """The app on ``db`` at a free local port, started as ``make run`` starts it
    (``python -m dashboard.serve``: its libraries and caches loaded before the server
    listens, no file watcher; a plain ``streamlit run`` would walk every loaded module's
    file after each run, a fifth of the server's CPU in these tests).

    Parameters
    ----------
    db, config:
        The warehouse and the SLA config (``SLA_DB``, ``SLA_CONFIG``).
    secrets:
        A ``secrets.toml`` (e.g. an ``[auth]`` login), or None.
    port:
        The port, when the caller needs the URL beforehand (a login's redirect URI);
        a free one otherwise.

    Yields the base URL once the server is healthy; stops the server afterwards.
    """
    port = port or free_port()
    env = {**os.environ, "SLA_DB": str(db), "SLA_CONFIG": str(config)}
    env.pop("SLA_READONLY", None)
    command = [sys.executable, "-m", "dashboard.serve",
               "--server.headless", "true", "--server.address", "127.0.0.1",
               "--server.port", str(port), "--browser.gatherUsageStats", "false"]  # fmt: skip
    if secrets is not None:
        command += ["--secrets.files", str(secrets)]
    proc = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{url}/_stcore/health", proc)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


class ProbedBrowser:
    """Chromium whose every page counts the app's runs (:data:`bench.browser.PROBE`, as
    the benchmarks' pages do), so that :func:`settle` waits for a run's end, not a time."""

    def __init__(self, browser) -> None:
        self._browser = browser
        self._tabs = None

    def new_page(self, *, viewport: dict[str, int] | None = None):
        """A tab of one window shared by this browser's pages, as a user opens the app's
        pages: the app's scripts come from its cache after the first load (half a second
        less a load). A test that needs a user of its own (a login) takes a context."""
        if self._tabs is None:
            self._tabs = self.new_context()
        page = self._tabs.new_page()
        if viewport is not None:
            page.set_viewport_size(viewport)
        return page

    def new_context(self, **options):
        context = self._browser.new_context(**options)
        context.add_init_script(PROBE)
        return context

    def __getattr__(self, name: str):
        return getattr(self._browser, name)


def settle(page, timeout: float = 120.0, quiet: float = 0.5) -> None:
    """Wait until the page has its heading, the app's run has ended, nothing is drawing
    and the page stayed so for ``quiet`` seconds (:func:`bench.browser.wait_settled`: the
    page must come from :class:`ProbedBrowser`); fail naming the page if the app drew an
    exception or never settled."""
    page.wait_for_selector("h1", timeout=timeout * 1000)
    try:
        wait_settled(page, timeout, quiet=quiet)
    except RuntimeError as error:
        raise AssertionError(f"{page.url}: {error}") from None
