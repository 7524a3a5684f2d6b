"""Every snippet of the docs runs: the ```python blocks of README.md and docs/*.md, and the
``tousrisques`` commands of their ```sh blocks, in a temporary folder holding a copy of the
repository's examples (nothing is written in the repository).

A file's commands run in order in one folder (a ``report`` reads the ``run`` above it), in
this process through the real command line (typer's runner); each must exit 0. What is not a
``tousrisques`` command (``make``, ``python benchmarks/…``, ``pybabel``) is left to its own
check; so are the commands of docs/benchmarks.md, which are measures of millions of assets.
Monte Carlo run counts above 8 are brought down to 4, and a ``run`` without ``--runs`` gets
``--runs 4`` (the command is the same, only quicker), a scripted exercise plays at most
``--seconds 2``, and ``/tmp/`` paths go to the temporary folder.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```(\w+)[^\n]*\n(.*?)^```", re.S | re.M)
NOT_RUN = {"benchmarks.md"}  # millions of assets: measured by hand, recorded there
# sizes no test should build: the command is checked with a smaller territory
SIZES = {"1000000": "2000", "3000000": "2000", "100000": "2000"}


def blocks(path: Path, lang: str) -> list[str]:
    return [m.group(2) for m in FENCE.finditer(path.read_text("utf-8")) if m.group(1) == lang]


def commands(block: str) -> list[list[str]]:
    """The ``tousrisques`` commands of a shell block, continuation lines joined."""
    found = []
    for line in block.replace("\\\n", " ").splitlines():
        words = shlex.split(line, comments=True)
        if words and words[0] in ("tousrisques", ".venv/bin/tousrisques"):
            found.append(words[1:])
    return found


def _workdir(tmp: Path) -> Path:
    """A folder where the docs' relative paths resolve: the examples and the template."""
    shutil.copytree(
        ROOT / "examples", tmp / "examples", ignore=shutil.ignore_patterns(".tousrisques")
    )
    shutil.copytree(
        ROOT / "src" / "tousrisques" / "templates",
        tmp / "src" / "tousrisques" / "templates",
        ignore=shutil.ignore_patterns(".tousrisques"),
    )
    return tmp


def _adapt(args: list[str], tmp: Path) -> list[str]:
    out = []
    for i, word in enumerate(args):
        if i and args[i - 1] == "--runs" and int(word) > 8:
            word = "4"
        if i and args[i - 1] == "--seconds":  # a scripted exercise: the same, shorter
            word = str(min(int(word), 2))
        if i and args[i - 1] == "--assets":
            word = SIZES.get(word, word)
        out.append(word.replace("/tmp/", f"{tmp}/"))
    if out[:1] == ["run"] and "--runs" not in out:  # the scenario's own count: 60 and more
        out += ["--runs", "4"]
    return out


PYTHON = [
    (p, i, code)
    for p in DOCS
    if p.name not in NOT_RUN
    for i, code in enumerate(blocks(p, "python"))
]
SHELL = [p for p in DOCS if p.name not in NOT_RUN and any(commands(b) for b in blocks(p, "sh"))]


def test_the_docs_have_snippets_to_run() -> None:
    assert len(PYTHON) >= 4
    assert {p.name for p in SHELL} >= {"README.md", "cli.md"}
    assert commands("tousrisques run a.yaml \\\n    --runs 200 -o x  # note\nmake demo\n") == [
        ["run", "a.yaml", "--runs", "200", "-o", "x"]
    ]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("path", "index", "code"), PYTHON, ids=[f"{p.name}-{i}" for p, i, _ in PYTHON]
)
def test_every_python_snippet_runs(path: Path, index: int, code: str, tmp_path: Path) -> None:
    code = re.sub(r"\bruns=(\d+)", lambda m: f"runs={min(int(m.group(1)), 4)}", code)
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=_workdir(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"{path.name}, python block {index + 1}:\n{done.stderr}"


@pytest.mark.slow
@pytest.mark.parametrize("path", SHELL, ids=[p.name for p in SHELL])
def test_every_command_runs(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.cli.conftest import invoke

    monkeypatch.chdir(_workdir(tmp_path))
    for block in blocks(path, "sh"):
        for args in commands(block):
            args = _adapt(args, tmp_path)
            r = invoke(*args)
            assert r.exit_code == 0, f"{path.name}: tousrisques {shlex.join(args)}\n{r.output}"
