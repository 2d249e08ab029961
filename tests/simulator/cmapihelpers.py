"""Helpers for the fake CMAPI's tests: a world (MaxScale + ColumnStore model) on a virtual clock, and
requests through the CMAPI rules without sockets (simulator.cmapi_api.dispatch)."""

from __future__ import annotations

import json
from typing import Any

from multidict import CIMultiDict

from simulator import cmapi_api
from simulator.clock import VirtualClock
from simulator.cmapi_spec import enable_columnstore
from simulator.model import Cluster, MaxScale

KEY = "test-key-0123"
T0 = 1_700_000_000.0


class World:
    """One MaxScale over a ColumnStore cluster on a virtual clock."""

    def __init__(self, servers: int | list[str] = 3, **options: Any) -> None:
        names = [f"mcs{i}" for i in range(1, servers + 1)] if isinstance(servers, int) else servers
        source = {"servers": [{"name": n} for n in names]}
        self.clock = VirtualClock(T0)
        self.ms = MaxScale(Cluster(self.clock), enable_columnstore(source, {"key": KEY, "port": 8640, **options}))
        self.cs = self.ms.cluster.columnstore

    def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)
        self.ms.sync()

    @property
    def t(self) -> float:
        return self.cs.time - T0

    def raw(
        self,
        node: str,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict | None = None,
        query: dict | None = None,
    ) -> cmapi_api.Reply:
        self.ms.sync()
        hdrs = CIMultiDict(headers or {})
        req = cmapi_api.Request(
            method=method,
            path=path,
            headers=hdrs,
            body=body or b"",
            has_length=body is not None,
            content_type=hdrs.get("Content-Type", ""),
            query=query or {},
        )
        return cmapi_api.dispatch(self.cs, self.cs.node(node), req)

    def call(self, node: str, method: str, path: str, body: Any = None, key: str | None = KEY, **kw: Any):
        """(status, parsed body) of a request as a well-behaved client sends it."""
        headers = {} if key is None else {"x-api-key": key}
        data = None
        if method in ("PUT", "POST", "DELETE"):
            data = json.dumps({} if body is None else body).encode()
            headers["Content-Type"] = "application/json"
        url = path if path.startswith("/") else f"/cmapi/0.4.0/{path}"
        reply = self.raw(node, method, url, data, headers, **kw)
        return reply.status, json.loads(reply.body)

    def status(self, node: str = "mcs1") -> tuple[int, dict]:
        return self.call(node, "GET", "cluster/status")

    def node_status(self, node: str) -> dict:
        st, doc = self.call(node, "GET", "node/status")
        assert st == 200, doc
        return doc

    def services(self, node: str) -> list[str]:
        return [s["name"] for s in self.node_status(node)["services"]]

    def pids(self) -> dict[str, dict[str, int]]:
        return {n.name: dict(n.running) for n in self.cs.nodes.values()}

    def advance_until(self, check: Any, limit: float = 600.0, step: float = 1.0) -> float:
        """Advance a second at a time until check() is true; the model time (since T0) it became true."""
        waited = 0.0
        while not check():
            assert waited < limit, f"not reached within {limit} s"
            self.advance(step)
            waited += step
        return self.t


PRIMARY = ["workernode", "controllernode", "PrimProc", "WriteEngineServer", "DMLProc", "DDLProc"]
REPLICA = ["workernode", "PrimProc", "WriteEngineServer"]
