"""The procedures under their old name: `mcsctl.procedures` holds them, `mcsctl.outcome` their options/results."""

from __future__ import annotations

from .outcome import ON_TIMEOUT, OnOptions, Outcome
from .procedures import Procedures

__all__ = ["ON_TIMEOUT", "OnOptions", "Outcome", "Procedures"]
