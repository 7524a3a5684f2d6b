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


TAG = "tousrisques-tmp"  # in the name of every temporary folder or file this writer makes
OLD_TAG = "tousrisques-old"  # an old output moved aside, removed once the new one is in
MARKER = ".tousrisques-writer"  # written inside each of them: "<pid>\n"


def _pattern(name: str) -> re.Pattern[str]:
    return re.compile(rf"\.{re.escape(name)}\.({TAG}|{OLD_TAG})\.(\d+)\.[a-z0-9_]{{8}}$")


def _mark(folder: Path) -> None:
    (folder / MARKER).write_text(f"{os.getpid()}\n", encoding="ascii")


def _writer_of(entry: Path) -> int | None:
    """The process id written in ``entry``'s marker, or ``None`` when it has none: then this
    program did not make it (a user's ``.results.2024.backup`` or ``.results.old.31337.keep``),
    and it is never touched."""
    marker = entry / MARKER
    try:
        if entry.is_symlink() or marker.is_symlink() or not marker.is_file():
            return None
        text = marker.read_bytes()[:32].decode("ascii").strip()
        return int(text) if text.isdigit() else None
    except (OSError, UnicodeDecodeError):
        return None


def sweep_leftovers(folder: Path) -> None:
    """Remove what a killed writer of ``folder`` left beside it: only folders whose name is
    ``.<name>.tousrisques-tmp.<pid>.<random>`` (or ``-old``), which hold this writer's marker
    with the same dead process id. A writer killed between moving the old ``folder`` aside
    and moving the new one in left no ``folder``: the old one is put back."""
    pattern = _pattern(folder.name)
    if not folder.parent.is_dir():
        return
    for entry in sorted(folder.parent.iterdir()):
        m = pattern.match(entry.name)
        if not m or entry.is_symlink() or not entry.is_dir():
            continue
        pid = int(m.group(2))
        if _writer_of(entry) != pid or _alive(pid):
            continue
        if m.group(1) == OLD_TAG and not os.path.lexists(folder):
            (entry / MARKER).unlink()
            entry.rename(folder)
        else:
            shutil.rmtree(entry, ignore_errors=True)


def refuse_link(path: Path) -> None:
    """An output that is a symbolic link (even a dangling one) is never followed."""
    if os.path.islink(path):
        raise InputError("output.symlink", path=path)


def refuse_to_replace(path: str | Path, *, replace: bool, marker: str | None = None) -> None:
    """The one rule of every writer, API and command line alike: an existing output is
    replaced only when asked (``replace=True``, ``--force``), and a folder only when it is
    empty or holds ``marker`` (a run folder its ``summary.json``): nothing a user wrote is
    ever replaced by accident. A symbolic link is never followed nor replaced.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> refuse_to_replace(folder / "new", replace=False)  # nothing there: fine
    >>> (folder / "notes.txt").write_text("mine")
    4
    >>> refuse_to_replace(folder, replace=True, marker="summary.json")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    tousrisques._exceptions.InputError: ... is not empty and not one of ours ...
    """
    path = Path(path)
    refuse_link(path)
    if not path.exists():
        return
    if not replace:
        raise InputError("output.exists", path=path)
    if marker is not None and path.is_dir() and not (path / marker).is_file() \
            and any(path.iterdir()):
        raise InputError("output.not_ours", path=path, marker=marker)


@contextmanager
def atomic_folder(folder: str | Path, *, replace: bool = False,
                  marker: str | None = None) -> Iterator[Path]:
    """Yield a temporary folder beside ``folder``; when the block ends without error it
    replaces ``folder`` (the old one is moved aside first and removed last, so a crash at
    any moment leaves either the old folder or the new one, never half of one); on error it
    is removed and ``folder`` is untouched. Temporary folders left by a writer that was
    killed are swept away by the next one. An existing ``folder`` is refused unless
    ``replace`` (see :func:`refuse_to_replace`, which ``marker`` is passed to)."""
    folder = Path(os.path.abspath(folder))  # "." and ".." have no name to build aside
    refuse_link(folder)
    if folder.exists() and not folder.is_dir():
        raise InputError("output.not_folder", path=folder)
    refuse_to_replace(folder, replace=replace, marker=marker)
    if folder.exists() and not folder.is_dir():
        raise InputError("output.not_folder", path=folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    sweep_leftovers(folder)
    pid = os.getpid()
    tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.{TAG}.{pid}."))
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o777 & ~umask)  # mkdtemp's 0700 would make results private by accident
    _mark(tmp)
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    (tmp / MARKER).unlink()
    old = None
    refuse_link(folder)  # made a link while we were writing: still never followed
    if folder.exists():
        old = Path(tempfile.mkdtemp(dir=folder.parent,
                                    prefix=f".{folder.name}.{OLD_TAG}.{pid}."))
        old.rmdir()
        folder.rename(old)
        _mark(old)
    tmp.rename(folder)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


@contextmanager
def atomic_file(path: str | Path, *, replace: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; when the block ends without error it replaces
    ``path`` (never a folder); on error it is removed and ``path`` is untouched. An existing
    ``path`` is refused unless ``replace``."""
    path = Path(path)
    refuse_link(path)
    if path.is_dir():
        raise InputError("output.is_folder", path=path)
    refuse_to_replace(path, replace=replace)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.{TAG}.{os.getpid()}.")
    os.close(fd)
    tmp = Path(name)
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o666 & ~umask)  # mkstemp's 0600 would make outputs private by accident
    try:
        yield tmp
        refuse_link(path)
        tmp.replace(path)  # replaces a link itself, never its target
    finally:
        tmp.unlink(missing_ok=True)
