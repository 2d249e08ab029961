"""MaxctrlBackend end to end through a fake maxctrl that replays the golden outputs of each release line.

The fake records its argv, stdin and MAXCTRL_WARNINGS to a log file, so tests can prove what the
child process saw (and that the password never was on its command line).
"""

from __future__ import annotations

import json
import os
import shlex
import stat
import sys

import pytest

from mcsctl.backends.base import Connection
from mcsctl.backends.maxctrl import MaxctrlBackend
from mcsctl.errors import (
    AuthFailed,
    BadOutput,
    ExitCode,
    MaxctrlMissing,
    NoAnswer,
    Refused,
    UnknownServer,
    Unreachable,
    UsageError,
    exit_code_of,
)

from .golden import GOLDEN

VERSIONS = ["maxctrl-2.5", "maxctrl-6.4", "maxctrl-22.08", "maxctrl-23.08", "maxctrl-24.02.3", "maxctrl-24.02"]

FAKE = r'''#!{python}
"""Fake maxctrl: logs what it got, then prints a golden case chosen from its argv."""
import json, os, sys, time
from pathlib import Path

argv = sys.argv[1:]
stdin = sys.stdin.read()
with open(os.environ["FAKE_LOG"], "a", encoding="utf-8") as f:
    f.write(json.dumps({{"argv": argv, "stdin": stdin, "warnings": os.environ.get("MAXCTRL_WARNINGS"),
                        "isatty": sys.stdout.isatty()}}) + "\n")
if os.environ.get("FAKE_HANG"):
    os.system("sleep 30")  # a grandchild too: the whole group must be killed
    sys.exit(0)
golden = Path(os.environ["FAKE_GOLDEN"])
real = golden.parent / "real-24.02"

def emit(case, base=golden):
    p = base / case
    sys.stdout.write(p.with_suffix(".stdout").read_text(encoding="utf-8"))
    sys.stderr.write(p.with_suffix(".stderr").read_text(encoding="utf-8"))
    sys.exit(int(p.with_suffix(".rc").read_text()))

def positional(args):
    out, skip = [], False
    for a in args:
        if skip:
            skip = False
        elif a in ("-h", "-u", "-p", "-t", "--tls-ca-cert"):
            skip = True
        elif not a.startswith("-"):
            out.append(a)
    return out

if argv == ["--version"]:
    emit("version")  # asked once per executable (mcsctl.backends.maxctrl_version)
if os.environ.get("FAKE_CASE"):
    emit(os.environ["FAKE_CASE"])
pos = positional(argv)
password = stdin.strip() if argv[argv.index("-p") + 1] == "" else argv[argv.index("-p") + 1]
writing = pos[0] in ("set", "clear", "call")
if password != os.environ.get("FAKE_PASSWORD", "mariadb"):
    emit("wrong_password_set" if writing else "wrong_password_list")
if pos[:2] == ["list", "servers"]:
    emit(os.environ.get("FAKE_LIST", "list_servers") + ("_tsv" if "--tsv" in argv else ""))
if pos[:2] == ["api", "get"]:
    body = {{"sessions": "get_sessions_one", "monitors": "get_monitors"}}[pos[2]]
    print(json.dumps(json.loads((real / (body + ".body")).read_text()), separators=(",", ":")))
    sys.exit(0)
if pos[:2] in (["set", "server"], ["clear", "server"]):
    name = pos[2]
    if name == "mcs99":
        emit(pos[0] + "_unknown_server")
    if name == "mcs1" and pos[0] == "set":
        emit("set_maintenance_master_refused")
    emit("set_maintenance")
if pos[:2] == ["call", "command"]:
    emit("switchover")
print("fake maxctrl: unexpected call", argv, file=sys.stderr)
sys.exit(1)
'''


@pytest.fixture
def fake(tmp_path, monkeypatch):
    """Path of the fake maxctrl; env FAKE_GOLDEN defaults to the 24.02 goldens."""
    path = tmp_path / "bin" / "maxctrl"
    path.parent.mkdir()
    path.write_text(FAKE.format(python=sys.executable))
    path.chmod(0o755)
    monkeypatch.setenv("FAKE_LOG", str(tmp_path / "calls.jsonl"))
    monkeypatch.setenv("FAKE_GOLDEN", str(GOLDEN / "maxctrl-24.02"))
    monkeypatch.delenv("MCSCTL_MAXCTRL", raising=False)
    return path


def calls(tmp_path) -> list[dict]:
    log = tmp_path / "calls.jsonl"
    found = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    return [c for c in found if c["argv"] != ["--version"]]  # the version is learnt once, not a call under test


def backend(fake, **conn) -> MaxctrlBackend:
    conn.setdefault("host", "127.0.0.1:8989")
    return MaxctrlBackend(Connection(**conn), maxctrl=str(fake))


@pytest.fixture(params=VERSIONS)
def version(request, monkeypatch):
    monkeypatch.setenv("FAKE_GOLDEN", str(GOLDEN / request.param))
    return request.param


# --- reads -----------------------------------------------------------------------------------------


def test_list_servers_every_release_line(fake, version, tmp_path):
    servers = backend(fake).list_servers()
    assert [(s.name, s.state, s.connections, s.maxscale) for s in servers] == [
        ("mcs1", "Master, Running", 12, "127.0.0.1:8989"),
        ("mcs2", "Slave, Running", 5, "127.0.0.1:8989"),
        ("mcs3", "Slave, Running", 4, "127.0.0.1:8989"),
    ]
    # Before 22.08.2 there is no Monitor column: the backend takes the monitor from `api get monitors`.
    old = version in ("maxctrl-2.5", "maxctrl-6.4")
    assert {s.monitor for s in servers} == {"MariaDB-Monitor" if old else "mcs_monitor"}
    call, *more = calls(tmp_path)
    assert [c["argv"][-3:] for c in more] == ([["api", "get", "monitors"]] if old else [])
    assert call["argv"][-3:] == ["list", "servers", "--tsv"]
    assert call["stdin"] == "mariadb\n" and call["warnings"] == "0" and call["isatty"] is False


def test_list_servers_variants_and_empty(fake, monkeypatch):
    monkeypatch.setenv("FAKE_LIST", "list_servers_variants")
    servers = {s.name: s for s in backend(fake).list_servers()}
    assert servers["mcs8"].details == "Slave of External Server" and servers["mcs6"].states == ("Maintenance", "Down")
    monkeypatch.setenv("FAKE_LIST", "list_servers_empty")
    assert backend(fake).list_servers() == []


def test_sessions_and_monitors_from_api_get(fake, tmp_path):
    b = backend(fake)
    (session,) = b.list_sessions()
    assert session.servers and set(session.servers) <= {"mcs1", "mcs2", "mcs3"}
    assert session.maxscale == "127.0.0.1:8989"
    (monitor,) = b.list_monitors()
    assert (monitor.name, monitor.module, monitor.primary) == ("MariaDB-Monitor", "mariadbmon", "mcs1")
    assert set(monitor.servers) == {"mcs1", "mcs2", "mcs3"}
    assert [c["argv"][-3:] for c in calls(tmp_path)] == [["api", "get", "sessions"], ["api", "get", "monitors"]]


# --- writes ----------------------------------------------------------------------------------------


def test_set_clear_switchover_ok(fake, version, tmp_path):
    b = backend(fake)
    b.set_state("mcs3", "maintenance")
    b.set_state("mcs3", "maintenance", force=True)
    b.clear_state("mcs3", "maintenance")
    b.switchover("mcs_monitor", "mcs2", "mcs1")
    tails = [c["argv"][c["argv"].index("--quiet=false") + 1 :] for c in calls(tmp_path)]
    assert tails == [
        ["set", "server", "mcs3", "maintenance"],
        ["set", "server", "mcs3", "maintenance", "--force"],
        ["clear", "server", "mcs3", "maintenance"],
        ["call", "command", "mariadbmon", "switchover", "mcs_monitor", "mcs2", "mcs1"],
    ]


def test_unknown_server_every_release_line(fake, version):
    with pytest.raises(UnknownServer) as e:
        backend(fake).set_state("mcs99", "maintenance")
    assert e.value.server == "mcs99" and e.value.host == "127.0.0.1:8989"
    with pytest.raises(UnknownServer):
        backend(fake).clear_state("mcs99", "maintenance")


def test_refused_primary_every_release_line(fake, version):
    with pytest.raises(Refused) as e:
        backend(fake).set_state("mcs1", "maintenance")
    assert e.value.status == (403 if version in ("maxctrl-2.5", "maxctrl-6.4") else 400)
    assert e.value.detail.startswith("The server is ") and "switchover" in e.value.detail
    assert e.value.host == "127.0.0.1:8989" and exit_code_of(e.value) == ExitCode.FAILED


def test_wrong_password_every_release_line(fake, version, tmp_path):
    b = backend(fake, password="not-it")
    with pytest.raises(AuthFailed) as e:
        b.list_servers()
    assert exit_code_of(e.value) == ExitCode.UNREACHABLE and e.value.host == "127.0.0.1:8989"
    with pytest.raises(AuthFailed):
        b.set_state("mcs3", "maintenance")


@pytest.mark.parametrize(
    "case", ["connection_refused_list", "timeout_list", "shutting_down_list", "secure_against_plain_http"]
)
def test_unreachable_every_release_line(fake, version, monkeypatch, case):
    monkeypatch.setenv("FAKE_CASE", case)
    with pytest.raises(Unreachable) as e:
        backend(fake).list_servers()
    assert type(e.value) is (NoAnswer if case == "timeout_list" else Unreachable)
    assert exit_code_of(e.value) == ExitCode.UNREACHABLE


def test_ok_expected_after_exit_0(fake, monkeypatch):
    monkeypatch.setenv("FAKE_CASE", "list_servers_tsv")  # rc 0 but not "OK"
    with pytest.raises(BadOutput) as e:
        backend(fake).set_state("mcs3", "maintenance")
    assert "instead of OK" in e.value.message
    monkeypatch.setenv("FAKE_CASE", "set_maintenance_quiet")  # rc 0, prints nothing
    with pytest.raises(BadOutput):
        backend(fake).clear_state("mcs3", "maintenance")


def test_garbage_list_output_is_bad_output(fake, monkeypatch):
    monkeypatch.setenv("FAKE_CASE", "show_server")  # a key/value table, rc 0
    with pytest.raises(BadOutput) as e:
        backend(fake).list_servers()
    assert e.value.host == "127.0.0.1:8989"


# --- the password ----------------------------------------------------------------------------------


def test_password_goes_on_stdin_never_argv(fake, tmp_path, monkeypatch):
    monkeypatch.setenv("FAKE_PASSWORD", "s3cr3t-Pw")
    b = backend(fake, password="s3cr3t-Pw", user="mcsadmin")
    b.list_servers()
    b.set_state("mcs3", "maintenance")
    for line in (
        b.describe_set("mcs3", "maintenance"),
        b.describe_clear("mcs3", "drain"),
        b.describe_switchover("m", "mcs2"),
    ):
        assert "s3cr3t" not in line and " -p '' " in line
    for call in calls(tmp_path):
        assert not any("s3cr3t" in a for a in call["argv"])
        assert call["argv"][call["argv"].index("-p") + 1] == ""
        assert call["argv"][call["argv"].index("-u") + 1] == "mcsadmin"
        assert call["stdin"] == "s3cr3t-Pw\n"


def test_password_with_surrounding_whitespace_is_refused(fake, tmp_path):
    with pytest.raises(UsageError):
        backend(fake, password=" pw ").list_servers()
    assert calls(tmp_path) == []


# --- argv, describe, trace -------------------------------------------------------------------------


def test_describe_is_the_exact_argv(fake):
    b = backend(fake, host="mx.example:8990", timeout=2.5)
    exe = str(fake)
    head = f"{exe} -h mx.example:8990 -u admin -p '' -t 2500 --quiet=false"
    assert b.describe_set("mcs3", "maintenance", force=True) == f"{head} set server mcs3 maintenance --force"
    assert b.describe_clear("mcs3", "drain") == f"{head} clear server mcs3 drain"
    assert b.describe_switchover("mon") == f"{head} call command mariadbmon switchover mon"
    assert b.describe_switchover("mon", "mcs2", "mcs1").endswith("switchover mon mcs2 mcs1")
    assert b.describe_set("it's", "maintenance").endswith("""set server 'it'"'"'s' maintenance""")


def test_trace_sees_each_call_before_it_runs(fake, tmp_path):
    lines = []
    b = MaxctrlBackend(Connection(host="127.0.0.1:8989"), maxctrl=str(fake), trace=lines.append)
    b.set_state("mcs3", "maintenance")
    b.list_servers()
    assert lines[0] == b.describe_set("mcs3", "maintenance")
    assert [shlex.split(x)[1:] for x in lines] == [c["argv"] for c in calls(tmp_path)]


def test_tls_options(fake, tmp_path):
    backend(fake, secure=True, tls_ca_cert="/etc/ca.pem", tls_verify=False).list_servers()
    backend(fake, secure=True).list_servers()
    first, second = (c["argv"] for c in calls(tmp_path))
    assert first[:11] == [
        "-h",
        "127.0.0.1:8989",
        "-u",
        "admin",
        "-p",
        "",
        "-t",
        "10000",
        "-s",
        "--tls-ca-cert",
        "/etc/ca.pem",
    ]
    assert "--tls-verify-server-cert=false" in first
    assert "-s" in second and "--tls-verify-server-cert=false" not in second and "--tls-ca-cert" not in second


@pytest.mark.parametrize("host", ["a:1,b:2", "a:1 b:2", "", "-x:1"])
def test_one_backend_is_one_host(fake, host, tmp_path):
    with pytest.raises(UsageError):
        backend(fake, host=host).list_servers()
    assert calls(tmp_path) == []


# --- names -----------------------------------------------------------------------------------------

ODD_NAMES = [
    "it's",
    'say"hi"',
    "a;b",
    "$(touch${IFS}PWNED)",
    "`touch${IFS}PWNED`",
    "x&&touch${IFS}PWNED",
    "*",
    "~root",
    "!bang",
    "<in>",
    "{x}",
    "a|b",
    "0",
    "12",
]


@pytest.mark.parametrize("name", ODD_NAMES)
def test_odd_names_travel_as_one_argv_element(fake, tmp_path, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    backend(fake).set_state(name, "maintenance")
    (call,) = calls(tmp_path)
    assert call["argv"][-3:] == ["server", name, "maintenance"]
    assert not (tmp_path / "PWNED").exists()


@pytest.mark.parametrize(
    "name",
    [
        "",
        "a b",
        "a\nb",
        "a\tb",
        "a/b",
        "a?b",
        "a#b",
        "a%b",
        "@@x",
        "-x",
        "--force",
        "1e3",
        "007",
        "1.0",
        "0x1f",
        ".5",
        "a\\b",
        "数据库",
        "a│b",
        "ünï",
        "🐬",
    ],
)
def test_names_maxscale_or_maxctrl_would_mangle_are_refused(fake, tmp_path, name):
    b = backend(fake)
    with pytest.raises(UsageError):
        b.set_state(name, "maintenance")
    with pytest.raises(UsageError):
        b.describe_clear(name, "maintenance")
    with pytest.raises(UsageError):
        b.switchover("mon", name)
    assert calls(tmp_path) == []


@pytest.mark.parametrize("state", ["", "Maintenance", "maint enance", "--force", "drain;x"])
def test_bad_states_are_refused(fake, tmp_path, state):
    with pytest.raises(UsageError):
        backend(fake).set_state("mcs3", state)
    assert calls(tmp_path) == []


def test_old_primary_needs_new_primary(fake):
    with pytest.raises(UsageError):
        backend(fake).switchover("mon", None, "mcs1")


# --- finding maxctrl -------------------------------------------------------------------------------


def test_missing_maxctrl_explicit_path(tmp_path):
    b = MaxctrlBackend(Connection(host="127.0.0.1:8989"), maxctrl=str(tmp_path / "nope"))
    with pytest.raises(MaxctrlMissing) as e:
        b.list_servers()
    assert exit_code_of(e.value) == ExitCode.UNREACHABLE
    assert "--maxctrl PATH" in e.value.hint and "MCSCTL_MAXCTRL" in e.value.hint


def test_missing_maxctrl_on_path(tmp_path, monkeypatch):
    monkeypatch.delenv("MCSCTL_MAXCTRL", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(MaxctrlMissing):
        MaxctrlBackend(Connection(host="127.0.0.1:8989")).set_state("mcs3", "maintenance")
    with pytest.raises(MaxctrlMissing):
        MaxctrlBackend(Connection(host="127.0.0.1:8989")).describe_set("mcs3", "maintenance")


def test_not_executable(tmp_path):
    p = tmp_path / "maxctrl"
    p.write_text("#!/bin/sh\necho OK\n")
    p.chmod(stat.S_IRUSR | stat.S_IWUSR)
    with pytest.raises(MaxctrlMissing) as e:
        MaxctrlBackend(Connection(host="h:1"), maxctrl=str(p)).list_servers()
    assert "not executable" in e.value.message


def test_env_and_path_lookup(fake, tmp_path, monkeypatch):
    # $MCSCTL_MAXCTRL is --maxctrl's envvar: Typer reads it and hands it over as `maxctrl` (issue 12)
    monkeypatch.setenv("MCSCTL_MAXCTRL", str(fake))
    backend = MaxctrlBackend(Connection(host="127.0.0.1:8989"), maxctrl=str(fake))
    assert backend.describe_clear("a", "drain").startswith(str(fake) + " ")
    monkeypatch.delenv("MCSCTL_MAXCTRL")
    monkeypatch.setenv("PATH", str(fake.parent) + os.pathsep + os.environ.get("PATH", ""))
    assert len(MaxctrlBackend(Connection(host="127.0.0.1:8989")).list_servers()) == 3


def test_hung_maxctrl_is_killed(fake, tmp_path, monkeypatch):
    monkeypatch.setenv("FAKE_HANG", "1")
    monkeypatch.setattr("mcsctl.backends.maxctrl.KILL_MARGIN", 0.2)
    with pytest.raises(Unreachable) as e:
        backend(fake, timeout=0.05).list_servers()
    assert type(e.value) is NoAnswer and "killed" in e.value.message


# --- end to end: the simulator and its maxctrl stand-in, every client release line ----------------

STANDIN_LINES = ["2.5", "6.4", "22.08", "23.08", "24.02.3", "24.02", "24.08", "develop"]


@pytest.fixture(params=STANDIN_LINES)
def sim_backend(request, make_sim, maxctrl_bin, monkeypatch):
    monkeypatch.setenv("MAXCTRL_SIM_VERSION", request.param)
    monkeypatch.delenv("MCSCTL_MAXCTRL", raising=False)
    sim = make_sim(users={"admin": "Sim-pw-1"})
    return sim, MaxctrlBackend(Connection(host=sim.host, password="Sim-pw-1", timeout=5)), request.param


def test_sim_list_set_clear(sim_backend):
    sim, b, line = sim_backend
    servers = b.list_servers()
    assert [(s.name, s.state) for s in servers] == [
        ("mcs1", "Master, Running"),
        ("mcs2", "Slave, Running"),
        ("mcs3", "Slave, Running"),
    ]
    assert {s.monitor for s in servers} == {"MariaDB-Monitor"}  # from `api get monitors` before 22.08.2
    b.set_state("mcs3", "maintenance")
    assert {s.name: s.state for s in b.list_servers()}["mcs3"] == "Maintenance, Running"
    b.clear_state("mcs3", "maintenance")
    assert {s.name: s.state for s in b.list_servers()}["mcs3"] == "Slave, Running"


def test_sim_errors(sim_backend):
    sim, b, line = sim_backend
    with pytest.raises(UnknownServer) as e:
        b.set_state("nosuch", "maintenance")
    assert (e.value.server, e.value.host) == ("nosuch", sim.host)
    with pytest.raises(Refused) as e:
        b.set_state("mcs1", "maintenance")
    assert "cannot be set in maintenance" in e.value.detail
    with pytest.raises(AuthFailed):
        MaxctrlBackend(Connection(host=sim.host, password="wrong")).list_servers()


@pytest.mark.parametrize("name", ["it's", "$(touch${IFS}PWNED)", "`id`;x", 'say"hi"'])
def test_sim_odd_names_reach_maxscale_as_one_name(make_sim, maxctrl_bin, tmp_path, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MCSCTL_MAXCTRL", raising=False)
    sim = make_sim()
    with pytest.raises(UnknownServer) as e:
        MaxctrlBackend(Connection(host=sim.host)).set_state(name, "maintenance")
    assert e.value.server == name
    assert not (tmp_path / "PWNED").exists()


@pytest.mark.parametrize("name", ["mcs3é", "b\\k", "-x", "1e3", "007", "0x1f", "a b", "@@x", "a/b", ""])
def test_check_name_refuses_what_maxctrl_cannot_send_and_runs_nothing(name, tmp_path):
    """The Backend.check_name the procedures call before any change; the REST one takes the odd names."""
    from mcsctl.backends.rest import RestBackend
    from mcsctl.errors import UsageError

    b = MaxctrlBackend(Connection(host="127.0.0.1:8989"), maxctrl=str(tmp_path / "never-run"))
    with pytest.raises(UsageError):
        b.check_name(name)
    rest = RestBackend(Connection(host="127.0.0.1:8989"))
    if name in ("mcs3é", "b\\k", "-x", "1e3", "007", "0x1f"):
        assert rest.check_name(name) == name
    else:
        with pytest.raises(UsageError):
            rest.check_name(name)
    assert MaxctrlBackend(Connection(host="h:1")).check_name("mcs3") == "mcs3"
