"""mcsctl/paths.py: one XDG rule for config, cache, state and runtime (relative values ignored)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mcsctl import cache, journal, lock, paths, settings

DIRS = [
    ("XDG_CONFIG_HOME", paths.config_dir, (".config",)),
    ("XDG_CACHE_HOME", paths.cache_dir, (".cache",)),
    ("XDG_STATE_HOME", paths.state_dir, (".local", "state")),
]


@pytest.mark.parametrize("variable, where, default", DIRS, ids=[d[0] for d in DIRS])
def test_absolute_value_is_used_relative_or_empty_is_ignored(monkeypatch, tmp_path, variable, where, default):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv(variable, str(tmp_path / "xdg"))
    assert where() == str(tmp_path / "xdg" / "mcsctl")  # paths are strings (no pathlib at start-up)
    for ignored in ("relative/dir", ""):
        monkeypatch.setenv(variable, ignored)
        assert where() == str(Path(tmp_path / "home", *default, "mcsctl"))
    monkeypatch.delenv(variable)
    assert where() == str(Path(tmp_path / "home", *default, "mcsctl"))


def test_every_user_of_a_path_goes_through_paths(monkeypatch, tmp_path):
    for variable in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME", "XDG_RUNTIME_DIR"):
        monkeypatch.setenv(variable, str(tmp_path / variable))
    assert Path(settings.default_config_path()) == tmp_path / "XDG_CONFIG_HOME" / "mcsctl" / "config.toml"
    assert Path(cache.cache_path("mx1:8989")) == tmp_path / "XDG_CACHE_HOME" / "mcsctl" / "servers@mx1:8989"
    assert journal.default_path() == tmp_path / "XDG_STATE_HOME" / "mcsctl" / "journal.jsonl"
    assert Path(lock.runtime_dir()) == tmp_path / "XDG_RUNTIME_DIR" / "mcsctl"
