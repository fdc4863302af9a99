"""Does a value certainly match an OpenAPI 3.0 schema? A decision in microseconds, or "not sure".

`conforms(doc, schema, value, mode)` answers True only when openapi-schema-validator's
`OAS30Validator` (mode None: how defaults are checked), `OAS30ReadValidator` ("read") or
`OAS30WriteValidator` ("write", how lint checks examples) would find no error; mode "3.1":
`OAS31Validator`, how a 3.1 document's defaults are checked (the same keywords, except that
`nullable` means nothing and exclusive bounds are numbers, not decided). It knows the
keywords below exactly, as those validators apply them (OAS `nullable`, `$ref` siblings, the
formats they check in this environment); a `oneOf` holds when one branch conforms and `refutes`
shows every other one fails. Anything else (not, multipleOf, uniqueItems, patternProperties,
discriminators, formats checked by optional packages that are installed) makes it answer
False, and the caller asks the real validator, which costs 0.25 s to import and a millisecond
per value. So False means "not shown", never "invalid"; `tests/test_quickcheck.py` holds the
True answers to that.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import functools
import importlib.util
import ipaddress
import math
import re
import uuid
from typing import Any
from urllib.parse import unquote

MAX_HOPS = 64  # $refs followed in a row, and schemas nested without consuming the value
MAX_STEPS = 20_000  # schemas visited for one value, then "not sure"

# Keywords that never make these validators fail (annotations, or not implemented by them).
_ANNOTATIONS = frozenset(
    {"description", "title", "example", "deprecated", "xml", "externalDocs", "default"}
)
_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}
_JSON = (bool, int, float, str, list, dict)
_OBJECT_KEYWORDS = frozenset({"required", "minProperties", "maxProperties", "additionalProperties"})
_INT_RANGES = {"int32": 1 << 31, "int64": 1 << 63}
# Formats jsonschema checks only when one of these packages is installed.
_OPTIONAL_FORMATS = {
    "uri": ("rfc3987", "rfc3986_validator"),
    "uri-reference": ("rfc3987", "rfc3986_validator"),
    "iri": ("rfc3987", "rfc3987_syntax"),
    "iri-reference": ("rfc3987", "rfc3987_syntax"),
    "hostname": ("fqdn",),
    "color": ("webcolors",),
    "json-pointer": ("jsonpointer",),
    "relative-json-pointer": ("jsonpointer",),
    "uri-template": ("uri_template",),
    "duration": ("isoduration",),
}
# Formats jsonschema 4 or openapi-schema-validator may check that are not decided here; any
# other name is checked by neither.
_UNDECIDED_FORMATS = frozenset({"idn-hostname", "regex", "time"})  # time: draft 3's rule
# A subset of RFC 3339 date-times that rfc3339-validator certainly accepts (days checked below).
_DATE_TIME = re.compile(
    r"(\d{4})-(0[1-9]|1[0-2])-(\d{2})T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?"
    r"(Z|[+-]([01]\d|2[0-3]):[0-5]\d)",
    re.ASCII,
)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


class Unsure(Exception):
    """Something the quick checks cannot show valid: the real validator decides."""


def is_ref(node: Any) -> bool:
    return isinstance(node, dict) and isinstance(node.get("$ref"), str)


def resolve(doc: Any, node: Any) -> Any:
    """Follow local `$ref`s, ignoring their siblings, as openapi-spec-validator's paths do."""
    for _ in range(MAX_HOPS):
        if not is_ref(node):
            return node
        node = target(doc, node["$ref"])
    raise Unsure("a reference chain too long")


def target(doc: Any, ref: str) -> Any:
    """What a local reference (`#/a/b~1c`, its pointer percent-encoded or not) points at."""
    if ref != "#" and not ref.startswith("#/"):  # checked before decoding, as `referencing` does
        raise Unsure("a reference outside the document, or to an anchor")
    node = doc
    for part in unquote(ref[2:]).split("/") if ref != "#" else []:
        key = part.replace("~1", "/").replace("~0", "~")
        node = node[int(key)] if isinstance(node, list) else node[key]
    return node


def conforms(doc: Any, schema: Any, value: Any, mode: str | None = None) -> bool:
    """True only if `value` certainly matches `schema` (references resolving in `doc`)."""
    try:
        return _Check(doc, mode).matches(schema, value, 0)
    except Exception:  # Unsure, a broken reference or keyword, RecursionError: not shown
        return False


Explained = list[tuple[tuple[Any, ...], str]]


def explain(doc: Any, schema: Any, value: Any, mode: str | None = None) -> Explained | None:
    """The errors the validator would report, in its order, as (path in the value, message),
    for failures made only of a wrong `type` (not null), `enum` or `pattern` under `properties`
    and `items`; None whenever anything else fails or is not certain. Its messages are
    jsonschema's, which the tests compare with the validator's own."""
    try:
        return _Check(doc, mode).explain(schema, value, (), 0)
    except Exception:  # Unsure, a broken reference or keyword, RecursionError
        return None


class _Check:
    def __init__(self, doc: Any, mode: str | None) -> None:
        self.doc = doc
        self.mode = mode
        self.budget = MAX_STEPS

    def step(self, depth: int) -> None:
        """Bound the work: recursive schemas with several branches would grow exponentially."""
        self.budget -= 1
        if self.budget < 0 or depth > MAX_HOPS:
            raise Unsure("too much work")

    def matches(self, node: Any, value: Any, depth: int) -> bool:
        self.step(depth)
        if is_ref(node):  # these validators also apply a $ref's siblings: not modelled
            if set(node) - {"$ref"} - _ANNOTATIONS:
                return False
            return self.matches(target(self.doc, node["$ref"]), value, depth + 1)
        schema = node
        if not isinstance(schema, dict):
            return False
        checks = _plan(schema)
        if checks is None or (isinstance(value, float) and not math.isfinite(value)):
            return False
        if self.mode == "read" and schema.get("writeOnly") is True:
            return False
        if self.mode == "write" and schema.get("readOnly") is True:
            return False
        return all(check(self, schema, value, depth) for check in checks)

    # --- keywords: each True only when it certainly passes ---------------------------------

    def type_(self, schema: dict[str, Any], value: Any, _depth: int) -> bool:
        kind = schema["type"]
        if self.mode == "3.1":  # null is a type of its own, and a type may be a list of them
            kinds = kind if isinstance(kind, list) else [kind]
            if value is None:
                return "null" in kinds
            return any(_is_type(value, k) for k in kinds)
        if value is None:  # OAS 3.0's `nullable`
            return schema.get("nullable") is True
        return _is_type(value, kind)

    def enum(self, schema: dict[str, Any], value: Any, _depth: int) -> bool:
        if isinstance(value, dict | list):
            return False
        return any(type(choice) is type(value) and choice == value for choice in schema["enum"])

    def format_(self, schema: dict[str, Any], value: Any, _depth: int) -> bool:
        fmt = schema["format"]
        if not isinstance(fmt, str):
            return False
        if fmt in _INT_RANGES:
            limit = _INT_RANGES[fmt]
            return type(value) is not int or -limit <= value < limit
        if not isinstance(value, str):  # every other check lets a non-string pass
            return not isinstance(value, bytes)
        if fmt in _STRING_FORMATS:
            return bool(_STRING_FORMATS[fmt](value))
        if fmt in _OPTIONAL_FORMATS:
            return not any(_installed(m) for m in _OPTIONAL_FORMATS[fmt])
        return fmt not in _UNDECIDED_FORMATS

    def pattern(self, schema: dict[str, Any], value: Any, _depth: int) -> bool:
        if not isinstance(value, str):
            return True
        return _search(schema["pattern"], value)

    def lengths(self, schema: dict[str, Any], value: Any, _depth: int) -> bool:
        return not isinstance(value, str) or _within(len(value), schema, "minLength", "maxLength")

    def bounds(self, schema: dict[str, Any], value: Any, _depth: int) -> bool:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return True
        if self.mode == "3.1" and {"exclusiveMinimum", "exclusiveMaximum"} & schema.keys():
            raise Unsure("exclusive bounds are numbers in 3.1, not flags")
        low, high = schema.get("minimum"), schema.get("maximum")
        above = low is None or (value > low if schema.get("exclusiveMinimum") else value >= low)
        below = high is None or (value < high if schema.get("exclusiveMaximum") else value <= high)
        return above and below

    def items(self, schema: dict[str, Any], value: Any, depth: int) -> bool:
        if not isinstance(value, list):
            return True
        items = schema.get("items", {})
        if not isinstance(items, dict):
            return False
        sized = _within(len(value), schema, "minItems", "maxItems")
        unique = schema.get("uniqueItems") is not True or len(value) < 2
        return sized and unique and all(self.matches(items, v, depth + 1) for v in value)

    def object_(self, schema: dict[str, Any], value: Any, depth: int) -> bool:
        if not isinstance(value, dict):
            return True
        properties = schema.get("properties", {})
        required = schema.get("required", [])
        extra = schema.get("additionalProperties", True)
        if not isinstance(properties, dict) or not isinstance(required, list):
            return False
        if not all(name in value for name in required):  # stricter: no read/write exemptions
            return False
        if not _within(len(value), schema, "minProperties", "maxProperties"):
            return False
        for key, item in value.items():
            if key in properties:
                if not self.matches(properties[key], item, depth + 1):
                    return False
            elif extra is False or (
                isinstance(extra, dict) and not self.matches(extra, item, depth + 1)
            ):
                return False
        return extra is True or extra is False or isinstance(extra, dict)

    def all_of(self, schema: dict[str, Any], value: Any, depth: int) -> bool:
        return "discriminator" not in schema and all(
            self.matches(s, value, depth + 1) for s in schema["allOf"]
        )

    def any_of(self, schema: dict[str, Any], value: Any, depth: int) -> bool:
        return "discriminator" not in schema and any(
            self.matches(s, value, depth + 1) for s in schema["anyOf"]
        )

    def one_of(self, schema: dict[str, Any], value: Any, depth: int) -> bool:
        branches = schema["oneOf"]
        if "discriminator" in schema or not isinstance(branches, list):
            return False
        matching = [i for i, s in enumerate(branches) if self.matches(s, value, depth + 1)]
        return len(matching) == 1 and all(
            self.refutes(s, value, depth + 1) for i, s in enumerate(branches) if i != matching[0]
        )

    # --- explaining: the validator's errors, for the failures it knows how to word ----------

    def explain(self, node: Any, value: Any, path: tuple[Any, ...], depth: int) -> Explained:
        self.step(depth)
        if is_ref(node):
            if set(node) - {"$ref"} - _ANNOTATIONS:
                raise Unsure("a $ref with siblings")
            return self.explain(target(self.doc, node["$ref"]), value, path, depth + 1)
        if not isinstance(node, dict) or not self._modelled(node):
            raise Unsure("not modelled")
        errors: Explained = []
        for key, rule in node.items():
            if key in ("properties", "items"):
                errors += self._descend(key, rule, value, path, depth)
            elif key == "allOf" and "discriminator" not in node and isinstance(rule, list):
                for member in rule:  # each member's errors, at the same place
                    errors += self.explain(member, value, path, depth + 1)
            elif key == "required" and isinstance(value, dict):
                errors += [
                    (path, f"{name!r} is a required property")
                    for name in self._missing(node, value)
                ]
            elif key in _KEYWORDS and not self._passes(key, node, value, depth):
                errors += [(path, message) for message in self._wording(key, node, value)]
        return errors

    def _missing(self, schema: dict[str, Any], value: dict[Any, Any]) -> list[Any]:
        """The required properties the value lacks that the validator reports, in order: it
        excuses a write-only one when reading, a read-only one when writing (both, in mode
        None), as declared in this schema's own `properties`."""
        required, properties = schema["required"], schema.get("properties", {})
        if not isinstance(required, list) or not isinstance(properties, dict):
            raise Unsure("malformed required or properties")
        missing = []
        for name in required:
            if name in value:
                continue
            declared = properties.get(name)
            if declared and not isinstance(declared, dict):
                raise Unsure("a property declared as a non-object")
            flags = declared or {}
            excused = {
                "read": bool(flags.get("writeOnly", False)),
                "write": bool(flags.get("readOnly", False)),
                None: bool(flags.get("readOnly", False) or flags.get("writeOnly", False)),
            }[self.mode]
            if not excused:
                missing.append(name)
        return missing

    def _descend(
        self, key: str, rule: Any, value: Any, path: tuple[Any, ...], depth: int
    ) -> Explained:
        errors: Explained = []
        if not isinstance(rule, dict):
            raise Unsure(f"{key} is not an object")
        if key == "properties" and isinstance(value, dict):
            for name, sub in rule.items():
                if name in value:
                    errors += self.explain(sub, value[name], (*path, name), depth + 1)
        elif key == "items" and isinstance(value, list):
            for index, item in enumerate(value):
                errors += self.explain(rule, item, (*path, index), depth + 1)
        return errors

    def _wording(self, key: str, schema: dict[str, Any], value: Any) -> list[str]:
        """The validator's messages for keyword `key` failing, if it is one worded here."""
        rule = schema[key]
        if key == "type" and value is None and rule in _TYPES:  # null where not nullable
            return ["None for not nullable", f"None is not of type {rule!r}"]
        if key == "type" and self.wrong_type(schema, value, 0):
            return [f"{value!r} is not of type {rule!r}"]
        if key == "enum" and self.not_listed(schema, value, 0):
            return [f"{value!r} is not one of {rule!r}"]
        if key == "pattern" and isinstance(value, str) and not _search(rule, value):
            return [f"{value!r} does not match {rule!r}"]
        raise Unsure(f"{key} fails in a way not worded here")

    def _modelled(self, schema: dict[str, Any]) -> bool:
        hidden = schema.get("writeOnly" if self.mode == "read" else "readOnly") is True
        return _plan(schema) is not None and not (self.mode is not None and hidden)

    def _passes(self, key: str, schema: dict[str, Any], value: Any, depth: int) -> bool:
        """Whether keyword `key` alone certainly passes (`items` and `properties` aside)."""
        if key in ("minItems", "maxItems", "uniqueItems"):
            return not isinstance(value, list) or (
                _within(len(value), schema, "minItems", "maxItems")
                and (schema.get("uniqueItems") is not True or len(value) < 2)
            )
        if not isinstance(value, dict) and key in _OBJECT_KEYWORDS:
            return True
        if key in ("minProperties", "maxProperties"):
            return _within(len(value), schema, "minProperties", "maxProperties")
        if key == "additionalProperties":
            return self._extras_pass(schema, value, depth)
        if key == "required":
            return not self._missing(schema, value)
        return bool(_KEYWORDS[key](self, schema, value, depth))

    def _extras_pass(self, schema: dict[str, Any], value: dict[Any, Any], depth: int) -> bool:
        properties, extra = schema.get("properties", {}), schema["additionalProperties"]
        if not isinstance(properties, dict):
            return False
        extras = [k for k in value if k not in properties]
        if extra is True or not extras:
            return True
        return isinstance(extra, dict) and all(
            self.matches(extra, value[k], depth + 1) for k in extras
        )

    # --- refuting: True only when the value certainly fails --------------------------------

    def refutes(self, node: Any, value: Any, depth: int) -> bool:
        self.step(depth)
        if is_ref(node):  # the target alone failing is enough, whatever its siblings say
            return self.refutes(target(self.doc, node["$ref"]), value, depth + 1)
        if not isinstance(node, dict) or "discriminator" in node:
            return False
        return any(
            check(self, node, value, depth) for key, check in _REFUTERS.items() if key in node
        )

    def wrong_type(self, schema: dict[str, Any], value: Any, _depth: int) -> bool:
        kind = schema["type"]
        if self.mode == "3.1" and (value is None or not isinstance(kind, str)):
            return kind != "null" and isinstance(kind, str) and value is None  # lists: not shown
        if value is None:
            return schema.get("nullable") is not True
        if not isinstance(value, _JSON):  # bytes pass as binary strings, for one
            return False
        if kind in ("integer", "number"):
            return isinstance(value, bool) or not isinstance(value, int | float)
        return kind in _TYPES and (
            not isinstance(value, _TYPES[kind]) or (kind == "boolean") != isinstance(value, bool)
        )

    def not_listed(self, schema: dict[str, Any], value: Any, _depth: int) -> bool:
        if isinstance(value, dict | list) or (isinstance(value, float) and math.isnan(value)):
            return False
        return all(
            not isinstance(choice, dict | list) and choice != value for choice in schema["enum"]
        )

    def missing(self, schema: dict[str, Any], value: Any, _depth: int) -> bool:
        if not isinstance(value, dict):
            return False
        properties = schema.get("properties", {})
        for name in schema["required"]:
            declared = properties.get(name) if isinstance(properties, dict) else None
            exempt = isinstance(declared, dict) and (
                declared.get("readOnly") or declared.get("writeOnly")
            )
            if name not in value and not exempt:
                return True
        return False

    def unexpected(self, schema: dict[str, Any], value: Any, _depth: int) -> bool:
        properties = schema.get("properties", {})
        return (
            isinstance(value, dict)
            and schema["additionalProperties"] is False
            and "patternProperties" not in schema
            and isinstance(properties, dict)
            and any(key not in properties for key in value)
        )

    def bad_property(self, schema: dict[str, Any], value: Any, depth: int) -> bool:
        properties = schema["properties"]
        return isinstance(value, dict) and any(
            key in value and self.refutes(sub, value[key], depth + 1)
            for key, sub in properties.items()
        )

    def bad_item(self, schema: dict[str, Any], value: Any, depth: int) -> bool:
        items = schema["items"]
        return (
            isinstance(value, list)
            and isinstance(items, dict)
            and any(self.refutes(items, v, depth + 1) for v in value)
        )

    def bad_member(self, schema: dict[str, Any], value: Any, depth: int) -> bool:
        return any(self.refutes(s, value, depth + 1) for s in schema["allOf"])

    def no_branch(self, schema: dict[str, Any], value: Any, depth: int) -> bool:
        key = "anyOf" if "anyOf" in schema else "oneOf"
        return all(self.refutes(s, value, depth + 1) for s in schema[key])

    def ignored(self, schema: dict[str, Any], value: Any, _depth: int) -> bool:
        return True


_KEYWORDS = {
    "type": _Check.type_,
    "nullable": _Check.ignored,  # read by `type`
    "readOnly": _Check.ignored,  # read by `matches`
    "writeOnly": _Check.ignored,
    "enum": _Check.enum,
    "format": _Check.format_,
    "pattern": _Check.pattern,
    "minLength": _Check.lengths,
    "maxLength": _Check.lengths,
    "minimum": _Check.bounds,
    "maximum": _Check.bounds,
    "exclusiveMinimum": _Check.bounds,
    "exclusiveMaximum": _Check.bounds,
    "items": _Check.items,
    "minItems": _Check.items,
    "maxItems": _Check.items,
    "uniqueItems": _Check.items,
    "properties": _Check.object_,
    "required": _Check.object_,
    "additionalProperties": _Check.object_,
    "minProperties": _Check.object_,
    "maxProperties": _Check.object_,
    "allOf": _Check.all_of,
    "anyOf": _Check.any_of,
    "oneOf": _Check.one_of,
}
_REFUTERS = {
    "type": _Check.wrong_type,
    "enum": _Check.not_listed,
    "required": _Check.missing,
    "additionalProperties": _Check.unexpected,
    "properties": _Check.bad_property,
    "items": _Check.bad_item,
    "allOf": _Check.bad_member,
    "anyOf": _Check.no_branch,
    "oneOf": _Check.no_branch,
}


_PLANS: dict[int, tuple[dict[str, Any], tuple[Any, ...] | None]] = {}


def _plan(schema: dict[str, Any]) -> tuple[Any, ...] | None:
    """The checks a schema needs, each once (`properties`, `required` and
    `additionalProperties` share one), or None if it uses a keyword not modelled here.
    Remembered per schema object, which the entry keeps alive so that its id stays its own."""
    known = _PLANS.get(id(schema))
    if known is not None and known[0] is schema:
        return known[1]
    checks: tuple[Any, ...] | None = None
    if all(k in _KEYWORDS or k in _ANNOTATIONS or k.startswith("x-") for k in schema):
        checks = tuple(dict.fromkeys(_KEYWORDS[k] for k in schema if k in _KEYWORDS))
    _PLANS[id(schema)] = (schema, checks)
    return checks


def _is_type(value: Any, kind: Any) -> bool:
    if not isinstance(kind, str) or kind not in _TYPES:
        return False
    return isinstance(value, _TYPES[kind]) and (kind == "boolean") == isinstance(value, bool)


def _within(size: int, schema: dict[str, Any], low: str, high: str) -> bool:
    return bool(schema.get(low, 0) <= size <= schema.get(high, size))


@functools.lru_cache(maxsize=1024)
def _regex(pattern: str) -> Any:
    import regress

    try:
        return regress.Regex(pattern)
    except regress.RegressError:
        raise Unsure(f"the validator cannot compile {pattern!r}") from None


def _search(pattern: str, value: str) -> bool:
    """Whether `pattern` matches somewhere in `value`, as openapi-schema-validator matches with
    `regress` (ECMA-262), which is always installed with sdkgen."""
    return _regex(pattern).find(value) is not None


@functools.cache
def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


# --- string formats, as jsonschema's FormatChecker checks them -------------------------------


def _date_time(text: str) -> bool:
    if not _installed("rfc3339_validator"):
        return True  # jsonschema checks date-time only with it
    match = _DATE_TIME.fullmatch(text)
    return match is not None and _date(text[:10])


def _date(text: str) -> bool:
    if _DATE.fullmatch(text) is None:
        return False
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return len(text) == 36 and all(text[i] == "-" for i in (8, 13, 18, 23))


def _byte(text: str) -> bool:
    try:
        base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def _ip(kind: type[ipaddress.IPv4Address | ipaddress.IPv6Address]) -> Any:
    def check(text: str) -> bool:
        try:
            return not getattr(kind(text), "scope_id", None)
        except ValueError:
            return False

    return check


_STRING_FORMATS: dict[str, Any] = {
    "date-time": _date_time,
    "date": _date,
    "email": lambda text: "@" in text,
    "idn-email": lambda text: "@" in text,
    "uuid": _uuid,
    "byte": _byte,
    "ipv4": _ip(ipaddress.IPv4Address),
    "ipv6": _ip(ipaddress.IPv6Address),
    "binary": lambda text: True,
    "password": lambda text: True,
    "float": lambda text: True,
    "double": lambda text: True,
}
