"""What the command-line tests share: a runner, a run folder made once per worker, and every
test run in its own temporary folder (the commands write ``runs/…`` where they are run)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from tests.conftest import EXAMPLE
from tousrisques.cli import app

runner = CliRunner()
RUNS = "4"  # Monte Carlo runs of the example town's storm: enough to vary, still quick


def invoke(*args: str | Path, lang: str = "en", env: dict[str, str] | None = None) -> Result:
    """The command line in this process, its language from the environment (``--lang``
    given among ``args`` wins)."""
    return runner.invoke(app, [str(a) for a in args],
                         env={"TOUSRISQUES_LANG": lang, **(env or {})})


def bad_input(r: Result, *names: str) -> str:
    """Check a refusal of bad input: exit 1, no traceback, a message naming ``names``."""
    assert r.exit_code == 1, r.output
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    assert "Traceback" not in r.output
    for name in names:
        assert name in r.output, (name, r.output)
    return r.output


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every command runs in a temporary folder, never in the repository."""
    monkeypatch.chdir(tmp_path)
    yield


@dataclass(frozen=True)
class Town:
    """A copy of the example town, its storm scenario, and a run folder of it."""

    folder: Path
    scenario: Path
    run: Path


def copy_town(root: Path) -> Path:
    folder = root / "petite-ville"
    shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns(".tousrisques"))
    return folder


@pytest.fixture(scope="session")
def town(tmp_path_factory: pytest.TempPathFactory) -> Town:
    """Made once per worker; tests read it and never change it (copy it first)."""
    root = tmp_path_factory.mktemp("town")
    folder = copy_town(root)
    scenario = folder / "scenarios" / "tempete.yaml"
    r = invoke("run", scenario, "--runs", RUNS, "-o", root / "run")
    assert r.exit_code == 0, r.output
    return Town(folder, scenario, root / "run")


@pytest.fixture
def own_town(tmp_path: Path) -> Town:
    """A copy of the town and of its run folder, for a test to change."""
    folder = copy_town(tmp_path / "own")
    scenario = folder / "scenarios" / "tempete.yaml"
    r = invoke("run", scenario, "--runs", RUNS, "-o", tmp_path / "own" / "run")
    assert r.exit_code == 0, r.output
    return Town(folder, scenario, tmp_path / "own" / "run")
