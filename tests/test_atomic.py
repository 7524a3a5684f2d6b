"""Folders are replaced whole or not at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from tousrisques._atomic import atomic_file, atomic_folder
from tousrisques._exceptions import InputError


def test_new_folder_replaces_the_old_one_whole(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.mkdir()
    (target / "old.txt").write_text("old")
    with atomic_folder(target) as tmp:
        (tmp / "new.txt").write_text("new")
        assert not (target / "new.txt").exists()  # nothing visible before the end
    assert [p.name for p in target.iterdir()] == ["new.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # nothing left aside


def test_a_failure_leaves_the_old_folder_untouched(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.mkdir()
    (target / "old.txt").write_text("old")
    with pytest.raises(RuntimeError), atomic_folder(target) as tmp:
        (tmp / "half.txt").write_text("half")
        raise RuntimeError("killed midway")
    assert [p.name for p in target.iterdir()] == ["old.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_a_file_is_never_replaced_by_a_folder(tmp_path: Path) -> None:
    # before: the file was moved aside, left there, and a folder took its name
    target = tmp_path / "territory.yaml"
    target.write_text("mine")
    with pytest.raises(InputError, match="is a file, not a folder"), atomic_folder(target):
        pass
    assert target.read_text() == "mine"
    assert [p.name for p in tmp_path.iterdir()] == ["territory.yaml"]


def test_the_current_folder_can_be_replaced(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out"
    target.mkdir()
    monkeypatch.chdir(target)
    with atomic_folder(".") as tmp:
        (tmp / "new.txt").write_text("new")
    assert [p.name for p in target.iterdir()] == ["new.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_a_file_written_whole_or_not_at_all(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_file(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("killed midway")
    assert target.read_text() == "old"
    with atomic_file(target) as tmp:
        tmp.write_text("new")
    assert target.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]
    with pytest.raises(InputError, match="is a folder"), atomic_file(tmp_path):
        pass
