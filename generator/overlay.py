"""Stage 2, overlay: apply OpenAPI Overlay 1.0 documents to the loaded spec, in order.

An overlay is `{overlay: 1.0.x, info: {title, version}, extends?, actions: [...]}`; each action
has a JSONPath `target` (RFC 9535, evaluated by `jsonpath-rfc9535`) and either `update` or
`remove: true`. Semantics, per the Overlay 1.0 specification:
- `update` on an object merges recursively: nested objects merge, arrays are appended to,
  anything else is replaced; `update` on an array appends the value to it.
- `remove: true` deletes every selected node from its parent (the root cannot be removed).
- An action whose target selects nothing is a warning (an error with `--strict`).
Every problem in an overlay is a diagnostic pointing into the overlay file
(`#/actions/3/target`). `extends` is informational: the spec to apply to is chosen by the caller.
"""

from __future__ import annotations

import copy
from typing import Any

from generator import load
from generator.diagnostics import Diagnostic, Fatal, error, has_errors, warning


def apply(doc: dict[str, Any], source: str) -> tuple[dict[str, Any], list[Diagnostic]]:
    """`doc` (changed in place and returned) with the overlay at `source` applied."""
    overlay = load.load(source).data
    problems = _check(overlay, source)
    if has_errors(problems):
        raise Fatal(problems)
    found: list[Diagnostic] = []
    for index, action in enumerate(overlay["actions"]):
        found += _apply_action(doc, action, index, source)
    return doc, found


def _check(overlay: dict[str, Any], source: str) -> list[Diagnostic]:
    """Structural errors of an overlay document, each with its pointer."""
    problems = []
    version = overlay.get("overlay")
    if not (isinstance(version, str) and version.startswith("1.0.")):
        problems.append(
            error("SDK030", "#/overlay", f"expected overlay: 1.0.x, got {version!r}", source)
        )
    info = overlay.get("info")
    if not isinstance(info, dict) or not all(
        isinstance(info.get(k), str) for k in ("title", "version")
    ):
        problems.append(error("SDK030", "#/info", "info needs a title and a version", source))
    actions = overlay.get("actions")
    if not isinstance(actions, list) or not actions:
        return [*problems, error("SDK030", "#/actions", "actions must be a non-empty list", source)]
    for index, action in enumerate(actions):
        problems += _check_action(action, index, source)
    return problems


def _check_action(action: Any, index: int, source: str) -> list[Diagnostic]:
    at = f"#/actions/{index}"
    if not isinstance(action, dict):
        return [error("SDK030", at, "an action must be an object", source)]
    problems = []
    target = action.get("target")
    if not isinstance(target, str) or not target.startswith("$"):
        problems.append(
            error("SDK030", f"{at}/target", "target must be a JSONPath starting with $", source)
        )
    else:
        import jsonpath_rfc9535 as jsonpath  # here: most runs apply no overlay

        try:
            jsonpath.compile(target)
        except jsonpath.JSONPathError as exc:
            problems.append(error("SDK031", f"{at}/target", f"invalid JSONPath: {exc}", source))
    remove = action.get("remove", False)
    if not isinstance(remove, bool):
        problems.append(error("SDK030", f"{at}/remove", "remove must be true or false", source))
    elif remove == ("update" in action):
        problems.append(
            error("SDK030", at, "an action needs exactly one of update and remove: true", source)
        )
    return problems


def _apply_action(
    doc: dict[str, Any], action: dict[str, Any], index: int, source: str
) -> list[Diagnostic]:
    import jsonpath_rfc9535 as jsonpath

    nodes = jsonpath.find(action["target"], doc)
    at = f"#/actions/{index}/target"
    if not nodes:
        return [
            warning(
                "SDK032", at, f"action {index}: target {action['target']!r} selects nothing", source
            )
        ]
    if action.get("remove"):
        return _remove(doc, [n.location for n in nodes], at, source)
    problems = []
    for node in nodes:
        if isinstance(node.value, dict) and isinstance(action["update"], dict):
            _merge(node.value, action["update"])
        elif isinstance(node.value, list):
            node.value.append(copy.deepcopy(action["update"]))
        else:
            what = f"{_describe(node.value)} at {node.path()}"
            message = f"action {index}: cannot update {what} with {_describe(action['update'])}"
            problems.append(error("SDK033", f"#/actions/{index}/update", message, source))
    return problems


def _merge(target: dict[str, Any], update: dict[str, Any]) -> None:
    for key, value in update.items():
        current = target.get(key)
        if isinstance(current, dict) and isinstance(value, dict):
            _merge(current, value)
        elif isinstance(current, list) and isinstance(value, list):
            current.extend(copy.deepcopy(value))
        else:
            target[key] = copy.deepcopy(value)


def _remove(
    doc: dict[str, Any], locations: list[tuple[str | int, ...]], at: str, source: str
) -> list[Diagnostic]:
    if any(not location for location in locations):
        return [error("SDK033", at, "the document root cannot be removed", source)]
    # Deepest and last first, so removing one node never shifts the index of another.
    for location in sorted(
        locations,
        key=lambda loc: (len(loc), loc[-1] if isinstance(loc[-1], int) else -1),
        reverse=True,
    ):
        parent: Any = doc
        for part in location[:-1]:
            parent = parent[part]
        del parent[location[-1]]
    return []


def _describe(value: Any) -> str:
    if isinstance(value, dict | list):
        return "an object" if isinstance(value, dict) else "an array"
    return f"a {type(value).__name__} value"
