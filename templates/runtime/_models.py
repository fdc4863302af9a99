"""Models and converters every generated client shares: JSON values <-> Python values.

Static, like `_runtime.py`: copied unchanged into every generated package and imported
relatively. The generated `models.py` subclasses `Model` and describes each field with a
`FieldSpec`; `_runtime.py` re-exports what the generated code reaches (`_rt.Model`, `_rt.ListOf`).

Reading responses is lenient by default: unknown fields are kept in `additional_properties`
and written back by `to_dict()`, unknown enum values stay plain strings, and a value of an
unexpected type is kept as it came, so nothing the server sent is lost. `strict=True` raises
`ResponseValidationError` naming the field's path instead.

Unions (`OneOf`) pick their variant by the discriminator when there is one, otherwise by the
structural rule of `Conv.fits` (see `OneOf`); a value no variant (or more than one variant of
a `oneOf`) takes is kept as it came, or refused in strict mode.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Final

from ._formats import TEXT_TYPES, as_text, base64_text, parse_date, parse_date_time
from .errors import ResponseValidationError

if TYPE_CHECKING:  # type checkers know typing_extensions; the client does not need it at run time
    from typing_extensions import Self


class Unset:
    """The type of `UNSET`: an argument or field that was not given (unlike `None`).
    `UNSET` is its only instance (copies and pickles of it are `UNSET` itself)."""

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False

    def __reduce__(self) -> str:
        return "UNSET"


UNSET: Final = Unset()


# --- converters: JSON <-> Python values, one small class per kind of type ---------------------


class Conv:
    """Reads a decoded JSON value into its Python form, and writes it back."""

    def load(self, value: Any, path: str, strict: bool) -> Any:
        return value

    def fits(self, value: Any) -> bool:
        """Whether `value` has this type's shape (the structural rule of `OneOf`)."""
        return True

    def describe(self) -> str:
        return "any value"


class _Prim(Conv):
    def __init__(self, name: str, *types: type) -> None:
        self.name = name
        self.types = types

    def load(self, value: Any, path: str, strict: bool) -> Any:
        wrong_bool = isinstance(value, bool) and bool not in self.types  # bool is an int subclass
        if strict and (wrong_bool or not isinstance(value, self.types)):
            raise ResponseValidationError(f"expected {self.name}, got {kind(value)}", path=path)
        return value

    def fits(self, value: Any) -> bool:
        wrong_bool = isinstance(value, bool) and bool not in self.types
        return not wrong_bool and isinstance(value, self.types)

    def describe(self) -> str:
        return self.name


class LiteralOf(_Prim):
    """`const` and one-value enums: one of `values`, compared with their JSON type (true is
    not 1). Lenient reads keep any value as it came, like every primitive."""

    def __init__(self, *values: str | int | bool) -> None:
        super().__init__(" or ".join(repr(v) for v in values))
        self.values = values

    def load(self, value: Any, path: str, strict: bool) -> Any:
        if strict and not self.fits(value):
            raise ResponseValidationError(f"expected {self.name}, got {kind(value)}", path=path)
        return value

    def fits(self, value: Any) -> bool:
        return any(type(v) is type(value) and v == value for v in self.values)


STR: Final = _Prim("string", str)
INT: Final = _Prim("integer", int)
FLOAT: Final = _Prim("number", int, float)
BOOL: Final = _Prim("boolean", bool)
ANY: Final = Conv()


class _Formatted(Conv):
    """A string format read into a Python value (`format: date`, `date-time`); a string that
    does not parse is kept as sent (strict: an error naming the format)."""

    def __init__(self, name: str, parse: Callable[[str], Any]) -> None:
        self.name = name
        self.parse = parse

    def load(self, value: Any, path: str, strict: bool) -> Any:
        parsed = self.parse(value) if isinstance(value, str) else None
        if parsed is not None:
            return parsed
        if strict:
            got = f"{value[:40]!r}" if isinstance(value, str) else kind(value)
            raise ResponseValidationError(f"expected an RFC 3339 {self.name}, got {got}", path=path)
        return value


DATE: Final = _Formatted("date", parse_date)
DATE_TIME: Final = _Formatted("date-time", parse_date_time)


class Nullable(Conv):
    def __init__(self, inner: Conv) -> None:
        self.inner = inner

    def load(self, value: Any, path: str, strict: bool) -> Any:
        return None if value is None else self.inner.load(value, path, strict)

    def fits(self, value: Any) -> bool:
        return value is None or self.inner.fits(value)

    def describe(self) -> str:
        return f"{self.inner.describe()} or null"


class ListOf(Conv):
    def __init__(self, item: Conv) -> None:
        self.item = item

    def load(self, value: Any, path: str, strict: bool) -> Any:
        if not isinstance(value, list):
            return _mismatch("array", value, path, strict)
        if not strict:
            return [self.item.load(v, path, strict) for v in value]
        return [self.item.load(v, f"{path}[{i}]", strict) for i, v in enumerate(value)]

    def fits(self, value: Any) -> bool:
        return isinstance(value, list) and all(self.item.fits(v) for v in value)

    def describe(self) -> str:
        return f"array of {self.item.describe()}"


class TupleOf(Conv):
    """3.1 `prefixItems`: item i read by `items[i]`, the items after them by `rest` (None: no
    more items allowed). JSON Schema lets an array be shorter than its prefix. Read as a tuple."""

    def __init__(self, items: tuple[Conv, ...], rest: Conv | None) -> None:
        self.items, self.rest = items, rest

    def _conv(self, index: int) -> Conv | None:
        return self.items[index] if index < len(self.items) else self.rest

    def load(self, value: Any, path: str, strict: bool) -> Any:
        if not isinstance(value, list):
            return _mismatch("array", value, path, strict)
        out = []
        for i, item in enumerate(value):
            conv = self._conv(i)
            if conv is None:
                if strict:
                    message = f"expected at most {len(self.items)} items, got {len(value)}"
                    raise ResponseValidationError(message, path=path)
                conv = ANY
            out.append(conv.load(item, f"{path}[{i}]", strict))
        return tuple(out)

    def fits(self, value: Any) -> bool:
        if not isinstance(value, list):
            return False
        convs = [self._conv(i) for i in range(len(value))]
        return all(c is not None and c.fits(v) for c, v in zip(convs, value, strict=True))

    def describe(self) -> str:
        return "array"


class MapOf(Conv):
    def __init__(self, value: Conv) -> None:
        self.value = value

    def load(self, value: Any, path: str, strict: bool) -> Any:
        if not isinstance(value, dict):
            return _mismatch("object", value, path, strict)
        return {k: self.value.load(v, f"{path}.{k}", strict) for k, v in value.items()}

    def fits(self, value: Any) -> bool:
        return isinstance(value, dict) and all(self.value.fits(v) for v in value.values())

    def describe(self) -> str:
        return f"object of {self.value.describe()}"


class EnumOf(Conv):
    """An open enum: a value the client does not know stays a plain value (never raises,
    unless strict)."""

    def __init__(self, cls: type[enum.Enum]) -> None:
        self.cls = cls

    def load(self, value: Any, path: str, strict: bool) -> Any:
        try:
            member = self.cls._value2member_map_.get(value)  # a dict lookup, not Enum.__call__
        except TypeError:  # an unhashable value
            member = None
        if member is not None:
            return member
        if strict:
            raise ResponseValidationError(f"unknown {self.cls.__name__} value {value!r}", path=path)
        return value

    def fits(self, value: Any) -> bool:
        try:
            return value in self.cls._value2member_map_ and not isinstance(value, bool)
        except TypeError:  # an unhashable value
            return False

    def describe(self) -> str:
        return self.cls.__name__


class ModelOf(Conv):
    def __init__(self, cls: type[Model]) -> None:
        self.cls = cls

    def load(self, value: Any, path: str, strict: bool) -> Any:
        if not isinstance(value, dict):
            return _mismatch("object", value, path, strict)
        return self.cls._load(value, path, strict)

    def fits(self, value: Any) -> bool:
        """An object with every required field, and a value of the field's shape in every field
        it has (an enum field a known value, a `const` field that value)."""
        if not isinstance(value, dict):
            return False
        for field in self.cls._fields:
            item = value.get(field.key, UNSET)
            if item is UNSET:
                if field.required:
                    return False
            elif not field.conv.fits(item):
                return False
        return True

    def declares(self, value: dict[str, Any]) -> bool:
        """Whether every key of `value` is a field of this model (no unknown field)."""
        keys = self.cls._keys
        if keys is None:
            keys = self.cls._keys = frozenset(f.key for f in self.cls._fields)
        return keys.issuperset(value)

    def describe(self) -> str:
        return self.cls.__name__


class OneOf(Conv):
    """A union (`oneOf`, `anyOf`, a 3.1 type array), decoded into exactly one variant:

    1. With a discriminator (`tag`) and an object carrying it as a string, `mapping` (the
       document's explicit mapping, then each variant's schema name) names the variant; a value
       it does not name matches nothing. Without the property, the structural rule decides.
    2. Structural rule: the candidates are the variants the value `fits` (JSON type; every
       required property present; each property of its declared shape, a `const` or enum
       property holding one of its values). When several objects fit, those that declare every
       key of the value are kept, if any does.
    3. One candidate: that variant. Several: when each reads the value as it is (primitives,
       literals), the value; else an `anyOf` (`exclusive=False`) takes the first in document
       order, and a `oneOf` matches nothing. Nothing matched: a lenient read keeps the value
       as it came; a strict read raises `ResponseValidationError` naming the candidates.
    """

    def __init__(
        self,
        variants: tuple[Conv, ...],
        exclusive: bool,
        tag: str | None = None,
        mapping: Mapping[str, int] | None = None,
    ) -> None:
        self.variants, self.exclusive = variants, exclusive
        self.tag, self.mapping = tag, dict(mapping or {})

    def pick(self, value: Any) -> tuple[Conv | None, str]:
        """The variant that reads `value`, or None and why none does."""
        if self.tag is not None and isinstance(value, dict):
            name = value.get(self.tag)
            if isinstance(name, str):
                index = self.mapping.get(name)
                if index is None:
                    known = ", ".join(sorted(self.mapping))
                    return None, f"{self.tag} {name!r} names no variant (known: {known})"
                return self.variants[index], ""
        candidates = [v for v in self.variants if v.fits(value)]
        if len(candidates) > 1 and isinstance(value, dict):
            exact: list[Conv] = [
                c for c in candidates if isinstance(c, ModelOf) and c.declares(value)
            ]
            candidates = exact or candidates
        if len(candidates) == 1 or (candidates and not self.exclusive):
            return candidates[0], ""
        if candidates and all(isinstance(c, _Prim) or type(c) is Conv for c in candidates):
            return candidates[0], ""  # each reads the value as it is
        if candidates:
            names = ", ".join(c.describe() for c in candidates)
            return None, f"{kind(value)} fits more than one variant ({names})"
        return None, f"{kind(value)} fits no variant ({self.describe()})"

    def load(self, value: Any, path: str, strict: bool) -> Any:
        variant, why = self.pick(value)
        if variant is not None:
            return variant.load(value, path, strict)
        if strict:
            raise ResponseValidationError(why, path=path)
        return value

    def fits(self, value: Any) -> bool:
        return self.pick(value)[0] is not None

    def describe(self) -> str:
        return " | ".join(v.describe() for v in self.variants)


def container_of(conv: Conv) -> type | None:
    if isinstance(conv, ModelOf | MapOf):
        return dict
    return list if isinstance(conv, ListOf | TupleOf) else None


def kind(value: Any) -> str:
    names = {
        bool: "boolean",
        int: "integer",
        float: "number",
        str: "string",
        list: "array",
        dict: "object",
    }
    return "null" if value is None else names.get(type(value), type(value).__name__)


def _mismatch(expected: str, value: Any, path: str, strict: bool) -> Any:
    if strict:
        raise ResponseValidationError(f"expected {expected}, got {kind(value)}", path=path)
    return value


def dump(value: Any) -> Any:
    """A Python value (models, enums, lists, dicts of them) as JSON-ready data: for `to_dict()`
    and for requests (`_wire`)."""
    if isinstance(value, Model):
        return value.to_dict()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [dump(v) for v in value]
    if isinstance(value, dict):
        return {k: dump(v) for k, v in value.items()}
    if isinstance(value, TEXT_TYPES):  # dates, date-times (RFC 3339) and UUIDs
        return as_text(value)
    if isinstance(value, bytes | bytearray):  # a `format: byte` argument
        return base64_text(value)
    return value


# --- models -----------------------------------------------------------------------------------


class FieldSpec:
    """One field of a model: attribute, JSON key, converter, and whether it is required."""

    __slots__ = ("attr", "conv", "key", "plain", "required")

    def __init__(self, attr: str, key: str, conv: Conv, required: bool) -> None:
        self.attr, self.key, self.conv, self.required = attr, key, conv, required
        # A lenient read keeps a scalar as it came: no converter call is needed.
        inner = conv.inner if isinstance(conv, Nullable) else conv
        self.plain = isinstance(inner, _Prim) or type(inner) is Conv


class Model:
    """Base of the generated dataclasses: `from_dict` and `to_dict` from one field table."""

    _fields: ClassVar[tuple[FieldSpec, ...]] = ()
    _keys: ClassVar[frozenset[str] | None] = None  # the fields' keys, built on first use
    additional_properties: dict[str, Any]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, strict: bool = False) -> Self:
        return cls._load(data, "$", strict)

    @classmethod
    def _load(cls, data: Mapping[str, Any], path: str, strict: bool) -> Self:
        obj = cls.__new__(cls)  # skips __init__: a lenient read may lack a required field
        values = obj.__dict__
        rest = dict(data)
        for field in cls._fields:
            value = rest.pop(field.key, UNSET)
            if value is UNSET:
                if field.required and strict:
                    message = "required field is missing"
                    raise ResponseValidationError(message, path=f"{path}.{field.key}")
            elif strict or not field.plain:
                # Paths are only read by strict mode's errors: lenient reads skip building them.
                value = field.conv.load(value, f"{path}.{field.key}" if strict else path, strict)
            values[field.attr] = value
        values["additional_properties"] = rest
        return obj

    def to_dict(self) -> dict[str, Any]:
        out = {
            f.key: dump(getattr(self, f.attr))
            for f in self._fields
            if getattr(self, f.attr) is not UNSET
        }
        for key, value in self.additional_properties.items():
            out.setdefault(key, dump(value))
        return out
