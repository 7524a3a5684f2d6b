"""The ``advise`` command: the measures that buy the most of an objective within a budget,
and the scenario file of the plan (docs/advice.md)."""

from __future__ import annotations

import math
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from tousrisques._exceptions import InputError
from tousrisques._i18n import N_, Formats, Msg
from tousrisques.analysis import Advice, advise, load_catalogue, plan_document
from tousrisques.cli._app import app
from tousrisques.cli._common import (
    JsonOpt,
    LangOpt,
    check_replace,
    emit_json,
    err,
    fail,
    lang_of,
    out,
    plain,
    writing,
)
from tousrisques.cli._run import check_runs_workers, load_or_fail, plan_line
from tousrisques.results import write_advice


class Objective(StrEnum):
    alert = "alert"
    vulnerable = "vulnerable"
    actors = "actors"
    mix = "mix"


def _weights(text: str | None, lang: str, as_json: bool) -> list[float] | None:
    if text is None:
        return None
    try:
        w = [float(x) for x in text.split(",")]
    except ValueError:
        w = []
    if len(w) != 3 or any(not math.isfinite(x) or x < 0 for x in w) or sum(w) <= 0:
        fail("--weights", InputError("advice.weights", weights=text), lang, as_json)
    return w


def _print(advice: Advice, lang: str, folder: Path, scenario: Path) -> None:
    fmt = Formats(lang)
    table = Table(title=plain(Msg(N_("Advice: {objective}; the plan built on {screen} runs, "
                                     "its gains measured on {runs}"),
                                  objective=advice.objective, screen=fmt.integer(advice.screen),
                                  runs=fmt.integer(advice.runs)).render(lang)),
                  title_justify="left")
    for head in (N_("plan"), N_("measure"), N_("assets"), N_("cost"), N_("gain (points)"),
                 N_("P10–P90")):
        table.add_column(Msg(head).render(lang))
    for m in advice.measures:
        table.add_row(*map(plain, [
            fmt.integer(m.in_plan) if m.in_plan else "", m.key, fmt.integer(m.count),
            f"{fmt.integer(m.cost)} {advice.currency}",
            fmt.number(m.gain * 100, digits=1),
            f"{fmt.number(m.gain_p10 * 100, digits=1)} – {fmt.number(m.gain_p90 * 100, digits=1)}"
        ]))
    out.print(table)
    for m in advice.plan:
        out.print(f"{m.in_plan}. " + m.explanation.get(lang, ""), markup=False)
    out.print(plan_line(advice, lang), markup=False)
    out.print(Msg(N_("advice written to {path}; run the plan with: tousrisques run {plan} "
                     "--compare {scenario}"), path=folder, plan=folder / "plan.yaml",
                  scenario=scenario).render(lang), style="bold", markup=False)


@app.command(
    "advise",
    help=N_("Propose the measures (backup autonomy, planned assets) that buy the most of an "
            "objective within a budget, evaluated by Monte Carlo with common random numbers; "
            "write advice.json, advice.csv and plan.yaml, the plan's scenario."))
def advise_(
    scenario: Annotated[Path, typer.Argument(help=N_("The scenario file (.yaml)."))],
    budget: Annotated[float | None, typer.Option(
        min=0, help=N_("The most the plan may cost, in the catalogue's currency (default: no "
                       "limit)."))] = None,
    objective: Annotated[Objective, typer.Option(
        help=N_("What to buy: alert (the population the main alert channel reaches at its "
                "worst), vulnerable (vulnerable people reached), actors (actors connected), "
                "or mix (--weights)."))] = Objective.alert,
    weights: Annotated[str | None, typer.Option(
        help=N_("For mix: the weights of alert, vulnerable and actors, e.g. 2,1,1 (default "
                "equal)."))] = None,
    channel: Annotated[str | None, typer.Option(
        help=N_("The main alert channel (default: the broadcast channel that needs a network "
                "and reaches the most people at the start)."))] = None,
    runs: Annotated[int, typer.Option(min=1, max=10_000, help=N_(
        "Runs on which the plan is confirmed: each measure's gain and its P10–P90."))] = 60,
    screen: Annotated[int, typer.Option(min=1, max=10_000, help=N_(
        "Runs of the screening of every candidate alone and of the rounds that build the "
        "plan."))] = 20,
    shortlist: Annotated[int, typer.Option(min=1, max=1000, help=N_(
        "Candidates kept after the screening."))] = 6,
    workers: Annotated[int, typer.Option(min=1, help=N_("Local processes."))] = 1,
    seed: Annotated[int | None, typer.Option(min=0, help=N_(
        "Seed (default: the scenario's)."))] = None,
    catalogue: Annotated[Path | None, typer.Option(
        "--catalogue", help=N_("A cost catalogue (advice.yaml) instead of the package's."))
                         ] = None,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", "--out",
        help=N_("The advice folder (default: advice/<scenario name>)."))
                      ] = None,
    force: Annotated[bool, typer.Option("--force", help=N_("Replace the advice folder."))
                     ] = False,
    lang: LangOpt = None,
    as_json: JsonOpt = False,
) -> None:
    language = lang_of(lang)
    w = _weights(weights, language, as_json)
    if workers > 1:
        check_runs_workers(None, workers, language, as_json)
    s = load_or_fail(scenario, language, as_json)
    try:
        cat = load_catalogue(catalogue, territory=s.territory) if catalogue else None
    except InputError as exc:
        fail(catalogue or scenario, exc, language, as_json)
    folder = output or Path("advice") / s.path.stem
    check_replace(folder, force, language, as_json, marker="advice.json")
    if not as_json:
        err.print(Msg(N_("Looking for the measures that buy the most ({screen} runs per "
                         "candidate, the plan confirmed on {runs})…"),
                      screen=min(screen, runs), runs=runs).render(language), markup=False)
    try:
        advice = advise(s, budget=budget, objective=objective.value, weights=w,
                        channel=channel, runs=runs, screen=screen, shortlist=shortlist,
                        workers=workers, catalogue=cat, seed=seed)
    except InputError as exc:
        fail(scenario, exc, language, as_json)
    with writing(folder, language, as_json):
        write_advice(advice, folder, plan_yaml=plan_document(s, advice, folder),
                     replace=force)
    if as_json:
        emit_json({"ok": True, "folder": str(folder), "plan": str(folder / "plan.yaml"),
                   "cost": advice.cost, "base": advice.base, "planned": advice.planned,
                   "measures": [{"rank": m.in_plan, "key": m.key, "cost": m.cost,
                                 "gain": m.gain, "gain_p10": m.gain_p10,
                                 "gain_p90": m.gain_p90,
                                 "explanation": m.explanation.get(language, "")}
                                for m in advice.measures]})
        return
    _print(advice, language, folder, scenario)
