"""mcsctl.dataclass_lite behaves as the standard library's dataclasses for what mcsctl uses of them."""

from __future__ import annotations

import copy
import dataclasses

import pytest

from mcsctl import dataclass_lite as lite


def _pair(frozen: bool) -> tuple[type, type]:
    """The same class made by the standard library and by dataclass_lite."""

    def body() -> dict[str, object]:
        return {
            "__annotations__": {"name": "str", "port": "int | None", "tags": "list[str]", "key": "str | None"},
            "port": None,
            "tags": dataclasses.field(default_factory=list),
            "key": dataclasses.field(default=None, compare=False, repr=False),
        }

    std = dataclasses.dataclass(frozen=frozen)(type("Row", (), body()))
    mine_body = body()
    mine_body["tags"] = lite.field(default_factory=list)
    mine_body["key"] = lite.field(default=None, compare=False, repr=False)
    mine = lite.dataclass(frozen=frozen)(type("Row", (), mine_body))
    return std, mine


@pytest.mark.parametrize("frozen", [False, True])
def test_init_repr_eq_as_the_standard_library(frozen: bool) -> None:
    std, mine = _pair(frozen)
    for args, kwargs in [(("a",), {}), (("a", 3), {"tags": ["x"]}), ((), {"name": "b", "key": "secret"})]:
        s, m = std(*args, **kwargs), mine(*args, **kwargs)
        assert repr(s) == repr(m)
        assert "secret" not in repr(m)
        assert lite.asdict(m) == dataclasses.asdict(s)
    assert mine("a", key="k1") == mine("a", key="k2")  # key: compare=False
    assert mine("a") != mine("b")
    assert mine("a").__eq__(std("a")) is NotImplemented
    assert mine("a").tags is not mine("a").tags  # a fresh list per instance
    assert [f.name for f in lite.fields(mine)] == [f.name for f in dataclasses.fields(std)]
    with pytest.raises(TypeError):
        mine()  # name is required
    with pytest.raises(TypeError):
        mine("a", nope=1)


def test_frozen_is_hashable_and_refuses_changes() -> None:
    _, mine = _pair(frozen=True)
    row = mine("a", 1, tags=("t",))  # hashable fields
    assert hash(row) == hash(mine("a", 1, ("t",), key="other"))
    assert len({row, mine("a", 1, ("t",))}) == 1
    with pytest.raises(lite.FrozenInstanceError):
        row.name = "b"
    with pytest.raises(AttributeError):
        del row.port
    changed = lite.replace(row, port=2)
    assert (changed.name, changed.port, row.port) == ("a", 2, 1)
    assert copy.deepcopy(row) == row == copy.copy(row)  # copies bypass the refusal, as with the standard library


def test_mutable_is_unhashable_and_assignable() -> None:
    _, mine = _pair(frozen=False)
    row = mine("a")
    row.port = 5
    assert row.port == 5
    with pytest.raises(TypeError):
        hash(row)


def test_nested_asdict_and_own_methods_kept() -> None:
    @lite.dataclass(frozen=True)
    class Inner:
        x: int = 0

    @lite.dataclass
    class Outer:
        inner: Inner
        items: tuple[Inner, ...] = ()
        by: dict[str, Inner] = lite.field(default_factory=dict)

        def __repr__(self) -> str:
            return "own"

    o = Outer(Inner(1), (Inner(2),), {"k": Inner(3)})
    assert lite.asdict(o) == {"inner": {"x": 1}, "items": ({"x": 2},), "by": {"k": {"x": 3}}}
    assert repr(o) == "own"
    assert repr(Inner()).endswith(".<locals>.Inner(x=0)")  # the qualified name, as the standard library
