"""Frozen records: what `@dataclass(frozen=True)` gives, without its start-up cost.

A frozen dataclass compiles six methods from generated source when its module
is imported: about 0.6 ms a class, 10 ms for the view model alone, paid on every
start of every command. A `Record` subclass gets the same behaviour from the
methods below, written once: fields from the class annotations (in order),
defaults from the class attributes, keyword or positional construction, no
assignment after construction, equality and hashing by type and values, and a
readable repr. Type checkers treat subclasses as frozen dataclasses.

    class Point(Record):
        x: float
        y: float = 0.0

    Point(1.0).replace(y=2.0)  # Point(x=1.0, y=2.0)

Use it where a module is on a quick command's start-up path; elsewhere a
dataclass is just as good.
"""

from __future__ import annotations

import sys
from typing import Any, ClassVar, TypeVar

if sys.version_info >= (3, 11):
    from typing import dataclass_transform
else:  # pragma: no cover - Python 3.10
    from typing_extensions import dataclass_transform

R = TypeVar("R", bound="Record")


class FrozenRecordError(AttributeError):
    """Raised on assignment to a field of a record, as dataclasses' FrozenInstanceError is."""


@dataclass_transform(frozen_default=True, eq_default=True)
class Record:
    _fields: ClassVar[tuple[str, ...]] = ()
    _defaults: ClassVar[dict[str, Any]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = [
            name
            for name, annotation in cls.__dict__.get("__annotations__", {}).items()
            if not str(annotation).startswith("ClassVar")
        ]
        inherited = [name for name in cls._fields if name not in own]
        cls._fields = (*inherited, *own)
        defaults = dict(cls._defaults)
        defaults.update({name: cls.__dict__[name] for name in own if name in cls.__dict__})
        cls._defaults = defaults
        missing_default = False
        for name in cls._fields:  # as in a dataclass: no required field after a default
            if name in defaults:
                missing_default = True
            elif missing_default:
                message = f"{cls.__name__}: {name!r} needs a default, as the fields before it"
                raise TypeError(message)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        fields = self._fields
        if len(args) > len(fields):
            raise TypeError(f"{type(self).__name__} takes {len(fields)} values, {len(args)} given")
        values = dict(zip(fields, args, strict=False))  # fewer values than fields is fine
        for name, value in kwargs.items():
            if name not in fields:
                raise TypeError(f"{type(self).__name__} has no field {name!r}")
            if name in values:
                raise TypeError(f"{type(self).__name__} got two values for {name!r}")
            values[name] = value
        for name in fields:
            if name not in values:
                if name not in self._defaults:
                    raise TypeError(f"{type(self).__name__} needs a value for {name!r}")
                values[name] = self._defaults[name]
        self.__dict__.update(values)

    def replace(self: R, **changes: Any) -> R:
        """A copy with some fields changed, as `dataclasses.replace` makes."""
        return type(self)(**{**self._values_by_name(), **changes})

    def _values_by_name(self) -> dict[str, Any]:
        return {name: self.__dict__[name] for name in self._fields}

    def _values(self) -> tuple[Any, ...]:
        return tuple(self.__dict__[name] for name in self._fields)

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenRecordError(f"cannot assign to field {name!r} of a {type(self).__name__}")

    def __delattr__(self, name: str) -> None:
        raise FrozenRecordError(f"cannot delete field {name!r} of a {type(self).__name__}")

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._values() == other._values()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self), self._values()))

    def __repr__(self) -> str:
        inner = ", ".join(f"{name}={self.__dict__[name]!r}" for name in self._fields)
        return f"{type(self).__name__}({inner})"
