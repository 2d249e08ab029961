"""Property test: a hypothesis state machine drives the model and checks its invariants after each step."""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, multiple, rule

from simulator.clock import VirtualClock
from simulator.model import Cluster, MaxScale, SimError

SERVERS = ["mcs1", "mcs2", "mcs3", "mcs4"]
SCENARIO = {"servers": [{"name": n} for n in SERVERS]}  # mcs1 primary, the rest replicas
KINDS = ["begin", "begin", "commit", "rollback", "read", "write"]
TARGETS = SERVERS + ["<primary>", "<primary>"]  # bias towards the interesting server


class SimMachine(RuleBasedStateMachine):
    profile = "24.02"
    sessions = Bundle("sessions")

    def __init__(self) -> None:
        super().__init__()
        self.clock = VirtualClock(0.0)
        self.ms = MaxScale(Cluster(self.clock), SCENARIO, profile=self.profile)
        original = self.ms._connect

        def checked_connect(session, server):  # no new connection to a server in Maintenance/Drain/Down
            assert self.ms.usable_for_new(server), (server, self.ms.state_string(server))
            original(session, server)

        self.ms._connect = checked_connect
        self.in_trx: set[int] = set()

    # --- helpers ---
    def _track(self) -> None:
        """Every session that vanished inside a transaction must have been reported as lost."""
        alive = set(self.ms.sessions)
        for sid in self.in_trx - alive:
            lost = [e for e in self.ms.events if e["session"] == sid and e["transaction_lost"]]
            assert lost, f"session {sid} vanished inside a transaction without a report"
            if self.profile == "legacy":
                assert any("force" in e["reason"] or "down" in e["reason"] for e in lost), lost
        self.in_trx = {sid for sid, s in self.ms.sessions.items() if s.in_trx}

    # --- rules ---
    @rule(target=sessions, count=st.integers(1, 3), servers=st.none() | st.lists(st.sampled_from(SERVERS), unique=True))
    def open_sessions(self, count, servers):
        try:
            ids = self.ms.open_sessions(count, servers)
        except SimError as err:
            assert err.status == 400
            ids = []
        self._track()
        return multiple(*ids)

    @rule(sid=sessions, kind=st.sampled_from(KINDS))
    def request(self, sid, kind):
        if sid in self.ms.sessions:
            self.ms.request(sid, kind)
        self._track()

    @rule(sid=sessions, kinds=st.lists(st.sampled_from(KINDS), min_size=2, max_size=4))
    def requests(self, sid, kinds):
        for kind in kinds:
            if sid in self.ms.sessions:
                self.ms.request(sid, kind)
            self._track()

    @rule(sid=sessions, force=st.sampled_from([None, "yes"]), after=st.lists(st.sampled_from(KINDS), max_size=3))
    def transaction_meets_primary_maintenance(self, sid, force, after):
        """The procedure's hard case: an open transaction while its primary goes into maintenance."""
        if sid not in self.ms.sessions:
            return
        for kind in ("begin", "write"):
            if sid in self.ms.sessions:
                self.ms.request(sid, kind)
        self._track()
        primary = self.ms.sessions[sid].master if sid in self.ms.sessions else None
        if primary:
            self._set_state(primary, "maintenance", force)
        for kind in after:
            if sid in self.ms.sessions:
                self.ms.request(sid, kind)
            self._track()

    @rule(sid=sessions)
    def close(self, sid):
        if sid in self.ms.sessions:
            self.in_trx.discard(sid)
            self.ms.close_session(sid)

    @rule(
        server=st.sampled_from(TARGETS),
        state=st.sampled_from(["maintenance", "drain", "maint"]),
        force=st.sampled_from([None, "yes", "no"]),
    )
    def set_state(self, server, state, force):
        self._set_state(server, state, force)

    def _set_state(self, server, state, force):
        self.ms.sync()
        if server == "<primary>":
            server = next((n for n in SERVERS if self.ms.is_master(n)), "mcs1")
        mon = self.ms.monitors["MariaDB-Monitor"]
        was_primary = self.ms.is_master(server) and mon.running
        try:
            self.ms.set_state(server, state, force=force)
        except SimError as err:
            assert err.status == 400
            return
        finally:
            self._track()
        if self.profile == "24.02":
            assert not was_primary, "24.02 put the primary of a running monitor into maintenance/drain"
        if force == "yes" and state != "drain":
            assert self.ms.connections(server) == 0, "connections left after force"

    @rule(server=st.sampled_from(SERVERS), state=st.sampled_from(["maintenance", "drain"]))
    def clear_state(self, server, state):
        self.ms.set_state(server, state, clear=True)

    @rule(running=st.booleans())
    def monitor(self, running):
        self.ms.set_monitor_running("MariaDB-Monitor", running)
        self._track()

    @rule(server=st.sampled_from(SERVERS), action=st.sampled_from(["down", "up", "restart"]))
    def fault(self, server, action):
        if action == "restart":
            self.ms.cluster.restart(server, 2.5)
        else:
            self.ms.cluster.set_running(server, action == "up")
        self.ms.sync()
        self._track()

    @rule(seconds=st.sampled_from([0.5, 1.0, 3.0]))
    def advance(self, seconds):
        self.clock.advance(seconds)
        self.ms.sync()
        self._track()

    @rule(new=st.none() | st.sampled_from(SERVERS))
    def switchover(self, new):
        try:
            self.ms.switchover(["MariaDB-Monitor"] + ([new] if new else []))
        except SimError as err:
            assert err.status == 400
        self._track()

    # --- invariants ---
    @invariant()
    def drained_exactly_when_draining_with_zero_connections(self):
        for n in SERVERS:
            words = self.ms.state_string(n).split(", ")
            b = self.ms.views[n].bits
            draining = "drain" in b and "maint" not in b
            assert ("Drained" in words) == (draining and self.ms.connections(n) == 0)
            assert ("Draining" in words) == (draining and self.ms.connections(n) > 0)

    @invariant()
    def maintenance_hides_roles(self):
        for n in SERVERS:
            words = self.ms.state_string(n).split(", ")
            if "Maintenance" in words:
                assert not {"Master", "Slave", "Relay Master", "Draining", "Drained"} & set(words)
            assert words[-1] in ("Running", "Down")

    @invariant()
    def connections_come_from_sessions(self):
        for n in SERVERS:
            assert self.ms.connections(n) == sum(1 for s in self.ms.sessions.values() if n in s.conns)


class LegacyMachine(SimMachine):
    profile = "legacy"


_settings = settings(
    max_examples=60,
    stateful_step_count=30,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestSim2402 = SimMachine.TestCase
TestSim2402.settings = _settings
TestSimLegacy = LegacyMachine.TestCase
TestSimLegacy.settings = _settings
