"""Both backends, against a stand-in MaxScale that answers badly: one line and exit 3, never a hang or a guess."""

from __future__ import annotations

import pytest

from .fakehttp import FakeMaxScale


def server(name: str, state, **attrs) -> dict:
    return {
        "id": name,
        "type": "servers",
        "attributes": {"state": state, "parameters": {"address": "127.0.0.1", "port": 3306}, **attrs},
        "relationships": {"monitors": {"data": [{"id": "mon", "type": "monitors"}]}},
    }


@pytest.fixture
def fake_maxscale():
    made: list[FakeMaxScale] = []

    def make(**kw) -> FakeMaxScale:
        made.append(FakeMaxScale(**kw))
        return made[-1]

    yield make
    for f in made:
        f.stop()


@pytest.mark.parametrize("state", [None, "", "Slave", 7])
def test_a_malformed_server_document_is_bad_output_on_both_backends(mcsctl, fake_maxscale, state):
    """`"state": null` used to print an empty row (REST) and `maintenance on` then "drained" for a minute."""
    fake = fake_maxscale(
        documents={"/v1/servers": {"data": [server("mcs1", "Master, Running"), server("mcs3", state)]}}
    )
    r = mcsctl("servers", hosts=[fake.host])
    assert r.rc == 3, (r.out, r.err)
    assert r.out == ""
    assert r.err.count("\n") == 1 and r.err.startswith(f"mcsctl: error: {fake.host}: "), r.err
    assert "mcs3" in r.err
    r = mcsctl("maintenance", "on", "mcs3", "--drain-timeout", "1", hosts=[fake.host])
    assert r.rc == 3 and r.err.count("\n") == 1, r.err
    assert "drain" not in r.err
    assert [q for q in fake.requests if not q.startswith("GET ")] == []  # nothing was changed


def test_a_server_resource_of_the_wrong_shape_is_bad_output(mcsctl, fake_maxscale):
    fake = fake_maxscale(documents={"/v1/servers": {"data": [server("mcs1", "Master, Running"), ["mcs3"]]}})
    r = mcsctl("servers", hosts=[fake.host])
    if mcsctl.backend == "maxctrl":  # the stand-in maxctrl itself fails on it: still one line, exit 3
        assert r.rc == 3 and r.err.count("\n") == 1, r.err
    else:
        assert (r.rc, r.err) == (
            3,
            f"mcsctl: error: {fake.host}: a server resource is not a JSON object with attributes\n",
        )


def test_the_timeout_bounds_an_answer_that_trickles_in(mcsctl, fake_maxscale):
    """Headers at once, then one byte a second: each read succeeds, so only a bound on the whole request
    ends it (REST: -t itself; maxctrl: the child is killed -t plus its start-up margin later)."""
    fake = fake_maxscale(documents={"/v1/servers": {"data": [server("mcs1", "Master, Running")]}}, trickle=True)
    t = "2" if mcsctl.backend == "rest" else "1"  # maxctrl: killed 5 s (its start-up margin) after its -t
    r = mcsctl("-t", t, "servers", hosts=[fake.host], timeout=30)
    assert r.rc == 3, r.err
    assert r.out == "" and r.err.count("\n") == 1 and r.err.startswith(f"mcsctl: error: {fake.host}: "), r.err
    if mcsctl.backend == "rest":
        assert r.err.endswith("no answer within 2s (timed out)\n"), r.err
    else:  # the stand-in, like maxctrl, times out per read: killed, unless one read waited a whole -t
        assert r.err.endswith(("maxctrl gave no answer within 6s (killed)\n", "no answer within 1s (timed out)\n")), (
            r.err
        )
