"""The package's public face, its message catalogue and its documentation."""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import tousrisques
import tousrisques.territory
from tousrisques._messages import MESSAGES

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("module", [tousrisques, tousrisques.territory])
def test_all_is_complete_and_importable(module) -> None:
    public = {n for n in vars(module) if not n.startswith("_")
              and not isinstance(vars(module)[n], type(sys))}
    public -= {"annotations"}
    assert set(module.__all__) >= public, public - set(module.__all__)
    for name in module.__all__:
        assert hasattr(module, name), name


def test_importing_does_nothing(tmp_path: Path) -> None:
    """Importing every module creates no file and prints nothing."""
    code = ("import pkgutil, importlib, tousrisques\n"
            "for m in pkgutil.walk_packages(tousrisques.__path__, 'tousrisques.'):\n"
            "    importlib.import_module(m.name)\n")
    r = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                       text=True, check=True)
    assert r.stdout == "" and r.stderr == ""
    assert list(tmp_path.iterdir()) == []


def test_core_never_imports_the_interfaces() -> None:
    for m in pkgutil.walk_packages(tousrisques.__path__, "tousrisques."):
        if m.name.startswith("tousrisques.territory"):
            mod = importlib.import_module(m.name)
            src = Path(mod.__file__).read_text(encoding="utf-8")
            for banned in ("typer", "rich", "fastapi", "tousrisques.cli"):
                assert f"import {banned}" not in src and f"from {banned}" not in src, \
                    (m.name, banned)


# Both languages of every message: tests/test_i18n_catalog.py


def test_every_read_limit_is_documented() -> None:
    doc = (ROOT / "docs" / "territory-format.md").read_text(encoding="utf-8")
    for f in dataclasses.fields(tousrisques.ReadLimits):
        assert f"`{f.name}`" in doc, f.name
        assert f.name in (tousrisques.ReadLimits.__doc__ or ""), f.name


def test_every_problem_code_is_documented() -> None:
    doc = "".join((ROOT / "docs" / name).read_text(encoding="utf-8")
                  for name in ("territory-format.md", "scenario-format.md"))
    for code in MESSAGES:
        assert f"`{code}`" in doc, code


def test_every_kind_of_the_catalogue_is_documented() -> None:
    doc = (ROOT / "docs" / "territory-format.md").read_text(encoding="utf-8")
    for kind in tousrisques.territory.CATALOGUE:
        assert f"`{kind}`" in doc, kind
