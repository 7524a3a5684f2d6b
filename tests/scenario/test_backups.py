"""``backups:``: autonomy brought to the power groups of kinds or assets, and every mistake
said with its line and field."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.conftest import EXAMPLE
from tousrisques import ValidationError
from tousrisques.engine import replay
from tousrisques.scenario import load_scenario, power_groups, scenario_plan

BASE = f"""\
name: Coupure
territory: {EXAMPLE.as_posix()}
duration: 24h
events:
  - {{at: 1h, assets: [PS-ELBEUF], duration: 20h, cause: poste source}}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_autonomy_is_raised_on_power_groups_only(tmp_path: Path) -> None:
    plain = load_scenario(write(tmp_path, BASE))
    more = load_scenario(write(tmp_path, BASE + """\
backups:
  - {name: batteries, kinds: [fibre_node], assets: ["ANT-*"], autonomy: 10h}
""".replace("ANT-*", "ANT-NORD")))
    c0, c1 = plain.compiled, more.compiled
    ids = c0.asset_ids.to_pylist()
    owner = c0.requires.owner
    for name, hours in (("NRO-PV", 10), ("ANT-NORD", 10), ("ANT-SUD", 4)):
        g = np.nonzero((owner == ids.index(name)) & power_groups(c0))[0]
        assert (c1.requires.backup_s[g] == hours * 3600).all(), name
    mail = np.nonzero(owner == ids.index("MAIL-PV"))[0]  # needs no power: unchanged
    assert (c1.requires.backup_s[mail] == c0.requires.backup_s[mail]).all()
    # the fibre node holds 10 h instead of 4 h after the cut at 1 h
    nro = ids.index("NRO-PV")
    assert not replay(scenario_plan(plain), 0).state_at(8 * 3600)[nro]
    assert replay(scenario_plan(more), 0).state_at(8 * 3600)[nro]


def test_bad_backups_are_all_said(tmp_path: Path) -> None:
    path = write(tmp_path, BASE + """\
backups:
  - {name: a, kinds: [fibre_nod], autonomy: 8h}
  - {name: b, assets: [NRO-PVV], autonomy: 8h}
  - {name: c, autonomy: 8h}
  - {name: d, kinds: [siren], autonomy: 8}
""")
    with pytest.raises(ValidationError) as got:
        load_scenario(path)
    texts = "\n".join(p.render("en") for p in got.value.problems)
    assert "s.yaml:9 [backups.2]" in texts and "kinds, assets or both" in texts
    assert "s.yaml:10 [backups.3.autonomy]" in texts and "write a unit" in texts
    # the schema first: once it holds, the names are checked against the territory
    path = write(tmp_path, BASE + """\
backups:
  - {name: a, kinds: [fibre_nod], autonomy: 8h}
  - {name: b, assets: [NRO-PVV], autonomy: 8h}
""")
    with pytest.raises(ValidationError) as got:
        load_scenario(path)
    texts = "\n".join(p.render("en") for p in got.value.problems)
    assert "s.yaml:7 [backups.0.kinds]" in texts and '"fibre_node"' in texts
    assert "s.yaml:8 [backups.assets]" in texts and '"NRO-PV"' in texts
