"""The limit on memory of a run, and sizes and counts as people read them.

The limit is ``max_memory`` (bytes) where a function takes it, else the environment variable
``TOUSRISQUES_MAX_MEMORY`` (``16G``, ``512M``, ``2GiB``, bytes), else half of the machine's
physical memory. ``tousrisques.scenario._budget`` estimates a run against it.
"""

from __future__ import annotations

import math
import os
import re

from tousrisques._exceptions import InputError

#: the environment variable that raises (or lowers) the limit on memory
ENV = "TOUSRISQUES_MAX_MEMORY"
#: the fallback when the machine's memory cannot be known
FALLBACK_MEMORY = 8 * 1000**3

_UNITS = {"": 1, "k": 1000, "m": 1000**2, "g": 1000**3, "t": 1000**4, "p": 1000**5,
          "ki": 1024, "mi": 1024**2, "gi": 1024**3, "ti": 1024**4, "pi": 1024**5}
_SIZE = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*([kmgtp]i?)?\s*[bo]?\s*$", re.IGNORECASE)


def parse_size(text: str | int, *, option: str = ENV) -> int:
    """Bytes from ``16G``, ``512M``, ``2GiB``, ``1,5 Go`` or a plain number of bytes (k, M,
    G, T are powers of 1000; Ki, Mi, Gi, Ti of 1024).

    >>> parse_size("16G"), parse_size("2GiB"), parse_size("1,5 Go"), parse_size(4096)
    (16000000000, 2147483648, 1500000000, 4096)

    Parameters
    ----------
    text : str or int
        A size as a user writes it, or a number of bytes.
    option : str
        The option or variable it came from, named in the message when it is wrong.

    Returns
    -------
    int
        Bytes, at least 1.

    Raises
    ------
    InputError
        ``budget.size`` when it is not a size.

    Examples
    --------
    >>> parse_size("16G"), parse_size("2GiB"), parse_size("1,5 Go"), parse_size(4096)
    (16000000000, 2147483648, 1500000000, 4096)
    >>> from tousrisques import InputError
    >>> try:
    ...     parse_size("lots")
    ... except InputError as exc:
    ...     print(exc.code)
    budget.size
    """
    if isinstance(text, int) and not isinstance(text, bool):
        if text > 0:
            return text
        raise InputError("budget.size", option=option, value=text)
    m = _SIZE.match(str(text))
    if not m:
        raise InputError("budget.size", option=option, value=text)
    value = float(m.group(1).replace(",", ".")) * _UNITS[(m.group(2) or "").lower()]
    if not math.isfinite(value) or value < 1:
        raise InputError("budget.size", option=option, value=text)
    return int(value)


def physical_memory() -> int:
    """The machine's physical memory in bytes (``FALLBACK_MEMORY`` when it cannot be known)."""
    try:
        return int(os.sysconf("SC_PHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, ValueError, OSError):  # pragma: no cover - not POSIX
        return FALLBACK_MEMORY


def max_memory(given: int | str | None = None) -> int:
    """The limit on memory: ``given``, else ``TOUSRISQUES_MAX_MEMORY``, else half of the
    machine's physical memory.

    Parameters
    ----------
    given : int or str, optional
        Bytes or a size (``"16G"``).

    Returns
    -------
    int
        Bytes.

    Raises
    ------
    InputError
        ``budget.size`` when ``given`` or the variable is not a size.

    Examples
    --------
    >>> from tousrisques.scenario import max_memory
    >>> max_memory("16G"), max_memory() > 0
    (16000000000, True)
    """
    if given is not None:
        return parse_size(given, option="max_memory")
    env = os.environ.get(ENV, "").strip()
    if env:
        return parse_size(env, option=ENV)
    return physical_memory() // 2


def max_workers() -> int:
    """The most local processes: four per core of this machine."""
    return 4 * (os.cpu_count() or 1)


def size_text(n: float, lang: str) -> str:
    """``3.2 TB`` in English, ``3,2 To`` in French (powers of 1000).

    >>> size_text(3.2e12, "en"), size_text(3.2e12, "fr"), size_text(512, "fr")
    ('3.2 TB', '3,2\\xa0To', '512\\xa0o')
    """
    units = ("B", "kB", "MB", "GB", "TB", "PB", "EB") if lang != "fr" else \
        ("o", "ko", "Mo", "Go", "To", "Po", "Eo")
    k = 0
    while n >= 1000 and k < len(units) - 1:
        n /= 1000
        k += 1
    text = f"{n:.0f}" if k == 0 else f"{n:.1f}"
    if lang == "fr":
        return text.replace(".", ",") + "\u00a0" + units[k]
    return f"{text} {units[k]}"


def count_text(n: float, lang: str) -> str:
    """``1,000,000`` in English, ``1 000 000`` in French; ``2.0 × 10^15`` beyond 10^12."""
    if n >= 1e12:
        exp = math.floor(math.log10(n))
        mant = f"{n / 10**exp:.1f}"
        if lang == "fr":
            return mant.replace(".", ",") + f"\u00a0×\u00a010^{exp}"
        return f"{mant} × 10^{exp}"
    text = f"{n:,.0f}"
    return text.replace(",", "\u202f") if lang == "fr" else text


