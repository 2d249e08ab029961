"""mcsctl's plain-data classes: `dataclass`, `field`, `fields`, `replace` and `asdict`, the part of the standard
library's dataclasses that mcsctl uses, without its import of `inspect` (ast, dis, tokenize: about 10 ms of
every start, issue 17). For mypy it is a dataclass transform (PEP 681); at run time it writes `__init__`,
`__repr__`, `__eq__` and, for frozen classes, `__hash__` and the refusal to change a field.

Not supported, since nothing here needs it: inheritance between these classes, ClassVar, InitVar,
`order`, `kw_only`, `__post_init__`, slots."""

from __future__ import annotations

TYPE_CHECKING = False  # typing itself costs ~4 ms of a start; mypy treats this name as True
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, TypeVar, dataclass_transform, overload

    T = TypeVar("T")
else:

    def dataclass_transform(**_: object) -> Callable[[T], T]:
        return lambda f: f


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


class FrozenInstanceError(AttributeError):
    """A field of a frozen instance was assigned or deleted."""


class Field:
    """One field: its name, default (or factory), and whether it takes part in ==, hash and repr."""

    __slots__ = ("name", "default", "default_factory", "compare", "repr")

    def __init__(self, default: Any, default_factory: Any, compare: bool, repr: bool) -> None:
        self.name = ""
        self.default = default
        self.default_factory = default_factory
        self.compare = compare
        self.repr = repr


if TYPE_CHECKING:

    @overload
    def field(*, default: T, compare: bool = True, repr: bool = True) -> T: ...
    @overload
    def field(*, default_factory: Callable[[], T], compare: bool = True, repr: bool = True) -> T: ...
    @overload
    def field(*, compare: bool = True, repr: bool = True) -> Any: ...


def field(*, default: Any = MISSING, default_factory: Any = MISSING, compare: bool = True, repr: bool = True) -> Any:
    """A field's default or default_factory, and whether it is compared and shown."""
    return Field(default, default_factory, compare, repr)


@dataclass_transform(field_specifiers=(field,))
def dataclass(cls: type[T] | None = None, /, *, frozen: bool = False) -> Any:
    """Make `cls` a plain-data class from its annotations, in order; `@dataclass` or `@dataclass(frozen=True)`."""
    if cls is None:
        return lambda c: _build(c, frozen)
    return _build(cls, frozen)


def fields(obj: Any) -> tuple[Field, ...]:
    """The fields of a plain-data class or instance, in order."""
    return obj.__record_fields__  # type: ignore[no-any-return]


def replace(obj: T, **changes: Any) -> T:
    """A copy of `obj` with some fields changed."""
    values = {f.name: getattr(obj, f.name) for f in fields(obj)}
    values.update(changes)
    return type(obj)(**values)


def asdict(obj: Any) -> dict[str, Any]:
    """The fields as a dict, plain-data values (also inside lists, tuples and dicts) made dicts too."""
    return {f.name: _plain(getattr(obj, f.name)) for f in fields(obj)}


def _plain(value: Any) -> Any:
    if hasattr(type(value), "__record_fields__"):
        return asdict(value)
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(v) for v in value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _build(cls: type[T], frozen: bool) -> type[T]:
    annotations = cls.__dict__.get("__annotations__", {})
    found: list[Field] = []
    for name in annotations:
        value = cls.__dict__.get(name, MISSING)
        f = value if isinstance(value, Field) else Field(value, MISSING, True, True)
        f.name = name
        if f.default is MISSING and name in cls.__dict__:
            delattr(cls, name)  # a field(default_factory=...) is no class attribute
        elif f.default is not MISSING:
            setattr(cls, name, f.default)
        found.append(f)
    cls.__record_fields__ = tuple(found)  # type: ignore[attr-defined]
    methods: dict[str, Any] = {"__init__": _first_init(cls, found, frozen), "__repr__": _repr, "__eq__": _eq}
    if frozen:
        methods |= {"__setattr__": _refuse_set, "__delattr__": _refuse_delete}
    for name, method in methods.items():
        if name not in cls.__dict__:  # what the class writes itself stays
            setattr(cls, name, method)
    if cls.__dict__.get("__hash__") is None:  # none written (a class body with __eq__ has None here)
        cls.__hash__ = _hash if frozen else None  # type: ignore[assignment,method-assign]
    return cls


def _first_init(cls: type, found: list[Field], frozen: bool) -> Callable[..., None]:
    """An __init__ that writes the real one on the first instance: most classes a command imports it never
    makes, and writing one out (compile) is most of what a class costs at import."""

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        if cls.__dict__["__init__"] is __init__:
            cls.__init__ = _init(found, frozen)  # type: ignore[misc]
        cls.__init__(self, *args, **kwargs)  # type: ignore[misc]

    return __init__


def _init(found: list[Field], frozen: bool) -> Callable[..., None]:
    """An __init__ written out, as the standard library does: as fast as a hand-written one."""
    scope: dict[str, Any] = {"MISSING": MISSING}
    params, body = [], []
    for f in found:
        if f.default is not MISSING:
            scope[f"_d_{f.name}"] = f.default
            params.append(f"{f.name}=_d_{f.name}")
            value = f.name
        elif f.default_factory is not MISSING:
            scope[f"_f_{f.name}"] = f.default_factory
            params.append(f"{f.name}=MISSING")
            value = f"_f_{f.name}() if {f.name} is MISSING else {f.name}"
        else:
            params.append(f.name)
            value = f.name
        body.append(f"object.__setattr__(self, {f.name!r}, {value})" if frozen else f"self.{f.name} = {value}")
    source = f"def __init__(self, {', '.join(params)}):\n    " + ("\n    ".join(body) or "pass")
    exec(source, scope)  # noqa: S102 - the source is built from the class's own field names only
    return scope["__init__"]  # type: ignore[no-any-return]


def _repr(self: Any) -> str:
    shown = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in self.__record_fields__ if f.repr)
    return f"{type(self).__qualname__}({shown})"


def _compared(self: Any) -> tuple[Any, ...]:
    return tuple(getattr(self, f.name) for f in self.__record_fields__ if f.compare)


def _eq(self: Any, other: object) -> Any:
    if type(other) is not type(self):
        return NotImplemented
    return _compared(self) == _compared(other)


def _hash(self: Any) -> int:
    return hash(_compared(self))


def _refuse_set(self: Any, name: str, value: Any) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _refuse_delete(self: Any, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")
