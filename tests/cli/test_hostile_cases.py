"""Hostile input of issue 9 (item 9), one test per case: work and memory refused up front,
names without control characters on the terminal, network calls with time limits."""

from __future__ import annotations

import http.server
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.conftest import bad_input, invoke
from tests.conftest import EXAMPLE
from tousrisques._exceptions import InputError
from tousrisques.analysis import run_ensemble
from tousrisques.cli._common import clean
from tousrisques.engine import Plan
from tousrisques.scenario import load_scenario, max_memory, parse_size, scenario_plan

STORM = EXAMPLE / "scenarios" / "tempete.yaml"


@pytest.fixture(scope="module")
def plan() -> Plan:
    return scenario_plan(load_scenario(STORM))


# --- 1. work and memory estimated before a run starts -------------------------------------

def test_the_api_refuses_a_billion_runs_at_once(plan: Plan) -> None:
    start = time.perf_counter()
    with pytest.raises(InputError) as got:
        run_ensemble(plan, runs=10**9)
    assert time.perf_counter() - start < 1  # estimated, not tried
    assert got.value.code == "budget.memory"
    text = str(got.value)
    assert "1,000,000,000 runs" in text and "asset-steps" in text and "TB of memory" in text
    assert "--max-memory" in text and "TOUSRISQUES_MAX_MEMORY" in text
    fr = got.value.render("fr")
    assert "To de mémoire" in fr and "1 000 000 000" in fr.replace("\u202f", " ")


def test_the_api_refuses_more_runs_than_a_monte_carlo_holds(plan: Plan) -> None:
    with pytest.raises(InputError) as got:
        run_ensemble(plan, runs=1_000_001, max_memory="1000T")
    assert got.value.code == "budget.runs" and "at most 1,000,000 runs" in str(got.value)


def test_the_api_refuses_thousands_of_workers(plan: Plan) -> None:
    with pytest.raises(InputError) as got:
        run_ensemble(plan, runs=2, workers=5000)
    assert got.value.code == "budget.workers"


def test_the_limit_is_raised_or_lowered_by_the_environment(
        plan: Plan, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run_ensemble(plan, runs=2).runs == 2
    monkeypatch.setenv("TOUSRISQUES_MAX_MEMORY", "1k")
    assert max_memory() == 1000
    with pytest.raises(InputError, match=r"more than the limit of 1\.0 kB"):
        run_ensemble(plan, runs=2)
    assert run_ensemble(plan, runs=2, max_memory="1G").runs == 2  # given wins


@pytest.mark.parametrize(("text", "size"), [("16G", 16 * 10**9), ("2GiB", 2 * 1024**3),
                                            ("1,5 Go", 1_500_000_000), ("512", 512)])
def test_sizes(text: str, size: int) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["lots", "-1G", "0", "1e999", ""])
def test_bad_sizes(text: str) -> None:
    with pytest.raises(InputError):
        parse_size(text)


@pytest.mark.parametrize(("args", "words"), [
    (("--runs", "1000000000"), ("1,000,000,000 runs", "asset-steps", "--max-memory")),
    (("--runs", "1000001", "--max-memory", "1000T"), ("at most 1,000,000 runs",)),
    (("--workers", "5000"), ("5000 workers",)),
    (("--max-memory", "lots"), ("--max-memory lots",)),
])
def test_run_refuses_up_front(args: tuple[str, ...], words: tuple[str, ...],
                              tmp_path: Path) -> None:
    start = time.perf_counter()
    r = invoke("run", STORM, "-o", tmp_path / "out", *args)
    bad_input(r, *words)
    assert time.perf_counter() - start < 10 and not (tmp_path / "out").exists()


def test_run_refuses_in_french() -> None:
    r = invoke("run", STORM, "--runs", "1000000000", "--lang", "fr")
    out = bad_input(r, "To de mémoire", "--max-memory")
    assert "1 000 000 000" in out.replace("\u202f", " ")


def test_run_with_the_json_flag_says_it_in_json() -> None:
    r = invoke("run", STORM, "--runs", "1000000000", "--json")
    assert r.exit_code == 1
    assert json.loads(r.stdout)["code"] == "budget.memory"


def test_synthetic_refuses_a_billion_assets(tmp_path: Path) -> None:
    start = time.perf_counter()
    r = invoke("synthetic", tmp_path / "big", "--assets", "1000000000")
    bad_input(r, "1,000,000,000 assets", "--max-memory")
    assert time.perf_counter() - start < 5 and not (tmp_path / "big").exists()
    r = invoke("synthetic", tmp_path / "big", "--assets", "1000000000", "--lang", "fr")
    bad_input(r, "actifs", "--max-memory")


def _town_with(tmp_path: Path, name: str, text: str) -> Path:
    import shutil

    folder = tmp_path / "petite-ville"
    if not folder.exists():
        shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns(".tousrisques"))
    path = folder / "scenarios" / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_million_runs_of_ten_thousand_steps_is_refused(tmp_path: Path) -> None:
    s = _town_with(tmp_path, "long.yaml", """\
name: long
territory: ..
duration: 10000h
step: 1h
monte_carlo: {runs: 1000000}
""")
    r = invoke("run", s, "-o", tmp_path / "out")
    bad_input(r, "1,000,000 runs", "10,001 output times", "of memory")


def test_millions_of_load_shedding_events_are_refused_before_they_are_made(
        tmp_path: Path) -> None:
    feeders = ", ".join(["T-NORD", "T-SUD"] * 10_000)  # 20,000 feeders × 365 days
    s = _town_with(tmp_path, "shed.yaml", f"""\
name: shed
territory: ..
duration: 365d
step: 1d
load_shedding:
  - {{name: delestage, feeders: [{feeders}], start: 1h, slot: 1m, every: 24h, days: 365}}
""")
    start = time.perf_counter()
    with pytest.raises(InputError) as got:
        load_scenario(s, max_memory="1T")
    assert got.value.code == "budget.events" and "14,600,000 timed events" in str(got.value)
    with pytest.raises(InputError) as got:
        load_scenario(s, max_memory="1G")
    assert got.value.code == "budget.memory" and "14,600,000 timed events" in str(got.value)
    assert time.perf_counter() - start < 10
    bad_input(invoke("run", s, "-o", tmp_path / "out"), "14,600,000 timed events")


def test_a_footprint_of_twenty_thousand_stages_is_a_problem(tmp_path: Path) -> None:
    square = [[[0.9, 49.2], [1.1, 49.2], [1.1, 49.4], [0.9, 49.4], [0.9, 49.2]]]
    features = [{"type": "Feature", "geometry": {"type": "Polygon", "coordinates": square},
                 "properties": {"intensity": 150, "start": f"{i}m", "end": f"{i + 1}m"}}
                for i in range(20_000)]
    s = _town_with(tmp_path, "stages.yaml", """\
name: stages
territory: ..
duration: 48h
hazards:
  - id: h
    footprint: stages.geojson
    fragility: {line: {step: {threshold: 100}}}
""")
    (s.parent / "stages.geojson").write_text(json.dumps(
        {"type": "FeatureCollection", "features": features}), encoding="utf-8")
    start = time.perf_counter()
    r = invoke("validate", s)
    bad_input(r, "stages.yaml", "20000 time windows", "10000")
    assert time.perf_counter() - start < 60  # 4.5 minutes before


# --- 2. names on the terminal -------------------------------------------------------------

EVIL = ("\x1b[31m", "\x1b]8;;http://x\x07", "\x07")


def test_clean_shows_every_control_as_its_escape() -> None:
    for evil in EVIL:
        shown = clean(f"A{evil}B\n")
        assert shown.startswith("A") and shown.endswith("B\n")
        assert not any(ord(ch) < 32 and ch != "\n" for ch in shown), shown
    assert clean("\x9b2J\r\x7f") == "\\x9b2J\\r\\x7f"
    assert clean("Écluse\tn°3\n") == "Écluse\tn°3\n"


@pytest.mark.parametrize("evil", EVIL)
def test_problems_and_file_names_reach_the_terminal_without_controls(evil: str,
                                                                     tmp_path: Path) -> None:
    import shutil

    folder = tmp_path / f"t{evil}"
    shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns(".tousrisques"))
    actors = folder / "actors.yaml"
    text = actors.read_text(encoding="utf-8")
    actors.write_text(text.replace("site: MAIRIE", f'site: "MAIRIE{evil}X"', 1),
                      encoding="utf-8")
    for args in (("validate", folder), ("validate", folder, "--lang", "fr"),
                 ("run", folder / "scenarios" / "tempete.yaml", "-o", tmp_path / "o")):
        r = invoke(*args)
        assert r.exit_code == 1, r.output
        assert "MAIRIE" in r.output and "\\x" in r.output
        assert not any(ord(ch) < 32 and ch != "\n" for ch in r.output), repr(r.output)
        assert "\x1b" not in r.output


# --- 3. network calls with time limits ----------------------------------------------------

@pytest.fixture
def silent_host() -> Iterator[str]:
    """A socket that accepts connections and never says anything."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"tcp://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join(2)
    for conn in held:
        conn.close()
    server.close()


@pytest.fixture
def http_host() -> Iterator[str]:
    """A tiny HTTP server."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             http.server.SimpleHTTPRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"tcp://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("host", ["silent_host", "http_host"])
def test_dask_at_a_host_that_is_no_scheduler_is_refused_in_seconds(
        host: str, plan: Plan, request: pytest.FixtureRequest,
        monkeypatch: pytest.MonkeyPatch) -> None:
    address = request.getfixturevalue(host)
    monkeypatch.setattr("tousrisques.analysis._montecarlo.DASK_TIMEOUT", 2.0)
    start = time.perf_counter()
    with pytest.raises(InputError) as got:
        run_ensemble(plan, runs=2, dask=address)
    assert got.value.code == "dask.unreachable" and address in str(got.value)
    assert time.perf_counter() - start < 8
    monkeypatch.setattr("tousrisques.cli._run.DASK_TIMEOUT", "2s")
    start = time.perf_counter()
    bad_input(invoke("run", STORM, "--runs", "2", "--dask", address), "--dask", "Dask")
    assert time.perf_counter() - start < 8
