"""readwritesplit in brief: client sessions, their connections, and where each request is routed.

A session holds one connection per server it uses and one of them as its primary connection. New
sessions never connect to a server that is down, in maintenance or draining; an existing connection
ends when its server goes down or into maintenance (at the session's next request), and a forced
maintenance closes them at once.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import SimError
from .replication import Cluster
from .status import ServerView, is_primary, usable_for_new


@dataclass
class SessionState:
    id: int
    user: str
    remote: str
    service: str | None
    connected: float
    last_active: float
    conns: dict[str, int] = field(default_factory=dict)  # server -> connection id
    master: str | None = None  # the server its primary connection goes to
    in_trx: bool = False
    trx_writes: int = 0
    requests: int = 0


class Routing:
    """The readwritesplit part of a MaxScale (mixed into simulator.model.MaxScale)."""

    cluster: Cluster
    lock: threading.RLock
    clock: Any
    profile: str
    views: dict[str, ServerView]
    services: dict[str, Any]
    sessions: dict[int, SessionState]
    next_session_id: int
    events: list[dict[str, Any]]

    if TYPE_CHECKING:  # provided by the other parts of MaxScale

        def not_found(self, kind: str, name: str) -> SimError: ...

        def sync(self) -> None: ...

    def connections(self, name: str) -> int:
        return sum(1 for s in self.sessions.values() if name in s.conns)

    def is_master(self, name: str) -> bool:
        return is_primary(self.views[name].bits)

    def usable_for_new(self, name: str) -> bool:
        return usable_for_new(self.views[name].bits)

    def _move_primaries(self, new: str) -> None:
        """A new primary appeared: sessions whose primary connection went elsewhere move to it."""
        for s in list(self.sessions.values()):
            if s.master is not None and s.master != new and not self.is_master(s.master):
                if not self.usable_for_new(new):
                    continue
                s.master = new
                if new not in s.conns:
                    self._connect(s, new)

    def _connect(self, s: SessionState, server: str) -> None:
        s.conns[server] = self.cluster.next_conn_id(server)
        v = self.views[server]
        v.total_connections += 1
        v.max_connections = max(v.max_connections, self.connections(server))

    def _open(
        self, servers: list[str] | None, user: str, remote: str, service: str | None, check: bool = True
    ) -> SessionState:
        if service is None:
            service = next(iter(self.services), None)
        elif service not in self.services:
            raise SimError(400, [f"unknown service {service!r}"])
        members = [n for n, v in self.views.items() if service is None or service in v.services]
        if servers is None:
            servers = [n for n in members if self.is_master(n)]
            servers += [n for n in members if "slave" in self.views[n].bits and not self.is_master(n)]
            check = True
        else:
            for n in servers:
                if n not in self.views:
                    raise SimError(400, [f"unknown server {n!r}"])
        if check:  # new sessions never connect to servers in maintenance, draining or down
            servers = [n for n in servers if self.usable_for_new(n)]
        now = self.clock.now()
        s = SessionState(self.next_session_id, user, remote, service, now, now)
        self.next_session_id += 1
        self.sessions[s.id] = s
        for n in servers:
            self._connect(s, n)
        s.master = next((n for n in servers if self.is_master(n)), None)
        return s

    def existing_sessions(self, count: int, servers: list[str], user: str = "app", remote: str = "127.0.0.1") -> None:
        """Sessions connected to `servers` since before any flag was set (as a scenario's sessions are):
        no check that the servers take new sessions."""
        with self.lock:
            self.sync()
            for _ in range(count):
                self._open(servers, user, remote, None, check=False)

    def open_sessions(
        self,
        count: int = 1,
        servers: list[str] | None = None,
        user: str = "app",
        remote: str = "127.0.0.1",
        service: str | None = None,
    ) -> list[int]:
        with self.lock:
            self.sync()
            if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= 10_000:
                raise SimError(400, ["count must be an integer 0-10000"])
            ids = []
            for _ in range(count):
                s = self._open(servers, user, remote, service)
                if not s.conns:
                    del self.sessions[s.id]
                    raise SimError(
                        400, [("cannot open a session: no usable server (all are down, in maintenance or draining)")]
                    )
                ids.append(s.id)
            return ids

    def session(self, sid: Any) -> SessionState:
        try:
            return self.sessions[int(sid)]
        except (KeyError, ValueError, TypeError):
            raise self.not_found("session", str(sid)) from None

    def close_session(self, sid: Any, reason: str = "client", lost: bool = False) -> dict[str, Any]:
        with self.lock:
            s = self.session(sid)
            del self.sessions[s.id]
            ev = {
                "event": "session_closed",
                "session": s.id,
                "reason": reason,
                "transaction_lost": lost,
                "time": self.clock.now(),
            }
            self.events.append(ev)
            return ev

    def _stale(self, s: SessionState, server: str) -> bool:
        b = self.views[server].bits
        if "running" not in b:
            return True
        if "maint" not in b:
            return False  # draining: existing connections carry on
        # readwritesplit keeps a primary connection in maintenance while a transaction is open;
        # measured on 24.02.4 it did not (simulator/README.md), so only the legacy profile keeps it.
        return not (server == s.master and s.in_trx and self.profile == "legacy")

    def _close_stale(self, s: SessionState) -> None:
        for server in [n for n in s.conns if self._stale(s, n)]:
            del s.conns[server]

    def request(self, sid: Any, kind: str) -> dict[str, Any]:
        """A client request on a session: begin, commit, rollback, read or write."""
        if kind not in ("begin", "commit", "rollback", "read", "write"):
            raise SimError(400, [f"unknown request {kind!r}: use begin, commit, rollback, read or write"])
        with self.lock:
            self.sync()
            s = self.session(sid)
            s.requests += 1
            s.last_active = self.clock.now()
            self._close_stale(s)
            has_master = s.master is not None and s.master in s.conns
            out: dict[str, Any] = {"id": str(s.id), "request": kind, "closed": False, "transaction_lost": False}
            if s.in_trx and not has_master:
                return self._lost(s, out, "primary connection lost during a transaction")
            if kind == "read" and not s.in_trx:
                target = next((n for n in s.conns if n != s.master), None) or (s.master if has_master else None)
                if target is None:
                    target = self._reconnect_replica(s)
                if target is None:
                    return self._lost(s, out, "no server left to route a read to")
                return self._routed(s, out, target)
            if not has_master and not self._reconnect_master(s):  # not in a transaction here
                return self._lost(s, out, "no valid primary connection for a write")
            assert s.master is not None
            if kind == "begin":
                s.in_trx, s.trx_writes = True, 0
            elif kind == "write":
                if s.in_trx:
                    s.trx_writes += 1
                else:
                    self.cluster.write(s.master)
            elif kind in ("commit", "rollback"):
                if s.in_trx and kind == "commit" and s.trx_writes:
                    self.cluster.write(s.master)
                out["committed" if kind == "commit" else "rolled_back"] = s.in_trx
                s.in_trx, s.trx_writes = False, 0
            self._routed(s, out, s.master)
            self._close_stale(s)  # a connection kept for the transaction closes once it ends
            out["connections"] = sorted(s.conns)
            return out

    def _routed(self, s: SessionState, out: dict[str, Any], server: str) -> dict[str, Any]:
        self.views[server].routed_packets += 1
        out.update(routed_to=server, in_transaction=s.in_trx, connections=sorted(s.conns))
        return out

    def _lost(self, s: SessionState, out: dict[str, Any], why: str) -> dict[str, Any]:
        lost = s.in_trx
        self.close_session(s.id, reason=why, lost=lost)
        out.update(closed=True, transaction_lost=lost, reason=why, routed_to=None, in_transaction=False)
        return out

    def _reconnect_replica(self, s: SessionState) -> str | None:
        for n, v in self.views.items():
            if "slave" in v.bits and self.usable_for_new(n) and (s.service is None or s.service in v.services):
                self._connect(s, n)
                return n
        return None

    def _reconnect_master(self, s: SessionState) -> bool:
        """master_reconnection: outside a transaction a session may connect to the current primary."""
        for n, v in self.views.items():
            if self.is_master(n) and self.usable_for_new(n) and (s.service is None or s.service in v.services):
                s.master = n
                if n not in s.conns:
                    self._connect(s, n)
                return True
        return False

    def _hangup(self, server: str, reason: str) -> None:
        """Close every connection to `server` now (forced maintenance, or the server went down)."""
        for s in list(self.sessions.values()):
            if server not in s.conns:
                continue
            del s.conns[server]
            if server == s.master and s.in_trx:
                self.close_session(s.id, reason=f"primary connection closed ({reason})", lost=True)
