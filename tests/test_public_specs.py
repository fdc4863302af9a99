"""Real documents (issue 6, item 1): the two smaller public specs in ../shared/specs/public/
generate, drop no operation, import cleanly and pass `mypy --strict`.

`tests/sweep.py` runs the same checks on every public spec (and the Leonardo one), with timings.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import importer, run_cli
from tests.support.checks import (
    document_operations,
    generated_operations,
    import_in_subprocess,
    mypy_strict,
)

PUBLIC = Path(__file__).resolve().parents[2] / "shared" / "specs" / "public"
SMALL = ["box-openapi-v2025.0.json", "twilio_conversations_v1.json"]


def public_spec(name: str) -> Path:
    path = PUBLIC / name
    if not path.is_file():
        pytest.fail(
            f"the public spec is missing: expected {path}. The repository must sit beside "
            "shared/ (shared/specs/public/), as on the team machines and in CI."
        )
    return path


@pytest.mark.parametrize("name", SMALL)
def test_public_spec_generates_every_operation_and_type_checks(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = public_spec(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SDKGEN_CACHE_DIR", str(tmp_path / "cache"))
    project = tmp_path / "client"
    result = run_cli(
        "generate", str(spec), "-o", str(project), "--package-name", "public", "--format", "json"
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    in_document = document_operations(json.loads(spec.read_text(encoding="utf-8")))
    assert in_document > 0
    assert report["result"]["operations"] == in_document, report["result"]
    assert generated_operations(project, "public") == in_document
    assert not [d for d in report["diagnostics"] if d["severity"] == "error"]
    imported = import_in_subprocess(project, "public")
    assert imported.clean, imported
    checked = mypy_strict([project / "public"])
    assert checked.returncode == 0, checked.output[-5000:]


REDOCLY_CAFE = "redocly-cafe/openapi/openapi.yaml"


def test_the_redocly_cafe_split_over_files_generates_every_operation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 14: OpenAPI 3.1, 41 referenced files (paths, parameters, responses, schemas,
    webhooks, C# and PHP code samples). Webhooks are no client operations."""
    from generator import load

    spec = public_spec(REDOCLY_CAFE)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SDKGEN_CACHE_DIR", str(tmp_path / "cache"))
    project = tmp_path / "client"
    result = run_cli(
        "generate", str(spec), "-o", str(project), "--package-name", "cafe", "--format", "json"
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    document = load.load(str(spec))
    assert len(document.files) > 40
    in_document = document_operations(document.data)
    assert in_document == 12
    assert report["result"]["operations"] == generated_operations(project, "cafe") == in_document
    files = {d["file"].removeprefix(str(spec.parent) + "/") for d in report["diagnostics"]}
    assert "components/schemas/OrderItem.yaml" in files, files  # diagnostics name their file
    assert "components/schemas/MenuItem.yaml" not in files, files  # its oneOf is typed (13)
    imported = import_in_subprocess(project, "cafe")
    assert imported.clean, imported
    checked = mypy_strict([project / "cafe"])
    assert checked.returncode == 0, checked.output[-5000:]
    models = (project / "cafe" / "models.py").read_text(encoding="utf-8")
    assert "menu_item: Beverage | Dessert | Unset = UNSET" in models


OPC_E2E = sorted(p.name for p in (PUBLIC / "opc-e2e").glob("*.yaml"))
INVALID = {"baseline_openapi_3.1.yaml"}  # 3 validation errors: generated with --skip-validation
HEADER_OVERLAY = """\
overlay: 1.0.0
info: {title: an HTTP token for the header name, version: "1"}
actions:
  - target: "$.components.parameters['header-param']"
    update: {name: header-param}
"""


@pytest.mark.parametrize(
    "name",
    [f"opc-e2e/{n}" for n in OPC_E2E]
    + [f"twilio-multi/{p.name}" for p in sorted((PUBLIC / "twilio-multi").glob("*.json"))],
)
def test_opc_e2e_and_twilio_multi_generate_import_and_type_check(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 13: openapi-python-client's 3.1 end-to-end documents (unions, const, prefixItems,
    type arrays, enums of every kind) and the Twilio documents meant as one API, each alone."""
    spec = public_spec(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SDKGEN_CACHE_DIR", str(tmp_path / "cache"))
    project = tmp_path / "client"
    skip = ["--skip-validation"] if Path(name).name in INVALID else []
    if Path(name).name in INVALID:  # its header `header param` cannot be sent (SDK218, an error)
        overlay = tmp_path / "overlay.yaml"
        overlay.write_text(HEADER_OVERLAY, encoding="utf-8")
        skip += ["--overlay", str(overlay)]
    result = run_cli(
        "generate",
        str(spec),
        "-o",
        str(project),
        "--package-name",
        "pub",
        "--format",
        "json",
        *skip,
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["result"]["operations"] == generated_operations(project, "pub") > 0
    silent_unions = [
        d for d in report["diagnostics"] if "union" in d["message"] and d["code"] == "SDK201"
    ]
    assert silent_unions == []
    imported = import_in_subprocess(project, "pub")
    assert imported.clean, imported
    checked = mypy_strict([project / "pub"])
    assert checked.returncode == 0, checked.output[-5000:]


def test_opc_e2e_is_complete() -> None:
    assert OPC_E2E == [
        "3.1_specific.openapi.yaml",
        "baseline_openapi_3.1.yaml",
        "openapi_3.1_enums.yaml",
    ]


def test_webhooks_get_a_note_and_their_models_with_include_unused(tmp_path: Path) -> None:
    """3.1 `webhooks` are no client operations (SDK226); `--include-unused` generates the
    schemas they use, here the redocly cafe's `OrderNotification` payload."""
    spec = public_spec(REDOCLY_CAFE)
    result = run_cli(
        "generate",
        str(spec),
        "-o",
        str(tmp_path / "c"),
        "--format",
        "json",
        "--include-unused",
        "--package-name",
        "cafe",
    )
    assert result.exit_code == 0, result.output
    notes = [d for d in json.loads(result.stdout)["diagnostics"] if d["code"] == "SDK226"]
    assert [(n["pointer"], n["severity"]) for n in notes] == [("#/webhooks", "info")]
    from generator import load

    webhooks = load.load(str(spec)).data["webhooks"]
    assert notes[0]["message"].startswith(f"{len(webhooks)} webhooks are requests the API sends")
    models = (tmp_path / "c" / "cafe" / "models.py").read_text(encoding="utf-8")
    assert "class OrderNotification(_rt.Model):" in models


def test_opc_e2e_discriminated_union_of_identical_shapes_decodes_by_its_mapping(
    tmp_path: Path,
) -> None:
    """opc-e2e's ADiscriminatedUnionType1 and ...Type2 have the same properties: only the
    discriminator (`modelType`, behind a nullable `oneOf` wrapper) can tell them apart."""
    overlay = tmp_path / "overlay.yaml"
    overlay.write_text(HEADER_OVERLAY, encoding="utf-8")
    spec = public_spec("opc-e2e/baseline_openapi_3.1.yaml")
    project = tmp_path / "client"
    result = run_cli(
        "generate",
        str(spec),
        "-o",
        str(project),
        "-q",
        "--package-name",
        "opc_base",
        "--skip-validation",
        "--include-unused",
        "--overlay",
        str(overlay),
    )
    assert result.exit_code == 0, result.output
    loading = importer()
    models = next(loading)(project, "opc_base").models
    try:
        holder = models.ModelWithDiscriminatedUnion
        for tag, cls in (
            ("type1", "ADiscriminatedUnionType1"),
            ("type2", "ADiscriminatedUnionType2"),
        ):
            read = holder.from_dict({"discriminated_union": {"modelType": tag}}, strict=True)
            assert type(read.discriminated_union).__name__ == cls
        assert holder.from_dict({"discriminated_union": None}).discriminated_union is None
    finally:
        next(loading, None)


# spec: (package, operations whose arguments or results hold a typed date-time, at least). The
# documents have 336 and 75 operations whose parameters, JSON bodies or 2xx responses reach a
# `format: date-time` (on GitHub one of them only inside a `oneOf`, typed since unions are):
# every one is typed.
DATED = {
    "github-api.github.com-2022-06.json": ("github", 336),
    "twilio_conversations_v1.json": ("twilio", 75),
}


@pytest.mark.parametrize("name", sorted(DATED))
def test_date_times_of_real_documents_are_typed(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 13, item 2: GitHub and Twilio `date-time`s are `datetime.datetime` in models and
    results and `datetime.datetime | str` in arguments; the clients import and pass mypy."""
    package, operations = DATED[name]
    spec = public_spec(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SDKGEN_CACHE_DIR", str(tmp_path / "cache"))
    project = tmp_path / "client"
    result = run_cli("generate", str(spec), "-o", str(project), "--package-name", package, "-q")
    assert result.exit_code == 0, result.output
    client = (project / package / "_client.py").read_text(encoding="utf-8")
    models = (project / package / "models.py").read_text(encoding="utf-8")
    assert "import datetime as _dt" in models
    assert "_rt.DATE_TIME" in models and ": _dt.datetime" in models
    dated = _methods_mentioning(client, "_dt.", models)
    assert dated >= operations, dated
    imported = import_in_subprocess(project, package)
    assert imported.clean, imported
    checked = mypy_strict([project / package])
    assert checked.returncode == 0, checked.output[-5000:]


def _methods_mentioning(client: str, needle: str, models: str) -> int:
    """Sync methods whose signature mentions `needle`, directly or through the models it names
    (each model counted with every model its fields reach)."""
    import re

    fields: dict[str, str] = {}
    for block in re.split(r"\n\n\n(?=@dataclasses)", models):
        found = re.search(r"class (\w+)\(\s*_rt.Model\b", block)
        if found:
            fields[found[1]] = block
    reach: dict[str, bool] = {}

    def dated(name: str, seen: frozenset[str] = frozenset()) -> bool:
        if name not in reach:
            text = fields[name]
            names = set(re.findall(r"\b([A-Z]\w*)\b", text)) & fields.keys() - seen - {name}
            reach[name] = needle in text or any(dated(n, seen | {name}) for n in names)
        return reach[name]

    sync = client.split("\nclass Async", 1)[0]
    count = 0
    for signature in re.findall(r"\n    def \w+\(\n(.*?)\) -> (.*?):\n", sync, re.S):
        text = signature[0] + signature[1]
        named = set(re.findall(r"\b([A-Z]\w*)\b", text)) & fields.keys()
        count += needle in text or any(dated(n) for n in named)
    return count
