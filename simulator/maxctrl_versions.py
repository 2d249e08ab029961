"""Client-side behaviour of each maxctrl release line (chosen with MAXCTRL_SIM_VERSION)."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace

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
    batch_stdin: bool  # 6.0+: no command reads commands from a non-TTY stdin
    monitor_column: bool  # `list servers` has a Monitor column (22.08.2+)
    session_io_columns: bool  # `list sessions` has Memory and I/O-Activity (22.08+; UNCONFIRMED before 24.02)
    show_server_extra: frozenset[str]  # `show server` rows not in every line: Source (6.0+), Uptime (22.08+)
    show_replication: bool = False  # MXS-5272, 24.02 tip only; elsewhere yargs asks for a command
    test_layout: bool = False  # a made-up `list servers` for fallback tests (simulator/maxctrl_testlayout.py)


# One row per release line: every release-specific decision of the stand-in reads these fields.
_LEGACY = Profile(
    line="2.5",
    version="2.5.30",
    major=2,
    errors_to_stderr=False,
    legacy_errors=True,
    state_details=False,
    force_first=False,
    multi_state=False,
    has_config=False,
    axios=False,
    batch_stdin=False,
    monitor_column=False,
    session_io_columns=False,
    show_server_extra=frozenset(),
)
_SIX = replace(
    _LEGACY,
    line="6.4",
    version="6.4.16",
    major=6,
    legacy_errors=False,
    state_details=True,
    has_config=True,
    axios=True,
    batch_stdin=True,
    show_server_extra=frozenset({"Source"}),
)
_MODERN = replace(
    _SIX,
    line="22.08",
    version="22.08.15",
    major=22,
    errors_to_stderr=True,
    force_first=True,
    multi_state=True,
    monitor_column=True,
    session_io_columns=True,
    show_server_extra=frozenset({"Source", "Uptime"}),
)
_PROFILES = {
    "2.5": _LEGACY,
    "6.4": _SIX,
    "22.08": _MODERN,
    "23.08": replace(_MODERN, line="23.08", version="23.08.8", major=23),
    "24.02.3": replace(_MODERN, line="24.02.3", version="24.02.3", major=24, force_first=False, multi_state=False),
    "24.02": replace(_MODERN, line="24.02", version="24.02.4", major=24, show_replication=True),
}
# The 24.08 branch (released as 25.01) and develop as of their 2 Oct 2024 tips: both lack the later 24.02 commits
# (MXS-5315's several states and its force-first query, MXS-5272's `show replication`), golden/NEWER-RELEASES.md.
_PROFILES["24.08"] = replace(_PROFILES["24.02.3"], line="24.08", version="24.08.1")
_PROFILES["develop"] = replace(_PROFILES["24.08"], line="develop", version="99.99.99", major=99)
# Not release lines: a client that claims a newer version (or 24.02.4) and prints a layout nobody captured.
_PROFILES["test-newer"] = replace(_PROFILES["24.02"], line="test-newer", version="25.99.0", major=25, test_layout=True)
_PROFILES["test-header"] = replace(_PROFILES["24.02"], line="test-header", test_layout=True)


def names() -> list[str]:
    return list(_PROFILES)


def get(line: str | None = None) -> Profile:
    """The profile for a release line; unknown values fall back to the default with a clear error."""
    key = line if line is not None else os.environ.get(ENV_VAR, DEFAULT) or DEFAULT
    if key not in _PROFILES:
        raise KeyError(f"{ENV_VAR}={key!r} is not one of {', '.join(_PROFILES)}")
    return _PROFILES[key]
