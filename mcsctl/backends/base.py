"""The Backend protocol: one object per MaxScale host; both backends pass the same contract suite."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ..model import Monitor, Server, Session

VALID_NAME_FORBIDDEN = ("/", "?", "#", "%")


@dataclass(frozen=True)
class Connection:
    """How to reach and authenticate with one MaxScale REST endpoint."""

    host: str  # "host:port" as the admin wrote it (default port 8989)
    user: str = "admin"
    password: str = "mariadb"
    timeout: float = 10.0  # seconds, per request
    secure: bool = False
    tls_ca_cert: str | None = None
    tls_verify: bool = True


class Backend(Protocol):
    """What mcsctl needs from one MaxScale. Methods raise mcsctl.errors exceptions, with `host` set."""

    host: str

    def list_servers(self) -> list[Server]: ...

    def set_state(self, server: str, state: str, force: bool = False) -> None: ...

    def clear_state(self, server: str, state: str) -> None: ...

    def list_sessions(self) -> list[Session]: ...

    def list_monitors(self) -> list[Monitor]: ...

    def switchover(self, monitor: str, new: str | None = None, old: str | None = None) -> None: ...

    # --dry-run: the exact call each change would make, as one printable line (never the password).
    def describe_set(self, server: str, state: str, force: bool = False) -> str: ...

    def describe_clear(self, server: str, state: str) -> str: ...

    def describe_switchover(self, monitor: str, new: str | None = None, old: str | None = None) -> str: ...
