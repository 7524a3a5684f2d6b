"""Downloads of an exercise that are drawn, not read: the RETEX (``GET
/api/exercises/{id}/retex?lang=fr|en``), for the facilitator and the observers, as one
self-contained HTML file (:func:`tousrisques.report._retex.render_retex`).

It is drawn from the whole log, brought up to date under the exercise's lock, and from the
exercise's model as the service rebuilt it; the drawing runs in a worker thread, outside the
lock. Observers' tokens are revoked when the exercise ends: then only the facilitator
downloads it (or ``tousrisques report --exercise ID`` from the database).
"""

from __future__ import annotations

from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Depends, Header, Query, Request, Response

from tousrisques.exercise import Event, review
from tousrisques.report._retex import render_retex
from tousrisques.web._auth_deps import Caller, caller, for_exercise
from tousrisques.web._errors import ApiError, request_lang
from tousrisques.web._schemas import ErrorOut
from tousrisques.web._service import ExerciseService

__all__ = ["router"]

_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut} for code in (400, 401, 403, 404, 409, 422)}
router = APIRouter(prefix="/api", responses=_ERRORS)


def retex_html(service: ExerciseService, exercise_id: str, lang: str) -> str:
    """The RETEX of ``exercise_id`` in ``lang``, from its whole log.

    Parameters
    ----------
    service : ExerciseService
    exercise_id : str
    lang : {"fr", "en"}

    Returns
    -------
    str

    Examples
    --------
    >>> from datetime import datetime, UTC
    >>> from tousrisques.cli._common import EXAMPLE
    >>> from tousrisques.web._service import Library
    >>> from tousrisques.web._store import SqlStore
    >>> service = ExerciseService(SqlStore("sqlite://"), Library(EXAMPLE.parent))
    >>> made = service.create("petite-ville/tempete", run=0, percentile=None, speed=60,
    ...                       now=datetime.now(UTC))
    >>> retex_html(service, made.id, "en").startswith("<!DOCTYPE html>")
    True
    """
    events: list[Event] = service.view(exercise_id, lambda s: list(s.events))
    model = service.model(exercise_id)
    return render_retex(review(model, events), model, lang, exercise_id=exercise_id)


@router.get("/exercises/{exercise_id}/retex", summary="The exercise's RETEX, as HTML",
            response_class=Response,
            responses={200: {"content": {"text/html": {}},
                             "description": "One self-contained HTML file, to save."}})
async def retex(request: Request, exercise_id: str,
                who: Annotated[Caller, Depends(caller)],
                lang: Annotated[str | None, Query(pattern="^(fr|en)$")] = None,
                accept_language: Annotated[str | None, Header()] = None) -> Response:
    who = await for_exercise(request, who, exercise_id)
    if who.role not in ("facilitator", "observer"):
        raise ApiError("auth.retex")
    language = lang or request_lang(accept_language)
    service: ExerciseService = request.app.state.service
    html = await anyio.to_thread.run_sync(lambda: retex_html(service, exercise_id, language))
    return Response(html.encode(), media_type="text/html; charset=utf-8", headers={
        "content-disposition":
            f'attachment; filename="retex-{exercise_id}-{language}.html"'})
