"""Start the app with its libraries already imported: ``python -m dashboard.serve [options]``.

``streamlit run`` imports nothing of the app until the first visitor arrives, so the first
visit after a start waits for polars, pandas, altair, DuckDB and the library to load
(about two seconds here). This launcher imports them first, in the server's own process,
then hands over to ``streamlit run dashboard/app.py`` with the options given; the pages
find them loaded. scikit-learn is left out: it costs seconds and only the scoring parts
of one page need it. ``make run`` starts the app this way.
"""

from __future__ import annotations

import sys
from pathlib import Path

APP = Path(__file__).resolve().parent / "app.py"

#: What every page's first run imports (the slowest first).
PRELOAD = (
    "pandas",
    "pandas.io.formats.style",  # st.table of a styled frame (dashboard.ui.table)
    "polars",
    "pyarrow",
    "altair",
    "duckdb",
    "analytics.review",
    "analytics.pack",
    "analytics.precompute",
    "analytics.warehouse.database",
)


def preload() -> None:
    """Import :data:`PRELOAD` (each at most once per process)."""
    import importlib

    root = str(APP.parent.parent)
    if root not in sys.path:
        sys.path.insert(0, root)
    for name in PRELOAD:
        importlib.import_module(name)
    # the Styler compiles its jinja2 templates on first use: once here, not in a first visit
    import pandas as pd

    pd.DataFrame({"x": [1]}).style.to_html()


def main(argv: list[str] | None = None) -> None:
    """``streamlit run dashboard/app.py`` with ``argv`` as its options, after :func:`preload`."""
    from streamlit.web import cli

    preload()
    sys.argv = ["streamlit", "run", str(APP), *(sys.argv[1:] if argv is None else argv)]
    sys.exit(cli.main())


if __name__ == "__main__":
    main()
