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

An app's upload keeps its files for the preview in :func:`new_upload_folder` (in the
system's temporary folder, named after the warehouse). ``sla purge`` removes every
scratch copy of its warehouse and every upload folder named after it
(:func:`remove_previews`), whoever made them: a waiting preview can then no longer be
confirmed (:attr:`Preview.waiting` is False, :func:`confirm_preview` returns False).
"""

from __future__ import annotations

import fcntl
import glob
import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analytics.config import SlaConfig
from analytics.texts import render
from analytics.warehouse.adapters import DEFAULT_OPTIONS, CsvOptions, import_export
from analytics.warehouse.database import _fsync, _wait_for_lock
from analytics.warehouse.loader import ImportFailed, ImportResult, NamedPath

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

    @property
    def waiting(self) -> bool:
        """False once the scratch copy is gone (``sla purge`` removed it, or it was
        discarded): it can no longer be confirmed; preview the files again."""
        return self.scratch_db.exists()


class PreviewPurged(ImportFailed):
    """``sla purge`` removed the scratch copy while the preview's import ran in it: nothing
    was imported; preview again."""


#: Uploaded files wait for their preview's confirm in a folder of the system's temporary
#: folder named ``sla-upload-<tag>-...`` (:func:`new_upload_folder`); the originals,
#: personal columns and all.
UPLOAD_PREFIX = "sla-upload-"


#: A file in a preview's scratch folder from its start: gone when a purge removed the folder.
_MARK = ".preview"


def _scratch_prefix(db: Path, owner: int | str) -> str:
    """The name a preview's scratch folder of ``db`` starts with (``owner``: its pid)."""
    return f".{db.name}.stage-{owner}-preview-"


def _upload_prefix(db_path: str | Path) -> str:
    """The name an upload folder for the warehouse ``db_path`` starts with: its tag is a
    hash of the warehouse's real path (the same file, however it is named, gets the same).

    >>> _upload_prefix("/data/w.duckdb") == _upload_prefix("/data/../data/w.duckdb")
    True
    >>> _upload_prefix("/data/w.duckdb")[:11], len(_upload_prefix("/data/w.duckdb"))
    ('sla-upload-', 24)
    """
    tag = hashlib.sha256(os.path.realpath(db_path).encode()).hexdigest()[:12]
    return f"{UPLOAD_PREFIX}{tag}-"


def new_upload_folder(db_path: str | Path) -> Path:
    """A new folder in the system's temporary folder for the files of one upload into the
    warehouse ``db_path``, named after it (:func:`remove_previews` finds it).

    Parameters
    ----------
    db_path
        The warehouse the upload is for.

    Returns
    -------
    Path
        The new, empty folder (``<tmp>/sla-upload-<tag>-...``).
    """
    return Path(tempfile.mkdtemp(prefix=_upload_prefix(db_path)))


def remove_previews(db_path: str | Path) -> tuple[list[Path], list[Path]]:
    """Remove every preview's scratch copy of the warehouse ``db_path`` and every upload
    folder named after it (:func:`new_upload_folder`), whichever process made them.

    The caller holds the writers' lock (``sla purge``): a waiting preview is of a file
    that is gone, so it could only be confirmed wrongly (it cannot be: its scratch copy
    is gone, :func:`confirm_preview` returns False). Upload folders of the system's
    temporary folder (``TMPDIR``) of this process are found; one an app made under another
    ``TMPDIR`` is not (the app removes it an hour after its session ended).

    Parameters
    ----------
    db_path
        The warehouse file.

    Returns
    -------
    tuple[list[Path], list[Path]]
        The scratch folders removed, and the upload folders removed.
    """
    db = Path(db_path).absolute()
    scratches = sorted(db.parent.glob(glob.escape(f".{db.name}.stage-") + "*-preview-*"))
    uploads = sorted(Path(tempfile.gettempdir()).glob(_upload_prefix(db) + "*"))
    removed: tuple[list[Path], list[Path]] = ([], [])
    for found, paths in zip(removed, (scratches, uploads), strict=True):
        for path in paths:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
                found.append(path)
    return removed


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
        :class:`PreviewPurged` (an ImportFailed) when ``sla purge`` removed the scratch
        copy while the import ran in it (preview again).
    """
    db = Path(db_path).absolute()
    db.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(
        tempfile.mkdtemp(prefix=_scratch_prefix(db, owner or os.getpid()), dir=db.parent)
    )
    try:
        (scratch / _MARK).touch()
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
    except Exception as exc:
        purged = _purged_meanwhile(db, scratch, wait=not isinstance(exc, ImportFailed))
        shutil.rmtree(scratch, ignore_errors=True)
        if purged:  # DuckDB's error names the scratch copy that is gone: say what happened
            raise PreviewPurged(render("import.preview_purged", db=db.name)) from exc
        raise
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    if _purged_meanwhile(db, scratch, wait=False):  # and the import made the folder anew
        shutil.rmtree(scratch, ignore_errors=True)
        raise PreviewPurged(render("import.preview_purged", db=db.name))
    return Preview(db, scratch, taken, result)


def _purged_meanwhile(db: Path, scratch: Path, *, wait: bool) -> bool:
    """Whether a purge removed the scratch folder of a preview of ``db`` (or is removing
    it): its :data:`_MARK` is gone (the import may have made the folder anew). The purge
    does so holding the writers' lock: with ``wait`` (an error the import does not make
    itself, such as DuckDB's on a file gone), a mark still there is looked at again once
    another writer holding the lock is done."""
    if not (scratch / _MARK).exists():
        return True
    if not wait:
        return False
    with open(db.with_name(db.name + ".lock"), "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:  # a writer is at work: a purge, perhaps removing it now
            _wait_for_lock(lock, db)
    return not (scratch / _MARK).exists()


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
        rescrubbed = preview.result.privacy
        if rescrubbed is not None and rescrubbed.renamed:
            # the previewed import brought the warehouse to today's privacy rules: the
            # send log and model cards beside the live file take the ids' hashes too
            from analytics.warehouse.rescrub import rename_beside

            rename_beside(db, rescrubbed)
    discard_preview(preview)
    return True


def discard_preview(preview: Preview) -> None:
    """Remove the scratch folder of a preview (the live warehouse is not touched)."""
    shutil.rmtree(preview.scratch, ignore_errors=True)


__all__ = [
    "UPLOAD_PREFIX",
    "Fingerprint",
    "Preview",
    "PreviewPurged",
    "confirm_preview",
    "discard_preview",
    "new_upload_folder",
    "preview_import",
    "remove_previews",
]
