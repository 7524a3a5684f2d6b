"""Safe readers for untrusted text files: size limits, encodings, YAML and JSON with lines.

Every reader records problems instead of raising, and returns ``None`` when the file cannot be
used at all, so that the loader can go on checking the other files.
"""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path
from typing import Any

import orjson
import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

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


def read_bytes(path: Path, rel: str, problems: Problems, *, max_bytes: int,
               setting: str) -> bytes | None:
    """Read a whole file after checking its size; ``None`` (with a problem) if it cannot be."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            problems.error("file.too_large", rel, size=size, limit=max_bytes, setting=setting)
            return None
        return path.read_bytes()
    except FileNotFoundError:
        problems.error("file.missing", rel, path=rel)
    except IsADirectoryError:
        problems.error("file.unreadable", rel, detail="it is a folder")
    except OSError as exc:
        problems.error("file.unreadable", rel, detail=exc.strerror or str(exc))
    return None


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
