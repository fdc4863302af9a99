"""The `x-sdkgen-*` extensions: where each may appear and what its value must be.

| key | where | value |
|---|---|---|
| `x-sdkgen-name` | an operation, a schema | a Python identifier: the method or class name |
| `x-sdkgen-group` | an operation | the client attribute the operation hangs on (snake_cased) |
| `x-sdkgen-retries` | an operation | `{max_retries: 0-10, idempotent: bool}` (both optional) |
| `x-sdkgen-waiter` | an operation | `{poll, id, status, success, failure, param}`: see `Waiter` |

`check` reports every misuse as an error (unknown keys included: a typo must not be silently
ignored); `waiter` and `retries` read the values the builder puts into the IR.
"""

from __future__ import annotations

from typing import Any

from generator import ir, naming
from generator.diagnostics import Diagnostic, error

PREFIX = "x-sdkgen-"
_OPERATION_ONLY = {"x-sdkgen-group", "x-sdkgen-retries", "x-sdkgen-waiter"}
KNOWN = {"x-sdkgen-name", *_OPERATION_ONLY}
_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
_WAITER_KEYS = {"poll", "id", "status", "success", "failure", "param"}
_RETRY_KEYS = {"max_retries", "idempotent"}
MAX_RETRIES = 10


def check(doc: dict[str, Any]) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    stack: list[tuple[Any, tuple[str, ...]]] = [(doc, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, list):
            stack.extend((v, (*path, str(i))) for i, v in enumerate(node))
        elif isinstance(node, dict):
            for key, value in node.items():
                if isinstance(key, str) and key.startswith(PREFIX):
                    found += _check_key(key, value, path, doc)
                elif key not in ("example", "examples", "default", "enum", "const"):
                    stack.append((value, (*path, str(key))))
    return sorted(found, key=lambda d: d.pointer)


def _at(path: tuple[str, ...], key: str) -> str:
    escaped = (p.replace("~", "~0").replace("/", "~1") for p in (*path, key))
    return "#/" + "/".join(escaped)


def _is_operation(path: tuple[str, ...]) -> bool:
    return len(path) == 3 and path[0] == "paths" and path[2] in _METHODS


def _check_key(
    key: str, value: Any, path: tuple[str, ...], doc: dict[str, Any]
) -> list[Diagnostic]:
    at = _at(path, key)
    if key not in KNOWN:
        known = ", ".join(sorted(KNOWN))
        return [error("SDK120", at, f"unknown extension {key!r} (known: {known})")]
    if key in _OPERATION_ONLY and not _is_operation(path):
        return [error("SDK121", at, f"{key} belongs on an operation")]
    if key == "x-sdkgen-name":
        return _check_name(value, at, _is_operation(path))
    if key == "x-sdkgen-group":
        ok = isinstance(value, str) and naming.words(value) != []
        return [] if ok else [error("SDK122", at, f"x-sdkgen-group must be a name, got {value!r}")]
    if key == "x-sdkgen-retries":
        return _check_retries(value, at)
    problems = _check_waiter(value, at)
    poll = value.get("poll") if isinstance(value, dict) else None
    if isinstance(poll, str) and _find_operation(doc, poll) is None:
        problems.append(error("SDK122", f"{at}/poll", f"no operation has operationId {poll!r}"))
    return problems


def _check_name(value: Any, at: str, is_operation: bool) -> list[Diagnostic]:
    """A Python identifier that the generated code does not use itself."""
    if not (isinstance(value, str) and naming.is_identifier(value)):
        return [error("SDK122", at, f"x-sdkgen-name must be a Python identifier, got {value!r}")]
    scope = naming.member_scope() if is_operation else naming.class_scope(naming.CLIENT_CLASSES)
    if naming.reserved(value, scope):
        what = "method" if is_operation else "class"
        message = f"x-sdkgen-name {value!r} is reserved: the generated code uses that {what} name"
        return [error("SDK122", at, message)]
    return []


def _check_retries(value: Any, at: str) -> list[Diagnostic]:
    if not isinstance(value, dict) or set(value) - _RETRY_KEYS:
        return [
            error("SDK122", at, "x-sdkgen-retries must be {max_retries: int, idempotent: bool}")
        ]
    retries = value.get("max_retries", 0)
    if not isinstance(retries, int) or isinstance(retries, bool) or not 0 <= retries <= MAX_RETRIES:
        return [
            error("SDK122", f"{at}/max_retries", f"max_retries must be an integer 0-{MAX_RETRIES}")
        ]
    if not isinstance(value.get("idempotent", False), bool):
        return [error("SDK122", f"{at}/idempotent", "idempotent must be true or false")]
    return []


def _check_waiter(value: Any, at: str) -> list[Diagnostic]:
    if not isinstance(value, dict):
        return [error("SDK122", at, "x-sdkgen-waiter must be an object")]
    problems = [
        error("SDK122", f"{at}/{k}", f"unknown waiter key {k!r}")
        for k in sorted(set(value) - _WAITER_KEYS)
    ]
    for key in ("poll", "id", "status"):
        if not isinstance(value.get(key), str):
            problems.append(error("SDK122", f"{at}/{key}", f"waiter needs {key!r} (a string)"))
    for key in ("id", "status"):
        pointer = value.get(key)
        if isinstance(pointer, str) and not pointer.startswith("/"):
            problems.append(
                error("SDK122", f"{at}/{key}", f"{key} must be a JSON pointer like /job/id")
            )
    for key in ("success", "failure"):
        states = value.get(key)
        if not (isinstance(states, list) and states and all(isinstance(s, str) for s in states)):
            problems.append(
                error("SDK122", f"{at}/{key}", f"waiter needs {key!r}: a list of status values")
            )
    if "param" in value and not isinstance(value["param"], str):
        problems.append(error("SDK122", f"{at}/param", "param must name a path parameter"))
    return problems


def _find_operation(doc: dict[str, Any], operation_id: str) -> dict[str, Any] | None:
    paths = doc.get("paths")
    for item in paths.values() if isinstance(paths, dict) else ():
        for method, op in item.items() if isinstance(item, dict) else ():
            if (
                method in _METHODS
                and isinstance(op, dict)
                and op.get("operationId") == operation_id
            ):
                return op
    return None


def retries(op: dict[str, Any]) -> ir.Retries | None:
    value = op.get("x-sdkgen-retries")
    if not isinstance(value, dict) or _check_retries(value, "#"):
        return None
    return ir.Retries(max_retries=value.get("max_retries"), idempotent=value.get("idempotent"))


def waiter(op: dict[str, Any]) -> dict[str, Any] | None:
    """The waiter declaration of `op` when it is well-formed (`check` reports it otherwise)."""
    value = op.get("x-sdkgen-waiter")
    return value if isinstance(value, dict) and not _check_waiter(value, "#") else None
