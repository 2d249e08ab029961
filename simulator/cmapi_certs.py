"""Certificates for the fake CMAPI, made by the `openssl` command (an argument list, no shell), once per
process, in a temporary directory removed at exit.

- `self_signed()`: like CMAPI's own (RSA 2048, CN `mariadb.com`, O `MariaDB Corporation`, 365 days),
  one for every node; clients must skip verification, as MaxScale does.
- `ca_signed(addresses)`: a test CA and one certificate per node address (its IP in subjectAltName), for
  sites that replaced CMAPI's certificates with CA-signed ones: a client can verify them, hostname included.
"""

from __future__ import annotations

import atexit
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

SUBJECT = "/O=MariaDB Corporation/CN=mariadb.com"
_LOCK = threading.Lock()
_DIR: Path | None = None
_SELF: tuple[str, str] | None = None
_CA: dict[str, tuple[str, str]] = {}  # address -> (cert, key); "" -> (CA cert, CA key)


class CertError(RuntimeError):
    """No `openssl` command, or it failed."""


def _workdir() -> Path:
    global _DIR
    if _DIR is None:
        _DIR = Path(tempfile.mkdtemp(prefix="cmapi-sim-"))
        atexit.register(shutil.rmtree, _DIR, True)
    return _DIR


def _openssl(*args: str) -> None:
    openssl = shutil.which("openssl")
    if openssl is None:
        raise CertError("the ColumnStore simulator needs the `openssl` command to make its certificates")
    done = subprocess.run([openssl, *args], capture_output=True, text=True, check=False, timeout=60)
    if done.returncode != 0:
        raise CertError(f"openssl could not make a certificate: {done.stderr.strip()[:200]}")


def self_signed() -> tuple[str, str]:
    """(certificate file, key file) of this process's self-signed certificate."""
    global _SELF
    with _LOCK:
        if _SELF is None:
            cert, key = _workdir() / "cmapi_server.pem", _workdir() / "cmapi_server.key"
            args = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "365", "-subj", SUBJECT]
            _openssl(*args, "-keyout", str(key), "-out", str(cert))
            _SELF = str(cert), str(key)
        return _SELF


def ca_file() -> str:
    """The test CA's certificate (made on first use)."""
    with _LOCK:
        return _ca()[0]


def _ca() -> tuple[str, str]:
    if "" not in _CA:
        cert, key = _workdir() / "ca.pem", _workdir() / "ca.key"
        args = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "365", "-subj", "/CN=maxscale-sim test CA"]
        _openssl(*args, "-keyout", str(key), "-out", str(cert))
        _CA[""] = str(cert), str(key)
    return _CA[""]


def ca_signed(address: str) -> tuple[str, str]:
    """(certificate file, key file) for one node address, signed by the test CA."""
    with _LOCK:
        if address not in _CA:
            ca_cert, ca_key = _ca()
            # not Path.with_suffix: it would take an address's last ".11" for a suffix, one file for all nodes
            csr, ext, cert, key = (_workdir() / f"node-{address}.{kind}" for kind in ("csr", "ext", "pem", "key"))
            ext.write_text(f"subjectAltName=IP:{address}\n")
            _openssl(
                "req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={address}", "-keyout", str(key), "-out", str(csr)
            )
            _openssl(
                "x509", "-req", "-in", str(csr), "-CA", ca_cert, "-CAkey", ca_key, "-CAcreateserial",
                "-days", "365", "-extfile", str(ext), "-out", str(cert),
            )  # fmt: skip
            _CA[address] = str(cert), str(key)
        return _CA[address]
