"""Events, webhooks and hooks (issue 15, items 2-3): the parsers and the pieces, without a MaxScale."""

from __future__ import annotations

import sys
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mcsctl.errors import UsageError
from mcsctl.events import KINDS, build, shown
from mcsctl.hooks import checked_hooks, environment, run
from mcsctl.notify import Notifier, checked_urls

from .cli.webhooks import Receiver

SECRETISH = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~", min_size=8)


@given(user=SECRETISH, password=SECRETISH, path=SECRETISH, query=SECRETISH)
def test_a_shown_url_never_holds_its_userinfo_path_or_query(user, password, path, query):
    url = f"https://{quote(user)}:{quote(password)}@hooks.example.com:8443/{path}?t={query}"
    text = shown(url)
    assert text == "https://hooks.example.com:8443/..."
    assert checked_urls([url]) == (url,)


@given(st.text(max_size=60))
def test_checked_urls_accepts_or_refuses_in_one_line(raw):
    try:
        urls = checked_urls(raw)
    except UsageError as exc:
        assert "\n" not in exc.message
    else:
        assert all(u.startswith(("http://", "https://")) for u in urls)


def test_checked_urls_splits_a_comma_list_and_drops_repeats():
    assert checked_urls("http://a/x, https://b:8443/y,,http://a/x") == ("http://a/x", "https://b:8443/y")
    assert checked_urls(["http://[::1]:9/x"]) == ("http://[::1]:9/x",)
    assert shown("http://[::1]:9/x") == "http://[::1]:9/..."
    for bad in (["ftp://h/x"], ["http://"], ["http://h/a b"], [3], "http://h:99999/"):
        with pytest.raises(UsageError):
            checked_urls(bad)


def test_checked_hooks():
    assert checked_hooks({"pre-on": ["a", "b"], "on_failure": ["c"]}) == (
        ("pre-on", ("a", "b")),
        ("on-failure", ("c",)),
    )
    assert checked_hooks((("post-off", ("x",)),)) == (("post-off", ("x",)),)
    for bad in ({"pre-on": "echo"}, {"pre-on": []}, {"pre-on": [""]}, {"nope": ["x"]}, ["x"]):
        with pytest.raises(UsageError):
            checked_hooks(bad)


def test_build_has_a_stable_shape():
    e = build(
        "maintenance-on", "mcs3", hosts=["mx1:8989"], who="a@h", why="r", expires=1.0, outcome="ok",
        states={"mx1:8989": "Maintenance, Running"}, time=2.0, version="9", action="on", id="abc",
    )  # fmt: skip
    assert list(e) == [
        "schema", "event", "server", "hosts", "who", "why", "expires", "outcome", "states", "time", "mcsctl",
        "action", "id", "details",
    ]  # fmt: skip
    assert "maintenance-on" in KINDS and len(set(KINDS)) == len(KINDS)


def test_hook_environment_has_the_event_and_no_secret(monkeypatch):
    monkeypatch.setenv("MCSCTL_PASSWORD", "pw")
    monkeypatch.setenv("MCSCTL_NOTIFY", "https://h/token")
    monkeypatch.setenv("MCSCTL_X_TOKEN", "t")
    env = environment({"event": "maintenance-off", "server": "mcs2", "hosts": ["a", "b"], "expires": 5.5}, "post-off")
    assert env["MCSCTL_SERVER"] == "mcs2" and env["MCSCTL_HOSTS"] == "a,b" and env["MCSCTL_EXPIRES"] == "5"
    assert env["MCSCTL_HOOK"] == "post-off" and env["MCSCTL_REASON"] == ""
    assert not {"MCSCTL_PASSWORD", "MCSCTL_NOTIFY", "MCSCTL_X_TOKEN"} & set(env)


def test_run_reports_status_stderr_timeout_and_missing_programs(tmp_path):
    ok = run("post-on", (sys.executable, "-c", "import sys; sys.stdin.read()"), {"event": "x"}, 30)
    assert ok.ok and ok.status == 0
    err = "import sys; [print(f'line {i}', file=sys.stderr) for i in range(9)]; sys.exit(2)"
    bad = run("pre-on", (sys.executable, "-c", err), {}, 30)
    assert bad.status == 2 and bad.failure == "exited 2: line 0 | line 1 | line 2 | ..."
    slow = run("pre-on", ("sleep", "30"), {}, 0.2)
    assert slow.status is None and slow.failure == "did not finish in 0.2s (hook_timeout); killed"
    missing = run("pre-on", (str(tmp_path / "nope"),), {}, 5)
    assert missing.status is None and missing.failure and "cannot run" in missing.failure


def test_notifier_sends_in_order_and_warns_once_per_failure():
    ok, bad = Receiver(), Receiver(status=503)
    warnings: list[str] = []
    try:
        n = Notifier((ok.url, bad.url), 5.0, warnings.append)
        for i in range(3):
            n.send({"event": "maintenance-on", "n": i})
        n.close()
        assert [e["n"] for e in ok.events] == [0, 1, 2] == [e["n"] for e in bad.events]
        assert len(warnings) == 3 and all("HTTP 503" in w and "SECRET" not in w for w in warnings)
    finally:
        ok.stop()
        bad.stop()


def test_notifier_close_gives_up_on_a_hanging_receiver():
    rx = Receiver(hang=True)
    warnings: list[str] = []
    try:
        n = Notifier((rx.url,), 0.2, warnings.append)
        n.send({"event": "a"})
        n.send({"event": "b"})
        n.close()
        # The first POST gives up at its own timeout, or close() gives up on both: either way one line each.
        assert warnings and all("not sent within" in w or "no answer in time" in w for w in warnings), warnings
        assert all("SECRET" not in w for w in warnings)
    finally:
        rx.stop()


def test_the_api_takes_notify_and_hooks_as_keywords(maxscale_sim, monkeypatch, tmp_path):
    from mcsctl.api import Cluster

    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "run"))
    rx = Receiver()
    out = tmp_path / "post-on"
    try:
        cluster = Cluster(
            hosts=[maxscale_sim.host], backend="rest", journal=str(tmp_path / "j.jsonl"), notify=[rx.url],
            hooks={"post-on": ["sh", "-c", f"cat > {out}"]}, hook_timeout=30, notify_timeout=5,
        )  # fmt: skip
        report = cluster.enter("mcs3", drain=False, reason="disk")
        cluster.close()
        assert report.changes == ["mcs3 in maintenance"]
        assert [(e["event"], e["why"]) for e in rx.events] == [("maintenance-on", "disk")]
        assert '"event": "maintenance-on"' in out.read_text()
        cluster.leave("mcs3")
        cluster.close()
        assert [e["event"] for e in rx.events] == ["maintenance-on", "maintenance-off"]
        with pytest.raises(UsageError, match="unknown hook"):
            Cluster(hosts=[maxscale_sim.host], hooks={"later": ["x"]})
    finally:
        rx.stop()
