"""What mcsctl reads from a node's `node/config` (reference §2): the node lists, revision, primary, storage.

Pure parsing. The document holds the CrossEngine user's password: only the fields below are kept.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from .dataclass_lite import dataclass, field


@dataclass(frozen=True)
class CsConfig:
    """The cluster as one node's Columnstore.xml says it (copies can be stale: compare revisions)."""

    revision: int | None = None
    primary: str | None = None  # PrimaryNode (the dbroot-1 owner, the DBRM controller)
    desired: tuple[str, ...] = ()
    active: tuple[str, ...] = ()
    inactive: tuple[str, ...] = ()
    maintenance: bool | None = None
    storage: str | None = None  # `S3` or `LocalStorage` (storagemanager.cnf [ObjectStorage] service)
    aliases: dict[str, str] = field(default_factory=dict)  # ModuleHostName <-> ModuleIPAddr, both ways

    def names(self, *ids: str | None) -> set[str]:
        """The names and addresses a node goes by (its own plus the module table's other spelling)."""
        out = {i for i in ids if i}
        return out | {self.aliases[i] for i in out if i in self.aliases}

    def is_active(self, *ids: str | None) -> bool | None:
        """Whether the node (by any of `ids`) is in ActiveNodes; None when the config lists no nodes."""
        if not self.active and not self.inactive:
            return None
        names = self.names(*ids)
        if names & set(self.inactive):
            return False
        return bool(names & set(self.active))


def _nodes(root: ET.Element, tag: str) -> tuple[str, ...]:
    el = root.find(f".//{tag}")
    if el is None:
        return ()
    return tuple((n.text or "").strip() for n in el if (n.text or "").strip())


def _text(root: ET.Element, tag: str) -> str | None:
    el = root.find(f".//{tag}")
    return (el.text or "").strip() if el is not None and el.text else None


def _aliases(root: ET.Element) -> dict[str, str]:
    smc = root.find(".//SystemModuleConfig")
    if smc is None:
        return {}
    values = {el.tag: (el.text or "").strip() for el in smc}
    out: dict[str, str] = {}
    for tag, ip in values.items():
        m = re.fullmatch(r"ModuleIPAddr(\d+)-1-3", tag)
        host = values.get(f"ModuleHostName{m.group(1)}-1-3") if m else None
        if m and ip and host:
            out[ip], out[host] = host, ip
    return out


def storage_of(sm_config: str | None) -> str | None:
    """`S3` or `LocalStorage` from storagemanager.cnf's [ObjectStorage] `service`, None when not given."""
    if not sm_config:
        return None
    section = ""
    for line in sm_config.splitlines():
        line = line.strip()
        if line.startswith("["):
            section = line.strip("[]").strip()
        elif section == "ObjectStorage" and "=" in line and line.split("=", 1)[0].strip() == "service":
            return line.split("=", 1)[1].strip() or None
    return None


def parse_config(doc: dict[str, object]) -> CsConfig:
    """The fields of a `node/config` answer; an unparsable Columnstore.xml gives an empty CsConfig."""
    text = doc.get("config")
    sm = doc.get("sm_config")
    storage = storage_of(sm if isinstance(sm, str) else None)
    if not isinstance(text, str):
        return CsConfig(storage=storage)
    try:
        root = ET.fromstring(text)
    except ET.ParseError:
        return CsConfig(storage=storage)
    rev = _text(root, "ConfigRevision")
    maint = _text(root, "Maintenance")
    return CsConfig(
        revision=int(rev) if rev and rev.isdigit() else None,
        primary=_text(root, "PrimaryNode"),
        desired=_nodes(root, "DesiredNodes"),
        active=_nodes(root, "ActiveNodes"),
        inactive=_nodes(root, "InactiveNodes"),
        maintenance=None if maint is None else maint.lower() == "true",
        storage=storage,
        aliases=_aliases(root),
    )
