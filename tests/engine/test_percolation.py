"""The largest-component rule against the theory of (interdependent) network percolation.

Single Erdős–Rényi network of mean degree k, a fraction p of nodes kept at random: the giant
component holds a fraction P = p·S of the nodes, with S = 1 − exp(−k·p·S) (Erdős–Rényi;
Newman, *Networks*, 2010, §16.5 for site percolation on random graphs).

Two ER networks of mean degree k, each node of A depending on one node of B and back
(one-to-one, random), a fraction p of A's nodes kept: the mutually connected giant component
holds P∞ = p·(1 − exp(−k·P∞))² of the nodes, which collapses at k·p_c = 2.4554 (Buldyrev,
Parshani, Paul, Stanley, Havlin, *Catastrophic cascade of failures in interdependent
networks*, Nature 464, 1025–1028, 2010, eq. 4 and Fig. 3).

The expected values are solved here from those equations; the engine is not consulted.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import brentq

from tousrisques.engine import Layer, Network, fixed_point

N = 20_000
K = 4.0


def _er_edges(rng: np.random.Generator, nodes: np.ndarray, k: float) -> np.ndarray:
    m = round(k * len(nodes) / 2)
    a = rng.integers(0, len(nodes), m)
    b = rng.integers(0, len(nodes), m)
    keep = a != b
    return np.stack([nodes[a[keep]], nodes[b[keep]]], axis=1)


def _layer(name: str, nodes: np.ndarray, edges: np.ndarray) -> Layer:
    import scipy.sparse as sp

    local = edges - nodes[0]
    m = len(nodes)
    adj = sp.csr_matrix((np.ones(2 * len(local), np.int8),
                         (np.r_[local[:, 0], local[:, 1]], np.r_[local[:, 1], local[:, 0]])),
                        shape=(m, m))
    return Layer._from_csr(name, nodes, adj, np.zeros(m, bool))


def _single_theory(p: float) -> float:
    if K * p <= 1:
        return 0.0
    s = brentq(lambda s: s - (1 - np.exp(-K * p * s)), 1e-9, 1.0)
    return p * s


def _mutual_theory(p: float) -> float:
    if K * p < 2.4554:
        return 0.0
    grid = np.linspace(1e-6, 1.0, 20001)
    f = grid - p * (1 - np.exp(-K * grid)) ** 2
    roots = np.nonzero(np.diff(np.sign(f)))[0]
    return float(grid[roots[-1]]) if len(roots) else 0.0  # the largest solution


@pytest.mark.parametrize("p", [0.5, 0.7, 0.9])
def test_single_network_giant_component(p: float) -> None:
    rng = np.random.default_rng(1)
    nodes = np.arange(N)
    net = Network.from_lists(N, [], [_layer("A", nodes, _er_edges(rng, nodes, K))])
    damaged = rng.random(N) > p
    share = fixed_point(net, damaged).working.sum() / N
    assert share == pytest.approx(_single_theory(p), abs=0.015)


@pytest.mark.parametrize("p", [0.5, 0.58, 0.7, 0.8, 0.95])
def test_interdependent_networks_mutual_giant_component(p: float) -> None:
    rng = np.random.default_rng(2)
    a = np.arange(N)
    b = np.arange(N, 2 * N)
    partner = rng.permutation(N)
    groups = [(int(i), [int(N + partner[i])], 0.0) for i in range(N)]
    groups += [(int(N + partner[i]), [int(i)], 0.0) for i in range(N)]
    net = Network.from_lists(2 * N, groups, [_layer("A", a, _er_edges(rng, a, K)),
                                             _layer("B", b, _er_edges(rng, b, K))])
    damaged = np.zeros(2 * N, bool)
    damaged[:N] = rng.random(N) > p
    r = fixed_point(net, damaged)
    share = r.working[:N].sum() / N
    expected = _mutual_theory(p)
    assert share == pytest.approx(expected, abs=0.02)
    # the dependencies hold both ways: the same number of nodes survives in B
    assert r.working[N:].sum() == r.working[:N].sum()
    if p < 2.4554 / K:  # below the threshold the whole system collapses
        assert share < 0.01
