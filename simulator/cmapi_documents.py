"""The JSON answers of the fake CMAPI, field by field and in CMAPI's key order (the reference's §2.1, §2.2),
and the text of a node's Columnstore.xml for `node/config`."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from .cmapi_ops import CmapiFailure

if TYPE_CHECKING:
    from .cmapi_model import CsModel, CsNode, NodeConfig

RELEASES = {"6.4": "6.4.8", "23.10": "23.10.2", "25.x": "25.10.1"}  # example version numbers per profile


def timestamp(t: float) -> str:
    """`str(datetime.now())`: local time, a space, microseconds unless they are exactly 0."""
    return str(datetime.datetime.fromtimestamp(t))


def services(node: CsNode) -> list[dict]:
    """The running processes in process-table (pid) order."""
    return [{"name": p, "pid": pid} for p, pid in sorted(node.running.items(), key=lambda kv: kv[1])]


def node_status(model: CsModel, node: CsNode) -> dict:
    """`GET node/status` on this node."""
    doc: dict = {
        "timestamp": timestamp(model.time),
        "uptime": int(max(0.0, model.time - node.boot_time)),
        "dbrm_mode": "master" if "controllernode" in node.running else "slave",
        "cluster_mode": model.mode(node),
        "dbroots": sorted(str(d) for d in node.cfg.dbroots_of(node.cs_name)),
        "module_id": node.module_file,
        "services": services(node),
    }
    if model.version == "25.x":
        doc["mariadbd_running"] = model.mariadbd_up(node)
    return doc


def dbrm_wait(model: CsModel, node: CsNode) -> float:
    """How long `node/status` waits for the DBRM controller named in the node's config: its 5 s socket
    timeout (times the tick) when that host is down, nothing when it answers or is this node."""
    controller = model.by_cs.get(node.cfg.primary)
    if controller is None or controller is node or controller.host_up:
        return 0.0
    return 5.0 * model.tick


def cluster_status(model: CsModel, node: CsNode) -> dict:
    """`GET cluster/status` from this node: `node/status` of each of its ActiveNodes, sequentially, with
    its own key. Any node that fails fails the whole call."""
    doc: dict = {"timestamp": timestamp(model.time)}
    for name in node.cfg.active:
        peer = model.by_cs.get(name)
        if peer is not None and peer.blackhole:  # no request timeout: it hangs until the connect fails
            raise CmapiFailure(f"Got an error retrieving status from node {name}", model.spec.blackhole_seconds, True)
        if peer is None or not peer.reachable or not _key_accepted(peer, node.api_key):
            raise CmapiFailure(f"Got an error retrieving status from node {name}")
        entry = node_status(model, peer)
        if not entry["services"]:
            entry["dbrm_mode"] = "offline"
            if model.version == "25.x":
                entry["cluster_mode"] = "offline"
        doc[name] = entry
    doc["num_nodes"] = len(node.cfg.active)
    return doc


def _key_accepted(peer: CsNode, key: str | None) -> bool:
    """A peer's key check of a request carrying `key` (an unconfigured peer stores it)."""
    if not key:
        return False
    if peer.api_key is None:
        peer.api_key = key
    return peer.api_key == key


def is_primary(node: CsNode) -> dict:
    """`GET node/primary`: config-based, and a string."""
    return {"is_primary": "True" if node.cfg.primary == node.cs_name else "False"}


def versions(model: CsModel) -> dict:
    release = RELEASES[model.version]
    db = model.cluster.dbs
    server = next((d.version_string for d in db.values()), "")
    return {
        "timestamp": timestamp(model.time),
        "cmapi_version": release,
        "columnstore_version": release,
        "server_version": server.split("-")[0],
    }


def columnstore_xml(model: CsModel, node: CsNode) -> str:
    """A Columnstore.xml with the sections a maintenance tool reads (not the whole real file)."""
    c = node.cfg

    def tag(name: str, value: object) -> str:
        return f"\t<{name}>{escape(str(value))}</{name}>"

    def nodes(name: str, items: list[str]) -> str:
        inner = "".join(f"<Node>{escape(n)}</Node>" for n in items)
        return f"\t<{name}>{inner}</{name}>"

    lines = ['<Columnstore Version="V1.0.0">', tag("ClusterName", c.cluster_name)]
    lines += [nodes("DesiredNodes", c.desired), nodes("ActiveNodes", c.active), nodes("InactiveNodes", c.inactive)]
    lines += [
        tag("PrimaryNode", c.primary),
        tag("ConfigRevision", c.revision),
        tag("Maintenance", str(c.maintenance).lower()),
    ]
    lines.append(f"\t<ClusterManager>{escape(c.modules[0].node if c.modules else '')}</ClusterManager>")
    for section in ("DBRM_Controller", "DMLProc", "DDLProc"):
        lines.append(f"\t<{section}><IPAddr>{escape(c.primary)}</IPAddr></{section}>")
    lines.append("\t<SystemModuleConfig>")
    lines.append(f"\t\t<ModuleCount3>{len(c.modules)}</ModuleCount3>")
    for i, m in enumerate(c.modules, start=1):
        host = m.node  # PrimaryNode is copied from the primary module's ModuleHostName
        addr = model.by_cs[m.node].address if m.node in model.by_cs else m.node
        lines.append(f"\t\t<ModuleHostName{i}-1-3>{escape(host)}</ModuleHostName{i}-1-3>")
        lines.append(f"\t\t<ModuleIPAddr{i}-1-3>{escape(addr)}</ModuleIPAddr{i}-1-3>")
        lines.append(f"\t\t<ModuleDBRootCount{i}-3>{len(m.dbroots)}</ModuleDBRootCount{i}-3>")
        for j, d in enumerate(m.dbroots, start=1):
            lines.append(f"\t\t<ModuleDBRootID{i}-{j}-3>{d}</ModuleDBRootID{i}-{j}-3>")
    lines += ["\t</SystemModuleConfig>", "</Columnstore>", ""]
    return "\n".join(lines)


def sm_config(model: CsModel) -> str:
    service = "S3" if model.spec.storage == "s3" else "LocalStorage"
    return f"[ObjectStorage]\nservice = {service}\n"


def node_config(model: CsModel, node: CsNode) -> dict:
    return {"timestamp": timestamp(model.time), "config": columnstore_xml(model, node), "sm_config": sm_config(model)}


def snapshot(model: CsModel) -> dict:
    """The whole model, for GET /sim/columnstore and tests."""

    def cfg(c: NodeConfig) -> dict:
        return {
            "revision": c.revision,
            "desired": c.desired,
            "active": c.active,
            "inactive": c.inactive,
            "primary": c.primary,
            "maintenance": c.maintenance,
            "modules": [{"node": m.node, "dbroots": m.dbroots} for m in c.modules],
        }

    return {
        "time": model.time,
        "tick": model.tick,
        "version": model.version,
        "storage": model.spec.storage,
        "port": model.spec.port,
        "readonly": model.readonly,
        "nodes": {
            n.name: {
                "cs_name": n.cs_name,
                "address": n.address,
                "host_up": n.host_up,
                "cmapi_up": n.cmapi_up,
                "ready": n.ready,
                "starting": n.starting,
                "failover": n.failover_on,
                "auto_failover": n.auto_failover,
                "standby": n.standby,
                "blackhole": n.blackhole,
                "broken": sorted(n.broken),
                "key_set": n.api_key is not None,
                "services": services(n),
                "module_id": n.module_file,
                "in_transaction": n.txn_until > model.time,
                "config": cfg(n.cfg),
            }
            for n in model.nodes.values()
        },
        "queued": [{"action": a, "node": n, "at": t} for (a, n), t in sorted(model.queued.items())],
        "log": list(model.log),
    }
