"""Reading the files of a run folder as untrusted input: only regular files, never through a
symbolic link, never more than a limit, checked against the hash recorded at run time.

A run folder travels between machines and people; a file in it may have been edited,
replaced by a link to a private file, a FIFO, or a small file that claims a huge content
(a Parquet footer that announces 10⁹ rows). Every read here is bounded before it starts.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from tousrisques._atomic import MARKER
from tousrisques._exceptions import InputError
from tousrisques._readers import hash_stream

#: a run folder's data files are never larger than this (a 1M-asset territory's run is far
#: below); raise it with TOUSRISQUES_MAX_RUN_FILE (bytes)
DEFAULT_MAX_BYTES = 4 << 30
MAX_JSON_BYTES = 64 << 20


def max_file_bytes() -> int:
    """The size limit of one file of a run folder (``TOUSRISQUES_MAX_RUN_FILE``)."""
    raw = os.environ.get("TOUSRISQUES_MAX_RUN_FILE", "")
    return int(raw) if raw.isdigit() and int(raw) > 0 else DEFAULT_MAX_BYTES


def open_regular(path: Path, *, max_bytes: int) -> int:
    """A file descriptor of ``path`` when it is a regular file of at most ``max_bytes``,
    not reached through a symbolic link; InputError otherwise (a FIFO is never waited on).
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        raise InputError("run.file_missing", path=path) from None
    except OSError as exc:  # ELOOP: a symbolic link
        raise InputError("run.file_link", path=path, detail=exc.strerror or exc) from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise InputError("run.file_special", path=path)
    if info.st_size > max_bytes:
        os.close(fd)
        raise InputError("run.file_too_large", path=path, size=info.st_size, limit=max_bytes)
    return fd


def read_bounded(path: Path, *, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most ``max_bytes`` (see :func:`open_regular`)."""
    fd = open_regular(path, max_bytes=max_bytes)
    with os.fdopen(fd, "rb") as fh:
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:  # grew while being read
        raise InputError("run.file_grew", path=path, limit=max_bytes)
    return data


def file_hash(path: Path) -> str:
    """BLAKE2b (128 bits) of the file's bytes, read through :func:`open_regular`."""
    h = hashlib.blake2b(digest_size=16)
    fd = open_regular(path, max_bytes=max_file_bytes())
    with os.fdopen(fd, "rb") as fh:
        hash_stream(fh, h)
    return h.hexdigest()


def describe_tree(folder: Path) -> tuple[dict[str, str], dict[str, int]]:
    """Every file under ``folder`` (relative POSIX path), sorted: its hash, and its size (the
    sizes are checked before the hashes, so that a file grown to gigabytes is refused
    without being read)."""
    hashes, sizes = {}, {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name != MARKER):
        name = path.relative_to(folder).as_posix()
        hashes[name], sizes[name] = file_hash(path), path.stat().st_size
    return hashes, sizes


def check_sizes(folder: Path, sizes: dict[str, int]) -> list[str]:
    """The files of ``sizes`` whose size is another now (a missing file, a link, a FIFO or a
    device is refused by :func:`open_regular`)."""
    changed = []
    for name, size in sizes.items():
        fd = open_regular(folder / name, max_bytes=max_file_bytes())
        try:
            if os.fstat(fd).st_size != size:
                changed.append(name)
        finally:
            os.close(fd)
    return changed

