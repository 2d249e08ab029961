"""The fake CMAPI's HTTP rules without HTTP: a request (method, path, headers, body) on one node in, a
status and the exact body bytes out. simulator/cmapi_serving.py is the thin TLS layer around it.

Order of checks, as CherryPy does it (the reference's §1, §8.6): the route (unknown path or wrong
method: 404), the body of a PUT/POST (and DELETE on cluster/*: 411 without Content-Length, 415 for a
JSON endpoint given another Content-Type, 400 for bad JSON or a form body), then the API key (401),
then the handler (422 `{"error": "..."}` for an application error, 500 for an unexpected one).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from . import cmapi_documents as docs
from .cmapi_model import CsModel, CsNode
from .cmapi_ops import CmapiFailure, CmapiWait
from .cmapi_spec import BASE_PATH

REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    411: "Length Required",
    415: "Unsupported Media Type",
    422: "Unprocessable Entity",
    500: "Internal Server Error",
    503: "Service Unavailable",
}
PADDED = (400, 404, 500)  # CherryPy pads small error pages to 513 bytes
JSON_TYPES = ("application/json", "text/javascript")
UNEXPECTED = "The server encountered an unexpected condition which prevented it from fulfilling the request."


@dataclass
class Request:
    method: str
    path: str
    headers: Mapping[str, str]  # case-insensitive, as aiohttp's
    body: bytes = b""
    has_length: bool = False  # a Content-Length header was sent
    content_type: str = ""
    query: dict[str, str] = field(default_factory=dict)


@dataclass
class Reply:
    status: int
    body: bytes
    delay: float = 0.0  # seconds the real call would have blocked before answering (real clock only) ...
    wall: bool = False  # ... or on any clock (a network hang, not CMAPI's time)

    @property
    def reason(self) -> str:
        return REASONS.get(self.status, "")


def framework_error(status: int, message: str) -> Reply:
    body = json.dumps({"error": {"http_status": f"{status} {REASONS[status]}", "message": message}})
    return Reply(status, (body.ljust(513) if status in PADDED else body).encode())


def app_error(message: str, status: int = 422, delay: float = 0.0, wall: bool = False) -> Reply:
    return Reply(status, json.dumps({"error": message}).encode(), delay, wall)


def ok(doc: dict, delay: float = 0.0) -> Reply:
    return Reply(200, json.dumps(doc).encode(), delay)


class NoRoute(Exception):
    """The route does not exist in this CMAPI version: 404."""


# --- handlers: (model, node, JSON body, request) -> the 200 document ---
Handler = Callable[[CsModel, CsNode, Any, Request], dict]


def _stamp(model: CsModel) -> dict:
    return {"timestamp": docs.timestamp(model.time)}


def _is_process_running(model: CsModel, node: CsNode, body: Any, req: Request) -> dict:
    name = req.query["process_name"]
    if name in model.installed():
        running = name in node.running and name != "workernode"  # workernode's unit is never active
    elif model.version == "25.x":
        running = name == "mariadbd" and model.mariadbd_up(node)
    else:
        raise RuntimeError(f"unknown process {name}")  # CS24: an unhandled KeyError
    return {"timestamp": docs.timestamp(model.time), "process_name": name, "running": running}


def _node_start(model: CsModel, node: CsNode, body: Any, req: Request) -> dict:
    model.node_start(node)
    return _stamp(model)


def _node_shutdown(model: CsModel, node: CsNode, body: Any, req: Request) -> dict:
    body.get("timeout")
    model.node_shutdown(node)
    return _stamp(model)


def _stop_dmlproc(model: CsModel, node: CsNode, body: Any, req: Request) -> dict:
    body.get("timeout")
    model.stop_dmlproc(node)
    return _stamp(model)


def _cluster(action: str) -> Handler:
    def handler(model: CsModel, node: CsNode, body: Any, req: Request) -> dict:
        body.get("timeout")  # ignored by CMAPI
        (model.cluster_start if action == "start" else model.cluster_shutdown)(node)
        return _stamp(model)

    return handler


def _mode_set(model: CsModel, node: CsNode, body: Any, req: Request) -> dict:
    mode = body.get("mode", "readonly")
    model.mode_set(node, mode)
    return {"timestamp": docs.timestamp(model.time), "cluster-mode": mode}


def _cluster_node(model: CsModel, node: CsNode, body: Any, req: Request) -> dict:
    name = body.get("node")
    done = model.remove_node(node, name) if req.method == "DELETE" else model.add_node(node, name)
    return {"timestamp": docs.timestamp(model.time), "node_id": done}


def _versions(model: CsModel, node: CsNode, body: Any, req: Request) -> dict:
    if model.version != "25.x":
        raise NoRoute  # no such route before 25.x
    return docs.versions(model)


# (methods, path after the base path, needs the key, parses a JSON body, handler)
ROUTES: list[tuple[tuple[str, ...], str, bool, bool, Handler]] = [
    (("GET",), "node/status", True, False, lambda m, n, b, r: docs.node_status(m, n)),  # see dbrm_wait
    (("GET",), "cluster/status", True, False, lambda m, n, b, r: docs.cluster_status(m, n)),
    (("GET",), "node/primary", False, False, lambda m, n, b, r: docs.is_primary(n)),
    (("GET",), "node/new_primary", False, False, lambda m, n, b, r: {"is_primary": m.new_primary(n)}),
    (("GET",), "node/is_process_running", True, False, _is_process_running),
    (("GET",), "node/config", True, False, lambda m, n, b, r: docs.node_config(m, n)),
    (("GET",), "node/versions", False, False, _versions),
    (("PUT",), "node/start", True, False, _node_start),
    (("PUT",), "node/shutdown", True, True, _node_shutdown),
    (("PUT",), "node/stop_dmlproc", True, True, _stop_dmlproc),
    (("PUT",), "cluster/start", True, True, _cluster("start")),
    (("PUT",), "cluster/shutdown", True, True, _cluster("shutdown")),
    (("PUT",), "cluster/mode-set", True, True, _mode_set),
    (("PUT", "POST", "DELETE"), "cluster/node", True, True, _cluster_node),
]


def find(method: str, path: str) -> tuple[bool, bool, Handler] | None:
    rel = path[len(BASE_PATH) + 1 :] if path.startswith(BASE_PATH + "/") else None
    for methods, route, key, json_in, handler in ROUTES:
        if rel is not None and rel.rstrip("/") == route and method in methods:
            return key, json_in, handler
    return None


def check_key(node: CsNode, headers: Mapping[str, str]) -> Reply | None:
    """401 unless the key matches; an unconfigured node stores the first non-empty key it is sent."""
    raw = headers.get("x-api-key")
    if raw is None:
        return framework_error(401, "No API key provided.")
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"":
        raw = raw[1:-1]
    if not raw:
        return framework_error(401, "Empty API key.")
    if node.api_key is None:
        node.api_key = raw  # trust on first use: this request's key becomes the node's key
    if raw != node.api_key:
        return framework_error(401, "Incorrect API key")
    return None


def read_body(req: Request, json_in: bool) -> tuple[Any, Reply | None]:
    """The parsed body of a PUT/POST/DELETE, or the error CherryPy answers before any key check."""
    if not req.has_length:
        return None, framework_error(411, "Client must specify Content-Length")
    ctype = req.content_type.lower()
    if not json_in:
        if ctype in ("application/x-www-form-urlencoded", "multipart/form-data") and req.body:
            return None, framework_error(400, "Unexpected body parameters: {}")
        return {}, None
    if ctype not in JSON_TYPES:
        return None, framework_error(415, "Expected an entity of content type application/json, text/javascript")
    try:
        return json.loads(req.body.decode("utf-8")), None
    except (ValueError, UnicodeDecodeError):
        return None, framework_error(400, "Invalid JSON document")


def dispatch(model: CsModel, node: CsNode, req: Request) -> Reply:
    """One request on one node (the model synced to now by the caller)."""
    if req.path.rstrip("/") == "/cmapi/ready" and req.method == "GET":
        return ok({"started": True}) if node.ready else app_error("CMAPI not ready to handle requests.", 503)
    found = find(req.method, req.path)
    if found is None:
        return framework_error(404, f"The path '{req.path}' was not found.")
    needs_key, json_in, handler = found
    body: Any = {}
    if req.method in ("PUT", "POST") or (req.method == "DELETE" and req.path.startswith(f"{BASE_PATH}/cluster/")):
        body, error = read_body(req, json_in)
        if error is not None:
            return error
    if needs_key:
        refused = check_key(node, req.headers)
        if refused is not None:
            return refused
    if handler is _is_process_running and "process_name" not in req.query:
        return framework_error(404, "Missing parameters: process_name")
    try:
        doc = handler(model, node, body, req)
        return ok(doc, docs.dbrm_wait(model, node) if req.path.rstrip("/").endswith("/node/status") else 0.0)
    except CmapiFailure as failure:
        return app_error(failure.message, delay=failure.delay, wall=failure.wall)
    except CmapiWait as wait:
        return Reply(0, b"", wait.seconds)  # status 0: wait, then dispatch again
    except NoRoute:
        return framework_error(404, f"The path '{req.path}' was not found.")
    except Exception:  # noqa: BLE001 - CherryPy answers any unhandled exception with a 500
        return framework_error(500, UNEXPECTED)
