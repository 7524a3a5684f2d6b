"""The command line on the territory's clock: ``validate`` says the start in full, ``run``'s
figures and ``explain``'s chains say the local hour and day with ``+N h`` kept, ``--json``
and ``export`` give ISO 8601 local times with their offset."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from rich.console import Console

from tests.cli.conftest import copy_town, invoke
from tests.conftest import write_scenario
from tousrisques._i18n import NBSP, NNBSP


def _scenario(tmp_path: Path, start: str) -> Path:
    folder = copy_town(tmp_path)
    text = (folder / "scenarios" / "tempete.yaml").read_text(encoding="utf-8")
    return write_scenario(folder, "start.yaml",
                          text.replace("\nduration: 48h\n", f"\nstart: {start}\nduration: 48h\n"))


def test_the_commands_speak_local_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                       ) -> None:
    scenario = _scenario(tmp_path, "2023-11-02T00:00")
    # a wide terminal, so that no moment is wrapped over two lines of the table
    monkeypatch.setattr("tousrisques.cli._run.out",
                        Console(highlight=False, soft_wrap=True, emoji=False, width=300))
    r = invoke("validate", scenario, lang="fr")
    assert r.exit_code == 0, r.output
    assert f"début{NBSP}: jeudi 2 novembre 2023 à 00:00 (Europe/Paris, UTC+01:00)" in r.output
    r = invoke("run", scenario, "--runs", "2", "-o", tmp_path / "run", "--no-report")
    assert r.exit_code == 0, r.output
    # the key figures' moments: the hour on the clock, its day, the hours after the start
    moments = re.findall(rf"(\d\d):00 \((Thu|Fri|Sat) (\d) Nov, \+(\d+){NBSP}h\)", r.output)
    assert moments
    assert all(int(h) + 24 * (int(d) - 2) == int(p) for h, _, d, p in moments)
    r = invoke("explain", tmp_path / "run", "L-NORD", "--at", "8h", lang="fr")
    assert r.exit_code == 0, r.output
    assert f"à 08:00 (jeu. 2 nov., +8{NNBSP}h)" in r.output
    r = invoke("explain", tmp_path / "run", "L-NORD", "--at", "8h", "--json")
    data = json.loads(r.stdout)
    assert data["local_time"] == "2023-11-02T08:00:00+01:00" and data["time_h"] == 8
    for c in data["chain"]:
        local = datetime.fromisoformat(c["local_time"]).astimezone(UTC)
        assert local == datetime(2023, 11, 1, 23, tzinfo=UTC) + timedelta(hours=c["time_h"])
    out = tmp_path / "ind.parquet"
    r = invoke("export", tmp_path / "run", "--indicators", out)
    assert r.exit_code == 0, r.output
    table = pq.read_table(out)
    assert table.column_names[:4] == ["name", "time_s", "time_h", "local_time"]
    assert table.column("local_time")[0].as_py() == "2023-11-02T00:00:00+01:00"


def test_without_a_start_the_commands_keep_hours_after_it(tmp_path: Path) -> None:
    folder = copy_town(tmp_path)
    r = invoke("explain", folder / "scenarios" / "tempete.yaml", "L-NORD", "--at", "8h")
    assert r.exit_code == 0, r.output
    assert f"at 8{NBSP}h (run 0)" in r.output and "Nov" not in r.output
    r = invoke("explain", folder / "scenarios" / "tempete.yaml", "L-NORD", "--at", "8h",
               "--json")
    assert json.loads(r.stdout)["local_time"] is None
