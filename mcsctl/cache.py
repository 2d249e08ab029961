"""The server-name caches that shell completion reads: one file per cluster, one name per line.

A cluster is named by its hosts string exactly as given (`-H` or `$MCSCTL_HOSTS`), or `default`.
The completion scripts compute the same key in pure shell (see `key_for`), so keep them in step.
"""

from __future__ import annotations

import os

from .paths import cache_dir

TTL = 300  # seconds; the completion scripts refresh an older cache in the background of a TAB
KEY_MAX = 100  # bytes of sanitised hosts string kept in a file name
DEFAULT_KEY = "default"  # no -H and no $MCSCTL_HOSTS: config file or built-in default hosts
_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._,:-")


def key_for(hosts_raw: str | None) -> str:
    """The cache key of a hosts string as Typer resolved it (flag or env var; None when neither).

    Works on the string's bytes (as the shells do under LC_ALL=C, whatever the user's locale): every
    byte outside [A-Za-z0-9._,:-] becomes `_`, and only the first KEY_MAX are kept.
    """
    if not hosts_raw:
        return DEFAULT_KEY
    raw = os.fsencode(hosts_raw)[:KEY_MAX]
    return "".join(chr(b) if b in _SAFE else "_" for b in raw)


def cache_path(hosts_raw: str | None = None) -> str:
    """`$XDG_CACHE_HOME/mcsctl/servers@<key>`: the cache of the cluster `hosts_raw` names."""
    return os.path.join(cache_dir(), f"servers@{key_for(hosts_raw)}")


def write_names(names: list[str], hosts_raw: str | None) -> None:
    """Best effort, atomic (write + rename); completion must never see half a file."""
    path = cache_path(hosts_raw)
    folder = os.path.dirname(path)
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        tmp = os.path.join(folder, f".servers.{os.getpid()}")
        with open(tmp, "w", encoding="utf-8") as f:
            f.write("".join(f"{n}\n" for n in sorted(set(names))))
        os.replace(tmp, path)
    except OSError:
        pass
