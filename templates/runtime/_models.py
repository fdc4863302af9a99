"""Models and converters every generated client shares: JSON values <-> Python values.

Static, like `_runtime.py`: copied unchanged into every generated package and imported
relatively. The generated `models.py` subclasses `Model` and describes each field with a
`FieldSpec`; `_runtime.py` re-exports what the generated code reaches (`_rt.Model`, `_rt.ListOf`).

Reading responses is lenient by default: unknown fields are kept in `additional_properties`
and written back by `to_dict()`, unknown enum values stay plain strings, and a value of an
unexpected type is kept as it came, so nothing the server sent is lost. `strict=True` raises
`ResponseValidationError` naming the field's path instead.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Final

from ._formats import TEXT_TYPES, as_text, parse_date, parse_date_time
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


class _Prim(Conv):
    def __init__(self, name: str, *types: type) -> None:
        self.name = name
        self.types = types

    def load(self, value: Any, path: str, strict: bool) -> Any:
        wrong_bool = isinstance(value, bool) and bool not in self.types  # bool is an int subclass
        if strict and (wrong_bool or not isinstance(value, self.types)):
            raise ResponseValidationError(f"expected {self.name}, got {kind(value)}", path=path)
        return value


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


class ListOf(Conv):
    def __init__(self, item: Conv) -> None:
        self.item = item

    def load(self, value: Any, path: str, strict: bool) -> Any:
        if not isinstance(value, list):
            return _mismatch("array", value, path, strict)
        if not strict:
            return [self.item.load(v, path, strict) for v in value]
        return [self.item.load(v, f"{path}[{i}]", strict) for i, v in enumerate(value)]


class MapOf(Conv):
    def __init__(self, value: Conv) -> None:
        self.value = value

    def load(self, value: Any, path: str, strict: bool) -> Any:
        if not isinstance(value, dict):
            return _mismatch("object", value, path, strict)
        return {k: self.value.load(v, f"{path}.{k}", strict) for k, v in value.items()}


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


class ModelOf(Conv):
    def __init__(self, cls: type[Model]) -> None:
        self.cls = cls

    def load(self, value: Any, path: str, strict: bool) -> Any:
        if not isinstance(value, dict):
            return _mismatch("object", value, path, strict)
        return self.cls._load(value, path, strict)


def container_of(conv: Conv) -> type | None:
    if isinstance(conv, ModelOf | MapOf):
        return dict
    return list if isinstance(conv, ListOf) else None


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
    """A Python value (models, enums, lists, dicts of them) as JSON-ready data."""
    if isinstance(value, Model):
        return value.to_dict()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [dump(v) for v in value]
    if isinstance(value, dict):
        return {k: dump(v) for k, v in value.items()}
    if isinstance(value, TEXT_TYPES):
        return as_text(value)
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
