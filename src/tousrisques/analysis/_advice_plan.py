"""The scenario file of an advised plan: the base scenario as its author wrote it, with the
plan's measures added to its ``mitigations``, ``backups`` and the other sections of
measures (``feeds``, ``terminals``, ``fallbacks``, ``volunteers``, ``restoration``) — ready
for ``tousrisques run`` and for ``--compare`` against the base."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from tousrisques._i18n import N_, Msg
from tousrisques._limits import ReadLimits
from tousrisques._problems import Problems
from tousrisques._readers import read_yaml
from tousrisques.analysis._advice import Advice, Measure
from tousrisques.scenario import Scenario


def _entries(m: Measure, rank: int) -> dict[str, list[dict[str, Any]]]:
    """The scenario entries of a measure of the plan, each named after its rank."""
    name = f"advice {rank}: {m.key}"
    if m.entries:
        return {key: [{**e, "name": name} for e in items] for key, items in m.entries.items()}
    # an advice.json written before measures carried their entries
    if m.rule == "planned":
        return {"mitigations": [{"name": name, "at": "0s", "assets": list(m.assets)}]}
    return {"backups": [{"name": name, "assets": list(m.assets),
                         "autonomy": f"{m.autonomy_h:g}h"}]}


def plan_document(s: Scenario, advice: Advice, folder: str | Path) -> str:
    """The YAML text of the plan's scenario, to be written in ``folder`` (its paths to the
    territory and to footprint files are made relative to that folder).

    Parameters
    ----------
    s : Scenario
        The base scenario the advice was made for.
    advice : Advice
    folder : str or Path
        Where the file will be written.

    Returns
    -------
    str

    Examples
    --------
    >>> from tousrisques.analysis import Advice, plan_document
    >>> from tousrisques.scenario import load_scenario
    >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
    >>> a = Advice({}, "alert", [1, 0, 0], "fr-alert", {}, 2, 2, None, "EUR", {}, {}, [], {})
    >>> text = plan_document(s, a, "out")
    >>> "territory: ../src/tousrisques/templates/petite-ville" in text
    True
    """
    got = read_yaml(s.path, s.path.name, Problems(), ReadLimits())
    assert got is not None, "the scenario was read when it was loaded"
    data: dict[str, Any] = dict(got[0])
    here = Path(os.path.abspath(folder))

    def moved(path: Path) -> str:
        return Path(os.path.relpath(os.path.abspath(path), here)).as_posix()

    territory = s.territory.folder if s.territory.folder is not None \
        else s.path.parent / str(data["territory"])
    data["territory"] = moved(Path(territory))
    for h in data.get("hazards") or []:
        if isinstance(h, dict) and isinstance(h.get("footprint"), str):
            h["footprint"] = moved(s.path.parent / h["footprint"])
    data["name"] = {lang: Msg(N_("{name} — advised plan"), name=getattr(s.spec.name, lang)
                              ).render(lang) for lang in ("fr", "en")}
    for rank, m in enumerate(advice.plan, start=1):
        for key, items in _entries(m, rank).items():
            data[key] = [*(data.get(key) or []), *items]
    head = (f"# Written by `tousrisques advise` from {s.path.name}: objective "
            f"{advice.objective}, budget {advice.budget if advice.budget is not None else '-'}"
            f" {advice.currency}, plan cost {advice.cost:g} {advice.currency}.\n"
            f"# Run it: tousrisques run plan.yaml --compare {moved(s.path)}\n")
    return head + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
