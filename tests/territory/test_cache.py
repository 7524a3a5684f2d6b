"""A territory is parsed once: the compiled arrays are reused until a file changes."""

from __future__ import annotations

from pathlib import Path

import pytest

import tousrisques.territory._cache as cache_module
from tousrisques import load_compiled
from tousrisques.territory import territory_hash


def test_second_load_reuses_the_compiled_arrays(make_territory, monkeypatch) -> None:
    folder = make_territory()
    first = load_compiled(folder)
    assert len(list((folder / ".tousrisques").glob("compiled-*.npz"))) == 1

    def no_parsing(*args, **kwargs):
        raise AssertionError("the territory was parsed again")

    monkeypatch.setattr(cache_module, "load_territory", no_parsing)
    again = load_compiled(folder)
    assert again.asset_ids.to_pylist() == first.asset_ids.to_pylist()


def test_any_change_to_any_file_recompiles(make_territory, tmp_path: Path) -> None:
    folder = make_territory()
    before = territory_hash(folder)
    assert territory_hash(folder) == before
    csv = folder / "assets" / "telecom.csv"
    csv.write_text(csv.read_text() + "A2,antenna,1.013,49.313,T1,\n")
    assert territory_hash(folder) != before
    compiled = load_compiled(folder, cache_dir=tmp_path / "cache")
    assert "A2" in compiled.asset_ids.to_pylist()


def test_corrupt_cache_is_rebuilt(make_territory, tmp_path: Path) -> None:
    folder = make_territory()
    load_compiled(folder, cache_dir=tmp_path / "c")
    (npz,) = (tmp_path / "c").glob("*.npz")
    npz.write_bytes(b"garbage")
    assert load_compiled(folder, cache_dir=tmp_path / "c").n_assets == 6


def test_read_only_cache_folder_is_not_an_error(make_territory, tmp_path: Path) -> None:
    folder = make_territory()
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("x")
    assert load_compiled(folder, cache_dir=blocker / "sub").n_assets == 6


def test_hash_of_a_missing_territory_is_bad_input(tmp_path: Path) -> None:
    from tousrisques import InputError

    with pytest.raises(InputError):
        territory_hash(tmp_path)
