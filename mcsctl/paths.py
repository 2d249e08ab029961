"""Where mcsctl keeps its files, after the XDG Base Directory spec: config, cache, state (the journal) and
runtime (the per-server locks).

One rule for all four: a `$XDG_*` variable that is unset, empty or relative is ignored (the spec calls
relative values invalid), and the spec's default under $HOME is used instead.
"""

from __future__ import annotations

import os
from pathlib import Path

APP = "mcsctl"


def _xdg(variable: str) -> Path | None:
    """`$variable` as a path when it is absolute, else None."""
    value = os.environ.get(variable, "")
    return Path(value) if os.path.isabs(value) else None


def _home(*parts: str) -> Path:
    return Path(os.path.expanduser("~"), *parts)


def config_dir() -> Path:
    """`$XDG_CONFIG_HOME/mcsctl`, default ~/.config/mcsctl."""
    return (_xdg("XDG_CONFIG_HOME") or _home(".config")) / APP


def cache_dir() -> Path:
    """`$XDG_CACHE_HOME/mcsctl`, default ~/.cache/mcsctl (the server-name caches of shell completion)."""
    return (_xdg("XDG_CACHE_HOME") or _home(".cache")) / APP


def state_dir() -> Path:
    """`$XDG_STATE_HOME/mcsctl`, default ~/.local/state/mcsctl (the journal)."""
    return (_xdg("XDG_STATE_HOME") or _home(".local", "state")) / APP


def runtime_dir() -> Path:
    """`$XDG_RUNTIME_DIR/mcsctl`, else /run/user/UID/mcsctl when that exists, else a private temp dir.

    The spec has no default for the runtime directory; a program is to pick a replacement itself."""
    xdg = _xdg("XDG_RUNTIME_DIR")
    if xdg is not None:
        return xdg / APP
    uid = os.getuid()
    run_user = Path(f"/run/user/{uid}")
    if run_user.is_dir():
        return run_user / APP
    import tempfile

    return Path(tempfile.gettempdir()) / f"{APP}-{uid}"
