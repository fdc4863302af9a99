"""Tests for tests/support/prism.py: Prism starts, serves examples, validates, and goes away."""

from __future__ import annotations

import json
import os
import socket
import stat
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.prism import prism_executable, start_prism

REPO_ROOT = Path(__file__).resolve().parents[1]

PET_EXAMPLE = {"id": 7, "name": "Rex", "tag": "dog"}

PETSTORE: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "Prism support petstore", "version": "1.0.0"},
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {
            "Pet": {
                "type": "object",
                "required": ["id", "name"],
                "properties": {
                    "id": {"type": "integer"},
                    "name": {"type": "string"},
                    "tag": {"type": "string"},
                },
            },
            "NewPet": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string", "minLength": 1},
                    "tag": {"type": "string"},
                },
                "additionalProperties": False,
            },
        },
    },
    "paths": {
        "/pets/{petId}": {
            "get": {
                "operationId": "getPet",
                "parameters": [
                    {"name": "petId", "in": "path", "required": True, "schema": {"type": "integer"}}
                ],
                "responses": {
                    "200": {
                        "description": "The pet.",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Pet"},
                                "example": PET_EXAMPLE,
                            }
                        },
                    }
                },
            }
        },
        "/pets": {
            "post": {
                "operationId": "createPet",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/NewPet"}}
                    },
                },
                "responses": {
                    "201": {
                        "description": "Created.",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Pet"},
                                "examples": {
                                    "first": {"value": {"id": 1, "name": "First"}},
                                    "second": {"value": {"id": 2, "name": "Second"}},
                                },
                            }
                        },
                    }
                },
            }
        },
        "/me": {
            "get": {
                "operationId": "whoAmI",
                "security": [{"bearer": []}],
                "responses": {
                    "200": {
                        "description": "Me.",
                        "content": {"application/json": {"example": {"me": True}}},
                    }
                },
            }
        },
    },
}


def _pids_with_arg(arg: str) -> set[int]:
    """PIDs of live processes with ``arg`` in their command line (Linux /proc)."""
    pids: set[int] = set()
    needle = arg.encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:  # exited meanwhile, or not ours to read
            continue
        if needle in cmdline.split(b"\0"):
            pids.add(int(entry.name))
    return pids


def _wait_gone(arg: str, within: float = 5.0) -> set[int]:
    deadline = time.monotonic() + within
    while (left := _pids_with_arg(arg)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def _port_refuses(base_url: str) -> bool:
    port = httpx.URL(base_url).port
    assert port is not None
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1.0):
            return False
    except OSError:
        return True


needs_proc = pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="needs Linux /proc")


@pytest.mark.e2e
@needs_proc
def test_prism_serves_examples_validates_requests_and_stops(tmp_path: Path) -> None:
    spec = tmp_path / "petstore.json"
    spec.write_text(json.dumps(PETSTORE), encoding="utf-8")

    with start_prism(spec, repo_root=REPO_ROOT) as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        prism_pids = _pids_with_arg(str(spec))
        assert prism_pids, "no process serving the spec was found"

        with httpx.Client(base_url=base_url, timeout=10.0) as client:
            got = client.get("/pets/7")
            assert got.status_code == 200
            assert got.headers["content-type"].startswith("application/json")
            assert got.json() == PET_EXAMPLE

            # `examples`: the first one by default, another one on request.
            created = client.post("/pets", json={"name": "Fido"})
            assert created.status_code == 201
            assert created.json() == {"id": 1, "name": "First"}
            second = client.post(
                "/pets", json={"name": "Fido"}, headers={"Prefer": "example=second"}
            )
            assert second.json() == {"id": 2, "name": "Second"}

            # Request validation: Prism answers 422 problem+json for a body the schema rejects.
            invalid = client.post("/pets", json={"nickname": "no name"})
            assert invalid.status_code == 422
            assert invalid.headers["content-type"].startswith("application/problem+json")
            messages = [v["message"] for v in invalid.json()["validation"]]
            assert any("'name'" in m for m in messages), messages
            assert client.post("/pets").status_code == 422  # required body missing
            assert client.get("/pets/not-a-number").status_code == 422
            malformed = client.post(
                "/pets", content=b"{not json", headers={"content-type": "application/json"}
            )
            assert malformed.status_code == 400

            # Bearer security: 401 without credentials, any bearer token is accepted.
            assert client.get("/me").status_code == 401
            authed = client.get("/me", headers={"Authorization": "Bearer anything"})
            assert authed.status_code == 200
            assert authed.json() == {"me": True}

    assert _wait_gone(str(spec)) == set(), f"Prism ({prism_pids}) survived the context manager"
    assert _port_refuses(base_url)


@pytest.mark.e2e
def test_start_prism_reports_prism_output_when_the_spec_is_broken(tmp_path: Path) -> None:
    spec = tmp_path / "broken.json"
    spec.write_text('{"openapi": "3.0.3", "info": ', encoding="utf-8")
    with (
        pytest.raises(RuntimeError, match="exited with status 1") as excinfo,
        start_prism(spec, repo_root=REPO_ROOT),
    ):
        pytest.fail("Prism should not have started")  # pragma: no cover
    assert "broken.json" in str(excinfo.value)


def _fake_repo_with_slow_prism(root: Path, marker: str) -> Path:
    """A repo whose `prism` never listens and leaves a TERM-ignoring child behind."""
    exe = root / "node_modules" / ".bin" / "prism"
    exe.parent.mkdir(parents=True)
    exe.write_text(
        "#!/bin/sh\n"
        "echo 'fake prism: starting'\n"
        # `marker` becomes $0 of each shell, so both show up in /proc/PID/cmdline.
        f"sh -c 'trap \"\" TERM; while :; do sleep 1; done' {marker} &\n"
        f"exec sh -c 'while :; do sleep 1; done' {marker}\n",
        encoding="utf-8",
    )
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    return root


@needs_proc
def test_start_prism_times_out_and_kills_the_whole_process_group(tmp_path: Path) -> None:
    marker = f"sdkgen-fake-prism-{os.getpid()}-{time.monotonic_ns()}"
    repo = _fake_repo_with_slow_prism(tmp_path / "repo", marker)
    spec = tmp_path / "spec.json"
    spec.write_text("{}", encoding="utf-8")

    started = time.monotonic()
    with (
        pytest.raises(
            RuntimeError, match=r"(?s)did not answer on port \d+ within 1 s.*fake prism: starting"
        ),
        start_prism(spec, repo_root=repo, timeout=1.0),
    ):
        pytest.fail("the fake Prism never listens")  # pragma: no cover
    assert time.monotonic() - started < 5.0  # no need for the 5 s SIGKILL grace here
    assert _wait_gone(marker) == set(), "a child of Prism's process group survived"


def test_prism_executable_says_how_to_install_it(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match=r"run `npm ci` at the repo root"):
        prism_executable(tmp_path)
    assert prism_executable(REPO_ROOT) == REPO_ROOT / "node_modules" / ".bin" / "prism"
