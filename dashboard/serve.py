"""Start the app with its libraries already imported: ``python -m dashboard.serve [options]``.

``streamlit run`` imports nothing of the app until the first visitor arrives, so the first
visit after a start waits for polars, pandas, altair, DuckDB and the library to load
(about two seconds here). This launcher imports them first, in the server's own process,
then hands over to ``streamlit run dashboard/app.py`` with the options given; the pages
find them loaded. scikit-learn is left out: it costs seconds and only the scoring parts
of one page need it. ``make run`` starts the app this way.

Before the server listens it also fills the caches every first visit reads
(:func:`dashboard.data.warm_up`: the connection, the month list, the sidebar's values, the
default month's stored results), and it starts Streamlit without its file watcher
(``server.fileWatcherType none``, unless the options say otherwise): after every run,
a fragment's too, the watcher walks all loaded modules' files (about 0.2 s of the server's
CPU with this app's libraries), and a running app never edits its own source.
``streamlit run dashboard/app.py`` (for development) keeps watching and reloading.
"""

from __future__ import annotations

import contextlib
import gc
import sys
from collections.abc import Iterator
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
    # what the pages' first runs import besides (found with AppTest, page by page)
    "dashboard.data",
    "dashboard.ui",
    "dashboard.access",
    "analytics.alerts",
    "analytics.definitions",
    "analytics.scoring",
    "analytics.warehouse.config_history",
    "analytics.warehouse.coverage_store",
    "analytics.warehouse.loader",
    "analytics.warehouse.notifications",
    "analytics.warehouse.privacy",
    "analytics.warehouse.validate",
    "narwhals._polars.namespace",  # altair's chart of a polars frame
    "narwhals._interchange.series",
    "PIL.Image",  # st.set_page_config's emoji icon
)
#: Options the launcher adds unless given (see the module's docstring).
DEFAULTS = {"server.fileWatcherType": "none"}


def preload() -> None:
    """Import :data:`PRELOAD` (each at most once per process)."""
    import importlib

    root = str(APP.parent.parent)
    if root not in sys.path:
        sys.path.insert(0, root)
    with _no_runtime_warnings():
        for name in PRELOAD:
            importlib.import_module(name)
    # the Styler compiles its jinja2 templates on first use: once here, not in a first visit
    import pandas as pd

    pd.DataFrame({"x": [1]}).style.to_html()
    # Streamlit's first element of a process asks whether it runs in a REPL by walking the
    # script thread's stack with inspect.stack() (it reads the source of every frame); the
    # answer here is no, so the first visit need not ask (a private flag: harmless if gone)
    from streamlit import delta_generator

    if hasattr(delta_generator, "_use_warning_has_been_displayed"):
        delta_generator._use_warning_has_been_displayed = True


def warm_up() -> list[str]:
    """:func:`dashboard.data.warm_up` outside a session (Streamlit's caches are the
    process's, so the first visitor finds them filled); a failure only means a colder first
    visit, never a server that does not start."""
    with _no_runtime_warnings():
        try:
            from dashboard import data

            return data.warm_up()
        except Exception as exc:  # the app's first run shows what is wrong
            print(f"dashboard.serve: no warm-up ({type(exc).__name__}: {exc})", file=sys.stderr)
            return []


@contextlib.contextmanager
def _no_runtime_warnings() -> Iterator[None]:
    """Without Streamlit's warning that no runtime exists yet (at every ``st.cache_data``,
    defined or called, before the server starts). A filter, not a level: reading
    Streamlit's config on the first call resets its loggers' levels."""
    import logging

    quiet = logging.getLogger("streamlit.runtime.caching.cache_data_api")
    hush = logging.Filter("nothing")  # passes no record of that logger
    quiet.addFilter(hush)
    try:
        yield
    finally:
        quiet.removeFilter(hush)


def with_defaults(options: list[str]) -> list[str]:
    """``options`` plus each of :data:`DEFAULTS` that they do not set.

    >>> with_defaults(["--server.port", "8501"])
    ['--server.port', '8501', '--server.fileWatcherType', 'none']
    >>> with_defaults(["--server.fileWatcherType=auto"])
    ['--server.fileWatcherType=auto']
    """
    given = {o.removeprefix("--").split("=", 1)[0] for o in options if o.startswith("--")}
    added = [[f"--{k}", v] for k, v in DEFAULTS.items() if k not in given]
    return [*options, *(x for pair in added for x in pair)]


def main(argv: list[str] | None = None) -> None:
    """``streamlit run dashboard/app.py`` with ``argv`` as its options, after :func:`preload`."""
    from streamlit.web import cli

    preload()
    warm_up()
    # Streamlit runs a full gc.collect(2) after every script run, fragment runs included
    # (runner.postScriptGC): over the ~150,000 objects the preload and the warm-up leave,
    # that is about 60 ms a run. They live as long as the server, so the collector may
    # skip them (objects made later are still collected).
    gc.freeze()
    options = with_defaults(sys.argv[1:] if argv is None else argv)
    sys.argv = ["streamlit", "run", str(APP), *options]
    sys.exit(cli.main())


if __name__ == "__main__":
    main()
