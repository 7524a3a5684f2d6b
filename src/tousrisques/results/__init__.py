"""The run folder — one owner of its layout, schema, hashes, key figures and summary.

``write_run(study, folder)`` writes it whole (data files, copies of the inputs so that it
travels, ``summary.json`` with the hash of every file) and ``read_run(folder)`` reads it back
as untrusted input. The report and the command line only go through here.
"""

from tousrisques.results._advice import advice_table, read_advice, write_advice
from tousrisques.results._ensemble_io import Shape, read_ensemble, shape_of, write_ensemble
from tousrisques.results._figures import (
    ANY,
    NETWORK,
    ROLE_GROUPS,
    Finding,
    KeyFigure,
    Unit,
    channel_labels,
    connected_share,
    findings,
    key_figures,
    main_channel,
    recovery_h,
    text_of,
    worst_time,
)
from tousrisques.results._folder import RunFolder, read_run, summary_figures, write_run
from tousrisques.results._summary import FORMAT, read_summary
from tousrisques.results._tables import changes_table, with_local_time

__all__ = [
    "ANY",
    "FORMAT",
    "NETWORK",
    "ROLE_GROUPS",
    "Finding",
    "KeyFigure",
    "RunFolder",
    "Shape",
    "Unit",
    "advice_table",
    "changes_table",
    "channel_labels",
    "connected_share",
    "findings",
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
    "worst_time",
    "write_advice",
    "write_ensemble",
    "write_run",
]
