"""The closed sets of values some options take, as str-valued enums (Click sees each as a Choice).

Plain Python, no Typer: the procedures, the API and a lean dispatch path all use the same members.
"""

from __future__ import annotations

import enum


class Choice(enum.StrEnum):
    """A str-valued choice that prints as its word (help, man page, messages): `str(OnTimeout.FAIL)` is "fail"."""


class OutputFormat(Choice):
    """--format: how results are printed."""

    TABLE = "table"
    JSON = "json"
    TSV = "tsv"


class PlanFormat(Choice):
    """reap's --format: its plan (--dry-run) as text or JSON."""

    TABLE = "table"
    JSON = "json"


class OnTimeout(Choice):
    """--on-timeout: what to do when a drain does not finish in time."""

    FAIL = "fail"  # clear the drain flag, change nothing
    FORCE = "force"  # cut the connections
    PROCEED = "proceed"  # maintenance anyway; connections close at their next request


class BackendKind(Choice):
    """--backend: how mcsctl talks to MaxScale."""

    AUTO = "auto"  # maxctrl when found, else REST
    MAXCTRL = "maxctrl"
    REST = "rest"


def values(choice: type[enum.Enum]) -> tuple[str, ...]:
    """The words of a choice, in declaration order."""
    return tuple(str(m.value) for m in choice)


def word(value: object) -> object:
    """An enum member's word (`OnTimeout.FORCE` -> "force"); anything else as it is."""
    return value.value if isinstance(value, enum.Enum) else value
