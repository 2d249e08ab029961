"""Run mcsctl's console entry point inside the test process: what a real `mcsctl` process would do, without
starting an interpreter (~0.3 s a call).

Kept faithful to a process: the environment is replaced whole (not merged), argv goes through
`mcsctl.__main__.main` (argv reordering, one-line Click errors, exit codes), stdin/stdout/stderr are
separate byte streams with the encodings and error handlers Python gives a process on pipes, and the
process-global state (signal state and handlers, the reported flag, the shared safe streams) is reset
before and put back after each run.
"""

from __future__ import annotations

import io
import os
import signal
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from mcsctl import cli_frame, frame, render, signals


@contextmanager
def _environment(env: Mapping[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@contextmanager
def _process_state() -> Iterator[None]:
    """A fresh run: no signal state, no report, no safe streams; the test process's handlers come back."""
    handlers = {s: signal.getsignal(s) for s in signals.SIGNALS}
    signals._state = signals._State()
    cli_frame.reported[0] = False
    render._safe.clear()
    quick_exit, frame.exit_now = frame.exit_now, sys.exit  # the lean path's os._exit would end the tests
    try:
        yield
    finally:
        frame.exit_now = quick_exit
        for s, handler in handlers.items():
            signal.signal(s, handler)
        signals._state = signals._State()
        cli_frame.reported[0] = False
        render._safe.clear()


def _stream(data: bytes, errors: str) -> io.TextIOWrapper:
    return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", errors=errors, write_through=True)


def run_main(
    args: list[str], env: Mapping[str, str], input: str | None = None, entry: Callable[[], None] | None = None
) -> tuple[int, str, str]:
    """(exit status, stdout, stderr) of `mcsctl *args` run in this process with environment `env`
    (`entry`: another entry point than mcsctl.__main__.main, e.g. the Typer path alone)."""
    from mcsctl.__main__ import main

    main = entry or main
    stdin = _stream((input or "").encode("utf-8"), "strict")
    stdout, stderr = _stream(b"", "strict"), _stream(b"", "backslashreplace")
    saved: dict[str, Any] = {"argv": sys.argv, "stdin": sys.stdin, "stdout": sys.stdout, "stderr": sys.stderr}
    status = 0
    with _environment(env), _process_state():
        sys.argv, sys.stdin, sys.stdout, sys.stderr = ["mcsctl", *args], stdin, stdout, stderr
        try:
            main()
        except SystemExit as exc:
            status = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        finally:
            sys.argv, sys.stdin, sys.stdout, sys.stderr = (saved[k] for k in ("argv", "stdin", "stdout", "stderr"))
    return status, _text(stdout), _text(stderr)


def _text(stream: io.TextIOWrapper) -> str:
    stream.flush()
    raw = stream.buffer
    assert isinstance(raw, io.BytesIO)
    # as subprocess.run(text=True) reads a pipe: universal newlines
    return io.TextIOWrapper(io.BytesIO(raw.getvalue()), encoding="utf-8", errors="replace").read()
