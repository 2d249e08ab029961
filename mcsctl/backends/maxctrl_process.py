"""Running one maxctrl process: argv list (never a shell), the password on stdin, its own process group,
killed when it outlives its time limit or when mcsctl is interrupted. `sh` is imported only when a command
actually runs. What the output means is mcsctl.backends.maxctrl_errors' business."""

from __future__ import annotations

import threading

from ..errors import BadOutput, MaxctrlMissing, NoAnswer

TYPE_CHECKING = False  # True for mypy; typing itself is not imported (README, Speed)
if TYPE_CHECKING:
    from typing import Any

    # sh ships no type information: its RunningCommand is Any here.
    Process = Any

# MXS-5124: from MaxScale 25.10.1 on, maxctrl is a package of its own (its name is not confirmed here).
MISSING_HINT = (
    "since MaxScale 25.10.1 maxctrl comes as a separate package: install it, or name it with --maxctrl PATH "
    "or MCSCTL_MAXCTRL; --backend rest works without maxctrl"
)


def _kill(proc: Process) -> None:
    import sh

    try:
        proc.kill_group()
    except OSError:
        pass  # already gone
    try:
        proc.wait()
    except sh.ErrorReturnCode:
        pass
    except ChildProcessError:
        # Reaped already: an interrupt landed inside sh's own wait, after its waitpid() and before it kept
        # the exit status, so the next wait finds no child. It is gone, which is all this wanted.
        pass


def _start(argv: list[str], stdin: str, host: str) -> Process:
    import sh  # heavy-ish; only when something actually runs

    from ..childenv import child_env

    env = child_env(MAXCTRL_WARNINGS="0")  # no secret in its environment
    try:
        return sh.Command(argv[0])(
            *argv[1:],
            _in=stdin,  # always a pipe: maxctrl must never wait on a terminal
            _tty_in=False,
            _tty_out=False,  # a pty would bring colours and warnings
            _env=env,
            _ok_code=list(range(256)),
            _return_cmd=True,
            _bg=True,
            _bg_exc=False,
            _new_group=True,  # so a hung maxctrl can be killed with anything it started
        )
    except (sh.CommandNotFound, FileNotFoundError):
        raise MaxctrlMissing(f"maxctrl not found: {argv[0]}", host=host, hint=MISSING_HINT) from None
    except PermissionError:
        raise MaxctrlMissing(f"maxctrl {argv[0]} is not executable", host=host, hint=MISSING_HINT) from None
    except OSError as e:
        raise MaxctrlMissing(f"cannot run maxctrl {argv[0]}: {e.strerror or e}", host=host, hint=MISSING_HINT) from None


def _wait(proc: Process, limit: float, host: str) -> None:
    import sh

    # Our own timer instead of sh's wait(timeout=...)/_timeout, which poll and cost ~50 ms per call.
    expired = threading.Event()

    def on_timeout() -> None:
        expired.set()
        _kill(proc)

    timer = threading.Timer(limit, on_timeout)
    timer.daemon = True
    timer.start()
    try:
        proc.wait()
    except sh.SignalException as e:
        if expired.is_set():
            raise NoAnswer(f"maxctrl gave no answer within {limit:g}s (killed)", host=host) from None
        raise BadOutput(f"maxctrl was killed by signal {-e.exit_code}", host=host) from None
    except BaseException:  # Ctrl-C while waiting: do not leave maxctrl behind
        _kill(proc)
        raise
    finally:
        timer.cancel()


def run_maxctrl(argv: list[str], stdin: str, limit: float, host: str) -> tuple[str, str, int]:
    """Run argv with `stdin` and wait up to `limit` seconds: (stdout, stderr, exit status). A call started
    early (start_early) with the same argv and stdin is taken over instead."""
    from ..signals import surfacing

    early = _early.pop((tuple(argv), stdin), None)
    with surfacing():  # an interrupt that sh swallowed is raised again
        if early is not None:
            raw_out, raw_err, code = _finish_early(early, limit, host)
        else:
            proc = _start(argv, stdin, host)
            _wait(proc, limit, host)
            raw_out, raw_err, code = proc.stdout, proc.stderr, int(proc.exit_code)
    try:
        return raw_out.decode("utf-8"), raw_err.decode("utf-8"), code
    except UnicodeDecodeError:
        raise BadOutput("maxctrl printed text that is not UTF-8", host=host) from None


# -- early calls (issue 17) ------------------------------------------------------------------
# A read-only command knows its first maxctrl call as soon as its settings are resolved: started then, it runs
# while the rest of mcsctl starts up. Started with the standard library's subprocess, because `import sh`
# (asyncio, importlib.metadata: 25-50 ms) would come before it; the same argv list, password on stdin, own
# process group, child environment, and the same time limit and errors as the `sh` path.
_early: dict[tuple[tuple[str, ...], str], Any] = {}  # (argv, stdin) -> subprocess.Popen


def start_early(argv: list[str], stdin: str) -> None:
    """Start a maxctrl call now that `run_maxctrl(argv, stdin, ...)` will make later; nothing when it cannot
    start (the real call then reports why)."""
    import subprocess

    from ..childenv import child_env

    try:
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=child_env(MAXCTRL_WARNINGS="0"),
            process_group=0,  # like sh's _new_group: a hung maxctrl is killed with anything it started
        )
    except (OSError, ValueError):
        return
    pipe, proc.stdin = proc.stdin, None  # written and closed here: communicate() must not touch it
    try:
        assert pipe is not None
        pipe.write(stdin.encode("utf-8"))
        pipe.close()
    except OSError:
        pass  # it is gone already: its exit status and output say why
    _early[(tuple(argv), stdin)] = proc


def drop_early() -> None:
    """Kill and reap the early calls nobody took over (the command went another way)."""
    while _early:
        _, proc = _early.popitem()
        _kill_early(proc)


def _kill_early(proc: Any) -> None:
    import os
    import signal

    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        pass  # already gone
    proc.communicate()


def _finish_early(proc: Any, limit: float, host: str) -> tuple[bytes, bytes, int]:
    import subprocess

    try:
        out, err = proc.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        _kill_early(proc)
        raise NoAnswer(f"maxctrl gave no answer within {limit:g}s (killed)", host=host) from None
    except BaseException:  # Ctrl-C while waiting: do not leave maxctrl behind
        _kill_early(proc)
        raise
    if proc.returncode < 0:
        raise BadOutput(f"maxctrl was killed by signal {-proc.returncode}", host=host)
    return out, err, int(proc.returncode)
