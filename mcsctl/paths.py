"""Where mcsctl keeps its files, after the XDG Base Directory spec: config, cache, state (the journal) and
runtime (the per-server locks).

One rule for all four: a `$XDG_*` variable that is unset, empty or relative is ignored (the spec calls
relative values invalid), and the spec's default under $HOME is used instead. Paths are strings: pathlib
costs ~3 ms of a start that `servers` need not pay (issue 17); modules that want a Path wrap them.
"""

from __future__ import annotations

import os

APP = "mcsctl"


def _xdg(variable: str) -> str | None:
    """`$variable` as a path when it is absolute, else None."""
    value = os.environ.get(variable, "")
    return value if os.path.isabs(value) else None


def _home(*parts: str) -> str:
    return os.path.join(os.path.expanduser("~"), *parts)


def config_dir() -> str:
    """`$XDG_CONFIG_HOME/mcsctl`, default ~/.config/mcsctl."""
    return os.path.join(_xdg("XDG_CONFIG_HOME") or _home(".config"), APP)


def cache_dir() -> str:
    """`$XDG_CACHE_HOME/mcsctl`, default ~/.cache/mcsctl (the server-name caches of shell completion)."""
    return os.path.join(_xdg("XDG_CACHE_HOME") or _home(".cache"), APP)


def state_dir() -> str:
    """`$XDG_STATE_HOME/mcsctl`, default ~/.local/state/mcsctl (the journal)."""
    return os.path.join(_xdg("XDG_STATE_HOME") or _home(".local", "state"), APP)


def runtime_dir() -> str:
    """`$XDG_RUNTIME_DIR/mcsctl`, else /run/user/UID/mcsctl when that exists, else a private temp dir.

    The spec has no default for the runtime directory; a program is to pick a replacement itself."""
    xdg = _xdg("XDG_RUNTIME_DIR")
    if xdg is not None:
        return os.path.join(xdg, APP)
    uid = os.getuid()
    run_user = f"/run/user/{uid}"
    if os.path.isdir(run_user):
        return os.path.join(run_user, APP)
    import tempfile

    return os.path.join(tempfile.gettempdir(), f"{APP}-{uid}")
