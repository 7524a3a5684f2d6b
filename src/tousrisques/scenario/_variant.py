"""A scenario with more measures (mitigations, backups, feeds, terminals, fallbacks,
volunteers, restoration), built in memory from a loaded one: what the advice evaluates,
without reading the files again."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from tousrisques._durations import parse_duration
from tousrisques.engine import Event
from tousrisques.scenario._backups import apply_backups
from tousrisques.scenario._loader import Scenario
from tousrisques.scenario._logistics import build_logistics
from tousrisques.scenario._measures import apply_measures, measure_lists
from tousrisques.scenario._measures_model import (
    FallbackSpec,
    FeedSpec,
    RestorationSpec,
    TerminalSpec,
    VolunteerSpec,
)
from tousrisques.scenario._model import BackupSpec, MitigationSpec
from tousrisques.scenario._names import AssetNames


def with_measures(s: Scenario, *, mitigations: Sequence[MitigationSpec] = (),
                  backups: Sequence[BackupSpec] = (), feeds: Sequence[FeedSpec] = (),
                  terminals: Sequence[TerminalSpec] = (),
                  fallbacks: Sequence[FallbackSpec] = (),
                  volunteers: Sequence[VolunteerSpec] = (),
                  restoration: Sequence[RestorationSpec] = ()) -> Scenario:
    """``s`` with more measures, as if the file held them too (each section after the
    file's own entries).

    The territory, hazards and draws are those of ``s``: run ``i`` of the variant's plan
    meets the same damage as run ``i`` of ``s`` (common random numbers). The names must be
    the territory's (``KeyError`` otherwise): they are not checked again.

    Parameters
    ----------
    s : Scenario
        From ``load_scenario``.
    mitigations : sequence of MitigationSpec
        Assets brought (planned assets of the territory, for instance).
    backups : sequence of BackupSpec
        Autonomy brought to the power requirements of kinds or assets.
    feeds, terminals, fallbacks, volunteers, restoration : sequence
        The other measures (``tousrisques.scenario.FeedSpec``, …).

    Returns
    -------
    Scenario
        Its ``spec`` holds the new entries after the file's own.

    Examples
    --------
    >>> from tousrisques.scenario import BackupSpec, load_scenario, with_measures
    >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
    >>> v = with_measures(s, backups=[BackupSpec(name="8 h", kinds=["antenna"],
    ...                                          autonomy="8h")])
    >>> float(v.compiled.requires.backup_s.max()) >= 8 * 3600, len(v.spec.backups)
    (True, 1)
    """
    new = {"mitigations": mitigations, "backups": backups, "feeds": feeds,
           "terminals": terminals, "fallbacks": fallbacks, "volunteers": volunteers,
           "restoration": restoration}
    spec = s.spec.model_copy(update={key: [*getattr(s.spec, key), *items]
                                     for key, items in new.items()})
    added = s.spec.model_copy(update={key: list(items) for key, items in new.items()})
    names = AssetNames(s.territory, [*(m.assets for m in mitigations),
                                     *(b.assets for b in backups), *measure_lists(added)])
    compiled = apply_measures(s.territory, apply_backups(spec, s.territory, s.compiled, names),
                              names, feeds=feeds, terminals=terminals, fallbacks=fallbacks,
                              volunteers=volunteers)
    absent = set(s.absent)
    events = list(s.events)
    for m in mitigations:
        rows = names.rows(m.assets).tolist()
        absent |= set(rows)
        events.append(Event(parse_duration(m.at), tuple(rows), "restore",
                            f"mitigation: {m.name}"))
    crews, rank, supply, absent = build_logistics(spec, s.territory, compiled,
                                                  AssetNames(s.territory), absent)
    return replace(s, spec=spec, compiled=compiled, events=tuple(events),
                   absent=tuple(sorted(absent)), crews=crews, rank=rank, supply=supply,
                   content_hash="")
