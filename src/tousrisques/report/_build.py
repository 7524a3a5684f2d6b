"""From a study to what its report shows (:class:`ReportData`): figures, series, maps,
actors, causal chains, criticality, comparison, method. No drawing here."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt

from tousrisques._durations import parse_duration
from tousrisques._messages import Text
from tousrisques._problems import Problems
from tousrisques._readers import read_bytes
from tousrisques.analysis import Study, explain_actor, readable_chain
from tousrisques.engine import Cause, Ensemble
from tousrisques.report._data import (
    ActorChannel,
    ActorRow,
    Chain,
    Chart,
    Comparison,
    CriticalAsset,
    Finding,
    HazardInfo,
    KeyFigure,
    Method,
    ReportData,
    Series,
    Step,
)
from tousrisques.report._geometry import map_data
from tousrisques.scenario import Scenario

FloatArray = npt.NDArray[np.float64]

ROLE_LABELS: dict[str, Text] = {
    "prefecture": Text("prefecture", "préfecture"),
    "crisis_cell": Text("crisis cell", "cellule de crise"),
    "mayor": Text("town hall", "mairie"),
    "fire_service": Text("fire service", "service d'incendie et de secours"),
    "police": Text("police", "forces de l'ordre"),
    "emergency_medical": Text("emergency medical service", "SAMU"),
    "hospital": Text("hospital", "hôpital"),
    "health_agency": Text("health agency", "agence régionale de santé"),
    "operator": Text("network operator", "opérateur de réseau"),
    "association": Text("association", "association"),
    "citizen_relay": Text("citizen relay", "relais citoyen"),
    "media": Text("media", "média"),
    "industrial": Text("industrial site", "site industriel"),
    "school": Text("school", "établissement scolaire"),
    "other": Text("other", "autre"),
}
ROLE_GROUPS: dict[str, Text] = {
    "mayor": Text("town halls", "mairies"),
    "citizen_relay": Text("citizen relays", "relais citoyens"),
    "association": Text("associations", "associations"),
    "hospital": Text("hospitals", "hôpitaux"),
}
LAYER_LABELS: dict[str, Text] = {
    "power": Text("power network", "réseau électrique"),
    "telecom": Text("telecom network", "réseau de télécommunications"),
    "water": Text("water network", "réseau d'eau"),
    "gas": Text("gas network", "réseau de gaz"),
}
ANY = "population_reached:any"


def _text(value: object) -> Text:
    en = getattr(value, "en", None)
    fr = getattr(value, "fr", None)
    return Text(str(en), str(fr)) if en is not None and fr is not None else Text(str(value),
                                                                                 str(value))


def _series(ens: Ensemble, name: str, label: Text) -> Series:
    return Series(name, label, *(ens.stat(name, w).tolist() for w in ("mean", "p10", "p50",
                                                                       "p90")))


def _channel_labels(s: Scenario) -> dict[str, Text]:
    return {ch.id: _text(ch.name) for ch in s.territory.channels}


def main_channel(s: Scenario, ens: Ensemble) -> str | None:
    """The broadcast channel that reaches the most people at the start, to the percent (the
    territory's main alert channel; on ties, the first declared), or None without any."""
    names = [n for n in ens.names if n.startswith("population_reached:") and n != ANY]
    if not names:
        return None
    start = np.round([ens.stat(n, "mean")[0] for n in names], 2)
    return names[int(np.argmax(start))].split(":", 1)[1]


def _connected(ens: Ensemble, actors: list[str]) -> FloatArray:
    """Share of runs in which each actor is connected, per time: (actors, times)."""
    idx = [ens.names.index(f"actor_latency:{a}") for a in actors]
    share: FloatArray = np.isfinite(ens.values[:, idx, :]).mean(axis=0)
    return share


def charts(s: Scenario, ens: Ensemble) -> list[Chart]:
    labels = _channel_labels(s)
    out = [Chart("reach_any", Text("Population reached by at least one channel",
                                   "Population atteinte par au moins un canal"), "share",
                 [_series(ens, ANY, Text("any channel", "au moins un canal"))])]
    reach = [_series(ens, n, labels.get(n.split(":", 1)[1], Text(n, n))) for n in ens.names
             if n.startswith("population_reached:") and n != ANY]
    if reach:
        out.append(Chart("reach_channels", Text("Population reached, channel by channel",
                                                "Population atteinte, canal par canal"),
                         "share", reach))
    layers = [_series(ens, f"assets_working:{layer}", LAYER_LABELS.get(layer, Text(layer, layer)))
              for layer in s.territory.layer_names if f"assets_working:{layer}" in ens.names]
    if "assets_working:service" in ens.names:  # services_up is 0 in a territory without any
        layers.append(_series(ens, "services_up", Text("digital services", "services numériques")))
    if layers:
        out.append(Chart("assets", Text("Networks and services working",
                                         "Réseaux et services en fonctionnement"), "share",
                         layers))
    kinds = [_series(ens, f"assets_working:{k}", Text(s.territory.kinds[k].label("en"),
                                                      s.territory.kinds[k].label("fr")))
             for k in ("antenna", "transformer", "siren", "site")
             if f"assets_working:{k}" in ens.names and k in s.territory.kinds]
    if kinds:
        out.append(Chart("kinds", Text("Assets working, by kind", "Actifs en fonctionnement, "
                                       "par type"), "share", kinds))
    if s.territory.actors:
        out.append(Chart("actors", Text("Actors able to reach a crisis cell",
                                        "Acteurs pouvant joindre une cellule de crise"),
                         "share",
                         [_series(ens, "actors_connected", Text("actors connected",
                                                                "acteurs connectés")),
                          _series(ens, "governance_links_broken",
                                  Text("governance links broken",
                                       "liens hiérarchiques rompus"))]))
    return out


def worst_time(ens: Ensemble, name: str, *, highest: bool = False) -> int:
    mean = ens.stat(name, "mean")
    return int(np.argmax(mean) if highest else np.argmin(mean))


def key_figures(s: Scenario, ens: Ensemble, *,
                main_of: tuple[Scenario, Ensemble] | None = None) -> list[KeyFigure]:
    """The figures of the key-figures table (and of ``summary.json``); the main alert
    channel is that of ``main_of`` when given (the scenario this one is set beside, so that
    both speak of the same channel)."""
    hours = ens.times_s / 3600
    out: list[KeyFigure] = []

    def at(fid: str, label: Text, name: str, k: int) -> None:
        out.append(KeyFigure(fid, label, "share", float(ens.stat(name, "mean")[k]),
                             float(ens.stat(name, "p10")[k]), float(ens.stat(name, "p90")[k]),
                             float(hours[k])))

    k = worst_time(ens, ANY)
    at("reach_any_worst", Text("Population reached by at least one channel, at the worst "
                               "moment", "Population atteinte par au moins un canal, au pire "
                               "moment"), ANY, k)
    main = main_channel(*(main_of or (s, ens)))
    if main is not None and f"population_reached:{main}" in ens.names:
        name = f"population_reached:{main}"
        label = _channel_labels(s).get(main, Text(main, main))
        at("reach_main_worst", Text(f"Population reached by {label.en}, at the worst moment",
                                    f"Population atteinte par {label.fr}, au pire moment"),
           name, worst_time(ens, name))
    at("reach_any_end", Text("Population reached by at least one channel, at the end",
                             "Population atteinte par au moins un canal, à la fin"), ANY,
       len(hours) - 1)
    if s.territory.actors:  # with none, "0 % connected" would read as all cut off
        at("actors_worst", Text("Actors able to reach a crisis cell, at the worst moment",
                                "Acteurs pouvant joindre une cellule de crise, au pire moment"),
           "actors_connected", worst_time(ens, "actors_connected"))
    if len(s.compiled.reports_to):
        at("governance_worst", Text("Governance links broken, at the worst moment",
                                    "Liens hiérarchiques rompus, au pire moment"),
           "governance_links_broken", worst_time(ens, "governance_links_broken", highest=True))
    if "assets_working:service" in ens.names:  # no service at all is not "0 % working"
        at("services_worst", Text("Digital services working, at the worst moment",
                                  "Services numériques en fonctionnement, au pire moment"),
           "services_up", worst_time(ens, "services_up"))
    if "assets_working:power" in ens.names:
        at("power_worst", Text("Power assets working, at the worst moment",
                               "Actifs électriques en fonctionnement, au pire moment"),
           "assets_working:power", worst_time(ens, "assets_working:power"))
    rec = recovery_h(ens)
    out.append(KeyFigure("recovery", Text("Hours until reach by any channel is back above "
                                          "95% of its start", "Heures avant que la portée "
                                          "tous canaux revienne au-dessus de 95 % du départ"),
                         "hours", float("nan") if rec is None else rec))
    return out


def recovery_h(ens: Ensemble) -> float | None:
    """First time after the worst moment when the mean reach by any channel is back above
    95 % of its start value (None: not within the scenario)."""
    mean = ens.stat(ANY, "mean")
    k = int(np.argmin(mean))
    back = np.nonzero(mean[k:] >= 0.95 * mean[0])[0]
    if mean[k] >= 0.95 * mean[0]:
        return 0.0
    return float(ens.times_s[k + back[0]] / 3600) if len(back) else None


def findings(s: Scenario, ens: Ensemble) -> list[Finding]:
    hours = ens.times_s / 3600
    out: list[Finding] = []
    labels = _channel_labels(s)
    # every broadcast channel that loses more than 5 points, at its worst moment, the
    # channels reaching the most people at the start first
    reach = [n for n in ens.names if n.startswith("population_reached:") and n != ANY]
    reach.sort(key=lambda n: -round(float(ens.stat(n, "mean")[0]), 2))
    for name in reach:
        mean = ens.stat(name, "mean")
        k = int(np.argmin(mean))
        if mean[0] - mean[k] <= 0.05:
            continue
        ident = name.split(":", 1)[1]
        out.append(Finding("reach", float(hours[k]), float(mean[k]),
                           float(ens.stat(name, "p10")[k]), float(ens.stat(name, "p90")[k]),
                           subject=labels.get(ident, Text(ident, ident))))
    k = worst_time(ens, ANY)
    out.append(Finding("worst", float(hours[k]), float(ens.stat(ANY, "mean")[k]),
                       float(ens.stat(ANY, "p10")[k]), float(ens.stat(ANY, "p90")[k])))
    out.append(Finding("recovery", recovery_h(ens), 0.95 * float(ens.stat(ANY, "mean")[0])))
    actors = s.territory.actors
    cells = [a for a in actors if a.crisis_cell]
    target = _text(cells[0].name) if len(cells) == 1 else Text("a crisis cell",
                                                               "une cellule de crise")
    k = worst_time(ens, "actors_connected")
    for role, group in ROLE_GROUPS.items():
        members = [a.id for a in actors if a.role == role]
        if len(members) < 2:
            continue
        cut = 1 - _connected(ens, members)  # (actors, times): share of runs cut off
        per_run = (~np.isfinite(ens.values[:, [ens.names.index(f"actor_latency:{m}")
                                               for m in members], k])).sum(axis=1)
        out.append(Finding("cut_off", float(hours[k]), float(cut[:, k].sum()),
                           float(np.percentile(per_run, 10, method="inverted_cdf")),
                           float(np.percentile(per_run, 90, method="inverted_cdf")),
                           total=float(len(members)), subject=group, target=target))
    if len(s.compiled.reports_to):
        name = "governance_links_broken"
        k = worst_time(ens, name, highest=True)
        out.append(Finding("governance", float(hours[k]),
                           float(ens.stat(name, "mean", counts=True)[k]),
                           float(ens.stat(name, "p10", counts=True)[k]),
                           float(ens.stat(name, "p90", counts=True)[k]),
                           total=float(len(s.compiled.reports_to))))
    return out


def map_times(ens: Ensemble, main: str | None, chosen_h: list[float] | None = None
              ) -> list[int]:
    """Indices of the map times: those chosen, or the worst moments of reach by the main
    channel and by any channel, and the end (halfway added when two of them coincide)."""
    hours = ens.times_s / 3600
    if chosen_h:
        return sorted({int(np.argmin(np.abs(hours - h))) for h in chosen_h})
    last = len(hours) - 1
    ks = {worst_time(ens, ANY), last}
    if main is not None:
        ks.add(worst_time(ens, f"population_reached:{main}"))
    if len(ks) < 3:
        ks.add((min(ks) + last) // 2)
    return sorted(ks)


def _actor_rows(s: Scenario, ens: Ensemble, ks: list[int]) -> list[ActorRow]:
    labels = _channel_labels(s)
    ids = [a.id for a in s.territory.actors]
    connected = _connected(ens, ids)
    rows = []
    for i, a in enumerate(s.territory.actors):
        chans = []
        for ch in a.channels:
            if ens.actor_channels is not None and ch in ens.channel_ids:
                j = ens.channel_ids.index(ch)
                kept = [float(ens.actor_channels[k, i, j]) for k in ks]
                chans.append(ActorChannel(ch, labels.get(ch, Text(ch, ch)), kept))
        rows.append(ActorRow(a.id, _text(a.name).fr, a.role, ROLE_LABELS.get(
            a.role, Text(a.role, a.role)), a.crisis_cell, connected[i].tolist(), chans))
    return rows


def _steps(study: Study, causes: tuple[Cause, ...] | list[Cause], *, limit: int = 14
           ) -> list[Step]:
    """A chain as the report shows it (see ``analysis.readable_chain``)."""
    t = study.scenario.territory
    names = t.assets.attrs.get("name")
    out: list[Step] = []
    depth: dict[int, int] = {}  # depth once runs are shortened
    for c, above, skipped in readable_chain(causes)[:limit]:
        kind = t.kinds[t.kind_of(c.asset)]
        up = causes[above].asset if above >= 0 else None
        depth[c.asset] = 0 if up is None else depth.get(up, c.depth - 1) + 1
        out.append(Step(depth[c.asset], t.assets.id_of(c.asset),
                        str(names[c.asset]) if names is not None and names[c.asset] else "",
                        Text(kind.label("en"), kind.label("fr")), c.time_s / 3600, c.cause,
                        c.event, [t.assets.id_of(b) for b in c.because[:6]],
                        None if up is None else t.assets.id_of(up), skipped))
    return out


def chains(study: Study, *, most: int = 5) -> list[Chain]:
    """Why the first actors cut off at the worst moment were cut off, in the
    representative run: crisis cells and authorities first."""
    s, ens, tl = study.scenario, study.ensemble, study.timeline
    ind = study.result.indicators
    k = worst_time(ens, "actors_connected")
    order = sorted(range(len(s.territory.actors)), key=lambda i: (
        not s.territory.actors[i].crisis_cell,
        ["prefecture", "crisis_cell", "fire_service", "hospital", "mayor"].index(
            s.territory.actors[i].role) if s.territory.actors[i].role in (
            "prefecture", "crisis_cell", "fire_service", "hospital", "mayor") else 9, i))
    net = study.network
    out: list[Chain] = []
    for i in order:
        a = s.territory.actors[i]
        if np.isfinite(ind.value(f"actor_latency:{a.id}")[k]):
            continue
        why = explain_actor(s.compiled, tl, net, i, float(ens.times_s[k]))
        if why.site_chain:
            out.append(Chain(a.id, _text(a.name).fr, why.time_s / 3600, "site",
                             _steps(study, why.site_chain)))
        else:
            steps = [step for ch in why.channels for chain in ch.chains[:1]
                     for step in _steps(study, chain, limit=6)]
            out.append(Chain(a.id, _text(a.name).fr, why.time_s / 3600, "channels",
                             steps[:18]))
        if len(out) >= most:
            break
    return out


def critical(study: Study, *, top: int = 15) -> list[CriticalAsset]:
    t = study.scenario.territory
    names = t.assets.attrs.get("name")
    rows: list[CriticalAsset] = []
    if study.criticality is None:
        return rows
    top_rows = study.criticality.top(top).to_pylist()
    for r, i in zip(top_rows, t.assets.rows_of([r["asset"] for r in top_rows]).tolist(),
                    strict=True):
        if i < 0:
            raise KeyError(r["asset"])
        kind = t.kinds[r["kind"]]
        rows.append(CriticalAsset(int(r["rank"]), r["asset"],
                                  str(names[i]) if names is not None and names[i] else "",
                                  Text(kind.label("en"), kind.label("fr")),
                                  float(r["population_lost"]), float(r["population_share"]),
                                  int(r["actors_cut"]), int(r["assets_down"])))
    return rows


def comparison(study: Study) -> Comparison | None:
    other = study.other
    if other is None:
        return None
    s, ens, o = study.scenario, study.ensemble, other.ensemble
    this, that = _text(s.spec.name), _text(other.scenario.spec.name)
    mine = {f.id: f for f in key_figures(s, ens)}
    theirs = {f.id: f for f in key_figures(other.scenario, o, main_of=(s, ens))}
    figures = [(mine[i], theirs[i]) for i in mine if i in theirs]
    if len(o.times_s) != len(ens.times_s) or not np.allclose(o.times_s, ens.times_s):
        return Comparison(that, [], figures)  # other times: the figures hold, not the curves
    pairs = [(ANY, Text("Population reached by at least one channel",
                        "Population atteinte par au moins un canal"))]
    main = main_channel(s, ens)
    if main is not None:
        label = _channel_labels(s).get(main, Text(main, main))
        pairs.append((f"population_reached:{main}", Text(f"Population reached by {label.en}",
                                                         f"Population atteinte par "
                                                         f"{label.fr}")))
    pairs.append(("actors_connected", Text("Actors able to reach a crisis cell",
                                           "Acteurs pouvant joindre une cellule de crise")))
    charts_ = [Chart(f"compare_{i}", label, "share", [_series(ens, name, this),
                                                      _series(o, name, that)])
               for i, (name, label) in enumerate(pairs) if name in o.names]
    return Comparison(that, charts_, figures)


def method(study: Study) -> Method:
    s = study.scenario
    spec = s.spec
    hazards = []
    for h_spec, h in zip(spec.hazards, s.hazards, strict=True):
        model = next((m for m in ("storm", "flood", "plume") if getattr(h_spec, m)),
                     "footprint")
        hazards.append(HazardInfo(h_spec.id, _text(h_spec.name) if h_spec.name else
                                  Text(h_spec.id, h_spec.id), model,
                                  sorted(h_spec.fragility),
                                  int((s.exposure[h_spec.id] > 0).sum()),
                                  float(h.probability.sum())))
    repairs = {k: (parse_duration(r.median) / 3600, r.beta) for k, r in spec.repairs.items()}
    mc = spec.monte_carlo
    horizon = study.criticality.horizon_s if study.criticality is not None else None
    return Method(hazards, [m.name for m in spec.mitigations], len(s.events), repairs,
                  study.ensemble.runs, int(study.ensemble.metadata.get("seed", mc.seed)),
                  mc.repair_beta, mc.backup_beta, s.step_s / 3600, s.duration_s / 3600,
                  "permanent" if horizon is None else f"{horizon / 3600:g} h")


SOURCES_MAX_BYTES = 1024 * 1024  # a description of sources, not data


def sources(s: Scenario) -> list[str]:
    """Where the territory's data come from: its description and, when its folder holds a
    SOURCES.md, that file's lines."""
    t = s.territory
    out = [t.description] if t.description else []
    if t.folder is not None:
        for name in ("SOURCES.md", "DATA_SOURCES.md"):
            path = t.folder / name
            # only a regular file inside the folder (links resolved), of a sensible size
            raw = read_bytes(path, name, Problems(), max_bytes=SOURCES_MAX_BYTES,
                             setting="SOURCES.md", roots=(t.folder,)) \
                if path.exists() else None
            if raw is not None:
                out += [line.lstrip("-* ").strip() for line in
                        raw.decode("utf-8", errors="replace").splitlines()
                        if line.strip() and not line.startswith("#")]
    out.append(f"tousrisques: {', '.join(t.files)}")
    return out


def build_report_data(study: Study, *, map_hours: list[float] | None = None,
                      generated: datetime | None = None) -> ReportData:
    """Everything the report of ``study`` shows."""
    s, ens = study.scenario, study.ensemble
    main = main_channel(s, ens)
    ks = map_times(ens, main, map_hours)
    spec = s.spec
    return ReportData(
        title=_text(spec.name),
        description=_text(spec.description) if spec.description else None,
        territory=s.territory.name, territory_description=s.territory.description,
        start=spec.start.isoformat() if spec.start else None,
        generated=(generated or datetime.now(UTC)).isoformat(timespec="seconds"),
        version=ens.metadata.get("version", ""),
        territory_hash=s.compiled.source_hash, scenario_hash=s.content_hash,
        runs=ens.runs, seed=int(ens.metadata.get("seed", "0")),
        representative_run=study.run, times_h=(ens.times_s / 3600).tolist(),
        findings=findings(s, ens), key_figures=key_figures(s, ens), charts=charts(s, ens),
        maps=map_data(study, ks, main), actors=_actor_rows(s, ens, ks), chains=chains(study),
        criticality=critical(study), comparison=comparison(study), method=method(study),
        sources=sources(s))
