"""Plain data for what MaxScale reports: servers, their state flags, sessions, monitors. No I/O."""

from __future__ import annotations

from .dataclass_lite import asdict, dataclass, field

TYPE_CHECKING = False  # True for mypy; typing itself is not imported (README, Speed)
if TYPE_CHECKING:
    from typing import Any, Required, TypedDict, Unpack

    class ServerFields(TypedDict, total=False):
        """The fields of a Server other than its state (Server.from_state_cell's keywords)."""

        name: Required[str]
        address: str | None
        port: int | None
        connections: int | None
        gtid: str | None
        monitor: str | None
        maxscale: str
        lag: float | None


ROLE_WORDS = ("Master", "Relay Master", "Slave", "Binlog Relay", "Synced")


def split_state(text: str) -> tuple[tuple[str, ...], str]:
    """Split a State cell into (flags, details).

    MaxScale's own string always ends in `Running` or `Down`; maxctrl 6.0+ appends
    `state_details` after it (`Slave, Running, Slave of External Server`), so
    everything after that word is details, not flags.
    """
    tokens = [t.strip() for t in text.split(",")] if text.strip() else []
    for i, tok in enumerate(tokens):
        if tok in ("Running", "Down"):
            return tuple(tokens[: i + 1]), ", ".join(tokens[i + 1 :])
    return tuple(tokens), ""


@dataclass(frozen=True)
class ServerStatus:
    """MaxScale 25.10's `attributes.status` (REST only; unverified beyond its documentation): the new State word
    (Write/Read/Up/Down), the mode and the reasons. Shown, never decided on: `state` stays the truth."""

    state: str = ""
    mode: str = ""
    reason: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"state": self.state, "mode": self.mode, "reason": list(self.reason)}


@dataclass(frozen=True)
class Server:
    """One row of `list servers` as seen through one MaxScale."""

    name: str
    address: str | None = None
    port: int | None = None
    connections: int | None = None
    state: str = ""  # MaxScale's state string, without state_details
    gtid: str | None = None
    monitor: str | None = None
    maxscale: str = ""  # which MaxScale reported it
    details: str = ""  # state_details (maxctrl 6.0+ appends it to the State column)
    # Replication lag in seconds where the backend has it without another call (REST); None = unknown. Not
    # compared: the same server through maxctrl (no lag column) and REST is the same server.
    lag: float | None = field(default=None, compare=False)
    status: ServerStatus | None = field(default=None, compare=False)  # 25.10's attributes.status, when sent

    @classmethod
    def from_state_cell(cls, cell: str, **kw: Unpack[ServerFields]) -> Server:
        flags, details = split_state(cell)
        return cls(state=", ".join(flags), details=details, **kw)

    @property
    def states(self) -> tuple[str, ...]:
        return split_state(self.state)[0]

    def has(self, word: str) -> bool:
        return word in self.states

    @property
    def in_maintenance(self) -> bool:
        return self.has("Maintenance")

    @property
    def is_primary(self) -> bool:
        return self.has("Master")

    @property
    def is_replica(self) -> bool:
        return self.has("Slave")

    @property
    def running(self) -> bool:
        return self.has("Running")

    @property
    def down(self) -> bool:
        return self.has("Down")

    @property
    def draining(self) -> bool:
        return self.has("Draining") or self.has("Drained")

    @property
    def drained(self) -> bool:
        return self.has("Drained")

    @property
    def role(self) -> str | None:
        for word in ROLE_WORDS:
            if word in self.states:
                return word
        return None

    @property
    def routable(self) -> bool:
        """Can take new traffic: running, not in maintenance, not draining."""
        return self.running and not self.in_maintenance and not self.draining

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["states"] = list(self.states)
        return d


@dataclass(frozen=True)
class Session:
    """A client session and the servers it holds connections to."""

    id: str
    user: str = ""
    remote: str = ""
    servers: tuple[str, ...] = ()
    maxscale: str = ""

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["servers"] = list(self.servers)
        return d


@dataclass(frozen=True)
class Monitor:
    name: str
    module: str = ""
    state: str = ""
    servers: tuple[str, ...] = ()
    primary: str | None = None
    maxscale: str = ""
    ticks: int | None = None  # monitor loops run so far (REST attributes.ticks); None when unknown
    leads: bool | None = None  # cooperative monitoring: this MaxScale's monitor is the one in charge
    # mariadbmon's cs_admin_port, cs_admin_base_path, cs_admin_api_key as MaxScale shows them (the key in
    # clear text: a string parameter). Never printed: repr=False; not compared.
    cs_admin: CsAdmin | None = field(default=None, compare=False, repr=False)

    @property
    def running(self) -> bool:
        return self.state == "Running"


@dataclass(frozen=True)
class CsAdmin:
    """How the monitor reaches ColumnStore's CMAPI (reference §6.1): port, base path and key (None: unset)."""

    port: int = 8640
    base_path: str = "/cmapi/0.4.0"
    api_key: str | None = field(default=None, repr=False)
