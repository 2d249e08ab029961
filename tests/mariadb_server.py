"""A real MariaDB server for the shared-journal tests: Debian's mariadb-server (installed by `make test`,
.ci/sysdeps), started once per session with a private datadir on a free 127.0.0.1 port and a private
socket, torn down after; and `Cut`, a TCP relay in front of it that a test can cut (the database going
away, or switching over behind MaxScale) and mend.

Missing binaries skip the tests with the reason, except under CI (CI=true), where they fail.
"""

from __future__ import annotations

import os
import socket
import threading
import uuid

import pytest

from tests.mariadb_proc import DATABASE, PASSWORD, USER, MariaDB, installed, serve

__all__ = ["DATABASE", "PASSWORD", "USER", "Cut", "MariaDB", "db", "mariadb", "mariadb_tls"]


def _missing() -> None:
    why = "mariadb-server is not installed (mariadbd, mariadb-install-db): `make test` installs it (.ci/sysdeps)"
    if os.environ.get("CI") == "true":
        pytest.fail(why + "; under CI it must be there")
    pytest.skip(why)


@pytest.fixture(scope="session")
def mariadb(tmp_path_factory):
    """The session's MariaDB server, with database `mcsctl` (and `newer`) and user `mcsctl` on 127.0.0.1."""
    if not installed():
        _missing()
    with serve(tmp_path_factory.mktemp("mariadb")) as server:
        yield server


@pytest.fixture(scope="session")
def mariadb_tls(tmp_path_factory):
    """Another server, which offers TLS (self-signed), as MariaDB 11.4 and later do by default."""
    if not installed():
        _missing()
    with serve(tmp_path_factory.mktemp("mariadb-tls"), tls=True) as server:
        yield server


@pytest.fixture
def db(mariadb):
    """A fresh database of the session's server for one test, dropped after."""
    name = "t_" + uuid.uuid4().hex[:10]
    mariadb.root(f"CREATE DATABASE {name}")
    yield name
    mariadb.root(f"DROP DATABASE {name}")


class Cut:
    """A TCP relay 127.0.0.1:port -> the server that can be cut (connections dropped, new ones refused at once)
    and mended: the database going away and coming back, as behind MaxScale during a switchover."""

    def __init__(self, target_port: int) -> None:
        self.target = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.up = True
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target))
            except OSError:
                client.close()
                continue
            with self._lock:
                self._conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cut(self) -> None:
        self.up = False
        with self._lock:
            conns, self._conns = self._conns, []
        for s in conns:
            try:
                s.shutdown(socket.SHUT_RDWR)
                s.close()
            except OSError:
                pass

    def mend(self) -> None:
        self.up = True

    def close(self) -> None:
        self.cut()
        self.listener.close()
