"""Schema typing of unions and value keywords: `oneOf`/`anyOf` (with their `discriminator`),
3.1 type arrays (`type: [string, integer]`), `const`, enums that are not classes (booleans,
mixed values), and 3.1 `prefixItems`. Part of `generator.schemas`, split along this seam.

A union's variants are typed one by one, flattened (a union inside a union adds its variants),
deduplicated, and merged where Python has one type for them (`Literal`s). Nullability (`null`
variants, `nullable`, a type array with `"null"`) becomes a `NullableType` around the union.
A flattened variant's discriminator is kept when the outer union has none and no other
variant has one. A variant typed `Any` makes the whole union `Any` (it accepts every value);
the note is the variant's own. How a value is decoded into a variant is the runtime's business
(`templates/runtime/_models.py`, `OneOf`).

Deliberately left out: the `allOf`-inheritance style of discriminator (a parent schema with a
`discriminator` and no `oneOf`, whose children `allOf` it): the parent is decoded as itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from generator import ir
from generator.diagnostics import warning

if TYPE_CHECKING:
    from generator.schemas import SchemaTyper

_COMPONENT_PREFIX = "#/components/schemas/"
_LITERAL_KINDS = (str, int, bool)  # what `typing.Literal` takes (floats and None it does not)


def literal_values(values: list[Any]) -> tuple[str | int | bool, ...] | None:
    """`values` without repeats when `Literal[...]` can hold all of them (True is not 1)."""
    unique: list[str | int | bool] = []
    for value in values:
        if type(value) not in _LITERAL_KINDS:
            return None
        if not any(type(u) is type(value) and u == value for u in unique):
            unique.append(value)
    return tuple(unique)


def value_type(typer: SchemaTyper, values: list[Any], at: str, what: str) -> ir.TypeRef:
    """The type of a `const` or of an enum that is not a class: booleans are `bool` (both
    values) or `Literal[True]`; strings, integers and booleans together a `Literal`; numbers
    with a fraction `float`; anything holding an array or object is untyped (SDK206)."""
    values = [v for v in values if v is not None]
    literal = literal_values(values)
    if literal is not None and literal:
        if set(literal) == {True, False} and all(isinstance(v, bool) for v in literal):
            return ir.BoolType()
        return ir.LiteralType(literal)
    if values and all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return ir.FloatType()
    message = f"{what} {'values include an array or an object' if values else 'is null'}"
    message += "; typed as Any"
    typer.diagnostics.append(warning("SDK206", at, message))
    return ir.AnyType(at)


def type_array(
    typer: SchemaTyper, schema: dict[str, Any], at: str, hints: tuple[str, ...]
) -> ir.TypeRef:
    """3.1 `type: [string, integer, ...]`: the union of the schema read with each type (the
    other keywords apply to the types they concern); `"null"` is nullability, added by the
    caller. The JSON types do not overlap, except an integer that is also a number."""
    kinds = [k for k in dict.fromkeys(schema["type"]) if k != "null" and isinstance(k, str)]
    typed: list[tuple[ir.TypeRef, str | None]] = [
        (typer.plain_type({**schema, "type": k}, at, hints), None) for k in kinds
    ]
    return combine(typer, typed, False, {}, at, exclusive=True)


def union(
    typer: SchemaTyper,
    schema: dict[str, Any],
    key: str,
    at: str,
    hints: tuple[str, ...],
) -> ir.TypeRef:
    """`schema[key]` (`oneOf` or `anyOf`) as one type: a variant, or a `UnionType`."""
    raw = schema[key]
    union_at = f"{at}/{key}"
    typed: list[tuple[ir.TypeRef, str | None]] = []  # (type, the variant's `$ref`)
    nullable = False
    for index, variant in enumerate(raw):
        if isinstance(variant, dict) and variant.get("type") == "null":
            nullable = True
            continue
        variant_hints = tuple(f"{h}{index}" for h in hints) if index else hints
        t = typer.type_of(variant, f"{union_at}/{index}", variant_hints)
        ref = variant.get("$ref") if isinstance(variant, dict) else None
        typed.append((t, ref if isinstance(ref, str) else None))
    return combine(typer, typed, nullable, schema, union_at, exclusive=key == "oneOf")


def combine(
    typer: SchemaTyper,
    typed: list[tuple[ir.TypeRef, str | None]],
    nullable: bool,
    schema: dict[str, Any],
    at: str,
    *,
    exclusive: bool,
) -> ir.TypeRef:
    """Typed variants as one type (see the module docstring)."""
    if not typed:
        return typer.untyped(at, "a union of `null` alone")
    variants: list[ir.TypeRef] = []
    refs: dict[str, ir.TypeRef] = {}
    for variant, ref in typed:
        t = variant.inner if isinstance(variant, ir.NullableType) else variant
        nullable = nullable or isinstance(variant, ir.NullableType)
        if isinstance(t, ir.AnyType):
            return t  # the variant's own diagnostic says why
        for part in t.variants if isinstance(t, ir.UnionType) else (t,):
            if part not in variants:
                variants.append(part)
        if ref is not None:
            refs[ref] = t
    variants = _merge_literals(variants)
    if len(variants) == 1:
        result: ir.TypeRef = variants[0]
    else:
        found = _discriminator(typer, schema, at, variants, refs) or _inner(typed, variants)
        result = ir.UnionType(tuple(variants), found, exclusive)
    return ir.NullableType(result) if nullable else result


def _inner(
    typed: list[tuple[ir.TypeRef, str | None]], variants: list[ir.TypeRef]
) -> ir.Discriminator | None:
    """The discriminator of the one variant that is a discriminated union (flattened into
    `variants`: `oneOf: [{$ref: Pet}, {type: "null"}]` keeps Pet's), its indexes moved to the
    variants' new places; None when there is no such variant, or more than one."""
    found: list[tuple[ir.UnionType, ir.Discriminator]] = []
    for variant, _ in typed:
        t = variant.inner if isinstance(variant, ir.NullableType) else variant
        if isinstance(t, ir.UnionType) and t.discriminator is not None:
            found.append((t, t.discriminator))
    if len(found) != 1:
        return None
    union, disc = found[0]
    moved = tuple(
        (value, variants.index(union.variants[i]))
        for value, i in disc.mapping
        if union.variants[i] in variants
    )
    return ir.Discriminator(disc.property, moved)


def _merge_literals(variants: list[ir.TypeRef]) -> list[ir.TypeRef]:
    """`Literal["a"] | Literal["b"]` -> `Literal["a", "b"]`, at the first one's place."""
    literals = [v for v in variants if isinstance(v, ir.LiteralType)]
    if len(literals) < 2:
        return variants
    merged = literal_values([value for lit in literals for value in lit.values])
    assert merged is not None  # they were literals already
    first = variants.index(literals[0])
    rest = [v for v in variants if not isinstance(v, ir.LiteralType)]
    return [*rest[:first], ir.LiteralType(merged), *rest[first:]]


def _discriminator(
    typer: SchemaTyper,
    schema: dict[str, Any],
    at: str,
    variants: list[ir.TypeRef],
    refs: dict[str, ir.TypeRef],
) -> ir.Discriminator | None:
    """The `discriminator` of a union: its explicit `mapping` (to `$ref`s or schema names),
    then each variant's schema name (the implicit mapping) unless explicitly taken."""
    raw = schema.get("discriminator")
    if not isinstance(raw, dict) or not isinstance(raw.get("propertyName"), str):
        return None
    prop = raw["propertyName"]
    disc_at = at.rsplit("/", 1)[0] + "/discriminator"
    mapping: dict[str, int] = {}
    explicit = raw["mapping"] if isinstance(raw.get("mapping"), dict) else {}
    for value, target in explicit.items():
        ref = target if str(target).startswith("#") else _COMPONENT_PREFIX + str(target)
        t = refs.get(ref)
        if t is None or t not in variants:
            message = f"mapping {value!r} -> {target!r} names no variant of the union; ignored"
            typer.diagnostics.append(warning("SDK225", f"{disc_at}/mapping", message))
            continue
        mapping[str(value)] = variants.index(t)
    targeted = set(mapping.values())
    for ref, t in refs.items():
        name = ref[len(_COMPONENT_PREFIX) :] if ref.startswith(_COMPONENT_PREFIX) else None
        if name is None or "/" in name or name in mapping or t not in variants:
            continue
        if variants.index(t) not in targeted:
            mapping[name] = variants.index(t)
    return ir.Discriminator(prop, tuple(sorted(mapping.items())))
