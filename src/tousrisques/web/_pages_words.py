"""The words the pages' scripts show, rendered by the server in the page's language into a
``<template id="words">`` (the scripts read them from there: no word is written in
JavaScript), and the labels of the log's and the map's categories.
"""

from __future__ import annotations

from tousrisques._i18n import N_, translations
from tousrisques.report._build import ROLE_LABELS

__all__ = ["ANNOTATION_LABELS", "LOG_LABELS", "WORDS", "script_words"]

#: the situation log's categories (``LOG_CATEGORIES``), in words
LOG_LABELS = {"situation": N_("Situation"), "action": N_("Action"),
              "information": N_("Information"), "request": N_("Request"), "other": N_("Other")}

#: the map's annotation categories (``ANNOTATION_CATEGORIES``), in words
ANNOTATION_LABELS = {"road_cut": N_("Road cut"), "shelter_open": N_("Shelter open"),
                     "power_restored": N_("Power restored"), "rumour": N_("Rumour to check"),
                     "other": N_("Other")}

#: key → English message id, for the scripts
WORDS = {
    "available": N_("works"),
    "unavailable": N_("down"),
    "delivered": N_("delivered"),
    "delayed": N_("on its way"),
    "blocked": N_("blocked"),
    "not_received": N_("not received"),
    "arrives": N_("arrives at"),
    "to": N_("to"),
    "you": N_("you"),
    "role": N_("role"),
    "inject": N_("Inject"),
    "message": N_("Message"),
    "broadcast": N_("broadcast"),
    "reached": N_("people reached"),
    "alternatives": N_("Channels that would get through now:"),
    "use": N_("Use"),
    "no_alternative": N_("No channel of yours would get through now."),
    "sent": N_("Sent"),
    "saved": N_("Saved"),
    "need_token": N_("Enter the admin token first."),
    "need_text": N_("Write something first."),
    "need_to": N_("Choose at least one addressee."),
    "need_place": N_("Click the map to place the annotation first (a line: two clicks or more)."),
    "state.created": N_("not started"),
    "state.running": N_("running"),
    "state.paused": N_("paused"),
    "state.ended": N_("ended"),
    "decided_by": N_("decided by"),
    "based_on": N_("based on"),
    "done": N_("done"),
    "due": N_("due"),
    "within": N_("within"),
    "received": N_("received"),
    "not_yet": N_("not yet received"),
    "no_items": N_("Nothing yet."),
    "no_reflex": N_("The scenario expects no action of this role."),
    "shared": N_("shared"),
    "not_shared": N_("not shared"),
    "reach_main": N_("Reached by the main alert channel"),
    "reach_any": N_("informed so far (alerts sent, volunteers)"),
    "reach_relays": N_("by volunteers"),
    "assets_down": N_("assets down"),
    "end_confirm": N_("Click again to end the exercise"),
    "copy": N_("Join link"),
    "observers": N_("Observers"),
    "open": N_("Open"),
    "relay_sent": N_("Order sent"),
    "starts": N_("volunteers start at"),
    "point_added": N_("Point placed: write the text and post."),
    "line_added": N_("Line: click again to add a point, double-click to finish."),
    "annotation": N_("Annotation"),
    "log": N_("Log"),
    "relay": N_("Volunteers sent"),
    "error": N_("Refused"),
    "network": N_("The server does not answer; retrying."),
    "ended_revoked": N_("The exercise has ended: this page no longer updates."),
    "zones": N_("zones"),
    "inhabitants": N_("inhabitants"),
    "first_to": N_("Crisis cells and those you report to"),
    "players": N_("The exercise's players"),
    "whole_roles": N_("Every actor of a role"),
    "other_codes": N_("Join codes of the other actors"),
    "other_actors": N_("Other actors, no channel lost since the start"),
    "own_commune": N_("the relay's commune"),
    "outside_commune": N_("is outside the relay's commune. Click again to send it there anyway."),
    "need_place_zone": N_("Choose at least one zone."),
    "facilitator": N_("Facilitator"),
}


def script_words(lang: str) -> list[tuple[str, str]]:
    """Every word of the scripts in ``lang``, as (key, text); the roles' names as
    ``role.ID``.

    Parameters
    ----------
    lang : str

    Returns
    -------
    list of (str, str)

    Examples
    --------
    >>> words = dict(script_words("fr"))
    >>> words["delivered"], words["role.crisis_cell"]
    ('remis', 'cellule de crise')
    """
    _ = translations(lang).gettext
    return [(key, _(msgid)) for key, msgid in WORDS.items()] + [
        (f"role.{role}", label.render(lang)) for role, label in ROLE_LABELS.items()]
