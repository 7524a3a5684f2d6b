"""The advised plan and the mitigated variant are named apart on the executive page; the
costs it shows add up to the plan's total (the costliest never hidden); the advice table
gives every measure with its cost and the total; a measure of no measurable gain never reads
"+0 points", and equal rounded shares are written with one decimal.

The advice is ``advise``'s on the example town's storm; the variant is that storm with
more backups, run beside it."""

from __future__ import annotations

import re

import pytest

from tests.conftest import EXAMPLE, copy_example, write_scenario
from tests.report.test_truth import numbers, section, text
from tousrisques.analysis import Advice, Candidate, Gain, advise, explain_measure, make_study
from tousrisques.report import render_report
from tousrisques.report._advice import with_advice
from tousrisques.report._build import build_report_data
from tousrisques.scenario import load_scenario

VARIANT = "Tempête atténuée de test"


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> tuple[Advice, dict[str, str]]:
    folder = copy_example(tmp_path_factory.mktemp("advised"))
    storm = (EXAMPLE / "scenarios" / "tempete.yaml").read_text(encoding="utf-8")
    variant = storm.replace("name: {fr: Tempête hivernale et rançongiciel, en: Winter storm "
                            "and ransomware}", f"name: {VARIANT}")
    variant += "backups:\n  - {name: batteries, kinds: [antenna, fibre_node], autonomy: 72h}\n"
    base = load_scenario(folder / "scenarios" / "tempete.yaml")
    other = load_scenario(write_scenario(folder, "attenuee.yaml", variant))
    study = make_study(base, runs=4, other=other, rank_assets=False)
    advice = advise(base, objective="mix", runs=4, screen=3)
    assert advice.plan, "the example storm has measures that help"
    data = with_advice(build_report_data(study), advice)
    return advice, {lang: render_report(data, lang=lang) for lang in ("en", "fr")}


def _one(pattern: str, page: str) -> str:
    m = re.search(pattern, page, re.S)
    assert m, pattern
    return m.group(1)


def _what_to_change(page: str) -> str:
    summary = section(page, "summary")
    blocks = re.findall(r'<div class="exec-block">(.*?)</div>', summary, re.S)
    return str(next(b for b in blocks if 'class="advised"' in b))


@pytest.mark.parametrize(("lang", "variant", "advised"), [
    ("en", "mitigated variant", "advised plan"), ("fr", "variante renforcée", "plan conseillé")])
def test_the_variant_and_the_advised_plan_are_named_apart(
        pages: tuple[Advice, dict[str, str]], lang: str, variant: str, advised: str) -> None:
    block = text(_what_to_change(pages[1][lang]))
    said_variant = text(_one(r'<p class="variant">(.*?)</p>', _what_to_change(pages[1][lang])))
    said_plan = text(_one(r'<p class="advised">(.*?)</p>', _what_to_change(pages[1][lang])))
    assert variant in said_variant and VARIANT in said_variant
    assert advised not in said_variant.replace("not the " + advised, "").replace(
        "pas le " + advised, "")
    assert advised in said_plan.lower() and VARIANT not in said_plan
    assert block.index(VARIANT) < block.index(said_plan)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_costs_shown_add_up_to_the_plan(pages: tuple[Advice, dict[str, str]],
                                             lang: str) -> None:
    advice, html = pages
    block = _what_to_change(html[lang])
    plan = advice.plan
    intro = text(_one(r'<p class="advised">(.*?)</p>', block))
    assert round(advice.cost) in numbers(intro, lang)
    costs = [numbers(text(c), lang)[0]
             for c in re.findall(r'<span class="cost">(.*?)</span>', block, re.S)]
    others = re.search(r'<li class="others">(.*?)</li>', block, re.S)
    rest = numbers(text(others.group(1)), lang)[-1] if others else 0.0
    assert sum(costs) + rest == pytest.approx(sum(round(m.cost) for m in plan), abs=len(plan))
    # the costliest are those shown
    assert costs == sorted((round(m.cost) for m in plan), reverse=True)[:len(costs)]
    # the advice section: every measure with its cost, and the total
    table = section(html[lang], "advice")
    rows = re.findall(r"<tbody>(.*?)</tbody>", table, re.S)[0].count("<tr>")
    assert rows == len(plan)
    total = re.search(r'<td class="total">(.*?)</td>', table, re.S)
    assert total and numbers(text(total.group(1)), lang)[0] == round(
        advice.cost)
    assert not re.search(r"\+0 point", text(html[lang]))


def _candidate() -> Candidate:
    return Candidate("autonomy:site:72h", "autonomy", "site", ("MAIRIE*",), 2, 259200.0,
                     3320000.0, 1660000.0, "assumption", 14400.0, 3, 18000.0)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_no_measurable_gain_never_reads_plus_zero_points(lang: str) -> None:
    g = Gain(0, 0.0001, 0.0, 0.0003, 0.981, 0.9811, 12)
    said = explain_measure(_candidate(), g, objective="mix", channel={"en": "FR-Alert"},
                           kind_label={"en": "site"}, runs=12, start=None)[lang]
    assert "+0" not in said and not re.search(r"98\s?% to 98\s?%|98\s?% à 98\s?%", said)
    assert ("no measurable gain" if lang == "en" else "aucun gain mesurable") in said
    assert "autonomy:site:72h" in said


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_equal_rounded_shares_get_one_decimal(lang: str) -> None:
    g = Gain(0, 0.003, 0.0, 0.01, 0.991, 0.994, 12)
    said = explain_measure(_candidate(), g, objective="mix", channel={"en": "FR-Alert"},
                           kind_label={"en": "site"}, runs=12, start=None)[lang]
    flat = said.replace("\u00a0", " ").replace("\u202f", " ")
    assert ("99.1% to 99.4%" if lang == "en" else "99,1 % à 99,4 %") in flat
    assert "+0.3" in flat or "+0,3" in flat


@pytest.mark.parametrize("shown", [1, 2])
def test_the_measures_not_named_are_counted_with_their_cost(
        pages: tuple[Advice, dict[str, str]], shown: int,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from tousrisques.report import _executive
    from tousrisques.report._i18n import Formats, translations

    advice = pages[0]
    monkeypatch.setattr(_executive, "COSTLIEST", shown)
    got = _executive.advised_plan(advice, translations("en"), Formats("en"))
    assert len(got["costliest"]) == min(shown, len(advice.plan))
    rest = numbers(got["others"], "en")
    assert rest[0] == len(advice.plan) - shown
    named = sum(numbers(m["cost"], "en")[0] for m in got["costliest"])
    assert named + rest[-1] == pytest.approx(sum(round(m.cost) for m in advice.plan),
                                             abs=len(advice.plan))
    assert named >= rest[-1] or shown == 1
