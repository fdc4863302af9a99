"""The Python text of literal, tuple and union types: their annotations and converter
expressions, for `generator.render` (whose `annotation` and `conv` handle the other kinds and
are passed in, for the variants).

Spec text (a `Literal`'s values, a discriminator's property and mapping) reaches generated code
only through `repr()` here (SECURITY: untrusted input); deduplicating union members never
splits inside such a literal.
"""

from __future__ import annotations

from collections.abc import Callable

from generator import ir

Text = Callable[[ir.TypeRef], str]


def annotation(t: ir.TypeRef, of: Text) -> str:
    """The annotation of `t`, a literal, tuple or union; `of` annotates the other kinds."""
    match t:
        case ir.LiteralType(values):
            return f"Literal[{', '.join(repr(v) for v in values)}]"
        case ir.TupleType(items, rest):
            if rest is None:
                return f"tuple[{', '.join(of(i) for i in items)}]"
            # Python 3.10 has no `tuple[A, *tuple[B, ...]]`: the positions share one union
            return f"tuple[{union_text([*items, rest], of)}, ...]"
        case ir.UnionType(variants):
            return union_text(list(variants), of)
    raise AssertionError(t)


def conv(t: ir.TypeRef, of: Text) -> str:
    """The converter expression of `t`, a literal, tuple or union (`_rt.OneOf(...)`)."""
    match t:
        case ir.LiteralType(values):
            return f"_rt.LiteralOf({', '.join(repr(v) for v in values)})"
        case ir.TupleType(items, rest):
            rest_conv = "None" if rest is None else of(rest)
            return f"_rt.TupleOf({tuple_text([of(i) for i in items])}, {rest_conv})"
        case ir.UnionType(variants, discriminator, exclusive):
            args = f"{tuple_text([of(v) for v in variants])}, exclusive={exclusive}"
            if discriminator is not None:
                mapping = dict(discriminator.mapping)
                args += f", tag={discriminator.property!r}, mapping={mapping!r}"
            return f"_rt.OneOf({args})"
    raise AssertionError(t)


def tuple_text(items: list[str]) -> str:
    """A tuple expression, without the trailing comma that makes black explode it."""
    return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"


def union_text(types: list[ir.TypeRef], of: Text) -> str:
    """`A | B` of the annotations of `types`, each member once (`E | str | str` -> `E | str`)."""
    members: list[str] = []
    for t in types:
        for member in top_level_members(of(t)):
            if member not in members:
                members.append(member)
    return " | ".join(members)


def top_level_members(text: str) -> list[str]:
    """The members of an annotation split at its ` | ` outside brackets and outside the string
    literals of a `Literal[...]` (spec text, which may hold brackets and bars)."""
    members, depth, start, quote, escaped = [], 0, 0, "", False
    for i, char in enumerate(text):
        if quote:
            quote = "" if char == quote and not escaped else quote
            escaped = char == "\\" and not escaped
            continue
        quote = char if char in "'\"" else ""
        depth += (char == "[") - (char == "]")
        if depth == 0 and text.startswith(" | ", i):
            members.append(text[start:i])
            start = i + 3
    return [*members, text[start:]]
