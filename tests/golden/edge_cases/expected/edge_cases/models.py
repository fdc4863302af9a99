"""Data models of Edge Cases.

Models are dataclasses with `from_dict()` and `to_dict()`. Fields the server sends that this
client does not know are kept in `additional_properties` and written back by `to_dict()`.
Enums are open: a value this client does not know stays a plain `str`.
"""

from __future__ import annotations

import dataclasses
import enum
from typing import Any, Literal

from . import _runtime as _rt
from ._runtime import UNSET, Unset

__all__ = [
    "Cast",
    "First",
    "Merged",
    "Mode",
    "Node",
    "PostThingsResponse",
    "Second",
    "Self_",
    "Thing",
    "ThingKind",
    "ThingLevel",
]


class Mode(str, enum.Enum):
    """Mode"""

    AUTO = "auto"


class ThingKind(str, enum.Enum):
    """ThingKind"""

    ART_AND_ILLUSTRATION_2D = "2D ART & ILLUSTRATION"
    CG_ART_AND_GAME_ASSETS = "CG ART & GAME ASSETS"
    A = "a"
    A_2 = "A"
    CLASS = "class"


class ThingLevel(int, enum.Enum):
    """ThingLevel"""

    VALUE_1 = 1
    VALUE_2 = 2
    VALUE_3 = 3


@dataclasses.dataclass(kw_only=True)
class Cast(_rt.Model):
    """A schema named like typing.cast (the class becomes Cast).

    Attributes:
        to: `to`
    """

    to: str | Unset = UNSET
    additional_properties: dict[str, Any] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(kw_only=True)
class First(_rt.Model):
    """First

    Attributes:
        id: `id`
    """

    id: str | Unset = UNSET
    additional_properties: dict[str, Any] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(kw_only=True)
class Merged(_rt.Model):
    """Merged

    Attributes:
        name: Name with a trailing backslash \\
        extra: `extra`
    """

    name: str | Unset = UNSET
    extra: bool | Unset = UNSET
    additional_properties: dict[str, Any] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(kw_only=True)
class Node(_rt.Model):
    """Node

    Attributes:
        value: `value`
        children: `children`
    """

    value: str | Unset = UNSET
    children: list[Node] | Unset = UNSET
    additional_properties: dict[str, Any] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(kw_only=True)
class PostThingsResponse(_rt.Model):
    """PostThingsResponse

    Attributes:
        first: `first`
        second: `second`
    """

    first: First | Unset = UNSET
    second: Second | Unset = UNSET
    additional_properties: dict[str, Any] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(kw_only=True)
class Second(_rt.Model):
    """Second

    Attributes:
        id: `id`
    """

    id: str | Unset = UNSET
    additional_properties: dict[str, Any] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(kw_only=True)
class Self_(_rt.Model):
    """A schema named like typing's Self (the class becomes Self_).

    Attributes:
        href: `href`
    """

    href: str | Unset = UNSET
    additional_properties: dict[str, Any] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(kw_only=True)
class Thing(_rt.Model):
    """Thing

    Attributes:
        kind: `kind`
        maybe: `maybe`
        either: `either`
        optional_count: `optionalCount`
        labels: `labels`
        merged: `merged`
        level: `level`
        self_: A schema named like typing's Self (the class becomes Self_).
        cast_: A schema named like typing.cast (the class becomes Cast).
        link: A union with a discriminator, nullable, of two models.
        mode: `mode`
    """

    kind: ThingKind | str
    maybe: str | Unset = UNSET
    either: int | str | Unset = UNSET
    optional_count: int | None | Unset = UNSET
    labels: dict[str, str] | Unset = UNSET
    merged: Merged | Unset = UNSET
    level: ThingLevel | int | Unset = UNSET
    self_: Self_ | Unset = UNSET
    cast_: Cast | Unset = UNSET
    link: Self_ | Cast | None | Unset = UNSET
    mode: Mode | str | Literal[True] | Unset = UNSET
    additional_properties: dict[str, Any] = dataclasses.field(default_factory=dict)


# Field tables, set once every class exists, so models may refer to each other in any order.
Cast._fields = (_rt.FieldSpec("to", "to", _rt.STR, False),)
First._fields = (_rt.FieldSpec("id", "id", _rt.STR, False),)
Merged._fields = (
    _rt.FieldSpec("name", "name", _rt.STR, False),
    _rt.FieldSpec("extra", "extra", _rt.BOOL, False),
)
Node._fields = (
    _rt.FieldSpec("value", "value", _rt.STR, False),
    _rt.FieldSpec("children", "children", _rt.ListOf(_rt.ModelOf(Node)), False),
)
PostThingsResponse._fields = (
    _rt.FieldSpec("first", "first", _rt.ModelOf(First), False),
    _rt.FieldSpec("second", "second", _rt.ModelOf(Second), False),
)
Second._fields = (_rt.FieldSpec("id", "id", _rt.STR, False),)
Self_._fields = (_rt.FieldSpec("href", "href", _rt.STR, False),)
Thing._fields = (
    _rt.FieldSpec("kind", "kind", _rt.EnumOf(ThingKind), True),
    _rt.FieldSpec("maybe", "maybe", _rt.STR, False),
    _rt.FieldSpec("either", "either", _rt.OneOf((_rt.INT, _rt.STR), exclusive=True), False),
    _rt.FieldSpec("optional_count", "optionalCount", _rt.Nullable(_rt.INT), False),
    _rt.FieldSpec("labels", "labels", _rt.MapOf(_rt.STR), False),
    _rt.FieldSpec("merged", "merged", _rt.ModelOf(Merged), False),
    _rt.FieldSpec("level", "level", _rt.EnumOf(ThingLevel), False),
    _rt.FieldSpec("self_", "self", _rt.ModelOf(Self_), False),
    _rt.FieldSpec("cast_", "cast", _rt.ModelOf(Cast), False),
    _rt.FieldSpec(
        "link",
        "link",
        _rt.Nullable(
            _rt.OneOf(
                (_rt.ModelOf(Self_), _rt.ModelOf(Cast)),
                exclusive=True,
                tag="rel",
                mapping={"cast": 1, "self": 0},
            )
        ),
        False,
    ),
    _rt.FieldSpec(
        "mode", "mode", _rt.OneOf((_rt.EnumOf(Mode), _rt.LiteralOf(True)), exclusive=True), False
    ),
)
