"""Shown instead of every page while a login is configured and nobody (or an account
without access) is logged in: :mod:`dashboard.access` decides."""

from __future__ import annotations

import streamlit as st

from dashboard import access, data, ui
from dashboard.i18n import t

lg = ui.lang()
# an invalid config names no roles: the login comes first, the config's problems after it
viewer = access.current() if data.config_error() is None else None
if viewer is not None and viewer.role == "denied":
    st.title(t("no_access_title", lg))
    st.warning(
        t("no_access", lg, name=ui.md(viewer.name), subject=viewer.subject.replace("`", "") or "–")
    )
    st.button(t("logout_button", lg), on_click=st.logout)
else:
    st.title(t("login_title", lg))
    st.markdown(t("login_body", lg))
    st.button(t("login_button", lg), type="primary", on_click=access.log_in)
