"""Data models of Mini Pet Store.

Models are dataclasses with `from_dict()` and `to_dict()`. Fields the server sends that this
client does not know are kept in `additional_properties` and written back by `to_dict()`.
Enums are open: a value this client does not know stays a plain `str`.
"""

from __future__ import annotations

import dataclasses
import enum
from typing import Any

from . import _runtime as _rt
from ._runtime import UNSET, Unset

__all__ = [
    "ListPetsResponse",
    "Owner",
    "Pet",
    "PetStatus",
]


class PetStatus(str, enum.Enum):
    """Where the pet is in the shop."""

    AVAILABLE = "available"
    PENDING = "pending"
    SOLD = "sold"
    ND_HAND_2 = "2nd hand"


@dataclasses.dataclass(kw_only=True)
class ListPetsResponse(_rt.Model):
    """ListPetsResponse

    Attributes:
        items: `items`
        next: `next`
    """

    items: list[Pet]
    next: str | None | Unset = UNSET
    additional_properties: dict[str, Any] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(kw_only=True)
class Owner(_rt.Model):
    """Owner

    Attributes:
        email: `email`
        phone: `phone`
    """

    email: str
    phone: str | Unset = UNSET
    additional_properties: dict[str, Any] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(kw_only=True)
class Pet(_rt.Model):
    """Pet

    Attributes:
        id: `id`
        name: `name`
        status: Where the pet is in the shop.
        tags: `tags`
        weight: `weight`
        vaccinated: `vaccinated`
    """

    id: int
    name: str
    status: PetStatus | str | Unset = UNSET
    tags: list[str] | Unset = UNSET
    weight: float | None | Unset = UNSET
    vaccinated: bool | Unset = UNSET
    additional_properties: dict[str, Any] = dataclasses.field(default_factory=dict)


# Field tables, set once every class exists, so models may refer to each other in any order.
ListPetsResponse._fields = (
    _rt.FieldSpec("items", "items", _rt.ListOf(_rt.ModelOf(Pet)), True),
    _rt.FieldSpec("next", "next", _rt.Nullable(_rt.STR), False),
)
Owner._fields = (
    _rt.FieldSpec("email", "email", _rt.STR, True),
    _rt.FieldSpec("phone", "phone", _rt.STR, False),
)
Pet._fields = (
    _rt.FieldSpec("id", "id", _rt.INT, True),
    _rt.FieldSpec("name", "name", _rt.STR, True),
    _rt.FieldSpec("status", "status", _rt.EnumOf(PetStatus), False),
    _rt.FieldSpec("tags", "tags", _rt.ListOf(_rt.STR), False),
    _rt.FieldSpec("weight", "weight", _rt.Nullable(_rt.FLOAT), False),
    _rt.FieldSpec("vaccinated", "vaccinated", _rt.BOOL, False),
)
