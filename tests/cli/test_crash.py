"""A run killed or failing at any moment leaves either no run folder or the previous one,
never half of one; what a killed writer left aside is swept by the next write."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import tousrisques.results._folder as folder_module
from tests.cli.conftest import Town, invoke
from tests.conftest import ROOT
from tousrisques._atomic import MARKER
from tousrisques.cli import main

ROUEN_STORM = ROOT / "examples" / "rouen" / "scenarios" / "tempete.yaml"
ENV = {**os.environ, "TOUSRISQUES_LANG": "en"}


def _dead_pid() -> int:
    """The id of a process that has ended."""
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def _leftovers(root: Path, name: str) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith(f".{name}."))


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


@pytest.mark.slow
def test_a_run_killed_midway_leaves_no_folder(tmp_path: Path) -> None:
    """``python -m tousrisques run`` of the Rouen storm, killed while it computes."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "tousrisques", "run", str(ROUEN_STORM), "--runs", "12",
         "-o", "out"], cwd=tmp_path, env=ENV, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE)
    started = time.monotonic()
    try:
        while time.monotonic() - started < 2.0:
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    assert not (tmp_path / "out").exists()
    # nothing a user would take for results: at most hidden temporaries of that process
    assert all(name.startswith(f".out.tousrisques-tmp.{proc.pid}.")
               for name in os.listdir(tmp_path))


_SLOW_WRITER = """\
import sys, time
from pathlib import Path
import tousrisques.results._folder as f

real = f._write_study

def slow(study, tmp, final, **kw):
    info = real(study, tmp, final, **kw)
    Path("inside").write_text(str(tmp))  # the data files are written: kill me now
    time.sleep(60)
    return info

f._write_study = slow
sys.argv = ["tousrisques", *sys.argv[1:]]
from tousrisques.cli import main
main()
"""


def _kill_while_writing(cwd: Path, *args: str) -> tuple[int, Path]:
    """Run ``tousrisques run ARGS`` and kill it once its run folder is half written."""
    flag = cwd / "inside"
    proc = subprocess.Popen([sys.executable, "-c", _SLOW_WRITER, "run", *args], cwd=cwd,
                            env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not flag.exists():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.02)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
    tmp = cwd / flag.read_text()
    flag.unlink()
    return proc.pid, tmp


@pytest.mark.slow
def test_killed_while_writing_the_folder(town: Town, tmp_path: Path) -> None:
    # no previous folder: none after the kill, only the hidden half-written one
    pid, tmp = _kill_while_writing(tmp_path, str(town.scenario), "--runs", "2", "-o", "out")
    assert tmp.parent == tmp_path and (tmp / "runs.parquet").is_file()  # truly half written
    assert not (tmp_path / "out").exists()
    assert [p.name for p in tmp_path.iterdir()] == [tmp.name]
    assert tmp.name.startswith(f".out.tousrisques-tmp.{pid}.")
    # a previous folder: still there, whole, after a killed --force
    assert invoke("run", town.scenario, "--runs", "2", "-o", "out").exit_code == 0
    assert _leftovers(tmp_path, "out") == []  # the kill's leftover swept by that write
    before = _tree(tmp_path / "out")
    _kill_while_writing(tmp_path, str(town.scenario), "--runs", "3", "-o", "out", "--force")
    assert _tree(tmp_path / "out") == before
    assert json.loads(before["summary.json"])["runs"] == 2


def test_the_next_write_sweeps_what_a_killed_writer_left(town: Town, tmp_path: Path) -> None:
    dead, alive = _dead_pid(), os.getppid()
    for name, pid in ((f".out.tousrisques-tmp.{dead}.abc12345", dead),
                      (f".out.tousrisques-old.{dead}.def45678", dead),
                      (f".out.tousrisques-tmp.{alive}.ghi78901", alive),
                      (f".other.tousrisques-tmp.{dead}.jkl01234", dead)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "summary.json").write_text("{}", encoding="utf-8")
        (tmp_path / name / MARKER).write_text(f"{pid}\n", encoding="ascii")
    r = invoke("run", town.scenario, "--runs", "2", "-o", "out", "--no-report")
    assert r.exit_code == 0, r.output
    assert json.loads((tmp_path / "out" / "summary.json").read_text())["runs"] == 2
    # a live writer's temporary folder and another folder's are left alone
    assert sorted(p.name for p in tmp_path.iterdir()) == \
        sorted([f".other.tousrisques-tmp.{dead}.jkl01234",
                f".out.tousrisques-tmp.{alive}.ghi78901", "out"])


def test_a_writer_killed_between_its_two_moves_gets_the_old_folder_back(
        town: Town, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Killed after moving the old folder aside, before moving the new one in: the next
    write puts the old one back first, so a failure then still leaves it."""
    assert invoke("run", town.scenario, "--runs", "2", "-o", "out", "--no-report").exit_code == 0
    before = _tree(tmp_path / "out")
    dead = _dead_pid()
    old = tmp_path / f".out.tousrisques-old.{dead}.abc12345"
    (tmp_path / "out").rename(old)
    (old / MARKER).write_text(f"{dead}\n", encoding="ascii")
    new = tmp_path / f".out.tousrisques-tmp.{dead}.def45678"
    new.mkdir()  # the new one, whole or not: nobody knows
    (new / MARKER).write_text(f"{dead}\n", encoding="ascii")
    monkeypatch.setattr(folder_module, "describe_tree", _boom)
    r = invoke("run", town.scenario, "--runs", "3", "-o", "out", "--force")
    assert isinstance(r.exception, RuntimeError)
    assert _tree(tmp_path / "out") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def _boom(*args: object, **kwargs: object) -> str:
    raise RuntimeError("disk full, say")


def test_a_failure_while_writing_leaves_the_previous_folder(
        town: Town, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    assert invoke("run", town.scenario, "--runs", "2", "-o", "out").exit_code == 0
    before = _tree(tmp_path / "out")
    # the hashes are taken last, once every data file is in the temporary folder
    monkeypatch.setattr(folder_module, "describe_tree", _boom)
    monkeypatch.setattr(sys, "argv", ["tousrisques", "run", str(town.scenario), "--runs", "3",
                                      "-o", "out", "--force", "--lang", "en"])
    monkeypatch.delenv("TOUSRISQUES_DEBUG", raising=False)
    with pytest.raises(SystemExit) as exit_:
        main()
    assert exit_.value.code == 3  # a bug of ours, said as such
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: disk full, say" in err and "Traceback" not in err
    assert "TOUSRISQUES_DEBUG" in err
    assert _tree(tmp_path / "out") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # nothing left aside


def test_an_input_error_from_deep_inside_is_exit_1(
        town: Town, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
        ) -> None:
    from tousrisques._exceptions import InputError

    def refuse(*args: object, **kwargs: object) -> None:
        raise InputError("monte_carlo.runs must be at least 1")

    monkeypatch.setattr("tousrisques.cli._run.make_study", refuse)
    monkeypatch.setattr(sys, "argv", ["tousrisques", "run", str(town.scenario), "-o", "out"])
    with pytest.raises(SystemExit) as exit_:
        main()
    assert exit_.value.code == 1
    assert "monte_carlo.runs must be at least 1" in capsys.readouterr().err
