"""Stage 3, validate: openapi-spec-validator over the document, each error a diagnostic.

`quickcheck` first tries to prove the document valid in milliseconds; only when it cannot does
openapi-spec-validator run (0.3 s to import, up to seconds on large documents), so its verdict
and messages are what users see: on the part of the document `locate` cannot prove valid (3.0
and 3.1), or on all of it (what `quickcheck.version_of` and `modelled_keys` leave out). Its
errors come back located by `osv`, each once, in document order; `pattern`s are checked here
(SDK015). A walk that runs out of stack is SDK004 at the schema where it started.

External `$ref`s are refused before the validator runs, because resolving them would make the
validator read files or URLs named by an untrusted document. An unresolvable local `$ref`, which
the validator reports by raising, becomes a diagnostic too.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterable, Iterator
from typing import Any

from generator import locate, osv, quickcheck
from generator.diagnostics import Diagnostic, Severity, error, pointer, warning


def external_refs(data: Any) -> list[Diagnostic]:
    """Every `$ref` that leaves the document (another file or a URL), as an error."""
    found: list[Diagnostic] = []
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(data, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and not ref.startswith("#"):
                found.append(
                    error("SDK010", pointer(*path, "$ref"), f"external $ref {ref!r} is not allowed")
                )
            stack.extend(
                (v, (*path, str(k))) for k, v in node.items() if not _is_data(path, str(k))
            )
        elif isinstance(node, list):
            stack.extend((v, (*path, i)) for i, v in enumerate(node))
    return sorted(found, key=lambda d: d.pointer)


# Defaults are data too, but openapi-spec-validator reads them through their `$ref`s (it would
# open the file or URL), so they are searched like the rest.
_DATA_KEYS = frozenset({"example", "enum", "const"})


def _is_data(path: tuple[str | int, ...], key: str) -> bool:
    """Whether `key` under `path` holds example data, where `$ref` is no reference."""
    in_example = len(path) >= 2 and path[-2] == "examples" and key == "value"
    return key in _DATA_KEYS or in_example


def string_keys(data: Any) -> tuple[Any, list[Diagnostic]]:
    """`data` with every mapping key a string, as in JSON. YAML reads `200:` or `2:` as an
    integer: such a key becomes its string (a warning each); one that then collides with an
    existing key is an error. Shared (aliased) nodes are converted once."""
    found: list[Diagnostic] = []
    done: dict[int, Any] = {}

    def convert(node: Any, path: tuple[str | int, ...]) -> Any:
        if not isinstance(node, dict | list) or id(node) in done:
            return done.get(id(node), node)
        if isinstance(node, list):
            done[id(node)] = node
            node[:] = [convert(v, (*path, i)) for i, v in enumerate(node)]
            return node
        fixed: dict[str, Any] = {}
        done[id(node)] = fixed
        for key, value in node.items():
            name = key if isinstance(key, str) else _yaml_text(key)
            if not isinstance(key, str):
                kind = type(key).__name__
                found.append(
                    warning(
                        "SDK014", pointer(*path, name), f"key {key!r} is a {kind}; read as {name!r}"
                    )
                )
                if name in node or name in fixed:
                    found.append(
                        error("SDK014", pointer(*path, name), f"key {name!r} is given twice")
                    )
            fixed[name] = convert(value, (*path, name))
        return fixed

    # Recursive: load.MAX_DEPTH (128) bounds the nesting well below the recursion limit.
    return convert(data, ()), sorted(found, key=lambda d: (d.pointer, d.code))


def _yaml_text(key: Any) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    return "null" if key is None else str(key)


def validate(data: dict[str, Any]) -> list[Diagnostic]:
    leaves, patterns = _scan(data)
    refused = external_refs(data) if leaves else []
    if refused:
        return refused
    version = str(data.get("openapi", ""))
    if not version.startswith("3."):
        found = data.get("swagger") or data.get("openapi")
        what = f"version {found!r}" if found else "no 'openapi' field"
        return [error("SDK011", pointer("openapi"), f"not an OpenAPI 3.x document ({what})")]
    warned = pattern_warnings(data) if any(map(regex_error, patterns)) else []
    modelled = quickcheck.version_of(data)
    if modelled is None or not quickcheck.modelled_keys(data, modelled):
        return ordered([*warned, *_iter_errors(data, version)])
    if quickcheck.proves_valid(data, keys_checked=True):  # otherwise the validator decides
        return warned
    suspect = locate.reduced(data, keys_checked=True)  # the parts that may be invalid
    return ordered([*warned, *_iter_errors(data if suspect is None else suspect, version)])


def _scan(data: Any) -> tuple[bool, set[str]]:
    """One cheap walk (no paths kept) that over-approximates two others: whether any `$ref`
    anywhere leaves the document, and every `pattern` string anywhere. Most documents have
    neither an external `$ref` nor a bad pattern, and then need neither walk with paths."""
    leaves, patterns = False, set()
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            ref, pattern = node.get("$ref"), node.get("pattern")
            leaves = leaves or (isinstance(ref, str) and not ref.startswith("#"))
            if isinstance(pattern, str):
                patterns.add(pattern)
            stack.extend(v for v in node.values() if isinstance(v, dict | list))
        elif isinstance(node, list):
            stack.extend(v for v in node if isinstance(v, dict | list))
    return leaves, patterns


# What --skip-validation skips: the validator's findings (external $refs are refused anyway).
SKIPPABLE = frozenset({"SDK012", "SDK013"})


def skipping_helps(found: Iterable[Diagnostic]) -> bool:
    """Whether --skip-validation would get past every error in `found`."""
    codes = {d.code for d in found if d.severity is Severity.ERROR}
    return bool(codes) and codes <= SKIPPABLE


def ordered(found: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Each diagnostic once, in document order: the same text whatever the validator's walk."""
    return sorted(set(found), key=lambda d: (_pointer_key(d.pointer), d.code, d.message))


def _pointer_key(text: str) -> tuple[tuple[int, int, str], ...]:
    """Array indexes in numeric order, before keys."""
    parts = text.split("/")[1:]
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts)


def pattern_warnings(data: Any) -> list[Diagnostic]:
    """Every `pattern` that is not an ECMA-262 regular expression (`regress` cannot compile it):
    a warning, since the generated client does not enforce patterns (SDK015)."""
    found = []
    for path, text in _patterns(data):
        reason = regex_error(text)
        if reason is not None:
            message = f"pattern {text!r} cannot be checked as an ECMA-262 regular expression"
            found.append(warning("SDK015", pointer(*path), f"{message}: {reason}"))
    return ordered(found)


def _patterns(data: Any) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Every `pattern` string of a schema (outside examples, defaults and enums)."""
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(data, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict):
            if isinstance(node.get("pattern"), str) and path[-1:] != ("properties",):
                yield (*path, "pattern"), node["pattern"]
            stack.extend(
                (v, (*path, str(k))) for k, v in node.items() if not _is_value(path, str(k))
            )
        elif isinstance(node, list):
            stack.extend((v, (*path, i)) for i, v in enumerate(node))


def _is_value(path: tuple[str | int, ...], key: str) -> bool:
    return key in ("default", "x-example") or _is_data(path, key)


@functools.cache
def regex_error(pattern: str) -> str | None:
    """Why `regress` (an ECMA-262 engine, the one openapi-schema-validator uses) refuses
    `pattern`, or None."""
    import regress

    try:
        regress.Regex(pattern)
    except regress.RegressError as exc:
        return _first_line(exc) or "not a valid regular expression"
    return None


def _iter_errors(data: dict[str, Any], version: str, fast: bool = True) -> Iterator[Diagnostic]:
    # Its pure-Python backend, whose messages and paths the diagnostics are built on, even
    # though jsonschema-rs (which the quick check uses) is installed.
    os.environ["OPENAPI_SPEC_VALIDATOR_SCHEMA_VALIDATOR_BACKEND"] = "jsonschema"
    validator = osv.spec_validator(version, data, fast)
    errors = iter(validator.iter_errors())
    locations: osv.Locations = validator.keyword_validators_registry.locations
    while True:
        try:
            found = next(errors)
        except StopIteration:
            return
        except RecursionError as exc:
            where = _overflowed_at(exc, locations)
            yield error("SDK004", where, "the document nests too deeply to be validated")
            return
        except Exception as exc:  # the validator raises on a $ref it cannot resolve
            yield _unresolvable(data, exc)
            return
        yield _diagnostic(found, locations)


def _overflowed_at(exc: BaseException, locations: osv.Locations) -> str:
    """Where the schema is whose walk ran out of stack: the outermost `schema` the validator's
    frames hold, placed in the document. Not the innermost: how deep the stack goes depends on
    where the walk started (a worker process or not), the outermost schema does not."""
    tb = exc.__traceback__
    while tb is not None:
        schema = tb.tb_frame.f_locals.get("schema")
        if hasattr(schema, "read_value"):
            return pointer(*osv._where(locations, (schema,)))
        tb = tb.tb_next
    return "#"


_MISSING = re.compile(r"'(/[^']*)' does not exist within")


def _unresolvable(data: Any, exc: Exception) -> Diagnostic:
    """SDK012 at the first `$ref` to what the validator could not resolve (its message quotes
    the whole document: never shown)."""
    text = _first_line(exc).split(" within ")[0]
    match = _MISSING.search(str(exc))
    target = "#" + match.group(1) if match else None
    stack: list[tuple[Any, tuple[str, ...]]] = [(data, ())]
    while stack and target is not None:
        node, path = stack.pop()
        if isinstance(node, dict):
            if node.get("$ref") == target:
                return error("SDK012", pointer(*path, "$ref"), f"$ref {target!r} points to nothing")
            stack.extend((v, (*path, str(k))) for k, v in reversed(list(node.items())))
        elif isinstance(node, list):
            stack.extend((v, (*path, str(i))) for i, v in reversed(list(enumerate(node))))
    return error("SDK012", "#", f"cannot resolve a reference: {text}")


def _diagnostic(found: Any, locations: osv.Locations) -> Diagnostic:
    """SDK013 at the deepest cause's absolute place, worded for a person."""
    cause = _deepest(found)
    base = getattr(found, osv.LOCATION, None)
    inner = tuple(str(p) for p in getattr(cause, "absolute_path", ()))
    path = (*base, *inner) if base is not None else inner
    message = _first_line(getattr(cause, "message", cause))
    if base is not None and base[-1:] == ("default",):
        message = _default_message(cause, message, locations)
    return error("SDK013", pointer(*path), message)


def _default_message(cause: Any, message: str, locations: osv.Locations) -> str:
    """A default that breaks its schema: which keyword of which schema."""
    keyword = getattr(cause, "validator", None)
    where = locations.of(getattr(cause, "schema", None))
    schema = f" of the schema at {pointer(*where)}" if where is not None else ""
    rule = f"keyword {keyword!r}{schema}" if isinstance(keyword, str) else f"its schema{schema}"
    return f"the default does not match: {message} ({rule})"


def _deepest(exc: Any) -> Any:
    """The most specific cause of a schema error: for `oneOf`/`anyOf` failures the validator
    reports the whole subschema; its deepest sub-error names the offending keyword."""
    while getattr(exc, "context", None):
        exc = max(exc.context, key=lambda e: (len(e.absolute_path), e.validator != "required"))
    return exc


def _first_line(value: object) -> str:
    text = str(value).strip().splitlines()
    line = text[0] if text else type(value).__name__
    return line if len(line) <= 300 else line[:297] + "..."
