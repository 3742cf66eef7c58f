"""The app's launcher: libraries imported first, then ``streamlit run dashboard/app.py``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from dashboard import serve


def test_the_launcher_preloads_then_runs_the_app_with_the_options_given(monkeypatch) -> None:
    from streamlit.web import cli

    seen: list[list[str]] = []
    monkeypatch.setattr(cli, "main", lambda: seen.append(list(sys.argv)) or 0)
    monkeypatch.setattr(sys, "argv", ["serve"])
    with pytest.raises(SystemExit) as stop:
        serve.main(["--server.port", "8599"])
    assert stop.value.code == 0
    app = str(Path("dashboard/app.py").resolve())
    assert seen == [["streamlit", "run", app, "--server.port", "8599"]]


def test_preloading_imports_the_libraries_but_not_scikit_learn() -> None:
    code = (
        "import sys; from dashboard import serve; serve.preload(); "
        "print(all(m in sys.modules for m in serve.PRELOAD), 'sklearn' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "False"]
