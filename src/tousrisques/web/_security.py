"""Two ASGI middlewares every response goes through: security headers, and the body limit.

Headers: a Content-Security-Policy that allows no inline script and no other origin (the
pages of part 2 load their scripts and styles from the server itself), ``nosniff``,
``frame-ancestors 'none'`` (and ``X-Frame-Options: DENY`` for older browsers), no referrer,
and ``Cache-Control: no-store`` on the API.

Bodies: a request whose body is over the limit is answered 413 before the application sees
it, whether it says its length (``Content-Length``) or sends it in chunks; nothing is written.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from babel.numbers import format_decimal

from tousrisques._i18n import N_, gettext
from tousrisques.web._errors import request_lang

__all__ = ["CSP", "BodyLimit", "SecurityHeaders"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: no inline script, no other origin, never framed
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'none'")

_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
]


class SecurityHeaders:
    """Add the security headers to every HTTP response.

    Parameters
    ----------
    app : ASGI application

    Examples
    --------
    >>> from starlette.applications import Starlette
    >>> from starlette.testclient import TestClient
    >>> client = TestClient(SecurityHeaders(Starlette()))
    >>> client.get("/").headers["x-content-type-options"]
    'nosniff'
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        api = str(scope.get("path", "")).startswith("/api/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in _HEADERS if k not in present]
                if api and b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimit:
    """Answer 413 to a request whose body is over ``limit`` bytes.

    Parameters
    ----------
    app : ASGI application
    limit : int
        Bytes.

    Examples
    --------
    >>> from starlette.applications import Starlette
    >>> from starlette.testclient import TestClient
    >>> client = TestClient(BodyLimit(Starlette(), limit=10))
    >>> client.post("/", content=b"x" * 11).status_code
    413
    """

    def __init__(self, app: ASGIApp, *, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for key, value in scope.get("headers", []):
            if key == b"content-length":
                try:
                    too_large = int(value) > self.limit
                except ValueError:
                    too_large = True
                if too_large:
                    await _refuse(send, self.limit, scope)
                    return
        # read the whole body first (the limit is small): a body over it never reaches the
        # application, so nothing can have been written
        chunks: list[bytes] = []
        seen = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client left
            chunk = message.get("body", b"")
            seen += len(chunk)
            if seen > self.limit:
                await _refuse(send, self.limit, scope)
                return
            chunks.append(chunk)
            more = bool(message.get("more_body", False))
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


#: the 413's words (the French is in the package's catalog)
TOO_LARGE = N_("the request body is larger than {limit} bytes")


async def _refuse(send: Send, limit: int, scope: Scope) -> None:
    """The 413, its detail in the language of the request's ``Accept-Language``."""
    accept = next((v.decode("latin-1") for k, v in scope.get("headers", [])
                   if k == b"accept-language"), None)
    lang = request_lang(accept)
    words = gettext(TOO_LARGE, lang).format(limit=format_decimal(limit, locale=lang))
    body = json.dumps({"code": "request.too_large", "detail": words}).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
