"""The run folder — one owner of its layout, schema, hashes, key figures and summary.

``write_run(study, folder)`` writes it whole (data files, copies of the inputs so that it
travels, ``summary.json`` with the hash of every file) and ``read_run(folder)`` reads it back
as untrusted input. The report and the command line only go through here.
"""

from tousrisques.results._advice import advice_files, advice_table, read_advice, write_advice
from tousrisques.results._communes import IsolatedCommune, isolated_communes
from tousrisques.results._ensemble_io import Shape, read_ensemble, shape_of, write_ensemble
from tousrisques.results._figures import (
    ANY,
    HOLD,
    NETWORK,
    KeyFigure,
    Unit,
    channel_labels,
    connected_share,
    door_channels,
    key_figures,
    main_channel,
    recovery_h,
    text_of,
    worst_moment,
    worst_time,
)
from tousrisques.results._findings import ROLE_GROUPS, Finding, findings
from tousrisques.results._folder import RunFolder, read_run, summary_figures, write_run
from tousrisques.results._summary import FORMAT, read_summary
from tousrisques.results._tables import changes_table, with_local_time
from tousrisques.results._tail import CAUSE_WORDS, Collapse, Tail, TailFigure, worst_tail

__all__ = [
    "ANY",
    "CAUSE_WORDS",
    "FORMAT",
    "HOLD",
    "NETWORK",
    "ROLE_GROUPS",
    "Collapse",
    "Finding",
    "IsolatedCommune",
    "KeyFigure",
    "RunFolder",
    "Shape",
    "Tail",
    "TailFigure",
    "Unit",
    "advice_files",
    "advice_table",
    "changes_table",
    "channel_labels",
    "connected_share",
    "door_channels",
    "findings",
    "isolated_communes",
    "key_figures",
    "main_channel",
    "read_advice",
    "read_ensemble",
    "read_run",
    "read_summary",
    "recovery_h",
    "shape_of",
    "summary_figures",
    "text_of",
    "with_local_time",
    "worst_moment",
    "worst_tail",
    "worst_time",
    "write_advice",
    "write_ensemble",
    "write_run",
]
