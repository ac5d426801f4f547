"""Record behaves as the frozen dataclass it replaces, checked against dataclasses itself."""

from __future__ import annotations

import copy
import dataclasses
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mathml_cli.records import FrozenRecordError, Record


class Point(Record):
    x: float
    y: float = 0.0
    label: str = ""


@dataclasses.dataclass(frozen=True)
class PointDataclass:
    x: float
    y: float = 0.0
    label: str = ""


class Labelled(Point):
    weight: int = 1


values = st.tuples(st.floats(allow_nan=False), st.floats(allow_nan=False), st.text(max_size=5))


@given(values, values)
def test_equality_hash_and_repr_match_a_frozen_dataclass(first, second):
    ours = Point(*first), Point(*second)
    theirs = PointDataclass(*first), PointDataclass(*second)
    assert (ours[0] == ours[1]) == (theirs[0] == theirs[1])
    assert (hash(ours[0]) == hash(Point(*first))) and hash(theirs[0]) == hash(
        PointDataclass(*first)
    )
    assert repr(ours[0]) == repr(theirs[0]).replace("PointDataclass", "Point")


@given(values)
def test_construction_by_keyword_and_position_and_replace_match(value):
    x, y, label = value
    assert Point(x, label=label, y=y) == Point(x, y, label)
    assert Point(x).replace(y=y, label=label) == Point(x, y, label)
    assert dataclasses.replace(PointDataclass(x), y=y) == PointDataclass(x, y)
    assert Point(x).replace(y=y).y == dataclasses.replace(PointDataclass(x), y=y).y


def test_defaults_and_fields_in_order():
    assert Point(1.0) == Point(1.0, 0.0, "")
    assert Point._fields == tuple(f.name for f in dataclasses.fields(PointDataclass))
    assert Labelled._fields == ("x", "y", "label", "weight")
    assert Labelled(1.0, weight=3).weight == 3


def test_frozen_as_a_dataclass_is():
    point = Point(1.0)
    with pytest.raises(FrozenRecordError):
        point.x = 2.0  # type: ignore[misc]
    with pytest.raises(FrozenRecordError):
        del point.x  # type: ignore[misc]
    assert isinstance(FrozenRecordError(), AttributeError)  # as FrozenInstanceError is


def test_records_of_different_types_are_not_equal():
    class Other(Record):
        x: float
        y: float = 0.0
        label: str = ""

    assert Point(1.0) != Other(1.0)
    assert Point(1.0) != (1.0, 0.0, "")


@pytest.mark.parametrize(
    "make",
    [
        lambda: Point(),  # type: ignore[call-arg]
        lambda: Point(1.0, 2.0, "a", "extra"),  # type: ignore[call-arg]
        lambda: Point(1.0, x=2.0),  # type: ignore[misc]
        lambda: Point(1.0, z=2.0),  # type: ignore[call-arg]
    ],
)
def test_wrong_construction_is_a_type_error(make):
    with pytest.raises(TypeError):
        make()


def test_a_required_field_after_a_default_is_refused_as_in_a_dataclass():
    with pytest.raises(TypeError):

        class Bad(Record):
            x: float = 0.0
            y: float


def test_copies_and_pickles():
    point = Labelled(1.5, 2.5, "p", 4)
    assert copy.copy(point) == point
    assert copy.deepcopy(point) == point
    assert pickle.loads(pickle.dumps(point)) == point
