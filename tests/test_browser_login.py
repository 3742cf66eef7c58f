"""The login in a real browser, end to end: the app served as ``make run`` serves it,
with a login configured against a local OpenID Connect provider (``oidc-provider-mock``),
and chromium logging in as different accounts at the provider's authorize form.

- anonymous: only the login page;
- a viewer (any account the provider knows, not in ``[access] admins``): every page,
  but the Data page has no upload;
- an admin (listed in ``[access] admins``): the upload.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from browser_support import ROOT, SHOTS, served_app, skip_without_chromium, wait_for

from bench.browser import free_port

ADMIN = "erika.admin@example.org"
VIEWER = "max.viewer@example.org"
TIMEOUT_MS = 120_000

# one worker: the login provider and the app behind it are module fixtures, started once
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser-login")]


@pytest.fixture(scope="module")
def provider():
    """A local OpenID Connect provider: any client, any subject typed at its form."""
    from oidc_provider_mock import run_server_in_thread

    with run_server_in_thread(port=0) as server:
        url = f"http://localhost:{server.server_port}"
        wait_for(f"{url}/.well-known/openid-configuration")
        yield url


@pytest.fixture(scope="module")
def app_url(provider: str, tmp_path_factory: pytest.TempPathFactory):
    skip_without_chromium()
    from analytics.config import load_config
    from analytics.demo import generate_demo
    from analytics.warehouse import write_tables

    folder = tmp_path_factory.mktemp("login")
    db = folder / "warehouse.duckdb"
    cfg = load_config(ROOT / "data" / "sla.toml")
    frames = generate_demo(cfg, leads=600, seed=1, end=datetime(2026, 11, 20, tzinfo=UTC))
    write_tables(db, frames, source="login test", config=cfg)
    config = folder / "sla.toml"
    sla = (ROOT / "data" / "sla.toml").read_text(encoding="utf-8")
    config.write_text(f'{sla}\n[access]\nadmins = ["{ADMIN}"]\n', encoding="utf-8")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    secrets = folder / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "{url}/oauth2callback"\n'
        'cookie_secret = "a-test-secret-long-enough-for-a-signed-cookie"\n'
        'client_id = "sla-analytics"\n'
        'client_secret = "test-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    with served_app(db, config=config, secrets=secrets, port=port) as app:
        yield app


@pytest.fixture
def page(browser):
    """A fresh browser profile (no login cookie) per test."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    yield page
    context.close()


def heading(page) -> str:
    page.wait_for_selector('[data-testid="stMain"] h1')
    return page.locator('[data-testid="stMain"] h1').first.inner_text()


def log_in(page, app_url: str, subject: str) -> None:
    """Open the app, press "Log in" and choose ``subject`` at the provider's form."""
    page.goto(app_url, wait_until="domcontentloaded")
    assert heading(page) == "SLA Analytics: please log in"
    page.get_by_role("button", name="Log in").click()
    page.wait_for_selector('input[name="sub"]')  # the provider's authorize form
    page.fill('input[name="sub"]', subject)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{app_url}/**")
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=\"stMain\"] h1')]"
        ".some(h => h.innerText.includes('at a glance'))",
        timeout=TIMEOUT_MS,
    )


def open_data_page(page, app_url: str) -> None:
    page.goto(f"{app_url}/warehouse", wait_until="domcontentloaded")
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=\"stMain\"] h1')]"
        ".some(h => h.innerText.trim() === 'Data')",
        timeout=TIMEOUT_MS,
    )
    # the upload section is the page's last: wait until it, or the notice, is drawn
    page.wait_for_selector(
        '[data-testid="stFileUploader"], [data-testid="stAlertContentInfo"]:has-text("Read-only")'
    )


def test_anonymous_sees_only_the_login_page(app_url: str, page) -> None:
    page.goto(f"{app_url}/warehouse", wait_until="domcontentloaded")
    assert heading(page) == "SLA Analytics: please log in"
    page.get_by_role("button", name="Log in").wait_for()  # the login page's last element
    assert page.get_by_role("button", name="Log in").count() == 1
    assert page.get_by_text("Page not found").count() == 0  # a shared link opens the login
    main = page.locator('[data-testid="stMain"]').inner_text()
    assert "Import data" not in main
    assert page.locator('[data-testid="stFileUploader"]').count() == 0
    assert page.locator('[data-testid="stMetric"], .sla-tile').count() == 0  # no numbers
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "login-anonymous.png"))


def test_a_viewer_sees_the_pages_but_not_the_upload(app_url: str, page) -> None:
    log_in(page, app_url, VIEWER)
    sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
    assert f"Logged in as {VIEWER} (viewer)" in sidebar
    page.wait_for_selector(".sla-tile")  # the overview's numbers (tiles)
    open_data_page(page, app_url)
    assert page.locator('[data-testid="stFileUploader"]').count() == 0
    assert (
        "Read-only: importing is for admins" in page.locator('[data-testid="stMain"]').inner_text()
    )
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "login-viewer-data.png"))


def test_an_admin_sees_the_upload_and_can_log_out(app_url: str, page) -> None:
    log_in(page, app_url, ADMIN)
    assert f"Logged in as {ADMIN} (admin)" in page.locator('[data-testid="stSidebar"]').inner_text()
    open_data_page(page, app_url)
    assert page.locator('[data-testid="stFileUploader"]').count() == 1
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "login-admin-data.png"))
    page.get_by_role("button", name="Log out").click()
    # the provider's end-session page asks to confirm, then sends the browser back to the app
    page.get_by_role("button", name="End session").click(timeout=TIMEOUT_MS)
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=\"stMain\"] h1')]"
        ".some(h => h.innerText.includes('please log in'))",
        timeout=TIMEOUT_MS,
    )
