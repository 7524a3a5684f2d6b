"""The SVG drawings and the rows behind the tables, checked without a browser."""

from __future__ import annotations

import math
import re

from tests.report.conftest import TIMES
from tousrisques._messages import Text
from tousrisques.report._data import Chart, Series, Step
from tousrisques.report._sections import chain_tree, nearest
from tousrisques.report._svg import ChartWords, heat_strip, nice_step, share_class, time_chart

WORDS = ChartWords(title="t", x_label="h", band="band", series=["a"], summary="s")


def _chart(mean: list[float], unit: str = "share", total: float | None = None) -> str:
    s = Series("x", Text("x", "x"), mean, [v - 0.1 for v in mean], mean,
               [v + 0.1 for v in mean])
    return str(time_chart(Chart("c", Text("c", "c"), unit, [s], total=total), TIMES,  # type: ignore[arg-type]
                          words=WORDS, label_y=str, label_x=lambda t: f"{t:g}h", uid="c"))


def test_a_chart_has_a_band_a_line_axes_and_a_legend() -> None:
    svg = _chart([0.5] * len(TIMES))
    assert svg.count('class="band"') == 1 and svg.count('class="line"') == 1
    assert ">0h<" in svg and ">8h<" in svg and ">band<" in svg and ">a<" in svg
    assert 'role="img"' in svg and '<title id="c-t">t</title>' in svg


def test_a_gap_in_the_data_breaks_the_line_and_the_band() -> None:
    mean = [0.5] * len(TIMES)
    mean[4] = math.nan
    svg = _chart(mean)
    assert svg.count('class="band"') == 2 and svg.count('class="line"') == 2
    assert "nan" not in svg.lower()


def test_a_count_chart_goes_up_to_its_total() -> None:
    svg = _chart([1.0] * len(TIMES), unit="count", total=71)
    ticks = [float(t) for t in re.findall(r'<text x="66" y="[\d.]+">([^<]+)</text>', svg)]
    assert ticks[0] == 0 and 71 <= max(ticks) < 100


def test_nice_steps_and_share_classes() -> None:
    assert nice_step(1, 5) == 0.2 and nice_step(71, 5) == 20
    assert [share_class(x) for x in (0, 0.19, 0.2, 0.99, 1.0, math.nan)] == [0, 0, 1, 4, 4, -1]


def test_a_heat_strip_merges_runs_of_one_colour() -> None:
    svg = str(heat_strip([1, 1, 1, 0.5, 0.5, 0, 0, 1, 1], TIMES, title="x", uid="s"))
    assert svg.count("<path") == 3 and svg.count("M") == 4


def test_chains_nest_under_the_step_that_waited_for_them() -> None:
    k = Text("k", "k")
    steps = [Step(0, "A", "", k, 3, "requirement", because=["B", "C"]),
             Step(1, "B", "", k, 2, "disconnected", because=["D"]),
             Step(1, "C", "", k, 2, "event", event="x"),
             Step(2, "D", "", k, 1, "event", event="x")]
    tree = chain_tree(steps)
    assert [n.step.asset for n in tree] == ["A"]
    assert [n.step.asset for n in tree[0].children] == ["B", "C"]
    assert [n.step.asset for n in tree[0].children[0].children] == ["D"]


def test_nearest_time() -> None:
    assert nearest(TIMES, 3.6) == 4 and nearest([], 1.0) == -1


def test_a_first_cause_whose_middle_was_left_out_comes_last_marked() -> None:
    k = Text("k", "k")
    steps = [Step(0, "A", "", k, 3, "requirement", because=["B"]),
             Step(1, "B", "", k, 2, "disconnected", because=["C"]),
             Step(4, "Z", "", k, 1, "event", event="storm")]
    tree = chain_tree(steps)
    assert [(n.step.asset, n.gap) for n in tree] == [("A", False), ("Z", True)]
