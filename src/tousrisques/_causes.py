"""A cause of the log put into words, the same for every interface (command line, report, and
later the web app): one function, through the package's one gettext catalog.

The engine records why each asset changed state (``tousrisques.engine.CAUSES``): damaged by
an event, lost a requirement group with no backup, backup exhausted, cut from every source of
its layer, recovered. :func:`cause_words` says it in the reader's language, with what the
asset waited for; :func:`event_words` names a first cause (a hazard by its name, a planned
asset not yet delivered, or the event's own words); :func:`layer_label` names a network
layer.

This module imports nothing of the package's layers (only ``_i18n``), so the report, the
command line and the web app may all use it.

>>> cause_words("backup exhausted", "en", because=["TR1"])
'its backup ran out (waiting for TR1)'
>>> cause_words("event", "fr", event="hazard:storm", hazards={"storm": Text("Storm", "Tempête")})
"dégâts causés par l'aléa «\\u202fTempête\\u202f»"
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from tousrisques._i18n import N_, Text, gettext

__all__ = ["ABSENT", "LAYER_LABELS", "MAX_BECAUSE", "cause_words", "event_words", "layer_label"]

#: the words of the network layers the kind catalogue knows; another layer reads as its id
LAYER_LABELS: dict[str, str] = {
    "power": N_("power network"),
    "telecom": N_("telecom network"),
    "water": N_("water network"),
    "gas": N_("gas network"),
}

#: the event of a planned asset that no mitigation has brought yet (it is down from the start)
ABSENT = "absent at start"

#: at most this many assets are named after "waiting for"; more end with ", …"
MAX_BECAUSE = 6

# (with what it waited for, without): one pair per cause of a down asset
_WORDS: dict[str, tuple[str, str]] = {
    "requirement": (
        N_("lost what it needs, with no backup (waiting for {because})"),
        N_("lost what it needs, with no backup"),
    ),
    "backup exhausted": (
        N_("its backup ran out (waiting for {because})"),
        N_("its backup ran out"),
    ),
    "disconnected": (
        N_("cut from every source of its {layer} (neighbours down: {because})"),
        N_("cut from every source of its {layer}"),
    ),
    "disconnected, no layer": (
        N_("cut from every source of its network (neighbours down: {because})"),
        N_("cut from every source of its network"),
    ),
    "recovered": (N_("working again (after {because})"), N_("working again")),
    "": (N_("working"), N_("working")),
}


def layer_label(layer: str, lang: str) -> str:
    """A network layer in words (``power`` → ``power network``, ``réseau électrique``)."""
    label = LAYER_LABELS.get(layer)
    return gettext(label, lang) if label else layer


def event_words(event: str, lang: str, hazards: Mapping[str, Text] | None = None) -> str:
    """The words of a first cause: a hazard by its name in ``lang`` (``hazards`` maps each
    hazard's id to its name; the log's event reads ``hazard:<id>`` or the hazard's name), a
    planned asset that no mitigation has brought yet, or the event's own words in quotes.

    >>> event_words("absent at start", "en")
    'not there: a planned asset, not installed yet, or a normally-open switch not closed yet'
    >>> event_words("ransomware", "en")
    '“ransomware”'
    """
    if event == ABSENT:
        return gettext(N_("not there: a planned asset, not installed yet, or a normally-open "
                          "switch not closed yet"), lang)
    key = event.removeprefix("hazard:").strip()
    for ident, name in (hazards or {}).items():
        if key in (ident, name.en, name.fr):
            return gettext(N_("the hazard “{name}”"), lang).format(
                name=name.fr if lang == "fr" else name.en
            )
    return gettext(N_("“{event}”"), lang).format(event=event)


def cause_words(
    cause: str,
    lang: str,
    *,
    event: str = "",
    because: Sequence[str] = (),
    layer: str = "",
    hazards: Mapping[str, Text] | None = None,
) -> str:
    """Why an asset changed state, in ``lang``.

    Parameters
    ----------
    cause : str
        A cause of the log (``tousrisques.engine.CAUSES``): ``event``, ``requirement``,
        ``backup exhausted``, ``disconnected``, ``recovered`` or ``""``.
    lang : str
        ``en`` or ``fr``.
    event : str
        For ``event``: the event's own words (``hazard:storm``, ``ransomware``).
    because : sequence of str
        What the asset waited for (ids or names): the alternatives of the group that was not
        met, or its fallen neighbours; the first :data:`MAX_BECAUSE` are named.
    layer : str
        For ``disconnected``: the layer it was cut from (``power``).
    hazards : mapping of str to Text, optional
        The scenario's hazards, id → name, to name a hazard in ``lang``.

    Returns
    -------
    str
        The cause in words, e.g. ``its backup ran out (waiting for TR1)``.

    Examples
    --------
    >>> cause_words("disconnected", "en", layer="power", because=["L1", "L2"])
    'cut from every source of its power network (neighbours down: L1, L2)'
    >>> cause_words("requirement", "fr")
    "perte de ce dont l'équipement dépend, sans secours"
    """
    if cause == "event" and event == ABSENT:
        return event_words(event, lang)
    if cause == "event":
        return gettext(N_("damaged by {event}"), lang).format(
            event=event_words(event, lang, hazards)
        )
    named = ", ".join(because[:MAX_BECAUSE]) + (", …" if len(because) > MAX_BECAUSE else "")
    if cause == "disconnected" and not layer:
        cause = "disconnected, no layer"
    if cause not in _WORDS:
        return cause
    with_because, alone = _WORDS[cause]
    return gettext(with_because if named else alone, lang).format(
        because=named, layer=layer_label(layer, lang)
    )
