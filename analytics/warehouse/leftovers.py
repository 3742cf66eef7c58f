"""Leftovers of killed imports: temp copies, their WAL files and stage folders (and the
fresh file of a killed purge or rescrub).

Light on purpose (no polars, no DuckDB): ``sla info`` calls it before it reads.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import time
from pathlib import Path

#: A leftover of a process that may still run is removed only when older than this.
LEFTOVER_AGE = 24 * 3600.0


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_leftovers(db_path: str | Path, *, locked: bool = False) -> list[Path]:
    """Remove the temp copies, WAL files and stage folders a killed import left behind.

    A leftover names its process (``<db>.tmp-<pid>``, ``.<db>.stage-<pid>-...``,
    ``purge-<pid>-<db>``): it is
    removed when that process is gone, or when it is older than a day (the pid may have
    been reused). Without ``locked`` (e.g. ``sla info``) nothing is removed while an
    import holds the writer lock.

    Returns
    -------
    list[Path]
        What was removed.
    """
    db_path = Path(db_path)
    folder = db_path.parent
    if not folder.is_dir():
        return []
    lock = None
    if not locked:
        try:
            lock = open(db_path.with_name(db_path.name + ".lock"), "a")  # noqa: SIM115
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            return []
        except OSError:
            return []
    pattern = re.compile(
        rf"^(?:{re.escape(db_path.name)}\.tmp-(\d+)(?:\.wal)?"
        rf"|\.{re.escape(db_path.name)}\.stage-(?:(\d+)-)?.*"
        # the fresh file of a purge or a rescrub (purge.rebuild_live) that was killed
        rf"|purge-(\d+)-{re.escape(db_path.name)}(?:\.wal)?)$"
    )
    removed = []
    try:
        for path in folder.iterdir():
            found = pattern.match(path.name)
            if not found:
                continue
            pid = found.group(1) or found.group(2) or found.group(3)
            try:
                age = time.time() - path.lstat().st_mtime
            except OSError:
                continue
            if pid is not None and int(pid) == os.getpid():
                continue
            if pid is not None and _pid_alive(int(pid)) and age < LEFTOVER_AGE:
                continue
            if pid is None and age < 3600:  # a stage folder named before pids were in it
                continue
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
            removed.append(path)
    finally:
        if lock is not None:
            lock.close()
    return removed
