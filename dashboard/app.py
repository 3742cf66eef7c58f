"""SLA Analytics: the app's entry point. It only routes (``st.navigation``) and draws the sidebar.

Run with ``make run`` (builds a demo warehouse when there is none) or
``streamlit run dashboard/app.py``. The warehouse is ``$SLA_DB`` (default
``data/warehouse.duckdb``), the SLA config ``$SLA_CONFIG`` (default ``data/sla.toml``).
"""

from __future__ import annotations

import sys
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent
if str(_ROOT) not in sys.path:  # `streamlit run dashboard/app.py` puts only dashboard/ on it
    sys.path.insert(0, str(_ROOT))

import streamlit as st  # noqa: E402

from analytics.config import read_access  # noqa: E402
from dashboard import access, data, ui  # noqa: E402
from dashboard.i18n import t  # noqa: E402

st.set_page_config(page_title="SLA Analytics", page_icon=":handshake:", layout="wide")
ui.screen_style()

PAGES = Path(__file__).parent / "views"


def page(file: str, key: str, icon: str, *, default: bool = False) -> st.Page:
    return st.Page(PAGES / file, title=t(key, ui.lang()), icon=icon, default=default)


lang = ui.sidebar_language()
state, error = data.warehouse_state()
problem = data.config_error()


def login_only() -> None:
    """The login page and nothing else: every page's address leads to it (a shared link
    opens no "not found")."""
    login = st.navigation(
        [page("login.py", "nav_login", ":material/login:", default=True)]
        + [
            st.Page(PAGES / "login.py", title=t("nav_login", lang), url_path=view.stem)
            for view in sorted(PAGES.glob("*.py"))
            if view.stem != "login"
        ],
        position="hidden",
    )
    ui.sync_url(filters=False)
    login.run()
    st.stop()


if problem is not None:
    # the config names who may see what: with a login, its path and problems are for the
    # admins its [access] names (read alone); the others learn only that it is not valid
    if access.login_configured():
        if not st.user.is_logged_in:
            login_only()
        rules = read_access(data.config_path())
        role = access.role_of(st.user.to_dict(), rules) if rules is not None else "denied"
        if role != "admin":  # no path, no problem text (they quote the config's values)
            st.error(t("config_invalid_ask_admin", lang))
            st.stop()
    st.error(f"{t('config_invalid_admin', lang, path=data.config_path())}\n\n```\n{problem}\n```")
    st.stop()

viewer = access.current()  # the one place that decides who sees and does what
if not viewer.may_see:  # anonymous, or an account without access: the login page only
    login_only()
access.sidebar_account(viewer, lang)

if state != "ok":
    nav = st.navigation(
        [
            page("welcome.py", "nav_welcome", ":material/rocket_launch:", default=True),
            page("warehouse.py", "nav_data", ":material/database:"),
        ]
    )
else:
    ui.sidebar_filters()
    nav = st.navigation(
        {
            "": [page("overview.py", "nav_overview", ":material/dashboard:", default=True)],
            t("section_sla", lang): [
                page("goals.py", "nav_goals", ":material/flag:"),
                page("definitions.py", "nav_definitions", ":material/menu_book:"),
                page("qualification.py", "nav_qualification", ":material/tune:"),
                page("handoffs.py", "nav_handoffs", ":material/swap_horiz:"),
                page("nurturing.py", "nav_nurturing", ":material/spa:"),
                page("management.py", "nav_management", ":material/call:"),
                page("kpis.py", "nav_kpis", ":material/monitoring:"),
            ],
            t("section_meeting", lang): [
                page("at_risk.py", "nav_at_risk", ":material/alarm:"),
                page("review.py", "nav_review", ":material/event_note:"),
                page("warehouse.py", "nav_data", ":material/database:"),
            ],
        }
    )
ui.sync_url(filters=state == "ok")
nav.run()
