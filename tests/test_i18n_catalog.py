"""One way to speak: every message id of the package has its French, with the same
placeholders, and no French is written in Python source outside the catalog."""

from __future__ import annotations

import ast
import contextlib
import re
import string
from functools import cache
from pathlib import Path

import pytest
from babel.messages import frontend
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from tousrisques import _i18n
from tousrisques._messages import MESSAGES, message

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "tousrisques"


@cache
def _catalog() -> Catalog:
    with _i18n.catalog_path("fr").open("rb") as fp:
        return read_po(fp, locale="fr", domain=_i18n.DOMAIN)


@cache
def _extraction() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(file, ids) of every message the code asks for, as ``pybabel extract -F babel.cfg``
    finds them; singular and plural ids as a tuple."""
    parse_cfg = getattr(frontend, "parse_mapping_cfg", None) or frontend.parse_mapping
    with open(ROOT / "babel.cfg", encoding="utf-8") as f:
        method_map, options_map = parse_cfg(f)
    return tuple((file, msg if isinstance(msg, tuple) else (msg,))
                 for file, _line, msg, _comments, _context
                 in extract_from_dir(ROOT, method_map, options_map))


def _extracted() -> dict[str, tuple[str, ...]]:
    return {ids[0]: ids for _file, ids in _extraction()}


def _fields(text: str) -> set[str]:
    """The placeholders of a message: ``{name}`` (str.format) and ``%(name)s``."""
    names = set(re.findall(r"%\((\w+)\)", text))
    with contextlib.suppress(ValueError):  # literal braces (a JSON example): no field
        names |= {f for _lit, f, _spec, _conv in string.Formatter().parse(text) if f}
    return names


def test_the_extraction_sees_every_layer() -> None:
    files = {file for file, _ids in _extraction()}
    assert any(f.startswith("src/tousrisques/report/") for f in files)
    assert "src/tousrisques/_messages.py" in files
    assert len(_extracted()) > 250


def test_every_message_of_the_code_has_its_french() -> None:
    catalog = _catalog()
    missing, untranslated = [], []
    for key, ids in _extracted().items():
        m = catalog.get(key)
        if m is None:
            missing.append(key)
            continue
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        if m.fuzzy or not all(s.strip() for s in strings):
            untranslated.append(key)
        english = ids if len(ids) > 1 else (ids[0],)
        for fr in strings:
            # every French form names the same placeholders as the English (plural forms
            # may leave out the count, as "un" does)
            assert _fields(fr) <= set().union(*map(_fields, english)), (key, fr)
            if len(ids) == 1:
                assert _fields(fr) == _fields(key), (key, fr)
    assert missing == [], "extract and update the catalog (see _messages.py): " + repr(missing)
    assert untranslated == [], "translate: " + repr(untranslated)


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_every_problem_message_speaks_both_languages(code: str) -> None:
    catalog = _catalog()
    for template in MESSAGES[code]:
        m = catalog.get(template)
        assert m is not None and m.string and not m.fuzzy, (code, template)
        assert _fields(m.string) == _fields(template), (code, template, m.string)
    en, fr = message(code, {}, "en"), message(code, {}, "fr")
    if catalog.get(MESSAGES[code][0]).string != MESSAGES[code][0]:
        assert en != fr, code


def test_a_fuzzy_translation_is_not_used(tmp_path: Path) -> None:
    """What ``msgfmt`` does: a fuzzy entry falls back to English."""
    from io import BytesIO

    from babel.messages.mofile import write_mo
    from babel.support import Translations

    catalog = Catalog(locale="fr", domain=_i18n.DOMAIN)
    catalog.add("file '{path}' not found", "fichier « {path} » introuvable", flags=["fuzzy"])
    catalog.add("line", "ligne")
    buf = BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    tr = Translations(buf, domain=_i18n.DOMAIN)
    assert tr.gettext("file '{path}' not found") == "file '{path}' not found"
    assert tr.gettext("line") == "ligne"


# Files that may still hold French in their string constants, and why.
ALLOWED_FRENCH = {
    # data: the names of a real or generated territory, in the language of the place
    "territory/samples/rouen.py", "territory/synthetic.py",
    "territory/samples/_rouen_actors.py", "territory/samples/_rouen_sites.py",
    "territory/samples/_rouen_health.py", "territory/samples/_rouen_grid.py",
    # the French words a user may write for overhead and underground (aérien, souterrain)
    "territory/_construction.py",
    # the scenario a user starts from, written into their folder in both languages
    "cli/_territory.py",
    # the kind catalogue: each kind's label in both languages (data of the model)
    "territory/_kinds.py",
}
# Files not yet moved to the catalog (issue 9, item 4): none left — our own words are
# message ids (``N_``, or a lazy ``Msg`` rendered where shown). The test fails when a listed
# file is clean, so that the set only shrinks.
NOT_YET: set[str] = set()
_FRENCH = re.compile(r"[éèêàçùâîôûœ«»]|\b(le|la|les|des|du|une|est|pas|dans|avec|pour|aucun|"
                     r"vous|ou|et)\b")


def _french_constants(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    found = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                and id(node) not in docstrings):
            text = re.sub(r"\{[^{}]*\}|%\(\w+\)s", "", node.value)  # placeholders are no words
            if _FRENCH.search(text):
                found.append(node.value)
    return found


def test_no_french_in_python_source_outside_the_catalog() -> None:
    offenders, clean = {}, []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if rel in ALLOWED_FRENCH:
            continue
        found = _french_constants(path)
        if found and rel not in NOT_YET:
            offenders[rel] = found[:3]
        if not found and rel in NOT_YET:
            clean.append(rel)
    assert offenders == {}, "move these texts to the catalog (see _messages.py)"
    assert clean == [], "no French left: remove from NOT_YET " + repr(clean)


def test_an_error_speaks_the_language_of_the_reader() -> None:
    from tousrisques._exceptions import CompiledFormatError, InputError

    e = InputError("scenario.none", path="storm.yaml")
    assert str(e) == "storm.yaml: no scenario file here"
    assert e.render("fr") == "storm.yaml\u00a0: aucun fichier de scénario ici"
    assert (e.code, e.params) == ("scenario.none", {"path": "storm.yaml"})
    # a nested error is given in the same language
    inner = InputError("territory.empty", path="t.yaml")
    outer = CompiledFormatError("compiled.unreadable", path="t.npz", detail=inner)
    assert outer.render("fr") == "t.npz\u00a0: pas un territoire compilé (t.yaml\u00a0: vide)"
    # a plain sentence (the transition) is shown as it is
    assert InputError("something odd").render("fr") == "something odd"


# Files whose raises still give a plain English sentence: none left (issue 9, item 4).
RAISES_NOT_YET: set[str] = set()
_ERROR_TYPES = {"InputError", "CompiledFormatError", "TousrisquesError"}


def test_every_error_raised_carries_a_code() -> None:
    from tousrisques._messages import ERRORS

    plain, clean = {}, []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        found = []
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in _ERROR_TYPES):
                continue
            first = node.args[0] if node.args else None
            if not (isinstance(first, ast.Constant) and first.value in ERRORS):
                found.append(node.lineno)
        if found and rel not in RAISES_NOT_YET:
            plain[rel] = found
        if not found and rel in RAISES_NOT_YET:
            clean.append(rel)
    assert plain == {}, "raise InputError(code, **params) with a code of ERRORS"
    assert clean == [], "converted: remove from RAISES_NOT_YET " + repr(clean)


def test_french_typography_in_the_catalog() -> None:
    """A no-break space before a colon, a narrow one before ; ? ! and inside « », as a
    French reader expects (and a line never breaks before the colon)."""
    from babel.messages.pofile import read_po

    with (SRC / "locale" / "fr" / "LC_MESSAGES" / "tousrisques.po").open("rb") as fh:
        catalog = read_po(fh, locale="fr")
    wrong = [m.string for m in catalog if m.id and isinstance(m.string, str)
             and re.search("\u0020[:;?!\u00bb]|\u00ab\u0020", m.string)]
    assert wrong == []
