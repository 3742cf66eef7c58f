"""Shown instead of the SLA pages while the warehouse is missing, empty or unreadable."""

from __future__ import annotations

import streamlit as st

from dashboard import data, ui
from dashboard.i18n import t

lg = ui.lang()
state, error = data.warehouse_state()
problem = {
    "missing": t("problem_missing", lg),
    "empty": t("problem_empty", lg),
    "broken": t("problem_broken", lg, error=error),
}.get(state, "")

st.title(t("welcome_title", lg))
if state == "bad_name":  # no data can go into a file of that name: rename it first
    st.error(ui.bad_warehouse_name(error, lg))
    st.stop()
st.markdown(t("welcome_body", lg, path=data.db_path(), problem=problem))
st.markdown(
    "\n".join(
        f"{i}. {t(key, lg)}"
        for i, key in enumerate(("welcome_demo", "welcome_import", "welcome_upload"), start=1)
    )
)
st.code("make run\n# or\nuv run sla demo --leads 20000\nuv run sla import path/to/folder", "bash")
st.page_link("views/warehouse.py", label=t("nav_data", lg), icon=":material/upload:")
