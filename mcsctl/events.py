"""The events mcsctl announces (webhooks, hooks): one JSON object per transition, schema in docs/events.md.

Pure data: `build` makes an event, `states_of` the per-MaxScale states, `shown` a URL safe to print.
Nothing here sends or runs anything (notify.py and hooks.py do, emitter.py decides when).
"""

from __future__ import annotations

from collections.abc import Mapping

TYPE_CHECKING = False  # True for mypy; typing itself is not imported (README, Speed)
if TYPE_CHECKING:
    from typing import Any

    from .model import Server

SCHEMA = 1  # bumped only when a field changes meaning or goes away; new fields may be added meanwhile

# Every event kind, in the order a change usually sees them (docs/events.md).
KINDS = (
    "drain-start",  # the drain flag was set (maintenance on, drain)
    "maintenance-on",  # confirmed in maintenance on every MaxScale
    "maintenance-off",  # confirmed out of maintenance (off, run's leave, a roll's leave)
    "switchover",  # the primary moved (outcome ok) to details.to
    "timeout",  # a change timed out (drain, confirmation, health, catch-up)
    "undo",  # a set's change was undone after another server of the set failed
    "interrupted",  # a change was interrupted (SIGINT/SIGTERM/SIGHUP, COMMAND killed)
    "rolling-node",  # one node of a roll finished (outcome: ok, failed, timeout, interrupted, error)
    "reaped",  # maintenance reap took an expired server out of maintenance
    "failed",  # a change failed otherwise (outcome failed or partial)
)


def states_of(found: Mapping[str, Server] | None, server: str) -> dict[str, str]:
    """MaxScale host -> the server's state there, from a view the procedure already read ({} if none)."""
    if not found:
        return {}
    return {(s.maxscale or key.split(" ")[0]): s.state for key, s in found.items() if s.name == server}


def build(
    kind: str,
    server: str | None,
    *,
    hosts: list[str],
    who: str,
    why: str | None,
    expires: float | None,
    outcome: str,
    states: dict[str, str],
    time: float,
    version: str,
    action: str | None,
    id: str | None,
    details: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One event, its keys in a fixed order (docs/events.md)."""
    return {
        "schema": SCHEMA,
        "event": kind,
        "server": server,
        "hosts": list(hosts),
        "who": who,
        "why": why,
        "expires": expires,
        "outcome": outcome,
        "states": states,
        "time": round(time, 3),
        "mcsctl": version,
        "action": action,
        "id": id,
        "details": dict(details or {}),
    }


def shown(url: str) -> str:
    """A webhook URL as mcsctl prints it: scheme, host and port, `/...` for a path or query; never the
    userinfo, the path or the query (webhook tokens live in all three)."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        host = parts.hostname or "?"
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "<a bad URL>"
    if not parts.scheme or not parts.hostname:
        return "<not a URL with a scheme and a host>"
    if ":" in host:
        host = f"[{host}]"
    more = "/..." if parts.path.strip("/") or parts.query else ""
    return f"{parts.scheme}://{host}{port}{more}"
