"""The advice folder: ``advice.json`` (everything ``advise`` found), ``advice.csv`` (one row
per measure) and ``plan.yaml`` (the plan's scenario), written whole or not at all."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv

from tousrisques._atomic import atomic_folder
from tousrisques._csvsafe import escape_table
from tousrisques._exceptions import InputError
from tousrisques.analysis import Advice

#: the advice folder's own file (``--force`` replaces only a folder that holds it)
ADVICE_FILE = "advice.json"
ADVICE_FORMAT = 1


def _plain(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def advice_table(advice: Advice) -> pa.Table:
    """One row per measure: its rank in the plan (0: not in it), what it is, its cost, its
    gain with P10–P90, and its explanation in both languages.

    Parameters
    ----------
    advice : Advice

    Returns
    -------
    pyarrow.Table

    Examples
    --------
    >>> from tousrisques.analysis import Advice
    >>> from tousrisques.results import advice_table
    >>> a = Advice({}, "alert", [1, 0, 0], "fr-alert", {}, 2, 2, None, "EUR", {}, {}, [], {})
    >>> advice_table(a).column_names[:4]
    ['in_plan', 'key', 'rule', 'kind']
    """
    ms = advice.measures
    return pa.table({
        "in_plan": pa.array([m.in_plan for m in ms], pa.int32()),
        "key": [m.key for m in ms], "rule": [m.rule for m in ms],
        "kind": [m.kind for m in ms], "count": pa.array([m.count for m in ms], pa.int64()),
        "autonomy_h": pa.array([m.autonomy_h for m in ms], pa.float64()),
        "cost": pa.array([m.cost for m in ms], pa.float64()),
        "gain": pa.array([m.gain for m in ms], pa.float64()),
        "gain_p10": pa.array([m.gain_p10 for m in ms], pa.float64()),
        "gain_p90": pa.array([m.gain_p90 for m in ms], pa.float64()),
        "before": pa.array([m.before for m in ms], pa.float64()),
        "after": pa.array([m.after for m in ms], pa.float64()),
        "gain_alone": pa.array([m.alone for m in ms], pa.float64()),
        "source": [m.source for m in ms],
        "explanation_en": [m.explanation.get("en", "") for m in ms],
        "explanation_fr": [m.explanation.get("fr", "") for m in ms],
        "assets": [" ".join(m.assets) for m in ms],
    })


def advice_files(advice: Advice, plan_yaml: str) -> dict[str, bytes]:
    """The files of an advice folder, by name: ``advice.json``, ``advice.csv`` and
    ``plan.yaml`` (to put in another folder written whole, as the demo's run folder).

    Parameters
    ----------
    advice : Advice
    plan_yaml : str
        The plan's scenario (``tousrisques.analysis.plan_document``).

    Returns
    -------
    dict of str to bytes

    Examples
    --------
    >>> from tousrisques.analysis import Advice
    >>> from tousrisques.results import advice_files
    >>> a = Advice({}, "alert", [1, 0, 0], "fr-alert", {}, 2, 2, None, "EUR", {}, {}, [], {})
    >>> sorted(advice_files(a, "name: x"))
    ['advice.csv', 'advice.json', 'plan.yaml']
    """
    payload = {"format": ADVICE_FORMAT, **_plain(advice.to_dict())}
    sink = pa.BufferOutputStream()
    pacsv.write_csv(escape_table(advice_table(advice)), sink)
    return {
        ADVICE_FILE: json.dumps(payload, ensure_ascii=False, indent=2,
                                allow_nan=False).encode("utf-8"),
        "advice.csv": sink.getvalue().to_pybytes(),
        "plan.yaml": plan_yaml.encode("utf-8"),
    }


def write_advice(advice: Advice, folder: str | Path, *, plan_yaml: str,
                 replace: bool = False) -> Path:
    """Write the advice folder whole (a temporary folder moved into place): ``advice.json``,
    ``advice.csv`` and ``plan.yaml``. An existing folder is replaced only with ``replace``
    and only when it is an advice folder (it holds ``advice.json``) or empty.

    Parameters
    ----------
    advice : Advice
    folder : str or Path
    plan_yaml : str
        The plan's scenario (``tousrisques.analysis.plan_document``).
    replace : bool

    Returns
    -------
    Path
        The folder.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from tousrisques.analysis import Advice
    >>> from tousrisques.results import read_advice, write_advice
    >>> a = Advice({}, "alert", [1, 0, 0], "fr-alert", {}, 2, 2, None, "EUR", {}, {}, [], {})
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "advice"
    >>> sorted(p.name for p in write_advice(a, out, plan_yaml="name: x\\n").iterdir())
    ['advice.csv', 'advice.json', 'plan.yaml']
    >>> read_advice(out) == a
    True
    """
    folder = Path(folder)
    with atomic_folder(folder, replace=replace, marker=ADVICE_FILE) as tmp:
        for name, content in advice_files(advice, plan_yaml).items():
            (tmp / name).write_bytes(content)
    return folder


def read_advice(folder: str | Path) -> Advice:
    """The advice of an advice folder (its ``advice.json``), read as untrusted input.

    Parameters
    ----------
    folder : str or Path
        An advice folder, or its ``advice.json``.

    Returns
    -------
    Advice

    Raises
    ------
    InputError
        ``advice.unreadable`` when the file is missing or is not an advice.

    Examples
    --------
    >>> from tousrisques import InputError
    >>> from tousrisques.results import read_advice
    >>> try:
    ...     read_advice("no/such/folder")
    ... except InputError as exc:
    ...     print(exc.code)
    advice.unreadable
    """
    path = Path(folder)
    if path.is_dir():
        path = path / ADVICE_FILE
    try:
        data = json.loads(path.read_text("utf-8"))
        if not isinstance(data, dict) or data.pop("format", None) != ADVICE_FORMAT:
            raise ValueError("not an advice of this version")
        nan = float("nan")
        for m in data.get("measures", []):
            for k, v in list(m.items()):
                if v is None and k not in ("explanation",):
                    m[k] = nan
        return Advice.from_dict(data)
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise InputError("advice.unreadable", path=path, detail=str(exc)[:200]) from None
