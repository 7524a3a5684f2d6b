"""Whatever bytes a user puts in a file, the loader answers with problems, never a crash."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import EXAMPLE
from tousrisques import InputError, ValidationError, load_territory

FILES = sorted(p.relative_to(EXAMPLE).as_posix() for p in EXAMPLE.rglob("*") if p.is_file())
TOKENS = [b",", b";", b"|", b"@", b"\n", b"[", b"]", b"{", b"}", b'"', b"-1", b"nan", b":",
          b"\xe9", b"null", b"true", b"1e999", b"&a ", b"*a", b"!!python/object ", b"\t"]

edit = st.tuples(st.integers(0, 10_000), st.sampled_from(["cut", "insert", "flip"]),
                 st.sampled_from(TOKENS), st.integers(0, 255))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(FILES), st.lists(edit, min_size=1, max_size=4))
def test_mangled_files_give_problems_not_crashes(name: str, edits: list) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "t"
        shutil.copytree(EXAMPLE, folder)
        path = folder / name
        data = bytearray(path.read_bytes())
        for pos, op, token, byte in edits:
            i = pos % (len(data) + 1)
            if op == "cut":
                del data[i:i + 5]
            elif op == "insert":
                data[i:i] = token
            elif data:
                data[i % len(data)] = byte
        path.write_bytes(bytes(data))
        try:
            territory = load_territory(folder)
        except ValidationError as exc:
            assert exc.problems
            for p in exc.problems:
                assert p.render("en") and p.render("fr")
        except InputError:
            pass
        else:
            territory.summary()
            territory.compile()


def test_links_of_a_territory_without_assets_are_problems_not_a_crash(make_territory) -> None:
    """Found by the fuzz test above: with no asset read at all (the list of asset files
    mangled into a single wrong name), the links' ends are unknown ids, said as such."""
    from tests.conftest import MINIMAL

    yaml = MINIMAL["territory.yaml"].replace(
        "assets: [assets/power.geojson, assets/telecom.csv]", "assets: []")
    folder = make_territory(**{"territory.yaml": yaml})
    with pytest.raises(ValidationError) as caught:
        load_territory(folder)
    assert any("links" in str(p.to_dict("en")) for p in caught.value.problems)
