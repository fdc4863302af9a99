"""Invalid but common documents, generated with `--skip-validation` (issue 6, item 2).

Real documents get these wrong, and users need a client anyway: integer response codes (YAML
`200:` keys), keys beside a `$ref`, OpenAPI 3.1 keywords in a 3.0 document, `nullable` without
`type`, a missing or a duplicated operationId, circular `$ref`s (recursive models), and a `$ref`
to a property of another schema. For each document:
- `generate --skip-validation` succeeds, and the package imports (in a fresh interpreter) and
  passes `mypy --strict` (one mypy run over all of them, on copies outside the repository);
- the run reports the problem: a diagnostic with its code and pointer;
- what the client does with it is right (method names, types, recursive round trips);
- where the validator refuses the document, `sdkgen validate` says where.
Gaps and bugs are `xfail(strict=True)` with the reason.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.support.checks import (
    diagnostics,
    import_in_subprocess,
    mypy_strict,
    package_of,
)

SERVERS = 'servers: [{url: "https://api.example.com"}]\n'


@dataclasses.dataclass(frozen=True)
class Case:
    spec: str
    reported: tuple[tuple[str | None, str], ...]  # (code or None: any code, pointer) expected
    gap: str | None = None  # why the diagnostic test is xfail
    validator_pointer: str | None = None  # where `sdkgen validate` must point, if it refuses
    validator_bug: str | None = None
    generate_bug: str | None = None  # why the generate/import/mypy test is xfail


CASES = {
    "integer_response_codes": Case(
        """\
openapi: 3.0.3
info: {title: Int Codes, version: "1.0"}
"""
        + SERVERS
        + """\
paths:
  /pets:
    get:
      operationId: listPets
      responses:
        200:
          description: ok
          content:
            application/json: {schema: {type: array, items: {$ref: "#/components/schemas/Pet"}}}
        404: {description: missing}
components:
  schemas:
    Pet: {type: object, required: [name], properties: {name: {type: string}}}
""",
        reported=((None, "#/paths/~1pets/get/responses/200"),),
    ),
    "ref_siblings": Case(
        """\
openapi: 3.0.3
info: {title: Ref Siblings, version: "1.0"}
"""
        + SERVERS
        + """\
paths:
  /pets:
    get:
      operationId: getPet
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/Pet"
                description: the pet
                nullable: true
        default: {description: error}
components:
  schemas:
    Pet:
      type: object
      properties:
        owner: {$ref: "#/components/schemas/Owner", description: who owns it, readOnly: true}
    Owner: {type: object, properties: {name: {type: string}}}
""",
        reported=(
            ("SDK110", "#/components/schemas/Pet/properties/owner"),
            ("SDK110", "#/paths/~1pets/get/responses/200/content/application~1json/schema"),
        ),
    ),
    "openapi31_keywords": Case(
        """\
openapi: 3.0.3
info: {title: Three One, version: "1.0"}
"""
        + SERVERS
        + """\
paths:
  /pets:
    get:
      operationId: getPet
      responses:
        "200":
          description: ok
          content:
            application/json: {schema: {$ref: "#/components/schemas/Pet"}}
        default: {description: error}
components:
  schemas:
    Pet:
      type: object
      required: [kind]
      properties:
        name: {type: [string, "null"]}
        tags: {type: array, items: {type: string}, examples: [[a, b]]}
        kind: {const: dog}
        age: {type: [integer, "null"], examples: [1, 2]}
        weight: {type: [number, string]}
""",
        reported=(
            (None, "#/components/schemas/Pet/properties/name"),
            (None, "#/components/schemas/Pet/properties/kind"),
        ),
        validator_pointer="#/components/schemas/Pet/properties/",
    ),
    "nullable_without_type": Case(
        """\
openapi: 3.0.3
info: {title: Nullable No Type, version: "1.0"}
"""
        + SERVERS
        + """\
paths:
  /pets:
    get:
      operationId: getPet
      responses:
        "200":
          description: ok
          content:
            application/json: {schema: {$ref: "#/components/schemas/Pet"}}
        default: {description: error}
components:
  schemas:
    Pet:
      type: object
      properties:
        anything: {nullable: true}
        owner: {nullable: true, allOf: [{$ref: "#/components/schemas/Owner"}]}
    Owner: {type: object, properties: {name: {type: string}}}
""",
        reported=((None, "#/components/schemas/Pet/properties/anything"),),
    ),
    "missing_operation_id": Case(
        """\
openapi: 3.0.3
info: {title: No Operation Id, version: "1.0"}
"""
        + SERVERS
        + """\
paths:
  /pets/{petId}/toys:
    get:
      parameters:
        - {name: petId, in: path, required: true, schema: {type: string}}
      responses:
        "200":
          description: ok
          content:
            application/json: {schema: {type: array, items: {type: string}}}
        default: {description: error}
    post:
      parameters:
        - {name: petId, in: path, required: true, schema: {type: string}}
      responses:
        "201": {description: ok}
        default: {description: error}
""",
        reported=(
            ("SDK209", "#/paths/~1pets~1{petId}~1toys/get"),
            ("SDK209", "#/paths/~1pets~1{petId}~1toys/post"),
        ),
    ),
    "duplicate_operation_ids": Case(
        """\
openapi: 3.0.3
info: {title: Duplicate Operation Id, version: "1.0"}
"""
        + SERVERS
        + """\
paths:
  /pets:
    get:
      operationId: getPet
      responses:
        "200": {description: ok}
        default: {description: error}
  /pets/{id}:
    get:
      operationId: getPet
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        "200": {description: ok}
        default: {description: error}
""",
        reported=(("SDK210", "#/paths/~1pets~1{id}/get"),),
        validator_pointer="#/paths/~1pets~1{id}/get",
    ),
    "circular_refs": Case(
        """\
openapi: 3.0.3
info: {title: Circular, version: "1.0"}
"""
        + SERVERS
        + """\
paths:
  /a:
    get:
      operationId: getA
      responses:
        "200":
          description: ok
          content:
            application/json: {schema: {$ref: "#/components/schemas/A"}}
        default: {description: error}
  /tree:
    get:
      operationId: getTree
      responses:
        "200":
          description: ok
          content:
            application/json: {schema: {$ref: "#/components/schemas/Node"}}
        default: {description: error}
components:
  schemas:
    A:
      type: object
      properties:
        name: {type: string}
        b: {$ref: "#/components/schemas/B"}
    B:
      type: object
      properties:
        a: {$ref: "#/components/schemas/A"}
        many: {type: array, items: {$ref: "#/components/schemas/A"}}
    Node:
      type: object
      required: [children]
      properties:
        value: {type: integer}
        children: {type: array, items: {$ref: "#/components/schemas/Node"}}
        parent: {$ref: "#/components/schemas/Node"}
""",
        reported=((None, "#/components/schemas/"),),
    ),
    "inline_allof_cycle": Case(
        """\
openapi: 3.0.3
info: {title: Allof Cycle, version: "1.0"}
"""
        + SERVERS
        + """\
paths:
  /nodes:
    get:
      operationId: getNode
      responses:
        "200":
          description: ok
          content:
            application/json: {schema: {$ref: "#/components/schemas/Node"}}
        default: {description: error}
components:
  schemas:
    Node:
      type: object
      properties:
        name: {type: string}
        child:
          allOf:
            - $ref: "#/components/schemas/Node"
            - type: object
              properties: {depth: {type: integer}}
""",
        reported=((None, "#/components/schemas/Node/properties/child"),),
    ),
    "ref_to_a_property": Case(
        """\
openapi: 3.0.3
info: {title: Ref Property, version: "1.0"}
"""
        + SERVERS
        + """\
paths:
  /pets:
    get:
      operationId: getPet
      parameters:
        - name: name
          in: query
          schema: {$ref: "#/components/schemas/Pet/properties/name"}
      responses:
        "200":
          description: ok
          content:
            application/json: {schema: {$ref: "#/components/schemas/Owner"}}
        default: {description: error}
components:
  schemas:
    Pet:
      type: object
      properties:
        name: {type: string, maxLength: 20}
        kind: {type: string, enum: [dog, cat]}
    Owner:
      type: object
      properties:
        petName: {$ref: "#/components/schemas/Pet/properties/name"}
        petKind: {$ref: "#/components/schemas/Pet/properties/kind"}
""",
        reported=((None, "#/components/schemas/Owner/properties/petName"),),
    ),
}


@dataclasses.dataclass(frozen=True)
class Generated:
    exit_code: int
    output: str
    project: Path
    mypy_errors: list[str]  # mypy's lines about this package


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Generated]]:
    """Every case generated with --skip-validation (package `case_<name>`), then one mypy run."""
    root = tmp_path_factory.mktemp("invalid")
    results: dict[str, tuple[int, str, Path]] = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SDKGEN_CACHE_DIR", str(root / "cache"))
        patch.chdir(root)
        for name, case in CASES.items():
            spec = root / f"{name}.yaml"
            spec.write_text(case.spec, encoding="utf-8")
            project = root / name
            result = run_cli(
                "generate",
                str(spec),
                "-o",
                str(project),
                "--package-name",
                f"case_{name}",
                "--skip-validation",
                "-v",
            )
            results[name] = (result.exit_code, result.output, project)
    packages = [p / f"case_{n}" for n, (code, _, p) in results.items() if code == 0]
    checked = mypy_strict(packages)
    lines = checked.output.splitlines()
    yield {
        name: Generated(
            code, output, project, [line for line in lines if line.startswith(f"case_{name}/")]
        )
        for name, (code, output, project) in results.items()
    }


def _generate_params() -> list[object]:
    return [
        pytest.param(
            name,
            marks=(
                [pytest.mark.xfail(reason=case.generate_bug, strict=True)]
                if case.generate_bug
                else []
            ),
        )
        for name, case in CASES.items()
    ]


@pytest.mark.parametrize("name", _generate_params())
def test_generates_imports_and_type_checks(name: str, generated: dict[str, Generated]) -> None:
    run = generated[name]
    assert "Traceback" not in run.output and "internal error" not in run.output, run.output
    assert run.exit_code == 0, run.output
    imported = import_in_subprocess(run.project, package_of(run.project))
    assert imported.clean, imported
    assert not run.mypy_errors, "\n".join(run.mypy_errors)


def _diagnostic_params() -> list[object]:
    return [
        pytest.param(
            name,
            marks=[pytest.mark.xfail(reason=case.gap, strict=True)] if case.gap else [],
        )
        for name, case in CASES.items()
    ]


@pytest.mark.parametrize("name", _diagnostic_params())
def test_the_problem_is_reported_with_code_and_pointer(
    name: str, generated: dict[str, Generated]
) -> None:
    found = [(code, pointer) for _, code, pointer, _ in diagnostics(generated[name].output)]
    for code, pointer in CASES[name].reported:
        assert any((code is None or c == code) and p.startswith(pointer) for c, p in found), (
            f"no {code or 'diagnostic'} at {pointer}; got {found}"
        )


def _validator_params() -> list[object]:
    return [
        pytest.param(
            name,
            marks=(
                [pytest.mark.xfail(reason=case.validator_bug, strict=True)]
                if case.validator_bug
                else []
            ),
        )
        for name, case in CASES.items()
        if case.validator_pointer
    ]


@pytest.mark.parametrize("name", _validator_params())
def test_validate_refuses_it_at_a_pointer(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SDKGEN_CACHE_DIR", str(tmp_path / "cache"))
    spec = tmp_path / f"{name}.yaml"
    spec.write_text(CASES[name].spec, encoding="utf-8")
    result = run_cli("validate", str(spec))
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    errors = [d for d in diagnostics(result.output) if d[0] == "ERROR"]
    wanted = CASES[name].validator_pointer or ""
    assert any(pointer.startswith(wanted) for _, _, pointer, _ in errors), result.output


def run_python(project: Path, script: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-B", "-c", script, *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_recursive_models_round_trip(generated: dict[str, Generated]) -> None:
    project = generated["circular_refs"].project
    a = {"name": "x", "b": {"a": {"name": "y", "b": {}}, "many": [{"name": "z"}, {}]}}
    node = {
        "value": 1,
        "children": [{"value": 2, "children": [{"children": [], "extra": True}]}],
        "parent": {"children": []},
    }
    script = (
        "import json, sys\n"
        "from case_circular_refs.models import A, B, Node\n"
        "a, node = json.loads(sys.argv[1]), json.loads(sys.argv[2])\n"
        "parsed = A.from_dict(a)\n"
        "assert isinstance(parsed.b, B) and isinstance(parsed.b.a, A), parsed\n"
        "assert isinstance(parsed.b.many[0], A), parsed\n"
        "assert parsed.to_dict() == a, parsed.to_dict()\n"
        "tree = Node.from_dict(node)\n"
        "assert isinstance(tree.children[0].children[0], Node), tree\n"
        "assert isinstance(tree.parent, Node), tree\n"
        "assert tree.to_dict() == node, tree.to_dict()\n"
        "deep = {'children': []}\n"
        "for _ in range(50):\n"
        "    deep = {'children': [deep]}\n"
        "assert Node.from_dict(deep).to_dict() == deep\n"
    )
    done = run_python(project, script, json.dumps(a), json.dumps(node))
    assert done.returncode == 0, done.stderr


def client_source(generated: dict[str, Generated], name: str) -> str:
    project = generated[name].project
    return (project / package_of(project) / "_client.py").read_text(encoding="utf-8")


def test_missing_operation_ids_are_named_from_method_and_path(
    generated: dict[str, Generated],
) -> None:
    source = client_source(generated, "missing_operation_id")
    assert "def get_pets_pet_id_toys(" in source
    assert "def post_pets_pet_id_toys(" in source


def test_duplicate_operation_ids_get_distinct_methods(generated: dict[str, Generated]) -> None:
    source = client_source(generated, "duplicate_operation_ids")
    assert "def get_pet(" in source and "def get_pet_2(" in source


def test_integer_response_codes_are_read_as_their_strings(
    generated: dict[str, Generated],
) -> None:
    assert "-> list[Pet]:" in client_source(generated, "integer_response_codes")


def test_openapi31_types_are_understood(generated: dict[str, Generated]) -> None:
    project = generated["openapi31_keywords"].project
    models = (project / package_of(project) / "models.py").read_text(encoding="utf-8")
    assert "name: str | None | Unset = UNSET" in models
    assert "age: int | None | Unset = UNSET" in models
    assert "tags: list[str] | Unset = UNSET" in models


def test_a_ref_to_a_property_takes_its_type(generated: dict[str, Generated]) -> None:
    project = generated["ref_to_a_property"].project
    models = (project / package_of(project) / "models.py").read_text(encoding="utf-8")
    assert "pet_name: str | Unset = UNSET" in models
    script = (
        "from case_ref_to_a_property.models import Owner\n"
        "owner = Owner.from_dict({'petName': 'rex', 'petKind': 'dog'})\n"
        "assert owner.pet_name == 'rex' and owner.pet_kind == 'dog', owner\n"
        "assert type(owner.pet_kind).__name__ != 'str', type(owner.pet_kind)\n"
    )
    done = run_python(project, script)
    assert done.returncode == 0, done.stderr
    assert "def get_pet(" in client_source(generated, "ref_to_a_property")
