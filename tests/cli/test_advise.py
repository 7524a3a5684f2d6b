"""``advise``: the advice folder (advice.json, advice.csv, plan.yaml written whole), a plan
that loads and runs, the JSON output, and every refusal of bad input with exit 1 or 2."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.csv as pacsv

from tests.cli.conftest import bad_input, invoke
from tests.conftest import EXAMPLE
from tousrisques.analysis import run_ensemble
from tousrisques.results import read_advice
from tousrisques.scenario import MEASURE_SECTIONS, Scenario, load_scenario, scenario_plan

STORM = EXAMPLE / "scenarios" / "tempete.yaml"
QUICK = ("--runs", "4", "--screen", "3")


def test_advise_writes_a_plan_that_runs_and_does_no_worse(tmp_path: Path) -> None:
    out = tmp_path / "advice"
    r = invoke("advise", STORM, *QUICK, "--objective", "mix", "--out", out, "--json")
    assert r.exit_code == 0, r.output
    payload = json.loads(r.stdout)
    assert payload["ok"] and Path(payload["plan"]) == out / "plan.yaml"
    assert sorted(p.name for p in out.iterdir()) == ["advice.csv", "advice.json", "plan.yaml"]
    advice = read_advice(out)
    table = pacsv.read_csv(out / "advice.csv")
    assert table.num_rows == len(advice.measures)
    assert table.column("in_plan").to_pylist() == [m.in_plan for m in advice.measures]
    # the plan's scenario loads where it was written, holds the measures, and runs
    plan = load_scenario(out / "plan.yaml")
    base = load_scenario(STORM)

    def entries(s: Scenario) -> int:
        return sum(len(getattr(s.spec, section) or [])
                   for section in ("mitigations", "backups", *MEASURE_SECTIONS))

    assert entries(plan) == entries(base) + sum(
        len(items) for m in advice.plan for items in m.entries.values())
    runs = 4
    ours = run_ensemble(scenario_plan(plan), runs=runs)
    theirs = run_ensemble(scenario_plan(base), runs=runs)
    for name in ("population_reached:fr-alert", "actors_connected"):
        k = ours.names.index(name)
        assert (ours.values[:, k].min(axis=1) >= theirs.values[:, k].min(axis=1) - 1e-9).all()
    # `run` takes it too, as the message says
    run = invoke("run", out / "plan.yaml", "--runs", "2", "--no-report", "--no-criticality",
                 "-o", tmp_path / "run")
    assert run.exit_code == 0, run.output


def test_advise_speaks_french_and_says_where(tmp_path: Path) -> None:
    out = tmp_path / "conseil"
    r = invoke("advise", STORM, *QUICK, "--out", out, "--objective", "actors", lang="fr")
    assert r.exit_code == 0, r.output
    assert "plan.yaml" in r.stdout and str(out) in r.stdout.replace("\n", "")


def test_an_existing_folder_is_kept_without_force(tmp_path: Path) -> None:
    out = tmp_path / "advice"
    assert invoke("advise", STORM, *QUICK, "--out", out).exit_code == 0
    before = (out / "advice.json").read_bytes()
    bad_input(invoke("advise", STORM, *QUICK, "--out", out), str(out))
    assert (out / "advice.json").read_bytes() == before
    assert invoke("advise", STORM, *QUICK, "--out", out, "--force").exit_code == 0
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("keep me", encoding="utf-8")
    bad_input(invoke("advise", STORM, *QUICK, "--out", other, "--force"), str(other))
    assert (other / "notes.txt").exists()


def test_bad_options_and_catalogue(tmp_path: Path) -> None:
    assert invoke("advise", STORM, "--objective", "money").exit_code == 2
    bad_input(invoke("advise", STORM, "--objective", "mix", "--weights", "1,x,1"), "--weights")
    bad_input(invoke("advise", STORM, *QUICK, "--channel", "fax", "--out", tmp_path / "a"),
              "fax")
    cat = tmp_path / "advice.yaml"
    cat.write_text("autonomy:\n  siren:\n    - {autonomy: 8h, cost: -1, source: x}\n",
                   encoding="utf-8")
    msg = bad_input(invoke("advise", STORM, *QUICK, "--catalogue", cat, "--out",
                           tmp_path / "b"), "advice.yaml:3")
    assert "cost" in msg
    assert not (tmp_path / "b").exists()


def test_report_draws_the_advice_of_its_scenario_only(tmp_path: Path) -> None:
    advice = tmp_path / "advice"
    assert invoke("advise", STORM, *QUICK, "--objective", "mix", "--out", advice).exit_code == 0
    got = read_advice(advice)
    assert got.plan, "the storm of the example town has measures that help"
    run = tmp_path / "run"
    assert invoke("run", STORM, "--runs", "2", "--no-criticality", "-o", run).exit_code == 0
    before = (run / "report.html").read_text(encoding="utf-8")
    assert 'id="advice"' not in before
    r = invoke("report", run, "--advice", advice, lang="fr")
    assert r.exit_code == 0, r.output
    html = (run / "report.html").read_text(encoding="utf-8")
    assert 'id="advice"' in html
    # each measure of the plan is there with its sentence in the reader's language
    for m in got.plan:
        assert m.explanation["fr"].split(" ")[0] in html
    # an advice made for another scenario is refused, the report left as it was
    other = tmp_path / "other"
    plan = load_scenario(advice / "plan.yaml")  # the advised plan is another scenario
    assert invoke("run", plan.path, "--runs", "2", "--no-criticality", "-o", other
                  ).exit_code == 0
    kept = (other / "report.html").read_bytes()
    bad_input(invoke("report", other, "--advice", advice), str(advice), "advised plan")
    assert (other / "report.html").read_bytes() == kept
    # not an advice at all
    bad_input(invoke("report", run, "--advice", tmp_path), str(tmp_path))
