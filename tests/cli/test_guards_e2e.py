"""The guards and procedures end to end (hardening issue): the installed `mcsctl` against the simulator.

--to and the primary guard, the consent rule, outcomes that say what changed, --dry-run --format json,
partial reads and --skip-unreachable, several servers at once, drain/undrain, replication lag.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import time

import pytest

from tests.ports import closed_port

from .conftest import MCSCTL, state_of, wait_for

ON_MCS1_ONLY = {"sessions": [{"count": 1, "servers": ["mcs1"], "user": "app", "remote": "10.0.0.9"}]}
ON_MCS3 = {"sessions": [{"count": 2, "servers": ["mcs1", "mcs3"], "user": "app", "remote": "10.0.0.7"}]}


def states(sim) -> dict[str, str]:
    return {n: state_of(sim, n) for n in ("mcs1", "mcs2", "mcs3")}


def down(sim, name: str) -> None:
    """Stop a server and wait until the monitor shows it Down."""
    sim.control("POST", f"/sim/servers/{name}/down")
    wait_for(lambda: state_of(sim, name) == "Down", what=f"{name} Down")


def journal(cli_env) -> list[dict]:
    path = cli_env["MCSCTL_JOURNAL"]
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


# ------------------------------------------------------------------ 1. the primary guard and --to
def test_to_naming_the_primary_itself_is_a_usage_error_before_anything_changes(mcsctl, make_sim):
    sim = make_sim(profile="legacy")  # legacy MaxScale would let the primary into maintenance
    for extra in ((), ("--dry-run",)):
        r = mcsctl("maintenance", "on", "mcs1", "--switchover", "--to", "mcs1", "--yes", *extra, hosts=[sim])
        assert r.rc == 2, r.err
        assert r.err.startswith("mcsctl: error: --to mcs1 names the server being taken out") and r.out == ""
    assert state_of(sim, "mcs1") == "Master, Running"


def test_to_naming_a_replica_itself_is_a_usage_error(mcsctl, maxscale_sim):
    r = mcsctl("maintenance", "on", "mcs3", "--switchover", "--to", "mcs3", hosts=[maxscale_sim])
    assert r.rc == 2 and "--to mcs3 names the server being taken out" in r.err
    assert state_of(maxscale_sim, "mcs3") == "Slave, Running"


def test_to_that_cannot_become_primary_is_refused_before_anything_changes(rest_mcsctl, maxscale_sim):
    assert rest_mcsctl("maintenance", "on", "mcs3", "--no-drain", hosts=[maxscale_sim]).rc == 0
    down(maxscale_sim, "mcs2")
    for target in ("mcs3", "mcs2"):  # in maintenance; down
        r = rest_mcsctl("maintenance", "on", "mcs1", "--switchover", "--to", target, "--yes", hosts=[maxscale_sim])
        assert r.rc == 4 and f"{target} cannot become the primary" in r.err, r.err
    assert state_of(maxscale_sim, "mcs1") == "Master, Running"


# ------------------------------------------------------------------ 8. consent and what changed
def test_switchover_needs_yes_without_a_terminal(mcsctl, maxscale_sim):
    for args in (("switchover", "--to", "mcs2"), ("maintenance", "on", "mcs1", "--switchover")):
        r = mcsctl(*args, hosts=[maxscale_sim])
        assert r.rc == 4 and "interrupts the primary's clients; add --yes" in r.err, r.err
    assert states(maxscale_sim) == {"mcs1": "Master, Running", "mcs2": "Slave, Running", "mcs3": "Slave, Running"}


def test_rolling_with_the_primary_asks_once_up_front(rest_mcsctl, maxscale_sim):
    r = rest_mcsctl("rolling", "--", "true", hosts=[maxscale_sim])
    assert r.rc == 4 and "the roll switches the primary mcs1 over; add --yes" in r.err
    assert state_of(maxscale_sim, "mcs2") == "Slave, Running"  # no node was touched


def _on_a_terminal(args: list[str], env: dict, answer: bytes, timeout: float = 20) -> tuple[int, str]:
    """Run mcsctl with stdin and stderr on a pseudo-terminal; answer its question; (rc, what it wrote)."""
    master, slave = os.openpty()
    p = subprocess.Popen([MCSCTL, *args], env=env, stdin=slave, stderr=slave, stdout=subprocess.PIPE)
    os.close(slave)
    seen, answered = b"", False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        if not answered and b"[y/N]" in seen:
            os.write(master, answer)
            answered = True
        if p.poll() is not None and not ready:
            break
    rc = p.wait(timeout=timeout)
    os.close(master)
    return rc, seen.decode(errors="replace")


def test_switchover_asks_on_a_terminal(cli_env, maxscale_sim):
    env = dict(cli_env, PATH=os.environ["PATH"], MCSCTL_BACKEND="rest", MCSCTL_HOSTS=maxscale_sim.host)
    rc, text = _on_a_terminal(["switchover", "--to", "mcs2"], env, b"n\n")
    assert rc == 4 and "Switch the primary over from mcs1 to mcs2" in text and "not confirmed" in text
    assert state_of(maxscale_sim, "mcs1") == "Master, Running"
    rc, text = _on_a_terminal(["switchover", "--to", "mcs2"], env, b"y\n")
    assert rc == 0, text
    assert state_of(maxscale_sim, "mcs2") == "Master, Running"


def test_drain_timeout_after_a_switchover_says_the_switchover_stays(rest_mcsctl, make_sim):
    sim = make_sim(scenario=ON_MCS1_ONLY)
    r = rest_mcsctl(
        "maintenance", "on", "mcs1", "--switchover", "--to", "mcs2", "--yes", "--drain-timeout", "0.3", hosts=[sim]
    )
    assert r.rc == 6, r.err
    assert "nothing was changed" not in r.err
    assert "drain cleared, still changed: switchover mcs1 -> mcs2" in r.err
    assert state_of(sim, "mcs2") == "Master, Running" and state_of(sim, "mcs1") == "Slave, Running"


def test_allow_primary_timeout_says_writes_were_refused(rest_mcsctl, make_sim):
    scenario = {"profile": "legacy", "sessions": [{"count": 1, "servers": ["mcs1", "mcs2"], "in_transaction": True}]}
    sim = make_sim(scenario=scenario)
    r = rest_mcsctl("maintenance", "on", "mcs1", "--allow-primary", "--drain-timeout", "0.3", hosts=[sim])
    assert r.rc == 6, r.err
    assert "maintenance cleared, nothing was changed" not in r.err
    assert "new writes to mcs1 were refused during the 0.3s wait" in r.err
    assert state_of(sim, "mcs1") == "Master, Running"


def test_outcome_json_lists_the_changes(mcsctl, maxscale_sim):
    r = mcsctl(
        "maintenance", "on", "mcs1", "--switchover", "--to", "mcs3", "--yes", "--format", "json", hosts=[maxscale_sim]
    )
    assert r.rc == 0, r.err
    assert r.json()["changes"] == ["switchover mcs1 -> mcs3", "mcs1 in maintenance"]
    r = mcsctl("maintenance", "off", "mcs1", "--format", "json", hosts=[maxscale_sim])
    assert r.json()["changes"] == ["mcs1 out of maintenance"]
    r = mcsctl("maintenance", "off", "mcs1", "--format", "json", hosts=[maxscale_sim])
    assert r.json()["changes"] == [] and r.json()["changed"] is False


# ------------------------------------------------------------------ --dry-run --format json
@pytest.mark.parametrize(
    "args",
    [
        ["maintenance", "on", "mcs3"],
        ["maintenance", "on", "mcs2", "mcs3"],
        ["maintenance", "off", "mcs3"],
        ["maintenance", "run", "mcs3", "--", "true"],
        ["switchover", "--to", "mcs2"],
        ["rolling", "--", "true"],
        ["drain", "mcs3"],
        ["undrain", "mcs3"],
    ],
)
def test_dry_run_json_is_the_plan_as_json(mcsctl, maxscale_sim, args):
    r = mcsctl(
        *args[:1],
        *([args[1]] if args[0] == "maintenance" else []),
        "--dry-run",
        "--format",
        "json",
        *args[2 if args[0] == "maintenance" else 1 :],
        hosts=[maxscale_sim],
    )
    assert r.rc == 0, r.err
    doc = r.json()  # one JSON document, nothing else on stdout
    assert doc["dry_run"] is True and doc["steps"]
    calls = [c for step in doc["steps"] for c in step["calls"]]
    assert calls and all(c["host"] == maxscale_sim.host and c["call"] for c in calls)
    assert all(not step["step"].startswith("#") for step in doc["steps"])
    assert states(maxscale_sim)["mcs3"] == "Slave, Running"


def test_dry_run_json_of_reap(rest_mcsctl, maxscale_sim):
    assert rest_mcsctl("maintenance", "on", "mcs3", "--expires", "1s", hosts=[maxscale_sim]).rc == 0
    time.sleep(1.1)
    r = rest_mcsctl("maintenance", "reap", "--dry-run", "--format", "json", hosts=[maxscale_sim])
    assert r.rc == 0, r.err
    steps = r.json()["steps"]
    assert steps[0]["step"] == "clear maintenance of mcs3 on every MaxScale"
    assert steps[0]["calls"][0]["host"] == maxscale_sim.host


def test_dry_run_text_is_unchanged(rest_mcsctl, maxscale_sim):
    r = rest_mcsctl("drain", "mcs3", "--dry-run", hosts=[maxscale_sim])
    assert r.rc == 0 and r.out.splitlines()[:2] == [
        "# set mcs3 draining on every MaxScale",
        f"PUT {maxscale_sim.url}/v1/servers/mcs3/set?state=drain",
    ]


# ------------------------------------------------------------------ several MaxScales, one silent
def test_servers_shows_what_answers_and_exits_partial(mcsctl, maxscale_sim):
    dead = f"127.0.0.1:{closed_port()}"
    r = mcsctl("servers", "--format", "json", hosts=[maxscale_sim, dead])
    assert r.rc == 5, r.err
    assert {s["maxscale"] for s in r.json()} == {maxscale_sim.host} and len(r.json()) == 3
    assert f"warning: {dead}: " in r.err and "its servers are missing below" in r.err
    assert f"1 of 2 MaxScales did not answer ({dead})" in r.err
    r = mcsctl("servers", hosts=[dead])
    assert r.rc == 3


def test_changes_refuse_when_a_maxscale_is_silent_unless_skip_unreachable(mcsctl, maxscale_sim, cli_env):
    dead = f"127.0.0.1:{closed_port()}"
    r = mcsctl("maintenance", "on", "mcs3", hosts=[maxscale_sim, dead])
    assert r.rc == 3 and "add --skip-unreachable to act on the MaxScales that answer" in r.err
    assert state_of(maxscale_sim, "mcs3") == "Slave, Running"
    r = mcsctl("maintenance", "on", "mcs3", "--skip-unreachable", "--format", "json", hosts=[maxscale_sim, dead])
    assert r.rc == 0, r.err
    assert f"warning: {dead} does not answer (cannot connect" in r.err and "skipped (--skip-unreachable)" in r.err
    assert state_of(maxscale_sim, "mcs3") == "Maintenance, Running"
    rec = [x for x in journal(cli_env) if x["action"] == "on"][-1]
    assert rec["extra"]["skipped"] == [dead] and rec["hosts"] == [maxscale_sim.host]
    r = mcsctl("maintenance", "off", "mcs3", "--skip-unreachable", hosts=[dead])
    assert r.rc == 3  # none answers: nothing to act on


# ------------------------------------------------------------------ several servers at once
def test_on_and_off_several_servers_together(mcsctl, maxscale_sim):
    r = mcsctl("maintenance", "on", "mcs2", "mcs3", "--format", "json", hosts=[maxscale_sim])
    assert r.rc == 0, r.err
    docs = r.json()
    assert [d["server"] for d in docs] == ["mcs2", "mcs3"] and all(d["changed"] for d in docs)
    assert state_of(maxscale_sim, "mcs2") == state_of(maxscale_sim, "mcs3") == "Maintenance, Running"
    r = mcsctl("maintenance", "off", "mcs2", "mcs3", hosts=[maxscale_sim])
    assert r.rc == 0, r.err
    assert state_of(maxscale_sim, "mcs2") == state_of(maxscale_sim, "mcs3") == "Slave, Running"


def test_several_servers_are_judged_as_a_set(rest_mcsctl, maxscale_sim):
    # All three: with a switchover no replica outside the set can take over.
    r = rest_mcsctl("maintenance", "on", "mcs1", "mcs2", "mcs3", "--switchover", "--yes", hosts=[maxscale_sim])
    assert r.rc == 4, r.err
    # The primary and one replica: the other replica takes over, then both go.
    r = rest_mcsctl(
        "maintenance", "on", "mcs1", "mcs2", "--switchover", "--yes", "--format", "json", hosts=[maxscale_sim]
    )
    assert r.rc == 0, r.err
    assert r.json()[0]["changes"][0] == "switchover mcs1 -> mcs3"
    assert states(maxscale_sim) == {
        "mcs1": "Maintenance, Running",
        "mcs2": "Maintenance, Running",
        "mcs3": "Master, Running",
    }


def test_several_servers_all_or_nothing(rest_mcsctl, maxscale_sim):
    maxscale_sim.control(
        "POST",
        "/sim/faults",
        {"path": "/v1/servers/mcs3/set", "status": 400, "count": 10, "detail": "injected refusal"},
    )
    r = rest_mcsctl("maintenance", "on", "mcs2", "mcs3", "--no-drain", hosts=[maxscale_sim])
    assert r.rc == 1 and "undone on mcs2" in r.err, r.err
    assert state_of(maxscale_sim, "mcs2") == "Slave, Running"


def test_sigint_while_a_set_drains_undoes_every_server(rest_mcsctl, make_sim):
    import signal

    from .conftest import finish

    sim = make_sim(scenario=ON_MCS3)
    p = rest_mcsctl.start("maintenance", "on", "mcs2", "mcs3", "--drain-timeout", "20", hosts=[sim])
    wait_for(lambda: state_of(sim, "mcs3") == "Draining, Slave, Running", what="mcs3 Draining")
    p.send_signal(signal.SIGINT)
    r = finish(p)
    assert r.rc == 130, r.err
    assert "interrupted" in r.err and "undone on mcs2, mcs3" in r.err
    assert state_of(sim, "mcs2") == state_of(sim, "mcs3") == "Slave, Running"


def test_allow_last_needs_yes_and_overrides_the_last_server_guard(rest_mcsctl, maxscale_sim):
    down(maxscale_sim, "mcs1")
    down(maxscale_sim, "mcs2")
    r = rest_mcsctl("maintenance", "on", "mcs3", "--no-drain", hosts=[maxscale_sim])
    assert r.rc == 4 and "last server that can take traffic" in r.err
    r = rest_mcsctl("maintenance", "on", "mcs3", "--no-drain", "--allow-last", hosts=[maxscale_sim])
    assert r.rc == 4 and "--yes" in r.err
    assert "Maintenance" not in state_of(maxscale_sim, "mcs3")
    r = rest_mcsctl("maintenance", "on", "mcs3", "--no-drain", "--allow-last", "--yes", hosts=[maxscale_sim])
    assert r.rc == 0, r.err
    assert "Maintenance" in state_of(maxscale_sim, "mcs3")


# ------------------------------------------------------------------ drain / undrain
def test_drain_and_undrain(mcsctl, make_sim):
    sim = make_sim(scenario=ON_MCS3)
    r = mcsctl("drain", "mcs3", "--format", "json", hosts=[sim])
    assert r.rc == 0, r.err
    assert r.json()["changes"] == ["mcs3 draining"] and state_of(sim, "mcs3") == "Draining, Slave, Running"
    r = mcsctl("drain", "mcs3", "--wait", "--drain-timeout", "0.3", hosts=[sim])
    assert r.rc == 6 and "the drain flag stays set (mcsctl undrain mcs3 clears it)" in r.err, r.err
    assert state_of(sim, "mcs3") == "Draining, Slave, Running"
    r = mcsctl("undrain", "mcs3", hosts=[sim])
    assert r.rc == 0, r.err
    assert state_of(sim, "mcs3") == "Slave, Running"


def test_drain_wait_until_drained_and_the_primary_guard(mcsctl, maxscale_sim):
    r = mcsctl("drain", "mcs1", hosts=[maxscale_sim])
    assert r.rc == 4 and "mcs1 is the primary" in r.err
    r = mcsctl("drain", "mcs3", "--wait", "--drain-timeout", "5", hosts=[maxscale_sim])
    assert r.rc == 0, r.err
    assert state_of(maxscale_sim, "mcs3") == "Drained, Slave, Running"


# ------------------------------------------------------------------ replication lag
def test_servers_shows_replication_lag_where_the_backend_has_it(mcsctl, maxscale_sim):
    maxscale_sim.control("POST", "/sim/servers/mcs3/gtid", {"lag": 4})
    down(maxscale_sim, "mcs2")
    r = mcsctl("servers", "--format", "json", hosts=[maxscale_sim])
    assert r.rc == 0, r.err
    lag = {s["name"]: s["lag"] for s in r.json()}
    header = mcsctl("servers", hosts=[maxscale_sim]).out.splitlines()[0].split()
    if mcsctl.backend == "rest":
        assert lag == {"mcs1": 0, "mcs2": None, "mcs3": 4}  # -1 (unknown, down) is null
        assert "Lag" in header
    else:  # maxctrl's list servers has no lag column
        assert lag == {"mcs1": None, "mcs2": None, "mcs3": None}
        assert "Lag" not in header


def test_rolling_asks_once_on_a_terminal(cli_env, maxscale_sim):
    env = dict(cli_env, PATH=os.environ["PATH"], MCSCTL_BACKEND="rest", MCSCTL_HOSTS=maxscale_sim.host)
    rc, text = _on_a_terminal(["rolling", "--", "true"], env, b"n\n")
    assert rc == 4, text
    assert text.count("[y/N]") == 1 and "The roll switches the primary mcs1 over" in text
    assert states(maxscale_sim) == {"mcs1": "Master, Running", "mcs2": "Slave, Running", "mcs3": "Slave, Running"}
