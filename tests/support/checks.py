"""Checks on a generated tree, shared by the hostile, invalid-spec, fuzz and public-spec tests
and by `tests/sweep.py`: it compiles, imports without side effects, and passes `mypy --strict`.

Every check that runs generated code runs it in a subprocess, so the test process never imports
a hostile package; mypy runs on a copy outside the repository, so the repository's own mypy
configuration never applies to generated code.
"""

from __future__ import annotations

import ast
import dataclasses
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import tomllib

from generator.render import RUNTIME_FILES

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SDKGEN = BIN / "sdkgen"
MYPY = BIN / "mypy"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

# One diagnostic line: `SEVERITY CODE file#pointer: message` (a pointer may hold spaces).
DIAGNOSTIC = re.compile(r"^(ERROR|WARNING|INFO) (SDK\d{3}) ([^#\n]*)(#.*?): (.+)$", re.MULTILINE)


def tree(root: Path, *, skip: Iterable[Path] = ()) -> dict[str, bytes]:
    """Every file under `root` (relative POSIX path -> bytes), directories under `skip` left out;
    an empty directory is listed as `path/` so that creating one shows too."""
    skipped = [s.resolve() for s in skip]
    found: dict[str, bytes] = {}
    if not root.exists():
        return found
    for path in sorted(root.rglob("*")):
        resolved = path.resolve()
        if any(resolved == s or s in resolved.parents for s in skipped):
            continue
        rel = path.relative_to(root).as_posix()
        if path.is_symlink():
            found[rel + " -> "] = os.readlink(path).encode()
        elif path.is_file():
            found[rel] = path.read_bytes()
        elif path.is_dir() and not any(path.iterdir()):
            found[rel + "/"] = b""
    return found


def package_of(project: Path) -> str:
    """The import name of the package generated into `project` (the layout `project`)."""
    names = [p.name for p in project.iterdir() if (p / "__init__.py").is_file()]
    assert len(names) == 1, f"expected one package in {project}, found {names}"
    return names[0]


def diagnostics(output: str) -> list[tuple[str, str, str, str]]:
    """(severity, code, pointer, message) of every diagnostic line in `output`."""
    return [(m[0], m[1], m[3], m[4]) for m in DIAGNOSTIC.findall(output)]


def compile_errors(project: Path) -> list[str]:
    """Every generated `.py` compiled as `compileall` would, with warnings as errors: an invalid
    escape sequence in a docstring is a DeprecationWarning now and a SyntaxError later."""
    problems = []
    for path in sorted(project.rglob("*.py")):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                compile(path.read_bytes(), str(path), "exec", dont_inherit=True)
        except (SyntaxError, ValueError, DeprecationWarning, SyntaxWarning) as exc:
            problems.append(f"{path.relative_to(project)}: {type(exc).__name__}: {exc}")
    return problems


# Built-ins and module functions through which text could act; spec text that becomes a call
# to one of them (or an import) that the templates alone do not make is an injection.
_RISKY_NAMES = frozenset(
    {"exec", "eval", "compile", "__import__", "open", "breakpoint", "input", "print", "getattr"}
    | {"setattr", "delattr", "globals", "locals", "vars"}
)
_RISKY_MODULES = frozenset(
    {"os", "sys", "subprocess", "shutil", "builtins", "importlib", "socket", "pty", "ctypes"}
)

Profile = dict[str, set[str]]  # file (package directory as "{pkg}") -> its imports and calls


def code_profile(project: Path) -> Profile:
    """What each generated module (the static runtime left out) imports and which risky
    functions it calls: `import os`, `call eval`, `call os.system`; the package's own name is
    written `{pkg}`, so profiles of clients with different names compare."""
    profile: Profile = {}
    for path in sorted(project.rglob("*.py")):
        rel = path.relative_to(project)
        if path.name in RUNTIME_FILES and path.parent.parent == project:
            continue
        package = next((p.name for p in project.iterdir() if (p / "__init__.py").is_file()), "")
        key = "/".join("{pkg}" if part == package else part for part in rel.parts)
        try:
            profile[key] = _profile_of(ast.parse(path.read_bytes()), package)
        except (SyntaxError, ValueError):  # compile_errors() says why
            profile[key] = {"does not parse"}
    return profile


def _profile_of(module: ast.Module, package: str) -> set[str]:
    found = set()
    for node in ast.walk(module):
        if isinstance(node, ast.Import):
            found |= {f"import {_named(a.name, package)}" for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            name = node.module or ""
            found.add(f"import {'.' * node.level}{name if node.level else _named(name, package)}")
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in _RISKY_NAMES:
                found.add(f"call {func.id}")
            elif (
                isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Name)
                and func.value.id in _RISKY_MODULES
            ):
                found.add(f"call {func.value.id}.{func.attr}")
    return found


def _named(module: str, package: str) -> str:
    head, dot, rest = module.partition(".")
    return "{pkg}" + dot + rest if package and head == package else module


def code_problems(project: Path, clean: Profile) -> list[str]:
    """Imports and risky calls that the clean templates (`clean`, the profile of a client of an
    ordinary document) do not make; and static runtime files that are not the repository's."""
    problems = []
    for path in sorted(project.glob("*/*.py")):
        if path.name in RUNTIME_FILES:
            expected = REPO / "templates" / "runtime" / path.name
            if path.read_bytes() != expected.read_bytes():
                problems.append(f"{path.relative_to(project)}: differs from {expected}")
    for key, found in code_profile(project).items():
        problems += [f"{key}: {what}" for what in sorted(found - clean.get(key, set()))]
    return problems


def toml_problems(project: Path) -> list[str]:
    path = project / "pyproject.toml"
    if not path.is_file():
        return []
    try:
        tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        return [f"pyproject.toml: {exc}"]
    return []


# Run in a fresh interpreter: an audit hook records what importing the package does besides
# defining names (writing or reading files outside sys.path, sockets, processes, ...).
_IMPORT_CHECK = r"""
import importlib, os, sys
package, project = sys.argv[1], sys.argv[2]
sys.path.insert(0, project)
roots = tuple(os.path.realpath(p) + os.sep for p in sys.path if p)
WRITES = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
FORBIDDEN = (
    "socket.", "subprocess.", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork",
    "os.kill", "os.remove", "os.unlink", "os.rename", "os.rmdir", "os.mkdir", "os.symlink",
    "os.link", "os.chmod", "os.chown", "os.truncate", "os.putenv", "os.unsetenv", "os.chdir",
    "shutil.", "urllib.", "http.client.", "ctypes.", "webbrowser.", "ftplib.", "smtplib.",
    "pty.", "glob.", "tempfile.",
)
found = []
def audit(event, args):
    if event.startswith(FORBIDDEN):
        found.append(f"{event} {args!r}"[:300])
    elif event == "open" and len(args) == 3:
        path, mode, flags = args
        writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            mode is None and isinstance(flags, int) and flags & WRITES
        )
        where = os.path.realpath(os.fsdecode(path)) if isinstance(path, str | bytes) else ""
        if writes or not where.startswith(roots):
            found.append(f"open {args!r}"[:300])
sys.addaudithook(audit)
for name in (package, package + ".models", package + "._client", package + ".errors"):
    importlib.import_module(name)
if found:
    sys.stderr.write("\n".join(found) + "\n")
    sys.exit(3)
"""


@dataclasses.dataclass(frozen=True)
class ImportResult:
    returncode: int
    stdout: str
    stderr: str
    created: list[str]  # files that appeared in the working directory or the project

    @property
    def clean(self) -> bool:
        return self.returncode == 0 and not self.stdout and not self.stderr and not self.created


def import_in_subprocess(project: Path, package: str, timeout: float = 60) -> ImportResult:
    """Import `package` from `project` in `python -I -B`, in an empty working directory."""
    before = tree(project)
    with tempfile.TemporaryDirectory(prefix="sdkgen-import-") as cwd:
        done = subprocess.run(
            [sys.executable, "-I", "-B", "-c", _IMPORT_CHECK, package, str(project)],
            cwd=cwd,
            env={"PATH": os.environ.get("PATH", ""), "HOME": cwd, "LC_ALL": "C.UTF-8"},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        created = sorted(os.listdir(cwd))
    after = tree(project)
    created += sorted(f"{project.name}/{p}" for p in after.keys() - before.keys())
    created += sorted(f"{project.name}/{p} (changed)" for p in before if after.get(p) != before[p])
    return ImportResult(done.returncode, done.stdout, done.stderr, created)


@dataclasses.dataclass(frozen=True)
class MypyResult:
    returncode: int
    output: str
    seconds: float

    @property
    def errors(self) -> int:
        match = re.search(r"Found (\d+) errors?", self.output)
        return int(match[1]) if match else (0 if self.returncode == 0 else -1)

    def summary(self) -> str:
        if self.returncode == 0:
            return f"ok ({self.seconds:.1f} s)"
        count = self.errors
        what = f"{count} errors" if count >= 0 else "failed"
        return f"{what} ({self.seconds:.1f} s)"


def mypy_strict(packages: Iterable[Path], timeout: float = 900) -> MypyResult:
    """`mypy --strict` on copies of `packages` (package directories) in a temporary directory
    outside the repository, so that no configuration file applies."""
    with tempfile.TemporaryDirectory(prefix="sdkgen-mypy-") as where:
        names = []
        for package in packages:
            shutil.copytree(package, Path(where) / package.name)
            names.append(package.name)
        started = time.monotonic()
        done = subprocess.run(
            [
                str(MYPY),
                "--strict",
                "--no-incremental",
                "--cache-dir=/dev/null",
                *names,
            ],
            cwd=where,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        seconds = time.monotonic() - started
    return MypyResult(done.returncode, done.stdout + done.stderr, seconds)


def document_operations(doc: dict[str, Any]) -> int:
    """Operations in an OpenAPI document: every method under every path item (`$ref`ed path
    items resolved inside the document)."""
    paths = doc.get("paths")
    count = 0
    for item in paths.values() if isinstance(paths, dict) else ():
        resolved = _local(doc, item)
        if isinstance(resolved, dict):
            count += sum(isinstance(resolved.get(m), dict) for m in METHODS)
    return count


def _local(doc: dict[str, Any], node: Any) -> Any:
    for _ in range(32):
        ref = node.get("$ref") if isinstance(node, dict) else None
        if not (isinstance(ref, str) and ref.startswith("#/")):
            return node
        node = doc
        for part in ref[2:].split("/"):
            key = part.replace("~1", "/").replace("~0", "~")
            node = node.get(key) if isinstance(node, dict) else None
    return None


def generated_operations(project: Path, package: str) -> int:
    """Methods reachable as `Client().<group>.<method>` in the generated source (parsed, not
    imported): the resource classes `Client.__init__` assigns, and their public methods other
    than the waiters (`..._and_wait`, `wait_for_...`), which add to an operation."""
    source = (project / package / "_client.py").read_text(encoding="utf-8")
    classes = {n.name: n for n in ast.parse(source).body if isinstance(n, ast.ClassDef)}
    init = next(
        f for f in classes["Client"].body if isinstance(f, ast.FunctionDef) and f.name == "__init__"
    )
    groups = [
        node.value.func.id
        for node in init.body
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Name)
        and node.value.func.id in classes
    ]
    return sum(
        isinstance(item, ast.FunctionDef)
        and not item.name.startswith("_")
        and not item.name.endswith("_and_wait")
        and not item.name.startswith("wait_for_")
        for group in groups
        for item in classes[group].body
    )
