"""The journal: file format and safety, open/closed replay, status rows, expiry."""

from __future__ import annotations

import json
import multiprocessing
import os
import stat

import pytest

from mcsctl.journal import Journal, Record, default_path, expired, open_maintenances, status_rows, who

A, B = "10.0.0.1:8989", "10.0.0.2:8989"


def rec(t, action, server="srv1", hosts=(A,), **kw):
    kw.setdefault("user", "alice@adm1")
    return Record(time=float(t), action=action, server=server, hosts=list(hosts), **kw)


# --- file -----------------------------------------------------------------------------------


def test_append_read_round_trip(tmp_path):
    j = Journal(tmp_path / "j.jsonl")
    r1 = rec(1, "on", reason="disk swap \n with newline", expires=100.0, extra={"drain": {"waited": 3}})
    r2 = Record.now("rolling-start", None, hosts=(A, B), extra={"servers": ["a", "b"]})
    r3 = rec(2, "off", reason="Wartung für Knoten ✓")
    for r in (r1, r2, r3):
        j.append(r)
    assert j.read() == [r1, r2, r3]
    assert j.skipped == 0
    lines = (tmp_path / "j.jsonl").read_bytes().split(b"\n")
    assert len(lines) == 4 and lines[-1] == b""  # one line per record, newline-terminated
    assert r2.user == who() and r2.hosts == [A, B]


def test_missing_file_reads_empty(tmp_path):
    j = Journal(tmp_path / "nope" / "j.jsonl")
    assert j.read() == []
    assert not (tmp_path / "nope").exists()


def test_permissions(tmp_path):
    path = tmp_path / "state" / "mcsctl" / "journal.jsonl"
    old = os.umask(0o022)
    try:
        Journal(path).append(rec(1, "on"))
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_corrupt_lines_are_skipped_and_counted(tmp_path):
    path = tmp_path / "j.jsonl"
    j = Journal(path)
    j.append(rec(1, "on"))
    with open(path, "ab") as f:
        f.write(b"not json\n")
        f.write(b"[1, 2]\n")
        f.write(b'{"action": "on"}\n')  # no time
        f.write(b'{"time": "yesterday", "action": "on"}\n')
        f.write(b'{"time": 1, "action": "on", "hosts": "A"}\n')
        f.write(b"\xff\xfe garbage\n")
        f.write(b"\n")  # blank lines are not corruption
        f.write(b'{"time": 3, "action": "off", "server": "srv1", "future_key": 1}\n')  # unknown key ok
        f.write(b'{"time": 4, "action": "on", "server": "srv2"')  # torn last line
    records = j.read()
    assert [r.time for r in records] == [1.0, 3.0]
    assert records[1].hosts == [] and records[1].outcome == "ok"
    assert j.skipped == 7
    j.append(rec(5, "on", server="srv3"))  # appending after a torn line still yields parseable lines
    assert [r.time for r in j.read()][-1] == 5.0


def test_unencodable_argv_text_survives(tmp_path):
    j = Journal(tmp_path / "j.jsonl")
    reason = b"bad \xff byte".decode("utf-8", "surrogateescape")
    j.append(rec(1, "on", reason=reason))
    assert j.read()[0].reason == reason


def _writer(path, who_id, count):
    j = Journal(path)
    big = "x" * 20000  # far beyond PIPE_BUF, so only the lock keeps lines whole
    for i in range(count):
        j.append(rec(i, "on", server=f"w{who_id}", reason=big if i % 10 == 0 else f"n{i}", extra={"i": i}))


def test_concurrent_writers_never_interleave(tmp_path):
    path = tmp_path / "j.jsonl"
    procs, count = 4, 60
    ctx = multiprocessing.get_context("fork")
    workers = [ctx.Process(target=_writer, args=(path, n, count)) for n in range(procs)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
        assert w.exitcode == 0
    raw = path.read_bytes().split(b"\n")
    assert raw[-1] == b""
    assert len(raw) - 1 == procs * count
    for line in raw[:-1]:
        json.loads(line)
    j = Journal(path)
    records = j.read()
    assert j.skipped == 0
    for n in range(procs):
        assert [r.extra["i"] for r in records if r.server == f"w{n}"] == list(range(count))


def test_default_path_precedence(monkeypatch, tmp_path):
    monkeypatch.delenv("MCSCTL_JOURNAL", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("XDG_STATE_HOME", raising=False)
    assert default_path() == tmp_path / "home" / ".local" / "state" / "mcsctl" / "journal.jsonl"
    monkeypatch.setenv("XDG_STATE_HOME", "relative/ignored")
    assert default_path() == tmp_path / "home" / ".local" / "state" / "mcsctl" / "journal.jsonl"
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    assert default_path() == tmp_path / "xdg" / "mcsctl" / "journal.jsonl"
    assert Journal().path == tmp_path / "xdg" / "mcsctl" / "journal.jsonl"
    # $MCSCTL_JOURNAL is read once, by Typer (--journal's envvar), and reaches Journal as its path (issue 12)
    monkeypatch.setenv("MCSCTL_JOURNAL", str(tmp_path / "env.jsonl"))
    assert Journal().path == tmp_path / "xdg" / "mcsctl" / "journal.jsonl"
    assert Journal(tmp_path / "env.jsonl").path == tmp_path / "env.jsonl"
    assert Journal(tmp_path / "arg.jsonl").path == tmp_path / "arg.jsonl"


def test_who_is_user_at_host(monkeypatch):
    assert "@" in who()
    import getpass
    import socket

    def boom(*a):
        raise OSError("nope")

    monkeypatch.setattr(getpass, "getuser", boom)
    monkeypatch.setattr(socket, "gethostname", boom)
    user, host = who().split("@")
    assert user and host == "localhost"


# --- open / closed --------------------------------------------------------------------------


def test_on_then_off_closes():
    records = [rec(1, "on"), rec(2, "off")]
    assert open_maintenances(records) == {}
    assert open_maintenances(records[:1]) == {"srv1": records[0]}


def test_latest_opening_record_wins():
    records = [rec(1, "on", reason="first"), rec(2, "on", reason="second", expires=50.0)]
    assert open_maintenances(records)["srv1"].reason == "second"


def test_run_start_and_run_end():
    assert open_maintenances([rec(1, "run-start"), rec(2, "run-end")]) == {}
    kept = [rec(1, "run-start"), rec(2, "run-end", outcome="failed", extra={"cleared": False})]
    assert open_maintenances(kept)["srv1"].action == "run-start"
    kept = [rec(1, "run-start"), rec(2, "run-end", extra={"cleared": False})]
    assert "srv1" in open_maintenances(kept)


def test_reap_closes():
    assert open_maintenances([rec(1, "on"), rec(2, "reap")]) == {}


def test_failed_records_change_nothing():
    assert open_maintenances([rec(1, "on", outcome="failed")]) == {}
    assert "srv1" in open_maintenances([rec(1, "on"), rec(2, "off", outcome="failed")])
    assert "srv1" in open_maintenances([rec(1, "on"), rec(2, "reap", outcome="interrupted")])


def test_hosts_are_tracked_separately():
    records = [rec(1, "on", hosts=(A, B)), rec(2, "off", hosts=(A,))]
    still = open_maintenances(records)
    assert still["srv1"].hosts == [B] and still["srv1"].time == 1.0
    assert open_maintenances(records + [rec(3, "off", hosts=(B,))]) == {}


def test_off_without_hosts_closes_every_host_and_on_without_hosts_is_closed_by_any_off():
    assert open_maintenances([rec(1, "on", hosts=(A, B)), rec(2, "off", hosts=())]) == {}
    assert open_maintenances([rec(1, "on", hosts=()), rec(2, "off", hosts=(B,))]) == {}
    only = open_maintenances([rec(1, "on", hosts=())])
    assert only["srv1"].hosts == []


def test_servers_are_independent_and_other_actions_ignored():
    records = [
        rec(1, "on", server="a"),
        rec(2, "on", server="b"),
        rec(3, "rolling-start", server=None),
        rec(4, "rolling-node", server="a"),
        rec(5, "off", server="b"),
        rec(6, "something-new", server="a"),
    ]
    assert list(open_maintenances(records)) == ["a"]


# --- status rows ----------------------------------------------------------------------------

KEYS = {
    "server",
    "in_maintenance",
    "hosts",
    "action",
    "since",
    "by",
    "reason",
    "expires",
    "overdue",
    "source",
    "stale",
    "draining",
    "draining_hosts",
    "interrupted",
    "unfinished",
}


def test_status_set_by_mcsctl_and_live():
    records = [rec(10, "on", hosts=(A, B), reason="kernel update", expires=1000.0)]
    rows = status_rows(records, {"srv1": {A: True, B: True}, "srv2": {A: False, B: False}}, now=500.0)
    assert rows == [
        {
            "server": "srv1",
            "in_maintenance": True,
            "hosts": [A, B],
            "action": "on",
            "since": 10.0,
            "by": "alice@adm1",
            "reason": "kernel update",
            "expires": 1000.0,
            "overdue": False,
            "source": "mcsctl",
            "stale": False,
            "draining": False,
            "draining_hosts": [],
            "interrupted": False,
            "unfinished": None,
        }
    ]
    json.dumps(rows)  # plain data


def test_status_set_outside_mcsctl():
    rows = status_rows([rec(1, "on"), rec(2, "off")], {"srv1": {A: False, B: True}}, now=5.0)
    assert len(rows) == 1 and set(rows[0]) == KEYS
    row = rows[0]
    assert row["source"] == "outside mcsctl" and row["hosts"] == [B]
    assert row["since"] is None and row["by"] is None and not row["stale"] and not row["overdue"]


def test_status_stale_record():
    rows = status_rows([rec(1, "on", expires=2.0)], {"srv1": {A: False}}, now=5.0)
    assert rows[0]["stale"] and rows[0]["source"] == "mcsctl"
    assert not rows[0]["in_maintenance"] and not rows[0]["overdue"]


def test_status_not_stale_when_its_maxscale_was_not_asked():
    # The record's MaxScale (A) was unreachable: absence of evidence is not staleness.
    rows = status_rows([rec(1, "on", hosts=(A,))], {"srv1": {B: False}}, now=5.0)
    assert not rows[0]["stale"]
    rows = status_rows([rec(1, "on", hosts=(A,))], {}, now=5.0)
    assert not rows[0]["stale"] and rows[0]["hosts"] == []


def test_status_overdue():
    records = [rec(1, "on", expires=100.0)]
    live = {"srv1": {A: True}}
    assert status_rows(records, live, now=99.0)[0]["overdue"] is False
    assert status_rows(records, live, now=100.0)[0]["overdue"] is True


def test_status_single_server_filter():
    records = [rec(1, "on", server="a"), rec(1, "on", server="b")]
    live = {"a": {A: True}, "b": {A: True}, "c": {A: False}}
    assert [r["server"] for r in status_rows(records, live, 0.0)] == ["a", "b"]
    assert [r["server"] for r in status_rows(records, live, 0.0, server="b")] == ["b"]
    quiet = status_rows(records, live, 0.0, server="c")[0]
    assert quiet["source"] is None and not quiet["in_maintenance"] and not quiet["stale"]


# --- expiry ---------------------------------------------------------------------------------


def test_expired():
    records = [
        rec(1, "on", server="a", expires=50.0),
        rec(1, "on", server="b", expires=20.0),
        rec(1, "on", server="c", expires=500.0),
        rec(1, "on", server="d"),
        rec(1, "on", server="e", expires=10.0),
        rec(2, "off", server="e"),
    ]
    assert [r.server for r in expired(records, now=50.0)] == ["b", "a"]
    assert expired(records, now=5.0) == []


@pytest.mark.parametrize("bad", [b"{}", b'{"time": true, "action": "on"}', b'{"time": 1, "action": "on", "extra": 3}'])
def test_from_json_rejects(bad):
    with pytest.raises(ValueError):
        Record.from_json(bad)
