"""Commands on territories: validate, compile, synthetic, init."""

from __future__ import annotations

import os
import shutil
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.table import Table

from tousrisques._atomic import atomic_file, atomic_folder
from tousrisques._exceptions import InputError
from tousrisques._i18n import N_, Formats
from tousrisques._ui_text import t
from tousrisques.cli._app import app
from tousrisques.cli._common import (
    EXAMPLE,
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
from tousrisques.territory import Territory, TerritorySummary, load_territory


def _print_summary(territory: Territory, s: TerritorySummary, lang: str) -> None:
    def label(kind: str) -> str:
        spec = territory.kinds.get(kind)
        return spec.label(lang) if spec else kind

    fmt = Formats(lang)
    table = Table(title=t("assets", lang), title_justify="left")
    table.add_column(t("kind", lang))
    table.add_column(t("label", lang))
    table.add_column(t("count", lang), justify="right")
    for kind, n in sorted(s.by_kind.items()):
        table.add_row(plain(kind), plain(label(kind)), fmt.integer(n))
    out.print(table)
    layers = Table(show_header=True)
    layers.add_column(t("layer", lang))
    layers.add_column(t("count", lang), justify="right")
    for layer, n in s.by_layer.items():
        layers.add_row(plain(layer), fmt.integer(n))
    out.print(layers)
    for key, value in (("links", s.links), ("zones", s.zones), ("population", s.population),
                       ("vulnerable", s.vulnerable), ("actors", s.actors),
                       ("crisis_cells", s.crisis_cells), ("channels", s.channels)):
        out.print(t("colon", lang, label=t(key, lang), value=fmt.integer(value)), markup=False)
    if s.planned:
        listed = ", ".join(f"{fmt.integer(n)} {kind}" for kind, n in s.planned.items())
        out.print(t("colon", lang, label=t("planned", lang), value=listed), markup=False)
    cov = Table(title=t("coverage", lang), title_justify="left")
    cov.add_column(t("kind", lang))
    cov.add_column(t("pop_share", lang), justify="right")
    cov.add_column(t("site_share", lang), justify="right")
    for kind, shares in s.coverage.items():
        cov.add_row(plain(f"{kind} ({label(kind)})"), fmt.share(shares["population_share"]),
                    fmt.share(shares["sites_share"]))
    out.print(cov)


def _load(path: Path, lang: str, as_json: bool) -> Territory:
    """Load a territory, or print every problem and exit 1."""
    try:
        return load_territory(path)
    except InputError as exc:
        fail(path, exc, lang, as_json)


def _validate(path: Path, lang: str, as_json: bool) -> Territory:
    from tousrisques.analysis._health import never_working

    territory = _load(path, lang, as_json)
    s = territory.summary()
    warnings = [*territory.warnings, *never_working(territory)]
    if as_json:
        emit_json({"valid": True, "path": str(path), "summary": s.to_dict(),
                   "problems": [p.to_dict(lang) for p in warnings]})
        return territory
    for p in warnings:
        out.print(p.render(lang), style="yellow", markup=False)
    out.print(t("valid", lang, path=path) + f" — {s.name}", style="bold green", markup=False)
    _print_summary(territory, s, lang)
    return territory


def _validate_scenario(path: Path, lang: str, as_json: bool) -> None:
    from tousrisques.scenario import load_scenario

    try:
        s = load_scenario(path)
    except InputError as exc:
        fail(path, exc, lang, as_json)
    hazards = [{"id": spec.id, "assets_exposed": int((s.exposure[spec.id] > 0).sum()),
                "expected_damaged": round(float(h.probability.sum()), 1)}
               for spec, h in zip(s.spec.hazards, s.hazards, strict=True)]
    summary = {"name": s.spec.name.get(lang), "territory": s.territory.name,
               "duration_h": s.duration_s / 3600, "step_h": s.step_s / 3600,
               "hazards": hazards, "events": len(s.events), "absent_assets": len(s.absent),
               "runs": s.spec.monte_carlo.runs, "seed": s.spec.monte_carlo.seed,
               "injects": len(s.spec.injects),
               # t = 0 on the territory's clock, ISO 8601 with its offset (None: no start)
               "start": s.start.isoformat() if s.start else None,
               "timezone": s.territory.timezone}
    from tousrisques.analysis._health import never_working

    warnings = [*s.territory.warnings, *never_working(s.territory, s.compiled), *s.warnings]
    if as_json:
        emit_json({"valid": True, "path": str(path), "scenario": summary,
                   "problems": [p.to_dict(lang) for p in warnings]})
        return
    for p in warnings:
        out.print(p.render(lang), style="yellow", markup=False)
    out.print(t("valid_scenario", lang, path=path) + f" — {summary['name']}",
              style="bold green", markup=False)
    fmt = Formats(lang, s.start)
    shown = {"territory": summary["territory"], "start": fmt.start_text(),
             "duration_h": fmt.number(s.duration_s / 3600),
             "step_h": fmt.number(s.step_s / 3600), "events": fmt.integer(len(s.events)),
             "absent_assets": fmt.integer(len(s.absent)),
             "runs": fmt.integer(s.spec.monte_carlo.runs), "seed": summary["seed"],
             "injects": fmt.integer(len(s.spec.injects))}
    for key, value in shown.items():
        out.print(t("colon", lang, label=t("sc_" + key, lang), value=value), markup=False)
    for spec, h in zip(s.spec.hazards, s.hazards, strict=True):
        out.print(t("sc_hazard", lang, id=spec.id,
                    assets_exposed=fmt.integer(int((s.exposure[spec.id] > 0).sum())),
                    expected_damaged=fmt.number(float(h.probability.sum()))), markup=False)


def validate_quietly(path: Path, lang: str) -> Territory:
    """Validate, print one line (and the warnings), or every problem and exit 1."""
    territory = _load(path, lang, False)
    for p in territory.warnings:
        out.print(p.render(lang), style="yellow", markup=False)
    out.print(t("valid", lang, path=path) + f" — {territory.name}", style="green",
              markup=False)
    return territory


@app.command(
    help=N_("Check a territory or a scenario; list every problem at once, or print a summary."))
def validate(
    path: Annotated[Path, typer.Argument(
        help=N_("A territory folder, its territory.yaml, or a scenario file."))],
    lang: LangOpt = None,
    as_json: JsonOpt = False,
) -> None:
    if path.is_file() and path.suffix in (".yaml", ".yml") and path.name != "territory.yaml":
        _validate_scenario(path, lang_of(lang), as_json)
        return
    _validate(path, lang_of(lang), as_json)


@app.command("compile",
    help=N_("Validate and compile a territory to the engine's arrays (.npz), to load it fast."))
def compile_(
    path: Annotated[Path, typer.Argument(help=N_("A territory folder or its territory.yaml."))],
    output: Annotated[Path, typer.Option("--output", "-o", help=N_("Where to write the .npz."))],
    force: Annotated[bool, typer.Option("--force", help=N_("Replace the file if it exists."))
                     ] = False,
    lang: LangOpt = None,
) -> None:
    language = lang_of(lang)
    check_replace(output, force, language, False)
    territory = _load(path, language, False)
    with writing(output, language, False):
        territory.compile().save(output, replace=force)
    out.print(t("compiled", language, n=Formats(language).integer(len(territory.assets)),
                path=output), markup=False)


@app.command(
    help=N_("Write a synthetic territory of any size (for tests and benchmarks)."))
def synthetic(
    output: Annotated[Path, typer.Argument(help=N_("Folder to write the territory into."))],
    assets: Annotated[int, typer.Option(min=50, help=N_("Approximate number of assets."))] = 10_000,
    seed: Annotated[int, typer.Option(help=N_("Random seed (same seed, same territory)."))] = 0,
    link_factor: Annotated[float, typer.Option(
        min=0.0, help=N_("Extra mesh links per asset, beyond the trees."))] = 0.0,
    force: Annotated[bool, typer.Option("--force", help=N_("Replace the territory there."))
                     ] = False,
    max_memory: Annotated[str | None, typer.Option(
        "--max-memory", help=N_("The most memory making it may take, e.g. 16G (default: "
                                "TOUSRISQUES_MAX_MEMORY, else half of this machine's "
                                "memory)."))] = None,
    lang: LangOpt = None,
) -> None:
    from tousrisques.scenario import check_synthetic, parse_size
    from tousrisques.territory.synthetic import write_synthetic

    language = lang_of(lang)
    try:  # before anything is made: a billion assets are refused at once
        check_synthetic(assets, None if max_memory is None
                        else parse_size(max_memory, option="--max-memory"),
                        links=link_factor)
    except InputError as exc:
        fail("--assets", exc, language, False)
    check_replace(output, force, language, False, marker="territory.yaml")
    with writing(output, language, False):
        n = write_synthetic(output, n_assets=assets, seed=seed, link_factor=link_factor,
                            replace=force)
    out.print(t("written", language, n=Formats(language).integer(n), path=output),
              markup=False)


class What(StrEnum):
    territory = "territory"
    scenario = "scenario"


SCENARIO_TEMPLATE = """\
# {title_fr} / {title_en}
# Scénario créé par `tousrisques init scenario` — lisez docs/scenario-format.md.
# A scenario made by `tousrisques init scenario` — read docs/scenario-format.md.
name: {{fr: {title_fr}, en: {title_en}}}
territory: {territory}
duration: 48h          # durée simulée / how long to simulate
step: 1h               # pas des résultats / output step
hazards:
  - id: tempete
    name: {{fr: Tempête, en: Storm}}
    storm:             # une tempête qui traverse le territoire / a storm crossing it
      start_point: [{x0:.4f}, {y0:.4f}]
      end_point: [{x1:.4f}, {y1:.4f}]
      start: 1h
      end: 7h
      peak_kmh: 140
      radius_m: {radius:.0f}
    fragility:         # vent en km/h / wind in km/h
      line: {{lognormal: {{median: 110, beta: 0.35}}}}
      transformer: {{lognormal: {{median: 150, beta: 0.3}}}}
      antenna: {{table: [[90, 0.0], [130, 0.15], [170, 0.7]]}}
repairs:
  line: {{median: 18h, beta: 0.6}}
  transformer: {{median: 12h, beta: 0.5}}
# events:             # pannes ciblées, cyberattaques / targeted outages, cyber-attacks
#   - {{at: 12h, assets: [SOME-ASSET], duration: 6h, cause: rançongiciel}}
# mitigations:        # moyens apportés / what the plan brings (assets marked planned)
#   - {{name: groupe électrogène, at: 6h, assets: [SOME-GENERATOR]}}
monte_carlo: {{runs: 100, seed: 1}}
"""


def _new_scenario(path: Path, territory_path: Path, lang: str, *, replace: bool) -> None:
    territory = _load(territory_path, lang, False)
    folder = territory.folder or territory_path
    zones = territory.zones
    lon = zones.lon[np.isfinite(zones.lon)]
    lat = zones.lat[np.isfinite(zones.lat)]
    if len(lon) == 0:
        lon, lat = territory.assets.lon, territory.assets.lat
        lon, lat = lon[np.isfinite(lon)], lat[np.isfinite(lat)]
    cx, cy = (float(lon.mean()), float(lat.mean())) if len(lon) else (2.35, 48.85)
    span = max(float(np.ptp(lon)) if len(lon) else 0.1, 0.05)
    rel = Path(os.path.relpath(folder.resolve(), path.parent.resolve()))
    text = SCENARIO_TEMPLATE.format(
        title_fr="Tempête hivernale", title_en="Winter storm", territory=rel.as_posix(),
        x0=cx - span, y0=cy - span / 2, x1=cx + span, y1=cy + span / 2,
        radius=max(5000.0, span * 111_000 / 2))
    with writing(path, lang, False), atomic_file(path, replace=replace) as tmp:
        tmp.write_text(text, encoding="utf-8")


@app.command(
    help=N_("Start a new territory (a copy of the commented example town) or a new scenario "
            "(a storm across a territory, with every section explained)."))
def init(
    what: Annotated[What, typer.Argument(help=N_("territory or scenario"))],
    path: Annotated[Path, typer.Argument(
        help=N_("Folder of the new territory, or file of the new scenario (.yaml)."))],
    territory: Annotated[Path | None, typer.Option(
        "--territory", "-t", help=N_("For a scenario: the territory it plays on."))] = None,
    force: Annotated[bool, typer.Option("--force", help=N_("Replace what is there."))] = False,
    lang: LangOpt = None,
) -> None:
    language = lang_of(lang)
    if what is What.territory:
        check_replace(path, force, language, False, marker="territory.yaml")
        with writing(path, language, False), atomic_folder(path, replace=force,
                                                           marker="territory.yaml") as tmp:
            shutil.copytree(EXAMPLE, tmp, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns(".tousrisques", "__pycache__"))
        out.print(t("init_territory", language, path=path), markup=False)
        return
    check_replace(path, force, language, False)
    if territory is None:
        err.print(t("init_needs_territory", language), style="red", markup=False)
        raise typer.Exit(2)
    if path.suffix not in (".yaml", ".yml"):
        fail(path, t("init_yaml", language, path=path), language, False)
    _new_scenario(path, territory, language, replace=force)
    out.print(t("init_scenario", language, path=path), markup=False)
