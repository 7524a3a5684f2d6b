"""Asset ids to rows in one vectorised lookup, and shell patterns matched in C exactly as
fnmatch matches them."""

from __future__ import annotations

import fnmatch

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tousrisques.territory import load_territory
from tousrisques.territory._globs import glob_regex
from tousrisques.territory._model import AssetTable

from ..conftest import MakeTerritory

NAMES = ["", "a", "ab", "abc", "a-b", "a]b", "a[b", "a*b", "a?b", "!a", "^a", "b", "ba", "z",
         "a\\b", "é", "éa", "a.b", "a\nb", "[", "]", "-", "aXbYc", "abcabc", "a&b", "a~b"]
TRICKY = ["a*", "*", "?", "a?b", "a*b*c", "[!a]*", "[]a]*", "[!]a]", "[z-a]", "[a-]", "[-a]",
          "x[", "a[b", "[^a]", "[!]", "[[]", "a\\b", "a\\*", "*.[ch]", "é*", "?a*", "**",
          "[a-c]?", "[&~|]*", "a[!-]b", "a[--0]b", "*\n*", "[\\]]"]


def _match(pattern: str, names: list[str]) -> list[bool]:
    got = pc.match_substring_regex(pa.array(names, pa.string()), glob_regex(pattern))
    return [bool(x) for x in got.to_pylist()]


@pytest.mark.parametrize("pattern", TRICKY)
def test_glob_regex_matches_what_fnmatch_matches(pattern: str) -> None:
    assert _match(pattern, NAMES) == [fnmatch.fnmatchcase(n, pattern) for n in NAMES]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab*?[]!^-\\é.", max_size=8),
       st.lists(st.text(alphabet="ab]![-\\é.", max_size=6), min_size=1, max_size=20))
def test_glob_regex_agrees_with_fnmatch_on_any_pattern(pattern: str, names: list[str]) -> None:
    assert _match(pattern, names) == [fnmatch.fnmatchcase(n, pattern) for n in names]


@pytest.fixture
def assets(make_territory: MakeTerritory) -> AssetTable:
    return load_territory(make_territory()).assets


def test_rows_of_is_a_dict_lookup(assets: AssetTable) -> None:
    ids = assets.ids.to_pylist()
    plain = {x: i for i, x in enumerate(ids)}
    asked = [*reversed(ids), "nope", ids[0], "", ids[-1], ids[0]]
    assert assets.rows_of(asked).tolist() == [plain.get(x, -1) for x in asked]
    assert assets.rows_of(pa.array(asked)).tolist() == [plain.get(x, -1) for x in asked]
    assert assets.rows_of([]).tolist() == []
    assert assets.rows_of(pa.array([ids[1], None], pa.string())).tolist() == [1, -1]
    assert assets.rows_of(["nope"]).dtype == np.int64


def test_row_of_one_id(assets: AssetTable) -> None:
    ids = assets.ids.to_pylist()
    assert [assets.row_of(x) for x in ids] == list(range(len(ids)))
    with pytest.raises(KeyError):
        assets.row_of("nope")


def test_rows_matching_in_table_order(assets: AssetTable) -> None:
    ids = assets.ids.to_pylist()
    for pattern in ["*", "?1", "[ST]*", "[!S]*", "nothing*"]:
        assert assets.rows_matching(pattern).tolist() == \
            [i for i, x in enumerate(ids) if fnmatch.fnmatchcase(x, pattern)]
