"""The exercise's RETEX (after-action review) as one self-contained HTML file, in French or
English, in the style of the simulation report (``report.css``): inline SVG, no script,
nothing fetched, so it opens offline, reads on a phone and prints.

:func:`render_retex` draws a :class:`~tousrisques.exercise.Review` (the numbers and events,
``exercise.review``); every figure it shows carries its value in a ``data-*`` attribute, so
that a test (or a script) reads it without reading words. Every text a player wrote is
escaped (Jinja2's autoescape, and ``markupsafe.escape`` in the figures).
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

from markupsafe import Markup

from tousrisques import __version__
from tousrisques._i18n import N_
from tousrisques.exercise import Event, Exercise, Review
from tousrisques.report._html import environment
from tousrisques.report._i18n import Formats, check_lang, translations
from tousrisques.report._retex_svg import (
    IMPROVISED,
    PLANNED,
    STATUS_COLOURS,
    USED,
    Lane,
    circuit_graph,
    event_marks,
    timeline_strip,
)

__all__ = ["render_retex"]

KIND_WORDS = {
    "clock.started": N_("Clock started"), "clock.paused": N_("Clock paused"),
    "clock.resumed": N_("Clock resumed"), "clock.jumped": N_("Clock moved"),
    "clock.speed": N_("Speed changed"), "inject.delivered": N_("Inject received"),
    "inject.not_received": N_("Inject not received"), "message.sent": N_("Message"),
    "log.entry": N_("Log entry"), "decision": N_("Decision"),
    "annotation.added": N_("Map annotation"), "relay.dispatched": N_("Volunteers sent"),
    "action.done": N_("Expected action done"), "note.added": N_("Observer's note"),
}
#: a message "delayed" in the model arrived after its channel's delay: delivered
STATUS_WORDS = {"delivered": N_("delivered"), "delayed": N_("arrived after the channel's delay"),
                "blocked": N_("blocked"), "not_received": N_("not received")}
CATEGORY_WORDS = {"road_cut": N_("Road cut"), "shelter_open": N_("Shelter open"),
                  "power_restored": N_("Power restored"), "rumour": N_("Rumour to check"),
                  "other": N_("Other")}
LOG_WORDS = {"situation": N_("situation"), "action": N_("action"),
             "information": N_("information"), "request": N_("request"), "other": N_("other")}


class _Words:
    """The words of one language for the events of one exercise."""

    def __init__(self, exercise: Exercise, lang: str) -> None:
        self.ex, self.lang = exercise, lang
        self.tr = translations(lang)
        self.fmt = Formats(lang)
        self._ = self.tr.gettext
        #: before a colon: a no-break space in French
        self.colon = "\u00a0: " if lang == "fr" else ": "
        attrs = exercise.scenario.territory.zones.attrs
        names = next((attrs[k] for k in ("name", "nom") if k in attrs), None)
        communes = next((attrs[k] for k in ("commune", "commune_name") if k in attrs), None)
        self.zones: dict[str, str] = {}
        for i, z in enumerate(exercise.zone_ids):
            name = str(names[i]) if names is not None and names[i] else ""
            commune = str(communes[i]) if communes is not None and communes[i] else ""
            self.zones[z] = (f"{name} ({commune})" if name and commune and name != commune
                             else name or commune or z)

    def zone_list(self, zones: Any) -> str:
        """Zones by name, a name shared by several once with their count."""
        counts = Counter(self.zone(z) for z in zones or [])
        return ", ".join(name if n == 1 else self.tr.ngettext(
            "%(name)s (%(num)s zone)", "%(name)s (%(num)s zones)", n) % {"name": name, "num": n}
            for name, n in counts.items())

    def zone(self, zone: Any) -> str:
        """A zone by its name (and commune), its id when it has neither."""
        return self.zones.get(str(zone), str(zone))

    def clock(self, s: float) -> str:
        return self.ex.clock_text(s, self.lang)

    def actor(self, actor: str | None) -> str:
        if not actor:
            return self._("facilitator")
        if actor in self.ex.actors:
            return self.ex.actor_name(actor).render(self.lang)
        return {"facilitator": self._("facilitator"), "observer": self._("observer"),
                "system": self._("the exercise")}.get(actor, actor)

    def channel(self, channel: Any) -> str:
        return self.ex.channel_name(str(channel)).render(self.lang) if channel else ""

    def status(self, status: Any) -> str:
        return self._(STATUS_WORDS[status]) if status in STATUS_WORDS else str(status or "")

    def text(self, value: Any) -> str:
        if isinstance(value, dict):
            return str(value.get(self.lang) or value.get("en") or "")
        return "" if value is None else str(value)

    def action(self, inject: str, index: int) -> str:
        for inj in self.ex.injects:
            if inj.id == inject and 0 <= index < len(inj.expected):
                return self.text(inj.expected[index]["action"])
        return f"{inject} #{index + 1}"

    def who_id(self, e: Event) -> str:
        """The actor an event is of (its id), or its author."""
        p = e.payload
        return str(p.get("from") or p.get("actor") or (
            p.get("to") if e.kind.startswith("inject.") else None) or e.author)

    def who(self, e: Event) -> str:
        """Whom an event is of, by name."""
        return self.actor(self.who_id(e))

    def names(self, actors: Any) -> str:
        return ", ".join(self.actor(str(x)) for x in actors or [])

    def what(self, e: Event) -> str:
        """What an event says, in a line."""
        p, _ = e.payload, self._
        k = e.kind
        if k.startswith("clock."):
            return _("speed ×%(speed)s, scenario time %(time)s") % {
                "speed": self.fmt.number(float(p.get("speed", 1)), digits=0),
                "time": self.clock(float(p.get("scenario_s", e.scenario_s)))}
        if k.startswith("inject."):
            text = f"{p.get('inject', '')}{self.colon}{self.text(p.get('text'))}"
            return text + (f" — {self.text(p.get('reason'))}" if p.get("reason") else "")
        if k == "message.sent":
            to = self.names(p.get("to")) or _("the population")
            text = _("to %(to)s by %(channel)s: %(text)s") % {
                "to": to, "channel": self.channel(p.get("channel")),
                "text": self.text(p.get("text"))}
            return text + (f" — {self.text(p.get('reason'))}" if p.get("reason") else "")
        if k == "log.entry":
            cat = p.get("category")
            return f"[{self._(LOG_WORDS[cat]) if cat in LOG_WORDS else cat}] " \
                   f"{self.text(p.get('text'))}"
        if k == "decision":
            return self.text(p.get("what"))
        if k == "annotation.added":
            cat = p.get("category")
            label = self._(CATEGORY_WORDS[cat]) if cat in CATEGORY_WORDS else str(cat)
            return f"{p.get('id', '')} [{label}] {self.text(p.get('text'))}"
        if k == "relay.dispatched":
            text = _("%(relay)s to %(zones)s") % {
                "relay": self.actor(str(p.get("relay") or "")),
                "zones": self.zone_list(p.get("zones"))}
            return text + (f" — {self.text(p.get('reason'))}" if p.get("reason") else "")
        if k == "action.done":
            note = self.text(p.get("note"))
            action = self.action(str(p.get("inject")), int(p.get("index", 0)))
            return f"{p.get('inject', '')}{self.colon}{action}" + (f" — {note}" if note else "")
        return self.text(p.get("text"))

    def row(self, e: Event) -> dict[str, Any]:
        p = e.payload
        actor = self.who_id(e)
        return {"seq": e.seq, "kind": e.kind, "time": self.clock(e.scenario_s),
                "label": self._(KIND_WORDS.get(e.kind, e.kind)), "who": self.who(e),
                "who_id": actor if actor in self.ex.actors else "",
                "name": self.text(p.get("name")), "what": self.what(e),
                "status": p.get("status") or ("not_received" if e.kind ==
                                               "inject.not_received" else ""),
                "status_text": self.status(p.get("status")) if p.get("status") else ""}

    def tip(self, e: Event) -> str:
        return f"{self.clock(e.scenario_s)} — {self._(KIND_WORDS.get(e.kind, e.kind))} — " \
               f"{self.who(e)}{self.colon}{self.what(e)[:200]}"


def _rows(review: Review, w: _Words) -> list[dict[str, Any]]:
    """The timeline table's rows: one an event, but one per inject and moment for the
    injects (``seqs``: its events; how many addressees received it; who did not)."""
    rows: list[dict[str, Any]] = []
    injects: dict[tuple[str, float], dict[str, Any]] = {}
    for e in review.timeline:
        if not e.kind.startswith("inject."):
            rows.append(w.row(e))
            continue
        key = (str(e.payload.get("inject")), e.scenario_s)
        if key not in injects:
            injects[key] = row = w.row(e)
            row.update(kind="inject", seqs=[], received=0, missed=[], who="", who_id="",
                       status="", status_text="", label=w._("Inject"),
                       what=f"{key[0]}{w.colon}{w.text(e.payload.get('text'))}")
            rows.append(row)
        row = injects[key]
        row["seqs"].append(e.seq)
        if e.kind == "inject.delivered":
            row["received"] += 1
        else:
            row["missed"].append(w.actor(str(e.payload.get("to"))))
    for row in injects.values():
        if len(row["seqs"]) == 1:  # one addressee: by its name
            row["who_id"] = next(w.who_id(e) for e in review.timeline if e.seq == row["seqs"][0])
    return rows


def _lanes(review: Review, w: _Words) -> list[Lane]:
    _ = w._

    def of(*kinds: str) -> list[Event]:
        return [e for e in review.timeline if e.kind in kinds]

    def colour(e: Event) -> str:
        if e.kind == "inject.not_received":
            return STATUS_COLOURS["not_received"]
        return STATUS_COLOURS.get(str(e.payload.get("status")), "#555555")

    lanes = [Lane(_("Injects"), event_marks(of("inject.delivered", "inject.not_received"),
                                            colour, w.tip)),
             Lane(_("Messages"), event_marks(of("message.sent"), colour, w.tip)),
             Lane(_("Log and decisions"), event_marks(
                 of("log.entry", "decision"),
                 lambda e: "#000000" if e.kind == "decision" else "#8c8c8c", w.tip)),
             Lane(_("Map and relays"), event_marks(
                 of("annotation.added", "relay.dispatched"),
                 lambda e: "#CC79A7" if e.kind == "annotation.added" else "#009E73", w.tip)),
             Lane(_("Actions done"), event_marks(of("action.done"), lambda e: "#009E73",
                                                 w.tip)),
             Lane(_("Clock"), event_marks([e for e in review.timeline
                                           if e.kind.startswith("clock.")],
                                          lambda e: "#595959", w.tip))]
    cut: dict[str, list[Any]] = {}
    for c in review.cut_off:
        cut.setdefault(c.actor, []).append(c)
    for actor in review.players:
        bars = []
        for ch, parts in review.down.get(actor, {}).items():
            bars += [(p.start_s, p.end_s, "#fdae61",
                      _("%(channel)s down from %(start)s to %(end)s") % {
                          "channel": w.channel(ch), "start": w.clock(p.start_s),
                          "end": w.clock(p.end_s)}) for p in parts]
        bars += [(c.stretch.start_s, c.stretch.end_s, "#d7191c",
                  _("cut off from every channel from %(start)s to %(end)s") % {
                      "start": w.clock(c.stretch.start_s), "end": w.clock(c.stretch.end_s)})
                 for c in cut.get(actor, [])]
        lanes.append(Lane(w.actor(actor), bars=tuple(bars)))
    lanes.append(Lane(_("Assets lost"), tuple(
        (a.failed_s, "#d7191c", f"{w.clock(a.failed_s)} — {a.asset}") for a in review.assets
        if review.start_s <= a.failed_s <= review.end_s), shape="down"))
    lanes.append(Lane(_("Assets back"), tuple(
        (a.repaired_s, "#2e7d32", f"{w.clock(a.repaired_s)} — {a.asset}")
        for a in review.assets if a.repaired_s is not None
        and review.start_s <= a.repaired_s <= review.end_s), shape="up"))
    return lanes


def _points(w: _Words, d: float) -> str:
    """A gain in percentage points, with a decimal below 10 (``+0,4 pt``)."""
    x = round(d * 100, 1 if abs(d) < 0.1 else 0)
    word = w.tr.ngettext("pt", "pts", 2 if abs(x) >= 2 else 1)
    return ("+" if x > 0 else "") + w.fmt.number(x, digits=1) + w.fmt.space + word


def _share(fmt: Formats, x: float | None) -> str:
    return fmt.share(x) if x is not None else "—"


def render_retex(review: Review, exercise: Exercise, lang: str, *,
                 exercise_id: str = "", files: tuple[str, ...] = (),
                 generated: datetime | None = None) -> str:
    """The RETEX of an exercise as one self-contained HTML5 document.

    Parameters
    ----------
    review : Review
        ``exercise.review(exercise, events)``.
    exercise : Exercise
        The run it was played on.
    lang : {"fr", "en"}
    exercise_id : str
        Named in the title.
    files : tuple of str
        The files of the log written beside it (named in the last section).
    generated : datetime, optional
        When it is drawn (default: now).

    Returns
    -------
    str

    Examples
    --------
    >>> from datetime import datetime, timedelta, UTC
    >>> from tousrisques.exercise import Exercise, MemoryStore, Session, review
    >>> from tousrisques.scenario import load_scenario
    >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
    >>> t0 = datetime(2025, 1, 1, 9, tzinfo=UTC)
    >>> store = MemoryStore()
    >>> session = Session.create(store, "x1", Exercise.for_run(s, 0), now=t0, speed=3600)
    >>> _ = session.start(t0)
    >>> _ = session.log(t0, "CIS", "<script>alert(1)</script>", "situation")
    >>> html = render_retex(review(session.exercise, store.read("x1")), session.exercise, "fr")
    >>> "<script" in html, "&lt;script&gt;alert(1)" in html
    (False, True)
    """
    check_lang(lang)
    w = _Words(exercise, lang)
    _, fmt = w._, w.fmt
    c = review.circuits
    specs = {a.id: a for a in exercise.scenario.territory.actors}
    cells = {a for a in c.actors if specs[a].crisis_cell}

    def name(actor: str) -> str:
        return f"{actor} — {w.actor(actor)}"

    def who(actor: str) -> Markup:
        """An actor by its name, its id small beside it."""
        if actor not in exercise.actors:
            return Markup("{}").format(w.actor(actor))
        return Markup('<span title="{}">{}</span> <span class="id">{}</span>').format(
            actor, w.actor(actor), actor)

    def tip(a: str, b: str, n: int) -> str:
        return w.tr.ngettext("%(a)s – %(b)s: %(num)s message", "%(a)s – %(b)s: %(num)s messages",
                             n) % {"a": a, "b": b, "num": n}

    actions = review.actions
    done = sum(a.done is not None for a in actions)
    on_time = sum(a.on_time for a in actions)
    msgs = review.messages
    figures: list[tuple[str, float | None, str, str]] = [
        (key, value, label, fmt.integer(value)) for key, value, label in (
            ("messages-delivered", msgs["delivered"] + msgs["delayed"],
             _("Messages delivered")),
            ("messages-blocked", msgs["blocked"], _("Messages blocked")))]
    figures.append(("messages-latency", review.latency_s, _("Median latency of a message"),
                    fmt.seconds(review.latency_s) if review.latency_s is not None else "—"))
    figures += [(key, value, label, fmt.integer(value)) for key, value, label in (
        ("actions-done", done, _("Expected actions done")),
        ("actions-on-time", on_time, _("… of which on time")),
        ("actions-expected", len(actions), _("Expected actions")),
        ("cut-off", len({x.actor for x in review.cut_off}), _("Players cut off")),
        ("decisions", len(review.decisions), _("Decisions")),
        ("improvised", len(c.improvised), _("Improvised links")),
        ("unused", len(c.unused), _("Planned links never used")))]
    context: dict[str, Any] = {
        "lang": lang, "fmt": fmt, "review": review, "w": w, "version": __version__,
        "title": exercise.scenario.spec.name.get(lang),
        "territory": exercise.scenario.territory.name, "exercise_id": exercise_id,
        "run": exercise.run, "files": files,
        "start": w.clock(review.start_s), "end": w.clock(review.end_s),
        "length": fmt.seconds(review.end_s - review.start_s),
        "figures": figures, "done_share": _share(fmt, review.done_share),
        "on_time_share": _share(fmt, review.on_time_share),
        "strip": timeline_strip(_lanes(review, w), review.start_s, review.end_s,
                                clock=w.clock, title=_("Timeline of the exercise")),
        "rows": _rows(review, w),
        "assets": review.assets,
        "graph": circuit_graph(review, name=name, tip=tip, cells=cells,
                               reports={a: tuple(specs[a].reports_to) for a in c.actors},
                               title=_("Information circuits: planned and used links"))
        if c.actors else Markup(""),
        "colours": {"planned": PLANNED, "used": USED, "improvised": IMPROVISED},
        "name": name, "who": who, "cells": cells,
        "split": {k: Markup('<span data-figure="messages-{}" data-value="{}">{}</span>').format(
            key, msgs[status], fmt.integer(msgs[status])) for k, key, status in (
                ("now", "at-once", "delivered"), ("later", "after-delay", "delayed"))},
        "seconds": fmt.seconds, "clock": w.clock,
        "relay_added": _points(w, review.relays.any - review.relays.broadcasts)
        if review.relays is not None else "",
        "relay_added_main": _points(w, review.relays.main_with - review.relays.main)
        if review.relays is not None else "",
        "generated": fmt.full((generated or datetime.now(UTC)).astimezone(UTC)),
    }
    return environment(lang).get_template("retex.html").render(context)

