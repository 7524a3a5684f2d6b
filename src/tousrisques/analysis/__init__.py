"""What the interfaces draw on besides the indicators: the criticality of assets, why an
actor was cut off, and a study (a scenario's Monte Carlo, its representative run, the
criticality, another scenario beside it) with its data files."""

from tousrisques.analysis._criticality import Criticality, criticality
from tousrisques.analysis._health import never_working
from tousrisques.analysis._snapshot import state_geojson
from tousrisques.analysis._study import (
    STUDY_FORMAT,
    Study,
    make_study,
    present_after_mitigations,
    read_study,
    read_summary,
    write_study,
)
from tousrisques.analysis._why import ActorWhy, ChannelWhy, explain_actor, readable_chain

__all__ = [
    "STUDY_FORMAT",
    "ActorWhy",
    "ChannelWhy",
    "Criticality",
    "Study",
    "criticality",
    "explain_actor",
    "make_study",
    "never_working",
    "present_after_mitigations",
    "read_study",
    "read_summary",
    "readable_chain",
    "state_geojson",
    "write_study",
]
