"""The live exercise's model (no HTTP): an exercise created from a scenario and one run of
it, a clock from real time to scenario time, the channels each actor has at every scenario
time and why not, injects, messages, the situation log and decisions — every action an
event of an append-only log kept by an :class:`EventStore` (the server's database).

The server (``tousrisques.web``) resolves a scenario by name, builds an
:class:`Exercise` (``create`` for a new one, ``for_run`` again after a restart), and plays
it through a :class:`Session`. docs/exercise.md, "The exercise model", says it all.
"""

from tousrisques.exercise._acts import ANNOTATION_CATEGORIES
from tousrisques.exercise._answers import ChannelNow, Delivery, Inject, Sent
from tousrisques.exercise._clock import CLOCK_KINDS, MAX_SPEED, ExerciseClock
from tousrisques.exercise._codes import make_join_codes, normalise_code
from tousrisques.exercise._errors import EXERCISE_ERRORS, ExerciseError
from tousrisques.exercise._events import (
    KINDS,
    PARTICIPANT_ROLES,
    Event,
    EventStore,
    MemoryStore,
    visible,
)
from tousrisques.exercise._exercise import Exercise
from tousrisques.exercise._relays import relay_actors, relay_shares
from tousrisques.exercise._review import (
    ActionScore,
    AssetChange,
    CutOff,
    DecisionInfo,
    Review,
    Stretch,
    review,
)
from tousrisques.exercise._run import choose_run
from tousrisques.exercise._session import LOG_CATEGORIES, MAX_NAME, MAX_TEXT, Session

__all__ = [
    "ANNOTATION_CATEGORIES",
    "CLOCK_KINDS",
    "EXERCISE_ERRORS",
    "KINDS",
    "LOG_CATEGORIES",
    "MAX_NAME",
    "MAX_SPEED",
    "MAX_TEXT",
    "PARTICIPANT_ROLES",
    "ActionScore",
    "AssetChange",
    "ChannelNow",
    "CutOff",
    "DecisionInfo",
    "Delivery",
    "Event",
    "EventStore",
    "Exercise",
    "ExerciseClock",
    "ExerciseError",
    "Inject",
    "MemoryStore",
    "Review",
    "Sent",
    "Session",
    "Stretch",
    "choose_run",
    "make_join_codes",
    "normalise_code",
    "relay_actors",
    "relay_shares",
    "review",
    "visible",
]
