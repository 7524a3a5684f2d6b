"""The typer application every command module registers on."""

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  rich_markup_mode=None,
                  help="tousrisques: which digital means of alerting and deciding still work "
                       "in a crisis, for whom and for how long. / quels moyens numériques "
                       "d'alerte et de décision tiennent en crise, pour qui, combien de temps.")
