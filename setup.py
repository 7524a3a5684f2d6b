"""Packaging is described in pyproject.toml. This file adds one step: the Rouen scenario
library has one copy, ``examples/rouen/scenarios/`` (where each file validates beside its
territory), and a built package gets it as ``tousrisques/data/rouen/scenarios/``, from which
``tousrisques demo`` builds the Rouen sample when there is no clone (an editable install
reads the clone's copy)."""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

LIBRARY = Path(__file__).resolve().parent / "examples" / "rouen" / "scenarios"


def copy_library(build_lib: str | Path) -> list[Path]:
    """Copy the scenario library into a build's ``tousrisques/data/rouen/scenarios``."""
    target = Path(build_lib) / "tousrisques" / "data" / "rouen" / "scenarios"
    target.mkdir(parents=True, exist_ok=True)
    copied = []
    for item in sorted(LIBRARY.glob("*.yaml")):
        shutil.copyfile(item, target / item.name)
        copied.append(target / item.name)
    if not copied:
        raise FileNotFoundError(f"no scenario in {LIBRARY}")
    return copied


class BuildPy(build_py):  # type: ignore[misc]
    def run(self) -> None:
        super().run()
        if not getattr(self, "editable_mode", False):  # editable: the clone's copy is read
            copy_library(self.build_lib)


if __name__ == "__main__":  # how pip and setuptools' build backend run this file
    setup(cmdclass={"build_py": BuildPy})
