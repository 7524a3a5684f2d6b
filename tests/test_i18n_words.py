"""One bilingual text type for data, one lazy type for our own words: ``Text(en, fr)`` holds
what a user wrote in both languages; ``Msg(msgid, **params)`` is a message id of the catalog
rendered in the reader's language where it is shown (problems, the report, the command line),
and recorded in both languages where an output file keeps it (``summary.json``)."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE, copy_example
from tousrisques._exceptions import ValidationError
from tousrisques._i18n import N_, NNBSP, Msg, Share, Text, both, pick
from tousrisques._problems import Problem
from tousrisques.territory import load_territory, parse_groups

SRC = Path(__file__).resolve().parents[1] / "src" / "tousrisques"


def test_a_message_is_rendered_in_the_language_of_its_reader() -> None:
    m = Msg(N_("no longer alerted by {channel}"), channel=Text("the sirens", "les sirènes"))
    assert m.render("en") == "no longer alerted by the sirens"
    assert m.render("fr") == "qui ne sont plus alertées par les sirènes"
    assert str(m) == m.render("en") == pick(m, "en")
    assert pick(m, "fr") == m.render("fr")
    # a message inside a message, and a share, are said in the same language
    nested = Msg(N_("a kind: {kinds}"), kinds=Msg(N_("a crisis cell")))
    assert nested.render("fr") == "un type\u00a0: une cellule de crise"
    share = Msg(N_("Hours until reach by any channel is back above {share} of its start"),
                share=Share(0.95))
    assert share.render("en").endswith("above 95% of its start")
    assert f"au-dessus de 95{NNBSP}% du départ" in share.render("fr")
    # data and plain strings are left as they are
    assert pick(Text("Storm", "Tempête"), "fr") == "Tempête"
    assert pick("T12", "fr") == "T12" and pick(None, "fr") == ""
    assert both(Msg(N_("a crisis cell"))) == {"en": "a crisis cell",
                                              "fr": "une cellule de crise"}
    assert Msg(N_("line {line}"), line=3) == Msg(N_("line {line}"), line=3) != \
        Msg(N_("line {line}"), line=4)


def test_a_requirement_error_is_a_coded_value_error_in_both_languages() -> None:
    with pytest.raises(ValueError) as info:
        parse_groups([{"any_of": ["T1"], "bakup": "2h"}])
    exc = info.value
    assert getattr(exc, "code", None) == "requires.unknown_keys"
    p = Problem("requires.syntax", "assets/power.geojson", {"text": "T1", "detail": exc},
                feature=2)
    en, fr = p.render("en"), p.render("fr")
    assert "unknown key(s) ['bakup']" in en and 'did you mean "backup"?' in en
    assert "clés inconnues ['bakup']" in fr and "vouliez-vous dire « backup » ?" in fr
    assert "did you mean" not in fr and "unknown" not in fr


def test_a_broken_territory_speaks_french_to_a_french_reader(tmp_path: Path) -> None:
    folder = copy_example(tmp_path)
    (folder / "actors.yaml").write_text("actors: 3\n", encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        load_territory(folder)
    fr, en = info.value.render("fr"), info.value.render("en")
    assert "une liste de actors, ou `actors: [...]`" in fr and "a list" not in fr
    assert "expected a list, got int" in en


def test_summary_records_each_label_in_both_languages(tmp_path: Path) -> None:
    from tousrisques.analysis import make_study
    from tousrisques.results import write_run
    from tousrisques.scenario import load_scenario

    study = make_study(load_scenario(EXAMPLE / "scenarios" / "tempete.yaml"), runs=2, seed=1,
                       rank_assets=False)
    write_run(study, tmp_path / "run")
    summary = json.loads((tmp_path / "run" / "summary.json").read_text(encoding="utf-8"))
    labels = {f["id"]: f["label"] for f in summary["key_figures"]}
    assert labels["reach_any_end"] == {
        "en": "People reached by at least one channel, at the end",
        "fr": "Personnes atteintes par au moins un canal, à la fin"}
    assert labels["recovery"]["fr"].endswith(f"95{NNBSP}% du départ")
    subjects = [f["subject"] for f in summary["findings"] if f["subject"] is not None]
    assert all(set(s) == {"en", "fr"} for s in subjects)


# files whose Text(...) pairs are data written in code (a territory's names)
_DATA = {"territory/samples/rouen.py", "territory/synthetic.py", "cli/_territory.py",
         "territory/_kinds.py"}


def test_our_own_words_are_never_a_bilingual_pair_in_code() -> None:
    """``Text("…", "…")`` with written words is the package speaking twice: a message id
    (``Msg(N_("…"))``) belongs in the catalog instead."""
    pairs = {}
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if rel in _DATA:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id == "Text"
                    and any(isinstance(a, ast.Constant | ast.JoinedStr) for a in node.args)):
                pairs.setdefault(rel, []).append(node.lineno)
    assert pairs == {}
