"""The shapes of part 2's requests and answers: the reflex sheet, annotations, notes,
citizen relays, the map and QR codes (strict, like :mod:`tousrisques.web._schemas`)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from tousrisques.web._schemas import Bilingual, OptionalChannel

__all__ = ["ActionIn", "AnnotationIn", "AnnotationOut", "LineIn", "NoteIn", "PointIn", "QrIn",
           "ReflexOut", "RelayIn", "RelayOut"]

Lon = Annotated[float, Field(ge=-180, le=180, strict=True)]
Lat = Annotated[float, Field(ge=-90, le=90, strict=True)]
# a JSON array is a tuple here (strict mode takes only Python tuples); its numbers stay strict
Position = Annotated[tuple[Lon, Lat], Field(strict=False)]


def _no_null_default(schema: dict[str, Any]) -> None:
    schema["properties"]["channel"].pop("default", None)


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class ReflexOut(BaseModel):
    """``GET …/reflex``: an actor's reflex sheet.

    Examples
    --------
    >>> ReflexOut(actor="COD", items=[]).actor
    'COD'
    """

    actor: str
    items: list[dict[str, Any]]


class ActionIn(_In):
    """``POST …/actions``: tick an expected action of my reflex sheet as done.

    Examples
    --------
    >>> ActionIn(inject="I1", index=0).note
    ''
    """

    inject: str = Field(min_length=1, max_length=20)
    index: int = Field(ge=0, le=1000)
    note: str = Field(default="", max_length=10_000)


class PointIn(_In):
    """A GeoJSON Point, ``[longitude, latitude]`` in WGS84.

    Examples
    --------
    >>> PointIn(type="Point", coordinates=(1.0, 49.3)).coordinates
    (1.0, 49.3)
    """

    type: Literal["Point"]
    coordinates: Position


class LineIn(_In):
    """A GeoJSON LineString of 2 to 200 points.

    Examples
    --------
    >>> len(LineIn(type="LineString", coordinates=[(1.0, 49.3), (1.1, 49.4)]).coordinates)
    2
    """

    type: Literal["LineString"]
    coordinates: list[Position] = Field(min_length=2, max_length=200)


class AnnotationIn(_In):
    """``POST …/annotations``: a point or a line on the shared map.

    Examples
    --------
    >>> AnnotationIn(category="road_cut", text="Tree on the D6",
    ...              geometry=PointIn(type="Point", coordinates=(1.0, 49.3))).category
    'road_cut'
    """

    category: str = Field(min_length=1, max_length=40)
    text: str = Field(min_length=1, max_length=2_000)
    geometry: Annotated[PointIn | LineIn, Field(discriminator="type")]


class AnnotationOut(BaseModel):
    """The annotation's number and id, whether it is shared and why not.

    Examples
    --------
    >>> AnnotationOut(seq=7, id="A1", shared=True, reason=None).id
    'A1'
    """

    seq: int
    id: str
    shared: bool
    reason: str | None


class NoteIn(_In):
    """``POST …/notes``: an observer's note for the RETEX.

    Examples
    --------
    >>> NoteIn(text="The mayor hesitates").text
    'The mayor hesitates'
    """

    text: str = Field(min_length=1, max_length=10_000)


class RelayIn(_In):
    """``POST …/relays``: send a citizen relay's volunteers to zones (over ``channel``, or
    the quickest that works).

    Examples
    --------
    >>> RelayIn(relay="RESERVE-76231", zones=["Z-76231-000"]).channel is None
    True
    """

    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra=_no_null_default)

    relay: str = Field(min_length=1, max_length=100)
    zones: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        min_length=1, max_length=200)
    channel: OptionalChannel = None


class RelayOut(BaseModel):
    """What became of the order: delivered, delayed or blocked (and why), when the
    volunteers start.

    Examples
    --------
    >>> RelayOut(seq=9, status="blocked", reason=None, arrives_s=None, starts_s=None).status
    'blocked'
    """

    seq: int
    status: str
    reason: Bilingual | None
    arrives_s: float | None
    starts_s: float | None


class QrIn(_In):
    """``POST /api/qr`` (facilitator): the text to draw as a QR code.

    Examples
    --------
    >>> QrIn(text="https://example.org/join/ab12").text[:5]
    'https'
    """

    text: str = Field(min_length=1, max_length=500)
