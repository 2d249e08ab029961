"""Issue 15, item 1: the shared journal and lease in a real MariaDB (tests/mariadb_server.py), driven through
the installed mcsctl against the simulator. Two "hosts" are two state and runtime directories and two host
names (MCSCTL_HOSTNAME) sharing one database."""

from __future__ import annotations

import json
import os
import signal
import sys

import pytest

from tests.mariadb_server import PASSWORD, Cut, db, mariadb, mariadb_tls  # noqa: F401 (the fixtures)

from .conftest import finish, state_of, wait_for
from .test_journal_lock_e2e import one_error_line, wait_for_file

pytestmark = pytest.mark.real_process  # the installed entry point, two processes at once

NOW = "UNIX_TIMESTAMP(NOW(6))"
LEASE = "5"  # seconds: short, so a dead holder's lease expires soon; renewed every 1.25s, ample under load


@pytest.fixture
def host(tmp_path, mariadb, db):  # noqa: F811
    """host(name, port=None, journal=None) -> the environment of mcsctl on that "host", with the shared journal
    (the test's database, through `port` if given; or the `journal` URL)."""

    def env(name: str, port: int | None = None, journal: str | None = None) -> dict[str, str]:
        base = tmp_path / name
        return {
            "MCSCTL_HOSTNAME": name,
            "XDG_STATE_HOME": str(base / "state"),
            "XDG_RUNTIME_DIR": str(base / "run"),
            "MCSCTL_JOURNAL": journal or mariadb.url(db, port),
            "MCSCTL_JOURNAL_PASSWORD": PASSWORD,
            "MCSCTL_LEASE_SECONDS": LEASE,
        }

    return env


def rows(mariadb, db, sql):  # noqa: F811
    return mariadb.root(sql, database=db)


def test_a_enters_b_sees_the_owner_extends_and_reaps(rest_mcsctl, make_sim, host, mariadb, db):  # noqa: F811
    sim, a, b = make_sim(), host("hostA"), host("hostB")
    r = rest_mcsctl("maintenance", "on", "mcs3", "--no-drain", "--reason", "disk swap", "--expires", "2h",
                    hosts=[sim], env=a)  # fmt: skip
    assert r.rc == 0, r.err
    assert PASSWORD not in r.out + r.err
    r = rest_mcsctl("maintenance", "status", "--format", "json", hosts=[sim], env=b)
    assert r.rc == 0, r.err
    (row,) = [x for x in r.json() if x["server"] == "mcs3"]
    assert row["source"] == "mcsctl" and row["reason"] == "disk swap" and row["by"].endswith("@hostA")
    assert row["unfinished"] is None and row["in_maintenance"]
    # B moves the expiry into the past... almost: 1s from now, then reaps it from its host.
    r = rest_mcsctl("maintenance", "extend", "mcs3", "--expires", "1s", "--reason", "done early", hosts=[sim], env=b)
    assert r.rc == 0, r.err
    wait_for(lambda: "maintenance expired" in rest_mcsctl("maintenance", "reap", "--dry-run", hosts=[sim], env=b).err,
             what="the expiry")  # fmt: skip
    r = rest_mcsctl("maintenance", "reap", hosts=[sim], env=b)
    assert r.rc == 0, r.err
    assert state_of(sim, "mcs3") == "Slave, Running"
    actions = [json.loads(x)["action"] for (x,) in rows(mariadb, db, "SELECT record FROM mcsctl_journal ORDER BY seq")]
    assert {"on", "extend", "reap"} <= set(actions)
    assert rows(mariadb, db, "SELECT version FROM mcsctl_schema") == [(1,)]
    assert rows(mariadb, db, "SELECT COUNT(*) FROM mcsctl_lease") == [(0,)]  # every lease given back


def test_the_lease_stops_another_host_until_its_dead_holder_expires(rest_mcsctl, make_sim, host, tmp_path, mariadb, db):  # noqa: F811
    sim, a, b = make_sim(), host("hostA"), host("hostB")
    marker = tmp_path / "go"
    p = rest_mcsctl.start("maintenance", "run", "mcs3", "--no-drain", "--", *wait_for_file(marker), hosts=[sim], env=a)
    try:
        wait_for(lambda: state_of(sim, "mcs3") == "Maintenance, Running", what="mcs3 in maintenance")
        r = rest_mcsctl("maintenance", "off", "mcs3", hosts=[sim], env=b)
        assert r.rc == 4, r.err
        line = one_error_line(r.err)
        assert f"pid {p.pid} on hostA" in line and "lease" in line
        assert state_of(sim, "mcs3") == "Maintenance, Running"  # B changed nothing
        # B's status knows A's change is running: A holds the lease
        (row,) = rest_mcsctl("maintenance", "status", "mcs3", "--format", "json", hosts=[sim], env=b).json()
        assert row["unfinished"]["state"] == "running" and row["unfinished"]["host"] == "hostA"
        # the holder renews its lease while it works
        (first,) = rows(mariadb, db, "SELECT expires FROM mcsctl_lease")[0]
        wait_for(lambda: rows(mariadb, db, "SELECT expires FROM mcsctl_lease")[0][0] > first, what="a renewal")
        p.send_signal(signal.SIGKILL)
        p.wait(timeout=10)
        p.stdout.close(), p.stderr.close()
        # nobody renews it now: it expires, and B's off goes ahead and closes A's unfinished change
        wait_for(lambda: rows(mariadb, db, f"SELECT expires < {NOW} FROM mcsctl_lease") == [(1,)], timeout=20,
                 what="the dead holder's lease to expire")  # fmt: skip
        (row,) = rest_mcsctl("maintenance", "status", "mcs3", "--format", "json", hosts=[sim], env=b).json()
        assert row["unfinished"]["state"] == "unfinished" and row["unfinished"]["pid"] == p.pid  # no longer leased
        r = rest_mcsctl("maintenance", "off", "mcs3", hosts=[sim], env=b)
        assert r.rc == 0, r.err
        assert f"closed the journal's unfinished `mcsctl maintenance run` (pid {p.pid} on hostA)" in r.err
        assert state_of(sim, "mcs3") == "Slave, Running"
    finally:
        marker.write_text("")
        if p.poll() is None:
            finish(p)


def test_unreachable_database_before_a_change_exits_3_and_changes_nothing(rest_mcsctl, make_sim, host, mariadb):  # noqa: F811
    sim = make_sim()
    cut = Cut(mariadb.port)
    try:
        cut.cut()
        a = host("hostA", port=cut.port)
        r = rest_mcsctl("maintenance", "on", "mcs3", "--no-drain", hosts=[sim], env=a)
        assert r.rc == 3, r.err
        line = one_error_line(r.err)
        assert f"127.0.0.1:{cut.port}" in line and "nothing was changed" in line and PASSWORD not in r.err
        assert state_of(sim, "mcs3") == "Slave, Running"
        # --journal-fallback local: this host's file instead, said loudly
        r = rest_mcsctl("--journal-fallback", "local", "maintenance", "on", "mcs3", "--no-drain", "--reason", "r1",
                        hosts=[sim], env=a)  # fmt: skip
        assert r.rc == 0, r.err
        assert "WRITING THE LOCAL JOURNAL" in r.err
        local = tmp_local(a)
        assert any(json.loads(x)["action"] == "on" for x in local.read_text().splitlines())
    finally:
        cut.close()


def tmp_local(env):
    from pathlib import Path

    return Path(env["XDG_STATE_HOME"]) / "mcsctl" / "journal.jsonl"


def test_database_lost_after_the_change_began_never_stops_the_cleanup(rest_mcsctl, make_sim, host, mariadb, tmp_path):  # noqa: F811
    sim = make_sim()
    cut = Cut(mariadb.port)
    marker = tmp_path / "go"
    try:
        a = {**host("hostA", port=cut.port), "MCSCTL_LEASE_SECONDS": "1"}  # one host: a short retry is enough
        p = rest_mcsctl.start("maintenance", "run", "mcs3", "--no-drain", "--", *wait_for_file(marker), hosts=[sim],
                              env=a)  # fmt: skip
        wait_for(lambda: state_of(sim, "mcs3") == "Maintenance, Running", what="mcs3 in maintenance")
        cut.cut()
        marker.write_text("")
        r = finish(p)
        assert r.rc == 0, r.err
        assert state_of(sim, "mcs3") == "Slave, Running"  # the cleanup completed
        assert "could not write the journal" in r.err and "Traceback" not in r.err
        assert "cannot renew the lease" in r.err or "does not answer" in r.err
    finally:
        marker.write_text("")
        cut.close()


def test_export_import_round_trip_is_idempotent(rest_mcsctl, make_sim, host, tmp_path, mariadb, db):  # noqa: F811
    sim, a = make_sim(), host("hostA")
    local = tmp_path / "local.jsonl"
    r = rest_mcsctl("--journal", str(local), "maintenance", "on", "mcs3", "--no-drain", "--reason", "offline",
                    hosts=[sim], env=a)  # fmt: skip
    assert r.rc == 0, r.err
    n = len(local.read_text().splitlines())
    r = rest_mcsctl("journal", "import", "--file", str(local), env=a)
    assert r.rc == 0, r.err
    assert f"imported {n} records" in r.err and "(0 were already there)" in r.err
    r = rest_mcsctl("journal", "import", "--file", str(local), env=a)
    assert "imported 0 records" in r.err and f"({n} were already there)" in r.err
    assert rows(mariadb, db, "SELECT COUNT(*) FROM mcsctl_journal") == [(n,)]
    # B sees A's imported maintenance; the off on B goes to the database; export brings it home
    b = host("hostB")
    r = rest_mcsctl("maintenance", "off", "mcs3", hosts=[sim], env=b)
    assert r.rc == 0, r.err
    r = rest_mcsctl("journal", "export", "--file", str(local), env=a)
    assert r.rc == 0, r.err
    added = len(local.read_text().splitlines()) - n
    assert added > 0 and f"exported {added} records" in r.err and f"({n} were already there)" in r.err
    r = rest_mcsctl("journal", "export", "--file", str(local), env=a)
    assert "exported 0 records" in r.err
    r = rest_mcsctl("--journal", str(local), "maintenance", "status", "--format", "json", hosts=[sim], env=a)
    assert [x for x in r.json() if x["server"] == "mcs3"] == []  # the off closed it in the file too


def test_a_newer_schema_is_refused(rest_mcsctl, make_sim, host, mariadb, db):  # noqa: F811
    sim, a = make_sim(), host("hostA")
    assert rest_mcsctl("maintenance", "status", hosts=[sim], env=a).rc == 0  # makes the tables
    mariadb.root("UPDATE mcsctl_schema SET version = 99", database=db)
    r = rest_mcsctl("maintenance", "on", "mcs3", "--no-drain", hosts=[sim], env=a)
    assert r.rc == 3
    assert "schema version 99" in one_error_line(r.err)
    assert state_of(sim, "mcs3") == "Slave, Running"


def test_journal_commands_need_a_shared_journal(rest_mcsctl):
    r = rest_mcsctl("journal", "export")
    assert r.rc == 2 and "mariadb://" in one_error_line(r.err)


def test_takeover_goes_ahead_despite_the_lease_and_is_journalled(rest_mcsctl, make_sim, host, tmp_path, mariadb, db):  # noqa: F811
    sim, a, b = make_sim(), host("hostA"), host("hostB")
    marker = tmp_path / "go"
    p = rest_mcsctl.start("maintenance", "run", "mcs3", "--no-drain", "--", *wait_for_file(marker), hosts=[sim], env=a)
    try:
        wait_for(lambda: state_of(sim, "mcs3") == "Maintenance, Running", what="mcs3 in maintenance")
        r = rest_mcsctl("maintenance", "off", "mcs3", "--takeover", hosts=[sim], env=b)
        assert r.rc == 0, r.err
        assert f"taking over from pid {p.pid} on hostA" in r.err
        assert state_of(sim, "mcs3") == "Slave, Running"
        (rec,) = [
            json.loads(x) for (x,) in rows(mariadb, db, "SELECT record FROM mcsctl_journal WHERE action = 'takeover'")
        ]
        assert rec["extra"]["holder"]["host"] == "hostA" and rec["extra"]["holder"]["pid"] == p.pid
    finally:
        marker.write_text("")
        finish(p)


def test_the_journal_password_never_reaches_command(rest_mcsctl, make_sim, host):
    sim, a = make_sim(), host("hostA")
    show = [sys.executable, "-c", "import os; print(sorted(os.environ.items()))"]
    r = rest_mcsctl("maintenance", "run", "mcs3", "--no-drain", "--", *show, hosts=[sim], env=a)
    assert r.rc == 0, r.err
    assert "MCSCTL_JOURNAL_PASSWORD" not in r.out and PASSWORD not in r.out + r.err


def test_cluster_lock_is_a_shared_lease(mariadb, db, tmp_path, monkeypatch):  # noqa: F811
    """The lock max_in_maintenance counts under (limit.LOCK_KEY) is a lease that other hosts see."""
    from mcsctl.clusterlock import cluster_lock
    from mcsctl.errors import GuardRefused
    from mcsctl.limit import LOCK_KEY
    from mcsctl.settings import from_values

    def become(name):  # another "host": its own flock directory and host name
        monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / name))
        monkeypatch.setenv("MCSCTL_HOSTNAME", name)

    settings = from_values({"hosts": "mx1", "journal": mariadb.url(db), "journal_password": PASSWORD})
    become("hostA")
    with cluster_lock(settings, LOCK_KEY):
        assert mariadb.root("SELECT host FROM mcsctl_lease", database=db) == [("hostA",)]
        become("hostB")
        refused = f"the cluster lock '{LOCK_KEY}' is being changed .* on hostA"
        with pytest.raises(GuardRefused, match=refused), cluster_lock(settings, LOCK_KEY, wait=0.3):
            pass
    assert mariadb.root("SELECT COUNT(*) FROM mcsctl_lease", database=db) == [(0,)]


def test_the_library_takes_the_shared_journal_too(maxscale_sim, mariadb, db, tmp_path, monkeypatch):  # noqa: F811
    from mcsctl.api import Cluster
    from mcsctl.ui import SilentUI

    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "run"))
    before = mariadb.aborted_clients()

    def cluster():
        return Cluster(hosts=[maxscale_sim.host], backend="rest", journal=mariadb.url(db), journal_password=PASSWORD,
                       lease_seconds=30, observer=SilentUI())  # fmt: skip

    with cluster() as c:
        report = c.enter("mcs3", drain=False, reason="from Python")
    assert [r.action for r in report.records] == ["intent", "on", "intent"]
    with cluster() as c:  # another Cluster (another process, another host) reads it back
        (row,) = c.status("mcs3").rows
    assert row["reason"] == "from Python" and row["in_maintenance"]
    with cluster() as c:
        assert c.leave("mcs3").changes == ["mcs3 out of maintenance"]
    assert cluster().status().rows == []  # a Cluster never closed: its session ends when it is collected
    assert mariadb.aborted_clients() == before  # every session was ended, none dropped


# on (a change), status (the lean path, which ends with os._exit) and off
CYCLE = (["maintenance", "on", "mcs3", "--no-drain"], ["maintenance", "status"], ["maintenance", "off", "mcs3"])


def test_every_command_ends_its_database_session(rest_mcsctl, make_sim, host, mariadb):  # noqa: F811
    """A session that just drops counts as aborted in MariaDB (a warning in its log each time): each command
    of the cycle closes its connection."""

    sim, a = make_sim(), host("hostA")
    before = mariadb.aborted_clients()
    for args in CYCLE:
        r = rest_mcsctl(*args, hosts=[sim], env=a)
        assert r.rc == 0, r.err
    assert mariadb.aborted_clients() == before


def test_a_shared_journal_command_leaves_cryptography_out(cli_env, make_sim, host):
    """PyMySQL would import `cryptography` (~20 ms) for a MySQL-only login step (journal/db.load_pymysql)."""
    from tests.test_startup_imports import probe

    sim = make_sim()
    env = dict(cli_env, PATH=os.environ["PATH"], MCSCTL_BACKEND="rest", MCSCTL_HOSTS=sim.host, **host("hostA"))
    for args in CYCLE:
        p, found = probe(args, ("pymysql", "cryptography"), env=env)
        assert p.returncode == 0, p.stderr
        assert found == ["pymysql"], args


@pytest.mark.parametrize("offers_tls", [True, False], ids=["tls", "plain"])
def test_the_session_is_encrypted_when_the_server_offers_tls(request, offers_tls):
    """PyMySQL's opportunistic TLS through mcsctl's context (journal/db.connection_type): TLS where the server
    offers it (MariaDB 11.4 and later do by default), plain where it does not."""
    from mcsctl.journal.db import Db
    from mcsctl.journal.url import parse

    server = request.getfixturevalue("mariadb_tls" if offers_tls else "mariadb")
    conn = Db(parse(server.url()), PASSWORD, 5)
    try:
        ((_, version),) = conn.run("SHOW SESSION STATUS LIKE 'Ssl_version'")[1]
    finally:
        conn.close()
    assert version.startswith("TLSv1.") if offers_tls else version == ""


def test_mcsctl_journals_over_tls_and_ends_its_sessions(rest_mcsctl, make_sim, host, mariadb_tls):  # noqa: F811
    sim, env = make_sim(), host("hostA", journal=mariadb_tls.url())
    accepted, aborted = (
        int(mariadb_tls.root("SHOW GLOBAL STATUS LIKE 'Ssl_accepts'")[0][1]),
        mariadb_tls.aborted_clients(),
    )
    for args in CYCLE:
        r = rest_mcsctl(*args, hosts=[sim], env=env)
        assert r.rc == 0, r.err
    assert int(mariadb_tls.root("SHOW GLOBAL STATUS LIKE 'Ssl_accepts'")[0][1]) >= accepted + 3
    assert mariadb_tls.aborted_clients() == aborted
    actions = [a for (a,) in mariadb_tls.root("SELECT action FROM mcsctl_journal ORDER BY seq", database="mcsctl")]
    assert [a for a in actions if a in ("on", "off")][-2:] == ["on", "off"]
