"""A scenario naming 50,000 assets on a synthetic territory: every id resolved to the right
row in one lookup, patterns matched as fnmatch matches them, each asset once per event, and
the same problems as before for what does not resolve."""

from __future__ import annotations

import fnmatch
from pathlib import Path

import numpy as np
import pytest

from tousrisques import ValidationError
from tousrisques.scenario import load_scenario
from tousrisques.territory import load_territory
from tousrisques.territory.synthetic import write_synthetic

N_ASSETS = 60_000
N_NAMED = 50_000
PER_EVENT = 1_000


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    folder = tmp_path_factory.mktemp("many") / "territory"
    write_synthetic(folder, n_assets=N_ASSETS, seed=3)
    ids = load_territory(folder).assets.ids.to_pylist()
    return folder, ids


def _scenario(folder: Path, body: str) -> Path:
    path = folder.parent / "scenario.yaml"
    path.write_text(f"name: many\nterritory: {folder.name}\nduration: 24h\n{body}",
                    encoding="utf-8")
    return path


def _events(groups: list[list[str]]) -> str:
    return "events:\n" + "".join(
        f"  - {{at: 1h, cause: c{k}, assets: [{', '.join(repr(n) for n in g)}]}}\n"
        for k, g in enumerate(groups))


def test_fifty_thousand_ids_resolve_to_their_rows(world: tuple[Path, list[str]]) -> None:
    folder, ids = world
    rng = np.random.default_rng(7)
    named = [ids[i] for i in rng.choice(len(ids), N_NAMED, replace=False)]
    groups = [named[k:k + PER_EVENT] for k in range(0, N_NAMED, PER_EVENT)]
    absent = named[:300]
    s = load_scenario(_scenario(folder, _events(groups) + f"absent: [{', '.join(absent)}]\n"))

    plain = {ident: row for row, ident in enumerate(ids)}
    assert len(plain) == N_ASSETS
    got = [list(e.assets) for e in s.events]
    assert got == [[plain[n] for n in g] for g in groups]  # rows and their order
    assert [e.cause for e in s.events] == [f"c{k}" for k in range(len(groups))]
    assert s.absent == tuple(sorted(plain[n] for n in absent))


def test_patterns_overlapping_and_named_twice_give_each_asset_once(
        world: tuple[Path, list[str]]) -> None:
    folder, ids = world
    patterns = ["A1*", "A1?", "BH[0-2]?", "SIREN1[!0-4]*", "T99*"]
    mixed = [ids[5], "A1*", ids[5], "A12", "A1?", *patterns[2:]]
    body = _events([mixed]) + "mitigations:\n  - {name: m, at: 2h, assets: ['T99*', 'T9*']}\n"
    s = load_scenario(_scenario(folder, body))

    def matching(p: str) -> list[int]:
        return [i for i, x in enumerate(ids) if fnmatch.fnmatchcase(x, p)]

    expected = [*dict.fromkeys([5, *matching("A1*"), ids.index("A12"), *matching("A1?"),
                                *[r for p in patterns[2:] for r in matching(p)]])]
    fail = s.events[0]
    assert list(fail.assets) == expected
    assert len(fail.assets) == len(set(fail.assets))
    assert all(len(matching(p)) > 0 for p in patterns)  # every pattern does select something
    restore = next(e for e in s.events if e.action == "restore")
    assert list(restore.assets) == [*dict.fromkeys(matching("T99*") + matching("T9*"))]
    assert set(s.absent) >= set(restore.assets)


def test_one_asset_named_twice_in_an_event_is_damaged_once(
        world: tuple[Path, list[str]]) -> None:
    folder, ids = world
    t = next(x for x in ids if x.startswith("T1"))
    s = load_scenario(_scenario(folder, _events([[t, "T1*", t]])))
    rows = list(s.events[0].assets)
    assert rows[0] == ids.index(t)
    assert rows.count(ids.index(t)) == 1
    assert len(rows) == len(set(rows)) == sum(x.startswith("T1") for x in ids)


def test_unknown_ids_and_empty_patterns_are_the_same_problems(
        world: tuple[Path, list[str]]) -> None:
    folder, ids = world
    named = [*ids[:20_000], "NOPE-1", "A1*", "NOTHING-*", *ids[20_000:40_000], "NOPE-2"]
    body = _events([ids[:10], named]) + "absent: ['Q?', T1]\n"
    with pytest.raises(ValidationError) as exc:
        load_scenario(_scenario(folder, body))
    got = [(p.code, p.line, p.field, p.params["ref"], p.params["suggest"])
           for p in exc.value.problems]
    # unknown ids first, in the order named, then the patterns that select nothing;
    # no "did you mean" on a territory of more than 20,000 assets
    assert got == [("ref.asset", 6, "events.assets", "NOPE-1", ""),
                   ("ref.asset", 6, "events.assets", "NOPE-2", ""),
                   ("ref.asset", 6, "events.assets", "NOTHING-*", ""),
                   ("ref.asset", 7, "absent", "Q?", "")]
