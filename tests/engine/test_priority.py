"""``service_rank`` sums what hangs on each asset up the feeding trees; checked against the
plain loop over the breadth-first order that it replaced (one node at a time, deepest
first), on a territory with long feeders and meshes."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from tousrisques import load_compiled
from tousrisques.engine import NO_CLASS, service_rank
from tousrisques.engine._priority import _tree, _zone_alternatives
from tousrisques.territory import CompiledTerritory
from tousrisques.territory.synthetic import write_synthetic


def plain_rank(c: CompiledTerritory, site_class: np.ndarray) -> np.ndarray:
    """The same ranking, one node at a time (the reference)."""
    cls = site_class.astype(np.int64).copy()
    req = c.requires
    owner_of_alt = np.repeat(req.owner, np.diff(req.alt_ptr)).astype(np.int64)
    np.minimum.at(cls, req.alt.astype(np.int64), cls[owner_of_alt])
    share = _zone_alternatives(c)
    people = np.asarray(share.T @ c.population).ravel()
    weak = np.asarray(share.T @ c.vulnerable).ravel()
    for layer in c.layers:
        members = layer.members.astype(np.int64)
        parent, depth = _tree(layer.adjacency, layer.sources.astype(bool), members, None)
        order = np.argsort(depth, kind="stable")
        for arr in (people, weak):
            sub = arr[members]
            for node in order[::-1]:
                if parent[node] >= 0:
                    sub[parent[node]] += sub[node]
            arr[members] = sub
        sub = cls[members]
        for node in order[::-1]:
            p = parent[node]
            if p >= 0:
                sub[p] = min(sub[p], sub[node])
        cls[members] = sub
    order = np.lexsort([np.arange(c.n_assets), -people, -weak, cls])
    rank = np.empty(c.n_assets, np.int64)
    rank[order] = np.arange(c.n_assets)
    return rank


def test_the_tree_gives_parents_before_children_and_depths() -> None:
    # 0 source - 1 - 2 - 3, and 1 - 4; 5 alone
    adj = sp.csr_matrix(([1] * 8, ([0, 1, 1, 2, 2, 3, 1, 4], [1, 0, 2, 1, 3, 2, 4, 1])),
                        shape=(6, 6))
    parent, depth = _tree(adj, np.array([1, 0, 0, 0, 0, 0], bool), np.arange(6), None)
    assert parent.tolist() == [-1, 0, 1, 2, 1, -1]
    assert depth.tolist()[:5] == [0, 1, 2, 3, 2]


@pytest.mark.parametrize("assets", [3_000, 20_000])
def test_the_rank_equals_the_plain_loop(tmp_path, assets: int) -> None:
    write_synthetic(tmp_path / "t", n_assets=assets, seed=3)
    c = load_compiled(tmp_path / "t")
    rng = np.random.default_rng(assets)
    cls = np.where(rng.random(c.n_assets) < 0.02, rng.integers(0, 5, c.n_assets), NO_CLASS)
    assert np.array_equal(service_rank(c, cls), plain_rank(c, cls))


def test_the_rank_on_the_template_puts_the_source_before_its_branches() -> None:
    c = load_compiled("src/tousrisques/templates/petite-ville")
    ids = c.asset_ids.to_pylist()
    rank = service_rank(c, np.full(c.n_assets, NO_CLASS))
    assert np.array_equal(rank, plain_rank(c, np.full(c.n_assets, NO_CLASS)))
    assert rank[ids.index("PS-ELBEUF")] < rank[ids.index("T-NORD")]
