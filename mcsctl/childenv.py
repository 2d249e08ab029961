"""The environment of the programs mcsctl starts (COMMAND, maxctrl): everything but mcsctl's secrets."""

from __future__ import annotations

import os
from collections.abc import Mapping

from .secrecy import SECRET_SUFFIXES, SECRETS

# Every variable that carries a secret of mcsctl's: the MCSCTL_* of each secret setting (secrecy.SECRETS).
# A child never sees them: COMMAND runs the admin's own code, and maxctrl gets the password on stdin.
SECRET_VARS = tuple("MCSCTL_" + name.upper() for name in SECRETS)
# The safety net for secrets added without updating the list: MCSCTL_*_PASSWORD, *_KEY, *_TOKEN, *_SECRET.


def is_secret(name: str) -> bool:
    """Whether the environment variable `name` holds one of mcsctl's secrets."""
    upper = name.upper()
    return upper in SECRET_VARS or (upper.startswith("MCSCTL_") and upper.endswith(SECRET_SUFFIXES))


def child_env(base: Mapping[str, str] | None = None, **extra: str) -> dict[str, str]:
    """A copy of `base` (default: our environment) without the secret variables, plus `extra`."""
    env = {k: v for k, v in (os.environ if base is None else base).items() if not is_secret(k)}
    env.update(extra)
    return env
