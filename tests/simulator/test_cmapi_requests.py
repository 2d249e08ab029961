"""Property test of the fake CMAPI's request rules: any method, path, headers and body give one of CMAPI's
statuses with a JSON body, the body checks come before the key check, and nothing raises."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.cmapi_api import ROUTES

from .cmapihelpers import KEY, World

WORLD = World()
PATHS = ["/cmapi/ready", "/cmapi/0.4.0/x", "/cmapi/0.4.0/"] + [f"/cmapi/0.4.0/{r[1]}" for r in ROUTES]
STATUSES = {200, 400, 401, 404, 411, 415, 422, 500, 503}


@settings(max_examples=300, deadline=None)
@given(
    method=st.sampled_from(["GET", "PUT", "POST", "DELETE", "PATCH"]),
    path=st.sampled_from(PATHS),
    ctype=st.sampled_from(
        ["", "application/json", "text/javascript", "text/plain", "application/x-www-form-urlencoded"]
    ),
    body=st.none() | st.binary(max_size=40) | st.sampled_from([b"{}", b'{"mode": "readonly"}', b'{"node": 3}', b"[]"]),
    key=st.none() | st.sampled_from(["", KEY, f'"{KEY}"', "wrong", "''"]),
    query=st.dictionaries(st.sampled_from(["process_name", "x"]), st.sampled_from(["DMLProc", "mariadbd", "?"])),
)
def test_any_request_gets_a_cmapi_answer(method, path, ctype, body, key, query):
    headers = {} if key is None else {"x-api-key": key}
    if ctype:
        headers["Content-Type"] = ctype
    reply = WORLD.raw("mcs2", method, path, body, headers, query)
    assert reply.status in STATUSES
    doc = json.loads(reply.body)
    assert isinstance(doc, dict)
    if reply.status != 200:
        assert list(doc) == ["error"]
        if reply.status in (422, 503):
            assert isinstance(doc["error"], str)  # CMAPI's flat application errors
        else:
            assert doc["error"]["http_status"].startswith(f"{reply.status} ")  # CherryPy's
    if reply.status == 401:  # the body was acceptable, or there was none to check
        assert method == "GET" or body is not None
    if method in ("PUT", "POST") and body is None and reply.status not in (404, 503):
        assert reply.status == 411
