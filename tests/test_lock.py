"""The per-server lock: where it lives, who holds it, a dead holder frees it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from mcsctl.errors import GuardRefused
from mcsctl.lock import LocalStateError, ServerLock, lock_path, pid_alive, runtime_dir


def test_runtime_dir_precedence(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    assert Path(runtime_dir()) == tmp_path / "mcsctl"
    monkeypatch.setenv("XDG_RUNTIME_DIR", "relative/ignored")
    run_user = Path(f"/run/user/{os.getuid()}")
    if run_user.is_dir():
        assert Path(runtime_dir()) == run_user / "mcsctl"
    else:
        import tempfile

        assert Path(runtime_dir()) == Path(tempfile.gettempdir()) / f"mcsctl-{os.getuid()}"


def test_lock_file_per_server_and_cluster(tmp_path):
    assert lock_path("mcs3", ["a:1", "b:1"], tmp_path) == lock_path("mcs3", ["b:1", "a:1"], tmp_path)
    assert lock_path("mcs3", ["a:1"], tmp_path) != lock_path("mcs3", ["b:1"], tmp_path)
    assert lock_path("../x", ["a:1"], tmp_path).parent == tmp_path


def test_second_holder_is_refused_with_the_holders_name_then_takeover(tmp_path):
    first, second = ServerLock("mcs3", ["a:1"], tmp_path), ServerLock("mcs3", ["a:1"], tmp_path)
    assert first.acquire() is None
    with pytest.raises(GuardRefused) as exc:
        second.acquire()
    assert f"pid {os.getpid()}" in str(exc.value) and "since" in str(exc.value) and "--takeover" in exc.value.hint
    holder = second.acquire(takeover=True)
    assert holder is not None and holder.pid == os.getpid()
    first.release()
    assert second.acquire() is None
    second.release()
    assert (tmp_path).stat().st_mode & 0o777 == 0o700


def test_a_killed_holder_frees_the_lock(tmp_path):
    code = (
        "import sys, time; from mcsctl.lock import ServerLock; "
        "ServerLock('mcs3', ['a:1'], __import__('pathlib').Path(sys.argv[1])).acquire(); "
        "print('locked', flush=True); time.sleep(60)"
    )
    p = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert p.stdout.readline().strip() == "locked"
        with pytest.raises(GuardRefused) as exc:
            ServerLock("mcs3", ["a:1"], tmp_path).acquire()
        assert f"pid {p.pid}" in str(exc.value)
        p.send_signal(signal.SIGKILL)
        p.wait(timeout=10)
        assert not pid_alive(p.pid)
        lock = ServerLock("mcs3", ["a:1"], tmp_path)
        assert lock.acquire() is None
        lock.release()
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        p.stdout.close()


def test_a_shared_lock_directory_is_refused(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o777)
    with pytest.raises(LocalStateError) as exc:
        ServerLock("mcs3", ["a:1"], shared).acquire()
    assert "not a private directory" in str(exc.value)
    (tmp_path / "file").write_text("")
    with pytest.raises(LocalStateError):
        ServerLock("mcs3", ["a:1"], tmp_path / "file" / "sub").acquire()


def test_a_reused_pid_is_not_the_process_that_wrote_the_intent():
    from mcsctl.lock import process_start

    me = process_start(os.getpid())
    assert me is not None and me.isdigit()
    assert pid_alive(os.getpid(), me)
    assert not pid_alive(os.getpid(), str(int(me) + 1))  # same pid, another start: someone else now


def test_status_tells_interrupted_from_running_and_from_another_host():
    from mcsctl.journal import Record, status_rows

    def intent(pid, host, start=None):
        return Record(
            time=1.0,
            action="intent",
            server=f"s{pid}",
            outcome="started",
            extra={"id": str(pid), "for": "on", "pid": pid, "host": host, "start": start},
        )

    recs = [intent(1, "here"), intent(2, "here"), intent(3, "there"), intent(4, "here", "old")]
    alive = lambda pid, start: pid in (2, 3, 4) and start != "old"  # noqa: E731 (4: its pid was reused)
    rows = {r["server"]: r for r in status_rows(recs, {}, 5.0, this_host="here", alive=alive)}
    assert {n: (r["unfinished"]["state"], r["interrupted"]) for n, r in rows.items()} == {
        "s1": ("interrupted", True),
        "s2": ("running", False),
        "s3": ("unfinished", False),
        "s4": ("interrupted", True),
    }
