"""The Backend protocol: one object per MaxScale host; both backends pass the same contract suite."""

from __future__ import annotations

from ..dataclass_lite import dataclass
from ..errors import UsageError
from ..model import Monitor, Server, Session

TYPE_CHECKING = False  # True for mypy; typing itself is not imported (README, Speed)
if TYPE_CHECKING:
    from typing import Protocol
else:
    Protocol = object  # the protocols here are for mypy only

VALID_NAME_FORBIDDEN = ("/", "?", "#", "%")
# MaxScale answers a bad password and a change by a read-only ("basic") user with the same 401.
AUTH_HINT = (
    "check the user and password (--user/--password, MCSCTL_PASSWORD); "
    "MaxScale answers a change by a read-only user the same way"
)


def check_server_name(name: str) -> str:
    """Return `name` if MaxScale accepts it and it survives an unescaped REST path, else raise UsageError.

    MaxScale forbids whitespace and a leading `@@`; maxctrl puts the name into the URL without
    escaping, so `/ ? # %` would address something else. Everything else (quotes, `;`, `$()`,
    backticks) is fine: names travel as one argv element or a quoted path part, never via a shell.
    """
    if not isinstance(name, str) or not name:
        raise UsageError("empty server name")
    if name.startswith("@@"):
        raise UsageError(f"invalid server name {name!r}: names cannot start with '@@'")
    # NUL cannot travel in argv or a URL either.
    bad = sorted({c for c in name if c.isspace() or c in VALID_NAME_FORBIDDEN or c == "\0"})
    if bad:
        shown = ", ".join(repr(c) for c in bad)
        raise UsageError(f"invalid server name {name!r}: it contains {shown}")
    return name


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

    def check_name(self, name: str) -> str:
        """Return `name` if this backend can address it verbatim, else raise UsageError (before any change)."""

    def list_servers(self) -> list[Server]: ...

    def set_state(self, server: str, state: str, force: bool = False) -> None: ...

    def clear_state(self, server: str, state: str) -> None: ...

    def list_sessions(self) -> list[Session]: ...

    def list_monitors(self) -> list[Monitor]: ...

    def switchover(self, monitor: str, new: str | None = None, old: str | None = None) -> None: ...

    def config_sync_cluster(self) -> str | None:
        """The cluster this MaxScale shares its configuration with (22.08+ config sync), or None."""

    # --dry-run: the exact call each change would make, as one printable line (never the password).
    def describe_set(self, server: str, state: str, force: bool = False) -> str: ...

    def describe_clear(self, server: str, state: str) -> str: ...

    def describe_switchover(self, monitor: str, new: str | None = None, old: str | None = None) -> str: ...
