"""mcsctl's Backend over the simulator's model, in the same process and without HTTP.

`InProcessBackend` answers every Backend call by calling one `MaxScale` of `simulator.model`
directly. Reads build the REST documents with the simulator's own builders (simulator/documents.py)
and parse them with mcsctl's REST parser (mcsctl/backends/documents.py), so a procedure sees exactly
what the REST backend would. A refusal of the model (`SimError`) becomes the HTTP answer the REST API
would send, and that answer goes through the REST backend's own status mapping, so the errors are the
same mcsctl.errors exceptions with the same messages.

`SimClock` is the clock for mcsctl's `Fleet`: `sleep()` advances the model's virtual clock, and the
next call runs the monitor ticks and restarts that became due meanwhile.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from mcsctl.backends import documents as parse
from mcsctl.backends.base import Connection, check_server_name
from mcsctl.backends.rest import RestBackend
from mcsctl.model import Monitor, Server, Session

from . import documents as build
from .clock import VirtualClock
from .model import MaxScale, SimError


class SimClock:
    """mcsctl's Clock (now/sleep) over a VirtualClock: sleeping moves simulated time on."""

    def __init__(self, clock: VirtualClock) -> None:
        self.virtual = clock

    def now(self) -> float:
        return self.virtual.now()

    def sleep(self, seconds: float) -> None:
        self.virtual.advance(max(0.0, seconds))


def _wire(doc: dict[str, Any]) -> dict[str, Any]:
    """The document as it arrives after JSON encoding (tuples become lists, keys strings...)."""
    loaded: dict[str, Any] = json.loads(json.dumps(doc))
    return loaded


def error_body(err: SimError) -> bytes:
    """The body the REST API sends with a refusal (empty when the model gives no detail)."""
    if err.details is None:
        return b""
    return json.dumps({"errors": [{"detail": d} for d in err.details]}, indent=4, sort_keys=True).encode()


class InProcessBackend:
    """The Backend protocol for one simulated MaxScale, as `host`; `report_ticks=False` plays a
    MaxScale whose monitors document carries no `ticks` attribute."""

    def __init__(self, maxscale: MaxScale, host: str, report_ticks: bool = True) -> None:
        self.maxscale = maxscale
        self.host = host
        self.report_ticks = report_ticks
        self._base = f"http://{host}/v1/"
        # Only its path builders, describe_* and status mapping are used: it never opens a connection.
        self._rest = RestBackend(Connection(host=host))

    def check_name(self, name: str) -> str:
        return check_server_name(name)

    # -- reads ----------------------------------------------------------------------------

    def list_servers(self) -> list[Server]:
        doc = self._read("/v1/servers", build.servers_document)
        return parse.servers_from_document(doc, self.host)

    def list_sessions(self) -> list[Session]:
        doc = self._read("/v1/sessions", build.sessions_document)
        return parse.sessions_from_document(doc, self.host)

    def list_monitors(self) -> list[Monitor]:
        doc = self._read("/v1/monitors", build.monitors_document)
        if not self.report_ticks:
            for res in doc["data"]:
                res["attributes"].pop("ticks", None)
        return parse.monitors_from_document(doc, self.host)

    def config_sync_cluster(self) -> str | None:
        doc = self._read("/v1/maxscale", lambda ms, base: build.maxscale_document(ms, base))
        return parse.config_sync_cluster(doc)

    # -- writes ---------------------------------------------------------------------------

    def set_state(self, server: str, state: str, force: bool = False) -> None:
        path = self._rest._state_path(server, "set", state, force)
        self._call("PUT", path, server, lambda: self.maxscale.set_state(server, state, "yes" if force else None))

    def clear_state(self, server: str, state: str) -> None:
        path = self._rest._state_path(server, "clear", state, False)
        self._call("PUT", path, server, lambda: self.maxscale.set_state(server, state, clear=True))

    def switchover(self, monitor: str, new: str | None = None, old: str | None = None) -> None:
        path = self._rest._switchover_path(monitor, new, old)
        args = [a for a in (monitor, new, old) if a is not None]
        self._call("POST", path, None, lambda: self.maxscale.switchover(args))

    # -- dry run: the request the REST backend would send ---------------------------------

    def describe_set(self, server: str, state: str, force: bool = False) -> str:
        return self._rest.describe_set(server, state, force)

    def describe_clear(self, server: str, state: str) -> str:
        return self._rest.describe_clear(server, state)

    def describe_switchover(self, monitor: str, new: str | None = None, old: str | None = None) -> str:
        return self._rest.describe_switchover(monitor, new, old)

    # -- the model ------------------------------------------------------------------------

    def _read(self, path: str, builder: Any) -> dict[str, Any]:
        def get() -> dict[str, Any]:
            with self.maxscale.lock:
                self.maxscale.sync()
                return _wire(builder(self.maxscale, self._base))

        result: dict[str, Any] = self._call("GET", path, None, get)
        return result

    def _call(self, method: str, path: str, server: str | None, action: Any) -> Any:
        """Run one model call; a refusal is mapped exactly as the REST backend maps the HTTP answer."""
        try:
            return action()
        except SimError as err:
            reason = HTTPStatus(err.status).phrase  # what aiohttp sends as the reason
            self._rest._check(method, path, err.status, reason, error_body(err), server)
            raise AssertionError(f"the REST mapping accepted status {err.status}") from None
