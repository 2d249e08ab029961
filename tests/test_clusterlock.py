"""`cluster_lock` (mcsctl/clusterlock.py): the local layer (flock) without a database; the shared layer is
tested against a real MariaDB in tests/cli/test_shared_journal_e2e.py."""

from __future__ import annotations

import pytest

from mcsctl.clusterlock import cluster_lock
from mcsctl.errors import GuardRefused
from mcsctl.settings import from_values


@pytest.fixture
def settings(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "run"))
    return from_values({"hosts": "mx1,mx2", "journal": str(tmp_path / "j.jsonl")})


def test_one_holder_at_a_time_per_key(settings):
    with cluster_lock(settings, "window") as took:
        assert took is None
        with pytest.raises(GuardRefused, match="is being changed by another mcsctl"), cluster_lock(settings, "window"):
            pass
        with cluster_lock(settings, "other") as other:  # another key is another lock
            assert other is None
        with cluster_lock(settings, "window", takeover=True) as holder:
            assert holder is not None and holder.pid is not None
    with cluster_lock(settings, "window") as again:  # released
        assert again is None
