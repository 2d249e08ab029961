"""render's output boundary: control characters escaped, writes that never raise (unit level)."""

from __future__ import annotations

import io
import os

from mcsctl.childenv import child_env, is_secret
from mcsctl.render import Reporter, SafeStream, printable, table


def test_printable_escapes_every_control_character_and_keeps_the_rest():
    assert printable("mcs\x1b[31mred\x07\n\t\x00\x7f\x9b") == r"mcs\x1b[31mred\x07\n\t\x00\x7f\x9b"
    assert printable("mcs3 — Maintenance, Running ü") == "mcs3 — Maintenance, Running ü"


def test_table_cells_are_escaped_before_they_are_aligned():
    out = table(["A", "B"], [["x\x1b", "y"]])
    assert out.splitlines()[1] == r"x\x1b  y"


def test_a_stream_that_fails_is_given_up_not_raised():
    class Dead(io.StringIO):
        def write(self, text):
            raise OSError(5, "Input/output error")

    stream = SafeStream(Dead())
    assert stream.write("x") == 1 and stream.lost
    stream.flush()  # no error either


def test_a_closed_pipe_is_redirected_so_the_exit_flush_cannot_fail():
    r, w = os.pipe()
    f = os.fdopen(w, "w")
    os.close(r)
    stream = SafeStream(f)
    stream.write("lost\n" * 10000)
    stream.flush()
    assert stream.lost
    f.write("more")
    f.close()  # writes to /dev/null now: no BrokenPipeError at exit


def test_the_reporter_escapes_and_survives_a_dead_stream():
    err = io.StringIO()
    rep = Reporter(err=err, out=io.StringIO())
    rep.error("mcs\x1b]0;t\x07 is not a server", hint="try \x1b[2J")
    assert err.getvalue() == "mcsctl: error: mcs\\x1b]0;t\\x07 is not a server\nhint: try \\x1b[2J\n"
    err.close()
    rep.warn("gone")
    assert rep.lost


def test_the_child_environment_has_no_secret():
    env = child_env(
        {
            "MCSCTL_PASSWORD": "p",
            "MCSCTL_CMAPI_KEY": "k",
            "MCSCTL_JOURNAL_PASSWORD": "j",
            "MCSCTL_FUTURE_TOKEN": "t",
            "MCSCTL_HOSTS": "h",
            "HOME": "/root",
        },
        EXTRA="1",
    )
    assert env == {"MCSCTL_HOSTS": "h", "HOME": "/root", "EXTRA": "1"}
    assert is_secret("mcsctl_password") and not is_secret("PASSWORD")


def test_an_interrupt_mid_request_leaves_the_rest_backend_usable(maxscale_sim, monkeypatch):
    """Ctrl-C lands while a poll waits for MaxScale's answer: the cleanup right after must still work."""
    import pytest

    from mcsctl.backends.base import Connection
    from mcsctl.backends.http11 import Http11
    from mcsctl.backends.rest import RestBackend

    b = RestBackend(Connection(host=maxscale_sim.host))
    assert b.list_servers()  # a kept-alive connection now
    real = Http11._answer  # plain http: mcsctl's own HTTP/1.1 client (issue 17)
    calls = []

    def interrupted(self, *a, **kw):
        if not calls:
            calls.append(1)
            raise KeyboardInterrupt  # the request went out; the answer was never read
        return real(self, *a, **kw)

    monkeypatch.setattr(Http11, "_answer", interrupted)
    with pytest.raises(KeyboardInterrupt):
        b.list_servers()
    b.clear_state("mcs3", "drain")  # the cleanup
    assert [s.name for s in b.list_servers()] == ["mcs1", "mcs2", "mcs3"]  # and the final state
