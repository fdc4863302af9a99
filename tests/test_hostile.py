"""Hostile input: documents written to break the generator, and what it must do with each.

The corpus is `tests/hostile/`: small documents, each headed by what it attacks (`# attacks:`,
or `x-attacks` in JSON), what must happen (`# expect: generate`, or `# expect: error CODE
POINTER-PREFIX`) and extra arguments (`# args:`). Documents too big to keep (10,000-deep nesting,
an alias bomb, an 8 MB document) are made by the tests.

For every document the run must end in one of two ways:
- a clear error: exit 1, at least one `ERROR SDKnnn file#pointer: message` line, no traceback,
  no "internal error", and the previous output (a good client generated first) untouched;
- generated code that compiles (warnings as errors), contains no statement that spec text made
  (no new import, no `os.system`), has a valid pyproject.toml, and imports in a fresh interpreter
  without printing, writing, reading outside sys.path, opening sockets or starting processes.
In both cases nothing is written outside the output directory (the whole sandbox around the
working directory is compared before and after) and no file `pwned` appears anywhere.

Known generator bugs are `xfail(strict=True)` with the reason: the test states the behaviour
that is right, and starts failing loudly (XPASS) once the bug is fixed.
"""

from __future__ import annotations

import dataclasses
import http.server
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from _pytest.mark.structures import ParameterSet
from click.testing import Result

from generator.load import MAX_BYTES, MAX_DEPTH
from tests.conftest import REPO, run_cli
from tests.support.checks import (
    SDKGEN,
    code_problems,
    code_profile,
    compile_errors,
    diagnostics,
    import_in_subprocess,
    mypy_strict,
    package_of,
    toml_problems,
    tree,
)
from tests.support.documents import GOOD_SPEC, alias_bomb, big_document, nested_properties

HOSTILE = Path(__file__).resolve().parent / "hostile"
CORPUS = sorted(p for p in HOSTILE.iterdir() if p.suffix in (".yaml", ".json"))


# What `../other.yaml#/X` would give if sdkgen followed references out of the document's
# directory tree: it is there (beside the working directory and in it), so a refusal is
# sdkgen's decision, not a missing file. A corpus document's companion files (documents split
# over files) sit in the directory named after it, and are copied beside it.
OTHER_YAML = "X: {type: object, properties: {secret: {type: string}}}\n"

KNOWN_BUGS: dict[str, str] = {}  # file name -> reason, for strict xfails


@dataclasses.dataclass(frozen=True)
class Expect:
    outcome: str  # "generate", "error", or "either" (a clear error or good code)
    code: str = ""  # a prefix of the code of one error ...
    pointer: str = ""  # ... and a prefix of its pointer
    args: tuple[str, ...] = ()


def expectation(path: Path) -> Expect:
    """The `expect` and `args` headers of a corpus document."""
    if path.suffix == ".json":
        data = json.loads(path.read_text(encoding="utf-8"))
        words, args = str(data["x-expect"]).split(), str(data.get("x-args", "")).split()
    else:
        text = path.read_text(encoding="utf-8")
        found = re.search(r"^# expect: (.+)$", text, re.MULTILINE)
        assert found, f"{path.name} has no '# expect:' line"
        words = found[1].split()
        given = re.search(r"^# args: (.+)$", text, re.MULTILINE)
        args = given[1].split() if given else []
    if words[0] == "generate":
        return Expect("generate", args=tuple(args))
    assert words[0] == "error" and len(words) == 3, f"{path.name}: bad expect line {words}"
    return Expect("error", words[1], words[2], tuple(args))


def corpus_params(documents: list[Path], bugs: dict[str, str]) -> list[ParameterSet]:
    return [
        pytest.param(
            p,
            id=p.name,
            marks=[pytest.mark.xfail(reason=bugs[p.name], strict=True)] if p.name in bugs else [],
        )
        for p in documents
    ]


@dataclasses.dataclass(frozen=True)
class Sandbox:
    """`root` holds everything a run may not change except `out`; `work` (the working
    directory) is three levels down, so `../../..` still lands inside `root`."""

    root: Path
    work: Path
    out: Path
    clean: dict[str, set[str]]  # code_profile of a client of an ordinary document


@pytest.fixture
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    root = tmp_path / "sandbox"
    work = root / "a" / "b" / "work"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    temporary = root / "tmp"  # temporary files of the run (and of ruff) must be gone after it
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    monkeypatch.setenv("TMPDIR", str(temporary))
    monkeypatch.setenv("SDKGEN_CACHE_DIR", str(tmp_path / "cache"))
    (work / "other.yaml").write_text(OTHER_YAML, encoding="utf-8")
    (work.parent / "other.yaml").write_text(OTHER_YAML, encoding="utf-8")
    good = work / "good.yaml"
    good.write_text(GOOD_SPEC, encoding="utf-8")
    result = run_cli("generate", str(good), "-o", "out", "--package-name", "good_client", "-q")
    assert result.exit_code == 0, result.output
    return Sandbox(root, work, work / "out", code_profile(work / "out"))


@dataclasses.dataclass(frozen=True)
class Run:
    exit_code: int
    output: str  # stdout and stderr


def no_pwned(sandbox: Sandbox) -> None:
    """`touch pwned` would run in the generator's or the importer's working directory (both
    under tmp_path); absolute names in the corpus start with /tmp/sdkgen_hostile_absolute."""
    found = [str(p) for p in sandbox.root.parent.rglob("pwned")]
    found += [str(p) for p in (REPO / "pwned", Path("/tmp/pwned")) if p.exists()]
    found += [str(p) for p in Path("/tmp").glob("sdkgen_hostile_absolute*")]
    assert not found, f"a hostile document made files: {found}"


def check_run(sandbox: Sandbox, run: Run, expect: Expect, *, before: dict[str, bytes]) -> None:
    """What every hostile run must satisfy; see the module docstring."""
    assert "Traceback" not in run.output, run.output
    assert "internal error" not in run.output, run.output
    assert run.exit_code in (0, 1), f"exit {run.exit_code}:\n{run.output}"
    after = tree(sandbox.root, skip=[sandbox.out])
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert not changed, f"files changed outside the output directory: {changed}"
    no_pwned(sandbox)
    if run.exit_code == 1:
        check_clear_error(run, expect)
    else:
        assert expect.outcome != "error", f"expected {expect.code}, got success:\n{run.output}"
        check_generated(sandbox)


def check_clear_error(run: Run, expect: Expect) -> None:
    errors = [d for d in diagnostics(run.output) if d[0] == "ERROR"]
    assert errors, f"exit 1 without an ERROR SDKnnn file#pointer line:\n{run.output}"
    bugs = [d for d in errors if d[1].startswith("SDK9")]
    assert not bugs, f"the generator reports its own bug: {bugs}"
    if expect.outcome == "generate":
        pytest.fail(f"a valid hostile document was refused:\n{run.output}")
    assert any(
        code.startswith(expect.code) and pointer.startswith(expect.pointer)
        for _, code, pointer, _ in errors
    ), f"expected {expect.code} at {expect.pointer}...:\n{run.output}"


def check_generated(sandbox: Sandbox) -> None:
    package = package_of(sandbox.out)
    assert not compile_errors(sandbox.out), compile_errors(sandbox.out)
    assert not code_problems(sandbox.out, sandbox.clean), code_problems(sandbox.out, sandbox.clean)
    assert not toml_problems(sandbox.out), toml_problems(sandbox.out)
    imported = import_in_subprocess(sandbox.out, package)
    assert imported.clean, imported
    no_pwned(sandbox)


def hostile_run(sandbox: Sandbox, spec: Path, *args: str) -> tuple[Run, dict[str, bytes]]:
    """Generate `spec` into `out/` in-process; returns the run and the `out/` tree before it."""
    out_before = tree(sandbox.out)
    result: Result = run_cli("generate", str(spec), "-o", "out", *args)
    run = Run(result.exit_code, result.output)
    if run.exit_code != 0:
        assert tree(sandbox.out) == out_before, "a failed run changed the previous output"
    return run, out_before


@pytest.mark.parametrize("document", corpus_params(CORPUS, KNOWN_BUGS))
def test_hostile_document(document: Path, sandbox: Sandbox) -> None:
    expect = expectation(document)
    spec = sandbox.work / document.name
    spec.write_bytes(document.read_bytes())
    companions = HOSTILE / document.stem
    if companions.is_dir():
        shutil.copytree(companions, sandbox.work / document.stem)
    before = tree(sandbox.root, skip=[sandbox.out])
    run, _ = hostile_run(sandbox, spec, *expect.args)
    check_run(sandbox, run, expect, before=before)


def test_every_document_says_what_it_attacks() -> None:
    for document in CORPUS:
        text = document.read_text(encoding="utf-8")
        assert re.search(r"^# attacks: \S", text, re.MULTILINE) or '"x-attacks"' in text, document
        expectation(document)


# --- the generated clients type-check and call every operation ------------------------------

# The document's own path holds a NUL character, which httpx rightly refuses to send (the
# runtime does not percent-encode the literal parts of a path template).
NOT_CALLED = {"nul_and_control_characters.json"}

_SMOKE = r"""
import importlib.util, sys, traceback
failed = []
for number, project in enumerate(sys.argv[1:]):
    sys.path.insert(0, project)
    path = project + "/tests/test_smoke.py"
    spec = importlib.util.spec_from_file_location(f"smoke_{number}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name, test in sorted(vars(module).items()):
        if name.startswith("test_") and callable(test):
            try:
                test()
            except Exception:
                failed.append(f"{project}: {name}")
                traceback.print_exc()
print("\n".join(failed))
sys.exit(1 if failed else 0)
"""


def generate_projects(documents: list[Path], where: Path) -> list[Path]:
    """Each document generated into `where/<stem>` as package `h_<stem>`."""
    projects = []
    for document in documents:
        project = where / document.stem
        args = expectation(document).args
        name = "h_" + re.sub(r"\W", "_", document.stem)
        result = run_cli(
            "generate", str(document), "-o", str(project), "--package-name", name, "-q", *args
        )
        assert result.exit_code == 0, result.output
        projects.append(project)
    return projects


def run_smoke_tests(projects: list[Path]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-B", "-c", _SMOKE, *map(str, projects)],
        cwd=projects[0].parent,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


GENERATED = [p for p in CORPUS if expectation(p).outcome == "generate" and p.name not in KNOWN_BUGS]


def test_generated_clients_pass_mypy_strict_and_call_every_operation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SDKGEN_CACHE_DIR", str(tmp_path / "cache"))
    projects = generate_projects(GENERATED, tmp_path / "projects")
    checked = mypy_strict(p / package_of(p) for p in projects)
    assert checked.returncode == 0, checked.output
    not_called = {Path(name).stem for name in NOT_CALLED}
    called = run_smoke_tests([p for p in projects if p.name not in not_called])
    assert called.returncode == 0, called.stdout + called.stderr


def test_properties_that_collide_after_case_conversion_round_trip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SDKGEN_CACHE_DIR", str(tmp_path / "cache"))
    (project,) = generate_projects([HOSTILE / "case_collisions.yaml"], tmp_path)
    wire = {
        "userId": "a",
        "user_id": 1,
        "UserID": True,
        "USER_ID": 1.5,
        "user-id": "b",
        "user id": "c",
        "user_id_2": "d",
        "kind": "Dog",
        "unknown": {"kept": [1]},
    }
    script = (
        "import json, sys\n"
        "from h_case_collisions.models import Pet\n"
        "wire = json.loads(sys.argv[1])\n"
        "pet = Pet.from_dict(wire)\n"
        "assert pet.to_dict() == wire, pet.to_dict()\n"
        "names = [f for f in vars(pet) if f != 'additional_properties']\n"
        "assert len(names) == len(set(names)) == 8, names\n"
    )
    done = subprocess.run(
        [sys.executable, "-B", "-c", script, json.dumps(wire)],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr


# --- names that reach the package name, and --package-name -----------------------------------

TITLE_BUGS: dict[str, str] = {}

TITLES = ["class", "None", "import", "httpx", "typing", "builtins", "json", "enum", "__init__"]
TITLES += ["123", "models", "_private", "Client", "test"]


@pytest.mark.parametrize(
    "title",
    [
        pytest.param(
            t,
            marks=[pytest.mark.xfail(reason=TITLE_BUGS[t], strict=True)] if t in TITLE_BUGS else [],
        )
        for t in TITLES
    ],
)
def test_title_derived_package_name(title: str, sandbox: Sandbox) -> None:
    """Without --package-name the package is named after the title: a title that is no valid
    or no safe module name must still give an importable package (or a clear exit 1)."""
    spec = sandbox.work / "titled.yaml"
    spec.write_text(GOOD_SPEC.replace("title: Good", f"title: {json.dumps(title)}"), "utf-8")
    before = tree(sandbox.root, skip=[sandbox.out])
    run, _ = hostile_run(sandbox, spec, "-q")
    check_run(sandbox, run, Expect("generate"), before=before)


BAD_PACKAGE_NAMES: list[str | ParameterSet] = [
    "../evil",
    "../../../../evil",
    "/tmp/sdkgen_hostile_absolute",
    "a/b",
    "..",
]
BAD_PACKAGE_NAMES += [".", "a.b", "class", "évil", "a b", "-rf", "\x00"]
BAD_PACKAGE_NAMES += [
    pytest.param(
        "",
    )
]


@pytest.mark.parametrize(
    "name",
    BAD_PACKAGE_NAMES,
)
def test_package_name_that_is_no_identifier_is_a_usage_error(name: str, sandbox: Sandbox) -> None:
    spec = sandbox.work / "good.yaml"
    before = tree(sandbox.root, skip=[sandbox.out])
    out_before = tree(sandbox.out)
    result = run_cli("generate", str(spec), "-o", "out", "--package-name", name)
    assert result.exit_code == 2, result.output
    assert "--package-name" in result.output
    assert "Traceback" not in result.output
    assert tree(sandbox.out) == out_before
    assert tree(sandbox.root, skip=[sandbox.out]) == before
    no_pwned(sandbox)


@pytest.mark.parametrize("name", ["httpx", "typing", "json", "asyncio", "builtins"])
def test_package_name_that_shadows_a_module_it_needs_is_a_usage_error(
    name: str, sandbox: Sandbox
) -> None:
    out_before = tree(sandbox.out)
    result = run_cli(
        "generate", str(sandbox.work / "good.yaml"), "-o", "out", "--package-name", name
    )
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert tree(sandbox.out) == out_before


# --- references that leave the document ------------------------------------------------------


@pytest.mark.parametrize("skip_validation", [False, True])
def test_a_url_ref_is_refused_and_never_fetched(skip_validation: bool, sandbox: Sandbox) -> None:
    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            body = b'{"type": "object", "properties": {"secret": {"type": "string"}}}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/x.json"
        text = (HOSTILE / "external_url_ref.yaml").read_text(encoding="utf-8")
        spec = sandbox.work / "url_ref.yaml"
        spec.write_text(text.replace("http://127.0.0.1:9/x.json", url), encoding="utf-8")
        args = ["--skip-validation"] if skip_validation else []
        before = tree(sandbox.root, skip=[sandbox.out])
        run, _ = hostile_run(sandbox, spec, *args)
        pointer = "#/components/schemas/Pet/properties/owner"
        check_run(sandbox, run, Expect("error", "SDK010", pointer), before=before)
        assert run.exit_code == 1
    finally:
        server.shutdown()
        server.server_close()
    assert requests == []


# --- size and nesting ----------------------------------------------------------------------


def json_depth(text: str) -> int:
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            escaped = not escaped and char == "\\"
            in_string = escaped or char != '"'
        elif char == '"':
            in_string = True
        elif char in "{[":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "}]":
            depth -= 1
    return deepest


def test_ten_thousand_levels_of_nesting_are_a_clear_sdk004(sandbox: Sandbox) -> None:
    spec = sandbox.work / "deep.json"
    spec.write_text(nested_properties(10_000), encoding="utf-8")
    before = tree(sandbox.root, skip=[sandbox.out])
    run, _ = hostile_run(sandbox, spec)
    at = "#/paths/~1a/get/responses/200/content/application~1json/schema/properties/p0/"
    check_run(sandbox, run, Expect("error", "SDK004", at), before=before)
    assert run.exit_code == 1
    # json's own parser overflowed (10,000 levels); the pointer is the one of 129 levels
    assert f"deep.json{at}" in run.output
    (pointer,) = (p for _, code, p, _ in diagnostics(run.output) if code == "SDK004")
    assert pointer.count("/") == MAX_DEPTH


@pytest.mark.parametrize("flow", ["[", "{a: "])
def test_ten_thousand_levels_of_yaml_nesting_are_a_clear_sdk004(
    flow: str, sandbox: Sandbox
) -> None:
    closing = "]" if flow == "[" else "}"
    text = GOOD_SPEC + "x-deep: " + flow * 10_000 + ("1" if flow != "[" else "") + closing * 10_000
    spec = sandbox.work / "deep.yaml"
    spec.write_text(text + "\n", encoding="utf-8")
    before = tree(sandbox.root, skip=[sandbox.out])
    run, _ = hostile_run(sandbox, spec)
    check_run(sandbox, run, Expect("error", "SDK004", "#/x-deep"), before=before)
    assert run.exit_code == 1


def deepest_accepted() -> str:
    levels = (MAX_DEPTH - 9) // 2  # the schema sits at depth 9; each level adds two
    text = nested_properties(levels)
    assert json_depth(text) == MAX_DEPTH - (MAX_DEPTH - 9) % 2, json_depth(text)
    return text


def test_the_deepest_accepted_document_generates_without_validation(sandbox: Sandbox) -> None:
    spec = sandbox.work / "deepest.json"
    spec.write_text(deepest_accepted(), encoding="utf-8")
    before = tree(sandbox.root, skip=[sandbox.out])
    run, _ = hostile_run(sandbox, spec, "--skip-validation", "-q")
    check_run(sandbox, run, Expect("generate"), before=before)
    assert run.exit_code == 0, run.output


def test_the_deepest_accepted_document_validates(sandbox: Sandbox) -> None:
    spec = sandbox.work / "deepest.json"
    spec.write_text(deepest_accepted(), encoding="utf-8")
    before = tree(sandbox.root, skip=[sandbox.out])
    run, _ = hostile_run(sandbox, spec, "-q")
    check_run(sandbox, run, Expect("either"), before=before)
    reported = diagnostics(run.output)
    assert all(code == "SDK004" for sev, code, _, _ in reported if sev == "ERROR"), run.output


@dataclasses.dataclass(frozen=True)
class Bounded:
    returncode: int | None  # None: killed at the deadline
    seconds: float
    max_rss_mb: float
    output: str


_CAPPED = (
    "import os, resource, sys\n"
    "cap = int(sys.argv[1])\n"
    "resource.setrlimit(resource.RLIMIT_AS, (cap, cap))\n"
    "os.execv(sys.argv[2], sys.argv[2:])\n"
)


def run_bounded(args: list[str], cwd: Path, timeout: float, env: dict[str, str]) -> Bounded:
    """`sdkgen ARGS` in its own session with a 2 GB address-space cap (to protect the machine;
    the measured peak is what the tests judge); the whole session is killed at the deadline."""

    log = cwd.parent / "bounded.log"
    with log.open("wb") as sink:
        started = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-c", _CAPPED, str(2 * 1024**3), str(SDKGEN), *args],
            cwd=cwd,
            env={**os.environ, **env},
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        returncode: int | None = None
        rss_kb = 0
        while time.monotonic() - started < timeout:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                returncode = os.waitstatus_to_exitcode(status)
                rss_kb = usage.ru_maxrss
                break
            time.sleep(0.05)
        seconds = time.monotonic() - started
        if returncode is None:
            os.killpg(process.pid, signal.SIGKILL)
            os.wait4(process.pid, 0)
        process.returncode = -1 if returncode is None else returncode  # already reaped
    output = log.read_text(encoding="utf-8", errors="replace")
    log.unlink()
    return Bounded(returncode, seconds, rss_kb / 1024, output)


@pytest.mark.parametrize("where", ["extension", "example"])
def test_a_yaml_alias_bomb_is_refused_or_bounded(where: str, sandbox: Sandbox) -> None:
    spec = sandbox.work / "bomb.yaml"
    spec.write_text(alias_bomb(where), encoding="utf-8")
    cache = str(sandbox.root.parent / "cache")
    before = tree(sandbox.root, skip=[sandbox.out])
    out_before = tree(sandbox.out)
    ran = run_bounded(
        ["generate", str(spec), "-o", "out"], sandbox.work, 10, {"SDKGEN_CACHE_DIR": cache}
    )
    assert ran.returncode is not None, f"still running after 10 s:\n{ran.output[-2000:]}"
    assert ran.max_rss_mb < 500, f"peak memory {ran.max_rss_mb:.0f} MB"
    if ran.returncode != 0:
        assert tree(sandbox.out) == out_before
    check_run(sandbox, Run(ran.returncode, ran.output), Expect("either"), before=before)


BIG_MB = 8
BIG_SECONDS = 60


def test_a_big_document_generates_in_bounded_time(sandbox: Sandbox) -> None:
    """8 MB here (the suite's budget); `tests/sweep.py --big 50` times a 50 MB one."""
    spec = sandbox.work / "big.json"
    spec.write_text(big_document(BIG_MB), encoding="utf-8")
    assert spec.stat().st_size >= BIG_MB * 1024 * 1024 * 0.95
    cache = str(sandbox.root.parent / "cache")
    before = tree(sandbox.root, skip=[sandbox.out])
    out_before = tree(sandbox.out)
    ran = run_bounded(
        ["generate", str(spec), "-o", "out", "-q"],
        sandbox.work,
        BIG_SECONDS,
        {"SDKGEN_CACHE_DIR": cache},
    )
    assert ran.returncode is not None, f"still running after {BIG_SECONDS} s"
    if ran.returncode != 0:
        assert tree(sandbox.out) == out_before
    check_run(sandbox, Run(ran.returncode, ran.output), Expect("either"), before=before)


def test_a_document_over_the_size_limit_is_a_clear_sdk001(sandbox: Sandbox) -> None:
    spec = sandbox.work / "huge.json"
    with spec.open("wb") as sparse:  # a sparse file: no disk space, no time
        sparse.truncate(MAX_BYTES + 1)
    before = tree(sandbox.root, skip=[sandbox.out, spec])
    out_before = tree(sandbox.out)
    started = time.monotonic()
    result = run_cli("generate", str(spec), "-o", "out")
    assert time.monotonic() - started < 5
    assert result.exit_code == 1, result.output
    assert diagnostics(result.output)[0][:3] == ("ERROR", "SDK001", "#"), result.output
    assert str(MAX_BYTES) in result.output
    assert tree(sandbox.out) == out_before
    assert tree(sandbox.root, skip=[sandbox.out, spec]) == before


def test_a_reserved_method_name_is_not_reported_as_taken(sandbox: Sandbox) -> None:
    spec = sandbox.work / "reserved.yaml"
    spec.write_text(GOOD_SPEC.replace("operationId: getPet", "operationId: list"), "utf-8")
    result = run_cli("generate", str(spec), "-o", "out")
    assert result.exit_code == 0, result.output
    assert "def list_(" in (sandbox.out / "good" / "_client.py").read_text(encoding="utf-8")
    assert "is taken in its group" not in result.output, result.output
