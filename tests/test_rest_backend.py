"""RestBackend against real MaxScale 24.02 captures served byte for byte, plus transport failures."""

from __future__ import annotations

import base64
import http.server
import json
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass, field

import pytest

from mcsctl.backends.base import Connection
from mcsctl.backends.rest import RestBackend, parse_host
from mcsctl.errors import (
    AuthFailed,
    BadOutput,
    ExitCode,
    Refused,
    UnknownServer,
    Unreachable,
    UsageError,
)
from tests.ports import closed_port

from .golden import GOLDEN

REAL = GOLDEN / "real-24.02"
PRIMARY_REFUSED = (
    "The server is primary, so it cannot be set in maintenance or draining mode. "
    "First perform a switchover and then retry the operation."
)


@dataclass
class Exchange:
    """One captured request and the exact answer to give to it."""

    method: str
    target: str
    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes
    auth: str | None | bool = False  # False: answer whatever credentials come


def real(case: str) -> Exchange:
    """A capture from the real MaxScale 24.02.4 (`*.rest.json` + `*.body`)."""
    meta = json.loads((REAL / f"{case}.rest.json").read_text())
    method, target = meta["request"].split(" ", 1)
    body_file = REAL / f"{case}.body"
    body = body_file.read_bytes() if body_file.exists() else b""
    headers = list(meta.get("headers", {}).items())
    if not any(k.lower() == "content-length" for k, _ in headers):
        headers.append(("Content-Length", str(len(body))))
    return Exchange(method, target, meta["status"], meta["reason"], headers, body, meta.get("auth", False))


REASONS = {204: "No Content", 404: "Not Found", 503: "Service Unavailable", 400: "Bad Request"}


def stub(folder: str, case: str, index: int = -1) -> Exchange:
    """An exchange from a maxctrl golden capture (`*.http.json`), e.g. 22.08's body-less 404."""
    ex = json.loads((GOLDEN / folder / f"{case}.http.json").read_text())[index]
    headers = [tuple(h.split(": ", 1)) for h in ex["response_headers"]]
    return Exchange(
        ex["method"], ex["target"], ex["status"], REASONS[ex["status"]], headers, ex["response_body"].encode()
    )


def synthetic(method: str, target: str, status: int, reason: str, body: bytes, ctype: str | None = "application/json"):
    headers = [("Content-Type", ctype)] if ctype else []
    return Exchange(method, target, status, reason, headers + [("Content-Length", str(len(body)))], body)


@dataclass
class GoldenServer:
    """A local HTTP/1.1 server that answers only the exchanges it is given."""

    exchanges: list[Exchange] = field(default_factory=list)
    seen: list[dict] = field(default_factory=list)
    connections: int = 0
    close_after_each: bool = False  # drop keep-alive sockets silently after every answer
    port: int = 0

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def serve(self, *exchanges: Exchange) -> GoldenServer:
        self.exchanges = list(exchanges)
        return self

    def answer(self, method: str, target: str, auth: str | None) -> Exchange | None:
        for ex in self.exchanges:
            if (ex.method, ex.target) == (method, target) and (ex.auth is False or ex.auth == auth):
                return ex
        return None


def _handler(state: GoldenServer):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def setup(self):
            super().setup()
            state.connections += 1

        def _any(self):
            raw = self.headers.get("Authorization")
            auth = base64.b64decode(raw.split(" ", 1)[1]).decode() if raw else None
            state.seen.append({"method": self.command, "target": self.path, "headers": dict(self.headers)})
            ex = state.answer(self.command, self.path, auth)
            if ex is None:
                ex = synthetic(self.command, self.path, 599, "Not Captured", b"")
            self.send_response_only(ex.status, ex.reason)
            for k, v in ex.headers:
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(ex.body)
            if state.close_after_each:
                self.close_connection = True

        do_GET = do_PUT = do_POST = _any

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture(scope="module")
def _golden_server():
    state = GoldenServer()
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    srv.daemon_threads = True
    state.port = srv.server_address[1]
    threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield state
    srv.shutdown()
    srv.server_close()


@pytest.fixture
def golden(_golden_server):
    """The module's golden server, emptied for this test."""
    st = _golden_server
    st.exchanges, st.seen, st.connections, st.close_after_each = [], [], 0, False
    return st


def backend(host: str, **kw) -> RestBackend:
    return RestBackend(Connection(host=host, **kw))


# -- reads ---------------------------------------------------------------------------------


def test_list_servers_real_capture(golden):
    golden.serve(real("get_servers"))
    servers = backend(golden.host).list_servers()
    assert [(s.name, s.address, s.port, s.state, s.gtid, s.monitor, s.connections) for s in servers] == [
        ("mcs1", "127.0.0.1", 3311, "Master, Running", "0-1-16", "MariaDB-Monitor", 0),
        ("mcs2", "127.0.0.1", 3312, "Slave, Running", "0-1-16", "MariaDB-Monitor", 0),
        ("mcs3", "127.0.0.1", 3313, "Slave, Running", "0-1-16", "MariaDB-Monitor", 0),
    ]
    assert {s.maxscale for s in servers} == {golden.host}
    req = golden.seen[0]
    assert (req["method"], req["target"]) == ("GET", "/v1/servers")
    assert req["headers"]["Authorization"] == "Basic YWRtaW46bWFyaWFkYg=="  # admin:mariadb, sent up front


def test_list_servers_counts_connections(golden):
    golden.serve(real("get_servers_with_session"))
    assert [s.connections for s in backend(golden.host).list_servers()] == [1, 1, 1]


def test_list_sessions_and_monitors(golden):
    golden.serve(real("get_sessions_one"), real("get_monitors"))
    b = backend(golden.host)
    (sess,) = b.list_sessions()
    assert (sess.id, sess.user, sess.remote, sess.servers) == ("1", "app", "127.0.0.1", ("mcs1", "mcs2", "mcs3"))
    (mon,) = b.list_monitors()
    assert (mon.name, mon.module, mon.state, mon.servers, mon.primary) == (
        "MariaDB-Monitor",
        "mariadbmon",
        "Running",
        ("mcs1", "mcs2", "mcs3"),
        "mcs1",
    )
    assert golden.connections == 1  # one keep-alive connection carried both requests


def test_empty_sessions(golden):
    golden.serve(real("get_sessions_empty"))
    assert backend(golden.host).list_sessions() == []


def test_json_without_data_is_bad_output(golden):
    golden.serve(synthetic("GET", "/v1/servers", 200, "OK", b'{"links": {}}'))
    with pytest.raises(BadOutput):
        backend(golden.host).list_servers()


def test_non_json_answer_is_bad_output(golden):
    golden.serve(synthetic("GET", "/v1/servers", 200, "OK", b"<html>hello</html>", "text/html"))
    with pytest.raises(BadOutput) as e:
        backend(golden.host).list_servers()
    assert e.value.host == golden.host and e.value.exit_code == ExitCode.UNREACHABLE


# -- writes --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "case, call",
    [
        ("set_maint_mcs3", lambda b: b.set_state("mcs3", "maintenance")),
        ("clear_maint_mcs3", lambda b: b.clear_state("mcs3", "maintenance")),
        ("set_drain_mcs3", lambda b: b.set_state("mcs3", "drain")),
        ("clear_drain_mcs3", lambda b: b.clear_state("mcs3", "drain")),
        ("rest_switchover_back", lambda b: b.switchover("MariaDB-Monitor", "mcs1", "mcs2")),
    ],
)
def test_writes_send_the_exact_request(golden, case, call):
    ex = real(case)
    golden.serve(ex)
    assert call(backend(golden.host)) is None
    assert [(r["method"], r["target"]) for r in golden.seen] == [(ex.method, ex.target)]
    if ex.method in ("PUT", "POST"):
        assert golden.seen[0]["headers"]["Content-Length"] == "0"


def test_force_query(golden):
    golden.serve(synthetic("PUT", "/v1/servers/mcs3/set?state=maintenance&force=yes", 204, "No Content", b""))
    backend(golden.host).set_state("mcs3", "maintenance", force=True)
    assert golden.seen[0]["target"] == "/v1/servers/mcs3/set?state=maintenance&force=yes"


@pytest.mark.parametrize(
    "case, call",
    [
        ("set_maint_mcs1", lambda b: b.set_state("mcs1", "maintenance")),
        ("set_maint_force_mcs1", lambda b: b.set_state("mcs1", "maintenance", force=True)),
        ("set_drain_mcs1", lambda b: b.set_state("mcs1", "drain")),
    ],
)
def test_primary_refused(golden, case, call):
    golden.serve(real(case))
    with pytest.raises(Refused) as e:
        call(backend(golden.host))
    assert (e.value.status, e.value.detail, e.value.host) == (400, PRIMARY_REFUSED, golden.host)
    assert str(e.value) == f"{golden.host}: {PRIMARY_REFUSED}"
    assert e.value.exit_code == ExitCode.FAILED


@pytest.mark.parametrize(
    "case, state, detail",
    [
        ("set_bad_state", "bogus", "Invalid or missing value for the `state` parameter"),
        (
            "set_master_state",
            "master",
            "Server  mcs3 is monitored so only maintenance and drain status can be altered manually. "
            "Status was not modified.",
        ),
    ],
)
def test_other_refusals(golden, case, state, detail):
    golden.serve(real(case))
    with pytest.raises(Refused) as e:
        backend(golden.host).set_state("mcs3", state)
    assert (e.value.status, e.value.detail) == (400, detail)


def test_stale_details_take_the_last(golden):
    body = json.dumps(
        {
            "errors": [
                {
                    "detail": "Server  mcs3 is monitored so only maintenance and drain status can be altered manually. "
                    "Status was not modified."
                },
                {"detail": PRIMARY_REFUSED},
            ]
        },
        indent=4,
    ).encode()
    golden.serve(synthetic("PUT", "/v1/servers/mcs1/set?state=maintenance", 400, "Bad Request", body))
    with pytest.raises(Refused) as e:
        backend(golden.host).set_state("mcs1", "maintenance")
    assert e.value.detail == PRIMARY_REFUSED


def test_legacy_403_refusal(golden):
    body = b'{"errors":[{"detail":"The server is master, so it cannot be set in maintenance or draining mode."}]}'
    golden.serve(synthetic("PUT", "/v1/servers/mcs1/set?state=maintenance", 403, "Forbidden", body))
    with pytest.raises(Refused) as e:
        backend(golden.host).set_state("mcs1", "maintenance")
    assert e.value.status == 403 and e.value.detail.startswith("The server is master")


def test_unknown_server_24_02(golden):
    golden.serve(real("set_maint_unknown"))
    with pytest.raises(UnknownServer) as e:
        backend(golden.host).set_state("nosuch", "maintenance")
    assert (e.value.server, e.value.host, str(e.value)) == (
        "nosuch",
        golden.host,
        f"{golden.host}: nosuch is not a server",
    )


def test_unknown_server_with_stale_detail(golden):
    body = (
        b'{"errors":[{"detail":"Server  mcs3 is monitored so only maintenance and drain status can be altered '
        b'manually. Status was not modified."},{"detail":"nosuch is not a server"}]}'
    )
    golden.serve(synthetic("PUT", "/v1/servers/nosuch/clear?state=maintenance", 404, "Not Found", body))
    with pytest.raises(UnknownServer):
        backend(golden.host).clear_state("nosuch", "maintenance")


def test_unknown_server_22_08_has_no_body(golden):
    golden.serve(stub("maxctrl-22.08", "set_unknown_server"))
    with pytest.raises(UnknownServer) as e:
        backend(golden.host).set_state("mcs99", "maintenance")
    assert e.value.server == "mcs99"


def test_switchover_bad_target_refused(golden):
    body = b'{"errors":[{"detail":"Argument 2, server not found: nosuch"}]}'
    golden.serve(
        synthetic("POST", "/v1/maxscale/modules/mariadbmon/switchover?MariaDB-Monitor&nosuch", 400, "Bad Request", body)
    )
    with pytest.raises(Refused) as e:
        backend(golden.host).switchover("MariaDB-Monitor", "nosuch")
    assert e.value.detail == "Argument 2, server not found: nosuch"


def test_switchover_monitor_only(golden):
    golden.serve(synthetic("POST", "/v1/maxscale/modules/mariadbmon/switchover?mcs_monitor", 204, "No Content", b""))
    backend(golden.host).switchover("mcs_monitor")
    assert golden.seen[0]["target"] == "/v1/maxscale/modules/mariadbmon/switchover?mcs_monitor"


# -- authentication and availability ----------------------------------------------------------


@pytest.mark.parametrize("case, password", [("get_servers_badpw", "wrong")])
def test_wrong_password(golden, case, password):
    golden.serve(real("get_servers"), real(case))
    with pytest.raises(AuthFailed) as e:
        backend(golden.host, password=password).list_servers()
    assert e.value.host == golden.host and e.value.exit_code == ExitCode.UNREACHABLE
    assert password not in str(e.value) and "admin" in str(e.value)
    assert "Access denied" in str(e.value)


def test_shutting_down(golden):
    golden.serve(stub("maxctrl-24.02", "shutting_down_set"))
    with pytest.raises(Unreachable) as e:
        backend(golden.host).set_state("mcs3", "maintenance")
    assert str(e.value) == f"{golden.host}: MaxScale is shutting down"


def test_connection_refused():
    port = closed_port()  # connecting gets an immediate RST (deterministic)
    with pytest.raises(Unreachable) as e:
        backend(f"127.0.0.1:{port}").list_servers()
    assert str(e.value) == f"127.0.0.1:{port}: cannot connect: connection refused"
    assert type(e.value) is Unreachable and e.value.exit_code == ExitCode.UNREACHABLE


def test_timeout():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)  # accepts (kernel backlog) but never answers
    host = f"127.0.0.1:{listener.getsockname()[1]}"
    with listener, pytest.raises(Unreachable) as e:
        backend(host, timeout=0.2).set_state("mcs3", "maintenance")
    assert str(e.value) == f"{host}: no answer within 0.2s (timed out)"


def test_https_against_plain_http(golden):
    golden.serve(real("get_servers"))
    with pytest.raises(Unreachable) as e:
        backend(golden.host, secure=True).list_servers()
    assert "TLS error" in str(e.value) and e.value.host == golden.host


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    """The golden server behind HTTPS with a throwaway self-signed certificate for 127.0.0.1."""
    import shutil
    import ssl

    if not shutil.which("openssl"):
        pytest.skip("openssl is needed to make a test certificate")
    d = tmp_path_factory.mktemp("tls")
    cert, key = d / "cert.pem", d / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    state = GoldenServer().serve(real("get_servers"))
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    state.port = srv.server_address[1]
    threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield state, str(cert)
    srv.shutdown()
    srv.server_close()


def test_https_with_ca_cert(tls_server):
    state, cert = tls_server
    b = backend(state.host, secure=True, tls_ca_cert=cert)
    assert [s.name for s in b.list_servers()] == ["mcs1", "mcs2", "mcs3"]
    assert b.describe_set("mcs3", "drain").startswith(f"PUT https://{state.host}/")


def test_https_untrusted_certificate(tls_server):
    state, _ = tls_server
    with pytest.raises(Unreachable) as e:
        backend(state.host, secure=True).list_servers()
    assert "TLS certificate not trusted" in str(e.value) and e.value.hint


def test_https_without_verification(tls_server):
    state, _ = tls_server
    assert len(backend(state.host, secure=True, tls_verify=False).list_servers()) == 3


def test_https_missing_ca_file(tls_server, tmp_path):
    state, _ = tls_server
    with pytest.raises(Unreachable) as e:
        backend(state.host, secure=True, tls_ca_cert=str(tmp_path / "nope.pem")).list_servers()
    assert "cannot use CA certificate" in str(e.value)


def test_keep_alive_retry_after_server_closed_idle_connection(golden):
    golden.close_after_each = True  # closes without `Connection: close`, like an idle timeout
    golden.serve(real("get_servers"), real("set_maint_mcs3"))
    b = backend(golden.host)
    b.list_servers()
    b.set_state("mcs3", "maintenance")
    assert [r["target"] for r in golden.seen] == ["/v1/servers", "/v1/servers/mcs3/set?state=maintenance"]
    assert golden.connections == 2  # the PUT went out again on a fresh connection


def test_post_always_uses_a_fresh_connection(golden):
    """A switchover is not idempotent: never send it on a socket the server may have dropped."""
    golden.serve(real("get_servers"), real("rest_switchover_back"))
    b = backend(golden.host)
    b.list_servers()
    b.switchover("MariaDB-Monitor", "mcs1", "mcs2")
    assert golden.connections == 2


# -- names, hosts, describe, trace ------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("127.0.0.1", ("127.0.0.1", 8989)),
        ("127.0.0.1:18989", ("127.0.0.1", 18989)),
        ("maxscale.example", ("maxscale.example", 8989)),
        ("[::1]:8990", ("::1", 8990)),
        ("[::1]", ("::1", 8989)),
        ("::1", ("::1", 8989)),
        ("[fe80::1%eth0]:8989", ("fe80::1%eth0", 8989)),
    ],
)
def test_parse_host(text, expected):
    assert parse_host(text) == expected


@pytest.mark.parametrize(
    "text", ["", "host:", "host:abc", "host:0", "host:70000", "[::1", "[::1]x", ":8989", "http://127.0.0.1:8989"]
)
def test_parse_host_rejects(text):
    with pytest.raises(UsageError):
        parse_host(text)


def test_describe_strings_never_show_credentials():
    b = backend("127.0.0.1:8989", user="mcsadmin", password="s3cr3t")
    assert (
        b.describe_set("mcs3", "maintenance", force=True)
        == "PUT http://127.0.0.1:8989/v1/servers/mcs3/set?state=maintenance&force=yes"
    )
    assert b.describe_set("mcs3", "drain") == "PUT http://127.0.0.1:8989/v1/servers/mcs3/set?state=drain"
    assert (
        b.describe_clear("mcs3", "maintenance") == "PUT http://127.0.0.1:8989/v1/servers/mcs3/clear?state=maintenance"
    )
    assert (
        b.describe_switchover("MariaDB-Monitor", "mcs2", "mcs1")
        == "POST http://127.0.0.1:8989/v1/maxscale/modules/mariadbmon/switchover?MariaDB-Monitor&mcs2&mcs1"
    )
    assert (
        backend("[::1]", secure=True).describe_clear("mcs3", "drain")
        == "PUT https://[::1]:8989/v1/servers/mcs3/clear?state=drain"
    )


def test_trace_gets_each_request(golden):
    golden.serve(real("get_servers"), real("set_maint_mcs3"))
    lines: list[str] = []
    b = RestBackend(Connection(host=golden.host), trace=lines.append)
    b.list_servers()
    b.set_state("mcs3", "maintenance")
    assert lines == [f"GET http://{golden.host}/v1/servers", b.describe_set("mcs3", "maintenance")]


def test_names_are_quoted_into_the_path(golden):
    golden.serve(synthetic("PUT", "/v1/servers/mcs%263%27%3B%24%28x%29/set?state=maintenance", 204, "No Content", b""))
    backend(golden.host).set_state("mcs&3';$(x)", "maintenance")
    assert golden.seen[0]["target"] == "/v1/servers/mcs%263%27%3B%24%28x%29/set?state=maintenance"
    assert backend("h").describe_clear("n\u00e9", "drain") == "PUT http://h:8989/v1/servers/n%C3%A9/clear?state=drain"


@pytest.mark.parametrize("name", ["", "a b", "a/b", "a?b", "a#b", "a%b", "@@x", "tab\t", "new\nline"])
def test_bad_names_rejected_before_any_request(golden, name):
    b = backend(golden.host)
    for call in (
        lambda: b.set_state(name, "maintenance"),
        lambda: b.clear_state(name, "drain"),
        lambda: b.describe_set(name, "maintenance"),
        lambda: b.switchover(name),
    ):
        with pytest.raises(UsageError):
            call()
    assert golden.seen == []


def test_switchover_old_without_new_is_usage_error():
    with pytest.raises(UsageError):
        backend("h").describe_switchover("mon", None, "mcs1")


def test_ipv6_loopback_request():
    try:
        srv = http.server.ThreadingHTTPServer.__new__(http.server.ThreadingHTTPServer)
        srv.address_family = socket.AF_INET6
        state = GoldenServer().serve(real("get_servers"))
        http.server.ThreadingHTTPServer.__init__(srv, ("::1", 0), _handler(state))
    except OSError:
        pytest.skip("no IPv6 loopback here")
    threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        servers = backend(f"[::1]:{srv.server_address[1]}").list_servers()
        assert [s.name for s in servers] == ["mcs1", "mcs2", "mcs3"]
        assert state.seen[0]["headers"]["Host"] == f"[::1]:{srv.server_address[1]}"
    finally:
        srv.shutdown()
        srv.server_close()


def test_import_is_lean():
    """Importing the backend pulls in no HTTP client, aiohttp or sh (start-up cost)."""
    code = (
        "import sys, mcsctl.backends.rest; "
        "print(sorted(m for m in ('http.client', 'aiohttp', 'sh', 'ssl', 'jinja2') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
