"""Stage 4, build the IR (form bodies): how each property of an
`application/x-www-form-urlencoded` or `multipart/form-data` body goes on the wire.

Read from the media type's `encoding` object (OpenAPI 3.0.3/3.1.1 "Encoding Object"), one
`ir.PartEncoding` per property:
- `style`, `explode`, `allowReserved`: the query styles of the "Style Values" table, defaults
  included (`form`, exploded). A style the query does not allow is warning SDK222 and ignored.
  In a multipart body an explicit style sends the property as text parts named as the style's
  pairs (`file_link_data[create]`), as OpenAPI 3.1.1 says and Stripe's uploads use.
- `contentType`: kept when it is one concrete media type; a range (`image/*`) or a list
  (`image/png, image/jpeg`) leaves the choice to the runtime's default for the value.
- a multipart property is a file when it is a binary string (`format: binary`, or a 3.1
  `contentMediaType` without `contentEncoding`), or an array of them.
`headers` of an encoding entry are not sent (see the README's limits).

How the values are serialised at run time is `templates/runtime/_wire.py` (`form_body`,
`multipart_files`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from generator import ir
from generator.diagnostics import Diagnostic, warning

if TYPE_CHECKING:
    from generator.schemas import SchemaTyper

QUERY_STYLES = frozenset({"form", "spaceDelimited", "pipeDelimited", "deepObject"})


def is_multipart(media: str) -> bool:
    return media.split(";", maxsplit=1)[0].strip().lower() == "multipart/form-data"


def is_empty(schema: Any) -> bool:
    """An object that can hold no property at all (Stripe's 225 GET and DELETE bodies):
    no composition, and `properties: {}` or `additionalProperties: false` without properties.
    (A bare `type: object` is any object: it stays a bytes body, with a note.)"""
    if not isinstance(schema, dict) or schema.get("type", "object") != "object":
        return False
    if schema.get("properties") or any(k in schema for k in ("allOf", "oneOf", "anyOf")):
        return False
    closed = schema.get("additionalProperties") is False
    return closed or ("properties" in schema and not schema.get("additionalProperties"))


@dataclasses.dataclass(frozen=True, slots=True)
class Encodings:
    by_wire: dict[str, ir.PartEncoding]
    problems: list[Diagnostic]


def encodings(
    props: Iterable[tuple[str, Any, str]],
    encoding: Mapping[str, Any],
    media: str,
    at: str,
    typer: SchemaTyper,
) -> Encodings:
    """The encoding of each property (wire name, schema, pointer) of a form body."""
    multipart = is_multipart(media)
    found: dict[str, ir.PartEncoding] = {}
    problems: list[Diagnostic] = []
    for wire, sub, sub_at in props:
        entry = encoding.get(wire)
        entry = entry if isinstance(entry, dict) else {}
        entry_at = f"{at}/{wire.replace('~', '~0').replace('/', '~1')}"
        style = entry.get("style")
        if style is not None and style not in QUERY_STYLES:
            message = f"style {style!r} is not a query style; {wire!r} is sent as 'form'"
            problems.append(warning("SDK222", f"{entry_at}/style", message))
            style = None
        explode = entry.get("explode")
        content_type = entry.get("contentType")
        content_type = content_type.strip() if isinstance(content_type, str) else ""
        if "*" in content_type or "," in content_type:
            content_type = ""
        schema, _ = typer.resolve(sub, sub_at)
        found[wire] = ir.PartEncoding(
            style=style or "",
            explode=explode if isinstance(explode, bool) else None,
            allow_reserved=entry.get("allowReserved") is True,
            content_type=content_type,
            file=multipart and _is_file(schema, typer, sub_at),
        )
    return Encodings(found, problems)


def is_binary(media: str, schema: Any) -> bool:
    """A body whose right type is `bytes`: `application/octet-stream`, no schema, or a binary
    string (so passing it as bytes is no fallback, and no SDK201 note)."""
    base = media.split(";", 1)[0].strip().lower()
    return base == "application/octet-stream" or schema is None or _is_binary(schema)


def _is_binary(schema: Any) -> bool:
    if not isinstance(schema, dict):
        return False
    kind = schema.get("type")
    stringy = kind == "string" or (isinstance(kind, list) and "string" in kind)
    media = "contentMediaType" in schema and "contentEncoding" not in schema
    return stringy and (schema.get("format") == "binary" or media)


def _is_file(schema: Any, typer: SchemaTyper, at: str) -> bool:
    """A binary string, or an array of them (each item is a part of its own)."""
    if isinstance(schema, dict) and schema.get("type") == "array":
        items, _ = typer.resolve(schema.get("items"), f"{at}/items")
        return _is_binary(items)
    return _is_binary(schema)
