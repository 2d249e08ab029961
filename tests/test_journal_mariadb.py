"""The MariaDB store's retry rule (mcsctl/journal/mariadb.py) without a server: a broken connection is retried
for up to lease_seconds, said once; after a write gave up, the next ones try once. The real server is in
tests/cli/test_shared_journal_e2e.py."""

from __future__ import annotations

import subprocess
import sys

import pymysql
import pytest

from mcsctl.journal.mariadb import JournalDown, MariaDBJournal, rid_of
from mcsctl.journal.url import parse
from mcsctl.record import Record


@pytest.fixture
def store():
    warned: list[str] = []
    db = MariaDBJournal(parse("mariadb://u@db1/j"), "pw", lease_seconds=0.3, warn=warned.append)
    return db, warned


def test_a_write_retries_says_so_once_then_gives_up_and_the_next_tries_once(store):
    db, warned = store
    calls = []

    def broken():
        calls.append(1)
        raise pymysql.err.OperationalError(2013, "Lost connection to server during query")

    with pytest.raises(JournalDown, match=r"Lost connection to server during query \(2013\)"):
        db.retrying(broken, "record on mcs3")
    assert len(calls) > 1 and len(warned) == 1
    assert "does not answer" in warned[0] and "retrying for up to 0.3s to record on mcs3" in warned[0]
    calls.clear()
    with pytest.raises(JournalDown):
        db.retrying(broken, "record off mcs3")
    assert len(calls) == 1  # gave up before: one try, no wait


def test_a_write_that_comes_back_is_done_and_resets(store):
    db, warned = store
    tries = iter([True, True, False])

    def flaky():
        if next(tries):
            raise pymysql.err.OperationalError(2003, "Can't connect")

    db.retrying(flaky, "record on mcs3")
    assert len(warned) == 1 and db._gave_up is False


def test_the_same_record_has_one_identity():
    r = Record(time=1.0, action="on", server="mcs3", user="a@h", reason="x")
    assert rid_of(r) == rid_of(Record.from_json(r.to_json())) and len(rid_of(r)) == 64
    assert rid_of(r) != rid_of(Record(time=1.0, action="on", server="mcs3", user="a@h", reason="y"))


LOAD_AND_ENCRYPT = """
import sys
from mcsctl.journal.db import load_pymysql
mysql = load_pymysql()
assert "cryptography" not in sys.modules, "imported with PyMySQL"
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
pem = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
salt = b"0123456789abcdefghij"
sealed = mysql._auth.sha2_rsa_encrypt(b"secret", salt, pem)
oaep = padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA1()), algorithm=hashes.SHA1(), label=None)
opened = bytes(b ^ salt[i % len(salt)] for i, b in enumerate(key.decrypt(sealed, oaep)))
print(opened)
"""


def test_pymysql_comes_without_cryptography_and_an_rsa_login_still_gets_it():
    """`cryptography` (~20 ms) is left out of PyMySQL's import; the RSA step of a MySQL sha256/caching_sha2
    login, which a MariaDB server never asks for, still works: it imports it then."""
    p = subprocess.run([sys.executable, "-c", LOAD_AND_ENCRYPT], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stdout == "b'secret\\x00'\n"


def test_the_opportunistic_tls_context_is_unverified_tls_without_the_ca_store():
    """What PyMySQL's default context does (TLS when offered, certificate not checked), minus loading the
    system's CA store (~18 ms per connection), which an unverified context never consults."""
    import ssl

    from mcsctl.journal.db import connection_type

    ctx = connection_type()._create_ssl_ctx(None, {})
    assert ctx.verify_mode == ssl.CERT_NONE and not ctx.check_hostname
    assert ctx.cert_store_stats()["x509"] == 0
    assert ctx.minimum_version >= ssl.TLSVersion.TLSv1_2
