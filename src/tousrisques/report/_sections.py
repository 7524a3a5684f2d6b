"""Rows of the report's tables and lists, formatted for one language.

The template only lays these out; the choices of what to show (which time is nearest a map
time, how a causal chain nests, which figures a hazard row holds) are made here, where a
test can reach them without HTML.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from babel.support import NullTranslations

from tousrisques.report._data import ActorRow, ReportData, Step
from tousrisques.report._i18n import Formats, pick
from tousrisques.report._words import cause, chain_reason, hazard_model, method_facts


def nearest(times_h: list[float], t: float) -> int:
    """The index of the time of ``times_h`` nearest ``t`` (-1 when there is none).

    >>> nearest([0.0, 1.0, 2.0], 1.4)
    1
    """
    if not times_h:
        return -1
    return min(range(len(times_h)), key=lambda i: abs(times_h[i] - t))


def kind_labels(data: ReportData, lang: str) -> dict[str, str]:
    """The name of each asset kind in ``lang``, as the map's assets give it."""
    return {a.kind: pick(a.kind_label, lang) for a in data.maps.assets}


#: the most actors whose strips the report draws (the others are in the run folder's files)
MOST_STRIPS = 8


def exceptions(data: ReportData, tr: NullTranslations, fmt: Formats, *,
               strip: Callable[[ActorRow, int], Any]) -> list[dict[str, Any]]:
    """The actors cut off from every crisis cell in most runs at some moment (crisis cells
    first, then the lowest), at most :data:`MOST_STRIPS`: name, role, the strip ``strip``
    draws, the channels it loses (available in fewer than half of the runs at a map time,
    having had them at the start) and those it never had (planned, not yet there)."""
    lang = fmt.lang
    cut = [(i, a) for i, a in enumerate(data.actors) if a.connected and min(a.connected) < 0.5]
    cut.sort(key=lambda ia: (not ia[1].crisis_cell, min(ia[1].connected), ia[0]))
    rows = []
    for i, a in cut[:MOST_STRIPS]:
        lost = [pick(c.label, lang) for c in a.channels
                if not c.absent and any(k < 0.5 for k in c.kept)]
        absent = [pick(c.label, lang) for c in a.channels if c.absent]
        rows.append({"name": a.name, "role": pick(a.role_label, lang),
                     "crisis_cell": a.crisis_cell, "strip": strip(a, i),
                     "lost": ", ".join(lost), "absent": ", ".join(absent)})
    return rows


@dataclass
class StepNode:
    """A step of a causal chain with the steps that explain it; ``gap`` when the steps
    between it and the chain's subject were left out of the data."""

    step: Step
    text: dict[str, str]
    children: list[StepNode] = field(default_factory=list)
    gap: bool = False


def chain_tree(steps: list[Step]) -> list[StepNode]:
    """Nest the breadth-first steps of a chain: each step under the latest step one level
    up that waited for it (or, failing that, the latest step one level up). A step with no
    step one level up (a first cause far down a long chain whose middle was left out) is
    put last at the top, marked ``gap``, rather than under a parent it may not have."""
    roots: list[StepNode] = []
    gaps: list[StepNode] = []
    placed: list[StepNode] = []
    for s in steps:
        node = StepNode(s, {})
        parents = [p for p in placed if p.step.depth == s.depth - 1]
        named = [p for p in placed if s.parent is not None and p.step.asset == s.parent]
        parent = named[-1] if named else next(
            (p for p in reversed(parents) if s.asset in p.step.because),
            parents[-1] if parents else None)
        if s.depth <= 0 or (parent is None and not placed):
            roots.append(node)
        elif parent is None:
            node.gap = True
            gaps.append(node)
        else:
            parent.children.append(node)
        placed.append(node)
    return roots + gaps


def chains(data: ReportData, tr: NullTranslations, fmt: Formats) -> list[dict[str, Any]]:
    """Each chain with its heading words and its nested steps in words."""
    lang = fmt.lang
    names = {a.id: a.name or a.id for a in data.maps.assets}
    hazards = data.method.hazards
    out = []
    for c in data.chains:
        local = names | {s.asset: s.name or s.asset for s in c.steps}
        tree = chain_tree(c.steps)

        def fill(nodes: list[StepNode], local: dict[str, str] = local) -> None:
            for n in nodes:
                n.text = {"name": n.step.name, "asset": n.step.asset,
                          "skipped": tr.ngettext(
                              "%(num)s link of the same network, cut in cascade, left out",
                              "%(num)s links of the same network, cut in cascade, left out",
                              n.step.skipped) % {"num": fmt.integer(n.step.skipped)}
                          if n.step.skipped else "",
                          "kind": pick(n.step.kind_label, lang),
                          "time": fmt.moment(n.step.time_h),
                          "cause": cause(lang, n.step, hazards, local)}
                fill(n.children)

        fill(tree)
        out.append({"subject": c.subject_name or c.subject, "id": c.subject,
                    "time": fmt.moment(c.at_h), "reason": chain_reason(tr, c), "steps": tree})
    return out


def method(data: ReportData, tr: NullTranslations, fmt: Formats) -> dict[str, Any]:
    """The method section's hazards, mitigations, repairs and settings."""
    m = data.method
    # every kind the territory names, then those the maps draw (hand-made data)
    kinds = kind_labels(data, fmt.lang) | {k: pick(v, fmt.lang)
                                           for k, v in m.kind_labels.items()}
    return {
        "hazards": [{"name": pick(h.name, fmt.lang), "id": h.id,
                     "model": hazard_model(tr, h.model),
                     "kinds": ", ".join(kinds.get(k, k) for k in h.kinds),
                     "exposed": fmt.integer(h.assets_exposed),
                     "damaged": fmt.number(h.expected_damaged)} for h in m.hazards],
        "mitigations": list(m.mitigations),
        "repairs": sorted((kinds.get(k, k), fmt.hours(median) + (
            "" if beta is None else f", β\u00a0{fmt.number(beta)}"))
            for k, (median, beta) in m.repairs.items()),
        "facts": method_facts(tr, fmt, m),
    }
