"""Stage 5, render: the IR through Jinja2 templates into `{relative path: text}`, in memory.

The templates loop over the IR; everything they print that is not a fixed string comes from a
filter or global set here: the escaping helpers of `generator.escape` (`pyrepr`, `doc`,
`comment`, `toml`) and the type text of `generator.typetext` (`annotation`, `conv`, examples).
Files that do not depend on the spec (`templates/runtime/*.py`) are copied as they are.
A wheel carries the templates precompiled (`compile_templates`, run by `hatch_build.py`); they
are used only while their stamp matches the templates beside them (`template_loader`).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import re
import warnings
from pathlib import Path, PurePosixPath
from typing import Any

import jinja2

from generator import ir, templates_dir
from generator.escape import comment, doc, doc_closing, fitted, pyrepr, toml
from generator.typetext import (
    annotation,
    arg_annotation,
    client_imports,
    client_stdlib_imports,
    conv,
    example_args,
    export_order,
    form_hints,
    form_parts,
    forward_args,
    model_typing_imports,
    models_stdlib_imports,
    must_give,
    must_read,
    smoke_body,
    smoke_expectation,
    typing_imports,
)

RUNTIME_FILES = ("_formats.py", "_models.py", "_runtime.py", "_waiters.py", "_wire.py", "errors.py")
SERVERS_FILE = "_servers.py"  # only in a client made of several documents (`generator.merge`)


def runtime_paths(package_name: str, layout: str) -> set[PurePosixPath]:
    """Where the static runtime files land: they are copied, not formatted again."""
    base = PurePosixPath(package_name) if layout == "project" else PurePosixPath()
    return {base / name for name in (*RUNTIME_FILES, SERVERS_FILE)}


def distribution_name(package_name: str) -> str:
    return package_name.replace("_", "-")


def version_numbers(version: str) -> list[int]:
    """The first three numbers in a version string: "v1.0.0" -> [1, 0, 0], "2022-11-28" ->
    [2022, 11, 28], "beta" -> []."""
    return [int(n) for n in re.findall(r"\d+", version)[:3]]


def package_version(spec_version: str, generator_version: str) -> str:
    """The generated package's version: `X.Y.Z.G`, where X.Y.Z are the first three numbers of
    the spec's `info.version` (missing ones are 0) and G encodes the generator's version as
    major*10000 + minor*100 + patch. Regenerating with a newer sdkgen or from a newer spec
    always gives a higher version, and both are valid PEP 440 release numbers."""
    spec = [*version_numbers(spec_version), 0, 0, 0][:3]
    gen = [*version_numbers(generator_version), 0, 0, 0][:3]
    serial = gen[0] * 10000 + gen[1] * 100 + gen[2]
    return ".".join(str(n) for n in [*spec, serial])


# --- the Jinja2 environment and the wheel's precompiled templates -----------------------------

# Every option of the Environment that shapes compiled code. Rendering and `compile_templates`
# (the wheel's precompiled templates) both build theirs in `_new_environment`, from these.
ENV_OPTIONS: dict[str, Any] = {
    "undefined": jinja2.StrictUndefined,
    "keep_trailing_newline": True,
    "trim_blocks": True,
    "lstrip_blocks": True,
    "autoescape": False,
}
# A wheel's templates, compiled to Python modules by its build hook (`hatch_build.py`).
PRECOMPILED = Path(__file__).resolve().parent / "_compiled"
STAMP = "stamp.json"  # beside the modules: what they were compiled from, and by which Jinja2


def _new_environment(
    loader: jinja2.BaseLoader, bytecode: jinja2.BytecodeCache | None = None
) -> jinja2.Environment:
    env = jinja2.Environment(loader=loader, bytecode_cache=bytecode, **ENV_OPTIONS)
    env.filters.update(  # the compiler checks filter names: compiling needs them too
        {
            "doc": doc,
            "doc_closing": doc_closing,
            "fitted": fitted,
            "comment": comment,
            "pyrepr": pyrepr,
            "toml": toml,
            "annotation": annotation,
            "arg_annotation": arg_annotation,
            "conv": conv,
        }
    )
    env.globals["must_give"] = must_give
    env.globals["must_read"] = must_read
    env.globals["forward_args"] = forward_args
    env.globals["form_hints"] = form_hints
    env.globals["form_parts"] = form_parts
    env.globals["smoke_body"] = smoke_body
    env.globals["operation_text"] = functools.partial(_operation_text, env)
    return env


# An operation's sync and async methods differ only in `async `/`await `: the macro renders once,
# with these markers (text from the spec never holds a NUL: `doc` drops control characters and
# `pyrepr` escapes them), and each client gets its own replacement. Rendering is most of the run's
# Python time on large specs.
_ASYNC, _AWAIT = "\x00async\x00", "\x00await\x00"
_OPERATIONS: dict[int, tuple[ir.Operation, str]] = {}


def _operation_text(env: jinja2.Environment, op: ir.Operation, is_async: bool) -> str:
    known = _OPERATIONS.get(id(op))
    if known is None or known[0] is not op:
        text = str(env.get_template("macros.jinja").module.operation(op, _ASYNC, _AWAIT))  # type: ignore[attr-defined]
        known = _OPERATIONS[id(op)] = (op, text)
    a, aw = ("async ", "await ") if is_async else ("", "")
    return known[1].replace(_ASYNC, a).replace(_AWAIT, aw)


def templates_digest(directory: Path) -> str:
    """sha256 over the sorted relative names and the bytes of every file under `directory`."""
    files = {p.relative_to(directory).as_posix(): p for p in directory.rglob("*") if p.is_file()}
    digest = hashlib.sha256()
    for name in sorted(files):
        data = files[name].read_bytes()
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def _jinja2_version() -> str:
    """Jinja2's version: its `__version__` costs nothing, where importlib.metadata takes tens
    of ms to import and ~2 ms to look up; Jinja2 3.2 deprecates the attribute, 3.3 drops it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        version = getattr(jinja2, "__version__", None)
    if isinstance(version, str):
        return version
    from importlib.metadata import version as installed

    return installed("jinja2")


def _stamp(templates: Path) -> dict[str, str]:
    """What compiled templates depend on: the sources, Jinja2's compiler and the options."""
    return {
        "templates_sha256": templates_digest(templates),
        "jinja2": _jinja2_version(),
        "options": repr(sorted(ENV_OPTIONS.items())),
    }


def compile_templates(target: Path, templates: Path | None = None) -> None:
    """Compile every template of `templates` (default: the package templates in use) into
    Python modules in `target`, for `jinja2.ModuleLoader`, and write their stamp beside them."""
    source = templates if templates is not None else templates_dir() / "package"
    env = _new_environment(jinja2.FileSystemLoader(source))
    env.compile_templates(target, zip=None, ignore_errors=False)
    stamp = json.dumps(_stamp(source), indent=2, sort_keys=True) + "\n"
    (target / STAMP).write_text(stamp, encoding="utf-8")


def template_loader(compiled: Path = PRECOMPILED) -> jinja2.BaseLoader:
    """A `ModuleLoader` on the precompiled templates in `compiled` when their stamp matches
    the templates in use, this Jinja2 and `ENV_OPTIONS`; otherwise (an editable install, an
    edited template, another Jinja2) a `FileSystemLoader` on the templates themselves, so stale
    or foreign compiled code is never run. The check reads seven small files: well under 2 ms."""
    templates = templates_dir() / "package"
    try:
        recorded = json.loads((compiled / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        recorded = None
    if recorded is not None and recorded == _stamp(templates):
        return jinja2.ModuleLoader(compiled)
    return jinja2.FileSystemLoader(templates)


class _QuietBytecodeCache(jinja2.FileSystemBytecodeCache):
    """Jinja2's bytecode cache, whose failures (a full disk, a file-size limit) only cost
    speed, like those of sdkgen's own cache."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().load_bytecode(bucket)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


@functools.cache
def _environment(root: Path | None) -> jinja2.Environment:
    """The Jinja2 environment: precompiled templates when the wheel has valid ones; otherwise
    compiled on first use and, with a cache `root`, kept there."""
    from generator.cache import code_fingerprint

    loader = template_loader()
    bytecode = None
    if root is not None and not isinstance(loader, jinja2.ModuleLoader):
        # compiled templates, keyed by sdkgen's code: compiling costs 0.15-0.3 s
        directory = root / "jinja" / code_fingerprint()[:16]
        try:
            directory.mkdir(parents=True, exist_ok=True)
            bytecode = _QuietBytecodeCache(str(directory))
        except OSError:
            bytecode = None
    return _new_environment(loader, bytecode)


TEMPLATES = {
    "pyproject.toml.jinja": "pyproject.toml",
    "README.md.jinja": "README.md",
    "tests/test_smoke.py.jinja": "tests/test_smoke.py",
    "__init__.py.jinja": "{package}/__init__.py",
    "_client.py.jinja": "{package}/_client.py",
    "models.py.jinja": "{package}/models.py",
}


def render(
    api: ir.Api,
    *,
    generator_version: str,
    spec_sha256: str,
    overlays: tuple[tuple[str, str], ...] = (),
    spec_files: tuple[tuple[str, str], ...] = (),
    version: str | None = None,
    layout: str = "project",
    cache_root: Path | None = None,
    documents: tuple[dict[str, Any], ...] = (),
) -> dict[PurePosixPath, str]:
    """Every file of the generated project (`layout="project"`: pyproject.toml, README.md,
    tests/ and the package) or of the package alone (`layout="package"`, for vendoring).
    `documents`: the provenance of each document when several make the client (file, prefix,
    sha256, overlays); `spec_sha256` is then the set's digest."""
    env = _environment(cache_root)
    _OPERATIONS.clear()  # this API's operations only: nothing kept alive from an earlier one
    context = {
        "api": api,
        "generator_version": generator_version,
        "spec_sha256": spec_sha256,
        "overlays": overlays,
        "spec_files": spec_files,
        "documents": documents,
        "version": version or package_version(api.spec_version, generator_version),
        "distribution": distribution_name(api.package_name),
        "client_imports": client_imports(api),
        "typing_imports": typing_imports(api),
        "client_stdlib_imports": client_stdlib_imports(api),
        "models_stdlib_imports": models_stdlib_imports(api),
        "model_typing_imports": model_typing_imports(api),
        "example_args": functools.partial(example_args, api=api),
        "smoke_expectation": functools.partial(smoke_expectation, api=api),
        "model_exports": export_order([e.name for e in api.enums] + [m.name for m in api.models]),
    }
    pairs = [(g, op) for g in api.groups for op in g.operations]
    context["first_call"] = pairs[0] if pairs else None
    context["waiter_call"] = next(((g, op) for g, op in pairs if op.waiter is not None), None)
    context["examples_use_datetime"] = any(
        "datetime." in example_args(op, api) for group in api.groups for op in group.operations
    )
    context["examples_use_models"] = any(
        "models." in example_args(op, api) + str(smoke_expectation(op, api).result)
        for group in api.groups
        for op in group.operations
    )
    files = {
        PurePosixPath(target.format(package=api.package_name)): env.get_template(source).render(
            context
        )
        for source, target in TEMPLATES.items()
    }
    runtime = templates_dir() / "runtime"
    for name in RUNTIME_FILES:
        files[PurePosixPath(api.package_name, name)] = (runtime / name).read_text(encoding="utf-8")
    if any(g.base_url for g in api.groups):
        text = (runtime / SERVERS_FILE).read_text(encoding="utf-8")
        files[PurePosixPath(api.package_name, SERVERS_FILE)] = text
    files[PurePosixPath(api.package_name, "py.typed")] = ""
    if layout == "package":  # the package's own files, at the top of the output
        package = PurePosixPath(api.package_name)
        files = {p.relative_to(package): t for p, t in files.items() if p.parts[0] == package.name}
    return files
