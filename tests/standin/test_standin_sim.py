"""The golden maxctrl-<version> cases end to end: the simulator in the capture's state (the same
dataset, the same server version, users and shutdown mode), the stand-in run with the captured
arguments, and stdout, stderr and exit code compared exactly. The 24.02 cases run `maxctrl` from
PATH as a subprocess (the real entry point); the other versions call main() in-process (speed).

Skipped golden cases, with the reason:
- help, set_help, secure_against_plain_http, multi_host_repeated_flag, 2.5 stdin_batch,
  2.5 multi_host_list: as in test_standin_replay.py (help prose, OpenSSL ids, Node stack trace,
  2.5 interactive prompt, 2.5 completion-order race).
- timeout_list, timeout_set (all): they need a MaxScale that answers after 3 s; the simulator has
  no latency fault. test_standin_replay.py covers them with a held request.
- KNOWN_SIM_DIFFERENCES below: cases where the simulator's answer differs from the stub's (each
  entry says how); they are reported to the lead rather than papered over here.
"""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from tests.ports import closed_port

from . import goldens
from .runner import ENV_VERSION, run_inprocess, write_config_files

SERVER_VERSION = {
    "24.02": "24.02.3",
    "24.02.3": "24.02.3",
    "23.08": "23.08.7",
    "22.08": "22.08.14",
    "6.4": "6.4.15",
    "2.5": "2.5.29",
}
SKIP_ALL = {"help", "set_help", "secure_against_plain_http", "multi_host_repeated_flag", "timeout_list", "timeout_set"}
SKIP = {("2.5", "stdin_batch"), ("2.5", "multi_host_list")}
# (version or "*", case) -> why the simulator's answer differs from the capture's stub
_SHOW = (
    "the scenario cannot set uptime (stub 86400), triggered_at (stub 'Wed, 23 Oct 2024 08:00:00 "
    "GMT'), total/max connections (100/20), routed_packets, and the simulator adds "
    "response_time_distribution, which the stub left out"
)
KNOWN_SIM_DIFFERENCES: dict[tuple[str, str], str] = {
    ("*", "show_server"): _SHOW,
    ("*", "show_server_tsv"): _SHOW,
    ("*", "list_servers_many50"): "the stub served mcs35 as 'Draining' with 0 connections; a real "
    "MaxScale (and the simulator) renders that 'Drained'",
    ("*", "list_servers_many50_tsv"): "as list_servers_many50",
    ("*", "multi_host_space_separated"): "aiohttp rejects the request target '%20127.0.0.1:P/v1/servers' "
    "with 400 'Unexpected start char in url'; MaxScale answers 404 "
    "with no body (real-24.02 mc_list_servers_two_hosts)",
}


def _cases():
    return goldens.golden_params(SKIP_ALL, SKIP, KNOWN_SIM_DIFFERENCES)


def scenario_for(version: str, stub: dict) -> dict:
    """The bundled golden dataset as the capture's stub served it for this version."""
    from simulator.scenario import default_scenario_path

    path = default_scenario_path().parent / f"{stub['dataset']}.json"
    sc = json.loads(path.read_text(encoding="utf-8"))
    sc["version"] = SERVER_VERSION[version]
    sc["users"] = {stub.get("user", "admin"): stub.get("password", "mariadb")}
    return sc


@pytest.mark.parametrize("version,case", _cases())
def test_golden_case_on_simulator(version, case, make_sim, maxctrl_bin, tmp_path, monkeypatch):
    name = case["case"]
    home = tmp_path / "home"
    home.mkdir()
    cfgdir = tmp_path / "cfg"
    cfgdir.mkdir()
    port_map = {"18999": str(closed_port())}
    for stub in case["stubs"]:
        sim = make_sim(scenario=scenario_for(version, stub))
        if stub.get("shutting_down"):
            assert sim.control("POST", "shutdown-mode", {"on": True})[0] == 200
        port_map[str(stub["port"])] = str(sim.port)
    for p in ("18989", "18990"):
        port_map.setdefault(p, str(closed_port()))
    write_config_files(cfgdir, int(port_map["18989"]))

    sub = goldens.substituter(cfgdir, port_map)

    args = [sub(a) for a in case["argv"][1:]]
    if version == "24.02":
        env = {k: v for k, v in os.environ.items() if not k.startswith("MAXCTRL")}
        env.update({"MAXCTRL_SIM_VERSION": ENV_VERSION[version], "HOME": str(home), "TZ": "UTC"})
        proc = subprocess.run(
            ["maxctrl", *args],
            input=(case["stdin"] or "").encode(),
            capture_output=True,
            env=env,
            cwd=str(home),
            timeout=30,
        )
        got = (proc.stdout.decode(), proc.stderr.decode(), proc.returncode)
    else:
        res = run_inprocess(args, version, home, monkeypatch, stdin=case["stdin"])
        got = (res.stdout, res.stderr, res.rc)
    assert got == (
        sub(goldens.text(version, name, "stdout")),
        sub(goldens.text(version, name, "stderr")),
        goldens.rc(version, name),
    )
