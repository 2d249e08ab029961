"""A real MariaDB server for the shared-journal tests: Debian's mariadb-server (installed by `make test`,
.ci/sysdeps), started once per session with a private datadir on a free 127.0.0.1 port and a private
socket, torn down after; and `Cut`, a TCP relay in front of it that a test can cut (the database going
away, or switching over behind MaxScale) and mend.

Missing binaries skip the tests with the reason, except under CI (CI=true), where they fail.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

DATABASE, USER, PASSWORD = "mcsctl", "mcsctl", "journal-secret-pw"


def _binary(name: str) -> str | None:
    return shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin:/sbin")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class MariaDB:
    port: int
    socket: str
    datadir: Path

    def url(self, database: str = DATABASE, port: int | None = None) -> str:
        return f"mariadb://{USER}@127.0.0.1:{port or self.port}/{database}"

    def root(self, sql: str, database: str | None = None) -> list[tuple]:
        """Run one statement as root over the private socket; its rows."""
        import pymysql

        conn = pymysql.connect(unix_socket=self.socket, user="root", password="", database=database, autocommit=True)
        try:
            with conn.cursor() as cur:
                cur.execute(sql)
                return list(cur.fetchall())
        finally:
            conn.close()


def _missing() -> None:
    why = "mariadb-server is not installed (mariadbd, mariadb-install-db): `make test` installs it (.ci/sysdeps)"
    if os.environ.get("CI") == "true":
        pytest.fail(why + "; under CI it must be there")
    pytest.skip(why)


def _wait_ready(server: MariaDB, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"mariadbd exited {proc.returncode}: {log.read_text()[-2000:]}")
        try:
            server.root("SELECT 1")
            return
        except Exception:
            time.sleep(0.1)
    raise RuntimeError(f"mariadbd did not start in 60s: {log.read_text()[-2000:]}")


@pytest.fixture(scope="session")
def mariadb(tmp_path_factory):
    """The session's MariaDB server, with database `mcsctl` (and `newer`) and user `mcsctl` on 127.0.0.1."""
    mariadbd, install = _binary("mariadbd"), _binary("mariadb-install-db")
    if not mariadbd or not install:
        _missing()
    base = tmp_path_factory.mktemp("mariadb")
    datadir, log = base / "data", base / "error.log"
    as_root = ["--user=root"] if os.getuid() == 0 else []
    subprocess.run(
        [install, "--no-defaults", f"--datadir={datadir}", "--auth-root-authentication-method=normal",
         "--skip-test-db", *as_root],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    server = MariaDB(_free_port(), str(base / "mysqld.sock"), datadir)
    proc = subprocess.Popen(
        [mariadbd, "--no-defaults", f"--datadir={datadir}", f"--socket={server.socket}", f"--port={server.port}",
         "--bind-address=127.0.0.1", f"--pid-file={base / 'mysqld.pid'}", f"--log-error={log}", "--skip-log-bin",
         "--skip-name-resolve", "--innodb-buffer-pool-size=32M", *as_root],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        _wait_ready(server, proc, log)
        for db in (DATABASE, "newer"):
            server.root(f"CREATE DATABASE {db}")
        server.root(f"CREATE USER '{USER}'@'127.0.0.1' IDENTIFIED BY '{PASSWORD}'")
        server.root(f"GRANT ALL ON *.* TO '{USER}'@'127.0.0.1'")
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


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
