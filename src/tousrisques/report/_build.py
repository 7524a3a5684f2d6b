"""From a study to what its report shows (:class:`ReportData`): figures, series, maps,
actors, causal chains, criticality, comparison, method. No drawing here."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt

from tousrisques._causes import LAYER_LABELS as LAYER_WORDS
from tousrisques._durations import parse_duration
from tousrisques._i18n import N_, Msg, Text, Words
from tousrisques._problems import Problems
from tousrisques._readers import read_bytes
from tousrisques.analysis import Ensemble, Study, explain_actor, readable_chain
from tousrisques.engine import Cause
from tousrisques.report._critical import critical
from tousrisques.report._data import (
    ActorChannel,
    ActorRow,
    Chain,
    Chart,
    Comparison,
    HazardInfo,
    Method,
    ReportData,
    Series,
    Step,
)
from tousrisques.report._geometry import map_data
from tousrisques.results import (
    ANY,
    NETWORK,
    channel_labels,
    connected_share,
    findings,
    isolated_communes,
    key_figures,
    main_channel,
    text_of,
    worst_moment,
    worst_tail,
    worst_time,
)
from tousrisques.scenario import Scenario

FloatArray = npt.NDArray[np.float64]

#: the words of each actor role (a role of another name reads as its id)
ROLE_LABELS: dict[str, Msg] = {role: Msg(words) for role, words in {
    "prefecture": N_("prefecture"),
    "crisis_cell": N_("crisis cell"),
    "mayor": N_("town hall"),
    "fire_service": N_("fire service"),
    "police": N_("police"),
    "emergency_medical": N_("emergency medical service"),
    "hospital": N_("hospital"),
    "health_agency": N_("health agency"),
    "operator": N_("network operator"),
    "association": N_("association"),
    "citizen_relay": N_("citizen relay"),
    "media": N_("media"),
    "industrial": N_("industrial site"),
    "school": N_("school"),
    "other": N_("other"),
}.items()}
#: the words of each network layer, as the causes say them (``_causes.LAYER_LABELS``)
LAYER_LABELS: dict[str, Msg] = {layer: Msg(words) for layer, words in LAYER_WORDS.items()}
_REACH_ANY = Msg(N_("People reached by at least one channel"))
_ACTORS = Msg(N_("Actors able to reach a crisis cell"))


def _series(ens: Ensemble, name: str, label: Words) -> Series:
    return Series(name, label, *(ens.stat(name, w).tolist() for w in ("mean", "p10", "p50",
                                                                       "p90")))


def charts(s: Scenario, ens: Ensemble) -> list[Chart]:
    labels = channel_labels(s)
    out = [Chart("reach_any", _REACH_ANY, "share",
                 [_series(ens, ANY, Msg(N_("any channel")))])]
    reach = [_series(ens, n, labels.get(n.split(":", 1)[1], Text(n, n))) for n in ens.names
             if n.startswith("population_reached:") and n not in (ANY, NETWORK)]
    if reach:
        out.append(Chart("reach_channels", Msg(N_("People reached, channel by channel")),
                         "share", reach))
    layers = [_series(ens, f"assets_working:{layer}", LAYER_LABELS.get(layer, Text(layer, layer)))
              for layer in s.territory.layer_names if f"assets_working:{layer}" in ens.names]
    if "assets_working:service" in ens.names:  # services_up is 0 in a territory without any
        layers.append(_series(ens, "services_up", Msg(N_("digital services"))))
    if layers:
        out.append(Chart("assets", Msg(N_("Networks and services working")), "share", layers))
    kinds = [_series(ens, f"assets_working:{k}", Text(s.territory.kinds[k].label("en"),
                                                      s.territory.kinds[k].label("fr")))
             for k in ("antenna", "transformer", "siren", "site")
             if f"assets_working:{k}" in ens.names and k in s.territory.kinds]
    if kinds:
        out.append(Chart("kinds", Msg(N_("Assets working, by kind")), "share", kinds))
    if s.territory.actors:
        out.append(Chart("actors", _ACTORS, "share",
                         [_series(ens, "actors_connected", Msg(N_("actors connected"))),
                          _series(ens, "governance_links_broken",
                                  Msg(N_("governance links broken")))]))
    return out


def _worst(ens: Ensemble, name: str) -> int:
    """The worst moment as the key figures name it, the lowest mean when it holds."""
    k = worst_moment(ens, name)
    return worst_time(ens, name) if k is None else k


def map_times(ens: Ensemble, main: str | None, chosen_h: list[float] | None = None
              ) -> list[int]:
    """Indices of the map times: those chosen, or the worst moments of reach by the main
    channel and by any channel, and the end (halfway added when two of them coincide)."""
    hours = ens.times_s / 3600
    if chosen_h:
        return sorted({int(np.argmin(np.abs(hours - h))) for h in chosen_h})
    last = len(hours) - 1
    ks = {_worst(ens, ANY), last}
    if main is not None:
        ks.add(_worst(ens, f"population_reached:{main}"))
    if len(ks) < 3:
        ks.add((min(ks) + last) // 2)
    return sorted(ks)


def _actor_rows(s: Scenario, ens: Ensemble, ks: list[int]) -> list[ActorRow]:
    """Each actor, its connectivity over time and the channels it talks over: broadcasts
    (which reach people, not crisis cells) left out, and a channel that no run has at the
    start (a planned satellite phone not yet delivered) marked ``absent``, not lost."""
    labels = channel_labels(s)
    t = s.territory
    ids = [a.id for a in t.actors]
    connected = connected_share(ens, ids)
    rows = []
    for i, a in enumerate(t.actors):
        chans = []
        for ch in a.channels:
            if ch not in t.channel_index or t.channels[t.channel_index[ch]].mode == "broadcast":
                continue
            if ens.actor_channels is not None and ch in ens.channel_ids:
                j = ens.channel_ids.index(ch)
                kept = [float(ens.actor_channels[k, i, j]) for k in ks]
                chans.append(ActorChannel(ch, labels.get(ch, Text(ch, ch)), kept,
                                          bool(ens.actor_channels[0, i, j] == 0)))
        rows.append(ActorRow(a.id, text_of(a.name).fr, a.role, ROLE_LABELS.get(
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
                        c.event, [t.assets.id_of(b) for b in c.because],
                        None if up is None else t.assets.id_of(up), skipped,
                        t.layer_names[c.layer] if 0 <= c.layer < len(t.layer_names) else ""))
    return out


def chains(study: Study, *, most: int = 3) -> list[Chain]:
    """Why the first actors cut off at the worst moment were cut off, in the
    representative run: crisis cells and authorities first."""
    s, ens, tl = study.scenario, study.ensemble, study.timeline
    ind = study.indicators
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
            out.append(Chain(a.id, text_of(a.name).fr, why.time_s / 3600, "site",
                             _steps(study, why.site_chain)))
        else:
            steps = [step for ch in why.channels for chain in ch.chains[:1]
                     for step in _steps(study, chain, limit=6)]
            out.append(Chain(a.id, text_of(a.name).fr, why.time_s / 3600, "channels",
                             steps[:18]))
        if len(out) >= most:
            break
    return out


def comparison(study: Study) -> Comparison | None:
    other = study.other
    if other is None:
        return None
    s, ens, o = study.scenario, study.ensemble, other.ensemble
    this, that = text_of(s.spec.name), text_of(other.scenario.spec.name)
    mine = {f.id: f for f in key_figures(s, ens)}
    theirs = {f.id: f for f in key_figures(other.scenario, o, main_of=(s, ens))}
    figures = [(mine[i], theirs[i]) for i in mine if i in theirs]
    if len(o.times_s) != len(ens.times_s) or not np.allclose(o.times_s, ens.times_s):
        return Comparison(that, [], figures)  # other times: the figures hold, not the curves
    pairs: list[tuple[str, Words]] = [(ANY, _REACH_ANY)]
    main = main_channel(s, ens)
    if main is not None:
        label = channel_labels(s).get(main, Text(main, main))
        pairs.append((f"population_reached:{main}",
                      Msg(N_("People reached by “{channel}”"), channel=label)))
    pairs.append(("actors_connected", _ACTORS))
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
        hazards.append(HazardInfo(h_spec.id, text_of(h_spec.name) if h_spec.name else
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
                  "permanent" if horizon is None else f"{horizon / 3600:g} h",
                  {k: Text(v.label("en"), v.label("fr")) for k, v in s.territory.kinds.items()})


SOURCES_MAX_BYTES = 1024 * 1024  # a description of sources, not data


def _source_lines(folder: Path, name: str) -> list[str]:
    path = folder / name
    # only a regular file inside the folder (links resolved), of a sensible size
    raw = read_bytes(path, name, Problems(), max_bytes=SOURCES_MAX_BYTES,
                     setting="SOURCES.md", roots=(folder,)) if path.exists() else None
    if raw is None:
        return []
    return [line.lstrip("-* ").strip() for line in raw.decode("utf-8", errors="replace")
            .splitlines() if line.strip() and not line.startswith("#")]


def sources(s: Scenario) -> list[Words]:
    """Where the territory's data come from: its description and, when its folder holds a
    SOURCES.md, that file's lines; in French those of SOURCES.fr.md when it holds as many
    lines (a translation), else the same."""
    t = s.territory
    out: list[Words] = [text_of(t.description)] if t.description else []
    if t.folder is not None:
        for name in ("SOURCES.md", "DATA_SOURCES.md"):
            en = _source_lines(t.folder, name)
            fr = _source_lines(t.folder, name.replace(".md", ".fr.md"))
            out += [Text(e, f) for e, f in zip(en, fr if len(fr) == len(en) else en,
                                               strict=True)]
    out.append(f"tousrisques: {', '.join(t.files)}")
    return out


def build_report_data(study: Study, *, map_hours: list[float] | None = None,
                      generated: datetime | None = None) -> ReportData:
    """Everything the report of ``study`` shows.

    Parameters
    ----------
    study : Study
        From ``tousrisques.analysis.make_study`` or ``tousrisques.results.read_run``.
    map_hours : list of float, optional
        The hours of the maps; default: the worst moments of reach by the main channel and
        by any channel, and the end.
    generated : datetime, optional
        When the report is drawn (default: now), for reports that must be identical.

    Returns
    -------
    ReportData

    Examples
    --------
    >>> from tousrisques.analysis import make_study
    >>> from tousrisques.scenario import load_scenario
    >>> study = make_study(load_scenario(
    ...     "src/tousrisques/templates/petite-ville/scenarios/tempete.yaml"), runs=2)
    >>> from datetime import UTC, datetime
    >>> from tousrisques.report import build_report_data
    >>> data = build_report_data(study, map_hours=[6.0, 24.0],
    ...                          generated=datetime(2025, 1, 1, tzinfo=UTC))
    >>> data.maps.times_h, data.generated
    ([6.0, 24.0], '2025-01-01T00:00:00+00:00')
    """
    s, ens = study.scenario, study.ensemble
    main = main_channel(s, ens)
    ks = map_times(ens, main, map_hours)
    spec = s.spec
    return ReportData(
        title=text_of(spec.name),
        description=text_of(spec.description) if spec.description else None,
        territory=s.territory.name,
        territory_description=text_of(s.territory.description)
        if s.territory.description else None,
        start=s.start.isoformat() if s.start else None,
        timezone=s.territory.timezone if s.start else None,
        generated=(generated or datetime.now(UTC)).isoformat(timespec="seconds"),
        version=ens.metadata.get("version", ""),
        territory_hash=s.compiled.source_hash, scenario_hash=s.content_hash,
        runs=ens.runs, seed=int(ens.metadata.get("seed", "0")),
        representative_run=study.run, times_h=(ens.times_s / 3600).tolist(),
        findings=findings(s, ens), key_figures=key_figures(s, ens), charts=charts(s, ens),
        maps=map_data(study, ks, main), actors=_actor_rows(s, ens, ks), chains=chains(study),
        criticality=critical(study), comparison=comparison(study), method=method(study),
        sources=sources(s), tail=worst_tail(s, ens),
        communes=isolated_communes(s, ens))
