"""The server-name cache that shell completion reads: one name per line, refreshed by any listing."""

from __future__ import annotations

import os
from pathlib import Path

TTL = 300  # seconds; the completion scripts refresh an older cache in the background of a TAB


def cache_path() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "mcsctl" / "servers"


def write_names(names: list[str]) -> None:
    """Best effort, atomic (write + rename); completion must never see half a file."""
    path = cache_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_name(f".servers.{os.getpid()}")
        tmp.write_text("".join(f"{n}\n" for n in sorted(set(names))), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass
