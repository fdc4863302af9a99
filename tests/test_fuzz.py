"""Fuzzing: random valid OpenAPI documents with hostile names (tests/strategies.py) must
generate clients that compile and import (issue 6, item 4).

The budget is `SDKGEN_FUZZ_EXAMPLES` (25 by default, about half a minute); `tests/sweep.py
--fuzz N` runs it with a large one. Each example is generated in-process into a temporary
directory (the package named after the document's hostile title) and imported in a fresh
interpreter.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, note, settings

from tests.conftest import run_cli
from tests.strategies import openapi_documents
from tests.support.checks import compile_errors, import_in_subprocess

EXAMPLES = int(os.environ.get("SDKGEN_FUZZ_EXAMPLES", "25"))


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(document=openapi_documents())
def test_random_documents_generate_clients_that_compile_and_import(
    document: dict[str, Any],
) -> None:
    text = json.dumps(document, indent=1)
    note(text)
    with tempfile.TemporaryDirectory(prefix="sdkgen-fuzz-") as where:
        root = Path(where)
        spec = root / "spec.json"
        spec.write_text(text, encoding="utf-8")
        project = root / "out"
        env = {"SDKGEN_CACHE_DIR": str(root / "cache")}
        saved = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        try:
            result = run_cli("generate", str(spec), "-o", str(project), "--format", "json")
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
        assert "Traceback" not in result.output and "internal error" not in result.output
        assert result.exit_code == 0, result.output
        package = json.loads(result.stdout)["result"]["package"]  # named after the title
        assert not compile_errors(project), compile_errors(project)
        imported = import_in_subprocess(project, package)
        assert imported.clean, imported
