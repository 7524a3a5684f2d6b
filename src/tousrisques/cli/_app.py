"""The typer application every command module registers on, and its ``--help`` in the reader's
language.

Every help text (the application's, each command's, each option's and argument's) is an
English message id of the package's catalog, marked with ``N_()`` where it is written. The
language is known before click parses anything: ``--lang`` anywhere on the command line, else
TOUSRISQUES_LANG, LC_ALL or LANG (:func:`~tousrisques._ui_text.argv_lang`). The root group
puts every help text of the command tree into that language before it parses its arguments,
so ``tousrisques run --help --lang fr`` and ``LANG=fr_FR.UTF-8 tousrisques --help`` are French.
Click's and typer's own words (``Usage:``, ``Options:``, ``[default: …]``) stay English.
"""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperGroup

from tousrisques._i18n import N_, gettext
from tousrisques._ui_text import argv_lang
from tousrisques.cli._common import ROOT_LANG, LangOpt

#: click's own help of ``--help``, given in the reader's language too
HELP_OPTION = N_("Show this message and exit.")


def translate_help(command: Any, lang: str) -> None:
    """Put the help texts of ``command``, of its parameters and of its subcommands (English
    message ids) into ``lang``, in place (click builds these objects afresh for each call of
    the application)."""
    if command.help:
        command.help = gettext(command.help, lang)
    if command.short_help:
        command.short_help = gettext(command.short_help, lang)
    help_option = command.get_help_option(typer.Context(command))
    if help_option is not None:
        help_option.help = gettext(HELP_OPTION, lang)
    for param in command.params:
        text = getattr(param, "help", None)
        if text:
            param.help = gettext(text, lang)
    for sub in getattr(command, "commands", {}).values():
        translate_help(sub, lang)


class _Root(TyperGroup):
    """The root group: its help and its commands' in the language asked for."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        translate_help(self, argv_lang(args))
        return super().parse_args(ctx, args)


app = typer.Typer(cls=_Root, add_completion=False, no_args_is_help=True,
                  pretty_exceptions_enable=False, rich_markup_mode=None,
                  help=N_("tousrisques: which digital means of alerting and deciding still work "
                          "in a crisis, for whom and for how long."))


@app.callback()
def _root(lang: LangOpt = None) -> None:
    # ``tousrisques --lang fr COMMAND …``: the commands read it through ``lang_of``
    ROOT_LANG[0] = lang.value if lang else None
