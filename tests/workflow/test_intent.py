"""The frame of a change (intent.changing) over in-memory MaxScales: preflight, intents, locks, a journal
that fails after the change began, and `wait_back` noticing the server left maintenance under it."""

from __future__ import annotations

import errno

import pytest

from mcsctl.errors import ExitCode, GuardRefused, TimedOut
from mcsctl.fleet import Fleet
from mcsctl.journal import Journal, open_maintenances, unfinished_intents
from mcsctl.lock import LocalStateError
from mcsctl.ui import SilentUI
from mcsctl.workflow import OnOptions, Procedures

from .fakes import clock_of, cluster


class FillsUp(Journal):
    """A journal that takes `room` more appends, then fails with ENOSPC (the disk filled up meanwhile)."""

    def __init__(self, path, room: int):
        super().__init__(path)
        self.room = room

    def append(self, record):
        if self.room <= 0:
            raise OSError(errno.ENOSPC, "No space left on device")
        self.room -= 1
        super().append(record)


def make(tmp_path, journal=None, hosts=("a:8989",)):
    backends = cluster(hosts)
    clock = clock_of(backends)
    ui = SilentUI()
    proc = Procedures(Fleet(backends, clock, poll=0.5), ui, journal, confirm_timeout=5, lock_dir=tmp_path / "run")
    return proc, backends, clock, ui


def test_a_journal_that_fills_up_after_the_intent_never_aborts_the_change(tmp_path):
    journal = FillsUp(tmp_path / "j.jsonl", room=1)  # the intent record fits, nothing after it
    proc, (a,), clock, ui = make(tmp_path, journal)
    a.servers["mcs3"].connections = 2
    clock.on_sleep.append(lambda t: setattr(a.servers["mcs3"], "connections", 0))
    out = proc.enter("mcs3", OnOptions(reason="disk"))
    assert out.changed and a.servers["mcs3"].maintenance and not a.servers["mcs3"].drain
    warned = [ln for ln in ui.lines if ln.startswith("warning: could not write the journal")]
    assert warned and all(str(journal.path) in ln and "No space left on device" in ln for ln in warned)
    assert any("not recorded: on mcs3 ok on a:8989" in ln for ln in warned)


def test_a_journal_that_fills_up_during_a_failed_drain_still_clears_the_drain(tmp_path):
    journal = FillsUp(tmp_path / "j.jsonl", room=1)
    proc, (a,), _, ui = make(tmp_path, journal)
    a.servers["mcs3"].connections = 2  # never drains
    with pytest.raises(TimedOut):
        proc.enter("mcs3", OnOptions(drain_timeout=1))
    assert not a.servers["mcs3"].drain and not a.servers["mcs3"].maintenance
    assert any("not recorded: on mcs3 timeout" in ln for ln in ui.lines)


def test_preflight_failure_changes_nothing(tmp_path):
    journal = FillsUp(tmp_path / "j.jsonl", room=0)  # even the intent does not fit
    proc, (a,), _, _ = make(tmp_path, journal)
    with pytest.raises(LocalStateError) as exc:
        proc.enter("mcs3", OnOptions(drain=False))
    assert exc.value.exit_code == ExitCode.UNREACHABLE and "nothing was changed" in str(exc.value)
    assert a.calls == [] and not a.servers["mcs3"].maintenance


def test_intent_and_outcome_records(tmp_path):
    proc, (a,), _, _ = make(tmp_path, Journal(tmp_path / "j.jsonl"))
    proc.enter("mcs3", OnOptions(drain=False))
    a.servers["mcs1"].maintenance = False
    with pytest.raises(GuardRefused):
        proc.enter("mcs1", OnOptions(drain=False))  # the primary
    recs = [r for r in proc.journal.read() if r.action == "intent"]
    assert [(r.server, r.outcome, r.extra["for"]) for r in recs] == [
        ("mcs3", "started", "on"),
        ("mcs3", "ok", "on"),
        ("mcs1", "started", "on"),
        ("mcs1", "refused", "on"),
    ]
    assert recs[0].extra["id"] == recs[1].extra["id"] != recs[2].extra["id"]
    assert unfinished_intents(proc.journal.read()) == {}


def test_a_held_lock_refuses_and_takeover_is_journalled(tmp_path):
    from mcsctl.lock import ServerLock

    proc, (a,), _, ui = make(tmp_path, Journal(tmp_path / "j.jsonl"))
    other = ServerLock("mcs3", proc.fleet.hosts, tmp_path / "run")
    assert other.acquire() is None
    try:
        with pytest.raises(GuardRefused) as exc:
            proc.enter("mcs3", OnOptions(drain=False))
        assert "is being changed by another mcsctl: pid" in str(exc.value)
        assert not a.servers["mcs3"].maintenance
        proc.takeover = True
        assert proc.enter("mcs3", OnOptions(drain=False)).changed
        took = [r for r in proc.journal.read() if r.action == "takeover"]
        assert len(took) == 1 and took[0].server == "mcs3" and took[0].extra["for"] == "on"
    finally:
        other.release()


def test_nested_changes_take_the_lock_once(tmp_path):
    """enter -> switchover for the primary: one frame per server, no self-deadlock."""
    proc, (a,), _, _ = make(tmp_path, Journal(tmp_path / "j.jsonl"))
    out = proc.enter("mcs1", OnOptions(drain=False, switchover=True, yes=True))
    assert out.changed and a.servers["mcs1"].maintenance
    started = [
        (r.server, r.extra["for"]) for r in proc.journal.read() if r.action == "intent" and r.outcome == "started"
    ]
    assert started == [("mcs1", "on"), ("mcs2", "switchover")]


def test_rerun_keeps_since_and_expiry(tmp_path):
    proc, (a,), clock, _ = make(tmp_path, Journal(tmp_path / "j.jsonl"))
    proc.wall = lambda: 1000 + clock.now()
    proc.enter("mcs3", OnOptions(drain=False, reason="a", expires_after=3600))
    clock.t = 600
    proc.enter("mcs3", OnOptions(drain=False, reason="b"))
    rec = open_maintenances(proc.journal.read())["mcs3"]
    assert (rec.reason, rec.expires, rec.extra["since"]) == ("b", 1000 + 3600, 1000)
    proc.enter("mcs3", OnOptions(drain=False, expires_after=60))  # a duration on a re-run counts from now
    rec = open_maintenances(proc.journal.read())["mcs3"]
    assert (rec.reason, rec.expires, rec.extra["since"]) == ("b", 1600 + 60, 1000)


def test_wait_back_stops_at_once_when_the_server_left_maintenance(tmp_path):
    from mcsctl.health import ChangedOutside, wait_back

    proc, (a,), clock, ui = make(tmp_path)
    a.servers["mcs3"].maintenance = False  # someone ran `maxctrl clear server mcs3 maintenance`
    with pytest.raises(ChangedOutside) as exc:
        wait_back(proc.fleet, ui, "mcs3", deadline=300, in_maintenance=True)
    assert "taken out of maintenance outside this run" in str(exc.value) and exc.value.exit_code == 1
    assert clock.now() < 300  # it did not wait out the deadline
