"""The environment of the programs mcsctl starts (COMMAND, maxctrl): everything but mcsctl's secrets."""

from __future__ import annotations

import os
from collections.abc import Mapping

from . import secrecy

PREFIX = "MCSCTL_"


def is_secret(name: str) -> bool:
    """Whether the environment variable `name` holds one of mcsctl's secrets: the MCSCTL_* of a secret setting
    (secrecy.py, its suffixes included). A child never sees them: COMMAND runs the admin's own code, and maxctrl
    gets the password on stdin."""
    upper = name.upper()
    return upper.startswith(PREFIX) and secrecy.is_secret(upper[len(PREFIX) :].lower())


def child_env(base: Mapping[str, str] | None = None, **extra: str) -> dict[str, str]:
    """A copy of `base` (default: our environment) without the secret variables, plus `extra`."""
    env = {k: v for k, v in (os.environ if base is None else base).items() if not is_secret(k)}
    env.update(extra)
    return env
