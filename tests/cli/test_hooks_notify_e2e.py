"""Teams, items 2-3: webhook notifications and hooks, through the installed `mcsctl` (a real process)
against the simulator, with a local HTTP receiver (tests/cli/webhooks.py)."""

from __future__ import annotations

import json
import sys
import time

import pytest

from mcsctl import __version__

from .conftest import state_of
from .webhooks import Receiver

pytestmark = pytest.mark.real_process  # the installed entry point; hooks are real children

SESSIONS_ON_MCS3 = {"sessions": [{"count": 2, "servers": ["mcs1", "mcs3"], "user": "app", "remote": "10.0.0.7"}]}
FAST = {"monitors": [{"name": "MariaDB-Monitor", "monitor_interval": 50}]}
# A hook that writes its environment and stdin to the file named by its argument.
DUMP = [
    sys.executable,
    "-c",
    "import json, os, sys; "
    "open(sys.argv[1], 'w').write(json.dumps({'env': dict(os.environ), 'stdin': sys.stdin.read()}))",
]


@pytest.fixture
def receiver():
    made: list[Receiver] = []

    def make(status=200, hang=False):
        made.append(Receiver(status, hang))
        return made[-1]

    yield make
    for r in made:
        r.stop()


def config(tmp_path, text: str) -> str:
    path = tmp_path / "config.toml"
    path.write_text(text)
    path.chmod(0o600)
    return str(path)


def toml_list(argv) -> str:
    return json.dumps(list(argv))  # a JSON list of strings is a TOML array


def intents(cli_env):
    with open(cli_env["MCSCTL_JOURNAL"]) as f:
        recs = [json.loads(line) for line in f if line.strip()]
    return [r for r in recs if r["action"] == "intent"]


def test_on_and_off_send_one_event_per_transition(rest_mcsctl, maxscale_sim, receiver, cli_env):
    rx = receiver()
    r = rest_mcsctl(
        "maintenance", "on", "mcs3", "--reason", "kernel update", "--expires", "2h", "--notify", rx.url,
        hosts=[maxscale_sim],
    )  # fmt: skip
    assert r.rc == 0, r.err
    assert rx.kinds() == [("drain-start", "mcs3", "ok"), ("maintenance-on", "mcs3", "ok")]
    on = rx.events[1]
    assert on["schema"] == 1 and on["mcsctl"] == __version__ and on["action"] == "on"
    assert on["hosts"] == [maxscale_sim.host] and "@" in on["who"]
    assert on["why"] == "kernel update" and on["expires"] == pytest.approx(time.time() + 7200, abs=120)
    assert on["states"] == {maxscale_sim.host: "Maintenance, Running"}
    assert on["id"] == intents(cli_env)[0]["extra"]["id"] and on["time"] == pytest.approx(time.time(), abs=120)
    assert set(on) == {
        "schema", "event", "server", "hosts", "who", "why", "expires", "outcome", "states", "time", "mcsctl",
        "action", "id", "details",
    }  # fmt: skip
    assert rx.requests[0]["path"] == "/hook/SECRET-PATH?token=SECRET-QUERY"
    assert rx.requests[0]["headers"]["Content-Type"] == "application/json"

    r = rest_mcsctl("maintenance", "off", "mcs3", hosts=[maxscale_sim], env={"MCSCTL_NOTIFY": rx.url})
    assert r.rc == 0, r.err
    assert rx.kinds()[2:] == [("maintenance-off", "mcs3", "ok")]
    assert rx.events[2]["states"] == {maxscale_sim.host: "Slave, Running"} and rx.events[2]["action"] == "off"
    # another process's off says what the maintenance it ends was for (the journal's open record)
    assert rx.events[2]["why"] == "kernel update" and rx.events[2]["expires"] == pytest.approx(on["expires"], abs=1)


def test_run_switchover_and_undo_events(rest_mcsctl, make_sim, receiver):
    sim = make_sim(scenario=FAST)
    rx = receiver()
    env = {"MCSCTL_NOTIFY": rx.url}
    r = rest_mcsctl("maintenance", "run", "mcs3", "--reason", "patch", "--", "true", hosts=[sim], env=env)
    assert r.rc == 0, r.err
    kinds = ["drain-start", "maintenance-on", "maintenance-off"]
    assert rx.kinds() == [(k, "mcs3", "ok") for k in kinds]
    assert {e["action"] for e in rx.events} == {"run"} and {e["why"] for e in rx.events} == {"patch"}

    r = rest_mcsctl("switchover", "--to", "mcs2", "--yes", hosts=[sim], env=env)
    assert r.rc == 0, r.err
    assert rx.kinds()[3:] == [("switchover", "mcs1", "ok")] and rx.events[3]["details"]["to"] == "mcs2"
    assert rx.events[3]["states"] == {sim.host: "Slave, Running"}  # the old primary, now a replica

    # A set that fails half-way is undone: mcs1 went in, mcs3 was refused.
    sim.control("POST", "/sim/faults", {"path": "/v1/servers/mcs3/set", "status": 400, "detail": "no", "count": 10})
    r = rest_mcsctl("maintenance", "on", "mcs1", "mcs3", "--no-drain", hosts=[sim], env=env)
    assert r.rc == 1, r.err
    # Like the journal's `off ... undone` records: every server of the set, the refused one included.
    undo = [("undo", "mcs3", "ok"), ("undo", "mcs1", "ok")]
    assert rx.kinds()[4:] == [*undo, ("failed", "mcs1", "failed"), ("failed", "mcs3", "failed")]
    assert rx.events[4]["details"] == {"undid": "on"} and "no" in rx.events[6]["details"]["error"]
    assert state_of(sim, "mcs1") == "Slave, Running"


def test_timeout_sends_an_event_and_runs_on_failure(rest_mcsctl, make_sim, receiver, tmp_path):
    sim = make_sim(scenario=SESSIONS_ON_MCS3)
    rx = receiver()
    out = tmp_path / "failure.json"
    cfg = config(tmp_path, f"notify = [{json.dumps(rx.url)}]\n[hooks]\non-failure = {toml_list([*DUMP, str(out)])}\n")
    r = rest_mcsctl("--config", cfg, "maintenance", "on", "mcs3", "--drain-timeout", "0.3", hosts=[sim])
    assert r.rc == 6, r.err
    assert rx.kinds() == [("drain-start", "mcs3", "ok"), ("timeout", "mcs3", "timeout")]
    got = json.loads(out.read_text())
    event = json.loads(got["stdin"])
    assert event["event"] == "timeout" and event["server"] == "mcs3" and "did not drain" in event["details"]["error"]
    assert got["env"]["MCSCTL_HOOK"] == "on-failure" and got["env"]["MCSCTL_OUTCOME"] == "timeout"
    assert state_of(sim, "mcs3") == "Slave, Running"


@pytest.mark.parametrize("sig", ["TERM"])
def test_interrupted_run_sends_interrupted(rest_mcsctl, make_sim, receiver, sig):
    sim = make_sim(scenario=FAST)
    rx = receiver()
    command = ["sh", "-c", f"kill -{sig} $PPID; exec sleep 5"]
    r = rest_mcsctl("maintenance", "run", "mcs3", "--", *command, hosts=[sim], env={"MCSCTL_NOTIFY": rx.url})
    assert r.rc == 130, r.err
    assert rx.kinds()[-1] == ("interrupted", "mcs3", "interrupted")
    assert rx.events[-1]["action"] == "run" and rx.events[-1]["states"] == {sim.host: "Maintenance, Running"}


def test_rolling_sends_node_events(rest_mcsctl, make_sim, receiver):
    sim = make_sim(scenario=FAST)
    rx = receiver()
    r = rest_mcsctl(
        "rolling", "--servers", "mcs2,mcs3", "--catchup-timeout", "20", "--", "true", hosts=[sim],
        env={"MCSCTL_NOTIFY": rx.url},
    )  # fmt: skip
    assert r.rc == 0, r.err
    per_node = ["drain-start", "maintenance-on", "maintenance-off", "rolling-node"]
    assert rx.kinds() == [(k, n, "ok") for n in ("mcs2", "mcs3") for k in per_node]
    assert {e["action"] for e in rx.events if e["event"] != "rolling-node"} == {"rolling"}
    assert [e["details"]["order"] for e in rx.events if e["event"] == "rolling-node"] == ["1/2", "2/2"]


def test_reap_sends_reaped_and_runs_the_off_hooks(rest_mcsctl, maxscale_sim, receiver, tmp_path):
    rx = receiver()
    pre, post = tmp_path / "pre.json", tmp_path / "post.json"
    cfg = config(
        tmp_path,
        f"notify = [{json.dumps(rx.url)}]\n[hooks]\npre-off = {toml_list([*DUMP, str(pre)])}\n"
        f"post-off = {toml_list([*DUMP, str(post)])}\n",
    )
    r = rest_mcsctl("--config", cfg, "maintenance", "on", "mcs3", "--no-drain", "--expires", "1s", hosts=[maxscale_sim])
    assert r.rc == 0, r.err
    time.sleep(1.2)  # let the expiry pass (not a timed assertion: nothing is measured)
    r = rest_mcsctl("--config", cfg, "maintenance", "reap", hosts=[maxscale_sim])
    assert r.rc == 0, r.err
    assert rx.kinds() == [("maintenance-on", "mcs3", "ok"), ("reaped", "mcs3", "ok")]
    assert rx.events[1]["why"] == "expired" and rx.events[1]["action"] == "reap"
    assert json.loads(json.loads(pre.read_text())["stdin"])["outcome"] == "pending"
    assert json.loads(post.read_text())["env"]["MCSCTL_EVENT"] == "reaped"
    assert state_of(maxscale_sim, "mcs3") == "Slave, Running"


def test_failing_receivers_are_warnings_and_keep_the_exit_status(rest_mcsctl, maxscale_sim, receiver):
    from tests.ports import closed_port

    bad = receiver(status=500)
    refused = f"https://user:SECRET-PASS@127.0.0.1:{closed_port()}/SECRET-PATH?SECRET-QUERY"
    r = rest_mcsctl(
        "--notify", bad.url, "--notify", refused, "maintenance", "on", "mcs3", "--no-drain", hosts=[maxscale_sim]
    )
    assert r.rc == 0, r.err
    assert state_of(maxscale_sim, "mcs3") == "Maintenance, Running"
    assert bad.kinds() == [("maintenance-on", "mcs3", "ok")]
    warnings = [ln for ln in r.err.splitlines() if "notification to" in ln]
    assert len(warnings) == 2, r.err
    assert any("HTTP 500" in w and f"{bad.url.split('/hook')[0]}/..." in w for w in warnings), warnings
    assert any("https://127.0.0.1:" in w for w in warnings), warnings
    assert "SECRET" not in r.err and "user" not in r.err and "Traceback" not in r.err


def test_a_hanging_receiver_does_not_hold_the_change(rest_mcsctl, maxscale_sim, receiver):
    rx = receiver(hang=True)
    r = rest_mcsctl(
        "--notify", rx.url, "--notify-timeout", "0.5", "maintenance", "on", "mcs3", hosts=[maxscale_sim], timeout=30
    )
    assert r.rc == 0, r.err
    assert state_of(maxscale_sim, "mcs3") == "Maintenance, Running"
    assert "not sent within the 0.5s notify timeout" in r.err or "no answer in time" in r.err, r.err
    assert "SECRET" not in r.err
    rx.release()


def test_a_failing_pre_hook_vetoes_before_anything_changes(rest_mcsctl, maxscale_sim, receiver, tmp_path, cli_env):
    rx = receiver()
    veto = ["sh", "-c", "echo 'change freeze until Monday' >&2; echo 'ticket CHG-7' >&2; exit 3"]
    cfg = config(tmp_path, f"notify = [{json.dumps(rx.url)}]\n[hooks]\npre-on = {toml_list(veto)}\n")
    r = rest_mcsctl("--config", cfg, "maintenance", "on", "mcs3", "--reason", "disk", hosts=[maxscale_sim])
    assert r.rc == 4, r.err
    line = next(ln for ln in r.err.splitlines() if ln.startswith("mcsctl: error:"))
    assert "pre-on hook exited 3: change freeze until Monday | ticket CHG-7" in line and "nothing was changed" in line
    assert "Traceback" not in r.err
    assert state_of(maxscale_sim, "mcs3") == "Slave, Running"  # no drain, no maintenance
    assert [i["outcome"] for i in intents(cli_env)] == ["started", "refused"]  # no intent left open
    assert rx.kinds() == []
    status = rest_mcsctl("maintenance", "status", "--format", "json", hosts=[maxscale_sim])
    assert status.rc == 0 and status.json() == []

    # A pre-off hook that takes too long vetoes leaving, too.
    slow = ["sleep", "5"]
    assert rest_mcsctl("maintenance", "on", "mcs3", "--no-drain", hosts=[maxscale_sim]).rc == 0
    cfg = config(tmp_path, f"hook_timeout = 0.3\n[hooks]\npre-off = {toml_list(slow)}\n")
    r = rest_mcsctl("--config", cfg, "maintenance", "off", "mcs3", hosts=[maxscale_sim])
    assert r.rc == 4 and "did not finish in 0.3s" in r.err, r.err
    assert state_of(maxscale_sim, "mcs3") == "Maintenance, Running"


def test_hooks_get_the_event_on_stdin_and_no_secret(rest_mcsctl, maxscale_sim, tmp_path):
    out = tmp_path / "pre.json"
    hook = toml_list([*DUMP, str(out)])
    text = f'password = "mariadb"\nnotify = ["http://127.0.0.1:9/x?t=1"]\n[hooks]\npre-on = {hook}\n'
    cfg = config(tmp_path, text)
    secrets = {
        "MCSCTL_CMAPI_KEY": "cmapi-secret",
        "MCSCTL_JOURNAL_PASSWORD": "journal-secret",
        "MCSCTL_OTHER_TOKEN": "other-secret",
        "MCSCTL_NOTIFY_TIMEOUT": "0.2",
        "MCSCTL_COLUMNSTORE": "false",  # a plain simulator: the key is only here to be kept from the hook
    }
    r = rest_mcsctl(
        "--config", cfg, "maintenance", "on", "mcs3", "--no-drain", "--reason", "disk swap", "--expires", "1h",
        hosts=[maxscale_sim], env=secrets,
    )  # fmt: skip
    assert r.rc == 0, r.err
    got = json.loads(out.read_text())
    env, event = got["env"], json.loads(got["stdin"])
    values = set(env.values())
    assert not {"mariadb", "cmapi-secret", "journal-secret", "other-secret"} & values
    assert not {"MCSCTL_PASSWORD", "MCSCTL_CMAPI_KEY", "MCSCTL_JOURNAL_PASSWORD", "MCSCTL_NOTIFY"} & set(env)
    assert env["MCSCTL_SERVER"] == "mcs3" and env["MCSCTL_ACTION"] == "on" and env["MCSCTL_HOOK"] == "pre-on"
    assert env["MCSCTL_EVENT"] == "maintenance-on" and env["MCSCTL_REASON"] == "disk swap"
    assert env["MCSCTL_HOSTS"] == maxscale_sim.host and env["MCSCTL_OUTCOME"] == "pending"
    assert abs(int(env["MCSCTL_EXPIRES"]) - (time.time() + 3600)) < 120 and env["MCSCTL_ID"] == event["id"]
    assert event["event"] == "maintenance-on" and event["server"] == "mcs3" and event["why"] == "disk swap"

    # The same with the password in the environment instead of the config file.
    assert rest_mcsctl("maintenance", "off", "mcs3", hosts=[maxscale_sim]).rc == 0
    text = f"[hooks]\npre-on = {toml_list([*DUMP, str(out)])}\n"
    r = rest_mcsctl(
        "--config", config(tmp_path, text), "maintenance", "on", "mcs3", "--no-drain", hosts=[maxscale_sim],
        env={"MCSCTL_PASSWORD": "mariadb"},
    )  # fmt: skip
    assert r.rc == 0, r.err
    env = json.loads(out.read_text())["env"]
    assert "MCSCTL_PASSWORD" not in env and "mariadb" not in set(env.values())


def test_a_failing_post_hook_is_a_warning(rest_mcsctl, maxscale_sim, tmp_path):
    fail = ["sh", "-c", "echo 'pager unreachable' >&2; exit 1"]
    cfg = config(tmp_path, f"[hooks]\npost-on = {toml_list(fail)}\n")
    r = rest_mcsctl("--config", cfg, "maintenance", "on", "mcs3", "--no-drain", hosts=[maxscale_sim])
    assert r.rc == 0, r.err
    assert "post-on hook exited 1: pager unreachable (the change stands)" in r.err
    assert state_of(maxscale_sim, "mcs3") == "Maintenance, Running"


def test_dry_runs_run_no_hooks_and_send_nothing(rest_mcsctl, maxscale_sim, receiver, tmp_path):
    rx = receiver()
    marker = tmp_path / "ran"
    touch = ["sh", "-c", f"touch {marker}"]
    hooks = "".join(f"{h} = {toml_list(touch)}\n" for h in ("pre-on", "post-on", "pre-off", "post-off"))
    cfg = config(tmp_path, f"notify = [{json.dumps(rx.url)}]\n[hooks]\n{hooks}")
    on = rest_mcsctl("--config", cfg, "maintenance", "on", "mcs3", "--dry-run", hosts=[maxscale_sim])
    off = rest_mcsctl("--config", cfg, "maintenance", "off", "mcs3", "--dry-run", hosts=[maxscale_sim])
    assert on.rc == off.rc == 0, on.err + off.err
    assert not marker.exists() and rx.kinds() == []
    said = on.out + on.err
    assert "# the pre-on hook would run: sh" in said and "# the post-on hook would run: sh" in said
    assert f"# each event would be sent to {rx.url.split('/hook')[0]}/..." in said and "SECRET" not in said
    assert "# the pre-off hook would run: sh" in off.out + off.err


@pytest.mark.parametrize(
    "text, expected",
    [
        ('[hooks]\npre-on = "echo hi"\n', "pre-on must be a non-empty list of strings"),
        ("[hooks]\npre-on = []\n", "pre-on must be a non-empty list of strings"),
        ('[hooks]\npre-on = ["echo", 1]\n', "pre-on must be a non-empty list of strings"),
        ('[hooks]\nbefore = ["true"]\n', "unknown hook 'before'"),
        ('hooks = ["true"]\n', "hooks must be a table"),
        ('notify = ["ftp://u:SECRET@h/SECRET"]\n', "ftp://h/... is not an http:// or https:// URL"),
        ("notify = [1]\n", "--notify must be URLs"),
        ("hook_timeout = -1\n", "--hook-timeout must be a positive number"),
    ],
)
def test_bad_hook_and_notify_config_is_one_line(rest_mcsctl, maxscale_sim, tmp_path, text, expected):
    r = rest_mcsctl("--config", config(tmp_path, text), "maintenance", "on", "mcs3", hosts=[maxscale_sim])
    assert r.rc == 2, r.err
    lines = r.err.strip().splitlines()
    assert len([ln for ln in lines if not ln.startswith("hint:")]) == 1 and expected in lines[0], r.err
    assert "SECRET" not in r.err
    assert state_of(maxscale_sim, "mcs3") == "Slave, Running"


def test_notify_env_is_a_comma_list(rest_mcsctl, maxscale_sim, receiver):
    a, b = receiver(), receiver()
    r = rest_mcsctl(
        "maintenance", "on", "mcs3", "--no-drain", hosts=[maxscale_sim], env={"MCSCTL_NOTIFY": f"{a.url},{b.url}"}
    )
    assert r.rc == 0, r.err
    assert a.kinds() == b.kinds() == [("maintenance-on", "mcs3", "ok")]


def test_every_pre_hook_of_a_set_runs_before_the_first_server_changes(rest_mcsctl, maxscale_sim, tmp_path):
    only_not_mcs3 = ["sh", "-c", 'test "$MCSCTL_SERVER" != mcs3 || { echo "mcs3 is frozen" >&2; exit 1; }']
    cfg = config(tmp_path, f"[hooks]\npre-on = {toml_list(only_not_mcs3)}\npre-off = {toml_list(only_not_mcs3)}\n")
    r = rest_mcsctl("--config", cfg, "maintenance", "on", "mcs2", "mcs3", hosts=[maxscale_sim])
    assert r.rc == 4 and "mcs3: the pre-on hook exited 1: mcs3 is frozen" in r.err, r.err
    assert state_of(maxscale_sim, "mcs2") == state_of(maxscale_sim, "mcs3") == "Slave, Running"

    assert rest_mcsctl("maintenance", "on", "mcs2", "mcs3", "--no-drain", hosts=[maxscale_sim]).rc == 0
    r = rest_mcsctl("--config", cfg, "maintenance", "off", "mcs2", "mcs3", hosts=[maxscale_sim])
    assert r.rc == 4 and "mcs3: the pre-off hook exited 1" in r.err, r.err
    assert state_of(maxscale_sim, "mcs2") == state_of(maxscale_sim, "mcs3") == "Maintenance, Running"
