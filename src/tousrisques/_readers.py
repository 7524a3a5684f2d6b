"""Safe readers for untrusted text files: size limits, encodings, YAML and JSON with lines.

Every reader records problems instead of raising, and returns ``None`` when the file cannot be
used at all, so that the loader can go on checking the other files.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Hashable
from pathlib import Path
from typing import Any, BinaryIO

import orjson
import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from tousrisques._i18n import N_, Msg
from tousrisques._limits import ReadLimits
from tousrisques._problems import Problems

Path_ = tuple[Hashable, ...]
LineMap = dict[Path_, int]

_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32 LE"),
    (b"\x00\x00\xfe\xff", "UTF-32 BE"),
    (b"\xff\xfe", "UTF-16 LE"),
    (b"\xfe\xff", "UTF-16 BE"),
)


_CHUNK = 1 << 20
_MAX_READ = 1 << 30  # Linux returns at most about 2 GiB per read


def _kind_of(mode: int) -> Msg:
    """What a path that is not a regular file is, in words said in the reader's language."""
    for test, words in ((stat.S_ISDIR, N_("a folder")),
                        (stat.S_ISFIFO, N_("a named pipe (FIFO)")),
                        (stat.S_ISCHR, N_("a character device")),
                        (stat.S_ISBLK, N_("a block device")),
                        (stat.S_ISSOCK, N_("a socket"))):
        if test(mode):
            return Msg(words)
    return Msg(N_("not a regular file"))  # pragma: no cover


def inside(path: Path, *roots: Path) -> bool:
    """Whether ``path``, once every link is resolved, lies in one of ``roots`` (resolved too).
    A link loop or an unreadable path counts as outside."""
    try:
        real = Path(os.path.realpath(path, strict=False))
        return any(real.is_relative_to(os.path.realpath(r)) for r in roots)
    except (OSError, RuntimeError, ValueError):
        return False


def available_memory() -> int | None:
    """Bytes of memory this machine can still give (MemAvailable), or ``None`` if unknown."""
    try:
        with open("/proc/meminfo", "rb") as fh:
            for line in fh:
                if line.startswith(b"MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, AttributeError):  # pragma: no cover - not POSIX
        return None


def read_bytes(path: Path, rel: str, problems: Problems, *, max_bytes: int,
               setting: str, roots: tuple[Path, ...] = ()) -> bytes | None:
    """Read a whole regular file within ``max_bytes``; ``None`` (with a problem) if it cannot be.

    Only a regular file is opened: a folder, a FIFO, a device or a socket is refused before
    it is opened (so a FIFO never blocks). With ``roots``, the file — links resolved — must
    lie in one of them. The size is checked on the opened file and the read stops after
    ``max_bytes + 1`` bytes, so a file that grows or lies about its size cannot exhaust
    memory; a file larger than the memory this machine has left is refused too."""
    if roots and not inside(path, *roots):
        problems.error("file.outside", rel, path=rel)
        return None
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            problems.error("file.special", rel, path=rel, kind=_kind_of(st.st_mode))
            return None
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
                     | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        problems.error("file.missing", rel, path=rel)
        return None
    except OSError as exc:
        problems.error("file.unreadable", rel, detail=exc.strerror or str(exc))
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):  # swapped between the check and the open
            problems.error("file.special", rel, path=rel, kind=_kind_of(st.st_mode))
            return None
        if st.st_size > max_bytes:
            problems.error("file.too_large", rel, size=st.st_size, limit=max_bytes,
                           setting=setting)
            return None
        free = available_memory()
        if free is not None and st.st_size * 2 > free:
            problems.error("file.memory", rel, size=st.st_size, free=free)
            return None
        return _read_bounded(fd, st.st_size, rel, problems, max_bytes, setting)
    except MemoryError:
        problems.error("file.memory", rel, size=st.st_size, free=available_memory() or 0)
    except OSError as exc:
        problems.error("file.unreadable", rel, detail=exc.strerror or str(exc))
    finally:
        os.close(fd)
    return None


def _read_bounded(fd: int, size: int, rel: str, problems: Problems, max_bytes: int,
                  setting: str) -> bytes | None:
    """At most ``max_bytes + 1`` bytes, in as few reads as the announced ``size`` allows."""
    chunks: list[bytes] = []
    got = 0
    while got <= max_bytes:
        want = max(size + 1 - got, _CHUNK)
        chunk = os.read(fd, min(want, _MAX_READ, max_bytes + 1 - got))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        got += len(chunk)
    problems.error("file.too_large", rel, size=got, limit=max_bytes, setting=setting)
    return None


def hash_file(path: Path, digest: Any) -> None:
    """Feed a regular file to ``digest`` in chunks (bounded memory, whatever its size)."""
    with open(path, "rb") as fh:
        hash_stream(fh, digest)


def hash_stream(fh: BinaryIO, digest: Any) -> None:
    """Feed an open binary file to ``digest`` in chunks, to its end."""
    while chunk := fh.read(_CHUNK):
        digest.update(chunk)


def decode_utf8(raw: bytes, rel: str, problems: Problems) -> str | None:
    """Decode UTF-8 text, with or without BOM; other encodings are refused with their name."""
    if _other_encoding(raw, rel, problems):
        return None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        problems.error("file.encoding", rel, line=line, byte=f"0x{raw[exc.start]:02x}")
        return None


def strip_bom(raw: bytes) -> bytes:
    return raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw


class _LimitExceededError(Exception):
    def __init__(self, code: str, line: int, limit: int) -> None:
        super().__init__(code)
        self.code, self.line, self.limit = code, line, limit


try:  # libyaml's parser emits the events in C; composing stays in Python, with our limits
    from yaml._yaml import CParser as _EventParser

    class _Base(Composer, _EventParser, SafeConstructor, Resolver):
        def __init__(self, text: str) -> None:
            _EventParser.__init__(self, text)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)
            Composer.__init__(self)

except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _Base = yaml.SafeLoader  # type: ignore[misc,assignment]


class _Loader(_Base):
    """A safe YAML loader that counts aliases and nesting while it composes nodes."""

    def __init__(self, text: str, limits: ReadLimits) -> None:
        super().__init__(text)
        self.limits = limits
        self.aliases = 0
        self.depth = 0

    def _line(self) -> int:
        mark = getattr(self.peek_event(), "start_mark", None)
        return int(mark.line) + 1 if mark is not None else 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > self.limits.max_yaml_aliases:
                raise _LimitExceededError("yaml.aliases", self._line(),
                                          self.limits.max_yaml_aliases)
        self.depth += 1
        try:
            if self.depth > self.limits.max_yaml_depth:
                raise _LimitExceededError("yaml.depth", self._line(), self.limits.max_yaml_depth)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


class _Builder:
    """Turns composed YAML nodes into Python values and remembers the line of every path."""

    def __init__(self, loader: _Loader, rel: str, problems: Problems) -> None:
        self.loader, self.rel, self.problems = loader, rel, problems
        self.lines: LineMap = {}
        self.count = 0

    def build(self, node: yaml.Node, path: Path_) -> Any:
        self.count += 1
        if self.count > self.loader.limits.max_yaml_values:
            raise _LimitExceededError("yaml.expanded", node.start_mark.line + 1,
                                 self.loader.limits.max_yaml_values)
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.ScalarNode):
            return self.loader.construct_object(node, deep=True)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != "tag:yaml.org,2002:seq":
                self.loader.construct_object(node)  # raises on foreign tags
            return [self.build(child, (*path, i)) for i, child in enumerate(node.value)]
        if isinstance(node, yaml.MappingNode):
            if node.tag != "tag:yaml.org,2002:map":
                self.loader.construct_object(node)
            self.loader.flatten_mapping(node)
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key = self.loader.construct_object(key_node, deep=True)
                line = key_node.start_mark.line + 1
                if not isinstance(key, str | int | float | bool) or key is None:
                    self.problems.error("yaml.key", self.rel, line=line, detail=repr(key)[:40])
                    continue
                skey = str(key)
                if skey in out:
                    self.problems.error("yaml.duplicate_key", self.rel, line=line, key=skey)
                    continue
                self.lines[(*path, skey)] = line
                out[skey] = self.build(value_node, (*path, skey))
            return out
        raise yaml.constructor.ConstructorError(None, None, "unknown node", node.start_mark)


def parse_yaml(text: str, rel: str, problems: Problems,
               limits: ReadLimits) -> tuple[Any, LineMap] | None:
    """Parse YAML safely; return ``(value, lines)`` or ``None`` after recording the problem.

    ``lines`` maps a path such as ``("actors", 3, "site")`` to the 1-based line of its value.
    """
    loader = _Loader(text, limits)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        builder = _Builder(loader, rel, problems)
        return builder.build(node, ()), builder.lines
    except _LimitExceededError as exc:
        problems.error(exc.code, rel, line=exc.line, limit=exc.limit)
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark or exc.context_mark
        problems.error("yaml.tag", rel, line=mark.line + 1 if mark else None,
                       detail=(exc.problem or "").strip())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        detail = " ".join(x for x in (exc.context, exc.problem) if x)
        line = mark.line + 1 if mark else None
        if "nesting depth" in detail:  # libyaml's own limit, met before ours in flow style
            problems.error("yaml.depth", rel, line=line, limit=limits.max_yaml_depth)
        else:
            problems.error("yaml.syntax", rel, line=line, detail=detail)
    except yaml.YAMLError as exc:
        problems.error("yaml.syntax", rel, detail=str(exc).splitlines()[0])
    except RecursionError:
        problems.error("yaml.depth", rel, limit=limits.max_yaml_depth)
    return None


def read_yaml(path: Path, rel: str, problems: Problems,
              limits: ReadLimits) -> tuple[Any, LineMap] | None:
    """Read and parse a YAML file within ``limits``."""
    raw = read_bytes(path, rel, problems, max_bytes=limits.max_yaml_bytes,
                     setting="max_yaml_bytes")
    if raw is None:
        return None
    text = decode_utf8(raw, rel, problems)
    if text is None:
        return None
    return parse_yaml(text, rel, problems, limits)


def _other_encoding(raw: bytes, rel: str, problems: Problems) -> bool:
    for bom, name in _BOMS:
        if raw.startswith(bom):
            problems.error("file.utf16", rel, line=1, encoding=name)
            return True
    return False


def parse_json(raw: bytes, rel: str, problems: Problems) -> Any | None:
    """Parse JSON bytes (UTF-8, BOM allowed); ``None`` with a problem naming the line on
    failure. Encodings are checked only when the parser stumbles, so valid files pay
    nothing for it."""
    if _other_encoding(raw, rel, problems):
        return None
    raw = strip_bom(raw)
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        if "depth" in exc.msg or "recursion" in exc.msg.lower():
            problems.error("json.depth", rel, line=exc.lineno)
        elif decode_utf8(raw, rel, problems) is None:
            pass  # not UTF-8: decode_utf8 said where
        else:
            problems.error("json.syntax", rel, line=exc.lineno,
                           detail=f"{exc.msg} (column {exc.colno})")
    return None
