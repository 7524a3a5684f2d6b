"""The command line speaks the reader's language: its words come from the catalog, its numbers
are written by Babel, and ``--help`` is French when French is asked for (``--lang fr`` anywhere
on the command line, or TOUSRISQUES_LANG, LC_ALL, LANG)."""

from __future__ import annotations

import math
import os
import re
import string
import subprocess
import sys
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from tests.conftest import EXAMPLE
from tousrisques import _i18n
from tousrisques._messages import Text
from tousrisques._ui_text import TEXT, t
from tousrisques.cli import app
from tousrisques.cli._run import _fmt
from tousrisques.report import KeyFigure

runner = CliRunner()
NNBSP, NBSP = "\u202f", "\u00a0"
# the environment of a reader who set only LANG (LC_ALL, when set, wins over LANG)
ONLY_LANG_FR = {"TOUSRISQUES_LANG": None, "LC_ALL": None, "LANG": "fr_FR.UTF-8"}


def _help(*args: str, env: dict[str, str | None] | None = None) -> str:
    r = runner.invoke(app, list(args), env=env or {"TOUSRISQUES_LANG": "en"})
    assert r.exit_code == 0, r.output
    return r.output


def _flat(text: str) -> str:
    """Help text as one line (click wraps it to the terminal's width)."""
    return re.sub(r" *\n *", " ", text)


def test_the_application_help_in_french_with_lang() -> None:
    fr = _flat(_help("--help", "--lang", "fr"))
    assert "quels moyens numériques d'alerte et de décision tiennent en crise" in fr
    assert "Affiche cette aide et quitte." in fr  # click's own --help, too
    assert "Vérifie un territoire ou un scénario" in fr  # each command's summary
    assert "Langue" in fr
    assert "which digital means" not in fr and "Show this message" not in fr
    # --lang before --help reads the same
    assert _flat(_help("--lang=fr", "--help")) == fr


def test_the_application_help_is_english_by_default() -> None:
    en = _flat(_help("--help", env={"TOUSRISQUES_LANG": None, "LC_ALL": None, "LANG": None}))
    assert "which digital means of alerting and deciding still work in a crisis" in en
    assert "Check a territory or a scenario" in en and "Show this message and exit." in en
    assert "Vérifie" not in en
    # --lang en wins over a French environment
    assert _flat(_help("--help", "--lang", "en", env=ONLY_LANG_FR)) == en


def test_a_command_help_in_french_from_lang_alone() -> None:
    fr = _flat(_help("run", "--help", env=ONLY_LANG_FR))
    assert "Calcule le Monte-Carlo d'un scénario" in fr
    assert "Le fichier de scénario (.yaml)." in fr
    assert "Processus locaux." in fr and "Remplacer le dossier de résultats." in fr
    assert "Local processes." not in fr
    # LC_ALL wins over LANG, as it does for every program
    en = _flat(_help("run", "--help", env={**ONLY_LANG_FR, "LC_ALL": "C.UTF-8"}))
    assert "Run a scenario's Monte Carlo" in en and "Local processes." in en
    assert "Pourquoi un équipement" in _flat(_help("explain", "--help", "--lang", "fr"))


def _help_texts(command: Any) -> list[str]:
    texts = [command.help] if command.help else []
    texts += [p.help for p in command.params if getattr(p, "help", None)]
    for sub in getattr(command, "commands", {}).values():
        texts += _help_texts(sub)
    return texts


def test_every_help_text_is_a_message_of_the_catalog_with_its_french() -> None:
    """A help text written without ``N_()`` would stay English in French: each one must have
    its own French (the same words are allowed only for names such as ``--json``)."""
    texts = _help_texts(typer.main.get_command(app))
    assert len(texts) > 60
    untranslated = [x for x in texts if _i18n.gettext(x, "fr") == x]
    assert untranslated == []


def test_the_installed_command_speaks_french_help() -> None:
    """The real entry point (``main``), as a user types it."""
    env = {k: v for k, v in os.environ.items() if k not in ("TOUSRISQUES_LANG", "LC_ALL")}
    r = subprocess.run(
        [sys.executable, "-c", "from tousrisques.cli import main; main()", "validate", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**env, "LANG": "fr_FR.UTF-8"},
        check=False,
    )
    assert r.returncode == 0, r.stderr
    assert "Vérifie un territoire ou un scénario" in r.stdout


@pytest.mark.parametrize("key", sorted(TEXT))
def test_every_word_of_the_command_line_speaks_both_languages(key: str) -> None:
    names = {f for _lit, f, _spec, _conv in string.Formatter().parse(TEXT[key]) if f}
    params = {name: f"<{name}>" for name in names}
    en, fr = t(key, "en", **params), t(key, "fr", **params)
    assert en == TEXT[key].format(**params)
    assert all(f"<{name}>" in fr for name in names), fr  # every value is put in
    if key not in ("population", "sc_injects", "col_commune"):  # the same word in both
        assert fr != en, key
    # French typography: no plain space before a colon or a semicolon
    assert " :" not in fr and " ;" not in fr, fr


def _figure(
    unit: str, value: float, p10: float | None = None, p90: float | None = None
) -> KeyFigure:
    return KeyFigure("x", Text("x", "x"), unit, value, p10, p90)  # type: ignore[arg-type]


def test_key_figures_are_written_as_each_language_writes_numbers() -> None:
    share = _figure("share", 0.614, 0.55, 0.68)
    assert _fmt(share, "en") == "61% (55–68%)"
    assert _fmt(share, "fr") == f"61{NNBSP}% (55–68{NNBSP}%)"
    count = _figure("count", 1234.5, 1000.0, 2500.0)
    assert _fmt(count, "en") == "1,234.5 (1,000–2,500)"
    assert _fmt(count, "fr") == f"1{NNBSP}234,5 (1{NNBSP}000–2{NNBSP}500)"
    hours = _figure("hours", 4.5)
    assert _fmt(hours, "en") == f"4{NBSP}h{NBSP}30{NBSP}min"
    assert _fmt(hours, "fr") == f"4{NNBSP}h{NNBSP}30"
    assert _fmt(_figure("share", math.nan), "fr") == "—"


def test_a_scenario_summary_in_both_languages() -> None:
    scenario = str(EXAMPLE / "scenarios" / "tempete.yaml")
    en = _help("validate", scenario)
    assert "duration (hours): 48\n" in en
    assert "hazard tempete: 18 assets exposed, 3.9 damaged on average" in en
    # --lang before the command is the command's language too
    fr = _help("--lang", "fr", "validate", scenario)
    assert f"durée (heures){NBSP}: 48\n" in fr
    assert f"aléa tempete{NBSP}: 18 équipements exposés, 3,9 endommagés en moyenne" in fr
