"""Parse a territory once: its compiled arrays are kept beside it, keyed by the files' hash."""

from __future__ import annotations

import contextlib
import hashlib
from dataclasses import replace
from pathlib import Path

from tousrisques._exceptions import CompiledFormatError, InputError
from tousrisques._limits import ReadLimits
from tousrisques._problems import Problems
from tousrisques._readers import hash_file, read_yaml
from tousrisques.territory._compiled import FORMAT_VERSION, CompiledTerritory
from tousrisques.territory._loader import TERRITORY_FILE, load_territory, territory_file

CACHE_DIR = ".tousrisques"


def territory_files(path: str | Path, *, limits: ReadLimits | None = None) -> list[str]:
    """territory.yaml and the files it names, as it names them (relative to its folder).

    Parameters
    ----------
    path : str or Path
        A territory folder or its ``territory.yaml``.
    limits : ReadLimits, optional

    Returns
    -------
    list of str

    Examples
    --------
    >>> from tousrisques.territory import territory_files
    >>> territory_files("src/tousrisques/templates/petite-ville")[:3]
    ['territory.yaml', 'assets/power.geojson', 'assets/telecom.csv']
    """
    yaml_path = territory_file(path)
    names = [TERRITORY_FILE]
    got = read_yaml(yaml_path, TERRITORY_FILE, Problems(), limits or ReadLimits())
    if got is not None and isinstance(got[0], dict):
        data = got[0]
        for key in ("assets", "links", "zones", "channels", "actors"):
            value = data.get(key)
            items = value if isinstance(value, list) else [value] if value else []
            names.extend(str(v) for v in items)
    return names


def territory_hash(path: str | Path, *, limits: ReadLimits | None = None) -> str:
    """A hash of territory.yaml and of every file it names (their paths and bytes).

    The same files give the same hash on any machine; any change to any byte changes it.

    Parameters
    ----------
    path : str or Path
        A territory folder or its ``territory.yaml``.
    limits : ReadLimits, optional

    Returns
    -------
    str
        32 hexadecimal digits.

    Examples
    --------
    >>> from tousrisques import load_compiled
    >>> from tousrisques.territory import territory_hash
    >>> h = territory_hash("src/tousrisques/templates/petite-ville")
    >>> len(h), load_compiled("src/tousrisques/templates/petite-ville").source_hash == h
    (32, True)
    """
    yaml_path = territory_file(path)
    if not yaml_path.exists():
        raise InputError("territory.none", path=yaml_path, file="territory.yaml")
    folder = yaml_path.parent
    h = hashlib.blake2b(digest_size=16)
    h.update(f"format {FORMAT_VERSION}\n".encode())
    names = territory_files(path, limits=limits)
    root = folder.resolve()
    for name in names:
        h.update(name.encode() + b"\0")
        p = (folder / name).resolve()
        if p.is_relative_to(root) and p.is_file():  # paths outside are refused on load
            hash_file(p, h)
        h.update(b"\0")
    return h.hexdigest()


def load_compiled(path: str | Path, *, cache_dir: str | Path | None = None,
                  limits: ReadLimits | None = None) -> CompiledTerritory:
    """The compiled territory at ``path``, parsed and checked only when its files changed.

    The arrays are kept in ``cache_dir`` (default: ``.tousrisques/`` in the territory's
    folder) as ``compiled-<hash>.npz``; when that folder cannot be written, the territory is
    simply compiled again next time.

    Parameters
    ----------
    path : str or Path
        A territory folder, or its ``territory.yaml``.
    cache_dir : str or Path, optional
        Where the compiled arrays are kept.
    limits : ReadLimits, optional
        How large the files may be.

    Returns
    -------
    CompiledTerritory
        The engine's arrays.

    Raises
    ------
    ValidationError
        When the territory has errors (read from its files, never from the cache).

    Examples
    --------
    >>> import tempfile
    >>> from tousrisques import load_compiled
    >>> cache = tempfile.mkdtemp()
    >>> c = load_compiled("src/tousrisques/templates/petite-ville", cache_dir=cache)
    >>> c.asset_ids.to_pylist()[:3]
    ['PS-ELBEUF', 'L-NORD', 'L-SUD']
    >>> load_compiled("src/tousrisques/templates/petite-ville", cache_dir=cache).name == c.name
    True
    """
    folder = territory_file(path).parent
    digest = territory_hash(path, limits=limits)
    cache = Path(cache_dir) if cache_dir is not None else folder / CACHE_DIR
    target = cache / f"compiled-{digest}.npz"
    if target.is_file():
        try:
            return CompiledTerritory.load(target)
        except CompiledFormatError:
            pass  # corrupt or from another version: compile again below
    compiled = replace(load_territory(path, limits=limits).compile(), source_hash=digest)
    with contextlib.suppress(OSError):  # a read-only folder: no cache, nothing lost
        compiled.save(target, replace=True)
    return compiled
