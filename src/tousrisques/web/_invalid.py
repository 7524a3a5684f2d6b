"""The words of a malformed request (422): each of Pydantic's problems said in the request's
language, with the field it is about and what would be right.

Pydantic's own message stays in ``msg`` for the common types it names in English only when
the request prefers English and the type is not one of ours; the types an exercise's bodies
meet (a missing or unknown field, a text too long or empty, a number out of range, a value
not among the allowed ones, malformed JSON) have their own message in both languages.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tousrisques._i18n import N_, gettext

__all__ = ["invalid_details"]

#: Pydantic error type → message template (the French is in the package's catalog)
_WORDS: dict[str, str] = {
    "missing": N_("{field}: required, and missing"),
    "extra_forbidden": N_("{field}: not a field of this request (who sends it comes from the "
                          "token)"),
    "string_too_long": N_("{field}: at most {max_length} characters"),
    "string_too_short": N_("{field}: at least {min_length} character(s)"),
    "too_long": N_("{field}: at most {max_length} items"),
    "too_short": N_("{field}: at least {min_length} item(s)"),
    "string_type": N_("{field}: a text is expected"),
    "string_pattern_mismatch": N_("{field}: characters that are not allowed here"),
    "int_type": N_("{field}: a whole number is expected"),
    "int_parsing": N_("{field}: a whole number is expected"),
    "int_from_float": N_("{field}: a whole number is expected"),
    "float_type": N_("{field}: a number is expected"),
    "float_parsing": N_("{field}: a number is expected"),
    "finite_number": N_("{field}: a finite number is expected"),
    "bool_type": N_("{field}: true or false is expected"),
    "list_type": N_("{field}: a list is expected"),
    "dict_type": N_("{field}: an object is expected"),
    "model_type": N_("{field}: an object is expected"),
    "greater_than": N_("{field}: more than {gt} is expected"),
    "greater_than_equal": N_("{field}: at least {ge} is expected"),
    "less_than": N_("{field}: less than {lt} is expected"),
    "less_than_equal": N_("{field}: at most {le} is expected"),
    "literal_error": N_("{field}: one of {expected} is expected"),
    "enum": N_("{field}: one of {expected} is expected"),
    "json_invalid": N_("the body is not valid JSON"),
}
_BODY = N_("the body")


def _field(loc: Sequence[Any]) -> str:
    """``body.to.0`` → ``to[0]``: the field, as the request's JSON names it."""
    parts = [p for p in loc if p not in ("body", "query", "path", "header")]
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def invalid_details(errors: Sequence[Mapping[str, Any]], lang: str) -> list[dict[str, Any]]:
    """The problems of a malformed request: ``loc``, ``type`` and ``msg`` in ``lang``.

    Parameters
    ----------
    errors : sequence of mapping
        ``RequestValidationError.errors()``.
    lang : {"en", "fr"}

    Returns
    -------
    list of dict

    Examples
    --------
    >>> e = {"loc": ("body", "text"), "type": "string_too_long", "msg": "String should have…",
    ...      "ctx": {"max_length": 10000}}
    >>> invalid_details([e], "en")[0]["msg"]
    'text: at most 10000 characters'
    >>> invalid_details([{"loc": ("body", "colour"), "type": "extra_forbidden"}], "fr"
    ...                 )[0]["msg"].startswith("colour")
    True
    """
    out = []
    for e in errors:
        loc = list(e.get("loc", ()))
        kind = str(e.get("type", ""))
        template = _WORDS.get(kind)
        field = _field(loc) or gettext(_BODY, lang)
        if template is None:
            msg = f"{field}: {e.get('msg', '')}"
        else:
            params = {k: v for k, v in dict(e.get("ctx") or {}).items()
                      if isinstance(v, str | int | float)}
            try:
                msg = gettext(template, lang).format(field=field, **params)
            except (KeyError, IndexError, ValueError):
                msg = f"{field}: {e.get('msg', '')}"
        out.append({"loc": loc, "msg": msg, "type": kind})
    return out
