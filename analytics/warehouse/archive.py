"""A ZIP archive of an export, read as the folder of its files.

Salesforce's Data Export (Setup > Data Export) delivers every object as a CSV in one
``.zip``, and HubSpot sends an export of several objects as one; ``sla import`` and the
Data page's upload take the archive as it was downloaded. Its files are written to a
scratch folder (removed when the import ends, also when it fails; beside the warehouse,
as the import's stage folder, so that the next command removes what a killed import
left: :mod:`analytics.warehouse.leftovers`) and named as in the archive:
``WE_00D..._1.zip/Lead.csv``.
"""

from __future__ import annotations

import os
import tempfile
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from analytics.warehouse.loader import (
    TABLE_SUFFIXES,
    ImportFailed,
    NamedPath,
    check_regular_file,
)

#: What an archive may be.
ARCHIVE_SUFFIXES = (".zip",)
#: The files of an archive a format may read. The others (a Data Export's attachments, a
#: README) are not unpacked: an empty file of their name stands for them, so that the
#: import names them as not read, and none of their bytes is written. A canonical table's
#: suffixes: every format's files are among them.
READ_SUFFIXES = TABLE_SUFFIXES
#: The most an archive may expand to: this many times its own size, and at least
#: :data:`MIN_EXPANDED_BYTES` (CSV compresses about tenfold; a ZIP bomb a millionfold).
MAX_EXPANSION = 100
MIN_EXPANDED_BYTES = 1 << 30


def is_archive(path: str | Path | NamedPath) -> bool:
    """Whether ``path`` names a ZIP archive (by its suffix; a folder never is one)."""
    return Path(path).suffix.lower() in ARCHIVE_SUFFIXES and not Path(path).is_dir()


@contextmanager
def expanded(
    path: str | Path | NamedPath, *, beside: str | Path | None = None
) -> Iterator[str | Path | NamedPath]:
    """``path`` as it is, or, for a ZIP archive, a scratch folder of its files.

    The folder holds the archive's files, each by its name without the folders it sits in
    (an archive of a folder reads as that folder); hidden entries and a Mac's
    ``__MACOSX`` copies are left out, and a file no format reads is an empty stand-in
    (:data:`READ_SUFFIXES`). It is a :class:`NamedPath` that names the archive as
    ``path`` is named and each file in it after the archive (``export.zip/Lead.csv``),
    removed when the ``with`` block ends. Each file keeps its time in the archive (X
    Education's rows are dated by the file's day). With ``beside`` (the warehouse the
    import writes) the folder is a stage folder of it (``.<db>.stage-<pid>-archive-*``),
    which the next command removes should the import be killed; else it is in the
    system's temporary folder.

    Raises
    ------
    ImportFailed
        The archive cannot be read or is encrypted, holds no file, holds two files of one
        name, or expands beyond :data:`MAX_EXPANSION` times its size (a ZIP bomb).

    >>> d = Path(tempfile.mkdtemp())
    >>> with zipfile.ZipFile(d / "export.zip", "w") as z:
    ...     z.writestr("export/Lead.csv", "Id\\n00Q1\\n")
    ...     z.writestr("__MACOSX/export/._Lead.csv", "")
    >>> with expanded(d / "export.zip") as folder:
    ...     names = sorted(p.name for p in Path(folder).iterdir())
    ...     shown = folder.shown(f"{folder.path}/Lead.csv:2")
    >>> names, shown == f"{d}/export.zip/Lead.csv:2", Path(folder).exists()
    (['Lead.csv'], True, False)
    """
    if not is_archive(path):
        yield path
        return
    shown = str(path)  # as the user knows it (an upload: the name it was uploaded as)
    archive = Path(os.fspath(path))
    check_regular_file(archive)
    limit = max(MIN_EXPANDED_BYTES, MAX_EXPANSION * archive.stat().st_size)
    if beside is None:
        where = {"prefix": ".sla-archive-"}
    else:
        db = Path(beside).absolute()
        where = {"prefix": f".{db.name}.stage-{os.getpid()}-archive-", "dir": str(db.parent)}
    with tempfile.TemporaryDirectory(**where) as scratch:
        folder = Path(scratch)
        try:
            with zipfile.ZipFile(archive) as zipped:
                _extract(zipped, folder, shown=shown, limit=limit)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError) as exc:
            raise ImportFailed(f"{shown}: cannot be read as a ZIP archive: {exc}") from None
        yield NamedPath(folder, shown, f"{shown}/")


def _extract(zipped: zipfile.ZipFile, folder: Path, *, shown: str, limit: int) -> None:
    """Write the files of ``zipped`` into ``folder`` (see :func:`expanded`)."""
    written: dict[str, str] = {}  # file name -> its path in the archive
    total = files = 0
    for member in zipped.infolist():
        parts = PurePosixPath(member.filename.replace("\\", "/")).parts
        if member.is_dir() or not parts or any(p.startswith(".") or p == "__MACOSX" for p in parts):
            continue
        name = parts[-1]
        target = folder / name
        files += 1
        if PurePosixPath(name).suffix.lower() not in READ_SUFFIXES:
            target.touch()  # named as not read; its bytes are no export's
            continue
        if name in written:  # which of the two is meant cannot be known
            raise ImportFailed(
                f"{shown}: holds two files named {name} ({written[name]}, {member.filename})"
            )
        if member.flag_bits & 0x1:
            raise ImportFailed(
                f"{shown}: {member.filename} is encrypted: unpack the archive with its "
                "password and import the folder"
            )
        written[name] = member.filename
        with zipped.open(member) as source, target.open("wb") as sink:
            while chunk := source.read(1 << 20):
                total += len(chunk)
                if total > limit:
                    raise ImportFailed(
                        f"{shown}: expands to more than {limit:,} bytes "
                        f"({MAX_EXPANSION} times its size): not read (a ZIP bomb?)"
                    )
                sink.write(chunk)
        stamp = time.mktime((*member.date_time, 0, 0, -1))
        os.utime(target, (stamp, stamp))
    if not files:
        raise ImportFailed(f"{shown}: the archive holds no file")


__all__ = ["ARCHIVE_SUFFIXES", "expanded", "is_archive"]
