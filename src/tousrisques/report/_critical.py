"""The report's criticality table: one line per group of assets that fall together, in the
order of the study's ranking (see ``analysis/_criticality.py``), with names and communes."""

from __future__ import annotations

from collections import Counter

import pyarrow as pa

from tousrisques._i18n import N_, Msg, Text, Words
from tousrisques.analysis import Study
from tousrisques.report._data import CriticalAsset
from tousrisques.results import channel_labels
from tousrisques.territory import Territory


def _group_label(t: Territory, members: pa.Table) -> Words | None:
    """What a group of more than one asset is: its feeder when at least half of them
    belong to it and none to another (a source substation, a core fed by the feeder, have
    none), else the assets that fall together; with the count of each kind."""
    n = members.num_rows
    if n < 2:
        return None
    feeders = Counter(f for f in members.column("feeder").to_pylist() if f)
    kinds = Counter(members.column("kind").to_pylist())
    if len(feeders) == 1 and sum(feeders.values()) >= n / 2:
        return Msg(N_("Feeder {feeder}: {n} assets that fall together ({kinds})"),
                   feeder=next(iter(feeders)), n=n, kinds=_kinds(t, kinds))
    return Msg(N_("{n} assets that fall together ({kinds})"), n=n, kinds=_kinds(t, kinds))


def _kinds(t: Territory, counts: Counter[str]) -> Text:
    """``3 × transformer, 2 × line``: each kind's label, in both languages."""
    labels = [(n, t.kinds[k]) for k, n in counts.most_common()]
    return Text(", ".join(f"{n} × {k.label('en')}" for n, k in labels),
                ", ".join(f"{n} × {k.label('fr')}" for n, k in labels))


def critical(study: Study, *, top: int = 15) -> list[CriticalAsset]:
    """The ``top`` groups of the study's criticality ranking, most critical first (none when
    the run has no ranking).

    Parameters
    ----------
    study : Study
    top : int
        How many groups.

    Returns
    -------
    list of CriticalAsset

    Examples
    --------
    >>> from tousrisques.analysis import make_study
    >>> from tousrisques.scenario import load_scenario
    >>> study = make_study(load_scenario(
    ...     "src/tousrisques/templates/petite-ville/scenarios/tempete.yaml"), runs=2)
    >>> rows = critical(study, top=3)
    >>> [(r.rank, r.asset, r.commune, r.group_size) for r in rows]
    [(1, 'MAIRIE', 'Centre', 1), (2, 'PS-ELBEUF', 'Centre', 1), (3, 'L-NORD', 'Plateau', 2)]
    >>> rows[2].group.render("en")
    '2 assets that fall together (1 × power line, 1 × MV/LV transformer)'
    """
    crit = study.criticality
    if crit is None:
        return []
    t = study.scenario.territory
    channel = channel_labels(study.scenario).get(crit.main_channel or "") \
        if crit.main_channel else None
    heads = crit.heads(top).to_pylist()
    wanted = {r["asset"] for r in heads}
    table = crit.table
    members = table.filter(pa.compute.is_in(table.column("group"),
                                            value_set=pa.array(sorted(wanted), pa.string())))
    rows: list[CriticalAsset] = []
    for i, r in enumerate(heads, start=1):
        kind = t.kinds[r["kind"]]
        mine = members.filter(pa.compute.equal(members.column("group"), r["asset"]))
        rows.append(CriticalAsset(
            rank=i, asset=r["asset"], name=r["name"],
            kind_label=Text(kind.label("en"), kind.label("fr")),
            population_lost=float(r["population_lost"]),
            population_share=float(r["population_share"]),
            actors_cut=int(r["actors_cut"]), assets_down=int(r["assets_down"]),
            commune=r["commune"], group_size=int(r["group_size"]),
            group=_group_label(t, mine), channel=channel,
            main_lost=float(r["main_lost"]), main_share=float(r["main_share"]),
            actors_cut_off=int(r["actors_cut_off"])))
    return rows
