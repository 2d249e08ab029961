"""The options shared by several commands, declared once as plain data, and their Typer types.

`maintenance on`, `run` and `rolling` take the "on" options (`drain` a subset of them); each is an
`OptionSpec` in `SHARED`. A lean dispatch path without Typer can read the same table; `typer_type`
turns a spec into the `Annotated` type a Typer command parameter uses.
"""

from __future__ import annotations

import enum

from .choices import OnTimeout, OutputFormat
from .dataclass_lite import dataclass

TYPE_CHECKING = False  # True for mypy; typing itself is not imported (README, Speed)
if TYPE_CHECKING:
    from typing import Any


@dataclass(frozen=True)
class OptionSpec:
    """One command-line option: its flags, value type (bool: a flag; an Enum: a Choice), help and metavar."""

    name: str  # the Python keyword (and the Cluster method keyword, except no_drain -> drain)
    flags: tuple[str, ...]
    type: Any  # bool, str, str | None or a choices enum
    help: str
    metavar: str | None = None
    default: Any = None
    # The global options (global_options.py) also have these (issue 17: one table for Typer and the lean path).
    envvar: str | None = None  # the MCSCTL_* variable Click reads when the flag is not given
    show_default: bool = True

    @property
    def choices(self) -> tuple[str, ...]:
        """The values a choice option takes (empty for the others)."""
        kind = self.type
        members = [k for k in getattr(kind, "__args__", ()) if k is not type(None)]
        if len(members) == 1:  # `BackendKind | None`: the choice is the enum
            kind = members[0]
        if isinstance(kind, type) and issubclass(kind, enum.Enum):
            return tuple(str(m.value) for m in kind)
        return ()


def _spec(
    name: str, flags: tuple[str, ...], type_: Any, help_: str, metavar: str | None = None, default: Any = None
) -> OptionSpec:
    return OptionSpec(name, flags, type_, help_, metavar, False if type_ is bool and default is None else default)


SHARED: dict[str, OptionSpec] = {
    s.name: s
    for s in (
        _spec("force", ("--force",), bool, "Skip the drain and close every connection to the server at once."),
        _spec(
            "no_drain", ("--no-drain",), bool, "Set maintenance directly (no drain first): the plain maxctrl procedure."
        ),
        _spec(
            "drain_timeout",
            ("--drain-timeout",),
            str,
            "How long to wait for the server to drain (e.g. 60, 5m).",
            "DURATION",
            "60",
        ),
        _spec(
            "on_timeout",
            ("--on-timeout",),
            OnTimeout,
            "When the drain times out: fail (clear drain, change nothing), force (cut the connections) "
            "or proceed (maintenance; connections close at their next request).",
            "fail|force|proceed",
            OnTimeout.FAIL,
        ),
        _spec("switchover", ("--switchover",), bool, "If SERVER is the primary, switch over to a replica first."),
        _spec("to", ("--to",), str | None, "Switchover target (default: the most caught-up replica).", "SERVER"),
        _spec(
            "allow_primary",
            ("--allow-primary",),
            bool,
            "Take the primary out without a switchover where MaxScale allows it (stopped monitor, "
            "older MaxScale); open transactions are waited for like a drain.",
        ),
        _spec(
            "allow_last",
            ("--allow-last",),
            bool,
            "Take out the last servers that can take traffic (the cluster is already broken); needs --yes.",
        ),
        _spec("reason", ("--reason",), str | None, "Why: recorded in the journal.", "TEXT"),
        _spec(
            "expires",
            ("--expires",),
            str | None,
            "Until when (duration like 2h, or an ISO time): shown as overdue, reaped later.",
            "WHEN",
        ),
        _spec("yes", ("--yes", "-y"), bool, "Consent to interrupting clients (force, switchover) without a question."),
        _spec("dry_run", ("--dry-run",), bool, "Print the plan and each exact call; change nothing."),
        _spec(
            "takeover",
            ("--takeover",),
            bool,
            "Go ahead even if another mcsctl is changing the server (it holds its lock); journalled.",
        ),
        _spec(
            "skip_unreachable",
            ("--skip-unreachable",),
            bool,
            "Act on the MaxScales that answer, leaving out (with a warning, in the journal) those that do not.",
        ),
        # ColumnStore (CMAPI) checks of a change: mcsctl/cs_guard.py, mcsctl/cs_health.py
        _spec(
            "allow_columnstore_primary",
            ("--allow-columnstore-primary",),
            bool,
            "Take the ColumnStore primary (DBRM master) down anyway: DML and DDL stop for the whole cluster.",
        ),
        _spec(
            "allow_unhealthy",
            ("--allow-unhealthy",),
            bool,
            "Go ahead although the rest of the ColumnStore cluster is not healthy (inactive node, missing "
            "processes, read-only primary, ...).",
        ),
        _spec(
            "columnstore_start",
            ("--columnstore-start",),
            bool,
            "With CMAPI failover off: start ColumnStore on the node (CMAPI node/start) when it comes back "
            "without its processes.",
        ),
        _spec(
            "cs_settle",
            ("--cs-settle",),
            str | None,
            "ColumnStore has settled when every pid is unchanged across polls this far apart (default 10s, "
            "or cs_settle in the config).",
            "DURATION",
        ),
        _spec(
            "format",
            ("--format", "-f"),
            OutputFormat,
            "Output format: table, json or tsv.",
            "table|json|tsv",
            OutputFormat.TABLE,
        ),
        # The cluster-wide limit (limit.py): `maintenance on` and the Ansible modules (default 1 there).
        _spec(
            "max_in_maintenance",
            ("--max-in-maintenance",),
            int | None,
            "Refuse (exit 4) when the change would leave more than N servers of the cluster in maintenance "
            "or draining; counted and changed under one cluster-wide lock.",
            "N",
        ),
    )
}

# What `maintenance off` passes to Cluster.leave besides the servers, in its command's order (then --format;
# the last two are ColumnStore's).
OFF_KEYWORDS = (
    "wait_healthy", "healthy_timeout", "reason", "dry_run", "takeover", "skip_unreachable", "columnstore_start",
    "cs_settle",
)  # fmt: skip
# `maintenance off`'s own options (not shared: the Ansible modules declare theirs), for Typer and the lean path.
OFF: dict[str, OptionSpec] = {
    s.name: s
    for s in (
        _spec("wait_healthy", ("--wait-healthy",), bool, "Also wait until the server is Running with a role again."),
        _spec(
            "healthy_timeout",
            ("--healthy-timeout",),
            str,
            "How long to wait for the server to be healthy again.",
            "DURATION",
            "300",
        ),
    )
}


# `drain`'s own option, for Typer and the lean path.
DRAIN: dict[str, OptionSpec] = {
    s.name: s for s in (_spec("wait", ("--wait",), bool, "Wait until SERVER is Drained (up to --drain-timeout)."),)
}


def typer_type(name: str, **override: Any) -> Any:
    """The `Annotated[type, typer.Option(...)]` of a shared option (override: help, metavar for one command)."""
    return typer_option(SHARED[name], **override)


def typer_option(spec: OptionSpec, **override: Any) -> Any:
    """The `Annotated[type, typer.Option(...)]` of any spec (override: help, metavar)."""
    from typing import Annotated

    import typer

    help_ = override.get("help", spec.help)
    metavar = override.get("metavar", spec.metavar)
    extra: dict[str, Any] = {"envvar": spec.envvar} if spec.envvar else {}
    if not spec.show_default:
        extra["show_default"] = False
    return Annotated[spec.type, typer.Option(*spec.flags, help=help_, metavar=metavar, **extra)]
