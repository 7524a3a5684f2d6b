"""A run folder is untrusted input: every case of the issue's list of hostile run folders,
each refused with a message (exit 1), never an internal error, a hang or a MemoryError.

Most cases also forge summary.json's hashes and sizes (``rehash``), to reach the checks that
stand behind them."""

from __future__ import annotations

import csv
import json
import os
import shutil
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.cli.conftest import RUNS, Town, bad_input, invoke
from tests.cli.test_hardening import copy_run, edit_summary, rehash


def _rewrite(path: Path, change) -> None:
    table = pq.read_table(path)
    meta = table.schema.metadata
    pq.write_table(change(table).replace_schema_metadata(meta), path)


def _set_column(table: pa.Table, name: str, values: np.ndarray) -> pa.Table:
    i = table.column_names.index(name)
    return table.set_column(i, name, pa.array(values))


@pytest.mark.parametrize(("file", "column"), [("zones.parquet", "reached_share"),
                                              ("actor_channels.parquet", "available_share")])
@pytest.mark.parametrize("value", [7.5, -3.0, float("nan")])
def test_a_share_that_is_no_share(town: Town, tmp_path: Path, file: str, column: str,
                                  value: float) -> None:
    copy = copy_run(town, tmp_path)

    def forge(t: pa.Table) -> pa.Table:
        v = t.column(column).to_numpy().copy()
        v[len(v) // 2] = value
        return _set_column(t, column, v)

    _rewrite(copy / file, forge)
    bad_input(invoke("report", copy, "-o", "r.html"), file, "changed since the run")
    rehash(copy)
    bad_input(invoke("report", copy, "-o", "r.html"), file, "not a share between 0 and 1")
    assert not (tmp_path / "r.html").exists()


def test_every_zone_reached_in_every_run_does_not_add_up(town: Town, tmp_path: Path) -> None:
    """A consistent forgery of zones.parquet alone (every zone reached in 100 % of runs):
    the zones no longer add up to the people reached in runs.parquet."""
    copy = copy_run(town, tmp_path)
    _rewrite(copy / "zones.parquet", lambda t: _set_column(
        t, "reached_share", np.ones(t.num_rows)))
    rehash(copy)
    bad_input(invoke("report", copy, "-o", "r.html"), "zones.parquet does not add up",
              "runs.parquet")
    fr = bad_input(invoke("report", copy, "-o", "r.html", "--lang", "fr"),
                   "ne correspond pas à la population atteinte")
    assert "does not add up" not in fr


def test_the_criticality_reordered(town: Town, tmp_path: Path) -> None:
    copy = copy_run(town, tmp_path)
    crit = pq.read_table(copy / "criticality.parquet")
    reordered = crit.take(list(range(crit.num_rows))[::-1])
    reordered = _set_column(reordered, "rank", np.arange(1, crit.num_rows + 1))
    pq.write_table(reordered, copy / "criticality.parquet")
    bad_input(invoke("report", copy, "-o", "r.html"), "criticality.parquet",
              "changed since the run")
    rehash(copy)  # reordered and renumbered 1, 2, 3…, hashes forged too
    bad_input(invoke("report", copy, "-o", "r.html"), "criticality.parquet",
              "not ranked by the cost of each loss")


def test_a_parquet_file_of_far_more_rows_is_refused_unread(town: Town, tmp_path: Path
                                                           ) -> None:
    """A small file (compressed zeros) that would decode to hundreds of megabytes: refused
    from its footer, before any data is read."""
    copy = copy_run(town, tmp_path)
    rows = 20_000_000
    bomb = pa.table({"run": pa.array(np.zeros(rows, np.int64)),
                     "name": pa.array(["x"] * 1).take(pa.array(np.zeros(rows, np.int32))),
                     "time_s": pa.array(np.zeros(rows)), "value": pa.array(np.zeros(rows)),
                     "count": pa.array(np.zeros(rows))})
    pq.write_table(bomb, copy / "runs.parquet", compression="zstd")
    assert (copy / "runs.parquet").stat().st_size < 3_000_000  # a few MB on disk
    del bomb
    rehash(copy)
    bad_input(invoke("report", copy, "-o", "r.html"), "runs.parquet",
              f"{rows} rows where this run has")


def test_a_summary_nested_200000_levels_deep(town: Town, tmp_path: Path) -> None:
    copy = copy_run(town, tmp_path)
    (copy / "summary.json").write_text("[" * 200_000 + "]" * 200_000, encoding="utf-8")
    bad_input(invoke("report", copy, "-o", "r.html"), "summary.json", "not JSON")


@pytest.mark.parametrize("what", ["fifo", "dev-zero", "dangling", "sparse"])
def test_a_file_of_the_run_folder_that_is_no_plain_file(town: Town, tmp_path: Path,
                                                        what: str) -> None:
    """Refused in a moment: never read from a pipe or a device, never followed through a
    link, and a file grown to gigabytes is refused from its size, unread."""
    copy = copy_run(town, tmp_path)
    target = copy / "zones.parquet"
    target.unlink()
    if what == "fifo":
        os.mkfifo(target)
    elif what == "dev-zero":
        target.symlink_to("/dev/zero")
    elif what == "dangling":
        target.symlink_to(tmp_path / "nowhere")
    else:
        with target.open("wb") as fh:
            fh.truncate(int(3.9 * 2**30))  # 3.9 GiB, sparse
    expected = {"fifo": "not a plain file", "dev-zero": "cannot be read as a file",
                "dangling": "cannot be read as a file", "sparse": "size is not the one"}
    bad_input(invoke("report", copy, "-o", "r.html"), "zones.parquet", expected[what])


def _cells(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8") as fh:
        return [cell for row in csv.reader(fh) for cell in row]


def _formula(cell: str) -> bool:
    if not cell.startswith(("=", "+", "-", "@", "\t", "\r")):
        return False
    try:
        float(cell)
    except ValueError:
        return True
    return False  # a negative number is a number


def test_no_csv_cell_is_a_formula(town: Town, tmp_path: Path) -> None:
    """Event, hazard and attack names come from files that travel: in every CSV written, a
    cell that starts like a formula is quoted with a leading apostrophe."""
    folder = tmp_path / "own"
    shutil.copytree(town.folder, folder)
    scenario = folder / "scenarios" / "tempete.yaml"
    text = scenario.read_text(encoding="utf-8")
    text = text.replace("events:\n", (
        "events:\n"
        "  - {cause: '=HYPERLINK(\"http://evil\")', at: 2h, duration: 3h, "
        "assets: [ANT-NORD]}\n"
        "  - {cause: '+cmd|calc', at: 3h, duration: 1h, assets: [ANT-SUD]}\n"
        "  - {cause: '@SUM(1)', at: 10h, duration: 1h, assets: [ANT-NORD]}\n"), 1)
    scenario.write_text(text, encoding="utf-8")
    r = invoke("run", scenario, "--runs", RUNS, "-o", "run")
    assert r.exit_code == 0, r.output
    assert invoke("criticality", folder, "--csv", "rank.csv").exit_code == 0
    assert invoke("export", "run", "--indicators", "ind.csv").exit_code == 0
    written = {p: _cells(p) for p in (tmp_path / "run" / "changes.csv",
                                      tmp_path / "run" / "criticality.csv",
                                      tmp_path / "run" / "indicators.csv",
                                      tmp_path / "rank.csv", tmp_path / "ind.csv")}
    events = set(_cells(tmp_path / "run" / "changes.csv"))
    assert "'=HYPERLINK(\"http://evil\")" in events and "'+cmd|calc" in events
    assert "'@SUM(1)" in events
    for path, cells in written.items():
        assert not [c for c in cells if _formula(c)], path


@pytest.mark.parametrize("dangling", [False, True])
def test_no_writer_follows_a_symbolic_link(town: Town, tmp_path: Path, dangling: bool
                                           ) -> None:
    private = tmp_path / "private"
    private.mkdir()
    (private / "secret.txt").write_text("mine", encoding="utf-8")
    target = tmp_path / "nowhere" if dangling else private / "secret.txt"
    folder_target = tmp_path / "nowhere-dir" if dangling else private
    for name, to in (("link.html", target), ("link.geojson", target), ("link.npz", target),
                     ("link-run", folder_target), ("link-territory", folder_target)):
        (tmp_path / name).symlink_to(to)
    cases = [
        ("report", town.run, "-o", "link.html", "--force"),
        ("export", town.run, "--at", "2h", "--geojson", "link.geojson", "--force"),
        ("compile", town.folder, "-o", "link.npz", "--force"),
        ("run", town.scenario, "--runs", "2", "-o", "link-run", "--force"),
        ("synthetic", "link-territory", "--assets", "50", "--force"),
    ]
    for args in cases:
        bad_input(invoke(*args), "symbolic link")
    assert (private / "secret.txt").read_text(encoding="utf-8") == "mine"
    assert sorted(p.name for p in private.iterdir()) == ["secret.txt"]


def test_forged_sizes_and_hashes_are_still_refused_by_the_replay(town: Town, tmp_path: Path
                                                                 ) -> None:
    """runs.parquet of the same shape with other values, hashes forged: the representative
    run, replayed, does not give them."""
    copy = copy_run(town, tmp_path)
    _rewrite(copy / "runs.parquet", lambda t: _set_column(
        t, "count", t.column("count").to_numpy() * 0.5))
    rehash(copy)
    out = invoke("report", copy, "-o", "r.html").output
    assert "does not replay the same" in out or "does not add up" in out, out
    edit_summary(copy, lambda s: s.pop("sizes"))
    bad_input(invoke("report", copy, "-o", "r.html"), "[sizes]")
    assert json.loads((copy / "summary.json").read_text(encoding="utf-8"))["format"] == 2
