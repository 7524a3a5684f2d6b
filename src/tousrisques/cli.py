"""The command line: parses, calls the core, prints. Exit codes: 0 ok, 1 bad input, 2 usage."""

from __future__ import annotations

import json
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from tousrisques._exceptions import InputError, TousrisquesError, ValidationError
from tousrisques._ui_text import default_lang, number, percent, t
from tousrisques.territory import Territory, TerritorySummary, load_territory

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="tousrisques: which digital means of alerting and deciding still work "
                       "in a crisis, for whom and for how long.")
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


class Lang(StrEnum):
    fr = "fr"
    en = "en"


LangOpt = Annotated[Lang | None, typer.Option(
    "--lang", help="Language: fr or en (default from TOUSRISQUES_LANG, LC_ALL or LANG).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")]
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "petite-ville"
ROUEN = Path(__file__).resolve().parents[2] / "examples" / "rouen"


def _lang(lang: Lang | None) -> str:
    return lang.value if lang else default_lang()


def _print_summary(territory: Territory, s: TerritorySummary, lang: str) -> None:
    def label(kind: str) -> str:
        spec = territory.kinds.get(kind)
        return spec.label(lang) if spec else kind

    table = Table(title=t("assets", lang), title_justify="left")
    table.add_column(t("kind", lang))
    table.add_column(t("label", lang))
    table.add_column(t("count", lang), justify="right")
    for kind, n in sorted(s.by_kind.items()):
        table.add_row(kind, label(kind), number(n, lang))
    out.print(table)
    layers = Table(show_header=True)
    layers.add_column(t("layer", lang))
    layers.add_column(t("count", lang), justify="right")
    for layer, n in s.by_layer.items():
        layers.add_row(layer, number(n, lang))
    out.print(layers)
    colon = " : " if lang == "fr" else ": "
    for key, value in (("links", s.links), ("zones", s.zones), ("population", s.population),
                       ("vulnerable", s.vulnerable), ("actors", s.actors),
                       ("crisis_cells", s.crisis_cells), ("channels", s.channels)):
        out.print(f"{t(key, lang)}{colon}{number(value, lang)}", markup=False)
    if s.planned:
        listed = ", ".join(f"{number(n, lang)} {kind}" for kind, n in s.planned.items())
        out.print(f"{t('planned', lang)}{colon}{listed}", markup=False)
    cov = Table(title=t("coverage", lang), title_justify="left")
    cov.add_column(t("kind", lang))
    cov.add_column(t("pop_share", lang), justify="right")
    cov.add_column(t("site_share", lang), justify="right")
    for kind, shares in s.coverage.items():
        cov.add_row(f"{kind} ({label(kind)})", percent(shares["population_share"], lang),
                    percent(shares["sites_share"], lang))
    out.print(cov)


def _report(exc: ValidationError, path: Path, lang: str, as_json: bool) -> None:
    errors = [p for p in exc.problems if p.severity == "error"]
    warnings = [p for p in exc.problems if p.severity == "warning"]
    if as_json:
        print(json.dumps({"valid": False, "path": str(path),
                          "problems": [p.to_dict(lang) for p in exc.problems]},
                         ensure_ascii=False, indent=2))
        return
    for p in exc.problems:
        style = "red" if p.severity == "error" else "yellow"
        out.print(p.render(lang), style=style, markup=False)
    err.print(t("invalid", lang, path=path, errors=len(errors), warnings=len(warnings)),
              style="bold red", markup=False)


def _bad_input(path: Path, exc: InputError, as_json: bool) -> None:
    if as_json:
        print(json.dumps({"valid": False, "path": str(path), "error": str(exc)},
                         ensure_ascii=False))
    else:
        err.print(str(exc), style="red", markup=False)


def _load(path: Path, lang: str, as_json: bool) -> Territory:
    """Load a territory, or print every problem and exit 1."""
    try:
        return load_territory(path)
    except ValidationError as exc:
        _report(exc, path, lang, as_json)
    except InputError as exc:
        _bad_input(path, exc, as_json)
    raise typer.Exit(1)


def _validate(path: Path, lang: str, as_json: bool) -> Territory:
    territory = _load(path, lang, as_json)
    s = territory.summary()
    if as_json:
        print(json.dumps({"valid": True, "path": str(path), "summary": s.to_dict(),
                          "problems": [p.to_dict(lang) for p in territory.warnings]},
                         ensure_ascii=False, indent=2))
        return territory
    for p in territory.warnings:
        out.print(p.render(lang), style="yellow", markup=False)
    out.print(t("valid", lang, path=path) + f" — {s.name}", style="bold green", markup=False)
    _print_summary(territory, s, lang)
    return territory


def _validate_scenario(path: Path, lang: str, as_json: bool) -> None:
    from tousrisques.scenario import load_scenario

    try:
        s = load_scenario(path)
    except ValidationError as exc:
        _report(exc, path, lang, as_json)
        raise typer.Exit(1) from None
    except InputError as exc:
        _bad_input(path, exc, as_json)
        raise typer.Exit(1) from None
    hazards = [{"id": spec.id, "assets_exposed": int((s.exposure[spec.id] > 0).sum()),
                "expected_damaged": round(float(h.probability.sum()), 1)}
               for spec, h in zip(s.spec.hazards, s.hazards, strict=True)]
    summary = {"name": s.spec.name.get(lang), "territory": s.territory.name,
               "duration_h": s.duration_s / 3600, "step_h": s.step_s / 3600,
               "hazards": hazards, "events": len(s.events), "absent_assets": len(s.absent),
               "runs": s.spec.monte_carlo.runs, "seed": s.spec.monte_carlo.seed,
               "injects": len(s.spec.injects)}
    warnings = [*s.territory.warnings, *s.warnings]
    if as_json:
        print(json.dumps({"valid": True, "path": str(path), "scenario": summary,
                          "problems": [p.to_dict(lang) for p in warnings]},
                         ensure_ascii=False, indent=2))
        return
    for p in warnings:
        out.print(p.render(lang), style="yellow", markup=False)
    out.print(t("valid_scenario", lang, path=path) + f" — {summary['name']}",
              style="bold green", markup=False)
    colon = " : " if lang == "fr" else ": "
    for key in ("territory", "duration_h", "step_h", "events", "absent_assets", "runs",
                "seed", "injects"):
        out.print(f"{t('sc_' + key, lang)}{colon}{summary[key]}", markup=False)
    for h in hazards:
        out.print(t("sc_hazard", lang, **h), markup=False)


@app.command()
def validate(
    path: Annotated[Path, typer.Argument(
        help="A territory folder, its territory.yaml, or a scenario file.")],
    lang: LangOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Check a territory or a scenario; list every problem at once, or print a summary."""
    if path.is_file() and path.suffix in (".yaml", ".yml") and path.name != "territory.yaml":
        _validate_scenario(path, _lang(lang), as_json)
        return
    _validate(path, _lang(lang), as_json)


@app.command("compile")
def compile_(
    path: Annotated[Path, typer.Argument(help="A territory folder or its territory.yaml.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the .npz.")],
    lang: LangOpt = None,
) -> None:
    """Validate and compile a territory to the engine's arrays (.npz), to load it fast."""
    language = _lang(lang)
    territory = _load(path, language, False)
    territory.compile().save(output)
    out.print(t("compiled", language, n=len(territory.assets), path=output), markup=False)


@app.command()
def synthetic(
    output: Annotated[Path, typer.Argument(help="Folder to write the territory into.")],
    assets: Annotated[int, typer.Option(min=50, help="Approximate number of assets.")] = 10_000,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same territory).")] = 0,
    link_factor: Annotated[float, typer.Option(
        min=0.0, help="Extra mesh links per asset, beyond the trees.")] = 0.0,
    lang: LangOpt = None,
) -> None:
    """Write a synthetic territory of any size (for tests and benchmarks)."""
    from tousrisques.territory.synthetic import write_synthetic

    n = write_synthetic(output, n_assets=assets, seed=seed, link_factor=link_factor)
    out.print(t("written", _lang(lang), n=n, path=output), markup=False)


@app.command()
def demo(
    lang: LangOpt = None,
    runs: Annotated[int, typer.Option(min=1, help="Monte Carlo runs per scenario.")] = 40,
    workers: Annotated[int, typer.Option(min=1, help="Local processes.")] = 2,
) -> None:
    """Validate the example territory, then play the winter storm on the Rouen sample with
    and without its mitigation plan, and print what the plan buys."""
    from tousrisques.scenario import load_scenario, run_scenario

    language = _lang(lang)
    out.print(t("demo_intro", language, path=EXAMPLE), style="bold", markup=False)
    _validate(EXAMPLE, language, False)
    results = []
    for name in ("tempete.yaml", "tempete-attenuee.yaml"):
        s = load_scenario(ROUEN / "scenarios" / name)
        out.print(t("demo_running", language, name=s.spec.name.get(language), runs=runs),
                  style="bold", markup=False)
        results.append(run_scenario(s, runs=runs, workers=workers))
    table = Table(title=t("demo_table", language), title_justify="left")
    table.add_column("")
    for label in ("demo_base", "demo_plan"):
        table.add_column(t("demo_reach", language) + "\n" + t(label, language),
                         justify="right")
    for label in ("demo_base", "demo_plan"):
        table.add_column(t("demo_halls", language) + "\n" + t(label, language),
                         justify="right")
    mayors = [n for n in results[0].names if n.startswith("actor_latency:MAIRE-")]
    reach = [(e.stat("population_reached:fr-alert", "mean"),
              e.stat("population_reached:fr-alert", "p10")) for e in results]
    halls = [np.isfinite(e.values[:, [e.names.index(n) for n in mayors], :]).sum(axis=1)
             .mean(axis=0) for e in results]
    for hours in (0, 3, 6, 12, 24, 48, 72):
        table.add_row(f"{hours} h",
                      *(f"{percent(m[hours], language)} ({percent(p[hours], language)})"
                        for m, p in reach),
                      *(f"{number(h[hours], language, digits=1)} / {len(mayors)}"
                        for h in halls))
    out.print(table)


def main() -> None:
    """Entry point: no traceback for the user, a message and an exit code."""
    try:
        app(standalone_mode=True)
    except InputError as exc:
        err.print(str(exc), style="red", markup=False)
        sys.exit(1)
    except TousrisquesError as exc:
        err.print(str(exc), style="red", markup=False)
        sys.exit(1)
    except Exception as exc:
        if os.environ.get("TOUSRISQUES_DEBUG"):
            raise
        err.print(t("internal", default_lang(), detail=f"{type(exc).__name__}: {exc}"),
                  style="red", markup=False)
        sys.exit(3)
