"""Stage 4, build the IR (operations): one operation's arguments, body, response and security.

`generator.build` walks the paths and types the schemas; this module reads what one operation
sends and returns, using the rules of `generator.requests` for the wire (styles, headers,
security, argument names by location). Parameters are merged path-level first, then
operation-level (same name and location: the operation's wins), and sorted required first,
path parameters first, otherwise in document order.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

from generator import extensions, forms, ir, naming, requests, schemas
from generator.diagnostics import info, pointer, warning

if TYPE_CHECKING:
    from generator.schemas import SchemaTyper

Schema = dict[str, Any]


def _as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def json_media(content: Mapping[str, Any]) -> str | None:
    """The first JSON-like media type of a content map (`application/json`, `+json`, `*/*`)."""
    for media in sorted(content, key=str):
        base = str(media).split(";")[0].strip().lower()
        if base == "application/json" or base.endswith("+json") or base == "*/*":
            return str(media)
    return None


FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"


def form_media(content: Mapping[str, Any]) -> str | None:
    """The form media type of a content map (urlencoded first, then multipart/form-data)."""
    for wanted in (FORM, MULTIPART):
        for media in sorted(content, key=str):
            if str(media).split(";")[0].strip().lower() == wanted:
                return str(media)
    return None


def _sent_type(media: str) -> str:
    """The Content-Type for a declared media type: as declared, unless it is a range."""
    return "application/json" if "*" in media else media


class OperationReader:
    def __init__(self, builder: SchemaTyper, env_prefix: str) -> None:
        self.b = builder
        self.declared = self._declared_schemes()
        self.default_security = requests.requirements(builder.doc.get("security"), self.declared)
        used = {key for _, op in self._all_operations() for alt in self.security(op) for key in alt}
        self.schemes = requests.schemes(self.declared, used, env_prefix)
        self.by_key = {s.key: s for s in self.schemes}

    def _declared_schemes(self) -> dict[str, Schema]:
        raw = _as_dict(_as_dict(self.b.doc.get("components")).get("securitySchemes"))
        found = {}
        for key, value in raw.items():
            scheme, at = self.b.resolve(value, pointer("components", "securitySchemes", str(key)))
            if requests.scheme_kind(_as_dict(scheme)) is not None:
                found[str(key)] = _as_dict(scheme)
            elif isinstance(scheme, dict):
                message = f"security scheme {key!r} ({scheme.get('type')!r}) is not supported"
                self.b.diagnostics.append(warning("SDK223", at, message))
        return found

    def _all_operations(self) -> list[tuple[str, Schema]]:
        found = []
        for path, raw in _as_dict(self.b.doc.get("paths")).items():
            item = _as_dict(self.b.resolve(raw, pointer("paths", str(path)))[0])
            for method in ("get", "put", "post", "delete", "options", "head", "patch", "trace"):
                if isinstance(item.get(method), dict):
                    found.append((str(path), item[method]))
        return found

    def security(self, op: Schema) -> ir.Security:
        if "security" in op:
            return requests.requirements(op["security"], self.declared)
        return self.default_security

    def needs_credentials(self) -> bool:
        every = [self.security(op) for _, op in self._all_operations()]
        return bool(self.schemes) and all(s and () not in s for s in every)

    # --- one operation --------------------------------------------------------------------------

    def operation(
        self, path: str, op: Schema, method: str, shared: list[Any], scope: naming.Scope
    ) -> ir.Operation:
        at = pointer("paths", path, method)
        op_id = op.get("operationId")
        if not isinstance(op_id, str) or not op_id.strip():
            op_id = f"{method}_{path}"
            self.b.diagnostics.append(
                warning("SDK209", at, f"no operationId; named from {op_id!r}")
            )
        base_name = schemas.x_name(op) or naming.snake(op_id, method)
        py_name = scope.claim(base_name)
        if py_name not in (base_name, base_name + "_"):  # "_": a reserved word, not a clash
            message = f"method name {base_name!r} is taken in its group; this one is {py_name!r}"
            self.b.diagnostics.append(warning("SDK210", at, message))
        context = naming.pascal(op_id, "Operation")
        security = self.security(op)
        raw_params = self._merged_params(shared, op.get("parameters"), path, at, security)
        body_at = f"{at}/requestBody"
        names = requests.location_names(
            [(loc, naming.snake(name, "param")) for name, loc, _, _ in raw_params]
            + [("body", name) for name in self._body_names(op.get("requestBody"), body_at)]
        )
        args = naming.member_scope()
        params = self._params(raw_params, names, args)
        body = self._body(op.get("requestBody"), body_at, context, args, names)
        return ir.Operation(
            py_name=py_name,
            operation_id=op_id,
            method=method.upper(),
            path=path,
            summary=_text(op.get("summary")),
            description=_text(op.get("description")),
            deprecated=op.get("deprecated") is True,
            params=params,
            body=body,
            response=self._response(op.get("responses"), f"{at}/responses", context),
            pointer=at,
            retries=extensions.retries(op),
            waiter=None,  # resolved once every operation has its name
            security=security,
        )

    def _merged_params(
        self, shared: list[Any], own: Any, path: str, at: str, security: ir.Security
    ) -> list[tuple[str, str, Schema, str]]:
        """(name, location, parameter, pointer) of the parameters that become arguments."""
        merged: dict[tuple[str, str], tuple[Schema, str]] = {}
        path_at = pointer("paths", path, "parameters")
        sources = [(shared, path_at), (own if isinstance(own, list) else [], f"{at}/parameters")]
        for params, base in sources:
            for i, raw in enumerate(params):
                param, param_at = self.b.resolve(raw, f"{base}/{i}")
                if isinstance(param, dict) and isinstance(param.get("name"), str):
                    merged[(param["name"], str(param.get("in")))] = (param, param_at)
        used = [self.by_key[k] for alt in security for k in alt if k in self.by_key]
        headers: dict[str, str] = {}  # lower-case name -> the name of its argument
        result = []
        for (name, location), (param, param_at) in merged.items():
            if location not in requests.LOCATIONS:
                message = f"{location!r} parameters are not supported; {name!r} is left out"
                self.b.diagnostics.append(warning("SDK211", param_at, message))
                continue
            if location == "header":
                problem = requests.header_problem(name, param_at, headers)
                if problem is not None:
                    self.b.diagnostics.append(problem)
                    continue
                headers[name.lower()] = name
            collision = requests.scheme_collision(location, name, used, param_at)
            if collision is not None:
                self.b.diagnostics.append(collision)
            result.append((name, location, param, param_at))
        return result

    def _params(
        self,
        raw: list[tuple[str, str, Schema, str]],
        names: dict[tuple[str, str], str],
        scope: naming.Scope,
    ) -> tuple[ir.Param, ...]:
        result = [
            self._param(name, location, param, at, scope.claim(names[(location, base)]))
            for name, location, param, at in raw
            for base in (naming.snake(name, "param"),)
        ]
        result.sort(key=lambda p: (not p.required, p.location != "path"))
        return tuple(result)

    def _param(self, name: str, location: str, param: Schema, at: str, py_name: str) -> ir.Param:
        hint = naming.pascal(name, "Param")
        schema_raw, schema_at, content_json = param.get("schema", True), f"{at}/schema", False
        content = _as_dict(param.get("content"))
        if "schema" not in param and content:
            media = sorted(content, key=str)[0]
            schema_raw = _as_dict(content[media]).get("schema", True)
            schema_at = f"{at}/content/{_escape(str(media))}/schema"
            content_json = json_media({media: None}) is not None
        style, explode, allow_reserved, problems = requests.serialisation(param, location, at)
        self.b.diagnostics.extend(problems)
        return ir.Param(
            py_name=py_name,
            wire_name=name,
            location=cast(ir.Location, location),
            type=self.b.type_of(schema_raw, schema_at, (hint,)),
            required=location == "path" or param.get("required") is True,
            description=_text(param.get("description")),
            deprecated=param.get("deprecated") is True,
            default=_default_of(self.b.resolve(schema_raw, at)[0]),
            style=style,
            explode=explode,
            allow_reserved=allow_reserved,
            content_json=content_json,
        )

    # --- body -----------------------------------------------------------------------------------

    def _body_parts(self, raw: Any, at: str) -> tuple[Schema, str, str | None, Any, str]:
        """(the body, its pointer, its JSON or form media type, the schema, its pointer)."""
        body, at = self.b.resolve(raw, at)
        body = _as_dict(body)
        content = _as_dict(body.get("content"))
        media = json_media(content) or form_media(content)
        if media is None:
            return body, at, None, None, ""
        schema_at = f"{at}/content/{_escape(media)}/schema"
        return body, at, media, _as_dict(content[media]).get("schema", True), schema_at

    def _body_names(self, raw: Any, at: str) -> list[str]:
        """The base names of the arguments a body becomes (before any collision is resolved)."""
        if raw is None:
            return []
        _, _, media, schema_raw, schema_at = self._body_parts(raw, at)
        schema, resolved_at = self.b.resolve(schema_raw, schema_at)
        if media is not None and self.b.is_field_body(schema):
            props, _ = self.b.object_parts(schema, resolved_at)
            return [
                naming.snake(wire, "field")
                for wire, sub, _ in props
                if not self.b.is_read_only(sub)
            ]
        if media is not None and json_media({media: None}) is None and forms.is_empty(schema):
            return []
        return ["body"]

    def _body(
        self,
        raw: Any,
        at: str,
        context: str,
        scope: naming.Scope,
        names: dict[tuple[str, str], str],
    ) -> ir.Body | None:
        if raw is None:
            return None
        body, at, media, schema_raw, schema_at = self._body_parts(raw, at)
        content = _as_dict(body.get("content"))
        required = body.get("required") is True
        description = _text(body.get("description"))
        body_name = names.get(("body", "body"), "body")
        if media is None:
            if not content:
                return None
            ctype = sorted(content)[0]
            if str(ctype).lower().startswith("text/"):  # sent as UTF-8 text
                name = scope.claim(body_name)
                return ir.WholeBody(name, ir.StrType(), str(ctype), required, description)
            schema = self.b.resolve(_as_dict(content[ctype]).get("schema"), at)[0]
            if not forms.is_binary(ctype, schema):  # bytes is a fallback, not the type
                message = f"{ctype!r} bodies are passed as raw bytes"
                self.b.diagnostics.append(info("SDK201", f"{at}/content", message))
            return ir.WholeBody(scope.claim(body_name), None, str(ctype), required, description)
        schema, resolved_at = self.b.resolve(schema_raw, schema_at)
        is_form = json_media({media: None}) is None
        if is_form and not self.b.is_field_body(schema):
            if forms.is_empty(schema):  # Stripe's GET and DELETE: nothing to send
                return None
            message = f"a {media!r} body that is not an object of properties is passed as bytes"
            self.b.diagnostics.append(info("SDK201", schema_at, message))
            return ir.WholeBody(scope.claim(body_name), None, media, required, description)
        if self.b.is_field_body(schema):

            def rename(base: str) -> str:
                return names.get(("body", base), base)

            fields = self.b.fields(
                schema, resolved_at, context + "Body", scope, rename, request_only=True
            )
            if is_form:
                encoding = _as_dict(_as_dict(content[media]).get("encoding"))
                props, _ = self.b.object_parts(schema, resolved_at)
                encodings = forms.encodings(
                    props, encoding, media, f"{at}/content/{_escape(media)}/encoding", self.b
                )
                self.b.diagnostics.extend(encodings.problems)
                by_wire = encodings.by_wire
                return ir.FormBody(
                    fields,
                    tuple(by_wire[f.wire_name] for f in fields),
                    required,
                    description,
                    media,
                    multipart=forms.is_multipart(media),
                )
            return ir.JsonBody(fields, required, description, _sent_type(media))
        body_type = self.b.type_of(schema_raw, schema_at, (context + "Body",))
        return ir.WholeBody(
            scope.claim(body_name), body_type, _sent_type(media), required, description
        )

    def _response(self, raw: Any, at: str, context: str) -> ir.Response:
        responses = _as_dict(raw)
        codes = sorted(str(c) for c in responses if str(c).startswith("2"))
        if not codes:
            return ir.Response("empty", ir.AnyType(), "")
        code = codes[0]
        key, raw_response = next((k, v) for k, v in responses.items() if str(k) == code)
        if not isinstance(key, str):  # YAML `200:` is an integer; OpenAPI wants "200"
            message = f"response code {key!r} is not a string; read as {code!r}"
            self.b.diagnostics.append(warning("SDK213", f"{at}/{code}", message))
        response, resp_at = self.b.resolve(raw_response, f"{at}/{code}")
        content = _as_dict(_as_dict(response).get("content"))
        media = json_media(content)
        if media is not None:
            schema = _as_dict(content[media]).get("schema", True)
            schema_at = f"{resp_at}/content/{_escape(media)}/schema"
            return ir.Response(
                "json", self.b.type_of(schema, schema_at, (context + "Response",)), code
            )
        return ir.Response("bytes" if content else "empty", ir.AnyType(), code)


def _default_of(schema: Any) -> str | None:
    return repr(schema["default"]) if isinstance(schema, dict) and "default" in schema else None
