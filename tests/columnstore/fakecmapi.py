"""A tiny fake CMAPI over real HTTPS (self-signed, made with the openssl CLI) for the client's unit tests.

It serves the reference's documents byte for byte (columnstore-reference.md §1, §2.1 Example A) and
records every request with its headers. `answers[(method, path)] = (status, body bytes)` overrides a path.
Until the simulator models CMAPI (branch cs-sim) this is the only CMAPI the tests talk to.
"""

from __future__ import annotations

import json
import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

BASE = "/cmapi/0.4.0"
# Reference §1, exact bodies.
NO_KEY = b'{"error": {"http_status": "401 Unauthorized", "message": "No API key provided."}}'
WRONG_KEY = b'{"error": {"http_status": "401 Unauthorized", "message": "Incorrect API key"}}'
NOT_READY = b'{"error": "CMAPI not ready to handle requests."}'
STARTED = b'{"started": true}'
# Reference §2.1 Example A, the mcs1 entry (pids and times are the reference's examples).
MCS1_STATUS = (
    b'{"timestamp": "2025-03-04 10:15:02.131208", "uptime": 86412, "dbrm_mode": "master", '
    b'"cluster_mode": "readwrite", "dbroots": ["1"], "module_id": 1, '
    b'"services": [{"name": "workernode", "pid": 1312}, {"name": "controllernode", "pid": 1355}, '
    b'{"name": "PrimProc", "pid": 1371}, {"name": "WriteEngineServer", "pid": 1402}, '
    b'{"name": "DMLProc", "pid": 1420}, {"name": "DDLProc", "pid": 1447}], "mariadbd_running": true}'
)
MCS2_STATUS = (
    b'{"timestamp": "2025-03-04 10:15:02.164951", "uptime": 86390, "dbrm_mode": "slave", '
    b'"cluster_mode": "readonly", "dbroots": ["2"], "module_id": 2, '
    b'"services": [{"name": "workernode", "pid": 1290}, {"name": "PrimProc", "pid": 1318}, '
    b'{"name": "WriteEngineServer", "pid": 1349}], "mariadbd_running": true}'
)


def config_xml(revision: int, active: list[str], inactive: list[str] = (), primary: str = "mcs1") -> str:
    nodes = lambda tag, names: f"<{tag}>" + "".join(f"<Node>{n}</Node>" for n in names) + f"</{tag}>"  # noqa: E731
    return (
        '<Columnstore Version="V1.0.0">'
        f"<ConfigRevision>{revision}</ConfigRevision><PrimaryNode>{primary}</PrimaryNode>"
        + nodes("DesiredNodes", list(active) + list(inactive))
        + nodes("ActiveNodes", active)
        + nodes("InactiveNodes", inactive)
        + "<Maintenance>false</Maintenance>"
        "<CrossEngineSupport><User>cej</User><Password>secret-cej-password</Password></CrossEngineSupport>"
        "<SystemModuleConfig><ModuleIPAddr1-1-3>127.0.0.11</ModuleIPAddr1-1-3>"
        "<ModuleHostName1-1-3>mcs1</ModuleHostName1-1-3></SystemModuleConfig>"
        "</Columnstore>"
    )


def make_cert(directory: Path, cn: str = "mariadb.com", ca: tuple[Path, Path] | None = None) -> tuple[Path, Path]:
    """A certificate and key: self-signed like CMAPI's (CN mariadb.com), or signed by `ca` for `cn`."""
    crt, key = directory / f"{cn}.crt", directory / f"{cn}.key"
    if ca is None:
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
             f"/O=MariaDB Corporation/CN={cn}", "-keyout", str(key), "-out", str(crt),
             "-addext", f"subjectAltName=DNS:{cn},IP:127.0.0.1", "-addext", "basicConstraints=critical,CA:TRUE"],
            check=True, capture_output=True,
        )  # fmt: skip
        return crt, key
    csr = directory / f"{cn}.csr"
    ext = directory / f"{cn}.ext"
    ext.write_text(f"subjectAltName=DNS:{cn}\n")
    subprocess.run(["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={cn}",
                    "-keyout", str(key), "-out", str(csr)], check=True, capture_output=True)  # fmt: skip
    subprocess.run(["openssl", "x509", "-req", "-in", str(csr), "-CA", str(ca[0]), "-CAkey", str(ca[1]),
                    "-CAcreateserial", "-days", "2", "-out", str(crt), "-extfile", str(ext)],
                   check=True, capture_output=True)  # fmt: skip
    return crt, key


class FakeCmapi:
    """One node's CMAPI on (host, ephemeral port) over HTTPS."""

    def __init__(self, cert: tuple[Path, Path], host: str = "127.0.0.1", key: str | None = "cmapi-key"):
        self.key = key
        self.status = MCS1_STATUS
        self.config = {"timestamp": "2025-03-04 10:15:02.2", "config": config_xml(5, ["mcs1", "mcs2"]), "sm_config": ""}
        self.answers: dict[tuple[str, str], tuple[int, bytes]] = {}
        self.requests: list[tuple[str, str, dict[str, str], bytes]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _serve(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                fake.requests.append((method, self.path, dict(self.headers.items()), body))
                status, data = fake.answer(method, self.path, self.headers.get("x-api-key"))
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                self._serve("GET")

            def do_PUT(self):
                self._serve("PUT")

        self.server = ThreadingHTTPServer((host, 0), Handler)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(str(cert[0]), str(cert[1]))
        self.server.socket = ctx.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def answer(self, method: str, path: str, key: str | None) -> tuple[int, bytes]:
        if (method, path) in self.answers:
            return self.answers[(method, path)]
        if path == "/cmapi/ready":
            return 200, STARTED
        if path != f"{BASE}/node/primary":
            if key is None:
                return 401, NO_KEY
            if key.strip("'\"") != self.key:
                return 401, WRONG_KEY
        if (method, path) == ("GET", f"{BASE}/node/status"):
            return 200, self.status
        if (method, path) == ("GET", f"{BASE}/node/config"):
            return 200, json.dumps(self.config).encode()
        if (method, path) == ("GET", f"{BASE}/node/primary"):
            return 200, b'{"is_primary": "True"}'
        if (method, path) == ("PUT", f"{BASE}/node/start"):
            return 200, b'{"timestamp": "2025-03-04 10:15:03.000001"}'
        msg = f"The path '{path}' was not found."
        return 404, json.dumps({"error": {"http_status": "404 Not Found", "message": msg}}).encode()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
