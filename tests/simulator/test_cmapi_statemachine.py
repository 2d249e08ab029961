"""Property test: a hypothesis state machine drives the CMAPI model (reboots, power, processes, node and
cluster endpoints, switchovers, time) and checks its invariants after each step; at the end, with every
host up and ColumnStore started, the cluster must settle to one consistent configuration."""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from simulator.cmapi_model import PRIMARY_PROGS, CsError

from .cmapihelpers import World

NODES = ["mcs1", "mcs2", "mcs3", "mcs4"]
REPLICA_PROGS = ["workernode", "PrimProc", "WriteEngineServer"]


class CmapiMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.w = World(NODES, tick=1.0)

    # --- rules ---
    @rule(node=st.sampled_from(NODES), seconds=st.sampled_from([0, 5, 20, 40, 90]))
    def reboot(self, node, seconds):
        self.w.ms.cluster.restart(node, seconds)

    @rule(node=st.sampled_from(NODES), up=st.booleans())
    def power(self, node, up):
        self.w.cs.power(node, up)

    @rule(node=st.sampled_from(NODES), progs=st.lists(st.sampled_from(REPLICA_PROGS), min_size=1, unique=True))
    def kill(self, node, progs):
        self.w.cs.set_processes(node, progs, [])

    @rule(node=st.sampled_from(NODES), progs=st.lists(st.sampled_from(REPLICA_PROGS), min_size=1, unique=True))
    def start(self, node, progs):
        try:
            self.w.cs.set_processes(node, [], progs)
        except CsError as exc:
            assert "is down" in str(exc)

    @rule(
        node=st.sampled_from(NODES),
        path=st.sampled_from(["node/start", "node/shutdown", "cluster/start", "cluster/shutdown"]),
    )
    def endpoint(self, node, path):
        if not self.w.cs.node(node).reachable:
            return
        st_, doc = self.w.call(node, "PUT", path, {"timeout": 10})
        assert st_ in (200, 422), (st_, doc)
        assert list(doc) == (["timestamp"] if st_ == 200 else ["error"])

    @rule(node=st.sampled_from(NODES), mode=st.sampled_from(["readonly", "readwrite"]))
    def mode_set(self, node, mode):
        if self.w.cs.node(node).reachable:
            assert self.w.call(node, "PUT", "cluster/mode-set", {"mode": mode})[0] in (200, 422)

    @rule(node=st.sampled_from(NODES))
    def switchover(self, node):
        try:
            self.w.ms.switchover(["MariaDB-Monitor", node])
        except Exception:  # noqa: BLE001 - refusals (down, already primary) are fine here
            pass

    @rule(seconds=st.sampled_from([0.5, 1, 3, 5, 10, 33, 60]))
    def advance(self, seconds):
        self.w.advance(seconds)

    # --- invariants ---
    @invariant()
    def nodes_are_consistent(self):
        cs = self.w.cs
        self.w.ms.sync()
        for n in cs.nodes.values():
            assert set(n.running) <= set(cs.installed())
            if not n.host_up:
                assert not n.running and not n.ready and not n.failover_on and not n.reachable
            if n.failover_on:
                assert n.auto_failover and not n.cfg.maintenance and n.host_up
            c = n.cfg
            assert len(set(c.active)) == len(c.active) and not set(c.active) & set(c.inactive)
            assert set(c.active) | set(c.inactive) <= set(c.desired)
            assert [m.node for m in c.modules] == c.active
            owned = [d for m in c.modules for d in m.dbroots]
            assert sorted(owned) == sorted(c.dbroot_ids) and len(owned) == len(set(owned))
            primary = next(m for m in c.modules if 1 in m.dbroots)
            assert primary.dbroots[0] == 1 and c.primary == primary.node
            if set(PRIMARY_PROGS) & set(n.running):
                assert c.primary == n.cs_name  # only where the node's own config says primary
            # no revision check: a cluster call sent to a node with a stale copy pushes that copy (its own
            # revision + 1) to every node it lists, older than theirs; the reference does not say CMAPI refuses it

    @invariant()
    def documents_are_well_formed(self):
        w = self.w
        for name, n in w.cs.nodes.items():
            if not n.reachable:
                continue
            doc = w.node_status(name)
            assert doc["dbrm_mode"] == ("master" if "controllernode" in n.running else "slave")
            assert doc["cluster_mode"] in ("readonly", "readwrite")
            st_, cluster = w.status(name)
            if st_ == 200:
                assert cluster["num_nodes"] == len(n.cfg.active) == len(cluster) - 2
            else:
                assert st_ == 422 and cluster["error"].startswith("Got an error retrieving status from node ")

    def teardown(self):
        """Everything up and started: the cluster settles to one configuration with one master."""
        w = self.w
        for name in NODES:
            w.cs.power(name, True)
        w.advance(400)  # start-up waits, failover actions and their transactions run out
        for name in NODES:
            if w.cs.node(name).cfg.maintenance:
                w.call(name, "PUT", "node/start")
        w.advance(400)
        first = w.cs.node("mcs1")
        assert w.call("mcs1", "PUT", "cluster/start")[0] == 200, w.cs.snapshot()
        w.advance(100)
        nodes = list(w.cs.nodes.values())
        assert all(n.cfg.active == first.cfg.active and n.cfg.revision == first.cfg.revision for n in nodes)
        assert sorted(first.cfg.active) == sorted(first.cfg.desired)
        masters = [n for n in nodes if "controllernode" in n.running]
        assert len(masters) == 1 and masters[0].cs_name == first.cfg.primary
        for n in nodes:
            assert list(n.running) == w.cs.role_set(n)


TestCmapiMachine = CmapiMachine.TestCase
TestCmapiMachine.settings = settings(
    max_examples=80, stateful_step_count=30, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
