"""The ColumnStore settings: flag > MCSCTL_* > config > default, checked like the others; the key's secrecy."""

from __future__ import annotations

import pytest

from mcsctl.api import Cluster
from mcsctl.api_settings import environment
from mcsctl.errors import UsageError
from mcsctl.settings import Settings, resolve


def test_defaults():
    s = Settings()
    assert (s.cmapi_key, s.cmapi_port, s.cmapi_ca_cert) == (None, None, None)
    assert (s.columnstore, s.cmapi_failover, s.cs_settle) == (True, True, 10.0)


def test_config_file_values(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('cmapi_key = "k"\ncmapi_port = 8641\ncolumnstore = false\ncmapi_failover = false\ncs_settle = 2\n')
    cfg.chmod(0o600)
    s = resolve({}, str(cfg))
    assert (s.cmapi_key, s.cmapi_port, s.columnstore, s.cmapi_failover, s.cs_settle) == ("k", 8641, False, False, 2.0)


def test_a_config_with_a_key_must_be_private(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('cmapi_key = "k"\n')
    cfg.chmod(0o644)
    with pytest.raises(UsageError, match=r"holds a secret \(cmapi_key\) but is readable by others; chmod 600 it"):
        resolve({}, str(cfg))


@pytest.mark.parametrize("port", [0, 70000, "8640", True])
def test_bad_port(port):
    with pytest.raises(UsageError, match="--cmapi-port must be a port number"):
        Cluster(cmapi_port=port)


def test_unreadable_ca_cert(tmp_path):
    with pytest.raises(UsageError, match="--cmapi-ca-cert: cannot read"):
        Cluster(cmapi_ca_cert=str(tmp_path / "none.pem"))


def test_environment(monkeypatch):
    monkeypatch.setenv("MCSCTL_CMAPI_PORT", "8642")
    monkeypatch.setenv("MCSCTL_COLUMNSTORE", "off")
    monkeypatch.setenv("MCSCTL_CS_SETTLE", "3")
    flags = environment()
    assert (flags["cmapi_port"], flags["columnstore"], flags["cs_settle"]) == (8642, False, 3.0)
    monkeypatch.setenv("MCSCTL_CMAPI_PORT", "x")
    with pytest.raises(UsageError, match="MCSCTL_CMAPI_PORT must be a port number"):
        environment()


def test_the_key_is_not_in_reprs():
    from mcsctl.backends.cmapi import CmapiEndpoint
    from mcsctl.model import CsAdmin, Monitor

    assert "s3cret" not in repr(CmapiEndpoint("mcs1", "a", key="s3cret"))
    assert "s3cret" not in repr(Monitor("m", cs_admin=CsAdmin(api_key="s3cret")))
