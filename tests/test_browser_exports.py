"""Real CRM exports end to end (spec/coverage.md): import, ``sla review --json``, every page
in chromium in both languages: no exception box, no verdict where the data is missing, and
at a laptop's 1280 px nothing cut off (``test_browser.OVERFLOW_JS``). A language's first page
is loaded; the others are opened from the sidebar's menu, as a user goes from page to page
(``test_browser`` loads every page of the demo on its own).

The Olist files (public data, ``../shared/data/real``) have no sales touches, no web
traffic and no amounts; X Education (same folder) has leads and their outcome only; the
HubSpot and Salesforce fixtures are small exports; the last shape is a canonical folder of
leads and lifecycle events alone. Screenshots go to
``tests/screenshots/<export>-<page>-<lang>.png`` (git-ignored) for a person to look at.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from browser_support import ROOT, SHOTS, served_app, settle
from test_browser import PAGES, PAGES_DE, lasting_overflow

from analytics.config import load_config
from analytics.coverage import KPI_GROUPS
from analytics.demo import generate_demo
from analytics.warehouse.canonical_io import write_canonical

REAL = ROOT.parent / "shared" / "data" / "real"
FIXTURES = ROOT / "tests" / "fixtures" / "exports"
#: name -> (``sla import --format``, the folder; None: built by :func:`_leads_only`)
EXPORTS = {
    "olist": ("olist", REAL),
    "xeducation": ("xeducation", REAL),
    "hubspot": ("hubspot", FIXTURES / "hubspot"),
    "salesforce": ("salesforce", FIXTURES / "salesforce"),
    "leads-only": ("canonical", None),
}
#: the laptop screen every page is shown and checked at (test_browser checks the demo at two)
LAPTOP = {"width": 1280, "height": 800}


def _leads_only(folder):
    """A canonical folder with only leads and lifecycle events (a small demo's)."""
    demo = generate_demo(load_config(ROOT / "data" / "sla.toml"), leads=300, seed=11)
    write_canonical({name: demo[name] for name in ("leads", "lifecycle_events")}, folder)
    return folder


#: The file uploader's button and size line as drawn (pages audit, finding 4: "Upload"
#: and "200MB per file • CSV, PARQUET" in English on the German Data page).
UPLOADER_WORDS = {"en": ("Upload", True), "de": ('"Hochladen"', False)}


def _uploader_words(page) -> tuple[str, bool]:
    """The uploader button's words (its text, or the German one CSS draws after it) and
    whether the size line is shown."""
    return tuple(
        page.evaluate(
            """() => {
        const zone = document.querySelector('[data-testid="stFileUploaderDropzone"]');
        const box = zone.querySelector('button [data-testid="stMarkdownContainer"]');
        const after = getComputedStyle(box, '::after').content;
        const hint = zone.querySelector('[data-testid="stFileUploaderDropzoneInstructions"]');
        return [after !== 'none' ? after : box.innerText.trim(), hint.offsetParent !== null];
    }"""
        )
    )


# no xdist group: each export serves its own warehouse, so the exports spread over the workers
pytestmark = [pytest.mark.browser]


def _sla(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "analytics.cli", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip


@pytest.mark.parametrize("export", list(EXPORTS))
def test_an_export_end_to_end_in_the_browser(export, browser, tmp_path):
    form, source = EXPORTS[export]
    source = source or _leads_only(tmp_path / "canonical")
    if not source.exists() or not any(source.iterdir()):
        pytest.skip(f"{source} is not there")
    db = tmp_path / "w.duckdb"
    imported = _sla("import", "--format", form, str(source), "--db", str(db), "--json")
    assert imported.returncode in (0, 1), imported.stderr  # 1: some rows quarantined
    reviewed = _sla("review", "--db", str(db), "--json", "--no-record")
    assert reviewed.returncode == 0, reviewed.stderr
    doc = json.loads(reviewed.stdout)
    for kpi in doc["kpis"]:
        if not all(doc["coverage"][g] for g in KPI_GROUPS[kpi["metric"]]):
            assert (kpi["value"], kpi["status"]) == (None, "no_data"), (export, kpi)
            assert kpi["reason"], (export, kpi)
    if not doc["coverage"]["handoff"]:
        assert doc["breaches"]["handoff"] is None and doc["handoff"]["missed"] is None
    if not doc["coverage"]["revenue"]:
        assert doc["volumes"]["won_revenue"] is None

    cut_off = []
    with served_app(db) as url:
        for lang, headings in (("en", PAGES), ("de", PAGES_DE)):
            page = browser.new_page(viewport=LAPTOP)
            try:
                for path in PAGES:
                    if path == "":  # the first page loads; the others are a click in the menu
                        page.goto(f"{url}/?lang={lang}", wait_until="domcontentloaded")
                    else:
                        page.locator(f'[data-testid="stSidebarNav"] a[href$="/{path}"]').click()
                    heading = page.locator("h1").filter(has_text=headings[path]).first
                    heading.wait_for(timeout=120_000)  # this page's, in this language
                    # a quarter second of quiet after the run's end: a chart still drawing
                    # then is looked at again before it counts as cut off
                    settle(page, quiet=0.25)
                    SHOTS.mkdir(parents=True, exist_ok=True)
                    page.screenshot(
                        path=str(SHOTS / f"{export}-{path or 'overview'}-{lang}.png"),
                        full_page=True,
                    )
                    if path == "warehouse":  # the uploader's own words in the language
                        assert _uploader_words(page) == UPLOADER_WORDS[lang], (export, lang)
                    errors = page.locator('[data-testid="stException"]')
                    assert errors.count() == 0, (
                        f"{export} {path} {lang}: {errors.first.inner_text()[:1000]}"
                    )
                    cut_off += [
                        f"{path or 'overview'} {lang}: {p['what']} {p['text']!r} "
                        f"({p['scroll']} > {p['client']} px)"
                        for p in lasting_overflow(page)
                    ]
            finally:
                page.close()
    assert not cut_off, f"{export} at 1280 px:\n" + "\n".join(cut_off)
