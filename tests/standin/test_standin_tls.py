"""HTTPS: -s with --tls-ca-cert, -n false, and client certificates (a throwaway self-signed CA)."""

from __future__ import annotations

import shutil
import ssl
import subprocess

import pytest

from .replay import ReplayStub
from .runner import run_inprocess

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")

PING = [
    {
        "method": "GET",
        "target": "/v1/maxscale",
        "status": 200,
        "response_headers": ["Content-Type: application/json"],
        "response_body": '{"data": {"attributes": {"version": "24.02.4"}}}',
    }
]


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    d = tmp_path_factory.mktemp("tls")
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(d / "key.pem"),
            "-out",
            str(d / "cert.pem"),
        ],
        check=True,
        capture_output=True,
    )
    return d


@pytest.fixture
def https_stub(certs):
    stub = ReplayStub(PING, {})
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(certs / "cert.pem", certs / "key.pem")
    ctx.load_verify_locations(certs / "cert.pem")
    ctx.verify_mode = ssl.CERT_OPTIONAL  # accept, and check, a client certificate when one is sent
    stub.server.socket = ctx.wrap_socket(stub.server.socket, server_side=True)
    with stub:
        yield stub


def _get(stub, tmp_path, monkeypatch, *extra):
    args = ["-s", "-h", f"127.0.0.1:{stub.port}", *extra, "api", "get", "maxscale", "data.attributes.version"]
    return run_inprocess(args, "24.02", tmp_path, monkeypatch)


def test_ca_cert(https_stub, certs, tmp_path, monkeypatch):
    res = _get(https_stub, tmp_path, monkeypatch, "--tls-ca-cert", str(certs / "cert.pem"))
    assert (res.rc, res.stdout, res.stderr) == (0, '"24.02.4"\n', "")


def test_unverified_needs_no_ca(https_stub, tmp_path, monkeypatch):
    res = _get(https_stub, tmp_path, monkeypatch, "-n", "false")
    assert (res.rc, res.stdout) == (0, '"24.02.4"\n')
    res = _get(https_stub, tmp_path, monkeypatch)
    assert (res.rc, res.stderr) == (1, "Error: self-signed certificate\n")


def test_client_certificate(https_stub, certs, tmp_path, monkeypatch):
    res = _get(
        https_stub,
        tmp_path,
        monkeypatch,
        "--tls-ca-cert",
        str(certs / "cert.pem"),
        "--tls-cert",
        str(certs / "cert.pem"),
        "--tls-key",
        str(certs / "key.pem"),
    )
    assert (res.rc, res.stdout) == (0, '"24.02.4"\n')
