"""``tousrisques exercise play``: a whole exercise played by scripted players against a live
server — the one given by ``--server``, or one started here for the time of the play on a
temporary SQLite file (the scenario is then a file, and its territory's parent folder the
library).
"""

from __future__ import annotations

import os
import socket
import tempfile
import threading
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from tousrisques._i18n import N_
from tousrisques.cli._app import app
from tousrisques.cli._common import JsonOpt, LangOpt, emit_json, err, fail, lang_of, out
from tousrisques.cli._serve import TEXT, say, web_missing

exercise_app = typer.Typer(no_args_is_help=True, add_completion=False,
                           help=N_("Live exercises: play one with scripted players."))
app.add_typer(exercise_app, name="exercise")

TEXT.update({
    "need_bots": N_("only scripted players can play from the command line for now: add --bots"),
    "not_a_scenario": N_("'{path}' is not a scenario file: give a .yaml file, or a name of "
                         "the library of the server given by --server"),
    "played": N_("exercise {id}: {events} events, messages {messages}, injects delivered "
                 "{delivered}, not received {not_received}, {log} log entries, {decisions} "
                 "decisions"),
    "played_more": N_("{actions} expected actions ticked, {annotations} map annotations, "
                      "{relays} orders to citizen relays, {notes} observers' notes"),
    "msg_delivered": N_("{n} delivered"),
    "msg_delayed": N_("{n} delayed"),
    "msg_blocked": N_("{n} blocked"),
    "play_errors": N_("{n} request(s) failed: {first}"),
    "play_failed": N_("the exercise could not be played on {where}: {detail}"),
})


@exercise_app.command(
    help=N_("Play a whole exercise of a scenario with scripted players (--bots)."))
def play(
    scenario: Annotated[str, typer.Argument(help=N_(
        "A scenario file (.yaml), or with --server a name of the server's library."))],
    bots: Annotated[bool, typer.Option("--bots", help=N_("Scripted players."))] = False,
    server: Annotated[str | None, typer.Option(
        "--server", help=N_("The server's address (default: start one for the play)."))
        ] = None,
    run: Annotated[int, typer.Option("--run", help=N_("The run of the scenario to play."))
                   ] = 0,
    percentile: Annotated[float | None, typer.Option(
        "--percentile", help=N_("Play the Monte Carlo run nearest this percentile of "
                                "reach instead (10: a bad day)."))] = None,
    speed: Annotated[float, typer.Option(
        "--speed", min=0.001, max=3600, help=N_("Scenario seconds per real second."))
        ] = 3600.0,
    seconds: Annotated[float, typer.Option(
        "--seconds", help=N_("Real seconds at most."))] = 60.0,
    seed: Annotated[int, typer.Option("--seed", help=N_("The bots' choices."))] = 0,
    lang: LangOpt = None,
    as_json: JsonOpt = False,
) -> None:
    language = lang_of(lang)
    if not bots:
        fail("--bots", say("need_bots", language), language, as_json)
    try:
        from tousrisques.web._bots import play as play_bots
    except ImportError as exc:
        web_missing(exc, language)
    import httpx

    try:
        if server is not None:
            token = os.environ.get("TOUSRISQUES_ADMIN_TOKEN", "")
            result = play_bots(server, token, scenario, run=run, percentile=percentile,
                               speed=speed, seconds=seconds, seed=seed)
        else:
            path = Path(scenario)
            if path.suffix not in (".yaml", ".yml") or not path.is_file():
                fail(scenario, say("not_a_scenario", language, path=scenario), language,
                     as_json)
            library = path.resolve().parent.parent.parent
            name = f"{path.resolve().parent.parent.name}/{path.stem}"
            with _local_server(library) as (url, token):
                result = play_bots(url, token, name, run=run, percentile=percentile,
                                   speed=speed, seconds=seconds, seed=seed)
    except (RuntimeError, httpx.HTTPError) as exc:  # the server refused, or is not there
        fail(server or scenario, say("play_failed", language, where=server or "127.0.0.1",
                                     detail=exc), language, as_json)
    if as_json:
        emit_json(result.to_json())
    else:
        out.print(say("played", language, id=result.exercise_id, events=result.events,
                      messages=", ".join(say(f"msg_{k}", language, n=v)
                                         for k, v in sorted(result.messages.items())) or "0",
                      delivered=result.injects_delivered,
                      not_received=result.injects_not_received, log=result.log_entries,
                      decisions=result.decisions), markup=False)
        out.print(say("played_more", language, actions=result.actions_done,
                      annotations=result.annotations, relays=result.relays,
                      notes=result.notes), markup=False)
    if result.errors:
        err.print(say("play_errors", language, n=len(result.errors), first=result.errors[0]),
                  style="red", markup=False)
        raise typer.Exit(1)


class _local_server:  # noqa: N801  (used as a context manager, read as a phrase)
    """A server on a free port of 127.0.0.1 and a temporary SQLite file, in a thread."""

    def __init__(self, library: Path) -> None:
        self.library = library

    def __enter__(self) -> tuple[str, str]:
        import uvicorn

        from tousrisques.web import ServerSettings, create_app, hash_secret, new_token

        self.tmp = tempfile.TemporaryDirectory(prefix="tousrisques-play-")
        token = new_token()
        settings = ServerSettings(f"sqlite:///{Path(self.tmp.name) / 'exercise.db'}",
                                  self.library, hash_secret(token), tick_s=0.5)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port,
                                log_level="warning", access_log=False,
                                timeout_graceful_shutdown=2)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        return f"http://127.0.0.1:{port}", token

    def __exit__(self, *exc: Any) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.tmp.cleanup()
