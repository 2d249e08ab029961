"""Helpers for the simulator's own tests: golden files and document comparison."""

from __future__ import annotations

import json
import re

from ..golden import GOLDEN

REAL = GOLDEN / "real-24.02"
RESPONSES = GOLDEN / "responses"
DATE = re.compile(r"^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$")
# Values that differ on every run of a real system: clocks, counters, ids, ports.
VOLATILE = {
    "triggered_at",
    "uptime",
    "ticks",
    "started",
    "started_at",
    "activated_at",
    "connected",
    "users_last_update",
    "seconds_alive",
    "idle",
    "connection_id",
    "io_activity",
    "memory",
    "client",
    "system",
    "process_datadir",
    "commit",
    "admin_port",
    "users",
}


def real_body(case: str) -> dict:
    return json.loads((REAL / f"{case}.body").read_text())


def real_meta(case: str) -> dict:
    return json.loads((REAL / f"{case}.rest.json").read_text())


def response_doc(name: str) -> dict:
    return json.loads((RESPONSES / name).read_text())


def normalize(doc, port_from: str = "", port_to: str = ""):
    """Drop volatile values and rewrite links to a common host."""
    if isinstance(doc, dict):
        return {k: ("<volatile>" if k in VOLATILE else normalize(v, port_from, port_to)) for k, v in doc.items()}
    if isinstance(doc, list):
        return [normalize(v, port_from, port_to) for v in doc]
    if isinstance(doc, str):
        doc = re.sub(r"^http://[^/]+/", "http://HOST/", doc)
        return doc
    return doc


def differences(expected, got, path: str = "") -> list[str]:
    """Field-by-field differences, as readable paths (an empty list means equal)."""
    out: list[str] = []
    if type(expected) is not type(got):
        return [f"{path}: type {type(expected).__name__} != {type(got).__name__} ({got!r:.80})"]
    if isinstance(expected, dict):
        for k in sorted(set(expected) | set(got)):
            if k not in got:
                out.append(f"{path}/{k}: missing")
            elif k not in expected:
                out.append(f"{path}/{k}: unexpected")
            else:
                out += differences(expected[k], got[k], f"{path}/{k}")
    elif isinstance(expected, list):
        if len(expected) != len(got):
            out.append(f"{path}: {len(expected)} items expected, got {len(got)}")
        for i, (a, b) in enumerate(zip(expected, got, strict=False)):
            out += differences(a, b, f"{path}[{i}]")
    elif expected != got:
        out.append(f"{path}: {expected!r} != {got!r}")
    return out


def assert_same_document(expected: dict, got: dict) -> None:
    diffs = differences(normalize(expected), normalize(got))
    assert not diffs, "\n".join(diffs[:40])


def real_raw(case: str) -> bytes:
    return (REAL / f"{case}.body").read_bytes()
