"""No silent `Any` (issue 13, item 7): every `Any` a client uses falls back at a schema pointer
where a diagnostic (SDK201, or a named warning such as SDK205/SDK206) says why. Walks the IR of
every fixture: the golden specs, the test suite's inline union spec, the Leonardo document and
every document under ../shared/specs/public/ (a split document through the bundler)."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator import load
from generator.build import build
from tests.conftest import SHARED_SPECS
from tests.support.any_walk import any_places
from tests.test_unions import union_spec

ROOT = Path(__file__).resolve().parent
GOLDEN = sorted((ROOT / "golden").glob("*/spec.yaml"))
PUBLIC = SHARED_SPECS / "public"
REAL = [
    "leonardo-ai-variation-openapi.json",
    *(
        str(p.relative_to(SHARED_SPECS))
        for pattern in ("*.json", "twilio-multi/*.json", "opc-e2e/*.yaml")
        for p in sorted(PUBLIC.glob(pattern))
    ),
    "public/redocly-cafe/openapi/openapi.yaml",
]


def _silent(doc: dict[str, object]) -> list[str]:
    api, diagnostics = build(doc, package_name="p", env_prefix="P", include_unused=True)
    explained = {d.pointer for d in diagnostics}
    return sorted(
        f"{where} (at {at or '?'})" for where, at in any_places(api) if at not in explained
    )


@pytest.mark.parametrize("spec", GOLDEN, ids=lambda p: p.parent.name)
def test_golden_specs_have_no_silent_any(spec: Path) -> None:
    assert _silent(load.load(str(spec)).data) == []


def test_the_union_spec_has_no_any_at_all() -> None:
    api, _ = build(union_spec(), package_name="p", env_prefix="P")
    assert list(any_places(api)) == []


@pytest.mark.parametrize("name", REAL)
def test_real_documents_have_no_silent_any(name: str) -> None:
    path = SHARED_SPECS / name
    if not path.is_file():
        pytest.fail(f"missing {path}: the repository must sit beside shared/ (shared/specs/)")
    assert _silent(load.load(str(path)).data) == []


def test_a_silent_any_would_be_found() -> None:
    """The walk sees an `Any` nested in a model field, a list and a union, and its pointer."""
    doc = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/a": {
                "get": {
                    "operationId": "a",
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {"x": {"type": "array", "items": {}}},
                                    }
                                }
                            },
                        }
                    },
                }
            }
        },
    }
    api, diagnostics = build(doc, package_name="p", env_prefix="P")
    at = "#/paths/~1a/get/responses/200/content/application~1json/schema/properties/x/items"
    assert [p for _, p in any_places(api)] == [at]
    assert [(d.code, d.message) for d in diagnostics if d.pointer == at] == [
        ("SDK201", "a schema without a type (any value); typed as Any")
    ]
