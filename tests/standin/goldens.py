"""Where the golden captures live and small helpers to read them."""

from __future__ import annotations

import json
from pathlib import Path

from ..golden import GOLDEN  # one place decides where the captures are

VERSIONS = ["2.5", "6.4", "22.08", "23.08", "24.02.3", "24.02"]


def folder(version: str) -> Path:
    return GOLDEN / f"maxctrl-{version}"


def text(version: str, case: str, stream: str) -> str:
    return (folder(version) / f"{case}.{stream}").read_text(encoding="utf-8")


def rc(version: str, case: str) -> int:
    return int((folder(version) / f"{case}.rc").read_text().strip())


def exchanges(version: str, case: str) -> list[dict]:
    return json.loads((folder(version) / f"{case}.http.json").read_text(encoding="utf-8"))


def response_body(exchange: dict):
    """The parsed JSON body of one captured exchange (inline or in responses/)."""
    if exchange.get("response_body_file"):
        path = (folder("24.02") / exchange["response_body_file"]).resolve()
        return json.loads(path.read_text(encoding="utf-8"))
    body = exchange.get("response_body")
    if isinstance(body, str):
        return json.loads(body) if body.strip() else None
    return body


def cases(version: str) -> list[dict]:
    return json.loads((folder(version) / "cases.json").read_text(encoding="utf-8"))["cases"]


def golden_params(skip_all, skip, xfail=None) -> list:
    """pytest params (version, case) for every golden case, minus the skipped, xfail where known."""
    import pytest

    out = []
    for version in VERSIONS:
        for case in cases(version):
            name = case["case"]
            if name in skip_all or (version, name) in skip:
                continue
            why = (xfail or {}).get((version, name)) or (xfail or {}).get(("*", name))
            marks = [pytest.mark.xfail(reason=why, strict=True)] if why else []
            out.append(pytest.param(version, case, id=f"{version}-{name}", marks=marks))
    return out


def substituter(cfgdir, port_map: dict[str, str]):
    """text -> text with the capture's <CFGDIR> and stub ports replaced by this run's."""

    def sub(text: str) -> str:
        text = text.replace("<CFGDIR>", str(cfgdir))
        for old, new in port_map.items():
            text = text.replace(old, new)
        return text

    return sub
