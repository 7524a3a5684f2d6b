"""The command line: parses, calls the core, prints. Exit codes: 0 ok, 1 bad input, 2 usage,
3 internal error (a bug: please report it)."""

from __future__ import annotations

import os
import sys

from typer.models import CommandInfo

from tousrisques._exceptions import TousrisquesError
from tousrisques._ui_text import argv_lang, t
from tousrisques.cli import (  # noqa: F401  (they register commands)
    _advise,
    _exercise,
    _inspect,
    _run,
    _serve,
    _territory,
)
from tousrisques.cli._app import app
from tousrisques.cli._common import emit_json, err

__all__ = ["app", "main"]

# --help lists the commands in the order of the work: try, start, check, run, read, share
ORDER = ("demo", "init", "validate", "run", "report", "explain", "compare", "criticality",
         "export", "compile", "synthetic")


def _name(command: CommandInfo) -> str:
    name = command.name or getattr(command.callback, "__name__", "")
    return str(name).rstrip("_").replace("_", "-")


app.registered_commands.sort(key=lambda c: ORDER.index(_name(c)) if _name(c) in ORDER
                             else len(ORDER))


def main() -> None:
    """Entry point: no traceback for the user, a message and an exit code (with --json, the
    message as a JSON document on stdout too, so that a script always reads JSON)."""
    as_json = "--json" in sys.argv[1:]
    try:
        app(standalone_mode=True)
    except TousrisquesError as exc:
        text = exc.render(argv_lang(sys.argv[1:]))
        err.print(text, style="red", markup=False)
        if as_json:
            emit_json({"ok": False, "error": text, "code": exc.code})
        sys.exit(1)
    except Exception as exc:
        if os.environ.get("TOUSRISQUES_DEBUG"):
            raise
        message = t("internal", argv_lang(sys.argv[1:]), detail=f"{type(exc).__name__}: {exc}")
        err.print(message, style="red", markup=False)
        if as_json:
            emit_json({"ok": False, "error": message, "internal": True})
        sys.exit(3)
