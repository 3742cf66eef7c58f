"""Shown instead of every page while a login is configured and nobody (or an account
without access) is logged in: :mod:`dashboard.access` decides."""

from __future__ import annotations

import streamlit as st

from dashboard import access, ui
from dashboard.i18n import t

lg = ui.lang()
viewer = access.current()
if viewer.role == "denied":
    st.title(t("no_access_title", lg))
    st.warning(t("no_access", lg, name=ui.md(viewer.name)))
    st.button(t("logout_button", lg), on_click=st.logout)
else:
    st.title(t("login_title", lg))
    st.markdown(t("login_body", lg))
    st.button(t("login_button", lg), type="primary", on_click=access.log_in)
