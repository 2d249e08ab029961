"""Which maxctrl this is: its version, learnt once per executable (`maxctrl --version`, cached by path and
modification time), and whether captures of the real client cover its release line (docs/maxscale-facts.md:
newer-lines).

Covered (golden captures, README "Supported MaxScale versions"): 2.5 up to the 24.08 branch (24.08.1, released
as 25.01). Not covered: 25.01 and later, and develop's `99.99.99` (a moving target). Their `list servers` is
not guessed at: the servers are read as JSON through `maxctrl api get servers`.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable

from ..paths import cache_dir

COVERED_UP_TO = (24, 8)  # the newest release line whose client output was captured
CACHE_FILE = "maxctrl-versions.json"
CACHE_ENTRIES = 32  # executables remembered on disk (newest kept)
_VERSION = re.compile(r"\b(\d{1,3})\.(\d{1,3})\.(\d{1,4})\b")

# (path, mtime_ns) -> version, for this process
_memo: dict[tuple[str, int], str | None] = {}

Runner = Callable[[list[str]], str | None]  # argv -> stdout of a successful run, None when it failed


def parse_version(text: str) -> str | None:
    """`24.02.4` from what `maxctrl --version` printed (its first X.Y.Z), None when there is none."""
    m = _VERSION.search(text or "")
    return m.group(0) if m else None


def line_of(version: str) -> tuple[int, int] | None:
    m = _VERSION.fullmatch(version)
    return (int(m[1]), int(m[2])) if m else None


def covered(version: str | None) -> bool:
    """Is this client's release line one the captures cover? An unlearnt version (None) is not judged here."""
    if version is None:
        return True
    line = line_of(version)
    return line is not None and line <= COVERED_UP_TO


def client_version(exe: str, run: Runner) -> str | None:
    """The version of the maxctrl at `exe`: from this process's memo, the cache file, or by running it once."""
    try:
        mtime = os.stat(exe).st_mtime_ns
    except OSError:
        return None
    path = os.path.abspath(exe)
    key = (path, mtime)
    if key in _memo:
        return _memo[key]
    version = _read_cache(path, mtime)
    if version is None:
        out = run([exe, "--version"])
        version = parse_version(out) if out is not None else None
        if version is not None:
            _write_cache(path, mtime, version)
    _memo[key] = version
    return version


def _cache_path() -> str:
    return os.path.join(cache_dir(), CACHE_FILE)


def _load() -> dict[str, dict[str, object]]:
    try:
        with open(_cache_path(), encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _read_cache(exe: str, mtime: int) -> str | None:
    entry = _load().get(exe)
    if isinstance(entry, dict) and entry.get("mtime_ns") == mtime and isinstance(entry.get("version"), str):
        return str(entry["version"])
    return None


def _write_cache(exe: str, mtime: int, version: str) -> None:
    """Best effort, atomic (write + rename): a cache that cannot be written only costs a `--version` run."""
    data = {k: v for k, v in _load().items() if k != exe}
    data[exe] = {"mtime_ns": mtime, "version": version}
    keep = dict(list(data.items())[-CACHE_ENTRIES:])
    path = _cache_path()
    try:
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        tmp = f"{path}.{os.getpid()}"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(keep, f)
        os.replace(tmp, path)
    except OSError:
        pass
