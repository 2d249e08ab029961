"""Control routes for the ColumnStore side (/sim/columnstore...), added to simulator/control.py's table.

    GET  /sim/columnstore                       the whole CMAPI model (nodes, configs, processes, queue, log)
    POST /sim/columnstore/NAME/processes        {"stop": [names]} or {"start": [names]} (or both); {"break": [names]}:
                                                they stop and fail every start until {"fix": [names]}
    POST /sim/columnstore/NAME/host             {"up": false} powers the host off (mariadbd too), true boots it;
                                                {"up": false, "blackhole": true}: requests to it hang instead
    POST /sim/columnstore/NAME/cmapi-restart    CMAPI restarts (start-up sequence; processes keep running)
    POST /sim/columnstore/NAME/transaction      {"seconds": N}: a CMAPI transaction holds the node (0 ends it)

A reboot is the existing `POST /sim/servers/NAME/restart {"seconds": S}`: with ColumnStore on, the host
goes down (processes, CMAPI, heartbeat) and boots S seconds later; CMAPI starts, ColumnStore does not.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from .cmapi_model import CsError, CsModel, CsNode
from .errors import SimError


def _out(doc: Any) -> web.Response:
    return web.Response(body=json.dumps(doc, indent=4, sort_keys=True).encode(), content_type="application/json")


def _model(ms: Any) -> CsModel:
    model = ms.cluster.columnstore
    if model is None:
        raise SimError(400, ["this simulator has no ColumnStore side (start it with --columnstore)"])
    model.sync_all()
    return model


def _node_doc(model: CsModel, node: CsNode) -> web.Response:
    return _out(model.snapshot()["nodes"][node.name])


def _names(body: dict, key: str) -> list[str]:
    value = body.get(key, [])
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        raise SimError(400, [f"`{key}` must be a list of process names"])
    return value


def _call(fn: Any, *args: Any) -> CsNode:
    try:
        node: CsNode = fn(*args)
    except CsError as exc:
        raise SimError(400, [str(exc)]) from None
    return node


def _processes(parts: list[str], body: dict, ms: Any) -> web.Response:
    model = _model(ms)
    stop, start, broken, fixed = (_names(body, k) for k in ("stop", "start", "break", "fix"))
    if not (stop or start or broken or fixed):
        raise SimError(400, ['give {"stop": [names]}, {"start": [names]}, {"break": [names]} or {"fix": [names]}'])
    return _node_doc(model, _call(model.set_processes, parts[1], stop, start, broken, fixed))


def _host(parts: list[str], body: dict, ms: Any) -> web.Response:
    model = _model(ms)
    up, blackhole = body.get("up"), body.get("blackhole", False)
    if not isinstance(up, bool) or not isinstance(blackhole, bool):
        raise SimError(400, ["`up` (and `blackhole`) must be true or false"])
    node = _call(model.power, parts[1], up, blackhole)
    ms.sync()
    return _node_doc(model, node)


def _cmapi_restart(parts: list[str], body: dict, ms: Any) -> web.Response:
    model = _model(ms)
    return _node_doc(model, _call(model.restart_cmapi, parts[1]))


def _transaction(parts: list[str], body: dict, ms: Any) -> web.Response:
    from .control import _number

    model = _model(ms)
    return _node_doc(model, _call(model.hold_transaction, parts[1], _number(body, "seconds")))


ROUTES: list[tuple[tuple[str, ...], tuple[str, ...], Any]] = [
    (("GET",), ("columnstore",), lambda parts, body, ms: _out(_model(ms).snapshot())),
    (("POST",), ("columnstore", "*", "processes"), _processes),
    (("POST",), ("columnstore", "*", "host"), _host),
    (("POST",), ("columnstore", "*", "cmapi-restart"), _cmapi_restart),
    (("POST",), ("columnstore", "*", "transaction"), _transaction),
]
