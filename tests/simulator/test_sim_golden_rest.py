"""The REST API against captures from a real MaxScale 24.02.4 (golden/real-24.02): status, body, fields."""

from __future__ import annotations

import json

from .simhelpers import assert_same_document, real_body, real_meta, real_raw, response_doc


def _put(sim, path, **kw):
    return sim.api("PUT", path, **kw)


def test_get_servers_matches_real(vsim):
    st, headers, body = vsim.api("GET", "/v1/servers")
    assert st == real_meta("get_servers")["status"] == 200
    assert headers["Content-Type"] == "application/json"
    assert_same_document(real_body("get_servers"), json.loads(body))


def test_json_is_sorted_with_four_space_indent(vsim):
    _, _, body = vsim.api("GET", "/v1/servers/mcs3")
    doc = json.loads(body)
    assert body == json.dumps(doc, indent=4, sort_keys=True).encode()
    _, _, compact = vsim.api("GET", "/v1/servers/mcs3?pretty=false")
    assert b"\n" not in compact and json.loads(compact) == doc


def test_get_server_mcs1_and_mcs3_match_real(vsim):
    for name in ("mcs1", "mcs3"):
        st, _, body = vsim.api("GET", f"/v1/servers/{name}")
        assert st == 200
        assert_same_document(real_body(f"get_server_{name}"), json.loads(body))


def test_links_use_the_host_header(vsim):
    doc = vsim.get_json("/v1/servers/mcs3")
    assert doc["links"]["self"] == f"http://{vsim.host}/v1/servers/mcs3/"


def test_monitors_services_maxscale_sessions_match_real(vsim):
    assert_same_document(real_body("get_monitors"), vsim.get_json("/v1/monitors"))
    assert_same_document(real_body("get_services"), vsim.get_json("/v1/services"))
    assert_same_document(real_body("get_sessions_empty"), vsim.get_json("/v1/sessions"))
    assert_same_document(real_body("get_maxscale"), vsim.get_json("/v1/maxscale"))
    assert vsim.get_json("/v1/maxscale")["data"]["attributes"]["version"] == "24.02.4"


def test_one_session_matches_real(vsim):
    st, body = vsim.control("POST", "/sim/sessions", {"count": 1})
    assert st == 200 and body == {"ids": ["1"]}
    doc = vsim.get_json("/v1/sessions")
    real = real_body("get_sessions_one")
    for d in (doc, real):  # the client's own port and connection attributes are per-connection noise
        d["data"][0]["attributes"]["port"] = 0
    assert_same_document(real, doc)
    conns = doc["data"][0]["attributes"]["connections"]
    assert [c["server"] for c in conns] == ["mcs1", "mcs2", "mcs3"]
    real, got = real_body("get_servers_with_session"), vsim.get_json("/v1/servers")
    for d in (real, got):  # the real client's start-up queries were routed; ours sent none
        for s in d["data"]:
            s["attributes"]["statistics"].update(routed_packets=0, response_time_distribution=None)
    assert_same_document(real, got)
    assert [s["attributes"]["statistics"]["connections"] for s in vsim.get_json("/v1/servers")["data"]] == [1, 1, 1]
    one = vsim.get_json("/v1/sessions/1")
    assert one["data"]["id"] == "1" and one["links"]["self"].endswith("/v1/sessions/1/")


def test_ping_is_200_with_empty_body(vsim):
    for path in ("/v1/", "/v1", "/"):
        st, headers, body = vsim.api("GET", path)
        assert (st, body) == (200, b"")
        assert "Content-Type" not in headers


def test_v1_prefix_optional_and_trailing_slash_ignored(vsim):
    a = vsim.get_json("/v1/servers/mcs2")
    assert vsim.get_json("/servers/mcs2/") == a
    assert vsim.get_json("/v1/servers/mcs2/") == a


def test_unknown_path_is_404_without_body(vsim):
    st, headers, body = vsim.api("GET", "/v1/nosuch/thing")
    assert (st, body) == (404, b"")
    assert "Content-Type" not in headers


def test_get_unknown_server(vsim):
    st, _, body = vsim.api("GET", "/v1/servers/nosuch")
    assert st == real_meta("get_server_unknown")["status"] == 404
    assert body == real_raw("get_server_unknown")


def test_set_and_clear_maintenance_204_empty(vsim):
    st, headers, body = _put(vsim, "/v1/servers/mcs3/set?state=maintenance")
    assert (st, body) == (204, b"")
    assert "Content-Type" not in headers
    assert vsim.get_json("/v1/servers/mcs3")["data"]["attributes"]["state"] == "Maintenance, Running"
    assert_same_document(real_body("get_server_mcs3_maint"), vsim.get_json("/v1/servers/mcs3"))
    assert _put(vsim, "/v1/servers/mcs3/set?state=maintenance")[0] == 204  # again: still 204
    assert _put(vsim, "/v1/servers/mcs3/clear?state=maintenance")[0] == 204
    assert _put(vsim, "/v1/servers/mcs3/clear?state=maintenance")[0] == 204
    assert vsim.get_json("/v1/servers/mcs3")["data"]["attributes"]["state"] == "Slave, Running"


def test_error_cases_match_real_bytes(vsim):
    cases = {
        "set_maint_mcs1": "/v1/servers/mcs1/set?state=maintenance",
        "set_maint_force_mcs1": "/v1/servers/mcs1/set?state=maintenance&force=yes",
        "set_drain_mcs1": "/v1/servers/mcs1/set?state=drain",
        "set_bad_state": "/v1/servers/mcs3/set?state=bogus",
        "set_master_state": "/v1/servers/mcs3/set?state=master",
    }
    for case, path in cases.items():
        vsim.reset()  # a fresh MaxScale: no stale errors from earlier cases
        st, headers, body = _put(vsim, path)
        assert st == real_meta(case)["status"], case
        assert body == real_raw(case), case
        assert headers["Content-Type"] == "application/json"
    vsim.reset()
    st, _, body = _put(vsim, "/v1/servers/nosuch/set?state=maintenance")
    assert (st, body) == (404, real_raw("set_maint_unknown"))
    assert vsim.get_json("/v1/servers/mcs1")["data"]["attributes"]["state"] == "Master, Running"


def test_force_first_query_order_and_missing_state(vsim):
    assert _put(vsim, "/v1/servers/mcs3/set?force=yes&state=maintenance")[0] == 204
    st, _, body = _put(vsim, "/v1/servers/mcs3/set")
    assert st == 400 and b"Invalid or missing value for the `state` parameter" in body


def test_state_names_are_case_insensitive(vsim):
    for state in ("MAINT", "Maintenance", "maint"):
        assert _put(vsim, f"/v1/servers/mcs3/set?state={state}")[0] == 204
        assert _put(vsim, f"/v1/servers/mcs3/clear?state={state}")[0] == 204
    for state in ("Drain", "DRAIN"):
        assert _put(vsim, f"/v1/servers/mcs2/set?state={state}")[0] == 204
    assert vsim.get_json("/v1/servers/mcs2")["data"]["attributes"]["state"] == "Drained, Slave, Running"
    for state in ("binlogrouter", "BLR", "Running", "SLAVE", "synced"):
        st, _, body = _put(vsim, f"/v1/servers/mcs3/set?state={state}")
        assert st == 400 and b"is monitored" in body, state


def test_stale_monitored_error_leaks_into_next_404(vsim):
    _put(vsim, "/v1/servers/mcs3/set?state=master")
    st, _, body = _put(vsim, "/v1/servers/nosuch/set?state=maintenance")
    details = [e["detail"] for e in json.loads(body)["errors"]]
    assert st == 404
    assert details == [
        "Server  mcs3 is monitored so only maintenance and drain status can be altered manually. "
        "Status was not modified.",
        "nosuch is not a server",
    ]
    st, _, body = _put(vsim, "/v1/servers/nosuch/set?state=maintenance")
    assert len(json.loads(body)["errors"]) == 1  # the list was emptied by the previous answer


def test_401_raw_form(vsim):
    for kw, case in (({"password": "wrong"}, "get_servers_badpw"), ({"auth": False}, "get_servers_noauth")):
        st, headers, body = vsim.api("GET", "/v1/servers", **kw)
        assert st == real_meta(case)["status"] == 401
        assert body == real_raw(case) == b'{"errors": [ { "detail": "Access denied" } ] }'
        assert headers["WWW-Authenticate"] == 'Basic realm="maxscale"'
        assert "Content-Type" not in headers
    assert vsim.api("PUT", "/v1/servers/mcs3/set?state=maintenance", user="nobody")[0] == 401
    assert vsim.get_json("/v1/servers/mcs3")["data"]["attributes"]["state"] == "Slave, Running"


def test_custom_users(make_sim):
    sim = make_sim(users={"mcsadmin": "s3cr3t"})
    assert sim.api("GET", "/v1/servers")[0] == 401
    assert sim.api("GET", "/v1/servers", user="mcsadmin", password="s3cr3t")[0] == 200


def test_shutdown_mode_503_before_auth(vsim):
    assert vsim.control("POST", "/sim/shutdown-mode", {"on": True})[0] == 200
    for kw in ({}, {"password": "wrong"}):
        st, headers, body = vsim.api("GET", "/v1/servers", **kw)
        assert (st, body) == (503, b'{"errors": [ { "detail": "MaxScale is shutting down" } ] }')
        assert "Content-Type" not in headers
    vsim.control("POST", "/sim/shutdown-mode", {"on": False})
    assert vsim.api("GET", "/v1/servers")[0] == 200


def test_common_headers(vsim):
    _, headers, _ = vsim.api("GET", "/v1/servers")
    for k, v in {
        "X-Frame-Options": "Deny",
        "X-XSS-Protection": "1",
        "Referrer-Policy": "same-origin",
        "Cache-Control": "no-cache",
    }.items():
        assert headers[k] == v
    assert "Date" in headers and "ETag" in headers and "Last-Modified" in headers
    assert "Server" not in headers


def test_module_document_and_switchover(vsim):
    doc = vsim.get_json("/v1/maxscale/modules/mariadbmon/")
    golden = response_doc("cluster3__GET_v1_maxscale_modules_mariadbmon__port18989.json")
    ids = [c["id"] for c in doc["data"]["attributes"]["commands"]]
    assert ids[:3] == ["switchover", "async-switchover", "fetch-cmd-result"]
    doc["data"]["attributes"]["commands"] = doc["data"]["attributes"]["commands"][:3]
    assert_same_document(golden, doc)

    st, _, body = vsim.api("POST", "/v1/maxscale/modules/mariadbmon/switchover?MariaDB-Monitor&mcs2&mcs1")
    assert (st, body) == (204, b"")
    states = {s["id"]: s["attributes"]["state"] for s in vsim.get_json("/v1/servers")["data"]}
    assert states == {"mcs1": "Slave, Running", "mcs2": "Master, Running", "mcs3": "Slave, Running"}
    assert vsim.api("PUT", "/v1/servers/mcs1/set?state=maintenance")[0] == 204
    st, _, body = vsim.api("PUT", "/v1/servers/mcs2/set?state=maintenance")
    assert st == 400 and b"The server is primary" in body
    vsim.api("PUT", "/v1/servers/mcs1/clear?state=maintenance")
    st, _, _ = vsim.api("POST", "/v1/maxscale/modules/mariadbmon/switchover?MariaDB-Monitor&mcs1&mcs2")
    assert st == real_meta("rest_switchover_back")["status"] == 204
    assert vsim.get_json("/v1/servers/mcs1")["data"]["attributes"]["state"] == "Master, Running"


def test_switchover_errors(vsim):
    st, _, body = vsim.api("POST", "/v1/maxscale/modules/mariadbmon/switchover?MariaDB-Monitor&nosuch")
    assert st == 400
    assert json.loads(body) == {"errors": [{"detail": "Argument 2, server not found: nosuch"}]}
    vsim.api("PUT", "/v1/servers/mcs3/set?state=maintenance")
    st, _, body = vsim.api("POST", "/v1/maxscale/modules/mariadbmon/switchover?MariaDB-Monitor&mcs3")
    assert st == 400 and "down or in maintenance" in json.loads(body)["errors"][-1]["detail"]
    st, _, body = vsim.api("POST", "/v1/maxscale/modules/mariadbmon/switchover?NoMonitor")
    assert st == 400 and "monitor not found" in json.loads(body)["errors"][-1]["detail"]
    assert vsim.get_json("/v1/servers/mcs1")["data"]["attributes"]["state"] == "Master, Running"
    # no NEW: MaxScale picks a usable replica (mcs3 is in maintenance)
    assert vsim.api("POST", "/v1/maxscale/modules/mariadbmon/switchover?MariaDB-Monitor")[0] == 204
    assert vsim.get_json("/v1/servers/mcs2")["data"]["attributes"]["state"] == "Master, Running"


def test_monitor_stop_start_and_unknown(vsim):
    assert vsim.api("PUT", "/v1/monitors/MariaDB-Monitor/stop")[0] == 204
    assert vsim.get_json("/v1/monitors/MariaDB-Monitor")["data"]["attributes"]["state"] == "Stopped"
    # with the monitor stopped, the primary's maintenance is accepted (no check at all)
    assert vsim.api("PUT", "/v1/servers/mcs1/set?state=maintenance")[0] == 204
    assert vsim.api("PUT", "/v1/servers/mcs3/set?state=master")[0] == 204
    assert vsim.api("PUT", "/v1/monitors/MariaDB-Monitor/start")[0] == 204
    assert vsim.get_json("/v1/monitors")["data"][0]["attributes"]["state"] == "Running"
    st, _, body = vsim.api("GET", "/v1/monitors/nosuch")
    assert st == 404 and json.loads(body)["errors"][-1]["detail"] == "nosuch is not a monitor"
    st, _, body = vsim.api("GET", "/v1/sessions/77")
    assert st == 404 and json.loads(body)["errors"][-1]["detail"] == "77 is not a session"


def test_odd_names_and_methods_never_500(vsim):
    long = "x" * 5000
    for method, path in (
        ("GET", f"/v1/servers/{long}"),
        ("PUT", f"/v1/servers/{long}/set?state=maint"),
        ("GET", "/v1/servers/%00%ff"),
        ("GET", "/v1/servers/a%2Fb"),
        ("DELETE", "/v1/servers/mcs1"),
        ("POST", "/v1/servers"),
        ("PUT", "/v1/servers/mcs1/set?state=%ff%fe"),
        ("GET", "/v1/sessions/abc"),
        ("POST", "/v1/maxscale/modules/mariadbmon/nosuch?x"),
        ("GET", "/v1/maxscale/modules/mariadbmon/switchover"),
    ):
        st, _, _ = vsim.api(method, path)
        assert 400 <= st < 500, (method, path[:40], st)


def test_async_switchover_and_fetch_result(vsim):
    base = "/v1/maxscale/modules/mariadbmon"
    assert vsim.api("GET", f"{base}/fetch-cmd-result?MariaDB-Monitor")[0] == 400
    assert vsim.api("POST", f"{base}/async-switchover?MariaDB-Monitor&mcs3")[0] == 204
    st, _, body = vsim.api("GET", f"{base}/fetch-cmd-result?MariaDB-Monitor")
    assert st == 200 and "meta" in json.loads(body)
    assert vsim.get_json("/v1/servers/mcs3")["data"]["attributes"]["state"] == "Master, Running"
    assert vsim.api("POST", f"{base}/switchover-force?MariaDB-Monitor&mcs1")[0] == 204
    assert vsim.get_json("/v1/servers/mcs1")["data"]["attributes"]["state"] == "Master, Running"


def test_head_and_unknown_method(vsim):
    st, _, body = vsim.api("HEAD", "/v1/servers")
    assert st == 200 and body == b""
    # MaxScale answers 405; aiohttp's HTTP parser rejects unknown methods itself with 400 (still a 4xx)
    assert vsim.api("FOO", "/v1/servers")[0] in (400, 405)
