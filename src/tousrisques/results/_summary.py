"""``summary.json``: what was run, with which inputs, the shape of every file, the hash of
every file, the key figures. Read back as untrusted input: bounded, every field checked, every
problem listed at once.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from tousrisques._exceptions import InputError, ValidationError
from tousrisques._i18n import N_, Msg
from tousrisques._problems import Problem
from tousrisques.analysis import RANKINGS
from tousrisques.results._files import MAX_JSON_BYTES, read_bounded

#: the format of run folders; 2: copies of the inputs, hashes and shapes of every file
FORMAT = 2
SHAPE_FIELDS = ("runs", "indicators", "times", "zones", "broadcasts", "actors", "channels")
#: the shape of one run folder may not exceed this many values per file (10⁹ · 8 bytes)
MAX_VALUES = 1_000_000_000


def read_summary(folder: Path) -> dict[str, Any]:
    """``summary.json`` of a run folder, checked field by field.

    Parameters
    ----------
    folder : Path
        A run folder.

    Returns
    -------
    dict
        ``summary.json`` as written by :func:`write_run`.

    Raises
    ------
    InputError
        No ``summary.json``, too big, not JSON or of another format.
    ValidationError
        Fields of the wrong type or out of range (every problem listed).

    Examples
    --------
    >>> from tousrisques.analysis import make_study
    >>> from tousrisques.scenario import load_scenario
    >>> study = make_study(load_scenario(
    ...     "src/tousrisques/templates/petite-ville/scenarios/tempete.yaml"), runs=2)
    >>> import tempfile
    >>> from tousrisques.results import write_run
    >>> out = tempfile.mkdtemp()
    >>> summary = write_run(study, f"{out}/tempete")
    >>> from pathlib import Path
    >>> from tousrisques.results import FORMAT, read_summary
    >>> info = read_summary(Path(out, "tempete"))
    >>> info["format"] == FORMAT, info["runs"]
    (True, 2)
    """
    path = folder / "summary.json"
    if not path.exists() and not path.is_symlink():
        raise InputError("run.none", path=folder)
    raw = read_bounded(path, max_bytes=MAX_JSON_BYTES)
    try:
        info = orjson.loads(raw)  # nesting deeper than 1024 is refused, never a RecursionError
    except orjson.JSONDecodeError as exc:
        raise InputError("run.json", path=path, detail=exc) from None
    if not isinstance(info, dict) or info.get("format") != FORMAT:
        got = info.get("format") if isinstance(info, dict) else None
        raise InputError("run.format", path=path, got=repr(got), expected=FORMAT)
    problems = _summary_problems(info, str(path))
    problems += _folder_problems(info, str(path))
    if problems:
        raise ValidationError(problems)
    return dict(info)


def _folder_problems(info: dict[str, Any], file: str) -> list[Problem]:
    """The fields of format 2: ``files`` (path → hash) and each study's ``shape``."""
    problems: list[Problem] = []
    files = info.get("files")
    if (
        not isinstance(files, dict)
        or not files
        or not all(
            isinstance(k, str) and isinstance(v, str) and len(v) == 32 and _safe_name(k)
            for k, v in files.items()
        )
    ):
        problems.append(
            Problem(
                "field.type",
                file,
                {"expected_type": _FILES, "got": _short(files), "expected": _AS_WRITTEN},
                field="files",
            )
        )
    sizes = info.get("sizes")
    if not isinstance(sizes, dict) or not isinstance(files, dict) or set(sizes) != set(files) \
            or not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0
                       for v in sizes.values()):
        problems.append(Problem("field.type", file, {
            "expected_type": _SIZES, "got": _short(sizes), "expected": _AS_WRITTEN},
            field="sizes"))
    for prefix, study in (("", info), ("other.", info.get("other"))):
        if not isinstance(study, dict):
            continue
        shape = study.get("shape")
        ok = isinstance(shape, dict) and all(
            isinstance(shape.get(k), int)
            and not isinstance(shape.get(k), bool)
            and 0 <= shape[k] <= MAX_VALUES
            for k in SHAPE_FIELDS
        )
        if ok:
            assert isinstance(shape, dict)
            ok = (
                shape["runs"] * shape["indicators"] * shape["times"] <= MAX_VALUES
                and shape["times"] * shape["broadcasts"] * shape["zones"] <= MAX_VALUES
                and shape["times"] * shape["actors"] * shape["channels"] <= MAX_VALUES
                and shape["runs"] == study.get("runs")
            )
        if not ok:
            problems.append(
                Problem(
                    "field.type",
                    file,
                    {"expected_type": _SHAPE, "got": _short(shape), "expected": _AS_WRITTEN},
                    field=prefix + "shape",
                )
            )
    return problems


def _safe_name(name: str) -> bool:
    parts = name.split("/")
    return (
        bool(name)
        and "\0" not in name
        and "\\" not in name
        and not name.startswith("/")
        and all(p not in ("", ".", "..") for p in parts)
    )


def _short(value: Any) -> str:
    got = json.dumps(value, ensure_ascii=False)
    return got if len(got) < 60 else got[:57] + "…"


_FILES = Msg(N_("an object of relative file paths and their 32-digit hashes"))
_SIZES = Msg(N_("an object of the same file paths and their sizes in bytes"))
_SHAPE = Msg(N_("an object of counts (runs, indicators, times, zones, broadcasts, actors, "
                "channels) agreeing with runs"))
_INTEGER = Msg(N_("an integer, 0 or more"))
_RUNS = Msg(N_("an integer, 1 or more"))
_NUMBER = Msg(N_("a number"))
_NUMBER_OR_NULL = Msg(N_("a number, or null"))
_TEXT = Msg(N_("a text"))
_TEXT_OR_NULL = Msg(N_("a text, or null"))
_RANKING = Msg(N_("one of severity, main, population, actors"))
_OBJECT = Msg(N_("an object {...}"))
_OBJECT_OR_NULL = Msg(N_("an object {...}, or null"))
_AS_WRITTEN = Msg(N_("what `tousrisques run` wrote there, or run the scenario again"))
_START = Msg(N_("an ISO 8601 date and time with its offset, or null"))


def _aware_iso(v: Any) -> bool:
    """An ISO 8601 date-time with its UTC offset (a run's ``start``), or null."""
    if v is None:
        return True
    if not isinstance(v, str) or len(v) > 64:
        return False
    try:
        return datetime.fromisoformat(v).utcoffset() is not None
    except ValueError:
        return False


def _summary_problems(info: dict[str, Any], file: str, prefix: str = "") -> list[Problem]:
    """Every field of ``summary.json`` that the commands read, of the right type (a summary
    edited by hand must give a message, not a KeyError)."""
    problems: list[Problem] = []

    def check(
        obj: dict[str, Any],
        name: str,
        expected: Msg,
        ok: Callable[[Any], bool],
        *,
        required: bool = True,
        within: str = "",
    ) -> bool:
        field = prefix + (f"{within}.{name}" if within else name)
        if name not in obj:
            if required:
                problems.append(Problem("field.missing", file, {"expected": expected}, field=field))
            return False
        if not ok(obj[name]):
            got = json.dumps(obj[name], ensure_ascii=False)
            problems.append(
                Problem(
                    "field.type",
                    file,
                    {
                        "expected_type": expected,
                        "got": got if len(got) < 60 else got[:57] + "…",
                        "expected": _AS_WRITTEN,
                    },
                    field=field,
                )
            )
            return False
        return True

    def integer(low: int) -> Callable[[Any], bool]:
        return lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= low

    def number(v: Any) -> bool:
        return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)

    def is_dict(v: Any) -> bool:
        return isinstance(v, dict)

    def is_text(v: Any) -> bool:
        return isinstance(v, str) and "\0" not in v

    if check(info, "scenario", _OBJECT, is_dict):
        for name in ("path", "hash"):
            check(info["scenario"], name, _TEXT, is_text, within="scenario")
    if check(info, "inputs", _OBJECT, is_dict):
        for name in ("scenario", "territory"):
            check(info["inputs"], name, _TEXT, is_text, within="inputs")
    if check(info, "territory", _OBJECT, is_dict):
        check(
            info["territory"],
            "hash",
            _TEXT,
            lambda v: v is None or is_text(v),
            required=False,
            within="territory",
        )
    # the clock of the outputs (absent from folders written before it was recorded)
    check(info, "start", _START, _aware_iso, required=False)
    check(info, "timezone", _TEXT, lambda v: is_text(v) and len(v) <= 64, required=False)
    runs_ok = check(info, "runs", _RUNS, integer(1))
    check(info, "seed", _INTEGER, integer(0))
    if (
        check(info, "representative_run", _INTEGER, integer(0))
        and runs_ok
        and info["representative_run"] >= info["runs"]
    ):
        problems.append(
            Problem(
                "field.invalid",
                file,
                {
                    "detail": Msg(
                        N_("run {run} of {runs} runs (numbered from 0)"),
                        run=info["representative_run"],
                        runs=info["runs"],
                    ),
                    "expected": _AS_WRITTEN,
                },
                field=prefix + "representative_run",
            )
        )
    if (
        check(
            info, "criticality", _OBJECT_OR_NULL, lambda v: v is None or is_dict(v), required=False
        )
        and info["criticality"] is not None
    ):
        crit = info["criticality"]
        check(crit, "baseline_population", _NUMBER, number, within="criticality")
        check(crit, "baseline_actors", _INTEGER, integer(0), within="criticality")
        check(
            crit,
            "horizon_s",
            _NUMBER_OR_NULL,
            lambda v: v is None or number(v),
            within="criticality",
        )
        check(crit, "by", _RANKING, lambda v: v in RANKINGS, required=False,
              within="criticality")
        check(crit, "main_channel", _TEXT_OR_NULL, lambda v: v is None or is_text(v),
              required=False, within="criticality")
        check(crit, "baseline_main", _NUMBER, number, required=False, within="criticality")
    if not prefix and check(info, "other", _OBJECT, is_dict, required=False):
        problems += _summary_problems(info["other"], file, "other.")
    return problems
