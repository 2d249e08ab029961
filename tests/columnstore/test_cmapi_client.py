"""The CMAPI client against a real HTTPS fake serving the reference's documents byte for byte."""

from __future__ import annotations

import json

import pytest

from mcsctl.backends.cmapi import CmapiClient, CmapiEndpoint, CmapiUnreachable
from mcsctl.cs_config import parse_config, storage_of
from mcsctl.errors import AuthFailed, ExitCode, OperationFailed, exit_code_of
from tests.ports import closed_port

from .fakecmapi import BASE, MCS1_STATUS, NOT_READY, FakeCmapi, config_xml, make_cert


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    d = tmp_path_factory.mktemp("certs")
    ca = make_cert(d, "mcsctl-test-ca")
    return {"self": make_cert(d), "ca": ca, "localhost": make_cert(d, "localhost", ca=ca)}


@pytest.fixture
def fake(certs):
    f = FakeCmapi(certs["self"])
    yield f
    f.stop()


def client(fake: FakeCmapi, **kw) -> CmapiClient:
    args = dict(node="mcs1", address="127.0.0.1", port=fake.port, key="cmapi-key", timeout=5.0) | kw
    return CmapiClient(CmapiEndpoint(**args))


def test_node_status_is_the_document_as_served(fake):
    assert client(fake).node_status() == json.loads(MCS1_STATUS)
    method, path, headers, _ = fake.requests[-1]
    assert (method, path) == ("GET", f"{BASE}/node/status")
    assert headers["x-api-key"] == "cmapi-key"


def test_ready_and_not_ready(fake):
    assert client(fake).ready() is True
    fake.answers[("GET", "/cmapi/ready")] = (503, NOT_READY)
    assert client(fake).ready() is False


def test_no_key_sends_no_header_and_gets_401(fake):
    with pytest.raises(AuthFailed) as e:
        client(fake, key=None).node_status()
    assert "No API key provided." in e.value.message
    assert "x-api-key" not in {k.lower() for k in fake.requests[-1][2]}
    assert exit_code_of(e.value) == ExitCode.UNREACHABLE


def test_wrong_key_is_auth_failed_exit_3(fake):
    with pytest.raises(AuthFailed) as e:
        client(fake, key="wrong").node_status()
    assert e.value.message == f"CMAPI on mcs1 (127.0.0.1:{fake.port}) refused the API key: Incorrect API key"
    assert "wrong" not in str(e.value) and "cmapi-key" not in str(e.value)  # never print a key
    assert "--cmapi-key" in (e.value.hint or "")


def test_put_sends_a_json_body(fake):
    client(fake).node_start()
    method, path, headers, body = fake.requests[-1]
    assert (method, path, body) == ("PUT", f"{BASE}/node/start", b"{}")
    assert headers["Content-Type"] == "application/json"


def test_422_flat_error_is_operation_failed(fake):
    fake.answers[("PUT", f"{BASE}/node/start")] = (422, b'{"error": "Error while starting node processes. Details: x"}')
    with pytest.raises(OperationFailed) as e:
        client(fake).node_start()
    assert "422: Error while starting node processes. Details: x" in e.value.message
    assert exit_code_of(e.value) == ExitCode.FAILED


def test_404_cherrypy_body(fake):
    with pytest.raises(OperationFailed) as e:
        client(fake)._call("GET", f"{BASE}/x")
    assert f"404: The path '{BASE}/x' was not found." in e.value.message


def test_unreachable_is_exit_3():
    port = closed_port()
    c = CmapiClient(CmapiEndpoint(node="mcs3", address="127.0.0.1", port=port, key="k", timeout=2.0))
    with pytest.raises(CmapiUnreachable) as e:
        c.node_status()
    assert e.value.message == f"cannot reach CMAPI on mcs3 (127.0.0.1:{port}): connection refused"
    assert exit_code_of(e.value) == ExitCode.UNREACHABLE


def test_ca_cert_verifies_the_certificate(fake, certs):
    with pytest.raises(CmapiUnreachable) as e:
        client(fake, ca_cert=str(certs["ca"][0])).node_status()  # self-signed: not signed by that CA
    assert "certificate not trusted" in e.value.message


def test_ca_cert_verifies_the_hostname(certs):
    f = FakeCmapi(certs["localhost"])
    try:
        ok = client(f, address="localhost", ca_cert=str(certs["ca"][0]))
        assert ok.node_status()["dbrm_mode"] == "master"
        with pytest.raises(CmapiUnreachable) as e:  # same certificate, reached by another name
            client(f, address="127.0.0.1", ca_cert=str(certs["ca"][0])).node_status()
        assert "certificate not trusted" in e.value.message
    finally:
        f.stop()


def test_parse_config_keeps_only_the_fields_and_never_the_password():
    cfg = parse_config({"config": config_xml(7, ["mcs1", "mcs2"], ["mcs3"]), "sm_config": ""})
    assert (cfg.revision, cfg.primary, cfg.active, cfg.inactive) == (7, "mcs1", ("mcs1", "mcs2"), ("mcs3",))
    assert cfg.desired == ("mcs1", "mcs2", "mcs3") and cfg.maintenance is False
    assert "secret-cej-password" not in repr(cfg)
    assert cfg.is_active("mcs3") is False and cfg.is_active("x", "127.0.0.11") is True  # via the module table


def test_parse_config_of_garbage_is_empty():
    assert parse_config({"config": "<nope"}).revision is None
    assert parse_config({}).active == ()


def test_storage_of_sm_config():
    assert storage_of("[ObjectStorage]\nservice = S3\n[S3]\nbucket = b\n") == "S3"
    assert storage_of("[ObjectStorage]\nservice = LocalStorage\n") == "LocalStorage"
    assert storage_of("[S3]\nservice = S3\n") is None
