"""The French catalog is complete and in step with the code; numbers follow each locale."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages import frontend
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from tousrisques.report import _i18n
from tousrisques.report._i18n import Formats, check_lang, translations

ROOT = Path(__file__).resolve().parents[2]
NNBSP, NBSP = "\u202f", "\u00a0"


def _catalog():  # type: ignore[no-untyped-def]
    with _i18n.catalog_path("fr").open("rb") as fp:
        return read_po(fp, locale="fr", domain=_i18n.DOMAIN)


def _key(msgid: str | tuple[str, ...]) -> str:
    return msgid[0] if isinstance(msgid, tuple) else msgid


def _extracted() -> dict[str, str | tuple[str, ...]]:
    """Every message the package's code and the templates ask for, found as ``pybabel
    extract`` would find it with the repository's ``babel.cfg``."""
    parse_cfg = getattr(frontend, "parse_mapping_cfg", None) or frontend.parse_mapping
    with open(ROOT / "babel.cfg", encoding="utf-8") as f:
        method_map, options_map = parse_cfg(f)
    found: dict[str, str | tuple[str, ...]] = {}
    for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT, method_map, options_map):
        found[_key(message)] = message
    return found


def test_every_french_message_is_translated() -> None:
    catalog = _catalog()
    assert not catalog.fuzzy
    messages = [m for m in catalog if m.id]
    assert len(messages) > 100
    for m in messages:
        assert not m.fuzzy, m.id
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        assert all(s.strip() for s in strings), m.id
    assert list(catalog.obsolete) == []
    # placeholders and plural forms agree with the English ids
    assert list(catalog.check()) == []


def test_the_catalog_holds_exactly_the_messages_of_the_code() -> None:
    extracted = _extracted()
    catalog = {_key(m.id): m for m in _catalog() if m.id}
    assert len(extracted) > 100  # both the Python modules and the template were read
    missing = sorted(set(extracted) - set(catalog))
    assert missing == [], "run the update of docs/report.md and translate: " + repr(missing)
    stale = sorted(set(catalog) - set(extracted))
    assert stale == [], "messages no longer used: " + repr(stale)
    for key, message in extracted.items():  # singular and plural ids alike
        assert message == catalog[key].id, key


def test_french_translations_are_loaded_from_the_po_file() -> None:
    fr = translations("fr")
    assert fr.gettext("Key figures") == "Chiffres clés"
    assert fr.ngettext("%(num)s Monte Carlo run", "%(num)s Monte Carlo runs", 1) == \
        "%(num)s tirage Monte-Carlo"
    assert fr.ngettext("%(num)s Monte Carlo run", "%(num)s Monte Carlo runs", 2) == \
        "%(num)s tirages Monte-Carlo"
    assert translations("en").gettext("Key figures") == "Key figures"
    assert translations("fr") is fr  # compiled once


def test_check_lang_names_the_choices() -> None:
    assert check_lang("fr") == "fr"
    with pytest.raises(ValueError, match="en, fr"):
        check_lang("es")


@pytest.mark.parametrize(("lang", "x", "text"), [
    ("fr", 0.61, f"61{NNBSP}%"), ("en", 0.61, "61%"), ("fr", 1.0, f"100{NNBSP}%"),
    ("en", 0.0, "0%"), ("en", 0.001, "<1%"), ("fr", 0.001, f"<{NNBSP}1{NNBSP}%"),
    ("en", 0.997, ">99%"), ("en", float("nan"), "—"), ("en", None, "—"),
])
def test_shares(lang: str, x: float | None, text: str) -> None:
    assert Formats(lang).share(x) == text


@pytest.mark.parametrize(("lang", "h", "text"), [
    ("fr", 4, f"4{NNBSP}h"), ("en", 4, f"4{NBSP}h"), ("fr", 4.5, f"4{NNBSP}h{NNBSP}30"),
    ("en", 4.5, f"4{NBSP}h{NBSP}30{NBSP}min"), ("fr", 0.25, f"15{NNBSP}min"),
    ("en", 0, f"0{NBSP}h"), ("en", 1.999, f"2{NBSP}h"), ("fr", 1000, f"1{NNBSP}000{NNBSP}h"),
])
def test_hours(lang: str, h: float, text: str) -> None:
    assert Formats(lang).hours(h) == text


def test_numbers_seconds_ranges_differences_and_dates() -> None:
    fr, en = Formats("fr"), Formats("en")
    assert fr.number(1234.56) == f"1{NNBSP}234,6" and en.number(1234.56) == "1,234.6"
    assert fr.seconds(45) == f"45{NNBSP}s" and en.seconds(150) == f"2{NBSP}min{NBSP}30{NBSP}s"
    assert en.seconds(float("inf")) == "∞" and en.seconds(7200) == f"2{NBSP}h"
    assert fr.share_range(0.55, 0.68) == f"55–68{NNBSP}%"
    assert en.range(3, 7.5, "count") == "3–7.5"
    assert en.diff(0.72, 0.9, "share") == f"+18{NBSP}pts"
    assert fr.diff(12.4, 3, "count") == "−9,4" and en.diff(1, 1, "count") == "0"
    assert fr.datetime("2025-01-05T04:00:00+01:00") == "5 janvier 2025, 04:00 (UTC+01:00)"
    assert en.datetime("2025-01-05T04:00:00") == "5 January 2025, 04:00"
    assert en.datetime("yesterday") == "yesterday"
