"""Control routes under /sim/: drive a scenario (sessions, transactions, faults, clock, reset).

JSON in, JSON out; no authentication (the simulator listens on loopback only). Bad JSON or unknown
names give 400 (404 for an unknown session) with `{"errors": [{"detail": ...}]}`. Server faults
(down/up/restart/gtid) act on the shared Cluster; sessions, flags and shutdown mode on this MaxScale.
`reset` and `scenario` reload the cluster, and so every MaxScale that shares it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from aiohttp import web

from .api import find_route
from .cmapi_control import ROUTES as COLUMNSTORE_ROUTES
from .faults import Fault
from .model import MaxScale, SimError
from .scenario import ScenarioError, load_scenario


def _out(doc: Any, status: int = 200) -> web.Response:
    return web.Response(
        status=status, body=json.dumps(doc, indent=4, sort_keys=True).encode(), content_type="application/json"
    )


def _err(status: int, detail: str) -> web.Response:
    return _out({"errors": [{"detail": detail}]}, status)


async def _body(request: web.Request) -> dict:
    raw = await request.read()
    if not raw.strip():
        return {}
    try:
        doc = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise SimError(400, [f"request body is not valid JSON: {exc}"]) from None
    if not isinstance(doc, dict):
        raise SimError(400, ["request body must be a JSON object"])
    return doc


def _number(body: dict, key: str, *, integer: bool = False, required: bool = True) -> Any:
    value = body.get(key)
    if value is None and not required:
        return None
    ok_types = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, ok_types) or value < 0 or value != value:
        kind = "a non-negative integer" if integer else "a non-negative number"
        raise SimError(400, [f"`{key}` must be {kind}"])
    if value > 10**9:
        raise SimError(400, [f"`{key}` is too large"])
    return value


async def handle_control(request: web.Request, ms: MaxScale) -> web.StreamResponse:
    parts = [p for p in request.rel_url.path.split("/") if p][1:]  # after "sim"
    try:
        body = await _body(request) if request.method in ("POST", "PUT") else {}
        with ms.lock:
            return dispatch(request.method, parts, body, ms)
    except SimError as err:
        return _err(
            err.status if err.status in (400, 404, 409) else 400, err.details[-1] if err.details else "bad request"
        )
    except ScenarioError as err:
        return _err(400, str(err))


def _state(parts: list[str], body: dict, ms: MaxScale) -> web.Response:
    return _out(ms.snapshot())


def _clear_faults(parts: list[str], body: dict, ms: MaxScale) -> web.Response:
    ms.faults.clear()
    return _out({"faults": []})


def _reset(parts: list[str], body: dict, ms: MaxScale) -> web.Response:
    ms.reset()
    return _out(ms.snapshot())


def _scenario(parts: list[str], body: dict, ms: MaxScale) -> web.Response:
    cs = ms.cluster.columnstore
    if cs is not None:  # stays a ColumnStore cluster, on the same CMAPI port (and key unless given)
        from .cmapi_spec import CsSpecError, enable_columnstore

        section = body.get("columnstore") if isinstance(body.get("columnstore"), dict) else {}
        try:
            body = enable_columnstore(body, {"key": cs.spec.key, **section, "port": cs.spec.port})
        except CsSpecError as exc:
            raise SimError(400, [str(exc)]) from None
    ms.load(load_scenario(body))
    return _out(ms.snapshot())


def _advance(parts: list[str], body: dict, ms: MaxScale) -> web.Response:
    if not getattr(ms.clock, "virtual", False):
        raise SimError(400, ["the clock is real; start the simulator with a VirtualClock to advance it"])
    ms.clock.advance(_number(body, "seconds"))
    ms.sync()
    return _out({"time": ms.clock.now()})


def _shutdown_mode(parts: list[str], body: dict, ms: MaxScale) -> web.Response:
    on = body.get("on", True)
    if not isinstance(on, bool):
        raise SimError(400, ["`on` must be true or false"])
    ms.shutting_down = on
    return _out({"shutting_down": on})


def _open_sessions(parts: list[str], body: dict, ms: MaxScale) -> web.Response:
    servers = body.get("servers")
    if servers is not None and (not isinstance(servers, list) or not all(isinstance(s, str) for s in servers)):
        raise SimError(400, ["`servers` must be a list of server names"])
    for key in ("user", "remote", "service"):
        if key in body and not isinstance(body[key], str):
            raise SimError(400, [f"`{key}` must be a string"])
    ids = ms.open_sessions(
        _number(body, "count", integer=True, required=False) if "count" in body else 1,
        servers,
        body.get("user", "app"),
        body.get("remote", "127.0.0.1"),
        body.get("service"),
    )
    return _out({"ids": [str(i) for i in ids]})


def _sid(ms: MaxScale, text: str) -> int:
    try:
        return ms.session(text).id
    except SimError:
        raise SimError(404, [f"no session {text!r}"]) from None


def _servers(parts: list[str], body: dict, ms: MaxScale) -> web.Response:
    name, action = parts[1], parts[2]
    cluster = ms.cluster
    if name not in cluster.dbs:
        raise SimError(400, [f"unknown server {name!r}"])
    if action in ("down", "up"):
        cluster.set_running(name, action == "up")
    elif action == "restart":
        cluster.restart(name, _number(body, "seconds"))
    elif action == "gtid":
        gtid, lag = body.get("gtid"), body.get("lag")
        if gtid is None and lag is None:
            raise SimError(400, ["give `gtid` (a string like 0-1-20) or `lag` (transactions behind)"])
        if gtid is not None and not isinstance(gtid, str):
            raise SimError(400, ["`gtid` must be a string"])
        cluster.set_gtid(name, gtid, _number(body, "lag", integer=True, required=False))
    else:
        raise SimError(404, [f"unknown server action {action!r}: use down, up, restart or gtid"])
    ms.sync()
    return _out(ms.snapshot()["servers"][name] if name in ms.views else {"db": name})


def _fault(parts: list[str], body: dict, ms: MaxScale) -> web.Response:
    """Make the next `count` matching REST requests fail, as MaxScale would answer an error
    (e.g. a config-sync conflict on PUT set): body {"method", "path", "status", "detail", "count"}."""
    method, path, detail = body.get("method", "PUT"), body.get("path"), body.get("detail", "injected fault")
    if not isinstance(method, str) or not isinstance(path, str) or not path.startswith("/"):
        raise SimError(400, ["`path` must be a request path such as /v1/servers/mcs3/set, and `method` a string"])
    if not isinstance(detail, str):
        raise SimError(400, ["`detail` must be a string"])
    status = _number(body, "status", integer=True, required=False) or 400
    if not 400 <= status <= 599:
        raise SimError(400, ["`status` must be an HTTP error status (400-599)"])
    count = _number(body, "count", integer=True, required=False)
    ms.faults.add(Fault(method.upper(), path.rstrip("/"), status, detail, 1 if count is None else count))
    return _out({"faults": ms.faults.as_json()})


Handler = Callable[[list[str], dict, MaxScale], web.Response]

# (methods, path pattern after /sim/, handler), matched by api.find_route: "*" is any one part.
ROUTES: list[tuple[tuple[str, ...], tuple[str, ...], Handler]] = [
    (("GET",), ("state",), _state),
    (("DELETE",), ("faults",), _clear_faults),
    (("POST",), ("reset",), _reset),
    (("POST",), ("scenario",), _scenario),
    (("POST",), ("sessions",), _open_sessions),
    (("DELETE",), ("sessions", "*"), lambda parts, body, ms: _out(ms.close_session(_sid(ms, parts[1])))),
    (("POST",), ("sessions", "*", "*"), lambda parts, body, ms: _out(ms.request(_sid(ms, parts[1]), parts[2]))),
    (("POST",), ("servers", "*", "*"), _servers),
    (("POST",), ("clock", "advance"), _advance),
    (("POST",), ("faults",), _fault),
    (("POST",), ("shutdown-mode",), _shutdown_mode),
    *COLUMNSTORE_ROUTES,  # /sim/columnstore...: simulator/cmapi_control.py
]


def dispatch(method: str, parts: list[str], body: dict, ms: MaxScale) -> web.Response:
    """Dispatch one control request through ROUTES; no route: 404 with a detail naming it."""
    handler = find_route(ROUTES, method, parts)
    if handler is None:
        return _err(404, f"no control route {method} /sim/{'/'.join(parts)}")
    return handler(parts, body, ms)
