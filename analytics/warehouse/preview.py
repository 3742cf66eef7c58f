"""An import tried on a scratch copy first: what it would do, then confirmed or dropped.

:func:`preview_import` copies the warehouse (and its ``<db>.salt``, the salt of
personal-data hashes) into a scratch folder beside it and runs the real import there,
with the same code path as ``sla import``: the result says per table what would be
added, changed, unchanged and removed, and what would be quarantined, while the live
warehouse is not touched. :func:`confirm_preview` swaps the scratch warehouse in,
under the writers' lock, only when the live file is still the one that was copied
(same inode, size and modification time: every write of the warehouse replaces the
file); otherwise it returns False and the caller previews again.
:func:`discard_preview` removes the scratch folder.

The scratch folder is named like an import's stage folder
(``.<db>.stage-<pid>-preview-...``): one left behind by a dead process is removed by
the next import or ``sla info`` (:mod:`analytics.warehouse.leftovers`).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analytics.config import SlaConfig
from analytics.warehouse.adapters import DEFAULT_OPTIONS, CsvOptions, import_export
from analytics.warehouse.database import _fsync, _wait_for_lock
from analytics.warehouse.loader import ImportResult, NamedPath

#: (inode, size, modification time in ns) of a warehouse file; None: no file.
Fingerprint = tuple[int, int, int] | None


@dataclass(frozen=True)
class Preview:
    """An import done on a scratch copy of ``db``, waiting to be confirmed or discarded."""

    db: Path
    scratch: Path
    fingerprint: Fingerprint
    result: ImportResult

    @property
    def scratch_db(self) -> Path:
        return self.scratch / self.db.name


def fingerprint(db_path: str | Path) -> Fingerprint:
    """(inode, size, mtime in ns) of the warehouse file, or None when there is none.

    >>> fingerprint("/nonexistent/w.duckdb") is None
    True
    """
    try:
        st = os.stat(db_path)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def _copy(db: Path, target: Path) -> Fingerprint:
    """Copy the live warehouse to ``target``; the fingerprint of the file copied."""
    try:
        source = open(db, "rb")  # noqa: SIM115 - the fingerprint is of this open file
    except FileNotFoundError:
        return None
    with source, open(target, "wb") as out:
        st = os.fstat(source.fileno())
        shutil.copyfileobj(source, out, 1 << 20)
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def preview_import(
    db_path: str | Path,
    path: str | Path | NamedPath,
    *,
    fmt: str = "canonical",
    mapping: str | Path | NamedPath | None = None,
    options: CsvOptions = DEFAULT_OPTIONS,
    config: SlaConfig | None = None,
    replace: bool = False,
    owner: int | None = None,
    **kwargs: Any,
) -> Preview:
    """Import ``path`` into a scratch copy of the warehouse; the live file stays as it is.

    Parameters are those of :func:`analytics.warehouse.adapters.import_export` (an
    upload's ``path`` and ``mapping`` are :class:`~analytics.warehouse.loader.NamedPath`:
    the preview and the confirmed import name its files as uploaded);
    ``owner``: the process id the scratch folder is named after (default: this one's; an
    app that previews in a child process passes its own, so that the next import keeps
    the folder while the app runs).

    Returns
    -------
    Preview
        The scratch folder and the import's result (per table added, changed, unchanged,
        removed; rejections, warnings). Confirm it with :func:`confirm_preview` or drop it
        with :func:`discard_preview`.

    Raises
    ------
    ImportFailed
        As the import would: the scratch folder is removed, nothing else was written.
    """
    db = Path(db_path).absolute()
    db.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(
        tempfile.mkdtemp(prefix=f".{db.name}.stage-{owner or os.getpid()}-preview-", dir=db.parent)
    )
    try:
        target = scratch / db.name
        taken = _copy(db, target)
        salt = Path(f"{db}.salt")
        if salt.exists():  # the same hashes as the live warehouse's
            shutil.copy2(salt, Path(f"{target}.salt"))
        result = import_export(
            target,
            path,
            fmt=fmt,
            mapping=mapping,
            options=options,
            config=config,
            replace=replace,
            **kwargs,
        )
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    return Preview(db, scratch, taken, result)


def confirm_preview(preview: Preview) -> bool:
    """Swap the previewed warehouse in, if the live one did not change since it was copied.

    Returns
    -------
    bool
        True: the live warehouse is now the previewed one (and the scratch folder is
        gone). False: another write changed the live warehouse meanwhile (nothing was
        done; preview again).
    """
    db = preview.db
    with open(db.with_name(db.name + ".lock"), "w") as lock:
        _wait_for_lock(lock, db)
        if fingerprint(db) != preview.fingerprint or not preview.scratch_db.exists():
            return False
        salt, scratch_salt = Path(f"{db}.salt"), Path(f"{preview.scratch_db}.salt")
        if scratch_salt.exists() and not salt.exists():  # made by the previewed import
            shutil.copy2(scratch_salt, salt)
            _fsync(salt)
        _fsync(preview.scratch_db)
        os.replace(preview.scratch_db, db)
        os.utime(db)  # readers that follow the modification time see a new file
        _fsync(db.parent)
    discard_preview(preview)
    return True


def discard_preview(preview: Preview) -> None:
    """Remove the scratch folder of a preview (the live warehouse is not touched)."""
    shutil.rmtree(preview.scratch, ignore_errors=True)


__all__ = ["Fingerprint", "Preview", "confirm_preview", "discard_preview", "preview_import"]
