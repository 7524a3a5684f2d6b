"""Every scenario shipped validates where it stands, and the Rouen library has one copy."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tousrisques.scenario import load_scenario
from tousrisques.territory.samples import rouen

SHIPPED = sorted([*(ROOT / "examples").glob("*/scenarios/*.yaml"),
                  *(ROOT / "src" / "tousrisques" / "templates").glob("*/scenarios/*.yaml")])


def _setup_module():  # the repository's setup.py, which copies the library into a build
    spec = importlib.util.spec_from_file_location("tousrisques_setup", ROOT / "setup.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_there_are_scenarios_to_check() -> None:
    assert len(SHIPPED) >= 7
    assert ROOT / "examples" / "rouen" / "scenarios" / "tempete.yaml" in SHIPPED


@pytest.mark.parametrize("path", SHIPPED, ids=[f"{p.parts[-3]}/{p.stem}" for p in SHIPPED])
def test_every_shipped_scenario_validates_where_it_stands(path: Path) -> None:
    scenario = load_scenario(path)  # raises ValidationError with every problem otherwise
    assert scenario.territory is not None


def test_no_second_copy_of_a_scenario_in_the_sources() -> None:
    """Outside the templates (a territory each, with its scenarios beside it), no scenario
    file lives in the package: a built package gets the Rouen library from setup.py."""
    package = ROOT / "src" / "tousrisques"
    copies = [p for p in package.rglob("*.yaml")
              if "templates" not in p.relative_to(package).parts
              and p.read_text("utf-8").lstrip().find("\nterritory:") >= 0]
    assert copies == []
    assert not (package / "data" / "rouen" / "scenarios").exists()
    assert rouen.CLONE_LIBRARY == ROOT / "examples" / "rouen" / "scenarios"
    assert _setup_module().LIBRARY == rouen.CLONE_LIBRARY


def test_a_built_package_carries_the_library_and_the_builder_reads_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copied = _setup_module().copy_library(tmp_path)
    names = sorted(p.name for p in rouen.CLONE_LIBRARY.glob("*.yaml"))
    assert [p.name for p in copied] == names
    for p in copied:
        assert p.read_bytes() == (rouen.CLONE_LIBRARY / p.name).read_bytes()
    # an installed package: the builder reads its own copy, not a clone's
    (copied[0]).write_text("# the installed copy\n", encoding="utf-8")
    monkeypatch.setattr(rouen.resources, "files", lambda package: tmp_path / package)
    library = dict(rouen.scenario_library())
    assert sorted(library) == names
    assert library[copied[0].name] == "# the installed copy\n"
