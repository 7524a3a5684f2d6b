"""What every command shares: consoles, options, language, turning bad input into a message
and exit code 1 (usage errors are typer's, exit 2)."""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.text import Text as RichText

from tousrisques._atomic import refuse_to_replace
from tousrisques._durations import parse_duration
from tousrisques._exceptions import InputError, ValidationError
from tousrisques._i18n import N_, Formats
from tousrisques._ui_text import default_lang, t

# names come from users' files: no markup, no :emoji: codes, no highlighting
# an escape sequence (CSI: colours, cursor moves; OSC: links, window titles, up to BEL or ST;
# any other ESC pair), or one control character other than newline and tab (C0, DEL, C1)
_CONTROL = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]?|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
                      r"|\x1b[ -~]?|[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean(text: str) -> str:
    """``text`` safe for a terminal: each escape sequence and control character (but the
    newlines and tabs) shown as its Python escape, so that a name from a user's file can
    neither colour, move, retitle nor link the terminal, and still be found in the file
    (``"\\x1b[31m"`` is printed as the eight characters ``\\x1b[31m``).
    """
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


class _Console(Console):
    """A console whose every printed text and rich Text goes through :func:`clean`."""

    def print(self, *objects: Any, **kwargs: Any) -> None:
        super().print(*(clean(o) if isinstance(o, str)
                        else _clean_text(o) if isinstance(o, RichText) else o
                        for o in objects), **kwargs)


def _clean_text(text: RichText) -> RichText:
    if not _CONTROL.search(text.plain):
        return text
    return RichText(clean(text.plain), style=text.style)


out = _Console(highlight=False, soft_wrap=True, emoji=False)
err = _Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)
ROOT = Path(__file__).resolve().parents[3]
TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
EXAMPLE = TEMPLATES / "petite-ville"
ROUEN = ROOT / "examples" / "rouen"


def rouen_sample() -> Path:
    """The Rouen sample: the committed copy in a clone, or else built once from the package's
    data (what an installed tousrisques has) into the user's temporary folder."""
    if (ROUEN / "territory.yaml").is_file():
        return ROUEN
    from tousrisques import __version__
    from tousrisques.territory.samples.rouen import build

    folder = Path(tempfile.gettempdir()) / f"tousrisques-{__version__}-rouen"
    if not (folder / "territory.yaml").is_file():
        build(folder, replace=True)
    return folder


class Lang(StrEnum):
    fr = "fr"
    en = "en"


#: the --lang given before the command, set by the application's callback at each call
ROOT_LANG: list[str | None] = [None]
LangOpt = Annotated[Lang | None, typer.Option(
    "--lang", help=N_("Language: fr or en (default from TOUSRISQUES_LANG, LC_ALL or LANG)."))]
JsonOpt = Annotated[bool, typer.Option("--json", help=N_("Machine-readable JSON on stdout."))]


def plain(text: str) -> RichText:
    """A text shown as written: a name such as ``[red]`` from a user's file is not rich
    markup (for table cells and titles; ``print`` takes ``markup=False``), without
    control characters (:func:`clean`)."""
    return RichText(clean(text))


def lang_of(lang: Lang | None) -> str:
    """The language of a command: its --lang, else the --lang given before the command
    (``tousrisques --lang fr run …``), else :func:`default_lang`."""
    return lang.value if lang else ROOT_LANG[0] or default_lang()


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
    else:
        text = exc.render(lang) if isinstance(exc, InputError) else str(exc)
        if as_json:
            emit_json({"ok": False, "path": str(path), "error": text,
                       "code": exc.code if isinstance(exc, InputError) else None})
        else:
            err.print(text, style="red", markup=False)
    raise typer.Exit(1)


def inputs_changed(paths: tuple[str, ...] | list[str], lang: str) -> None:
    """Say on stderr that inputs of a run folder changed since the run (the copies it keeps
    are used)."""
    if paths:
        shown = ", ".join(paths[:3]) + (f" (+{len(paths) - 3})" if len(paths) > 3 else "")
        err.print(t("inputs_changed", lang, paths=shown), style="yellow", markup=False)


def hours_list(text: str | None, option: str, lang: str, as_json: bool = False
               ) -> list[float] | None:
    """``"4h,12h,2d"`` → hours; a clear message and exit 1 on a bad duration."""
    if not text:
        return None
    try:
        hours = [parse_duration(part.strip()) / 3600 for part in text.split(",")
                 if part.strip()]
    except (ValueError, InputError) as exc:
        fail(option, t("bad_duration", lang, option=option, value=text, detail=exc), lang,
             as_json)
    if not hours:  # ",,," is no choice: say so rather than silently take the default
        fail(option, t("at_none", lang, option=option, value=text), lang, as_json)
    return hours


def seconds(text: str | None, option: str, lang: str, as_json: bool = False) -> float | None:
    if text is None:
        return None
    try:
        return parse_duration(text)
    except (ValueError, InputError) as exc:
        fail(option, t("bad_duration", lang, option=option, value=text, detail=exc), lang,
             as_json)


def check_hours(hours: list[float] | None, end_s: float, text: str | None, lang: str,
                as_json: bool, option: str = "--at") -> None:
    """Times chosen with ``option`` must lie within the scenario."""
    if hours and max(hours) * 3600 > end_s + 1e-6:
        fmt = Formats(lang)
        fail(option, t("at_out_of_range", lang, at=text, start=fmt.hours(0),
                       end=fmt.hours(end_s / 3600)), lang, as_json)


def check_output(path: Path, lang: str, as_json: bool, *, folder: bool = False) -> None:
    """Refuse, before any work, an output that cannot be written: a folder where a file is
    wanted (or a file where a folder is), or a path under a file."""
    if folder and path.exists() and not path.is_dir():
        fail(path, t("output_not_folder", lang, path=path), lang, as_json)
    if not folder and path.is_dir():
        fail(path, t("output_is_folder", lang, path=path), lang, as_json)
    parent = Path(os.path.abspath(path)).parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        fail(path, t("output_under_file", lang, path=path, parent=parent), lang, as_json)
    if not os.access(parent, os.W_OK | os.X_OK):  # a read-only folder: say so before the work
        fail(path, t("cannot_write", lang, path=path,
                     detail=t("permission_denied", lang, path=parent)), lang, as_json)


def check_replace(folder: Path, force: bool, lang: str, as_json: bool, *,
                  marker: str | None = None) -> None:
    """An existing folder is replaced only with --force, and only when it holds ``marker``
    (a run folder its summary.json, a territory its territory.yaml) or nothing: --force
    never deletes a folder of something else."""
    check_output(folder, lang, as_json, folder=marker is not None)
    try:
        refuse_to_replace(folder, replace=force, marker=marker)
    except InputError as exc:
        fail(folder, exc, lang, as_json)


@contextmanager
def writing(path: Path, lang: str, as_json: bool) -> Iterator[None]:
    """A refusal of the system (no right to write there, disk full) as a message, exit 1."""
    try:
        yield
    except OSError as exc:
        fail(path, t("cannot_write", lang, path=path, detail=exc.strerror or exc), lang,
             as_json)
