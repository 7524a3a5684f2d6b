"""The compact requirement syntax, row by row and a whole column at a time."""

from __future__ import annotations

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tousrisques.territory import Group, format_compact, parse_compact, parse_groups
from tousrisques.territory._requires import RequiresSyntaxError
from tousrisques.territory._requires_column import parse_column


@pytest.mark.parametrize(("text", "groups"), [
    ("", ()),
    ("T12", (Group(("T12",)),)),
    ("T12@2h; B3|B4", (Group(("T12",), 7200.0), Group(("B3", "B4")))),
    ("  A | B @ 90m ;C", (Group(("A", "B"), 5400.0), Group(("C",)))),
    ("A;", (Group(("A",)),)),
    ("A@PT15M", (Group(("A",), 900.0),)),
    ("A@1d", (Group(("A",), 86400.0),)),
])
def test_parse_compact(text: str, groups: tuple[Group, ...]) -> None:
    assert parse_compact(text) == groups


@pytest.mark.parametrize(("text", "fragment"), [
    ("A||B", "empty alternative"),
    ("A;;B", "empty group"),
    ("A@2x", "not a duration"),
    ("A@2h@3h", "'@' appears twice"),
    ("@2h", "names no asset"),
    ("A B", "is not an id"),
    ("A@", "not a duration"),
    ("A@2", "not a duration"),
])
def test_parse_compact_refuses(text: str, fragment: str) -> None:
    with pytest.raises(RequiresSyntaxError, match=fragment):
        parse_compact(text)


def test_list_form_and_compact_form_agree() -> None:
    as_list = parse_groups([{"any_of": ["T12"], "backup_hours": 2}, "B3|B4",
                            {"any_of": "X", "backup": "30m"}])
    assert as_list == parse_compact("T12@2h; B3|B4; X@30m")


@pytest.mark.parametrize("value", [
    42, [{"any_of": []}], [{"any_of": ["A"], "backup_hours": -1}], [{"anyof": ["A"]}],
    ["A;B"], [3], [{"any_of": ["A B"]}], [{"any_of": ["A"], "backup": "soon"}],
])
def test_list_form_refuses(value: object) -> None:
    with pytest.raises(RequiresSyntaxError):
        parse_groups(value)


ids = st.text(alphabet="ABCT0123_-.", min_size=1, max_size=4)
durations = st.sampled_from(["2h", "90m", "1d", "PT15M", "45s", "1h30m"])
group = st.tuples(st.lists(ids, min_size=1, max_size=3), st.none() | durations)


@given(st.lists(group, max_size=4))
def test_format_then_parse_round_trips(groups: list[tuple[list[str], str | None]]) -> None:
    text = "; ".join("|".join(alts) + (f"@{d}" if d else "") for alts, d in groups)
    parsed = parse_compact(text)
    assert parse_compact(format_compact(parsed)) == parsed
    assert [list(g.any_of) for g in parsed] == [alts for alts, _ in groups]


def _row_by_row(cells: list[str]) -> tuple[list[tuple[int, tuple[str, ...], float | None]],
                                           set[int]]:
    rows, bad = [], set()
    for i, cell in enumerate(cells):
        try:
            rows.extend((i, g.any_of, g.backup_s) for g in parse_compact(cell))
        except RequiresSyntaxError:
            bad.add(i)
    return rows, bad


@settings(max_examples=300)
@given(st.lists(st.text(alphabet="AB1;|@ 2hm,", max_size=12), max_size=12))
def test_column_parser_agrees_with_the_row_parser(cells: list[str]) -> None:
    """The vectorised parser either gives exactly the row parser's groups, or hands the row
    back to it; it never accepts what the row parser refuses."""
    groups, redo = parse_column(pa.array(cells, type=pa.string()))
    expected, refused = _row_by_row(cells)
    assert refused <= set(redo.tolist())
    got = []
    for g in range(len(groups.owner)):
        alts = tuple(groups.alt_ids[groups.alt_ptr[g]:groups.alt_ptr[g + 1]].to_pylist())
        b = groups.backup_s[g]
        got.append((int(groups.owner[g]), alts, None if b != b else float(b)))
    redone = set(redo.tolist())
    assert got == [row for row in expected if row[0] not in redone]
