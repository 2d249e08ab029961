"""Status bits and state words: how one MaxScale sees a server, and how it spells that state.

The bits are `running master slave relay blr synced auth_error` (written by the monitor's ticks from
what the database is) plus MaxScale's own `maint` and `drain` flags.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .replication import Db

ROLE_BITS = ("master", "relay", "slave", "blr", "synced")
OWN_BITS = frozenset({"maint", "drain"})  # set by an admin, never by a monitor tick
KEPT_BITS = frozenset({"maint", "drain", "blr", "synced"})  # a tick leaves these as they are
# The `state=` parameter of PUT set/clear -> the bit it names.
STATE_PARAM = {
    "running": "running",
    "master": "master",
    "slave": "slave",
    "synced": "synced",
    "maintenance": "maint",
    "maint": "maint",
    "drain": "drain",
    "blr": "blr",
    "binlogrouter": "blr",
}


@dataclass
class ServerView:
    """A server as one MaxScale sees it: configuration, status bits and what its monitor last read."""

    name: str
    address: str | None
    port: int | None
    socket: str | None
    monitor: str | None
    services: list[str]
    bits: set[str] = field(default_factory=set)  # running master slave relay blr synced auth_error maint drain
    gtid: str | None = None
    state_details: str = ""
    last_event: str = ""
    triggered_at: float = 0.0
    total_connections: int = 0
    max_connections: int = 0
    routed_packets: int = 0


def read_bits(d: Db) -> set[str]:
    """The bits a monitor reads from the database now."""
    if not d.running:
        return set()
    if d.auth_error:
        return {"running", "auth_error"}
    roles = {"master": {"master"}, "slave": {"slave"}, "relay": {"relay", "slave"}}.get(d.role or "", set())
    return {"running"} | roles


def event_name(old: set[str], new: set[str], running: bool) -> str:
    """The monitor event (`last_event`) for a change of bits, e.g. `slave_down`, `new_master`."""

    def role(bits: set[str]) -> str:
        return "master" if "master" in bits else "slave" if "slave" in bits else "server"

    if not running:
        return f"{role(old)}_down"
    if "running" not in old:
        return f"{role(new)}_up"
    if role(new) != role(old):
        return f"new_{role(new)}" if role(new) != "server" else f"lost_{role(old)}"
    return f"{role(new)}_up"


def state_words(bits: set[str], connections: int) -> str:
    """The `state` string MaxScale shows, e.g. "Draining, Slave, Running" or "Maintenance, Down"."""
    words = []
    if "maint" in bits:
        words.append("Maintenance")
    elif "drain" in bits:
        words.append("Drained" if connections == 0 else "Draining")
    if "running" in bits and "maint" not in bits:
        if "master" in bits:
            words.append("Master")
        else:
            words += [
                w for bit, w in (("relay", "Relay Master"), ("slave", "Slave"), ("blr", "Binlog Relay")) if bit in bits
            ]
        if "synced" in bits:
            words.append("Synced")
    if "auth_error" in bits:
        words.append("Auth Error")
    words.append("Running" if "running" in bits else "Down")
    return ", ".join(words)


def is_primary(bits: set[str]) -> bool:
    """Running primary, not in maintenance."""
    return {"master", "running"} <= bits and "maint" not in bits


def usable_for_new(bits: set[str]) -> bool:
    """New sessions may connect: running, neither in maintenance nor draining."""
    return "running" in bits and not bits & OWN_BITS
