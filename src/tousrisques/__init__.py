"""tousrisques: which digital means of alerting, informing and deciding still work in a
crisis, for whom, for how long, and what to change so that they hold.

Importing the package only defines things; nothing is read, written or started.
"""

from tousrisques._durations import format_duration, parse_duration
from tousrisques._exceptions import (
    CompiledFormatError,
    InputError,
    TousrisquesError,
    ValidationError,
)
from tousrisques._limits import ReadLimits
from tousrisques._problems import Problem
from tousrisques._version import __version__
from tousrisques.territory import CompiledTerritory, Territory, load_compiled, load_territory

__all__ = [
    "CompiledFormatError",
    "CompiledTerritory",
    "InputError",
    "Problem",
    "ReadLimits",
    "Territory",
    "TousrisquesError",
    "ValidationError",
    "__version__",
    "format_duration",
    "load_compiled",
    "load_territory",
    "parse_duration",
]
