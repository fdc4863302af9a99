"""End to end on the real Leonardo spec: generate, install into a fresh virtualenv that has
httpx and not sdkgen, type-check and lint it, and call every operation, sync and async,
against Prism serving the spec and against a fault-injecting server of our own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, generate
from tests.support.fault_server import FaultServer, reply
from tests.support.prism import start_prism

pytestmark = pytest.mark.e2e

CALLS = Path(__file__).resolve().parent / "clients" / "leonardo_calls.py"
API_KEY = "sk-test-very-secret-4711"
JOB_ID = "3f2b8c1e-4d5a-4b6c-8d7e-9f0a1b2c3d4e"
OPERATIONS = ("unzoom", "upscale", "nobg", "universal", "get", "get_motion")


@pytest.fixture(scope="session")
def project(tmp_path_factory: pytest.TempPathFactory, leonardo_spec: Path) -> Path:
    out = tmp_path_factory.mktemp("generated") / "leonardo_variation"
    overlay = str(REPO / "specs" / "leonardo-variation.overlay.yaml")
    return generate(
        leonardo_spec,
        out,
        "--overlay",
        overlay,
        "--package-name",
        "leonardo_variation",
        "--env-prefix",
        "LEONARDO",
    )


@pytest.fixture(scope="session")
def client_python(tmp_path_factory: pytest.TempPathFactory, project: Path) -> Path:
    """A fresh virtualenv with httpx and the generated package installed (not editable)."""
    venv = tmp_path_factory.mktemp("client-venv") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run([*pip, "httpx", "hatchling"], check=True)
    subprocess.run([*pip, "--no-build-isolation", "--no-deps", str(project)], check=True)
    return python


def run_calls(python: Path, target: str, mode: str, base_url: str) -> dict[str, Any]:
    env = {**os.environ, "LEONARDO_BASE_URL": base_url, "LEONARDO_API_KEY": API_KEY}
    done = subprocess.run(
        [str(python), str(CALLS), target, mode],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_client_venv_has_the_client_and_not_sdkgen(client_python: Path) -> None:
    probe = (
        "import leonardo_variation, importlib.util;"
        "print(leonardo_variation.__file__, importlib.util.find_spec('generator'))"
    )
    done = subprocess.run(
        [str(client_python), "-c", probe], capture_output=True, text=True, check=True, cwd="/"
    )
    location, generator_spec = done.stdout.split()
    assert "site-packages" in location
    assert generator_spec == "None"


@pytest.mark.parametrize(
    "target", [["-p", "leonardo_variation"], [str(CALLS)]], ids=["package", "calls"]
)
def test_installed_client_passes_mypy_strict(target: list[str], client_python: Path) -> None:
    """The installed package (found through its py.typed) and code calling it type-check."""
    mypy = Path(sys.executable).parent / "mypy"
    done = subprocess.run(
        [
            str(mypy),
            "--strict",
            "--no-incremental",
            "--cache-dir",
            "/dev/null",
            "--python-executable",
            str(client_python),
            *target,
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd="/",
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_generated_project_passes_ruff_and_its_own_smoke_tests(project: Path) -> None:
    ruff = Path(sys.executable).parent / "ruff"
    done = subprocess.run(
        [str(ruff), "check", "--no-cache", "."],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    smoke = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-W", "error", "-p", "no:cacheprovider", "tests"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert smoke.returncode == 0, smoke.stdout + smoke.stderr


@pytest.fixture(scope="module")
def prism(leonardo_spec: Path) -> Iterator[str]:
    with start_prism(leonardo_spec, repo_root=REPO) as base_url:
        yield base_url


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_every_operation_against_prism(mode: str, prism: str, client_python: Path) -> None:
    result = run_calls(client_python, "prism", mode, prism)
    for name in OPERATIONS:
        assert "error" not in result[name], (name, result[name])
    assert result["unzoom"]["dict"]["sdUnzoomJob"]["cost"] == {
        "amount": "0.0147",
        "unit": "DOLLARS",
    }
    # Quirk 1: the spec's upscale example says `sdUpscalerjob`; the field stays unset and the
    # misspelt key is kept, not dropped.
    assert result["upscale"]["sd_upscale_job_unset"] is True
    assert result["upscale"]["extra"] == ["sdUpscalerjob"]
    assert result["get"]["type"] == "GetVariationByIdResponse"
    assert API_KEY not in result["client_repr"]


@pytest.fixture(scope="module")
def faults() -> Iterator[FaultServer]:
    with FaultServer() as server:
        yield server


UNKNOWN_JOB = {
    "id": JOB_ID,
    "status": "ARCHIVED",
    "transformType": "HOLOGRAM",
    "createdAt": "2026-01-01T00:00:00Z",
    "brandNewField": {"nested": [1, 2]},
}


def script_faults(server: FaultServer) -> None:
    job = {"id": JOB_ID, "apiCreditCost": None, "cost": {"amount": "1", "unit": "CREDITS"}}
    server.reset()
    server.script(
        "POST",
        "/variations/unzoom",
        reply(429, {"error": "slow down"}, headers={"Retry-After": "0"}),
        reply(200, {"sdUnzoomJob": job}),
    )
    server.script("POST", "/variations/upscale", reply(200, {"sdUpscalerjob": job}))
    server.script("POST", "/variations/nobg", reply(422, {"error": "id is required"}))
    server.script(
        "POST",
        "/variations/universal-upscaler",
        reply(500, "<html>Internal Server Error</html>", content_type="text/html"),
    )
    server.script(
        "GET",
        f"/variations/{JOB_ID}",
        reply(
            200,
            {
                "generated_image_variation_generic": [
                    {
                        "id": JOB_ID,
                        "status": "COMPLETE",
                        "transformType": "UPSCALE",
                        "url": "https://cdn.example/x.png",
                    }
                ]
            },
        ),
    )
    server.script(
        "GET",
        f"/motion-variations/{JOB_ID}",
        reply(503, {"error": "busy"}, headers={"Retry-After": "0"}),
        reply(200, {"generated_image_variation_motion": []}),
    )
    server.script("GET", "/variations/job-401", reply(401, {"error": "Invalid authentication"}))
    server.script("GET", "/variations/job-404", reply(404, {"error": "not found"}))
    server.script(
        "GET",
        "/variations/job-unknown",
        reply(200, {"generated_image_variation_generic": [UNKNOWN_JOB]}),
    )
    server.script(
        "GET", "/variations/a%2Fb%20c%3Fd", reply(200, {"generated_image_variation_generic": []})
    )


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_faults_and_forward_compatibility(
    mode: str, faults: FaultServer, client_python: Path
) -> None:
    script_faults(faults)
    result = run_calls(client_python, "faults", mode, faults.base_url)

    # 429 on a POST: retried (the server cannot have started the job), then it succeeds.
    assert result["unzoom"]["type"] == "CreateVariationUnzoomResponse"
    assert faults.count("POST", "/variations/unzoom") == 2
    # 500 on a POST that may have started a paid job: not retried; the HTML body is kept.
    assert result["universal"]["error"] == "InternalServerError"
    assert result["universal"]["body"] == "<html>Internal Server Error</html>"
    assert faults.count("POST", "/variations/universal-upscaler") == 1
    # 503 on a GET: retried.
    assert result["get_motion"]["type"] == "GetMotionVariationByIdResponse"
    assert faults.count("GET", f"/motion-variations/{JOB_ID}") == 2
    # Status codes map to the documented exceptions, each carrying status and parsed body.
    assert (result["nobg"]["error"], result["nobg"]["status"]) == ("UnprocessableEntityError", 422)
    assert result["nobg"]["body"] == {"error": "id is required"}
    assert (result["get_401"]["error"], result["get_401"]["status"]) == ("AuthenticationError", 401)
    assert (result["get_404"]["error"], result["get_404"]["status"]) == ("NotFoundError", 404)
    # Unknown enum values stay strings, unknown fields are kept and round-trip.
    unknown = result["get_unknown"]
    assert unknown["status"] == "ARCHIVED" and unknown["status_is_enum"] is False
    assert unknown["extra"] == ["brandNewField"]
    assert unknown["dict"] == {"generated_image_variation_generic": [UNKNOWN_JOB]}
    assert result["get"]["status"] == "COMPLETE" and result["get"]["status_is_enum"] is True
    # strict=True names the offending field instead.
    assert result["get_strict"]["error"] == "ResponseValidationError"
    assert "$.generated_image_variation_generic[0].status" in result["get_strict"]["message"]
    # The misspelt upscale key of the spec's example: kept, field unset.
    assert result["upscale"]["sd_upscale_job_unset"] is True
    # A path parameter is percent-encoded: `/` and `?` stay data.
    assert result["get_slash"]["type"] == "GetVariationByIdResponse"
    # The API key is sent as a bearer token and appears in no message or repr.
    assert all(r.headers.get("authorization") == f"Bearer {API_KEY}" for r in faults.requests)
    assert API_KEY not in json.dumps(result)


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_requests_send_only_what_the_caller_set(
    mode: str, faults: FaultServer, client_python: Path
) -> None:
    script_faults(faults)
    run_calls(client_python, "faults", mode, faults.base_url)
    bodies = {r.path: json.loads(r.body) for r in faults.requests if r.method == "POST"}
    # Spec defaults (creativityStrength 5, upscaleMultiplier 1.5) are not sent; the enum is
    # sent as its value.
    assert bodies["/variations/universal-upscaler"] == {
        "generatedImageId": JOB_ID,
        "upscalerStyle": "2D ART & ILLUSTRATION",
    }
    assert bodies["/variations/unzoom"] == {"id": JOB_ID, "isVariation": False}
    assert bodies["/variations/upscale"] == {"id": JOB_ID}
    content_types = {r.headers.get("content-type") for r in faults.requests if r.method == "POST"}
    assert content_types == {"application/json"}
