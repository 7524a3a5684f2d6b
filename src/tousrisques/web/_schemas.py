"""The shapes of the API's requests and answers (pydantic models, hence its OpenAPI schema).

Requests are strict: an unknown field is refused (422), so that a body cannot say who sends
it (the token says it), and every text and list has a bound.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator
from pydantic.json_schema import SkipJsonSchema

__all__ = [
    "Bilingual", "CreateExercise", "CreatedExercise", "DecisionIn", "ErrorOut", "EventOut",
    "EventsOut", "ExerciseOut", "InjectIn", "JoinIn", "JoinOut", "JumpIn", "LogIn", "MeOut",
    "MessageIn", "MessageOut", "SeqOut", "SpeedIn",
]

_REF = Field(min_length=1, max_length=100)


def no_null(value: object) -> object:
    """Refuse an explicit null: an optional field of a body is left out, never null.

    Examples
    --------
    >>> no_null("mobile")
    'mobile'
    """
    if value is None:
        raise ValueError("leave it out rather than null")
    return value


#: a channel a body may name or leave out (never null)
OptionalChannel = Annotated[Annotated[str, Field(min_length=1, max_length=100)]
                            | SkipJsonSchema[None], BeforeValidator(no_null)]
_TEXT = Field(min_length=1, max_length=10_000)


class _In(BaseModel):
    # strict: false is no number, "3" is no integer
    model_config = ConfigDict(extra="forbid", strict=True)


class ErrorOut(BaseModel):
    """A refusal: a code and a message in the request's language.

    Examples
    --------
    >>> ErrorOut(code="auth.missing", detail="...").code
    'auth.missing'
    """

    code: str
    detail: str | list[Any]


class Bilingual(BaseModel):
    """A text in English and French.

    Examples
    --------
    >>> Bilingual(en="down", fr="coupé").fr
    'coupé'
    """

    en: str
    fr: str


def _json_int(value: object) -> object:
    """JSON's 3.0 is the integer 3 (as JSON Schema reads it); anything else unchanged."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _one_of_schema(schema: dict[str, Any]) -> None:
    schema["oneOf"] = [{"required": ["run"]}, {"required": ["percentile"]}]
    for name in ("run", "percentile"):
        schema["properties"][name].pop("default", None)


def _no_null_default(schema: dict[str, Any]) -> None:
    schema["properties"]["channel"].pop("default", None)


class CreateExercise(_In):
    """``POST /api/exercises``: a scenario of the library, and a run or a percentile of reach.

    Examples
    --------
    >>> CreateExercise(scenario="rouen/tempete", run=3).speed
    1.0
    """

    # exactly one of run and percentile (the schema says so, for clients and schemathesis)
    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra=_one_of_schema)

    scenario: str = Field(min_length=1, max_length=201, pattern=r"^[A-Za-z0-9/_.-]+$")
    run: Annotated[int, Field(ge=0, le=100_000)] | SkipJsonSchema[None] = None
    percentile: Annotated[float, Field(ge=0, le=100)] | SkipJsonSchema[None] = None
    speed: float = Field(default=1.0, gt=0, le=3600)

    @field_validator("run", "percentile", mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        return _json_int(no_null(value))

    @model_validator(mode="after")
    def _one_of(self) -> CreateExercise:
        if (self.run is None) == (self.percentile is None):
            raise ValueError("give either 'run' or 'percentile'")
        return self


class CreatedExercise(BaseModel):
    """The new exercise: its id, its run, and the join codes (shown this once).

    Examples
    --------
    >>> CreatedExercise(id="a", run=0, percentile=None, join_codes={}, observer_code="X",
    ...                 players=[]).id
    'a'
    """

    id: str
    run: int
    percentile: float | None
    join_codes: dict[str, str]
    observer_code: str
    players: list[str]


class ExerciseOut(BaseModel):
    """An exercise: state, clock, actors and channels.

    Examples
    --------
    >>> ExerciseOut(id="a", scenario="s", state="created", scenario_s=0.0, clock="00:00",
    ...             running=False, speed=1.0, duration_s=3600.0, last_seq=1, actors=[],
    ...             channels=[]).state
    'created'
    """

    id: str
    scenario: str
    state: str
    scenario_s: float
    clock: str
    running: bool
    speed: float
    duration_s: float
    last_seq: int
    actors: list[dict[str, Any]]
    channels: list[dict[str, Any]]


class SpeedIn(_In):
    """``POST …/speed``.

    Examples
    --------
    >>> SpeedIn(speed=60).speed
    60.0
    """

    speed: float = Field(gt=0, le=3600)


class JumpIn(_In):
    """``POST …/jump``: to a scenario time, in seconds from the scenario's start.

    Examples
    --------
    >>> JumpIn(scenario_s=3600).scenario_s
    3600.0
    """

    scenario_s: float = Field(ge=0, le=10 * 365 * 86400)


class JoinIn(_In):
    """``POST …/join``: a join code and the player's display name.

    Examples
    --------
    >>> JoinIn(code="K7Q2M9XW4T", name="Anne").name
    'Anne'
    """

    code: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=100)


class JoinOut(BaseModel):
    """The participant's token (to send as ``Authorization: Bearer``), actor and role.

    Examples
    --------
    >>> JoinOut(token="t", actor="COD", role="player", participant=1).role
    'player'
    """

    token: str
    actor: str | None
    role: str
    participant: int


class MeOut(BaseModel):
    """``GET …/me``: my actor, the clock, and my channels now (and why not).

    Examples
    --------
    >>> MeOut(actor=None, role="observer", name="O", scenario_s=0.0, clock="00:00",
    ...       channels=[]).role
    'observer'
    """

    actor: str | None
    role: str
    name: str
    scenario_s: float
    clock: str
    channels: list[dict[str, Any]]


class MessageIn(_In):
    """``POST …/messages``: over one of my channels, to actors or roles (none for a
    broadcast to the population).

    Examples
    --------
    >>> MessageIn(channel="mobile", to=["COD"], text="PCS triggered").to
    ['COD']
    """

    channel: str = _REF
    to: list[str] = Field(default_factory=list, max_length=200)
    text: str = _TEXT


class MessageOut(BaseModel):
    """A message's fate: delivered, delayed or blocked (with why), and whom it reached.

    Examples
    --------
    >>> MessageOut(seq=4, status="blocked", reason=None, reached=None, recipients=[]).seq
    4
    """

    seq: int
    status: str
    reason: Bilingual | None
    reached: dict[str, Any] | None
    recipients: list[dict[str, Any]]


class LogIn(_In):
    """``POST …/log``: an entry of the situation log (*main courante*).

    Examples
    --------
    >>> LogIn(text="Shelter open at the gym", category="information").category
    'information'
    """

    text: str = _TEXT
    category: str = Field(default="situation", min_length=1, max_length=40)


class DecisionIn(_In):
    """``POST …/decisions``: what was decided, by whom, on what information.

    Examples
    --------
    >>> DecisionIn(what="Open the PCS", decided_by="Mayor", based_on="SDIS call").what
    'Open the PCS'
    """

    what: str = _TEXT
    decided_by: str = Field(min_length=1, max_length=200)
    based_on: str = Field(default="", max_length=10_000)
    based_on_seqs: list[int] = Field(default_factory=list, max_length=200)

    @field_validator("based_on_seqs", mode="before")
    @classmethod
    def _ints(cls, value: object) -> object:
        return [_json_int(v) for v in value] if isinstance(value, list) else value


class InjectIn(_In):
    """``POST …/injects`` (facilitator): an inject pushed by hand.

    Examples
    --------
    >>> InjectIn(to=["COD"], text="A journalist calls").channel is None
    True
    """

    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra=_no_null_default)

    to: list[str] = Field(min_length=1, max_length=200)
    text: str = _TEXT
    channel: OptionalChannel = None


class SeqOut(BaseModel):
    """The number the log gave what was written.

    Examples
    --------
    >>> SeqOut(seq=12).seq
    12
    """

    seq: int


class EventOut(BaseModel):
    """One event of the log.

    Examples
    --------
    >>> EventOut(seq=1, kind="exercise.ended", real_time="2026-01-01T00:00:00+00:00",
    ...          scenario_s=0.0, author="facilitator", audience=None, payload={}).seq
    1
    """

    seq: int
    kind: str
    real_time: str
    scenario_s: float
    author: str
    audience: list[str] | None
    payload: dict[str, Any]


class EventsOut(BaseModel):
    """``GET …/events``: the events after a number that the caller may see.

    Examples
    --------
    >>> EventsOut(events=[], last_seq=0).last_seq
    0
    """

    events: list[EventOut]
    last_seq: int
