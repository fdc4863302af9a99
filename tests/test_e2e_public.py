"""Clients of public documents against Prism (request validation on), sync and async.

Twilio Conversations: every operation without a request body (GET and DELETE; the
form-encoded POSTs are in `tests/test_e2e_forms.py`) is called with HTTP basic auth and valid
path and query values and must be accepted. Box (v2025.0): every operation, OAuth2 bearer
token, JSON bodies built from the required fields, except the two whose body field is a union
(typed `Any` until issue 13).

Prism 5.14.2 answers 401 to another scheme and to a Basic token that is not base64 of
`user:password` (`test_prism_refuses_what_the_old_client_sent`), and 422 to a path or query
value that does not match its schema (the SID patterns), so every pass is an accepted request.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

from generator import build, ir
from tests.conftest import REPO, SHARED_SPECS, importer, run_cli
from tests.support.prism import start_prism

SPEC = SHARED_SPECS / "public" / "twilio_conversations_v1.json"
SID = re.compile(r"^\^([A-Z]{2})\[0-9a-fA-F\]\{32\}\$$")


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    if not SPEC.is_file():
        pytest.fail(f"{SPEC} is missing: the public specs are read from ../shared/specs/public")
    data: dict[str, Any] = json.loads(SPEC.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def twilio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    root = tmp_path_factory.mktemp("twilio")
    result = run_cli("generate", str(SPEC), "-o", str(root), "-q", "--package-name", "twilio_c")
    assert result.exit_code == 0, result.output
    loading = importer()
    yield next(loading)(root, "twilio_c")
    next(loading, None)


@pytest.fixture(scope="module")
def prism() -> Iterator[str]:
    with start_prism(SPEC, repo_root=REPO) as url:
        yield url


def _value(param: ir.Param, schema: dict[str, Any], api: ir.Api) -> Any:
    """A valid value: a SID matching the pattern, else one of the parameter's type."""
    found = SID.match(str(schema.get("pattern", "")))
    if found:
        return found[1] + "0123456789abcdef" * 2
    return _typed(param.type, api, None)


def _typed(t: ir.TypeRef, api: ir.Api, models: ModuleType | None) -> Any:
    """A value of type `t`: models (from `models`) with their required fields filled."""
    t = t.inner if isinstance(t, ir.NullableType) else t
    if isinstance(t, ir.UnionType):  # issue 13: any variant is accepted; the first will do
        return _typed(t.variants[0], api, models)
    if isinstance(t, ir.LiteralType):
        return t.values[0]
    if isinstance(t, ir.EnumRef):
        enum = next(e for e in api.enums if e.name == t.name)
        return enum.members[0].value
    if isinstance(t, ir.ListType):
        return [_typed(t.item, api, models)]
    if isinstance(t, ir.ModelRef) and models is not None:
        model = next(m for m in api.models if m.name == t.name)
        fields = {f.py_name: _typed(f.type, api, models) for f in model.fields if f.required}
        return getattr(models, model.name)(**fields)
    if isinstance(t, ir.MapType):
        return {}
    return {ir.IntType: 1, ir.BoolType: True, ir.FloatType: 1.0}.get(type(t), "x")


def _schemas(document: dict[str, Any], op: ir.Operation) -> dict[str, dict[str, Any]]:
    item = document["paths"][op.path]
    params = item.get("parameters", []) + item[op.method.lower()].get("parameters", [])
    return {p["name"]: p.get("schema", {}) for p in params}


def calls(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(group, method, keyword arguments) of every operation without a request body."""
    api, _ = build.build(document, package_name="twilio_c", env_prefix="TWILIO_C")
    found = []
    for group in api.groups:
        for op in group.operations:
            if op.body is not None:
                continue
            schemas = _schemas(document, op)
            kwargs = {
                p.py_name: _value(p, schemas.get(p.wire_name, {}), api)
                for p in op.params
                if p.required
            }
            found.append((group.attr_name, op.py_name, kwargs))
    return found


AUTH = {"username": "AC0123456789abcdef0123456789abcdef", "password": "token"}


def test_every_operation_without_a_body_is_accepted(
    twilio: ModuleType, prism: str, document: dict[str, Any]
) -> None:
    todo = calls(document)
    assert len(todo) >= 50  # 47 GET and 9 DELETE operations in this version
    with twilio.Client(base_url=prism, **AUTH) as client:
        for group, method, kwargs in todo:
            getattr(getattr(client, group), method)(**kwargs)

    async def main() -> None:
        async with twilio.AsyncClient(base_url=prism, **AUTH) as client:
            for group, method, kwargs in todo:
                await getattr(getattr(client, group), method)(**kwargs)

    asyncio.run(main())


@pytest.mark.parametrize(
    "authorization",
    ["Bearer x", "Basic AC0123456789abcdef0123456789abcdef:token", "Basic not-base64"],
)
def test_prism_refuses_what_the_old_client_sent(
    twilio: ModuleType, prism: str, document: dict[str, Any], authorization: str
) -> None:
    """The key as is (what 92b32d5 sent), or another scheme, gets a 401: so a pass above
    means Prism read our base64 user:password."""
    group, method, kwargs = calls(document)[0]
    with twilio.Client(base_url=prism, **AUTH) as client:
        call = getattr(getattr(client, group), method)
        with pytest.raises(twilio.AuthenticationError):
            call(**kwargs, extra_headers={"Authorization": authorization})


def test_prism_refuses_a_sid_that_does_not_match_its_pattern(
    twilio: ModuleType, prism: str, document: dict[str, Any]
) -> None:
    group, method, kwargs = next(
        c
        for c in calls(document)
        if any(isinstance(v, str) and len(v) == 34 for v in c[2].values())
    )
    bad = {k: "XX" + v[2:] if isinstance(v, str) and len(v) == 34 else v for k, v in kwargs.items()}
    with (
        twilio.Client(base_url=prism, **AUTH) as client,
        pytest.raises(twilio.APIStatusError) as raised,
    ):
        getattr(getattr(client, group), method)(**bad)
    assert raised.value.status_code in (400, 422)


# --- Box ----------------------------------------------------------------------------------------

BOX = SHARED_SPECS / "public" / "box-openapi-v2025.0.json"
UNION_BODIES = {"/shield_lists", "/shield_lists/{shield_list_id}"}  # `content`: a oneOf (13)


@pytest.fixture(scope="module")
def box(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    if not BOX.is_file():
        pytest.fail(f"{BOX} is missing: the public specs are read from ../shared/specs/public")
    root = tmp_path_factory.mktemp("box")
    result = run_cli("generate", str(BOX), "-o", str(root), "-q", "--package-name", "box_c")
    assert result.exit_code == 0, result.output
    loading = importer()
    yield next(loading)(root, "box_c")
    next(loading, None)


def _reaches_any(t: ir.TypeRef, api: ir.Api, seen: frozenset[str] = frozenset()) -> bool:
    t = t.inner if isinstance(t, ir.NullableType) else t
    if isinstance(t, ir.ListType | ir.MapType):
        return _reaches_any(t.item if isinstance(t, ir.ListType) else t.value, api, seen)
    if isinstance(t, ir.ModelRef) and t.name not in seen:
        model = next(m for m in api.models if m.name == t.name)
        return any(_reaches_any(f.type, api, seen | {t.name}) for f in model.fields if f.required)
    return isinstance(t, ir.AnyType)


def test_every_box_operation_is_accepted(box: ModuleType) -> None:
    api, _ = build.build(
        json.loads(BOX.read_text(encoding="utf-8")), package_name="box_c", env_prefix="BOX_C"
    )
    todo: list[tuple[str, str, dict[str, Any]]] = []
    for group in api.groups:
        for op in group.operations:
            kwargs = {p.py_name: _typed(p.type, api, box.models) for p in op.params if p.required}
            fields = op.body.fields if isinstance(op.body, ir.JsonBody) else ()
            if op.path in UNION_BODIES and fields:  # typed since issue 13: a union of models
                assert not any(f.required and _reaches_any(f.type, api) for f in fields)
                assert any(isinstance(f.type, ir.UnionType) for f in fields)
            kwargs |= {f.py_name: _typed(f.type, api, box.models) for f in fields if f.required}
            todo.append((group.attr_name, op.py_name, kwargs))
    assert len(todo) == 37
    with start_prism(BOX, repo_root=REPO) as url:
        with box.Client(base_url=url, access_token="t") as client:
            for attr, method, kwargs in todo:
                getattr(getattr(client, attr), method)(**kwargs)

        async def main() -> None:
            async with box.AsyncClient(base_url=url, access_token=lambda: "fresh") as client:
                for attr, method, kwargs in todo:
                    await getattr(getattr(client, attr), method)(**kwargs)

        asyncio.run(main())
