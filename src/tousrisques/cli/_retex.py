"""``tousrisques report --exercise ID``: the RETEX of a live exercise, from the server's
database, as an HTML file with the log beside it (``<stem>.json`` and ``<stem>.csv``).

The exercise's model is rebuilt as the server rebuilds it: the scenario named by the
exercise, found in the library (``--library``, the folder ``serve`` was given), on the run
its log's first event records — refused when the scenario file has changed since.
"""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import Any

from tousrisques._atomic import atomic_file, refuse_to_replace
from tousrisques._exceptions import InputError, TousrisquesError
from tousrisques._i18n import N_
from tousrisques.cli._common import check_output, emit_json, fail, out, writing
from tousrisques.cli._serve import DEFAULT_DB, TEXT, _first_line, _hide_password, say, web_missing
from tousrisques.exercise import Event, Exercise, ExerciseError, review
from tousrisques.report._retex import render_retex

__all__ = ["write_retex"]

TEXT.update({
    "retex_unknown": N_("no exercise '{id}' in the database {url}"),
    "retex_no_db": N_("no database at {path}: give the file the server used with "
                      "--db sqlite:///FILE (or a postgresql:// address)"),
    "retex_empty": N_("the log of exercise '{id}' does not start with its creation"),
    "retex_library": N_("the exercise's scenario '{name}' is not in the library {path}: "
                        "give the folder the server used with --library ({detail})"),
    "retex_at": N_("RETEX written: {path} (the log: {json}, {csv})"),
    "retex_both": N_("give a run folder or --exercise, not both"),
    "retex_none": N_("give a run folder, or --exercise ID for the RETEX of a live exercise"),
})


def _events(exercise_id: str, db: str | None, lang: str, as_json: bool) -> tuple[str, list[Event]]:
    """The exercise's scenario name and log, or a clear message and exit 1."""
    try:
        from tousrisques.web._store import SqlStore
    except ImportError as exc:
        web_missing(exc, lang)
    url = db or f"sqlite:///{Path(DEFAULT_DB).resolve()}"
    shown = _hide_password(url)
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if not path.is_file():  # opening would create an empty database
            fail(shown, say("retex_no_db", lang, path=path), lang, as_json)
    try:
        store = SqlStore(url)
    except Exception as exc:  # the database does not answer, or is not one of ours
        fail(shown, say("db_failed", lang, url=shown, detail=_first_line(exc)), lang, as_json)
    try:
        row = store.exercise(exercise_id)
        if row is None:
            fail(exercise_id, say("retex_unknown", lang, id=exercise_id, url=shown), lang,
                 as_json)
        events = store.read(exercise_id)
    finally:
        store.close()
    if not events or events[0].kind != "exercise.created":
        fail(exercise_id, say("retex_empty", lang, id=exercise_id), lang, as_json)
    return row.scenario, events


def _model(name: str, events: list[Event], library: Path, lang: str,
           as_json: bool) -> Exercise:
    from tousrisques.web._errors import ApiError
    from tousrisques.web._service import Library

    try:
        scenario = Library(library).load(name)
    except ApiError as exc:
        fail(library, say("retex_library", lang, name=name, path=library,
                          detail=exc.render(lang)), lang, as_json)
    first = events[0].payload
    if scenario.content_hash != first.get("scenario_hash"):
        fail(name, ExerciseError("exercise.scenario_changed", now=scenario.content_hash[:12],
                                 then=str(first.get("scenario_hash"))[:12]), lang, as_json)
    try:
        return Exercise.for_run(scenario, int(first["run"]))
    except (TousrisquesError, KeyError, TypeError, ValueError) as exc:
        fail(name, exc if isinstance(exc, InputError) else str(exc), lang, as_json)


def write_retex(exercise_id: str, *, db: str | None, library: Path, output: Path | None,
                force: bool, lang: str, as_json: bool) -> None:
    """Write the RETEX of ``exercise_id`` and its log beside it; print where."""
    from tousrisques.web._export import export_csv, export_json

    target = output or Path(f"retex-{exercise_id}-{lang}.html")
    files = (target, target.with_suffix(".json"), target.with_suffix(".csv"))
    for f in files:  # nothing is read before the outputs are known to be writable
        check_output(f, lang, as_json)
        try:
            refuse_to_replace(f, replace=force)
        except InputError as exc:
            fail(f, exc, lang, as_json)
    name, events = _events(exercise_id, db, lang, as_json)
    model = _model(name, events, library, lang, as_json)
    html = render_retex(review(model, events), model, lang, exercise_id=exercise_id,
                        files=(files[1].name, files[2].name))
    contents: list[Any] = [html.encode(), export_json(events),
                           export_csv(events, lang).encode()]
    with writing(target, lang, as_json), ExitStack() as stack:
        temps = [stack.enter_context(atomic_file(f, replace=force)) for f in files]
        for tmp, data in zip(temps, contents, strict=True):
            tmp.write_bytes(data)
    if as_json:
        emit_json({"ok": True, "retex": str(files[0]), "json": str(files[1]),
                   "csv": str(files[2]), "events": len(events)})
        return
    out.print(say("retex_at", lang, path=files[0].resolve(), json=files[1].name,
                  csv=files[2].name), style="bold", markup=False)
