"""API diff: what changed between two documents, for code written against the old client.

Both documents go through the same pipeline as `generate` (overlays, IR), so the comparison is
of the generated API, not of the text: operations (keyed by method and path), their method
names, parameters, body fields, response fields reached from operations, types, nullability,
enum members, documented defaults, auth and the default base URL.

Classification, for code using the old client:
- major (breaking): anything removed or renamed (an operation, a method, a parameter, a field, an
  enum member, a model class); a new required argument; an optional argument made required; a
  changed type (`str` -> `datetime.datetime` in a response or a model field: code reading or
  building it as a string breaks); an argument that accepts less (`datetime.date | str` ->
  `str`); a response field that became nullable or may now be UNSET; a model field the
  constructor now requires (in a model callers build); a changed auth scheme or base URL.
- minor: anything added that old code does not have to use (an operation, an optional argument,
  a response field, an enum value: enums are open, so old code keeps working); a required
  argument made optional; a request field that became nullable; an argument that accepts more
  (`str` -> `datetime.date | str`: every old call still type-checks and is sent the same).
- patch: documentation-level changes (a documented default).
The suggested bump is the highest level found ("none" when nothing changed).

Types that become more or less precise (`_retyped`; issue 13 turned many `Any` into unions,
literals and tuples): an argument typed where it was `Any` is minor (every value old code
passed is still sent as it was; only a type checker sees the new type); a result typed where
it was `Any` is minor when the values stay the JSON values they were (strings, numbers,
booleans, literals, lists and maps of them) and major when they become instances (models,
enums, tuples). The reverse (typed -> `Any`) is major for results and minor for arguments.
A union that gains variants is minor for arguments and major for results (old code does not
handle the new kind of value); one that loses variants is the other way round.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from typing import Literal

from generator import ir
from generator.typetext import annotation, arg_annotation, must_give

Level = Literal["major", "minor", "patch"]
_ORDER = {"none": 0, "patch": 1, "minor": 2, "major": 3}


@dataclasses.dataclass(frozen=True, slots=True)
class Change:
    level: Level
    where: str  # `client.group.method(arg)` or the model/field path
    message: str

    @property
    def breaking(self) -> bool:
        return self.level == "major"


def diff(old: ir.Api, new: ir.Api) -> list[Change]:
    changes = [*_api_level(old, new), *_operations(old, new), *_classes(old, new)]
    return sorted(set(changes), key=lambda c: (-_ORDER[c.level], c.where, c.message))


def bump(changes: list[Change]) -> str:
    return max((c.level for c in changes), key=lambda lv: _ORDER[lv], default="none")


def _api_level(old: ir.Api, new: ir.Api) -> Iterator[Change]:
    if _auth(old) != _auth(new):
        yield Change("major", "auth", f"auth changed from {_auth(old)} to {_auth(new)}")
    if old.base_url != new.base_url:
        yield Change("major", "base_url", f"default base URL {old.base_url!r} -> {new.base_url!r}")
    servers = {g.document: g.base_url for g in old.groups if g.document}
    for doc, url in sorted({g.document: g.base_url for g in new.groups if g.document}.items()):
        if doc in servers and servers[doc] != url:
            message = f"server of the {doc!r} document {servers[doc]!r} -> {url!r}"
            yield Change("major", "base_url", message)


def _auth(api: ir.Api) -> str:
    """The schemes the client applies and the arguments that take their secrets."""
    described = [s.kind if s.kind != "apiKey" else f"{s.location} {s.name!r}" for s in api.schemes]
    args = [a for s in api.schemes for a in s.args]
    shown = ", ".join(described) or "none"
    return shown if args in (["api_key"], []) else f"{shown} ({', '.join(args)})"


def _ops(api: ir.Api) -> dict[tuple[str, str, str], tuple[ir.Group, ir.Operation]]:
    """Operations by method and path (and document, when several make the client)."""
    return {(op.method, op.path, g.document): (g, op) for g in api.groups for op in g.operations}


def _operations(old: ir.Api, new: ir.Api) -> Iterator[Change]:
    before, after = _ops(old), _ops(new)
    for key in sorted(before.keys() - after.keys()):
        yield Change("major", _name(*before[key]), f"operation removed: {key[0]} {key[1]}")
    for key in sorted(after.keys() - before.keys()):
        yield Change("minor", _name(*after[key]), f"operation added: {key[0]} {key[1]}")
    for key in sorted(before.keys() & after.keys()):
        yield from _operation((old, new), before[key], after[key])


def _name(group: ir.Group, op: ir.Operation) -> str:
    return f"client.{group.attr_name}.{op.py_name}"


def _operation(
    apis: tuple[ir.Api, ir.Api],
    before_op: tuple[ir.Group, ir.Operation],
    after_op: tuple[ir.Group, ir.Operation],
) -> Iterator[Change]:
    (og, oop), (ng, nop) = before_op, after_op
    where = _name(og, oop)
    if _name(og, oop) != _name(ng, nop):
        yield Change("major", where, f"method renamed to {_name(ng, nop)}")
    if nop.deprecated and not oop.deprecated:
        yield Change("patch", where, "operation deprecated")
    before, after = _args(oop), _args(nop)
    yield from _arguments(where, before, after)
    for key in sorted(before.keys() & after.keys()):
        arg_at = f"{where}({before[key].py_name})"
        yield from _types(apis, arg_at, before[key].type, after[key].type, "in")
    yield from _types(apis, f"{where}() result", oop.response.type, nop.response.type, "out")


@dataclasses.dataclass(frozen=True, slots=True)
class _Arg:
    py_name: str
    type: ir.TypeRef
    required: bool
    default: str | None


def _args(op: ir.Operation) -> dict[str, _Arg]:
    """Arguments keyed by where they go on the wire: `query:limit`, `body:name`."""
    args = {
        f"{p.location}:{p.wire_name}": _Arg(p.py_name, p.type, p.required, p.default)
        for p in op.params
    }
    if isinstance(op.body, ir.JsonBody | ir.FormBody):
        args |= {
            f"body:{f.wire_name}": _Arg(f.py_name, f.type, f.required, f.default)
            for f in op.body.fields
        }
    elif isinstance(op.body, ir.WholeBody):
        body_type = op.body.type if op.body.type is not None else ir.AnyType()
        args["body"] = _Arg(op.body.py_name, body_type, op.body.required, None)
    return args


def _arguments(where: str, before: dict[str, _Arg], after: dict[str, _Arg]) -> Iterator[Change]:
    for key in sorted(before.keys() - after.keys()):
        yield Change("major", f"{where}({before[key].py_name})", f"argument removed ({key})")
    for key in sorted(after.keys() - before.keys()):
        arg = after[key]
        level: Level = "major" if arg.required else "minor"
        kind = "required" if arg.required else "optional"
        yield Change(level, f"{where}({arg.py_name})", f"{kind} argument added ({key})")
    for key in sorted(before.keys() & after.keys()):
        yield from _argument(where, before[key], after[key])


def _argument(where: str, old: _Arg, new: _Arg) -> Iterator[Change]:
    at = f"{where}({old.py_name})"
    if old.py_name != new.py_name:
        yield Change("major", at, f"argument renamed to {new.py_name}")
    if old.required != new.required:
        level: Level = "major" if new.required else "minor"
        yield Change(
            level, at, "argument now required" if new.required else "argument now optional"
        )
    if old.default != new.default:
        yield Change("patch", at, f"documented default {old.default} -> {new.default}")


def _types(
    apis: tuple[ir.Api, ir.Api], where: str, before: ir.TypeRef, after: ir.TypeRef, direction: str
) -> Iterator[Change]:
    """Differences of a type, walked into models (each pair of models once). `direction` is
    "out" for what the server sends (a new field is harmless, a new null is not) and "in" for
    what the caller builds (a new required field breaks the caller, a new null does not)."""
    old, new = apis
    seen: set[tuple[str, str]] = set()
    # `argument`: still the argument itself (or its items), not a field of a model it holds
    stack = [(where, before, after, direction == "in")]
    while stack:
        at, b, a, argument = stack.pop()
        yield from _nullability(at, b, a, direction)
        b, a = _strip_null(b), _strip_null(a)
        if isinstance(b, ir.ListType) and isinstance(a, ir.ListType):
            stack.append((f"{at}[]", b.item, a.item, argument))
            continue
        if isinstance(b, ir.MapType) and isinstance(a, ir.MapType):
            stack.append((f"{at}[*]", b.value, a.value, argument))
            continue
        b_model, a_model = _model_of(old, b), _model_of(new, a)
        if b_model is not None and a_model is not None:
            if (b_model.name, a_model.name) not in seen:
                seen.add((b_model.name, a_model.name))
                changes, pairs = _fields(at, b_model, a_model, direction)
                yield from changes
                stack.extend((*pair, False) for pair in pairs)
        elif isinstance(b, ir.UnionType) and isinstance(a, ir.UnionType) and _shape(b) == _shape(a):
            variants = zip(b.variants, a.variants, strict=True)
            stack.extend((at, vb, va, argument) for vb, va in variants)
        elif argument and isinstance(b, ir.StrType) and isinstance(a, ir.StrType):
            yield from _string_argument(at, b, a)
        elif _shape(b) != _shape(a):
            yield _retyped(at, b, a, direction)
        else:
            yield from _enum_members(old, new, at, b, a)


def _string_argument(at: str, b: ir.StrType, a: ir.StrType) -> Iterator[Change]:
    """A string argument whose format changed: it accepts `str` and maybe a typed value
    (`datetime.date | str`); code passing either keeps working if the new one takes it too."""
    before, after = arg_annotation(b), arg_annotation(a)
    if before == after:
        return
    widened = set(before.split(" | ")) <= set(after.split(" | "))
    message = f"type {_readable(before)} -> {_readable(after)}"
    yield Change("minor" if widened else "major", at, message + (" (widened)" if widened else ""))


def _shown(t: ir.TypeRef) -> str:
    return _readable(annotation(t))


def _readable(text: str) -> str:
    """An annotation as users write it (the generated code imports `datetime as _dt`)."""
    return text.replace("_dt.", "datetime.").replace("_uuid.", "uuid.")


def _retyped(at: str, b: ir.TypeRef, a: ir.TypeRef, direction: str) -> Change:
    """A changed type, classified as the module docstring says."""
    text = f"type {_shown(b)} -> {_shown(a)}"
    if isinstance(b, ir.AnyType) != isinstance(a, ir.AnyType):
        typed = a if isinstance(b, ir.AnyType) else b
        harmless = direction == "in" or (isinstance(b, ir.AnyType) and _json_values(typed))
        return Change("minor" if harmless else "major", at, text)
    before, after = set(_variants(b)), set(_variants(a))
    if before < after or after < before:
        widened = before < after
        return Change("minor" if widened == (direction == "in") else "major", at, text)
    return Change("major", at, text)


def _variants(t: ir.TypeRef) -> list[str]:
    """The shapes a value of `t` may take (each literal value counts as one)."""
    if isinstance(t, ir.UnionType):
        return [shape for v in t.variants for shape in _variants(v)]
    if isinstance(t, ir.LiteralType):
        return [f"Literal[{v!r}]" for v in t.values]
    return [_shape(t)]


def _json_values(t: ir.TypeRef) -> bool:
    """Whether values of `t` are read as the JSON values themselves (no class instances)."""
    match t:
        case ir.StrType() | ir.IntType() | ir.FloatType() | ir.BoolType() | ir.LiteralType():
            return True
        case ir.ListType(inner) | ir.MapType(inner) | ir.NullableType(inner):
            return _json_values(inner)
        case ir.UnionType(variants):
            return all(_json_values(v) for v in variants)
    return False


def _nullability(at: str, b: ir.TypeRef, a: ir.TypeRef, direction: str) -> Iterator[Change]:
    if _is_nullable(a) == _is_nullable(b) or ir.AnyType() in (a, b):  # Any holds null too
        return
    now_nullable = _is_nullable(a)
    harmless = now_nullable == (direction == "in")
    yield Change(
        "minor" if harmless else "major",
        at,
        "may now be null" if now_nullable else "no longer null",
    )


def _strip_null(t: ir.TypeRef) -> ir.TypeRef:
    return t.inner if isinstance(t, ir.NullableType) else t


def _shape(t: ir.TypeRef) -> str:
    """A type with model and enum names erased: renamed classes are reported as classes."""
    if isinstance(t, ir.ModelRef | ir.EnumRef):
        return type(t).__name__
    return annotation(t)


def _fields(
    at: str, b: ir.Model, a: ir.Model, direction: str
) -> tuple[list[Change], list[tuple[str, ir.TypeRef, ir.TypeRef]]]:
    before = {f.wire_name: f for f in b.fields}
    after = {f.wire_name: f for f in a.fields}
    changes = [
        Change("major", f"{at}.{before[k].py_name}", "field removed")
        for k in sorted(before.keys() - after.keys())
    ]
    for key in sorted(after.keys() - before.keys()):
        field = after[key]
        breaking = direction == "in" and field.required
        level: Level = "major" if breaking else "minor"
        changes.append(
            Change(level, f"{at}.{field.py_name}", f"{'required ' if breaking else ''}field added")
        )
    pairs = []
    for key in sorted(before.keys() & after.keys()):
        old_field, new_field = before[key], after[key]
        field_at = f"{at}.{old_field.py_name}"
        if old_field.py_name != new_field.py_name:
            changes.append(Change("major", field_at, f"field renamed to {new_field.py_name}"))
        changes.extend(_given(field_at, (b, old_field), (a, new_field), direction))
        pairs.append((field_at, old_field.type, new_field.type))
    return changes, pairs


def _given(
    at: str, old: tuple[ir.Model, ir.Field], new: tuple[ir.Model, ir.Field], direction: str
) -> Iterator[Change]:
    """A field the constructor now requires, or no longer does (`required`, `readOnly`,
    `writeOnly`, or the ways the model travels changed): its annotation gains or loses
    `| Unset`. Code building the model breaks when it became required; code reading it
    breaks when it may now be missing."""
    was, now = must_give(*old), must_give(*new)
    if was == now:
        return
    breaking = now if direction == "in" else not now
    message = "field now required" if now else "field now optional (may be UNSET)"
    yield Change("major" if breaking else "minor", at, message)


def _model_of(api: ir.Api, t: ir.TypeRef) -> ir.Model | None:
    """The model `t` names (`_types` has already stripped nullability and lists)."""
    if isinstance(t, ir.ModelRef):
        return next((m for m in api.models if m.name == t.name), None)
    return None


def _is_nullable(t: ir.TypeRef) -> bool:
    return isinstance(t, ir.NullableType)


def _enum_members(
    old: ir.Api, new: ir.Api, at: str, b: ir.TypeRef, a: ir.TypeRef
) -> Iterator[Change]:
    before, after = _enum_of(old, b), _enum_of(new, a)
    if before is None or after is None:
        return
    old_values = {m.value: m.py_name for m in before.members}
    new_values = {m.value: m.py_name for m in after.members}
    for value in sorted(old_values.keys() - new_values.keys(), key=str):
        yield Change(
            "major", at, f"enum value {value!r} removed ({before.name}.{old_values[value]})"
        )
    for value in sorted(new_values.keys() - old_values.keys(), key=str):
        yield Change("minor", at, f"enum value {value!r} added")


def _enum_of(api: ir.Api, t: ir.TypeRef) -> ir.Enum | None:
    if isinstance(t, ir.EnumRef):
        return next((e for e in api.enums if e.name == t.name), None)
    return None


def _classes(old: ir.Api, new: ir.Api) -> Iterator[Change]:
    """Model and enum classes: code imports them by name."""
    before = {m.name for m in old.models} | {e.name for e in old.enums}
    after = {m.name for m in new.models} | {e.name for e in new.enums}
    for name in sorted(before - after):
        yield Change("major", f"models.{name}", "class removed or renamed")
    for name in sorted(after - before):
        yield Change("minor", f"models.{name}", "class added")


# --- output ---------------------------------------------------------------------------------

_TITLES = {"major": "Breaking changes", "minor": "Added", "patch": "Changed"}


def as_text(changes: list[Change]) -> str:
    lines = [
        f"{'BREAKING' if c.breaking else c.level.upper():8} {c.where}: {c.message}" for c in changes
    ]
    return "\n".join([*lines, f"suggested version bump: {bump(changes)}"])


def as_markdown(changes: list[Change], title: str) -> str:
    out = [f"## {title}", ""]
    if not changes:
        out += ["No changes to the generated API.", ""]
    for level in ("major", "minor", "patch"):
        items = [c for c in changes if c.level == level]
        if items:
            out += [
                f"### {_TITLES[level]}",
                "",
                *(f"- `{c.where}`: {c.message}" for c in items),
                "",
            ]
    return "\n".join(out)


def as_json(changes: list[Change], old_version: str, new_version: str) -> str:
    payload = {
        "version": 1,
        "old_spec_version": old_version,
        "new_spec_version": new_version,
        "bump": bump(changes),
        "breaking": any(c.breaking for c in changes),
        "changes": [
            {"level": c.level, "breaking": c.breaking, "where": c.where, "message": c.message}
            for c in changes
        ],
    }
    return json.dumps(payload, indent=2)
