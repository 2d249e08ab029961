"""What differs between MaxScale release lines, one row per line (see simulator/README.md).

Each row holds the status codes, error texts and parameter parsing of one release line; a MaxScale
of version X.Y uses the newest row whose `since` is not after X.Y.
"""

from __future__ import annotations

from dataclasses import dataclass

TRUTHY = ("yes", "true", "on", "1")  # `force=` values the lenient parsers accept

_MONITORED_OLD = (
    "The server is monitored, so only the maintenance status can be set/cleared manually. Status was not modified."
)
_MONITORED_24 = (
    "Server  {name} is monitored so only maintenance and drain status can be altered manually. "
    "Status was not modified."
)  # the double space is MaxScale's


@dataclass(frozen=True)
class ReleaseLine:
    since: tuple[int, int]
    error_status: int  # status of a refused change (set/clear)
    not_found_detail: bool  # a 404 carries "NAME is not a KIND" (after the stale logged errors)
    lenient_force: bool  # force=true/on/1 count, not only "yes"
    primary_word: str  # what the refusal to put the primary in maintenance calls it
    monitored_text: str  # refusal to set a role bit on a monitored server; {name} is the server
    switchover_force: bool  # mariadbmon has the switchover-force module command
    config_sync: bool  # configuration synchronization between MaxScales exists

    def force_truthy(self, value: str | None) -> bool:
        if value is None:
            return False
        return value.strip().lower() in TRUTHY if self.lenient_force else value == "yes"

    def monitored(self, name: str) -> str:
        return self.monitored_text.format(name=name)

    def primary_refusal(self) -> str:
        return (
            f"The server is {self.primary_word}, so it cannot be set in maintenance or draining mode. "
            "First perform a switchover and then retry the operation."
        )


RELEASES = (  # newest first
    ReleaseLine((24, 2), 400, True, True, "primary", _MONITORED_24, True, True),
    ReleaseLine((23, 8), 400, True, True, "primary", _MONITORED_OLD, True, True),
    ReleaseLine((23, 2), 400, False, True, "primary", _MONITORED_OLD, False, True),
    ReleaseLine((22, 8), 400, False, False, "master", _MONITORED_OLD, False, True),
    ReleaseLine((0, 0), 403, False, False, "master", _MONITORED_OLD, False, False),
)


def release_line(version: tuple[int, ...]) -> ReleaseLine:
    """The row for a MaxScale version (major, minor[, patch])."""
    vt = tuple(version[:2])
    return next(r for r in RELEASES if r.since <= vt)
