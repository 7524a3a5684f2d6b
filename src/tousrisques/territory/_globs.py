"""Shell-style patterns (``GE-ANT-*``) matched against a whole id column in one pass in C.

A pattern is translated by :func:`fnmatch.translate` (so it means exactly what
:func:`fnmatch.fnmatchcase` means) and then rewritten for RE2, the regular-expression engine
of pyarrow: RE2 has no atomic groups, no ``\\Z`` and no look-ahead. RE2 runs in linear time,
so the atomic groups Python adds against catastrophic backtracking are not needed: ``(?>X)``
becomes ``(?:X)``, which matches the same names.
"""

from __future__ import annotations

import fnmatch

GLOB = r"[*?\[]"  # a name holding one of these is a pattern, not an id (RE2 and re)
NEVER = r"[^\x00-\x{10FFFF}]"  # a class no character is in: RE2's spelling of (?!)


def glob_regex(pattern: str) -> str:
    """An RE2 regular expression that matches a whole id exactly when
    ``fnmatch.fnmatchcase(id, pattern)`` does.

    >>> glob_regex("GE-ANT-*")
    '^(?s:GE\\\\-ANT\\\\-.*)\\\\z'
    >>> glob_regex("a*b*c")
    '^(?s:a(?:.*?b).*c)\\\\z'
    """
    rx = fnmatch.translate(pattern)
    out = ["^"]
    i, n = 0, len(rx)
    while i < n:
        c = rx[i]
        if c == "\\":
            token = rx[i:i + 2]
            out.append(r"\z" if token == r"\Z" else token)
            i += 2
        elif c == "[":  # a character class, copied whole: its content is not syntax here
            j = i + 1
            if j < n and rx[j] == "^":
                j += 1
            if j < n and rx[j] == "]":
                j += 1
            while j < n and rx[j] != "]":
                j += 2 if rx[j] == "\\" else 1
            out.append(rx[i:j + 1])
            i = j + 1
        elif rx.startswith("(?>", i):
            out.append("(?:")
            i += 3
        elif rx.startswith("(?!)", i):
            out.append(NEVER)
            i += 4
        else:
            out.append(c)
            i += 1
    return "".join(out)
