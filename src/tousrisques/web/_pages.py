"""The pages of the live exercise: the facilitator's, the join page, the player's and the
observer's, in French and English, served by the package itself.

Each page is a Jinja2 template of ``templates/`` (autoescaped, translated with the package's
catalog) and a small JavaScript module of ``static/`` that calls the API with the token the tab
keeps in ``sessionStorage`` and follows the exercise's event stream. Nothing is loaded from
another origin, no script or style is inline (the Content-Security-Policy forbids both), and
every text a user wrote is put in the page by the script as text, never as HTML. The words the
scripts show are rendered here, in the page's language, into a ``<template id="words">``.

The language is ``?lang=fr|en``, else the one ``Accept-Language`` prefers among the two,
else French.
"""

from __future__ import annotations

import json
import re
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import anyio.to_thread
from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, PackageLoader, StrictUndefined
from starlette.staticfiles import StaticFiles

from tousrisques import __version__
from tousrisques._i18n import translations
from tousrisques.exercise import LOG_CATEGORIES
from tousrisques.report._choropleth import BREAKS, COLOURS
from tousrisques.report._maps import STATE_COLOURS, STATE_STROKES
from tousrisques.web._pages_words import ANNOTATION_LABELS, LOG_LABELS, script_words

__all__ = ["not_found_page", "page_lang", "pages"]

pages = APIRouter(include_in_schema=False)

_STATIC = StaticFiles(directory=Path(__file__).with_name("static"))
_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# the colour of each annotation category on the map (ColorBrewer's Dark2: apart in colour
# blindness and on a projector)
CATEGORY_COLOURS = {"road_cut": "#d95f02", "shelter_open": "#1b9e77",
                    "power_restored": "#7570b3", "rumour": "#e7298a", "other": "#666666"}


def page_lang(query: str | None, accept_language: str | None) -> str:
    """The page's language: ``?lang=``, else the one ``Accept-Language`` prefers of French
    and English, else French.

    Parameters
    ----------
    query : str or None
        The ``lang`` query parameter.
    accept_language : str or None
        The header.

    Returns
    -------
    str
        ``"fr"`` or ``"en"``.

    Examples
    --------
    >>> page_lang("en", "fr"), page_lang(None, "en-GB,en;q=0.9")
    ('en', 'en')
    >>> page_lang(None, "de"), page_lang(None, None)
    ('fr', 'fr')
    """
    if query in ("fr", "en"):
        return query
    best, best_q = "fr", -1.0
    for part in (accept_language or "").split(","):
        tag, _, q = part.strip().partition(";q=")
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            continue
        primary = tag.strip().lower()[:2]
        if primary in ("en", "fr") and weight > best_q:
            best, best_q = primary, weight
    return best


@cache
def _environment(lang: str) -> Environment:
    env = Environment(loader=PackageLoader("tousrisques.web", "templates"), autoescape=True,
                      undefined=StrictUndefined, extensions=["jinja2.ext.i18n"],
                      trim_blocks=True, lstrip_blocks=True)
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    return env


def _render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    lang = page_lang(request.query_params.get("lang"), request.headers.get("accept-language"))
    _ = translations(lang).gettext
    other = "en" if lang == "fr" else "fr"
    html = _environment(lang).get_template(name).render(
        lang=lang, other=other,
        switch=f"{request.url.path}?lang={other}", version=__version__,
        words=script_words(lang), log_categories=[(c, _(LOG_LABELS[c])) for c in LOG_CATEGORIES],
        annotation_categories=[(c, _(label), CATEGORY_COLOURS[c])
                               for c, label in ANNOTATION_LABELS.items()],
        map_colours=json.dumps({"classes": list(COLOURS), "breaks": list(BREAKS),
                                "working": [STATE_COLOURS[0], STATE_STROKES[0]],
                                "down": [STATE_COLOURS[1], STATE_STROKES[1]],
                                "categories": CATEGORY_COLOURS}),
        legend=_legend(lang), **context)
    return HTMLResponse(html, status_code=status, headers={"cache-control": "no-store"})


def not_found_page(request: Request, exercise_id: str | None = None) -> HTMLResponse:
    """The 404 of the pages, in the page's language: no exercise of that id (when given), or
    no page at that address, and a link to the facilitator's page.

    Parameters
    ----------
    request : Request
    exercise_id : str or None
        The exercise the address names, when it names one.

    Returns
    -------
    HTMLResponse

    Examples
    --------
    >>> from starlette.requests import Request
    >>> scope = {"type": "http", "method": "GET", "path": "/join/x1", "query_string": b"lang=en",
    ...          "headers": []}
    >>> answer = not_found_page(Request(scope), "x1")
    >>> answer.status_code, "There is no exercise “x1”" in answer.body.decode()
    (404, True)
    """
    return _render(request, "notfound.html", status=404, page="notfound", exercise_id="",
                   missing_exercise=(exercise_id or "")[:64])


def _legend(lang: str) -> list[tuple[str, str]]:
    """The map's classes: colour and words (share of the population not reached)."""
    _ = translations(lang).gettext
    pct = [f"{round(b * 100)}" for b in BREAKS]
    labels = [_("everyone reached"), _("under %(b)s %%") % {"b": pct[0]}]
    labels += [f"{lo}–{hi} %" for lo, hi in pairwise(pct)]
    labels.append(_("%(b)s %% or more") % {"b": pct[-1]})
    if lang == "fr":  # French writes a narrow no-break space before %
        labels = [s.replace(" %", "\u202f%") for s in labels]
    else:
        labels = [s.replace(" %", "%") for s in labels]
    return list(zip(COLOURS, labels, strict=True))


async def _known(request: Request, exercise_id: str) -> bool:
    """Whether the exercise exists (its id well formed and in the store)."""
    if not _ID.match(exercise_id):
        return False
    store = request.app.state.store
    return await anyio.to_thread.run_sync(store.exercise, exercise_id) is not None


async def _exercise_page(request: Request, name: str, page: str,
                         exercise_id: str) -> HTMLResponse:
    if not await _known(request, exercise_id):
        return not_found_page(request, exercise_id)
    return _render(request, name, page=page, exercise_id=exercise_id)


@pages.get("/")
async def home(request: Request) -> Response:
    """The facilitator's page (the server's home)."""
    lang = request.query_params.get("lang")
    return RedirectResponse("/facilitator" + (f"?lang={lang}" if lang in ("fr", "en") else ""),
                            status_code=307)


@pages.get("/facilitator", response_class=HTMLResponse)
async def facilitator(request: Request) -> HTMLResponse:
    """Create exercises, show their join codes, run the clock, watch every actor."""
    return _render(request, "facilitator.html", page="facilitator", exercise_id="")


@pages.get("/join/{exercise_id}", response_class=HTMLResponse)
async def join_page(request: Request, exercise_id: str) -> HTMLResponse:
    """Name and join code (the code may come in the fragment, ``#code=``)."""
    return await _exercise_page(request, "join.html", "join", exercise_id)


@pages.get("/play/{exercise_id}", response_class=HTMLResponse)
async def play_page(request: Request, exercise_id: str) -> HTMLResponse:
    """A player's page: reflex sheet, inbox, channels, messages, log, decisions, map."""
    return await _exercise_page(request, "play.html", "play", exercise_id)


@pages.get("/observe/{exercise_id}", response_class=HTMLResponse)
async def observe_page(request: Request, exercise_id: str) -> HTMLResponse:
    """An observer's page: everything, read only, and notes."""
    return await _exercise_page(request, "observe.html", "observe", exercise_id)


@pages.api_route("/static/{path:path}", methods=["GET", "HEAD"])
async def static(request: Request, path: str) -> Response:
    """The pages' scripts and style, from the package's folder."""
    response: Response = await _STATIC.get_response(path, request.scope)
    return response
