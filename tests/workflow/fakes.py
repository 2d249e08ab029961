"""An in-memory MaxScale per host, for testing the procedures' logic with failures injected."""

from __future__ import annotations

from dataclasses import dataclass, field

from mcsctl.backends.base import check_server_name
from mcsctl.errors import Refused, UnknownServer
from mcsctl.model import Monitor, Server, Session


@dataclass
class FakeServer:
    name: str
    role: str | None = "Slave"
    running: bool = True
    maintenance: bool = False
    drain: bool = False
    connections: int = 0
    gtid: str | None = "0-1-10"
    monitor: str = "MariaDB-Monitor"

    def state(self) -> str:
        words = []
        if self.maintenance:
            words.append("Maintenance")
        elif self.drain:
            words.append("Drained" if self.connections == 0 else "Draining")
        if self.role and self.running and not self.maintenance:
            words.append(self.role)
        words.append("Running" if self.running else "Down")
        return ", ".join(words)


class FakeBackend:
    def __init__(self, host: str, servers: list[FakeServer]):
        self.host = host
        self.servers = {s.name: s for s in servers}
        self.calls: list[str] = []
        self.fail_on: dict[str, Exception] = {}  # "set maintenance" -> exception to raise
        self.peers: list[FakeBackend] = [self]
        self.sync_cluster: str | None = None

    def _check(self, op: str):
        if op in self.fail_on:
            raise self.fail_on[op]

    def _get(self, name):
        if name not in self.servers:
            raise UnknownServer(name, host=self.host)
        return self.servers[name]

    def check_name(self, name):
        return check_server_name(name)

    def list_servers(self) -> list[Server]:
        self._check("list")
        return [
            Server(name=s.name, address="127.0.0.1", port=3306, connections=s.connections, state=s.state(),
                   gtid=s.gtid, monitor=s.monitor, maxscale=self.host)
            for s in self.servers.values()
        ]

    def set_state(self, server, state, force=False):
        self.calls.append(f"set {server} {state}{' force' if force else ''}")
        self._check(f"set {state}")
        s = self._get(server)
        if s.role == "Master" and s.running and state in ("maintenance", "drain"):
            raise Refused("primary refused", status=400, detail="The server is primary...", host=self.host)
        if state == "maintenance":
            s.maintenance = True
            if force:
                s.connections = 0
        else:
            s.drain = True
        self._synced(server, state, True)

    def clear_state(self, server, state):
        self.calls.append(f"clear {server} {state}")
        self._check(f"clear {state}")
        s = self._get(server)
        if state == "maintenance":
            s.maintenance = False
        else:
            s.drain = False
        self._synced(server, state, False)

    def _synced(self, server, state, on):
        """Config sync: MaxScales of the same sync cluster copy maintenance/drain."""
        for p in self.peers:
            if p is not self and self.sync_cluster and p.sync_cluster == self.sync_cluster:
                setattr(p.servers[server], "maintenance" if state == "maintenance" else "drain", on)

    def list_sessions(self):
        return [Session(id=str(i), user="app", remote="10.0.0.9", servers=(n,), maxscale=self.host)
                for n, s in self.servers.items() for i in range(s.connections)]

    def list_monitors(self):
        return [Monitor(name="MariaDB-Monitor", module="mariadbmon", state="Running", servers=tuple(self.servers))]

    def config_sync_cluster(self):
        return self.sync_cluster

    def switchover(self, monitor, new=None, old=None):
        self.calls.append(f"switchover {monitor} {new} {old}")
        self._check("switchover")
        for b in self.peers:  # roles are the database's: every MaxScale sees the switchover
            b.servers[old].role, b.servers[new].role = "Slave", "Master"

    def describe_set(self, server, state, force=False):
        return f"{self.host}: set {server} {state}{' --force' if force else ''}"

    def describe_clear(self, server, state):
        return f"{self.host}: clear {server} {state}"

    def describe_switchover(self, monitor, new=None, old=None):
        return f"{self.host}: switchover {monitor} {new} {old}"


def cluster(hosts=("a:8989",), n=3):
    backends = []
    for h in hosts:
        servers = [FakeServer(f"mcs{i}", role="Master" if i == 1 else "Slave", gtid=f"0-1-{20 - i}") for i in range(1, n + 1)]
        backends.append(FakeBackend(h, servers))
    for b in backends:
        b.peers = backends
    return backends


class FakeClock:
    """Virtual time; `on_sleep` callbacks model the world moving on (sessions closing...)."""

    def __init__(self):
        self.t = 0.0
        self.on_sleep = []

    def now(self):
        return self.t

    def sleep(self, seconds):
        self.t += seconds
        for fn in self.on_sleep:
            fn(self.t)


__all__ = ["FakeBackend", "FakeServer", "FakeClock", "cluster"]
