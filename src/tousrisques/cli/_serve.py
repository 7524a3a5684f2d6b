"""``tousrisques serve``: the exercise server (the ``web`` extra) on uvicorn.

It builds the settings, the app, prints where it listens (and the admin token when it made
one), and serves until stopped; everything else is :mod:`tousrisques.web`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer

from tousrisques._i18n import N_, gettext
from tousrisques.cli._app import app
from tousrisques.cli._common import LangOpt, err, fail, lang_of, out

#: the default database: a SQLite file in the current folder
DEFAULT_DB = "tousrisques-exercises.db"

TEXT = {
    "no_web": N_("the exercise server needs the 'web' extra: pip install 'tousrisques[web]' "
                 "({detail})"),
    "no_library": N_("the library '{path}' is not a folder (the folder of territories and "
                     "their scenarios/)"),
    "db_failed": N_("cannot open the database {url}: {detail}"),
    "admin_token": N_("admin token (shown once; set TOUSRISQUES_ADMIN_TOKEN to choose it): "
                      "{token}"),
    "serving": N_("exercise server on http://{host}:{port} — database {url}, library {path} "
                  "({n} scenarios)"),
    "pages": N_("facilitator page: http://{host}:{port}/facilitator?lang={ui} (players join "
                "with the codes it shows); stop with Ctrl+C"),
}


def say(key: str, lang: str, **params: Any) -> str:
    """A text of :data:`TEXT` in ``lang``."""
    return gettext(TEXT[key], lang).format(**params)


def web_missing(exc: ImportError, lang: str) -> None:
    """Say that the ``web`` extra is missing, and exit 1."""
    err.print(say("no_web", lang, detail=exc), style="red", markup=False)
    raise typer.Exit(1)


@app.command(help=N_("Serve live exercises: the HTTP API, its event streams and its store."))
def serve(
    db: Annotated[str | None, typer.Option(
        "--db", help=N_("The database: sqlite:///FILE or postgresql://… (default: a SQLite "
                        "file tousrisques-exercises.db in the current folder)."))] = None,
    library: Annotated[Path, typer.Option(
        "--library", help=N_("The folder of territories and their scenarios that exercises "
                             "are created from, by name."))] = Path("."),
    host: Annotated[str, typer.Option("--host", help=N_("The address to listen on."))
                    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help=N_("The port to listen on."))] = 8000,
    lang: LangOpt = None,
) -> None:
    language = lang_of(lang)
    try:
        import uvicorn

        from tousrisques.web import Library, ServerSettings, create_app, hash_secret, new_token
    except ImportError as exc:
        web_missing(exc, language)
    if not library.is_dir():
        fail(library, say("no_library", language, path=library), language, False)
    url = db or f"sqlite:///{Path(DEFAULT_DB).resolve()}"
    token = os.environ.get("TOUSRISQUES_ADMIN_TOKEN") or ""
    made = not token
    if made:
        token = new_token()
    settings = ServerSettings(url, library.resolve(), hash_secret(token))
    shown = _hide_password(url)
    try:
        application = create_app(settings)
    except Exception as exc:  # the database does not answer, or refuses
        fail(shown, say("db_failed", language, url=shown, detail=_first_line(exc)), language,
             False)
    if made:
        out.print(say("admin_token", language, token=token), markup=False)
    out.print(say("serving", language, host=host, port=port, url=shown, path=library,
                  n=len(Library(library.resolve()).names())), markup=False)
    out.print(say("pages", language, host=host, port=port, ui=language), markup=False)
    # open event streams never end by themselves: give them 5 s, then stop
    uvicorn.run(application, host=host, port=port, log_level="warning", access_log=False,
                timeout_graceful_shutdown=5)


def _hide_password(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
