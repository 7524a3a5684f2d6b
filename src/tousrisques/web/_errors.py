"""The API's refusals: an HTTP status, a code and a message in English or French.

A refusal answers ``{"code": CODE, "detail": TEXT}`` in the language of the request's
``Accept-Language`` (French when it prefers ``fr``, else English). The exercise model's own
refusals (:class:`tousrisques.exercise.ExerciseError`) come out the same way, 409 for a state
conflict (the exercise has ended, the clock is already running), else 400.
"""

from __future__ import annotations

from tousrisques._i18n import N_, gettext

__all__ = ["API_ERRORS", "ApiError", "request_lang"]

#: code → (status, English template); the French is in the package's catalog
API_ERRORS: dict[str, tuple[int, str]] = {
    "auth.missing": (401, N_("this needs a token: send 'Authorization: Bearer TOKEN'")),
    "auth.invalid": (401, N_("the token is unknown or has been revoked")),
    "auth.admin": (403, N_("only the facilitator (the admin token) may do this")),
    "auth.exercise": (403, N_("your token does not open this exercise")),
    "auth.observer": (403, N_("observers read and do not write")),
    "auth.player": (403, N_("only a player (an actor's token) may do this")),
    "auth.retex": (403, N_("only the facilitator and the observers may download the RETEX")),
    "exercise.unknown": (404, N_("no exercise '{id}'")),
    "library.unknown": (400, N_("no scenario '{name}' in the library (it has: {allowed})")),
    "library.invalid": (400, N_("scenario '{name}' cannot be loaded: {detail}")),
    "join.code": (403, N_("this join code opens no actor of this exercise")),
    "join.limit": (429, N_("too many wrong join codes: try again in {seconds} seconds")),
    "stream.key": (401, N_("the stream key is unknown or has expired: ask for a new one")),
    "play.actor": (400, N_("name the actor whose reflex sheet you want: ?actor=ID")),
    "play.own_sheet": (403, N_("a player sees its own reflex sheet only")),
    "play.notes": (403, N_("only observers and the facilitator write notes")),
}


class ApiError(Exception):
    """A refusal of the API: a code of :data:`API_ERRORS` and its parameters.

    Parameters
    ----------
    code : str
    **params
        The values its message names.

    Examples
    --------
    >>> e = ApiError("exercise.unknown", id="x1")
    >>> e.status, e.render("en")
    (404, "no exercise 'x1'")
    """

    def __init__(self, code: str, /, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params
        self.status = API_ERRORS[code][0]

    def render(self, lang: str) -> str:
        """The message in ``lang``.

        Parameters
        ----------
        lang : str
            ``"en"`` or ``"fr"``.

        Returns
        -------
        str

        Examples
        --------
        >>> ApiError("auth.admin").render("en")
        'only the facilitator (the admin token) may do this'
        """
        return gettext(API_ERRORS[self.code][1], lang).format(**self.params)


def request_lang(accept_language: str | None) -> str:
    """``"fr"`` when the ``Accept-Language`` header prefers French, else ``"en"``.

    Parameters
    ----------
    accept_language : str or None

    Returns
    -------
    str

    Examples
    --------
    >>> request_lang("fr-FR,fr;q=0.9,en;q=0.8"), request_lang("en-GB, fr;q=0.5"), request_lang(None)
    ('fr', 'en', 'en')
    """
    best, best_q = "en", -1.0
    for part in (accept_language or "").split(","):
        lang, _, q = part.strip().partition(";q=")
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            continue
        primary = lang.strip().lower()[:2]
        if primary in ("en", "fr") and weight > best_q:
            best, best_q = primary, weight
    return best
