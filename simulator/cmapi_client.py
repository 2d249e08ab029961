"""A tiny HTTPS caller for the simulator's own tests and helpers (not mcsctl's CMAPI client).

It skips certificate checks, as MaxScale does with CMAPI's self-signed certificate, and always sends a
JSON body with PUT/POST/DELETE, as CMAPI requires. Connection failures propagate (OSError).
"""

from __future__ import annotations

import http.client
import json as _json
import ssl
from typing import Any

from .cmapi_spec import BASE_PATH


def insecure_context() -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def call(
    address: str,
    port: int,
    method: str,
    path: str,
    body: Any = None,
    key: str | None = None,
    timeout: float = 10,
    raw: bool = False,
) -> tuple[int, Any]:
    """(status, parsed JSON body) of one request; `raw=True` gives the body bytes instead.
    `path` is relative to /cmapi/0.4.0/ unless it starts with /."""
    method = method.upper()
    url = path if path.startswith("/") else f"{BASE_PATH}/{path}"
    headers = {}
    data = None
    if key is not None:
        headers["x-api-key"] = key
    if method in ("PUT", "POST", "DELETE") or body is not None:
        data = _json.dumps({} if body is None else body).encode()
        headers["Content-Type"] = "application/json"
    conn = http.client.HTTPSConnection(address, port, timeout=timeout, context=insecure_context())
    try:
        conn.request(method, url, body=data, headers=headers)
        resp = conn.getresponse()
        payload = resp.read()
    finally:
        conn.close()
    if raw:
        return resp.status, payload
    try:
        return resp.status, _json.loads(payload) if payload.strip() else None
    except ValueError:
        return resp.status, payload.decode("utf-8", "replace")
