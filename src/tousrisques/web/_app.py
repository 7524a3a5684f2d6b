"""The exercise server's application: settings, the FastAPI app, its background tasks.

:func:`create_app` builds everything from one :class:`ServerSettings`: the store (migrated on
opening), the service, the live hub; the clock task that delivers injects as scenario time
passes (every ``tick_s``); on PostgreSQL the listener that brings other processes' events to
this one's streams. The command line (``tousrisques serve``) only builds the settings and runs
uvicorn on the app.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from sqlalchemy.engine import make_url
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Route

from tousrisques import __version__
from tousrisques._exceptions import TousrisquesError
from tousrisques.exercise import ExerciseError
from tousrisques.web._api import error_response, router
from tousrisques.web._api_play import router as play_router
from tousrisques.web._auth import JoinLimiter
from tousrisques.web._auth_deps import now
from tousrisques.web._downloads import router as downloads
from tousrisques.web._errors import ApiError, request_lang
from tousrisques.web._invalid import invalid_details
from tousrisques.web._live import Hub
from tousrisques.web._pages import not_found_page, pages
from tousrisques.web._security import BodyLimit, SecurityHeaders
from tousrisques.web._service import ExerciseService, Library
from tousrisques.web._store import SqlStore

__all__ = ["ServerSettings", "create_app"]

log = logging.getLogger("tousrisques.web")

# refusals of the exercise model that are conflicts with the exercise's state, not bad input
_CONFLICTS = ("exercise.ended", "exercise.scenario_changed", "exercise.not_created", "clock.state")


@dataclass(frozen=True)
class ServerSettings:
    """Everything the server is started with.

    Parameters
    ----------
    db_url : str
        ``sqlite:///FILE`` or ``postgresql://…``.
    library : Path
        The folder of territories and their scenarios (see :class:`Library`).
    admin_hash : str
        The SHA-256 of the facilitator's admin token.
    max_body : int
        Largest request body, in bytes.
    join_attempts : int
        Wrong join codes a client address may send a minute.
    tick_s : float
        How often the clock task delivers what is due, in seconds (0: never; tests).

    Examples
    --------
    >>> ServerSettings("sqlite://", Path("."), "0" * 64).max_body
    65536
    """

    db_url: str
    library: Path
    admin_hash: str
    max_body: int = 64 * 1024
    join_attempts: int = 10
    tick_s: float = 1.0


def create_app(settings: ServerSettings) -> FastAPI:
    """The exercise server's ASGI application.

    Parameters
    ----------
    settings : ServerSettings

    Returns
    -------
    FastAPI
        With the body limit and the security headers (``app.state`` holds the store, the
        service and the hub).

    Examples
    --------
    >>> from starlette.testclient import TestClient
    >>> from tousrisques.web import hash_secret
    >>> app = create_app(ServerSettings("sqlite://", Path("."), hash_secret("s3cret"), tick_s=0))
    >>> with TestClient(app) as client:
    ...     r = client.get("/api/health")
    >>> r.status_code, r.json()["ok"], r.headers["x-frame-options"]
    (200, True, 'DENY')
    """
    store = SqlStore(settings.db_url)
    hub = Hub(store)
    service = ExerciseService(store, Library(settings.library))

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        tasks = []
        if settings.tick_s > 0:
            tasks.append(asyncio.create_task(_ticker(service, hub, settings.tick_s)))
        if store.postgres:
            url = make_url(settings.db_url.replace("postgresql+psycopg://", "postgresql://"))
            tasks.append(asyncio.create_task(
                hub.listen(url.render_as_string(hide_password=False))))
        elif settings.tick_s > 0:  # another process on the same file: seen within a second
            tasks.append(asyncio.create_task(hub.poll(1.0)))
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            store.close()

    app = FastAPI(title="tousrisques exercise server", version=__version__, lifespan=lifespan,
                  docs_url=None, redoc_url=None,  # their pages load scripts from a CDN
                  description="The live exercise's API: see docs/exercise.md.")
    app.state.settings = settings
    app.state.store = store
    app.state.service = service
    app.state.hub = hub
    app.state.limiter = JoinLimiter(attempts=settings.join_attempts)
    app.include_router(router)
    app.include_router(play_router)
    app.include_router(downloads)
    app.include_router(pages)

    @app.get("/api/health", summary="Whether the server answers")
    async def health() -> dict[str, object]:
        return {"ok": True, "version": __version__}

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc, request_lang(request.headers.get("accept-language")))

    @app.exception_handler(TousrisquesError)
    async def refused(request: Request, exc: TousrisquesError) -> JSONResponse:
        lang = request_lang(request.headers.get("accept-language"))
        code = getattr(exc, "code", None) or "input"
        status = 409 if isinstance(exc, ExerciseError) and code in _CONFLICTS else 400
        return JSONResponse({"code": code, "detail": exc.render(lang)}, status_code=status)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404 and not request.url.path.startswith("/api/"):
            return not_found_page(request)  # a person's address: a page, in their language
        headers = {k: v for k, v in (exc.headers or {}).items() if k.lower() != "allow"}
        if exc.status_code == 405:  # every method of the path, not only one route's
            headers["allow"] = ", ".join(_methods(app, request.url.path))
        return JSONResponse({"code": f"http.{exc.status_code}", "detail": str(exc.detail)},
                            status_code=exc.status_code, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def malformed(request: Request, exc: RequestValidationError) -> JSONResponse:
        details = invalid_details(exc.errors(),
                                  request_lang(request.headers.get("accept-language")))
        return JSONResponse({"code": "request.invalid", "detail": details}, status_code=422)

    # the last added is the outermost: headers on every answer, the 413 included
    app.add_middleware(BodyLimit, limit=settings.max_body)
    app.add_middleware(SecurityHeaders)
    return app


def _methods(app: FastAPI, path: str) -> list[str]:
    """The methods the routes of ``path`` answer."""
    methods: set[str] = set()
    for route in app.routes:
        if isinstance(route, APIRoute | Route) and route.path_regex.match(path):
            methods |= set(route.methods or ())
    return sorted(methods)


async def _ticker(service: ExerciseService, hub: Hub, every_s: float) -> None:
    """Deliver what is due in the running exercises, every ``every_s`` seconds."""
    while True:
        await asyncio.sleep(every_s)
        try:
            done = await anyio.to_thread.run_sync(lambda: service.tick(now()))
        except Exception as exc:  # a database that blinks must not stop the clock task
            log.warning("clock task: %s", exc)
            continue
        for exercise_id, events in done.items():
            hub.publish(exercise_id, events)
