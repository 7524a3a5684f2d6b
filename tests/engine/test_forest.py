"""The spanning forests agree with a from-scratch connectivity after every change."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tousrisques.engine import Layer, connected_to_source
from tousrisques.engine._forest import Forest


@st.composite
def histories(draw):
    m = draw(st.integers(1, 40))
    pairs = st.tuples(st.integers(0, m - 1), st.integers(0, m - 1))
    edges = [(a, b) for a, b in draw(st.lists(pairs, max_size=3 * m)) if a != b]
    sources = draw(st.lists(st.booleans(), min_size=m, max_size=m))
    start = draw(st.lists(st.booleans(), min_size=m, max_size=m))
    flips = draw(st.lists(st.lists(st.integers(0, m - 1), min_size=1, max_size=3),
                          max_size=12))
    return m, edges, sources, start, flips


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(histories())
def test_forest_follows_every_change(case) -> None:
    m, edges, sources, start, flips = case
    layer = Layer.from_edges("L", list(range(m)), edges, sources)
    w = np.array(start, bool)
    forest = Forest(layer, w)
    w &= forest.update(w)  # the engine's invariant: a working member is fed
    forest.update(w)
    for flip in flips:
        w = w.copy()
        w[flip] = ~w[flip]
        got = forest.update(w)
        np.testing.assert_array_equal(got, connected_to_source(layer, w))
        w &= got
        forest.update(w)
