"""Outputs written whole or not at all: a folder is built aside and moved into place."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tousrisques._exceptions import InputError


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def sweep_leftovers(folder: Path) -> None:
    """Remove the temporary folders that a killed writer of ``folder`` left beside it
    (their name holds the writer's process id; a live writer's are kept). A writer killed
    between moving the old ``folder`` aside and moving the new one in left no ``folder``:
    the old one is put back."""
    pattern = re.compile(rf"\.{re.escape(folder.name)}\.(old\.)?(\d+)\.[^/]*$")
    if not folder.parent.is_dir():
        return
    for entry in sorted(folder.parent.iterdir()):
        m = pattern.match(entry.name)
        if not (m and entry.is_dir() and not _alive(int(m.group(2)))):
            continue
        if m.group(1) and not folder.exists():
            entry.rename(folder)
        else:
            shutil.rmtree(entry, ignore_errors=True)


@contextmanager
def atomic_folder(folder: str | Path) -> Iterator[Path]:
    """Yield a temporary folder beside ``folder``; when the block ends without error it
    replaces ``folder`` (the old one is moved aside first and removed last, so a crash at
    any moment leaves either the old folder or the new one, never half of one); on error it
    is removed and ``folder`` is untouched. Temporary folders left by a writer that was
    killed are swept away by the next one."""
    folder = Path(os.path.abspath(folder))  # "." and ".." have no name to build aside
    if folder.exists() and not folder.is_dir():
        raise InputError("output.not_folder", path=folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    sweep_leftovers(folder)
    pid = os.getpid()
    tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.{pid}."))
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o777 & ~umask)  # mkdtemp's 0700 would make results private by accident
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = None
    if folder.exists():
        old = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.old.{pid}."))
        old.rmdir()
        folder.rename(old)
    tmp.rename(folder)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


@contextmanager
def atomic_file(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; when the block ends without error it replaces
    ``path`` (never a folder); on error it is removed and ``path`` is untouched."""
    path = Path(path)
    if path.is_dir():
        raise InputError("output.is_folder", path=path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        yield tmp
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
