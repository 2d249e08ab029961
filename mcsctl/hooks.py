"""Hooks: the admin's programs run around a change (`[hooks]` in the config), never through a shell.

Each hook is an argv list. It gets the event's JSON on stdin and MCSCTL_HOOK, MCSCTL_EVENT, MCSCTL_SERVER,
MCSCTL_ACTION, MCSCTL_REASON, MCSCTL_EXPIRES, MCSCTL_HOSTS, MCSCTL_WHO, MCSCTL_OUTCOME and MCSCTL_ID in an
environment built by childenv (no secret of mcsctl's is inherited). Its stdout is discarded, its stderr
kept for the message when it fails; it runs in its own session and is killed (with its children) when
`hook_timeout` passes or mcsctl is interrupted. emitter.py decides when each one runs.
"""

from __future__ import annotations

import os
import signal
import subprocess

from .dataclass_lite import dataclass
from .errors import UsageError

TYPE_CHECKING = False  # True for mypy; typing itself is not imported (README, Speed)
if TYPE_CHECKING:
    from typing import Any

NAMES = ("pre-on", "post-on", "pre-off", "post-off", "on-failure")
_STDERR_LINES, _STDERR_CHARS = 3, 300  # how much of a failing hook's stderr a message quotes


def checked_hooks(value: Any) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The `[hooks]` table, checked: each known name -> a non-empty list of strings (one line otherwise)."""
    if isinstance(value, tuple) and all(isinstance(i, tuple) and len(i) == 2 for i in value):
        value = dict(value)  # already checked once (a Settings' own value)
    if not isinstance(value, dict):
        raise UsageError(f"hooks must be a table of NAME = [argv...], not {type(value).__name__}")
    out = []
    for key, argv in value.items():
        name = str(key).replace("_", "-")
        if name not in NAMES:
            raise UsageError(f"hooks: unknown hook {str(key)!r} (known: {', '.join(NAMES)})")
        if not isinstance(argv, (list, tuple)) or not argv or not all(isinstance(a, str) for a in argv) or not argv[0]:
            raise UsageError(f"hooks: {name} must be a non-empty list of strings (an argv, no shell), not {argv!r}")
        out.append((name, tuple(argv)))
    return tuple(out)


@dataclass
class Ran:
    """How a hook ended: its status (None: it did not run to the end), and why it failed, if it did."""

    status: int | None
    failure: str | None = None

    @property
    def ok(self) -> bool:
        return self.failure is None


def environment(event: dict[str, Any], hook: str) -> dict[str, str]:
    """The hook's environment: ours without secrets (childenv), and the event as MCSCTL_* variables."""
    from .childenv import child_env

    expires = event.get("expires")
    return child_env(
        MCSCTL_HOOK=hook,
        MCSCTL_EVENT=str(event.get("event") or ""),
        MCSCTL_SERVER=str(event.get("server") or ""),
        MCSCTL_ACTION=str(event.get("action") or ""),
        MCSCTL_REASON=str(event.get("why") or ""),
        MCSCTL_EXPIRES="" if expires is None else str(int(expires)),
        MCSCTL_HOSTS=",".join(event.get("hosts") or []),
        MCSCTL_WHO=str(event.get("who") or ""),
        MCSCTL_OUTCOME=str(event.get("outcome") or ""),
        MCSCTL_ID=str(event.get("id") or ""),
    )


def _quoted(stderr: bytes) -> str:
    """The first lines of a hook's stderr, as one bounded piece of a message."""
    lines = [ln.strip() for ln in stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
    text = " | ".join(lines[:_STDERR_LINES]) + (" | ..." if len(lines) > _STDERR_LINES else "")
    return text if len(text) <= _STDERR_CHARS else text[: _STDERR_CHARS - 3] + "..."


def _kill(child: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(child.pid, signal.SIGKILL)  # its own session: its children go too
    except (ProcessLookupError, PermissionError):
        pass
    child.wait()


def run(hook: str, argv: tuple[str, ...], event: dict[str, Any], timeout: float) -> Ran:
    """Run one hook to its end (or its timeout); never raises but for an interrupt (the hook is killed)."""
    import json

    body = (json.dumps(event) + "\n").encode()
    try:
        child = subprocess.Popen(
            list(argv),
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=environment(event, hook),
            start_new_session=True,
        )
    except OSError as exc:
        return Ran(None, f"cannot run {argv[0]}: {exc.strerror or exc}")
    try:
        _, err = child.communicate(body, timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(child)
        return Ran(None, f"did not finish in {timeout:g}s (hook_timeout); killed")
    except BaseException:
        _kill(child)
        raise
    if child.returncode != 0:
        how = f"was killed by signal {-child.returncode}" if child.returncode < 0 else f"exited {child.returncode}"
        quoted = _quoted(err)
        return Ran(child.returncode, how + (f": {quoted}" if quoted else ""))
    return Ran(0)
