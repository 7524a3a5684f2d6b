"""The layers hold: every public module imports alone in a fresh interpreter (no import
cycle hidden by import order), and the import-linter contracts of pyproject.toml are kept —
and would catch an import against them."""

from __future__ import annotations

import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import tousrisques

ROOT = Path(__file__).resolve().parents[1]
PUBLIC = sorted(m.name for m in pkgutil.walk_packages(tousrisques.__path__, "tousrisques.")
                if not any(part.startswith("_") for part in m.name.split(".")[1:])
                and ".samples" not in m.name)


def test_every_public_module_imports_alone_in_a_fresh_interpreter() -> None:
    """One interpreter per module (in one process each, run together): ``from
    tousrisques.indicators import compute_indicators`` used to fail alone."""
    code = ("import importlib, sys\n"
            "importlib.import_module(sys.argv[1])\n")
    procs = {name: subprocess.Popen([sys.executable, "-c", code, name],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for name in ["tousrisques", *PUBLIC]}
    failed = {}
    for name, p in procs.items():
        _, err = p.communicate(timeout=120)
        if p.returncode != 0:
            failed[name] = err.strip().splitlines()[-1:]
    assert not failed, failed
    assert {"tousrisques.results", "tousrisques.indicators", "tousrisques.engine",
            "tousrisques.analysis"} <= set(PUBLIC)


LINT = shutil.which("lint-imports", path=str(Path(sys.executable).parent))


@pytest.mark.skipif(LINT is None, reason="import-linter is not installed (pip install -e .[test])")
def test_the_layer_contracts_are_kept_and_catch_a_wrong_import(tmp_path: Path) -> None:
    assert LINT is not None
    kept = subprocess.run([LINT], cwd=ROOT, capture_output=True, text=True, check=False)
    assert kept.returncode == 0, kept.stdout[-2000:]
    assert "0 broken" in kept.stdout
    # a copy of the package where the engine imports the indicators again: refused
    copy = tmp_path / "src"
    shutil.copytree(ROOT / "src" / "tousrisques", copy / "tousrisques",
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    plan = copy / "tousrisques" / "engine" / "_plan.py"
    plan.write_text(plan.read_text(encoding="utf-8") +
                    "\nfrom tousrisques.indicators import compute_indicators  # noqa\n",
                    encoding="utf-8")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    broken = subprocess.run([LINT, "--config", str(tmp_path / "pyproject.toml")],
                            cwd=copy, capture_output=True, text=True, check=False,
                            env={"PYTHONPATH": str(copy), "PATH": str(Path(LINT).parent)})
    assert broken.returncode != 0
    assert "tousrisques.engine._plan -> tousrisques.indicators" in broken.stdout
