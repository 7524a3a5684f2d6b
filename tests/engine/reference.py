"""A plain reference of DESIGN §3 with networkx: per asset, per group, per layer, in Python.

Slow and obvious on purpose; the engine must agree with it on every territory.
"""

from __future__ import annotations

from collections.abc import Sequence

import networkx as nx

Groups = Sequence[tuple[int, Sequence[int], float]]
LayerSpec = tuple[Sequence[int], Sequence[tuple[int, int]], Sequence[bool]]


def reference_fixed_point(n: int, groups: Groups, layers: Sequence[LayerSpec],
                          damaged: set[int], excused: set[int] | None = None) -> set[int]:
    """Working assets: start from all undamaged, remove what breaks a rule, until stable.

    ``excused`` holds the indices (in ``groups``) of groups on backup.
    """
    excused = excused or set()
    graphs = []
    for members, edges, sources in layers:
        g = nx.Graph()
        g.add_nodes_from(members)
        g.add_edges_from(edges)
        graphs.append((g, {m for m, s in zip(members, sources, strict=True) if s}))
    working = set(range(n)) - damaged
    while True:
        # requirement groups, until nothing more falls (the engine's documented order, which
        # matters only for the largest-component rule: it is not monotone)
        while True:
            keep = set(working)
            for k, (owner, alts, _) in enumerate(groups):
                if owner in keep and k not in excused and not any(a in working for a in alts):
                    keep.discard(owner)
            if keep == working:
                break
            working = keep
        cut = set()
        for g, sources in graphs:
            sub = g.subgraph(x for x in g.nodes if x in working)
            comps = list(nx.connected_components(sub))
            if sources:
                fed = set().union(*(c for c in comps if c & sources)) if comps else set()
            else:
                # the largest component; ties go to the one holding the smallest asset index
                # (a compiled territory's engine ranks asset ids in string order instead)
                fed = max(comps, key=lambda c: (len(c), -min(c)), default=set())
            cut |= set(sub.nodes) - fed
        if not cut:
            return working
        working = working - cut

