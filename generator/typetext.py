"""The Python text of IR types in generated code, for the templates: annotations, converter
expressions, example values (README and smoke test), signature helpers and the imports they need.

Literal, tuple and union text is in `generator.value_types`; every piece of spec text goes
through `generator.escape`.
"""

from __future__ import annotations

import dataclasses
import re
from urllib.parse import quote

from generator import ir, value_types
from generator.escape import pyrepr

# String formats read into Python values: responses and model fields hold these types.
# `datetime` and `uuid` are imported as `_dt` and `_uuid`, names no field, argument or class can
# take (`naming` drops leading underscores), so a field called `datetime` cannot shadow them.
_READ_FORMATS = {"date": "_dt.date", "date-time": "_dt.datetime"}
# What arguments accept besides a string (sent as RFC 3339, canonical UUID text, base64).
_ARG_FORMATS = {**_READ_FORMATS, "uuid": "_uuid.UUID", "byte": "bytes"}
_FORMAT_CONVS = {"date": "_rt.DATE", "date-time": "_rt.DATE_TIME"}


def annotation(t: ir.TypeRef) -> str:
    """The type of a value read from a response or held by a model."""
    match t:
        case ir.StrType(fmt):
            return _READ_FORMATS.get(fmt or "", "str")
        case ir.IntType():
            return "int"
        case ir.FloatType():
            return "float"
        case ir.BoolType():
            return "bool"
        case ir.AnyType():
            return "Any"
        case ir.ListType(item):
            return f"list[{annotation(item)}]"
        case ir.MapType(value):
            return f"dict[str, {annotation(value)}]"
        case ir.ModelRef(name):
            return name
        case ir.EnumRef(name, value_type):
            return f"{name} | {value_type}"  # open enums: an unknown value stays as it came
        case ir.NullableType(inner):
            return f"{annotation(inner)} | None"
    return value_types.annotation(t, annotation)


def arg_annotation(t: ir.TypeRef) -> str:
    """The type of a method argument: a formatted string also takes its Python value
    (`_dt.date | str`), in lists and maps too; a model keeps its own field types."""
    match t:
        case ir.StrType(fmt) if fmt in _ARG_FORMATS:
            return f"{_ARG_FORMATS[fmt]} | str"
        case ir.ListType(item):
            return f"list[{arg_annotation(item)}]"
        case ir.MapType(value):
            return f"dict[str, {arg_annotation(value)}]"
        case ir.NullableType(inner):
            return f"{arg_annotation(inner)} | None"
        case ir.UnionType() | ir.TupleType():
            return value_types.annotation(t, arg_annotation)
    return annotation(t)


def must_give(model: ir.Model, f: ir.Field) -> bool:
    """Whether the constructor requires `f`: it is required, and in every direction the model
    travels (a `readOnly` field is never sent, a `writeOnly` one never received)."""
    return (
        f.required
        and not (f.read_only and model.in_requests)
        and not (f.write_only and model.in_responses)
    )


def must_read(f: ir.Field) -> bool:
    """Whether strict reading fails when `f` is missing: `required` holds in responses
    unless the field is `writeOnly`."""
    return f.required and not f.write_only


def conv(t: ir.TypeRef) -> str:
    match t:
        case ir.StrType(fmt):
            return _FORMAT_CONVS.get(fmt or "", "_rt.STR")
        case ir.IntType():
            return "_rt.INT"
        case ir.FloatType():
            return "_rt.FLOAT"
        case ir.BoolType():
            return "_rt.BOOL"
        case ir.AnyType():
            return "_rt.ANY"
        case ir.ListType(item):
            return f"_rt.ListOf({conv(item)})"
        case ir.MapType(value):
            return f"_rt.MapOf({conv(value)})"
        case ir.ModelRef(name):
            return f"_rt.ModelOf({name})"
        case ir.EnumRef(name):
            return f"_rt.EnumOf({name})"
        case ir.NullableType(inner):
            return f"_rt.Nullable({conv(inner)})"
    return value_types.conv(t, conv)


_EXAMPLE_TEXT = {"date": "2024-01-31", "date-time": "2024-01-31T12:00:00Z"}
_EXAMPLE_VALUE = {
    "date": "datetime.date(2024, 1, 31)",
    "date-time": "datetime.datetime(2024, 1, 31, 12, tzinfo=datetime.timezone.utc)",
}


_PLAIN_EXAMPLES: dict[type, str] = {
    ir.StrType: '"string"',
    ir.IntType: "1",
    ir.FloatType: "1.0",
    ir.BoolType: "True",
}


def example(t: ir.TypeRef, api: ir.Api, depth: int = 0, *, arg: bool = True) -> str:
    """A Python expression of type `t`, for README examples and the generated smoke test;
    model and enum classes are named through the `models` module, dates in model fields
    through `datetime` (arguments take the string form)."""
    match t:
        case ir.StrType(fmt) if fmt in _EXAMPLE_TEXT:
            return repr(_EXAMPLE_TEXT[fmt]) if arg else _EXAMPLE_VALUE[fmt]
        case ir.StrType() | ir.IntType() | ir.FloatType() | ir.BoolType():
            return _PLAIN_EXAMPLES[type(t)]
        case ir.ListType(item) if depth < 3:
            return f"[{example(item, api, depth + 1, arg=arg)}]"
        case ir.EnumRef(name):
            enum = next(e for e in api.enums if e.name == name)
            return f"models.{name}.{enum.members[0].py_name}" if enum.members else '"value"'
        case ir.ModelRef(name) if depth < 3:
            model = next(m for m in api.models if m.name == name)
            args = ", ".join(
                f"{f.py_name}={example(f.type, api, depth + 1, arg=False)}"
                for f in model.fields
                if must_give(model, f)
            )
            return f"models.{name}({args})"
        case ir.NullableType(inner) | ir.UnionType((inner, *_)):
            return example(inner, api, depth, arg=arg)
        case ir.LiteralType(values):
            return pyrepr(values[0])
    if isinstance(t, ir.TupleType) and depth < 3:
        return value_types.tuple_text([example(i, api, depth + 1, arg=arg) for i in t.items])
    return (
        "{}"
        if isinstance(t, ir.MapType | ir.ModelRef)
        else "[]"
        if isinstance(t, ir.ListType)
        else "None"
    )


def example_args(op: ir.Operation, api: ir.Api) -> str:
    """Keyword arguments for a call of `op` with every required argument given."""
    args = [(p.py_name, example(p.type, api)) for p in op.params if p.required]
    if isinstance(op.body, ir.FormBody):
        args += [
            (f.py_name, 'b"..."' if e.file else example(f.type, api))
            for f, e in zip(op.body.fields, op.body.encodings, strict=True)
            if f.required
        ]
    elif isinstance(op.body, ir.JsonBody):
        args += [(f.py_name, example(f.type, api)) for f in op.body.fields if f.required]
    elif isinstance(op.body, ir.WholeBody) and op.body.required:
        value = example(op.body.type, api) if op.body.type is not None else 'b"..."'
        args.append((op.body.py_name, value))
    return ", ".join(f"{name}={value}" for name, value in args)


def form_hints(body: ir.FormBody) -> list[tuple[ir.Field, str]]:
    """Each field of a form body with its annotation: a file property takes `FileContent`."""
    found = []
    for field, encoding in zip(body.fields, body.encodings, strict=True):
        hint = arg_annotation(field.type)
        if encoding.file:
            t = field.type.inner if isinstance(field.type, ir.NullableType) else field.type
            hint = "list[_rt.FileContent]" if isinstance(t, ir.ListType) else "_rt.FileContent"
            hint += " | None" if isinstance(field.type, ir.NullableType) else ""
        found.append((field, hint))
    return found


def form_parts(body: ir.FormBody) -> list[str]:
    """The arguments of each `_rt.Part(...)`: the wire name, the value, then the encoding
    entries that differ from their defaults."""
    found = []
    for field, e in zip(body.fields, body.encodings, strict=True):
        args = [pyrepr(field.wire_name), field.py_name]
        args += [f"style={pyrepr(e.style)}"] if e.style else []
        args += [f"explode={e.explode}"] if e.explode is not None else []
        args += ["allow_reserved=True"] if e.allow_reserved else []
        args += [f"content_type={pyrepr(e.content_type)}"] if e.content_type else []
        args += ["file=True"] if e.file else []
        found.append(", ".join(args))
    return found


def forward_args(op: ir.Operation) -> str:
    """`name=name, ...` for every argument of `op`: how a waiter passes its arguments on."""
    names = [p.py_name for p in op.params]
    if isinstance(op.body, ir.JsonBody | ir.FormBody):
        names += [f.py_name for f in op.body.fields]
    elif isinstance(op.body, ir.WholeBody):
        names.append(op.body.py_name)
    return ", ".join(f"{name}={name}" for name in names)


def smoke_body(op: ir.Operation) -> str:
    """A JSON body of the right shape for `op`'s result, for the generated smoke test."""
    t = op.response.type
    t = t.inner if isinstance(t, ir.NullableType) else t
    if op.response.kind != "json" or not isinstance(t, ir.ListType | ir.ModelRef | ir.MapType):
        return "None"
    return "[]" if isinstance(t, ir.ListType) else "{}"


@dataclasses.dataclass(frozen=True)
class SmokeExpectation:
    """What the generated smoke test checks of the request an example call sends."""

    method: str
    path: str  # a regular expression for the decoded path (below the base URL)
    query: list[str]  # `name=` prefixes that must be in the query string
    headers: list[str]
    cookies: list[str]  # `name=` prefixes that must be in the Cookie header
    body: list[str] | None  # the JSON object keys of the body, or None: not a JSON object
    result: str | None  # `isinstance` target of the result, "None", or None: not checked


def smoke_expectation(op: ir.Operation, api: ir.Api) -> SmokeExpectation:
    required = [p for p in op.params if p.required]
    segments = {p.wire_name: _example_segment(p, api) for p in required if p.location == "path"}
    path = "".join(
        re.escape(part) if i % 2 == 0 else segments.get(part, "[^/]*")
        # a `#fragment` (Box tells operations on one path apart so) never reaches the server
        for i, part in enumerate(re.split(r"\{([^{}]+)\}", op.path.split("#")[0]))
    )
    body = None
    if isinstance(op.body, ir.JsonBody):
        body = sorted(f.wire_name for f in op.body.fields if f.required)

    def pairs(location: str) -> list[str]:
        return [
            quote(p.wire_name, safe="") + "="
            for p in required
            if p.location == location and not _is_object(p.type, api)
        ]

    return SmokeExpectation(
        method=op.method,
        path=path,
        query=pairs("query"),
        headers=[p.wire_name for p in required if p.location == "header"],
        cookies=pairs("cookie"),
        body=body,
        result=_result_check(op),
    )


def _example_segment(p: ir.Param, api: ir.Api) -> str:
    """The path segment of `example(p.type)` in `simple` style, decoded, as a regex (the
    encoding itself is pinned by sdkgen's own tests, not by the smoke test)."""
    t = p.type.inner if isinstance(p.type, ir.NullableType) else p.type
    texts = {ir.StrType: "string", ir.IntType: "1", ir.FloatType: "1.0", ir.BoolType: "true"}
    text = texts.get(type(t))
    if isinstance(t, ir.StrType) and t.format in _EXAMPLE_TEXT:
        text = _EXAMPLE_TEXT[t.format]
    if isinstance(t, ir.EnumRef):
        enum = next(e for e in api.enums if e.name == t.name)
        text = str(enum.members[0].value) if enum.members else None
    if text is None or p.style != "simple" or p.content_json:
        return "[^/]*"
    return re.escape(text)


def _is_object(t: ir.TypeRef, api: ir.Api) -> bool:
    inner = t.inner if isinstance(t, ir.NullableType) else t
    if isinstance(inner, ir.UnionType):
        return _is_object(inner.variants[0], api)
    return isinstance(inner, ir.ModelRef | ir.MapType | ir.AnyType)


def _result_check(op: ir.Operation) -> str | None:
    if op.response.kind == "empty":
        return "None"
    if op.response.kind == "bytes":
        return "bytes"
    t = op.response.type
    if isinstance(t, ir.NullableType):
        return None
    if isinstance(t, ir.ModelRef):
        return f"models.{t.name}"
    return {ir.ListType: "list", ir.MapType: "dict"}.get(type(t))


def names_in(t: ir.TypeRef) -> set[str]:
    """Model and enum names an annotation or converter of `t` mentions."""
    match t:
        case ir.ModelRef(name) | ir.EnumRef(name):
            return {name}
        case ir.ListType(inner) | ir.MapType(inner) | ir.NullableType(inner):
            return names_in(inner)
        case ir.TupleType(items, rest):
            return set().union(*(names_in(i) for i in (*items, *([rest] if rest else []))))
        case ir.UnionType(variants):
            return set().union(*(names_in(v) for v in variants))
    return set()


def _signature_types(api: ir.Api) -> list[ir.TypeRef]:
    """The types `_client.py` mentions: results, parameters and body arguments."""
    ops = [op for group in api.groups for op in group.operations]
    types = [op.response.type for op in ops if op.response.kind == "json"]
    types += _argument_types(ops)
    return types


def _argument_types(ops: list[ir.Operation]) -> list[ir.TypeRef]:
    types = [p.type for op in ops for p in op.params]
    for op in ops:
        if isinstance(op.body, ir.JsonBody | ir.FormBody):
            types += [f.type for f in op.body.fields]
        elif isinstance(op.body, ir.WholeBody) and op.body.type is not None:
            types.append(op.body.type)
    return types


def _stdlib_imports(annotations: list[str]) -> list[str]:
    """`import datetime as _dt` and `import uuid as _uuid`, when the annotations use them."""
    text = " ".join(annotations)
    wanted = (("_dt.", "import datetime as _dt"), ("_uuid.", "import uuid as _uuid"))
    return [line for prefix, line in wanted if prefix in text]


def client_stdlib_imports(api: ir.Api) -> list[str]:
    ops = [op for group in api.groups for op in group.operations]
    results = [annotation(op.response.type) for op in ops if op.response.kind == "json"]
    return _stdlib_imports(results + [arg_annotation(t) for t in _argument_types(ops)])


def models_stdlib_imports(api: ir.Api) -> list[str]:
    return _stdlib_imports([annotation(f.type) for m in api.models for f in m.fields])


def export_order(names: list[str]) -> list[str]:
    """`__all__` order as linters expect it: CONSTANTS, then Classes, then the rest."""
    return sorted(names, key=lambda n: (0 if n.isupper() else 1 if n[:1].isupper() else 2, n))


def client_imports(api: ir.Api) -> list[str]:
    """Names `_client.py` imports from `models.py`: those its signatures mention."""
    return sorted(set().union(*(names_in(t) for t in _signature_types(api))))


def typing_imports(api: ir.Api) -> list[str]:
    """What `_client.py` needs from `typing`: `cast` for results, `Any` for untyped values."""
    ops = [op for group in api.groups for op in group.operations]
    needed = {"TYPE_CHECKING"} | (
        {"cast"} if any(op.response.kind != "empty" for op in ops) else set()
    )
    texts = [arg_annotation(t) for t in _signature_types(api)]
    needed |= {"Any"} if any("Any" in text for text in texts) else set()
    needed |= {"Literal"} if any("Literal[" in text for text in texts) else set()
    return sorted(needed)


def model_typing_imports(api: ir.Api) -> list[str]:
    """What `models.py` needs from `typing`: `Any` (additional_properties) and `Literal`."""
    literal = any("Literal[" in annotation(f.type) for m in api.models for f in m.fields)
    return ["Any", "Literal"] if literal else ["Any"]
