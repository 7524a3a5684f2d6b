"""Part 2 of the exercise's API (``/api/…``): the reflex sheet and its ticks, the shared map
(its geometry, its state now, annotations and their exports), the observers' notes, citizen
relays sent to zones, and QR codes for the join links. Same rules as
:mod:`tousrisques.web._api`: the token says who calls, bodies are strict, refusals are
``{"code", "detail"}``.
"""

from __future__ import annotations

import io
from typing import Annotated, Any

import anyio.to_thread
import segno
from fastapi import APIRouter, Query, Request, Response

from tousrisques.exercise import Session
from tousrisques.web._api import _ERRORS, Lang, Who, _act, _admin, _player, _service, _visible
from tousrisques.web._auth_deps import for_exercise, now
from tousrisques.web._errors import ApiError, request_lang
from tousrisques.web._map import map_geometry, map_state
from tousrisques.web._play_export import annotations_csv, annotations_geojson
from tousrisques.web._schemas import SeqOut
from tousrisques.web._schemas_play import (
    ActionIn,
    AnnotationIn,
    AnnotationOut,
    NoteIn,
    QrIn,
    ReflexOut,
    RelayIn,
    RelayOut,
)

__all__ = ["router"]

router = APIRouter(prefix="/api", responses=_ERRORS)

ActorQuery = Annotated[str | None, Query(min_length=1, max_length=100)]


@router.get("/exercises/{exercise_id}/reflex", response_model=ReflexOut,
            summary="A reflex sheet: the actions the plan expects of an actor, ticked or not")
async def reflex(request: Request, exercise_id: str, who: Who,
                 actor: ActorQuery = None) -> ReflexOut:
    await for_exercise(request, who, exercise_id)
    if who.role == "player":
        if actor is not None and actor != who.actor:
            raise ApiError("play.own_sheet")
        actor = who.actor
    if actor is None:
        raise ApiError("play.actor")
    wanted = actor
    service = _service(request)
    items = await anyio.to_thread.run_sync(
        lambda: service.view(exercise_id, lambda s: s.reflex(wanted)))
    return ReflexOut(actor=wanted, items=items)


@router.post("/exercises/{exercise_id}/actions", status_code=201, response_model=SeqOut,
             summary="Tick an expected action of my reflex sheet as done")
async def action_done(request: Request, exercise_id: str, body: ActionIn,
                      who: Who) -> SeqOut:
    await for_exercise(request, who, exercise_id)
    actor = _player(who)
    done, _ = await _act(request, exercise_id, lambda s, at: s.done(
        at, actor, body.inject, body.index, name=who.name, note=body.note))
    return SeqOut(seq=done.seq)


@router.post("/exercises/{exercise_id}/annotations", status_code=201,
             response_model=AnnotationOut,
             summary="Put a point or a line on the shared map")
async def annotate(request: Request, exercise_id: str, body: AnnotationIn, who: Who,
                   accept_language: Lang = None) -> AnnotationOut:
    await for_exercise(request, who, exercise_id)
    if who.role == "observer":
        raise ApiError("auth.observer")
    actor = who.actor if who.role == "player" else None
    geometry = body.geometry.model_dump(mode="json")
    added, _ = await _act(request, exercise_id, lambda s, at: s.annotate(
        at, actor, body.category, body.text, geometry, name=who.name or who.role,
        author=who.author))
    p = added.payload
    reason = p.get("reason")
    lang = request_lang(accept_language)
    return AnnotationOut(seq=added.seq, id=p["id"], shared=p["shared"],
                         reason=None if reason is None else reason[lang])


async def _annotations(request: Request, exercise_id: str, who: Any) -> tuple[list[Any], Any]:
    await for_exercise(request, who, exercise_id)
    seen = await _visible(request, exercise_id, who, 0)
    service = _service(request)
    model = await anyio.to_thread.run_sync(service.model, exercise_id)
    return [e for e in seen if e.kind == "annotation.added"], model


@router.get("/exercises/{exercise_id}/annotations.geojson",
            summary="The annotations I may see, as GeoJSON",
            responses={200: {"content": {"application/geo+json": {}}}})
async def annotations_as_geojson(request: Request, exercise_id: str, who: Who,
                                 accept_language: Lang = None) -> Response:
    seen, model = await _annotations(request, exercise_id, who)
    return Response(annotations_geojson(seen, model, request_lang(accept_language)),
                    media_type="application/geo+json", headers={
                        "content-disposition":
                            f'attachment; filename="annotations-{exercise_id}.geojson"'})


@router.get("/exercises/{exercise_id}/annotations.csv",
            summary="The annotations I may see, as HXL-tagged CSV",
            responses={200: {"content": {"text/csv": {}}}})
async def annotations_as_csv(request: Request, exercise_id: str, who: Who,
                             accept_language: Lang = None) -> Response:
    seen, model = await _annotations(request, exercise_id, who)
    return Response(annotations_csv(seen, model, request_lang(accept_language)),
                    media_type="text/csv; charset=utf-8", headers={
                        "content-disposition":
                            f'attachment; filename="annotations-{exercise_id}.csv"'})


@router.post("/exercises/{exercise_id}/notes", status_code=201, response_model=SeqOut,
             summary="Note what I observe, for the RETEX (observers, facilitator)")
async def note(request: Request, exercise_id: str, body: NoteIn, who: Who) -> SeqOut:
    await for_exercise(request, who, exercise_id)
    if who.role not in ("observer", "facilitator"):
        raise ApiError("play.notes")
    written, _ = await _act(request, exercise_id, lambda s, at: s.note(
        at, body.text, name=who.name or who.role, author=who.role))
    return SeqOut(seq=written.seq)


@router.post("/exercises/{exercise_id}/relays", status_code=201, response_model=RelayOut,
             summary="Send a citizen relay's volunteers to zones")
async def dispatch(request: Request, exercise_id: str, body: RelayIn, who: Who) -> RelayOut:
    await for_exercise(request, who, exercise_id)
    actor = _player(who)
    sent, _ = await _act(request, exercise_id, lambda s, at: s.dispatch(
        at, actor, body.relay, body.zones, body.channel, name=who.name))
    p = sent.payload
    return RelayOut(seq=sent.seq, status=p["status"], reason=p.get("reason"),
                    arrives_s=p.get("arrives_s"), starts_s=p.get("starts_s"))


@router.get("/exercises/{exercise_id}/map", response_model=dict[str, Any],
            summary="The shared map's geometry: zones, communes, assets, lines (WGS84)")
async def map_data(request: Request, exercise_id: str, who: Who) -> dict[str, Any]:
    await for_exercise(request, who, exercise_id)
    service = _service(request)
    model = await anyio.to_thread.run_sync(service.model, exercise_id)
    geometry = await anyio.to_thread.run_sync(map_geometry, model)
    return geometry.data


@router.get("/exercises/{exercise_id}/map/state", response_model=dict[str, Any],
            summary="The map now: assets down, each zone's reach, the reach by any channel")
async def map_now(request: Request, exercise_id: str, who: Who,
                  accept_language: Lang = None) -> dict[str, Any]:
    await for_exercise(request, who, exercise_id)
    lang = request_lang(accept_language)
    service = _service(request)

    def read(session: Session) -> dict[str, Any]:
        t = session.scenario_s(now())
        return map_state(session, t, session.exercise.clock_text(t, lang))

    return await anyio.to_thread.run_sync(lambda: service.view(exercise_id, read))


@router.post("/qr", summary="A QR code of a text, as SVG (facilitator)",
             response_class=Response,
             responses={200: {"content": {"image/svg+xml": {}}}})
async def qr(body: QrIn, who: Who) -> Response:
    _admin(who)
    out = io.BytesIO()
    # presentation attributes only (fill, stroke): no style, which the CSP would refuse; a
    # viewBox and no width/height (the page sizes it whole), the quiet zone of 4 modules that
    # phone cameras need
    segno.make(body.text, error="m").save(out, kind="svg", scale=4, border=4, dark="#000",
                                          light="#fff", xmldecl=False, svgns=True,
                                          svgclass="qr", lineclass=None, nl=False,
                                          omitsize=True)
    return Response(out.getvalue(), media_type="image/svg+xml")
