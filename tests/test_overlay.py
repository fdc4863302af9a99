"""Overlays (OpenAPI Overlay 1.0): each action kind, their order, and every malformed case,
through `overlay.apply` and through the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator import overlay
from generator.diagnostics import Fatal, Severity
from tests.conftest import run_cli, write_spec

SPEC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "Pets", "version": "1.0.0"},
    "tags": [{"name": "pets"}],
    "paths": {
        "/pets": {
            "get": {
                "operationId": "listPets",
                "tags": ["pets"],
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Pet"},
                            }
                        },
                    }
                },
            }
        },
        "/secret": {"get": {"operationId": "secret", "responses": {"204": {"description": "no"}}}},
    },
    "components": {
        "schemas": {
            "Pet": {
                "type": "object",
                "required": ["id"],
                "properties": {"id": {"type": "string"}, "tags": {"type": "array", "items": {}}},
            }
        }
    },
}


def doc() -> dict[str, Any]:
    copy: dict[str, Any] = json.loads(json.dumps(SPEC))
    return copy


def overlay_file(tmp_path: Path, actions: list[Any], **top: Any) -> Path:
    body = {"overlay": "1.0.0", "info": {"title": "t", "version": "1"}, "actions": actions, **top}
    path = tmp_path / "overlay.yaml"
    path.write_text(yaml.safe_dump(body, sort_keys=False), encoding="utf-8")
    return path


def test_update_merges_objects_recursively(tmp_path: Path) -> None:
    path = overlay_file(
        tmp_path,
        [
            {
                "target": "$.components.schemas.Pet",
                "update": {"description": "A pet.", "properties": {"name": {"type": "string"}}},
            }
        ],
    )
    result, found = overlay.apply(doc(), str(path))
    pet = result["components"]["schemas"]["Pet"]
    assert found == []
    assert pet["description"] == "A pet."
    assert list(pet["properties"]) == ["id", "tags", "name"]


def test_update_appends_to_arrays(tmp_path: Path) -> None:
    actions = [
        {"target": "$.tags", "update": {"name": "store"}},
        {"target": "$.components.schemas.Pet", "update": {"required": ["tags"]}},
    ]
    result, _ = overlay.apply(doc(), str(overlay_file(tmp_path, actions)))
    assert result["tags"] == [{"name": "pets"}, {"name": "store"}]
    assert result["components"]["schemas"]["Pet"]["required"] == ["id", "tags"]


def test_update_replaces_scalars_and_applies_to_every_match(tmp_path: Path) -> None:
    actions = [{"target": "$.paths[*].get", "update": {"x-sdkgen-group": "all", "tags": ["x"]}}]
    result, _ = overlay.apply(doc(), str(overlay_file(tmp_path, actions)))
    assert result["paths"]["/pets"]["get"]["x-sdkgen-group"] == "all"
    assert result["paths"]["/secret"]["get"]["x-sdkgen-group"] == "all"
    assert result["paths"]["/pets"]["get"]["tags"] == ["pets", "x"]


def test_update_values_are_copies(tmp_path: Path) -> None:
    actions = [{"target": "$.paths[*].get", "update": {"x-meta": {"n": 1}}}]
    result, _ = overlay.apply(doc(), str(overlay_file(tmp_path, actions)))
    result["paths"]["/pets"]["get"]["x-meta"]["n"] = 2
    assert result["paths"]["/secret"]["get"]["x-meta"] == {"n": 1}


def test_remove_deletes_object_members_and_array_items(tmp_path: Path) -> None:
    actions = [
        {"target": "$.paths['/secret']", "remove": True},
        {"target": "$.tags[0]", "remove": True},
    ]
    result, found = overlay.apply(doc(), str(overlay_file(tmp_path, actions)))
    assert found == []
    assert list(result["paths"]) == ["/pets"]
    assert result["tags"] == []


def test_remove_of_several_array_items_keeps_the_others(tmp_path: Path) -> None:
    data = doc()
    data["tags"] = [{"name": n} for n in "abcde"]
    actions = [{"target": "$.tags[?@.name == 'b' || @.name == 'd']", "remove": True}]
    result, _ = overlay.apply(data, str(overlay_file(tmp_path, actions)))
    assert result["tags"] == [{"name": "a"}, {"name": "c"}, {"name": "e"}]


def test_actions_apply_in_order(tmp_path: Path) -> None:
    actions = [
        {"target": "$.components.schemas.Pet.properties.id", "remove": True},
        {"target": "$.components.schemas.Pet.properties", "update": {"id": {"type": "integer"}}},
    ]
    result, _ = overlay.apply(doc(), str(overlay_file(tmp_path, actions)))
    assert result["components"]["schemas"]["Pet"]["properties"]["id"] == {"type": "integer"}


def test_target_that_matches_nothing_is_a_warning_with_its_index(tmp_path: Path) -> None:
    actions = [
        {"target": "$.tags", "update": {"name": "x"}},
        {"target": "$.paths['/nope']", "remove": True},
    ]
    path = overlay_file(tmp_path, actions)
    _, found = overlay.apply(doc(), str(path))
    (diagnostic,) = found
    assert (diagnostic.severity, diagnostic.code) == (Severity.WARNING, "SDK032")
    assert (diagnostic.pointer, diagnostic.file) == ("#/actions/1/target", str(path))
    assert "action 1" in diagnostic.message and "selects nothing" in diagnostic.message


MALFORMED: list[tuple[dict[str, Any], str, str]] = [
    ({"overlay": "2.0.0"}, "#/overlay", "expected overlay: 1.0.x"),
    ({"info": {"title": "t"}}, "#/info", "info needs a title and a version"),
    ({"actions": []}, "#/actions", "actions must be a non-empty list"),
    ({"actions": ["x"]}, "#/actions/0", "an action must be an object"),
    ({"actions": [{"update": {}}]}, "#/actions/0/target", "target must be a JSONPath"),
    ({"actions": [{"target": "paths", "update": {}}]}, "#/actions/0/target", "starting with $"),
    ({"actions": [{"target": "$.paths[", "update": {}}]}, "#/actions/0/target", "invalid JSONPath"),
    ({"actions": [{"target": "$.tags"}]}, "#/actions/0", "exactly one of update and remove"),
    (
        {"actions": [{"target": "$.tags", "update": {}, "remove": True}]},
        "#/actions/0",
        "exactly one of update and remove",
    ),
    ({"actions": [{"target": "$.tags", "remove": "yes"}]}, "#/actions/0/remove", "true or false"),
]


@pytest.mark.parametrize(("change", "pointer", "message"), MALFORMED)
def test_malformed_overlay_is_an_error_pointing_into_the_overlay(
    change: dict[str, Any], pointer: str, message: str, tmp_path: Path
) -> None:
    body = {"overlay": "1.0.0", "info": {"title": "t", "version": "1"}, "actions": [], **change}
    if "actions" not in change:
        body["actions"] = [{"target": "$.tags", "update": {"name": "x"}}]
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(body), encoding="utf-8")
    with pytest.raises(Fatal) as caught:
        overlay.apply(doc(), str(path))
    found = [(d.code, d.pointer, d.file) for d in caught.value.diagnostics if message in d.message]
    assert found and found[0][1:] == (pointer, str(path))
    assert found[0][0] in ("SDK030", "SDK031")


def test_update_of_a_scalar_is_an_error(tmp_path: Path) -> None:
    path = overlay_file(tmp_path, [{"target": "$.info.title", "update": {"x": 1}}])
    _, found = overlay.apply(doc(), str(path))
    (diagnostic,) = found
    assert (diagnostic.code, diagnostic.pointer) == ("SDK033", "#/actions/0/update")
    assert "cannot update a str value at $['info']['title']" in diagnostic.message


def test_removing_the_root_is_an_error(tmp_path: Path) -> None:
    _, found = overlay.apply(doc(), str(overlay_file(tmp_path, [{"target": "$", "remove": True}])))
    assert [(d.code, d.message) for d in found] == [
        ("SDK033", "the document root cannot be removed")
    ]


# --- through the CLI -------------------------------------------------------------------------


def test_generate_applies_overlays_in_the_order_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    spec = write_spec(tmp_path, SPEC)
    first = overlay_file(
        tmp_path, [{"target": "$.paths['/pets'].get", "update": {"x-sdkgen-name": "first"}}]
    )
    second = tmp_path / "second.yaml"
    second.write_text(first.read_text().replace("first", "second"), encoding="utf-8")
    result = run_cli(
        "generate", str(spec), "-o", "out", "--overlay", str(first), "--overlay", str(second)
    )
    assert result.exit_code == 0, result.output
    client = (tmp_path / "out" / "pets" / "_client.py").read_text(encoding="utf-8")
    assert "def second(" in client and "def first(" not in client


def test_unmatched_target_fails_with_strict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    spec = write_spec(tmp_path, SPEC)
    path = overlay_file(tmp_path, [{"target": "$.nothing", "remove": True}])
    lenient = run_cli("generate", str(spec), "-o", "out", "--overlay", str(path))
    assert lenient.exit_code == 0
    assert f"WARNING SDK032 {path}#/actions/0/target: action 0" in lenient.output
    strict = run_cli("generate", str(spec), "-o", "out2", "--overlay", str(path), "--strict")
    assert strict.exit_code == 1
    assert f"ERROR SDK032 {path}#/actions/0/target" in strict.output
    assert not (tmp_path / "out2").exists()


def test_malformed_overlay_stops_generation_without_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    spec = write_spec(tmp_path, SPEC)
    broken = tmp_path / "broken.yaml"
    broken.write_text("overlay: 1.0.0\nactions: [\n", encoding="utf-8")
    result = run_cli("generate", str(spec), "-o", "out", "--overlay", str(broken))
    assert result.exit_code == 1
    assert f"ERROR SDK003 {broken}#: malformed YAML at line 3" in result.output
    assert "Traceback" not in result.output
    missing = run_cli("generate", str(spec), "-o", "out", "--overlay", str(tmp_path / "nope.yaml"))
    assert missing.exit_code == 1
    assert f"ERROR SDK001 {tmp_path / 'nope.yaml'}#: no such file" in missing.output


def test_configured_overlays_apply_to_the_default_job_before_command_line_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write_spec(tmp_path, SPEC, "pets.yaml")
    overlay_file(
        tmp_path, [{"target": "$.paths['/pets'].get", "update": {"x-sdkgen-name": "configured"}}]
    )
    (tmp_path / "pyproject.toml").write_text(
        '[tool.sdkgen]\nspec = "pets.yaml"\noutput = "out"\npackage-name = "pets"\n'
        'overlays = ["overlay.yaml"]\n',
        encoding="utf-8",
    )
    assert run_cli("generate", "-q").exit_code == 0
    assert "def configured(" in (tmp_path / "out" / "pets" / "_client.py").read_text(
        encoding="utf-8"
    )
    later = tmp_path / "later.yaml"
    later.write_text(
        (tmp_path / "overlay.yaml").read_text().replace("configured", "later"), encoding="utf-8"
    )
    assert run_cli("generate", "-q", "--overlay", str(later)).exit_code == 0
    assert "def later(" in (tmp_path / "out" / "pets" / "_client.py").read_text(encoding="utf-8")
