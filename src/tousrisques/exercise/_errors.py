"""What an exercise refuses, with a code and a message in English and French.

The codes are the exercise's own (the server turns them into a 4xx status): ``exercise.*``
for the exercise as a whole, ``clock.*`` for the clock, ``actor.*``, ``channel.*``,
``text.*`` for what a participant sends.
"""

from __future__ import annotations

from tousrisques._exceptions import InputError
from tousrisques._i18n import N_, Msg

#: code → English template (its French is in the package's catalog)
EXERCISE_ERRORS: dict[str, str] = {
    "exercise.ended": N_("the exercise has ended: nothing more can happen in it"),
    "exercise.run_or_percentile": N_("give either a run number or a percentile of reach, "
                                     "not both and not neither"),
    "exercise.run": N_("run {run} does not exist: runs are numbered from 0 to {last}"),
    "exercise.percentile": N_("percentile {value} is not between 0 and 100"),
    "exercise.scenario_changed": N_("the scenario file has changed since the exercise was "
                                    "created (hash {now}, was {then}): restore it to resume "
                                    "the exercise"),
    "exercise.not_created": N_("the log of exercise '{id}' has no creation event"),
    "clock.state": N_("the clock is {state}: it cannot be {action} now"),
    "clock.speed": N_("speed {value} is not a number above 0 and at most {most}"),
    "clock.time": N_("scenario time {value} is not between 0 and {most} seconds"),
    "actor.unknown": N_("unknown actor or role '{ref}'"),
    "actor.none": N_("no actor is addressed"),
    "channel.unknown": N_("actor '{actor}' has no channel '{channel}' (it has: {allowed})"),
    "channel.broadcast": N_("channel '{channel}' goes to the population: send it without "
                            "addressees"),
    "channel.point_to_point": N_("channel '{channel}' goes from actor to actor: name the "
                                 "addressees"),
    "text.empty": N_("the {field} is empty"),
    "text.long": N_("the {field} is {length} characters long, more than {most}"),
    "text.category": N_("unknown category '{value}' (allowed: {allowed})"),
    "participant.role": N_("unknown participant role '{value}' (allowed: {allowed})"),
    "action.inject": N_("no inject '{inject}' with expected actions in this scenario"),
    "action.index": N_("inject '{inject}' has {count} expected action(s): {index} is not "
                       "one of them (numbered from 0)"),
    "action.not_yours": N_("action {index} of inject '{inject}' is expected of '{who}', not "
                           "of '{actor}'"),
    "action.twice": N_("action {index} of inject '{inject}' is already ticked as done"),
    "geometry.type": N_("the geometry must be a GeoJSON Point or LineString"),
    "geometry.points": N_("a line has from {least} to {most} points, not {count}"),
    "geometry.coordinates": N_("coordinates must be [longitude, latitude] pairs of finite "
                               "numbers, longitude from -180 to 180, latitude from -90 to 90"),
    "geometry.outside": N_("the point {lon}, {lat} is more than {km} km outside the "
                           "territory"),
    "relay.unknown": N_("'{relay}' is not a citizen relay with volunteers (the relays: "
                        "{allowed})"),
    "relay.self": N_("an actor cannot dispatch itself"),
    "relay.zones": N_("name from 1 to {most} zones of the territory, each once"),
    "relay.zone": N_("unknown zone '{zone}'"),
}


class ExerciseError(InputError):
    """An action the exercise refuses: ``code`` (a key of :data:`EXERCISE_ERRORS`) and the
    parameters of its message; nothing was written.

    Parameters
    ----------
    code : str
        A key of :data:`EXERCISE_ERRORS`.
    **params
        The values its message names.

    Examples
    --------
    >>> from tousrisques.exercise import ExerciseError
    >>> e = ExerciseError("clock.speed", value=0, most=3600)
    >>> e.code, str(e)
    ('clock.speed', 'speed 0 is not a number above 0 and at most 3600')
    >>> isinstance(e, ValueError) or isinstance(e, Exception)
    True
    """

    def __init__(self, code: str, /, **params: object) -> None:
        if code not in EXERCISE_ERRORS:
            raise KeyError(code)
        self.code: str | None = code
        self.params: dict[str, object] = dict(params)
        Exception.__init__(self, self.render("en"))

    def render(self, lang: str = "en") -> str:
        """The error in ``lang`` (``en`` or ``fr``).

        Examples
        --------
        >>> from tousrisques.exercise import ExerciseError
        >>> print(ExerciseError("exercise.ended").render("fr"))
        l'exercice est terminé : plus rien ne peut s'y passer
        """
        return Msg(EXERCISE_ERRORS[str(self.code)], **self.params).render(lang)
