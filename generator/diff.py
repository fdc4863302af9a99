"""API diff: what changed between two documents, for code written against the old client.

Both documents go through the same pipeline as `generate` (overlays, IR), so the comparison is
of the generated API, not of the text: operations (keyed by method and path), their method
names, parameters, body fields, response fields reached from operations, types, nullability,
enum members, documented defaults, auth and the default base URL.

Classification, for code using the old client:
- major (breaking): anything removed or renamed (an operation, a method, a parameter, a field, an
  enum member, a model class); a new required argument; an optional argument made required; a
  changed type; a response field that became nullable; a changed auth scheme or base URL.
- minor: anything added that old code does not have to use (an operation, an optional argument,
  a response field, an enum value: enums are open, so old code keeps working); a required
  argument made optional; a request field that became nullable.
- patch: documentation-level changes (a documented default).
The suggested bump is the highest level found ("none" when nothing changed).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from typing import Literal

from generator import ir
from generator.render import annotation

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


def _auth(api: ir.Api) -> str:
    """The schemes the client applies and the arguments that take their secrets."""
    described = [s.kind if s.kind != "apiKey" else f"{s.location} {s.name!r}" for s in api.schemes]
    args = [a for s in api.schemes for a in s.args]
    shown = ", ".join(described) or "none"
    return shown if args in (["api_key"], []) else f"{shown} ({', '.join(args)})"


def _ops(api: ir.Api) -> dict[tuple[str, str], tuple[ir.Group, ir.Operation]]:
    return {(op.method, op.path): (g, op) for g in api.groups for op in g.operations}


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
    stack = [(where, before, after)]
    while stack:
        at, b, a = stack.pop()
        yield from _nullability(at, b, a, direction)
        b, a = _strip_null(b), _strip_null(a)
        if isinstance(b, ir.ListType) and isinstance(a, ir.ListType):
            stack.append((f"{at}[]", b.item, a.item))
            continue
        if isinstance(b, ir.MapType) and isinstance(a, ir.MapType):
            stack.append((f"{at}[*]", b.value, a.value))
            continue
        b_model, a_model = _model_of(old, b), _model_of(new, a)
        if b_model is not None and a_model is not None:
            if (b_model.name, a_model.name) not in seen:
                seen.add((b_model.name, a_model.name))
                changes, pairs = _fields(at, b_model, a_model, direction)
                yield from changes
                stack.extend(pairs)
        elif _shape(b) != _shape(a):
            yield Change("major", at, f"type {annotation(b)} -> {annotation(a)}")
        else:
            yield from _enum_members(old, new, at, b, a)


def _nullability(at: str, b: ir.TypeRef, a: ir.TypeRef, direction: str) -> Iterator[Change]:
    if _is_nullable(a) == _is_nullable(b):
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
        pairs.append((field_at, old_field.type, new_field.type))
    return changes, pairs


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
