"""The exercise's clock: real time → scenario time, with start, pause, resume, a speed
factor and jumps by the facilitator. Pure: no thread, no timer; each change gives a new
clock, and a clock is rebuilt from the clock events of the log alone."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from tousrisques._i18n import N_, Msg
from tousrisques.exercise._errors import ExerciseError

#: the fastest a clock may run: one hour of scenario per second of real time
MAX_SPEED = 3600.0

_ACTIONS = {"started": N_("started"), "paused": N_("paused"), "resumed": N_("resumed")}

#: the kinds of the clock's events, and the state each leaves the clock in
CLOCK_KINDS = ("clock.started", "clock.paused", "clock.resumed", "clock.jumped",
               "clock.speed")


def _check_speed(speed: float) -> float:
    if isinstance(speed, bool) or not isinstance(speed, int | float) \
            or not math.isfinite(speed) or not 0 < speed <= MAX_SPEED:
        raise ExerciseError("clock.speed", value=speed, most=f"{MAX_SPEED:g}")
    return float(speed)


@dataclass(frozen=True)
class ExerciseClock:
    """Scenario time as a function of real time.

    While running, scenario time is ``anchor_s + speed × (now − anchor_real)``, kept within
    ``[0, duration_s]``; paused, it stays at ``anchor_s``. Every change re-anchors the clock
    at the real time it happens (so a change of speed never moves scenario time).

    Parameters
    ----------
    running : bool
    speed : float
        Scenario seconds per real second (> 0, at most :data:`MAX_SPEED`).
    anchor_real : datetime, optional
        The real time of the last change (None: never started).
    anchor_s : float
        The scenario time then.
    duration_s : float
        The scenario's duration: scenario time stops there.
    started_once : bool
        Whether it has been started once.

    Examples
    --------
    >>> from datetime import datetime, timedelta, UTC
    >>> from tousrisques.exercise import ExerciseClock
    >>> t0 = datetime(2025, 1, 1, 9, tzinfo=UTC)
    >>> clock = ExerciseClock(speed=60).started(t0)   # one scenario minute a second
    >>> clock.at(t0 + timedelta(seconds=30))
    1800.0
    >>> paused = clock.paused(t0 + timedelta(seconds=60))
    >>> paused.at(t0 + timedelta(hours=5))
    3600.0
    """

    running: bool = False
    speed: float = 1.0
    anchor_real: datetime | None = None
    anchor_s: float = 0.0
    duration_s: float = math.inf
    started_once: bool = False

    def at(self, now: datetime) -> float:
        """The scenario time (seconds from the scenario's start) at real time ``now``.

        Parameters
        ----------
        now : datetime
            Aware.

        Returns
        -------
        float
            Within ``[0, duration_s]``; a real time before the last change reads as it.

        Examples
        --------
        >>> from datetime import datetime, timedelta, UTC
        >>> from tousrisques.exercise import ExerciseClock
        >>> t0 = datetime(2025, 1, 1, tzinfo=UTC)
        >>> c = ExerciseClock(speed=2, duration_s=100).started(t0)
        >>> c.at(t0 + timedelta(seconds=10)), c.at(t0 + timedelta(hours=1))
        (20.0, 100.0)
        """
        if not self.running or self.anchor_real is None:
            return self.anchor_s
        elapsed = max((now - self.anchor_real).total_seconds(), 0.0)
        return float(min(max(self.anchor_s + self.speed * elapsed, 0.0), self.duration_s))

    def _refuse(self, action: str) -> ExerciseError:
        if not self.started_once:
            state = Msg(N_("not started yet"))
        else:
            state = Msg(N_("running")) if self.running else Msg(N_("paused"))
        return ExerciseError("clock.state", state=state, action=Msg(_ACTIONS[action]))

    def started(self, now: datetime) -> ExerciseClock:
        """The clock started at ``now`` (from its scenario time, 0 unless jumped before).

        Examples
        --------
        >>> from datetime import datetime, UTC
        >>> from tousrisques.exercise import ExerciseClock
        >>> ExerciseClock().started(datetime(2025, 1, 1, tzinfo=UTC)).running
        True
        """
        if self.started_once:
            raise self._refuse("started")
        return replace(self, running=True, anchor_real=now, started_once=True)

    def paused(self, now: datetime) -> ExerciseClock:
        """The clock stopped at ``now`` (refused when it is not running).

        Examples
        --------
        >>> from datetime import datetime, timedelta, UTC
        >>> from tousrisques.exercise import ExerciseClock
        >>> t0 = datetime(2025, 1, 1, tzinfo=UTC)
        >>> ExerciseClock().started(t0).paused(t0 + timedelta(seconds=5)).anchor_s
        5.0
        """
        if not self.running:
            raise self._refuse("paused")
        return replace(self, running=False, anchor_real=now, anchor_s=self.at(now))

    def resumed(self, now: datetime) -> ExerciseClock:
        """The clock running again from ``now`` (refused unless paused).

        Examples
        --------
        >>> from datetime import datetime, timedelta, UTC
        >>> from tousrisques.exercise import ExerciseClock
        >>> t0 = datetime(2025, 1, 1, tzinfo=UTC)
        >>> c = ExerciseClock().started(t0).paused(t0 + timedelta(seconds=5))
        >>> c.resumed(t0 + timedelta(seconds=100)).at(t0 + timedelta(seconds=101))
        6.0
        """
        if self.running or not self.started_once:
            raise self._refuse("resumed")
        return replace(self, running=True, anchor_real=now)

    def with_speed(self, now: datetime, speed: float) -> ExerciseClock:
        """The clock at a new ``speed`` from ``now`` (scenario time does not move).

        Examples
        --------
        >>> from datetime import datetime, timedelta, UTC
        >>> from tousrisques.exercise import ExerciseClock
        >>> t0 = datetime(2025, 1, 1, tzinfo=UTC)
        >>> c = ExerciseClock().started(t0).with_speed(t0 + timedelta(seconds=10), 60)
        >>> c.at(t0 + timedelta(seconds=11))
        70.0
        """
        speed = _check_speed(speed)
        return replace(self, speed=speed, anchor_real=now, anchor_s=self.at(now))

    def jumped(self, now: datetime, scenario_s: float) -> ExerciseClock:
        """The clock set to ``scenario_s`` at ``now`` (forward or back), running or not as
        it was.

        Examples
        --------
        >>> from datetime import datetime, UTC
        >>> from tousrisques.exercise import ExerciseClock
        >>> t0 = datetime(2025, 1, 1, tzinfo=UTC)
        >>> ExerciseClock(duration_s=7200).jumped(t0, 3600).at(t0)
        3600.0
        """
        if isinstance(scenario_s, bool) or not isinstance(scenario_s, int | float) \
                or not math.isfinite(scenario_s) or not 0 <= scenario_s <= self.duration_s:
            raise ExerciseError("clock.time", value=scenario_s, most=f"{self.duration_s:g}")
        return replace(self, anchor_real=now, anchor_s=float(scenario_s))

    def to_payload(self) -> dict[str, Any]:
        """What a clock event records: the clock after the change.

        Examples
        --------
        >>> from tousrisques.exercise import ExerciseClock
        >>> ExerciseClock().to_payload()
        {'running': False, 'speed': 1.0, 'scenario_s': 0.0}
        """
        return {"running": self.running, "speed": self.speed, "scenario_s": self.anchor_s}

    def applied(self, kind: str, real_time: datetime, payload: dict[str, Any]
                ) -> ExerciseClock:
        """The clock after a logged clock event (``kind``, at ``real_time``, with the
        payload :meth:`to_payload` wrote); any other kind leaves it as it is.

        Examples
        --------
        >>> from datetime import datetime, UTC
        >>> from tousrisques.exercise import ExerciseClock
        >>> t0 = datetime(2025, 1, 1, tzinfo=UTC)
        >>> c = ExerciseClock().applied("clock.started", t0,
        ...                             {"running": True, "speed": 10, "scenario_s": 0})
        >>> c.running, c.speed
        (True, 10.0)
        """
        if kind not in CLOCK_KINDS:
            return self
        return replace(self, running=bool(payload["running"]), speed=float(payload["speed"]),
                       anchor_real=real_time, anchor_s=float(payload["scenario_s"]),
                       started_once=True if kind == "clock.started" else self.started_once)

    @classmethod
    def from_events(cls, events: Iterable[Any], *, duration_s: float = math.inf,
                    speed: float = 1.0) -> ExerciseClock:
        """The clock the logged events leave (anything with ``kind``, ``real_time`` and
        ``payload``; the clock events among them, in order).

        Parameters
        ----------
        events : iterable of Event
        duration_s : float
            The scenario's duration.
        speed : float
            The speed before any clock event (the exercise's, at its creation).

        Returns
        -------
        ExerciseClock

        Examples
        --------
        >>> from datetime import datetime, timedelta, UTC
        >>> from tousrisques.exercise import Event, ExerciseClock
        >>> t0 = datetime(2025, 1, 1, tzinfo=UTC)
        >>> live = ExerciseClock(speed=60).started(t0)
        >>> log = [Event("clock.started", t0, 0.0, "facilitator", live.to_payload())]
        >>> ExerciseClock.from_events(log).at(t0 + timedelta(seconds=2))
        120.0
        """
        clock = cls(speed=_check_speed(speed), duration_s=duration_s)
        for e in events:
            clock = clock.applied(e.kind, e.real_time, e.payload)
        return clock
