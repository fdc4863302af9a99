"""Stage 5, render: the IR through Jinja2 templates into `{relative path: text}`, in memory.

The templates loop over the IR; everything they print that is not a fixed string comes from a
filter here: `pyrepr` (a Python literal), `doc` (text inside a docstring), `comment` (one line
of a `#` comment), `annotation` and `conv` (a type's annotation and converter expression).
Files that do not depend on the spec (`templates/runtime/*.py`) are copied as they are.
A wheel carries the templates precompiled (`compile_templates`, run by `hatch_build.py`); they
are used only while their stamp matches the templates beside them (`template_loader`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import json
import re
import warnings
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

import jinja2

from generator import ir, templates_dir, value_types

RUNTIME_FILES = ("_formats.py", "_models.py", "_runtime.py", "_waiters.py", "_wire.py", "errors.py")
SERVERS_FILE = "_servers.py"  # only in a client made of several documents (`generator.merge`)


def runtime_paths(package_name: str, layout: str) -> set[PurePosixPath]:
    """Where the static runtime files land: they are copied, not formatted again."""
    base = PurePosixPath(package_name) if layout == "project" else PurePosixPath()
    return {base / name for name in (*RUNTIME_FILES, SERVERS_FILE)}


# --- escaping: the security boundary between an untrusted spec and generated code -------------

_QUOTE_RUN = re.compile(
    r'"(?=")|"$'
)  # a quote that could start `"""` or merge with the closing one
# Control characters, line separators and lone surrogates (which no UTF-8 file can hold).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u2028\u2029\ud800-\udfff]")


def doc(text: str, indent: int = 0) -> str:
    """Spec text made safe inside a triple-quoted docstring (SECURITY: untrusted input).

    Backslashes, quotes followed by a quote, and a final quote are escaped, so the text can
    neither end the docstring nor form an escape sequence; control characters are dropped.
    """
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = text.replace("\\", "\\\\").strip()
    text = _QUOTE_RUN.sub('\\\\"', text)
    lines = [line.rstrip() for line in text.strip().split("\n")]
    pad = " " * indent
    return "\n".join(pad + line if line else "" for line in lines).lstrip()


# What `format.LINE_LENGTH` is; black and ruff format agree on the generated code only where the
# two filters below lay it out as black would (tests/test_black.py).
LINE_LENGTH = 100


def doc_closing(rendered: str) -> str:
    """A docstring `doc` rendered, laid out for closing quotes right after it as black lays it
    out (ruff format does neither): on a line of their own when the last line of a multi-line
    docstring would otherwise be too long; and a final escaped quote written `\\x22`, since black
    puts a space between `\\"` and the closing quotes and ruff format takes it out again."""
    if rendered.endswith('\\"'):
        rendered = rendered[:-2] + "\\x22"
    lines = rendered.split("\n")
    if len(lines) > 1 and len(lines[-1]) + 3 > LINE_LENGTH:
        rendered += "\n" + " " * (len(lines[-1]) - len(lines[-1].lstrip()))
    return rendered


def fitted(hint: str, width: int) -> str:
    """A parameter's annotation on a line `width` characters long without it: black wraps a
    union that does not fit in parentheses, ruff format splits it at `|`; both keep
    parentheses that are there."""
    return f"({hint})" if width + len(hint) > LINE_LENGTH and " | " in hint else hint


def comment(text: str) -> str:
    """Spec text made safe on one `#` comment line (SECURITY: untrusted input)."""
    return " ".join(_CONTROL.sub(" ", text).split())


def toml(text: str) -> str:
    """A TOML basic string (SECURITY: untrusted input): JSON's escaping, with non-ASCII kept
    as it is (TOML refuses surrogate-pair escapes) and DEL escaped (TOML refuses it raw)."""
    return json.dumps(_CONTROL.sub("", text), ensure_ascii=False).replace("\x7f", "\\u007f")


def pyrepr(value: Any) -> str:
    """A Python literal for a JSON-like value (SECURITY: the only way spec data becomes code)."""
    return repr(value)


# --- types --------------------------------------------------------------------------------------


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


def distribution_name(package_name: str) -> str:
    return package_name.replace("_", "-")


def version_numbers(version: str) -> list[int]:
    """The first three numbers in a version string: "v1.0.0" -> [1, 0, 0], "2022-11-28" ->
    [2022, 11, 28], "beta" -> []."""
    return [int(n) for n in re.findall(r"\d+", version)[:3]]


def package_version(spec_version: str, generator_version: str) -> str:
    """The generated package's version: `X.Y.Z.G`, where X.Y.Z are the first three numbers of
    the spec's `info.version` (missing ones are 0) and G encodes the generator's version as
    major*10000 + minor*100 + patch. Regenerating with a newer sdkgen or from a newer spec
    always gives a higher version, and both are valid PEP 440 release numbers."""
    spec = [*version_numbers(spec_version), 0, 0, 0][:3]
    gen = [*version_numbers(generator_version), 0, 0, 0][:3]
    serial = gen[0] * 10000 + gen[1] * 100 + gen[2]
    return ".".join(str(n) for n in [*spec, serial])


# --- the Jinja2 environment and the wheel's precompiled templates -----------------------------

# Every option of the Environment that shapes compiled code. Rendering and `compile_templates`
# (the wheel's precompiled templates) both build theirs in `_new_environment`, from these.
ENV_OPTIONS: dict[str, Any] = {
    "undefined": jinja2.StrictUndefined,
    "keep_trailing_newline": True,
    "trim_blocks": True,
    "lstrip_blocks": True,
    "autoescape": False,
}
# A wheel's templates, compiled to Python modules by its build hook (`hatch_build.py`).
PRECOMPILED = Path(__file__).resolve().parent / "_compiled"
STAMP = "stamp.json"  # beside the modules: what they were compiled from, and by which Jinja2


def _new_environment(
    loader: jinja2.BaseLoader, bytecode: jinja2.BytecodeCache | None = None
) -> jinja2.Environment:
    env = jinja2.Environment(loader=loader, bytecode_cache=bytecode, **ENV_OPTIONS)
    env.filters.update(  # the compiler checks filter names: compiling needs them too
        {
            "doc": doc,
            "doc_closing": doc_closing,
            "fitted": fitted,
            "comment": comment,
            "pyrepr": pyrepr,
            "toml": toml,
            "annotation": annotation,
            "arg_annotation": arg_annotation,
            "conv": conv,
        }
    )
    env.globals["must_give"] = must_give
    env.globals["must_read"] = must_read
    env.globals["forward_args"] = forward_args
    env.globals["form_hints"] = form_hints
    env.globals["form_parts"] = form_parts
    env.globals["smoke_body"] = smoke_body
    env.globals["operation_text"] = functools.partial(_operation_text, env)
    return env


# An operation's sync and async methods differ only in `async `/`await `: the macro renders once,
# with these markers (text from the spec never holds a NUL: `doc` drops control characters and
# `pyrepr` escapes them), and each client gets its own replacement. Rendering is most of the run's
# Python time on large specs.
_ASYNC, _AWAIT = "\x00async\x00", "\x00await\x00"
_OPERATIONS: dict[int, tuple[ir.Operation, str]] = {}


def _operation_text(env: jinja2.Environment, op: ir.Operation, is_async: bool) -> str:
    known = _OPERATIONS.get(id(op))
    if known is None or known[0] is not op:
        text = str(env.get_template("macros.jinja").module.operation(op, _ASYNC, _AWAIT))  # type: ignore[attr-defined]
        known = _OPERATIONS[id(op)] = (op, text)
    a, aw = ("async ", "await ") if is_async else ("", "")
    return known[1].replace(_ASYNC, a).replace(_AWAIT, aw)


def templates_digest(directory: Path) -> str:
    """sha256 over the sorted relative names and the bytes of every file under `directory`."""
    files = {p.relative_to(directory).as_posix(): p for p in directory.rglob("*") if p.is_file()}
    digest = hashlib.sha256()
    for name in sorted(files):
        data = files[name].read_bytes()
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def _jinja2_version() -> str:
    """Jinja2's version: its `__version__` costs nothing, where importlib.metadata takes tens
    of ms to import and ~2 ms to look up; Jinja2 3.2 deprecates the attribute, 3.3 drops it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        version = getattr(jinja2, "__version__", None)
    if isinstance(version, str):
        return version
    from importlib.metadata import version as installed

    return installed("jinja2")


def _stamp(templates: Path) -> dict[str, str]:
    """What compiled templates depend on: the sources, Jinja2's compiler and the options."""
    return {
        "templates_sha256": templates_digest(templates),
        "jinja2": _jinja2_version(),
        "options": repr(sorted(ENV_OPTIONS.items())),
    }


def compile_templates(target: Path, templates: Path | None = None) -> None:
    """Compile every template of `templates` (default: the package templates in use) into
    Python modules in `target`, for `jinja2.ModuleLoader`, and write their stamp beside them."""
    source = templates if templates is not None else templates_dir() / "package"
    env = _new_environment(jinja2.FileSystemLoader(source))
    env.compile_templates(target, zip=None, ignore_errors=False)
    stamp = json.dumps(_stamp(source), indent=2, sort_keys=True) + "\n"
    (target / STAMP).write_text(stamp, encoding="utf-8")


def template_loader(compiled: Path = PRECOMPILED) -> jinja2.BaseLoader:
    """A `ModuleLoader` on the precompiled templates in `compiled` when their stamp matches
    the templates in use, this Jinja2 and `ENV_OPTIONS`; otherwise (an editable install, an
    edited template, another Jinja2) a `FileSystemLoader` on the templates themselves, so stale
    or foreign compiled code is never run. The check reads seven small files: well under 2 ms."""
    templates = templates_dir() / "package"
    try:
        recorded = json.loads((compiled / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        recorded = None
    if recorded is not None and recorded == _stamp(templates):
        return jinja2.ModuleLoader(compiled)
    return jinja2.FileSystemLoader(templates)


class _QuietBytecodeCache(jinja2.FileSystemBytecodeCache):
    """Jinja2's bytecode cache, whose failures (a full disk, a file-size limit) only cost
    speed, like those of sdkgen's own cache."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().load_bytecode(bucket)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


@functools.cache
def _environment(root: Path | None) -> jinja2.Environment:
    """The Jinja2 environment: precompiled templates when the wheel has valid ones; otherwise
    compiled on first use and, with a cache `root`, kept there."""
    from generator.cache import code_fingerprint

    loader = template_loader()
    bytecode = None
    if root is not None and not isinstance(loader, jinja2.ModuleLoader):
        # compiled templates, keyed by sdkgen's code: compiling costs 0.15-0.3 s
        directory = root / "jinja" / code_fingerprint()[:16]
        try:
            directory.mkdir(parents=True, exist_ok=True)
            bytecode = _QuietBytecodeCache(str(directory))
        except OSError:
            bytecode = None
    return _new_environment(loader, bytecode)


TEMPLATES = {
    "pyproject.toml.jinja": "pyproject.toml",
    "README.md.jinja": "README.md",
    "tests/test_smoke.py.jinja": "tests/test_smoke.py",
    "__init__.py.jinja": "{package}/__init__.py",
    "_client.py.jinja": "{package}/_client.py",
    "models.py.jinja": "{package}/models.py",
}


def render(
    api: ir.Api,
    *,
    generator_version: str,
    spec_sha256: str,
    overlays: tuple[tuple[str, str], ...] = (),
    spec_files: tuple[tuple[str, str], ...] = (),
    version: str | None = None,
    layout: str = "project",
    cache_root: Path | None = None,
    documents: tuple[dict[str, Any], ...] = (),
) -> dict[PurePosixPath, str]:
    """Every file of the generated project (`layout="project"`: pyproject.toml, README.md,
    tests/ and the package) or of the package alone (`layout="package"`, for vendoring).
    `documents`: the provenance of each document when several make the client (file, prefix,
    sha256, overlays); `spec_sha256` is then the set's digest."""
    env = _environment(cache_root)
    _OPERATIONS.clear()  # this API's operations only: nothing kept alive from an earlier one
    context = {
        "api": api,
        "generator_version": generator_version,
        "spec_sha256": spec_sha256,
        "overlays": overlays,
        "spec_files": spec_files,
        "documents": documents,
        "version": version or package_version(api.spec_version, generator_version),
        "distribution": distribution_name(api.package_name),
        "client_imports": client_imports(api),
        "typing_imports": typing_imports(api),
        "client_stdlib_imports": client_stdlib_imports(api),
        "models_stdlib_imports": models_stdlib_imports(api),
        "model_typing_imports": model_typing_imports(api),
        "example_args": functools.partial(example_args, api=api),
        "smoke_expectation": functools.partial(smoke_expectation, api=api),
        "model_exports": export_order([e.name for e in api.enums] + [m.name for m in api.models]),
    }
    pairs = [(g, op) for g in api.groups for op in g.operations]
    context["first_call"] = pairs[0] if pairs else None
    context["waiter_call"] = next(((g, op) for g, op in pairs if op.waiter is not None), None)
    context["examples_use_datetime"] = any(
        "datetime." in example_args(op, api) for group in api.groups for op in group.operations
    )
    context["examples_use_models"] = any(
        "models." in example_args(op, api) + str(smoke_expectation(op, api).result)
        for group in api.groups
        for op in group.operations
    )
    files = {
        PurePosixPath(target.format(package=api.package_name)): env.get_template(source).render(
            context
        )
        for source, target in TEMPLATES.items()
    }
    runtime = templates_dir() / "runtime"
    for name in RUNTIME_FILES:
        files[PurePosixPath(api.package_name, name)] = (runtime / name).read_text(encoding="utf-8")
    if any(g.base_url for g in api.groups):
        text = (runtime / SERVERS_FILE).read_text(encoding="utf-8")
        files[PurePosixPath(api.package_name, SERVERS_FILE)] = text
    files[PurePosixPath(api.package_name, "py.typed")] = ""
    if layout == "package":  # the package's own files, at the top of the output
        package = PurePosixPath(api.package_name)
        files = {p.relative_to(package): t for p, t in files.items() if p.parts[0] == package.name}
    return files
