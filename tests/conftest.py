"""Shared test settings."""

from __future__ import annotations

import os
import shutil

import pytest
from hypothesis import HealthCheck, settings

# Speed is measured in bench/, never asserted in tests: no per-example deadline. On CI
# the examples are derived from the test itself, so a run is repeatable.
settings.register_profile("dev", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile(
    "ci", deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Each test that uses a module-scoped fixture of its own module runs in that fixture's
    xdist group (``make test``'s ``--dist loadgroup``), so that the fixture (a warehouse
    imported from eight files, a demo written) is built once in the run, not once on each
    worker that happens to get one of its tests. The group is named by the fixtures the
    others build on (``warehouse`` for ``pack``, which reads it); a test marked with a
    group of its own keeps it."""
    for item in items:
        if item.get_closest_marker("xdist_group") is not None:
            continue
        module = item.nodeid.split("::", 1)[0]
        defined = {
            name: definitions[-1]
            for name, definitions in item._fixtureinfo.name2fixturedefs.items()
            if definitions[-1].scope == "module" and definitions[-1].baseid == module
        }
        roots = sorted(
            name
            for name, definition in defined.items()
            if not set(definition.argnames) & set(defined)
        )
        if roots:
            item.add_marker(pytest.mark.xdist_group(f"{module}::{'+'.join(roots)}"))


@pytest.fixture(autouse=True, scope="session")
def component_scan_once():
    """Streamlit's scan of the installed packages for components, once per test process:
    AppTest scans them again for each new app (it reads the metadata of every installed
    distribution, ~0.5 s on a 2-core host, most of a small page's test), and what is
    installed does not change while the tests run. The app itself scans once at start."""
    from streamlit.components.v2 import manifest_scanner

    scan = manifest_scanner.scan_component_manifests
    found = scan()
    manifest_scanner.scan_component_manifests = lambda max_workers=None: list(found)
    yield
    manifest_scanner.scan_component_manifests = scan


@pytest.fixture(autouse=True)
def system_temporary_folder(tmp_path_factory, monkeypatch: pytest.MonkeyPatch):
    """Each test's own system temporary folder: what the product puts there (an upload's
    copy of the originals, personal columns and all, waits there for its confirm) stays
    under pytest's base folder instead of piling up in ``/tmp``."""
    import tempfile

    folder = tmp_path_factory.mktemp("system-tmp")
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    monkeypatch.setenv("TMPDIR", str(folder))
    return folder


@pytest.fixture(autouse=True)
def background_refreshes_end_with_their_test(monkeypatch: pytest.MonkeyPatch):
    """A confirmed upload starts ``sla precompute`` in the background and does not wait
    (``dashboard.data.store_results_in_background``). A test that does not wait for it
    (:func:`results_stored_at_once` does) would leave it computing beside the next tests,
    on a warehouse in a temporary folder nobody reads again: it is stopped at the end."""
    from dashboard import data

    started = []
    start = data.store_results_in_background

    def recorded():
        started.append(start())
        return started[-1]

    monkeypatch.setattr(data, "store_results_in_background", recorded)
    yield
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium, once per test session: one per xdist worker (the browser tests
    spread over the workers; most of their time is a page settling, not CPU). Its pages
    count the app's runs (``browser_support.ProbedBrowser``)."""
    from browser_support import ProbedBrowser, skip_without_chromium

    skip_without_chromium()
    from playwright.sync_api import sync_playwright

    from bench.browser import CHROMIUM_ARGS

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        yield ProbedBrowser(chromium)
        chromium.close()


@pytest.fixture
def results_stored_at_once(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The Data page's confirmed upload stores the results in a background ``sla
    precompute``; here the page waits for it, so that a test sees one settled warehouse
    (no write still running under its assertions). Yields the exit codes, one per run."""
    from dashboard import data

    codes: list[int] = []
    start = data.store_results_in_background

    def waited():
        process = start()
        codes.append(process.wait(timeout=300))
        return process

    monkeypatch.setattr(data, "store_results_in_background", waited)
    return codes
