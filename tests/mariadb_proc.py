"""A private mariadbd (Debian's mariadb-server): a datadir of its own, a free 127.0.0.1 port, a private socket,
database `mcsctl` (and `newer`) and user `mcsctl`. No pytest here: the shared-journal tests
(tests/mariadb_server.py) and the benchmarks (benchmarks/journal_case.py) both start it with `serve()`."""

from __future__ import annotations

import contextlib
import gc
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

DATABASE, USER, PASSWORD = "mcsctl", "mcsctl", "journal-secret-pw"


def binary(name: str) -> str | None:
    return shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin:/sbin")


def installed() -> bool:
    """Both programs `serve()` needs are there."""
    return bool(binary("mariadbd") and binary("mariadb-install-db"))


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

    def aborted_clients(self) -> int:
        """The server's count of sessions dropped without COM_QUIT, once it has settled (it counts one when
        it notices). Garbage is collected first: an earlier test's unclosed connection, collected later,
        would count against the test that reads this."""
        gc.collect()
        seen = None
        while (now := int(self.root("SHOW GLOBAL STATUS LIKE 'Aborted_clients'")[0][1])) != seen:
            seen = now
            time.sleep(0.3)
        return now


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


def _certificate(base: Path) -> list[str]:
    """mariadbd's options for TLS with a self-signed certificate made here (the server then offers TLS)."""
    cert, key = base / "cert.pem", base / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "2", "-subj", "/CN=127.0.0.1"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return [f"--ssl-cert={cert}", f"--ssl-key={key}"]


@contextlib.contextmanager
def serve(base: Path, tls: bool = False) -> Iterator[MariaDB]:
    """A running server with its files under `base` (an empty directory); stopped on exit. With `tls` it
    offers TLS (a self-signed certificate), as MariaDB 11.4 and later do out of the box."""
    mariadbd, install = binary("mariadbd"), binary("mariadb-install-db")
    if not mariadbd or not install:
        raise RuntimeError("mariadb-server is not installed (mariadbd, mariadb-install-db)")
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
         "--skip-name-resolve", "--innodb-buffer-pool-size=32M", *as_root, *(_certificate(base) if tls else [])],
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
