"""Commands that run scenarios and draw reports: run, report, demo."""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from tousrisques._exceptions import InputError
from tousrisques._i18n import N_, Formats, Msg, ngettext, pick
from tousrisques._ui_text import t
from tousrisques.analysis import (
    Advice,
    Study,
    advise,
    dask_client,
    make_study,
    objective_text,
    plan_document,
)
from tousrisques.cli._app import app
from tousrisques.cli._common import (
    EXAMPLE,
    JsonOpt,
    LangOpt,
    check_hours,
    check_output,
    check_replace,
    clean,
    emit_json,
    err,
    fail,
    hours_list,
    inputs_changed,
    lang_of,
    out,
    plain,
    rouen_sample,
    seconds,
    writing,
)
from tousrisques.report import KeyFigure, report_html, tail_text, write_report
from tousrisques.results import (
    advice_files,
    read_advice,
    read_run,
    summary_figures,
    write_run,
)
from tousrisques.scenario import (
    Scenario,
    check_runs,
    check_scenario,
    check_workers,
    load_scenario,
    parse_size,
)

OutputOpt = Annotated[Path | None, typer.Option(
    "--output", "-o", help=N_("The run folder to write (default: runs/<scenario name>)."))]
RunsOpt = Annotated[int | None, typer.Option(
    min=1, help=N_("Monte Carlo runs (default: the scenario's monte_carlo.runs)."))]
SeedOpt = Annotated[int | None, typer.Option(min=0, help=N_("Seed (default: the scenario's)."))]
WorkersOpt = Annotated[int, typer.Option(min=1, help=N_("Local processes."))]
DaskOpt = Annotated[str | None, typer.Option(
    "--dask", help=N_("A Dask scheduler address (tcp://host:8786), or 'local'."))]
AtOpt = Annotated[str | None, typer.Option(
    "--at", help=N_("Times of the maps, e.g. 4h,12h,2d (default: the worst moments, the end)."))]
MaxMemoryOpt = Annotated[str | None, typer.Option(
    "--max-memory", help=N_("The most memory a run may take, e.g. 16G or 512M (default: "
                            "TOUSRISQUES_MAX_MEMORY, else half of this machine's memory); a "
                            "run estimated above it is refused before it starts."))]
HorizonOpt = Annotated[str | None, typer.Option(
    "--horizon", help=N_("Criticality: how long each loss lasts, e.g. 24h (default: for good, "
                         "every backup run out)."))]


DASK_TIMEOUT = "10s"
# above this many assets, `run` ranks assets only when asked (--criticality): one fixed point
# per asset grows with the square of the territory (6 s at 20,000 assets on one core)
CRITICALITY_AUTO_MAX = 50_000


def load_or_fail(path: Path, lang: str, as_json: bool,
                 max_memory: int | None = None) -> Scenario:
    try:
        return load_scenario(path, max_memory=max_memory)
    except InputError as exc:
        fail(path, exc, lang, as_json)


def memory_limit(text: str | None, lang: str, as_json: bool) -> int | None:
    """``--max-memory`` in bytes (None: the default), or a clear message and exit 1."""
    try:
        return None if text is None else parse_size(text, option="--max-memory")
    except InputError as exc:
        fail("--max-memory", exc, lang, as_json)


def check_runs_workers(runs: int | None, workers: int, lang: str, as_json: bool) -> None:
    """``--runs`` and ``--workers`` within bounds, checked before any file is read."""
    try:
        if runs is not None:
            check_runs(runs)
        check_workers(workers)
    except InputError as exc:
        fail("--runs" if exc.code == "budget.runs" else "--workers", exc, lang, as_json)


def check_budget(scenarios: list[Scenario], *, runs: int | None, workers: int,
                 max_memory: int | None, lang: str, as_json: bool) -> None:
    """Every Monte Carlo asked for fits (runs, workers, memory), or a message that says what
    it would take and how to raise the limit, and exit 1 — before anything runs."""
    try:
        for s in scenarios:
            check_scenario(s, runs=runs, workers=workers, max_memory=max_memory)
    except InputError as exc:
        fail("--runs" if runs is not None else scenarios[0].path, exc, lang, as_json)


def _progress() -> Progress:
    # markup=False: the description is a scenario's name, from a user's file
    return Progress(TextColumn("{task.description}", markup=False), BarColumn(),
                    MofNCompleteColumn(), TimeElapsedColumn(), console=err, transient=True,
                    disable=not err.is_terminal)


def run_study(scenario: Scenario, other: Scenario | None, *, runs: int | None,
              seed: int | None, workers: int, dask: str | None, horizon_s: float | None,
              lang: str, as_json: bool = False, rank_assets: bool | None = None,
              max_memory: int | None = None) -> Study:
    """The study, with a progress bar on stderr counting the runs of both scenarios;
    ``rank_assets`` None ranks assets when the territory has at most
    ``CRITICALITY_AUTO_MAX`` of them."""
    rank = rank_assets if rank_assets is not None \
        else scenario.compiled.n_assets <= CRITICALITY_AUTO_MAX
    check_budget([scenario] if other is None else [scenario, other], runs=runs,
                 workers=workers, max_memory=max_memory, lang=lang, as_json=as_json)
    n = runs or scenario.spec.monte_carlo.runs
    total = n + ((runs or other.spec.monte_carlo.runs) if other is not None else 0)
    client = _dask_client(dask, lang, as_json) if dask not in (None, "local") else None
    try:
        with _progress() as bar:
            task = bar.add_task(clean(t("running", lang, name=scenario.spec.name.get(lang))),
                                total=total)

            def tick(k: int) -> None:
                bar.advance(task, k)

            return make_study(scenario, runs=runs, seed=seed, workers=workers,
                              dask=client if client is not None else dask, progress=tick,
                              other=other, horizon_s=horizon_s, rank_assets=rank,
                              max_memory=max_memory)
    finally:
        if client is not None:
            client.close()


def _dask_client(address: str | None, lang: str, as_json: bool) -> Any:
    """A client of the Dask scheduler at ``address``, or a clear message and exit 1."""
    assert address is not None
    try:  # a silent host or an HTTP server is given up after DASK_TIMEOUT
        return dask_client(address, timeout=DASK_TIMEOUT)
    except InputError as exc:
        fail("--dask", exc, lang, as_json)


def _fmt(f: KeyFigure, lang: str) -> str:
    """A key figure's median, with its P10–P90 when it has them and the number of people
    when it counts people: ``61% (55–68%), 12,300 people``."""
    fmt = Formats(lang)
    if f.unit == "hours" and f.holds:
        return t("holds", lang)
    text = fmt.value(f.value, f.unit)
    if math.isfinite(f.value) and f.p10 is not None and f.p90 is not None \
            and not (f.holds and f.p10 == f.p90):
        text += f" ({fmt.range(f.p10, f.p90, f.unit)})"
    if f.count is not None and math.isfinite(f.count) and f.count > 0:
        text += ", " + t("people", lang, num=fmt.integer(f.count))
    return text


def _difference(a: KeyFigure, b: KeyFigure, lang: str) -> str:
    """``+68 pts`` between two shares, ``−1 h`` between two durations; 0 has no sign;
    nothing between two recoveries that are not needed (both hold)."""
    if a.unit == "hours" and a.holds and b.holds:
        return ""
    return Formats(lang).diff(a.value, b.value, a.unit,
                              points=lambda n: ngettext("pt", "pts", n, lang))


def print_figures(figures: list[KeyFigure], lang: str, title: str,
                  other: list[KeyFigure] | None = None, names: tuple[str, str] = ("", ""),
                  *, start: datetime | None = None) -> None:
    table = Table(title=plain(title), title_justify="left")
    table.add_column(t("figure", lang))
    table.add_column(t("at", lang), justify="right")
    table.add_column(plain(names[0] or t("value_band", lang)), justify="right")
    theirs = {f.id: f for f in other or []}
    if other is not None:
        table.add_column(plain(names[1]), justify="right")
        table.add_column(t("difference", lang), justify="right")
    fmt = Formats(lang, start)  # moments on the territory's clock when there is a start
    for f in figures:
        at = t("holds", lang) if f.holds else "" if f.at_h is None else t(
            "end_at" if f.id.endswith("_end") else "worst_at", lang, time=fmt.moment(f.at_h))
        cells = [pick(f.label, lang), at, _fmt(f, lang)]
        if other is not None:
            o = theirs.get(f.id)
            cells.append(_fmt(o, lang) if o else "")
            if o is not None and o.at_h is not None and o.at_h != f.at_h:
                cells[-1] += f" @ {fmt.moment(o.at_h)}"
            cells.append(_difference(f, o, lang) if o else "")
        table.add_row(*map(plain, cells))
    out.print(table)


def _default_output(s: Scenario) -> Path:
    return Path("runs") / s.path.stem


@app.command(
    help=N_("Run a scenario's Monte Carlo and write its run folder: results in Parquet, the "
            "indicators as CSV, the log of changes, summary.json and the report."))
def run(
    scenario: Annotated[Path, typer.Argument(help=N_("The scenario file (.yaml)."))],
    output: OutputOpt = None,
    runs: RunsOpt = None,
    seed: SeedOpt = None,
    workers: WorkersOpt = 1,
    dask: DaskOpt = None,
    compare: Annotated[Path | None, typer.Option(
        "--compare", help=N_("Another scenario to run and set beside it (its mitigated "
                             "variant)."))] = None,
    horizon: HorizonOpt = None,
    rank: Annotated[bool | None, typer.Option(
        "--criticality/--no-criticality",
        help=N_("Rank assets by the cost of their single loss (default: when the territory "
                "has at most 50,000 assets)."))] = None,
    at: AtOpt = None,
    report: Annotated[bool, typer.Option("--report/--no-report",
                                         help=N_("Write report.html in the folder."))] = True,
    force: Annotated[bool, typer.Option("--force", help=N_("Replace the run folder."))] = False,
    max_memory: MaxMemoryOpt = None,
    lang: LangOpt = None,
    as_json: JsonOpt = False,
) -> None:
    language = lang_of(lang)
    horizon_s = seconds(horizon, "--horizon", language, as_json)
    map_hours = hours_list(at, "--at", language, as_json)
    limit = memory_limit(max_memory, language, as_json)
    if workers > 1:  # before the files are read (runs: with what they would take, below)
        check_runs_workers(None, workers, language, as_json)
    s = load_or_fail(scenario, language, as_json, limit)
    other = load_or_fail(compare, language, as_json, limit) if compare is not None else None
    check_hours(map_hours, s.duration_s, at, language, as_json)
    folder = output or _default_output(s)
    # before the runs, which may take long: where the results go must be writable
    check_replace(folder, force, language, as_json, marker="summary.json")
    study = run_study(s, other, runs=runs, seed=seed, workers=workers, dask=dask,
                      horizon_s=horizon_s, lang=language, as_json=as_json, rank_assets=rank,
                      max_memory=limit)
    data, html = report_html(study, lang=language, map_hours=map_hours)
    with writing(folder, language, as_json):
        write_run(study, folder, files={"report.html": html} if report else None,
                  replace=force)
    if as_json:
        emit_json({"ok": True, "folder": str(folder),
                   "report": str(folder / "report.html") if report else None,
                   "runs": study.ensemble.runs, "representative_run": study.run,
                   **summary_figures(study)})
        return
    mine = data.key_figures
    theirs = None
    names = ("", "")
    if data.comparison is not None:
        theirs = [b for _, b in data.comparison.figures]
        names = (s.spec.name.get(language), data.comparison.other_name.fr if language == "fr"
                 else data.comparison.other_name.en)
    print_figures(mine, language, t("key_figures", language, name=s.spec.name.get(language),
                                    runs=Formats(language).integer(study.ensemble.runs)),
                  theirs, names, start=s.start)
    out.print(t("folder_written", language, path=folder), markup=False)
    if report:
        out.print(t("report_at", language, path=(folder / "report.html").resolve()),
                  style="bold", markup=False)


@app.command("report",
    help=N_("Draw the report of a run folder again, in another language or at other times; "
            "or, with --exercise, the RETEX of a live exercise."))
def report_(
    folder: Annotated[Path | None, typer.Argument(
        help=N_("A run folder written by `run`."))] = None,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help=N_("The HTML file (default: report.html in the folder, "
                                  "redrawn; with --exercise, retex-ID-LANG.html here, the log "
                                  "beside it as .json and .csv)."))] = None,
    exercise: Annotated[str | None, typer.Option(
        "--exercise", help=N_("The id of a live exercise: draw its RETEX from the server's "
                              "database."))] = None,
    db: Annotated[str | None, typer.Option(
        "--db", help=N_("With --exercise: the server's database, sqlite:///FILE or "
                        "postgresql://… (default: tousrisques-exercises.db here)."))] = None,
    library: Annotated[Path, typer.Option(
        "--library", help=N_("With --exercise: the folder of scenarios the server was given "
                             "(serve --library)."))] = Path("."),
    at: AtOpt = None,
    force: Annotated[bool, typer.Option("--force", help=N_("Replace the file(s) if they exist."))
                     ] = False,
    advice: Annotated[Path | None, typer.Option(
        "--advice", help=N_("An advice folder written by `advise` for the run's scenario: "
                            "its plan is drawn in the report (default: the run folder's "
                            "advice/ when it has one)."))] = None,
    lang: LangOpt = None,
    as_json: JsonOpt = False,
) -> None:
    language = lang_of(lang)
    if exercise is not None or folder is None:
        from tousrisques.cli._retex import write_retex
        from tousrisques.cli._serve import say

        if exercise is None or folder is not None:
            fail(str(folder or "--exercise"), say("retex_both" if exercise else "retex_none",
                                                  language), language, as_json)
        write_retex(exercise, db=db, library=library, output=output, force=force,
                    lang=language, as_json=as_json)
        return
    map_hours = hours_list(at, "--at", language, as_json)
    target = output or folder / "report.html"
    if output is not None:
        check_replace(target, force, language, as_json)
    try:
        got = read_run(folder)
    except InputError as exc:
        fail(folder, exc, language, as_json)
    study = got.study
    inputs_changed(got.inputs_changed, language)
    check_hours(map_hours, study.scenario.duration_s, at, language, as_json)
    advised = advice_of(study, advice or _own_advice(folder), language, as_json)
    check_output(target, language, as_json)
    with writing(target, language, as_json):
        # the folder's own report.html is always redrawn; another file only with --force
        write_report(study, target, lang=language, map_hours=map_hours,
                     replace=output is None or force, advice=advised)
    if as_json:
        emit_json({"ok": True, "report": str(target), **summary_figures(study)})
        return
    out.print(t("report_at", language, path=target.resolve()), style="bold", markup=False)


def _own_advice(folder: Path) -> Path | None:
    """The run folder's own advice folder (the demo's), when it has one."""
    return folder / "advice" if (folder / "advice" / "advice.json").is_file() else None


def advice_of(study: Study, path: Path | None, lang: str, as_json: bool) -> Advice | None:
    """The advice of the folder ``path`` for the study's scenario (exit 1 when it is not an
    advice, or one made for another scenario)."""
    if path is None:
        return None
    try:
        advice = read_advice(path)
    except InputError as exc:
        fail(path, exc, lang, as_json)
    name = study.scenario.spec.name
    theirs = advice.scenario
    if (theirs.get("en"), theirs.get("fr")) != (name.en, name.fr):
        fail(path, InputError("advice.other_scenario", path=path,
                              advice=theirs.get(lang) or theirs.get("en") or "?",
                              run=name.get(lang)), lang, as_json)
    return advice


@app.command(
    help=N_("Validate the example town, then play the winter storm on the Rouen sample and "
            "its mitigated variant (a written scenario); ask for the advised plan (the "
            "measures that buy the most, no budget); write the run folder and the report; "
            "print the advised plan and what the variant buys."))
def demo(
    lang: LangOpt = None,
    runs: Annotated[int, typer.Option(min=1, help=N_("Monte Carlo runs per scenario."))] = 60,
    workers: Annotated[int, typer.Option(min=1, help=N_("Local processes."))] = 2,
    output: Annotated[Path, typer.Option("--output", "-o", help=N_("The run folder (replaced)."))
                      ] = Path("runs/demo"),
    max_memory: MaxMemoryOpt = None,
) -> None:
    from tousrisques.cli._territory import validate_quietly

    language = lang_of(lang)
    limit = memory_limit(max_memory, language, False)
    check_runs_workers(None, workers, language, False)
    check_replace(output, True, language, False, marker="summary.json")
    validate_quietly(EXAMPLE, language)
    rouen = rouen_sample()
    base = load_or_fail(rouen / "scenarios" / "tempete.yaml", language, False, limit)
    plan = load_or_fail(rouen / "scenarios" / "tempete-attenuee.yaml", language, False, limit)
    out.print(t("demo_running", language, name=base.spec.name.get(language),
                variant=plan.spec.name.get(language), runs=Formats(language).integer(runs)),
              style="bold", markup=False)
    study = run_study(base, plan, runs=runs, seed=None, workers=workers, dask=None,
                      horizon_s=None, lang=language, max_memory=limit)
    advice = _demo_advice(base, runs, workers, language)
    data, html = report_html(study, lang=language, advice=advice)
    files = {"report.html": html.encode("utf-8"),
             **{f"advice/{name}": content for name, content in advice_files(
                 advice, plan_document(base, advice, output / "advice")).items()}}
    with writing(output, language, False):
        write_run(study, output, files=files, replace=True)
    for f in data.findings:
        out.print("• " + _finding_line(f, language, base.start), markup=False)
    if data.tail is not None:
        out.print("• " + tail_text(data, language), markup=False)
    _print_advice(advice, language)
    assert data.comparison is not None
    print_figures(data.key_figures, language,
                  t("demo_table", language, territory=base.territory.name,
                    variant=plan.spec.name.get(language)),
                  [b for _, b in data.comparison.figures],
                  (t("demo_base", language), t("demo_plan", language)), start=base.start)
    out.print(t("report_at", language, path=(output / "report.html").resolve()),
              style="bold", markup=False)
    out.print(t("demo_exercise", language, library=rouen.parent.resolve(),
                url=f"http://127.0.0.1:8000/facilitator?lang={language}",
                scenario=f"{rouen.name}/tempete"), markup=False)


#: the demo's advice: its runs at most (the gains are paired run by run, so that few runs
#: rank the measures as many do, tests/analysis/test_advice.py; 12 keep it near 30 s on 2
#: cores, docs/benchmarks.md)
DEMO_ADVICE_RUNS = 12


def _demo_advice(base: Scenario, runs: int, workers: int, lang: str) -> Advice:
    """The advice on the demo's storm: the measures that buy the most of the three parts
    of the objective, without a budget, on the demo's first runs (:data:`DEMO_ADVICE_RUNS`
    at most)."""
    n = min(runs, DEMO_ADVICE_RUNS)
    out.print(t("demo_advising", lang, runs=Formats(lang).integer(n)), style="bold",
              markup=False)
    return advise(base, objective="mix", runs=n, screen=n, workers=workers)


def plan_line(advice: Advice, lang: str) -> str:
    """The advised plan in one sentence, named apart from a written mitigated variant: its
    objective, its budget, its measures, its cost, the objective without and with it."""
    fmt = Formats(lang)
    n = len(advice.plan)
    budget = (Msg(N_("no budget")) if advice.budget is None else
              Msg(N_("budget {budget} {currency}"), budget=fmt.integer(advice.budget),
                  currency=advice.currency)).render(lang)
    text = ngettext("Advised plan (objective: {objective}; {budget}): {count} measure, {cost} "
                    "{currency}; the objective goes from {before} to {after} (mean over "
                    "the runs of each run's worst).",
                    "Advised plan (objective: {objective}; {budget}): {count} measures, "
                    "{cost} {currency}; the objective goes from {before} to {after} (mean "
                    "over the runs of each run's worst).", n, lang)
    return text.format(objective=objective_text(advice.objective, advice.channel_name, lang),
                       budget=budget, count=fmt.integer(n), cost=fmt.integer(advice.cost),
                       currency=advice.currency, before=fmt.share(advice.base["objective"]),
                       after=fmt.share(advice.planned["objective"]))


def _print_advice(advice: Advice, lang: str) -> None:
    """The advised plan, every measure with its cost (the costliest can be the last)."""
    fmt = Formats(lang)
    out.print("• " + plan_line(advice, lang), markup=False)
    for m in advice.plan:
        out.print(f"  {m.in_plan}. [{fmt.integer(m.cost)} {advice.currency}] "
                  + m.explanation.get(lang, m.key), markup=False)


def _finding_line(f: Any, lang: str, start: datetime | None = None) -> str:
    from tousrisques.report import finding_text

    text: str = finding_text(f, lang, start=start)
    return text
