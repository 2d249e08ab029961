"""The bodies of `maintenance on`, `maintenance off`, `switchover`, `drain` and `undrain` without Typer, and
what the changing commands share: their options as Cluster keywords and how a change ends (the plan or the
outcomes). The Typer commands (cli_maintenance, cli_commands) and the lean path (lean.py) call them with the
same State, the SERVER arguments as a list, and the options by their names in options.SHARED, OFF and DRAIN."""

from __future__ import annotations

from collections.abc import Mapping

from .choices import word
from .cs_api import CS_KEYWORDS  # the ColumnStore options Cluster.enter/run/roll/leave take
from .options import OFF_KEYWORDS

TYPE_CHECKING = False  # True for mypy; typing itself is not imported (README, Speed)
if TYPE_CHECKING:
    from typing import Any

    from .frame import State
    from .outcome import Outcome

# The `maintenance on` options a command may have, by the name Cluster.enter/run/roll give them.
ON_KEYWORDS = (
    "force",
    "drain_timeout",
    "on_timeout",
    "switchover",
    "to",
    "allow_primary",
    "allow_last",
    "reason",
    "expires",
    "dry_run",
    "yes",
)


def on_keywords(given: Mapping[str, Any]) -> dict[str, Any]:
    """The `maintenance on` options among a command's parameters (it passes `locals()`), as the keywords of
    Cluster.enter/run/roll: the ones it has, and `--no-drain` as `drain`."""
    on = {key: given[key] for key in ON_KEYWORDS + CS_KEYWORDS if key in given}
    on["drain"] = not given["no_drain"]
    return on


def format_word(fmt: object) -> str:
    """The --format word (Click or the lean parser has checked it is one of the choices)."""
    return str(word(fmt))


def finish_change(st: State, outcomes: list[Outcome], dry_run: bool, fmt: str) -> None:
    """The end of a changing command: the plan (--dry-run; JSON with --format json) or the outcomes."""
    if dry_run:
        st.reporter.flush_plan()
    else:
        st.reporter.outcomes(outcomes, fmt)


def enter(st: State, servers: list[str], given: Mapping[str, Any]) -> None:
    """`maintenance on SERVER...`: `given` holds every option of the command."""
    fmt, dry_run = format_word(given["format"]), bool(given["dry_run"])
    report = st.output(dry_run, fmt).cluster.enter(
        servers,
        takeover=given["takeover"],
        skip_unreachable=given["skip_unreachable"],
        max_in_maintenance=given["max_in_maintenance"],
        **on_keywords(given),
    )
    finish_change(st, report.servers, dry_run, fmt)


def leave(st: State, servers: list[str], given: Mapping[str, Any]) -> None:
    """`maintenance off SERVER...`: `given` holds every option of the command."""
    fmt, dry_run = format_word(given["format"]), bool(given["dry_run"])
    report = st.output(dry_run, fmt).cluster.leave(servers, **{key: given[key] for key in OFF_KEYWORDS})
    finish_change(st, report.servers, dry_run, fmt)


def _guarded(given: Mapping[str, Any]) -> dict[str, Any]:
    """The keywords every change takes: --dry-run, --takeover, --skip-unreachable."""
    return {key: given[key] for key in ("dry_run", "takeover", "skip_unreachable")}


def switch(st: State, servers: list[str], given: Mapping[str, Any]) -> None:
    """`switchover` (no SERVER)."""
    fmt, dry_run = format_word(given["format"]), bool(given["dry_run"])
    report = st.output(dry_run, fmt).cluster.switchover(given["to"], yes=given["yes"], **_guarded(given))
    finish_change(st, report.servers, dry_run, fmt)


def drain(st: State, servers: list[str], given: Mapping[str, Any]) -> None:
    """`drain SERVER`."""
    fmt, dry_run = format_word(given["format"]), bool(given["dry_run"])
    report = st.output(dry_run, fmt).cluster.drain(
        servers[0], wait=given["wait"], drain_timeout=given["drain_timeout"], **_guarded(given)
    )
    finish_change(st, report.servers, dry_run, fmt)


def undrain(st: State, servers: list[str], given: Mapping[str, Any]) -> None:
    """`undrain SERVER`."""
    fmt, dry_run = format_word(given["format"]), bool(given["dry_run"])
    report = st.output(dry_run, fmt).cluster.undrain(servers[0], **_guarded(given))
    finish_change(st, report.servers, dry_run, fmt)


# The lean path's changes, by their command's last word.
BODIES = {"on": enter, "off": leave, "switchover": switch, "drain": drain, "undrain": undrain}
