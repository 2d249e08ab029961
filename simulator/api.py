"""The MaxScale REST API (/v1) over aiohttp: HTTP in, model calls, MaxScale's exact wire form out.

`make_app(instance)` is the one app factory used by the pytest fixtures and by `maxscale-sim`; the
control routes under /sim/ (simulator/control.py) live on the same app.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import parse_qsl, unquote

from aiohttp import web

from . import documents as docs
from .model import MaxScale, SimError

MAXSCALE_KEY: web.AppKey[MaxScale] = web.AppKey("maxscale", MaxScale)

ACCESS_DENIED = b'{"errors": [ { "detail": "Access denied" } ] }'
SHUTTING_DOWN = b'{"errors": [ { "detail": "MaxScale is shutting down" } ] }'
EXTRA_HEADERS = {
    "X-Frame-Options": "Deny",
    "X-XSS-Protection": "1",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-cache",
}
METHODS = ("GET", "PUT", "PATCH", "POST", "DELETE", "OPTIONS", "HEAD")


class RawResponse(web.Response):
    """A response whose headers are exactly ours: no Server header and, unless given, no Content-Type.

    aiohttp adds `Content-Type: application/octet-stream` to any non-empty body; MaxScale's 401 and
    503 bodies are sent without a Content-Type, and clients such as maxctrl see that difference.
    """

    def __init__(
        self, status: int, body: bytes = b"", content_type: str | None = None, headers: dict | None = None
    ) -> None:
        hdrs = dict(EXTRA_HEADERS)
        hdrs.update(headers or {})
        if content_type:
            hdrs["Content-Type"] = content_type
        self._no_ctype = content_type is None
        super().__init__(status=status, body=body, headers=hdrs)

    async def _prepare_headers(self) -> None:
        await super()._prepare_headers()
        self._headers.pop("Server", None)
        if self._no_ctype:
            self._headers.pop("Content-Type", None)


def dumps(doc: object, pretty: bool = True) -> bytes:
    if pretty:
        return json.dumps(doc, indent=4, sort_keys=True).encode()
    return json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()


def json_response(
    doc: object, status: int = 200, pretty: bool = True, get: bool = False, last_modified: str | None = None
) -> RawResponse:
    body = dumps(doc, pretty)
    headers = {}
    if get:
        headers["ETag"] = '"' + hashlib.md5(body, usedforsecurity=False).hexdigest() + '"'
        if last_modified:
            headers["Last-Modified"] = last_modified
    return RawResponse(status, body, "application/json", headers)


def error_response(err: SimError, pretty: bool = True) -> RawResponse:
    if err.details is None:
        return RawResponse(err.status)
    return json_response({"errors": [{"detail": d} for d in err.details]}, err.status, pretty)


def authorized(request: web.Request, ms: MaxScale) -> bool:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "basic" or not token:
        return False
    try:
        user, sep, password = base64.b64decode(token.strip(), validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return False
    return bool(sep) and user in ms.users and ms.users[user] == password


def path_parts(request: web.Request) -> list[str]:
    """`/v1` optional, trailing and doubled slashes ignored; each part URL-decoded on its own."""
    raw = request.rel_url.raw_path
    parts = [unquote(p) for p in raw.split("/") if p]
    if parts and parts[0] == "v1":
        parts = parts[1:]
    return parts


async def handle(request: web.Request) -> web.StreamResponse:
    ms = request.app[MAXSCALE_KEY]
    raw_path = request.rel_url.raw_path
    if raw_path == "/sim" or raw_path.startswith("/sim/"):
        from .control import handle_control

        return await handle_control(request, ms)
    if ms.shutting_down:  # checked before authentication, as MaxScale does
        return RawResponse(503, SHUTTING_DOWN)
    if not authorized(request, ms):
        return RawResponse(401, ACCESS_DENIED, headers={"WWW-Authenticate": 'Basic realm="maxscale"'})
    if request.method not in METHODS:
        return RawResponse(405)
    with ms.lock:
        fault = ms.faults.take(request.method, request.rel_url.path)
    if fault is not None and not fault.perform:
        await _late(fault.delay)
        return error_response(SimError(fault.status, [fault.detail]), True)
    query = dict(parse_qsl(request.rel_url.raw_query_string, keep_blank_values=True))
    pretty = query.get("pretty", "true").lower() != "false"
    try:
        with ms.lock:
            ms.sync()
            response = route(request, ms, path_parts(request), query, pretty)
    except SimError as err:
        response = error_response(err, pretty)
    await _late(fault.delay if fault is not None else 0.0)  # carried out; the answer comes late (MXS-6265)
    return response


async def _late(delay: float) -> None:
    if delay > 0:
        import asyncio

        await asyncio.sleep(delay)


@dataclass
class Call:
    """One REST request on its way to the model: what a route handler needs."""

    request: web.Request
    ms: MaxScale
    parts: list[str]
    query: dict[str, str]
    pretty: bool
    base: str  # http://HOST/v1/, from the request's Host header

    def ok(self, doc: object) -> RawResponse:
        return json_response(doc, 200, self.pretty, get=True, last_modified=docs.http_date(self.ms.clock.now()))


def _server(c: Call) -> RawResponse:
    if c.parts[1] not in c.ms.views:
        raise c.ms.not_found("server", c.parts[1])
    return c.ok(docs.server_document(c.ms, c.parts[1], c.base))


def _monitor(c: Call) -> RawResponse:
    c.ms.monitor(c.parts[1])
    return c.ok(docs.monitor_document(c.ms, c.parts[1], c.base))


def _service(c: Call) -> RawResponse:
    if c.parts[1] not in c.ms.services:
        raise c.ms.not_found("service", c.parts[1])
    return c.ok(docs.service_document(c.ms, c.parts[1], c.base))


def _set_clear(c: Call) -> RawResponse:
    c.ms.set_state(c.parts[1], c.query.get("state"), c.query.get("force"), clear=c.parts[2] == "clear")
    return RawResponse(204)


def _monitor_run(c: Call) -> RawResponse:
    c.ms.set_monitor_running(c.parts[1], c.parts[2] == "start")
    return RawResponse(204)


# (methods, path pattern, handler): "*" matches any one part, "a|b" one of the words; the first match wins.
ROUTES: list[tuple[tuple[str, ...], tuple[str, ...], Callable[[Call], RawResponse]]] = [
    (("GET",), (), lambda c: RawResponse(200)),
    (("GET",), ("servers",), lambda c: c.ok(docs.servers_document(c.ms, c.base))),
    (("GET",), ("servers", "*"), _server),
    (("GET",), ("monitors",), lambda c: c.ok(docs.monitors_document(c.ms, c.base))),
    (("GET",), ("monitors", "*"), _monitor),
    (("GET",), ("services",), lambda c: c.ok(docs.services_document(c.ms, c.base))),
    (("GET",), ("services", "*"), _service),
    (("GET",), ("sessions",), lambda c: c.ok(docs.sessions_document(c.ms, c.base))),
    (("GET",), ("sessions", "*"), lambda c: c.ok(docs.session_document(c.ms, c.ms.session(c.parts[1]).id, c.base))),
    (("GET",), ("maxscale",), lambda c: c.ok(docs.maxscale_document(c.ms, c.base, _local_port(c.request)))),
    (("GET",), ("maxscale", "modules", "mariadbmon"), lambda c: c.ok(docs.mariadbmon_module_document(c.ms, c.base))),
    (("PUT",), ("servers", "*", "set|clear"), _set_clear),
    (("PUT",), ("monitors", "*", "stop|start"), _monitor_run),
    (("POST", "GET"), ("maxscale", "modules", "mariadbmon", "*"), lambda c: module_command(c)),
]


H = TypeVar("H")


def _matches(pattern: tuple[str, ...], parts: list[str]) -> bool:
    if len(pattern) != len(parts):
        return False
    return all(p == "*" or part in p.split("|") for p, part in zip(pattern, parts, strict=True))


def find_route(routes: list[tuple[tuple[str, ...], tuple[str, ...], H]], method: str, parts: list[str]) -> H | None:
    """The handler of the first (methods, pattern, handler) row matching; None if none does.

    The one matcher of the simulator: ROUTES here and the control routes of simulator/control.py.
    """
    for methods, pattern, handler in routes:
        if method in methods and _matches(pattern, parts):
            return handler
    return None


def route(request: web.Request, ms: MaxScale, parts: list[str], query: dict, pretty: bool) -> RawResponse:
    """Dispatch one request through ROUTES (HEAD is answered as GET); no route: 404 with no body."""
    method = "GET" if request.method == "HEAD" else request.method
    handler = find_route(ROUTES, method, parts)
    if handler is None:
        return RawResponse(404)
    return handler(Call(request, ms, parts, query, pretty, f"http://{request.host}/v1/"))


def module_command(c: Call) -> RawResponse:
    """`call command mariadbmon CMD A B C` = METHOD .../mariadbmon/CMD?A&B&C (value-less keys, in order)."""
    request, ms, cmd, pretty = c.request, c.ms, c.parts[3], c.pretty
    method = "GET" if request.method == "HEAD" else request.method
    known = {cid: m for cid, _, m in docs.module_commands(ms)}
    if cmd not in known:
        raise SimError(404, [f"Module 'mariadbmon' has no command named '{cmd}'"])
    if known[cmd] != method:
        return RawResponse(405)
    raw = request.rel_url.raw_query_string
    args = [unquote(k) for k in raw.split("&") if k and "=" not in k]
    if cmd == "fetch-cmd-result":
        result = ms.last_async_result
        if result is None:
            raise SimError(400, ["No manual command results are available."])
        if isinstance(result, SimError):
            raise result
        return json_response(
            {
                "links": {"self": f"http://{request.host}/v1/maxscale/modules/mariadbmon/fetch-cmd-result/"},
                "meta": result,
            },
            200,
            pretty,
        )
    if cmd == "async-switchover":
        try:
            ms.switchover(args)
            ms.last_async_result = "switchover completed successfully."
        except SimError as err:
            ms.last_async_result = err
        return RawResponse(204)
    ms.switchover(args, force=cmd == "switchover-force")
    return RawResponse(204)


def _local_port(request: web.Request) -> int | None:
    sock = request.transport.get_extra_info("sockname") if request.transport else None
    return sock[1] if isinstance(sock, tuple) and len(sock) >= 2 else None


def make_app(instance: MaxScale, **_: object) -> web.Application:
    """The aiohttp application serving one simulated MaxScale (REST /v1 and control /sim)."""
    app = web.Application(client_max_size=4 * 1024 * 1024)
    app[MAXSCALE_KEY] = instance
    app.router.add_route("*", "/{tail:.*}", handle)
    return app
