"""MaxScale JSON:API documents -> model objects. Shared by the REST backend and `maxctrl api get`."""

from __future__ import annotations

import json
from collections.abc import Callable

from ..errors import BadOutput
from ..model import CsAdmin, Monitor, Server, ServerStatus, Session, split_state

TYPE_CHECKING = False  # True for mypy; typing itself is not imported (README, Speed)
if TYPE_CHECKING:
    from typing import Any, TypeVar

    # A MaxScale JSON:API document or resource: open-ended JSON, its shape checked as it is read.
    Document = dict[str, Any]
    T = TypeVar("T")


def _get(d: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(d, dict):
            return None
        d = d.get(key)
    return d


def check_server(name: object, state: object, host: str) -> None:
    """The one validation of a server as MaxScale reports it (REST document or maxctrl row): a name, and
    a state string whose flags end in Running or Down. Anything else is bad output, never an empty row."""
    if not isinstance(name, str) or not name:
        raise BadOutput(f"a server has no name (id {json.dumps(name)})", host=host)
    if not isinstance(state, str):
        raise BadOutput(f"server {name!r}: state is {json.dumps(state)}, not a state string", host=host)
    flags, _details = split_state(state)
    if not flags or flags[-1] not in ("Running", "Down"):
        shown = state if len(state) <= 60 else state[:60] + "…"
        raise BadOutput(f"server {name!r}: state {shown!r} has no Running or Down", host=host)


def _check_server_resource(res: Any, host: str) -> None:
    if not isinstance(res, dict) or not isinstance(res.get("attributes", {}), dict):
        raise BadOutput("a server resource is not a JSON object with attributes", host=host)
    check_server(res.get("id"), (res.get("attributes") or {}).get("state"), host)


def server_from_resource(res: Document, host: str) -> Server:
    _check_server_resource(res, host)
    attrs = res.get("attributes") or {}
    params = attrs.get("parameters") or {}
    address = params.get("address")
    port = params.get("port")
    if address is None and params.get("socket"):
        address, port = params["socket"], None  # as maxctrl shows a socket server
    monitors = _get(res, "relationships", "monitors", "data") or []
    conns = _get(attrs, "statistics", "connections")
    return Server(
        name=str(res.get("id", "")),
        address=address,
        port=int(port) if isinstance(port, (int, str)) and str(port).isdigit() else None,
        connections=int(conns) if isinstance(conns, int) else None,
        state=str(attrs.get("state") or ""),
        gtid=attrs.get("gtid_current_pos") or None,
        monitor=monitors[0].get("id") if monitors else None,
        maxscale=host,
        details=str(attrs.get("state_details") or ""),
        lag=_lag(attrs.get("replication_lag")),
        status=_status(attrs.get("status")),
    )


def _status(value: Any) -> ServerStatus | None:
    """25.10's `attributes.status` ({state, mode, reason: [..], extra}); None when absent or not an object."""
    if not isinstance(value, dict):
        return None
    reason = value.get("reason")
    reasons = [reason] if isinstance(reason, str) else reason if isinstance(reason, list) else []
    return ServerStatus(
        state=str(value.get("state") or ""),
        mode=str(value.get("mode") or ""),
        reason=tuple(str(r) for r in reasons if r not in (None, "")),
    )


def _lag(value: Any) -> float | None:
    """attributes.replication_lag: seconds, -1 when MaxScale does not know (e.g. the server is down)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        return None
    return value


def servers_from_document(doc: Document, host: str) -> list[Server]:
    data = doc.get("data")
    if isinstance(data, dict):
        data = [data]
    return _shaped("server", host, lambda: [server_from_resource(r, host) for r in data or []])


def _shaped(kind: str, host: str, parse: Callable[[], list[T]]) -> list[T]:
    """Run a document parser; a part of the wrong JSON type (a list where an object belongs, ...) is bad
    output, one line, never a traceback."""
    try:
        return parse()
    except (AttributeError, TypeError, ValueError, IndexError) as e:
        raise BadOutput(
            f"a {kind} resource does not have the shape of a MaxScale one ({type(e).__name__})", host=host
        ) from None


def sessions_from_document(doc: Document, host: str) -> list[Session]:
    return _shaped("session", host, lambda: _sessions(doc, host))


def _sessions(doc: Document, host: str) -> list[Session]:
    out: list[Session] = []
    for res in doc.get("data") or []:
        attrs = res.get("attributes") or {}
        servers = tuple(c.get("server", "") for c in attrs.get("connections") or [] if c.get("server"))
        out.append(
            Session(
                id=str(res.get("id", "")),
                user=str(attrs.get("user") or ""),
                remote=str(attrs.get("remote") or ""),
                servers=servers,
                maxscale=host,
            )
        )
    return out


def monitors_from_document(doc: Document, host: str) -> list[Monitor]:
    return _shaped("monitor", host, lambda: _monitors(doc, host))


def _monitors(doc: Document, host: str) -> list[Monitor]:
    out: list[Monitor] = []
    for res in doc.get("data") or []:
        attrs = res.get("attributes") or {}
        diag = attrs.get("monitor_diagnostics") or {}
        servers = tuple(s.get("id", "") for s in _get(res, "relationships", "servers", "data") or [])
        # mariadbmon: `master` names the primary server; `primary` says whether this MaxScale's monitor
        # leads (cooperative monitoring: true/false; null when that is off).
        master = diag.get("master") if isinstance(diag.get("master"), str) else None
        leads = diag.get("primary") if isinstance(diag.get("primary"), bool) else None
        out.append(
            Monitor(
                name=str(res.get("id", "")),
                module=str(attrs.get("module") or ""),
                state=str(attrs.get("state") or ""),
                servers=servers,
                primary=master or None,
                leads=leads,
                maxscale=host,
                ticks=attrs["ticks"] if type(attrs.get("ticks")) is int else None,
                cs_admin=_cs_admin(attrs.get("parameters")),
            )
        )
    return out


def _cs_admin(params: Any) -> CsAdmin | None:
    """mariadbmon's cs_admin_* parameters (None for a monitor without them: not mariadbmon, older MaxScale)."""
    if not isinstance(params, dict) or "cs_admin_port" not in params:
        return None
    port, path, key = params.get("cs_admin_port"), params.get("cs_admin_base_path"), params.get("cs_admin_api_key")
    return CsAdmin(
        port=port if type(port) is int and 0 < port < 65536 else 8640,
        base_path=path if isinstance(path, str) and path else "/cmapi/0.4.0",
        api_key=key if isinstance(key, str) and key and key != "*****" else None,
    )


def config_sync_cluster(doc: Document) -> str | None:
    """The configuration-sync cluster of a /v1/maxscale document (22.08+), None when sync is off."""
    attrs = _get(doc, "data", "attributes") or {}
    if attrs.get("config_sync") is None:
        return None
    return (attrs.get("parameters") or {}).get("config_sync_cluster") or None


def error_details(body: bytes | str | Document | None) -> list[str]:
    """All `detail`s of a MaxScale error body, in order; [] when there is none or it is not JSON."""
    if body is None:
        return []
    if isinstance(body, (bytes, str)):
        try:
            body = json.loads(body) if body else None
        except ValueError:
            return []
    errors = body.get("errors") if isinstance(body, dict) else None
    return [str(e.get("detail")) for e in errors or [] if isinstance(e, dict) and e.get("detail")]


def last_error_detail(body: bytes | str | Document | None) -> str | None:
    """MaxScale can prepend stale, unrelated details: the last one is the real one (docs/maxscale-facts.md:
    stale-details)."""
    details = error_details(body)
    return details[-1] if details else None
