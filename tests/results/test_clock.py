"""Clock time: the scenario's ``start`` read in the territory's time zone, and every output
that has a time beside it in local time (``local_time`` columns, ``summary.json``); times
across a change of summer time computed, not guessed."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow.parquet as pq
import pytest

from tests.conftest import copy_example, write_scenario
from tousrisques._clock import at, iso_times, local_start
from tousrisques._exceptions import ValidationError
from tousrisques._i18n import NBSP, NNBSP, Formats
from tousrisques.analysis import make_study
from tousrisques.results import read_run, write_run
from tousrisques.scenario import load_scenario

PARIS = ZoneInfo("Europe/Paris")
H = 3600.0


def _with_start(folder: Path, start: str | None, name: str = "start.yaml") -> Path:
    text = (folder / "scenarios" / "tempete.yaml").read_text(encoding="utf-8")
    assert "\nduration: 48h\n" in text
    line = f"start: {start}\n" if start is not None else ""
    return write_scenario(folder, name, text.replace("\nduration: 48h\n",
                                                     f"\n{line}duration: 48h\n"))


def test_a_start_without_offset_is_read_in_the_territory_time_zone(tmp_path: Path) -> None:
    folder = copy_example(tmp_path)
    winter = load_scenario(_with_start(folder, "2023-11-02T00:00"))
    assert winter.start is not None
    assert winter.start.isoformat() == "2023-11-02T00:00:00+01:00"  # CET
    assert winter.start.tzinfo == PARIS
    summer = load_scenario(_with_start(folder, "2023-07-01T00:00", "summer.yaml"))
    assert summer.start is not None and summer.start.isoformat() == "2023-07-01T00:00:00+02:00"
    # with an offset: the instant written, shown on the territory's clock
    utc = load_scenario(_with_start(folder, "2023-11-01T23:00Z", "utc.yaml"))
    assert utc.start == winter.start and utc.start is not None
    assert utc.start.isoformat() == "2023-11-02T00:00:00+01:00" and not utc.warnings
    # another zone in territory.yaml: the same text is another instant
    tz = folder / "territory.yaml"
    tz.write_text(tz.read_text(encoding="utf-8").replace("Europe/Paris", "America/Cayenne"),
                  encoding="utf-8")
    cayenne = load_scenario(folder / "scenarios" / "start.yaml")
    assert cayenne.start is not None
    assert cayenne.start.isoformat() == "2023-11-02T00:00:00-03:00"
    assert cayenne.start - winter.start == timedelta(hours=4)
    assert load_scenario(folder / "scenarios" / "tempete.yaml").start is None


def test_three_hours_across_the_end_of_summer_time_read_on_the_clock() -> None:
    # last Sunday of October 2023 in Paris: at 03:00 CEST the clocks go back to 02:00 CET
    start, note = local_start(datetime(2023, 10, 29, 1, 0), "Europe/Paris")
    assert note is None and start.utcoffset() == timedelta(hours=2)
    later = at(start, 3 * H)
    assert later.isoformat() == "2023-10-29T03:00:00+01:00"  # not 04:00: an hour comes twice
    assert later.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=3)
    # every hour of the night, as the clock reads it: 02:00 twice, first CEST then CET
    assert iso_times(start, [k * H for k in range(4)]) == [
        "2023-10-29T01:00:00+02:00", "2023-10-29T02:00:00+02:00",
        "2023-10-29T02:00:00+01:00", "2023-10-29T03:00:00+01:00"]
    # and the spring forward: 01:30 CET + 1 h is 03:30 CEST
    spring, _ = local_start(datetime(2024, 3, 31, 1, 30), "Europe/Paris")
    assert at(spring, H).isoformat() == "2024-03-31T03:30:00+02:00"
    fmt = Formats("fr", start)
    assert fmt.moment(3) == f"03:00 (dim. 29 oct., +3{NNBSP}h)"
    assert Formats("en", start).clock(3) == "29 Oct 03:00"


def test_a_start_in_a_gap_or_a_fold_is_resolved_the_same_way_and_said(tmp_path: Path) -> None:
    folder = copy_example(tmp_path)
    gap = load_scenario(_with_start(folder, "2024-03-31T02:30", "gap.yaml"))
    assert gap.start is not None and gap.start.isoformat() == "2024-03-31T03:30:00+02:00"
    (w,) = [p for p in gap.warnings if p.field == "start"]
    assert w.code == "start.gap" and w.line == 5
    assert "2024-03-31T03:30+02:00" in w.render("en") and "heure d'été" in w.render("fr")
    fold = load_scenario(_with_start(folder, "2023-10-29T02:30", "fold.yaml"))
    assert fold.start is not None and fold.start.isoformat() == "2023-10-29T02:30:00+02:00"
    (w,) = [p for p in fold.warnings if p.field == "start"]
    assert w.code == "start.fold" and "+01:00" in w.render("en")  # how to say the second one
    second = load_scenario(_with_start(folder, "2023-10-29T02:30+01:00", "second.yaml"))
    assert second.start is not None and second.start.isoformat() == "2023-10-29T02:30:00+01:00"
    assert second.start.astimezone(UTC) - fold.start.astimezone(UTC) == timedelta(hours=1)
    assert not [p for p in second.warnings if p.field == "start"]
    odd = load_scenario(_with_start(folder, "2023-07-01T00:00+01:00", "odd.yaml"))
    assert [p.code for p in odd.warnings if p.field == "start"] == ["start.offset"]
    assert odd.start is not None and odd.start.isoformat() == "2023-07-01T01:00:00+02:00"


@pytest.mark.parametrize(("start", "code"), [
    ("2023-02-30T00:00", "value.start"),
    ("2023-11-02", "value.start_no_time"),
    ("tomorrow", "value.start"),
    ("2023-11-02T25:00", "value.start"),
    ("12", "value.start"),
])
def test_a_wrong_start_is_refused_with_its_line_in_both_languages(tmp_path: Path, start: str,
                                                                  code: str) -> None:
    folder = copy_example(tmp_path)
    with pytest.raises(ValidationError) as got:
        load_scenario(_with_start(folder, start))
    (p,) = got.value.problems
    assert (p.file, p.line, p.field) == ("start.yaml", 5, "start")
    en, fr = p.render("en"), p.render("fr")
    assert start in en and "2023-11-02T06:00" in en  # what is wrong, and what would be right
    assert "is not a date" in en if code == "value.start" else "without an hour" in en
    assert "ISO 8601" in fr and ("n'est pas une date" in fr or "sans heure" in fr)
    assert f"[start]{NBSP}:" in fr


def test_a_time_zone_that_does_not_exist_is_said_with_the_start(tmp_path: Path) -> None:
    folder = copy_example(tmp_path)
    tz = folder / "territory.yaml"
    tz.write_text(tz.read_text(encoding="utf-8").replace("Europe/Paris", "Europe/Parsi"),
                  encoding="utf-8")
    with pytest.raises(ValidationError) as got:
        load_scenario(_with_start(folder, "2023-11-02T00:00"))
    (p,) = [p for p in got.value.problems if p.field == "timezone"]
    assert p.file == "territory.yaml" and "Europe/Parsi" in p.render("en")
    assert "Europe/Paris" in p.render("fr")  # an example of what would be right


def test_the_run_folder_carries_local_time_beside_relative_time(tmp_path: Path) -> None:
    folder = copy_example(tmp_path)
    s = load_scenario(_with_start(folder, "2023-10-28T22:00"))  # the night of the change
    study = make_study(s, runs=2)
    summary = write_run(study, tmp_path / "run")
    assert summary["start"] == "2023-10-28T22:00:00+02:00"
    assert summary["timezone"] == "Europe/Paris"
    back = json.loads((tmp_path / "run" / "summary.json").read_text(encoding="utf-8"))
    assert (back["start"], back["timezone"]) == (summary["start"], summary["timezone"])
    with (tmp_path / "run" / "indicators.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0])[:4] == ["name", "time_s", "time_h", "local_time"]
    for row in rows:
        local = datetime.fromisoformat(row["local_time"])
        assert local.utcoffset() is not None
        assert (local - s.start).total_seconds() == pytest.approx(float(row["time_s"]))
    by_hour = {float(r["time_h"]): r["local_time"] for r in rows}
    assert by_hour[4.0] == "2023-10-29T02:00:00+02:00"
    assert by_hour[5.0] == "2023-10-29T02:00:00+01:00"  # the hour that comes twice
    assert by_hour[6.0] == "2023-10-29T03:00:00+01:00"
    changes = pq.read_table(tmp_path / "run" / "changes.parquet")
    assert changes.column_names[:2] == ["time_s", "local_time"]
    assert changes.num_rows > 0
    for t, local in zip(changes.column("time_s").to_pylist(),
                        changes.column("local_time").to_pylist(), strict=True):
        # in UTC: aware + timedelta is wall-clock arithmetic in Python, and a time in the
        # fold never equals one of another zone (PEP 495)
        assert datetime.fromisoformat(local).astimezone(UTC) == \
            s.start.astimezone(UTC) + timedelta(seconds=t)
    assert read_run(tmp_path / "run").study.scenario.start == s.start


def test_without_start_the_outputs_keep_relative_time(tmp_path: Path) -> None:
    folder = copy_example(tmp_path)
    study = make_study(load_scenario(folder / "scenarios" / "tempete.yaml"), runs=2)
    summary = write_run(study, tmp_path / "run")
    assert summary["start"] is None and summary["timezone"] == "Europe/Paris"
    header = (tmp_path / "run" / "indicators.csv").read_text(encoding="utf-8").split("\n")[0]
    assert "local_time" not in header and header.startswith('"name","time_s","time_h"')
    assert "local_time" not in pq.read_table(tmp_path / "run" / "changes.parquet").column_names


def test_a_summary_with_a_forged_start_is_refused(tmp_path: Path) -> None:
    folder = copy_example(tmp_path)
    write_run(make_study(load_scenario(_with_start(folder, "2023-11-02T00:00")), runs=2),
              tmp_path / "run")
    path = tmp_path / "run" / "summary.json"
    info = json.loads(path.read_text(encoding="utf-8"))
    for bad in ("2023-11-02T00:00", "yesterday", 12):  # no offset, not a date, not a text
        path.write_text(json.dumps({**info, "start": bad}), encoding="utf-8")
        with pytest.raises(ValidationError) as got:
            read_run(tmp_path / "run")
        assert [p.field for p in got.value.problems] == ["start"]
