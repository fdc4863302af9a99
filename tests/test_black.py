"""black agrees with the generated code (issue 15): `black --check`, pinned in the test extras,
with the generator's line length and target and no configuration of its own, passes over the
Leonardo client (the default job), the golden clients and the clients of the public ladder.

`ruff format` formats the output (40x faster, see generator/format.py); where the two disagree,
the generator lays the code out as black does (`escape.fitted`, `escape.doc_closing`) and this
test names the construct. The three large public specs take black 20-70 s each, so they run
only with SDKGEN_BLACK_LADDER=1 (`SDKGEN_BLACK_LADDER=1 .venv/bin/python -m pytest
tests/test_black.py`); the two small ones are in the default suite.

`formatter = "black"` in `[tool.sdkgen]` formats with black itself: byte for byte the same tree.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from generator.format import LINE_LENGTH, TARGET
from tests.conftest import REPO, run_cli
from tests.test_golden import GOLDEN, tree
from tests.test_public_specs import public_spec

BLACK = Path(sys.executable).parent / "black"
SMALL = ["box-openapi-v2025.0.json", "twilio_conversations_v1.json"]
LARGE = ["box-openapi.json", "stripe-spec3-2022-04.json", "github-api.github.com-2022-06.json"]
LADDER = os.environ.get("SDKGEN_BLACK_LADDER") == "1"

# What black changed, recognised in a unified diff's removed and added lines: the constructs
# where ruff format (which formats the output) and black have been seen to disagree.
CONSTRUCTS = [
    (re.compile(r"^\+\s+\w+: \($"), "a parameter annotation (a union) too long for its line"),
    (re.compile(r'^\+\s+"""$'), "the closing quotes of a docstring whose last line is too long"),
    (re.compile(r'\\" """$'), "a docstring ending in an escaped quote"),
]


def black_check(directory: Path) -> subprocess.CompletedProcess[str]:
    config = directory.parent / "black-config.toml"  # empty: never a configuration around it
    config.write_text("", encoding="utf-8")
    options = ["--line-length", str(LINE_LENGTH), "--target-version", TARGET]
    return subprocess.run(
        [
            str(BLACK),
            "--check",
            "--diff",
            "--quiet",
            "--config",
            str(config),
            *options,
            str(directory),
        ],
        capture_output=True,
        text=True,
        check=False,
    )


def constructs(diff: str) -> list[str]:
    """The constructs black would change, by name; an unknown one by its first changed line."""
    named: set[str] = set()
    for hunk in re.split(r"^@@", diff, flags=re.MULTILINE)[1:]:
        lines = hunk.splitlines()
        names = {name for pattern, name in CONSTRUCTS for line in lines if pattern.search(line)}
        changed = [line for line in lines if line.startswith(("-", "+"))]
        named |= names or {f"unknown construct: {changed[0].strip() if changed else hunk[:80]}"}
    return sorted(named)


def assert_black_agrees(directory: Path) -> None:
    done = black_check(directory)
    assert done.returncode == 0, (constructs(done.stdout), done.stdout[-3000:], done.stderr)


def generate(spec: Path, out: Path, *extra: str) -> Path:
    result = run_cli(
        "generate", str(spec), "-o", str(out), "-q", "--package-name", "client", *extra
    )
    assert result.exit_code == 0, result.output
    return out


def test_black_agrees_with_the_leonardo_client(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, leonardo_spec: Path
) -> None:
    monkeypatch.chdir(REPO)  # the default job: the pinned spec with the project's overlay
    result = run_cli("generate", "-o", str(tmp_path / "leonardo"), "-q")
    assert result.exit_code == 0, result.output
    assert_black_agrees(tmp_path / "leonardo")
    raw = generate(leonardo_spec, tmp_path / "raw")  # the raw spec too
    assert_black_agrees(raw)


@pytest.mark.parametrize("case", ["petstore", "edge_cases"])
def test_black_agrees_with_the_golden_clients(case: str, tmp_path: Path) -> None:
    assert_black_agrees(generate(GOLDEN / case / "spec.yaml", tmp_path / case))


@pytest.mark.parametrize("name", [*SMALL, *LARGE])
def test_black_agrees_with_the_public_ladder(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if name in LARGE and not LADDER:
        pytest.skip("black takes 20-70 s on this client: SDKGEN_BLACK_LADDER=1 runs it")
    monkeypatch.setenv("SDKGEN_CACHE_DIR", "off")
    assert_black_agrees(generate(public_spec(name), tmp_path / "client"))


def test_the_constructs_are_named() -> None:
    """The names the failure message gives, on the diffs black gave before the generator laid
    these constructs out as black does."""
    diff = """\
@@ -1,3 +1,3 @@
-        x_twilio_webhook_enabled: ConversationWithParticipantsEnumWebhookEnabledType
-        | str
-        | Unset = UNSET,
+        x_twilio_webhook_enabled: (
+            ConversationWithParticipantsEnumWebhookEnabledType | str | Unset
+        ) = UNSET,
@@ -9,2 +9,3 @@
-    When processing card payments, [...] such as [SCA](https://stripe.com/docs/sca)."\""
+    When processing card payments, [...] such as [SCA](https://stripe.com/docs/sca).
+    "\""
@@ -20,1 +20,1 @@
-    \"""Can be `internal`.\\""\""
+    \"""Can be `internal`.\\" \"""
@@ -30,1 +30,1 @@
-x = [1,2]
+x = [1, 2]
"""
    assert constructs(diff) == [
        "a docstring ending in an escaped quote",
        "a parameter annotation (a union) too long for its line",
        "the closing quotes of a docstring whose last line is too long",
        "unknown construct: -x = [1,2]",
    ]


def test_formatter_black_gives_the_same_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("spec.yaml").write_bytes((GOLDEN / "edge_cases" / "spec.yaml").read_bytes())
    ruff = tree(generate(Path("spec.yaml"), tmp_path / "ruff"))
    job = '[tool.sdkgen]\nspec = "spec.yaml"\noutput = "black"\npackage-name = "client"\n'
    Path("pyproject.toml").write_text(job + 'formatter = "black"\n', encoding="utf-8")
    result = run_cli("generate", "-q")  # the default job: [tool.sdkgen] applies
    assert result.exit_code == 0, result.output
    assert tree(tmp_path / "black") == ruff
    Path("pyproject.toml").write_text(job + 'formatter = "yapf"\n', encoding="utf-8")
    refused = run_cli("generate")
    assert refused.exit_code == 1
    assert "formatter must be one of ruff, black, not 'yapf'" in refused.output
