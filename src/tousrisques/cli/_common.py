"""What every command shares: consoles, options, language, turning bad input into a message
and exit code 1 (usage errors are typer's, exit 2)."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console

from tousrisques._durations import parse_duration
from tousrisques._exceptions import InputError, ValidationError
from tousrisques._ui_text import default_lang, t

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)
ROOT = Path(__file__).resolve().parents[3]
TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
EXAMPLE = TEMPLATES / "petite-ville"
ROUEN = ROOT / "examples" / "rouen"


class Lang(StrEnum):
    fr = "fr"
    en = "en"


LangOpt = Annotated[Lang | None, typer.Option(
    "--lang", help="Language: fr or en (default from TOUSRISQUES_LANG, LC_ALL or LANG).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")]


def lang_of(lang: Lang | None) -> str:
    return lang.value if lang else default_lang()


def emit_json(payload: Any) -> None:
    """JSON on stdout, nothing else there (progress and messages go to stderr)."""
    print(json.dumps(payload, ensure_ascii=False, indent=2, allow_nan=False,
                     default=_json_default))


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON")


def report_problems(exc: ValidationError, path: Path, lang: str, as_json: bool) -> None:
    errors = [p for p in exc.problems if p.severity == "error"]
    warnings = [p for p in exc.problems if p.severity == "warning"]
    if as_json:
        emit_json({"valid": False, "path": str(path),
                   "problems": [p.to_dict(lang) for p in exc.problems]})
        return
    for p in exc.problems:
        style = "red" if p.severity == "error" else "yellow"
        out.print(p.render(lang), style=style, markup=False)
    err.print(t("invalid", lang, path=path, errors=len(errors), warnings=len(warnings)),
              style="bold red", markup=False)


def fail(path: Path | str, exc: InputError | str, lang: str, as_json: bool) -> NoReturn:
    """Print a bad input (every problem when it is a ValidationError) and exit 1."""
    if isinstance(exc, ValidationError):
        report_problems(exc, Path(path), lang, as_json)
    elif as_json:
        emit_json({"ok": False, "path": str(path), "error": str(exc)})
    else:
        err.print(str(exc), style="red", markup=False)
    raise typer.Exit(1)


def hours_list(text: str | None, option: str, lang: str) -> list[float] | None:
    """``"4h,12h,2d"`` → hours; a clear message and exit 1 on a bad duration."""
    if not text:
        return None
    try:
        return [parse_duration(part.strip()) / 3600 for part in text.split(",") if part.strip()]
    except (ValueError, InputError) as exc:
        fail(option, t("bad_duration", lang, option=option, value=text, detail=exc), lang,
             False)


def seconds(text: str | None, option: str, lang: str) -> float | None:
    if text is None:
        return None
    try:
        return parse_duration(text)
    except (ValueError, InputError) as exc:
        fail(option, t("bad_duration", lang, option=option, value=text, detail=exc), lang,
             False)
