"""What an analyst's notebook needs before its first metric: where the data is, what to show.

The notebooks in ``notebooks/`` run in JupyterLab (``make notebook``, working directory
``notebooks/``) and headless in the tests (``make test``). These helpers make both work
without editing a cell:

- :func:`project_root`: the checkout (the folder with ``pyproject.toml`` and ``data/``).
- :func:`warehouse_path` / :func:`config_path`: the files named by the environment
  variables ``SLA_DB`` / ``SLA_CONFIG`` (as the app and the CLI read them; a relative
  path is relative to the project root), default ``data/warehouse.duckdb`` and
  ``data/sla.toml``.
- :func:`is_interactive`: True inside a Jupyter server's kernel (JupyterLab sets
  ``JPY_SESSION_NAME``), False when nbclient executes the notebook in a test: the
  notebooks then print static tables instead of widgets.
- :func:`last_complete_month`: the month a review is usually prepared for.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from analytics.coverage import last_complete_month  # the default month everywhere

DEFAULT_DB = "data/warehouse.duckdb"
DEFAULT_CONFIG = "data/sla.toml"


def project_root(start: str | Path | None = None) -> Path:
    """The nearest folder at or above ``start`` (default: the working directory) with
    ``pyproject.toml`` and ``data/sla.toml``.

    Raises
    ------
    FileNotFoundError
        No such folder above ``start``.

    >>> (project_root("notebooks") / "data" / "sla.toml").is_file()
    True
    """
    here = Path(start if start is not None else Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "pyproject.toml").is_file() and (folder / DEFAULT_CONFIG).is_file():
            return folder
    raise FileNotFoundError(
        f"{here}: not inside the project (no folder above it has pyproject.toml and "
        f"{DEFAULT_CONFIG}); start Jupyter with `make notebook`"
    )


def _from_env(
    variable: str, default: str, root: str | Path | None, environ: Mapping[str, str] | None
) -> Path:
    env = os.environ if environ is None else environ
    path = Path(env.get(variable) or default)
    return path if path.is_absolute() else project_root(root) / path


def warehouse_path(
    *, root: str | Path | None = None, environ: Mapping[str, str] | None = None
) -> Path:
    """The warehouse file: ``$SLA_DB`` (relative to the project root), default
    ``data/warehouse.duckdb``.

    >>> warehouse_path(environ={"SLA_DB": "/tmp/w.duckdb"}).as_posix()
    '/tmp/w.duckdb'
    >>> warehouse_path(environ={}) == project_root() / "data" / "warehouse.duckdb"
    True
    """
    return _from_env("SLA_DB", DEFAULT_DB, root, environ)


def config_path(
    *, root: str | Path | None = None, environ: Mapping[str, str] | None = None
) -> Path:
    """The SLA config: ``$SLA_CONFIG`` (relative to the project root), default ``data/sla.toml``.

    >>> config_path(environ={}).is_file()
    True
    """
    return _from_env("SLA_CONFIG", DEFAULT_CONFIG, root, environ)


def is_interactive(environ: Mapping[str, str] | None = None) -> bool:
    """True in a kernel that a Jupyter server started (it sets ``JPY_SESSION_NAME``).

    >>> is_interactive({"JPY_SESSION_NAME": "notebooks/3.ipynb"}), is_interactive({})
    (True, False)
    """
    env = os.environ if environ is None else environ
    return bool(env.get("JPY_SESSION_NAME"))


__all__ = [
    "config_path",
    "is_interactive",
    "last_complete_month",
    "project_root",
    "warehouse_path",
]
