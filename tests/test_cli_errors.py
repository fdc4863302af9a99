"""Failure cases through the `sdkgen` command line: exit code, diagnostic code, pointer, text.

Every test runs in its own tmp_path (the working directory too, so the repository's own
[tool.sdkgen] is never picked up). Most go through click's CliRunner; a few run the installed
console script in a real subprocess, as a release pipeline would.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from generator.cli import main
from tests.conftest import sdkgen

GOOD = """\
openapi: 3.0.3
info: {title: Pet Store, version: "1.0"}
servers: [{url: "https://api.example.com"}]
paths:
  /pets:
    get:
      operationId: listPets
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: array, items: {$ref: "#/components/schemas/Pet"}}
components:
  schemas:
    Pet: {type: object, properties: {name: {type: string}}}
"""

# Invalid (no info.version) but the IR builder can still build it.
NO_VERSION = """\
openapi: 3.0.3
info: {title: Pet Store}
paths:
  /pets:
    get:
      operationId: listPets
      responses: {"200": {description: ok}}
"""

EXTERNAL_REF = """\
openapi: 3.0.3
info: {title: x, version: "1"}
paths:
  /a:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "../other.yaml#/X"}
"""


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(name: str, text: str) -> Path:
    path = Path(name)
    path.write_text(text, encoding="utf-8")
    return path


def tree(root: Path) -> dict[str, bytes]:
    """Every file under `root` with its bytes, by relative path."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def console_script() -> str:
    found = shutil.which("sdkgen") or str(Path(sys.executable).parent / "sdkgen")
    assert Path(found).is_file(), found
    return found


# --- unreadable and unacceptable documents ----------------------------------------------------


@dataclass(frozen=True)
class Case:
    id: str
    file: str
    text: str | None  # None: the file is not created
    code: str
    pointer: str
    fragment: str


def deep_json(levels: int) -> str:
    return "[" * levels + "]" * levels


def deep_yaml(levels: int) -> str:
    return "openapi: " + "[" * levels + "]" * levels + "\n"


CASES = [
    Case("missing-file", "missing.yaml", None, "SDK001", "#", "no such file"),
    Case(
        "malformed-json",
        "spec.json",
        '{\n  "openapi": "3.0.3",\n  "info": {"title": "x",,\n}\n',
        "SDK003",
        "#",
        "malformed JSON at line 3, column 25",
    ),
    Case(
        "malformed-yaml",
        "spec.yaml",
        "openapi: 3.0.3\ninfo:\n  title: [x\n  version: 1\n",
        "SDK003",
        "#",
        "malformed YAML at line 4, column 10",
    ),
    Case("not-utf8-json", "spec.json", "\udcff", "SDK003", "#", "not UTF-8"),
    Case("not-a-mapping", "spec.yaml", "- a\n- b\n", "SDK005", "#", "not a mapping"),
    Case("scalar-document", "spec.json", "42", "SDK005", "#", "not a mapping"),
    Case(
        "swagger-2",
        "spec.yaml",
        'swagger: "2.0"\ninfo: {title: x, version: "1"}\npaths: {}\n',
        "SDK011",
        "#/openapi",
        "not an OpenAPI 3.x document (version '2.0')",
    ),
    Case(
        "no-info-version",
        "spec.yaml",
        NO_VERSION,
        "SDK013",
        "#/info",
        "'version' is a required property",
    ),
    Case(
        "external-ref",
        "spec.yaml",
        EXTERNAL_REF,
        "SDK010",
        "#/paths/~1a/get/responses/200/content/application~1json/schema/$ref",
        "$ref '../other.yaml#/X' leads out of the entry file's directory tree",
    ),
    # the first value nested too deep, at depth 129
    Case(
        "too-deep-json", "spec.json", deep_json(300), "SDK004", "#" + "/0" * 128, "nesting deeper"
    ),
    Case(
        "too-deep-yaml",
        "spec.yaml",
        deep_yaml(300),
        "SDK004",
        "#/openapi" + "/0" * 127,
        "nesting deeper than",
    ),
]


def make(case: Case) -> None:
    if case.text is not None:
        raw = case.text.encode("utf-8", errors="surrogateescape")
        Path(case.file).write_bytes(raw)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_document_text_diagnostic(case: Case) -> None:
    make(case)
    result = sdkgen("generate", case.file, "-o", "out", "--package-name", "pkg")
    assert result.exit_code == 1, result.output
    line = f"ERROR {case.code} {case.file}{case.pointer}: "
    found = [x for x in result.stderr.splitlines() if x.startswith(line)]
    assert found, result.stderr
    assert case.fragment in found[0]
    assert not Path("out").exists()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_document_json_diagnostic(case: Case) -> None:
    make(case)
    result = sdkgen("generate", case.file, "-o", "out", "--package-name", "pkg", "--format", "json")
    assert result.exit_code == 1, result.output
    payload = json.loads(result.stdout)
    assert payload["version"] == 1
    assert payload["ok"] is False
    first = payload["diagnostics"][0]
    assert (first["severity"], first["code"], first["pointer"], first["file"]) == (
        "error",
        case.code,
        case.pointer,
        case.file,
    )
    assert case.fragment in first["message"]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_validate_command_reports_the_same(case: Case) -> None:
    make(case)
    result = sdkgen("validate", case.file)
    assert result.exit_code == 1, result.output
    assert f"ERROR {case.code} {case.file}{case.pointer}: " in result.stderr


def test_directory_instead_of_file() -> None:
    Path("adir").mkdir()
    result = sdkgen("generate", "adir", "-o", "out")
    assert result.exit_code == 1
    assert "ERROR SDK001 adir#: is a directory" in result.stderr


def test_unreachable_url() -> None:
    url = f"http://127.0.0.1:{closed_port()}/x.json"
    result = sdkgen("generate", url, "-o", "out", "--package-name", "pkg")
    assert result.exit_code == 1
    lines = [x for x in result.stderr.splitlines() if x.startswith(f"ERROR SDK002 {url}#: ")]
    assert lines, result.stderr
    assert "cannot download" in lines[0]


def test_malformed_json_names_line_and_column() -> None:
    write("spec.json", '{\n  "openapi": "3.0.3",\n  "info": {"title": "x",,\n}\n')
    result = sdkgen("validate", "spec.json")
    assert "line 3, column" in result.stderr


def test_invalid_document_hints_at_skip_validation() -> None:
    write("spec.yaml", NO_VERSION)
    result = sdkgen("generate", "spec.yaml", "-o", "out")
    assert result.exit_code == 1
    assert "--skip-validation" in result.stderr


def test_all_validation_errors_are_reported() -> None:
    write("spec.yaml", "openapi: 3.0.3\ninfo: {}\npaths: {}\n")
    result = sdkgen("generate", "spec.yaml", "-o", "out", "--format", "json")
    payload = json.loads(result.stdout)
    messages = [d["message"] for d in payload["diagnostics"] if d["pointer"] == "#/info"]
    assert any("'title'" in m for m in messages), messages
    assert any("'version'" in m for m in messages), messages


# --- usage errors -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["bad-name", "class", "1pkg", "_private"])
def test_invalid_package_name_is_a_usage_error(name: str) -> None:
    write("spec.yaml", GOOD)
    args = ["generate", "spec.yaml", "-o", "out", "--package-name", name]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert "--package-name" in result.stderr
    assert "internal error" not in result.output
    assert not Path("out").exists()


def test_invalid_env_prefix_is_a_usage_error() -> None:
    write("spec.yaml", GOOD)
    result = CliRunner().invoke(
        main,
        [
            "generate",
            "spec.yaml",
            "-o",
            "out",
            "--package-name",
            "pkg",
            "--env-prefix",
            "NOT-VALID",
        ],
    )
    assert result.exit_code == 2, result.output
    assert "--env-prefix" in result.stderr


def test_invalid_package_name_does_not_generate() -> None:
    write("spec.yaml", GOOD)
    result = CliRunner().invoke(
        main, ["generate", "spec.yaml", "-o", "out", "--package-name", "bad-name"]
    )
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert "'bad-name'" in result.stderr
    assert not Path("out").exists()


def test_unknown_option_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["generate", "--no-such-option"])
    assert result.exit_code == 2
    assert "No such option" in result.stderr


def test_bad_format_choice_is_a_usage_error() -> None:
    write("spec.yaml", GOOD)
    result = CliRunner().invoke(main, ["generate", "spec.yaml", "--format", "xml"])
    assert result.exit_code == 2


# --- --skip-validation and --format json --------------------------------------------------------


def test_skip_validation_generates_from_invalid_buildable_document() -> None:
    write("spec.yaml", NO_VERSION)
    result = sdkgen(
        "generate", "spec.yaml", "-o", "out", "--package-name", "pkg", "--skip-validation"
    )
    assert result.exit_code == 0, result.output
    assert "SDK013" not in result.stderr
    assert (Path("out") / "pkg" / "_client.py").is_file()
    assert (Path("out") / ".sdkgen").is_file()


def test_skip_validation_still_refuses_external_refs() -> None:
    write("spec.yaml", EXTERNAL_REF)
    result = sdkgen("generate", "spec.yaml", "-o", "out", "--skip-validation")
    assert result.exit_code == 1
    where = "#/paths/~1a/get/responses/200/content/application~1json/schema/$ref"
    assert f"ERROR SDK010 spec.yaml{where}: " in result.stderr
    assert not Path("out").exists()


def test_an_external_ref_in_a_default_is_refused_unread(tmp_path: Path) -> None:
    """openapi-spec-validator reads a default through its `$ref`: it would open this file."""
    secret = tmp_path / "secret.json"
    secret.write_text("5")
    doc = GOOD.replace(
        "Pet: {type: object, properties: {name: {type: string}}}",
        f'Pet: {{type: object, maxProperties: 1, default: {{$ref: "{secret.as_uri()}"}}}}',
    )
    write("spec.yaml", doc)
    result = sdkgen("generate", "spec.yaml", "-o", "out")
    assert result.exit_code == 1
    assert "ERROR SDK010 spec.yaml#/components/schemas/Pet/default/$ref: " in result.stderr
    assert "SDK013" not in result.stderr  # the validator never ran, so never read it
    assert not Path("out").exists()


def test_skip_validation_with_paths_not_a_mapping_fails_cleanly() -> None:
    write("spec.yaml", "openapi: 3.0.3\ninfo: {title: x, version: '1'}\npaths: [a]\n")
    result = sdkgen("generate", "spec.yaml", "-o", "out", "--skip-validation")
    assert result.exit_code == 1
    assert "ERROR SDK208 #/paths: `paths` is not a mapping" in result.stderr


def test_skip_validation_with_malformed_security_fails_cleanly() -> None:
    write("spec.yaml", GOOD + "security: true\n")
    result = sdkgen("generate", "spec.yaml", "-o", "out", "--skip-validation")
    assert result.exit_code in (0, 1)


def test_json_format_on_failure() -> None:
    write("spec.yaml", NO_VERSION)
    result = sdkgen("generate", "spec.yaml", "-o", "out", "--format", "json")
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert payload["version"] == 1
    assert payload["ok"] is False
    assert [d for d in payload["diagnostics"] if d["severity"] == "error"] == [
        {
            "severity": "error",
            "code": "SDK013",
            "file": "spec.yaml",
            "pointer": "#/info",
            "message": "'version' is a required property",
        }
    ]


def test_json_format_on_success() -> None:
    write("spec.yaml", NO_VERSION)
    result = sdkgen(
        "generate",
        "spec.yaml",
        "-o",
        "out",
        "--package-name",
        "pkg",
        "--skip-validation",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    payload: dict[str, Any] = json.loads(result.stdout)
    assert payload["version"] == 1
    assert payload["ok"] is True
    assert payload["result"]["package"] == "pkg"
    assert payload["result"]["operations"] == 1
    not_lint = [d for d in payload["diagnostics"] if not d["code"].startswith("SDK1")]
    assert {(d["code"], d["pointer"]) for d in not_lint} == set()


def test_json_format_includes_warnings() -> None:
    write("spec.yaml", NO_VERSION.replace("      operationId: listPets\n", ""))
    result = sdkgen(
        "generate",
        "spec.yaml",
        "-o",
        "out",
        "--package-name",
        "pkg",
        "--skip-validation",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    not_lint = [d for d in payload["diagnostics"] if not d["code"].startswith("SDK1")]
    assert [(d["severity"], d["code"], d["pointer"]) for d in not_lint] == [
        ("warning", "SDK209", "#/paths/~1pets/get")
    ]


# --- the output directory ---------------------------------------------------------------------


def test_refuses_directory_not_made_by_sdkgen() -> None:
    write("spec.yaml", GOOD)
    out = Path("out")
    out.mkdir()
    (out / "keep.txt").write_text("precious\n")
    (out / "sub").mkdir()
    (out / "sub" / "data.bin").write_bytes(b"\x00\x01")
    before = tree(out)
    result = sdkgen("generate", "spec.yaml", "-o", "out", "--package-name", "pkg")
    assert result.exit_code == 1
    lines = [x for x in result.stderr.splitlines() if x.startswith("ERROR SDK902 #: ")]
    assert lines, result.stderr
    assert "was not made by sdkgen" in lines[0]
    assert tree(out) == before
    assert sorted(p.name for p in Path().iterdir()) == [".out.sdkgen-lock", "out", "spec.yaml"]


def test_refuses_a_file_as_output() -> None:
    write("spec.yaml", GOOD)
    write("out", "a file\n")
    result = sdkgen("generate", "spec.yaml", "-o", "out", "--package-name", "pkg")
    assert result.exit_code == 1
    assert "ERROR SDK902 #: " in result.stderr
    assert Path("out").read_text() == "a file\n"


def test_empty_output_directory_is_used() -> None:
    write("spec.yaml", GOOD)
    Path("out").mkdir()
    result = sdkgen("generate", "spec.yaml", "-o", "out", "--package-name", "pkg")
    assert result.exit_code == 0, result.output
    assert (Path("out") / ".sdkgen").is_file()


@pytest.mark.parametrize(
    ("text", "extra"),
    [
        (NO_VERSION, ()),
        ("{not: [json", ()),
        ("openapi: 3.0.3\ninfo: {title: x, version: '1'}\npaths: [a]\n", ("--skip-validation",)),
    ],
    ids=["invalid", "malformed", "unbuildable"],
)
def test_failed_generation_leaves_previous_output_untouched(
    text: str, extra: tuple[str, ...]
) -> None:
    write("good.yaml", GOOD)
    assert sdkgen("generate", "good.yaml", "-o", "out", "--package-name", "pkg").exit_code == 0
    before = tree(Path("out"))
    write("bad.yaml", text)
    result = sdkgen("generate", "bad.yaml", "-o", "out", "--package-name", "pkg", *extra)
    assert result.exit_code == 1
    assert tree(Path("out")) == before
    listing = sorted(p.name for p in Path().iterdir())
    assert listing == [".out.sdkgen-lock", "bad.yaml", "good.yaml", "out"]


# --- generate --check -------------------------------------------------------------------------


def generated() -> Path:
    write("spec.yaml", GOOD)
    result = sdkgen("generate", "spec.yaml", "-o", "out", "--package-name", "pkg")
    assert result.exit_code == 0, result.output
    return Path("out")


def check() -> Result:
    return sdkgen("generate", "spec.yaml", "-o", "out", "--package-name", "pkg", "--check")


def test_check_right_after_generate_passes() -> None:
    generated()
    result = check()
    assert result.exit_code == 0, result.output
    assert "up to date" in result.stderr


def test_check_after_editing_a_generated_file_fails() -> None:
    out = generated()
    models = out / "pkg" / "models.py"
    models.write_text(models.read_text() + "# edited\n")
    before = tree(out)
    result = check()
    assert result.exit_code == 1
    assert "changed: pkg/models.py" in result.stderr.splitlines()
    assert "out of date" in result.stderr
    assert tree(out) == before  # --check never writes


def test_check_reports_removed_and_added_files() -> None:
    out = generated()
    (out / "extra.py").write_text("x = 1\n")  # not sdkgen's: never drift
    (out / "pkg" / "errors.py").unlink()
    result = check()
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert "added: pkg/errors.py" in lines
    assert not [line for line in lines if "extra.py" in line]
    assert "1 entry sdkgen did not write is left alone (-v lists it)" in lines[-1]
    renamed = sdkgen("generate", "spec.yaml", "-o", "out", "--package-name", "pkg2", "--check")
    assert renamed.exit_code == 1
    lines = renamed.stderr.splitlines()
    assert "removed: pkg/models.py" in lines
    assert "added: pkg2/models.py" in lines
    assert "removed: pkg/errors.py" not in lines  # already gone from the disk


def test_check_without_output_fails() -> None:
    write("spec.yaml", GOOD)
    result = check()
    assert result.exit_code == 1
    assert "added: .sdkgen" in result.stderr.splitlines()
    assert not Path("out").exists()


def test_check_json_lists_drift() -> None:
    out = generated()
    (out / "README.md").write_text("changed\n")
    result = sdkgen(
        "generate", "spec.yaml", "-o", "out", "--package-name", "pkg", "--check", "--format", "json"
    )
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert payload["ok"] is False
    assert payload["result"]["changed"] == ["README.md"]
    assert payload["result"]["added"] == payload["result"]["removed"] == []


# --- through the installed console script -------------------------------------------------------


def run_script(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    return subprocess.run(
        [console_script(), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )


def test_script_missing_file(in_tmp: Path) -> None:
    proc = run_script("generate", "missing.yaml", "-o", "out", cwd=in_tmp)
    assert proc.returncode == 1
    assert "ERROR SDK001 missing.yaml#: no such file" in proc.stderr.splitlines()
    assert "Traceback" not in proc.stderr + proc.stdout


def test_script_malformed_json(in_tmp: Path) -> None:
    write("spec.json", '{\n  "openapi": "3.0.3",\n  "info": {"title": "x",,\n}\n')
    proc = run_script("generate", "spec.json", "-o", "out", "--format", "json", cwd=in_tmp)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr + proc.stdout
    payload = json.loads(proc.stdout)
    [diagnostic] = payload["diagnostics"]
    assert (diagnostic["code"], diagnostic["pointer"]) == ("SDK003", "#")
    assert "line 3, column 25" in diagnostic["message"]


def test_script_invalid_document(in_tmp: Path) -> None:
    write("spec.yaml", NO_VERSION)
    proc = run_script("validate", "spec.yaml", cwd=in_tmp)
    assert proc.returncode == 1
    assert "ERROR SDK013 spec.yaml#/info: 'version' is a required property" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout


def test_script_usage_error_exit_code(in_tmp: Path) -> None:
    proc = run_script("generate", "--no-such-option", cwd=in_tmp)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr + proc.stdout


def test_script_generate_then_check(in_tmp: Path) -> None:
    write("spec.yaml", GOOD)
    args = ("generate", "spec.yaml", "-o", "out", "--package-name", "pkg", "-q")
    assert run_script(*args, cwd=in_tmp).returncode == 0
    assert run_script(*args, "--check", cwd=in_tmp).returncode == 0
    client = in_tmp / "out" / "pkg" / "_client.py"
    client.write_text(client.read_text() + "\n# drift\n")
    proc = run_script(*args, "--check", cwd=in_tmp)
    assert proc.returncode == 1
    assert "changed: pkg/_client.py" in proc.stderr.splitlines()
