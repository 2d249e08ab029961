"""JSON:API documents shaped like MaxScale 24.02's, field by field as a real one answers (simulator/README.md).

Every function takes the model and `base`, the `http://HOST/v1/` prefix built from the request's
Host header, and returns plain dicts. Callers hold the model lock.
"""

from __future__ import annotations

from email.utils import formatdate
from typing import Any

from .model import MaxScale
from .parameters import MAXSCALE_PARAMETERS, MONITOR_PARAMETERS, SERVER_PARAMETERS, SERVICE_PARAMETERS

SOURCE = {"file": "/etc/maxscale.cnf", "type": "static"}
_TIMES = (
    "0.000001",
    "0.000010",
    "0.000100",
    "0.001000",
    "0.010000",
    "0.100000",
    "1.000000",
    "10.000000",
    "100.000000",
    "1000.000000",
    "10000.000000",
    "100000.000000",
)


def http_date(ts: float) -> str:
    return formatdate(max(ts, 0.0), usegmt=True)


def _rel(base: str, owner: str, kind: str, ids: list[str]) -> dict:
    return {
        "data": [{"id": i, "type": kind} for i in ids],
        "links": {"related": f"{base}{kind}/", "self": f"{base}{owner}/relationships/{kind}/"},
    }


def _distribution() -> dict:
    def one(op: str) -> dict:
        return {
            "distribution": [{"count": 0, "time": t, "total": 0.0} for t in _TIMES],
            "operation": op,
            "range_base": 10,
        }

    return {"read": one("read"), "write": one("write")}


# --- servers ---------------------------------------------------------------------------------------


def _slave_connections(ms: MaxScale, name: str) -> list[dict]:
    v = ms.views[name]
    d = ms.cluster.dbs.get(name)
    p = ms.cluster.primary
    if d is None or p is None or "slave" not in v.bits or p.name not in ms.views:
        return []
    pv = ms.views[p.name]
    return [
        {
            "connection_name": "",
            "gtid_io_pos": v.gtid or "",
            "last_io_error": "",
            "last_sql_error": "",
            "master_host": pv.address or pv.socket or "",
            "master_port": pv.port or 0,
            "master_server_id": p.server_id,
            "master_server_name": p.name,
            "seconds_behind_master": d.lag,
            "slave_io_running": "Yes",
            "slave_sql_running": "Yes",
            "using_gtid": d.using_gtid,
        }
    ]


def server_resource(ms: MaxScale, name: str, base: str) -> dict:
    v = ms.views[name]
    d = ms.cluster.dbs.get(name)
    now = ms.clock.now()
    running = "running" in v.bits
    conns = ms.connections(name)
    attrs: dict[str, Any] = {
        "parameters": {**SERVER_PARAMETERS, "address": v.address, "port": v.port, "socket": v.socket},
        "replication_lag": (d.lag if d else 0) if running else -1,
        "source": SOURCE,
        "state": ms.state_string(name),
        "statistics": {
            "active_operations": 0,
            "adaptive_avg_select_time": "0ns",
            "connection_pool_empty": 0,
            "connections": conns,
            "failed_auths": 0,
            "max_connections": v.max_connections,
            "max_pool_size": 0,
            "persistent_connections": 0,
            "response_time_distribution": _distribution(),
            "reused_connections": 0,
            "routed_packets": v.routed_packets,
            "total_connections": v.total_connections,
        },
        "uptime": int(now - d.started_at) if d and running else 0,
        "version_string": d.version_string if d and running else "",
    }
    if v.state_details:
        attrs["state_details"] = v.state_details
    mon = ms.monitors.get(v.monitor or "")
    if mon is not None and mon.module == "mariadbmon" and d is not None:
        p = ms.cluster.primary
        replica = "slave" in v.bits and p is not None
        attrs.update(
            {
                "gtid_binlog_pos": v.gtid,
                "gtid_current_pos": v.gtid,
                "last_event": v.last_event,
                "lock_held": None,
                "master_group": None,
                "master_id": p.server_id if replica and p else -1,
                "name": name,
                "node_id": d.server_id,
                "read_only": False if running else None,
                "server_id": d.server_id,
                "slave_connections": _slave_connections(ms, name),
                "triggered_at": http_date(v.triggered_at),
            }
        )
    rels: dict[str, Any] = {}
    if v.monitor:
        rels["monitors"] = _rel(base, f"servers/{name}", "monitors", [v.monitor])
    if v.services:
        rels["services"] = _rel(base, f"servers/{name}", "services", list(v.services))
    return {
        "attributes": attrs,
        "id": name,
        "links": {"self": f"{base}servers/{name}/"},
        "relationships": rels,
        "type": "servers",
    }


def servers_document(ms: MaxScale, base: str) -> dict:
    return {"data": [server_resource(ms, n, base) for n in ms.views], "links": {"self": f"{base}servers/"}}


def server_document(ms: MaxScale, name: str, base: str) -> dict:
    return {"data": server_resource(ms, name, base), "links": {"self": f"{base}servers/{name}/"}}


# --- monitors --------------------------------------------------------------------------------------


def monitor_resource(ms: MaxScale, name: str, base: str) -> dict:
    mon = ms.monitors[name]
    cs = ms.cluster.columnstore
    members = [n for n, v in ms.views.items() if v.monitor == name]
    master = next((n for n in members if {"master", "running"} <= ms.views[n].bits), None)
    info = []
    for n in members:
        d = ms.cluster.dbs.get(n)
        v = ms.views[n]
        info.append(
            {
                "gtid_binlog_pos": v.gtid,
                "gtid_current_pos": v.gtid,
                "lock_held": None,
                "master_group": None,
                "name": n,
                "read_only": False if "running" in v.bits else None,
                "server_id": d.server_id if d else 0,
                "slave_connections": _slave_connections(ms, n),
            }
        )
    attrs = {
        "module": mon.module,
        "monitor_diagnostics": {
            "master": master,
            "master_gtid_domain_id": 0,
            "primary": None,
            "server_info": info,
            "state": "Idle",
        },
        "parameters": {
            **MONITOR_PARAMETERS,
            **(cs.spec.monitor_parameters() if cs is not None and mon.module == "mariadbmon" else {}),
            "module": mon.module,
            "monitor_interval": f"{int(round(mon.interval * 1000))}ms",
        },
        "source": SOURCE,
        "state": "Running" if mon.running else "Stopped",
        "ticks": mon.ticks,
    }
    return {
        "attributes": attrs,
        "id": name,
        "links": {"self": f"{base}monitors/{name}/"},
        "relationships": {"servers": _rel(base, f"monitors/{name}", "servers", members)},
        "type": "monitors",
    }


def monitors_document(ms: MaxScale, base: str) -> dict:
    return {"data": [monitor_resource(ms, n, base) for n in ms.monitors], "links": {"self": f"{base}monitors/"}}


def monitor_document(ms: MaxScale, name: str, base: str) -> dict:
    return {"data": monitor_resource(ms, name, base), "links": {"self": f"{base}monitors/{name}/"}}


# --- services --------------------------------------------------------------------------------------


def _db_user(user: str, host: str, super_priv: bool) -> dict:
    return {
        "default_role": "",
        "global_priv": super_priv,
        "host": host,
        "plugin": "mysql_native_password",
        "proxy_priv": False,
        "ssl": False,
        "super_priv": super_priv,
        "user": user,
    }


def service_resource(ms: MaxScale, name: str, base: str) -> dict:
    spec = ms.services[name]
    members = [n for n, v in ms.views.items() if name in v.services]
    current = sum(1 for s in ms.sessions.values() if s.service == name)
    listeners = []
    if spec.listener:
        listeners.append(
            {
                "attributes": {
                    "parameters": {
                        "MariaDBProtocol": {"allow_replication": True},
                        "address": "127.0.0.1",
                        "authenticator": None,
                        "authenticator_options": None,
                        "connection_init_sql_file": None,
                        "connection_metadata": [
                            "character_set_client=auto",
                            "character_set_connection=auto",
                            "character_set_results=auto",
                            "max_allowed_packet=auto",
                            "system_time_zone=auto",
                            "time_zone=auto",
                            "tx_isolation=auto",
                            "maxscale=auto",
                        ],
                        "port": spec.listener_port,
                        "protocol": "MariaDBProtocol",
                        "proxy_protocol_networks": None,
                        "service": name,
                        "socket": None,
                        "sql_mode": "default",
                        "ssl": False,
                        "ssl_ca": None,
                        "ssl_cert": None,
                        "ssl_cert_verify_depth": 9,
                        "ssl_cipher": None,
                        "ssl_crl": None,
                        "ssl_key": None,
                        "ssl_verify_peer_certificate": False,
                        "ssl_verify_peer_host": False,
                        "ssl_version": "MAX",
                        "type": "listener",
                        "user_mapping_file": None,
                    },
                    "source": SOURCE,
                    "state": "Running",
                },
                "id": spec.listener,
                "relationships": {"services": _rel(base, f"listeners/{spec.listener}", "services", [name])},
                "type": "listeners",
            }
        )
    attrs = {
        "connections": current,
        "listeners": listeners,
        "parameters": {**SERVICE_PARAMETERS, "router": spec.router},
        "router": spec.router,
        "router_diagnostics": {
            "queries": 0,
            "replayed_transactions": 0,
            "ro_transactions": 0,
            "route_all": 0,
            "route_master": 0,
            "route_slave": 0,
            "rw_transactions": 0,
            "server_query_statistics": [],
            "trx_max_size_exceeded": 0,
        },
        "source": SOURCE,
        "started": http_date(ms.started_at),
        "state": "Started",
        "statistics": {
            "active_operations": 0,
            "avg_sescmd_history_length": 0.0,
            "avg_session_lifetime": 0.0,
            "connections": current,
            "failed_auths": 0,
            "max_connections": 0,
            "max_sescmd_history_length": 0,
            "max_session_lifetime": 0,
            "routed_packets": 0,
            "total_connections": ms.next_session_id - 1,
        },
        "total_connections": ms.next_session_id - 1,
        "users": [_db_user(u, "%", False) for u in sorted({"app", *(s.user for s in ms.sessions.values())})]
        + [_db_user("maxuser", "%", True)],
        "users_last_update": http_date(ms.started_at),
    }
    rels = {"servers": _rel(base, f"services/{name}", "servers", members)}
    if spec.listener:
        rels["listeners"] = _rel(base, f"services/{name}", "listeners", [spec.listener])
    return {
        "attributes": attrs,
        "id": name,
        "links": {"self": f"{base}services/{name}/"},
        "relationships": rels,
        "type": "services",
    }


def services_document(ms: MaxScale, base: str) -> dict:
    return {"data": [service_resource(ms, n, base) for n in ms.services], "links": {"self": f"{base}services/"}}


def service_document(ms: MaxScale, name: str, base: str) -> dict:
    return {"data": service_resource(ms, name, base), "links": {"self": f"{base}services/{name}/"}}


# --- sessions --------------------------------------------------------------------------------------


def session_resource(ms: MaxScale, sid: int, base: str) -> dict:
    s = ms.sessions[sid]
    now = ms.clock.now()
    backends = {n: {"misc": 662, "readq": 0, "total": 662, "writeq": 0} for n in s.conns}
    client = {"misc": 654, "readq": 65536, "total": 66190, "writeq": 0}
    buffers = 66190 + 662 * len(s.conns)
    attrs = {
        "client": {
            "cipher": "",
            "connection_attributes": {},
            "sescmd_history_len": 0,
            "sescmd_history_stored_metadata": 0,
            "sescmd_history_stored_responses": 0,
        },
        "connected": http_date(s.connected),
        "connections": [{"cipher": "", "connection_id": cid, "server": n} for n, cid in s.conns.items()],
        "idle": round(max(0.0, now - s.last_active), 1),
        "io_activity": s.requests,
        "log": [],
        "memory": {
            "connection_buffers": {"backends": backends, "client": client, "total": buffers},
            "exec_metadata": 0,
            "last_queries": 0,
            "sescmd_history": 0,
            "total": buffers,
            "variables": 0,
        },
        "parameters": {"log_error": False, "log_info": False, "log_notice": False, "log_warning": False},
        "port": 40000 + sid % 20000,
        "queries": [],
        "remote": s.remote,
        "seconds_alive": max(0.0, now - s.connected),
        "state": "Session started",
        "thread": 0,
        "user": s.user,
    }
    rels = {"services": _rel(base, f"sessions/{sid}", "services", [s.service])} if s.service else {}
    return {
        "attributes": attrs,
        "id": str(sid),
        "links": {"self": f"{base}sessions/{sid}/"},
        "relationships": rels,
        "type": "sessions",
    }


def sessions_document(ms: MaxScale, base: str) -> dict:
    return {"data": [session_resource(ms, i, base) for i in ms.sessions], "links": {"self": f"{base}sessions/"}}


def session_document(ms: MaxScale, sid: int, base: str) -> dict:
    return {"data": session_resource(ms, sid, base), "links": {"self": f"{base}sessions/{sid}/"}}


# --- maxscale and modules --------------------------------------------------------------------------


def _config_sync(ms: MaxScale) -> dict | None:
    """`config_sync` of /v1/maxscale: null unless configuration synchronization is on."""
    if not ms.sync_cluster:
        return None
    peers = [m for m in ms.cluster.instances if m.sync_cluster == ms.sync_cluster]
    return {
        "checksum": f"{ms.sync_version:040x}",
        "nodes": {m.name: "OK" for m in peers},
        "origin": ms.name,
        "status": "OK",
        "version": ms.sync_version,
    }


def maxscale_document(ms: MaxScale, base: str, port: int | None = None) -> dict:
    now = ms.clock.now()
    attrs = {
        "activated_at": http_date(ms.started_at),
        "commit": "maxscale-sim",
        "config_sync": _config_sync(ms),
        "parameters": {**MAXSCALE_PARAMETERS, "admin_port": port or 8989, "config_sync_cluster": ms.sync_cluster},
        "process_datadir": "/var/lib/maxscale/data",
        "started_at": http_date(ms.started_at),
        "system": {
            "machine": {
                "cores_available": 2,
                "cores_physical": 2,
                "cores_virtual": 2.0,
                "memory_available": 8589934592,
                "memory_physical": 8589934592,
            },
            "maxscale": {"query_classifier_cache_size": 1288490188, "threads": 2},
            "os": {"machine": "x86_64", "nodename": "maxscale-sim", "release": "", "sysname": "Linux", "version": ""},
        },
        "uptime": int(max(0.0, now - ms.started_at)),
        "version": ms.version,
    }
    return {"data": {"attributes": attrs, "id": "maxscale", "type": "maxscale"}, "links": {"self": f"{base}maxscale/"}}


_SWITCH_PARAMS = [
    {"description": "Monitor name", "required": True, "type": "MONITOR"},
    {"description": "New primary (optional)", "required": False, "type": "SERVER"},
    {"description": "Current primary (optional)", "required": False, "type": "SERVER"},
]
_COMMANDS = [
    ("switchover", "Switch primary server with replica", "POST"),
    ("async-switchover", "Schedule primary switchover. Does not wait for completion.", "POST"),
    ("fetch-cmd-result", "Fetch result of the last scheduled command.", "GET"),
]


def module_commands(ms: MaxScale) -> list[tuple[str, str, str]]:
    cmds = list(_COMMANDS)
    if ms.release.switchover_force:
        cmds.append(("switchover-force", "Switch primary server with replica. Ignore most errors.", "POST"))
    return cmds


def mariadbmon_module_document(ms: MaxScale, base: str) -> dict:
    commands = [
        {
            "attributes": {
                "arg_max": 3,
                "arg_min": 1,
                "description": desc,
                "method": method,
                "parameters": _SWITCH_PARAMS,
            },
            "id": cid,
            "links": {"self": f"{base}modules/mariadbmon/{cid}/"},
            "type": "module_command",
        }
        for cid, desc, method in module_commands(ms)
    ]
    data = {
        "attributes": {
            "api": "monitor",
            "commands": commands,
            "description": "A MariaDB Primary/Replica replication monitor",
            "maturity": "GA",
            "module_type": "Monitor",
            "parameters": [],
            "version": "V1.5.0",
        },
        "id": "mariadbmon",
        "links": {"self": f"{base}maxscale/modules/mariadbmon/"},
        "type": "module",
    }
    return {"data": data, "links": {"self": f"{base}maxscale/modules/mariadbmon/"}}
