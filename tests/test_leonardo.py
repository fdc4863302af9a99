"""The real Leonardo spec: the default job and its pin, and each of the document's quirks
(see ../shared/specs/README.md) pinned to the behaviour the generator chose for it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator import build, ir
from tests.conftest import LEONARDO_SHA256, REPO, run_cli
from tests.support.fault_server import FaultServer, reply


@pytest.fixture(scope="module")
def api(leonardo_spec: Path) -> ir.Api:
    doc = json.loads(leonardo_spec.read_text(encoding="utf-8"))
    return build.build(doc, package_name="leonardo_variation", env_prefix="LEONARDO")[0]


@pytest.fixture(scope="module")
def diagnostics(leonardo_spec: Path) -> list[str]:
    doc = json.loads(leonardo_spec.read_text(encoding="utf-8"))
    return [d.render() for d in build.build(doc, package_name="x", env_prefix="X")[1]]


def operation(api: ir.Api, name: str) -> ir.Operation:
    return next(op for group in api.groups for op in group.operations if op.py_name == name)


def model(api: ir.Api, name: str) -> ir.Model:
    return next(m for m in api.models if m.name == name)


def test_operations_are_snake_case_whatever_the_operation_id_casing(api: ir.Api) -> None:
    """Quirk 3: `CreateUniversalUpscalerJob` is PascalCase, `createVariationNoBG` ends in an
    acronym."""
    assert [g.attr_name for g in api.groups] == ["variation"]
    assert [op.py_name for op in api.groups[0].operations] == [
        "create_variation_unzoom",
        "create_variation_upscale",
        "create_variation_no_bg",
        "create_universal_upscaler_job",
        "get_variation_by_id",
        "get_motion_variation_by_id",
    ]


def test_two_schemas_titled_sd_upscale_job_output_get_distinct_names(api: ir.Api) -> None:
    """Quirk 2: the title names two different inline schemas."""
    upscale = model(api, "CreateVariationUpscaleResponse").fields[0]
    nobg = model(api, "CreateVariationNoBGResponse").fields[0]
    assert upscale.type == ir.NullableType(ir.ModelRef("SdUpscaleJob"))
    assert nobg.type == ir.ModelRef("SdNobgJob")
    assert "SDUpscaleJobOutput" not in {m.name for m in api.models}


def test_enum_values_that_are_not_identifiers_get_readable_members(api: ir.Api) -> None:
    """Quirk 4."""
    style = next(e for e in api.enums if e.name == "UniversalUpscalerStyle")
    assert [(m.py_name, m.value) for m in style.members] == [
        ("GENERAL", "GENERAL"),
        ("CINEMATIC", "CINEMATIC"),
        ("ART_AND_ILLUSTRATION_2D", "2D ART & ILLUSTRATION"),
        ("CG_ART_AND_GAME_ASSETS", "CG ART & GAME ASSETS"),
    ]


def test_unzoom_body_without_required_list_makes_id_optional(api: ir.Api) -> None:
    """Quirk 5: optional body, no `required`: every argument is optional and nothing is sent
    when nothing is given (the upscale body, also optional, does require `id`)."""
    unzoom = operation(api, "create_variation_unzoom").body
    assert isinstance(unzoom, ir.JsonBody) and not unzoom.required
    assert [(f.py_name, f.required) for f in unzoom.fields] == [
        ("id", False),
        ("is_variation", False),
    ]
    upscale = operation(api, "create_variation_upscale").body
    assert isinstance(upscale, ir.JsonBody)
    assert [(f.py_name, f.required) for f in upscale.fields] == [("id", True)]


def test_nullable_uuid_and_pattern_path_parameter_are_plain_strings(api: ir.Api) -> None:
    """Quirk 6: the nullable `uuid` schema types `id` as `str | None`; path parameters with a
    UUID pattern are `str` (patterns are not enforced by the client)."""
    assert model(api, "SdNobgJob").fields[0].type == ir.NullableType(ir.StrType())
    (param,) = operation(api, "get_variation_by_id").params
    assert (param.py_name, param.location, param.type, param.required) == (
        "id",
        "path",
        ir.StrType(),
        True,
    )


def test_deprecated_field_is_kept_and_marked(api: ir.Api) -> None:
    """Quirk 8: `apiCreditCost` beside its replacement `cost`."""
    fields = {f.wire_name: f for f in model(api, "SdUpscaleJob").fields}
    assert fields["apiCreditCost"].deprecated and not fields["cost"].deprecated


def test_spec_defaults_are_documented_not_sent(api: ir.Api) -> None:
    body = operation(api, "create_universal_upscaler_job").body
    assert isinstance(body, ir.JsonBody)
    defaults = {f.wire_name: f.default for f in body.fields if f.default is not None}
    assert defaults == {
        "creativityStrength": "5",
        "upscaleMultiplier": "1.5",
        "upscalerStyle": "'GENERAL'",
    }


def test_only_reachable_schemas_are_generated_and_the_rest_reported(
    api: ir.Api, diagnostics: list[str]
) -> None:
    """Quirk 11: Blueprint, NodeInput, pricing enums ... are not emitted."""
    names = {m.name for m in api.models} | {e.name for e in api.enums}
    assert not names & {"Blueprint", "NodeInput", "ApiError", "PricingCalculatorServices", "Lora"}
    (unused,) = [d for d in diagnostics if "SDK207" in d]
    assert unused.startswith(
        "INFO SDK207 #/components/schemas: 56 component schemas are not reachable"
    )


def test_bearer_auth_despite_odd_bearer_format(api: ir.Api) -> None:
    """Quirk 10: `bearerFormat: "auth-scheme"` is documentation; the scheme is bearer."""
    (scheme,) = api.schemes
    assert (scheme.kind, scheme.name, scheme.args) == ("bearer", "Authorization", ("api_key",))
    assert scheme.envs == ("LEONARDO_API_KEY",)
    assert api.base_url == "https://cloud.leonardo.ai/api/rest/v1"


def test_the_spec_builds_without_warnings(diagnostics: list[str]) -> None:
    assert [d for d in diagnostics if not d.startswith("INFO")] == []


# --- the default job and its pin -------------------------------------------------------------


def job_dir(
    tmp_path: Path, *, sha256: str = LEONARDO_SHA256, mirror: Path | None, url: str = ""
) -> Path:
    """A project directory whose [tool.sdkgen] pins the Leonardo spec like ours does."""
    mirrors = f'mirrors = ["{mirror}"]\n' if mirror else ""
    (tmp_path / "pyproject.toml").write_text(
        "[tool.sdkgen]\n"
        'spec = "specs/leonardo-ai-variation-openapi.json"\n'
        f'spec-url = "{url}"\n'
        f'spec-sha256 = "{sha256}"\n'
        f"{mirrors}"
        'output = "generated/leonardo_variation"\n'
        'package-name = "leonardo_variation"\n'
        'env-prefix = "LEONARDO"\n',
        encoding="utf-8",
    )
    return tmp_path


def test_repository_default_job_matches_the_pin() -> None:
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert f'spec-sha256 = "{LEONARDO_SHA256}"' in text
    assert "b92a3df7c19077bf1ed6ef09ab817c4eaf122885" in text


def test_default_job_finds_the_spec_in_a_mirror(
    tmp_path: Path, leonardo_spec: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(job_dir(tmp_path, mirror=leonardo_spec.parent))
    result = run_cli("generate")
    assert result.exit_code == 0, result.output
    package = tmp_path / "generated" / "leonardo_variation" / "leonardo_variation"
    assert (package / "_client.py").is_file()
    assert "LEONARDO_API_KEY" in (package / "_client.py").read_text(encoding="utf-8")


def test_default_job_refuses_a_spec_whose_sha256_differs(
    tmp_path: Path, leonardo_spec: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(job_dir(tmp_path, sha256="0" * 64, mirror=leonardo_spec.parent))
    result = run_cli("generate")
    assert result.exit_code == 1
    assert "ERROR SDK022" in result.output and "does not match the pinned 0000" in result.output
    assert not (tmp_path / "generated").exists()


@pytest.fixture
def spec_server(leonardo_spec: Path) -> Iterator[FaultServer]:
    with FaultServer() as server:
        server.script("GET", "/leonardo.json", reply(200, leonardo_spec.read_bytes()))
        yield server


def test_default_job_downloads_the_pinned_url_and_keeps_a_copy(
    tmp_path: Path, spec_server: FaultServer, leonardo_spec: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(job_dir(tmp_path, mirror=None, url=spec_server.url("/leonardo.json")))
    result = run_cli("generate", "-q")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "specs" / leonardo_spec.name).read_bytes() == leonardo_spec.read_bytes()
    assert spec_server.count("GET", "/leonardo.json") == 1
    assert run_cli("generate", "-q").exit_code == 0  # the local copy is used from now on
    assert spec_server.count("GET", "/leonardo.json") == 1


def test_default_job_reports_a_missing_spec_and_unreachable_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(
        job_dir(tmp_path, mirror=tmp_path / "nowhere", url="http://127.0.0.1:9/x.json")
    )
    result = run_cli("generate")
    assert result.exit_code == 1
    assert "ERROR SDK002 http://127.0.0.1:9/x.json#: cannot download" in result.output
    assert "Traceback" not in result.output


def test_validate_with_no_argument_checks_the_pinned_spec(
    tmp_path: Path, leonardo_spec: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(job_dir(tmp_path, mirror=leonardo_spec.parent))
    result = run_cli("validate")
    assert result.exit_code == 0, result.output
    assert "validated" in result.output and "(0 errors, 16 warnings" in result.output


# --- lint: the raw spec's quirks, and the project's overlay fixing them ----------------------

UPSCALE_200 = "#/paths/~1variations~1upscale/post/responses/200/content/application~1json"


def test_lint_lists_the_raw_specs_quirks(
    leonardo_spec: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO.parent)  # no [tool.sdkgen] here: the raw document, no overlay
    result = run_cli("lint", str(leonardo_spec), "--format", "json")
    assert result.exit_code == 0  # warnings fail only with --strict
    found = {(d["code"], d["pointer"]) for d in json.loads(result.stdout)["diagnostics"]}
    assert ("SDK101", f"{UPSCALE_200}/example/sdUpscalerjob") in found
    assert ("SDK103", "#/paths/~1variations~1universal-upscaler/post/operationId") in found
    assert (
        "SDK106",
        "#/paths/~1variations~1unzoom/post/requestBody/content/application~1json/schema",
    ) in found
    assert ("SDK107", "#/components/schemas/uuid/pattern") in found
    assert ("SDK112", "#/components/securitySchemes/bearerAuth/bearerFormat") in found
    assert ("SDK207", "#/components/schemas") in found
    strict = run_cli("lint", str(leonardo_spec), "--strict")
    assert strict.exit_code == 1
    expected = (
        f"ERROR SDK101 {leonardo_spec}{UPSCALE_200}/example/sdUpscalerjob: "
        "example-schema-mismatch: "
        "unknown key 'sdUpscalerjob'; did you mean 'sdUpscaleJob'?"
    )
    assert expected in strict.output


def test_lint_strict_passes_on_the_default_job(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pinned spec with the project's overlay and its reasoned silences: no warning left."""
    monkeypatch.chdir(REPO)
    result = run_cli("lint", "--strict")
    assert result.exit_code == 0, result.output
    assert "(0 errors, 0 warnings" in result.output


def test_default_job_client_reads_well(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    out = tmp_path / "leonardo_variation"
    result = run_cli("generate", "-o", str(out), "--strict", "-q")
    assert result.exit_code == 0, result.output
    client = (out / "leonardo_variation" / "_client.py").read_text(encoding="utf-8")
    for method in ("unzoom", "upscale", "remove_background", "universal_upscale", "get"):
        assert f"    def {method}(" in client
    assert "self.motion_variations = " in client and "self.variations = " in client
    models = (out / "leonardo_variation" / "models.py").read_text(encoding="utf-8")
    for name in ("UpscaleJob", "NoBackgroundJob", "UnzoomJob", "UniversalUpscalerJob"):
        assert f"class {name}(_rt.Model)" in models
