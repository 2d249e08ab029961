"""Where settings come from: flag > MCSCTL_* environment > config file > default."""

from __future__ import annotations

import os

import pytest

from mcsctl.errors import UsageError
from mcsctl.settings import Settings, parse_hosts, resolve


def write(path, text, mode=0o600):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    os.chmod(path, mode)
    return path


def test_defaults(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    s = resolve({})
    assert s == Settings(hosts=("127.0.0.1:8989",))


def test_config_file_fills_what_flags_leave_unset(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    write(tmp_path / "mcsctl" / "config.toml", 'hosts = ["a", "b:9000"]\nuser = "ops"\npassword = "s3"\ntimeout = 3\n')
    s = resolve({"user": "flaguser"})
    assert s.hosts == ("a:8989", "b:9000") and s.user == "flaguser" and s.password == "s3" and s.timeout == 3


def test_explicit_config_path_must_exist(tmp_path):
    with pytest.raises(UsageError, match="does not exist"):
        resolve({}, str(tmp_path / "nope.toml"))


@pytest.mark.parametrize(
    "text, message",
    [("hosts = [", "config file"), ("colour = 1\n", "unknown key 'colour'"), ('backend = "ssh"\n', "--backend")],
)
def test_bad_config_is_a_usage_error(tmp_path, text, message):
    path = write(tmp_path / "c.toml", text)
    with pytest.raises(UsageError, match=message):
        resolve({}, str(path))


def test_password_in_a_world_readable_config_is_refused(tmp_path):
    path = write(tmp_path / "c.toml", 'password = "x"\n', mode=0o644)
    with pytest.raises(UsageError, match="chmod 600"):
        resolve({}, str(path))


@pytest.mark.parametrize(
    "text, hosts",
    [
        ("mx1", ("mx1:8989",)),
        ("mx1:9,mx2", ("mx1:9", "mx2:8989")),
        ("[::1]", ("[::1]:8989",)),
        ("[::1]:8990,mx1:8990,mx1:8990", ("[::1]:8990", "mx1:8990")),
        ("::1", ("[::1]:8989",)),
        ("fe80::1,mx1", ("[fe80::1]:8989", "mx1:8989")),
        (["a", "b:1"], ("a:8989", "b:1")),
    ],
)
def test_parse_hosts(text, hosts):
    assert parse_hosts(text) == hosts


@pytest.mark.parametrize("text", ["a b", "a,,b", "a:port", "http://a", "[::1", "a:99999", "a:0", ":8989", "[]:1", ""])
def test_bad_hosts(text):
    with pytest.raises(UsageError):
        parse_hosts(text)


@pytest.mark.parametrize("name", ["timeout", "poll_interval", "confirm_timeout"])
def test_non_positive_durations_are_refused(name, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    with pytest.raises(UsageError):
        resolve({name: 0})


@pytest.mark.parametrize(
    "text, message",
    [
        ('timeout = "abc"\n', "--timeout must be a number"),
        ("timeout = [1]\n", "--timeout must be a number"),
        ("timeout = 1e400\n", "up to"),
        ("confirm_timeout = true\n", "--confirm-timeout must be a number"),
        ('poll_interval = "x"\n', "--poll-interval"),
        ("hosts = 5\n", "hosts must be"),
        ("hosts = []\n", "no MaxScale host"),
        ("hosts = [1]\n", "hosts must be strings"),
        ('secure = "yes"\n', "--secure must be true or false"),
        ("user = 1\n", "--user must be a string"),
        ('tls_ca_cert = "/nonexistent/ca.pem"\n', "cannot read"),
    ],
)
def test_config_values_are_type_checked(tmp_path, text, message):
    path = write(tmp_path / "c.toml", text)
    with pytest.raises(UsageError, match=message):
        resolve({}, str(path))
