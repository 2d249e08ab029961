"""The real-24.02 capture replayed as one script against ONE simulator in the default scenario
(the captured topology): REST steps through the API, maxctrl steps through the stand-in (as a
subprocess, `maxctrl` from PATH), client sessions opened and closed where the capture had them.
Every maxctrl step's stdout, stderr and rc is compared with golden/real-24.02/mc_*.

Steps whose output the simulator cannot reproduce are listed in NOT_REPRODUCIBLE with the reason;
the test asserts that exactly those differ, so a fix (or a new regression) shows up.
"""

from __future__ import annotations

import os
import subprocess

from tests.ports import closed_port

from .goldens import GOLDEN

REAL = GOLDEN / "real-24.02"

# (step, kind, what): kind "rest" = METHOD PATH, "mc" = maxctrl argv, "sim" = control call
SCRIPT = [
    ("mc_list_servers", "mc", "list servers"),
    ("mc_list_servers_tsv", "mc", "--tsv list servers"),
    ("mc_show_server_mcs3", "mc", "show server mcs3"),
    ("mc_list_monitors", "mc", "list monitors"),
    ("mc_list_sessions_empty", "mc", "list sessions"),
    ("set_maint_mcs3", "rest", "PUT /v1/servers/mcs3/set?state=maintenance"),
    ("mc_list_servers_mcs3_maint", "mc", "list servers"),
    ("mc_list_servers_tsv_mcs3_maint", "mc", "--tsv list servers"),
    ("clear_maint_mcs3", "rest", "PUT /v1/servers/mcs3/clear?state=maintenance"),
    ("mc_set_maint_mcs3", "mc", "set server mcs3 maintenance"),
    ("mc_set_maint_mcs3_again", "mc", "set server mcs3 maintenance"),
    ("mc_clear_maint_mcs3", "mc", "clear server mcs3 maintenance"),
    ("mc_clear_maint_mcs3_again", "mc", "clear server mcs3 maintenance"),
    ("mc_set_maint_force_mcs3", "mc", "set server mcs3 maintenance --force"),
    ("mc_clear_maint_mcs3_2", "mc", "clear server mcs3 maintenance"),
    ("set_maint_mcs1", "rest", "PUT /v1/servers/mcs1/set?state=maintenance"),
    ("set_maint_force_mcs1", "rest", "PUT /v1/servers/mcs1/set?state=maintenance&force=yes"),
    ("set_drain_mcs1", "rest", "PUT /v1/servers/mcs1/set?state=drain"),
    ("mc_set_maint_mcs1", "mc", "set server mcs1 maintenance"),
    ("mc_set_maint_force_mcs1", "mc", "set server mcs1 maintenance --force"),
    ("set_maint_unknown", "rest", "PUT /v1/servers/nosuch/set?state=maintenance"),
    ("get_server_unknown", "rest", "GET /v1/servers/nosuch"),
    ("set_bad_state", "rest", "PUT /v1/servers/mcs3/set?state=bogus"),
    ("set_master_state", "rest", "PUT /v1/servers/mcs3/set?state=master"),
    ("mc_set_maint_unknown", "mc", "set server nosuch maintenance"),
    ("mc_clear_maint_unknown", "mc", "clear server nosuch maintenance"),
    ("mc_list_servers_badpw", "mc", "-p wrong list servers"),
    ("mc_list_servers_refused", "mc", "-h 127.0.0.1:8999 list servers"),
    ("mc_list_servers_two_hosts_one_down", "mc", "-h 127.0.0.1:8989,127.0.0.1:8999 list servers"),
    ("mc_list_servers_two_hosts", "mc", ["-h", "127.0.0.1:8989 127.0.0.1:8989", "list", "servers"]),
    ("mc_set_maint_two_hosts_one_down", "mc", "-h 127.0.0.1:8989,127.0.0.1:8999 set server mcs3 maintenance"),
    ("mc_clear_after_two_hosts", "mc", "clear server mcs3 maintenance"),
    ("open_session", "sim", "POST sessions"),
    ("mc_list_sessions_one", "mc", "list sessions"),
    ("mc_list_servers_with_session", "mc", "list servers"),
    ("set_drain_mcs3", "rest", "PUT /v1/servers/mcs3/set?state=drain"),
    ("mc_list_servers_draining", "mc", "list servers"),
    ("close_session", "sim", "DELETE sessions/{sid}"),
    ("mc_list_servers_drained", "mc", "list servers"),
    ("set_maint_mcs3_while_drained", "rest", "PUT /v1/servers/mcs3/set?state=maintenance"),
    ("mc_list_servers_drained_and_maint", "mc", "--tsv list servers"),
    ("clear_drain_mcs3", "rest", "PUT /v1/servers/mcs3/clear?state=drain"),
    ("clear_maint_mcs3_2", "rest", "PUT /v1/servers/mcs3/clear?state=maintenance"),
    ("mc_switchover_to_mcs2", "mc", "call command mariadbmon switchover MariaDB-Monitor mcs2 mcs1"),
    ("mc_list_servers_after_switchover", "mc", "list servers"),
    ("mc_set_maint_mcs1_after_switchover", "mc", "set server mcs1 maintenance"),
    ("mc_list_servers_old_primary_maint", "mc", "list servers"),
    ("mc_clear_maint_mcs1", "mc", "clear server mcs1 maintenance"),
    ("rest_switchover_back", "rest", "POST /v1/maxscale/modules/mariadbmon/switchover?MariaDB-Monitor&mcs1&mcs2"),
    ("mc_switchover_bad_target", "mc", "call command mariadbmon switchover MariaDB-Monitor nosuch"),
    ("mc_list_servers_final", "mc", "list servers"),
]

NOT_REPRODUCIBLE = {
    "mc_show_server_mcs3": "uptime, triggered_at and the statistics are live values of the capture",
    "mc_list_sessions_one": "the Connected time, Idle, Memory and I/O-Activity are live values",
    "mc_list_servers_two_hosts": "aiohttp answers the request target '%20127.0.0.1:P/v1/servers' with "
    "400 'Unexpected start char in url'; MaxScale: 404 without a body",
}


def test_real_capture_script(maxscale_sim, maxctrl_bin, tmp_path):
    differs = run_script(maxscale_sim, SCRIPT, REAL, "24.02", tmp_path)
    unexpected = {k: v for k, v in differs.items() if k not in NOT_REPRODUCIBLE}
    assert unexpected == {}
    assert set(differs) == set(NOT_REPRODUCIBLE), "a known difference went away: update NOT_REPRODUCIBLE"


def run_script(sim, script, folder, line: str, tmp_path) -> dict:
    """Run `script` against `sim` with the stand-in at release line `line`; the maxctrl steps whose stdout,
    stderr or rc differ from the capture in `folder`: {step: (got, expected)}."""
    home = tmp_path / "home"
    home.mkdir()
    # maxctrl's default host is 127.0.0.1:8989; the defaults file points it at the simulator instead
    cnf = home / ".maxctrl.cnf"
    cnf.write_text(f"[maxctrl]\nhosts = {sim.host}\n")
    cnf.chmod(0o600)
    down = f"127.0.0.1:{closed_port()}"

    def sub(text: str) -> str:
        return text.replace("127.0.0.1:8999", down).replace("127.0.0.1:8989", sim.host)

    env = {k: v for k, v in os.environ.items() if not k.startswith("MAXCTRL")}
    env.update({"MAXCTRL_SIM_VERSION": line, "HOME": str(home), "TZ": "UTC"})
    differs, session = {}, None
    for step, kind, what in script:
        if kind == "rest":
            method, path = what.split(" ", 1)
            sim.api(method, path)
        elif kind == "sim":
            if what.startswith("POST"):
                status, body = sim.control("POST", "sessions", {"count": 1})
                assert status == 200, body
                session = body["ids"][0]
            else:
                assert sim.control("DELETE", f"sessions/{session}")[0] == 200
        else:
            args = [sub(a) for a in (what.split() if isinstance(what, str) else what)]
            proc = subprocess.run(
                ["maxctrl", *args], capture_output=True, env=env, cwd=str(home), stdin=subprocess.DEVNULL, timeout=30
            )
            got = (proc.stdout.decode(), proc.stderr.decode(), proc.returncode)
            expected = (
                sub((folder / f"{step}.stdout").read_text()),
                sub((folder / f"{step}.stderr").read_text()),
                int((folder / f"{step}.rc").read_text()),
            )
            if got != expected:
                differs[step] = (got, expected)
    return differs
