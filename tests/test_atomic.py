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
    with atomic_folder(target, replace=True) as tmp:
        (tmp / "new.txt").write_text("new")
        assert not (target / "new.txt").exists()  # nothing visible before the end
    assert [p.name for p in target.iterdir()] == ["new.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # nothing left aside


def test_a_failure_leaves_the_old_folder_untouched(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.mkdir()
    (target / "old.txt").write_text("old")
    with pytest.raises(RuntimeError), atomic_folder(target, replace=True) as tmp:
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
    with atomic_folder(".", replace=True) as tmp:
        (tmp / "new.txt").write_text("new")
    assert [p.name for p in target.iterdir()] == ["new.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_a_file_written_whole_or_not_at_all(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_file(target, replace=True) as tmp:
        tmp.write_text("half")
        raise RuntimeError("killed midway")
    assert target.read_text() == "old"
    with atomic_file(target, replace=True) as tmp:
        tmp.write_text("new")
    assert target.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]
    with pytest.raises(InputError, match="is a folder"), atomic_file(tmp_path):
        pass


def test_nothing_is_replaced_unless_asked(tmp_path: Path) -> None:
    """Every writer of the API refuses to replace what is there, in the same words as the
    command line; a folder is replaced, when asked, only if it is one of ours."""
    target = tmp_path / "out"
    target.mkdir()
    (target / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(InputError, match=r"already exists.*replace=True"), \
            atomic_folder(target):
        pass
    with pytest.raises(InputError, match=r"not one of ours.*summary\.json"), \
            atomic_folder(target, replace=True, marker="summary.json"):
        pass
    with pytest.raises(InputError, match="already exists"), \
            atomic_file(target / "notes.txt"):
        pass
    assert (target / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
