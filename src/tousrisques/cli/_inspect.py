"""Commands that look into results: explain, compare, criticality, export."""

from __future__ import annotations

import json
import math
from collections import Counter
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import typer
from rich.table import Table

from tousrisques._atomic import atomic_file
from tousrisques._causes import MAX_BECAUSE, cause_words
from tousrisques._clock import iso_times
from tousrisques._csvsafe import write_csv
from tousrisques._exceptions import InputError
from tousrisques._i18n import N_, Formats, Text, gettext, pick
from tousrisques._messages import DID_YOU_MEAN
from tousrisques._problems import suggest
from tousrisques._ui_text import t
from tousrisques.analysis import (
    Ensemble,
    explain_actor,
    present_after_mitigations,
    readable_chain,
    run_ensemble,
    state_geojson,
)
from tousrisques.analysis import criticality as rank_assets
from tousrisques.cli._app import app
from tousrisques.cli._common import (
    JsonOpt,
    LangOpt,
    check_replace,
    emit_json,
    fail,
    inputs_changed,
    lang_of,
    out,
    plain,
    seconds,
    writing,
)
from tousrisques.cli._run import HorizonOpt, RunsOpt, load_or_fail, print_figures
from tousrisques.engine import Cause, Network, Timeline, replay
from tousrisques.results import key_figures, read_run, text_of
from tousrisques.scenario import Scenario, scenario_plan
from tousrisques.territory import Territory, load_territory

AtRequired = Annotated[str, typer.Option("--at", help=N_("The time, e.g. 6h, 90m, 1d, PT6H."))]
RunOpt = Annotated[int | None, typer.Option(
    "--run", min=0, help=N_("Which Monte Carlo run (default: the representative one of a run "
                            "folder, run 0 of a scenario)."))]


def _timeline_of(target: Path, run: int | None, lang: str, as_json: bool
                 ) -> tuple[Scenario, Timeline, int, Ensemble | None]:
    """A run folder's (or a scenario's) scenario and the timeline of one of its runs."""
    if target.is_dir():
        try:
            got = read_run(target)
        except InputError as exc:
            fail(target, exc, lang, as_json)
        study, info = got.study, got.summary
        inputs_changed(got.inputs_changed, lang)
        if run is None or run == study.run:
            return study.scenario, study.timeline, study.run, study.ensemble
        if run >= study.ensemble.runs:
            fmt = Formats(lang)
            fail("--run", t("run_out_of_range", lang, run=run,
                            runs=fmt.integer(study.ensemble.runs),
                            last=fmt.integer(study.ensemble.runs - 1)), lang, as_json)
        tl = replay(scenario_plan(study.scenario, seed=int(info["seed"])), run)
        return study.scenario, tl, run, study.ensemble
    s = load_or_fail(target, lang, as_json)
    k = run or 0
    return s, replay(scenario_plan(s), k), k, None


def _asset_label(t_: Territory, row: int) -> str:
    names = t_.assets.attrs.get("name")
    name = str(names[row]) if names is not None and names[row] else ""
    ident = t_.assets.id_of(row)
    return f"{ident} ({name})" if name else ident


def _hours(seconds_: float, lang: str) -> str:
    """A time from the start of the scenario as ``lang`` writes it (``4 h 30``)."""
    return Formats(lang).hours(seconds_ / 3600)


def _moment(s: Scenario, seconds_: float, lang: str) -> str:
    """A moment of the scenario: ``04:30 (Thu 2 Nov, +4 h 30)`` on the territory's clock
    when the scenario has a start, else ``4 h 30`` after it."""
    return Formats(lang, s.start).moment(seconds_ / 3600)


def _local_time(s: Scenario, seconds_: float) -> str | None:
    """The moment as ISO 8601 local time with its offset, for ``--json`` (None without a
    start)."""
    return iso_times(s.start, [seconds_])[0] or None


def _cause_text(c: Cause, s: Scenario, lang: str) -> str:
    """The cause in the words of every interface (``tousrisques._causes``)."""
    t_ = s.territory
    layer = t_.layer_names[c.layer] if 0 <= c.layer < len(t_.layer_names) else ""
    hazards = {h.id: Text(h.name.en, h.name.fr) if h.name is not None else Text(h.id, h.id)
               for h in s.spec.hazards}
    return cause_words(c.cause, lang, event=c.event, layer=layer, hazards=hazards,
                       because=[t_.assets.id_of(b) for b in c.because[:MAX_BECAUSE + 1]])


def _chain_lines(chain: tuple[Cause, ...] | list[Cause], s: Scenario, lang: str,
                 indent: int = 1) -> list[str]:
    """The chain as a person reads it (``readable_chain``): each line under the one it
    explains, long runs of one network's cut links shortened, down to the first causes."""
    t_ = s.territory
    kept = readable_chain(list(chain))
    index = {id(c): i for i, c in enumerate(chain)}
    children: dict[int, list[tuple[Cause, int]]] = {}
    for c, above, skipped in kept:
        children.setdefault(above, []).append((c, skipped))
    lines: list[str] = []

    def walk(above: int, level: int) -> None:  # depth first: each line above its causes
        for c, skipped in children.get(above, []):
            pad = "  " * (indent + level)
            if skipped:
                lines.append(pad + t("why_skipped", lang, n=Formats(lang).integer(skipped)))
            kind = t_.kinds[t_.kind_of(c.asset)].label(lang)
            lines.append(pad + t(
                "why_line", lang, asset=_asset_label(t_, c.asset), kind=kind,
                time=_moment(s, c.time_s, lang), cause=_cause_text(c, s, lang)))
            walk(index[id(c)], level + 1)

    walk(-1, 0)
    return lines


def _cause_json(c: Cause, s: Scenario) -> dict[str, Any]:
    t_ = s.territory
    return {"asset": t_.assets.id_of(c.asset), "kind": t_.kind_of(c.asset),
            "time_h": c.time_s / 3600, "local_time": _local_time(s, c.time_s),
            "cause": c.cause, "depth": c.depth,
            "event": c.event, "because": [t_.assets.id_of(b) for b in c.because]}


@app.command(
    help=N_("Why an asset or an actor was down at a time: the chain of causes, back to the hazards "
            "and events that started it."))
def explain(
    target: Annotated[Path, typer.Argument(help=N_("A run folder, or a scenario file."))],
    subject: Annotated[str, typer.Argument(help=N_("An asset id or an actor id."))],
    at: AtRequired,
    run: RunOpt = None,
    lang: LangOpt = None,
    as_json: JsonOpt = False,
) -> None:
    from tousrisques.engine import explain as explain_asset

    language = lang_of(lang)
    when = seconds(at, "--at", language, as_json)
    assert when is not None
    s, tl, k, _ = _timeline_of(target, run, language, as_json)
    territory = s.territory
    if when < 0 or when > tl.times_s[-1]:
        fail("--at", t("at_out_of_range", language, at=at, start=_hours(0, language),
                       end=_hours(tl.times_s[-1], language)), language, as_json)
    net = Network.from_compiled(s.compiled)
    if subject in territory.actor_index:
        why = explain_actor(s.compiled, tl, net, territory.actor_index[subject], when)
        if as_json:
            emit_json({"subject": subject, "type": "actor", "run": k, "time_h": why.time_s / 3600,
                       "local_time": _local_time(s, why.time_s), "connected": why.connected,
                       "latency_s": why.latency_s if math.isfinite(why.latency_s) else None,
                       "site": territory.assets.id_of(why.site) if why.site >= 0 else None,
                       "site_chain": [_cause_json(c, s) for c in why.site_chain],
                       "channels": [{"channel": ch.channel, "status": ch.status,
                                     "assets": [territory.assets.id_of(a) for a in ch.assets],
                                     "chains": [[_cause_json(c, s) for c in chain]
                                                for chain in ch.chains]}
                                    for ch in why.channels]})
            return
        head = "actor_connected" if why.connected else "actor_cut"
        actor = territory.actors[territory.actor_index[subject]]
        out.print(t(head, language, actor=f"{subject} ({actor.name.get(language)})",
                    time=_moment(s, why.time_s, language), run=k), style="bold", markup=False)
        if why.site_chain:
            out.print(t("site_down", language, site=_asset_label(territory, why.site)),
                      markup=False)
            for line in _chain_lines(why.site_chain, s, language, 2):
                out.print(line, markup=False)
        for ch in why.channels:
            spec = territory.channels[territory.channel_index[ch.channel]]
            out.print("  " + t(f"channel_{ch.status}", language,
                               channel=f"{spec.name.get(language)} ({ch.channel})"),
                      markup=False)
            for chain in ch.chains:
                for line in _chain_lines(chain, s, language, 2):
                    out.print(line, markup=False)
        return
    try:
        row = territory.assets.row_of(subject)
    except KeyError:
        # "did you mean" among the actors and, on territories of a human size, the assets
        ids = [*territory.actor_index, *(territory.assets.ids.to_pylist()
                                         if len(territory.assets) <= 20_000 else [])]
        close = suggest(subject, ids)
        hint = gettext(DID_YOU_MEAN, language).format(close=close) if close else ""
        fail(subject, t("unknown_subject", language, subject=subject) + hint, language,
             as_json)
    causes = explain_asset(tl, net, row, when)
    if as_json:
        emit_json({"subject": subject, "type": "asset", "run": k, "time_h": when / 3600,
                   "local_time": _local_time(s, when), "working": not causes,
                   "chain": [_cause_json(c, s) for c in causes]})
        return
    if not causes:
        out.print(t("asset_working", language, asset=_asset_label(territory, row),
                    time=_moment(s, when, language), run=k), markup=False)
        return
    out.print(t("asset_down", language, asset=_asset_label(territory, row),
                time=_moment(s, when, language), run=k), style="bold", markup=False)
    for line in _chain_lines(causes, s, language, 0):
        out.print(line, markup=False)


def _study_or_run(target: Path, runs: int | None, lang: str, as_json: bool
                  ) -> tuple[Scenario, Ensemble]:
    if target.is_dir():
        try:
            got = read_run(target)
        except InputError as exc:
            fail(target, exc, lang, as_json)
        inputs_changed(got.inputs_changed, lang)
        return got.study.scenario, got.study.ensemble
    s = load_or_fail(target, lang, as_json)
    return s, run_ensemble(scenario_plan(s), runs=runs or s.spec.monte_carlo.runs)


@app.command(
    help=N_("Set two scenarios side by side (run folders, or scenario files run now): the key "
            "figures of each, and the difference."))
def compare(
    first: Annotated[Path, typer.Argument(help=N_("A run folder or a scenario file."))],
    second: Annotated[Path, typer.Argument(help=N_("Another (its mitigated variant)."))],
    runs: RunsOpt = None,
    lang: LangOpt = None,
    as_json: JsonOpt = False,
) -> None:
    language = lang_of(lang)
    a, ea = _study_or_run(first, runs, language, as_json)
    b, eb = _study_or_run(second, runs, language, as_json)
    fa, fb = key_figures(a, ea), key_figures(b, eb, main_of=(a, ea))
    if as_json:
        theirs = {f.id: f for f in fb}

        def clean(x: float | None) -> float | None:
            return None if x is None or not math.isfinite(x) else x

        emit_json({"first": {"path": str(first), "name": a.spec.name.get(language),
                             "runs": ea.runs},
                   "second": {"path": str(second), "name": b.spec.name.get(language),
                              "runs": eb.runs},
                   "figures": [{"id": f.id, "label": pick(f.label, language), "unit": f.unit,
                                "first": clean(f.value), "second": clean(theirs[f.id].value),
                                "difference": clean(theirs[f.id].value - f.value),
                                "first_at_h": f.at_h, "second_at_h": theirs[f.id].at_h}
                               for f in fa if f.id in theirs]})
        return
    print_figures(fa, language, t("compare_title", language), fb,
                  (a.spec.name.get(language), b.spec.name.get(language)), start=a.start)


class By(StrEnum):
    severity = "severity"
    main = "main"
    population = "population"
    actors = "actors"


def _criticality_target(target: Path, lang: str, as_json: bool
                        ) -> tuple[Territory, Any, list[int]]:
    if target.is_file() and target.suffix in (".yaml", ".yml") \
            and target.name != "territory.yaml":
        s = load_or_fail(target, lang, as_json)
        return s.territory, s.compiled, present_after_mitigations(s)
    try:
        territory = load_territory(target)
    except InputError as exc:
        fail(target, exc, lang, as_json)
    return territory, territory.compile(), np.nonzero(territory.assets.planned)[0].tolist()


@app.command(
    help=N_("Rank assets by what their single loss costs: people the main alert channel no "
            "longer reaches, actors cut off from their crisis cell, people no longer reached "
            "by any channel, assets down with it; assets that fall together make one line."))
def criticality(
    target: Annotated[Path, typer.Argument(help=N_("A territory folder, or a scenario file "
                                                   "(its mitigations in place)."))],
    top: Annotated[int, typer.Option(min=1, help=N_("How many lines (assets or groups) to "
                                                    "list."))] = 20,
    by: Annotated[By, typer.Option(help=N_(
        "Rank by severity (the larger share lost of the main alert channel's people and of "
        "the actors), by the main channel's people, by people reached by any channel, or by "
        "actors able to reach a crisis cell."))] = By.severity,
    horizon: HorizonOpt = None,
    csv: Annotated[Path | None, typer.Option(
        "--csv", help=N_("Also write the whole ranking to this CSV file."))] = None,
    workers: Annotated[int, typer.Option(min=1, help=N_("Local processes."))] = 1,
    force: Annotated[bool, typer.Option("--force", help=N_("Replace the file(s) if they exist."))
                     ] = False,
    lang: LangOpt = None,
    as_json: JsonOpt = False,
) -> None:
    language = lang_of(lang)
    horizon_s = seconds(horizon, "--horizon", language, as_json)
    if csv is not None:
        check_replace(csv, force, language, as_json)
    territory, compiled, absent = _criticality_target(target, language, as_json)
    result = rank_assets(compiled, horizon_s=horizon_s, absent=absent, by=by.value,
                         workers=workers, territory=territory)
    if csv is not None:
        _write_atomic(csv, lambda p: write_csv(result.table, p), language, as_json, force)
    heads = result.heads(top).to_pylist()
    members: dict[str, list[str]] = {r["asset"]: [] for r in heads}
    feeders: dict[str, Counter[str]] = {r["asset"]: Counter() for r in heads}
    tab = result.table
    for a, g, f in zip(tab.column("asset").to_pylist(), tab.column("group").to_pylist(),
                       tab.column("feeder").to_pylist(), strict=True):
        if g in members:
            members[g].append(a)
            feeders[g][f] += 1
    for r in heads:  # a group named by its feeder when half of it or more is that feeder's
        top_feeder = [f for f, k in feeders[r["asset"]].most_common() if f]
        r["group_feeder"] = top_feeder[0] if len(top_feeder) == 1 and \
            feeders[r["asset"]][top_feeder[0]] * 2 >= r["group_size"] else ""
    if as_json:
        emit_json({"baseline_population": result.baseline_population,
                   "baseline_actors": result.baseline_actors, "horizon_s": horizon_s,
                   "by": by.value, "main_channel": result.main_channel,
                   "baseline_main": result.baseline_main,
                   "groups": [r | {"members": members[r["asset"]]} for r in heads],
                   "assets": result.top(top).to_pylist()})
        return
    _print_criticality(territory, result, heads, horizon_s, language)


def _print_criticality(territory: Territory, result: Any, heads: list[dict[str, Any]],
                       horizon_s: float | None, language: str) -> None:
    fmt = Formats(language)
    n = fmt.integer(len(heads))
    table = Table(title=(t("crit_title", language, n=n) if horizon_s is None
                         else t("crit_title_horizon", language, n=n,
                                horizon=_hours(horizon_s, language))), title_justify="left")
    ch = result.main_channel
    # the channel's name as written (cells and titles below are plain, never markup)
    channel = pick(next((text_of(c.name) for c in territory.channels if c.id == ch), ch),
                   language) if ch else "—"
    for key, justify in (("rank", "right"), ("asset", "left"), ("commune", "left"),
                         ("kind", "left"), ("main_lost", "right"), ("actors_cut", "right"),
                         ("any_lost", "right"), ("assets_down", "right")):
        table.add_column(plain(t("col_" + key, language, channel=channel)),
                         justify=justify)  # type: ignore[arg-type]
    for i, r in enumerate(heads, start=1):
        label = plain(_asset_label(territory, territory.assets.row_of(r["asset"])))
        size = int(r["group_size"])
        if size > 1:
            label += "\n" + (t("crit_feeder", language, feeder=plain(r["group_feeder"]),
                               n=size) if r["group_feeder"]
                             else t("crit_group", language, n=size))
        table.add_row(str(i), label, plain(r["commune"]) or "—",
                      plain(territory.kinds[r["kind"]].label(language)),
                      f"{fmt.integer(r['main_lost'])} ({fmt.share(r['main_share'])})",
                      fmt.integer(r["actors_cut_off"]),
                      f"{fmt.integer(r['population_lost'])} "
                      f"({fmt.share(r['population_share'])})",
                      fmt.integer(r["assets_down"]))
    out.print(table)
    out.print(plain(t("crit_rule_severity", language, channel=channel)
                    if result.by == "severity" else t("crit_rule_other", language)))


def _write_atomic(path: Path, write: Any, lang: str, as_json: bool, force: bool) -> None:
    with writing(path, lang, as_json), atomic_file(path, replace=force) as tmp:
        write(tmp)


@app.command(
    help=N_("Export a snapshot of the state at a time as GeoJSON for QGIS, and the indicators "
            "as CSV or Parquet."))
def export(
    target: Annotated[Path, typer.Argument(help=N_("A run folder, or a scenario file."))],
    at: Annotated[str | None, typer.Option(
        "--at", help=N_("Time of the GeoJSON snapshot, e.g. 6h."))] = None,
    geojson: Annotated[Path | None, typer.Option(
        "--geojson", help=N_("Write the state at --at as GeoJSON (for QGIS)."))] = None,
    indicators: Annotated[Path | None, typer.Option(
        "--indicators", help=N_("Write the indicators (.csv or .parquet): mean, P10, P50, P90 "
                                "per time for a run folder, the run's values for a scenario."))
                          ] = None,
    run: RunOpt = None,
    force: Annotated[bool, typer.Option("--force", help=N_("Replace the file(s) if they exist."))
                     ] = False,
    lang: LangOpt = None,
    as_json: JsonOpt = False,
) -> None:
    language = lang_of(lang)
    if geojson is None and indicators is None:
        fail("--geojson", t("export_nothing", language), language, as_json)
    if geojson is not None and at is None:
        fail("--at", t("export_needs_at", language), language, as_json)
    if indicators is not None and indicators.suffix not in (".csv", ".parquet"):
        fail(indicators, t("export_suffix", language, path=indicators), language, as_json)
    for wanted in (geojson, indicators):
        if wanted is not None:
            check_replace(wanted, force, language, as_json)
    when = seconds(at, "--at", language, as_json)
    s, tl, k, ens = _timeline_of(target, run, language, as_json)
    written: list[str] = []
    if geojson is not None:
        assert when is not None
        if when < 0 or when > tl.times_s[-1]:
            fail("--at", t("at_out_of_range", language, at=at, start=_hours(0, language),
                           end=_hours(tl.times_s[-1], language)), language, as_json)
        data = state_geojson(s, tl, when, ens)
        _write_atomic(geojson, lambda p: p.write_text(json.dumps(data, ensure_ascii=False),
                                                      encoding="utf-8"), language, as_json, force)
        written.append(str(geojson))
    if indicators is not None:
        if ens is not None and run is None:
            table = ens.stats_table()
        else:
            from tousrisques.indicators import compute_indicators

            table = compute_indicators(s.compiled, tl).to_table()
        times_s = table.column("time_s").to_numpy()
        table = table.add_column(2, "time_h", pa.array(times_s / 3600))
        if s.start is not None:  # the territory's clock, ISO 8601 with its offset
            table = table.add_column(3, "local_time", pa.array(iso_times(s.start, times_s),
                                                               pa.string()))
        if indicators.suffix == ".csv":
            _write_atomic(indicators, lambda p: write_csv(table, p), language, as_json, force)
        else:
            _write_atomic(indicators, lambda p: pq.write_table(table, p), language, as_json,
                          force)
        written.append(str(indicators))
    if as_json:
        emit_json({"ok": True, "run": k, "written": written})
        return
    for path in written:
        out.print(t("exported", language, path=path), markup=False)

