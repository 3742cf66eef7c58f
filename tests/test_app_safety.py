"""The app is safe to share: data values never become live Markdown, and one place
(``dashboard/access.py``) decides who may see and change what.

A small demo warehouse (600 leads) whose rep and nurture-track names are hostile strings
(a link, a tracking pixel, a script, a formula) is shown page by page under AppTest: every
Markdown the app draws must hold them as escaped, literal text.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from app_support import metrics
from streamlit.testing.v1 import AppTest

from analytics.config import load_config

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "dashboard" / "app.py")
CONFIG = ROOT / "data" / "sla.toml"
END = datetime(2026, 11, 20, tzinfo=UTC)
TIMEOUT = 120

LINK = "[Bitte hier klicken](http://example.org)"
PIXEL = "![](http://example.org/pixel.png)"
SCRIPT = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://example.org")'
#: Markdown that would be live: a link (but the page's own anchors) or image, a tag, an address.
LIVE = re.compile(r"(?<!\\)\](?!\(#)\(|(?<!\\)!\[|<script|<img|(?<!\\)://")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse whose first reps and unknown nurture track carry hostile names."""
    from analytics.demo import generate_demo
    from analytics.warehouse import write_tables

    cfg = load_config(CONFIG)
    frames = generate_demo(cfg, leads=600, seed=1, end=END)
    reps = frames["reps"]
    names = dict(zip(reps["rep_id"].to_list()[:3], (LINK, SCRIPT, FORMULA), strict=True))
    frames["reps"] = reps.with_columns(
        pl.col("rep_id").replace_strict(names, default=pl.col("name")).alias("name")
    )
    enrollments = frames["nurture_enrollments"]
    assert "legacy-newsletter" in enrollments["track"].to_list()  # the demo's unknown track
    frames["nurture_enrollments"] = enrollments.with_columns(
        pl.col("track").replace("legacy-newsletter", PIXEL)
    )
    db = tmp_path_factory.mktemp("hostile") / "warehouse.duckdb"
    write_tables(db, frames, source="test", config=cfg)
    return db


def open_app(db: Path, monkeypatch: pytest.MonkeyPatch, **params: str) -> AppTest:
    monkeypatch.setenv("SLA_DB", str(db))
    monkeypatch.setenv("SLA_CONFIG", str(CONFIG))
    monkeypatch.delenv("SLA_READONLY", raising=False)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update(params)
    at.run()
    assert not at.exception, at.exception[0].value
    return at


def markdown_of(at: AppTest) -> list[str]:
    """Every Markdown text the page drew (body, captions, alerts, headings, help)."""
    kinds = ("markdown", "caption", "info", "warning", "error", "success", "title",
             "header", "subheader")  # fmt: skip
    texts = [str(e.value) for kind in kinds for e in getattr(at, kind)]
    texts += [str(m.help) for m in at.metric if m.help]
    return texts


@pytest.mark.parametrize("page", ["nurturing", "warehouse", "review", "overview"])
def test_hostile_names_are_literal_text_on_every_page(hostile, monkeypatch, page) -> None:
    at = open_app(hostile, monkeypatch)
    at.switch_page(f"views/{page}.py").run()
    assert not at.exception, at.exception[0].value
    texts = markdown_of(at)
    assert texts
    live = [text for text in texts if LIVE.search(text)]
    assert live == []


@pytest.mark.parametrize("page", ["nurturing", "warehouse"])
def test_an_unknown_track_named_like_a_pixel_is_shown_escaped(hostile, monkeypatch, page):
    at = open_app(hostile, monkeypatch)
    at.switch_page(f"views/{page}.py").run()
    assert any("**\\!\\[\\](http:\\/\\/example.org/pixel.png)**" in w.value for w in at.warning)


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        (LINK, "\\[Bitte hier klicken\\](http:\\/\\/example.org)"),
        (SCRIPT, "&lt;script>alert(1)&lt;/script>"),
        (FORMULA, '\\=HYPERLINK("http:\\/\\/example.org")'),
    ],
)
def test_a_rep_filter_shows_the_hostile_name_escaped_under_the_title(
    hostile, monkeypatch, name, shown
) -> None:
    from analytics.warehouse import connect_readonly

    con = connect_readonly(hostile)
    [(rep_id,)] = con.execute("SELECT rep_id FROM core.reps WHERE name = ?", [name]).fetchall()
    con.close()
    at = open_app(hostile, monkeypatch, owner=rep_id)
    assert at.selectbox(key="owner").value == rep_id
    assert any(shown in c.value for c in at.caption)
    assert not [text for text in markdown_of(at) if LIVE.search(text)]


# -- access: login, roles, read-only --------------------------------------------------------

ADMIN = "erika.admin@example.org"
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "a-test-secret-that-is-long-enough-for-the-cookie",
    "client_id": "sla-analytics",
    "client_secret": "test",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}


@pytest.fixture(scope="module")
def config_with_access(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("access") / "sla.toml"
    text = CONFIG.read_text(encoding="utf-8")
    path.write_text(f'{text}\n[access]\nadmins = ["{ADMIN}"]\n', encoding="utf-8")
    return path


def app_as(db, config, monkeypatch, user: dict | None, *, readonly: str | None = None):
    """The app with a login configured (``user`` is ``st.user``), or without (``None``)."""
    monkeypatch.setenv("SLA_DB", str(db))
    monkeypatch.setenv("SLA_CONFIG", str(config))
    if readonly is None:
        monkeypatch.delenv("SLA_READONLY", raising=False)
    else:
        monkeypatch.setenv("SLA_READONLY", readonly)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    if user is not None:
        at.secrets["auth"] = AUTH
        at.user = user
    at.run()
    assert not at.exception, at.exception[0].value
    return at


def data_page(at: AppTest) -> AppTest:
    at.switch_page("views/warehouse.py").run()
    assert not at.exception, at.exception[0].value
    assert at.title[0].value == "Data"
    return at


def test_without_a_login_one_person_may_import(hostile, config_with_access, monkeypatch):
    at = data_page(app_as(hostile, config_with_access, monkeypatch, None))
    assert len(at.get("file_uploader")) == 1
    assert not at.sidebar.button  # no logout without a login


@pytest.mark.parametrize("value", ["1", "true"])
def test_sla_readonly_hides_the_upload(hostile, config_with_access, monkeypatch, value):
    at = data_page(app_as(hostile, config_with_access, monkeypatch, None, readonly=value))
    assert not at.get("file_uploader")
    assert any("read-only (`SLA_READONLY=1`)" in i.value for i in at.info)
    assert metrics(at)  # the health figures are still there


def test_anonymous_sees_only_the_login_page(hostile, config_with_access, monkeypatch):
    at = app_as(hostile, config_with_access, monkeypatch, {"is_logged_in": False})
    assert at.title[0].value == "SLA Analytics: please log in"
    assert [b.label for b in at.button] == ["Log in"]
    assert not metrics(at) and not at.get("file_uploader") and not at.sidebar.selectbox
    with pytest.raises(ValueError, match=r"Known pages: \[.*/views/login\.py'\]"):
        at.switch_page("views/warehouse.py")  # the navigation holds the login page only


def test_with_a_login_an_invalid_config_is_shown_only_after_logging_in(
    hostile, tmp_path, monkeypatch
):
    broken = tmp_path / "sla.toml"
    broken.write_text(CONFIG.read_text(encoding="utf-8") + "\n[access]\nadmins = 7\n")
    at = app_as(hostile, broken, monkeypatch, {"is_logged_in": False})
    assert at.title[0].value == "SLA Analytics: please log in"
    assert not at.error  # neither the config's path nor its problems
    # its [access] itself is not valid: nobody is known to be an admin, nobody sees details
    at = app_as(
        hostile, broken, monkeypatch, {"is_logged_in": True, "email": ADMIN, "email_verified": True}
    )
    assert [e.value for e in at.error] == [
        "The SLA config is not valid, so the app cannot open. An admin of the SLA sees what is "
        "wrong and can fix it."
    ]


@pytest.mark.parametrize(
    ("claims", "details"),
    [
        ({"sub": "admin-1"}, True),  # the admin [access] names: the path and the problems
        ({"sub": "v-1"}, False),  # a viewer: only that it is not valid
        ({"sub": "outsider", "email": "x@evil.example", "email_verified": True}, False),
    ],
)
def test_an_invalid_configs_path_and_problems_are_for_its_admins(
    hostile, tmp_path, monkeypatch, claims, details
):
    """The problems quote the config's values (an SMTP host, recipients' addresses): an
    account [access] would deny saw them."""
    broken = tmp_path / "sla.toml"
    text = CONFIG.read_text(encoding="utf-8")
    broken.write_text(
        f'{text}\n[access]\nadmins = ["admin-1"]\nviewers = ["v-1"]\n'
        '[notify.email]\nsender = "sla@example.com"\nport = 99999\n',
        encoding="utf-8",
    )
    at = app_as(hostile, broken, monkeypatch, {"is_logged_in": True, **claims})
    shown = " ".join(e.value for e in at.error)
    assert ("notify.email.port" in shown and str(broken) in shown) is details
    assert ("notify.email.port" in shown or str(broken) in shown) is details


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("en", "the SLA config is not valid. Fix what is named below and reload the page."),
        ("de", "Die SLA-Konfiguration ist nicht gültig. Beheben Sie, was unten genannt ist"),
    ],
)
def test_an_invalid_config_is_named_in_the_chosen_language(
    hostile, tmp_path, monkeypatch, lang, said
):
    broken = tmp_path / "sla.toml"
    broken.write_text(
        CONFIG.read_text(encoding="utf-8").replace('version = "2026.2"', "version = 7", 1),
        encoding="utf-8",
    )
    monkeypatch.setenv("SLA_DB", str(hostile))
    monkeypatch.setenv("SLA_CONFIG", str(broken))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["lang"] = lang
    at.run()
    assert not at.exception, at.exception[0].value
    (shown,) = [e.value for e in at.error]
    assert shown.startswith(f"**{broken}**: ")
    assert said in shown
    assert "sla.version" in shown  # the problem names its key


def test_a_viewer_sees_every_page_but_not_the_upload(hostile, config_with_access, monkeypatch):
    viewer = {
        "is_logged_in": True,
        "email": "max@example.org",
        "email_verified": True,
        "name": "Max",
        "sub": "m-1",
    }
    at = app_as(hostile, config_with_access, monkeypatch, viewer)
    assert "at a glance" in at.title[0].value and metrics(at)
    assert any("Logged in as Max (viewer)" in c.value for c in at.sidebar.caption)
    assert [b.label for b in at.sidebar.button] == ["Log out"]
    data_page(at)
    assert not at.get("file_uploader")
    assert any("Read-only: importing is for admins" in i.value for i in at.info)


def test_an_admin_may_import(hostile, config_with_access, monkeypatch):
    admin = {
        "is_logged_in": True,
        "email": ADMIN.upper(),
        "email_verified": True,
        "name": "Erika",
        "sub": "e-1",
    }
    at = data_page(app_as(hostile, config_with_access, monkeypatch, admin))
    assert len(at.get("file_uploader")) == 1
    assert any("Logged in as Erika (admin)" in c.value for c in at.sidebar.caption)


def test_an_admin_of_a_read_only_app_may_not_import(hostile, config_with_access, monkeypatch):
    admin = {"is_logged_in": True, "email": ADMIN, "email_verified": True, "name": "Erika"}
    at = data_page(app_as(hostile, config_with_access, monkeypatch, admin, readonly="1"))
    assert not at.get("file_uploader")


def test_an_account_the_viewers_list_leaves_out_has_no_access(tmp_path, hostile, monkeypatch):
    config = tmp_path / "sla.toml"
    text = CONFIG.read_text(encoding="utf-8")
    config.write_text(f'{text}\n[access]\nadmins = ["{ADMIN}"]\nviewers = ["v-1"]\n', "utf-8")
    outsider = {
        "is_logged_in": True,
        "email": "x@example.org",
        "email_verified": True,
        "name": "[X](http://e.org)",
        "sub": "x-`7`",
    }
    at = app_as(hostile, config, monkeypatch, outsider)
    assert at.title[0].value == "No access"
    assert "**\\[X\\](http:\\/\\/e.org)**" in at.warning[0].value
    assert "(subject `x-7`)" in at.warning[0].value  # what an admin lists when not verified
    assert not metrics(at)
    at = app_as(hostile, config, monkeypatch, {"is_logged_in": True, "sub": "v-1"})
    assert metrics(at)
