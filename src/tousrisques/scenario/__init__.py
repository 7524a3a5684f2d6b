"""Scenarios: what happens to a territory and when — hazards with their footprints and
fragility, targeted events, mitigations, repairs, Monte Carlo settings, injects."""

from tousrisques.scenario._backups import power_groups
from tousrisques.scenario._budget import (
    MAX_RUNS,
    Estimate,
    check_plan,
    check_runs,
    check_scenario,
    check_synthetic,
    check_workers,
    estimate_run,
    max_memory,
    parse_size,
)
from tousrisques.scenario._builders import flood, load_shedding, plume, storm
from tousrisques.scenario._exposure import Stage, exposure
from tousrisques.scenario._fragility import Lognormal, Step, Table, parse_fragility
from tousrisques.scenario._loader import Scenario, load_scenario
from tousrisques.scenario._measures import apply_measures, door_channels
from tousrisques.scenario._measures_model import (
    MEASURE_SECTIONS,
    FallbackSpec,
    FeedSpec,
    RestorationSpec,
    TerminalSpec,
    VolunteerSpec,
)
from tousrisques.scenario._model import (
    BackupSpec,
    ExpectedSpec,
    InjectSpec,
    MitigationSpec,
    ScenarioFile,
)
from tousrisques.scenario._run import scenario_plan
from tousrisques.scenario._variant import with_measures

__all__ = [
    "MAX_RUNS",
    "MEASURE_SECTIONS",
    "BackupSpec",
    "Estimate",
    "ExpectedSpec",
    "FallbackSpec",
    "FeedSpec",
    "InjectSpec",
    "Lognormal",
    "MitigationSpec",
    "RestorationSpec",
    "Scenario",
    "ScenarioFile",
    "Stage",
    "Step",
    "Table",
    "TerminalSpec",
    "VolunteerSpec",
    "apply_measures",
    "check_plan",
    "check_runs",
    "check_scenario",
    "check_synthetic",
    "check_workers",
    "door_channels",
    "estimate_run",
    "exposure",
    "flood",
    "load_scenario",
    "load_shedding",
    "max_memory",
    "parse_fragility",
    "parse_size",
    "plume",
    "power_groups",
    "scenario_plan",
    "storm",
    "with_measures",
]
