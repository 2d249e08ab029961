"""One completion cache per cluster: mcsctl (Python), bash and zsh name it with the same key."""

from __future__ import annotations

import subprocess

import pytest

from mcsctl import cache
from mcsctl.cache import key_for

from .shells import BASH_SCRIPT, ZSH_DIR, need_zsh

HOSTS = [
    "127.0.0.1:8989",
    "[::1]:8989",
    "a,b",
    "mx1.example.com:8989",
    "x y",
    "mx1:8989, mx2:8989",
    "https://mx1/",
    "a/../../b",
    "~user",
    "$(touch pwned)",
    "`id`",
    "*",
    "a\\b",
    "tab\there",
    "new\nline",
    "caf\u00e9",
    "\u4e2d\u6587:8989",
    "-H",
    "default",
    "x" * 100,
    "y" * 101,
    "\u00e9" * 60,
    "_" * 150,
]


def test_key_for_sanitises_and_truncates():
    assert key_for(None) == key_for("") == "default"
    assert key_for("[::1]:8989") == "_::1_:8989"
    assert key_for("a,b") == "a,b"
    assert key_for("mx1.example.com:8989") == "mx1.example.com:8989"
    assert key_for("x y") == "x_y"
    assert key_for("a/../b") == "a_.._b"  # never a path outside the cache directory
    assert key_for("z" * 150) == "z" * 100
    assert key_for("caf\u00e9") == "caf__"  # bytewise, like the shells under LC_ALL=C


def test_write_names_writes_the_cache_of_its_cluster(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    cache.write_names(["b", "a", "b"], "[::1]:8989")
    cache.write_names(["c"], None)
    assert (tmp_path / "mcsctl" / "servers@_::1_:8989").read_text() == "a\nb\n"
    assert (tmp_path / "mcsctl" / "servers@default").read_text() == "c\n"
    assert sorted(p.name for p in (tmp_path / "mcsctl").iterdir()) == ["servers@_::1_:8989", "servers@default"]


def _keys(argv: list[str], locale: dict) -> list[str]:
    proc = subprocess.run(
        argv + HOSTS, env={"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", **locale}, capture_output=True, timeout=60
    )
    assert proc.returncode == 0 and not proc.stderr, proc
    return [k.decode() for k in proc.stdout.split(b"\0")[:-1]]


LOCALES = [{"LANG": "C.UTF-8"}, {"LC_ALL": "C"}, {"LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}]


@pytest.mark.parametrize("locale", LOCALES, ids=lambda d: ",".join(f"{k}={v}" for k, v in d.items()))
def test_bash_computes_the_same_keys(locale):
    code = f'source {BASH_SCRIPT}; for h; do _mcsctl_keyof "$h"; printf "%s\\0" "$_mcsctl_k"; done'
    assert _keys(["bash", "--norc", "--noprofile", "-c", code, "bash"], locale) == [key_for(h) for h in HOSTS]


@pytest.mark.parametrize("locale", LOCALES, ids=lambda d: ",".join(f"{k}={v}" for k, v in d.items()))
def test_zsh_computes_the_same_keys(locale):
    zsh = need_zsh()
    code = (
        f"compdef() {{ :; }}; source {ZSH_DIR / '_mcsctl'}; "
        'for h; do _mcsctl_keyof "$h"; print -rn -- "$REPLY"$\'\\0\'; done'
    )
    assert _keys([zsh, "-f", "-c", code, "zsh"], locale) == [key_for(h) for h in HOSTS]
