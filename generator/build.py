"""Stage 4, build the IR: resolve references, choose names, keep only what operations reach.

Schemas are typed by `generator.schemas`, operations (parameters, bodies, responses, security)
read by `generator.operations`; this module groups operations into resources, resolves
`x-sdkgen-waiter` declarations once every name is known, and reads the server URL.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from generator import extensions, ir, naming, operations, schemas
from generator.diagnostics import Diagnostic, Fatal, error, info, pointer, warning
from generator.schemas import Schema, _as_dict, _text, decode_pointer

__all__ = ["METHODS", "build", "decode_pointer"]

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_CLIENT_MEMBERS = frozenset({"close", "base_url"})


def build(
    doc: dict[str, Any], *, package_name: str, env_prefix: str, include_unused: bool = False
) -> tuple[ir.Api, list[Diagnostic]]:
    """The IR of `doc` and the diagnostics found while building it. Never raises on a
    malformed document except `Fatal` when nothing usable is left."""
    builder = _Builder(doc)
    reader = operations.OperationReader(builder, env_prefix)
    groups = builder.operations(reader)
    if include_unused:
        builder.all_components()
    builder.report_unused(include_unused)
    webhooks = doc.get("webhooks")
    if isinstance(webhooks, dict) and webhooks:
        message = (
            f"{len(webhooks)} webhooks are requests the API sends, not client operations; "
            "the component schemas they use are generated with --include-unused"
        )
        builder.diagnostics.append(info("SDK226", pointer("webhooks"), message))
    info_obj = _as_dict(doc.get("info"))
    api = ir.Api(
        title=_text(info_obj.get("title")) or package_name,
        description=_text(info_obj.get("description")),
        spec_version=_text(info_obj.get("version")) or "0",
        package_name=package_name,
        env_prefix=env_prefix,
        base_url=builder.base_url(),
        schemes=reader.schemes,
        needs_credentials=reader.needs_credentials(),
        groups=groups,
        models=_with_directions(builder.models, groups),
        enums=tuple(sorted(builder.enums.values(), key=lambda e: e.name)),
    )
    return api, builder.diagnostics


class _Builder(schemas.SchemaTyper):
    """Schema typing plus what a client needs beyond it: groups, operations, the server."""

    # --- operations -------------------------------------------------------------------------

    def operations(self, reader: operations.OperationReader) -> tuple[ir.Group, ...]:
        paths = self.doc.get("paths", {})
        if not isinstance(paths, dict):
            raise Fatal([error("SDK208", pointer("paths"), "`paths` is not a mapping")])
        if not paths:  # valid (in 3.1 `paths` may even be left out): a client with no operations
            message = "the document has no paths: the client has no operations"
            self.diagnostics.append(warning("SDK208", pointer("paths"), message))
        grouped: dict[str, list[tuple[str, Schema, str, list[Any]]]] = {}
        for path, raw_item in paths.items():
            item = _as_dict(self.resolve(raw_item, pointer("paths", str(path)))[0])
            shared: list[Any] = (
                item["parameters"] if isinstance(item.get("parameters"), list) else []
            )
            for method in METHODS:
                op = item.get(method)
                if isinstance(op, dict):
                    group = _x_group(op)
                    grouped.setdefault(group, []).append((str(path), op, method, shared))
        member_scope = naming.member_scope(_CLIENT_MEMBERS)
        groups = []
        waiters: dict[str, dict[str, Any]] = {}  # operation pointer -> its waiter declaration
        scopes: dict[str, naming.Scope] = {}  # group attr_name -> its method names
        for group in sorted(grouped):
            attr = member_scope.claim(naming.snake(group, "default"))
            class_name = self.classes.claim(naming.pascal(group, "Default") + "Resource")
            async_name = self.classes.claim("Async" + class_name)
            raw_names = (
                self.classes.claim(class_name + "WithRawResponse"),
                self.classes.claim(async_name + "WithRawResponse"),
            )
            scope = scopes[attr] = naming.member_scope()
            ops = []
            for path, op, method, shared in grouped[group]:
                ops.append(reader.operation(path, op, method, shared, scope))
                declared = extensions.waiter(op)
                if declared is not None:
                    waiters[ops[-1].pointer] = declared
            groups.append(ir.Group(attr, class_name, async_name, *raw_names, tuple(ops)))
        return self._resolve_waiters(tuple(groups), waiters, scopes)

    def _resolve_waiters(
        self,
        groups: tuple[ir.Group, ...],
        waiters: dict[str, dict[str, Any]],
        scopes: dict[str, naming.Scope],
    ) -> tuple[ir.Group, ...]:
        """Groups whose operations carry their `x-sdkgen-waiter`, now that names are known."""
        by_id = {op.operation_id: (g, op) for g in groups for op in g.operations}

        def with_waiter(op: ir.Operation, scope: naming.Scope) -> ir.Operation:
            declared = waiters.get(op.pointer)
            if declared is None:
                return op
            return dataclasses.replace(op, waiter=self._waiter(op, declared, by_id, scope))

        return tuple(
            dataclasses.replace(
                g, operations=tuple(with_waiter(op, scopes[g.attr_name]) for op in g.operations)
            )
            for g in groups
        )

    def _waiter(
        self,
        op: ir.Operation,
        declared: dict[str, Any],
        by_id: dict[str, tuple[ir.Group, ir.Operation]],
        scope: naming.Scope,
    ) -> ir.Waiter | None:
        at = f"{op.pointer}/x-sdkgen-waiter"
        if declared["poll"] not in by_id:
            return None  # reported by extensions.check
        group, poll = by_id[declared["poll"]]
        if poll.response.kind != "json" or op.response.kind != "json":
            message = "a waiter needs JSON responses from both operations"
            self.diagnostics.append(error("SDK123", at, message))
            return None
        wanted = declared.get("param")
        params = [p for p in poll.params if p.location == "path"]
        chosen = [p for p in params if p.wire_name == wanted] if wanted else params
        if len(chosen) != 1:
            what = f"no path parameter {wanted!r}" if wanted else "not exactly one path parameter"
            self.diagnostics.append(error("SDK123", at, f"{poll.operation_id} has {what}"))
            return None
        return ir.Waiter(
            and_wait_name=scope.claim(f"{op.py_name}_and_wait"),
            wait_for_name=scope.claim(f"wait_for_{op.py_name}"),
            poll_class=group.class_name,
            poll_async_class=group.async_class_name,
            poll_method=poll.py_name,
            poll_param=chosen[0].py_name,
            poll_response=poll.response.type,
            id_pointer=declared["id"],
            status_pointer=declared["status"],
            success=tuple(declared["success"]),
            failure=tuple(declared["failure"]),
        )

    # --- api-level --------------------------------------------------------------------------

    def base_url(self) -> str:
        servers = self.doc.get("servers")
        first = _as_dict(servers[0]) if isinstance(servers, list) and servers else {}
        url = _text(first.get("url"))
        for name, var in _as_dict(first.get("variables")).items():
            url = url.replace("{" + str(name) + "}", str(_as_dict(var).get("default", "")))
        if url and not url.startswith(("http://", "https://")):
            self.diagnostics.append(
                warning(
                    "SDK212",
                    "#/servers/0/url",
                    f"server URL {url!r} is not absolute; pass base_url",
                )
            )
        return url.rstrip("/")


def _with_directions(
    models: dict[str, ir.Model], groups: tuple[ir.Group, ...]
) -> tuple[ir.Model, ...]:
    """The models, sorted by name, each knowing whether requests, responses or both use it
    (a model neither reaches, generated on request, counts as both)."""
    ops = [op for group in groups for op in group.operations]
    sent: list[ir.TypeRef] = [p.type for op in ops for p in op.params]
    for op in ops:
        if isinstance(op.body, ir.JsonBody):
            sent += [f.type for f in op.body.fields]
        elif isinstance(op.body, ir.WholeBody) and op.body.type is not None:
            sent.append(op.body.type)
    received = [op.response.type for op in ops if op.response.kind == "json"]
    in_requests = _reached(sent, models, skip=lambda f: f.read_only)
    in_responses = _reached(received, models, skip=lambda f: f.write_only)
    result = []
    for name in sorted(models):
        used = (name in in_requests, name in in_responses)
        requests, responses = used if any(used) else (True, True)
        result.append(
            dataclasses.replace(models[name], in_requests=requests, in_responses=responses)
        )
    return tuple(result)


def _reached(
    types: list[ir.TypeRef], models: dict[str, ir.Model], skip: Callable[[ir.Field], bool]
) -> set[str]:
    """Names of the models `types` reach, through fields not `skip`ped and through any type
    that holds types (lists, maps, nullables, and whatever kinds the IR grows)."""
    seen: set[str] = set()
    stack: list[object] = list(types)
    while stack:
        t = stack.pop()
        if isinstance(t, ir.ModelRef):
            if t.name not in seen and t.name in models:
                seen.add(t.name)
                stack.extend(f.type for f in models[t.name].fields if not skip(f))
        elif isinstance(t, tuple):
            stack.extend(t)
        elif dataclasses.is_dataclass(t) and not isinstance(t, type):
            stack.extend(getattr(t, f.name) for f in dataclasses.fields(t))
    return seen


def _x_group(op: Schema) -> str:
    group = op.get("x-sdkgen-group")
    if isinstance(group, str) and group:
        return group
    tags = op.get("tags")
    if isinstance(tags, list) and tags and isinstance(tags[0], str):
        return tags[0]
    return "default"
