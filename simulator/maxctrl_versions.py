"""Client-side behaviour of each maxctrl release line (chosen with MAXCTRL_SIM_VERSION)."""

from __future__ import annotations

import os
from dataclasses import dataclass

ENV_VAR = "MAXCTRL_SIM_VERSION"
DEFAULT = "24.02"


@dataclass(frozen=True)
class Profile:
    line: str  # the value of MAXCTRL_SIM_VERSION
    version: str  # what --version prints
    major: int
    errors_to_stderr: bool  # 22.08+ (MXS-4175); older lines print errors on stdout
    legacy_errors: bool  # 2.5: "responded with status code N ...:{json}", no scheme
    state_details: bool  # 6.0+: ", " + state_details appended to State
    force_first: bool  # branch tips after MXS-5315 send ?force=yes&state=S
    multi_state: bool  # several states per set/clear (same tips)
    has_config: bool  # -c/--config, ~/.maxctrl.cnf and --skip-sync (6.0+)
    axios: bool  # 6.0+ request headers (axios) vs 2.5 (request)


_PROFILES = {
    "2.5": Profile("2.5", "2.5.30", 2, False, True, False, False, False, False, False),
    "6.4": Profile("6.4", "6.4.16", 6, False, False, True, False, False, True, True),
    "22.08": Profile("22.08", "22.08.15", 22, True, False, True, True, True, True, True),
    "23.08": Profile("23.08", "23.08.8", 23, True, False, True, True, True, True, True),
    "24.02.3": Profile("24.02.3", "24.02.3", 24, True, False, True, False, False, True, True),
    "24.02": Profile("24.02", "24.02.4", 24, True, False, True, True, True, True, True),
}


def names() -> list[str]:
    return list(_PROFILES)


def get(line: str | None = None) -> Profile:
    """The profile for a release line; unknown values fall back to the default with a clear error."""
    key = line if line is not None else os.environ.get(ENV_VAR, DEFAULT) or DEFAULT
    if key not in _PROFILES:
        raise KeyError(f"{ENV_VAR}={key!r} is not one of {', '.join(_PROFILES)}")
    return _PROFILES[key]
