"""The HTTP API of an exercise (``/api/…``): thin handlers that check who calls, hand the work
to :class:`~tousrisques.web._service.ExerciseService` in a worker thread, publish what was
committed to the live streams, and answer.

Who may do what: the facilitator (the admin token) everything, in every exercise; a player
(a token from joining with an actor's code) acts as its actor only, in its exercise only, and
sees what its actor may see; an observer (the observers' code) reads everything of its
exercise and writes nothing. No body names who sends it: the token does.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Annotated, Any, TypeVar

import anyio.to_thread
from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse

from tousrisques.exercise import Event, Session, normalise_code, visible
from tousrisques.web._auth import hash_secret, new_token
from tousrisques.web._auth_deps import (
    STREAM_COOKIE,
    Caller,
    caller,
    for_exercise,
    from_token,
    now,
)
from tousrisques.web._errors import ApiError, request_lang
from tousrisques.web._export import export_csv, export_json
from tousrisques.web._schemas import (
    CreatedExercise,
    CreateExercise,
    DecisionIn,
    ErrorOut,
    EventOut,
    EventsOut,
    ExerciseOut,
    InjectIn,
    JoinIn,
    JoinOut,
    JumpIn,
    LogIn,
    MeOut,
    MessageIn,
    MessageOut,
    SeqOut,
    SpeedIn,
)
from tousrisques.web._service import ExerciseService
from tousrisques.web._store import Participant, SqlStore

__all__ = ["router"]

T = TypeVar("T")

_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut} for code in (400, 401, 403, 404, 409, 413, 422, 429)}
router = APIRouter(prefix="/api", responses=_ERRORS)

Who = Annotated[Caller, Depends(caller)]
Lang = Annotated[str | None, Header()]
After = Annotated[int, Query(ge=0, le=2**53)]

_STREAM_KEY_LIFE = timedelta(hours=12)
# a stream that wakes up waits this long for what follows, unless that many events are there
_COALESCE_S = 0.05
_COALESCE_BELOW = 20


def _service(request: Request) -> ExerciseService:
    service: ExerciseService = request.app.state.service
    return service


async def _act(request: Request, exercise_id: str,
               action: Callable[[Session, Any], T]) -> tuple[T, list[Event]]:
    """Run an action in a worker thread, then hand its committed events to the streams."""
    service = _service(request)
    result, events = await anyio.to_thread.run_sync(
        lambda: service.act(exercise_id, action, now=now()))
    request.app.state.hub.publish(exercise_id, events)
    return result, events


def _admin(who: Caller) -> None:
    if who.role != "facilitator":
        raise ApiError("auth.admin")


def _writer(who: Caller) -> None:
    if not who.may_write:
        raise ApiError("auth.observer")


def _seq(events: list[Event], kinds: tuple[str, ...]) -> int:
    return next(e.seq for e in reversed(events) if e.kind in kinds)


# -- the facilitator -------------------------------------------------------------------------

@router.get("/library", response_model=list[str], summary="Scenarios an exercise may use")
async def library(request: Request, who: Who) -> list[str]:
    _admin(who)
    return _service(request).library.names()


@router.post("/exercises", status_code=201, response_model=CreatedExercise,
             summary="Create an exercise (facilitator)")
async def create_exercise(request: Request, body: CreateExercise,
                          who: Who) -> CreatedExercise:
    _admin(who)
    service = _service(request)
    created = await anyio.to_thread.run_sync(
        lambda: service.create(body.scenario, run=body.run, percentile=body.percentile,
                               speed=body.speed, now=now()))
    return CreatedExercise(id=created.id, run=created.run, percentile=created.percentile,
                           join_codes=dict(created.join_codes),
                           observer_code=created.observer_code, players=list(created.players))


@router.get("/exercises", response_model=list[dict[str, Any]],
            summary="Every exercise (facilitator)")
async def list_exercises(request: Request, who: Who) -> list[dict[str, Any]]:
    _admin(who)
    store: SqlStore = request.app.state.store
    rows = await anyio.to_thread.run_sync(store.exercises)
    return [{"id": r.id, "scenario": r.scenario, "state": r.state, "last_seq": r.last_seq}
            for r in rows]


@router.get("/exercises/{exercise_id}", response_model=ExerciseOut,
            summary="An exercise: state, clock, actors, channels")
async def get_exercise(request: Request, exercise_id: str, who: Who,
                       accept_language: Lang = None) -> ExerciseOut:
    await for_exercise(request, who, exercise_id)
    lang = request_lang(accept_language)
    service = _service(request)
    store: SqlStore = request.app.state.store
    row = await anyio.to_thread.run_sync(store.exercise, exercise_id)
    assert row is not None

    def read(session: Session) -> ExerciseOut:
        model = service.model(exercise_id)
        at = now()
        s = session.scenario_s(at)
        specs = {a.id: a for a in model.scenario.territory.actors}
        players = set(model.players())
        return ExerciseOut(
            id=exercise_id, scenario=row.scenario, state=row.state, scenario_s=s,
            clock=model.clock_text(s, lang), running=session.clock.running,
            speed=session.clock.speed, duration_s=model.duration_s,
            last_seq=session.events[-1].seq if session.events else 0,
            actors=[{"id": a, "name": model.actor_name(a)._asdict(), "role": model.role_of(a),
                     # what the pages order and group the actors by (players first)
                     "player": a in players, "crisis_cell": bool(specs[a].crisis_cell),
                     "reports_to": list(specs[a].reports_to), "site": specs[a].site}
                    for a in model.actors],
            channels=[{"id": c, "name": model.channel_name(c)._asdict(),
                       "broadcast": model.is_broadcast(c)} for c in model.channels])

    return await anyio.to_thread.run_sync(lambda: service.view(exercise_id, read))


async def _clock(request: Request, exercise_id: str, who: Caller, action: str,
                 state: str | None, **kwargs: Any) -> SeqOut:
    _admin(who)
    await for_exercise(request, who, exercise_id)
    store: SqlStore = request.app.state.store

    def act(session: Session, at: Any) -> None:
        getattr(session, action)(at, **kwargs, author="facilitator")
        if state is not None:
            store.set_state(exercise_id, state)
        if action == "end":
            store.revoke(exercise_id, now=at)

    _, events = await _act(request, exercise_id, act)
    return SeqOut(seq=events[-1].seq)


@router.post("/exercises/{exercise_id}/start", status_code=201, response_model=SeqOut,
             summary="Start the clock (facilitator)")
async def start(request: Request, exercise_id: str, who: Who) -> SeqOut:
    return await _clock(request, exercise_id, who, "start", "running")


@router.post("/exercises/{exercise_id}/pause", status_code=201, response_model=SeqOut,
             summary="Pause the clock (facilitator)")
async def pause(request: Request, exercise_id: str, who: Who) -> SeqOut:
    return await _clock(request, exercise_id, who, "pause", "paused")


@router.post("/exercises/{exercise_id}/resume", status_code=201, response_model=SeqOut,
             summary="Resume the clock (facilitator)")
async def resume(request: Request, exercise_id: str, who: Who) -> SeqOut:
    return await _clock(request, exercise_id, who, "resume", "running")


@router.post("/exercises/{exercise_id}/speed", status_code=201, response_model=SeqOut,
             summary="Change the clock's speed (facilitator)")
async def speed(request: Request, exercise_id: str, body: SpeedIn,
                who: Who) -> SeqOut:
    return await _clock(request, exercise_id, who, "set_speed", None, speed=body.speed)


@router.post("/exercises/{exercise_id}/jump", status_code=201, response_model=SeqOut,
             summary="Jump to a scenario time (facilitator)")
async def jump(request: Request, exercise_id: str, body: JumpIn,
               who: Who) -> SeqOut:
    return await _clock(request, exercise_id, who, "jump", None, scenario_s=body.scenario_s)


@router.post("/exercises/{exercise_id}/end", status_code=201, response_model=SeqOut,
             summary="End the exercise and revoke its tokens (facilitator)")
async def end(request: Request, exercise_id: str, who: Who) -> SeqOut:
    return await _clock(request, exercise_id, who, "end", "ended")


@router.post("/exercises/{exercise_id}/injects", status_code=201, response_model=list[SeqOut],
             summary="Push an inject by hand (facilitator)")
async def push_inject(request: Request, exercise_id: str, body: InjectIn,
                      who: Who) -> list[SeqOut]:
    _admin(who)
    await for_exercise(request, who, exercise_id)
    pushed, _ = await _act(request, exercise_id, lambda s, at: s.push_inject(
        at, to=body.to, text=body.text, channel=body.channel, author="facilitator"))
    return [SeqOut(seq=e.seq) for e in pushed]


@router.get("/exercises/{exercise_id}/actors", response_model=list[dict[str, Any]],
            summary="Every actor's channels now, and until when (facilitator)")
async def actors_now(request: Request, exercise_id: str, who: Who) -> list[dict[str, Any]]:
    _admin(who)
    await for_exercise(request, who, exercise_id)
    service = _service(request)

    def read(session: Session) -> list[dict[str, Any]]:
        model = service.model(exercise_id)
        at = now()
        return [{"actor": a, "name": model.actor_name(a)._asdict(), "role": model.role_of(a),
                 "channels": [c.to_json() for c in session.channels_now(a, at)]}
                for a in model.actors]

    return await anyio.to_thread.run_sync(lambda: service.view(exercise_id, read))


@router.get("/exercises/{exercise_id}/injects", response_model=dict[str, list[dict[str, Any]]],
            summary="The scenario's injects to come, and those not received (facilitator)")
async def injects(request: Request, exercise_id: str, who: Who) -> dict[str, list[dict[str, Any]]]:
    _admin(who)
    await for_exercise(request, who, exercise_id)
    service = _service(request)

    def read(session: Session) -> dict[str, list[dict[str, Any]]]:
        return {"upcoming": [i.to_json() for i in session.upcoming()],
                "not_received": [e.to_json() for e in session.not_received()]}

    return await anyio.to_thread.run_sync(lambda: service.view(exercise_id, read))


# -- joining ---------------------------------------------------------------------------------

@router.post("/exercises/{exercise_id}/join", status_code=201, response_model=JoinOut,
             summary="Join with a join code: a token for one actor (or to observe)")
async def join(request: Request, exercise_id: str, body: JoinIn) -> JoinOut:
    limiter = request.app.state.limiter
    client = request.client.host if request.client else "?"
    wait = limiter.blocked(client, exercise_id)
    if wait > 0:
        raise ApiError("join.limit", seconds=int(wait) + 1)
    store: SqlStore = request.app.state.store
    found = await anyio.to_thread.run_sync(
        store.join_code, exercise_id, hash_secret(normalise_code(body.code), salt=exercise_id))
    if found is None:
        limiter.failed(client, exercise_id)
        raise ApiError("join.code")
    actor, role = found
    token = new_token()

    def act(session: Session, at: Any) -> Event:
        event = session.join(at, actor, body.name, role=role)
        store.add_participant(Participant(hash_secret(token), exercise_id, actor, role,
                                          body.name, None), now=at)
        return event

    joined, _ = await _act(request, exercise_id, act)
    return JoinOut(token=token, actor=actor, role=role,
                   participant=int(joined.payload["participant"]))


@router.get("/exercises/{exercise_id}/me", response_model=MeOut,
            summary="My actor, the clock, my channels now and why not")
async def me(request: Request, exercise_id: str, who: Who,
             accept_language: Lang = None) -> MeOut:
    await for_exercise(request, who, exercise_id)
    lang = request_lang(accept_language)
    service = _service(request)

    def read(session: Session) -> MeOut:
        model = service.model(exercise_id)
        at = now()
        s = session.scenario_s(at)
        channels: list[dict[str, Any]] = []
        if who.actor is not None:
            for ch in session.channels_now(who.actor, at):
                item = ch.to_json()
                item.pop("until_s", None)  # the run's future is the facilitator's only
                channels.append(item)
        return MeOut(actor=who.actor, role=who.role, name=who.name, scenario_s=s,
                     clock=model.clock_text(s, lang), channels=channels)

    return await anyio.to_thread.run_sync(lambda: service.view(exercise_id, read))


# -- what players write ----------------------------------------------------------------------

def _player(who: Caller) -> str:
    if who.role != "player" or who.actor is None:
        raise ApiError("auth.observer" if who.role == "observer" else "auth.player")
    return who.actor


@router.post("/exercises/{exercise_id}/messages", status_code=201, response_model=MessageOut,
             summary="Send a message over one of my channels")
async def send(request: Request, exercise_id: str, body: MessageIn,
               who: Who) -> MessageOut:
    await for_exercise(request, who, exercise_id)
    actor = _player(who)
    sent, _ = await _act(request, exercise_id, lambda s, at: s.send(
        at, actor, body.channel, to=body.to, text=body.text, name=who.name))
    p = sent.payload
    return MessageOut(seq=sent.seq, status=p["status"], reason=p.get("reason"),
                      reached=p.get("reached"), recipients=p.get("recipients", []))


@router.post("/exercises/{exercise_id}/log", status_code=201, response_model=SeqOut,
             summary="Write in the situation log (main courante)")
async def write_log(request: Request, exercise_id: str, body: LogIn,
                    who: Who) -> SeqOut:
    await for_exercise(request, who, exercise_id)
    _writer(who)
    entry, _ = await _act(request, exercise_id, lambda s, at: s.log(
        at, who.actor, body.text, body.category, name=who.name or who.role, author=who.author))
    return SeqOut(seq=entry.seq)


@router.post("/exercises/{exercise_id}/decisions", status_code=201, response_model=SeqOut,
             summary="Record a decision")
async def decide(request: Request, exercise_id: str, body: DecisionIn,
                 who: Who) -> SeqOut:
    await for_exercise(request, who, exercise_id)
    _writer(who)
    decision, _ = await _act(request, exercise_id, lambda s, at: s.decide(
        at, who.actor, body.what, body.decided_by, body.based_on,
        based_on_seqs=body.based_on_seqs, name=who.name or who.role, author=who.author))
    return SeqOut(seq=decision.seq)


# -- reading the log -------------------------------------------------------------------------

async def _visible(request: Request, exercise_id: str, who: Caller,
                   after: int) -> list[Event]:
    events = await request.app.state.hub.after(exercise_id, after)
    return [e for e in events if visible(e, actor=who.actor, role=who.role)]


@router.get("/exercises/{exercise_id}/events", response_model=EventsOut,
            summary="The events after a number that I may see")
async def events(request: Request, exercise_id: str, who: Who,
                 after: After = 0,
                 limit: Annotated[int, Query(ge=1, le=10_000)] = 1000) -> EventsOut:
    await for_exercise(request, who, exercise_id)
    all_after = await request.app.state.hub.after(exercise_id, after)
    seen = [e for e in all_after if visible(e, actor=who.actor, role=who.role)][:limit]
    last = seen[-1].seq if len(seen) == limit else (all_after[-1].seq if all_after else after)
    return EventsOut(events=[EventOut(**e.to_json()) for e in seen], last_seq=last)


@router.post("/exercises/{exercise_id}/stream-key", status_code=204,
             summary="Set the cookie that opens my event stream (for a browser)")
async def stream_key(request: Request, exercise_id: str,
                     who: Who) -> Response:
    await for_exercise(request, who, exercise_id)
    key = new_token()
    store: SqlStore = request.app.state.store
    await anyio.to_thread.run_sync(lambda: store.add_stream_key(
        hash_secret(key), who.token_hash, exercise_id, expires=now() + _STREAM_KEY_LIFE))
    response = Response(status_code=204)
    response.set_cookie(STREAM_COOKIE, key, max_age=int(_STREAM_KEY_LIFE.total_seconds()),
                        path=f"/api/exercises/{exercise_id}/stream", httponly=True,
                        samesite="strict", secure=request.url.scheme == "https")
    return response


async def _stream_caller(request: Request, exercise_id: str) -> Caller:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token:
        return await from_token(request, token.strip())
    key = request.cookies.get(STREAM_COOKIE)
    if not key:
        raise ApiError("auth.missing")
    store: SqlStore = request.app.state.store
    found = await anyio.to_thread.run_sync(
        lambda: store.stream_key(hash_secret(key), now=now()))
    if found is None or found[1] != exercise_id:
        raise ApiError("stream.key")
    token_hash, _ = found
    if token_hash == "admin":
        return Caller("facilitator", None, None, "admin", "")
    participant = await anyio.to_thread.run_sync(store.participant, token_hash)
    if participant is None or participant.revoked:
        raise ApiError("auth.invalid")
    return Caller(participant.role, participant.actor, participant.exercise_id,
                  participant.token_hash, participant.name)


@router.get("/exercises/{exercise_id}/stream", summary="Server-sent events, resumable",
            response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {}},
                             "description": "One SSE event per log event: id = its number, "
                                            "event = its kind, data = its JSON."}})
async def stream(request: Request, exercise_id: str,
                 last_event_id: Annotated[str | None, Header()] = None,
                 after: After = 0) -> StreamingResponse:
    who = await for_exercise(request, await _stream_caller(request, exercise_id), exercise_id)
    start_after = after
    if last_event_id and last_event_id.strip().isdigit():
        start_after = max(start_after, int(last_event_id.strip()))
    hub = request.app.state.hub

    async def lines() -> AsyncIterator[bytes]:
        # the SSE text of each event is made once per process (Hub.encoded), and what came
        # together goes out in one write: 200 streams cost 200 writes an event, not more
        yield b"retry: 2000\n\n"
        last = start_after
        while True:
            events = await hub.wait(exercise_id, last, timeout=15.0)
            if not events:
                yield b": keep-alive\n\n"
                continue
            if len(events) < _COALESCE_BELOW:
                # what comes in the next instant goes out with it: fewer, larger writes
                await asyncio.sleep(_COALESCE_S)
                events = await hub.after(exercise_id, last)
            last = events[-1].seq
            chunk = b"".join(hub.encoded(exercise_id, e) for e in events
                             if visible(e, actor=who.actor, role=who.role))
            if chunk:
                yield chunk
            if who.role != "facilitator" and any(e.kind == "exercise.ended" for e in events):
                return  # its tokens are revoked

    return StreamingResponse(lines(), media_type="text/event-stream",
                             headers={"x-accel-buffering": "no"})


@router.get("/exercises/{exercise_id}/export.json", summary="The log, as JSON")
async def export_as_json(request: Request, exercise_id: str,
                         who: Who) -> Response:
    await for_exercise(request, who, exercise_id)
    seen = await _visible(request, exercise_id, who, 0)
    return Response(export_json(seen), media_type="application/json", headers={
        "content-disposition": f'attachment; filename="exercise-{exercise_id}.json"'})


@router.get("/exercises/{exercise_id}/export.csv", summary="The log, as spreadsheet-safe CSV",
            responses={200: {"content": {"text/csv": {}}}})
async def export_as_csv(request: Request, exercise_id: str, who: Who,
                        accept_language: Lang = None) -> Response:
    await for_exercise(request, who, exercise_id)
    seen = await _visible(request, exercise_id, who, 0)
    return Response(export_csv(seen, request_lang(accept_language)),
                    media_type="text/csv; charset=utf-8", headers={
                        "content-disposition":
                            f'attachment; filename="exercise-{exercise_id}.csv"'})


def error_response(exc: ApiError, lang: str) -> JSONResponse:
    """The JSON answer of a refusal.

    Parameters
    ----------
    exc : ApiError
    lang : str

    Returns
    -------
    JSONResponse
    """
    headers = {"retry-after": str(exc.params["seconds"])} if exc.code == "join.limit" else None
    return JSONResponse({"code": exc.code, "detail": exc.render(lang)}, status_code=exc.status,
                        headers=headers)
