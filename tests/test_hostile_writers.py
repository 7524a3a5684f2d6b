"""Writers under hostile conditions (issue 9, item 9): ``-o`` never follows a symbolic link,
and the writer sweeps away only what it made itself — a folder a user named like one of its
temporary folders is never deleted."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tousrisques._atomic import MARKER, TAG, atomic_file, atomic_folder, sweep_leftovers
from tousrisques._exceptions import InputError


def dead_pid() -> int:
    """The process id of a process that has ended."""
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    return int(proc.stdout)


@pytest.mark.parametrize("dangling", [False, True])
def test_a_folder_output_that_is_a_link_is_refused(tmp_path: Path, dangling: bool) -> None:
    target = tmp_path / "elsewhere"
    if not dangling:
        target.mkdir()
        (target / "precious.txt").write_text("keep")
    (tmp_path / "results").symlink_to(target)
    with pytest.raises(InputError, match="symbolic link"), atomic_folder(tmp_path / "results"):
        pass
    assert os.path.islink(tmp_path / "results")
    assert dangling or (target / "precious.txt").read_text() == "keep"
    assert not target.exists() if dangling else True


@pytest.mark.parametrize("dangling", [False, True])
def test_a_file_output_that_is_a_link_is_refused(tmp_path: Path, dangling: bool) -> None:
    target = tmp_path / "secret.txt"
    if not dangling:
        target.write_text("keep")
    (tmp_path / "report.html").symlink_to(target)
    with pytest.raises(InputError, match="symbolic link"), \
            atomic_file(tmp_path / "report.html") as tmp:
        tmp.write_text("new")
    assert (not dangling and target.read_text() == "keep") or not target.exists()


def test_the_link_refusal_speaks_french(tmp_path: Path) -> None:
    (tmp_path / "out").symlink_to(tmp_path)
    with pytest.raises(InputError) as got, atomic_folder(tmp_path / "out"):
        pass
    assert "lien symbolique" in got.value.render("fr")


@pytest.mark.parametrize("name", [".results.2024.backup", ".results.old.31337.keep",
                                  f".results.{TAG}.31337.abcdefgh",
                                  ".results.tousrisques-old.31337.abcdefgh"])
def test_folders_a_user_made_are_never_swept(tmp_path: Path, name: str) -> None:
    (tmp_path / "results").mkdir()
    mine = tmp_path / name
    mine.mkdir()
    (mine / "notes.txt").write_text("mine")
    with atomic_folder(tmp_path / "results", replace=True) as tmp:
        (tmp / "summary.json").write_text("{}")
    assert (mine / "notes.txt").read_text() == "mine"


def test_a_killed_writers_leftover_is_swept(tmp_path: Path) -> None:
    pid = dead_pid()
    left = tmp_path / f".results.{TAG}.{pid}.abcdefgh"
    left.mkdir()
    (left / MARKER).write_text(f"{pid}\n")
    (left / "half.parquet").write_text("half")
    live = tmp_path / f".results.{TAG}.{os.getpid()}.abcdefgh"  # a live writer's: kept
    live.mkdir()
    (live / MARKER).write_text(f"{os.getpid()}\n")
    sweep_leftovers(tmp_path / "results")
    assert not left.exists() and live.exists()


def test_a_marker_with_another_pid_is_not_enough(tmp_path: Path) -> None:
    pid = dead_pid()
    forged = tmp_path / f".results.{TAG}.{pid}.abcdefgh"
    forged.mkdir()
    (forged / MARKER).write_text(f"{pid + 1}\n")
    sweep_leftovers(tmp_path / "results")
    assert forged.exists()


def test_temporary_names_follow_the_pattern_and_carry_the_marker(tmp_path: Path) -> None:
    with atomic_folder(tmp_path / "results", replace=True) as tmp:
        assert tmp.name.startswith(f".results.{TAG}.{os.getpid()}.")
        assert (tmp / MARKER).read_text() == f"{os.getpid()}\n"
    assert sorted(p.name for p in (tmp_path / "results").iterdir()) == []
    with atomic_file(tmp_path / "r.html", replace=True) as tmp_file:
        assert tmp_file.name.startswith(f".r.html.{TAG}.{os.getpid()}.")
        tmp_file.write_text("x")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html", "results"]
