"""Load shedding spares the feeders of priority customers (load_shedding.spare)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE
from tousrisques import ValidationError
from tousrisques.scenario import load_scenario

BASE = """name: délestage
territory: ..
duration: 12h
step: 1h
load_shedding:
  - name: délestage
    feeders: [L-NORD, L-SUD]
    start: 2h
    slot: 2h
"""


def _scenario(tmp_path: Path, extra: str) -> Path:
    folder = tmp_path / "t"
    if not folder.exists():
        shutil.copytree(EXAMPLE, folder)
    path = folder / "scenarios" / "d.yaml"
    path.write_text(BASE + extra, encoding="utf-8")
    return path


def _cut(path: Path) -> list[str]:
    s = load_scenario(path)
    ids = s.compiled.asset_ids.to_pylist()
    return sorted({ids[r] for e in s.events if e.action == "fail" for r in e.assets})


def test_without_spare_every_feeder_is_cut(tmp_path: Path) -> None:
    assert _cut(_scenario(tmp_path, "")) == ["L-NORD", "L-SUD"]


def test_the_feeder_of_a_priority_customer_is_never_cut(tmp_path: Path) -> None:
    # the EHPAD hangs on T-SUD, fed by L-SUD; the town hall's generator does not make its
    # feeder L-NORD a priority one any less
    assert _cut(_scenario(tmp_path, "    spare: [EHPAD]\n")) == ["L-NORD"]
    assert _cut(_scenario(tmp_path, "    spare: [EHPAD, MAIRIE]\n")) == []


def test_an_unknown_spared_asset_is_refused_with_its_line(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as err:
        load_scenario(_scenario(tmp_path, "    spare: [EHPADD]\n"))
    (p,) = err.value.problems
    assert (p.code, p.field, p.line) == ("ref.asset", "load_shedding.spare", 10)
