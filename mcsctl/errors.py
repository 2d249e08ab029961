"""Exit codes and the exceptions that carry them: one enum, one mapping."""

from __future__ import annotations

import enum

TYPE_CHECKING = False  # True for mypy; typing itself is not imported (README, Speed)
if TYPE_CHECKING:
    from typing import Any


class ExitCode(enum.IntEnum):
    """mcsctl's documented exit status (README, man page, CLI.md)."""

    OK = 0
    FAILED = 1  # MaxScale refused, or the operation failed (e.g. unknown server)
    USAGE = 2  # bad command line or bad input
    UNREACHABLE = 3  # cannot reach MaxScale, maxctrl missing/unusable, authentication failed
    GUARD = 4  # refused by mcsctl's own safety guard
    PARTIAL = 5  # some MaxScales did what was asked and others did not (changes and reads alike)
    TIMEOUT = 6  # timed out waiting (drain, confirmation, health)
    INTERRUPTED = 130  # interrupted; cleanup was done


class McsctlError(Exception):
    """Base of every error mcsctl reports as one line plus an exit code.

    `host` names the MaxScale the error came from, when there is one.
    `hint` is an optional second line telling the admin what to do.
    The state a procedure fills in on its way out is declared here, never attached ad hoc:
    `final` (the server as each MaxScale last showed it), `changed_hosts` (where a partial change took
    effect), `changes_noted` (the message already names what stays changed), `backend` (the MaxScale,
    or config-sync peer, that failed), `report` (what the operation did before the error, a
    `reports.ChangeReport` of run or a `reports.RollReport`: the CLI prints it before the error line).
    """

    exit_code: ExitCode = ExitCode.FAILED

    def __init__(self, message: str, *, host: str | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.host = host
        self.hint = hint
        # errors imports nothing of mcsctl (everything imports it): Server and Backend stay Any here.
        self.final: dict[str, Any] | None = None  # MaxScale host -> model.Server
        self.changed_hosts: list[str] | None = None
        self.changes_noted = False
        self.backend: Any = None  # a backends.base.Backend
        self.report: Any = None  # a reports.ChangeReport (run) or reports.RollReport (rolling)

    def __str__(self) -> str:
        return f"{self.host}: {self.message}" if self.host else self.message


class UsageError(McsctlError):
    exit_code = ExitCode.USAGE


class OperationFailed(McsctlError):
    """MaxScale refused a change, or an operation failed."""

    exit_code = ExitCode.FAILED


class Refused(OperationFailed):
    """MaxScale answered with an error (400/403/...). `detail` is MaxScale's own last detail."""

    def __init__(self, message: str, *, status: int | None = None, detail: str | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.status = status
        self.detail = detail


class UnknownServer(OperationFailed):
    def __init__(self, server: str, *, suggestion: str | None = None, **kw: Any) -> None:
        hint = f"did you mean {suggestion}?" if suggestion else None
        super().__init__(f"{server} is not a server", hint=hint, **kw)
        self.server = server


class Unreachable(McsctlError):
    """Cannot reach MaxScale (refused, timeout, TLS), or maxctrl cannot be used."""

    exit_code = ExitCode.UNREACHABLE


class AuthFailed(Unreachable):
    pass


class NoAnswer(Unreachable):
    """A request that got no answer in time: MaxScale may or may not have carried it out (MXS-6265)."""


class MaxctrlMissing(Unreachable):
    pass


class BadOutput(Unreachable):
    """maxctrl printed something mcsctl cannot understand: never guess."""


class GuardRefused(McsctlError):
    exit_code = ExitCode.GUARD


class Partial(McsctlError):
    exit_code = ExitCode.PARTIAL


class TimedOut(McsctlError):
    exit_code = ExitCode.TIMEOUT


class Interrupted(McsctlError):
    exit_code = ExitCode.INTERRUPTED


class CommandFailed(McsctlError):
    """A user COMMAND (maintenance run / rolling) failed: exit with its own status."""

    def __init__(self, message: str, status: int, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.status = status


def exit_code_of(exc: BaseException) -> int:
    """The one mapping from an exception to mcsctl's exit status."""
    if isinstance(exc, CommandFailed):
        return exc.status
    if isinstance(exc, McsctlError):
        return int(exc.exit_code)
    if isinstance(exc, KeyboardInterrupt):
        return int(ExitCode.INTERRUPTED)
    return int(ExitCode.FAILED)
