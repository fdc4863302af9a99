"""Schema typing: the IR type of every schema a document's operations reach.

Handled in order of precedence: `$ref` (local only; component schemas become named
classes, other targets are inlined; in 3.1 a `nullable: true` beside it is honoured), `allOf`
(one part besides annotation-only parts: an alias, where `nullable: false` narrows a nullable
target; several: their object parts merged into one model), `oneOf`/`anyOf` (unions, typed in
`generator.unions`), `const`, `enum` (string and integer enums are classes; booleans and mixed
values are `bool`/`Literal`), then `type` (3.1 type arrays are unions; `prefixItems` tuples).
Inline objects and enums are named by their `title` when no other schema shares it, otherwise
by their context: a model by its property name, then parent + property name (`SdUpscaleJob`);
an enum by parent + property name first (`CostUnit`), since bare value names are too generic.

Every fallback to `Any` carries a diagnostic at the schema's pointer (`AnyType.at`): SDK201
for schemas that allow any value (no type, `true`, a free-form object) and the named warnings
for broken ones (SDK202-206, SDK010); tests/test_no_silent_any.py walks every fixture's IR.
"""

from __future__ import annotations

import collections
from collections.abc import Callable, Iterator
from typing import Any, Literal

from generator import ir, naming, unions
from generator.diagnostics import Diagnostic, error, info, pointer, warning

_COMPONENT_PREFIX = "#/components/schemas/"
_SKIP_KEYS = frozenset({"example", "examples", "default", "enum", "const"})
_MAX_REF_HOPS = 64

Schema = dict[str, Any]


def _as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def decode_pointer(ref: str) -> list[str]:
    body = ref[1:].lstrip("/")
    return [p.replace("~1", "/").replace("~0", "~") for p in body.split("/")] if body else []


class SchemaTyper:
    """Types schemas into IR models, enums and type references, collecting diagnostics."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc
        self.diagnostics: list[Diagnostic] = []
        self.classes = naming.class_scope()
        for reserved in naming.CLIENT_CLASSES:
            self.classes.claim(reserved)
        self.models: dict[str, ir.Model] = {}
        self.enums: dict[str, ir.Enum] = {}
        self._named: dict[str, ir.TypeRef] = {}  # component pointer -> its type
        self._busy: set[str] = set()  # pointers being built (cycle guard)
        self._inline: dict[str, ir.TypeRef] = {}  # inline class schemas by pointer
        self._building: set[str] = set()  # models whose fields are being built
        self._noted: set[tuple[str, str]] = set()  # (code, pointer) of notes given once
        self._is_30 = str(doc.get("openapi", "")).startswith("3.0")
        self._component_names = self._claim_component_names()
        self._titles = self._count_titles()

    # --- references -----------------------------------------------------------------------

    def lookup(self, ref: str, at: str, *, report: bool = True) -> Any:
        """The node `ref` points to, or None (reported at `at`, the `$ref`'s own place)."""
        node: Any = self.doc
        for part in decode_pointer(ref):
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                if report:
                    self.diagnostics.append(error("SDK202", at, f"$ref {ref!r} points to nothing"))
                return None
        return node

    def resolve(self, node: Any, at: str) -> tuple[Any, str]:
        """Follow `$ref` chains (local ones only) to a node and its pointer."""
        for _ in range(_MAX_REF_HOPS):
            ref = node.get("$ref") if isinstance(node, dict) else None
            if not isinstance(ref, str):
                return node, at
            if not ref.startswith("#"):
                self.diagnostics.append(
                    error("SDK010", at, f"external $ref {ref!r} is not allowed")
                )
                return None, at
            node, at = self.lookup(ref, at), ref
        self.diagnostics.append(error("SDK203", at, "$ref chain does not end"))
        return None, at

    def _reachable(self) -> set[str]:
        """Pointers of the component schemas that some operation reaches."""
        seen: set[str] = set()
        stack: list[Any] = [self.doc.get("paths")]
        while stack:
            node = stack.pop()
            if isinstance(node, list):
                stack.extend(node)
            elif isinstance(node, dict):
                ref = node.get("$ref")
                if isinstance(ref, str) and ref.startswith("#") and ref not in seen:
                    seen.add(ref)
                    stack.append(self.lookup(ref, ref, report=False))
                stack.extend(v for k, v in node.items() if k not in _SKIP_KEYS)
        return {r for r in seen if _component_key(r) is not None}

    # --- naming -----------------------------------------------------------------------------

    def _claim_component_names(self) -> dict[str, str]:
        names: dict[str, str] = {}
        schemas = _as_dict(_as_dict(self.doc.get("components")).get("schemas"))
        for key in sorted(schemas, key=str):
            if _class_kind(schemas[key]) is not None:
                ptr = pointer("components", "schemas", str(key))
                wanted = x_name(schemas[key]) or naming.pascal(str(key))
                reserved = not self.classes.is_free(wanted)
                names[ptr] = self.classes.claim(wanted)
                if reserved and wanted in naming.RUNTIME_CLASSES | naming.BUILTINS:
                    message = (
                        f"class name {wanted!r} is used by the generated code; "
                        f"this schema's class is {names[ptr]!r}"
                    )
                    self.diagnostics.append(info("SDK224", ptr, message))
        return names

    def _count_titles(self) -> collections.Counter[str]:
        counts: collections.Counter[str] = collections.Counter()
        stack: list[tuple[Any, bool]] = [(self.doc.get("paths"), False)]
        schemas = _as_dict(_as_dict(self.doc.get("components")).get("schemas"))
        stack.extend((s, True) for s in schemas.values())
        while stack:
            node, is_root = stack.pop()
            if isinstance(node, list):
                stack.extend((v, False) for v in node)
            elif isinstance(node, dict):
                title = node.get("title")
                if not is_root and isinstance(title, str) and _class_kind(node) is not None:
                    counts[naming.pascal(title)] += 1
                stack.extend((v, False) for k, v in node.items() if k not in _SKIP_KEYS)
        return counts

    def _inline_name(self, schema: Schema, hints: tuple[str, ...]) -> str:
        candidates = list(hints)
        title = schema.get("title")
        explicit = x_name(schema)
        if explicit:
            candidates.insert(0, explicit)
        elif isinstance(title, str) and self._titles[naming.pascal(title)] == 1:
            candidates.insert(0, naming.pascal(title))
        for candidate in candidates:
            if self.classes.is_free(candidate):
                return self.classes.claim(candidate)
        return self.classes.claim(candidates[-1])

    # --- schemas ----------------------------------------------------------------------------

    def untyped(self, at: str, construct: str) -> ir.AnyType:
        """The `Any` fallback for `construct` at `at`, with its SDK201 note (once per place);
        tests/benchmarks/any_census.py counts the notes by the text before the `;`."""
        self._note("SDK201", at, f"{construct}; typed as Any")
        return ir.AnyType(at)

    def type_of(self, schema: Any, at: str, hints: tuple[str, ...]) -> ir.TypeRef:
        if isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
            result = self._ref_type(schema["$ref"], at, hints)
            # 3.1 honours a `$ref`'s siblings; 3.0 says to ignore them
            return _nullable(result) if not self._is_30 and _is_nullable(schema) else result
        if not isinstance(schema, dict):
            if schema is not True:
                self.diagnostics.append(warning("SDK204", at, "schema is not an object"))
                return ir.AnyType(at)
            return self.untyped(at, "a `true` schema (any value)")
        self._check_keywords(schema, at)
        inner = self._base_type(schema, at, hints)
        return _nullable(inner) if _is_nullable(schema) else inner

    def _check_keywords(self, schema: Schema, at: str) -> None:
        """Notes for what real documents get wrong: 3.1 keywords in 3.0, `nullable` alone."""
        if self._is_30:
            found: list[str] = [k for k in ("const", "examples") if k in schema]
            found += ["type: [...]"] if isinstance(schema.get("type"), list) else []
            if found:
                message = f"OpenAPI 3.1 keywords in a 3.0 document: {', '.join(found)}"
                self.diagnostics.append(warning("SDK217", at, message))
        shaped = {"type", "$ref", "allOf", "oneOf", "anyOf", "enum", "properties", "items"}
        if schema.get("nullable") is True and not shaped & schema.keys():
            message = "`nullable` without `type` has no effect in OpenAPI 3.0; typed as Any"
            self.diagnostics.append(info("SDK216", at, message))

    def _ref_type(self, ref: str, at: str, hints: tuple[str, ...]) -> ir.TypeRef:
        if not ref.startswith("#"):
            self.diagnostics.append(error("SDK010", at, f"external $ref {ref!r} is not allowed"))
            return ir.AnyType(at)
        if _component_key(ref) is not None:
            return self.component(ref, at)
        self._note("SDK215", at, f"$ref {ref!r} points into another schema; its target is inlined")
        if ref in self._busy:
            self.diagnostics.append(warning("SDK205", at, f"circular $ref {ref!r}; typed as Any"))
            return ir.AnyType(at)
        self._busy.add(ref)
        try:
            target, target_at = self.resolve({"$ref": ref}, at)
            return self.type_of(target, target_at, hints) if target is not None else ir.AnyType(at)
        finally:
            self._busy.discard(ref)

    def _note(self, code: str, at: str, message: str) -> None:
        if (code, at) not in self._noted:
            self._noted.add((code, at))
            self.diagnostics.append(info(code, at, message))

    def component(self, ref: str, used_at: str) -> ir.TypeRef:
        if ref in self._named:
            known = _strip(self._named[ref])
            if isinstance(known, ir.ModelRef) and known.name in self._building:
                self._note("SDK214", ref, f"{known.name} refers to itself: a recursive model")
            return self._named[ref]
        schema, at = self.resolve({"$ref": ref}, used_at)
        if schema is None:  # reported by resolve; remembered so it is reported once
            self._named[ref] = ir.AnyType(used_at)
            return self._named[ref]
        if not isinstance(schema, dict):
            return self.type_of(schema, at, ())
        name = self._component_names.get(ref)
        kind = _class_kind(schema)
        if name is None or kind is None:
            if ref in self._busy:
                self.diagnostics.append(warning("SDK205", ref, "circular $ref; typed as Any"))
                return ir.AnyType(ref)
            self._busy.add(ref)
            hint = naming.pascal(_component_key(ref) or "")
            result = self._named[ref] = self.type_of(schema, ref, (hint,))
            self._busy.discard(ref)
            return result
        named: ir.TypeRef = (
            ir.ModelRef(name)
            if kind == "model"
            else ir.EnumRef(name, _enum_value_type(schema) or "str")
        )
        self._named[ref] = _nullable(named) if _is_nullable(schema) else named
        if kind == "model":
            self._model(name, schema, ref)
        else:
            self._enum(name, schema, ref)
        return self._named[ref]

    def _base_type(self, schema: Schema, at: str, hints: tuple[str, ...]) -> ir.TypeRef:
        kind = _class_kind(schema)
        if kind is not None and at in self._inline:  # reached again: the same class
            known = self._inline[at]
            if isinstance(known, ir.ModelRef) and known.name in self._building:
                self._note("SDK214", at, "this schema contains itself: a recursive model")
            return known
        if kind is not None:
            name = self._inline_name(schema, hints)
            if kind == "model":
                self._inline[at] = ir.ModelRef(name)
                self._model(name, schema, at)
                return ir.ModelRef(name)
            self._inline[at] = self._enum(name, schema, at)
            return self._inline[at]
        core = _all_of_core(schema)
        if core:  # one part that says what the value is: an alias (several: a model)
            index, part = core[0]
            inner = self.type_of(part, f"{at}/allOf/{index}", hints)
            return _narrowed(inner, schema)
        for key in ("oneOf", "anyOf"):
            if isinstance(schema.get(key), list):
                return unions.union(self, schema, key, at, hints)
        if "const" in schema:
            return unions.value_type(self, [schema["const"]], f"{at}/const", "const")
        if isinstance(schema.get("enum"), list) and any(v is not None for v in schema["enum"]):
            inner = unions.value_type(self, schema["enum"], f"{at}/enum", "enum")
            return _nullable(inner) if None in schema["enum"] else inner
        return self.plain_type(schema, at, hints)

    def plain_type(self, schema: Schema, at: str, hints: tuple[str, ...]) -> ir.TypeRef:
        """A schema by its `type` (or its `properties`); several types are a union."""
        if _type_count(schema) > 1:
            return unions.type_array(self, schema, at, hints)
        kind = _json_type(schema)
        if kind == "string":
            fmt = schema.get("format")
            return ir.StrType(fmt if isinstance(fmt, str) else None)
        if kind == "integer":
            return ir.IntType()
        if kind == "number":
            return ir.FloatType()
        if kind == "boolean":
            return ir.BoolType()
        if kind == "array":
            return self._array_type(schema, at, hints)
        extra = schema.get("additionalProperties")
        if kind == "object" and isinstance(extra, dict) and extra:
            value_hints = tuple(h + "Value" for h in hints)
            return ir.MapType(self.type_of(extra, f"{at}/additionalProperties", value_hints))
        if kind == "object":
            return ir.MapType(self.untyped(at, "a free-form object (values of any type)"))
        return self.untyped(at, "a schema without a type (any value)")

    def _array_type(self, schema: Schema, at: str, hints: tuple[str, ...]) -> ir.TypeRef:
        item_hints = tuple(h + "Item" for h in hints)
        prefix = schema.get("prefixItems")
        if isinstance(prefix, list) and prefix:  # 3.1: positions typed, then `items` (the rest)
            items = tuple(
                self.type_of(p, f"{at}/prefixItems/{i}", item_hints) for i, p in enumerate(prefix)
            )
            rest = schema.get("items", True)
            limit = schema.get("maxItems")
            if rest is False or (type(limit) is int and limit <= len(items)):
                return ir.TupleType(items, None)
            if rest is True:
                return ir.TupleType(items, self.untyped(at, "items after `prefixItems` (any)"))
            return ir.TupleType(items, self.type_of(rest, f"{at}/items", item_hints))
        if "items" not in schema:
            return ir.ListType(self.untyped(at, "an array without `items` (items of any type)"))
        return ir.ListType(self.type_of(schema["items"], f"{at}/items", item_hints))

    def object_parts(self, schema: Schema, at: str) -> tuple[list[tuple[str, Any, str]], set[str]]:
        """Properties (name, schema, pointer) and required names of an object schema, with
        `allOf` parts merged in order (a later part's property replaces an earlier one)."""
        props: dict[str, tuple[Any, str]] = {}
        required: set[str] = set()
        for part, part_at in self._all_of_parts(schema, at, depth=0):
            for key, sub in _as_dict(part.get("properties")).items():
                props[str(key)] = (sub, f"{part_at}/properties/{_escape(str(key))}")
            required.update(r for r in part.get("required", ()) if isinstance(r, str))
        return [(k, s, p) for k, (s, p) in props.items()], required

    def _all_of_parts(self, schema: Schema, at: str, depth: int) -> Iterator[tuple[Schema, str]]:
        if depth > _MAX_REF_HOPS:
            self.diagnostics.append(warning("SDK205", at, "allOf nesting too deep or circular"))
            return
        yield schema, at
        for i, part in enumerate(schema.get("allOf") or ()):
            resolved, part_at = self.resolve(part, f"{at}/allOf/{i}")
            if isinstance(resolved, dict):
                yield from self._all_of_parts(resolved, part_at, depth + 1)

    def fields(
        self,
        schema: Schema,
        at: str,
        parent: str,
        scope: naming.Scope,
        rename: Callable[[str], str] = str,
        *,
        request_only: bool = False,
    ) -> tuple[ir.Field, ...]:
        """The fields of an object schema; `request_only` (a body's properties as arguments)
        leaves `readOnly` ones out, since a request never sends them."""
        props, required = self.object_parts(schema, at)
        result = []
        for wire, sub, sub_at in props:
            target, _ = self.resolve(sub, sub_at)
            target = _as_dict(target)
            read_only, write_only = _flag(sub, target, "readOnly"), _flag(sub, target, "writeOnly")
            if read_only and request_only:  # never sent: not an argument
                continue
            description = _text(_as_dict(sub).get("description")) or _text(
                target.get("description")
            )
            py_name = scope.claim(rename(naming.snake(wire, "field")))
            short, long = naming.pascal(wire, "Field"), parent + naming.pascal(wire, "Field")
            hints = (long, short) if _class_kind(target) == "enum" else (short, long)
            result.append(
                ir.Field(
                    py_name=py_name,
                    wire_name=wire,
                    type=self.type_of(sub, sub_at, hints),
                    required=wire in required,
                    description=description,
                    deprecated=target.get("deprecated") is True
                    or _as_dict(sub).get("deprecated") is True,
                    default=_default_of(target),
                    read_only=read_only,
                    write_only=write_only,
                )
            )
        return tuple(result)

    def is_read_only(self, sub: Any) -> bool:
        """A property marked `readOnly` (beside its `$ref`, or in its target); quiet: `fields`
        reports what is wrong with the property."""
        target = sub
        for _ in range(_MAX_REF_HOPS):
            ref = target.get("$ref") if isinstance(target, dict) else None
            if not isinstance(ref, str) or not ref.startswith("#"):
                break
            target = self.lookup(ref, "", report=False)
        return _flag(sub, _as_dict(target), "readOnly")

    def _model(self, name: str, schema: Schema, at: str) -> None:
        self.models[name] = ir.Model(name, "", (), at)  # placeholder: recursion sees the name
        self._building.add(name)
        fields = self.fields(schema, at, name, naming.member_scope())
        self._building.discard(name)
        self.models[name] = ir.Model(name, _text(schema.get("description")), fields, at)

    def _enum(self, name: str, schema: Schema, at: str) -> ir.TypeRef:
        value_type = _enum_value_type(schema)
        assert value_type is not None  # _class_kind said "enum"
        scope = naming.Scope()
        unique = list(dict.fromkeys(v for v in schema["enum"] if v is not None))
        members = tuple(ir.EnumMember(scope.claim(naming.constant(str(v))), v) for v in unique)
        self.enums[name] = ir.Enum(name, _text(schema.get("description")), members, value_type, at)
        result: ir.TypeRef = ir.EnumRef(name, value_type)
        return _nullable(result) if None in schema["enum"] else result

    def all_components(self) -> None:
        schemas = _as_dict(_as_dict(self.doc.get("components")).get("schemas"))
        for key in sorted(schemas, key=str):
            ref = pointer("components", "schemas", str(key))
            self.component(ref, ref)

    def report_unused(self, generated: bool) -> None:
        schemas = _as_dict(_as_dict(self.doc.get("components")).get("schemas"))
        reachable = self._reachable()
        unused = sorted(
            str(k) for k in schemas if pointer("components", "schemas", str(k)) not in reachable
        )
        if unused:
            shown = ", ".join(unused[:8]) + (", ..." if len(unused) > 8 else "")
            outcome = "generated as asked" if generated else "not generated"
            message = (
                f"{len(unused)} component schemas are not reachable from any operation "
                f"and are {outcome}: {shown}"
            )
            self.diagnostics.append(info("SDK207", "#/components/schemas", message))

    def is_field_body(self, schema: Any) -> bool:
        """A JSON object body whose properties become keyword arguments."""
        return (
            isinstance(schema, dict) and _class_kind(schema) == "model" and not _is_nullable(schema)
        )


def _flag(sub: Any, target: Schema, key: str) -> bool:
    return _as_dict(sub).get(key) is True or target.get(key) is True


def _default_of(schema: Any) -> str | None:
    return repr(schema["default"]) if isinstance(schema, dict) and "default" in schema else None


def _component_key(ref: str) -> str | None:
    if not ref.startswith(_COMPONENT_PREFIX):
        return None
    parts = decode_pointer(ref)
    return parts[2] if len(parts) == 3 else None


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def x_name(node: Schema) -> str | None:
    """An `x-sdkgen-name` that `extensions.check` accepts (a reserved one is refused there)."""
    value = node.get("x-sdkgen-name")
    ok = isinstance(value, str) and naming.is_identifier(value) and not value.startswith("_")
    return value if ok else None


def _type_count(schema: Schema) -> int:
    """How many types other than "null" a 3.1 type array names (1 for a plain `type`)."""
    kind = schema.get("type")
    if not isinstance(kind, list):
        return 1
    return len({k for k in kind if k != "null" and isinstance(k, str)})


def _json_type(schema: Schema) -> str | None:
    kind = schema.get("type")
    if isinstance(kind, list):  # 3.1 style; "null" handled by _is_nullable
        kinds = [k for k in kind if k != "null"]
        kind = kinds[0] if len(kinds) == 1 else None
    if kind is None and isinstance(schema.get("properties"), dict):
        return "object"
    return kind if isinstance(kind, str) else None


def _enum_value_type(schema: Schema) -> Literal["str", "int"] | None:
    """The type of an enum's values when they share one (None is nullability, not a value)."""
    raw = schema.get("enum")
    values = [v for v in raw if v is not None] if isinstance(raw, list) else []
    if values and all(isinstance(v, str) for v in values):
        return "str"
    if values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return "int"
    return None


def _class_kind(schema: Any) -> Literal["model", "enum"] | None:
    """Whether a schema becomes a class of its own (a dataclass model or an Enum)."""
    if not isinstance(schema, dict):
        return None
    if _enum_value_type(schema) is not None:
        return "enum"
    if isinstance(schema.get("properties"), dict) and schema["properties"]:
        return "model"
    if len(_all_of_core(schema)) > 1:
        return "model"
    return None


_ANNOTATIONS = frozenset(
    {
        "nullable",
        "description",
        "title",
        "deprecated",
        "readOnly",
        "writeOnly",
        "example",
        "default",
    }
)


def _all_of_core(schema: Schema) -> list[tuple[int, Any]]:
    """The `allOf` parts that say what a value is; parts holding only annotations
    (`{nullable: false, description: ...}`, a common way to annotate a `$ref`) are left out."""
    parts = schema.get("allOf")
    if not isinstance(parts, list):
        return []
    return [
        (i, p)
        for i, p in enumerate(parts)
        if not (isinstance(p, dict) and p.keys() <= _ANNOTATIONS)
    ]


def _narrowed(inner: ir.TypeRef, schema: Schema) -> ir.TypeRef:
    """`nullable: false` beside or inside an `allOf` narrows a nullable target."""
    parts = schema.get("allOf") or []
    says_false = schema.get("nullable") is False or any(
        isinstance(p, dict) and p.get("nullable") is False for p in parts
    )
    return inner.inner if says_false and isinstance(inner, ir.NullableType) else inner


def _is_nullable(schema: Schema) -> bool:
    kind = schema.get("type")
    return schema.get("nullable") is True or (isinstance(kind, list) and "null" in kind)


def _strip(t: ir.TypeRef) -> ir.TypeRef:
    return t.inner if isinstance(t, ir.NullableType) else t


def _nullable(inner: ir.TypeRef) -> ir.TypeRef:
    if isinstance(inner, ir.NullableType | ir.AnyType):
        return inner
    return ir.NullableType(inner)
