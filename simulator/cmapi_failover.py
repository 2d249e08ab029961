"""CMAPI's failover and start-up (mixed into simulator.cmapi_model.CsModel): the heartbeat's decisions,
deactivation and reactivation, the dbroot rebalance that picks the ColumnStore primary, the config push
that restarts ColumnStore on every receiving node, standby, and the start-up sequence up to `ready`.

Timings are the reference's §5.7 times `tick`: 33 silent (or good) heartbeat ticks before a decision,
the agent's 5 s queue poll, the 30 s search for a new primary, the 10 s config-fetch retry, the 40 s
start-up wait. The heartbeat itself is not stepped tick by tick: each decision's time is computed from
when the peer's responder went silent (or started) and when the observer's own history began.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .cmapi_model import CsNode, Module, NodeConfig

HEARTBEAT_TICKS = 33  # 30 samples + 3 ticks of lateness grace
QUEUE_POLL = 5.0
PRIMARY_SEARCH = 30.0
FETCH_RETRY = 10.0
STARTUP_WAIT = 40.0


class Failover:
    nodes: dict[str, CsNode]
    by_cs: dict[str, CsNode]
    tick: float
    time: float
    queued: dict[tuple[str, str], float]

    if TYPE_CHECKING:

        def at(self, t: float, fn: Any) -> None: ...
        def note(self, node: CsNode | None, text: str) -> None: ...
        def stop_all(self, node: CsNode) -> None: ...
        def start_role_set(self, node: CsNode, staged: bool) -> None: ...
        def role_set(self, node: CsNode) -> list[str]: ...
        def new_primary(self, node: CsNode) -> bool | None: ...

    # --- the failover thread ---
    def start_failover(self, node: CsNode) -> None:
        if node.failover_on or not node.auto_failover or node.cfg.maintenance or not node.reachable:
            return
        node.failover_on, node.failover_since = True, self.time

    def stop_failover(self, node: CsNode) -> None:
        if node.failover_on:
            node.failover_on, node.silent_since = False, self.time

    def _answers(self, cs_name: str) -> bool:
        peer = self.by_cs.get(cs_name)
        return peer is not None and peer.answering

    # --- the heartbeat's decisions ---
    def next_detection(self) -> tuple[float, str, str, str] | None:
        """The earliest (time, action, actor, peer) a node's monitor would decide, if any."""
        best: tuple[float, str, str, str] | None = None
        window = HEARTBEAT_TICKS * self.tick
        for x in self.nodes.values():
            if not x.answering or x.cs_name not in x.cfg.active:
                continue
            effective = sorted(n for n in x.cfg.active if n == x.cs_name or self._answers(n))
            if effective[0] != x.cs_name:  # only the first of the effectively active nodes acts
                continue
            found: list[tuple[float, str, str, str]] = []
            for n in x.cfg.active:
                if n == x.cs_name or self._answers(n) or len(x.cfg.active) < 2 or ("deactivate", n) in self.queued:
                    continue
                peer = self.by_cs.get(n)
                since = peer.silent_since if peer else -math.inf
                found.append((max(since, x.failover_since) + window, "deactivate", x.name, n))
            for n in x.cfg.inactive:
                if self._answers(n) and ("activate", n) not in self.queued:
                    since = self.by_cs[n].failover_since
                    found.append((max(since, x.failover_since) + window, "activate", x.name, n))
            for cand in found:
                cand = (max(cand[0], self.time), *cand[1:])
                if best is None or cand < best:
                    best = cand
        return best

    def queue_action(self, action: str, actor: str, peer: str) -> None:
        """The monitor queues the event; the agent thread picks it up at its next 5 s poll."""
        x = self.nodes[actor]
        poll = QUEUE_POLL * self.tick
        te = x.failover_since + math.ceil((self.time - x.failover_since) / poll - 1e-9) * poll
        self.queued[(action, peer)] = te
        self.note(x, f"failover: {action} {peer} queued")
        self.at(te, lambda: self._run_action(action, actor, peer))

    def _still_valid(self, action: str, x: CsNode, peer: str) -> bool:
        if not x.answering:
            return False
        if action == "deactivate":
            return peer in x.cfg.active and not self._answers(peer) and len(x.cfg.active) > 1
        return peer in x.cfg.inactive and self._answers(peer)

    def _run_action(self, action: str, actor: str, peer: str) -> None:
        x = self.nodes[actor]
        if not self._still_valid(action, x, peer):
            self.queued.pop((action, peer), None)
            self.note(x, f"failover: {action} {peer} dropped (no longer needed)")
            return
        if action == "deactivate":  # the other silent nodes are optional (their own events remove them)
            members = [n for n in x.cfg.active if n != peer and n in self.by_cs and self.by_cs[n].reachable]
        else:
            members = [*x.cfg.active, peer]
        if not self.begin(members):
            self.queued[(action, peer)] = self.time + QUEUE_POLL * self.tick
            self.at(self.time + QUEUE_POLL * self.tick, lambda: self._run_action(action, actor, peer))
            return
        cfg = self._edited(x.cfg, action, peer)
        if self._primary_candidate(cfg.modules) is None:  # nobody answers new_primary true: 30 s of polling
            self.note(x, "failover: no node answers new_primary true; waiting for the search to give up")
            self.hold(members, PRIMARY_SEARCH * self.tick)
            self.at(self.time + PRIMARY_SEARCH * self.tick, lambda: self._commit(action, actor, peer))
        else:
            self._commit(action, actor, peer)

    def _commit(self, action: str, actor: str, peer: str) -> None:
        self.queued.pop((action, peer), None)
        x = self.nodes[actor]
        cfg = self._edited(x.cfg, action, peer)
        self.rebalance(cfg)
        cfg.revision = x.cfg.revision + 1
        self.note(x, f"failover: {action}d {peer}; primary {cfg.primary}, revision {cfg.revision}")
        self.push(cfg, list(cfg.active))

    @staticmethod
    def _edited(base: NodeConfig, action: str, peer: str) -> NodeConfig:
        from .cmapi_model import Module

        cfg = base.copy()
        if action == "deactivate":
            cfg.active.remove(peer)
            cfg.inactive.append(peer)
            cfg.modules = [m for m in cfg.modules if m.node != peer]
        else:
            cfg.inactive.remove(peer)
            cfg.active.append(peer)
            cfg.modules.append(Module(peer, []))
        return cfg

    # --- transactions ---
    def begin(self, members: list[str]) -> bool:
        """Take a CMAPI transaction on these nodes: all must answer and none be inside another one."""
        nodes = [self.by_cs.get(n) for n in members]
        return all(n is not None and n.reachable and n.txn_until <= self.time for n in nodes)

    def hold(self, members: list[str], seconds: float) -> None:
        for n in members:
            node = self.by_cs.get(n)
            if node is not None:
                node.txn_until = max(node.txn_until, self.time + seconds)

    # --- the rebalance: who owns which dbroot, and so who is primary ---
    def _primary_candidate(self, modules: list[Module]) -> Module | None:
        """The first module (in module order) whose mariadbd has no replication threads."""
        return next((m for m in modules if m.node in self.by_cs and self.new_primary(self.by_cs[m.node])), None)

    def rebalance(self, cfg: NodeConfig) -> None:
        mods = cfg.modules
        if not mods:
            return
        assigned = {d for m in mods for d in m.dbroots}
        for m in mods:
            m.dbroots = [d for d in m.dbroots if d != 1]

        def emptiest() -> Module:
            return min(mods, key=lambda m: (len(m.dbroots), mods.index(m)))

        pick = self._primary_candidate(mods) or emptiest()
        pick.dbroots.insert(0, 1)
        for d in sorted(set(cfg.dbroot_ids) - assigned - {1}):
            emptiest().dbroots.append(d)
        while True:
            sizes = [len(m.dbroots) for m in mods]
            if max(sizes) - min(sizes) <= 1:
                break
            mods[sizes.index(min(sizes))].dbroots.append(mods[sizes.index(max(sizes))].dbroots.pop())
        cfg.primary = pick.node

    # --- the config push ---
    def push(self, cfg: NodeConfig, targets: list[str], hold: bool = True) -> None:
        """`broadcast_new_config`: every reachable target writes the config and restarts ColumnStore.
        `hold`: the transaction lasts while the targets restart (the failover agent's pushes; an endpoint's
        call returns once committed, so its transaction is over when the client sees the answer)."""
        ratio = len(cfg.active) / max(1, len(cfg.desired))
        standby = len(cfg.desired) > 1 and ratio <= 0.5 and not cfg.maintenance
        for n in targets:
            node = self.by_cs.get(n)
            if node is None or not node.reachable:
                continue
            node.standby = standby and n in cfg.active
            if node.standby:
                need = len(cfg.desired) // 2 + 1
                self.note(
                    node,
                    f"Only {len(cfg.active)} out of {len(cfg.desired)} nodes are active.  At least {need} are "
                    "required.  Entering standby mode to protect the system.",
                )
            self.apply_config(node, cfg, start=not node.standby)
            if hold:
                self.hold([n], (3 + len(self.role_set(node))) * self.tick)

    def apply_config(self, node: CsNode, cfg: NodeConfig, start: bool = True) -> None:
        """`PUT node/config` on one node: write, stop everything, then failover and the role set."""
        node.cfg = cfg.copy()
        node.module_file = cfg.module_of(node.cs_name) or node.module_file
        self.stop_all(node)
        if cfg.maintenance:
            self.stop_failover(node)
            return
        if node.starting == "wait":  # the start-up wait ends when the local config changes
            self.finish_startup(node)
        self.start_failover(node)
        if start and node.cs_name in cfg.active:
            self.start_role_set(node, staged=True)

    # --- start-up: boot, config sync, the 40 s wait, ready ---
    def boot(self, node: CsNode) -> None:
        node.host_up, node.boot_time = True, self.time
        self.note(node, "host up")
        self.start_cmapi(node)

    def start_cmapi(self, node: CsNode) -> None:
        """CMAPI starts: not ready until the config sync and the wait are over. No process starts."""
        node.cmapi_up, node.ready, node.starting = True, False, "sync"
        self._startup_sync(node, node.boot_gen)

    def _startup_sync(self, node: CsNode, gen: int) -> None:
        if gen != node.boot_gen:
            return
        if node.cfg.maintenance:
            self.note(node, "In maintenance state, not syncing config from other nodes.")
            self._startup_wait(node)
            return
        others = [self.by_cs.get(n) for n in node.cfg.desired if n != node.cs_name]
        peers = [p for p in others if p is not None and p.reachable and p.cfg.cluster_name == node.cfg.cluster_name]
        if others and not peers:  # retried every 10 s without limit
            self.at(self.time + FETCH_RETRY * self.tick, lambda: self._startup_sync(node, gen))
            return
        best = max(peers, key=lambda p: p.cfg.revision, default=None)
        if best is not None and best.cfg.revision > node.cfg.revision:
            node.cfg = best.cfg.copy()  # applied without a restart
            node.module_file = node.cfg.module_of(node.cs_name) or node.module_file
        self._startup_wait(node)

    def _startup_wait(self, node: CsNode) -> None:
        if len(node.cfg.desired) > 1 and node.cs_name in node.cfg.active:
            node.starting = "wait"
            gen = node.boot_gen
            self.at(
                self.time + STARTUP_WAIT * self.tick,
                lambda: gen == node.boot_gen and node.starting == "wait" and self.finish_startup(node),
            )
        else:
            self.finish_startup(node)

    def finish_startup(self, node: CsNode) -> None:
        node.starting = ""
        self.start_failover(node)
        node.ready = True
        self.note(node, "CMAPI ready")
