"""The stand-in's option handling and behaviours that no golden case shows (from the reference)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from simulator.maxctrl_args import ArgError, parse, parse_timeout
from tests.ports import closed_port

from .runner import REPO, run_inprocess


@pytest.mark.parametrize(
    "raw,ms", [("1000", 1000), ("10ms", 10), ("1s", 1000), ("2m", 120000), ("1h", 1440000), (7, 7)]
)
def test_timeout_suffixes_including_the_h_bug(raw, ms):
    assert parse_timeout(raw) == ms


@pytest.mark.parametrize(
    "raw,msg", [("abc", "'abc' is not a valid duration."), ("5x", "'x' in '5x' is not a valid duration suffix.")]
)
def test_timeout_errors(raw, msg):
    with pytest.raises(ArgError) as exc:
        parse_timeout(raw)
    assert exc.value.args[0] == msg


@pytest.mark.parametrize(
    "argv,key,value",
    [
        (["--tsv=false"], "tsv", False),
        (["--no-tsv"], "tsv", False),
        (["--tsv", "true"], "tsv", True),
        (["-n", "false"], "tls-verify-server-cert", False),
        (["--no-tls-verify-server-cert"], "tls-verify-server-cert", False),
        (["--tls-verify-server-cert=false"], "tls-verify-server-cert", False),
        (["-n"], "tls-verify-server-cert", True),
        (["-p", ""], "password", ""),
        (["--password="], "password", ""),
        (["-t1000"], "timeout", "1000"),
        (["-qs"], "secure", True),
        (["--skip-sync"], "skip-sync", True),
        (["--skipSync"], "skip-sync", True),
    ],
)
def test_option_forms(argv, key, value):
    assert parse(argv).values[key] == value


def test_options_anywhere_and_unknowns():
    p = parse(["list", "--tsv", "servers", "-h", "a:1", "--bogus-opt", "--force"])
    assert p.positional == ["list", "servers"]
    assert p.values["hosts"] == "a:1" and p.values["tsv"] is True
    assert p.unknown == ["bogus-opt", "bogusOpt"]


def test_user_requires_a_value():
    with pytest.raises(ArgError) as exc:
        parse(["list", "servers", "-u"])
    assert exc.value.args[0] == "Not enough arguments following: u"


def _run(tmp_path, monkeypatch, args, version="24.02", stdin=None):
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    return run_inprocess(args, version, home, monkeypatch, stdin=stdin)


@pytest.mark.parametrize(
    "version,text",
    [
        ("2.5", "2.5.30"),
        ("6.4", "6.4.16"),
        ("22.08", "22.08.15"),
        ("23.08", "23.08.8"),
        ("24.02.3", "24.02.3"),
        ("24.02", "24.02.4"),
    ],
)
def test_version(tmp_path, monkeypatch, version, text):
    assert _run(tmp_path, monkeypatch, ["--version"], version).stdout == text + "\n"


def test_help_is_ours_and_rc0(tmp_path, monkeypatch):
    res = _run(tmp_path, monkeypatch, ["--help"])
    assert res.rc == 0 and "set server <server> <state...>" in res.stdout


def test_unknown_option_and_stream_per_version(tmp_path, monkeypatch):
    res = _run(tmp_path, monkeypatch, ["list", "servers", "--bogus"])
    assert (res.rc, res.stdout, res.stderr) == (1, "", "Unknown argument: bogus\n")
    res = _run(tmp_path, monkeypatch, ["list", "servers", "--bogus"], "6.4")
    assert (res.rc, res.stdout, res.stderr) == (1, "Unknown argument: bogus\n", "")


def test_force_only_on_set(tmp_path, monkeypatch):
    res = _run(tmp_path, monkeypatch, ["clear", "server", "a", "maintenance", "--force"])
    assert (res.rc, res.stderr) == (1, "Unknown argument: force\n")


def test_tls_key_needs_cert(tmp_path, monkeypatch):
    res = _run(tmp_path, monkeypatch, ["--tls-key", "k.pem", "list", "servers"])
    assert (res.rc, res.stderr) == (1, "Missing dependent arguments:\n tls-key -> tls-cert\n")


def test_repeated_hosts_flag(tmp_path, monkeypatch):
    """Real maxctrl crashes (TypeError, Node stack trace on stderr, rc 1); we print the TypeError line."""
    res = _run(tmp_path, monkeypatch, ["-h", "a:1", "-h", "b:2", "list", "servers"], "6.4")
    assert (res.rc, res.stdout, res.stderr) == (1, "", "TypeError: argv.hosts.split is not a function\n")


def test_default_config_file_with_bad_mode_breaks_every_command(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    cnf = home / ".maxctrl.cnf"
    cnf.write_text("[maxctrl]\nu = admin\n")
    cnf.chmod(0o640)  # group read alone is allowed (mode & 0o037)
    port = closed_port()
    res = run_inprocess(["-h", f"127.0.0.1:{port}", "list", "servers"], "24.02", home, monkeypatch)
    assert res.stderr == "Error: Could not connect to MaxScale\n"
    cnf.chmod(0o660)
    res = run_inprocess(["list", "servers"], "24.02", home, monkeypatch)
    assert (res.rc, res.stderr) == (
        1,
        f"Error: {cnf} exists, but can be accessed by group and world. "
        "Remove all rights from everyone else but owner\n",
    )


def test_config_needs_cnf_suffix_and_section(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    other = home / "x.conf"
    other.write_text("[maxctrl]\n")
    res = run_inprocess(["-c", str(other), "list", "servers"], "24.02", home, monkeypatch)
    assert (res.rc, res.stderr) == (1, f"Error: {other} does not have a '.cnf' suffix\n")
    nosec = home / "n.cnf"
    nosec.write_text("[other]\nu = x\n")
    nosec.chmod(0o600)
    res = run_inprocess(["-c", str(nosec), "list", "servers"], "24.02", home, monkeypatch)
    assert (res.rc, res.stderr) == (1, f"Error: {nosec} does not have a [maxctrl] section\n")


def test_config_rejected_on_2_5(tmp_path, monkeypatch):
    res = _run(tmp_path, monkeypatch, ["-c", "x.cnf", "list", "servers"], "2.5")
    assert (res.rc, res.stdout) == (1, "Unknown argument: c\n")


def test_batch_mode_with_empty_stdin_prints_nothing(tmp_path, monkeypatch):
    res = _run(tmp_path, monkeypatch, ["-h", f"127.0.0.1:{closed_port()}"], stdin="")
    assert (res.rc, res.stdout, res.stderr) == (0, "", "")


def test_batch_mode_collects_errors_on_stdout(tmp_path, monkeypatch):
    res = _run(tmp_path, monkeypatch, ["-h", f"127.0.0.1:{closed_port()}"], stdin="list servers\nbogus\n")
    assert (res.rc, res.stdout) == (0, "Error: Could not connect to MaxScale\nUnknown argument: bogus\n")


def test_not_implemented_command(tmp_path, monkeypatch):
    res = _run(tmp_path, monkeypatch, ["list", "services"])
    assert res.rc == 1 and "not implemented by the maxctrl stand-in" in res.stderr


def test_bad_version_variable(tmp_path, monkeypatch):
    monkeypatch.setenv("MAXCTRL_SIM_VERSION", "9.9")
    import io

    from simulator import maxctrl

    err = io.StringIO()
    assert maxctrl.main(["--version"], stdout=io.StringIO(), stderr=err) == 1
    assert "MAXCTRL_SIM_VERSION" in err.getvalue()


def test_never_reads_stdin_without_dash_p_empty(maxscale_sim, tmp_path):
    """stdin left open (a pipe nobody writes to): a command must still finish."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "simulator.maxctrl", "-h", maxscale_sim.host, "list", "servers", "--tsv"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=str(REPO),
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    try:
        assert proc.wait(timeout=20) == 0  # stdin is still open here
        out = proc.stdout.read()
    finally:
        proc.stdin.close()
        if proc.poll() is None:
            proc.kill()
        proc.stdout.close()
        proc.stderr.close()
    assert out.count(b"\n") == 3


def test_password_from_stdin_is_trimmed(maxscale_sim, tmp_path, monkeypatch):
    res = run_inprocess(
        ["-h", maxscale_sim.host, "-p", "", "api", "get", "servers/mcs1", "data.id"],
        "24.02",
        tmp_path,
        monkeypatch,
        stdin="  mariadb \n\n",
    )
    assert (res.rc, res.stdout) == (0, '"mcs1"\n')


def test_list_monitors_sessions_and_api_on_simulator(maxscale_sim, tmp_path, monkeypatch):
    h = maxscale_sim.host
    res = run_inprocess(["-h", h, "list", "monitors", "--tsv"], "24.02", tmp_path, monkeypatch)
    assert res.stdout == "MariaDB-Monitor\tRunning\tmcs1, mcs2, mcs3\n"
    assert maxscale_sim.control("POST", "sessions", {"count": 2, "user": "bob"})[0] == 200
    res = run_inprocess(["-h", h, "list", "sessions", "--tsv"], "24.02", tmp_path, monkeypatch)
    lines = res.stdout.splitlines()
    assert len(lines) == 2 and all(line.split("\t")[1:3] == ["bob", "127.0.0.1"] for line in lines)
    assert all(line.split("\t")[5] == "RW-Split-Router" for line in lines)
    res = run_inprocess(
        ["-h", h, "api", "get", "servers", "data[].attributes.statistics.connections", "--sum"],
        "24.02",
        tmp_path,
        monkeypatch,
    )
    assert res.stdout == "6\n"


def test_switchover_force_and_set_several_states(maxscale_sim, tmp_path, monkeypatch):
    h = maxscale_sim.host
    res = run_inprocess(
        ["-h", h, "call", "command", "mariadbmon", "switchover-force", "MariaDB-Monitor", "mcs2"],
        "24.02",
        tmp_path,
        monkeypatch,
    )
    assert (res.rc, res.stdout, res.stderr) == (0, "OK\n", "")
    res = run_inprocess(["-h", h, "set", "server", "mcs3", "maintenance", "drain"], "24.02", tmp_path, monkeypatch)
    assert (res.rc, res.stdout) == (0, "OK,OK\n")
    res = run_inprocess(
        ["-h", h, "api", "get", "servers/mcs3", "data.attributes.state"], "24.02", tmp_path, monkeypatch
    )
    assert res.stdout == '"Maintenance, Running"\n'


def test_secure_against_plain_http(maxscale_sim, tmp_path, monkeypatch):
    res = run_inprocess(["-h", maxscale_sim.host, "-s", "list", "servers"], "24.02", tmp_path, monkeypatch)
    assert res.rc == 1 and res.stderr.startswith("Error: write EPROTO ")
