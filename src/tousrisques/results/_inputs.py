"""Copies of a run's inputs inside its run folder, so that the folder travels: it can be
reported, explained and exported on another machine, or after its inputs were edited.

``inputs/territory/`` holds territory.yaml and every file it names (and its SOURCES.md);
``inputs/scenario/`` the scenario file and its footprint files, at the same places relative to
one another. The folder of a compared scenario keeps its own under ``other/inputs/``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from tousrisques._exceptions import InputError
from tousrisques.results._files import file_hash
from tousrisques.scenario import Scenario
from tousrisques.territory import territory_files

SOURCE_FILES = ("SOURCES.md", "DATA_SOURCES.md")


def _copy(src: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dest, follow_symlinks=True)


def copy_inputs(s: Scenario, base: Path, prefix: str) -> dict[str, object]:
    """Copy the inputs of ``s`` under ``base/inputs``; returns what ``summary.json`` records
    of them (where the copies are, relative to the run folder, and where they came from)."""
    inputs = base / "inputs"
    originals: dict[str, str] = {}
    t = s.territory
    assert t.folder is not None, "a scenario's territory is always read from a folder"
    t_root = t.folder.resolve()
    names = territory_files(t.folder) + [n for n in SOURCE_FILES if (t.folder / n).is_file()]
    for name in dict.fromkeys(names):
        src = (t.folder / name).resolve()
        if src.is_relative_to(t_root) and src.is_file():
            rel = Path("territory") / src.relative_to(t_root)
            _copy(src, inputs / rel)
            originals[f"{prefix}inputs/{rel.as_posix()}"] = str(src)
    scenario = s.path.resolve()
    footprints = [
        (s.path.parent / h.footprint).resolve() for h in s.spec.hazards if h.footprint is not None
    ]
    root = Path(os.path.commonpath([scenario.parent, *(f.parent for f in footprints)]))
    for src in (scenario, *footprints):
        rel = Path("scenario") / src.relative_to(root)
        _copy(src, inputs / rel)
        originals[f"{prefix}inputs/{rel.as_posix()}"] = str(src)
    return {
        "territory": f"{prefix}inputs/territory",
        "scenario": f"{prefix}inputs/scenario/{scenario.relative_to(root).as_posix()}",
        "originals": originals,
    }


def changed_originals(info: dict[str, object], folder: Path, hashes: dict[str, str]) -> list[str]:
    """The original input files (where they were at run time) that differ from their copies
    now; those no longer there are not counted (the folder may have travelled)."""
    originals = info.get("originals")
    changed: list[str] = []
    if not isinstance(originals, dict):
        return changed
    for copy, original in originals.items():
        if not isinstance(original, str) or copy not in hashes:
            continue
        path = Path(original)
        try:
            if path.is_file() and file_hash(path) != hashes[copy]:
                changed.append(original)
        except (OSError, InputError):  # unreadable now: no longer an input of ours
            continue
    return changed
