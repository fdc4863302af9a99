"""The x-sdkgen-* extensions: each one's effect, and the errors for misuse."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from generator import build, extensions, ir
from tests.conftest import run_cli, write_spec
from tests.support.fault_server import FaultServer, reply


def spec(**op_extra: Any) -> dict[str, Any]:
    job = {
        "type": "object",
        "properties": {"job": {"type": "object", "properties": {"id": {"type": "string"}}}},
    }
    return {
        "openapi": "3.0.3",
        "info": {"title": "Jobs", "version": "1.0.0"},
        "paths": {
            "/jobs": {
                "post": {
                    "operationId": "createJob",
                    "tags": ["Jobs"],
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {"application/json": {"schema": job}},
                        }
                    },
                    **op_extra,
                }
            },
            "/jobs/{jobId}": {
                "get": {
                    "operationId": "getJob",
                    "tags": ["Jobs"],
                    "parameters": [
                        {
                            "name": "jobId",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        }
                    ],
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Status"}
                                }
                            },
                        }
                    },
                }
            },
        },
        "components": {
            "schemas": {"Status": {"type": "object", "properties": {"state": {"type": "string"}}}}
        },
    }


def operations(doc: dict[str, Any]) -> dict[str, tuple[str, ir.Operation]]:
    api, _ = build.build(doc, package_name="jobs", env_prefix="JOBS")
    return {op.operation_id: (g.attr_name, op) for g in api.groups for op in g.operations}


def test_name_and_group_rename_an_operation() -> None:
    doc = spec(**{"x-sdkgen-name": "start", "x-sdkgen-group": "Background Tasks"})
    group, op = operations(doc)["createJob"]
    assert (group, op.py_name) == ("background_tasks", "start")
    assert extensions.check(doc) == []


def test_name_renames_a_component_and_an_inline_schema() -> None:
    doc = spec()
    doc["components"]["schemas"]["Status"]["x-sdkgen-name"] = "JobStatus"
    inline = doc["paths"]["/jobs"]["post"]["responses"]["200"]["content"]["application/json"][
        "schema"
    ]
    inline["properties"]["job"]["x-sdkgen-name"] = "StartedJob"
    api, _ = build.build(doc, package_name="jobs", env_prefix="JOBS")
    assert {m.name for m in api.models} == {"CreateJobResponse", "JobStatus", "StartedJob"}
    assert extensions.check(doc) == []


def test_retries_are_carried_in_the_ir() -> None:
    _, op = operations(spec(**{"x-sdkgen-retries": {"max_retries": 4, "idempotent": True}}))[
        "createJob"
    ]
    assert op.retries == ir.Retries(max_retries=4, idempotent=True)
    _, plain = operations(spec())["createJob"]
    assert plain.retries is None


def test_waiter_is_resolved_to_the_polling_method() -> None:
    declared = {
        "poll": "getJob",
        "id": "/job/id",
        "status": "/state",
        "success": ["DONE"],
        "failure": ["FAILED"],
    }
    doc = spec(**{"x-sdkgen-waiter": declared})
    assert extensions.check(doc) == []
    _, op = operations(doc)["createJob"]
    assert op.waiter == ir.Waiter(
        and_wait_name="create_job_and_wait",
        wait_for_name="wait_for_create_job",
        poll_class="JobsResource",
        poll_async_class="AsyncJobsResource",
        poll_method="get_job",
        poll_param="job_id",
        poll_response=ir.ModelRef("Status"),
        id_pointer="/job/id",
        status_pointer="/state",
        success=("DONE",),
        failure=("FAILED",),
    )


BAD: list[tuple[str, Any, str, str]] = [
    ("x-sdkgen-nmae", "x", "SDK120", "unknown extension 'x-sdkgen-nmae'"),
    ("x-sdkgen-name", "not a name", "SDK122", "must be a Python identifier"),
    *[
        ("x-sdkgen-name", name, "SDK122", f"x-sdkgen-name {name!r} is reserved")
        for name in ("_core", "__init__", "__class__", "__repr__", "__getattr__", "self", "list")
    ],
    ("x-sdkgen-group", "!!", "SDK122", "x-sdkgen-group must be a name"),
    ("x-sdkgen-retries", 3, "SDK122", "x-sdkgen-retries must be"),
    ("x-sdkgen-retries", {"max_retries": 99}, "SDK122", "max_retries must be an integer 0-10"),
    ("x-sdkgen-retries", {"idempotent": "yes"}, "SDK122", "idempotent must be true or false"),
    ("x-sdkgen-waiter", [], "SDK122", "x-sdkgen-waiter must be an object"),
    (
        "x-sdkgen-waiter",
        {"poll": "nope", "id": "/id", "status": "/s", "success": ["A"], "failure": ["B"]},
        "SDK122",
        "no operation has operationId 'nope'",
    ),
    (
        "x-sdkgen-waiter",
        {"poll": "getJob", "id": "id", "status": "/s", "success": ["A"], "failure": ["B"]},
        "SDK122",
        "id must be a JSON pointer",
    ),
    (
        "x-sdkgen-waiter",
        {"poll": "getJob", "id": "/id", "status": "/s", "success": [], "failure": ["B"]},
        "SDK122",
        "waiter needs 'success'",
    ),
    (
        "x-sdkgen-waiter",
        {
            "poll": "getJob",
            "id": "/id",
            "status": "/s",
            "success": ["A"],
            "failure": ["B"],
            "every": 2,
        },
        "SDK122",
        "unknown waiter key 'every'",
    ),
]


@pytest.mark.parametrize(("key", "value", "code", "message"), BAD)
def test_misuse_is_an_error_with_its_pointer(key: str, value: Any, code: str, message: str) -> None:
    found = extensions.check(spec(**{key: value}))
    assert found, "expected a diagnostic"
    assert found[0].code == code and message in found[0].message
    assert found[0].pointer.startswith("#/paths/~1jobs/post/" + key)


@pytest.mark.parametrize(
    "name", ["dataclasses", "_rt", "cast", "Self", "httpx", "TYPE_CHECKING", "Client", "str"]
)
def test_a_reserved_class_name_is_refused(name: str) -> None:
    doc = spec()
    doc["components"]["schemas"]["Status"]["x-sdkgen-name"] = name
    (diagnostic,) = extensions.check(doc)
    assert (diagnostic.code, diagnostic.pointer) == (
        "SDK122",
        "#/components/schemas/Status/x-sdkgen-name",
    )
    assert "reserved" in diagnostic.message


def test_operation_only_extension_on_a_schema_is_misplaced() -> None:
    doc = spec()
    doc["components"]["schemas"]["Status"]["x-sdkgen-group"] = "jobs"
    (diagnostic,) = extensions.check(doc)
    assert (diagnostic.code, diagnostic.pointer) == (
        "SDK121",
        "#/components/schemas/Status/x-sdkgen-group",
    )


def test_waiter_poll_without_a_single_path_parameter_is_reported() -> None:
    declared = {
        "poll": "getJob",
        "id": "/job/id",
        "status": "/state",
        "success": ["A"],
        "failure": ["B"],
        "param": "x",
    }
    _, diagnostics = build.build(
        spec(**{"x-sdkgen-waiter": declared}), package_name="j", env_prefix="J"
    )
    assert [(d.code, d.pointer) for d in diagnostics] == [
        ("SDK123", "#/paths/~1jobs/post/x-sdkgen-waiter")
    ]
    assert "getJob has no path parameter 'x'" in diagnostics[0].message


def test_unknown_extension_stops_generation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    path = write_spec(tmp_path, spec(**{"x-sdkgen-retry": {"max_retries": 1}}))
    result = run_cli("generate", str(path), "-o", "out")
    assert result.exit_code == 1
    assert "ERROR SDK120" in result.output and "#/paths/~1jobs/post/x-sdkgen-retry" in result.output
    assert not (tmp_path / "out").exists()


@pytest.fixture
def server() -> Any:
    with FaultServer() as srv:
        yield srv


@pytest.mark.parametrize(
    ("retries", "expected_requests"),
    [
        (None, 1),
        ({"max_retries": 2, "idempotent": True}, 3),
        ({"max_retries": 0, "idempotent": True}, 1),
    ],
)
def test_retries_extension_changes_what_the_generated_client_does(
    retries: dict[str, Any] | None,
    expected_requests: int,
    tmp_path: Path,
    server: FaultServer,
    import_generated: Callable[[Path, str], ModuleType],
) -> None:
    """A POST is not retried on 503 unless x-sdkgen-retries declares it idempotent."""
    extra = {"x-sdkgen-retries": retries} if retries else {}
    path = write_spec(tmp_path, spec(**extra))
    package = f"jobs_{expected_requests}_{bool(retries)}"
    assert (
        run_cli(
            "generate", str(path), "-o", str(tmp_path / "out"), "--package-name", package, "-q"
        ).exit_code
        == 0
    )
    module = import_generated(tmp_path / "out", package)
    server.script("POST", "/jobs", reply(503, {"error": "busy"}, headers={"Retry-After": "0"}))
    with (
        module.Client(base_url=server.base_url) as client,
        pytest.raises(module.InternalServerError),
    ):
        client.jobs.create_job()
    assert server.count("POST", "/jobs") == expected_requests
    assert json.loads(server.requests[0].body or b"null") is None
